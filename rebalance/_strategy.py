"""``sampling_strategy`` -> target count per class (the one place this is parsed).

The meaning of each form follows imbalanced-learn's ``check_sampling_strategy``:
for under-sampling the targets are the rows to *keep* in each selected class,
for over-sampling the rows to *add* to each selected class.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError

from rebalance._indices import EncodedLabels
from rebalance._labels import named_class_hint

SamplingType = Literal["under-sampling", "over-sampling"]
STRATEGY_NAMES = ("auto", "minority", "majority", "not minority", "not majority", "all")

# The string each kind of sampler cannot use (as imbalanced-learn): an
# over-sampler cannot shrink the majority, an under-sampler cannot grow the
# minority; either would silently do nothing.
# Largest row count a class can ask for (int64 index arrays).
_MAX_COUNT = int(np.iinfo(np.int64).max)

_FORBIDDEN_NAME = {"over-sampling": "majority", "under-sampling": "minority"}


def strategy_names(kind: SamplingType) -> set[str]:
    """The strings a sampler of ``kind`` takes: all but the one it cannot use
    (as imbalanced-learn's parameter constraints list them)."""
    return {name for name in STRATEGY_NAMES if name != _FORBIDDEN_NAME[kind]}


def check_strategy_name(
    sampling_strategy: object, kind: SamplingType, sampler: str
) -> None:
    """Reject the one string each kind of sampler cannot use, before any work."""
    if not isinstance(sampling_strategy, str):
        return
    if sampling_strategy == _FORBIDDEN_NAME[kind]:
        if kind == "over-sampling":
            why = (
                "over-sampling only adds rows, and the majority class already has "
                "the most. Use 'minority', 'not majority' or 'auto' (every class up "
                "to the majority count), or RandomUnderSampler to reduce the majority."
            )
        else:
            why = (
                "under-sampling only removes rows, and the minority class already "
                "has the fewest. Use 'majority', 'not minority' or 'auto' (every "
                "class down to the minority count), or RandomOverSampler to grow the "
                "minority."
            )
        allowed = [name for name in STRATEGY_NAMES if name != sampling_strategy]
        # scikit-learn's parameter error, as imbalanced-learn's samplers raise
        # it for this string (a ValueError and a TypeError).
        raise InvalidParameterError(
            f"The 'sampling_strategy' parameter of {sampler} must be a float in "
            f"the range (0.0, 1.0], a str among {allowed}, a dict or a callable. "
            f"Got {sampling_strategy!r} instead: sampling_strategy="
            f"{sampling_strategy!r} cannot be used with an {kind[:-3]}er "
            f"({sampler}): {why}"
        )


def _extreme_class(counts: np.ndarray, classes: np.ndarray, largest: bool) -> int:
    """The class with the most (``largest``) or fewest rows; a tie goes to the
    first of the tied classes in sorted order, as in imbalanced-learn (which
    counts with ``np.unique``). ``classes`` is sorted already except for a
    pandas categorical (category order): its tied classes are sorted here,
    unless their values cannot be compared (then the first in category order).
    """
    tied = np.flatnonzero(counts == (counts.max() if largest else counts.min()))
    if tied.shape[0] > 1:
        try:
            return int(tied[np.argsort(classes[tied], kind="stable")[0]])
        except TypeError:  # mixed types, which np.unique would refuse too
            pass
    return int(tied[0])


def _selected_classes(
    name: str, labels: EncodedLabels, kind: SamplingType
) -> np.ndarray:
    """Boolean mask of the classes a named strategy resamples (ties:
    :func:`_extreme_class`)."""
    check_strategy_name(name, kind, "this sampler")
    if name == "auto":
        name = "not minority" if kind == "under-sampling" else "not majority"
    selected = np.zeros(labels.n_classes, dtype=bool)
    if name == "all":
        selected[:] = True
        return selected
    largest = name in ("majority", "not majority")
    extreme = _extreme_class(labels.counts, labels.classes, largest)
    if name.startswith("not "):
        selected[:] = True
        selected[extreme] = False
    else:
        selected[extreme] = True
    return selected


def _from_mapping(
    mapping: Mapping,
    labels: EncodedLabels,
    kind: SamplingType,
    replacement: bool,
    columns: list | None = None,
    from_positions: bool = False,
) -> np.ndarray:
    if not isinstance(mapping, Mapping):
        raise TypeError(
            "sampling_strategy as a callable must return a dict {class: count}; "
            f"it returned {type(mapping).__name__}."
        )
    class_list = labels.classes.tolist()
    position = {c: i for i, c in enumerate(class_list)}
    requested = np.full(labels.n_classes, -1, dtype=np.int64)
    for cls, count in mapping.items():
        key = cls.item() if isinstance(cls, np.generic) else cls
        if not from_positions:  # (a callable's keys: the positions it got)
            _refuse_other_column(key, columns)
        if key not in position:
            raise ValueError(_unknown_class(key, class_list, columns))
        if not isinstance(count, numbers.Integral) or isinstance(count, bool):
            raise TypeError(
                f"sampling_strategy[{key!r}] must be an integer count of rows; got "
                f"{count!r:.60} ({type(count).__name__}). Pass the number of rows "
                f"as an int, e.g. {{{key!r}: 10}}, not a float or a string."
            )
        count = int(count)  # a numbers.Integral: compared and stored as an int
        if count < 0:
            raise ValueError(
                f"sampling_strategy[{key!r}] = {count} is negative: the count of "
                "rows for a class must be >= 0. Pass 0 or more rows."
            )
        if count > _MAX_COUNT:
            raise ValueError(
                f"sampling_strategy[{key!r}] = {count:,} rows is more than an index "
                f"array can hold ({_MAX_COUNT:,}): ask for fewer rows."
            )
        requested[position[key]] = count
    counts = labels.counts
    named = requested >= 0
    if kind == "under-sampling":
        too_many = named & (requested > counts)
        if too_many.any() and not replacement:
            c = int(np.flatnonzero(too_many)[0])
            raise ValueError(
                f"sampling_strategy asks for {_rows_text(requested[c])} of class "
                f"{class_list[c]!r}, which has only {counts[c]}: under-sampling "
                "without replacement cannot add rows. Ask for at most "
                f"{counts[c]}, use replacement=True, or use RandomOverSampler."
            )
        return np.where(named, requested, counts)
    too_few = named & (requested < counts)
    if too_few.any():
        c = int(np.flatnonzero(too_few)[0])
        raise ValueError(
            f"sampling_strategy asks for {_rows_text(requested[c])} of class "
            f"{class_list[c]!r}, which already has {counts[c]}: over-sampling "
            f"cannot remove rows. Ask for at least {counts[c]}, or use "
            "RandomUnderSampler."
        )
    return np.where(named, requested - counts, 0)


def _refuse_other_column(key: object, columns: list | None) -> None:
    """ValueError for a key that names one column of a one-hot y given as a
    dataframe and is the position of another (``pd.get_dummies`` of labels 1
    and 2: columns ``[1, 2]``, and key 1 would be position 1, column 2).

    >>> _refuse_other_column(1, [1, 2])
    Traceback (most recent call last):
    ...
    ValueError: sampling_strategy names class 1, the name of column 0 of the ...
    """
    names = [] if columns is None else list(columns)
    if key not in names or not isinstance(key, numbers.Real):
        return
    value = float(key)
    if not math.isfinite(value) or value != int(value):
        return  # (1.5 is no position)
    position, column = int(value), names.index(key)
    if column == position or not 0 <= position < len(names):
        return
    raise ValueError(
        f"sampling_strategy names class {key!r}, the name of column {column} of "
        f"the one-hot y, whose classes are its column positions: {key!r} is the "
        f"position of column {names[position]!r}. Name the classes by position "
        f"({{{column}: ...}} for column {key!r}), or pass y as 1-D labels "
        "(y.idxmax(axis=1))."
    )


def _is_nan(value: object) -> bool:
    """Whether ``value`` is a float NaN (the name ``dummy_na=True`` gives)."""
    return isinstance(value, float) and math.isnan(value)


def _unknown_class(
    key: object,
    class_list: list,
    columns: list | None,
    argument: str = "sampling_strategy",
) -> str:
    """The message for a ``sampling_strategy`` key that is no class of y; for
    the name of a column of a one-hot y (whose classes are the column
    positions), the position to use instead.

    >>> print(_unknown_class("dog", [0, 1], ["cat", "dog"]))
    sampling_strategy names class 'dog', a column of the one-hot y: ...
    """
    names = [] if columns is None else list(columns)
    missing = [i for i, v in enumerate(names) if _is_nan(v)] if _is_nan(key) else []
    if key in names or missing:
        column = missing[0] if missing else names.index(key)
        fix = (
            f"so column {key!r} is class {column}: use {{{column}: ...}}"
            if column in class_list
            else f"and column {key!r} (class {column}) has no rows in y"
        )
        return (
            f"{argument} names class {key!r}, a column of the one-hot y: "
            "the classes of a one-hot y are its column positions "
            f"{listed(class_list)} (as sampling_strategy_ reports them), {fix}."
        )
    return (
        f"{argument} names class {key!r}, which is not in y. The "
        f"classes in y are {listed(class_list)}; use one of those as the key."
        + named_class_hint(key, class_list)
    )


def _ratio_classes(labels: EncodedLabels, kind: SamplingType) -> tuple[int, int]:
    """``(minority, majority)`` of a binary y for a float ``sampling_strategy``.
    On a count tie imbalanced-learn names the first sorted class both, and
    resamples every class but it (the minority when under-sampling, the
    majority when over-sampling): the other class."""
    minority = _extreme_class(labels.counts, labels.classes, largest=False)
    majority = _extreme_class(labels.counts, labels.classes, largest=True)
    if minority == majority:
        if kind == "under-sampling":
            majority = 1 - minority
        else:
            minority = 1 - majority
    return minority, majority


def _from_ratio(
    ratio: numbers.Real, labels: EncodedLabels, kind: SamplingType
) -> np.ndarray:
    """Target counts of a float ``sampling_strategy``, as imbalanced-learn counts
    them: ``int(n_minority / ratio)`` majority rows kept, ``int(n_majority *
    ratio) - n_minority`` minority rows added, computed with the ratio as given
    (an exact ``Fraction`` stays exact, a float is a float64) and numpy int64
    counts, so that the truncation is imbalanced-learn's."""
    if labels.n_classes != 2:
        raise ValueError(
            f"sampling_strategy as a float only works for binary y; y has "
            f"{labels.n_classes} classes. Pass a dict {{class: count}} or a string "
            "such as 'auto' instead."
        )
    if not 0 < float(ratio) <= 1:
        raise ValueError(
            f"sampling_strategy={ratio} is outside (0, 1]: the float is the desired "
            "ratio of minority to majority rows after resampling."
        )
    counts = labels.counts.astype(np.int64)
    minority, majority = _ratio_classes(labels, kind)
    if kind == "under-sampling":
        # A subnormal ratio (1e-310) makes the quotient infinite: far too many
        # rows, not an OverflowError from int().
        with np.errstate(over="ignore", divide="ignore"):
            quotient = counts[minority] / ratio
        finite = not isinstance(quotient, (float, np.floating)) or np.isfinite(quotient)
        keep = int(quotient) if finite else _MAX_COUNT + 1
        if keep > counts[majority]:
            raise ValueError(
                f"sampling_strategy={ratio} would keep "
                f"{_count_text(keep) if finite else 'infinitely many'} majority "
                "rows, more "
                f"than the {counts[majority]} there are: under-sampling cannot add "
                f"rows. Use a ratio >= {counts[minority] / counts[majority]:.4g}."
            )
        targets = counts.copy()
        targets[majority] = keep
        return targets
    # Same count as imbalanced-learn's int(x - n_min) wherever that is > 0;
    # truncating x first keeps a ratio just below the current one (x - n_min
    # in (-1, 0)) from passing as "add 0 rows".
    add = int(counts[majority] * ratio) - int(counts[minority])
    if add < 0:
        n_min, n_maj = int(counts[minority]), int(counts[majority])
        current = n_min / n_maj
        # The smallest ratio that works (n_min / n_maj itself may not:
        # 100 * 0.29 is 28.999999999999996 in floating point).
        least = current
        while int(n_maj * least) < n_min:
            least = math.nextafter(least, 2.0)
        rounding = (
            f"; {n_maj} x {ratio} is {n_maj * float(ratio)!r} in floating point, "
            f"fewer than the {n_min} minority rows"
            if f"{current:.4g}" == f"{float(ratio):.4g}"
            else ""
        )
        raise ValueError(
            f"sampling_strategy={ratio} is below the current minority/majority ratio "
            f"{current:.4g} ({n_min}/{n_maj}{rounding}): over-sampling cannot "
            f"remove rows. Use a ratio of at least {least!r}."
        )
    targets = np.zeros_like(counts)
    targets[minority] = add
    return targets


def resolve_targets(
    sampling_strategy: str | float | Mapping | Callable,
    labels: EncodedLabels,
    kind: SamplingType,
    *,
    replacement: bool = False,
    columns: list | None = None,
) -> tuple[np.ndarray, dict]:
    """Turn ``sampling_strategy`` into one integer target per class.

    Returns ``(targets, sampling_strategy_)``: ``targets[c]`` is the number of
    rows to keep (under-sampling) or add (over-sampling) for class ``c``, and
    ``sampling_strategy_`` the same as a ``{class: count}`` dict restricted to
    the classes the strategy resamples, as imbalanced-learn reports it.
    A callable ``sampling_strategy`` is called with the labels as a 1-D numpy
    array (the argmax class of a one-hot ``y``). ``columns``: the column
    names of a one-hot ``y`` given as a dataframe, named in the error for a
    key that is one of them (its classes are the column positions).
    """
    counts = labels.counts
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in STRATEGY_NAMES:
            raise ValueError(
                f"sampling_strategy={sampling_strategy!r} is not a known strategy; "
                f"use one of {list(STRATEGY_NAMES)}, a float, a dict or a callable."
            )
        selected = _selected_classes(sampling_strategy, labels, kind)
        if kind == "under-sampling":
            targets = np.where(selected, counts.min(), counts)
        else:
            targets = np.where(selected, counts.max() - counts, 0)
    elif isinstance(sampling_strategy, numbers.Real) and not isinstance(
        sampling_strategy, bool
    ):
        # A Fraction stays exact and numpy floats keep their type, as in
        # imbalanced-learn's arithmetic; any other Real is read as a float.
        ratio = (
            sampling_strategy
            if isinstance(sampling_strategy, (numbers.Rational, float, np.floating))
            else float(sampling_strategy)
        )
        targets = _from_ratio(ratio, labels, kind)
        selected = np.zeros(labels.n_classes, dtype=bool)
        minority, majority = _ratio_classes(labels, kind)
        selected[majority if kind == "under-sampling" else minority] = True
    elif isinstance(sampling_strategy, Mapping):
        targets = _from_mapping(sampling_strategy, labels, kind, replacement, columns)
        selected = _named_mask(sampling_strategy, labels)
    elif callable(sampling_strategy):
        mapping = sampling_strategy(labels.classes[labels.codes])
        targets = _from_mapping(
            mapping, labels, kind, replacement, columns, from_positions=True
        )
        selected = _named_mask(mapping, labels)
    else:
        raise TypeError(
            "sampling_strategy must be a string, a float, a dict {class: count} or "
            f"a callable; got {type(sampling_strategy).__name__}."
        )
    report = {
        c: int(t)
        for c, t, s in zip(labels.classes.tolist(), targets.tolist(), selected)
        if s
    }
    return targets.astype(np.int64), report


def _named_mask(mapping: Mapping, labels: EncodedLabels) -> np.ndarray:
    named = {k.item() if isinstance(k, np.generic) else k for k in mapping}
    return np.array([c in named for c in labels.classes.tolist()], dtype=bool)


def listed(values: list, limit: int = 20) -> str:
    """``values`` for a message: the first ``limit`` of them, then how many
    more (a message naming a million classes ran to megabytes).

    >>> listed([1, 2, 3], limit=2)
    '[1, 2, ... (1 more)]'
    """
    if len(values) <= limit:
        return str(list(values))
    return f"{str(list(values[:limit]))[:-1]}, ... ({len(values) - limit:,} more)]"


def _rows_text(count: int) -> str:
    """``"1 row"``, ``"5 rows"``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def _count_text(count: int) -> str:
    """``count`` for a message: in full up to 15 digits, else as ``1.2e+300``
    (a tiny ratio's count would print hundreds of digits)."""
    if count < 10**15:
        return str(count)
    try:
        return f"{float(count):.3g}"
    except OverflowError:  # a long double ratio's count (5e+320)
        digits = str(count)
        return f"{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"
