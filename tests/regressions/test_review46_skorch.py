"""Review 46: skorch's and Lightning's own test scenarios, ported onto rebalance.torch.

Ported from skorch/tests/test_net.py / test_classifier.py (criterion__<param>
set_params and clone, class weights through the criterion, predefined_split,
pickling and save_params/load_params with a criterion holding buffers,
Checkpoint / LoadInitState resume, GridSearchCV over criterion params,
iterator_train__sampler / __batch_sampler) and Lightning's tests of loss
modules as LightningModule attributes (state_dict of their buffers through a
checkpoint resume, precision plugins on CPU, use_distributed_sampler with a
custom sampler). Oracles: torch's own losses, or the rebalance loss computed
directly.
"""

import copy
import io
import logging
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from torch import nn  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402
from rebalance.torch import losses as L  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 5)).astype("float32")
Y = (RNG.random(200) < 0.2).astype("int64")
W = torch.tensor([1.0, 4.0])


class _Lin(nn.Module):
    def __init__(self, n_out=2):
        super().__init__()
        self.lin = nn.Linear(5, n_out)

    def forward(self, x):
        out = self.lin(x)
        return out.squeeze(-1) if out.shape[-1] == 1 else out


def _net(criterion, module=_Lin, **kwargs):
    from skorch import NeuralNetClassifier

    kwargs.setdefault("max_epochs", 2)
    kwargs.setdefault("train_split", None)
    if criterion is not None:
        kwargs["criterion"] = criterion
    return NeuralNetClassifier(module, verbose=0, **kwargs)


# (loss class, skorch kwargs with a tensor buffer, the same with ones)
BUFFERED = [
    (L.ClassWeightedCrossEntropyLoss, "class_weight", W),
    (L.SoftmaxFocalLoss, "alpha", torch.tensor([0.25, 0.75])),
    (L.LogitAdjustedCrossEntropyLoss, "priors", torch.tensor([0.8, 0.2])),
    (L.BalancedSoftmaxCrossEntropyLoss, "class_counts", torch.tensor([160.0, 40.0])),
]


def test_skorch_class_weight_criterion_trains_as_torch_weighted_cross_entropy():
    torch.manual_seed(0)
    ours = _net(L.ClassWeightedCrossEntropyLoss, criterion__class_weight=W).fit(X, Y)
    torch.manual_seed(0)
    ref = _net(nn.CrossEntropyLoss, criterion__weight=W).fit(X, Y)
    np.testing.assert_allclose(
        ours.history[:, "train_loss"], ref.history[:, "train_loss"], atol=1e-5
    )


def test_skorch_criterion_param_set_params_and_clone():
    net = _net(L.SoftmaxFocalLoss, criterion__gamma=2.0).fit(X, Y)
    net.set_params(criterion__gamma=0.0)
    assert net.criterion_.gamma == 0.0
    cloned = clone(net)
    assert cloned.get_params()["criterion__gamma"] == 0.0
    cloned.fit(X, Y)
    assert cloned.criterion_.gamma == 0.0
    # set_params of a buffer after fit: the new tensor is the one used
    net = _net(L.ClassWeightedCrossEntropyLoss, criterion__class_weight=W).fit(X, Y)
    net.set_params(criterion__class_weight=torch.tensor([1.0, 9.0]))
    assert net.criterion_.class_weight.tolist() == [1.0, 9.0]


@pytest.mark.parametrize(("cls", "name", "value"), BUFFERED)
def test_skorch_pickle_and_save_load_params_carry_criterion_buffers(cls, name, value):
    net = _net(cls, **{f"criterion__{name}": value}).fit(X, Y)
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_allclose(again.predict_proba(X), net.predict_proba(X))
    files = [io.BytesIO() for _ in range(3)]
    net.save_params(f_params=files[0], f_optimizer=files[1], f_criterion=files[2])
    for f in files:
        f.seek(0)
    other = _net(cls, **{f"criterion__{name}": torch.ones_like(value)}).initialize()
    other.load_params(f_params=files[0], f_optimizer=files[1], f_criterion=files[2])
    assert torch.equal(getattr(other.criterion_, name), value)
    xt, yt = torch.tensor(X[:20]), torch.tensor(Y[:20])
    assert torch.allclose(
        other.get_loss(other.infer(xt), yt), net.get_loss(net.infer(xt), yt)
    )


def test_skorch_grid_search_over_a_criterion_param():
    gs = GridSearchCV(
        _net(L.SoftmaxFocalLoss, max_epochs=1),
        {"criterion__gamma": [0.0, 1.0, 2.0]},
        cv=2,
        scoring="accuracy",
    ).fit(X, Y)
    assert gs.best_estimator_.criterion_.gamma == gs.best_params_["criterion__gamma"]


def test_skorch_predefined_split_valid_loss_is_the_weighted_cross_entropy():
    from skorch.dataset import Dataset
    from skorch.helper import predefined_split

    net = _net(
        L.ClassWeightedCrossEntropyLoss,
        criterion__class_weight=W,
        train_split=predefined_split(Dataset(X[:50], Y[:50])),
    ).fit(X, Y)
    logits = net.infer(torch.tensor(X[:50]))
    ref = nn.CrossEntropyLoss(weight=W)(logits, torch.tensor(Y[:50])).item()
    assert net.history[-1, "valid_loss"] == pytest.approx(ref, abs=1e-5)


def test_skorch_checkpoint_and_load_init_state_restore_the_criterion(tmp_path):
    from skorch.callbacks import Checkpoint, EarlyStopping, LoadInitState

    def checkpoint():
        return Checkpoint(dirname=str(tmp_path), f_criterion="criterion.pt")

    _net(
        L.SoftmaxFocalLoss,
        criterion__alpha=W,
        max_epochs=3,
        train_split=skorch.dataset.ValidSplit(4),
        callbacks=[checkpoint(), EarlyStopping(patience=1)],
    ).fit(X, Y)
    resumed = _net(
        L.SoftmaxFocalLoss,
        criterion__alpha=torch.ones(2),
        max_epochs=1,
        train_split=skorch.dataset.ValidSplit(4),
        callbacks=[LoadInitState(checkpoint())],
    ).fit(X, Y)
    assert resumed.criterion_.alpha.tolist() == W.tolist()


def test_skorch_ohem_around_a_weighted_criterion_matches_top_k_of_torch():
    inner = L.ClassWeightedCrossEntropyLoss(W, reduction="none")
    net = _net(L.OHEMLoss, criterion__criterion=inner, criterion__top_k=0.5).fit(X, Y)
    assert list(net.criterion_.state_dict()) == ["criterion.class_weight"]
    net.set_params(criterion__top_k=0.25)
    xt, yt = torch.tensor(X), torch.tensor(Y)
    logits = net.infer(xt)
    per_row = nn.functional.cross_entropy(logits, yt, weight=W, reduction="none")
    ref = per_row.topk(50).values.mean()
    assert torch.allclose(net.get_loss(logits, yt), ref)


def test_skorch_binary_focal_loss_with_gamma_0_is_bce_with_logits():
    from skorch import NeuralNetBinaryClassifier

    yf = Y.astype("float32")
    for pos_weight in (None, torch.tensor(3.0)):
        extra = {} if pos_weight is None else {"criterion__pos_weight": pos_weight}
        torch.manual_seed(0)
        ours = NeuralNetBinaryClassifier(
            _Lin,
            module__n_out=1,
            criterion=L.SigmoidFocalLoss,
            criterion__gamma=0.0,
            criterion__alpha=None,
            max_epochs=3,
            train_split=None,
            verbose=0,
            **extra,
        ).fit(X, yf)
        torch.manual_seed(0)
        ref = NeuralNetBinaryClassifier(
            _Lin, module__n_out=1, max_epochs=3, train_split=None, verbose=0, **extra
        ).fit(X, yf)
        np.testing.assert_allclose(
            ours.history[:, "train_loss"], ref.history[:, "train_loss"], atol=1e-5
        )


def test_skorch_iterator_train_sampler_and_batch_sampler():
    seen = []

    class Recording(_Lin):
        def forward(self, x):
            seen.append(x.shape[0])
            return super().forward(x)

    sampler = RebalanceSampler(Y, sampler=RandomUnderSampler(), seed=1)
    _net(
        None,
        module=Recording,
        max_epochs=3,
        batch_size=16,
        iterator_train__sampler=sampler,
    ).fit(X, Y)
    assert sum(seen) == 3 * len(sampler)
    seen.clear()
    batches = BalancedBatchSampler(Y, batch_size=8)
    _net(
        None,
        module=Recording,
        iterator_train__batch_sampler=batches,
        iterator_train__batch_size=1,
    ).fit(X, Y)
    assert seen == [8] * (2 * len(batches))


# --------------------------------------------------------------------------
# Lightning: loss Modules as LightningModule attributes, custom samplers
# --------------------------------------------------------------------------
def _lightning():
    lightning = pytest.importorskip("lightning")
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    return lightning


def _module(lightning, criterion, loader):
    class Module(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(5, 2)
            self.crit = criterion
            self.losses = []

        def training_step(self, batch, index):
            x, target = batch
            logits = self.net(x)
            loss = self.crit(logits, target)
            # oracle: the same criterion on the float32 logits
            ref = copy.deepcopy(self.crit).float()(logits.detach().float(), target)
            self.losses.append((loss.detach().float().item(), ref.item()))
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

        def train_dataloader(self):
            return loader()

    return Module()


def _trainer(lightning, **kwargs):
    return lightning.Trainer(
        accelerator="cpu",
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        **kwargs,
    )


def _loader():
    from torch.utils.data import DataLoader, TensorDataset

    data = TensorDataset(torch.tensor(X[:96]), torch.tensor(Y[:96]))
    return DataLoader(data, batch_size=32)


@pytest.mark.parametrize(("cls", "name", "value"), BUFFERED)
def test_lightning_checkpoint_resume_restores_loss_buffers(cls, name, value, tmp_path):
    lightning = _lightning()
    module = _module(lightning, cls(**{name: value}), _loader)
    trainer = _trainer(lightning, max_epochs=1)
    trainer.fit(module)
    path = str(tmp_path / "a.ckpt")
    trainer.save_checkpoint(path)
    saved = torch.load(path, weights_only=False)["state_dict"]
    assert torch.equal(saved[f"crit.{name}"], value)
    resumed = _module(lightning, cls(**{name: torch.ones_like(value)}), _loader)
    _trainer(lightning, max_epochs=2).fit(resumed, ckpt_path=path)
    assert torch.equal(getattr(resumed.crit, name), value)


@pytest.mark.parametrize(
    "precision", ["bf16-mixed", "16-mixed", "bf16-true", "64-true"]
)
def test_lightning_precision_plugins_on_cpu(precision):
    lightning = _lightning()
    for cls, name, value in BUFFERED[:2]:
        torch.manual_seed(0)
        module = _module(lightning, cls(**{name: value}), _loader)
        _trainer(lightning, max_epochs=1, precision=precision).fit(module)
        got, ref = np.array(module.losses).T
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, ref, rtol=2e-2)
        dtype = {"bf16-true": torch.bfloat16, "64-true": torch.float64}
        assert getattr(module.crit, name).dtype == dtype.get(precision, torch.float32)


def test_lightning_keeps_custom_samplers_under_use_distributed_sampler():
    from torch.utils.data import DataLoader, TensorDataset

    lightning = _lightning()
    data = TensorDataset(torch.tensor(X), torch.tensor(Y))
    sampler = RebalanceSampler(Y, seed=3)
    module = _module(
        lightning,
        L.SoftmaxFocalLoss(),
        lambda: DataLoader(data, batch_size=16, sampler=sampler),
    )
    _trainer(lightning, max_epochs=2, use_distributed_sampler=True).fit(module)
    assert len(module.losses) == 2 * -(-len(sampler) // 16)
    assert sampler.epoch == 2  # the epoch the next iteration draws
    batches = BalancedBatchSampler(Y, batch_size=8)
    module = _module(
        lightning, L.SoftmaxFocalLoss(), lambda: DataLoader(data, batch_sampler=batches)
    )
    _trainer(lightning, max_epochs=2, use_distributed_sampler=True).fit(module)
    assert len(module.losses) == 2 * len(batches)
