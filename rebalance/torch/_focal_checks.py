"""Target-value checks of the fused focal losses.

Targets are checked inside the fused ops (so also in compiled code): on the
host for CPU tensors (:func:`check_binary_target_values`,
:func:`check_class_target_values`; the numba kernels flag bad values and the
host check then reports the range), and on the device by the Triton kernels,
whose count of bad values is checked later without a host-device sync
(:func:`defer_target_check`, :func:`raise_deferred_target_errors`).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import torch
from torch import Tensor

__all__ = [
    "SKIP_BY_DROPPING",
    "SKIP_WITH_IGNORE_INDEX",
    "binary_targets_message",
    "check_binary_target_values",
    "check_class_target_values",
    "check_has_classes",
    "class_targets_message",
    "defer_target_check",
    "ignore_value",
    "int64_targets",
    "is_abstract",
    "raise_deferred_target_errors",
    "values_hidden",
]


# How to skip elements, for losses with and without an ignore_index.
SKIP_WITH_IGNORE_INDEX = "mark entries to skip with ignore_index"
SKIP_BY_DROPPING = (
    "to leave entries out of this binary loss, drop them first "
    "(e.g. logits[keep], target[keep])"
)


def binary_targets_message(found: str, skip: str = SKIP_WITH_IGNORE_INDEX) -> str:
    """The error for sigmoid targets outside [0, 1]; ``found`` says which,
    ``skip`` how to leave entries out."""
    return (
        "target must lie in [0, 1] (0/1 labels or soft labels), got values "
        f"{found}; {skip}"
    )


def class_targets_message(n_classes: int, ignore_index: int, found: str) -> str:
    """The error for class indices outside [0, C); ``found`` says which.

    With one class (logits of shape ``(N, 1, ...)``, a binary model's single
    output) the 0/1 labels were most likely meant as binary labels: the
    message says how to give them to a binary loss."""
    hint = ""
    if n_classes == 1:
        hint = (
            "; logits with a single class (dim 1 of size 1) are binary logits: "
            "for 0/1 labels use a sigmoid loss with target.float().view_as(logits)"
            ", or give the model one output per class"
        )
    return (
        f"target class indices must lie in [0, {n_classes - 1}] (or equal "
        f"ignore_index={ignore_index}), got values {found}{hint}"
    )


# --------------------------------------------------------------------------
# Which binary targets are ignored: one rule for every path
# --------------------------------------------------------------------------
def ignore_value(dtype: torch.dtype, ignore_index: float | None) -> float | int | None:
    """``ignore_index`` as a value of the target dtype ``dtype``, or None when
    no target of that dtype can equal it (then nothing is ignored).

    A target is ignored when it equals this value exactly, in its own dtype:
    a float ``ignore_index`` is rounded to a float dtype (as ``target ==
    ignore_index`` rounds it: ``-0.1`` matches float32 ``-0.1``), an integer
    dtype (and bool) holds it only if it is an integer within the dtype's
    range (``2**31 - 1`` in int64 targets is not rounded to float32's
    ``2**31``; ``-1`` is not 255 of a uint8 target).
    """
    if ignore_index is None:
        return None
    if dtype.is_floating_point:
        # on the host: not a default device's tensor (a sync on CUDA, no
        # value at all on 'meta'; torch.set_default_device)
        value = float(torch.tensor(ignore_index, dtype=dtype, device="cpu"))
        return value if math.isfinite(value) or math.isinf(ignore_index) else None
    if not (math.isfinite(ignore_index) and ignore_index == int(ignore_index)):
        return None
    lo, hi = (0, 1) if dtype == torch.bool else _int_range(dtype)
    index = int(ignore_index)
    return index if lo <= index <= hi else None


def _int_range(dtype: torch.dtype) -> tuple[int, int]:
    info = torch.iinfo(dtype)
    return int(info.min), int(info.max)


_FAKE_TENSORS: tuple[type, ...] = ()
try:  # the tensors of torch's FakeTensorMode (shapes and dtypes only)
    from torch._subclasses.fake_tensor import FakeTensor

    _FAKE_TENSORS = (FakeTensor,)
except ImportError:  # pragma: no cover - a torch without it
    pass


def is_abstract(*tensors: Any) -> bool:
    """True when one of ``tensors`` holds no data: a meta tensor or a
    FakeTensor (``torch.device('meta')``, ``FakeTensorMode``, used to trace
    shapes or estimate memory). Nothing can be read from such a tensor: the
    losses skip their value checks and run the ops' fake implementations."""
    return any(
        isinstance(t, Tensor) and (t.is_meta or isinstance(t, _FAKE_TENSORS))
        for t in tensors
    )


def values_hidden(*tensors: Any) -> bool:
    """True under torch.compile tracing or a torch.func transform, or for
    tensors that hold no values (meta tensors, FakeTensors): there a check
    that reads tensor values (a host sync, a data-dependent branch) cannot
    run."""
    if torch.compiler.is_compiling() or is_abstract(*tensors):
        return True
    is_wrapped = torch._C._functorch.is_functorch_wrapped_tensor
    return any(isinstance(t, Tensor) and is_wrapped(t) for t in tensors)


# --------------------------------------------------------------------------
# Host-side target checks (CPU tensors; the Triton kernels check on the GPU)
# --------------------------------------------------------------------------
def int64_targets(targets: Tensor) -> Tensor:
    """Integer ``targets`` as int64, refusing a uint64 value above
    ``2**63 - 1``: ``.long()`` wraps it to a negative int64 (2**64 - 100 to
    -100, the default ``ignore_index``: a row silently ignored)."""
    if targets.dtype == torch.int64:
        return targets
    if targets.dtype != torch.uint64:
        return targets.long()
    signed = targets.view(torch.int64)
    wrapped = signed < 0
    if values_hidden(targets):
        # Values are read on real tensors only (under torch.compile the
        # check would be a data-dependent branch: fullgraph=True refused
        # it). There a value beyond int64 becomes int64's largest, out of
        # every class range, which the loss's own index check refuses (not
        # -100, ignored).
        return torch.where(wrapped, torch.iinfo(torch.int64).max, signed)
    if bool(wrapped.any()):
        value = int(signed[wrapped].reshape(-1)[0]) + 2**64
        raise ValueError(
            f"target holds {value} (uint64), beyond int64: class indices and "
            "binary labels are small integers (a class in [0, C), 0 or 1, or "
            "ignore_index). Check how the targets were made (a negative "
            "ignore_index cast to uint64 wraps around: keep targets in "
            "int64, e.g. target.long() before any unsigned cast)"
        )
    return signed


def check_binary_target_values(
    targets: Tensor, valid: Tensor | None = None, skip: str = SKIP_WITH_IGNORE_INDEX
) -> None:
    """Raise ValueError unless the targets that count (``valid``: the mask of
    those not equal to :func:`ignore_value`; None: all) lie in [0, 1],
    compared in their own dtype (a float32 copy of float64 targets would
    round 1 + 1e-9 to 1); ``skip`` ends the message
    (:func:`binary_targets_message`)."""
    if targets.numel() == 0 or targets.dtype == torch.bool:
        return
    if valid is not None:
        targets = targets[valid]
        if targets.numel() == 0:
            return
    if targets.dtype in (torch.float16, torch.bfloat16):
        targets = targets.float()  # exact; aminmax in the target's own dtype otherwise
    elif targets.dtype in (torch.uint16, torch.uint32, torch.uint64):
        targets = int64_targets(targets)  # no aminmax for these (values stay)
    lo, hi = torch.aminmax(targets)
    if bool(lo >= 0) and bool(hi <= 1):
        return
    found = f"in [{lo.item():.17g}, {hi.item():.17g}]"
    raise ValueError(binary_targets_message(found, skip))


def check_class_target_values(
    target: Tensor, n_classes: int, ignore_index: int
) -> None:
    """Raise ValueError unless the non-ignored class indices lie in [0, C).

    Compared as int64, as the losses use them: in a narrower or unsigned
    dtype a negative ``ignore_index`` would wrap around (-100 is 156 as
    uint8, which would then pass as ignored), and torch has no ``aminmax``
    for uint16/32/64.
    """
    target = int64_targets(target)
    valid = target[target != ignore_index]
    if valid.numel():
        lo, hi = torch.aminmax(valid)
        if bool(lo < 0) or bool(hi >= n_classes):
            raise ValueError(
                class_targets_message(
                    n_classes, ignore_index, f"in [{lo.item()}, {hi.item()}]"
                )
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
# Pinned buffers and events of finished checks, reused by later calls (a
# pinned allocation and a new event cost host time on every call), keyed by
# (device, shape, dtype); a few per key.
_FREE: dict[tuple[Any, ...], list[tuple[Any, Tensor]]] = {}
_FREE_PER_KEY = 4


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
    bad = None
    for event, values, index, message in finished:
        if bad is None and float(values[index]) > 0:
            bad = message
        # Read: a CUDA check's buffer and event can serve again (the event
        # carries the key its device's copies are pooled under).
        key = getattr(event, "_rebalance_pool_key", None)
        if key is not None:
            with _PENDING_LOCK:
                free = _FREE.setdefault(key, [])
                if len(free) < _FREE_PER_KEY:
                    free.append((event, values))
    if bad is not None:
        raise ValueError(bad)


def defer_target_check(values: Tensor, index: int, message: str) -> None:
    """Queue the check ``values[index] == 0`` without waiting for the device."""
    if values.is_cuda:
        if torch.cuda.is_current_stream_capturing():
            return  # inside a CUDA graph capture: the NaN loss is the signal
        key = (values.device, tuple(values.shape), values.dtype)
        with _PENDING_LOCK:
            free = _FREE.get(key)
            slot = free.pop() if free else None
        if slot is None:
            # Pinned host memory whatever torch.set_default_device says, and
            # no inference tensor (the pooled buffer is written into again,
            # maybe outside torch.inference_mode).
            with torch.inference_mode(False):
                host = torch.empty(
                    values.shape, dtype=values.dtype, device="cpu", pin_memory=True
                )
            event = torch.cuda.Event()
            event._rebalance_pool_key = key  # type: ignore[attr-defined]
        else:
            event, host = slot
        host.copy_(values, non_blocking=True)
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


def check_pos_weight_shape(pos_weight: Tensor, logits: Tensor) -> None:
    """ValueError unless ``pos_weight`` broadcasts to the shape of ``logits``
    (the kernels index it by the logits' sizes)."""
    try:
        fits = torch.broadcast_shapes(pos_weight.shape, logits.shape) == logits.shape
    except RuntimeError:
        fits = False
    if not fits:
        hint = "give one weight per class (last dimension)"
        if (
            pos_weight.dim() == 1
            and logits.dim() > 2
            and pos_weight.shape[0] == logits.shape[1]
        ):
            # (N, C, H, W) multi-label segmentation: the classes are dim 1
            ones = ", 1" * (logits.dim() - 2)
            hint = (
                f"for one weight per class of (N, C, ...) logits (dim 1) pass "
                f"pos_weight.view(-1{ones})"
            )
        raise ValueError(
            f"pos_weight of shape {tuple(pos_weight.shape)} does not broadcast "
            f"to logits of shape {tuple(logits.shape)}; {hint}"
        )


def binary_shape_message(logits: Tensor, target: Tensor) -> str:
    """The ValueError text for binary targets whose shape is not the logits':
    the class dimension moved for a channels-last one-hot target (what
    ``F.one_hot`` gives for (N, ...) labels); a permutation for one of the
    logits' dimensions in another order (``view_as`` would scramble its
    labels); a reshape when only the shape's ones differ; one-hot labels for
    class indices (mmdet's sigmoid focal loss takes them); else that a
    binary loss needs one label per logit."""
    shape, given = tuple(logits.shape), tuple(target.shape)
    classes_last = shape[:1] + shape[2:] + shape[1:2] if len(shape) > 2 else None
    if given == classes_last:
        fix = "its classes are its last dimension: pass target.movedim(-1, 1)"
    elif [n for n in given if n != 1] == [n for n in shape if n != 1]:
        fix = "reshape it (e.g. target.view_as(logits))"
    elif sorted(given) == sorted(shape):
        fix = (
            "its dimensions are the logits' in another order: permute them "
            f"to {shape} (a reshape would mix the labels up)"
        )
    elif target.numel() == logits.numel():
        fix = (
            "if it holds the labels in the logits' order (flattened), reshape "
            "it (e.g. target.view_as(logits))"
        )
    elif (
        len(shape) >= 2
        and shape[1] > 1
        and not target.is_floating_point()
        and target.dtype != torch.bool
        and given == shape[:1] + shape[2:]
    ):
        moved = ".movedim(-1, 1)" if len(shape) > 2 else ""
        labels = "target" if target.dtype == torch.int64 else "target.long()"
        fix = (
            "for class indices, pass one-hot labels, e.g. "
            f"F.one_hot({labels}, {shape[1]}){moved}.float()"
        )
    else:
        fix = (
            f"a binary loss takes one label (0 to 1) per logit: {target.numel()} "
            f"labels for {logits.numel()} logits (for one class per row of "
            "(N, C) logits, use a softmax loss such as softmax_focal_loss)"
        )
    return f"target must have the shape of logits {shape}, got {given}; {fix}"


def check_same_device(value: Tensor | None, name: str, logits: Tensor) -> None:
    """ValueError unless ``value`` (if any) is on the device of ``logits``:
    the fused kernels read it by the logits' sizes, from the logits' device
    (a CUDA target under CPU logits would be read as garbage)."""
    if value is not None and value.device != logits.device:
        raise ValueError(
            f"{name} is on {value.device} but logits are on {logits.device}: "
            f"pass {name}.to(logits.device)"
        )


def check_has_classes(logits: Tensor) -> None:
    """ValueError for ``(N, 0, ...)`` logits: no class to predict (a softmax
    over nothing; the class checks would say indices must lie in [0, -1])."""
    if logits.shape[1] == 0:
        raise ValueError(
            f"logits must have at least one class (C = dim 1), got shape "
            f"{tuple(logits.shape)}; give the model one output per class"
        )
