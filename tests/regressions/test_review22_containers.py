"""Review 22 (containers): a property-based fuzzer of ``fit_resample`` over
input containers, and the reduced cases of what it found.

The fuzzer draws X from numpy (every dtype family, big-endian, float16,
datetimes, strings, objects, structured; C/F order, strided, negative-stride,
read-only, memory-mapped, masked, ``np.matrix`` and broadcast views), pandas
(nullable, Arrow, categorical, tz-aware, sparse, period and interval columns;
duplicate, string, MultiIndex and datetime row indexes; MultiIndex and
integer column names), polars (Enum, Categorical, Struct, List, Array,
nulls), pyarrow (Table and RecordBatch, chunked, dictionary, view types),
every scipy sparse format (matrix and array, int64 indices, unsorted indices,
explicit zeros) and lists; y from every label kind (integers of every width
and byte order, huge and negative ones, strings, bytes, bools, categoricals,
nullable, polars and pyarrow columns, one-hot), including missing labels,
which must be refused; and ``sample_weight`` in several containers. For
every example: either a ValueError/TypeError with a message before any
change to the inputs, or X, y and weights row-aligned with
``sample_indices_`` value by value (dtypes, NaN positions, masks, names), the
per-class counts of ``sampling_strategy_``, the inputs unchanged and the same
seed giving the same output. The compiled gathers are forced on small inputs
(``compiled`` fixture). Run locally with many more examples (thousands) and
derandomize off; committed bounded.
"""

import copy
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance._frames import take_rows

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


# --- generators ----------------------------------------------------------------

NP_DTYPES = ["f8", "f4", "f2", ">f8", ">f2", "i1", ">i2", "i8", "u1", "u8", ">u4"]
NP_DTYPES += ["?", "M8[ns]", ">M8[s]", "m8[s]", "U4", ">U3", "S3", "O", "V4", "g"]
NP_DTYPES += ["struct"]
LAYOUTS = ["C", "F", "cols_step", "rows_neg", "cols_neg", "readonly", "memmap"]
LAYOUTS += ["masked", "matrix", "bcast"]


def _np_values(dtype, n, m, rng):
    raw = rng.normal(0, 100, (n, m))
    special = rng.random((n, m))
    if dtype == "struct":
        out = np.zeros((n, m), dtype=[("a", "f8"), ("b", "i4")])
        out["a"], out["b"] = raw, (raw * 3).astype(int)
        return out
    dt = np.dtype(dtype)
    native = dt.newbyteorder("=")
    if dt.kind == "f":
        raw = np.where(special < 0.1, np.nan, raw)
        raw = np.where((special > 0.1) & (special < 0.15), np.inf, raw)
        return np.where((special > 0.15) & (special < 0.2), -0.0, raw).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, (n, m), native, True).astype(dt)
    if dt.kind == "b":
        return raw > 0
    if dt.kind in "Mm":
        values = raw.astype(np.int64).astype(native)
        return np.where(special < 0.2, np.array("NaT", native), values).astype(dt)
    if dt.kind in "US":
        return raw.astype(int).astype(dt)
    if dt.kind == "V":
        return np.frombuffer(rng.bytes(n * m * dt.itemsize), dt).reshape(n, m).copy()
    pool = [None, np.nan, "a", 1, 2.5, (1, 2), b"x", True]
    out = np.empty((n, m), dtype=object)
    for (i, j), s in np.ndenumerate(special):
        out[i, j] = pool[int(s * len(pool))]
    return out


def _layout(a, kind, tmp_path):
    if kind == "F":
        return np.asfortranarray(a)
    if kind == "cols_step":
        return np.repeat(a, 2, axis=1)[:, ::2]
    if kind == "rows_neg":
        return np.ascontiguousarray(a[::-1])[::-1]
    if kind == "cols_neg":
        return np.ascontiguousarray(a[:, ::-1])[:, ::-1]
    if kind == "readonly":
        a = a.copy()
        a.flags.writeable = False
        return a
    if kind == "memmap" and not a.dtype.hasobject and a.size:
        path = tmp_path / f"x{len(os.listdir(tmp_path))}.dat"
        mm = np.memmap(path, dtype=a.dtype, mode="w+", shape=a.shape)
        mm[:] = a
        mm.flush()
        return np.memmap(path, dtype=a.dtype, mode="r", shape=a.shape)
    if kind == "masked":
        return np.ma.masked_array(a, mask=np.arange(a.size).reshape(a.shape) % 3 == 0)
    if kind == "matrix" and a.dtype.names is None:
        return np.asmatrix(a)
    if kind == "bcast" and a.shape[0]:
        return np.broadcast_to(a[:1], a.shape)
    return a


PD_COLS = ["f8nan", "Int64", "Float64", "boolean", "string", "string_pa", "obj"]
PD_COLS += ["cat", "cat_ord", "cat_unused", "dttz", "td", "period", "interval"]
PD_COLS += ["sparse", "int_pa", "list_pa", "str_view", ">f8", "f2", "UInt64"]
if not hasattr(pa, "string_view"):  # pyarrow < 16
    PD_COLS.remove("str_view")


def _pd_column(kind, n, rng):
    ints = rng.integers(-50, 50, n)
    mask = rng.random(n) < 0.25

    def masked(values, dtype):
        return pd.array([None if m else v for v, m in zip(values, mask)], dtype)

    make = {
        "f8nan": lambda: np.where(mask, np.nan, ints * 0.5),
        "Int64": lambda: masked(ints.tolist(), "Int64"),
        "UInt64": lambda: masked([v + 2**63 for v in ints.tolist()], "UInt64"),
        "Float64": lambda: masked((ints / 4).tolist(), "Float64"),
        "boolean": lambda: masked((ints > 0).tolist(), "boolean"),
        "string": lambda: masked([f"s{v}" for v in ints], "string"),
        "string_pa": lambda: masked([f"s{v}" for v in ints], "string[pyarrow]"),
        "obj": lambda: np.array([None if m else f"s{v}" for v, m in zip(ints, mask)]),
        "cat": lambda: pd.Categorical(
            [None if m else f"c{v % 3}" for v, m in zip(ints, mask)]
        ),
        "cat_ord": lambda: pd.Categorical(
            [f"c{v % 3}" for v in ints], categories=["c2", "c0", "c1"], ordered=True
        ),
        "cat_unused": lambda: pd.Categorical(ints % 3, categories=[9, 2, 1, 0, -4]),
        "dttz": lambda: pd.DatetimeIndex(
            np.where(mask, np.datetime64("NaT"), (ints + 10**6).astype("M8[s]"))
        ).tz_localize("Asia/Kolkata"),
        "td": lambda: pd.to_timedelta(np.where(mask, np.nan, ints), unit="s"),
        "period": lambda: pd.PeriodIndex(  # PeriodIndex.from_ordinals: pandas >= 2.2
            pd.arrays.PeriodArray((ints + 100).astype("i8"), dtype=pd.PeriodDtype("D"))
        ),
        "interval": lambda: pd.arrays.IntervalArray.from_arrays(ints, ints + 1),
        "sparse": lambda: pd.arrays.SparseArray(np.where(mask, ints * 1.0, 0.0)),
        "int_pa": lambda: masked(ints.tolist(), "int64[pyarrow]"),
        "list_pa": lambda: masked(
            [[v] for v in ints.tolist()], pd.ArrowDtype(pa.list_(pa.int64()))
        ),
        "str_view": lambda: masked(
            [f"v{v}" * 4 for v in ints], pd.ArrowDtype(pa.string_view())
        ),
        ">f8": lambda: (ints * 0.5).astype(">f8"),
        "f2": lambda: (ints * 0.5).astype("f2"),
    }
    return make[kind]()


def _pd_frame(kinds, n, index, columns, rng):
    frame = pd.DataFrame(
        {j: _pd_column(kind, n, rng) for j, kind in enumerate(kinds)},
        index={
            "range": None,
            "dup": [5] * n,
            "str": [f"r{i}" for i in range(n)],
            "multi": pd.MultiIndex.from_arrays([np.arange(n), np.arange(n) % 2]),
            "dt": pd.date_range("2021", periods=n, freq="D"),
        }[index],
    )
    if columns == "multi":
        frame.columns = pd.MultiIndex.from_arrays(
            [
                [f"g{j % 2}" for j in range(len(kinds))],
                [f"c{j}" for j in range(len(kinds))],
            ]
        )
    elif columns == "str":
        frame.columns = [f"c{j}" for j in range(len(kinds))]
    frame.attrs["source"] = "fuzz"
    return frame


PL_COLS = ["i64", "f64null", "str", "enum", "cat", "struct", "list", "array"]
PL_COLS += ["bool", "dttz", "u64", "null", "object"]


def _pl_column(kind, n, rng):
    ints = rng.integers(-50, 50, n).tolist()
    mask = (rng.random(n) < 0.25).tolist()

    def masked(values, dtype=None):
        return pl.Series([None if m else v for v, m in zip(values, mask)], dtype=dtype)

    make = {
        "i64": lambda: pl.Series(ints, dtype=pl.Int64),
        "u64": lambda: pl.Series([v + 2**63 for v in ints], dtype=pl.UInt64),
        "f64null": lambda: masked([v / 2 for v in ints], pl.Float64),
        "str": lambda: masked([f"s{v}" for v in ints], pl.Utf8),
        "enum": lambda: masked(
            [f"e{v % 3}" for v in ints], pl.Enum(["e2", "e0", "e1", "e9"])
        ),
        "cat": lambda: masked([f"c{v % 3}" for v in ints], pl.Categorical),
        "struct": lambda: pl.Series([{"a": v, "b": f"x{v}"} for v in ints]),
        "list": lambda: masked([[v, v] for v in ints]),
        "array": lambda: pl.Series([[v, v] for v in ints], dtype=pl.Array(pl.Int64, 2)),
        "bool": lambda: masked([v > 0 for v in ints], pl.Boolean),
        "dttz": lambda: pl.Series(ints).cast(pl.Datetime("ms", "Europe/Paris")),
        "null": lambda: pl.Series([None] * n, dtype=pl.Null),
        "object": lambda: pl.Series([object() for _ in ints], dtype=pl.Object),
    }
    return make[kind]()


PA_COLS = ["int", "float_null", "str", "large_str", "str_view", "dict", "list"]
if not hasattr(pa, "string_view"):  # pyarrow < 16
    PA_COLS.remove("str_view")
PA_COLS += ["struct", "ts_tz", "chunked", "null"]


def _pa_column(kind, n, rng):
    ints = rng.integers(-50, 50, n).tolist()
    mask = (rng.random(n) < 0.25).tolist()
    make = {
        "int": lambda: pa.array(ints, pa.int64()),
        "float_null": lambda: pa.array(
            [None if m else v / 2 for v, m in zip(ints, mask)], pa.float64()
        ),
        "str": lambda: pa.array([None if m else f"s{v}" for v, m in zip(ints, mask)]),
        "large_str": lambda: pa.array([f"s{v}" for v in ints], pa.large_string()),
        "str_view": lambda: pa.array([f"s{v}" * 5 for v in ints], pa.string_view()),
        "dict": lambda: pa.array([f"d{v % 3}" for v in ints]).dictionary_encode(),
        "list": lambda: pa.array([[v] for v in ints]),
        "struct": lambda: pa.array([{"a": v} for v in ints]),
        "ts_tz": lambda: pa.array(ints, pa.int64()).cast(pa.timestamp("s", tz="UTC")),
        "chunked": lambda: pa.chunked_array(
            [ints[: n // 2], ints[n // 2 :]], pa.int64()
        ),
        "null": lambda: pa.nulls(n),
    }
    return make[kind]()


SP_FORMATS = ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"]
SP_DTYPES = ["f8", "f4", "i8", "?", "u1", ">f8", "g", ">i4"]


def _sparse(case, n, m, rng):
    dense = np.where(rng.random((n, m)) < 0.5, 0, rng.integers(1, 9, (n, m)))
    matrix = sp.csr_matrix(dense)
    if case["explicit0"] and matrix.nnz:
        matrix.data[::2] = 0  # stored zeros
    dtype = np.dtype(case["spdt"])
    try:
        matrix = matrix.astype(dtype)
    except (TypeError, ValueError):  # scipy refuses non-native byte order
        matrix = matrix.astype(dtype.newbyteorder("="))
    if case["spkind"] == "array":
        matrix = sp.csr_array(matrix)
    fmt = case["fmt"]
    if case["unsorted"] and fmt in ("csr", "csc") and matrix.nnz:
        matrix = matrix.asformat(fmt)
        indices, data = matrix.indices.copy(), matrix.data.copy()
        for r in range(len(matrix.indptr) - 1):
            lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
            indices[lo:hi], data[lo:hi] = indices[lo:hi][::-1], data[lo:hi][::-1]
        matrix = type(matrix)((data, indices, matrix.indptr.copy()), shape=matrix.shape)
    else:
        matrix = matrix.asformat(fmt)
    if case["idx64"] and fmt in ("csr", "csc", "bsr"):
        matrix.indices = matrix.indices.astype(np.int64)
        matrix.indptr = matrix.indptr.astype(np.int64)
    return matrix


Y_KINDS = ["i1", "u1", ">i4", "i8neg", "u8huge", "i8huge", "U", "O_str", "S", "bool"]
Y_KINDS += ["f8whole", "list_str", "tuple", "pd_int", "pd_idx", "pd_cat_unused"]
Y_KINDS += ["pd_cat_ord", "pd_Int64", "pd_string_pa", "pd_boolean", "pl_str", "pl_enum"]
Y_KINDS += ["pl_cat", "pa_int", "pa_dict", "pa_chunked", "col2d", "onehot", "pd_df1"]
# Missing labels: always refused.
Y_MISSING = ["f8nan", "O_none", "pd_obj_nan", "pd_Int64_na", "pl_null", "pa_str_null"]


def _make_y(kind, codes, k, rng):
    n = len(codes)
    names = [f"k{c}" for c in range(k)]
    strs = [names[c] for c in codes]
    missing = int(rng.integers(n))

    def with_none(values):
        values = list(values)
        values[missing] = None
        return values

    make = {
        "i1": lambda: (codes - 3).astype(np.int8),
        "u1": lambda: (codes + 250 - k).astype(np.uint8),
        ">i4": lambda: codes.astype(">i4"),
        "i8neg": lambda: -codes.astype(np.int64) - 1,
        "u8huge": lambda: np.uint64(2**64 - 1) - codes.astype(np.uint64),
        "i8huge": lambda: np.int64(2**62) * (codes.astype(np.int64) - 1),
        "U": lambda: np.array(strs),
        "O_str": lambda: np.array(strs, dtype=object),
        "S": lambda: np.array(strs, dtype="S"),
        "bool": lambda: codes.astype(bool) if k == 2 else codes,
        "f8whole": lambda: codes.astype(float) * 2,
        "list_str": lambda: strs,
        "tuple": lambda: tuple(codes.tolist()),
        "pd_int": lambda: pd.Series(codes, name="target"),
        "pd_idx": lambda: pd.Series(strs, index=np.arange(n)[::-1] + 7, name=("t", 1)),
        "pd_cat_unused": lambda: pd.Series(
            pd.Categorical(strs, categories=names[::-1] + ["zz"])
        ),
        "pd_cat_ord": lambda: pd.Series(
            pd.Categorical(strs, categories=names[::-1], ordered=True)
        ),
        "pd_Int64": lambda: pd.Series(codes, dtype="Int64"),
        "pd_string_pa": lambda: pd.Series(strs, dtype="string[pyarrow]"),
        "pd_boolean": lambda: (
            pd.Series(codes.astype(bool), dtype="boolean")
            if k == 2
            else pd.Series(codes, dtype="Int8")
        ),
        "pl_str": lambda: pl.Series("y", strs),
        "pl_enum": lambda: pl.Series("y", strs, dtype=pl.Enum(names[::-1] + ["zz"])),
        "pl_cat": lambda: pl.Series("y", strs, dtype=pl.Categorical),
        "pa_int": lambda: pa.array(codes.tolist(), pa.int32()),
        "pa_dict": lambda: pa.array(strs).dictionary_encode(),
        "pa_chunked": lambda: pa.chunked_array(
            [strs[: n // 2], strs[n // 2 :]], pa.string()
        ),
        "col2d": lambda: codes.reshape(-1, 1),
        "onehot": lambda: np.eye(k, dtype=np.int64)[codes],
        "pd_df1": lambda: pd.DataFrame({"t": strs}),
        "f8nan": lambda: np.array(with_none(codes.astype(float)), dtype=float),
        "O_none": lambda: np.array(with_none(strs), dtype=object),
        "pd_obj_nan": lambda: pd.Series(
            [np.nan if i == missing else s for i, s in enumerate(strs)], dtype=object
        ),
        "pd_Int64_na": lambda: pd.Series(with_none(codes.tolist()), dtype="Int64"),
        "pl_null": lambda: pl.Series("y", with_none(strs)),
        "pa_str_null": lambda: pa.array(with_none(strs)),
    }
    return make[kind]()


W_KINDS = [None, "np", "pd", "list", "pl", "pa", "f16"]


def _make_w(kind, n):
    w = np.arange(n) % 5 + 0.5
    return {
        None: lambda: None,
        "np": lambda: w,
        "f16": lambda: w.astype(np.float16),
        "pd": lambda: pd.Series(w, index=np.arange(n)[::-1]),
        "list": lambda: w.tolist(),
        "pl": lambda: pl.Series("w", w),
        "pa": lambda: pa.array(w),
    }[kind]()


@st.composite
def _cases(draw):
    k = draw(st.sampled_from([1, 2, 2, 3, 4]))
    counts = draw(st.lists(st.integers(1, 12), min_size=k, max_size=k))
    seed = draw(st.integers(0, 2**31))
    codes = np.repeat(np.arange(k), counts)
    codes = codes[np.random.default_rng(seed).permutation(codes.shape[0])]
    m = draw(st.sampled_from([0, 1, 2, 3]))
    family = draw(st.sampled_from(["np", "np", "pd", "pd", "pl", "pa", "sp", "list"]))
    case = {"k": k, "codes": codes, "seed": seed, "m": m, "family": family}
    if family == "np":
        case["dt"] = draw(st.sampled_from(NP_DTYPES))
        case["layout"] = draw(st.sampled_from(LAYOUTS))
    elif family in ("pd", "pl", "pa"):
        pool = {"pd": PD_COLS, "pl": PL_COLS, "pa": PA_COLS}[family]
        case["kinds"] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        case["index"] = draw(st.sampled_from(["range", "dup", "str", "multi", "dt"]))
        case["columns"] = draw(st.sampled_from(["str", "int", "multi"]))
        case["batch"] = draw(st.booleans())
    elif family == "sp":
        case["fmt"] = draw(st.sampled_from(SP_FORMATS))
        case["spkind"] = draw(st.sampled_from(["matrix", "array"]))
        case["spdt"] = draw(st.sampled_from(SP_DTYPES))
        for flag in ("idx64", "unsorted", "explicit0"):
            case[flag] = draw(st.booleans())
    else:
        case["listkind"] = draw(st.sampled_from(["rows", "tuples", "arrays", "mixed"]))
    case["y"] = draw(st.sampled_from(Y_KINDS + Y_MISSING[:3] + Y_KINDS + Y_MISSING[3:]))
    case["w"] = draw(st.sampled_from(W_KINDS))
    case["sampler"] = draw(st.sampled_from(SAMPLERS))
    case["strategy"] = draw(
        st.sampled_from(["auto", "auto", "majority", "not minority", "all", "dict"])
    )
    case["shuffle"] = draw(st.booleans())
    case["shrinkage"] = draw(st.sampled_from([None, None, None, 0.0, 1.0]))
    return case


def _make_X(case, tmp_path):
    rng = np.random.default_rng(case["seed"] + 1)
    n, m, family = len(case["codes"]), case["m"], case["family"]
    if family == "np":
        return _layout(_np_values(case["dt"], n, m, rng), case["layout"], tmp_path)
    if family == "pd":
        return _pd_frame(case["kinds"], n, case["index"], case["columns"], rng)
    if family == "pl":
        return pl.DataFrame(
            {f"c{j}": _pl_column(kind, n, rng) for j, kind in enumerate(case["kinds"])}
        )
    if family == "pa":
        table = pa.table(
            {f"c{j}": _pa_column(kind, n, rng) for j, kind in enumerate(case["kinds"])}
        )
        return table.combine_chunks().to_batches()[0] if case["batch"] else table
    if family == "sp":
        return _sparse(case, n, max(m, 1), rng)
    rows = rng.integers(-5, 5, (n, m))
    return {
        "rows": lambda: rows.tolist(),
        "tuples": lambda: [tuple(r) for r in rows.tolist()],
        "arrays": lambda: list(rows.astype(float)),
        "mixed": lambda: [[f"s{i}", None, *r] for i, r in enumerate(rows.tolist())],
    }[case["listkind"]]()


# --- references and comparisons -------------------------------------------------


def _column_rows(column, rows):
    if isinstance(column.dtype, np.dtype):
        return column.to_numpy()[rows]
    if "view" in str(column.dtype):  # no take kernel in pandas nor pyarrow
        values = column.tolist()
        return pd.array([values[i] for i in rows.tolist()], dtype=column.dtype)
    return column.array.take(rows)


def _reference(data, rows):
    """Rows ``rows`` of ``data``, taken the way its own library takes them."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        foreign = any(
            (isinstance(d, np.dtype) and not d.isnative) or "view" in str(d)
            for d in (data.dtypes if data.ndim == 2 else [data.dtype])
        )
        if foreign:  # pandas' own take refuses big-endian and view columns
            frame = data.to_frame() if data.ndim == 1 else data
            taken = pd.DataFrame(
                {j: _column_rows(frame.iloc[:, j], rows) for j in range(frame.shape[1])}
            ).__finalize__(data)
            taken.columns = frame.columns
            return taken.iloc[:, 0].rename(data.name) if data.ndim == 1 else taken
        source = data.set_flags(allows_duplicate_labels=True)
        return source.iloc[rows].reset_index(drop=True)
    if sp.issparse(data):
        return data.tocsr()[rows]
    if isinstance(data, (list, tuple)):
        return [data[i] for i in rows.tolist()]
    if isinstance(data, np.ndarray):
        return (
            data[rows]
            if isinstance(data, (np.ma.MaskedArray, np.matrix))
            else np.asarray(data)[rows]
        )
    if isinstance(data, (pl.DataFrame, pl.Series)):
        return data[rows.tolist()] if len(rows) else data.clear()
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        columns = [
            pa.array([c[i].as_py() for i in rows.tolist()], c.type)
            for c in data.columns
        ]
        return type(data).from_arrays(columns, schema=data.schema)
    return data.take(pa.array(rows, pa.int64()))


def _same_objects(a, b):
    for x, y in zip(np.asarray(a).ravel().tolist(), np.asarray(b).ravel().tolist()):
        both_nan = isinstance(x, float) and isinstance(y, float) and x != x and y != y
        if not (x is y or both_nan or (type(x) is type(y) and x == y)):
            return False
    return True


def _assert_same_frames(got, expected):
    try:
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    except NotImplementedError:  # pandas' checks cannot read Arrow view types
        assert list(got.dtypes) == list(expected.dtypes)
        assert got.columns.equals(expected.columns) and got.index.equals(expected.index)
        for j in range(expected.shape[1]):
            a, b = got.iloc[:, j].tolist(), expected.iloc[:, j].tolist()
            assert [None if pd.isna(v) is True else v for v in a] == [
                None if pd.isna(v) is True else v for v in b
            ]
    assert got.attrs == expected.attrs


def _assert_same(got, expected):
    if isinstance(expected, pd.DataFrame):
        _assert_same_frames(got, expected)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, check_exact=True)
    elif sp.issparse(expected):
        assert sp.issparse(got) and got.dtype == expected.dtype
        assert got.shape == expected.shape
        assert got.toarray().tobytes() == expected.toarray().tobytes()
    elif isinstance(expected, np.ndarray):
        assert type(got) is type(expected), (type(got), type(expected))
        assert got.dtype == expected.dtype and got.shape == expected.shape
        if expected.dtype.hasobject:
            assert _same_objects(got, expected)
        else:
            assert np.asarray(got).tobytes() == np.asarray(expected).tobytes()
        if isinstance(expected, np.ma.MaskedArray):
            mask = np.ma.getmaskarray
            assert np.array_equal(mask(got), mask(expected))
            assert repr(got.fill_value) == repr(expected.fill_value)
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected)
        for a, b in zip(got, expected):
            assert np.array_equal(a, b) if isinstance(b, np.ndarray) else a == b
    elif isinstance(expected, (pl.DataFrame, pl.Series)):
        assert type(got) is type(expected)
        if isinstance(expected, pl.DataFrame):
            assert got.schema == expected.schema
            keep = [c for c, d in expected.schema.items() if d != pl.Object]
            assert got.select(keep).equals(expected.select(keep), null_equal=True)
        else:
            assert got.name == expected.name
            assert got.equals(expected, null_equal=True, check_dtypes=True)
    else:
        assert type(got) is type(expected)
        if hasattr(expected, "schema"):
            assert got.schema == expected.schema
        assert got.to_pylist() == expected.to_pylist()


def _snapshot(obj):
    if sp.issparse(obj):
        return obj.copy(), obj.format, obj.dtype
    if isinstance(obj, np.ndarray):
        mask = np.ma.getmaskarray(obj).copy() if np.ma.isMaskedArray(obj) else None
        return np.array(obj, copy=True), obj.strides, obj.flags.writeable, mask
    if isinstance(obj, (pl.DataFrame, pl.Series)):
        return obj.clone()
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.copy(deep=True), dict(obj.attrs)
    if isinstance(obj, (pa.Table, pa.RecordBatch, pa.Array, pa.ChunkedArray)):
        return obj.to_pylist()
    return copy.deepcopy(obj)


def _assert_unchanged(obj, snap):
    if obj is None:
        return
    if sp.issparse(obj):
        before, fmt, dtype = snap
        assert obj.format == fmt and obj.dtype == dtype
        assert obj.toarray().tobytes() == before.toarray().tobytes()
    elif isinstance(obj, np.ndarray):
        values, strides, writeable, mask = snap
        assert obj.strides == strides and obj.flags.writeable == writeable
        if obj.dtype.hasobject:
            assert _same_objects(obj, values)
        else:
            assert np.asarray(obj).tobytes() == values.tobytes()
        if mask is not None:
            assert np.array_equal(np.ma.getmaskarray(obj), mask)
    elif isinstance(obj, (pl.DataFrame, pl.Series)):
        if isinstance(obj, pl.DataFrame):
            keep = [c for c, d in obj.schema.items() if d != pl.Object]
            assert obj.select(keep).equals(snap.select(keep), null_equal=True)
        else:
            assert obj.equals(snap, null_equal=True, check_dtypes=True)
    elif isinstance(obj, (pd.DataFrame, pd.Series)):
        before, attrs = snap
        assert obj.equals(before) and obj.index.equals(before.index)
        assert list(np.ravel(obj.dtypes)) == list(np.ravel(before.dtypes))
        assert obj.attrs == attrs
    elif isinstance(obj, (pa.Table, pa.RecordBatch, pa.Array, pa.ChunkedArray)):
        assert obj.to_pylist() == snap
    else:
        assert repr(obj) == repr(snap)


def _labels_of(y, codes):
    """{code: the label of that class in y} (None for one-hot y)."""
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.shape[1] > 1:
        return {int(c): int(c) for c in codes}
    if isinstance(y, (pa.Array, pa.ChunkedArray)):
        values = y.to_pylist()
    elif isinstance(y, pd.DataFrame):
        values = y.iloc[:, 0].tolist()
    else:
        values = (
            np.asarray(y).ravel().tolist() if not hasattr(y, "to_list") else y.to_list()
        )
    return {int(c): v for c, v in zip(codes, values)}


def _run(case, tmp_path):
    n, k, codes = len(case["codes"]), case["k"], case["codes"]
    X = _make_X(case, tmp_path)
    y = _make_y(case["y"], codes, k, np.random.default_rng(case["seed"] + 2))
    w = _make_w(case["w"], n)
    snaps = [None if v is None else _snapshot(v) for v in (X, y, w)]
    counts = np.bincount(codes, minlength=k)
    strategy = case["strategy"]
    sampler_cls = case["sampler"]
    if strategy == "dict":
        label = _labels_of(y, codes)
        goal = min(counts) if sampler_cls is RandomUnderSampler else max(counts)
        strategy = {label[c]: int(goal) for c in range(k)}
    params = {"random_state": case["seed"], "sampling_strategy": strategy}
    if sampler_cls in (RandomUnderSampler, RandomOverSampler):
        params["shuffle"] = case["shuffle"]
    if sampler_cls is RandomOverSampler and case["shrinkage"] is not None:
        params["shrinkage"] = case["shrinkage"]

    def fit_resample():
        sampler = sampler_cls(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if w is None:
                return sampler, sampler.fit_resample(X, y)
            return sampler, sampler.fit_resample(X, y, sample_weight=w)

    try:
        sampler, out = fit_resample()
    except (ValueError, TypeError) as exc:
        assert str(exc)
        for value, snap in zip((X, y, w), snaps):
            _assert_unchanged(value, snap)
        return
    assert case["y"] not in Y_MISSING, "a missing label was accepted"
    for value, snap in zip((X, y, w), snaps):
        _assert_unchanged(value, snap)
    rows = sampler.sample_indices_
    assert rows.ndim == 1 and rows.dtype.kind == "i"
    assert ((rows >= 0) & (rows < n)).all()
    if "shrinkage" not in params:
        _assert_same(out[0], _reference(X, rows))
    else:  # the smoothed bootstrap changes the values of added rows
        assert (out[0].shape[0] if hasattr(out[0], "shape") else len(out[0])) == len(
            rows
        )
    expected_y = _reference(y, rows)
    if isinstance(y, tuple):
        assert np.asarray(out[1]).tolist() == expected_y
    else:
        _assert_same(out[1], expected_y)
    if w is not None:
        _assert_same(out[2], _reference(w, rows))
    # Counts per class: as reported (over-sampling: rows added).
    drawn = np.bincount(codes[rows], minlength=k)
    reported = sampler.sampling_strategy_
    label = _labels_of(y, codes)
    for c in range(k):
        key = label[c]
        if key not in reported:
            continue
        if sampler_cls is RandomOverSampler:
            assert drawn[c] - counts[c] == reported[key]
        elif sampler_cls is not LabelShuffleSampler:
            assert drawn[c] == reported[key]
    if sampler_cls is RandomUnderSampler:
        assert (drawn <= counts).all()
    elif sampler_cls is RandomOverSampler:
        assert (drawn >= counts).all()
    # The same seed, the same output.
    again, out_again = fit_resample()
    np.testing.assert_array_equal(again.sample_indices_, rows)
    _assert_same(out_again[0], out[0])


@settings(FUZZ, max_examples=100)
@given(case=_cases())
def test_fit_resample_over_containers(compiled, tmp_path_factory, case):
    _run(case, tmp_path_factory.mktemp("mm"))


@settings(FUZZ, max_examples=40)
@given(case=_cases())
def test_fit_resample_over_containers_numpy_paths(tmp_path_factory, case):
    # The default thresholds: small inputs go to numpy, pandas and scipy.
    _run(case, tmp_path_factory.mktemp("mm"))


def test_risky_gathers_do_not_crash_the_interpreter():
    # Segfault guard: the compiled gathers on views, big-endian data, int64
    # sparse indices and duplicate rows, in a child process.
    script = """
import numpy as np, pandas as pd, scipy.sparse as sp
from rebalance import RandomOverSampler, LabelShuffleSampler, _gather, _indices
_gather.GATHER_ABOVE = 0; _gather.NEAR_ROWS = 2; _gather.STAGE_TILE = 7
_gather.STAGE_COLUMNS_ABOVE = 0
_indices.PARALLEL_ABOVE = 0; _indices.n_threads = lambda: 3
y = np.repeat([0, 1, 2], [40, 7, 1])
base = np.arange(48 * 3, dtype=np.float64).reshape(48, 3)
csr = sp.csr_matrix(base); csr.indices = csr.indices.astype(np.int64)
csr.indptr = csr.indptr.astype(np.int64)
for X in (base[::-1], base[:, ::-2], base.astype('>f4'), np.asfortranarray(base),
          csr, sp.csc_array(base), pd.DataFrame(base.astype('>i8')),
          np.ma.masked_array(base, mask=base % 4 == 0)):
    for cls in (RandomOverSampler, LabelShuffleSampler):
        s = cls(random_state=0)
        X_res, y_res = s.fit_resample(X, pd.Series(y.astype('>i2')))
        dense = X.toarray() if sp.issparse(X) else np.asarray(X)
        res = X_res.toarray() if sp.issparse(X_res) else np.asarray(X_res)
        assert (res == dense[s.sample_indices_]).all()
print('ok')
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


# --- reduced cases --------------------------------------------------------------


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_structured_masked_X_keeps_its_mask(sampler_cls):
    # Before: MaskedArray.take (np.take) dropped the whole mask of a
    # structured masked array: masked entries came back unmasked.
    X = np.zeros((8, 3), dtype=[("a", "f8"), ("b", "i4")])
    X["a"] = np.arange(24).reshape(8, 3)
    X = np.ma.masked_array(X, mask=np.arange(24).reshape(8, 3) % 3 == 0)
    y = np.array([1, 0, 1, 1, 0, 1, 0, 1])
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    expected = X[sampler.sample_indices_]
    assert np.ma.isMaskedArray(X_res)
    assert np.array_equal(np.ma.getmaskarray(X_res), np.ma.getmaskarray(expected))
    assert np.ma.getmaskarray(X_res)["a"].any()


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_masked_X_keeps_its_fill_value_and_hard_mask(sampler_cls):
    # Before: np.take gave the default fill value (1e20) and a soft mask, so
    # X_res.filled() wrote 1e20 where X.filled() writes -7.
    X = np.ma.masked_array(
        np.arange(16.0).reshape(8, 2),
        mask=np.arange(16).reshape(8, 2) % 5 == 0,
        fill_value=-7.0,
        hard_mask=True,
    )
    y = np.array([0, 1, 1, 1, 0, 1, 1, 1])
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.fill_value == -7.0 and X_res.hardmask
    np.testing.assert_array_equal(X_res.filled(), X.filled()[sampler.sample_indices_])


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_memmap_X_comes_back_an_in_memory_ndarray(sampler_cls, tmp_path):
    # Before: the resampled rows came back as an np.memmap backed by no file
    # (numpy's own indexing, and imbalanced-learn, give an ndarray).
    mm = np.memmap(tmp_path / "x.dat", dtype="f4", mode="w+", shape=(8, 2))
    mm[:] = np.arange(16).reshape(8, 2)
    mm.flush()
    X = np.memmap(tmp_path / "x.dat", dtype="f4", mode="r", shape=(8, 2))
    y = np.array([0, 1, 1, 1, 0, 1, 1, 1])
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert type(X_res) is np.ndarray
    np.testing.assert_array_equal(X_res, np.asarray(X)[sampler.sample_indices_])


@pytest.mark.parametrize(
    "y", [[(1, 2)] * 3 + [(3,)] * 3, [[1, 2]] * 3 + [[3]] * 3], ids=["tuples", "lists"]
)
def test_ragged_labels_are_refused_naming_y(y):
    # Before: numpy's "setting an array element with a sequence ..." named
    # no argument.
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match=r"^y could not be read as an array of labels"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


@pytest.mark.parametrize("fmt", ["coo", "dia", "bsr"])
def test_take_rows_of_unindexable_sparse_formats(fmt):
    # Before: take_rows (used for row-aligned fit parameters) called
    # data[rows] on formats scipy cannot index: TypeError "not subscriptable".
    dense = np.arange(12.0).reshape(4, 3)
    data = sp.csr_matrix(dense).asformat(fmt)
    rows = np.array([3, 0, 0, 2])
    taken = take_rows(data, rows)
    assert taken.format == fmt
    np.testing.assert_array_equal(taken.toarray(), dense[rows])


@pytest.mark.skipif(not hasattr(pa, "string_view"), reason="pyarrow < 16")
def test_shrinkage_refuses_arrow_view_columns_naming_them():
    # Before: pandas' is_numeric_dtype raised NotImplementedError("string_view")
    # out of the numeric check of the smoothed bootstrap.
    X = pd.DataFrame(
        {
            "a": pd.array(["x", "y", "z", "w"], dtype=pd.ArrowDtype(pa.string_view())),
            "b": np.arange(4.0),
        }
    )
    y = np.array([0, 1, 1, 1])
    with pytest.raises(ValueError, match="column 'a' has dtype string_view"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
