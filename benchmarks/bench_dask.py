"""Out-of-core resampling with Dask: time and driver memory, against in memory.

Usage::

    python benchmarks/bench_dask.py            # 50M x 8 float32 on disk, 10M compare
    python benchmarks/bench_dask.py --quick    # 2M rows, 1M compare: a smoke run
    python benchmarks/bench_dask.py --rows 20_000_000
    python benchmarks/bench_dask.py --layouts sorted   # class-sorted store only

The data (features float32, labels int8, 1 positive per 11.5 negatives) is
written as one ``.npy`` file per chunk of ``--chunk-rows`` rows in a
temporary folder (``--dir``, default the system's temp folder), removed at the
end; the labels in random order (``random``) or sorted by class as when
per-class files are concatenated (``sorted``: every positive in the last
chunks). Each Dask case is ``fit_resample`` on Dask arrays reading those files
plus computing the resampled rows chunk by chunk (their column sums and the
positive share of each output chunk, so that the rows need not fit in
memory), on the default threaded scheduler. Peak resident memory (RSS) of
this, the driver, process is sampled by a thread every 5 ms; "above base"
subtracts the RSS before the case. "mix spread" is how far the output
chunks' positive shares stray from the overall share, in points: the largest
deviation and the standard deviation across chunks (shuffled output must mix
the classes into every chunk even when the store is sorted by class).

The throughput ratio is measured in the same run on the same data at
``--compare-rows`` rows: the Dask case from disk against ``fit_resample`` on
numpy arrays already in memory followed by the same sums (best of
``--repeat``). Targets (issue 8): peak driver RSS <= 2 GiB at 50M rows
(1.6 GB of features), Dask time <= 3x the in-memory time at 10M rows.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import dask
import dask.array as da
import numpy as np
import psutil

from rebalance import LabelShuffleSampler, RandomUnderSampler

IMBALANCE = 11.5
N_FEATURES = 8
GIB = 1 << 30
SAMPLERS = [
    ("RandomUnderSampler", RandomUnderSampler),
    ("LabelShuffle", LabelShuffleSampler),
]


def write_store(
    folder: Path, n_rows: int, chunk_rows: int, seed: int = 0, layout: str = "random"
) -> None:
    """Features and labels as one ``.npy`` file per chunk, written in turn."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    first_positive = n_rows - round(n_rows / (1 + IMBALANCE))
    for i, start in enumerate(range(0, n_rows, chunk_rows)):
        stop = min(start + chunk_rows, n_rows)
        np.save(
            folder / f"X-{i:05d}.npy",
            rng.standard_normal((stop - start, N_FEATURES), np.float32),
        )
        if layout == "sorted":
            labels = np.arange(start, stop) >= first_positive
        else:
            labels = rng.random(stop - start) < 1 / (1 + IMBALANCE)
        np.save(folder / f"y-{i:05d}.npy", labels.astype(np.int8))


def open_store(folder: Path) -> tuple[da.Array, da.Array]:
    """The store as Dask arrays: each chunk is read from its file when needed."""
    arrays = []
    for name in ("X", "y"):
        blocks = []
        for path in sorted(folder.glob(f"{name}-*.npy")):
            # The header only: shape and dtype, no data read.
            shape, dtype = _npy_header(path)
            blocks.append(da.from_delayed(_load(str(path)), shape=shape, dtype=dtype))
        arrays.append(da.concatenate(blocks))
    return arrays[0], arrays[1]


def _npy_header(path: Path):
    # A memory map reads the header only; dropped at once.
    mapped = np.load(path, mmap_mode="r")
    return mapped.shape, mapped.dtype


_load = dask.delayed(np.load, pure=True)


def load_store(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The whole store in memory (numpy arrays)."""
    X = np.concatenate([np.load(p) for p in sorted(folder.glob("X-*.npy"))])
    y = np.concatenate([np.load(p) for p in sorted(folder.glob("y-*.npy"))])
    return X, y


class PeakRSS:
    """Peak resident memory of this process while the ``with`` block runs."""

    def __init__(self, interval: float = 0.005):
        self.process = psutil.Process()
        self.interval = interval

    def __enter__(self):
        self.base = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def _chunk_share(block: np.ndarray) -> np.ndarray:
    return np.array([block.mean(dtype=np.float64)])


def resample_dask(folder: Path, sampler_cls, spread: list | None = None):
    """Rows out and the sum of the resampled X; ``spread`` gets the mix spread."""
    X, y = open_store(folder)
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X, y)
    shares = y_res.map_blocks(
        _chunk_share, chunks=((1,) * y_res.numblocks[0],), dtype=np.float64
    )
    sums, shares = dask.compute(X_res.sum(axis=0, dtype=np.float64), shares)
    if spread is not None:
        sizes = np.asarray(y_res.chunks[0])
        overall = float((shares * sizes).sum() / sizes.sum())
        deviation = (shares - overall) * 100
        spread[:] = [overall, np.abs(deviation).max(), deviation.std(), len(sizes)]
    return X_res.shape[0], float(sums.sum())


def resample_memory(X: np.ndarray, y: np.ndarray, sampler_cls) -> tuple[int, float]:
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X, y)
    sums = X_res.sum(axis=0, dtype=np.float64)
    int(y_res.sum())
    return X_res.shape[0], float(sums.sum())


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def out_of_core(folder: Path, n_rows: int, chunk_rows: int, layout: str) -> None:
    print(
        f"\n{n_rows:,} rows x {N_FEATURES} float32 on disk "
        f"({n_rows * N_FEATURES * 4 / 1e9:.2f} GB), {chunk_rows:,} rows per chunk, "
        f"labels {'sorted by class' if layout == 'sorted' else 'in random order'}"
    )
    start = time.perf_counter()
    write_store(folder, n_rows, chunk_rows, layout=layout)
    print(f"store written in {time.perf_counter() - start:.1f} s")
    header = (
        f"{'sampler':<22}{'rows out':>14}{'time s':>9}{'Mrows/s':>9}"
        f"{'peak RSS GiB':>14}{'above base':>12}{'<= 2 GiB':>10}"
        f"{'share':>7}{'mix spread: max':>17}{'std':>6}{'chunks':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, sampler_cls in SAMPLERS:
        spread: list = []
        with PeakRSS() as rss:
            seconds, (n_out, _) = timed(resample_dask, folder, sampler_cls, spread)
        overall, largest, std, n_chunks = spread
        print(
            f"{name:<22}{n_out:>14,}{seconds:>9.2f}{n_rows / seconds / 1e6:>9.1f}"
            f"{rss.peak / GIB:>14.2f}{(rss.peak - rss.base) / GIB:>12.2f}"
            f"{'yes' if rss.peak <= 2 * GIB else 'NO':>10}"
            f"{overall:>7.3f}{largest:>14.3f} pt{std:>6.3f}{n_chunks:>8}",
            flush=True,
        )


def compare(folder: Path, n_rows: int, chunk_rows: int, repeat: int) -> None:
    print(f"\nthroughput at {n_rows:,} rows: Dask from disk vs numpy in memory")
    write_store(folder, n_rows, chunk_rows)
    X, y = load_store(folder)
    header = (
        f"{'sampler':<22}{'memory s':>10}{'dask s':>9}{'dask/memory':>13}{'<= 3x':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, sampler_cls in SAMPLERS:
        t_mem, ours_mem = min(
            timed(resample_memory, X, y, sampler_cls) for _ in range(repeat)
        )
        t_dask, ours_dask = min(
            timed(resample_dask, folder, sampler_cls) for _ in range(repeat)
        )
        # Same draw, same rows: the sums agree up to summation order.
        assert ours_mem[0] == ours_dask[0]
        assert np.isclose(ours_mem[1], ours_dask[1], rtol=1e-6, atol=1e-3)
        ratio = t_dask / t_mem
        print(
            f"{name:<22}{t_mem:>10.3f}{t_dask:>9.3f}{ratio:>12.2f}x"
            f"{'yes' if ratio <= 3 else 'NO':>7}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2M rows, 1M compare")
    parser.add_argument("--rows", type=int, default=None, help="out-of-core rows")
    parser.add_argument("--compare-rows", type=int, default=None)
    parser.add_argument("--chunk-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to put the chunk store")
    parser.add_argument(
        "--layouts",
        default="random,sorted",
        help="label orders of the out-of-core store: random, sorted or both",
    )
    args = parser.parse_args()
    if args.dir is not None and not Path(args.dir).is_dir():
        parser.error(f"--dir {args.dir!r} is not a directory: create it first.")
    layouts = args.layouts.split(",")
    if not set(layouts) <= {"random", "sorted"}:
        parser.error(f"--layouts takes random, sorted or both; got {args.layouts!r}.")
    for name in ("rows", "compare_rows", "chunk_rows", "repeat"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {value}.")
    rows = args.rows or (2_000_000 if args.quick else 50_000_000)
    compare_rows = args.compare_rows or (1_000_000 if args.quick else 10_000_000)
    chunk_rows = min(args.chunk_rows, 250_000 if args.quick else args.chunk_rows)
    print(f"dask {dask.__version__}, {psutil.cpu_count()} cores, threaded scheduler")
    root = Path(tempfile.mkdtemp(prefix="rebalance-bench-dask-", dir=args.dir))
    try:
        # Out of core first, while the process holds no data: its RSS is the
        # driver's own.
        for layout in layouts:
            out_of_core(root / "large", rows, chunk_rows, layout)
            shutil.rmtree(root / "large")
        compare(root / "compare", compare_rows, chunk_rows, args.repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
