"""Input checks shared by every public entry point, and their error messages.

Each check raises before any work is done, names the argument at fault and
says how to fix it. Nothing here modifies its input.
"""

from __future__ import annotations

import decimal
import numbers
import reprlib
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval

from rebalance._frames import (
    _is_arrow,
    _run_end_dtype,
    check_compressed,
    check_unique_columns,
    is_dataframe,
    is_pandas_array,
    is_series,
    numeric_column,
    numeric_dtype,
    reject_lazy,
    series_values,
    take_rows,
)
from rebalance._frames import is_pandas as _is_pandas
from rebalance._indices import EncodedLabels
from rebalance._labels import (
    _encode_integers,
    _target_array,
    encode_labels,
    require_two_classes,
    unreadable,
)

# Label encoding lives in rebalance._labels and row gathering in
# rebalance._frames; they are re-exported here for the modules importing them
# from this one.
__all__ = [
    "EncodedLabels",
    "_encode_integers",
    "_target_array",
    "RANDOM_STATE_CONSTRAINT",
    "NumberInterval",
    "check_bool",
    "check_features",
    "check_random_state",
    "check_sample_weight",
    "encode_labels",
    "require_two_classes",
    "take_rows",
]


def equal_arrays(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the numpy arrays ``a`` and ``b`` have one shape and equal
    values, NaN equal to NaN; values with no NaN test (objects, text) are
    compared as they are.

    >>> import numpy as np
    >>> equal_arrays(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    True
    >>> equal_arrays(np.array(["a", None], dtype=object), np.array(["a", None]))
    True
    """
    if a.shape != b.shape:
        return False
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # objects, text: no NaN test
        return bool(np.array_equal(a, b))


def validate_params_anyway(estimator: Any) -> None:
    """``estimator._validate_params()`` under scikit-learn's
    ``skip_parameter_validation=True``, with which ``_fit_context`` skips it:
    rebalance's estimators check their parameters whatever the configuration,
    as its samplers do (an unchecked value would be fitted with, then fail or
    mislead later: ``ThresholdMover(threshold=True)`` as a threshold of 1).

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from rebalance import ThresholdMover
    >>> from rebalance._validation import validate_params_anyway
    >>> with sklearn.config_context(skip_parameter_validation=True):
    ...     validate_params_anyway(ThresholdMover(LogisticRegression(), strategy="x"))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'strategy' ...
    """
    from sklearn import get_config

    if get_config().get("skip_parameter_validation", False):
        estimator._validate_params()


def is_bool(value: Any) -> bool:
    """Whether ``value`` is a Python or numpy bool (an Integral to Python, but
    never a number, a count or a seed to rebalance)."""
    return isinstance(value, (bool, np.bool_))


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is a bool, else a TypeError naming ``name``.

    Truthiness is never used: ``'yes'``, ``None`` or ``1`` are refused.
    """
    if not is_bool(value):
        raise TypeError(f"{name} must be True or False; got {name}={value!r}.")
    return bool(value)


class NumberInterval(Interval):
    """scikit-learn's ``Interval`` constraint that also rejects ``True``/``False``.

    ``bool`` is a ``numbers.Integral`` (and so a ``numbers.Real``):
    ``Interval`` alone would accept ``n_samples=True`` as one row or
    ``threshold=True`` as 1.0.
    """

    def is_satisfied_by(self, val):
        if is_bool(val):
            return False
        if isinstance(val, numbers.Real) and not isinstance(
            val, (int, float, np.number)
        ):
            # Fractions, sympy numbers and other Reals: numpy's isnan (used
            # by Interval) does not take them; judge their int or float value.
            if isinstance(val, numbers.Integral):
                val = int(val)
            elif self.type is numbers.Integral:
                return False
            else:
                try:
                    val = float(val)
                except OverflowError:  # beyond a float (Fraction(10**400, 3))
                    return False
        return super().is_satisfied_by(val)


# The seeds ``check_random_state`` accepts, as a ``_parameter_constraints``
# entry: scikit-learn's ``"random_state"`` constraint lets bools through.
RANDOM_STATE_CONSTRAINT: list[Any] = [
    NumberInterval(numbers.Integral, 0, 2**32 - 1, closed="both"),
    np.random.RandomState,
    np.random.Generator,
    None,
]


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int,
    fix: str = "",
    maximum: int | None = None,
) -> int:
    """``value`` as an int in ``[minimum, maximum]``, or an error naming ``name``
    and the fix.

    Bools are refused (they are Integral to Python but never a count).
    """
    if is_bool(value) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}. {fix}".rstrip())
    number = int(value)
    if number < minimum:
        raise ValueError(
            f"{name} must be >= {minimum}; got {name}={number}. {fix}".rstrip()
        )
    if maximum is not None and number > maximum:
        raise ValueError(
            f"{name} must be <= {maximum}; got {name}={number}. {fix}".rstrip()
        )
    return number


def check_random_state(
    random_state: Any, name: str = "random_state"
) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, an int, a Generator or RandomState.

    A legacy ``RandomState`` is used as a seed source, so that passing the same
    RandomState object to two samplers gives two different draws, as in
    scikit-learn. ``None`` uses numpy's global RandomState as that source, as
    scikit-learn and imbalanced-learn do: ``np.random.seed(0)`` before the
    call makes a ``random_state=None`` draw repeatable. Bools and negative
    ints are refused with an error naming ``name``.
    """
    if random_state is None:
        random_state = np.random.mtrand._rand
    if isinstance(random_state, numbers.Integral) and not is_bool(random_state):
        if random_state < 0:
            raise ValueError(
                f"{name} must be a non-negative int; got {name}={random_state}. "
                f"Pass a seed such as {name}=0."
            )
        return np.random.default_rng(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"{name} must be None, an int, a numpy Generator or RandomState; "
        f"got {random_state!r}. Pass an int such as {name}=0 for "
        "reproducible draws."
    )


def documents(X: Any) -> bool:
    """Whether the 1-D ``X`` holds one text (str or bytes) a row: a numpy
    array of strings, or of objects that are all str or bytes, or a pandas
    Series of them (as a text vectorizer such as ``TfidfVectorizer`` takes).

    >>> import numpy as np
    >>> from rebalance._validation import documents
    >>> documents(np.array(["a good film", "a bad one"])), documents(np.arange(2))
    (True, False)
    """
    if _text_column(X):
        return True
    if isinstance(X, np.ndarray) and X.dtype != object:
        return X.ndim == 1 and X.dtype.kind in "UST"  # T: numpy 2's StringDType
    if not (_is_pandas(X, "Series") or isinstance(X, (list, tuple, np.ndarray))):
        return False
    values = _row_objects(X)
    return values.ndim == 1 and all(isinstance(v, (str, bytes)) for v in values)


def _row_objects(X: Any) -> np.ndarray:
    """The values of a 1-D X as a numpy object array: a list's as given
    (numpy reads ["a", nan] or ["a", 3] as the texts "nan" and "3"), a pandas,
    polars or pyarrow column's as Python objects (None where missing)."""
    if _is_pandas(X, "Series"):
        return X.to_numpy(dtype=object)
    if _is_arrow(X, "Array", "ChunkedArray"):
        return np.asarray(X.to_pylist(), dtype=object)
    if is_series(X):
        return np.asarray(X.to_list(), dtype=object)
    if isinstance(X, (list, tuple)) and not X:
        return np.empty(0, dtype=object)
    return np.asarray(X, dtype=object)


def _text_column(X: Any) -> bool:
    """Whether X is a polars Series or a pyarrow Array or ChunkedArray of
    texts (str or binary; also dictionary-encoded, a polars ``Categorical``
    or ``Enum``, as a pandas categorical Series of texts) with no missing
    value: documents gathered in their own type, as a pandas Series of texts
    is."""
    if _is_arrow(X, "Array", "ChunkedArray"):
        import pyarrow as pa

        kinds = (
            "string",
            "large_string",
            "binary",
            "large_binary",
            "string_view",
            "binary_view",
        )
        arrow_type = X.type.value_type if pa.types.is_dictionary(X.type) else X.type
        text = any(
            getattr(pa.types, f"is_{kind}", lambda _t: False)(arrow_type)
            for kind in kinds
        )
        return text and X.null_count == 0
    pl = sys.modules.get("polars")
    if pl is None or not isinstance(X, pl.Series):
        return False
    texts = X.dtype in (pl.String, pl.Binary) or isinstance(
        X.dtype, (pl.Categorical, pl.Enum)
    )
    return texts and X.null_count() == 0


def _not_documents(X: Any) -> ValueError | None:
    """The error for a 1-D X of texts holding a value that is not a text (a
    missing value, a number): None where X holds no text at all."""
    values = _row_objects(X)
    if values.ndim != 1:
        return None
    text = np.fromiter((isinstance(v, (str, bytes)) for v in values), bool, len(values))
    if not text.any() or text.all():
        return None
    row = int(np.flatnonzero(~text)[0])
    value = values[row]
    return ValueError(
        f"X is a 1-D {type(X).__name__} of texts (one document a row), but row "
        f"{row} holds {value!r} ({type(value).__name__}), not a str or bytes: a "
        f"missing or non-text document ({int((~text).sum())} of {len(values)} "
        "rows). Fill the missing texts (e.g. with '') or drop those rows and "
        "their labels first; any other X must be a 2D array (n_samples, "
        "n_features)."
    )


def not_two_dimensional(shape: tuple, X: Any = None) -> ValueError:
    """The error for an X of ``shape`` that is not 2-D, with a reshape that
    works: for a 1-D column of a dataframe library (``X``, which has no
    ``reshape``), the frame of one feature it makes.

    >>> import pandas as pd
    >>> from rebalance._validation import not_two_dimensional
    >>> print(not_two_dimensional((3,), pd.Series([1, 2, 3])))
    Expected a 2D array for X, got a 1-D Series of shape (3,): pass ...
    """
    if len(shape) == 1 and X is not None and (is_series(X) or _pandas_1d(X)):
        kind = type(X).__name__
        if hasattr(X, "to_frame"):
            fix = "X.to_frame()"  # pandas Series and Index, polars, narwhals
        elif _is_arrow(X, "Array", "ChunkedArray"):
            fix = 'pyarrow.table({"x": X})'
        elif is_pandas_array(X):
            fix = 'pandas.DataFrame({"x": X})'
        else:
            fix = "a DataFrame of that one column"
        return ValueError(
            f"Expected a 2D array for X, got a 1-D {kind} of shape {shape}: "
            "pass the features as a DataFrame (one column per feature), e.g. "
            f"{fix} for a single feature."
        )
    if len(shape) > 2:
        return ValueError(
            f"Expected a 2D array for X, got shape {shape}: X has {len(shape)} "
            "dimensions but needs 2 (one row per sample, one column per feature). "
            "Flatten each sample into one row, e.g. X.reshape(len(X), -1)."
        )
    return ValueError(
        f"Expected a 2D array for X, got shape {shape}. Reshape your data "
        "either using X.reshape(-1, 1) if your data has a single feature or "
        "X.reshape(1, -1) if it contains a single sample."
    )


def _pandas_1d(X: Any) -> bool:
    """Whether X is a pandas Index or array (``pd.Categorical``,
    ``pd.array(...)``): 1-D, without numpy's ``reshape``."""
    pd = sys.modules.get("pandas")
    return pd is not None and (isinstance(X, pd.Index) or is_pandas_array(X))


def check_features(X: Any, n_labels: int) -> tuple[Any, int]:
    """Check X's shape without copying it: 2-D, at least one row and column.

    Returns ``(X, n_features)``; lists become numpy arrays, DataFrames, CSR
    and CSC matrices are returned unchanged, other sparse formats as CSR (a
    pyarrow RecordBatch without ``shape``, pyarrow < 15, as a Table).
    """
    if X is None:
        raise ValueError("X is None: pass the feature matrix (n_samples, n_features).")
    reject_lazy(X, "X")
    if _is_arrow(X, "RecordBatchReader"):
        raise ValueError(
            "X is a pyarrow RecordBatchReader, a stream of record batches read "
            "once: pass the Table it reads, X.read_all() (resampled as a Table)."
        )
    X_given = X
    if _text_column(X):
        # One text a row in a polars or pyarrow column: gathered in its type.
        check_same_length(len(X), n_labels)
        return X, 1
    if _is_arrow(X, "RecordBatch") and not hasattr(X, "shape"):
        # pyarrow < 15: a RecordBatch has no shape, and np.asarray below would
        # make it an array of objects. Checked and resampled as a one-batch
        # Table; BaseSampler.fit_resample returns a RecordBatch again.
        import pyarrow as pa

        X = pa.Table.from_batches([X], schema=X.schema)
    if not (_is_pandas(X, "DataFrame") or sp.issparse(X) or hasattr(X, "shape")):
        given = type(X).__name__
        try:
            X = _features_array(X)
        except ValueError as exc:  # rows of different lengths
            raise ValueError(
                f"X could not be read as a 2D array ({exc}): every row of X must "
                "hold the same number of features. Pad or trim the rows to one "
                "length, or pass a DataFrame or a numpy array (n_samples, "
                "n_features)."
            ) from exc
        if X.ndim == 0:
            raise ValueError(
                f"Expected a 2D array for X, got a single {given} value: pass the "
                "features as an array-like of shape (n_samples, n_features), e.g. "
                "a numpy array, a DataFrame or a list of rows."
            )
    if _read_by_numpy(X):
        # A torch tensor or another array-API array: read as numpy here, before
        # the draw (zero-copy for a CPU tensor), as the rows are gathered.
        X = _features_array(X)
    if sp.issparse(X) and X.ndim != 2:
        # Before the CSR copy below: scipy's own error for other shapes
        # ("Cannot convert. CSR must be 1D or 2D") says nothing of X.
        raise not_two_dimensional(X.shape)
    # Before the CSR copy and the draw: scipy reads (and its COO conversion
    # writes) a malformed matrix out of bounds.
    check_compressed(X, "X")
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        # As imbalanced-learn (check_array's accept_sparse=["csr", "csc"]):
        # COO, LIL, DOK, BSR and DIA rows cannot be indexed; resample a CSR
        # copy (which is what comes back).
        X = X.tocsr()
        check_compressed(X, "X")
    check_unique_columns(X)
    shape = X.shape
    if len(shape) == 1 and shape[0]:
        texts = X_given if isinstance(X_given, (list, tuple)) else X
        if documents(texts):
            # One text a row (documents for a vectorizer, e.g. TfidfVectorizer
            # in the classifier's pipeline): the rows are only copied.
            check_same_length(shape[0], n_labels)
            return X, 1
        problem = _not_documents(X_given)
        if problem is not None:
            raise problem
    if len(shape) != 2:
        raise not_two_dimensional(shape, X_given)
    if shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={shape}) while a minimum of 1 is "
            "required: X is empty."
        )
    if shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum of 1 is "
            "required: X has no columns. Pass at least one feature column (a "
            "constant one, e.g. np.zeros((n_samples, 1)), where the rows carry "
            "no features)."
        )
    if (isinstance(X, np.ndarray) or sp.issparse(X)) and X.dtype.kind == "c":
        # Sparse too, as imbalanced-learn (check_array refuses both).
        raise ValueError(
            f"Complex data not supported: X has dtype {X.dtype}. Pass the real "
            "and imaginary parts as separate features, e.g. "
            "np.column_stack([X.real, X.imag]) (scipy.sparse.hstack for sparse X)."
        )
    if sp.issparse(X) and (X.dtype == np.float16 or X.dtype.kind not in "biuf"):
        # Set on .data by hand (scipy builds none): scipy's indexing raised
        # "Output dtype not compatible with inputs" after the draw.
        raise ValueError(
            f"X is a scipy sparse matrix of dtype {X.dtype}, which scipy.sparse "
            "does not support: its row indexing fails. Convert it first, e.g. "
            "X.astype(np.float32)."
        )
    check_same_length(shape[0], n_labels)
    return X, shape[1]


def _read_by_numpy(X: Any) -> bool:
    """Whether the rows of X are gathered from ``np.asarray(X)`` (a torch
    tensor, an array-API array, any other object numpy reads): not a numpy
    array, sparse matrix, dataframe, column or pandas array, which are
    gathered in their own type."""
    return not (
        isinstance(X, np.ndarray)
        or sp.issparse(X)
        or is_dataframe(X)
        or is_series(X)
        or is_pandas_array(X)
    )


def _features_array(X: Any) -> np.ndarray:
    """``np.asarray(X)``, or a TypeError naming X and the fix where numpy
    cannot read it: a torch tensor of bfloat16, one that requires grad, lies
    on a GPU or the meta device, or is sparse or conjugated.

    >>> import numpy as np
    >>> from rebalance._validation import _features_array
    >>> _features_array(memoryview(np.eye(2))).shape
    (2, 2)
    """
    try:
        return np.asarray(X)
    except (TypeError, RuntimeError, NotImplementedError) as exc:
        # A list of tensor rows is converted row by row.
        rows = isinstance(X, (list, tuple))
        tensor = "row" if rows else "X"
        numpy = f"{tensor}.detach().cpu().numpy()"
        if rows:
            numpy = f"[{numpy} for row in X]"
        wide = f"{tensor}.detach().cpu().float().numpy()"
        dense = f"{tensor}.to_dense()"
        raise TypeError(
            f"X could not be read as a numpy array ({type(exc).__name__}: "
            f"{exc}). Pass the features as a numpy array, a DataFrame or a "
            f"sparse matrix; a torch tensor as {numpy} (bfloat16 as {wide}, "
            f"which keeps every value; a sparse tensor as {dense})."
        ) from exc


def check_same_length(n_rows: int | None, n_labels: int | None) -> None:
    """Raise a ValueError when X's rows and y's labels (both known) differ."""
    if n_rows is not None and n_labels is not None and n_rows != n_labels:
        raise ValueError(
            f"X has {n_rows} rows but y has {n_labels} labels: they must have the "
            "same length (one label per row)."
        )


def _object_numbers(values: np.ndarray) -> np.ndarray:
    """``values`` (a 1-D object array) as float64 where every item is a real
    number or a ``Decimal`` (not a bool, string or None) that float64 holds
    (a signalling NaN does not); else ``values`` unchanged.

    >>> import decimal
    >>> _object_numbers(np.array([decimal.Decimal("1.5"), 2], dtype=object))
    array([1.5, 2. ])
    """
    if not all(_is_number(v) for v in values):
        return values
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return values


def _is_number(value: Any) -> bool:
    """Whether ``value`` is a real number or a ``Decimal``: not a bool, nor a
    ``np.timedelta64`` (a numpy integer subclass: its count of units, of any
    unit, was read as the weight)."""
    return isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(
        value, (bool, np.bool_, np.timedelta64)
    )


def _object_problem(values: np.ndarray) -> str:
    """Why the 1-D object array ``values`` is not read as weights: its first
    item that is not a number, or that float64 cannot hold."""
    for row, value in enumerate(values):
        if not _is_number(value):
            return (
                f"its row {row} holds {reprlib.repr(value)} (a "
                f"{type(value).__name__}), not a number"
            )
        try:
            np.float64(value)
        except (TypeError, ValueError, OverflowError):
            return (
                f"its row {row} holds {reprlib.repr(value)}, which float64 "
                "cannot hold (beyond ±1.8e308, or a signalling NaN)"
            )
    return "its items are not numbers"  # pragma: no cover (not reached)


def _missing_weights() -> ValueError:
    """The error for weights with NaN, inf or missing values."""
    return ValueError(
        "sample_weight must hold finite numbers (no NaN, inf or missing "
        "values): fill or drop the rows without a weight."
    )


def _numbers_but_missing(values: np.ndarray) -> bool:
    """Whether the 1-D object array ``values`` holds numbers (as
    :func:`_object_numbers` reads them) apart from its missing values (None,
    pandas' NA, NaN).

    >>> import pandas as pd
    >>> _numbers_but_missing(np.array([1.5, None, pd.NA], dtype=object))
    True
    >>> _numbers_but_missing(np.array(["a", None], dtype=object))
    False
    """
    present = [v for v in values.tolist() if not _is_missing(v)]
    numbers = _object_numbers(np.array(present + [0.0], dtype=object))
    return numbers.dtype.kind == "f"


def _is_missing(value: Any) -> bool:
    """Whether ``value`` is None, pandas' ``NA`` or a float NaN."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, float) and value != value


def _unordered_weights(sample_weight: Any) -> str:
    """The message for a dict or set given as ``sample_weight``: no row order;
    a ``{class: weight}`` dict is a class weight, made into row weights by
    scikit-learn's ``compute_sample_weight``.

    >>> print(_unordered_weights({0: 1.0, 1: 5.0}))
    sample_weight is a dict, not one weight per row: ...
    """
    kind = type(sample_weight).__name__
    if isinstance(sample_weight, Mapping):
        return (
            f"sample_weight is a {kind}, not one weight per row: pass the weights "
            "as a list, numpy array or column in the order of the rows. A "
            "{class: weight} dict is a class weight: turn it into one weight per "
            "row with sklearn.utils.class_weight.compute_sample_weight(that_dict, y)."
        )
    return (
        f"sample_weight is a {kind}, which has no order (the weights follow the "
        "rows): pass them as a list, numpy array or column, one per row."
    )


def refuse_unordered_weights(sample_weight: Any) -> None:
    """TypeError for a dict or set given as ``sample_weight`` (see
    :func:`_unordered_weights`), before anything counts its values as rows."""
    if isinstance(sample_weight, (Mapping, set, frozenset)):
        # numpy reads either as one object (shape ()): "shape ()" said
        # nothing of what was wrong, or of class weights.
        raise TypeError(_unordered_weights(sample_weight))


def check_sample_weight(sample_weight: Any, n_samples: int, rows: str = "X") -> Any:
    """Check ``sample_weight``: one finite, non-negative number per row of
    ``rows`` (the argument named in the error about the length).

    Returns None, or the weights in a container ``take_rows`` gathers in its
    own type: a dataframe column (pandas, polars, pyarrow) or a pandas array
    is returned as it is, anything else as a numpy array.
    """
    if sample_weight is None:
        return None
    reject_lazy(sample_weight, "sample_weight")
    if sp.issparse(sample_weight):
        raise TypeError(
            f"sample_weight is a sparse {sample_weight.format.upper()} "
            f"{type(sample_weight).__name__} of shape {sample_weight.shape}: pass "
            "one weight per row as a dense 1-D array, e.g. "
            "sample_weight.toarray().ravel()."
        )
    if isinstance(sample_weight, (str, bytes)):
        raise TypeError(
            f"sample_weight is a {type(sample_weight).__name__} "
            f"({sample_weight!r}), not weights: a column name is not looked up; "
            "pass the weights themselves, one per row, e.g. "
            "sample_weight=frame['weight']."
        )
    if isinstance(sample_weight, (numbers.Number, np.generic)) or (
        isinstance(sample_weight, np.ndarray) and sample_weight.ndim == 0
    ):
        raise ValueError(
            f"sample_weight is a single number ({sample_weight!r}): pass one "
            "weight per row, shape (n_samples,), e.g. np.full(n_samples, weight)."
        )
    refuse_unordered_weights(sample_weight)
    if _is_arrow(sample_weight, "RecordBatchReader"):
        # list() of it gives its record batches, not weights.
        raise TypeError(
            "sample_weight is a pyarrow RecordBatchReader, a stream of record "
            "batches read once: pass its column of weights, e.g. "
            "sample_weight.read_all().column(0)."
        )
    if not hasattr(sample_weight, "__len__") and not hasattr(
        sample_weight, "__array__"
    ):
        raise TypeError(
            f"sample_weight is a {type(sample_weight).__name__}: pass the weights "
            "as a list, numpy array or column, one per row (e.g. "
            "list(sample_weight) for a generator)."
        )
    weights = sample_weight
    if is_series(weights):
        if _is_pandas(weights, "Series") and not _run_end_dtype(weights.dtype):
            values, n_missing = weights.to_numpy(), int(weights.isna().sum())
            if values.dtype.kind == "O" and numeric_dtype(weights.dtype):
                # A nullable column (Int64, Float64, boolean, ...): its
                # numbers come as objects (with NA; on pandas < 3 always),
                # an NA is what is wrong.
                values = weights.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            # Polars, pyarrow, ...; also a pandas run-end encoded Arrow column,
            # which pandas' to_numpy cannot read: its values decoded, as a
            # pyarrow column's (series_values, numeric_column).
            values, n_missing = series_values(weights, "sample_weight")
            if values.dtype.kind == "O" and numeric_column(weights):
                # Decimals, or booleans with nulls (None): as floats, as a
                # pandas nullable or Arrow-backed column's; a null is the
                # missing weight, not an object dtype.
                values = values.astype(np.float64)
    elif is_pandas_array(weights):
        # pd.array(...): kept, as a Series is (resampled in its own type); a
        # nullable one's NA is the missing weight, not an object dtype.
        n_missing = int(weights.isna().sum())
        values = np.asarray(weights)
        if (n_missing or values.dtype.kind == "O") and numeric_dtype(weights.dtype):
            # Objects on pandas < 3 even without NA.
            values = weights.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        # A masked entry is a missing weight (np.asarray would drop the mask
        # and use whatever value lies under it).
        n_missing = int(np.ma.count_masked(weights)) if np.ma.isMA(weights) else 0
        try:
            weights = values = np.asarray(weights)
        except (TypeError, RuntimeError) as exc:  # torch: bfloat16, grad, GPU
            raise unreadable("sample_weight", exc, "double") from exc
    if values.dtype.kind == "O" and values.ndim == 1:
        # Decimals (or other numbers) held as Python objects: read as floats,
        # as scikit-learn reads them and as a polars/pyarrow decimal column
        # is; the container is kept for the gather.
        values = _object_numbers(values)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has shape {values.shape} but {rows} has {n_samples} rows: "
            "pass one weight per row, shape (n_samples,)."
        )
    if values.dtype.kind == "O" and n_missing and _numbers_but_missing(values):
        # Numbers and nulls (a dictionary-encoded column of floats, ...): the
        # missing weights are what is wrong, not the numbers.
        raise _missing_weights()
    if values.dtype.kind == "O":
        raise ValueError(
            "sample_weight must hold numbers; got dtype object, and "
            f"{_object_problem(values)}"
            ": pass one finite float per row (bools among numbers, strings, None "
            "and dates are not read as weights), e.g. np.asarray(weights, dtype=float)."
        )
    if values.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must hold numbers; got dtype {values.dtype}. Pass "
            "one float per row, e.g. np.asarray(sample_weight, dtype=float)."
        )
    if n_missing or not np.isfinite(values).all():
        raise _missing_weights()
    if (values < 0).any():
        raise ValueError(
            "sample_weight must be non-negative; it has negative values. Pass "
            "weights >= 0 (0 leaves a row out)."
        )
    # A list comes back a list (take_rows gathers it item by item).
    return sample_weight if isinstance(sample_weight, list) else weights
