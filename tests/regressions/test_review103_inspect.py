"""Review 103, area "inspect": rebalance estimators with scikit-learn's
inspection, display and model-selection tools (string labels, pandas X)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.inspection import (  # noqa: E402
    DecisionBoundaryDisplay,
    partial_dependence,
    permutation_importance,
)
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
    accuracy_score,
)
from sklearn.model_selection import (  # noqa: E402
    FixedThresholdClassifier,
    KFold,
    TimeSeriesSplit,
    cross_val_predict,
    learning_curve,
    validation_curve,
)
from sklearn.multioutput import MultiOutputClassifier  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from sklearn.utils._response import _get_response_values  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from rebalance import (  # noqa: E402
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.25, "yes", "no")
    X = pd.DataFrame(
        rng.normal(size=(n, 2)) + (y == "yes")[:, None] * 1.0, columns=["a", "b"]
    )
    return X, y


def _rc():
    return ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())


def _estimators():
    return {
        "rc": _rc(),
        "tm_fixed": ThresholdMover(LogisticRegression(), "fixed", threshold=0.5),
        "tm_deploy": ThresholdMover(_rc(), "argmax", deploy_priors=[0.75, 0.25]),
    }


@pytest.mark.parametrize("name", ["rc", "tm_fixed", "tm_deploy"])
def test_is_classifier_and_fitted_state(name):
    X, y = _data()
    est = _estimators()[name]
    assert is_classifier(est)
    assert get_tags(est).estimator_type == "classifier"
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    est.fit(X, y)
    check_is_fitted(est)
    assert est.classes_.tolist() == ["no", "yes"]
    assert est.n_features_in_ == 2
    assert est.feature_names_in_.tolist() == ["a", "b"]
    # a clone is unfitted again
    with pytest.raises(NotFittedError):
        check_is_fitted(clone(est))


@pytest.mark.parametrize("name", ["rc", "tm_fixed"])
def test_no_feature_names_without_string_columns(name):
    X, y = _data()
    est = _estimators()[name].fit(X.to_numpy(), y)
    assert not hasattr(est, "feature_names_in_")
    assert est.n_features_in_ == 2
    est2 = _estimators()[name].fit(X.set_axis([0, 1], axis=1), y)
    assert not hasattr(est2, "feature_names_in_")


def test_refit_numpy_drops_stale_feature_names():
    X, y = _data()
    for est in (_estimators()["rc"], _estimators()["tm_fixed"]):
        est.fit(X, y)
        est.fit(X.to_numpy(), y)
        assert not hasattr(est, "feature_names_in_")


def test_reordered_columns_refused_at_predict():
    X, y = _data()
    for est in (_estimators()["rc"], _estimators()["tm_fixed"]):
        est.fit(X, y)
        with pytest.raises(ValueError, match="feature names"):
            est.predict(X[["b", "a"]])


def test_threshold_half_matches_base_model():
    X, y = _data()
    tm = ThresholdMover(LogisticRegression(), "fixed", threshold=0.5).fit(X, y)
    base = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(tm.predict(X), base.predict(X))
    np.testing.assert_allclose(tm.predict_proba(X), base.predict_proba(X))
    np.testing.assert_allclose(tm.decision_function(X), base.decision_function(X))


@pytest.mark.parametrize("response_method", ["predict_proba", "decision_function"])
@pytest.mark.parametrize("pos_label", ["yes", "no"])
def test_fixed_matches_sklearn_fixed_threshold(response_method, pos_label):
    X, y = _data()
    threshold = 0.3 if response_method == "predict_proba" else -0.5
    ours = ThresholdMover(
        LogisticRegression(),
        "fixed",
        threshold=threshold,
        pos_label=pos_label,
        response_method=response_method,
    ).fit(X, y)
    peer = FixedThresholdClassifier(
        LogisticRegression(),
        threshold=threshold,
        pos_label=pos_label,
        response_method=response_method,
    ).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


def test_response_method_availability():
    X, y = _data()
    from sklearn.ensemble import RandomForestClassifier

    assert not hasattr(ThresholdMover(SVC(), "fixed"), "predict_proba")
    assert not hasattr(
        ThresholdMover(RandomForestClassifier(), "fixed"), "decision_function"
    )
    fitted = ThresholdMover(SVC(), "fixed").fit(X, y)
    assert not hasattr(fitted, "predict_proba")
    assert not hasattr(_rc().set_params(classifier=SVC()), "predict_proba")
    with pytest.raises(ValueError, match="CalibratedClassifierCV"):
        ThresholdMover(SVC(), "prior").fit(X, y)


@pytest.mark.parametrize("name", ["rc", "tm_fixed", "tm_deploy"])
def test_get_response_values_string_pos_label(name):
    X, y = _data()
    est = _estimators()[name].fit(X, y)
    proba, pos = _get_response_values(
        est, X, response_method="predict_proba", pos_label="yes"
    )
    assert pos == "yes"
    np.testing.assert_allclose(proba, est.predict_proba(X)[:, 1])
    neg, _ = _get_response_values(
        est, X, response_method="predict_proba", pos_label="no"
    )
    np.testing.assert_allclose(neg, est.predict_proba(X)[:, 0])
    pred, _ = _get_response_values(est, X, response_method="predict")
    np.testing.assert_array_equal(pred, est.predict(X))


def test_deploy_priors_move_proba_not_decision_function():
    # documented: decision_function is the estimator's own, unchanged
    X, y = _data()
    est = _estimators()["tm_deploy"].fit(X, y)
    inner = est.estimator_
    np.testing.assert_allclose(est.decision_function(X), inner.decision_function(X))
    assert not np.allclose(est.predict_proba(X), inner.predict_proba(X))
    np.testing.assert_allclose(est.predict_proba(X).sum(axis=1), 1.0)
    # ROC of moved probabilities: same ordering, same AUC as the inner model
    a = RocCurveDisplay.from_estimator(est, X, y, pos_label="yes").roc_auc
    b = RocCurveDisplay.from_estimator(inner, X, y, pos_label="yes").roc_auc
    assert a == pytest.approx(b)


@pytest.mark.parametrize("name", ["rc", "tm_fixed", "tm_deploy"])
def test_displays_from_estimator(name):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import CalibrationDisplay

    X, y = _data()
    est = _estimators()[name].fit(X, y)
    try:
        roc = RocCurveDisplay.from_estimator(est, X, y, pos_label="yes")
        assert 0.5 < roc.roc_auc <= 1
        pr = PrecisionRecallDisplay.from_estimator(est, X, y, pos_label="yes")
        assert 0 < pr.average_precision <= 1
        CalibrationDisplay.from_estimator(est, X, y, pos_label="yes", n_bins=3)
        cm = ConfusionMatrixDisplay.from_estimator(est, X, y)
        expected = ConfusionMatrixDisplay.from_predictions(y, est.predict(X))
        np.testing.assert_array_equal(cm.confusion_matrix, expected.confusion_matrix)
        DecisionBoundaryDisplay.from_estimator(
            est, X, grid_resolution=8, response_method="predict"
        )
        DecisionBoundaryDisplay.from_estimator(est, X, grid_resolution=8)
    finally:
        plt.close("all")


@pytest.mark.parametrize("name", ["rc", "tm_fixed", "tm_deploy"])
def test_permutation_importance_with_and_without_weights(name):
    X, y = _data()
    est = _estimators()[name].fit(X, y)
    w = np.random.default_rng(3).integers(0, 3, len(y)).astype(float)
    assert est.score(X, y, sample_weight=w) == pytest.approx(
        accuracy_score(y, est.predict(X), sample_weight=w)
    )
    plain = permutation_importance(est, X, y, n_repeats=2, random_state=0)
    weighted = permutation_importance(
        est, X, y, n_repeats=2, random_state=0, sample_weight=w
    )
    assert plain.importances.shape == (2, 2)
    # the weights reach the score: the baseline differs
    assert not np.allclose(plain.importances, weighted.importances)


def test_partial_dependence_string_classes():
    X, y = _data()
    est = _estimators()["tm_deploy"].fit(X, y)
    pdp = partial_dependence(est, X, ["a"], grid_resolution=5)
    assert pdp["average"].shape == (1, 5)
    # probability of the positive ('yes', last) class rises with feature a
    assert pdp["average"][0, -1] > pdp["average"][0, 0]


def test_learning_and_validation_curves():
    X, y = _data()
    sizes, train, test = learning_curve(
        _rc(), X, y, cv=3, train_sizes=[0.5, 1.0], error_score="raise"
    )
    assert test.shape == (2, 3)
    _, vtest = validation_curve(
        _rc(),
        X,
        y,
        param_name="sampler__sampling_strategy",
        param_range=[0.5, 1.0],
        cv=3,
        error_score="raise",
    )
    assert vtest.shape == (2, 3)
    _, ttest = validation_curve(
        ThresholdMover(LogisticRegression(), "fixed"),
        X,
        y,
        param_name="threshold",
        param_range=[0.05, 0.95],
        cv=3,
        error_score="raise",
    )
    # a threshold of 0.95 predicts (nearly) all 'no': accuracy near the base rate
    assert not np.allclose(ttest[0], ttest[1])


def test_validation_curve_imblearn_pipeline_matches_resampled_classifier():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y = _data()
    pipe = imblearn_pipeline.make_pipeline(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    _, a = validation_curve(
        pipe,
        X,
        y,
        param_name="randomundersampler__sampling_strategy",
        param_range=[0.5, 1.0],
        cv=3,
        error_score="raise",
    )
    _, b = validation_curve(
        _rc(),
        X,
        y,
        param_name="sampler__sampling_strategy",
        param_range=[0.5, 1.0],
        cv=3,
        error_score="raise",
    )
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("method", ["predict_proba", "decision_function"])
def test_cross_val_predict_methods(method):
    X, y = _data()
    for est in _estimators().values():
        out = cross_val_predict(est, X, y, cv=3, method=method)
        assert out.shape == ((len(y), 2) if method == "predict_proba" else (len(y),))


def test_cross_val_predict_fold_missing_class_fills_zero_column():
    rng = np.random.default_rng(2)
    y = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 10)
    X = pd.DataFrame({"num": rng.normal(size=90) + (y == "b") + 2 * (y == "c")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = cross_val_predict(_rc(), X, y, cv=KFold(3), method="predict_proba")
    assert out.shape == (90, 3)
    np.testing.assert_array_equal(out[-30:, 2], 0.0)  # 'c' unseen in the last fold


def test_tuned_with_time_series_split():
    X, y = _data()
    tm = ThresholdMover(LogisticRegression(), "tuned", cv=TimeSeriesSplit(3)).fit(X, y)
    assert np.isfinite(tm.threshold_)
    y2 = y.copy()
    y2[:40] = "no"  # first training fold holds one class
    with pytest.raises(ValueError, match="fold 0 training rows without the classes"):
        ThresholdMover(LogisticRegression(), "tuned", cv=TimeSeriesSplit(3)).fit(X, y2)


def test_multioutput_resampled_classifier():
    X, y = _data()
    Y = pd.DataFrame({"t1": y, "t2": np.where(X["b"] > 0.5, "hi", "lo")})
    w = np.where(y == "no", 2.0, 1.0)
    m = MultiOutputClassifier(_rc()).fit(X, Y, sample_weight=w)
    assert m.predict(X).shape == (len(y), 2)
    assert [e.classes_.tolist() for e in m.estimators_] == [["no", "yes"], ["hi", "lo"]]
    # balanced counts, weighted by the resampled weights: 'no' rows weigh 2
    np.testing.assert_allclose(m.estimators_[0].resampled_priors_, [2 / 3, 1 / 3])
    mt = MultiOutputClassifier(ThresholdMover(_rc(), "argmax")).fit(X, Y)
    assert [p.shape for p in mt.predict_proba(X)] == [(len(y), 2), (len(y), 2)]


def test_frozen_estimator_feature_names_passthrough():
    X, y = _data()
    lr = LogisticRegression().fit(X, y)
    tm = ThresholdMover(FrozenEstimator(lr), "fixed", threshold=0.3)
    with pytest.raises(NotFittedError):
        check_is_fitted(tm)
    tm.fit(X, y)
    assert tm.feature_names_in_.tolist() == ["a", "b"]
    assert tm.n_features_in_ == 2
