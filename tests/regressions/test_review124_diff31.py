"""Review 124, area diff31: the changes since review 121 through the public API.

Covers ``rebalance.compare`` (a method's estimator used when ``fit`` returns
something else, methods without ``predict_proba`` skipped with the reason,
``ComparisonResult.to_json()``'s ``model``/``seed``), column names read in
another Unicode normal form by ``compare(drop=)`` and ``rebalance compare
--drop`` (int and MultiIndex column names too, and two columns equal after
NFC), ``OHEMLoss``/``ohem_loss``'s ``min_kept`` with ``top_k`` and its
ignore mask on unsigned targets, ``CharVocabulary``'s transformer tags, and
the argument checks of ``examples/seed001_sentiment.py``'s ``run`` and
``load_split``, which must fail before any data is loaded.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from rebalance.compare import compare

ROOT = Path(__file__).resolve().parents[2]
N = 60
Y = np.r_[np.zeros(48, dtype=int), np.ones(12, dtype=int)]


def _frame(names):
    rng = np.random.default_rng(0)
    return pd.DataFrame({name: rng.normal(size=N) for name in names})


def _compare(X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(X, Y, folds=2, progress=False, method_names=["none"], **kwargs)


# ------------------------------------------------------------- column names
def test_drop_in_decomposed_form_drops_the_composed_column():
    X = _frame(["Gr\u00f6\u00dfe", "x"])
    result = _compare(X, drop=["Gro\u0308\u00dfe"])
    assert list(result.columns.used) == ["x"]
    assert list(result.columns.dropped) == ["Gr\u00f6\u00dfe"]


def test_columns_differing_only_in_normal_form_are_refused():
    # Both forms present (stop 55): two columns whose names look identical
    # in the plan and the report, and one name after NFC, are refused as
    # names differing only in surrounding spaces are (the exact spelling
    # was dropped before: the user cannot see which).
    X = _frame(["\u00e9", "e\u0301"])
    with pytest.raises(ValueError, match="Unicode form"):
        _compare(X, drop=["e\u0301"])


def test_drop_matching_two_columns_after_nfc_is_refused():
    # U+00C5 and U+212B (ANGSTROM SIGN) are one name after NFC; "A" + ring
    # typed (a macOS paste) means either: the last column was dropped.
    X = _frame(["\u00c5", "\u212b"])
    with pytest.raises(ValueError, match="(?i)drop|column"):
        _compare(X, drop=["A\u030a"])


def test_int_column_names_found_from_their_text():
    X = _frame([1, 2])
    result = _compare(X, drop=["1"])
    assert list(result.columns.dropped) == ["1"] or list(result.columns.dropped) == [1]
    assert len(result.columns.used) == 1


def test_unknown_name_still_refused_after_nfc_lookup():
    X = _frame(["\u00e9", "x"])
    with pytest.raises(ValueError, match="drop"):
        _compare(X, drop=["e"])


def test_cli_drop_in_decomposed_form(tmp_path, capsys):
    from rebalance.cli import main

    frame = _frame(["\u00e9t\u00e9", "x"])
    frame["label"] = Y
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(
            [
                "compare",
                "--data",
                str(path),
                "--target",
                "label",
                "--drop",
                "e\u0301te\u0301",
                "--folds",
                "2",
                "--methods",
                "none",
                "--json",
                str(tmp_path / "out.json"),
            ]
        )
    assert code in (0, None)
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert list(data["columns"]["dropped"]) == ["\u00e9t\u00e9"]
    assert list(data["columns"]["used"]) == ["x"]
    capsys.readouterr()


# ------------------------------------------------------------------ compare
class _FitReturnsNone(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight=sample_weight)
        return None


def test_method_whose_fit_returns_none_is_scored():
    methods = {"odd": lambda setup, y_train: _FitReturnsNone()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(_frame(["a", "b"]), Y, methods, folds=2, progress=False)
    assert "odd" in result.scores
    assert "odd" not in result.skipped


def test_method_without_predict_proba_is_skipped_with_reason():
    methods = {
        "svc": lambda setup, y_train: LinearSVC(),
        "lr": lambda setup, y_train: LogisticRegression(),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(_frame(["a", "b"]), Y, methods, folds=2, progress=False)
    assert "predict_proba" in result.skipped["svc"]
    assert "lr" in result.scores


def test_to_json_model_and_seed_plain_json():
    result = _compare(_frame(["a"]), seed=np.int64(3))
    data = result.to_json()
    assert data["model"] == "logistic"
    assert data["seed"] == 3 and type(data["seed"]) is int
    json.dumps(data)
    # The caller's info wins.
    given = result.to_json(model="mine", seed=9)
    assert given["model"] == "mine" and given["seed"] == 9


# --------------------------------------------------------------------- OHEM
def test_ohem_min_kept_with_top_k():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import ohem_loss

    losses = torch.tensor([0.1, 0.5, 0.2, 0.9])
    for min_kept in (0, 1):
        assert ohem_loss(losses, top_k=2, min_kept=min_kept).item() == pytest.approx(
            0.7
        )
    with pytest.raises(ValueError, match="min_kept"):
        ohem_loss(losses, top_k=2, min_kept=2)
    with pytest.raises(ValueError, match="min_kept"):
        ohem_loss(losses, top_k=2, min_kept=-1)


def test_ohem_ignore_mask_on_unsigned_targets():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import OHEMLoss

    logits = torch.tensor([[2.0, -1.0], [0.0, 3.0], [1.0, 1.0]])
    target = torch.tensor([0, 255, 1], dtype=torch.uint8)
    loss = OHEMLoss(top_k=1.0, ignore_index=255)(logits, target)
    expected = torch.nn.functional.cross_entropy(logits[[0, 2]], torch.tensor([0, 1]))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    huge = torch.tensor([0, 2**63, 1], dtype=torch.uint64)
    with pytest.raises(ValueError, match="uint64"):
        OHEMLoss(top_k=1.0, criterion=_per_sample)(logits, huge)


def _per_sample(logits, target):
    # Per-sample losses that never read the target (the mask is OHEM's).
    return logits.logsumexp(dim=1) - logits[:, 0]


# --------------------------------------------------------- CharVocabulary
def test_char_vocabulary_does_not_claim_to_preserve_dtype():
    from sklearn.utils import get_tags

    from rebalance.datasets import CharVocabulary

    tags = get_tags(CharVocabulary())
    assert tags.transformer_tags.preserves_dtype == []
    out = CharVocabulary(max_length=4, min_count=1).fit_transform(["ab", "ba"])
    assert out.dtype == np.int64


# ---------------------------------------------------------- seed001 example
@pytest.fixture
def example(monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import seed001_sentiment as ex

    def fail(*args, **kwargs):
        raise AssertionError("data loaded before the arguments were checked")

    monkeypatch.setattr(ex, "load_chinese_reviews", fail)
    return ex


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"patience": True}, "patience"),
        ({"max_length": 2.0}, "max_length"),
        ({"epochs": -1}, "epochs"),
        ({"subset": 99}, "subset"),
        ({"subset": 0.5}, "subset"),
        ({"model": "lstm"}, "model"),
    ],
)
def test_seed001_run_checks_before_loading(example, kwargs, name):
    with pytest.raises(ValueError, match=name):
        example.run(**kwargs, progress=False)


def test_seed001_numpy_ints_and_min_subset_pass_the_checks(example):
    # They get as far as loading the data (the patched loader).
    with pytest.raises(AssertionError, match="data loaded"):
        example.run(
            seeds=np.int64(1),
            max_length=np.int32(8),
            subset=example.MIN_SUBSET,
            progress=False,
        )


def test_seed001_unhashable_model_named_in_error(example):
    with pytest.raises((ValueError, TypeError), match="model"):
        example.run(model=["gru"], progress=False)
