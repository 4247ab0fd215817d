"""Every public loss and the tensor loaders on a GPU, against the same call on the CPU.

CI has no GPU, so this script is what checks the CUDA paths of
``rebalance.torch`` beyond the focal-loss benchmark's own checks
(``bench_losses.py --device cuda``): each public loss function and module,
forward and backward, in float32 and float64, compared with the CPU result;
targets, weights and priors on another device than the logits; the samplers
and loaders over CUDA tensors. It prints one line per check and ends with a
count of failures (exit status 1 when any failed)::

    python benchmarks/gpu_smoke.py            # needs a CUDA device
    python benchmarks/gpu_smoke.py --device cpu   # the script itself, here

On the CPU it compares the CPU with itself, which checks only that the script
runs.
"""

from __future__ import annotations

import argparse
import sys
import traceback

import torch

from rebalance import RandomUnderSampler
from rebalance.torch import (
    HardExampleSampler,
    IndexBatchSampler,
    OHEMLoss,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    TensorBatchLoader,
    losses,
)

FAILED: list[str] = []


def check(name, fn):
    try:
        msg = fn()
        print(f"ok    {name}{': ' + msg if msg else ''}")
    except Exception as exc:  # report and go on: one run must show every failure
        FAILED.append(name)
        print(f"FAIL  {name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        traceback.print_exc(limit=3, file=sys.stdout)


def rel(a, b):
    a, b = a.double().cpu(), b.double().cpu()
    return float((a - b).norm() / b.norm().clamp_min(1e-30))


def fwd_bwd(fn, x, *args, **kw):
    x = x.detach().clone().requires_grad_()
    out = fn(x, *args, **kw)
    out.backward(torch.ones_like(out))
    return out.detach(), x.grad


def moved(value, device):
    return value.to(device) if isinstance(value, torch.Tensor) else value


def compare(fn, x, args, kw, device, tol):
    """Same call on the CPU and on ``device``; relative errors of loss and grad."""
    lc, gc = fwd_bwd(fn, x, *args, **kw)
    dargs = [moved(a, device) for a in args]
    dkw = {k: moved(v, device) for k, v in kw.items()}
    ld, gd = fwd_bwd(fn, x.to(device), *dargs, **dkw)
    assert ld.device.type == torch.device(device).type, f"loss on {ld.device}"
    assert gd.device.type == torch.device(device).type, f"grad on {gd.device}"
    el, eg = rel(ld, lc), rel(gd, gc)
    assert torch.isfinite(ld).all() and torch.isfinite(gd).all(), "not finite"
    assert el <= tol and eg <= tol, f"loss {el:.1e} grad {eg:.1e} > {tol:.0e}"
    return f"loss {el:.1e} grad {eg:.1e}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    device = parser.parse_args().device
    if device == "cuda":
        print(torch.__version__, torch.cuda.get_device_name())
    g = torch.Generator().manual_seed(0)
    n, c = 4096, 7
    counts = [400, 200, 100, 50, 25, 12, 6]
    for dt, tol in ((torch.float32, 2e-5), (torch.float64, 1e-10)):
        x = torch.randn(n, c, generator=g, dtype=dt) * 3
        t = torch.randint(0, c, (n,), generator=g)
        t[:50] = -100
        xb = torch.randn(n, generator=g, dtype=dt) * 3
        yb = (torch.rand(n, generator=g) < 0.2).to(dt)
        ys = torch.rand(n, 3, generator=g, dtype=dt)
        xs = torch.randn(n, 3, generator=g, dtype=dt)
        cases = {
            "sigmoid_focal_loss": (losses.sigmoid_focal_loss, xb, (yb,), {}),
            "sigmoid_focal_loss soft/pos_weight/rescale/ignore": (
                losses.sigmoid_focal_loss,
                xs,
                (torch.where(ys < 0.1, -1.0, ys).to(dt),),
                dict(
                    pos_weight=torch.tensor([1.0, 2.0, 0.5], dtype=dt),
                    rescale=True,
                    ignore_index=-1,
                    gamma=0.5,
                ),
            ),
            "sigmoid_focal_loss none": (
                losses.sigmoid_focal_loss,
                xb,
                (yb,),
                dict(reduction="none"),
            ),
            "softmax_focal_loss": (losses.softmax_focal_loss, x, (t,), {}),
            "softmax_focal_loss alpha list/smoothing/rescale": (
                losses.softmax_focal_loss,
                x,
                (t,),
                dict(alpha=[0.1 * (i + 1) for i in range(c)], label_smoothing=0.1),
            ),
            "softmax_focal_loss tensor alpha sum (N,C,d)": (
                losses.softmax_focal_loss,
                x.reshape(64, 64, c).transpose(1, 2),
                (t.reshape(64, 64),),
                dict(alpha=torch.rand(c, generator=g, dtype=dt), reduction="sum"),
            ),
            "balanced_softmax_cross_entropy": (
                losses.balanced_softmax_cross_entropy,
                x,
                (t, counts),
                {},
            ),
            "class_scaled_cross_entropy": (
                losses.class_scaled_cross_entropy,
                x,
                (t,),
                dict(class_index=2, scale=3.0),
            ),
            "class_weighted_binary_cross_entropy": (
                losses.class_weighted_binary_cross_entropy,
                xb,
                (yb, [1.0, 4.0]),
                {},
            ),
            "class_weighted_cross_entropy": (
                losses.class_weighted_cross_entropy,
                x,
                (t, torch.arange(1.0, c + 1, dtype=dt)),
                dict(label_smoothing=0.05),
            ),
            "logit_adjusted_cross_entropy": (
                losses.logit_adjusted_cross_entropy,
                x,
                (t, [k / sum(counts) for k in counts]),
                dict(tau=0.7),
            ),
            "margin_cross_entropy": (losses.margin_cross_entropy, x, (t,), {}),
            "weighted_softmax_loss": (
                losses.weighted_softmax_loss,
                x,
                (t, 2.0, 1),
                {},
            ),
            "adjust_logits": (
                losses.adjust_logits,
                x,
                (torch.tensor(counts, dtype=dt) / sum(counts),),
                {},
            ),
        }
        for name, (fn, xx, args, kw) in cases.items():
            check(
                f"{name} {dt}",
                lambda fn=fn, xx=xx, args=args, kw=kw, tol=tol: compare(
                    fn, xx, args, kw, device, tol
                ),
            )

    if device != "cpu":
        x = torch.randn(64, 5, device=device)
        t = torch.randint(0, 5, (64,))

        def other_device(fn, *args, **kw):
            try:
                fn(*args, **kw)
            except (ValueError, TypeError, RuntimeError) as exc:
                return f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
            raise AssertionError("no error for a target on another device")

        check(
            "softmax_focal_loss CPU target refused",
            lambda: other_device(losses.softmax_focal_loss, x, t),
        )
        check(
            "sigmoid_focal_loss CPU target refused",
            lambda: other_device(losses.sigmoid_focal_loss, x[:, 0], (t == 1).float()),
        )
        check(
            "class_weighted_cross_entropy CPU target refused",
            lambda: other_device(losses.class_weighted_cross_entropy, x, t, [1.0] * 5),
        )

    if device != "cpu":

        def deferred_checks_reused():
            # The pinned buffers and events of finished checks are reused: a
            # bad call after many good ones must still raise, each time.
            from rebalance.torch import _focal_checks

            xs = torch.randn(64, 5, device=device, requires_grad=True)
            good = torch.randint(0, 5, (64,), device=device)
            bad = good.clone()
            bad[7] = 5
            raised = 0
            for round_ in range(6):
                for _ in range(5):
                    losses.softmax_focal_loss(xs, good).backward()
                    losses.sigmoid_focal_loss(xs[:, 0], (good == 1).float()).backward()
                loss = losses.softmax_focal_loss(xs, bad)
                assert torch.isnan(loss), f"round {round_}: loss {loss}"
                torch.cuda.synchronize()
                try:
                    loss.backward()
                except ValueError:
                    raised += 1
            assert raised == 6, f"raised {raised} of 6"
            torch.cuda.synchronize()
            _focal_checks.raise_deferred_target_errors(wait=True)
            pooled = sum(len(v) for v in _focal_checks._FREE.values())
            assert pooled >= 1, "no buffer pooled"
            return f"6 of 6 bad calls raised, {pooled} buffers pooled"

        check("deferred target checks with reused buffers", deferred_checks_reused)

    def modules():
        xm = torch.randn(256, 5, device=device, requires_grad=True)
        tm = torch.randint(0, 5, (256,), device=device)
        for mod in (
            SoftmaxFocalLoss(alpha=[0.2] * 5).to(device),
            OHEMLoss(top_k=0.5),
            OHEMLoss(SoftmaxFocalLoss(reduction="none"), threshold=0.1),
        ):
            loss = mod(xm, tm)
            loss.backward()
            assert loss.device == xm.device and torch.isfinite(loss), (mod, loss)
        xs = torch.randn(256, device=device, requires_grad=True)
        loss = SigmoidFocalLoss()(xs, (tm == 1).float())
        loss.backward()
        assert torch.isfinite(xs.grad).all()
        # half precision under autocast and OHEM in float16
        with torch.autocast(device_type=torch.device(device).type):
            lin = torch.nn.Linear(5, 5).to(device)
            loss = SoftmaxFocalLoss()(lin(xm.detach()), tm)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(lin.weight.grad).all()
        if device != "cpu":
            big = torch.full((70000,), 1.0, device=device, dtype=torch.float16)
            val = losses.ohem_loss(big, top_k=1.0, min_kept=1)
            assert abs(float(val) - 1.0) < 1e-3, val
        return None

    check("loss modules, autocast, OHEM", modules)

    def loaders():
        y = torch.tensor([0] * 900 + [1] * 100)
        X = torch.randn(1000, 4)
        Xd, yd = X.to(device), y.to(device)
        sampler = RebalanceSampler(yd, RandomUnderSampler(), seed=3)
        loader = TensorBatchLoader(Xd, yd, sampler=sampler, batch_size=64)
        seen = []
        for xb, yb in loader:
            assert xb.device.type == Xd.device.type and yb.device == yd.device
            seen.append(yb.cpu())
        got = torch.cat(seen).bincount().tolist()
        assert got == [100, 100], got
        # the same draw as with CPU labels
        ref = list(RebalanceSampler(y, RandomUnderSampler(), seed=3))
        fresh = RebalanceSampler(yd, RandomUnderSampler(), seed=3)
        assert list(fresh) == ref, "device labels drew other indices"
        batches = IndexBatchSampler(RebalanceSampler(yd, seed=1), 32)
        n = sum(len(b) for b in batches)
        hard = HardExampleSampler(RebalanceSampler(yd, seed=1), pool_size=50)
        idx = torch.arange(64, device=device)
        hard.update(idx, torch.rand(64, device=device))
        drawn = list(hard)
        assert len(drawn) == len(hard), (len(drawn), len(hard))
        return f"{n} indices in batches, {len(drawn)} hard-example draws"

    check("samplers and loaders over device tensors", loaders)
    print(f"\n{len(FAILED)} failed" + (f": {FAILED}" if FAILED else ""))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
