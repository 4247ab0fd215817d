"""Review 78 (mutation): tests killing mutants of the checks added in review 77.

Mutation testing of ``git diff d702baf HEAD -- rebalance/`` left these
behaviours unpinned: routed ``groups`` paired against a pandas y when X has no
index, ``within_noise`` at p == alpha and its message for a bool alpha,
``HardExampleSampler``'s empty-pool warning (when it is due, and only once),
the read-ahead warning's batch count, and a sampler copy after a
``DataLoader`` epoch ran out.
"""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from rebalance import RandomOverSampler, ResampledClassifier, ThresholdMover


class _Grouped(ClassifierMixin, BaseEstimator):
    """A classifier taking per-row ``groups``."""

    def fit(self, X, y, groups=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


@pytest.mark.parametrize("kind", ["threshold", "resampled"])
def test_groups_reordered_against_y_refused_with_numpy_X(kind):
    # X has no index to compare with: groups holding y's index in another
    # order would go with other rows, silently.
    X = np.arange(16.0).reshape(8, 2)
    y = pd.Series([0, 1, 0, 0] * 2, index=np.arange(8) + 10)
    groups = pd.Series(np.arange(8) % 3, index=y.index[::-1])
    est = (
        ThresholdMover(_Grouped())
        if kind == "threshold"
        else ResampledClassifier(RandomOverSampler(random_state=0), _Grouped())
    )
    with pytest.raises(ValueError, match="groups holds the index of y"):
        est.fit(X, y, groups=groups)
    est.fit(X, y, groups=groups.sort_index())  # paired: accepted


LABELS = np.array([0] * 6 + [1] * 6)


def _hard(replay_ratio=0.5):
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    return HardExampleSampler(
        RebalanceSampler(LABELS, seed=1), pool_size=4, replay_ratio=replay_ratio
    )


def _pool_warnings(sampler, epochs):
    """The empty-pool warnings drawing ``epochs`` one after another gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in epochs:
            sampler.set_epoch(epoch)
            list(sampler)
    return [w for w in caught if "empty pool" in str(w.message)]


def test_empty_pool_warns_at_a_later_epoch_and_only_once():
    pytest.importorskip("torch")
    sampler = _hard()
    assert _pool_warnings(sampler, [0]) == []  # nothing to replay yet
    assert len(_pool_warnings(sampler, [2])) == 1
    assert _pool_warnings(sampler, [3, 4]) == []  # once per sampler


def test_empty_pool_not_warned_without_replay():
    pytest.importorskip("torch")
    assert _pool_warnings(_hard(replay_ratio=0.0), [2, 3]) == []


def test_empty_pool_restored_on_purpose_not_warned():
    pytest.importorskip("torch")
    sampler = _hard()
    sampler.load_state_dict(sampler.state_dict())  # an empty pool, restored
    assert _pool_warnings(sampler, [2]) == []


def test_sampler_pickles_after_loader_epoch_ran_out():
    # The sampler keeps a weak reference to the loader iterator that ran its
    # last epoch out: a copy (pickle, torch.save) must not carry it.
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    sampler = RebalanceSampler(LABELS, seed=1)
    loader = torch.utils.data.DataLoader(list(range(12)), batch_size=4, sampler=sampler)
    items = [i for batch in loader for i in batch.tolist()]
    copy = pickle.loads(pickle.dumps(sampler))
    assert copy.state_dict() == sampler.state_dict()
    sampler.set_epoch(1)
    copy.set_epoch(1)
    assert list(copy) == list(sampler)
    assert len(items) == 12


def _comparison():
    from rebalance.compare import ComparisonResult

    rng = np.random.default_rng(0)
    scores = {
        m: {"average_precision": rng.uniform(0.5, 0.6, 5)} for m in ("a", "b", "c")
    }
    return ComparisonResult(y=np.array([0, 1] * 10), scores=scores)


def test_within_noise_keeps_a_p_value_equal_to_alpha():
    # "those whose p_vs_best is at least alpha": the boundary is kept.
    result = _comparison()
    levels = {m: p for m, p in result.p_vs_best().items() if p is not None}
    assert levels and all(0 < p < 1 for p in levels.values())
    for method, p in levels.items():
        assert method in result.within_noise(alpha=p)


@pytest.mark.parametrize("alpha", [True, False])
def test_within_noise_names_a_bool_alpha(alpha):
    with pytest.raises(ValueError, match=rf"got {alpha} \(bool\)"):
        _comparison().within_noise(alpha=alpha)


def test_read_ahead_warning_counts_the_batches_the_position_overcounts():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    sampler = RebalanceSampler(np.array([0] * 12 + [1] * 12), seed=1)
    loader = torch.utils.data.DataLoader(
        list(range(24)), batch_size=4, sampler=sampler, num_workers=1
    )
    iterator = iter(loader)
    consumed = [i for _ in range(2) for i in next(iterator).tolist()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = sampler.state_dict()
    del iterator
    (ahead,) = [
        int(m.group(1))
        for w in caught
        if (m := re.search(r"were sent (\d+) batch\(es\)", str(w.message)))
    ]
    assert ahead > 0
    assert state["position"] - len(consumed) == ahead * 4
