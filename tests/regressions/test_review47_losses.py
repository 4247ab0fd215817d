"""Review 47 (losses): the branches of rebalance.torch's losses that no test ran.

A branch-coverage run of the whole suite left lines and branches of
``rebalance/torch/losses.py``, ``_focal_*.py`` and ``_compare_model.py``
unrun; each is driven here through the public API and checked against an
independent oracle (``F.cross_entropy`` / ``binary_cross_entropy_with_logits``,
the closed forms, the list form of the same argument).

Bugs found (each test failed before the fix):

1. Tensor ``priors`` / ``class_counts`` whose smallest / largest ratio
   underflows float64 raised "tau=1 makes tau * log(priors) overflow ...
   pass a smaller tau" (with ``tau=0``: "largest |tau * log p| is nan"),
   where the same priors as a list say that they span more than float64's
   range.
2. An ``OHEMLoss`` criterion returning no floating-point tensor (a float, a
   numpy array, an integer tensor) raised "losses must be a floating-point
   tensor", naming an argument the caller never gave.
3. A scalar ``alpha`` of the softmax focal loss was bounded by float32's
   range also for float64 logits, where the same weight as a per-class list
   is accepted.
"""

import os
import threading
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.autograd.forward_ad as fwAD  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import losses as L  # noqa: E402
from rebalance.torch._compare_model import TorchMLPClassifier  # noqa: E402
from rebalance.weights import class_weights  # noqa: E402


def _data(seed=0, n=8, c=3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, generator=g) * 2
    t = torch.randint(0, c, (n,), generator=g)
    y = (torch.rand(n, c, generator=g) < 0.4).float()
    return x, t, y


# --------------------------------------------------------------------------
# Bugs
# --------------------------------------------------------------------------
@pytest.mark.parametrize("tau", [1.0, 0.0])
@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t, p, tau: L.logit_adjusted_cross_entropy(x, t, p, tau=tau),
        lambda x, t, p, tau: L.adjust_logits(x, p, tau=tau),
        lambda x, t, p, tau: L.balanced_softmax_cross_entropy(x, t, p),
    ],
)
def test_tensor_priors_beyond_float64_range_say_so_as_a_list_does(loss, tau):
    x, t, _ = _data()
    values = [1e-300, 1e300, 1.0]
    with pytest.raises(ValueError, match="span more than float64's range"):
        loss(x, t, values, tau)
    with pytest.raises(ValueError, match="span more than float64's range"):
        loss(x, t, torch.tensor(values, dtype=torch.float64), tau)
    # a span that fits float64 is no error, tensor or list
    fits = [1e-150, 1e150, 1.0]
    torch.testing.assert_close(
        loss(x, t, torch.tensor(fits, dtype=torch.float64), tau), loss(x, t, fits, tau)
    )


@pytest.mark.parametrize(
    "returned", [lambda z, t: 1.0, lambda z, t: np.ones(len(t)), lambda z, t: t]
)
def test_ohem_criterion_returning_no_float_tensor_names_the_criterion(returned):
    x, t, _ = _data()
    with pytest.raises(TypeError, match="criterion must return a floating-point"):
        L.OHEMLoss(returned, top_k=2)(x, t)
    # ohem_loss itself still names its own argument
    with pytest.raises(TypeError, match="losses must be a floating-point"):
        L.ohem_loss(torch.tensor([1, 2]), top_k=1)


def test_scalar_softmax_alpha_fits_the_dtype_the_loss_is_computed_in():
    x, t, _ = _data()
    big = 1e39  # beyond float32, within float64
    got = L.softmax_focal_loss(x.double(), t, alpha=big, reduction="none")
    want = L.softmax_focal_loss(x.double(), t, alpha=[big] * 3, reduction="none")
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(
        got / big, L.softmax_focal_loss(x.double(), t, alpha=1.0, reduction="none")
    )
    # float32 logits: refused, scalar or list, naming alpha and the dtype
    for alpha in (big, [big] * 3):
        with pytest.raises(ValueError, match=r"alpha must .*fit torch\.float32"):
            L.softmax_focal_loss(x, t, alpha=alpha)


# --------------------------------------------------------------------------
# Arguments given as 0-d numpy arrays (read as the number they hold)
# --------------------------------------------------------------------------
def test_zero_dim_array_arguments_are_the_numbers_they_hold():
    x, t, y = _data()
    torch.testing.assert_close(
        L.sigmoid_focal_loss(x, y, gamma=np.array(0.5), alpha=np.array(0.3)),
        L.sigmoid_focal_loss(x, y, gamma=0.5, alpha=0.3),
    )
    t2 = t.clone()
    t2[0] = 7
    torch.testing.assert_close(
        L.softmax_focal_loss(x, t2, ignore_index=np.array(7), gamma=np.array(1.5)),
        L.softmax_focal_loss(x, t2, ignore_index=7, gamma=1.5),
    )
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(x, t, [3, 2, 1], tau=np.array(0.5)),
        L.logit_adjusted_cross_entropy(x, t, [3, 2, 1], tau=0.5),
    )
    # a count, not a fraction: 0-d integer array
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0])
    assert L.ohem_loss(losses, top_k=np.array(2)).item() == pytest.approx(2.5)


# --------------------------------------------------------------------------
# Target errors: each names target and, where there is one, the fix
# --------------------------------------------------------------------------
def test_target_type_errors_name_the_target():
    x, t, y = _data()
    for call in (
        lambda: L.sigmoid_focal_loss(x, [0, 1]),
        lambda: L.margin_cross_entropy(x, [1.0, 0.0]),
        lambda: L.softmax_focal_loss(x, t.tolist()),
    ):
        with pytest.raises(TypeError, match="target must be a torch.Tensor, got list"):
            call()
    complex_y = torch.zeros(8, 3, dtype=torch.complex64)
    for call in (
        lambda: L.sigmoid_focal_loss(x, complex_y),
        lambda: L.margin_cross_entropy(x, complex_y),
        lambda: L.class_weighted_binary_cross_entropy(x, complex_y, [1.0, 2.0]),
    ):
        with pytest.raises(TypeError, match="target must be real, got torch.complex64"):
            call()
    for target in (
        torch.zeros(8, dtype=torch.bool),
        torch.zeros(8, dtype=torch.complex64),
    ):
        with pytest.raises(TypeError, match="target must hold class indices"):
            L.softmax_focal_loss(x, target)
    # class probabilities where only class indices are taken
    for call in (
        lambda: L.class_scaled_cross_entropy(x, x.softmax(1), class_index=0, scale=2.0),
        lambda: L.weighted_softmax_loss(x, x.softmax(1), 2.0, 0),
    ):
        with pytest.raises(TypeError, match=r"pass target\.long\(\)"):
            call()
    with pytest.raises(ValueError, match=r"shape of logits \(8, 3\), got \(8, 2\)"):
        L.softmax_focal_loss(x, torch.rand(8, 2))


def test_mask_with_a_channel_dim_gets_the_squeeze_hint_only_when_it_fits():
    x = torch.randn(2, 3, 4, 4)
    with pytest.raises(ValueError, match=r"target\.squeeze\(1\)"):
        L.softmax_focal_loss(x, torch.zeros(2, 1, 4, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got \(2, 1, 4, 5\)$"):
        L.softmax_focal_loss(x, torch.zeros(2, 1, 4, 5, dtype=torch.long))


def test_adjust_logits_refuses_one_dimensional_logits():
    with pytest.raises(
        ValueError, match=r"logits must have shape \(N, C\).*got \(3,\)"
    ):
        L.adjust_logits(torch.randn(3), [1, 2, 3])


# --------------------------------------------------------------------------
# Per-class vectors: errors and tensor subclasses
# --------------------------------------------------------------------------
def test_class_vector_errors():
    x, t, y = _data()
    with pytest.raises(
        TypeError,
        match=r"class_weight must be one number per class 0\.\.2 \(a real tensor\), "
        r"got torch\.bool",
    ):
        L.class_weighted_cross_entropy(x, t, torch.tensor([True, False, True]))
    with pytest.raises(
        ValueError, match="no entry for class 2.*keys outside the classes: 5"
    ):
        L.class_weighted_cross_entropy(x, t, {0: 1.0, 1: 2.0, 5: 3.0})
    # 0-d tensor keys: a dict tells them apart by identity
    keys = {torch.tensor(0): 1.0, torch.tensor(0): 2.0, torch.tensor(1): 3.0, 2: 1.0}
    with pytest.raises(
        ValueError, match=r"got keys \[0, 0, 1, 2\]; more than one key for class 0$"
    ):
        L.class_weighted_cross_entropy(x, t, keys)
    for call, name in (
        (lambda v: L.class_weighted_cross_entropy(x, t, v), "class_weight"),
        (lambda v: L.logit_adjusted_cross_entropy(x, t, v), "priors"),
        (lambda v: L.balanced_softmax_cross_entropy(x, t, v), "class_counts"),
        (lambda v: L.softmax_focal_loss(x, t, alpha=v), "alpha"),
    ):
        with pytest.raises(
            ValueError, match=rf"{name} must have one value per class \(3\), got 2"
        ):
            call(torch.tensor([1.0, 2.0]))
    for call in (
        lambda: L.class_weighted_cross_entropy(x, t, torch.zeros(3)),
        lambda: L.class_weighted_binary_cross_entropy(x, y, torch.zeros(2)),
    ):
        with pytest.raises(ValueError, match="class_weight must not be all 0"):
            call()


class _Tagged(torch.Tensor):
    """A tensor subclass (as tv_tensors and tensor wrappers are)."""


def test_tensor_subclass_class_vectors_act_as_plain_tensors():
    x, t, y = _data()
    w = torch.tensor([1.0, 2.0, 3.0])
    tagged = w.clone().as_subclass(_Tagged)
    torch.testing.assert_close(
        L.class_weighted_cross_entropy(x, t, tagged).as_subclass(torch.Tensor),
        F.cross_entropy(x, t, weight=w),
    )
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(x, t, tagged).as_subclass(torch.Tensor),
        F.cross_entropy(x + torch.log(w / w.sum()), t),
    )
    bad = torch.tensor([1.0, -2.0, 3.0]).as_subclass(_Tagged)
    with pytest.raises(ValueError, match="got -2.0 at class 1"):
        L.class_weighted_cross_entropy(x, t, bad)


# --------------------------------------------------------------------------
# The check cache of device class vectors (CUDA, MPS, ...), run on CPU
# --------------------------------------------------------------------------
@pytest.fixture
def cached_checks(monkeypatch):
    """CPU tensors take the device path of ``_class_tensor``: checked once
    until they change. Returns the list of checks made."""
    monkeypatch.setattr(L, "_CHECKED_EVERY_CALL", frozenset())
    monkeypatch.setattr(L, "_CHECKED", {})
    made = []
    check = L._check_class_tensor_values

    def counted(*args, **kwargs):
        made.append(args[1])
        return check(*args, **kwargs)

    monkeypatch.setattr(L, "_check_class_tensor_values", counted)
    return made


def test_device_class_vectors_are_checked_again_only_once_changed(cached_checks):
    x, t, y = _data()
    w = torch.tensor([1.0, 2.0, 3.0])
    want = F.cross_entropy(x, t, weight=w)
    for _ in range(3):
        torch.testing.assert_close(L.class_weighted_cross_entropy(x, t, w), want)
    assert len(cached_checks) == 1
    # in place: seen by the version counter, also under no_grad
    w[1] = -2.0
    with pytest.raises(ValueError, match="got -2.0 at class 1"):
        L.class_weighted_cross_entropy(x, t, w)
    with torch.no_grad():
        w.copy_(torch.tensor([1.0, 2.0, float("nan")]))
    with pytest.raises(ValueError, match="got nan at class 2"):
        L.class_weighted_cross_entropy(x, t, w)
    # used in another dtype: checked in that one
    w = torch.tensor([1.0, 2.0, 3.0])
    L.class_weighted_cross_entropy(x, t, w)
    before = len(cached_checks)
    L.class_weighted_cross_entropy(x.double(), t, w)
    assert len(cached_checks) == before + 1
    # learnable weights and inference tensors (no version counter): every call
    learnable = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.inference_mode():
        frozen = torch.tensor([1.0, 2.0, 3.0])
    for v in (learnable, frozen):
        before = len(cached_checks)
        for _ in range(2):
            torch.testing.assert_close(
                L.class_weighted_cross_entropy(x, t, v).detach(), want
            )
        assert len(cached_checks) == before + 2


def test_device_class_vector_cache_keeps_the_last_64(cached_checks):
    x, t, _ = _data()
    vectors = [torch.tensor([1.0, 2.0, 3.0]) for _ in range(70)]
    for v in vectors:
        L.class_weighted_cross_entropy(x, t, v)
    assert len(L._CHECKED) == 64
    before = len(cached_checks)
    L.class_weighted_cross_entropy(x, t, vectors[-1])  # kept
    assert len(cached_checks) == before
    L.class_weighted_cross_entropy(x, t, vectors[0])  # evicted: checked again
    assert len(cached_checks) == before + 1


# --------------------------------------------------------------------------
# Meta tensors in half precision (autocast cannot be asked about 'meta')
# --------------------------------------------------------------------------
def test_meta_half_logits_give_a_loss_of_the_right_shape_and_dtype():
    x = torch.empty(4, 3, device="meta", dtype=torch.float16)
    t = torch.empty(4, device="meta", dtype=torch.long)
    y = torch.empty(4, 3, device="meta")
    for out in (
        L.class_weighted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
        L.logit_adjusted_cross_entropy(x, t, [1.0, 2.0, 3.0]),
    ):
        assert out.is_meta and out.shape == () and out.dtype == torch.float16
    # Float32 soft targets keep their precision (review 64), as torch's BCE.
    out = L.class_weighted_binary_cross_entropy(x, y, [1.0, 2.0])
    assert out.is_meta and out.shape == () and out.dtype == torch.float32
    half = L.class_weighted_binary_cross_entropy(x, y.half(), [1.0, 2.0])
    assert half.is_meta and half.dtype == torch.float16
    out = L.class_weighted_cross_entropy(x, t, [1.0, 2.0, 3.0], reduction="none")
    assert out.shape == (4,) and out.dtype == torch.float16


# --------------------------------------------------------------------------
# Module arguments held as numpy arrays: repr and state_dict
# --------------------------------------------------------------------------
def test_array_arguments_in_repr_and_state_dict():
    x, t, _ = _data()
    small = L.ClassWeightedCrossEntropyLoss(np.array([1.0, 2.0, 3.0]))
    assert (
        repr(small) == "ClassWeightedCrossEntropyLoss(class_weight=array([1., 2., 3.]))"
    )
    big = L.BalancedSoftmaxCrossEntropyLoss(np.arange(1, 11))
    assert "class_counts=array(<shape (10,)>, dtype=int64)" in repr(big)
    # a state_dict saved with a tensor restores an array-held argument
    small.load_state_dict({"class_weight": torch.tensor([3.0, 4.0, 5.0])})
    assert isinstance(small.class_weight, torch.Tensor)
    assert "class_weight" in dict(small.named_buffers())
    torch.testing.assert_close(
        small(x, t), F.cross_entropy(x, t, weight=torch.tensor([3.0, 4.0, 5.0]))
    )
    other = L.ClassWeightedCrossEntropyLoss(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(
        RuntimeError, match="copying 2 values from checkpoint, the Module holds 3"
    ):
        other.load_state_dict({"class_weight": torch.tensor([3.0, 4.0])})
    assert isinstance(other.class_weight, np.ndarray)  # left as it was


# --------------------------------------------------------------------------
# Softmax focal alpha given as a scalar
# --------------------------------------------------------------------------
def test_scalar_softmax_alpha_errors_and_value():
    x, t, _ = _data()
    for alpha in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
            L.softmax_focal_loss(x, t, alpha=alpha)
        with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
            L.SoftmaxFocalLoss(alpha=alpha)
    torch.testing.assert_close(
        L.softmax_focal_loss(x, t, alpha=0.25), 0.25 * L.softmax_focal_loss(x, t)
    )


# --------------------------------------------------------------------------
# Learnable binary class weights with reduction='none'
# --------------------------------------------------------------------------
def test_learnable_binary_class_weights_per_element():
    x, _, y = _data()
    y = y * 0.8 + 0.1  # soft labels
    w = torch.tensor([0.5, 3.0], requires_grad=True)
    out = L.class_weighted_binary_cross_entropy(x, y, w, reduction="none")
    weight = w.detach()[1] * y + w.detach()[0] * (1 - y)
    bce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    torch.testing.assert_close(out.detach(), bce * weight)
    out.sum().backward()
    torch.testing.assert_close(
        w.grad, torch.stack([(bce * (1 - y)).sum(), (bce * y).sum()])
    )


# --------------------------------------------------------------------------
# OHEM argument errors
# --------------------------------------------------------------------------
def test_ohem_argument_errors():
    losses = torch.rand(4)
    with pytest.raises(TypeError, match="valid must be a bool tensor"):
        L.ohem_loss(losses, top_k=1, valid=torch.ones(4))
    with pytest.raises(ValueError, match="valid has 3 elements but losses has 4"):
        L.ohem_loss(losses, top_k=1, valid=torch.ones(3, dtype=torch.bool))
    with pytest.raises(ValueError, match="min_kept must be >= 0, got -1"):
        L.ohem_loss(losses, threshold=0.5, min_kept=-1)
    with pytest.raises(ValueError, match="top_k must be >= 0, got -1"):
        L.ohem_loss(losses, top_k=-1)
    with pytest.raises(ValueError, match="top_k must be >= 0"):
        L.OHEMLoss(top_k=-1)
    with pytest.raises(TypeError, match="criterion must be a callable"):
        L.OHEMLoss("cross_entropy", top_k=1)


@pytest.mark.parametrize(
    "tiny",
    [
        np.float32(2.0**-30),
        torch.tensor(1e-9),
        torch.tensor(1e-20, dtype=torch.bfloat16),
    ],
)
def test_ohem_tiny_narrow_fraction_keeps_one_row(tiny):
    # Below 2**-24 no fraction with a small denominator stands for the
    # value: it is read as its shortest decimal, whose ceiling keeps 1 row.
    losses = torch.tensor([0.1, 2.0, 0.5, 3.0, 1.0])
    loss, idx = L.ohem_loss(losses, top_k=tiny, return_indices=True)
    assert idx.tolist() == [3] and loss.item() == 3.0
    assert L._shortest_fraction(tiny) == pytest.approx(float(tiny), rel=1e-2)


# --------------------------------------------------------------------------
# Logit adjustment overflowing the logits' dtype: tensor priors as lists
# --------------------------------------------------------------------------
def test_tensor_priors_tau_overflow_matches_the_list_error():
    x, t, _ = _data()
    xh = x.half()
    priors = [1e-30, 1.0, 1.0]
    with pytest.raises(
        ValueError, match=r"tau=1000 makes tau \* log\(priors\) overflow torch\.float16"
    ) as listed:
        L.logit_adjusted_cross_entropy(xh, t, priors, tau=1000.0)
    with pytest.raises(ValueError) as tensored:
        L.logit_adjusted_cross_entropy(
            xh, t, torch.tensor(priors, dtype=torch.float64), tau=1000.0
        )
    assert str(tensored.value) == str(listed.value)
    # tau=100 fits float16 (about 6977): the same loss either way
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(xh, t, torch.tensor(priors), tau=100.0),
        L.logit_adjusted_cross_entropy(xh, t, priors, tau=100.0),
    )


# --------------------------------------------------------------------------
# Forward-mode AD through torch.autograd.forward_ad (not torch.func)
# --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")  # torch's own
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_dual_logits_raise_and_plain_ones_inside_a_dual_level_work(kind):
    x, t, y = _data()
    loss = (
        (lambda z: L.sigmoid_focal_loss(z, y))
        if kind == "sigmoid"
        else (lambda z: L.softmax_focal_loss(z, t))
    )
    want = loss(x)
    xr = x.clone().requires_grad_()
    want_grad = torch.autograd.grad(loss(xr), xr)[0]
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.ones_like(x))
        with pytest.raises(RuntimeError, match="no forward-mode derivative"):
            loss(dual)
        torch.testing.assert_close(loss(x), want)
        xr = x.clone().requires_grad_()
        torch.testing.assert_close(torch.autograd.grad(loss(xr), xr)[0], want_grad)


# --------------------------------------------------------------------------
# Sigmoid targets of unusual integer dtypes, on the eager (float64) path
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.uint16, torch.uint32, torch.uint64])
@pytest.mark.parametrize("logits_dtype", [torch.float64, torch.float32])
def test_wide_unsigned_sigmoid_targets(dtype, logits_dtype):
    x, _, y = _data()
    x = x.to(logits_dtype)
    target = y.to(dtype)
    for loss in (
        lambda t, **k: L.sigmoid_focal_loss(x, t, reduction="none", **k),
        lambda t, **k: L.margin_cross_entropy(x, t, reduction="none"),
        lambda t, **k: L.class_weighted_binary_cross_entropy(
            x, t, [1.0, 2.0], reduction="none"
        ),
    ):
        torch.testing.assert_close(loss(target), loss(y))
    torch.testing.assert_close(
        L.sigmoid_focal_loss(x, target, ignore_index=1, reduction="sum"),
        L.sigmoid_focal_loss(x, y, ignore_index=1, reduction="sum"),
    )
    bad = target.clone()
    bad[0, 0] = 2
    for call in (
        lambda: L.sigmoid_focal_loss(x, bad),
        lambda: L.margin_cross_entropy(x, bad),
        lambda: L.class_weighted_binary_cross_entropy(x, bad, [1.0, 2.0]),
    ):
        with pytest.raises(ValueError, match=r"got values in \[0, 2\]"):
            call()


@pytest.mark.parametrize("ignore_index", [0.5, -0.5, float("inf"), float("-inf"), 1e30])
def test_integer_sigmoid_targets_match_no_fractional_or_infinite_ignore_index(
    ignore_index,
):
    x, _, y = _data()
    for logits in (x, x.double()):
        for target in (y.long(), y.to(torch.uint8), y.bool()):
            torch.testing.assert_close(
                L.sigmoid_focal_loss(
                    logits, target, ignore_index=ignore_index, reduction="none"
                ),
                L.sigmoid_focal_loss(logits, y, reduction="none"),
            )


# --------------------------------------------------------------------------
# rebalance compare --model mlp: the losses no test trained with
# --------------------------------------------------------------------------
def _binary_rows(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 4)) + 1.5 * y[:, None]
    return X, y


@pytest.mark.parametrize(
    "loss, reference",
    [
        (
            "focal-rescale",
            lambda z, t: (
                L.sigmoid_focal_loss(z, t)
                * (
                    F.binary_cross_entropy_with_logits(z, t)
                    / L.sigmoid_focal_loss(z, t)
                ).detach()
            ),
        ),
        (
            "margin",
            # theta(0.8 - p) y log p + theta(p - 0.2) (1 - y) log(1 - p)
            lambda z, t: (
                -(
                    (torch.sigmoid(z) < 0.8) * t * F.logsigmoid(z)
                    + (torch.sigmoid(z) > 0.2) * (1 - t) * F.logsigmoid(-z)
                ).mean()
            ),
        ),
    ],
)
def test_mlp_binary_losses(loss, reference):
    X, y = _binary_rows()
    model = TorchMLPClassifier(loss=loss, epochs=2, batch_size=32, random_state=0)
    criterion = model._loss_function(y, 2)
    z = torch.randn(50, generator=torch.Generator().manual_seed(1)) * 2
    t = (torch.rand(50, generator=torch.Generator().manual_seed(2)) < 0.3).float()
    torch.testing.assert_close(criterion(z, t), reference(z, t))
    proba = model.fit(X, y).predict_proba(X)
    assert proba.shape == (120, 2) and np.isfinite(proba).all()
    again = TorchMLPClassifier(loss=loss, epochs=2, batch_size=32, random_state=0)
    np.testing.assert_array_equal(again.fit(X, y).predict_proba(X), proba)


def test_mlp_multiclass_class_weighted_loss():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=150, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(150, 4)) + y[:, None]
    model = TorchMLPClassifier(loss="class-weighted", epochs=2, random_state=0)
    criterion = model._loss_function(y, 3)
    weights = class_weights(y)
    z = torch.randn(40, 3, generator=torch.Generator().manual_seed(1))
    t = torch.randint(0, 3, (40,), generator=torch.Generator().manual_seed(2))
    want = F.cross_entropy(z, t, weight=torch.tensor([weights[c] for c in range(3)]))
    torch.testing.assert_close(criterion(z, t), want)
    proba = model.fit(X, y).predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)


# --------------------------------------------------------------------------
# The numba kernels' warm-up: failing, and a fork while it runs
# --------------------------------------------------------------------------
@pytest.fixture
def fresh_warm_up(monkeypatch):
    """``begin()`` gives ``_focal_numba`` the warm-up state of a process that
    has not finished it (an unset event, no outcome yet, a warm-up thread
    recorded as started) and returns the module; restored after the test."""
    from rebalance.torch import _focal_numba as N

    def begin():
        assert N.numba_ready()  # the real warm-up is over: it sets nothing now
        monkeypatch.setattr(N, "_WARMUP", threading.Event())
        monkeypatch.setattr(N, "_WARMUP_OK", [])
        monkeypatch.setattr(N, "_WARMUP_THREAD", [threading.current_thread()])
        return N

    return begin


def test_failed_warm_up_falls_back_to_the_eager_path(fresh_warm_up, monkeypatch):
    from rebalance.torch import _focal_cpu

    x, t, y = _data(n=64, c=5)
    want = L.sigmoid_focal_loss(x, y), L.softmax_focal_loss(x, t)  # numba kernels

    def broken():
        raise RuntimeError("numba failed (e.g. an unsupported CPU)")

    N = fresh_warm_up()
    monkeypatch.setattr(_focal_cpu, "warm_up", broken)
    N._warm_up()
    assert N._WARMUP.is_set() and not N.numba_path(x)
    got = L.sigmoid_focal_loss(x, y), L.softmax_focal_loss(x, t)
    torch.testing.assert_close(got, want, rtol=1e-6, atol=0)


def _fork_and_read(child) -> tuple[float, str]:
    """Fork; the child writes ``child()`` to a pipe and exits. Returns the
    seconds ``os.fork`` took in the parent and what the child wrote."""
    r, w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(w, child().encode())
        finally:
            os._exit(0)
    took = time.monotonic() - start
    os.close(w)
    deadline = time.monotonic() + 120
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    with os.fdopen(r) as pipe:
        return took, pipe.read()


def test_fork_waits_for_a_running_warm_up(fresh_warm_up):
    # A DataLoader worker forked right after the import: the fork waits for
    # the warm-up, whose numba locks the child would otherwise inherit held.
    x, t, y = _data(n=64, c=5)
    want = f"{L.sigmoid_focal_loss(x, y).item()!r}"
    N = fresh_warm_up()
    N._WARMUP_OK.append(True)
    threading.Timer(0.3, N._WARMUP.set).start()
    took, got = _fork_and_read(lambda: f"{L.sigmoid_focal_loss(x, y).item()!r}")
    assert took >= 0.25 and got == want


def test_child_forked_past_the_wait_starts_its_own_warm_up(fresh_warm_up, monkeypatch):
    # The fork gave up waiting (a cold compile slower than the limit): the
    # child drops the parent's unfinished warm-up and starts its own.
    x, t, y = _data(n=64, c=5)
    want = f"{L.softmax_focal_loss(x, t).item()!r}"
    N = fresh_warm_up()
    monkeypatch.setattr(N, "_FORK_WAIT_SECONDS", 0.05)

    def child():
        fresh = not N._WARMUP.is_set() and not N._WARMUP_THREAD
        loss = L.softmax_focal_loss(x, t).item()  # starts and waits for it
        return f"{fresh} {N.numba_path(x)} {loss!r}"

    took, got = _fork_and_read(child)
    assert took < 5 and got == f"True True {want}"
