"""Round 16: class weights and the G-mean against scikit-learn and
imbalanced-learn, on the inputs users pass."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.metrics import geometric_mean_score
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import GridSearchCV
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.fixes import parse_version

from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

pl = pytest.importorskip("polars")

Y_TRUE = [0, 0, 1, 1, 2, 2]
Y_PRED = [0, 1, 1, 1, 2, 0]


@pytest.mark.parametrize(
    "y",
    [
        ["b", "a", "a", "c"],
        [True, False, False],
        [-3, -3, 7, 7, 7],
        pd.Series([0, 1, 1], index=[5, 6, 7]),
        pl.Series(["x", "y", "y"]),
    ],
)
def test_weights_equal_scikit_learn_on_user_labels(y):
    values = np.asarray(y)
    classes = np.unique(values)
    expected = compute_class_weight("balanced", classes=classes, y=values)
    assert class_weights(y) == pytest.approx(dict(zip(classes.tolist(), expected)))
    np.testing.assert_allclose(
        sample_weights(y), compute_sample_weight("balanced", values)
    )


@pytest.mark.parametrize("beta", [1, 1.5, -0.1, float("nan"), True, "0.9"])
def test_effective_number_beta_out_of_range_is_named(beta):
    with pytest.raises(ValueError, match="beta="):
        class_weights([0, 0, 1], "effective_number", beta=beta)


def test_effective_number_beta_zero_and_near_one():
    y = [0] * 90 + [1] * 10
    assert class_weights(y, "effective_number", beta=0) == {0: 1.0, 1: 1.0}
    near = class_weights(y, "effective_number", beta=1 - 1e-16)
    balanced = class_weights(y)
    scale = 2 / sum(balanced.values())
    assert near == pytest.approx({k: v * scale for k, v in balanced.items()})


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 0, 1, 1], [0, 1, 1, 1]),
        (["a", "b", "b"], ["a", "b", "a"]),
        ([True, False], [True, True]),
        (Y_TRUE, Y_PRED),
    ],
)
def test_g_mean_equals_imbalanced_learn(y_true, y_pred):
    assert g_mean_score(y_true, y_pred) == pytest.approx(
        geometric_mean_score(y_true, y_pred)
    )
    w = np.arange(1, len(y_true) + 1)
    assert g_mean_score(y_true, y_pred, sample_weight=list(w)) == pytest.approx(
        geometric_mean_score(y_true, y_pred, sample_weight=w)
    )


def test_g_mean_reads_a_one_column_y_true_as_scikit_learn_does():
    # It was refused ("y_true has shape (6, 1)") while a one-column y_pred
    # was read, and scikit-learn reads both with a DataConversionWarning.
    expected = geometric_mean_score(Y_TRUE, Y_PRED)
    for y_true in (
        pd.DataFrame({"target": Y_TRUE}),
        pl.DataFrame({"target": Y_TRUE}),
        np.array(Y_TRUE)[:, None],
    ):
        with pytest.warns(DataConversionWarning, match="y_true"):
            assert g_mean_score(y_true, Y_PRED) == pytest.approx(expected)
    with pytest.warns(DataConversionWarning, match="y_pred"):
        assert g_mean_score(Y_TRUE, pd.DataFrame({"p": Y_PRED})) == pytest.approx(
            expected
        )


@pytest.mark.parametrize("name", ["y_true", "y_pred"])
def test_g_mean_refuses_a_one_hot_matrix_naming_it(name):
    one_hot = np.eye(3, dtype=int)[Y_TRUE]
    args = {"y_true": Y_TRUE, "y_pred": Y_PRED, name: one_hot}
    with pytest.raises(ValueError, match=f"{name} has shape .*one-hot"):
        g_mean_score(**args)


@pytest.mark.parametrize(
    "y_pred",
    [
        ["a", None],
        [0.0, np.nan],
        pd.Series([0, None], dtype="Int64"),
        pl.Series([0, None]),
    ],
)
def test_g_mean_names_missing_predicted_labels(y_pred):
    # They failed as "'<' not supported between NoneType and str", "Input
    # y_pred contains NaN" or "a mix of binary and unknown targets".
    y_true = ["a", "b"] if isinstance(y_pred, list) and "a" in y_pred else [0, 1]
    with pytest.raises(ValueError, match="y_pred has missing labels"):
        g_mean_score(y_true, y_pred)


def test_g_mean_names_continuous_predictions():
    with pytest.raises(ValueError, match="y_pred is continuous"):
        g_mean_score([0, 1], [0.2, 0.7])


def test_g_mean_all_zero_sample_weight_is_named():
    # scikit-learn's recall_score (>= 1.8; before: recalls of 0 and a
    # warning) refuses it too, without naming the argument.
    if parse_version(sklearn.__version__) >= parse_version("1.8"):
        with pytest.raises(ValueError, match="Sample weights"):
            recall_score(Y_TRUE, Y_PRED, average=None, sample_weight=[0] * 6)
    with pytest.raises(ValueError, match="sample_weight is all zeros"):
        g_mean_score(Y_TRUE, Y_PRED, sample_weight=pd.Series([0.0] * 6))


def test_g_mean_inputs_that_were_right_are_unchanged():
    assert g_mean_score([1, 1], [1, 1]) == 1.0
    assert g_mean_score([0, 0, 1], [0, 0, 0]) == 0.0
    assert g_mean_score(Y_TRUE, Y_PRED, labels=[0, 1]) == pytest.approx(
        geometric_mean_score(Y_TRUE, Y_PRED, labels=[0, 1])
    )
    # Positional, as scikit-learn: the index of a Series is not aligned. But
    # y_pred holding y_true's index in another order is refused (review 59),
    # as the samplers and ThresholdMover refuse such a y; a fresh
    # RangeIndex is still paired by position.
    y_true = pd.Series([0, 1, 1], index=[3, 2, 1])
    y_pred = pd.Series([0, 1, 0], index=[1, 2, 3])
    with pytest.raises(ValueError, match="y_pred holds the index of y_true"):
        g_mean_score(y_true, y_pred)
    assert g_mean_score(y_true, y_pred.reset_index(drop=True)) == pytest.approx(
        0.5**0.5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g_mean_score(pl.Series(Y_TRUE), pl.Series(Y_PRED)) == pytest.approx(
            geometric_mean_score(Y_TRUE, Y_PRED)
        )
    for bad, match in (([], "y_true has shape"), (None, "y_true has shape")):
        with pytest.raises(ValueError, match=match):
            g_mean_score(bad, [])
    with pytest.raises(ValueError, match="sample_weight has shape"):
        g_mean_score(Y_TRUE, Y_PRED, sample_weight=[1, 2])


def test_g_mean_as_a_grid_search_scorer_with_string_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] > 0.8, "pos", "neg")
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, scoring=make_scorer(g_mean_score), cv=3
    ).fit(X, y)
    assert 0 < search.best_score_ <= 1
