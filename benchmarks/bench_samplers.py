"""fit_resample time and memory: rebalance vs imbalanced-learn vs the numpy floor.

Usage::

    python benchmarks/bench_samplers.py            # 2M and 10M rows x 8 float32
    python benchmarks/bench_samplers.py --quick    # 200k rows, a smoke run

Every figure is measured in this run on the same data (the machine is shared
and noisy): best of ``--repeat`` runs. The numpy floor is the bare
``flatnonzero`` + ``choice`` + gather (``np.take``, numpy's fastest row gather)
that produces the same output, unshuffled.
Peak extra memory of our ``fit_resample`` is measured with ``tracemalloc`` and
compared with the size of the arrays it returns.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from functools import partial

import numpy as np
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

from rebalance import RandomOverSampler, RandomUnderSampler

IMBALANCE = 11.5  # the seed's sentiment data: 1 positive per 11.5 negatives


def make_data(n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 8), dtype=np.float32)
    y = (rng.random(n_rows) < 1 / (1 + IMBALANCE)).astype(np.int64)
    return X, y


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def floor_under(X, y, rng):
    minority = np.flatnonzero(y == 1)
    majority = np.flatnonzero(y == 0)
    keep = rng.choice(majority, size=minority.shape[0], replace=False)
    idx = np.concatenate([minority, keep])
    return np.take(X, idx, axis=0), np.take(y, idx)


def floor_over(X, y, rng):
    minority = np.flatnonzero(y == 1)
    n_add = (y.shape[0] - minority.shape[0]) - minority.shape[0]
    extra = rng.choice(minority, size=n_add, replace=True)
    idx = np.concatenate([np.arange(y.shape[0]), extra])
    return np.take(X, idx, axis=0), np.take(y, idx)


def peak_extra_memory(fn) -> tuple[int, int]:
    """(peak bytes allocated during fn, bytes of the arrays it returns)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base, sum(a.nbytes for a in out)


def run_size(n: int, repeat: int) -> None:
    X, y = make_data(n)
    cases = [
        ("RandomUnderSampler", ImbUnder, RandomUnderSampler, floor_under),
        ("RandomOverSampler", ImbOver, RandomOverSampler, floor_over),
    ]
    for name, imb_cls, our_cls, floor in cases:
        imb = imb_cls(random_state=0)
        t_imb = best_time(partial(imb.fit_resample, X, y), repeat)
        rng = np.random.default_rng(0)
        t_floor = best_time(partial(floor, X, y, rng), repeat)
        for shuffle in (True, False):
            ours = our_cls(shuffle=shuffle, random_state=0)
            t_ours = best_time(partial(ours.fit_resample, X, y), repeat)
            peak, out_bytes = peak_extra_memory(partial(ours.fit_resample, X, y))
            label = f"{name[6:]}(shuffle={shuffle})"
            print(
                f"{label:<28}{n:>12,}{t_imb:>12.3f}{t_ours:>10.3f}{t_floor:>10.3f}"
                f"{t_imb / t_ours:>9.1f}x{t_ours / t_floor:>11.2f}x"
                f"{peak / out_bytes:>8.2f}x",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k rows only")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [200_000] if args.quick else [2_000_000, 10_000_000]

    header = (
        f"{'case':<28}{'n':>12}{'imblearn s':>12}{'ours s':>10}{'floor s':>10}"
        f"{'imb/ours':>10}{'ours/floor':>12}{'mem/out':>9}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        run_size(n, args.repeat)
    print(
        "\nimb/ours: how many times faster than imbalanced-learn (target >= 5 at 10M);"
        "\nours/floor: time over the bare numpy floor, which does not shuffle"
        " (target <= 1.5; shuffle=False is the like-for-like row);"
        "\nmem/out: peak extra memory of our fit_resample over the size of its"
        " output arrays (target <= 1.2)."
    )


if __name__ == "__main__":
    main()
