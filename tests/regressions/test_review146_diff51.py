"""Review 146, area diff51: the lead's commit 39d10eb (``git diff 371f4f4
39d10eb -- rebalance/``).

Reviewed how: each change read against its callers, then driven with
Hugging Face ``datasets`` columns (every ``with_format``, ``select``,
``shuffle``, ``filter``, ClassLabel of -1, Value("string"),
Sequence(ClassLabel)), counting ``Column.__getitem__`` reads, comparing
results with the code of 371f4f4 (``git archive`` into /tmp); OHEMLoss with
partials and 1-D logits; ``rebalance compare --drop`` through ``main``.

Found (fixed by the lead; each test below failed before):

* The sampler path (``BaseSampler._check_inputs``) reads an HF column twice:
  ``check_class_label_column(y)`` reads ``y[:]``, then ``encode_labels`` ->
  ``_target_array`` reads it again (about 45% of a 2M-row fit_resample in the
  numpy format).
* ``--drop a --drop b`` beside a column named ``"a,b"`` drops ``"a,b"`` and
  keeps ``a`` and ``b`` as features (silent): two options were glued into one
  name by the new "longest name first" rule.
* OHEMLoss: a criterion saying ``reduction = "none"`` that averages a batch of
  1-D binary logits ``(N,)`` is read as one unbatched sample (silent): the
  "logits.dim() <= 1" rule cannot tell a binary batch from one sample.
* The ClassLabel -1 error of ``_target_array`` names the column, never the
  argument: ``g_mean_score(y_true, ds["label"])`` does not say it is y_pred.

Checked and fine (some pinned): -1 refused for the plain/torch/numpy formats,
via ``select``/``shuffle``/``filter`` (indices mapping: -1 outside the
selection passes); class keys stay Python ints as before; torch-format
``y[:]`` (a tensor) is handled; Value("string") columns work in every format;
ThresholdMover / ResampledClassifier / compare take an HF column; nested
``functools.partial`` (flattened by Python) is read; compare still names X
before drop.
"""

import functools

import numpy as np
import pandas as pd
import pytest

datasets = pytest.importorskip("datasets")
torch = pytest.importorskip("torch")

import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from datasets import ClassLabel, Dataset, Features, Value  # noqa: E402
from datasets.arrow_dataset import Column  # noqa: E402

from rebalance import RandomUnderSampler, class_weights  # noqa: E402
from rebalance.metrics import g_mean_score  # noqa: E402
from rebalance.torch.losses import OHEMLoss  # noqa: E402

datasets.disable_progress_bars()


def _ds(labels):
    features = Features({"x": Value("float32"), "label": ClassLabel(names=["n", "p"])})
    x = np.arange(len(labels), dtype="float32")
    return Dataset.from_dict({"x": x, "label": list(labels)}, features=features)


def test_sampler_reads_hf_column_once(monkeypatch):
    reads = []
    original = Column.__getitem__

    def counted(self, key):
        if isinstance(key, slice):
            reads.append(key)
        return original(self, key)

    monkeypatch.setattr(Column, "__getitem__", counted)
    y = _ds([0, 0, 0, 0, 1, 1])["label"]
    RandomUnderSampler(random_state=0).fit_resample(np.zeros((6, 1)), y)
    assert len(reads) == 1


@pytest.mark.parametrize("fmt", [None, "torch", "numpy"])
def test_class_label_minus_one_refused_in_formats(fmt):
    # Pin: -1 refused whatever the format; keys stay Python ints.
    ds = _ds([0, -1, 0, 1])
    column = (ds.with_format(fmt) if fmt else ds)["label"]
    with pytest.raises(ValueError, match="missing label"):
        class_weights(column)
    weights = class_weights(_ds([0, 0, 1]).with_format(fmt)["label"])
    assert weights == {0: 0.75, 1: 1.5}
    assert all(type(key) is int for key in weights)


def test_class_label_indices_mapping():
    # Pin: select/filter read through the indices mapping; the -1 row left
    # out passes, kept in is refused.
    ds = _ds([0, -1, 0, 0, 1, 1])
    assert class_weights(ds.select([5, 4, 0, 2])["label"]) == {0: 1.0, 1: 1.0}
    assert class_weights(ds.filter(lambda r: r["x"] != 1)["label"]) == {
        0: 5 / 6,
        1: 1.25,
    }
    with pytest.raises(ValueError, match="position 1"):
        class_weights(ds.select([5, 1, 0])["label"])


def test_class_label_error_names_argument():
    y_pred = _ds([0, -1, 0, 1])["label"]
    with pytest.raises(ValueError, match="y_pred"):
        g_mean_score([0, 1, 0, 1], y_pred)


class _SaysNoneAveragesBinary(nn.Module):
    reduction = "none"

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target)


def test_ohem_refuses_reduced_binary_batch():
    logits = torch.tensor([3.0, -3.0, 0.0, 2.0])
    target = torch.tensor([0.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError):
        OHEMLoss(criterion=_SaysNoneAveragesBinary(), top_k=2)(logits, target)


def test_ohem_nested_partial_and_binary_batch():
    # Pins: a nested partial (Python flattens it) reads reduction='none' on
    # one soft sample; an honest binary batch keeps its hardest losses.
    inner = functools.partial(F.cross_entropy, reduction="none")
    criterion = functools.partial(inner, label_smoothing=0.0)
    logits = torch.tensor([1.0, 2.0, 0.5])
    soft = torch.tensor([0.2, 0.5, 0.3])
    expected = F.cross_entropy(logits, soft)
    assert torch.allclose(
        OHEMLoss(criterion=criterion, top_k=1)(logits, soft), expected
    )
    batch = torch.tensor([3.0, -3.0, 0.0, 2.0])
    target = torch.tensor([0.0, 1.0, 1.0, 1.0])
    per = F.binary_cross_entropy_with_logits(batch, target, reduction="none")
    loss = OHEMLoss(criterion=nn.BCEWithLogitsLoss(reduction="none"), top_k=2)
    assert torch.allclose(loss(batch, target), per.topk(2).values.mean())


def _dropped(tmp_path, drop_args):
    import json

    from rebalance.cli import main

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.random((40, 3)), columns=["a", "b", "a,b"])
    data["y"] = (np.arange(40) % 4 == 0).astype(int)
    data.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o.json"
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "y"]
    argv += ["--folds", "2", "--methods", "none", *drop_args, "--json", str(out)]
    main(argv)
    return set(json.loads(out.read_text())["columns"]["dropped"])


def test_drop_given_twice_not_glued(tmp_path):
    assert _dropped(tmp_path, ["--drop", "a", "--drop", "b"]) == {"a", "b"}
