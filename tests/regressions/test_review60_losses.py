"""Review 60: the non-focal imbalance losses of rebalance.torch.losses."""

import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import losses as L  # noqa: E402


@pytest.mark.parametrize(
    "call",
    [
        lambda z, y, v: L.class_weighted_cross_entropy(z, y, v),
        lambda z, y, v: L.logit_adjusted_cross_entropy(z, y, v),
        lambda z, y, v: L.balanced_softmax_cross_entropy(z, y, v),
        lambda z, y, v: L.adjust_logits(z, v),
        lambda z, y, v: L.softmax_focal_loss(z, y, alpha=v),
    ],
    ids=["class_weight", "priors", "class_counts", "adjust_logits", "focal_alpha"],
)
def test_per_class_tensor_of_two_dims_is_refused_not_flattened(call):
    # A (2, 3) tensor was read as 6 class values in row-major order.
    logits = torch.randn(4, 6)
    target = torch.tensor([0, 1, 4, 5])
    with pytest.raises(ValueError, match=r"1-d tensor.*shape \(2, 3\).*reshape"):
        call(logits, target, torch.rand(2, 3) + 0.5)


@pytest.mark.parametrize(
    "module",
    [
        L.ClassWeightedCrossEntropyLoss,
        L.LogitAdjustedCrossEntropyLoss,
        L.BalancedSoftmaxCrossEntropyLoss,
    ],
)
def test_per_class_tensor_of_two_dims_is_refused_by_the_module(module):
    with pytest.raises(ValueError, match=r"1-d tensor.*shape \(1, 3\)"):
        module(torch.ones(1, 3))


def test_one_dim_per_class_tensor_and_per_element_pos_weight_still_work():
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 1, 2, 1])
    weight = torch.tensor([1.0, 2.0, 3.0])
    expected = torch.nn.functional.cross_entropy(logits, target, weight=weight)
    got = L.class_weighted_cross_entropy(logits, target, weight)
    assert torch.allclose(got, expected)
    # pos_weight may hold one weight per element: not a per-class vector
    loss = L.sigmoid_focal_loss(
        logits, torch.ones(4, 3), pos_weight=torch.full((4, 3), 2.0)
    )
    assert torch.isfinite(loss)


def test_softmax_focal_loss_with_a_float_alpha_compiles_without_graph_break():
    # The pandas-Series check of alpha ran str.startswith on float.__module__,
    # which torch.compile(fullgraph=True) refused (Unsupported method call).
    compiled = torch.compile(
        lambda a, b: L.softmax_focal_loss(a, b, alpha=0.25, reduction="sum"),
        backend="eager",
        fullgraph=True,
    )
    logits, target = torch.rand(2, 3), torch.tensor([0, 2])
    expected = L.softmax_focal_loss(logits, target, alpha=0.25, reduction="sum")
    assert torch.allclose(compiled(logits, target), expected)


@pytest.mark.parametrize("as_tensor", [False, True], ids=["list", "tensor"])
def test_a_class_never_seen_names_the_fix(as_tensor):
    counts = [5, 0, 2]
    if as_tensor:
        counts = torch.tensor(counts)
    with pytest.raises(ValueError, match=r"class_counts must be > 0.*counts \+ 1"):
        L.balanced_softmax_cross_entropy(
            torch.zeros(2, 3), torch.tensor([0, 2]), counts
        )
