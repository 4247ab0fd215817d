"""Review 35: what the first run on an H200 found (benchmarks/gpu_smoke.py and
bench_losses.py --device cuda); each test failed before its fix, on the CPU,
by running the device code path here."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from rebalance.torch import _focal_ops, losses  # noqa: E402


def _device_count(monkeypatch):
    # On a device the count of kept targets stays a tensor (no host copy);
    # on the CPU it is a host int. Take the device branch here, and the
    # eager float64 path the device runs (numba is the CPU's own).
    monkeypatch.setattr(_focal_ops, "_count", lambda kept: kept.sum())
    monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", "0")


def _fwd_bwd(fn, x, *args, **kw):
    x = x.detach().clone().requires_grad_()
    out = fn(x, *args, **kw)
    out.backward()
    return out.detach(), x.grad


def _rel(a, b):
    return float((a - b).norm() / b.norm())


@pytest.mark.parametrize("rescale", [False, True])
def test_float64_softmax_mean_with_a_device_count_keeps_float64(monkeypatch, rescale):
    # The mean's 1 / count was `1.0 / count_tensor`: float32 for an integer
    # tensor, so on CUDA float64 logits got a loss and gradient off by 5e-8
    # (float32's rounding), silently.
    _device_count(monkeypatch)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4096, 7, generator=gen, dtype=torch.float64) * 3
    t = torch.randint(0, 7, (4096,), generator=gen)
    t[:50] = -100

    def ref(x, t):
        valid = t != -100
        log_p = torch.log_softmax(x, 1)
        lpt = log_p.gather(1, torch.where(valid, t, 0)[:, None])[:, 0]
        ce = torch.where(valid, -lpt, 0.0)
        fl = torch.where(valid, -((1 - lpt.exp()) ** 2) * lpt, 0.0)
        out = fl.sum() / valid.sum()
        return out * (ce.sum() / fl.sum()).detach() if rescale else out

    lo, go = _fwd_bwd(losses.softmax_focal_loss, x, t, rescale=rescale)
    lr, gr = _fwd_bwd(ref, x, t)
    assert lo.dtype == torch.float64
    assert _rel(lo, lr) < 1e-13
    assert _rel(go, gr) < 1e-13


def test_float64_sigmoid_mean_with_ignored_targets_keeps_float64(monkeypatch):
    _device_count(monkeypatch)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(4096, 3, generator=gen, dtype=torch.float64) * 3
    y = torch.rand(4096, 3, generator=gen, dtype=torch.float64)
    y[y < 0.1] = -1.0

    def ref(x, y):
        valid = y != -1
        yy = torch.where(valid, y, 0.0)
        ce = F.binary_cross_entropy_with_logits(x, yy, reduction="none")
        p = torch.sigmoid(x)
        p_t = p * yy + (1 - p) * (1 - yy)
        fl = ce * (1 - p_t) ** 2 * (0.25 * yy + 0.75 * (1 - yy))
        return torch.where(valid, fl, 0.0).sum() / valid.sum()

    lo, go = _fwd_bwd(losses.sigmoid_focal_loss, x, y, ignore_index=-1)
    lr, gr = _fwd_bwd(ref, x, y)
    assert _rel(lo, lr) < 1e-13
    assert _rel(go, gr) < 1e-13


def _count_value_checks(monkeypatch, numel):
    # How often the values of a per-class tensor of `numel` entries are read
    # for the finite / >= 0 check (on CUDA each read is a host-device sync).
    calls = []
    isfinite = torch.isfinite

    def counting(t):
        if t.numel() == numel:
            calls.append(t.shape)
        return isfinite(t)

    monkeypatch.setattr(torch, "isfinite", counting)
    return calls


def _as_on_a_device(monkeypatch):
    # Only device tensors are checked once (there a check is a host-device
    # sync); CPU tensors every call. Treat CPU tensors as a device's here.
    monkeypatch.setattr(losses, "_CHECKED_EVERY_CALL", frozenset())


def test_per_class_tensor_is_checked_once_until_it_changes(monkeypatch):
    # A CUDA pos_weight / class weight tensor was checked in every call (two
    # host-device syncs per training step: bench_losses.py's sync check of
    # 'sigmoid ignore/pos_weight/rescale' failed on an H200).
    _as_on_a_device(monkeypatch)
    calls = _count_value_checks(monkeypatch, 5)
    x = torch.randn(32, 5)
    t = torch.randint(0, 5, (32,))
    w = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    for _ in range(3):
        losses.class_weighted_cross_entropy(x, t, w)
    assert len(calls) == 1
    w[2] = -1.0  # in place: the version counter moves, checked again
    with pytest.raises(ValueError, match="class_weight must be >= 0"):
        losses.class_weighted_cross_entropy(x, t, w)
    w[2] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        losses.class_weighted_cross_entropy(x, t, w)
    w.data = torch.tensor([1.0, 1.0, -1.0, 1.0, 1.0])  # new storage
    with pytest.raises(ValueError, match="class_weight must be >= 0"):
        losses.class_weighted_cross_entropy(x, t, w)


def test_pos_weight_checked_once_and_per_dtype(monkeypatch):
    _as_on_a_device(monkeypatch)
    calls = _count_value_checks(monkeypatch, 3)
    pw = torch.tensor([1.0, 2.0, 3e38])
    x = torch.randn(8, 3)
    y = (torch.rand(8, 3) < 0.5).float()
    for _ in range(3):
        losses.sigmoid_focal_loss(x, y, pos_weight=pw)
    assert len(calls) == 1
    # checked again in the dtype it is used in: 3e38 fits float32 but not
    # float16 (float16 logits compute in float32, so still fine there)
    losses.sigmoid_focal_loss(x.double(), y.double(), pos_weight=pw)
    assert len(calls) == 2
    module = losses.SigmoidFocalLoss(pos_weight=torch.tensor([1.0, 2.0, 3.0]))
    before = len(calls)
    for _ in range(3):
        module(x, y)
    assert len(calls) - before <= 1


def test_cpu_weights_shared_with_numpy_are_checked_every_call():
    # numpy writes into a tensor made by torch.from_numpy without moving its
    # version counter: a cached check would let a negative weight through.
    arr = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    w = torch.from_numpy(arr)
    x = torch.randn(8, 3)
    t = torch.randint(0, 3, (8,))
    losses.class_weighted_cross_entropy(x, t, w)
    arr[1] = -2.0
    with pytest.raises(ValueError, match="class_weight must be >= 0"):
        losses.class_weighted_cross_entropy(x, t, w)
