"""Review 111, white-box audit of ``rebalance/torch/loaders.py`` (``IndexBatchSampler``,
``TensorBatchLoader``) and of ``RebalancedLoader`` (``rebalance/torch/samplers.py``):
the rows each path yields against the per-index ``DataLoader`` path (HF ``datasets``
formats, ``Subset`` index types, one-row last batches, ranks, resume across paths,
pickling, ``HardExampleSampler``), labels read through ``Subset``/``ConcatDataset`` of
Hugging Face datasets and pandas labels with a non-default index, and labels of a
Hugging Face dataset that has a transform (``with_transform``)."""

import copy
import pickle

import numpy as np
import pytest
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset

from rebalance import RandomUnderSampler
from rebalance.torch import (
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

Y = torch.tensor([0] * 6 + [1] * 2 + [2] * 4)
X = torch.arange(12.0)


# Subset indices that read a whole batch of each index type.
INDICES = {"tensor": torch.arange(8), "numpy": np.arange(8), "list": list(range(8))}


def _rows(loader):
    return [batch[0].tolist() for batch in loader]


def test_tensor_batch_loader_checkpoint_resumes_dataloader_path():
    loader = TensorBatchLoader(X, Y, sampler=RebalanceSampler(Y, seed=0), batch_size=5)
    full = _rows(
        TensorBatchLoader(X, Y, sampler=RebalanceSampler(Y, seed=0), batch_size=5)
    )
    first = next(iter(loader))[0].tolist()
    resumed = RebalanceSampler(Y, seed=0)
    resumed.load_state_dict(loader.state_dict())
    rest = _rows(DataLoader(TensorDataset(X, Y), sampler=resumed, batch_size=5))
    assert [first, *rest] == full


def test_tensor_batch_loader_pickled_mid_epoch_yields_the_rest():
    loader = TensorBatchLoader(X, Y, sampler=RebalanceSampler(Y, seed=0), batch_size=5)
    iterator = iter(loader)
    next(iterator)
    copied = pickle.loads(pickle.dumps(loader))
    assert copy.deepcopy(loader).state_dict()["position"] == 5
    assert _rows(copied) == _rows(iterator)


def test_tensor_batch_loader_matches_dataloader_per_rank_and_epoch():
    for rank in range(2):
        fast = TensorBatchLoader(
            X,
            Y,
            sampler=RebalanceSampler(Y, seed=0, num_replicas=2, rank=rank),
            batch_size=4,
        )
        slow = DataLoader(
            TensorDataset(X, Y),
            sampler=RebalanceSampler(Y, seed=0, num_replicas=2, rank=rank),
            batch_size=4,
        )
        assert [_rows(fast), _rows(fast)] == [_rows(slow), _rows(slow)]


def test_tensor_batch_loader_hard_example_sampler_matches_dataloader():
    def sampler():
        s = HardExampleSampler(
            RebalanceSampler(Y, seed=0), pool_size=3, replay_ratio=0.5
        )
        s.update(torch.tensor([1, 2, 3]), torch.tensor([5.0, 4.0, 3.0]))
        return s

    fast = TensorBatchLoader(X, Y, sampler=sampler(), batch_size=5)
    slow = DataLoader(TensorDataset(X, Y), sampler=sampler(), batch_size=5)
    assert _rows(fast) == _rows(slow)


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_index_batch_sampler_hf_dataset_one_row_last_batch(index_type):
    datasets = pytest.importorskip("datasets")
    labels = [0] * 6 + [1] * 2
    ds = datasets.Dataset.from_dict({"x": list(range(8)), "label": labels})
    expected = [
        b.tolist()
        for b in IndexBatchSampler(RebalanceSampler(torch.tensor(labels), seed=0), 11)
    ]
    for data in (
        ds.with_format("torch"),
        Subset(ds.with_format("numpy"), INDICES[index_type]),
    ):
        batches = IndexBatchSampler(
            RebalanceSampler(torch.tensor(labels), seed=0), 11, index_type=index_type
        )
        got = [
            np.asarray(b["x"]).tolist()
            for b in DataLoader(data, sampler=batches, batch_size=None)
        ]
        assert got == expected  # the last batch keeps its batch dimension


def test_index_batch_sampler_batches_are_fresh_arrays():
    batches = IndexBatchSampler(RebalanceSampler(Y, seed=0), 4, index_type="numpy")
    first = []
    for batch in batches:
        first.append(batch.copy())
        batch[:] = 0
    batches.set_epoch(0)
    assert [b.tolist() for b in batches] == [b.tolist() for b in first]


def test_rebalanced_loader_hf_subset_of_shuffled_dataset_keeps_row_labels():
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"x": list(range(12)), "label": Y.tolist()})
    part = Subset(ds.shuffle(seed=0).with_format("torch"), list(range(7)))
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        part, batch_size=None
    )
    rows = [(int(r["x"]), int(r["label"])) for r in loader]
    assert all(Y[x] == label for x, label in rows)
    assert sorted(label for _, label in rows) == [0, 1, 2]  # one row per class


def test_rebalanced_loader_concat_of_hf_selects():
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"x": list(range(12)), "label": Y.tolist()})
    both = ConcatDataset([ds.select(range(6, 12)), ds.select(range(6))])
    rows = list(RebalancedLoader(seed=0)(both, batch_size=None))
    assert all(Y[r["x"]] == r["label"] for r in rows)
    assert np.bincount([r["label"] for r in rows]).tolist() == [6, 6, 6]


def test_rebalanced_loader_pandas_labels_read_by_position():
    pd = pytest.importorskip("pandas")

    class Rows(Dataset):
        y = pd.Series(["a"] * 6 + ["b"] * 2, index=list("hgfedcba"))

        def __len__(self):
            return 8

        def __getitem__(self, i):
            return i, self.y.iloc[i]

    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    rows = list(loader(Subset(Rows(), [0, 6, 7, 1]), batch_size=None))
    assert sorted(label for _, label in rows) == ["a", "a", "b", "b"]
    assert all(Rows.y.iloc[int(i)] == label for i, label in rows)


def test_rebalanced_loader_second_call_draws_the_next_epoch():
    make = RebalancedLoader(seed=0)
    data = TensorDataset(X, Y)
    first, second = _rows(make(data, batch_size=100)), _rows(make(data, batch_size=100))
    assert first != second
    again = RebalanceSampler(Y, seed=0)
    again.set_epoch(1)
    assert second == _rows(DataLoader(data, sampler=again, batch_size=100))


def test_rebalanced_loader_hf_dataset_with_transform_renaming_label():
    datasets = pytest.importorskip("datasets")
    labels = [0] * 6 + [1] * 2
    ds = datasets.Dataset.from_dict({"x": list(range(8)), "label": labels})
    # The Trainer's convention: the transform hands the model "labels".
    shown = ds.with_transform(lambda b: {"x": b["x"], "labels": b["label"]})
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    try:
        loader = make(shown, batch_size=None)
    except (TypeError, ValueError) as exc:  # a clear refusal would do too
        assert "labels_from" in str(exc)
        return
    assert sorted(r["labels"] for r in loader) == [0, 0, 1, 1]
