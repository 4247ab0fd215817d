"""Review 64, area "scale": pathological sizes (many classes, many unused
categories, large dicts). No timing assertions: work is counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler
from rebalance._labels import encode_labels


def test_categorical_reads_only_the_categories_in_use(monkeypatch):
    # np.asarray over every category: a million unused string categories
    # took 0.13 s and 60 MiB for 1,000 labels.
    categories = pd.Index([f"k{i}" for i in range(5000)])
    y = pd.Series(pd.Categorical(["k7", "k3", "k7", "k4999"], categories=categories))
    seen = []
    real = np.asarray

    def spy(a, *args, **kwargs):
        if isinstance(a, pd.Index):
            seen.append(len(a))
        return real(a, *args, **kwargs)

    monkeypatch.setattr(np, "asarray", spy)
    labels, _, _ = encode_labels(y)
    monkeypatch.undo()
    assert labels.classes.tolist() == ["k3", "k7", "k4999"]
    assert labels.counts.tolist() == [1, 2, 1]
    assert seen and max(seen) <= 3


def test_categorical_dates_with_unused_categories_stay_timestamps():
    days = pd.date_range("2020-01-01", periods=50)
    y = pd.Series(pd.Categorical([days[40], days[2], days[40]], categories=days))
    labels, _, _ = encode_labels(y)
    assert labels.classes.tolist() == [days[2], days[40]]


def test_shrinkage_dict_keys_checked_in_one_set(monkeypatch):
    # set(classes) was rebuilt for every key: 20,000 classes took 30 s.
    import rebalance.samplers as samplers

    built = []
    real_set = set

    class CountingSet(real_set):
        def __init__(self, *args):
            built.append(1)
            super().__init__(*args)

    monkeypatch.setattr(samplers, "set", CountingSet, raising=False)
    k = 200
    y = np.concatenate([np.repeat(np.arange(k), 2), np.zeros(3, dtype=int)])
    X = np.random.default_rng(0).normal(size=(y.shape[0], 2))
    sampler = RandomOverSampler(shrinkage={i: 0.5 for i in range(k)}, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [5] * k
    assert len(built) < 10


def test_long_lists_of_classes_are_cut_in_messages():
    k = 5000
    y = np.repeat(np.arange(k), 2)
    X = np.zeros((y.shape[0], 1))
    with pytest.raises(ValueError, match=r"\(4,980 more\)") as info:
        RandomOverSampler(sampling_strategy={k + 1: 3}).fit_resample(X, y)
    assert len(str(info.value)) < 1000
    with pytest.raises(ValueError, match="more") as info:
        RandomOverSampler(shrinkage={i: 0.5 for i in range(k + 100)}).fit_resample(X, y)
    assert len(str(info.value)) < 1000
    y[0] = 0  # class 0 of 2 rows, majority ties: every other class grown
    y = np.concatenate([y, [0]])
    X = np.zeros((y.shape[0], 1))
    with pytest.raises(ValueError, match="no value for") as info:
        RandomOverSampler(shrinkage={0: 0.5}).fit_resample(X, y)
    assert len(str(info.value)) < 1000


def test_many_singleton_classes_counts():
    y = np.arange(3000)
    X = y.reshape(-1, 1)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert sorted(y_res.tolist()) == y.tolist()
    assert (X_res.ravel() == y_res).all()
