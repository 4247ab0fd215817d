"""Review 63, weights: scikit-learn's test_class_weight.py ported to
rebalance.weights, a small fuzz against scikit-learn and the Cui et al. formula,
and rebalance._strategy against imbalanced-learn's check_sampling_strategy.

Mapping: ``compute_class_weight("balanced", classes=np.unique(y), y=y)`` is
``list(class_weights(y).values())``; ``compute_sample_weight("balanced", y)``
is ``sample_weights(y)``. Not ported (rebalance lacks them): user dicts and
``None`` as the weighting, ``classes=`` (weights only for the classes in y),
``sample_weight=`` and ``indices=``. A 2-D y is one-hot here, several outputs
there (documented); a sparse y is refused here.
"""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.utils import check_sampling_strategy
from numpy.testing import assert_allclose
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance._labels import encode_labels
from rebalance._strategy import resolve_targets
from rebalance.weights import class_weights, sample_weights

# --- scikit-learn's sklearn/utils/tests/test_class_weight.py, ported ---------


def test_compute_class_weight():
    y = np.asarray([2, 2, 2, 3, 3, 4])
    cw = np.array(list(class_weights(y).values()))
    # total effect of samples is preserved
    assert np.dot(cw, np.bincount(y)[2:]) == pytest.approx(y.shape[0])
    assert cw[0] < cw[1] < cw[2]


def test_compute_class_weight_invariance():
    X, y = make_blobs(centers=2, random_state=0)
    X_1 = np.vstack([X] + [X[y == 1]] * 2)
    y_1 = np.hstack([y] + [y[y == 1]] * 2)
    X_0 = np.vstack([X] + [X[y == 0]] * 2)
    y_0 = np.hstack([y] + [y[y == 0]] * 2)
    X_, y_ = np.vstack([X] * 2), np.hstack([y] * 2)
    fits = [
        LogisticRegression(class_weight=class_weights(yy)).fit(XX, yy).coef_
        for XX, yy in ((X_1, y_1), (X_0, y_0), (X_, y_))
    ]
    assert_allclose(fits[0], fits[1], atol=1e-5)
    assert_allclose(fits[2], fits[1], atol=1e-5)


def test_compute_class_weight_balanced_negative_and_unordered():
    y = np.asarray([-1, -1, 0, 0, -2, -2])
    assert class_weights(y) == {-2: 1.0, -1: 1.0, 0: 1.0}
    # scikit-learn returns the weights in the order of classes=[1, 0, 3];
    # here the keys are the labels, sorted.
    y = np.asarray([1, 0, 0, 3, 3, 3])
    assert class_weights(y) == pytest.approx({0: 1.0, 1: 2.0, 3: 2.0 / 3})


def test_compute_sample_weight():
    y = np.asarray([1, 1, 1, 2, 2, 2])
    assert_allclose(sample_weights(y), np.ones(6))
    assert_allclose(sample_weights(y.reshape(-1, 1)), np.ones(6))
    y = np.asarray([1, 1, 1, 2, 2, 2, 3])
    expected = [0.7777, 0.7777, 0.7777, 0.7777, 0.7777, 0.7777, 2.3333]
    assert_allclose(sample_weights(y), expected, atol=1e-4)
    assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))


def test_two_column_y_is_one_hot_not_multi_output():
    """Documented difference: scikit-learn multiplies the weights of two
    outputs; rebalance reads a 0/1 matrix with one 1 per row as one-hot and
    refuses other 2-D labels."""
    one_hot = np.asarray([[1, 0], [1, 0], [1, 0], [0, 1]])
    assert_allclose(sample_weights(one_hot), [2 / 3, 2 / 3, 2 / 3, 2.0])
    assert_allclose(compute_sample_weight("balanced", one_hot), [4 / 9] * 3 + [4.0])
    with pytest.raises(ValueError, match="multioutput"):
        sample_weights(np.asarray([[1, 0], [2, 1], [3, -1]]))


def test_sparse_y_is_refused():
    with pytest.raises(TypeError, match="sparse"):
        sample_weights(sp.csc_matrix(np.asarray([[0], [1], [1]])))


def test_class_weight_with_more_classes_than_y_fits():
    """The dict of a whole y on a split missing a class (scikit-learn #22413)."""
    weights = class_weights([0, 0, 0, 1, 1, 2])
    LogisticRegression(class_weight=weights).fit([[0.0], [1.0], [2.0]], [0, 0, 1])


# --- review 63 fixes ----------------------------------------------------------


def test_swapped_call_with_a_long_label_list_keeps_the_message_short():
    """message: sample_weights('balanced', y) with y a list printed every label
    (3 MB for a million labels)."""
    y = [0, 1] * 5000
    with pytest.raises(ValueError, match="takes the labels first") as info:
        sample_weights("balanced", y)
    assert len(str(info.value)) < 400
    with pytest.raises(ValueError, match="effective_number") as info:
        class_weights(np.asarray(y), y)
    assert len(str(info.value)) < 400


def test_decimal_beta_names_the_type_wanted():
    """message: Decimal('0.999') was told it 'must be a number in [0, 1)'."""
    with pytest.raises(ValueError, match=r"\(Decimal\) must be a float"):
        class_weights([0, 0, 1], "effective_number", beta=Decimal("0.999"))
    with pytest.raises(ValueError, match=r"beta=\[0, 1, 0, 1, 0, 1, \.\.\.\] \(list\)"):
        class_weights([0, 0, 1], beta=[0, 1] * 100)


# --- fuzz against scikit-learn and the docstring formula ---------------------


def _labels(rng, kind, k, n):
    codes = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    rng.shuffle(codes)
    pool = {
        "int": np.array([-3, 0, 7, 2, 100]),
        "str": np.array(["b", "a", "zz", "A", "10"]),
        "float": np.array([0.0, -1.0, 2.0, 1e10, 7.0]),
        "bool": np.array([True, False]),
    }[kind][:k]
    return pool[codes]


@pytest.mark.parametrize("seed", range(8))
def test_fuzz_against_scikit_learn_and_cui(seed):
    rng = np.random.default_rng(seed)
    for kind in ("int", "str", "float", "bool"):
        k = 2 if kind == "bool" else int(rng.integers(1, 6))
        y = _labels(rng, kind, k, int(rng.integers(k, 40)))
        classes, counts = np.unique(y, return_counts=True)
        expected = compute_class_weight("balanced", classes=classes, y=y)
        got = class_weights(y)
        assert list(got) == classes.tolist()
        assert_allclose(list(got.values()), expected, rtol=1e-12)
        assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))
        for beta in (0.0, 0.9, 0.999, 1 - 1e-12):
            raw = np.array([(1 - beta) / (1 - beta**c) for c in counts.tolist()])
            got = class_weights(y, "effective_number", beta=beta)
            assert_allclose(list(got.values()), raw * k / raw.sum(), rtol=1e-6)
            assert sum(got.values()) == pytest.approx(k)


def test_categorical_keeps_category_order_and_drops_unused():
    y = pd.Series(pd.Categorical(["z", "a", "a", "a"], categories=["z", "q", "a"]))
    assert list(class_weights(y)) == ["z", "a"]
    assert class_weights(y)["z"] == pytest.approx(2.0)


def test_huge_counts_do_not_overflow():
    y = np.zeros(200_000, dtype=np.int8)
    y[:2] = 1
    got = class_weights(y, "effective_number", beta=1 - 1e-9)
    raw = -1 / np.expm1(np.array([199_998, 2]) * np.log1p(-1e-9))
    assert_allclose(list(got.values()), raw * 2 / raw.sum(), rtol=1e-9)
    assert np.isfinite(sample_weights(y, "effective_number", beta=0.9)).all()


# --- rebalance._strategy against imbalanced-learn ------------------------------

NAMES = ["auto", "majority", "minority", "not minority", "not majority", "all"]


def _outcome(function, *args):
    try:
        return {
            (k.item() if isinstance(k, np.generic) else k): int(v)
            for k, v in dict(function(*args)).items()
        }
    except (ValueError, TypeError):
        return "error"


def _report(strategy, labels, kind):
    return resolve_targets(strategy, labels, kind)[1]


@pytest.mark.parametrize("seed", range(6))
def test_sampling_strategy_matches_imbalanced_learn(seed):
    rng = np.random.default_rng(seed)
    for case in range(20):
        k = int(rng.integers(2, 5))
        counts = rng.integers(1, 10, k)
        if case % 3 == 0:
            counts[-1] = counts[0]  # a tie
        y = np.repeat(np.array([3, -1, 7, 0])[:k], counts)
        labels = encode_labels(y)[0]
        form = case % 4
        if form == 0:
            strategy = NAMES[case % len(NAMES)]
        elif form == 1:
            y = y[np.isin(y, y[[0, -1]])]
            labels = encode_labels(y)[0]
            strategy = float(rng.choice([0.3, 0.5, 0.77, 1.0]))
        else:
            keys = rng.choice(np.unique(y), int(rng.integers(1, k + 1)), replace=False)
            strategy = {int(c): int(rng.integers(0, 12)) for c in keys}
            if form == 3:
                strategy = (lambda d: lambda labels: d)(strategy)
        for kind in ("under-sampling", "over-sampling"):
            mine = _outcome(_report, strategy, labels, kind)
            theirs = _outcome(check_sampling_strategy, strategy, y, kind)
            if form == 1 and theirs == "error" and mine != "error":
                # Documented: a ratio that adds 0 rows is a no-op here.
                assert kind == "over-sampling" and set(mine.values()) == {0}
                continue
            assert mine == theirs, (strategy, kind, dict(zip(*np.unique(y, True))))
