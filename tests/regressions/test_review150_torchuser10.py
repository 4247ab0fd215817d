"""Review 150, torchuser10: a PyTorch user's training loop on imbalanced data.

Reviewed as a user following README.md's PyTorch section and
``rebalance/torch/__init__.py``: seeded tabular tensors (2,000 rows, a binary
problem at about 1:20 and a 5-class long tail), a ``DataLoader`` with
``RebalanceSampler`` / ``BalancedBatchSampler``, focal and class-weighted
losses, gradient accumulation under ``torch.autocast("cpu", bfloat16)``, a
validation pass, threshold moving with ``ThresholdMover(FrozenEstimator(...))``
around a small sklearn wrapper of the torch model, prior correction with
``adjust_logits`` (and ``rebalance.threshold.adjust_priors``), mid-epoch
``state_dict`` resume of the samplers, and switching from torch's
``WeightedRandomSampler``.

Found no bug. Pinned here: the per-epoch class mix (same as an inverse-frequency
``WeightedRandomSampler``) and per-batch counts; mid-epoch resume of both
samplers; the focal losses against their formula (float32 out of bfloat16
logits under autocast); ``adjust_logits(logits, train / deploy)`` equals the
log-prior shift and ``adjust_priors``; ``ThresholdMover(..., 'prior')`` decides
as ``adjust_logits`` at the validation priors; and the messages for the usual
mistakes (float labels, a sampler built on the validation labels, targets of
the wrong shape or dtype). Left alone (see the changelog): a loss given
probabilities instead of logits is not detected (nor by torch), and a loss
Module given its per-class argument as a dict keeps it out of ``state_dict``
(documented).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from torch.utils.data import (  # noqa: E402
    DataLoader,
    TensorDataset,
    WeightedRandomSampler,
)

from rebalance import ClassBalancedSampler, ThresholdMover  # noqa: E402
from rebalance.threshold import adjust_priors  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalanceSampler,
    SigmoidFocalLoss,
    adjust_logits,
    class_weighted_cross_entropy,
    sigmoid_focal_loss,
    softmax_focal_loss,
)

N = 2000


def _binary():
    g = torch.Generator().manual_seed(0)
    y = (torch.rand(N, generator=g) < 1 / 21).long()
    X = torch.randn(N, 8, generator=g) + y[:, None].float()
    return X, y


def _five():
    g = torch.Generator().manual_seed(1)
    y = torch.multinomial(torch.tensor([20.0, 4, 2, 1, 1]), N, True, generator=g)
    X = torch.randn(N, 8, generator=g) + 2 * F.one_hot(y, 5).float() @ torch.randn(
        5, 8, generator=g
    )
    return X, y


class _TorchProba(ClassifierMixin, BaseEstimator):
    """The user's sklearn face of a trained torch model (for FrozenEstimator)."""

    def __init__(self, module=None, n_classes=2):
        self.module = module
        self.n_classes = n_classes

    def fit(self, X, y):
        self.classes_ = np.arange(self.n_classes)
        return self

    def predict_proba(self, X):
        with torch.no_grad():
            return torch.softmax(
                self.module(torch.as_tensor(X, dtype=torch.float32)), 1
            ).numpy()

    def predict(self, X):
        return self.predict_proba(X).argmax(1)


def test_binary_loop_bf16_accumulation_resume_and_threshold_moving():
    X, y = _binary()
    Xtr, ytr, Xv, yv = X[:1500], y[:1500], X[1500:], y[1500:]
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    criterion = SigmoidFocalLoss(alpha=None, gamma=2.0)
    sampler = RebalanceSampler(ytr, ClassBalancedSampler(), seed=0)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=100, sampler=sampler)
    accumulate = 2
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen = []
        for step, (xb, yb) in enumerate(loader):
            seen.append(yb)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(xb).squeeze(-1)
                loss = criterion(logits, yb.float())
            assert loss.dtype == torch.float32
            (loss / accumulate).backward()
            if (step + 1) % accumulate == 0:
                opt.step()
                opt.zero_grad()
        # documented: a balanced mix in every epoch, one epoch = len(labels)
        mix = torch.cat(seen).float().mean().item()
        assert len(torch.cat(seen)) == 1500 and abs(mix - 0.5) < 0.06
    # mid-epoch resume of the sampler: the rest of the epoch, exactly
    ref = RebalanceSampler(ytr, ClassBalancedSampler(), seed=0)
    ref.set_epoch(3)
    full = list(ref)
    live = RebalanceSampler(ytr, ClassBalancedSampler(), seed=0)
    live.set_epoch(3)
    it = iter(live)
    head = [next(it) for _ in range(700)]
    resumed = RebalanceSampler(ytr, ClassBalancedSampler(), seed=0)
    resumed.load_state_dict(live.state_dict())
    assert head + list(resumed) == full
    # validation: 2-column logits, threshold moving on the frozen model
    two = torch.nn.Linear(8, 2)
    with torch.no_grad():
        two.weight.copy_(torch.cat([torch.zeros_like(model.weight), model.weight]))
        two.bias.copy_(torch.cat([torch.zeros(1), model.bias]))
        val_logits = two(Xv)
    tm = ThresholdMover(FrozenEstimator(_TorchProba(two).fit(Xv, yv)), "prior")
    tm.fit(Xv.numpy(), yv.numpy())
    priors = np.bincount(yv.numpy(), minlength=2) / len(yv)
    expected = adjust_logits(val_logits, priors).argmax(1).numpy()
    np.testing.assert_array_equal(tm.predict(Xv.numpy()), expected)


def test_five_class_mix_matches_weighted_random_sampler_and_batch_counts():
    X, y = _five()
    counts = torch.bincount(y, minlength=5)
    ours = RebalanceSampler(y, ClassBalancedSampler(), seed=0)
    torch_wrs = WeightedRandomSampler(
        (1.0 / counts.float())[y], N, generator=torch.Generator().manual_seed(0)
    )
    assert len(ours) == len(torch_wrs) == N
    for s in (ours, torch_wrs):
        share = torch.bincount(y[list(s)], minlength=5).float() / N
        assert torch.allclose(share, torch.full((5,), 0.2), atol=0.04)
    # fixed counts in every batch, and a mid-epoch resume
    b = BalancedBatchSampler(y, 25, class_counts=[5] * 5, seed=3)
    b.set_epoch(2)
    ref = list(b)
    assert all(torch.bincount(y[i], minlength=5).tolist() == [5] * 5 for i in ref)
    live = BalancedBatchSampler(y, 25, class_counts=[5] * 5, seed=3)
    live.set_epoch(2)
    it = iter(live)
    head = [next(it) for _ in range(4)]
    resumed = BalancedBatchSampler(y, 25, class_counts=[5] * 5, seed=3)
    resumed.load_state_dict(live.state_dict())
    assert head + list(resumed) == ref


def test_losses_match_their_formulas_under_bf16():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(64, generator=g)
    t = (torch.rand(64, generator=g) < 0.2).float()
    p = torch.sigmoid(x)
    pt, at = p * t + (1 - p) * (1 - t), 0.25 * t + 0.75 * (1 - t)
    got = sigmoid_focal_loss(x, t, alpha=0.25, gamma=2.0, reduction="none")
    torch.testing.assert_close(got, -at * (1 - pt) ** 2 * pt.log())
    L = torch.randn(64, 5, generator=g)
    c = torch.randint(0, 5, (64,), generator=g)
    lp = F.log_softmax(L, 1).gather(1, c[:, None]).squeeze(1)
    got = softmax_focal_loss(L, c, gamma=2.0, reduction="none")
    torch.testing.assert_close(got, -((1 - lp.exp()) ** 2) * lp)
    weights = {0: 0.2, 1: 1.0, 2: 2.0, 3: 4.0, 4: 4.0}
    w = torch.tensor([weights[k] for k in range(5)])
    torch.testing.assert_close(
        class_weighted_cross_entropy(L, c, weights, reduction="none"),
        w[c] * F.cross_entropy(L, c, reduction="none"),
    )
    with torch.autocast("cpu", dtype=torch.bfloat16):
        lin = torch.nn.Linear(5, 5)
        out = lin(L)
        assert out.dtype == torch.bfloat16
        assert softmax_focal_loss(out, c).dtype == torch.float32


def test_prior_correction_is_the_log_prior_shift():
    # trained on a class-balanced draw (uniform priors), deployed at the real ones
    _, y = _five()
    g = torch.Generator().manual_seed(4)
    logits = torch.randn(50, 5, generator=g)
    train = np.full(5, 0.2)
    deploy = np.bincount(y.numpy(), minlength=5) / N
    shifted = logits + torch.tensor(np.log(deploy / train), dtype=torch.float32)
    # priors are normalised: equal up to a constant per row, same softmax
    diff = adjust_logits(logits, train / deploy) - shifted
    torch.testing.assert_close(diff, diff[:, :1].expand_as(diff), atol=1e-5, rtol=0)
    np.testing.assert_allclose(
        adjust_priors(torch.softmax(logits, 1).numpy(), train, deploy),
        torch.softmax(shifted, 1).numpy(),
        atol=1e-5,
    )


def _float_labels():
    _, y = _binary()
    RebalanceSampler(y.float(), ClassBalancedSampler(), seed=0)


def _validation_labels():
    X, y = _binary()
    sampler = RebalanceSampler(y[1500:], seed=0)
    next(iter(DataLoader(TensorDataset(X, y), batch_size=100, sampler=sampler)))


def _binary_target_shape():
    sigmoid_focal_loss(torch.randn(8), torch.zeros(8, 1))


def _multiclass_float_target():
    softmax_focal_loss(torch.randn(8, 5), torch.zeros(8))


def _multiclass_target_column():
    class_weighted_cross_entropy(
        torch.randn(8, 5),
        torch.zeros(8, 1, dtype=torch.long),
        {k: 1.0 for k in range(5)},
    )


@pytest.mark.parametrize(
    ("mistake", "error", "match"),
    [
        (_float_labels, TypeError, r"labels\.long\(\)"),
        (_validation_labels, ValueError, "500 labels.*2000 rows"),
        (_binary_target_shape, ValueError, "view_as"),
        (_multiclass_float_target, TypeError, r"target\.long\(\)"),
        (_multiclass_target_column, ValueError, r"squeeze\(1\)"),
    ],
)
def test_usual_mistakes_get_clear_messages(mistake, error, match):
    with pytest.raises(error, match=match):
        mistake()
