"""Review 127, diff34: the lead's changes e31092f^..01e7874 (rebalance, examples).

Reviewed: ``refuse_table_of_priors`` (one-row and one-column tables, label and
share tables; each fix its message offers is run as written, for pandas,
polars, pyarrow Tables and RecordBatches, narwhals frames and empty tables),
``_in_column_order`` calling it first (priors given as a dict, list, numpy
array or pandas Series in any class order still accepted), ``int64_targets``
(every integer target dtype, uint64 beyond int64 eager, under torch.func.vmap
and under torch.compile with and without fullgraph, the meta device, empty and
non-contiguous targets), ``values_hidden``/``is_abstract`` moved to
``_focal_checks``, OHEM's ignore mask via ``_long_target``,
``long_tail_digits(groups=array)``, ``column_named`` and ``compare._fit_predict``.
Values are checked against numpy / torch computed by hand. Confirmed holes are
strict xfails.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance.threshold import ThresholdMover, adjust_priors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
X = np.random.RandomState(0).normal(size=(40, 2))
Y = np.array([0] * 10 + [1] * 30)
PROBA = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
PROBA_DF = pd.DataFrame(PROBA, columns=[0, 1])


def _by_hand(proba, train, deploy):
    moved = np.asarray(proba) * np.asarray(deploy) / np.asarray(train)
    return moved / moved.sum(axis=1, keepdims=True)


EXPECTED = _by_hand(PROBA, [0.25, 0.75], [0.5, 0.5])


def _refusal(priors):
    with pytest.raises(TypeError, match="train_priors") as info:
        adjust_priors(PROBA_DF, priors, [0.5, 0.5])
    return str(info.value)


def _run_fix(message, priors):
    """Run the ``e.g. ...`` fix of a refusal's message on ``priors``."""
    code = re.search(r"e\.g\. (.+)\.$", message).group(1)
    return eval(code, {"list": list, "dict": dict, "zip": zip, "train_priors": priors})


def _train_priors(priors):
    mover = ThresholdMover(
        LogisticRegression(), train_priors=priors, deploy_priors=[0.5, 0.5]
    )
    return mover.fit(X, Y).train_priors_


# ------------------------------------------------- priors accepted as before
@pytest.mark.parametrize(
    "priors",
    [
        [0.25, 0.75],
        np.array([0.25, 0.75]),
        {0: 0.25, 1: 0.75},
        {1: 0.75, 0: 0.25},
        pd.Series([0.75, 0.25], index=[1, 0]),
        pd.Series([0.25, 0.75]),
        pd.Series({np.int64(1): 0.75, np.int64(0): 0.25}),
    ],
    ids=["list", "array", "dict", "dict_reversed", "series_rev", "series", "np_keys"],
)
def test_plain_priors_still_accepted_in_any_class_order(priors):
    np.testing.assert_allclose(
        np.asarray(adjust_priors(PROBA_DF, priors, [0.5, 0.5])), EXPECTED
    )
    np.testing.assert_allclose(_train_priors(priors), [0.25, 0.75])


def test_labelled_priors_read_by_label_against_reordered_columns():
    proba = pd.DataFrame({1: PROBA[:, 1], 0: PROBA[:, 0]})
    got = adjust_priors(proba, {0: 0.25, 1: 0.75}, pd.Series({1: 0.5, 0: 0.5}))
    np.testing.assert_allclose(np.asarray(got), EXPECTED[:, ::-1])


# ------------------------------------------------------- tables of priors
def _tables():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    return {
        "pd_row": pd.DataFrame({0: [0.25], 1: [0.75]}),
        "pl_row": pl.DataFrame({"0": [0.25], "1": [0.75]}),
        "pa_row": pa.table({"0": [0.25], "1": [0.75]}),
        "rb_row": pa.record_batch({"0": [0.25], "1": [0.75]}),
        "pd_col": pd.Series([0.25, 0.75], name="proportion").to_frame(),
        "pd_vc": pd.Series([0, 1, 1, 1]).value_counts(normalize=True).to_frame(),
        "pl_col": pl.DataFrame({"p": [0.25, 0.75]}),
        "pa_col": pa.table({"p": [0.25, 0.75]}),
        "rb_col": pa.record_batch({"p": [0.25, 0.75]}),
        "pl_vc": pl.Series("y", [0, 1, 1, 1]).value_counts(normalize=True),
        "pd_pairs": pd.DataFrame({"y": [1, 0], "share": [0.75, 0.25]}),
    }


TABLE_KEYS = [
    "pd_row",
    "pl_row",
    "pa_row",
    "rb_row",
    "pd_col",
    "pd_vc",
    "pl_col",
    "pa_col",
    "rb_col",
    "pl_vc",
    "pd_pairs",
]


@pytest.mark.parametrize("key", TABLE_KEYS)
def test_table_of_priors_refused_with_a_fix_that_works(key):
    table = _tables()[key]
    fixed = _run_fix(_refusal(table), table)
    np.testing.assert_allclose(
        np.asarray(adjust_priors(PROBA_DF, fixed, [0.5, 0.5])), EXPECTED
    )
    np.testing.assert_allclose(_train_priors(fixed), [0.25, 0.75])


def test_table_refused_in_threshold_mover_too():
    table = _tables()["pl_row"]
    with pytest.raises(TypeError, match="train_priors.*list\\(train_priors.row"):
        _train_priors(table)


@pytest.mark.parametrize("kind", ["table", "record_batch"])
def test_pyarrow_label_share_table_fix_works(kind):
    pa = pytest.importorskip("pyarrow")
    table = getattr(pa, kind)({"y": [1, 0], "share": [0.75, 0.25]})
    fixed = _run_fix(_refusal(table), table)
    np.testing.assert_allclose(
        np.asarray(adjust_priors(PROBA_DF, fixed, [0.5, 0.5])), EXPECTED
    )


@pytest.mark.parametrize("shape", ["row", "column"])
def test_narwhals_table_fix_works(shape):
    pl = pytest.importorskip("polars")
    nw = pytest.importorskip("narwhals")
    native = (
        pl.DataFrame({"0": [0.25], "1": [0.75]})
        if shape == "row"
        else pl.DataFrame({"p": [0.25, 0.75]})
    )
    table = nw.from_native(native)
    fixed = _run_fix(_refusal(table), table)
    np.testing.assert_allclose(
        np.asarray(adjust_priors(PROBA_DF, fixed, [0.5, 0.5])), EXPECTED
    )


@pytest.mark.parametrize("rows", [0, 2])
def test_empty_table_of_priors_refused_with_type_error(rows):
    table = pd.DataFrame(index=range(rows))
    with pytest.raises(TypeError, match="train_priors"):
        adjust_priors(PROBA_DF, table, [0.5, 0.5])


# ------------------------------------------------------------ torch targets
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


INT_DTYPES = [
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
]


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_every_integer_target_dtype_matches_int64(torch, dtype):
    import torch.nn.functional as F

    from rebalance.torch import (
        OHEMLoss,
        class_weighted_cross_entropy,
        softmax_focal_loss,
    )

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, dtype=torch.float64, generator=gen)
    t = torch.tensor([0, 2, 1, 1, 0, 2])
    typed = t.to(getattr(torch, dtype))
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    got = class_weighted_cross_entropy(x, typed, [1.0, 2.0, 3.0])
    torch.testing.assert_close(got, F.cross_entropy(x, t, weight=w))
    # focal with gamma=0 is cross-entropy
    got = softmax_focal_loss(x, typed, gamma=0.0)
    torch.testing.assert_close(got, F.cross_entropy(x, t))
    per = F.cross_entropy(x, t, reduction="none")
    torch.testing.assert_close(OHEMLoss(top_k=2)(x, typed), per.topk(2).values.mean())
    torch.testing.assert_close(typed.long(), t)  # the input is left as it was


def test_ohem_ignore_mask_of_a_uint8_mask(torch):
    import torch.nn.functional as F

    from rebalance.torch import OHEMLoss

    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([0, 255, 2, 255, 1], dtype=torch.uint8)
    criterion = lambda z, y: F.cross_entropy(  # noqa: E731
        z, y.long(), reduction="none", ignore_index=255
    )
    loss, idx = OHEMLoss(criterion, top_k=10, ignore_index=255, return_indices=True)(
        x, t
    )
    keep = torch.tensor([0, 2, 4])
    per = F.cross_entropy(x[keep], t[keep].long(), reduction="none")
    torch.testing.assert_close(loss, per.mean())
    assert sorted(idx.tolist()) == [0, 2, 4]
    # -100 is not class 156 of a uint8 mask: nothing ignored
    t2 = torch.tensor([0, 156, 2], dtype=torch.uint8)
    own = lambda z, y: F.cross_entropy(z, y.long().clamp(max=2), reduction="none")  # noqa: E731
    loss2 = OHEMLoss(own, top_k=10)(x[:3], t2)
    per2 = F.cross_entropy(x[:3], torch.tensor([0, 2, 2]), reduction="none")
    torch.testing.assert_close(loss2, per2.mean())


def test_uint64_beyond_int64_refused_eager_and_under_vmap(torch):
    from torch.func import vmap

    from rebalance.torch import class_weighted_cross_entropy, softmax_focal_loss
    from rebalance.torch._focal_checks import int64_targets

    big = torch.tensor([0, 2**64 - 100, 1], dtype=torch.uint64)
    x = torch.randn(3, 3)
    for loss in (
        lambda z, y: class_weighted_cross_entropy(z, y, [1.0, 1.0, 1.0]),
        lambda z, y: softmax_focal_loss(z, y),
    ):
        with pytest.raises(ValueError, match="18446744073709551516 \\(uint64\\)"):
            loss(x, big)
        # per row under vmap: the wrapped -100 is not ignored, it is refused
        with pytest.raises((ValueError, RuntimeError), match="out of bounds|lie in"):
            vmap(lambda z, y, f=loss: f(z[None], y[None]))(x, big)
    mapped = vmap(int64_targets)(big[:, None])
    assert mapped.reshape(-1).tolist() == [0, 2**63 - 1, 1]
    assert big.tolist() == [0, 2**64 - 100, 1]


def test_int64_targets_edges(torch):
    from rebalance.torch._focal_checks import int64_targets

    empty = int64_targets(torch.empty(0, dtype=torch.uint64))
    assert empty.dtype == torch.int64 and empty.numel() == 0
    meta = int64_targets(torch.empty(4, dtype=torch.uint64, device="meta"))
    assert meta.dtype == torch.int64 and meta.is_meta
    grid = torch.tensor([[0, 5], [1, 3]], dtype=torch.uint64).t()
    assert int64_targets(grid).tolist() == [[0, 1], [5, 3]]
    with pytest.raises(ValueError, match="18446744073709551615"):
        int64_targets(torch.tensor([[0, 5], [2**64 - 1, 3]], dtype=torch.uint64).t())
    assert int64_targets(torch.tensor([True, False])).tolist() == [1, 0]


def test_uint64_under_compile_fullgraph_maps_to_int64_max(torch):
    from rebalance.torch._focal_checks import int64_targets

    compiled = torch.compile(int64_targets, fullgraph=True, backend="eager")
    big = torch.tensor([0, 2**64 - 100, 1], dtype=torch.uint64)
    assert compiled(big).tolist() == [0, 2**63 - 1, 1]


def test_uint64_loss_under_compile_matches_eager(torch):
    import torch.nn.functional as F

    from rebalance.torch import class_weighted_cross_entropy

    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(2))
    t = torch.tensor([0, 2, 1, 2])
    compiled = torch.compile(
        lambda z, y: class_weighted_cross_entropy(z, y, [1.0, 2.0, 3.0]),
        backend="eager",
    )
    got = compiled(x, t.to(torch.uint64))
    w = torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(got, F.cross_entropy(x, t, weight=w))
    with pytest.raises(Exception, match="out of bounds|lie in|beyond int64"):
        compiled(x, torch.tensor([0, 2**64 - 100, 1, 2], dtype=torch.uint64))


def test_values_hidden_and_is_abstract_moved(torch):
    from rebalance.torch import _focal_checks, _focal_ops, losses

    real = torch.zeros(2)
    meta = torch.zeros(2, device="meta")
    assert not _focal_checks.values_hidden(real, 3)
    assert _focal_checks.values_hidden(real, meta)
    assert _focal_checks.is_abstract(meta) and not _focal_checks.is_abstract(real)
    assert _focal_ops.is_abstract is _focal_checks.is_abstract
    assert losses._tracing is _focal_checks.values_hidden
    seen = []
    torch.func.vmap(lambda v: seen.append(_focal_checks.values_hidden(v)) or v)(
        torch.zeros(2, 2)
    )
    assert seen == [True]


# -------------------------------------------------------- examples/long_tail
@pytest.fixture
def lt(monkeypatch, torch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import long_tail

    def fail(*args, **kwargs):
        raise AssertionError("digits loaded before the arguments were checked")

    monkeypatch.setattr(long_tail, "load_digits", fail)
    return long_tail


@pytest.mark.parametrize(
    "groups",
    [np.array([3.0, 4.0, 3.0]), np.array([[3, 4, 3]]), np.array([3, 4, 2])],
    ids=["floats", "2d", "sum9"],
)
def test_long_tail_groups_bad_arrays_refused_before_loading(lt, groups):
    with pytest.raises(ValueError, match="groups must be 3 positive ints"):
        lt.long_tail_digits(groups=groups)


def test_long_tail_groups_uint8_array_accepted(lt, monkeypatch):
    from sklearn.datasets import load_digits

    monkeypatch.setattr(lt, "load_digits", load_digits)
    data = lt.long_tail_digits(groups=np.array([2, 5, 3], dtype=np.uint8))
    assert (data.group.count("head"), data.group.count("medium")) == (2, 5)
    order = np.argsort(-data.counts, kind="stable")
    assert [data.group[c] for c in order[:2]] == ["head", "head"]


# ------------------------------------------------- column_named, compare
def test_column_named_unicode_and_spaces():
    from rebalance._columns import column_named

    composed = unicodedata.normalize("NFC", "Größe")
    frame = pd.DataFrame({composed: [1], " y ": [0]})
    assert column_named(frame, unicodedata.normalize("NFD", "Größe")) == composed
    assert column_named(frame, "y") == " y "
    assert column_named(frame, "zz") == "zz"
    twin = pd.DataFrame({"\u00c5": [1], "\u212b": [2]})
    with pytest.raises(ValueError, match="alike"):
        column_named(twin, "A\u030a")


def test_fit_predict_uses_the_estimator_when_fit_returns_none():
    from rebalance.compare import _fit_predict

    class NoneFit(LogisticRegression):
        def fit(self, X, y):
            super().fit(X, y)

    proba, pred = _fit_predict(lambda s, y: NoneFit(), None, X, Y, X[:5], 2)
    ref = LogisticRegression().fit(X, Y)
    np.testing.assert_allclose(proba, ref.predict_proba(X[:5]))
    np.testing.assert_array_equal(pred, ref.predict(X[:5]))
    none, why = _fit_predict(lambda s, y: 3, None, X, Y, X[:5], 2)
    assert none is None and "returned int, not an estimator" in why
