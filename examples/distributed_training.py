"""DDP with 2 gloo processes on one machine, each rank reading its slice of one
rebalanced epoch from ``RebalanceSampler``.

Run: ``python examples/distributed_training.py`` (CPU only, about 10 s). Every
rank derives the same global label-shuffle draw from ``[seed, epoch]`` and takes
its own slice, so the ranks together see each epoch exactly once.
"""

from __future__ import annotations

import gc
import os
import socket

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset

from rebalance.torch import RebalanceSampler
from rebalance.torch.losses import sigmoid_focal_loss

WORLD_SIZE = 2


def make_data(n: int = 4000, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 1 / 12.5).astype(np.int64)  # about 1:11.5
    X = (rng.normal(size=(n, 16)) + y[:, None] * 0.8).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(y)


def run(rank: int, port: int) -> None:
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD_SIZE)
    torch.manual_seed(0)
    X, y = make_data()
    # num_replicas and rank default to the initialised process group.
    sampler = RebalanceSampler(y.numpy(), seed=0)
    loader = DataLoader(TensorDataset(X, y.float()), batch_size=128, sampler=sampler)
    model = DistributedDataParallel(torch.nn.Linear(16, 1))
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        seen_positive, seen = 0.0, 0
        for xb, yb in loader:
            optimiser.zero_grad()
            loss = sigmoid_focal_loss(model(xb).squeeze(1), yb)
            loss.backward()
            optimiser.step()
            seen_positive += float(yb.sum())
            seen += len(yb)
        print(
            f"rank {rank} epoch {epoch}: {seen} rows ({len(sampler)} per rank), "
            f"positive share {seen_positive / seen:.2f}, last loss {loss.item():.4f}",
            flush=True,
        )
    # Free DDP (and the gloo work it holds) while Python is still fully up:
    # left to the garbage collection at interpreter exit, a gloo thread can
    # destroy its last work item during finalisation and abort the process
    # ("terminate called without an active exception").
    del model, optimiser, loader
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    mp.spawn(run, args=(free_port(),), nprocs=WORLD_SIZE, join=True)
