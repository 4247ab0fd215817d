"""Cross-validated thresholds for ``ThresholdMover(strategy='tuned')``.

Two steps: :func:`cross_validated_scores` fits the estimator on the training
rows of each fold and scores the validation rows; :func:`best_thresholds`
picks, per tuned class, the candidate threshold of the best mean metric
across the folds.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    LeaveOneGroupOut,
    LeavePGroupsOut,
    StratifiedGroupKFold,
    TimeSeriesSplit,
    check_cv,
)
from sklearn.model_selection._split import _CVIterableWrapper
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.validation import _num_samples

from rebalance._frames import take_rows
from rebalance._labels import encode_labels
from rebalance._metadata import (
    fit_weight_of,
    is_pairwise,
    take_row_aligned,
    weights_as_rows,
)
from rebalance._priors import class_positions
from rebalance.metrics import _threshold_metric

# scikit-learn's splitters whose split needs groups (a splitter of another
# library may take them as an option).
_GROUP_SPLITTERS = (
    GroupKFold,
    GroupShuffleSplit,
    LeaveOneGroupOut,
    LeavePGroupsOut,
    StratifiedGroupKFold,
)

# (true labels of the validation rows, scores of shape (n_rows, n_classes),
# sample_weight of the validation rows as a float array, or None, the other
# metadata routed to the scorer, restricted to the validation rows, X of the
# validation rows for a scorer that may read it, else None)
Fold = tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any], Any]

# scores_of(fitted model, X of the validation rows, positions of its training
# rows) -> scores (n_rows, n_classes)
ScoresOf = Callable[[Any, Any, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TunedThresholds:
    """The outcome of tuning, one row per tuned class (one row when binary)."""

    thresholds: np.ndarray  # (n_tuned,) the chosen thresholds
    best_scores: np.ndarray  # (n_tuned,) their mean scores across the folds
    candidates: np.ndarray  # (n_tuned, n_candidates)
    mean_scores: np.ndarray  # (n_tuned, n_candidates)


def check_splitter(cv: Any, y: np.ndarray) -> Any:
    """``cv`` as a splitter (scikit-learn's ``check_cv``), refusing one that
    gives no folds: checked before any estimator is fitted.

    An iterable of ``(train, validation)`` pairs (a list, a generator) is read
    once here; use the returned splitter, not ``cv``, to split.
    """
    splitter = check_cv(cv, y, classifier=True)
    if isinstance(splitter, _CVIterableWrapper):
        n_splits = splitter.get_n_splits()
        # Each pair checked now, not once the estimator is fitted on all rows.
        for number, fold in enumerate(splitter.cv):
            _fold_pair(fold, len(y), number)
    else:
        n_splits = None
        # scikit-learn's splitters count their folds without X where they
        # can (PredefinedSplit(test_fold=[-1, ...]) has none), else raise a
        # ValueError; one of another library may need X: judged by its folds.
        if type(splitter).__module__.startswith("sklearn."):
            try:
                n_splits = splitter.get_n_splits(None, y, None)
            except (TypeError, ValueError):
                pass
    if isinstance(n_splits, Integral) and n_splits == 0:
        raise ValueError(
            f"cv={cv!r} gives no (train, validation) folds: pass an int (the "
            "number of stratified folds, e.g. cv=5), a splitter such as "
            "StratifiedKFold(5), or a non-empty list of (train, validation) "
            "index pairs."
        )
    return splitter


def _too_many_folds(cv: Any, y: np.ndarray, exc: ValueError) -> ValueError:
    """scikit-learn's error for more folds than a class (stratified) or the
    data have rows, naming ``cv`` (its words name ``n_splits``, which the
    user may never have set) and the fix; any other error as it is."""
    text = str(exc)
    by_class = "number of members in each class" in text
    if not (by_class or "greater than the number of samples" in text):
        return exc
    smallest = int(np.unique(y, return_counts=True)[1].min())
    if by_class:
        return ValueError(
            f"cv={cv!r} asks for more stratified folds than the smallest class "
            f"has rows ({smallest}): every fold needs a row of each class. Pass "
            f"cv={smallest} or fewer (an int is the number of stratified folds), "
            "or a splitter with fewer folds."
        )
    return ValueError(
        f"cv={cv!r} asks for more folds than y has rows ({len(y)}): pass "
        f"cv={smallest} or fewer (the rows of the smallest class: an int is "
        "the number of stratified folds), or a splitter with fewer folds."
    )


def check_split_groups(
    cv: Any,
    splitter: Any,
    split_params: dict[str, Any],
    routing: bool,
    n_samples: int | None = None,
) -> None:
    """Refuse one of scikit-learn's group splitters (``GroupKFold``,
    ``LeaveOneGroupOut``, ...) that would get no ``groups`` from
    ``split_params`` (the parameters routed to its ``split``), and
    ``groups`` of another length than the ``n_samples`` rows split, before
    any estimator is fitted: the splitter's own errors come only once the
    folds are drawn, and name neither ``cv``, ``groups`` nor the fix."""
    groups = split_params.get("groups")
    if groups is not None:
        try:
            n_groups: int | None = _num_samples(groups)
        except TypeError:  # not array-like: the splitter's own error
            n_groups = None
        except ValueError as error:  # a Dask array of unknown chunk sizes
            raise ValueError(
                f"groups has no known length ({error}): pass it computed, e.g. "
                "groups.compute() for a Dask collection."
            ) from error
        if n_samples is not None and n_groups is not None and n_groups != n_samples:
            raise ValueError(
                f"groups has {n_groups} values, but X has {n_samples} rows: "
                "pass one group per row of X, in the order of X's rows."
            )
        return
    if not isinstance(splitter, _GROUP_SPLITTERS):
        return
    fix = (
        "pass them to fit: fit(X, y, groups=groups)"
        if routing
        else "ThresholdMover passes groups to its cv only with metadata routing "
        "on: sklearn.set_config(enable_metadata_routing=True), then fit(X, y, "
        "groups=groups)"
    )
    raise ValueError(
        f"cv={cv!r} splits the rows by groups, but no groups reach it: {fix}. "
        "Or pass cv as a list of (train, validation) index pairs, e.g. "
        f"list({type(splitter).__name__}(...).split(X, y, groups))."
    )


def checked_folds(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    classes: np.ndarray,
    *,
    cv: Any,
    sample_weight: Any,
    fit_params: dict[str, Any],
    split_params: dict[str, Any],
    score_params: dict[str, Any] | None = None,
    given_cv: Any = None,
) -> tuple[Any, list, bool, str | None]:
    """``(X, splits, pairwise, fix)``: the folds of ``cv`` on ``(X, y)`` (X
    indexable) as :func:`cross_validated_scores` fits them, each checked
    (a fold whose training rows lack a class or weigh 0 for one is refused
    naming the fold), whether the estimator takes a square X (a
    precomputed kernel), and the splitter's advice for a bad fold
    (:func:`_fold_fix`). ``ThresholdMover.fit`` calls it before fitting the
    estimator on every row too: a refused fold leaves a fitted mover as it
    was. ``given_cv``: the ``cv`` the user gave, named in errors (default
    ``cv``)."""
    splitter = check_cv(cv, y, classifier=True)
    shown = cv if given_cv is None else given_cv
    # Sparse formats without row indexing (COO, DOK, ...) become CSR.
    (X,) = indexable(X)
    n_samples = len(y)
    # A precomputed kernel or distance matrix (SVC(kernel='precomputed'),
    # ...): its columns are the training rows too, as scikit-learn splits it.
    pairwise = is_pairwise(estimator)
    if pairwise:
        _check_square(X, n_samples)
    # Every fold checked before the first is fitted.
    # An iterable cv's items as given: its wrapper's split would unpack them
    # with "cannot unpack non-iterable float object".
    given = (
        splitter.cv
        if isinstance(splitter, _CVIterableWrapper)
        else splitter.split(X, y, **split_params)
    )
    try:
        splits = [
            _fold_pair(fold, n_samples, number) for number, fold in enumerate(given)
        ]
    except ValueError as exc:
        raise _too_many_folds(shown, y, exc) from exc
    if not splits:
        raise ValueError(
            f"cv={shown!r} gave no (train, validation) folds: pass an int (the "
            "number of stratified folds, e.g. cv=5) or a splitter that yields "
            "folds for these rows."
        )
    # A fold whose training rows lack a class: refused before the first fit,
    # naming the fold and the class (a binary estimator's own error named
    # neither: "This solver needs samples of at least 2 classes").
    fix = _fold_fix(splitter)
    _check_fold_training_classes(splits, y, classes, fix)
    # A row of weight 0 counts as left out: also checked before the first fit.
    _check_fold_weights(
        splits,
        y,
        classes,
        fix,
        # The weights the estimator's final model is fitted with: a
        # pipeline's '<last step>__sample_weight' (or, with routing, the
        # weights routed to it) too.
        fit_weight_of(estimator, fit_params),
        (score_params or {}).get("sample_weight")
        if sample_weight is None
        else sample_weight,
    )
    return X, splits, pairwise, fix


def cross_validated_scores(
    estimator: Any,
    y: np.ndarray,
    classes: np.ndarray,
    *,
    checked: tuple[Any, list, bool, str | None],
    sample_weight: Any,
    fit_params: dict[str, Any],
    scores_of: ScoresOf,
    score_params: dict[str, Any] | None = None,
    weights_as_counts: bool = False,
    keep_X: bool = False,
) -> list[Fold]:
    """Fit a clone of ``estimator`` per fold; score its validation rows.

    ``checked``: what :func:`checked_folds` gave for these arguments (X, the
    folds, checked before any fit; cv is not split again).

    ``fit_params`` go to each fold's ``fit``, those with one value per row
    restricted to the fold's training rows. Each fold keeps its validation
    rows' ``sample_weight``, to weight the metric, and of ``score_params``
    (other metadata for the scorer) those with one value per row restricted
    to the validation rows.

    ``weights_as_counts``: the estimator's ``fit`` takes no ``sample_weight``,
    and ``fit_params['sample_weight']`` holds whole-number counts. The folds
    split the rows as given; each fold's training rows are repeated by their
    counts (a weight of 0 drops the row), and its validation rows keep their
    counts as the metric's ``sample_weight``, so that no copy of a row lands
    on both sides of a fold.

    ``keep_X``: each fold keeps its validation rows of ``X`` too, for a
    scorer of one's own, which is called on them.
    """
    X, splits, pairwise, fix = checked
    n_samples = len(y)
    folds: list[Fold] = []
    for number, (train, validation) in enumerate(splits):
        X_train, y_train = take_rows(X, train), take_rows(y, train)
        X_validation = take_rows(X, validation)
        if pairwise:
            X_train = _safe_indexing(X_train, train, axis=1)
            X_validation = _safe_indexing(X_validation, train, axis=1)
        train_params = take_row_aligned(fit_params, train, n_samples)
        if weights_as_counts:
            X_train, y_train, train_params = weights_as_rows(
                estimator, X_train, y_train, train_params
            )
        model = clone(estimator)  # the fitted copy (fit may not return self)
        model.fit(X_train, y_train, **train_params)
        _check_fold_classes(model, classes, number, fix)
        scores = scores_of(model, X_validation, train)
        weights = (
            None if sample_weight is None else take_rows(sample_weight, validation)
        )
        folds.append(
            (
                np.asarray(take_rows(y, validation)),
                scores,
                weights,
                take_row_aligned(score_params or {}, validation, n_samples),
                X_validation if keep_X else None,
            )
        )
    return folds


def _as_weights(weight: Any, n_samples: int) -> np.ndarray | None:
    """``weight`` as float64 if it holds one number per row, else None (not
    weights of these rows: the estimator's or the scorer's to judge)."""
    if weight is None:
        return None
    try:
        values = np.asarray(weight, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return values if values.shape == (n_samples,) else None


def _fold_fix(splitter: Any) -> str | None:
    """The advice for a fold that lacks a class or a class's weight, where
    the splitter needs its own: None for the usual advice (fewer folds, a
    stratified cv, shuffled rows).

    Shuffling is no fix for a ``TimeSeriesSplit``, nor a stratified cv: its
    rows are in time order, and shuffled ones would train on the future.
    """
    if isinstance(splitter, TimeSeriesSplit):
        return (
            "For this TimeSeriesSplit, use fewer n_splits (or a smaller "
            "test_size) so that the first fold's training rows hold every "
            "class, or start the series where every class has appeared; "
            "shuffling time-ordered rows, or a stratified cv, would train on "
            "the future."
        )
    return None


def _check_fold_weights(
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    y: np.ndarray,
    classes: np.ndarray,
    fix: str | None,
    fit_weight: Any,
    metric_weight: Any,
) -> None:
    """Refuse, before any fold is fitted, a fold whose training rows of a
    class of ``classes`` all weigh 0 in the estimator's ``fit``
    (``fit_weight``; a class of ``y`` not in ``classes`` is one that the
    estimator fitted on all the rows lacks too, as counts of 0 drop rows), or
    whose validation rows all weigh 0 in the metric (``metric_weight``).

    A row of weight 0 counts as left out, as in scikit-learn: the fold's
    model learnt nothing of that class (it still named it in ``classes_``,
    so its scores were tuned on silently), and a metric of no row is
    undefined. Without the rows of weight 0 the fold would be refused too.
    """
    n_samples = len(y)
    fit_values = _as_weights(fit_weight, n_samples)
    metric_values = _as_weights(metric_weight, n_samples)
    if fit_values is None and metric_values is None:
        return
    labels = encode_labels(y)[0]
    names = np.asarray(labels.classes).tolist()
    tuned = set(np.asarray(classes).tolist())
    for number, (train, validation) in enumerate(splits):
        if fit_values is not None:
            counted = np.bincount(
                labels.codes[train][fit_values[train] > 0],
                minlength=labels.n_classes,
            )
            present = np.bincount(labels.codes[train], minlength=labels.n_classes)
            unweighted = [
                name
                for name, n, given in zip(names, counted, present)
                if n == 0 and given > 0 and name in tuned
            ]
            if unweighted:
                raise ValueError(
                    f"cv gave fold {number} training rows whose sample_weight is "
                    f"0 on every row of the classes {unweighted}: a row of weight "
                    "0 counts as left out (as in scikit-learn), so the fold's "
                    "estimator would learn nothing of them. "
                    + (
                        fix
                        or "Give rows of every class a positive weight in each "
                        "training fold, use fewer folds, or shuffle the rows."
                    )
                )
        if metric_values is not None and not (metric_values[validation] > 0).any():
            raise ValueError(
                f"cv gave fold {number} validation rows whose sample_weight is "
                "all 0: a row of weight 0 counts as left out (as in "
                "scikit-learn), so no row is left to score the thresholds on. "
                + (
                    fix
                    or "Give rows of each validation fold a positive weight, use "
                    "fewer folds, or shuffle the rows."
                )
            )


def _check_fold_training_classes(
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    y: np.ndarray,
    classes: np.ndarray,
    fix: str | None,
) -> None:
    """Refuse, before any fold is fitted, a fold whose training rows hold no
    row of a class of ``classes`` that ``y`` has (a class with fewer rows
    than folds, or an unstratified cv over sorted rows): the fold's model
    would not know it, and its scores could not be tuned one-vs-rest."""
    labels = encode_labels(y)[0]
    names = np.asarray(labels.classes).tolist()
    tuned = set(np.asarray(classes).tolist())
    counts = np.bincount(labels.codes, minlength=labels.n_classes)
    for number, (train, _) in enumerate(splits):
        present = np.bincount(labels.codes[train], minlength=labels.n_classes)
        missing = [
            (name, int(total))
            for name, n, total in zip(names, present, counts)
            if n == 0 and name in tuned
        ]
        if missing:
            rows = ", ".join(
                f"{name!r} ({total} row{'' if total == 1 else 's'} in all)"
                for name, total in missing
            )
            raise ValueError(
                f"cv gave fold {number} training rows without the classes "
                f"[{rows}]: every fold's estimator must be fitted on every "
                "class to score it. "
                + (
                    fix
                    or "Use fewer folds than the rows of the smallest class, a "
                    "stratified cv (an int cv is one), or shuffle the rows."
                )
            )


def _check_square(X: Any, n_samples: int) -> None:
    """A precomputed (pairwise) matrix must be square: one column per row."""
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or tuple(shape) != (n_samples, n_samples):
        raise ValueError(
            "The estimator takes a precomputed kernel or distance matrix "
            f"(pairwise), but X has shape {shape}, not ({n_samples}, {n_samples}): "
            "pass the square matrix between the training rows, as an array, "
            "sparse matrix or DataFrame."
        )


def _fold_pair(fold: Any, n_samples: int, number: int) -> tuple[np.ndarray, np.ndarray]:
    """Fold ``number`` of a cv as its (training, validation) row positions, or a
    ValueError naming ``cv`` when it is not such a pair."""
    try:
        train, validation = fold
    except (TypeError, ValueError):
        raise ValueError(
            f"cv gave fold {number} as {reprlib.repr(fold)}: a cv iterable must "
            "yield (train, validation) pairs of row positions or boolean masks "
            "(as KFold().split(X, y) does), or be an int or a splitter."
        ) from None
    return (
        _fold_rows(train, n_samples, number, "training"),
        _fold_rows(validation, n_samples, number, "validation"),
    )


def _fold_rows(rows: Any, n_samples: int, number: int, part: str) -> np.ndarray:
    """A fold's rows as positions: boolean masks (as scikit-learn's
    ``_safe_indexing`` takes them) become the positions they mark."""
    rows = np.asarray(rows)
    if rows.dtype == bool:
        if rows.shape != (n_samples,):
            raise ValueError(
                f"cv gave fold {number} a boolean {part} mask of shape "
                f"{rows.shape}; a mask needs one entry per row ({n_samples})."
            )
        rows = np.flatnonzero(rows)
    elif rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise ValueError(
            f"cv gave fold {number} {part} rows of dtype {rows.dtype} and shape "
            f"{rows.shape}: pass integer row positions or boolean masks."
        )
    if rows.size == 0:
        raise ValueError(
            f"cv gave fold {number} no {part} rows: every fold needs rows to "
            f"{'fit on' if part == 'training' else 'score the thresholds on'}. "
            "Pass non-empty (train, validation) pairs, or an int cv."
        )
    # Negative positions count from the end, as numpy's (and scikit-learn's).
    if int(rows.max()) >= n_samples or int(rows.min()) < -n_samples:
        outside = rows[(rows >= n_samples) | (rows < -n_samples)]
        raise ValueError(
            f"cv gave fold {number} the {part} row {int(outside[0])}, outside the "
            f"{n_samples} rows given to fit: pass a cv made for these rows."
        )
    return rows


def unsorted_classes_fix() -> str:
    """What to do with a classifier whose ``classes_`` are not sorted (in the
    order of first appearance in ``y``, say): the score columns are read in
    ``classes_`` order, and a refitted one's order changes with its rows."""
    return (
        "ThresholdMover refits the estimator and reads its score columns in "
        "the order of the sorted classes (as scikit-learn's classifiers keep "
        "classes_), and this one orders them otherwise (e.g. in the order "
        "they first appear in y). Fit it yourself and wrap it in "
        "sklearn.frozen.FrozenEstimator, whose classes_ are used in their own "
        "order, or make its classes_ sorted."
    )


def _check_fold_classes(
    model: Any, classes: np.ndarray, number: int, fix: str | None
) -> None:
    """A fold's model must know every class, in order: its score columns are
    read as the columns of ``classes``."""
    own = np.asarray(model.classes_)
    if len(own) != len(classes) or not np.array_equal(
        class_positions(own, classes, "a fold's estimator"), np.arange(len(classes))
    ):
        if len(own) == len(classes):
            # Every class, in another order: no fold, cv or shuffle fixes it.
            raise ValueError(
                f"The estimator fitted on the training rows of fold {number} "
                f"has its classes_ {own.tolist()} in another order than the "
                f"classes {classes.tolist()}. {unsorted_classes_fix()}"
            )
        raise ValueError(
            f"The estimator fitted on the training rows of fold {number} has the "
            f"classes {own.tolist()}, not all the classes {classes.tolist()}: "
            "every fold must train on every class. "
            + (
                fix
                or "Use a stratified cv (an int cv is one), fewer folds, or "
                "shuffle the rows."
            )
        )


def _best_candidate(scores: np.ndarray, label: Any) -> int:
    """Position of the best mean score; NaN scores (a metric undefined at a
    threshold) are never the best, and all NaN raises (``np.argmax`` would
    silently pick the first NaN, the lowest threshold)."""
    if np.isnan(scores).all():
        raise ValueError(
            f"The metric is NaN at every threshold tried for class {label!r}: "
            "there is no best threshold. Check the scoring function (and that "
            "sample_weight is not all zero on a validation fold)."
        )
    return int(np.nanargmax(scores))


def _evenly_spaced(low: float, high: float, n: int) -> np.ndarray:
    """``n`` thresholds evenly spaced from ``low`` to ``high``, both included.

    ``np.linspace``, unless ``high - low`` overflows (scores beyond ±9e307):
    then linspace's step is inf and its thresholds NaN and inf, so the
    thresholds are the weighted means ``low·(1 − f) + high·f`` instead.
    """
    with np.errstate(over="ignore"):
        span = high - low
    if np.isfinite(span):
        return np.linspace(low, high, n)
    fractions = np.linspace(0.0, 1.0, n)
    tried = low * (1.0 - fractions) + high * fractions
    tried[0], tried[-1] = low, high
    return np.clip(tried, low, high)


def _counted_scores(
    folds: Sequence[Fold], fold_scores: list[np.ndarray]
) -> list[np.ndarray]:
    """Each fold's scores of its rows of positive weight in the metric (its
    ``sample_weight``, or the one routed to the scorer); all the scores where
    no row of any fold has a positive weight (the metric refuses those)."""
    counted = []
    for (_, _, weight, params, _), scores in zip(folds, fold_scores):
        if weight is None:
            weight = (params or {}).get("sample_weight")
        # Not numbers, or not one per row: the scorer's to refuse.
        values = _as_weights(weight, scores.shape[0])
        if values is None:
            counted.append(scores)
        elif (values > 0).any():
            counted.append(scores[values > 0])
    return counted or fold_scores


def best_thresholds(
    folds: Sequence[Fold],
    classes: np.ndarray,
    columns: Iterable[int],
    scoring: Any,
    candidates: np.ndarray | int,
    labels: Any = None,
) -> TunedThresholds:
    """The best threshold on each score column of ``columns``, one-vs-rest.

    ``candidates`` are the thresholds to try, or how many to space evenly
    between the lowest and the highest score of the column across the folds
    (of the rows of positive weight in the metric).
    ``labels``: ``(negative, positive)`` classes of a binary tuning, for a
    scorer that names its own ``pos_label``.
    """
    metric = _threshold_metric(scoring)
    names = np.asarray(classes).tolist()  # plain labels for the messages
    all_candidates, all_scores, tuned = [], [], []
    for c in columns:
        tuned.append(c)
        fold_scores = [fold[1][:, c] for fold in folds]
        if isinstance(candidates, np.ndarray):
            tried = candidates
        else:
            # The scores of the rows the metric counts: a row of weight 0
            # counts as left out (as in scikit-learn), so its score must not
            # widen the range either (the thresholds tried, and the one
            # chosen, differed from those without the row).
            counted = _counted_scores(folds, fold_scores)
            low = min(float(s.min()) for s in counted)
            high = max(float(s.max()) for s in counted)
            if not (np.isfinite(low) and np.isfinite(high)):
                raise ValueError(
                    f"The estimator's scores for class {names[c]!r} run from "
                    f"{low} to {high}: thresholds are tried between the lowest "
                    "and the highest score, which must be finite (NaN or inf "
                    "scores). Pass the thresholds to try, or check the estimator."
                )
            # The same score up to rounding (a few ulps), at any scale: a
            # relative or absolute tolerance would also refuse a rare class's
            # probabilities spanning 1e-9, or decision scores around 1e9.
            if high - low <= 4 * np.spacing(max(abs(low), abs(high))):
                raise ValueError(
                    f"The estimator gives every row the same score for class "
                    f"{names[c]!r}: there is no threshold to tune. Check the "
                    "estimator, or use another strategy."
                )
            tried = _evenly_spaced(low, high, candidates)
        mean_scores = np.mean(
            [
                metric(
                    y_val == classes[c],
                    s,
                    tried,
                    None if w is None else np.asarray(w, dtype=np.float64),
                    labels,
                    params,
                    X_val,
                )
                for (y_val, _, w, params, X_val), s in zip(folds, fold_scores)
            ],
            axis=0,
        )
        all_candidates.append(tried)
        all_scores.append(mean_scores)
    best = [_best_candidate(s, names[c]) for c, s in zip(tuned, all_scores)]
    return TunedThresholds(
        thresholds=np.array([t[b] for t, b in zip(all_candidates, best)]),
        best_scores=np.array([s[b] for s, b in zip(all_scores, best)]),
        candidates=np.array(all_candidates),
        mean_scores=np.array(all_scores),
    )
