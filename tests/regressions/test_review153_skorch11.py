"""Review 153 skorch11: rebalance's losses, class weights and meta-estimators in skorch.

Reviewed as a skorch user: ``SoftmaxFocalLoss`` / ``SigmoidFocalLoss`` /
``ClassWeightedBinaryCrossEntropyLoss`` as ``criterion`` with
``rebalance.class_weights`` (``criterion__alpha`` / ``criterion__class_weight``),
``set_params`` and ``GridSearchCV`` over criterion parameters (also through
``ResampledClassifier`` / ``ThresholdMover``), stratified ``ValidSplit``,
``NeuralNetBinaryClassifier`` with (N,) and (N, 1) logits, dtypes reaching
``net.fit`` through ``ResampledClassifier`` / ``ThresholdMover`` (numpy, torch
tensors, pandas, sample weights), ``predict_proba`` row order after
under-sampling, and pickling fitted wrappers. Exploration scripts checked each
against plain torch / plain skorch.

Found no bug. Checked and fine: float32 X and int64 y reach skorch unchanged
(numpy, torch tensors, pandas Series and categoricals, over- and
under-sampling); ``predict_proba`` follows X's rows; alpha / class_weight are
applied (the loss skorch computes is the weighted functional loss); a torch
``weight=`` on ``SoftmaxFocalLoss`` gets a TypeError naming ``alpha=``; class
weight dicts with missing / extra / non-0..C-1 keys get ValueErrors naming the
fix; (N, 1) logits are squeezed by skorch before the loss; ``ThresholdMover``
explains a 1-column ``predict_proba`` (skorch's binary net without
``predict_nonlinearity``). String labels reach skorch as strings (skorch's own
limitation, as with plain skorch; documented pass-through), and skorch only
turns torch's own BCE/CE losses into probabilities (documented in README).
Earlier reviews (46, 63, 101) pin samplers / loaders / pickling in skorch.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch import NeuralNetBinaryClassifier, NeuralNetClassifier  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from rebalance import (  # noqa: E402
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)
from rebalance.torch import (  # noqa: E402
    ClassWeightedBinaryCrossEntropyLoss,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    softmax_focal_loss,
)

N = 100
Y = np.r_[np.zeros(80), np.ones(20)].astype(np.int64)
X = (np.random.default_rng(0).normal(size=(N, 3)) + Y[:, None]).astype(np.float32)


def _softmax(z):
    return torch.softmax(z, dim=-1)


def _binary_proba(z):
    p = torch.sigmoid(z)
    return torch.stack([1 - p, p], dim=1)


class _Spy(NeuralNetClassifier):
    """Records the types of X and y that reach skorch's fit."""

    def fit(self, X, y=None, **fit_params):
        self.seen_ = (X.dtype, y.dtype, len(y))
        return super().fit(X, y, **fit_params)


def _net(cls=NeuralNetClassifier, **kw):
    params = dict(
        module=torch.nn.Linear,
        module__in_features=3,
        module__out_features=2,
        criterion=SoftmaxFocalLoss,
        predict_nonlinearity=_softmax,
        max_epochs=1,
        train_split=None,
        verbose=0,
    )
    params.update(kw)
    return cls(**params)


def test_class_weights_as_focal_alpha_are_applied_and_torch_weight_names_alpha():
    cw = class_weights(Y)
    net = _net(
        criterion__alpha=cw,
        criterion__gamma=2.0,
        train_split=ValidSplit(5, stratified=True),
    ).fit(X, Y)
    z = net.forward(X)
    target = torch.from_numpy(Y)
    alpha = torch.tensor([cw[0], cw[1]])
    expected = softmax_focal_loss(z, target, alpha=alpha, gamma=2.0)
    assert torch.allclose(net.get_loss(z, target), expected)
    assert not torch.allclose(expected, softmax_focal_loss(z, target, gamma=2.0))
    assert np.isfinite(net.history[-1]["valid_loss"])
    net.set_params(criterion__alpha={0: 1.0, 1: 9.0})
    assert net.criterion_.alpha == {0: 1.0, 1: 9.0}
    with pytest.raises(TypeError, match="alpha="):
        _net(criterion__weight=torch.tensor([1.0, 4.0])).fit(X, Y)
    with pytest.raises(ValueError, match="no entry for class 0"):
        _net(criterion__alpha=class_weights(Y + 1)).fit(X, Y)


def test_wrappers_hand_skorch_float32_int64_and_keep_row_order():
    spy = _Spy(
        module=torch.nn.Linear,
        module__in_features=3,
        module__out_features=2,
        criterion=SoftmaxFocalLoss,
        predict_nonlinearity=_softmax,
        max_epochs=2,
        train_split=None,
        verbose=0,
    )
    model = ResampledClassifier(RandomUnderSampler(random_state=0), spy)
    model.fit(torch.from_numpy(X), torch.from_numpy(Y))
    assert model.classifier_.seen_ == (np.float32, np.int64, 40)
    perm = np.random.default_rng(1).permutation(N)
    proba = model.predict_proba(X)
    assert np.array_equal(proba, model.classifier_.predict_proba(X))
    assert np.allclose(model.predict_proba(X[perm]), proba[perm])
    copy = pickle.loads(pickle.dumps(model))
    assert np.allclose(copy.predict_proba(X), proba)
    # whole-number sample weights become repeated rows (skorch's fit takes none)
    weights = np.r_[np.ones(80), 5 * np.ones(20)]
    model.fit(X, Y, sample_weight=weights)
    assert model.classifier_.seen_ == (np.float32, np.int64, 160)


def test_grid_search_over_focal_params_through_the_wrappers():
    grid = GridSearchCV(
        ResampledClassifier(RandomUnderSampler(random_state=0), _net()),
        {"classifier__criterion__gamma": [0.0, 2.0]},
        cv=2,
        scoring="balanced_accuracy",
    ).fit(X, Y)
    assert grid.best_params_["classifier__criterion__gamma"] in (0.0, 2.0)
    mover = GridSearchCV(
        ThresholdMover(_net(criterion__alpha=class_weights(Y)), strategy="prior"),
        {"estimator__criterion__gamma": [0.0, 2.0]},
        cv=2,
    ).fit(X, Y)
    assert set(mover.predict(X)) <= {0, 1}


class _Squeezed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 1)

    def forward(self, x):
        return self.lin(x).squeeze(-1)


def test_binary_net_with_sigmoid_focal_and_class_weighted_bce():
    y = Y.astype(np.float32)
    column = _net(
        NeuralNetBinaryClassifier,
        module__out_features=1,
        criterion=SigmoidFocalLoss,
        predict_nonlinearity=_binary_proba,
    ).fit(X, y)  # (N, 1) logits: skorch squeezes them before the loss
    assert column.predict_proba(X).shape == (N, 2)
    plain = NeuralNetBinaryClassifier(
        _Squeezed, criterion=SigmoidFocalLoss, max_epochs=1, train_split=None, verbose=0
    )
    fitted = ThresholdMover(plain).fit(X, y)
    with pytest.raises(ValueError, match="one column per class"):
        fitted.predict(X)  # skorch's binary net without predict_nonlinearity
    mover = ThresholdMover(
        plain.set_params(predict_nonlinearity=_binary_proba), strategy="prior"
    ).fit(X, y)
    assert mover.predict_proba(X).shape == (N, 2)
    cw = class_weights(Y)
    net = NeuralNetBinaryClassifier(
        _Squeezed,
        criterion=ClassWeightedBinaryCrossEntropyLoss,
        criterion__class_weight=cw,
        max_epochs=1,
        train_split=None,
        verbose=0,
    ).fit(X, y)
    z, target = net.forward(X), torch.from_numpy(y)
    w = torch.where(target == 1, cw[1], cw[0])
    bce = torch.nn.functional.binary_cross_entropy_with_logits(
        z, target, reduction="none"
    )
    assert torch.allclose(net.get_loss(z, target), (bce * w).mean())
