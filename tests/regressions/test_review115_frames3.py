"""Review 115 (frames3): a white-box audit of ``rebalance._frames`` (take_rows,
column names, the narwhals/polars/pyarrow conversions, the ``is_*``
predicates) through the public path: ``RandomUnderSampler`` and
``RandomOverSampler`` ``fit_resample`` on polars frames and columns (Enum,
Categorical, Struct, List, Array, Decimal, Null dtypes, vstacked chunks),
pyarrow Tables, RecordBatches, Arrays and ChunkedArrays (views, run-end
encoding, per-chunk dictionaries, sliced offsets, schema metadata), narwhals
wrappers, pandas Arrow columns, masked arrays, sparse arrays and tensors. Each
pin checks that ``X_res`` is X's rows ``sample_indices_`` in X's own container,
that ``y_res`` matches, and that the inputs are left as they were.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

Y = np.array([0, 0, 0, 0, 1, 1, 0, 1])
N = len(Y)
SAMPLERS = [RandomUnderSampler, RandomOverSampler]


def _resample(sampler, X, y=Y, **params):
    s = sampler(random_state=0, **params)
    X_res, y_res = s.fit_resample(X, y)
    return X_res, y_res, s.sample_indices_


def _arrow_rows(data, idx):
    """Rows ``idx`` of a pyarrow container by value (no take kernel needed)."""
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        rows = data.to_pylist()
        return [rows[i] for i in idx]
    values = data.to_pylist()
    return [values[i] for i in idx]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_polars_frame_of_every_dtype_keeps_rows_and_schema(sampler):
    first = pl.DataFrame(
        {
            "e": pl.Series(list("xyxy"), dtype=pl.Enum(["y", "x"])),
            "c": pl.Series(list("abab"), dtype=pl.Categorical),
            "s": [{"a": i, "b": str(i)} for i in range(4)],
            "l": [[i, i + 1] for i in range(4)],
            "arr": pl.Series([[i, i] for i in range(4)], dtype=pl.Array(pl.Int64, 2)),
            "d": pl.Series(["1.25", "2.5", "3", "4"]).cast(pl.Decimal(10, 2)),
            "z": pl.Series([None] * 4, dtype=pl.Null),
        }
    )
    X = first.vstack(first.with_columns(pl.col("l").list.reverse()))
    assert X.n_chunks() == 2
    before = X.clone()
    X_res, y_res, idx = _resample(sampler, X, pl.Series("y", Y))
    assert isinstance(X_res, pl.DataFrame) and X_res.schema == X.schema
    assert X_res.equals(X[idx.tolist()])
    assert isinstance(y_res, pl.Series) and y_res.name == "y"
    assert y_res.to_list() == Y[idx].tolist()
    assert X.equals(before)


def test_polars_enum_labels_keep_their_categories():
    y = pl.Series("y", np.where(Y == 1, "b", "a"), dtype=pl.Enum(["b", "a"]))
    _, y_res, idx = _resample(RandomOverSampler, np.zeros((N, 1)), y)
    assert y_res.dtype == y.dtype
    assert y_res.to_list() == [y[int(i)] for i in idx]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_arrow_table_without_take_kernels_keeps_schema(sampler):
    schema = pa.schema(
        [
            pa.field("v", pa.string_view(), nullable=False, metadata={"u": "m"}),
            pa.field("r", pa.run_end_encoded(pa.int32(), pa.int64())),
            pa.field("lv", pa.list_(pa.string_view(), 2)),
            pa.field("d", pa.dictionary(pa.int32(), pa.string())),
        ],
        metadata={"k": "v"},
    )
    chunks = [
        pa.table(
            {
                "v": pa.array(list("abcd"[:k] if k else ""), pa.string_view()),
                "r": pc.run_end_encode(pa.array(list(range(k)), pa.int64())),
                "lv": pa.array(
                    [[c, c] for c in "wxyz"[:k]], pa.list_(pa.string_view(), 2)
                ),
                "d": pa.array(list("pqrs"[:k]), pa.string()).dictionary_encode(),
            }
        ).cast(schema)
        for k in (4, 0, 4)
    ]
    X = pa.concat_tables(chunks)
    X_res, _, idx = _resample(sampler, X)
    assert isinstance(X_res, pa.Table) and X_res.schema.equals(X.schema, True)
    assert X_res.to_pylist() == _arrow_rows(X, idx)


def test_sliced_record_batch_comes_back_a_record_batch():
    X = pa.table({"a": range(N + 3), "s": list("zzzabcdefgh")}).to_batches()[0].slice(3)
    X_res, _, idx = _resample(RandomOverSampler, X)
    assert isinstance(X_res, pa.RecordBatch) and X_res.schema == X.schema
    assert X_res.to_pylist() == _arrow_rows(X, idx)


@pytest.mark.parametrize(
    "y",
    [
        pa.array(np.r_[[9, 9], Y]).slice(2),
        pa.chunked_array([Y[:3], [], Y[3:]]),
        pa.array(np.where(Y == 1, "b", "a"), pa.string_view()),
        pc.run_end_encode(pa.array(Y)),
    ],
    ids=["sliced", "empty-chunk", "string-view", "run-end"],
)
def test_arrow_labels_come_back_in_their_type(y):
    _, y_res, idx = _resample(RandomOverSampler, np.zeros((N, 1)), y)
    assert type(y_res) is type(y) and y_res.type == y.type
    assert y_res.to_pylist() == _arrow_rows(y, idx)


@pytest.mark.parametrize(
    "kind",
    [pa.string(), pa.large_string(), pa.string_view(), pa.binary()],
    ids=str,
)
def test_one_d_arrow_texts_come_back_in_their_type(kind):
    words = list("abcdefgh")
    values = words if "string" in str(kind) else [w.encode() for w in words]
    X = pa.chunked_array([values[:3], [], values[3:]], kind)
    X_res, _, idx = _resample(RandomUnderSampler, X)
    assert isinstance(X_res, pa.ChunkedArray) and X_res.type == kind
    assert X_res.to_pylist() == _arrow_rows(X, idx)


@pytest.mark.parametrize("form", ["array", "chunked", "dictionary"])
def test_one_d_arrow_binary_view_texts_keep_their_type(form):
    values = [w.encode() for w in "abcdefgh"]
    X = pa.array(values, pa.binary_view())
    if form == "chunked":
        X = pa.chunked_array([X])
    elif form == "dictionary":
        X = X.dictionary_encode()
    X_res, _, idx = _resample(RandomUnderSampler, X)
    assert type(X_res) is type(X) and X_res.type == X.type
    assert X_res.to_pylist() == [values[i] for i in idx]


@pytest.mark.parametrize(
    "namespace", ["narwhals", "narwhals.stable.v1", "narwhals.stable.v2"]
)
def test_narwhals_frames_come_back_of_their_namespace(namespace):
    nw = pytest.importorskip(namespace)
    X = nw.from_native(
        pa.table({"a": range(N), "s": list("abcdefgh")}), eager_only=True
    )
    X_res, _, idx = _resample(RandomOverSampler, X)
    assert type(X_res) is type(X)
    assert nw.to_native(X_res).to_pylist() == _arrow_rows(nw.to_native(X), idx)


def test_pandas_run_end_column_keeps_dtype_and_gets_range_index():
    ree = pd.arrays.ArrowExtensionArray(pc.run_end_encode(pa.array(range(N))))
    X = pd.DataFrame({"r": ree, "a": range(N)}, index=list("abcdefgh"))
    X.attrs["source"] = "review"
    X_res, _, idx = _resample(RandomOverSampler, X)
    assert X_res.dtypes.tolist() == X.dtypes.tolist()
    assert isinstance(X_res.index, pd.RangeIndex) and X_res.attrs == X.attrs
    assert pa.array(X_res["r"].array).to_pylist() == idx.tolist()
    assert X_res["a"].tolist() == idx.tolist()


def test_masked_array_keeps_its_mask_and_fill_value():
    A = np.arange(N * 2).reshape(N, 2)
    X = np.ma.masked_array(A, mask=A % 3 == 0, fill_value=-7)
    X_res, _, idx = _resample(RandomOverSampler, X)
    assert isinstance(X_res, np.ma.MaskedArray) and X_res.fill_value == -7
    np.testing.assert_array_equal(X_res.mask, X.mask[idx])
    np.testing.assert_array_equal(X_res.data, A[idx])


@pytest.mark.parametrize(
    "X, kind",
    [
        (sp.csr_array(np.eye(N)), sp.csr_array),
        (sp.csc_array(np.eye(N)), sp.csc_array),
        (sp.coo_array(np.eye(N)), sp.csr_array),  # documented: other formats as CSR
        (sp.coo_matrix(np.eye(N)), sp.csr_matrix),
    ],
    ids=["csr_array", "csc_array", "coo_array", "coo_matrix"],
)
def test_sparse_arrays_stay_arrays(X, kind):
    X_res, _, idx = _resample(RandomOverSampler, X)
    assert type(X_res) is kind
    np.testing.assert_array_equal(X_res.toarray(), np.eye(N)[idx])


def test_non_contiguous_tensor_rows_come_back_as_numpy():
    torch = pytest.importorskip("torch")
    X = torch.arange(N * 4.0).reshape(N, 4)[:, ::2]
    y = torch.tensor(Y)
    X_res, y_res, idx = _resample(RandomOverSampler, X, y)
    assert isinstance(X_res, np.ndarray) and isinstance(y_res, np.ndarray)
    np.testing.assert_array_equal(X_res, X.numpy()[idx])
    np.testing.assert_array_equal(y_res, Y[idx])


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_shrinkage_keeps_decimal_schema_and_leaves_input(kind):
    values = np.linspace(0, 1, N)
    if kind == "polars":
        X = pl.DataFrame(
            {
                "i8": pl.Series(range(N), dtype=pl.Int8),
                "f": pl.Series(values, dtype=pl.Float32),
                "d": pl.Series([str(v) for v in values.round(2)]).cast(
                    pl.Decimal(10, 2)
                ),
            }
        )
        before = X.clone()
    else:
        schema = pa.schema(
            [
                pa.field("f", pa.float32(), nullable=False, metadata={"u": "m"}),
                pa.field("d", pa.decimal128(6, 2)),
            ],
            metadata={"k": "v"},
        )
        X = pa.table({"f": values, "d": [round(v, 2) for v in values]}).cast(schema)
        before = X
    X_res, _, idx = _resample(RandomOverSampler, X, shrinkage=0.5)
    assert type(X_res) is type(X) and len(X_res) == len(idx)
    assert X_res.schema == X.schema
    if kind == "pyarrow":
        assert X_res.schema.equals(X.schema, True)
    else:
        assert X.equals(before)


def test_lazy_frames_are_refused_naming_collect():
    X = pl.DataFrame({"a": range(N)}).lazy()
    with pytest.raises(TypeError, match=r"X\.collect\(\)"):
        _resample(RandomUnderSampler, X)


def test_arrow_table_with_a_repeated_column_name_is_refused_naming_x():
    X = pa.table([list(range(N)), list(range(N))], names=["a", "a"])
    with pytest.raises(ValueError, match="X has more than one column named 'a'"):
        _resample(RandomUnderSampler, X)
