"""Review 108 audit_columns: a white-box audit of ``rebalance/_columns.py``
(how ``compare`` plans and encodes a DataFrame's columns) and
``rebalance/_frames.py`` (row gathering in every container), checked through
the public API (``compare``, the samplers).

One bug: numbers written as text with no digit before the decimal point
(``".5"``, ``"-.75"``, which ``read_csv`` and ``pd.to_numeric`` read as
numbers) are not numbers to ``_as_numbers``, so the column is planned as
categorical, while the same column with one ``"?"`` in it is planned as
numeric. The rest pin behaviour the audit confirmed.
"""

from __future__ import annotations

import numpy as np
import pytest

from rebalance import RandomOverSampler
from rebalance.compare import compare

N = 40
Y = np.array([0] * 30 + [1] * 10)


def _compare_plan(X):
    """The column plan ``compare`` made of X (2 folds, quick)."""
    return compare(X, Y, folds=2).columns


def _noise():
    return np.random.default_rng(0).normal(size=N)


# --------------------------------------------------------------------------
# Bug: leading-dot numbers written as text


def test_leading_dot_numbers_as_text_are_numeric():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": [".5", "2", "1.5", "-.75"] * 10, "b": _noise()})
    assert _compare_plan(X).used["a"] == "numeric"


def test_leading_dot_numbers_with_a_marker_are_numeric():
    # The same column with one "?" is read as numbers (pd.to_numeric path):
    # the bug above is the inconsistency with this one.
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": [".5", "?", "1.5", "-.75"] * 10, "b": _noise()})
    assert _compare_plan(X).used["a"] == "numeric"


# --------------------------------------------------------------------------
# Pins: _columns


def test_formatted_numbers_with_duplicate_index_are_numeric():
    # Currency, thousands, accounting parentheses, percent; a repeated index
    # (boolean-mask assignment in prepare_frame must not align on labels).
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        {"m": ["$1,234", "$5", "(3)", "(12%)"] * 10, "b": _noise()},
        index=[0, 1] * 20,
    )
    plan = _compare_plan(X)
    assert plan.used == {"m": "numeric", "b": "numeric"}


def test_compare_does_not_modify_X_with_markers():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        {"x": ["1.5", "?", "3", "4"] * 10, "c": ["a", "NA", "b", "a"] * 10}
    )
    before = X.copy()
    notes = []
    compare(X, Y, folds=2, notify=notes.append)
    pd.testing.assert_frame_equal(X, before)
    assert any("'?'" in note for note in notes)


def test_infinite_numbers_are_refused_naming_the_column():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"x": [1.0, np.inf, 2.0, 3.0] * 10, "b": _noise()})
    with pytest.raises(ValueError, match=r"\['x'\].*infinite"):
        compare(X, Y, folds=2)


def test_polars_categorical_enum_and_arrow_uint8_dictionary_are_categorical():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    X = pl.DataFrame(
        {
            "c": pl.Series(["r", "g", "b", "r"] * 10, dtype=pl.Categorical),
            "e": pl.Series(["x", "y"] * 20, dtype=pl.Enum(["x", "y"])),
            "b": _noise(),
        }
    )
    assert _compare_plan(X).used == {
        "c": "categorical",
        "e": "categorical",
        "b": "numeric",
    }
    dictionary = (
        pa.array(["u", "v", "w", "u"] * 10)
        .dictionary_encode()
        .cast(pa.dictionary(pa.uint8(), pa.string()))
    )
    table = pa.table({"d": dictionary, "b": _noise()})
    assert _compare_plan(table).used == {"d": "categorical", "b": "numeric"}


def test_big_endian_and_boolean_object_columns_are_numeric():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        {
            "be": np.linspace(0, 1, N).astype(">f8"),
            "f": [True, None, False, True] * 10,
            "empty": [None] * N,
        }
    )
    plan = _compare_plan(X)
    assert plan.used == {"be": "numeric", "f": "numeric"}
    assert "empty" in plan.dropped


# --------------------------------------------------------------------------
# Pins: _frames (row gathering through a sampler)


def _X():
    return np.arange(16, dtype=float).reshape(8, 2)


_y = np.array([0] * 6 + [1] * 2)


def test_malformed_csr_is_refused_before_gathering():
    sp = pytest.importorskip("scipy.sparse")
    X = sp.csr_matrix(_X())
    X.indices = X.indices + 5  # out of bounds: scipy would read past the end
    with pytest.raises(ValueError, match="malformed CSR"):
        RandomOverSampler(random_state=0).fit_resample(X, _y)


def test_arrow_record_batch_with_views_and_metadata_keeps_its_schema():
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, "string_view"):
        pytest.skip("pyarrow without view types")
    schema = pa.schema(
        [pa.field("s", pa.string_view(), nullable=False), pa.field("b", pa.float64())],
        metadata={b"k": b"v"},
    )
    batch = pa.RecordBatch.from_arrays(
        [pa.array(list("abcdefgh"), pa.string_view()), pa.array(_X()[:, 1])],
        schema=schema,
    )
    sampler = RandomOverSampler(random_state=0)
    Xr, yr = sampler.fit_resample(batch, pa.chunked_array([_y[:4], _y[4:]]))
    assert isinstance(Xr, pa.RecordBatch)
    assert Xr.schema == schema and Xr.schema.metadata == {b"k": b"v"}
    assert isinstance(yr, pa.ChunkedArray)
    rows = sampler.sample_indices_
    assert Xr.column(0).to_pylist() == [list("abcdefgh")[i] for i in rows]


def test_smoothed_bootstrap_keeps_arrow_schema_and_pandas_dtypes():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    schema = pa.schema(
        [pa.field("a", pa.float64(), nullable=False), pa.field("b", pa.float64())],
        metadata={b"k": b"v"},
    )
    batch = pa.RecordBatch.from_arrays(
        [pa.array(_X()[:, 0]), pa.array(_X()[:, 1])], schema=schema
    )
    Xr, _ = RandomOverSampler(random_state=0, shrinkage=0.5).fit_resample(batch, _y)
    assert isinstance(Xr, pa.RecordBatch) and Xr.schema == schema
    frame = pd.DataFrame(
        {"a": pd.array(_X()[:, 0], dtype="Float64"), "b": _X()[:, 1]},
        index=list("abcdefgh"),
    )
    Xr, _ = RandomOverSampler(random_state=0, shrinkage=0.5).fit_resample(frame, _y)
    assert str(Xr.dtypes["a"]) == "Float64" and Xr.shape == (12, 2)
    assert list(Xr.index) == list(range(12))


def test_pandas_flags_attrs_and_masked_array_fill_value_are_kept():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_X(), columns=["a", "b"]).set_flags(
        allows_duplicate_labels=False
    )
    frame.attrs["k"] = 1
    sampler = RandomOverSampler(random_state=0)
    Xr, _ = sampler.fit_resample(frame, _y)
    assert Xr.flags.allows_duplicate_labels is False
    assert Xr.attrs == {"k": 1}
    np.testing.assert_array_equal(Xr.to_numpy(), _X()[sampler.sample_indices_])
    masked = np.ma.masked_array(_X(), mask=_X() > 10, fill_value=-1)
    Xr, _ = RandomOverSampler(random_state=0).fit_resample(masked, _y)
    assert isinstance(Xr, np.ma.MaskedArray) and Xr.fill_value == -1
    np.testing.assert_array_equal(Xr.mask, (_X() > 10)[sampler.sample_indices_])


def test_big_endian_and_strided_arrays_gather_the_right_rows():
    sampler = RandomOverSampler(random_state=0)
    Xr, _ = sampler.fit_resample(_X().astype(">f8"), _y)
    np.testing.assert_array_equal(Xr, _X()[sampler.sample_indices_])
    strided = np.asfortranarray(_X())[:, ::-1]
    Xr, _ = sampler.fit_resample(strided, _y)
    np.testing.assert_array_equal(Xr, strided[sampler.sample_indices_])
