"""Fused focal-loss kernels for CPU tensors (numba, compiled once and cached).

One pass over the data computes the loss sums (or per-element / per-row
losses), the gradient with respect to the logits and the count of
out-of-range targets. The arithmetic is branch-free, with polynomial ``exp``
/ ``log`` so that LLVM vectorises the loops (libm calls would keep them
scalar). Sigmoid losses with targets all 0 or 1 and gamma 0 or 2 (the common
case; logits of magnitude below 80) compute in float32: eight lanes where
float64 has four, twice as fast, and no cancellation with such targets, so
each loss and gradient element is within a few float32 roundings (~1e-6
relative at worst, ~1e-7 typically) of float64 arithmetic. Soft targets,
other gammas, larger logits and the softmax rows compute in float64,
accurate to about 1e-12 relative, far below the float32 rounding of the
outputs. Sums are taken in float64 per chunk, and the chunk sums added
pairwise, so ``'mean'`` and ``'sum'`` are as accurate as their terms (~1e-7
relative for the float32 path, ~1e-15 otherwise) whatever the size.

The data are cut into fixed chunks processed by a thread pool (the kernels
release the GIL); the chunking does not depend on the number of threads, so
the results are identical for any thread count.

numba compiles the kernels on first use and caches them on disk
(``cache=True``), so only the very first process pays the compilation; every
later process loads them in milliseconds. Used for float32 (and, through a
float32 copy, half-precision) logits; float64 logits, soft softmax targets and
``(N, C, d1, ...)`` softmax logits take the eager torch path of
:mod:`rebalance.torch._focal_math` (the launchers are in
:mod:`rebalance.torch._focal_numba`).
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from rebalance._kernels import numba_jit

_FLAGS = {"reassoc", "contract", "arcp", "nsz"}  # no nnan/ninf: NaN stays NaN
_jit = numba_jit(nogil=True, fastmath=_FLAGS, error_model="numpy")
_inline = numba_jit(
    entry=False, inline="always", nogil=True, fastmath=_FLAGS, error_model="numpy"
)

# Elements per chunk (a unit of work for one thread); fixed, so that results
# do not depend on the thread count.
CHUNK = 1 << 15
# Softmax logits of up to this many elements run in the calling thread: its
# kernel is memory-bound (~0.5 ns an element), and waking a pool thread costs
# ~0.1 ms, more while torch's OpenMP threads spin on the other cores after an
# op (measured on 2 cores: (2048, 1000) as fast in one thread as in two, and
# torch's own ops slower in between with two).
SOFTMAX_PARALLEL_ABOVE = 1 << 22
# Sigmoid logits of up to this many elements (two chunks) run in the calling
# thread: with the pool's thread asleep (other work between loss calls, as in
# a training step) waking it costs about what it saves there (65536 elements
# on 2 cores: 0.77 ms in one thread; 0.59 ms in two called back to back,
# 0.83 ms in two within bench_losses.py's table).
SIGMOID_PARALLEL_ABOVE = 1 << 16


# --------------------------------------------------------------------------
# Vectorisable elementary functions (float64, no libm calls, no branches)
# --------------------------------------------------------------------------
def _bitcast(source: Any, target: Any, target_ir: Any) -> Any:
    """A compiled-only function reinterpreting a ``source`` scalar's bits as a
    ``target`` scalar of the same width (one LLVM ``bitcast``: vectorisable,
    no libm call)."""

    def bitcast(typingctx, value):  # pragma: no cover - compiled
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], target_ir)

        return target(source), codegen

    return intrinsic(bitcast)


_bits_as_float = _bitcast(types.int64, types.float64, ir.DoubleType())
_float_as_bits = _bitcast(types.float64, types.int64, ir.IntType(64))
_bits_as_float32 = _bitcast(types.int32, types.float32, ir.FloatType())
_float32_as_bits = _bitcast(types.float32, types.int32, ir.IntType(32))


# Adding 1.5 * 2**52 to |v| < 2**51 rounds v to an integer held in the low
# bits of the sum (read through the bits: fast-math may not undo the rounding).
_ROUND_MAGIC = 6755399441055744.0
_ROUND_MAGIC_BITS = 0x4338000000000000
_MANTISSA_BITS = np.int64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)  # the bits of 1.0


# Polynomials by Estrin's scheme: the same coefficients as Horner's rule, but
# a dependency chain of ~4 multiply-adds instead of ~11. The kernels are
# latency-bound (a loop body of a few hundred instructions fills the core's
# reorder window), so the chain's length sets their speed: 2.5x faster on a
# core without AVX-512 (measured on AMD Zen 2).
_INV_FACT = tuple(1.0 / math.factorial(i) for i in range(14))


@_inline
def _estrin12(r, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11):  # pragma: no cover
    """c0 + c1 r + ... + c11 r**11 by Estrin's scheme."""
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    q0 = (c0 + c1 * r) + (c2 + c3 * r) * r2
    q1 = (c4 + c5 * r) + (c6 + c7 * r) * r2
    q2 = (c8 + c9 * r) + (c10 + c11 * r) * r2
    return (q0 + q1 * r4) + q2 * r8


@_inline
def _taylor_exp11(r):  # pragma: no cover - compiled
    """exp(r)'s Taylor polynomial of degree 11."""
    c = _INV_FACT
    return _estrin12(
        r, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]
    )


@_inline
def _taylor_expm1_over_u12(u):  # pragma: no cover - compiled
    """(exp(u) - 1) / u's Taylor polynomial of degree 11 (expm1's of 12)."""
    c = _INV_FACT
    return _estrin12(
        u, c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12]
    )


@_inline
def _odd_inverse10(z):  # pragma: no cover - compiled
    """1 + z/3 + z**2/5 + ... + z**10/21 (atanh(s) / s at z = s**2)."""
    return _estrin12(
        z,
        1.0,
        1.0 / 3,
        1.0 / 5,
        1.0 / 7,
        1.0 / 9,
        1.0 / 11,
        1.0 / 13,
        1.0 / 15,
        1.0 / 17,
        1.0 / 19,
        1.0 / 21,
        0.0,
    )


@_inline
def exp_nonpos(t: float) -> float:  # pragma: no cover - compiled
    """exp(t) for t <= 0: relative error ~1e-14 down to t = -708, and 0 below
    (where the true value is below 1e-307; every float32 result is 0 long
    before); NaN for NaN, so that a NaN logit gives a NaN gradient.

    t = k ln 2 + r with k = round(t / ln 2) and |r| <= ln(2) / 2 (Cody-Waite:
    ln 2 in two parts), exp(r) by its Taylor polynomial of degree 11, and
    2**k from its IEEE bits.
    """
    u = -708.0 if t < -708.0 else t  # NaN stays NaN (max would drop it)
    rounded = u * 1.4426950408889634 + _ROUND_MAGIC
    k_int = _float_as_bits(rounded) - _ROUND_MAGIC_BITS
    # through int32: AVX2 converts int32 lanes to float64, not int64 ones
    # (those go one lane at a time); |k_int| <= 1022 here.
    k = np.float64(np.int32(k_int))
    r = (u - k * 0.6931471803691238) - k * 1.9082149292705877e-10
    poly = _taylor_exp11(r)
    return 0.0 if t < -708.0 else poly * _bits_as_float((k_int + 1023) << 52)


# float32 constants (a Python float would make numba compute in float64).
_F32 = np.float32
_F32_LOG2E = _F32(1.4426950408889634)
_F32_LN2_HI = _F32(0.693359375)  # 9 significant bits: k * _F32_LN2_HI is exact
_F32_LN2_LO = _F32(-2.12194440e-4)
_F32_ROUND_MAGIC = _F32(12582912.0)  # 1.5 * 2**23
_F32_ROUND_MAGIC_BITS = np.int32(0x4B400000)
_F32_LOWEST = _F32(-87.0)  # exp below it: under float32's smallest normal
_F32_ZERO = _F32(0.0)
_F32_TAYLOR = tuple(_F32(1.0 / math.factorial(i)) for i in range(8))


@_inline
def exp32_nonpos(t):  # pragma: no cover - compiled
    """exp(t) in float32 arithmetic for a float32 t <= 0: relative error
    ~1.5e-7 (two float32 roundings) down to t = -87, 0 below, NaN for NaN.

    Eight float32 lanes where float64 has four: the softmax rows' and the
    binary-target sigmoid loop's exp. As :func:`exp_nonpos`, with a Taylor
    polynomial of degree 7.
    """
    u = _F32_LOWEST if t < _F32_LOWEST else t  # NaN stays NaN
    rounded = u * _F32_LOG2E + _F32_ROUND_MAGIC
    # int32 throughout (numba widens int32 arithmetic to int64, which would
    # halve the lanes).
    k_int = np.int32(_float32_as_bits(rounded) - _F32_ROUND_MAGIC_BITS)
    k = np.float32(k_int)
    r = (u - k * _F32_LN2_HI) - k * _F32_LN2_LO
    c = _F32_TAYLOR
    poly = c[0] + r * (
        c[1] + r * (c[2] + r * (c[3] + r * (c[4] + r * (c[5] + r * (c[6] + r * c[7])))))
    )
    scale = _bits_as_float32(np.int32((k_int + np.int32(127)) << np.int32(23)))
    return _F32_ZERO if t < _F32_LOWEST else poly * scale


@_inline
def _atanh_series(s: float) -> float:  # pragma: no cover - compiled
    # 2 atanh(s) = log((1 + s) / (1 - s)) for |s| <= 1/3 (s^2 <= 1/9).
    poly = _odd_inverse10(s * s)
    return 2.0 * s * poly


@_inline
def log_unit(a: float) -> float:  # pragma: no cover - compiled
    """log(a) for a in [1e-300, 1] (below: log(1e-300)); relative error ~1e-15.

    a = 2**k f from its IEEE bits, f in [sqrt(1/2), sqrt(2)), and
    log f = 2 atanh((f - 1) / (f + 1)) by its series (|s| <= 0.172): one
    division, where square roots cost ~10 times more.
    """
    bits = _float_as_bits(max(a, 1e-300))  # a normal positive float
    k = (bits >> np.int64(52)) - np.int64(1023)
    f = _bits_as_float((bits & _MANTISSA_BITS) | _ONE_BITS)  # [1, 2)
    big = f > 1.4142135623730951
    f = 0.5 * f if big else f
    kf = np.float64(np.int32(k + 1 if big else k))  # as in exp_nonpos
    series = _atanh_series((f - 1.0) / (f + 1.0))
    return kf * 0.6931471803691238 + (kf * 1.9082149292705877e-10 + series)


@_inline
def one_minus_exp(t: float) -> float:  # pragma: no cover - compiled
    """1 - exp(t) for t <= 0, accurate near t = 0 (-expm1 by Taylor there)."""
    u = -0.6931471805599453 if t < -0.6931471805599453 else t
    em1 = u * _taylor_expm1_over_u12(u)
    return 1.0 - exp_nonpos(t) if t <= -0.6931471805599453 else -em1


@_inline
def focal_power(m: float, gamma: float, gamma_mode: int) -> float:  # pragma: no cover
    """m ** gamma for m in [0, 1]; gamma_mode 0: gamma = 0, 1: gamma = 2."""
    if gamma_mode == 0:
        return 1.0
    if gamma_mode == 1:
        return m * m
    return exp_nonpos(gamma * log_unit(m)) if m > 0 else 0.0


# --------------------------------------------------------------------------
# Sigmoid focal loss over a range of elements
# --------------------------------------------------------------------------
@_inline
def _sigmoid_loop(  # pragma: no cover - compiled
    x,
    y,
    wy_arr,
    a_pos,
    a_neg,
    gamma,
    ignore_value,
    has_ignore,
    scale,
    grad,
    out,
    start,
    stop,
    gamma_mode,
):
    # Inlined with a constant gamma_mode, so that each copy of the loop has
    # no data-dependent branches and vectorises. ``out`` (indexed from 0)
    # takes the elementwise loss: a store every element, not one made or not
    # by a flag (another copy of the loop to compile).
    fl_acc = 0.0
    ce_acc = 0.0
    bad = 0
    # Slices indexed from 0: with a runtime start, numba would guard every
    # x[i] against a negative i (wrap-around), and the loop would not
    # vectorise (~6 ns an element instead of ~2.5).
    x = x[start:stop]
    y = y[start:stop]
    wy_arr = wy_arr[start:stop]
    grad = grad[start:stop]
    for i in range(stop - start):
        xi = np.float64(x[i])
        yr = np.float64(y[i])
        valid = not (has_ignore and yr == ignore_value)
        yi = yr if valid else 0.0
        bad += 1 if (valid and not (0.0 <= yi <= 1.0)) else 0  # NaN too
        e = exp_nonpos(-abs(xi))
        # 1 / (1 + e) and e / (2 + e) (for log1p) from one division.
        d = 1.0 / ((1.0 + e) * (2.0 + e))
        r = d * (2.0 + e)
        er = e * r
        nonneg = xi >= 0.0
        p = r if nonneg else er
        q = er if nonneg else r
        l1 = _atanh_series(e * (d * (1.0 + e)))  # log1p(e)
        log_p = min(xi, 0.0) - l1
        log_q = min(-xi, 0.0) - l1
        wy = np.float64(wy_arr[i]) if valid else 0.0
        ce = -(wy * log_p + (1.0 - yi) * log_q)
        dfl = (1.0 - yi) * p - wy * q
        m = yi * q + (1.0 - yi) * p
        a_t = a_pos * yi + a_neg * (1.0 - yi)
        # d(m^g)/dx = g m^(g-1) dm/dx with dm/dx = (1 - 2y) p q
        if gamma_mode == 1:  # gamma = 2: m^2 and 2 m p q, no division
            mg = m * m
            dfl = m * (m * dfl + (2.0 * (1.0 - 2.0 * yi)) * (p * q) * ce)
        else:
            mg = focal_power(m, gamma, gamma_mode)
            if gamma_mode != 0:
                ratio = p * q / max(m, 1e-300) if m > 0.0 else 1.0
                dfl = mg * (dfl + (gamma * (1.0 - 2.0 * yi)) * ratio * ce)
        fl = a_t * mg * ce if valid else 0.0
        fl_acc += fl
        ce_acc += ce if valid else 0.0
        grad[i] = a_t * dfl * scale if valid else 0.0
        out[i] = fl
    return fl_acc, ce_acc, bad


# float32 constants of the binary-target loop (see exp32_nonpos).
_F32_ONE = _F32(1.0)
_F32_TWO = _F32(2.0)
_F32_ATANH = tuple(_F32(1.0 / (2 * k + 1)) for k in range(7))
# Elements per block of that loop: its loss terms go to buffers this long
# (in L1), summed in float64 by a loop of their own.
_BLOCK32 = 2048
# The float32 loop takes logits with |x| below this (exp(-|x|), log1p of it
# and their products with the weights stay normal float32 numbers, not
# subnormals with few significant bits) and weights y * pos_weight up to the
# other (no product overflows); a range with any other takes the float64 loop.
_F32_LOGIT_LIMIT = _F32(80.0)
_F32_WEIGHT_LIMIT = _F32(1e15)


@_inline
def _float64_needed(
    x, y, wy, ignore_value, has_ignore, start, stop
):  # pragma: no cover
    """How many elements of [start, stop) that count (decided as the float64
    loop decides) the float32 loop would not compute to float32 accuracy:
    targets neither 0 nor 1 (NaN and out-of-range ones too), logits not
    finite or of magnitude >= ``_F32_LOGIT_LIMIT``, weights ``wy`` outside
    [0, ``_F32_WEIGHT_LIMIT``]."""
    count = 0
    x = x[start:stop]
    y = y[start:stop]
    wy = wy[start:stop]
    for i in range(stop - start):
        yr = np.float64(y[i])
        valid = not (has_ignore and yr == ignore_value)
        soft = yr != 0.0 and yr != 1.0
        # (compared in the arrays' own types: float32 ones in eight lanes)
        big = not (abs(x[i]) < _F32_LOGIT_LIMIT)  # NaN too
        heavy = not (_F32_ZERO <= wy[i] <= _F32_WEIGHT_LIMIT)
        # (an ignored element's loss and gradient are 0 in either loop)
        count += 1 if (valid and (soft or big or heavy)) else 0
    return count


@_inline
def _sigmoid_block32(  # pragma: no cover - compiled
    x, y, wy_arr, a_pos, a_neg, ign, has_ign, scale, grad, fl_out, ce_out, gamma_mode
):
    """The binary-target loop over one block, in float32 arithmetic.

    Targets 0 and 1 make every term of the loss and of the gradient of one
    sign (y = 1: dfl = -wy q, m = q; y = 0: dfl = p, m = p), so float32
    arithmetic keeps them to a few float32 roundings (~1e-6 relative at
    worst, ~1e-7 typically), and its vectors have eight lanes where float64
    has four: twice as fast. Soft targets (p - y cancels) take the float64
    loop. ``exp`` by :func:`exp32_nonpos`, log1p(e) by the series of
    :func:`_atanh_series` to degree 13.
    """
    one = _F32_ONE
    two = _F32_TWO
    zero = _F32_ZERO
    c = _F32_ATANH
    for i in range(x.shape[0]):
        xi = np.float32(x[i])
        yr = np.float32(y[i])
        valid = not (has_ign and yr == ign)
        yi = yr if valid else zero
        ny = one - yi
        e = exp32_nonpos(-abs(xi))
        d = one / ((one + e) * (two + e))
        r = d * (two + e)
        er = e * r
        nonneg = xi >= zero
        p = r if nonneg else er
        q = er if nonneg else r
        s = e * (d * (one + e))  # e / (2 + e)
        z = s * s
        # Horner's rule: Estrin's powers of z would be subnormal from
        # e < 1e-5 on (slow: a microcode assist per operation on x86).
        poly = c[0] + z * (
            c[1] + z * (c[2] + z * (c[3] + z * (c[4] + z * (c[5] + z * c[6]))))
        )
        l1 = two * s * poly  # log1p(e)
        log_p = min(xi, zero) - l1
        log_q = min(-xi, zero) - l1
        wy = np.float32(wy_arr[i]) if valid else zero
        ce = -(wy * log_p + ny * log_q)
        dfl = ny * p - wy * q
        m = yi * q + ny * p
        a_t = a_pos * yi + a_neg * ny
        mg = one
        if gamma_mode == 1:
            mg = m * m
            dfl = m * (m * dfl + (two * (one - two * yi)) * (p * q) * ce)
        fl_out[i] = a_t * mg * ce if valid else zero
        ce_out[i] = ce if valid else zero
        grad[i] = a_t * dfl * scale if valid else zero


@_inline
def _sigmoid_binary32(  # pragma: no cover - compiled
    x, y, wy, a_pos, a_neg, ignore_value, scale, grad, out, start, stop, gamma_mode,
    has_ignore,
):  # fmt: skip
    """:func:`_sigmoid_loop` for targets all 0 or 1 and gamma 0 or 2, in
    float32 arithmetic (:func:`_sigmoid_block32`); sums in float64.

    Inlined with constant ``gamma_mode`` and ``has_ignore`` (True only when
    ``ignore_value`` is a float32: a float32 target equals it iff it equals
    its float32 copy), so that the block loop has no test it does not need.
    ``out`` (indexed from 0) takes the elementwise loss.
    """
    ign = np.float32(ignore_value)
    ap = np.float32(a_pos)
    an = np.float32(a_neg)
    sc = np.float32(scale)
    ce_buf = np.empty(_BLOCK32, np.float32)
    fl_acc = 0.0
    ce_acc = 0.0
    for lo in range(start, stop, _BLOCK32):
        hi = min(lo + _BLOCK32, stop)
        k = hi - lo
        fl_b = out[lo - start : hi - start]
        ce_b = ce_buf[:k]
        _sigmoid_block32(
            x[lo:hi], y[lo:hi], wy[lo:hi], ap, an, ign, has_ignore, sc, grad[lo:hi],
            fl_b, ce_b, gamma_mode,
        )  # fmt: skip
        for i in range(k):
            fl_acc += np.float64(fl_b[i])
            ce_acc += np.float64(ce_b[i])
    return fl_acc, ce_acc, 0


@_jit
def sigmoid_range(  # pragma: no cover - compiled
    x,
    y,
    wy,
    alpha,
    has_alpha,
    gamma,
    gamma_mode,
    ignore_value,
    has_ignore,
    scale,
    grad,
    loss,
    store_loss,
    start,
    stop,
):
    """Focal and cross-entropy sums and out-of-range count over [start, stop);
    writes the scaled gradient and (if store_loss) the elementwise loss.

    ``wy`` is the positive-weighted target ``y * pos_weight`` (``y`` itself
    without a pos_weight). Raises IndexError (nothing read or written)
    unless ``0 <= start <= stop`` and every array (``loss`` if
    ``store_loss``) holds ``stop`` elements: the loop does not check them.

    With gamma 0 or 2, every target that counts 0 or 1, finite logits of
    magnitude below 80 and weights ``wy`` in [0, 1e15], the range runs in
    float32 arithmetic (:func:`_sigmoid_binary32`, twice as fast); otherwise
    in float64 (:func:`_sigmoid_loop`). Which one depends only on the range's
    own values, so results still do not depend on the thread count.
    """
    n = min(x.shape[0], y.shape[0], wy.shape[0], grad.shape[0])
    if store_loss:
        n = min(n, loss.shape[0])
    if start < 0 or stop < start or stop > n:
        raise IndexError("sigmoid_range: [start, stop) outside its arrays")
    a_pos = alpha if has_alpha else 1.0
    a_neg = 1.0 - alpha if has_alpha else 1.0
    # An ignored value that is no float32 (no float32 target equals it) takes
    # the float64 loop, which compares in float64 (only the kernel's own
    # callers pass float64 targets).
    exact = np.float64(np.float32(ignore_value)) == ignore_value
    binary = (
        gamma_mode != 2
        and (exact or not has_ignore)
        and _float64_needed(x, y, wy, ignore_value, has_ignore, start, stop) == 0
    )
    # The elementwise loss goes to ``loss`` or, not stored, to a scratch
    # range: the loops store it every element (one copy of each loop).
    out = loss[start:stop] if store_loss else np.empty(stop - start, loss.dtype)
    # (numba cannot inline a call with *args: each call spelled out)
    if binary and gamma_mode == 1:
        if has_ignore:
            return _sigmoid_binary32(
                x, y, wy, a_pos, a_neg, ignore_value, scale, grad, out, start, stop,
                1, True,
            )  # fmt: skip
        return _sigmoid_binary32(
            x, y, wy, a_pos, a_neg, ignore_value, scale, grad, out, start, stop,
            1, False,
        )  # fmt: skip
    if binary:
        if has_ignore:
            return _sigmoid_binary32(
                x, y, wy, a_pos, a_neg, ignore_value, scale, grad, out, start, stop,
                0, True,
            )  # fmt: skip
        return _sigmoid_binary32(
            x, y, wy, a_pos, a_neg, ignore_value, scale, grad, out, start, stop,
            0, False,
        )  # fmt: skip
    if gamma_mode == 1:
        return _sigmoid_loop(
            x, y, wy, a_pos, a_neg, gamma, ignore_value, has_ignore, scale, grad,
            out, start, stop, 1,
        )  # fmt: skip
    if gamma_mode == 0:
        return _sigmoid_loop(
            x, y, wy, a_pos, a_neg, gamma, ignore_value, has_ignore, scale, grad,
            out, start, stop, 0,
        )  # fmt: skip
    return _sigmoid_loop(
        x, y, wy, a_pos, a_neg, gamma, ignore_value, has_ignore, scale, grad,
        out, start, stop, 2,
    )  # fmt: skip


# --------------------------------------------------------------------------
# Softmax focal loss over a range of rows of (R, C) logits
# --------------------------------------------------------------------------
_I32_SIGN_OFF = np.int32(0x7FFFFFFF)
_I32_INF_BITS = np.int32(0x7F800000)


@_inline
def _order_key(bits):  # pragma: no cover - compiled
    """The bits of a float32 as an int32 in the floats' order (NaN aside):
    negative floats get their magnitude bits flipped. Its own inverse."""
    return np.int32(bits ^ ((bits >> np.int32(31)) & _I32_SIGN_OFF))


@_inline
def row_max32(xr):  # pragma: no cover - compiled
    """max of a non-empty float32 row, NaN if it holds a NaN (as ``amax``).

    Integer maxima of the order-preserving bit patterns (and of the
    magnitudes, which tell a NaN): they vectorise, where a float maximum that
    must let NaN through does not.
    """
    top = _order_key(_float32_as_bits(xr[0]))
    magnitude = np.int32(0)
    for j in range(xr.shape[0]):
        bits = _float32_as_bits(xr[j])
        top = max(top, _order_key(bits))
        magnitude = max(magnitude, np.int32(bits & _I32_SIGN_OFF))
    if magnitude > _I32_INF_BITS:
        return np.float32(np.nan)
    return _bits_as_float32(_order_key(top))


@_jit
def softmax_range(  # pragma: no cover - compiled
    x,
    target,
    alpha,
    has_alpha,
    gamma,
    gamma_mode,
    smoothing,
    ignore_index,
    scale,
    grad,
    store_grad,
    fl_rows,
    ce_rows,
    start,
    stop,
):
    """Row losses (focal, cross-entropy) and scaled gradient of rows
    [start, stop); returns the number of out-of-range class indices.

    Raises IndexError (nothing read or written) unless ``0 <= start <=
    stop`` and ``x``, ``target``, ``fl_rows``, ``ce_rows`` (and ``grad`` if
    ``store_grad``, as wide as ``x``) hold ``stop`` rows, and ``alpha`` (if
    ``has_alpha``) a weight per class: the loops do not check them."""
    n_classes = x.shape[1]
    n_rows = min(x.shape[0], target.shape[0], fl_rows.shape[0], ce_rows.shape[0])
    if store_grad:
        n_rows = min(n_rows, grad.shape[0])
        if grad.shape[1] < n_classes:
            raise IndexError("softmax_range: grad narrower than x")
    if has_alpha and alpha.shape[0] < n_classes:
        raise IndexError("softmax_range: alpha shorter than the classes")
    if start < 0 or stop < start or stop > n_rows:
        raise IndexError("softmax_range: [start, stop) outside its arrays")
    bad = 0
    off = smoothing / n_classes
    on = 1.0 - smoothing + off
    for row in range(start, stop):
        t = target[row]
        if t == ignore_index or t < 0 or t >= n_classes:
            if t != ignore_index:
                bad += 1
            fl_rows[row] = 0.0
            ce_rows[row] = 0.0
            if store_grad:
                grad[row, :] = 0.0
            continue
        xr = x[row]
        gr = grad[row]
        mx32 = row_max32(xr)
        mx = np.float64(mx32)
        total = 0.0
        if store_grad and smoothing == 0.0:
            # exp kept in the gradient's row, in float32 (x is float32): eight
            # lanes; then summed in float64 in a loop of its own (in one loop,
            # the float64 sum would set the width: four lanes).
            for j in range(n_classes):
                gr[j] = exp32_nonpos(xr[j] - mx32)
            for j in range(n_classes):
                total += np.float64(gr[j])
        else:
            for j in range(n_classes):
                total += exp_nonpos(np.float64(xr[j]) - mx)
        lse = mx + math.log(total)
        if smoothing == 0.0:
            # one-hot: only the target class has a focal term
            log_pt = np.float64(xr[t]) - lse
            pt = math.exp(log_pt)
            omp = -math.expm1(log_pt)
            w = alpha[t] if has_alpha else 1.0
            mg = focal_power(omp, gamma, gamma_mode)
            fl_rows[row] = w * mg * (-log_pt)
            ce_rows[row] = -log_pt
            if gamma_mode == 0:
                g = -w
            else:
                h = log_pt / omp if omp > 0.0 else -1.0
                g = w * mg * (gamma * pt * h - 1.0)
            if store_grad:
                gs = g * scale
                neg_gs_over_total = np.float32(-gs / total)
                for j in range(n_classes):
                    gr[j] = neg_gs_over_total * gr[j]
                gr[t] = gs * omp
            continue
        fl = 0.0
        ce = 0.0
        g_sum = 0.0
        for j in range(n_classes):
            log_p = np.float64(xr[j]) - lse
            p = exp_nonpos(log_p)
            omp = one_minus_exp(log_p)
            tj = on if j == t else off
            w = tj * alpha[j] if has_alpha else tj
            mg = focal_power(omp, gamma, gamma_mode)
            fl += w * mg * (-log_p)
            ce += tj * (-log_p)
            h = log_p / omp if omp > 0.0 else -1.0
            g = -w if gamma_mode == 0 else w * mg * (gamma * p * h - 1.0)
            g_sum += g
            if store_grad:
                gr[j] = g
        fl_rows[row] = fl
        ce_rows[row] = ce
        if store_grad:
            for j in range(n_classes):
                p = exp_nonpos(np.float64(xr[j]) - lse)
                gr[j] = (np.float64(gr[j]) - p * g_sum) * scale
    return bad


# --------------------------------------------------------------------------
# Driver: fixed chunks over a thread pool
# --------------------------------------------------------------------------
_POOL: ThreadPoolExecutor | None = None
_POOL_SIZE_PID = (0, 0)
_POOL_LOCK = threading.Lock()


def _pool(n_threads: int) -> ThreadPoolExecutor:
    # A new pool when more threads are wanted, and in a forked child (whose
    # copy of the parent's pool has no threads and would never run a task).
    global _POOL, _POOL_SIZE_PID
    with _POOL_LOCK:
        size, pid = _POOL_SIZE_PID
        if _POOL is None or size < n_threads or pid != os.getpid():
            _POOL = ThreadPoolExecutor(n_threads, thread_name_prefix="rebalance-focal")
            _POOL_SIZE_PID = (n_threads, os.getpid())
        return _POOL


def _forget_pool_in_child() -> None:
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_in_child)


def run_chunks(fn: Any, n_units: int, unit_size: int, n_threads: int) -> list[Any]:
    """``fn(start, stop)`` over fixed chunks of ``unit_size`` units; the results
    in chunk order.

    The calling thread and ``n_threads - 1`` pool threads take the next chunk
    from a shared counter until none is left, so the caller starts at once and
    a pool thread that wakes up late (tens to hundreds of microseconds on a
    busy machine) takes fewer chunks instead of delaying the call. Which
    thread computes a chunk never changes its result.
    """
    bounds = [(s, min(s + unit_size, n_units)) for s in range(0, n_units, unit_size)]
    n_threads = min(n_threads, len(bounds))
    if n_threads <= 1:
        return [fn(a, b) for a, b in bounds]
    results: list[Any] = [None] * len(bounds)
    taken = itertools.count()  # next() is atomic under the GIL

    def work() -> None:
        for i in taken:
            if i >= len(bounds):
                return
            results[i] = fn(*bounds[i])

    pool = _pool(n_threads - 1)
    futures = [pool.submit(work) for _ in range(n_threads - 1)]
    try:
        work()
    finally:
        for future in futures:
            future.result()
    return results


def pairwise_sum(values: list[float]) -> float:
    """Sum of float64 partial sums, pairwise (numpy's summation)."""
    if len(values) <= 2:  # pairwise already (and no array for one chunk)
        return float(sum(values, 0.0))
    return float(np.sum(np.asarray(values, dtype=np.float64)))


def warm_up() -> None:
    """Compile (first process) or load from the disk cache (later ones) the
    kernels for the argument types of float32 logits and targets (other
    target dtypes compile on first use)."""
    f4 = np.zeros(2, np.float32)
    sigmoid_range(f4, f4, f4, 0.0, False, 2.0, 1, 0.0, False, 1.0, f4, f4, False, 0, 2)
    x2 = np.zeros((1, 2), np.float32)
    f8 = np.zeros(1, np.float64)
    softmax_range(
        x2, np.zeros(1, np.int64), np.ones(2), False, 2.0, 1, 0.0, -100,
        1.0, x2, True, f8, f8, 0, 1,
    )  # fmt: skip
