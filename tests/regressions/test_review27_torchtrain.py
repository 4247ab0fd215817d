"""Review 27, torchtrain: rebalance's torch samplers and loaders in training code."""

import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import Subset, TensorDataset  # noqa: E402

from rebalance.torch import BalancedBatchSampler, RebalancedLoader  # noqa: E402

_LABELS = [0] * 12 + [1] * 4


@pytest.mark.parametrize("subset", [False, True])
@pytest.mark.parametrize("kind", ["meta", "sparse"])
def test_rebalanced_loader_refuses_label_tensors_without_plain_values(kind, subset):
    # Before: a meta-device label tensor (a model's targets built under
    # torch.device("meta")) raised torch's NotImplementedError "Cannot copy out
    # of meta tensor", and sparse labels torch's own errors, from deep inside
    # RebalancedLoader; the samplers given the same tensor say what to do.
    y = torch.tensor(_LABELS)
    y = y.to("meta") if kind == "meta" else y.to_sparse()
    dataset = TensorDataset(torch.arange(16), y)
    if subset:
        dataset = Subset(dataset, range(2, 16))
    error = ValueError if kind == "meta" else TypeError
    with pytest.raises(error, match="labels is a tensor"):
        RebalancedLoader(seed=0)(dataset, batch_size=4)


def test_labels_from_returning_a_meta_tensor_is_refused():
    dataset = TensorDataset(torch.arange(16), torch.tensor(_LABELS))
    make = RebalancedLoader(
        BalancedBatchSampler, labels_from=lambda d: torch.empty(16, device="meta")
    )
    with pytest.raises(ValueError, match="meta device"):
        make(dataset, batch_size=4)
