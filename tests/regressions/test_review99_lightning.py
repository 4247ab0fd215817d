"""Review 99 lightning: rebalance's samplers, loaders and focal losses under Lightning.

Pins that Lightning 2.6 (default ``use_distributed_sampler=True``) keeps the
samplers, calls ``set_epoch`` so each epoch is the sampler's own draw, that
``limit_train_batches`` / ``max_steps`` / ``reload_dataloaders_every_n_epochs``
see a prefix of that draw, that a mid-epoch checkpoint resumes exactly with a
``TensorBatchLoader`` (and, as the README says, not with a plain ``DataLoader``),
that Fabric's ``setup_dataloaders`` advances the epochs, and that the focal
losses train under ``precision="bf16-mixed"`` on the CPU.
"""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")

from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    TensorBatchLoader,
)

Y = torch.tensor([0] * 90 + [1] * 10)
X = torch.arange(100, dtype=torch.float32)[:, None]  # feature = row id
DATA = TensorDataset(X, Y)


def _sampler():
    return RebalanceSampler(Y, RandomUnderSampler(), seed=0)


def _draw(epoch):
    sampler = _sampler()
    sampler.set_epoch(epoch)
    return [int(i) for i in sampler]


class _Model(L.LightningModule):
    def __init__(self, loss=None, out=2):
        super().__init__()
        self.lin = torch.nn.Linear(1, out)
        self.loss = loss
        self.seen = {}
        self.losses = []
        self.grads = []
        self.validated = []

    def training_step(self, batch, _):
        xb, yb = batch
        self.seen.setdefault(self.current_epoch, []).extend(xb[:, 0].long().tolist())
        z = self.lin(xb)
        if self.loss is None:
            loss = torch.nn.functional.cross_entropy(z, yb)
        elif z.shape[1] == 1:
            loss = self.loss(z[:, 0], yb.float())
        else:
            loss = self.loss(z, yb)
        self.losses.append(loss.detach())
        return loss

    def on_after_backward(self):
        self.grads.append(self.lin.weight.grad.detach().clone())

    def validation_step(self, batch, _):
        self.validated.extend(batch[0][:, 0].long().tolist())

    def predict_step(self, batch, _):
        return self.lin(batch[0])

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)


def _trainer(**kwargs):
    kwargs.setdefault("max_epochs", 2)
    kwargs.setdefault("enable_checkpointing", False)
    return L.Trainer(
        accelerator="cpu",
        devices=1,
        enable_progress_bar=False,
        logger=False,
        enable_model_summary=False,
        **kwargs,
    )


@pytest.mark.parametrize("form", ["sampler", "index_batches", "tensor_loader"])
def test_each_epoch_is_the_samplers_draw(form):
    class Data(L.LightningDataModule):
        def __init__(self):
            super().__init__()
            self.sampler = _sampler()

        def train_dataloader(self):
            if form == "sampler":
                return DataLoader(DATA, batch_size=8, sampler=self.sampler)
            if form == "index_batches":
                batches = IndexBatchSampler(self.sampler, 8)
                return DataLoader(DATA, sampler=batches, batch_size=None)
            return TensorBatchLoader(X, Y, sampler=self.sampler, batch_size=8)

    model = _Model()
    _trainer().fit(model, datamodule=Data())
    assert model.seen == {0: _draw(0), 1: _draw(1)}
    assert len(model.seen[0]) == 20  # 10 rows of each class
    assert model.seen[0] != model.seen[1]


def test_balanced_batch_sampler_kept_and_reseeded():
    def loader():
        batches = BalancedBatchSampler(Y, 8, class_counts=[4, 4], seed=0)
        return DataLoader(DATA, batch_sampler=batches)

    model = _Model()
    _trainer().fit(model, loader())
    reference = loader()
    for epoch in (0, 1):
        reference.batch_sampler.set_epoch(epoch)
        rows = [int(v) for xb, _ in reference for v in xb[:, 0]]
        assert model.seen[epoch] == rows
        assert sum(Y[rows]).item() == len(rows) // 2
    assert model.seen[0] != model.seen[1]


def test_limit_batches_max_steps_and_reload_see_prefixes_of_the_draw():
    model = _Model()
    _trainer(limit_train_batches=2).fit(
        model, DataLoader(DATA, batch_size=8, sampler=_sampler())
    )
    assert model.seen == {0: _draw(0)[:16], 1: _draw(1)[:16]}

    model = _Model()
    _trainer(max_steps=4, max_epochs=-1).fit(
        model, DataLoader(DATA, batch_size=8, sampler=_sampler())
    )
    assert model.seen == {0: _draw(0), 1: _draw(1)[:8]}

    class Data(L.LightningDataModule):
        def __init__(self):
            super().__init__()
            self.sampler = _sampler()
            self.calls = 0

        def train_dataloader(self):
            self.calls += 1
            return DataLoader(DATA, batch_size=8, sampler=self.sampler)

    model, data = _Model(), Data()
    _trainer(reload_dataloaders_every_n_epochs=1).fit(model, datamodule=data)
    assert data.calls == 2
    assert model.seen == {0: _draw(0), 1: _draw(1)}


@pytest.mark.parametrize("form", ["tensor_loader", "plain_dataloader"])
def test_mid_epoch_checkpoint_resume(tmp_path, form):
    def loader():
        if form == "tensor_loader":
            return TensorBatchLoader(X, Y, sampler=_sampler(), batch_size=4)
        return DataLoader(DATA, batch_size=4, sampler=_sampler())

    checkpoint = ModelCheckpoint(dirpath=tmp_path, every_n_train_steps=2, save_top_k=-1)
    full = _Model()
    _trainer(enable_checkpointing=True, callbacks=[checkpoint]).fit(full, loader())
    assert full.seen == {0: _draw(0), 1: _draw(1)}

    resumed = _Model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _trainer().fit(
            resumed, loader(), ckpt_path=str(tmp_path / "epoch=0-step=2.ckpt")
        )
    # Five batches of 4 per epoch; the checkpoint is after two of epoch 0.
    assert len(resumed.seen[0]) == 12
    assert resumed.seen[1] == _draw(1)
    if form == "tensor_loader":
        assert resumed.seen[0] == _draw(0)[8:]
    else:
        # README: a plain DataLoader restarts the epoch's draw from its first
        # batch and trains only as many batches as were left.
        assert resumed.seen[0] == _draw(0)[:12]


def test_hard_example_pool_resumes_mid_epoch_with_tensor_loader(tmp_path):
    # The pool of hard rows travels in TensorBatchLoader's state (README).
    features = torch.randn(100, 1, generator=torch.Generator().manual_seed(0))
    holder = {}

    class Hard(L.LightningModule):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.lin = torch.nn.Linear(1, 2)
            self.seen = {}

        def training_step(self, batch, _):
            xb, yb, ids = batch
            self.seen.setdefault(self.current_epoch, []).extend(ids.tolist())
            loss = torch.nn.functional.cross_entropy(self.lin(xb), yb, reduction="none")
            holder["sampler"].update(ids, loss.detach())
            return loss.mean()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.5)

    def loader():
        holder["sampler"] = HardExampleSampler(
            _sampler(), pool_size=8, replay_ratio=0.5
        )
        rows = torch.arange(100)
        return TensorBatchLoader(
            features, Y, rows, sampler=holder["sampler"], batch_size=5
        )

    checkpoint = ModelCheckpoint(dirpath=tmp_path, every_n_train_steps=6, save_top_k=-1)
    full = Hard()
    _trainer(max_epochs=3, enable_checkpointing=True, callbacks=[checkpoint]).fit(
        full, loader()
    )
    resumed = Hard()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "empty pool" warning
        warnings.filterwarnings("ignore", module="lightning")
        _trainer(max_epochs=3).fit(
            resumed, loader(), ckpt_path=str(tmp_path / "epoch=1-step=6.ckpt")
        )
    # Four batches of 5 per epoch; the checkpoint is after two of epoch 1.
    assert resumed.seen[1] == full.seen[1][10:]
    assert resumed.seen[2] == full.seen[2]
    assert full.seen[2] != _draw(2)  # hard rows were replayed


def test_fabric_setup_dataloaders_advances_the_epochs():
    fabric = L.Fabric(accelerator="cpu", devices=1)
    loader = fabric.setup_dataloaders(
        DataLoader(DATA, batch_size=8, sampler=_sampler())
    )
    epochs = [[int(v) for xb, _ in loader for v in xb[:, 0]] for _ in range(2)]
    assert epochs == [_draw(0), _draw(1)]


@pytest.mark.parametrize(
    ("loss", "out"), [(SigmoidFocalLoss(), 1), (SoftmaxFocalLoss(gamma=2.0), 2)]
)
def test_focal_losses_bf16_mixed_on_cpu(loss, out):
    model = _Model(loss, out)
    trainer = _trainer(precision="bf16-mixed", num_sanity_val_steps=0)
    trainer.fit(
        model,
        DataLoader(DATA, batch_size=8, sampler=_sampler()),
        DataLoader(DATA, batch_size=50),
    )
    assert len(model.losses) == 6
    assert all(torch.isfinite(v).all() for v in model.losses)
    assert all(torch.isfinite(g).all() and g.abs().sum() > 0 for g in model.grads)
    # Validation and prediction loaders are left as they were (no sampler swap).
    assert model.validated == list(range(100)) * 2
    predictions = trainer.predict(model, DataLoader(DATA, batch_size=30))
    assert torch.cat(predictions).shape == (100, out)
