"""Review 51 (trace51): torch.jit.trace of the fused focal losses (round 50
registered autograd on the ops) and StatefulDataLoader resumes at an epoch end.

Oracles: the eager loss and its gradients (float64 autograd formulas for the
plain forms), and the batches of an uninterrupted run.
"""

import io

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import (  # noqa: E402
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
)

pytestmark = pytest.mark.filterwarnings("ignore")


def _save_load(module):
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    return torch.jit.load(buffer)


class _Model(torch.nn.Module):
    def __init__(self, loss, spatial, dtype):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3).to(dtype)
        self.loss = loss
        self.spatial = spatial

    def forward(self, x, target):
        z = self.linear(x)
        if self.spatial:
            z = z.permute(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)
        return self.loss(z, target)


def _oracle_softmax(z, target, gamma, alpha):
    logp = torch.log_softmax(z.double(), 1)
    logp_t = logp.gather(1, target.unsqueeze(1)).squeeze(1)
    return -alpha.double()[target] * (1 - logp_t.exp()) ** gamma * logp_t


def _oracle_sigmoid(z, target, gamma, alpha):
    z = z.double()
    p = torch.sigmoid(z)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(
        z, target.double(), reduction="none"
    )
    p_t = p * target + (1 - p) * (1 - target)
    a_t = alpha * target + (1 - alpha) * (1 - target)
    return a_t * (1 - p_t) ** gamma * ce


@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
@pytest.mark.parametrize("no_grad", [False, True])
@pytest.mark.parametrize("spatial", [False, True])
def test_traced_saved_loaded_focal_matches_float64_oracle(kind, no_grad, spatial):
    # Traced (with or without grad), saved and loaded: loss and gradients of
    # new inputs equal a float64 autograd formula of the loss.
    g = torch.Generator().manual_seed(5)
    shape = (3, 2, 2, 4) if spatial else (6, 4)
    if kind == "softmax":
        alpha = torch.tensor([0.5, 1.0, 2.0])
        loss = SoftmaxFocalLoss(alpha=alpha, gamma=2.0, reduction="none")
        tshape = (3, 2, 2) if spatial else (6,)

        def target():
            return torch.randint(0, 3, tshape, generator=g)

        def oracle(z, t):
            return _oracle_softmax(z, t, 2.0, alpha)
    else:
        loss = SigmoidFocalLoss(alpha=0.25, gamma=1.5, reduction="none")
        tshape = (3, 3, 2, 2) if spatial else (6, 3)

        def target():
            return (torch.rand(tshape, generator=g) < 0.4).float()

        def oracle(z, t):
            return _oracle_sigmoid(z, t, 1.5, 0.25)

    model = _Model(loss, spatial, torch.float32)
    x = torch.randn(shape, generator=g)
    with torch.no_grad() if no_grad else torch.enable_grad():
        traced = torch.jit.trace(model, (x, target()))
    loaded = _save_load(traced)
    x_new, t_new = torch.randn(shape, generator=g), target()
    weight = dict(loaded.named_parameters())["linear.weight"]
    out = loaded(x_new, t_new)
    upstream = torch.rand(out.shape, generator=g)
    (out * upstream).sum().backward()

    w = model.linear.weight.detach().double().requires_grad_()
    b = model.linear.bias.detach().double()
    z = x_new.double() @ w.T + b
    if spatial:
        z = z.permute(0, 3, 1, 2)
    want = oracle(z, t_new)
    (want * upstream.double()).sum().backward()
    torch.testing.assert_close(out.double(), want.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(weight.grad.double(), w.grad, rtol=1e-4, atol=1e-6)


def test_loaded_trace_still_refuses_create_graph():
    model = _Model(SoftmaxFocalLoss(gamma=2.0), False, torch.float32)
    x = torch.randn(6, 4)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    loaded = _save_load(torch.jit.trace(model, (x, target)))
    x = x.clone().requires_grad_()
    with pytest.raises(RuntimeError, match="second derivative"):
        torch.autograd.grad(loaded(x, target), x, create_graph=True)
    # without create_graph: the eager gradient
    (got,) = torch.autograd.grad(loaded(x, target), x)
    (want,) = torch.autograd.grad(model(x, target), x)
    torch.testing.assert_close(got, want)


def _loaded_softmax_trace():
    z = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0, 1, 2, 1])
    return _save_load(torch.jit.trace(SoftmaxFocalLoss(), (z, target))), z, target


def test_loaded_trace_refuses_forward_ad():
    # The traced op's registered autograd has no forward-mode formula: with
    # a dual input it ran without grad and gave no tangent (None, silently;
    # the eager loss raises).
    loaded, z, target = _loaded_softmax_trace()
    forward_ad = torch.autograd.forward_ad
    with forward_ad.dual_level():
        dual = forward_ad.make_dual(z.detach(), torch.ones_like(z))
        with pytest.raises(RuntimeError, match="no forward-mode derivative"):
            loaded(dual, target)


@pytest.mark.parametrize("transform", ["jvp", "jacfwd"])
def test_loaded_trace_refuses_func_forward_mode(transform):
    # Under torch.func.jvp / jacfwd the traced op gave a tangent of 0.
    loaded, z, target = _loaded_softmax_trace()
    with pytest.raises(RuntimeError, match="no forward-mode derivative"):
        if transform == "jvp":
            torch.func.jvp(lambda x: loaded(x, target), (z.detach(),), (z.detach(),))
        else:
            torch.func.jacfwd(lambda x: loaded(x, target))(z.detach())


def test_stateful_loader_balanced_batches_resume_at_short_epoch_start():
    # Batch-sampler form of review 50's epoch-end fix (found failing on
    # 0424fc6 by the fuzz): state after set_epoch(1), before iterating; epoch
    # 1 (3 batches) fits in the restored iterator's prefetch (2 workers x 3).
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    np = pytest.importorskip("numpy")
    from rebalance.torch import BalancedBatchSampler

    labels = np.array([0] * 5 + [1] * 3)
    dataset = torch.utils.data.TensorDataset(torch.arange(8))

    def build():
        batches = BalancedBatchSampler(labels, 4, seed=61, drop_last=False)
        loader = stateful.StatefulDataLoader(
            dataset,
            batch_sampler=batches,
            num_workers=2,
            prefetch_factor=3,
            multiprocessing_context="fork",
        )
        return loader, batches

    def epochs(loader, batches, first, stop_before=None):
        out = []
        for epoch in range(first, 4):
            batches.set_epoch(epoch)
            if epoch == stop_before:
                buffer = io.BytesIO()
                torch.save(loader.state_dict(), buffer)
                buffer.seek(0)
                return out, torch.load(buffer, weights_only=True)
            out += [ids.tolist() for (ids,) in loader]
        return out, None

    whole, _ = epochs(*build(), 0)
    before, state = epochs(*build(), 0, stop_before=1)
    loader, batches = build()
    loader.load_state_dict(state)
    after, _ = epochs(loader, batches, 1)
    assert len(whole) == 12 and sorted(map(len, whole)) == [4] * 12
    assert before + after == whole
