"""Review 40 (torchdata): a property-based fuzz of the torch samplers and
loaders as users hit them (label forms, rank splits, chunk boundaries,
DataLoader / StatefulDataLoader with workers, resumes, tensor dtypes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
    TensorBatchLoader,
)

# 50 majority rows, 3 minority rows: undersampled, 6 indices per epoch.
SMALL_EPOCH = np.array([0] * 50 + [1] * 3)


def _undersampled(**kwargs) -> RebalanceSampler:
    return RebalanceSampler(SMALL_EPOCH, RandomUnderSampler(), seed=0, **kwargs)


# --- TensorBatchLoader: unsigned tensors of 16, 32, 64 bits -----------------


@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
@pytest.mark.parametrize("shape", [(), (2,)])
def test_tensor_batch_loader_gathers_wide_unsigned_tensors(dtype, shape):
    # torch.from_numpy of uint16/uint32/uint64 labels gives such tensors,
    # whose 1-D index_select torch does not implement on CPU. Before: the
    # first batch raised NotImplementedError, where the DataLoader path it
    # promises to equal works.
    y = np.array([0] * 9 + [1] * 3 + [2] * 2, dtype=dtype)
    extra = torch.arange(len(y) * int(np.prod(shape, dtype=int))).reshape(
        len(y), *shape
    )
    tensors = (torch.from_numpy(y), extra.to(getattr(torch, dtype)))
    loader = TensorBatchLoader(
        *tensors, sampler=RebalanceSampler(y, seed=1), batch_size=4
    )
    reference = DataLoader(
        TensorDataset(*tensors), sampler=RebalanceSampler(y, seed=1), batch_size=4
    )
    got, want = list(loader), list(reference)
    assert len(got) == len(want) == len(loader)
    for batch, expected in zip(got, want):
        for tensor, other in zip(batch, expected):
            assert tensor.dtype == other.dtype
            assert torch.equal(tensor, other)


# --- drop_last with a batch larger than the epoch: every epoch empty --------
# A warning, not an error: the batch paths and the DataLoader path yield what
# torch's BatchSampler yields (nothing), which tests/test_torch_batches.py
# checks; RebalancedLoader, which builds the loader, refuses it.

EMPTY = "batch_size=32.*every epoch would be empty"


def test_index_batch_sampler_with_every_batch_dropped_warns():
    # Before: len() 0 and every epoch silently empty (a training loop ran on
    # nothing), without a word.
    with pytest.warns(UserWarning, match=EMPTY):
        batches = IndexBatchSampler(_undersampled(), 32, drop_last=True)
    assert len(batches) == 0
    with pytest.warns(UserWarning, match=EMPTY):
        assert list(batches) == []
    with pytest.warns(UserWarning, match=EMPTY):
        TensorBatchLoader(
            torch.zeros(53), sampler=_undersampled(), batch_size=32, drop_last=True
        )


@pytest.mark.filterwarnings("error")
def test_index_batch_sampler_filling_a_batch_is_silent():
    # A batch the epoch fills once is kept; without drop_last, a short one.
    assert len(IndexBatchSampler(_undersampled(), 6, drop_last=True)) == 1
    assert len(IndexBatchSampler(_undersampled(), 32)) == 1
    loader = DataLoader(
        TensorDataset(torch.arange(len(SMALL_EPOCH))),
        sampler=_undersampled(),
        batch_size=6,
        drop_last=True,
    )
    assert [len(x) for (x,) in loader] == [6]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    minority=st.integers(1, 5),
    majority=st.integers(1, 20),
    batch_size=st.integers(1, 12),
    drop_last=st.booleans(),
    num_replicas=st.integers(1, 3),
)
def test_fuzz_empty_epoch_warning_iff_every_epoch_is_empty(
    minority, majority, batch_size, drop_last, num_replicas
):
    labels = np.array([0] * majority + [1] * minority)
    sampler = RebalanceSampler(
        labels, RandomUnderSampler(), num_replicas=num_replicas, rank=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batches = IndexBatchSampler(sampler, batch_size, drop_last=drop_last)
        yielded = list(batches)
        loader = DataLoader(
            TensorDataset(torch.arange(len(labels))),
            sampler=sampler,
            batch_size=batch_size,
            drop_last=drop_last,
        )
        rows = list(loader)
    empty = len(batches) == 0
    assert len(yielded) == len(rows) == len(batches) == len(loader)
    assert empty == (drop_last and len(sampler) < batch_size)
    warned = [w for w in caught if "every epoch would be empty" in str(w.message)]
    # Two at construction and iteration of the IndexBatchSampler, one at the
    # loader's first draw.
    assert len(warned) == (3 if empty else 0)


def test_index_batch_sampler_warns_of_empty_epochs_split_by_ranks():
    # 6 indices split between 2 ranks: 3 each, fewer than a batch of 4.
    with pytest.warns(UserWarning, match="3 indices per rank"):
        IndexBatchSampler(_undersampled(num_replicas=2, rank=1), 4, drop_last=True)


@pytest.mark.parametrize("hard", [False, True])
def test_loader_with_every_batch_dropped_warns(hard):
    # DataLoader(sampler=..., batch_size=32, drop_last=True) over an epoch of
    # 6 indices: before, len(loader) == 0 and the loop silently trained on
    # nothing; now the first batch asked for says why, and how to fix it.
    sampler = _undersampled()
    if hard:
        sampler = HardExampleSampler(sampler)
    dataset = TensorDataset(torch.arange(len(SMALL_EPOCH)))
    loader = DataLoader(dataset, sampler=sampler, batch_size=32, drop_last=True)
    with pytest.warns(UserWarning, match=EMPTY) as record:
        assert list(loader) == []
    # It points at the training loop's line, not inside torch.
    assert {warning.filename for warning in record} == {__file__}


def test_stateful_loader_with_every_batch_dropped_warns():
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    dataset = TensorDataset(torch.arange(len(SMALL_EPOCH)))
    loader = stateful.StatefulDataLoader(
        dataset, sampler=_undersampled(), batch_size=8, drop_last=True
    )
    with pytest.warns(UserWarning, match="batch_size=8.*every epoch would be empty"):
        assert list(loader) == []


def test_balanced_batches_given_as_sampler_with_every_batch_dropped_warns():
    # Whole batches batched again by a collate_fn of the user's: 3 balanced
    # batches per epoch, fewer than the loader's batch_size=4.
    labels = np.array([0, 1] * 3)
    batches = BalancedBatchSampler(labels, 2)
    assert len(batches) == 3
    loader = DataLoader(
        TensorDataset(torch.arange(len(labels))),
        sampler=batches,
        batch_size=4,
        drop_last=True,
        collate_fn=list,
    )
    with pytest.warns(UserWarning, match="3 full batches of 2 per rank"):
        assert list(loader) == []


# --- an empty one-hot matrix is empty labels --------------------------------


@pytest.mark.parametrize(
    "labels",
    [np.zeros((0, 3)), torch.empty(0, 3), torch.empty(0, 2, dtype=torch.long)],
    ids=["numpy", "float-tensor", "long-tensor"],
)
def test_empty_one_hot_labels_are_called_empty(labels):
    # Before: "labels must be 1-D ... or a one-hot matrix; got shape (0, 3)",
    # about a one-hot matrix, for labels of no row.
    for make in (RebalanceSampler, lambda y: BalancedBatchSampler(y, 2)):
        with pytest.raises(ValueError, match=r"labels is empty \(0 rows\)"):
            make(labels)


# --- RandomOverSampler's shrinkage dict: checked as fit_resample checks it ---


@pytest.mark.parametrize(
    ("shrinkage", "match"),
    [
        ({"cat": 0, "Dog": 0}, r"names classes \['Dog'\] that are not in y"),
        ({"cat": 0}, r"has no value for \['dog'\]"),
    ],
    ids=["unknown-class", "missing-class"],
)
def test_shrinkage_dict_fit_resample_refuses_is_refused(shrinkage, match):
    # Plain copies (every factor 0), so the torch sampler may take it; but a
    # dict naming no class of the labels (a typo) or leaving out an
    # over-sampled class is refused by fit_resample, whose draw epoch e is.
    # Before: the sampler took it silently.
    from rebalance import RandomOverSampler

    labels = np.array(["cat"] * 6 + ["dog"] * 2 + ["eel"] * 6)
    shrinkage = {**shrinkage, "eel": 0}
    with pytest.raises(ValueError, match=match):
        RandomOverSampler(shrinkage=shrinkage).fit_resample(
            np.zeros((len(labels), 1)), labels
        )
    with pytest.raises(
        ValueError, match=r"RebalanceSampler\(labels, RandomOverSampler.*" + match
    ):
        RebalanceSampler(labels, RandomOverSampler(shrinkage=shrinkage))
    # Every over-sampled class given a 0: plain copies, taken.
    fine = RandomOverSampler(shrinkage={"cat": 0, "dog": 0.0, "eel": 0})
    assert len(RebalanceSampler(labels, fine)) == 18


# --- set_epoch(e) while an iteration of another epoch goes on ---------------


def test_iteration_going_on_past_a_set_epoch_of_another_epoch_warns():
    # What a DataLoader with workers does under PyTorch Lightning resuming
    # from a checkpoint without the loader's state: iter(loader) draws the
    # sampler's next epoch (0, a fresh sampler) for the workers at once,
    # then Lightning calls set_epoch(5), and the loop consumes that running
    # iteration: epoch 0's draw where epoch 5 was asked for. Before: silently.
    sampler = RebalanceSampler(SMALL_EPOCH, RandomUnderSampler(), seed=3)
    epoch0 = list(RebalanceSampler(SMALL_EPOCH, RandomUnderSampler(), seed=3))
    running = iter(sampler)
    first = next(running)  # the workers' prefetch
    sampler.set_epoch(5)
    with pytest.warns(UserWarning, match=r"set_epoch\(5\).*epoch 0") as record:
        rest = list(running)
    assert [first, *rest] == epoch0  # what the loop trained on
    assert {warning.filename for warning in record} == {__file__}
    sampler_5 = RebalanceSampler(SMALL_EPOCH, RandomUnderSampler(), seed=3)
    sampler_5.set_epoch(5)
    assert list(sampler) == list(sampler_5)  # the next iteration: epoch 5


@pytest.mark.filterwarnings("error")
def test_set_epoch_beside_an_iteration_nobody_goes_on_with_is_silent():
    sampler = RebalanceSampler(SMALL_EPOCH, RandomUnderSampler(), seed=3)
    # A loop that broke off (limit_train_batches) and moves on.
    broken = iter(sampler)
    next(broken)
    sampler.set_epoch(1)
    assert len(list(sampler)) == len(sampler)
    # set_epoch after the last item, before the iteration is told it ran out.
    ending = iter(sampler)
    [next(ending) for _ in range(len(sampler))]
    sampler.set_epoch(3)
    assert list(ending) == []
    # set_epoch of the epoch being iterated (Lightning's first epoch).
    running = iter(sampler)
    next(running)
    sampler.set_epoch(3)
    assert len(list(running)) == len(sampler) - 1
    # Batch paths too.
    batches = IndexBatchSampler(sampler, 2)
    running = iter(batches)
    next(running)
    sampler.set_epoch(7)
    assert len(list(batches)) == len(batches)
