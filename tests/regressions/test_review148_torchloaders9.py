"""Review 148, area torchloaders9: the loader-level helpers of rebalance.torch
(``RebalancedLoader``, ``TensorBatchLoader``, ``IndexBatchSampler``) across
dataset kinds.

How: each dataset's x is the row id, so every batch's labels can be checked
against the dataset's own labels of those rows; the class counts of an epoch
against what the docs promise (over-/under-sampling to equal counts,
``BalancedBatchSampler`` quotas); ``len(loader)`` against the batches yielded;
``num_workers=2`` (fork) against 0 workers for the same seed; and bad labels
(wrong length, -100, None/NaN, none found, an ``IterableDataset``).

Dataset kinds: ``TensorDataset`` (labels 1-D, one-hot, (N, 1), whole-number
floats), map-style datasets with ``targets`` (list, tensor, numpy, a pandas
Series with a shuffled index), ``labels`` and ``y``, an ``ImageFolder``
stand-in (``samples`` + ``targets``), a ``Subset`` of a ``Subset``, a
``Subset`` of a ``ConcatDataset``, a ``ConcatDataset`` of a ``TensorDataset``
and a Hugging Face ``datasets.Dataset``, a dict-returning dataset (refused
without ``labels_from``, works with it), Hugging Face datasets (shuffled,
selected, ``ClassLabel``), an ``IterableDataset``.

Found: no bugs. Every kind read its real labels row for row, balanced as
documented, had ``len`` equal to the batches yielded, and gave the same
batches with two fork workers; each bad input gave a ``ValueError`` or
``TypeError`` naming the labels and the fix. (A loader iterated twice draws
the next epoch: documented, not a bug.) The tests below are pins.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("datasets")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
)

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

Y = np.array([0] * 12 + [1] * 4 + [2] * 4)
N = len(Y)
PERM = np.random.default_rng(0).permutation(N)


class Attr(Dataset):
    """Map-style: row i is (i + offset, its label); labels as an attribute."""

    def __init__(self, labels, attr="targets", truth=Y, offset=0):
        setattr(self, attr, labels)
        self.truth, self.offset = truth, offset

    def __len__(self):
        return len(self.truth)

    def __getitem__(self, i):
        return i + self.offset, int(self.truth[i])


class ImageFolderLike(Dataset):
    def __init__(self):
        self.samples = [(f"/img/{i}.png", int(Y[i])) for i in range(N)]
        self.targets = [c for _, c in self.samples]
        self.classes = ["a", "b", "c"]

    def __len__(self):
        return N

    def __getitem__(self, i):
        return i, self.samples[i][1]


class DictRows(Dataset):
    def __len__(self):
        return N

    def __getitem__(self, i):
        return {"x": i, "label": int(Y[i])}


def _hf(labels=Y, offset=0):
    return datasets.Dataset.from_dict(
        {"x": list(range(offset, offset + len(labels))), "label": labels.tolist()}
    ).with_format("numpy")


def _rows(batch):
    if isinstance(batch, dict):
        ids, labels = batch["x"], batch["label"]
    else:
        ids, labels = batch
    labels = torch.as_tensor(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot
        labels = labels.argmax(1)
    return np.asarray(ids).reshape(-1), np.asarray(labels).reshape(-1)


def _subset_of_concat():
    y2 = np.array([2] * 3 + [1] * 5 + [0] * 8)
    parts = [Attr(list(Y)), Attr(y2.tolist(), truth=y2, offset=N)]
    return Subset(ConcatDataset(parts), PERM[:15].tolist() + [20, 25, 30])


CASES = {
    "tensor-1d": lambda: TensorDataset(torch.arange(N), torch.tensor(Y)),
    "tensor-onehot": lambda: TensorDataset(
        torch.arange(N), torch.nn.functional.one_hot(torch.tensor(Y))
    ),
    "tensor-n1": lambda: TensorDataset(torch.arange(N), torch.tensor(Y)[:, None]),
    "tensor-float": lambda: TensorDataset(
        torch.arange(N), torch.tensor(Y, dtype=torch.float32)
    ),
    "targets-list": lambda: Attr(list(Y)),
    "targets-tensor": lambda: Attr(torch.tensor(Y)),
    "targets-numpy": lambda: Attr(Y.copy()),
    "labels": lambda: Attr(list(Y), "labels"),
    "y": lambda: Attr(list(Y), "y"),
    "imagefolder": ImageFolderLike,
    "subset-of-subset": lambda: Subset(
        Subset(TensorDataset(torch.arange(N), torch.tensor(Y)), PERM[:16]),
        [15, 3, 0, 7, 9, 10, 11, 12, 13, 14, 1, 2],
    ),
    "subset-of-concat": _subset_of_concat,
    "hf-shuffled": lambda: _hf().shuffle(seed=0),
    "hf-subset": lambda: Subset(_hf(), PERM[:14]),
}


def _truth(name):
    if name == "subset-of-concat":
        return np.concatenate([Y, np.array([2] * 3 + [1] * 5 + [0] * 8)])
    return Y


@pytest.mark.parametrize("name", list(CASES))
def test_rebalanced_loader_reads_real_labels_and_balances(name):
    # x is the row id: each batch's labels must be the dataset's labels of
    # those rows, the epoch equal counts per class, len == batches yielded.
    truth = _truth(name)
    make = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    loader = make(CASES[name](), batch_size=4)
    counts = np.zeros(3, dtype=int)
    n_batches = 0
    for batch in loader:
        ids, labels = _rows(batch)
        np.testing.assert_array_equal(labels, truth[ids])
        counts += np.bincount(labels.astype(np.int64), minlength=3)
        n_batches += 1
    assert n_batches == len(loader)
    assert counts[0] == counts[1] == counts[2] > 0


def test_dict_rows_need_labels_from_and_work_with_it():
    with pytest.raises(TypeError, match="labels_from"):
        RebalancedLoader(seed=0)(DictRows(), batch_size=4)
    make = RebalancedLoader(
        sampler=RandomOverSampler(),
        seed=0,
        labels_from=lambda d: [d[i]["label"] for i in range(len(d))],
    )
    loader = make(DictRows(), batch_size=5)
    labels = np.concatenate([_rows(b)[1] for b in loader])
    assert np.bincount(labels).tolist() == [12, 12, 12]
    assert len(loader) == 8


def test_concat_of_tensor_and_hf_dataset_row_for_row():
    flipped = Y[::-1].copy()
    data = ConcatDataset(
        [TensorDataset(torch.arange(N), torch.tensor(Y)), _hf(flipped, offset=N)]
    )
    truth = np.concatenate([Y, flipped])
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        data, batch_size=4, collate_fn=lambda rows: rows
    )
    counts = np.zeros(3, dtype=int)
    for rows in loader:
        for row in rows:
            i, label = (row["x"], row["label"]) if isinstance(row, dict) else row
            assert truth[int(i)] == int(label)
            counts[int(label)] += 1
    assert counts.tolist() == [8, 8, 8]


def _ids(loader):
    return [tuple(np.asarray(b[0]).reshape(-1).tolist()) for b in loader]


@pytest.mark.parametrize("kind", ["rebalanced", "balanced-batch", "index-batch"])
def test_two_fork_workers_give_the_same_batches(kind):
    def build(**workers):
        if kind == "rebalanced":
            make = RebalancedLoader(sampler=RandomOverSampler(), seed=3)
            return make(Attr(list(Y)), batch_size=5, **workers)
        if kind == "balanced-batch":
            make = RebalancedLoader(BalancedBatchSampler, seed=3)
            return make(Attr(list(Y)), batch_size=6, **workers)
        batches = IndexBatchSampler(
            RebalanceSampler(torch.tensor(Y), RandomOverSampler(), seed=3), 5
        )
        data = TensorDataset(torch.arange(N), torch.tensor(Y))
        return DataLoader(data, sampler=batches, batch_size=None, **workers)

    serial = _ids(build())
    parallel = _ids(build(num_workers=2, multiprocessing_context="fork"))
    assert serial == parallel
    assert len(serial) == len(build())


@pytest.mark.parametrize(
    "labels",
    [torch.tensor(Y), torch.nn.functional.one_hot(torch.tensor(Y))],
    ids=["1d", "onehot"],
)
def test_tensor_batch_loader_rows_and_length(labels):
    x = torch.arange(N)
    sampler = RebalanceSampler(labels, RandomOverSampler(), seed=0)
    loader = TensorBatchLoader(x, labels, sampler=sampler, batch_size=7)
    batches = list(loader)
    assert len(batches) == len(loader) == 6
    for xb, yb in batches:
        assert torch.equal(yb, labels[xb])
    quotas = TensorBatchLoader(
        x,
        torch.tensor(Y),
        sampler=BalancedBatchSampler(torch.tensor(Y), 6, seed=0),
        batch_size=6,
    )
    for _, yb in quotas:
        assert torch.bincount(yb, minlength=3).tolist() == [2, 2, 2]


@pytest.mark.parametrize("n_labels", [N - 4, 2 * N])
def test_sampler_labels_of_another_length_are_refused(n_labels):
    labels = torch.tensor(np.resize(Y, n_labels))
    data = TensorDataset(torch.arange(N), torch.tensor(Y))
    with pytest.raises(ValueError, match="rows"):
        list(
            TensorBatchLoader(
                *data.tensors, sampler=RebalanceSampler(labels), batch_size=7
            )
        )
    batches = IndexBatchSampler(RebalanceSampler(labels, seed=0), 5)
    with pytest.raises(ValueError, match="labels"):
        list(DataLoader(data, sampler=batches, batch_size=None))
    with pytest.raises(ValueError, match="labels"):
        RebalancedLoader(seed=0)(Attr(labels.tolist()), batch_size=4)


@pytest.mark.parametrize("bad", [-100, None, float("nan")], ids=str)
def test_bad_label_values_are_refused_before_a_batch(bad):
    labels = Y.astype(object) if bad is None else Y.astype(float)
    labels[3] = bad
    with pytest.raises(ValueError, match="position 3"):
        RebalancedLoader(seed=0)(Attr(list(labels)), batch_size=4)


def test_iterable_dataset_is_refused_clearly():
    class Stream(IterableDataset):
        targets = list(Y)

        def __iter__(self):
            return iter(range(N))

    with pytest.raises(TypeError, match="map-style"):
        RebalancedLoader(seed=0)(Stream(), batch_size=4)
