"""Stop 47: the README's known differences from imbalanced-learn about
``random_state``, ``sampling_strategy=True`` and datetime/bytes labels (found
by review 70, not listed before) hold."""

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

from rebalance import RandomUnderSampler

X = np.arange(40.0).reshape(20, 2)
y = np.r_[np.zeros(14, int), np.ones(6, int)]


def _rows(sampler, labels=y):
    sampler.fit_resample(X, labels)
    return sampler.sample_indices_


def test_random_state_forms():
    seeded = _rows(RandomUnderSampler(random_state=3))
    legacy = _rows(RandomUnderSampler(random_state=np.random.RandomState(3)))
    assert not np.array_equal(np.sort(seeded), np.sort(legacy))
    generated = _rows(RandomUnderSampler(random_state=np.random.default_rng(3)))
    assert generated.shape == seeded.shape


@pytest.mark.parametrize(
    "params", [{"random_state": True}, {"sampling_strategy": True}]
)
def test_true_is_refused_where_imbalanced_learn_reads_1(params):
    ImbUnder(**params).fit_resample(X, y)
    with pytest.raises((TypeError, ValueError)):
        RandomUnderSampler(**params).fit_resample(X, y)


def test_datetime_labels_refused_bytes_taken():
    dates = pd.to_datetime(np.where(y == 1, "2020-01-01", "2021-01-01"))
    ImbUnder(random_state=0).fit_resample(X, dates)
    with pytest.raises(ValueError):
        RandomUnderSampler(random_state=0).fit_resample(X, dates)
    texts = np.where(y == 1, b"a", b"b")
    with pytest.raises(TypeError):
        ImbUnder(random_state=0).fit_resample(X, texts)
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(X, texts)
    assert sorted(set(y_res.tolist())) == [b"a", b"b"]
