"""Review 23 (loaders): the batch-level paths (IndexBatchSampler,
TensorBatchLoader, BalancedBatchSampler, RebalancedLoader) used the way a new
user wires them into a DataLoader, with the rows checked batch by batch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 30 + [1] * 7)
N_ROWS = len(LABELS)


def _dataset() -> TensorDataset:
    features = torch.arange(N_ROWS, dtype=torch.float32)[:, None].repeat(1, 3)
    return TensorDataset(features, LABELS, torch.arange(N_ROWS))


def _loader_classes():
    classes = [DataLoader]
    try:
        from torchdata.stateful_dataloader import StatefulDataLoader
    except ImportError:
        return classes
    return [*classes, StatefulDataLoader]


# --- A batch sampler given as sampler= of a loader that batches again --------


def _index_batches() -> IndexBatchSampler:
    return IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 8)


def _balanced() -> BalancedBatchSampler:
    return BalancedBatchSampler(LABELS, 8, class_counts=[6, 2], seed=0)


@pytest.mark.parametrize("loader_class", _loader_classes())
@pytest.mark.parametrize("make", [_index_batches, _balanced])
@pytest.mark.parametrize("loader_kwargs", [{}, {"batch_size": 2}])
def test_batches_given_as_sampler_and_batched_again_are_refused(
    loader_class, make, loader_kwargs
):
    # Before: DataLoader(ds, sampler=IndexBatchSampler(...)) without
    # batch_size=None (the README's "note batch_size=None") silently gave
    # batches of shape (1, 8, 3); with batch_size=2, two batches stacked into
    # one of shape (2, 8, 3). Same for a BalancedBatchSampler as sampler=.
    sampler = make()
    before = sampler.state_dict()
    loader = loader_class(_dataset(), sampler=sampler, **loader_kwargs)
    with pytest.raises(ValueError, match="batch_size=None|as batch_sampler="):
        next(iter(loader))
    assert sampler.state_dict() == before  # nothing drawn by the refusal


@pytest.mark.parametrize("make", [_index_batches, _balanced])
def test_batches_given_as_sampler_without_batching_again_still_work(make):
    # batch_size=None (the documented form), or a collate_fn of the user's
    # own that unwraps the one-batch list: the rows of each batch, aligned.
    for loader_kwargs in ({"batch_size": None}, {"collate_fn": lambda b: b[0]}):
        loader = DataLoader(_dataset(), sampler=make(), **loader_kwargs)
        batches = list(loader)
        assert len(batches) == len(loader) > 0
        rows = sum(len(ids) for _, _, ids in batches)
        assert rows == (60 if make is _index_batches else 8 * len(make()))
        for features, labels, ids in batches:
            assert features.shape[1:] == (3,) and 0 < len(features) <= 8
            assert torch.equal(features[:, 0].long(), ids)
            assert torch.equal(LABELS[ids], labels)


# --- batch_sampler=IndexBatchSampler over a dataset read row by row ---------


class _FrameRows(Dataset):
    """A dataset read one row at a time, as many are: a pandas frame through
    ``.iloc`` and a dict keyed by row id."""

    def __init__(self):
        import pandas as pd

        self.frame = pd.DataFrame({"id": np.arange(N_ROWS), "y": LABELS.numpy()})
        self.weight = {i: float(i + 1) for i in range(N_ROWS)}

    def __len__(self):
        return N_ROWS

    def __getitem__(self, i):
        row = self.frame.iloc[i]
        return int(row["id"]), int(row["y"]), self.weight.get(i, 0.0)


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
@pytest.mark.parametrize("num_workers", [0, 1])
def test_row_by_row_dataset_gets_python_int_indices(index_type, num_workers):
    # Before: DataLoader iterated each index tensor, so dataset[i] got 0-d
    # tensors: DataFrame.iloc raised TypeError, and a dict of row ids missed
    # every key (weights silently 0.0). numpy ints passed iloc but not every
    # reader. The docstring promised "as with a per-index sampler": ints.
    pytest.importorskip("pandas")
    batches = IndexBatchSampler(
        RebalanceSampler(LABELS, seed=0), 8, index_type=index_type
    )
    loader = DataLoader(_FrameRows(), batch_sampler=batches, num_workers=num_workers)
    got = list(loader)
    assert len(got) == len(loader)
    ids = torch.cat([ids for ids, _, _ in got])
    labels = torch.cat([labels for _, labels, _ in got])
    weights = torch.cat([weights for _, _, weights in got])
    assert torch.equal(LABELS[ids], labels)
    assert torch.equal(weights, (ids + 1).double())  # every weight found
    assert labels.bincount().tolist() == [30, 30]
    reference = DataLoader(
        _FrameRows(), sampler=RebalanceSampler(LABELS, seed=0), batch_size=8
    )
    assert torch.equal(ids, torch.cat([ids for ids, _, _ in reference]))


def test_dataset_with_getitems_still_gets_the_index_tensor():
    seen = []

    class Batched(Dataset):
        def __len__(self):
            return N_ROWS

        def __getitem__(self, i):  # pragma: no cover - never called
            raise AssertionError("read row by row")

        def __getitems__(self, indices):
            seen.append(indices)
            return [(int(i), int(LABELS[i])) for i in indices]

    batches = IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 8)
    list(DataLoader(Batched(), batch_sampler=batches))
    assert seen and all(isinstance(index, torch.Tensor) for index in seen)


# --- Lightning's trainer.predict on a loader with a rebalancing batch sampler --


def test_batch_sampler_rebuilt_around_a_sequential_sampler_says_why():
    # trainer.predict rebuilds a DataLoader's batch_sampler with the loader's
    # SequentialSampler. Before: "sampler must be None ... It only receives
    # the DistributedSampler PyTorch Lightning passes", which left the user
    # with no way out; now the error names predict and the fix.
    from torch.utils.data import SequentialSampler

    rows = SequentialSampler(range(N_ROWS))
    with pytest.raises(TypeError, match="trainer.predict.*does not rebalance"):
        IndexBatchSampler(rows, 8)
    with pytest.raises(TypeError, match="trainer.predict.*does not rebalance"):
        BalancedBatchSampler(LABELS, 8, sampler=rows)


@pytest.mark.parametrize("form", ["index_batches", "balanced"])
def test_lightning_predict_on_a_rebalancing_batch_sampler_says_why(form):
    L = pytest.importorskip("lightning")

    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 2)

        def predict_step(self, batch, batch_idx):
            return self.layer(batch[0])

    batches = _index_batches() if form == "index_batches" else _balanced()
    loader = DataLoader(_dataset(), batch_sampler=batches)
    trainer = L.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        use_distributed_sampler=False,
    )
    with pytest.raises(TypeError, match="trainer.predict"):
        trainer.predict(Model(), loader)
