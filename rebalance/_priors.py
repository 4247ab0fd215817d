"""Class priors: counting them, checking user-given ones, shifting posteriors.

Shared by :mod:`rebalance.threshold` (prior correction, EM, and where
``ThresholdMover``'s ``train_priors`` and ``deploy_priors`` come from: the
``given_*`` / ``auto_*`` functions at the end) and :mod:`rebalance.compose`
(the priors a resampled classifier was trained at).
"""

from __future__ import annotations

import functools
import reprlib
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import _num_samples

from rebalance._frames import (
    column_names,
    is_dask,
    is_dataframe,
    is_pandas,
    reject_lazy,
    take_rows,
)
from rebalance._labels import encode_labels, unreadable
from rebalance._validation import check_sample_weight

# Priors are accepted when they sum to 1 within this tolerance.
_SUM_TOLERANCE = 1e-6
# How far a row of posteriors may sum from 1: float32 classifier output
# (softmax over many classes) is off by ~1e-6, never by 1e-4.
_ROW_SUM_TOLERANCE = 1e-4


def class_weight_sums(y: Any, sample_weight: Any = None) -> tuple[Any, np.ndarray]:
    """The labels ``y`` encoded, and the summed weight of each of their
    classes (in ``labels.classes`` order): the row counts without
    ``sample_weight``; with it, the sums of the weights scaled to a maximum of
    1 (sums of huge weights, 1e308, would overflow to inf).

    Raises as :func:`check_sample_weight` for weights that are not one finite
    number >= 0 per row.
    """
    labels, _, _ = encode_labels(y)
    weights = check_sample_weight(sample_weight, labels.n_samples)
    if weights is None:
        return labels, labels.counts.astype(np.float64)
    values = np.asarray(weights, dtype=np.float64)
    largest = values.max() if values.size else 0.0
    if largest > 0:
        values = values / largest
    sums = np.bincount(labels.codes, weights=values, minlength=labels.n_classes)
    return labels, sums


def class_priors(y: Any, classes: np.ndarray, sample_weight: Any = None) -> np.ndarray:
    """Share of each of ``classes`` in ``y`` (weighted by ``sample_weight``).

    ``classes`` fixes the order; a class of ``y`` not in ``classes`` is an error.
    """
    labels, mass = class_weight_sums(y, sample_weight)
    position = class_positions(labels.classes, classes, "y")
    priors = np.zeros(len(classes), dtype=np.float64)
    priors[position] = mass
    total = priors.sum()
    if total <= 0:
        raise ValueError(
            "sample_weight sums to 0: class priors are undefined. Give some rows "
            "a positive weight."
        )
    return priors / total


def class_positions(
    found: np.ndarray,
    classes: np.ndarray,
    name: str,
    fix: str = "Fit the classifier and the priors on the same labels.",
) -> np.ndarray:
    """Position in ``classes`` of every label of ``found``, or a clear error
    ending with ``fix``."""
    lookup = {_key(c): i for i, c in enumerate(np.asarray(classes).tolist())}
    positions = []
    unknown = []
    for c in np.asarray(found).tolist():
        if _key(c) in lookup:
            positions.append(lookup[_key(c)])
        else:
            unknown.append(c)
    if unknown:
        raise ValueError(
            f"{name} has classes {unknown} that the classifier does not know; its "
            f"classes are {list(np.asarray(classes).tolist())}. {fix}"
        )
    return np.asarray(positions, dtype=np.intp)


def _key(label: Any) -> Any:
    # numpy scalars and Python scalars of the same value compare equal as keys;
    # bools and ints are kept apart so that True is not the class 1.
    return (isinstance(label, (bool, np.bool_)), label)


def _names_classes(keys: list, classes: Any) -> bool:
    """Whether ``keys`` are exactly the classes (in any order)."""
    return {_key(k) for k in keys} == {_key(c) for c in np.asarray(classes).tolist()}


def only_positions(index: list, classes: Any) -> bool:
    """Whether labels ``index`` (a Series' or DataFrame's) are the default
    ``0..n-1`` and do not name the classes: then they are only positions."""
    return index == list(range(len(index))) and not _names_classes(index, classes)


def series_by_label(values: Any, classes: Any, name: str) -> Any:
    """A pandas Series of per-class values as a dict ``{label: value}`` (read
    by label, e.g. ``y.value_counts(normalize=True)``, in order of frequency),
    or as a numpy array when its index is the default ``0..n-1`` and does not
    name the classes (then only positions); anything else unchanged. A
    label given twice is refused (a dict would keep the last value)."""
    if not is_pandas(values, "Series"):
        return values
    index = values.index.tolist()
    if only_positions(index, classes):
        return values.to_numpy()
    if values.index.has_duplicates:
        repeated = values.index[values.index.duplicated()].unique().tolist()
        raise ValueError(
            f"{name} is a Series whose index gives the classes {repeated} more "
            "than once: give one value per class (e.g. "
            f"{name}.groupby(level=0).sum() if the rows are parts of a class)."
        )
    return dict(zip(index, values.tolist()))


#: the forms of priors, in the refusal of a table
_PRIOR_FORMS = (
    "give the priors as a dict by class, a pandas Series indexed by class, or "
    "an array in class order"
)


def computed_priors(priors: Any, name: str) -> Any:
    """``priors`` as read by label or position: a Dask Series or array (one
    value per class) computed, a Series to the pandas Series it holds, read
    by label as one; a table, Dask or not, refused
    (:func:`refuse_table_of_priors`)."""
    if is_dask(priors):
        if getattr(priors, "ndim", None) == 2 and hasattr(priors, "columns"):
            raise TypeError(
                f"{name} is a Dask {type(priors).__name__}: {_PRIOR_FORMS}; "
                f"compute the table first ({name}.compute()) for the fix that "
                "reads it."
            )
        priors = priors.compute()
    refuse_table_of_priors(priors, name)
    return priors


def refuse_table_of_priors(priors: Any, name: str) -> None:
    """A TypeError, with a fix that works, for priors given as a table (a
    pandas/polars DataFrame, a pyarrow Table): read as numbers, polars'
    ``y.value_counts(normalize=True)`` (label and proportion columns) failed
    on the labels ("could not convert string to float"), a one-row table
    of class columns (``proba.mean()``) with a shape error."""
    if not is_dataframe(priors):
        return
    names = column_names(priors)
    library = type(priors).__module__.split(".")[0]
    if not names:
        fix = "this one has no columns"
    elif len(priors) == 1:
        # One row, a column per class (proba.mean()): its values in class
        # order (its column names are text where the classes may be ints,
        # and a pandas row may be labelled "mean").
        row = {
            "polars": f"list({name}.row(0))",
            "narwhals": f"list({name}.row(0))",
            "pyarrow": f"list({name}.to_pylist()[0].values())",
        }.get(library, f"list({name}.iloc[0])")
        fix = (
            "a table of one row with a column per class: its values as a list "
            f"in class order (the columns in the order of model.classes_), e.g. {row}"
        )
    elif len(names) == 1:
        # (value_counts().to_frame(): a pandas one's labels are its index)
        column = {
            "polars": f"list({name}.to_series())",
            "narwhals": f"{name}.get_column({names[0]!r}).to_list()",
            "pyarrow": f"{name}.column(0).to_pylist()",
        }.get(library, f"{name}.iloc[:, 0]")
        fix = (
            "a single column of shares: as a pandas Series indexed by class, "
            f"or a list in class order, e.g. {column}"
        )
    else:
        # Plain Python values (a pyarrow column iterates as pyarrow scalars,
        # which match no class); narwhals reads t[0] as a row, so get_column.
        read = {
            "pyarrow": "{}[{!r}].to_pylist()",
            "narwhals": "{}.get_column({!r}).to_list()",
        }.get(library, "{}[{!r}]")
        label, share = (read.format(name, c) for c in (names[0], names[-1]))
        fix = (
            "for a table of labels and shares (polars' value_counts("
            f"normalize=True)), e.g. dict(zip({label}, {share}))"
        )
    raise TypeError(
        f"{name} is a {type(priors).__name__} (columns {names}): {_PRIOR_FORMS}; {fix}."
    )


def check_priors(
    priors: Any, classes: np.ndarray, name: str, *, positive: bool = False
) -> np.ndarray:
    """``priors`` (array in ``classes`` order, or ``{class: prior}``) as an array.

    Raises a ValueError naming ``name`` when the length, the keys, the values
    or the sum is wrong.
    """
    classes = np.asarray(classes)
    n_classes = classes.shape[0]
    priors = computed_priors(priors, name)
    priors = series_by_label(priors, classes, name)
    if isinstance(priors, Mapping):
        keys = np.asarray(list(priors), dtype=object)
        given = {_key(k) for k in priors}
        expected = {_key(c) for c in classes.tolist()}
        if given != expected:
            # The keys as they are (1 and '1' apart), not as text: an int key
            # listed as '5' read as a string key of the wrong type.
            shown = sorted(
                (k.item() if isinstance(k, np.generic) else k for k in priors),
                key=lambda k: (type(k).__name__, str(k)),
            )
            unknown = [k for k in shown if _key(k) not in expected]
            missing = [c for c in classes.tolist() if _key(c) not in given]
            raise ValueError(
                f"{name} has the keys {shown} but the classes are "
                f"{classes.tolist()}"
                + (f"; not classes: {unknown}" if unknown else "")
                + (f"; without a prior: {missing}" if missing else "")
                + ": give exactly one prior per class, keyed by the class as it "
                "is in y (of its type)."
            )
        values = np.empty(n_classes, dtype=np.float64)
        given_values = _float_values(list(priors.values()), name)
        if given_values.ndim != 1:
            raise ValueError(f"{name} must map each class to one number.")
        values[class_positions(keys, classes, name)] = given_values
    else:
        values = _float_values(priors, name)
        if values.ndim != 1 or values.shape[0] != n_classes:
            raise ValueError(
                f"{name} has shape {values.shape} but there are {n_classes} classes "
                f"({classes.tolist()}): pass one prior per class in this order, or "
                "a dict {class: prior}."
            )
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(
            f"{name} must hold finite, non-negative probabilities; got "
            f"{values.tolist()}."
        )
    if positive and (values <= 0).any():
        zero = classes[values <= 0].tolist()
        raise ValueError(
            f"{name} has a zero prior for the class(es) {zero} ({values.tolist()}): "
            "the classifier's probabilities are divided by these priors, so each "
            "must be > 0 (every class needs rows, or weight, in training)."
        )
    total = values.sum()
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(
            f"{name} sums to {total:.6g}, not 1: priors are probabilities. Divide "
            "them by their sum."
        )
    return values / total


def _probabilities(proba: Any, name: str = "proba") -> np.ndarray:
    """``proba`` as a 2-D float array of posteriors, or an error: finite,
    non-negative, each row summing to 1 within :data:`_ROW_SUM_TOLERANCE`."""
    if hasattr(proba, "toarray") and hasattr(proba, "nnz"):  # scipy.sparse
        raise ValueError(
            f"{name} is a sparse matrix: pass the class probabilities as a "
            f"dense array, e.g. {name}.toarray()."
        )
    _refuse_unreadable(proba, name)
    try:
        given = np.asarray(proba)
        converted = (
            None if given.dtype.kind == "c" else np.asarray(given, dtype=np.float64)
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric array of class probabilities, shape "
            f"(n_samples, n_classes), e.g. predict_proba(X); got {exc}."
        ) from None
    if converted is None:
        raise _complex_error(given, name)
    values = converted
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError(
            f"{name} has shape {values.shape}: pass the class probabilities as an "
            "array of shape (n_samples, n_classes), n_classes >= 2, e.g. "
            "predict_proba(X)."
        )
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(
            f"{name} must hold finite, non-negative probabilities; it has NaN, "
            "infinite or negative values. Check the classifier's predict_proba."
        )
    sums = values.sum(axis=1)
    # Half-precision softmax rows are off by ~1e-3: allow 10 ulps of the
    # input's own float type where that is coarser than the default.
    tolerance = _ROW_SUM_TOLERANCE
    if given.dtype.kind == "f":
        tolerance = max(tolerance, 10 * float(np.finfo(given.dtype).eps))
    off = np.flatnonzero(np.abs(sums - 1.0) > tolerance)
    if off.shape[0]:
        row = int(off[0])
        raise ValueError(
            f"{name} row {row} sums to {sums[row]:.6g}, not 1: {name} must hold "
            "posterior probabilities (each row summing to 1, e.g. "
            "predict_proba(X)), not decision scores or counts. Convert scores "
            "to probabilities first (e.g. with "
            "sklearn.calibration.CalibratedClassifierCV)."
        )
    return values


def _prior_vector(
    priors: Any,
    n_classes: int,
    name: str,
    *,
    allow_zero: bool = False,
    columns: list | None = None,
) -> np.ndarray:
    """``priors`` as ``n_classes`` finite floats > 0 (>= 0, not all 0, with
    ``allow_zero``), at any scale: only their ratios are used. Priors given
    by class label are put in the order of ``columns``, proba's column labels
    (:func:`_in_column_order`)."""
    values = _float_values(_in_column_order(priors, columns, name), name)
    if values.ndim != 1 or values.shape[0] != n_classes:
        raise ValueError(
            f"{name} has shape {values.shape} but proba has {n_classes} columns: "
            "pass one prior per class, in the order of proba's columns."
        )
    if not np.isfinite(values).all() or (values < 0).any() or values.max() <= 0:
        raise ValueError(
            f"{name} must hold finite, non-negative priors, not all 0; got "
            f"{values.tolist()}."
        )
    if not allow_zero and (values <= 0).any():
        raise ValueError(
            f"{name} has a zero prior ({values.tolist()}): posteriors are divided "
            f"by {name}, so each must be > 0. Give a very rare class a small "
            "positive prior such as 1e-9."
        )
    return values


def _column_labels(proba: Any) -> list | None:
    """The column labels of a dataframe ``proba`` (pandas, polars, pyarrow,
    ...), else None."""
    if is_pandas(proba, "DataFrame"):
        return proba.columns.tolist()
    if is_dask(proba) and getattr(proba, "ndim", None) == 2:
        # A Dask DataFrame's columns are known without computing it (a Dask
        # array has none).
        columns = getattr(proba, "columns", None)
        return None if columns is None else list(columns)
    if is_dataframe(proba):
        # Repeated names kept: priors by position still work there.
        return column_names(proba)
    return None


def _in_column_order(priors: Any, columns: list | None, name: str) -> Any:
    """Priors given by class label (a dict, or a pandas Series whose index is
    not the default ``0..n-1`` or names ``columns``, such as
    ``y.value_counts(normalize=True)``, in order of frequency) as a list in
    the order of ``columns``, the labels of proba's columns; anything else
    unchanged, read by position. Without column labels the order of
    labelled priors is unknown: ValueError."""
    priors = computed_priors(priors, name)
    if is_pandas(priors, "Series"):
        labels = priors.index.tolist()
        if labels == list(range(len(labels))) and not (
            columns is not None and _names_classes(labels, columns)
        ):
            # Only positions (as for ThresholdMover's priors): unless the
            # columns are labelled 0..n-1 too, in another order.
            _check_text_positions(labels, columns, name)
            return priors.to_numpy()
        values = priors.tolist()
    elif isinstance(priors, Mapping):
        labels, values = list(priors), list(priors.values())
    else:
        return priors
    if columns is None:
        example = (
            f"{name}.reindex(model.classes_).to_numpy()"
            if is_pandas(priors, "Series")
            else f"[{name}[c] for c in model.classes_]"
        )
        raise ValueError(
            f"{name} is given by class label ({labels}), but proba is an array "
            "whose columns carry no labels: the priors are read in the order "
            "of proba's columns (and a Series from value_counts() is in order "
            f"of frequency). Pass {name} as an array in that order, e.g. "
            f"{example}, or proba as a pandas DataFrame whose columns are the "
            "classes."
        )
    column_keys = [_key(c) for c in columns]
    if len(set(column_keys)) != len(column_keys):
        # By label, every column of a repeated name would get its prior:
        # which of them is the class meant is unknown.
        repeated = sorted(
            {str(c) for c, k in zip(columns, column_keys) if column_keys.count(k) > 1}
        )
        raise ValueError(
            f"{name} is given by class label, but proba's columns {columns} "
            f"repeat the names {repeated}: a label names more than one column. "
            "Give proba one column per class, or pass "
            f"{name} as an array in the order of proba's columns."
        )
    keys = [_key(label) for label in labels]
    if len(set(keys)) != len(keys) or set(keys) != set(column_keys):
        raise ValueError(
            f"{name} is given for the classes {labels}, but proba's columns "
            f"are {columns}: give one prior per column, labelled as the "
            "columns, or an array in the order of the columns."
        )
    by_key = dict(zip(keys, values))
    return [by_key[_key(c)] for c in columns]


def text_reordered(names: Any, expected: Any) -> bool:
    """Whether ``names`` (a frame's column names), read as text, are the
    labels ``expected`` in another order: a polars or pyarrow frame's names
    are always text, so ``['1', '0']`` names the classes ``[0, 1]``.

    >>> from rebalance._priors import text_reordered
    >>> text_reordered(["1", "0"], [0, 1])
    True
    >>> text_reordered(["0", "1"], [0, 1]), text_reordered(["a", "b"], [0, 1])
    (False, False)
    """
    names = [str(n) for n in names]
    expected = [str(e) for e in expected]
    return names != expected and sorted(names) == sorted(expected)


def _check_text_positions(labels: list, columns: list | None, name: str) -> None:
    """Refuse priors read by position (a Series indexed ``0..n-1``) next to
    proba columns that name ``0..n-1`` as text in another order (a polars or
    pyarrow frame's names are always text: ``['1', '0']``): by position the
    prior of class 0 would go to the column named ``'1'``, silently."""
    if columns is not None and text_reordered(columns, range(len(labels))):
        raise ValueError(
            f"{name} is a Series indexed 0..{len(labels) - 1}, read by position, "
            f"but proba's columns are {columns}: the same labels as text, in "
            "another order, so the order meant is unknown. Pass "
            f"{name} as an array in the order of proba's columns, or as a "
            "dict keyed by proba's column names."
        )


def _complex_error(values: np.ndarray, name: str) -> ValueError:
    """The error for complex ``values``: as float64 they would silently lose
    their imaginary parts (numpy only warns)."""
    return ValueError(
        f"{name} has complex numbers (dtype {values.dtype}): pass real "
        f"probabilities, e.g. {name}.real if the imaginary parts are 0."
    )


def _refuse_unreadable(values: Any, name: str) -> None:
    """Refuse, naming ``name`` and the fix, what ``np.asarray`` would read
    wrong or not at all: a masked array with masked entries (np.asarray drops
    the mask and reads the values under it as probabilities), and a torch
    tensor numpy cannot read (one that requires grad, of bfloat16, on a GPU:
    :func:`rebalance._labels.unreadable`'s TypeError), and a lazy frame
    (a polars LazyFrame: numpy read it as one object)."""
    reject_lazy(values, name)
    if np.ma.isMA(values) and np.ma.count_masked(values):
        raise ValueError(
            f"{name} has {int(np.ma.count_masked(values))} masked (missing) "
            "entries, which np.asarray would read as the values under the "
            f"mask: fill them in (e.g. {name}.filled(...)) or leave out what "
            "is missing."
        )
    if type(values).__module__.split(".")[0] == "torch":
        try:
            np.asarray(values)
        except (TypeError, RuntimeError) as exc:
            raise unreadable(name, exc, "double") from exc


def _float_values(values: Any, name: str) -> np.ndarray:
    """``np.asarray(values, float64)``, with an error naming ``name``."""
    _refuse_unreadable(values, name)
    try:
        given = np.asarray(values)
        converted = (
            None if given.dtype.kind == "c" else np.asarray(given, dtype=np.float64)
        )
    except (TypeError, ValueError) as exc:
        reason = str(exc).rstrip(".")
        raise ValueError(
            f"{name} must hold numbers (probabilities); converting it to floats "
            f"failed: {reason}."
        ) from None
    if converted is None:
        raise _complex_error(given, name)
    return converted


def _shift(proba: np.ndarray, train: np.ndarray, deploy: np.ndarray) -> np.ndarray:
    """:func:`adjust_priors` on checked inputs.

    Computed in log space, row by row (``log p' + log π - log π'``, then
    normalised by the row's largest term), so that extreme but valid priors
    (``1e-320``, ``1e308``) give finite posteriors instead of an overflowing
    ratio. A row whose probability lies only on classes of deploy prior 0
    has no posterior at the new priors: ValueError.
    """
    with np.errstate(divide="ignore"):
        # log(0) = -inf: a probability or a deploy prior of 0 stays 0.
        terms = np.log(proba) + (np.log(deploy) - np.log(train))
    top = terms.max(axis=1, keepdims=True)
    empty = np.flatnonzero(np.isneginf(top[:, 0]))
    if empty.shape[0]:
        zero = np.flatnonzero(deploy <= 0).tolist()
        raise ValueError(
            f"proba row {int(empty[0])} puts all its probability on the classes "
            f"at positions {zero}, whose deploy_priors are 0: it has no posterior "
            "at these priors. Give those classes a small positive deploy prior "
            "(e.g. 1e-9) instead of 0."
        )
    shifted = np.exp(terms - top)
    return shifted / shifted.sum(axis=1, keepdims=True)


def adjust_priors(proba: Any, train_priors: Any, deploy_priors: Any) -> np.ndarray:
    """Move posteriors from the class priors at training to those at deployment.

    Bayes' rule with new priors (Saerens et al. 2002): each row becomes
    ``p ∝ p' · π / π'``, ``p'`` the posterior at the training priors ``π'``
    and ``π`` the deployment priors, renormalised to sum to 1.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Posteriors at the training priors, e.g. ``predict_proba(X)``: finite,
        non-negative, each row summing to 1 (within 1e-4; 1e-2 for float16 input).
    train_priors : array-like of shape (n_classes,), dict or pandas Series
        Class priors the classifier was trained at (e.g. after resampling), in
        the order of ``proba``'s columns. Each must be finite and > 0 (the
        posteriors are divided by them); only their ratios matter, so they
        need not sum to 1. A dict, or a Series indexed by class
        (``y.value_counts(normalize=True)``, in order of frequency), is read
        by label: ``proba`` must then be a DataFrame (pandas, polars,
        pyarrow) whose columns are the classes (with an array ``proba`` it
        is a ValueError, the order being unknown). A Series with the default
        ``0..n-1`` index is read by position, unless ``proba``'s columns are
        labelled ``0..n-1`` too (then by label; a ValueError where they name
        ``0..n-1`` as text in another order, as a polars frame's ``'1'``,
        ``'0'``).
    deploy_priors : array-like of shape (n_classes,), dict or pandas Series
        Class priors at deployment: finite and >= 0, not all 0. A class of
        deploy prior 0 gets probability 0 (it is never predicted). Read as
        ``train_priors``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Posteriors at ``deploy_priors``; rows sum to 1. ``proba`` is not
        modified.

    Raises
    ------
    ValueError
        When a training prior is 0 (its ratio would be infinite), a prior is
        negative or not finite, shapes do not match, ``proba`` has NaN,
        infinite or negative values or a row that does not sum to 1 (within
        1e-4: decision scores or counts are not posteriors), or a row's probability
        lies only on classes of deploy prior 0 (it has no posterior there).

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance.threshold import adjust_priors
    >>> proba = np.array([[0.5, 0.5], [0.8, 0.2]])  # trained on balanced data
    >>> adjust_priors(proba, [0.5, 0.5], [0.9, 0.1]).round(3)
    array([[0.9  , 0.1  ],
           [0.973, 0.027]])
    """
    values = _probabilities(proba)
    n_classes, columns = values.shape[1], _column_labels(proba)
    train = _prior_vector(train_priors, n_classes, "train_priors", columns=columns)
    deploy = _prior_vector(
        deploy_priors, n_classes, "deploy_priors", allow_zero=True, columns=columns
    )
    return _shift(values, train, deploy)


def em_priors(
    proba: Any,
    train_priors: Any,
    *,
    tol: float = 1e-8,
    max_iter: int = 1000,
) -> np.ndarray:
    """Deployment priors estimated from unlabelled posteriors (Saerens et al. 2002).

    Alternates between moving the posteriors to the current prior estimate
    (:func:`adjust_priors`) and re-estimating the priors as the mean moved
    posterior, starting from ``train_priors``, until no prior moves by more
    than ``tol``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Posteriors of the deployment rows at the training priors, e.g.
        ``predict_proba(X_deploy)``: finite, non-negative, each row summing
        to 1 (within 1e-4; 1e-2 for float16 input).
    train_priors : array-like of shape (n_classes,), dict or pandas Series
        Class priors the classifier was trained at, in the order of
        ``proba``'s columns; each finite and > 0. By label as in
        :func:`adjust_priors`.
    tol : float > 0, default=1e-8
        Stop when the largest change of a prior is below this, and no prior
        still grows by more than a factor ``1 + sqrt(tol)`` per iteration (a
        prior far below ``tol``, e.g. a training prior of 1e-12, that the
        rows pull up changes by less than ``tol`` at first).
    max_iter : int >= 1, default=1000
        Most iterations; a ``ConvergenceWarning`` says when they did not
        reach ``tol``.

    Returns
    -------
    ndarray of shape (n_classes,)
        Estimated deployment priors (they sum to 1; an estimate may reach 0
        for a class no deployment row looks like).

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance.threshold import em_priors
    >>> proba = np.array([[0.9, 0.1]] * 7 + [[0.1, 0.9]] * 3)
    >>> em_priors(proba, [0.5, 0.5]).round(3)
    array([0.75, 0.25])
    """
    values = _probabilities(proba)
    if values.shape[0] == 0:
        raise ValueError(
            "proba has no rows: em_priors estimates the deployment priors from "
            "the posteriors of the rows being deployed on, so it needs at least "
            "one row."
        )
    train = _prior_vector(
        train_priors, values.shape[1], "train_priors", columns=_column_labels(proba)
    )
    if (
        isinstance(tol, bool)
        or not isinstance(tol, Real)
        or not 0 < _as_float(tol) < np.inf
    ):
        raise ValueError(
            f"tol={reprlib.repr(tol)} must be a finite number > 0 (also as a "
            "float: 1e-400 is 0.0), e.g. 1e-8."
        )
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral):
        raise TypeError(f"max_iter={max_iter!r} must be an integer >= 1.")
    if max_iter < 1:
        raise ValueError(f"max_iter={max_iter} must be >= 1.")
    # A Fraction is a Real, which np.sqrt cannot take (a TypeError of numpy's).
    tol = _as_float(tol)
    priors = _start_priors(train)
    # A prior far below tol that the rows pull up grows by a steady factor
    # per iteration, each change below tol: it is not converged until its
    # relative growth is small too.
    max_growth = float(np.sqrt(tol))
    for _ in range(max_iter):
        updated = _em_step(values, train, priors)
        change = float(np.abs(updated - priors).max())
        growing = updated > priors * (1.0 + max_growth)
        priors = updated
        if change < tol and not growing.any():
            break
    else:
        warnings.warn(
            f"em_priors did not converge in max_iter={max_iter} iterations: a "
            f"prior still changed by {change:.3g} (tol={tol:g}), or grew by "
            "more than a factor 1 + sqrt(tol). Raise max_iter, or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return priors


def _as_float(number: Real) -> float:
    """``float(number)``, inf where it is too large for a float (a Fraction or
    an int beyond 1e308, whose ``float`` raises OverflowError)."""
    try:
        return float(number)
    except OverflowError:
        return float(np.inf) if number > 0 else float(-np.inf)  # type: ignore[operator]


# _em_step's two matrix-vector products take the rows whose weighted sum is
# above this: far enough from underflow that the terms lost to it (each
# below 5e-324 off) are nothing next to the sum; the other rows take the
# log-space step of adjust_priors.
_LINEAR_ROW_SUM = 1e-280


def _em_step(values: np.ndarray, train: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """One EM update: the mean of the posteriors ``values`` moved from the
    priors ``train`` to ``priors`` (``_shift(values, train, priors).mean(0)``).

    With ``w`` the ratios ``priors / train`` (scaled by the largest, from
    logs: no overflow), row ``i`` moves to ``values[i] * w / s[i]``,
    ``s = values @ w``; their mean is ``w * ((1 / s) @ values) / n``: two
    matrix-vector products, no ``(n_samples, n_classes)`` temporary (10-20
    times faster than moving every row, which an EM of hundreds of
    iterations on every ``predict`` call of ``deploy_priors='em'`` paid).
    The same numbers up to rounding; the rows whose weighted sum nears
    underflow (extreme priors) take the log-space step instead, those rows
    only (all rows in it cost ~30 times more: minutes for an EM of
    thousands of rows and classes).
    """
    with np.errstate(divide="ignore"):
        ratios = np.log(priors) - np.log(train)
    weights = np.exp(ratios - ratios.max())
    sums = values @ weights
    linear = sums > _LINEAR_ROW_SUM
    if linear.all():
        updated = weights * ((1.0 / sums) @ values)
    else:
        inverse = np.zeros_like(sums)
        inverse[linear] = 1.0 / sums[linear]
        updated = weights * (inverse @ values)
        updated += _shift(values[~linear], train, priors).sum(axis=0)
    updated /= values.shape[0]
    # A sum of 1 up to rounding, as the rows' mean is.
    return updated / updated.sum()


def _start_priors(train: np.ndarray) -> np.ndarray:
    """``train`` (finite, > 0, at any scale) as priors summing to 1, each > 0.

    Scaled by the largest first: the sum of priors near 1e308 overflows to
    inf (every start prior 0). A prior that still underflows to 0 (ratios
    beyond 1e308) is raised to the smallest normal float: EM never moves a
    prior away from 0, so it would stay 0 whatever the rows say.
    """
    with np.errstate(over="ignore"):
        start = train / train.sum()
    if not np.isfinite(start).all() or (start <= 0).any():
        scaled = train / train.max()
        start = np.maximum(scaled / scaled.sum(), np.finfo(np.float64).tiny)
    return start


# π: deployment priors as an array, 'em' (estimated per predict call) or None.
DeployPriors = np.ndarray | str | None

# Which draws of a BaggingClassifier without bootstrap with_class_weight reads.
Draws = Literal["all", "biased", "none"]


# ------------------------------------- ThresholdMover's sources of priors


def _unwrapped(
    estimator: Any, searches: bool = True
) -> tuple[Any, list[tuple[Any, bool]]]:
    """``(final model, resampling steps)`` of :func:`_walk`."""
    return _walk(estimator, searches)[:2]


def _walk(
    estimator: Any, searches: bool = True
) -> tuple[Any, list[tuple[Any, bool]], bool, Any]:
    """The model that makes the predictions of ``estimator`` (itself, or
    inside a FrozenEstimator, a pipeline's last step or, with ``searches``, a
    fitted search's ``best_estimator_`` or a fitted threshold classifier's
    ``estimator_`` (``TunedThresholdClassifierCV``, ``FixedThresholdClassifier``),
    nested), and the resampling steps that run before it (pipeline steps with
    ``fit_resample``) in fit order, each with whether a FrozenEstimator (or
    ``cv='prefit'``) holds it (fitted earlier, on other data), whether the
    final model is so held (:func:`final_is_frozen`), and the first
    ``TunedThresholdClassifierCV(refit=False)`` (not ``cv='prefit'``) on the
    way, whose classifier was fitted on the training rows of one split,
    which it does not record (else None). The one walk through wrappers of
    the package."""
    steps = []
    frozen = False
    one_split = None
    for _ in range(16):  # FrozenEstimator, pipeline, fitted search, nested
        pipeline_steps = (
            None if isinstance(estimator, FrozenEstimator) else _steps(estimator)
        )
        if isinstance(estimator, FrozenEstimator):
            frozen = True
            estimator = estimator.estimator
        elif pipeline_steps is not None:
            for _, step in pipeline_steps[:-1]:
                if hasattr(step, "fit_resample"):
                    steps.append((step, frozen))
            estimator = pipeline_steps[-1][-1]
        elif searches and hasattr(estimator, "best_estimator_"):  # GridSearchCV
            estimator = estimator.best_estimator_
        elif searches and _threshold_classifier(estimator) is not None:
            # Its probabilities are its estimator_'s; cv='prefit': fitted
            # earlier, on other rows, as in a FrozenEstimator.
            prefit = _prefit_threshold(estimator)
            refit = getattr(estimator, "refit", True)
            if one_split is None and refit is False and not prefit:
                one_split = estimator
            frozen = frozen or prefit
            estimator = estimator.estimator_
        elif searches and _raw_threshold_mover(estimator):
            frozen = frozen or estimator.prefit is True
            estimator = estimator.estimator_
        else:
            break
    return estimator, steps, frozen, one_split


def _fitted_threshold_mover(estimator: Any) -> bool:
    """Whether ``estimator`` is a fitted :class:`rebalance.ThresholdMover`."""
    kind = type(estimator)
    return (
        kind.__name__ == "ThresholdMover"
        and kind.__module__.startswith("rebalance.")
        and hasattr(estimator, "estimator_")
        and hasattr(estimator, "_deploy")
    )


def _raw_threshold_mover(estimator: Any) -> bool:
    """Whether ``estimator`` is a fitted ThresholdMover without deployment
    priors: its probabilities are its ``estimator_``'s, unchanged."""
    return _fitted_threshold_mover(estimator) and estimator._deploy is None


def _threshold_classifier(estimator: Any) -> Any:
    """The fitted ``estimator_`` of a scikit-learn ``TunedThresholdClassifierCV``
    or ``FixedThresholdClassifier`` (whose probabilities are its
    ``estimator_``'s; only the decision threshold is its own), else None."""
    from sklearn.model_selection import (
        FixedThresholdClassifier,
        TunedThresholdClassifierCV,
    )

    if isinstance(estimator, (FixedThresholdClassifier, TunedThresholdClassifierCV)):
        return getattr(estimator, "estimator_", None)
    return None


def _prefit_threshold(estimator: Any) -> bool:
    """Whether a threshold classifier uses its ``estimator`` as it was fitted
    earlier (``cv='prefit'``), not refitted on the rows given."""
    return isinstance(getattr(estimator, "cv", None), str) and estimator.cv == "prefit"


def final_is_frozen(estimator: Any) -> bool:
    """Whether the model that makes the predictions of ``estimator`` is held
    by a FrozenEstimator (itself, or on the way to a pipeline's last step or
    a fitted search's best estimator), or used by a threshold classifier with
    ``cv='prefit'``: it was fitted earlier, on other rows."""
    return _walk(estimator)[2]


def _steps(estimator: Any) -> list | None:
    """A pipeline's ``steps`` (a non-empty list of ``(name, step)`` pairs),
    else None: an estimator may have a ``steps`` attribute of its own."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps and isinstance(steps[-1], tuple):
        return steps
    return None


def final_step(estimator: Any, *, searches: bool = False) -> Any:
    """The estimator that makes the predictions of ``estimator``: the last
    step of a Pipeline, the estimator inside a FrozenEstimator (nested), and
    with ``searches`` the ``best_estimator_`` of a fitted search
    (``GridSearchCV`` & co.), whose predictions are its own."""
    return _unwrapped(estimator, searches)[0]


def check_classifier(estimator: Any, name: str) -> None:
    """Refuse, before any fit, an ``estimator`` that scikit-learn's tags call
    something other than a classifier (a regressor, a clusterer, an outlier
    detector, a density estimator, also inside a pipeline or a
    FrozenEstimator): it would be fitted, and then fail with an
    AttributeError on ``classes_``. An estimator without an estimator type
    (no ClassifierMixin) is judged once fitted (:func:`check_fitted_classes`).
    """
    from sklearn.utils import get_tags

    try:
        kind = get_tags(estimator).estimator_type
    except (AttributeError, TypeError, ValueError):  # not a scikit-learn estimator
        return
    if kind is not None and kind != "classifier":
        what = str(kind).replace("_", " ")
        article = "an" if what[:1] in tuple("aeiou") else "a"
        raise ValueError(
            f"{name}={type(estimator).__name__}(...) is {article} {what}, not a "
            "classifier: it has no classes to predict. Pass a classifier as "
            f"{name} (e.g. LogisticRegression())."
        )


def unlabeled_rows_hint(fix: str) -> str:
    """The message for a y holding -1 beside a semi-supervised model, which
    reads -1 as unlabeled rows, not a class; ``fix`` says what to do."""
    return (
        "y holds -1, which semi-supervised models (LabelSpreading, "
        f"SelfTrainingClassifier, ...) read as unlabeled rows, not a class: {fix}"
    )


def is_semi_supervised(estimator: Any) -> bool:
    """Whether the model that makes ``estimator``'s predictions is one of
    scikit-learn's semi-supervised models (-1 in y: an unlabeled row), also
    inside a calibration or a search."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.semi_supervised import SelfTrainingClassifier
    from sklearn.semi_supervised._label_propagation import BaseLabelPropagation

    final = final_step(estimator)
    # Wrappers that fit their estimator on y as given: a calibration, a search
    # (before its fit: its best estimator is checked after), a
    # ResampledClassifier (whose sampler would balance -1 too).
    while True:
        if isinstance(final, BaseSearchCV) and _grid_sets_estimators(final):
            return False  # which model is fitted depends on the grid
        if isinstance(final, (CalibratedClassifierCV, BaseSearchCV)):
            inner = final.estimator
        elif type(final).__name__ == "ResampledClassifier":
            inner = getattr(final, "classifier", None)
        else:
            break
        if inner is None or inner is final:
            return False
        final = final_step(inner)
    return isinstance(final, (SelfTrainingClassifier, BaseLabelPropagation))


def _grid_sets_estimators(search: Any) -> bool:
    """Whether a search's parameter grid (or distributions) puts estimators
    in place of its estimator's steps or parts (``{"step": [model, ...]}``)."""
    grid = getattr(search, "param_grid", None)
    if grid is None:
        grid = getattr(search, "param_distributions", None)
    grids = grid if isinstance(grid, (list, tuple)) else [grid]
    for one in grids:
        if not isinstance(one, dict):
            continue
        for values in one.values():
            candidates = values if isinstance(values, (list, tuple)) else [values]
            if any(hasattr(c, "fit") for c in candidates):
                return True
    return False


def check_fitted_classes(model: Any, name: str) -> None:
    """Refuse a fitted ``model`` without ``classes_``: not a classifier."""
    if not hasattr(model, "classes_"):
        raise ValueError(
            f"{name}={type(model).__name__}(...) has no classes_ once fitted, so "
            f"it is not a classifier. Pass a classifier as {name} (e.g. "
            "LogisticRegression())."
        )


def labels_seen(
    estimator: Any, y: Any, sample_weight: Any, fix: str, frozen: bool = False
) -> Any:
    """The labels the final model of ``estimator``, just fitted on ``y``, was
    fitted on: ``y`` itself, or for a pipeline that resamples (an
    imbalanced-learn Pipeline with a sampler step), ``y`` taken through its
    sampler steps' ``sample_indices_``.

    Raises ValueError ending with ``fix`` when they cannot be known: a sampler
    step that records no ``sample_indices_`` (SMOTE, ...), one fitted earlier
    on other data (in a FrozenEstimator, or the whole ``estimator`` when
    ``frozen``: ``prefit=True``), or ``sample_weight`` given (whether a
    pipeline's final step got the weights depends on its routing).
    """
    _, steps, _, split = _walk(estimator)
    if split is not None and not frozen:
        raise ValueError(
            f"The estimator's {type(split).__name__}(refit=False) fitted its "
            "classifier on the training rows of one split, which it does not "
            "record, so the class priors its probabilities follow are unknown: "
            f"{fix}"
        )
    n_rows = _num_samples(y)  # an array-API Array has no len()
    for step, inside_frozen in steps:
        frozen = frozen or inside_frozen
        name = type(step).__name__
        indices = getattr(step, "sample_indices_", None)
        if frozen or indices is None or sample_weight is not None:
            why = (
                "was fitted earlier, on other data (it is frozen)"
                if frozen
                else "records no sample_indices_"
                if indices is None
                else "resamples the rows, and whether the weights reached the "
                "final step depends on the pipeline's routing"
            )
            raise ValueError(
                f"The estimator's pipeline resamples its training rows in a "
                f"{name} step that {why}, so the class priors its classifier "
                f"was trained on are unknown: {fix}"
            )
        indices = np.asarray(indices)
        if (
            indices.ndim != 1
            or indices.dtype.kind not in "iu"
            or (indices.size and (indices.min() < 0 or indices.max() >= n_rows))
        ):
            raise ValueError(
                f"The {name} step's sample_indices_ are not rows of the "
                f"{n_rows} labels it was fitted on: {fix}"
            )
        y = take_rows(y, indices)
        n_rows = indices.shape[0]
    return y


def _resamples(member: Any) -> bool:
    """Whether a fitted ensemble member resamples its training rows: a
    ResampledClassifier (also at the end of a pipeline, in a search or a
    FrozenEstimator), or a pipeline with a sampler step."""
    final, sampler_steps = _unwrapped(member)
    return bool(sampler_steps) or hasattr(final, "resampled_priors_")


def _moves_priors(member: Any) -> bool:
    """Whether the probabilities of a fitted ensemble member follow other
    priors than those of the labels it was given: it resamples
    (:func:`_resamples`), or it is (or ends in) a ThresholdMover that moves
    its probabilities to ``deploy_priors``."""
    final = final_step(member, searches=True)
    return _resamples(member) or _fitted_threshold_mover(final)


def _encoded_model_priors(member: Any, n_classes: int, fix: str) -> Any:
    """π' of a fitted ``member`` of an ensemble, which fitted it on its labels
    encoded ``0..n_classes-1``: in the order of those codes, as
    :func:`model_priors` reads them (a ResampledClassifier's, a
    ThresholdMover's deployment priors, a nested ensemble's). None for a
    member whose probabilities follow its labels; ValueError ending with
    ``fix`` for one that resamples or moves them to unknown priors."""
    priors = model_priors(member, np.arange(n_classes), fix)
    if priors is None and _moves_priors(member):
        raise ValueError(
            f"The estimator has a {type(member).__name__} inside an ensemble "
            "that resamples its training rows (a sampler step), so the class "
            f"priors its probabilities follow are unknown: {fix}"
        )
    return priors


def _from_codes(priors: np.ndarray, model: Any, classes: np.ndarray) -> np.ndarray:
    """Priors in the order of ``model.classes_`` (an ensemble's labels, which
    it encodes ``0..n-1`` for its members) put in the order of ``classes``."""
    order = class_positions(np.asarray(model.classes_), classes, "estimator.classes_")
    aligned = np.empty(len(classes), dtype=np.float64)
    aligned[order] = priors
    return aligned


# Ensembles whose predict_proba averages their members' probabilities and
# whose members are fitted on the labels encoded 0..n_classes-1.
_AVERAGING_ENSEMBLES = frozenset({"BaggingClassifier", "VotingClassifier"})


def ensemble_priors(estimator: Any, classes: np.ndarray, fix: str) -> Any:
    """π' of a fitted ensemble whose members resample their training rows
    (``BaggingClassifier(ResampledClassifier(...))``, a soft
    ``VotingClassifier`` of them, imbalanced-learn's balanced ensembles, ...)
    or move their probabilities to other priors (ThresholdMovers with
    ``deploy_priors``): its probabilities follow the priors its members
    follow, not those of ``y``. None when the final model of ``estimator``
    is no such ensemble.

    The priors are known only for an average of members whose priors are
    all known and equal; otherwise (members at other priors, a member whose
    probabilities follow its labels beside one that resamples, an ensemble
    that does not average, samplers inside the ensemble) raises ValueError
    ending with ``fix``. A StackingClassifier's probabilities are its final
    estimator's, fitted on ``y`` encoded ``0..n-1``: the priors that one
    follows (None when they are those of ``y``).
    """
    model = final_step(estimator, searches=True)
    final = getattr(model, "final_estimator_", None)
    if final is not None and hasattr(model, "estimators_"):  # stacking
        encoded = _encoded_model_priors(final, len(model.classes_), fix)
        if encoded is None:
            return None
        return check_priors(
            _from_codes(encoded, model, classes), classes, "estimator", positive=True
        )
    members = getattr(model, "estimators_", None)
    if not isinstance(members, (list, tuple)):
        members = []
    members = [m for m in members if hasattr(m, "fit")]
    name = type(model).__name__
    if not any(_moves_priors(m) for m in members):
        if getattr(model, "samplers_", None) is None:
            return None
        # imbalanced-learn's BalancedRandomForest, RUSBoost: balanced draws.
        raise ValueError(
            f"The estimator's {name} balances the rows of its members with "
            f"samplers, so the class priors its probabilities follow are not "
            f"those of y: {fix}"
        )
    known = (
        type(model).__name__ in _AVERAGING_ENSEMBLES
        and getattr(model, "voting", "soft") == "soft"
    )
    priors = []
    for member in members if known else []:
        try:
            # The members' labels are the ensemble's, encoded 0..n-1.
            encoded = _encoded_model_priors(member, len(model.classes_), fix)
        except ValueError:
            encoded = None
        if encoded is None:  # unknown, or those of its labels beside others
            known = False
            break
        priors.append(_from_codes(encoded, model, classes))
    if known and all(np.allclose(p, priors[0], rtol=0, atol=1e-9) for p in priors):
        return check_priors(priors[0], classes, "estimator", positive=True)
    hint = ""
    if known:
        hint = (
            " (its members were fitted at different priors; their mean is "
            f"{np.round(np.mean(priors, axis=0), 4).tolist()})"
        )
    raise ValueError(
        f"The estimator's {name} has members that resample their training "
        f"rows or move their probabilities to other priors{hint}, so the "
        f"class priors its probabilities follow are not those of y: {fix}"
    )


def with_class_weight(
    priors: np.ndarray,
    estimator: Any,
    y: Any,
    classes: np.ndarray,
    sample_weight: Any = None,
    *,
    held_out: bool = True,
    draws: Draws = "all",
) -> np.ndarray:
    """``priors`` of ``y`` (weighted by ``sample_weight``) as the model of
    ``estimator`` saw them: times the ``class_weight`` its fit applies
    (``'balanced'``, ``'balanced_subsample'`` or a dict ``{class: weight}``,
    computed as scikit-learn does), and the class weights of a gradient-
    boosting classifier's own parameters (:func:`_booster_class_factors`:
    ``scale_pos_weight``, ``is_unbalance``, ``auto_class_weights``,
    ``class_weights``), renormalised. Unchanged without a
    class_weight. For an SVC with ``probability=True``, the unweighted priors
    of ``y``'s rows of weight > 0 (its Platt scaling is fitted on their labels
    alone, weighted by neither ``class_weight`` nor ``sample_weight``). For
    an ensemble, the class weights of the models whose probabilities it
    gives (:func:`_ensemble_class_weighted`); ValueError where they differ.
    With ``held_out``, a model that keeps some of its rows out of training
    for early stopping gives the priors of the rows it trained on
    (:func:`_held_out_priors`). A generative model given its priors
    (``GaussianNB(priors=...)``, ``MultinomialNB(fit_prior=False)``, ...)
    gives those (:func:`_chosen_priors`). ``draws``: which draws of a
    ``BaggingClassifier`` without bootstrap are read, its members being
    fitted on their own rows (:func:`_draws_without_replacement`):
    ``'all'``; ``'biased'``, only those drawn by ``sample_weight``, whose
    shares differ from those of ``y`` by more than chance (to tell whether a
    model reweights the classes); ``'none'``, for a model fitted earlier, on
    other rows (frozen), whose draws are not rows of ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> y = np.array([0, 0, 0, 1])
    >>> with_class_weight(np.array([0.75, 0.25]), LogisticRegression(
    ...     class_weight="balanced"), y, np.array([0, 1]))
    array([0.5, 0.5])
    """
    inner = _ensemble_class_weighted(
        priors, estimator, y, classes, sample_weight, draws
    )
    if inner is not None:
        return inner
    model, keys = _class_weighted_model(estimator, classes)
    _refuse_class_weighted_sgd(model, classes)
    chosen = _chosen_priors(model, estimator, classes)
    if chosen is not None:
        return chosen
    if held_out:
        kept = _held_out_priors(model, estimator, classes, sample_weight)
        if kept is not None:
            return kept
    # The class shares of the rows as weighted by sample_weight alone (what
    # CatBoost's auto_class_weights counts).
    weighted = priors if sample_weight is not None else None
    priors = _sklearn_class_weighted(priors, model, keys, y, classes, sample_weight)
    # Gradient-boosting classifiers weight classes by their own parameters.
    boosted = _booster_class_factors(model, y, classes, keys, weighted)
    return priors if boosted is None else _times(priors, boosted)


def _ensemble_class_weighted(
    priors: np.ndarray,
    estimator: Any,
    y: Any,
    classes: np.ndarray,
    sample_weight: Any,
    draws: Draws = "all",
) -> np.ndarray | None:
    """:func:`with_class_weight` of an ensemble whose probabilities come from
    models fitted on ``y`` encoded ``0..n_classes-1``: a fitted
    ``StackingClassifier`` (its final estimator's class weights), an
    averaging one (``BaggingClassifier``, a soft ``VotingClassifier``: its
    members' class weights, which must give them all the same priors; for a
    ``BaggingClassifier`` without bootstrap, the mean priors of its members'
    draws as ``draws`` allows). None for any other model, or an ensemble
    whose models weight no class.

    Raises ValueError when the members of an averaging ensemble weight the
    classes differently (their probabilities follow different priors)."""
    model = final_step(estimator, searches=True)
    final = getattr(model, "final_estimator_", None)
    members = getattr(model, "estimators_", None)
    if final is not None and members is not None:  # stacking: fitted on y
        models = [final]
    elif (
        type(model).__name__ in _AVERAGING_ENSEMBLES
        and getattr(model, "voting", "soft") == "soft"
        and isinstance(members, (list, tuple))
        and members
    ):
        models = [m for m in members if hasattr(m, "fit")]
    elif _multiclass_one_vs_rest(model, classes):
        _refuse_class_weighted_one_vs_rest(priors, model, y, classes, sample_weight)
        return None
    else:
        return None
    codes = np.arange(len(classes))
    encoded = _positions_in(y, classes)  # the members' labels
    drawn = None
    if draws != "none" and not final_is_frozen(estimator):
        drawn = _draws_without_replacement(
            model, models, encoded, codes, sample_weight, draws
        )
    if drawn is not None:
        return drawn
    # An averaging ensemble's members are each fitted on their own draw of
    # the rows: their held-out rows are not looked at (as their draws are not).
    stacking = final is not None
    each = [
        with_class_weight(
            priors, m, encoded, codes, sample_weight, held_out=stacking, draws=draws
        )
        for m in models
    ]
    if all(np.array_equal(p, priors) for p in each):
        return None  # no model weights a class
    if all(np.allclose(p, each[0], rtol=0, atol=1e-9) for p in each):
        return each[0]
    raise ValueError(
        f"The estimator's {type(model).__name__} has members that weight the "
        "classes differently (class_weight or a booster's class weights), so "
        "its probabilities follow no one set of class priors (its members' "
        f"are {[np.round(p, 4).tolist() for p in each]}): pass train_priors."
    )


def _draws_without_replacement(
    model: Any,
    members: list,
    encoded: np.ndarray,
    codes: np.ndarray,
    sample_weight: Any,
    draws: Draws = "all",
) -> np.ndarray | None:
    """The mean priors of the members of a scikit-learn ``BaggingClassifier``
    with ``bootstrap=False``, each fitted on its own draw of the rows without
    replacement (``max_samples`` of them), read from the draws it records
    (``estimators_samples_``). How a member saw ``sample_weight`` depends on
    the scikit-learn version: from 1.8 the rows are drawn with chances by
    ``sample_weight`` and the member is fitted on them unweighted (with
    ``max_samples=None``, all the rows once each), so their shares are
    neither the weighted nor the unweighted shares of ``y``; up to 1.7 they
    are drawn uniformly and the member is fitted on all the rows with
    ``sample_weight`` set to 0 outside its draw: the weighted shares of its
    own draw. A member whose ``fit`` takes no ``sample_weight`` (or declines
    it under metadata routing) is fitted on its drawn rows, unweighted. None
    for any other model (a bootstrap draw's expected shares are the weighted
    shares of ``y``), for one fitted on another number of rows than ``y``
    has, and with ``draws='biased'`` for draws not made by ``sample_weight``
    (their shares differ from those of ``y`` by chance alone)."""
    from sklearn.ensemble import BaggingClassifier

    if not isinstance(model, BaggingClassifier) or getattr(model, "bootstrap", True):
        return None
    # Set from scikit-learn 1.8 on, which draws the rows by sample_weight.
    draws_by_weight = hasattr(model, "_sample_weight")
    if draws == "biased" and not _draws_by_weight(model):
        return None
    n_rows = encoded.shape[0]
    if getattr(model, "_n_samples", None) != n_rows:  # not fitted on these rows
        return None
    try:
        drawn = model.estimators_samples_
    except (AttributeError, TypeError, ValueError):  # pragma: no cover
        return None
    weights = None
    if sample_weight is not None and not draws_by_weight:
        weights = np.asarray(check_sample_weight(sample_weight, n_rows), dtype=float)
    if len(drawn) != len(members):
        return None
    each = []
    for member, rows in zip(members, drawn, strict=True):
        rows = np.asarray(rows)
        if rows.dtype.kind not in "iu" or (
            rows.size and (rows.min() < 0 or rows.max() >= n_rows)
        ):
            return None
        if _bagging_member_takes_weights(member):
            # Fitted on all the rows, weighted by how often each was drawn
            # (times sample_weight up to scikit-learn 1.7).
            counts = np.bincount(rows, minlength=n_rows).astype(np.float64)
            if weights is not None:
                counts = counts * weights
            shares = class_priors(encoded, codes, counts)
            each.append(
                with_class_weight(
                    shares, member, encoded, codes, counts, held_out=False, draws=draws
                )
            )
        else:  # fitted on the drawn rows
            labels = encoded[rows]
            shares = class_priors(labels, codes)
            each.append(
                with_class_weight(
                    shares, member, labels, codes, None, held_out=False, draws=draws
                )
            )
    return np.mean(each, axis=0)


def _draws_by_weight(model: Any) -> bool:
    """Whether ``model`` is a scikit-learn ``BaggingClassifier`` without
    bootstrap that drew its members' rows by the ``sample_weight`` it was
    fitted with (scikit-learn >= 1.8) and fitted them unweighted: their
    class shares differ from the weighted shares of its rows by more than
    chance, as if it weighted the classes."""
    from sklearn.ensemble import BaggingClassifier

    return (
        isinstance(model, BaggingClassifier)
        and not getattr(model, "bootstrap", True)
        and getattr(model, "_sample_weight", None) is not None
    )


def _bagging_member_takes_weights(member: Any) -> bool:
    """Whether a ``BaggingClassifier`` passes its draw to ``member`` as
    ``sample_weight`` (all the rows, weighted) rather than as the drawn rows:
    with metadata routing on, when the member requests ``sample_weight``;
    without, when its ``fit`` takes one (scikit-learn's own rule)."""
    from sklearn.utils.metadata_routing import _routing_enabled, get_routing_for_object
    from sklearn.utils.validation import has_fit_parameter

    if _routing_enabled():
        return bool(get_routing_for_object(member).consumes("fit", ("sample_weight",)))
    return has_fit_parameter(member, "sample_weight")


def _positions_in(y: Any, classes: np.ndarray) -> np.ndarray:
    """``y`` as the positions of its labels in ``classes``: the labels the
    models of an ensemble (or of a OneVsRestClassifier) are fitted on."""
    labels = encode_labels(y)[0]
    return class_positions(labels.classes, classes, "y")[labels.codes]


def _multiclass_one_vs_rest(model: Any, classes: np.ndarray) -> bool:
    """Whether ``model`` is a fitted ``OneVsRestClassifier`` with one binary
    model per class (more than two classes)."""
    inner = getattr(model, "estimators_", None)
    return (
        type(model).__name__ == "OneVsRestClassifier"
        and isinstance(inner, list)
        and len(classes) > 2
        and len(inner) == len(classes)
    )


def _refuse_class_weighted_one_vs_rest(
    priors: np.ndarray,
    model: Any,
    y: Any,
    classes: np.ndarray,
    sample_weight: Any,
) -> None:
    """Raise ValueError when a binary model of a multiclass
    ``OneVsRestClassifier`` weights its classes: each then follows its own
    priors of its class against the rest, and their normalised probabilities
    follow no one set of class priors."""
    encoded = _positions_in(y, classes)
    binary_classes = np.array([0, 1])
    for c, inner in enumerate(model.estimators_):
        shares = np.array([1.0 - priors[c], priors[c]])
        if shares.min() <= 0:
            continue
        rest = (encoded == c).astype(np.intp)
        seen = with_class_weight(
            shares,
            inner,
            rest,
            binary_classes,
            sample_weight,
            held_out=False,
            draws="biased",
        )
        if not np.allclose(seen, shares, rtol=0, atol=1e-9):
            raise ValueError(
                "The estimator's OneVsRestClassifier has binary models that "
                "weight their classes (class_weight or a booster's class "
                f"weights: the one for {classes.tolist()[c]!r} sees it at "
                f"{float(seen[1]):.4g} against the rest, not "
                f"{float(shares[1]):.4g}), so its normalised probabilities "
                "follow no one set of class priors: pass train_priors."
            )


def _refuse_class_weighted_sgd(model: Any, classes: np.ndarray) -> None:
    """Raise ValueError for a multiclass ``SGDClassifier`` that weights its
    classes: it fits one binary model per class, weighting that class by its
    ``class_weight`` against the rest at weight 1 (not at the rest's own
    weights), and normalises their probabilities, as a class-weighted
    ``OneVsRestClassifier``: they follow no one set of class priors."""
    from sklearn.linear_model import SGDClassifier

    if (
        not isinstance(model, SGDClassifier)
        or len(classes) <= 2
        or getattr(model, "class_weight", None) is None
    ):
        return
    # The weights its fit applied, one per class (1 for a class the dict
    # leaves out); unknown (another scikit-learn version): refused.
    applied = getattr(model, "_expanded_class_weight", None)
    try:
        applied = np.asarray(applied, dtype=np.float64)
    except (TypeError, ValueError):
        applied = None
    if (
        applied is not None
        and applied.shape == (len(classes),)
        and np.all(applied == 1.0)
    ):
        return
    raise ValueError(
        "The estimator's SGDClassifier weights the classes (class_weight="
        f"{model.class_weight!r}) of a multiclass problem: it fits one binary "
        "model per class, that class weighted against the rest at weight 1, "
        "and normalises their probabilities, which then follow no one set of "
        "class priors: pass train_priors, or fit it without class_weight."
    )


def _times(priors: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """``priors * factors`` renormalised (``priors`` where that is not finite
    or all zero)."""
    weighted_priors = priors * factors
    total = weighted_priors.sum()
    return weighted_priors / total if total > 0 and np.isfinite(total) else priors


def _sklearn_class_weighted(
    priors: np.ndarray,
    model: Any,
    keys: list,
    y: Any,
    classes: np.ndarray,
    sample_weight: Any,
) -> np.ndarray:
    """:func:`with_class_weight`'s rule for scikit-learn's ``class_weight``."""
    if _probability_svc(model):
        # libsvm fits its Platt scaling on the labels alone, unweighted by
        # class_weight and sample_weight (it drops the rows of weight 0):
        # its probabilities follow the shares of those labels.
        kept = None
        if sample_weight is not None:
            kept = (np.asarray(sample_weight, dtype=np.float64) > 0).astype(float)
        return class_priors(y, classes, kept)
    class_weight = getattr(model, "class_weight", None)
    if class_weight is None:
        return priors
    if isinstance(class_weight, str) and class_weight in _BALANCED:
        # n / (n_classes * n_c), n_c the class's count: weighted by the
        # sample weights for the estimators whose fit does so (scikit-learn's
        # logistic regressions and liblinear SVMs), else the plain count.
        weighted = sample_weight is not None and _balances_weighted_counts(
            model, class_weight
        )
        counts = priors if weighted else class_priors(y, classes)
        with np.errstate(divide="ignore"):
            factors = np.where(counts > 0, 1.0 / np.where(counts > 0, counts, 1), 0.0)
    elif isinstance(class_weight, Mapping):
        factors = np.array(
            [_class_weight_of(class_weight, key) for key in keys], dtype=np.float64
        )
    else:  # a form this rule does not know (multi-output lists, ...)
        return priors
    return _times(priors, factors)


_BALANCED = frozenset({"balanced", "balanced_subsample"})
# LightGBM's names for its binary class balancing.
_UNBALANCE_ALIASES = ("is_unbalance", "unbalance", "unbalanced_sets")
# LightGBM's names for its one-vs-rest objective (which balances each class
# against the rest: no one factor per class).
_LIGHTGBM_OVA = frozenset({"multiclassova", "multiclass_ova", "ova", "ovr"})
# XGBoost's objectives that weight the positive rows by scale_pos_weight and
# give probabilities.
_XGBOOST_LOGISTIC = frozenset({"binary:logistic", "binary:logitraw", "reg:logistic"})


def _booster_library(model: Any) -> str | None:
    """``'lightgbm'``, ``'xgboost'`` or ``'catboost'`` for a model of that
    library, else None."""
    root = type(model).__module__.partition(".")[0]
    return root if root in ("lightgbm", "xgboost", "catboost") else None


def _is_true(value: Any) -> bool:
    """A boolean parameter as LightGBM reads it: True (also numpy's), or the
    strings ``'true'`` / ``'+'`` in any case."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return isinstance(value, str) and value.lower() in ("true", "+")


def _lightgbm_objective(model: Any, params: dict, binary: bool) -> Any:
    """The objective a fitted LightGBM classifier was trained with (its
    ``objective_``; else its parameter, else LightGBM's default)."""
    try:
        objective = model.objective_
    except Exception:  # not fitted (or an older LightGBM): the parameter
        objective = params.get("objective")
    if objective is None:
        objective = "binary" if binary else "multiclass"
    return objective.lower() if isinstance(objective, str) else objective


def _booster_class_factors(
    model: Any,
    y: Any,
    classes: np.ndarray,
    keys: list | None = None,
    weighted: np.ndarray | None = None,
) -> Any:
    """Per-class weight factors, in ``classes`` order, that a gradient-boosting
    classifier applies through its own parameters rather than
    ``class_weight``, or None where it applies none. As the libraries do:

    - ``scale_pos_weight`` (binary only: the weight of ``classes[1]``):
      LightGBM with its ``'binary'`` objective, XGBoost with a logistic one,
      CatBoost (which refuses it otherwise);
    - LightGBM's ``is_unbalance`` (aliases ``unbalance``, ``unbalanced_sets``;
      ``True``, ``'true'`` or ``'+'``), ``'binary'`` objective: 1 / the row
      count of each class, unweighted by ``sample_weight``;
    - CatBoost's ``auto_class_weights`` (``'Balanced'``: largest count /
      count, ``'SqrtBalanced'``: its square root; counts weighted by
      ``sample_weight`` when given, ``weighted`` here) and ``class_weights``
      (a list in the order of ``classes_``, or a dict by class).

    The parameters of one library do nothing in another (each ignores the
    others' names). A model of another library gets the rules of all three.
    Raises ValueError where the weighting is not one factor per class
    (LightGBM's one-vs-rest objective with class balancing).

    ``keys``: the labels the model was fitted on, for ``classes`` (a binary
    OneVsRestClassifier's model knows them as 0 and 1).
    """
    get_params = getattr(model, "get_params", None)
    try:
        params = get_params(deep=False) if callable(get_params) else {}
    except Exception:  # a model whose parameters cannot be read: none known
        return None
    library = _booster_library(model)
    keys = classes.tolist() if keys is None else keys
    binary = len(classes) == 2
    factors = np.ones(len(classes))
    applied = False
    scale = params.get("scale_pos_weight")
    scale = None if scale is None or float(scale) == 1.0 else float(scale)
    unbalance = any(_is_true(params.get(name)) for name in _UNBALANCE_ALIASES)
    if library == "lightgbm":
        objective = _lightgbm_objective(model, params, binary)
        if objective in _LIGHTGBM_OVA and (scale is not None or unbalance):
            raise ValueError(
                "The LightGBM classifier balances each class against the rest "
                "(objective='multiclassova' with is_unbalance or "
                "scale_pos_weight): its class priors are not known. Pass "
                "train_priors explicitly, or use objective='multiclass'."
            )
        if objective != "binary":  # LightGBM ignores them
            scale, unbalance = None, False
    elif library == "xgboost":
        objective = params.get("objective")
        if binary and scale is not None and objective is not None:
            if not isinstance(objective, str):  # a custom objective ignores it
                scale = None
            elif objective not in _XGBOOST_LOGISTIC:
                raise ValueError(
                    f"The XGBoost classifier has scale_pos_weight with "
                    f"objective={objective!r}: how it weights the classes is "
                    "not known. Pass train_priors explicitly."
                )
        unbalance = False
    elif library == "catboost":
        unbalance = False
    if binary and scale is not None:
        factors[1] *= scale
        applied = True
    if binary and unbalance:
        counts = class_priors(y, classes)
        factors *= np.where(counts > 0, 1.0 / np.where(counts > 0, counts, 1), 0.0)
        applied = True
    if library in ("lightgbm", "xgboost"):  # CatBoost's parameters: ignored
        return factors if applied else None
    auto = params.get("auto_class_weights")
    if isinstance(auto, str) and auto in ("Balanced", "SqrtBalanced"):
        if library == "catboost" and weighted is not None:
            counts = np.asarray(weighted, dtype=np.float64)
        else:
            counts = class_priors(y, classes)
        safe = np.where(counts > 0, counts, 1)
        ratio = np.where(counts > 0, counts.max() / safe, 0.0)
        factors *= ratio if auto == "Balanced" else np.sqrt(ratio)
        applied = True
    weights = params.get("class_weights")
    if weights is not None:
        if isinstance(weights, Mapping):
            given_by_key = {
                (k.item() if isinstance(k, np.generic) else k): v
                for k, v in weights.items()
            }
            given = [float(given_by_key.get(key, 1.0)) for key in keys]
        else:
            given = np.asarray(weights, dtype=np.float64).ravel().tolist()
        if len(given) != len(classes):
            raise ValueError(
                f"class_weights has {len(given)} entries for {len(classes)} "
                "classes: give one weight per class, in class order, or a dict."
            )
        factors *= np.asarray(given, dtype=np.float64)
        applied = True
    return factors if applied else None


def _class_weighted_model(estimator: Any, classes: np.ndarray) -> tuple[Any, list]:
    """The model whose ``class_weight`` applies, and the keys its dict uses
    for ``classes``: the final estimator, or the one binary model of a
    fitted two-class ``OneVsRestClassifier`` (whose labels are 0 and 1).
    A ``HistGradientBoostingClassifier`` applies its dict to its labels
    encoded ``0..n_classes-1`` (``{1: 5}`` weights ``classes_[1]``, whatever
    the labels): its keys are those codes."""
    model = final_step(estimator, searches=True)
    inner = _binary_one_vs_rest_model(model, classes)
    if inner is not None:
        model, keys = inner, [0, 1]
    else:
        keys = classes.tolist()
    if _weights_encoded_labels(model):
        keys = list(range(len(classes)))
    return model, keys


def _weights_encoded_labels(model: Any) -> bool:
    """Whether ``model`` applies a ``class_weight`` dict to its labels
    encoded ``0..n_classes-1`` rather than to the labels themselves
    (scikit-learn's ``HistGradientBoostingClassifier``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return isinstance(model, HistGradientBoostingClassifier)


def _binary_one_vs_rest_model(model: Any, classes: np.ndarray) -> Any:
    """The final model inside a fitted two-class ``OneVsRestClassifier``
    (its one binary model, trained on labels 0 and 1 for ``classes`` in
    order), else None."""
    inner = getattr(model, "estimators_", None)
    if (
        type(model).__name__ == "OneVsRestClassifier"
        and isinstance(inner, list)
        and len(inner) == 1
        and len(classes) == 2
    ):
        return final_step(inner[0], searches=True)
    return None


def _class_weight_of(class_weight: Mapping, label: Any) -> float:
    """The weight of ``label`` in a class_weight dict, looked up as
    scikit-learn's ``compute_class_weight`` does (``int(label)`` when it is
    one, else ``str(label)``), then as the label itself; 1 when absent."""
    given = {
        (k.item() if isinstance(k, np.generic) else k): v
        for k, v in class_weight.items()
    }
    try:
        key: Any = int(label)
    except (TypeError, ValueError):
        key = str(label)
    for candidate in (key, label):
        if candidate in given:
            return float(given[candidate])
    return 1.0


def _probability_svc(model: Any) -> bool:
    from sklearn.svm._base import BaseSVC

    if not isinstance(model, BaseSVC):
        return False
    # scikit-learn 1.9's default is the string "deprecated" (no probabilities);
    # np.True_ counts as True. The fitted value first.
    probability = getattr(
        model, "_effective_probability", getattr(model, "probability", False)
    )
    return not isinstance(probability, str) and bool(probability)


def _balanced_by_weighted_counts() -> tuple[type, ...]:
    """scikit-learn's estimators whose ``'balanced'`` class weights come from
    the sample-weighted class counts (their fit passes ``sample_weight`` to
    ``compute_class_weight``)."""
    import inspect

    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.svm import LinearSVC
    from sklearn.utils.class_weight import compute_class_weight

    if "sample_weight" not in inspect.signature(compute_class_weight).parameters:
        return ()
    return (LogisticRegression, LogisticRegressionCV, LinearSVC)


def _balances_weighted_counts(model: Any, class_weight: str) -> bool:
    """Whether ``model``'s ``'balanced'`` / ``'balanced_subsample'`` class
    weights come from the sample-weighted class counts: scikit-learn's
    logistic regressions and liblinear SVMs, and its forests where their
    fit weights the counts (scikit-learn >= 1.8: ``'balanced'``, and
    ``'balanced_subsample'`` without bootstrap) or draws each tree's
    bootstrap rows by ``sample_weight`` (``'balanced_subsample'`` then
    balances each draw exactly)."""
    if isinstance(model, _balanced_by_weighted_counts()):
        return True
    from sklearn.ensemble._forest import ForestClassifier

    if not isinstance(model, ForestClassifier):
        return False
    if class_weight == "balanced_subsample" and getattr(model, "bootstrap", False):
        return _forest_draws_by_weight()
    return _forest_weighs_balanced_counts()


@functools.cache
def _forest_weighs_balanced_counts() -> bool:
    """Whether scikit-learn's forests count the classes for ``'balanced'``
    weighted by ``sample_weight`` (asked of the forest itself, on 3 rows:
    class 0 twice at weight 1, class 1 once at weight 2, equal weighted
    counts)."""
    from sklearn.ensemble import RandomForestClassifier

    forest = RandomForestClassifier(class_weight="balanced")
    forest.n_outputs_ = 1  # as its fit sets before this call
    try:
        _, expanded = forest._validate_y_class_weight(
            np.array([[0], [0], [1]]), np.array([1.0, 1.0, 2.0])
        )
    except (AttributeError, TypeError, ValueError):  # older: unweighted counts
        return False
    expanded = np.asarray(expanded, dtype=np.float64)
    return bool(np.isclose(expanded[0], expanded[2]))


@functools.cache
def _forest_draws_by_weight() -> bool:
    """Whether scikit-learn's forests draw their bootstrap rows with
    probabilities proportional to ``sample_weight`` (then pass the counts as
    the trees' weights)."""
    import inspect

    try:
        from sklearn.ensemble._forest import _generate_sample_indices
    except ImportError:
        return False
    return "sample_weight" in inspect.signature(_generate_sample_indices).parameters


def _held_out_priors(
    model: Any, estimator: Any, classes: np.ndarray, sample_weight: Any
) -> np.ndarray | None:
    """The class priors of the rows ``model`` was trained on when it keeps
    some of the rows it is given out of training, to decide when to stop
    early (a stratified split: the class shares of ``y`` within a row, but
    not the weights' shares). None for any other model (its training rows
    are those given).

    - ``HistGradientBoostingClassifier`` with ``do_early_stopping_``: the
      priors of its baseline prediction, fitted on its training rows with
      their sample and class weights;
    - ``GradientBoostingClassifier`` with ``n_iter_no_change``: its
      ``init_`` model's ``class_prior_`` (a ``DummyClassifier``, fitted on
      its training rows);
    - ``MLPClassifier`` / ``SGDClassifier`` with ``early_stopping=True`` and
      ``sample_weight``: the weighted priors of rows drawn by an unrecorded
      seed are unknown (ValueError).
    """
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
    )
    from sklearn.linear_model import SGDClassifier
    from sklearn.neural_network import MLPClassifier

    name = type(model).__name__
    if isinstance(model, HistGradientBoostingClassifier):
        if not getattr(model, "do_early_stopping_", False):
            return None
        try:
            baseline = np.asarray(model._baseline_prediction, dtype=np.float64)
            shares = model._loss.predict_proba(baseline.reshape(1, -1))
        except (AttributeError, TypeError, ValueError):
            shares = None
    elif isinstance(model, GradientBoostingClassifier):
        if getattr(model, "n_iter_no_change", None) is None:
            return None
        from sklearn.dummy import DummyClassifier

        init = getattr(model, "init_", None)
        shares = (
            getattr(init, "class_prior_", None)
            if isinstance(init, DummyClassifier)
            else None
        )
    elif isinstance(model, (MLPClassifier, SGDClassifier)):
        if sample_weight is None or getattr(model, "early_stopping", False) is not True:
            return None
        shares = None
    else:
        return None
    if shares is None:
        raise ValueError(
            f"The estimator's {name} keeps a validation share of its rows out "
            "of training to stop early, and the class priors of the rows it "
            "trained on are not recorded: pass train_priors (the class shares "
            "of the rows the classifier was fitted on), or turn early "
            "stopping off."
        )
    return _in_class_order(shares, model, estimator, classes, name, clip=True)


def _chosen_priors(
    model: Any, estimator: Any, classes: np.ndarray
) -> np.ndarray | None:
    """The priors a scikit-learn generative classifier was given and its
    posteriors follow (Bayes' rule with them), read from the fitted model:
    ``GaussianNB(priors=...)`` (``class_prior_``), a discrete naive Bayes
    with ``class_prior`` or ``fit_prior=False`` (``class_log_prior_``),
    ``LinearDiscriminantAnalysis`` / ``QuadraticDiscriminantAnalysis(priors=
    ...)`` (``priors_``). None for any other model, or one that takes its
    priors from the rows (then those of ``y``). ``ComplementNB`` adds no
    class prior to its scores with two classes or more: uniform priors."""
    from sklearn.discriminant_analysis import (
        LinearDiscriminantAnalysis,
        QuadraticDiscriminantAnalysis,
    )
    from sklearn.dummy import DummyClassifier
    from sklearn.naive_bayes import (
        BernoulliNB,
        CategoricalNB,
        ComplementNB,
        GaussianNB,
        MultinomialNB,
    )

    name = type(model).__name__
    shares: Any
    if isinstance(model, DummyClassifier):
        # strategy='uniform' gives 1 / n_classes for each class, whatever
        # the rows: its probabilities follow uniform priors.
        own = getattr(model, "classes_", None)
        if getattr(model, "strategy", None) != "uniform" or not isinstance(
            own, np.ndarray
        ):
            return None
        shares = np.ones(len(own))
    elif isinstance(model, ComplementNB):
        own = getattr(model, "classes_", None)
        if own is None or len(own) < 2:
            return None
        shares = np.ones(len(own))
    elif isinstance(model, GaussianNB):
        if getattr(model, "priors", None) is None:
            return None
        shares = getattr(model, "class_prior_", None)
    elif isinstance(model, (MultinomialNB, BernoulliNB, CategoricalNB)):
        if getattr(model, "class_prior", None) is None and getattr(
            model, "fit_prior", True
        ):
            return None
        logs = getattr(model, "class_log_prior_", None)
        shares = None if logs is None else np.exp(np.asarray(logs, dtype=float))
    elif isinstance(model, (LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis)):
        if getattr(model, "priors", None) is None:
            return None
        shares = getattr(model, "priors_", None)
    else:
        return None
    if shares is None:
        return None
    priors = _in_class_order(shares, model, estimator, classes, name)
    return priors if np.isfinite(priors).all() else None


def _in_class_order(
    shares: Any,
    model: Any,
    estimator: Any,
    classes: np.ndarray,
    name: str,
    clip: bool = False,
) -> np.ndarray:
    """Priors ``shares`` recorded by ``model`` (in the order of its
    ``classes_``) in the order of ``classes``, summing to 1. ``clip``: a
    baseline computed from the rows (a held-out one), whose class of no
    weight comes out a rounding error above 0, is 0 below 100 eps; priors
    the user chose (``GaussianNB(priors=...)``) are read as they are."""
    values = np.asarray(shares, dtype=np.float64).ravel()
    own = np.asarray(model.classes_)
    if values.shape[0] != len(classes) or len(own) != len(classes):
        raise ValueError(
            f"The estimator's {name} has classes {own.tolist()} but y has "
            f"{classes.tolist()}: they must be fitted on the same labels."
        )
    if clip:
        # Clipped at 100 eps: a class of no weight has none.
        values = np.where(values > 100 * np.finfo(np.float64).eps, values, 0.0)
    priors = np.empty(len(classes), dtype=np.float64)
    if _binary_one_vs_rest_model(final_step(estimator, searches=True), classes):
        priors[:] = values  # its labels 0 and 1 are classes[0] and classes[1]
    else:
        priors[class_positions(own, classes, "estimator")] = values
    return priors / priors.sum()


def _aligned_priors(source: Any, classes: np.ndarray, name: str) -> np.ndarray:
    """``source.resampled_priors_`` reordered to ``classes``."""
    if source.resampled_priors_ is None:  # its classifier resamples again
        raise ValueError(
            f"{name} is a ResampledClassifier whose resampled_priors_ is None "
            "(its classifier resamples its rows again in a way that does not "
            "record which rows it kept, or is frozen: fitted earlier, on other "
            "rows), so the class priors it was trained on are unknown: pass "
            "train_priors."
        )
    own = np.asarray(source.classes_)
    if len(own) != len(classes):
        raise ValueError(
            f"{name} has classes {own.tolist()} but y has {classes.tolist()}: they "
            "must be fitted on the same labels."
        )
    positions = class_positions(own, classes, name)
    priors = np.empty(len(classes), dtype=np.float64)
    priors[positions] = source.resampled_priors_
    return check_priors(priors, classes, name, positive=True)


def given_train_priors(
    source: Any, classes: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """π' as ``train_priors`` gives it, checked; None for ``'auto'``.

    The one place that reads each form of ``train_priors``. Given priors
    describe the whole training set, so cross-validation folds use them too.
    """
    if isinstance(source, str):  # 'auto': read from the fitted estimator
        return None
    if hasattr(source, "fit_resample"):
        indices = getattr(source, "sample_indices_", None)
        if indices is None:
            raise ValueError(
                f"train_priors={type(source).__name__}(...) has no "
                "sample_indices_: pass a rebalance sampler after calling its "
                "fit_resample on the labels given to this fit. (clone, "
                "cross_validate and grid searches pass on an unfitted copy: "
                "wrap the fitted sampler in sklearn.frozen.FrozenEstimator, or "
                "pass the priors as an array, e.g. [0.5, 0.5].)"
            )
        indices = np.asarray(indices)
        if len(indices) and int(np.max(indices)) >= len(y):
            raise ValueError(
                f"train_priors sampler drew row {int(np.max(indices))} but y "
                f"has {len(y)} rows: fit the sampler on the same y as "
                "ThresholdMover. (In cross_validate or a grid search each fit "
                "sees only some of the rows: pass the priors as an array "
                "instead, e.g. [0.5, 0.5].)"
            )
        drawn = class_priors(take_rows(y, indices), classes)
        return check_priors(drawn, classes, "train_priors", positive=True)
    if hasattr(source, "predict"):
        if not hasattr(source, "resampled_priors_"):
            raise ValueError(
                f"train_priors={type(source).__name__}(...) has no "
                "resampled_priors_: pass a fitted ResampledClassifier, a fitted "
                "rebalance sampler, or the priors as an array. (clone, "
                "cross_validate and grid searches pass on an unfitted copy: "
                "wrap the fitted classifier in sklearn.frozen.FrozenEstimator.)"
            )
        return _aligned_priors(source, classes, "train_priors")
    return check_priors(source, classes, "train_priors", positive=True)


def model_priors(
    estimator: Any,
    classes: np.ndarray,
    fix: str,
    y: Any = None,
    sample_weight: Any = None,
) -> Any:
    """π' read from the fitted model that makes the probabilities of
    ``estimator`` rather than from the labels: a ResampledClassifier's
    ``resampled_priors_`` (also as the one model of a binary
    OneVsRestClassifier), a ThresholdMover's deployment priors (its
    probabilities are moved to them), an ensemble's (:func:`ensemble_priors`).
    None for any other model. ValueError ending with ``fix`` where they are
    not known, e.g. a temperature-scaled classifier that resamples or
    weights its classes (:func:`_refuse_temperature_of_reweighted`; ``y``
    and ``sample_weight``: the labels and weights it was fitted on)."""
    model = final_step(estimator, searches=True)
    if y is not None:
        _refuse_temperature_of_reweighted(model, y, classes, sample_weight, fix)
    if hasattr(model, "resampled_priors_"):
        return _aligned_priors(model, classes, "estimator")
    inner = _binary_one_vs_rest_model(model, classes)
    if inner is not None:
        # Its labels are 0 and 1, for classes[0] and classes[1]: its own
        # priors (a ResampledClassifier's, a ThresholdMover's, ...).
        binary = model_priors(inner, np.array([0, 1]), fix)
        if binary is not None:
            return check_priors(binary, classes, "estimator", positive=True)
    if _fitted_threshold_mover(model):  # with deploy priors (else unwrapped)
        if isinstance(model._deploy, str):
            raise ValueError(
                "The estimator is a ThresholdMover with deploy_priors='em': its "
                "probabilities are moved to priors estimated anew on the rows of "
                f"each call, so the class priors they follow are unknown: {fix}"
            )
        own = np.asarray(model.classes_)
        if len(own) != len(classes):
            raise ValueError(
                f"The estimator has classes {own.tolist()} but y has "
                f"{classes.tolist()}: they must be fitted on the same labels."
            )
        moved = np.empty(len(classes), dtype=np.float64)
        moved[class_positions(own, classes, "estimator")] = model._deploy
        if (moved <= 0).any():
            raise ValueError(
                "The estimator is a ThresholdMover whose deploy_priors give a "
                f"class prior 0 ({moved.tolist()}): its probabilities cannot be "
                f"moved from there: {fix}"
            )
        return check_priors(moved / moved.sum(), classes, "estimator")
    return ensemble_priors(estimator, classes, fix)


def _refuse_temperature_of_reweighted(
    model: Any, y: Any, classes: np.ndarray, sample_weight: Any, fix: str
) -> None:
    """Raise ValueError ending with ``fix`` for a fitted
    ``CalibratedClassifierCV(method='temperature')`` whose classifier
    resamples or weights its classes: temperature scaling divides the scores
    by one number and refits no offset, so its probabilities keep (a
    distorted form of) the classifier's class balance, neither the priors of
    ``y`` (as sigmoid and isotonic calibration, fitted on rows of ``y``, give)
    nor any known priors."""
    calibrated = getattr(model, "calibrated_classifiers_", None)
    if (
        type(model).__name__ != "CalibratedClassifierCV"
        or getattr(model, "method", None) != "temperature"
        or not isinstance(calibrated, list)
        or not calibrated
    ):
        return
    base = getattr(calibrated[0], "estimator", None)
    if base is None:
        return
    plain = class_priors(y, classes, sample_weight)
    try:
        # (Its classifier was fitted on the rows of one fold: a bagging's
        # draws are not rows of y, only whether they were drawn by weight.)
        reweighted = _unwrapped(base)[1] or (
            model_priors(base, classes, fix) is not None
            or _draws_by_weight(final_step(base, searches=True))
            or not np.allclose(
                with_class_weight(
                    plain,
                    base,
                    y,
                    classes,
                    sample_weight,
                    held_out=False,
                    draws="none",
                ),
                plain,
                rtol=0,
                atol=1e-12,
            )
        )
    except ValueError:
        reweighted = True
    if reweighted:
        raise ValueError(
            "The estimator's CalibratedClassifierCV(method='temperature') "
            "calibrates a classifier that resamples or weights its classes: "
            "temperature scaling only divides its scores by one number, so "
            "its probabilities follow neither the priors of y nor any known "
            "ones. Use method='sigmoid' or 'isotonic' (fitted on rows of y), "
            f"or {fix}"
        )


def auto_train_priors(
    estimator: Any,
    classes: np.ndarray,
    y: np.ndarray,
    sample_weight: Any,
    frozen: bool = False,
) -> np.ndarray:
    """π' for ``train_priors='auto'`` of ``estimator`` fitted on ``y``: the
    priors of the labels its final model saw (:func:`labels_seen`)."""
    fix = (
        "pass train_priors (the class shares of the rows the classifier was "
        "fitted on, e.g. [0.5, 0.5] after balancing two classes)."
    )
    y = labels_seen(estimator, y, sample_weight, fix, frozen)
    own = model_priors(estimator, classes, fix, y, sample_weight)
    if own is not None:
        return own
    train = class_priors(y, classes, sample_weight)
    if (train <= 0).any():
        missing = classes[train <= 0].tolist()
        if sample_weight is not None:
            # Rows there are: their weights are 0 (a class of a bootstrap's
            # counts of 0, in a BaggingClassifier).
            given = class_priors(y, classes)
            unweighted = [c for c, n in zip(missing, given[train <= 0]) if n > 0]
            if unweighted:
                raise ValueError(
                    f"sample_weight is 0 on every row of y of the classes "
                    f"{unweighted} (a row of weight 0 counts as left out, as in "
                    "scikit-learn), so their training priors are unknown: give "
                    "rows of every class a positive weight, or pass train_priors "
                    "explicitly."
                )
        raise ValueError(
            f"y has no rows of the classes {missing}, so their training "
            "priors are unknown: pass train_priors explicitly."
        )
    # The classifier's class_weight weights the rows as sample_weight does.
    # A frozen model's draws (a BaggingClassifier's) are not rows of y.
    train = with_class_weight(
        train, estimator, y, classes, sample_weight, draws="none" if frozen else "all"
    )
    if (train <= 0).any():
        missing = classes[train <= 0].tolist()
        raise ValueError(
            f"the estimator's class_weight gives the classes {missing} no "
            "weight (or, in a BaggingClassifier, no member's draw of the rows "
            "holds them), so their training priors are 0: pass train_priors "
            "explicitly."
        )
    return train


def given_deploy_priors(deploy: Any, classes: np.ndarray) -> DeployPriors:
    """``deploy_priors`` checked: an array, 'train', 'em' or None."""
    if deploy is None or isinstance(deploy, str):
        return deploy
    return check_priors(deploy, classes, "deploy_priors")
