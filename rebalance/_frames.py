"""Row gathering for every container the estimators accept, in its own type.

numpy arrays, lists, scipy sparse matrices and pandas objects are handled
directly; every other dataframe library (polars, pyarrow, ...) goes through
`narwhals <https://narwhals-dev.github.io/narwhals/>`_, as scikit-learn does,
so that a polars DataFrame comes back a polars DataFrame with its columns and
dtypes. A bare ``pyarrow.Array``, which narwhals does not take, travels as a
one-chunk ``ChunkedArray`` and is returned as an ``Array``.
"""

from __future__ import annotations

import array
import copy
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import scipy.sparse as sp

from rebalance import _gather

__all__ = [
    "is_pandas",
    "is_dataframe",
    "is_series",
    "series_values",
    "take_rows",
    "check_compressed",
    "is_dask",
    "reject_dask",
    "frame_like",
    "frame_values",
    "narwhals_frame",
    "nested_dtype",
    "numeric_column",
    "numeric_dtype",
]


def is_pandas(obj: Any, kind: str) -> bool:
    """True when ``obj`` is a pandas ``kind`` (``'DataFrame'`` or ``'Series'``),
    a subclass's instance (GeoDataFrame, a user's ``_constructor`` subclass)
    included: its rows are pandas rows (``iloc``, an index to pair and reset).

    >>> import pandas as pd
    >>> from rebalance._frames import is_pandas
    >>> class Frame(pd.DataFrame):
    ...     pass
    >>> is_pandas(Frame({"a": [1]}), "DataFrame"), is_pandas([1], "Series")
    (True, False)
    """
    # Through sys.modules: pandas is never imported here (no pandas object
    # exists before it is).
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, getattr(pd, kind))


def index_from_transform_output(X: Any) -> bool:
    """Whether pandas X's index may be one a transformer made, which says
    nothing of the rows: the default ``RangeIndex`` (0, 1, ..., n - 1) that
    a transformer gives the DataFrame it makes of an array under
    scikit-learn's ``transform_output='pandas'``, or inside a Pipeline given
    no pandas DataFrame (a step's ``set_output(transform='pandas')``). A y
    (or ``sample_weight``) whose index holds those numbers in another order,
    such as a Series shuffled with the array (``sklearn.utils.shuffle(X,
    y)``), is then paired by position, as without pandas output: comparing
    the indexes refused such a Pipeline, and its advice (``y.loc[X.index]``)
    would have given the rows other labels.

    >>> import pandas as pd
    >>> import sklearn
    >>> from rebalance._frames import index_from_transform_output
    >>> X = pd.DataFrame({"a": [1.0, 2.0]})
    >>> with sklearn.config_context(transform_output="pandas"):
    ...     index_from_transform_output(X)
    True
    >>> index_from_transform_output(X)
    False
    """
    if not is_pandas(X, "DataFrame"):
        return False
    if not (counts_rows(X.index) and X.index.name is None):
        return False
    import sklearn

    if sklearn.get_config().get("transform_output") == "pandas":
        return True
    found, given = _pipeline_input(sys._getframe(1))
    # A pandas DataFrame given to the Pipeline keeps its index through its
    # transformers' pandas output: X's index is then the caller's.
    return found and not is_pandas(given, "DataFrame")


#: How many frames :func:`_pipeline_input` looks up (a sampler's check is
#: some 10 frames under its Pipeline's ``fit``; joblib's memory adds more).
_PIPELINE_FRAMES = 40


def _pipeline_input(frame: Any) -> tuple[bool, Any]:
    """``(True, X)``: the X given to the outermost scikit-learn or
    imbalanced-learn Pipeline whose ``fit`` (``fit_transform``,
    ``fit_predict``, ``fit_resample``) is running above ``frame``;
    ``(False, None)`` outside one. Its steps made the X its later steps
    get."""
    found: tuple[bool, Any] = (False, None)
    for _ in range(_PIPELINE_FRAMES):
        if frame is None:
            break
        module = str(frame.f_globals.get("__name__", ""))
        if module in ("sklearn.pipeline", "imblearn.pipeline") and (
            frame.f_code.co_name
            in ("fit", "fit_transform", "fit_predict", "fit_resample")
        ):
            local = frame.f_locals
            if hasattr(local.get("self"), "steps") and "X" in local:
                # The outermost Pipeline's: an inner one is given the frame
                # the outer one's steps made.
                found = (True, local["X"])
        frame = frame.f_back
    return found


def counts_rows(index: Any) -> bool:
    """Whether the pandas ``index`` is a ``RangeIndex`` 0, 1, ..., n - 1: the
    one pandas gives a frame made without an index (and a transformer under
    ``transform_output='pandas'`` the frame it makes of an array)."""
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1


def is_pandas_array(obj: Any) -> bool:
    """True for a bare pandas array (``pd.Categorical``, ``pd.array(...)``:
    an ``ExtensionArray``), not a Series or an Index."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.api.extensions.ExtensionArray)


def numeric_dtype(values: Any) -> bool:
    """Whether a pandas dtype (or a column of one) holds numbers or booleans:
    numpy, nullable and pyarrow ones."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    try:
        return bool(is_numeric_dtype(values) or is_bool_dtype(values))
    except NotImplementedError:  # Arrow view types (string_view, ...): no numbers
        return False


def _is_arrow(obj: Any, *kinds: str) -> bool:
    """Whether ``obj`` is one of pyarrow's ``kinds`` (class names)."""
    # Checked through sys.modules: pyarrow is never imported here.
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(obj, tuple(getattr(pa, k) for k in kinds))


def is_dataframe(obj: Any) -> bool:
    """True for an eager dataframe of any library narwhals knows (pandas
    included), a narwhals DataFrame, and a pyarrow ``RecordBatch``."""
    return (
        is_pandas(obj, "DataFrame")
        or nw.dependencies.is_into_dataframe(obj)
        or _is_arrow(obj, "RecordBatch")
        or nw.dependencies.is_narwhals_dataframe(obj)
    )


def is_series(obj: Any) -> bool:
    """True for a 1-D column of any dataframe library (pandas Series, polars
    Series, pyarrow Array or ChunkedArray, a narwhals Series, ...)."""
    return (
        is_pandas(obj, "Series")
        or _is_arrow(obj, "Array")
        or nw.dependencies.is_into_series(obj)
        or nw.dependencies.is_narwhals_series(obj)
    )


def _unwrapped(obj: Any) -> tuple[Any, Callable[[Any], Any]] | None:
    """``(native, wrap)`` for a narwhals DataFrame or Series of any of its
    namespaces (``narwhals``, ``narwhals.stable.v1``, ``.v2``): the object it
    wraps, and ``wrap(native)`` giving a narwhals object of ``obj``'s class
    again (a narwhals user gets narwhals back, as from ``nw.narwhalify``).
    None for anything else.

    >>> import narwhals as nw
    >>> import pandas as pd
    >>> from rebalance._frames import _unwrapped
    >>> native, wrap = _unwrapped(nw.from_native(pd.DataFrame({"a": [1]})))
    >>> type(native).__name__, type(wrap(native)).__module__
    ('DataFrame', 'narwhals.dataframe')
    """
    series = nw.dependencies.is_narwhals_series(obj)
    if not (series or nw.dependencies.is_narwhals_dataframe(obj)):
        return None
    import importlib

    module = type(obj).__module__
    namespace = importlib.import_module(
        module if module.startswith("narwhals.stable.") else "narwhals"
    )
    kind = {"series_only": True} if series else {"eager_only": True}

    def wrap(native: Any) -> Any:
        return namespace.from_native(native, **kind)

    return nw.to_native(obj), wrap


def _to_narwhals(obj: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(narwhals object, restore)``; ``restore(native)`` gives ``obj``'s type."""
    unwrapped = _unwrapped(obj)
    if unwrapped is not None:  # a narwhals object: as the one it wraps
        native, wrap = unwrapped
        frame, restore = _to_narwhals(native)
        return frame, lambda out: wrap(restore(out))
    if _is_arrow(obj, "Array"):
        import pyarrow as pa

        chunked = pa.chunked_array([obj], type=obj.type)
        return nw.from_native(chunked, series_only=True), _combine_chunks
    if _is_arrow(obj, "RecordBatch"):
        import pyarrow as pa

        table = pa.Table.from_batches([obj], schema=obj.schema)
        return nw.from_native(table, eager_only=True), _record_batch
    if nw.dependencies.is_into_series(obj):
        return nw.from_native(obj, series_only=True), _same
    return nw.from_native(obj, eager_only=True), _same


def narwhals_frame(frame: Any, name: str = "X") -> Any:
    """An eager dataframe of any library (:func:`is_dataframe`) as a narwhals
    DataFrame (a pyarrow RecordBatch as a one-batch Table).

    A frame with a column name twice (pandas and pyarrow allow it; narwhals
    refuses it with a ``DuplicateError`` naming neither the argument nor
    the fix) is a ValueError naming ``name`` and the repeated columns.

    >>> import pyarrow as pa
    >>> from rebalance._frames import narwhals_frame
    >>> narwhals_frame(pa.table([[1], [2]], names=["a", "a"]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y has more than one column named 'a': column names must be ...
    """
    from narwhals.exceptions import DuplicateError

    try:
        return _to_narwhals(frame)[0]
    except DuplicateError:
        check_unique_columns(frame, name)
        raise


def check_unique_columns(frame: Any, name: str = "X") -> None:
    """Raise a ValueError naming ``name`` and the repeated columns for a
    dataframe (:func:`is_dataframe`, a narwhals one by the frame it wraps)
    with a column name twice: pandas and pyarrow allow it, and narwhals (so
    scikit-learn) refuses it with a ``DuplicateError`` naming neither the
    argument nor the fix. Anything else passes.

    >>> import pandas as pd
    >>> from rebalance._frames import check_unique_columns
    >>> check_unique_columns(pd.DataFrame([[1, 2]], columns=["a", "a"]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y has more than one column named 'a': column names must be ...
    """
    unwrapped = _unwrapped(frame)
    native = frame if unwrapped is None else unwrapped[0]
    if is_pandas(native, "DataFrame"):
        repeated = list(native.columns[native.columns.duplicated()])
    elif is_dataframe(native):
        counts = Counter(column_names(native))
        repeated = [column for column, count in counts.items() if count > 1]
    else:
        return
    if repeated:
        shown = ", ".join(repr(c) for c in dict.fromkeys(repeated))
        raise ValueError(
            f"{name} has more than one column named {shown}: column names must "
            "be distinct. Rename the repeats, or drop them, e.g. "
            f"{name}.loc[:, ~{name}.columns.duplicated()] for a pandas "
            "DataFrame."
        )


def column_names(frame: Any) -> list:
    """The column names of a dataframe (:func:`is_dataframe`) as a list,
    repeated names kept: a pyarrow Table's ``column_names``, else its
    ``columns`` (polars, pandas, ...).

    >>> import pyarrow as pa
    >>> from rebalance._frames import column_names
    >>> column_names(pa.table([[1], [2]], names=["a", "a"]))
    ['a', 'a']
    """
    names = getattr(frame, "column_names", None)
    return list(frame.columns if names is None else names)


def _same(native: Any) -> Any:
    return native


def _combine_chunks(native: Any) -> Any:
    return native.combine_chunks()


def _record_batch(table: Any) -> Any:
    import pyarrow as pa

    columns = [column.combine_chunks() for column in table.columns]
    return pa.RecordBatch.from_arrays(columns, schema=table.schema)


def _arrow_take(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of a pyarrow Table, RecordBatch, ChunkedArray or
    Array, schema kept; negative indices count from the end, as numpy's,
    pandas' and polars' do (pyarrow's ``take`` refuses them: a cv's splits
    given as negative positions). pyarrow's ``take`` has no kernel for the
    view types (``string_view``, ``binary_view``: what
    ``pa.table(polars_frame)`` gives): those columns are taken as their
    large counterparts."""
    import pyarrow as pa

    rows = pa.array(_from_end(indices, len(data)))
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        columns = [_arrow_take_column(column, rows) for column in data.columns]
        return type(data).from_arrays(columns, schema=data.schema)
    return _arrow_take_column(data, rows)


def _from_end(indices: Any, n_rows: int) -> np.ndarray:
    """Row ``indices`` of a ``n_rows``-row container as ``int64`` positions,
    negative ones counted from the end (as numpy, pandas' ``iloc`` and polars
    read them); an IndexError worded as numpy's for one out of bounds
    (pyarrow's names the position wrapped, ``Index -1`` for ``-4`` of 3 rows).

    >>> import numpy as np
    >>> from rebalance._frames import _from_end
    >>> _from_end(np.array([-1, 0, -3]), 3).tolist()
    [2, 0, 0]
    >>> _from_end(np.array([0, -4]), 3)
    Traceback (most recent call last):
    ...
    IndexError: index -4 is out of bounds for axis 0 with size 3
    """
    given = np.asarray(indices)
    positions = given.astype(np.int64)
    outside = (positions < -n_rows) | (positions >= n_rows)
    if given.dtype.kind == "u":  # beyond int64: wrapped around by the cast
        outside |= given >= n_rows
    if outside.any():
        bad = given[np.flatnonzero(outside)[0]]
        raise IndexError(f"index {bad} is out of bounds for axis 0 with size {n_rows}")
    return np.where(positions < 0, positions + n_rows, positions)


def _arrow_take_column(column: Any, rows: Any) -> Any:
    import pyarrow as pa

    try:
        return _arrow_take_kernel(column, rows)
    except pa.ArrowNotImplementedError:
        # Types without a take kernel, nor a cast to one: run-end encoded
        # columns inside structs, lists or unions, or over views; unions
        # with a view child; every view type on pyarrow < 18.
        return _arrow_take_slices(column, rows)


def _arrow_take_kernel(column: Any, rows: Any) -> Any:
    """``column.take(rows)``, through the types pyarrow's take has a kernel
    for: run-end encoded columns decoded, views as their large types."""
    import pyarrow as pa

    if pa.types.is_run_end_encoded(column.type):
        # No take kernel either: the runs decoded, the rows taken, and the
        # result encoded again in the column's run-end type.
        import pyarrow.compute as pc

        ree = column.type
        taken = _arrow_take_kernel(pc.run_end_decode(column), rows)
        return pc.run_end_encode(taken, run_end_type=ree.run_end_type)
    large = _without_views(column.type)
    if large == column.type:
        return column.take(rows)
    return column.cast(large).take(rows).cast(column.type)


def _arrow_take_slices(column: Any, rows: Any) -> Any:
    """Rows ``rows`` of a pyarrow Array or ChunkedArray of any type, as one
    slice per run of consecutive rows, concatenated (pyarrow concatenates
    every type; its take has no kernel for some)."""
    import pyarrow as pa

    positions = np.asarray(rows, dtype=np.int64)
    if positions.size and (positions.min() < 0 or positions.max() >= len(column)):
        raise IndexError(f"row indices out of bounds for {len(column)} rows")
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    starts = np.concatenate(([0], breaks)) if positions.size else breaks
    lengths = np.diff(np.append(starts, positions.size))
    pieces = [
        array.slice(int(positions[s]), int(n))
        for s, n in zip(starts.tolist(), lengths.tolist())
    ]
    taken = pa.concat_arrays(pieces) if pieces else array.slice(0, 0)
    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([taken], type=column.type)
    return taken


#: pyarrow's view types and the large types their rows are taken as.
_VIEWS = (("string_view", "large_string"), ("binary_view", "large_binary"))


def _without_views(arrow_type: Any) -> Any:
    """``arrow_type`` with every ``string_view``/``binary_view`` in it (nested
    in lists, structs, maps and extension types too) replaced by its large
    counterpart. pyarrow < 16 has no view types: every type is kept."""
    import pyarrow as pa

    for view, large in _VIEWS:
        make = getattr(pa, view, None)  # pyarrow >= 16
        if make is not None and arrow_type == make():
            return getattr(pa, large)()
    if isinstance(arrow_type, pa.BaseExtensionType):
        # An extension type (arrow.json, ...) stored in views: taken as its
        # storage without them, and cast back.
        storage = _without_views(arrow_type.storage_type)
        return arrow_type if storage == arrow_type.storage_type else storage
    types = pa.types
    if types.is_struct(arrow_type):
        fields = [arrow_type.field(i) for i in range(arrow_type.num_fields)]
        return pa.struct([f.with_type(_without_views(f.type)) for f in fields])
    if types.is_map(arrow_type):
        return pa.map_(
            arrow_type.key_field.with_type(_without_views(arrow_type.key_type)),
            arrow_type.item_field.with_type(_without_views(arrow_type.item_type)),
            keys_sorted=arrow_type.keys_sorted,
        )
    if types.is_list(arrow_type) or types.is_large_list(arrow_type):
        field = arrow_type.value_field
        make = pa.list_ if types.is_list(arrow_type) else pa.large_list
        return make(field.with_type(_without_views(field.type)))
    if types.is_fixed_size_list(arrow_type):
        field = arrow_type.value_field
        return pa.list_(
            field.with_type(_without_views(field.type)), arrow_type.list_size
        )
    return arrow_type


def nested_dtype(series: Any) -> bool:
    """Whether a non-pandas column (polars, pyarrow, ...) holds structs or
    lists (several values a row)."""
    column, _ = _to_narwhals(series)
    dtype = column.dtype
    if isinstance(dtype, nw.Array):  # one value a row only at width one
        return tuple(getattr(dtype, "shape", ())) != (1,)
    return isinstance(dtype, (nw.Struct, nw.List))


def _arrow_column(series: Any, is_type: Any) -> Any:
    """``series`` out of its narwhals wrapper; a pandas ``ArrowDtype`` Series
    of a pyarrow type ``is_type`` accepts as one pyarrow Array, None for a
    pandas Series of any other type; other columns as they are."""
    import pyarrow as pa

    unwrapped = _unwrapped(series)
    if unwrapped is not None:
        series = unwrapped[0]
    if not is_pandas(series, "Series"):
        return series
    arrow_type = getattr(series.dtype, "pyarrow_dtype", None)
    if isinstance(arrow_type, pa.DataType) and is_type(arrow_type):
        return pa.array(series.array)
    return None


def width_one_values(series: Any) -> Any:
    """The values of a pyarrow ``fixed_size_list<...>[1]`` column (what
    polars ``Array(..., 1).to_arrow()`` gives; a pyarrow Array or ChunkedArray,
    a pandas ``ArrowDtype`` Series, or a narwhals Series of either) as a flat
    pyarrow column, null where the row or its value is null: one value a row,
    as a polars ``Array`` of width one is read. None for any other column, and
    for values that are themselves nested (several values a row still).

    >>> import pyarrow as pa
    >>> from rebalance._frames import width_one_values
    >>> y = pa.array([[1], None, [None]], pa.list_(pa.int64(), 1))
    >>> width_one_values(y).to_pylist()
    [1, None, None]
    """
    pa = sys.modules.get("pyarrow")
    if pa is None:  # no pyarrow column without pyarrow
        return None
    series = _arrow_column(series, pa.types.is_fixed_size_list)
    if not _is_arrow(series, "Array", "ChunkedArray"):
        return None
    arrow_type = series.type
    if not (
        pa.types.is_fixed_size_list(arrow_type)
        and arrow_type.list_size == 1
        and not pa.types.is_nested(arrow_type.value_type)
    ):
        return None
    import pyarrow.compute as pc

    return pc.list_element(series, 0)


def decimal_arrow(series: Any) -> Any:
    """A decimal column (pyarrow ``decimal32`` to ``decimal256``, a polars
    ``Decimal``, a pandas ``ArrowDtype`` decimal, or a narwhals Series of one)
    as one pyarrow Array, else None. Read without narwhals' dtype, which
    refuses a negative scale.

    >>> import pyarrow as pa
    >>> from rebalance._frames import decimal_arrow
    >>> decimal_arrow(pa.chunked_array([[1]], pa.decimal128(5, 2))).type
    Decimal128Type(decimal128(5, 2))
    >>> decimal_arrow(pa.array([1.5])) is None
    True
    """
    pa = sys.modules.get("pyarrow")
    if pa is None:  # no decimal column without pyarrow (polars: to_arrow)
        return None
    series = _arrow_column(series, pa.types.is_decimal)
    if series is None:
        return None
    if type(series).__module__.split(".")[0] == "polars":
        if type(series.dtype).__name__ != "Decimal":
            return None
        series = series.to_arrow()
    if not _is_arrow(series, "Array", "ChunkedArray"):
        return None
    if not pa.types.is_decimal(series.type):
        return None
    if isinstance(series, pa.ChunkedArray):
        return series.combine_chunks()
    return series


def replace_arrow_columns(frame: Any, template: Any, columns: dict) -> Any:
    """``frame`` (a pyarrow Table or RecordBatch, or a polars DataFrame, of
    ``template``'s columns) with column ``j`` replaced by the pyarrow Array
    ``columns[j]``; a pyarrow result gets ``template``'s schema back where
    its types are the same (field nullability and metadata)."""
    if _is_arrow(frame, "Table", "RecordBatch"):
        arrays = [columns.get(j, frame.column(j)) for j in range(frame.num_columns)]
        if all(a.type == t for a, t in zip(arrays, template.schema.types)):
            try:
                return type(frame).from_arrays(arrays, schema=template.schema)
            except (ValueError, TypeError):  # pyarrow's errors (nulls, ...)
                pass
        return type(frame).from_arrays(arrays, names=frame.schema.names)
    import polars as pl  # a polars frame: polars is imported already

    names = frame.columns
    return frame.with_columns(
        [pl.Series(names[j], array) for j, array in columns.items()]
    )


def _run_end_decoded(series: Any) -> Any:
    """A run-end encoded pyarrow Array or ChunkedArray decoded (pyarrow 14
    cannot turn it into numpy), and a pandas Series of a run-end encoded
    ``ArrowDtype`` (:func:`_run_end_dtype`; pandas cannot either) as its
    pyarrow column, so decoded; anything else as it is."""
    if is_pandas(series, "Series") and _run_end_dtype(series.dtype):
        series = series.array.__arrow_array__()
    if not _is_arrow(series, "Array", "ChunkedArray"):
        return series
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_run_end_encoded(series.type):
        return pc.run_end_decode(series)
    return series


def series_values(series: Any, name: str = "y") -> tuple[np.ndarray, int]:
    """``(values, n_missing)`` of a non-pandas 1-D column (or a pandas one of
    a run-end encoded ``ArrowDtype``, :func:`_run_end_decoded`): a numpy array and
    its number of nulls (null is not NaN: a float NaN is a value); a
    TypeError naming ``name`` for a column numpy cannot hold (polars'
    128-bit integers, ...)."""
    column, _ = _to_narwhals(_run_end_decoded(series))
    cannot = (
        "numpy has no 128-bit integers"  # polars 2.0 panics in to_numpy()
        if column.dtype in (nw.Int128, nw.UInt128)
        else None
    )
    try:
        if cannot is None:
            values = column.to_numpy()
    except MemoryError:
        raise
    except Exception as exc:  # each library has its own error types
        cannot = f"{type(exc).__name__}: {exc}"
    if cannot is not None:
        raise TypeError(
            f"{name} has dtype {column.dtype}, which cannot be read as a numpy "
            f"array ({cannot}). Cast it first, e.g. to 64-bit integers."
        )
    return values, int(column.null_count())


def numeric_column(series: Any) -> bool:
    """Whether a non-pandas 1-D column (polars, pyarrow, ...) holds numbers or
    booleans, decimals included: what :func:`numeric_dtype` says of a pandas
    one (whose Arrow decimals are numbers too).

    >>> import pyarrow as pa
    >>> from rebalance._frames import numeric_column
    >>> numeric_column(pa.array([1], pa.decimal256(40, 0)))
    True
    >>> numeric_column(pa.array(["a"]))
    False
    """
    series = _run_end_decoded(series)
    dtype = _to_narwhals(series)[0].dtype
    if dtype.is_numeric() or dtype == nw.Boolean:
        return True
    if not _is_arrow(series, "Array", "ChunkedArray"):
        return False
    import pyarrow as pa

    # A type narwhals does not know (pyarrow's decimal256 is Unknown to it).
    return bool(pa.types.is_decimal(series.type))


def null_mask(series: Any) -> np.ndarray:
    """Which rows of a non-pandas 1-D column (polars, pyarrow, ...) are null,
    as a numpy bool array."""
    column, _ = _to_narwhals(series)
    return np.asarray(column.is_null().to_numpy(), dtype=bool)


def hf_dataset_kind(data: Any) -> str | None:
    """``"splits"`` for a Hugging Face ``DatasetDict`` (or
    ``IterableDatasetDict``), ``"dataset"`` for a ``Dataset`` or
    ``IterableDataset`` (its ``features`` or ``column_names``), None for
    anything else, a column of one (``ds["label"]``) included. Never imports
    datasets."""
    if type(data).__module__.split(".")[0] != "datasets":
        return None
    if type(data).__name__.endswith("DatasetDict"):
        return "splits"
    if is_hf_column(data):
        return None
    named = hasattr(data, "column_names") or hasattr(data, "features")
    return "dataset" if named else None


def is_hf_column(data: Any) -> bool:
    """Whether ``data`` is a column of a Hugging Face dataset (``ds["label"]``,
    a lazy ``Column`` since datasets 4). Never imports datasets."""
    kind = type(data)
    return (
        kind.__module__.split(".")[0] == "datasets"
        and kind.__name__ == "Column"
        and hasattr(data, "column_name")
    )


def reject_stream_column(data: Any, name: str) -> None:
    """A TypeError for a column of a streaming Hugging Face dataset
    (``IterableDataset["label"]``): its values exist only by iterating the
    stream (numpy read it as one object: "an array of shape ()"). Never
    imports datasets."""
    kind = type(data)
    if kind.__module__.split(".")[0] == "datasets" and kind.__name__ == (
        "IterableColumn"
    ):
        raise TypeError(
            f"{name} is a column of a streaming (iterable) Hugging Face dataset: "
            "its values are read only by iterating the stream, and a sampler "
            "needs the label of every row before the first draw. Load the "
            "dataset map-style (load_dataset(..., streaming=False)) and pass "
            f"ds['label'], or read the labels first: list({name})."
        )


def reject_dataset(data: Any, name: str) -> None:
    """A TypeError for a dataset of samples (a PyTorch ``Dataset`` or
    ``DataLoader``, a Hugging Face ``datasets`` Dataset or DatasetDict) given
    as ``name`` to a method that takes arrays: ``numpy.asarray`` would load
    (and decode) every sample, then fail with a message about shapes.
    Never imports torch or datasets."""
    reject_stream_column(data, name)
    kind = type(data).__name__
    hf = hf_dataset_kind(data)
    torch_data = False
    if "torch.utils.data" in sys.modules:
        from torch.utils.data import DataLoader, Dataset

        torch_data = isinstance(data, (Dataset, DataLoader))
    if not (hf or torch_data):
        return
    if hf == "splits":
        fix = (
            "one split's columns, e.g. dd['train'].to_pandas() and dd['train']['label']"
        )
    elif hf:
        fix = (
            "its columns, e.g. X = ds.remove_columns('label').to_pandas() and "
            "y = ds['label']"
        )
    else:
        fix = "its tensors, e.g. X, y = dataset.tensors (a TensorDataset)"
    raise TypeError(
        f"{name} is a {kind}, a dataset of samples, not an array: this method "
        f"takes features and labels as arrays or frames. Pass {fix}; to train "
        "with a DataLoader, use rebalance.torch.RebalanceSampler(labels, sampler) "
        "or RebalancedLoader instead."
    )


def reject_lazy(data: Any, name: str) -> None:
    """Raise a TypeError for a lazy frame (a polars LazyFrame, ...): its
    rows only exist once it is collected."""
    if callable(getattr(data, "collect", None)) and not hasattr(data, "shape"):
        raise TypeError(
            f"{name} is a lazy {type(data).__name__}: its rows are not computed. "
            f"Collect it first, e.g. {name}.collect()."
        )


def warn_outside(
    message: str,
    category: type[Warning],
    inside: Callable[[str], bool] | None = None,
) -> None:
    """``warnings.warn`` pointing at the first caller whose module is not
    ``inside`` (default: rebalance and scikit-learn's method wrappers,
    ``fit``'s ``_fit_context``): the user's line, or the library calling
    rebalance, wherever in rebalance it is raised from."""
    inside = _rebalance_or_wrapper if inside is None else inside
    level, frame = 2, sys._getframe(1)  # 2: the caller of this function
    while frame.f_back is not None and inside(str(frame.f_globals.get("__name__"))):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, category, stacklevel=level)


# scikit-learn's modules whose decorators wrap an estimator's methods.
_WRAPPERS = ("sklearn.base", "sklearn.utils._set_output")


def _rebalance_or_wrapper(module: str) -> bool:
    """Whether ``module`` is rebalance's or a scikit-learn wrapper's."""
    return module.startswith("rebalance.") or module in _WRAPPERS


# Values numpy reads as arrays but scikit-learn's validation and indexing
# refuse (a memoryview, an array.array).
BUFFERS = (memoryview, array.array)


def buffer_values(value: Any, matrix: bool = False) -> Any:
    """``value`` as a numpy array when it is one of :data:`BUFFERS` (or,
    with ``matrix``, an ``np.matrix``, which scikit-learn refuses); anything
    else as it is."""
    kinds = (*BUFFERS, np.matrix) if matrix else BUFFERS
    return np.asarray(value) if isinstance(value, kinds) else value


def reject_mapping_or_iterator(data: Any, name: str, iterators: bool = True) -> None:
    """Raise a TypeError for a dict of columns or (with ``iterators``) a
    one-pass iterator (a generator) given as the features ``name``: neither
    has rows to index (a dict's length is its number of columns)."""
    if isinstance(data, Mapping) and not sp.issparse(data):  # (a DOK matrix is)
        raise TypeError(
            f"{name} is a dict (column name -> values): pass "
            f"pandas.DataFrame({name}) to use its columns as features."
        )
    if iterators and isinstance(data, Iterator) and not hasattr(data, "__len__"):
        raise TypeError(
            f"{name} is a {type(data).__name__} object, read once: pass "
            f"list({name}) or a numpy array of its rows."
        )


def is_dask(obj: Any) -> bool:
    """True for a Dask collection (never imports dask: none exists before)."""
    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection

    return bool(is_dask_collection(obj))


def reject_dask(data: Any, name: str, where: str) -> None:
    """Raise a TypeError for a Dask collection given to ``where``, which works
    in memory: it is never computed silently."""
    if is_dask(data):
        raise TypeError(
            f"{name} is a Dask {type(data).__name__}: {where} works in memory and "
            f"does not compute Dask collections. Compute it first if it fits in "
            f"memory, e.g. {name}.compute()."
        )


def check_compressed(matrix: Any, name: str = "X") -> None:
    """Raise a ValueError for a CSR, CSC, BSR, COO or LIL ``matrix`` whose arrays
    do not describe it (scipy checks them only when asked, ``check_format()``):
    scipy's row gather, ``toarray`` and ``tocsr`` read and write out of bounds
    for those, and crash the process or return other rows' entries. One pass
    over ``indptr`` and one (threaded) over ``indices`` (over each coordinate
    array of a COO matrix); other formats pass.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from rebalance._frames import check_compressed
    >>> X = sp.random(4, 3, density=0.5, format="csr", random_state=0)
    >>> check_compressed(X)
    >>> X.indices = X.indices + 3
    >>> check_compressed(X)
    Traceback (most recent call last):
    ...
    ValueError: X is a malformed CSR csr_matrix: its column indices must be ...
    """
    if not sp.issparse(matrix) or matrix.format not in _CHECKED_FORMATS:
        return
    problem = _CHECKED_FORMATS[matrix.format](matrix)
    if problem is not None:
        raise ValueError(
            f"{name} is a malformed {matrix.format.upper()} "
            f"{type(matrix).__name__}: {problem}. Its arrays were changed or "
            "built by hand; build it again from valid arrays (scipy's "
            f"{name}.check_format() names the first problem)."
        )


def _coo_problem(matrix: Any) -> str | None:
    """What is wrong with a COO ``matrix``'s coordinates (scipy's CSR
    conversion writes at each row index unchecked), or None."""
    coords = getattr(matrix, "coords", None)
    if coords is None:  # scipy before 1.13
        coords = (matrix.row, matrix.col)
    values = matrix.data
    if len(coords) != len(matrix.shape) or any(
        getattr(a, "ndim", None) != 1 for a in (*coords, values)
    ):
        return "its data and one coordinate array per dimension must be 1-D"
    if any(a.dtype.kind not in "iu" for a in coords):
        return "its coordinates must hold integers"
    if any(a.shape[0] != values.shape[0] for a in coords):
        return "its coordinate arrays and data differ in length"
    for axis, (a, size) in enumerate(zip(coords, matrix.shape)):
        if not _gather._in_range(a, size):
            return (
                f"its indices along axis {axis} must be between 0 and "
                f"{size - 1} (shape {matrix.shape})"
            )
    return None


def _lil_problem(matrix: Any) -> str | None:
    """What is wrong with a LIL ``matrix``'s ``rows`` and ``data`` (scipy's
    CSR conversion reads them by each other's lengths), or None."""
    rows, values = matrix.rows, matrix.data
    n_rows, n_columns = matrix.shape
    if not all(
        isinstance(a, np.ndarray) and a.ndim == 1 and a.shape[0] == n_rows
        for a in (rows, values)
    ):
        return f"its rows and data must be arrays of {n_rows} lists, one a row"
    if not all(isinstance(r, list) for r in rows) or not all(
        isinstance(v, list) for v in values
    ):
        return "its rows and data must hold one list a row"
    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=n_rows)
    differ = lengths != np.fromiter(map(len, values), dtype=np.intp, count=n_rows)
    if differ.any():
        at = int(np.flatnonzero(differ)[0])
        return f"its rows and data differ in length at row {at}"
    if lengths.sum():
        listed = [c for r in rows for c in r]
        problem = f"its column indices must be integers from 0 to {n_columns - 1}"
        if not all(
            isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in listed
        ):
            return problem
        try:
            columns = np.asarray(listed, dtype=np.int64)
        except OverflowError:
            return problem
        if not _gather._in_range(columns, n_columns):
            return problem
    return None


def _compressed_problem(matrix: Any) -> str | None:
    """What is wrong with a CSR, CSC or BSR ``matrix``'s arrays, or None."""
    indptr, indices, values = matrix.indptr, matrix.indices, matrix.data
    major, minor = ("row", "column") if matrix.format != "csc" else ("column", "row")
    n_major, n_minor = matrix.shape if matrix.format != "csc" else matrix.shape[::-1]
    if matrix.format == "bsr":
        # Blocks: indptr and indices count block rows and block columns
        # (scipy takes the block size from the data's shape).
        if getattr(values, "ndim", None) != 3 or 0 in values.shape[1:]:
            return "its data must be 3-D, blocks of at least 1 x 1"
        height, width = values.shape[1:]
        if n_major % height or n_minor % width:
            return (
                f"its shape {matrix.shape} must be a multiple of its blocks "
                f"({height} x {width})"
            )
        n_major, n_minor = n_major // height, n_minor // width
        major, minor = f"block {major}", f"block {minor}"
        values = values[:, 0, 0]
    problem = None
    if any(getattr(a, "ndim", None) != 1 for a in (indptr, indices, values)):
        problem = "its data, indices and indptr arrays must be 1-D"
    elif indptr.dtype.kind not in "iu" or indices.dtype.kind not in "iu":
        problem = (
            f"its indices ({indices.dtype}) and indptr ({indptr.dtype}) must "
            "hold integers"
        )
    elif indptr.shape[0] != n_major + 1:
        problem = (
            f"its indptr has {indptr.shape[0]} entries, not one per {major} "
            f"plus one ({n_major + 1})"
        )
    elif indices.shape[0] != values.shape[0]:
        problem = (
            f"its indices ({indices.shape[0]}) and data ({values.shape[0]}) "
            "differ in length"
        )
    elif indptr[0] != 0 or indptr[-1] > indices.shape[0]:
        problem = (
            f"its indptr must run from 0 to at most {indices.shape[0]} (the "
            f"entries stored); it runs from {indptr[0]} to {indptr[-1]}"
        )
    elif n_major and bool((indptr[1:] < indptr[:-1]).any()):
        at = int(np.flatnonzero(indptr[1:] < indptr[:-1])[0])
        problem = f"its indptr decreases at {major} {at}"
    elif not _gather._in_range(indices[: int(indptr[-1])], n_minor):
        problem = (
            f"its {minor} indices must be between 0 and {n_minor - 1} (shape "
            f"{matrix.shape})"
        )
    return problem


# The formats whose arrays are checked, and their checks.
_CHECKED_FORMATS: dict[str, Callable[[Any], str | None]] = {
    "csr": _compressed_problem,
    "csc": _compressed_problem,
    "bsr": _compressed_problem,
    "coo": _coo_problem,
    "lil": _lil_problem,
}


def take_rows(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of ``data``, in the same container type as ``data``.

    pandas objects keep their columns, name and dtypes and get a fresh
    ``RangeIndex`` (the source positions are in ``sample_indices_``); polars
    and pyarrow frames and columns keep their type, names and dtypes; sparse
    matrices keep their format; lists stay lists; pandas arrays
    (``pd.Categorical``, ``pd.array(...)``) stay pandas arrays.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rebalance._frames import take_rows
    >>> take_rows(pd.Series([10, 20, 30], name="y"), np.array([2, 2, 0])).tolist()
    [30, 30, 10]
    >>> take_rows([10, 20, 30], np.array([1, 0]))
    [20, 10]

    Large numpy and pandas gathers run compiled and threaded
    (:mod:`rebalance._gather`), with the same result as ``np.take``. A
    narwhals DataFrame or Series comes back a narwhals one, of the rows of
    the object it wraps, gathered as above.
    """
    unwrapped = _unwrapped(data)
    if unwrapped is not None:
        native, wrap = unwrapped
        return wrap(take_rows(native, indices))
    if is_pandas(data, "DataFrame") or is_pandas(data, "Series"):
        if _run_end_columns(data):
            return _take_pandas_run_end(data, indices)
        taken = _gather.take_pandas(data, indices)
        if taken is not None:
            return taken
        # Repeated rows repeat index labels until the index is reset: allow
        # them in between, and keep the flag of data on the result.
        strict = not data.flags.allows_duplicate_labels
        source = data.set_flags(allows_duplicate_labels=True) if strict else data
        taken = source.iloc[indices].reset_index(drop=True)
        return taken.set_flags(allows_duplicate_labels=False) if strict else taken
    if sp.issparse(data):
        # scipy reads out of bounds for malformed arrays (crashes, or other
        # rows' entries): refused first, whichever gathers the rows.
        check_compressed(data)
        taken = _gather.take_csr(data, indices)
        if taken is not None:
            return taken
        # COO, DIA and BSR rows cannot be indexed: through a CSR copy.
        source = data if data.format in ("csr", "csc", "lil", "dok") else data.tocsr()
        taken = source[indices]
        return taken.asformat(data.format)
    if isinstance(data, list):
        return [data[i] for i in indices.tolist()]
    if isinstance(data, np.ma.MaskedArray):
        # Indexing, not np.take: MaskedArray.take drops the fill value and the
        # hard mask, and the whole mask of a structured array.
        return data[np.asarray(indices, dtype=np.intp)]
    if type(data) is np.memmap:
        # Rows of a memory map are in memory (numpy's own indexing returns an
        # ndarray, as imbalanced-learn does), not a map of the file.
        data = data.view(np.ndarray)
    if isinstance(data, np.ndarray):
        taken = _gather.take_array(data, indices)
        if taken is not None:
            return taken
        # np.take would copy all of a non-contiguous data first.
        taken = _gather.take_strided(data, indices)
        if taken is not None:
            return taken
        # np.take is several times faster than fancy indexing for row gathers.
        return np.take(data, _take_indices(indices), axis=0)
    if is_pandas_array(data):
        # Its own take keeps the type and dtype (a Categorical its categories).
        return data.take(np.asarray(indices, dtype=np.intp))
    # Anything not gathered above would be read whole by np.asarray below.
    reject_dask(data, "data", "take_rows")
    if _is_arrow(data, "Table", "RecordBatch", "ChunkedArray", "Array"):
        return _arrow_take(data, indices)
    if is_dataframe(data) or is_series(data):
        frame, restore = _to_narwhals(data)
        return restore(nw.to_native(frame[np.asarray(indices, dtype=np.intp)]))
    return np.take(np.asarray(data), _take_indices(indices), axis=0)


def _holds_run_end(arrow_type: Any) -> bool:
    """Whether the pyarrow type ``arrow_type`` is run-end encoded, or holds
    run-end encoded values (in lists, structs, maps, unions, dictionaries or
    extension types)."""
    import pyarrow as pa

    if pa.types.is_run_end_encoded(arrow_type):
        return True
    if isinstance(arrow_type, pa.BaseExtensionType):
        return _holds_run_end(arrow_type.storage_type)
    children = [
        getattr(arrow_type, kind)
        for kind in ("value_type", "key_type", "item_type")
        if hasattr(arrow_type, kind)
    ]
    if pa.types.is_struct(arrow_type) or pa.types.is_union(arrow_type):
        children += [arrow_type.field(i).type for i in range(arrow_type.num_fields)]
    return any(_holds_run_end(child) for child in children)


def _run_end_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a pandas ``ArrowDtype`` of run-end encoded values
    (nested ones too): pandas' take, pyarrow's, has no kernel for them."""
    pd = sys.modules.get("pandas")
    return (
        pd is not None
        and isinstance(dtype, pd.ArrowDtype)
        and _holds_run_end(dtype.pyarrow_dtype)
    )


def _run_end_columns(data: Any) -> bool:
    """Whether the pandas DataFrame or Series ``data`` has a column of a
    run-end encoded ``ArrowDtype`` (:func:`_run_end_dtype`)."""
    dtypes = [data.dtype] if data.ndim == 1 else list(data.dtypes)
    return any(_run_end_dtype(dtype) for dtype in dtypes)


def _take_pandas_run_end(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of a pandas DataFrame or Series with run-end encoded
    Arrow columns (which ``iloc`` refuses: pyarrow's take has no kernel for
    them), as :func:`take_rows` gives them: those columns taken by
    :func:`_arrow_take_column` in their dtype, the others one by one by
    :func:`take_rows`; a fresh ``RangeIndex``, the columns, names, attrs and
    flags of ``data``.

    >>> import numpy as np
    >>> import pandas as pd
    >>> import pyarrow as pa
    >>> import pyarrow.compute as pc
    >>> from rebalance._frames import take_rows
    >>> ree = pd.arrays.ArrowExtensionArray(pc.run_end_encode(pa.array([1, 1, 2])))
    >>> taken = take_rows(pd.DataFrame({"r": ree, "a": [0, 1, 2]}), np.array([2, 0]))
    >>> taken["r"].tolist(), taken["a"].tolist(), taken.dtypes["r"] == ree.dtype
    ([2, 1], [2, 0], True)
    """
    import pandas as pd
    import pyarrow as pa

    positions = _from_end(indices, len(data))
    rows = pa.array(positions)

    def take(column: Any) -> Any:
        if _run_end_dtype(column.dtype):
            taken = _arrow_take_column(column.array.__arrow_array__(), rows)
            return pd.Series(
                pd.arrays.ArrowExtensionArray(taken),
                name=column.name,
                dtype=column.dtype,
            )
        # Views, non-native byte order, ...: as take_rows gathers them.
        return take_rows(column, positions)

    if data.ndim == 1:
        out = take(data)
    else:
        parts = [take(data.iloc[:, j]) for j in range(data.shape[1])]
        out = pd.concat(parts, axis=1, ignore_index=True)
        out.columns = data.columns
    out.attrs = copy.deepcopy(data.attrs)
    return out.set_flags(allows_duplicate_labels=data.flags.allows_duplicate_labels)


def _take_indices(indices: Any) -> Any:
    """``indices`` as ``np.take`` takes them on every numpy: numpy 2 casts
    unsigned positions to ``intp`` itself, numpy < 2 refuses ``uint64`` ones
    (a TypeError about casting), e.g. from a cv's (train, test) splits."""
    if isinstance(indices, np.ndarray) and indices.dtype.kind == "u":
        return indices.astype(np.intp)
    return indices


def first_column(frame: Any) -> Any:
    """The first column of a dataframe of any library, as that library's
    series (a pandas Series for pandas)."""
    if is_pandas(frame, "DataFrame"):
        return frame.iloc[:, 0]
    native, _ = _to_narwhals(frame)
    return nw.to_native(native.get_column(native.columns[0]))


def frame_values(X: Any) -> np.ndarray:
    """A 2-D numpy array of the values of ``X`` (any dataframe, or array-like)."""
    if is_pandas(X, "DataFrame"):
        return X.to_numpy()
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return X
    if is_dataframe(X):
        return _to_narwhals(X)[0].to_numpy()
    return np.asarray(X)


def frame_like(template: Any, values: Any) -> Any:
    """``values`` in the container type of ``template``.

    ``values`` is a 2-D numpy array, or a sequence of 1-D numpy arrays (one per
    column, each keeping its own dtype). A dataframe ``template`` (pandas,
    polars, pyarrow, ...) gives a dataframe of the same library with the same
    column names, each column in the dtype of its values (numpy ``int8`` gives
    polars ``Int8``, pyarrow ``int8``, ...; a pandas template's nullable or
    Arrow dtype where the values are of its numpy type: ``Int64`` for
    ``int64`` values, ``double[pyarrow]`` for ``float64``); a pandas result
    has a fresh ``RangeIndex``. Any other ``template`` returns ``values`` as
    one 2-D array. A narwhals template is not taken: the caller passes the
    frame it wraps (``_unwrapped``), as ``samplers._add_noise`` does.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rebalance._frames import frame_like
    >>> frame_like(pd.DataFrame({"a": [1], "b": [2]}), np.array([[0.5, 1.5]]))
         a    b
    0  0.5  1.5
    >>> frame_like(pd.DataFrame({"a": [1], "b": [2]}), [np.array([1], np.int8),
    ...                                                 np.array([0.5])]).dtypes
    a       int8
    b    float64
    dtype: object
    """
    if isinstance(values, np.ndarray):
        if not is_dataframe(template):
            return values
        columns = [values[:, j] for j in range(values.shape[1])]
    else:
        columns = [np.asarray(column) for column in values]
        if not is_dataframe(template):
            return np.column_stack(columns)
    if is_pandas(template, "DataFrame"):
        frame = type(template)(dict(enumerate(columns)))
        frame.columns = template.columns
        for j, dtype in enumerate(template.dtypes):
            # Int64, boolean, double[pyarrow]: the same values, the template's
            # dtype again.
            numpy_dtype = getattr(dtype, "numpy_dtype", None)
            if not isinstance(dtype, np.dtype) and numpy_dtype == columns[j].dtype:
                frame.isetitem(j, frame.iloc[:, j].astype(dtype))
        return frame
    frame, restore = _to_narwhals(template)
    data = dict(zip(frame.columns, columns))
    native = nw.to_native(nw.from_dict(data, backend=nw.get_native_namespace(frame)))
    if _is_arrow(template, "Table", "RecordBatch") and native.schema.types == (
        template.schema.types
    ):
        # The template's schema: nullability, field and schema metadata.
        try:
            native = type(native).from_arrays(native.columns, schema=template.schema)
        except (ValueError, TypeError):  # pyarrow's errors (nulls, ...)
            pass
    return restore(native)
