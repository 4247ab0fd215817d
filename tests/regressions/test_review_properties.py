"""Regression tests from the property-based review of ResampledClassifier,
ThresholdMover and the non-focal torch losses.

Each test fails on the reviewed code and passes once its bug is fixed.
"""

import pytest


@pytest.mark.parametrize("fraction, n, kept", [(0.55, 100, 55), (0.07, 100, 7)])
def test_ohem_fractional_top_k_is_not_rounded_up_past_an_exact_count(fraction, n, kept):
    # top_k as a fraction keeps ceil(fraction * n) rows: 0.55 of 100 is 55, not 56.
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import OHEMLoss, ohem_loss

    _, idx = ohem_loss(torch.arange(float(n)), top_k=fraction, return_indices=True)
    assert idx.numel() == kept
    logits = torch.zeros(n, 2)
    _, idx = OHEMLoss(top_k=fraction, return_indices=True)(
        logits, torch.zeros(n).long()
    )
    assert idx.numel() == kept


@pytest.mark.parametrize("form", ["list", "tensor"])
def test_class_weighted_cross_entropy_keeps_float64_class_weights(form):
    # With float64 logits the loss equals cross_entropy(weight=float64 weights) to
    # float64 precision (the weights are not rounded to float32 first).
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from rebalance.torch.losses import class_weighted_cross_entropy

    logits = torch.tensor([[1.541, -0.2934], [0.3, 0.1]], dtype=torch.float64)
    target = torch.tensor([1, 0])
    weight = torch.tensor([1 / 3, 0.1], dtype=torch.float64)
    given = weight.tolist() if form == "list" else weight
    got = class_weighted_cross_entropy(logits, target, given)
    expected = F.cross_entropy(logits, target, weight=weight)
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)


def test_class_weighted_binary_cross_entropy_keeps_float64_class_weights():
    # With float64 logits each element's loss is (w1 y + w0 (1 - y)) * BCE in float64,
    # the weights not rounded to float32 first.
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from rebalance.torch.losses import class_weighted_binary_cross_entropy

    logits = torch.tensor([1.541, -0.3], dtype=torch.float64)
    target = torch.tensor([1.0, 0.0], dtype=torch.float64)
    w0, w1 = 1 / 3, 0.1
    got = class_weighted_binary_cross_entropy(
        logits, target, [w0, w1], reduction="none"
    )
    weight = w1 * target + w0 * (1 - target)
    expected = F.binary_cross_entropy_with_logits(
        logits, target, weight=weight, reduction="none"
    )
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)


def test_binary_margin_cross_entropy_keeps_float64_soft_targets():
    # Binary margin CE with float64 logits and soft targets follows its docstring
    # formula in float64 (the targets are not rounded to float32).
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from rebalance.torch.losses import margin_cross_entropy

    logits = torch.tensor([1.541, -0.3], dtype=torch.float64)
    y = torch.tensor([0.0726, 0.3], dtype=torch.float64)
    p = torch.sigmoid(logits)
    keep_pos = (p < 0.55).double()
    keep_neg = (p > 0.45).double()
    expected = -keep_pos * y * F.logsigmoid(logits) - keep_neg * (1 - y) * F.logsigmoid(
        -logits
    )
    got = margin_cross_entropy(logits, y, margin=0.55, reduction="none")
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("loss", ["class_weighted", "logit_adjusted"])
def test_soft_targets_with_an_ignore_index_raise_a_value_error(loss):
    # Bad input raises TypeError/ValueError naming the argument (module docstring),
    # not torch's RuntimeError, for probability targets with ignore_index != -100.
    torch = pytest.importorskip("torch")
    from rebalance.torch import losses

    logits = torch.randn(3, 4)
    probabilities = torch.softmax(torch.randn(3, 4), dim=1)
    function = {
        "class_weighted": losses.class_weighted_cross_entropy,
        "logit_adjusted": losses.logit_adjusted_cross_entropy,
    }[loss]
    with pytest.raises((ValueError, TypeError), match="ignore_index"):
        function(logits, probabilities, [1.0, 1.0, 1.0, 1.0], ignore_index=255)
