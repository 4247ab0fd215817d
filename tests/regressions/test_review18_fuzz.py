"""Review 18, property-based fuzzer of ``fit_resample`` over input containers.

Two hypothesis properties (derandomized, small ``max_examples``) generate X,
y and ``sample_weight`` in many containers and layouts (numpy dtypes and
views, pandas extension dtypes and indexes, every scipy sparse format,
polars, pyarrow, lists), with the threaded gather thresholds lowered so that
small inputs take the compiled paths, and check: every output row is the
input row ``sample_indices_[i]`` (values, dtypes, names), labels and weights
aligned, counts per class as drawn, inputs unmodified, the container kept,
the same seed giving the same output, and only ValueError/TypeError raised.
The plain tests after them are the reduced cases of what the fuzzer found.
"""

import copy
import os
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.utils.fixes import parse_version

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _gather,
    _indices,
)
from rebalance._frames import take_rows

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

_X_KINDS = ["f64", "f16", "bool", "i8", "u64", "M8", "m8", "obj", "str", "struct"]
_X_KINDS += ["F", "colneg", "rowneg", "readonly", "be", "one_col", "masked"]
_X_KINDS += ["pd_ext", "pd_pa", "pd_time", "pd_sparse", "pd_mi_cols", "pd_dup_idx"]
_X_KINDS += ["pd_str_idx", "pd_be", "csr", "csc", "coo", "lil", "dok", "bsr", "dia"]
_X_KINDS += ["csr_array", "csr_bool", "csr_i64", "csr_longdouble", "list", "list_mixed"]
_X_KINDS += ["pl", "pa"]


def _make_X(kind, n):
    """X of ``n`` rows whose first column holds the row number."""
    ids = np.arange(n)
    base = np.column_stack([ids, ids * 2 + 1, ids % 3]).astype(np.float64)
    dense = {
        "f64": lambda: base,
        "f16": lambda: base.astype(np.float16),  # exact below 2048 rows
        "bool": lambda: base % 2 == 0,
        "i8": lambda: (base % 100).astype(np.int8),
        "u64": lambda: base.astype(np.uint64) + np.uint64(2**63),
        "M8": lambda: base.astype("datetime64[s]"),
        "m8": lambda: base.astype("timedelta64[ms]"),
        "obj": lambda: np.column_stack([ids, [f"s{i}" for i in ids]]).astype(object),
        "str": lambda: base.astype(int).astype(str),
        "F": lambda: np.asfortranarray(base),
        "colneg": lambda: base[:, ::-1],
        "rowneg": lambda: base[::-1][::-1],
        "be": lambda: base.astype(">f8"),
        "one_col": lambda: base[:, :1],
        "masked": lambda: np.ma.masked_array(base, mask=base % 5 == 0),
        "csr": lambda: sp.csr_matrix(base),
        "csc": lambda: sp.csc_matrix(base),
        "coo": lambda: sp.coo_matrix(base),
        "lil": lambda: sp.lil_matrix(base),
        "dok": lambda: sp.dok_matrix(base),
        "bsr": lambda: sp.bsr_matrix(base),
        "dia": lambda: sp.dia_matrix(base[:, :1]),
        "csr_array": lambda: sp.csr_array(base),
        "csr_bool": lambda: sp.csr_matrix(base % 2 == 0),
        "csr_longdouble": lambda: sp.csr_matrix(base.astype(np.longdouble)),
        "list": lambda: base.tolist(),
        "list_mixed": lambda: [[int(i), f"s{i}", i % 2 == 0] for i in ids],
    }
    if kind in dense:
        return dense[kind]()
    if kind == "struct":
        X = np.zeros((n, 2), dtype=[("a", "f8"), ("b", "i4")])
        X["a"][:, 0] = ids
        return X
    if kind == "readonly":
        X = base.copy()
        X.flags.writeable = False
        return X
    if kind == "csr_i64":
        X = sp.csr_matrix(base)
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
        return X
    if kind == "pl":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(
            {
                "id": ids,
                "s": [None if i % 3 == 0 else f"s{i}" for i in ids],
                "l": [[int(i)] for i in ids],
            }
        )
    if kind == "pa":
        pa = pytest.importorskip("pyarrow")
        return pa.table({"id": ids, "s": [f"s{i}" for i in ids]})
    index = {"pd_dup_idx": [7] * n, "pd_str_idx": [f"r{i}" for i in ids]}.get(kind)
    columns = {"id": ids}
    if kind == "pd_ext":
        columns["i"] = pd.array(np.where(ids % 3 == 0, None, ids), dtype="Int64")
        columns["f"] = pd.array(np.where(ids % 4 == 0, None, ids / 2), dtype="Float64")
        columns["b"] = pd.array(np.where(ids % 5 == 0, None, ids % 2 == 0), "boolean")
        columns["s"] = pd.array([None if i % 2 else f"s{i}" for i in ids], "string")
        columns["c"] = pd.Categorical(ids % 3, categories=[2, 0, 1, 9])
    elif kind == "pd_pa":
        pytest.importorskip("pyarrow")
        columns["s"] = pd.array([f"s{i}" for i in ids], dtype="string[pyarrow]")
        columns["d"] = pd.array(ids / 2, dtype="double[pyarrow]")
    elif kind == "pd_time":
        columns["t"] = pd.date_range("2020", periods=n, freq="h", tz="Europe/Paris")
        columns["p"] = pd.period_range("2020", periods=n, freq="M")
        columns["v"] = pd.arrays.IntervalArray.from_breaks(np.arange(n + 1))
        columns["m"] = pd.to_timedelta(ids, unit="s")
    elif kind == "pd_sparse":
        columns["sp"] = pd.arrays.SparseArray((ids % 4 == 0).astype(float))
    elif kind == "pd_be":
        columns = {"id": ids.astype(">i8"), "f": (ids / 2).astype(">f4")}
    else:
        columns["a"] = ids * 2.0
        columns["b"] = ids * 3.0
    X = pd.DataFrame(columns, index=index)
    if kind == "pd_mi_cols":
        X.columns = pd.MultiIndex.from_tuples([("a", "id"), ("a", "x"), ("b", "y")])
    X.attrs["source"] = "fuzz"
    return X


_Y_KINDS = ["i64", "u8", "be_i4", "str", "obj", "bool", "list", "col2d", "onehot"]
_Y_KINDS += ["pd_int", "pd_idx", "pd_cat", "pd_string", "pd_Int64", "pd_boolean"]
_Y_KINDS += ["pl_str", "pa_int"]


def _make_y(kind, codes, k):
    n = len(codes)
    if kind == "i64":
        return codes.astype(np.int64) * 3 - 1
    if kind == "u8":
        return (codes + 200).astype(np.uint8)
    if kind == "be_i4":
        return codes.astype(">i4")
    if kind == "str":
        return np.array([f"c{c}" for c in codes])
    if kind == "obj":
        return np.array([f"c{c}" for c in codes], dtype=object)
    if kind == "bool":
        return codes.astype(bool) if k == 2 else codes
    if kind == "list":
        return [f"c{c}" for c in codes]
    if kind == "col2d":
        return codes.reshape(-1, 1)
    if kind == "onehot":
        onehot = np.zeros((n, k), dtype=np.int64)
        onehot[np.arange(n), codes] = 1
        return onehot
    if kind == "pd_int":
        return pd.Series(codes, name="t")
    if kind == "pd_idx":
        return pd.Series(codes, index=np.arange(n)[::-1] + 5, name=("t", 1))
    if kind == "pd_cat":
        names = [f"c{c}" for c in range(k)]
        return pd.Series(
            pd.Categorical([names[c] for c in codes], categories=names[::-1] + ["z"])
        )
    if kind == "pd_string":
        return pd.Series([f"c{c}" for c in codes], dtype="string")
    if kind == "pd_Int64":
        return pd.Series(codes, dtype="Int64")
    if kind == "pd_boolean":
        return pd.Series(codes.astype(bool), dtype="boolean") if k == 2 else codes
    if kind == "pl_str":
        pl = pytest.importorskip("polars")
        return pl.Series("y", [f"c{c}" for c in codes])
    pa = pytest.importorskip("pyarrow")
    return pa.array(codes)


_W_KINDS = [None, "f64", "f16", "i64", "bool", "list", "pd", "pd_idx", "pd_Float64"]
_W_KINDS += ["pl", "pa"]


def _make_w(kind, n):
    w = np.arange(n) % 7 + 0.25
    if kind is None:
        return None
    if kind == "pl":
        pl = pytest.importorskip("polars")
        return pl.Series("w", w)
    if kind == "pa":
        pa = pytest.importorskip("pyarrow")
        return pa.chunked_array([w[: n // 2], w[n // 2 :]])
    return {
        "f64": lambda: w,
        "f16": lambda: w.astype(np.float16),
        "i64": lambda: (4 * w).astype(np.int64),
        "bool": lambda: np.arange(n) % 2 == 0,
        "list": lambda: w.tolist(),
        "pd": lambda: pd.Series(w, name="w"),
        "pd_idx": lambda: pd.Series(w, index=np.arange(n)[::-1] + 7),
        "pd_Float64": lambda: pd.Series(w, dtype="Float64"),
    }[kind]()


# --- the reference gather and comparisons ---------------------------------------


def _reference(data, rows):
    """Rows ``rows`` of ``data`` the way each library indexes them itself."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        native = [
            j
            for j, dtype in enumerate(
                data.dtypes if data.ndim == 2 else pd.Series([data.dtype])
            )
            if isinstance(dtype, np.dtype) and not dtype.isnative
        ]
        if native:  # pandas' own take refuses big-endian columns
            return pd.DataFrame(
                {
                    name: data[name].to_numpy()[rows]
                    for name in data.columns  # only simple frames here
                }
            ).__finalize__(data)
        source = data.set_flags(allows_duplicate_labels=True)
        return source.iloc[rows].reset_index(drop=True)
    if sp.issparse(data):
        csr = data if data.format in ("csr", "csc") else data.tocsr()
        return csr[rows]
    if isinstance(data, list):
        return [data[i] for i in rows.tolist()]
    if isinstance(data, np.ndarray):
        return data[rows]
    if hasattr(data, "take"):  # pyarrow
        return data.take(rows)
    return data[rows]  # polars


def _assert_same(got, expected):
    assert type(got) is type(expected), (type(got), type(expected))
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert got.attrs == expected.attrs
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, check_exact=True)
    elif sp.issparse(expected):
        assert got.format == expected.format and got.dtype == expected.dtype
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got.toarray(), expected.toarray())
    elif isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()
        if isinstance(expected, np.ma.MaskedArray):
            np.testing.assert_array_equal(got.mask, expected.mask)
    elif isinstance(expected, list):
        assert got == expected
    else:  # polars, pyarrow
        if hasattr(type(expected), "schema"):  # frames (a Series has a dtype)
            assert got.schema == expected.schema
        else:
            assert got.dtype == expected.dtype
        assert got.equals(expected)


def _snapshot(obj):
    if sp.issparse(obj):
        return obj.copy(), obj.format
    if hasattr(obj, "clone"):  # polars
        return obj.clone()
    if isinstance(obj, np.ndarray):
        return obj.copy(), obj.flags.writeable, obj.strides
    return copy.deepcopy(obj)


def _unchanged(obj, snap):
    if obj is None:
        return True
    if sp.issparse(obj):
        before, fmt = snap
        return obj.format == fmt and np.array_equal(obj.toarray(), before.toarray())
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.equals(snap) and obj.index.equals(snap.index)
    if isinstance(obj, np.ndarray):
        before, writeable, strides = snap
        return (
            obj.tobytes() == before.tobytes()
            and obj.flags.writeable == writeable
            and obj.strides == strides
        )
    if hasattr(obj, "equals"):
        return obj.equals(snap)
    return obj == snap


@st.composite
def _cases(draw):
    k = draw(st.integers(2, 4))
    counts = draw(st.lists(st.integers(1, 25), min_size=k, max_size=k))
    codes = np.repeat(np.arange(k), counts)
    order = np.random.default_rng(draw(st.integers(0, 99))).permutation(len(codes))
    return {
        "k": k,
        "codes": codes[order],
        "X": draw(st.sampled_from(_X_KINDS)),
        "y": draw(st.sampled_from(_Y_KINDS)),
        "w": draw(st.sampled_from(_W_KINDS)),
        "sampler": draw(st.sampled_from(SAMPLERS)),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "shuffle": draw(st.booleans()),
    }


def _fit_resample(case, X, y, w):
    params = {"random_state": case["seed"]}
    if case["sampler"] in (RandomUnderSampler, RandomOverSampler):
        params["shuffle"] = case["shuffle"]
    sampler = case["sampler"](**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if w is None:
            return sampler, sampler.fit_resample(X, y)
        return sampler, sampler.fit_resample(X, y, sample_weight=w)


@settings(FUZZ, max_examples=15)
@given(case=_cases())
def test_fit_resample_keeps_rows_labels_weights_and_containers(compiled, case):
    n, k = len(case["codes"]), case["k"]
    X = _make_X(case["X"], n)
    y = _make_y(case["y"], case["codes"], k)
    w = _make_w(case["w"], n)
    snapshots = [_snapshot(v) if v is not None else None for v in (X, y, w)]
    try:
        sampler, out = _fit_resample(case, X, y, w)
    except (ValueError, TypeError) as exc:
        assert str(exc)
        return
    for given_value, snap in zip((X, y, w), snapshots):
        assert _unchanged(given_value, snap)
    rows = sampler.sample_indices_
    # X: the input's rows, in its container (sparse formats without row
    # indexing come back CSR, as in imbalanced-learn).
    _assert_same(out[0], _reference(X, rows))
    # y: the input's labels, in its container.
    if isinstance(y, list):
        assert out[1] == [y[i] for i in rows.tolist()]
    elif hasattr(y, "take") and not isinstance(y, (np.ndarray, pd.Series)):
        assert type(out[1]) is type(y)
        assert out[1].to_pylist() == [y.to_pylist()[i] for i in rows.tolist()]
    else:
        _assert_same(out[1], _reference(y, rows))
    if w is not None:
        if isinstance(w, list):
            assert out[2] == [w[i] for i in rows.tolist()]
        elif hasattr(w, "to_pylist"):
            assert type(out[2]) is type(w)
            assert out[2].to_pylist() == [w.to_pylist()[i] for i in rows.tolist()]
        else:
            _assert_same(out[2], _reference(w, rows))
    # Counts per class: those reported (class-balanced: the drawn ones).
    drawn = np.bincount(case["codes"][rows], minlength=k)
    original = np.bincount(case["codes"], minlength=k)
    reported = list(sampler.sampling_strategy_.values())
    if case["sampler"] is RandomOverSampler:
        assert sorted(drawn - original)[-len(reported) :] == sorted(reported)
    elif case["sampler"] is not LabelShuffleSampler:
        assert sorted(drawn)[-len(reported) :] == sorted(reported)
    # The same seed: the same rows.
    again, out_again = _fit_resample(case, X, y, w)
    np.testing.assert_array_equal(again.sample_indices_, rows)
    if isinstance(out[0], list):
        assert out_again[0] == out[0]
    else:
        _assert_same(out_again[0], out[0])


# --- pandas gathers: take_rows against iloc -------------------------------------

_COLUMNS = ["f64", "f32", "i8", "u64", "bool", "c128", "M8", "m8", "obj", "Int64"]
_COLUMNS += ["Float32", "boolean", "string", "cat", "dttz", "period", "sparse"]


def _column(kind, values):
    simple = {
        "f64": lambda: values * 0.5,
        "f32": lambda: (values * 0.5).astype(np.float32),
        "i8": lambda: values.astype(np.int8),
        "u64": lambda: values.astype(np.uint64) + np.uint64(2**63),
        "bool": lambda: values % 2 == 0,
        "c128": lambda: values + 1j,
        "M8": lambda: values.astype("datetime64[s]"),
        "m8": lambda: values.astype("timedelta64[ms]"),
        "obj": lambda: pd.Series([None if v % 5 == 0 else f"s{v}" for v in values]),
        "Int64": lambda: pd.array(np.where(values % 5 == 0, None, values), "Int64"),
        "Float32": lambda: pd.array(np.where(values % 5 == 0, None, values), "Float32"),
        "boolean": lambda: pd.array(
            np.where(values % 5 == 0, None, values % 2 == 0), "boolean"
        ),
        "string": lambda: pd.array([f"s{v}" for v in values], dtype="string"),
        "cat": lambda: pd.Categorical(values % 4, categories=[3, 0, 1, 2, 8]),
        "dttz": lambda: pd.DatetimeIndex(values.astype("datetime64[s]")).tz_localize(
            "UTC"
        ),
        "period": lambda: pd.PeriodIndex(  # PeriodIndex.from_ordinals: pandas >= 2.2
            pd.arrays.PeriodArray(values.astype("i8"), dtype=pd.PeriodDtype("D"))
        ),
        "sparse": lambda: pd.arrays.SparseArray(np.where(values % 4 == 0, values, 0)),
    }
    return simple[kind]()


@settings(FUZZ, max_examples=25)
@given(
    kinds=st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=8),
    n=st.integers(1, 400),
    n_out=st.integers(0, 1200),
    index=st.sampled_from(["range", "str", "dup", "multi"]),
    series=st.booleans(),
    threads=st.integers(1, 4),
    seed=st.integers(0, 99),
)
def test_take_rows_of_pandas_is_iloc(
    compiled, monkeypatch, kinds, n, n_out, index, series, threads, seed
):
    monkeypatch.setattr(_indices, "n_threads", lambda: threads)
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 100, n)
    labels = {
        "range": None,
        "str": [f"r{i}" for i in range(n)],
        "dup": [0] * n,
        "multi": pd.MultiIndex.from_arrays([np.arange(n), np.arange(n) % 2]),
    }[index]
    frame = pd.DataFrame(
        {f"c{j}": _column(kind, values) for j, kind in enumerate(kinds)}, index=labels
    )
    frame.attrs["a"] = 1
    data = frame.iloc[:, 0] if series else frame
    before = data.copy(deep=True)
    rows = rng.integers(0, n, n_out)
    taken = take_rows(data, rows)
    expected = data.iloc[rows].reset_index(drop=True)
    if series:
        pd.testing.assert_series_equal(taken, expected, check_exact=True)
    else:
        pd.testing.assert_frame_equal(taken, expected, check_exact=True)
    assert taken.attrs == expected.attrs
    assert data.equals(before) and data.index.equals(before.index)


# --- reduced cases --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil"])
@pytest.mark.parametrize("kind", ["matrix", "array"])
def test_complex_sparse_X_is_refused_like_dense_and_imblearn(fmt, kind):
    # Before: a complex sparse X was resampled while the same dense X was
    # refused; imbalanced-learn refuses both (check_array).
    dense = np.arange(20.0).reshape(10, 2) + 1j
    make = sp.csr_matrix if kind == "matrix" else sp.csr_array
    X = make(dense).asformat(fmt)
    y = np.repeat([0, 1], [7, 3])
    for peer in (ImbRandomUnderSampler, ImbRandomOverSampler):
        with pytest.raises(ValueError, match="Complex data not supported"):
            peer(random_state=0).fit_resample(X, y)
    for sampler_cls in SAMPLERS:
        with pytest.raises(ValueError, match="Complex data not supported") as info:
            sampler_cls(random_state=0).fit_resample(X, y)
        assert "X" in str(info.value) and "real" in str(info.value)


def test_long_double_csr_is_gathered_above_the_threshold(monkeypatch):
    # Before: above GATHER_ABOVE the CSR kernels were called with float128
    # entries and numba raised a TypingError ("Unsupported array dtype").
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    ids = np.arange(40)
    X = sp.csr_matrix(
        np.column_stack([ids, ids % 3]).astype(np.longdouble) + np.longdouble(0.25)
    )
    y = (ids % 5 == 0).astype(np.int64)
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    expected = X[sampler.sample_indices_]
    assert X_res.dtype == np.longdouble and X_res.format == "csr"
    np.testing.assert_array_equal(X_res.toarray(), expected.toarray())
    # Its complex counterpart (refused as X, gathered as any other data).
    Z = sp.csr_matrix(X.toarray().astype(np.clongdouble) * 1j)
    rows = np.random.default_rng(0).integers(0, 40, 100)
    taken = take_rows(Z, rows)
    assert taken.dtype == np.clongdouble
    np.testing.assert_array_equal(taken.toarray(), Z[rows].toarray())


def test_csr_with_int16_index_arrays_is_gathered_compiled(monkeypatch):
    # Before: the output's indptr kept int16 and its running count of
    # entries overflowed; the kernel saw it and the gather fell back to scipy.
    # Now the output indexes with (at least) int32, as scipy's does.
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    X = sp.csr_matrix(np.ones((20_000, 1)))
    X.indices = X.indices.astype(np.int16)
    X.indptr = X.indptr.astype(np.int16)
    rows = np.random.default_rng(0).integers(0, 20_000, 60_000)
    taken = _gather.take_csr(X, rows)
    try:
        expected = X[rows]
    except ValueError:  # scipy 1.11's own gather overflows int16 the same way
        expected = sp.csr_matrix(
            (X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)), X.shape
        )[rows]
    assert taken is not None
    assert taken.indptr.dtype == expected.indptr.dtype
    np.testing.assert_array_equal(taken.indptr, expected.indptr)
    np.testing.assert_array_equal(taken.indices, expected.indices)


@pytest.mark.skipif(
    parse_version(scipy.__version__) < parse_version("1.15"),
    reason="scipy < 1.15 has no n-dimensional coo_array",
)
def test_three_dimensional_sparse_X_gets_the_2d_error():
    # Before: scipy's "Cannot convert. CSR must be 1D or 2D. Got 3D".
    X = sp.coo_array(np.ones((10, 2, 2)))
    y = np.repeat([0, 1], 5)
    with pytest.raises(ValueError, match="Expected a 2D array for X") as info:
        RandomOverSampler().fit_resample(X, y)
    assert "(10, 2, 2)" in str(info.value)


@pytest.mark.parametrize(
    "make", [lambda w: sp.csr_matrix(w), lambda w: sp.coo_array(w)], ids=["2d", "1d"]
)
def test_sparse_sample_weight_is_refused_with_the_fix(make):
    # Before: "sample_weight has shape () but X has 10 rows" (np.asarray of a
    # sparse matrix is a 0-d object array), whatever its real shape.
    X = np.arange(10.0).reshape(-1, 1)
    y = np.repeat([0, 1], [7, 3])
    with pytest.raises(TypeError, match="sample_weight is a sparse") as info:
        RandomOverSampler().fit_resample(X, y, sample_weight=make(np.ones(10)))
    assert "toarray" in str(info.value)


@pytest.mark.parametrize("dtype", ["boolean", "bool[pyarrow]", "Int64"])
def test_nullable_weights_with_missing_values_say_so(dtype):
    # Before (boolean, bool[pyarrow]): "sample_weight must hold numbers; got
    # dtype object", for a column whose real fault is its missing value.
    if "pyarrow" in dtype:
        pytest.importorskip("pyarrow")
    values = [None] + [True] * 9 if "bool" in dtype else [None] + [1] * 9
    weights = pd.Series(values, dtype=dtype)
    X = np.arange(10.0).reshape(-1, 1)
    y = np.repeat([0, 1], [7, 3])
    with pytest.raises(ValueError, match="missing values"):
        RandomOverSampler().fit_resample(X, y, sample_weight=weights)
    # A string column with a missing value is still refused for its dtype.
    text = pd.Series([None] + ["a"] * 9, dtype="string")
    with pytest.raises(ValueError, match="must hold numbers"):
        RandomOverSampler().fit_resample(X, y, sample_weight=text)


def test_threads_do_not_change_the_output():
    # REBALANCE_NUM_THREADS never changes the rows, on the compiled paths too.
    X = pd.DataFrame({"a": np.arange(3000.0), "b": np.arange(3000) * 2.0})
    y = (np.arange(3000) % 10 == 0).astype(np.int64)
    outputs = []
    before = os.environ.get("REBALANCE_NUM_THREADS")
    for threads in ("1", "3"):
        mp = pytest.MonkeyPatch()
        mp.setattr(_gather, "GATHER_ABOVE", 0)
        mp.setattr(_indices, "PARALLEL_ABOVE", 0)
        mp.setenv("REBALANCE_NUM_THREADS", threads)
        try:
            outputs.append(RandomOverSampler(random_state=3).fit_resample(X, y)[0])
        finally:
            mp.undo()
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert os.environ.get("REBALANCE_NUM_THREADS") == before


@pytest.mark.parametrize("container", ["table", "batch", "column"])
def test_arrow_extension_type_stored_in_views_is_resampled(container):
    # Before: pyarrow has no take kernel for string_view storage, and an
    # extension type over it (arrow.json) raised ArrowNotImplementedError.
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, "json_"):
        pytest.skip("pyarrow without the arrow.json extension type")
    ids = list(range(8))
    storage = pa.array([f'{{"a": {i}}}' for i in ids], pa.string_view())
    column = pa.ExtensionArray.from_storage(pa.json_(pa.string_view()), storage)
    nested = pa.StructArray.from_arrays([column], names=["j"])
    y = np.repeat([0, 1], [6, 2])
    sampler = RandomOverSampler(random_state=0)
    if container == "column":
        rows = np.array([7, 0, 3, 3])
        for data in (column, nested):
            taken = take_rows(data, rows)
            assert taken.type == data.type
            assert taken.to_pylist() == [data[i].as_py() for i in rows]
        return
    make = pa.table if container == "table" else pa.RecordBatch.from_pydict
    X = make({"id": pa.array(ids), "j": column, "s": nested})
    X_res, _ = sampler.fit_resample(X, y)
    assert type(X_res) is type(X) and X_res.schema == X.schema
    rows = sampler.sample_indices_.tolist()
    for name in ("id", "j", "s"):
        given = X.column(name).to_pylist()
        assert X_res.column(name).to_pylist() == [given[i] for i in rows]


def test_masked_sample_weight_entries_are_missing_weights():
    # Before: np.asarray dropped the mask and the value under a masked
    # weight was used as the row's weight.
    X = np.arange(10.0).reshape(-1, 1)
    y = np.repeat([0, 1], [7, 3])
    weights = np.ma.masked_array(np.arange(10.0), mask=np.arange(10) == 3)
    with pytest.raises(ValueError, match="missing values"):
        RandomOverSampler().fit_resample(X, y, sample_weight=weights)
    # Nothing masked: the weights as they are.
    full = np.ma.masked_array(np.arange(10.0) + 1)
    sampler = RandomOverSampler(random_state=0)
    *_, w_res = sampler.fit_resample(X, y, sample_weight=full)
    np.testing.assert_array_equal(w_res, full.data[sampler.sample_indices_])


def test_compare_columns_of_big_endian_numbers_are_planned_and_prepared():
    # Before: plan_columns raised pandas' "Big-endian buffer not supported on
    # little-endian compiler" (nunique) for a big-endian numeric column.
    from rebalance._columns import plan_columns, prepare_frame

    rng = np.random.default_rng(0)
    native = pd.DataFrame(
        {"a": rng.normal(size=40), "b": rng.integers(0, 5, 40).astype(np.int32)}
    )
    swapped = native.astype({"a": ">f8", "b": ">i4"})
    plan = plan_columns(swapped)
    assert plan.used == plan_columns(native).used == {"a": "numeric", "b": "numeric"}
    prepared = prepare_frame(swapped, plan)
    assert all(dtype.isnative for dtype in prepared.dtypes)
    np.testing.assert_array_equal(prepared.to_numpy(), native.to_numpy())


def test_compare_drops_complex_columns_with_the_reason():
    # Before: a complex column was planned "numeric" and every method failed
    # in scikit-learn ("Complex data not supported") once the folds ran.
    from rebalance._columns import COMPLEX_REASON, plan_columns
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    y = (rng.random(80) < 0.3).astype(int)
    X = pd.DataFrame({"a": rng.normal(size=80) + y, "z": rng.integers(0, 3, 80) + 1j})
    plan = plan_columns(X)
    assert plan.used == {"a": "numeric"}
    assert plan.dropped == {"z": COMPLEX_REASON}
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    assert list(result.scores) == ["none"]
