"""Review 37, compose: regression tests (each failed before its fix)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from rebalance import RandomUnderSampler
from rebalance.compose import ResampledClassifier

pl = pytest.importorskip("polars")


class _Grouped(ClassifierMixin, BaseEstimator):
    """A classifier whose fit takes per-row groups (and records them)."""

    def fit(self, X, y, groups=None):
        self.groups_ = groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_lazy_frame_groups_are_refused_not_passed_on_unresampled():
    # Found by the review-37 Dask/polars fuzz: a polars LazyFrame as a
    # per-row parameter has no row count, so it was not taken as one and
    # reached the classifier as it was, not resampled with the rows.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.array([0] * 30 + [1] * 10)
    groups = pl.DataFrame({"g": np.arange(40) % 4}).lazy()
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Grouped())
    with pytest.raises(TypeError, match=r"groups is a lazy LazyFrame.*collect"):
        model.fit(X, y, groups=groups)
    # collected, it follows the rows
    model.fit(X, y, groups=groups.collect()["g"])
    idx = model.sampler_.sample_indices_
    assert np.array_equal(
        np.asarray(model.classifier_.groups_), (np.arange(40) % 4)[idx]
    )
