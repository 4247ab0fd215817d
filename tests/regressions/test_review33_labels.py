"""Review round 33, class labels and their arguments.

* Numbers held as objects (a pandas ``object`` column, ``np.array(...,
  dtype=object)``, Decimals of an Arrow or polars decimal column) skipped the
  checks float labels get: a regression target ``[0.5, 1.5, ...]`` was read
  as one class per distinct value, and ``inf`` became a class. scikit-learn
  and imbalanced-learn refuse both ("Unknown label type").
* A generator, an iterator, a set or a single value as ``y`` was "an array of
  shape ()"; a torch tensor numpy cannot read (``bfloat16``, one that
  requires grad) raised torch's own error, naming no argument.
* A list of ``np.float16`` labels (or a half tensor) warned "overflow
  encountered in cast" while being read.
* ``class_weights(beta=np.longdouble(0.9))`` gave ``np.longdouble`` weights,
  not floats; ``method`` given as a numpy array was compared element-wise.
"""

from __future__ import annotations

import decimal
import warnings

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, ThresholdMover, class_weights, sample_weights
from rebalance._labels import encode_labels, label_array
from rebalance._validation import check_sample_weight

# --- numbers held as objects: the float rules apply --------------------------

FRACTIONAL_OBJECTS = {
    "object-array": lambda: np.array([0.5, 1.5, 0.5, 2.0], dtype=object),
    "pandas-object": lambda: pd.Series([0.5, 1.5, 0.5, 2.0], dtype=object),
    "mixed-int-float": lambda: np.array([1, 0.5, 1, 2], dtype=object),
    "numpy-scalars": lambda: np.array(
        [np.float32(0.5), np.float64(1.0), np.float16(1.0), 2], dtype=object
    ),
    "decimal": lambda: pd.Series([decimal.Decimal("0.5"), decimal.Decimal("1")] * 2),
}


@pytest.mark.parametrize("make_y", FRACTIONAL_OBJECTS.values(), ids=FRACTIONAL_OBJECTS)
def test_fractional_numbers_as_objects_are_continuous(make_y):
    # Before: each distinct value was a class of its own (scikit-learn and
    # imbalanced-learn: "Unknown label type"); a float array was refused.
    y = make_y()
    with pytest.raises(ValueError, match=r"^Unknown label type: y is continuous"):
        encode_labels(y)
    with pytest.raises(ValueError, match="continuous"):
        RandomOverSampler(random_state=0).fit_resample(np.zeros((len(y), 1)), y)
    with pytest.raises(ValueError, match="continuous"):
        class_weights(y)


def test_fractional_decimal_column_is_continuous():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    arrow = pa.array([decimal.Decimal("0.5"), decimal.Decimal("1.0")] * 3)
    for y in (
        arrow,
        pl.from_arrow(arrow),
        pd.Series(pd.arrays.ArrowExtensionArray(arrow)),
    ):
        with pytest.raises(ValueError, match="continuous"):
            encode_labels(y)


@pytest.mark.parametrize("value", [np.inf, -np.inf, decimal.Decimal("Infinity")])
def test_infinity_as_object_is_refused(value):
    # Before: inf was a class (a float array says "contains infinity").
    y = np.array([0, 1, value, 1], dtype=object)
    with pytest.raises(ValueError, match=r"^y contains infinity"):
        encode_labels(y)


def test_torch_sampler_refuses_fractional_object_labels():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = np.array([0.5, 1.5] * 4, dtype=object)
    with pytest.raises(ValueError, match="is continuous"):
        RebalanceSampler(labels)


def test_whole_numbers_as_objects_stay_classes():
    y = pd.Series([1.0, 2, decimal.Decimal("3"), 2.0, 1], dtype=object)
    labels, _, _ = encode_labels(y)
    assert labels.classes.tolist() == [1, 2, 3]  # equal values: one class
    assert labels.counts.tolist() == [2, 2, 1]
    # Beyond 2**53, exactly: kept apart.
    big = np.array([2**60, 2**60 + 1, float(2**70)], dtype=object)
    assert encode_labels(big)[0].n_classes == 3


def test_object_labels_in_threshold_mover_must_be_classes():
    from sklearn.linear_model import LogisticRegression

    X = np.arange(8.0).reshape(-1, 1)
    y = np.array([0.5, 1.5] * 4, dtype=object)
    with pytest.raises(ValueError, match="continuous"):
        ThresholdMover(LogisticRegression()).fit(X, y)


# --- labels numpy cannot read as an array -----------------------------------


def _generator():
    return (i % 2 for i in range(6))


NOT_ARRAYS = {
    "generator": (_generator, r"y is a generator.*list\(y\)"),
    "iterator": (lambda: iter([0, 1, 1, 0]), r"y is a list_iterator.*list\(y\)"),
    "set": (lambda: {0, 1}, r"y is a set.*no order"),
    "dict": (lambda: {0: "a", 1: "b"}, r"y is a dict"),
    "scalar": (lambda: 3, r"y is a single label \(3\)"),
    "column name": (lambda: "label", r"y is a string \('label'\).*frame\['label'\]"),
    "0-d array": (lambda: np.array("a"), r"y is a single label \('a'\)"),
}


def _tensor_0d():
    torch = pytest.importorskip("torch")
    return torch.tensor(1)


NOT_ARRAYS["0-d tensor"] = (_tensor_0d, r"y is a single label \(1\)")


@pytest.mark.parametrize(("make_y", "match"), NOT_ARRAYS.values(), ids=NOT_ARRAYS)
def test_labels_that_are_not_an_array_are_named(make_y, match):
    # Before: "y must be 1-D (one label per row); got an array of shape ()".
    with pytest.raises(ValueError, match=match):
        encode_labels(make_y())
    with pytest.raises(ValueError, match=match):
        RandomOverSampler().fit_resample(np.zeros((6, 1)), make_y())


def test_torch_sampler_names_a_generator():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    with pytest.raises(ValueError, match=r"labels is a generator.*list\(labels\)"):
        RebalanceSampler(_generator())


def test_tensor_numpy_cannot_read_is_named():
    torch = pytest.importorskip("torch")
    # Before: torch's "Got unsupported ScalarType BFloat16" and "Can't call
    # numpy() on Tensor that requires grad", naming no argument.
    half = torch.tensor([0.0, 1.0, 1.0, 0.0], dtype=torch.bfloat16)
    with pytest.raises(TypeError, match=r"^y could not be read as a numpy array"):
        encode_labels(half)
    grad = torch.tensor([0.0, 1.0, 1.0, 0.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"^y could not be read.*detach"):
        RandomOverSampler().fit_resample(np.zeros((4, 1)), grad)
    with pytest.raises(TypeError, match=r"^sample_weight could not be read.*detach"):
        check_sample_weight(grad, 4)


# --- float16 labels read without a warning ------------------------------------


def test_float16_labels_read_without_overflow_warning():
    # Before: RuntimeWarning "overflow encountered in cast" (2**53 as float16).
    y = [np.float16(0.0), np.float16(2.0), np.float16(2.0), np.float16(65504.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        array = label_array(y)
        labels, _, _ = encode_labels(y)
    assert array.dtype == np.float16
    assert labels.classes.tolist() == [0.0, 2.0, 65504.0]


# --- class_weights' parameters ----------------------------------------------


@pytest.mark.parametrize(
    "beta", [np.longdouble(0.9), np.float32(0.9), pytest.param(0.9, id="float")]
)
def test_effective_number_weights_are_python_floats(beta):
    # Before: np.longdouble beta gave np.longdouble weights.
    y = [0] * 6 + [1] * 3 + [2]
    weights = class_weights(y, "effective_number", beta=beta)
    assert all(type(w) is float for w in weights.values())
    assert sum(weights.values()) == pytest.approx(3)
    assert sample_weights(y, "effective_number", beta=beta).dtype == np.float64


def test_beta_just_below_one_as_longdouble_is_refused():
    # Before: weights of inf or NaN (beta is 1.0 once a float).
    beta = np.longdouble(1) - np.longdouble(2.0**-60)
    if float(beta) != 1.0 or not beta < 1:
        pytest.skip("longdouble is float64 here")
    with pytest.raises(ValueError, match=r"beta=.* is 1\.0 as a float"):
        class_weights([0, 1, 1], "effective_number", beta=beta)


@pytest.mark.parametrize(
    "method", [np.array(["balanced"]), np.array(["balanced", "balanced"]), ["balanced"]]
)
def test_method_must_be_a_string(method):
    # Before: a one-element array was accepted and a longer one raised
    # numpy's "truth value of an array ... is ambiguous".
    with pytest.raises(ValueError, match=r"method=.* is not a weighting method"):
        class_weights([0, 1, 1], method)


# --- numpy 2's variable-width strings ----------------------------------------


_NO_STRING_DTYPE = pytest.mark.skipif(
    getattr(getattr(np, "dtypes", None), "StringDType", None) is None,
    reason="numpy < 2 has no StringDType",
)


@_NO_STRING_DTYPE
def test_numpy_stringdtype_labels_are_strings():
    # Before: "y has dtype StringDType(), which is not a class label type.
    # Pass integers, strings, ..." (they are strings).
    dtype = np.dtypes.StringDType()
    y = np.array(["b", "a", "b", "b", "a\x00", "b"], dtype=dtype)
    labels, _, _ = encode_labels(y)
    assert labels.classes.tolist() == ["a", "a\x00", "b"]
    assert labels.counts.tolist() == [1, 1, 4]
    assert class_weights(y) == pytest.approx({"a": 2.0, "a\x00": 2.0, "b": 0.5})
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.zeros((6, 1)), y)
    assert y_res.dtype == dtype
    assert y_res.tolist() == y[sampler.sample_indices_].tolist()


@_NO_STRING_DTYPE
@pytest.mark.parametrize("na", [None, np.nan])
def test_numpy_stringdtype_missing_labels_are_missing(na):
    y = np.array(["b", "a", na, "b"], dtype=np.dtypes.StringDType(na_object=na))
    with pytest.raises(ValueError, match=r"^y has missing labels .* position 2"):
        encode_labels(y)


@_NO_STRING_DTYPE
def test_numpy_stringdtype_labels_fit_a_classifier():
    # Before: scikit-learn's "dtype argument must be a NumPy dtype" from
    # the classifier's LabelEncoder.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ResampledClassifier

    y = np.array(["b", "a"] * 10, dtype=np.dtypes.StringDType())
    X = np.arange(20.0).reshape(-1, 1) % 2
    for model in (
        ThresholdMover(LogisticRegression()),
        ResampledClassifier(RandomOverSampler(random_state=0), LogisticRegression()),
    ):
        model.fit(X, y)
        assert model.classes_.tolist() == ["a", "b"]
        assert model.predict(X).tolist() == y.tolist()
