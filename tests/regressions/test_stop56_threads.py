"""Stop 56 (review 130 diff37): a sampler's call stores its fitted
attributes whole, also those whose value equals the state it started from.
Storing only what differed from that state mixed two threads' calls: a
call on 3 columns, started when the sampler held ``n_features_in_ = 3``,
did not store its 3 (the same object), so the 5 of a call that ended
meanwhile stayed next to the first call's ``sampling_strategy_``."""

import threading

import numpy as np

from rebalance import RandomUnderSampler


def test_threads_leave_one_calls_attributes_even_when_unchanged():
    rng = np.random.default_rng(0)
    X3, y3 = rng.normal(size=(40, 3)), np.array([0] * 30 + [1] * 10)
    X5, y5 = rng.normal(size=(60, 5)), np.array([0] * 40 + [1] * 20)
    started, other_done = threading.Event(), threading.Event()

    def strategy(y):
        if threading.current_thread().name == "first":
            started.set()
            other_done.wait(10)
        counts = np.bincount(y)
        return {0: int(counts[1])}

    sampler = RandomUnderSampler(sampling_strategy=strategy, random_state=0)
    sampler.fit(X3, y3)  # n_features_in_ = 3 before both calls
    first = threading.Thread(target=sampler.fit, args=(X3, y3), name="first")
    first.start()
    assert started.wait(10)
    sampler.fit(X5, y5)  # ends while the first call waits
    other_done.set()
    first.join(10)
    # The first call ended last: its attributes, all of them.
    assert sampler.sampling_strategy_ == {0: 10}
    assert sampler.n_features_in_ == 3
