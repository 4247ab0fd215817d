"""Triton kernels of the fused focal losses and their launchers.

One read of logits and targets, one write of the gradient and of per-block
(sigmoid) or per-row (softmax) partial losses; the closed forms are those of
:mod:`rebalance.torch._focal_math`. Out-of-range targets are counted on the
device and give NaN loss and gradient (see :mod:`rebalance.torch._focal_checks`).

triton is optional: :mod:`rebalance.torch._focal_ops` imports this module only
when a Triton path runs (CUDA tensors with triton installed, or
``TRITON_INTERPRET=1`` with ``REBALANCE_TRITON_ON_CPU=1``: the same kernels
interpreted on CPU tensors, used by the tests). Triton reads TRITON_INTERPRET
when it is imported and when a kernel is decorated, so set it before anything
imports triton; the kernels are decorated on first use, once per interpreter
setting.
"""

from __future__ import annotations

import functools
import math
import os
from typing import Any

import torch
from torch import Tensor

from rebalance.torch._focal_math import gamma_mode, grad_dtype

__all__ = [
    "scale_inplace_triton",
    "sigmoid_focal_triton",
    "softmax_focal_triton",
]


def _import_triton() -> tuple[Any, Any, Any]:
    """``triton``, ``triton.language`` and its libdevice (None without them)."""
    try:
        import triton
        import triton.language
    except ImportError:
        return None, None, None
    try:
        from triton.language.extra import libdevice
    except ImportError:  # pragma: no cover - a triton without it
        libdevice = None
    return triton, triton.language, libdevice


# Bound once, at import (the kernels' annotations stay strings thanks to
# ``from __future__ import annotations``, so they need no triton to be defined).
triton: Any
tl: Any
libdevice: Any
triton, tl, libdevice = _import_triton()


# The kernels are plain functions here, handed to ``triton.jit`` on first use.
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
    valid_ptr,
    HAS_ALPHA: tl.constexpr,
    SCALE_FROM_PTR: tl.constexpr,
    HAS_PW: tl.constexpr,
    HAS_IGNORE: tl.constexpr,
    GAMMA_MODE: tl.constexpr,  # 0: gamma == 0, 1: gamma == 2, 2: other
    STORE_LOSS: tl.constexpr,
    STORE_GRAD: tl.constexpr,
    EVEN: tl.constexpr,  # n is a multiple of BLOCK: no bounds masks
    FAST_DIV: tl.constexpr,  # approximate division (MUFU.RCP), not on CPU
    BLOCK: tl.constexpr,
):
    # The kernel is bound by its instructions rather than by memory (a copy
    # of the same bytes runs ~1.4x faster on an H100/H200): the bounds masks
    # and the range checks of IEEE-compliant division are the parts that
    # can go where they are not needed.
    pid = tl.program_id(0)
    offs = pid.to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    if EVEN:
        mask = None
        valid = tl.full([BLOCK], 1, tl.int1)
    else:
        mask = offs < n
        valid = mask
    # Past the end (no mask: none), the loads read `other`.
    x_raw = tl.load(x_ptr + offs, mask=mask, other=None if EVEN else 0.0)
    y_raw = tl.load(y_ptr + offs, mask=mask, other=None if EVEN else 0)
    x = x_raw.to(tl.float32)
    if HAS_IGNORE:  # the host's decision (exact, in the targets' dtype)
        kept = tl.load(valid_ptr + offs, mask=mask, other=None if EVEN else 0)
        valid = valid & (kept != 0)
    # Range checked in the targets' own dtype (float32 would round float64's
    # 1 + 1e-9 to 1); NaN targets are bad too.
    bad = valid & ~((y_raw >= 0) & (y_raw <= 1))
    y = tl.where(valid, y_raw.to(tl.float32), 0.0)
    e = tl.exp(-tl.abs(x))
    # The denominators below lie in [1, 3] and (ratio) [1e-30, 1]: the
    # approximate division (2 ulp) needs no range checks there.
    if FAST_DIV:
        r = libdevice.fast_dividef(1.0, 1.0 + e)
    else:
        r = 1.0 / (1.0 + e)
    er = e * r
    nonneg = x >= 0
    p = tl.where(nonneg, r, er)
    q = tl.where(nonneg, er, r)
    # log1p(e) for e in [0, 1] (tl has no log1p on every backend), as
    # 2 atanh(s) = log((1 + s) / (1 - s)) with s = e / (2 + e) in [0, 1/3],
    # by its series (the numba kernel's, to float32's precision: the next
    # term is below 2e-9 relative). log(1 + e) in float32 would lose the
    # rounding of 1 + e, up to 6e-4 of the loss at |x| ~ 9.
    if FAST_DIV:
        s = libdevice.fast_dividef(e, 2.0 + e)
    else:
        s = e / (2.0 + e)
    z = s * s
    l1 = (2.0 * s) * (
        1.0
        + z
        * (
            1.0 / 3.0
            + z
            * (
                1.0 / 5.0
                + z
                * (
                    1.0 / 7.0
                    + z * (1.0 / 9.0 + z * (1.0 / 11.0 + z * (1.0 / 13.0 + z / 15.0)))
                )
            )
        )
    )
    log_p = tl.minimum(x, 0.0) - l1
    log_q = tl.minimum(-x, 0.0) - l1
    if HAS_PW:
        pw = tl.load(pw_ptr + offs % pw_len, mask=mask, other=None if EVEN else 1.0)
        pw = pw.to(tl.float32)
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
        if FAST_DIV:
            ratio = libdevice.fast_dividef(p * q, tl.maximum(m, 1e-30))
        else:
            ratio = p * q / tl.maximum(m, 1e-30)
        ratio = tl.where(m > 0, ratio, 1.0)
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
        tl.store(grad_ptr + offs, grad.to(grad_ptr.dtype.element_ty), mask=mask)
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
    HARD: tl.constexpr,  # no label smoothing: the target class alone has mass
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
    target = tl.load(t_ptr + row).to(tl.int64)
    valid = target != ignore_index
    x_raw = tl.load(x_ptr + offs, mask=cmask, other=0.0)
    # An ignored row's logits are not used (zeros in their place): inf or
    # NaN there (padding masked with -inf) would give it a NaN loss, as
    # 0 * NaN, and NaN gradient instead of zeros.
    x = tl.where(cmask, tl.where(valid, x_raw.to(tl.float32), 0.0), float("-inf"))
    bad = valid & ((target < 0) | (target >= n_classes))
    x_max = tl.max(x, axis=0)
    z = tl.exp(x - x_max)
    z = tl.where(cmask, z, 0.0)
    z_sum = tl.sum(z, axis=0)
    # log p = (x - max) - log(sum): as log_softmax, exact near p = 1 (where
    # x - (max + log(sum)) would lose log(sum)'s low bits to the rounding).
    log_sum = tl.log(z_sum)
    is_t = cols == target
    scale = scale_val  # as in _sigmoid_kernel; also scales the focal loss
    if SCALE_FROM_PTR:
        scale = 1.0 / tl.maximum(tl.load(scale_ptr).to(tl.float32), 1.0)
    # lp: log p of the target class (a scalar) where one class holds the
    # whole target mass (HARD: no label smoothing), else of every class; the
    # focal terms below are the same expressions on either.
    if HARD:
        p = z * (1.0 / z_sum)
        lp = tl.sum(tl.where(is_t & cmask, x - x_max, 0.0), axis=0) - log_sum
    else:
        lp = tl.where(cmask, (x - x_max) - log_sum, 0.0)
        p = tl.where(cmask, tl.exp(lp), 0.0)
    # 1 - p, accurate near p = 1: -expm1(log p).
    omp = -tl.where(
        lp > -1e-3,
        lp * (1.0 + lp * (0.5 + lp * (1.0 / 6.0))),
        tl.exp(lp) - 1.0,
    )
    if GAMMA_MODE == 1:
        mg = omp * omp
    elif GAMMA_MODE == 2:
        mg = tl.where(omp > 0, tl.exp2(gamma * tl.log2(tl.maximum(omp, 1e-30))), 0.0)
    else:
        mg = tl.full(omp.shape, 1.0, tl.float32)
    # d(1 - p)^gamma / d log p, over (1 - p)^gamma: -p / (1 - p) * gamma
    h = tl.where(omp > 0, lp / tl.maximum(omp, 1e-30), -1.0)
    if HARD:
        # The loss from the target's scalars; the gradient is
        # (onehot - p) * g_t, g_t the target's term (no per-class powers or
        # divisions: the kernel stays memory-bound).
        w_t = tl.where(valid, 1.0, 0.0)
        if HAS_ALPHA:
            a_t = tl.load(alpha_ptr + target, mask=valid & ~bad, other=0.0)
            w_t = w_t * a_t.to(tl.float32)
        nll_t = tl.where(valid, -lp, 0.0)
        ce = nll_t
        fl = w_t * mg * nll_t
        if GAMMA_MODE == 0:
            g_t = -w_t
        else:
            g_t = tl.where(w_t != 0, w_t * mg * (gamma * tl.exp(lp) * h - 1.0), 0.0)
        grad = tl.where(is_t, g_t, 0.0) - p * g_t
    else:
        t = tl.where(is_t, 1.0 - smoothing, 0.0) + smoothing / n_classes
        t = tl.where(cmask & valid, t, 0.0)
        if HAS_ALPHA:
            w = t * tl.load(alpha_ptr + cols, mask=cmask, other=0.0).to(tl.float32)
        else:
            w = t
        nll = tl.where(t != 0, -lp, 0.0)
        ce = tl.sum(t * nll, axis=0)
        fl = tl.sum(w * mg * nll, axis=0)
        if GAMMA_MODE == 0:
            g = -w
        else:
            # Only the classes with target mass have a term (as the eager
            # path): a class masked with a -inf logit has p = 0 and h = -inf,
            # and p * h = NaN would poison its row's gradient.
            g = w * mg * (gamma * p * tl.where(t != 0, h, 0.0) - 1.0)
        grad = g - p * tl.sum(g, axis=0)
    if STORE_GRAD:
        grad = tl.where(bad, float("nan"), grad * scale)
        tl.store(grad_ptr + offs, grad.to(grad_ptr.dtype.element_ty), mask=cmask)
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
def _jit_kernels(interpret: bool) -> tuple[Any, Any, Any]:
    return (
        triton.jit(_sigmoid_kernel),
        triton.jit(_softmax_kernel),
        triton.jit(_scale_kernel),
    )


def _kernels() -> tuple[Any, Any, Any]:
    # Decorated once per TRITON_INTERPRET setting (read when decorating).
    return _jit_kernels(os.environ.get("TRITON_INTERPRET", "0") == "1")


def _fast_div(x: Tensor) -> bool:
    # libdevice's approximate division on CUDA; the interpreter has no
    # libdevice, so plain division there (CPU tensors).
    return x.is_cuda and libdevice is not None


@functools.cache
def _sm_count(device_index: int) -> int:
    return torch.cuda.get_device_properties(device_index).multi_processor_count


def scale_inplace_triton(g: Tensor, s: Tensor, block: int = 4096) -> None:
    """``g *= s`` in place for a one-element device tensor ``s``; no-op if s == 1."""
    n = g.numel()
    if n == 0:
        return
    _, _, scale_kernel = _kernels()
    n_blocks = -(-n // block)
    n_programs = min(n_blocks, 4 * _sm_count(g.device.index) if g.is_cuda else 4)
    iters = -(-n_blocks // n_programs)
    scale_kernel[(n_programs,)](g, s, n, n_programs, iters, BLOCK=block, num_warps=8)


def sigmoid_focal_triton(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    valid: Tensor | None,
    scale: Tensor | float,
    store_loss: bool,
    block: int = 1024,
    store_grad: bool = True,
    num_warps: int = 4,
    fast_div: bool | None = None,
) -> tuple[Tensor | None, Tensor, Tensor | None]:
    """Launch the sigmoid kernel; returns (loss or None, partials, grad or None).

    ``valid`` is the mask of the targets that count (None: all), decided on
    the host side (see :func:`~rebalance.torch._focal_checks.ignore_value`).

    ``scale`` (a float, or a device tensor holding a count whose clamped
    reciprocal is the scale) multiplies the gradient and the focal sums. The
    partials are ``(3, B)`` per-block sums of the focal loss, the
    cross-entropy and the count of out-of-range targets.
    """
    sigmoid_kernel, _, _ = _kernels()
    scale_from_ptr = isinstance(scale, Tensor)
    x = x.contiguous()
    y = y.contiguous()
    if y.dtype == torch.bool:
        y = y.view(torch.uint8)
    if valid is not None:
        valid = valid.contiguous().view(torch.uint8)
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
    grad = (
        torch.empty(x.shape, dtype=grad_dtype(x), device=x.device)
        if store_grad
        else None
    )
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
        y if valid is None else valid,
        HAS_ALPHA=alpha is not None,
        SCALE_FROM_PTR=scale_from_ptr,
        HAS_PW=pos_weight is not None,
        HAS_IGNORE=valid is not None,
        GAMMA_MODE=gamma_mode(gamma),
        STORE_LOSS=store_loss,
        STORE_GRAD=store_grad,
        EVEN=n % block == 0 and n > 0,
        FAST_DIV=_fast_div(x) if fast_div is None else fast_div,
        BLOCK=block,
        num_warps=num_warps,
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
    hard: bool | None = None,
) -> tuple[Tensor, Tensor | None]:
    """Launch the softmax kernel on (N, C, ...) logits and (N, ...) class indices.

    ``scale`` is as in :func:`sigmoid_focal_triton` (it also multiplies the
    focal-loss row). Returns ``(3,) + target.shape`` float32 rows (focal
    loss, cross-entropy, 1 where the class index is out of range) and the
    gradient (shape of ``x``, None unless ``store_grad``).
    """
    _, softmax_kernel, _ = _kernels()
    scale_from_ptr = isinstance(scale, Tensor)
    x = x.contiguous()
    target = target.contiguous()
    n_classes = x.shape[1]
    # The size of dims 2...: x[0, 0].numel() would fail for an empty batch.
    inner = math.prod(x.shape[2:])
    rows = target.numel()
    grad = (
        torch.empty(x.shape, dtype=grad_dtype(x), device=x.device)
        if store_grad
        else None
    )
    out = torch.empty((3,) + target.shape, dtype=torch.float32, device=x.device)
    if rows == 0:
        return out, grad
    block_c = triton.next_power_of_2(n_classes)
    if hard is None:  # the class-index kernel's own path unless smoothing
        hard = float(label_smoothing) == 0.0
    if num_warps is None:
        # H200, C = 1000: the one-class path is fastest with 2 warps (3.5 TB/s
        # at (2^16, 1000) and (2^18, 1000); 4 warps 2.9, 8 warps 2.4), the
        # general one with 4 or 8 (1.5-1.8 TB/s).
        if hard and block_c <= 1024:
            num_warps = 2
        else:
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
        GAMMA_MODE=gamma_mode(gamma),
        STORE_GRAD=store_grad,
        HARD=hard,
        BLOCK_C=block_c,
        num_warps=num_warps,
    )
    return out, grad
