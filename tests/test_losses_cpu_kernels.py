"""The default CPU path of the focal losses: numba kernels (issue 16 §2).

float32 logits go through rebalance.torch._focal_cpu; these tests check it
against the float64 autograd formula, the eager torch path
(``REBALANCE_FOCAL_NUMBA=0``), across thread counts, and for the accuracy of
its reductions.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from rebalance.torch import _focal_numba  # noqa: E402
from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _grads(fn, x, *args, **kwargs):
    x = x.detach().clone().requires_grad_()
    out = fn(x, *args, **kwargs)
    g_out = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape).to(out.dtype)
    (grad,) = torch.autograd.grad(out, x, g_out)
    return out.detach(), grad


def _reference_sigmoid(x, y, alpha, gamma, reduction, pos_weight, ignore_index):
    x, y = x.double(), y.double()
    valid = torch.ones_like(y, dtype=torch.bool)
    if ignore_index is not None:
        valid = y != ignore_index
        y = torch.where(valid, y, 0.0)
    pw = None if pos_weight is None else pos_weight.double()
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=pw)
    # 1 - p_t without cancellation (autograd of (1 - p_t) ** gamma is NaN at
    # saturated logits for gamma < 1 otherwise)
    m = y * torch.sigmoid(-x) + (1 - y) * torch.sigmoid(x)
    fl = ce * m**gamma
    if alpha is not None:
        fl = fl * (alpha * y + (1 - alpha) * (1 - y))
    fl = torch.where(valid, fl, 0.0)
    if reduction == "none":
        return fl
    return fl.sum() if reduction == "sum" else fl.sum() / max(int(valid.sum()), 1)


def _reference_softmax(x, t, alpha, gamma, reduction, ignore_index, smoothing):
    x = x.double()
    n_classes = x.shape[1]
    valid = t != ignore_index
    one_hot = F.one_hot(torch.where(valid, t, 0), n_classes).double()
    w = one_hot * (1 - smoothing) + smoothing / n_classes
    log_p = torch.log_softmax(x, 1)
    a = 1.0 if alpha is None else torch.tensor(alpha, dtype=torch.float64)
    if n_classes <= 64:  # log(1 - p_j) = log(sum_{k != j} p_k), no cancellation
        eye = torch.eye(n_classes, dtype=torch.bool)
        others = x.unsqueeze(1).masked_fill(eye, -torch.inf)
        log_omp = torch.logsumexp(others, 2) - torch.logsumexp(x, 1, keepdim=True)
        omp = log_omp.exp()
    else:
        omp = -torch.expm1(log_p)
    fl = -(a * w * omp**gamma * log_p).sum(1)
    fl = torch.where(valid, fl, 0.0)
    if reduction == "none":
        return fl
    return fl.sum() if reduction == "sum" else fl.sum() / max(int(valid.sum()), 1)


def test_the_default_cpu_path_for_float32_is_the_numba_kernel():
    x = torch.randn(10)
    assert _focal_numba.numba_path(x)
    assert not _focal_numba.numba_path(x.double())


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.0])
@pytest.mark.parametrize("case", range(4))
def test_sigmoid_kernel_matches_the_float64_formula(gamma, case):
    g = torch.Generator().manual_seed(10 * case + int(gamma * 2))
    shape = [(300,), (40, 7), (5, 6, 9), (1000,)][case]
    x = torch.randn(shape, generator=g) * [1.0, 4.0, 20.0, 60.0][case]
    y = torch.rand(shape, generator=g)
    if case % 2 == 0:
        y = (y < 0.2).float()
    kw = {
        "alpha": [None, 0.25, 0.9, 0.5][case],
        "gamma": gamma,
        "reduction": ["mean", "none", "sum", "mean"][case],
        "pos_weight": None,
        "ignore_index": None,
    }
    if case in (1, 2):
        y.view(-1)[::5] = -1.0
        kw["ignore_index"] = -1.0
        kw["pos_weight"] = torch.rand(shape[-1], generator=g) + 0.5
    out, grad = _grads(sigmoid_focal_loss, x, y, **kw)
    ref, ref_grad = _grads(_reference_sigmoid, x.double(), y, **kw)
    assert out.dtype == torch.float32 and grad.dtype == torch.float32
    torch.testing.assert_close(out.double(), ref, rtol=2e-6, atol=1e-9)
    torch.testing.assert_close(grad.double(), ref_grad, rtol=2e-6, atol=1e-8)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.0])
@pytest.mark.parametrize("case", range(4))
def test_softmax_kernel_matches_the_float64_formula(gamma, case):
    g = torch.Generator().manual_seed(100 + 10 * case + int(gamma * 2))
    n, c = [(50, 3), (33, 10), (20, 1000), (64, 2)][case]
    x = torch.randn(n, c, generator=g) * [1.0, 5.0, 3.0, 40.0][case]
    t = torch.randint(0, c, (n,), generator=g)
    t[::7] = -100
    kw = {
        "alpha": [None, [0.5 + i / c for i in range(c)], None, [1.0, 3.0]][case],
        "gamma": gamma,
        "reduction": ["mean", "none", "sum", "mean"][case],
        "ignore_index": -100,
        "label_smoothing": [0.0, 0.1, 0.0, 0.2][case],
    }
    out, grad = _grads(softmax_focal_loss, x, t, **kw)
    kw["smoothing"] = kw.pop("label_smoothing")
    ref, ref_grad = _grads(_reference_softmax, x.double(), t, **kw)
    torch.testing.assert_close(out.double(), ref, rtol=2e-6, atol=1e-9)
    torch.testing.assert_close(grad.double(), ref_grad, rtol=2e-6, atol=1e-8)


def test_numba_and_eager_torch_paths_agree(monkeypatch):
    g = torch.Generator().manual_seed(7)
    x = torch.randn(500, 8, generator=g) * 3
    y = (torch.rand(500, 8, generator=g) < 0.3).float()
    t = torch.randint(0, 8, (500,), generator=g)
    cases = [
        (sigmoid_focal_loss, y, {"gamma": 1.5, "rescale": True}),
        (softmax_focal_loss, t, {"alpha": [1.0] * 4 + [2.0] * 4, "gamma": 2.0}),
    ]
    for fn, target, kw in cases:
        numba = _grads(fn, x, target, **kw)
        monkeypatch.setenv("REBALANCE_FOCAL_NUMBA", "0")
        eager = _grads(fn, x, target, **kw)
        monkeypatch.delenv("REBALANCE_FOCAL_NUMBA")
        torch.testing.assert_close(numba[0], eager[0], rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(numba[1], eager[1], rtol=1e-5, atol=1e-8)


def test_results_are_identical_for_any_thread_count():
    g = torch.Generator().manual_seed(8)
    x = torch.randn(300_000, generator=g) * 3  # several chunks
    y = (torch.rand(300_000, generator=g) < 0.1).float()
    xs = torch.randn(3000, 100, generator=g)
    t = torch.randint(0, 100, (3000,), generator=g)
    before = torch.get_num_threads()
    results = []
    try:
        for n_threads in (1, 2, 3):
            torch.set_num_threads(n_threads)
            results.append(
                (_grads(sigmoid_focal_loss, x, y), _grads(softmax_focal_loss, xs, t))
            )
    finally:
        torch.set_num_threads(before)
    for other in results[1:]:
        for (a_out, a_grad), (b_out, b_grad) in zip(results[0], other, strict=True):
            assert torch.equal(a_out, b_out) and torch.equal(a_grad, b_grad)


def test_reductions_are_accurate_to_float64():
    # float32 summation of 2^22 terms drifts by ~1e-5 relative; the kernel
    # sums in float64 per chunk and adds the chunks pairwise.
    n = 1 << 22
    g = torch.Generator().manual_seed(9)
    x = torch.randn(n, generator=g) * 2
    y = (torch.rand(n, generator=g) < 0.1).float()
    got = sigmoid_focal_loss(x, y, reduction="sum")
    ref = _reference_sigmoid(x, y, 0.25, 2.0, "sum", None, None)
    assert abs(got.double().item() - ref.item()) / ref.item() <= 1e-6
    got_mean = sigmoid_focal_loss(x, y)
    assert abs(got_mean.double().item() - ref.item() / n) / (ref.item() / n) <= 1e-6


@pytest.mark.parametrize("dtype", [torch.uint8, torch.bool, torch.int64, torch.float64])
def test_target_dtypes_reach_the_kernel_with_the_same_result(dtype):
    x = torch.randn(64, 5)
    y = (torch.rand(64, 5) < 0.3).float()
    torch.testing.assert_close(
        _grads(sigmoid_focal_loss, x, y.to(dtype)), _grads(sigmoid_focal_loss, x, y)
    )


def test_out_of_range_targets_found_by_the_kernel_raise_with_the_range():
    x = torch.randn(200_000)
    y = torch.zeros(200_000)
    y[150_000] = 3.0  # in a later chunk
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\].*\[0, 3\]"):
        sigmoid_focal_loss(x, y)
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 3\]"):
        softmax_focal_loss(torch.randn(5, 4), torch.tensor([0, 1, 4, 2, 3]))


def test_half_precision_logits_use_the_kernel_and_keep_their_dtype():
    x = torch.randn(100, 3) * 4
    y = (torch.rand(100, 3) < 0.5).float()
    for dtype in (torch.float16, torch.bfloat16):
        out, grad = _grads(sigmoid_focal_loss, x.to(dtype), y)
        ref, ref_grad = _grads(sigmoid_focal_loss, x.to(dtype).float(), y)
        assert out.dtype == torch.float32 and grad.dtype == dtype
        torch.testing.assert_close(out, ref)
        torch.testing.assert_close(grad, ref_grad.to(dtype))


@pytest.mark.slow
def test_first_call_in_a_fresh_process_does_not_stall():
    # No stall: a fresh process loads the kernels from numba's disk cache
    # (written by an earlier process, e.g. the tests above) and compiles none.
    # Checked through numba's cache statistics, not a timing (the machine is
    # shared); the first-call time itself is a figure of benchmarks/bench_losses.py.
    code = (
        "import torch\n"
        "from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss\n"
        "x = torch.randn(1 << 16, requires_grad=True)\n"
        "y = (torch.rand(1 << 16) < 0.1).float()\n"
        "sigmoid_focal_loss(x, y).backward()\n"
        "z = torch.randn(4096, 10, requires_grad=True)\n"
        "softmax_focal_loss(z, torch.randint(0, 10, (4096,))).backward()\n"
        "from rebalance.torch import _focal_numba as k, _focal_cpu as kern\n"
        "assert k.numba_path(x) and k.numba_path(z)\n"
        "for f in (kern.sigmoid_range, kern.softmax_range):\n"
        "    hits, misses = f.stats.cache_hits, f.stats.cache_misses\n"
        "    print(f.__name__, sum(hits.values()), sum(misses.values()))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for line in result.stdout.strip().splitlines()[-2:]:
        name, hits, misses = line.split()
        # Loaded from the cache, never compiled in this process.
        assert int(hits) >= 1 and int(misses) == 0, line


def test_kernel_math_helpers_are_accurate():
    from rebalance.torch import _focal_cpu as kern

    # The compiled helpers (exp_nonpos reads float bits through LLVM
    # intrinsics: it has no pure-Python form).
    t = np.concatenate([-np.logspace(-12, np.log10(745), 500), [0.0, -708.0]])
    exp = np.array([kern.exp_nonpos(v) for v in t])
    # Down to -708: ~1e-14 relative; below it 0 (the true value is < 1e-307).
    kept = t >= -708
    np.testing.assert_allclose(exp[kept], np.exp(t[kept]), rtol=1e-13)
    assert (exp[~kept] == 0).all()
    t32 = np.concatenate([-np.logspace(-8, np.log10(87), 500), [0.0, -87.0]])
    t32 = t32.astype(np.float32)
    exp32 = np.array([kern.exp32_nonpos(v) for v in t32])
    # float32 arithmetic: a few float32 roundings (eps 6e-8); 0 below -87.
    np.testing.assert_allclose(exp32, np.exp(t32.astype(np.float64)), rtol=4e-7)
    assert kern.exp32_nonpos(np.float32(-87.5)) == 0
    e = np.linspace(0, 1, 101)
    got = [kern._atanh_series(v / (2 + v)) for v in e]  # log1p(e), e in [0, 1]
    np.testing.assert_allclose(got, np.log1p(e), rtol=2e-12, atol=1e-300)
    a = np.logspace(-300, 0, 301)
    got = [kern.log_unit(v) for v in a]
    np.testing.assert_allclose(got, np.log(a), rtol=1e-11, atol=1e-12)
    got = [kern.one_minus_exp(v) for v in -np.logspace(-15, 2, 200)]
    np.testing.assert_allclose(got, -np.expm1(-np.logspace(-15, 2, 200)), rtol=1e-12)


@pytest.mark.parametrize(
    "row",
    [
        [1.5, -2.0, 3.25, 0.0],
        [-1.0, -3.5, -0.25],  # all negative: the flipped bit patterns
        [-0.0, -7.0],
        [5.0],
        [-np.inf, -np.inf],
        [np.inf, 1.0, -np.inf],
        [1.0, np.nan, 2.0],
        [1.0, -np.nan, 2.0],  # a NaN with its sign bit set
        [np.nan, np.inf],
        [1e-45, -1e-45, -3e38],  # subnormals and a large negative
        list(np.random.default_rng(0).standard_normal(1001) * 50),
    ],
)
def test_row_max_is_torch_amax(row):
    from rebalance.torch import _focal_cpu as kern

    values = np.array(row, dtype=np.float32)
    got = kern.row_max32(values)
    expected = torch.from_numpy(values).amax().item()
    assert np.isnan(got) == np.isnan(expected)
    if not np.isnan(expected):
        assert got == expected


def _child_loss(queue, x, y):
    # Only the loss runs in the child (torch's own OpenMP ops, e.g. randn, are
    # not fork-safe after the parent used them).
    queue.put(float(sigmoid_focal_loss(x, y)))


def test_a_forked_child_can_use_the_kernels_after_the_parent():
    import multiprocessing as mp

    # The parent has used the thread pool (several chunks): the child's copy
    # of it has no threads, so the child must start its own.
    x = torch.randn(300_000)
    y = (torch.rand(300_000) < 0.1).float()
    expected = float(sigmoid_focal_loss(x, y))
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_loss, args=(queue, x, y))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung in the focal loss")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == expected


def _sigmoid_range(x, y, wy, alpha, gamma, ignore, scale=1.0):
    from rebalance.torch import _focal_cpu as kern
    from rebalance.torch._focal_math import gamma_mode

    n = x.shape[0]
    grad = np.full(n, 7.0, np.float32)
    loss = np.full(n, 7.0, np.float32)
    sums = kern.sigmoid_range(
        x, y, wy, 0.0 if alpha is None else alpha, alpha is not None, gamma,
        gamma_mode(gamma), 0.0 if ignore is None else ignore, ignore is not None,
        scale, grad, loss, True, 0, n,
    )  # fmt: skip
    return sums, grad, loss


def _float64_loop(x, y, wy, alpha, gamma, ignore):
    # One soft target sends the range to the float64 loop: the same elements
    # computed there (the extra element's loss left out of the sums).
    sums, grad, loss = _sigmoid_range(
        np.append(x, np.float32(1.0)),
        np.append(y, np.float32(0.5)),
        np.append(wy, np.float32(0.5)),
        alpha,
        gamma,
        ignore,
    )
    return (sums[0] - loss[-1], sums[1], sums[2]), grad[:-1], loss[:-1]


@pytest.mark.parametrize("gamma", [0.0, 2.0])
@pytest.mark.parametrize("scale", [0.5, 4.0, 25.0])
def test_binary_target_float32_loop_matches_the_float64_loop(gamma, scale):
    # Targets 0/1 with gamma 0 or 2 and |logits| < 80 run in float32
    # arithmetic: element by element within a few float32 roundings of the
    # float64 loop on the same logits, ignored targets and weights.
    rng = np.random.default_rng(int(scale) + int(gamma))
    n = 6000
    x = np.clip(rng.standard_normal(n) * scale, -79.9, 79.9).astype(np.float32)
    x[:3] = [0.0, -0.0, 79.0]
    y = (rng.random(n) < 0.3).astype(np.float32)
    y[rng.random(n) < 0.1] = -1.0  # ignored
    wy = np.where(y == 1.0, rng.random(n) * 3 + 0.2, y).astype(np.float32)
    for alpha in (None, 0.25):
        (fl32, _, bad32), g32, l32 = _sigmoid_range(x, y, wy, alpha, gamma, -1.0)
        (fl64, _, bad64), g64, l64 = _float64_loop(x, y, wy, alpha, gamma, -1.0)
        assert bad32 == bad64 == 0
        for got, want in ((g32, g64), (l32, l64)):
            # A few float32 roundings; subnormal results to a few steps.
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-44)
            assert not np.array_equal(got, want)  # two loops really ran
        assert abs(fl32 - fl64) <= 1e-6 * abs(fl64)


@pytest.mark.parametrize(
    "special",
    [np.inf, -np.inf, np.nan, 80.0, -95.0, 1e4],
    ids=["inf", "-inf", "nan", "80", "-95", "1e4"],
)
def test_logits_the_float32_loop_does_not_hold_take_the_float64_loop(special):
    # exp(-|x|) of |x| >= 80 is near float32's subnormals (few significant
    # bits, then multiplied by pos_weight): such a range, and one with
    # non-finite logits, is computed as the float64 loop computes it.
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(300) * 3).astype(np.float32)
    x[7] = special
    y = (rng.random(300) < 0.5).astype(np.float32)
    wy = (y * 1e10).astype(np.float32)  # a large pos_weight
    for gamma in (0.0, 2.0):
        got = _sigmoid_range(x, y, wy, 0.25, gamma, None)
        want = _float64_loop(x, y, wy, 0.25, gamma, None)
        assert np.array_equal(got[1], want[1], equal_nan=True)
        assert np.array_equal(got[2], want[2], equal_nan=True)


def test_weights_the_float32_loop_does_not_hold_take_the_float64_loop():
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(300) * 3).astype(np.float32)
    y = (rng.random(300) < 0.5).astype(np.float32)
    for heavy in (1e30, np.inf, -2.0):
        wy = y.copy()
        wy[y == 1.0] = heavy
        got = _sigmoid_range(x, y, wy, None, 2.0, None)
        want = _float64_loop(x, y, wy, None, 2.0, None)
        assert np.array_equal(got[1], want[1], equal_nan=True)


def test_float32_loop_is_chosen_per_chunk_and_thread_count_free():
    # A chunk with one soft target runs in float64, the others in float32:
    # still identical for any thread count, and close to the float64 formula.
    from rebalance.torch import _focal_cpu as kern

    g = torch.Generator().manual_seed(11)
    n = 5 * kern.CHUNK + 17
    x = torch.randn(n, generator=g) * 3
    y = (torch.rand(n, generator=g) < 0.2).float()
    y[2 * kern.CHUNK + 5] = 0.3
    before = torch.get_num_threads()
    results = []
    try:
        for n_threads in (1, 2, 3):
            torch.set_num_threads(n_threads)
            results.append(_grads(sigmoid_focal_loss, x, y, reduction="none"))
    finally:
        torch.set_num_threads(before)
    for out, grad in results[1:]:
        assert torch.equal(out, results[0][0]) and torch.equal(grad, results[0][1])
    ref, ref_grad = _grads(
        _reference_sigmoid, x.double(), y, 0.25, 2.0, "none", None, None
    )
    torch.testing.assert_close(results[0][0].double(), ref, rtol=2e-6, atol=1e-30)
    torch.testing.assert_close(results[0][1].double(), ref_grad, rtol=2e-6, atol=1e-30)


def test_an_ignored_value_no_float32_holds_is_compared_in_float64():
    # The kernel compares each target with the ignored value in float64: a
    # float32 target 0.1 equals float32's 0.1 (0.100000001...), not 0.1. Its
    # callers hand it float32 or uint8 targets only (float64 ones as a float32
    # copy with the ignored entries marked: _kernel_targets), so it is called
    # with float32 ones here (no kernel signature compiled for this test).
    x = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
    y = np.array([1.0, 0.1, 0.0, 0.1], np.float32)
    (fl, _, bad), grad, loss = _sigmoid_range(x, y, y, None, 2.0, float(y[1]))
    assert bad == 0
    assert grad[1] == grad[3] == loss[1] == loss[3] == 0.0
    assert loss[0] > 0 and loss[2] > 0
    assert np.isclose(fl, loss[0] + loss[2], rtol=1e-6)
    (fl, _, bad), grad, loss = _sigmoid_range(x, y, y, None, 2.0, 0.1)
    assert bad == 0 and (loss > 0).all()  # nothing ignored: 0.1 is a soft label
    # Through the loss: float64 targets equal to 0.1 are ignored, exactly those.
    out = sigmoid_focal_loss(
        torch.from_numpy(x), torch.tensor([1.0, 0.1, 0.0, 0.1]), ignore_index=0.1,
        reduction="none",
    )  # fmt: skip
    assert out[1] == out[3] == 0.0 and out[0] > 0 and out[2] > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("n", [0, 7, 1 << 15, (1 << 15) + 3])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("ignore_index", [None, -1.0])
def test_host_reduced_loss_is_what_the_reduction_tail_gives(
    dtype, n, reduction, ignore_index
):
    """A loss the numba kernel reduced (not rescaled) is built from its host
    sums directly: the same loss, gradient and backward scale, bit for bit and
    dtype for dtype, as the general reduction tail, for one chunk and several."""
    from rebalance.torch import _focal_ops

    g = torch.Generator().manual_seed(n)
    x = (torch.randn(n, generator=g) * 3).to(dtype)
    y = (torch.rand(n, generator=g) < 0.2).float()
    if ignore_index is not None and n:
        y[::5] = ignore_index
    valid = None if ignore_index is None else y != ignore_index
    count = n if valid is None else int(valid.sum())
    scale = 1.0 / max(count, 1) if reduction == "mean" else 1.0
    args = (0.25, 2.0, ignore_index, reduction, False, True)
    got = _focal_ops.sigmoid_focal_forward(x, y, None, *args)
    _, fl, ce, grad = _focal_numba.sigmoid_focal_numba(
        x, y, None, 0.25, 2.0, ignore_index, valid, scale, False
    )
    fl_sum, ce_sum = torch.tensor([fl, ce], dtype=torch.float64).unbind()
    expected = _focal_ops._reduction_tail(
        x, None, fl_sum, ce_sum, grad, count, reduction, False, False
    )
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)
        assert a._base is None  # a custom op's outputs are no views
    reference = _reference_sigmoid(x, y, 0.25, 2.0, reduction, None, ignore_index)
    torch.testing.assert_close(got[0].double(), reference, rtol=1e-5, atol=1e-7)


def test_logits_with_an_odd_stride_on_a_size_one_dim_get_standard_outputs():
    # torch calls such logits contiguous; the kernel's output buffers are
    # made with the standard strides (the kernel writes through flat views).
    base = torch.randn(1, 9, generator=torch.Generator().manual_seed(3)) * 3
    x = base.as_strided((1, 5), (7, 1)).clone().as_strided((1, 5), (7, 1))
    assert x.is_contiguous() and x.stride() == (7, 1)
    y = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0]])
    out, grad = _grads(sigmoid_focal_loss, x, y, reduction="none")
    assert out.stride() == (5, 1)
    ref = _reference_sigmoid(x, y, 0.25, 2.0, "none", None, None)
    torch.testing.assert_close(out.double(), ref, rtol=1e-5, atol=1e-7)
    expected = _grads(sigmoid_focal_loss, x.contiguous().clone(), y, reduction="none")
    torch.testing.assert_close(grad, expected[1])
