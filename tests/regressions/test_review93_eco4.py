"""Review 93, eco4: rebalance inside skorch and PyTorch Lightning as users
combine them (RebalancedLoader as skorch's ``iterator_train``, skorch's
internal validation split with pandas labels, a Lightning mid-epoch resume
through a stateful loader)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
pd = pytest.importorskip("pandas")

from skorch.dataset import ValidSplit  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    SoftmaxFocalLoss,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4)).astype(np.float32)
Y = np.array([0] * 40 + [1] * 14 + [2] * 6)


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, X):
        return self.linear(X)


def test_rebalanced_loader_class_as_iterator_train_names_the_fix():
    # skorch's idiom is a loader class plus iterator_train__* parameters; with
    # RebalancedLoader that class is called as RebalancedLoader(dataset,
    # sampler=..., batch_size=..., shuffle=...), so the Subset lands in
    # sampler_class and the error names an argument the user never gave.
    net = skorch.NeuralNetClassifier(
        _Net,
        criterion=SoftmaxFocalLoss,
        iterator_train=RebalancedLoader,
        iterator_train__sampler=RandomUnderSampler(),
        max_epochs=1,
        train_split=None,
        verbose=0,
    )
    try:
        net.fit(X, Y)
    except TypeError as exc:
        message = str(exc)
        assert "iterator_train=RebalancedLoader(" in message, message


def test_skorch_valid_split_with_a_series_of_shuffled_index_draws_training_rows():
    # y as a pandas Series whose index is not 0..n-1: the loader reads the
    # training Subset's labels by position, balances them, and never draws a
    # validation row.
    seen = []

    class Recording(_Net):
        def forward(self, X):
            seen.append(X.detach().clone())
            return super().forward(X)

    y = pd.Series(Y, index=RNG.permutation(len(Y)) * 3)
    split = ValidSplit(5, stratified=True)
    net = skorch.NeuralNetClassifier(
        Recording,
        criterion=SoftmaxFocalLoss,
        predict_nonlinearity=lambda z: torch.softmax(z, dim=-1),
        iterator_train=RebalancedLoader(sampler=RandomUnderSampler(), seed=0),
        train_split=split,
        batch_size=1000,
        max_epochs=1,
        verbose=0,
    ).fit(X, y)
    train_rows = [int(np.flatnonzero((X == row.numpy()).all(1))[0]) for row in seen[0]]
    valid_rows = {int(np.flatnonzero((X == row.numpy()).all(1))[0]) for row in seen[1]}
    assert not valid_rows & set(train_rows)
    assert np.bincount(Y[train_rows]).tolist() == [5, 5, 5]
    proba = net.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)


LABELS = torch.tensor([0] * 40 + [1] * 14 + [2] * 6)
IDS = torch.arange(len(LABELS))
DATA = TensorDataset(IDS.float()[:, None], LABELS, IDS)


def _module(lightning):
    class Module(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 3)
            self.loss = SoftmaxFocalLoss(alpha=[0.2, 0.3, 0.5])
            self.seen = {}

        def training_step(self, batch, _):
            x, y, ids = batch
            self.seen.setdefault(self.current_epoch, []).extend(ids.tolist())
            return self.loss(self.linear(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    return Module()


def _trainer(lightning, tmp_path, **kwargs):
    options = dict(
        accelerator="cpu",
        devices=1,
        max_epochs=2,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
    )
    options.update(kwargs)
    return lightning.Trainer(**options)


def test_lightning_stateful_loader_resumes_mid_epoch(tmp_path):
    lightning = pytest.importorskip("lightning")
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    from lightning.pytorch.callbacks import ModelCheckpoint

    def loader(kind):
        if kind == "sampler":
            sampler = RebalanceSampler(LABELS, RandomUnderSampler(), seed=5)
            return stateful.StatefulDataLoader(DATA, batch_size=4, sampler=sampler)
        batches = BalancedBatchSampler(LABELS, batch_size=6, class_counts=[2, 2, 2])
        return stateful.StatefulDataLoader(DATA, batch_sampler=batches)

    for kind, batch_size in (("sampler", 4), ("batches", 6)):
        folder = tmp_path / kind
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = _module(lightning)
            save = ModelCheckpoint(
                dirpath=folder,
                every_n_train_steps=2,
                save_top_k=-1,
                filename="s{step}",
                auto_insert_metric_name=False,
            )
            _trainer(
                lightning, folder, enable_checkpointing=True, callbacks=[save]
            ).fit(full, loader(kind))
            resumed = _module(lightning)
            _trainer(lightning, folder).fit(
                resumed, loader(kind), ckpt_path=str(folder / "s2.ckpt")
            )
        assert full.seen[0] != full.seen[1]
        assert resumed.seen == {0: full.seen[0][2 * batch_size :], 1: full.seen[1]}
