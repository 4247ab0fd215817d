"""Review 64, Lightning 2.x as a new user: the torch samplers in ``fit``,
resumed fits and Fabric, checked against ``set_epoch(e)`` + ``list(sampler)``."""

import collections
import warnings

import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from rebalance import RandomUnderSampler
from rebalance.torch import (
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

N_ROWS = 40
LABELS = torch.tensor([0] * 30 + [1] * 10)
FEATURES = torch.randn(N_ROWS, 3, generator=torch.Generator().manual_seed(0))


class _Rows(Dataset):
    """(row id, features, label) of each row."""

    def __len__(self):
        return N_ROWS

    def __getitem__(self, i):
        return torch.as_tensor(i), FEATURES[i], LABELS[i]


def _tensors():
    return TensorDataset(torch.arange(N_ROWS), FEATURES, LABELS)


def _under(seed=3):
    return RebalanceSampler(LABELS, RandomUnderSampler(), seed=seed)  # 20 a epoch


def _balanced():
    return BalancedBatchSampler(LABELS, 8, class_counts=[6, 2], seed=1)


def _expected(make_sampler, epochs):
    """Epoch e of a fresh sampler: set_epoch(e), then list(sampler)."""
    out = []
    for epoch in range(epochs):
        sampler = make_sampler()
        sampler.set_epoch(epoch)
        items = list(sampler)
        if items and not isinstance(items[0], int):
            items = [int(i) for batch in items for i in batch]
        out.append(items)
    return out


@pytest.fixture(scope="module")
def lightning():
    return pytest.importorskip("lightning")


def _model(lightning, train_loader, hard=None, val_loader=None):
    class Model(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 2)
            self.seen = collections.defaultdict(list)
            self.batches = []
            self.val_seen = []

        def training_step(self, batch, _):
            ids, x, y = batch
            self.seen[self.current_epoch] += ids.tolist()
            self.batches.append((ids.tolist(), y.tolist()))
            losses = torch.nn.functional.cross_entropy(
                self.layer(x), y, reduction="none"
            )
            if hard is not None:
                hard.update(ids, losses.detach())
            return losses.mean()

        def validation_step(self, batch, _):
            self.val_seen += batch[0].tolist()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def train_dataloader(self):
            return train_loader()

    model = Model()
    if val_loader is not None:
        model.val_dataloader = val_loader
    return model


def _fit(lightning, model, data=None, ckpt_path=None, **trainer_args):
    trainer_args.setdefault("max_epochs", 2)
    trainer_args.setdefault("enable_checkpointing", False)
    trainer = lightning.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **trainer_args,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="lightning")
        warnings.filterwarnings("ignore", message=".*(workers|LeafSpec).*")
        trainer.fit(model, data, ckpt_path=ckpt_path)
    return trainer


@pytest.mark.parametrize("use_distributed_sampler", [True, False])
def test_each_epoch_is_the_samplers_draw_and_validation_is_left_alone(
    lightning, use_distributed_sampler
):
    sampler = _under()
    model = _model(
        lightning,
        lambda: DataLoader(_Rows(), batch_size=8, sampler=sampler),
        val_loader=lambda: DataLoader(_Rows(), batch_size=16),
    )
    _fit(
        lightning,
        model,
        use_distributed_sampler=use_distributed_sampler,
        num_sanity_val_steps=1,
        val_check_interval=0.5,
        reload_dataloaders_every_n_epochs=1,
    )
    expected = _expected(_under, 2)
    assert dict(model.seen) == {0: expected[0], 1: expected[1]}
    assert expected[0] != expected[1]
    assert all(LABELS[e].bincount().tolist() == [10, 10] for e in expected)
    # A sanity step (16 rows), then whole validations, each in order.
    n_runs = (len(model.val_seen) - 16) // N_ROWS
    assert n_runs >= 4
    assert model.val_seen == list(range(16)) + list(range(N_ROWS)) * n_runs


def test_limit_train_batches_takes_each_epochs_first_batches(lightning):
    sampler = _under()
    model = _model(
        lightning, lambda: DataLoader(_Rows(), batch_size=8, sampler=sampler)
    )
    _fit(lightning, model, limit_train_batches=2, accumulate_grad_batches=2)
    expected = _expected(_under, 2)
    assert dict(model.seen) == {0: expected[0][:16], 1: expected[1][:16]}


def test_balanced_index_and_hard_samplers_under_fit(lightning):
    balanced, index = _balanced(), IndexBatchSampler(_under(), 8)
    model = _model(lightning, lambda: DataLoader(_Rows(), batch_sampler=balanced))
    _fit(lightning, model)
    assert dict(model.seen) == dict(enumerate(_expected(_balanced, 2)))
    assert all(torch.tensor(y).bincount().tolist() == [6, 2] for _, y in model.batches)
    model = _model(
        lightning, lambda: DataLoader(_tensors(), sampler=index, batch_size=None)
    )
    _fit(lightning, model)
    assert dict(model.seen) == dict(enumerate(_expected(_under, 2)))

    hard = HardExampleSampler(_under(), pool_size=4)
    model = _model(
        lightning, lambda: DataLoader(_Rows(), batch_size=8, sampler=hard), hard=hard
    )
    _fit(lightning, model)
    assert model.seen[0] == _expected(_under, 1)[0]
    # A quarter of epoch 1 (5 of 20 places) replays the pool of 4 hard rows.
    base = _expected(_under, 2)[1]
    replayed = [i for i, b in zip(model.seen[1], base, strict=True) if i != b]
    assert len(model.seen[1]) == 20 and 0 < len(replayed) <= 5
    # The pool holds rows whose losses epoch 0 reported.
    assert set(replayed) <= set(model.seen[0])


def test_rebalanced_loader_reloaded_every_epoch(lightning):
    make_loader = RebalancedLoader(
        sampler=RandomUnderSampler(), seed=3, labels_from=lambda d: d.tensors[2]
    )
    model = _model(lightning, lambda: make_loader(_tensors(), batch_size=8))
    _fit(lightning, model, reload_dataloaders_every_n_epochs=1)
    assert dict(model.seen) == dict(enumerate(_expected(_under, 2)))


def test_fabric_sets_each_epoch(lightning):
    from lightning.fabric import Fabric

    fabric = Fabric(accelerator="cpu", devices=1)
    sampler = _under()
    loader = fabric.setup_dataloaders(
        DataLoader(_Rows(), batch_size=8, sampler=sampler)
    )
    seen = [[i for ids, _, _ in loader for i in ids.tolist()] for _ in range(2)]
    assert seen == _expected(_under, 2)


def test_state_after_workers_drew_the_epoch_before_set_epoch():
    # Lightning's first epoch: iter(loader), whose workers draw all of a short
    # epoch, then set_epoch(0). The loop is in epoch 0, which ran out: the
    # state was "epoch 0 from its start", so a checkpoint taken at its end
    # (a LightningDataModule saving the sampler's state) resumed on epoch 0
    # again instead of epoch 1.
    sampler = _under()
    loader = DataLoader(_Rows(), batch_size=8, sampler=sampler, num_workers=2)
    iterator = iter(loader)
    sampler.set_epoch(0)
    seen = [i for ids, _, _ in iterator for i in ids.tolist()]
    assert seen == _expected(_under, 1)[0]
    state = sampler.state_dict()
    assert (state["epoch"], state["position"], state["previous_finished"]) == (
        1,
        0,
        True,
    )
    resumed = _under()
    resumed.load_state_dict(state)
    resumed.set_epoch(1)
    assert list(resumed) == _expected(_under, 2)[1]


def test_a_loop_restarting_a_prefetched_epoch_still_gets_it_again():
    # Only an epoch the loop has received nothing of counts as the one it is
    # in: after a batch of it, set_epoch(0) asks for epoch 0 again.
    sampler = _under()
    loader = DataLoader(_Rows(), batch_size=8, sampler=sampler, num_workers=2)
    iterator = iter(loader)
    next(iterator)
    sampler.set_epoch(0)
    assert [i for ids, _, _ in loader for i in ids.tolist()] == _expected(_under, 1)[0]
    del iterator


def test_epoch_end_checkpoint_with_workers_resumes_the_next_epoch(lightning, tmp_path):
    from lightning.pytorch.callbacks import ModelCheckpoint

    class Data(lightning.LightningDataModule):
        def __init__(self):
            super().__init__()
            self.sampler = _under()

        def train_dataloader(self):
            return DataLoader(
                _Rows(), batch_size=8, sampler=self.sampler, num_workers=2
            )

        def state_dict(self):
            return {"sampler": self.sampler.state_dict()}

        def load_state_dict(self, state):
            self.sampler.load_state_dict(state["sampler"])

    save = ModelCheckpoint(
        dirpath=tmp_path,
        every_n_epochs=1,
        save_top_k=-1,
        filename="e{epoch}",
        auto_insert_metric_name=False,
    )
    full = _model(lightning, None)
    _fit(lightning, full, Data(), callbacks=[save], enable_checkpointing=True)
    assert dict(full.seen) == dict(enumerate(_expected(_under, 2)))
    resumed = _model(lightning, None)
    _fit(lightning, resumed, Data(), ckpt_path=str(tmp_path / "e0.ckpt"))
    assert dict(resumed.seen) == {1: full.seen[1]}
