"""Review 38 (torch): rebalance's samplers with Lightning, skorch, torchdata."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")

# Two gloo ranks, spawned as ddp_spawn does: each unpickles the sampler the
# parent looked at one batch of (split for 1 process, no process group yet).
_SPAWN = textwrap.dedent(
    """
    import os, pickle, sys, warnings
    import numpy as np
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
    from torch.utils.data import DataLoader, TensorDataset
    from rebalance.torch import BalancedBatchSampler, RebalanceSampler

    def rank_main(rank, blobs, init):
        dist.init_process_group("gloo", init_method=init, rank=rank, world_size=2)
        for blob in blobs:
            sampler = pickle.loads(blob)
            sampler.set_epoch(0)  # what Lightning calls
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                n = len(list(sampler))
            # One write per line: two ranks' prints interleave in the pipe.
            line = f"{type(sampler).__name__} {rank} {len(sampler)} {n}\\n"
            os.write(1, line.encode())
        dist.destroy_process_group()

    if __name__ == "__main__":
        y = np.array([0] * 35 + [1] * 12 + [2] * 6)
        data = TensorDataset(torch.arange(53), torch.as_tensor(y))
        blobs = []
        for sampler in (RebalanceSampler(y, seed=5), BalancedBatchSampler(y, 6)):
            if isinstance(sampler, RebalanceSampler):
                loader = DataLoader(data, sampler=sampler, batch_size=7)
            else:
                loader = DataLoader(data, batch_sampler=sampler)
            next(iter(loader))  # a look at one batch before the spawn
            blobs.append(pickle.dumps(sampler))
        init = "file://" + sys.argv[1] + "/rendezvous"
        mp.start_processes(
            rank_main, args=(blobs, init), nprocs=2, start_method="fork"
        )
    """
)


@pytest.mark.timeout(60)
@pytest.mark.slow
def test_spawned_copy_of_a_looked_at_sampler_loses_no_rows(tmp_path):
    # A sampler (num_replicas=None) iterated for one batch in the parent
    # carried that position, counted for 1 process, into each spawned rank's
    # share: every rank silently skipped its first rows of epoch 0.
    script = tmp_path / "spawn.py"
    script.write_text(_SPAWN)
    for _attempt in range(2):  # gloo's rendezvous on a loaded machine can drop
        (tmp_path / "rendezvous").unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=25,
        )
        if done.returncode == 0 or "Gloo connectFullMesh" not in done.stderr:
            break
    assert done.returncode == 0, done.stderr[-2000:]
    lines = sorted(done.stdout.split("\n"))[1:]
    assert len(lines) == 4, done.stdout
    for line in lines:
        _, _, length, yielded = line.split()
        assert yielded == length
