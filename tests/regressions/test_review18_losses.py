"""Review 18 (losses): numerical and API parity of the torch losses with
torch's own losses and the reference formulas, under the ways users run them
(torch.jit.trace, odd shapes, every dtype).

Bugs fixed (each test failed on the code before its fix):

1. ``torch.jit.trace`` of a fused focal loss (or of a model whose forward
   calls one) crashed with a numba TypingError on float32 and half CPU
   logits (the numba launchers got traced sizes, which are tensors). The
   trace now records the custom op (``rebalance::sigmoid_focal`` /
   ``softmax_focal``), which runs at each call of the traced function.
2. ``rebalance.class_weights`` of bool labels (``{False: w0, True: w1}``) or
   of float labels (``{0.0: w0, 1.0: w1}``), fed to the loss taking those
   very labels as targets (``class_weighted_binary_cross_entropy``, or a
   class-weighted CE, focal ``alpha``, priors), raised TypeError "keys must
   be class indices"; Python itself treats these keys as 0 and 1. They now
   name classes 0, 1, ... (0.5 or '0' still raise).
3. ``softmax_focal_loss`` of logits with no class (``(N, 0)``) raised a raw
   RuntimeError from a reshape (or, with class indices, a ValueError saying
   indices must lie in "[0, -1]"); it now raises a ValueError saying the
   logits need at least one class.
4. Integer one-hot targets ``(N, C)`` given to a class-index loss raised
   "target must have shape (N,) ..., got (N, C)" without the fix; the error
   now says to pass ``target.argmax(1)`` (or ``target.float()`` where the
   loss takes class probabilities).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402


def _trace(fn, example):
    with warnings.catch_warnings():
        # shape checks and host constants: TracerWarnings, harmless here
        warnings.simplefilter("ignore")
        return torch.jit.trace(fn, example, check_trace=False)


# --------------------------------------------------------------------------
# 1. torch.jit.trace records the op, not the example's loss
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_jit_trace_of_a_focal_loss_computes_each_new_input(kind, dtype):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 3, generator=g, dtype=dtype)
    x_new = torch.randn(6, 3, generator=g, dtype=dtype) * 3
    if kind == "sigmoid":
        target = (torch.rand(6, 3, generator=g) > 0.5).to(dtype)
        criterion = L.SigmoidFocalLoss(alpha=None, gamma=0.0)

        def reference(z):  # gamma=0, no alpha: binary cross-entropy
            return F.binary_cross_entropy_with_logits(z, target)
    else:
        target = torch.tensor([0, 2, 1, -100, 2, 0])
        criterion = L.SoftmaxFocalLoss(gamma=0.0)

        def reference(z):  # gamma=0, no alpha: cross-entropy
            return F.cross_entropy(z, target)

    traced = _trace(criterion, (x, target))
    torch.testing.assert_close(traced(x_new, target), reference(x_new))


def test_jit_trace_of_a_training_step_with_a_focal_loss_has_its_gradient():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 4, generator=g)
    x_new = torch.randn(8, 4, generator=g)
    target = torch.randint(0, 3, (8,), generator=g)

    class Model(torch.nn.Module):
        def __init__(self, criterion):
            super().__init__()
            self.linear = torch.nn.Linear(4, 3)
            self.criterion = criterion

        def forward(self, inputs, labels):
            return self.criterion(self.linear(inputs), labels)

    torch.manual_seed(0)
    model = Model(L.SoftmaxFocalLoss(gamma=0.0))
    torch.manual_seed(0)
    plain = Model(torch.nn.CrossEntropyLoss())
    traced = _trace(model, (x, target))
    loss = traced(x_new, target)
    loss.backward()
    expected = plain(x_new, target)
    expected.backward()
    torch.testing.assert_close(loss, expected)
    torch.testing.assert_close(model.linear.weight.grad, plain.linear.weight.grad)


# --------------------------------------------------------------------------
# 2. class weights keyed by bool or float labels
# --------------------------------------------------------------------------
def test_class_weights_of_bool_and_float_labels_feed_the_losses():
    from rebalance import class_weights

    logits = torch.tensor([0.3, -1.2, 2.0, 0.0])
    for labels in (
        np.array([True, False, False, False]),
        np.array([1.0, 0.0, 0.0, 0.0]),
    ):
        weights = class_weights(labels)  # {False: 2/3, True: 2} or {0.0: ..}
        target = torch.as_tensor(labels).float()
        w = target * 2.0 + (1 - target) * (2.0 / 3.0)  # 4 / (2 * 3), 4 / (2 * 1)
        expected = F.binary_cross_entropy_with_logits(logits, target, weight=w)
        got = L.class_weighted_binary_cross_entropy(logits, target, weights)
        torch.testing.assert_close(got, expected)
        module = L.ClassWeightedBinaryCrossEntropyLoss(weights)
        torch.testing.assert_close(module(logits, target), expected)

    x = torch.tensor([[0.5, -0.5, 1.0], [2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    t = torch.tensor([2, 0, 1])
    float_keys = {0.0: 1.0, 1.0: 2.0, 2.0: 4.0}
    weight = torch.tensor([1.0, 2.0, 4.0])
    torch.testing.assert_close(
        L.class_weighted_cross_entropy(x, t, float_keys),
        F.cross_entropy(x, t, weight=weight),
    )
    torch.testing.assert_close(
        L.softmax_focal_loss(x, t, alpha=float_keys, gamma=0.0, reduction="sum"),
        F.cross_entropy(x, t, weight=weight, reduction="sum"),
    )
    log_prior = torch.log(weight / weight.sum())
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(x, t, float_keys),
        F.cross_entropy(x + log_prior, t),
    )


@pytest.mark.parametrize("keys", [{0.5: 1.0, 1: 2.0}, {"0": 1.0, "1": 2.0}])
def test_class_weight_keys_naming_no_class_still_raise(keys):
    with pytest.raises(TypeError, match="class_weight keys must be class indices"):
        L.class_weighted_binary_cross_entropy(torch.zeros(2), torch.zeros(2), keys)


# --------------------------------------------------------------------------
# 3. logits without a class
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [torch.full((3,), -100), torch.zeros(3, dtype=torch.long), torch.zeros(3, 0)],
)
def test_softmax_focal_logits_without_a_class_raise_a_clear_error(target):
    with pytest.raises(ValueError, match="logits must have at least one class"):
        L.softmax_focal_loss(torch.zeros(3, 0), target)


# --------------------------------------------------------------------------
# 4. integer one-hot targets: the error says what to pass
# --------------------------------------------------------------------------
def test_integer_one_hot_target_error_names_the_fix():
    one_hot = F.one_hot(torch.tensor([0, 2, 1]), 3)
    with pytest.raises(ValueError, match=r"target\.argmax\(1\).*target\.float\(\)"):
        L.softmax_focal_loss(torch.zeros(3, 3), one_hot)
    with pytest.raises(ValueError, match=r"target\.argmax\(1\)$"):
        L.class_scaled_cross_entropy(
            torch.zeros(3, 3), one_hot, class_index=1, scale=2.0
        )
    # the fixes it names give cross_entropy's loss
    x = torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 2.0], [0.0, 3.0, 0.0]])
    expected = F.cross_entropy(x, one_hot.argmax(1))
    torch.testing.assert_close(
        L.softmax_focal_loss(x, one_hot.float(), gamma=0.0), expected
    )
    torch.testing.assert_close(
        L.softmax_focal_loss(x, one_hot.argmax(1), gamma=0.0), expected
    )
