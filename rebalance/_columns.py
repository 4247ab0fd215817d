"""Columns as they come: what each column of a table is, and how to encode it.

``rebalance compare`` reads files it has never seen. :func:`plan_columns`
sorts their columns into kinds (numeric, datetime, categorical,
high-cardinality categorical, free text) and drops those that would only add
noise or leak the row identity (id-like columns, empty columns, and the ones
the user names). :func:`make_preprocessor` then builds the scikit-learn
transformer that turns the kept columns into numbers; with skrub installed
(the ``compare`` extra) that is skrub's ``TableVectorizer``: datetimes become
numeric features (``DatetimeEncoder``), low-cardinality strings are one-hot
encoded and high-cardinality strings and free text are vectorised
(``StringEncoder``: tf-idf then a truncated SVD), so no column explodes into
one feature per distinct value.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from rebalance._frames import (
    _is_arrow,
    is_dataframe,
    is_pandas,
    narwhals_frame,
    numeric_dtype,
)

#: more distinct values than this makes a string column high-cardinality
#: (skrub's ``TableVectorizer`` default threshold).
CARDINALITY_THRESHOLD = 40
#: a string column whose values hold at least this many words on average is
#: free text.
TEXT_WORDS = 3
_SAMPLE = 1000  # values looked at to guess datetime / text

ID_REASON = "id-like: a different value on every row"
WRITTEN_INDEX_REASON = "a written index (row labels), not data"
COMPLEX_REASON = (
    "complex numbers: add their real and imaginary parts as two columns to use them"
)


@dataclass
class ColumnPlan:
    """What happens to each column: ``used[col] -> kind``, ``dropped[col] -> why``,
    ``notes[col] -> why`` for a column planned otherwise than it first looked
    (text read as dates in its first rows but not in all).

    Kinds: ``'numeric'``, ``'datetime'``, ``'categorical'``,
    ``'high-cardinality categorical'`` and ``'text'``.
    """

    used: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    #: column -> why it was planned otherwise than it looked at first.
    notes: dict[str, str] = field(default_factory=dict)
    vectorizer: str = "skrub"  # 'skrub', 'numeric' or 'fallback'

    def counts(self) -> dict[str, int]:
        """Number of used columns of each kind, in first-seen order."""
        out: dict[str, int] = {}
        for kind in self.used.values():
            out[kind] = out.get(kind, 0) + 1
        return out

    def describe(self) -> str:
        """One sentence: the columns used by kind, and the dropped ones with why."""
        how = {
            "datetime": "datetime (as numeric features)",
            "text": "text (vectorised: tf-idf + SVD)",
            "high-cardinality categorical": "high-cardinality categorical "
            "(string-encoded, not one-hot)",
        }
        if self.vectorizer == "fallback":
            how["datetime"] = "datetime (as seconds since 1970)"
        kinds = ", ".join(
            f"{n} {how.get(kind, kind)}" for kind, n in self.counts().items()
        )
        text = f"{len(self.used)} used ({kinds or 'none'})"
        if self.dropped:
            gone = "; ".join(f"{col} ({why})" for col, why in self.dropped.items())
            text += f"; dropped: {gone}"
        if self.notes:
            notes = "; ".join(f"{col} ({why})" for col, why in self.notes.items())
            text += f"; notes: {notes}"
        return text + "."


def pandas_frame(frame):
    """``frame`` as a pandas DataFrame when it is a dataframe of another
    library (polars, a pyarrow Table or RecordBatch, ...), so that its columns
    are planned and encoded as a pandas user's would be (a polars
    ``Categorical`` or ``Enum`` as a pandas categorical, ``Date`` and
    ``Datetime`` as datetimes, ``Decimal``, ``Duration`` and ``Time`` as
    numbers, nulls as missing values); anything else as it is. A TypeError
    naming ``X`` for a frame pandas cannot hold (polars' 128-bit integers), a
    ValueError for a column name twice (:func:`narwhals_frame`).
    """
    if is_pandas(frame, "DataFrame"):
        return _without_view_columns(frame)
    if not is_dataframe(frame):
        return frame
    # Outside the try: a column name twice is a ValueError naming X.
    converted = narwhals_frame(_signed_dictionaries(frame))
    try:
        return converted.to_pandas()
    except MemoryError:
        raise
    except Exception as exc:  # each library has its own error types
        raise TypeError(
            f"X is a {type(frame).__name__} that could not be converted to a "
            f"pandas DataFrame ({type(exc).__name__}: {exc}), which the columns "
            "are planned in. Cast the columns pandas cannot hold first (e.g. "
            "128-bit integers to 64-bit ones or floats)."
        ) from exc


def _without_view_columns(frame):
    """A pandas ``frame`` whose Arrow ``string_view``/``binary_view`` columns
    (``pa.table(polars_frame).to_pandas(types_mapper=pd.ArrowDtype)``) are
    large strings/binaries instead, as a new frame: pyarrow filters no view
    (``dropna`` fails). ``frame`` itself where it has none."""
    import pandas as pd

    from rebalance._frames import _without_views

    cast = {}
    for j, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.ArrowDtype):
            plain = _without_views(dtype.pyarrow_dtype)
            if plain != dtype.pyarrow_dtype:
                cast[j] = plain
    if not cast:
        return frame
    import pyarrow as pa

    frame = frame.copy()
    for j, plain in cast.items():
        values = frame.iloc[:, j]
        # Cast in pyarrow: pandas' astype fails on a view type.
        array = pd.arrays.ArrowExtensionArray(pa.array(values.array).cast(plain))
        frame.isetitem(j, pd.Series(array, index=values.index, name=values.name))
    return frame


def _signed_dictionaries(frame):
    """A pyarrow Table or RecordBatch whose dictionary columns with unsigned
    indices (polars 1.0's ``to_arrow()`` of an Enum or Categorical) have
    int64 indices instead: pyarrow <= 16 cannot convert the unsigned ones to
    pandas. Anything else, and a frame with none, as it is (never changed)."""
    if not _is_arrow(frame, "Table", "RecordBatch"):
        return frame
    import pyarrow as pa

    schema = frame.schema
    fields = [
        field.with_type(
            pa.dictionary(pa.int64(), field.type.value_type, field.type.ordered)
        )
        if pa.types.is_dictionary(field.type)
        and pa.types.is_unsigned_integer(field.type.index_type)
        else field
        for field in schema
    ]
    if fields == list(schema):
        return frame
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_batches([frame])
    return table.cast(pa.schema(fields, metadata=schema.metadata))


def _is_categorical(values) -> bool:
    """Whether a column is a pandas categorical: its values are categories,
    whatever they look like (numbers, dates), as skrub's ``TableVectorizer``
    treats them."""
    import pandas as pd

    return isinstance(values.dtype, pd.CategoricalDtype)


def _is_datetime(values) -> bool:
    """Whether a column holds points in time by its dtype: numpy datetimes
    (with or without a time zone), pandas periods (a Parquet file written by
    pandas keeps them), Arrow timestamps and dates."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values) or isinstance(
        values.dtype, pd.PeriodDtype
    ):
        return True
    arrow = getattr(values.dtype, "pyarrow_dtype", None)
    if arrow is None:
        return False
    import pyarrow as pa

    return bool(pa.types.is_timestamp(arrow) or pa.types.is_date(arrow))


def _as_datetimes(values):
    """A column planned as datetime as numpy datetimes (``datetime64``, with
    its time zone if any), which both vectorizers read: periods as their start
    time, Arrow timestamps and dates converted, text parsed
    (:func:`_parse_dates`). Missing values stay missing (NaT)."""
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.PeriodDtype):
        return values.dt.to_timestamp()
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return values
    if isinstance(dtype, pd.DatetimeTZDtype):
        return values
    if _is_datetime(values):  # Arrow timestamps and dates
        return pd.to_datetime(values)
    return _parse_dates(values)


# Numbers stored as text: plain, or with thousands separators (12,345.6),
# a currency sign before or after ($1,234.50, $ 1,234.50, -€3, 12 £), a
# percent sign (12.5%, 12.5 %), or accounting parentheses for negatives
# ((1,234.00)); a space where the CLI's patterns (cli._COMMA_THOUSANDS)
# take one, so that a file and its frame are read alike.
_CURRENCY = "$€£¥"
# The first group of a number with thousands separators: 1 to 3 digits, not
# starting with 0 ("0,205" is a decimal comma, not 205; "0.727" a decimal
# point, not 727).
_FIRST_GROUP = r"[1-9]\d{0,2}"


def signed_number(number: str) -> str:
    r"""The pattern of ``number`` written with a sign, a currency sign before
    it or after it (not both: "$3€" is no number), and a percent sign.

    >>> import re
    >>> from rebalance._columns import signed_number
    >>> [bool(re.fullmatch(signed_number(r"\d+"), t)) for t in ("-$3", "3 €", "$3€")]
    [True, True, False]
    """
    c = _CURRENCY
    return rf"[+-]?(([{c}]\s?)?[+-]?{number}|{number}\s?[{c}])(\s?%)?"


def accounting_negatives(strings):
    """``strings`` (stripped text) with accounting parentheses taken off,
    and where they were: "(1,234)" is -1234. A sign inside them ("(-5)")
    is no number: such a value is left as it is, to fail the match."""
    inner = strings.str[1:-1].str.strip()
    negative = strings.str.fullmatch(r"\(.*\)").fillna(False).astype(bool) & ~(
        inner.str.match(r"[+-]").fillna(False).astype(bool)
    )
    return strings.where(~negative, inner), negative.to_numpy(dtype=bool)


_NUMBER_TEXT = signed_number(
    rf"((\d+|{_FIRST_GROUP}(,\d{{3}})+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
)
# Words of a column name that say "identifier" (customer_id, CustomerID, key).
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "key", "index", "idx"})


# A pandas Timedelta as text: "0 days 05:23:11", "-1 days +23:59:59.500000".
_TIMEDELTA_TEXT = r"[+-]?\d+ days? [+-]?\d{2}:\d{2}:\d{2}(\.\d+)?"


def _as_numbers(present):
    """The present values of a non-numeric column as floats when every one is
    a number (``decimal.Decimal``, a boolean (1 or 0), a duration or time of
    day (seconds), a duration as pandas writes it (``"0 days 05:23:11"``), or
    text such as ``"12,345.5"``, ``"$1,234.50"``, ``"12.5%"`` (0.125) or
    ``"(1,234)"`` (-1234)), else None."""
    import datetime

    import pandas as pd

    if present.empty:
        return None
    if pd.api.types.is_timedelta64_dtype(present):
        # Durations: seconds.
        return present.dt.total_seconds().astype(np.float64)
    if _arrow_type(present, "duration"):
        return _arrow_seconds(present)
    if present.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        # Booleans with missing values, which pandas holds as objects (a
        # polars or pyarrow Boolean column with nulls, a CSV's True/False
        # column with empty cells): 1 and 0, as a "boolean" column's.
        return present.astype(np.float64)
    if present.map(lambda v: isinstance(v, datetime.time)).all():
        # Times of day (Parquet time64): seconds since midnight.
        return present.map(
            lambda t: t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
        ).astype(np.float64)
    strings = present.astype(str).str.strip()
    if strings.str.fullmatch(_TIMEDELTA_TEXT).all():
        # Durations as pandas writes them to a CSV ("0 days 05:23:11"):
        # seconds, as the same column read from Parquet.
        return pd.to_timedelta(strings).dt.total_seconds().astype(np.float64)
    strings, negative = accounting_negatives(strings)
    if not strings.str.fullmatch(_NUMBER_TEXT).all():
        return None
    percent = strings.str.endswith("%")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        numbers = pd.to_numeric(
            strings.str.replace(rf"[,%\s{_CURRENCY}]", "", regex=True),
            errors="coerce",
        )
    if not numbers.notna().all():
        return None
    numbers = numbers.astype(np.float64)
    if not np.isfinite(numbers.to_numpy()).all():
        return None  # "1e999": not a measurement; stays text
    numbers[percent.to_numpy()] /= 100
    numbers[negative] *= -1
    return numbers


# The strings pandas' read_csv reads as missing by default (its documented
# ``na_values``): a Parquet file or a DataFrame built otherwise keeps them as
# text, where the same table saved as CSV would have them missing, so a
# column of numbers with "n/a" in it would be planned as text from one and
# as numbers from the other.
_MISSING_TEXT = frozenset(
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
        "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
        "nan", "null",
    }
)  # fmt: skip

# Texts that stand for a missing number in a column of numbers, besides
# those read_csv reads as missing (_MISSING_TEXT): the UCI repository's "?",
# dashes and dots, Excel's error values, the \N of a NULL in MySQL's and
# PostgreSQL's text exports. (Compared in lower case.)
_MISSING_NUMBER = frozenset(
    {
        "?", "-", "--", "---", ".", "..", "n.a.", "n/a.", "missing", "unknown",
        "#div/0!", "#value!", "#ref!", "#num!", "#name?", "#null!", "\\n",
        "\u2014", "\u2013",
    }
)  # fmt: skip


# Texts that are never a class label, in a target column of any kind:
# besides those read_csv reads as missing (_MISSING_TEXT), the UCI
# repository's "?", the \N of a NULL in MySQL's and PostgreSQL's text
# exports, "n.a." and Excel's error values. Dashes, dots and the words
# "missing" and "unknown" can be classes in a column of text ("+" and "-"
# are those of UCI's credit-approval data): they are missing labels only
# among numbers, as in a column of numbers (_MISSING_NUMBER).
_MISSING_LABEL = frozenset(
    {
        "?", "\\n", "n.a.", "n/a.", "#div/0!", "#value!", "#ref!", "#num!",
        "#name?", "#null!",
    }
)  # fmt: skip


def label_markers(values) -> np.ndarray:
    """Where the target column ``values`` (a pandas Series of any dtype, a
    categorical one too) holds a marker of a missing label rather than a
    class: text that is empty or spaces only, a text ``read_csv`` reads as
    missing (``"NA"``, ``"null"``, ...: ``_MISSING_TEXT``), ``?``, ``\\N``
    or an Excel error value (``_MISSING_LABEL``), and, where the other labels
    are numbers, a marker of a missing number (``-``, ``.``, ``unknown``:
    ``_MISSING_NUMBER``). Surrounding spaces are ignored. Cells that are
    missing already (None, NaN) are no markers. ``rebalance compare`` and
    :func:`~rebalance.compare.compare` read a target through it (one reading).

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._columns import label_markers
    >>> label_markers(pd.Series(["yes", "?", "no", " NA", "-"])).tolist()
    [False, True, False, True, False]
    >>> label_markers(pd.Series(["1", "0", "-", "1"])).tolist()
    [False, False, True, False]
    >>> label_markers(pd.Series([1, 0, "-", 1], dtype=object)).tolist()
    [False, False, True, False]
    """
    if numeric_dtype(values.dtype):
        return np.zeros(len(values), dtype=bool)
    objects = values.astype(object)  # categorical, Arrow strings: their values
    text = objects.map(_label_text)
    stripped = text.str.strip()
    marker = stripped.isin(_MISSING_TEXT) | stripped.str.lower().isin(_MISSING_LABEL)
    marker = marker.to_numpy(dtype=bool, copy=True)
    # Numbers held as such count as the other labels too ([0, 1, "-"]).
    numbers = objects.map(
        lambda v: isinstance(v, Real) and not isinstance(v, (bool, np.bool_))
    ).to_numpy(dtype=bool)
    read = _missing_numbers(text.where(~numbers, objects).where(~marker), True)
    if read is not None:
        marker |= read[1]
    return marker


def _label_text(value) -> str | None:
    """A label as text: a string, or bytes as their UTF-8 text (as the
    command reads a Parquet binary column); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def marker_texts(values, marker: np.ndarray) -> list[str]:
    """The distinct texts of ``values`` at ``marker``, without surrounding
    spaces, sorted: the markers a message names."""
    return sorted({str(_label_text(v)).strip() for v in values.to_numpy()[marker]})


def number_markers(text) -> np.ndarray:
    """Where the cells of ``text`` (strings, or missing) are a marker of a
    missing number (``_MISSING_NUMBER``)."""
    lowered = text.astype(object).where(text.notna()).str.strip().str.lower()
    return lowered.isin(_MISSING_NUMBER).to_numpy(dtype=bool)


def note_markers(
    name: Any, text, marker: np.ndarray, notify: Callable[[str], None] | None
) -> None:
    """Tell ``notify`` that the cells ``marker`` of the column ``name`` (its
    ``text``), markers of a missing number, are read as missing."""
    count = int(marker.sum())
    if not count or notify is None:
        return
    found = {str(m).strip() for m in text[marker]}
    shown = " and ".join(repr(m) for m in sorted(found))
    notify(
        f"column {str(name)!r} holds numbers and {shown} ({count} row"
        f"{'s' if count > 1 else ''}): read as missing."
    )


def _is_text(values) -> bool:
    import pandas as pd

    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def missing_as_na(
    frame, target: Any = None, notify: Callable[[str], None] | None = None
):
    """``frame`` with its markers of missing values read as missing, as
    ``rebalance compare`` reads a file and :func:`~rebalance.compare.compare`
    a DataFrame (one reading for both): a new frame when a cell changes, else
    ``frame`` itself (never modified).

    * In every column of text, the texts ``read_csv`` reads as missing
      (``_MISSING_TEXT``: ``"NA"``, ``"null"``, ``""``, ...), as in the same
      table read from CSV.
    * In a column of numbers written as text, the markers of a missing
      number (``_MISSING_NUMBER``: ``?`` as in the UCI files, ``-``,
      ``\\N``, ``#DIV/0!``), the column then read as numbers; numbers
      written as :func:`_as_numbers` reads them (``"$1,234.50"``,
      ``"12.5%"``, ``"(300)"``) count as numbers too. ``notify`` is called
      with a line naming the markers of each such column. The ``target``
      column keeps its text, the markers missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._columns import missing_as_na
    >>> frame = pd.DataFrame({"x": ["1.5", "?", "3"], "c": ["a", "NA", "b"]})
    >>> read = missing_as_na(frame, notify=print)
    column 'x' holds numbers and '?' (1 row): read as missing.
    >>> read["x"].tolist(), read["c"].tolist()
    ([1.5, nan, 3.0], ['a', nan, 'b'])
    >>> frame["x"].tolist()
    ['1.5', '?', '3']
    """
    changed: dict[int, Any] = {}
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j]
        if numeric_dtype(values.dtype):
            continue
        if target is not None and frame.columns[j] == target:
            try:
                marker = label_markers(values)
            except TypeError:  # unhashable values (lists, dicts): no text
                continue
            if marker.any():
                changed[j] = values.mask(marker)
            continue
        if _is_categorical(values):
            read_categories = _categories_as_na(frame.columns[j], values, notify)
            if read_categories is not None:
                changed[j] = read_categories
            continue
        if not _is_text(values):
            continue
        try:  # surrounding spaces ignored, as in the target (label_markers)
            missing = _stripped(values).isin(_MISSING_TEXT)
        except TypeError:  # unhashable values (lists, dicts): no text
            continue
        if missing.any():
            values = values.mask(missing)
            changed[j] = values
        read = _missing_numbers(values, False)
        if read is not None:
            note_markers(frame.columns[j], values, read[1], notify)
            changed[j] = read[0]
    if not changed:
        return frame
    frame = frame.copy()
    for j, values in changed.items():
        frame.isetitem(j, values)
    return frame


def _stripped(values):
    """``values`` (a pandas Series) with its texts' surrounding spaces
    removed; values that are not text as they are."""
    return values.map(lambda v: v.strip() if isinstance(v, str) else v)


def _categories_as_na(name: Any, values, notify: Callable[[str], None] | None):
    """A pandas categorical column with its categories that mark a missing
    value removed (their cells missing), as the same values in a column of
    text are read (:func:`missing_as_na`): the texts ``read_csv`` reads as
    missing, and, where the other categories are numbers, the markers of a
    missing number (``notify`` told). The column stays categorical; None
    when no category is such a marker."""
    import pandas as pd

    categories = pd.Series(values.cat.categories, dtype=object)
    try:
        gone = _stripped(categories).isin(_MISSING_TEXT)
        gone = gone.to_numpy(dtype=bool, copy=True)
    except TypeError:  # unhashable categories: no text
        return None
    read = _missing_numbers(categories.where(~gone), False)
    if read is not None:
        cells = values.isin(categories[read[1]].tolist()).to_numpy()
        note_markers(name, values.astype(object), cells, notify)
        gone |= read[1]
    if not gone.any():
        return None
    return values.cat.remove_categories(categories[gone].tolist())


def _missing_numbers(values, is_target: bool):
    """``(column, marker)``: the text column ``values`` read as numbers with
    its markers of a missing number (``marker``) missing, or, for the target
    (``is_target``), as its text with the markers missing; None when it is
    not a column of numbers with such markers."""
    import pandas as pd

    # Decided on the distinct values: a text column has few or no markers.
    try:
        uniques = values.dropna().unique()
    except TypeError:  # lists, dicts (nested values): no numbers
        return None
    distinct = [v for v in uniques if isinstance(v, str)]
    # Numbers held as such next to the markers (a frame built by hand:
    # [1.5, "?", 3]); any other object (a date, bytes) makes it no column
    # of numbers.
    held = [
        v
        for v in uniques
        if isinstance(v, Real) and not isinstance(v, (bool, np.bool_))
    ]
    if len(held) + len(distinct) != len(uniques):
        return None
    markers = [v for v in distinct if v.strip().lower() in _MISSING_NUMBER]
    if not markers or (len(markers) == len(distinct) and not held):
        return None
    rest = pd.Series([v for v in distinct if v not in markers], dtype=object)
    plain = pd.to_numeric(rest.str.strip(), errors="coerce").notna().all()
    if not plain and (
        held  # numbers next to "$1,234.50"-like text: left alone
        # every number has a digit: text columns fail here, at once
        or not rest.str.contains(r"\d").all()
        or _as_numbers(rest) is None
    ):
        return None  # not a column of numbers
    marker = values.isin(markers).to_numpy()
    text = values.astype(object).where(values.notna() & ~marker)
    if is_target:
        return text, marker
    if plain:
        # (.str.strip would read the numbers held as such as missing.)
        stripped = (
            text.map(lambda v: v.strip() if isinstance(v, str) else v)
            if held
            else text.str.strip()
        )
        return pd.to_numeric(stripped, errors="coerce"), marker
    # "$1,234.50", "12.5%", "(300)"
    present = text.notna().to_numpy()
    read = _as_numbers(text[present])
    if read is None:
        return None  # other values than the distinct strings: not numbers
    numbers = np.full(len(text), np.nan)
    numbers[present] = read.to_numpy(dtype=np.float64)
    return pd.Series(numbers, index=values.index, name=values.name), marker


def _arrow_seconds(durations):
    """An Arrow duration column (present values) as float seconds, read
    through pyarrow: pandas < 2.2 has no ``.dt`` accessor for it."""
    import pandas as pd
    import pyarrow as pa

    arrow = durations.array.__arrow_array__()
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[arrow.type.unit]
    ticks = arrow.cast(pa.int64()).to_numpy().astype(np.float64)
    return pd.Series(ticks / per_second, index=durations.index)


def _leading_unnamed(names) -> set[str]:
    """The columns without a header at the start of a table, where
    ``to_csv`` writes the index: pandas' ``Unnamed: k`` where the file's
    columns before it had no header either (``Unnamed: 0`` to
    ``Unnamed: k-1``, wherever they are now: a named index put first), and
    empty names or polars' ``None`` (``pl.from_pandas(frame,
    include_index=True)`` of an unnamed index) first. An empty header after a
    named column is no index.

    >>> names = ["day", "Unnamed: 0", "Unnamed: 1", "x", "Unnamed: 4"]
    >>> sorted(_leading_unnamed(names))
    ['Unnamed: 0', 'Unnamed: 1']
    """
    import re

    stripped = {name.strip() for name in names}
    leading = set()
    for name in names:
        found = re.fullmatch(r"Unnamed: (\d+)", name.strip())
        if found and int(found[1]) < len(names):
            if all(f"Unnamed: {j}" in stripped for j in range(int(found[1]))):
                leading.add(name)
    for position, name in enumerate(names):
        if name.strip() not in ("", "None") or (name.strip() == "None" and position):
            break
        leading.add(name)
    return leading


def _written_index(name: str, values, leading: bool) -> bool:
    """Whether a column is a pandas or Dask index written out with the data,
    whatever its values (unique ones are also dropped as id-like; repeated
    ones, as ``pd.concat([a, b]).to_csv(path)`` or Dask's per-partition row
    numbers write them, are no feature either): pyarrow's
    ``__index_level_0__``, Dask's ``__null_dask_index__``, or a column without
    a header at the start of the table (``leading``: pandas reads
    ``Unnamed: 0``, polars writes ``None``) over whole numbers on every row.

    >>> import pandas as pd
    >>> _written_index("Unnamed: 0", pd.Series([0, 1, 0, 1]), leading=True)
    True
    >>> _written_index("Unnamed: 0", pd.Series([0.5, 1.0]), leading=True)
    False
    >>> _written_index("Unnamed: 3", pd.Series([0, 1, 0, 1]), leading=False)
    False
    """
    import re

    import pandas as pd

    if re.fullmatch(r"__index_level_\d+__|__null_dask_index__", name.strip()):
        return True
    if not leading or values.isna().any():
        return False  # an empty header after data, or empty cells: data
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
        values.dtype
    ):
        return False
    return _whole(values.to_numpy(dtype=np.float64, na_value=np.nan))


def _whole(values: np.ndarray) -> bool:
    """Whether every one of the floats ``values`` is a finite whole number."""
    return bool(np.isfinite(values).all() and (values == np.round(values)).all())


def _looks_like_id(name: str, numbers, leading: bool = True) -> bool:
    """Whether a numeric column with a different value on every row is an
    identifier rather than a measurement: whole numbers, and either named like
    one (``id``, ``customer_id``, ``key``, ...) or consecutive from 0 or more
    (a permutation of a range: row numbers), or a written pandas index (an
    empty header at the start of the table: ``leading``)."""
    import re

    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    if not _whole(values):
        return False
    words = re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name.strip())
    if _ID_WORDS & {word.lower() for word in words}:
        return True
    # A written pandas index: an empty header at the start (pandas reads
    # "Unnamed: 0"), polars' name for it ("None"). (pyarrow's
    # "__index_level_0__" is dropped before, by _written_index.)
    if name.strip() == "None" or (
        leading and re.fullmatch(r"|Unnamed: \d+", name.strip())
    ):
        return True
    # Row numbers: a run of consecutive whole numbers from 0 or more.
    return bool(
        values.min() >= 0 and values.max() - values.min() == values.shape[0] - 1
    )


# Date formats tried before pandas' value-by-value parsing, so that one
# column gets one order: 13.02.2024 and 01.02.2024 are both day-first.
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
)


def _parse_dates(values):
    """Datetimes of a column of text: the first of ``_DATE_FORMATS`` that
    reads every present value (on pandas < 3, dates outside its nanosecond
    range in microseconds: :func:`_out_of_bounds_dates`), else pandas' mixed
    parsing (NaT where none applies; changing UTC offsets as UTC). The text
    "NaT" (pandas' missing date as ``astype(str)`` writes it) is missing."""
    return _read_dates(values)[0]


def _read_dates(values) -> tuple:
    """``(datetimes, by_format)``: :func:`_parse_dates` of ``values``, and
    whether one format with a year read them all (else value by value,
    where a value may give no year: :func:`_yearless`)."""
    import pandas as pd

    present = values.notna() & ~_nat_text(values)
    first = str(values[present].iloc[0]) if present.any() else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in _DATE_FORMATS:
            if first is not None and not _reads(first, fmt):
                continue  # not the column's format: no need to parse it all
            parsed = pd.to_datetime(values, errors="coerce", format=fmt)
            if parsed[present].notna().all():
                return parsed, True
            parsed = _out_of_bounds_dates(values, parsed, present, fmt)
            if parsed is not None:
                return parsed, True
        order = _day_order(values[present])
        if order == "both":
            # 13/01/2024 and 01/13/2024 in one column: no one order reads it.
            return pd.Series(pd.NaT, index=values.index, name=values.name), True
        parsed = _guessed_format_dates(values, present, first, order == "day")
        if parsed is not None:
            return parsed, True
        try:
            parsed = _mixed_dates(values, order == "day")
        except ValueError:
            parsed = None
        if parsed is None or parsed.dtype == object:
            # Offsets that change (+01:00, then +02:00 after a DST change):
            # pandas 3 asks for one time zone, pandas < 3 returns datetime
            # objects (no .dt accessor); both as UTC.
            return _mixed_dates(values, order == "day", utc=True), False
        return parsed, False


def _reads(text: str, fmt: str) -> bool:
    """Whether pandas, or Python's ``strptime`` (dates beyond pandas'
    nanosecond range on pandas < 3), reads ``text`` with ``fmt``."""
    import datetime

    import pandas as pd

    if pd.to_datetime(pd.Series([text]), errors="coerce", format=fmt).notna().all():
        return True
    try:
        datetime.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _guessed_format_dates(values, present, first: str | None, day_first: bool):
    """``values`` (text) read with the format pandas guesses from ``first``,
    the first present one ("07 Dec 2026 10:00": ``%d %b %Y %H:%M``), when that format
    reads every present value into datetimes; else None. One vectorised
    parse instead of pandas' value-by-value mixed parsing, which reads
    such a column the same way about a hundred times slower."""
    import re

    import pandas as pd

    try:
        from pandas.tseries.api import guess_datetime_format
    except ImportError:  # pandas < 2.2
        return None
    if first is None:  # no present value (read by the first format already)
        return None
    # Day first for a date written with its day and month first only (the
    # guess with dayfirst reads 2024-01-02 as year, day, month).
    day_first = day_first and re.match(_DAY_MONTH, first) is not None
    fmt = guess_datetime_format(first, dayfirst=day_first)
    if fmt is None or not ("%Y" in fmt or "%y" in fmt):
        return None  # (a format without a year fills in year 1900)
    try:
        parsed = pd.to_datetime(values, errors="coerce", format=fmt)
    except (TypeError, ValueError, OverflowError):  # offsets that change, ...
        return None
    if parsed.dtype == object or not parsed[present].notna().all():
        return None
    return parsed


# A date written with its day and month first, as numbers: 13/01/2024,
# 1.2.24, 01-02-2024 10:00 (not 2024-01-02, whose year comes first).
_DAY_MONTH = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}(?!\d)"


def _day_order(values) -> str | None:
    """Which order the dates of ``values`` (text) written with the day and
    month first as numbers must be read in: ``"day"`` when one has a first
    field over 12 (13/01/2024), ``"month"`` when one has a second field over
    12 (01/13/2024), ``"both"`` when both are found (no one order reads the
    column), None when every such date reads either way."""
    import pandas as pd

    fields = values.astype(str).str.extract(_DAY_MONTH).dropna()
    if fields.empty:
        return None
    first = pd.to_numeric(fields[0]).to_numpy()
    second = pd.to_numeric(fields[1]).to_numpy()
    day, month = bool((first > 12).any()), bool((second > 12).any())
    if day and month:
        return "both"
    return "day" if day else "month" if month else None


def _mixed_dates(values, day_first: bool, utc: bool = False):
    """pandas' value-by-value parsing of ``values`` (text), every date written
    with the day and month first as numbers in one order: day first when
    ``day_first`` (pandas alone reads 13/01/2024 day first and 01/02/2024,
    in the same column, month first), else month first. A date whose year
    comes first (2024-03-05) is read year, month, day either way (pandas'
    ``dayfirst`` would read it as 3 May)."""
    import pandas as pd

    parsed = pd.to_datetime(values, errors="coerce", format="mixed", utc=utc)
    if not day_first:
        return parsed
    numeric = values.astype(str).str.match(_DAY_MONTH).to_numpy(dtype=bool)
    if not numeric.any():
        return parsed
    swapped = pd.to_datetime(
        values[numeric], errors="coerce", format="mixed", dayfirst=True, utc=utc
    )
    if parsed.dtype != object and swapped.dtype != parsed.dtype:
        try:  # another unit (seconds, microseconds): the column's own
            swapped = swapped.astype(parsed.dtype)
        except (TypeError, ValueError):
            parsed = parsed.astype(object)
    parsed = parsed.copy()
    parsed[numeric] = swapped
    return parsed


def _out_of_bounds_dates(values, parsed, present, fmt):
    """``parsed`` (pandas' reading of ``values`` with ``fmt``) in microseconds
    with the values it left missing read by Python's ``strptime``, when every
    one of them reads so; else None. pandas < 3 parses text to nanoseconds
    only, so a date before 1677 or after 2262 (a "9999-12-31" end-of-validity
    sentinel) was missing and its column not seen as dates there."""
    import datetime

    import pandas as pd

    failed = np.flatnonzero((present & parsed.isna()).to_numpy())
    stamps = parsed.to_numpy().astype("datetime64[us]")
    column = values.to_numpy()
    for i in failed:
        try:
            moment = datetime.datetime.strptime(str(column[i]), fmt)
        except ValueError:
            return None
        stamps[i] = np.datetime64(moment, "us")
    return pd.Series(stamps, index=values.index, name=values.name)


#: one Han, kana or Hangul character: a word of its own (these scripts put no
#: spaces between words).
_CJK = r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"


def _words(strings):
    """Words per value: runs between spaces, every CJK character one word (a
    Chinese review of 50 characters is text, a 2-character city a category)."""
    return strings.str.replace(_CJK, r" \1 ", regex=True).str.split().str.len()


def _nat_text(values):
    """Where ``values`` hold the text "NaT": pandas' missing date written as
    text (``dates.astype(str)``, then ``to_csv``), which read_csv keeps."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return pd.Series(False, index=values.index)
    try:  # .str gives missing for what is not text (numbers in an object column)
        stripped = values.str.strip()
    except AttributeError:  # an object column of dates, ...: no .str
        nat = values.map(lambda v: isinstance(v, str) and v.strip() == "NaT")
        return nat.astype(bool)
    return stripped.eq("NaT").fillna(False).astype(bool)


def _date_text(values):
    """``values`` as text, without the "NaT" markers (missing dates, not
    text: :func:`_nat_text`)."""
    strings = values.astype(str)
    return strings[~_nat_text(strings)]


def _looks_like_datetime(sample) -> bool:
    strings = _date_text(sample)
    if strings.empty:
        return False
    if strings.str.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)").all():
        return False  # numbers stored as text (decimal point or comma), not dates
    if not strings.str.contains(r"\d").all():
        return False
    try:
        parsed = _parse_dates(strings)  # quiet: it ignores pandas' warnings
    except (TypeError, ValueError, OverflowError):
        return False
    return bool(parsed.notna().all()) and not _yearless(strings)


def _yearless(strings) -> list[str]:
    """The distinct values of ``strings`` (text that parses as dates) that
    give no year: "1/2", "March 5", "12:30". pandas fills the year in (year
    1, or today's date for a time), so such a column would read as points in
    time that are ratios, day-of-year labels or times of day, and "12:30"
    would give other features on another day."""
    return [text for text in strings.unique() if _gives_no_year(text)]


def _gives_no_year(text: str) -> bool:
    """Whether the date ``text`` gives no year, as dateutil (pandas' parser
    for such text) reads it under two default dates that differ only in the
    year, or only a one-digit one ("1.2.3", a version, read as 2003)."""
    import datetime
    import re

    from dateutil import parser

    try:
        year = parser.parse(text, default=datetime.datetime(2001, 1, 1)).year
        if year != parser.parse(text, default=datetime.datetime(2002, 1, 1)).year:
            return True
    except (ValueError, OverflowError):  # read by pandas alone (ISO 8601)
        return False
    # The year written whole (2024, in 20240102 too) or as two digits (24).
    return str(year) not in text and f"{year % 100:02d}" not in re.findall(
        r"(?<!\d)\d{2}(?!\d)", text
    )


def _not_dates(values):
    """The values of ``values`` (text, none missing) that :func:`_parse_dates`
    does not read as dates, reading the whole column as :func:`prepare_frame`
    will (all of them when it fails)."""
    strings = _date_text(values)
    try:
        parsed, by_format = _read_dates(strings)
    except (TypeError, ValueError, OverflowError):
        return strings
    failed = strings[parsed.isna().to_numpy()]
    if failed.empty and not by_format:
        # Read value by value: one may give no year ("Jan 5", "12:30").
        return strings[strings.isin(_yearless(strings))]
    return failed


def _native_order(values):
    """A pandas column of big-endian numbers in the machine's byte order
    (pandas' hash tables, behind ``nunique``, and its ``take`` refuse the
    other); any other column as it is."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and not dtype.isnative:
        return values.astype(dtype.newbyteorder("="))
    return values


def column_named(frame, name):
    """The column of ``frame`` called ``name``, else the one whose name is
    ``name`` without surrounding spaces (" age" in a file written with ", "),
    else the one whose name is ``name`` in another Unicode normal form, else
    ``name`` itself (for the caller's "not a column" error)."""
    if name in frame.columns:
        return name
    stripped = {str(c).strip(): c for c in frame.columns}
    if str(name).strip() in stripped:
        return stripped[str(name).strip()]
    # The same letters in another Unicode form ("Größe" typed decomposed,
    # as a macOS paste can give it, beside the file's composed one): they
    # look identical in the "not a column" error.
    composed = _nfc(name)
    matches = [c for c in frame.columns if _nfc(c) == composed]
    if len(matches) > 1:
        # ("Å" and the Ångström sign, one name in NFC: either could be meant)
        raise ValueError(
            f"{name!r} names the columns {matches} alike (the same letters in "
            "another Unicode form): rename them apart in the data first."
        )
    return matches[0] if matches else name


def _nfc(name) -> str:
    """``name`` as text in Unicode's composed form, without surrounding spaces."""
    import unicodedata

    return unicodedata.normalize("NFC", str(name).strip())


def check_spaced_names(columns) -> None:
    """A ValueError naming the columns whose names differ only in surrounding
    spaces ("x" and "x "), or in their Unicode form ("Å" and the Ångström
    sign): each would be a feature of its own, and a
    --drop, --target or ``drop=`` name, read without those spaces
    (:func:`column_named`), could mean either.

    Examples
    --------
    >>> from rebalance._columns import check_spaced_names
    >>> check_spaced_names(["x", "y"])
    >>> check_spaced_names(["x", "x "])
    Traceback (most recent call last):
    ...
    ValueError: the columns 'x' and 'x ' differ only in surrounding spaces: ...
    """
    groups: dict[str, list[str]] = {}
    for name in map(str, columns):
        groups.setdefault(_nfc(name), []).append(name)
    clashes = [names for names in groups.values() if len(names) > 1]
    if clashes:
        shown = "; ".join(" and ".join(repr(n) for n in names) for names in clashes)
        spaces = all(len({n.strip() for n in names}) == 1 for names in clashes)
        # (a name is also read in Unicode's composed form: "Å" and the
        # Ångström sign are one name)
        how = (
            "surrounding spaces"
            if spaces
            else "surrounding spaces or their Unicode form (the same letters)"
        )
        raise ValueError(
            f"the columns {shown} differ only in {how}: a column "
            "name is read without them (--drop, --target, drop=), so these "
            "would be one name for several columns. Rename them apart (or drop "
            "the copies) in the data first."
        )


def _arrow_type(values, kind: str) -> bool:
    """Whether a pyarrow-backed pandas column is of ``kind`` ("duration" or
    "nested": lists, structs, maps)."""
    arrow = getattr(values.dtype, "pyarrow_dtype", None)
    if arrow is None:
        return False
    import pyarrow as pa

    return bool(
        pa.types.is_duration(arrow) if kind == "duration" else pa.types.is_nested(arrow)
    )


def _nested(value) -> bool:
    return isinstance(value, (list, tuple, dict, set, np.ndarray))


def _plan_categories(plan, name, present, unique_per_row: bool) -> None:
    """Plan a column of categories: dropped as an id when every row has its
    own value, else categorical (high-cardinality past
    ``CARDINALITY_THRESHOLD`` distinct values)."""
    if unique_per_row:
        plan.dropped[name] = ID_REASON
    elif present.nunique() > CARDINALITY_THRESHOLD:
        plan.used[name] = "high-cardinality categorical"
    else:
        plan.used[name] = "categorical"


def plan_columns(frame, drop=()) -> ColumnPlan:
    """Sort the columns of ``frame`` into kinds; name the ones to drop and why.

    Parameters
    ----------
    frame : DataFrame
        The feature columns (the target already removed): pandas, or a
        polars or pyarrow frame (planned as its pandas conversion,
        :func:`pandas_frame`).
    drop : sequence of str, default=()
        Columns to leave out (``drop=``, the command's ``--drop``); each must
        be a column of ``frame``.

    Returns
    -------
    ColumnPlan

    Examples
    --------
    >>> import pandas as pd
    >>> from rebalance._columns import plan_columns
    >>> frame = pd.DataFrame({
    ...     "id": range(50),
    ...     "x": [0.5 * i for i in range(50)],
    ...     "day": pd.date_range("2024-01-01", periods=50).astype(str),
    ...     "colour": ["red", "blue"] * 25,
    ... })
    >>> plan = plan_columns(frame)
    >>> plan.used
    {'x': 'numeric', 'day': 'datetime', 'colour': 'categorical'}
    >>> plan.dropped
    {'id': 'id-like: a different value on every row'}
    """
    import pandas as pd

    frame = pandas_frame(frame)
    names = pd.Index([str(c) for c in frame.columns])
    if names.has_duplicates:
        clashes = sorted(set(names[names.duplicated()]))
        raise ValueError(
            f"the data has several columns named {clashes} (as text): every "
            "column needs its own name; rename or drop the repeated ones first "
            "(for example frame.loc[:, ~frame.columns.duplicated()])."
        )
    check_spaced_names(names)
    drop = [column_named(frame, c) for c in drop]
    unknown = [c for c in drop if c not in frame.columns]
    if unknown:
        raise ValueError(
            f"drop={unknown} names columns that are not in the data; columns: "
            f"{[str(c) for c in frame.columns]}."
        )
    # By position: a label of a MultiIndex level without a name holds NaN
    # where drop's tuple holds None (("f", None) == ("f", nan) is False, so
    # the column was kept without a word); a level's name drops its columns.
    left_out = np.zeros(frame.shape[1], dtype=bool)
    for c in drop:
        left_out[frame.columns.get_loc(c)] = True
    plan = ColumnPlan()
    leading = _leading_unnamed(names)
    for j, col in enumerate(frame.columns):
        name = str(col)
        values = _native_order(frame.iloc[:, j])
        if left_out[j]:
            # The keyword of compare(); the command writes it as --drop.
            plan.dropped[name] = "drop="
            continue
        present = values.dropna()
        if present.empty:
            plan.dropped[name] = "empty: no value on any row"
            continue
        if pd.api.types.is_complex_dtype(values.dtype):
            # No scikit-learn estimator takes them ("Complex data not
            # supported", raised once the methods run).
            plan.dropped[name] = COMPLEX_REASON
            continue
        if _arrow_type(values, "nested") or (
            values.dtype == object and present.map(_nested).any()
        ):
            plan.dropped[name] = "nested values (lists, arrays or dicts)"
            continue
        if _written_index(name, values, name in leading):
            plan.dropped[name] = WRITTEN_INDEX_REASON
            continue
        unique_per_row = present.shape[0] >= 10 and present.nunique() == len(present)
        if _is_categorical(values):
            # Declared categorical: categories, even when they are numbers.
            _plan_categories(plan, name, present, unique_per_row)
            continue
        numbers = None if numeric_dtype(values) else _as_numbers(present)
        if _is_datetime(values):
            plan.used[name] = "datetime"
        elif numeric_dtype(values) or numbers is not None:
            numbers = present if numbers is None else numbers
            # Money and percents are measurements, never row numbers ("$1"
            # to "$12" are consecutive whole numbers).
            marked = not numeric_dtype(values) and bool(
                present.astype(str).str.contains(f"[{_CURRENCY}%]").any()
            )
            if (
                unique_per_row
                and not marked
                and _looks_like_id(name, numbers, name in leading)
            ):
                plan.dropped[name] = ID_REASON
            else:
                plan.used[name] = "numeric"
        else:
            sample = present.iloc[:_SAMPLE]
            words = _words(sample.astype(str)).mean()
            # The whole column has one order of day and month (the sample
            # may hold only dates that read either way), and every value is
            # a date, as in the sample: a value that is not, after the first
            # _SAMPLE, would be made missing by prepare_frame.
            dates = _looks_like_datetime(sample) and _day_order(present) != "both"
            if dates and present.shape[0] > _SAMPLE:
                others = _not_dates(present)
                if not others.empty:
                    dates = False
                    plan.notes[name] = (
                        f"not read as dates: {others.shape[0]} value(s) are not "
                        f"dates with a year (first {others.iloc[0]!r}); make "
                        "them missing values to use the column as dates"
                    )
            if dates:
                plan.used[name] = "datetime"
            elif words >= TEXT_WORDS:
                plan.used[name] = "text"
            else:
                _plan_categories(plan, name, present, unique_per_row)
    if all(kind == "numeric" for kind in plan.used.values()):
        plan.vectorizer = "numeric"
    else:
        try:
            import skrub  # noqa: F401
        except ImportError as exc:
            plan.vectorizer = "fallback"
            fix = _skrub_fix(exc)
            for name, kind in list(plan.used.items()):
                if kind in ("text", "high-cardinality categorical"):
                    del plan.used[name]
                    plan.dropped[name] = f"{kind}: {fix} to vectorise it"
    return plan


def _skrub_fix(error: ImportError) -> str:
    """What to do when ``import skrub`` raised ``error``: install it, or,
    where it is installed but does not import (skrub 0.6 to 0.10.0 with
    joblib >= 1.6, which no longer ships cloudpickle; 0.10.1 imports it
    from cloudpickle itself), upgrade it."""
    import importlib.util

    if importlib.util.find_spec("skrub") is None:
        return "install skrub (pip install 'rebalance[compare]')"
    return (
        f"skrub is installed but does not import ({type(error).__name__}: "
        f"{error}); upgrade it (pip install -U skrub)"
    )


def _as_categories(values):
    """A column planned as categories as a pandas categorical of its values
    as text (missing values missing): skrub's ``TableVectorizer`` reads a
    column of text anew on each training fold, as numbers or dates where the
    fold lacks the one value that made it categories, and that value, in
    the test fold, would become missing. A categorical it encodes as
    categories in every fold."""
    import pandas as pd

    if isinstance(values.dtype, pd.CategoricalDtype) and all(
        isinstance(c, str) for c in values.cat.categories
    ):
        return values
    objects = values.astype(object)
    present = objects.notna().to_numpy()
    text = objects.copy()
    text[present] = objects[present].map(str)
    return text.astype("category")


def prepare_frame(frame, plan: ColumnPlan):
    """A new frame of the used columns: numbers as text read as numbers,
    nullable, Arrow and sparse numbers as floats (missing values NaN),
    datetimes (text, periods, Arrow timestamps and dates) as numpy
    datetimes."""
    import pandas as pd

    frame = pandas_frame(frame)
    swapped = {
        c: dtype.newbyteorder("=")
        for c, dtype in frame.dtypes.items()
        if isinstance(dtype, np.dtype) and not dtype.isnative
    }
    if swapped and frame.columns.is_unique:
        # pandas before 3 cannot take rows of non-native byte order ("Big-
        # endian buffer not supported"): the columns in native order first.
        frame = frame.astype(swapped)
    by_name = {str(c): c for c in frame.columns}
    out = frame[[by_name[name] for name in plan.used]].copy()
    out.columns = list(plan.used)
    for name, kind in plan.used.items():
        out[name] = _native_order(out[name])
        dtype = out[name].dtype
        if (
            kind == "numeric"
            and numeric_dtype(out[name])
            and not isinstance(dtype, np.dtype)
        ):
            # Nullable, Arrow (decimals, ...) and sparse numbers as floats,
            # missing values NaN: what the imputer reads. (It fails on pd.NA
            # in an Arrow decimal column, and on the sparse matrix of bools
            # scikit-learn makes of pd.get_dummies(sparse=True).)
            values = out[name].to_numpy(dtype=np.float64, na_value=np.nan)
            out[name] = pd.Series(values, index=out.index)
        if kind == "numeric" and not numeric_dtype(out[name]):  # numbers as text
            present = out[name].notna()
            numbers = _as_numbers(out[name][present])
            column = pd.Series(np.nan, index=out.index)
            if numbers is not None:
                column[present] = numbers
            out[name] = column
        if kind == "datetime":
            out[name] = _as_datetimes(out[name])
        if kind in ("categorical", "high-cardinality categorical"):
            out[name] = _as_categories(out[name])
        if kind == "datetime" and plan.vectorizer == "fallback":
            stamps = out[name]
            if getattr(stamps.dt, "tz", None) is not None:
                stamps = stamps.dt.tz_convert(None)
            # In the column's own unit: pandas 3 parses text and periods to
            # microseconds, Arrow timestamps keep theirs (not nanoseconds).
            epoch = pd.Timestamp(0).as_unit(stamps.dt.unit)  # no overflow
            # Divided in numpy: pandas < 3 divides by a Timedelta in
            # nanoseconds, which wraps around past 2262.
            deltas = (stamps - epoch).to_numpy()
            seconds = pd.Series(deltas / np.timedelta64(1, "s"), index=out.index)
            out[name] = seconds.where(stamps.notna())
    infinite = [
        name
        for name, kind in plan.used.items()
        if kind == "numeric"
        and np.isinf(out[name].to_numpy(dtype=np.float64, na_value=np.nan)).any()
    ]
    if infinite:
        raise ValueError(
            f"the columns {infinite} hold infinite values (inf): replace them "
            "(e.g. by empty cells, which are imputed) or leave the columns out "
            "with drop=."
        )
    return out


def _numeric_tail():
    return [
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
    ]


def make_preprocessor(plan: ColumnPlan | None, seed: int | None = None) -> Any:
    """The transformer from the prepared columns to a scaled numeric matrix.

    ``None`` (a numeric array) or an all-numeric plan: median imputation and
    scaling. Otherwise skrub's ``TableVectorizer`` first (its string encoder,
    a randomised SVD, seeded with ``seed``: same seed, same numbers), or
    without skrub a one-hot encoding of the categorical columns.
    """
    if plan is None or plan.vectorizer == "numeric":
        return make_pipeline(*_numeric_tail())
    if plan.vectorizer == "skrub":
        from skrub import StringEncoder, TableVectorizer

        return make_pipeline(
            TableVectorizer(
                cardinality_threshold=CARDINALITY_THRESHOLD,
                high_cardinality=StringEncoder(random_state=seed),
            ),
            *_numeric_tail(),
        )
    numeric = [c for c, k in plan.used.items() if k in ("numeric", "datetime")]
    categorical = [c for c, k in plan.used.items() if k == "categorical"]
    to_text = FunctionTransformer(lambda v: np.asarray(v, dtype=object).astype(str))
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(*_numeric_tail()), numeric),
            (
                "categorical",
                make_pipeline(
                    to_text, OneHotEncoder(handle_unknown="ignore", sparse_output=False)
                ),
                categorical,
            ),
        ]
    )
