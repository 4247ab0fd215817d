"""Review 145, area weights9: ``rebalance.class_weights`` / ``sample_weights``.

Reviewed against scikit-learn's ``compute_class_weight`` /
``compute_sample_weight`` and the class-balanced weights of Cui et al. 2019,
``(1 - beta) / (1 - beta ** n_c)`` (written here), for int, str, bool, float,
pandas (Categorical with unused / non-sorted categories, nullable, Arrow
strings), polars (String, Categorical, Enum), pyarrow, torch, lists, column
vectors and one-hot matrices (numpy, pandas, polars, torch); multi-output
``y`` (refused with a clear ValueError; sklearn multiplies the outputs'
weights instead, as the docstring says); beta at 0, subnormal, 1 - 1e-16,
1, out of range, NaN, str, None, a float32 that rounds to 1; class counts
of 1e6 against 3 with beta = 1 - 1e-15 (expm1/log1p keep it finite); the
results in ``LogisticRegression(class_weight=...)``,
``HistGradientBoostingClassifier(class_weight=...)`` (labels 0..C-1 work,
other labels are refused by scikit-learn, as documented), ``fit(
sample_weight=...)``, ``torch.nn.CrossEntropyLoss(weight=...)`` and
``rebalance.torch.class_weighted_cross_entropy`` (dict keys read, a missing
class named).

Found no bug: the weights equal scikit-learn's and the Cui formula, the
normalisation claims hold (balanced sample weights average 1, effective-
number class weights sum to the number of classes), rows stay aligned for
categoricals whose category order differs from the sorted order, and bad
``method`` / ``beta`` give ValueErrors naming the argument. The tests below
pin the parts a later change could break.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import class_weights, sample_weights


def _cui(y, beta):
    classes, counts = np.unique(y, return_counts=True)
    w = (1 - beta) / (1 - beta ** counts.astype(np.float64))
    return dict(zip(classes.tolist(), (w * len(classes) / w.sum()).tolist()))


@pytest.mark.parametrize(
    "y",
    [
        np.repeat([0, 1, 2], [70, 20, 10]),
        np.repeat(["b", "a", "c"], [70, 20, 10]),
        np.repeat([True, False], [80, 20]),
        np.repeat([-1.0, 2.0], [80, 20]),
    ],
)
def test_balanced_matches_sklearn_and_normalisation(y):
    cw = class_weights(y)
    classes = np.unique(y)
    expected = compute_class_weight("balanced", classes=classes, y=y)
    np.testing.assert_allclose([cw[c] for c in classes.tolist()], expected)
    sw = sample_weights(y)
    np.testing.assert_allclose(sw, compute_sample_weight("balanced", y))
    assert sw.dtype == np.float64
    assert sw.mean() == pytest.approx(1.0)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.99, 0.9999, 1 - 1e-12])
def test_effective_number_matches_cui_and_sums_to_n_classes(beta):
    y = np.repeat([0, 1, 2], [700, 20, 3])
    got = class_weights(y, "effective_number", beta=beta)
    expected = _cui(y, beta)
    assert list(got) == [0, 1, 2]  # sorted: the order of torch's weight=
    assert list(got) == list(expected)
    np.testing.assert_allclose(list(got.values()), list(expected.values()), rtol=1e-6)
    assert sum(got.values()) == pytest.approx(3.0)


def test_effective_number_finite_for_large_counts_and_beta_near_one():
    y = np.zeros(10**6, dtype=np.int8)
    y[:3] = 1
    w = class_weights(y, "effective_number", beta=1 - 1e-15)
    assert np.isfinite(list(w.values())).all()
    # beta -> 1 is inverse frequency, scaled to sum to 2
    assert w[1] / w[0] == pytest.approx((10**6 - 3) / 3, rel=1e-3)


@pytest.mark.parametrize("beta", [1, 1.0, -0.1, float("nan"), np.float32(1 - 1e-9)])
def test_bad_beta_is_a_valueerror_naming_beta(beta):
    with pytest.raises(ValueError, match="beta="):
        class_weights([0, 1, 1], "effective_number", beta=beta)


def test_categorical_order_keeps_rows_aligned_and_fits_sklearn():
    y = pd.Series(
        pd.Categorical(
            np.repeat(["b", "a", "c"], [45, 10, 5]), categories=["c", "b", "a"]
        )
    )
    cw = class_weights(y)
    assert list(cw) == ["c", "b", "a"]  # documented: category order
    plain = class_weights(y.astype(str))
    assert cw == pytest.approx(plain)
    np.testing.assert_allclose(sample_weights(y), [plain[v] for v in y.astype(str)])
    X = np.random.default_rng(0).normal(size=(60, 2))
    a = LogisticRegression(class_weight=cw).fit(X, y).coef_
    b = LogisticRegression(class_weight="balanced").fit(X, y).coef_
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


def test_one_hot_and_multi_output():
    one_hot = np.array([[1, 0], [0, 1], [0, 1]])
    assert class_weights(one_hot) == pytest.approx({0: 1.5, 1: 0.75})
    np.testing.assert_allclose(sample_weights(one_hot), [1.5, 0.75, 0.75])
    with pytest.raises(ValueError, match="multioutput"):
        sample_weights(np.array([[1, 2], [0, 1], [0, 3]]))
