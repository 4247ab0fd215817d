"""Review 18 (torch-eco): the torch samplers used as PyTorch's own samplers are
used (a dataset in hand, torch's ConcatDataset/Subset, pandas categorical
targets through RebalancedLoader).

Every test fails on the code before its fix.
"""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
)

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)


class _CountingImages(Dataset):
    """A torchvision-like dataset (``.targets``) that counts sample reads."""

    def __init__(self, targets):
        self.targets = list(targets)
        self.reads = 0

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        self.reads += 1
        return torch.zeros(3, 4, 4), self.targets[i]


# --- A dataset passed where the labels go -------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda d: RebalanceSampler(d),
        lambda d: BalancedBatchSampler(d, 4),
    ],
    ids=["rebalance", "balanced_batch"],
)
def test_a_dataset_given_as_labels_is_refused_before_any_sample_is_read(make):
    # torch's samplers take the dataset (RandomSampler(dataset),
    # DistributedSampler(dataset)). Ours take its labels; given the dataset,
    # numpy.asarray read every sample (decoding every image of a real data
    # set) and then failed with numpy's "inhomogeneous shape" error.
    images = _CountingImages([0] * 12 + [1] * 4)
    with pytest.raises(TypeError, match=r"labels is a _CountingImages.*\.targets"):
        make(images)
    assert images.reads == 0
    subset = Subset(images, range(2, 16))
    with pytest.raises(TypeError, match=r"labels is a Subset.*subset\.indices"):
        make(subset)
    assert images.reads == 0
    loader = DataLoader(images, batch_size=4)
    with pytest.raises(TypeError, match="labels is a DataLoader"):
        make(loader)
    assert images.reads == 0


def test_a_one_tensor_dataset_is_not_read_as_labels():
    # TensorDataset(ids) was accepted: its rows (1-tuples of ids) were read as a
    # column of labels, every id a class of its own, so the "rebalanced" epoch
    # was a permutation of the ids (no rebalancing, no error).
    ids = torch.arange(16)
    with pytest.raises(TypeError, match=r"labels is a TensorDataset.*tensors\[1\]"):
        RebalanceSampler(TensorDataset(ids))


# --- RebalancedLoader: pandas categorical targets -------------------------------------


class _Frame(Dataset):
    """A skorch-like dataset whose ``y`` is a pandas column."""

    def __init__(self, y):
        self.y = y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return i


def test_rebalanced_loader_reads_class_counts_in_the_category_order():
    # class_counts given as a sequence follow the class order, a pandas
    # categorical's category order (documented, and what BalancedBatchSampler
    # given the Series does). RebalancedLoader turned the Series into a numpy
    # array first, so its classes were sorted: [1, 3] meant 1 "neg" + 3 "pos"
    # per batch instead of 1 "pos" + 3 "neg".
    y = pd.Series(pd.Categorical(["neg"] * 12 + ["pos"] * 4, categories=["pos", "neg"]))
    for dataset in (_Frame(y), Subset(_Frame(y), range(16))):
        make_loader = RebalancedLoader(
            BalancedBatchSampler, class_counts=[1, 3], seed=0
        )
        loader = make_loader(dataset, batch_size=4)
        batches = [batch.tolist() for batch in loader]
        assert len(batches) == 12 // 3
        for batch in batches:
            assert (y.iloc[batch] == "pos").sum() == 1
            assert (y.iloc[batch] == "neg").sum() == 3
        direct = BalancedBatchSampler(y, 4, class_counts=[1, 3], seed=0)
        assert batches == list(direct)


def test_rebalanced_loader_epoch_of_categorical_labels_is_the_samplers():
    # RebalanceSampler(series) draws in category order (epoch e is
    # fit_resample's sample_indices_); the loader built from the same Series
    # drew another epoch.
    y = pd.Series(pd.Categorical(["b"] * 10 + ["a"] * 3, categories=["b", "a"]))
    loader = RebalancedLoader(seed=4)(_Frame(y), batch_size=100)
    (batch,) = list(loader)
    assert batch.tolist() == list(RebalanceSampler(y, seed=4))


# --- RebalancedLoader: ConcatDataset, and labels of the wrong length ------------------


def test_rebalanced_loader_reads_the_labels_of_a_concat_dataset():
    # ConcatDataset (e.g. a train and an extra split) was refused ("Cannot find
    # the labels"), though its rows are its parts' rows one after another.
    first = _Short([0] * 6 + [1] * 2, n_rows=8)
    second = TensorDataset(torch.arange(8, 18), torch.tensor([0] * 9 + [2]))
    dataset = ConcatDataset([first, second])
    loader = RebalancedLoader(seed=1)(dataset, batch_size=5)
    ids = [int(i) for batch, _ in loader for i in batch.tolist()]
    expected = np.array([0] * 6 + [1] * 2 + [0] * 9 + [2])
    assert ids == list(RebalanceSampler(expected, seed=1))
    assert np.bincount(expected[ids]).tolist() == [15, 15, 15]  # label shuffle


def test_labels_of_the_wrong_length_name_the_attribute_they_came_from():
    # The message blamed labels_from, which the user never passed.
    short = _Short([0] * 12 + [1] * 3, n_rows=16)  # 15 labels, 16 rows
    with pytest.raises(
        ValueError, match=r"dataset\.targets holds 15 labels .* 16 rows"
    ):
        RebalancedLoader(seed=0)(short, batch_size=4)


def test_a_subset_of_a_dataset_with_misaligned_labels_is_refused():
    # The base dataset's targets are longer than it (rows filtered, targets
    # not): a Subset read them by position without a word.
    short = _Short([0] * 12 + [1] * 4 + [1] * 3, n_rows=16)
    subset = Subset(short, range(4, 16))
    with pytest.raises(
        ValueError, match=r"dataset\.dataset\.targets holds 19 labels .* 16 rows"
    ):
        RebalancedLoader(seed=0)(subset, batch_size=4)


class _Short(Dataset):
    def __init__(self, targets, n_rows):
        self.targets = targets
        self.n_rows = n_rows

    def __len__(self):
        return self.n_rows

    def __getitem__(self, i):
        return torch.tensor(i), torch.tensor(self.targets[i])
