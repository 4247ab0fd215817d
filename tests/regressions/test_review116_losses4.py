"""Review 116 (losses4): white-box audit of the non-focal losses of
``rebalance.torch.losses`` (class-weighted CE/BCE, class-scaled CE and its Caffe
alias, margin CE, logit-adjusted and balanced-softmax CE, ``adjust_logits`` and
OHEM), each checked against a direct formula or torch's own weighted kernels:
reductions with weights, ignore_index (default, custom, all ignored), label
smoothing, soft targets, K-dimensional inputs, zero counts, state_dict round trips
and float64 gradients. No bug was found; these pins keep the verified behaviour.
"""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
L = pytest.importorskip("rebalance.torch.losses")

W = [1.0, 2.0, 3.0]
COUNTS = [50, 30, 2]


def _data(dtype=torch.float64):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 3, generator=gen, dtype=dtype)
    t = torch.tensor([0, 1, 2, -100, 1])
    return x, t


def _log_prior(dtype=torch.float64):
    counts = torch.tensor(COUNTS, dtype=dtype)
    return torch.log(counts / counts.sum())


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_learnable_class_weights_match_torch_weighted_cross_entropy(
    reduction, smoothing
):
    x, t = _data()
    w = torch.tensor(W, dtype=torch.float64)
    ref = F.cross_entropy(
        x, t, weight=w, reduction=reduction, label_smoothing=smoothing
    )
    got = L.class_weighted_cross_entropy(
        x,
        t,
        w.clone().requires_grad_(),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    torch.testing.assert_close(got.detach(), ref)


def test_learnable_class_weights_soft_kdim_targets_match_torch():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 2, 2, generator=gen, dtype=torch.float64)
    p = torch.softmax(torch.randn(2, 3, 2, 2, generator=gen, dtype=torch.float64), 1)
    w = torch.tensor(W, dtype=torch.float64)
    ref = F.cross_entropy(x, p, weight=w, label_smoothing=0.2)
    got = L.class_weighted_cross_entropy(
        x, p, w.clone().requires_grad_(), label_smoothing=0.2
    )
    torch.testing.assert_close(got.detach(), ref)


def test_all_ignored_weighted_mean_is_nan_as_in_torch_both_paths():
    x, _ = _data()
    t = torch.full((5,), -100)
    w = torch.tensor(W, dtype=torch.float64)
    assert torch.isnan(F.cross_entropy(x, t, weight=w))
    assert torch.isnan(L.class_weighted_cross_entropy(x, t, w))
    assert torch.isnan(L.class_weighted_cross_entropy(x, t, w.clone().requires_grad_()))


def test_custom_in_range_ignore_index_with_smoothing_matches_torch():
    x, _ = _data()
    t = torch.tensor([0, 1, 2, 2, 1])
    w = torch.tensor(W, dtype=torch.float64)
    ref = F.cross_entropy(x, t, weight=w, ignore_index=2, label_smoothing=0.1)
    got = L.class_weighted_cross_entropy(
        x, t, w.clone().requires_grad_(), ignore_index=2, label_smoothing=0.1
    )
    torch.testing.assert_close(got.detach(), ref)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_class_weighted_bce_is_bce_times_class_weight(reduction):
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(6, generator=gen, dtype=torch.float64)
    y = torch.tensor([1.0, 0, 1, 0, 0.3, 1], dtype=torch.float64)
    per = F.binary_cross_entropy_with_logits(x, y, reduction="none") * (3 * y + (1 - y))
    ref = {"none": per, "sum": per.sum(), "mean": per.mean()}[reduction]
    got = L.class_weighted_binary_cross_entropy(
        x, y, {0: 1.0, 1: 3.0}, reduction=reduction
    )
    torch.testing.assert_close(got, ref)


@pytest.mark.parametrize(
    "priors", [COUNTS, np.array(COUNTS), torch.tensor(COUNTS)], ids=["list", "np", "t"]
)
def test_logit_adjusted_is_ce_on_logits_plus_tau_log_prior(priors):
    tau = 0.5
    x, t = _data()
    ref = F.cross_entropy(x + tau * _log_prior(), t, label_smoothing=0.1)
    got = L.logit_adjusted_cross_entropy(x, t, priors, tau=tau, label_smoothing=0.1)
    torch.testing.assert_close(got, ref)


def test_balanced_softmax_and_adjust_logits_formulas():
    x, t = _data()
    log_n = torch.log(torch.tensor(COUNTS, dtype=torch.float64))
    torch.testing.assert_close(
        L.balanced_softmax_cross_entropy(x, t, COUNTS), F.cross_entropy(x + log_n, t)
    )
    torch.testing.assert_close(L.adjust_logits(x, COUNTS), x - _log_prior())


@pytest.mark.parametrize(
    "counts", [[5, 0, 3], np.array([5, 0, 3]), torch.tensor([5.0, 0, 3])]
)
def test_zero_class_count_is_refused_naming_the_argument(counts):
    x, t = _data()
    with pytest.raises(ValueError, match="class_counts"):
        L.balanced_softmax_cross_entropy(x, t, counts)


def test_margin_and_class_scaled_match_direct_formulas():
    x, t = _data()
    valid = t != -100
    log_py = torch.log_softmax(x, 1).gather(1, t.clamp(min=0)[:, None])[:, 0]
    m = 0.6
    margin = torch.where(valid, -(log_py < np.log(m)).double() * log_py, 0.0)
    torch.testing.assert_close(
        L.margin_cross_entropy(x, t, margin=m, reduction="none"), margin
    )
    torch.testing.assert_close(L.margin_cross_entropy(x, t, margin=m), margin.sum() / 4)
    scaled = torch.where(valid, -log_py * torch.where(t == 1, 2.5, 1.0), 0.0)
    torch.testing.assert_close(
        L.class_scaled_cross_entropy(x, t, class_index=1, scale=2.5), scaled.sum() / 4
    )
    torch.testing.assert_close(
        L.weighted_softmax_loss(x, t, 2.5, 1, reduction="none"), scaled
    )


def test_gradcheck_learnable_priors_tau_and_class_weights():
    x, t = _data()
    x.requires_grad_()
    priors = torch.tensor(COUNTS, dtype=torch.float64, requires_grad=True)
    tau = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b, c: L.logit_adjusted_cross_entropy(a, t, b, tau=c), (x, priors, tau)
    )
    assert torch.autograd.gradcheck(
        lambda a, b: L.class_weighted_cross_entropy(a, t, b, label_smoothing=0.2),
        (x, w),
    )


def test_ohem_loss_kdim_with_ignore_index_matches_direct_top_k():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, 2, 2, generator=gen)
    t = torch.randint(0, 3, (2, 2, 2), generator=gen)
    t[0, 0, 0] = -100
    ce = F.cross_entropy(x, t, reduction="none").reshape(-1)
    kept = ce[(t != -100).reshape(-1)]
    ref = kept.topk(int(np.ceil(kept.numel() / 2))).values.mean()
    torch.testing.assert_close(L.OHEMLoss(top_k=0.5)(x, t), ref)
    assert L.OHEMLoss(top_k=0.5)(x, torch.full_like(t, -100)).item() == 0.0


def test_state_dict_round_trips_including_torch_cross_entropy_loss():
    x, t = _data(torch.float32)
    t = t.clamp(min=0)
    src = L.LogitAdjustedCrossEntropyLoss(torch.tensor([5.0, 3.0, 2.0]), tau=0.5)
    dst = L.LogitAdjustedCrossEntropyLoss(torch.ones(3), tau=0.5)
    dst.load_state_dict(src.state_dict())
    torch.testing.assert_close(dst(x, t), src(x, t))
    buf = io.BytesIO()
    torch.save(torch.nn.CrossEntropyLoss(weight=torch.tensor(W)).state_dict(), buf)
    buf.seek(0)
    weighted = L.ClassWeightedCrossEntropyLoss(torch.ones(3))
    weighted.load_state_dict(torch.load(buf))
    torch.testing.assert_close(
        weighted(x, t), F.cross_entropy(x, t, weight=torch.tensor(W))
    )
