"""Review 33 (torch): samplers and loaders with the data sets and tools users
combine them with.

Each test failed on the reviewed code."""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")  # the torch extra is optional

from torch.utils.data import ConcatDataset, Dataset, Subset  # noqa: E402

from rebalance.torch import BalancedBatchSampler, RebalancedLoader  # noqa: E402


class _Rows(Dataset):
    """A map-style data set whose labels sit in an attribute ``name``."""

    def __init__(self, labels, name="targets"):
        setattr(self, name, labels)
        self._n = len(labels)

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        return i


POS_NEG = pd.Categorical(["pos"] * 3 + ["neg"] * 9, categories=["pos", "neg"])


def _pos_per_batch(loader, labels):
    return {int((labels[batch] == "pos").sum()) for batch in loader}


@pytest.mark.parametrize(
    "wrap",
    [
        lambda part: part,
        lambda part: Subset(part, range(12)),
        lambda part: ConcatDataset([part, _Rows(pd.Series(POS_NEG))]),
    ],
    ids=["dataset", "subset", "concat"],
)
def test_rebalanced_loader_class_counts_follow_the_category_order(wrap):
    # class_counts given as a list follows the class order, a categorical's
    # category order (pos, then neg). Before: a ConcatDataset of categorical
    # parts lost it (classes sorted: neg, pos), so the quotas of the two
    # classes were silently swapped (3 pos rows per batch instead of 1).
    dataset = wrap(_Rows(pd.Series(POS_NEG)))
    make_loader = RebalancedLoader(BalancedBatchSampler, class_counts=[1, 3], seed=0)
    loader = make_loader(dataset, batch_size=4)
    assert make_loader.sampler_.labels.classes.tolist() == ["pos", "neg"]
    labels = np.asarray(POS_NEG.tolist() * 2)
    assert _pos_per_batch(loader, labels) == {1}


def test_rebalanced_loader_concat_of_other_categories_keeps_every_row():
    # Parts whose categories differ (another order, another class) fall back
    # to the labels' values: every class kept, every row counted.
    other = pd.Categorical(["neg"] * 2 + ["unk"] * 4, categories=["neg", "unk"])
    dataset = ConcatDataset([_Rows(pd.Series(POS_NEG)), _Rows(pd.Series(other))])
    make_loader = RebalancedLoader(BalancedBatchSampler, seed=0)
    make_loader(dataset, batch_size=3)
    labels = make_loader.sampler_.labels
    assert labels.classes.tolist() == ["neg", "pos", "unk"]
    assert labels.counts.tolist() == [11, 3, 4]


def test_rebalanced_loader_reads_a_labels_attribute():
    # torchvision's SVHN and STL10 keep their classes in .labels. Before:
    # TypeError "Cannot find the labels", though the labels were right there.
    dataset = _Rows(np.array([0] * 9 + [1] * 3), name="labels")
    loader = RebalancedLoader(seed=0)(dataset, batch_size=6)
    rows = torch.cat(list(loader))
    assert torch.bincount(torch.as_tensor(dataset.labels)[rows]).tolist() == [9, 9]
    # ... and through a Subset of it.
    part = Subset(dataset, [0, 1, 2, 9, 10])
    make_loader = RebalancedLoader(seed=0)
    make_loader(part, batch_size=2)
    assert make_loader.sampler_.plan.labels.counts.tolist() == [3, 2]


class _WithTargetsMethod(Dataset):
    def targets(self):  # a helper, not the labels
        return [0, 1]

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return i


def test_rebalanced_loader_skips_a_method_named_like_labels():
    # Before: a method named targets was taken for the labels, and failed
    # with "object of type 'method' has no len()".
    with pytest.raises(TypeError, match="labels_from=lambda dataset"):
        RebalancedLoader(seed=0)(_WithTargetsMethod(), batch_size=2)


def _lightning_rebuilds():
    pytest.importorskip("lightning")
    from lightning.fabric.utilities.data import _update_dataloader as fabric_update
    from lightning.pytorch.trainer.states import RunningStage
    from lightning.pytorch.utilities.data import _update_dataloader as trainer_update

    def trainer(loader, sampler):
        return trainer_update(loader, sampler, mode=RunningStage.TRAINING)

    return {"trainer": trainer, "fabric": fabric_update}


@pytest.mark.parametrize("rebuild", ["trainer", "fabric"])
def test_balanced_batches_rebuilt_by_lightning_keep_a_restored_state(rebuild):
    # Lightning (use_distributed_sampler=True under DDP) rebuilds a loader's
    # BalancedBatchSampler from its arguments, with a DistributedSampler of
    # its own. Before: the rebuilt sampler lost a state loaded into the
    # original (a resumed job): it drew epoch 2 from its start again, the
    # batches already trained on included.
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    update = _lightning_rebuilds()[rebuild]
    labels = np.array([0] * 12 + [1] * 4)
    dataset = TensorDataset(torch.arange(16))
    reference = BalancedBatchSampler(labels, 4, seed=1)
    reference.set_epoch(2)
    epoch2 = list(reference)
    interrupted = BalancedBatchSampler(labels, 4, seed=1)
    interrupted.set_epoch(2)
    head = next(iter(interrupted))
    resumed = BalancedBatchSampler(labels, 4, seed=1)
    resumed.load_state_dict(interrupted.state_dict())
    injected = DistributedSampler(dataset, num_replicas=1, rank=0, shuffle=False)
    loader = update(DataLoader(dataset, batch_sampler=resumed), injected)
    rebuilt = loader.batch_sampler
    assert rebuilt is not resumed and rebuilt.sampler is injected
    assert rebuilt.state_dict() == resumed.state_dict()
    injected.set_epoch(2)  # Lightning's epoch, on its sampler
    rest = [ids.tolist() for (ids,) in loader]
    assert [head, *rest] == epoch2
    # A sampler that holds no loaded state is rebuilt as before: the epoch
    # Lightning sets.
    fresh = update(DataLoader(dataset, batch_sampler=reference), injected)
    assert fresh.batch_sampler.state_dict()["position"] == 0


def test_index_batches_over_a_skorch_dataset_say_which_index_type():
    # skorch's Dataset reads a batch through scikit-learn's _safe_indexing,
    # which takes numpy indices, not tensors. Before: the first batch failed
    # with "AttributeError: 'torch.dtype' object has no attribute 'kind'".
    skorch_dataset = pytest.importorskip("skorch.dataset")
    from torch.utils.data import DataLoader

    from rebalance.torch import IndexBatchSampler, RebalanceSampler

    labels = np.array([0] * 9 + [1] * 3)
    dataset = skorch_dataset.Dataset(np.arange(24.0).reshape(12, 2), labels)

    def loader(index_type):
        batches = IndexBatchSampler(
            RebalanceSampler(labels, seed=0), 5, index_type=index_type
        )
        return DataLoader(dataset, sampler=batches, batch_size=None)

    with pytest.raises(TypeError, match="index_type='numpy'"):
        next(iter(loader("tensor")))
    rows = [len(y) for _, y in loader("numpy")]
    assert rows == [5, 5, 5, 3]
