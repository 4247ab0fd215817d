"""Review 2 (losses): regression tests from fuzzing the torch losses against
float64 reference formulas written in plain torch.

Each test fails on the reviewed code and passes once its bug is fixed.
"""

import math

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch.losses import (  # noqa: E402
    OHEMLoss,
    class_scaled_cross_entropy,
    sigmoid_focal_loss,
    softmax_focal_loss,
    weighted_softmax_loss,
)


def _segmentation_batch():
    """8 rows of 3-class logits, 4 of them ignored (-100, cross_entropy's
    default ignore_index, which OHEMLoss's default criterion honours)."""
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 3, generator=g, dtype=torch.float64)
    target = torch.tensor([0, -100, 2, -100, 1, -100, -100, 2])
    return logits, target


# --------------------------------------------------------------------------
# OHEM with ignored rows
# --------------------------------------------------------------------------
def test_ohem_keeping_the_whole_batch_is_the_mean_over_the_non_ignored_rows():
    # OHEMLoss's default criterion is cross_entropy, which gives ignored rows
    # (target -100) a loss of 0. Keeping every row (top_k=1.0, or a count at
    # least the number of valid rows) must give cross_entropy's own mean over
    # the non-ignored rows, as the segmentation OHEM losses (HRNet's
    # OhemCrossEntropy, mmseg's OHEMPixelSampler) do; ours divides by the
    # number of kept rows *including* the ignored ones, halving the loss here.
    logits, target = _segmentation_batch()
    expected = F.cross_entropy(logits, target)  # mean over the 4 valid rows
    torch.testing.assert_close(OHEMLoss(top_k=1.0)(logits, target), expected)
    torch.testing.assert_close(OHEMLoss(top_k=8)(logits, target), expected)
    # the same through a focal criterion with reduction='none'
    focal = OHEMLoss(lambda x, t: softmax_focal_loss(x, t, reduction="none"), top_k=1.0)
    torch.testing.assert_close(
        focal(logits, target), softmax_focal_loss(logits, target)
    )


def test_ohem_selects_hard_rows_among_the_non_ignored_ones_only():
    # A fraction is a fraction of the rows that count (ceil(0.5 * 4) = 2 here,
    # not ceil(0.5 * 8) = 4, which keeps 2 ignored rows with loss 0), and
    # min_kept never fills up with ignored rows: the kept indices (reported to
    # a hard-example replay sampler, per the docstring) must not contain rows
    # the user asked to ignore.
    logits, target = _segmentation_batch()
    valid = target != -100
    per_row = F.cross_entropy(logits, target, reduction="none")

    loss, idx = OHEMLoss(top_k=0.5, return_indices=True)(logits, target)
    assert bool(valid[idx].all()), idx.tolist()
    assert idx.numel() == math.ceil(0.5 * int(valid.sum()))
    torch.testing.assert_close(loss, per_row[valid].topk(2).values.mean())

    loss, idx = OHEMLoss(threshold=100.0, min_kept=6, return_indices=True)(
        logits, target
    )
    assert bool(valid[idx].all()), idx.tolist()
    torch.testing.assert_close(loss, per_row[valid].mean())


# --------------------------------------------------------------------------
# float64 logits: class weights / multipliers not rounded to float32
# --------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["scalar", "list", "float64 tensor"])
def test_softmax_focal_alpha_is_not_rounded_to_float32_for_float64_logits(form):
    # The focal losses "compute in float64 for float64 logits" (module
    # docstring); with gamma=0 the softmax focal loss is
    # cross_entropy(weight=alpha) per row, but alpha is turned into a float32
    # vector first (relative error ~3e-8 instead of ~1e-16).
    logits = torch.tensor(
        [[1.541, -0.2934, 0.3], [0.3, 0.1, -2.0]], dtype=torch.float64
    )
    target = torch.tensor([1, 0])
    weights = [1 / 3, 0.1, 0.7] if form != "scalar" else [0.1, 0.1, 0.1]
    alpha = {
        "scalar": 0.1,
        "list": weights,
        "float64 tensor": torch.tensor(weights, dtype=torch.float64),
    }[form]
    got = softmax_focal_loss(logits, target, alpha=alpha, gamma=0.0, reduction="none")
    expected = F.cross_entropy(
        logits,
        target,
        weight=torch.tensor(weights, dtype=torch.float64),
        reduction="none",
    )
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)


def test_sigmoid_focal_pos_weight_given_as_numbers_is_not_rounded_to_float32():
    # pos_weight=[1/3] (numbers, not a tensor) becomes a float32 tensor, so a
    # float64 loss differs from binary_cross_entropy_with_logits(pos_weight=...)
    # at ~1e-9 (a float64 tensor pos_weight is exact).
    logits = torch.tensor([1.541, -0.3], dtype=torch.float64)
    target = torch.tensor([1.0, 0.0], dtype=torch.float64)
    got = sigmoid_focal_loss(
        logits, target, alpha=None, gamma=0.0, pos_weight=[1 / 3], reduction="none"
    )
    expected = F.binary_cross_entropy_with_logits(
        logits,
        target,
        pos_weight=torch.tensor([1 / 3], dtype=torch.float64),
        reduction="none",
    )
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("loss", ["weighted_softmax", "class_scaled"])
def test_class_scale_is_not_rounded_to_float32_for_float64_logits(loss):
    # The per-sample multiplier is built with torch.where(cond, scale, 1.0),
    # which is float32 (torch's default dtype): pos_mult=1/3 on float64 logits
    # is off by ~6e-8 relative.
    logits = torch.tensor(
        [[1.541, -0.2934, 0.3], [0.3, 0.1, -2.0]], dtype=torch.float64
    )
    target = torch.tensor([1, 0])
    if loss == "weighted_softmax":
        got = weighted_softmax_loss(logits, target, 1 / 3, 1, reduction="none")
    else:
        got = class_scaled_cross_entropy(
            logits, target, class_index=1, scale=1 / 3, reduction="none"
        )
    ce = F.cross_entropy(logits, target, reduction="none")
    expected = ce * torch.tensor([1 / 3, 1.0], dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)
