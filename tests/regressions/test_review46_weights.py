"""Review 46, peers' test suites: scikit-learn's
sklearn/utils/tests/test_class_weight.py, imbalanced-learn's
imblearn/metrics/tests/test_classification.py and test_score_objects.py, and
the invariance checks of scikit-learn's sklearn/metrics/tests/test_common.py,
ported to rebalance's class_weights / sample_weights and g_mean_score. The bugs
found first (each test fails on the code as reviewed), then the ported tests
(review 28 ported a few of the same cases; these are the rest, and the
invariance suite)."""

import warnings
from functools import partial
from itertools import product

import numpy as np
import pandas as pd
import polars as pl
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import shuffle
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

# ------------- bug 1: a tuning scorer that names its own labels scored none
# ------------- of them (every threshold 0, the lowest one "best"), silently


@pytest.fixture(scope="module")
def binary_data():
    return make_classification(200, weights=[0.85], random_state=0)


@pytest.mark.parametrize(
    "names", [np.array([3, 7]), np.array(["neg", "pos"])], ids=["ints", "strings"]
)
def test_tuning_with_a_scorer_naming_its_labels_scores_them(binary_data, names):
    X, y01 = binary_data
    y = names[y01]
    labels = names.tolist()
    tune = partial(
        ThresholdMover, LogisticRegression(), strategy="tuned", thresholds=10, cv=3
    )
    reference = tune(scoring="g_mean").fit(X, y)
    assert reference.best_score_ > 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "ill-defined" warning per threshold
        own = tune(scoring=make_scorer(g_mean_score, labels=labels)).fit(X, y)
    assert own.best_score_ == pytest.approx(reference.best_score_)
    assert own.threshold_ == reference.threshold_
    # A scikit-learn metric with labels (and pos_label=None, which averaging
    # asks for there too): the macro F1 of the classes, as 'f1_macro'.
    f1_macro = tune(scoring="f1_macro").fit(X, y)
    named = make_scorer(f1_score, labels=labels, average="macro", pos_label=None)
    f1_named = tune(scoring=named).fit(X, y)
    assert f1_named.best_score_ == pytest.approx(f1_macro.best_score_)
    assert f1_named.threshold_ == f1_macro.threshold_


@pytest.mark.parametrize(
    "scorer",
    [
        make_scorer(g_mean_score, labels=["neg", "positive"]),
        make_scorer(f1_score, labels=[0, 1], average="macro", pos_label=None),
    ],
    ids=["typo", "other-kind"],
)
def test_tuning_refuses_scorer_labels_that_are_not_classes(binary_data, scorer):
    # Their rows never exist: every threshold scored 0 (or the mean of the
    # other classes' F1), without a word.
    X, y01 = binary_data
    y = np.array(["neg", "pos"])[y01]
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scorer)
    with pytest.raises(ValueError, match=r"are not classes of y"):
        mover.fit(X, y)


def test_multiclass_tuning_refuses_a_scorer_naming_labels():
    # One-vs-rest scores labels 0 and 1: labels=[0, 1, 2] scored class 2's
    # recall 0 at every threshold (a G-mean of 0 throughout), without a word.
    X, y = make_classification(
        200, n_classes=3, n_informative=4, weights=[0.7, 0.2], random_state=0
    )
    scorer = make_scorer(g_mean_score, labels=[0, 1, 2])
    mover = ThresholdMover(LogisticRegression(), strategy="tuned", scoring=scorer)
    with pytest.raises(ValueError, match=r"labels=\[0, 1, 2\].*multiclass"):
        mover.fit(X, y)


# ------------- bug 2: scikit-learn's argument order (weighting first) was
# ------------- refused without saying that the labels come first here


@pytest.mark.parametrize("function", [class_weights, sample_weights])
@pytest.mark.parametrize("weighting", ["balanced", None, {0: 1.0, 1: 2.0}])
def test_scikit_learn_argument_order_is_named(function, weighting):
    y = np.array([0, 0, 0, 1])
    name = function.__name__
    with pytest.raises(ValueError, match=rf"{name} takes the labels first"):
        function(weighting, y)
    # A bad method alone is not told about the order.
    with pytest.raises(ValueError) as info:
        function(y, "Balanced")
    assert "labels first" not in str(info.value)


# -------------------------------------------- sklearn test_class_weight.py


def test_compute_class_weight():
    y = np.asarray([2, 2, 2, 3, 3, 4])
    cw = np.array(list(class_weights(y).values()))
    # total effect of samples is preserved
    assert np.dot(cw, np.bincount(y)[2:]) == pytest.approx(y.shape[0])
    assert cw[0] < cw[1] < cw[2]
    np.testing.assert_allclose(
        cw, compute_class_weight("balanced", classes=np.unique(y), y=y)
    )


def test_compute_class_weight_invariance():
    # Balanced weights give the same model whichever class is duplicated.
    X, y = make_blobs(centers=2, random_state=0)
    X_1 = np.vstack([X] + [X[y == 1]] * 2)
    y_1 = np.hstack([y] + [y[y == 1]] * 2)
    X_0 = np.vstack([X] + [X[y == 0]] * 2)
    y_0 = np.hstack([y] + [y[y == 0]] * 2)
    X_, y_ = np.vstack([X] * 2), np.hstack([y] * 2)
    coefs = [
        LogisticRegression(class_weight=class_weights(yy)).fit(XX, yy).coef_
        for XX, yy in ((X_1, y_1), (X_0, y_0), (X_, y_))
    ]
    np.testing.assert_array_almost_equal(coefs[0], coefs[1])
    np.testing.assert_array_almost_equal(coefs[2], coefs[1])
    weighted = LogisticRegression().fit(X_1, y_1, sample_weight=sample_weights(y_1))
    np.testing.assert_array_almost_equal(weighted.coef_, coefs[0], decimal=4)


def test_compute_class_weight_balanced_sample_weight_equivalence():
    # class_weights has no sample_weight: the repeated rows are its
    # counterpart, equal to scikit-learn's weighted counts.
    classes = np.array([-2, -1, 0])
    y = np.asarray([-1, -1, 0, 0, -2, -2])
    sw = np.asarray([1, 0, 1, 1, 1, 2])
    # scikit-learn's weighted counts (its sample_weight= is from 1.7 on)
    counts = np.bincount(y + 2, weights=sw)
    weighted = counts.sum() / (len(classes) * counts)
    repeated = class_weights(np.repeat(y, sw))
    assert list(repeated) == classes.tolist()
    np.testing.assert_allclose(list(repeated.values()), weighted)


def test_compute_sample_weight():
    y = np.asarray([1, 1, 1, 2, 2, 2])
    np.testing.assert_array_almost_equal(sample_weights(y), np.ones(6))
    # A column vector of labels reads as its column.
    np.testing.assert_array_almost_equal(sample_weights(y.reshape(-1, 1)), np.ones(6))
    y = np.asarray([1, 1, 1, 2, 2, 2, 3])
    expected = np.array([0.7777, 0.7777, 0.7777, 0.7777, 0.7777, 0.7777, 2.3333])
    np.testing.assert_array_almost_equal(sample_weights(y), expected, decimal=4)


@pytest.mark.parametrize(
    "y",
    [
        [[1, 0], [1, 0], [1, 0], [2, 1], [2, 1], [2, 1]],
        [[1, 0], [1, 0], [1, 0], [2, 1], [2, 1], [2, 1], [3, -1]],
    ],
)
def test_multi_output_labels_are_refused_naming_y(y):
    # scikit-learn multiplies the weights of each output; rebalance weighs
    # one label per row (a documented difference).
    for function in (class_weights, sample_weights):
        with pytest.raises(ValueError, match=r"y has shape \(\d, 2\)"):
            function(np.asarray(y))


@pytest.mark.parametrize(
    "y, indices",
    [
        ([1, 1, 1, 2, 2, 2], range(6)),
        ([1, 1, 1, 2, 2, 2], range(4)),
        ([1, 1, 1, 2, 2, 2], [0, 1, 1, 2, 2, 3]),
        ([1, 1, 1, 2, 2, 2, 3], range(6)),
        (np.arange(50), np.arange(50)),
    ],
)
def test_compute_sample_weight_with_subsample(y, indices):
    # No indices argument: the weights of the subsample's rows are those of
    # the subsample, as scikit-learn's compute_sample_weight(indices=...).
    y = np.asarray(y)
    rows = np.asarray(list(indices))
    expected = compute_sample_weight("balanced", y, indices=indices)[rows]
    np.testing.assert_allclose(sample_weights(y[rows]), expected)


def test_one_hot_labels_are_one_class_per_row():
    # scikit-learn reads a 2-D y as several outputs; rebalance (documented)
    # as one class per row, the weights of its argmax.
    y = np.array([0, 0, 0, 1, 2])
    one_hot = np.eye(3)[y]
    np.testing.assert_allclose(sample_weights(one_hot), sample_weights(y))
    assert class_weights(one_hot) == class_weights(y)


@pytest.mark.parametrize(
    "form",
    [
        lambda y: y,
        lambda y: np.array(["a", "b", "c"])[y],
        lambda y: np.array(["a", "b", "c"], dtype=object)[y],
        lambda y: pd.Series(pd.Categorical(np.array(["z", "y", "x"])[y])),
        lambda y: y.astype(float),
        lambda y: y * 1000 - 7,
        lambda y: y == 2,
    ],
    ids=["int", "str", "object", "categorical", "float", "shifted", "bool"],
)
def test_class_weight_dicts_fit_the_balanced_model(form):
    # The dict is accepted by class_weight= as scikit-learn's own 'balanced'.
    X, y = make_classification(
        200, n_classes=3, n_informative=4, weights=[0.8, 0.15], random_state=0
    )
    y = form(y)
    for estimator in (LogisticRegression(max_iter=500), DecisionTreeClassifier()):
        ours = estimator.set_params(class_weight=class_weights(y))
        ours = ours.fit(X, y).predict(X)
        theirs = estimator.set_params(class_weight="balanced").fit(X, y).predict(X)
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(max_iter=500),
        HistGradientBoostingClassifier(max_iter=5, random_state=0),
    ],
)
@pytest.mark.parametrize(
    "names", [np.array(["0", "1", "2"]), np.array([3, 17, 40])], ids=["digits", "ints"]
)
def test_sample_weights_fit_the_balanced_model_where_the_dict_cannot(estimator, names):
    # The documented way around scikit-learn's class_weight dicts of
    # HistGradientBoostingClassifier (keys read as positions) and of 1.9's
    # labels of digits (keys looked up as ints, scikit-learn issue #34883).
    X, y = make_classification(
        200, n_classes=3, n_informative=4, weights=[0.8, 0.15], random_state=0
    )
    y = names[y]
    ours = clone(estimator).fit(X, y, sample_weight=sample_weights(y)).predict(X)
    theirs = clone(estimator).set_params(class_weight="balanced").fit(X, y)
    np.testing.assert_array_equal(ours, theirs.predict(X))


# ---------------- imbalanced-learn test_classification.py (geometric mean)


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        # correction=0.001 in imbalanced-learn, with no recall of 0 (the
        # correction changes nothing)
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),
        ([0, 0, 1, 1], [0, 1, 1, 0], 0.5),
        ([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5], 1.0),
        ([0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], (0.5 * 0.75) ** 0.5),
        # correction=0 in imbalanced-learn
        ([0, 0, 0, 0], [1, 1, 1, 1], 0.0),
        # with a recall of 0, imbalanced-learn's correction=0.001 gives 0.001
        # and (0.001**2)**(1/3): rebalance has no correction (documented)
        ([0, 0, 0, 0], [1, 1, 1, 1], 0.0),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 0.0),
    ],
)
def test_geometric_mean_multiclass(y_true, y_pred, expected):
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected, rel=1e-2)


@pytest.mark.parametrize(
    "y_true, y_pred, labels, expected",
    [
        # test_sensitivity_specificity_f_binary_single_class
        ([1, 1], [1, 1], None, 1.0),
        ([-1, -1], [-1, -1], None, 1.0),
        # test_sensitivity_specificity_extra_labels: classes 0 and 4 have no
        # rows, recall 0
        ([1, 3, 3, 2], [1, 1, 3, 2], [0, 1, 2, 3, 4], 0.0),
        # test_sensitivity_specificity_ignored_labels
        ([1, 1, 2, 3], [1, 3, 3, 3], [1, 3], 0.5**0.5),
        ([1, 1, 2, 3], [1, 3, 3, 3], None, 0.0),
        # test_sensitivity_specificity_unused_pos_label
        ([1, 2, 1], [1, 2, 2], None, 0.5**0.5),
    ],
)
@pytest.mark.filterwarnings("ignore:Recall is ill-defined")  # imbalanced-learn's
def test_geometric_mean_of_the_sensitivity_cases(y_true, y_pred, labels, expected):
    # imbalanced-learn's sensitivity / specificity cases, as G-means.
    score = g_mean_score(y_true, y_pred, labels=labels)
    assert score == pytest.approx(expected)
    assert score == pytest.approx(geometric_mean_score(y_true, y_pred, labels=labels))


@pytest.mark.parametrize("sample_weight", [None, [1, 2, 1, 1, 2, 1]])
def test_geometric_mean_sample_weight(sample_weight):
    y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 0, 1]
    score = g_mean_score(y_true, y_pred, labels=[0, 1], sample_weight=sample_weight)
    assert score == pytest.approx(0.707, rel=1e-2)
    assert score == pytest.approx(
        geometric_mean_score(y_true, y_pred, labels=[0, 1], sample_weight=sample_weight)
    )


def test_geometric_mean_as_a_grid_search_scorer():
    # test_score_objects.py: test_scorer_default_average (multiclass G-mean)
    X, y = make_blobs(random_state=0, centers=2)
    X_train, _, y_train, _ = train_test_split(X, y, random_state=0)
    grid = GridSearchCV(
        LogisticRegression(),
        param_grid={"C": [1, 10]},
        scoring=make_scorer(g_mean_score),
        cv=3,
    ).fit(X_train, y_train)
    assert grid.best_score_ >= 0.90


# ------------- scikit-learn metrics/tests/test_common.py on g_mean_score


def test_sample_order_invariance():
    rng = np.random.RandomState(0)
    y_true, y_pred = rng.randint(0, 2, size=20), rng.randint(0, 2, size=20)
    y_true_shuffle, y_pred_shuffle = shuffle(y_true, y_pred, random_state=0)
    assert g_mean_score(y_true, y_pred) == pytest.approx(
        g_mean_score(y_true_shuffle, y_pred_shuffle)
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_format_invariance_with_1d_vectors():
    rng = np.random.RandomState(0)
    y1, y2 = rng.randint(0, 2, size=20), rng.randint(0, 2, size=20)
    measure = g_mean_score(y1, y2)
    forms = {
        "list": list,
        "1d": np.asarray,
        "column": lambda y: np.reshape(y, (-1, 1)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        for (a, fa), (b, fb) in product(forms.items(), repeat=2):
            assert g_mean_score(fa(y1), fb(y2)) == pytest.approx(measure), (a, b)
    row1, row2 = y1.reshape(1, -1), y2.reshape(1, -1)
    for a, b in [
        (y1, row2),
        (row1, y2),
        (list(y1), row2),
        (row1, list(y2)),
        (y1.reshape(-1, 1), row2),
        (row1, y2.reshape(-1, 1)),
        (row1, row2),
    ]:
        with pytest.raises(ValueError, match=r"y_(true|pred) has shape \(1, 20\)"):
            g_mean_score(a, b)


def test_classification_metrics_raise_on_empty_input():
    with pytest.raises(ValueError, match=r"y_true has shape \(0,\)"):
        g_mean_score(np.array([]), np.array([]))


def test_classification_with_invalid_sample_weight():
    rng = np.random.RandomState(0)
    y1, y2 = rng.randint(0, 2, size=20), rng.randint(0, 2, size=20)
    with pytest.raises(ValueError, match=r"sample_weight has shape \(19,\)"):
        g_mean_score(y1, y2, sample_weight=rng.random_sample(19))
    sample_weight = rng.random_sample(20)
    for bad in (np.inf, np.nan):
        sample_weight[0] = bad
        with pytest.raises(ValueError, match="sample_weight must hold finite"):
            g_mean_score(y1, y2, sample_weight=sample_weight)
    with pytest.raises(ValueError, match="sample_weight must hold numbers"):
        g_mean_score(y1[:3], y2[:3], sample_weight=np.array([1 + 2j, 3 + 4j, 5 + 7j]))
    with pytest.raises(ValueError, match=r"sample_weight has shape \(20, 2\)"):
        g_mean_score(y1, y2, sample_weight=rng.random_sample(40).reshape(20, 2))


def test_classification_invariance_string_vs_numbers_labels():
    rng = np.random.RandomState(0)
    y1, y2 = rng.randint(0, 2, size=20), rng.randint(0, 2, size=20)
    names = np.array(["eggs", "spam"])
    measure = g_mean_score(y1, y2)
    for dtype in (names.dtype, object):
        s1, s2 = names[y1].astype(dtype), names[y2].astype(dtype)
        assert g_mean_score(s1, s2) == measure
        assert g_mean_score(s1, s2, labels=["eggs", "spam"]) == measure


@pytest.mark.parametrize(
    "y_true, y_pred, name, what",
    [
        ([0, 1], [np.inf, np.inf], "y_pred", "infinity"),
        ([0, 1], [np.nan, np.nan], "y_pred", "missing labels"),
        ([0, 1], [np.nan, np.inf], "y_pred", "missing labels"),
        ([0, 1], [np.inf, 1], "y_pred", "infinity"),
        ([0, 1], [np.nan, 1], "y_pred", "missing labels"),
        ([np.nan, 1, 2], [1, 2, 3], "y_true", "missing labels"),
        ([np.inf, 1, 2], [1, 2, 3], "y_true", "infinity"),
    ],
)
def test_classification_inf_nan_input(y_true, y_pred, name, what):
    with pytest.raises(ValueError, match=f"{name} (contains|has) {what}"):
        g_mean_score(y_true, y_pred)


def test_classification_binary_continuous_input():
    with pytest.raises(ValueError, match="y_pred is continuous"):
        g_mean_score(["a", "b", "a"], [0.1, 0.2, 0.3])


def test_single_sample():
    for i, j in product([0, 1], repeat=2):
        assert g_mean_score([i], [j]) == float(i == j)


@pytest.mark.parametrize(
    "y1",
    [
        np.array(["spam"] * 3 + ["eggs"] * 2, dtype=object),
        np.array(["spam"] * 3 + ["eggs"] * 2),
        ["spam"] * 3 + ["eggs"] * 2,
    ],
)
def test_metrics_consistent_type_error(y1):
    y2 = np.random.RandomState(42).randint(0, 2, size=5)
    with pytest.raises(ValueError, match="y_pred has numbers"):
        g_mean_score(y1, y2)


def test_not_symmetric_metric():
    rng = np.random.RandomState(0)
    asymmetric = False
    for _ in range(5):
        y_true, y_pred = rng.randint(0, 2, size=20), rng.randint(0, 2, size=20)
        if g_mean_score(y_true, y_pred) != pytest.approx(g_mean_score(y_pred, y_true)):
            asymmetric = True
    assert asymmetric


@pytest.mark.parametrize("series", [pd.Series, pl.Series], ids=["pandas", "polars"])
def test_metrics_dataframe_series(series):
    y_pred, y_true = [0.0, 1.0, 0, 1.0], [1.0, 0.0, 0.0, 0.0]
    expected = g_mean_score(np.array(y_pred), np.array(y_true))
    assert g_mean_score(series(y_pred), series(y_true)) == expected


def _check_sample_weight_invariance(y1, y2, sample_weight):
    # scikit-learn's check_sample_weight_invariance, plus the label
    # permutation and imbalanced-learn checks.
    unweighted = g_mean_score(y1, y2)
    assert g_mean_score(y1, y2, sample_weight=np.ones(len(y1))) == pytest.approx(
        unweighted
    )
    weighted = g_mean_score(y1, y2, sample_weight=sample_weight)
    assert g_mean_score(y1, y2, sample_weight=sample_weight.tolist()) == weighted
    repeated = g_mean_score(np.repeat(y1, sample_weight), np.repeat(y2, sample_weight))
    assert weighted == pytest.approx(repeated)
    zeroed = sample_weight.copy()
    zeroed[::2] = 0
    subset = g_mean_score(y1[1::2], y2[1::2], sample_weight=sample_weight[1::2])
    if set(y1[1::2]) == set(y1):
        assert g_mean_score(y1, y2, sample_weight=zeroed) == pytest.approx(subset)
    else:  # a class of y_true left with weight 0 only has recall 0 (documented)
        assert g_mean_score(y1, y2, sample_weight=zeroed) == 0.0
    for scaling in (2, 0.3, 1e-300, 1e300):
        assert g_mean_score(
            y1, y2, sample_weight=sample_weight * scaling
        ) == pytest.approx(weighted)
    with pytest.raises(ValueError, match="sample_weight has shape"):
        g_mean_score(y1, y2, sample_weight=np.hstack([sample_weight] * 2))
    if set(y2) <= set(y1):  # imbalanced-learn also counts classes of y_pred only
        assert weighted == pytest.approx(
            geometric_mean_score(y1, y2, sample_weight=sample_weight)
        )
    n_classes = int(max(y1.max(), y2.max())) + 1
    rng = np.random.RandomState(len(y1))
    relabel = rng.permutation(n_classes) * 7 - 3
    assert g_mean_score(
        relabel[y1], relabel[y2], sample_weight=sample_weight
    ) == pytest.approx(weighted)
    names = np.array([f"class {i}" for i in rng.permutation(n_classes)])
    assert g_mean_score(
        names[y1], names[y2], sample_weight=sample_weight
    ) == pytest.approx(weighted)
    return unweighted, weighted


@pytest.mark.parametrize("n_classes", [2, 5])
def test_sample_weight_invariance(n_classes):
    # test_binary_sample_weight_invariance / test_multiclass_...
    rng = np.random.RandomState(0)
    y_true = rng.randint(0, n_classes, size=50)
    y_pred = rng.randint(0, n_classes, size=50)
    unweighted, weighted = _check_sample_weight_invariance(
        y_true, y_pred, rng.randint(1, 10, size=50)
    )
    assert weighted != pytest.approx(unweighted)


def test_sample_weight_invariance_fuzzed():
    for seed in range(30):
        rng = np.random.RandomState(seed)
        n_classes, n = rng.choice([2, 3, 5, 8]), rng.choice([10, 50, 200])
        y_true = rng.randint(0, n_classes, size=n)
        y_pred = np.where(rng.rand(n) < 0.6, y_true, rng.randint(0, n_classes, size=n))
        _check_sample_weight_invariance(y_true, y_pred, rng.randint(1, 10, size=n))
