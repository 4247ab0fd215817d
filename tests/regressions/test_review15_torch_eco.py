"""Review 15 (torch-eco): rebalance.torch inside the tools it is combined with
(DataLoader workers, torchdata's StatefulDataLoader, Lightning, skorch, autocast).

The first tests fail on real bugs; the rest pin behaviour checked and found right.
"""

import copy
import io
import pickle

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import (  # noqa: E402
    DataLoader,
    Dataset,
    DistributedSampler,
    TensorDataset,
)

from rebalance import ClassBalancedSampler, RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    ClassWeightedCrossEntropyLoss,
    HardExampleSampler,
    IndexBatchSampler,
    LogitAdjustedCrossEntropyLoss,
    RebalancedLoader,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
    TensorBatchLoader,
)

# Label shuffle: 90 indices per epoch; batch_size=8 leaves a short last batch.
LABELS = np.array([0] * 30 + [1] * 7 + [2] * 3)
TARGETS = torch.from_numpy(LABELS)
DATASET = TensorDataset(torch.arange(40), TARGETS)


def _epoch(make, epoch):
    sampler = make()
    sampler.set_epoch(epoch)
    return list(sampler)


def _batches(loader):
    return [ids.tolist() for ids, _ in loader]


def _rebalance():
    return RebalanceSampler(LABELS, seed=0)


def _hard_examples():
    return HardExampleSampler(RebalanceSampler(LABELS, seed=0), pool_size=4)


# --- Bugs -----------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_rebalance, _hard_examples], ids=["rebalance", "hem"])
def test_stateful_checkpoint_after_a_short_last_batch_resumes_an_empty_rest(make):
    # A step-based checkpoint taken once every batch of epoch 0 was consumed
    # (before the loader raised StopIteration), then the usual resume loop:
    # set_epoch(0) (rest of epoch 0: nothing), set_epoch(1). torchdata's own
    # StatefulDistributedSampler gives [] then epoch 1, and so does ours when
    # batch_size divides the epoch (90 / 9; test_review_torch_side). With a
    # short last batch (90 / 8) torch's BatchSampler pulls past the end, the
    # sampler's generator finishes, state_dict() says (epoch 1, position 0),
    # and the resumed loop trains on epoch 1 twice.
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def build():
        sampler = make()
        return sampler, sdl.StatefulDataLoader(DATASET, batch_size=8, sampler=sampler)

    sampler, loader = build()
    sampler.set_epoch(1)
    epoch1 = _batches(loader)

    sampler, loader = build()
    sampler.set_epoch(0)
    iterator = iter(loader)
    for _ in range(len(loader)):  # all 12 batches of epoch 0, the last of 2 rows
        next(iterator)
    state = copy.deepcopy(loader.state_dict())

    sampler, loader = build()
    loader.load_state_dict(state)
    sampler.set_epoch(0)
    rest_of_epoch0 = _batches(loader)
    sampler.set_epoch(1)
    resumed_epoch1 = _batches(loader)
    assert rest_of_epoch0 == []
    assert resumed_epoch1 == epoch1


def test_sampler_state_does_not_depend_on_whether_the_last_batch_is_short():
    # The same situation without torchdata: a loader's batches all consumed.
    # With batch_size=9 (no short batch) the state is "epoch 0 done" and a
    # restored sampler's set_epoch(0) yields nothing; with batch_size=8 it is
    # (epoch 1, position 0) and set_epoch(0) replays all of epoch 0.
    def rest_after_all_batches(batch_size):
        sampler = _rebalance()
        loader = DataLoader(DATASET, batch_size=batch_size, sampler=sampler)
        iterator = iter(loader)
        for _ in range(len(loader)):
            next(iterator)
        restored = _rebalance()
        restored.load_state_dict(sampler.state_dict())
        restored.set_epoch(0)
        return list(restored)

    assert rest_after_all_batches(9) == []
    assert rest_after_all_batches(8) == []


def test_hard_example_pool_checkpointed_by_stateful_dataloader_workers_is_current():
    # StatefulDataLoader with workers snapshots the sampler's state_dict() when
    # it sends a batch's indices to a worker, several batches before the
    # training loop consumes it. HardExampleSampler's state_dict() copies the
    # pool, which the loop keeps changing (update()) after that: the pool in
    # the checkpoint misses the last updates, so a resumed run replays other
    # rows in the next epoch than the uninterrupted one. (num_workers=0: same
    # run.) The docs promise a job restarted mid-epoch continues exactly.
    sdl = pytest.importorskip("torchdata.stateful_dataloader")
    labels = torch.tensor([0] * 30 + [1] * 10)
    dataset = TensorDataset(torch.arange(40), labels)

    def build():
        sampler = HardExampleSampler(
            RebalanceSampler(labels, seed=0), pool_size=4, replay_ratio=0.5
        )
        loader = sdl.StatefulDataLoader(
            dataset, batch_size=6, sampler=sampler, num_workers=2, timeout=60
        )
        return sampler, loader

    def loss_of(ids):
        return (ids * 7 % 13).double()

    sampler, loader = build()
    seen, state = [], None
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for step, (ids, _) in enumerate(loader):
            sampler.update(ids, loss_of(ids))
            seen.append(ids.tolist())
            if epoch == 0 and step == 1:
                state = copy.deepcopy(loader.state_dict())

    sampler, loader = build()
    loader.load_state_dict(state)
    resumed = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for ids, _ in loader:
            sampler.update(ids, loss_of(ids))
            resumed.append(ids.tolist())
    assert resumed == seen[2:]


# --- Checked and found right ----------------------------------------------------------


@pytest.mark.parametrize(
    "context,persistent", [("fork", False), ("fork", True), ("spawn", True)]
)
def test_worker_loaders_move_to_the_next_epoch_by_themselves(context, persistent):
    reference = [_epoch(_rebalance, e) for e in range(2)]
    sampler = _rebalance()
    loader = DataLoader(
        DATASET,
        batch_size=8,
        sampler=sampler,
        num_workers=1,
        multiprocessing_context=context,
        persistent_workers=persistent,
        prefetch_factor=3,
        timeout=120,
    )
    epochs = [[i for ids, _ in loader for i in ids.tolist()] for _ in range(2)]
    assert epochs == reference
    assert len(loader) == 12


@pytest.mark.parametrize(
    "labels",
    [np.array([0] * 5 + [1] * 2), LABELS, np.array([0, 1])],
    ids=["7-rows", "40-rows", "2-rows"],
)
@pytest.mark.parametrize("drop_last", [False, True])
def test_rank_split_is_distributed_samplers_split_of_the_single_draw(labels, drop_last):
    for estimator in (None, RandomUnderSampler(), ClassBalancedSampler(n_samples=7)):
        single = list(RebalanceSampler(labels, estimator, seed=3, num_replicas=1))
        for replicas in (2, 3, 5):
            if drop_last and len(single) < replicas:
                continue
            parts = [
                RebalanceSampler(
                    labels,
                    estimator,
                    seed=3,
                    num_replicas=replicas,
                    rank=rank,
                    drop_last=drop_last,
                )
                for rank in range(replicas)
            ]
            for rank, part in enumerate(parts):
                torch_split = DistributedSampler(
                    range(len(single)),
                    num_replicas=replicas,
                    rank=rank,
                    shuffle=False,
                    drop_last=drop_last,
                )
                assert list(part) == [single[i] for i in torch_split]
                assert len(part) == len(torch_split)


def _samplers():
    return {
        "rebalance": _rebalance(),
        "balanced_batches": BalancedBatchSampler(LABELS, 6, seed=1),
        "hard_examples": _hard_examples(),
        "index_batches": IndexBatchSampler(_rebalance(), 7),
        "tensor_batches": TensorBatchLoader(
            torch.arange(40), TARGETS, sampler=_rebalance(), batch_size=7
        ),
    }


def _plain(item):
    item = item[0] if isinstance(item, tuple) else item
    return item.tolist() if isinstance(item, torch.Tensor) else item


@pytest.mark.parametrize("name", list(_samplers()))
@pytest.mark.parametrize("how", ["deepcopy", "pickle", "torch.save"])
def test_copies_made_mid_epoch_carry_on_alike(name, how):
    sampler = _samplers()[name]
    if name == "hard_examples":
        sampler.update(torch.tensor([1, 2, 38]), torch.tensor([1.0, 2.0, 3.0]))
    iterator = iter(sampler)
    first = [_plain(next(iterator)) for _ in range(3)]
    if how == "deepcopy":
        copied = copy.deepcopy(sampler)
    elif how == "pickle":
        copied = pickle.loads(pickle.dumps(sampler))
    else:
        buffer = io.BytesIO()
        torch.save(sampler, buffer)
        buffer.seek(0)
        copied = torch.load(buffer, weights_only=False)
    rest = [_plain(item) for item in iterator]
    assert [_plain(item) for item in copied] == rest
    assert len(first) + len(rest) == len(sampler)
    assert [_plain(item) for item in sampler] == [_plain(item) for item in copied]


@pytest.mark.parametrize(
    "labels",
    [
        LABELS.tolist(),
        torch.from_numpy(LABELS).to(torch.int8),
        torch.from_numpy(LABELS).to(torch.uint8),
        torch.from_numpy(np.stack([LABELS, LABELS * 0], 1))[:, 0],  # a view
        pd.Series(LABELS, index=np.arange(1000, 1040)[::-1]),
        pd.Series(LABELS, dtype="Int64", index=np.arange(5, 45)),
    ],
    ids=["list", "int8", "uint8", "strided", "series-index", "Int64"],
)
def test_label_containers_give_the_same_epochs_by_position(labels):
    expected = list(RebalanceSampler(LABELS, RandomUnderSampler(), seed=0))
    assert list(RebalanceSampler(labels, RandomUnderSampler(), seed=0)) == expected
    assert len(BalancedBatchSampler(labels, 6, seed=0)) == 15


def test_bool_labels_and_float_labels():
    ids = list(RebalanceSampler(torch.from_numpy(LABELS > 0), seed=0))
    assert np.bincount(LABELS[ids] > 0).tolist() == [30, 30]
    with pytest.raises(TypeError, match="labels.long()"):
        RebalanceSampler(TARGETS.float())


def test_stateful_dataloader_resumes_mid_epoch_with_workers():
    sdl = pytest.importorskip("torchdata.stateful_dataloader")

    def build():
        sampler = IndexBatchSampler(_rebalance(), 8)
        loader = sdl.StatefulDataLoader(
            DATASET, sampler=sampler, batch_size=None, num_workers=2, timeout=60
        )
        return sampler, loader

    sampler, loader = build()
    seen, state = [], None
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for step, (ids, _) in enumerate(loader):
            seen.append(ids.tolist())
            if epoch == 0 and step == 4:
                state = copy.deepcopy(loader.state_dict())
    sampler, loader = build()
    loader.load_state_dict(state)
    resumed = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        resumed += _batches(loader)
    assert resumed == seen[5:]


class _BatchReader(Dataset):
    """A dataset that only reads whole batches (``__getitems__``)."""

    def __len__(self):
        return 40

    def __getitem__(self, index):
        raise AssertionError("read one row at a time")

    def __getitems__(self, indices):
        indices = torch.as_tensor(indices)
        return indices, TARGETS[indices]


@pytest.mark.parametrize("index_type", ["tensor", "numpy", "list"])
def test_index_batches_through_getitems_and_per_row_datasets(index_type):
    expected = _epoch(_rebalance, 0)
    batches = IndexBatchSampler(_rebalance(), 8, index_type=index_type)
    loader = DataLoader(_BatchReader(), batch_sampler=batches, collate_fn=lambda b: b)
    assert [i for ids, _ in loader for i in ids.tolist()] == expected
    batches = IndexBatchSampler(_rebalance(), 8, index_type=index_type)
    loader = DataLoader(DATASET, batch_sampler=batches)  # no __getitems__
    assert [i for ids, _ in loader for i in ids.tolist()] == expected


def test_lightning_keeps_the_sampler_and_sets_each_epoch():
    pl = pytest.importorskip("lightning.pytorch")

    class Model(pl.LightningModule):
        def __init__(self, make_loader):
            super().__init__()
            self.layer = torch.nn.Linear(1, 3)
            self.make_loader = make_loader
            self.seen = {}

        def train_dataloader(self):
            return self.make_loader()

        def training_step(self, batch, index):
            ids, y = batch
            self.seen.setdefault(self.current_epoch, []).extend(ids.tolist())
            logits = self.layer(ids.float()[:, None])
            return torch.nn.functional.cross_entropy(logits, y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    reference = {e: _epoch(_rebalance, e)[:24] for e in range(2)}
    for make_loader in (
        lambda: DataLoader(DATASET, batch_size=8, sampler=_rebalance()),
        lambda: DataLoader(
            DATASET, sampler=IndexBatchSampler(_rebalance(), 8), batch_size=None
        ),
    ):
        model = Model(make_loader)
        pl.Trainer(
            accelerator="cpu",
            max_epochs=2,
            limit_train_batches=3,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        ).fit(model)
        assert model.seen == reference


def _softmax(logits):
    return torch.softmax(logits, dim=-1)


def test_skorch_with_rebalance_losses_as_criterion():
    skorch = pytest.importorskip("skorch")
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.15).astype(np.int64)
    X = (rng.normal(size=(200, 4)) + y[:, None]).astype(np.float32)
    for criterion, params in (
        (SoftmaxFocalLoss, {"criterion__alpha": [0.3, 0.7]}),
        (ClassWeightedCrossEntropyLoss, {"criterion__class_weight": [1.0, 4.0]}),
        (LogitAdjustedCrossEntropyLoss, {"criterion__priors": [0.85, 0.15]}),
    ):
        net = skorch.NeuralNetClassifier(
            torch.nn.Linear,
            module__in_features=4,
            module__out_features=2,
            criterion=criterion,
            predict_nonlinearity=_softmax,
            iterator_train=RebalancedLoader(sampler=RandomUnderSampler(), seed=0),
            max_epochs=2,
            lr=0.1,
            verbose=0,
            **params,
        ).fit(X, y)
        proba = net.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        restored = pickle.loads(pickle.dumps(net))
        np.testing.assert_allclose(restored.predict_proba(X), proba)


def test_losses_in_a_bfloat16_autocast_training_loop():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(16, 5, generator=generator)
    y = torch.tensor([0, 1, 2] + [0] * 10 + [1, 1, 2])
    multi_hot = (torch.rand(16, 3, generator=generator) < 0.3).float()
    for criterion, target in (
        (SoftmaxFocalLoss(alpha=[0.2, 0.3, 0.5]), y),
        (SigmoidFocalLoss(rescale=True), multi_hot),
        (ClassWeightedCrossEntropyLoss([1.0, 2.0, 3.0]), y),
        (LogitAdjustedCrossEntropyLoss([0.7, 0.2, 0.1]), y),
    ):
        grads = []
        for enabled in (False, True):
            torch.manual_seed(1)
            model = torch.nn.Linear(5, 3)
            with torch.amp.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
                loss = criterion(model(x), target)
            loss.backward()
            assert loss.dtype == torch.float32 and torch.isfinite(loss)
            assert model.weight.grad.dtype == torch.float32
            grads.append(model.weight.grad)
        torch.testing.assert_close(grads[1], grads[0], atol=5e-3, rtol=5e-2)
