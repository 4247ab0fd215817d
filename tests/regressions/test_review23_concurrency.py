"""Review 23, concurrency and the compiled kernels' runtime: numba's disk
cache when its files are corrupt or cannot be written, NUMBA_NUM_THREADS
values numba refuses, and draws from several threads at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import rebalance
from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _gather,
    _indices,
)

# rebalance/_kernels.py loaded on its own (no ``import rebalance``, which
# imports scikit-learn): each subprocess starts in about a second.
_KERNELS = str(Path(rebalance.__file__).parent / "_kernels.py")
_LOAD_KERNELS = f"""
import importlib.util
spec = importlib.util.spec_from_file_location("review23_kernels", {_KERNELS!r})
kernels = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kernels)
"""

_MODULE = (
    _LOAD_KERNELS
    + """
@kernels.numba_jit()
def scaled_sum(values, weight):
    total = 0.0
    for v in values:
        total += v * weight
    return total

@kernels.numba_jit()
def shifted_sum(values, shift):
    total = 0.0
    for v in values:
        total += v + shift
    return total
"""
)

_CALL = """
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import review23_cached_kernel as m
print(m.scaled_sum(np.arange(10.0), 2.0), m.shifted_sum(np.arange(10.0), 1.0))
"""
_EXPECTED = ["90.0", "55.0"]


def _run(script: str, *args: str, env: dict | None = None):
    full_env = dict(os.environ)
    for name in ("NUMBA_DISABLE_JIT", "NUMBA_NUM_THREADS", "NUMBA_DEBUG_CACHE"):
        full_env.pop(name, None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cache_files(cache: str, suffix: str) -> list[str]:
    found = []
    for folder, _, files in os.walk(cache):
        found += [os.path.join(folder, f) for f in files if f.endswith(suffix)]
    return found


# A truncated or corrupt cache file (a crash or a full disk while numba wrote
# it) made every later process fail the first draw with "EOFError: Ran out of
# input" or "UnpicklingError" from numba's cache (numba issue #10434): the
# entry is compiled again instead, and the cache rewritten.
@pytest.mark.slow
def test_corrupt_numba_cache_files_are_compiled_again(tmp_path):
    (tmp_path / "review23_cached_kernel.py").write_text(_MODULE)
    cache = str(tmp_path / "cache")
    env = {"NUMBA_CACHE_DIR": cache}
    first = _run(_CALL, str(tmp_path), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout.split() == _EXPECTED
    data, index = _cache_files(cache, ".nbc"), _cache_files(cache, ".nbi")
    scaled = [p for p in data + index if "scaled_sum" in os.path.basename(p)]
    shifted = [p for p in data + index if "shifted_sum" in os.path.basename(p)]
    assert len(scaled) == len(shifted) == 2
    for path in scaled:
        if path.endswith(".nbc"):  # a valid index pointing at empty data
            open(path, "wb").close()
    for path in shifted:
        if path.endswith(".nbi"):  # a truncated index
            with open(path, "r+b") as f:
                f.truncate(5)
    second = _run(_CALL, str(tmp_path), env=env)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stdout.split() == _EXPECTED
    # Rewritten: the next process loads both functions from the cache.
    third = _run(_CALL, str(tmp_path), env={**env, "NUMBA_DEBUG_CACHE": "1"})
    assert third.returncode == 0, third.stderr[-2000:]
    assert third.stdout.split()[-2:] == _EXPECTED
    assert third.stdout.count("data loaded") == 2, third.stdout


# A cache directory that accepted the locator's check but fails the write (a
# full disk, made read-only since) failed the call that had just compiled.
@pytest.mark.slow
def test_numba_cache_write_errors_do_not_fail_the_call(tmp_path):
    (tmp_path / "review23_cached_kernel.py").write_text(_MODULE)
    script = textwrap.dedent("""
    import errno
    import numba.core.caching as caching

    def full(self, *args):
        raise OSError(errno.ENOSPC, "No space left on device")

    caching.IndexDataCacheFile._save_data = full
    caching.IndexDataCacheFile._save_index = full
    """) + textwrap.dedent(_CALL)
    out = _run(script, str(tmp_path), env={"NUMBA_CACHE_DIR": str(tmp_path / "c")})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == _EXPECTED


# numba refuses NUMBA_NUM_THREADS=0 (or negative) on import with "Number of
# threads specified must be > 0.", naming neither the variable nor the fix.
@pytest.mark.parametrize("value", ["0"])
def test_numba_num_threads_numba_refuses_is_named(value):
    script = (
        "try:\n"
        + textwrap.indent(_LOAD_KERNELS, "    ")
        + "except ValueError as exc:\n    print(exc)\n"
    )
    out = _run(script, env={"NUMBA_NUM_THREADS": value})
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"NUMBA_NUM_THREADS={value!r}" in out.stdout
    assert "positive integer" in out.stdout


# Several threads resampling shared inputs at once, with the threaded draw
# and gather paths forced on small inputs: every result is the serial one.
@pytest.mark.parametrize("threads", ["1", "3"])
def test_concurrent_fit_resample_gives_the_serial_results(threads, monkeypatch):
    monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 64)
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 256)
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 256)
    rng = np.random.default_rng(0)
    n = 6000
    y = (rng.random(n) < 0.15).astype(np.int64)
    X = rng.random((n, 3))
    inputs = [X, X[:, 0].copy(), sp.csr_matrix(X)]
    samplers = [
        RandomOverSampler,
        RandomUnderSampler,
        ClassBalancedSampler,
        LabelShuffleSampler,
    ]
    jobs = [(s, i, seed) for s in samplers for i in range(3) for seed in (0, 1)]

    def run(job):
        sampler, i, seed = job
        data = inputs[i] if i != 1 else inputs[i].reshape(-1, 1)
        X_res, y_res = sampler(random_state=seed).fit_resample(data, y)
        return X_res, y_res

    serial = [run(job) for job in jobs]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(run, jobs * 2))
    for k, (X_res, y_res) in enumerate(parallel):
        X_ref, y_ref = serial[k % len(jobs)]
        if sp.issparse(X_ref):
            assert (X_res != X_ref).nnz == 0
        else:
            np.testing.assert_array_equal(X_res, X_ref)
        np.testing.assert_array_equal(y_res, y_ref)
