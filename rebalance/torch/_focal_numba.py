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
    check_binary_target_values,
    check_class_target_values,
)
from rebalance.torch._focal_math import gamma_mode

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
    return t.reshape(-1).to(torch.float32).contiguous()


# Placeholder for the class weights when there are none (never read; left
# writeable: a read-only array is another type to numba, compiled apart).
_NO_ALPHA = np.ones(1)
# Placeholder for the loss array when it is not stored (never written).
_NO_LOSS = torch.zeros(1, dtype=torch.float32)


def sigmoid_focal_numba(
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
    """As :func:`sigmoid_focal_chunks`, in the numba kernel (it checks targets)."""
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
        gamma_mode(gamma),
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
    t = target.to(torch.int64).contiguous()
    a = (
        _NO_ALPHA
        if alpha is None
        else alpha.detach().to("cpu", torch.float64).contiguous().numpy()
    )
    grad = torch.empty((rows, n_classes), dtype=torch.float32)
    fl = torch.empty(rows, dtype=torch.float64)
    ce = torch.empty(rows, dtype=torch.float64)
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
    return fl, ce, grad.to(x.dtype)


_start_warm_up()
