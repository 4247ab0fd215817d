"""Fused focal-loss ops: back-end dispatch, custom ops and autograd.

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

Three back ends compute the same closed forms
(:mod:`rebalance.torch._focal_math`), chosen here per call:

* CUDA tensors: the Triton kernels of :mod:`rebalance.torch._focal_triton`
  (imported only then, so ``import rebalance.torch`` does not import triton);
  they compute in float32, so float64 logits (and softmax logits of more
  than 16384 classes) run the eager torch functions of
  :mod:`rebalance.torch._focal_math` on the device instead.
* CPU tensors: float32 and half logits go through the numba kernels
  (:mod:`rebalance.torch._focal_numba`); float64 logits, soft softmax
  targets, ``(N, C, d1, ...)`` softmax logits, and everything when
  ``REBALANCE_FOCAL_NUMBA=0``, run the eager torch functions of
  :mod:`rebalance.torch._focal_math`.
* ``TRITON_INTERPRET=1`` and ``REBALANCE_TRITON_ON_CPU=1``: the Triton
  kernels, interpreted on CPU tensors (used by the tests).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
from typing import Any

import numpy as np
import torch
from torch import Tensor

from rebalance.torch._focal_checks import (
    binary_shape_message,
    binary_targets_message,
    check_binary_target_values,
    check_class_target_values,
    check_has_classes,
    check_pos_weight_shape,
    check_same_device,
    class_targets_message,
    defer_target_check,
    ignore_value,
    is_abstract,
    raise_deferred_target_errors,
)
from rebalance.torch._focal_math import (
    compute_dtype,
    fixed_order_sum,
    grad_dtype,
    sigmoid_focal_chunks,
    softmax_focal_chunks,
)
from rebalance.torch._focal_numba import (
    numba_path,
    sigmoid_focal_numba,
    softmax_focal_numba,
)

__all__ = [
    "SigmoidFocalFunction",
    "SoftmaxFocalFunction",
    "fused_forward",
    "is_abstract",
    "kernel_checks_binary_targets",
    "kernel_checks_class_targets",
    "sigmoid_focal_forward",
    "softmax_focal_forward",
    "triton_available",
    "use_triton",
]


# --------------------------------------------------------------------------
# Back-end choice
# --------------------------------------------------------------------------
def triton_available() -> bool:
    """True when triton can be imported."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def _autocast_off(device_type: str) -> Any:
    """``torch.autocast(device_type, enabled=False)``, or nothing when autocast
    is already off there (entering the context costs ~3 us a call)."""
    if torch.is_autocast_enabled(device_type):
        return torch.autocast(device_type, enabled=False)
    return contextlib.nullcontext()


def interpret_mode() -> bool:
    """True under ``TRITON_INTERPRET=1`` (Triton kernels interpreted on CPU)."""
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


# Largest class count the single-tile softmax kernel handles.
_TRITON_MAX_CLASSES = 16384


def use_triton(x: Tensor) -> bool:
    """True when the Triton kernels handle these logits.

    Not for float64 logits: the kernels compute in float32, and float64
    logits are computed in float64 (the eager torch functions, on any
    device), as documented and as ``gradcheck`` needs.
    """
    if x.dtype == torch.float64:
        return False
    if x.is_cuda:
        return triton_available()
    return interpret_mode() and os.environ.get("REBALANCE_TRITON_ON_CPU") == "1"


def kernel_checks_binary_targets(x: Tensor) -> bool:
    """True when the Triton kernel checks the sigmoid targets (no host check)."""
    return use_triton(x)


def kernel_checks_class_targets(x: Tensor, target: Tensor) -> bool:
    """True when the Triton kernel checks the class indices (no host check)."""
    return (
        not target.is_floating_point()
        and x.dim() >= 2
        and x.shape[1] <= _TRITON_MAX_CLASSES
        and use_triton(x)
    )


# --------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------
def _reduce(
    fl_sum: Tensor,
    ce_sum: Tensor,
    count: Tensor | int,
    reduction: str,
    rescale: bool,
    largest: float = float("inf"),
) -> tuple[Tensor, Tensor | None]:
    """Reduced loss and the detached rescale factor (None when not rescaling).

    The factor is ``ce_sum / fl_sum``, 1 where ``fl_sum`` is 0; a confident
    batch's focal sum can be far below the cross-entropy's (1e-30 in float32,
    1e-300 in float64), so the sum is not clamped: the factor is capped at a
    quarter of ``largest`` instead (see :func:`_reduction_tail`)."""
    factor = None
    if rescale:
        positive = fl_sum > 0
        denominator = torch.where(positive, fl_sum, torch.ones_like(fl_sum))
        # At most a quarter of the compute dtype's largest value: cast to it,
        # the factor (and factor / count) stays finite, and a zero gradient
        # times it stays zero (inf would make it NaN).
        factor = torch.where(positive, ce_sum / denominator, 1.0).clamp(max=largest / 4)
    out = (
        fl_sum * _inverse_count(count, fl_sum.dtype) if reduction == "mean" else fl_sum
    )
    if factor is not None:
        out = out * factor
    return out, factor


def _count(kept: Tensor) -> Tensor | int:
    """How many entries of the mask ``kept`` are set: a host int for CPU
    tensors (the reductions then scale by a Python float, not by tensor ops),
    a tensor on a device (no host-device copy)."""
    if kept.device.type == "cpu" and not torch.compiler.is_compiling():
        return int(kept.sum())
    return kept.sum()


def _inverse_count(count: Tensor | int, dtype: torch.dtype) -> Tensor | float:
    # 1 / count (of an empty or all-ignored batch: 1 / 1). A host int when
    # the count is known there, so the CUDA path needs no host-device copy.
    # A device count is divided in ``dtype``, the logits' compute dtype:
    # ``1.0 / int_tensor`` is float32, which would round a float64 loss's
    # mean and gradient to float32's precision.
    if isinstance(count, int):
        return 1.0 / max(count, 1)
    return 1.0 / count.clamp(min=1).to(dtype)


def _kernel_scale(count: Tensor | int) -> Tensor | float:
    # The kernels take 1/count as a host float, or the count as a device
    # tensor (they clamp it and take the reciprocal themselves).
    return count if isinstance(count, Tensor) else _inverse_count(count, torch.float32)


# --------------------------------------------------------------------------
# Shapes of the op arguments: checked before any kernel reads them
# --------------------------------------------------------------------------
# The ops are public (``torch.ops.rebalance.*``) and their kernels (numba,
# Triton) index the targets, the positive weights and the class weights by the
# logits' sizes without bounds checks: a mismatch would read out of bounds.
def check_sigmoid_shapes(x: Tensor, y: Tensor, pos_weight: Tensor | None) -> None:
    """ValueError unless ``y`` has the shape of ``x`` and ``pos_weight``
    (if any) broadcasts to it, both on the device of ``x``."""
    check_same_device(y, "target", x)
    check_same_device(pos_weight, "pos_weight", x)
    if y.shape != x.shape:
        raise ValueError(binary_shape_message(x, y))
    if pos_weight is not None:
        check_pos_weight_shape(pos_weight, x)


def check_softmax_shapes(x: Tensor, target: Tensor, alpha: Tensor | None) -> None:
    """ValueError unless ``x`` is ``(N, C, ...)``, ``target`` holds one class
    index per row (or class probabilities shaped as ``x``) and ``alpha`` (if
    any) one weight per class, both on the device of ``x``."""
    check_same_device(target, "target", x)
    check_same_device(alpha, "alpha", x)
    if x.dim() < 2:
        raise ValueError(
            f"logits must have shape (N, C) or (N, C, d1, ...), got {tuple(x.shape)}"
        )
    check_has_classes(x)
    if target.is_floating_point():
        expected = tuple(x.shape)
        what = "target of class probabilities"
    else:
        expected = (x.shape[0],) + tuple(x.shape[2:])
        what = "target of class indices"
    if tuple(target.shape) != expected:
        raise ValueError(
            f"{what} must have shape {expected} for logits of shape "
            f"{tuple(x.shape)}, got {tuple(target.shape)}"
        )
    if alpha is not None and tuple(alpha.shape) != (x.shape[1],):
        raise ValueError(
            f"alpha must hold one weight per class, shape ({x.shape[1]},), got "
            f"{tuple(alpha.shape)}"
        )


# --------------------------------------------------------------------------
# Forward passes: (loss, gradient, backward scale), run inside the custom ops
# --------------------------------------------------------------------------
def _fresh(t: Tensor) -> Tensor:
    # A custom op's outputs may not be views (of each other or of inputs).
    return t.clone() if t._base is not None else t


def _sums_checked_later(parts: Tensor, message: str) -> tuple[Tensor, Tensor]:
    """Focal and CE sums of a Triton kernel's ``(3, B)`` partials; the bad-target
    count of the third row is checked later (without waiting for the device)."""
    sums = parts.sum(1)  # one reduction for the three rows
    defer_target_check(sums, 2, message)
    return sums[0], sums[1]


def _reduction_tail(
    x: Tensor,
    losses: Tensor | None,
    fl_sum: Tensor,
    ce_sum: Tensor,
    grad: Tensor | None,
    count: Tensor | int,
    reduction: str,
    rescale: bool,
    presummed: bool,
) -> tuple[Tensor, Tensor, Tensor]:
    """The op's outputs: the loss, the gradient (or an empty tensor) and the
    scale backward multiplies ``grad_output`` by (1 unless rescaling).

    ``losses`` are the per-element (per-row) losses, needed for
    ``reduction='none'``; ``presummed`` says the kernel already divided the
    sums by the count (a plain mean).
    """
    cdt = compute_dtype(x)
    largest = float(torch.finfo(cdt).max) / 4
    # On CPU the factor is read on the host (no sync to wait for): one too
    # large for the compute dtype (a subnormal focal sum in float32) is applied
    # in float64 to the per-element values instead of being clamped.
    exact = x.device.type == "cpu" and not torch.compiler.is_compiling()
    if presummed:
        out, factor = fl_sum, None
    else:
        out, factor = _reduce(
            fl_sum, ce_sum, count, reduction, rescale, math.inf if exact else largest
        )
    if rescale and reduction == "mean":
        if factor is None:  # _reduce returns a factor whenever rescale is set
            raise RuntimeError("rescale=True needs the rescale factor; got None")
        # mean of the rescaled loss: d/dx = factor * dFL_i / count
        factor = factor * _inverse_count(count, cdt)
    # Beyond the compute dtype (only uncapped on CPU): applied in float64.
    fold = factor is not None and exact and float(factor) > largest
    if reduction == "none":
        if losses is None:  # store=True: the kernels kept the per-element losses
            raise RuntimeError("reduction='none' needs the per-element losses")
        if factor is None:
            out = losses
        elif fold:
            out = losses.double() * factor.double()
        else:
            out = losses * factor
    grad = _grad_or_empty(x, grad)
    if fold and factor is not None:
        if grad.numel():
            grad = (grad.double() * factor.double()).to(grad.dtype)
        factor = None  # folded into the gradient
    bscale = (
        torch.ones((), dtype=cdt, device=x.device)
        if factor is None
        else factor.to(cdt).reshape(())
    )
    return _fresh(out.to(cdt)), grad, _fresh(bscale)


def _grad_or_empty(x: Tensor, grad: Tensor | None) -> Tensor:
    """The op's gradient output: ``grad``, or an empty tensor of the
    gradient's dtype when it was not computed."""
    return x.new_empty(0, dtype=grad_dtype(x)) if grad is None else grad


def _host_reduced(
    x: Tensor, value: float, grad: Tensor | None
) -> tuple[Tensor, Tensor, Tensor]:
    """The op's outputs for a loss reduced on the host (CPU, not rescaled):
    ``value`` in the compute dtype, the gradient (or an empty tensor) and a
    backward scale of 1 (see :func:`_reduction_tail`)."""
    cdt = compute_dtype(x)
    return (
        torch.scalar_tensor(value, dtype=cdt, device="cpu"),
        _grad_or_empty(x, grad),
        torch.scalar_tensor(1.0, dtype=cdt, device="cpu"),
    )


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
    """Eager body of ``rebalance::sigmoid_focal``; checks the targets first.

    Which targets are ignored is decided once, here, exactly in the targets'
    own dtype (:func:`ignore_value`): the count, the target check and every
    back end use that decision (``valid``)."""
    check_sigmoid_shapes(x, y, pos_weight)
    raise_deferred_target_errors()
    triton = use_triton(x)
    numba = not triton and numba_path(x)
    ignore = ignore_value(y.dtype, ignore_index)
    valid = None if ignore is None else y != ignore
    if not (triton or numba):  # else: checked in the kernel's pass
        check_binary_target_values(y, valid)
    with _autocast_off(x.device.type):
        count: Tensor | int = x.numel() if valid is None else _count(valid)
        mean = reduction == "mean" and not rescale
        store = reduction == "none"
        if triton:
            from rebalance.torch._focal_triton import sigmoid_focal_triton

            loss, parts, grad = sigmoid_focal_triton(
                x,
                y,
                pos_weight,
                alpha,
                gamma,
                valid,
                _kernel_scale(count) if mean else 1.0,
                store,
                store_grad=needs_grad,
            )
            message = binary_targets_message("outside that range")
            fl_sum, ce_sum = _sums_checked_later(parts, message)
        else:
            scale = _inverse_count(count, compute_dtype(x)) if mean else 1.0
            # The numba kernel also takes the ignored value (it decides per
            # element as the mask does); the eager chunks only the mask.
            if numba:
                loss, fl, ce, grad = sigmoid_focal_numba(
                    x, y, pos_weight, alpha, gamma, ignore, valid, scale, store,
                    needs_grad,
                )  # fmt: skip
                if not (store or rescale) and isinstance(count, int):
                    # The reduced loss from the host sums (float64), no tensor
                    # arithmetic: exactly what _reduction_tail computes.
                    return _host_reduced(x, fl * float(scale) if mean else fl, grad)
                fl_sum, ce_sum = torch.from_numpy(np.array([fl, ce])).unbind()
            else:
                loss, fl_sum, ce_sum, grad = sigmoid_focal_chunks(
                    x, y, pos_weight, alpha, gamma, valid, scale, store, needs_grad
                )
        return _reduction_tail(
            x, loss, fl_sum, ce_sum, grad, count, reduction, rescale, triton and mean
        )


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
    check_softmax_shapes(x, target, alpha)
    raise_deferred_target_errors()
    soft = target.is_floating_point()
    n_classes = x.shape[1]
    triton = kernel_checks_class_targets(x, target)
    numba = not (triton or soft) and x.dim() == 2 and n_classes and numba_path(x)
    if not (triton or soft or numba):  # else: checked in the kernel's pass
        check_class_target_values(target, n_classes, ignore_index)
    with _autocast_off(x.device.type):
        if soft:
            count: Tensor | int = x.numel() // max(n_classes, 1)
        else:
            count = _count(target != ignore_index)
        mean = reduction == "mean" and not rescale
        if triton:
            from rebalance.torch._focal_triton import softmax_focal_triton

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
            message = class_targets_message(
                n_classes, ignore_index, "outside that range"
            )
            fl_sum, ce_sum = _sums_checked_later(rows.view(3, -1), message)
            fl = rows[0]
        else:
            scale = _inverse_count(count, compute_dtype(x)) if mean else 1.0
            cpu = softmax_focal_numba if numba else softmax_focal_chunks
            fl, ce, grad = cpu(
                x, target, alpha, gamma, ignore_index, label_smoothing, scale
            )
            # (in an order the thread count does not change, as the kernels')
            fl_sum, ce_sum = fixed_order_sum(fl), fixed_order_sum(ce)
            if not needs_grad:
                grad = None
        return _reduction_tail(
            x, fl, fl_sum, ce_sum, grad, count, reduction, rescale, triton and mean
        )


def _refuse_forward_mode(x: Tensor) -> None:
    """Raise in an op's body under forward-mode AD (and where
    :func:`check_differentiation` would). The ops' registered autograd has no
    forward-mode formula: with dual inputs (which do not require grad) it
    runs the body without grad and the tangent is silently 0 or None. A
    ``torch.jit.trace`` (saved or not) calls the op directly, where the
    loss's own check does not run; under ``torch.func.jvp`` the body sees
    neither the transform nor the tangent, only the open dual level (so
    the op refuses inputs without a tangent inside a dual level too; the
    eager loss, which does not call the op, checks the tangent itself)."""
    if getattr(torch.autograd.forward_ad, "_current_level", -1) >= 0:
        raise RuntimeError(_FORWARD_MODE_MESSAGE)
    check_differentiation(x)


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
    _refuse_forward_mode(x)
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
    _refuse_forward_mode(x)
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
    cdt = compute_dtype(x)
    out = x.new_empty(loss_shape if reduction == "none" else (), dtype=cdt)
    grad = x.new_empty(x.shape if needs_grad else (0,), dtype=grad_dtype(x))
    return out, grad, x.new_empty((), dtype=cdt)


@_sigmoid_focal_op.register_fake
def _(x, y, pos_weight, alpha, gamma, ignore_index, reduction, rescale, needs_grad):
    check_sigmoid_shapes(x, y, pos_weight)
    return _fake_outputs(x, tuple(x.shape), reduction, needs_grad)


@_softmax_focal_op.register_fake
def _(x, target, alpha, gamma, ignore_index, smoothing, reduction, rescale, needs_grad):
    check_softmax_shapes(x, target, alpha)
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

    Under torch.compile tracing, a torch.func transform or
    ``torch.jit.trace`` this is the custom op (the trace records the op,
    which runs at each call of the traced function, where the numba kernels
    cannot take traced sizes and the eager path would be recorded op by op);
    in eager mode the op's body is called directly: a custom op's first call
    imports torch._dynamo (seconds), and eager mode needs none of it.
    """
    if (
        torch.compiler.is_compiling()
        or torch._C._are_functorch_transforms_active()
        or torch.jit.is_tracing()
        or is_abstract(args[0], args[1])
    ):
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
    """The saved gradient times ``go`` (and the saved scale), in the logits'
    dtype (the gradient of float16 logits is saved in float32, see
    :func:`~rebalance.torch._focal_math.grad_dtype`: scaled there, then cast).
    """
    return _scaled_saved_grad(ctx, go).to(ctx.dtype)


def _scaled_saved_grad(ctx: Any, go: Tensor) -> Tensor:
    """The saved gradient times ``go`` (and the saved scale), for backward.

    For a scalar loss the scale is a one-element tensor that is usually 1
    (``loss.backward()``). In eager mode on CPU the gradient is then returned
    as it is (no copy) by the first backward, and as a new tensor by any
    later one through a retained graph, so no two calls share memory (writing
    into the first one's result, then calling backward again, raises torch's
    in-place modification error). Asking the host whether it is 1 would be a host-device
    sync on CUDA; on the Triton path the saved gradient is scaled in place
    instead, without reading the scale on the host: by a torch
    multiplication up to ``_TORCH_SCALE_MAX`` elements, above that by a
    kernel that does nothing when the scale is 1 (read on the device).
    A second backward through the same graph (``retain_graph=True``) finds
    the buffer already scaled by the first one's scale and divides it out,
    out of place (NaN if that scale was 0). Under tracing (torch.compile,
    torch.func) backward is the plain product.
    """
    grad = ctx.saved_tensors[0]
    s = ctx.saved_tensors[1] * go if ctx.rescale else go
    if s.numel() != 1:  # reduction='none': one scale per element or row
        return grad * (s.unsqueeze(1) if ctx.per_row else s)
    if not _eager(go) or is_abstract(grad, go):
        return grad * s.reshape(()).to(grad.dtype)
    raise_deferred_target_errors()
    if not ctx.triton:
        s = s.reshape(())
        if grad.device.type != "cpu":  # no host-device sync for the check
            return grad * s.to(grad.dtype)
        if s.item() == 1.0 and ctx.applied is None:  # CPU: the check is free
            ctx.applied = s  # handed out once: a later backward gets a copy
            return grad
        return grad * s
    s = s.to(torch.float32)
    if ctx.applied is None:
        ctx.applied = s
        if grad.numel() <= _TORCH_SCALE_MAX and grad.dtype == torch.float32:
            # (float32 only: a bfloat16 gradient times a float32 device
            # scalar rounds the scale to bfloat16; the kernel does not)
            # A small gradient: one torch op launches in a fraction of a
            # Triton kernel's host time, and the GPU work (a few MB) is
            # negligible. Through .data: the saved tensor's version counter
            # stays, as with the kernel (a retained graph can run again).
            grad.data.mul_(s)
        else:
            from rebalance.torch._focal_triton import scale_inplace_triton

            scale_inplace_triton(grad, s)
        return grad
    ratio = torch.where(s == ctx.applied, 1.0, s / ctx.applied)
    return grad * ratio.to(grad.dtype).reshape(())


# Largest saved gradient the Triton path's backward scales with a torch
# multiplication (which reads and writes it even when the scale is 1) rather
# than with the scale kernel (a no-op then, but slower to launch).
_TORCH_SCALE_MAX = 1 << 20


def _setup_context(ctx: Any, inputs: Any, output: Any, per_row: bool) -> None:
    _, grad, bscale = output
    rescale = inputs[7]
    ctx.mark_non_differentiable(grad, bscale)
    # Only the loss takes a gradient: do not fill zeros of the gradient's
    # size for the other two outputs before every backward.
    ctx.set_materialize_grads(False)
    if rescale:
        ctx.save_for_backward(grad, bscale)
    else:
        ctx.save_for_backward(grad)
    ctx.rescale = rescale
    ctx.triton = use_triton(inputs[0])
    ctx.dtype = inputs[0].dtype
    ctx.applied = None
    ctx.per_row = per_row
    # Under torch.func (checked for nesting in check_differentiation) the
    # backward runs with grad mode on without create_graph meaning a second
    # derivative.
    ctx.functorch = torch._C._are_functorch_transforms_active()


_DOUBLE_BACKWARD_MESSAGE = (
    "the fused focal losses (sigmoid_focal_loss, softmax_focal_loss) have no "
    "second derivative, and their gradient is being taken to be "
    "differentiated again (create_graph=True, e.g. for a gradient penalty, a "
    "Hessian or second-order MAML, or nested torch.func transforms). Compute "
    "such a term with an autograd formula of the loss instead (e.g. "
    "torchvision.ops.sigmoid_focal_loss), or take the gradient without "
    "create_graph=True."
)
_FORWARD_MODE_MESSAGE = (
    "the fused focal losses (sigmoid_focal_loss, softmax_focal_loss) have no "
    "forward-mode derivative (torch.func.jvp, jacfwd, hessian, "
    "torch.autograd.forward_ad): use an autograd formula of the loss there "
    "(e.g. torchvision.ops.sigmoid_focal_loss)."
)


def check_differentiation(logits: Tensor) -> None:
    """Raise RuntimeError where a fused loss would give a wrong derivative:
    forward-mode AD (a tangent of 0) and nested reverse-mode torch.func
    transforms (a Hessian of 0: the saved gradient is a constant to the
    outer transform). One ``grad``/``vjp``/``jacrev`` level, with ``vmap``
    around it (per-sample gradients), is fine."""
    if torch._C._are_functorch_transforms_active():
        try:
            from torch._C._functorch import TransformType
            from torch._functorch.pyfunctorch import (
                retrieve_all_functorch_interpreters,
            )
        except ImportError:  # pragma: no cover - a torch without them
            return
        keys = [i.key() for i in retrieve_all_functorch_interpreters()]
        if TransformType.Jvp in keys:
            raise RuntimeError(_FORWARD_MODE_MESSAGE)
        if keys.count(TransformType.Grad) > 1:
            raise RuntimeError(_DOUBLE_BACKWARD_MESSAGE)
    forward_ad = torch.autograd.forward_ad
    if getattr(forward_ad, "_current_level", -1) >= 0:
        if forward_ad.unpack_dual(logits).tangent is not None:
            raise RuntimeError(_FORWARD_MODE_MESSAGE)


@torch.autograd.function.once_differentiable
def _single_backward(ctx: Any, go: Tensor) -> tuple[Tensor | None, ...]:
    return (_scaled_grad(ctx, go),) + (None,) * 8


class _FusedFocalFunction(torch.autograd.Function):
    """Autograd around a fused focal op: ``forward`` returns (loss, gradient,
    backward scale) and the gradient is saved; ``backward`` only scales it.

    ``setup_context`` (not ``ctx`` in ``forward``) and ``generate_vmap_rule``
    let torch.func transforms (grad, vjp, vmap) and torch.compile go through.
    Single backward only: a backward with ``create_graph=True`` raises at
    once (``once_differentiable`` alone raises only when ``grad_output``
    requires grad, and otherwise hands back a detached gradient, so a
    gradient penalty on it silently lost its term); forward-mode AD and nested
    torch.func transforms raise in :func:`check_differentiation`.
    """

    generate_vmap_rule = True

    @staticmethod
    def backward(ctx: Any, go: Tensor | None, *_: Any) -> tuple[Tensor | None, ...]:
        if go is None:  # not materialised: the loss got no gradient
            return (None,) * 9
        if torch.is_grad_enabled() and _eager(go) and not ctx.functorch:
            # create_graph=True: the gradient is to be differentiated again,
            # but the saved one is a constant. Raise now: an error node on
            # the returned gradient would be skipped by autograd.grad(...,
            # inputs=logits) and by functional.hessian (a silent 0).
            raise RuntimeError(_DOUBLE_BACKWARD_MESSAGE)
        return _single_backward(ctx, go)


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


# The ops' own autograd (the Functions' setup and backward): a
# ``torch.jit.trace`` of a training step records the op itself, which the
# saved TorchScript module runs and differentiates (a traced autograd
# Function is a Python call TorchScript cannot save). Elsewhere the
# Functions above call the op with grad mode off, where this is not used.
for _name, _per_row in (("sigmoid_focal", False), ("softmax_focal", True)):
    torch.library.register_autograd(
        f"rebalance::{_name}",
        _FusedFocalFunction.backward,
        setup_context=functools.partial(_setup_context, per_row=_per_row),
    )


# torch.autograd.Function.apply binds the arguments to ``forward``'s signature
# on every call (for setup_context); inspect.signature is the slow part of a
# small loss call unless the signature is given.
for _function in (SigmoidFocalFunction, SoftmaxFocalFunction):
    _function.forward.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL)]
    )
