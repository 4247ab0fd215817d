"""Review 28 (torch samplers and loaders, part 2): regressions."""

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import TensorDataset  # noqa: E402

from rebalance.torch import BalancedBatchSampler, RebalancedLoader  # noqa: E402


def _dataset():
    labels = torch.tensor([0] * 12 + [1] * 4)
    return TensorDataset(torch.arange(16), labels), labels


@pytest.mark.parametrize("call_kwargs", [{}, {"batch_size": None}])
def test_rebalanced_loader_balanced_batches_without_batch_size_says_how(call_kwargs):
    # Was Python's bare "missing 1 required positional argument: 'batch_size'".
    dataset, _ = _dataset()
    make_loader = RebalancedLoader(BalancedBatchSampler, seed=0)
    with pytest.raises(TypeError, match=r"needs a batch_size.*batch_size=64"):
        make_loader(dataset, **call_kwargs)


def test_rebalanced_loader_balanced_batches_batch_size_none_is_not_given():
    # batch_size=None given to RebalancedLoader was compared with the call's
    # batch_size and refused as a second, different batch size.
    dataset, labels = _dataset()
    make_loader = RebalancedLoader(BalancedBatchSampler, batch_size=None, seed=0)
    loader = make_loader(dataset, batch_size=4)
    batches = [y.bincount().tolist() for _, y in loader]
    assert batches == [[2, 2]] * len(loader) and len(batches) == 6
    assert make_loader.sampler_.batch_size == 4
