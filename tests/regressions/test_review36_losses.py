"""Review 36 (losses fuzz): argument checks of rebalance.torch.losses found
by fuzzing every public loss on CPU; each test failed before its fix."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import losses  # noqa: E402

LOGITS = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
TARGET = torch.tensor([0, 2])


@pytest.mark.parametrize("dtype", [torch.complex64, torch.bool])
@pytest.mark.parametrize(
    "call",
    [
        lambda v: losses.logit_adjusted_cross_entropy(LOGITS, TARGET, v),
        lambda v: losses.balanced_softmax_cross_entropy(LOGITS, TARGET, v),
        lambda v: losses.adjust_logits(LOGITS, v),
        lambda v: losses.LogitAdjustedCrossEntropyLoss(v),
        lambda v: losses.BalancedSoftmaxCrossEntropyLoss(v),
    ],
    ids=["logit_adjusted", "balanced", "adjust_logits", "LAModule", "BalModule"],
)
def test_complex_or_bool_prior_tensors_raise(call, dtype):
    # Complex priors lost their imaginary part (a warning torch gives once),
    # bool ones were read as counts 1 / 0: both now a TypeError naming them,
    # as class weights and alpha already were.
    with pytest.raises(TypeError, match="priors|class_counts"):
        call(torch.ones(3, dtype=dtype))


@pytest.mark.parametrize(
    "call",
    [
        lambda r: losses.sigmoid_focal_loss(LOGITS, LOGITS.sigmoid(), reduction=r),
        lambda r: losses.softmax_focal_loss(LOGITS, TARGET, reduction=r),
        lambda r: losses.class_weighted_cross_entropy(
            LOGITS, TARGET, [1, 1, 1], reduction=r
        ),
        lambda r: losses.margin_cross_entropy(LOGITS, TARGET, reduction=r),
        lambda r: losses.SoftmaxFocalLoss(reduction=r),
    ],
)
@pytest.mark.parametrize(
    "reduction", [np.array(["mean", "sum"]), np.array(["mean"])], ids=["2", "1"]
)
def test_array_reduction_raises_naming_it(call, reduction):
    # An array's == is elementwise: `reduction in (...)` raised numpy's
    # "truth value of an array is ambiguous" (or let a 1-element array pass).
    with pytest.raises(ValueError, match="reduction must be one of"):
        call(reduction)


@pytest.mark.parametrize(
    "pos_weight", [[np.bool_(True), 2.0], [torch.tensor(True), 1.0]], ids=["np", "0d"]
)
def test_bool_pos_weight_values_raise(pos_weight):
    # Python bools were refused but numpy bools and bool 0-d tensors were
    # read as weights 1.0 / 0.0.
    with pytest.raises(TypeError, match="pos_weight"):
        losses.sigmoid_focal_loss(
            LOGITS[:, :2], LOGITS[:, :2].sigmoid(), pos_weight=pos_weight
        )


def test_real_pos_weight_scalars_still_accepted():
    pw = [np.float32(2.0), torch.tensor(3.0)]
    got = losses.sigmoid_focal_loss(
        LOGITS[:, :2], LOGITS[:, :2].sigmoid(), pos_weight=pw
    )
    want = losses.sigmoid_focal_loss(
        LOGITS[:, :2], LOGITS[:, :2].sigmoid(), pos_weight=torch.tensor([2.0, 3.0])
    )
    torch.testing.assert_close(got, want)
