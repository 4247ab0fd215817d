"""Review 153, diff58: the lead's commit 8b33d7c (rebalance/ part).

Reviewed: ``_tuning.check_split_groups`` now refuses routed ``groups`` of
another length than the rows split (``n_rows(tune_X, tune_y)`` in
``ThresholdMover.fit``), and ``_metadata._length`` reads memoryview /
array.array lengths before ``np.isscalar``.  How: the same cases run against
the old tree (``git archive 270602c``) and the new one, in subprocesses.

No false refusal found: routed groups as a list, a tuple, a pandas Series
with another index, a polars Series, a torch tensor, a known-chunk Dask
array, object strings, a memoryview; X as a sparse
matrix, a list of lists, a precomputed kernel; through cross_validate and
GridSearchCV (group or stratified outer cv) all fit as before.  Without
routing groups never reach the cv (documented), so weights repeated as rows
cannot meet the new length check.  Short groups (any type, memoryview and
array.array included) are now refused naming ``groups``.  ``_length``: a
0-d memoryview, a 2-D memoryview, a memoryview of bytes as long as X passed
as fit params all fit as before; a memoryview / array.array sample_weight is
resampled with the rows by ResampledClassifier and split with the folds.

A 2-D (n, 1) groups column fails in GroupKFold itself ("object too deep"),
as before the commit and as in scikit-learn: left alone.

Bug (pre-existing, but now raised by the new check): groups as a Dask array
with unknown chunk sizes fail with Dask's "Cannot call len()" error, which
names neither ``groups`` nor the fix.
"""

import array

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from rebalance.compose import ResampledClassifier
from rebalance.threshold import ThresholdMover

RNG = np.random.RandomState(0)
X = RNG.randn(60, 3)
Y = np.r_[np.zeros(40, int), np.ones(20, int)]
RNG.shuffle(Y)
GROUPS = np.arange(60) % 6


class _Recorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.sw_ = None if sample_weight is None else np.asarray(sample_weight)
        self.lr_ = LogisticRegression().fit(X, y)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _mover():
    return ThresholdMover(LogisticRegression(), strategy="tuned", cv=GroupKFold(3))


@pytest.mark.parametrize(
    "make",
    [
        list,
        lambda g: pd.Series(g, index=range(100, 160)),
        lambda g: np.array([f"g{v}" for v in g], dtype=object),
        memoryview,
    ],
    ids=["list", "series-other-index", "strings", "memoryview"],
)
def test_routed_groups_of_every_row_still_fit(routing, make):
    _mover().fit(X, Y, groups=make(GROUPS))


@pytest.mark.parametrize(
    "make", [memoryview, lambda g: array.array("l", g)], ids=["mv", "array"]
)
def test_short_buffer_groups_refused_naming_groups(routing, make):
    with pytest.raises(ValueError, match="groups has 50 values, but X has 60"):
        _mover().fit(X, Y, groups=make(GROUPS[:50]))


def test_dask_groups_unknown_chunks_fit_or_named(routing):
    da = pytest.importorskip("dask.array")
    groups = da.from_array(GROUPS, chunks=20)
    groups = groups[groups >= 0]  # unknown chunk sizes
    try:
        _mover().fit(X, Y, groups=groups)
    except ValueError as error:
        assert "groups" in str(error)


def test_memoryview_weight_resampled_with_rows():
    weight = np.arange(60, dtype=float) + 1
    model = ResampledClassifier(RandomUnderSampler(random_state=0), _Recorder())
    model.fit(X, Y, sample_weight=memoryview(weight))
    np.testing.assert_array_equal(
        model.classifier_.sw_, weight[model.sampler_.sample_indices_]
    )


def test_memoryview_weight_tuned_with_routing(routing):
    weight = np.arange(60, dtype=float) + 1
    est = _Recorder().set_fit_request(sample_weight=True)
    mover = ThresholdMover(est, strategy="tuned").fit(
        X, Y, sample_weight=memoryview(weight)
    )
    np.testing.assert_array_equal(mover.estimator_.sw_, weight)
    with pytest.raises(ValueError, match="sample_weight"):
        ThresholdMover(est, strategy="tuned").fit(
            X, Y, sample_weight=memoryview(weight[:40])
        )
