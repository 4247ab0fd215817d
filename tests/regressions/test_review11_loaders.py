"""Review 11: rebalance.torch samplers inside real DataLoader set-ups.

Each test reproduces one bug found in the review; it fails on the code as
reviewed and passes once the bug is fixed.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import Subset, TensorDataset  # noqa: E402

from rebalance.torch import RebalancedLoader  # noqa: E402

LABELS = torch.tensor([0] * 30 + [1] * 10)


def _row_ids(loader):
    return [ids.tolist() for ids, _ in loader]


def test_rebalanced_loader_reads_column_vector_bce_targets():
    # Expected: a TensorDataset whose targets are the (N, 1) float column that
    # BCEWithLogitsLoss takes for an (N, 1) logit (the usual binary set-up,
    # e.g. skorch/Lightning tutorials) is read like the 1-D labels, as the
    # library's own in-memory samplers read a column vector y. Actual: a
    # ValueError "labels must be 1-D ... for one-hot targets pass
    # targets.argmax(1)" although the user passed no labels (argmax(1) of a
    # column is all zeros, so the hint does not help either).
    flat = TensorDataset(torch.arange(40), LABELS.float())
    column = TensorDataset(torch.arange(40), LABELS.float().unsqueeze(1))
    expected = _row_ids(RebalancedLoader(seed=0)(flat, batch_size=8))
    got = _row_ids(RebalancedLoader(seed=0)(column, batch_size=8))
    assert got == expected


def test_rebalanced_loader_reads_bfloat16_whole_number_targets():
    # Expected: whole-number float targets become int labels whatever their
    # float dtype (float16, float32 and float64 already do; HardExampleSampler
    # takes bfloat16 losses the same way). Actual: bfloat16 targets, e.g. a
    # dataset cast to bfloat16 for mixed precision, raise torch's "Got
    # unsupported ScalarType BFloat16" from .numpy(), naming neither the
    # argument nor a fix; through a Subset (random_split) too.
    dataset = TensorDataset(torch.arange(40), LABELS.float())
    half = TensorDataset(torch.arange(40), LABELS.to(torch.bfloat16))
    rows = np.arange(3, 40)
    expected = _row_ids(RebalancedLoader(seed=0)(Subset(dataset, rows), batch_size=8))
    got = _row_ids(RebalancedLoader(seed=0)(Subset(half, rows), batch_size=8))
    assert got == expected
