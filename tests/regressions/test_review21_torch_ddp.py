"""Review 21 (torch_ddp): the torch samplers and batch paths in real
multi-process jobs (torch.distributed, gloo on CPU), ranks left to default
from the process group."""

from __future__ import annotations

import json
import textwrap

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():  # pragma: no cover
    pytest.skip("torch.distributed is not available", allow_module_level=True)

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    RebalanceSampler,
)

# Uneven class sizes: no epoch below divides evenly by 2 and 3 ranks at once.
LABELS = [0] * 37 + [1] * 9 + [2] * 5 + [0] * 12 + [1] * 2
N_ROWS = len(LABELS)
ESTIMATORS = {
    "under": RandomUnderSampler,
    "over": RandomOverSampler,
    "balanced": ClassBalancedSampler,
    "shuffle": LabelShuffleSampler,
}

# Every rank runs it after init_process_group(), with no num_replicas/rank
# and no seed given anywhere: all of it comes from the process group.
_WORKER = textwrap.dedent(
    """
    import datetime, json, os, sys
    import numpy as np
    import torch
    import torch.distributed as dist
    from torch.utils.data import DataLoader, TensorDataset
    from rebalance import (
        ClassBalancedSampler, LabelShuffleSampler, RandomOverSampler,
        RandomUnderSampler,
    )
    from rebalance.torch import (
        BalancedBatchSampler, HardExampleSampler, IndexBatchSampler,
        RebalanceSampler, TensorBatchLoader,
    )

    LABELS = json.loads(sys.argv[2])
    ESTIMATORS = {
        "under": RandomUnderSampler, "over": RandomOverSampler,
        "balanced": ClassBalancedSampler, "shuffle": LabelShuffleSampler,
    }


    def labels():
        # A tensor of each rank's own (as each rank reads its dataset).
        return torch.tensor(LABELS)


    def epochs(sampler, n=2):
        out = []
        for epoch in range(n):
            sampler.set_epoch(epoch)
            items = list(sampler)
            if items and not isinstance(items[0], int):
                items = [[int(i) for i in batch] for batch in items]
            out.append(items)
        return out


    def steps(loader):
        # One collective per batch, as DDP's gradient all-reduce: a rank
        # with more batches than another would hang here (timeout).
        n = 0
        for _ in loader:
            dist.all_reduce(torch.ones(1))
            n += 1
        return n


    def run(out_path):
        rank, world = dist.get_rank(), dist.get_world_size()
        out = {"rank": rank, "world": world}
        for name, cls in ESTIMATORS.items():
            for drop_last in (False, True):
                sampler = RebalanceSampler(labels(), cls(), drop_last=drop_last)
                out[f"index/{name}/{drop_last}"] = {
                    "len": len(sampler),
                    "num_replicas": sampler.num_replicas,
                    "rank": sampler.rank,
                    "epochs": epochs(sampler),
                }
        # Without set_epoch, each new iteration draws the next epoch.
        sampler = RebalanceSampler(labels(), RandomUnderSampler())
        out["index/no_set_epoch"] = [list(sampler), list(sampler)]

        for name, kwargs in (
            ("quotas", {"batch_size": 4, "class_counts": {0: 2, 1: 1, 2: 1}}),
            ("pk", {"batch_size": 4, "classes_per_batch": 2}),
        ):
            for drop_last in (False, True):
                batches = BalancedBatchSampler(labels(), drop_last=drop_last, **kwargs)
                out[f"batch/{name}/{drop_last}"] = {
                    "len": len(batches), "epochs": epochs(batches),
                }
                dataset = TensorDataset(torch.arange(len(LABELS)))
                out[f"batch/{name}/{drop_last}/steps"] = steps(
                    DataLoader(dataset, batch_sampler=batches)
                )

        X = torch.arange(len(LABELS) * 2.0).reshape(-1, 2)
        for drop_last in (False, True):
            sampler = RebalanceSampler(labels(), RandomOverSampler())
            index = IndexBatchSampler(sampler, 4, drop_last=drop_last)
            out[f"ibs/{drop_last}"] = {"len": len(index), "epochs": epochs(index)}
            loader = TensorBatchLoader(
                X, labels(), sampler=RebalanceSampler(labels(), RandomOverSampler()),
                batch_size=4, drop_last=drop_last,
            )
            loader.set_epoch(1)
            out[f"tbl/{drop_last}"] = [
                xb[:, 0].div(2).long().tolist() for xb, _ in loader
            ]
            out[f"tbl/{drop_last}/steps"] = steps(loader)

        # HardExampleSampler, one pool shared by all ranks (the losses gathered
        # across ranks first, as its docstring asks), then each rank its own.
        ids = torch.arange(20)
        shared = HardExampleSampler(
            RebalanceSampler(labels(), RandomOverSampler()), pool_size=20,
            replay_ratio=0.5,
        )
        shared.update(ids, ids.float())
        out["hard/shared"] = {"len": len(shared), "epochs": epochs(shared)}
        own = HardExampleSampler(
            RebalanceSampler(labels(), RandomOverSampler()), pool_size=5,
            replay_ratio=0.5,
        )
        own.update(ids + rank, torch.rand(20))
        out["hard/own"] = {"len": len(own), "pool": sorted(own.pool_ids.tolist())}
        out["hard/own/steps"] = steps(
            DataLoader(
                TensorDataset(torch.arange(len(LABELS))), sampler=own, batch_size=3
            )
        )

        # state_dict on rank r, restored on rank r, resumes exactly.
        resumed = {}
        for kind in ("index", "batch", "hard", "ibs"):
            def make():
                if kind == "index":
                    return RebalanceSampler(labels(), RandomOverSampler(), seed=4)
                if kind == "batch":
                    return BalancedBatchSampler(labels(), 4, class_counts=[2, 1, 1])
                if kind == "hard":
                    hard = HardExampleSampler(
                        RebalanceSampler(labels(), RandomOverSampler()), pool_size=20
                    )
                    hard.update(ids + rank, ids.float())
                    return hard
                return IndexBatchSampler(
                    RebalanceSampler(labels(), RandomOverSampler()), 4
                )
            def as_ints(items):
                return [i if isinstance(i, int) else [int(j) for j in i] for i in items]
            sampler = make()
            sampler.set_epoch(2)
            it = iter(sampler)
            head = as_ints([next(it) for _ in range(3)])
            state = sampler.state_dict()
            rest = as_ints(it)
            fresh = make()
            fresh.load_state_dict(state)
            fresh.set_epoch(2)
            resumed[kind] = {"head": head, "rest": rest, "resumed": as_ints(fresh)}
        out["resume"] = resumed

        if world == 2:
            # The losses' gradients under DDP (review 21 losses_training):
            # each rank its half of one batch of 12 rows.
            from rebalance.torch import losses as L

            g = torch.Generator().manual_seed(1)
            x = torch.randn(12, 6, generator=g)
            t = torch.randint(0, 3, (12,), generator=g)
            t[[0, 1, 2, 7]] = -100  # 3 ignored on rank 0, 1 on rank 1
            yb = (torch.rand(12, 3, generator=g) < 0.3).float()
            grads = {}
            for name, criterion, target in (
                ("softmax_sum", L.SoftmaxFocalLoss(reduction="sum"), t),
                ("sigmoid_sum", L.SigmoidFocalLoss(reduction="sum"), yb),
                ("logit_adjusted_sum",
                 L.LogitAdjustedCrossEntropyLoss([5, 3, 1], reduction="sum"), t),
                ("softmax_mean", L.SoftmaxFocalLoss(), t),
            ):
                torch.manual_seed(0)
                model = torch.nn.parallel.DistributedDataParallel(
                    torch.nn.Linear(6, 3)
                )
                rows = slice(6 * rank, 6 * rank + 6)
                criterion(model(x[rows]), target[rows]).backward()
                grads[name] = [p.grad.tolist() for p in model.parameters()]
                del model
            out["ddp_grads"] = grads

        gathered = [None] * world
        dist.all_gather_object(gathered, out)
        if rank == 0:
            with open(out_path, "w") as f:
                json.dump(gathered, f)
        dist.barrier()
        dist.destroy_process_group()


    # World 3, then ranks 0 and 1 as a world of 2 (imports paid once).
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    run(sys.argv[1] + "/world3.json")
    if int(os.environ["RANK"]) < 2:
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{sys.argv[3]}",
            rank=int(os.environ["RANK"]),
            world_size=2,
            timeout=datetime.timedelta(seconds=60),
        )
        run(sys.argv[1] + "/world2.json")
    """
)


@pytest.fixture(scope="module")
def gathered_runs(tmp_path_factory, launch_ranks) -> dict[int, list[dict]]:
    """Every rank's results of the worker, gathered by rank 0 with
    ``all_gather_object``: in a world of 3 processes, then of 2 (ranks 0 and
    1 again). A hang fails after 120 s."""
    folder = tmp_path_factory.mktemp("ddp")
    script = folder / "worker.py"
    script.write_text(_WORKER)
    args = [str(folder), json.dumps(LABELS), "{free_port}"]
    ranks = launch_ranks(script, 3, args)
    outputs = [output[-3000:] for _, output in ranks]
    assert [code for code, _ in ranks] == [0, 0, 0], outputs
    runs = {w: json.loads((folder / f"world{w}.json").read_text()) for w in (2, 3)}
    for world, gathered in runs.items():
        assert [(g["rank"], g["world"]) for g in gathered] == [
            (r, world) for r in range(world)
        ]
    return runs


@pytest.fixture(params=[2, 3], ids=["world2", "world3"])
def ranks(request, gathered_runs):
    return gathered_runs[request.param]


def _epoch(sampler, epoch: int) -> list:
    sampler.set_epoch(epoch)
    return [i if isinstance(i, int) else [int(j) for j in i] for i in sampler]


def _rank_slices(items: list, world: int, drop_last: bool) -> list[list]:
    """What each rank should get of one global draw: items ``r, r + world,
    ...``, padded by wrapping around or trimmed to equal lengths."""
    n = len(items)
    per_rank = n // world if drop_last else -(-n // world)
    return [[items[(r + world * j) % n] for j in range(per_rank)] for r in range(world)]


def _global(ranks: list[dict], key: str, epoch: int) -> list:
    return [g[key]["epochs"][epoch] for g in ranks]


# --- Index samplers: rank slices of one global draw ---------------------------


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.slow
def test_rebalance_sampler_ranks_split_one_global_draw(ranks, name, drop_last):
    world = len(ranks)
    key = f"index/{name}/{drop_last}"
    single = RebalanceSampler(torch.tensor(LABELS), ESTIMATORS[name]())
    for g in ranks:
        assert (g[key]["num_replicas"], g[key]["rank"]) == (world, g["rank"])
    per_epoch = []
    for epoch in range(2):
        draw = _epoch(single, epoch)
        expected = _rank_slices(draw, world, drop_last)
        assert _global(ranks, key, epoch) == expected
        assert {g[key]["len"] for g in ranks} == {len(expected[0])}
        per_epoch.append(_global(ranks, key, epoch))
    assert per_epoch[0] != per_epoch[1]  # set_epoch moved every rank alike


def test_rebalance_sampler_without_set_epoch_moves_on_alike(ranks):
    single = RebalanceSampler(torch.tensor(LABELS), RandomUnderSampler())
    for epoch in range(2):
        expected = _rank_slices(list(single), len(ranks), False)
        assert [g["index/no_set_epoch"][epoch] for g in ranks] == expected


@pytest.mark.parametrize("form", ["quotas", "pk"])
@pytest.mark.parametrize("drop_last", [False, True])
def test_balanced_batches_follow_the_process_group_ranks(ranks, form, drop_last):
    world = len(ranks)
    if form == "quotas":
        kwargs = {"class_counts": {0: 2, 1: 1, 2: 1}}
    else:
        kwargs = {"classes_per_batch": 2}
    key = f"batch/{form}/{drop_last}"
    lengths = {g[key]["len"] for g in ranks} | {g[f"{key}/steps"] for g in ranks}
    assert len(lengths) == 1  # equal batch counts on every rank
    for epoch in range(2):
        # Rank r of the default process group is rank r given explicitly.
        expected = [
            _epoch(
                BalancedBatchSampler(
                    LABELS, 4, num_replicas=world, rank=r, drop_last=drop_last, **kwargs
                ),
                epoch,
            )
            for r in range(world)
        ]
        assert _global(ranks, key, epoch) == expected
        assert [len(batches) for batches in expected] == [lengths.copy().pop()] * world
        assert len({len(b) for batches in expected for b in batches}) == 1


@pytest.mark.parametrize("drop_last", [False, True])
def test_index_batches_and_tensor_loader_follow_the_rank_slices(ranks, drop_last):
    world = len(ranks)
    single = RebalanceSampler(torch.tensor(LABELS), RandomOverSampler())
    for epoch in range(2):
        mine = _rank_slices(_epoch(single, epoch), world, False)
        expected = [
            [
                m[i : i + 4]
                for i in range(0, len(m), 4)
                if not drop_last or i + 4 <= len(m)
            ]
            for m in mine
        ]
        assert _global(ranks, f"ibs/{drop_last}", epoch) == expected
        if epoch == 1:
            assert [g[f"tbl/{drop_last}"] for g in ranks] == expected
    lengths = {g[f"ibs/{drop_last}"]["len"] for g in ranks}
    assert lengths == {g[f"tbl/{drop_last}/steps"] for g in ranks}
    assert len(lengths) == 1


# --- HardExampleSampler -------------------------------------------------------


def test_hard_example_sampler_with_a_shared_pool_splits_one_global_epoch(ranks):
    # One pool on every rank (losses gathered first): the ranks' epochs are
    # the rank slices of the single-process epoch with that pool. Before, every
    # rank replayed the same pool ids at the same positions of its slice, so
    # each replayed row was trained on once per rank.
    world = len(ranks)
    single = HardExampleSampler(
        RebalanceSampler(torch.tensor(LABELS), RandomOverSampler()),
        pool_size=20,
        replay_ratio=0.5,
    )
    single.update(torch.arange(20), torch.arange(20.0))
    for epoch in range(2):
        expected = _rank_slices(_epoch(single, epoch), world, False)
        assert _global(ranks, "hard/shared", epoch) == expected


def test_hard_example_sampler_pools_are_per_rank_but_lengths_agree(ranks):
    assert len({g["hard/own"]["len"] for g in ranks}) == 1
    assert len({g["hard/own/steps"] for g in ranks}) == 1
    # Each rank keeps the pool of the losses it reports (as documented).
    assert len({tuple(g["hard/own"]["pool"]) for g in ranks}) == len(ranks)


# --- Resume on the same rank ----------------------------------------------------


@pytest.mark.parametrize("kind", ["index", "batch", "hard", "ibs"])
def test_state_dict_of_rank_r_resumes_rank_r_exactly(ranks, kind):
    for g in ranks:
        res = g["resume"][kind]
        assert res["rest"], "the epoch must not have run out"
        assert res["resumed"] == res["rest"]
    heads = [tuple(map(str, g["resume"][kind]["head"])) for g in ranks]
    assert len(set(heads)) == len(ranks)  # each rank its own share


@pytest.mark.parametrize("world", [2, 3, 5])
@pytest.mark.parametrize("drop_last", [False, True])
def test_hard_example_replay_is_drawn_before_the_rank_split(world, drop_last):
    # The same, in one process with explicit ranks and short chunks: rank
    # slices cross the chunks of the whole epoch, and the padding wraps.
    def make(**replicas):
        hard = HardExampleSampler(
            RebalanceSampler(
                torch.tensor(LABELS), RandomOverSampler(), seed=2, **replicas
            ),
            pool_size=30,
            replay_ratio=0.3,
        )
        hard._chunk_len = 7
        hard.update(torch.arange(30) + 10, torch.arange(30.0))
        return hard

    single = make()
    replayed = 0
    for epoch in range(2):
        expected = _rank_slices(_epoch(single, epoch), world, drop_last)
        for r in range(world):
            sampler = make(num_replicas=world, rank=r, drop_last=drop_last)
            assert _epoch(sampler, epoch) == expected[r]
            sampler.set_epoch(epoch)
            it = iter(sampler)
            head = [next(it) for _ in range(9)]
            fresh = make(num_replicas=world, rank=r, drop_last=drop_last)
            fresh.load_state_dict(sampler.state_dict())
            assert head + list(fresh) == expected[r]
        # The pool is replayed at all (the test would hold trivially if not).
        plain = RebalanceSampler(torch.tensor(LABELS), RandomOverSampler(), seed=2)
        draw = _epoch(plain, epoch)
        replayed += sum(a != b for a, b in zip(_epoch(single, epoch), draw))
    assert replayed > 0


# --- Losses under DDP (moved from test_review21_losses_training.py) ----------


@pytest.mark.slow
def test_ddp_gradients_of_a_sum_loss_are_the_single_process_gradients(gathered_runs):
    from rebalance.torch import losses as L

    ranks = [g["ddp_grads"] for g in gathered_runs[2]]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(12, 6, generator=g)
    t = torch.randint(0, 3, (12,), generator=g)
    t[[0, 1, 2, 7]] = -100
    yb = (torch.rand(12, 3, generator=g) < 0.3).float()
    for name, criterion, target in (
        ("softmax_sum", L.SoftmaxFocalLoss(reduction="sum"), t),
        ("sigmoid_sum", L.SigmoidFocalLoss(reduction="sum"), yb),
        ("logit_adjusted_sum",
         L.LogitAdjustedCrossEntropyLoss([5, 3, 1], reduction="sum"), t),
        ("softmax_mean", L.SoftmaxFocalLoss(), t),
    ):  # fmt: skip
        torch.manual_seed(0)
        model = torch.nn.Linear(6, 3)
        if name.endswith("_sum"):
            # DDP averages the ranks' gradients: of a sum, half the total
            criterion(model(x), target).backward()
            expected = [p.grad / 2 for p in model.parameters()]
        else:
            # 'mean' is each rank's mean over its non-ignored rows (3 and 5
            # here), averaged by DDP: not the mean over the 8 of the batch
            rows0, rows1 = slice(0, 6), slice(6, 12)
            (
                (
                    criterion(model(x[rows0]), t[rows0])
                    + criterion(model(x[rows1]), t[rows1])
                )
                / 2
            ).backward()
            expected = [p.grad for p in model.parameters()]
        for rank in ranks:
            for got, want in zip(rank[name], expected, strict=True):
                torch.testing.assert_close(
                    torch.tensor(got), want, rtol=1e-5, atol=1e-6
                )
