"""Review 34, area strings: text labels of every kind (numpy 2's
``StringDType``, pandas and Arrow string dtypes, polars, pyarrow) through the
metrics and the torch samplers and loaders: the classes are those of
``RandomUnderSampler().plan(labels)``, or the error names the argument."""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler
from rebalance.metrics import g_mean_score

pa = pytest.importorskip("pyarrow")

STRING_DTYPE = getattr(np.dtypes, "StringDType", None)
needs_string_dtype = pytest.mark.skipif(
    STRING_DTYPE is None, reason="numpy 2's StringDType"
)

VALUES = ["b", "a", "c", "b", "a", "b", "c", "b", "a", "c", "b", "b"]
PRED = ["b", "a", "a", "b", "c", "b", "c", "a", "a", "c", "b", "c"]


def _classes(labels):
    """The classes a rebalance sampler reads from ``labels``."""
    return RandomUnderSampler().plan(labels).labels.classes.tolist()


# ----------------------------------------------------------------- metrics


@needs_string_dtype
@pytest.mark.parametrize("given", ["y_true", "y_pred", "both", "labels"])
def test_g_mean_score_reads_string_dtype_labels(given):
    # Before: TypeError "cannot attach metadata to new style DType" (from
    # scikit-learn's recall_score) for StringDType labels anywhere.
    strings = STRING_DTYPE()
    y_true = np.array(VALUES, dtype=strings) if given in ("y_true", "both") else VALUES
    y_pred = np.array(PRED, dtype=strings) if given in ("y_pred", "both") else PRED
    labels = np.array(["c", "a"], dtype=strings) if given == "labels" else None
    expected = g_mean_score(VALUES, PRED, labels=None if labels is None else ["c", "a"])
    assert g_mean_score(y_true, y_pred, labels=labels) == pytest.approx(expected)
    assert 0 < expected < 1


@pytest.mark.skipif(not hasattr(pa, "string_view"), reason="pyarrow < 16")
def test_g_mean_score_reads_arrow_string_view_series():
    # Before: NotImplementedError "string_view" (numpy cannot hold the Arrow
    # view type), where every other metric path reads it as strings.
    dtype = pd.ArrowDtype(pa.string_view())
    y_true = pd.Series(pa.array(VALUES, pa.string_view()), dtype=dtype)
    y_pred = pd.Series(pa.array(PRED, pa.string_view()), dtype=dtype)
    expected = g_mean_score(VALUES, PRED)
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected)
    assert g_mean_score(y_true, PRED) == pytest.approx(expected)


def test_g_mean_score_keeps_polars_labels_ending_with_nul():
    # Before: 0.0. encode_labels read 'a' and 'a\x00' as two classes, but the
    # recalls were computed on np.asarray(series), where numpy drops the
    # trailing NUL: every row of 'a\x00' then missed its class.
    pl = pytest.importorskip("polars")
    y_true = ["a", "a\x00", "a", "a\x00"]
    y_pred = ["a", "a", "a", "a\x00"]
    expected = g_mean_score(y_true, y_pred)
    assert expected == pytest.approx(0.5**0.5)
    assert g_mean_score(pl.Series(y_true), pl.Series(y_pred)) == pytest.approx(expected)
    assert g_mean_score(pl.Series(y_true), y_pred) == pytest.approx(expected)


# ------------------------------------------------------------ torch samplers

torch = pytest.importorskip("torch")

from torch.utils.data import ConcatDataset, Dataset, Subset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalancedLoader,
    RebalanceSampler,
)


class _Rows(Dataset):
    """A data set of row ids whose labels are ``targets``, as given."""

    def __init__(self, targets):
        self.targets = targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return i


@needs_string_dtype
def test_torch_samplers_read_string_dtype_labels():
    # Before: TypeError "labels has dtype StringDType(): samplers need class
    # labels (ints, bools or strings)", where fit_resample reads them.
    labels = np.array(VALUES, dtype=STRING_DTYPE())
    as_objects = np.array(VALUES, dtype=object)
    sampler = RebalanceSampler(labels, RandomUnderSampler(), seed=3)
    assert sampler.plan.labels.classes.tolist() == _classes(labels) == ["a", "b", "c"]
    assert list(sampler) == list(
        RebalanceSampler(as_objects, RandomUnderSampler(), seed=3)
    )
    batches = BalancedBatchSampler(labels, batch_size=3, seed=1)
    assert batches.labels.classes.tolist() == ["a", "b", "c"]
    assert list(batches) == list(BalancedBatchSampler(as_objects, batch_size=3, seed=1))
    hard = HardExampleSampler(RebalanceSampler(labels))
    assert len(list(hard)) == len(hard)
    loader = RebalancedLoader(seed=0)(_Rows(labels), batch_size=4)
    assert loader.sampler.plan.labels.classes.tolist() == ["a", "b", "c"]


@needs_string_dtype
def test_torch_samplers_refuse_missing_string_dtype_labels():
    na = None
    labels = np.array(["a", na, "b"], dtype=STRING_DTYPE(na_object=na))
    with pytest.raises(ValueError, match="^labels has missing labels"):
        RebalanceSampler(labels)
    with pytest.raises(ValueError, match="^labels has missing labels"):
        BalancedBatchSampler(labels, batch_size=2)


@pytest.mark.parametrize(
    "labels, match",
    [
        (
            np.array([0.5, 1.5, 0.5], dtype=object),
            "^labels is continuous|labels is continuous",
        ),
        (np.array([np.inf, 1.0, 1.0], dtype=object), "^labels contains infinity"),
        (np.array(["a", 1, "a"], dtype=object), "^labels mixes label types"),
        (["a", "a", "a"], "^labels has one class only"),
    ],
    ids=["continuous", "infinite", "mixed", "one-class"],
)
@pytest.mark.parametrize("kind", ["rebalance", "hard-example"])
def test_torch_sampler_label_errors_name_labels(labels, match, kind):
    # Before: "RebalanceSampler(labels, LabelShuffleSampler(...)): Unknown
    # label type: y is continuous ...": y is no argument of the torch
    # samplers (BalancedBatchSampler already named labels).
    with pytest.raises((TypeError, ValueError), match=match):
        sampler = RebalanceSampler(labels)
        if kind == "hard-example":
            HardExampleSampler(sampler)


def test_rebalance_sampler_parameter_errors_still_say_where():
    # The sampler's own parameters keep the prefix naming it.
    with pytest.raises(ValueError, match=r"^RebalanceSampler\(labels, RandomUnder"):
        RebalanceSampler([0, 0, 1], RandomUnderSampler(sampling_strategy={0: 5}))


def _arrow_string_view_series(values):
    return pd.Series(
        pa.array(values, pa.string_view()), dtype=pd.ArrowDtype(pa.string_view())
    )


@pytest.mark.parametrize(
    "make",
    [
        pa.array,
        lambda v: pa.array(v, pa.large_string()),
        lambda v: pa.array(v, pa.string_view()),
        lambda v: pa.array(v).dictionary_encode(),
        _arrow_string_view_series,
    ],
    ids=[
        "pa-string",
        "pa-large-string",
        "pa-string-view",
        "pa-dictionary",
        "pd-string-view",
    ],
)
@pytest.mark.parametrize("wrap", ["plain", "subset", "concat"])
@pytest.mark.parametrize("batches", [False, True])
def test_rebalanced_loader_reads_arrow_string_labels(make, wrap, batches):
    # Before: ArrowInvalid "zero_copy_only was True" (a pyarrow array's
    # to_numpy()) or NotImplementedError "string_view" (a pandas Arrow view
    # column), where RebalanceSampler(labels) reads them.
    dataset = _Rows(make(VALUES))
    if wrap == "subset":
        dataset = Subset(dataset, list(range(len(VALUES))))
    elif wrap == "concat":
        dataset = ConcatDataset([dataset, _Rows(make(VALUES))])
    if batches:
        loader = RebalancedLoader(BalancedBatchSampler, seed=0)(dataset, batch_size=3)
        classes = loader.batch_sampler.labels.classes
    else:
        loader = RebalancedLoader(seed=0)(dataset, batch_size=4)
        classes = loader.sampler.plan.labels.classes
    assert classes.tolist() == _classes(make(VALUES)) == ["a", "b", "c"]
    assert len(torch.cat(list(loader))) > 0


@pytest.mark.parametrize(
    "labels, match",
    [
        # Before: np.asarray made the NaN the text 'nan': a class of its own.
        (["a", float("nan"), "b", "a"], "^labels has missing labels"),
        # Before: np.asarray made 0 the text '0': one class with '0'.
        ([0, "0", 1, 1], "^labels mixes label types"),
        # Before: "labels has dtype float64: samplers need class labels".
        (pd.Series([1, None, 0, 1], dtype="Int64"), "^labels has missing labels"),
    ],
    ids=["nan-among-strings", "number-among-strings", "nullable-int-na"],
)
@pytest.mark.parametrize("wrap", ["plain", "subset", "concat"])
def test_rebalanced_loader_reads_labels_as_the_samplers_do(labels, match, wrap):
    dataset = _Rows(labels)
    if wrap == "subset":
        dataset = Subset(dataset, [0, 1, 2, 3])
    elif wrap == "concat":
        dataset = ConcatDataset([dataset, dataset])
    with pytest.raises((TypeError, ValueError), match=match):
        RebalanceSampler(labels)
    with pytest.raises((TypeError, ValueError), match=match):
        RebalancedLoader(seed=0)(dataset, batch_size=2)


@pytest.mark.parametrize(
    "other", [["0", "1", "1"], np.array([b"0", b"1", b"1"])], ids=["str", "bytes"]
)
def test_rebalanced_loader_concat_of_number_and_text_labels_is_refused(other):
    # Before: np.concatenate wrote the numbers (or bytes) of one part as text:
    # 0 and '0' one class, without a word (fit_resample refuses such labels).
    first = [0, 1, 1] if isinstance(other, list) else ["0", "1", "1"]
    dataset = ConcatDataset([_Rows(first), _Rows(other)])
    with pytest.raises(TypeError, match="^labels mixes label types"):
        RebalancedLoader(seed=0)(dataset, batch_size=2)


@pytest.mark.parametrize("wrap", ["sampler", "loader"])
def test_torch_samplers_name_nan_float_labels_missing(wrap):
    # Before: "labels has dtype float64 ... Convert whole-number floats with
    # labels.astype(int)", which turns the NaN into a class of its own
    # (-2**63) without a word.
    labels = np.array([0.0, 1.0, np.nan, 1.0, 0.0])
    with pytest.raises(ValueError, match="^labels has missing labels .* position 2"):
        if wrap == "sampler":
            RebalanceSampler(labels)
        else:
            RebalancedLoader(seed=0)(_Rows(labels), batch_size=2)


def test_torch_samplers_name_nan_in_float_tensor_missing():
    # Before: "labels is a torch.float32 tensor ... Pass labels.long()",
    # which turns the NaN into a class of its own.
    labels = torch.tensor([0.0, 1.0, float("nan"), 1.0])
    with pytest.raises(ValueError, match="^labels has missing labels .* position 2"):
        RebalanceSampler(labels)


def test_rebalanced_loader_concat_keeps_int64_beside_uint64_exact():
    # Before: np.concatenate made int64 and uint64 parts float64, where
    # 2**63 and 2**63 + 1 are one value: two classes merged.
    big = np.array([2**63, 2**63 + 1, 2**63 + 1], dtype=np.uint64)
    dataset = ConcatDataset([_Rows(np.array([-1, -1, -1])), _Rows(big)])
    loader = RebalancedLoader(seed=0)(dataset, batch_size=2)
    classes = loader.sampler.plan.labels.classes.tolist()
    assert classes == [-1, 2**63, 2**63 + 1]
    assert classes == _classes([-1, -1, -1, 2**63, 2**63 + 1, 2**63 + 1])
