"""Review 52 (closs): differential fuzzing of the non-focal losses.

``class_weighted_cross_entropy``, ``class_weighted_binary_cross_entropy``,
``class_scaled_cross_entropy`` / ``weighted_softmax_loss``,
``logit_adjusted_cross_entropy`` / ``adjust_logits``,
``balanced_softmax_cross_entropy``, ``margin_cross_entropy`` and
``ohem_loss`` / ``OHEMLoss`` (functions and Modules) were compared with
float64 oracles written from their docstrings (``log_softmax``,
``one_hot``, ``F.cross_entropy``) over random shapes, dtypes, per-class
vector forms, ``ignore_index``, ``label_smoothing`` and reductions, values
and gradients. Each test below failed before its fix.
"""

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from rebalance.torch import losses as L  # noqa: E402


def test_ohem_default_criterion_soft_targets_with_nonnegative_ignore_index():
    # OHEMLoss(ignore_index=255) (a segmentation mask's void label) with
    # class-probability targets raised torch's RuntimeError "ignore_index is
    # not supported for floating point target": the default criterion passed
    # it on to cross_entropy, which refuses an ignore_index >= 0 with
    # probabilities (it applies to class indices only, as documented).
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 4, generator=gen, dtype=torch.float64)
    target = torch.softmax(torch.randn(6, 4, generator=gen, dtype=torch.float64), 1)
    per_sample = -(torch.log_softmax(logits, 1) * target).sum(1)
    expected = per_sample.sort(descending=True).values[:3].mean()
    for ignore_index in (255, 0, -100, None):
        got = L.OHEMLoss(top_k=0.5, ignore_index=ignore_index)(logits, target)
        torch.testing.assert_close(got, expected)
    # class indices: 255 still marks the samples to skip
    hard = torch.tensor([0, 1, 255, 3, 255, 2])
    got = L.OHEMLoss(top_k=1.0, ignore_index=255)(logits, hard)
    kept = F.cross_entropy(logits, hard, ignore_index=255, reduction="sum") / 4
    torch.testing.assert_close(got, kept)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_class_weighted_cross_entropy_label_smoothing_under_vmap(reduction):
    # torch.func.vmap over class-index targets with label_smoothing and
    # reduction='mean' raised "vmap: Attempted to vmap over `mask` in
    # torch.masked_select" (torch's weighted, smoothed mean selects the
    # non-ignored targets): per-sample losses and gradients could not be
    # taken. ('sum' and 'none' worked, and must still.)
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(3, 5, 4, 2, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 4, (3, 5, 2), generator=gen)
    target[0, 1, 0] = target[2, :, 1] = -100
    weight = torch.tensor([1.0, 0.5, 2.0, 3.0], dtype=torch.float64)

    def loss(x, t):
        return L.class_weighted_cross_entropy(
            x, t, weight, label_smoothing=0.2, reduction=reduction
        )

    def criterion(x, t):
        module = L.ClassWeightedCrossEntropyLoss(
            weight, label_smoothing=0.2, reduction=reduction
        )
        return module(x, t)

    expected = torch.stack(
        [
            F.cross_entropy(
                x, t, weight=weight, label_smoothing=0.2, reduction=reduction
            )
            for x, t in zip(logits, target, strict=True)
        ]
    )
    torch.testing.assert_close(torch.func.vmap(loss)(logits, target), expected)
    torch.testing.assert_close(torch.func.vmap(criterion)(logits, target), expected)
    if reduction != "none":
        grads = torch.func.vmap(torch.func.grad(loss))(logits, target)
        for x, t, g in zip(logits, target, grads, strict=True):
            x = x.clone().requires_grad_(True)
            F.cross_entropy(
                x, t, weight=weight, label_smoothing=0.2, reduction=reduction
            ).backward()
            torch.testing.assert_close(g, x.grad)


def test_class_weighted_cross_entropy_mean_of_probabilities_documented():
    # With class-probability targets 'mean' divides by the number of samples
    # (as cross_entropy does), not by "the summed weights of the non-ignored
    # targets" the docstrings said: the documented denominator was wrong.
    gen = torch.Generator().manual_seed(2)
    logits = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    probs = torch.softmax(torch.randn(5, 3, generator=gen, dtype=torch.float64), 1)
    weight = [1.0, 4.0, 0.5]
    got = L.class_weighted_cross_entropy(logits, probs, weight)
    w = torch.tensor(weight, dtype=torch.float64)
    summed = -(torch.log_softmax(logits, 1) * probs * w).sum()
    torch.testing.assert_close(got, summed / 5)
    for doc in (
        L.class_weighted_cross_entropy.__doc__,
        L.ClassWeightedCrossEntropyLoss.__doc__,
    ):
        assert "by the number of samples (class probabilities)" in " ".join(doc.split())


def test_learnable_tau_under_compile_fullgraph():
    # A 0-d tensor tau (documented: a learnable tau gets its gradient) under
    # torch.compile(fullgraph=True) raised torch's internal "AssertionError:
    # sympy expression is NaN" from the host-side check -inf < tau < inf of
    # its value. Under tracing it is now used as the tensor it is.
    gen = torch.Generator().manual_seed(3)
    logits = torch.randn(6, 3, generator=gen)
    target = torch.tensor([0, 1, 2, 1, -100, 0])
    priors = torch.tensor([10.0, 5.0, 1.0])
    tau = torch.nn.Parameter(torch.tensor(1.5))
    criterion = L.LogitAdjustedCrossEntropyLoss(priors, tau=tau, label_smoothing=0.1)
    compiled = torch.compile(criterion, backend="eager", fullgraph=True)
    adjust = torch.compile(
        lambda x, t: L.adjust_logits(x, [10, 5, 1], tau=t),
        backend="eager",
        fullgraph=True,
    )
    for _step in range(2):
        x = logits.clone().requires_grad_(True)
        got = compiled(x, target)
        got_x, got_tau = torch.autograd.grad(got, (x, tau))
        x = logits.clone().requires_grad_(True)
        log_p = torch.log(priors / priors.sum())
        expected = F.cross_entropy(
            x + tau * log_p, target, label_smoothing=0.1, ignore_index=-100
        )
        exp_x, exp_tau = torch.autograd.grad(expected, (x, tau))
        torch.testing.assert_close(got, expected)
        torch.testing.assert_close(got_x, exp_x)
        torch.testing.assert_close(got_tau, exp_tau)
        torch.testing.assert_close(
            adjust(logits, tau), logits - tau * log_p.to(logits.dtype)
        )
        with torch.no_grad():
            tau.add_(0.75)  # an optimizer step: the next call sees it
    # an integer 0-d tensor, as in eager mode
    integer = torch.tensor(2)
    torch.testing.assert_close(
        adjust(logits, integer), L.adjust_logits(logits, [10, 5, 1], tau=2.0)
    )


@pytest.mark.parametrize("top_k", [0.5, 0.3])
def test_ohem_fraction_under_compile_dynamic_fullgraph(top_k):
    # OHEMLoss(top_k=<fraction>) under torch.compile(dynamic=True,
    # fullgraph=True) raised "torch.* op returned non-Tensor ... isfinite":
    # the Module's float top_k is a symbolic float there, and
    # math.isfinite of one cannot be traced.
    criterion = L.OHEMLoss(top_k=top_k, ignore_index=0)
    compiled = torch.compile(criterion, backend="eager", fullgraph=True, dynamic=True)
    gen = torch.Generator().manual_seed(4)
    for n in (6, 12, 7):
        logits = torch.randn(n, 3, generator=gen, dtype=torch.float64)
        target = torch.randint(0, 3, (n,), generator=gen)
        per_sample = F.cross_entropy(logits, target, reduction="none")
        kept = per_sample[target != 0].sort(descending=True).values
        k = -(-len(kept) * round(top_k * 10) // 10)  # ceil(top_k * n_valid)
        expected = kept[:k].sum() / max(k, 1)
        torch.testing.assert_close(compiled(logits, target), expected)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (
            lambda x, t, v: L.class_weighted_cross_entropy(x, t, [1, v, 1]),
            "class_weight",
        ),
        (
            lambda x, t, v: L.logit_adjusted_cross_entropy(x, t, {0: 1, 1: v, 2: 1}),
            "priors",
        ),
        (
            lambda x, t, v: L.balanced_softmax_cross_entropy(x, t, (v, 1, 1)),
            "class_counts",
        ),
        (
            lambda x, t, v: L.class_scaled_cross_entropy(x, t, class_index=1, scale=v),
            "scale",
        ),
        (lambda x, t, v: L.weighted_softmax_loss(x, t, v, 1), "pos_mult"),
        (lambda x, t, v: L.adjust_logits(x, [1, 2, 3], tau=v), "tau"),
        (lambda x, t, v: L.margin_cross_entropy(x, t, margin=v), "margin"),
        (
            lambda x, t, v: L.class_weighted_cross_entropy(
                x, t, [1, 1, 1], label_smoothing=v
            ),
            "label_smoothing",
        ),
        (lambda x, t, v: L.softmax_focal_loss(x, t, gamma=v), "gamma"),
        (
            lambda x, t, v: L.sigmoid_focal_loss(x, (x > 0).float(), pos_weight=[v]),
            "pos_weight",
        ),
        (
            lambda x, t, v: L.ClassScaledCrossEntropyLoss(class_index=0, scale=v),
            "scale",
        ),
    ],
)
def test_int_beyond_float64_is_a_value_error_naming_the_argument(call, name):
    # A Python int beyond float64's range (10**400) raised a bare
    # OverflowError "int too large to convert to float" (float() of it),
    # naming no argument; it is now the infinity it stands for, refused by
    # the argument's own range check.
    logits = torch.zeros(4, 3)
    target = torch.tensor([0, 1, 2, 1])
    with pytest.raises(ValueError, match=name):
        call(logits, target, 10**400)


def test_int_beyond_float64_threshold_is_infinite():
    # ohem_loss's threshold of 10**400 keeps nothing above it (min_kept
    # only), as threshold=math.inf does; it raised OverflowError.
    losses = torch.tensor([0.5, 3.0, 1.0])
    for threshold, expected in ((10**400, 3.0), (-(10**400), 4.5 / 3)):
        got = L.ohem_loss(losses, threshold=threshold, min_kept=1)
        torch.testing.assert_close(got, torch.tensor(expected))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x, t, m: L.class_weighted_cross_entropy(x, t, m), "class_weight"),
        (
            lambda x, t, m: L.class_weighted_binary_cross_entropy(
                x[:, 0], (x[:, 0] > 0).float(), m[:2]
            ),
            "class_weight",
        ),
        (lambda x, t, m: L.logit_adjusted_cross_entropy(x, t, m), "priors"),
        (lambda x, t, m: L.adjust_logits(x, m), "priors"),
        (
            lambda x, t, m: L.BalancedSoftmaxCrossEntropyLoss(m.new_ones(3))(x, t),
            "class_counts",
        ),
        (
            lambda x, t, m: L.sigmoid_focal_loss(x, (x > 0).float(), pos_weight=m),
            "pos_weight",
        ),
    ],
)
def test_meta_class_vector_with_real_logits_names_the_argument(call, name):
    # A per-class tensor on the meta device (a loss Module built on, or
    # moved to, it) with logits that hold values raised torch's
    # NotImplementedError "Cannot copy out of meta tensor; no data!".
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(5))
    target = torch.tensor([0, 1, 2, 1])
    meta = torch.ones(3, device="meta")
    with pytest.raises(ValueError, match=f"{name} is a meta tensor"):
        call(logits, target, meta)
    # meta logits with it: shape tracing, as before
    got = L.class_weighted_cross_entropy(logits.to("meta"), target.to("meta"), meta)
    assert got.device.type == "meta"
    assert got.shape == ()
