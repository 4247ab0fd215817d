"""Metrics for imbalanced classification, and scoring a grid of thresholds.

:func:`g_mean_score` is the one geometric mean of the per-class recalls in
rebalance: :class:`~rebalance.ThresholdMover` tunes thresholds for it
(``scoring='g_mean'``) and ``rebalance compare`` reports it.

The private half scores every candidate threshold of
``ThresholdMover(strategy='tuned')`` at once: the usual metrics come straight
from the confusion counts of all thresholds, any other scorer is called once
per threshold.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning, UndefinedMetricWarning
from sklearn.metrics import get_scorer, recall_score

from rebalance._dask import check_paired
from rebalance._frames import counts_rows, is_pandas, reject_lazy
from rebalance._labels import (
    EncodedLabels,
    as_classifier_target,
    encode_labels,
    label_array,
    label_values,
    unreadable,
)
from rebalance._validation import check_sample_weight, equal_arrays

__all__ = ["g_mean_score"]

# ``metric(truth, scores, thresholds) -> one score per threshold``: ``truth``
# is boolean (the positive class), ``scores`` one score per row, a row is
# predicted positive when its score is >= the threshold.
_ThresholdMetric = Callable[
    ..., np.ndarray
]  # (truth, scores, thresholds, sample_weight)


def g_mean_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> float:
    """Geometric mean of the per-class recalls.

    For two classes this is ``sqrt(TPR * TNR)``, the square root of
    sensitivity times specificity. It is high only when every class is
    recognised, so unlike accuracy it cannot be won by always predicting the
    majority class. Equal to imbalanced-learn's ``geometric_mean_score``
    (default ``average='multiclass'``) when every predicted class occurs in
    ``y_true``; when ``y_pred`` has a class that ``y_true`` lacks,
    imbalanced-learn counts it (recall 0, so a G-mean of 0) and this function
    ignores it (with ``labels=None``, only the classes of ``y_true`` count).
    It has no ``average``, ``pos_label`` or ``correction``: for
    imbalanced-learn's per-class (``average=None``), binary or weighted
    variants, or its ``correction`` of recalls of 0, call
    ``imblearn.metrics.geometric_mean_score``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_pred : array-like of shape (n_samples,)
        Predicted class labels.
    labels : array-like of shape (n_labels,), default=None
        The classes whose recalls are multiplied, each once (duplicates are
        an error), of the kind of ``y_true``'s classes (strings or numbers:
        a label of the other kind, or a missing one, is an error, as is a
        ``y_pred`` of the other kind). ``None``: the classes of
        ``y_true``. A class given here that has no row in ``y_true`` has
        recall 0 (as in ``recall_score(..., zero_division=0)``), which makes
        the G-mean 0, with an ``UndefinedMetricWarning``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows in the recalls: finite, non-negative and not all
        zero. A row of weight 0 counts as absent, but its class stays a
        class of ``y_true``: a class whose rows all have weight 0 has recall
        0 and makes the G-mean 0, with an ``UndefinedMetricWarning`` (as in
        imbalanced-learn's
        ``geometric_mean_score``; scikit-learn's ``balanced_accuracy_score``
        leaves such a class out, with a warning).

    Returns
    -------
    float
        The G-mean, in [0, 1].

    See Also
    --------
    sklearn.metrics.balanced_accuracy_score : The arithmetic mean of the same
        recalls.

    Examples
    --------
    >>> from rebalance.metrics import g_mean_score
    >>> g_mean_score([0, 0, 1, 1], [0, 1, 1, 1])  # recalls 0.5 and 1
    0.7071...
    >>> g_mean_score([0, 0, 1, 1], [0, 0, 0, 0])  # the positive class is missed
    0.0
    """
    # pandas y_pred or sample_weight holding y_true's index in another order
    # (e.g. y_true sorted, y_pred not) paired every prediction with another
    # row's truth: a wrong score, without a word.
    _check_metric_rows(y_pred, "y_pred", y_true)
    _check_metric_rows(sample_weight, "sample_weight", y_true)
    # y_true may be an array: the weights paired with y_pred's rows too.
    _check_metric_rows(sample_weight, "sample_weight", y_pred, "y_pred")
    # The labels' own checks (missing labels, continuous values, one label a
    # row) name the argument, for y_pred as for y_true.
    encoded, truth = _metric_labels(y_true, "y_true")
    encoded_pred, predicted = _metric_labels(y_pred, "y_pred")
    if predicted.shape[0] != truth.shape[0]:
        raise ValueError(
            f"y_pred has {predicted.shape[0]} labels but y_true has "
            f"{truth.shape[0]}: pass one predicted label per row of y_true, in "
            "the same order."
        )
    # Strings never equal numbers: predictions of the other kind match no
    # class of y_true.
    _check_same_kind(encoded_pred.classes, "y_pred", encoded.classes)
    # numpy 2's StringDType classes as Python strings, as y_true's are read:
    # scikit-learn's recall_score cannot read them.
    classes = (
        encoded.classes
        if labels is None
        else as_classifier_target(_labels_array(labels))
    )
    if classes.ndim == 0 and not np.isscalar(labels):
        # A set, a dict or a generator: numpy holds it as one object, whose
        # "shape ()" says nothing of what was wrong.
        raise ValueError(
            f"labels is a {type(labels).__name__}, not a sequence of classes: "
            "pass a non-empty 1-D list of classes (e.g. sorted(labels)), or "
            "None for the classes of y_true."
        )
    if classes.ndim != 1 or classes.shape[0] == 0:
        raise ValueError(
            f"labels has shape {classes.shape}: pass a non-empty 1-D list of "
            "classes, or None for the classes of y_true."
        )
    if labels is not None:
        missing = [v for v in classes.tolist() if _is_missing(v)]
        if missing:
            raise ValueError(
                f"labels has missing values ({missing[:5]}), which are never a "
                "class (y_true cannot hold them): list the classes to score, or "
                "pass labels=None for the classes of y_true."
            )
        # labels=[0, 1] for string labels (or ['1'] for 1.0) named no class of
        # y_true: every recall 0 and a G-mean of 0, without a word.
        _check_same_kind(classes, "labels", encoded.classes)
    try:
        n_distinct = len(set(classes.tolist()))
    except TypeError as exc:  # a list or a set where a class label goes
        raise ValueError(
            f"labels has entries that are not class labels ({exc}): pass a "
            "flat list of classes as they are in y_true, e.g. [0, 1]."
        ) from exc
    if n_distinct != classes.shape[0]:
        raise ValueError(
            f"labels has duplicates ({classes.tolist()}): a class listed twice "
            "would count its recall twice in the geometric mean. List each class "
            "once."
        )
    weights = check_sample_weight(sample_weight, truth.shape[0], rows="y_true")
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if not float(weights.max()) > 0:
            raise ValueError(
                "sample_weight is all zeros: no row counts, so no recall is "
                "defined. Give at least one row a positive weight."
            )
        weights = _summable_weights(weights)
    # A class without a row (of positive weight) in y_true has no recall:
    # 0, as imbalanced-learn's and scikit-learn's metrics set it, with their
    # warning (a cross-validation fold lacking a class scored 0 silently).
    counted = truth if weights is None else truth[weights > 0]
    absent = np.asarray(classes)[~np.isin(classes, counted)]
    if absent.size:
        warnings.warn(
            f"g_mean_score: class(es) {absent[:10].tolist()} have no "
            "row (of positive sample_weight) in y_true: their recall is "
            "undefined and set to 0, which makes the G-mean 0.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    truth, predicted, classes = _text_as_codes(
        encoded, encoded_pred, classes, truth, predicted
    )
    recalls = recall_score(
        truth,
        predicted,
        labels=classes,
        average=None,
        sample_weight=weights,
        zero_division=0.0,
    )
    # The root of each recall, then the product: the product of many recalls
    # first would underflow to 0 (350 classes at recall 0.1).
    return float(np.prod(np.asarray(recalls, dtype=np.float64) ** (1.0 / len(recalls))))


# A sum of weights far from overflowing: 16 times it is still finite.
_LARGEST_WEIGHT_SUM = float(np.finfo(np.float64).max) / 16


def _summable_weights(weights: np.ndarray) -> np.ndarray:
    """Non-negative ``weights``, not all zero, as float64 whose sum is finite.

    Every metric here is a ratio of sums of weights. Sums of huge weights
    (1e308, or float16 60000s) overflow to inf, and made the metric NaN; a
    sum near the largest float overflows in scikit-learn's ``recall_score``
    (which sums two of them for its F-score, with RuntimeWarnings): those
    weights are scaled down until their sum is below that, and no further.
    Only those: dividing all weights by the largest turned a weight 1e-200
    next to a weight 1e200 into 0, and its class into one of no weight (a
    recall of 0 where scikit-learn's is 1).
    """
    weights = np.asarray(weights, dtype=np.float64)
    with np.errstate(over="ignore"):
        total = float(weights.sum())
    if total < _LARGEST_WEIGHT_SUM:
        return weights
    # One factor (below 1), so that the largest weight times the number of
    # rows is at most the bound: the smallest weights shrink as little as
    # they can.
    scale = _LARGEST_WEIGHT_SUM / weights.shape[0] / float(weights.max())
    return weights * scale


def _check_metric_rows(
    values: Any, name: str, reference: Any, reference_name: str = "y_true"
) -> None:
    """:func:`~rebalance._dask.check_paired` of pandas ``values`` against a
    pandas ``reference`` (``y_true``, or ``y_pred``: ``reference_name``),
    scored by position as scikit-learn's metrics do. Unless either index is
    a fresh ``RangeIndex`` 0 .. n - 1 (e.g. ``pd.Series(model.predict(X))``),
    which says nothing of the rows: it is paired by position."""
    if not (is_pandas(values, "Series") or is_pandas(values, "DataFrame")):
        return
    if not (is_pandas(reference, "Series") or is_pandas(reference, "DataFrame")):
        return
    if counts_rows(values.index) or counts_rows(reference.index):
        return
    check_paired(values, name, reference, reference_name, "g_mean_score")


def _labels_array(labels: Any) -> np.ndarray:
    """``np.asarray(labels)``, or a TypeError naming ``labels`` and the fix
    where numpy cannot read it (a torch tensor of bfloat16, one that requires
    grad or is not on the CPU)."""
    try:
        values = np.asarray(labels)
    except ValueError as exc:  # ragged: [[0, 1], [2]]
        raise ValueError(
            f"labels could not be read as a 1-D list of classes ({exc}): pass "
            "a flat list of classes, e.g. [0, 1]."
        ) from exc
    except (TypeError, RuntimeError, NotImplementedError) as exc:
        raise unreadable("labels", exc) from exc
    if isinstance(labels, (list, tuple)) and values.dtype.kind in "US":
        # numpy reads ['a', 1] as the strings 'a', '1' (and ['a', b'b'] as
        # 'a', 'b'): the label 1 then scored the class '1' of y_true. Kept as
        # they are, for _check_same_kind to refuse the other kind.
        kind = str if values.dtype.kind == "U" else bytes
        if not all(isinstance(v, kind) for v in labels):
            values = np.empty(len(labels), dtype=object)
            values[:] = list(labels)
    return values


def _metric_labels(y: Any, name: str) -> tuple[EncodedLabels, np.ndarray]:
    """The encoded labels of ``y`` and its 1-D numpy labels, for a metric.

    A column vector (shape ``(n, 1)``, e.g. a one-column DataFrame) is read as
    its column, with scikit-learn's ``DataConversionWarning``; a one-hot or
    multilabel matrix, an empty ``y`` and missing labels are errors naming
    ``name``.
    """
    reject_lazy(y, name)
    if isinstance(y, (list, tuple)):
        # label_array names the argument where numpy's own words for ragged
        # rows ("an inhomogeneous shape") name none.
        label_array(y, name)
    shape = np.shape(y) if isinstance(y, (list, tuple, np.ndarray)) else None
    if y is None or (shape is not None and (len(shape) == 0 or shape[0] == 0)):
        raise ValueError(
            f"{name} has shape {np.shape(y)}: pass a non-empty 1-D array of class "
            "labels, one per row."
        )
    dims = tuple(getattr(y, "shape", None) or np.shape(y))
    try:
        encoded, y_1d, one_hot = encode_labels(y, name=name)
    except ValueError as exc:
        # A matrix that is not one-hot (multilabel, multioutput): the labels'
        # own message offers "a one-hot matrix with exactly one 1 per row",
        # which a metric refuses too.
        if len(dims) == 2 and dims[0] > 0 and dims[1] != 1:
            raise _not_one_label_per_row(name, dims, one_hot=False) from exc
        raise
    if one_hot:
        raise _not_one_label_per_row(name, dims, one_hot=True)
    if len(getattr(y, "shape", None) or np.shape(y)) == 2:
        warnings.warn(
            f"A column-vector {name} was passed when a 1d array was expected. "
            "Please change the shape of y to (n_samples,), for example using "
            "ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
    # The values encode_labels read (an Arrow string_view column, which
    # np.asarray cannot hold, as objects); numpy 2's StringDType, which
    # scikit-learn's metrics cannot read, as Python strings.
    values = as_classifier_target(label_values(y_1d, name))
    if values.dtype == object and not {"text", "bytes"} & set(_kinds(encoded.classes)):
        # Numbers or booleans held as objects (a pandas object column): as
        # plain numbers, which scikit-learn reads as classes (an object array
        # of ints is of 'unknown' target type there, a ValueError).
        plain = np.asarray(encoded.classes.tolist())
        # Exact integers numpy would round to floats (2**53 + 1): kept as
        # objects, refused by scikit-learn rather than merged.
        if plain.dtype != object and plain.tolist() == encoded.classes.tolist():
            values = plain[encoded.codes]
    return encoded, values


def _not_one_label_per_row(
    name: str, dims: tuple[int, ...], one_hot: bool
) -> ValueError:
    """The error for a matrix ``name`` of shape ``dims`` where a metric takes
    one class label per row: a one-hot matrix (its fix: the column of each
    row's 1), or any other (multilabel, multioutput, one with missing
    entries: no fix here)."""
    if one_hot:
        # np.argmax, not name.argmax: pandas and polars DataFrames have none.
        return ValueError(
            f"{name} has shape {dims}, a one-hot matrix: pass one class label "
            f"per row, shape (n_samples,), e.g. np.argmax({name}, axis=1)."
        )
    return ValueError(
        f"{name} has shape {dims}: g_mean_score scores one class label per "
        "row, shape (n_samples,), not a matrix (multilabel and multioutput "
        "targets are not supported). Pass one column of class labels."
    )


def _text_as_codes(
    encoded: EncodedLabels,
    encoded_pred: EncodedLabels,
    classes: np.ndarray,
    truth: np.ndarray,
    predicted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """String labels, and labels held as other objects, as integer codes for
    ``recall_score``: ``classes`` are ``0..k-1`` and the other labels of
    ``y_true`` and ``y_pred`` follow.

    scikit-learn's ``recall_score(labels=...)`` compares object labels with
    ``np.isin``, which for objects loops over one array per element of the
    other: k^2 comparisons, 10 s for 10^4 string classes and 15 minutes for 10^5.
    String equality is hash equality, so the codes score the same recalls in
    O(n + k). Objects that are not strings (``decimal.Decimal`` labels read
    from a database, dates) are of an unknown target type there, a
    ValueError; as codes they are classes, equal where they compare equal.
    Other labels are returned as they are.
    """
    label_sets = (encoded.classes, encoded_pred.classes, classes)
    objects = any(a.dtype == object for a in (truth, predicted, classes))
    # Integers past 2**53 beside floats: numpy compares them as floats (the
    # class 2**53 + 1 is 2.0**53); as codes, by Python's exact equality.
    objects = objects or _big_integers_beside_floats(*label_sets)
    # Bytes too (a numpy 'S' array): scikit-learn refuses bytes labels with a
    # TypeError of its own, which names no argument.
    if not objects and not all(
        isinstance(v, (str, bytes)) for values in label_sets for v in values.tolist()
    ):
        return truth, predicted, classes
    ids: dict[Any, int] = {v: i for i, v in enumerate(classes.tolist())}
    true_ids, pred_ids = (
        np.fromiter(
            (ids.setdefault(v, len(ids)) for v in values.classes.tolist()),
            dtype=np.intp,
            count=values.classes.shape[0],
        )[values.codes]
        for values in (encoded, encoded_pred)
    )
    return true_ids, pred_ids, np.arange(classes.shape[0])


def _big_integers_beside_floats(*arrays: np.ndarray) -> bool:
    """Whether ``arrays`` hold floats and integers a float64 cannot hold
    exactly (beyond 2**53)."""
    kinds = {a.dtype.kind for a in arrays}
    if "f" not in kinds or not kinds & {"i", "u"}:
        return False
    return any(
        a.dtype.kind in "iu"
        and a.size > 0
        and (int(a.max()) > 2**53 or int(a.min()) < -(2**53))
        for a in arrays
    )


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA: its comparisons are NA
        return True
    except ValueError:  # an array: not one label (recall_score reports it)
        return False


def _kinds(values: np.ndarray) -> list[str | None]:
    """``'text'`` (str), ``'bytes'``, ``'number'`` (bool too) or None, per
    value. Bytes are a kind of their own: ``b'a' != 'a'`` in Python, but
    scikit-learn's ``recall_score`` matched ``labels=[b'a']`` with ``'a'``."""
    return [
        "text"
        if isinstance(v, str)
        else "bytes"
        if isinstance(v, bytes)
        else "number"
        if isinstance(v, (numbers.Number, np.bool_))
        else None
        for v in values.tolist()
    ]


def _check_same_kind(values: np.ndarray, name: str, classes: np.ndarray) -> None:
    """Raise if ``values`` (of argument ``name``) holds strings where the
    classes of y_true are numbers, or numbers where they are strings: such a
    value is never equal to a class of y_true."""
    y_kinds = set(_kinds(classes))
    if len(y_kinds) != 1 or None in y_kinds:
        return  # not one plain kind: recall_score judges them
    (y_kind,) = y_kinds
    other = [
        v for v, k in zip(values.tolist(), _kinds(values)) if k not in (None, y_kind)
    ]
    if other:
        (other_kind,) = _kinds(np.asarray(other[:1], dtype=object))
        fix = (
            "decode bytes with .decode() or .astype(str)"
            if "bytes" in (y_kind, other_kind)
            else "convert with .astype(str) or .astype(int)"
        )
        raise ValueError(
            f"{name} has {_KIND_NAMES.get(other_kind)} ({other[:5]}) but the classes "
            "of y_true are "
            f"{_KIND_NAMES.get(y_kind)} ({classes.tolist()[:5]}): a class is never "
            f"equal to a label of another kind, so its recall would be 0. Pass "
            f"{name} with the classes as they are in y_true (e.g. {fix})."
        )


# How _check_same_kind names each kind of _kinds.
_KIND_NAMES: dict[str | None, str] = {
    "text": "strings",
    "bytes": "bytes",
    "number": "numbers",
}


# --------------------------------------------------- scoring many thresholds


def _confusion_rates(
    truth: np.ndarray,
    scores: np.ndarray,
    thresholds: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> dict[str, Any]:
    """Confusion counts (summed ``sample_weight``) and rates of every
    threshold (arrays of n_thresholds).

    From the scores sorted once: the rows at or above a threshold are a
    suffix of the sorted rows, so each count is a prefix or suffix sum of
    the weights, O(n log n + n_thresholds log n) time and O(n) memory
    (comparing every threshold with every row took n_thresholds x n_rows
    booleans, and as floats 8 times that: gigabytes for 10^5 rows and 10^3
    thresholds)."""
    truth = truth.astype(bool)
    if sample_weight is None:
        sample_weight = np.ones(truth.shape[0])
    else:
        largest = float(sample_weight.max()) if sample_weight.size else 0.0
        if not largest > 0:
            # No row counts: every metric but accuracy scored each threshold
            # 0 (accuracy NaN), which lowered the mean over the folds (the
            # best_score_) without a word. scikit-learn's metrics refuse it.
            raise ValueError(
                "sample_weight is all zero on a validation fold: no row of it "
                "counts, so no metric is defined there. Use folds that each "
                "hold rows of positive weight (e.g. shuffle the rows, or "
                "another cv), or give those rows a weight."
            )
        sample_weight = _summable_weights(sample_weight)
    # A NaN score is never at or above a threshold (as ``scores >= t``).
    scores = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(scores, kind="stable")
    # The first sorted row at or above each threshold: rows from there on
    # are predicted positive (scores >= threshold).
    first = np.searchsorted(scores[order], thresholds, side="left")
    weight = sample_weight[order]
    is_pos = truth[order]
    pos_weight = np.where(is_pos, weight, 0.0)
    neg_weight = np.where(is_pos, 0.0, weight)
    # Missed and rejected weights summed from their own rows (prefix sums),
    # the predicted ones from theirs (suffix sums): n_pos - tp adds the same
    # weights in another order, an ulp that is not 0 where nothing is missed
    # (a G-mean of 1e-8 instead of 0) or below 0 (a NaN G-mean).
    zero = np.zeros(1)
    fn = np.concatenate([zero, np.cumsum(pos_weight)])[first]
    tn = np.concatenate([zero, np.cumsum(neg_weight)])[first]
    tp = np.concatenate([np.cumsum(pos_weight[::-1])[::-1], zero])[first]
    fp = np.concatenate([np.cumsum(neg_weight[::-1])[::-1], zero])[first]
    n_pos = float(sample_weight[truth].sum())
    n_neg = float(sample_weight[~truth].sum())
    # A class without rows has recall 0, as recall_score(zero_division=0).
    # Divided by tp + fn (tn + fp), not n_pos (n_neg), which sums the same
    # weights in another order: where nothing is missed the recall is then
    # exactly 1, not 1 - 1 ulp (which broke ties between equally good
    # thresholds by rounding: weights against repeated rows).
    tpr = _recall(tp, fn) if n_pos > 0 else np.zeros_like(tp)
    tnr = _recall(tn, fp) if n_neg > 0 else np.zeros_like(tp)
    # The recalls of the classes present (a validation fold may lack one):
    # balanced accuracy averages those with weight, as balanced_accuracy_score
    # (a class of zero weight is NaN there, and left out); the G-mean those
    # with rows, as g_mean_score (a class of zero weight has recall 0).
    rates = ((tpr, n_pos, truth.any()), (tnr, n_neg, (~truth).any()))
    weighted = [rate for rate, n, _ in rates if n > 0]
    with_rows = [rate for rate, _, rows in rates if rows]
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "tpr": tpr,
        "tnr": tnr,
        "present_weighted": weighted or [np.zeros_like(tp)],
        "present_rows": with_rows or [np.zeros_like(tp)],
    }


def _recall(hit: np.ndarray, missed: np.ndarray) -> np.ndarray:
    """``hit / (hit + missed)``, 0 where both are 0."""
    total = hit + missed
    return np.divide(hit, total, out=np.zeros_like(hit), where=total > 0)


def _f1(c: dict[str, Any]) -> np.ndarray:
    denominator = 2 * c["tp"] + c["fp"] + c["fn"]
    return np.divide(
        2 * c["tp"], denominator, out=np.zeros_like(c["tp"]), where=c["tp"] > 0
    )


def _precision(c: dict[str, Any]) -> np.ndarray:
    predicted = c["tp"] + c["fp"]
    return np.divide(
        c["tp"], predicted, out=np.zeros_like(c["tp"]), where=predicted > 0
    )


# The binary case of each metric, from the confusion rates. "g_mean" is
# g_mean_score on two classes.
_FROM_CONFUSION: dict[str, Callable[[dict[str, Any]], np.ndarray]] = {
    "f1": _f1,
    "balanced_accuracy": lambda c: np.mean(c["present_weighted"], axis=0),
    "g_mean": lambda c: (
        np.prod(c["present_rows"], axis=0) ** (1 / len(c["present_rows"]))
    ),
    "accuracy": lambda c: (c["tp"] + c["tn"]) / (c["tp"] + c["fp"] + c["fn"] + c["tn"]),
    "recall": lambda c: c["tpr"],
    "precision": _precision,
}


class _FixedPredictions(ClassifierMixin, BaseEstimator):
    """A stand-in classifier whose predictions are given, to call any scorer.

    ``predictions`` are those of the rows ``X`` (the rows the scorer is given);
    :meth:`predict` returns them for those rows: for ``X`` itself, for its
    rows in another order or a part of them (a pandas ``X`` with a unique
    index, taken by index labels, whose rows hold the values of ``X``'s rows
    so labelled), or for an array equal to it. Any other
    rows are a ValueError: predictions of rows never scored cannot be made
    up, and returning the given ones in their order would pair them with
    other rows (a threshold tuned on wrong scores, silently).
    """

    def __init__(
        self,
        predictions: np.ndarray | None = None,
        classes: Any = (0, 1),
        X: Any = None,
    ) -> None:
        self.predictions = predictions
        self.classes = classes
        self.X = X
        self.classes_ = np.array(classes)

    def predict(self, X: Any) -> np.ndarray | None:
        given = self.X
        if given is None or X is given or self.predictions is None:
            return self.predictions
        rows = _rows_of(X, given)
        if rows is None:
            raise ValueError(
                "the scorer given as scoring called estimator.predict on rows "
                "other than the X it was given (another order or a part of "
                "them, not a pandas frame with a unique index to match them "
                "by; or other rows, such as a holdout set, whose index labels "
                "the X given also holds), whose predictions are not known. Call "
                "estimator.predict(X) on the X the scorer receives, then index "
                "its result, e.g. "
                "estimator.predict(X)[order]."
            )
        return self.predictions[rows]


def _rows_of(X: Any, given: Any) -> np.ndarray | slice | None:
    """The positions in ``given`` (the rows a scorer was given) of the rows
    ``X``: all of them in order when ``X`` equals ``given``, those of its
    index labels when both are pandas objects with a unique index; else
    None."""
    if _pandas_rows(X) and _pandas_rows(given) and given.index.is_unique:
        positions = given.index.get_indexer(X.index)
        if not (positions >= 0).all():
            return None
        # Index labels name rows of one frame only: another frame (a holdout
        # set with its own 0..k-1 index) may hold the same labels, and its
        # rows would get the predictions of the scored rows so labelled.
        return positions if _same_values(X, given.iloc[positions]) else None
    try:
        same = equal_arrays(np.asarray(X), np.asarray(given))
    except (TypeError, ValueError):
        # Rows numpy cannot hold as one array (lists of tokens of different
        # lengths): compared row by row.
        same = _same_rows(X, given)
    return slice(None) if same else None


def _same_values(a: Any, b: Any) -> bool:
    """Whether the pandas objects ``a`` and ``b`` hold the same values (NaN
    equal to NaN), whatever their dtypes."""
    try:
        if a.equals(b):
            return True
        x, z = np.asarray(a), np.asarray(b)
    except (TypeError, ValueError):
        return False
    return equal_arrays(x, z)


def _same_rows(a: Any, b: Any) -> bool:
    """Whether the lists (or tuples) ``a`` and ``b`` hold equal rows (lists,
    arrays or other values)."""
    if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return False
    try:
        return len(a) == len(b) and all(np.array_equal(r, s) for r, s in zip(a, b))
    except (TypeError, ValueError):  # rows numpy cannot compare
        return False


def _pandas_rows(data: Any) -> bool:
    return is_pandas(data, "DataFrame") or is_pandas(data, "Series")


def _takes_sample_weight(scorer: Callable[..., float]) -> bool:
    """Whether ``scorer(estimator, X, y, sample_weight=...)`` can be called:
    scikit-learn's scorers can, when their metric takes the weights (they
    pass them on to it: ``make_scorer(f1_score)`` can,
    ``make_scorer(metric)`` of a ``metric(y_true, y_pred)`` cannot); a plain
    ``scorer(estimator, X, y)`` cannot. One that cannot is called without
    the weights."""
    metric = getattr(scorer, "_score_func", None)
    return _accepts_sample_weight(scorer) and (
        not callable(metric) or _accepts_sample_weight(metric)
    )


def _accepts_sample_weight(function: Callable[..., Any]) -> bool:
    """Whether ``function`` takes a ``sample_weight`` keyword (by name or
    through ``**kwargs``); True when its signature cannot be read."""
    try:
        parameters = _scorer_signature(function).parameters.values()
    except (TypeError, ValueError):  # no signature to read: try the weights
        return True
    return any(
        p.name == "sample_weight" or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


def _same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def scorer_pos_label(scoring: Any) -> tuple[bool, Any]:
    """``(True, label)`` when ``scoring`` is a scorer made with an explicit
    ``pos_label`` other than None (``make_scorer(f1_score, pos_label="cancer")``), else
    ``(False, None)``."""
    kwargs = getattr(scoring, "_kwargs", None)
    # pos_label=None (scikit-learn's averaged scorers, 'f1_macro', ...)
    # names no class.
    if isinstance(kwargs, dict) and kwargs.get("pos_label") is not None:
        return True, kwargs["pos_label"]
    return False, None


def _scorer_labels(scoring: Any) -> tuple[bool, Any]:
    """``(True, labels)`` when ``scoring`` is a scorer made with explicit
    ``labels`` (``make_scorer(g_mean_score, labels=["no", "yes"])``), else
    ``(False, None)``: those name classes of ``y``, which labels 0 and 1
    would never match (every recall 0, every score alike)."""
    kwargs = getattr(scoring, "_kwargs", None)
    if isinstance(kwargs, dict) and kwargs.get("labels") is not None:
        return True, kwargs["labels"]
    return False, None


def _threshold_metric(scoring: str | Callable[..., float]) -> _ThresholdMetric:
    """``metric(truth, scores, thresholds, sample_weight=None, labels=None,
    params=None, X=None) -> score per threshold`` for ``scoring``: a
    scikit-learn scorer name, ``'g_mean'``, or a scorer ``scorer(estimator,
    X, y, sample_weight=None)``, called with ``X``, the rows scored (a scorer
    of one's own may read them, e.g. an amount per row), or zeros.

    A scorer is called on labels 0 and 1 (1: the rows of ``truth``), or, when
    it names its own ``pos_label`` or ``labels`` and ``labels = (negative,
    positive)`` classes are given, on those classes (its ``pos_label`` is one
    of them).
    """
    if isinstance(scoring, str) and scoring in _FROM_CONFUSION:
        formula = _FROM_CONFUSION[scoring]

        def from_confusion(
            truth: np.ndarray,
            scores: np.ndarray,
            thresholds: np.ndarray,
            sample_weight: np.ndarray | None = None,
            labels: Any = None,
            params: dict[str, Any] | None = None,
            X: Any = None,
        ) -> np.ndarray:
            return formula(_confusion_rates(truth, scores, thresholds, sample_weight))

        return from_confusion
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    # A scorer naming classes of y (its pos_label or labels) scores them:
    # on labels 0 and 1 its labels=["no", "yes"] matched no row, and every
    # threshold scored 0 (the lowest one "best"), without a word.
    named = scorer_pos_label(scorer)[0] or _scorer_labels(scorer)[0]

    def per_threshold(
        truth: np.ndarray,
        scores: np.ndarray,
        thresholds: np.ndarray,
        sample_weight: np.ndarray | None = None,
        labels: Any = None,
        params: dict[str, Any] | None = None,
        X: Any = None,
    ) -> np.ndarray:
        if named and labels is not None:
            negative, positive = labels
            y = np.where(truth, positive, negative)
            classes = np.unique(np.array([negative, positive], dtype=y.dtype))

            def predicted(t: float) -> np.ndarray:
                return np.where(scores >= t, positive, negative)
        else:
            y = truth.astype(int)
            classes = np.array([0, 1])

            def predicted(t: float) -> np.ndarray:
                return (scores >= t).astype(int)

        if X is None:  # a scikit-learn scorer: it hands X to predict only
            X = np.zeros((y.shape[0], 1))
        kwargs = dict(params or {})
        if sample_weight is not None and _takes_sample_weight(scorer):
            kwargs["sample_weight"] = sample_weight
        try:
            return np.array(
                [
                    scorer(_FixedPredictions(predicted(t), classes, X), X, y, **kwargs)
                    for t in thresholds
                ]
            )
        except AttributeError as exc:  # it asked for probabilities or scores
            raise ValueError(_cannot_score(scoring, exc)) from exc

    return per_threshold


def _default_pos_label(scoring: Any) -> tuple[bool, Any]:
    """``(True, label)`` when ``scoring`` scores one class, the default
    ``pos_label`` of its metric, without naming it: scikit-learn's ``'f1'``,
    ``'precision'``, ``'recall'``, ``'jaccard'``, or
    ``make_scorer(fbeta_score, beta=2)`` score ``pos_label=1`` (the class
    scikit-learn's ``TunedThresholdClassifierCV`` tunes for them), else
    ``(False, None)`` (a named ``pos_label``, an averaged metric, a metric
    of no class, a plain callable)."""
    if isinstance(scoring, str):
        try:
            scorer = get_scorer(scoring)
        except ValueError:  # 'g_mean': not a scikit-learn scorer, of no class
            return False, None
    else:
        scorer = scoring
    kwargs = getattr(scorer, "_kwargs", None)
    metric = getattr(scorer, "_score_func", None)
    if not isinstance(kwargs, dict) or not callable(metric) or "pos_label" in kwargs:
        return False, None
    try:
        parameters = inspect.signature(metric).parameters
    except (TypeError, ValueError):
        return False, None
    pos_label = parameters.get("pos_label")
    if pos_label is None or any(
        pos_label.default is value for value in (inspect.Parameter.empty, None)
    ):
        return False, None
    average = parameters.get("average")
    if "average" in kwargs:
        averaged = kwargs["average"]
    else:
        averaged = "binary" if average is None else average.default
    if not (isinstance(averaged, str) and averaged == "binary"):
        return False, None  # pos_label is not read (macro, weighted, ...)
    return True, pos_label.default


def _check_label_metric(
    scoring: str | Callable[..., float],
    labels: Any = None,
    pos_label_given: bool = True,
) -> None:
    """Raise if ``scoring`` cannot score predicted labels (e.g. 'roc_auc'),
    names a ``pos_label`` that is not the positive class of ``labels``
    (``(negative, positive)`` of a binary tuning; None: one-vs-rest), or
    names its own ``labels`` in a one-vs-rest tuning or labels that are not
    classes of ``labels``; or, when ThresholdMover's ``pos_label`` is not
    given (``pos_label_given``), scores by default a class that is the
    negative one (``'f1'``, whose ``pos_label=1``, on classes ``[1, 2]``)."""
    if labels is not None and not pos_label_given:
        implicit, default = _default_pos_label(scoring)
        negative, positive = labels
        if (
            implicit
            and _same_label(default, negative)
            and not _same_label(default, positive)
        ):
            # scikit-learn's TunedThresholdClassifierCV tunes the metric of
            # class 1 there; ThresholdMover tuned the last class's, silently.
            raise ValueError(
                f"scoring={scoring!r} scores the class {default!r} (its metric's "
                f"default pos_label={default!r}, the class scikit-learn's "
                "TunedThresholdClassifierCV tunes for it), but without "
                "pos_label ThresholdMover tunes the last class, "
                f"{np.asarray([positive]).tolist()[0]!r}, and scores the metric "
                f"of that class. Say which class to tune: pos_label="
                f"{np.asarray([negative]).tolist()[0]!r} (as scikit-learn), or "
                f"pos_label={np.asarray([positive]).tolist()[0]!r}."
            )
    named, pos_label = scorer_pos_label(scoring)
    if (
        named
        and labels is not None
        and not any(_same_label(pos_label, label) for label in labels)
    ):
        raise ValueError(
            f"scoring={scoring!r} scores pos_label={pos_label!r}, which is not a "
            f"class of y (the classes are {np.asarray(labels).tolist()}): make "
            "the scorer with the pos_label of the class to tune."
        )
    if named and (labels is None or not _same_label(pos_label, labels[1])):
        tuned = None if labels is None else np.asarray(labels).tolist()[1]
        raise ValueError(
            f"scoring={scoring!r} scores pos_label={pos_label!r} as the positive "
            + (
                f"class, but ThresholdMover tunes the threshold of the class "
                f"{tuned!r}: set ThresholdMover(pos_label={pos_label!r}) "
                "too, or make the scorer with the same pos_label."
                if labels is not None
                else "class, but a multiclass tuning scores each class against "
                "the rest: pass a scorer without pos_label (e.g. 'f1')."
            )
        )
    named_labels, scorer_labels = _scorer_labels(scoring)
    if named_labels and labels is not None:
        listed = np.asarray(scorer_labels, dtype=object).ravel().tolist()
        unknown = [
            v for v in listed if not any(_same_label(v, label) for label in labels)
        ]
        if unknown:
            # Their rows would never exist: a G-mean of 0 at every threshold.
            raise ValueError(
                f"scoring={scoring!r} scores labels={scorer_labels!r}, but "
                f"{unknown[:5]} are not classes of y (the classes are "
                f"{np.asarray(labels).tolist()}): make the scorer with labels "
                "that are classes of y, as they are in y."
            )
    if named_labels and labels is None:
        raise ValueError(
            f"scoring={scoring!r} scores labels={scorer_labels!r}, classes of "
            "y, but a multiclass tuning scores each class against the rest on "
            "labels 0 and 1 (1: the class being tuned), not on the classes of "
            "y: pass a scorer without labels (e.g. 'f1' or "
            "make_scorer(g_mean_score))."
        )
    if isinstance(scoring, str) and scoring in _FROM_CONFUSION:
        return
    try:
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    except ValueError as exc:
        raise ValueError(_cannot_score(scoring, exc)) from exc
    # Judged by what it asks of the classifier: a user's scorer is never
    # called on made-up rows (it may need routed metadata, or log its calls).
    # A plain callable is judged by its first call, on a fold's rows.
    if not isinstance(scoring, str) and not hasattr(scorer, "_response_method"):
        try:
            _scorer_signature(scorer).bind(None, None, None)
        except TypeError as exc:
            raise ValueError(
                f"scoring={scoring!r} cannot be called as scorer(estimator, X, "
                f"y) ({exc}): pass a scorer name (e.g. 'f1'), or wrap a metric "
                "function with sklearn.metrics.make_scorer (e.g. "
                "make_scorer(f1_score))."
            ) from exc
        except ValueError:  # no signature to read: judged by its first call
            pass
    response = getattr(scorer, "_response_method", None)
    if response is not None:
        methods = (response,) if isinstance(response, str) else tuple(response)
        if "predict" not in methods:
            raise ValueError(_cannot_score(scoring, f"it reads {' or '.join(methods)}"))


def _scorer_signature(scorer: Callable[..., Any]) -> inspect.Signature:
    """The signature ``scorer`` is called with: its own (a scorer decorated
    with functools.wraps is called as itself, not as the metric it wraps),
    unless that is only ``(*args, **kwargs)`` (a validating wrapper, as
    around scikit-learn's metric functions): then the wrapped one's."""
    own = inspect.signature(scorer, follow_wrapped=False)
    generic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    if all(p.kind in generic for p in own.parameters.values()):
        return inspect.signature(scorer)
    return own


def _cannot_score(scoring: Any, why: Any) -> str:
    return (
        f"scoring={scoring!r} cannot score predicted labels ({why}); "
        "strategy='tuned' needs a metric of the predicted classes, such as "
        "'f1', 'balanced_accuracy', 'g_mean' or make_scorer(fbeta_score, "
        "beta=2). Ranking metrics like 'roc_auc' do not depend on the "
        "threshold."
    )


def __dir__() -> list[str]:
    # what tab completion shows (rebalance._namespace.public_names)
    from rebalance._namespace import public_names

    return public_names(globals(), __all__)
