"""Regression review of 154c172, 5cbb1ac, df84ee2 and 3a73d41: behaviour that
worked before these commits and no longer does. Each test fails on the code
as reviewed.
"""

from __future__ import annotations

import numpy as np
import pytest

from rebalance.cli import main

# --- rebalance compare --data: the separator read from the header ----------------


def _rows(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * (n - n // 5) + ["yes"] * (n // 5))
    x1 = rng.normal(size=n) + 2.0 * (y == "yes")
    x2 = rng.normal(size=n)
    return x1, x2, y


@pytest.mark.parametrize(
    ("name", "header", "sep"),
    [
        # A comma file whose quoted column names hold semicolons (survey
        # exports: "rate; 2019; adj"): 2 commas, 4 semicolons in the header.
        ("rates.csv", '"rate; 2019; adj","rate; 2020; adj",label', ","),
        # A .tsv whose first (quoted) name holds two commas: 2 tabs, 2 commas.
        ("income.tsv", '"Income, net, adj"\tAge\tlabel', "\t"),
    ],
)
def test_separator_inside_quoted_column_names_is_not_counted(
    tmp_path, monkeypatch, name, header, sep
):
    # 3a73d41 picks the separator found most often in the header line,
    # counting the characters inside quoted column names too. Before it, both
    # files were read correctly (a comma read, then the other separators only
    # for a one-column result); now the comma file is split at ';' and the
    # .tsv at ',' (a tie goes to the comma), and `--target label` fails with
    # "is not a column" for files that ran yesterday.
    x1, x2, y = _rows()
    lines = [header] + [f"{a:.6f}{sep}{b:.6f}{sep}{c}" for a, b, c in zip(x1, x2, y)]
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    argv = ["compare", "--data", name, "--target", "label"]
    assert main(argv + ["--folds", "2", "--methods", "none"]) == 0


# --- OHEM among valid rows --------------------------------------------------------

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from rebalance.torch.losses import OHEMLoss, ohem_loss  # noqa: E402


def test_ohem_mean_of_bfloat16_losses_divides_by_the_exact_count():
    # df84ee2: OHEMLoss now always goes through _ohem_valid (valid = target !=
    # ignore_index, all True here), which divides the kept sum by the count
    # cast to the losses' dtype. In bfloat16 (a model run in bf16 without
    # autocast) 257 becomes 256, so the loss and every kept sample's gradient
    # are 1/256 instead of 1/257 (0.4% off; float16 rounds counts above 2048
    # the same way). Before, and with valid=None, the count is an exact
    # Python int: with every row valid the result must be the same as
    # without `valid`.
    torch.manual_seed(0)
    logits = torch.randn(600, 3, dtype=torch.bfloat16)
    target = torch.randint(0, 3, (600,))

    def grads(loss_fn):
        x = logits.clone().requires_grad_()
        (grad,) = torch.autograd.grad(loss_fn(x), x)
        return grad

    def plain(x):  # ohem_loss of the per-sample losses: the formula, no `valid`
        return ohem_loss(F.cross_entropy(x, target, reduction="none"), top_k=257)

    module = OHEMLoss(top_k=257)
    assert torch.equal(grads(lambda x: module(x, target)), grads(plain))

    losses = torch.rand(600, dtype=torch.bfloat16, requires_grad=True)
    everything = torch.ones(600, dtype=torch.bool)
    loss = ohem_loss(losses, top_k=257, valid=everything)
    (grad,) = torch.autograd.grad(loss, losses)
    kept = grad[grad != 0]
    assert kept.numel() == 257
    assert torch.equal(kept, torch.full_like(kept, 1 / 257))


def test_ohem_loss_default_ignore_index_does_not_drop_a_class_of_uint8_targets():
    # Segmentation masks are commonly uint8 (PNG), passed to a criterion that
    # casts them. OHEMLoss's new default ignore_index=-100 is compared with
    # the target in the target's dtype: -100 wraps to 156 in uint8, so every
    # pixel of class 156 (COCO-Stuff has 182 classes) is silently "ignored"
    # -- never kept, never trained -- although no pixel is -100. Before
    # df84ee2 every pixel counted.
    def criterion(logits, target):
        return F.cross_entropy(logits, target.long(), reduction="none")

    torch.manual_seed(0)
    logits = torch.randn(1, 182, 4, 4)
    target = torch.randint(0, 182, (1, 4, 4), dtype=torch.uint8)
    target[0, 0] = 156  # one row of pixels of class 156
    loss, kept = OHEMLoss(criterion, top_k=1.0, return_indices=True)(logits, target)
    assert sorted(kept.tolist()) == list(range(16))
    expected = F.cross_entropy(logits, target.long(), reduction="none").mean()
    torch.testing.assert_close(loss, expected)
