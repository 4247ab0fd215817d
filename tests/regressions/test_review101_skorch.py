"""Review 101 skorch: rebalance's loaders, samplers and focal losses in skorch 1.4.

A one-Linear-layer net reads each row's id from column 0 of X, so the rows
each epoch trains on can be compared with the sampler's draw and the labels.
"""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from rebalance import (  # noqa: E402
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
)

N = 100
Y = np.r_[np.zeros(80), np.ones(20)].astype(np.int64)
X = np.c_[
    np.arange(N), np.random.default_rng(0).normal(size=(N, 3)) + Y[:, None]
].astype(np.float32)
SEEN: list[torch.Tensor] = []


class _Lin(torch.nn.Module):
    def __init__(self, out=2):
        super().__init__()
        self.lin = torch.nn.Linear(4, out)
        self.out = out

    def forward(self, x):
        if self.training:
            SEEN.append(x[:, 0].long().clone())
        z = self.lin(x)
        return z.squeeze(-1) if self.out == 1 else z


class _Aligned(Callback):
    """Each training batch's labels are the labels of its rows."""

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            xb, yb = batch
            assert (Y[xb[:, 0].long().numpy()] == yb.numpy()).all()


def _net(**kwargs):
    params = dict(
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        lr=0.1,
        batch_size=16,
        verbose=0,
        train_split=None,
        callbacks=[_Aligned()],
    )
    params.update(kwargs)
    SEEN.clear()
    return NeuralNetClassifier(_Lin, **params)


def _train_rows(net):
    train, _ = net.train_split(net.get_dataset(X, Y), Y)
    return set(np.asarray(train.indices).tolist())


def test_balanced_batches_come_from_the_stratified_train_split_only():
    net = _net(
        iterator_train=RebalancedLoader(BalancedBatchSampler, class_counts=[12, 4]),
        train_split=ValidSplit(5, stratified=True),
    ).fit(X, Y)
    assert [len(b) for b in SEEN] == [16] * 10  # 5 batches an epoch
    assert all(np.bincount(Y[b.numpy()]).tolist() == [12, 4] for b in SEEN)
    rows = torch.cat(SEEN).numpy()
    assert set(rows.tolist()) <= _train_rows(net)
    first, second = rows[:80], rows[80:]
    assert sorted(first.tolist()) != sorted(second.tolist())  # a new draw


def test_over_sampling_loader_reads_only_the_train_split_labels():
    net = _net(
        iterator_train=RebalancedLoader(sampler=RandomOverSampler(), seed=0),
        train_split=ValidSplit(5, stratified=True),
    ).fit(X, Y)
    rows = torch.cat(SEEN).numpy()
    # 64 + 16 training rows: 64 of each class an epoch, never a valid row.
    assert np.bincount(Y[rows]).tolist() == [128, 128]
    assert set(rows.tolist()) <= _train_rows(net)


@pytest.mark.parametrize("kind", ["sampler", "batch_sampler"])
def test_full_label_sampler_after_skorch_split_names_rebalanced_loader(kind):
    if kind == "sampler":
        params = {"iterator_train__sampler": RebalanceSampler(Y, RandomUnderSampler())}
    else:
        params = {
            "iterator_train__batch_sampler": BalancedBatchSampler(Y, batch_size=8),
            "iterator_train__batch_size": 1,
        }
    net = _net(train_split=ValidSplit(5, stratified=True), **params)
    with pytest.raises(ValueError, match="100 labels.*80 rows.*RebalancedLoader"):
        net.fit(X, Y)


def test_partial_fit_draws_the_next_epoch():
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    net = _net(iterator_train=loader, max_epochs=1, batch_size=N).fit(X, Y)
    net.partial_fit(X, Y)
    assert loader.sampler_.epoch == 2 and len(net.history) == 2
    continued = [sorted(b.tolist()) for b in SEEN]
    _net(
        iterator_train=RebalancedLoader(sampler=RandomUnderSampler(), seed=0),
        batch_size=N,
    ).fit(X, Y)
    assert continued == [sorted(b.tolist()) for b in SEEN]
    assert continued[0] != continued[1]


def test_focal_criteria_with_alpha_and_predict_nonlinearity():
    def binary_proba(z):
        p = torch.sigmoid(z)
        return torch.stack([1 - p, p], dim=1)

    SEEN.clear()
    binary = NeuralNetBinaryClassifier(
        _Lin,
        module__out=1,
        criterion=SigmoidFocalLoss,
        criterion__gamma=2.0,
        criterion__alpha=0.25,
        predict_nonlinearity=binary_proba,
        iterator_train=RebalancedLoader(seed=0),
        max_epochs=2,
        lr=0.1,
        verbose=0,
        train_split=None,
    ).fit(X, Y.astype(np.float32))
    proba = binary.predict_proba(X)
    assert proba.shape == (N, 2) and np.allclose(proba.sum(axis=1), 1)
    softmax = _net(
        criterion=SoftmaxFocalLoss,
        criterion__gamma=2.0,
        criterion__alpha={0: 0.25, 1: 0.75},
        predict_nonlinearity=lambda z: torch.softmax(z, dim=-1),
        train_split=ValidSplit(5, stratified=True),
    ).fit(X, Y)
    assert np.allclose(softmax.predict_proba(X).sum(axis=1), 1)
    assert np.isfinite(softmax.history[-1]["valid_loss"])


def test_grid_search_over_loaders_and_a_misplaced_seed_names_the_fix():
    grid = GridSearchCV(
        _net(),
        {
            "iterator_train": [
                RebalancedLoader(sampler=RandomUnderSampler(), seed=0),
                RebalancedLoader(sampler=RandomOverSampler(), seed=1),
            ]
        },
        cv=2,
        scoring="balanced_accuracy",
    ).fit(X, Y)
    assert isinstance(grid.best_params_["iterator_train"], RebalancedLoader)
    net = _net(iterator_train=RebalancedLoader(seed=0), iterator_train__seed=1)
    with pytest.raises(TypeError, match=r"iterator_train=RebalancedLoader\(seed=1\)"):
        net.fit(X, Y)


def test_pickle_and_save_load_params_with_a_rebalanced_loader():
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    net = _net(iterator_train=loader).fit(X, Y)
    copy = pickle.loads(pickle.dumps(net))
    assert np.allclose(copy.predict_proba(X), net.predict_proba(X))
    assert copy.iterator_train.sampler_.epoch == 2
    buffer = io.BytesIO()
    net.save_params(f_params=buffer)
    buffer.seek(0)
    other = _net(iterator_train=RebalancedLoader(seed=0)).initialize()
    other.load_params(f_params=buffer)
    assert np.allclose(other.predict_proba(X), net.predict_proba(X))


def test_resampled_classifier_and_threshold_mover_around_a_net():
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), _net(batch_size=N, max_epochs=1)
    ).fit(X, Y)
    rows = SEEN[0].numpy()
    assert np.bincount(Y[rows]).tolist() == [20, 20] and len(set(rows)) == 40
    assert model.predict_proba(X).shape == (N, 2)
    mover = ThresholdMover(_net()).fit(X, Y)
    assert set(mover.predict(X)) <= {0, 1}
    assert np.allclose(mover.predict_proba(X).sum(axis=1), 1, atol=1e-6)
