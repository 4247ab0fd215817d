"""Review: rebalance under threads and several processes.

Each test reproduces one bug. The races are made deterministic by holding one
thread at a fixed point (a barrier or an event) while another runs, the
interleaving that a thread switch, or a kernel that releases the GIL, makes
happen now and then in real use.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import rebalance as rb

# --- RandomOverSampler(shrinkage=...) shared between threads -------------------


class _PausingGenerator(np.random.Generator):
    """A Generator that, in the thread that armed it, stops at its first
    ``integers`` call (the start of the index draw) until told to go on."""

    def __init__(self, seed: int):
        super().__init__(np.random.PCG64(seed))
        self.armed = threading.local()
        self.paused = threading.Event()
        self.resume = threading.Event()

    def integers(self, *args, **kwargs):
        if getattr(self.armed, "on", False):
            self.armed.on = False
            self.paused.set()
            assert self.resume.wait(20), "the other fit_resample never finished"
        return super().integers(*args, **kwargs)


def _noisy_rows(X_in: np.ndarray, X_out: np.ndarray) -> int:
    """Rows of ``X_out`` that are not a copy of a row of ``X_in``."""
    return int((~np.isin(X_out[:, 0], X_in[:, 0])).sum())


def test_shrinkage_of_one_thread_is_not_used_by_another():
    # fit_resample keeps everything it draws in locals, except the smoothed
    # bootstrap's factors: _check_inputs stores them in self.shrinkage_ and
    # _gather_features reads them back after the index draw (a numba kernel
    # that releases the GIL). Two threads resampling different data sets with
    # one sampler: the first one's added rows get the noise of the classes
    # the *other* y over-samples, here none of its own, so its "smoothed
    # bootstrap" silently returns plain copies. (In a ThreadPoolExecutor of
    # 40 calls on 50k rows about one call in ten came back without noise.)
    rng = np.random.default_rng(0)
    X1 = rng.normal(size=(40, 2))
    y1 = np.array([0] * 30 + [1] * 10)  # class 1 is over-sampled: 20 added rows
    X2 = rng.normal(size=(40, 2))
    y2 = np.array([0] * 10 + [1] * 30)  # class 0 is over-sampled
    generator = _PausingGenerator(0)
    sampler = rb.RandomOverSampler(shrinkage=1.0, random_state=generator)

    results = {}

    def first():
        generator.armed.on = True
        results["first"] = sampler.fit_resample(X1, y1)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert generator.paused.wait(20)
        # The first call is drawing; a second one runs from start to end.
        X2_res, _ = sampler.fit_resample(X2, y2)
    finally:
        generator.resume.set()
        thread.join(30)
    assert _noisy_rows(X2, X2_res) == 20
    X1_res, y1_res = results["first"]
    assert np.bincount(y1_res).tolist() == [30, 30]
    # Every added row of the first call must carry its smoothing noise.
    assert _noisy_rows(X1, X1_res) == 20


# --- compare(model="mlp") fits in threads ---------------------------------------


def test_mlp_fits_in_two_threads_give_the_serial_networks():
    # TorchMLPClassifier (compare(model="mlp"), run by joblib's threading
    # backend with n_jobs=2) seeds torch's process-wide RNG with
    # torch.manual_seed inside torch.random.fork_rng. fork_rng only saves and
    # restores that one global state: it gives a thread no RNG of its own
    # (the code's comment says it does). Two fits whose network set-ups
    # overlap draw their initial weights from one stream seeded by whichever
    # thread came last, so a seeded fit gives other weights than alone.
    torch = pytest.importorskip("torch")
    from rebalance.torch._compare_model import TorchMLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    y = np.array([0, 1] * 20)

    def fit(seed):
        model = TorchMLPClassifier(epochs=1, random_state=seed).fit(X, y)
        return model.decision_function(X)

    serial = {seed: fit(seed) for seed in (0, 1)}

    original = torch.nn.Linear.reset_parameters
    barrier = threading.Barrier(2, timeout=20)
    seen = threading.local()

    def reset_parameters(self):
        # Both threads have seeded and are building their first layer.
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return original(self)

    threaded = {}
    torch.nn.Linear.reset_parameters = reset_parameters
    try:
        threads = [
            threading.Thread(target=lambda s=s: threaded.__setitem__(s, fit(s)))
            for s in (0, 1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        torch.nn.Linear.reset_parameters = original
    for seed in (0, 1):
        np.testing.assert_array_equal(threaded[seed], serial[seed])
