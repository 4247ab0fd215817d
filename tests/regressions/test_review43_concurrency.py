"""Review 43, concurrency: the focal losses called from several threads and
with torch's thread count changed between calls, the losses' chunk pool in a
forked child, and one sampler object shared by several threads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import rebalance
from rebalance import _gather, _indices

torch = pytest.importorskip("torch")
losses = pytest.importorskip("rebalance.torch.losses")


def _loss_cases():
    g = torch.Generator().manual_seed(0)
    n = 3 * (1 << 16) + 5  # several chunks: the pool runs
    x = torch.randn(n, generator=g)
    t = (torch.rand(n, generator=g) < 0.2).float()
    xs = torch.randn(700, 9, generator=g)
    ts = torch.randint(0, 9, (700,), generator=g)
    return [
        (losses.sigmoid_focal_loss, x, t, {}),
        (losses.sigmoid_focal_loss, x, t, {"reduction": "none", "gamma": 1.5}),
        (losses.softmax_focal_loss, xs, ts, {"reduction": "sum"}),
    ]


def _run_loss(case):
    function, x, t, options = case
    x = x.clone().requires_grad_()
    out = function(x, t, **options)
    out.sum().backward()
    return out.detach(), x.grad


# Threads sharing the losses' chunk pool, and torch's thread count (which
# sizes the pool) changed between calls: every result is the serial one.
def test_focal_losses_in_threads_give_the_serial_results():
    cases = _loss_cases()
    reference = [_run_loss(c) for c in cases]
    before = torch.get_num_threads()
    try:
        for threads in (1, 3, 2):
            torch.set_num_threads(threads)
            with ThreadPoolExecutor(4) as pool:
                got = list(pool.map(_run_loss, cases * 3))
            for k, (out, grad) in enumerate(got):
                ref_out, ref_grad = reference[k % len(cases)]
                assert torch.equal(out, ref_out) and torch.equal(grad, ref_grad)
    finally:
        torch.set_num_threads(before)


# A child forked after the parent's loss calls started the chunk pool (a
# DataLoader worker, multiprocessing's fork start method) gets a pool of its
# own and the parent's results. (torch's own intra-op threads hang after a
# fork unless the child sets torch.set_num_threads(1), as DataLoader workers
# do; the pool's size is forced to 2 in the child to still use the pool.)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.slow
def test_focal_losses_in_a_forked_child_give_the_parent_results():
    script = textwrap.dedent("""
    import os, torch
    from rebalance.torch.losses import sigmoid_focal_loss
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3 * (1 << 16) + 5, generator=g)
    t = (torch.rand(x.numel(), generator=g) < 0.2).float()
    def run():
        xx = x.clone().requires_grad_()
        out = sigmoid_focal_loss(xx, t)
        out.backward()
        return repr((out.item(), xx.grad.double().sum().item()))
    parent = run()
    pid = os.fork()
    if pid == 0:
        torch.set_num_threads(1)
        torch.get_num_threads = lambda: 2
        os._exit(0 if run() == parent else 3)
    print(parent, os.waitpid(pid, 0)[1])
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "0", out.stdout


# One sampler object shared by several threads (a GridSearchCV with the
# threading backend clones, user code may not): fit_resample returns the
# serial result in every thread.
@pytest.mark.parametrize(
    "sampler",
    [
        rebalance.RandomUnderSampler,
        rebalance.RandomOverSampler,
        rebalance.ClassBalancedSampler,
        rebalance.LabelShuffleSampler,
    ],
)
def test_a_shared_sampler_gives_the_serial_results(sampler, monkeypatch):
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "2")
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 64)
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 256)
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 256)
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=5000, p=[0.7, 0.2, 0.1])
    X = rng.random((5000, 3))
    shared = sampler(random_state=0)
    X_ref, y_ref = sampler(random_state=0).fit_resample(X, y)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: shared.fit_resample(X, y), range(8)))
    for X_res, y_res in got:
        np.testing.assert_array_equal(X_res, X_ref)
        np.testing.assert_array_equal(y_res, y_ref)
