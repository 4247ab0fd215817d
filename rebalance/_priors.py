"""Class priors: counting them, checking user-given ones, shifting posteriors.

Shared by :mod:`rebalance.threshold` (prior correction, EM) and
:mod:`rebalance.compose` (the priors a resampled classifier was trained at).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rebalance._validation import check_sample_weight, encode_labels

# Priors are accepted when they sum to 1 within this tolerance.
_SUM_TOLERANCE = 1e-6


def class_priors(y: Any, classes: np.ndarray, sample_weight: Any = None) -> np.ndarray:
    """Share of each of ``classes`` in ``y`` (weighted by ``sample_weight``).

    ``classes`` fixes the order; a class of ``y`` not in ``classes`` is an error.
    """
    labels, _, _ = encode_labels(y)
    weights = check_sample_weight(sample_weight, labels.n_samples)
    if weights is None:
        mass = labels.counts.astype(np.float64)
    else:
        values = np.asarray(weights, dtype=np.float64)
        mass = np.bincount(labels.codes, weights=values, minlength=labels.n_classes)
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


def class_positions(found: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """Position in ``classes`` of every label of ``found``, or a clear error."""
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
            f"classes are {list(np.asarray(classes).tolist())}. Fit the classifier "
            "and the priors on the same labels."
        )
    return np.asarray(positions, dtype=np.intp)


def _key(label: Any) -> Any:
    # numpy scalars and Python scalars of the same value compare equal as keys;
    # bools and ints are kept apart so that True is not the class 1.
    return (type(label) is bool, label)


def check_priors(
    priors: Any, classes: np.ndarray, name: str, *, positive: bool = False
) -> np.ndarray:
    """``priors`` (array in ``classes`` order, or ``{class: prior}``) as an array.

    Raises a ValueError naming ``name`` when the length, the keys, the values
    or the sum is wrong.
    """
    classes = np.asarray(classes)
    n_classes = classes.shape[0]
    if isinstance(priors, Mapping):
        keys = np.asarray(list(priors), dtype=object)
        given = {_key(k) for k in priors}
        expected = {_key(c) for c in classes.tolist()}
        if given != expected:
            raise ValueError(
                f"{name} has the keys {sorted(map(str, priors))} but the classes are "
                f"{classes.tolist()}: give exactly one prior per class."
            )
        values = np.empty(n_classes, dtype=np.float64)
        values[class_positions(keys, classes, name)] = [
            float(v) for v in priors.values()
        ]
    else:
        values = np.asarray(priors, dtype=np.float64)
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
        raise ValueError(
            f"{name} has a zero prior ({values.tolist()}): the classifier's "
            "probabilities are divided by these priors, so each must be > 0."
        )
    total = values.sum()
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(
            f"{name} sums to {total:.6g}, not 1: priors are probabilities. Divide "
            "them by their sum."
        )
    return values / total


def adjust_priors(
    proba: np.ndarray, train_priors: np.ndarray, deploy_priors: np.ndarray
) -> np.ndarray:
    """Posteriors at ``train_priors`` moved to ``deploy_priors``: p ∝ p' · π / π'."""
    ratio = np.asarray(deploy_priors, dtype=np.float64) / np.asarray(
        train_priors, dtype=np.float64
    )
    shifted = np.asarray(proba, dtype=np.float64) * ratio
    total = shifted.sum(axis=1, keepdims=True)
    # A row whose mass sits only on classes of deploy prior 0 has no answer at
    # the new priors; keep its original probabilities rather than divide by 0.
    empty = total[:, 0] <= 0
    if empty.any():
        shifted[empty] = proba[empty]
        total[empty] = shifted[empty].sum(axis=1, keepdims=True)
    return shifted / total


def em_priors(
    proba: np.ndarray,
    train_priors: np.ndarray,
    *,
    tol: float = 1e-8,
    max_iter: int = 1000,
) -> np.ndarray:
    """Deployment priors estimated from unlabelled posteriors (Saerens et al. 2002).

    Alternates between moving the posteriors to the current prior estimate and
    re-estimating the priors as the mean moved posterior, starting from
    ``train_priors``.
    """
    proba = np.asarray(proba, dtype=np.float64)
    train_priors = np.asarray(train_priors, dtype=np.float64)
    priors = train_priors.copy()
    for _ in range(max_iter):
        updated = adjust_priors(proba, train_priors, priors).mean(axis=0)
        converged = np.abs(updated - priors).max() < tol
        priors = updated
        if converged:
            break
    return priors
