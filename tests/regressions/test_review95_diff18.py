"""Review 95, diff18: the change 29e72ee..HEAD (sigmoid focal loss on CPU
through the numba kernel built from host sums; conftest's file ordering).

How: the fused CPU loss (numba kernel, as now) is compared with the eager
torch path (``REBALANCE_FOCAL_NUMBA=0``, read at each call) and with a
float64 autograd reference formula, over logits dtypes, views, sizes around
the kernel's chunk (32768) and threading (65536) thresholds, reductions,
rescale, ignore_index, pos_weight, alpha/gamma, target dtypes and grad
modes; the outputs' freshness, device and dtype are pinned, as are
torch.compile, torch.func and the custom op called directly. A bit-for-bit
comparison with the code at 29e72ee (run off-line over ~12000 cases) found
only the strides of empty gradients different. conftest.py's
``pytest_collection_modifyitems`` is copied into a small temporary project
and collected in a subprocess (``pytest --collect-only -q``).
"""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("numba")

from rebalance.torch._focal_numba import numba_path  # noqa: E402
from rebalance.torch.losses import sigmoid_focal_loss  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not numba_path(torch.zeros(1)), reason="the numba kernels are not available"
)


def _eager(monkeypatch, *args, **kwargs):
    monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", "0")
    try:
        return sigmoid_focal_loss(*args, **kwargs)
    finally:
        monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", "1")


def _reference(x, y, alpha=0.25, gamma=2.0, reduction="mean"):
    """float64 focal loss by the formula (autograd for the gradient)."""
    x = x.double()
    y = y.double()
    p = torch.sigmoid(x)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = loss * (alpha * y + (1 - alpha) * (1 - y))
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _data(n, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(n, generator=g) * 3).to(dtype)
    y = (torch.rand(n, generator=g) > 0.5).float()
    return x, y


SIZES = [0, 1, 7, 32767, 32768, 32769, 65537]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_reduced_loss_matches_eager_and_reference(monkeypatch, n, reduction, dtype):
    x, y = _data(n, dtype, seed=n)
    xg = x.clone().requires_grad_(True)
    loss = sigmoid_focal_loss(xg, y, reduction=reduction)
    assert loss.dtype == torch.float32 and loss.device.type == "cpu"
    assert loss.shape == () and loss.grad_fn is not None
    eager = _eager(monkeypatch, x, y, reduction=reduction)
    torch.testing.assert_close(loss.detach(), eager, rtol=2e-5, atol=1e-7)
    ref = _reference(x, y, reduction=reduction)
    if n == 0 and reduction == "mean":
        ref = torch.zeros((), dtype=torch.float64)  # 1 / max(count, 1)
    torch.testing.assert_close(loss.detach().double(), ref, rtol=2e-5, atol=1e-7)
    (grad,) = torch.autograd.grad(loss, xg)
    assert grad.dtype == dtype and grad.shape == x.shape


@pytest.mark.parametrize("n", [5, 32768, 32769])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [0.25, None])
def test_float32_gradient_matches_float64_reference(n, reduction, gamma, alpha):
    x, y = _data(n, seed=n + 1)
    xg = x.clone().requires_grad_(True)
    loss = sigmoid_focal_loss(xg, y, alpha=alpha, gamma=gamma, reduction=reduction)
    go = torch.full(loss.shape, 1.5)
    (grad,) = torch.autograd.grad(loss, xg, go)
    x64 = x.double().requires_grad_(True)
    ref = _reference(x64, y, alpha=alpha, gamma=gamma, reduction=reduction)
    (ref_grad,) = torch.autograd.grad(ref, x64, go.double())
    torch.testing.assert_close(
        loss.detach().double(), ref.detach(), rtol=1e-4, atol=1e-7
    )
    torch.testing.assert_close(grad.double(), ref_grad, rtol=1e-4, atol=1e-9)


def _views():
    g = torch.Generator().manual_seed(3)
    base = torch.randn(2 * 40000 + 3, generator=g)
    return {
        "offset": base[3:40003],
        "strided": base[:80000:2],
        "expanded": base[:1].expand(40000),
        "transposed": torch.randn(200, 3, generator=g).t(),
        "odd size-1 stride": torch.randn(12, generator=g).as_strided(
            (3, 1, 4), (4, 100, 1)
        ),
        "parameter": torch.nn.Parameter(torch.randn(6, 5, generator=g)),
        "half offset": base[5:1005].half(),
    }


@pytest.mark.parametrize("name", list(_views()))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_views_match_eager_and_contiguous_copy(monkeypatch, name, reduction):
    x = _views()[name]
    g = torch.Generator().manual_seed(4)
    y = (torch.rand(x.shape, generator=g) > 0.5).to(torch.uint8)
    xd = x.detach()
    xg = xd.clone().requires_grad_(True) if name != "parameter" else x
    loss = sigmoid_focal_loss(xg, y, reduction=reduction, pos_weight=torch.tensor(1.7))
    copy = xd.contiguous().clone().requires_grad_(True)
    loss_c = sigmoid_focal_loss(
        copy, y, reduction=reduction, pos_weight=torch.tensor(1.7)
    )
    assert torch.equal(loss.detach(), loss_c.detach())
    go = torch.full(loss.shape, 0.75)
    (g1,) = torch.autograd.grad(loss, xg, go)
    (g2,) = torch.autograd.grad(loss_c, copy, go)
    assert torch.equal(g1, g2)
    eager = _eager(
        monkeypatch, xd, y, reduction=reduction, pos_weight=torch.tensor(1.7)
    )
    torch.testing.assert_close(loss.detach(), eager, rtol=2e-5, atol=1e-6)
    # the logits were read, not written
    assert torch.equal(x.detach(), _views()[name].detach())


class _Sub(torch.Tensor):
    pass


def test_tensor_subclass_logits():
    x, y = _data(64, seed=5)
    xs = x.as_subclass(_Sub).requires_grad_(True)
    loss = sigmoid_focal_loss(xs, y, reduction="none")
    ref = sigmoid_focal_loss(x, y, reduction="none")
    assert torch.equal(loss.detach().as_subclass(torch.Tensor), ref)
    loss.sum().backward()
    assert xs.grad is not None and torch.isfinite(xs.grad).all()


@pytest.mark.parametrize(
    "ydtype", [torch.float32, torch.float64, torch.uint8, torch.bool, torch.int64]
)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_target_dtypes_give_the_same_loss(ydtype, reduction):
    x, y = _data(1000, seed=6)
    ref = sigmoid_focal_loss(x, y, reduction=reduction)
    assert torch.equal(sigmoid_focal_loss(x, y.to(ydtype), reduction=reduction), ref)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("ydtype", [torch.float32, torch.int64])
def test_ignore_index_and_all_ignored(monkeypatch, reduction, ydtype):
    x, y = _data(1000, seed=7)
    y = y.to(ydtype)
    y[::3] = -1
    loss = sigmoid_focal_loss(x, y, ignore_index=-1, reduction=reduction)
    keep = y != -1
    ref = _reference(x[keep], y[keep], reduction=reduction)
    torch.testing.assert_close(loss.double(), ref, rtol=1e-5, atol=1e-7)
    all_ign = torch.full_like(y, -1)
    out = sigmoid_focal_loss(x, all_ign, ignore_index=-1, reduction=reduction)
    assert out.item() == 0.0
    eager = _eager(monkeypatch, x, all_ign, ignore_index=-1, reduction=reduction)
    assert torch.equal(out, eager)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_rescale_matches_eager(monkeypatch, reduction):
    x, y = _data(5000, seed=8)
    loss = sigmoid_focal_loss(x, y, reduction=reduction, rescale=True)
    eager = _eager(monkeypatch, x, y, reduction=reduction, rescale=True)
    torch.testing.assert_close(loss, eager, rtol=2e-5, atol=1e-7)


def test_grad_modes():
    x, y = _data(100, seed=9)
    p = torch.nn.Parameter(x.clone())
    ref = sigmoid_focal_loss(x, y)
    with torch.no_grad():
        a = sigmoid_focal_loss(p, y)
        with torch.enable_grad():
            b = sigmoid_focal_loss(p, y)
    with torch.inference_mode():
        c = sigmoid_focal_loss(p, y)
    assert a.grad_fn is None and b.grad_fn is not None
    for t in (a, b, c):
        assert torch.equal(t.detach(), ref)
    b.backward(retain_graph=True)
    first = p.grad.clone()
    b.backward()
    assert torch.equal(p.grad, 2 * first)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("needs_grad", [True, False])
def test_direct_op_outputs_are_fresh(reduction, needs_grad):
    x, y = _data(300, seed=10)
    x = x.reshape(30, 10)
    y = y.reshape(30, 10)
    out = torch.ops.rebalance.sigmoid_focal(
        x, y, None, 0.25, 2.0, None, reduction, False, needs_grad
    )
    loss, grad, scale = out
    for t in out:
        assert t._base is None and t.device.type == "cpu"
    assert loss.dtype == torch.float32 and scale.item() == 1.0
    assert grad.shape == (x.shape if needs_grad else (0,))
    assert loss.data_ptr() != grad.data_ptr() != x.data_ptr()
    ref = sigmoid_focal_loss(x, y, reduction=reduction)
    assert torch.equal(loss, ref)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_outputs_on_host_under_meta_default_device(dtype):
    x, y = _data(50, dtype, seed=11)
    x = x.requires_grad_(True)
    torch.set_default_device("meta")
    try:
        loss = sigmoid_focal_loss(x, y)
        none = sigmoid_focal_loss(x, y, reduction="none")
        (grad,) = torch.autograd.grad(loss, x)
    finally:
        torch.set_default_device(None)
    assert loss.device.type == "cpu" and none.device.type == "cpu"
    assert loss.dtype == torch.float32 and none.dtype == torch.float32
    assert grad.device.type == "cpu" and torch.isfinite(grad).all()
    assert loss._base is None and none._base is None


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bitwise_equal_across_thread_counts(reduction):
    x, y = _data(140001, seed=12)
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = sigmoid_focal_loss(x, y, reduction=reduction)
        torch.set_num_threads(2)
        two = sigmoid_focal_loss(x, y, reduction=reduction)
    finally:
        torch.set_num_threads(old)
    assert torch.equal(one, two)


def test_concurrent_threads_give_serial_results():
    cases = [_data(n, seed=20 + i) for i, n in enumerate([10, 40000, 70000, 3] * 2)]
    serial = [sigmoid_focal_loss(x, y) for x, y in cases]
    results = [None] * len(cases)

    def work(i):
        for _ in range(5):
            x, y = cases[i]
            results[i] = sigmoid_focal_loss(x, y)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(cases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, serial, strict=True):
        assert torch.equal(got, want)


def test_torch_func_grad_and_vmap():
    x, y = _data(40, seed=13)

    def f(x):
        return sigmoid_focal_loss(x, y, reduction="sum")

    g = torch.func.grad(f)(x)
    xg = x.clone().requires_grad_(True)
    (ref,) = torch.autograd.grad(f(xg), xg)
    torch.testing.assert_close(g, ref)
    xs, ys = _data(120, seed=14)
    xs = xs.reshape(3, 40)
    ys = ys.reshape(3, 40)
    gv = torch.func.vmap(torch.func.grad(lambda a, b: sigmoid_focal_loss(a, b)))(xs, ys)
    for i in range(3):
        xi = xs[i].clone().requires_grad_(True)
        (gi,) = torch.autograd.grad(sigmoid_focal_loss(xi, ys[i]), xi)
        torch.testing.assert_close(gv[i], gi)


def test_torch_compile_fullgraph():
    x, y = _data(64, seed=15)

    @torch.compile(fullgraph=True, backend="eager")
    def f(x, y):
        return sigmoid_focal_loss(x, y)

    xg = x.clone().requires_grad_(True)
    loss = f(xg, y)
    (g,) = torch.autograd.grad(loss, xg)
    xr = x.clone().requires_grad_(True)
    ref = sigmoid_focal_loss(xr, y)
    (gr,) = torch.autograd.grad(ref, xr)
    assert torch.equal(loss.detach(), ref.detach())
    torch.testing.assert_close(g, gr)


# --------------------------------------------------------------------------
# conftest.py: pytest_collection_modifyitems
# --------------------------------------------------------------------------
def _hook_source():
    spec = importlib.util.spec_from_file_location(
        "_root_conftest95", ROOT / "conftest.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return inspect.getsource(mod.pytest_collection_modifyitems)


def test_conftest_orders_slow_files_first_and_keeps_items(tmp_path):
    conftest = (
        "import pytest\n\n\n"
        + _hook_source()
        + textwrap.dedent(
            """

        class NbItem(pytest.Item):
            def runtest(self):
                pass


        class NbFile(pytest.File):
            def collect(self):
                yield NbItem.from_parent(self, name="cell1")
                yield NbItem.from_parent(self, name="cell2")


        def pytest_collect_file(file_path, parent):
            if file_path.suffix == ".ipynb":
                return NbFile.from_parent(parent, path=file_path)
        """
        )
    )
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    (tmp_path / "mod.py").write_text(
        'def f():\n    """\n    >>> 1\n    1\n    """\n\n\n'
        'def g():\n    """\n    >>> 2\n    2\n    """\n'
    )
    (tmp_path / "test_a.py").write_text(
        textwrap.dedent(
            """
            import pytest

            def test_z():
                pass

            @pytest.mark.parametrize("v", [3, 1, 2])
            def test_p(v):
                pass

            class TestK:
                def test_b(self):
                    pass

                def test_a(self):
                    pass
            """
        )
    )
    (tmp_path / "test_b.py").write_text(
        textwrap.dedent(
            """
            import pytest

            def test_fast():
                pass

            @pytest.mark.slow
            @pytest.mark.parametrize("v", [2, 1])
            def test_slow(v):
                pass

            def test_after():
                pass
            """
        )
    )
    (tmp_path / "test_c.py").write_text(
        "import pytest\n\npytestmark = pytest.mark.slow\n\n\ndef test_c():\n    pass\n"
    )
    (tmp_path / "test_d.py").write_text("def test_d1():\n    pass\n")
    (tmp_path / "zz.ipynb").write_text("{}")
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    assert ids == [
        "zz.ipynb::cell1",
        "zz.ipynb::cell2",
        "test_b.py::test_fast",
        "test_b.py::test_slow[2]",
        "test_b.py::test_slow[1]",
        "test_b.py::test_after",
        "test_c.py::test_c",
        "mod.py::mod.f",
        "mod.py::mod.g",
        "test_a.py::test_z",
        "test_a.py::test_p[3]",
        "test_a.py::test_p[1]",
        "test_a.py::test_p[2]",
        "test_a.py::TestK::test_b",
        "test_a.py::TestK::test_a",
        "test_d.py::test_d1",
    ]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_zero_dim_logits_match_eager(monkeypatch, reduction):
    x = torch.tensor(0.7, requires_grad=True)
    y = torch.tensor(1.0)
    loss = sigmoid_focal_loss(x, y, reduction=reduction)
    (g,) = torch.autograd.grad(loss, x)
    x2 = x.detach().clone().requires_grad_(True)
    eager = _eager(monkeypatch, x2, y, reduction=reduction)
    (g2,) = torch.autograd.grad(eager, x2)
    assert loss.shape == ()
    torch.testing.assert_close(loss.detach(), eager.detach(), rtol=1e-6, atol=0)
    torch.testing.assert_close(g, g2, rtol=1e-6, atol=0)
