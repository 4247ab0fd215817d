"""Review 71 (threads): the compiled index kernels under threads and forks."""

import concurrent.futures
import os
import threading

import numpy as np
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)

SAMPLERS = [
    RandomUnderSampler(),
    RandomUnderSampler(replacement=True),
    RandomOverSampler(),
    LabelShuffleSampler(),
    ClassBalancedSampler(),
]


def _hold(lock, held: threading.Event, release: threading.Event) -> None:
    with lock:
        held.set()
        release.wait(5)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_waits_for_a_kernel_import_or_compilation_in_another_thread():
    # A fork while another thread held numba's compiler lock (compiling or
    # loading a kernel from the disk cache, ~0.1-10 s on a first draw) or
    # imported the kernels gave a child whose first draw hung forever on a
    # copy of the lock held by a thread that is not there.
    _indices._kernels()
    from numba.core.compiler_lock import global_compiler_lock

    for lock in (global_compiler_lock, _indices._KERNELS_LOCK):
        held, release = threading.Event(), threading.Event()
        thread = threading.Thread(target=_hold, args=(lock, held, release))
        thread.start()
        assert held.wait(5)
        # The fork waits for the holder: let it finish shortly.
        threading.Timer(0.2, release.set).start()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            inner = getattr(lock, "_lock", lock)
            os._exit(0 if inner.acquire(timeout=2) else 1)
        _, status = os.waitpid(pid, 0)
        release.set()
        thread.join()
        assert os.waitstatus_to_exitcode(status) == 0


def test_threaded_draws_match_single_threaded_ones(monkeypatch):
    # Small draws split between 3 threads (as draws above 2**20 rows are),
    # run from 4 Python threads at once with one sampler object each and one
    # shared: the same indices as one thread, for the same random_state.
    rng = np.random.default_rng(0)
    y = rng.choice(4, size=3000, p=[0.6, 0.25, 0.1, 0.05])
    X = np.arange(y.shape[0], dtype=np.float64).reshape(-1, 1)

    def draw(sampler, seed):
        Xr, yr = sampler.set_params(random_state=seed).fit_resample(X, y)
        return Xr[:, 0].copy(), yr

    # Blocks and buckets small enough that these draws take the paths of
    # large ones (the output depends on them, not on the thread count).
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 100)
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 64)
    monkeypatch.setattr(_indices, "RANK_BLOCK", 128)
    expected = {}
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "1")
    for i, sampler in enumerate(SAMPLERS):
        expected[i] = draw(sampler, 5)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "3")

    def task(i):
        return draw(
            SAMPLERS[i % len(SAMPLERS)].__class__(
                **SAMPLERS[i % len(SAMPLERS)].get_params()
            ),
            5,
        )

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(task, range(2 * len(SAMPLERS))))
    for i, (Xr, yr) in enumerate(got):
        want = expected[i % len(SAMPLERS)]
        np.testing.assert_array_equal(Xr, want[0])
        np.testing.assert_array_equal(yr, want[1])
        np.testing.assert_array_equal(y[Xr.astype(np.intp)], yr)
    shared = RandomOverSampler(random_state=5)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: shared.fit_resample(X, y), range(4)))
    for Xr, yr in results:
        np.testing.assert_array_equal(Xr[:, 0], expected[2][0])
        np.testing.assert_array_equal(yr, expected[2][1])
