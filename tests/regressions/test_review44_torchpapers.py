"""Review 44 (torch, long-tailed-recognition papers): the losses and samplers
as a researcher reproducing LDAM-DRW, balanced softmax, logit adjustment,
class-balanced focal loss and cRT uses them."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import (  # noqa: E402
    BalancedSoftmaxCrossEntropyLoss,
    ClassWeightedCrossEntropyLoss,
    LogitAdjustedCrossEntropyLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    softmax_focal_loss,
)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (
            lambda: ClassWeightedCrossEntropyLoss(torch.tensor([0.5, 1.7e5])),
            "class_weight",
        ),
        (lambda: LogitAdjustedCrossEntropyLoss(torch.tensor([7e4, 5.0])), "priors"),
        (
            lambda: BalancedSoftmaxCrossEntropyLoss(torch.tensor([7e4, 5.0])),
            "class_counts",
        ),
        (lambda: SoftmaxFocalLoss(alpha=torch.tensor([1e5, 1.0])), "alpha"),
        (lambda: SigmoidFocalLoss(pos_weight=torch.tensor([1e5])), "pos_weight"),
    ],
)
def test_buffer_overflowed_by_half_names_the_conversion(make, name):
    # class_weights(y) of 1e6 rows with a class of 3 gives 1.7e5; counts of a
    # big class exceed 65504. module.half() (or Lightning's "16-true") turns
    # the buffer into inf; the error used to say the values must be finite
    # "in torch.float32, the dtype it is used in", which they are.
    criterion = make().half()
    logits = torch.zeros(2, 2) if name != "pos_weight" else torch.zeros(2, 1)
    target = torch.tensor([0, 1]) if name != "pos_weight" else torch.ones(2, 1)
    with pytest.raises(
        ValueError, match=rf"{name} .*inf in its own dtype torch.float16"
    ):
        criterion(logits, target)
    # The fix it names works: the values set again, in float32.
    value = make()._buffers[name]
    setattr(criterion, name, value)
    assert torch.isfinite(criterion(logits, target))


def test_class_weights_of_a_split_without_a_class_names_the_class():
    # A long-tailed split often lacks the rarest class: class_weights(y) of
    # it has no key for that class. The error named the keys only.
    from rebalance import class_weights

    y = np.array([0] * 50 + [1] * 5 + [3] * 2)  # class 2 absent
    logits, target = torch.zeros(3, 4), torch.tensor([0, 1, 3])
    with pytest.raises(
        ValueError, match=r"got keys \[0, 1, 3\]; no entry for class 2 "
    ):
        ClassWeightedCrossEntropyLoss(class_weights(y))
    with pytest.raises(
        ValueError, match=r"0\.\.3, got keys \[0, 1, 3\]; no entry for class 2 "
    ):
        softmax_focal_loss(logits, target, alpha=class_weights(y))
    last_missing = class_weights(np.array([0] * 9 + [1] * 3 + [2]))
    with pytest.raises(
        ValueError, match=r"0\.\.3, got keys \[0, 1, 2\]; no entry for class 3 "
    ):
        ClassWeightedCrossEntropyLoss(last_missing)(logits, target)


def test_zero_count_in_a_tensor_names_the_class():
    # torch.bincount(labels, minlength=C) of a split without class 2: the
    # error said the counts must be > 0, not which one is not.
    counts = torch.bincount(torch.tensor([0] * 50 + [1] * 5 + [3] * 2), minlength=4)
    logits, target = torch.zeros(3, 4), torch.tensor([0, 1, 3])
    with pytest.raises(ValueError, match=r"got 0\.0 at class 2$"):
        BalancedSoftmaxCrossEntropyLoss(counts)(logits, target)
    with pytest.raises(ValueError, match=r"got nan, -1\.0 at class 1, 2$"):
        weight = torch.tensor([1.0, float("nan"), -1.0, 1.0])
        ClassWeightedCrossEntropyLoss(weight)(logits, target)
