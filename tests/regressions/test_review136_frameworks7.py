"""Review 136 (frameworks7): rebalance's torch samplers and losses under
PyTorch Lightning 2.6 and skorch 1.4, checked as a new user would (CPU, small
data, one device).

How: a one-feature model whose feature is the row id, so the rows trained on
each epoch can be compared with ``sampler.set_epoch(e); list(sampler)``.
Earlier rounds (64, 77, 99 Lightning; 46, 63, 101 skorch) already pin
``limit_train_batches``, ``reload_dataloaders_every_n_epochs``, mid-epoch and
epoch-end ``ckpt_path`` resumes, Fabric, the README's skorch recipes,
``criterion__*`` clone/pickle/GridSearchCV and ``iterator_train__sampler`` /
``__batch_sampler``; they are not repeated here.

Checked and found working (pinned below where a later change could break it):
Lightning keeps a ``RebalanceSampler`` (the same object) and a
``BalancedBatchSampler`` on one device, also with ``val_check_interval`` (and
under ``strategy="ddp"`` with one process, where it rebuilds the batch sampler
yet draws the same batches: checked by hand, not pinned, as it leaves a process
group started in the test process), calls ``set_epoch`` each epoch, a sampler
with ``seed=None`` is reproducible under ``seed_everything``, a focal loss logs
through ``self.log`` and ``trainer.predict`` returns every row; skorch uses an
``iterator_train__sampler`` built from numpy labels (each epoch is the
sampler's draw; ``shuffle=True`` with it is torch's ``ValueError``), a pickled
net's ``partial_fit`` continues with the next epoch, our samplers inside an
imbalanced-learn ``Pipeline`` before a skorch net keep float32 X / int64 y,
``GridSearchCV`` over ``<step>__criterion__gamma``, focal ``alpha`` from a
numpy array, and the helpful errors for an unwrapped scikit-learn sampler, a
``BalancedBatchSampler`` as ``sampler=`` and a ``RebalanceSampler`` as
``batch_sampler=``.

No bugs found in this area; see /tmp/review136/changes_frameworks7.md
(``## Left alone``) for the behaviours judged as documented.
"""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning")
skorch = pytest.importorskip("skorch")

from imblearn.pipeline import make_pipeline  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalanceSampler,
    SoftmaxFocalLoss,
)

pytestmark = pytest.mark.filterwarnings("ignore")
logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
logging.getLogger("lightning.fabric").setLevel(logging.ERROR)

Y = torch.tensor([0] * 90 + [1] * 10)
X = torch.arange(100, dtype=torch.float32)[:, None]  # feature = row id
DATA = TensorDataset(X, Y)


def _ids(sampler, epoch):
    sampler.set_epoch(epoch)
    rows = list(sampler)
    if rows and isinstance(rows[0], list):  # a batch sampler
        rows = [i for batch in rows for i in batch]
    return [int(i) for i in rows]


# --------------------------------------------------------------------------
# Lightning
# --------------------------------------------------------------------------
class _Module(L.LightningModule):
    def __init__(self, loader):
        super().__init__()
        self.lin = torch.nn.Linear(1, 2)
        self.loss = SoftmaxFocalLoss(gamma=2.0)
        self.loader = loader
        self.seen = {}
        self.logged = []

    def training_step(self, batch, _):
        xb, yb = batch
        self.seen.setdefault(self.current_epoch, []).extend(xb[:, 0].long().tolist())
        loss = self.loss(self.lin(xb / 100), yb)
        self.log("train_loss", loss)
        self.logged.append(float(loss))
        return loss

    def predict_step(self, batch, _):
        return self.lin(batch[0] / 100).softmax(-1)

    def train_dataloader(self):
        return self.loader()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


class _Validated(_Module):
    def validation_step(self, batch, _):
        self.log("val_loss", self.loss(self.lin(batch[0] / 100), batch[1]))

    def val_dataloader(self):
        return DataLoader(DATA, batch_size=50)


def _trainer(**kwargs):
    kwargs.setdefault("max_epochs", 2)
    kwargs.setdefault("devices", 1)
    return L.Trainer(
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


def test_lightning_keeps_the_sampler_with_val_check_interval_and_predicts():
    sampler = RebalanceSampler(Y, RandomOverSampler(), seed=0)
    model = _Validated(lambda: DataLoader(DATA, batch_size=16, sampler=sampler))
    trainer = _trainer(val_check_interval=3, num_sanity_val_steps=0)
    trainer.fit(model)
    assert trainer.train_dataloader.sampler is sampler  # not replaced
    fresh = RebalanceSampler(Y, RandomOverSampler(), seed=0)
    assert model.seen == {0: _ids(fresh, 0), 1: _ids(fresh, 1)}
    assert model.seen[0] != model.seen[1]
    assert Y[model.seen[0]].bincount().tolist() == [90, 90]
    assert all(np.isfinite(model.logged))
    assert "val_loss" in trainer.callback_metrics
    proba = torch.cat(trainer.predict(model, DataLoader(DATA, batch_size=32)))
    assert proba.shape == (100, 2)
    assert torch.allclose(proba.sum(1), torch.ones(100))


def test_lightning_seed_none_sampler_is_reproducible_under_seed_everything():
    runs = []
    for _ in range(2):
        L.seed_everything(7, verbose=False)
        sampler = RebalanceSampler(Y, RandomUnderSampler())  # seed=None
        model = _Module(lambda s=sampler: DataLoader(DATA, batch_size=8, sampler=s))
        _trainer(max_epochs=1).fit(model)
        runs.append(model.seen[0])
    assert runs[0] == runs[1]
    assert sorted(Y[runs[0]].tolist()) == [0] * 10 + [1] * 10


# --------------------------------------------------------------------------
# skorch
# --------------------------------------------------------------------------
N = 100
YS = np.r_[np.zeros(80), np.ones(20)].astype(np.int64)
XS = np.c_[np.arange(N), np.random.default_rng(0).normal(size=(N, 3)) + YS[:, None]]
XS = XS.astype(np.float32)
SEEN: list[list[int]] = []


class _Rows(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 2)

    def forward(self, X):
        if self.training:
            SEEN[-1].extend(X[:, 0].long().tolist())
        return self.lin(X)


class _EpochStart(Callback):
    def on_epoch_begin(self, net, **kwargs):
        SEEN.append([])


def softmax(logits):
    return torch.softmax(logits, dim=-1)


def _net(**kwargs):
    params = dict(
        module=_Rows,
        criterion=SoftmaxFocalLoss,
        criterion__gamma=2.0,
        predict_nonlinearity=softmax,
        train_split=None,
        max_epochs=2,
        batch_size=16,
        verbose=0,
        callbacks=[_EpochStart()],
    )
    params.update(kwargs)
    return NeuralNetClassifier(**params)


def _under():
    return RebalanceSampler(YS, RandomUnderSampler(), seed=0)  # numpy labels


def test_skorch_iterator_train_sampler_draws_each_epoch_and_pickles():
    SEEN.clear()
    net = _net(iterator_train__sampler=_under()).fit(XS, YS)
    reference = _under()
    assert SEEN == [_ids(reference, 0), _ids(reference, 1)]
    assert np.bincount(YS[SEEN[0]]).tolist() == [20, 20]
    assert np.allclose(net.predict_proba(XS).sum(1), 1)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        _net(iterator_train__sampler=_under(), iterator_train__shuffle=True).fit(XS, YS)
    # A pickled net's partial_fit goes on with epochs 2 and 3.
    SEEN.clear()
    restored = pickle.loads(pickle.dumps(net))
    assert np.allclose(restored.predict_proba(XS), net.predict_proba(XS))
    restored.partial_fit(XS, YS)
    assert SEEN == [_ids(reference, 2), _ids(reference, 3)]


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler, LabelShuffleSampler],
)
def test_skorch_after_our_sampler_in_an_imblearn_pipeline(sampler):
    SEEN.clear()
    pipe = make_pipeline(sampler(random_state=0), _net(max_epochs=1))
    pipe.fit(XS, YS)  # float32 X and int64 y reach the net unchanged
    expected = sampler(random_state=0).fit_resample(XS, YS)[0][:, 0]
    assert sorted(SEEN[0]) == sorted(expected.astype(int).tolist())
    assert pipe.predict_proba(XS).shape == (N, 2)


def test_skorch_grid_search_over_focal_gamma_inside_a_pipeline():
    pipe = make_pipeline(RandomUnderSampler(random_state=0), _net(max_epochs=1))
    search = GridSearchCV(
        pipe,
        {"neuralnetclassifier__criterion__gamma": [0.0, 2.0]},
        cv=2,
        scoring="balanced_accuracy",
    ).fit(XS, YS)
    assert search.best_estimator_[-1].criterion_.gamma in (0.0, 2.0)
    assert len(search.cv_results_["mean_test_score"]) == 2


def test_skorch_misplaced_samplers_give_errors_naming_the_fix():
    with pytest.raises(TypeError, match="RebalanceSampler"):
        _net(iterator_train__sampler=RandomUnderSampler()).fit(XS, YS)
    with pytest.raises(ValueError, match="batch_sampler="):
        _net(iterator_train__sampler=BalancedBatchSampler(YS, 16)).fit(XS, YS)
    with pytest.raises(TypeError, match="sampler="):
        _net(iterator_train__batch_sampler=_under(), iterator_train__batch_size=1).fit(
            XS, YS
        )
