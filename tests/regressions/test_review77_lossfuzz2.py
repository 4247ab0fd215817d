"""Review 77 (lossfuzz2): the non-focal losses of ``rebalance.torch.losses``."""

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
losses = pytest.importorskip("rebalance.torch.losses")


def test_logit_adjusted_vmap_over_tau():
    torch.manual_seed(0)
    logits = torch.randn(4, 3)
    target = torch.tensor([0, 2, 1, 1])
    taus = torch.tensor([0.0, 1.0])
    counts = [5.0, 3.0, 1.0]

    def loss(tau):
        return losses.logit_adjusted_cross_entropy(logits, target, counts, tau=tau)

    got = torch.func.vmap(loss)(taus)
    priors = torch.tensor(counts) / sum(counts)
    expected = torch.stack(
        [F.cross_entropy(logits + float(t) * priors.log(), target) for t in taus]
    )
    torch.testing.assert_close(got, expected)


def test_balanced_softmax_matches_ren_formula_on_segmentation_shape():
    # Passing guard from the fuzz: (N, C, d1, d2) logits, uint8 targets with
    # ignore_index=255, log(n_j) added on the class dim.
    torch.manual_seed(1)
    logits = torch.randn(2, 3, 2, 2, dtype=torch.float64)
    target = torch.tensor([[[0, 255], [1, 2]], [[2, 2], [255, 0]]], dtype=torch.uint8)
    before = (logits.clone(), target.clone())
    got = losses.balanced_softmax_cross_entropy(
        logits, target, (3, 2, 1), ignore_index=255
    )
    adjusted = logits + torch.tensor(
        [3.0, 2.0, 1.0], dtype=torch.float64
    ).log().reshape(1, 3, 1, 1)
    expected = F.cross_entropy(adjusted, target.long(), ignore_index=255)
    torch.testing.assert_close(got, expected)
    assert torch.equal(logits, before[0]) and torch.equal(target, before[1])


def test_adjust_logits_vmap_over_tau():
    # Review 77: the same _check_tau .item() crash under vmap.
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    counts = [5.0, 3.0, 1.0]
    taus = torch.tensor([0.5, 2.0])
    got = torch.func.vmap(lambda t: losses.adjust_logits(logits, counts, tau=t))(taus)
    log_priors = (torch.tensor(counts) / sum(counts)).log()
    expected = torch.stack([logits - float(t) * log_priors for t in taus])
    torch.testing.assert_close(got, expected)
