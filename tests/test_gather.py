"""The threaded row gather (rebalance._gather): bit for bit what
np.take / iloc give, for every dtype, layout and thread count, with numpy's
own rules for indices it must judge."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler, _gather, _indices
from rebalance._frames import take_rows


@pytest.fixture
def always(monkeypatch):
    """Every gather, however small, goes through rebalance._gather."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "LABEL_TABLE_RATIO", 0)
    monkeypatch.setattr(_gather, "STAGE_COLUMNS_ABOVE", 0)


def threads(monkeypatch, n: int) -> None:
    monkeypatch.setattr(_indices, "n_threads", lambda: n)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)


ARRAYS = {
    "float32 rows": np.arange(600, dtype=np.float32).reshape(100, 6),
    "int64 column": np.arange(100, dtype=np.int64) * 7,
    "int8 3-byte rows": (np.arange(300) % 120).astype(np.int8).reshape(100, 3),
    "bool": np.arange(100) % 3 == 0,
    "complex": np.arange(100) + 1j,
    "3-D": np.arange(800, dtype=np.float64).reshape(100, 2, 4),
    "Fortran": np.asfortranarray(np.arange(500, dtype=np.float32).reshape(100, 5)),
    "datetime": np.arange(100).astype("datetime64[s]"),
    "unicode": np.array([f"r{i}" for i in range(100)]),
    "big-endian": np.arange(100, dtype=">f8"),
    "structured": np.array(
        [(i, float(i)) for i in range(100)], dtype=[("a", "i2"), ("b", "f8")]
    ),
    "unaligned": np.frombuffer(np.arange(801, dtype=np.uint8).tobytes()[1:], "<u8"),
    "NaN and -0.0": np.array([np.nan, -0.0, np.inf, 1.5] * 25),
}


@pytest.mark.parametrize("name", list(ARRAYS))
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32, np.uint32, np.uint64])
def test_take_array_is_np_take_bit_for_bit(always, name, index_dtype):
    data = ARRAYS[name]
    rows = np.random.default_rng(0).integers(0, 100, 3000).astype(index_dtype)
    taken = _gather.take_array(data, rows)
    assert taken is not None
    # numpy < 2's np.take refuses uint64 positions; numpy 2 casts them to intp.
    expected = np.take(data, rows.astype(np.intp), axis=0)
    assert taken.dtype == expected.dtype and taken.shape == expected.shape
    assert taken.tobytes() == expected.tobytes()
    assert taken.flags.writeable and not np.shares_memory(taken, data)


def test_output_is_the_same_for_one_two_and_three_threads(always, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 8)).astype(np.float32)
    rows = rng.integers(0, 5000, 40_001)
    outputs = []
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        outputs.append(_gather.take_array(X, rows))
    for out in outputs:
        np.testing.assert_array_equal(out, X[rows])


def _spread_rows():
    """Arrays whose rows are spread over memory (columns apart), and one
    whose rows are close together (a column slice of a C-ordered array)."""
    rng = np.random.default_rng(8)
    base = rng.standard_normal((1000, 6)).astype(np.float32)
    wide = rng.integers(-100, 100, (1000, 40)).astype(np.int16)
    return {
        "Fortran float32": np.asfortranarray(base),
        "Fortran 3-D": np.asfortranarray(rng.standard_normal((1000, 3, 2))),
        "transposed int8": np.ascontiguousarray(wide.T.astype(np.int8)).T,
        "Fortran big-endian": np.asfortranarray(base.astype(">f8")),
        "Fortran complex": np.asfortranarray(base[:, :2] + 1j * base[:, 2:4]),
        "Fortran datetime": np.asfortranarray(wide[:, :3].astype("datetime64[s]")),
        "Fortran bool": np.asfortranarray(wide[:, :5] > 0),
        "reversed Fortran": np.asfortranarray(base)[::-1],
        "column slice": wide[:, 2:6],
    }


@pytest.mark.parametrize("name", list(_spread_rows()))
def test_spread_rows_are_staged_in_row_order(always, monkeypatch, name):
    """A gather of an array whose rows are spread over memory (a
    Fortran-ordered ``df.to_numpy()``) goes through a C-ordered copy of the
    rows read: all rows when every row is read (over-sampling, shuffled or
    not), the distinct ones for fewer scattered rows: np.take's bits and
    layout for 1, 2 and 3 threads. Fewer rows in order, and rows stored close
    together, keep the direct gather."""
    data = _spread_rows()[name]
    original = data.copy(order="K")
    monkeypatch.setattr(_gather, "NEAR_ROWS", 16)
    rng = np.random.default_rng(9)
    every = np.concatenate([np.arange(1000), np.sort(rng.integers(0, 50, 300))])
    shuffled = rng.permutation(every)
    under = rng.choice(1000, 400, replace=False)
    repeats = rng.integers(0, 1000, 500)
    staged = []
    take_checked = _gather._take_checked
    take_scattered = _gather._take_scattered

    def spy(source, rows):
        staged.append("input" if source is data else source.shape[0])
        return take_checked(source, rows)

    def spy_scattered(values, offsets, n_rows, rows, out):
        staged.append(("scattered", len(offsets)))
        return take_scattered(values, offsets, n_rows, rows, out)

    monkeypatch.setattr(_gather, "_take_checked", spy)
    monkeypatch.setattr(_gather, "_take_scattered", spy_scattered)
    # Fewer rows than the input's, of a 2-D array whose columns lie in one
    # contiguous array with values of 1, 2, 4 or 8 bytes: gathered without a
    # copy (_take_scattered); else (3-D, a reversed view, a C-ordered slice) the
    # distinct rows are staged.
    direct = (
        data.ndim == 2
        and data.itemsize in (1, 2, 4, 8)
        and _gather.column_offsets([data[:, j] for j in range(data.shape[1])])
        is not None
    )
    assert direct == (name not in ("Fortran 3-D", "reversed Fortran", "column slice"))
    expect_staged = {
        "every": [1000],
        "shuffled": [1000],
        "under": [("scattered", data.shape[1])] if direct else [400],
        "repeats": (
            [("scattered", data.shape[1])] if direct else [np.unique(repeats).shape[0]]
        ),
        "in order": ["input"],
    }
    cases = {
        "every": every,
        "shuffled": shuffled,
        "under": under,
        "repeats": repeats,
        "in order": np.sort(under),
    }
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        for case, rows in cases.items():
            staged.clear()
            taken = _gather.take_array(data, rows)
            expected = np.take(data, rows, axis=0)
            assert taken.dtype == expected.dtype and taken.shape == expected.shape
            assert taken.flags.c_contiguous
            assert taken.tobytes() == expected.tobytes()
            assert not np.shares_memory(taken, data)
            if name == "column slice":
                assert staged == ["input"]
            else:
                assert staged == expect_staged[case], case
    assert data.tobytes() == original.tobytes()  # unchanged
    # Not when the copy would not fit in half the available memory.
    monkeypatch.setattr(_indices, "available_memory", lambda: 1000)
    staged.clear()
    taken = _gather.take_array(data, shuffled)
    assert taken.tobytes() == np.take(data, shuffled, 0).tobytes()
    assert staged == ["input"]


def test_numpy_judges_object_negative_and_outside_indices(always):
    rows = np.array([0, 3, 1])
    assert _gather.take_array(np.array([object()] * 5), rows) is None
    strided = np.arange(40).reshape(10, 4)[:, ::2]
    np.testing.assert_array_equal(_gather.take_array(strided, rows), strided[rows])
    X = np.arange(20.0).reshape(10, 2)
    # numpy wraps negative indices: the gather declines, take_rows follows numpy.
    assert _gather.take_array(X, np.array([0, -1])) is None
    np.testing.assert_array_equal(take_rows(X, np.array([0, -1])), X[[0, -1]])
    # Outside the data: numpy's IndexError, nothing read out of bounds.
    for bad in (np.array([0, 10]), np.array([2**40]), np.array([2**63], np.uint64)):
        assert _gather.take_array(X, bad) is None
        with pytest.raises(IndexError):
            take_rows(X, bad)
    # Not a 1-D integer array: numpy's rules.
    assert _gather.take_array(X, np.array([0.0, 1.0])) is None
    assert _gather.take_array(X, np.array([[0, 1]])) is None


@pytest.mark.parametrize(
    ("shape", "rows"),
    [((10, 2), []), ((0, 3), []), ((4, 0), [1, 2]), ((0, 3), [0])],
)
def test_empty_gathers_are_numpys(always, shape, rows):
    data, rows = np.zeros(shape), np.array(rows, dtype=np.intp)
    taken = _gather.take_array(data, rows)
    if taken is None:  # numpy raises
        with pytest.raises(IndexError):
            take_rows(data, rows)
    else:
        assert taken.shape == np.take(data, rows, axis=0).shape


def test_small_gathers_stay_with_numpy():
    X = np.arange(20.0).reshape(10, 2)
    assert _gather.take_array(X, np.array([1, 2])) is None
    assert _gather.take_pandas(pd.DataFrame(X), np.array([1, 2])) is None


def _mixed_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "f32": rng.standard_normal(n).astype(np.float32),
            "i8": (np.arange(n) % 100).astype(np.int8),
            "cat": pd.Categorical(np.array(["a", "b", "c"])[np.arange(n) % 3]),
            "Int64": pd.array(np.arange(n), dtype="Int64"),
            "obj": np.array([f"s{i}" for i in range(n)], dtype=object),
            "when": pd.date_range("2020-01-01", periods=n, freq="s", tz="UTC"),
        },
        index=np.arange(n) * 2 + 7,
    )
    frame.attrs["source"] = "test"
    return frame


def test_take_pandas_is_iloc(always):
    frame = _mixed_frame(300)
    rows = np.random.default_rng(1).integers(0, 300, 1000)
    taken = _gather.take_pandas(frame, rows)
    expected = frame.iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(taken, expected)
    assert taken.attrs == {"source": "test"}
    series = frame["f32"].rename("x")
    pd.testing.assert_series_equal(
        _gather.take_pandas(series, rows), series.iloc[rows].reset_index(drop=True)
    )
    # Columns of any kind: MultiIndex, duplicated names.
    wide = pd.DataFrame(
        np.arange(600.0).reshape(300, 2),
        columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 1)]),
    )
    pd.testing.assert_frame_equal(
        _gather.take_pandas(wide, rows), wide.iloc[rows].reset_index(drop=True)
    )
    # The result owns its data.
    taken.iloc[0, 0] = 1e9
    assert frame["f32"].max() < 1e9


def test_take_pandas_leaves_bad_indices_to_pandas(always):
    frame = _mixed_frame(30)
    assert _gather.take_pandas(frame, np.array([0, -1])) is None
    assert _gather.take_pandas(frame, np.array([0, 30])) is None
    with pytest.raises(IndexError):
        take_rows(frame, np.array([0, 30]))


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize(
    "make_X",
    [
        lambda n: np.arange(n * 3, dtype=np.float32).reshape(n, 3),
        lambda n: np.asfortranarray(np.arange(n * 3.0).reshape(n, 3)),
        _mixed_frame,
        lambda n: sp.random(n, 6, density=0.3, format="csr", random_state=0),
        lambda n: np.arange(n * 2).reshape(n, 2).tolist(),
    ],
    ids=["numpy", "fortran", "pandas", "csr", "list"],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_resample_rows_follow_sample_indices(always, sampler, make_X, shuffle):
    n = 400
    X = make_X(n)
    y = pd.Series(np.where(np.arange(n) % 7 == 0, "rare", "common"), name="label")
    w = np.linspace(0.5, 1.5, n)
    s = sampler(random_state=3, shuffle=shuffle)
    X_res, y_res, w_res = s.fit_resample(X, y, sample_weight=w)
    idx = s.sample_indices_
    assert type(X_res) is type(X)
    if sp.issparse(X):
        assert (X_res != X[idx]).nnz == 0
    elif isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X_res, X.iloc[idx].reset_index(drop=True))
    else:
        np.testing.assert_array_equal(np.asarray(X_res), np.asarray(X)[idx])
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    np.testing.assert_array_equal(y_res.to_numpy(), y.to_numpy()[idx])
    np.testing.assert_array_equal(w_res, w[idx])


@pytest.mark.slow
def test_thread_count_from_the_environment_does_not_change_fit_resample():
    # One fresh process, REBALANCE_NUM_THREADS set to 1, 2 and 3 in turn, the
    # compiled gather used for every size.
    code = """
import os
import numpy as np
import pandas as pd
from rebalance import RandomOverSampler, _gather, _indices
_gather.GATHER_ABOVE = 0
_indices.PARALLEL_ABOVE = 0
rng = np.random.default_rng(0)
X = rng.random((3000, 4))
frame = pd.DataFrame(X, columns=list("abcd"))
y = (rng.random(3000) < 0.1).astype(int)
outputs = []
for n in ("1", "2", "3"):
    os.environ["REBALANCE_NUM_THREADS"] = n
    assert _indices.n_threads() == int(n)
    s = RandomOverSampler(random_state=1)
    X_res, y_res = s.fit_resample(X, y)
    f_res, _ = s.fit_resample(frame, y)
    assert (f_res.to_numpy() == X_res).all()
    outputs.append(X_res.tobytes() + y_res.tobytes() + s.sample_indices_.tobytes())
print(len(set(outputs)))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_inputs_are_not_modified(always):
    X = np.arange(300.0).reshape(100, 3)
    X.flags.writeable = False
    before = X.copy()
    taken = _gather.take_array(X, np.arange(100)[::-1])
    np.testing.assert_array_equal(X, before)
    assert taken.flags.writeable


def _csr_cases():
    rng = np.random.default_rng(3)
    base = sp.random(60, 7, density=0.4, format="csr", random_state=3)
    unsorted = sp.csr_matrix(
        (np.arange(6.0), np.array([3, 1, 2, 0, 0, 4]), np.array([0, 2, 2, 6])),
        shape=(3, 5),
    )  # unsorted and duplicated column indices, an empty row
    assert not unsorted.has_sorted_indices
    wide = base.astype(np.complex64)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    return {
        "float64 matrix": (base, rng.integers(0, 60, 500)),
        "bool array": (sp.csr_array(base > 0.5), rng.integers(0, 60, 500)),
        "int64 indices, complex": (wide, rng.integers(0, 60, 500)),
        "unsorted, duplicates, empty row": (unsorted, rng.integers(0, 3, 50)),
        "all rows empty": (sp.csr_matrix((40, 3)), rng.integers(0, 40, 100)),
    }


@pytest.mark.parametrize("name", list(_csr_cases()))
def test_take_csr_is_scipys_row_gather(always, name):
    X, rows = _csr_cases()[name]
    taken = _gather.take_csr(X, rows)
    expected = X[rows]
    assert taken is not None
    assert type(taken) is type(X) and taken.dtype == X.dtype
    assert taken.shape == expected.shape
    # Entry for entry, in each row's order (duplicates and unsorted kept).
    np.testing.assert_array_equal(taken.indptr, expected.indptr)
    np.testing.assert_array_equal(taken.indices, expected.indices)
    np.testing.assert_array_equal(taken.data, expected.data)
    assert not np.shares_memory(taken.data, X.data)


def test_take_csr_same_for_one_two_and_three_threads(always, monkeypatch):
    X = sp.random(3000, 9, density=0.3, format="csr", random_state=0)
    rows = np.random.default_rng(0).integers(0, 3000, 20_001)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        assert (_gather.take_csr(X, rows) != X[rows]).nnz == 0


def test_take_csr_leaves_bad_input_to_scipy(always):
    X = sp.random(20, 4, density=0.5, format="csr", random_state=0)
    for bad in (np.array([0, -1]), np.array([0, 20])):
        assert _gather.take_csr(X, bad) is None
    with pytest.raises(IndexError):
        take_rows(X, np.array([0, 20]))
    # Other formats, and a CSR whose indptr points past its entries: declined
    # before any out-of-bounds read (scipy judges the matrix).
    assert _gather.take_csr(X.tocsc(), np.array([0, 1])) is None
    broken = X.copy()
    broken.indptr = broken.indptr.copy()
    broken.indptr[-1] = broken.nnz + 100
    assert _gather.take_csr(broken, np.array([19, 19])) is None
    broken.indptr[5] = broken.indptr[6] + 1  # a negative row length
    assert _gather.take_csr(broken, np.array([4, 5])) is None


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_ndarray_subclasses_keep_numpys_take(always):
    masked = np.ma.array(np.arange(10.0), mask=np.arange(10) % 3 == 0)
    rows = np.array([0, 1, 3, 4])
    assert _gather.take_array(masked, rows) is None
    taken = take_rows(masked, rows)
    assert isinstance(taken, np.ma.MaskedArray)
    np.testing.assert_array_equal(taken.mask, [True, False, True, False])
    matrix = np.matrix(np.arange(6.0).reshape(3, 2))
    assert type(take_rows(matrix, np.array([0, 2]))) is np.matrix


def test_pandas_subclasses_keep_iloc(always):
    class Frame(pd.DataFrame):
        @property
        def _constructor(self):
            return Frame

    frame = Frame({"a": np.arange(10.0)})
    assert _gather.take_pandas(frame, np.array([1, 2])) is None
    taken = take_rows(frame, np.array([1, 2]))
    assert type(taken) is Frame and taken["a"].tolist() == [1.0, 2.0]


# --- integer labels rebuilt from their class codes (take_labels) ---


def _labels_of(y):
    from rebalance._labels import encode_labels

    labels, y_1d, _ = encode_labels(y)
    return labels, y_1d


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint32, np.uint64]
)
@pytest.mark.parametrize("n_classes", [2, 3, 256])
def test_take_labels_is_np_take_bit_for_bit(always, dtype, n_classes):
    rng = np.random.default_rng(n_classes)
    info = np.iinfo(dtype)
    # Classes spread over the dtype's range (its extremes included), in no order.
    if info.bits == 8:  # every value: 256 classes
        inside = np.arange(info.min, info.max + 1).astype(dtype)
    else:
        inside = rng.integers(info.min, info.max, 400, dtype=dtype, endpoint=True)
    values = np.unique(np.concatenate([np.array([info.min, info.max], dtype), inside]))
    values = rng.permutation(values)[:n_classes]
    y = rng.permutation(np.resize(values, 3000))
    labels, _ = _labels_of(y)
    assert labels.n_classes == n_classes
    rows = rng.integers(0, y.shape[0], 7000)
    taken = _gather.take_labels(y, labels, rows)
    assert taken is not None and taken.dtype == y.dtype
    assert taken.tobytes() == np.take(y, rows).tobytes()
    assert not np.shares_memory(taken, y)


def test_take_labels_series_is_iloc(always):
    y = pd.Series(np.arange(3000) % 3 * 10 - 5, name="target")
    y.attrs["source"] = "test"
    labels, _ = _labels_of(y)
    rows = np.random.default_rng(0).permutation(3000)
    taken = _gather.take_labels(y, labels, rows)
    expected = y.iloc[rows].reset_index(drop=True)
    pd.testing.assert_series_equal(taken, expected)
    assert taken.attrs == {"source": "test"}


@pytest.mark.parametrize(
    "y",
    [
        np.arange(3000) % 2 == 0,  # bool: any non-zero byte is True
        (np.arange(3000) % 2).astype(np.float64),  # -0.0 and 0.0 are one class
        np.array(["a", "b", "c"] * 1000),
        (np.arange(3000) % 2).astype(">i8"),  # not native byte order
        np.arange(3000) % 300,  # more than 256 classes
        pd.Series(pd.Categorical(np.arange(3000) % 2)),
        pd.Series(np.arange(3000) % 2, dtype="Int64"),
        (np.arange(3000) % 2).reshape(-1, 1),
    ],
    ids=[
        "bool",
        "float",
        "str",
        "big-endian",
        "300 classes",
        "category",
        "Int64",
        "2-D",
    ],
)
def test_take_labels_leaves_other_labels_to_take_rows(always, y):
    labels, _ = _labels_of(np.ravel(np.asarray(y)) if np.ndim(y) == 2 else y)
    assert _gather.take_labels(y, labels, np.arange(10)) is None


def test_take_labels_small_or_bad_indices_are_numpys(always, monkeypatch):
    y = np.arange(3000) % 2
    labels, _ = _labels_of(y)
    for bad in (np.array([0, -1]), np.array([0, 3000]), np.array([0.0, 1.0])):
        assert _gather.take_labels(y, labels, bad) is None
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 1 << 22)
    assert _gather.take_labels(y, labels, np.arange(3000)) is None  # small
    # Labels of other rows (a different y) are never used.
    assert _gather.take_labels(y[:-1], labels, np.arange(10)) is None


@pytest.mark.parametrize("n_classes", [2, 5])
def test_take_labels_same_for_one_two_and_three_threads(always, monkeypatch, n_classes):
    y = np.random.default_rng(0).integers(0, n_classes, 5000)
    labels, _ = _labels_of(y)
    rows = np.random.default_rng(1).integers(0, 5000, 20000)
    outputs = set()
    for n in (1, 2, 3):
        threads(monkeypatch, n)
        outputs.add(_gather.take_labels(y, labels, rows).tobytes())
    assert outputs == {np.take(y, rows).tobytes()}


def test_label_kernels_check_every_index():
    from rebalance import _gather_kernels as kernels

    classes = np.array([7, 9, 11])
    codes = np.array([0, 1, 2, 1], dtype=np.uint8)
    out = np.zeros(4, dtype=classes.dtype)
    assert kernels.labels_from_codes(codes, classes, np.array([3, 0]), 0, 2, out) == 0
    assert out[:2].tolist() == [9, 7]
    for rows in (np.array([4]), np.array([-1])):
        assert kernels.labels_from_codes(codes, classes, rows, 0, 1, out) == -1
    bad_codes = np.array([0, 3], dtype=np.uint8)  # 3 is not a class
    assert kernels.labels_from_codes(bad_codes, classes, np.array([1]), 0, 1, out) == -1
    # A range past the rows or the output.
    assert kernels.labels_from_codes(codes, classes, np.array([1]), 0, 2, out) == -1
    assert kernels.labels_from_codes(codes, classes, np.arange(4), 0, 4, out[:3]) == -1
    bits = np.packbits(np.array([0, 1, 1, 0, 1], dtype=bool), bitorder="little")
    out = np.zeros(5, dtype=np.int64)
    rows = np.array([0, 1, 2, 3, 4])
    assert kernels.labels_from_bits(bits, 5, classes[:2], rows, 0, 5, out) == 0
    assert out.tolist() == [7, 9, 9, 7, 9]
    # Row 5 is inside the byte but not one of the 5 rows; 8 is past the byte.
    for bad in (5, 8, -1):
        rows = np.array([bad])
        assert kernels.labels_from_bits(bits, 5, classes[:2], rows, 0, 1, out) == -1
    assert kernels.labels_from_bits(bits, 5, classes[:1], rows, 0, 1, out) == -1
    # A range starting before the arrays (numba would wrap it around).
    rows = np.array([0, 1, 2])
    assert kernels.labels_from_codes(codes, classes, rows, -2, 0, out) == -1
    assert kernels.labels_from_bits(bits, 5, classes[:2], rows, -2, 0, out) == -1
    assert kernels.labels_from_codes(codes, classes, rows, -(1 << 40), 1, out) == -1


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("as_series", [False, True])
def test_fit_resample_integer_labels_follow_sample_indices(
    always, sampler, n_classes, as_series
):
    rng = np.random.default_rng(n_classes)
    y = np.where(rng.random(2000) < 0.1, -3, rng.integers(0, n_classes - 1, 2000) * 5)
    y = y.astype(np.int32)
    if as_series:
        y = pd.Series(y, name="label")
    X = np.arange(2000.0)[:, None]
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    idx = s.sample_indices_
    assert type(y_res) is type(y)
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y)[idx])
    assert np.asarray(y_res).dtype == np.int32
    np.testing.assert_array_equal(X_res[:, 0], X[idx, 0])


def test_csr_kernel_checks_its_range():
    from rebalance import _gather_kernels as kernels

    indices = np.array([0, 2, 1], dtype=np.int32)
    data = np.array([1.0, 2.0, 3.0])
    starts = np.array([0, 2], dtype=np.int64)
    out_indptr = np.array([0, 2, 3], dtype=np.int64)
    out_indices = np.zeros(3, dtype=np.int32)
    out_data = np.zeros(3)
    args = (starts, out_indptr, indices, data, out_indices, out_data)
    assert kernels.csr_copy_rows(*args, 0, 2) == 0
    assert out_data.tolist() == [1.0, 2.0, 3.0]
    assert out_indices.tolist() == [0, 2, 1]
    for first, last in ((-1, 1), (-(1 << 40), 1), (0, 3)):
        assert kernels.csr_copy_rows(*args, first, last) == -1
    bad_starts = np.array([0, 3], dtype=np.int64)  # row 1 reads past the entries
    assert kernels.csr_copy_rows(bad_starts, *args[1:], 0, 2) == -1


def test_take_labels_table_stays_small_next_to_the_labels(monkeypatch):
    # Peak memory: the table of codes (a bit a row for two classes) must be
    # small next to the labels written; else y is gathered (None here).
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    y = np.arange(64_000) % 2
    labels, _ = _labels_of(y)
    table = 64_000 // 8  # bytes of bits
    rows = np.zeros(table * _gather.LABEL_TABLE_RATIO // y.itemsize, dtype=np.intp)
    assert _gather.take_labels(y, labels, rows) is not None
    assert _gather.take_labels(y, labels, rows[:-1]) is None
    # Codes already one byte each are not copied: no table to count.
    y3 = np.arange(64_000) % 3 + 1
    labels3, _ = _labels_of(y3)
    assert labels3.codes.dtype == np.uint8
    assert _gather.take_labels(y3, labels3, np.zeros(10, dtype=np.intp)) is not None


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_csr_row_spans_checks_rows_and_indptr(dtype):
    from rebalance import _gather_kernels as kernels

    indptr = np.array([0, 2, 2, 5], dtype=dtype)  # rows of 2, 0 and 3 entries
    rows = np.array([2, 0, 1, 2] * 10)  # past the prefetch distance
    starts = np.empty(rows.shape[0], dtype=dtype)
    lengths = np.empty(rows.shape[0], dtype=dtype)
    assert kernels.csr_row_spans(indptr, rows, 0, rows.shape[0], starts, lengths) == 0
    assert starts[:4].tolist() == [2, 0, 2, 2] and lengths[:4].tolist() == [3, 2, 0, 3]
    for bad_rows in (np.array([3]), np.array([-1]), np.array([1 << 40])):
        assert kernels.csr_row_spans(indptr, bad_rows, 0, 1, starts, lengths) == -1
    for first, last in ((-1, 1), (0, rows.shape[0] + 1)):
        assert kernels.csr_row_spans(indptr, rows, first, last, starts, lengths) == -1
    decreasing = np.array([0, 3, 2, 5], dtype=dtype)
    assert kernels.csr_row_spans(decreasing, rows, 0, 4, starts, lengths) == -1
    negative = np.array([-2, 2, 2, 5], dtype=dtype)
    assert kernels.csr_row_spans(negative, np.array([0]), 0, 1, starts, lengths) == -1
    assert kernels.csr_row_spans(indptr[:0], rows, 0, 1, starts, lengths) == -1


def _staged_frame(n: int) -> pd.DataFrame:
    """Columns the staged gather groups (several of one dtype, more than a
    cache line of int8s, kinds numpy copies bit for bit) next
    to ones it leaves to the column gather."""
    rng = np.random.default_rng(5)
    columns = {f"f{j}": rng.standard_normal(n).astype(np.float32) for j in range(5)}
    columns["nan"] = np.where(rng.random(n) < 0.3, np.nan, -0.0).astype(np.float32)
    for j in range(70):
        columns[f"i8_{j}"] = rng.integers(-128, 128, n, dtype=np.int8)
    columns["d0"] = rng.standard_normal(n)
    columns["d1"] = rng.standard_normal(n)
    columns["t0"] = np.arange(n).astype("datetime64[s]")
    columns["t1"] = np.arange(n).astype("datetime64[s]")[::-1]
    columns["c0"] = rng.standard_normal(n) + 1j
    columns["c1"] = rng.standard_normal(n) - 1j
    columns["alone"] = np.arange(n, dtype=np.uint16)
    frame = pd.DataFrame(columns)
    frame["cat"] = pd.Categorical(rng.integers(0, 3, n))
    frame["s"] = pd.array([f"s{i}" for i in range(n)], dtype="string")
    return frame


def test_scattered_rows_are_gathered_as_staged_rows(always, monkeypatch):
    """A shuffled over-sampling of a frame goes through the row-major staged
    copy (one cache miss a row), with iloc's result for 1, 2 and 3 threads and
    tiles that do not divide the rows."""
    n = 1000
    frame = _staged_frame(n)
    rng = np.random.default_rng(0)
    rows = np.concatenate([np.arange(n), rng.integers(0, n, 700)])
    rng.shuffle(rows)
    expected = frame.iloc[rows].reset_index(drop=True)
    staged = []
    take_staged = _gather._take_staged
    monkeypatch.setattr(
        _gather,
        "_take_staged",
        lambda columns, rows, out: (
            staged.append(len(columns)) or take_staged(columns, rows, out)
        ),
    )
    monkeypatch.setattr(_gather, "STAGE_TILE", 96)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 16)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        taken = _gather.take_pandas(frame, rows)
        pd.testing.assert_frame_equal(taken, expected)
        for name in ("nan", "d0", "t1", "c1"):  # bit for bit
            bits = taken[name].to_numpy().tobytes()
            assert bits == expected[name].to_numpy().tobytes()
    # float32 (6 columns), int8 (64 + 6), float64, datetime64, complex.
    assert sorted(staged) == sorted([2, 2, 2, 6, 6, 64] * 3)
    # The result owns its data, and the frame is unchanged.
    taken.iloc[0, 0] = np.float32(1e9)
    assert frame["f0"].max() < 1e9
    pd.testing.assert_frame_equal(frame, _staged_frame(n))


def test_only_scattered_gathers_of_every_row_are_staged(always, monkeypatch):
    monkeypatch.setattr(_gather, "NEAR_ROWS", 16)
    n = 5000
    rng = np.random.default_rng(1)
    minority = np.flatnonzero(rng.random(n) < 0.1)
    extra = rng.choice(minority, n - 2 * minority.shape[0])
    shuffled = rng.permutation(np.concatenate([np.arange(n), extra]))
    assert _gather._scattered(shuffled, n)
    # shuffle=False order: every row, then the extras in order.
    assert not _gather._scattered(np.concatenate([np.arange(n), np.sort(extra)]), n)
    # Fewer rows than the frame (under-sampling): the column gather.
    assert not _gather._scattered(shuffled[: n // 2], n)
    assert not _gather._scattered(np.array([0]), 1)
    # Not when the staged copy would not fit in memory.
    monkeypatch.setattr(_indices, "available_memory", lambda: 1000)
    frame = _staged_frame(n)
    assert _gather._row_groups([frame[c].to_numpy() for c in frame], n) == []
    expected = frame.iloc[shuffled].reset_index(drop=True)
    pd.testing.assert_frame_equal(_gather.take_pandas(frame, shuffled), expected)


@pytest.mark.parametrize("repeats", [False, True])
def test_scattered_fewer_rows_stage_their_distinct_rows(always, monkeypatch, repeats):
    """A shuffled under-sampling of a frame (fewer rows than the frame, each
    once; or drawn with repeats) stages only its distinct rows, read in
    order, then gathers them by rank: iloc's result bit for bit for 1, 2 and
    3 threads and tiles that do not divide the rows."""
    n = 1000
    frame = _staged_frame(n)
    rng = np.random.default_rng(3)
    if repeats:
        rows = rng.integers(0, n, 700)
    else:
        rows = rng.choice(n, 300, replace=False)
    expected = frame.iloc[rows].reset_index(drop=True)
    staged = []
    scattered = []
    take_staged = _gather._take_staged
    take_scattered = _gather._take_scattered

    def spy(columns, rows, out, distinct=None):
        staged.append((len(columns), None if distinct is None else len(distinct)))
        return take_staged(columns, rows, out, distinct)

    def spy_scattered(values, offsets, n_rows, rows, out):
        scattered.append(len(offsets))
        return take_scattered(values, offsets, n_rows, rows, out)

    monkeypatch.setattr(_gather, "_take_staged", spy)
    monkeypatch.setattr(_gather, "_take_scattered", spy_scattered)
    monkeypatch.setattr(_gather, "STAGE_TILE", 96)
    monkeypatch.setattr(_gather, "NEAR_ROWS", 16)
    # Buckets of 32 output rows, blocks of 16 input rows: many of each.
    monkeypatch.setattr(_gather, "BUCKET_SHIFT", 5)
    monkeypatch.setattr(_gather, "SCATTER_BLOCK_BYTES", 16)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        taken = _gather.take_pandas(frame, rows)
        pd.testing.assert_frame_equal(taken, expected)
        for name in ("nan", "d0", "t1", "c1", "i8_3"):  # bit for bit
            bits = taken[name].to_numpy().tobytes()
            assert bits == expected[name].to_numpy().tobytes()
    distinct = np.unique(rows).shape[0]
    # Groups of one pandas block (one dtype, values of 1 to 8 bytes) are
    # gathered without a copy; the complex ones (16 bytes) stage their rows.
    assert sorted(scattered) == sorted([2, 2, 6, 6, 64] * 3)
    assert staged == [(2, distinct)] * 3
    pd.testing.assert_frame_equal(frame, _staged_frame(n))
    # Rows in order (shuffle=False), or fewer than 1 in COMPACT_ROWS_RATIO of
    # the frame's: the column gather, same result.
    staged.clear()
    for few in (np.sort(rows), rows[: n // _gather.COMPACT_ROWS_RATIO - 1]):
        taken = _gather.take_pandas(frame, few)
        pd.testing.assert_frame_equal(taken, frame.iloc[few].reset_index(drop=True))
    assert staged == []
    assert len(scattered) == 15


@pytest.mark.parametrize("int32_rows", [np.iinfo(np.int32).max, 0])
def test_distinct_ranks_match_numpy_unique(monkeypatch, int32_rows):
    """rows == distinct[ranks], distinct what np.unique gives, for rows with
    and without repeats, at word boundaries (bits 0, 63, 64) and the last row;
    int32 results, and intp ones for inputs of more rows than INT32_ROWS."""
    monkeypatch.setattr(_gather, "INT32_ROWS", int32_rows)
    rng = np.random.default_rng(4)
    for n_rows, n_out in [(1, 3), (64, 64), (65, 10), (1000, 999), (4099, 20000)]:
        rows = rng.integers(0, n_rows, n_out)
        rows[: min(3, n_out)] = [0, n_rows - 1, min(64, n_rows - 1)][: min(3, n_out)]
        distinct, ranks = _gather._distinct_ranks(rows, n_rows)
        assert distinct.dtype == ranks.dtype == (np.int32 if int32_rows else np.intp)
        assert distinct.tolist() == np.unique(rows).tolist()
        assert distinct[ranks].tolist() == rows.tolist()
    distinct, ranks = _gather._distinct_ranks(np.array([], dtype=np.intp), 5)
    assert distinct.shape == ranks.shape == (0,)


def test_rank_kernels_check_every_index():
    from rebalance import _gather_kernels as kernels

    bits = np.zeros(2, dtype=np.uint64)
    for bad in (128, -1, 1 << 40):
        assert kernels.mark_rows(np.array([3, bad]), bits) == -1
    bits[:] = 0
    assert kernels.mark_rows(np.array([3, 64, 127, 3]), bits) == 0
    word_ranks = np.zeros(2, dtype=np.intp)
    distinct = np.zeros(3, dtype=np.intp)
    assert kernels.list_marked(bits, word_ranks, distinct) == 3
    assert distinct.tolist() == [3, 64, 127] and word_ranks.tolist() == [0, 1]
    # No room for every marked row, or a rank table shorter than the bitmap.
    assert kernels.list_marked(bits, word_ranks, distinct[:2]) == -1
    assert kernels.list_marked(bits, word_ranks[:1], distinct) == -1
    ranks = np.full(3, -7, dtype=np.intp)
    assert kernels.rank_rows(np.array([127, 3, 64]), bits, word_ranks, 0, 3, ranks) == 0
    assert ranks.tolist() == [2, 0, 1]
    # A row outside the bitmap or not marked in it; a range past the rows,
    # the ranks or a short rank table.
    for bad in (128, -1, 5):
        bad_rows = np.array([3, bad])
        assert kernels.rank_rows(bad_rows, bits, word_ranks, 0, 2, ranks) == -1
    assert kernels.rank_rows(np.array([3]), bits, word_ranks, 0, 2, ranks) == -1
    assert kernels.rank_rows(np.array([3] * 4), bits, word_ranks, 0, 4, ranks) == -1
    assert kernels.rank_rows(np.array([3]), bits, word_ranks[:1], 0, 1, ranks) == -1


def test_column_kernel_checks_every_index():
    from rebalance import _gather_kernels as kernels

    values = np.array([5, 6, 7, 8], dtype=np.uint32)
    out = np.zeros(3, dtype=np.uint32)
    assert kernels.take_values(values, np.array([3, 0, 3]), 0, 3, out) == 0
    assert out.tolist() == [8, 5, 8]
    for bad in (4, -1, 1 << 40):
        out[:] = 0
        # The rows before the bad one are written, nothing past the array read.
        assert kernels.take_values(values, np.array([1, bad, 2]), 0, 3, out) == -1
        assert out.tolist() == [6, 0, 0]
    # A range past the rows or the output, or starting before them.
    assert kernels.take_values(values, np.array([0, 1]), 0, 3, out) == -1
    assert kernels.take_values(values, np.arange(4), 0, 4, out) == -1
    assert kernels.take_values(values, np.arange(3), -2, 1, out) == -1


@pytest.mark.parametrize("dtype", ["f4", ">f8", "u1", "?", "M8[s]", "c8", "i2", "c16"])
def test_columns_are_gathered_bit_for_bit_for_every_thread_count(monkeypatch, dtype):
    """1-D columns of every size go through the compiled kernel (complex128,
    16 bytes, through np.take) with np.take's bits."""
    rng = np.random.default_rng(2)
    values = rng.integers(0, 200, 3001).astype(dtype)
    if dtype == "f4":
        values[:4] = [np.nan, -0.0, np.inf, 0.0]
    rows = rng.integers(0, 3001, 9000)
    for n_threads in (1, 2, 3):
        threads(monkeypatch, n_threads)
        taken = _gather._take_checked(values, rows)
        assert taken.dtype == values.dtype
        assert taken.tobytes() == np.take(values, rows).tobytes()
    strided = np.arange(8000.0)[::2]
    assert (_gather._take_checked(strided, rows) == strided[rows]).all()


# Shuffled under-sampling: the labels of the output (rebuilt from their class
# codes where they are integers) follow the rows, for every thread count.
CODES_LABELS = {
    "int64": lambda rng, n: rng.integers(0, 3, n),
    "uint8": lambda rng, n: rng.integers(5, 9, n).astype(np.uint8),
    "negative int16": lambda rng, n: rng.integers(-4, 2, n).astype(np.int16),
    "two classes": lambda rng, n: (rng.random(n) < 0.1).astype(np.int64),
    "300 classes": lambda rng, n: rng.integers(0, 300, n),
}


@pytest.mark.parametrize("kind", ["numpy", "pandas"])
@pytest.mark.parametrize("labels", CODES_LABELS)
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_under_sampled_labels_follow_the_rows(kind, labels, n_threads, monkeypatch):
    threads(monkeypatch, n_threads)
    rng = np.random.default_rng(len(labels) + n_threads)
    n = 40_000
    y = CODES_LABELS[labels](rng, n)
    X = np.arange(n, dtype=np.float64)[:, None] * [1.0, -1.0]
    if kind == "pandas":
        X, y = pd.DataFrame(X, columns=["a", "b"]), pd.Series(y, name="t")
    sampler = RandomUnderSampler(random_state=7)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    plan = RandomUnderSampler(random_state=7).plan(y)
    assert np.array_equal(rows, plan.draw(np.random.default_rng(7)))
    assert rows.dtype == np.intp and rows.max() < n
    np.testing.assert_array_equal(np.asarray(X_res)[:, 0], rows.astype(np.float64))
    if kind == "pandas":
        assert isinstance(y_res, pd.Series) and y_res.name == "t"
        assert y_res.dtype == y.dtype
        pd.testing.assert_series_equal(y_res, y.iloc[rows].reset_index(drop=True))
    else:
        assert y_res.dtype == y.dtype
        np.testing.assert_array_equal(y_res, y[rows])
