"""Root pytest configuration: optional dependencies skip their tests.

``make test`` installs every extra, so everything runs there. On a machine
without torch, dask, the integration frameworks or nbmake, plain ``pytest``
skips the parts that need them instead of failing at collection.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

# module needed -> paths (relative to this file) that cannot be collected without it
_NEEDS = {
    "torch": [
        "rebalance/torch",
        "tests/test_losses*.py",
        "tests/test_torch_samplers.py",
        "tests/test_integrations*.py",
        "tests/test_examples.py",
        "tests/regressions/test_review13_ecosystem.py",
        "tests/regressions/test_review32_torch.py",
        "tests/regressions/test_review33_torch.py",
        "notebooks/02_torch_training.ipynb",
        "notebooks/03_long_tail.ipynb",
    ],
    "dask": ["tests/test_dask*.py"],
    "numpydoc": [
        "tests/regressions/test_review32_imblearn.py",
        "tests/regressions/test_review_peers.py",
    ],
    "lightning": ["tests/test_integrations*.py"],
    "skorch": ["tests/test_integrations*.py"],
}


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


collect_ignore_glob = sorted(
    {path for module, paths in _NEEDS.items() if _missing(module) for path in paths}
)


def pytest_configure(config):
    # Notebooks run through nbmake when it is installed (it is in the dev extra).
    if not _missing("nbmake"):
        config.option.nbmake = True
    config.addinivalue_line(
        "markers", "slow: takes more than a few seconds (deselect with -m 'not slow')"
    )


def pytest_collection_modifyitems(config, items):
    """Run the files holding a slow test first: the notebooks (each a few
    seconds to tens of seconds), then the other files with a ``slow`` test,
    then the rest in collection order.

    ``make test`` spreads whole files over two workers in this order
    (``--dist loadfile --no-loadscope-reorder``): with a slow file last, one
    worker would run it alone while the other sits idle. The order within a
    file never changes (a sort by file, stable).
    """
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
    slow = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item):
        if item.path.suffix == ".ipynb":
            return 0
        return 1 if item.path in slow else 2

    items.sort(key=rank)


@pytest.fixture
def synchronous_dask():
    """Dask's synchronous scheduler for the test (deterministic, no threads):
    ``pytestmark = pytest.mark.usefixtures("synchronous_dask")``."""
    dask = pytest.importorskip("dask")
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture
def triton_interpreter():
    """``run(code, expected)``: run ``code`` in a fresh Python with Triton's
    CPU interpreter on (it must be set before triton is imported) and the
    repository importable; assert it exits 0 and prints ``expected``. Skips
    where Triton is not installed (the kernels only run on CUDA)."""
    if _missing("triton"):
        pytest.skip("triton is not installed; the Triton kernels only run on CUDA")

    def run(code: str, expected: str) -> None:
        env = dict(os.environ, TRITON_INTERPRET="1", REBALANCE_TRITON_ON_CPU="1")
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")]
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert expected in result.stdout

    return run


@pytest.fixture
def dask_computes():
    """A Dask callback that counts the ``dask.compute`` calls made while it
    is active: ``with dask_computes() as computes: ...``, then ``computes.n``."""
    from dask.callbacks import Callback

    class Computes(Callback):
        def __init__(self):
            super().__init__()
            self.n = 0

        def _start(self, dsk):
            self.n += 1

    return Computes


@pytest.fixture
def smoothing_peak():
    """``measure(X, y)``: ``(peak, estimate)`` of
    ``RandomOverSampler(shrinkage=1.0).fit_resample(X, y)``: the bytes it
    allocates at its peak (tracemalloc, after a first call on a row of each
    class has imported and compiled what it needs) and the sum of
    ``fit_resample``'s memory estimate."""
    import tracemalloc

    import numpy as np

    from rebalance import RandomOverSampler, base

    def measure(X, y):
        sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
        first = np.unique(y, return_index=True)[1]
        sampler.fit_resample(X[np.r_[first, first]], y[np.r_[first, first]])
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            sampler.fit_resample(X, y)
            peak = tracemalloc.get_traced_memory()[1] - start
        finally:
            tracemalloc.stop()
        X_c, y_1d, _, weights, plan = sampler._check_inputs(X, y, None)
        parts = base._output_memory(sampler, X, X_c, y_1d, weights, plan)
        return peak, sum(parts.values())

    return measure


@pytest.fixture
def compiled(monkeypatch):
    """Every gather and draw, however small, takes the threaded/compiled
    paths (three threads)."""
    from rebalance import _gather, _indices

    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 2)
    monkeypatch.setattr(_gather, "STAGE_TILE", 7)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "n_threads", lambda: 3)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch_ranks(
    script: Path,
    world: int,
    args: list[str] | None = None,
    *,
    timeout: float = 120,
    extra_env: dict | None = None,
) -> list[tuple[int, str]]:
    """Run ``script`` as ranks ``0 .. world - 1`` of a torch.distributed job
    (``MASTER_ADDR``/``MASTER_PORT``/``WORLD_SIZE``/``RANK``/``LOCAL_RANK``
    set, one OpenMP thread each), ``args`` after the script, where the rank's
    number may be written ``{rank}`` and a second free port, the same for all
    ranks, ``{free_port}``. Returns each rank's ``(returncode,
    output)``; a job still running after ``timeout`` seconds is killed (its
    process groups) and the test fails, so a hang cannot block the suite."""
    import signal

    env = dict(
        os.environ,
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(_free_port()),
        WORLD_SIZE=str(world),
        LOCAL_WORLD_SIZE=str(world),
        OMP_NUM_THREADS="1",
        **(extra_env or {}),
    )
    port = str(_free_port())
    procs = [
        subprocess.Popen(
            [sys.executable, str(script)]
            + [
                arg.replace("{rank}", str(r)).replace("{free_port}", port)
                for arg in args or []
            ],
            env={**env, "RANK": str(r), "LOCAL_RANK": str(r)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for r in range(world)
    ]
    outputs = []
    try:
        for proc in procs:
            outputs.append(proc.communicate(timeout=timeout)[0].decode())
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {world} ranks did not finish within {timeout} s")
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return [(proc.returncode, output) for proc, output in zip(procs, outputs)]


@pytest.fixture
def two_accelerate_ranks():
    """HF Accelerate's PartialState with 2 processes over a fake 2-rank
    process group (this process rank 1; torch's fake backend, no
    communication); all restored afterwards. Skips without torch or
    accelerate."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("accelerate")
    dist = torch.distributed
    fake_pg = pytest.importorskip("torch.testing._internal.distributed.fake_pg")
    from accelerate.state import PartialState

    shared = PartialState._shared_state
    saved = dict(shared)
    PartialState(cpu=True)
    shared["num_processes"] = 2
    assert not dist.is_initialized()
    dist.init_process_group("fake", store=fake_pg.FakeStore(), rank=1, world_size=2)
    try:
        yield
    finally:
        dist.destroy_process_group()
        shared.clear()
        shared.update(saved)


@pytest.fixture(scope="session")
def launch_ranks():
    """:func:`_launch_ranks`: start a multi-process torch.distributed job."""
    return _launch_ranks


@pytest.fixture(scope="session")
def reversed_index_parquet(tmp_path_factory):
    """Twelve Parquet files ``part-0`` ... ``part-11`` (sizes 20, 23, ...) of
    columns "row" (0, 1, ... across the files), "f", "label" ("maj"/"min")
    and "w", whose index "idx" runs the other way round from the file names:
    a read sorted by index (``filesystem="arrow", calculate_divisions=True``)
    takes them in another order than the default reader. Returns the folder
    and the whole frame indexed by "row"."""
    import numpy as np
    import pandas as pd

    path = tmp_path_factory.mktemp("reversed_index_parquet")
    rng = np.random.default_rng(0)
    sizes = [20 + 3 * i for i in range(12)]
    total, start = sum(sizes), 0
    frames = []
    for i, n in enumerate(sizes):
        part = pd.DataFrame(
            {
                "row": np.arange(start, start + n),
                "f": rng.random(n),
                "label": rng.choice(["maj", "min"], n, p=[0.8, 0.2]),
                "w": rng.random(n),
            },
            index=pd.Index(total - start - n + np.arange(n), name="idx"),
        )
        part.to_parquet(path / f"part-{i}.parquet")
        frames.append(part)
        start += n
    return path, pd.concat(frames).set_index("row", drop=False)
