"""Review 2 (distributed): the torch samplers under the distributed launchers
users run, on CPU: torch.distributed (gloo, 2 processes) and HF Accelerate.

Every multi-process test starts its ranks as subprocesses in their own
session, waits at most 60 s and then kills them; it skips when gloo (or
Accelerate) is not available.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402

LABELS = [0] * 150 + [1] * 50 + [0] * 100 + [1] * 20  # 70 minority rows
KILL_AFTER_S = 60


def _require_gloo() -> None:
    if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
        pytest.skip("torch.distributed with the gloo backend is not available")


def _run_ranks(
    launch_ranks, script: str, tmp_path, extra_env: dict | None = None
) -> list[dict]:
    """Run ``script`` as ranks 0 and 1 of a 2-process job; their JSON results."""
    path = tmp_path / "worker.py"
    path.write_text(script)
    ranks = launch_ranks(
        path,
        2,
        [str(tmp_path / "rank{rank}.json")],
        timeout=KILL_AFTER_S,
        extra_env=extra_env,
    )
    results = []
    for r, (returncode, output) in enumerate(ranks):
        if "PROCESS GROUP UNAVAILABLE" in output:
            pytest.skip("a gloo process group could not be started here")
        assert returncode == 0, output[-3000:]
        results.append(json.loads((tmp_path / f"rank{r}.json").read_text()))
    return results


# --- HF Accelerate, real 2-process launch (accelerate launch's environment) ---

_ACCELERATE_DEFAULTS = textwrap.dedent(
    """
    import json, sys, warnings
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    warnings.simplefilter("always")
    caught = warnings.catch_warnings(record=True)
    seen_warnings = caught.__enter__()
    try:
        from accelerate import Accelerator
        accelerator = Accelerator(cpu=True)  # its default DataLoaderConfiguration
        assert accelerator.num_processes == 2, accelerator.state
    except Exception as exc:  # no gloo rendezvous possible here
        print("PROCESS GROUP UNAVAILABLE", repr(exc))
        raise
    from rebalance import RandomUnderSampler
    from rebalance.torch import BalancedBatchSampler, RebalanceSampler

    labels = torch.tensor(%(labels)s)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    out = {}
    for name in ("sampler", "batch_sampler"):
        before = len(seen_warnings)
        try:
            # What a user writes: the sampler with its defaults (num_replicas
            # and rank read from the process group), then prepare().
            if name == "sampler":
                sampler = RebalanceSampler(labels, RandomUnderSampler(), seed=1)
                loader = DataLoader(dataset, batch_size=10, sampler=sampler)
            else:
                sampler = BalancedBatchSampler(labels, 8, class_counts=[6, 2], seed=1)
                loader = DataLoader(dataset, batch_sampler=sampler)
            loader = accelerator.prepare(loader)
            epoch = [i for ids, _ in loader for i in ids.tolist()]
            error = None
        except (TypeError, ValueError) as exc:
            epoch, error = [], str(exc)
        warned = [
            str(w.message) for w in seen_warnings[before:]
            if "num_replicas" in str(w.message)
        ]
        out[name] = {"epoch": epoch, "error": error, "warned": warned}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
    """
) % {"labels": LABELS}


@pytest.mark.slow
def test_accelerate_default_launch_does_not_silently_split_the_epoch_twice(
    tmp_path, launch_ranks
):
    """Two processes as ``accelerate launch`` starts them, Accelerate's default
    settings, the samplers with their defaults.

    Expected (SPEC section 8, "HF Accelerate with their default distributed
    settings (never split twice)"): the two ranks together see the whole
    rebalanced epoch. Before stop 50 the sampler splits the epoch by rank (world size 2
    read from the process group), then Accelerate's BatchSamplerShard splits
    the batches of each rank again: each rank trains on a quarter of the epoch
    (40 of 140 indices, padding included), the ranks together see 80 of
    the 140, and nothing is said.
    """
    _require_gloo()
    pytest.importorskip("accelerate")
    results = _run_ranks(launch_ranks, _ACCELERATE_DEFAULTS, tmp_path)
    labels = torch.tensor(LABELS)
    expected = {
        "sampler": RebalanceSampler(labels, RandomUnderSampler(), seed=1),
        "batch_sampler": BalancedBatchSampler(labels, 8, class_counts=[6, 2], seed=1),
    }
    for name, single in expected.items():
        single.set_epoch(0)
        draw = [i for item in single for i in np.ravel(item).tolist()]
        ranks = [res[name] for res in results]
        # The sampler leaves the split to Accelerate (stop 50; it used to
        # split too and warn): no warning, no error, each rank half the epoch.
        assert not any(r["warned"] or r["error"] for r in ranks), (name, ranks)
        seen = ranks[0]["epoch"] + ranks[1]["epoch"]
        # Each rank half of the epoch, together all of it: at most the last
        # step (one batch per rank) dropped as drop_last asks.
        kept = draw[: min(len(seen), len(draw))]
        assert len(seen) >= len(draw) - 2 * 10 and set(seen) == set(kept), (
            f"{name}: the 2 ranks saw {len(seen)} indices ({len(set(seen))} "
            f"distinct) of a {len(draw)}-index epoch ({len(set(draw))} distinct), "
            "without a warning or an error"
        )
        assert len(ranks[0]["epoch"]) == len(ranks[1]["epoch"])
