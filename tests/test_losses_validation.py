"""Bad input to the losses gives a clear error naming the argument (issue 13 §6)."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch.losses import (  # noqa: E402
    adjust_logits,
    balanced_softmax_cross_entropy,
    class_scaled_cross_entropy,
    class_weighted_binary_cross_entropy,
    class_weighted_cross_entropy,
    logit_adjusted_cross_entropy,
    margin_cross_entropy,
    ohem_loss,
    sigmoid_focal_loss,
    softmax_focal_loss,
    weighted_softmax_loss,
)

X = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
T = torch.tensor([0, 1, 2, 3, 1, 0])
Y = (X > 0).float()


@pytest.mark.parametrize(
    "call",
    [
        lambda v: softmax_focal_loss(X, T, ignore_index=v),
        lambda v: class_weighted_cross_entropy(X, T, [1, 1, 1, 1], ignore_index=v),
        lambda v: logit_adjusted_cross_entropy(X, T, [1, 1, 1, 1], ignore_index=v),
        lambda v: margin_cross_entropy(X, T, ignore_index=v),
        lambda v: weighted_softmax_loss(X, T, 2.0, 1, ignore_index=v),
        lambda v: class_scaled_cross_entropy(
            X, T, class_index=1, scale=2.0, ignore_index=v
        ),
    ],
)
def test_fractional_ignore_index_of_class_losses_is_a_type_error(call):
    # 1.5 used to ignore class 1 silently (truncated to an int).
    with pytest.raises(TypeError, match="ignore_index must be an integer class index"):
        call(1.5)
    call(np.int64(1))  # numpy integers are fine


@pytest.mark.parametrize(
    "top_k",
    [np.float32(0.5), np.float64(0.5), torch.tensor(0.5), np.array(0.5)],
)
def test_ohem_numpy_and_tensor_fractions_count_like_python_floats(top_k):
    losses = torch.arange(10.0)
    expected = ohem_loss(losses, top_k=0.5)  # the 5 largest: mean 7
    assert expected.item() == 7.0
    assert ohem_loss(losses, top_k=top_k).item() == expected.item()


def test_ohem_numpy_and_tensor_counts_and_bad_kinds():
    losses = torch.arange(10.0)
    assert ohem_loss(losses, top_k=np.int64(2)).item() == 8.5
    assert ohem_loss(losses, top_k=torch.tensor(2)).item() == 8.5
    with pytest.raises(ValueError, match="top_k as a fraction must be in"):
        ohem_loss(losses, top_k=np.float32(2.0))
    with pytest.raises(TypeError, match="top_k must be an int"):
        ohem_loss(losses, top_k="3")
    with pytest.raises(TypeError, match="min_kept must be an int"):
        ohem_loss(losses, threshold=1.0, min_kept=1.5)
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        ohem_loss(losses, threshold=float("nan"))


@pytest.mark.parametrize("tau", [math.nan, math.inf, -math.inf])
def test_non_finite_tau_is_rejected(tau):
    with pytest.raises(ValueError, match="tau must be a finite number"):
        logit_adjusted_cross_entropy(X, T, [1, 1, 1, 1], tau=tau)
    with pytest.raises(ValueError, match="tau must be a finite number"):
        adjust_logits(X, [1, 1, 1, 1], tau=tau)
    with pytest.raises(TypeError, match="tau must be a real number"):
        adjust_logits(X, [1, 1, 1, 1], tau="1")


@pytest.mark.parametrize("as_tensor", [False, True])
def test_tiny_priors_give_a_finite_loss(as_tensor):
    # 1e-45 is a float32 denormal: normalised in float32 it became 0 and the
    # loss infinite. In float64 log(1e-45 / 3) is about -104.7.
    priors = [1e-45, 1.0, 1.0, 1.0]
    if as_tensor:
        priors = torch.tensor(priors)  # float32: holds 1.4e-45
    loss = logit_adjusted_cross_entropy(X, T, priors)
    assert torch.isfinite(loss)
    tiny = float(torch.tensor(1e-45)) if as_tensor else 1e-45
    p = torch.tensor([tiny, 1, 1, 1], dtype=torch.float64)
    log_p = torch.log(p / p.sum()).float()
    ref = F.cross_entropy(X + log_p, T)
    torch.testing.assert_close(loss, ref)
    assert torch.isfinite(adjust_logits(X, priors)).all()


def test_priors_of_huge_counts_do_not_overflow():
    loss = logit_adjusted_cross_entropy(X, T, [1e308, 1e308, 1e308, 1e308])
    torch.testing.assert_close(loss, F.cross_entropy(X, T))


def test_zero_and_scalar_class_counts_are_rejected_by_name():
    with pytest.raises(ValueError, match="class_counts must be > 0"):
        balanced_softmax_cross_entropy(X, T, [0, 1, 1, 1])
    with pytest.raises(TypeError, match="class_counts must be one number per class"):
        balanced_softmax_cross_entropy(X, T, class_counts=5)


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.int16, torch.int32])
def test_small_integer_class_targets_equal_int64(dtype):
    for fn in (
        lambda t: softmax_focal_loss(X, t),
        lambda t: softmax_focal_loss(X, t, alpha=[1, 2, 3, 4], label_smoothing=0.1),
        lambda t: class_weighted_cross_entropy(X, t, [1, 2, 3, 4]),
        lambda t: logit_adjusted_cross_entropy(X, t, [1, 2, 3, 4]),
        lambda t: balanced_softmax_cross_entropy(X, t, [1, 2, 3, 4]),
        lambda t: margin_cross_entropy(X, t),
        lambda t: weighted_softmax_loss(X, t, 2.0, 1),
        lambda t: class_scaled_cross_entropy(X, t, class_index=1, scale=2.0),
    ):
        torch.testing.assert_close(fn(T.to(dtype)), fn(T))


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.bool])
def test_small_integer_binary_targets_equal_float(dtype):
    for fn in (
        lambda y: sigmoid_focal_loss(X, y),
        lambda y: class_weighted_binary_cross_entropy(X, y, [1, 2]),
        lambda y: margin_cross_entropy(X, y),
    ):
        torch.testing.assert_close(fn(Y.to(dtype)), fn(Y))


def test_out_of_range_uint8_binary_targets_are_rejected():
    y = Y.to(torch.uint8)
    y[0, 0] = 255
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
        sigmoid_focal_loss(X, y, ignore_index=-1)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda v: sigmoid_focal_loss(X, Y, alpha=v), "alpha"),
        (lambda v: sigmoid_focal_loss(X, Y, gamma=v), "gamma"),
        (lambda v: softmax_focal_loss(X, T, gamma=v), "gamma"),
        (lambda v: softmax_focal_loss(X, T, alpha=v), "alpha (softmax)"),
        (lambda v: softmax_focal_loss(X, T, label_smoothing=v), "label_smoothing"),
        (lambda v: margin_cross_entropy(X, Y, margin=v), "margin"),
        (lambda v: weighted_softmax_loss(X, T, v, 1), "pos_mult"),
        (lambda v: class_scaled_cross_entropy(X, T, class_index=1, scale=v), "scale"),
        (lambda v: sigmoid_focal_loss(X, Y, ignore_index=v), "ignore_index"),
    ],
)
@pytest.mark.parametrize("bad", ["a", None, [0.5], True])
def test_non_numeric_scalars_are_type_errors_naming_the_argument(call, name, bad):
    if bad is None and name.startswith(("alpha", "ignore_index")):
        return  # None: no weighting / nothing ignored
    if isinstance(bad, list) and name == "alpha (softmax)":
        return  # a list is one alpha per class (checked elsewhere)
    name = name.split()[0]
    with pytest.raises(TypeError, match=rf"{name} must be a real number"):
        call(bad)


def test_non_numeric_class_vectors_and_pos_weight_are_type_errors():
    with pytest.raises(TypeError, match=r"alpha\[0\] must be a real number"):
        softmax_focal_loss(X, T, alpha=["a", 1, 1, 1])
    with pytest.raises(TypeError, match=r"alpha\[1\] must be a real number"):
        softmax_focal_loss(X, T, alpha={0: 1, 1: "x", 2: 1, 3: 1})
    with pytest.raises(TypeError, match="alpha must be a real number"):
        softmax_focal_loss(X, T, alpha="balanced")
    with pytest.raises(TypeError, match="class_weight must be one number per class"):
        class_weighted_cross_entropy(X, T, np.array(["a", "b", "c", "d"]))
    with pytest.raises(TypeError, match="pos_weight must be a tensor or numbers"):
        sigmoid_focal_loss(X, Y, pos_weight="a")
    with pytest.raises(TypeError, match="pos_weight must be a tensor or numbers"):
        sigmoid_focal_loss(X, Y, pos_weight=[1, "b", 1, 1])
    with pytest.raises(TypeError, match="pos_weight must be a real tensor"):
        sigmoid_focal_loss(X, Y, pos_weight=torch.ones(4, dtype=torch.bool))
    # numbers of any kind still work, and agree
    a = sigmoid_focal_loss(X, Y, pos_weight=[1, 2, 3, 4], alpha=np.float32(0.5))
    b = sigmoid_focal_loss(X, Y, pos_weight=torch.tensor([1.0, 2, 3, 4]), alpha=0.5)
    torch.testing.assert_close(a, b)


def test_nan_ignore_index_of_sigmoid_focal_is_rejected():
    with pytest.raises(ValueError, match="ignore_index must not be NaN"):
        sigmoid_focal_loss(X, Y, ignore_index=float("nan"))


@pytest.mark.parametrize(
    ("call", "index_name", "scale_name"),
    [
        (
            lambda index, scale: weighted_softmax_loss(X, T, scale, index),
            "pos_cid",
            "pos_mult",
        ),
        (
            lambda index, scale: class_scaled_cross_entropy(
                X, T, class_index=index, scale=scale
            ),
            "class_index",
            "scale",
        ),
    ],
    ids=["weighted_softmax_loss", "class_scaled_cross_entropy"],
)
def test_scaled_class_errors_name_the_arguments_of_the_function_called(
    call, index_name, scale_name
):
    # one implementation, and each name's messages use its own argument names
    with pytest.raises(ValueError, match=rf"^{index_name} must be a class index in"):
        call(4, 2.0)
    with pytest.raises(ValueError, match=rf"^{index_name} must be a class index in"):
        call(-1, 2.0)
    with pytest.raises(TypeError, match=rf"^{index_name} must be an integer class"):
        call(1.0, 2.0)
    with pytest.raises(ValueError, match=rf"^{scale_name} must be finite and >= 0"):
        call(1, -0.5)
    with pytest.raises(ValueError, match=rf"^{scale_name} must be finite and >= 0"):
        call(1, math.inf)
