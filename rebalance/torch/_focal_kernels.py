"""Fused focal-loss forward and backward.

The public functions live in :mod:`rebalance.torch.losses`; this module holds
the machinery behind them. Each fused loss is a custom op
(``torch.ops.rebalance.sigmoid_focal`` / ``softmax_focal``) that computes the
loss **and** its gradient with respect to the logits in one pass over the
data, and returns ``(loss, gradient, backward scale)``; a
:class:`torch.autograd.Function` with ``setup_context`` saves only the
gradient and its backward scales it (autograd's graph of the reference formula
keeps about six full-size intermediates). The ops have fake implementations
(torch.compile traces them as opaque calls) and loop-based vmap rules; the
Function supports torch.func transforms. Target values are checked inside the
ops, so also in compiled code.

Three back ends compute the same closed forms, in float32 or wider:

* CUDA tensors: Triton kernels (one read of logits and targets, one write of
  the gradient and of per-block or per-row partial losses).
* CPU tensors: float32 and half logits go through the numba kernels of
  :mod:`rebalance.torch._focal_cpu` (vectorised, threaded, loaded from numba's
  disk cache; a background thread started with this module loads them, so the
  first call does not stall). float64 logits, soft softmax targets, ``(N, C,
  d1, ...)`` softmax logits, and everything when ``REBALANCE_FOCAL_NUMBA=0``,
  run the elementwise torch functions below over cache-sized chunks.
* ``TRITON_INTERPRET=1`` and ``REBALANCE_TRITON_ON_CPU=1``: the same Triton
  kernels, interpreted on CPU tensors (used by the tests). Triton reads
  TRITON_INTERPRET when it is imported and when a kernel is decorated, so set
  it before anything imports triton; this module imports triton and decorates
  its kernels lazily, on first use, once per interpreter setting.

Closed forms (x the logit, y the target in [0, 1], p = sigmoid(x),
q = sigmoid(-x)), with m = y q + (1 - y) p (= 1 - p_t), the binary
cross-entropy ce = -(w y log p + (1 - y) log(1 - p)) (w the positive weight)
and a_t = alpha y + (1 - alpha)(1 - y):

    FL = a_t m^gamma ce
    dFL/dx = a_t m^gamma (dce/dx + gamma ce (1 - 2y) p q / m)
    dce/dx = (1 - y) p - w y q

p q / m lies in [0, 1] and tends to p_t when m -> 0, so the gradient is finite
for every gamma >= 0 (the torchvision formula, differentiated by autograd,
gives NaN for gamma < 1 at saturated logits). For hard targets this is the
familiar s a_t q^gamma (gamma p_t log p_t - q) with s = 2y - 1.

Softmax (per row, class weights w_c = alpha_c t_c with t the (smoothed)
target distribution, log p = log_softmax(x)):

    FL = sum_c w_c (1 - p_c)^gamma (-log p_c)
    g_c = w_c (1 - p_c)^gamma (gamma p_c log p_c / (1 - p_c) - 1)
    dFL/dx_j = g_j - p_j sum_c g_c

with log p_c / (1 - p_c) -> -1 as p_c -> 1.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "SigmoidFocalFunction",
    "SoftmaxFocalFunction",
    "raise_deferred_target_errors",
    "sigmoid_focal_elementwise",
    "softmax_focal_rows",
    "triton_available",
]

# Elements per chunk on the eager CPU path: big enough that Python overhead
# is small, small enough that the ~20 float32 temporaries stay in cache.
_CHUNK = 1 << 17


def _compute_dtype(x: Tensor) -> torch.dtype:
    # float32 for half types (and float32), float64 kept for gradcheck.
    return torch.promote_types(x.dtype, torch.float32)


# --------------------------------------------------------------------------
# Elementwise math shared by the eager and compiled CPU paths.
# --------------------------------------------------------------------------
def sigmoid_focal_elementwise(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    scale: Tensor | float,
) -> tuple[Tensor, Tensor, Tensor]:
    """Per-element focal loss, cross-entropy and scaled gradient (float32).

    ``x``, ``y`` and ``pos_weight`` have one shape; ignored elements (target
    equal to ``ignore_index``) get zero loss and gradient.
    """
    x = x.to(_compute_dtype(x))
    y = y.to(x.dtype)
    if ignore_index is not None:
        valid = y != ignore_index
        y = torch.where(valid, y, 0.0)
    e = torch.exp(-x.abs())
    r = 1.0 / (1.0 + e)
    er = e * r
    nonneg = x >= 0
    p = torch.where(nonneg, r, er)
    q = torch.where(nonneg, er, r)
    l1 = torch.log1p(e)
    log_p = torch.clamp(x, max=0.0) - l1
    log_q = torch.clamp(-x, max=0.0) - l1
    wy = y if pos_weight is None else y * pos_weight.to(x.dtype)
    ce = -(wy * log_p + (1.0 - y) * log_q)
    m = y * q + (1.0 - y) * p
    if gamma == 0.0:
        mg = torch.ones_like(m)
        dfl = (1.0 - y) * p - wy * q
    else:
        mg = m.pow(gamma)
        ratio = torch.where(m > 0, p * q / torch.clamp(m, min=1e-30), 1.0)
        dfl = (1.0 - y) * p - wy * q + (gamma * (1.0 - 2.0 * y)) * ratio * ce
    if alpha is None:
        fl = mg * ce
        grad = mg * dfl
    else:
        a_t = alpha * y + (1.0 - alpha) * (1.0 - y)
        fl = a_t * mg * ce
        grad = a_t * mg * dfl
    if ignore_index is not None:
        fl = torch.where(valid, fl, 0.0)
        ce = torch.where(valid, ce, 0.0)
        grad = torch.where(valid, grad, 0.0)
    return fl, ce, grad * scale


def softmax_focal_rows(
    x: Tensor, t: Tensor, alpha: Tensor | None, gamma: float, scale: Tensor | float
) -> tuple[Tensor, Tensor, Tensor]:
    """Row losses (focal, cross-entropy) and scaled gradient of ``(R, C)`` logits.

    ``t`` is the ``(R, C)`` target distribution (zero on ignored rows) and
    ``alpha`` the per-class weights or None; the cross-entropy is unweighted.
    """
    x = x.to(_compute_dtype(x))
    log_p = torch.log_softmax(x, dim=1)
    p = torch.exp(log_p)
    one_minus_p = -torch.expm1(log_p)
    active = t != 0
    nll = torch.where(active, -log_p, 0.0)
    ce = (t * nll).sum(1)
    w = t if alpha is None else t * alpha
    if gamma == 0.0:
        fl = (w * nll).sum(1)
        g = -w
    else:
        mg = one_minus_p.pow(gamma)
        fl = (w * mg * nll).sum(1)
        h = torch.where(one_minus_p > 0, log_p / one_minus_p, -1.0)
        h = torch.where(active, h, 0.0)
        g = w * mg * (gamma * p * h - 1.0)
    grad = g - p * g.sum(1, keepdim=True)
    return fl, ce, grad * scale


# --------------------------------------------------------------------------
# Triton kernels, built lazily (triton is optional and reads TRITON_INTERPRET
# when a kernel is decorated).
# --------------------------------------------------------------------------
def triton_available() -> bool:
    """True when triton can be imported."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def _interpret() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


# The kernels are plain functions here, handed to ``triton.jit`` on first use:
# triton is optional, and TRITON_INTERPRET is read when a kernel is decorated.
# ``tl`` is bound to ``triton.language`` at that moment (annotations stay
# strings thanks to ``from __future__ import annotations``).
tl: Any = None


def _sigmoid_kernel(
    x_ptr,
    y_ptr,
    pw_ptr,
    scale_ptr,
    scale_val,
    grad_ptr,
    loss_ptr,
    part_ptr,
    n,
    pw_len,
    n_blocks,
    alpha,
    gamma,
    ignore_value,
    HAS_ALPHA: tl.constexpr,
    SCALE_FROM_PTR: tl.constexpr,
    HAS_PW: tl.constexpr,
    HAS_IGNORE: tl.constexpr,
    GAMMA_MODE: tl.constexpr,  # 0: gamma == 0, 1: gamma == 2, 2: other
    STORE_LOSS: tl.constexpr,
    STORE_GRAD: tl.constexpr,
    BLOCK: tl.constexpr,
):
    pid = tl.program_id(0)
    offs = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x_raw = tl.load(x_ptr + offs, mask=mask, other=0.0)
    x = x_raw.to(tl.float32)
    y = tl.load(y_ptr + offs, mask=mask, other=0).to(tl.float32)
    valid = mask
    if HAS_IGNORE:
        valid = valid & (y != ignore_value)
    y = tl.where(valid, y, 0.0)
    bad = valid & ((y < 0.0) | (y > 1.0))
    e = tl.exp(-tl.abs(x))
    r = 1.0 / (1.0 + e)
    er = e * r
    nonneg = x >= 0
    p = tl.where(nonneg, r, er)
    q = tl.where(nonneg, er, r)
    # log1p(e) for e in [0, 1]; tl has no log1p on every backend.
    l1 = tl.where(e < 1e-4, e * (1.0 - 0.5 * e), tl.log(1.0 + e))
    log_p = tl.minimum(x, 0.0) - l1
    log_q = tl.minimum(-x, 0.0) - l1
    if HAS_PW:
        pw = tl.load(pw_ptr + offs % pw_len, mask=mask, other=1.0).to(tl.float32)
        wy = y * pw
    else:
        wy = y
    ce = -(wy * log_p + (1.0 - y) * log_q)
    m = y * q + (1.0 - y) * p
    dfl = (1.0 - y) * p - wy * q
    if GAMMA_MODE == 0:
        mg = tl.full([BLOCK], 1.0, tl.float32)
    else:
        if GAMMA_MODE == 1:
            mg = m * m
        else:
            mg = tl.where(m > 0, tl.exp2(gamma * tl.log2(tl.maximum(m, 1e-30))), 0.0)
        ratio = tl.where(m > 0, p * q / tl.maximum(m, 1e-30), 1.0)
        dfl = dfl + (gamma * (1.0 - 2.0 * y)) * ratio * ce
    if HAS_ALPHA:
        a_t = alpha * y + (1.0 - alpha) * (1.0 - y)
        mg = a_t * mg
    # Out-of-range targets: NaN loss and gradient (the host is told through
    # the count in the third row of the partials, without waiting for it).
    fl = tl.where(valid, mg * ce, 0.0)
    fl = tl.where(bad, float("nan"), fl)
    ce = tl.where(valid, ce, 0.0)
    # scale: 1/count for a mean (count read from scale_ptr when it is a
    # device tensor), else 1; it multiplies the gradient and the focal sums.
    scale = scale_val
    if SCALE_FROM_PTR:
        scale = 1.0 / tl.maximum(tl.load(scale_ptr).to(tl.float32), 1.0)
    if STORE_GRAD:
        grad = tl.where(valid, mg * dfl, 0.0) * scale
        grad = tl.where(bad, float("nan"), grad)
        tl.store(grad_ptr + offs, grad.to(x_raw.dtype), mask=mask)
    if STORE_LOSS:
        tl.store(loss_ptr + offs, fl, mask=mask)
    tl.store(part_ptr + pid, tl.sum(fl, axis=0) * scale)
    tl.store(part_ptr + n_blocks + pid, tl.sum(ce, axis=0))
    tl.store(part_ptr + 2 * n_blocks + pid, tl.sum(bad.to(tl.float32), axis=0))


def _softmax_kernel(
    x_ptr,
    t_ptr,
    alpha_ptr,
    scale_ptr,
    scale_val,
    grad_ptr,
    out_ptr,
    rows,
    n_classes,
    inner,
    gamma,
    smoothing,
    ignore_index,
    HAS_ALPHA: tl.constexpr,
    SCALE_FROM_PTR: tl.constexpr,
    GAMMA_MODE: tl.constexpr,
    STORE_GRAD: tl.constexpr,
    BLOCK_C: tl.constexpr,
):
    # out_ptr: (3, rows) float32 = focal loss, cross-entropy and a 0/1 flag
    # for a class index outside [0, C) (such rows get NaN loss and gradient).
    # One program per row; row r = (n, d) of logits viewed as (N, C, D).
    row = tl.program_id(0).to(tl.int64)
    n_idx = row // inner
    d_idx = row % inner
    base = n_idx * n_classes * inner + d_idx
    cols = tl.arange(0, BLOCK_C)
    cmask = cols < n_classes
    offs = base + cols.to(tl.int64) * inner
    x_raw = tl.load(x_ptr + offs, mask=cmask, other=0.0)
    x = tl.where(cmask, x_raw.to(tl.float32), float("-inf"))
    target = tl.load(t_ptr + row).to(tl.int64)
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= n_classes))
    x_max = tl.max(x, axis=0)
    z = tl.exp(x - x_max)
    z = tl.where(cmask, z, 0.0)
    lse = x_max + tl.log(tl.sum(z, axis=0))
    log_p = tl.where(cmask, x - lse, 0.0)
    p = tl.exp(log_p)
    p = tl.where(cmask, p, 0.0)
    is_t = cols == target
    t = tl.where(is_t, 1.0 - smoothing, 0.0) + smoothing / n_classes
    t = tl.where(cmask & valid, t, 0.0)
    if HAS_ALPHA:
        w = t * tl.load(alpha_ptr + cols, mask=cmask, other=0.0).to(tl.float32)
    else:
        w = t
    # 1 - p, accurate near p = 1: -expm1(log_p).
    em1 = tl.where(
        log_p > -1e-3,
        log_p * (1.0 + log_p * (0.5 + log_p * (1.0 / 6.0))),
        tl.exp(log_p) - 1.0,
    )
    one_minus_p = -em1
    nll = tl.where(t != 0, -log_p, 0.0)
    ce = tl.sum(t * nll, axis=0)
    if GAMMA_MODE == 0:
        fl = tl.sum(w * nll, axis=0)
        g = -w
    else:
        if GAMMA_MODE == 1:
            mg = one_minus_p * one_minus_p
        else:
            mg = tl.where(
                one_minus_p > 0,
                tl.exp2(gamma * tl.log2(tl.maximum(one_minus_p, 1e-30))),
                0.0,
            )
        fl = tl.sum(w * mg * nll, axis=0)
        h = tl.where(one_minus_p > 0, log_p / tl.maximum(one_minus_p, 1e-30), -1.0)
        g = w * mg * (gamma * p * h - 1.0)
    scale = scale_val  # as in _sigmoid_kernel; also scales the focal loss
    if SCALE_FROM_PTR:
        scale = 1.0 / tl.maximum(tl.load(scale_ptr).to(tl.float32), 1.0)
    if STORE_GRAD:
        grad = (g - p * tl.sum(g, axis=0)) * scale
        grad = tl.where(bad, float("nan"), grad)
        tl.store(grad_ptr + offs, grad.to(x_raw.dtype), mask=cmask)
    tl.store(out_ptr + row, tl.where(bad, float("nan"), fl * scale))
    tl.store(out_ptr + rows + row, tl.where(bad, float("nan"), ce))
    tl.store(out_ptr + 2 * rows + row, bad.to(tl.float32))


def _scale_kernel(g_ptr, s_ptr, n, n_programs, iters, BLOCK: tl.constexpr):
    # g *= s in place, unless s == 1 (read on the device: the host never
    # waits for it). Grid-stride, a few programs per SM, so that the s == 1
    # case costs one tiny launch.
    s = tl.load(s_ptr).to(tl.float32)
    if s != 1.0:
        pid = tl.program_id(0).to(tl.int64)
        for i in range(iters):
            offs = (pid + i * n_programs) * BLOCK + tl.arange(0, BLOCK)
            mask = offs < n
            g = tl.load(g_ptr + offs, mask=mask)
            tl.store(g_ptr + offs, (g.to(tl.float32) * s).to(g.dtype), mask=mask)


@functools.cache
def _triton_kernels(interpret: bool) -> tuple[Any, Any, Any]:
    global tl
    import triton
    import triton.language

    tl = triton.language
    return (
        triton.jit(_sigmoid_kernel),
        triton.jit(_softmax_kernel),
        triton.jit(_scale_kernel),
    )


@functools.cache
def _sm_count(device_index: int) -> int:
    return torch.cuda.get_device_properties(device_index).multi_processor_count


def scale_inplace_triton(g: Tensor, s: Tensor, block: int = 4096) -> None:
    """``g *= s`` in place for a one-element device tensor ``s``; no-op if s == 1."""
    n = g.numel()
    if n == 0:
        return
    _, _, scale_kernel = _triton_kernels(_interpret())
    n_blocks = -(-n // block)
    n_programs = min(n_blocks, 4 * _sm_count(g.device.index) if g.is_cuda else 4)
    iters = -(-n_blocks // n_programs)
    scale_kernel[(n_programs,)](g, s, n, n_programs, iters, BLOCK=block, num_warps=8)


def _gamma_mode(gamma: float) -> int:
    return 0 if gamma == 0.0 else 1 if gamma == 2.0 else 2


def sigmoid_focal_triton(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    scale: Tensor | float,
    store_loss: bool,
    block: int = 2048,
    store_grad: bool = True,
) -> tuple[Tensor | None, Tensor, Tensor | None]:
    """Launch the sigmoid kernel; returns (loss or None, partials, grad or None).

    ``scale`` (a float, or a device tensor holding a count whose clamped
    reciprocal is the scale) multiplies the gradient and the focal sums. The
    partials are ``(3, B)`` per-block sums of the focal loss, the
    cross-entropy and the count of out-of-range targets.
    """
    import triton

    sigmoid_kernel, _, _ = _triton_kernels(_interpret())
    scale_from_ptr = isinstance(scale, Tensor)
    x = x.contiguous()
    y = y.contiguous()
    if y.dtype == torch.bool:
        y = y.view(torch.uint8)
    n = x.numel()
    if pos_weight is not None:
        if pos_weight.dim() <= 1 and (
            pos_weight.numel() == 1
            or (x.dim() > 0 and pos_weight.numel() == x.shape[-1])
        ):
            pw = pos_weight.reshape(-1).contiguous()
        else:
            pw = torch.broadcast_to(pos_weight, x.shape).contiguous().reshape(-1)
        pw_len = pw.numel()
    else:
        pw, pw_len = x, 1
    n_blocks = max(triton.cdiv(n, block), 1)
    grad = torch.empty_like(x) if store_grad else None
    loss = (
        torch.empty(x.shape, dtype=torch.float32, device=x.device)
        if store_loss
        else None
    )
    parts = torch.empty(3 * n_blocks, dtype=torch.float32, device=x.device)
    sigmoid_kernel[(n_blocks,)](
        x,
        y,
        pw,
        scale if scale_from_ptr else x,
        1.0 if scale_from_ptr else float(scale),
        x if grad is None else grad,
        parts if loss is None else loss,
        parts,
        n,
        pw_len,
        n_blocks,
        0.0 if alpha is None else float(alpha),
        float(gamma),
        0.0 if ignore_index is None else float(ignore_index),
        HAS_ALPHA=alpha is not None,
        SCALE_FROM_PTR=scale_from_ptr,
        HAS_PW=pos_weight is not None,
        HAS_IGNORE=ignore_index is not None,
        GAMMA_MODE=_gamma_mode(gamma),
        STORE_LOSS=store_loss,
        STORE_GRAD=store_grad,
        BLOCK=block,
        num_warps=8,
    )
    return loss, parts.view(3, n_blocks), grad


def softmax_focal_triton(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    label_smoothing: float,
    ignore_index: int,
    scale: Tensor | float,
    num_warps: int | None = None,
    store_grad: bool = True,
) -> tuple[Tensor, Tensor | None]:
    """Launch the softmax kernel on (N, C, ...) logits and (N, ...) class indices.

    ``scale`` is as in :func:`sigmoid_focal_triton` (it also multiplies the
    focal-loss row). Returns ``(3,) + target.shape`` float32 rows (focal
    loss, cross-entropy, 1 where the class index is out of range) and the
    gradient (shape of ``x``, None unless ``store_grad``).
    """
    import triton

    _, softmax_kernel, _ = _triton_kernels(_interpret())
    scale_from_ptr = isinstance(scale, Tensor)
    x = x.contiguous()
    target = target.contiguous()
    n_classes = x.shape[1]
    inner = x[0, 0].numel() if x.dim() > 2 else 1
    rows = target.numel()
    grad = torch.empty_like(x) if store_grad else None
    out = torch.empty((3,) + target.shape, dtype=torch.float32, device=x.device)
    if rows == 0:
        return out, grad
    block_c = triton.next_power_of_2(n_classes)
    if num_warps is None:
        num_warps = 4 if block_c <= 1024 else 8 if block_c <= 4096 else 16
    softmax_kernel[(rows,)](
        x,
        target,
        x if alpha is None else alpha.to(device=x.device, dtype=torch.float32),
        scale if scale_from_ptr else x,
        1.0 if scale_from_ptr else float(scale),
        x if grad is None else grad,
        out,
        rows,
        n_classes,
        inner,
        float(gamma),
        float(label_smoothing),
        int(ignore_index),
        HAS_ALPHA=alpha is not None,
        SCALE_FROM_PTR=scale_from_ptr,
        GAMMA_MODE=_gamma_mode(gamma),
        STORE_GRAD=store_grad,
        BLOCK_C=block_c,
        num_warps=num_warps,
    )
    return out, grad


# Largest class count the single-tile softmax kernel handles.
_TRITON_MAX_CLASSES = 16384


def _use_triton(x: Tensor) -> bool:
    if x.is_cuda:
        return triton_available()
    return _interpret() and os.environ.get("REBALANCE_TRITON_ON_CPU") == "1"


def kernel_checks_binary_targets(x: Tensor) -> bool:
    """True when the Triton kernel checks the sigmoid targets (no host check)."""
    return _use_triton(x)


def kernel_checks_class_targets(x: Tensor, target: Tensor) -> bool:
    """True when the Triton kernel checks the class indices (no host check)."""
    return (
        not target.is_floating_point()
        and x.dim() >= 2
        and x.shape[1] <= _TRITON_MAX_CLASSES
        and _use_triton(x)
    )


# --------------------------------------------------------------------------
# Target checks without a host-device sync
# --------------------------------------------------------------------------
# On CUDA the kernels count out-of-range targets on the device. Waiting for
# that count would stall the host once per call (a sync drains the queue, and
# the host work after it then runs with the GPU idle), so the count is copied
# to pinned host memory behind an event instead, and checked at the next
# focal-loss call or backward whose host side runs after the event completed.
# Elements (rows) with bad targets get a NaN loss and gradient, so the loss
# of the offending call is NaN as well. On CPU tensors (the Triton
# interpreter) the count is checked at once.
_PENDING: list[tuple[Any, Tensor, int, str]] = []
_PENDING_LOCK = threading.Lock()


def raise_deferred_target_errors(wait: bool = False) -> None:
    """Raise the ValueError of an earlier call whose kernel found bad targets.

    Called at every focal-loss call and backward; looks only at the calls
    whose kernels have finished (in launch order), unless ``wait``.
    """
    if not _PENDING:
        return
    with _PENDING_LOCK:
        done = 0
        for event, _, _, _ in _PENDING:
            if event is not None:
                if wait:
                    event.synchronize()
                elif not event.query():
                    break
            done += 1
        finished = _PENDING[:done]
        del _PENDING[:done]
    for _, values, index, message in finished:
        if float(values[index]) > 0:
            raise ValueError(message)


def _defer_target_check(values: Tensor, index: int, message: str) -> None:
    """Queue the check ``values[index] == 0`` without waiting for the device."""
    if values.is_cuda:
        if torch.cuda.is_current_stream_capturing():
            return  # inside a CUDA graph capture: the NaN loss is the signal
        host = torch.empty(values.shape, dtype=values.dtype, pin_memory=True)
        host.copy_(values, non_blocking=True)
        event = torch.cuda.Event()
        event.record(torch.cuda.current_stream(values.device))
        with _PENDING_LOCK:
            _PENDING.append((event, host, index, message + _DEFERRED_NOTE))
    else:
        with _PENDING_LOCK:
            _PENDING.append((None, values, index, message))
        raise_deferred_target_errors()


_DEFERRED_NOTE = (
    " (found by the GPU kernel of an earlier call, which gave NaN loss and "
    "gradient for those entries; on CUDA this check does not wait for the GPU, "
    "so it is raised by the first focal-loss call or backward after the kernel "
    "has run)"
)
_BAD_TARGETS = (
    "targets must lie in [0, 1] (0/1 labels or soft labels), got values outside "
    "that range; mark entries to skip with ignore_index"
)


def _bad_classes_message(n_classes: int, ignore_index: int) -> str:
    return (
        f"target class indices must lie in [0, {n_classes - 1}] (or equal "
        f"ignore_index={ignore_index}), got values outside that range"
    )


# --------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------
def _reduce(
    fl_sum: Tensor, ce_sum: Tensor, count: Tensor | int, reduction: str, rescale: bool
) -> tuple[Tensor, Tensor | None]:
    """Reduced loss and the detached rescale factor (None when not rescaling)."""
    factor = None
    if rescale:
        factor = torch.where(fl_sum > 0, ce_sum / fl_sum.clamp(min=1e-30), 1.0)
    out = fl_sum * _inverse_count(count) if reduction == "mean" else fl_sum
    if factor is not None:
        out = out * factor
    return out, factor


def _inverse_count(count: Tensor | int) -> Tensor | float:
    # 1 / count, 0 for an empty or all-ignored batch. A host int when the
    # count is known there, so the CUDA path needs no host-device copy.
    if isinstance(count, int):
        return 1.0 / max(count, 1)
    return 1.0 / count.clamp(min=1)


def _kernel_scale(count: Tensor | int) -> Tensor | float:
    # The kernels take 1/count as a host float, or the count as a device
    # tensor (they clamp it and take the reciprocal themselves).
    return count if isinstance(count, Tensor) else 1.0 / max(count, 1)


def _sigmoid_cpu(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    scale: Tensor | float,
    store_loss: bool,
    needs_grad: bool = True,
) -> tuple[Tensor | None, Tensor, Tensor, Tensor | None]:
    """Fused CPU path: (loss or None, focal sum, ce sum, gradient or None)."""
    shape = x.shape
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    pwf = None
    if pos_weight is not None:
        pwf = torch.broadcast_to(pos_weight, shape).reshape(-1)
    n = xf.numel()
    args = (alpha, gamma, ignore_index, scale)
    grad = torch.empty(shape, dtype=x.dtype, device=x.device)
    gflat = grad.view(-1)
    cdt = _compute_dtype(x)
    loss = torch.empty(shape, dtype=cdt, device=x.device) if store_loss else None
    fl_parts, ce_parts = [], []
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(start + _CHUNK, n))
        fl, ce, g = sigmoid_focal_elementwise(
            xf[sl], yf[sl], None if pwf is None else pwf[sl], *args
        )
        gflat[sl] = g
        if loss is not None:
            loss.view(-1)[sl] = fl
        fl_parts.append(fl.sum())
        ce_parts.append(ce.sum())
    zero = torch.zeros((), dtype=cdt, device=x.device)
    fl_sum = torch.stack(fl_parts).sum() if fl_parts else zero
    ce_sum = torch.stack(ce_parts).sum() if ce_parts else zero
    return loss, fl_sum, ce_sum, grad if needs_grad else None


def _softmax_rows(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    ignore_index: int,
    label_smoothing: float,
    scale: Tensor | float,
) -> tuple[Tensor, Tensor, Tensor]:
    """Torch path (CPU, soft targets): rows in chunks; returns (fl, ce, grad)."""
    n_classes = x.shape[1]
    x2 = x.movedim(1, -1).reshape(-1, n_classes)
    soft = target.is_floating_point()
    t2 = target.movedim(1, -1).reshape(-1, n_classes) if soft else target.reshape(-1)
    rows = x2.shape[0]
    cdt = _compute_dtype(x)
    fl = torch.empty(rows, dtype=cdt, device=x.device)
    ce = torch.empty(rows, dtype=cdt, device=x.device)
    grad2 = torch.empty(x2.shape, dtype=x.dtype, device=x.device)
    alpha_f = None if alpha is None else alpha.to(device=x.device, dtype=cdt)
    step = max(_CHUNK // max(n_classes, 1), 1)
    for start in range(0, rows, step):
        sl = slice(start, min(start + step, rows))
        if soft:
            w = t2[sl].to(cdt)
            if label_smoothing:
                w = w * (1.0 - label_smoothing) + label_smoothing / n_classes
        else:
            t = t2[sl]
            valid = t != ignore_index
            w = torch.zeros(t.numel(), n_classes, dtype=cdt, device=x.device)
            w.scatter_(1, torch.where(valid, t, 0).unsqueeze(1), 1.0 - label_smoothing)
            if label_smoothing:
                w += label_smoothing / n_classes
            w *= valid.unsqueeze(1)
        fl[sl], ce[sl], grad2[sl] = softmax_focal_rows(x2[sl], w, alpha_f, gamma, scale)
    out_shape = target.shape if not soft else target.movedim(1, -1).shape[:-1]
    grad = grad2.reshape(*x.movedim(1, -1).shape).movedim(-1, 1)
    return fl.reshape(out_shape), ce.reshape(out_shape), grad


# --------------------------------------------------------------------------
# CPU: numba kernels (float32 and half logits; see rebalance.torch._focal_cpu)
# --------------------------------------------------------------------------
_NUMBA_DTYPES = (torch.float32, torch.float16, torch.bfloat16)


def _numba_path(x: Tensor) -> bool:
    """True when the numba kernels handle these CPU logits."""
    if x.device.type != "cpu" or x.dtype not in _NUMBA_DTYPES:
        return False
    if os.environ.get("REBALANCE_FOCAL_NUMBA", "1") == "0":
        return False
    return numba_ready()


# numba's import and the loading of the cached kernels take about a second:
# a background thread started with this module does it, so that the first
# loss call does not pay it (it waits only for what is left).
_WARMUP = threading.Event()
_WARMUP_OK: list[bool] = []


def _warm_up() -> None:
    try:
        from rebalance.torch import _focal_cpu as kern

        kern.warm_up()
        _WARMUP_OK.append(True)
    except Exception:  # no numba, or it failed: the eager torch path runs
        _WARMUP_OK.append(False)
    finally:
        _WARMUP.set()


def numba_ready(wait: bool = True) -> bool:
    """True once the numba kernels are loaded (waits for the warm-up thread)."""
    if not _WARMUP.is_set():
        if not _WARMUP_THREAD:
            _start_warm_up()
        if not wait:
            return False
        _WARMUP.wait()
    return bool(_WARMUP_OK and _WARMUP_OK[0])


_WARMUP_THREAD: list[threading.Thread] = []


def _restart_warm_up_in_child() -> None:
    # A fork during the warm-up leaves the child without the thread that
    # would set the event: let the child's first call start its own.
    global _WARMUP
    if not _WARMUP.is_set():
        _WARMUP = threading.Event()
        _WARMUP_THREAD.clear()
        _WARMUP_OK.clear()


os.register_at_fork(after_in_child=_restart_warm_up_in_child)


def _start_warm_up() -> None:
    with _PENDING_LOCK:
        if _WARMUP_THREAD or os.environ.get("REBALANCE_FOCAL_NUMBA", "1") == "0":
            return
        thread = threading.Thread(
            target=_warm_up, name="rebalance-focal-warmup", daemon=True
        )
        _WARMUP_THREAD.append(thread)
    thread.start()


def _float32_flat(t: Tensor) -> Tensor:
    """``t`` flattened, contiguous and float32 (no copy when it already is)."""
    return t.reshape(-1).to(torch.float32).contiguous()


# Placeholder for the loss array when it is not stored (never written).
_NO_LOSS = torch.zeros(1, dtype=torch.float32)


def _sigmoid_numba(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    scale: Tensor | float,
    store_loss: bool,
    needs_grad: bool = True,
) -> tuple[Tensor | None, Tensor, Tensor, Tensor | None]:
    """As :func:`_sigmoid_cpu`, through the numba kernel (targets checked in it)."""
    from rebalance.torch import _focal_cpu as kern

    shape = x.shape
    xf = _float32_flat(x)
    yf = y.reshape(-1).contiguous()
    if yf.dtype == torch.bool:
        yf = yf.view(torch.uint8)
    elif yf.dtype not in (torch.float32, torch.uint8):
        yf = yf.to(torch.float32)
    wyf = yf  # y * pos_weight: y itself unless there is a pos_weight
    if pos_weight is not None:
        wyf = (yf * pos_weight.to(torch.float32).expand(shape).reshape(-1)).float()
    n = xf.numel()
    # The gradient is written even when not needed (one vectorised loop).
    grad = torch.empty(n, dtype=torch.float32)
    loss = torch.empty(n, dtype=torch.float32) if store_loss else None
    args = (
        xf.numpy(),
        yf.numpy(),
        wyf.numpy(),
        0.0 if alpha is None else float(alpha),
        alpha is not None,
        float(gamma),
        _gamma_mode(gamma),
        0.0 if ignore_index is None else float(ignore_index),
        ignore_index is not None,
        float(scale),
        grad.numpy(),
        (_NO_LOSS if loss is None else loss).numpy(),
        loss is not None,
    )
    parts = kern.run_chunks(
        lambda a, b: kern.sigmoid_range(*args, a, b),
        n,
        kern.CHUNK,
        torch.get_num_threads(),
    )
    if sum(p[2] for p in parts):
        check_binary_target_values(y, ignore_index)  # raises, with the range
    fl_sum = torch.tensor(kern.pairwise_sum([p[0] for p in parts]), dtype=torch.float64)
    ce_sum = torch.tensor(kern.pairwise_sum([p[1] for p in parts]), dtype=torch.float64)
    grad_out = grad.view(shape).to(x.dtype) if needs_grad else None
    if loss is not None:
        loss = loss.view(shape)
    return loss, fl_sum, ce_sum, grad_out


def _softmax_numba(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    ignore_index: int,
    label_smoothing: float,
    scale: Tensor | float,
) -> tuple[Tensor, Tensor, Tensor]:
    """As :func:`_softmax_rows` for (N, C) logits and class indices, through the
    numba kernel (class indices checked in it); row losses in float64."""
    from rebalance.torch import _focal_cpu as kern

    rows, n_classes = x.shape
    x2 = x.to(torch.float32).contiguous()
    t = target.to(torch.int64).contiguous()
    a = (
        np.ones(1)
        if alpha is None
        else alpha.detach().to("cpu", torch.float64).contiguous().numpy()
    )
    grad = torch.empty((rows, n_classes), dtype=torch.float32)
    fl = torch.empty(rows, dtype=torch.float64)
    ce = torch.empty(rows, dtype=torch.float64)
    args = (
        x2.numpy(),
        x2.amax(1).numpy(),
        t.numpy(),
        a,
        alpha is not None,
        float(gamma),
        _gamma_mode(gamma),
        float(label_smoothing),
        int(ignore_index),
        float(scale),
        grad.numpy(),
        True,
        fl.numpy(),
        ce.numpy(),
    )
    bad = kern.run_chunks(
        lambda lo, hi: kern.softmax_range(*args, lo, hi),
        rows,
        max(kern.CHUNK // max(n_classes, 1), 1),
        torch.get_num_threads(),
    )
    if sum(bad):
        check_class_target_values(target, n_classes, ignore_index)  # raises
    return fl, ce, grad.to(x.dtype)


# --------------------------------------------------------------------------
# Host-side target checks (CPU tensors; the Triton kernels check on the GPU)
# --------------------------------------------------------------------------
def check_binary_target_values(targets: Tensor, ignore_index: float | None) -> None:
    """Raise ValueError unless the non-ignored targets lie in [0, 1]."""
    if targets.numel() == 0 or targets.dtype == torch.bool:
        return
    valid = targets if ignore_index is None else targets[targets != ignore_index]
    if valid.numel() == 0:
        return
    lo, hi = torch.aminmax(valid.float())
    if not (bool(lo >= 0) and bool(hi <= 1)):
        raise ValueError(
            "targets must lie in [0, 1] (0/1 labels or soft labels), got values in "
            f"[{lo.item():g}, {hi.item():g}]; mark entries to skip with ignore_index"
        )


def check_class_target_values(
    target: Tensor, n_classes: int, ignore_index: int
) -> None:
    """Raise ValueError unless the non-ignored class indices lie in [0, C)."""
    valid = target[target != ignore_index]
    if valid.numel():
        lo, hi = torch.aminmax(valid)
        if bool(lo < 0) or bool(hi >= n_classes):
            raise ValueError(
                f"target class indices must lie in [0, {n_classes - 1}] (or equal "
                f"ignore_index={ignore_index}), got values in [{lo.item()}, "
                f"{hi.item()}]"
            )


# --------------------------------------------------------------------------
# Forward passes: (loss, gradient, backward scale), run inside the custom ops
# --------------------------------------------------------------------------
def _fresh(t: Tensor) -> Tensor:
    # A custom op's outputs may not be views (of each other or of inputs).
    return t.clone() if t._base is not None else t


def _finish(
    x: Tensor,
    out: Tensor,
    grad: Tensor | None,
    factor: Tensor | None,
    rescale: bool,
    reduction: str,
    count: Tensor | int,
) -> tuple[Tensor, Tensor, Tensor]:
    """The op's outputs: the loss, the gradient (or an empty tensor) and the
    scale backward multiplies ``grad_output`` by (1 unless rescaling)."""
    cdt = _compute_dtype(x)
    if rescale and reduction == "mean":
        if factor is None:  # _reduce returns a factor whenever rescale is set
            raise RuntimeError("rescale=True needs the rescale factor; got None")
        # mean of the rescaled loss: d/dx = factor * dFL_i / count
        factor = factor * _inverse_count(count)
    bscale = (
        torch.ones((), dtype=cdt, device=x.device)
        if factor is None
        else factor.to(cdt).reshape(())
    )
    if grad is None:
        grad = x.new_empty(0)
    return _fresh(out.to(cdt)), grad, _fresh(bscale)


def sigmoid_focal_forward(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    reduction: str,
    rescale: bool,
    needs_grad: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Eager body of ``rebalance::sigmoid_focal``; checks the targets first."""
    raise_deferred_target_errors()
    triton = _use_triton(x)
    if not (triton or _numba_path(x)):  # else: checked in the kernel's pass
        check_binary_target_values(y, ignore_index)
    with torch.autocast(x.device.type, enabled=False):
        if ignore_index is None:
            count: Tensor | int = x.numel()
        else:
            count = (y != ignore_index).sum()
        mean = reduction == "mean" and not rescale
        store = reduction == "none"
        if triton:
            loss, parts, grad = sigmoid_focal_triton(
                x,
                y,
                pos_weight,
                alpha,
                gamma,
                ignore_index,
                _kernel_scale(count) if mean else 1.0,
                store,
                store_grad=needs_grad,
            )
            sums = parts.sum(1)  # one reduction for the three rows
            _defer_target_check(sums, 2, _BAD_TARGETS)
            fl_sum, ce_sum = sums[0], sums[1]
        else:
            scale = _inverse_count(count) if mean else 1.0
            cpu = _sigmoid_numba if _numba_path(x) else _sigmoid_cpu
            loss, fl_sum, ce_sum, grad = cpu(
                x, y, pos_weight, alpha, gamma, ignore_index, scale, store, needs_grad
            )
        if triton and mean:  # the kernel divided the sums by the count
            out, factor = fl_sum, None
        else:
            out, factor = _reduce(fl_sum, ce_sum, count, reduction, rescale)
        if reduction == "none":
            if loss is None:  # store=True: the kernels kept the per-element losses
                raise RuntimeError("reduction='none' needs the per-element losses")
            out = loss if factor is None else loss * factor
        return _finish(x, out, grad, factor, rescale, reduction, count)


def softmax_focal_forward(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    ignore_index: int,
    label_smoothing: float,
    reduction: str,
    rescale: bool,
    needs_grad: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """Eager body of ``rebalance::softmax_focal``; checks the targets first."""
    raise_deferred_target_errors()
    soft = target.is_floating_point()
    n_classes = x.shape[1]
    triton = kernel_checks_class_targets(x, target)
    numba = not (triton or soft) and x.dim() == 2 and n_classes and _numba_path(x)
    if not (triton or soft or numba):  # else: checked in the kernel's pass
        check_class_target_values(target, n_classes, ignore_index)
    with torch.autocast(x.device.type, enabled=False):
        if soft:
            count: Tensor | int = x.numel() // max(n_classes, 1)
        else:
            count = (target != ignore_index).sum()
        mean = reduction == "mean" and not rescale
        if triton:
            rows, grad = softmax_focal_triton(
                x,
                target,
                alpha,
                gamma,
                label_smoothing,
                ignore_index,
                _kernel_scale(count) if mean else 1.0,
                store_grad=needs_grad,
            )
            sums = rows.view(3, -1).sum(1)  # one reduction for the three rows
            _defer_target_check(sums, 2, _bad_classes_message(n_classes, ignore_index))
            fl_sum, ce_sum = sums[0], sums[1]
            fl = rows[0]
        else:
            scale = _inverse_count(count) if mean else 1.0
            cpu = _softmax_numba if numba else _softmax_rows
            fl, ce, grad = cpu(
                x, target, alpha, gamma, ignore_index, label_smoothing, scale
            )
            fl_sum, ce_sum = fl.sum(), ce.sum()
            if not needs_grad:
                grad = None
        if triton and mean:  # the kernel divided the sums by the count
            out, factor = fl_sum, None
        else:
            out, factor = _reduce(fl_sum, ce_sum, count, reduction, rescale)
        if reduction == "none":
            out = fl if factor is None else fl * factor
        return _finish(x, out, grad, factor, rescale, reduction, count)


# --------------------------------------------------------------------------
# Custom ops: opaque to torch.compile (a fake implementation gives the output
# shapes), batched by vmap one sample at a time.
# --------------------------------------------------------------------------
@torch.library.custom_op("rebalance::sigmoid_focal", mutates_args=())
def _sigmoid_focal_op(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore_index: float | None,
    reduction: str,
    rescale: bool,
    needs_grad: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    return sigmoid_focal_forward(
        x, y, pos_weight, alpha, gamma, ignore_index, reduction, rescale, needs_grad
    )


@torch.library.custom_op("rebalance::softmax_focal", mutates_args=())
def _softmax_focal_op(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    ignore_index: int,
    label_smoothing: float,
    reduction: str,
    rescale: bool,
    needs_grad: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    return softmax_focal_forward(
        x,
        target,
        alpha,
        gamma,
        ignore_index,
        label_smoothing,
        reduction,
        rescale,
        needs_grad,
    )


def _fake_outputs(
    x: Tensor, loss_shape: tuple[int, ...], reduction: str, needs_grad: bool
) -> tuple[Tensor, Tensor, Tensor]:
    cdt = _compute_dtype(x)
    out = x.new_empty(loss_shape if reduction == "none" else (), dtype=cdt)
    grad = x.new_empty(x.shape if needs_grad else (0,))
    return out, grad, x.new_empty((), dtype=cdt)


@_sigmoid_focal_op.register_fake
def _(x, y, pos_weight, alpha, gamma, ignore_index, reduction, rescale, needs_grad):
    return _fake_outputs(x, tuple(x.shape), reduction, needs_grad)


@_softmax_focal_op.register_fake
def _(x, target, alpha, gamma, ignore_index, smoothing, reduction, rescale, needs_grad):
    loss_shape = (x.shape[0],) + tuple(x.shape[2:])
    return _fake_outputs(x, loss_shape, reduction, needs_grad)


def _vmap_by_loop(op: Any, n_tensor_args: int) -> Any:
    """A vmap rule calling ``op`` once per sample and stacking the outputs."""

    def rule(info: Any, in_dims: tuple[Any, ...], *args: Any) -> Any:
        dims = in_dims[:n_tensor_args]
        outs = []
        for i in range(info.batch_size):
            sample = [
                a if d is None else a.select(d, i)
                for a, d in zip(args[:n_tensor_args], dims, strict=True)
            ]
            outs.append(op(*sample, *args[n_tensor_args:]))
        return tuple(torch.stack(o) for o in zip(*outs, strict=True)), (0, 0, 0)

    return rule


torch.library.register_vmap(
    "rebalance::sigmoid_focal", _vmap_by_loop(_sigmoid_focal_op, 3)
)
torch.library.register_vmap(
    "rebalance::softmax_focal", _vmap_by_loop(_softmax_focal_op, 3)
)


def fused_forward(kind: str, *args: Any) -> tuple[Tensor, Tensor, Tensor]:
    """Run the fused forward of ``kind`` ('sigmoid' or 'softmax').

    Under torch.compile tracing or a torch.func transform this is the custom
    op; in eager mode the op's body is called directly: a custom op's first
    call imports torch._dynamo (seconds), and eager mode needs none of it.
    """
    if torch.compiler.is_compiling() or torch._C._are_functorch_transforms_active():
        op = _sigmoid_focal_op if kind == "sigmoid" else _softmax_focal_op
        return op(*args)
    if kind == "sigmoid":
        return sigmoid_focal_forward(*args)
    return softmax_focal_forward(*args)


# --------------------------------------------------------------------------
# Autograd: forward saves only the gradient, backward scales it
# --------------------------------------------------------------------------
def _eager(go: Tensor) -> bool:
    """True outside torch.compile tracing and torch.func transforms."""
    return not (
        torch.compiler.is_compiling()
        or torch._C._functorch.is_functorch_wrapped_tensor(go)
    )


def _scaled_grad(ctx: Any, go: Tensor) -> Tensor:
    """The saved gradient times ``go`` (and the saved scale), for backward.

    For a scalar loss the scale is a one-element tensor that is usually 1
    (``loss.backward()``). In eager mode on CPU the gradient is then returned
    as it is (no copy). Asking the host whether it is 1 would be a host-device
    sync on CUDA; on the Triton path a kernel scales the saved gradient in
    place instead, and does nothing when the scale is 1 (read on the device).
    A second backward through the same graph (``retain_graph=True``) finds
    the buffer already scaled by the first one's scale and divides it out,
    out of place (NaN if that scale was 0). Under tracing (torch.compile,
    torch.func) backward is the plain product.
    """
    grad = ctx.saved_tensors[0]
    s = ctx.saved_tensors[1] * go if ctx.rescale else go
    if s.numel() != 1:  # reduction='none': one scale per element or row
        return grad * (s.unsqueeze(1) if ctx.per_row else s)
    if not _eager(go):
        return grad * s.reshape(()).to(grad.dtype)
    raise_deferred_target_errors()
    if not ctx.triton:  # CPU tensors: the check costs nothing
        s = s.reshape(())
        return grad if bool(s == 1) else grad * s
    s = s.to(torch.float32)
    if ctx.applied is None:
        ctx.applied = s
        scale_inplace_triton(grad, s)
        return grad
    ratio = torch.where(s == ctx.applied, 1.0, s / ctx.applied)
    return grad * ratio.to(grad.dtype).reshape(())


def _setup_context(ctx: Any, inputs: Any, output: Any, per_row: bool) -> None:
    _, grad, bscale = output
    rescale = inputs[7]
    ctx.mark_non_differentiable(grad, bscale)
    if rescale:
        ctx.save_for_backward(grad, bscale)
    else:
        ctx.save_for_backward(grad)
    ctx.rescale = rescale
    ctx.triton = _use_triton(inputs[0])
    ctx.applied = None
    ctx.per_row = per_row


class _FusedFocalFunction(torch.autograd.Function):
    """Autograd around a fused focal op: ``forward`` returns (loss, gradient,
    backward scale) and the gradient is saved; ``backward`` only scales it.

    ``setup_context`` (not ``ctx`` in ``forward``) and ``generate_vmap_rule``
    let torch.func transforms (grad, vjp, vmap) and torch.compile go through.
    Single backward only: a double backward (or forward-mode AD) raises.
    """

    generate_vmap_rule = True

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, go: Tensor, *_: Any) -> tuple[Tensor | None, ...]:
        return (_scaled_grad(ctx, go),) + (None,) * 8


class SigmoidFocalFunction(_FusedFocalFunction):
    """Fused sigmoid focal loss: ``apply(x, y, pos_weight, alpha, gamma,
    ignore_index, reduction, rescale, needs_grad)[0]`` is the loss."""

    @staticmethod
    def forward(*args: Any) -> tuple[Tensor, Tensor, Tensor]:
        return fused_forward("sigmoid", *args)

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
        _setup_context(ctx, inputs, output, per_row=False)


class SoftmaxFocalFunction(_FusedFocalFunction):
    """Fused softmax focal loss over (N, C, ...) logits: ``apply(x, target,
    alpha, gamma, ignore_index, label_smoothing, reduction, rescale,
    needs_grad)[0]`` is the loss; ``grad_output`` of ``reduction='none'`` with
    class indices has the target's shape and broadcasts over the class dim."""

    @staticmethod
    def forward(*args: Any) -> tuple[Tensor, Tensor, Tensor]:
        return fused_forward("softmax", *args)

    @staticmethod
    def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
        _setup_context(ctx, inputs, output, per_row=True)


_start_warm_up()
