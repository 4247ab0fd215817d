"""Built-in imbalanced data sets (from data that ships with scikit-learn) and
:func:`make_imbalance` for skewing any data set. Nothing is downloaded."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits

from rebalance._validation import check_random_state, encode_labels, take_rows

__all__ = ["load_digits_binary", "load_breast_cancer_skewed", "make_imbalance"]


def load_digits_binary(digit: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits as one digit (1) vs the rest (0), ~1:9.

    Parameters
    ----------
    digit : int in 0..9, default=8
        The positive class. 8 is the digit a linear model confuses most
        (with 1, 3 and 9), so the fixes have room to differ.

    Returns
    -------
    X : ndarray of shape (1797, 64), float64 pixel intensities 0..16
    y : ndarray of shape (1797,), int64, 1 for ``digit``

    Examples
    --------
    >>> from rebalance.datasets import load_digits_binary
    >>> X, y = load_digits_binary()
    >>> X.shape, int(y.sum())
    ((1797, 64), 174)
    """
    if not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer from 0 to 9; got {digit!r}.")
    data = load_digits()
    return data.data, (data.target == digit).astype(np.int64)


def load_breast_cancer_skewed(
    ratio: float = 0.05, random_state: Any = 0
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's breast cancer data with the malignant class thinned out.

    Malignant tumours (label 1 here) are kept at ``ratio`` times the number of
    benign ones (357), e.g. 17 malignant vs 357 benign at the default 1:20.

    Examples
    --------
    >>> from rebalance.datasets import load_breast_cancer_skewed
    >>> X, y = load_breast_cancer_skewed(ratio=0.1)
    >>> int(y.sum()), int((y == 0).sum())
    (35, 357)
    """
    data = load_breast_cancer()
    # sklearn codes malignant as 0; the rare class is the positive one here.
    y = (data.target == 0).astype(np.int64)
    return make_imbalance(data.data, y, ratio, random_state=random_state)


def make_imbalance(
    X: Any, y: Any, ratio: float, *, minority: Any = None, random_state: Any = None
):
    """Thin out one class of a data set so it has ``ratio`` rows per majority row.

    Parameters
    ----------
    X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    ratio : float in (0, 1]
        Rows of the minority class per row of the largest class after thinning.
    minority : label, default=None
        The class to thin; by default the smallest class.
    random_state : int, Generator or None, default=None

    Returns
    -------
    X_imbalanced, y_imbalanced : same types as X and y, rows in original order.

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance.datasets import make_imbalance
    >>> X, y = np.zeros((200, 1)), np.array([0, 1] * 100)
    >>> X_s, y_s = make_imbalance(X, y, 0.1, minority=1, random_state=0)
    >>> np.bincount(y_s)
    array([100,  10])
    """
    if not isinstance(ratio, numbers.Real) or not 0 < ratio <= 1:
        raise ValueError(f"ratio must be a float in (0, 1]; got {ratio!r}.")
    labels, _, _ = encode_labels(y)
    classes = labels.classes.tolist()
    if minority is None:
        target = int(np.argmin(labels.counts))
    elif minority in classes:
        target = classes.index(minority)
    else:
        raise ValueError(
            f"minority={minority!r} is not a class of y; the classes are {classes}."
        )
    keep = int(labels.counts.max() * ratio)
    if keep > labels.counts[target] or keep < 1:
        raise ValueError(
            f"ratio={ratio} asks for {keep} rows of class {classes[target]!r}, which "
            f"has {labels.counts[target]}: pick a ratio between "
            f"{1 / labels.counts.max():.3g} and "
            f"{labels.counts[target] / labels.counts.max():.3g}."
        )
    rng = check_random_state(random_state)
    rows = labels.class_rows()[target]
    dropped = rng.choice(rows, size=rows.shape[0] - keep, replace=False)
    mask = np.ones(labels.n_samples, dtype=bool)
    mask[dropped] = False
    kept = np.flatnonzero(mask)
    X_rows = X if hasattr(X, "iloc") or hasattr(X, "shape") else np.asarray(X)
    return take_rows(X_rows, kept), take_rows(y, kept)
