"""Class and sample weights for imbalanced labels.

The results plug into scikit-learn (``class_weight=``, ``sample_weight=``) and
into the :mod:`rebalance.torch` losses (a dict ``{class index: weight}``).
"""

from __future__ import annotations

import reprlib
from numbers import Real
from typing import Any

import numpy as np

from rebalance._labels import EncodedLabels, encode_labels

__all__ = ["class_weights", "sample_weights"]

METHODS = ("balanced", "effective_number")


def _weights_per_class(
    y: Any, method: str, beta: float, caller: str
) -> tuple[EncodedLabels, np.ndarray]:
    # A string first: a numpy array of one would compare element-wise.
    if not isinstance(method, str) or method not in METHODS:
        # scikit-learn's compute_sample_weight("balanced", y) takes the
        # weighting first: the same call here put the labels in method.
        swapped = (isinstance(y, (str, dict)) or y is None) and not isinstance(
            method, (str, dict, type(None))
        )
        # reprlib: a swapped call puts the labels here (a list of a million
        # labels printed a 3 MB message).
        raise ValueError(
            f"method={reprlib.repr(method)} is not a weighting method: use one of "
            f"{list(METHODS)}."
            + (
                f" {caller} takes the labels first, {caller}(y, method='balanced') "
                "(scikit-learn's compute_sample_weight and compute_class_weight "
                "take the weighting first)."
                if swapped
                else ""
            )
        )
    # As a float: np.longdouble or Fraction would give weights of their type
    # (and a longdouble just below 1 is 1.0 as a float).
    number = isinstance(beta, Real) and not isinstance(beta, bool)
    if not number or not 0 <= beta < 1:
        # A Decimal('0.999') is in [0, 1) too: say which type is wanted.
        raise ValueError(
            f"beta={reprlib.repr(beta)}"
            + ("" if number else f" ({type(beta).__name__})")
            + " must be a float in [0, 1), e.g. beta=0.999: effective-number "
            "weights need beta < 1 (0.999 and 0.9999 are usual; 0 gives equal "
            "weights)."
        )
    if float(beta) == 1.0:
        raise ValueError(
            f"beta={beta!r} is 1.0 as a float (effective-number weights need "
            "beta < 1): use a beta such as 0.9999."
        )
    beta = float(beta)
    labels, _, _ = encode_labels(y)
    counts = labels.counts.astype(np.float64)
    n_classes = counts.shape[0]
    if method == "balanced":
        weights = counts.sum() / (n_classes * counts)
    else:
        # Effective number of samples (1 - beta^n) / (1 - beta), Cui et al.
        # 2019; expm1/log1p keep it exact when beta is close to 1.
        with np.errstate(divide="ignore"):
            effective = -np.expm1(counts * np.log(beta)) / (1 - beta)
        weights = 1.0 / effective
        weights *= n_classes / weights.sum()
    return labels, weights


def class_weights(
    y: Any, method: str = "balanced", *, beta: float = 0.999
) -> dict[Any, float]:
    """One weight per class, larger for rarer classes.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels, or a one-hot matrix (one class per row: scikit-learn's
        ``compute_sample_weight`` reads a 2-D ``y`` as several outputs
        instead, and multiplies their weights).
    method : {'balanced', 'effective_number'}, default='balanced'
        ``'balanced'``: ``n_samples / (n_classes * n_c)``, scikit-learn's
        ``class_weight='balanced'``. ``'effective_number'``:
        ``(1 - beta) / (1 - beta ** n_c)`` (Cui et al. 2019), scaled to sum to
        the number of classes.
    beta : float in [0, 1), default=0.999
        ``'effective_number'`` only: 0 gives equal weights, values near 1
        approach inverse frequency.

    Returns
    -------
    dict
        ``{class: weight}``, classes in sorted order (a pandas categorical's
        in its category order); accepted by scikit-learn's ``class_weight=``
        and, for labels ``0..C-1``, by the torch losses (which read the keys,
        not the order). Pass ``sample_weight=sample_weights(y)`` instead to
        scikit-learn's ``HistGradientBoostingClassifier``, which reads the
        keys as the classes' positions ``0..C-1``, not as labels (it refuses
        other labels, and a dict of more classes than ``y`` has gives a class
        the weight of another), and to any scikit-learn 1.9 estimator when
        the labels are strings of digits (``'0'``, ``'1'``): it looks them up
        as ints and refuses the dict (scikit-learn issue #34883).

    Examples
    --------
    >>> from rebalance.weights import class_weights
    >>> y = [0] * 90 + [1] * 10
    >>> class_weights(y)
    {0: 0.555..., 1: 5.0}
    >>> class_weights(y, "effective_number", beta=0.99)
    {0: 0.276..., 1: 1.723...}
    """
    labels, weights = _weights_per_class(y, method, beta, "class_weights")
    return dict(zip(labels.classes.tolist(), weights.tolist()))


def sample_weights(
    y: Any, method: str = "balanced", *, beta: float = 0.999
) -> np.ndarray:
    """One weight per row: the :func:`class_weights` weight of its class.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels, or a one-hot matrix, as in :func:`class_weights`.
    method : {'balanced', 'effective_number'}, default='balanced'
        The weighting of :func:`class_weights`.
    beta : float in [0, 1), default=0.999
        ``'effective_number'`` only, as in :func:`class_weights`.

    Returns
    -------
    ndarray of shape (n_samples,)
        For scikit-learn's ``fit(..., sample_weight=...)``.

    Examples
    --------
    >>> from rebalance.weights import sample_weights
    >>> sample_weights(["a", "a", "a", "b"])
    array([0.666..., 0.666..., 0.666..., 2. ...])
    """
    labels, weights = _weights_per_class(y, method, beta, "sample_weights")
    return weights[labels.codes]


def __dir__() -> list[str]:
    # what tab completion shows (rebalance._namespace.public_names)
    from rebalance._namespace import public_names

    return public_names(globals(), __all__)
