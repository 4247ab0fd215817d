"""Review 77 (lightning2): rebalance's torch samplers inside real Lightning runs."""

import os
import warnings

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402

LABELS = torch.tensor([0] * 24 + [1] * 8)
DATASET = TensorDataset(torch.randn(32, 3), LABELS, torch.arange(32))


def _sampler():
    return HardExampleSampler(
        RebalanceSampler(LABELS, RandomUnderSampler(), seed=0), pool_size=4
    )


def _fake_losses(ids):
    # A loss fixed by the row id, so that every run fills the same pool.
    return (ids.double() * 7) % 13


class _Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 2)
        self.sampler = _sampler()
        self.seen = {}

    def training_step(self, batch, i):
        x, y, ids = batch
        self.seen.setdefault(self.current_epoch, []).extend(ids.tolist())
        self.sampler.update(ids, _fake_losses(ids))
        return torch.nn.functional.cross_entropy(self.lin(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        return DataLoader(DATASET, batch_size=4, sampler=self.sampler)


def _trainer(**kwargs):
    return L.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


def _uninterrupted_epochs(n_epochs):
    """The rows of each epoch of a plain loop that reports every batch's losses."""
    sampler = _sampler()
    epochs = []
    for epoch in range(n_epochs):
        sampler.set_epoch(epoch)
        rows = []
        for ids in DataLoader(torch.arange(32), batch_size=4, sampler=sampler):
            rows.extend(ids.tolist())
            sampler.update(ids, _fake_losses(ids))
        epochs.append(rows)
    return epochs


def test_hard_example_replay_changes_the_second_epoch():
    # Control for the test below: the pool does change epoch 2's rows.
    epochs = _uninterrupted_epochs(3)
    fresh = _sampler()
    fresh.set_epoch(2)
    assert epochs[2] != list(fresh)


def test_hard_example_pool_survives_end_of_epoch_resume(tmp_path):
    from lightning.pytorch.callbacks import ModelCheckpoint

    # Resumed at epoch 2 (the warning leaves epoch 1 alone: the first epoch
    # of a loop counting from 1 looks the same).
    expected = _uninterrupted_epochs(3)
    first = _Model()
    checkpoint = ModelCheckpoint(
        dirpath=tmp_path, filename="c", every_n_epochs=1, save_top_k=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _trainer(max_epochs=2, callbacks=[checkpoint], num_sanity_val_steps=0).fit(
            first
        )
    assert [first.seen[0], first.seen[1]] == expected[:2]
    resumed = _Model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _trainer(max_epochs=3, enable_checkpointing=False).fit(
            resumed, ckpt_path=os.path.join(tmp_path, "c.ckpt")
        )
    assert list(resumed.seen) == [2]
    warned = [w for w in caught if "pool" in str(w.message).lower()]
    assert resumed.seen[2] == expected[2] or warned
