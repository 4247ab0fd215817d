"""Review 121 (kernels5): white-box checks of the compiled numba kernels
(``rebalance._kernels``, ``rebalance._gather_kernels``, the focal-loss
kernels in ``rebalance.torch._focal_cpu``) reached through the public API:
extreme row counts (2**31, 2**62, 2**63) give ValueErrors in a subprocess
that must not die on a signal, the gathers agree byte for byte with numpy and
scipy for odd dtypes, layouts and index dtypes, samplers and focal losses give
identical results for 1, 2 and 3 threads, and unsigned 64-bit class targets
are not wrapped into ``ignore_index``.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _gather,
    _indices,
)

_EXTREME = r"""
import numpy as np
from rebalance import ClassBalancedSampler, RandomOverSampler, RandomUnderSampler
X = np.arange(12.0).reshape(6, 2)
y = np.array([0, 1, 1, 1, 1, 1])
cases = [
    lambda: RandomOverSampler(sampling_strategy={0: 2**31}).fit_resample(X, y),
    lambda: RandomOverSampler(sampling_strategy={0: 2**62}).fit_resample(X, y),
    lambda: RandomOverSampler(sampling_strategy={0: 2**63}).fit_resample(X, y),
    lambda: RandomUnderSampler(sampling_strategy={0: -1}).fit_resample(X, y),
    lambda: ClassBalancedSampler(n_samples=2**63).fit_resample(X, y),
    lambda: ClassBalancedSampler(n_samples=np.uint64(2**63 + 5)).fit_resample(X, y),
]
for case in cases:
    try:
        case()
    except ValueError:
        pass
    else:
        raise SystemExit(3)
print("ok")
"""


def _resample_all(X, Xs, y):
    import pandas as pd

    out = []
    for sampler in (
        RandomOverSampler(random_state=1),
        RandomUnderSampler(random_state=1),
        ClassBalancedSampler(n_samples=3000, random_state=1),
        LabelShuffleSampler(random_state=1),
    ):
        Xr, yr = sampler.fit_resample(X, y)
        out.append((Xr, yr))
        Xr, yr = sampler.fit_resample(Xs, y)
        out.append((Xr.toarray(), yr))
        Xr, yr = sampler.fit_resample(pd.DataFrame(X), pd.Series(y))
        out.append((Xr.to_numpy(), yr.to_numpy()))
    return out


def test_samplers_identical_for_1_2_3_threads(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    # the parallel paths (draws, gathers, CSR copies) for a small input
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 64)
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 64)
    rng = np.random.default_rng(0)
    n = 2000
    y = rng.choice([0, 1, 2], size=n, p=[0.8, 0.15, 0.05])
    X = rng.normal(size=(n, 3))
    Xs = sp.random(n, 7, density=0.3, format="csr", random_state=0)
    results = {}
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        results[threads] = _resample_all(X, Xs, y)
    for threads in ("2", "3"):
        for (xa, ya), (xb, yb) in zip(results["1"], results[threads]):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize("threads", ["1", "3"])
def test_take_array_and_csr_match_numpy_scipy(monkeypatch, threads):
    sp = pytest.importorskip("scipy.sparse")
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 16)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 8)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
    rng = np.random.default_rng(1)
    taken = 0
    for trial in range(80):
        n = int(rng.integers(1, 200))
        m = int(rng.integers(1, 5))
        dt = ["f8", "f4", "f2", "i1", "?", "c8", "c16", ">f8", ">i4", "U3"][trial % 10]
        data = (rng.normal(size=(n, m)) * 100).astype(dt)
        layout = trial % 3
        if layout == 1:
            data = np.asfortranarray(data)
        elif layout == 2:
            data = data[::-1]
        data.flags.writeable = bool(trial % 4)
        rows = rng.integers(0, n, size=int(rng.integers(1, 3 * n + 2)))
        rows = rows.astype(["i8", "i4", "u4", "u8", ">i8"][trial % 5])
        ref = np.take(data, rows.astype(np.intp), axis=0)
        got = _gather.take_array(data, rows)
        if got is not None:
            taken += 1
            assert got.dtype == ref.dtype and got.shape == ref.shape
            assert (got.view(np.uint8) == ref.view(np.uint8)).all()
        if dt in ("f8", "f4", "i1", "?", "c8", "c16"):
            X = sp.random(n, m, density=0.5, format="csr", random_state=trial)
            X.data = X.data.astype(dt)
            if trial % 2:
                X.indices = X.indices.astype(np.int64)
                X.indptr = X.indptr.astype(np.int64)
            got = _gather.take_csr(X, rows)
            if got is not None:
                taken += 1
                want = X[rows.astype(np.intp)]
                assert got.dtype == want.dtype and got.shape == want.shape
                assert (got != want).nnz == 0
    assert taken > 40  # the compiled paths ran


def test_take_csr_out_of_range_rows_left_to_scipy(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 16)
    X = sp.random(50, 4, density=0.5, format="csr", random_state=0)
    assert _gather.take_csr(X, np.array([0, 50] * 20)) is None
    assert _gather.take_csr(X, np.array([0, -51] * 20)) is None
    assert _gather.take_array(X.toarray(), np.array([0, 50] * 20)) is None


def test_focal_losses_identical_for_1_2_3_threads(monkeypatch):
    torch = pytest.importorskip("torch")
    from rebalance.torch import _focal_cpu as kern
    from rebalance.torch.losses import sigmoid_focal_loss, softmax_focal_loss

    monkeypatch.setattr(kern, "SOFTMAX_PARALLEL_ABOVE", 1000)
    monkeypatch.setattr(kern, "SIGMOID_PARALLEL_ABOVE", 1000)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(80_000, generator=g)
    y = (torch.rand(80_000, generator=g) > 0.7).float()
    xs = torch.randn(8_000, 10, generator=g)
    ys = torch.randint(0, 10, (8_000,), generator=g)
    before = torch.get_num_threads()
    results = {}
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            a = x.clone().requires_grad_()
            loss1 = sigmoid_focal_loss(a, y)
            loss1.backward()
            b = xs.clone().requires_grad_()
            loss2 = softmax_focal_loss(b, ys)
            loss2.backward()
            results[threads] = (loss1.detach(), a.grad, loss2.detach(), b.grad)
    finally:
        torch.set_num_threads(before)
    for threads in (2, 3):
        for p, q in zip(results[1], results[threads]):
            assert torch.equal(p, q)


@pytest.mark.parametrize("dtype", ["uint8", "int16", "int32", "uint32", "uint64"])
def test_softmax_focal_gamma0_matches_cross_entropy_any_int_dtype(dtype):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from rebalance.torch.losses import softmax_focal_loss

    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([0, 1, 2, 0, 2, 1])
    ref = F.cross_entropy(x, t, reduction="none")
    got = softmax_focal_loss(
        x, t.to(getattr(torch, dtype)), gamma=0.0, reduction="none"
    )
    torch.testing.assert_close(got, ref)


def test_softmax_focal_uint64_target_not_wrapped_into_ignore_index():
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import softmax_focal_loss

    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    # 18446744073709551516 is not a class of 3 and is not ignore_index=-100
    t = torch.tensor([0, 1, 2, -100], dtype=torch.int64).view(torch.uint64)
    with pytest.raises(ValueError, match="target"):
        softmax_focal_loss(x, t, gamma=2.0, reduction="none")


def test_extreme_counts_raise_value_error_in_subprocess():
    # (Started here, not at collection: every pytest-xdist worker collects
    # every module.)
    done = subprocess.run(
        [sys.executable, "-c", _EXTREME],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, REBALANCE_NUM_THREADS="1"),
    )
    out, err = done.stdout, done.stderr
    # a negative return code is a signal (a kernel given an unchecked size)
    assert done.returncode == 0, (done.returncode, err[-2000:])
    assert out.strip() == "ok"
