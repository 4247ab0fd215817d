"""Review 33, losses: regression tests (each failed before its fix)."""

import re

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch.losses import OHEMLoss, SigmoidFocalLoss  # noqa: E402


def _binary_batch():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 3, generator=gen)
    target = (torch.rand(8, 3, generator=gen) > 0.5).float()
    target[:4] = -1.0  # half the batch ignored by the criterion
    return logits, target


@pytest.mark.parametrize("own", [-1.0, torch.tensor(-1.0)])
def test_ohem_criterion_float_ignore_index_mismatch_raises(own):
    # A sigmoid criterion takes a float ignore_index (-1.0): the mismatch
    # check read ints only, so its ignored entries (loss 0) counted as easy
    # samples in OHEM's top_k fraction and mean, silently diluting the loss.
    criterion = SigmoidFocalLoss(reduction="none", ignore_index=own)
    with pytest.raises(ValueError, match="ignore_index=-1"):
        OHEMLoss(criterion, top_k=0.5)
    logits, target = _binary_batch()
    matched = OHEMLoss(criterion, top_k=0.5, ignore_index=-1)
    per_element = criterion(logits[4:], target[4:]).reshape(-1)
    expected = per_element.topk(6).values.mean()
    assert torch.allclose(matched(logits, target), expected)
    OHEMLoss(criterion, top_k=0.5, ignore_index=None)(logits, target)


def test_ohem_criterion_fractional_ignore_index_raises():
    # OHEMLoss's ignore_index is an integer: it cannot mark the entries a
    # criterion ignores at -0.5, which counted as easy samples silently.
    criterion = SigmoidFocalLoss(reduction="none", ignore_index=-0.5)
    with pytest.raises(ValueError, match="-0.5"):
        OHEMLoss(criterion, top_k=0.5)
    OHEMLoss(criterion, top_k=0.5, ignore_index=None)


def test_ohem_repr_shows_its_options():
    # repr(OHEMLoss(top_k=0.5)) was "OHEMLoss()": the options that decide
    # which samples count did not show (in a model summary, a log).
    import functools

    from torch.nn import functional as F

    assert repr(OHEMLoss(top_k=0.5)) == "OHEMLoss(top_k=0.5)"
    shown = repr(
        OHEMLoss(threshold=0.7, min_kept=16, return_indices=True, ignore_index=255)
    )
    assert shown == (
        "OHEMLoss(threshold=0.7, min_kept=16, return_indices=True, ignore_index=255)"
    )
    partial = functools.partial(F.cross_entropy, reduction="none")
    assert repr(OHEMLoss(partial, top_k=3)) == (
        "OHEMLoss(criterion=partial(cross_entropy, reduction='none'), top_k=3)"
    )
    # A Module criterion shows as a child, as nn.Module prints it.
    shown = repr(OHEMLoss(SigmoidFocalLoss(reduction="none"), top_k=3))
    assert shown.startswith("OHEMLoss(\n  top_k=3\n  (criterion): SigmoidFocalLoss(")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"top_k": 0.5},
        {"top_k": 15000},
        {"threshold": 1.0},
        {"top_k": 0.5, "valid": True},
    ],
)
def test_ohem_half_precision_losses_mean_does_not_overflow(kwargs):
    # float16 per-sample losses (a half model's criterion) were summed in
    # float16: past 65504 the sum, and so the OHEM loss, was inf (here 8.0
    # each over 10000 kept pixels); bfloat16 sums lost their low bits.
    from rebalance.torch.losses import ohem_loss

    n = 20_000
    kwargs = dict(kwargs)
    if kwargs.pop("valid", False):
        kwargs["valid"] = torch.ones(n, dtype=torch.bool)
    losses = torch.full((n,), 8.0, dtype=torch.float16, requires_grad=True)
    loss = ohem_loss(losses, **kwargs)
    assert loss.dtype == torch.float16
    assert loss.item() == 8.0
    loss.backward()
    kept = losses.grad[losses.grad != 0]
    assert torch.isfinite(losses.grad).all()
    torch.testing.assert_close(
        kept.float(), torch.full_like(kept.float(), 1 / kept.numel()), rtol=1e-3, atol=0
    )
    gen = torch.Generator().manual_seed(0)
    values = (torch.rand(n, generator=gen) + 1).bfloat16()
    expected = values.double().mean().to(torch.bfloat16)
    assert ohem_loss(values, top_k=1.0) == expected
    assert (
        ohem_loss(values, top_k=1.0, valid=torch.ones(n, dtype=torch.bool)) == expected
    )


def _device_mismatch_calls(x, t, y):
    from rebalance.torch import losses as L

    return {
        "sigmoid_focal": lambda: L.sigmoid_focal_loss(x, y),
        "softmax_focal": lambda: L.softmax_focal_loss(x, t),
        "softmax_focal_soft": lambda: L.softmax_focal_loss(x, y),
        "class_weighted_ce": lambda: L.class_weighted_cross_entropy(x, t, [1, 2, 3]),
        "class_weighted_bce": lambda: L.class_weighted_binary_cross_entropy(
            x, y, [1, 2]
        ),
        "margin": lambda: L.margin_cross_entropy(x, t),
        "class_scaled": lambda: L.class_scaled_cross_entropy(
            x, t, class_index=0, scale=2.0
        ),
        "logit_adjusted": lambda: L.logit_adjusted_cross_entropy(x, t, [1, 2, 3]),
        "ohem": lambda: L.OHEMLoss(top_k=0.5)(x, t),
    }


@pytest.mark.parametrize("name", list(_device_mismatch_calls(None, None, None)))
def test_target_on_another_device_than_logits_raises(name):
    # The fused focal losses ran their CPU kernels on a target of another
    # device (here meta, standing in for a CUDA target the user forgot to
    # move): they read memory that was not the target's and returned a
    # garbage loss (e.g. -8e35); the other losses raised torch's internal
    # "not on the expected device" error.
    x = torch.randn(4, 3)
    t = torch.tensor([0, 1, 2, 1], device="meta")
    y = torch.full((4, 3), 0.5, device="meta")
    with pytest.raises(ValueError, match=r"target is on meta.*target\.to\("):
        _device_mismatch_calls(x, t, y)[name]()


def test_fused_ops_refuse_tensors_on_another_device():
    # torch.ops.rebalance.* are public: their kernels read the target, the
    # positive weights and the class weights by the logits' sizes.
    x = torch.randn(4, 3)
    y = torch.full((4, 3), 0.5)
    meta = torch.ones(3, device="meta")
    ops = torch.ops.rebalance
    args = (0.25, 2.0, None, "mean", False, True)
    with pytest.raises(ValueError, match="target is on meta"):
        ops.sigmoid_focal(x, y.to("meta"), None, *args)
    with pytest.raises(ValueError, match="pos_weight is on meta"):
        ops.sigmoid_focal(x, y, meta, *args)
    t = torch.tensor([0, 1, 2, 1])
    args = (2.0, -100, 0.0, "mean", False, True)
    with pytest.raises(ValueError, match="target is on meta"):
        ops.softmax_focal(x, t.to("meta"), None, *args)
    with pytest.raises(ValueError, match="alpha is on meta"):
        ops.softmax_focal(x, t, meta, *args)


def test_ohem_criterion_broadcasting_target_against_logits_raises():
    # A criterion broadcasting a (N, 1) target against (N,) logits returns
    # (N, N) "per-sample" losses (N * N pairs of unrelated rows): OHEM kept
    # the hardest of those pairs, a silently wrong loss.
    from torch import nn

    x = torch.randn(6)
    y = torch.rand(6, 1)
    with pytest.raises(ValueError, match=r"broadcast.*view_as\(logits\)"):
        OHEMLoss(lambda a, b: (a - b) ** 2, top_k=0.5)(x, y)
    # losses of logits' or target's size stay fine: per element, per row,
    # per pixel, or a pairwise loss of (N, N) logits
    ok = OHEMLoss(lambda a, b: (a - b) ** 2, top_k=0.5)
    ok(x, y.view(6))
    OHEMLoss(nn.BCEWithLogitsLoss(reduction="none"), top_k=0.5)(
        torch.randn(4, 3), torch.rand(4, 3)
    )
    OHEMLoss(top_k=0.5)(torch.randn(2, 3, 4, 4), torch.randint(0, 3, (2, 4, 4)))
    pairwise = OHEMLoss(lambda a, b: a - b[:, None], top_k=0.5, ignore_index=None)
    pairwise(torch.randn(5, 5), torch.randn(5))


@pytest.mark.parametrize(
    "logits_shape, target_shape, fix",
    [
        ((2, 3, 4, 4), (2, 1, 4, 4), "target.squeeze(1)"),
        ((4, 3), (4, 1), "target.squeeze(1)"),
    ],
)
def test_class_index_target_with_a_channel_dim_says_how_to_drop_it(
    logits_shape, target_shape, fix
):
    # A segmentation mask loaded as (N, 1, H, W) (or labels as (N, 1)) was
    # refused without saying the fix, unlike the one-hot case.
    from rebalance.torch.losses import class_weighted_cross_entropy, softmax_focal_loss

    x = torch.randn(logits_shape)
    t = torch.zeros(target_shape, dtype=torch.long)
    for call in (
        lambda: softmax_focal_loss(x, t),
        lambda: class_weighted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
        lambda: OHEMLoss(top_k=0.5)(x, t),
    ):
        with pytest.raises(ValueError, match="must have shape .*" + re.escape(fix)):
            call()
