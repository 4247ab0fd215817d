"""Runtime-environment review: read-only installs, NUMBA_DISABLE_JIT, fork
during the focal-loss warm-up, cgroup memory/CPU limits."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rebalance import _indices

needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="needs torch"
)


def _run(script: str, env: dict | None = None, args=(), timeout: float = 60):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NUMBA_CACHE_DIR", None)
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(script)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


_SMALL_DRAW = """
import numpy as np
from rebalance import RandomUnderSampler
X = np.arange(100).reshape(50, 2)
y = np.r_[np.zeros(40, int), np.ones(10, int)]
X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
assert np.bincount(y_res).tolist() == [10, 10]
"""


# Read-only install + unwritable HOME (no numba cache locator usable): the first
# draw must still work (compile without the disk cache), not raise RuntimeError.
@pytest.mark.slow
def test_draw_without_writable_numba_cache():
    # the package's __pycache__ and ~/.cache/numba are not writable
    script = (
        "import numba.core.caching as c\n"
        "_ensure = c._CacheLocator.ensure_cache_path\n"
        # numba < 0.61 names them _InTreeCacheLocator, _UserWideCacheLocator.
        "denied = tuple(getattr(c, n, None) or getattr(c, '_' + n) for n in\n"
        "               ('InTreeCacheLocator', 'UserWideCacheLocator'))\n"
        "def _deny(self):\n"
        "    if type(self) in denied:\n"
        "        raise PermissionError(13, 'denied', self.get_cache_path())\n"
        "    return _ensure(self)\n"
        "c._CacheLocator.ensure_cache_path = _deny\n" + _SMALL_DRAW
    )
    out = _run(script)
    assert out.returncode == 0, out.stderr[-2000:]


# NUMBA_DISABLE_JIT=1 (debugging, coverage): the CSR row gather must run in
# pure Python instead of raising NotImplementedError from the prefetch intrinsic.
def test_csr_oversampling_with_numba_jit_disabled():
    script = """
    import warnings
    import numpy as np, scipy.sparse as sp
    from rebalance import RandomOverSampler
    warnings.simplefilter("ignore", RuntimeWarning)
    n = 10_000
    y = (np.random.default_rng(0).random(n) < 0.2).astype(np.int64)
    X = sp.random(n, 40, density=1.0, format="csr", random_state=0)
    s = RandomOverSampler(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    assert (X_res != X[s.sample_indices_]).nnz == 0
    """
    out = _run(script, env={"NUMBA_DISABLE_JIT": "1"})
    assert out.returncode == 0, out.stderr[-2000:]


# NUMBA_DISABLE_JIT=1 under -W error (pytest filterwarnings=error): the RNG's
# intended uint64 wrap-around must not emit numpy overflow RuntimeWarnings.
def test_no_overflow_warnings_with_numba_jit_disabled():
    out = _run(_SMALL_DRAW, env={"NUMBA_DISABLE_JIT": "1"}, args=("-W", "error"))
    assert out.returncode == 0, out.stderr[-2000:]


# A fork while the focal-loss warm-up thread is importing numba must not leave
# the child deadlocked on numba's import lock (fork-started Pool/DataLoader
# workers right after `import rebalance.torch.losses`).
@needs_torch
@pytest.mark.slow
def test_fork_during_focal_warmup_does_not_deadlock_child():
    script = """
    import faulthandler, os, sys, threading, time
    gate = threading.Event()

    class SlowNumbaImport:  # widens the window in which the warm-up holds numba's lock
        def find_spec(self, name, path=None, target=None):
            warmup = threading.current_thread().name == "rebalance-focal-warmup"
            if name == "numba" and warmup:
                gate.set()
                time.sleep(0.5)
            return None

    sys.meta_path.insert(0, SlowNumbaImport())
    import rebalance.torch.losses  # starts the warm-up thread
    if not gate.wait(30):
        sys.exit(0)  # no warm-up import of numba: nothing to check
    pid = os.fork()
    if pid == 0:
        # A deadlock exits 1 (the wait covers a cold compile of the kernels).
        faulthandler.dump_traceback_later(60, exit=True)
        import numpy as np
        from rebalance import RandomUnderSampler
        y = np.r_[np.zeros(40, int), np.ones(10, int)]
        RandomUnderSampler(random_state=0).fit_resample(np.zeros((50, 1)), y)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
    """
    out = _run(script, timeout=150)
    assert out.returncode == 0, out.stderr[-2000:]


def _fake_files(monkeypatch, files: dict[str, str]) -> None:
    real_open = open

    def fake_open(path, *args, **kwargs):
        path = os.fspath(path)
        if path in files:
            import io

            return io.StringIO(files[path])
        if path.startswith(("/proc/", "/sys/fs/cgroup")):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    # the readers may live in any module and use open() or pathlib
    import builtins
    import io

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)


GiB = 1 << 30


# cgroup v2 memory.current counts page cache the kernel reclaims on demand: the
# headroom must not count inactive file cache as used (a container whose cache
# filled its limit still has ~6 GiB for a draw here).
def test_cgroup_headroom_ignores_reclaimable_page_cache(monkeypatch):
    _fake_files(
        monkeypatch,
        {
            "/proc/meminfo": "MemTotal: 67108864 kB\nMemAvailable: 33554432 kB\n",
            "/proc/self/cgroup": "0::/\n",
            "/sys/fs/cgroup/memory.max": f"{8 * GiB}\n",
            "/sys/fs/cgroup/memory.current": f"{8 * GiB - (1 << 20)}\n",
            "/sys/fs/cgroup/memory.stat": (
                f"anon {GiB}\nfile {7 * GiB - (1 << 20)}\n"
                f"active_file {GiB}\ninactive_file {6 * GiB - (1 << 20)}\n"
            ),
        },
    )
    assert _indices.available_memory() > 4 * GiB
    # a 1 GiB index draw (2 GiB with its copy) fits
    _indices.check_output_size(GiB // 8, np.dtype(np.int64), "Drawing", "")


# cgroup v2 limit set on an ancestor (Slurm job, systemd slice), leaf "max":
# the nearest ancestor's memory.max must bound the available memory.
def test_cgroup_headroom_reads_ancestor_limit(monkeypatch):
    leaf = "/sys/fs/cgroup/job_1/step_0/task_0"
    _fake_files(
        monkeypatch,
        {
            "/proc/meminfo": "MemTotal: 67108864 kB\nMemAvailable: 33554432 kB\n",
            "/proc/self/cgroup": "0::/job_1/step_0/task_0\n",
            f"{leaf}/memory.max": "max\n",
            f"{leaf}/memory.current": f"{GiB // 2}\n",
            "/sys/fs/cgroup/job_1/step_0/memory.max": "max\n",
            "/sys/fs/cgroup/job_1/step_0/memory.current": f"{GiB // 2}\n",
            "/sys/fs/cgroup/job_1/memory.max": f"{2 * GiB}\n",
            "/sys/fs/cgroup/job_1/memory.current": f"{GiB}\n",
        },
    )
    assert _indices.available_memory() <= GiB


# A CPU quota of one CPU (docker --cpus=1, a Kubernetes CPU limit) with 8 CPUs
# in the affinity mask: the default thread count must follow the quota.
def test_default_threads_follow_cgroup_cpu_quota(monkeypatch):
    monkeypatch.delenv("REBALANCE_NUM_THREADS", raising=False)
    eight = set(range(8))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: eight, raising=False)
    _fake_files(
        monkeypatch,
        {
            "/proc/self/cgroup": "0::/\n",
            "/sys/fs/cgroup/cpu.max": "100000 100000\n",
        },
    )
    assert _indices.n_threads() == 1
