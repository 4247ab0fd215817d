"""Class labels: checking and encoding them, for every layer of rebalance.

:func:`encode_labels` turns any label container (numpy, list, pandas,
polars, pyarrow, a one-hot matrix) into :class:`EncodedLabels` in one
counting pass. The rules, in one place:

* A missing label (``None``, ``NaN``, ``pd.NA``, ``NaT``, a null in a nullable
  or Arrow column) is an error naming the argument, in any dtype and at any
  row; it is never a class of its own.
* Classes are the distinct label values, sorted (a pandas categorical and a
  polars ``Enum`` keep their category order); every value of a numpy
  integer, unsigned, big-endian, bool or whole-number float dtype is encoded
  exactly.
* Floats must be whole numbers and finite, also when held as objects (a
  pandas ``object`` column, Decimals): a regression target is refused.
* The labels returned to the user are gathered from the input container, so
  they keep its type, dtype and values.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning

from rebalance._frames import (
    _is_arrow,
    _to_narwhals,
    buffer_values,
    decimal_arrow,
    first_column,
    is_dask,
    is_dataframe,
    is_hf_column,
    is_pandas,
    is_pandas_array,
    is_series,
    narwhals_frame,
    nested_dtype,
    null_mask,
    reject_lazy,
    series_values,
    warn_outside,
    width_one_values,
)
from rebalance._indices import EncodedLabels

__all__ = [
    "EncodedLabels",
    "encode_labels",
    "label_array",
    "label_values",
    "missing_labels",
    "require_two_classes",
]

# Integer labels spanning at most this many values (or twice the number of
# rows) are counted with one bincount; wider ranges go through np.unique.
_BINCOUNT_MAX_RANGE = 1 << 22
# Such labels are widened to intp (for bincount and the lookup of their
# codes) a block of at least this many rows at a time: 2**31 int8 labels
# widened at once took 16 GiB (twice that with a lowest label other than 0).
_ENCODE_BLOCK = 1 << 16

# Whole-number floats within this magnitude are exact int64 values.
_EXACT_FLOAT_INT = float(2**53)


def _target_array(y: Any, name: str) -> tuple[Any, bool]:
    """Return ``(y_1d, one_hot)``: a 1-D view of y's labels, or its argmax if one-hot.

    Dataframe columns (pandas, polars, pyarrow) are returned as they are, so
    that their dtype (e.g. categorical) is kept and the output labels can be
    gathered in the same type; everything else becomes a numpy array.
    """
    if y is None:
        raise ValueError(
            f"{name} is None: the class labels are needed. Pass them as an array of "
            "shape (n_samples,)."
        )
    if is_dask(y) and callable(getattr(y, "compute", None)):
        # A Dask Series (or array, frame) as the pandas (numpy) one it holds:
        # np.asarray computed it anyway, but as values, so a categorical's
        # classes came sorted instead of in its category order.
        y = y.compute()
    if is_pandas(y, "DataFrame"):
        if y.shape[1] == 1:
            return y.iloc[:, 0], False
        y = y.to_numpy()
    elif is_series(y):
        return y, False
    elif isinstance(y, (pd.Categorical, pd.CategoricalIndex)):
        # Read as the Series holding it: its classes in the categories' order,
        # as for a categorical Series (not sorted, as its values would be).
        return pd.Series(pd.Categorical(y), copy=False), False
    elif sp.issparse(y):
        raise sparse_labels(y, name)
    elif is_dataframe(y):
        import narwhals.stable.v2 as nw

        frame = narwhals_frame(y, name)
        if frame.shape[1] == 1:
            return nw.to_native(frame.get_column(frame.columns[0])), False
        y = frame.to_numpy()
    y = label_array(y, name)
    if y.ndim == 2 and y.shape[1] == 1:
        return y.ravel(), False
    if y.ndim == 2:
        if y.shape[0] == 0:
            # No rows (a one-hot matrix of an empty split): not "multilabel".
            raise ValueError(
                f"{name} is empty (0 samples): it needs at least one row per class."
            )
        if y.dtype.kind in "fO" and y.size:
            # A missing entry (NaN, None, pd.NA: a nullable frame's) of a
            # one-hot matrix: a missing label. (np.isin raised "boolean value
            # of NA is ambiguous" at pd.NA, and NaN read as multilabel.)
            absent = _missing(y) if y.dtype.kind == "O" else np.isnan(y)
            if absent.any():
                raise missing_labels(name, np.asarray(absent.any(axis=1)))
        values_binary = y.size == 0 or np.isin(y, (0, 1)).all()
        if values_binary and y.shape[0] and (y.sum(axis=1) == 1).all():
            return y.argmax(axis=1), True
        raise ValueError(
            f"{name} has shape {y.shape}: Multilabel and multioutput targets are not "
            "supported. Pass one label per row (shape (n_samples,)), or a one-hot "
            "matrix with exactly one 1 per row."
        )
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one label per row); got an array of shape {y.shape}."
        )
    return y, False


def label_array(y: Any, name: str = "y") -> np.ndarray:
    """``np.asarray(y)``, except where numpy would change the labels of a
    sequence (a list, a tuple) in doing so.

    * A missing value among strings or bytes (``['a', nan]``, as
      ``Series.tolist()`` gives) would become the text ``'nan'``, a class of
      its own, and a number among them text (``[0, '0']``: one class): such a
      sequence is kept as Python objects, whose missing or mixed labels are
      then refused.
    * numpy drops the trailing NUL characters of strings and bytes (``'a'``
      and ``'a\\x00'``: one class), and writes a subclass of str (a ``(str, Enum)``
      member) as its ``str()`` cut to the value's length: kept as Python
      objects, as pandas keeps them (two classes).
    * Integers beyond 2**53 among floats (``[2**53 + 1, 2**53, 1.0]``) would
      be rounded to floats (one class): kept as Python objects.
    * Integers of 2**63 and above mixed with negative ones (or ``np.uint64``
      with ``np.int64`` scalars) would become float64, where ``2**63`` and
      ``2**63 + 1`` are one value (two classes merged): kept as Python
      objects, which sort and compare exactly.

    >>> label_array([2**63, 2**63 + 1, -1]).tolist()
    [9223372036854775808, 9223372036854775809, -1]
    >>> label_array(["a", float("nan")]).dtype
    dtype('O')

    ``name`` is the argument named when ``y`` cannot be read (ragged rows).
    """
    if sp.issparse(y):
        raise sparse_labels(y, name)
    # A ClassLabel's -1 refused, not counted as a class, for every caller
    # (weights, ThresholdMover, metrics, compare).
    y = hf_column_values(y, name)
    if isinstance(y, np.ma.MaskedArray):
        # np.asarray would read a masked (missing) label as the value under
        # its mask: a class it is not.
        masked = np.atleast_1d(np.ma.getmaskarray(y))
        if masked.any():
            rows = np.asarray(masked.reshape(masked.shape[0], -1).any(axis=1))
            raise missing_labels(name, rows)
    try:
        array = np.asarray(y)
    except ValueError as exc:  # ragged rows: numpy's words name no argument
        raise ragged_labels(name, exc) from exc
    except (TypeError, RuntimeError) as exc:
        raise unreadable(name, exc) from exc
    if array.ndim == 0:
        raise _not_an_array(y, name)
    if isinstance(y, np.ndarray) or array.size == 0:
        return array
    kind = array.dtype.kind
    if kind in "US":
        # numpy writes every value of a sequence holding one string as text:
        # a number (0 beside '0', one class then) or a missing value ('nan')
        # among them is kept as a Python object, refused later.
        # numpy also drops the trailing NUL characters of each string ('a'
        # and 'a\x00': one class, where pandas and Python see two): such a
        # sequence is kept as Python objects too.
        objects = np.asarray(y, dtype=object)
        if objects.shape != array.shape:
            return array
        flat = objects.reshape(-1)
        text = {str, np.str_} if kind == "U" else {bytes, np.bytes_}
        # Per type, then per length (C loops; 2e6 labels in ~0.05 s, where
        # a Python test of each label took ~0.3 s): a stored value shorter
        # than its label lost trailing NULs. A subclass of str (a `(str,
        # Enum)` member) is written as its str(), cut to its length ('S' for
        # S.A = 'a': every member one class): kept as Python objects.
        if not set(map(type, flat)) <= text or sum(map(len, flat)) != int(
            np.char.str_len(array).sum()
        ):
            return objects
        return array
    if (
        kind != "f"
        # NaN, infinity and non-whole numbers: refused as floats later.
        or not (np.trunc(array) == array).all()
        # Floats below 2**53 hold every integer exactly (2**53 itself is
        # also where 2**53 + 1 rounds to). As a Python float: 2**53 is
        # infinity to float16 ("overflow encountered in cast").
        or not float(np.abs(array).max()) >= _EXACT_FLOAT_INT
    ):
        return array
    objects = np.asarray(y, dtype=object)
    if objects.shape != array.shape:
        return array
    integer = (int, np.integer)
    if any(isinstance(v, integer) and not isinstance(v, bool) for v in objects.flat):
        return objects
    return array


def unreadable(name: str, exc: Exception, cast: str = "long") -> TypeError:
    """The error for ``name`` that numpy cannot read (``np.asarray`` raised
    ``exc``): a torch tensor of bfloat16, one that requires grad or lies on a
    GPU. ``cast`` is the tensor method giving a numpy-readable dtype."""
    return TypeError(
        f"{name} could not be read as a numpy array ({type(exc).__name__}: "
        f"{exc}). Pass a list, a numpy array or a column; a torch tensor as "
        f"{name}.detach().cpu().{cast}()."
    )


def hf_column_values(y: Any, name: str) -> Any:
    """A Hugging Face column (``ds["label"]``) read once, whole, in the
    dataset's format, its ClassLabel -1 (datasets' missing label) refused
    naming the argument ``name``; anything else as it is."""
    if not is_hf_column(y):
        return y
    values = y[:]
    check_class_label_column(y, values, name)
    return values


def check_class_label_column(
    labels: Any, values: Any = None, name: str = "labels"
) -> None:
    """ValueError for a Hugging Face ``datasets`` column (``ds["label"]``, a
    ``Column``) of a ``ClassLabel`` feature holding -1, datasets' mark of a
    missing label: read as numbers, -1 would be a class of its own.
    ``values``: the column already read (``labels[:]``), not read again;
    ``name``: the argument given it, named in the error. Anything else
    passes (a -1 in a plain int column is a class; a column read as a
    list, an array or a pandas Series no longer says it is a ClassLabel)."""
    if not is_hf_column(labels):
        return
    feature = getattr(labels, "features", None)
    if is_class_label_list(feature):
        raise class_label_list_refused(labels.column_name)
    if type(feature).__name__ != "ClassLabel":
        return
    array = class_label_values(labels[:] if values is None else values)
    rows = np.flatnonzero(array == -1) if array is not None else np.zeros(0, int)
    if rows.size:
        raise class_label_missing(labels.column_name, rows, name)


def is_class_label_list(feature: Any) -> bool:
    """Whether the Hugging Face feature ``feature`` is a list of
    ``ClassLabel`` per row (``Sequence(ClassLabel(...))``, ``List``,
    ``LargeList``): multi-label class ids, which read as a 2-D array of 0/1
    look like a one-hot matrix. Never imports datasets."""
    return type(feature).__name__ in ("List", "LargeList", "Sequence") and (
        type(getattr(feature, "feature", None)).__name__ == "ClassLabel"
    )


def class_label_list_refused(column: str) -> ValueError:
    """The error for the Hugging Face column ``column`` holding a list of
    ``ClassLabel`` ids per row (multi-label data)."""
    return ValueError(
        f'the column "{column}" holds a list of datasets ClassLabel ids per '
        "row (multi-label: a row may have several classes, and [0, 1] names "
        "classes 0 and 1, not a one-hot row of class 1). The samplers balance "
        "one class per row: pass the class of each row, e.g. "
        f"labels_from=lambda ds: [ids[0] for ids in ds[{column!r}]] where each "
        "row has one id, or a single-label column."
    )


def _missing(values: Any) -> np.ndarray:
    """``pd.isna(values)`` as a boolean array, also where it raises: a
    ``Decimal('sNaN')`` (a signalling NaN) raises ``InvalidOperation`` when
    tested, and is a missing value as ``Decimal('NaN')`` is."""
    try:
        return np.asarray(pd.isna(values), dtype=bool)
    except ArithmeticError:
        objects = np.asarray(values, dtype=object)
        return np.array(
            [_one_missing(value) for value in objects.ravel()], dtype=bool
        ).reshape(objects.shape)


def _one_missing(value: Any) -> bool:
    """:func:`_missing` of one value."""
    if isinstance(value, Decimal):
        return value.is_nan()
    try:
        return bool(pd.isna(value))
    except (ArithmeticError, TypeError, ValueError):
        return False


def named_class_hint(key: Any, classes: Any) -> str:
    """A sentence for a class named by a string where every class of the
    labels is an integer: a Hugging Face ``ClassLabel`` column is read as its
    ids, so ``'pos'`` is not a class but ``str2int('pos')`` is; else "".

    >>> named_class_hint("pos", [0, 1])[:44]
    ' The classes are integer ids: if the labels '
    """
    values = np.asarray(classes)
    if not isinstance(key, str) or values.dtype.kind not in "iu":
        return ""
    try:
        number = int(key.strip())
    except ValueError:
        number = None
    if number is not None and number in values.tolist():
        # A class written as text (the keys of a JSON or YAML config).
        return f" {key!r} is a string: the class is the integer {number}; use {number}."
    return (
        " The classes are integer ids: if the labels are a Hugging Face "
        "ClassLabel column, it is read as its ids, and a class name is "
        f"dataset.features['label'].str2int({key!r}) (its id)."
    )


def class_label_missing(
    column: str, rows: np.ndarray, name: str = "labels"
) -> ValueError:
    """The error for the -1 (datasets' mark of a missing label) of the
    Hugging Face ``ClassLabel`` column ``column`` at positions ``rows``,
    given as the argument ``name``."""
    return ValueError(
        f'{name}: the column "{column}" (a datasets ClassLabel) holds -1, datasets\' '
        f"mark of a missing label, in {rows.size} row(s), the first at "
        f"position {rows[0]}: every row needs a class label, and a missing "
        "one is never a class of its own. Drop those rows first, e.g. "
        f"dataset.filter(lambda row: row[{column!r}] != -1)."
    )


def class_label_values(values: Any) -> np.ndarray | None:
    """The values of a Hugging Face ``ClassLabel`` column as read in any
    format (a list, an array, a tensor, a one-column frame) as a 1-D numpy
    array of integers, where -1 is datasets' mark of a missing label; None
    where they are not integers."""
    if hasattr(values, "to_numpy"):  # pandas / polars frames and Series
        values = values.to_numpy()
    elif hasattr(values, "numpy") and hasattr(values, "detach"):  # a tensor
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.dtype.kind not in "iu":
        return None
    return array


def sparse_labels(y: Any, name: str) -> TypeError:
    """The error for labels given as a scipy sparse matrix or array (a
    ``LabelBinarizer(sparse_output=True)`` one-hot, a column): its shape and
    the dense form to pass.

    >>> import scipy.sparse as sp
    >>> raise sparse_labels(sp.csr_array([[1, 0], [0, 1]]), "y")
    Traceback (most recent call last):
    ...
    TypeError: y is a scipy sparse csr_array of shape (2, 2): labels are read dense. ...
    """
    shape = tuple(int(n) for n in y.shape)
    if len(shape) == 2 and shape[1] > 1:
        fix = (
            f"pass {name}.toarray() (a one-hot matrix, one row per sample and "
            "one column per class, is taken dense)"
        )
    else:
        fix = f"pass {name}.toarray().ravel() (one class label per row)"
    return TypeError(
        f"{name} is a scipy sparse {type(y).__name__} of shape {shape}: labels "
        f"are read dense. {fix[0].upper()}{fix[1:]}."
    )


def _not_an_array(y: Any, name: str) -> ValueError:
    """The error for labels numpy reads as one value (shape ``()``): a single
    label, a generator or iterator, a set or a dict."""
    kind = type(y).__name__
    if isinstance(y, str):
        what = (
            f"a string ({y!r}): a column name is not looked up; pass the column "
            f"itself (e.g. frame[{y!r}])"
        )
    elif np.isscalar(y) or getattr(y, "ndim", None) == 0:
        # A 0-d numpy array or torch tensor: its value.
        shown = y.item() if hasattr(y, "item") else y
        what = f"a single label ({shown!r})"
    elif _is_arrow(y, "RecordBatchReader"):
        # list() of it gives its record batches, not labels.
        what = (
            f"a pyarrow {kind}, a stream of record batches read once: pass "
            f"{name}.read_all() (a Table of one column)"
        )
    elif isinstance(y, Iterator):
        what = f"a {kind}, read once and without a length: pass list({name})"
    elif isinstance(y, (set, frozenset)):
        what = f"a {kind}, which has no order (the labels follow the rows)"
    else:
        what = f"a {kind}, not a sequence of labels"
    return ValueError(
        f"{name} is {what}. {name} must be 1-D (got an array of shape ()): one "
        "class label per row, shape (n_samples,), e.g. a list, a numpy array or "
        "a column."
    )


def missing_labels(name: str, missing: np.ndarray | int) -> ValueError:
    """The error for labels that are missing: ``missing`` is a mask or a count."""
    if isinstance(missing, np.ndarray):
        rows = np.flatnonzero(missing)
        where = f"{rows.shape[0]} row(s), the first at position {rows[0]}"
    else:
        where = f"{missing} row(s)"
    return ValueError(
        f"{name} has missing labels (None, NaN or NA; or -1 in a Hugging Face "
        f"ClassLabel column) in {where}: every row needs a "
        "class label, and a missing label is never a class of its own. Drop those "
        f"rows, or fill them with a label of their own (e.g. {name}.fillna('unknown') "
        f"in pandas, {name}.fill_null('unknown') in polars) first."
    )


def _encode_integers(values: np.ndarray, classes_dtype: np.dtype):
    """``(classes, codes, counts)`` of integer ``values`` by bincount, or
    None when their range is too wide for it (the caller then sorts).

    Exact for every integer dtype: int8 spanning -128..127, uint64 above
    2**63, big-endian. The codes are of the smallest unsigned type that
    holds the classes (a byte a row for up to 255 classes), and the values
    are widened a block at a time: memory stays at the codes.
    """
    low, high = int(values.min()), int(values.max())
    span = high - low + 1
    n = values.shape[0]
    if span > max(_BINCOUNT_MAX_RANGE, 2 * n):
        return None
    # Blocks of at least span rows: each bincount's minlength is paid once a
    # block.
    block = max(_ENCODE_BLOCK, span)
    counts_all = np.zeros(span, dtype=np.intp)
    for start in range(0, n, block):
        counts_all += np.bincount(
            _offsets(values[start : start + block], low), minlength=span
        )
    present = np.flatnonzero(counts_all)
    wide = np.uint64 if values.dtype.kind == "u" else np.int64
    classes = (present.astype(wide) + wide(low)).astype(classes_dtype)
    counts = counts_all[present]
    if present.shape[0] == span and low == 0 and values.dtype == np.intp:
        # Labels 0..k-1 as native intp are their own codes: no copy at all
        # (codes of a byte a row would add one byte a row to the peak).
        return classes, values, counts
    lookup = np.zeros(span, dtype=np.min_scalar_type(present.shape[0]))
    lookup[present] = np.arange(present.shape[0], dtype=lookup.dtype)
    codes = np.empty(n, dtype=lookup.dtype)
    for start in range(0, n, block):
        part = _offsets(values[start : start + block], low)
        np.take(lookup, part, out=codes[start : start + part.shape[0]])
    return classes, codes, counts


def _offsets(values: np.ndarray, low: int) -> np.ndarray:
    """``values - low`` as intp (``low``: at most every value)."""
    if values.dtype.kind == "u":
        # Exact in the unsigned type (low is the minimum), then small.
        return (values - values.dtype.type(low)).astype(np.intp, copy=False)
    # Widen first: values - low overflows int8/int16/int32 (e.g. 100 - -100).
    shifted = values.astype(np.intp)
    if low != 0:
        shifted -= low
    return shifted


def _encode_sorted(values: np.ndarray, name: str):
    """``(classes, codes, counts)`` by sorting: any dtype np.unique handles.

    A missing label among objects (None, NaN, pd.NA, NaT) either cannot be
    sorted or ends up among the classes (NaN != NaN): both are checked, so
    the rows are only scanned for missing labels when there is one.
    """
    try:
        classes, codes = np.unique(values, return_inverse=True)
    except (TypeError, ValueError, ArithmeticError) as exc:
        # ValueError: numpy comparing arrays held as labels; ArithmeticError:
        # decimal.InvalidOperation comparing Decimal('NaN').
        if values.dtype.kind == "O":
            missing = _missing(values)
            if missing.any():
                raise missing_labels(name, missing) from None
            if any(isinstance(value, _NESTED) for value in values):
                raise _nested_labels(name, "object") from None
            kinds = {type(value) for value in values}
            if len(kinds) == 1:
                # One type without an order (Enum members, complex numbers):
                # nothing is mixed.
                (kind,) = kinds
                raise TypeError(
                    f"{name} has labels of type {kind.__name__}, which cannot be "
                    "sorted (the classes are sorted to fix their order). Convert "
                    "them to a type that can, e.g. [label.name for label in "
                    f"{name}] for Enum members, or {name}.astype(str)."
                ) from exc
        raise TypeError(
            f"{name} mixes label types that cannot be sorted (e.g. strings and "
            "numbers). Convert the labels to one type, e.g. y.astype(str)."
        ) from exc
    if classes.dtype.kind == "O":
        if pd.isna(classes).any():
            raise missing_labels(name, _missing(values))
        if any(isinstance(label, _NESTED) for label in classes):
            raise _nested_labels(name, "object")
        _check_hashable(classes, name)
        _check_object_numbers(classes, name)
    codes = codes.reshape(-1)
    counts = np.bincount(codes, minlength=classes.shape[0])
    codes = codes.astype(np.min_scalar_type(classes.shape[0]), copy=False)
    return classes, codes, counts


def _check_hashable(classes: np.ndarray, name: str) -> None:
    """TypeError naming ``name`` for a class that cannot be a dict key (the
    classes key ``sampling_strategy``, ``sampling_strategy_``, class weights)."""
    for label in classes:
        try:
            hash(label)
        except TypeError:
            raise TypeError(
                f"{name} has labels of type {type(label).__name__} that cannot be "
                f"hashed ({label!r}): a class label must be usable as a dict key. "
                f"Convert the labels first, e.g. {name}.astype(str), or make the "
                "type hashable (e.g. a frozen dataclass)."
            ) from None


def _check_object_numbers(classes: np.ndarray, name: str) -> None:
    """The rules of float labels for numbers held as objects (a pandas
    ``object`` column, the Decimals of a decimal column): infinity, and
    numbers that are not whole (a regression target), are refused, as
    scikit-learn and imbalanced-learn refuse them ("Unknown label type")."""
    # By type first: the ABC checks once per type, not per class.
    kinds = {type(label) for label in classes}
    complex_kinds = [
        kind
        for kind in kinds
        if issubclass(kind, numbers.Complex) and not issubclass(kind, numbers.Real)
    ]
    if complex_kinds:
        # numpy's complex scalars sort, so they passed as classes (a
        # complex128 array is refused): refused the same way.
        raise ValueError(
            f"Complex data not supported. {name} holds complex numbers "
            f"({complex_kinds[0].__name__}), which are not a class label type. "
            "Pass integers, strings, booleans or a pandas categorical."
        )
    fractional = tuple(
        kind
        for kind in kinds
        if issubclass(kind, (numbers.Real, decimal.Decimal))
        and not issubclass(kind, numbers.Integral)
    )
    if not fractional:
        return
    for label in classes:
        if not isinstance(label, fractional):
            continue
        # A Decimal as itself: math.isfinite converts it to a float, which
        # is infinite past 1.8e308 (Decimal("1E+400") is a whole number).
        finite = (
            label.is_finite()
            if isinstance(label, decimal.Decimal)
            else math.isfinite(label)
        )
        if not finite:
            raise _infinite_labels(name)
        if label != math.floor(label):
            raise _continuous_labels(name)


def _infinite_labels(name: str) -> ValueError:
    return ValueError(
        f"{name} contains infinity: every row needs a finite class label. "
        "Drop or relabel those rows first."
    )


def _continuous_labels(name: str) -> ValueError:
    fix = (
        "pass predicted class labels (model.predict(X)), not probabilities or "
        "scores, or threshold them first (e.g. proba[:, 1] >= 0.5)"
        if name == "y_pred"
        else "bin a regression target first, e.g. with numpy.digitize"
    )
    return ValueError(
        f"Unknown label type: {name} is continuous (float values that are not "
        f"whole numbers). Class labels are needed; {fix}."
    )


def _encode_integer_values(values: np.ndarray, classes_dtype: np.dtype, name: str):
    encoded = _encode_integers(values, classes_dtype)
    if encoded is None:
        classes, codes, counts = _encode_sorted(values, name)
        encoded = classes.astype(classes_dtype, copy=False), codes, counts
    return encoded


def _encode_floats(values: np.ndarray, name: str):
    if not np.isfinite(values).all():
        missing = np.isnan(values)
        if missing.any():
            raise missing_labels(name, missing)
        raise _infinite_labels(name)
    continuous = _continuous_labels(name)
    if max(-float(values.min()), float(values.max())) <= _EXACT_FLOAT_INT:
        as_int = values.astype(np.int64)
        if not (as_int == values).all():
            raise continuous
        return _encode_integer_values(as_int, values.dtype, name)
    # Whole numbers too large for int64 (e.g. 1e20): sort the floats themselves.
    if not (np.trunc(values) == values).all():
        raise continuous
    return _encode_sorted(values, name)


# Python values that hold several values (a label is one).
# (A frozenset is one too: its < is the subset order, which np.unique's sort
# cannot use.)
_NESTED = (list, dict, set, frozenset, np.ndarray)


def _nested_arrow_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a pandas ``ArrowDtype`` of lists, structs or maps
    (several values a row).

    >>> import pyarrow as pa
    >>> _nested_arrow_dtype(pd.ArrowDtype(pa.list_(pa.int64())))
    True
    >>> _nested_arrow_dtype(pd.ArrowDtype(pa.string()))
    False
    """
    if not isinstance(dtype, pd.ArrowDtype):
        return False
    import pyarrow as pa

    kinds = ("list", "large_list", "fixed_size_list", "list_view", "large_list_view")
    checks = [getattr(pa.types, f"is_{kind}", None) for kind in kinds]
    checks += [pa.types.is_struct, pa.types.is_map]
    arrow_type = dtype.pyarrow_dtype
    return any(check is not None and check(arrow_type) for check in checks)


def _nested_labels(name: str, dtype: Any) -> TypeError:
    return TypeError(
        f"{name} has dtype {dtype}: several values a row, where a class label is "
        "one. Pass one column of labels (e.g. one field of a struct, or the "
        "values joined as strings)."
    )


def _date_time_dtype(y: Any) -> Any:
    """The dtype of ``y`` where it is a time of day or a period, which numpy
    has no type for (they come out as Python ``time`` / ``Period`` objects),
    else None: polars ``Time``, pyarrow ``time32`` / ``time64`` and
    ``month_day_nano_interval`` (also as a pandas ``ArrowDtype``), pandas
    ``PeriodDtype``. Like dates and durations, these are no class label type
    (and polars ``Time`` in nanoseconds reads as microseconds: distinct
    labels merged)."""
    dtype = getattr(y, "dtype", None)
    if dtype is None:
        dtype = getattr(y, "type", None)  # a pyarrow Array or ChunkedArray
    if dtype is None or isinstance(dtype, np.dtype):
        return None
    if isinstance(dtype, pd.PeriodDtype):
        return dtype
    module = type(dtype).__module__.split(".")[0]
    if module == "polars":
        return dtype if str(dtype) == "Time" else None
    return dtype if _arrow_time(dtype) or _arrow_interval(dtype) else None


def _arrow_type(dtype: Any) -> Any:
    """The pyarrow type of ``dtype`` (itself, or a pandas ``ArrowDtype``'s),
    else None."""
    arrow_type = getattr(dtype, "pyarrow_dtype", dtype)
    module = type(arrow_type).__module__.split(".")[0]
    return arrow_type if module == "pyarrow" else None


def _arrow_interval(dtype: Any) -> bool:
    """Whether ``dtype`` is pyarrow's ``month_day_nano_interval`` (also as a
    pandas ``ArrowDtype``): calendar durations, read as pandas ``DateOffset``
    objects (which cannot be sorted)."""
    arrow_type = _arrow_type(dtype)
    if arrow_type is None:
        return False
    import pyarrow as pa  # the dtype is pyarrow's: imported already

    return pa.types.is_interval(arrow_type)


def _arrow_time(dtype: Any) -> bool:
    """Whether ``dtype`` is pyarrow's ``time32`` / ``time64`` (also as a pandas
    ``ArrowDtype``)."""
    arrow_type = _arrow_type(dtype)
    if arrow_type is None:
        return False
    import pyarrow as pa  # the dtype is pyarrow's: imported already

    return pa.types.is_time(arrow_type)


def _refuse_date_time(y: Any, name: str) -> None:
    """Raise :func:`_date_time_labels` for ``y`` of a time of day or a period
    (:func:`_date_time_dtype`)."""
    dtype = _date_time_dtype(y)
    if dtype is not None:
        raise _date_time_labels(name, dtype)


def _date_time_labels(name: str, dtype: Any) -> ValueError:
    fix = f"{name}.astype(str)"
    if type(dtype).__module__.startswith("polars"):
        # No astype in polars, and no cast of a Duration to String; text
        # drops fractions of a second of a Time (1.5 s and 1 s: one class).
        fix = f"their integer values, {name}.to_physical()"
    elif _arrow_type(dtype) is dtype and not (
        _arrow_time(dtype) or _arrow_interval(dtype)
    ):
        # A pyarrow Array or ChunkedArray: no astype either.
        fix = f"{name}.cast(pyarrow.string())"
    elif _arrow_time(dtype):
        # Text drops nanoseconds (pandas: str of datetime.time).
        arrow_type = _arrow_type(dtype)
        bits = arrow_type.bit_width
        fix = "their integer values, " + (
            f"{name}.astype('int{bits}[pyarrow]')"
            if arrow_type is not dtype
            else f"{name}.cast(pyarrow.int{bits}())"
        )
    return ValueError(
        f"{name} has dtype {dtype} (dates, times or durations), "
        "which is not a class label type: pass integers, strings, "
        "booleans or a pandas categorical. To use these values as "
        f"classes, convert them first, e.g. {fix}."
    )


def date_time_labels(name: str, y_1d: Any, read_as: Any) -> ValueError:
    """The error for labels ``y_1d`` of dates, times or durations that numpy
    reads as ``read_as``, named by their own dtype (polars ``Date``, ...)."""
    return _date_time_labels(name, _own_dtype(y_1d, read_as))


def _own_dtype(y_1d: Any, read_as: np.dtype) -> Any:
    """The dtype of a polars Series (``Date``, ``Duration``, ...) or a
    pyarrow Array or ChunkedArray (``date32[day]``, ...) ``y_1d``, whose
    values numpy reads as ``read_as``; ``read_as`` for any other column.

    >>> import pyarrow as pa
    >>> from rebalance._labels import _own_dtype
    >>> _own_dtype(pa.array([0], pa.date32()), np.dtype("datetime64[D]"))
    DataType(date32[day])
    """
    dtype = getattr(y_1d, "type", None)  # a pyarrow Array or ChunkedArray
    if _arrow_type(dtype) is not None:
        return dtype
    dtype = getattr(y_1d, "dtype", None)
    if type(dtype).__module__.split(".")[0] == "polars":
        return dtype
    return read_as


def label_values(y_1d: Any, name: str) -> np.ndarray:
    """The labels of a 1-D container as numpy values, after the null check.

    Times of day and periods (see :func:`_date_time_dtype`) are refused. A
    pyarrow ``fixed_size_list<...>[1]`` column (also as a pandas ``ArrowDtype``)
    is read as its one value a row, as the polars ``Array`` of width one it
    comes from (:func:`~rebalance._frames.width_one_values`).
    """
    _refuse_date_time(y_1d, name)
    flat = width_one_values(y_1d)
    if flat is not None:
        return label_values(flat, name)
    if is_pandas(y_1d, "Series"):
        if _nested_arrow_dtype(y_1d.dtype):
            # Named as the column's dtype, not as the objects numpy reads.
            raise _nested_labels(name, y_1d.dtype)
        missing = _missing(y_1d)
        if missing.any():
            raise missing_labels(name, missing)
        values = _pandas_values(y_1d)
    elif isinstance(y_1d, np.ndarray):
        values = y_1d
    elif (decimals := decimal_arrow(y_1d)) is not None:
        # As Decimal objects, read by pyarrow: narwhals refuses the dtype
        # of a negative scale (decimal128(5, -2)).
        if decimals.null_count:
            raise missing_labels(
                name, decimals.is_null().to_numpy(zero_copy_only=False)
            )
        values = decimals.to_numpy(zero_copy_only=False)
    else:
        values, n_missing = series_values(y_1d, name)
        if n_missing:
            # The rows, as for pandas and numpy labels (the first position).
            raise missing_labels(name, null_mask(y_1d))
        if values.dtype.kind in "US":
            values = _untrimmed_text(y_1d, values)
        if values.ndim == 2 and values.shape[1] == 1:
            # An array column of width one (polars): nested values in it are
            # refused by _encode_sorted.
            values = values[:, 0]
        if values.ndim != 1 or values.dtype.names is not None or nested_dtype(y_1d):
            # A struct, list or array column: several values a row.
            dtype = getattr(y_1d, "dtype", None) or getattr(y_1d, "type", None)
            raise _nested_labels(name, dtype or values.dtype)
    # Missing labels in object arrays are caught by _encode_sorted.
    return values


def _ends_with_nul(value: Any) -> bool:
    """Whether ``value`` is a str or bytes ending with a NUL character (which
    numpy's text dtypes drop)."""
    if isinstance(value, str):
        return value.endswith("\x00")
    return isinstance(value, bytes) and value.endswith(b"\x00")


def _untrimmed_text(series: Any, values: np.ndarray) -> np.ndarray:
    """``values``, the numpy text of a non-pandas column (a polars
    ``String``), or the column's values as Python objects where one ends with
    a NUL character: numpy drops those (``'a'`` and ``'a\\x00'``, one class;
    two in pandas, pyarrow and Python)."""
    column, _ = _to_narwhals(series)
    try:
        found = bool(column.str.ends_with("\x00").any())
    except Exception:  # not a string column to narwhals (binary): by value
        found = any(_ends_with_nul(v) for v in column.to_list())
    if not found:
        return values
    objects = np.empty(values.shape[0], dtype=object)
    objects[:] = column.to_list()
    return objects


def _pandas_values(series: Any) -> np.ndarray:
    """``series.to_numpy()``; objects for an Arrow view type (``string_view``,
    ``binary_view``), which has no numpy type of its own."""
    try:
        return series.to_numpy()
    except NotImplementedError:
        return series.to_numpy(dtype=object)


def _encode_categorical(y_1d: Any, name: str):
    codes = y_1d.cat.codes.to_numpy()
    missing = codes < 0
    if missing.any():
        raise missing_labels(name, missing)
    present, codes, counts = _encode_integer_values(codes, np.dtype(np.intp), name)
    # Only the categories in use are read: a million unused (Arrow) string
    # categories, as numpy objects, took 0.13 s and 60 MiB for 1,000 labels.
    categories = np.asarray(y_1d.cat.categories.take(present))
    if categories.dtype.kind in "mM":
        # Dates and durations (numpy or Arrow) as pandas Timestamps /
        # Timedeltas, as with a time zone: numpy's datetime64[ns].tolist()
        # gives bare integers, which no key of a dict such as
        # sampling_strategy would match.
        categories = np.asarray(y_1d.cat.categories.take(present), dtype=object)
    return categories, codes, counts


def is_polars_enum(y_1d: Any) -> bool:
    """Whether ``y_1d`` is a polars Series of dtype ``Enum`` (categories in
    an order of their own, as a pandas categorical's)."""
    if type(y_1d).__module__.split(".")[0] != "polars":
        return False
    import polars as pl

    return isinstance(y_1d, pl.Series) and isinstance(y_1d.dtype, pl.Enum)


def _encode_polars_enum(y_1d: Any, name: str):
    """A polars ``Enum`` Series' classes in its categories' order (as
    :func:`_encode_categorical` for pandas: ``y.to_pandas()`` draws alike)."""
    missing = y_1d.is_null().to_numpy()
    if missing.any():
        raise missing_labels(name, missing)
    codes = y_1d.to_physical().to_numpy().astype(np.intp)
    present, codes, counts = _encode_integer_values(codes, np.dtype(np.intp), name)
    categories = np.asarray(y_1d.dtype.categories.to_list(), dtype=object)
    return categories[present], codes, counts


def own_codes(encoded: EncodedLabels, labels: Any) -> EncodedLabels:
    """``encoded`` with codes of its own, never a view of the caller's labels.

    Labels that are already codes 0..k-1 (int64 numpy, pandas or torch) are
    encoded without a copy. A plan or sampler keeping that view would change
    with the caller's array, and read freed memory once torch moves a
    tensor's storage (``share_memory_()``, which ``torch.multiprocessing``
    calls when it pickles a dataset for ``ddp_spawn`` or DataLoader workers).
    """
    codes = encoded.codes
    values = _memory_of(labels)
    # Without a cheap view of the labels, codes that are a view of anything
    # may be one of theirs (categorical codes, ...): copied.
    shared = (
        np.may_share_memory(codes, values)
        if values is not None
        else codes.base is not None
    )
    if shared:
        encoded.codes = codes.copy()
    return encoded


def _memory_of(labels: Any) -> np.ndarray | None:
    """A numpy view of the memory of ``labels`` when one comes without a
    copy (numpy arrays, numpy-backed pandas Series, CPU torch tensors), else
    None (``own_codes`` then copies codes that are a view of anything)."""
    if isinstance(labels, np.ndarray):
        return labels
    dtype = getattr(labels, "dtype", None)
    numpy_dtype = dtype if isinstance(dtype, np.dtype) else None
    numpy_dtype = numpy_dtype or getattr(dtype, "numpy_dtype", None)
    to_numpy = getattr(labels, "to_numpy", None)
    if (
        type(labels).__module__.startswith("pandas")
        and callable(to_numpy)
        and isinstance(numpy_dtype, np.dtype)
        and numpy_dtype.kind in "biuf"
    ):
        # pandas Series, Index, Series.array, nullable arrays without NA: a
        # view of their values, no conversion.
        try:
            return to_numpy(dtype=numpy_dtype, copy=False)
        except (TypeError, ValueError):  # missing values: refused later
            return None
    numpy = getattr(labels, "numpy", None)
    if type(labels).__module__.startswith("torch") and callable(numpy):
        try:
            return numpy(force=False)
        except (RuntimeError, TypeError):  # on a GPU, or needs grad: a copy
            return None
    return None


def ragged_labels(name: str, exc: Exception) -> ValueError:
    """The error for labels numpy cannot read as an array (ragged rows): its
    own words name no argument."""
    return ValueError(
        f"{name} could not be read as an array of labels ({exc}): pass one "
        "label per row (shape (n_samples,)); several values a row (tuples, "
        "lists) must all have the same length, and are then read as a 2-D "
        "(one-hot) target."
    )


def single_output_target(y: Any) -> Any:
    """``y`` for a meta-estimator whose tags say single output: a column
    vector (shape ``(n, 1)``: numpy, pandas or polars frame, list of lists) as
    1-D, with scikit-learn's ``DataConversionWarning``; a 2-D y of several
    columns (one-hot, multilabel) raises a ValueError before any work.
    Anything else is returned as it is."""
    shape = getattr(y, "shape", None)
    if shape is None and isinstance(y, (list, tuple)):
        try:
            shape = np.shape(y)
        except ValueError as exc:  # ragged rows
            raise ragged_labels("y", exc) from exc
    if shape is None or len(shape) != 2:
        return y
    if shape[1] != 1:
        raise ValueError(
            "Multilabel and multioutput targets are not supported: y has "
            f"shape {tuple(shape)} (a 2-D one-hot or multilabel matrix). Pass one "
            "class label per row, shape (n_samples,), e.g. y.argmax(axis=1) for "
            "a one-hot matrix."
        )
    warn_outside(
        "A column-vector y was passed when a 1d array was expected. Please "
        "change the shape of y to (n_samples,), for example using ravel().",
        DataConversionWarning,
    )
    if is_dataframe(y):
        return first_column(y)
    if sp.issparse(y):
        return y.toarray().ravel()
    return np.asarray(y).reshape(-1)


def meta_target(y: Any) -> Any:
    """``y`` given to a meta-estimator's ``fit``, checked before any work.

    A string (a column's name) is refused as :func:`label_array` refuses it
    (:func:`_not_an_array`), not counted as one label per character; a
    pandas categorical of dates, times or durations is refused (the
    classifier reads it as those values, which are not a class label type),
    naming what it is; a column vector is made 1-D
    (:func:`single_output_target`).
    """
    if isinstance(y, (str, bytes)):
        # A column name is not looked up (numpy would read its characters).
        raise _not_an_array(y, "y")
    if is_pandas(y, "Series") and isinstance(y.dtype, pd.CategoricalDtype):
        categories = y.dtype.categories.dtype
        # numpy's and pandas' (with a time zone) dates, numpy's durations.
        kind = getattr(categories, "kind", "")
        if _date_time_dtype(y.dtype.categories) is not None:
            kind = "M"  # periods, Arrow times of day
        if kind in ("M", "m"):
            raise ValueError(
                "y is a pandas categorical of "
                f"{'dates or times' if kind == 'M' else 'durations'} (categories "
                f"of dtype {categories}): the classifier reads its values, "
                "which are not a class label type. Convert the labels first, "
                "e.g. y.astype(str), or use their codes, y.cat.codes."
            )
    return single_output_target(y)


def check_categorical_classes(y: Any, name: str = "y") -> None:
    """ValueError where ``y`` is a pandas categorical (Series or array), or a
    Dask Series of known categories, whose categories in use are floats that
    are not whole numbers (a Dask one's codes are computed only where some
    category is not whole): the samplers
    take categories as labels, but a classifier reads the values, which
    scikit-learn calls continuous (said before any draw, naming ``y``).

    >>> import pandas as pd
    >>> check_categorical_classes(pd.Series(pd.Categorical([0.5, 2.0])))
    Traceback (most recent call last):
    ...
    ValueError: Unknown label type: y is continuous ...
    """
    if isinstance(y, (pd.Categorical, pd.CategoricalIndex)):
        y = pd.Series(pd.Categorical(y), copy=False)
    dask_series = (
        is_dask(y)
        and isinstance(getattr(y, "dtype", None), pd.CategoricalDtype)
        and getattr(y, "ndim", 0) == 1
    )
    if dask_series:
        # Known categories only (unknown ones are read with the draw); the
        # codes in use are computed only where some category is not whole.
        if not y.cat.known or not _non_whole_numbers(y.cat.categories):
            return
        codes = np.asarray(y.cat.codes.unique().compute())
    elif is_pandas(y, "Series") and isinstance(y.dtype, pd.CategoricalDtype):
        codes = y.cat.codes.to_numpy()
    else:
        return
    if _non_whole_numbers(y.cat.categories.take(np.unique(codes[codes >= 0]))):
        raise _continuous_labels(name)


def _non_whole_numbers(categories: pd.Index) -> bool:
    """Whether the categories ``categories`` are numbers (floats, or numbers
    as objects read as scikit-learn does) some of which are finite and not
    whole."""
    if categories.dtype.kind not in "fO":
        return False
    used = np.asarray(categories)
    if used.dtype.kind == "O":  # numbers as objects: read as scikit-learn does
        if not all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
            for v in used.tolist()
        ):
            return False
        used = used.astype(np.float64)
    finite = used[np.isfinite(used)]
    return bool((np.trunc(finite) != finite).any())


def as_classifier_target(y: Any) -> Any:
    """``y`` for a meta-estimator to fit its classifier with, so that the
    classifier's ``classes_`` are the labels of ``y``.

    scikit-learn turns a pandas Series of a nullable dtype into floats (a
    ``"boolean"`` y gives ``classes_`` ``[0., 1.]``, which ``pos_label=True``
    or priors keyed by ``True`` would not match): such a Series without
    missing values becomes a numpy array of its own type instead (bool for
    ``"boolean"``, int64 for ``"Int64"``, objects for strings and
    categoricals); a bare pandas array (``pd.array(...)``, ``pd.Categorical``)
    is read as the Series holding it. Anything else, and a Series with
    missing labels or of dates (refused later, naming them), is returned as
    it is.

    numpy 2's ``StringDType`` labels, which scikit-learn's ``LabelEncoder``
    cannot read, become Python strings (objects).
    """
    # Read by the samplers as numpy reads them; scikit-learn refuses them
    # (np.matrix), or its validation of parameters does (memoryview).
    y = buffer_values(y, matrix=True)
    if isinstance(y, (list, tuple)) and any(isinstance(v, decimal.Decimal) for v in y):
        # A list holding Decimals (the samplers return one as given): as an
        # object array, below.
        y = np.array(y, dtype=object)
    if isinstance(y, np.ndarray) and y.dtype.kind == "T":
        return y.astype(object)
    if isinstance(y, np.ndarray) and y.dtype == object and y.ndim == 1:
        # Numbers held as objects (an object column of ints): as a numpy
        # array of their type when that keeps every value exactly, as for a
        # pandas Series below (scikit-learn's "Unknown label type" else).
        return _numbers_of_own_type(y)
    if is_pandas_array(y):
        # A bare pandas array (pd.Categorical, pd.array(...)), which the
        # samplers return as such: read as the Series holding it.
        converted = as_classifier_target(pd.Series(y, copy=False))
        return y if is_pandas(converted, "Series") else converted
    if is_pandas(y, "Series") and y.dtype == object and not y.isna().any():
        # An object column of numbers (ints read with a missing marker, then
        # filtered): as for a numpy object array.
        values = _numbers_of_own_type(y.to_numpy())
        return y if values.dtype == object else values
    if is_pandas(y, "Series") and not isinstance(y.dtype, np.dtype):
        if (
            y.isna().any()
            or getattr(y.dtype, "kind", "") in ("m", "M")
            or _date_time_dtype(y) is not None
        ):
            # Missing labels, dates (with a time zone, Arrow), times of day,
            # periods: refused later, naming them, not read as objects.
            return y
        # categorical, sparse: their values' own dtype
        return _numbers_of_own_type(_pandas_values(y))
    return y


def _numbers_of_own_type(values: np.ndarray) -> np.ndarray:
    """An object array of Python bools, ints or floats (a nullable pandas
    dtype's values) as a numpy array of their type when that keeps every
    value exactly (not strings, not bools mixed with ints, not ints beyond
    64 bits); whole-number Decimals (a database's NUMERIC column), alone or
    among ints, as ints; anything else as it is."""
    if values.dtype != object or values.ndim != 1 or not values.size:
        return values
    listed = values.tolist()
    if any(isinstance(v, decimal.Decimal) for v in listed):
        if not all(_whole_decimal_or_int(v) for v in listed):
            return values
        listed = [int(v) for v in listed]
    elif pd.api.types.infer_dtype(values, skipna=False) not in (
        "boolean",
        "integer",
        "floating",
        "mixed-integer-float",
    ):
        return values
    inferred = np.asarray(listed)
    if inferred.dtype.kind in "biuf" and inferred.tolist() == listed:
        return inferred
    return values


def _whole_decimal_or_int(value: Any) -> bool:
    """Whether ``value`` is an int (not a bool) or a finite whole Decimal."""
    if isinstance(value, decimal.Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def encode_labels(
    y: Any, *, compact: bool = False, name: str = "y"
) -> tuple[EncodedLabels, Any, bool]:
    """Check classification labels and encode them in one counting pass.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Labels: a list, numpy array, pandas/polars Series, pyarrow array, or
        a one-hot matrix (encoded by its argmax).
    compact : bool, default=False
        Draw int32 indices from the result where they fit.
    name : str, default='y'
        The argument's name in error messages.

    Returns
    -------
    labels : EncodedLabels
        Sorted ``classes``, per-row ``codes`` and per-class ``counts``.
    y_1d : array-like
        The 1-D label container to gather output labels from (dataframe
        columns are returned as they are).
    one_hot : bool
        Whether ``y`` was a one-hot matrix.

    Raises
    ------
    ValueError
        Missing labels (None, NaN, NA) anywhere, continuous or complex values,
        an empty or multilabel ``y``.
    TypeError
        Labels of types that cannot be sorted together, sparse ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance._labels import encode_labels
    >>> labels, _, _ = encode_labels(np.array([-100, 100, -100], dtype=np.int8))
    >>> labels.classes, labels.codes, labels.counts
    (array([-100,  100], dtype=int8), array([0, 1, 0], dtype=uint8), array([2, 1]))
    >>> encode_labels(["a", None, "b"])
    Traceback (most recent call last):
    ...
    ValueError: y has missing labels (None, NaN or NA; ...) in 1 row(s), the first ...
    """
    reject_lazy(y, name)
    # A PeriodIndex or PeriodArray, refused before numpy reads its Periods.
    _refuse_date_time(y, name)
    y_1d, one_hot = _target_array(y, name)
    n = y_1d.shape[0] if hasattr(y_1d, "shape") else len(y_1d)
    if n == 0:
        raise ValueError(
            f"{name} is empty (0 samples): it needs at least one row per class."
        )
    # A narwhals Series is read as the Series it wraps (a polars Enum or a
    # pandas categorical keeps its category order, the class order); the
    # output labels are gathered from the narwhals one.
    native = _unwrapped(y_1d)
    if is_pandas(native, "Series") and isinstance(native.dtype, pd.CategoricalDtype):
        classes, codes, counts = _encode_categorical(native, name)
    elif is_polars_enum(native):
        classes, codes, counts = _encode_polars_enum(native, name)
    else:
        values = label_values(y_1d, name)
        kind = values.dtype.kind
        dtype = values.dtype
        if is_pandas(y_1d, "Series") and getattr(y_1d.dtype, "kind", "") in ("m", "M"):
            # Dates with a time zone, Arrow timestamps and dates: their
            # values come as objects (Timestamps, dates), dates all the same.
            kind, dtype = y_1d.dtype.kind, y_1d.dtype
        if kind == "b":
            # Any non-zero byte is True (a uint8 buffer viewed as bool may hold 2).
            truth = values.view(np.uint8) != 0
            classes, codes, counts = _encode_integer_values(
                truth.view(np.uint8), np.dtype(bool), name
            )
        elif kind in "iu":
            classes, codes, counts = _encode_integer_values(values, values.dtype, name)
        elif kind == "f":
            classes, codes, counts = _encode_floats(values, name)
        elif kind in "OUS":
            classes, codes, counts = _encode_sorted(values, name)
        elif kind == "T":
            # numpy 2's StringDType: as Python strings (its missing values,
            # None or NaN, then refused as among objects).
            classes, codes, counts = _encode_sorted(values.astype(object), name)
        elif kind in "mM":
            # A polars or pyarrow column named by its own dtype (Date,
            # date32[day], ...), not by the numpy one it was read as.
            raise date_time_labels(name, y_1d, dtype)
        else:
            complex_note = "Complex data not supported. " * (kind == "c")
            raise ValueError(
                f"{complex_note}{name} has dtype {values.dtype}, which is not a class "
                "label type. "
                "Pass integers, strings, booleans or a pandas categorical."
            )
    labels = EncodedLabels(
        classes=classes, codes=codes, counts=counts.astype(np.int64), compact=compact
    )
    return labels, y_1d, one_hot


def _unwrapped(series: Any) -> Any:
    """The native Series a narwhals Series wraps; anything else as it is."""
    if type(series).__module__.split(".")[0] != "narwhals":
        return series
    import narwhals.stable.v2 as nw

    return nw.to_native(series)


def require_two_classes(
    labels: EncodedLabels, name: str = "y", needs: str = "resampling"
) -> None:
    """Raise a ValueError naming ``name`` unless there are at least 2 classes.

    ``needs`` says what needs them (``"resampling"``, ``"a classifier"``, ...).
    """
    if labels.n_classes < 2:
        only = labels.classes[:1].tolist()[0]
        raise ValueError(
            f"{name} has one class only ({only!r}): {needs} needs at "
            "least 2 classes. Check that the labels were loaded correctly, or that "
            "a split did not leave one class out (use a stratified split)."
        )
