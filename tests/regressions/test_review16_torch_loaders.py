"""Review round 16: the batch-level loaders and the comparison MLP, used as a
new user would (bad arguments refused by name, before any work)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    IndexBatchSampler,
    RebalanceSampler,
    TensorBatchLoader,
)
from rebalance.torch._compare_model import TorchMLPClassifier  # noqa: E402

LABELS = torch.tensor([0] * 12 + [1] * 4)


def _balanced():
    return BalancedBatchSampler(LABELS, 4, seed=0)


def _index_batches():
    return IndexBatchSampler(RebalanceSampler(LABELS, seed=0), 4)


@pytest.mark.parametrize("batch_size", ["4", 4.0, True, torch.tensor(4)])
@pytest.mark.parametrize(
    "make",
    [
        lambda b: IndexBatchSampler(_balanced(), b),
        lambda b: TensorBatchLoader(LABELS, sampler=_index_batches(), batch_size=b),
    ],
    ids=["IndexBatchSampler", "TensorBatchLoader"],
)
def test_batch_size_beside_a_sampler_making_batches_must_be_an_int(make, batch_size):
    # Was: 4.0 accepted silently, '4' a ValueError saying the sampler makes
    # batches of 4 (the size asked for), unlike batch_size with other samplers.
    with pytest.raises(TypeError, match="batch_size must be an integer.*None"):
        make(batch_size)


@pytest.mark.parametrize("batch_size", [None, 4, np.int64(4)])
def test_batch_size_equal_to_the_samplers_own_is_accepted(batch_size):
    assert IndexBatchSampler(_balanced(), batch_size).batch_size == 4
    loader = TensorBatchLoader(LABELS, sampler=_index_batches(), batch_size=batch_size)
    assert loader.batch_size == 4
    with pytest.raises(ValueError, match="batch_size=8 but the Index.*None"):
        TensorBatchLoader(LABELS, sampler=_index_batches(), batch_size=8)


@pytest.mark.parametrize("drop_last", [None, "no", 0])
def test_tensor_loader_drop_last_is_a_bool_beside_an_index_batch_sampler(drop_last):
    # Was: None and 0 accepted silently, 'no' a ValueError about drop_last=True.
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        TensorBatchLoader(LABELS, sampler=_index_batches(), drop_last=drop_last)
    loader = TensorBatchLoader(LABELS, sampler=_index_batches(), drop_last=False)
    assert len(loader) == len(list(loader)) == 6


@pytest.mark.parametrize(
    "param", ["hidden", "epochs", "batch_size", "learning_rate", "random_state"]
)
def test_mlp_refuses_bools_for_numbers_before_training(param):
    # Was: hidden=True crashed inside torch; epochs=True trained one epoch,
    # random_state=True seeded with 1.
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=f"'{param}' parameter.*Got True"):
        TorchMLPClassifier(**{param: True}).fit(X, y)


def test_mlp_takes_a_numpy_generator_as_random_state():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2

    def proba():
        model = TorchMLPClassifier(epochs=1, random_state=np.random.default_rng(3))
        return model.fit(X, y).predict_proba(X)

    np.testing.assert_array_equal(proba(), proba())


def test_index_batch_sampler_of_an_index_batch_sampler_says_so():
    # Was: a message about PyTorch Lightning passing its DistributedSampler.
    with pytest.raises(TypeError, match="already an IndexBatchSampler.*\\.sampler"):
        IndexBatchSampler(_index_batches(), 4)
