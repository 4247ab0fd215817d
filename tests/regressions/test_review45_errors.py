"""Review 45, bad-parameter fuzzing: numpy scalars, 0-d arrays, huge ints,
NaN and pandas NA in the parameters of the samplers and the torch API."""

import numpy as np
import pandas as pd
import pytest

import rebalance as rb

LABELS = np.array([0] * 30 + [1] * 10 + [2] * 5)


def _rows(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(60, 3)), np.array([0] * 40 + [1] * 15 + [2] * 5)


@pytest.mark.parametrize(
    "narrow",
    [
        np.float32(0.5),
        np.float16(0.5),
        np.longdouble(0.5),
        {1: np.float32(0.5), 2: np.float32(0.5)},
    ],
)
def test_shrinkage_numpy_float_is_the_python_float(narrow):
    # np.float32(0.5) is exactly 0.5, but shrinkage * h rounded the bandwidth
    # h to float32: the noise differed from shrinkage=0.5 in the 8th digit.
    X, y = _rows()
    want, _ = rb.RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X, y)
    got, _ = rb.RandomOverSampler(shrinkage=narrow, random_state=0).fit_resample(X, y)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("huge", [10**400, {1: 10**400, 2: 0.5}])
def test_shrinkage_int_too_large_for_a_float_names_shrinkage(huge):
    # Was an OverflowError "int too large to convert to float".
    X, y = _rows()
    with pytest.raises(ValueError, match="shrinkage"):
        rb.RandomOverSampler(shrinkage=huge, random_state=0).fit_resample(X, y)


def test_shrinkage_factors_are_python_floats():
    X, y = _rows()
    sampler = rb.RandomOverSampler(shrinkage={1: np.float32(0.25), 2: 1}).fit(X, y)
    assert sampler.shrinkage_ == {1: 0.25, 2: 1.0}
    assert all(type(v) is float for v in sampler.shrinkage_.values())


torch = pytest.importorskip("torch")
rt = pytest.importorskip("rebalance.torch")


def _batches(sampler):
    return [list(map(int, batch)) for batch in sampler]


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int64])
@pytest.mark.parametrize("name", ["classes_per_batch", "samples_per_class"])
def test_pk_factor_as_numpy_int_is_the_python_int(dtype, name):
    # np.uint8(3) was used as given: batch_size // np.uint8(3) and the epoch
    # arithmetic wrapped around (OverflowError "Python integer -7 out of
    # bounds for uint8", or "cannot reshape array of size 7440").
    want = rt.BalancedBatchSampler(LABELS, 6, **{name: 3}, seed=1)
    got = rt.BalancedBatchSampler(LABELS, 6, **{name: dtype(3)}, seed=1)
    assert type(got.classes_per_batch) is int and type(got.samples_per_class) is int
    assert len(got) == len(want)
    assert _batches(got) == _batches(want)


@pytest.mark.parametrize("drop_last", [True, False])
@pytest.mark.parametrize("batch_size", [2**63, 2**62, 3 * 2**40, 2**31])
def test_batch_size_beyond_any_allocation_names_batch_size(batch_size, drop_last):
    # 2**63 with classes_per_batch was an OverflowError from the int64 epoch
    # arithmetic; 3 * 2**40 with drop_last=False built, then the first batch
    # asked for 12 TiB (MemoryError) or numpy's "array is too big".
    kwargs = {"classes_per_batch": 2} if batch_size % 3 else {}
    with pytest.raises(ValueError, match="batch_size must be <= 2147483647"):
        rt.BalancedBatchSampler(LABELS, batch_size, drop_last=drop_last, **kwargs)


@pytest.mark.parametrize(
    "counts", [np.array(2), torch.tensor(2), torch.tensor(2.0), np.float64(2)]
)
def test_class_counts_zero_d_names_class_counts(counts):
    # A 0-d array or tensor passed the Iterable test, then failed with
    # "iteration over a 0-d array", naming nothing.
    with pytest.raises(TypeError, match="class_counts must be a dict"):
        rt.BalancedBatchSampler(LABELS, 6, class_counts=counts)


def test_derived_classes_per_batch_message_names_samples_per_class():
    # batch_size=6, samples_per_class=1 makes P = 6 > 3 classes: the message
    # named classes_per_batch=6, which the user never passed.
    with pytest.raises(ValueError, match=r"batch_size=6 / samples_per_class=1") as e:
        rt.BalancedBatchSampler(LABELS, 6, samples_per_class=1)
    assert "samples_per_class >= 2" in str(e.value)
    with pytest.raises(ValueError, match=r"^classes_per_batch=6 but labels"):
        rt.BalancedBatchSampler(LABELS, 6, classes_per_batch=6)


@pytest.mark.parametrize("index_type", [pd.NA, np.nan, None, 1, b"tensor"])
def test_index_type_not_a_string_names_index_type(index_type):
    # pd.NA was "boolean value of NA is ambiguous" from `in`.
    inner = rt.RebalanceSampler(LABELS, rb.RandomUnderSampler(random_state=0))
    with pytest.raises(ValueError, match="index_type must be one of"):
        rt.IndexBatchSampler(inner, 4, index_type=index_type)


@pytest.mark.parametrize(
    "top_k",
    [
        np.float32("nan"),
        np.float16("nan"),
        np.float32("inf"),
        np.array(np.float32("nan")),
        torch.tensor(float("nan")),
        torch.tensor(float("inf"), dtype=torch.bfloat16),
    ],
)
def test_ohem_top_k_narrow_nan_names_top_k(top_k):
    # The shortest-decimal reading of a narrow float ran Fraction("nan"):
    # "Invalid literal for Fraction: 'nan'", naming nothing.
    losses = torch.rand(8)
    with pytest.raises(ValueError, match=r"top_k as a fraction must be in \(0, 1\]"):
        rt.ohem_loss(losses, top_k=top_k)
    with pytest.raises(ValueError, match="top_k"):
        rt.OHEMLoss(top_k=top_k)


def test_ohem_top_k_narrow_fraction_still_reads_as_written():
    losses = torch.arange(10.0)
    _, kept = rt.ohem_loss(losses, top_k=np.float32(0.3), return_indices=True)
    assert sorted(kept.tolist()) == [7, 8, 9]


@pytest.mark.parametrize(
    "returned", [None, 3, torch.tensor(1), (label for label in LABELS.tolist())]
)
def test_labels_from_returning_no_sequence_names_labels_from(returned):
    # Was "object of type 'NoneType' has no len()" (or "len() of a 0-d
    # tensor"), naming nothing.
    dataset = torch.utils.data.TensorDataset(torch.arange(45.0), torch.tensor(LABELS))
    make = rt.RebalancedLoader(labels_from=lambda dataset: returned, seed=0)
    with pytest.raises(TypeError, match="labels_from returned"):
        make(dataset, batch_size=4)


@pytest.mark.parametrize(
    "logits",
    [
        torch.randint(0, 3, (6, 3)),
        torch.rand(6, 3) > 0.5,
        torch.randn(6, 3, dtype=torch.complex64),
        [[0.0, 1.0, 2.0]] * 6,
    ],
)
def test_ohem_default_criterion_checks_logits(logits):
    # The default criterion (cross_entropy) got the logits unchecked:
    # NotImplementedError "log_softmax_lastdim_kernel_impl" not implemented
    # for 'Long', or AttributeError "'list' object has no attribute 'device'".
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(TypeError, match="logits must be a"):
        rt.OHEMLoss(top_k=0.5)(logits, target)
