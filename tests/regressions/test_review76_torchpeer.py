"""Review 76, torchpeer: rebalance.torch's samplers held to the contracts
PyTorch's own tests check for its samplers (``DistributedSampler``,
``BatchSampler``, ``DataLoader``), and ``sigmoid_focal_loss`` held to
torchvision's ``sigmoid_focal_loss`` formula (written out here: torchvision is
not installed)."""

import contextlib
import itertools
import pickle
import warnings

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch.utils.data import BatchSampler, DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
    sigmoid_focal_loss,
)

LABELS = torch.tensor([0] * 11 + [1] * 4 + [2] * 2)


def _distributed_split(full, num_replicas, drop_last):
    """What ``DistributedSampler`` gives each rank from the epoch ``full``."""
    n = len(full)
    per_rank = n // num_replicas if drop_last else -(-n // num_replicas)
    total = per_rank * num_replicas
    padded = [full[k % n] for k in range(total)]
    return [padded[rank:total:num_replicas] for rank in range(num_replicas)]


@pytest.mark.parametrize("estimator", [None, RandomUnderSampler(), RandomOverSampler()])
@pytest.mark.parametrize("num_replicas", [1, 2, 3, 5])
@pytest.mark.parametrize("drop_last", [False, True])
def test_rank_split_is_distributed_samplers(estimator, num_replicas, drop_last):
    single = RebalanceSampler(LABELS, estimator, seed=1)
    single.set_epoch(3)
    expected = _distributed_split(list(single), num_replicas, drop_last)
    for rank in range(num_replicas):
        sampler = RebalanceSampler(
            LABELS,
            estimator,
            seed=1,
            num_replicas=num_replicas,
            rank=rank,
            drop_last=drop_last,
        )
        sampler.set_epoch(3)
        got = list(sampler)
        assert len(got) == len(sampler)
        assert all(type(i) is int and 0 <= i < len(LABELS) for i in got)
        assert got == expected[rank]


@pytest.mark.parametrize("drop_last", [False, True])
def test_torch_batch_sampler_and_loader_over_ours(drop_last):
    sampler = RebalanceSampler(LABELS, seed=3)
    sampler.set_epoch(0)
    full = list(sampler)
    sampler.set_epoch(0)
    batches = BatchSampler(sampler, 4, drop_last)
    got = list(batches)
    assert len(got) == len(batches)
    assert sum(got, []) == (full[: len(full) // 4 * 4] if drop_last else full)
    dataset = TensorDataset(torch.arange(len(LABELS)), LABELS)
    loader = DataLoader(dataset, batch_size=4, sampler=sampler, drop_last=drop_last)
    sampler.set_epoch(0)
    rows = [x for x, _ in loader]
    assert len(rows) == len(loader)
    assert torch.cat(rows).tolist() == sum(got, [])


@pytest.mark.parametrize("num_replicas", [1, 2, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_resume_and_pickle_yield_exactly_the_rest(num_replicas, drop_last):
    def build():
        return RebalanceSampler(
            LABELS,
            RandomOverSampler(),
            seed=5,
            num_replicas=num_replicas,
            rank=num_replicas - 1,
            drop_last=drop_last,
        )

    reference = build()
    reference.set_epoch(2)
    full = list(reference)
    for k in range(len(full)):  # position == len starts the next epoch (documented)
        sampler = build()
        sampler.set_epoch(2)
        iterator = iter(sampler)
        head = [next(iterator) for _ in range(k)]
        resumed = build()
        resumed.load_state_dict(sampler.state_dict())
        assert head + list(resumed) == full
        assert head + list(pickle.loads(pickle.dumps(sampler))) == full
        assert head + list(iterator) == full


@pytest.mark.parametrize("num_replicas", [1, 2, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_balanced_batch_sampler_len_split_and_resume(num_replicas, drop_last):
    def build(rank, replicas=num_replicas):
        return BalancedBatchSampler(
            LABELS,
            4,
            class_counts=[2, 1, 1],
            num_replicas=replicas,
            rank=rank,
            drop_last=drop_last,
            seed=2,
        )

    single = build(0, 1)
    single.set_epoch(1)
    full = list(single)
    outs = []
    for rank in range(num_replicas):
        sampler = build(rank)
        sampler.set_epoch(1)
        got = list(sampler)
        assert len(got) == len(sampler)
        assert all(len(b) == 4 and all(type(i) is int for i in b) for b in got)
        outs.append(got)
        for k in range(len(got)):
            sampler = build(rank)
            sampler.set_epoch(1)
            iterator = iter(sampler)
            head = [next(iterator) for _ in range(k)]
            resumed = build(rank)
            resumed.load_state_dict(sampler.state_dict())
            assert head + list(resumed) == got
    interleaved = [
        outs[i % num_replicas][i // num_replicas] for i in range(sum(map(len, outs)))
    ]
    m = min(len(interleaved), len(full))
    assert interleaved[:m] == full[:m]


@pytest.mark.parametrize("batch_size", [1, 4, 7, 100])
@pytest.mark.parametrize("drop_last", [False, True])
def test_index_batch_sampler_matches_per_index_loader(batch_size, drop_last):
    sampler = RebalanceSampler(LABELS, seed=1, num_replicas=2, rank=1)
    sampler.set_epoch(2)
    full = list(sampler)
    empty = drop_last and batch_size > len(full)
    warns = pytest.warns(UserWarning, match="fewer than batch_size")
    with warns if empty else contextlib.nullcontext():
        batches = IndexBatchSampler(sampler, batch_size, drop_last=drop_last)
        batches.set_epoch(2)
        got = list(batches)
    assert len(got) == len(batches)
    assert all(b.dtype == torch.int64 for b in got)
    kept = len(full) // batch_size * batch_size if drop_last else len(full)
    assert [int(i) for b in got for i in b] == full[:kept]


def test_hard_example_ranks_are_distributed_slices_of_one_epoch():
    ids, losses = torch.arange(len(LABELS)), torch.linspace(0, 1, len(LABELS))

    def build(replicas, rank):
        sampler = HardExampleSampler(
            RebalanceSampler(LABELS, seed=2, num_replicas=replicas, rank=rank),
            pool_size=4,
            replay_ratio=0.5,
        )
        sampler.update(ids, losses)
        sampler.set_epoch(1)
        return sampler

    expected = _distributed_split(list(build(1, 0)), 3, False)
    for rank in range(3):
        sampler = build(3, rank)
        got = list(sampler)
        assert len(got) == len(sampler)
        assert got == expected[rank]


def test_loader_with_fork_workers_and_persistent_workers():
    dataset = TensorDataset(torch.arange(len(LABELS)), LABELS)
    sampler = RebalanceSampler(LABELS, seed=3)
    loader = DataLoader(
        dataset,
        batch_size=4,
        sampler=sampler,
        num_workers=2,
        persistent_workers=True,
        multiprocessing_context="fork",
    )
    for epoch in range(2):
        sampler.set_epoch(epoch)
        got = torch.cat([x for x, _ in loader]).tolist()
        reference = RebalanceSampler(LABELS, seed=3)
        reference.set_epoch(epoch)
        assert got == list(reference)


def test_draw_ignores_torch_global_seed_and_loader_generator():
    # documented: seed is the only source of randomness
    dataset = TensorDataset(torch.arange(len(LABELS)), LABELS)
    draws = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        loader = DataLoader(
            dataset,
            batch_size=4,
            sampler=RebalanceSampler(LABELS, seed=4),
            generator=torch.Generator().manual_seed(seed),
        )
        draws.append(torch.cat([x for x, _ in loader]).tolist())
    assert draws[0] == draws[1]


def _torchvision_sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss, as written there (alpha < 0: none)."""
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_sigmoid_focal_loss_is_torchvisions_formula(dtype):
    for soft, alpha, gamma, reduction in itertools.product(
        [False, True], [0.25, None, 0.0, 1.0], [0, 0.5, 2, 5], ["none", "mean", "sum"]
    ):
        _check_focal(dtype, soft, alpha, gamma, reduction)


def _check_focal(dtype, soft, alpha, gamma, reduction):
    case = (dtype, soft, alpha, gamma, reduction)
    gen = torch.Generator().manual_seed(0)
    # |logits| <= 12: torchvision's 1 - p_t cancels to 0 beyond (rebalance's
    # fused loss stays exact there, which this reference cannot check)
    base = (torch.rand(5, 7, generator=gen, dtype=torch.float64) - 0.5) * 24
    if soft:
        target = torch.rand(5, 7, generator=gen, dtype=torch.float64)
        target[0, :2] = torch.tensor([0.0, 1.0])
    else:
        target = (torch.rand(5, 7, generator=gen) > 0.6).double()
    logits = base.to(dtype).clone().requires_grad_()
    target_in = target.to(dtype)
    before = (logits.detach().clone(), target_in.clone())
    out = sigmoid_focal_loss(
        logits, target_in, alpha=alpha, gamma=gamma, reduction=reduction
    )
    assert torch.equal(logits.detach(), before[0]), case
    assert torch.equal(target_in, before[1]), case
    reference_logits = logits.detach().double().requires_grad_()
    reference = _torchvision_sigmoid_focal_loss(
        reference_logits,
        target_in.double(),
        -1 if alpha is None else alpha,
        gamma,
        reduction,
    )
    assert out.shape == reference.shape, case
    weight = torch.randn(reference.shape, generator=gen, dtype=torch.float64)
    (out.double() * weight).sum().backward()
    (reference * weight).sum().backward()
    rtol = {torch.float32: 1e-5, torch.float64: 1e-10, torch.bfloat16: 2e-2}[dtype]
    scale = reference.abs().max().item() + 1e-12
    assert (out.double() - reference).abs().max().item() <= rtol * scale, case
    grad_scale = reference_logits.grad.abs().max().item() + 1e-12
    diff = (logits.grad.double() - reference_logits.grad).abs().max().item()
    assert diff <= rtol * grad_scale, case


def test_sigmoid_focal_loss_alpha_minus_one_is_a_clear_error():
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], or None"):
        sigmoid_focal_loss(torch.zeros(3), torch.ones(3), alpha=-1)


def _loader_state_warnings(num_workers, batches, estimator=None):
    """Warnings of ``sampler.state_dict()`` after the loop received
    ``batches`` batches of 4 from a DataLoader with ``num_workers``."""
    labels = torch.tensor([0] * 40 + [1] * 24)
    sampler = RebalanceSampler(labels, estimator, seed=0, num_replicas=1, rank=0)
    kwargs = {"multiprocessing_context": "fork"} if num_workers else {}
    loader = DataLoader(
        TensorDataset(torch.arange(64)),
        batch_size=4,
        sampler=sampler,
        num_workers=num_workers,
        **kwargs,
    )
    it = iter(loader)
    for _ in range(len(loader) if batches is None else batches):
        next(it)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = sampler.state_dict()
    del it
    return [str(w.message) for w in caught], state


def test_state_dict_under_reading_ahead_workers_warns():
    # Review 76: with a plain DataLoader's workers reading ahead, the saved
    # position counted batches the loop never received: a resume from it
    # skipped them, silently.
    messages, state = _loader_state_warnings(2, 1)
    assert state["position"] > 4  # the workers' read-ahead
    assert len(messages) == 1
    assert "the loop has not received" in messages[0]
    assert "StatefulDataLoader" in messages[0]
    # All received (the epoch's end, every batch handed to the loop): quiet.
    messages, _ = _loader_state_warnings(2, None)
    assert messages == []


def test_state_dict_without_workers_is_exact_and_quiet():
    messages, state = _loader_state_warnings(0, 3)
    assert messages == []
    assert state["position"] == 12
