"""fit_resample time and memory: rebalance vs imbalanced-learn vs the numpy floor.

Usage::

    python benchmarks/bench_samplers.py            # 2M and 10M rows x 8 float32
    python benchmarks/bench_samplers.py --quick    # 200k rows, a smoke run
    python benchmarks/bench_samplers.py --sizes 10000000 --repeat 7

Every figure is measured in this run on the same data (the machine is shared
and noisy): the cases of one sampler run interleaved (imbalanced-learn, the
floor, ours shuffled and unshuffled, each also with its rows gathered by
``np.take`` in one thread, as before ``rebalance._gather``
(``[np.take]``), then again), best of ``--repeat`` rounds. Each sampler ends
with a ``ratios`` line: shuffled / unshuffled time, imbalanced-learn / ours
shuffled, and the threaded gather's gain over ``np.take`` (``--frame``:
pandas X and y; ``--csr``: a CSR X; ``--fortran``: a Fortran-ordered numpy
X, as ``df.to_numpy()`` gives). The numpy floor is the bare
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
import pandas as pd
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

from rebalance import RandomOverSampler, RandomUnderSampler, _gather

IMBALANCE = 11.5  # the seed's sentiment data: 1 positive per 11.5 negatives


def make_data(n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 8), dtype=np.float32)
    y = (rng.random(n_rows) < 1 / (1 + IMBALANCE)).astype(np.int64)
    return X, y


def interleaved_best(cases: dict, repeat: int) -> dict:
    """Best time of every case, the cases run in turn ``repeat`` times (so that
    a noisy spell of a shared machine hits them all alike)."""
    times = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def numpy_gather(fn, enabled: bool):
    """``fn`` with large row gathers left to ``np.take`` / ``iloc`` (as before
    the threaded gather) when ``enabled``."""

    def run():
        saved = _gather.GATHER_ABOVE
        _gather.GATHER_ABOVE = 1 << 62 if enabled else saved
        try:
            return fn()
        finally:
            _gather.GATHER_ABOVE = saved

    return run


def rows_of(data, idx):
    """The floor's gather: ``np.take`` for arrays, ``iloc`` for pandas, scipy's
    row indexing for sparse matrices."""
    if isinstance(data, np.ndarray):
        return np.take(data, idx, axis=0)
    if sp.issparse(data):
        return data[idx]
    return data.iloc[idx].reset_index(drop=True)


def nbytes(data) -> int:
    if isinstance(data, pd.DataFrame):
        return int(data.memory_usage(index=False).sum())
    if sp.issparse(data):
        return int(data.data.nbytes + data.indices.nbytes + data.indptr.nbytes)
    return int(data.nbytes)


def floor_under(X, y, rng):
    minority = np.flatnonzero(y == 1)
    majority = np.flatnonzero(y == 0)
    keep = rng.choice(majority, size=minority.shape[0], replace=False)
    idx = np.concatenate([minority, keep])
    return rows_of(X, idx), rows_of(y, idx)


def floor_over(X, y, rng):
    minority = np.flatnonzero(y == 1)
    n_add = (y.shape[0] - minority.shape[0]) - minority.shape[0]
    extra = rng.choice(minority, size=n_add, replace=True)
    idx = np.concatenate([np.arange(y.shape[0]), extra])
    return rows_of(X, idx), rows_of(y, idx)


def peak_extra_memory(fn) -> tuple[int, int]:
    """(peak bytes allocated during fn, bytes of the arrays it returns)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base, sum(nbytes(a) for a in out)


def run_size(n: int, repeat: int, frame: bool, csr: bool, fortran: bool) -> None:
    X, y = make_data(n)
    if fortran:  # columns apart, as df.to_numpy() of a pandas 3 frame
        X = np.asfortranarray(X)
    if csr:  # 30% of the entries kept, as a CSR matrix
        X = sp.csr_matrix(np.where(X > 0.52, X, np.float32(0)))
    if frame:
        X = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
        y = pd.Series(y, name="label")
    cases = [
        ("RandomUnderSampler", ImbUnder, RandomUnderSampler, floor_under),
        ("RandomOverSampler", ImbOver, RandomOverSampler, floor_over),
    ]
    for name, imb_cls, our_cls, floor in cases:
        shuffled = our_cls(random_state=0)
        unshuffled = our_cls(shuffle=False, random_state=0)
        rng = np.random.default_rng(0)
        ours = {
            "shuffle=True": partial(shuffled.fit_resample, X, y),
            "shuffle=True[np.take]": numpy_gather(
                partial(shuffled.fit_resample, X, y), True
            ),
            "shuffle=False": partial(unshuffled.fit_resample, X, y),
            "shuffle=False[np.take]": numpy_gather(
                partial(unshuffled.fit_resample, X, y), True
            ),
        }
        for fn in ours.values():
            fn()  # compile, fault the pages in
        best = interleaved_best(
            {
                "imblearn": partial(imb_cls(random_state=0).fit_resample, X, y),
                "floor": partial(floor, X, y, rng),
                **ours,
            },
            repeat,
        )
        t_imb, t_floor = best["imblearn"], best["floor"]
        for case, fn in ours.items():
            t_ours = best[case]
            peak, out_bytes = peak_extra_memory(fn)
            kind = " df" if frame else " csr" if csr else " F" if fortran else ""
            label = f"{name[6:]}({case}){kind}"
            print(
                f"{label:<40}{n:>12,}{t_imb:>12.3f}{t_ours:>10.3f}{t_floor:>10.3f}"
                f"{t_imb / t_ours:>9.1f}x{t_ours / t_floor:>11.2f}x"
                f"{peak / out_bytes:>8.2f}x",
                flush=True,
            )
        t_off = best["shuffle=False"]
        print(
            f"  ratios {name[6:]} at {n:,}: shuffled/unshuffled "
            f"{best['shuffle=True'] / t_off:.2f}; "
            f"imblearn/ours shuffled {t_imb / best['shuffle=True']:.1f}x; "
            "speed-up of the threaded gather over np.take: shuffled "
            f"{best['shuffle=True[np.take]'] / best['shuffle=True']:.2f}x, unshuffled "
            f"{best['shuffle=False[np.take]'] / t_off:.2f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k rows only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--frame",
        action="store_true",
        help="X a pandas DataFrame of 8 float32 columns, y a Series (floor: iloc)",
    )
    parser.add_argument(
        "--csr", action="store_true", help="X a CSR matrix (30%% of entries kept)"
    )
    parser.add_argument(
        "--fortran",
        action="store_true",
        help="X a Fortran-ordered numpy array (columns apart, as df.to_numpy())",
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="rows (default 2M 10M)")
    args = parser.parse_args()
    sizes = args.sizes or ([200_000] if args.quick else [2_000_000, 10_000_000])

    header = (
        f"{'case':<40}{'n':>12}{'imblearn s':>12}{'ours s':>10}{'floor s':>10}"
        f"{'imb/ours':>10}{'ours/floor':>12}{'mem/out':>9}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        run_size(n, args.repeat, args.frame, args.csr, args.fortran)
    print(
        "\nimb/ours: how many times faster than imbalanced-learn (target >= 5 at 10M);"
        "\nours/floor: time over the bare numpy floor, which does not shuffle"
        " (target <= 1.5; shuffle=False is the like-for-like row);"
        "\nratios: shuffled / unshuffled (target <= 1.3 at 10M, both samplers);"
        "\nmem/out: peak extra memory of our fit_resample over the size of its"
        " output arrays (target <= 1.2)."
    )


if __name__ == "__main__":
    main()
