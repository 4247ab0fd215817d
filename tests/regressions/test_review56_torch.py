"""Review 56, torch area: training journeys as users write them (Lightning,
skorch, torch.func) and the losses against their formulas."""

from __future__ import annotations

import collections
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    SoftmaxFocalLoss,
)
from rebalance.torch import losses as L  # noqa: E402

_TOL = {
    torch.float32: 1e-5,
    torch.float64: 1e-10,
    torch.bfloat16: 2e-2,
    torch.float16: 2e-3,
}


def _reduce(loss, reduction, mask=None):
    if mask is not None:
        loss = torch.where(mask, loss, torch.zeros_like(loss))
    count = loss.numel() if mask is None else int(mask.sum())
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / count if count else loss.sum() * 0


# --------------------------------------------------------------------------
# the focal losses against their formulas written out in autograd
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", list(_TOL))
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4, 4)])
def test_sigmoid_focal_matches_torchvision_formula(dtype, shape):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(shape, generator=g) * 3).to(dtype).requires_grad_()
    y = (torch.rand(shape, generator=g) > 0.6).float()
    y.view(-1)[0] = -1.0  # ignored
    mask = y != -1
    alpha, gamma = 0.25, 1.5
    for reduction in ("none", "mean", "sum"):
        got = L.sigmoid_focal_loss(
            x, y, alpha=alpha, gamma=gamma, reduction=reduction, ignore_index=-1
        )
        assert got.dtype == torch.promote_types(dtype, torch.float32)
        xr = x.detach().double().requires_grad_()
        yc = y.clamp(0).double()
        # torchvision.ops.sigmoid_focal_loss, by formula
        p = torch.sigmoid(xr)
        ce = F.binary_cross_entropy_with_logits(xr, yc, reduction="none")
        p_t = p * yc + (1 - p) * (1 - yc)
        a_t = alpha * yc + (1 - alpha) * (1 - yc)
        ref = _reduce(a_t * ce * (1 - p_t) ** gamma, reduction, mask)
        tol = _TOL[dtype] * 10
        torch.testing.assert_close(got.double(), ref, rtol=tol, atol=tol)
        w = torch.linspace(0.5, 1.5, ref.numel()).reshape(ref.shape)
        (gx,) = torch.autograd.grad((got.float() * w).sum(), x)
        (gr,) = torch.autograd.grad((ref * w.double()).sum(), xr)
        torch.testing.assert_close(gx.double(), gr, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", list(_TOL))
def test_softmax_focal_matches_formula_segmentation(dtype):
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(2, 3, 4, 5, generator=g) * 3).to(dtype)
    x = x.to(memory_format=torch.channels_last).requires_grad_()
    t = torch.randint(0, 3, (2, 4, 5), generator=g)
    t[0, 0] = 255
    alpha, gamma, smoothing = [0.2, 1.0, 3.0], 2.0, 0.1
    got = L.softmax_focal_loss(
        x, t, alpha=alpha, gamma=gamma, ignore_index=255, label_smoothing=smoothing
    )
    xr = x.detach().double().requires_grad_()
    valid = t != 255
    log_p = torch.log_softmax(xr, 1)
    dist = F.one_hot(torch.where(valid, t, 0), 3).movedim(-1, 1).double()
    dist = dist * (1 - smoothing) + smoothing / 3
    a = torch.tensor(alpha, dtype=torch.float64).reshape(1, 3, 1, 1)
    per_row = -(a * dist * (1 - log_p.exp()) ** gamma * log_p).sum(1)
    ref = _reduce(per_row, "mean", valid)
    tol = _TOL[dtype] * 10
    torch.testing.assert_close(got.double(), ref, rtol=tol, atol=tol)
    (gx,) = torch.autograd.grad(got, x)
    (gr,) = torch.autograd.grad(ref, xr)
    torch.testing.assert_close(gx.double(), gr, rtol=tol, atol=tol)


def test_losses_under_func_grad_vmap_and_eager_compile():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(5, 3, generator=g)
    t = torch.tensor([0, 1, 2, 1, 0])

    def f(logits, target):
        return L.softmax_focal_loss(logits, target, alpha=[1.0, 2.0, 3.0])

    xr = x.clone().requires_grad_()
    (expected,) = torch.autograd.grad(f(xr, t), xr)
    torch.testing.assert_close(torch.func.grad(f)(x, t), expected)
    per_sample = torch.func.vmap(torch.func.grad(lambda a, b: f(a[None], b[None])))
    rows = [torch.func.grad(f)(x[i : i + 1], t[i : i + 1])[0] for i in range(5)]
    torch.testing.assert_close(per_sample(x, t), torch.stack(rows))
    compiled = torch.compile(f, backend="eager", fullgraph=True)
    xc = x.clone().requires_grad_()
    (got,) = torch.autograd.grad(compiled(xc, t), xc)
    torch.testing.assert_close(got, expected)


# bug: a soft target that requires grad silently got no gradient (None, or
# zeros under torch.func.grad) from the fused focal losses, where
# cross_entropy / binary_cross_entropy_with_logits give it one
@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_focal_target_requiring_grad_is_refused(kind):
    logits = torch.randn(4, 3, requires_grad=True)
    if kind == "sigmoid":
        target = torch.rand(4, 3).requires_grad_()
        loss = L.sigmoid_focal_loss
    else:
        target = torch.softmax(torch.randn(4, 3), 1).requires_grad_()
        loss = L.softmax_focal_loss
    with pytest.raises(ValueError, match="target requires grad"):
        loss(logits, target)
    with pytest.raises(ValueError, match="target requires grad"):
        torch.func.grad(lambda y: loss(logits.detach(), y), argnums=0)(target.detach())
    # detached (or under no_grad) it is the loss it was
    plain = loss(logits, target.detach())
    with torch.no_grad():
        torch.testing.assert_close(loss(logits, target), plain.detach())


# --------------------------------------------------------------------------
# samplers in a DataLoader with workers, as Lightning drives them on resume
# --------------------------------------------------------------------------
def _small_loader(sampler):
    data = TensorDataset(torch.arange(12))
    # 4 batches per epoch, all sent to the worker at iter(loader)
    return DataLoader(
        data, batch_size=4, sampler=sampler, num_workers=1, prefetch_factor=4
    )


# bug: an epoch no longer than the workers' prefetch, drawn at iter(loader)
# before set_epoch(e) (Lightning resuming from a checkpoint: iter first), was
# silently trained on as epoch e; the loop got another epoch's rows unwarned
def test_set_epoch_after_workers_drew_another_epoch_warns():
    labels = torch.tensor([0] * 8 + [1] * 4)
    sampler = RebalanceSampler(labels, seed=0)
    loader = _small_loader(sampler)
    epoch0 = [b for (b,) in _small_loader(RebalanceSampler(labels, seed=0))]
    iterator = iter(loader)  # the prefetch draws all of epoch 0 now
    with pytest.warns(UserWarning, match="drawn items of epoch 0"):
        sampler.set_epoch(1)
    got = [b for (b,) in iterator]
    assert [b.tolist() for b in got] == [b.tolist() for b in epoch0]


def test_set_epoch_before_iter_stays_quiet():
    labels = torch.tensor([0] * 8 + [1] * 4)
    sampler = RebalanceSampler(labels, seed=0)
    loader = _small_loader(sampler)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for epoch in range(2):
            sampler.set_epoch(epoch)
            seen.append([b.tolist() for (b,) in loader])
    assert seen[0] != seen[1]
    # an iteration started without set_epoch (the one the warning watches)
    # leaves the sampler picklable (ddp_spawn, deepcopy)
    iterator = iter(loader)
    next(iterator)
    copy = pickle.loads(pickle.dumps(sampler))
    assert copy.state_dict() == sampler.state_dict()


# --------------------------------------------------------------------------
# skorch: sampler arguments given to the loader call
# --------------------------------------------------------------------------
# bug: iterator_train__seed=3 (a sampler argument given through skorch, e.g.
# in a grid search) failed in DataLoader.__init__ ("unexpected keyword
# argument 'seed'") without saying it belongs to RebalancedLoader
def test_rebalanced_loader_names_misplaced_sampler_arguments():
    labels = torch.tensor([0] * 12 + [1] * 4)
    data = TensorDataset(torch.arange(16), labels)
    make = RebalancedLoader(seed=0)
    with pytest.raises(TypeError, match=r"RebalancedLoader\(seed=3\)"):
        make(data, batch_size=4, seed=3)
    batches = RebalancedLoader(BalancedBatchSampler, class_counts=[3, 1])
    with pytest.raises(TypeError, match="BalancedBatchSampler, num_replicas=1"):
        batches(data, batch_size=4, num_replicas=1)
    # the DataLoader's own arguments still pass
    assert len(batches(data, batch_size=4, drop_last=True, num_workers=0)) == 4


def test_skorch_grid_search_over_focal_gamma_and_loaders():
    skorch = pytest.importorskip("skorch")
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    y = (rng.random(120) < 0.2).astype(np.int64)
    X = (rng.normal(size=(120, 4)) + y[:, None]).astype(np.float32)
    net = skorch.NeuralNetClassifier(
        torch.nn.Linear,
        module__in_features=4,
        module__out_features=2,
        criterion=SoftmaxFocalLoss,
        predict_nonlinearity=torch.nn.Softmax(dim=-1),
        iterator_train=RebalancedLoader(seed=0),
        max_epochs=1,
        batch_size=16,
        train_split=None,
        verbose=0,
    )
    grid = GridSearchCV(
        net,
        {
            "criterion__gamma": [0.0, 2.0],
            "iterator_train": [
                RebalancedLoader(seed=0),
                RebalancedLoader(BalancedBatchSampler, class_counts=[12, 4]),
            ],
        },
        cv=2,
        error_score="raise",
    ).fit(X, y)
    assert grid.best_estimator_.criterion_.gamma in (0.0, 2.0)
    assert np.allclose(grid.predict_proba(X).sum(1), 1, atol=1e-5)


# --------------------------------------------------------------------------
# Lightning: a mid-epoch checkpoint resumes as the uninterrupted run
# --------------------------------------------------------------------------
def _full_and_resumed(lightning, tmp_path, make_data, every, check=None):
    """Two epochs of a small model fitted on ``make_data()`` (a DataModule or
    a DataLoader, new for each fit) with a checkpoint every ``every`` steps,
    then again from the checkpoint at step 4: the ids each run trained on,
    per epoch (``check(y)`` called on every batch's labels)."""
    from lightning.pytorch.callbacks import ModelCheckpoint

    class Model(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 2)
            self.seen = collections.defaultdict(list)

        def training_step(self, batch, _):
            x, y, ids = batch
            if check is not None:
                check(y)
            self.seen[self.current_epoch].append(ids.tolist())
            return F.cross_entropy(self.layer(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    def fit(ckpt_path=None, callbacks=None):
        model = Model()
        lightning.Trainer(
            max_epochs=2,
            accelerator="cpu",
            logger=False,
            enable_checkpointing=callbacks is not None,
            callbacks=callbacks,
            enable_progress_bar=False,
            enable_model_summary=False,
        ).fit(model, make_data(), ckpt_path=ckpt_path)
        return dict(model.seen)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's notices
        save = ModelCheckpoint(
            dirpath=tmp_path,
            every_n_train_steps=every,
            save_top_k=-1,
            filename="s{step}",
            auto_insert_metric_name=False,
        )
        full = fit(callbacks=[save])  # uninterrupted, saving as it goes
        return full, fit(ckpt_path=str(tmp_path / "s4.ckpt"))


def test_lightning_resume_with_datamodule_state_matches_uninterrupted(tmp_path):
    lightning = pytest.importorskip("lightning")

    labels = torch.tensor([0] * 18 + [1] * 6)
    data = TensorDataset(torch.randn(24, 3), labels, torch.arange(24))

    class Data(lightning.LightningDataModule):
        def __init__(self):
            super().__init__()
            self.batches = BalancedBatchSampler(labels, 4, class_counts=[3, 1])

        def train_dataloader(self):
            return DataLoader(data, batch_sampler=self.batches)

        def state_dict(self):
            return {"batches": self.batches.state_dict()}

        def load_state_dict(self, state):
            self.batches.load_state_dict(state["batches"])

    def balanced(y):
        assert y.bincount(minlength=2).tolist() == [3, 1]

    full, resumed = _full_and_resumed(lightning, tmp_path, Data, 2, balanced)
    assert full[0] != full[1] and all(len(v) == 6 for v in full.values())
    assert resumed == {0: full[0][4:], 1: full[1]}


def test_lightning_resume_of_a_plain_dataloader_trains_the_first_batches_left(
    tmp_path,
):
    # The README's claim (corrected in stop 44: it said Lightning "starts
    # that epoch over"): a plain DataLoader has no state Lightning saves, so
    # a mid-epoch resume iterates the epoch again from its first batch and
    # trains only as many batches as were left.
    lightning = pytest.importorskip("lightning")

    labels = torch.tensor([0] * 18 + [1] * 6)
    data = TensorDataset(torch.randn(24, 3), labels, torch.arange(24))

    def loader():
        sampler = RebalanceSampler(labels, seed=0)  # label shuffle: 36 rows
        return DataLoader(data, batch_size=6, sampler=sampler)

    full, resumed = _full_and_resumed(lightning, tmp_path, loader, 4)
    assert all(len(v) == 6 for v in full.values()) and full[0] != full[1]
    assert resumed == {0: full[0][:2], 1: full[1]}
