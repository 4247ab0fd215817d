"""Training-loop benchmark: what the sampler costs in a real epoch.

Usage::

    python benchmarks/bench_training.py                  # 10^7 rows (~20 min, 2 cores)
    python benchmarks/bench_training.py --rows 200000    # quick check
    python benchmarks/bench_training.py --device cuda    # model on the GPU
    python benchmarks/bench_training.py --rows 1000000 --repeats 3  # best of 3

One epoch of a 3-layer MLP (16 -> hidden -> hidden -> 1, BCE with logits,
SGD) on an in-memory ``TensorDataset`` of ``--rows`` x 16 float32 rows at
1:11.5, batch 4096, fed by each of:

* ``WeightedRandomSampler`` (inverse-frequency weights, ``num_samples`` = rows;
  the baseline of every ratio);
* ``RebalanceSampler`` with label shuffle (its default) and with
  ``ClassBalancedSampler``;
* ``BalancedBatchSampler`` (half of each batch from each class);
* the library's batch-level paths, over label-shuffle epochs:
  ``IndexBatchSampler`` as a ``DataLoader`` sampler with ``batch_size=None``
  (the ``TensorDataset`` answers ``dataset[index_tensor]`` with one gather per
  tensor), and ``TensorBatchLoader`` (gathers in-memory tensors itself, no
  ``DataLoader``);
* two baselines written here, over the same label-shuffle epochs, which never
  iterate indices one by one in Python: ``IndexBatches`` (below) cuts one
  epoch's draw into int64 index tensors, fed either to a ``DataLoader`` over a
  dataset with ``__getitems__`` (one ``X[idx]`` per batch, no per-row
  collation), or gathered directly with ``X[idx], y[idx]`` without a
  ``DataLoader`` ("batched gather", the floor for in-memory tensors).

Each path is timed three ways, each over one whole epoch: the sampler alone
(its indices or index batches, nothing fetched), the loader alone (sampler,
fetch and collation, batches moved to the device, no model) and the training
epoch. Epoch lengths differ (label shuffle yields 2 x the majority count), so
the figures are per sample: samples/s of the training epoch, its ratio to
``WeightedRandomSampler``, and the share of a training step spent in the
sampler and in sampler + collation (loader time per sample / training time
per sample). Every path starts from the same model weights; the minority
share column checks that each path rebalances.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from bench_torch_samplers import IMBALANCE, make_labels, weighted_sampler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from rebalance import ClassBalancedSampler
from rebalance.torch import BalancedBatchSampler, RebalanceSampler

try:  # the library's batch-level paths (issue 16 section 3)
    from rebalance.torch import IndexBatchSampler, TensorBatchLoader
except ImportError:  # an older rebalance: only the baselines below
    IndexBatchSampler = TensorBatchLoader = None

N_FEATURES = 16


class IndexBatches:
    """One ``RebalanceSampler`` epoch per iteration, as int64 index tensors.

    Epoch ``e`` holds exactly the indices ``RebalanceSampler`` yields for
    epoch ``e`` (single process), drawn in one call and cut into batches:
    no Python-level iteration over indices. Use it as a ``DataLoader``'s
    ``batch_sampler`` over a dataset with ``__getitems__``, or index
    in-memory tensors with it directly.
    """

    def __init__(self, sampler: RebalanceSampler, batch_size: int):
        self.sampler = sampler
        self.batch_size = batch_size

    def __len__(self) -> int:
        return -(-len(self.sampler) // self.batch_size)

    def __iter__(self) -> Iterator[torch.Tensor]:
        epoch = self.sampler.epoch
        self.sampler.set_epoch(epoch + 1)
        rng = np.random.default_rng([self.sampler.seed, epoch])
        draw = self.sampler.plan.draw(rng).astype(np.int64, copy=False)
        yield from torch.from_numpy(draw).split(self.batch_size)


class GatherDataset(TensorDataset):
    """A ``TensorDataset`` that gathers a whole batch with one index per tensor."""

    def __getitems__(self, indices) -> tuple[torch.Tensor, ...]:
        indices = torch.as_tensor(indices, dtype=torch.int64)
        return tuple(tensor[indices] for tensor in self.tensors)


def keep_batch(batch):
    """``collate_fn`` for ``GatherDataset``: the batch is already stacked."""
    return batch


def gather_batches(batches: IndexBatches, X: torch.Tensor, y: torch.Tensor):
    for indices in batches:
        yield X[indices], y[indices]


class _Reiterable:
    def __init__(self, make: Callable[[], Iterator]):
        self.make = make

    def __iter__(self) -> Iterator:
        return self.make()


@dataclass
class Path:
    name: str
    loader: Callable[[], Iterable]  # one epoch of (X batch, y batch)
    indices: Callable[[], Iterable]  # one epoch of the sampler alone


def make_paths(args, X, y, labels) -> list[Path]:
    batch, workers = args.batch_size, args.workers
    pin = args.device.startswith("cuda")
    dataset = TensorDataset(X, y)

    def loader(data, **kwargs) -> DataLoader:
        return DataLoader(data, num_workers=workers, pin_memory=pin, **kwargs)

    def per_index(sampler) -> tuple[DataLoader, Any]:
        return loader(dataset, batch_size=batch, sampler=sampler), sampler

    wrs, _, _ = weighted_sampler(labels, seed=0)
    shuffle = RebalanceSampler(labels, seed=0)
    balanced = RebalanceSampler(labels, ClassBalancedSampler(), seed=0)
    batches = BalancedBatchSampler(labels, batch, seed=0)
    index_batches = IndexBatches(RebalanceSampler(labels, seed=0), batch)
    gather_loader = loader(
        GatherDataset(X, y), batch_sampler=index_batches, collate_fn=keep_batch
    )
    direct = IndexBatches(RebalanceSampler(labels, seed=0), batch)
    paths = {
        "WeightedRandomSampler": per_index(wrs),
        "RebalanceSampler(label shuffle)": per_index(shuffle),
        "RebalanceSampler(class-balanced)": per_index(balanced),
        "BalancedBatchSampler": (loader(dataset, batch_sampler=batches), batches),
        "baseline: batches + __getitems__": (gather_loader, index_batches),
        "baseline: batched X[idx] gather": (
            _Reiterable(lambda: gather_batches(direct, X, y)),
            direct,
        ),
    }
    if IndexBatchSampler is not None:
        library = IndexBatchSampler(RebalanceSampler(labels, seed=0), batch)
        paths["IndexBatchSampler + DataLoader"] = (
            loader(dataset, sampler=library, batch_size=None),
            library,
        )
        tensors = TensorBatchLoader(
            X, y, sampler=RebalanceSampler(labels, seed=0), batch_size=batch
        )
        paths["TensorBatchLoader"] = (tensors, tensors.batches)
    return [
        Path(name, epochs.__iter__, sampler.__iter__)
        for name, (epochs, sampler) in paths.items()
        if args.paths is None or any(word in name for word in args.paths)
    ]


def make_model(hidden: int) -> nn.Module:
    torch.manual_seed(0)  # the same initial weights for every path
    return nn.Sequential(
        nn.Linear(N_FEATURES, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 1),
    )


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_sampler(path: Path) -> float:
    start = time.perf_counter()
    for _ in path.indices():
        pass
    return time.perf_counter() - start


def time_loader(path: Path, device: torch.device) -> tuple[float, int, int]:
    """Seconds, samples and minority samples of one epoch without the model."""
    n_seen = n_minority = 0
    start = time.perf_counter()
    for xb, yb in path.loader():
        xb = xb.to(device, non_blocking=True)
        yb = yb.to(device, non_blocking=True)
        n_seen += yb.shape[0]
        n_minority += int(yb.sum())
    sync(device)
    return time.perf_counter() - start, n_seen, n_minority


def time_training(path: Path, args, device: torch.device) -> tuple[float, int, float]:
    """Seconds, samples and mean loss of one training epoch."""
    model = make_model(args.hidden).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()
    n_seen, total = 0, torch.zeros((), device=device)
    sync(device)
    start = time.perf_counter()
    for xb, yb in path.loader():
        xb = xb.to(device, non_blocking=True)
        yb = yb.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb).squeeze(1), yb.float())
        loss.backward()
        optimizer.step()
        n_seen += yb.shape[0]
        total += loss.detach() * yb.shape[0]
    sync(device)
    return time.perf_counter() - start, n_seen, float(total) / max(n_seen, 1)


def check_index_batches() -> None:
    """``IndexBatches`` yields exactly ``RebalanceSampler``'s epochs."""
    labels = make_labels(5000, seed=1)
    reference = RebalanceSampler(labels, seed=3)
    batches = IndexBatches(RebalanceSampler(labels, seed=3), 512)
    for _ in range(2):  # two epochs: the epoch counter advances the same way
        expected = torch.tensor(list(reference), dtype=torch.int64)
        if not torch.equal(torch.cat(list(batches)), expected):
            raise AssertionError("IndexBatches differs from RebalanceSampler")


def warm_up(args, device: torch.device) -> None:
    """Compile or load every draw kernel and run the model once before timing."""
    labels = make_labels(20_000, seed=2)
    X = torch.randn(labels.size, N_FEATURES)
    y = torch.from_numpy(labels)
    small = argparse.Namespace(**{**vars(args), "batch_size": 1024, "workers": 0})
    for path in make_paths(small, X, y, labels):
        time_sampler(path)
        time_training(path, small, device)


def make_data(n_rows: int) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    labels = make_labels(n_rows)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    X[labels == 1] += np.float32(0.5)  # something to learn
    return torch.from_numpy(X), torch.from_numpy(labels), labels


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--hidden", type=int, default=128, help="MLP width")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader workers")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument(
        "--paths", nargs="*", default=None, help="only paths whose name contains..."
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="best of this many epochs per timing"
    )
    parser.add_argument("--json", default=None, help="also write the rows here")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 200,000 rows (--rows)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows = 200_000
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}.")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    check_index_batches()
    warm_up(args, device)
    X, y, labels = make_data(args.rows)
    counts = np.bincount(labels)
    print(
        f"{args.rows:,} rows x {N_FEATURES} float32 (classes {counts.tolist()}, "
        f"1:{counts[0] / counts[1]:.1f}; target 1:{IMBALANCE}), batch "
        f"{args.batch_size}, MLP {N_FEATURES}-{args.hidden}-{args.hidden}-1, "
        f"device {device}, {torch.get_num_threads()} torch threads, "
        f"{args.workers} loader workers; one epoch per column"
    )
    header = (
        f"{'path':<34}{'samples':>12}{'minority':>9}{'sampler s':>10}"
        f"{'loader s':>9}{'train s':>9}{'samples/s':>11}{'vs WRS':>8}"
        f"{'sampler%':>9}{'loader%':>8}{'loss':>7}"
    )
    print(header)
    print("-" * len(header))
    rows: list[dict] = []
    baseline = None
    for path in make_paths(args, X, y, labels):
        # best of --repeats epochs for each timing (the machine may be shared)
        sampler_s = min(time_sampler(path) for _ in range(args.repeats))
        loads = [time_loader(path, device) for _ in range(args.repeats)]
        loader_s, n_loader, n_minority = min(loads)
        trains = [time_training(path, args, device) for _ in range(args.repeats)]
        train_s, n_train, loss = min(trains)
        per_sample = train_s / n_train
        rate = n_train / train_s
        if path.name == "WeightedRandomSampler":
            baseline = rate
        row = {
            "path": path.name,
            "samples": n_train,
            "minority_share": n_minority / n_loader,
            "sampler_s": sampler_s,
            "loader_s": loader_s,
            "train_s": train_s,
            "samples_per_s": rate,
            "vs_weighted_random_sampler": None if baseline is None else rate / baseline,
            "sampler_share": sampler_s / n_loader / per_sample,
            "loader_share": loader_s / n_loader / per_sample,
            "mean_loss": loss,
        }
        rows.append(row)
        ratio = "-" if baseline is None else f"{rate / baseline:.2f}x"
        print(
            f"{path.name:<34}{n_train:>12,}{row['minority_share']:>9.3f}"
            f"{sampler_s:>10.2f}{loader_s:>9.2f}{train_s:>9.2f}{rate:>11,.0f}"
            f"{ratio:>8}{100 * row['sampler_share']:>8.1f}%"
            f"{100 * row['loader_share']:>7.1f}%{loss:>7.3f}",
            flush=True,
        )
    print(
        "sampler% = sampler alone, loader% = sampler + fetch + collation (+ copy "
        "to the device), each per sample as a share of a training step per sample."
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"args": vars(args), "rows": rows}, handle, indent=2)
    return rows


if __name__ == "__main__":
    main()
