"""Review 94 (peers3): peer projects' own test cases run against rebalance.

PyTorch's DistributedSampler padding/drop_last split, imbalanced-learn's
geometric-mean cases, scikit-learn's compute_class_weight /
compute_sample_weight, and torchvision's sigmoid focal loss formula.
No disagreement found; these pin the verified agreement.
"""

import warnings

import numpy as np
import pytest

from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torchvision_focal(x, t, alpha=0.25, gamma=2.0, reduction="none"):
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None and alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


@pytest.mark.parametrize("n_rows", [2, 7, 11])
@pytest.mark.parametrize("num_replicas", [2, 3, 5])
@pytest.mark.parametrize("drop_last", [False, True])
def test_rank_split_matches_distributed_sampler(n_rows, num_replicas, drop_last):
    from torch.utils.data import DistributedSampler

    from rebalance.torch import RebalanceSampler

    labels = np.arange(n_rows) % 2
    whole = RebalanceSampler(labels, num_replicas=1, rank=0)
    whole.set_epoch(0)
    epoch = list(whole)
    if drop_last and len(epoch) < num_replicas:
        pytest.skip("rebalance refuses an epoch smaller than num_replicas")
    for rank in range(num_replicas):
        reference = DistributedSampler(
            range(len(epoch)),
            num_replicas=num_replicas,
            rank=rank,
            shuffle=False,
            drop_last=drop_last,
        )
        sampler = RebalanceSampler(
            labels, num_replicas=num_replicas, rank=rank, drop_last=drop_last
        )
        sampler.set_epoch(0)
        got = list(sampler)
        assert got == [epoch[i] for i in reference]
        assert len(sampler) == len(got) == len(reference)


@pytest.mark.parametrize("rank", [-1, 2])
def test_rank_out_of_range_is_value_error(rank):
    from rebalance.torch import RebalanceSampler

    with pytest.raises(ValueError, match="rank"):
        RebalanceSampler([0, 1, 0, 1], num_replicas=2, rank=rank)


def test_set_epoch_is_deterministic():
    from rebalance.torch import RebalanceSampler

    labels = [0, 0, 0, 1, 1, 2] * 5
    first = RebalanceSampler(labels, num_replicas=2, rank=0)
    second = RebalanceSampler(labels, num_replicas=2, rank=0)
    first.set_epoch(3)
    second.set_epoch(3)
    assert list(first) == list(second)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [0, 1, 1, 0], 0.5),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 0.0),
        ([0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], (0.5 * 0.75) ** 0.5),
    ],
)
def test_g_mean_imblearn_cases(y_true, y_pred, expected):
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected)


def test_g_mean_imblearn_sample_weight_case():
    got = g_mean_score(
        [0, 1, 2, 0, 1, 2],
        [0, 1, 1, 0, 0, 1],
        labels=[0, 1],
        sample_weight=[1, 2, 1, 1, 2, 1],
    )
    assert got == pytest.approx(0.7071067811865476)


@pytest.mark.parametrize(
    "y",
    [
        [2, 2, 2, 3, 3, 4],
        ["a", "a", "b"],
        [-1, -1, 0, 1, 1, 1],
        [True, False, False],
    ],
)
def test_balanced_weights_match_sklearn(y):
    from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

    classes = np.unique(y)
    expected = compute_class_weight("balanced", classes=classes, y=np.asarray(y))
    got = class_weights(y)
    assert list(got) == classes.tolist()
    np.testing.assert_allclose(list(got.values()), expected)
    np.testing.assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("alpha", [0.25, None])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_sigmoid_focal_matches_torchvision_formula(reduction, alpha, gamma):
    from rebalance.torch.losses import sigmoid_focal_loss

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 5, generator=gen, dtype=torch.float64) * 6
    t = torch.randint(0, 2, (4, 5), generator=gen).double()
    got = sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction=reduction)
    expected = _torchvision_focal(x, t, alpha, gamma, reduction)
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)


def test_sigmoid_focal_gamma0_no_alpha_is_bce_and_gradcheck():
    from rebalance.torch.losses import sigmoid_focal_loss

    gen = torch.Generator().manual_seed(1)
    x = (torch.randn(6, 3, generator=gen, dtype=torch.float64) * 3).requires_grad_()
    t = torch.randint(0, 2, (6, 3), generator=gen).double()
    bce = F.binary_cross_entropy_with_logits(x, t)
    torch.testing.assert_close(sigmoid_focal_loss(x, t, alpha=None, gamma=0.0), bce)
    assert torch.autograd.gradcheck(
        lambda z: sigmoid_focal_loss(z, t, gamma=2.0, reduction="sum"), (x,)
    )


def test_sigmoid_focal_half_precision_returns_float32():
    from rebalance.torch.losses import sigmoid_focal_loss

    gen = torch.Generator().manual_seed(2)
    x = torch.randn(64, generator=gen) * 8
    t = torch.randint(0, 2, (64,), generator=gen).float()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = sigmoid_focal_loss(x.half(), t.half())
    expected = _torchvision_focal(x.half().double(), t.double(), reduction="mean")
    assert got.dtype == torch.float32
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)
