"""Review 109: white-box audit of rebalance/threshold.py and rebalance/_tuning.py."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from rebalance import ThresholdMover


def _binary(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


def _three(n_per=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], n_per)
    X = rng.normal(size=(3 * n_per, 2)) + y[:, None]
    return X, y


def test_tuned_counts_zero_weight_class_is_left_out_as_dropped_rows():
    # Applied as repeated rows, a class of counts 0 is left out as if its
    # rows were dropped (review 51's decision, test_review51_weights51).
    X, y = _three()
    weights = np.where(y == 2, 0, 1)
    fitted = ThresholdMover(KNeighborsClassifier(), "tuned").fit(
        X, y, sample_weight=weights
    )
    assert fitted.classes_.tolist() == [0, 1]


def test_tuned_counts_zero_weight_class_names_the_weights_binary():
    X, y = _binary()
    weights = np.where(y == 1, 0, 1)
    with pytest.raises(ValueError, match="sample_weight"):
        ThresholdMover(KNeighborsClassifier(), "tuned").fit(X, y, sample_weight=weights)


def test_tuned_weighted_estimator_zero_weight_class_is_refused():
    X, y = _three()
    with pytest.raises(ValueError, match="sample_weight is 0 on every row"):
        ThresholdMover(LogisticRegression(), "tuned").fit(
            X, y, sample_weight=np.where(y == 2, 0.0, 1.0)
        )


def test_prior_zero_weight_class_is_refused_not_divided_by_zero():
    X, y = _binary()
    weights = np.where(y == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="training priors are unknown"):
        ThresholdMover(LogisticRegression(), "prior").fit(X, y, sample_weight=weights)
    with pytest.raises(ValueError, match="zero prior"):
        ThresholdMover(LogisticRegression(), "prior", train_priors=[1.0, 0.0]).fit(X, y)


def test_frozen_tuned_best_score_matches_predict_ties_included():
    # The metric counts a score equal to the threshold as positive (>=), as
    # predict does: the best score is reproduced by predict on the same rows.
    X, y = _binary()
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    moved = ThresholdMover(frozen, "tuned").fit(X, y)
    assert moved.threshold_ in moved.cv_results_["thresholds"][0]
    assert moved.best_score_ == pytest.approx(
        balanced_accuracy_score(y, moved.predict(X))
    )


def test_frozen_tuned_string_labels_shuffled_pandas_index():
    X, y = _binary()
    rng = np.random.default_rng(1)
    index = rng.permutation(len(y))
    ys = pd.Series(np.where(y == 1, "yes", "no"), index=index)
    Xd = pd.DataFrame(X, index=index, columns=["a", "b"])
    frozen = FrozenEstimator(LogisticRegression().fit(Xd, ys))
    moved = ThresholdMover(frozen, "tuned").fit(Xd, ys)
    assert moved.best_score_ == pytest.approx(
        balanced_accuracy_score(ys, moved.predict(Xd))
    )


def test_fit_leaves_inputs_unchanged():
    X, y = _binary()
    weights = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    Xc, yc, wc = X.copy(), y.copy(), weights.copy()
    ThresholdMover(LogisticRegression(), "tuned", deploy_priors="train").fit(
        Xc, yc, sample_weight=wc
    )
    assert np.array_equal(Xc, X) and np.array_equal(yc, y)
    assert np.array_equal(wc, weights)


def test_refit_with_other_strategy_drops_tuned_attributes():
    X, y = _binary()
    moved = ThresholdMover(LogisticRegression(), "tuned").fit(X, y)
    moved.set_params(strategy="argmax").fit(X, y)
    for name in ("threshold_", "best_score_", "cv_results_"):
        assert not hasattr(moved, name)


def test_cv_rows_negative_and_uint64_positions():
    X, y = _binary()
    negative = [
        (np.arange(-200, -50), np.arange(150, 200)),
        (np.arange(50, 200), np.arange(0, 50)),
    ]
    positive = [
        (np.arange(0, 150), np.arange(150, 200)),
        (np.arange(50, 200), np.arange(0, 50)),
    ]
    a = ThresholdMover(LogisticRegression(), "tuned", cv=negative).fit(X, y)
    b = ThresholdMover(LogisticRegression(), "tuned", cv=positive).fit(X, y)
    assert a.threshold_ == b.threshold_
    unsigned = [(np.arange(0, 150, dtype=np.uint64), np.array([150, 250], np.uint64))]
    with pytest.raises(ValueError, match="validation row 250, outside the 200"):
        ThresholdMover(LogisticRegression(), "tuned", cv=unsigned).fit(X, y)


def test_empty_cv_list_refused_before_fit():
    X, y = _binary()
    with pytest.raises(ValueError, match="no \\(train, validation\\) folds"):
        ThresholdMover(LogisticRegression(), "tuned", cv=[]).fit(X, y)


def test_cost_dataframe_read_by_label_in_other_order():
    X, y = _binary()
    cost = pd.DataFrame([[0, 5], [1, 0]], index=[1, 0], columns=[1, 0])
    moved = ThresholdMover(LogisticRegression(), "cost", cost_matrix=cost).fit(X, y)
    assert np.array_equal(moved.cost_matrix_, [[0.0, 1.0], [5.0, 0.0]])


def test_tuned_sparse_coo_and_polars_match_numpy():
    sp = pytest.importorskip("scipy.sparse")
    pl = pytest.importorskip("polars")
    X, y = _binary()
    expected = ThresholdMover(LogisticRegression(), "tuned").fit(X, y).threshold_
    coo = ThresholdMover(LogisticRegression(), "tuned").fit(sp.coo_matrix(X), y)
    frame = pl.DataFrame(X, schema=["a", "b"])
    polars = ThresholdMover(LogisticRegression(), "tuned").fit(frame, pl.Series(y))
    assert coo.threshold_ == pytest.approx(expected)
    assert polars.threshold_ == pytest.approx(expected)


def test_tuned_precomputed_kernel_splits_columns_too():
    X, y = _binary()
    moved = ThresholdMover(SVC(kernel="precomputed"), "tuned").fit(X @ X.T, y)
    assert moved.predict(X[:5] @ X.T).shape == (5,)


def test_multiclass_ovo_decision_function_refused():
    X, y = _three()
    with pytest.raises(ValueError, match="one-vs-one"):
        ThresholdMover(SVC(decision_function_shape="ovo"), "tuned").fit(X, y)


def test_given_thresholds_sorted_and_cast():
    X, y = _binary()
    moved = ThresholdMover(
        LogisticRegression(), "tuned", thresholds=np.array([0.9, 0.1, 0.5], np.float16)
    ).fit(X, y)
    tried = moved.cv_results_["thresholds"][0]
    assert tried.dtype == np.float64
    assert np.all(np.diff(tried) > 0)
    counted = ThresholdMover(LogisticRegression(), "tuned", thresholds=np.int64(7))
    assert counted.fit(X, y).cv_results_["thresholds"].shape == (1, 7)


def test_bool_threshold_refused():
    X, y = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="threshold"):
            ThresholdMover(LogisticRegression(), "fixed", threshold=True).fit(X, y)


@pytest.mark.parametrize("strategy", ["argmax", "prior", "tuned"])
def test_counts_leaving_one_class_name_the_weights(strategy):
    # Every class but one of counts 0: refused naming sample_weight, not
    # "y has one class only".
    X, y = _three()
    weights = np.where(y == 0, 1, 0)
    with pytest.raises(ValueError, match="sample_weight is 0 on every row"):
        ThresholdMover(KNeighborsClassifier(), strategy).fit(
            X, y, sample_weight=weights
        )
    # positive counts for two classes: fitted on those two
    fitted = ThresholdMover(KNeighborsClassifier(), strategy).fit(
        X, y, sample_weight=np.where(y == 2, 0, 2)
    )
    assert fitted.classes_.tolist() == [0, 1]
