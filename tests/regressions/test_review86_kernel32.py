"""Review 86 (kernel32): the float32 sigmoid focal loop of commit 14bed56.

Each test kills a mutant of ``rebalance/torch/_focal_cpu.py`` that the
existing kernel tests let through; all pass on the current code.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("numba")

from rebalance.torch import _focal_cpu as kern  # noqa: E402
from rebalance.torch._focal_math import gamma_mode  # noqa: E402
from rebalance.torch.losses import sigmoid_focal_loss  # noqa: E402


def _run(x, y, gamma, ignore=None, alpha=None, wy=None):
    n = x.shape[0]
    grad = np.full(n, 7.0, np.float32)
    loss = np.full(n, 7.0, np.float32)
    sums = kern.sigmoid_range(
        x, y, y if wy is None else wy, 0.0 if alpha is None else alpha,
        alpha is not None, gamma, gamma_mode(gamma),
        0.0 if ignore is None else ignore, ignore is not None,
        1.0, grad, loss, True, 0, n,
    )  # fmt: skip
    return sums, grad, loss


def _reference(x, y, gamma, alpha=None):
    """Loss and d loss / d x per element, in float64 (torch autograd)."""
    xd = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yd = torch.tensor(y, dtype=torch.float64)
    ce = -(yd * torch.nn.functional.logsigmoid(xd))
    ce = ce - (1 - yd) * torch.nn.functional.logsigmoid(-xd)
    m = yd * torch.sigmoid(-xd) + (1 - yd) * torch.sigmoid(xd)
    fl = ce * m**gamma
    if alpha is not None:
        fl = fl * (alpha * yd + (1 - alpha) * (1 - yd))
    fl.sum().backward()
    return fl.detach().numpy(), xd.grad.numpy()


@pytest.mark.parametrize("ignore", [1.0 + 1e-10, 1e-50])
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_an_ignored_value_rounding_to_a_binary_float32_ignores_nothing(ignore, gamma):
    # float64 targets 0/1 and an ignored value that is no float32 but rounds
    # to 1 or 0: no target equals it, so every one counts. Kills dropping the
    # ``exact`` guard (the float32 loop would ignore all the 1s or 0s).
    x = np.array([1.0, -2.0, 0.5, 3.0, -0.25], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0], np.float64)
    (fl, _, bad), grad, loss = _run(x, y, gamma, ignore)
    want, want_grad = _reference(x, y, gamma)
    assert bad == 0
    np.testing.assert_allclose(loss, want, rtol=2e-6)
    np.testing.assert_allclose(grad, want_grad, rtol=2e-6)
    assert fl == pytest.approx(want.sum(), rel=1e-6)


@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_float64_targets_a_float32_rounds_to_0_or_1_stay_soft(gamma):
    # 1 - 2**-40 is a soft target in float64 (its float32 copy is 1): with a
    # large logit the loss is about 2**-40 * 1e4 (gamma 0), not 0. Kills
    # deciding softness on float32 copies of the targets.
    x = np.array([1e4, 2.0], np.float32)
    y = np.array([1.0 - 2.0**-40, 1.0], np.float64)
    (_, _, bad), grad, loss = _run(x, y, gamma)
    assert bad == 0
    want, want_grad = _reference(x, y, gamma)
    assert want[0] > 0 and want_grad[0] > 0
    np.testing.assert_allclose(loss, want, rtol=1e-5)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-5)


@pytest.mark.parametrize("n", [1, 2, 2049, 4097])
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_every_element_of_every_float32_block_is_written(n, gamma):
    # Sizes one past a block (_BLOCK32 = 2048): the last element of the range
    # must be computed (the outputs start as 7.0). Kills an off-by-one in the
    # block loop's bounds.
    assert kern._BLOCK32 == 2048
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    y = (rng.random(n) < 0.4).astype(np.float32)
    (fl, ce, _), grad, loss = _run(x, y, gamma, alpha=0.25)
    want, want_grad = _reference(x, y, gamma, 0.25)
    np.testing.assert_allclose(loss, want, rtol=2e-6, atol=1e-30)
    np.testing.assert_allclose(grad, want_grad, rtol=2e-6, atol=1e-30)
    assert fl == pytest.approx(want.sum(), rel=1e-6)


@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_the_float32_loop_returns_the_cross_entropy_sum(gamma):
    # The second sum is the plain cross-entropy (for rescale), not the focal
    # loss: with alpha 0.25 and gamma 2 they differ. Kills summing the wrong
    # buffer.
    x = np.array([0.3, -1.5, 2.0, -0.7, 4.0], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    (fl, ce, _), _, _ = _run(x, y, gamma, alpha=0.25)
    want_ce, _ = _reference(x, y, 0.0)
    want_fl, _ = _reference(x, y, gamma, 0.25)
    assert ce == pytest.approx(want_ce.sum(), rel=1e-6)
    assert fl == pytest.approx(want_fl.sum(), rel=1e-6)


def test_rescale_matches_the_float64_loop_on_binary_targets():
    # rescale=True uses the cross-entropy sum: float32 logits (the float32
    # loop) agree with float64 logits (torch's own float64 formula).
    g = torch.Generator().manual_seed(3)
    x = torch.randn(300, generator=g) * 4
    y = (torch.rand(300, generator=g) < 0.3).float()
    out = sigmoid_focal_loss(x, y, rescale=True)
    ref = sigmoid_focal_loss(x.double(), y.double(), rescale=True)
    assert out.item() == pytest.approx(ref.item(), rel=2e-6)


def test_large_pos_weight_keeps_float32_accuracy_at_large_logits():
    x = torch.tensor([100.0, 103.0], requires_grad=True)
    y = torch.ones(2)
    pw = torch.tensor([1e10])
    out = sigmoid_focal_loss(
        x, y, alpha=None, gamma=0.0, reduction="none", pos_weight=pw
    )
    out.sum().backward()
    xd = x.detach().double()
    want = 1e10 * -torch.nn.functional.logsigmoid(xd)  # normal float32 numbers
    assert (want > 1e-36).all()
    torch.testing.assert_close(out.double(), want, rtol=2e-6, atol=0.0)
    torch.testing.assert_close(
        x.grad.double(), -1e10 * torch.sigmoid(-xd), rtol=2e-6, atol=0.0
    )
