"""Torch sampler throughput and memory: RebalanceSampler vs WeightedRandomSampler.

Usage::

    python benchmarks/bench_torch_samplers.py            # 1e6, 1e7; 2**24+1, 1e8
    python benchmarks/bench_torch_samplers.py --quick    # 1e5, 1e6; 2**24+1

Labels are 1:11.5 (the seed's sentiment data), int64 as a dataset's targets.
Every ratio is against ``WeightedRandomSampler`` (inverse-frequency weights,
``num_samples=len(labels)``) timed in the same run on the same labels (the
machine is shared and noisy). Two parts, as SPEC section 7 defines them:

* *Draw*: one epoch's indices as an array, best of 3 after a warm-up (which
  compiles our kernels, or loads them from numba's disk cache). Ours: the
  estimator's index generator (``plan.draw``, what ``RebalanceSampler`` runs
  every epoch); theirs: the ``torch.multinomial`` call
  ``WeightedRandomSampler`` makes.
* *End to end*: ``for i in sampler`` over a whole epoch.

Epochs differ in length (label shuffle yields ``n_classes * n_majority``
indices), so the ratios are of throughput (indices per second); per-epoch
times are printed too. The large cases (where ``WeightedRandomSampler`` cannot
run) each run in a fresh subprocess, whose peak RSS above its baseline (the
labels already in memory) is read from ``/proc/self/status`` after resetting
the peak (``resource.getrusage`` where that is not available).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import torch
from torch.utils.data import WeightedRandomSampler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance._indices import n_threads
from rebalance.torch import BalancedBatchSampler, RebalanceSampler

IMBALANCE = 11.5
ESTIMATORS = {
    "LabelShuffleSampler": LabelShuffleSampler,
    "RandomUnderSampler": RandomUnderSampler,
    "RandomOverSampler": RandomOverSampler,
    "ClassBalancedSampler": ClassBalancedSampler,
}


def make_labels(n: int, seed: int = 0) -> np.ndarray:
    """1:11.5 int64 labels, generated in blocks (no n-sized float temporary)."""
    rng = np.random.default_rng(seed)
    labels = np.empty(n, dtype=np.int64)
    block = 1 << 22
    for start in range(0, n, block):
        stop = min(start + block, n)
        labels[start:stop] = rng.random(stop - start) < 1 / (1 + IMBALANCE)
    return labels


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(fn, repeats: int = 3) -> tuple[float, object]:
    """Fastest of ``repeats`` calls (the machine is shared and noisy)."""
    runs = [timed(fn) for _ in range(repeats)]
    return min(run[0] for run in runs), runs[-1][1]


def warm_up() -> None:
    """Compile (or load from numba's disk cache) every draw kernel once.

    Both sides are warmed: ours compiles on the first draw of each index
    dtype, torch initialises its generator on the first multinomial call.
    """
    labels = make_labels(200_000)
    torch.multinomial(torch.ones(10, dtype=torch.double), 10, True)
    for estimator in ESTIMATORS.values():
        for compact in (True, False):
            plan = estimator().plan(labels, compact=compact)
            plan.draw(np.random.default_rng(0))
            plan.labels.grouped_rows()
            plan.draw(np.random.default_rng(0))


def iterate(sampler) -> int:
    count = 0
    for _ in sampler:
        count += 1
    return count


def weighted_sampler(labels: np.ndarray, seed: int = 0):
    weights = torch.as_tensor(1.0 / np.bincount(labels)[labels], dtype=torch.double)
    generator = torch.Generator().manual_seed(seed)
    sampler = WeightedRandomSampler(weights, len(labels), generator=generator)
    return sampler, weights, generator


def rate(n_indices: int, seconds: float) -> float:
    return n_indices / seconds / 1e6


def one_thread(fn):
    """``fn()`` with the draw kernels on one thread (the default uses all CPUs)."""
    saved = os.environ.get("REBALANCE_NUM_THREADS")
    os.environ["REBALANCE_NUM_THREADS"] = "1"
    try:
        return fn()
    finally:
        if saved is None:
            del os.environ["REBALANCE_NUM_THREADS"]
        else:
            os.environ["REBALANCE_NUM_THREADS"] = saved


def compare(n: int) -> None:
    labels = make_labels(n)
    baseline, weights, generator = weighted_sampler(labels)
    draw_s, _ = best_of(
        lambda: torch.multinomial(weights, n, True, generator=generator)
    )
    loop_s, _ = timed(lambda: iterate(baseline))
    wrs_draw, wrs_loop = rate(n, draw_s), rate(n, loop_s)
    print(f"\n{n:,} labels (1:{IMBALANCE})")
    header = (
        f"{'sampler':<26}{'indices':>12}{'draw s':>9}{'Midx/s':>8}{'ratio':>8}"
        f"{'1 thr':>8}{'loop s':>9}{'Midx/s':>8}{'ratio':>8}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'WeightedRandomSampler':<26}{n:>12,}{draw_s:>9.3f}{wrs_draw:>8.1f}"
        f"{1:>7.1f}x{1:>7.1f}x{loop_s:>9.3f}{wrs_loop:>8.1f}{1:>7.1f}x"
    )
    for name, estimator in ESTIMATORS.items():
        sampler = RebalanceSampler(labels, estimator(), seed=0)
        draw_s, draw = best_of(lambda s=sampler: s.plan.draw(np.random.default_rng(1)))
        single_s, single = one_thread(
            lambda s=sampler: best_of(lambda: s.plan.draw(np.random.default_rng(1)))
        )
        assert np.array_equal(draw, single)  # same draw whatever the threads
        loop_s, count = timed(lambda s=sampler: iterate(s))
        assert count == len(draw) == len(sampler)
        ours_draw, ours_loop = rate(count, draw_s), rate(count, loop_s)
        print(
            f"{name:<26}{count:>12,}{draw_s:>9.3f}{ours_draw:>8.1f}"
            f"{ours_draw / wrs_draw:>7.1f}x{rate(count, single_s) / wrs_draw:>7.1f}x"
            f"{loop_s:>9.3f}{ours_loop:>8.1f}{ours_loop / wrs_loop:>7.1f}x"
        )


def majority_coverage(n: int) -> None:
    labels = make_labels(n)
    majority = labels == 0
    n_majority = int(majority.sum())

    def fraction(indices: np.ndarray) -> float:
        seen = np.zeros(n, dtype=bool)
        seen[indices] = True
        return float((seen & majority).sum() / n_majority)

    _, weights, generator = weighted_sampler(labels)
    wrs = torch.multinomial(weights, n, True, generator=generator).numpy()
    shuffle = np.fromiter(RebalanceSampler(labels), dtype=np.int64)
    batches = BalancedBatchSampler(labels, 32)
    balanced = np.fromiter((i for b in batches for i in b), dtype=np.int64)
    print(f"\nDistinct majority rows visited in one epoch ({n:,} labels, 1:11.5)")
    print(f"  WeightedRandomSampler       {fraction(wrs):.3f}")
    print(f"  LabelShuffleSampler         {fraction(shuffle):.3f}")
    print(f"  BalancedBatchSampler(32)    {fraction(balanced):.3f}")


def reset_peak_rss() -> int:
    """Current RSS in KiB, after resetting the peak to it where Linux allows."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmRSS"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss() -> int:
    """Peak RSS in KiB since :func:`reset_peak_rss`."""
    try:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def large_case(n: int, name: str) -> dict:
    """Run in a subprocess: build, draw and iterate one epoch; peak memory."""
    warm_up()
    labels = make_labels(n)
    base_kib = reset_peak_rss()
    build_s, sampler = timed(lambda: RebalanceSampler(labels, ESTIMATORS[name]()))
    draw_s, draw = timed(lambda: sampler.plan.draw(np.random.default_rng(1)))
    dtype = str(draw.dtype)
    del draw
    loop_s, count = timed(lambda: iterate(sampler))
    peak_kib = peak_rss()
    return {
        "n": n,
        "name": name,
        "indices": count,
        "dtype": dtype,
        "build_s": build_s,
        "draw_s": draw_s,
        "loop_s": loop_s,
        "extra_gib": (peak_kib - base_kib) / 2**20,
        "labels_gib": labels.nbytes / 2**30,
    }


def large(n: int, names: list[str]) -> None:
    try:
        weights = torch.ones(n, dtype=torch.double)
        torch.multinomial(weights, 1, True)
        wrs = "runs"
    except RuntimeError as exc:
        wrs = f"raises: {str(exc).splitlines()[0]}"
    print(f"\n{n:,} labels — WeightedRandomSampler {wrs}")
    header = (
        f"{'sampler':<22}{'indices':>13}{'dtype':>7}{'build s':>9}{'draw s':>9}"
        f"{'Midx/s':>8}{'loop s':>9}{'Midx/s':>8}{'extra GiB':>11}"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--large-case", str(n), name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{name:<22}{r['indices']:>13,}{r['dtype']:>7}{r['build_s']:>9.2f}"
            f"{r['draw_s']:>9.2f}{rate(r['indices'], r['draw_s']):>8.1f}"
            f"{r['loop_s']:>9.2f}{rate(r['indices'], r['loop_s']):>8.1f}"
            f"{r['extra_gib']:>11.2f}"
        )
    print(f"  (labels themselves: {r['labels_gib']:.2f} GiB int64, not counted)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--large-case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_case:
        print(json.dumps(large_case(int(args.large_case[0]), args.large_case[1])))
        return
    sizes = [10**5, 10**6] if args.quick else [10**6, 10**7]
    print(
        "RebalanceSampler vs WeightedRandomSampler: throughput ratio in "
        "indices/s (higher is better)"
    )
    print(
        f"draws on {n_threads()} threads (REBALANCE_NUM_THREADS); '1 thr': "
        "the same draw on one thread; torch threads: "
        f"{torch.get_num_threads()}"
    )
    warm_up()
    for n in sizes:
        compare(n)
    majority_coverage(sizes[-1])
    large(2**24 + 1, list(ESTIMATORS))
    if not args.quick:
        large(10**8, ["LabelShuffleSampler", "RandomUnderSampler"])


if __name__ == "__main__":
    main()
