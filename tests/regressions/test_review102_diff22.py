"""Review 102 diff22: a ClassLabel's -1 marked missing where the loader reads.

Covers f486b20: ``class_label_values``, ``check_class_label_column`` and
``_class_label_marked`` / ``_dataset_labels`` in the torch samplers.
"""

from __future__ import annotations

import numpy as np
import pytest

datasets = pytest.importorskip("datasets")
torch = pytest.importorskip("torch")

from datasets import ClassLabel, Dataset, Features, Value  # noqa: E402
from torch.utils.data import ConcatDataset, Subset  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)
from rebalance.torch.samplers import _dataset_labels  # noqa: E402

F = Features({"a": Value("float64"), "label": ClassLabel(names=["n", "p", "q"])})
Y = [0] * 6 + [1] * 3 + [2] * 3
Y_MISSING = list(Y)
Y_MISSING[4] = -1
Y_MISSING[10] = -1
KEEP = [i for i in range(12) if Y_MISSING[i] != -1]
FORMATS = [None, "numpy", "torch", "pandas", "polars", "arrow"]


def _hf(labels, fmt=None):
    ds = Dataset.from_dict(
        {"a": [float(i) for i in range(len(labels))], "label": labels}, features=F
    )
    return ds.with_format(fmt) if fmt else ds


@pytest.mark.parametrize("fmt", FORMATS)
def test_class_label_minus_one_refused_in_every_format(fmt):
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match=r"\(a datasets ClassLabel\) holds -1") as e:
        loader(_hf(Y_MISSING, fmt), batch_size=4)
    assert "2 row(s), the first at position 4" in str(e.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_subset_leaving_out_minus_one_is_taken_and_draws_right_rows(fmt):
    loader = RebalancedLoader(sampler=RandomOverSampler(), seed=0)
    made = loader(Subset(_hf(Y_MISSING, fmt), KEEP), batch_size=4)
    ids = list(made.sampler)
    assert all(0 <= i < len(KEEP) for i in ids)
    drawn = np.bincount([Y_MISSING[KEEP[i]] for i in ids], minlength=3)
    assert drawn.tolist() == [5, 5, 5]  # over-sampled to the majority
    # with a -1 row kept: refused, position among the rows drawn from
    with pytest.raises(ValueError, match="1 row\\(s\\), the first at position 3"):
        loader(Subset(_hf(Y_MISSING, fmt), [0, 1, 2, 4, 8]), batch_size=4)


@pytest.mark.parametrize("fmt", [None, "numpy", "torch"])
def test_subset_batches_hold_int_class_ids(fmt):
    loader = RebalancedLoader(sampler=RandomOverSampler(), seed=0)
    made = loader(Subset(_hf(Y_MISSING, fmt), KEEP), batch_size=4)
    for batch in made:
        labels = batch["label"]
        assert labels.dtype == torch.int64
        assert set(labels.tolist()) <= {0, 1, 2}


def test_balanced_batch_sampler_class_counts_follow_class_ids():
    loader = RebalancedLoader(BalancedBatchSampler, class_counts=[2, 1, 1], seed=0)
    loader(Subset(_hf(Y_MISSING), KEEP), batch_size=4)
    for batch in loader.sampler_:
        counts = np.bincount([Y_MISSING[KEEP[i]] for i in batch], minlength=3)
        assert counts.tolist() == [2, 1, 1]


def test_concat_dataset_minus_one_in_second_part_names_the_part():
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError) as e:
        loader(ConcatDataset([_hf(Y), _hf(Y_MISSING)]), batch_size=4)
    message = str(e.value)
    assert "first at position 4" in message
    assert "dataset.datasets[1], rows 12 to 23 of dataset" in message


@pytest.mark.parametrize("fmt", [None, "numpy", "torch", "pandas"])
def test_labels_without_minus_one_unchanged_in_type(fmt):
    ds = _hf(Y, fmt)
    labels, where = _dataset_labels(ds)
    assert where == 'dataset["label"]'
    assert type(labels) is type(ds["label"][:])


@pytest.mark.parametrize("fmt", [None, "numpy", "torch", "pandas"])
def test_epochs_same_as_sampler_over_the_label_array(fmt):
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=3)
    made = loader(_hf(Y, fmt), batch_size=4)
    ref = RebalanceSampler(
        np.asarray(_hf(Y)["label"][:]), sampler=RandomUnderSampler(), seed=3
    )
    for epoch in range(3):
        made.sampler.set_epoch(epoch)
        ref.set_epoch(epoch)
        assert list(made.sampler) == list(ref)


def test_minus_one_error_names_the_dataset_column():
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match=r'column "label".*row\[.label.\] != -1'):
        loader(_hf(Y_MISSING), batch_size=4)
