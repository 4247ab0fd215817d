"""Review 63: sample_weight and other metadata routed through ResampledClassifier
inside scikit-learn and imbalanced-learn composites, routing on and off."""

import pickle

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImblearnUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import BaggingClassifier, StackingClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    GroupKFold,
    cross_validate,
)
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

N = 60


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def no_routing():
    with sklearn.config_context(enable_metadata_routing=False):
        yield


class Recorder(ClassifierMixin, BaseEstimator):
    """Records the rows (column 0 holds the row id), weights and ``foo`` of
    its fit."""

    def __init__(self, tag="member"):
        self.tag = tag

    def fit(self, X, y, sample_weight=None, foo=None):
        self.ids_ = np.asarray(X, dtype=float)[:, 0].astype(int)
        self.y_ = np.asarray(y)
        self.sw_ = None if sample_weight is None else np.asarray(sample_weight)
        self.foo_ = None if foo is None else np.asarray(foo)
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))

    def predict(self, X):
        return self.classes_[np.zeros(len(X), dtype=int)]


def _data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 45 + [1] * 15)
    X = np.c_[np.arange(N), rng.normal(size=(N, 2))]
    w = rng.integers(1, 5, size=N) + rng.random(N)
    foo = np.arange(N) * 10 + 7
    return X, y, w, foo


def _weighted_priors(recorder):
    sw = recorder.sw_
    return np.array([sw[recorder.y_ == c].sum() for c in (0, 1)]) / sw.sum()


def _under():
    return RandomUnderSampler(random_state=0, sampling_strategy=0.5)


def _assert_resampled(recorder, w, foo=None):
    np.testing.assert_allclose(recorder.sw_, w[recorder.ids_])
    if foo is not None:
        np.testing.assert_array_equal(recorder.foo_, foo[recorder.ids_])


# ------------------------------------------------- resampled_priors_ weights


# bug: with routing on, weights the classifier's final model requests under an
# alias through a OneVsRestClassifier, OneVsOneClassifier,
# FixedThresholdClassifier or ThresholdMover were not seen: resampled_priors_
# were the unweighted priors of the draw, silently (read by ThresholdMover to
# move the probabilities)
@pytest.mark.parametrize(
    "wrap",
    [
        OneVsRestClassifier,
        OneVsOneClassifier,
        FixedThresholdClassifier,
        lambda est: ThresholdMover(est, "fixed", threshold=0.5),
        lambda est: make_pipeline(FunctionTransformer(), OneVsRestClassifier(est)),
    ],
    ids=["ovr", "ovo", "fixed-threshold", "threshold-mover", "pipeline-ovr"],
)
def test_priors_follow_alias_weights_through_wrappers(routing, wrap):
    X, y, w, _ = _data()
    model = ResampledClassifier(
        _under(), wrap(Recorder().set_fit_request(sample_weight="w2"))
    ).fit(X, y, w2=w)
    indices = model.sampler_.sample_indices_
    y_res, w_res = y[indices], w[indices]
    hand = np.array([w_res[y_res == c].sum() for c in (0, 1)]) / w_res.sum()
    np.testing.assert_allclose(model.resampled_priors_, hand)
    assert not np.allclose(hand, np.bincount(y_res) / len(y_res))


def test_priors_follow_alias_weights_with_a_real_classifier(routing):
    X, y, w, _ = _data()
    lr = LogisticRegression().set_fit_request(sample_weight="w2")
    model = ResampledClassifier(_under(), OneVsRestClassifier(lr)).fit(X, y, w2=w)
    indices = model.sampler_.sample_indices_
    y_res, w_res = y[indices], w[indices]
    hand = np.array([w_res[y_res == c].sum() for c in (0, 1)]) / w_res.sum()
    np.testing.assert_allclose(model.resampled_priors_, hand)


# bug: alias weights of another length through a OneVsRestClassifier were
# not checked before the sampler (its estimator's own error after the draw)
def test_alias_weights_wrong_length_through_one_vs_rest_named(routing):
    X, y, w, _ = _data()
    model = ResampledClassifier(
        _under(),
        OneVsRestClassifier(LogisticRegression().set_fit_request(sample_weight="w2")),
    )
    with pytest.raises(ValueError, match=r"fit parameter w2 .* has 20 values"):
        model.fit(X, y, w2=w[:20])


# bug: sample_weight routed to the sampler only, while the model inside a
# Pipeline or OneVsRestClassifier requests its weights under an alias, was
# silently ignored (the leaf classifier itself raised)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda est: make_pipeline(FunctionTransformer(), est),
        OneVsRestClassifier,
    ],
    ids=["pipeline", "ovr"],
)
def test_weights_to_the_sampler_only_refused_through_routers(routing, wrap):
    X, y, w, _ = _data()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0).set_fit_resample_request(sample_weight=True),
        wrap(Recorder().set_fit_request(sample_weight="w2")),
    )
    with pytest.raises(
        ValueError, match=r"Recorder.fit asks for its sample_weight as 'w2'"
    ):
        model.fit(X, y, sample_weight=w)


# ------------------------------------------- weights reach the final model


def test_weights_and_foo_reach_nested_models_resampled(routing):
    X, y, w, foo = _data()
    recorder = Recorder().set_fit_request(sample_weight=True, foo=True)
    inner = ResampledClassifier(RandomOverSampler(random_state=1), recorder)
    mover = ThresholdMover(ResampledClassifier(_under(), inner))
    mover.set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
    search = GridSearchCV(mover, {"strategy": ["prior"]}, cv=2).fit(
        X, y, sample_weight=w, foo=foo
    )
    final = search.best_estimator_.estimator_.classifier_.classifier_
    _assert_resampled(final, w, foo)


def test_cross_validate_splits_then_resamples_weights_and_groups(routing):
    X, y, w, foo = _data()
    model = ResampledClassifier(
        _under(), Recorder().set_fit_request(sample_weight=True, foo=True)
    ).set_score_request(sample_weight=False)
    result = cross_validate(
        model,
        X,
        y,
        params={"sample_weight": w, "foo": foo, "groups": np.arange(N) % 5},
        cv=GroupKFold(3),
        return_estimator=True,
        return_indices=True,
    )
    for fitted, train in zip(result["estimator"], result["indices"]["train"]):
        _assert_resampled(fitted.classifier_, w, foo)
        assert set(fitted.classifier_.ids_) <= set(train)


@pytest.mark.parametrize("on", [True, False])
def test_bagging_counts_reach_the_classifier_resampled(on):
    X, y, w, _ = _data()
    with sklearn.config_context(enable_metadata_routing=on):
        recorder = Recorder()
        if on:
            recorder.set_fit_request(sample_weight=True)
        bagging = BaggingClassifier(
            ResampledClassifier(_under(), recorder), n_estimators=3, random_state=0
        ).fit(X, y, sample_weight=w)
    for member, drawn in zip(bagging.estimators_, bagging.estimators_samples_):
        counts = np.bincount(drawn, minlength=N).astype(float)
        _assert_resampled(member.classifier_, counts)


def test_stacking_members_get_their_fold_rows_weights(routing):
    X, y, w, foo = _data()
    member = ResampledClassifier(
        _under(), Recorder().set_fit_request(sample_weight=True, foo=True)
    )
    final = Recorder("final").set_fit_request(sample_weight=True)
    stack = StackingClassifier([("a", member)], final_estimator=final, cv=3)
    stack.fit(X, y, sample_weight=w, foo=foo)
    _assert_resampled(stack.estimators_[0].classifier_, w, foo)


# ------------------------------------------------------- requests and errors


def test_unrequested_metadata_raises_sklearns_error(routing):
    X, y, w, foo = _data()
    model = ResampledClassifier(_under(), Recorder())
    with pytest.raises(UnsetMetadataPassedError, match=r"\[foo\].*Recorder\.fit"):
        model.fit(X, y, foo=foo)
    with pytest.raises(UnsetMetadataPassedError, match=r"\[sample_weight\]"):
        model.fit(X, y, sample_weight=w)


def test_requests_survive_clone_and_pickle(routing):
    X, y, w, foo = _data()
    model = ResampledClassifier(
        _under(), Recorder().set_fit_request(sample_weight="w2", foo=True)
    ).set_score_request(sample_weight=True)
    expected = str(model.get_metadata_routing())
    assert "'w2'" in expected and "'foo': True" in expected
    for copy in (clone(model), pickle.loads(pickle.dumps(model))):
        assert str(copy.get_metadata_routing()) == expected
        _assert_resampled(copy.fit(X, y, w2=w, foo=foo).classifier_, w, foo)


def test_imblearn_pipeline_refuses_what_imblearn_passes_unresampled(no_routing):
    X, y, _, foo = _data()
    peer = make_imblearn_pipeline(ImblearnUnderSampler(random_state=0), Recorder())
    peer.fit(X, y, recorder__foo=foo)
    # imbalanced-learn's own sampler: foo reaches the classifier unresampled
    assert len(peer[-1].foo_) == N and len(peer[-1].ids_) < N
    ours = make_imblearn_pipeline(RandomUnderSampler(random_state=0), Recorder())
    with pytest.raises(
        ValueError, match=r"recorder\.fit\(foo=\.\.\.\) \(not resampled\)"
    ):
        ours.fit(X, y, recorder__foo=foo)


def test_compare_hgb_does_not_early_stop_on_over_sampled_copies(monkeypatch):
    # scikit-learn's early_stopping='auto' turns on past 10,000 rows: the
    # over-sampled rows' copies would sit on both sides of its validation
    # split (ResampledClassifier warns of it); compare's HGB never stops early.
    from sklearn.ensemble import HistGradientBoostingClassifier

    import rebalance.compare as compare_module
    from rebalance.compare import compare

    seen = []

    class Recording(HistGradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None):
            seen.append(self.early_stopping)
            return super().fit(X, y, sample_weight=sample_weight)

    monkeypatch.setattr(compare_module, "HistGradientBoostingClassifier", Recording)
    rng = np.random.default_rng(0)
    y = (np.arange(60) % 4 == 0).astype(int)
    X = rng.normal(size=(60, 3)) + y[:, None]
    compare(X, y, model="hgb", folds=2, method_names=["over"], progress=False)
    assert seen == [False, False]
