"""Review 50: checkpoints of rebalance.torch's samplers, loaders and losses.

Saved states go through ``torch.save`` and ``torch.load(weights_only=True)``
(torch >= 2.6's default) into freshly built objects, as a resumed job does.
Oracle: the indices of the uninterrupted run.
"""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")

Y = np.array([0] * 23 + [1] * 7 + [2] * 5)


def _round_trip(state):
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def _epochs(loader, sampler, first, last, stop_before=None):
    """Batches (as lists of ids) of epochs ``first..last-1``; with
    ``stop_before``, the loader's state after ``set_epoch(stop_before)``."""
    out = []
    for epoch in range(first, last):
        sampler.set_epoch(epoch)
        if epoch == stop_before:
            return out, _round_trip(loader.state_dict())
        for ids, _ in loader:
            out.append(ids.tolist())
    return out, None


@pytest.mark.parametrize("persistent", [False, True])
@pytest.mark.parametrize("hard", [False, True])
def test_stateful_loader_epoch_end_resume_of_short_epoch(persistent, hard):
    # An epoch short enough for the restored iterator's prefetch (num_workers
    # * prefetch_factor batches) to draw all of it: torchdata throws that
    # iterator away (the saved one had run out) and the replacement drew the
    # epoch after it. Resumed at epoch 1's start, the loop got epoch 2 twice
    # and never epoch 1 (silently).
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    dataset = torch.utils.data.TensorDataset(torch.arange(len(Y)), torch.tensor(Y))

    def build():
        sampler = RebalanceSampler(Y, RandomUnderSampler(), seed=3)  # 15 rows
        if hard:
            sampler = HardExampleSampler(sampler, pool_size=4, replay_ratio=0.5)
        loader = stateful.StatefulDataLoader(
            dataset,
            sampler=sampler,
            batch_size=4,
            num_workers=2,
            multiprocessing_context="fork",
            persistent_workers=persistent,
        )
        return loader, sampler

    whole, _ = _epochs(*build(), 0, 3)
    assert len(whole) == 12
    loader, sampler = build()
    before, state = _epochs(loader, sampler, 0, 3, stop_before=1)
    assert before == whole[:4]
    loader, sampler = build()
    loader.load_state_dict(state)
    after, _ = _epochs(loader, sampler, 1, 3)
    assert after == whole[4:]


def test_jit_trace_of_model_with_focal_loss_saves_and_loads():
    from rebalance.torch import SoftmaxFocalLoss

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(5, 3)
            self.loss = SoftmaxFocalLoss(gamma=2.0)

        def forward(self, x, target):
            return self.loss(self.linear(x), target)

    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 5, generator=g)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    model = Model()
    traced = torch.jit.trace(model, (x, target), check_trace=False)
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    x_new = torch.randn(6, 5, generator=g)
    torch.testing.assert_close(loaded(x_new, target), model(x_new, target))


@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_jit_traced_training_step_with_focal_loss_gives_eager_gradients(kind):
    # The default check_trace runs; the saved module differentiates the op.
    from rebalance.torch import SigmoidFocalLoss, SoftmaxFocalLoss

    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 5, generator=g)
    if kind == "sigmoid":
        loss = SigmoidFocalLoss(gamma=2.0, pos_weight=torch.tensor([2.0, 1.0, 0.5]))
        target = (torch.rand(8, 3, generator=g) > 0.5).float()
    else:
        loss = SoftmaxFocalLoss(gamma=2.0, alpha=[0.2, 0.3, 0.5], rescale=True)
        target = torch.randint(0, 3, (8,), generator=g)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(5, 3)
            self.loss = loss

        def forward(self, x, target):
            return self.loss(self.linear(x), target)

    model = Model()
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.trace(model, (x, target)), buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    x_new = torch.randn(8, 5, generator=g)
    got = loaded(x_new, target)
    got.backward()
    want = model(x_new, target)
    want.backward()
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(loaded.linear.weight.grad, model.linear.weight.grad)
    torch.testing.assert_close(loaded.linear.bias.grad, model.linear.bias.grad)


def _finished_epoch_state(make, n_epochs=3):
    """Whole run, and the loader's state after epoch 0 ran out (its iterator
    finished, before the loop's next set_epoch)."""
    loader, sampler = make()
    whole, _ = _epochs(loader, sampler, 0, n_epochs)
    loader, sampler = make()
    sampler.set_epoch(0)
    first = [ids.tolist() for ids, _ in loader]
    return whole, first, _round_trip(loader.state_dict())


def _short_epoch_loader():
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    dataset = torch.utils.data.TensorDataset(torch.arange(len(Y)), torch.tensor(Y))
    sampler = RebalanceSampler(Y, seed=3)  # 69 rows: 18 batches
    loader = stateful.StatefulDataLoader(
        dataset,
        sampler=sampler,
        batch_size=4,
        num_workers=2,
        multiprocessing_context="fork",
    )
    return loader, sampler


def test_stateful_loader_state_after_finished_epoch_resumes_next_epoch():
    # Control for the test below: a loop resuming at the epoch after the
    # saved one gets exactly the rest of the uninterrupted run.
    whole, first, state = _finished_epoch_state(_short_epoch_loader)
    assert first == whole[:18]
    loader, sampler = _short_epoch_loader()
    loader.load_state_dict(state)
    after, _ = _epochs(loader, sampler, 1, 3)
    assert after == whole[18:]


def test_stateful_loader_finished_epoch_asked_again_yields_nothing_of_it():
    # state_dict's docstring: restored, set_epoch(epoch - 1) yields nothing
    # more of the epoch that ran out (it does with num_workers=0).
    whole, first, state = _finished_epoch_state(_short_epoch_loader)
    loader, sampler = _short_epoch_loader()
    loader.load_state_dict(state)
    after, _ = _epochs(loader, sampler, 0, 3)
    assert first + after == whole
