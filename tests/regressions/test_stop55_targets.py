"""Stop 55 (from review 121 kernels5): a uint64 target above 2**63 - 1 is
refused by every loss that reads class indices or binary labels, naming the
value: ``.long()`` wrapped 2**64 - 100 to -100, the default ignore_index (a
row silently ignored), and 2**64 - 1 to -1 (an error naming -1, a value
never given)."""

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import losses as L  # noqa: E402

WRAPS_TO_IGNORED = 2**64 - 100


def _uint64(values):
    return torch.tensor(values, dtype=torch.int64).view(torch.uint64)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: L.softmax_focal_loss(x, t, reduction="none"),
        lambda x, t: L.logit_adjusted_cross_entropy(x, t, [5, 3, 1]),
        lambda x, t: L.class_weighted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
        lambda x, t: L.balanced_softmax_cross_entropy(x, t, [5, 3, 1]),
    ],
    ids=["softmax_focal", "logit_adjusted", "class_weighted", "balanced_softmax"],
)
def test_uint64_target_beyond_int64_refused(loss):
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    target = _uint64([0, 1, 2, -100])  # the last is 2**64 - 100
    with pytest.raises(ValueError, match=str(WRAPS_TO_IGNORED)):
        loss(x, target)


def test_uint64_binary_label_named_as_given():
    x = torch.randn(4, generator=torch.Generator().manual_seed(0))
    target = _uint64([0, 1, 1, -1])  # 2**64 - 1
    with pytest.raises(ValueError, match=str(2**64 - 1)):
        L.sigmoid_focal_loss(x, target)


def test_uint64_targets_in_range_still_read():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 1], dtype=torch.uint64)
    torch.testing.assert_close(
        L.softmax_focal_loss(x, target, gamma=0.0),
        torch.nn.functional.cross_entropy(x, target.long()),
    )


def test_ohem_with_own_criterion_refuses_wrapped_uint64_target():
    # OHEMLoss compared the target with ignore_index after .long(): the
    # wrapped -100 marked the row as ignored.
    def criterion(logits, target):  # a criterion of one's own, any int dtype
        classes = target.view(torch.int64) % logits.shape[1]
        return torch.nn.functional.cross_entropy(logits, classes, reduction="none")

    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    loss = L.OHEMLoss(criterion, top_k=2)
    with pytest.raises(ValueError, match=str(WRAPS_TO_IGNORED)):
        loss(x, _uint64([0, 1, 2, -100]))
