"""Review 32 (torch): samplers and loaders used as users and fuzzers do.

Each test failed on the reviewed code."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # the torch extra is optional

from torch.utils.data import DataLoader, Subset, TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

LABELS = torch.tensor([0] * 10 + [1] * 3 + [2] * 5)
ROWS = np.array([1, 2, 3, 11, 12, 14, 15])  # e.g. sklearn's split indices


FITS = {"ndarray": ("numpy", "list"), "list": ("list",), "range": ("list",)}
FITS["tensor"] = ("tensor", "numpy")


@pytest.mark.parametrize(
    "kind, indices",
    [
        ("ndarray", ROWS),
        ("list", ROWS.tolist()),
        ("range", range(8, 15)),
        ("tensor", torch.as_tensor(ROWS)),
    ],
)
@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_index_batches_on_a_subset_keep_their_rows_or_say_what_to_do(
    kind, indices, index_type
):
    # Before: a Subset with numpy indices (sklearn's split indices) read the
    # default index tensor of a one-row batch (here the last one) as a
    # scalar: that batch came without its batch dimension, shape () instead
    # of (1,), silently. Tensor indices with index_type="list" were read as
    # a multi-dimensional index; list indices with index tensors failed on
    # torch's "only integer tensors of a single element".
    X = torch.arange(18) * 10
    subset = Subset(TensorDataset(X, LABELS), indices)
    rows = torch.as_tensor(np.asarray(indices))
    labels = LABELS[rows]
    reference = RebalanceSampler(labels, seed=3)
    sampler = IndexBatchSampler(
        RebalanceSampler(labels, seed=3), 4, index_type=index_type
    )
    loader = DataLoader(subset, sampler=sampler, batch_size=None)
    if index_type not in FITS[kind]:
        fix = f"index_type='{FITS[kind][0]}'"
        with pytest.raises(TypeError, match=rf"Subset \(indices: .*{fix}"):
            next(iter(loader))
        return
    batches = list(loader)
    assert len(reference) % 4 == 1  # the last batch holds one row
    assert [tuple(x.shape) for x, _ in batches][-1] == (1,)
    got = torch.cat([x for x, _ in batches])
    assert got.tolist() == X[rows[list(reference)]].tolist()


def test_index_batches_on_subsets_no_type_reads_say_what_to_do():
    dataset = TensorDataset(torch.arange(18), LABELS)
    inner = Subset(dataset, torch.arange(18))
    outer = Subset(inner, list(range(18)))
    loader = DataLoader(
        outer, sampler=IndexBatchSampler(RebalanceSampler(LABELS), 4), batch_size=None
    )
    with pytest.raises(TypeError, match=r"Give every Subset tensor indices"):
        next(iter(loader))


def test_rebalanced_loader_whose_drop_last_empties_every_epoch_is_refused():
    # Before: undersampled to 6 rows per epoch, skorch's
    # iterator_train__drop_last=True with batch_size=8 gave empty epochs.
    labels = torch.tensor([0] * 30 + [1] * 3)
    dataset = TensorDataset(torch.arange(33), labels)
    make_loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    with pytest.raises(ValueError, match=r"6 indices.*batch_size=8.*drop_last"):
        make_loader(dataset, batch_size=8, drop_last=True)
    assert len(make_loader(dataset, batch_size=6, drop_last=True)) == 1
    assert len(make_loader(dataset, batch_size=8)) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda v: v.to("meta"),
        lambda v: v.to_sparse(),
    ],
    ids=["meta", "sparse"],
)
@pytest.mark.parametrize("which", ["indices", "losses"])
def test_hard_example_update_refuses_tensors_without_values(make, which):
    # Before: NotImplementedError "Cannot copy out of meta tensor; no data!"
    # or "can't convert Sparse layout tensor to numpy", naming no argument.
    sampler = HardExampleSampler(RebalanceSampler(LABELS), pool_size=3)
    ids, losses = torch.tensor([0, 1]), torch.tensor([1.0, 2.0])
    args = {"indices": ids, "losses": losses}
    args[which] = make(args[which])
    with pytest.raises((TypeError, ValueError), match=rf"^{which} is a tensor"):
        sampler.update(**args)
    assert sampler.pool_ids.shape == (0,)
