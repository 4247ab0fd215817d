"""Review 96 route: rebalance estimators inside scikit-learn / imbalanced-learn
meta-estimators, with metadata routing on and off.

The spy classifiers below record the rows, labels, ``sample_weight`` and
``groups`` each fit receives; every rows-carrying parameter must still be
paired with its own row after any resampling, fold split or bootstrap.
"""

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pytest
import sklearn
from imblearn import over_sampling as imb_over
from imblearn import under_sampling as imb_under
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    RandomizedSearchCV,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

_RNG = np.random.default_rng(0)
Y = (_RNG.random(200) < 0.2).astype(int)
X = _RNG.normal(size=(200, 2)) + Y[:, None]
W = _RNG.uniform(0.5, 2.0, size=200)
G = np.arange(200) % 5
_ROW_OF = {tuple(r): i for i, r in enumerate(X.round(12))}

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
LOG = []


class Spy(ClassifierMixin, BaseEstimator):
    """Logistic regression that records what each fit receives."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y, sample_weight=None, groups=None):
        rows = np.array([_ROW_OF.get(tuple(r), -1) for r in np.asarray(X).round(12)])
        LOG.append((rows, np.asarray(y), sample_weight, groups))
        self.sample_weight_ = sample_weight
        self.groups_ = groups
        self.lr_ = LogisticRegression(C=self.C).fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)

    def decision_function(self, X):
        return self.lr_.decision_function(X)


def _check_log(expect_weights=True):
    """Every recorded fit got the weights, groups and labels of its own rows."""
    assert LOG
    for rows, y, sw, groups in LOG:
        assert (rows >= 0).all()  # rows of X itself (no transformer before)
        np.testing.assert_array_equal(y, Y[rows])
        if expect_weights:
            assert sw is not None
            np.testing.assert_allclose(np.asarray(sw), W[rows])
        if groups is not None:
            np.testing.assert_array_equal(np.asarray(groups), G[rows])


@pytest.fixture
def routing():
    """Metadata routing on for the test, restored afterwards."""
    with sklearn.config_context(enable_metadata_routing=True):
        yield
    LOG.clear()


@pytest.fixture(autouse=True)
def _clear_log():
    LOG.clear()
    yield
    LOG.clear()


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("on", [False, True])
def test_resampled_classifier_carries_weights_groups_and_2d_params(sampler, on):
    margin = _RNG.normal(size=(200, 3))

    class Rec(Spy):
        def fit(self, X, y, sample_weight=None, groups=None, base_margin=None):
            self.margin_ = base_margin
            return super().fit(X, y, sample_weight=sample_weight, groups=groups)

    with sklearn.config_context(enable_metadata_routing=on):
        clf = Rec()
        if on:
            clf.set_fit_request(sample_weight=True, groups="gg", base_margin=True)
            params = {"gg": G}
        else:
            params = {"groups": list(G)}
        model = ResampledClassifier(sampler(random_state=0), clf)
        model.fit(X, Y, sample_weight=pl.Series(W), base_margin=margin, **params)
    idx = model.sampler_.sample_indices_
    np.testing.assert_allclose(model.classifier_.margin_, margin[idx])
    _check_log()


def test_unrequested_weights_raise_like_scikit_learn(routing):
    with pytest.raises(UnsetMetadataPassedError, match="Spy.set_fit_request"):
        ResampledClassifier(RandomUnderSampler(random_state=0), Spy()).fit(
            X, Y, sample_weight=W
        )
    with pytest.raises(UnsetMetadataPassedError, match="Spy.set_fit_request"):
        ThresholdMover(Spy()).fit(X, Y, sample_weight=W)
    refused = Spy().set_fit_request(sample_weight=False)
    with pytest.raises(TypeError, match="not routed to any object"):
        ResampledClassifier(RandomUnderSampler(random_state=0), refused).fit(
            X, Y, sample_weight=W
        )
    with pytest.raises(UnsetMetadataPassedError, match="Spy.set_fit_request"):
        ResampledClassifier(RandomUnderSampler(random_state=0), Spy()).fit(
            X, Y, groups=G
        )


def _rc(sampler=None, **request):
    spy = Spy().set_fit_request(sample_weight=True, **request)
    model = ResampledClassifier(sampler or RandomOverSampler(random_state=0), spy)
    return model.set_score_request(sample_weight=True)


_SCORER = "balanced_accuracy"


@pytest.mark.parametrize(
    "name",
    ["cross_validate", "grid", "randomized", "stacking", "voting", "calibrated"],
)
def test_meta_estimators_keep_weights_on_their_rows_routed(routing, name):
    if name == "cross_validate":
        cross_validate(
            _rc(groups=True),
            X,
            Y,
            params={"sample_weight": W, "groups": G},
            cv=GroupKFold(3),
        )
    elif name == "grid":
        GridSearchCV(_rc(), {"classifier__C": [0.1, 1.0]}, cv=3).fit(
            X, Y, sample_weight=W
        )
    elif name == "randomized":
        RandomizedSearchCV(
            _rc(groups=True),
            {"classifier__C": [0.1, 1.0]},
            n_iter=2,
            cv=GroupKFold(3),
            random_state=0,
        ).fit(X, Y, sample_weight=W, groups=G)
    elif name == "stacking":
        StackingClassifier(
            [("a", _rc()), ("b", _rc(RandomUnderSampler(random_state=1)))],
            final_estimator=LogisticRegression().set_fit_request(sample_weight=True),
            cv=3,
        ).fit(X, Y, sample_weight=W)
    elif name == "voting":
        VotingClassifier(
            [("a", _rc()), ("b", Spy().set_fit_request(sample_weight=True))],
            voting="soft",
        ).fit(X, Y, sample_weight=W)
    else:
        CalibratedClassifierCV(_rc(), cv=3).fit(X, Y, sample_weight=W)
    _check_log()


@pytest.mark.parametrize("on", [False, True])
def test_threshold_mover_tuned_folds_keep_weights_and_groups(on):
    with sklearn.config_context(enable_metadata_routing=on):
        if on:
            inner = _rc(groups=True)
            ThresholdMover(inner, strategy="tuned", cv=GroupKFold(3)).fit(
                X, Y, sample_weight=W, groups=G
            )
        else:
            inner = ResampledClassifier(RandomOverSampler(random_state=0), Spy())
            ThresholdMover(inner, strategy="tuned", cv=3).fit(X, Y, sample_weight=W)
            with pytest.raises(ValueError, match="enable_metadata_routing=True"):
                ThresholdMover(inner, strategy="tuned", cv=GroupKFold(3)).fit(
                    X, Y, groups=G
                )
    assert len(LOG) >= 4  # 3 folds and the refit
    _check_log()


def test_tuned_threshold_classifier_around_pipelines_with_our_sampler(routing):
    scorer = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
    TunedThresholdClassifierCV(Pipeline([("rc", _rc())]), scoring=scorer, cv=3).fit(
        X, Y, sample_weight=W
    )
    _check_log()
    LOG.clear()
    imb = ImbPipeline([("s", RandomUnderSampler(random_state=0)), ("clf", Spy())])
    tuned = TunedThresholdClassifierCV(imb, cv=3).fit(X, Y)
    assert 0 < tuned.best_threshold_ < 1
    _check_log(expect_weights=False)


@pytest.mark.parametrize("on", [False, True])
@pytest.mark.parametrize("param", ["sample_weight", "groups"])
def test_imblearn_pipeline_refuses_params_it_cannot_resample(on, param):
    with sklearn.config_context(enable_metadata_routing=on):
        spy = Spy()
        if on:
            spy.set_fit_request(**{param: True})
            params = {param: W if param == "sample_weight" else G}
        else:
            params = {f"clf__{param}": W if param == "sample_weight" else G}
        pipe = ImbPipeline([("s", RandomUnderSampler(random_state=0)), ("clf", spy)])
        with pytest.raises(ValueError, match="ResampledClassifier"):
            pipe.fit(X, Y, **params)
    assert not LOG


def test_imblearn_pipeline_weights_before_the_sampler_still_work(routing):
    scaler = StandardScaler().set_fit_request(sample_weight=True)
    spy = Spy().set_fit_request(sample_weight=False)
    pipe = ImbPipeline(
        [("sc", scaler), ("s", RandomUnderSampler(random_state=0)), ("clf", spy)]
    )
    pipe.fit(X, Y, sample_weight=W)
    assert pipe[-1].sample_weight_ is None
    assert np.bincount(LOG[0][1]).tolist() == [37, 37]


@pytest.mark.parametrize("on", [False, True])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (RandomUnderSampler, imb_under.RandomUnderSampler),
        (RandomOverSampler, imb_over.RandomOverSampler),
    ],
)
def test_balanced_bagging_rows_match_imblearn_sampler_shapes(on, ours, theirs):
    counts = {}
    with sklearn.config_context(enable_metadata_routing=on):
        for kind in (ours, theirs):
            bag = BalancedBaggingClassifier(
                Spy(), sampler=kind(random_state=0), n_estimators=3, random_state=0
            ).fit(X, Y)
            counts[kind] = []
            for est, drawn in zip(bag.estimators_, bag.estimators_samples_):
                rows = drawn[est[0].sample_indices_]
                np.testing.assert_array_equal(est[-1].lr_.n_features_in_, 2)
                counts[kind].append(np.bincount(Y[rows]).tolist())
    assert counts[ours] == counts[theirs]
    _check_log(expect_weights=False)


@pytest.mark.parametrize("on", [False, True])
def test_bagging_counts_follow_the_resampled_rows(on):
    with sklearn.config_context(enable_metadata_routing=on):
        spy = Spy().set_fit_request(sample_weight=True) if on else Spy()
        bag = BaggingClassifier(
            ResampledClassifier(RandomUnderSampler(random_state=0), spy),
            n_estimators=2,
            random_state=0,
        ).fit(X, Y, sample_weight=W)
    for est, drawn in zip(bag.estimators_, bag.estimators_samples_):
        counts = np.bincount(drawn, minlength=200)
        idx = est.sampler_.sample_indices_
        np.testing.assert_array_equal(est.classifier_.sample_weight_, counts[idx])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (RandomUnderSampler, imb_under.RandomUnderSampler),
        (RandomOverSampler, imb_over.RandomOverSampler),
    ],
)
def test_resampled_classifier_agrees_with_imblearn_samplers(ours, theirs):
    shapes = []
    for kind in (ours, theirs):
        model = ResampledClassifier(kind(random_state=0), Spy()).fit(
            X, Y, sample_weight=W, groups=G
        )
        shapes.append(np.bincount(LOG[-1][1]).tolist())
        assert len(model.classifier_.sample_weight_) == len(LOG[-1][0])
    assert shapes[0] == shapes[1]
    _check_log()


def test_smote_with_weights_is_refused_not_silently_misaligned():
    with pytest.raises(TypeError, match="sample_indices_"):
        ResampledClassifier(imb_over.SMOTE(random_state=0), Spy()).fit(
            X, Y, sample_weight=W
        )


@pytest.mark.parametrize("on", [False, True])
def test_frozen_resampled_classifier_priors_and_frozen_threshold_mover(on):
    fitted = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, Y, sample_weight=W)
    idx = fitted.sampler_.sample_indices_
    expected = np.bincount(Y[idx], weights=W[idx]) / W[idx].sum()
    with sklearn.config_context(enable_metadata_routing=on):
        mover = ThresholdMover(FrozenEstimator(fitted), deploy_priors="train")
        mover.fit(X, Y, sample_weight=W)
        np.testing.assert_allclose(mover.train_priors_, expected)
        np.testing.assert_allclose(
            mover.deploy_priors_, np.bincount(Y, weights=W) / W.sum()
        )
        inner = ThresholdMover(LogisticRegression()).fit(X, Y)
        scores = cross_validate(FrozenEstimator(inner), X, Y, cv=3)["test_score"]
        assert np.all(scores > 0.5)
        calibrated = CalibratedClassifierCV(FrozenEstimator(inner)).fit(
            X, Y, sample_weight=W
        )
        assert calibrated.predict_proba(X).shape == (200, 2)


@pytest.mark.parametrize("output", ["pandas", "polars"])
@pytest.mark.parametrize("sampler", [RandomUnderSampler, RandomOverSampler])
def test_imblearn_pipeline_set_output(output, sampler):
    frame = pd.DataFrame(X, columns=["a", "b"])
    seen = []

    class Typed(Spy):
        def fit(self, X, y, sample_weight=None, groups=None):
            seen.append(type(X).__module__.split(".")[0])
            return super().fit(np.asarray(X), y)

    pipe = ImbPipeline(
        [("sc", StandardScaler()), ("s", sampler(random_state=0)), ("clf", Typed())]
    ).set_output(transform=output)
    pipe.fit(frame, Y)
    assert seen == [output]
    expected = sampler(random_state=0).fit_resample(X, Y)[1]
    assert np.bincount(LOG[0][1]).tolist() == np.bincount(expected).tolist()


def test_clone_pickle_and_nested_params_keep_routing_requests(routing):
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        Spy().set_fit_request(sample_weight=True, groups="gg"),
    )
    mover = ThresholdMover(model, strategy="tuned")
    mover.set_params(
        estimator__sampler__sampling_strategy=0.5, estimator__classifier__C=0.5
    )
    assert clone(mover).get_params()["estimator__sampler__sampling_strategy"] == 0.5
    for copy in (clone(model), pickle.loads(pickle.dumps(model))):
        copy.fit(X, Y, sample_weight=W, gg=G)
    mover.fit(X, Y, sample_weight=W, gg=G)
    restored = pickle.loads(pickle.dumps(mover))
    np.testing.assert_array_equal(restored.predict_proba(X), mover.predict_proba(X))
    _check_log()
