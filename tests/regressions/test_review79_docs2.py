"""Review 79 (docs2): the README notes added for reviews 76-78 state what the
code does (each test checks one note's claim, with the words it quotes)."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin

import rebalance as rb

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _flat(text):
    return " ".join(text.split())


def test_readme_state_dict_read_ahead_note_holds():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance.torch import RebalanceSampler

    assert "the loop has not received yet" in _flat(README)
    assert "`batches_done * batch_size`" in _flat(README)
    sampler = RebalanceSampler(np.array([0] * 48 + [1] * 16), seed=0)
    loader = DataLoader(
        TensorDataset(torch.arange(64)),
        batch_size=4,
        sampler=sampler,
        num_workers=1,
        multiprocessing_context="fork",
    )
    it = iter(loader)
    next(it)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        state = sampler.state_dict()
    del it
    messages = [str(w.message) for w in caught]
    assert any("the loop has not received yet" in m for m in messages), messages
    assert any("batches_done * batch_size" in m for m in messages)
    assert any("StatefulDataLoader" in m for m in messages)
    assert state["position"] > 4  # counts the read-ahead, as the note says


def _pool_warnings(epoch):
    pytest.importorskip("torch")
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    labels = np.array([0] * 12 + [1] * 4)
    sampler = HardExampleSampler(RebalanceSampler(labels, seed=0), pool_size=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sampler.set_epoch(epoch)
        list(sampler)
    return [str(w.message) for w in caught if "from an empty pool" in str(w.message)]


def test_readme_hard_example_pool_note_holds():
    text = _flat(README)
    assert 'warns ("from an empty pool") when it draws epoch 2 or later' in text
    assert _pool_warnings(0) == [] and _pool_warnings(1) == []
    messages = _pool_warnings(2)
    assert len(messages) == 1
    assert "load_state_dict()" in messages[0]
    assert "StatefulDataLoader or TensorBatchLoader" in messages[0]


class _Grouped(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, groups=None):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("which", ["ResampledClassifier", "ThresholdMover"])
def test_readme_reordered_fit_parameter_note_holds(which):
    assert "`groups` for a `GroupKFold` cv" in _flat(README)
    index = np.arange(12) + 100
    X = pd.DataFrame({"a": np.arange(12.0)}, index=index)
    y = pd.Series([0, 1] * 6, index=index)
    groups = pd.Series(np.arange(12) % 3, index=index)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = _Grouped().set_fit_request(groups=True)
        if which == "ResampledClassifier":
            model = rb.ResampledClassifier(rb.RandomUnderSampler(random_state=0), inner)
        else:
            model = rb.ThresholdMover(inner, "prior")
        model.fit(X, y, groups=groups)  # same order: accepted
        with pytest.raises(ValueError, match="groups"):
            model.fit(X, y, groups=groups.iloc[::-1])


@pytest.mark.parametrize(
    "texts",
    [
        np.array([["1.5", "2"], ["3", "4"], ["5", "6"], ["7", "8"]]),
        np.array([["1.5", "2"], ["3", "4"], ["5", "6"], ["7", "8"]], dtype=object),
        pd.DataFrame({"a": ["1.5", "3", "5", "7"]}),
    ],
)
def test_readme_shrinkage_texts_note_holds(texts):
    assert "numeric X only, texts are a `ValueError`" in README
    with pytest.raises(ValueError, match="shrinkage"):
        rb.RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(
            texts, [0, 0, 0, 1]
        )
