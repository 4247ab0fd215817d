"""Regression review of the review-2 changes (b3c7443, 200d980, a45b06f):
behaviour that worked before these commits and no longer does, or new
behaviour that breaks the case it was added for. Each test fails on the code
as reviewed.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from rebalance.cli import main

# --- rebalance compare --data ---------------------------------------------------


def _labelled(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["no"] * (n - n // 5) + ["yes"] * (n // 5))
    x1 = rng.normal(size=n) + 2.0 * (y == "yes")
    x2 = rng.normal(size=n)
    return x1, x2, y


def test_comma_space_file_still_takes_the_spaced_target_and_label(tmp_path):
    # Before b3c7443 a file written with ", " (UCI adult) had the column
    # " label" and the classes " no"/" yes", and the way to run it was
    # --target " label" --positive-label " yes". skipinitialspace now names
    # the column "label", and the exact lookups refuse the spelling that
    # worked yesterday: every script written for such a file breaks with
    # "--target ' label' is not a column". --drop already accepts a name with
    # or without the surrounding spaces; --target and --positive-label should
    # too.
    x1, x2, y = _labelled()
    lines = ["x1, x2, label"] + [f"{a:.6f}, {b:.6f}, {c}" for a, b, c in zip(x1, x2, y)]
    path = tmp_path / "adult_like.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.json"
    argv = ["compare", "--data", str(path), "--target", " label"]
    argv += ["--positive-label", " yes", "--folds", "2", "--methods", "none"]
    assert main(argv + ["--json", str(out)]) == 0
    assert json.loads(out.read_text())["positive_label"].strip() == "yes"


def test_semicolon_file_with_commas_in_its_values_is_read(tmp_path, monkeypatch):
    # README (b3c7443): "Files may be separated by `,`, `;`, tabs or `|`". The
    # separator is guessed from a comma read that finds one column; but a
    # ';' file whose values hold commas (European decimals "1,5", or text
    # such as "Smith, John") has rows of different comma counts, and the
    # comma read fails first: "could not read --data ...: Error tokenizing
    # data. C error: Expected 2 fields in line 3, saw 3" -- the very files
    # (Excel in European locales) the sniffing was added for.
    x1, x2, y = _labelled()
    names = ["Smith, John" if i % 3 == 1 else "Jane" for i in range(len(y))]
    lines = ["name;x1;x2;label"] + [
        f"{n};{a:.6f};{b:.6f};{c}" for n, a, b, c in zip(names, x1, x2, y)
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "excel.csv").write_text("\n".join(lines) + "\n")
    argv = ["compare", "--data", "excel.csv", "--target", "label", "--drop", "name"]
    assert main(argv + ["--folds", "2", "--methods", "none"]) == 0


def test_tab_separated_file_with_a_semicolon_in_a_column_name(tmp_path, monkeypatch):
    # The separator is the first of ';', tab, '|' found in the one-column
    # header, not the one that splits it: a .tsv whose header holds a name
    # such as "weight;kg" is split at ';' into 'label\tweight' and 'kg\tx2',
    # and --target label is "not a column".
    x1, x2, y = _labelled()
    lines = ["label\tweight;kg\tx2"] + [
        f"{c}\t{a:.6f}\t{b:.6f}" for a, b, c in zip(x1, x2, y)
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.tsv").write_text("\n".join(lines) + "\n")
    argv = ["compare", "--data", "data.tsv", "--target", "label"]
    assert main(argv + ["--folds", "2", "--methods", "none"]) == 0


# --- torch samplers: set_epoch of the running epoch ------------------------------

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance.torch import BalancedBatchSampler, RebalanceSampler  # noqa: E402

LABELS = torch.tensor([0] * 30 + [1] * 10)
DATASET = TensorDataset(torch.arange(40), LABELS)


def _epoch(sampler_factory, epoch):
    sampler = sampler_factory()
    sampler.set_epoch(epoch)
    return [int(i) for i in sampler]


def test_set_epoch_draws_that_epoch_while_an_earlier_iterator_is_alive():
    # set_epoch's docstring: "Draw epoch `epoch` on the next iteration (as
    # DistributedSampler)". Since a45b06f, set_epoch(e) is a no-op whenever an
    # iteration of epoch e is still alive, and the next iteration draws e + 1.
    # A notebook that peeks at a batch (it = iter(loader); next(it)) and then
    # trains with the usual set_epoch(epoch) loop trains "epoch 0" on epoch 1
    # and epoch 1 on epoch 1 again: two identical epochs, silently, and not the
    # seeded run it gets without the peek. torch's DistributedSampler (and
    # this sampler before a45b06f) draw epoch 0, then epoch 1.
    def make():
        return RebalanceSampler(LABELS, seed=0)

    sampler = make()
    loader = DataLoader(DATASET, batch_size=4, sampler=sampler)
    peek = iter(loader)
    next(peek)  # look at one batch; the iterator is kept
    seen = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        seen.append([int(i) for batch, _ in loader for i in batch])
    assert seen[0] == _epoch(make, 0)
    assert seen[1] == _epoch(make, 1)
    del peek


def test_stateful_dataloader_break_then_set_epoch_restarts_the_epoch():
    # The same no-op with torchdata's StatefulDataLoader (the documented
    # loader for mid-epoch checkpoints): it keeps its iterator, so after a
    # short run that breaks off (a dry run, a learning-rate probe) the user's
    # set_epoch(0) is ignored and the real training's "epoch 0" is epoch 1.
    # With torch's DistributedSampler, and before a45b06f, it is epoch 0.
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def make():
        return BalancedBatchSampler(LABELS, 4, seed=0)

    batches = make()
    loader = sdl.StatefulDataLoader(DATASET, batch_sampler=batches)
    batches.set_epoch(0)
    for step, _ in enumerate(loader):
        if step == 1:
            break
    batches.set_epoch(0)
    got = [batch[0].tolist() for batch in loader]
    reference = make()
    reference.set_epoch(0)
    assert got == [[int(i) for i in b] for b in reference]


# --- BalancedBatchSampler.sampler (_EpochLink) ------------------------------------


def test_copy_of_balanced_batch_sampler_hears_lightning_set_epoch():
    # a45b06f makes .sampler an object bound to the batch sampler so that
    # Lightning's loader.batch_sampler.sampler.set_epoch(e) reaches it. The
    # binding is an attribute, copied as it is by copy.copy: the copy's
    # .sampler sets the ORIGINAL's epoch, and the copy stays on epoch 0 --
    # the bug a45b06f fixed comes back for a copied sampler (and the
    # original's epoch changes behind its loader's back).
    data = pytest.importorskip("lightning.fabric.utilities.data")
    original = BalancedBatchSampler(LABELS, 4, seed=0)
    batches = copy.copy(original)
    loader = DataLoader(DATASET, batch_sampler=batches)
    data._set_sampler_epoch(loader, 2)  # what Lightning does at epoch 2
    expected = BalancedBatchSampler(LABELS, 4, seed=0)
    expected.set_epoch(2)
    assert [b[0].tolist() for b in loader] == [[int(i) for i in b] for b in expected]
    assert original.epoch == 0
