"""Review 111, white-box audit of ``rebalance.torch._compare_model``
(``TorchMLPClassifier``, served under its deprecated public names
``rebalance.torch.TorchMLPClassifier`` and
``rebalance.torch.estimators.TorchMLPClassifier``), ``rebalance.torch``'s lazy
and deprecated names (``_deprecations``) and the label dtypes that reach the
numba kernels listed in ``rebalance._kernel_signatures`` through the public
samplers: memory layouts of X (negative strides, Fortran order, big-endian,
read-only), label containers and dtypes, scikit-learn conventions (clone,
pickling, ``classes_`` order, probabilities summing to 1, feature-name checks,
random_state reproducibility) and the deprecation warnings.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402
from rebalance.torch._compare_model import TorchMLPClassifier  # noqa: E402

FAST = {"epochs": 2, "hidden": 4, "batch_size": 16, "random_state": 0}


def _data(n_classes=2, n=40):
    rng = np.random.default_rng(0)
    y = np.arange(n) % n_classes
    y[: n // 2] = 0  # imbalanced
    X = (rng.normal(size=(n, 3)) + y[:, None]).astype(np.float32)
    return X, y


# --------------------------------------------------------------------------
# TorchMLPClassifier: memory layouts of X
# --------------------------------------------------------------------------
def test_mlp_fit_on_reversed_rows_equals_fit_on_a_copy():
    X, y = _data()
    reversed_X, reversed_y = X[::-1], y[::-1]
    expected = TorchMLPClassifier(**FAST).fit(reversed_X.copy(), reversed_y)
    got = TorchMLPClassifier(**FAST).fit(reversed_X, reversed_y)
    np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))


def test_mlp_predicts_on_reversed_columns():
    X, y = _data()
    model = TorchMLPClassifier(**FAST).fit(X, y)
    flipped = np.ascontiguousarray(X[:, ::-1])
    expected = model.predict_proba(flipped)
    np.testing.assert_array_equal(model.predict_proba(X[:, ::-1]), expected)


def test_mlp_fortran_big_endian_and_read_only_x_fit_as_plain_float32():
    X, y = _data()
    expected = TorchMLPClassifier(**FAST).fit(X, y).predict_proba(X)
    read_only = X.copy()
    read_only.flags.writeable = False
    for layout in (np.asfortranarray(X), X.astype(">f4"), X.astype(">f8"), read_only):
        model = TorchMLPClassifier(**FAST).fit(layout, y)
        np.testing.assert_array_equal(model.predict_proba(layout), expected)
    assert not read_only.flags.writeable


# --------------------------------------------------------------------------
# TorchMLPClassifier: labels
# --------------------------------------------------------------------------
def test_mlp_refuses_a_missing_label_by_name():
    X, y = _data()
    labels = np.array(["no", "yes"], dtype=object)[y]
    labels[3] = None
    with pytest.raises(ValueError, match=r"(?i)missing|None"):
        TorchMLPClassifier(**FAST).fit(X, labels)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_mlp_string_labels_classes_order_and_proba_rows(n_classes):
    X, y = _data(n_classes)
    names = np.array(["zeta", "alpha", "mid"])[:n_classes]
    model = TorchMLPClassifier(**FAST).fit(X, names[y])
    assert model.classes_.tolist() == sorted(names.tolist())
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        model.predict(X), model.classes_[proba.argmax(axis=1)]
    )


def test_mlp_bool_labels_keep_their_dtype():
    X, y = _data()
    model = TorchMLPClassifier(**FAST).fit(X, y.astype(bool))
    assert model.classes_.tolist() == [False, True]
    assert model.predict(X).dtype == bool


# --------------------------------------------------------------------------
# TorchMLPClassifier: scikit-learn conventions
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sampler", [None, "label-shuffle", "class-balanced", "balanced-batch"]
)
def test_mlp_same_random_state_same_model_and_globals_untouched(sampler):
    X, y = _data(3)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    first = TorchMLPClassifier(sampler=sampler, **FAST).fit(X, y)
    again = clone(first).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), again.predict_proba(X))
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002


def test_mlp_pickles_and_does_not_touch_its_inputs():
    X, y = _data()
    X_before, y_before = X.copy(), y.copy()
    model = TorchMLPClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_mlp_checks_feature_names_and_count_at_predict():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = TorchMLPClassifier(**FAST).fit(frame, y)
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[["c", "b", "a"]])
    with pytest.raises(ValueError, match="3 features"):
        model.predict(X[:, :2])


# --------------------------------------------------------------------------
# Deprecated names
# --------------------------------------------------------------------------
def test_from_package_import_of_the_old_name_warns_once_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from rebalance.torch import TorchMLPClassifier as Old
        from rebalance.torch import sigmoid_focal_loss  # noqa: F401
    future = [w for w in caught if issubclass(w.category, FutureWarning)]
    assert len(future) == 1
    assert future[0].filename == __file__
    assert "rebalance compare --model mlp" in str(future[0].message)
    assert Old is TorchMLPClassifier


# --------------------------------------------------------------------------
# Label dtypes and layouts reaching the kernels (_kernel_signatures)
# --------------------------------------------------------------------------
BASE = np.random.default_rng(1).permutation(np.repeat([0, 1, 2], [20, 6, 3]))


def _label_variants():
    read_only = BASE.copy()
    read_only.flags.writeable = False
    return {
        "int8": BASE.astype(np.int8),
        "uint64": BASE.astype(np.uint64),
        "int32-big-endian": BASE.astype(">i4"),
        "read-only": read_only,
        "strided": np.repeat(BASE, 2)[::2],
        "torch-int32": torch.from_numpy(BASE).int(),
        "torch-uint8": torch.from_numpy(BASE).to(torch.uint8),
    }


@pytest.mark.parametrize("name", list(_label_variants()))
def test_torch_samplers_draw_the_same_rows_whatever_the_label_dtype(name):
    labels = _label_variants()[name]
    for method in (LabelShuffleSampler(), ClassBalancedSampler()):
        expected = list(RebalanceSampler(BASE, method, seed=0))
        assert list(RebalanceSampler(labels, method, seed=0)) == expected
    expected_batches = [list(b) for b in BalancedBatchSampler(BASE, 6, seed=0)]
    got = [list(b) for b in BalancedBatchSampler(labels, 6, seed=0)]
    assert got == expected_batches


@pytest.mark.parametrize("name", ["uint64", "int32-big-endian", "read-only"])
def test_estimator_samplers_keep_rows_and_labels_aligned(name):
    y = _label_variants()[name]
    y_before = y.copy()
    X = np.arange(len(y), dtype=np.float64)[:, None]
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ):
        X_out, y_out = sampler.fit_resample(X, y)
        np.testing.assert_array_equal(y_out, y[X_out[:, 0].astype(int)])
        assert y_out.dtype == y.dtype
    np.testing.assert_array_equal(y, y_before)
