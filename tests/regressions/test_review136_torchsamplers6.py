"""Review 136, area torchsamplers6: rebalance's PyTorch samplers as a
PyTorch user drives them.

Reviewed ``RebalanceSampler``, ``BalancedBatchSampler``,
``HardExampleSampler``, ``IndexBatchSampler`` and ``RebalancedLoader`` with
probe scripts: ``len()`` against the items yielded for every estimator
sampler, ``num_replicas`` (1, 2, 3, 5) and ``drop_last``; ranks disjoint,
interleaving to the single-process draw, equal lengths; indices in range;
``DataLoader(num_workers=2, persistent_workers=True)`` epochs with and
without ``set_epoch``; ``torch.manual_seed`` / ``generator=`` (ignored, as
documented); ``set_epoch`` reproducibility; mid-epoch resume through
torchdata's ``StatefulDataLoader`` (0 and 2 workers, per-index and
``IndexBatchSampler`` forms, then the next epoch); states through
``torch.save``/``torch.load(weights_only=True)``; mismatched states
(other sampler, replicas, form) refused; label containers (tensor, strided
tensor, int8/uint8, numpy, list, list of 0-d tensors, pandas Series /
Index / categorical / Int64 / one-column frame, strings, one-hot);
``__getitems__`` with every ``index_type``; pickling mid-epoch; threads and
two concurrent iterators; degenerate labels (one class, a one-row class,
empty) and argument errors.

Found one bug: an imbalanced-learn sampler passed as ``sampler=`` is refused
with a message that prints it as ``RandomUnderSampler()``, the same text as
the rebalance sampler it asks for, and names no fix.

No bug elsewhere; the pins below guard the worker / resume paths and label
containers not pinned by earlier rounds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
stateful = pytest.importorskip("torchdata.stateful_dataloader")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomOverSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalanceSampler,
)

Y = np.array([0] * 37 + [1] * 9 + [2] * 4)


def _epoch(e: int) -> list[int]:
    sampler = RebalanceSampler(Y, RandomOverSampler())
    sampler.set_epoch(e)
    return list(sampler)


def test_imblearn_sampler_error_names_its_origin_and_the_fix():
    imblearn_under = pytest.importorskip("imblearn.under_sampling")
    with pytest.raises(TypeError) as info:
        RebalanceSampler(Y, imblearn_under.RandomUnderSampler())
    message = str(info.value)
    # Today: "... such as ... RandomUnderSampler(); got RandomUnderSampler()."
    assert "imblearn" in message
    assert "rebalance.RandomUnderSampler" in message


def test_persistent_workers_draw_each_epoch_as_set_epoch_says():
    dataset = TensorDataset(torch.arange(len(Y)))
    sampler = RebalanceSampler(Y, RandomOverSampler())
    loader = DataLoader(
        dataset, batch_size=8, sampler=sampler, num_workers=2, persistent_workers=True
    )
    got = []
    for e in range(2):
        sampler.set_epoch(e)
        got.append(torch.cat([b[0] for b in loader]).tolist())
    assert got == [_epoch(0), _epoch(1)]
    assert got[0] != got[1]


@pytest.mark.parametrize("kind", ["bbs", "hes"])
def test_stateful_loader_with_workers_resumes_index_batches(kind):
    dataset = TensorDataset(torch.arange(len(Y)))

    def make():
        if kind == "bbs":
            return IndexBatchSampler(BalancedBatchSampler(Y, 6, drop_last=False))
        return IndexBatchSampler(
            HardExampleSampler(RebalanceSampler(Y, RandomOverSampler())), 7
        )

    def loader():
        return stateful.StatefulDataLoader(
            dataset, sampler=make(), batch_size=None, num_workers=2
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchdata's set_vital deprecation
        full = [b[0].tolist() for b in loader()]
        first = loader()
        it = iter(first)
        got = [next(it)[0].tolist() for _ in range(3)]
        state = first.state_dict()
        del it
        resumed = loader()
        resumed.load_state_dict(state)
        rest = [b[0].tolist() for b in resumed]
        following = [b[0].tolist() for b in resumed]
    expected_next = make()
    expected_next.set_epoch(1)
    assert got + rest == full
    assert following == [b.tolist() for b in expected_next]


@pytest.mark.parametrize(
    "labels",
    [
        [torch.tensor(v) for v in Y],
        torch.tensor(np.repeat(Y, 2))[::2],
        torch.nn.functional.one_hot(torch.tensor(Y)).float(),
    ],
    ids=["list-of-0d-tensors", "strided-tensor", "one-hot-float"],
)
def test_label_containers_draw_as_the_numpy_labels(labels):
    assert list(RebalanceSampler(labels, RandomOverSampler())) == _epoch(0)
    batches = [list(b) for b in BalancedBatchSampler(labels, 6)]
    assert batches == [list(b) for b in BalancedBatchSampler(Y, 6)]
