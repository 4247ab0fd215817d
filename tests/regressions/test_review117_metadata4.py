"""Review 117 metadata4: a white-box audit of ``rebalance/_metadata.py`` and of
how ``ResampledClassifier`` and ``ThresholdMover`` route metadata with
scikit-learn's metadata routing on (reset after each test) and off: custom
metadata that is or is not one value per row, aliases, metadata requested by
nobody, nested ThresholdMover(ResampledClassifier) inside ``cross_validate``
and the shape of ``get_metadata_routing()``; the existing routing pins cover
sample_weight/groups, so these go for the combinations they miss.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import Pipeline

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

_RNG = np.random.default_rng(0)
N = 60
Y = (_RNG.random(N) < 0.3).astype(int)
X = np.c_[np.arange(N), _RNG.normal(size=N)]
W = _RNG.uniform(0.5, 2.0, N)
G = np.arange(N) % 4


class Spy(ClassifierMixin, BaseEstimator):
    """Records the rows (column 0 holds the row number) and the metadata."""

    def fit(self, X, y, sample_weight=None, foo=None, groups=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.sw_, self.foo_, self.g_ = sample_weight, foo, groups
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        s = 1 / (1 + np.exp(-np.asarray(X, dtype=float)[:, 1]))
        return np.c_[1 - s, s]

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


@pytest.fixture
def routing():
    sklearn.set_config(enable_metadata_routing=True)
    try:
        yield
    finally:
        sklearn.set_config(enable_metadata_routing=False)


def _resampled(**request):
    return ResampledClassifier(
        RandomUnderSampler(random_state=0), Spy().set_fit_request(**request)
    )


@pytest.mark.parametrize("foo", [{"a": 1}, 3.0, "text", np.arange(5), [1, 2]], ids=repr)
def test_metadata_not_per_row_reaches_the_classifier_as_given(routing, foo):
    clf = _resampled(foo=True).fit(X, Y, foo=foo)
    assert clf.classifier_.foo_ is foo


@pytest.mark.parametrize(
    "foo",
    [list(range(N)), pd.Series(np.arange(N), index=np.arange(N) + 100)],
    ids=["list", "series_offset_index"],
)
def test_per_row_metadata_follows_the_resampled_rows(routing, foo):
    fitted = _resampled(foo=True).fit(X, Y, foo=foo).classifier_
    assert len(fitted.rows_) < N
    np.testing.assert_array_equal(np.asarray(fitted.foo_), fitted.rows_)


@pytest.mark.parametrize("name", ["foo", "sample_weight", "groups"])
def test_metadata_requested_by_nobody_raises(routing, name):
    clf = ResampledClassifier(RandomOverSampler(random_state=0), Spy())
    with pytest.raises(UnsetMetadataPassedError, match=name):
        clf.fit(X, Y, **{name: W})
    with pytest.raises(UnsetMetadataPassedError, match="foo"):
        ThresholdMover(Spy(), strategy="tuned", cv=3).fit(X, Y, foo=W)


def test_sampler_and_classifier_both_get_sample_weight(routing):
    clf = ResampledClassifier(
        RandomOverSampler(random_state=0).set_fit_resample_request(sample_weight=True),
        Spy().set_fit_request(sample_weight=True),
    ).fit(X, Y, sample_weight=W)
    fitted = clf.classifier_
    assert len(fitted.rows_) > N
    np.testing.assert_allclose(fitted.sw_, W[fitted.rows_])


def test_routing_shape_matches_a_meta_estimator(routing):
    clf = ResampledClassifier(
        RandomOverSampler(), Spy().set_fit_request(sample_weight=True)
    )
    routes = clf.get_metadata_routing()._serialize()
    assert set(routes) == {"$self_request", "sampler", "classifier"}
    assert routes["sampler"]["mapping"] == [{"caller": "fit", "callee": "fit_resample"}]
    assert routes["classifier"]["mapping"] == [{"caller": "fit", "callee": "fit"}]
    assert routes["classifier"]["router"]["fit"]["sample_weight"] is True


@pytest.mark.parametrize(
    "foo", [{"a": 1}, np.arange(5), list(range(N))], ids=["dict", "short", "rows"]
)
def test_threshold_mover_splits_only_per_row_metadata(routing, foo):
    mover = ThresholdMover(Spy().set_fit_request(foo=True), strategy="tuned", cv=3)
    fitted = mover.fit(X, Y, foo=foo).estimator_
    if isinstance(foo, list):
        np.testing.assert_array_equal(np.asarray(fitted.foo_), fitted.rows_)
    else:
        assert fitted.foo_ is foo


def test_nested_alias_weights_and_groups_through_threshold_mover(routing):
    inner = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        Spy().set_fit_request(sample_weight="w", groups=True),
    )
    mover = ThresholdMover(inner, strategy="tuned", cv=GroupKFold(3))
    fitted = mover.fit(X, Y, w=W, groups=G).estimator_.classifier_
    np.testing.assert_allclose(fitted.sw_, W[fitted.rows_])
    np.testing.assert_array_equal(fitted.g_, G[fitted.rows_])
    routes = mover.get_metadata_routing()._serialize()
    assert routes["splitter"]["router"]["split"] == {"groups": True}


def test_cross_validate_params_through_pipeline_threshold_resampled(routing):
    inner = _resampled(foo=True)
    pipe = Pipeline([("tm", ThresholdMover(inner, strategy="tuned", cv=3))])
    out = cross_validate(
        pipe, X, Y, params={"foo": np.arange(N)}, cv=3, return_estimator=True
    )
    for est in out["estimator"]:
        fitted = est[-1].estimator_.classifier_
        np.testing.assert_array_equal(fitted.foo_, fitted.rows_)


def test_routing_off_passes_fit_params_unchanged_and_resampled():
    clf = ResampledClassifier(RandomUnderSampler(random_state=0), Spy())
    fitted = clf.fit(X, Y, foo={"a": 1}, sample_weight=W).classifier_
    assert fitted.foo_ == {"a": 1}
    np.testing.assert_allclose(fitted.sw_, W[fitted.rows_])
    mover = ThresholdMover(Spy(), strategy="tuned", cv=3)
    fitted = mover.fit(X, Y, foo=list(range(N))).estimator_
    np.testing.assert_array_equal(np.asarray(fitted.foo_), fitted.rows_)
