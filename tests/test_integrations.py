"""The torch samplers inside the training tools people run: PyTorch Lightning
(DDP with its default ``use_distributed_sampler=True``), HF Accelerate and
skorch (internal validation split, cross-validation, pickling)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    RebalancedLoader,
    RebalanceSampler,
    SigmoidFocalLoss,
)

# Labels of the Lightning run, stored in two runs per class (not shuffled).
LIGHTNING_LABELS = [0] * 150 + [1] * 50 + [0] * 100 + [1] * 20


def epoch_of(sampler, epoch: int) -> list:
    sampler.set_epoch(epoch)
    return list(sampler)


# --- PyTorch Lightning, ddp_spawn on 2 CPU processes --------------------------

_LIGHTNING_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import torch
    import lightning as L
    from lightning.pytorch.utilities import CombinedLoader
    from torch.utils.data import DataLoader, TensorDataset
    from rebalance import RandomUnderSampler
    from rebalance.torch import BalancedBatchSampler, RebalanceSampler

    OUT, LABELS = sys.argv[1], json.loads(sys.argv[2])


    class Data(L.LightningDataModule):
        def __init__(self):
            super().__init__()
            labels = torch.tensor(LABELS)
            self.dataset = TensorDataset(torch.arange(len(labels)), labels)
            # Built in the launching process, before any process group, and
            # pickled to the ddp_spawn ranks.
            self.sampler = RebalanceSampler(labels, RandomUnderSampler(), seed=3)
            self.batches = BalancedBatchSampler(
                labels, 8, class_counts=[6, 2], seed=3
            )

        def train_dataloader(self):
            # Lightning's defaults: use_distributed_sampler=True.
            return CombinedLoader(
                {
                    "sampler": DataLoader(
                        self.dataset, batch_size=10, sampler=self.sampler
                    ),
                    "batch_sampler": DataLoader(
                        self.dataset, batch_sampler=self.batches
                    ),
                },
                mode="max_size",
            )


    class Model(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(1, 2)

        def training_step(self, batch, batch_idx):
            loss = 0.0
            for name, part in batch.items():
                if part is None:
                    continue
                ids, y = part
                path = f"{OUT}/{name}_rank{self.global_rank}_epoch{self.current_epoch}"
                with open(path, "a") as f:
                    f.write(json.dumps(ids.tolist()) + "\\n")
                logits = self.layer(ids[:, None].float())
                loss = loss + torch.nn.functional.cross_entropy(logits, y)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)


    if __name__ == "__main__":
        trainer = L.Trainer(
            accelerator="cpu",
            devices=2,
            strategy="ddp_spawn",
            max_epochs=2,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        trainer.fit(Model(), datamodule=Data())
    """
)


@pytest.fixture(scope="module")
def lightning_run(tmp_path_factory):
    """Indices each rank's training_step saw, per loader and epoch."""
    pytest.importorskip("lightning")
    folder = tmp_path_factory.mktemp("lightning")
    script = folder / "train.py"
    script.write_text(_LIGHTNING_SCRIPT)
    out = folder / "seen"
    out.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out), json.dumps(LIGHTNING_LABELS)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output = proc.communicate(timeout=240)[0].decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)  # the run and the ranks it spawned
            proc.wait()
    assert proc.returncode == 0, output[-3000:]

    def seen(name: str, rank: int, epoch: int) -> list:
        lines = (out / f"{name}_rank{rank}_epoch{epoch}").read_text().splitlines()
        return [json.loads(line) for line in lines]

    return seen


@pytest.mark.slow
def test_lightning_ddp_keeps_a_rebalance_sampler_built_before_spawn(lightning_run):
    labels = torch.tensor(LIGHTNING_LABELS)
    single = RebalanceSampler(labels, RandomUnderSampler(), seed=3)
    epochs = []
    for epoch in range(2):
        ranks = [sum(lightning_run("sampler", r, epoch), []) for r in range(2)]
        # Each rank its half of the 140-index epoch (70 = 7 batches of 10),
        # once: not 1/world**2 of it (35) as when Lightning wraps it again.
        assert [len(r) for r in ranks] == [70, 70]
        assert sorted(ranks[0] + ranks[1]) == sorted(epoch_of(single, epoch))
        interleaved = [i for pair in zip(*ranks) for i in pair]
        assert interleaved == epoch_of(single, epoch)  # ranks r, r + 2, ...
        epochs.append(interleaved)
    assert epochs[0] != epochs[1]  # Lightning's set_epoch reached the sampler


def test_lightning_ddp_rebuilds_a_balanced_batch_sampler_per_rank(lightning_run):
    labels = torch.tensor(LIGHTNING_LABELS)
    single = BalancedBatchSampler(labels, 8, class_counts=[6, 2], seed=3)
    epochs = []
    for epoch in range(2):
        ranks = [lightning_run("batch_sampler", r, epoch) for r in range(2)]
        # 250 majority rows, 6 per batch: 41 batches, 20 per rank (drop_last).
        assert [len(r) for r in ranks] == [20, 20]
        for batch in ranks[0] + ranks[1]:
            assert np.bincount(labels[batch].numpy(), minlength=2).tolist() == [6, 2]
        interleaved = [b for pair in zip(*ranks) for b in pair]
        assert interleaved == epoch_of(single, epoch)[:40]
        epochs.append(interleaved)
    assert epochs[0] != epochs[1]


# --- HF Accelerate ------------------------------------------------------------


def _accelerate_epochs(loader, n_epochs: int = 2) -> list[list[int]]:
    epochs = []
    for _ in range(n_epochs):
        epochs.append([i for ids, _ in loader for i in ids.tolist()])
    return epochs


@pytest.mark.parametrize("kind", ["sampler", "batch_sampler"])
def test_accelerate_prepare_keeps_the_epochs(kind):
    accelerate = pytest.importorskip("accelerate")
    labels = torch.tensor(LIGHTNING_LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)

    def make():
        if kind == "sampler":
            sampler = RebalanceSampler(labels, RandomUnderSampler(), seed=1)
            return sampler, DataLoader(dataset, batch_size=10, sampler=sampler)
        batches = BalancedBatchSampler(labels, 8, class_counts=[6, 2], seed=1)
        return batches, DataLoader(dataset, batch_sampler=batches)

    sampler, loader = make()
    prepared = accelerate.Accelerator(cpu=True).prepare(loader)
    got = _accelerate_epochs(prepared)
    reference, _ = make()
    expected = [
        [i for item in epoch_of(reference, e) for i in np.ravel(item).tolist()]
        for e in range(2)
    ]
    assert got == expected
    assert got[0] != got[1]


def test_accelerate_shards_a_sampler_built_for_one_replica():
    pytest.importorskip("accelerate")
    from accelerate.data_loader import prepare_data_loader

    labels = torch.tensor(LIGHTNING_LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    ranks = []
    for rank in range(2):
        # Accelerate splits the batches itself: num_replicas=1 for each process.
        sampler = RebalanceSampler(
            labels, RandomUnderSampler(), seed=1, num_replicas=1, rank=0
        )
        loader = DataLoader(dataset, batch_size=10, sampler=sampler)
        ranks.append(
            _accelerate_epochs(
                prepare_data_loader(loader, num_processes=2, process_index=rank)
            )
        )
    single = RebalanceSampler(labels, RandomUnderSampler(), seed=1)
    for epoch in range(2):
        rank0, rank1 = ranks[0][epoch], ranks[1][epoch]
        assert len(rank0) == len(rank1) == 70
        assert sorted(rank0 + rank1) == sorted(epoch_of(single, epoch))
    assert ranks[0][0] != ranks[0][1]


# --- skorch ---------------------------------------------------------------------


def _imbalanced(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(np.int64)
    X = (rng.normal(size=(n, 4)) + y[:, None] * 1.5).astype(np.float32)
    return X, y


class _Logits(torch.nn.Module):
    def __init__(self, n_out: int = 2):
        super().__init__()
        self.n_out = n_out
        self.layer = torch.nn.Linear(4, n_out)

    def forward(self, X):
        out = self.layer(X)
        return out.squeeze(-1) if self.n_out == 1 else out


def _classifier(**kwargs):
    skorch = pytest.importorskip("skorch")
    params = dict(
        module=_Logits,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        lr=0.1,
        batch_size=16,
        verbose=0,
    )
    params.update(kwargs)
    return skorch.NeuralNetClassifier(**params)


def test_skorch_sampler_of_the_full_labels_fails_with_the_validation_split():
    """The reported failure: why RebalancedLoader exists."""
    X, y = _imbalanced()
    net = _classifier(iterator_train__sampler=RebalanceSampler(y, seed=0))
    with pytest.raises(ValueError, match="iterator_train=RebalancedLoader"):
        net.fit(X, y)


def test_skorch_rebalanced_loader_with_the_default_validation_split():
    X, y = _imbalanced()
    make_loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    net = _classifier(iterator_train=make_loader)
    net.fit(X, y)  # default train_split: a stratified 80 % Subset
    sampler = net.iterator_train.sampler_
    n_minority = int(round(0.8 * y.sum()))
    assert len(sampler) == 2 * n_minority
    assert sampler.epoch == 2  # two epochs drawn, one per skorch epoch
    assert net.predict_proba(X).shape == (len(y), 2)
    assert len(net.history) == 2


def test_skorch_rebalanced_loader_inside_cross_val_score():
    from sklearn.model_selection import cross_val_score

    X, y = _imbalanced()
    net = _classifier(
        iterator_train=RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    )
    scores = cross_val_score(net, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert net.iterator_train.__dict__.get("sampler_") is None  # clones used


def test_skorch_batches_of_fixed_class_counts():
    skorch = pytest.importorskip("skorch")
    X, y = _imbalanced()
    seen = []

    class Record(skorch.callbacks.Callback):
        def on_batch_begin(self, net, batch=None, training=False, **kwargs):
            if training:
                seen.append(np.bincount(batch[1].numpy(), minlength=2).tolist())

    net = _classifier(
        iterator_train=RebalancedLoader(BalancedBatchSampler, class_counts=[12, 4]),
        callbacks=[Record()],
    )
    net.fit(X, y)  # batch_size=16 comes from the net
    assert seen and all(counts == [12, 4] for counts in seen)
    with pytest.raises(ValueError, match="batch_size=8 was given to RebalancedLoader"):
        _classifier(
            iterator_train=RebalancedLoader(BalancedBatchSampler, batch_size=8)
        ).fit(X, y)


def binary_proba(logits):
    """skorch ``predict_nonlinearity`` for 1-D logits: ``[P(y=0), P(y=1)]``."""
    p = torch.sigmoid(logits)
    return torch.stack([1 - p, p], dim=1)


def test_skorch_focal_loss_criterion_gives_probabilities():
    skorch = pytest.importorskip("skorch")
    X, y = _imbalanced()
    net = skorch.NeuralNetBinaryClassifier(
        _Logits,
        module__n_out=1,
        criterion=SigmoidFocalLoss,
        criterion__gamma=2.0,
        predict_nonlinearity=binary_proba,
        iterator_train=RebalancedLoader(seed=0),  # float 0/1 labels are read
        max_epochs=3,
        lr=0.1,
        batch_size=32,
        verbose=0,
    )
    net.fit(X, y.astype(np.float32))
    proba = net.predict_proba(X)
    with torch.no_grad():
        logits = net.module_(torch.from_numpy(X))
    expected = torch.sigmoid(logits).numpy()
    np.testing.assert_allclose(proba[:, 1], expected, rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(np.unique(net.predict(X))) <= {0, 1}
    # A fitted net holding the loader and its sampler pickles and predicts alike.
    restored = pickle.loads(pickle.dumps(net))
    np.testing.assert_allclose(restored.predict_proba(X), proba)
    assert restored.iterator_train.sampler_.epoch == 3


def test_skorch_net_holding_a_sampler_pickles():
    X, y = _imbalanced()
    net = _classifier(
        iterator_train__sampler=RebalanceSampler(y, RandomUnderSampler(), seed=0),
        train_split=None,
    )
    net.fit(X, y)
    restored = pickle.loads(pickle.dumps(net))
    original = net.get_params()["iterator_train__sampler"]
    copy = restored.get_params()["iterator_train__sampler"]
    assert [epoch_of(copy, e) for e in (2, 3)] == [
        epoch_of(original, e) for e in (2, 3)
    ]


# --- RebalancedLoader on its own --------------------------------------------------


def test_rebalanced_loader_reads_labels_of_subsets_and_continues_epochs():
    labels = torch.tensor(LIGHTNING_LABELS)
    dataset = TensorDataset(torch.arange(len(labels)), labels)
    part = torch.utils.data.Subset(dataset, np.arange(30, len(labels)))
    make_loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=4)
    reference = RebalanceSampler(labels[30:], RandomUnderSampler(), seed=4)
    first = make_loader(part, batch_size=7, shuffle=True)  # shuffle is dropped
    assert [i for ids, _ in first for i in ids.tolist()] == [
        30 + i for i in epoch_of(reference, 0)
    ]
    second = make_loader(part, batch_size=7)  # e.g. skorch's partial_fit
    assert [i for ids, _ in second for i in ids.tolist()] == [
        30 + i for i in epoch_of(reference, 1)
    ]


@pytest.mark.parametrize(
    ("make_loader", "dataset", "error", "match"),
    [
        (
            RebalancedLoader(),
            TensorDataset(torch.zeros(4, 1), torch.zeros(4, 1), torch.zeros(4)),
            TypeError,
            "labels_from=",
        ),
        (
            RebalancedLoader(labels_from=lambda ds: [0, 1]),
            TensorDataset(torch.zeros(4)),
            ValueError,
            "2 labels for a data set of 4 rows",
        ),
        (
            RebalancedLoader(),
            TensorDataset(torch.zeros(4, 1), torch.tensor([0.0, 0.5, 1.0, 1.0])),
            TypeError,
            "labels has dtype float",
        ),
    ],
)
def test_rebalanced_loader_bad_input(make_loader, dataset, error, match):
    with pytest.raises(error, match=match):
        make_loader(dataset, batch_size=2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sampler_class": list}, "sampler_class"),
        ({"labels_from": "y"}, "labels_from must be a function"),
        ({"foo": 1}, "foo"),
    ],
)
def test_rebalanced_loader_bad_arguments_raise_when_built(kwargs, match):
    with pytest.raises(TypeError, match=match):
        RebalancedLoader(**kwargs)
    # set later (attributes are public): rejected at the call
    make_loader = RebalancedLoader()
    for name, value in kwargs.items():
        if name in ("sampler_class", "labels_from"):
            setattr(make_loader, name, value)
        else:
            make_loader.sampler_params[name] = value
    with pytest.raises(TypeError, match=match):
        make_loader(TensorDataset(torch.zeros(4), torch.zeros(4)), batch_size=2)
