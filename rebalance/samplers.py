"""The four estimator samplers: under, over, class-balanced, label shuffle."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.under_sampling.base import BaseUnderSampler
from sklearn.utils._param_validation import Interval, StrOptions

from rebalance import _indices
from rebalance._strategy import STRATEGY_NAMES, resolve_targets
from rebalance._validation import take_rows
from rebalance.base import BaseSampler, SamplingPlan

__all__ = [
    "RandomUnderSampler",
    "RandomOverSampler",
    "ClassBalancedSampler",
    "LabelShuffleSampler",
]

_STRATEGY_CONSTRAINT = [
    Interval(numbers.Real, 0, 1, closed="right"),
    StrOptions(set(STRATEGY_NAMES)),
    Mapping,
    callable,
]


class RandomUnderSampler(BaseSampler, BaseUnderSampler):
    """Keep a random subset of the rows of the larger classes.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to reduce and to how many rows (imbalanced-learn's
        meaning): ``'auto'`` = ``'not minority'`` (every class down to the
        minority count), ``'majority'``, ``'not majority'``, ``'all'``; a float
        (binary only) is the wanted minority/majority ratio; a dict
        ``{class: rows_to_keep}``; a callable ``y -> dict``.
    replacement : bool, default=False
        Draw the kept rows with replacement.
    shuffle : bool, default=True
        Return rows in random order. ``False`` keeps the original row order
        (imbalanced-learn returns rows grouped by class, which mini-batch
        learners should not see).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows kept}`` for every class that was reduced.
    sample_indices_ : ndarray
        Positions in the input of the returned rows.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

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
        "sampling_strategy": _STRATEGY_CONSTRAINT,
        "replacement": ["boolean"],
        "shuffle": ["boolean"],
        "random_state": ["random_state", np.random.Generator],
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
            y,
            "under-sampling",
            replacement=self.replacement,
        )

        def draw(rng):
            return _indices.under_sample_indices(
                labels, targets, rng, replacement=self.replacement, shuffle=self.shuffle
            )

        return SamplingPlan(labels, report, int(targets.sum()), draw)


class RandomOverSampler(BaseSampler, BaseOverSampler):
    """Repeat random rows of the smaller classes, optionally with smoothed noise.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to grow and to how many rows (imbalanced-learn's
        meaning): ``'auto'`` = ``'not majority'`` (every class up to the
        majority count), ``'not minority'``, ``'all'``; a float (binary
        only) is the wanted minority/majority ratio; a dict
        ``{class: total_rows}``; a callable.
    shrinkage : float, dict or None, default=None
        Smoothed bootstrap (as imbalanced-learn's): the added rows get Gaussian
        noise of scale ``shrinkage * h * std(class)`` per feature, ``h`` the
        rule-of-thumb bandwidth. A dict gives one value per over-sampled class.
        Dense numeric X only.
    shuffle : bool, default=True
        Return rows in random order; ``False`` keeps the original row order,
        each copy following its original.
    random_state : int, Generator, RandomState or None, default=None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows added}`` for every class that was grown.
    sample_indices_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of str

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
        "sampling_strategy": _STRATEGY_CONSTRAINT,
        "shrinkage": [Interval(numbers.Real, 0, None, closed="left"), dict, None],
        "shuffle": ["boolean"],
        "random_state": ["random_state", np.random.Generator],
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
            self.sampling_strategy, labels, y, "over-sampling"
        )

        def draw(rng):
            return _indices.over_sample_indices(
                labels, targets, rng, shuffle=self.shuffle
            )

        return SamplingPlan(labels, report, labels.n_samples + int(targets.sum()), draw)

    def _shrinkage_per_class(self, plan: SamplingPlan) -> dict:
        if isinstance(self.shrinkage, Mapping):
            unknown = set(self.shrinkage) - set(plan.sampling_strategy)
            if unknown:
                raise ValueError(
                    f"shrinkage names classes {sorted(unknown, key=str)} that are "
                    "not over-sampled; its keys must be among "
                    f"{list(plan.sampling_strategy)}."
                )
            missing = set(plan.sampling_strategy) - set(self.shrinkage)
            if missing:
                raise ValueError(
                    f"shrinkage has no value for the over-sampled classes "
                    f"{sorted(missing, key=str)}: give one per over-sampled class."
                )
            if any(v < 0 for v in self.shrinkage.values()):
                raise ValueError("shrinkage values must be >= 0.")
            return dict(self.shrinkage)
        return dict.fromkeys(plan.sampling_strategy, self.shrinkage)

    def _check_inputs(self, X, y, sample_weight=None):
        checked = super()._check_inputs(X, y, sample_weight)
        X = checked[0]
        if self.shrinkage is not None:
            if sp.issparse(X):
                raise ValueError(
                    "shrinkage (smoothed bootstrap) needs dense X; X is sparse. Use "
                    "shrinkage=None, or densify X with X.toarray()."
                )
            if not np.isfinite(_numeric_values(X)).all():
                raise ValueError(
                    "Input X contains NaN or infinity: shrinkage (smoothed "
                    "bootstrap) adds noise scaled by each feature's std, which needs "
                    "finite X. Impute missing values first, or use shrinkage=None."
                )
            self._shrinkage_per_class(checked[-1])
        return checked

    def _gather_features(self, X, indices, plan, rng):
        X_res = take_rows(X, indices)
        if self.shrinkage is None:
            return X_res
        values = _numeric_values(X_res).copy()
        source = _numeric_values(X)
        is_added = _indices.added_mask(indices)
        labels = plan.labels
        codes_res = labels.codes[indices]
        n_features = source.shape[1]
        position = {c: i for i, c in enumerate(labels.classes.tolist())}
        for cls, shrink in self._shrinkage_per_class(plan).items():
            c = position[cls]
            rows = labels.class_rows()[c]
            smoothing = (4 / ((n_features + 2) * rows.shape[0])) ** (
                1 / (n_features + 4)
            )
            scale = source[rows].std(axis=0) * smoothing * shrink
            target = np.flatnonzero(is_added & (codes_res == c))
            noise = rng.standard_normal((target.shape[0], n_features)) * scale
            values[target] = values[target] + noise
        if hasattr(X_res, "iloc"):
            return type(X_res)(values, columns=X_res.columns)
        return values

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The smoothed bootstrap adds noise: numbers only, dense, no NaN.
        dense_numeric_only = self.shrinkage is not None
        tags.input_tags.sparse = not dense_numeric_only
        tags.input_tags.string = not dense_numeric_only
        tags.input_tags.allow_nan = not dense_numeric_only
        return tags


def _numeric_values(X) -> np.ndarray:
    """X as a float array for the smoothed bootstrap, or a clear error."""
    values = X.to_numpy() if hasattr(X, "iloc") else np.asarray(X)
    if values.dtype.kind in "fc":
        return values
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{exc}: shrinkage (smoothed bootstrap) needs numeric X and X has "
            "non-numeric values. Use shrinkage=None or encode them first."
        ) from exc


class ClassBalancedSampler(BaseSampler):
    """Pick a class (uniformly, or ∝ n_c^power), then a random row of it.

    Class-balanced sampling (seed 004): with ``power=0`` every class is drawn
    equally often; ``power=1`` reproduces the natural class frequencies and
    values in between interpolate (square-root sampling at 0.5). Rows are drawn
    with replacement.

    Parameters
    ----------
    n_samples : int or None, default=None
        Rows to draw; ``None`` keeps the input size.
    power : float in [0, 1], default=0.0
    random_state : int, Generator, RandomState or None, default=None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows drawn}`` of the last :meth:`fit_resample` (of
        :meth:`fit`: the expected rows, rounded).
    sample_indices_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance import ClassBalancedSampler
    >>> y = np.array([0] * 900 + [1] * 100)
    >>> X = np.zeros((1000, 1))
    >>> X_res, y_res = ClassBalancedSampler(random_state=0).fit_resample(X, y)
    >>> len(y_res), bool(abs(y_res.mean() - 0.5) < 0.05)
    (1000, True)
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "power": [Interval(numbers.Real, 0, 1, closed="both")],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(self, n_samples=None, power=0.0, random_state=None):
        self.n_samples = n_samples
        self.power = power
        self.random_state = random_state

    def _make_plan(self, labels, y):
        n_samples = labels.n_samples if self.n_samples is None else self.n_samples
        expected = _indices.class_balanced_counts(labels, n_samples, self.power)
        report = dict(zip(labels.classes.tolist(), np.rint(expected).astype(int)))

        def draw(rng):
            return _indices.class_balanced_indices(labels, n_samples, self.power, rng)

        def drawn_counts(indices):
            counts = np.bincount(labels.codes[indices], minlength=labels.n_classes)
            return dict(zip(labels.classes.tolist(), counts.tolist()))

        return SamplingPlan(labels, report, n_samples, draw, drawn_counts)


class LabelShuffleSampler(BaseSampler):
    """Hikvision label shuffle: every class repeated up to the largest class's size.

    Sort rows by class; with M the largest class count, each class of ``n_c``
    rows contributes M rows (a random permutation of ``range(M)`` taken modulo
    ``n_c``), so every row appears ⌊M/n_c⌋ or ⌈M/n_c⌉ times and no row is left
    out; the concatenation is shuffled. Output size: ``n_classes * M``.

    Parameters
    ----------
    random_state : int, Generator, RandomState or None, default=None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: M}``: rows of each class in the output.
    sample_indices_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of str

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
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _make_plan(self, labels, y):
        largest = int(labels.counts.max())
        report = dict.fromkeys(labels.classes.tolist(), largest)

        def draw(rng):
            return _indices.label_shuffle_indices(labels, rng)

        return SamplingPlan(labels, report, largest * labels.n_classes, draw)
