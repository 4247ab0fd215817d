"""The four estimator samplers: under, over, class-balanced, label shuffle."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.under_sampling.base import BaseUnderSampler
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.sparsefuncs import mean_variance_axis

from rebalance import _indices
from rebalance._frames import (
    _unwrapped,
    decimal_arrow,
    frame_like,
    frame_values,
    is_dataframe,
    is_pandas,
    narwhals_frame,
    numeric_dtype,
    replace_arrow_columns,
    series_values,
)
from rebalance._strategy import (
    SamplingType,
    _unknown_class,
    check_strategy_name,
    listed,
    resolve_targets,
    strategy_names,
)
from rebalance._validation import (
    RANDOM_STATE_CONSTRAINT,
    NumberInterval,
    is_bool,
    take_rows,
)
from rebalance.base import BaseSampler, SamplingPlan, _copy_row

__all__ = [
    "RandomUnderSampler",
    "RandomOverSampler",
    "ClassBalancedSampler",
    "LabelShuffleSampler",
]


def _strategy_constraint(kind: SamplingType) -> list:
    """``sampling_strategy``'s constraint for a sampler of ``kind``: its
    invalid-parameter message lists only the strings that sampler takes."""
    return [
        NumberInterval(numbers.Real, 0, 1, closed="right"),
        StrOptions(strategy_names(kind)),
        Mapping,
        callable,
    ]


class _SamplingStrategy(BaseSampler):
    """``sampling_strategy`` handling shared by the four samplers.

    Every sampler reads ``sampling_strategy`` with imbalanced-learn's meaning
    for its ``_sampling_type`` (resolved by ``rebalance._strategy``); the string
    a kind of sampler cannot use is rejected in parameter validation.
    """

    def _validate_params(self):
        # First: the string this kind of sampler cannot use gets its own
        # message (why, and what to use), not the generic one.
        check_strategy_name(
            self.sampling_strategy, self._sampling_type, type(self).__name__
        )
        super()._validate_params()

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: those of X, which is resampled by row.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names, checked against ``feature_names_in_`` where
            X had string column names; None: those names, or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The input feature names.
        """
        if hasattr(self, "sampling_strategy_") and not hasattr(self, "n_features_in_"):
            # Fitted on a 1-D X of texts: scikit-learn's check would say "not
            # fitted yet", which it is.
            raise ValueError(
                f"This {type(self).__name__} was fitted on a 1-D X of texts (one "
                "document a row), which has no feature columns to name. Ask the "
                "step that turns the texts into features, e.g. "
                "pipeline[1].get_feature_names_out() for the vectorizer after the "
                "sampler."
            )
        return super().get_feature_names_out(input_features)

    def _class_totals(self, labels, y) -> tuple[np.ndarray, dict]:
        """Rows of each class after over-sampling, and the strategy's report."""
        added, report = resolve_targets(
            self.sampling_strategy,
            labels,
            "over-sampling",
            columns=_one_hot_columns(y),
        )
        return labels.counts + added, report


def _one_hot_columns(y: Any) -> list | None:
    """The column names of a y given as a dataframe of two or more columns (a
    one-hot y: its classes are the column positions), else None.

    >>> import pandas as pd
    >>> _one_hot_columns(pd.DataFrame({"cat": [1, 0], "dog": [0, 1]}))
    ['cat', 'dog']
    """
    # pyarrow's ``columns`` are the columns' arrays; names read as they are
    # (narwhals would refuse a name given twice, which a one-hot y may have).
    names = getattr(y, "column_names", None)
    if names is None:
        names = getattr(y, "columns", None)
    if names is None or isinstance(names, str) or not is_dataframe(y):
        return None
    names = list(names)
    return names if len(names) > 1 else None


class RandomUnderSampler(_SamplingStrategy, BaseSampler, BaseUnderSampler):
    """Keep a random subset of the rows of the larger classes.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to reduce and to how many rows (imbalanced-learn's
        meaning): ``'auto'`` = ``'not minority'`` (every class down to the
        minority count), ``'majority'``, ``'not majority'``, ``'all'``
        (``'minority'`` is an error: an under-sampler cannot grow it); a float
        (binary only) is the wanted minority/majority ratio; a dict
        ``{class: rows_to_keep}``; a callable ``labels -> dict``, called with
        the labels as a 1-D numpy array.
    replacement : bool, default=False
        Draw the kept rows with replacement: every class the strategy selects
        is a bootstrap of its target size (even one kept at its own count, as
        with ``'all'``), as in imbalanced-learn; the other classes are kept
        whole. A dict may then ask for more rows than a class has (a
        bootstrap of that size), where imbalanced-learn raises a ValueError.
    shuffle : bool, default=True
        Return rows in random order. ``False`` keeps the original row order
        (imbalanced-learn returns rows grouped by class, which mini-batch
        learners should not see).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw; None draws the seed from numpy's global
        RandomState (``np.random.seed`` makes it repeatable), as in
        imbalanced-learn.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows kept}`` for every class the strategy selects, as
        imbalanced-learn reports it: ``'all'`` includes the minority at its own
        count, a dict every class it names.
    sample_indices_ : ndarray
        Positions in the input of the returned rows (set by
        :meth:`fit_resample` only).
    n_features_in_ : int
        Number of features (columns) of X.
    feature_names_in_ : ndarray of str
        Column names of X; defined only when X has column names that are all
        strings.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import RandomUnderSampler
    >>> X = np.arange(24).reshape(12, 2)
    >>> y = np.array([0] * 9 + [1] * 3)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([3, 3])
    """

    _parameter_constraints: dict = {
        "sampling_strategy": _strategy_constraint("under-sampling"),
        "replacement": ["boolean"],
        "shuffle": ["boolean"],
        "random_state": RANDOM_STATE_CONSTRAINT,
    }

    def __init__(
        self,
        sampling_strategy="auto",
        replacement=False,
        shuffle=True,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.shuffle = shuffle
        self.random_state = random_state

    def _make_plan(self, labels, y):
        targets, report = resolve_targets(
            self.sampling_strategy,
            labels,
            "under-sampling",
            replacement=self.replacement,
            columns=_one_hot_columns(y),
        )

        # With replacement, every class the strategy names is drawn with
        # replacement (a bootstrap), as imbalanced-learn does, even when its
        # target is its count (sampling_strategy='all': BalancedRandomForest).
        named = np.array([c in report for c in labels.classes.tolist()], dtype=bool)
        draw = functools.partial(
            _indices.under_sample_indices,
            labels,
            targets,
            replacement=self.replacement,
            shuffle=self.shuffle,
            resampled=named | (targets != labels.counts),
        )
        # Exact size in Python ints, checked before any work (rebalance._indices).
        n_output = _indices.under_sample_size(
            labels, targets, replacement=self.replacement
        )
        return SamplingPlan(labels, report, n_output, draw)


class RandomOverSampler(_SamplingStrategy, BaseSampler, BaseOverSampler):
    """Repeat random rows of the smaller classes, optionally with smoothed noise.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to grow and to how many rows (imbalanced-learn's
        meaning): ``'auto'`` = ``'not majority'`` (every class up to the
        majority count), ``'minority'``, ``'not minority'``, ``'all'``
        (``'majority'`` is an error: an over-sampler cannot shrink it); a
        float (binary only) is the wanted minority/majority ratio; a dict
        ``{class: total_rows}``; a callable ``labels -> dict``, called with
        the labels as a 1-D numpy array.
    shrinkage : float, dict or None, default=None
        Smoothed bootstrap, as imbalanced-learn's: each added row of class
        ``c`` gets Gaussian noise of scale ``shrinkage * h * std_c`` per
        feature, with ``std_c`` the class's (population) std and ``h = (4 /
        ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))`` the
        rule-of-thumb bandwidth of the whole input (``n_samples`` all rows).
        A dict gives one factor per over-sampled class. Needs numeric, finite
        X (dense, CSR/CSC, or a numeric DataFrame). The output keeps every
        column's dtype: integer and bool columns get the noisy value rounded
        to the nearest integer (imbalanced-learn returns float64 for integer
        arrays and truncates in DataFrames), and values beyond a dtype's range
        saturate at its limits, so finite X never gives NaN or infinity.
    shuffle : bool, default=True
        Return rows in random order; ``False`` keeps the original row order,
        each copy following its original.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw (and of the smoothing noise); None draws the seed
        from numpy's global RandomState (``np.random.seed`` makes it
        repeatable), as in imbalanced-learn.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows added}`` for every class the strategy selects, as
        imbalanced-learn reports it: ``'all'`` includes the majority with 0
        rows added, a dict every class it names.
    shrinkage_ : dict or None
        ``{class: shrinkage}`` as Python floats, as imbalanced-learn stores
        it: a number gives every class of ``sampling_strategy_`` that factor,
        a dict keeps every class it names (also one not over-sampled, which
        gets no noise), in its order; None without ``shrinkage``.
    sample_indices_ : ndarray
        Positions in the input of the returned rows (set by
        :meth:`fit_resample` only).
    n_features_in_ : int
        Number of features (columns) of X.
    feature_names_in_ : ndarray of str
        Column names of X; defined only when X has column names that are all
        strings.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import RandomOverSampler
    >>> X = np.arange(24).reshape(12, 2)
    >>> y = np.array([0] * 9 + [1] * 3)
    >>> X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([9, 9])
    """

    _parameter_constraints: dict = {
        "sampling_strategy": _strategy_constraint("over-sampling"),
        "shrinkage": [NumberInterval(numbers.Real, 0, None, closed="left"), dict, None],
        "shuffle": ["boolean"],
        "random_state": RANDOM_STATE_CONSTRAINT,
    }

    def __init__(
        self, sampling_strategy="auto", shrinkage=None, shuffle=True, random_state=None
    ):
        self.sampling_strategy = sampling_strategy
        self.shrinkage = shrinkage
        self.shuffle = shuffle
        self.random_state = random_state

    def _make_plan(self, labels, y):
        targets, report = resolve_targets(
            self.sampling_strategy, labels, "over-sampling", columns=_one_hot_columns(y)
        )

        draw = functools.partial(
            _indices.over_sample_indices, labels, targets, shuffle=self.shuffle
        )
        n_output = _indices.over_sample_size(labels, targets)  # checked, exact
        return SamplingPlan(labels, report, n_output, draw)

    def _shrinkage_per_class(
        self, plan: SamplingPlan, columns: list | None = None
    ) -> dict | None:
        """``shrinkage_``: one checked factor per class of the plan's
        ``sampling_strategy_`` (a number) or per class a dict names, or None.
        ``columns``: the column names of a one-hot y (its classes are their
        positions), named in the error for a key that is one of them."""
        if self.shrinkage is None:
            return None
        classes = plan.labels.classes.tolist()
        if not isinstance(self.shrinkage, Mapping):
            return {
                cls: _shrinkage_factor(self.shrinkage, "shrinkage")
                for cls in plan.sampling_strategy
            }
        given = {
            (k.item() if isinstance(k, np.generic) else k): v
            for k, v in self.shrinkage.items()
        }
        # One set, not one per key (20,000 keys and classes took 30 s).
        known = set(classes)
        unknown = [k for k in given if k not in known]
        for key in unknown:
            if columns is not None and key in columns:
                raise ValueError(
                    _unknown_class(key, classes, columns, argument="shrinkage")
                )
        if unknown:
            raise ValueError(
                f"shrinkage names classes {listed(unknown)} that are not in y; its "
                f"keys must be classes of y ({listed(classes)}). Drop those keys (a "
                "cross-validation fold may lack a rare class), or pass one "
                "number for every class."
            )
        missing = [c for c in plan.sampling_strategy if c not in given]
        if missing:
            raise ValueError(
                "`shrinkage` should contain a shrinkage factor for each class "
                f"that will be resampled: it has no value for {listed(missing)}. "
                "Give one shrinkage factor per over-sampled class (the keys of "
                f"sampling_strategy_, here {listed(list(plan.sampling_strategy))})."
            )
        # Every factor given, checked and kept in the order given, as
        # imbalanced-learn's shrinkage_ keeps the dict: a bad value for a
        # class that is not over-sampled is a mistake too (it adds no noise).
        # Keyed by the classes themselves (np.int64(1) or 1.0 given: 1), as
        # sampling_strategy_ is.
        same_class = {c: c for c in classes}
        return {
            same_class[cls]: _shrinkage_factor(value, f"shrinkage[{cls!r}]")
            for cls, value in given.items()
        }

    def _check_inputs(self, X, y, sample_weight=None, method="fit_resample"):
        checked = super()._check_inputs(X, y, sample_weight, method)
        self.shrinkage_ = self._shrinkage_per_class(checked[-1], _one_hot_columns(y))
        if self.shrinkage is not None:
            if isinstance(X, list):  # its rows, which check_features stacked
                _check_list_rows(X)
            _SmoothingSource(checked[0])  # numeric and finite, or a clear error
        return checked

    def _dask_unsupported(self) -> str | None:
        if self.shrinkage is None:
            return None
        return (
            "shrinkage (smoothed bootstrap) is not supported for Dask inputs: it "
            "needs per-class statistics of X. Use shrinkage=None, or compute X "
            "(X.compute()) to resample in memory."
        )

    def _copies_rows(self) -> bool:
        return self.shrinkage is None

    def _list_rows(self, rows: list, X_res: np.ndarray, indices: np.ndarray) -> list:
        return _rows_like(rows, X_res, indices, self.shuffle)

    def _gather_features(self, X, indices, plan, rng):
        X_res = take_rows(X, indices)
        # From the parameters and this call's plan, not from shrinkage_: a
        # sampler shared by threads has the last call's there.
        shrinkage = self._shrinkage_per_class(plan)
        if shrinkage is None:  # None exactly when shrinkage is None
            return X_res
        return _smoothed_bootstrap(
            X, X_res, indices, plan.labels, shrinkage, rng, self.shuffle
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The smoothed bootstrap adds noise: numbers only, no NaN.
        numeric_only = self.shrinkage is not None
        tags.input_tags.string = not numeric_only
        tags.input_tags.allow_nan = not numeric_only
        return tags


# --- smoothed bootstrap ------------------------------------------------------


# imbalanced-learn's words, so that code matching its message still does.
_NUMERIC_X_NEEDED = (
    "When shrinkage is not None, X needs to contain only numerical data: the "
    "smoothed bootstrap needs numeric X"
)


_FINITE_X_NEEDED = (
    "shrinkage (smoothed bootstrap) adds noise scaled by each feature's std, "
    "which needs finite X"
)


def _bandwidth(n_samples: int, n_features: int) -> float:
    """imbalanced-learn's smoothing constant: the rule-of-thumb bandwidth.

    ``(4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))`` with
    ``n_samples`` the number of rows of the whole input (not of the class).
    """
    return (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))


class _SmoothingSource:
    """X as numbers for the smoothed bootstrap: checked once, std per class.

    Dense X (numpy or pandas) becomes one float64 array; sparse X stays sparse.
    Raises a clear error for non-numeric or non-finite X.
    """

    def __init__(self, X):
        if sp.issparse(X):
            self.values = X.tocsr().astype(np.float64)
            finite = np.isfinite(self.values.data).all()
        else:
            self.values = _numeric_values(X)
            finite = np.isfinite(self.values).all()
        if not finite:
            raise ValueError(
                f"Input X contains NaN or infinity: {_FINITE_X_NEEDED}. Impute "
                "missing values first, or use shrinkage=None."
            )

    def class_std(self, rows: np.ndarray) -> np.ndarray:
        """Population std of every feature over ``rows``, without overflow.

        Each feature is divided by its largest absolute value first, so values
        near the float64 limit (whose squares overflow) give a finite std.
        """
        part = self.values[rows]
        if sp.issparse(part):
            part.sum_duplicates()  # a new matrix: one entry per value
            scale = np.asarray(abs(part).max(axis=0).todense()).ravel()
        else:
            scale = np.abs(part).max(axis=0)
        scale[scale == 0] = 1.0
        if sp.issparse(part):
            # Each value divided by its column's scale, not multiplied by
            # 1 / scale: that is infinite for a subnormal scale (5e-324),
            # which made the std, and the noisy rows, NaN.
            scaled = part.tocsr(copy=True)
            scaled.data = scaled.data / scale[scaled.indices]
            _, variance = mean_variance_axis(scaled, axis=0)
            std = np.sqrt(np.maximum(variance, 0))
        else:
            std = (part / scale).std(axis=0)
        return std * scale


def _shrinkage_factor(value: Any, name: str) -> float:
    """A shrinkage factor as a Python float, or a ValueError naming ``name``.

    As a float, a numpy one (``np.float32(0.5)``) scales the noise as the
    same Python number does, and an int too large for a float is refused.
    """
    number = float("nan")
    if not is_bool(value) and isinstance(value, numbers.Real):
        try:
            number = float(value)
        except OverflowError:  # an int or Fraction beyond 1.8e308
            pass
    if not np.isfinite(number) or number < 0:
        raise ValueError(
            f"The shrinkage factor needs to be >= 0: {name} = {value!r:.60} is not "
            "a finite number >= 0. Give every class in shrinkage a factor >= 0 "
            "(0 = plain copies, 1 = the rule-of-thumb bandwidth)."
        )
    return number


def _smoothed_bootstrap(
    X, X_res, indices, labels, shrinkage: dict, rng, shuffled: bool = False
):
    """Add imbalanced-learn's smoothed-bootstrap noise to the added rows of X_res.

    Every added copy of a row of class ``c`` gets Gaussian noise of scale
    ``shrinkage[c] * h * std_c`` per feature, ``h`` = :func:`_bandwidth` of
    the whole input and ``std_c`` the class's population std; original rows
    are returned unchanged (in a ``shuffled`` output, which occurrence of a
    row stays the original is random: see :func:`_indices.added_mask`). The
    result keeps X's container and every column's dtype (see
    :func:`_cast_noisy`).
    """
    source = _SmoothingSource(X)
    n_samples, n_features = X.shape
    h = _bandwidth(n_samples, n_features)
    # The added rows of each class, in output order: one stable sort by
    # class (a scan per class cost n_classes passes over the output).
    added = np.flatnonzero(_indices.added_mask(indices, shuffled))
    added_codes = labels.codes[indices[added]]
    by_class = added[np.argsort(added_codes, kind="stable")]
    starts = np.zeros(labels.n_classes + 1, dtype=np.int64)
    np.cumsum(np.bincount(added_codes, minlength=labels.n_classes), out=starts[1:])
    position = {c: i for i, c in enumerate(labels.classes.tolist())}
    # In class order, whatever the order of a shrinkage dict: the same noise
    # for the same random_state.
    noisy = sorted(
        (position[cls], shrink)
        for cls, shrink in shrinkage.items()
        if shrink != 0 and starts[position[cls] + 1] > starts[position[cls]]
    )
    if not noisy:
        return X_res
    class_rows = labels.class_rows()
    target = np.concatenate([by_class[starts[c] : starts[c + 1]] for c, _ in noisy])
    largest = np.finfo(np.float64).max
    sparse = sp.issparse(X_res)
    scales: list = []
    with np.errstate(over="ignore"):
        for c, shrink in noisy:
            scale = np.minimum(source.class_std(class_rows[c]) * (shrink * h), largest)
            if sparse:  # the features it varies in: no full width per class
                where = np.flatnonzero(scale)
                scale = (where, scale[where])
            scales.append(scale)
    columns = None
    if sparse:
        # Only the columns some class adds noise to (a feature constant
        # within every noisy class gets none): the noise of wide sparse X,
        # drawn for every feature, is never held whole.
        columns = np.unique(np.concatenate([where for where, _ in scales]))
    counts = [starts[c + 1] - starts[c] for c, _ in noisy]
    noise = _draw_noise(rng, counts, scales, n_features, columns)
    if isinstance(X_res, np.ndarray) and np.may_share_memory(X_res, X):
        X_res = X_res.copy()  # never write into the input
    return _add_noise(X_res, target, noise, columns)


def _draw_noise(
    rng, counts: list, scales: list, n_features: int, columns=None
) -> np.ndarray:
    """Gaussian noise, ``counts[k]`` rows scaled by ``scales[k]`` class after
    class, every one of the ``n_features`` drawn (the random stream of one
    array per class, as imbalanced-learn draws it). With ``columns``, only
    those are kept, and each scale is ``(features, values)``, the features
    (among ``columns``) it is not 0 for.

    >>> import numpy as np
    >>> from rebalance.samplers import _draw_noise
    >>> scale = np.array([1.0, 0.0, 2.0])
    >>> whole = _draw_noise(np.random.default_rng(0), [3], [scale], 3)
    >>> kept = _draw_noise(
    ...     np.random.default_rng(0), [3], [(np.array([0, 2]), scale[[0, 2]])], 3,
    ...     columns=np.array([0, 2]),
    ... )
    >>> bool((kept == whole[:, [0, 2]]).all())
    True
    """
    width = n_features if columns is None else columns.shape[0]
    noise = np.empty((sum(counts), width), dtype=np.float64)
    block_rows = max(1, _indices.NOISE_BLOCK_VALUES // max(n_features, 1))
    block_rows = min(block_rows, max(counts, default=1))
    block = np.empty((0, 0) if columns is None else (block_rows, n_features))
    filled = 0
    with np.errstate(over="ignore"):
        for count, scale in zip(counts, scales):
            if columns is None:  # drawn in place
                part = noise[filled : filled + count]
                rng.standard_normal(out=part)
                part *= scale
            else:  # drawn in blocks of rows, the kept columns copied out
                features, values = scale
                kept_scale = np.zeros(width)
                kept_scale[np.searchsorted(columns, features)] = values
                for start in range(filled, filled + count, block_rows):
                    rows = min(block_rows, filled + count - start)
                    rng.standard_normal(out=block[:rows])
                    np.multiply(
                        block[:rows, columns],
                        kept_scale,
                        out=noise[start : start + rows],
                    )
            filled += count
    return noise


def _rows_like(
    rows: list, values: np.ndarray, indices: np.ndarray, shuffled: bool = False
) -> list:
    """The smoothed-bootstrap output ``values`` (row ``k`` drawn from
    ``rows[indices[k]]``) of a list X, as a list of rows of the types given.

    A row kept as drawn is a copy of the row given, as with
    ``shrinkage=None``; an added (noisy) row is rebuilt in the type of the row
    it was drawn from (:func:`_row_like`): a numpy, torch or array-API row
    keeps its dtype, not a list of Python floats.

    >>> import numpy as np
    >>> from rebalance.samplers import _rows_like
    >>> rows = [np.array([1.5, 2.0], dtype=np.float32), [3.0, 4.0]]
    >>> values = np.array([[1.5, 2.0], [3.0, 4.0], [3.25, 4.0]])
    >>> out = _rows_like(rows, values, np.array([0, 1, 1]))  # row 1 added once
    >>> out[0].dtype, out[1], out[2]
    (dtype('float32'), [3.0, 4.0], [3.25, 4.0])
    """
    if all(type(row) is list for row in rows):  # lists: no row type to keep
        return values.tolist()
    added = _indices.added_mask(indices, shuffled)
    return [
        _row_like(rows[i], values[k]) if new else _copy_row(rows[i])
        for k, (i, new) in enumerate(zip(indices.tolist(), added.tolist()))
    ]


def _row_like(row: Any, values: np.ndarray) -> Any:
    """``values`` (one row of X's array) in the type and dtype of ``row``: a
    numpy array (a masked one too), torch tensor (on its device), array-API
    array, pandas Series (its index and name) or array, tuple or named tuple;
    anything else (a list) as a list. Values cast to an integer or bool dtype
    are rounded, saturating (:func:`_cast_noisy`)."""
    if isinstance(row, tuple):
        listed = values.tolist()
        return type(row)._make(listed) if hasattr(row, "_make") else tuple(listed)
    module = type(row).__module__.split(".")[0]
    if (
        isinstance(row, np.ndarray)
        or module in ("torch", "pandas")
        or callable(getattr(row, "__array_namespace__", None))
    ):
        if module == "torch":
            import torch  # the rows are tensors: torch is imported already

            # (X's check refused a dtype numpy has not, such as bfloat16.)
            dtype = torch.empty(0, dtype=row.dtype).numpy().dtype
        else:
            dtype = getattr(row.dtype, "numpy_dtype", row.dtype)
            dtype = dtype if isinstance(dtype, np.dtype) else np.asarray(row).dtype
        new = (
            values.copy()
            if values.dtype == dtype
            else _cast_noisy(values.astype(np.float64), dtype)
        )
        new = new.reshape(np.shape(row))
        if isinstance(row, np.ma.MaskedArray):  # unmasked (else refused)
            return np.ma.masked_array(new, fill_value=row.fill_value)
        if isinstance(row, np.ndarray):
            return new
        if module == "torch":
            return torch.from_numpy(new).to(dtype=row.dtype, device=row.device)
        if module == "pandas":
            import pandas as pd

            array = pd.array(new, dtype=row.dtype)
            if not isinstance(row, pd.Series):  # a pandas array (pd.array(...))
                return array
            return pd.Series(array, index=row.index.copy(), name=row.name)
        namespace = row.__array_namespace__()
        return namespace.asarray(new, dtype=row.dtype, device=row.device)
    return values.tolist()


def _add_noise(X_res, target: np.ndarray, noise: np.ndarray, columns=None):
    """``X_res`` with ``noise`` added to rows ``target``, same container and
    dtypes; for sparse ``X_res``, ``noise`` holds only ``columns`` (given
    then: the others get none)."""
    unwrapped = _unwrapped(X_res)
    if unwrapped is not None:  # a narwhals frame: the frame it wraps, wrapped
        native, wrap = unwrapped
        return wrap(_add_noise(native, target, noise, columns))
    if sp.issparse(X_res):
        fmt, dtype = X_res.format, X_res.dtype
        csr = X_res.tocsr(copy=True)
        noisy = _noisy(csr[target][:, columns].toarray(), noise, dtype)
        # Clear the target rows' entries in those columns, then add their
        # noisy values back.
        is_target = np.zeros(csr.shape[0], dtype=bool)
        is_target[target] = True
        is_noisy_column = np.zeros(csr.shape[1], dtype=bool)
        is_noisy_column[columns] = True
        entry_rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        csr.data[is_target[entry_rows] & is_noisy_column[csr.indices]] = 0
        # Built as CSR directly (the target rows in order, each with every
        # noisy column): no COO coordinates of every value.
        n_rows, n_noisy = noise.shape
        order = np.argsort(target, kind="stable")
        indptr = np.zeros(csr.shape[0] + 1, dtype=np.int64)
        indptr[1:][target] = n_noisy
        np.cumsum(indptr, out=indptr)
        replaced = sp.csr_matrix(
            (noisy[order].ravel(), np.tile(columns, n_rows), indptr),
            shape=csr.shape,
            dtype=dtype,
        )
        out = csr + replaced
        out.eliminate_zeros()
        return out.asformat(fmt)
    if hasattr(X_res, "iloc"):
        for j in range(X_res.shape[1]):
            X_res.isetitem(j, _noisy_column(X_res.iloc[:, j], target, noise[:, j]))
        return X_res
    if is_dataframe(X_res):  # polars, pyarrow, ...: one numpy array per column
        frame = narwhals_frame(X_res)
        columns = []
        decimals = {}  # decimal columns, in their own type (as pandas keeps them)
        for j, name in enumerate(frame.columns):
            native = nw.to_native(frame.get_column(name))
            arrow = decimal_arrow(native)
            if arrow is not None:
                decimals[j] = _noisy_decimal_column(arrow, target, noise[:, j])
                columns.append(np.zeros(len(arrow)))  # replaced below
                continue
            column = np.array(frame.get_column(name).to_numpy())  # writable copy
            column[target] = _noisy(column[target], noise[:, j], column.dtype)
            columns.append(column)
        out = frame_like(X_res, columns)
        return replace_arrow_columns(out, X_res, decimals) if decimals else out
    values = X_res  # not the input's memory (checked by the caller)
    values[target] = _noisy(values[target], noise, values.dtype)
    return values


def _noisy_column(column, target: np.ndarray, noise: np.ndarray):
    """A pandas column with ``noise`` added at ``target``, keeping its dtype."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        dense = column.sparse.to_dense().to_numpy(copy=True)
        dense[target] = _noisy(dense[target], noise, dense.dtype)
        return pd.arrays.SparseArray(dense, fill_value=dtype.fill_value, dtype=dtype)
    if isinstance(dtype, np.dtype):
        values = column.to_numpy(copy=True)
        values[target] = _noisy(values[target], noise, dtype)
        return values
    arrow = decimal_arrow(column)
    if arrow is not None:  # decimal128[pyarrow], ...: rounded to its scale
        import pandas as pd

        return pd.arrays.ArrowExtensionArray(
            _noisy_decimal_column(arrow, target, noise)
        )
    # A pandas extension dtype (Int64, Float32, boolean, ...).
    numpy_dtype = np.dtype(getattr(dtype, "numpy_dtype", np.float64))
    values = column.array.copy()
    if numpy_dtype.kind in "iu":
        # Integers as integers (no missing values: X was checked finite).
        start = column.to_numpy(dtype=numpy_dtype)[target]
    else:
        start = column.to_numpy(dtype=np.float64, na_value=np.nan)[target]
    values[target] = pd.array(_noisy(start, noise, numpy_dtype), dtype=dtype)
    return values


# Integers of this magnitude or more are not all exact in float64.
_EXACT_FLOAT_INTS = 2.0**53


def _noisy(start: np.ndarray, noise: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``start + noise`` in ``dtype``, as :func:`_cast_noisy` casts it.

    Integer values beyond 2**53, which float64 cannot all hold, get the noise
    rounded to an integer and added in Python integers (saturating): they
    change by their noise only (a constant column or a class of one row,
    whose noise is 0, keeps its values exactly).
    """
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        out = _cast_noisy(start.astype(np.float64) + noise, dtype)
        if dtype.kind in "iu" and start.dtype.kind in "iu":
            big = np.abs(start.astype(np.float64)) >= _EXACT_FLOAT_INTS
            if big.any():
                info = np.iinfo(dtype)
                # Rounded and bounded first: int() of an infinity fails.
                steps = np.clip(np.rint(noise[big]), -(2.0**65), 2.0**65)
                exact = [
                    min(max(value + int(step), info.min), info.max)
                    for value, step in zip(start[big].tolist(), steps.tolist())
                ]
                out[big] = np.array(exact, dtype=dtype)
    return out


def _decimal_limit(arrow_type: Any) -> float:
    """The largest float64 that the pyarrow decimal type ``arrow_type`` holds:
    ``10 ** (precision - scale) - 10 ** -scale``, or the float below it where
    that rounds up (``decimal128(38, 2)``: ``1e36`` is 37 digits)."""
    import decimal

    with decimal.localcontext() as context:
        context.prec = 200
        ten = decimal.Decimal(10)
        largest = ten ** (arrow_type.precision - arrow_type.scale)
        largest -= ten**-arrow_type.scale
        high = float(largest)
        if decimal.Decimal(high) > largest:
            high = float(np.nextafter(high, 0.0))
    return high


def _noisy_decimal_column(arrow: Any, target: np.ndarray, noise: np.ndarray) -> Any:
    """The pyarrow decimal Array ``arrow`` with ``noise`` added at rows
    ``target``, in its own type: the values read as floats (as pandas reads
    them, ``float(Decimal)``), the noisy ones cast back as pyarrow casts a
    float (rounded to the scale, as pandas writes floats into a decimal
    column), saturating at the type's limits (as integer columns do)."""
    import pyarrow as pa  # a decimal column: pyarrow is imported already
    import pyarrow.compute as pc

    if target.size == 0:
        return arrow
    start = np.asarray(
        arrow.take(pa.array(target)).to_numpy(zero_copy_only=False), dtype=np.float64
    )
    high = _decimal_limit(arrow.type)
    with np.errstate(over="ignore"):
        values = np.clip(start + noise, -high, high)
    noisy = pc.cast(pa.array(values, pa.float64()), arrow.type)
    # Row k of the result: row k of arrow, or its noisy value (appended) for
    # an added row (replace_with_mask has no decimal32/decimal64 kernel).
    rows = np.arange(len(arrow), dtype=np.int64)
    rows[target] = len(arrow) + np.arange(target.size, dtype=np.int64)
    return pa.concat_arrays([arrow, noisy]).take(pa.array(rows))


def _cast_noisy(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Noisy float64 values in ``dtype``: rounded for ints/bools, saturating.

    The one rule for every column: the output keeps the input's dtype. Integer
    and bool columns get the nearest integer (bool: 0 or 1), float columns the
    nearest value; values beyond the dtype's range saturate at its limits
    instead of wrapping around or becoming infinite.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.clip(np.rint(values), 0, 1).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        # float(info.max) rounds up for 64-bit ints: step back below it.
        low = float(info.min)
        high = float(info.max)
        if int(high) > info.max:
            high = np.nextafter(high, 0.0)
        return np.clip(np.rint(values), low, high).astype(dtype, copy=False)
    if dtype.kind == "f":
        limit = float(np.finfo(dtype).max)
        return np.clip(values, -limit, limit, out=values).astype(dtype, copy=False)
    return values.astype(dtype, copy=False)


def _check_list_rows(rows: list) -> None:
    """Refuse the rows of a list X that numpy reads as numbers but are none,
    as the same columns of a DataFrame are: a pandas row of categories (its
    noisy values outside the categories came back NaN), and a masked row
    with masked entries (the values under the mask read into the std and the
    noise, the mask dropped from the added rows); pandas Series rows whose
    indexes differ (read by position, their features mixed).

    >>> import numpy as np
    >>> from rebalance.samplers import _check_list_rows
    >>> _check_list_rows([np.ma.masked_array([1.0, 2.0], mask=[0, 1])])
    Traceback (most recent call last):
    ...
    ValueError: Input X contains missing values: row 0 has 1 masked entries, ...
    """
    kinds = {type(row) for row in rows}
    if kinds <= {list, tuple, np.ndarray}:  # the common rows: nothing to check
        return
    first_index, first = None, 0
    for i, row in enumerate(rows):
        if isinstance(row, np.ma.MaskedArray) and np.ma.getmaskarray(row).any():
            raise ValueError(
                f"Input X contains missing values: row {i} has "
                f"{int(np.ma.count_masked(row))} masked entries, and "
                f"{_FINITE_X_NEEDED}. Fill them first (e.g. row.filled(value)), "
                "or use shrinkage=None."
            )
        dtype = getattr(row, "dtype", None)
        if type(row).__module__.startswith("pandas") and (
            not numeric_dtype(dtype) or str(dtype) == "category"
        ):
            raise ValueError(
                f"{_NUMERIC_X_NEEDED}; row {i} of X has dtype {dtype}. Use "
                "shrinkage=None, or encode the rows as numbers first."
            )
        index = getattr(row, "index", None) if is_pandas(row, "Series") else None
        if index is None:
            continue
        if first_index is None:
            first_index, first = index, i
        elif not index.equals(first_index):
            # Read by position, each feature's std (and noise) would mix the
            # values of differently labelled entries.
            raise ValueError(
                f"Rows {first} and {i} of X are pandas Series with different "
                f"indexes ({list(first_index[:5])} and {list(index[:5])}): "
                "their values are read by position, which would mix features "
                "in the smoothed bootstrap. Align the rows first, e.g. "
                f"[row.reindex(X[{first}].index) for row in X]."
            )


def _column_type(column: Any) -> Any:
    """The type of a narwhals column as its own library names it (pyarrow's
    ``null``, ``run_end_encoded<...>``, polars' ``Null``), where narwhals
    knows it only as ``Unknown``.

    >>> import narwhals.stable.v2 as nw
    >>> import pyarrow as pa
    >>> from rebalance.samplers import _column_type
    >>> _column_type(nw.from_native(pa.table({"n": pa.nulls(2)}))["n"])
    DataType(null)
    """
    if column.dtype != nw.Unknown:
        return column.dtype
    native = nw.to_native(column)
    native_type = getattr(native, "type", None)  # pyarrow (a struct has a len)
    if native_type is None:
        native_type = getattr(native, "dtype", column.dtype)  # polars, ...
    return native_type


# Items of an object X that float() parses but are no numbers (their rows
# would stay texts or bytes beside the noisy rows' floats).
_TEXTS = (str, bytes, bytearray, memoryview)


def _numeric_values(X) -> np.ndarray:
    """Dense X as one float64 array for the smoothed bootstrap, or a clear error."""
    unwrapped = _unwrapped(X)
    if unwrapped is not None:  # a narwhals frame: read as the frame it wraps
        X = unwrapped[0]
    if hasattr(X, "iloc") and getattr(X, "ndim", 2) == 1:
        X = X.to_frame()  # a Series of texts: refused below, naming it
    if hasattr(X, "iloc"):
        import pandas as pd

        columns = []
        for name, column in X.items():
            dtype = column.dtype
            # Complex numbers would lose their imaginary part in the noise.
            if (
                not numeric_dtype(dtype)
                or isinstance(dtype, pd.CategoricalDtype)
                or pd.api.types.is_complex_dtype(dtype)
            ):
                raise ValueError(
                    f"{_NUMERIC_X_NEEDED}; column "
                    f"{name!r} has dtype {dtype}. Use shrinkage=None, or encode "
                    "that column as numbers first."
                )
            columns.append(column.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.column_stack(columns)
    if is_dataframe(X):  # polars, pyarrow, ...: every column a number
        frame = narwhals_frame(X)
        for name in frame.columns:
            column = frame.get_column(name)
            decimals = decimal_arrow(nw.to_native(column))
            if decimals is not None:
                # Decimals as pandas reads its decimal128[pyarrow] columns:
                # as floats, their noise cast back to the column's type.
                if decimals.null_count:
                    raise ValueError(
                        f"Input X contains missing values: column {name!r} "
                        f"({decimals.type}) has {decimals.null_count} nulls, and "
                        f"{_FINITE_X_NEEDED}. Impute them first, or use "
                        "shrinkage=None."
                    )
                continue
            # Categories (a pyarrow dictionary of ints) are no numbers either.
            numeric = column.dtype.is_numeric() or column.dtype == nw.Boolean
            if numeric:
                column_values, n_missing = series_values(
                    nw.to_native(column), f"X column {name!r}"
                )
                if n_missing and column.dtype == nw.Boolean:
                    # Nulls make a boolean column objects (numeric columns
                    # get NaN): the missing values stop the noise, not the
                    # dtype.
                    raise ValueError(
                        f"Input X contains missing values: column {name!r} "
                        f"({frame.schema[name]}) has {n_missing} nulls, and "
                        f"{_FINITE_X_NEEDED}. Impute them first, or use "
                        "shrinkage=None."
                    )
            if not numeric or column_values.dtype.kind not in "biuf":
                column_type = _column_type(column)
                if str(column_type).startswith("run_end_encoded"):
                    fix = "decode that column first (pyarrow.compute.run_end_decode)"
                elif column.dtype in (nw.Categorical, nw.Enum, nw.String) or str(
                    column_type
                ).startswith("dictionary"):
                    # Categories and text cast to no float (polars: "cannot
                    # cast categorical types to Float64").
                    fix = (
                        "encode that column as numbers first (one-hot, or its "
                        "category codes: polars .to_physical(), pyarrow "
                        ".indices)"
                    )
                else:
                    fix = "cast that column to a float first"
                raise ValueError(
                    f"{_NUMERIC_X_NEEDED}; column {name!r} has dtype "
                    f"{column_type} (not a plain integer, float or boolean). Use "
                    f"shrinkage=None, or {fix}."
                )
    if isinstance(X, np.ma.MaskedArray) and np.ma.getmaskarray(X).any():
        # np.asarray would read the values under the mask (often a sentinel
        # such as -999) into each class's std, and the noise.
        raise ValueError(
            f"Input X contains missing values: {int(np.ma.count_masked(X))} "
            f"masked entries, and {_FINITE_X_NEEDED}. Fill them first (e.g. "
            "X.filled(value)), or use shrinkage=None."
        )
    # polars, pyarrow, ... or array-like; a sparse X comes back as it is
    values: Any = frame_values(X)
    if sp.issparse(values):
        values = values.toarray()
    # np.matrix: `*` would be a matrix product.
    values = np.asarray(values)
    if values.dtype == np.float64:
        return values
    if values.dtype.kind in "mM":  # as for pandas datetime columns
        raise ValueError(
            f"{_NUMERIC_X_NEEDED}; X has dtype "
            f"{values.dtype}. Use shrinkage=None, or convert the dates to numbers "
            "first."
        )
    if values.dtype.kind in "USVT" or (
        values.dtype == object and any(isinstance(v, _TEXTS) for v in values.flat)
    ):
        # numpy would parse numeric strings, and the noisy numbers written back
        # into the fixed-width string dtype would be cut to its width (text in
        # numpy 2's StringDType, 'T'; the original rows of an object array
        # would stay texts next to the added rows' floats).
        raise ValueError(
            f"{_NUMERIC_X_NEEDED}; X has dtype {values.dtype} (strings or raw "
            "bytes). Use shrinkage=None, or convert X to numbers first, e.g. "
            "numpy.asarray(X, dtype=float) (also for a list of rows)."
        )
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        # The same exception type numpy raised (scikit-learn's checks expect
        # a TypeError for objects that are not numbers at all).
        raise type(exc)(
            f"{exc}: {_NUMERIC_X_NEEDED}, and X has non-numeric values. Use "
            "shrinkage=None or encode them first."
        ) from exc


class ClassBalancedSampler(_SamplingStrategy, BaseSampler):
    """Pick a class (uniformly, or ∝ n_c^power), then a random row of it.

    Class-balanced sampling (as surveyed in Hikvision's ILSVRC 2016 report and
    by Kang et al., "Decoupling Representation and Classifier for Long-Tailed
    Recognition", ICLR 2020): with ``power=0`` every class is drawn equally
    often; ``power=1`` reproduces the natural class frequencies and
    values in between interpolate (square-root sampling at 0.5). Rows are drawn
    with replacement.

    Parameters
    ----------
    n_samples : int or None, default=None
        Rows to draw; ``None`` keeps the input size.
    power : float in [0, 1], default=0.0
        Exponent of the class counts in the class probabilities: 0 draws the
        classes equally often (with the default ``sampling_strategy``), 1 at
        their natural frequencies, 0.5 is square-root sampling.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw; None draws the seed from numpy's global
        RandomState (``np.random.seed`` makes it repeatable), as in
        imbalanced-learn.
    sampling_strategy : float, str, dict or callable, default='auto'
        The class mix to draw towards, read as :class:`RandomOverSampler`
        reads it (imbalanced-learn's over-sampling meaning): it gives each
        class a row count ``T_c`` (``'auto'``, ``'all'``: the majority count
        for every class; ``'minority'``, ``'not minority'``, ``'not
        majority'``: that for the selected classes, the others keep their
        count; a dict ``{class: rows}`` with rows >= the class's count; a
        float, binary only, the minority/majority ratio; a callable ``labels
        -> dict``). A class is then drawn with probability ``∝ T_c ** (1 -
        power) * n_c ** power``: with ``power=0`` the expected class mix is
        that of the ``T_c`` (``'auto'``: balanced), with ``power=1`` the
        natural one. ``n_samples`` still sets the output size. This is what
        lets the sampler run inside ``imblearn.ensemble.BalancedBaggingClassifier``,
        which sets ``sampling_strategy``.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows drawn}`` of the last :meth:`fit_resample` (of
        :meth:`fit`: the expected rows, each rounded to the nearest integer,
        so their sum may differ from ``n_samples`` by up to half the number of
        classes).
    sample_indices_ : ndarray
        Positions in the input of the returned rows (set by
        :meth:`fit_resample` only).
    n_features_in_ : int
        Number of features (columns) of X.
    feature_names_in_ : ndarray of str
        Column names of X; defined only when X has column names that are all
        strings.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import ClassBalancedSampler
    >>> y = np.array([0] * 900 + [1] * 100)
    >>> X = np.zeros((1000, 1))
    >>> X_res, y_res = ClassBalancedSampler(random_state=0).fit_resample(X, y)
    >>> len(y_res), bool(abs(y_res.mean() - 0.5) < 0.05)
    (1000, True)

    A float ``sampling_strategy`` asks for a minority/majority ratio:

    >>> sampler = ClassBalancedSampler(sampling_strategy=0.5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> bool(abs(y_res.mean() - 1 / 3) < 0.05)
    True
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "n_samples": [NumberInterval(numbers.Integral, 1, None, closed="left"), None],
        "power": [NumberInterval(numbers.Real, 0, 1, closed="both")],
        "random_state": RANDOM_STATE_CONSTRAINT,
        "sampling_strategy": _strategy_constraint("over-sampling"),
    }

    def __init__(
        self, n_samples=None, power=0.0, random_state=None, sampling_strategy="auto"
    ):
        self.n_samples = n_samples
        self.power = power
        self.random_state = random_state
        self.sampling_strategy = sampling_strategy

    def _make_plan(self, labels, y):
        # A plain int (numpy, sympy and other Integrals pass validation).
        n_samples = labels.n_samples if self.n_samples is None else int(self.n_samples)
        totals, _ = self._class_totals(labels, y)
        weights = None  # count ** power: every class brought to the same total
        if (totals != totals[0]).any():
            power = float(self.power)
            weights = totals.astype(np.float64) ** (1 - power) * (
                labels.counts.astype(np.float64) ** power
            )
        n_output = _indices.class_balanced_size(labels, n_samples, self.power)
        expected = _indices.class_balanced_counts(
            labels, n_samples, self.power, weights
        )
        report = dict(
            zip(labels.classes.tolist(), np.rint(expected).astype(int).tolist())
        )
        draw = functools.partial(
            _indices.class_balanced_indices,
            labels,
            n_samples,
            self.power,
            weights=weights,
        )
        report_draw = functools.partial(_drawn_counts, labels)
        return SamplingPlan(labels, report, n_output, draw, report_draw)


def _drawn_counts(labels, indices) -> dict:
    """``{class: rows}`` of one draw (a module function so plans pickle)."""
    counts = np.bincount(labels.codes[indices], minlength=labels.n_classes)
    return dict(zip(labels.classes.tolist(), counts.tolist()))


class LabelShuffleSampler(_SamplingStrategy, BaseSampler):
    """Hikvision label shuffle: every class repeated up to the largest class's size.

    Sort rows by class; with M the largest class count, each class of ``n_c``
    rows contributes M rows (a random permutation of ``range(M)`` taken modulo
    ``n_c``), so every row appears ⌊M/n_c⌋ or ⌈M/n_c⌉ times and no row is left
    out; the concatenation is shuffled. Output size: ``n_classes * M``. The
    recipe always gives the extra copy to the first ``M % n_c`` rows of a
    class; here those rows are drawn at random (every such set of rows equally
    likely), a new set at every draw.

    Parameters
    ----------
    random_state : int, Generator, RandomState or None, default=None
        Seed of the permutations and of the final shuffle.
    sampling_strategy : float, str, dict or callable, default='auto'
        The rows ``T_c`` of each class in the output, read as
        :class:`RandomOverSampler` reads it (imbalanced-learn's over-sampling
        meaning): ``'auto'`` and ``'all'`` bring every class to M (the label
        shuffle above); ``'minority'``, ``'not minority'``, ``'not majority'``
        only the selected classes, the others are kept once; a dict ``{class:
        rows}`` (rows >= the class's count); a float, binary only, the
        minority/majority ratio; a callable ``labels -> dict``. Each row of
        class ``c`` appears ⌊T_c/n_c⌋ or ⌈T_c/n_c⌉ times. ``'majority'`` is
        an error (an over-sampler cannot shrink it).

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: T_c}``: rows of each class in the output.
    sample_indices_ : ndarray
        Positions in the input of the returned rows (set by
        :meth:`fit_resample` only).
    n_features_in_ : int
        Number of features (columns) of X.
    feature_names_in_ : ndarray of str
        Column names of X; defined only when X has column names that are all
        strings.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import LabelShuffleSampler
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1])
    >>> X = np.arange(7).reshape(-1, 1)
    >>> X_res, y_res = LabelShuffleSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res)
    array([5, 5])
    >>> sorted(np.bincount(X_res.ravel())[5:].tolist())  # class 1 rows: 2 or 3 times
    [2, 3]
    >>> sampler = LabelShuffleSampler(sampling_strategy={1: 4}, random_state=0)
    >>> np.bincount(sampler.fit_resample(X, y)[1])
    array([5, 4])
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "random_state": RANDOM_STATE_CONSTRAINT,
        "sampling_strategy": _strategy_constraint("over-sampling"),
    }

    def __init__(self, random_state=None, sampling_strategy="auto"):
        self.random_state = random_state
        self.sampling_strategy = sampling_strategy

    def _make_plan(self, labels, y):
        totals, _ = self._class_totals(labels, y)
        n_output = _indices.label_shuffle_size(labels, totals)  # checked, exact
        report = dict(zip(labels.classes.tolist(), totals.tolist()))
        draw = functools.partial(_indices.label_shuffle_indices, labels, totals=totals)
        return SamplingPlan(labels, report, n_output, draw)
