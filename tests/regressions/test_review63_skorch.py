"""Review 63, skorch and plain PyTorch as a new user: rebalance's samplers,
loaders and losses inside skorch (``iterator_train=``, ``criterion=``,
internal validation split, ``GridSearchCV``) and torch ``DataLoader``s
(``sampler=``, ``batch_sampler=``, workers, ``Subset``/``ConcatDataset``,
pickling mid-epoch)."""

from __future__ import annotations

import io
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    ConcatDataset,
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
)

from rebalance import (  # noqa: E402
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    class_weights,
)
from rebalance.torch import (  # noqa: E402
    ClassWeightedCrossEntropyLoss,
    IndexBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    TensorBatchLoader,
)

LABELS = torch.tensor([0] * 30 + [1] * 10 + [2] * 5)
IDS = torch.arange(len(LABELS))


def _sampler() -> RebalanceSampler:
    return RebalanceSampler(LABELS, RandomUnderSampler(), seed=3)


def _concat() -> ConcatDataset:
    dataset = TensorDataset(IDS, LABELS)
    return ConcatDataset([Subset(dataset, range(20)), Subset(dataset, range(20, 45))])


# --------------------------------------------------------------- ConcatDataset


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
@pytest.mark.parametrize("wrap", ["concat", "subset of concat"])
def test_index_batches_as_sampler_over_concat_dataset_name_it(index_type, wrap):
    # A ConcatDataset reads one position per call: with the batches given as
    # sampler= (batch_size=None), torch failed inside ConcatDataset with
    # "Boolean value of Tensor ... is ambiguous", numpy's "truth value of an
    # array ... is ambiguous" or "'<' not supported between 'list' and
    # 'int'"; a Subset of one got the Subset message, advising
    # index_type='list', which fails in the ConcatDataset too.
    dataset = _concat()
    if wrap != "concat":
        dataset = Subset(dataset, list(range(len(LABELS))))
    batches = IndexBatchSampler(_sampler(), 4, index_type=index_type)
    loader = DataLoader(dataset, sampler=batches, batch_size=None)
    with pytest.raises(TypeError, match="ConcatDataset reads one row per call") as info:
        next(iter(loader))
    assert "batch_sampler=IndexBatchSampler" in str(info.value)
    assert "Build the IndexBatchSampler with" not in str(info.value)


def test_index_batches_as_batch_sampler_over_concat_dataset_read_each_row():
    # The form the message advises reads every drawn row once, labels aligned.
    reference = _sampler()
    expected = [list(reference) for _ in range(2)]
    loader = DataLoader(_concat(), batch_sampler=IndexBatchSampler(_sampler(), 4))
    for epoch in range(2):
        ids, labels = (torch.cat(parts).tolist() for parts in zip(*loader))
        assert ids == expected[epoch]
        assert labels == LABELS[ids].tolist()


class _BatchConcat(ConcatDataset):
    """A ConcatDataset whose ``__getitem__`` reads whole index batches."""

    def __getitem__(self, index):
        return tuple(
            torch.cat([part.tensors[k] for part in self.datasets])[index]
            for k in range(2)
        )


def test_concat_dataset_subclass_reading_batches_is_left_alone():
    parts = [TensorDataset(IDS[:20], LABELS[:20]), TensorDataset(IDS[20:], LABELS[20:])]
    reference = _sampler()
    loader = DataLoader(
        _BatchConcat(parts),
        sampler=IndexBatchSampler(_sampler(), 4),
        batch_size=None,
    )
    assert torch.cat([ids for ids, _ in loader]).tolist() == list(reference)


# ------------------------------------------------- rows reach the model once


class _DictRows(Dataset):
    """A dataset returning dicts, with its labels as ``.targets``."""

    targets = LABELS

    def __len__(self) -> int:
        return len(LABELS)

    def __getitem__(self, index):
        return {"id": int(index), "y": int(LABELS[index])}


@pytest.mark.parametrize("workers", [0, 2])
def test_each_epoch_reaches_the_dataset_exactly_as_drawn(workers):
    extra = {"multiprocessing_context": "fork", "persistent_workers": True}
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=4)(
        _DictRows(),
        batch_size=4,
        num_workers=workers,
        pin_memory=False,
        **(extra if workers else {}),
    )
    reference = RebalanceSampler(LABELS, RandomUnderSampler(), seed=4)
    epochs = []
    for _ in range(2):
        drawn = list(reference)
        batches = list(loader)
        ids = torch.cat([batch["id"] for batch in batches]).tolist()
        assert ids == drawn
        assert torch.cat([batch["y"] for batch in batches]).tolist() == (
            LABELS[ids].tolist()
        )
        epochs.append(ids)
    assert epochs[0] != epochs[1]  # each epoch a new draw


@pytest.mark.parametrize(
    "make",
    [
        lambda: TensorBatchLoader(IDS, LABELS, sampler=_sampler(), batch_size=4),
        lambda: DataLoader(
            TensorDataset(IDS, LABELS),
            sampler=IndexBatchSampler(_sampler(), 4),
            batch_size=None,
        ),
    ],
    ids=["TensorBatchLoader", "DataLoader"],
)
def test_loader_saved_mid_epoch_yields_the_rest(make):
    full = make()
    first_epoch, second_epoch = (
        torch.cat([ids for ids, _ in full]).tolist() for _ in range(2)
    )
    loader = make()
    running = iter(loader)
    seen = [next(running)[0], next(running)[0]]
    buffer = io.BytesIO()
    torch.save(loader, buffer)
    buffer.seek(0)
    for copy in (
        torch.load(buffer, weights_only=False),
        pickle.loads(pickle.dumps(loader)),
    ):
        rest = torch.cat([ids for ids, _ in copy]).tolist()
        assert torch.cat(seen).tolist() + rest == first_epoch
        assert torch.cat([ids for ids, _ in copy]).tolist() == second_epoch


# -------------------------------------------------------------------- skorch

skorch = pytest.importorskip("skorch")


def _data():
    rng = np.random.default_rng(0)
    y = (rng.random(60) < 0.25).astype(np.int64)
    # Column 0 is the row id, recorded by the module.
    X = np.column_stack([np.arange(60), rng.normal(size=(60, 3))]).astype(np.float32)
    return X, y


# Module level: skorch and ResampledClassifier clone (deep-copy) parameters.
_RECORD: dict[str, list] = {"train": [], "valid": []}


class _Recording(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)

    def forward(self, X):
        _RECORD["train" if self.training else "valid"].append(X[:, 0].long())
        return self.linear(X)


def _net(record, **params):
    record["train"].clear()
    record["valid"].clear()
    return skorch.NeuralNetClassifier(
        _Recording,
        max_epochs=2,
        batch_size=8,
        lr=0.1,
        verbose=0,
        **params,
    )


def test_skorch_valid_split_never_sees_a_training_row():
    X, y = _data()
    record = _RECORD
    net = _net(
        record,
        iterator_train=RebalancedLoader(sampler=RandomOverSampler(), seed=0),
        criterion=ClassWeightedCrossEntropyLoss,
        criterion__class_weight=class_weights(y),
    ).fit(X, y)
    train_split, valid_split = net.train_split(net.get_dataset(X, y), y)
    trained = set(torch.cat(record["train"]).tolist())
    validated = torch.cat(record["valid"]).tolist()
    assert trained <= set(np.asarray(train_split.indices).tolist())
    assert not trained & set(validated)
    assert len(validated) == 2 * len(valid_split)  # each valid row once an epoch
    # Oversampled from the training split only, each of the 2 epochs: every
    # class as many rows as the split's largest class.
    largest = np.bincount(y[np.asarray(train_split.indices)]).max()
    counts = np.bincount(y[torch.cat(record["train"]).numpy()])
    assert counts.tolist() == [2 * largest, 2 * largest]


def test_resampled_classifier_warns_when_copies_reach_an_internal_valid_split():
    X, y = _data()
    record = _RECORD
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ResampledClassifier(RandomOverSampler(random_state=0), _net(record)).fit(X, y)
    trained = set(torch.cat(record["train"]).tolist())
    leaked = trained & set(torch.cat(record["valid"]).tolist())
    assert leaked  # the duplicated rows are in both splits
    assert any("train_split" in str(w.message) for w in caught)
