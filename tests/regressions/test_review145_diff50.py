"""Review 145 (diff50): the lead's commits fb0b73b..371f4f4 under ``rebalance/``.

Reviewed, by reading the diff and running probes (in-process, synchronous
Dask scheduler, row-id column to check pairing):

* ``OHEMLoss.forward`` taking any 0-d loss of a criterion whose
  ``reduction`` attribute is "none" as one unbatched sample;
* ``_same_frame`` / ``_rows_expression`` in ``rebalance/_dask.py`` (X and y
  as columns of one filtered frame);
* ``compare``'s cap of ``n_jobs`` at the number of fits;
* ``--drop`` / ``--methods`` with ``action="append"`` in the CLI.

Found:

* OHEMLoss: a criterion Module that says ``reduction = "none"`` but reduces
  (a wrapper around ``nn.CrossEntropyLoss()``, a subclass whose ``forward``
  calls ``.mean()``) returns a 0-d loss for a batch of 8 (2-D logits); it is
  now taken as one unbatched sample, so OHEM silently becomes the plain mean
  (before: the documented ValueError). 2-D logits can never be one sample.
* OHEMLoss: ``functools.partial(F.cross_entropy, reduction="none")`` on one
  unbatched soft-label sample is refused ("for a batch of 3") where
  ``nn.CrossEntropyLoss(reduction="none")`` is accepted.

No bug found for: filtered-frame pairing (basic, sorted/unsorted
from_pandas, astype, to_frame, assign then filter, persisted then filter);
loc/query/dropna/sample/repartition/reset_index/map_partitions/other-frame
masks/random dask-array masks are not taken as one frame (fall back to the
index check; a shuffling map_partitions is refused); X of a filter next to y
of a filter of that filter is refused. OHEM unbatched binary and soft
samples: value, ``return_indices`` ([0]), gradient, ignore_index (nothing
kept, 0 loss). CLI: ``--drop a,b --drop c``, ``--drop=a --drop=b``,
``--drop a --drop=`` (names nothing: usage error naming --drop), repeated
names; the JSON lists every dropped column.
"""

import functools

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch.losses import OHEMLoss  # noqa: E402


class _SaysNoneReducesMean(nn.Module):
    reduction = "none"

    def __init__(self):
        super().__init__()
        self.inner = nn.CrossEntropyLoss()

    def forward(self, logits, target):
        return self.inner(logits, target)


def test_ohem_refuses_reduced_batch_from_criterion_saying_none():
    torch.manual_seed(0)
    logits, target = torch.randn(8, 3), torch.randint(0, 3, (8,))
    with pytest.raises(ValueError, match="per-sample"):
        OHEMLoss(criterion=_SaysNoneReducesMean(), top_k=2)(logits, target)


def test_ohem_unbatched_soft_sample_from_partial():
    torch.manual_seed(0)
    logits, target = torch.randn(3), torch.softmax(torch.randn(3), 0)
    criterion = functools.partial(F.cross_entropy, reduction="none")
    loss = OHEMLoss(criterion=criterion, top_k=1)(logits, target)
    assert torch.allclose(loss, F.cross_entropy(logits, target))


def test_ohem_unbatched_binary_sample_gradient_and_indices():
    # Pin: the new path keeps value, indices and gradient of one sample.
    logit, target = torch.tensor(0.3, requires_grad=True), torch.tensor(1.0)
    ohem = OHEMLoss(
        criterion=nn.BCEWithLogitsLoss(reduction="none"),
        top_k=1,
        return_indices=True,
    )
    loss, kept = ohem(logit, target)
    loss.backward()
    expected = F.binary_cross_entropy_with_logits(logit.detach(), target)
    assert torch.allclose(loss, expected) and kept.tolist() == [0]
    assert torch.allclose(logit.grad, torch.sigmoid(logit.detach()) - 1)


def test_filtered_frame_columns_paired_with_own_labels():
    # Pin: X and y (cast, as a frame) from one filtered frame, taken as one
    # frame's columns, keep each row's own label.
    rng = np.random.default_rng(0)
    lab = rng.choice(["a", "b", "c"], 40, p=[0.6, 0.3, 0.1])
    lab[:3] = ["a", "b", "c"]
    df = pd.DataFrame(
        {"rid": np.arange(40), "f": rng.normal(size=40), "lab": lab},
        index=rng.permutation(40),
    )
    ddf = dd.from_pandas(df, npartitions=4, sort=False)
    f = ddf[ddf.rid >= 3]
    f = f.assign(g=f.f * 2)
    f = f[f.g > -10]
    with dask.config.set(scheduler="synchronous"):
        X_res, y_res = dask.compute(
            *RandomUnderSampler(random_state=0, shuffle=False).fit_resample(
                f[["rid", "f"]].astype("float64"), f["lab"].to_frame()
            )
        )
    label_of = dict(zip(df["rid"], df["lab"]))
    assert [label_of[int(r)] for r in X_res["rid"]] == y_res["lab"].tolist()


def test_drop_given_twice_drops_all(tmp_path, capsys):
    # Pin: --drop a,b --drop=c leaves out all three, named in the JSON.
    import json

    from rebalance.cli import main

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.random((60, 4)), columns=list("abcd"))
    data["y"] = (np.arange(60) % 6 == 0).astype(int)
    data.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o.json"
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "y"]
    argv += ["--folds", "2", "--methods", "none", "--drop", "a,b", "--drop=c"]
    main([*argv, "--json", str(out)])
    assert json.loads(out.read_text())["columns"]["dropped"] == dict.fromkeys(
        "abc", "--drop"
    )
