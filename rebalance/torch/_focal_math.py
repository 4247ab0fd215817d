"""Reference math of the fused focal losses, in torch (eager CPU path).

The closed forms below are what every back end computes (the numba kernels of
:mod:`rebalance.torch._focal_cpu`, the Triton kernels of
:mod:`rebalance.torch._focal_triton`, and the elementwise torch functions
here, which run over cache-sized chunks for float64 logits, soft softmax
targets, ``(N, C, d1, ...)`` softmax logits, and everything when
``REBALANCE_FOCAL_NUMBA=0``); all compute in float32 or wider.

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

import torch
from torch import Tensor

__all__ = [
    "compute_dtype",
    "fixed_order_sum",
    "gamma_mode",
    "grad_dtype",
    "sigmoid_focal_chunks",
    "sigmoid_focal_elementwise",
    "softmax_focal_chunks",
    "softmax_focal_rows",
]

# Elements per chunk on the eager CPU path: big enough that Python overhead
# is small, small enough that the ~20 float32 temporaries stay in cache.
_CHUNK = 1 << 17


# Elements a block of fixed_order_sum: under torch's grain size (32768), so
# that torch sums each block in one thread.
_SUM_BLOCK = 8192


def fixed_order_sum(t: Tensor) -> Tensor:
    """Sum of ``t`` in float64 whose value does not depend on the number of
    threads (as the numba kernels' sums).

    torch's ``sum()`` splits a large reduction between its threads, so its
    last bits change with ``torch.set_num_threads``; here fixed blocks are
    summed (each by one thread), then their sums the same way. Other devices
    than the CPU: ``t.sum()`` (MPS has no float64).
    """
    if t.device.type != "cpu":
        return t.sum()
    flat = t.reshape(-1).to(torch.float64)
    while flat.numel() > _SUM_BLOCK:
        whole = flat.numel() - flat.numel() % _SUM_BLOCK
        sums = flat[:whole].view(-1, _SUM_BLOCK).sum(1)
        flat = torch.cat([sums, flat[whole:].sum().reshape(1)])
    return flat.sum()


def compute_dtype(x: Tensor) -> torch.dtype:
    # float32 for half types (and float32), float64 kept for gradcheck.
    return torch.promote_types(x.dtype, torch.float32)


def grad_dtype(x: Tensor) -> torch.dtype:
    """dtype of the gradient a fused op returns and autograd saves: float32
    for float16 logits, else the logits' dtype.

    The saved gradient of a mean is already divided by the batch's count;
    in float16 (smallest normal 6e-5) that of a large batch would flush to
    zero or keep a few bits before backward multiplies it by a GradScaler's
    scale. Backward casts the scaled product to float16. bfloat16 has
    float32's range and keeps its dtype.
    """
    return torch.float32 if x.dtype == torch.float16 else x.dtype


def gamma_mode(gamma: float) -> int:
    """Kernel specialisation: 0 for gamma == 0, 1 for gamma == 2, else 2."""
    return 0 if gamma == 0.0 else 1 if gamma == 2.0 else 2


# --------------------------------------------------------------------------
# Elementwise math shared by the eager and compiled CPU paths.
# --------------------------------------------------------------------------
def sigmoid_focal_elementwise(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    valid: Tensor | None,
    scale: Tensor | float,
) -> tuple[Tensor, Tensor, Tensor]:
    """Per-element focal loss, cross-entropy and scaled gradient (float32).

    ``x``, ``y``, ``pos_weight`` and ``valid`` have one shape; the elements
    ``valid`` leaves out (the ignored targets, decided in the targets' own
    dtype, see :func:`~rebalance.torch._focal_checks.ignore_value`; None: none)
    get zero loss and gradient.
    """
    x = x.to(compute_dtype(x))
    y = y.to(x.dtype)
    if valid is not None:
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
        ratio = torch.where(
            m > 0, p * q / torch.clamp(m, min=torch.finfo(m.dtype).tiny), 1.0
        )
        dfl = (1.0 - y) * p - wy * q + (gamma * (1.0 - 2.0 * y)) * ratio * ce
    if alpha is None:
        fl = mg * ce
        grad = mg * dfl
    else:
        a_t = alpha * y + (1.0 - alpha) * (1.0 - y)
        fl = a_t * mg * ce
        grad = a_t * mg * dfl
    if valid is not None:
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
    x = x.to(compute_dtype(x))
    # Rows with no target mass (ignored samples) have zero loss and gradient
    # whatever their logits: zeros in their place, so that inf or NaN there
    # (padding masked with -inf) gives no NaN (as 0 * NaN) to the loss.
    x = torch.where((t != 0).any(1, keepdim=True), x, 0.0)
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
# Eager CPU paths: the functions above over cache-sized chunks
# --------------------------------------------------------------------------
def sigmoid_focal_chunks(
    x: Tensor,
    y: Tensor,
    pos_weight: Tensor | None,
    alpha: float | None,
    gamma: float,
    valid: Tensor | None,
    scale: Tensor | float,
    store_loss: bool,
    needs_grad: bool = True,
) -> tuple[Tensor | None, Tensor, Tensor, Tensor | None]:
    """Fused CPU path: (loss or None, focal sum, ce sum, gradient or None);
    ``valid`` as in :func:`sigmoid_focal_elementwise`."""
    shape = x.shape
    xf = x.reshape(-1)
    yf = y.reshape(-1)
    vf = None if valid is None else valid.reshape(-1)
    pwf = None
    if pos_weight is not None:
        pwf = torch.broadcast_to(pos_weight, shape).reshape(-1)
    n = xf.numel()
    grad = torch.empty(shape, dtype=grad_dtype(x), device=x.device)
    gflat = grad.view(-1)
    cdt = compute_dtype(x)
    loss = torch.empty(shape, dtype=cdt, device=x.device) if store_loss else None
    fl_parts, ce_parts = [], []
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(start + _CHUNK, n))
        fl, ce, g = sigmoid_focal_elementwise(
            xf[sl],
            yf[sl],
            None if pwf is None else pwf[sl],
            alpha,
            gamma,
            None if vf is None else vf[sl],
            scale,
        )
        gflat[sl] = g
        if loss is not None:
            loss.view(-1)[sl] = fl
        fl_parts.append(fixed_order_sum(fl))
        ce_parts.append(fixed_order_sum(ce))
    zero = fixed_order_sum(x.new_zeros(0, dtype=cdt))
    fl_sum = fixed_order_sum(torch.stack(fl_parts)) if fl_parts else zero
    ce_sum = fixed_order_sum(torch.stack(ce_parts)) if ce_parts else zero
    return loss, fl_sum, ce_sum, grad if needs_grad else None


def softmax_focal_chunks(
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
    cdt = compute_dtype(x)
    fl = torch.empty(rows, dtype=cdt, device=x.device)
    ce = torch.empty(rows, dtype=cdt, device=x.device)
    grad2 = torch.empty(x2.shape, dtype=grad_dtype(x), device=x.device)
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
    # Contiguous, as the op's fake implementation (and the other back ends)
    # give it: torch.compile checks the strides of a custom op's outputs.
    grad = grad2.reshape(*x.movedim(1, -1).shape).movedim(-1, 1).contiguous()
    return fl.reshape(out_shape), ce.reshape(out_shape), grad
