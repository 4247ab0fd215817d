"""Review 28, peers' own tests run against the small public modules:
imbalanced-learn's geometric_mean_score and make_imbalance tests, and
scikit-learn's compute_class_weight / compute_sample_weight tests, ported to
rebalance's g_mean_score, class_weights / sample_weights and thin_class. The
bugs found (each test fails on the code as reviewed), then the ported tests."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.metrics import geometric_mean_score
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance.datasets import thin_class
from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

Y_TRUE = [0, 1, 1, 0, 1]
Y_PRED = [0, 1, 0, 0, 1]
EXPECTED = np.sqrt(1.0 * 2 / 3)

# ------------------- bug 1: labels held as Python objects (a pandas object
# ------------------- column of ints or booleans) crashed g_mean_score


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        (pd.Series(Y_TRUE, dtype=object), pd.Series(Y_PRED, dtype=object)),
        (np.array(Y_TRUE, dtype=object), Y_PRED),
        (Y_TRUE, np.array(Y_PRED, dtype=object)),
        (
            np.array(Y_TRUE, dtype=bool).astype(object),
            np.array(Y_PRED, dtype=bool).astype(object),
        ),
    ],
    ids=["object-series", "object-true", "object-pred", "object-bools"],
)
def test_g_mean_of_number_labels_held_as_objects(y_true, y_pred):
    # rebalance reads these as class labels (class_weights, the samplers),
    # but g_mean_score raised scikit-learn's "unknown is not supported" (an
    # object array of ints is of 'unknown' target type there).
    assert g_mean_score(y_true, y_pred) == pytest.approx(EXPECTED)
    weights = [1, 2, 1, 1, 1]
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        g_mean_score(Y_TRUE, Y_PRED, sample_weight=weights)
    )


# ---------------------- bug 2: labels of the other kind than y_true's classes
# ---------------------- gave a G-mean of 0 (or another class's) without a word


@pytest.mark.parametrize(
    "y_true, labels",
    [
        (["a", "b", "a", "b"], [0, 1]),  # was 0.0
        ([0.0, 1.0, 1.0, 0.0], ["1"]),  # was 0.0
        ([0, 1, 1, 0], ["1"]),  # was 0.5: '1' read as 1 by scikit-learn
        ([0, 1, 1, 0], [0, "1"]),
    ],
)
def test_g_mean_labels_of_the_other_kind_are_refused(y_true, labels):
    with pytest.raises(ValueError, match="labels has (strings|numbers)"):
        g_mean_score(y_true, y_true, labels=labels)


def test_g_mean_labels_of_the_same_kind_still_work():
    assert g_mean_score([0, 1, 1, 0], [0, 1, 0, 0], labels=[1.0]) == 0.5
    assert g_mean_score([True, False], [True, True], labels=[0, 1]) == 0.0
    assert g_mean_score(["a", "b"], ["a", "b"], labels=np.array(["b"])) == 1.0
    # A class of the same kind that y_true lacks is still recall 0 (documented).
    assert g_mean_score(["a", "b"], ["a", "b"], labels=["a", "z"]) == 0.0


@pytest.mark.parametrize("labels", [[0.0, np.nan], [0, None], [1, pd.NA]])
def test_g_mean_labels_with_missing_values_are_refused(labels):
    # NaN gave a G-mean of 0 without a word, None a TypeError from a sort.
    with pytest.raises(ValueError, match="labels has missing values"):
        g_mean_score([0, 1, 1], [0, 1, 1], labels=labels)


def test_g_mean_predictions_of_the_other_kind_name_y_pred():
    # scikit-learn's "Mix of label input types" did not say which argument.
    with pytest.raises(ValueError, match="y_pred has strings"):
        g_mean_score([0, 1, 0, 1], ["0", "1", "0", "1"])
    with pytest.raises(ValueError, match="y_pred has numbers"):
        g_mean_score(["a", "b"], [0, 1])


# ------------------- bug 3: thin_class with several classes as minority


@pytest.mark.parametrize("minority", [np.array([0, 1]), [1], (1,), {1}])
def test_thin_class_minority_must_be_one_label(minority):
    # An array raised numpy's "truth value of an array ... is ambiguous"; a
    # list "is not a class of y".
    X, y = np.zeros((100, 1)), np.array([0] * 50 + [1] * 50)
    with pytest.raises(ValueError, match="is not one class label"):
        thin_class(X, y, 0.2, minority=minority)
    _, y_thin = thin_class(X, y, 0.2, minority=np.int64(1), random_state=0)
    assert np.bincount(y_thin).tolist() == [50, 10]


@pytest.mark.parametrize("ratio", [{0: 10}, lambda y: {0: 10}])
def test_thin_class_sampling_strategy_points_to_imbalanced_learn(ratio):
    # A call ported from imbalanced-learn's make_imbalance (a dict or
    # callable of counts) now names the function that takes those.
    X, y = np.zeros((100, 1)), np.array([0] * 50 + [1] * 50)
    with pytest.raises(ValueError, match="imblearn.datasets.make_imbalance"):
        thin_class(X, y, ratio)


# ======================================================= ported peer tests
# imbalanced-learn's imblearn/metrics/tests/test_classification.py


def _make_prediction(binary):
    # imbalanced-learn's make_prediction: iris with 200 noise features per
    # feature, a logistic regression fitted on one half, scored on the other.
    dataset = load_iris()
    X, y = dataset.data, dataset.target
    if binary:
        X, y = X[y < 2], y[y < 2]
    n_samples, n_features = X.shape
    p = np.arange(n_samples)
    np.random.RandomState(37).shuffle(p)
    X, y = X[p], y[p]
    half = int(n_samples / 2)
    X = np.c_[X, np.random.RandomState(0).randn(n_samples, 200 * n_features)]
    y_pred = LogisticRegression().fit(X[:half], y[:half]).predict(X[half:])
    return y[half:], y_pred


@pytest.mark.parametrize("binary, expected", [(True, 0.77), (False, 0.36)])
def test_g_mean_of_imbalanced_learn_predictions(binary, expected):
    y_true, y_pred = _make_prediction(binary)
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected, rel=1e-2)
    assert g_mean_score(y_true, y_pred) == pytest.approx(
        geometric_mean_score(y_true, y_pred)
    )
    # String labels (iris' target names) give the same G-mean.
    names = load_iris().target_names
    assert g_mean_score(names[y_true], names[y_pred]) == pytest.approx(
        g_mean_score(y_true, y_pred)
    )


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),
        ([0, 0, 1, 1], [0, 1, 1, 0], 0.5),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 0.0),
    ],
)
@pytest.mark.parametrize(
    "form",
    [
        np.asarray,
        lambda y: pd.Series(y, dtype="category"),
        lambda y: pd.Series(y, dtype=object),
        lambda y: pd.Series(y, dtype="Int64"),
    ],
    ids=["numpy", "categorical", "object", "nullable"],
)
def test_g_mean_multiclass_cases_in_every_container(y_true, y_pred, expected, form):
    # test_geometric_mean_multiclass (correction=0) with pandas labels.
    assert g_mean_score(form(y_true), form(y_pred)) == pytest.approx(expected)


def test_g_mean_multilabel_input_is_refused_naming_the_argument():
    Y = np.array([[0, 1, 1], [1, 0, 1]])
    with pytest.raises(ValueError, match="y_true"):
        g_mean_score(Y, Y)


# scikit-learn's sklearn/utils/tests/test_class_weight.py


def test_balanced_weights_of_negative_and_unordered_labels():
    # test_compute_class_weight_balanced_negative / _unordered
    y = np.asarray([-1, -1, 0, 0, -2, -2])
    assert class_weights(y) == {-2: 1.0, -1: 1.0, 0: 1.0}
    y = np.asarray([1, 0, 0, 3, 3, 3])
    expected = compute_class_weight("balanced", classes=np.array([0, 1, 3]), y=y)
    assert list(class_weights(y).values()) == pytest.approx(expected)
    assert list(class_weights(y)) == [0, 1, 3]


def test_balanced_sample_weights_of_more_than_32_and_256_classes():
    # test_compute_sample_weight_more_than_32 (codes fit in uint8 below 256)
    for n in (50, 300):
        np.testing.assert_allclose(sample_weights(np.arange(n)), np.ones(n))
        y = np.repeat(np.arange(n), np.arange(n) % 3 + 1)
        np.testing.assert_allclose(
            sample_weights(y), compute_sample_weight("balanced", y)
        )


def test_sparse_labels_are_refused_not_guessed():
    # test_compute_sample_weight_sparse: scikit-learn reads a sparse column;
    # rebalance asks for dense labels (a deliberate difference).
    y = sp.csc_matrix(np.asarray([[0], [1], [1]]))
    for function in (class_weights, sample_weights):
        with pytest.raises(TypeError, match="sparse"):
            function(y)


@pytest.mark.parametrize(
    "y",
    [
        pd.Series([0, 1, 1], dtype=object),
        pd.Series(pd.Categorical(["b", "a", "a"], categories=["z", "a", "b"])),
    ],
    ids=["object", "categorical-unused"],
)
def test_weights_of_pandas_labels_match_scikit_learn(y):
    plain = np.asarray(y.astype(str) if y.dtype == object else y.astype(object))
    got = sample_weights(y)
    np.testing.assert_allclose(got, compute_sample_weight("balanced", plain))
    # An unused category gets no weight (compute_class_weight refuses a class
    # without rows; weights of a class that never occurs would be inf).
    assert len(class_weights(y)) == 2


# imbalanced-learn's imblearn/datasets/tests/test_imbalance.py


@pytest.mark.parametrize("as_frame", [True, False], ids=["dataframe", "array"])
def test_thin_class_of_iris_with_string_labels(as_frame):
    # test_make_imbalanced_iris: the kept rows of X and y stay paired, and
    # pandas inputs keep the index of the kept rows.
    iris = load_iris(as_frame=as_frame)
    X, y = iris.data, iris.target_names[iris.target]
    if as_frame:
        y = pd.Series(y, name="target")
    X_res, y_res = thin_class(X, y, 0.2, minority="virginica", random_state=0)
    assert Counter(np.asarray(y_res)) == {
        "setosa": 50,
        "versicolor": 50,
        "virginica": 10,
    }
    targets = iris.target_names[np.asarray(iris.target)]
    if as_frame:
        pd.testing.assert_index_equal(X_res.index, y_res.index)
        assert (targets[X_res.index] == y_res.to_numpy()).all()
        pd.testing.assert_frame_equal(X_res, X.loc[X_res.index])
    else:
        rows = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in X_res]
        assert (targets[rows] == y_res).all()


def test_thin_class_random_state_forms_agree():
    X, y = np.arange(100)[:, None], np.array([0] * 50 + [1] * 50)
    a = thin_class(X, y, 0.2, random_state=3)[0]
    b = thin_class(X, y, 0.2, random_state=np.int64(3))[0]
    np.testing.assert_array_equal(a, b)
    for make in (np.random.RandomState, np.random.default_rng):
        c = thin_class(X, y, 0.2, random_state=make(3))[0]
        np.testing.assert_array_equal(c, thin_class(X, y, 0.2, random_state=make(3))[0])
        assert len(c) == 60
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        thin_class(X, y, 0.2, random_state=None)
