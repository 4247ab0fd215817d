"""Review 52 (focal): differential fuzzing of the faster numba CPU kernel of
the fused focal losses (commit 537e5b0: Estrin polynomials, int32 exponent
conversion, 2**15-element chunks, fewer host tensor calls).

The kernels' values were unchanged (old vs new kernels bit-identical on the
float32 outputs); what broke is the host side under a default device other
than the CPU (``torch.set_default_device('cuda')`` / ``'meta'``, or ``with
torch.device(...)``): the module made a tensor for numpy at import, and the
launchers allocate their host buffers with the default device.

Oracles: the same loss and gradient computed without a default device.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import _focal_numba  # noqa: E402
from rebalance.torch.losses import (  # noqa: E402
    sigmoid_focal_loss,
    softmax_focal_loss,
)

ROOT = Path(__file__).resolve().parents[2]


def _loss_and_grad(fn, x, *args, **kwargs):
    x = x.detach().clone().requires_grad_()
    out = fn(x, *args, **kwargs)
    go = torch.linspace(0.5, 1.5, out.numel(), device="cpu").reshape(out.shape)
    (grad,) = torch.autograd.grad(out, x, go)
    return out.detach(), grad


def _under_default_device(device, fn, *args, **kwargs):
    torch.set_default_device(device)
    try:
        return fn(*args, **kwargs)
    finally:
        torch.set_default_device(None)


def _data(n=4099, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g) * 3
    y = (torch.rand(n, 3, generator=g) < 0.3).float()
    t = torch.randint(0, 3, (n,), generator=g)
    t[::7] = -100
    return x, y, t


@pytest.mark.slow
def test_import_under_meta_default_device():
    # _focal_numba made its no-loss placeholder as torch.zeros(1).numpy() at
    # import: under a non-CPU default device that tensor is not on the host
    # and `import rebalance.torch.losses` raised TypeError ("can't convert
    # meta device type tensor to numpy").
    # (REBALANCE_FOCAL_NUMBA=0: no warm-up thread loading numba; the
    # placeholder is made at import either way.)
    code = (
        "import torch\n"
        "torch.set_default_device('meta')\n"
        "import rebalance.torch.losses\n"
        "print(type(rebalance.torch._focal_numba._NO_LOSS).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REBALANCE_FOCAL_NUMBA": "0"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ndarray"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_numba_losses_under_meta_default_device(dtype, reduction):
    # The numba launchers allocated their gradient / loss buffers with
    # torch.empty(n) on the default device: with torch.set_default_device
    # ('meta' here, 'cuda' in practice) every CPU float32 / half loss raised
    # TypeError ("can't convert meta device type tensor to numpy"), while
    # the eager path (device=x.device) worked.
    if not _focal_numba.numba_path(torch.zeros(1)):
        pytest.skip("numba kernels not available")
    x, y, t = _data()
    x = x.to(dtype)
    cases = [
        (sigmoid_focal_loss, (y,), {"reduction": reduction, "gamma": 0.5}),
        (sigmoid_focal_loss, (y,), {"reduction": reduction, "rescale": True}),
        (softmax_focal_loss, (t,), {"reduction": reduction, "alpha": [1.0, 2.0, 0.5]}),
    ]
    for fn, args, kwargs in cases:
        want = _loss_and_grad(fn, x, *args, **kwargs)
        got = _under_default_device("meta", _loss_and_grad, fn, x, *args, **kwargs)
        for a, b in zip(got, want, strict=True):
            assert a.device.type == "cpu"
            assert a.dtype == b.dtype
            assert torch.equal(a, b)


def test_ignore_index_under_meta_default_device():
    # ignore_value (which targets an ignore_index matches, in the targets'
    # dtype) read torch.tensor(ignore_index, dtype) on the default device:
    # NotImplementedError on 'meta' (a host-device sync per call on CUDA).
    # float64 logits: the eager path, so only that check is involved.
    x, y, _ = _data(257)
    x = x.double()
    y = torch.where(torch.arange(y.numel()).view(y.shape) % 5 == 0, -1.0, y)
    kwargs = {"ignore_index": -1, "reduction": "sum"}
    want = _loss_and_grad(sigmoid_focal_loss, x, y, **kwargs)
    got = _under_default_device(
        "meta", _loss_and_grad, sigmoid_focal_loss, x, y, **kwargs
    )
    assert torch.equal(got[0], want[0])
    assert torch.equal(got[1], want[1])


def test_pos_weight_list_under_meta_default_device():
    x, y, _ = _data(129)
    kwargs = {"pos_weight": [1.0, 2.0, 3.0]}
    want = _loss_and_grad(sigmoid_focal_loss, x, y, **kwargs)
    got = _under_default_device(
        "meta", _loss_and_grad, sigmoid_focal_loss, x, y, **kwargs
    )
    assert torch.equal(got[0], want[0])
    assert torch.equal(got[1], want[1])
