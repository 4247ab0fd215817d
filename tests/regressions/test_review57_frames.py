"""Review 57: dataframes of every library through the samplers, alone and in
pipelines (pandas, polars, pyarrow; SPEC section 8: "dataframes in -> the
same type out"; bad input refused with an error naming the argument).

Every test marked ``# bug:`` fails on the code it was written against.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pc = pytest.importorskip("pyarrow.compute")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

Y = np.array([0] * 8 + [1] * 4)
N = Y.shape[0]

SAMPLERS = [
    lambda: RandomUnderSampler(random_state=0),
    lambda: RandomOverSampler(random_state=0),
    lambda: ClassBalancedSampler(random_state=0),
    lambda: LabelShuffleSampler(random_state=0),
]

needs_run_end = pytest.mark.skipif(
    not hasattr(pc, "run_end_encode"), reason="pyarrow without run-end encoding"
)


def _run_end(values) -> pd.Series:
    """A pandas Series of a run-end encoded Arrow dtype."""
    arrow = pc.run_end_encode(pa.array(values))
    return pd.Series(pd.arrays.ArrowExtensionArray(arrow))


@needs_run_end
@pytest.mark.parametrize("make", SAMPLERS)
def test_pandas_run_end_encoded_column_in_X(make):
    # bug: a pandas X with a run-end encoded ArrowDtype column crashed
    # (ArrowNotImplementedError: pyarrow's take has no kernel for it).
    X = pd.DataFrame({"id": np.arange(N), "r": _run_end(np.arange(N) % 3)})
    # Beside it, columns pandas' own take refuses too (gathered as alone).
    X["be"] = np.arange(N).astype(">i4")
    if hasattr(pa, "string_view"):
        views = pa.array([str(i) for i in range(N)], pa.string_view())
        X["sv"] = pd.arrays.ArrowExtensionArray(views)
    # Nested in a struct too.
    runs = pc.run_end_encode(pa.array(np.arange(N) // 4))
    nested = pa.StructArray.from_arrays([runs], names=["r"])
    X["st"] = pd.arrays.ArrowExtensionArray(nested)
    X.attrs["source"] = "test"
    before = copy.deepcopy(X)
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, Y)
    rows = sampler.sample_indices_
    assert X_res["id"].tolist() == rows.tolist()
    assert X_res["r"].tolist() == (np.arange(N) % 3)[rows].tolist()
    assert X_res["be"].tolist() == rows.tolist()
    assert X_res["st"].tolist() == [{"r": int(i) // 4} for i in rows]
    if "sv" in X:
        assert X_res["sv"].tolist() == [str(i) for i in rows]
    assert list(X_res.dtypes) == list(X.dtypes)
    assert list(X_res.columns) == list(X.columns)
    assert isinstance(X_res.index, pd.RangeIndex)
    assert X_res.attrs == {"source": "test"}
    assert y_res.tolist() == Y[rows].tolist()
    assert X.equals(before)


@needs_run_end
def test_pandas_run_end_encoded_labels():
    # bug: a pandas y of a run-end encoded ArrowDtype crashed when its rows
    # were gathered (ArrowNotImplementedError).
    y = _run_end(Y)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(np.arange(N)[:, None], y)
    assert y_res.dtype == y.dtype
    assert y_res.tolist() == Y[sampler.sample_indices_].tolist()
    assert X_res[:, 0].tolist() == sampler.sample_indices_.tolist()


@needs_run_end
def test_pandas_run_end_encoded_sample_weight():
    # bug: a pandas sample_weight of a run-end encoded ArrowDtype crashed
    # with a bare NotImplementedError naming no argument.
    weights = np.arange(N) + 1.0
    sampler = RandomUnderSampler(random_state=0)
    _, _, w_res = sampler.fit_resample(
        np.arange(N)[:, None], Y, sample_weight=_run_end(weights)
    )
    assert w_res.dtype == _run_end(weights).dtype
    assert w_res.tolist() == weights[sampler.sample_indices_].tolist()
    # Still checked as weights: missing, negative and all-zero ones refused.
    for bad, match in [
        ([1.0, None] * (N // 2), "finite"),
        ([-1.0] * N, "non-negative"),
        ([0.0] * N, "all zero"),
    ]:
        with pytest.raises(ValueError, match=match):
            RandomUnderSampler().fit_resample(
                np.arange(N)[:, None], Y, sample_weight=_run_end(bad)
            )


@pytest.mark.parametrize(
    "column, fix",
    [
        (lambda: pd.Series(np.arange(N)), "X.to_frame()"),
        (lambda: pl.Series("a", np.arange(N)), "X.to_frame()"),
        (lambda: pa.chunked_array([np.arange(N)]), 'pyarrow.table({"x": X})'),
        (lambda: pd.Index(np.arange(N)), "X.to_frame()"),
        (lambda: pd.Categorical(np.arange(N)), 'pandas.DataFrame({"x": X})'),
    ],
)
def test_one_column_X_error_gives_a_fix_that_exists(column, fix):
    # bug: a 1-D column as X (pandas, polars or pyarrow Series, pandas Index
    # or Categorical) was told to use X.reshape(-1, 1), which none of them has.
    with pytest.raises(ValueError, match="Expected a 2D array for X") as info:
        RandomUnderSampler().fit_resample(column(), Y)
    assert fix in str(info.value)
    assert "reshape" not in str(info.value)


def test_shrinkage_refusal_names_the_columns_type():
    X = pa.table({"a": np.arange(N) * 1.0, "n": pa.nulls(N)})
    with pytest.raises(ValueError, match="column 'n'") as info:
        RandomOverSampler(shrinkage=1.0).fit_resample(X, Y)
    assert "Unknown" not in str(info.value)


@pytest.mark.parametrize(
    "weights",
    [
        lambda: pd.Series(
            pa.array([1.0, None] * (N // 2)).dictionary_encode(),
            dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.float64())),
        ),
        lambda: pd.Series([1.0, pd.NA] * (N // 2), dtype=object),
    ],
)
def test_missing_weights_among_numbers_are_called_missing(weights):
    # bug: a pandas sample_weight of numbers with NA (dictionary-encoded
    # Arrow floats, objects) was refused as "<NA> (a NAType), not a number",
    # where the fix is to fill or drop the rows without a weight (as for a
    # Float64 or pyarrow column with nulls).
    with pytest.raises(ValueError, match="missing values"):
        RandomUnderSampler().fit_resample(
            np.arange(N)[:, None], Y, sample_weight=weights()
        )


@pytest.mark.parametrize(
    "arrow_type, value",
    [
        (pa.list_(pa.int64()), lambda v: [v]),
        (pa.struct([("a", pa.int64())]), lambda v: {"a": v}),
    ],
)
def test_nested_arrow_labels_named_by_their_dtype(arrow_type, value):
    # bug: a pandas y of Arrow lists or structs was refused as "y has dtype
    # object: several values a row"; its dtype is the Arrow one.
    y = pd.Series([value(int(v)) for v in Y], dtype=pd.ArrowDtype(arrow_type))
    with pytest.raises(TypeError, match="several values a row") as info:
        RandomOverSampler().fit_resample(np.arange(N)[:, None], y)
    assert f"y has dtype {y.dtype}:" in str(info.value)


def _reader(name: str, values: np.ndarray):
    """A pyarrow RecordBatchReader of one column."""
    batch = pa.record_batch({name: values})
    return pa.RecordBatchReader.from_batches(batch.schema, [batch])


def test_record_batch_reader_refused_with_a_fix_that_works():
    # bug: a pyarrow RecordBatchReader as y was told to pass list(y), which
    # gives its record batches (refused again), as sample_weight the same;
    # as X, "a single RecordBatchReader value". Each error now names
    # read_all(), whose result is resampled.
    X = np.arange(N)[:, None]
    with pytest.raises(ValueError, match=r"X\.read_all\(\)"):
        RandomOverSampler().fit_resample(_reader("a", np.arange(N)), Y)
    with pytest.raises(ValueError, match=r"y\.read_all\(\)") as info:
        RandomOverSampler().fit_resample(X, _reader("y", Y))
    assert "list(y)" not in str(info.value)
    with pytest.raises(TypeError, match=r"read_all\(\)\.column\(0\)") as info:
        RandomOverSampler().fit_resample(X, Y, sample_weight=_reader("w", np.ones(N)))
    assert "list(sample_weight)" not in str(info.value)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(
        _reader("a", np.arange(N)).read_all(),
        _reader("y", Y).read_all(),
        sample_weight=_reader("w", np.ones(N)).read_all().column(0),
    )
    assert X_res.column("a").to_pylist() == sampler.sample_indices_.tolist()
    assert y_res.column("y").to_pylist() == Y[sampler.sample_indices_].tolist()
