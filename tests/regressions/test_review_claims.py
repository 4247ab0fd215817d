"""Regression tests from the claims audit: each one checks a documented claim
that the code does not keep today (see /tmp/review/claims.md)."""

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss  # noqa: E402


@pytest.mark.parametrize("loss_name", ["sigmoid", "softmax"])
def test_focal_gradient_penalty_raises_instead_of_dropping_second_order_term(
    loss_name,
):
    # README.md:190 "The focal losses are registered torch ops: ... second
    #  derivatives raise."
    torch.manual_seed(0)
    weight = torch.randn(3, dtype=torch.float64, requires_grad=True)
    x = torch.randn(8, 3, dtype=torch.float64)
    if loss_name == "sigmoid":
        target = (torch.rand(8, 3) < 0.3).double()
        loss = sigmoid_focal_loss(x * weight, target)
    else:
        target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
        loss = softmax_focal_loss(x * weight, target)
    # A gradient penalty needs d(grad)/d(weight); ``grad`` came back
    # detached and the penalty's gradient was silently left out. Taking it
    # with create_graph=True now raises at once (review 11).
    with pytest.raises((RuntimeError, NotImplementedError)):
        (grad,) = torch.autograd.grad(loss, weight, create_graph=True)
        (loss + grad.pow(2).sum()).backward()
