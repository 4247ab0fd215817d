"""Review 125, diff32: the changes since 2f8c175 (``column_named`` refusing a
name that matches several columns after NFC, ``check_spaced_names`` grouping
names by their stripped NFC form, ``adjust_priors``/``em_priors`` refusing a
table of priors with a ``dict(zip(...))`` fix, the seed001 example's ``model``
type check) and two earlier changes of this stop re-checked for regressions:
Dask labels computed in ``_target_array`` (``class_weights``,
``sample_weights``, samplers keeping X lazy) and ``int64_targets`` under
``torch.compile(fullgraph=True)``; holes found next to them (a table of priors
given to ``ThresholdMover``, a one-row frame of priors by class column, uint64
targets in a compiled graph) are strict xfails.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance import class_weights, sample_weights
from rebalance._columns import check_spaced_names, column_named
from rebalance.threshold import ThresholdMover, adjust_priors, em_priors

ROOT = Path(__file__).resolve().parents[2]

A_RING = "\u00c5"  # Å, composed
ANGSTROM = "\u212b"  # the Ångström sign: "Å" in NFC
A_DECOMPOSED = "A\u030a"  # A + combining ring: "Å" in NFC


# ------------------------------------------------------------- column names
def test_column_named_refuses_a_name_matching_two_columns_after_nfc():
    frame = pd.DataFrame({A_RING: [1], ANGSTROM: [2], "b": [3]})
    with pytest.raises(ValueError, match="alike") as info:
        column_named(frame, A_DECOMPOSED)
    message = str(info.value)
    assert A_RING in message and ANGSTROM in message


def test_column_named_exact_name_wins_and_one_nfc_twin_is_found():
    frame = pd.DataFrame({A_RING: [1], ANGSTROM: [2]})
    # typed exactly: no ambiguity
    assert column_named(frame, ANGSTROM) == ANGSTROM
    assert column_named(frame, A_RING) == A_RING
    single = pd.DataFrame({"Gr\u00f6\u00dfe": [1], "b": [2]})
    decomposed = unicodedata.normalize("NFD", "Gr\u00f6\u00dfe")
    assert column_named(single, decomposed) == "Gr\u00f6\u00dfe"
    assert column_named(single, f" {decomposed} ") == "Gr\u00f6\u00dfe"
    assert column_named(single, "nope") == "nope"


def test_check_spaced_names_unicode_twins_named_as_such():
    with pytest.raises(ValueError, match="Unicode form"):
        check_spaced_names([A_RING, ANGSTROM, "b"])
    # a twin in another form and with a space: one group of three
    with pytest.raises(ValueError, match="Unicode form") as info:
        check_spaced_names([A_RING, f"{ANGSTROM} ", A_DECOMPOSED])
    assert str(info.value).count(" and ") == 2


def test_check_spaced_names_space_only_message_unchanged():
    with pytest.raises(ValueError) as info:
        check_spaced_names(["x", "x ", "y"])
    message = str(info.value)
    assert "differ only in surrounding spaces:" in message
    assert "Unicode" not in message
    check_spaced_names(["x", "y", "Gr\u00f6\u00dfe", "Grosse"])  # distinct: passes


# ------------------------------------------------------------ priors tables
def _proba():
    return pd.DataFrame([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]], columns=["a", "b"])


def test_polars_value_counts_table_refused_with_a_working_fix():
    pl = pytest.importorskip("polars")
    table = pl.Series("y", ["a", "b", "b", "b"]).value_counts(normalize=True)
    deploy = {"a": 0.5, "b": 0.5}
    with pytest.raises(TypeError, match="train_priors") as info:
        adjust_priors(_proba(), table, deploy)
    assert "dict(zip(train_priors['y'], train_priors['proportion']))" in str(info.value)
    train_priors = table  # the fix, as the message writes it
    fixed = adjust_priors(
        _proba(), dict(zip(train_priors["y"], train_priors["proportion"])), deploy
    )
    expected = adjust_priors(_proba(), {"a": 0.25, "b": 0.75}, deploy)
    np.testing.assert_allclose(fixed, expected)


def test_pandas_value_counts_table_refused_in_em_priors():
    table = (
        pd.Series(["a", "b", "b", "b"], name="y")
        .value_counts(normalize=True)
        .reset_index()
    )
    with pytest.raises(TypeError, match="train_priors"):
        em_priors(_proba(), table)


def test_pandas_one_row_frame_of_priors_was_and_is_refused():
    # Before 2f8c175 it was read as an array of shape (1, 2) (a shape error):
    # refusing it is no new false refusal, and it is never read silently.
    one_row = pd.DataFrame([[0.25, 0.75]], columns=["a", "b"])
    with pytest.raises((TypeError, ValueError), match="train_priors"):
        adjust_priors(_proba(), one_row, {"a": 0.5, "b": 0.5})


def test_one_row_frame_of_priors_gets_a_fix_that_works():
    pl = pytest.importorskip("polars")
    proba = pl.DataFrame({"a": [0.2, 0.6, 0.5], "b": [0.8, 0.4, 0.5]})
    priors = proba.mean()  # one row, the classes as columns
    with pytest.raises(TypeError, match="train_priors") as info:
        adjust_priors(proba, priors, {"a": 0.5, "b": 0.5})
    message = str(info.value)
    # dict(zip(priors['a'], priors['b'])) is {0.433: 0.567}: not the priors
    assert "dict(zip(train_priors['a'], train_priors['b']))" not in message
    assert "row" in message  # e.g. train_priors.row(0, named=True)


def test_threshold_mover_deploy_priors_table_refused_with_the_fix():
    pl = pytest.importorskip("polars")
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).normal(size=(40, 2))
    y = np.array(["a"] * 10 + ["b"] * 30)
    table = pl.Series("y", ["a", "b"]).value_counts(normalize=True)
    with pytest.raises((TypeError, ValueError), match=r"dict\(zip\(deploy_priors"):
        ThresholdMover(LogisticRegression(), deploy_priors=table).fit(X, y)


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


@pytest.mark.parametrize("model", [b"gru", None, ("gru",)])
def test_seed001_model_of_another_type_refused(example, model):
    with pytest.raises(ValueError, match="model="):
        example.run(model=model, progress=False)


def test_seed001_numpy_str_model_passes_the_model_check(example):
    # a numpy str_ is a str: the next check (seeds) is the one that fails
    with pytest.raises(ValueError, match="seeds"):
        example.run(model=np.str_("bag"), seeds=0, progress=False)


# ---------------------------------------------------------- Dask labels
@pytest.fixture
def dask_labels():
    dd = pytest.importorskip("dask.dataframe")
    ys = pd.Series(
        pd.Categorical(["b", "a", "b", "b", "c"], categories=["c", "b", "a"]),
        name="y",
    )
    return dd, ys, dd.from_pandas(ys, npartitions=2)


def test_dask_categorical_labels_keep_category_order(dask_labels):
    dd, ys, ds = dask_labels
    expected = class_weights(ys)
    assert list(expected) == ["c", "b", "a"]
    for y in (ds, ds.cat.as_unknown(), ds.to_frame(), ds.cat.as_unknown().to_frame()):
        got = class_weights(y)
        assert list(got) == ["c", "b", "a"]
        np.testing.assert_allclose(list(got.values()), list(expected.values()))
    np.testing.assert_allclose(sample_weights(ds), sample_weights(ys))


def test_dask_one_hot_labels_as_in_memory(dask_labels):
    dd, _, _ = dask_labels
    da = pytest.importorskip("dask.array")
    one_hot = pd.get_dummies(pd.Series(["b", "a", "b", "b", "c"])).astype(int)
    expected = class_weights(one_hot.to_numpy())
    for y in (
        dd.from_pandas(one_hot, npartitions=2),
        da.from_array(one_hot.to_numpy(), chunks=2),
    ):
        assert class_weights(y) == expected
        np.testing.assert_allclose(
            sample_weights(y), sample_weights(one_hot.to_numpy())
        )


def test_dask_two_text_columns_refused_as_multioutput(dask_labels):
    dd, _, _ = dask_labels
    frame = pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"]})
    with pytest.raises(ValueError, match="Multilabel"):
        class_weights(dd.from_pandas(frame, npartitions=1))


def test_dask_missing_label_still_refused(dask_labels):
    dd, _, _ = dask_labels
    y = dd.from_pandas(pd.Series([0, 1, None, 1], dtype="Int64"), npartitions=2)
    with pytest.raises(ValueError, match="missing labels"):
        class_weights(y)


def test_sampler_keeps_dask_x_lazy(dask_labels):
    dd, ys, ds = dask_labels
    from rebalance.samplers import RandomOverSampler

    X = dd.from_pandas(pd.DataFrame({"f": np.arange(5.0)}), npartitions=2)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, ds)
    assert hasattr(X_res, "compute") and hasattr(y_res, "compute")
    counts = y_res.compute().value_counts()
    assert counts["b"] == counts["a"] == counts["c"] == 3


# ----------------------------------------------------- int64_targets compiled
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["int32", "uint8"])
def test_focal_loss_compiles_fullgraph_for_small_int_targets(torch, dtype):
    from rebalance.torch import softmax_focal_loss

    torch._dynamo.reset()
    logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 1, 0, 2])
    compiled = torch.compile(softmax_focal_loss, fullgraph=True, backend="eager")
    got = compiled(logits, target.to(getattr(torch, dtype)))
    torch.testing.assert_close(got, softmax_focal_loss(logits, target))


def test_focal_loss_compiles_fullgraph_for_uint64_targets(torch):
    from rebalance.torch import softmax_focal_loss

    torch._dynamo.reset()
    logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 1, 0, 2])
    compiled = torch.compile(softmax_focal_loss, fullgraph=True, backend="eager")
    got = compiled(logits, target.to(torch.uint64))
    torch.testing.assert_close(got, softmax_focal_loss(logits, target))


def test_uint64_target_beyond_int64_still_refused_eagerly(torch):
    from rebalance.torch import softmax_focal_loss

    logits = torch.zeros(4, 3)
    wrapped = torch.tensor([0, 1, 2, -100]).view(torch.uint64)
    with pytest.raises(ValueError, match="uint64"):
        softmax_focal_loss(logits, wrapped)
