"""Torch side of the numba CPU kernels of the fused focal losses.

float32 and half CPU logits go through the numba kernels of
:mod:`rebalance.torch._focal_cpu` (vectorised, threaded, loaded from numba's
disk cache; a background thread started with this module loads them, so the
first call does not stall). This module holds that warm-up, the test of
whether the kernels handle given logits (:func:`numba_path`), and the
launchers, which return what the eager paths of
:mod:`rebalance.torch._focal_math` return.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import torch
from torch import Tensor

from rebalance.torch._focal_checks import (
    binary_targets_message,
    check_binary_target_values,
    check_class_target_values,
    int64_targets,
)
from rebalance.torch._focal_math import gamma_mode, grad_dtype

__all__ = [
    "numba_path",
    "numba_ready",
    "sigmoid_focal_numba",
    "softmax_focal_numba",
]

_NUMBA_DTYPES = (torch.float32, torch.float16, torch.bfloat16)


def _enabled() -> bool:
    """False when ``REBALANCE_FOCAL_NUMBA=0`` (then the eager torch path runs)."""
    return os.environ.get("REBALANCE_FOCAL_NUMBA", "1") != "0"


def numba_path(x: Tensor) -> bool:
    """True when the numba kernels handle these CPU logits."""
    if x.device.type != "cpu" or x.dtype not in _NUMBA_DTYPES:
        return False
    return _enabled() and numba_ready()


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
_WARMUP_LOCK = threading.Lock()


def _restart_warm_up_in_child() -> None:
    # A fork during the warm-up leaves the child without the thread that
    # would set the event: let the child's first call start its own.
    global _WARMUP
    if not _WARMUP.is_set():
        _WARMUP = threading.Event()
        _WARMUP_THREAD.clear()
        _WARMUP_OK.clear()


def _finish_warm_up_before_fork() -> None:
    # The warm-up thread holds numba's import and compiler locks while it
    # runs; a child forked then inherits them locked, with no thread to
    # release them, and hangs at its first numba call. Let it finish first.
    if _WARMUP_THREAD and not _WARMUP.is_set():
        _WARMUP.wait(_FORK_WAIT_SECONDS)


# Longest a fork waits for the warm-up (a cold compile takes a few seconds).
_FORK_WAIT_SECONDS = 300.0
os.register_at_fork(
    before=_finish_warm_up_before_fork, after_in_child=_restart_warm_up_in_child
)


def _start_warm_up() -> None:
    with _WARMUP_LOCK:
        if _WARMUP_THREAD or not _enabled():
            return
        thread = threading.Thread(
            target=_warm_up, name="rebalance-focal-warmup", daemon=True
        )
        _WARMUP_THREAD.append(thread)
    thread.start()


def _float32_flat(t: Tensor) -> Tensor:
    """``t`` flattened, contiguous and float32 (no copy when it already is)."""
    if t.dtype == torch.float32 and t.is_contiguous():
        return t.view(-1)  # one call: a small loss's host time is these calls
    return t.reshape(-1).to(torch.float32).contiguous()


# Target dtypes the kernel reads as a float32 copy that holds every value
# exactly (float32 and uint8 targets it reads as they are, bool as uint8).
_EXACT_IN_FLOAT32 = (
    torch.float16,
    torch.bfloat16,
    torch.int8,
    torch.int16,
    torch.uint16,
)
# What marks the ignored entries of a float32 copy that may round (float64,
# int32, int64, uint32, uint64 targets): no integer rounds to it, and the
# float64 targets that count are in [0, 1] by then (checked on the host).
_IGNORED = -0.5


def _kernel_targets(
    y: Tensor, ignore: float | None, valid: Tensor | None
) -> tuple[Tensor, float | None]:
    """The targets as the kernel reads them (flat, contiguous, float32 or
    uint8) and the value marking the ignored ones in that array (None: none).

    The kernel decides by ``target == value``: exactly the decision of
    ``valid`` (:func:`~rebalance.torch._focal_checks.ignore_value`) for the
    targets it reads as they are or as an exact float32 copy; a copy that may
    round (2**31 - 1 becomes 2**31, float64 -0.1 float32's -0.1) gets
    ``valid``'s decision written into it instead. The kernel's range check
    then sees the targets' own values, except for float64 ones (1 + 1e-9
    rounds to 1): those are checked here, in float64, first.
    """
    yf = y.reshape(-1)
    if yf.dtype == torch.bool:
        return yf.contiguous().view(torch.uint8), ignore
    if yf.dtype in (torch.float32, torch.uint8):
        return yf.contiguous(), ignore
    if yf.dtype in _EXACT_IN_FLOAT32:
        return _float32_flat(yf), ignore
    if yf.dtype == torch.float64:
        check_binary_target_values(y, valid)
    copy = _float32_flat(yf)  # a new tensor (another dtype): written into below
    if valid is None:
        return copy, None
    return copy.masked_fill_(valid.reshape(-1).logical_not(), _IGNORED), _IGNORED


# Placeholder for the class weights when there are none (never read; left
# writeable: a read-only array is another type to numba, compiled apart).
_NO_ALPHA = np.ones(1)
# Placeholder for the loss array when it is not stored (never written); a
# numpy array, not a torch tensor: under ``torch.set_default_device('cuda')``
# (or 'meta') a tensor made at import would not be on the host.
_NO_LOSS = np.zeros(1, dtype=np.float32)


def sigmoid_focal_numba(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    ignore: float | None,
    valid: Tensor | None,
    scale: Tensor | float,
    store_loss: bool,
    needs_grad: bool = True,
) -> tuple[Tensor | None, float, float, Tensor | None]:
    """As :func:`sigmoid_focal_chunks`, in the numba kernel (it checks targets),
    with the focal and cross-entropy sums as host floats (float64).

    ``ignore`` is ``ignore_index`` as the targets' dtype holds it
    (:func:`~rebalance.torch._focal_checks.ignore_value`) and ``valid`` the
    mask of the targets that count, decided by it (None for both: all count).
    """
    from rebalance.torch import _focal_cpu as kern

    shape = x.shape
    x_arr = _float32_flat_array(x)
    yf, ignore = _kernel_targets(y, ignore, valid)
    if pos_weight is not None and yf.dtype == torch.uint8:
        # With the float32 y * pos_weight beside them, uint8 (and bool)
        # targets would be a kernel signature of their own, compiled on first
        # use (~15-25 s of a first call); as float32 (exact, the ignored
        # value too) they take the warm-up's.
        yf = yf.to(torch.float32)
    y_arr = yf.numpy()
    wy_arr = y_arr  # y * pos_weight: y itself unless there is a pos_weight
    if pos_weight is not None:
        wyf = (yf * pos_weight.to(torch.float32).expand(shape).reshape(-1)).float()
        wy_arr = wyf.numpy()
    n = x_arr.size
    # The gradient is written even when not needed (one vectorised loop).
    # Both outputs on the host whatever torch.set_default_device says, in
    # their final shape (the kernel writes flat views of them): returned as
    # they are, where views of flat buffers would be copied (a custom op's
    # outputs may not be views).
    grad = _host_float32(x)
    loss = _host_float32(x) if store_loss else None
    args = (
        x_arr,
        y_arr,
        wy_arr,
        0.0 if alpha is None else float(alpha),
        alpha is not None,
        float(gamma),
        gamma_mode(gamma),
        0.0 if ignore is None else float(ignore),
        ignore is not None,
        float(scale),
        grad.numpy().reshape(-1),
        _NO_LOSS if loss is None else loss.numpy().reshape(-1),
        loss is not None,
    )
    if n <= kern.CHUNK:  # one chunk, on this thread (a small loss's host time)
        fl, ce, bad = kern.sigmoid_range(*args, 0, n)
    else:
        parts = kern.run_chunks(
            lambda a, b: kern.sigmoid_range(*args, a, b),
            n,
            kern.CHUNK,
            torch.get_num_threads() if n > kern.SIGMOID_PARALLEL_ABOVE else 1,
        )
        bad = sum(p[2] for p in parts)
        fl = kern.pairwise_sum([p[0] for p in parts])
        ce = kern.pairwise_sum([p[1] for p in parts])
    if bad:
        check_binary_target_values(y, valid)  # raises, with the range
        raise ValueError(binary_targets_message("outside that range"))
    grad_out = None
    if needs_grad:
        grad_out = grad
        if grad_dtype(x) != torch.float32:
            grad_out = grad_out.to(grad_dtype(x))
    return loss, float(fl), float(ce), grad_out


def _float32_flat_array(t: Tensor) -> np.ndarray:
    """``t`` as a flat contiguous float32 numpy array (no copy when it is one)."""
    if t.dtype == torch.float32 and t.is_contiguous():
        return t.numpy().reshape(-1)  # numpy's reshape: cheaper than a view op
    return _float32_flat(t).numpy()


def _host_float32(x: Tensor) -> Tensor:
    """An uninitialised contiguous float32 tensor of the shape of ``x``, on the
    host (``x`` is a CPU tensor here, whatever the default device)."""
    if type(x) is Tensor:  # (a subclass's empty_like may be its own type)
        # a third of torch.empty's host time; the standard strides (the kernel
        # writes a flat view: never a copy made by numpy's reshape)
        return torch.empty_like(
            x, dtype=torch.float32, memory_format=torch.contiguous_format
        )
    return torch.empty(x.shape, dtype=torch.float32, device="cpu")


def softmax_focal_numba(
    x: Tensor,
    target: Tensor,
    alpha: Tensor | None,
    gamma: float,
    ignore_index: int,
    label_smoothing: float,
    scale: Tensor | float,
) -> tuple[Tensor, Tensor, Tensor]:
    """As :func:`softmax_focal_chunks` for (N, C) logits and class indices, through the
    numba kernel (class indices checked in it); row losses in float64."""
    from rebalance.torch import _focal_cpu as kern

    rows, n_classes = x.shape
    x2 = x.to(torch.float32).contiguous()
    t = int64_targets(target).contiguous()
    a = (
        _NO_ALPHA
        if alpha is None
        else alpha.detach().to("cpu", torch.float64).contiguous().numpy()
    )
    # On the host whatever torch.set_default_device says (the kernel's arrays).
    grad = torch.empty((rows, n_classes), dtype=torch.float32, device="cpu")
    fl = torch.empty(rows, dtype=torch.float64, device="cpu")
    ce = torch.empty(rows, dtype=torch.float64, device="cpu")
    args = (
        x2.numpy(),
        t.numpy(),
        a,
        alpha is not None,
        float(gamma),
        gamma_mode(gamma),
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
        torch.get_num_threads() if x2.numel() > kern.SOFTMAX_PARALLEL_ABOVE else 1,
    )
    if sum(bad):
        check_class_target_values(target, n_classes, ignore_index)  # raises
    return fl, ce, grad.to(grad_dtype(x))


_start_warm_up()
