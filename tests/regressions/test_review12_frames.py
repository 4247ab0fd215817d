"""Review 12: polars and pyarrow inputs (SPEC section 8: "dataframes: pandas,
polars and pyarrow in -> the same type out"; bad input rejected with a clear
ValueError/TypeError naming the argument).

Every test here fails on the code it was written against, because of a bug.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

Y = np.array([0] * 9 + [1] * 3)
N = Y.shape[0]
# pyarrow 16 added string_view/binary_view; pyarrow 14/15 (allowed by the
# compare extra) has neither. Polars 1.0 has no DataFrame.__arrow_c_stream__
# (pa.table(polars_df) fails) and exports a String Series as string: the
# tests that start from polars need a polars that hands out string_view.
needs_view_types = pytest.mark.skipif(
    not hasattr(pa, "string_view"), reason="pyarrow < 16 has no string_view"
)
polars_exports_views = pytest.mark.skipif(
    not hasattr(pa, "string_view")
    or not hasattr(pl.DataFrame, "__arrow_c_stream__")
    or pa.chunked_array(pl.Series(["s"])).type != pa.string_view(),
    reason="this pyarrow/polars (polars 1.0) exports no string_view",
)


# --- string_view / binary_view columns (what pa.table(polars_df) gives) -------


@polars_exports_views
@pytest.mark.parametrize("sampler_class", SAMPLERS)
def test_pyarrow_table_from_polars_with_string_column_crashes(sampler_class):
    # pa.table(polars_df) (the Arrow PyCapsule interchange) turns every polars
    # String column into string_view; pyarrow's take has no kernel for it,
    # and take_rows gathers with it: ArrowNotImplementedError.
    frame = pl.DataFrame({"a": np.arange(N), "s": [f"s{i}" for i in range(N)]})
    table = pa.table(frame)
    assert table.schema.field("s").type == pa.string_view()
    sampler = sampler_class(random_state=0)
    X_res, y_res = sampler.fit_resample(table, Y)
    assert isinstance(X_res, pa.Table)
    assert X_res.schema == table.schema
    rows = sampler.sample_indices_
    assert X_res["a"].to_pylist() == rows.tolist()
    assert X_res["s"].to_pylist() == [f"s{i}" for i in rows]


@polars_exports_views
def test_pyarrow_string_view_labels_crash_fit_resample():
    # Labels taken from polars through the Arrow interchange are string_view:
    # they are encoded fine, then gathering y_res crashes.
    labels = pa.chunked_array(pl.Series("y", np.where(Y == 1, "pos", "neg")))
    assert labels.type == pa.string_view()
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.arange(N).reshape(-1, 1), labels)
    assert y_res.type == pa.string_view()
    expected = np.where(Y == 1, "pos", "neg")[sampler.sample_indices_]
    assert y_res.to_pylist() == expected.tolist()


@needs_view_types
def test_pyarrow_binary_view_column_crashes_fit_resample():
    table = pa.table({"b": pa.array([bytes([i]) for i in range(N)], pa.binary_view())})
    sampler = RandomUnderSampler(random_state=0)
    X_res, _ = sampler.fit_resample(table, Y)
    assert X_res.schema == table.schema
    assert X_res["b"].to_pylist() == [bytes([i]) for i in sampler.sample_indices_]


# --- pyarrow RecordBatch: silently a numpy object array -----------------------


def test_pyarrow_record_batch_comes_back_as_numpy_object_array():
    # A RecordBatch is pyarrow's eager table (IPC streams, Flight, datasets'
    # to_batches()); it has .shape, passes the checks, and is gathered by
    # np.take(np.asarray(X)): every column is cast to one object array.
    batch = pa.RecordBatch.from_pydict(  # pa.record_batch(dict): pyarrow >= 15
        {"a": np.arange(N, dtype=np.int16), "s": [f"s{i}" for i in range(N)]}
    )
    sampler = RandomUnderSampler(random_state=0)
    X_res, _ = sampler.fit_resample(batch, Y)
    assert isinstance(X_res, pa.RecordBatch), type(X_res)
    assert X_res.schema == batch.schema
    assert X_res.column("a").to_pylist() == sampler.sample_indices_.tolist()


def test_pyarrow_record_batch_labels_come_back_as_numpy():
    labels = pa.RecordBatch.from_pydict({"y": Y})
    sampler = RandomUnderSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.arange(N).reshape(-1, 1), labels)
    # A 1-column pandas/polars/pyarrow-Table y comes back in its own type.
    assert isinstance(y_res, pa.RecordBatch), type(y_res)


# --- smoothed bootstrap on a pyarrow Table drops the schema -------------------


def test_shrinkage_on_pyarrow_table_drops_nullability_and_metadata():
    # Without shrinkage the output keeps X's schema exactly; with shrinkage
    # it is rebuilt by frame_like from numpy columns (nw.from_dict): the
    # fields' nullable=False, the field and the schema metadata are lost.
    schema = pa.schema(
        [
            pa.field("a", pa.float64(), nullable=False, metadata={"unit": "cm"}),
            pa.field("b", pa.int32()),
        ],
        metadata={"source": "lab"},
    )
    table = pa.table(
        {"a": np.linspace(0, 1, N), "b": np.arange(N, dtype=np.int32)}, schema=schema
    )
    plain, _ = RandomOverSampler(random_state=0).fit_resample(table, Y)
    assert plain.schema.equals(schema, check_metadata=True)
    smoothed, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
        table, Y
    )
    assert smoothed.schema.equals(schema, check_metadata=True), smoothed.schema


# --- polars 128-bit integer labels: a PolarsError, not a ValueError/TypeError ---


@pytest.mark.parametrize("dtype_name", ["Int128", "UInt128"])
def test_polars_128bit_integer_labels_raise_polars_error(dtype_name):
    dtype = getattr(pl, dtype_name, None)
    if dtype is None:
        pytest.skip(f"polars has no {dtype_name}")
    labels = pl.Series("y", Y.tolist(), dtype=dtype)
    sampler = RandomUnderSampler(random_state=0)
    try:
        _, y_res = sampler.fit_resample(np.arange(N).reshape(-1, 1), labels)
    except (ValueError, TypeError) as exc:  # a clear refusal naming y is fine
        assert re.search(r"\by\b", str(exc)), str(exc)
    else:
        assert y_res.dtype == dtype
        assert y_res.to_list() == Y[sampler.sample_indices_].tolist()


def test_class_weights_polars_int128_labels_raise_polars_error():
    from rebalance.weights import class_weights

    dtype = getattr(pl, "Int128", None)
    if dtype is None:
        pytest.skip("polars has no Int128")
    try:
        weights = class_weights(pl.Series("y", Y.tolist(), dtype=dtype))
    except (ValueError, TypeError) as exc:
        assert re.search(r"\by\b", str(exc)), str(exc)
    else:
        assert weights == pytest.approx({0: N / 18, 1: N / 6})


# --- nested labels: errors that do not name y ---------------------------------


def test_polars_struct_labels_error_does_not_name_y():
    # pandas gives "y mixes label types that cannot be sorted ..."; a polars
    # Struct column gives numpy's "object too deep for desired array".
    labels = pl.Series("y", [{"c": int(v)} for v in Y])
    with pytest.raises((ValueError, TypeError)) as info:
        RandomUnderSampler(random_state=0).fit_resample(
            np.arange(N).reshape(-1, 1), labels
        )
    assert re.search(r"\by\b", str(info.value)), str(info.value)


# --- torch samplers -----------------------------------------------------------


def _torch_samplers():
    pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler, RebalanceSampler

    return [
        lambda labels: RebalanceSampler(labels, seed=0),
        lambda labels: BalancedBatchSampler(labels, batch_size=4, seed=0),
    ]


@pytest.mark.parametrize(
    "make_labels",
    [
        lambda: pl.Series("y", [0] * 8 + [None] + [1] * 3),
        lambda: pa.array([0] * 8 + [None] + [1] * 3),
        lambda: pa.chunked_array([[0] * 8, [None], [1] * 3]),
    ],
    ids=["polars-Int64", "pyarrow-int64", "pyarrow-chunked"],
)
def test_torch_samplers_report_missing_integer_label_as_float_dtype(make_labels):
    # np.asarray turns a null in integer labels into NaN: _label_array then
    # says "labels has dtype float64 ... Convert whole-number floats with
    # labels.astype(int)", a TypeError whose advice keeps the null. The
    # fit_resample path (and string labels here) say "missing labels".
    for make_sampler in _torch_samplers():
        with pytest.raises(ValueError, match="missing label"):
            make_sampler(make_labels())


def test_rebalance_sampler_missing_label_error_names_y_not_labels():
    # The argument is `labels` (BalancedBatchSampler's message says so); the
    # RebalanceSampler message says "y has missing labels ... y.fillna(...)".
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = pl.Series("y", ["a"] * 8 + [None] + ["b"] * 3)
    with pytest.raises(ValueError) as info:
        RebalanceSampler(labels, seed=0)
    message = str(info.value)
    assert "labels has missing labels" in message, message
    assert "y has missing labels" not in message, message


def test_torch_samplers_lazy_labels_say_shape_instead_of_collect():
    # fit_resample, class_weights, ... say "y is a lazy LazyFrame ... Collect
    # it first"; the torch samplers say "labels must be 1-D ... got shape ()".
    lazy = pl.DataFrame({"y": Y}).lazy()
    for make_sampler in _torch_samplers():
        with pytest.raises(TypeError, match="(?i)lazy.*collect"):
            make_sampler(lazy)


def test_g_mean_score_lazy_y_true_says_shape_instead_of_collect():
    from rebalance.metrics import g_mean_score

    lazy = pl.DataFrame({"y": Y}).lazy()
    with pytest.raises(TypeError, match="(?i)y_true.*lazy.*collect"):
        g_mean_score(lazy, Y)
