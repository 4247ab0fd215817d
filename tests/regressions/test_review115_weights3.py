"""Review 115 (weights3): a white-box audit of ``rebalance.weights`` (``class_weights``,
``sample_weights``) and ``rebalance.metrics.g_mean_score``, checked against the
references: scikit-learn's ``compute_class_weight``/``compute_sample_weight``
('balanced'), the effective-number weights ``(1 - beta) / (1 - beta ** n)`` of Cui
et al. 2019, and imbalanced-learn's ``geometric_mean_score``, on labels of every type
(strings, bytes, bools, negative and huge unsigned ints, categoricals with unused
categories, one-hot tensors), ``labels=`` with extra or missing classes, zero sample
weights and lazy or Arrow inputs. No bug was found; these pins keep the verified
behaviour."""

from __future__ import annotations

import decimal
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights


def _effective_reference(counts, beta):
    weights = (1 - beta) / (1 - beta ** np.asarray(counts, dtype=float))
    return weights * len(counts) / weights.sum()


@pytest.mark.parametrize(
    "labels",
    [
        ["b", "a", "c"],
        [-3, 0, 7],
        [False, True],
        [2**63, 2**64 - 1],
    ],
    ids=["str", "negative-int", "bool", "uint64"],
)
def test_balanced_weights_equal_scikit_learn(labels):
    rng = np.random.default_rng(0)
    values = np.asarray(labels, dtype=np.uint64 if labels[0] == 2**63 else None)
    # unequal class sizes, every class present
    sizes = 3 + 5 * np.arange(len(values))
    y = rng.permutation(np.repeat(values, sizes))
    classes = np.unique(y)
    reference = compute_class_weight("balanced", classes=classes, y=y)
    weights = class_weights(y)
    assert list(weights) == classes.tolist()
    np.testing.assert_allclose(list(weights.values()), reference)
    np.testing.assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999, 1 - 1e-9])
def test_effective_number_weights_follow_cui_et_al(beta):
    y = [0] * 50 + [1] * 7 + [2] * 2
    weights = class_weights(y, "effective_number", beta=beta)
    np.testing.assert_allclose(
        list(weights.values()), _effective_reference([50, 7, 2], beta), rtol=1e-6
    )
    np.testing.assert_allclose(
        sample_weights(y, "effective_number", beta=beta),
        np.asarray(list(weights.values()))[y],
    )


def test_categorical_unused_categories_left_out_in_category_order():
    y = pd.Series(
        pd.Categorical(["a", "a", "b"], categories=["z", "b", "a"], ordered=True)
    )
    assert class_weights(y) == {"b": 1.5, "a": 0.75}
    np.testing.assert_allclose(sample_weights(y), [0.75, 0.75, 1.5])
    # beta=0 with an unused category: no 0 * log(0) NaN, equal weights.
    assert class_weights(y, "effective_number", beta=0.0) == {"b": 1.0, "a": 1.0}


def test_one_hot_tensor_with_unused_columns_keys_present_positions():
    torch = pytest.importorskip("torch")
    y = torch.nn.functional.one_hot(torch.tensor([0, 2, 2]), num_classes=4)
    assert class_weights(y) == {0: 1.5, 2: 0.75}
    np.testing.assert_allclose(sample_weights(y), [1.5, 0.75, 0.75])


def test_swapped_scikit_learn_argument_order_is_named():
    with pytest.raises(ValueError, match="takes the labels first"):
        sample_weights("balanced", pd.Series([0, 1, 1]))


def test_g_mean_equals_imbalanced_learn_on_seeded_cases():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    rng = np.random.default_rng(7)
    for i in range(120):
        k = int(rng.integers(1, 5))
        n = int(rng.integers(1, 12))
        y_true = rng.integers(0, k, n)
        # every predicted class occurs in y_true (where the two agree)
        y_pred = rng.choice(np.unique(y_true), n)
        weight = rng.choice([0.0, 0.5, 1.0, 3.0], n) if i % 2 else None
        if weight is not None and weight.max() == 0:
            continue
        labels = None
        if i % 3 == 0:
            present = rng.permutation(np.unique(y_true))
            labels = present[: int(rng.integers(1, present.size + 1))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = imblearn_metrics.geometric_mean_score(
                y_true, y_pred, labels=labels, sample_weight=weight, correction=0.0
            )
        got = g_mean_score(y_true, y_pred, labels=labels, sample_weight=weight)
        assert got == pytest.approx(expected, abs=1e-12), (y_true, y_pred, weight)


def test_g_mean_extra_label_without_rows_is_zero():
    assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], labels=[0, 1, 5]) == 0.0
    assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], labels=[1]) == 1.0


def test_g_mean_bool_and_int_labels_are_one_kind():
    # True == 1 in numpy and Python: a bool y_pred scores int classes 0/1.
    assert g_mean_score([0, 0, 1], np.array([False, True, True])) == pytest.approx(
        np.sqrt(0.5)
    )
    assert g_mean_score(np.array([True, False, True]), [1, 0, 0], labels=[1]) == 0.5


def test_g_mean_huge_unsigned_and_exact_int_labels():
    y_true = np.array([2**63, 2**64 - 1, 2**64 - 1], dtype=np.uint64)
    y_pred = np.array([2**63, 2**64 - 1, 2**63], dtype=np.uint64)
    assert g_mean_score(y_true, y_pred, labels=[2**64 - 1]) == 0.5
    near = np.array([2**53, 2**53 + 1, 2**53 + 1])
    assert g_mean_score(near, near[[0, 1, 0]], labels=[2**53 + 1]) == 0.5


def test_g_mean_bytes_and_decimal_labels():
    y_true = np.array([b"a", b"b", b"b"])
    assert g_mean_score(y_true, np.array([b"a", b"b", b"a"]), labels=[b"b"]) == 0.5
    with pytest.raises(ValueError, match="labels has strings"):
        g_mean_score(y_true, y_true, labels=["b"])
    one, two = decimal.Decimal(1), decimal.Decimal(2)
    assert g_mean_score([one, two, two], [one, two, one]) == pytest.approx(np.sqrt(0.5))


def test_g_mean_categorical_pred_with_other_category_order():
    y_true = pd.Series(pd.Categorical(["a", "a", "b"], categories=["a", "b", "c"]))
    y_pred = pd.Series(pd.Categorical(["a", "b", "b"], categories=["c", "b", "a"]))
    assert g_mean_score(y_true, y_pred) == pytest.approx(np.sqrt(0.5))
    # the unused category 'c' is no class unless listed
    assert g_mean_score(y_true, y_pred, labels=["a", "b", "c"]) == 0.0


def test_g_mean_polars_zero_weight_class_and_arrow_dictionary():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    y_true = pl.Series([1, 2, 2])
    y_pred = pl.Series([1, 2, 1])
    # class 2's only correct row has weight 0: recall 0, a G-mean of 0
    assert g_mean_score(y_true, y_pred, sample_weight=pl.Series([1, 0, 1])) == 0.0
    codes = pa.array(["a", "b", "b"]).dictionary_encode()
    assert g_mean_score(codes, ["a", "b", "a"]) == pytest.approx(np.sqrt(0.5))


def test_g_mean_dask_series_computed_in_row_order():
    dd = pytest.importorskip("dask.dataframe")
    y = dd.from_pandas(pd.Series(["a", "b", "b", "b"]), npartitions=2)
    assert g_mean_score(y, ["a", "b", "a", "b"]) == pytest.approx(np.sqrt(2 / 3))
    assert g_mean_score(["a", "b", "b", "b"], y) == 1.0
    assert class_weights(y) == pytest.approx({"a": 2.0, "b": 2 / 3})


def test_g_mean_reordered_sample_weight_refused_fresh_index_paired():
    y_true = pd.Series([0, 0, 1, 1], index=[10, 11, 12, 13])
    with pytest.raises(ValueError, match="sample_weight holds the index of y_true"):
        g_mean_score(
            y_true,
            [0, 1, 1, 1],
            sample_weight=pd.Series([1, 1, 1, 0], index=[13, 12, 11, 10]),
        )
    assert g_mean_score(
        y_true, pd.Series([0, 1, 1, 1]), sample_weight=pd.Series([1.0, 1, 1, 0])
    ) == pytest.approx(np.sqrt(0.5))


def test_g_mean_does_not_modify_weights():
    weight = np.array([1e308, 1e308, 1e308, 2.0])
    before = weight.copy()
    assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], sample_weight=weight) == (
        pytest.approx(np.sqrt(0.5))
    )
    np.testing.assert_array_equal(weight, before)
