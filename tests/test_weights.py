"""rebalance.weights: class and sample weights."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import class_weights, sample_weights

Y = np.array([0] * 70 + [1] * 20 + [2] * 10)


def test_balanced_equals_scikit_learn():
    expected = compute_class_weight("balanced", classes=np.unique(Y), y=Y)
    assert list(class_weights(Y).values()) == pytest.approx(expected)
    assert sample_weights(Y) == pytest.approx(compute_sample_weight("balanced", Y))


def test_effective_number_follows_cui_et_al():
    beta = 0.99
    counts = np.array([70, 20, 10])
    raw = (1 - beta) / (1 - beta**counts)
    expected = raw * 3 / raw.sum()
    weights = class_weights(Y, "effective_number", beta=beta)
    assert list(weights.values()) == pytest.approx(expected)
    assert sum(weights.values()) == pytest.approx(3)


def test_effective_number_limits():
    assert list(class_weights(Y, "effective_number", beta=0.0).values()) == [1, 1, 1]
    near_one = class_weights(Y, "effective_number", beta=1 - 1e-12)
    inverse = 1 / np.array([70, 20, 10])
    assert list(near_one.values()) == pytest.approx(inverse * 3 / inverse.sum())


def test_keys_are_the_labels():
    y = pd.Series(["spam", "ham", "ham", "ham"])
    weights = class_weights(y)
    assert list(weights) == ["ham", "spam"]
    assert weights["spam"] == pytest.approx(2.0)
    assert sample_weights(y).tolist() == pytest.approx([2.0, 2 / 3, 2 / 3, 2 / 3])


@pytest.mark.parametrize("method", ["balanced", "effective_number"])
def test_class_weight_dict_and_sample_weights_fit_the_same_model(method):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(Y.shape[0], 2)) + Y[:, None]
    by_class = LogisticRegression(class_weight=class_weights(Y, method)).fit(X, Y)
    by_row = LogisticRegression().fit(X, Y, sample_weight=sample_weights(Y, method))
    np.testing.assert_allclose(by_class.coef_, by_row.coef_, rtol=1e-4)


def test_input_is_not_modified():
    y = Y.copy()
    sample_weights(y, "effective_number")
    np.testing.assert_array_equal(y, Y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "inverse"}, "method='inverse'"),
        ({"method": "effective_number", "beta": 1.0}, "beta=1.0"),
        ({"method": "effective_number", "beta": -0.1}, "beta=-0.1"),
        ({"beta": "0.9"}, "beta='0.9'"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        class_weights(Y, **kwargs)


def test_bad_labels_are_rejected():
    with pytest.raises(ValueError, match="NaN"):
        sample_weights(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="empty"):
        class_weights(np.array([], dtype=int))
