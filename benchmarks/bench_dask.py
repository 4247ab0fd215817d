"""Out-of-core resampling with Dask: time and driver memory, against in memory.

Usage::

    python benchmarks/bench_dask.py            # 50M x 8 float32 on disk, 10M compare
    python benchmarks/bench_dask.py --quick    # 2M rows, 1M compare: a smoke run
    python benchmarks/bench_dask.py --rows 20_000_000

The data (features float32, labels int8, 1 positive per 11.5 negatives) is
written as an uncompressed zarr store of ``--chunk-rows`` rows per chunk in a
temporary folder (``--dir``, default the system's temp folder), removed at the
end. Each Dask case is ``fit_resample`` on ``dask.array.from_zarr`` arrays
plus computing the resampled rows chunk by chunk (their column sums and the
label sum, so that the rows need not fit in memory), on the default threaded
scheduler. Peak resident memory (RSS) of this, the driver, process is sampled
by a thread every 5 ms; "above base" subtracts the RSS before the case.

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
import zarr

from rebalance import LabelShuffleSampler, RandomUnderSampler

IMBALANCE = 11.5
N_FEATURES = 8
GIB = 1 << 30
SAMPLERS = [
    ("RandomUnderSampler", RandomUnderSampler),
    ("LabelShuffle", LabelShuffleSampler),
]


def write_store(folder: Path, n_rows: int, chunk_rows: int, seed: int = 0) -> None:
    """Features and labels as zarr arrays, written one chunk at a time."""
    features = zarr.create_array(
        folder / "X",
        shape=(n_rows, N_FEATURES),
        chunks=(chunk_rows, N_FEATURES),
        dtype="float32",
        compressors=None,
    )
    labels = zarr.create_array(
        folder / "y",
        shape=(n_rows,),
        chunks=(chunk_rows,),
        dtype="int8",
        compressors=None,
    )
    rng = np.random.default_rng(seed)
    for start in range(0, n_rows, chunk_rows):
        stop = min(start + chunk_rows, n_rows)
        features[start:stop] = rng.standard_normal(
            (stop - start, N_FEATURES), np.float32
        )
        labels[start:stop] = rng.random(stop - start) < 1 / (1 + IMBALANCE)


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


def resample_dask(folder: Path, sampler_cls) -> tuple[int, float]:
    X = da.from_zarr(str(folder / "X"))
    y = da.from_zarr(str(folder / "y"))
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X, y)
    sums, positives = dask.compute(X_res.sum(axis=0, dtype=np.float64), y_res.sum())
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


def out_of_core(folder: Path, n_rows: int, chunk_rows: int) -> None:
    print(
        f"\n{n_rows:,} rows x {N_FEATURES} float32 on disk "
        f"({n_rows * N_FEATURES * 4 / 1e9:.2f} GB), {chunk_rows:,} rows per chunk"
    )
    start = time.perf_counter()
    write_store(folder, n_rows, chunk_rows)
    print(f"store written in {time.perf_counter() - start:.1f} s")
    header = (
        f"{'sampler':<22}{'rows out':>14}{'time s':>9}{'Mrows/s':>9}"
        f"{'peak RSS GiB':>14}{'above base':>12}{'<= 2 GiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, sampler_cls in SAMPLERS:
        with PeakRSS() as rss:
            seconds, (n_out, _) = timed(resample_dask, folder, sampler_cls)
        print(
            f"{name:<22}{n_out:>14,}{seconds:>9.2f}{n_rows / seconds / 1e6:>9.1f}"
            f"{rss.peak / GIB:>14.2f}{(rss.peak - rss.base) / GIB:>12.2f}"
            f"{'yes' if rss.peak <= 2 * GIB else 'NO':>10}",
            flush=True,
        )


def compare(folder: Path, n_rows: int, chunk_rows: int, repeat: int) -> None:
    print(f"\nthroughput at {n_rows:,} rows: Dask from disk vs numpy in memory")
    write_store(folder, n_rows, chunk_rows)
    X = zarr.open_array(folder / "X", mode="r")[:]
    y = zarr.open_array(folder / "y", mode="r")[:]
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
    args = parser.parse_args()
    rows = args.rows or (2_000_000 if args.quick else 50_000_000)
    compare_rows = args.compare_rows or (1_000_000 if args.quick else 10_000_000)
    chunk_rows = min(args.chunk_rows, 250_000 if args.quick else args.chunk_rows)
    print(f"dask {dask.__version__}, {psutil.cpu_count()} cores, threaded scheduler")
    root = Path(tempfile.mkdtemp(prefix="rebalance-bench-dask-", dir=args.dir))
    try:
        # Out of core first, while the process holds no data: its RSS is the
        # driver's own.
        out_of_core(root / "large", rows, chunk_rows)
        shutil.rmtree(root / "large")
        compare(root / "compare", compare_rows, chunk_rows, args.repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
