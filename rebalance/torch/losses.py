"""Losses for imbalanced classification.

Each loss is a typed function plus a thin :class:`torch.nn.Module` holding its
keyword arguments. ``reduction`` is one of ``'none'``, ``'mean'`` and
``'sum'``. Inputs are never modified in place, and bad input raises a
``TypeError`` or ``ValueError`` that names the argument before any work.

Names follow one rule: every loss function and every Module's ``forward``
takes ``(logits, target, ...)``, as in :mod:`torch.nn.functional`, and a
Module is named after its function in CamelCase plus ``Loss`` (a trailing
``_loss`` dropped): ``sigmoid_focal_loss`` / ``SigmoidFocalLoss``,
``class_scaled_cross_entropy`` / ``ClassScaledCrossEntropyLoss``. Acronyms
stay upper-case, as in torch (``ohem_loss`` / ``OHEMLoss``, which wraps a
per-sample criterion). Names that broke the rule before keep working with a
``FutureWarning`` until 0.3, outside ``__all__``: the keyword ``targets=`` of
``sigmoid_focal_loss`` and ``class_weighted_binary_cross_entropy`` (and
their Modules' ``forward``), ``ClassWeightedBCEWithLogitsLoss`` and
``BalancedSoftmaxLoss``.

A Module's tensor argument (``pos_weight``, the softmax focal loss's
``alpha``, ``class_weight``, ``priors``, ``class_counts``) is a buffer, as
``weight`` and ``pos_weight`` of torch's losses are: ``model.to(device)``,
``.double()`` and ``.half()`` move and cast it (a float16 cast rounds it,
and turns counts above 65504 into inf: give counts as an integer tensor,
which casts leave alone, or as a list) and ``state_dict()`` holds it
(``nn.CrossEntropyLoss``'s ``weight`` loads into
``ClassWeightedCrossEntropyLoss``). Given as a dict, a list or an array it
is a plain attribute, like the other arguments (and a state_dict holding it
restores it as a buffer). A state_dict without it (saved before these
buffers existed, or by a Module given a list) loads with ``strict=True``
and leaves the Module's own. Under autocast, the plain losses apply class
weights, soft binary targets and logit adjustments to half-precision logits
in float32, as torch's losses do.

The focal losses are *fused*: forward computes the loss and its gradient in
one pass (a Triton kernel on CUDA, a fused CPU path otherwise, see
:mod:`rebalance.torch._focal_ops`) and backward only scales the saved
gradient. They compute in float32 for half-precision logits (also under
fp16/bf16 autocast) and in float64 for float64 logits, and are finite at
logits of any magnitude and for every ``gamma >= 0``. The saved gradient of
float16 logits is kept in float32 and cast to float16 after backward has
scaled it, so a ``GradScaler``'s scale reaches it first (in float16 the
per-element gradient of a large batch's mean would underflow). Their
gradient flows to the logits only (a target, ``alpha`` or ``pos_weight``
that requires grad is a ValueError, not a silent missing gradient), and
they support a single backward: taking their gradient
with ``create_graph=True`` (for a gradient penalty, a Hessian, second-order
MAML) raises a RuntimeError, as do forward-mode AD and nested torch.func
transforms (``jacrev(grad(f))``).

``reduction='mean'`` of a focal loss averages over the elements (sigmoid) or
rows (softmax) that are not ignored, unweighted by ``alpha`` (the focal-loss
convention; ``cross_entropy(weight=...)`` instead divides by the summed
weights). An empty batch, or one where every target is ignored, gives a loss
of 0 (``cross_entropy`` gives NaN) and a zero gradient, so it adds nothing
to accumulated gradients. So do :func:`margin_cross_entropy`,
:func:`class_scaled_cross_entropy`, :func:`weighted_softmax_loss` and
:func:`ohem_loss`; the losses that are
``cross_entropy`` or ``binary_cross_entropy_with_logits`` on weighted or
adjusted inputs (:func:`class_weighted_cross_entropy`,
:func:`class_weighted_binary_cross_entropy`,
:func:`logit_adjusted_cross_entropy`,
:func:`balanced_softmax_cross_entropy`) keep torch's NaN mean there (with a
zero gradient). Under DistributedDataParallel, which averages the ranks'
gradients, ``'mean'`` is each rank's mean over its own non-ignored samples:
with ranks holding different numbers of them this is not the mean over the
global batch. For that, take ``reduction='sum'`` times the world size over
the global count of non-ignored samples (an ``all_reduce`` of the ranks'
counts).

Out-of-range targets of a focal loss (sigmoid targets outside [0, 1], class
indices outside [0, C)) raise ``ValueError``. On CPU this happens at the
call. On CUDA the Triton kernel checks them in its pass and the host does not
wait for the answer (a host-device sync per call would cost a large share of
the step): the offending entries get a NaN loss and gradient, so the
returned loss is NaN, and the ``ValueError`` is raised by the first
focal-loss call or backward whose host side runs after that kernel finished
(typically the next training step; ``torch.cuda.synchronize()`` first makes
it the very next call).

torch.compile and torch.func: each fused focal loss is a custom op
(``torch.ops.rebalance.sigmoid_focal`` / ``softmax_focal``, with a fake
implementation for tracing) inside an autograd Function with
``setup_context``, so ``torch.compile(model, fullgraph=True)`` traces a
training step without a graph break, and ``torch.func.grad``, ``vjp`` and
``vmap`` work (``vmap`` runs the op once per sample, e.g. for per-sample
gradients); ``torch.jit.trace`` and ``torch.export`` record the op too.
A saved trace calls the ops by name: in a new process, import
``rebalance.torch.losses`` (e.g. ``from rebalance.torch import
SoftmaxFocalLoss``) before ``torch.jit.load``, which otherwise raises
"Unknown builtin op: rebalance::softmax_focal" (``import rebalance.torch``
alone does not load the losses).
``torch.jit.script`` cannot compile the losses or their Modules (a model
holding one included): it raises a TypeError saying so.
Their target checks run inside the op, so they also apply to compiled and
traced code (a ``torch.jit.trace`` function raises them as the
TorchScript interpreter's RuntimeError, holding the ValueError's message).
Second derivatives (double backward, ``torch.func.hessian``, forward-mode
AD) raise rather than return the zero Hessian of a saved gradient. The
other losses check the *values* of tensor arguments (class indices in range,
tensor class weights or priors finite and positive) only in eager mode:
under torch.compile tracing or a torch.func transform those checks are
skipped (``cross_entropy`` itself still rejects out-of-range class
indices). Python and numpy arguments are always checked.

Meta tensors and ``FakeTensorMode`` (shape and memory tracing) work as with
``cross_entropy``: every loss returns a loss of the right shape and dtype
and a gradient of the logits' shape; the value checks, which have nothing to
read there, are skipped.
"""

from __future__ import annotations

import fractions
import functools
import inspect
import math
import reprlib
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch._functorch.utils import unwrap_dead_wrappers

from rebalance._frames import is_pandas
from rebalance._validation import check_bool
from rebalance.torch._deprecations import (
    deprecated_subclass,
    pass_through,
    renamed_keyword,
)
from rebalance.torch._focal_checks import (
    SKIP_BY_DROPPING,
    binary_shape_message,
    check_binary_target_values,
    check_class_target_values,
    check_has_classes,
    check_pos_weight_shape,
    check_same_device,
    int64_targets,
    values_hidden,
)
from rebalance.torch._focal_ops import (
    SigmoidFocalFunction,
    SoftmaxFocalFunction,
    check_differentiation,
    fused_forward,
)

__all__ = [
    "BalancedSoftmaxCrossEntropyLoss",
    "ClassScaledCrossEntropyLoss",
    "ClassWeightedBinaryCrossEntropyLoss",
    "ClassWeightedCrossEntropyLoss",
    "LogitAdjustedCrossEntropyLoss",
    "MarginCrossEntropyLoss",
    "OHEMLoss",
    "SigmoidFocalLoss",
    "SoftmaxFocalLoss",
    "WeightedSoftmaxLoss",
    "adjust_logits",
    "balanced_softmax_cross_entropy",
    "class_scaled_cross_entropy",
    "class_weighted_binary_cross_entropy",
    "class_weighted_cross_entropy",
    "logit_adjusted_cross_entropy",
    "margin_cross_entropy",
    "ohem_loss",
    "sigmoid_focal_loss",
    "softmax_focal_loss",
    "weighted_softmax_loss",
]

ClassVector = Mapping[Any, float] | Sequence[float] | np.ndarray | Tensor
_REDUCTIONS = ("none", "mean", "sum")


# --------------------------------------------------------------------------
# Validation helpers (one place for each rule)
# --------------------------------------------------------------------------
def _check_reduction(reduction: str) -> None:
    # ``in`` first compares by equality: an array's ``==`` is elementwise
    # (its truth value an unrelated numpy error), so only strings are looked up.
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'none', 'mean', 'sum'; got {reduction!r}"
        )


def _check_dense(tensor: Tensor, name: str) -> None:
    """TypeError for a sparse (or other non-strided) or nested tensor, which
    the losses' reshapes and elementwise ops cannot read (torch's own error
    names no argument)."""
    if tensor.is_nested:  # (jagged layout, or strided: both fail in torch)
        raise TypeError(
            f"{name} must be a regular dense tensor, got a nested tensor; "
            f"pass its items as one tensor, e.g. torch.cat({name}.unbind()) "
            "(and the other argument likewise)"
        )
    if tensor.layout != torch.strided:
        raise TypeError(
            f"{name} must be a dense tensor, got layout {tensor.layout}; "
            f"pass {name}.to_dense()"
        )


def _check_logits(logits: Any, name: str = "logits") -> None:
    if not isinstance(logits, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(logits).__name__}")
    _check_dense(logits, name)
    # float8 is floating point, but torch cannot promote it to the float32
    # the losses compute in (its RuntimeError names no argument).
    if not logits.is_floating_point() or logits.dtype.itemsize == 1:
        raise TypeError(
            f"{name} must be a floating-point tensor (float16, bfloat16, float32 "
            f"or float64), got {logits.dtype}; pass {name}.float()"
        )


# Checks that read tensor values (host syncs, data-dependent branches) are
# skipped where values_hidden; the fused focal losses check their targets
# inside their ops instead, so for them nothing is skipped.
_tracing = values_hidden


def _scalar(value: Any) -> Any:
    """numpy scalars, 0-d arrays and 0-d tensors as the Python number they hold."""
    if isinstance(value, Tensor) and value.dim() == 0:
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _finite(value: float) -> bool:
    """``math.isfinite`` by comparisons (False for NaN), which torch.compile
    also traces for the symbolic floats of ``dynamic=True`` (the float
    attributes of a loss Module become such floats; ``math.isfinite`` of one
    breaks the graph)."""
    return -math.inf < value < math.inf


def _differentiated(value: Any) -> bool:
    """True for a tensor that requires grad, with grad enabled (also inside
    ``torch.func.grad``): its caller expects a gradient."""
    return isinstance(value, Tensor) and value.requires_grad and torch.is_grad_enabled()


def _holds_differentiated(values: Any) -> bool:
    """True for (nested) dicts, lists and tuples holding a tensor that
    requires grad (read as Python numbers, its gradient would be lost)."""
    if isinstance(values, Mapping):
        values = list(values.values())
    if isinstance(values, list | tuple):
        return any(_holds_differentiated(v) for v in values)
    return _differentiated(values)


def _check_constant(value: Any, name: str, example: str) -> None:
    """ValueError if ``value`` is a tensor that requires grad (with grad
    enabled) where the loss uses it as a constant: it would silently get no
    gradient (None, or zeros under ``torch.func.grad``)."""
    if _differentiated(value):
        raise ValueError(
            f"{name} requires grad, but this loss uses it as a constant: it "
            f"would get no gradient. Pass {name}.detach() (e.g. {name}={example}), "
            "or compute the loss under torch.no_grad()"
        )


def _check_constant_target(target: Any) -> None:
    """ValueError if the (soft) ``target`` of a fused focal loss requires grad
    (with grad enabled, also inside ``torch.func.grad``): the fused op
    differentiates the logits only, so the target would silently get no
    gradient (None, or zeros under ``torch.func.grad``), where
    ``cross_entropy`` and ``binary_cross_entropy_with_logits`` give it one."""
    if _differentiated(target):
        raise ValueError(
            "target requires grad, but the fused focal losses differentiate the "
            "logits only: it would get no gradient (cross_entropy would give "
            "it one). Pass target.detach() (e.g. soft labels from a teacher "
            "model), or compute the loss under torch.no_grad()"
        )


# The smallest int that float() cannot convert (rounds past float64's max).
_FLOAT_INT = 2**1024 - 2 ** (1024 - 54)


def _real(value: Any, name: str, example: str | None = None) -> float:
    """``value`` as a float; TypeError naming ``name`` unless it is a real
    number; ValueError for a tensor that requires grad (see
    :func:`_check_constant`): the float would silently drop its gradient."""
    _check_constant(value, name, "2.0" if example is None else example)
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        fix = "pass numbers only" if example is None else f"pass e.g. {name}={example}"
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} "
            f"{value!r:.40}; {fix}"
        )
    if isinstance(value, int) and not -_FLOAT_INT < value < _FLOAT_INT:
        # float() raises OverflowError, naming nothing: the infinity it stands
        # for, which the caller's range check refuses naming the argument
        return math.inf if value > 0 else -math.inf
    return float(value)


def _class_index(value: Any, name: str, example: int = -100) -> int:
    """``value`` as an int class index; TypeError unless it is an integer
    (naming ``{name}={example}``: -100 is ``ignore_index``'s usual value, a
    class of the scores another argument's)."""
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} must be an integer class index, got {type(value).__name__} "
            f"{value!r:.40}; pass an int (e.g. {name}={example})"
        )
    return value


_INT64 = (-(2**63), 2**63 - 1)


def _check_ignore_index(ignore_index: Any) -> int:
    """``ignore_index`` of a class-index loss: an int that fits int64."""
    ignore_index = _class_index(ignore_index, "ignore_index")
    if not _INT64[0] <= ignore_index <= _INT64[1]:
        raise ValueError(
            f"ignore_index must fit int64 (the dtype of class indices), got "
            f"{ignore_index}; pass e.g. ignore_index=-100"
        )
    return ignore_index


def _check_flag(value: Any, name: str) -> bool:
    """``value`` (also a 0-d tensor or array) as a bool: :func:`check_bool`."""
    return check_bool(_scalar(value), name)


def _check_margin(margin: Any) -> float:
    margin = _real(margin, "margin", "0.8")
    if not 0.5 < margin <= 1.0:
        raise ValueError(f"margin must be in (0.5, 1], got {margin}; pass e.g. 0.8")
    return margin


def _vmapped(t: Tensor) -> bool:
    """Whether ``t`` is mapped over by a ``torch.func.vmap`` at any level
    (under ``vmap(grad(...))`` a gradient-tracking wrapper holds the batched
    tensor): its value cannot be read."""
    functorch = torch._C._functorch
    while functorch.is_functorch_wrapped_tensor(t):
        if functorch.is_batchedtensor(t):
            return True
        t = functorch.get_unwrapped(t)
    return False


def _check_tau(tau: Any) -> float | None:
    """``tau`` as a float (a 0-d tensor that requires grad too: the logit
    adjustment keeps its gradient, see :func:`_log_priors`); None for a 0-d
    real tensor under torch.compile tracing, where its value cannot be read
    (``fullgraph=True`` failed there), or for one of the taus a
    ``torch.func.vmap`` maps over: it is used as the tensor it is, its value
    unchecked, as other tensor arguments are there."""
    if isinstance(tau, Tensor) and tau.dim() == 0:
        if tau.is_complex() or tau.dtype == torch.bool:
            # (named from the dtype: a vmapped tau's value cannot be read)
            raise TypeError(
                f"tau must be a real number, got a {tau.dtype} tensor; pass e.g. "
                "tau=1.0"
            )
        if torch.compiler.is_compiling() or _vmapped(tau):
            return None
    tau = _real(tau.detach() if _differentiated(tau) else tau, "tau", "1.0")
    if not _finite(tau):
        raise ValueError(f"tau must be a finite number, got {tau}; pass e.g. tau=1.0")
    return tau


def _check_scale(scale: Any, name: str, dtype: torch.dtype = torch.float64) -> float:
    """A loss multiplier: finite, ``>= 0`` and representable in ``dtype``."""
    scale = _real(scale, name, "2.0")
    if not (_finite(scale) and scale >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {scale}")
    if scale > torch.finfo(dtype).max:
        raise ValueError(
            f"{name}={scale:g} overflows {dtype} (the dtype the loss is computed "
            f"in, at most {torch.finfo(dtype).max:.4g}); pass a smaller {name}"
        )
    return scale


def _check_class_index_arg(value: Any, name: str, n_classes: int | None) -> int:
    """The class a loss singles out: in ``[0, n_classes)`` (``>= 0`` if unknown)."""
    given = _scalar(value)
    whole = isinstance(given, float) and given.is_integer() and given >= 0
    value = _class_index(value, name, example=int(given) if whole else 1)
    if value < 0 or (n_classes is not None and value >= n_classes):
        upper = "C - 1" if n_classes is None else n_classes - 1
        raise ValueError(f"{name} must be a class index in [0, {upper}], got {value}")
    return value


def _check_gamma(gamma: Any) -> float:
    gamma = _real(gamma, "gamma", "2.0")
    if not _finite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma}")
    return gamma


def _check_smoothing(label_smoothing: Any) -> float:
    label_smoothing = _real(label_smoothing, "label_smoothing", "0.1")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    return label_smoothing


def _check_binary_targets(logits: Tensor, target: Any, ignore_index: Any) -> None:
    if not isinstance(target, Tensor):
        raise TypeError(f"target must be a torch.Tensor, got {type(target).__name__}")
    _check_dense(target, "target")
    check_same_device(target, "target", logits)
    if target.shape != logits.shape:
        raise ValueError(binary_shape_message(logits, target))
    if target.is_complex():
        raise TypeError(f"target must be real, got {target.dtype}")


def _check_binary_target_values(target: Tensor) -> None:
    """:func:`check_binary_target_values` outside tracing, for a loss without
    an ``ignore_index`` (the error says to drop the entries)."""
    if not _tracing(target):
        check_binary_target_values(target, None, SKIP_BY_DROPPING)


def _check_class_targets(
    logits: Tensor,
    target: Any,
    ignore_index: int,
    allow_soft: bool = True,
    check_values: bool = True,
    soft_ignore: bool = False,
    check_probabilities: bool = False,
) -> None:
    """Validate ``target`` for ``(N, C, ...)`` logits like ``cross_entropy``.

    ``soft_ignore=True``: with class-probability targets ``ignore_index`` is
    simply unused (the focal loss; mixup batches mixed with hard ones) rather
    than an error (``cross_entropy`` refuses it). ``check_probabilities``:
    CPU probabilities outside [0, 1] raise (the focal loss).

    ``check_values=False`` skips the range check of the class indices where
    the loss's own op checks them instead (the fused focal loss); it is also
    skipped under tracing (``cross_entropy`` checks them there).
    """
    if not isinstance(target, Tensor):
        raise TypeError(f"target must be a torch.Tensor, got {type(target).__name__}")
    _check_dense(target, "target")
    check_same_device(target, "target", logits)
    if logits.dim() < 2:
        raise ValueError(
            f"logits must have shape (N, C) or (N, C, d1, ...), got "
            f"{tuple(logits.shape)}; for binary logits use a sigmoid loss"
        )
    check_has_classes(logits)
    if target.is_floating_point():
        _check_float_class_indices(logits, target)
        if not allow_soft:
            raise TypeError(
                f"target must hold class indices (an integer tensor), got "
                f"{target.dtype}; pass target.long()"
            )
        if target.shape != logits.shape:
            raise ValueError(
                "target of probabilities must have the shape of logits "
                f"{tuple(logits.shape)}, got {tuple(target.shape)}"
            )
        if ignore_index != -100 and not soft_ignore:
            raise ValueError(
                f"ignore_index={ignore_index} is not supported with class-"
                f"probability targets (a {target.dtype} target): leave "
                "ignore_index=-100 and drop the rows to skip, or pass class indices"
            )
        if check_probabilities and target.device.type == "cpu" and not _tracing(target):
            # The focal loss weighs by (1 - p)**gamma against these: a
            # negative "probability" gives a meaningless loss, not an error.
            # (cross_entropy itself takes any values; CUDA targets are not
            # read back to the host here.)
            _check_probabilities(target)
        return
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(f"target must hold class indices (int64), got {target.dtype}")
    expected = (logits.shape[0],) + tuple(logits.shape[2:])
    if tuple(target.shape) != expected:
        hint = ""
        if target.shape == logits.shape:
            hint = (
                f"; for one-hot labels pass class indices, target.argmax(1)"
                f"{', or probabilities, target.float()' if allow_soft else ''}"
            )
        elif target.dim() == len(expected) + 1 and target.shape[1] == 1:
            if tuple(target.shape[:1] + target.shape[2:]) == expected:
                # a mask loaded with its channel dim, (N, 1, H, W)
                hint = "; drop its dim 1 of size 1: target.squeeze(1)"
        raise ValueError(
            f"target must have shape {expected} for logits of shape "
            f"{tuple(logits.shape)}, got {tuple(target.shape)}{hint}"
        )
    if check_values and not _tracing(logits, target):
        check_class_target_values(target, logits.shape[1], ignore_index)


def _check_float_class_indices(logits: Tensor, target: Tensor) -> None:
    """TypeError for class indices held in a float tensor: a float ``target``
    shaped as class indices of ``(N, C, ...)`` logits (``(N,)`` for
    ``(N, C)``), which no loss can read as class probabilities (those have
    the shape of the logits), nor as binary labels (nor those)."""
    if (
        target.is_floating_point()
        and logits.dim() >= 2
        and logits.shape[1] > 1
        and tuple(target.shape) == (logits.shape[0],) + tuple(logits.shape[2:])
    ):
        raise TypeError(
            f"target of shape {tuple(target.shape)} looks like class indices for "
            f"logits of shape {tuple(logits.shape)}, but is {target.dtype}: pass "
            "integer class indices, target.long() (or class probabilities with "
            "the shape of logits)"
        )


def _check_probabilities(target: Tensor) -> None:
    """Raise ValueError unless the class probabilities lie in [0, 1] (NaN
    passes: it propagates to the loss, as in the logits)."""
    if target.numel() == 0:
        return
    outside = (target < 0) | (target > 1)
    if bool(outside.any()):
        bad = target[outside]
        raise ValueError(
            "target of class probabilities must lie in [0, 1], got values in "
            f"[{bad.min().item():.17g}, {bad.max().item():.17g}] outside it; "
            "pass a distribution per row (e.g. torch.softmax of scores), or "
            "class indices"
        )


def _long_target(target: Tensor) -> Tensor:
    """Class indices of any integer dtype (int8, uint8, ...) as int64."""
    if target.is_floating_point():
        return target
    return int64_targets(target)


def _too_large(name: str, dtype: torch.dtype, got: Any, fix: str) -> ValueError:
    """The error for ``name`` holding a value beyond ``dtype``, the dtype it
    is used in (the logits' compute dtype, or a loss Module's buffer)."""
    return ValueError(
        f"{name} must fit {dtype} (the dtype it is used in, at most "
        f"{torch.finfo(dtype).max:.4g}), got {got}; {fix}"
    )


def _class_floats(
    values: Any,
    n_classes: int | None,
    name: str,
    dtype: torch.dtype = torch.float64,
    positive: bool = False,
    nonzero: bool = False,
) -> list[float] | None:
    """The checked values of a per-class vector given as Python or numpy
    numbers, or None for a tensor (see :func:`_class_tensor`).

    A dict ``{class: value}`` (keys read by :func:`_class_key`: integers,
    bools, integral floats), a sequence or a 1-d array, one finite value per
    class (``n_classes`` of them; ``None`` when not known yet, e.g. in a loss
    Module's ``__init__``), ``> 0`` if ``positive`` else ``>= 0``, not all 0
    if ``nonzero``, and representable in ``dtype``. Checked on the host, so
    torch.compile sees constants.
    """
    classes = "0..C-1" if n_classes is None else f"0..{n_classes - 1}"
    what = f"{name} must be one number per class {classes}"
    if isinstance(values, Mapping | list | tuple) and _holds_differentiated(values):
        # read as Python numbers: their gradient would silently be lost
        raise ValueError(
            f"{name} holds tensors that require grad, but a dict, list or tuple "
            "of per-class values is read as constant numbers: they would get no "
            f"gradient. Pass one tensor (e.g. torch.stack(...)) where the loss "
            "differentiates it, or detach the values"
        )
    if isinstance(values, Mapping):
        keys = []
        for k in values:
            k_int = _class_key(k)
            if k_int is None:
                raise TypeError(
                    f"{name} keys must be class indices {classes}, got {k!r}"
                )
            keys.append(k_int)
        expected = list(range(len(keys) if n_classes is None else n_classes))
        if sorted(keys) != expected:
            raise ValueError(
                f"{name} must have one entry per class {classes}, got keys "
                f"{sorted(keys)}{_key_problems(keys, n_classes)}"
            )
        by_key = dict(zip(keys, values.values(), strict=True))
        floats = [_real(by_key[k], f"{name}[{k}]") for k in expected]
    elif isinstance(values, Tensor):
        if values.is_complex() or values.dtype == torch.bool:
            raise TypeError(f"{what} (a real tensor), got {values.dtype}")
        return None
    elif isinstance(values, list | tuple | range):
        floats = [_real(v, f"{name}[{i}]") for i, v in enumerate(values)]
    elif isinstance(values, np.ndarray) and values.ndim == 1:
        if values.dtype.kind not in "iuf":
            raise TypeError(f"{what}, got an array of {values.dtype}")
        floats = [float(v) for v in values.astype(np.float64)]
    elif is_pandas(values, "Series"):
        # Its order is not the classes' (value_counts() sorts by frequency),
        # and its repr spread the message over many lines.
        raise TypeError(
            f"{what}, got a pandas Series, whose order need not be the "
            "classes' (value_counts() is by frequency): pass "
            f"{name}=series.to_dict() to give the values by class index"
        )
    else:
        shown = " ".join(repr(values).split())  # (a polars repr: many lines)
        raise TypeError(
            f"{what}: a dict {{class: value}}, a list, a 1-d array or a tensor, "
            f"got {type(values).__name__} {shown:.40}"
        )
    if n_classes is not None and len(floats) != n_classes:
        raise ValueError(
            f"{name} must have one value per class ({n_classes}), got {len(floats)}"
        )
    bound = "> 0 for every class" if positive else ">= 0"
    if not all(_finite(v) and (v > 0 or (v == 0 and not positive)) for v in floats):
        raise ValueError(
            f"{name} must be {bound} and finite"
            f"{_zero_hint(positive and 0.0 in floats)}, got {floats}"
        )
    largest = torch.finfo(dtype).max
    if any(v > largest for v in floats):
        raise _too_large(name, dtype, floats, "scale the values down")
    if nonzero and floats and not any(floats):
        raise ValueError(f"{name} must not be all 0 (no sample would count)")
    return floats


def _zero_hint(has_zero: bool) -> str:
    """The fix for a prior or count of 0 (a class the training labels never
    held): its log is -inf, which no logit adjustment can use."""
    if not has_zero:
        return ""
    return (
        "; a class without samples has no log prior: give it a small positive "
        "count, e.g. add-one smoothing counts + 1, or drop it from the logits"
    )


def _key_problems(keys: list[int], n_classes: int | None) -> str:
    """What is wrong with the class indices ``keys`` of a per-class dict, for
    its error message: the classes without an entry (up to the largest key,
    or ``n_classes``), keys outside the classes, and keys naming the same
    class (0-d tensor keys, which a dict tells apart by identity)."""
    top = (max(keys, default=-1) + 1) if n_classes is None else n_classes
    problems = []
    missing = sorted(set(range(top)) - set(keys))
    if missing:
        problems.append(
            f"no entry for class {_few(missing)} (a class absent from the labels "
            "the dict was computed from, e.g. class_weights(y) of a split without "
            "it: add a value for it)"
        )
    outside = sorted({k for k in keys if k < 0 or k >= top})
    if outside:
        problems.append(f"keys outside the classes: {_few(outside)}")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(f"more than one key for class {_few(repeated)}")
    return "; " + "; ".join(problems) if problems else ""


def _few(values: list[int], limit: int = 10) -> str:
    """``values`` as a short list for a message (the first ``limit``)."""
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def _class_key(key: Any) -> int | None:
    """A dict key of a per-class vector as the class index it names, or None.

    Integers name themselves; so do the labels a binary or class-index target
    holds in another type, as ``rebalance.class_weights`` keys them for such
    labels: ``False`` / ``True`` (bool labels) and integral floats (``0.0``,
    ``1.0``: float labels), equal to 0, 1, ... (and the same dict key) in
    Python. Anything else (0.5, a string) names no class.
    """
    key = _scalar(key)
    if isinstance(key, bool):
        return int(key)
    if isinstance(key, int):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return None


def _class_tensor(
    values: Tensor,
    n_classes: int | None,
    name: str,
    dtype: torch.dtype,
    positive: bool = False,
    nonzero: bool = False,
    keep_grad: bool = False,
    per_class: bool = True,
) -> Tensor:
    """A per-class vector given as a tensor, in ``dtype``: its values are
    checked as in :func:`_class_floats`, except under tracing. ``keep_grad``:
    still part of the caller's graph (class weights and priors of the plain
    losses get their gradient, as ``cross_entropy``'s ``weight`` does; the
    fused focal losses differentiate the logits only). ``per_class``: it
    must be 1-d, as a numpy array must (``pos_weight``, which may hold one
    weight per element, passes False)."""
    if values.is_complex() or values.dtype == torch.bool:
        # as _class_floats: a cast would drop the imaginary part (with a
        # warning torch gives once) or read True / False as 1 / 0
        raise TypeError(
            f"{name} must be one number per class (a real tensor), got "
            f"{values.dtype}; pass real values, e.g. {name}.float()"
        )
    if per_class and values.dim() != 1:
        # Flattened, a (2, 3) tensor would silently be 6 class values in
        # row-major order (cross_entropy's weight refuses it).
        classes = "C" if n_classes is None else str(n_classes)
        raise ValueError(
            f"{name} must be a 1-d tensor of one value per class ({classes}), "
            f"got shape {tuple(values.shape)}; pass a 1-d tensor, e.g. "
            f"{name}.reshape(-1) if its values are already in class order"
        )
    vec = values if keep_grad else values.detach()
    vec = vec.to(dtype).reshape(-1)
    if n_classes is not None and vec.numel() != n_classes:
        raise ValueError(
            f"{name} must have one value per class ({n_classes}), got {vec.numel()}"
        )
    if _tracing(vec):
        return vec
    key = _checked_key(values, dtype, positive, nonzero)
    with _CHECKED_LOCK:
        ref, checked = _CHECKED.get(id(values), (None, None))
    if key is not None and checked == key and ref is not None and ref() is values:
        return vec
    _check_class_tensor_values(vec, name, dtype, positive, nonzero, values.dtype)
    if key is not None:
        with _CHECKED_LOCK:
            _CHECKED[id(values)] = (weakref.ref(values), key)
            while len(_CHECKED) > 64:
                del _CHECKED[next(iter(_CHECKED))]
    return vec


# Device tensors whose values passed :func:`_check_class_tensor_values`, by
# id: (a weak reference, what was checked). Reading a CUDA tensor's values
# waits for the device (a host-device sync in every training step), so the
# same tensor (a loss Module's buffer, a weight reused every step) is checked
# again only once it changed: in place (its version counter moves), or its
# storage, dtype or the dtype it is used in. The last 64 are kept. CPU
# tensors, and tensors that require grad (learnable weights), are checked in
# every call. Not seen: writes that bypass the version counter on purpose
# (``t.data.copy_(...)``, memory shared through DLPack or
# ``__cuda_array_interface__``); ``t.copy_(...)`` under ``torch.no_grad()``
# is seen.
_CHECKED: dict[int, tuple[weakref.ref[Tensor], tuple[Any, ...]]] = {}
_CHECKED_LOCK = threading.Lock()
# CPU tensors: free to check (no sync), and memory shared with numpy
# (torch.from_numpy) can change without their version counter moving.
_CHECKED_EVERY_CALL = frozenset({"cpu"})


def _checked_key(
    values: Tensor, dtype: torch.dtype, positive: bool, nonzero: bool
) -> tuple[Any, ...] | None:
    """What a check of ``values`` depends on; None where it cannot be told
    (inference tensors have no version counter, some layouts no data pointer)."""
    if type(values) is not Tensor and type(values) is not nn.Parameter:
        return None  # subclasses (functorch wrappers, ...): checked every time
    if values.device.type in _CHECKED_EVERY_CALL:
        return None
    if values.requires_grad:
        # Learnable values (class weights, priors) change every step, and a
        # fused optimizer (torch.optim.Adam(fused=True), SGD(fused=True))
        # writes them without moving their version counter: a cached check
        # would let a step that made a weight negative or NaN through.
        return None
    try:
        return (
            values._version,
            values.data_ptr(),
            values.dtype,
            values.device,
            tuple(values.shape),
            values.stride(),
            dtype,
            positive,
            nonzero,
        )
    except RuntimeError:
        return None


def _check_class_tensor_values(
    vec: Tensor,
    name: str,
    dtype: torch.dtype,
    positive: bool,
    nonzero: bool,
    own_dtype: torch.dtype | None = None,
) -> None:
    """ValueError unless ``vec`` (the values in ``dtype``, the dtype they are
    used in) is finite, ``> 0`` / ``>= 0`` and, with ``nonzero``, not all 0.
    ``own_dtype``: the dtype of the tensor given, named when it is narrower
    than ``dtype`` and already held the infinities (a buffer overflowed by
    ``module.half()``)."""
    bound = "> 0 for every class" if positive else ">= 0"
    if not bool(torch.isfinite(vec).all()) or bool(
        (vec <= 0).any() if positive else (vec < 0).any()
    ):
        narrower = (
            own_dtype is not None
            and own_dtype.is_floating_point
            and torch.finfo(own_dtype).max < torch.finfo(dtype).max
        )
        overflow = bool(torch.isinf(vec).any())
        if narrower and (overflow or (positive and bool((vec == 0).any()))):
            # Widening keeps values: the infinities (or zeros) were in the
            # tensor given, e.g. counts above 65504, or priors below 6e-8,
            # after module.half() cast the buffer.
            assert own_dtype is not None  # (narrower)
            info = torch.finfo(own_dtype)
            if overflow:
                held = "inf"
                limit = (
                    f"whose largest value is {info.max:.6g}: a larger value overflows"
                )
                scale = "scale it down (frequencies instead of counts)"
            else:
                held = "0"
                # (eps times the smallest normal: the smallest subnormal)
                limit = (
                    "whose smallest positive value is "
                    f"{info.smallest_normal * info.eps:.3g}: a smaller one "
                    "underflows to 0"
                )
                scale = "scale it up (counts instead of frequencies)"
            raise ValueError(
                f"{name} must be {bound} and finite, but the tensor holds {held} in "
                f"its own dtype {own_dtype}, {limit} when the tensor is converted to "
                f"{own_dtype} (a loss Module's buffer is, by module.half(), "
                f".to({own_dtype}) or Lightning's precision='16-true'). Set "
                f"{name} again after converting (criterion.{name} = "
                f"torch.tensor(values), float32), {scale}, or pass it as a list "
                "or a dict, which Module conversions leave alone"
            )
        wrong = ~torch.isfinite(vec) | ((vec <= 0) if positive else (vec < 0))
        at = torch.nonzero(wrong.reshape(-1)).reshape(-1).tolist()
        shown = vec.reshape(-1)[at[:10]].tolist()
        # pos_weight may hold one weight per element, not per class
        where = "index" if name == "pos_weight" else "class"
        raise ValueError(
            f"{name} must be {bound} and finite (in {dtype}, the dtype it is used "
            f"in{_zero_hint(positive and 0.0 in shown)}), got {_few(shown)} at "
            f"{where} {_few(at)}"
        )
    if nonzero and vec.numel() and not bool(vec.any()):
        raise ValueError(f"{name} must not be all 0 (no sample would count)")


def _class_vector(
    values: Any,
    n_classes: int | None,
    name: str,
    device: Any,
    dtype: torch.dtype = torch.float32,
    positive: bool = False,
    nonzero: bool = False,
    keep_grad: bool = False,
) -> Tensor:
    """Per-class vector from a dict {class: value}, a sequence, an array or a tensor.

    Python and numpy input is checked on the host (so torch.compile sees
    constants); a tensor's values are checked except under tracing.
    """
    floats = _class_floats(values, n_classes, name, dtype, positive, nonzero)
    if floats is not None:
        return torch.tensor(floats, dtype=dtype, device=device)
    vec = _class_tensor(values, n_classes, name, dtype, positive, nonzero, keep_grad)
    _check_not_meta(vec, name, device)
    return vec.to(device)


def _check_not_meta(values: Tensor, name: str, device: Any) -> None:
    """ValueError for a meta tensor ``values`` used with logits on ``device``
    that hold values: it has none to move there (torch's NotImplementedError
    "Cannot copy out of meta tensor" named nothing)."""
    if values.device.type == "meta" and torch.device(device).type != "meta":
        raise ValueError(
            f"{name} is a meta tensor, which holds no values (a loss Module "
            f"built on, or moved to, the meta device), but logits are on "
            f"{device}: set it to a tensor of values, e.g. criterion.{name} = "
            f"torch.tensor([...])"
        )


def _autocast_float32(logits: Tensor) -> Tensor:
    """``logits`` as float32 where autocast runs ``cross_entropy`` and
    ``binary_cross_entropy_with_logits`` in float32 anyway (float16 or
    bfloat16 logits, autocast on for their device), else as they are: class
    weights, soft targets and logit adjustments are then applied in float32,
    as torch's losses apply their float32 ``weight`` and targets there, not
    rounded to the logits' half precision first. (The cast is the one
    autocast makes; the gradient reaches the logits in their dtype.)"""
    if logits.dtype not in (torch.float16, torch.bfloat16):
        return logits
    try:
        autocast = torch.is_autocast_enabled(logits.device.type)
    except RuntimeError:  # a device type autocast does not know (meta)
        autocast = False
    return logits.float() if autocast else logits


def _reduce(loss: Tensor, reduction: str, count: Tensor | int | None = None) -> Tensor:
    """Reduce elementwise losses; 'mean' divides by ``count`` (0 when empty)."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    if count is None:
        count = loss.numel()
    if isinstance(count, Tensor):
        return total / count.clamp(min=1)
    return total / max(count, 1)


# --------------------------------------------------------------------------
# Module form of a loss function
# --------------------------------------------------------------------------
def _check_class_values(
    values: Any, name: str, positive: bool = False, nonzero: bool = False
) -> None:
    """Check a per-class vector before the number of classes is known."""
    if isinstance(values, Tensor):
        _class_tensor(values, None, name, torch.float64, positive, nonzero)
    else:
        _class_floats(values, None, name, positive=positive, nonzero=nonzero)


# The checks of a loss argument that need no batch, by argument name: a loss
# Module runs them in __init__ (its function runs them again, with the checks
# that need the logits, at every call). Module-specific ones are given in the
# class statement (``checks=``).
_ARGUMENT_CHECKS: dict[str, Callable[[Any], object]] = {
    "reduction": _check_reduction,
    "gamma": _check_gamma,
    "label_smoothing": _check_smoothing,
    "margin": _check_margin,
    "tau": _check_tau,
    "ignore_index": _check_ignore_index,
    "rescale": functools.partial(_check_flag, name="rescale"),
    "scale": functools.partial(_check_scale, name="scale"),
    "pos_mult": functools.partial(_check_scale, name="pos_mult"),
    "class_index": functools.partial(
        _check_class_index_arg, name="class_index", n_classes=None
    ),
    "pos_cid": functools.partial(
        _check_class_index_arg, name="pos_cid", n_classes=None
    ),
    "class_weight": functools.partial(
        _check_class_values, name="class_weight", nonzero=True
    ),
    "priors": functools.partial(_check_class_values, name="priors", positive=True),
    "class_counts": functools.partial(
        _check_class_values, name="class_counts", positive=True
    ),
}


_REPR = reprlib.Repr()
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = 8
_REPR.maxother = 60


def _argument_repr(value: Any) -> str:
    """A short repr of a loss argument: tensors and arrays of more than 8
    values by shape and dtype (a Module's repr stays one line)."""
    if isinstance(value, Tensor):
        if value.numel() <= 8:
            return " ".join(repr(value.detach()).split())
        device = "" if value.device.type == "cpu" else f", device='{value.device}'"
        return f"tensor(<shape {tuple(value.shape)}>, dtype={value.dtype}{device})"
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            return " ".join(repr(value).split())
        return f"array(<shape {value.shape}>, dtype={value.dtype})"
    return _REPR.repr(value)


_NOT_SCRIPTABLE = (
    "torch.jit.script cannot compile {name} (rebalance's losses check their "
    "arguments in Python, and the focal losses are custom ops): record it with "
    "torch.jit.trace or torch.export, or use torch.compile"
)


def _torch_spelling(keyword: str, name: str, arguments: frozenset[str]) -> str | None:
    """What the loss ``name`` (taking ``arguments``) takes instead of the
    keyword ``keyword`` of torch's losses, for a user porting
    ``nn.CrossEntropyLoss(weight=...)``; None for other keywords."""
    if "reduction" not in arguments:
        return None  # not a loss (adjust_logits) or not torch's (ohem_loss)
    if keyword == "weight":
        if "class_weight" in arguments:
            return "pass the per-class weights as class_weight= (torch's weight)"
        if "alpha" in arguments and "pos_weight" not in arguments:
            return "pass the per-class weights as alpha= (torch's weight)"
        return (
            "this loss takes no per-class weights: use "
            "ClassWeightedCrossEntropyLoss(class_weight=...) or "
            "SoftmaxFocalLoss(alpha=...); for per-element weights, use "
            "reduction='none' and multiply"
        )
    if (
        keyword == "pos_weight"
        and "class_weight" in arguments
        and "binary" in name.lower()
    ):
        return "pos_weight=p of BCEWithLogitsLoss is class_weight=[1, p]"
    if keyword in ("size_average", "reduce"):
        return f"{keyword} is deprecated in torch: use reduction='mean', 'sum', 'none'"
    return None


def _with_torch_spellings(function: Callable[..., Any], name: str) -> Any:
    """``function`` raising a TypeError that names this library's argument
    when it is given a keyword of torch's losses it does not take (see
    :func:`_torch_spelling`); Python's own error otherwise. The signature
    seen by :func:`inspect.signature` is the function's own."""
    arguments = frozenset(inspect.signature(function).parameters)

    @pass_through
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except TypeError:
            for keyword in sorted(kwargs.keys() - arguments):
                hint = _torch_spelling(keyword, name, arguments)
                if hint is not None:
                    raise TypeError(
                        f"{name}() got an unexpected keyword argument "
                        f"{keyword!r}: {hint}"
                    ) from None
            raise

    return wrapper


def _refuse_scripting(name: str) -> Callable[[], Any]:
    """A ``__prepare_scriptable__`` for the loss function ``name``:
    ``torch.jit.script`` calls it first (also for a function a scripted one
    calls), so scripting fails naming the loss and what works instead of
    with a TorchScript syntax error inside rebalance's code."""

    def prepare() -> Any:
        raise TypeError(_NOT_SCRIPTABLE.format(name=name))

    return prepare


def _refuse_scripting_module(module: nn.Module) -> Any:
    """``__prepare_scriptable__`` of the loss Modules (also run when a model
    holding one is scripted): see :func:`_refuse_scripting`."""
    raise TypeError(_NOT_SCRIPTABLE.format(name=type(module).__name__))


class _LossModule(nn.Module):
    """Module form of a loss ``function(logits, target, *args, **kwargs)``.

    A subclass names its function in the class statement
    (``class XLoss(_LossModule, function=x_loss, buffers=("weight",))``,
    ``buffers`` naming its tensor arguments) and declares ``__init__``
    with the function's arguments after ``(logits, target)``: same names,
    kinds and defaults, checked when the class is created. ``__init__``
    stores them with ``super().__init__(name=value, ...)``, one attribute each
    (as scikit-learn estimators do, so skorch's ``criterion__gamma=2.0``
    works), and ``forward`` passes the attributes to the function, so a
    Module cannot drift from its function and an attribute set later is
    used by the next call.

    ``__init__`` checks each argument as far as it can without a batch (the
    checks of ``_ARGUMENT_CHECKS``, or those the class statement gives as
    ``checks={name: check}``), so a bad one raises when the Module is built;
    the function checks them all again at every call, so an attribute set
    later is checked too.

    A per-class or per-element argument (``buffers``: ``pos_weight``,
    ``alpha`` of the softmax focal loss, ``class_weight``, ``priors``,
    ``class_counts``) given as a tensor is a registered buffer under its
    own name, as torch's losses keep ``weight`` and ``pos_weight``:
    ``.to()``, ``.double()``, ``.half()`` move and cast it, ``state_dict()``
    holds it, and it is the very tensor given (an ``nn.Parameter`` stays a
    parameter). Given as a dict, a list or an array, it is a plain
    attribute, as the other arguments (constructor arguments: nothing to
    move, used in the logits' dtype at every call).
    Loading a state_dict without them (saved before these buffers existed,
    or by a Module given a dict) keeps those the Module was built with, also
    with ``strict=True``; one held as a dict, a list or an array is restored
    from a state_dict that has it.
    """

    # 2: tensor arguments are buffers (state_dict keys), see _load_from_state_dict
    # (torch's convention: the version of a Module's state_dict layout).
    _version = 2
    __prepare_scriptable__ = _refuse_scripting_module
    _function: Callable[..., Tensor]
    _arguments: tuple[str, ...] = ()
    _defaults: Mapping[str, Any] = {}
    _positional: tuple[str, ...] = ()
    _keywords: tuple[str, ...] = ()
    _checks: Mapping[str, Callable[[Any], object]] = {}
    _tensor_arguments: tuple[str, ...] = ()
    # state_dict keys of torch's losses that load into a tensor argument.
    _torch_keys: Mapping[str, str] = {}

    def __init_subclass__(
        cls,
        function: Callable[..., Tensor] | None = None,
        checks: Mapping[str, Callable[[Any], object]] | None = None,
        buffers: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if function is None:
            return
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        expected = list(inspect.signature(function).parameters.values())[2:]
        if [(p.name, p.kind, p.default) for p in params] != [
            (p.name, p.kind, p.default) for p in expected
        ]:
            raise TypeError(
                f"{cls.__name__}.__init__ must take the arguments of "
                f"{function.__name__} after (logits, target), with their defaults"
            )
        cls._function = staticmethod(function)
        cls.__init__ = _with_torch_spellings(  # type: ignore[method-assign]
            cls.__dict__["__init__"], cls.__name__
        )
        cls._positional = tuple(
            p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD
        )
        cls._keywords = tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY)
        cls._arguments = tuple(p.name for p in params)
        cls._defaults = {p.name: p.default for p in params}
        if not set(buffers) <= set(cls._arguments):
            raise TypeError(f"{cls.__name__}: buffers must name arguments of __init__")
        cls._tensor_arguments = buffers
        every = {**_ARGUMENT_CHECKS, **(checks or {})}
        cls._checks = {p.name: every[p.name] for p in params if p.name in every}

    def __init__(self, **arguments: Any) -> None:
        super().__init__()
        for name, value in arguments.items():
            check = self._checks.get(name)
            if check is not None:
                check(value)
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        # A tensor argument set (in __init__ or later) as a tensor or None is
        # a buffer; as a dict, list, array or number a plain attribute (any
        # buffer of that name dropped, so that switching kinds works as for
        # the other arguments). An nn.Parameter is left to nn.Module.
        if (
            name in self._tensor_arguments
            and "_buffers" in self.__dict__
            and not isinstance(value, nn.Parameter)
        ):
            self._parameters.pop(name, None)
            if value is None or isinstance(value, Tensor):
                self.__dict__.pop(name, None)
                self.register_buffer(name, value)
                return
            self._buffers.pop(name, None)
            self._non_persistent_buffers_set.discard(name)
        super().__setattr__(name, value)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # Pickled (torch.save of the Module) before the tensor arguments were
        # buffers: make them buffers now, so .to() and state_dict() see them.
        for name in self._tensor_arguments:
            value = self.__dict__.get(name, self)
            if value is None or (
                isinstance(value, Tensor) and not isinstance(value, nn.Parameter)
            ):
                del self.__dict__[name]
                self._buffers[name] = value

    def _load_from_state_dict(
        self,
        state_dict: Mapping[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        state_dict = self._torch_state(state_dict, prefix)
        for name in self._tensor_arguments:
            held = getattr(self, name, None)
            given = state_dict.get(prefix + name)
            if isinstance(held, Mapping | list | tuple):
                size = len(held)
            elif isinstance(held, np.ndarray) and held.ndim == 1:
                size = held.size
            else:  # a tensor (loaded by nn.Module), a number or None: as torch
                continue
            if not isinstance(given, Tensor):
                continue
            # Held as a dict, a list or an array (the Module that saved it was
            # given a tensor): the state_dict restores it, as a buffer.
            if given.numel() != size:
                error_msgs.append(
                    f"size mismatch for {name}: copying {given.numel()} values "
                    f"from checkpoint, the Module holds {size} "
                    f"({name}={_argument_repr(held)})"
                )
                continue
            setattr(self, name, given.detach().clone())
        super()._load_from_state_dict(
            state_dict,
            prefix,
            local_metadata,
            strict,
            missing_keys,
            unexpected_keys,
            error_msgs,
        )
        # Not missing: a state_dict saved before the tensor arguments were
        # buffers (version 1, or no metadata), or by a Module given them as a
        # dict, a list or an array. The Module keeps those it was built with,
        # a complete state (not uninitialised, which a missing key reports).
        for name in self._tensor_arguments:
            if prefix + name in missing_keys:
                missing_keys.remove(prefix + name)

    def _torch_state(self, state_dict: Mapping[str, Any], prefix: str) -> Any:
        """``state_dict`` with the keys of torch's losses (``_torch_keys``:
        nn.CrossEntropyLoss's ``weight``) renamed to this Module's, in a copy
        (the caller's mapping is left as it is)."""
        for torch_key, name in self._torch_keys.items():
            if (
                prefix + torch_key in state_dict
                and prefix + name not in state_dict
                and getattr(self, name, None) is not None
            ):
                state_dict = dict(state_dict)
                state_dict[prefix + name] = state_dict.pop(prefix + torch_key)
        return state_dict

    def extra_repr(self) -> str:
        """The arguments that differ from their defaults, for ``repr(module)``.

        Returns
        -------
        str
            ``name=value`` pairs, comma-separated (large tensors as their
            shape and dtype).
        """
        shown = []
        for name in self._arguments:
            value = getattr(self, name, None)
            default = self._defaults.get(name, inspect.Parameter.empty)
            if not isinstance(value, Tensor | np.ndarray) and (
                value is default or (type(value) is type(default) and value == default)
            ):
                continue
            shown.append(f"{name}={_argument_repr(value)}")
        return ", ".join(shown)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """The loss of a batch: the function with this Module's arguments.

        Parameters
        ----------
        logits : Tensor
            The model's output, shaped as the loss function takes it.
        target : Tensor
            The targets, shaped as the loss function takes them.

        Returns
        -------
        Tensor
            The loss, reduced as ``reduction`` says.
        """
        return self._call(logits, target)

    def _call(self, logits: Tensor, target: Tensor) -> Tensor:
        args = [getattr(self, name) for name in self._positional]
        kwargs = {name: getattr(self, name) for name in self._keywords}
        return type(self)._function(logits, target, *args, **kwargs)


# --------------------------------------------------------------------------
# Focal losses
# --------------------------------------------------------------------------
@renamed_keyword("targets", "target")
def sigmoid_focal_loss(
    logits: Tensor,
    target: Tensor,
    *,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
    ignore_index: float | None = None,
    rescale: bool = False,
) -> Tensor:
    """Binary / multi-label focal loss (Lin et al. 2017), fused.

    ``FL = -a_t (1 - p_t)^gamma log(p_t)`` elementwise with ``p = sigmoid(x)``,
    ``p_t = p y + (1 - p)(1 - y)`` and ``a_t = alpha y + (1 - alpha)(1 - y)``;
    soft targets in [0, 1] use the same formula with the cross-entropy
    ``-(y log p + (1 - y) log(1 - p))`` in place of ``-log(p_t)``.

    Parameters
    ----------
    logits : Tensor
        Float logits of any shape.
    target : Tensor
        Same shape; 0/1 labels (float, int or bool) or soft labels in [0, 1].
    alpha : float or None, default=0.25
        Weight of the positives in [0, 1] (negatives get ``1 - alpha``);
        ``None`` for no weighting.
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``; ``gamma=0`` with ``alpha=None`` is BCE.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` averages over the non-ignored elements (0 if there are none).
    pos_weight : Tensor, optional
        Weight of the positive term, broadcastable to ``logits`` (as in
        :func:`torch.nn.functional.binary_cross_entropy_with_logits`);
        finite and ``>= 0``. The fused loss differentiates the logits only:
        ``alpha``, ``gamma`` and ``pos_weight`` are constants, and a tensor
        among them that requires grad is a ValueError (not a silent ``None``
        gradient).
    ignore_index : float, optional
        Target value marking elements to skip (e.g. ``-1``), compared
        exactly in the target's dtype: rounded to a float target's dtype
        (``-0.1`` matches float32 ``-0.1``, as ``target == -0.1`` does), and
        matching an integer or bool target only if it is an integer that
        dtype holds.
    rescale : bool, default=False
        Multiply the loss by ``mean(CE) / mean(FL)`` over the batch, so it
        keeps the cross-entropy's magnitude. The factor is **detached**:
        the gradient is the focal gradient scaled by it. Without the detach the
        product would be ``mean(CE)`` itself and its gradient plain CE's,
        undoing the focusing.

    Returns
    -------
    Tensor
        The loss, at least float32 (float32 for half-precision logits, else
        the dtype of ``logits``); a scalar, or the shape of ``logits`` for
        ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import sigmoid_focal_loss
    >>> logits = torch.tensor([3.0, -2.0, 0.5, -4.0])
    >>> target = torch.tensor([1.0, 0.0, 0.0, 1.0])
    >>> loss = sigmoid_focal_loss(logits, target)
    >>> round(loss.item(), 4)
    0.3133
    >>> logits = logits.requires_grad_()
    >>> sigmoid_focal_loss(logits, target, gamma=0.5, alpha=None).backward()
    >>> logits.grad.shape
    torch.Size([4])
    """
    _check_logits(logits)
    _check_binary_targets(logits, target, ignore_index)
    _check_constant_target(target)
    _check_reduction(reduction)
    gamma = _check_gamma(gamma)
    alpha = _check_binary_alpha(alpha)
    ignore_index = _check_binary_ignore_index(ignore_index)
    rescale = _check_flag(rescale, "rescale")
    if pos_weight is not None:
        pos_weight = _pos_weight(pos_weight, logits)
    # The values of the targets are checked inside the op (on CUDA by the
    # kernel, in its pass), also under torch.compile.
    return _apply_fused(
        SigmoidFocalFunction,
        "sigmoid",
        logits,
        target.detach(),
        pos_weight,
        alpha,
        gamma,
        ignore_index,
        reduction,
        rescale,
    )


def _check_binary_alpha(alpha: Any) -> float | None:
    if alpha is not None:
        alpha = _real(alpha, "alpha", "0.25")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(
                f"alpha must be in [0, 1], or None for no weighting (torchvision's "
                f"and fvcore's alpha=-1), got {alpha}"
            )
    return alpha


def _check_binary_ignore_index(ignore_index: Any) -> float | None:
    if ignore_index is not None:
        if isinstance(ignore_index, Tensor):  # a label value: no gradient
            ignore_index = ignore_index.detach()
        ignore_index = _real(ignore_index, "ignore_index", "-1")
        if ignore_index != ignore_index:  # NaN (math.isnan: see _finite)
            raise ValueError("ignore_index must not be NaN; pass e.g. ignore_index=-1")
    return ignore_index


def _apply_fused(function: Any, kind: str, logits: Tensor, *args: Any) -> Tensor:
    """The loss of a fused focal op, through its autograd Function if needed."""
    check_differentiation(logits)
    if torch.jit.is_tracing():
        # The op with its registered autograd: TorchScript cannot save a
        # traced autograd Function (a Python call). Its gradient is always
        # computed: the traced graph is the same with grad mode on or off (as
        # torch.jit.trace's check, which runs without grad, requires).
        return fused_forward(kind, logits, *args, True)[0]
    if torch.is_grad_enabled() and logits.requires_grad:
        return _function_apply(function, logits, *args, True)[0]
    return fused_forward(kind, logits, *args, False)[0]


def _function_apply(function: Any, *args: Any) -> Any:
    """``function.apply(*args)`` with every argument given positionally.

    Outside torch.func transforms ``torch.autograd.Function.apply`` binds the
    arguments to ``forward``'s signature (``inspect``: a large share of a small
    loss call's host time), unwraps functorch's dead wrappers and calls the
    C++ apply; with complete positional arguments the binding changes nothing,
    so the C++ apply is called here after the unwrapping (not under
    torch.compile, which traces ``apply`` itself).
    """
    if torch.compiler.is_compiling() or torch._C._are_functorch_transforms_active():
        return function.apply(*args)
    args = unwrap_dead_wrappers(args)
    return super(torch.autograd.Function, function).apply(*args)


def _pos_weight(pos_weight: Any, logits: Tensor) -> Tensor:
    """``pos_weight`` as a detached real tensor on the logits' device, its
    values checked in the dtype the loss uses it in."""
    pos_weight = _check_pos_weight(
        pos_weight, torch.promote_types(logits.dtype, torch.float32)
    )
    check_pos_weight_shape(pos_weight, logits)
    _check_not_meta(pos_weight, "pos_weight", logits.device)
    return pos_weight.detach().to(logits.device)


def _check_pos_weight(pos_weight: Any, dtype: torch.dtype = torch.float64) -> Tensor:
    """``pos_weight`` as a real tensor whose values are finite and ``>= 0`` in
    ``dtype`` (checked as the other class weights are: :func:`_class_tensor`,
    not under tracing); TypeError / ValueError naming it otherwise."""
    pos_weight = _pos_weight_tensor(pos_weight)
    # The fused focal ops differentiate the logits only.
    _check_constant(pos_weight, "pos_weight", "torch.tensor([3.0])")
    _class_tensor(pos_weight, None, "pos_weight", dtype, per_class=False)
    return pos_weight


def _pos_weight_tensor(pos_weight: Any) -> Tensor:
    """``pos_weight`` as a real tensor; TypeError naming it otherwise."""
    if not isinstance(pos_weight, Tensor):
        if _holds_differentiated(pos_weight):
            raise ValueError(
                "pos_weight holds tensors that require grad, but the fused focal "
                "loss differentiates the logits only: they would get no "
                "gradient. Pass detached values, e.g. pos_weight=torch.tensor([3.0])"
            )
        arr = np.asarray(pos_weight, dtype=object)
        # bools (also numpy's and 0-d tensors, read by _scalar) are no weights
        values = [_scalar(v) for v in arr.reshape(-1)]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            raise TypeError(
                f"pos_weight must be a tensor or numbers, got {pos_weight!r:.60}; "
                "pass e.g. pos_weight=torch.tensor([3.0])"
            )
        # float64: cast to the logits' compute dtype where it is used (a
        # float32 copy here would round it for float64 logits). Read by
        # _real: an int beyond float64 is inf (refused naming pos_weight),
        # not an OverflowError.
        floats = [_real(v, "pos_weight") for v in values]
        # on the host (read there; moved to the logits' device by the caller),
        # whatever torch.set_default_device says
        pos_weight = torch.tensor(floats, dtype=torch.float64, device="cpu")
        pos_weight = pos_weight.reshape(arr.shape)
    elif pos_weight.is_complex() or pos_weight.dtype == torch.bool:
        raise TypeError(
            f"pos_weight must be a real tensor, got {pos_weight.dtype}; "
            "pass pos_weight.float()"
        )
    return pos_weight


def softmax_focal_loss(
    logits: Tensor,
    target: Tensor,
    *,
    alpha: float | ClassVector | None = None,
    gamma: float = 2.0,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    rescale: bool = False,
) -> Tensor:
    """Multiclass focal loss over a softmax (Lin et al. 2017), fused.

    ``FL = -sum_c alpha_c t_c (1 - p_c)^gamma log(p_c)`` per sample, with
    ``p = softmax(logits)`` over dim 1 and ``t`` the target distribution
    (one-hot for class indices, smoothed by ``label_smoothing`` like
    :func:`torch.nn.functional.cross_entropy`). With class indices and no
    smoothing this is ``-alpha_y (1 - p_y)^gamma log(p_y)``.

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Class indices of shape ``(N,)`` / ``(N, d1, ...)``, or class
        probabilities with the shape of ``logits``.
    alpha : float, dict, sequence, array or Tensor, optional
        A scalar weight, or one weight per class: a dict ``{class: weight}``
        keyed ``0..C-1`` (e.g. the output of ``rebalance.class_weights``), a
        sequence, an array or a tensor of length C. A constant, as ``gamma``
        (the fused loss differentiates the logits only): a tensor that
        requires grad is a ValueError.
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``; ``gamma=0`` with ``alpha=None`` is CE.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` averages over the non-ignored samples (0 if there are none),
        not weighted by ``alpha``.
    ignore_index : int, default=-100
        Class index marking samples to skip; not used with class-
        probability targets.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.
    rescale : bool, default=False
        Multiply by the detached ``mean(CE) / mean(FL)`` (see
        :func:`sigmoid_focal_loss`); CE here is unweighted by ``alpha``.

    Returns
    -------
    Tensor
        The loss, at least float32 (float32 for half-precision logits, else
        the dtype of ``logits``); a scalar, or the shape of ``target``
        (indices) for ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import softmax_focal_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    >>> target = torch.tensor([0, 1])
    >>> round(softmax_focal_loss(logits, target).item(), 4)
    0.8568
    >>> weights = {0: 0.5, 1: 2.0, 2: 1.0}
    >>> round(softmax_focal_loss(logits, target, alpha=weights).item(), 4)
    1.7053
    """
    _check_logits(logits)
    ignore_index = _check_ignore_index(ignore_index)
    # The class indices are checked inside the op (on CUDA by the kernel, in
    # its pass), also under torch.compile.
    _check_class_targets(
        logits,
        target,
        ignore_index,
        check_values=False,
        soft_ignore=True,
        check_probabilities=True,
    )
    _check_constant_target(target)
    _check_reduction(reduction)
    gamma = _check_gamma(gamma)
    label_smoothing = _check_smoothing(label_smoothing)
    rescale = _check_flag(rescale, "rescale")
    alpha_vec = _softmax_alpha(
        alpha,
        logits.shape[1],
        logits.device,
        torch.promote_types(logits.dtype, torch.float32),
    )
    return _apply_fused(
        SoftmaxFocalFunction,
        "softmax",
        logits,
        _long_target(target.detach()),
        alpha_vec,
        gamma,
        ignore_index,
        label_smoothing,
        reduction,
        rescale,
    )


def _softmax_alpha(
    alpha: Any,
    n_classes: int | None,
    device: Any,
    dtype: torch.dtype = torch.float32,
) -> Tensor | None:
    """The per-class ``alpha`` of the softmax focal loss (None for no
    weighting) in ``dtype`` (the logits' compute dtype: float64 for float64
    logits), from a scalar or a class vector; ``n_classes=None`` only checks
    it (a loss Module's ``__init__``)."""
    if alpha is None:
        return None
    # The fused focal ops differentiate the logits only.
    _check_constant(alpha, "alpha", "[0.25, 0.75]")
    if (
        isinstance(alpha, str | int | float)
        or not (
            isinstance(alpha, Mapping | Sequence | np.ndarray | Tensor)
            # per class, refused with the order problem named (_class_floats);
            # not asked of a Python number above: torch.compile(fullgraph=True)
            # cannot trace is_pandas's str.startswith on float.__module__
            or is_pandas(alpha, "Series")
            # any other container (a polars Series, a pyarrow array): per
            # class too, refused naming the per-class forms (_class_floats)
            or (hasattr(alpha, "__len__") and not isinstance(alpha, bytes))
        )
        or (isinstance(alpha, Tensor | np.ndarray) and alpha.ndim == 0)
    ):
        alpha = _real(alpha, "alpha", "0.25 or one weight per class")
        if not (_finite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be finite and >= 0, got {alpha}")
        if alpha > torch.finfo(dtype).max:
            # as a per-class alpha (_class_floats)
            raise _too_large("alpha", dtype, f"{alpha:g}", "pass a smaller alpha")
        return torch.full(
            (1 if n_classes is None else n_classes,), alpha, device=device, dtype=dtype
        )
    if torch.device(device).type == "cuda" and not isinstance(alpha, Tensor):
        alpha_vec = _class_vector(alpha, n_classes, "alpha", "cpu", dtype)
        # pinned + non_blocking: a plain copy to CUDA waits for the GPU
        return alpha_vec.pin_memory().to(device, non_blocking=True)
    return _class_vector(alpha, n_classes, "alpha", device, dtype)


class SigmoidFocalLoss(
    _LossModule,
    function=sigmoid_focal_loss,
    checks={
        "alpha": _check_binary_alpha,
        "ignore_index": _check_binary_ignore_index,
        "pos_weight": lambda w: w is None or _check_pos_weight(w),
    },
    buffers=("pos_weight",),
):
    """Module form of :func:`sigmoid_focal_loss` (Lin et al. 2017).

    Parameters
    ----------
    alpha : float or None, default=0.25
        Weight of the positives in [0, 1] (negatives get ``1 - alpha``);
        ``None`` for no weighting.
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` averages over the non-ignored elements.
    pos_weight : Tensor, optional
        Weight of the positive term, broadcastable to the logits; finite
        and ``>= 0``.
    ignore_index : float, optional
        Target value marking elements to skip, compared exactly in the
        target's dtype (see :func:`sigmoid_focal_loss`).
    rescale : bool, default=False
        Multiply the loss by the detached ``mean(CE) / mean(FL)``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import SigmoidFocalLoss
    >>> criterion = SigmoidFocalLoss(alpha=None, gamma=0.0)
    >>> criterion(torch.zeros(3), torch.ones(3))  # log(2)
    tensor(0.6931)
    """

    def __init__(
        self,
        *,
        alpha: float | None = 0.25,
        gamma: float = 2.0,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
        ignore_index: float | None = None,
        rescale: bool = False,
    ) -> None:
        super().__init__(
            alpha=alpha,
            gamma=gamma,
            reduction=reduction,
            pos_weight=pos_weight,
            ignore_index=ignore_index,
            rescale=rescale,
        )

    @renamed_keyword("targets", "target")
    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """The loss of a batch: the function with this Module's arguments.

        Parameters
        ----------
        logits : Tensor
            The model's output, shaped as the loss function takes it.
        target : Tensor
            The labels, with the shape of ``logits``.

        Returns
        -------
        Tensor
            The loss, reduced as ``reduction`` says.
        """
        return self._call(logits, target)


class SoftmaxFocalLoss(
    _LossModule,
    function=softmax_focal_loss,
    checks={"alpha": functools.partial(_softmax_alpha, n_classes=None, device="cpu")},
    buffers=("alpha",),
):
    """Module form of :func:`softmax_focal_loss` (Lin et al. 2017).

    Parameters
    ----------
    alpha : float, dict, sequence, array or Tensor, optional
        A scalar weight, or one weight per class (e.g. the output of
        ``rebalance.class_weights``).
    gamma : float, default=2.0
        Focusing parameter, ``>= 0``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` averages over the non-ignored samples, not weighted by
        ``alpha``.
    ignore_index : int, default=-100
        Class index marking samples to skip; not used with class-
        probability targets.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.
    rescale : bool, default=False
        Multiply the loss by the detached ``mean(CE) / mean(FL)``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import SoftmaxFocalLoss
    >>> criterion = SoftmaxFocalLoss(gamma=0.0)
    >>> criterion(torch.zeros(2, 4), torch.tensor([1, 3]))  # log(4)
    tensor(1.3863)
    """

    def __init__(
        self,
        *,
        alpha: float | ClassVector | None = None,
        gamma: float = 2.0,
        reduction: str = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
        rescale: bool = False,
    ) -> None:
        super().__init__(
            alpha=alpha,
            gamma=gamma,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
            rescale=rescale,
        )


# --------------------------------------------------------------------------
# Margin ("variant") cross-entropy
# --------------------------------------------------------------------------
def _step(t: Tensor) -> Tensor:
    # The unit step theta(t) = (sign(t) + 1) / 2 (1/2 at t = 0).
    return (torch.sign(t) + 1.0) / 2.0


def margin_cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    margin: float = 0.8,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Margin cross-entropy: samples past the confidence ``margin`` stop contributing.

    The "better loss function for text sentiment classification" of Su
    Jianlin (blog post, 2017). Binary (``target`` float/bool with the shape
    of ``logits``)::

        L = -theta(m - p) y log(p) - theta(p - (1 - m)) (1 - y) log(1 - p)

    with ``p = sigmoid(logit)`` and ``theta`` the unit step
    ``(sign(t) + 1) / 2`` (so ``theta(0) = 1/2``): a positive stops
    contributing once ``p > m``, a negative once ``p < 1 - m``. Log
    probabilities come from ``logsigmoid``, not clipped probabilities, and the
    steps compare the logit with ``logit(m)``, so any logit is fine.

    Multiclass (``(N, C, ...)`` logits and integer class indices): with
    ``p_y`` the softmax probability of the true class,
    ``L = -theta(m - p_y) log(p_y)``. For C = 2 this is exactly the binary
    formula, whose two terms are ``-theta(m - p_y) log(p_y)`` for either
    label.

    Parameters
    ----------
    logits : Tensor
        Binary: any shape. Multiclass: ``(N, C)`` or ``(N, C, d1, ...)``.
    target : Tensor
        Binary: 0/1 (or soft) labels with the shape of ``logits``.
        Multiclass: integer class indices ``(N,)`` / ``(N, d1, ...)``.
    margin : float, default=0.8
        In (0.5, 1]; ``margin=1`` is plain cross-entropy (up to theta(0)).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` averages over the elements (binary) or the non-ignored
        samples (multiclass), 0 if there are none.
    ignore_index : int, default=-100
        Multiclass only: class index marking samples to skip.

    Returns
    -------
    Tensor
        The loss (at least float32); a scalar, or the shape of ``target`` for
        ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import margin_cross_entropy
    >>> logits = torch.tensor([3.0, 0.0, -3.0])   # p = 0.95, 0.5, 0.05
    >>> target = torch.tensor([1.0, 1.0, 0.0])
    >>> margin_cross_entropy(logits, target, reduction="none")
    tensor([0.0000, 0.6931, 0.0000])
    """
    _check_logits(logits)
    _check_reduction(reduction)
    margin = _check_margin(margin)
    ignore_index = _check_ignore_index(ignore_index)
    # logit(m); +inf for m = 1 (never stops contributing)
    threshold = math.inf if margin == 1.0 else math.log(margin / (1.0 - margin))
    x = logits.to(torch.promote_types(logits.dtype, torch.float32))
    if (
        isinstance(target, Tensor)
        and not target.is_floating_point()
        and (
            target.dtype != torch.bool
            and logits.dim() >= 2
            and target.shape != logits.shape
        )
    ):
        _check_class_targets(logits, target, ignore_index, allow_soft=False)
        target = _long_target(target)
        valid = target != ignore_index
        log_p = torch.log_softmax(x, dim=1)
        idx = torch.where(valid, target, 0).unsqueeze(1)
        log_py = log_p.gather(1, idx).squeeze(1)
        # p_y < m  <=>  log p_y < log m
        keep = _step(math.log(margin) - log_py.detach())
        loss = torch.where(valid, -keep * log_py, 0.0)
        return _reduce(loss, reduction, valid.sum())
    if isinstance(target, Tensor):
        _check_float_class_indices(logits, target)
    _check_binary_targets(logits, target, None)
    _check_binary_target_values(target)
    y = target.to(x.dtype)
    xd = x.detach()
    keep_pos = _step(threshold - xd)  # theta(m - p)
    keep_neg = _step(xd + threshold)  # theta(p - (1 - m))
    loss = -keep_pos * y * F.logsigmoid(x) - keep_neg * (1.0 - y) * F.logsigmoid(-x)
    return _reduce(loss, reduction)


class MarginCrossEntropyLoss(_LossModule, function=margin_cross_entropy):
    """Module form of :func:`margin_cross_entropy`.

    Parameters
    ----------
    margin : float, default=0.8
        In (0.5, 1]: samples whose true class has a probability above it
        stop contributing.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        How the per-sample losses are reduced.
    ignore_index : int, default=-100
        Multiclass only: class index marking samples to skip.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import MarginCrossEntropyLoss
    >>> criterion = MarginCrossEntropyLoss(margin=0.9)
    >>> logits = torch.tensor([[3.0, 0.0], [0.0, 0.0]])  # p_y = 0.95, 0.5
    >>> criterion(logits, torch.tensor([0, 1]))  # only the second counts
    tensor(0.3466)
    """

    def __init__(
        self, *, margin: float = 0.8, reduction: str = "mean", ignore_index: int = -100
    ) -> None:
        super().__init__(margin=margin, reduction=reduction, ignore_index=ignore_index)


# --------------------------------------------------------------------------
# Class-weighted losses (e.g. with rebalance.weights output)
# --------------------------------------------------------------------------
def class_scaled_cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    class_index: int,
    scale: float,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Softmax cross-entropy with the loss of one class's samples times ``scale``.

    Every sample whose true class is ``class_index`` has its cross-entropy
    multiplied by ``scale`` (``scale=0.5`` halves that class's importance,
    ``scale=3.0`` triples it); the other samples keep theirs.
    ``reduction='mean'`` divides the scaled sum by the **unweighted** count of
    non-ignored samples, so the other classes' losses keep their scale
    (``cross_entropy(weight=...)`` divides by the summed weights instead).

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Integer class indices of shape ``(N,)`` / ``(N, d1, ...)``.
    class_index : int
        The class whose samples' loss is multiplied, in ``[0, C)``.
    scale : float
        Multiplier, ``>= 0``, of the loss of the samples of class
        ``class_index``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the unweighted count of non-ignored samples (0
        if there are none).
    ignore_index : int, default=-100
        Class index marking samples to skip.

    Returns
    -------
    Tensor
        The loss (at least float32); a scalar, or the shape of ``target`` for
        ``'none'``.

    See Also
    --------
    weighted_softmax_loss : The same loss under the argument names of Caffe's
        ``WeightedSoftmaxWithLoss`` layer (``pos_mult``, ``pos_cid``).
    class_weighted_cross_entropy : One weight per class, with ``'mean'``
        divided by the summed weights.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import class_scaled_cross_entropy
    >>> logits = torch.zeros(4, 3)
    >>> target = torch.tensor([0, 1, 1, 2])
    >>> loss = class_scaled_cross_entropy(logits, target, class_index=1, scale=3.0)
    >>> round(loss.item() / torch.log(torch.tensor(3.0)).item(), 4)  # (1+3+3+1)/4
    2.0
    """
    return _class_scaled(
        logits,
        target,
        class_index,
        scale,
        reduction,
        ignore_index,
        names=("class_index", "scale"),
    )


def weighted_softmax_loss(
    logits: Tensor,
    target: Tensor,
    pos_mult: float,
    pos_cid: int,
    *,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Softmax cross-entropy with the loss of class ``pos_cid`` times ``pos_mult``.

    The weighted softmax loss of Caffe forks (``WeightedSoftmaxWithLoss``),
    under that layer's argument names, for code and experiments ported from
    it: every sample whose true class is ``pos_cid`` has its loss multiplied
    by ``pos_mult`` (``pos_mult=0.5`` halves that class's importance).
    ``reduction='mean'`` divides the weighted sum by the **unweighted** count
    of non-ignored samples, so the other classes' losses keep their scale
    (``cross_entropy(weight=...)`` divides by the summed weights instead).
    These names are kept as they are (not deprecated);
    :func:`class_scaled_cross_entropy` is the same loss under neutral,
    keyword-only names.

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Integer class indices of shape ``(N,)`` / ``(N, d1, ...)``.
    pos_mult : float
        Multiplier, ``>= 0``, of the loss of the samples of class ``pos_cid``.
    pos_cid : int
        The class whose samples' loss is multiplied, in ``[0, C)``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the unweighted count of non-ignored samples (0
        if there are none).
    ignore_index : int, default=-100
        Class index marking samples to skip.

    Returns
    -------
    Tensor
        The loss (at least float32); a scalar, or the shape of ``target`` for
        ``'none'``.

    See Also
    --------
    class_scaled_cross_entropy : The same loss with neutral names:
        ``class_scaled_cross_entropy(logits, target, class_index=pos_cid,
        scale=pos_mult)``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import weighted_softmax_loss
    >>> logits = torch.zeros(4, 3)
    >>> target = torch.tensor([0, 1, 1, 2])
    >>> loss = weighted_softmax_loss(logits, target, pos_mult=3.0, pos_cid=1)
    >>> round(loss.item() / torch.log(torch.tensor(3.0)).item(), 4)  # (1+3+3+1)/4
    2.0
    """
    return _class_scaled(
        logits,
        target,
        pos_cid,
        pos_mult,
        reduction,
        ignore_index,
        names=("pos_cid", "pos_mult"),
    )


def _class_scaled(
    logits: Tensor,
    target: Tensor,
    class_index: Any,
    scale: Any,
    reduction: str,
    ignore_index: Any,
    *,
    names: tuple[str, str],
) -> Tensor:
    """The loss of :func:`class_scaled_cross_entropy` and
    :func:`weighted_softmax_loss`; ``names`` are the caller's names of
    ``(class_index, scale)``, for its error messages."""
    index_name, scale_name = names
    _check_logits(logits)
    ignore_index = _check_ignore_index(ignore_index)
    _check_class_targets(logits, target, ignore_index, allow_soft=False)
    _check_reduction(reduction)
    target = _long_target(target)
    dtype = torch.promote_types(logits.dtype, torch.float32)
    scale = _check_scale(scale, scale_name, dtype)
    class_index = _check_class_index_arg(class_index, index_name, logits.shape[1])
    ce = F.cross_entropy(
        logits.to(dtype),
        target,
        ignore_index=ignore_index,
        reduction="none",
    )
    # In ce's dtype (torch.where of two Python numbers would be float32).
    weight = torch.ones_like(ce).masked_fill(target == class_index, scale)
    return _reduce(ce * weight, reduction, (target != ignore_index).sum())


class ClassScaledCrossEntropyLoss(_LossModule, function=class_scaled_cross_entropy):
    """Module form of :func:`class_scaled_cross_entropy`.

    Parameters
    ----------
    class_index : int
        The class whose samples' loss is multiplied.
    scale : float
        Multiplier, ``>= 0``, of the loss of the samples of class
        ``class_index``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the unweighted count of non-ignored samples.
    ignore_index : int, default=-100
        Class index marking samples to skip.

    See Also
    --------
    WeightedSoftmaxLoss : The same loss under the argument names of Caffe's
        ``WeightedSoftmaxWithLoss`` layer (``pos_mult``, ``pos_cid``).

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import ClassScaledCrossEntropyLoss
    >>> criterion = ClassScaledCrossEntropyLoss(class_index=1, scale=3.0)
    >>> loss = criterion(torch.zeros(2, 2), torch.tensor([0, 1]))
    >>> round(loss.item() / torch.log(torch.tensor(2.0)).item(), 4)  # (1+3)/2
    2.0
    """

    def __init__(
        self,
        *,
        class_index: int,
        scale: float,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__(
            class_index=class_index,
            scale=scale,
            reduction=reduction,
            ignore_index=ignore_index,
        )


class WeightedSoftmaxLoss(_LossModule, function=weighted_softmax_loss):
    """Module form of :func:`weighted_softmax_loss`.

    Caffe's ``WeightedSoftmaxWithLoss`` under its argument names, kept as
    they are (not deprecated); :class:`ClassScaledCrossEntropyLoss` is the
    same loss under neutral, keyword-only names.

    Parameters
    ----------
    pos_mult : float
        Multiplier, ``>= 0``, of the loss of the samples of class ``pos_cid``.
    pos_cid : int
        The class whose samples' loss is multiplied.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the unweighted count of non-ignored samples.
    ignore_index : int, default=-100
        Class index marking samples to skip.

    See Also
    --------
    ClassScaledCrossEntropyLoss : The same loss with neutral names:
        ``ClassScaledCrossEntropyLoss(class_index=pos_cid, scale=pos_mult)``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import WeightedSoftmaxLoss
    >>> criterion = WeightedSoftmaxLoss(pos_mult=3.0, pos_cid=1)
    >>> loss = criterion(torch.zeros(2, 2), torch.tensor([0, 1]))
    >>> round(loss.item() / torch.log(torch.tensor(2.0)).item(), 4)  # (1+3)/2
    2.0
    """

    def __init__(
        self,
        pos_mult: float,
        pos_cid: int,
        *,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__(
            pos_mult=pos_mult,
            pos_cid=pos_cid,
            reduction=reduction,
            ignore_index=ignore_index,
        )


def class_weighted_cross_entropy(
    logits: Tensor,
    target: Tensor,
    class_weight: ClassVector,
    *,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy weighted per class, from ``rebalance.class_weights`` output.

    Same semantics as ``cross_entropy(weight=...)`` (cost-sensitive
    weighting, e.g. by the inverse class frequency or the effective number
    of samples of Cui et al. 2019): ``'mean'`` divides by the summed weights
    of the targets.

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Class indices of shape ``(N,)`` / ``(N, d1, ...)``, or class
        probabilities with the shape of ``logits``.
    class_weight : dict, sequence, array or Tensor
        One finite weight ``>= 0`` per class, not all 0 and within the range
        of the logits' dtype (the weights are used in that precision): a dict
        ``{class: weight}`` keyed
        ``0..C-1``, or a sequence, an array or a tensor of length C. A
        tensor that requires grad (learnable weights) gets its gradient
        (``cross_entropy`` refuses one).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the summed weights of the non-ignored targets
        (class indices) or by the number of samples (class probabilities),
        as ``cross_entropy`` does.
    ignore_index : int, default=-100
        Class index marking samples to skip.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.

    Returns
    -------
    Tensor
        The loss; a scalar, or the shape of ``target`` (indices) for
        ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import class_weighted_cross_entropy
    >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> target = torch.tensor([0, 1, 1])
    >>> loss = class_weighted_cross_entropy(logits, target, {0: 1.0, 1: 4.0})
    >>> round(loss.item(), 4)
    0.7577
    """
    _check_logits(logits)
    ignore_index = _check_ignore_index(ignore_index)
    _check_class_targets(logits, target, ignore_index)
    _check_reduction(reduction)
    label_smoothing = _check_smoothing(label_smoothing)
    logits = _autocast_float32(logits)
    # In the logits' dtype (cross_entropy's weight must match it): float64
    # logits get float64 weights, not weights rounded to float32 first.
    weight = _class_vector(
        class_weight,
        logits.shape[1],
        "class_weight",
        logits.device,
        logits.dtype,
        nonzero=True,
        keep_grad=True,
    )
    if (weight.requires_grad and torch.is_grad_enabled()) or (
        label_smoothing
        and not target.is_floating_point()
        and not torch.compiler.is_compiling()
        and torch._C._functorch.is_functorch_wrapped_tensor(target)
    ):
        # cross_entropy refuses a weight that requires grad: the same loss,
        # differentiable in the class weights too. Under torch.func.vmap over
        # class indices, its 'mean' with label smoothing and a weight calls
        # masked_select, which vmap cannot batch: the same loss again.
        return _weighted_cross_entropy(
            logits,
            _long_target(target),
            weight,
            reduction,
            ignore_index,
            label_smoothing,
        )
    return F.cross_entropy(
        logits,
        _long_target(target),
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )


def _weighted_cross_entropy(
    logits: Tensor,
    target: Tensor,
    weight: Tensor,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
) -> Tensor:
    """``cross_entropy(logits, target, weight=weight, ...)`` written out, so
    that the gradient also reaches a ``weight`` that requires grad (torch's
    kernel refuses one). Computed in at least float32 and returned in the
    dtype ``cross_entropy`` returns (the logits')."""
    dtype = torch.promote_types(logits.dtype, torch.float32)
    n_classes = logits.shape[1]
    log_p = torch.log_softmax(logits.to(dtype), dim=1)
    w = weight.to(dtype).reshape((1, n_classes) + (1,) * (logits.dim() - 2))
    if target.is_floating_point():
        dist = target.to(dtype)
        if label_smoothing:
            dist = dist * (1.0 - label_smoothing) + label_smoothing / n_classes
        loss = -(log_p * dist * w).sum(1)
        if reduction == "mean":
            return (loss.sum() / (logits.numel() // n_classes)).to(logits.dtype)
        return _reduce(loss, reduction).to(logits.dtype)
    valid = target != ignore_index
    index = torch.where(valid, target, 0).unsqueeze(1)
    target_weight = torch.where(valid, w.reshape(-1)[index.squeeze(1)], 0.0)
    loss = torch.where(valid, -target_weight * log_p.gather(1, index).squeeze(1), 0.0)
    if label_smoothing:
        smooth = torch.where(valid, -(log_p * w).sum(1), 0.0)
        loss = (1.0 - label_smoothing) * loss + smooth * (label_smoothing / n_classes)
    if reduction == "mean":
        # divided by the summed weights of the targets (NaN if none), as in torch
        return (loss.sum() / target_weight.sum()).to(logits.dtype)
    return _reduce(loss, reduction).to(logits.dtype)


@renamed_keyword("targets", "target")
def class_weighted_binary_cross_entropy(
    logits: Tensor,
    target: Tensor,
    class_weight: ClassVector,
    *,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy with logits, weighting class 0 and class 1.

    Each element's loss is multiplied by ``w1 y + w0 (1 - y)``; ``'mean'`` is
    the plain mean over elements, as in ``binary_cross_entropy_with_logits``.

    Parameters
    ----------
    logits : Tensor
        Float logits of any shape.
    target : Tensor
        Same shape; 0/1 labels (float, int or bool) or soft labels in [0, 1].
    class_weight : dict, sequence, array or Tensor
        The weights ``>= 0`` of class 0 and class 1: a dict ``{0: w0, 1: w1}``
        (``rebalance.class_weights`` output for binary labels; keys ``False`` /
        ``True`` and ``0.0`` / ``1.0``, from bool or float labels, name the
        classes 0 and 1 too), or a length-2 sequence, array or tensor.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` is the plain mean over elements.

    Returns
    -------
    Tensor
        The loss; a scalar, or the shape of ``logits`` for ``'none'``. Its
        dtype is the logits' promoted with a floating-point target's
        (float32 for bfloat16 logits and float32 soft labels, as
        ``binary_cross_entropy_with_logits`` gives; float32 under autocast).

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import class_weighted_binary_cross_entropy
    >>> logits = torch.zeros(4)
    >>> target = torch.tensor([1.0, 0.0, 0.0, 0.0])
    >>> loss = class_weighted_binary_cross_entropy(logits, target, {0: 1.0, 1: 3.0})
    >>> round(loss.item() / torch.log(torch.tensor(2.0)).item(), 4)  # (3+1+1+1)/4
    1.5
    """
    _check_logits(logits)
    _check_binary_targets(logits, target, None)
    _check_reduction(reduction)
    _check_binary_target_values(target)
    logits = _autocast_float32(logits)
    w = _class_vector(
        class_weight,
        2,
        "class_weight",
        logits.device,
        torch.promote_types(logits.dtype, torch.float32),
        nonzero=True,
        keep_grad=True,
    )
    # Float (soft) targets keep their precision, as in
    # binary_cross_entropy_with_logits: float32 targets of bfloat16 logits
    # are not rounded to bfloat16 (nor is the loss, nor their gradient).
    dtype = logits.dtype
    if target.is_floating_point():
        dtype = torch.promote_types(dtype, target.dtype)
    y = target.to(dtype)
    weight = w[1] * y + w[0] * (1.0 - y)
    if not weight.requires_grad:
        return F.binary_cross_entropy_with_logits(
            logits, y, weight=weight, reduction=reduction
        )
    # binary_cross_entropy_with_logits refuses a weight that requires grad:
    # the same loss, differentiable in the class weights too.
    loss = F.binary_cross_entropy_with_logits(logits, y, reduction="none") * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


class ClassWeightedCrossEntropyLoss(
    _LossModule, function=class_weighted_cross_entropy, buffers=("class_weight",)
):
    """Module form of :func:`class_weighted_cross_entropy`.

    Parameters
    ----------
    class_weight : dict, sequence, array or Tensor
        One weight per class: a dict ``{class: weight}`` keyed ``0..C-1``
        (e.g. the output of ``rebalance.class_weights``), or a sequence, an array
        or a tensor of length C.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` divides by the summed weights of the targets (class
        indices) or by the number of samples (class probabilities).
    ignore_index : int, default=-100
        Class index marking samples to skip.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import ClassWeightedCrossEntropyLoss
    >>> criterion = ClassWeightedCrossEntropyLoss({0: 1.0, 1: 4.0})
    >>> criterion(torch.zeros(2, 2), torch.tensor([0, 1]))  # log(2)
    tensor(0.6931)
    """

    # A tensor class_weight is a buffer (state_dict key "class_weight"); the
    # state_dict of nn.CrossEntropyLoss(weight=...) loads into it too.
    _torch_keys = {"weight": "class_weight"}

    def __init__(
        self,
        class_weight: ClassVector,
        *,
        reduction: str = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            class_weight=class_weight,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )


class ClassWeightedBinaryCrossEntropyLoss(
    _LossModule, function=class_weighted_binary_cross_entropy, buffers=("class_weight",)
):
    """Module form of :func:`class_weighted_binary_cross_entropy`.

    Parameters
    ----------
    class_weight : dict, sequence, array or Tensor
        The weights of class 0 and class 1: a dict ``{0: w0, 1: w1}`` (e.g.
        the output of ``rebalance.class_weights``), or a length-2 sequence, array
        or tensor.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        ``'mean'`` is the plain mean over elements.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import ClassWeightedBinaryCrossEntropyLoss
    >>> criterion = ClassWeightedBinaryCrossEntropyLoss({0: 1.0, 1: 3.0})
    >>> loss = criterion(torch.zeros(2), torch.tensor([1.0, 0.0]))
    >>> round(loss.item() / torch.log(torch.tensor(2.0)).item(), 4)  # (3+1)/2
    2.0
    """

    def __init__(self, class_weight: ClassVector, *, reduction: str = "mean") -> None:
        super().__init__(class_weight=class_weight, reduction=reduction)

    @renamed_keyword("targets", "target")
    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """The loss of a batch: the function with this Module's arguments.

        Parameters
        ----------
        logits : Tensor
            The model's output, shaped as the loss function takes it.
        target : Tensor
            The labels, with the shape of ``logits``.

        Returns
        -------
        Tensor
            The loss, reduced as ``reduction`` says.
        """
        return self._call(logits, target)


ClassWeightedBCEWithLogitsLoss = deprecated_subclass(
    ClassWeightedBinaryCrossEntropyLoss,
    "ClassWeightedBCEWithLogitsLoss",
    "rebalance.torch",
)


# --------------------------------------------------------------------------
# Online hard example mining
# --------------------------------------------------------------------------
def ohem_loss(
    losses: Tensor,
    *,
    top_k: int | float | None = None,
    threshold: float | None = None,
    min_kept: int = 1,
    return_indices: bool = False,
    valid: Tensor | None = None,
) -> Tensor | tuple[Tensor, Tensor]:
    """Online hard example mining: the mean of a batch's hardest losses.

    OHEM (Shrivastava et al. 2016) trains on the hardest examples of each
    batch only. Give per-sample losses (any loss with ``reduction='none'``)
    and either ``top_k`` or ``threshold``. The gradient flows to the kept
    samples only.

    Parameters
    ----------
    losses : Tensor
        Floating-point per-sample losses, any shape (flattened).
    top_k : int or float, optional
        Keep the k largest losses; a float in (0, 1] is a fraction of the
        batch, rounded up. Give exactly one of ``top_k`` and ``threshold``.
    threshold : float, optional
        Keep every loss above it, but at least the ``min_kept`` largest.
    min_kept : int, default=1
        With ``threshold``: the fewest losses kept.
    return_indices : bool, default=False
        Also return the kept positions in the flattened batch, hardest
        first, e.g. to report to a hard-example replay sampler
        (``sampler.update(batch_ids[indices], losses[indices])``).
    valid : bool Tensor, optional
        The samples that count, with as many elements as ``losses`` (e.g.
        ``target != ignore_index``, as segmentation OHEM does): the others
        are never kept, and ``top_k`` fractions, ``min_kept`` and the mean
        count the valid samples only. Default: every sample counts.

    Returns
    -------
    loss : Tensor
        The mean over the kept samples (0 for an empty batch, or one
        without a valid sample).
    indices : Tensor
        Only with ``return_indices=True``: the kept positions (int64).

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import ohem_loss
    >>> losses = torch.tensor([0.1, 2.0, 0.5, 3.0])
    >>> ohem_loss(losses, top_k=2)
    tensor(2.5000)
    >>> loss, idx = ohem_loss(losses, threshold=1.0, min_kept=3, return_indices=True)
    >>> idx
    tensor([3, 1, 2])
    >>> ohem_loss(losses, top_k=0.5, valid=torch.tensor([True, True, True, False]))
    tensor(1.2500)
    """
    if not isinstance(losses, Tensor) or not losses.is_floating_point():
        raise TypeError("losses must be a floating-point tensor of per-sample losses")
    if losses.dim() == 0:
        # A reduced loss (reduction='mean' left on): OHEM would return it as
        # it is, the plain mean.
        raise ValueError(
            "losses is a single number, a loss already reduced: pass the "
            "per-sample losses, e.g. F.cross_entropy(logits, target, "
            "reduction='none')."
        )
    top_k, threshold, min_kept, return_indices = _ohem_options(
        top_k, threshold, min_kept, return_indices
    )
    flat = losses.reshape(-1)
    n = flat.numel()
    _refuse_meta_selection(flat, threshold, return_indices and valid is not None)
    if valid is not None:
        return _ohem_valid(
            flat,
            _ohem_mask(valid, n, flat.device),
            top_k,
            threshold,
            min_kept,
            return_indices,
        )
    if isinstance(top_k, float):
        # The ceiling of the fraction as written (0.55 of 100 is 55), not of
        # its binary product (0.55 * 100 == 55.00000000000001): a relative
        # tolerance far below one row (plain float math: torch.compile traces
        # it).
        k = min(math.ceil(top_k * n * (1 - 1e-12)), n)
    elif threshold is None:
        k = min(int(top_k or 0), n)
    else:
        n_above = _count_above(flat.detach(), threshold)
        k = min(max(n_above, min_kept), n)
    _, idx = torch.topk(flat.detach(), k)
    loss = _kept_mean(flat[idx], max(k, 1))
    if return_indices:
        return loss, idx
    return loss


def _refuse_meta_selection(
    losses: Tensor, threshold: float | None, valid_indices: bool
) -> None:
    """A clear error where the losses kept depend on their values and the
    losses are a meta tensor, which holds none: torch raised its own
    RuntimeError (``Tensor.item()``) or NotImplementedError (``nonzero``)."""
    if losses.device.type != "meta" or (threshold is None and not valid_indices):
        return
    if threshold is not None:
        what = f"threshold={threshold!r} keeps the losses above it"
        fix = "or use top_k (a fixed count), which works on meta tensors"
    else:
        what = (
            "return_indices=True with valid (OHEMLoss: ignore_index) returns "
            "the valid positions among the hardest"
        )
        fix = "or pass return_indices=False"
    raise ValueError(
        f"losses is a meta tensor, which holds no values, but {what}, a number "
        f"only real values give: pass real losses, {fix}."
    )


def _kept_mean(kept: Tensor, count: Tensor | int) -> Tensor:
    """``kept.sum() / count`` in the losses' dtype, summed and divided in at
    least float32: a float16 sum of many losses overflows (past 65504: an
    inf loss), a bfloat16 one loses its low bits, and a bfloat16 count
    rounds 257 to 256."""
    wide = torch.promote_types(kept.dtype, torch.float32)
    if isinstance(count, Tensor):
        count = count.to(wide)
    return (kept.sum(dtype=wide) / count).to(kept.dtype)


def _count_above(losses: Tensor, threshold: float) -> int:
    """Losses above ``threshold``, NaN counted (``topk`` ranks NaN first): a
    NaN loss is kept and shows in the result instead of being cut off."""
    # Compared in float64 (float32 on MPS, which has no float64): a Python
    # threshold is otherwise rounded to the losses' dtype (bfloat16 0.6015625
    # is not above 0.6 once 0.6 is rounded to it).
    exact = torch.float32 if losses.device.type == "mps" else torch.float64
    wide = losses.to(exact)
    return int(((wide > threshold) | torch.isnan(wide)).sum())


def _ohem_mask(valid: Any, n: int, device: torch.device) -> Tensor:
    """``valid`` as a flat bool tensor of ``n`` elements, or a clear error."""
    if not isinstance(valid, Tensor) or valid.dtype != torch.bool:
        raise TypeError(
            "valid must be a bool tensor marking the samples that count, e.g. "
            f"target != ignore_index; got {type(valid).__name__} "
            f"{getattr(valid, 'dtype', '')}"
        )
    if valid.numel() != n:
        raise ValueError(
            f"valid has {valid.numel()} elements but losses has {n}: pass one "
            "flag per per-sample loss (the same shape)."
        )
    if valid.device != device:
        raise ValueError(
            f"valid is on {valid.device} but losses is on {device}: pass "
            f"valid.to({str(device)!r})."
        )
    return valid.reshape(-1)


def _ohem_valid(
    flat: Tensor,
    valid: Tensor,
    top_k: int | float | None,
    threshold: float | None,
    min_kept: int,
    return_indices: bool,
) -> Tensor | tuple[Tensor, Tensor]:
    """:func:`ohem_loss` among the ``valid`` samples only: the others rank
    last and are cut off by a count of valid samples computed as a tensor
    (``top_k`` stays traceable: no data-dependent shape unless the indices
    are asked for)."""
    n = flat.numel()
    key = flat.detach().masked_fill(~valid, -math.inf)
    n_valid = valid.sum()
    if threshold is not None:
        n_above = _count_above(key, threshold)
        k_static = min(max(n_above, min_kept), int(n_valid))
        k_valid = torch.tensor(k_static, device=flat.device)
    elif isinstance(top_k, float):
        # The bound with every sample valid; the kept ones are its first.
        k_static = min(math.ceil(top_k * n * (1 - 1e-12)), n)
        # float64 where the device has it (MPS does not): counts stay exact.
        exact = torch.float32 if flat.device.type == "mps" else torch.float64
        k_valid = torch.ceil(n_valid.to(exact) * (top_k * (1 - 1e-12))).long()
        # float32 (MPS) may round up past the bound: never more than it.
        k_valid = torch.clamp(k_valid, max=k_static)
    else:
        k_static = min(int(top_k or 0), n)
        k_valid = torch.clamp(n_valid, max=k_static)
    # Ranked: ignored samples below every valid one, a valid -inf loss too
    # (counted above as it is).
    lowest = torch.finfo(flat.dtype).min
    ranked = flat.detach().clamp(min=lowest).masked_fill(~valid, -math.inf)
    _, idx = torch.topk(ranked, k_static)
    kept_mask = torch.arange(k_static, device=flat.device) < k_valid
    kept = torch.where(
        kept_mask, flat[idx], torch.zeros((), dtype=flat.dtype, device=flat.device)
    )
    loss = _kept_mean(kept, torch.clamp(k_valid, min=1))
    if return_indices:
        return loss, idx[kept_mask]
    return loss


def _shortest_fraction(top_k: Any) -> Any:
    """``_scalar(top_k)``; a narrow float (float32, float16, bfloat16 numpy
    scalar, 0-d array or one-element tensor) as the number it stands for: the
    shortest decimal that rounds to it in its own dtype, or a much simpler
    fraction that does (float32 0.3 is 0.3, float32 1/3 is 1/3), as a
    Python float."""
    if isinstance(top_k, np.ndarray) and top_k.ndim == 0:
        top_k = top_k[()]
    value = _scalar(top_k)
    if not isinstance(value, float) or not _finite(value):
        return value  # NaN and inf: left to the range check, which names top_k
    if isinstance(top_k, np.floating) and top_k.dtype.itemsize < 8:

        def same(candidate: float) -> bool:
            return bool(top_k.dtype.type(candidate) == top_k)

    elif isinstance(top_k, Tensor) and top_k.dtype != torch.float64:
        held = top_k.detach().cpu().reshape(())

        def same(candidate: float) -> bool:
            return bool(torch.tensor(candidate, dtype=held.dtype, device="cpu") == held)

    else:
        return value
    # The shortest decimal that rounds to it (float32 0.3 is 0.3) ...
    decimal = value
    for digits in range(1, 18):
        candidate = float(f"{value:.{digits}g}")
        if same(candidate):
            decimal = candidate
            break
    # ... unless a simple fraction does (float32 1/3 is 0.33333334 as a
    # decimal): one whose denominator cubed is at most the decimal's, so
    # that 0.1253 stays 1253/10000 and float16 0.129 is not 4/31, nor
    # bfloat16 0.57 4/7, while float32 1/24 is 1/24.
    limit = fractions.Fraction(str(decimal)).denominator
    exact = fractions.Fraction(value)
    for bits in range(25):  # continued-fraction approximations, simplest first
        fraction = exact.limit_denominator(1 << bits)
        if fraction.denominator**3 > limit:
            break
        if same(float(fraction)):
            return float(fraction)
    return decimal


def _ohem_options(
    top_k: Any, threshold: Any, min_kept: Any, return_indices: Any
) -> tuple[int | float | None, float | None, int, bool]:
    """The checked options of :func:`ohem_loss` (also checked by
    :class:`OHEMLoss` when built): ``top_k`` an int count or a float
    fraction in (0, 1], or a ``threshold``, never both."""
    if (top_k is None) == (threshold is None):
        raise ValueError("give exactly one of top_k and threshold")
    min_kept = _scalar(min_kept)
    if isinstance(min_kept, bool) or not isinstance(min_kept, int):
        raise TypeError(
            f"min_kept must be an int, got {type(min_kept).__name__} {min_kept!r:.40}"
        )
    if min_kept < 0:
        raise ValueError(f"min_kept must be >= 0, got {min_kept}")
    return_indices = _check_flag(return_indices, "return_indices")
    if top_k is not None and min_kept > 1:
        # It applies with threshold only: with top_k it was ignored, and
        # top_k=0.1, min_kept=1000 kept fewer losses than asked (0 and 1,
        # the default, ask for no more than top_k keeps).
        raise ValueError(
            f"min_kept={min_kept} applies with threshold only; with top_k the "
            "losses kept are the top_k largest: pass top_k as the count to keep "
            "(e.g. top_k=max(k, min_kept)), or threshold= with min_kept="
        )
    if top_k is not None:
        # numpy scalars and 0-d tensors count like the Python number they hold:
        # a float is a fraction of the batch, an int a count. A narrow float
        # (float32 0.3 is 0.30000001192...) is read as the shortest decimal
        # that rounds to it, as written: 0.3 of 10 rows keeps 3, not 4.
        top_k = _shortest_fraction(top_k)
        if isinstance(top_k, bool) or not isinstance(top_k, int | float):
            raise TypeError(
                f"top_k must be an int (a count) or a float in (0, 1] (a fraction), "
                f"got {type(top_k).__name__} {top_k!r:.40}"
            )
        if isinstance(top_k, float) and not 0.0 < top_k <= 1.0:
            raise ValueError(
                f"top_k as a fraction must be in (0, 1], got {top_k}; "
                "pass an int for a count"
            )
        if isinstance(top_k, int) and top_k < 0:
            raise ValueError(f"top_k must be >= 0, got {top_k}")
    else:
        # Selects rows only (no gradient in any formula): a threshold taken
        # from the batch's losses (e.g. losses.mean()) is fine as it is.
        if isinstance(threshold, Tensor):
            threshold = threshold.detach()
        threshold = _real(threshold, "threshold", "0.5")
        if threshold != threshold:  # NaN (math.isnan: see _finite)
            raise ValueError("threshold must not be NaN; pass e.g. threshold=0.5")
    return top_k, threshold, min_kept, return_indices


def _callable_repr(function: Any) -> str:
    """A short repr of a callable: its name (``cross_entropy``), a
    ``functools.partial`` as ``partial(name, keyword=value, ...)``."""
    if isinstance(function, functools.partial):
        parts = [_callable_repr(function.func)]
        parts += [_argument_repr(a) for a in function.args]
        parts += [f"{k}={_argument_repr(v)}" for k, v in function.keywords.items()]
        return f"partial({', '.join(parts)})"
    name = getattr(function, "__qualname__", None)  # functions, classes
    return name if isinstance(name, str) else _argument_repr(function)


class OHEMLoss(nn.Module):
    """OHEM (Shrivastava et al. 2016) around a per-sample criterion.

    ``forward`` computes the per-sample losses with ``criterion`` and keeps
    the hardest with :func:`ohem_loss`. (Not a ``_LossModule``: it wraps a
    criterion rather than a loss function, and may return a pair.)

    Parameters
    ----------
    criterion : callable, optional
        ``criterion(logits, target)`` returning per-sample losses (a loss
        with ``reduction='none'``: a reduced, 0-d loss, or one whose first
        dimension is not the batch, raises ValueError; the 0-d loss of one
        unbatched sample is taken); default ``cross_entropy``.
    top_k : int or float, optional
        Keep the k largest losses; a float in (0, 1] is a fraction of the
        batch, rounded up. Give exactly one of ``top_k`` and ``threshold``.
    threshold : float, optional
        Keep every loss above it, but at least the ``min_kept`` largest.
    min_kept : int, default=1
        With ``threshold``: the fewest losses kept.
    return_indices : bool, default=False
        ``forward`` also returns the kept positions, hardest first.
    ignore_index : int or None, default=-100
        Samples whose target is ``ignore_index`` do not count (as in
        segmentation OHEM): they are never kept, and ``top_k`` fractions,
        ``min_kept`` and the mean count the other samples only. Applies when
        the target has one value per per-sample loss (class indices, or
        per-element binary targets); the default criterion ignores them too.
        ``None``: every sample counts.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import OHEMLoss
    >>> criterion = OHEMLoss(top_k=0.5)
    >>> logits = torch.tensor([[4.0, 0.0], [0.0, 4.0], [1.0, 0.0], [0.0, 0.0]])
    >>> round(criterion(logits, torch.tensor([0, 0, 0, 1])).item(), 4)
    2.3556
    """

    __prepare_scriptable__ = _refuse_scripting_module

    def __init__(
        self,
        criterion: Callable[[Tensor, Tensor], Tensor] | None = None,
        *,
        top_k: int | float | None = None,
        threshold: float | None = None,
        min_kept: int = 1,
        return_indices: bool = False,
        ignore_index: int | None = -100,
    ) -> None:
        super().__init__()
        if criterion is not None and not callable(criterion):
            raise TypeError(
                f"criterion must be a callable criterion(logits, target) returning "
                f"per-sample losses, or None for cross_entropy; got {criterion!r:.60}"
            )
        # Checked now, and again by ohem_loss at every call (attributes set
        # later included).
        _ohem_options(top_k, threshold, min_kept, return_indices)
        self.criterion = criterion
        self.top_k = top_k
        self.threshold = threshold
        self.min_kept = min_kept
        self.return_indices = return_indices
        self.ignore_index = _ohem_ignore_index(ignore_index)
        if criterion is not None:
            _check_criterion_ignore_index(criterion, self.ignore_index)

    def extra_repr(self) -> str:
        """The options that differ from their defaults, for ``repr(module)``
        (a criterion that is a Module shows as its child).

        Returns
        -------
        str
            ``name=value`` pairs, comma-separated.
        """
        defaults = {
            "top_k": None,
            "threshold": None,
            "min_kept": 1,
            "return_indices": False,
            "ignore_index": -100,
        }
        shown = []
        criterion = self.criterion
        if criterion is not None and not isinstance(criterion, nn.Module):
            shown.append(f"criterion={_callable_repr(criterion)}")
        for name, default in defaults.items():
            value = getattr(self, name, default)
            if value is not default and not (
                type(value) is type(default) and value == default
            ):
                shown.append(f"{name}={_argument_repr(value)}")
        return ", ".join(shown)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        """The mean of the batch's hardest per-sample losses.

        Parameters
        ----------
        logits : Tensor
            The model's output, as ``criterion`` takes it.
        target : Tensor
            The targets, as ``criterion`` takes them.

        Returns
        -------
        loss : Tensor
            The mean over the kept samples (0 for an empty batch).
        indices : Tensor
            Only with ``return_indices=True``: the kept positions (int64).
        """
        # A Module pickled before ignore_index existed masks nothing, as then.
        ignore_index = _ohem_ignore_index(getattr(self, "ignore_index", None))
        if self.criterion is None:
            # Any integer dtype, indices checked as the other losses do; float
            # targets must be class probabilities shaped like the logits.
            # ignore_index applies to class indices only (documented).
            _check_logits(logits)
            own = -100 if ignore_index is None else ignore_index
            _check_class_targets(logits, target, own, soft_ignore=True)
            target = _long_target(target)
            if target.is_floating_point():
                # cross_entropy refuses an ignore_index >= 0 (255 of a
                # segmentation mask) with probabilities, which it never reads
                own = -100
            losses = F.cross_entropy(logits, target, reduction="none", ignore_index=own)
        else:
            _check_criterion_ignore_index(self.criterion, ignore_index)
            losses = self.criterion(logits, target)
            # One unbatched sample ((C,) logits, a 0-d target): its one loss
            # is 0-d, reduced or not. So is any 0-d loss of a torch criterion
            # that says it reduces nothing (a soft (C,) target, one binary
            # logit): a reduced batch cannot come from it.
            unbatched = all(
                isinstance(t, Tensor) and t.dim() == d
                for t, d in ((logits, 1), (target, 0), (losses, 0))
            ) or (
                isinstance(losses, Tensor)
                and losses.dim() == 0
                and isinstance(logits, Tensor)
                and _reduces_nothing(self.criterion)
                and (
                    logits.dim() == 0
                    or (logits.dim() == 1 and _softmax(self.criterion))
                )
            )
            if not unbatched:
                _check_per_sample_losses(losses, logits, target)
        valid = None
        if (
            ignore_index is not None
            and isinstance(target, Tensor)
            and isinstance(losses, Tensor)
            and target.shape == losses.shape
        ):
            # Integers compared as int64: -100 is not class 156 of a uint8
            # mask; float (per-element binary) targets compared as they are.
            valid = _long_target(target) != ignore_index
        if isinstance(losses, Tensor) and losses.dim() == 0:
            losses = losses.reshape(1)
            valid = None if valid is None else valid.reshape(1)
        return ohem_loss(
            losses,
            top_k=self.top_k,
            threshold=self.threshold,
            min_kept=self.min_kept,
            return_indices=self.return_indices,
            valid=valid,
        )


def _reduces_nothing(criterion: Any) -> bool:
    """Whether an :class:`OHEMLoss` criterion says it returns per-sample
    losses: a torch loss Module with ``reduction='none'``, or a
    ``functools.partial`` of a loss function given ``reduction='none'``."""
    if isinstance(criterion, functools.partial):
        return criterion.keywords.get("reduction") == "none"
    return getattr(criterion, "reduction", None) == "none"


def _softmax(criterion: Any) -> bool:
    """Whether an :class:`OHEMLoss` criterion is torch's cross-entropy (a
    Module or a ``functools.partial`` of the function): its ``(C,)`` logits
    are one sample, where a binary loss's ``(N,)`` logits are a batch."""
    while isinstance(criterion, functools.partial):
        criterion = criterion.func
    return (
        isinstance(criterion, torch.nn.CrossEntropyLoss) or criterion is F.cross_entropy
    )


def _check_per_sample_losses(losses: Any, logits: Any, target: Any) -> None:
    """ValueError unless an :class:`OHEMLoss` criterion's output holds
    per-sample losses: not a 0-d tensor, and (for tensor logits) with the
    batch as its first dimension, or one loss per target element (flattened).
    A reduced loss (``reduction='mean'`` left on) would make OHEM the plain
    mean, silently; so would the losses of the logits and the target
    broadcast to more elements than either holds (a ``(N, 1)`` target
    against ``(N,)`` logits gives ``(N, N)`` losses of unrelated pairs). A
    criterion whose losses have another shape (pairwise losses of
    embeddings) is the user's design. TypeError unless it is a
    floating-point tensor (a float, an array or an integer tensor holds no
    losses :func:`ohem_loss` can rank and differentiate)."""
    if not isinstance(losses, Tensor) or not losses.is_floating_point():
        got = (
            f"a {losses.dtype} tensor"
            if isinstance(losses, Tensor)
            else f"{type(losses).__name__} {losses!r:.40}"
        )
        raise TypeError(
            "criterion must return a floating-point tensor of per-sample "
            f"losses (a torch loss with reduction='none'), got {got}"
        )
    if (
        isinstance(logits, Tensor)
        and isinstance(target, Tensor)
        and losses.numel() > max(logits.numel(), target.numel())
        and _broadcast_shape(logits, target) == losses.shape
    ):
        raise ValueError(
            f"criterion returned {losses.numel()} losses (shape "
            f"{tuple(losses.shape)}) for logits of shape {tuple(logits.shape)} "
            f"and a target of shape {tuple(target.shape)}: more than either "
            "holds, so it likely broadcast the target against the logits (a "
            "(N, 1) target against (N,) logits gives (N, N) losses). Give the "
            "target the logits' shape, e.g. target.view_as(logits)"
        )
    batch = logits.shape[0] if isinstance(logits, Tensor) and logits.dim() else None
    per_sample = losses.dim() > 0 and (
        batch is None
        or losses.shape[0] == batch
        or (isinstance(target, Tensor) and losses.numel() == target.numel())
    )
    if not per_sample:
        size = "" if batch is None else f" for a batch of {batch}"
        raise ValueError(
            "criterion must return per-sample losses, got a tensor of shape "
            f"{tuple(losses.shape)}{size}: give it reduction='none' (e.g. "
            "nn.CrossEntropyLoss(reduction='none'), SoftmaxFocalLoss("
            "reduction='none'))"
        )


def _broadcast_shape(logits: Tensor, target: Tensor) -> torch.Size | None:
    """The shape ``logits`` and ``target`` broadcast to, or None when they do
    not broadcast (a criterion of its own shapes, e.g. an ``(N, N)`` matrix of
    pairwise losses from ``(N, D)`` embeddings and ``(N,)`` labels)."""
    try:
        return torch.broadcast_shapes(logits.shape, target.shape)
    except RuntimeError:
        return None


def _check_criterion_ignore_index(criterion: Any, ignore_index: int | None) -> None:
    """ValueError when an :class:`OHEMLoss` criterion ignores another target
    value than ``ignore_index`` (``criterion.ignore_index``, or the keyword of
    a ``functools.partial``): its ignored samples would get loss 0 and still
    count in ``top_k`` fractions, ``min_kept`` and the mean, silently diluting
    the loss. ``ignore_index=None`` (every sample counts) is the user's call.

    A float ``ignore_index`` (a sigmoid criterion's ``-1.0``, also a 0-d
    tensor) is compared by value; one that is not an integer (``-0.5``) is
    a ValueError, as OHEM's integer ``ignore_index`` cannot mark those
    samples."""
    if ignore_index is None:
        return
    if isinstance(criterion, functools.partial):
        own = criterion.keywords.get("ignore_index")
    else:
        own = getattr(criterion, "ignore_index", None)
    if isinstance(own, Tensor):
        own = own.detach()
    own = _scalar(own)
    if isinstance(own, bool) or not isinstance(own, int | float):
        return
    if isinstance(own, float) and not own.is_integer():  # also inf, NaN
        raise ValueError(
            f"criterion ignores target {own} but OHEMLoss's ignore_index is an "
            f"integer (now {ignore_index}) and cannot mark those samples: they "
            "would count as easy samples with loss 0. Mark the samples to skip "
            "with an integer (e.g. ignore_index=-1 in both), or pass "
            "OHEMLoss(..., ignore_index=None) to count every sample"
        )
    if own != ignore_index:
        raise ValueError(
            f"criterion ignores target {int(own)} but OHEMLoss has "
            f"ignore_index={ignore_index}: its ignored samples would count as "
            f"easy samples with loss 0. Pass OHEMLoss(..., ignore_index="
            f"{int(own)}) (or ignore_index=None to count every sample)"
        )


def _ohem_ignore_index(ignore_index: Any) -> int | None:
    """``ignore_index`` of :class:`OHEMLoss`: None, or an int that fits int64
    (the dtype the targets are compared in)."""
    return None if ignore_index is None else _check_ignore_index(ignore_index)


# --------------------------------------------------------------------------
# Logit adjustment
# --------------------------------------------------------------------------
def _log_priors(
    priors: ClassVector,
    n_classes: int,
    logits: Tensor,
    tau: float | None,
    name: str = "priors",
    tau_tensor: Any = None,
) -> Tensor:
    """``tau`` times the normalised log priors, shaped to broadcast over the
    class dim of ``logits`` and in their dtype. ``tau_tensor``: the ``tau``
    the caller gave; one that requires grad gets its gradient (``tau`` is its
    value, for the checks; None under torch.compile tracing, see
    :func:`_check_tau`: the tensor is used and the checks skipped).

    Normalised in float64 (and relative to the largest prior, so nothing
    overflows): priors as small as 1e-45 stay finite (about -104). A ``tau``
    that makes the adjustment overflow the logits' dtype is a ValueError,
    and so are priors whose smallest / largest ratio underflows float64
    (always for Python and numpy priors, in eager mode for tensors).
    """
    largest = torch.finfo(logits.dtype).max
    if isinstance(priors, Tensor):
        vec = _class_tensor(
            priors, n_classes, name, torch.float64, positive=True, keep_grad=True
        )
        _check_not_meta(vec, name, logits.device)
    else:
        floats = _class_floats(priors, n_classes, name, positive=True) or []
        # on the logits' device, whatever torch.set_default_device says
        vec = torch.tensor(floats, dtype=torch.float64, device=logits.device)
        if floats and tau is not None:
            _check_adjustment(floats, tau, logits.dtype, name)
    rel = vec / vec.max()
    if tau is None or _differentiated(tau_tensor):
        factor = tau_tensor.to(device=vec.device, dtype=torch.float64)
    else:
        factor = tau
    log_p = (torch.log(rel) - torch.log(rel.sum())) * factor
    if isinstance(priors, Tensor) and tau is not None and not _tracing(vec):
        smallest, worst = 1.0, 0.0
        if log_p.numel():  # one read of the device
            both = torch.stack([rel.detach().min(), log_p.detach().abs().max()])
            smallest, worst = both.tolist()
        if smallest == 0.0:
            values = vec.detach()
            found = f"values from {values.min().item():g} to {values.max().item():g}"
            raise ValueError(_span_message(name, found))
        if not worst <= largest:
            raise ValueError(_tau_overflow(tau, worst, logits.dtype))
    log_p = log_p.to(device=logits.device, dtype=logits.dtype)
    return log_p.reshape((1, n_classes) + (1,) * (logits.dim() - 2))


def _check_adjustment(
    floats: list[float], tau: float, dtype: torch.dtype, name: str
) -> None:
    """ValueError unless ``tau * log(p)`` of the priors ``floats`` fits ``dtype``.

    ``|log p_c|`` is largest for the smallest prior: ``log(sum) - log(min)``
    relative to the largest prior, as :func:`_log_priors` normalises them.
    """
    top = max(floats)
    smallest = min(floats) / top
    if smallest == 0.0:
        raise ValueError(_span_message(name, f"got {floats}"))
    worst = abs(tau) * (
        math.log(math.fsum([v / top for v in floats])) - math.log(smallest)
    )
    if not worst <= torch.finfo(dtype).max:
        raise ValueError(_tau_overflow(tau, worst, dtype))


def _span_message(name: str, found: str) -> str:
    """The error for priors whose smallest / largest ratio underflows
    float64 (their log cannot be taken); ``found`` shows them."""
    return (
        f"{name} span more than float64's range (smallest / largest "
        f"underflows to 0), {found}; give every class at least about 1e-300 "
        "times the largest (e.g. counts, or smoothed frequencies)"
    )


def _tau_overflow(tau: float, worst: float, dtype: torch.dtype) -> str:
    return (
        f"tau={tau:g} makes tau * log(priors) overflow {dtype}, the dtype of the "
        f"logits (largest |tau * log p| is {worst:.4g}, at most "
        f"{torch.finfo(dtype).max:.4g} fits); pass a smaller tau, e.g. tau=1.0"
    )


def logit_adjusted_cross_entropy(
    logits: Tensor,
    target: Tensor,
    priors: ClassVector,
    *,
    tau: float = 1.0,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Logit-adjusted cross-entropy (Menon et al. 2021).

    Cross-entropy on ``logits + tau * log(priors)``. Training this way and
    predicting with the raw logits targets the balanced error. ``tau=1`` is
    the balanced softmax of Ren et al. 2020
    (:func:`balanced_softmax_cross_entropy`).

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Class indices of shape ``(N,)`` / ``(N, d1, ...)``, or class
        probabilities with the shape of ``logits``.
    priors : dict, sequence, array or Tensor
        The class frequencies or counts ``> 0`` (normalised here), one per
        class: a dict ``{class: value}`` keyed ``0..C-1``, or a sequence, an
        array or a tensor of length C.
    tau : float, default=1.0
        Scale of the adjustment ``tau * log(priors)``; a 0-d tensor that
        requires grad (a learnable ``tau``) gets its gradient, as tensor
        ``priors`` do.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        As in ``cross_entropy``.
    ignore_index : int, default=-100
        Class index marking samples to skip.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.

    Returns
    -------
    Tensor
        The loss; a scalar, or the shape of ``target`` (indices) for
        ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import logit_adjusted_cross_entropy
    >>> logits = torch.zeros(2, 2)
    >>> target = torch.tensor([0, 1])
    >>> loss = logit_adjusted_cross_entropy(logits, target, {0: 90, 1: 10})
    >>> round(loss.item(), 4)  # (-log 0.9 - log 0.1) / 2
    1.204
    """
    return _logit_adjusted(
        logits, target, priors, tau, reduction, ignore_index, label_smoothing, "priors"
    )


def _logit_adjusted(
    logits: Tensor,
    target: Tensor,
    priors: ClassVector,
    tau: float,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
    priors_name: str,
) -> Tensor:
    _check_logits(logits)
    ignore_index = _check_ignore_index(ignore_index)
    _check_class_targets(logits, target, ignore_index)
    _check_reduction(reduction)
    tau_value = _check_tau(tau)
    label_smoothing = _check_smoothing(label_smoothing)
    logits = _autocast_float32(logits)
    adjusted = logits + _log_priors(
        priors, logits.shape[1], logits, tau_value, priors_name, tau
    )
    return F.cross_entropy(
        adjusted,
        _long_target(target),
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )


def balanced_softmax_cross_entropy(
    logits: Tensor,
    target: Tensor,
    class_counts: ClassVector,
    *,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Balanced softmax cross-entropy (Ren et al. 2020): CE on ``logits + log n_c``.

    The logit-adjusted cross-entropy with ``tau=1``
    (:func:`logit_adjusted_cross_entropy`) and the class counts as priors.

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits.
    target : Tensor
        Class indices of shape ``(N,)`` / ``(N, d1, ...)``, or class
        probabilities with the shape of ``logits``.
    class_counts : dict, sequence, array or Tensor
        The number (or frequency) ``> 0`` of training samples of each class:
        a dict ``{class: count}`` keyed ``0..C-1``, or a sequence, an array
        or a tensor of length C.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        As in ``cross_entropy``.
    ignore_index : int, default=-100
        Class index marking samples to skip.

    Returns
    -------
    Tensor
        The loss; a scalar, or the shape of ``target`` (indices) for
        ``'none'``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import balanced_softmax_cross_entropy
    >>> logits = torch.zeros(1, 2)
    >>> loss = balanced_softmax_cross_entropy(logits, torch.tensor([1]), [3, 1])
    >>> round(loss.item(), 4)  # -log(1/4)
    1.3863
    """
    return _logit_adjusted(
        logits, target, class_counts, 1.0, reduction, ignore_index, 0.0, "class_counts"
    )


def adjust_logits(logits: Tensor, priors: ClassVector, *, tau: float = 1.0) -> Tensor:
    """Post-hoc logit adjustment for inference: ``logits - tau * log(priors)``.

    Use on a model trained with plain cross-entropy: the argmax of the
    adjusted logits targets the balanced error (Menon et al. 2021).

    Parameters
    ----------
    logits : Tensor
        ``(N, C)`` or ``(N, C, d1, ...)`` float logits (class dim 1).
    priors : dict, sequence, array or Tensor
        The training class frequencies or counts ``> 0`` (normalised here),
        one per class: a dict ``{class: value}`` keyed ``0..C-1``, or a
        sequence, an array or a tensor of length C.
    tau : float, default=1.0
        Scale of the adjustment; a 0-d tensor that requires grad gets its
        gradient.

    Returns
    -------
    Tensor
        The adjusted logits, with the shape and dtype of ``logits``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import adjust_logits
    >>> logits = torch.tensor([[1.0, 0.0]])  # class 0 preferred...
    >>> adjust_logits(logits, {0: 0.9, 1: 0.1}).argmax(1)  # ...until priors count
    tensor([1])
    """
    _check_logits(logits)
    if logits.dim() < 2:
        raise ValueError(
            "logits must have shape (N, C) or (N, C, d1, ...), got "
            f"{tuple(logits.shape)}"
        )
    check_has_classes(logits)
    tau_value = _check_tau(tau)
    return logits - _log_priors(
        priors, logits.shape[1], logits, tau_value, tau_tensor=tau
    )


class LogitAdjustedCrossEntropyLoss(
    _LossModule, function=logit_adjusted_cross_entropy, buffers=("priors",)
):
    """Module form of :func:`logit_adjusted_cross_entropy` (Menon et al. 2021).

    Parameters
    ----------
    priors : dict, sequence, array or Tensor
        The class frequencies or counts (normalised by the loss), one per
        class: a dict ``{class: value}`` keyed ``0..C-1``, or a sequence, an
        array or a tensor of length C.
    tau : float, default=1.0
        Scale of the adjustment ``tau * log(priors)``; a 0-d tensor that
        requires grad (a learnable ``tau``) gets its gradient, as tensor
        ``priors`` do.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        As in ``cross_entropy``.
    ignore_index : int, default=-100
        Class index marking samples to skip.
    label_smoothing : float, default=0.0
        In [0, 1], as in ``cross_entropy``.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import LogitAdjustedCrossEntropyLoss
    >>> criterion = LogitAdjustedCrossEntropyLoss({0: 90, 1: 10})
    >>> round(criterion(torch.zeros(1, 2), torch.tensor([1])).item(), 4)  # -log 0.1
    2.3026
    """

    def __init__(
        self,
        priors: ClassVector,
        *,
        tau: float = 1.0,
        reduction: str = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            priors=priors,
            tau=tau,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )


class BalancedSoftmaxCrossEntropyLoss(
    _LossModule, function=balanced_softmax_cross_entropy, buffers=("class_counts",)
):
    """Module form of :func:`balanced_softmax_cross_entropy` (Ren et al. 2020).

    Parameters
    ----------
    class_counts : dict, sequence, array or Tensor
        The number (or frequency) of training samples of each class: a dict
        ``{class: count}`` keyed ``0..C-1``, or a sequence, an array or a
        tensor of length C.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        As in ``cross_entropy``.
    ignore_index : int, default=-100
        Class index marking samples to skip.

    Examples
    --------
    >>> import torch
    >>> from rebalance.torch.losses import BalancedSoftmaxCrossEntropyLoss
    >>> criterion = BalancedSoftmaxCrossEntropyLoss([3, 1])
    >>> round(criterion(torch.zeros(1, 2), torch.tensor([1])).item(), 4)  # -log 1/4
    1.3863
    """

    def __init__(
        self,
        class_counts: ClassVector,
        *,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__(
            class_counts=class_counts, reduction=reduction, ignore_index=ignore_index
        )


BalancedSoftmaxLoss = deprecated_subclass(
    BalancedSoftmaxCrossEntropyLoss, "BalancedSoftmaxLoss", "rebalance.torch"
)


for _name in __all__:
    if inspect.isfunction(globals()[_name]):
        globals()[_name] = _with_torch_spellings(globals()[_name], _name)
        globals()[_name].__prepare_scriptable__ = _refuse_scripting(_name)
del _name
