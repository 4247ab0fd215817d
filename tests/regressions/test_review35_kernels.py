"""Review 35 (kernels): the fused focal losses' GPU code path, reviewed on the
CPU (Triton interpreter, a device count and a device's cached value checks
emulated); each test failed before its fix."""

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import losses  # noqa: E402


def _as_on_a_device(monkeypatch):
    # Per-class tensors on a device are checked once until they change (a
    # check there is a host-device sync); CPU ones every call. Treat CPU
    # tensors as a device's here.
    monkeypatch.setattr(losses, "_CHECKED_EVERY_CALL", frozenset())


def _fused_step(optimizer, param, grad):
    try:
        opt = optimizer([param], lr=10.0, fused=True)
        param.grad = grad
        before = param._version
        opt.step()
    except (RuntimeError, TypeError, ValueError) as exc:  # pragma: no cover
        pytest.skip(f"no fused {optimizer.__name__} here: {exc}")
    # The premise: a fused step writes without moving the version counter.
    if param._version != before:  # pragma: no cover - a torch that bumps it
        pytest.skip("this torch's fused optimizer moves the version counter")


@pytest.mark.parametrize("optimizer", [torch.optim.SGD, torch.optim.Adam])
def test_learnable_class_weight_made_negative_by_a_fused_optimizer_raises(
    monkeypatch, optimizer
):
    # The checked-once cache keyed device tensors by their version counter; a
    # fused optimizer step (SGD/Adam(fused=True), common on CUDA) writes the
    # parameters without moving it, so a learnable class weight the step
    # made negative passed as already checked: a silently wrong loss.
    _as_on_a_device(monkeypatch)
    x = torch.randn(16, 3)
    t = torch.randint(0, 3, (16,))
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    losses.class_weighted_cross_entropy(x, t, w).backward()
    _fused_step(optimizer, w, torch.tensor([0.0, 5.0, 0.0]))
    assert float(w.detach()[1]) < 0
    with pytest.raises(ValueError, match="class_weight must be >= 0"):
        losses.class_weighted_cross_entropy(x, t, w)


def test_learnable_priors_made_nonpositive_by_a_fused_optimizer_raise(monkeypatch):
    _as_on_a_device(monkeypatch)
    x = torch.randn(16, 3)
    t = torch.randint(0, 3, (16,))
    priors = torch.nn.Parameter(torch.tensor([0.5, 0.3, 0.2]))
    losses.logit_adjusted_cross_entropy(x, t, priors).backward()
    _fused_step(torch.optim.SGD, priors, torch.tensor([0.0, 0.0, 1.0]))
    assert float(priors.detach()[2]) <= 0
    with pytest.raises(ValueError, match="> 0 for every class"):
        losses.logit_adjusted_cross_entropy(x, t, priors)
