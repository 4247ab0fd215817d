"""Review 123, area weights5: ``rebalance.weights.class_weights`` and ``sample_weights``
across label containers (numpy ints/strings/bools, pandas categorical with unused
categories, pandas nullable and Arrow dtypes, polars, pyarrow, one-hot matrices, torch
tensors, lists), agreement with scikit-learn (``compute_class_weight``,
``compute_sample_weight``, ``class_weight=`` of LogisticRegression / SVC /
RandomForest, ``sample_weight=`` of HistGradientBoosting), the effective-number
formula at beta edge values and huge counts, and how the dicts feed the
``rebalance.torch`` losses (keys read as class indices; string keys or labels not
``0..C-1`` refused, never silently mis-assigned)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance.weights import class_weights, sample_weights


def _containers():
    pa = pytest.importorskip("pyarrow")
    out = [
        ("list", [2, 0, 0, 1, 1, 1], [0, 1, 2]),
        ("np_int8", np.array([-5, 7, 7, 3], dtype=np.int8), [-5, 3, 7]),
        ("np_str", np.array(["b", "a", "a", "c"]), ["a", "b", "c"]),
        ("np_bool", np.array([True, False, False]), [False, True]),
        ("np_float", np.array([1.0, 0.0, 0.0, 2.0]), [0.0, 1.0, 2.0]),
        (
            "pd_cat_unused",
            pd.Series(pd.Categorical(["a", "a", "b"], categories=["c", "b", "z", "a"])),
            ["b", "a"],
        ),
        ("pd_Int64", pd.Series([0, 1, 1, 1], dtype="Int64"), [0, 1]),
        ("pd_boolean", pd.Series([True, False, False], dtype="boolean"), [False, True]),
        ("pd_string", pd.Series(["x", "y", "y"], dtype="string"), ["x", "y"]),
        ("pd_noncontig_index", pd.Series([1, 0, 0], index=[9, 3, 1]), [0, 1]),
        ("pa_array", pa.array([0, 1, 1, 2]), [0, 1, 2]),
        ("pa_chunked", pa.chunked_array([[0, 1], [1, 2]]), [0, 1, 2]),
        ("pa_dict", pa.array(["q", "p", "p"]).dictionary_encode(), ["p", "q"]),
    ]
    return out


@pytest.mark.parametrize("idx", range(13))
def test_sample_weight_is_class_weight_of_row_label(idx):
    name, y, classes = _containers()[idx]
    cw = class_weights(y)
    sw = sample_weights(y)
    assert list(cw) == classes, name
    assert isinstance(sw, np.ndarray) and sw.dtype == np.float64 and sw.ndim == 1
    labels = list(y.to_pylist()) if hasattr(y, "to_pylist") else list(y)
    assert len(sw) == len(labels)
    for i, lab in enumerate(labels):
        assert sw[i] == cw[lab], (name, i, lab)
    assert all(type(v) is float for v in cw.values())


def test_unused_categories_get_no_weight_and_no_inf():
    y = pd.Series(pd.Categorical(["a"] * 3 + ["b"], categories=["z", "a", "b", "y"]))
    cw = class_weights(y)
    assert cw == {"a": 4 / 6, "b": 2.0}
    assert np.isfinite(sample_weights(y)).all()
    ref = compute_sample_weight("balanced", np.asarray(y, dtype=object))
    np.testing.assert_allclose(sample_weights(y), ref, rtol=1e-15)


def test_polars_containers():
    pl = pytest.importorskip("polars")
    for y, classes in [
        (pl.Series([1, 0, 0]), [0, 1]),
        (pl.Series(["a", "b", "b"], dtype=pl.Enum(["z", "b", "a"])), ["b", "a"]),
        (pl.DataFrame({"y": [1, 0, 0]}), [0, 1]),
    ]:
        cw = class_weights(y)
        assert list(cw) == classes
        labels = y.to_series().to_list() if hasattr(y, "to_series") else y.to_list()
        np.testing.assert_array_equal(sample_weights(y), [cw[v] for v in labels])


def test_torch_label_tensors():
    torch = pytest.importorskip("torch")
    y = torch.tensor([2, 0, 0, 1, 1, 1])
    assert class_weights(y) == class_weights(y.numpy())
    sw = sample_weights(y)
    assert sw.dtype == np.float64
    np.testing.assert_array_equal(sw, compute_sample_weight("balanced", y.numpy()))
    assert list(class_weights(torch.tensor([True, False, False]))) == [False, True]
    onehot = torch.tensor([[1, 0], [0, 1], [0, 1]])
    assert class_weights(onehot) == {0: 1.5, 1: 0.75}


def test_one_hot_matches_argmax_labels():
    y = np.array([2, 0, 0, 1, 1, 1, 1])
    onehot = np.eye(3)[y]
    assert class_weights(onehot) == class_weights(y)
    np.testing.assert_array_equal(sample_weights(onehot), sample_weights(y))
    np.testing.assert_array_equal(
        sample_weights(onehot.astype(bool)), sample_weights(y)
    )


def test_multilabel_and_soft_rows_refused():
    for y in (np.array([[1, 1], [0, 1]]), np.array([[0.3, 0.7], [1.0, 0.0]])):
        with pytest.raises(ValueError, match="one-hot"):
            class_weights(y)


@pytest.mark.parametrize(
    "y",
    [
        np.array(["b", "a", "a", "c", "c", "c"]),
        np.array([3, 1, 1, 2]),
        np.array([True, False, False]),
    ],
)
def test_balanced_equals_sklearn(y):
    classes = np.unique(y)
    ref = compute_class_weight("balanced", classes=classes, y=y)
    cw = class_weights(y)
    np.testing.assert_allclose([cw[c] for c in classes.tolist()], ref, rtol=1e-15)
    np.testing.assert_allclose(
        sample_weights(y), compute_sample_weight("balanced", y), rtol=1e-15
    )


def test_sklearn_estimators_dict_equals_balanced():
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["rare"] * 8 + ["common"] * 52)
    X[:8] += 0.7
    cw = class_weights(y)
    for make in (
        lambda w: LogisticRegression(class_weight=w),
        lambda w: SVC(class_weight=w),
        lambda w: RandomForestClassifier(
            n_estimators=5, random_state=0, class_weight=w
        ),
    ):
        a = make(cw).fit(X, y)
        b = make("balanced").fit(X, y)
        np.testing.assert_array_equal(a.predict(X), b.predict(X))
    sw = sample_weights(y)
    h1 = HistGradientBoostingClassifier(max_iter=5, random_state=0)
    h2 = HistGradientBoostingClassifier(max_iter=5, random_state=0)
    h1.fit(X, y, sample_weight=sw)
    h2.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(h1.predict_proba(X), h2.predict_proba(X))


def _cui(counts, beta):
    w = np.array([(1 - beta) / (1 - beta**n) for n in counts])
    return w * len(counts) / w.sum()


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99, 0.999])
def test_effective_number_formula(beta):
    y = [0] * 90 + [1] * 10 + [2]
    cw = class_weights(y, "effective_number", beta=beta)
    np.testing.assert_allclose(list(cw.values()), _cui([90, 10, 1], beta), rtol=1e-12)
    sw = sample_weights(y, "effective_number", beta=beta)
    np.testing.assert_array_equal(sw, [cw[v] for v in y])


def test_effective_number_beta_edges():
    y = [0] * 5 + [1]
    for beta in (0, 0.0, -0.0, 1e-300, 5e-324):
        assert class_weights(y, "effective_number", beta=beta) == {0: 1.0, 1: 1.0}
    # beta -> 1 approaches balanced-like inverse frequency, normalized to sum C
    cw = class_weights(y, "effective_number", beta=1 - 1e-15)
    np.testing.assert_allclose(list(cw.values()), [1 / 3, 5 / 3], rtol=1e-6)
    for bad in (1.0, 1, 1.5, -0.1, float("nan"), True, "0.9", np.longdouble(1)):
        with pytest.raises(ValueError, match="beta"):
            class_weights(y, "effective_number", beta=bad)


def test_effective_number_huge_counts_no_overflow():
    y = np.repeat(np.arange(3), [10**6, 3, 1])
    with np.errstate(all="raise"):
        cw = class_weights(y, "effective_number", beta=0.9999999)
    vals = np.array(list(cw.values()))
    assert np.isfinite(vals).all() and (vals > 0).all()
    np.testing.assert_allclose(vals.sum(), 3.0)
    np.testing.assert_allclose(vals, _cui([10**6, 3, 1], 0.9999999), rtol=1e-9)


def test_single_row_class_and_single_class():
    assert class_weights([0] * 5 + [1]) == {0: 0.6, 1: 3.0}
    assert class_weights([7, 7, 7]) == {7: 1.0}
    assert class_weights([7, 7], "effective_number") == {7: 1.0}


def test_missing_labels_refused():
    pa = pytest.importorskip("pyarrow")
    for y in (
        pd.Series([0, 1, None], dtype="Int64"),
        pd.Series(["x", None, "y"], dtype="string"),
        np.array([0.0, np.nan, 1.0]),
        pd.Categorical(["a", None, "b"]),
        pa.array([0, None, 1]),
    ):
        with pytest.raises(ValueError, match="missing labels"):
            sample_weights(y)


def test_swapped_sklearn_argument_order_hint():
    with pytest.raises(ValueError, match="labels first"):
        sample_weights("balanced", [0, 1, 1])


def test_torch_losses_read_keys_not_order():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_weighted_cross_entropy, softmax_focal_loss

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 3, generator=g)
    t = torch.tensor([0, 1, 2, 2, 2, 1])
    sorted_cw = class_weights(t)
    reordered = class_weights(pd.Categorical(t.numpy(), categories=[2, 0, 1]))
    assert list(reordered) == [2, 0, 1]
    expect = torch.nn.functional.cross_entropy(
        logits, t, weight=torch.tensor([sorted_cw[k] for k in range(3)])
    )
    for cw in (sorted_cw, reordered, class_weights(t.float())):
        torch.testing.assert_close(class_weighted_cross_entropy(logits, t, cw), expect)
    a = softmax_focal_loss(logits, t, alpha=reordered)
    b = softmax_focal_loss(logits, t, alpha=[sorted_cw[k] for k in range(3)])
    torch.testing.assert_close(a, b)


def test_torch_losses_refuse_label_keyed_dicts():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import (
        ClassWeightedCrossEntropyLoss,
        class_weighted_binary_cross_entropy,
        class_weighted_cross_entropy,
        sigmoid_focal_loss,
        softmax_focal_loss,
    )

    logits = torch.zeros(4, 3)
    t = torch.tensor([0, 1, 2, 2])
    with pytest.raises(TypeError, match="class_weight keys"):
        class_weighted_cross_entropy(logits, t, class_weights(["a", "b", "c", "c"]))
    with pytest.raises(TypeError, match="class_weight keys"):
        class_weighted_cross_entropy(logits, t, class_weights(["0", "1", "2", "2"]))
    with pytest.raises(ValueError, match="no entry for class 0"):
        class_weighted_cross_entropy(logits, t, class_weights([1, 2, 3, 3]))
    with pytest.raises(ValueError, match="no entry for class 2"):
        class_weighted_cross_entropy(logits, t, class_weights([0, 1, 1]))
    with pytest.raises(ValueError, match="no entry for class 2"):
        class_weighted_cross_entropy(logits, t, class_weights(np.eye(3)[[0, 0, 1]]))
    with pytest.raises(ValueError, match="no entry for class 0"):
        ClassWeightedCrossEntropyLoss(class_weights([1, 2, 3]))
    with pytest.raises(ValueError, match="alpha"):
        softmax_focal_loss(logits, t, alpha=class_weights([1, 2, 3, 3]))
    bl, bt = torch.zeros(4), torch.tensor([1.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="no entry for class 0"):
        class_weighted_binary_cross_entropy(bl, bt, class_weights([1, -1, -1, -1]))
    with pytest.raises(TypeError, match="class_weight keys"):
        class_weighted_binary_cross_entropy(bl, bt, class_weights(["p", "n", "n", "n"]))
    with pytest.raises(TypeError, match="pos_weight"):
        sigmoid_focal_loss(bl, bt, pos_weight=class_weights([1, 0, 0, 0]))
    with pytest.raises(TypeError, match="alpha"):
        sigmoid_focal_loss(bl, bt, alpha=class_weights([1, 0, 0, 0]))


def test_binary_bool_keys_in_bce():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_weighted_binary_cross_entropy

    logits = torch.tensor([0.3, -1.0, 2.0, 0.0])
    target = torch.tensor([1.0, 0.0, 0.0, 0.0])
    cw = class_weights(np.array([True, False, False, False]))
    w = target * cw[True] + (1 - target) * cw[False]
    expect = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, target, weight=w
    )
    torch.testing.assert_close(
        class_weighted_binary_cross_entropy(logits, target, cw), expect
    )
