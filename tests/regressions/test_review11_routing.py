"""Review 11: metadata routing of ThresholdMover and ResampledClassifier, ported
from scikit-learn's sklearn/tests/test_metaestimators_metadata_routing.py (the
entry of TunedThresholdClassifierCV: estimator, scorer and splitter are all
routing children of ``fit``)."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, make_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tests.metadata_routing_common import (
    ConsumingClassifier,
    ConsumingScorer,
    ConsumingSplitter,
    _Registry,
    check_recorded_metadata,
)
from sklearn.utils.metadata_routing import get_routing_for_object

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover

N = 120


@pytest.fixture
def routing():
    # restored on exit, whatever the test does
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _data(n=N, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]
    return X, y


class _SteadyConsumingClassifier(ConsumingClassifier):
    """scikit-learn's ConsumingClassifier with deterministic probabilities
    (its own draws them from the global numpy generator)."""

    def predict_proba(self, X, sample_weight="default", metadata="default"):
        p = 1 / (1 + np.exp(-np.asarray(X, dtype=float)[:, 0]))
        return np.column_stack([1 - p, p])


# ------------------------------------------ ThresholdMover: the tuning scorer


def test_tuned_scorer_sample_weight_alias_is_routed(routing):
    # A scorer that asks for the weights under its own name
    # (set_score_request(sample_weight="scoring_weight")) must get them, as
    # TunedThresholdClassifierCV's scorer does: the scorer is a routing child
    # of fit. Today the scorer is not in get_metadata_routing(), so fit refuses
    # scoring_weight ("not routed to any object"); and had sample_weight been
    # passed as well, the metric would be weighted by sample_weight instead.
    X, y = _data()
    w = np.where(y == 1, 4.0, 1.0) * np.linspace(0.5, 1.5, N)
    grid = np.linspace(0.05, 0.95, 19)
    estimator = LogisticRegression().set_fit_request(sample_weight=False)
    plain = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
    expected = ThresholdMover(
        estimator, "tuned", cv=3, scoring=plain, thresholds=grid
    ).fit(X, y, sample_weight=w)
    unweighted = ThresholdMover(estimator, "tuned", cv=3, thresholds=grid).fit(X, y)
    # the weights change the tuning: the check below is not vacuous
    assert not np.allclose(
        expected.cv_results_["scores"], unweighted.cv_results_["scores"]
    )
    aliased = make_scorer(balanced_accuracy_score).set_score_request(
        sample_weight="scoring_weight"
    )
    mover = ThresholdMover(estimator, "tuned", cv=3, scoring=aliased, thresholds=grid)
    mover.fit(X, y, scoring_weight=w)
    np.testing.assert_allclose(
        mover.cv_results_["scores"], expected.cv_results_["scores"]
    )
    assert mover.threshold_ == pytest.approx(expected.threshold_)


def test_tuned_scorer_gets_its_requested_metadata_on_the_validation_rows(routing):
    # The cost-sensitive pattern of scikit-learn's TunedThresholdClassifierCV
    # example: a metric of per-row amounts, make_scorer(gain)
    # .set_score_request(amount=True). The scorer must be listed by
    # get_metadata_routing() and get the amounts of each fold's validation
    # rows. Today it is not listed and fit(amount=...) raises TypeError.
    X, y = _data()
    calls = []

    def gain(y_true, y_pred, amount=None):
        if amount is not None:
            calls.append((np.asarray(y_true).copy(), np.asarray(amount).copy()))
        value = np.ones(len(y_true)) if amount is None else np.asarray(amount)
        return float(np.sum((np.asarray(y_true) == np.asarray(y_pred)) * value))

    scorer = make_scorer(gain).set_score_request(amount=True)
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=3, scoring=scorer)
    mover.set_params(thresholds=5)
    routing_ = get_routing_for_object(mover)
    assert "scorer" in routing_._route_mappings, (
        "ThresholdMover.get_metadata_routing() does not list its scorer"
    )
    row_ids = np.arange(N)
    mover.fit(X, y, amount=row_ids)
    assert calls, "the scorer never received amount"
    seen = set()
    for y_true, ids in calls:
        assert len(ids) < N  # a validation fold, not all the rows
        # the amounts are those of the rows being scored, in their order
        np.testing.assert_array_equal(y_true, y[ids])
        seen.add(tuple(ids.tolist()))
    covered = np.sort(np.concatenate([np.array(s) for s in seen]))
    np.testing.assert_array_equal(covered, row_ids)  # 3 disjoint folds


def test_tuned_scorer_only_sees_the_routed_weights(routing):
    # Port of scikit-learn's test_metadata_is_routed_correctly_to_scorer for
    # ThresholdMover(strategy='tuned') (TunedThresholdClassifierCV's entry):
    # every call of a scorer that requested sample_weight carries the weights
    # of validation rows. Today ThresholdMover first calls the user's scorer
    # on two made-up rows without any metadata (metrics._check_label_metric's
    # probe), so a metric that needs its routed metadata (amount=, ...) is
    # refused as "cannot score predicted labels".
    X, y = _data()
    sample_weight = np.random.default_rng(1).random(N)
    registry = _Registry()
    scorer = ConsumingScorer(registry=registry).set_score_request(sample_weight=True)
    estimator = _SteadyConsumingClassifier().set_fit_request(sample_weight=True)
    cv = ConsumingSplitter().set_split_request(groups=False, metadata=False)
    ThresholdMover(estimator, "tuned", scoring=scorer, cv=cv, thresholds=5).fit(
        X, y, sample_weight=sample_weight
    )
    assert registry
    records = scorer._records["consuming_metric"]["fit"]
    without = [r for r in records if "sample_weight" not in r]
    assert not without, (
        f"{len(without)} of {len(records)} scorer calls got no sample_weight"
    )
    for _scorer in registry:
        check_recorded_metadata(
            obj=_scorer,
            method="consuming_metric",
            parent="fit",
            split_params=("sample_weight",),
            sample_weight=sample_weight,
        )


# --------------------------------------------- ResampledClassifier.score


def test_resampled_classifier_score_takes_sample_weight_with_routing_on(routing):
    # ResampledClassifier's routing says score consumes sample_weight itself
    # ($self_request score: sample_weight), and its docstring: "Weights of the
    # rows in the score". With routing on, it hands the weights to the
    # classifier's score, which for the usual make_pipeline(StandardScaler(),
    # LogisticRegression()) classifier is a router of its own: score raises
    # UnsetMetadataPassedError (LogisticRegression.score within Pipeline.score),
    # also inside cross_validate(..., params={"sample_weight": w}) with
    # model.set_score_request(sample_weight=True).
    X, y = _data()
    w = np.linspace(0.2, 3.0, N)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ).fit(X, y)
    expected = accuracy_score(y, model.predict(X), sample_weight=w)
    assert model.score(X, y, sample_weight=w) == pytest.approx(expected)
