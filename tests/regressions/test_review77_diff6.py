"""Review 77 (diff6): the checks added by ea1d857.

Routed pandas fit parameters paired by index in ``ResampledClassifier`` /
``ThresholdMover``, and ``_EpochSampler._warn_read_ahead`` with a plain
``DataLoader`` whose workers read ahead.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import RandomOverSampler, ResampledClassifier, ThresholdMover


class _Recorder(ClassifierMixin, BaseEstimator):
    """A classifier taking per-row ``groups`` and a per-class ``prior``."""

    def fit(self, X, y, groups=None, prior=None):
        self.classes_ = np.unique(y)
        self.groups_ = groups
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


def _data():
    X = pd.DataFrame({"a": np.arange(12.0)}).sample(frac=1, random_state=0)
    y = pd.Series([0, 1, 0, 0] * 3, index=X.index)
    groups = pd.Series(np.arange(12) % 3, index=X.index)
    return X, y, groups


@pytest.mark.parametrize("kind", ["threshold", "resampled"])
def test_paired_groups_after_set_output_not_refused(kind):
    # X reaches the meta-estimator with a transformer's fresh index, y and
    # groups keep the shuffled 0..n-1 index of the user's frame: paired.
    X, y, groups = _data()
    est = (
        ThresholdMover(_Recorder())
        if kind == "threshold"
        else ResampledClassifier(RandomOverSampler(random_state=0), _Recorder())
    )
    pipe = make_pipeline(StandardScaler(), est).set_output(transform="pandas")
    name = type(est).__name__.lower()
    pipe.fit(X.to_numpy(), y, **{f"{name}__groups": groups})


def test_reordered_groups_refused_and_per_class_param_not():
    X, y, groups = _data()
    with pytest.raises(ValueError, match="groups holds the index of X"):
        ThresholdMover(_Recorder()).fit(X, y, groups=groups[::-1])
    prior = pd.Series([0.3, 0.7], index=[1, 0])  # per class, not per row
    ResampledClassifier(RandomOverSampler(random_state=0), _Recorder()).fit(
        X, y, prior=prior
    )


def _epoch(labels, epoch):
    from rebalance.torch import RebalanceSampler

    sampler = RebalanceSampler(labels, seed=1)
    sampler.set_epoch(epoch)
    return list(sampler)


def _saved_with_workers(batches):
    """State saved after the loop received ``batches`` batches of 4 from a
    1-worker DataLoader, the warning it gave, and the items consumed."""
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = np.array([0] * 12 + [1] * 12)
    sampler = RebalanceSampler(labels, seed=1)
    sampler.set_epoch(0)
    loader = torch.utils.data.DataLoader(
        list(range(24)), batch_size=4, sampler=sampler, num_workers=1
    )
    iterator = iter(loader)
    consumed = [i for _ in range(batches) for i in next(iterator).tolist()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = sampler.state_dict()
    del iterator
    return labels, state, caught, consumed


def test_hand_corrected_position_mid_epoch_resumes_exactly():
    from rebalance.torch import RebalanceSampler

    labels, state, caught, consumed = _saved_with_workers(2)
    assert any("not received" in str(w.message) for w in caught)
    restored = RebalanceSampler(labels, seed=1)
    restored.load_state_dict({**state, "position": len(consumed)})
    restored.set_epoch(0)
    assert consumed + list(restored) == _epoch(labels, 0)


def test_hand_corrected_position_after_run_out_in_flight():
    from rebalance.torch import RebalanceSampler

    # 5 of 6 batches received; the sampler ran out in the workers' prefetch.
    labels, state, caught, consumed = _saved_with_workers(5)
    assert any("not received" in str(w.message) for w in caught)
    restored = RebalanceSampler(labels, seed=1)
    restored.load_state_dict({**state, "position": len(consumed)})
    restored.set_epoch(0)
    assert consumed + list(restored) == _epoch(labels, 0)


def test_hard_example_ran_out_in_flight_resumes_its_own_pool():
    # Review 77: the epoch ran out inside a DataLoader's read-ahead while the
    # loop's update() calls changed the pool: the saved state is that epoch's
    # end, with the pool that epoch replays from, so a position set to the
    # items consumed resumes the same rows.
    torch = pytest.importorskip("torch")
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    labels = np.array([0] * 12 + [1] * 12)
    ids = torch.arange(24)

    def build():
        sampler = HardExampleSampler(
            RebalanceSampler(labels, seed=1), pool_size=4, replay_ratio=0.5
        )
        sampler.update(ids, torch.linspace(0, 1, 24))
        sampler.set_epoch(1)
        return sampler

    expected = list(build())
    sampler = build()
    loader = torch.utils.data.DataLoader(
        list(range(24)), batch_size=4, sampler=sampler, num_workers=1
    )
    iterator = iter(loader)
    consumed = []
    for _ in range(len(loader) - 1):
        batch = next(iterator)
        consumed += batch.tolist()
        sampler.update(batch, torch.ones(len(batch)))  # the pool moves on
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = sampler.state_dict()
    del iterator
    assert any("not received" in str(w.message) for w in caught)
    assert (state["epoch"], state["previous_finished"]) == (1, False)
    restored = build()
    restored.load_state_dict({**state, "position": len(consumed)})
    restored.set_epoch(1)
    assert consumed + list(restored) == expected
