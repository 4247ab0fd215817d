"""Review 70 (mfuzz): a seeded fuzzer of g_mean_score, class_weights,
sample_weights, adjust_priors and em_priors against scikit-learn,
imbalanced-learn and hand formulas; what it found."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.utils.class_weight import compute_class_weight

from rebalance.metrics import g_mean_score
from rebalance.threshold import adjust_priors, em_priors
from rebalance.weights import class_weights

# ------------------------------------------------- g_mean_score: bytes labels


@pytest.mark.parametrize(
    "labels", [[b"a", b"b"], np.array([b"a", b"b"]), ["a", b"b"], ("a", b"b")]
)
def test_bytes_labels_of_string_classes_refused(labels):
    # b'a' != 'a' in Python, yet recall_score matched labels=[b'a', b'b']
    # (or numpy read ['a', b'b'] as 'a', 'b') with the string classes:
    # a G-mean of 1.0 (0.71 for the mixed list), silently.
    with pytest.raises(ValueError, match=r"labels has bytes \(\[b'.'"):
        g_mean_score(["a", "b", "b"], ["a", "b", "a"], labels=labels)


@pytest.mark.parametrize("labels", [["a", 1], ("a", 1)])
def test_labels_mixing_strings_and_numbers_refused(labels):
    # numpy read ['a', 1] as the strings 'a', '1': the number 1 scored the
    # class '1' of y_true (0.71) instead of being refused as another kind.
    with pytest.raises(ValueError, match=r"labels has numbers \(\[1\]\)"):
        g_mean_score(["a", "1", "1"], ["a", "1", "a"], labels=labels)


@pytest.mark.parametrize(
    "y_true, y_pred",
    [
        (["a", "b"], [b"a", b"b"]),
        (np.array(["a", "b"]), np.array([b"a", b"b"])),
        ([b"a", b"b"], ["a", "b"]),
    ],
)
def test_bytes_against_strings_named(y_true, y_pred):
    # scikit-learn's own TypeError ("labels represented as bytes"), naming
    # no argument; or a G-mean of 0 for an object array of bytes.
    with pytest.raises(ValueError, match=r"y_pred has (bytes|strings) .* y_true"):
        g_mean_score(y_true, y_pred)


@pytest.mark.parametrize("make", [np.array, list])
def test_bytes_labels_scored_like_imblearn(make):
    # A numpy 'S' array crashed in scikit-learn (TypeError); class_weights
    # took the same labels.
    y_true = make([b"a", b"a", b"b", b"b", b"c"])
    y_pred = make([b"a", b"b", b"b", b"b", b"c"])
    expected = geometric_mean_score(
        np.array(y_true, dtype=str), np.array(y_pred, dtype=str)
    )
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected, abs=1e-12)
    assert g_mean_score(y_true, y_pred, labels=[b"b", b"c"]) == 1.0


def test_plain_lists_of_labels_still_read():
    # The fix keeps lists of one kind as they were.
    assert g_mean_score([0, 1, 1], [0, 1, 0], labels=[0, 1.0]) == pytest.approx(
        np.sqrt(0.5)
    )
    assert g_mean_score(["a", "b", "b"], ["a", "b", "a"], labels=("b",)) == 0.5


# ---------------------------------------------------- em_priors: tol


PROBA = np.array([[0.9, 0.1]] * 7 + [[0.1, 0.9]] * 3)


def test_fraction_tol_is_a_number():
    # A Fraction is a Real, accepted by the check, then np.sqrt raised
    # numpy's TypeError ("loop of ufunc does not support argument 0").
    got = em_priors(PROBA, [0.5, 0.5], tol=Fraction(1, 10**8))
    np.testing.assert_allclose(got, em_priors(PROBA, [0.5, 0.5], tol=1e-8))


@pytest.mark.parametrize(
    "tol", [Fraction(1, 10**400), 10**400], ids=["tiny_fraction", "huge_int"]
)
def test_tol_zero_or_infinite_as_a_float_refused(tol):
    # 1/10**400 is > 0 but 0.0 as a float (1000 iterations, then a warning
    # of tol=0); 10**400 crashed in np.sqrt.
    with pytest.raises(ValueError, match=r"tol=.* must be a finite number > 0"):
        em_priors(PROBA, [0.5, 0.5], tol=tol)


# ------------------------------------ what the fuzzer checked, pinned small


def _em_by_hand(proba, train, tol=1e-8, max_iter=1000):
    """Saerens et al. 2002, row by row, with em_priors' stopping rule."""
    priors = train / train.sum()
    for _ in range(max_iter):
        moved = proba * (priors / train)
        moved /= moved.sum(axis=1, keepdims=True)
        updated = moved.mean(axis=0)
        change = np.abs(updated - priors).max()
        growing = (updated > priors * (1 + np.sqrt(tol))).any()
        priors = updated
        if change < tol and not growing:
            break
    return priors


def test_priors_match_hand_formulas():
    rng = np.random.default_rng(70)
    proba = rng.dirichlet(np.full(4, 0.5), 300)
    train = np.array([0.1, 0.2, 0.3, 0.4])
    deploy = np.array([0.4, 0.3, 0.2, 0.1])
    moved = proba * deploy / train
    moved /= moved.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        adjust_priors(proba, train, deploy), moved, rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        em_priors(proba, train, tol=1e-12),
        _em_by_hand(proba, train, tol=1e-12),
        rtol=0,
        atol=1e-12,
    )


def test_class_weights_match_sklearn_and_cui():
    y = np.repeat([3, 7, 9], [50, 5, 1])
    got = class_weights(y)
    expected = compute_class_weight("balanced", classes=np.array([3, 7, 9]), y=y)
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-13)
    counts, beta = np.array([50, 5, 1]), 0.99
    cui = (1 - beta) / (1 - beta**counts)
    cui *= 3 / cui.sum()
    got = class_weights(y, "effective_number", beta=beta)
    np.testing.assert_allclose(list(got.values()), cui, rtol=1e-12)


def test_labels_list_of_a_mixed_categorical_kept():
    # A categorical may hold 1 and 's0' as classes (class_weights takes it);
    # numpy read labels=[1, 's0'] as the strings '1', 's0': the class 1
    # matched nothing, a recall of 0 and a G-mean of 0.0 for perfect
    # predictions, silently.
    y = pd.Series([1, "s0", "s0", 1, "s2"], dtype="category")
    assert g_mean_score(y, y, labels=[1, "s0", "s2"]) == 1.0
    assert g_mean_score(y, y, labels=[1, "s0"]) == 1.0
