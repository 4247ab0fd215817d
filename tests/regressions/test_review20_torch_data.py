"""Review 20 (torch_data): the DataLoader samplers, the batch paths and the
loaders, against PyTorch's sampler protocol and its ecosystem."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
)

LABELS = [0] * 7 + [1] * 3


# --- Hugging Face datasets: ds["label"] is a Column since datasets 4 ---------


class Column:
    """Stand-in for ``datasets.arrow_dataset.Column`` (datasets >= 4), what
    ``ds["label"]`` returns: a lazy column with a ``features`` attribute (its
    feature type), read whole by ``column[:]``, in the dataset's format."""

    __module__ = "datasets.arrow_dataset"

    def __init__(self, values):
        self._values = values
        self.source = None  # the Dataset it reads from
        self.column_name = "label"
        self.features = "Value('int64')"
        self.reads = []

    def __len__(self):
        return len(self._values)

    def __getitem__(self, key):
        self.reads.append(key)
        return self._values[key]

    def __iter__(self):
        return iter(self._values)


class HFDataset:
    """Stand-in for ``datasets.Dataset``: still refused as labels."""

    __module__ = "datasets.arrow_dataset"

    def __init__(self, labels):
        self.features = {"x": "Value('int64')", "label": "Value('int64')"}
        self._labels = labels

    def __len__(self):
        return len(self._labels)

    def __getitem__(self, key):
        if key == "label":
            return Column(self._labels)
        return {"x": key, "label": self._labels[key]}


@pytest.mark.parametrize(
    "values", [LABELS, np.array(LABELS), torch.tensor(LABELS)], ids=type
)
def test_a_hugging_face_label_column_is_read_as_the_labels(values):
    # Before: "labels is a Column, not its labels: ... Pass its label column,
    # e.g. dataset["label"]" - the very thing passed - for the label column
    # the module notes name, since datasets 4 a Column (it has `features`).
    # The column is read once, whole (column[:], in the dataset's format).
    column = Column(values)
    sampler = RebalanceSampler(column, RandomUnderSampler(), seed=0)
    expected = RebalanceSampler(LABELS, RandomUnderSampler(), seed=0)
    assert list(sampler) == list(expected)
    assert column.reads == [slice(None)]
    batches = BalancedBatchSampler(Column(values), 4, seed=0)
    assert [list(b) for b in batches] == [
        list(b) for b in BalancedBatchSampler(LABELS, 4, seed=0)
    ]


def test_a_hugging_face_dataset_is_still_refused_as_labels():
    with pytest.raises(TypeError, match=r'labels is a HFDataset.*dataset\["label"\]'):
        RebalanceSampler(HFDataset(LABELS))


def test_rebalanced_loader_reads_a_label_column_given_by_labels_from():
    dataset = TensorDataset(torch.arange(10), torch.tensor(LABELS))
    column = Column(torch.tensor(LABELS))
    loader = RebalancedLoader(
        sampler=RandomUnderSampler(), seed=0, labels_from=lambda d: column
    )(dataset, batch_size=3)
    ids = torch.cat([i for i, _ in loader]).tolist()
    assert ids == list(RebalanceSampler(LABELS, RandomUnderSampler(), seed=0))
    assert column.reads == [slice(None)]
    assert isinstance(loader, DataLoader)


def test_a_real_hugging_face_label_column_is_read_as_the_labels():
    datasets = pytest.importorskip("datasets")
    data = datasets.Dataset.from_dict({"x": list(range(10)), "label": LABELS})
    expected = list(RebalanceSampler(LABELS, RandomUnderSampler(), seed=0))
    for form in (None, "numpy", "torch", "pandas"):
        column = data.with_format(form)["label"]
        assert list(RebalanceSampler(column, RandomUnderSampler(), seed=0)) == expected
    with pytest.raises(TypeError, match=r"labels is a Dataset"):
        RebalanceSampler(data)


# --- HF Accelerate: BatchSamplerShard pads batches as lists -----------------

# 15 indices per epoch (label shuffle: 5 of each class).
SHORT_LAST = torch.tensor([0] * 5 + [1] * 2 + [2])


def _shards(batch_size, index_type, drop_last=False, **shard_kwargs):
    from accelerate.data_loader import prepare_data_loader

    dataset = TensorDataset(torch.arange(len(SHORT_LAST)), SHORT_LAST)
    ranks = []
    for rank in range(2):
        sampler = RebalanceSampler(SHORT_LAST, seed=2, num_replicas=1, rank=0)
        batches = IndexBatchSampler(
            sampler, batch_size, drop_last=drop_last, index_type=index_type
        )
        loader = DataLoader(dataset, batch_sampler=batches)
        prepared = prepare_data_loader(
            loader,
            num_processes=2,
            process_index=rank,
            put_on_device=False,
            **shard_kwargs,
        )
        ranks.append([ids.tolist() for ids, _ in prepared])
    return ranks


@pytest.mark.parametrize("index_type", ["tensor", "numpy"])
@pytest.mark.parametrize(
    "batch_size, shard_kwargs",
    [(7, {}), (7, {"even_batches": False}), (14, {"split_batches": True})],
)
def test_accelerate_padding_index_arrays_is_refused_by_name(
    index_type, batch_size, shard_kwargs
):
    # Before: Accelerate's BatchSamplerShard, which pads the last batches as
    # Python lists, failed inside Accelerate ("Boolean value of Tensor with
    # more than one value is ambiguous", "unsupported operand type(s) for +=")
    # or, with split_batches, added the first batch's indices to the last
    # one's (IndexError, or other rows where they stay in range).
    pytest.importorskip("accelerate")
    with pytest.raises(TypeError, match=r"sharded by HF Accelerate.*index_type='list'"):
        _shards(batch_size, index_type, **shard_kwargs)


def test_accelerate_shards_index_lists_and_arrays_it_does_not_pad():
    pytest.importorskip("accelerate")
    epoch = list(RebalanceSampler(SHORT_LAST, seed=2))
    listed = _shards(7, "list")
    assert [len(rank) for rank in listed] == [2, 2]
    assert sorted({i for rank in listed for b in rank for i in b}) == sorted(set(epoch))
    # Nothing padded (the short last batch dropped): index tensors stay valid.
    assert _shards(7, "tensor", drop_last=True) == _shards(7, "list", drop_last=True)
    # Split, not padded (even_batches=False): the same.
    split = {"split_batches": True, "even_batches": False}
    assert _shards(14, "tensor", **split) == _shards(14, "list", **split)


# --- an empty draw -------------------------------------------------------------


@pytest.mark.parametrize("drop_last", [False, True])
def test_a_sampler_drawing_no_row_says_so_not_to_change_drop_last(drop_last):
    # Before: "Each epoch has 0 indices, fewer than num_replicas=1: with
    # drop_last=True every rank would get none. Use drop_last=False." - also
    # with drop_last=False, where that fix changes nothing.
    nothing = RandomUnderSampler(sampling_strategy={0: 0, 1: 0})
    with pytest.raises(ValueError, match="draws no row") as error:
        RebalanceSampler(LABELS, nothing, drop_last=drop_last)
    assert "drop_last" not in str(error.value)
    # A batch sampler's epoch is empty only when rounded down: that fix stays.
    with pytest.raises(ValueError, match="Use drop_last=False"):
        BalancedBatchSampler([0, 1, 0, 1], 6, class_counts=[3, 3])


# --- fuzzing: the Sampler protocol and DistributedSampler's split -------------

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")

_CONTAINERS = [
    "int8",
    "uint8",
    "int64",
    "uint64",
    "str",
    "object",
    "t_uint8",
    "t_int64",
]


def _as_container(codes, kind):
    if kind == "str":
        return np.array([f"c{c}" for c in codes])
    if kind == "object":
        return np.array(["x" * (c + 1) for c in codes], dtype=object)
    if kind.startswith("t_"):
        return torch.tensor(codes, dtype=getattr(torch, kind[2:])) - int(
            kind == "t_int64"
        )
    return np.array(codes, dtype=kind)


def _estimator(name):
    return {
        "shuffle": None,
        "under": RandomUnderSampler(),
        "under_replacement": RandomUnderSampler(replacement=True),
        "over": RandomOverSampler(),
        "class_balanced": ClassBalancedSampler(n_samples=7),
    }[name]


@hypothesis.settings(max_examples=60, deadline=None, derandomize=True)
@hypothesis.given(
    codes=st.lists(st.integers(0, 3), min_size=0, max_size=30),
    kind=st.sampled_from(_CONTAINERS),
    name=st.sampled_from(
        ["shuffle", "under", "under_replacement", "over", "class_balanced"]
    ),
    seed=st.integers(0, 2**40),
    num_replicas=st.integers(1, 4),
    drop_last=st.booleans(),
    batch_size=st.integers(1, 5),
)
def test_fuzz_index_samplers_keep_the_sampler_protocol(
    codes, kind, name, seed, num_replicas, drop_last, batch_size
):
    labels = _as_container(codes, kind)

    def make(rank):
        return RebalanceSampler(
            labels,
            _estimator(name),
            seed=seed,
            num_replicas=num_replicas,
            rank=rank,
            drop_last=drop_last,
        )

    try:
        ranks = [make(rank) for rank in range(num_replicas)]
    except (TypeError, ValueError):
        return  # too few classes or rows: refused by name, before any epoch
    single = RebalanceSampler(labels, _estimator(name), seed=seed)
    for epoch in (0, 1):
        whole = list(single)  # epochs 0, 1 in turn
        parts = []
        for sampler in ranks:
            sampler.set_epoch(epoch)
            part = list(sampler)
            assert len(part) == len(sampler)
            assert all(type(i) is int and 0 <= i < len(codes) for i in part)
            parts.append(part)
        # DistributedSampler's split of the single-process draw: interleaved,
        # padded by wrapping round or trimmed.
        interleaved = [i for column in zip(*parts) for i in column]
        padded = (whole * (num_replicas + 1))[: len(interleaved)]
        assert interleaved == padded
        # The batch path: the same indices in DataLoader's batches.
        batches = IndexBatchSampler(make(0), batch_size, drop_last=drop_last)
        batches.set_epoch(epoch)
        listed = [b.tolist() for b in batches]
        assert len(listed) == len(batches)
        expected = [
            parts[0][i : i + batch_size] for i in range(0, len(parts[0]), batch_size)
        ]
        if drop_last:
            expected = [b for b in expected if len(b) == batch_size]
        assert listed == expected


@hypothesis.settings(max_examples=60, deadline=None, derandomize=True)
@hypothesis.given(
    codes=st.lists(st.integers(0, 3), min_size=0, max_size=30),
    kind=st.sampled_from(_CONTAINERS),
    batch_size=st.integers(1, 8),
    quotas=st.lists(st.integers(0, 4), min_size=4, max_size=4),
    seed=st.integers(0, 2**40),
    drop_last=st.booleans(),
)
def test_fuzz_balanced_batches_hold_their_class_counts(
    codes, kind, batch_size, quotas, seed, drop_last
):
    labels = _as_container(codes, kind)
    present = sorted(set(codes))
    class_counts = quotas[: len(present)]
    try:
        sampler = BalancedBatchSampler(
            labels,
            batch_size,
            class_counts=class_counts,
            seed=seed,
            drop_last=drop_last,
        )
    except (TypeError, ValueError):
        return
    codes = np.array(codes)
    batches = [list(b) for b in sampler]
    assert len(batches) == len(sampler)
    for batch in batches:
        assert len(batch) == batch_size
        counts = np.bincount(codes[batch], minlength=4)[present]
        assert counts.tolist() == class_counts
    sampler.set_epoch(0)
    assert [list(b) for b in sampler] == batches
