"""Review 54 (stateful): torchdata ``StatefulDataLoader`` checkpoints of every
stateful sampler of rebalance.torch, with 0 and 2 workers (fork).

A loop saves the loader's state before an epoch's first batch, after
``iter()``, mid-epoch, after the epoch's last batch (before the loader saw
its end), after the epoch ran out (resumed at the next epoch, or at the
saved one again), resumes in a freshly built loader with and without
``set_epoch``. Oracle: the batches of the uninterrupted run, the same as
the batches before the save followed by those after the restore.
"""

import functools
import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")
stateful = pytest.importorskip("torchdata.stateful_dataloader")

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

pytestmark = pytest.mark.filterwarnings("ignore")

Y = np.array([0] * 23 + [1] * 7 + [2] * 5)
N_EPOCHS = 3
KINDS = ["rebalance", "rebalance_long", "hard", "balanced", "index", "index_of_batches"]
# The resume matrix: an epoch no longer than the workers' prefetch (4
# batches) and a longer one, per-index, batch, replay and index-batch paths.
MATRIX_KINDS = ["rebalance", "rebalance_long", "balanced", "index"]


def _round_trip(state):
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def _build(kind, workers, persistent=False, snapshot=1):
    dataset = torch.utils.data.TensorDataset(torch.arange(len(Y)), torch.tensor(Y))
    kwargs = {"num_workers": workers, "snapshot_every_n_steps": snapshot}
    if workers:
        kwargs["multiprocessing_context"] = "fork"
        kwargs["persistent_workers"] = persistent
    if kind == "balanced":
        sampler = BalancedBatchSampler(Y, batch_size=6, seed=3)  # 11 batches
        return stateful.StatefulDataLoader(dataset, batch_sampler=sampler, **kwargs)
    if kind == "rebalance_long":
        sampler = RebalanceSampler(Y, seed=3)  # 69 rows: 18 batches
    else:
        sampler = RebalanceSampler(Y, RandomUnderSampler(), seed=3)  # 4 batches
    if kind == "hard":
        sampler = HardExampleSampler(sampler, pool_size=4, replay_ratio=0.5)
    if kind == "index":
        sampler = IndexBatchSampler(sampler, 4)
    if kind == "index_of_batches":
        sampler = IndexBatchSampler(BalancedBatchSampler(Y, batch_size=6, seed=3))
    if kind in ("index", "index_of_batches"):
        return stateful.StatefulDataLoader(
            dataset, sampler=sampler, batch_size=None, **kwargs
        )
    return stateful.StatefulDataLoader(dataset, sampler=sampler, batch_size=4, **kwargs)


def _sampler(loader):
    if isinstance(loader.batch_sampler, BalancedBatchSampler):
        return loader.batch_sampler
    return loader.sampler


def _ids(loader):
    return [ids.tolist() for ids, _ in loader]


@functools.cache
def _whole(kind, with_set_epoch):
    """The uninterrupted run's batches (the same with and without workers)."""
    loader = _build(kind, 0)
    out = []
    for epoch in range(N_EPOCHS):
        if with_set_epoch:
            _sampler(loader).set_epoch(epoch)
        out += _ids(loader)
    return out


def _interrupted(kind, workers, cut, with_set_epoch, saved_epoch, **options):
    """Batches before the save, the restored state, and the epoch the loop
    resumes at."""
    loader = _build(kind, workers, **options)
    n_batches = len(loader)
    before = []
    for epoch in range(N_EPOCHS):
        if with_set_epoch:
            _sampler(loader).set_epoch(epoch)
        if epoch == saved_epoch and cut == "before_iter":
            return before, _round_trip(loader.state_dict()), epoch
        iterator = iter(loader)
        if epoch == saved_epoch and cut == "after_iter":
            return before, _round_trip(loader.state_dict()), epoch
        for got, (ids, _) in enumerate(iterator, 1):
            before.append(ids.tolist())
            if epoch == saved_epoch and (
                (cut == "mid" and got == 3)
                or (cut == "last_batch" and got == n_batches)
            ):
                return before, _round_trip(loader.state_dict()), epoch
        if epoch == saved_epoch and cut in ("finished", "finished_asked_again"):
            resume = epoch if cut == "finished_asked_again" else epoch + 1
            return before, _round_trip(loader.state_dict()), resume
    raise AssertionError(cut)


def _resumed(kind, workers, state, resume_epoch, with_set_epoch, n_wanted, **options):
    loader = _build(kind, workers, **options)
    loader.load_state_dict(state)
    after = []
    if with_set_epoch:
        for epoch in range(resume_epoch, N_EPOCHS):
            _sampler(loader).set_epoch(epoch)
            after += _ids(loader)
        return after
    # Without set_epoch the epoch boundaries are the sampler's own: the loop
    # iterates until it has the uninterrupted run's number of batches.
    for _ in range(N_EPOCHS - resume_epoch + 1):
        if len(after) >= n_wanted:
            break
        after += _ids(loader)
    return after[:n_wanted]


def _check(kind, workers, cut, with_set_epoch, saved_epoch=1, **options):
    whole = _whole(kind, with_set_epoch)
    before, state, resume = _interrupted(
        kind, workers, cut, with_set_epoch, saved_epoch, **options
    )
    n_wanted = len(whole) - len(before)
    after = _resumed(kind, workers, state, resume, with_set_epoch, n_wanted, **options)
    assert before + after == whole


@pytest.mark.parametrize(
    ("kind", "saved_epoch"), [(kind, 1) for kind in KINDS] + [("rebalance", 0)]
)
def test_finished_epoch_asked_again_with_workers_yields_nothing_of_it(
    kind, saved_epoch
):
    # State taken after epoch `saved_epoch` ran out, restored, the loop
    # resumed with set_epoch(saved_epoch): the restored loader iterator
    # (finished) was thrown away after its prefetch had drawn the empty rest
    # of the epoch, and its replacement drew the next epoch, which the loop
    # then got twice (num_workers=0 got nothing more of the finished epoch).
    _check(kind, 2, "finished_asked_again", True, saved_epoch)


@pytest.mark.parametrize("kind", ["rebalance", "balanced"])
def test_finished_epoch_asked_again_with_persistent_workers(kind):
    _check(kind, 2, "finished_asked_again", True, persistent=True)


CUTS = ["before_iter", "after_iter", "mid", "last_batch", "finished"]


# Three of the cuts (the suite's time): the others run in the tests below.
# Without set_epoch, with worker processes, at one cut only (each case
# starts two worker processes: the suite's time).
@pytest.mark.parametrize(
    ("workers", "with_set_epoch", "cut"),
    [
        (0, flag, cut)
        for flag in (True, False)
        for cut in ("after_iter", "mid", "finished")
    ]
    + [(2, True, cut) for cut in ("after_iter", "mid", "finished")]
    + [(2, False, "mid")],
)
@pytest.mark.parametrize("kind", MATRIX_KINDS)
def test_resume_continues_the_uninterrupted_run(kind, workers, cut, with_set_epoch):
    _check(kind, workers, cut, with_set_epoch)


@pytest.mark.parametrize("kind", KINDS)
def test_finished_epoch_asked_again_without_workers(kind):
    _check(kind, 0, "finished_asked_again", True)


@pytest.mark.parametrize("cut", CUTS)
def test_resume_at_first_epoch_with_persistent_workers(cut):
    _check("rebalance", 2, cut, True, saved_epoch=0, persistent=True)


@pytest.mark.parametrize("kind", ["rebalance", "balanced"])
def test_finished_epoch_asked_again_with_snapshot_interval(kind):
    # snapshot_every_n_steps=3: the saved sampler state is the one at the
    # loader's last snapshot, inside the epoch that then ran out; restored
    # with set_epoch(saved epoch), the replacement of the thrown-away
    # iterator drew the next epoch, which the loop got twice.
    _check(kind, 2, "finished_asked_again", True, snapshot=3)


@pytest.mark.parametrize(
    ("cut", "with_set_epoch"),
    [("before_iter", True), ("mid", True), ("finished", True), ("mid", False)],
)
@pytest.mark.parametrize("kind", ["rebalance", "balanced"])
def test_resume_with_snapshot_interval(kind, cut, with_set_epoch):
    # The restored iterator thrown away after a mid-epoch snapshot of the
    # sampler is replaced by the next epoch when the loop asks for it.
    _check(kind, 2, cut, with_set_epoch, snapshot=3)
