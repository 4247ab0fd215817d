"""Review 32, lead: regression tests for bugs found by the lead."""

import functools

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from rebalance.torch.losses import OHEMLoss  # noqa: E402


@pytest.mark.parametrize(
    "criterion",
    [
        nn.CrossEntropyLoss(reduction="none", ignore_index=255),
        functools.partial(F.cross_entropy, reduction="none", ignore_index=255),
    ],
)
def test_ohem_criterion_ignoring_another_target_raises(criterion):
    # The criterion's ignored rows got loss 0 and counted as easy samples in
    # the top_k fraction and the mean: the loss was silently diluted.
    with pytest.raises(ValueError, match="ignore_index=255"):
        OHEMLoss(criterion, top_k=0.5)
    ohem = OHEMLoss(top_k=0.5)
    ohem.criterion = criterion  # set after construction: checked at forward
    logits = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 255, 255, 255, 255, 1])
    with pytest.raises(ValueError, match="ignore_index=255"):
        ohem(logits, target)
    matched = OHEMLoss(criterion, top_k=0.5, ignore_index=255)
    # The kept half of the 4 valid rows: the 2 hardest among them.
    per_row = F.cross_entropy(
        logits[[0, 1, 2, 7]], target[[0, 1, 2, 7]], reduction="none"
    )
    expected = per_row.topk(2).values.mean()
    assert torch.allclose(matched(logits, target), expected)
    # Every sample counting is the user's explicit choice.
    OHEMLoss(criterion, top_k=0.5, ignore_index=None)(logits, target)
