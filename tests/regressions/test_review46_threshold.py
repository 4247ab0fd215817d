"""Review 46: scikit-learn's own tests of its threshold classifiers, ported to
ThresholdMover.

Sources (scikit-learn 1.9): sklearn/model_selection/tests/
test_classification_threshold.py (TunedThresholdClassifierCV,
FixedThresholdClassifier) and the TunedThresholdClassifierCV /
FixedThresholdClassifier entries of sklearn/tests/
test_metaestimators_metadata_routing.py. Each test names the scikit-learn test
it ports; the mapping is ``TunedThresholdClassifierCV(est, ...)`` ->
``ThresholdMover(est, 'tuned', ...)``, ``FixedThresholdClassifier`` ->
``ThresholdMover(est, 'fixed', ...)``, ``cv='prefit'`` ->
``FrozenEstimator(est)``, ``best_threshold_`` -> ``threshold_``. Documented
differences are asserted as ThresholdMover documents them (multiclass tuning,
``cv_results_`` always stored with one row per tuned class, no ``refit``).
"""

import inspect
import re

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    get_scorer,
    make_scorer,
    mean_squared_error,
)
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GroupKFold,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tests.metadata_routing_common import (
    ConsumingClassifier,
    ConsumingScorer,
    ConsumingSplitter,
    NonConsumingClassifier,
    _Registry,
    assert_request_is_empty,
    check_recorded_metadata,
)
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._mocking import CheckingClassifier
from sklearn.utils._testing import _convert_container
from sklearn.utils.metadata_routing import MetadataRouter

from rebalance import ThresholdMover


@pytest.fixture(scope="module")
def breast_cancer():
    return load_breast_cancer(return_X_y=True)


def _iris_binary():
    X, y = load_iris(return_X_y=True)
    return X[:100], y[:100]


# ------------------------------------- test_classification_threshold.py


def test_curve_scorer_thresholds_ascending_scores_in_unit_interval():
    # test_fit_and_score_over_thresholds_curve_scorers
    X, y = make_classification(n_samples=100, random_state=0)
    cv = [(np.arange(50), np.arange(50, 100))]
    mover = ThresholdMover(LogisticRegression(), "tuned", thresholds=10, cv=cv).fit(
        X, y
    )
    thresholds = mover.cv_results_["thresholds"][0]
    scores = mover.cv_results_["scores"][0]
    assert thresholds.shape == (10,)
    assert np.all(thresholds[:-1] <= thresholds[1:])
    assert isinstance(scores, np.ndarray)
    assert np.logical_and(scores >= 0, scores <= 1).all()


def test_frozen_estimator_tunes_on_the_rows_given():
    # test_fit_and_score_over_thresholds_prefit: a prefit tree that memorised
    # the data; thresholds=2 (min and max probability) scores [0.5, 1.0].
    X, y = make_classification(n_samples=100, random_state=0)
    val_idx = np.arange(50, 100)
    classifier = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert classifier.score(X[val_idx], y[val_idx]) == pytest.approx(1.0)
    mover = ThresholdMover(FrozenEstimator(classifier), "tuned", thresholds=2)
    mover.fit(X[val_idx], y[val_idx])
    thresholds = mover.cv_results_["thresholds"][0]
    assert np.all(thresholds[:-1] <= thresholds[1:])
    np.testing.assert_allclose(mover.cv_results_["scores"][0], [0.5, 1.0])


@pytest.mark.parametrize("routing", [True, False])
def test_sample_weight_equals_repeated_rows_in_fit_and_score(routing):
    # test_fit_and_score_over_thresholds_sample_weight: class 0 repeated twice
    # == sample_weight 2 on it, in the fit and the metric (train = validation
    # = all rows). Without routing, sample_weight reaches both by default.
    X, y = _iris_binary()
    X_repeated, y_repeated = np.vstack([X, X[y == 0]]), np.hstack([y, y[y == 0]])
    sample_weight = np.ones_like(y)
    sample_weight[:50] *= 2
    all_rows = np.arange(len(y_repeated))
    with config_context(enable_metadata_routing=routing):
        repeated = ThresholdMover(
            LogisticRegression(),
            "tuned",
            thresholds=10,
            cv=[(all_rows, all_rows)],
            scoring="balanced_accuracy",
        ).fit(X_repeated, y_repeated)
        estimator = LogisticRegression()
        scoring = "balanced_accuracy"
        if routing:
            estimator.set_fit_request(sample_weight=True)
            scoring = get_scorer(scoring).set_score_request(sample_weight=True)
        given = np.arange(len(y))
        weighted = ThresholdMover(
            estimator, "tuned", thresholds=10, cv=[(given, given)], scoring=scoring
        ).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(
        repeated.cv_results_["thresholds"], weighted.cv_results_["thresholds"]
    )
    np.testing.assert_allclose(
        repeated.cv_results_["scores"], weighted.cv_results_["scores"]
    )


@pytest.mark.parametrize("fit_params_type", ["list", "array"])
@pytest.mark.parametrize("routing", [True, False])
def test_fit_params_reach_each_fold_and_the_refit(fit_params_type, routing):
    # test_fit_and_score_over_thresholds_fit_params and
    # test_tuned_threshold_classifier_fit_params: CheckingClassifier checks
    # that a and b have one value per row it is fitted on.
    X, y = make_classification(n_samples=100, random_state=0)
    fit_params = {
        "a": _convert_container(y, fit_params_type),
        "b": _convert_container(y, fit_params_type),
    }
    with config_context(enable_metadata_routing=routing):
        classifier = CheckingClassifier(expected_fit_params=["a", "b"], random_state=0)
        if routing:
            classifier.set_fit_request(a=True, b=True)
        ThresholdMover(classifier, "tuned").fit(X, y, **fit_params)
        ThresholdMover(
            classifier, "tuned", cv=[(np.arange(50), np.arange(50, 100))]
        ).fit(X, y, **fit_params)


def test_multiclass_is_tuned_one_vs_rest_and_multilabel_is_refused():
    # test_tuned_threshold_classifier_no_binary: TunedThresholdClassifierCV
    # refuses both; ThresholdMover tunes multiclass (documented) and refuses
    # a multilabel y.
    X, y = make_classification(n_classes=3, n_clusters_per_class=1, random_state=0)
    mover = ThresholdMover(LogisticRegression(), "tuned").fit(X, y)
    assert mover.threshold_.shape == (3,)
    assert mover.cv_results_["scores"].shape == (3, 100)
    X, Y = make_multilabel_classification(random_state=0)
    with pytest.raises(ValueError, match="one class label per row"):
        ThresholdMover(LogisticRegression(), "tuned").fit(X, Y)


def test_unfitted_frozen_estimator_is_not_fitted_error():
    # test_tuned_threshold_classifier_conflict_cv_refit, the cv='prefit'
    # refit=False case ("`estimator` must be fitted."); the two refit
    # conflicts have no counterpart (ThresholdMover has no refit).
    X, y = make_classification(n_samples=100, random_state=0)
    with pytest.raises(NotFittedError, match="is not fitted"):
        ThresholdMover(FrozenEstimator(LogisticRegression()), "tuned").fit(X, y)


@pytest.mark.parametrize(
    "cv, fix",
    [("prefit", "FrozenEstimator(clf)"), (0.3, "StratifiedShuffleSplit(n_splits=1")],
)
@pytest.mark.parametrize("strategy", ["tuned", "fixed"])
def test_peer_cv_spellings_name_the_fix(cv, fix, strategy):
    # cv='prefit' and a float cv (a validation share) are
    # TunedThresholdClassifierCV's spellings: the error was scikit-learn's
    # list of allowed values, without the way to say it here. Raised before
    # anything is fitted.
    X, y = make_classification(n_samples=100, random_state=0)
    with pytest.raises(ValueError, match=re.escape(fix)):
        ThresholdMover(LogisticRegression(), strategy, cv=cv).fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [LogisticRegression(), SVC(), GradientBoostingClassifier(n_estimators=4)],
    ids=["lr", "svc", "gb"],
)
@pytest.mark.parametrize(
    "response_method", ["predict_proba", "predict_log_proba", "decision_function"]
)
@pytest.mark.parametrize("strategy", ["fixed", "tuned"])
def test_response_methods_are_those_of_the_estimator(
    strategy, estimator, response_method
):
    # test_threshold_classifier_estimator_response_methods
    X, y = make_classification(n_samples=100, random_state=0)
    model = ThresholdMover(estimator, strategy)
    if strategy == "tuned":
        model.set_params(thresholds=10, cv=3)
    assert hasattr(model, response_method) == hasattr(estimator, response_method)
    model.fit(X, y)
    assert hasattr(model, response_method) == hasattr(estimator, response_method)
    if hasattr(model, response_method):
        np.testing.assert_allclose(
            getattr(model, response_method)(X),
            getattr(model.estimator_, response_method)(X),
        )


@pytest.mark.parametrize(
    "response_method", ["auto", "decision_function", "predict_proba"]
)
def test_tuning_improves_the_metric(breast_cancer, response_method):
    # test_tuned_threshold_classifier_without_constraint_value
    X, y = breast_cancer
    X = X[:, :5]
    indices_pos = np.flatnonzero(y == 1)
    indices_pos = indices_pos[: indices_pos.size // 50]
    indices_neg = np.flatnonzero(y == 0)
    X = np.vstack([X[indices_neg], X[indices_pos]])
    y = np.hstack([y[indices_neg], y[indices_pos]])
    lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    model = ThresholdMover(
        lr,
        "tuned",
        scoring="balanced_accuracy",
        response_method=response_method,
        thresholds=100,
    )
    score_optimized = balanced_accuracy_score(y, model.fit(X, y).predict(X))
    score_baseline = balanced_accuracy_score(y, lr.predict(X))
    assert score_optimized > score_baseline
    # documented: one row per tuned class (one row when binary)
    assert model.cv_results_["thresholds"].shape == (1, 100)
    assert model.cv_results_["scores"].shape == (1, 100)


def test_scorer_with_a_parameter(breast_cancer):
    # test_tuned_threshold_classifier_metric_with_parameter
    X, y = breast_cancer
    lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)

    def tuned(scoring):
        # (scikit-learn's defaults are cv=5 and 100 thresholds: fewer, for time)
        mover = ThresholdMover(lr, "tuned", scoring=scoring, cv=3, thresholds=15)
        return mover.fit(X, y).threshold_

    fbeta_1 = tuned(make_scorer(fbeta_score, beta=1))
    fbeta_2 = tuned(make_scorer(fbeta_score, beta=2))
    f1 = tuned(make_scorer(f1_score))
    assert fbeta_1 == pytest.approx(f1)
    assert fbeta_1 != pytest.approx(fbeta_2)


@pytest.mark.parametrize(
    "response_method", ["auto", "decision_function", "predict_proba"]
)
@pytest.mark.parametrize(
    "metric",
    [make_scorer(balanced_accuracy_score), make_scorer(f1_score, pos_label="cancer")],
    ids=["balanced_accuracy", "f1_cancer"],
)
def test_string_targets(breast_cancer, response_method, metric):
    # test_tuned_threshold_classifier_with_string_targets. Documented: a
    # scorer naming its pos_label needs ThresholdMover(pos_label=...) to match
    # (TunedThresholdClassifierCV takes it from the scorer).
    X, y = breast_cancer
    classes = np.array(["cancer", "healthy"], dtype=object)
    y = classes[y]
    pos_label = "cancer" if "pos_label" in repr(metric) else None
    model = ThresholdMover(
        make_pipeline(StandardScaler(), LogisticRegression()),
        "tuned",
        scoring=metric,
        response_method=response_method,
        thresholds=20,
        cv=3,
        pos_label=pos_label,
    ).fit(X, y)
    np.testing.assert_array_equal(model.classes_, np.sort(classes))
    y_pred = model.predict(X)
    np.testing.assert_array_equal(np.unique(y_pred), np.sort(classes))


def test_string_targets_scorer_pos_label_without_mover_pos_label_is_refused(
    breast_cancer,
):
    # The documented difference above, as an error naming the fix.
    X, y = breast_cancer
    y = np.array(["cancer", "healthy"], dtype=object)[y]
    with pytest.raises(ValueError, match=re.escape("pos_label='cancer'")):
        ThresholdMover(
            LogisticRegression(),
            "tuned",
            scoring=make_scorer(f1_score, pos_label="cancer"),
        ).fit(X, y)


@pytest.mark.parametrize("with_sample_weight", [True, False])
@pytest.mark.parametrize("seed", [0])
def test_refit_estimator_is_fitted_on_all_rows(with_sample_weight, seed):
    # test_tuned_threshold_classifier_refit (refit=True; cv='prefit' ->
    # FrozenEstimator). refit=False with folds has no counterpart.
    rng = np.random.RandomState(seed)
    X, y = make_classification(n_samples=100, random_state=0)
    sample_weight = np.abs(rng.randn(len(y))) if with_sample_weight else None
    with config_context(enable_metadata_routing=True):
        scoring = get_scorer("balanced_accuracy").set_score_request(sample_weight=True)
        estimator = LogisticRegression().set_fit_request(sample_weight=True)
        model = ThresholdMover(estimator, "tuned", scoring=scoring, thresholds=10)
        model.fit(X, y, sample_weight=sample_weight)
        assert model.estimator_ is not estimator
        estimator.fit(X, y, sample_weight=sample_weight)
        np.testing.assert_allclose(model.estimator_.coef_, estimator.coef_)
        np.testing.assert_allclose(model.estimator_.intercept_, estimator.intercept_)

        estimator = LogisticRegression().set_fit_request(sample_weight=True)
        estimator.fit(X, y, sample_weight=sample_weight)
        coef = estimator.coef_.copy()
        model = ThresholdMover(
            FrozenEstimator(estimator), "tuned", scoring=scoring, thresholds=10
        )
        model.fit(X, y, sample_weight=sample_weight)
        assert model.estimator_.estimator is estimator
        np.testing.assert_allclose(model.estimator_.estimator.coef_, coef)


def test_zero_sample_weights_equal_dropped_rows():
    # test_tuned_threshold_classifier_cv_zeros_sample_weights_equivalence
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = np.vstack((X[:40], X[50:90]))
    y = np.hstack((y[:40], y[50:90]))
    sample_weight = np.zeros_like(y)
    sample_weight[::2] = 1
    with config_context(enable_metadata_routing=True):
        estimator = (
            LogisticRegression()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        without_weights = ThresholdMover(estimator, "tuned", cv=2)
        with_weights = ThresholdMover(
            estimator,
            "tuned",
            cv=2,
            scoring=get_scorer("balanced_accuracy").set_score_request(
                sample_weight=True
            ),
        )
        with_weights.fit(X, y, sample_weight=sample_weight)
        without_weights.fit(X[::2], y[::2])
    np.testing.assert_allclose(
        with_weights.estimator_.coef_, without_weights.estimator_.coef_
    )
    np.testing.assert_allclose(
        with_weights.predict_proba(X), without_weights.predict_proba(X)
    )


@pytest.mark.parametrize(
    "estimator", [LogisticRegression(), KNeighborsClassifier(5)], ids=["lr", "knn"]
)
def test_zero_sample_weights_equal_dropped_rows_without_routing(estimator):
    # The same scenario with routing off: the weights reach the fit (KNN, whose
    # fit takes none, as repeated rows: weight 0 drops the row) and the metric.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X = np.vstack((X[:40], X[50:90]))
    y = np.hstack((y[:40], y[50:90]))
    sample_weight = np.zeros_like(y)
    sample_weight[::2] = 1
    grid = np.linspace(0, 1, 21)
    with_weights = ThresholdMover(estimator, "tuned", cv=2, thresholds=grid)
    with_weights.fit(X, y, sample_weight=sample_weight)
    without_weights = ThresholdMover(estimator, "tuned", cv=2, thresholds=grid)
    without_weights.fit(X[::2], y[::2])
    np.testing.assert_allclose(
        with_weights.predict_proba(X), without_weights.predict_proba(X)
    )
    np.testing.assert_allclose(
        with_weights.cv_results_["scores"], without_weights.cv_results_["scores"]
    )
    assert with_weights.threshold_ == without_weights.threshold_


def test_thresholds_array_is_used_as_candidates():
    # test_tuned_threshold_classifier_thresholds_array
    X, y = make_classification(random_state=0)
    thresholds = np.linspace(0, 1, 11)
    mover = ThresholdMover(
        LogisticRegression(),
        "tuned",
        thresholds=thresholds,
        response_method="predict_proba",
    ).fit(X, y)
    np.testing.assert_allclose(mover.cv_results_["thresholds"][0], thresholds)


def test_cv_results_are_always_stored():
    # test_tuned_threshold_classifier_store_cv_results: no store_cv_results
    # parameter; cv_results_ is always set (documented).
    X, y = make_classification(random_state=0)
    mover = ThresholdMover(LogisticRegression(), "tuned").fit(X, y)
    assert set(mover.cv_results_) == {"thresholds", "scores"}


def test_cv_float_is_refused_and_refit_is_on_all_rows():
    # test_tuned_threshold_classifier_cv_float: a float cv (a validation
    # share) has no counterpart; the estimator is refitted on all rows.
    X, y = make_classification(random_state=0)
    with pytest.raises(ValueError, match="cv"):
        ThresholdMover(LogisticRegression(), "tuned", cv=0.3).fit(X, y)
    mover = ThresholdMover(LogisticRegression(), "tuned").fit(X, y)
    np.testing.assert_allclose(
        mover.estimator_.coef_, LogisticRegression().fit(X, y).coef_
    )


def test_constant_predictor_is_refused():
    # test_tuned_threshold_classifier_error_constant_predictor
    X, y = make_classification(random_state=0)
    estimator = DummyClassifier(strategy="constant", constant=1)
    mover = ThresholdMover(estimator, "tuned", response_method="predict_proba")
    with pytest.raises(ValueError, match="every row the same score"):
        mover.fit(X, y)


@pytest.mark.parametrize(
    "response_method", ["auto", "predict_proba", "decision_function"]
)
def test_fixed_default_threshold_is_the_estimators_decision(response_method):
    # test_fixed_threshold_classifier_equivalence_default
    X, y = make_classification(random_state=0)
    classifier = LogisticRegression().fit(X, y)
    mover = ThresholdMover(
        clone(classifier), "fixed", response_method=response_method
    ).fit(X, y)
    if response_method in ("auto", "predict_proba"):
        y_score, threshold = mover.predict_proba(X)[:, 1], 0.5
    else:
        y_score, threshold = mover.decision_function(X), 0.0
    np.testing.assert_array_equal(mover.predict(X), (y_score >= threshold).astype(int))
    np.testing.assert_array_equal(mover.predict(X), classifier.predict(X))


@pytest.mark.parametrize(
    "response_method, threshold", [("predict_proba", 0.7), ("decision_function", 2.0)]
)
@pytest.mark.parametrize("pos_label", [0, 1])
def test_fixed_threshold_and_pos_label(response_method, threshold, pos_label):
    # test_fixed_threshold_classifier
    X, y = make_classification(n_samples=50, random_state=0)
    logistic_regression = LogisticRegression().fit(X, y)
    model = ThresholdMover(
        clone(logistic_regression),
        "fixed",
        threshold=threshold,
        response_method=response_method,
        pos_label=pos_label,
    ).fit(X, y)
    np.testing.assert_allclose(model.estimator_.coef_, logistic_regression.coef_)
    if response_method == "predict_proba":
        y_score = model.predict_proba(X)[:, pos_label]
    else:
        y_score = model.decision_function(X)
        y_score = y_score if pos_label == 1 else -y_score
    map_to_label = np.array([0, 1]) if pos_label == 1 else np.array([1, 0])
    y_pred_lr = map_to_label[(y_score >= threshold).astype(int)]
    np.testing.assert_array_equal(model.predict(X), y_pred_lr)
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        np.testing.assert_allclose(
            getattr(model, method)(X), getattr(logistic_regression, method)(X)
        )
        np.testing.assert_allclose(
            getattr(model.estimator_, method)(X),
            getattr(logistic_regression, method)(X),
        )


@pytest.mark.parametrize("strategy", ["fixed", "tuned", "prior"])
def test_fixed_metadata_routing_fits_with_the_weights(strategy):
    # test_fixed_threshold_classifier_metadata_routing
    X, y = make_classification(random_state=0)
    sample_weight = np.ones_like(y)
    sample_weight[::2] = 2
    with config_context(enable_metadata_routing=True):
        classifier = LogisticRegression().set_fit_request(sample_weight=True)
        classifier.fit(X, y, sample_weight=sample_weight)
        mover = ThresholdMover(clone(classifier), strategy)
        mover.fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(mover.estimator_.coef_, classifier.coef_)


@pytest.mark.parametrize(
    "method", ["predict_proba", "decision_function", "predict", "predict_log_proba"]
)
def test_fitted_estimator_needs_frozen_estimator_and_fit(method):
    # test_fixed_threshold_classifier_fitted_estimator: FixedThresholdClassifier
    # predicts with a fitted estimator without fit. ThresholdMover follows
    # scikit-learn's rule (unfitted until fit: NotFittedError); the fitted
    # classifier goes in FrozenEstimator, and fit refits nothing.
    X, y = make_classification(random_state=0)
    classifier = LogisticRegression().fit(X, y)
    with pytest.raises(NotFittedError):
        getattr(ThresholdMover(classifier, "fixed"), method)(X)
    mover = ThresholdMover(FrozenEstimator(classifier), "fixed").fit(X, y)
    np.testing.assert_allclose(
        getattr(mover, method)(X), getattr(classifier, method)(X)
    )


def test_classes_attribute():
    # test_fixed_threshold_classifier_classes_
    X, y = make_classification(random_state=0)
    with pytest.raises(AttributeError):
        ThresholdMover(LogisticRegression(), "fixed").classes_  # noqa: B018
    classifier = LogisticRegression().fit(X, y)
    mover = ThresholdMover(FrozenEstimator(classifier), "fixed").fit(X, y)
    np.testing.assert_array_equal(mover.classes_, classifier.classes_)


def test_sklearn_peer_agrees_on_the_tuned_threshold():
    # Independent oracle for the ports above: the same folds, candidates and
    # scorer give TunedThresholdClassifierCV's threshold and scores (string
    # labels, both positive classes, both response methods).
    X, y = make_classification(160, 4, weights=[0.8], flip_y=0.05, random_state=0)
    y = np.array(["cancer", "healthy"], dtype=object)[y]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    checked = 0
    for response_method, grid in (
        ("predict_proba", np.linspace(0.02, 0.98, 15)),
        ("decision_function", np.linspace(-3, 3, 15)),
    ):
        for pos_label in ("cancer", "healthy"):
            for scoring in (make_scorer(fbeta_score, beta=2, pos_label=pos_label),):
                kwargs = dict(
                    scoring=scoring,
                    cv=cv,
                    thresholds=grid,
                    response_method=response_method,
                )
                theirs = TunedThresholdClassifierCV(
                    LogisticRegression(), store_cv_results=True, **kwargs
                ).fit(X, y)
                ours = ThresholdMover(
                    LogisticRegression(), "tuned", pos_label=pos_label, **kwargs
                ).fit(X, y)
                np.testing.assert_allclose(
                    ours.cv_results_["scores"][0], theirs.cv_results_["scores"]
                )
                assert ours.threshold_ == pytest.approx(theirs.best_threshold_)
                np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
                checked += 1
    assert checked == 4


# ----------------------------- test_metaestimators_metadata_routing.py

rng = np.random.RandomState(42)
N, M = 100, 4
X_R = rng.rand(N, M)
y_R = (rng.randint(0, 3, size=N) >= 1).astype(int)
metadata = rng.randint(0, 10, size=N)
sample_weight_R = rng.rand(N)
groups = rng.randint(0, 10, size=N)


# scikit-learn < 1.8's helper has no preserves_metadata: split_params alone
# says the fits see subsets of the rows.
SUBSET = (
    {"preserves_metadata": "subset"}
    if "preserves_metadata" in inspect.signature(check_recorded_metadata).parameters
    else {}
)


def _routing_args(consumes=True):
    """get_init_args of the TunedThresholdClassifierCV entry."""
    registry, scorer_registry, cv_registry = _Registry(), _Registry(), _Registry()
    estimator = ConsumingClassifier(registry) if consumes else NonConsumingClassifier()
    scorer = ConsumingScorer(registry=scorer_registry)
    cv = ConsumingSplitter(registry=cv_registry)
    return (estimator, registry), (scorer, scorer_registry), (cv, cv_registry)


STRATEGY_ARGS = [
    ("tuned", True, True),  # (strategy, has scorer, has cv)
    ("fixed", False, False),
    ("prior", False, False),
]


def _mover(strategy, estimator, scorer, cv, has_scorer, has_cv):
    kwargs = {}
    if has_scorer:
        kwargs.update(scoring=scorer, thresholds=5)
    if has_cv:
        kwargs["cv"] = cv
    return ThresholdMover(estimator, strategy, **kwargs)


@pytest.mark.parametrize("strategy, has_scorer, has_cv", STRATEGY_ARGS)
def test_routing_default_request(strategy, has_scorer, has_cv):
    # test_default_request
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, _), (cv, _) = _routing_args()
        instance = _mover(strategy, estimator, scorer, cv, has_scorer, has_cv)
        routing = instance.get_metadata_routing()
        assert_request_is_empty(routing, exclude={"splitter": ["split"]})
        assert isinstance(routing, MetadataRouter)


@pytest.mark.parametrize("strategy, has_scorer, has_cv", STRATEGY_ARGS)
@pytest.mark.parametrize("key", ["sample_weight", "metadata"])
def test_routing_error_on_missing_requests(strategy, has_scorer, has_cv, key):
    # test_error_on_missing_requests_for_sub_estimator
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, _), (cv, _) = _routing_args()
        if has_scorer:
            scorer.set_score_request(**{key: True})
        val = {"sample_weight": sample_weight_R, "metadata": metadata}[key]
        instance = _mover(strategy, estimator, scorer, cv, has_scorer, has_cv)
        msg = (
            f"[{key}] are passed but are not explicitly set as requested or not"
            f" requested for {estimator.__class__.__name__}.fit"
        )
        with pytest.raises(UnsetMetadataPassedError, match=re.escape(msg)):
            instance.fit(X_R, y_R, **{key: val})


@pytest.mark.parametrize("strategy, has_scorer, has_cv", STRATEGY_ARGS)
@pytest.mark.parametrize("key", ["sample_weight", "metadata"])
def test_routing_setting_request_removes_error(strategy, has_scorer, has_cv, key):
    # test_setting_request_on_sub_estimator_removes_error
    with config_context(enable_metadata_routing=True):
        val = {"sample_weight": sample_weight_R, "metadata": metadata}[key]
        (estimator, registry), (scorer, _), (cv, _) = _routing_args()
        if has_scorer:
            scorer.set_score_request(**{key: True})
        cv.set_split_request(groups=True, metadata=True)
        estimator.set_fit_request(**{key: True})
        instance = _mover(strategy, estimator, scorer, cv, has_scorer, has_cv)
        instance.fit(X_R, y_R, **{key: val})
        assert registry
        for sub in registry:
            check_recorded_metadata(
                sub,
                method="fit",
                parent="fit",
                split_params=(key,),
                **SUBSET,
                **{key: val},
            )


@pytest.mark.parametrize("strategy, has_scorer, has_cv", STRATEGY_ARGS)
def test_routing_non_consuming_estimator_works(strategy, has_scorer, has_cv):
    # test_non_consuming_estimator_works
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, _), (cv, _) = _routing_args(consumes=False)
        _mover(strategy, estimator, scorer, cv, has_scorer, has_cv).fit(X_R, y_R)


def test_routing_metadata_to_scorer():
    # test_metadata_is_routed_correctly_to_scorer
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, registry), (cv, _) = _routing_args()
        scorer.set_score_request(sample_weight=True)
        cv.set_split_request(groups=True, metadata=True)
        estimator.set_fit_request(sample_weight=True)
        instance = ThresholdMover(
            estimator, "tuned", scoring=scorer, cv=cv, thresholds=5
        )
        instance.fit(X_R, y_R, sample_weight=sample_weight_R)
        assert registry
        for _scorer in registry:
            check_recorded_metadata(
                obj=_scorer,
                method="consuming_metric",
                parent="fit",
                split_params=("sample_weight",),
                sample_weight=sample_weight_R,
            )


def test_routing_metadata_to_splitter():
    # test_metadata_is_routed_correctly_to_splitter
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, _), (cv, registry) = _routing_args()
        estimator.set_fit_request(sample_weight=False, metadata=False)
        scorer.set_score_request(sample_weight=False, metadata=False)
        cv.set_split_request(groups=True, metadata=True)
        instance = ThresholdMover(
            estimator, "tuned", scoring=scorer, cv=cv, thresholds=5
        )
        instance.fit(X_R, y_R, groups=groups, metadata=metadata)
        assert registry
        for _splitter in registry:
            check_recorded_metadata(
                obj=_splitter,
                method="split",
                parent="fit",
                groups=groups,
                metadata=metadata,
            )


@pytest.mark.parametrize("strategy", ["tuned", "fixed", "prior"])
def test_routing_groups_to_group_splitter_inside_cross_validate(strategy):
    # test_metadata_routed_to_group_splitter
    with config_context(enable_metadata_routing=True):
        (estimator, _), (scorer, _), _ = _routing_args()
        kwargs = {"cv": GroupKFold(n_splits=2), "thresholds": 5}
        kwargs = kwargs if strategy == "tuned" else {}
        if strategy == "tuned":
            kwargs["scoring"] = scorer
        instance = ThresholdMover(estimator, strategy, **kwargs)
        cross_validate(
            instance,
            X_R,
            y_R,
            params={"groups": groups},
            cv=GroupKFold(n_splits=2),
            scoring=make_scorer(mean_squared_error, response_method="predict"),
        )


def test_peers_fixed_threshold_classifier_is_the_reference():
    # FixedThresholdClassifier and ThresholdMover('fixed') agree on the labels
    # for many thresholds, both response methods and both pos_labels.
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    lr = LogisticRegression().fit(X, y)
    checked = 0
    for response_method, grid in (
        ("predict_proba", np.linspace(0, 1, 21)),
        ("decision_function", np.linspace(-4, 4, 21)),
    ):
        for pos_label in (0, 1):
            for threshold in grid:
                theirs = FixedThresholdClassifier(
                    FrozenEstimator(lr),
                    threshold=threshold,
                    response_method=response_method,
                    pos_label=pos_label,
                ).fit(X, y)
                ours = ThresholdMover(
                    FrozenEstimator(lr),
                    "fixed",
                    threshold=threshold,
                    response_method=response_method,
                    pos_label=pos_label,
                ).fit(X, y)
                np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
                checked += 1
    assert checked == 84
