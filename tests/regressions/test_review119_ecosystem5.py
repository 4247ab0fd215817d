"""Review 119 ecosystem5: rebalance's losses and samplers inside PyTorch Lightning,
skorch and scikit-learn/imbalanced-learn pipelines, and the losses as plain criteria.

The cross-entropy-style losses reduce to torch's own losses at their neutral
settings (reduction, ignore_index, label smoothing, probability targets,
K-dimensional inputs, ``weight``/``pos_weight``); a ``RebalanceSampler`` in a
Lightning ``Trainer`` with ``use_distributed_sampler=False`` still trains each
epoch on that epoch's draw; a skorch net with a weighted rebalance criterion
fits inside an imbalanced-learn ``Pipeline`` under ``GridSearchCV`` and keeps
its class weights through ``clone``.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from rebalance.torch import losses as L  # noqa: E402

REDUCTIONS = ["mean", "sum", "none"]


def _data():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 3, generator=gen)
    target = torch.tensor([0, 1, 2, -100, 1, 0])
    probs = torch.softmax(torch.randn(6, 3, generator=gen), 1)
    return logits, target, probs


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_weighted_cross_entropy_is_torch_weighted_cross_entropy(reduction):
    x, t, p = _data()
    w = torch.tensor([1.0, 2.0, 3.0])
    for target in (t, p):
        for smoothing in (0.0, 0.2):
            got = L.class_weighted_cross_entropy(
                x, target, w, reduction=reduction, label_smoothing=smoothing
            )
            ref = F.cross_entropy(
                x, target, weight=w, reduction=reduction, label_smoothing=smoothing
            )
            torch.testing.assert_close(got, ref)
    xk = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1))
    tk = torch.tensor([[-100, 1, 2, 0], [2, 2, 0, 1]])
    torch.testing.assert_close(
        L.class_weighted_cross_entropy(xk, tk, w, reduction=reduction),
        F.cross_entropy(xk, tk, weight=w, reduction=reduction),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_neutral_settings_reduce_to_plain_cross_entropy(reduction):
    x, t, p = _data()
    ref = F.cross_entropy(x, t, reduction=reduction)
    torch.testing.assert_close(
        L.logit_adjusted_cross_entropy(x, t, [1, 1, 1], reduction=reduction), ref
    )
    torch.testing.assert_close(
        L.balanced_softmax_cross_entropy(x, t, [2, 2, 2], reduction=reduction), ref
    )
    torch.testing.assert_close(
        L.class_scaled_cross_entropy(
            x, t, class_index=1, scale=1.0, reduction=reduction
        ),
        ref,
    )
    torch.testing.assert_close(
        L.weighted_softmax_loss(x, t, 1.0, 1, reduction=reduction), ref
    )
    torch.testing.assert_close(
        L.softmax_focal_loss(x, t, gamma=0.0, reduction=reduction), ref
    )
    torch.testing.assert_close(
        L.softmax_focal_loss(x, p, gamma=0.0, reduction=reduction),
        F.cross_entropy(x, p, reduction=reduction),
    )
    torch.testing.assert_close(
        L.softmax_focal_loss(x, t, gamma=0.0, reduction=reduction, label_smoothing=0.2),
        F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses_match_bce_with_logits(reduction):
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(5, 2, generator=gen)
    hard = torch.tensor([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    soft = torch.rand(5, 2, generator=gen)
    pw = torch.tensor([3.0, 0.5])
    for target in (hard, soft):
        torch.testing.assert_close(
            L.sigmoid_focal_loss(
                x, target, alpha=None, gamma=0.0, reduction=reduction, pos_weight=pw
            ),
            F.binary_cross_entropy_with_logits(
                x, target, reduction=reduction, pos_weight=pw
            ),
        )
    x1 = torch.randn(6, generator=gen)
    t1 = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    torch.testing.assert_close(
        L.class_weighted_binary_cross_entropy(
            x1, t1, {0: 1.0, 1: 4.0}, reduction=reduction
        ),
        F.binary_cross_entropy_with_logits(
            x1, t1, weight=torch.where(t1 == 1, 4.0, 1.0), reduction=reduction
        ),
    )


def test_lightning_without_distributed_sampler_trains_each_epochs_draw():
    pl = pytest.importorskip("lightning.pytorch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance import RandomUnderSampler
    from rebalance.torch import ClassWeightedCrossEntropyLoss, RebalanceSampler

    for name in ("lightning", "lightning.pytorch", "pytorch_lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)
    y = torch.tensor([0] * 40 + [1] * 10)
    X = torch.cat([torch.arange(50.0)[:, None], torch.randn(50, 2)], 1)
    seen: list[tuple[int, list[int], list[int]]] = []

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 2)
            self.crit = ClassWeightedCrossEntropyLoss([1.0, 4.0])

        def training_step(self, batch, _):
            x, t = batch
            seen.append((self.current_epoch, x[:, 0].long().tolist(), t.tolist()))
            return self.crit(self.lin(x), t)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    sampler = RebalanceSampler(y, RandomUnderSampler(), seed=3)
    loader = DataLoader(TensorDataset(X, y), batch_size=5, sampler=sampler)
    trainer = pl.Trainer(
        max_epochs=2,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        use_distributed_sampler=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(Module(), loader)
    assert trainer.train_dataloader.sampler is sampler
    for epoch in (0, 1):
        rows = [r for e, batch, _ in seen if e == epoch for r in batch]
        labels = [c for e, _, batch in seen if e == epoch for c in batch]
        draw = sampler.plan.draw(np.random.default_rng([3, epoch])).tolist()
        assert rows == draw
        assert labels == y[draw].tolist()
        assert np.bincount(labels).tolist() == [10, 10]


def test_skorch_weighted_criterion_in_imblearn_pipeline_grid_search():
    skorch = pytest.importorskip("skorch")
    pytest.importorskip("imblearn")
    from imblearn.pipeline import Pipeline
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from rebalance import RandomUnderSampler
    from rebalance.torch import ClassWeightedCrossEntropyLoss

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(40), np.ones(10)].astype(np.int64)
    X = (rng.normal(size=(50, 3)) + y[:, None]).astype(np.float32)

    class Lin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.lin(x)

    net = skorch.NeuralNetClassifier(
        Lin,
        criterion=ClassWeightedCrossEntropyLoss,
        criterion__class_weight={0: 1.0, 1: 4.0},
        predict_nonlinearity=lambda z: torch.softmax(z, dim=-1),
        max_epochs=1,
        verbose=0,
        train_split=None,
    )
    assert clone(net).get_params()["criterion__class_weight"] == {0: 1.0, 1: 4.0}
    pipe = Pipeline([("s", RandomUnderSampler(random_state=0)), ("net", net)])
    grid = GridSearchCV(
        pipe, {"net__criterion__class_weight": [[1.0, 1.0], [1.0, 3.0]]}, cv=2
    ).fit(X, y)
    fitted = grid.best_estimator_.named_steps["net"]
    weight = fitted.criterion_.class_weight
    assert torch.as_tensor(weight).tolist() == list(
        grid.best_params_["net__criterion__class_weight"]
    )
    proba = grid.predict_proba(X)
    assert proba.shape == (50, 2) and np.allclose(proba.sum(1), 1, atol=1e-5)
