"""Input checks shared by every public entry point, and their error messages.

Each check raises before any work is done, names the argument at fault and
says how to fix it. Nothing here modifies its input.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp

from rebalance._indices import EncodedLabels

# Integer labels spanning at most this many values (or twice the number of
# rows) are counted with one bincount; wider ranges go through np.unique.
_BINCOUNT_MAX_RANGE = 1 << 22


def _is_pandas(obj: Any, kind: str) -> bool:
    module = type(obj).__module__
    return module.startswith("pandas") and type(obj).__name__ == kind


def check_random_state(random_state: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, an int, a Generator or RandomState.

    A legacy ``RandomState`` is used as a seed source, so that passing the same
    RandomState object to two samplers gives two different draws, as in
    scikit-learn.
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState; "
        f"got {random_state!r}. Pass an int such as random_state=0 for "
        "reproducible draws."
    )


def _target_array(y: Any, name: str) -> tuple[Any, bool]:
    """Return ``(y_1d, one_hot)``: a 1-D view of y's labels, or its argmax if one-hot.

    Pandas Series are returned as they are (their dtype, e.g. categorical, is
    kept); everything else becomes a numpy array.
    """
    if y is None:
        raise ValueError(
            f"{name} is None: samplers need the class labels. Pass it as an array of "
            "shape (n_samples,)."
        )
    if _is_pandas(y, "DataFrame"):
        if y.shape[1] == 1:
            return y.iloc[:, 0], False
        y = y.to_numpy()
    elif _is_pandas(y, "Series"):
        return y, False
    elif sp.issparse(y):
        raise TypeError(
            f"{name} is a sparse matrix: pass the labels as a dense 1-D array."
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        return y.ravel(), False
    if y.ndim == 2:
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


def _encode_integers(values: np.ndarray, classes_dtype: np.dtype):
    low, high = int(values.min()), int(values.max())
    span = high - low + 1
    if span > max(_BINCOUNT_MAX_RANGE, 2 * values.shape[0]):
        return None
    shifted = values if low == 0 else values - low
    counts_all = np.bincount(shifted, minlength=span)
    present = np.flatnonzero(counts_all)
    classes = (present + low).astype(classes_dtype)
    counts = counts_all[present]
    if present.shape[0] == span and low == 0:
        return classes, values, counts
    lookup = np.zeros(span, dtype=np.min_scalar_type(present.shape[0]))
    lookup[present] = np.arange(present.shape[0], dtype=lookup.dtype)
    return classes, lookup[shifted], counts


def encode_labels(
    y: Any, *, compact: bool = False, name: str = "y"
) -> tuple[EncodedLabels, Any, bool]:
    """Check classification labels and encode them in one counting pass.

    Returns ``(labels, y_1d, one_hot)`` where ``y_1d`` is the 1-D label
    container used to gather the output labels. ``name`` is the argument's
    name in error messages.
    """
    y_1d, one_hot = _target_array(y, name)
    n = y_1d.shape[0]
    if n == 0:
        raise ValueError(
            f"{name} is empty (0 samples): it needs at least one row per class."
        )
    if _is_pandas(y_1d, "Series") and str(y_1d.dtype) == "category":
        codes = y_1d.cat.codes.to_numpy()
        if (codes < 0).any():
            raise ValueError(
                f"{name} contains missing values (NaN): every row needs a class label. "
                "Drop or fill the rows with a missing label first."
            )
        categories = np.asarray(y_1d.cat.categories)
        encoded = _encode_integers(codes, np.dtype(np.intp))
        present, codes, counts = encoded
        classes = categories[present]
    else:
        values = y_1d.to_numpy() if _is_pandas(y_1d, "Series") else y_1d
        encoded = None
        if values.dtype == bool:
            encoded = _encode_integers(values.view(np.uint8), values.dtype)
        elif values.dtype.kind in "iu":
            encoded = _encode_integers(values, values.dtype)
        elif values.dtype.kind == "f":
            if not np.isfinite(values).all():
                raise ValueError(
                    f"{name} contains NaN or infinity: every row needs a finite class "
                    "label. Drop or fill those rows first."
                )
            as_int = values.astype(np.int64)
            if not (as_int == values).all():
                raise ValueError(
                    f"Unknown label type: {name} is continuous (float values that "
                    "are not whole numbers). Class labels are needed; bin a "
                    "regression target first, e.g. with numpy.digitize."
                )
            encoded = _encode_integers(as_int, values.dtype)
        elif values.dtype.kind not in "OUSb":
            complex_note = "Complex data not supported. " * (values.dtype.kind == "c")
            raise ValueError(
                f"{complex_note}{name} has dtype {values.dtype}, which is not a class "
                "label type. "
                "Pass integers, strings, booleans or a pandas categorical."
            )
        if encoded is None:
            if values.dtype.kind == "O" and any(v is None for v in values[:1000]):
                raise ValueError(
                    f"{name} contains missing values (None): every row needs a "
                    "class label."
                )
            try:
                classes, codes = np.unique(values, return_inverse=True)
            except TypeError as exc:
                raise TypeError(
                    f"{name} mixes label types that cannot be sorted (e.g. strings and "
                    "numbers). Convert the labels to one type, e.g. y.astype(str)."
                ) from exc
            if classes.dtype.kind == "f" and np.isnan(classes.astype(float)).any():
                raise ValueError(
                    f"{name} contains missing values (NaN): every row needs a class "
                    "label."
                )
            counts = np.bincount(codes, minlength=classes.shape[0])
            codes = codes.astype(np.min_scalar_type(classes.shape[0]), copy=False)
            encoded = (classes, codes, counts)
        classes, codes, counts = encoded
    labels = EncodedLabels(
        classes=classes, codes=codes, counts=counts.astype(np.int64), compact=compact
    )
    return labels, y_1d, one_hot


def require_two_classes(labels: EncodedLabels) -> None:
    if labels.n_classes < 2:
        raise ValueError(
            f"y has one class only ({labels.classes[0]!r}): resampling needs at "
            "least 2 classes. Check that the labels were loaded correctly, or that "
            "a split did not leave one class out (use a stratified split)."
        )


def check_features(X: Any, n_labels: int) -> tuple[Any, int]:
    """Check X's shape without copying it: 2-D, at least one row and column.

    Returns ``(X, n_features)``; lists become numpy arrays, DataFrames and
    sparse matrices are returned unchanged.
    """
    if X is None:
        raise ValueError("X is None: pass the feature matrix (n_samples, n_features).")
    if not (_is_pandas(X, "DataFrame") or sp.issparse(X) or hasattr(X, "shape")):
        X = np.asarray(X)
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        raise TypeError(
            f"X is a sparse {X.format.upper()} matrix: convert it with X.tocsr() "
            "(CSR and CSC are supported)."
        )
    shape = X.shape
    if len(shape) != 2:
        raise ValueError(
            f"Expected a 2D array for X, got shape {shape}. Reshape your data "
            "either using X.reshape(-1, 1) if your data has a single feature or "
            "X.reshape(1, -1) if it contains a single sample."
        )
    if shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={shape}) while a minimum of 1 is "
            "required: X is empty."
        )
    if shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum of 1 is "
            "required."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind == "c":
        raise ValueError("Complex data not supported: X has a complex dtype.")
    if shape[0] != n_labels:
        raise ValueError(
            f"X has {shape[0]} rows but y has {n_labels} labels: they must have the "
            "same length (one label per row)."
        )
    return X, shape[1]


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weights = sample_weight
    if not _is_pandas(weights, "Series"):
        weights = np.asarray(weights)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has shape {weights.shape} but X has {n_samples} rows: "
            "pass one weight per row, shape (n_samples,)."
        )
    values = weights.to_numpy() if _is_pandas(weights, "Series") else weights
    if values.dtype.kind not in "iuf" or not np.isfinite(values).all():
        raise ValueError("sample_weight must hold finite numbers (no NaN or inf).")
    if (values < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    return weights


def take_rows(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of ``data``, in the same container type as ``data``.

    pandas objects keep their columns, name and dtypes and get a fresh
    ``RangeIndex`` (the source positions are in ``sample_indices_``); sparse
    matrices keep their format; lists stay lists.
    """
    if _is_pandas(data, "DataFrame") or _is_pandas(data, "Series"):
        return data.iloc[indices].reset_index(drop=True)
    if sp.issparse(data):
        taken = data[indices]
        return taken.asformat(data.format)
    if isinstance(data, list):
        return [data[i] for i in indices.tolist()]
    # np.take is several times faster than fancy indexing for row gathers.
    return np.take(np.asarray(data), indices, axis=0)
