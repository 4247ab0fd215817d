"""fit_resample time over many classes (a long tail): rebalance vs imbalanced-learn.

Usage::

    python benchmarks/bench_many_classes.py          # 1M rows, 2 to 70,000 classes
    python benchmarks/bench_many_classes.py --quick  # 20k rows, a smoke run
    python benchmarks/bench_many_classes.py --classes 2 1000 --repeat 5

X is ``--rows`` x 8 float32; y draws its class uniformly from ``--classes``
classes. Every figure is measured in this run, the cases of one class count
interleaved, best of ``--repeat`` rounds. ``ours/2 classes`` is the time over
the same sampler's time with 2 classes: how much the number of classes
costs (target: close to 1; the gathered rows differ in number, so over- and
label-shuffle sampling grow with the output). imbalanced-learn loops over
the classes in Python: it is timed up to ``--imblearn-up-to`` classes.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_samplers import interleaved_best  # noqa: E402

from rebalance import LabelShuffleSampler, RandomOverSampler, RandomUnderSampler  # noqa: E402

SAMPLERS = {
    "RandomUnderSampler": (RandomUnderSampler, ImbUnder),
    "RandomOverSampler": (RandomOverSampler, ImbOver),
    "LabelShuffleSampler": (LabelShuffleSampler, None),
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--classes", type=int, nargs="+", default=[2, 1000, 10_000, 70_000]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--imblearn-up-to", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="20k rows, a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.classes, args.repeat = 20_000, [2, 500], 1
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.rows, 8), dtype=np.float32)
    base: dict[str, float] = {}
    print(
        f"{'sampler':22s} {'classes':>8s} {'rows out':>11s} {'ours s':>8s} "
        f"{'imblearn s':>10s} {'imb/ours':>8s} {'ours/2 classes':>14s}"
    )
    for n_classes in sorted(args.classes):
        y = rng.integers(0, n_classes, args.rows)
        for name, (ours, theirs) in SAMPLERS.items():
            sampler = ours(random_state=0)
            n_out = sampler.fit_resample(X, y)[1].shape[0]  # compile, fault pages
            cases = {"ours": partial(sampler.fit_resample, X, y)}
            if theirs is not None and n_classes <= args.imblearn_up_to:
                cases["imblearn"] = partial(theirs(random_state=0).fit_resample, X, y)
            best = interleaved_best(cases, args.repeat)
            base.setdefault(name, best["ours"])
            imb = best.get("imblearn")
            print(
                f"{name:22s} {n_classes:8,d} {n_out:11,d} {best['ours']:8.3f} "
                + (
                    f"{imb:10.3f} {imb / best['ours']:7.1f}x"
                    if imb
                    else f"{'-':>10s} {'-':>8s}"
                )
                + f" {best['ours'] / base[name]:13.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
