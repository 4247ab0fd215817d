"""Review 42 (claims): the documented behaviour of the data-level samplers.

No code bug was found in this round's claims check; these tests pin the
claims whose docstrings were made precise (``sampling_strategy_`` contents,
``replacement`` bootstrapping a selected class kept at its own count, the
rounded report of :meth:`ClassBalancedSampler.fit`) and the README's
tie rule for a pandas categorical on the two samplers that read
``sampling_strategy`` as an over-sampler would.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

Y = np.array([0] * 9 + [1] * 3 + [2] * 6)
X = np.arange(Y.shape[0]).reshape(-1, 1)


def test_under_sampling_report_lists_every_selected_class():
    sampler = RandomUnderSampler(sampling_strategy="all", random_state=0)
    sampler.fit_resample(X, Y)
    # 'all' selects the minority too, at its own count (as imbalanced-learn).
    assert sampler.sampling_strategy_ == {0: 3, 1: 3, 2: 3}
    sampler = RandomUnderSampler(sampling_strategy={1: 3, 0: 4}, random_state=0)
    sampler.fit_resample(X, Y)
    assert sampler.sampling_strategy_ == {0: 4, 1: 3}


def test_over_sampling_report_lists_every_selected_class():
    sampler = RandomOverSampler(sampling_strategy="all", random_state=0)
    sampler.fit_resample(X, Y)
    assert sampler.sampling_strategy_ == {0: 0, 1: 6, 2: 3}


def test_replacement_bootstraps_a_selected_class_kept_at_its_count():
    y = np.array([0] * 40 + [1] * 60)
    X_big = np.arange(100).reshape(-1, 1)
    sampler = RandomUnderSampler(
        sampling_strategy="all", replacement=True, random_state=0
    )
    sampler.fit_resample(X_big, y)
    minority_rows = sampler.sample_indices_[y[sampler.sample_indices_] == 0]
    assert minority_rows.shape[0] == 40
    # A bootstrap of 40 from 40 repeats rows (all distinct: p = 40!/40**40).
    assert np.unique(minority_rows).shape[0] < 40
    # A class the strategy does not select is kept whole, once each.
    sampler = RandomUnderSampler(replacement=True, random_state=0)
    sampler.fit_resample(X_big, y)
    kept = sampler.sample_indices_[y[sampler.sample_indices_] == 0]
    assert sorted(kept.tolist()) == list(range(40))


@pytest.mark.parametrize("n_samples", [1000, 1001, 7])
def test_class_balanced_fit_report_is_the_rounded_expectation(n_samples):
    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    X_cb = np.zeros((1000, 1))
    sampler = ClassBalancedSampler(n_samples=n_samples, power=0.5).fit(X_cb, y)
    weights = np.sqrt([900.0, 90.0, 10.0])
    expected = np.rint(n_samples * weights / weights.sum()).astype(int)
    assert sampler.sampling_strategy_ == dict(enumerate(expected.tolist()))
    assert abs(sum(sampler.sampling_strategy_.values()) - n_samples) <= 1.5
    # fit_resample reports the rows drawn: exactly n_samples.
    sampler.set_params(random_state=0).fit_resample(X_cb, y)
    assert sum(sampler.sampling_strategy_.values()) == n_samples


def _tied_categorical():
    # 'a' and 'b' tie for the majority, 'c' and 'd' for the minority; the
    # categories list them in another order than their values.
    values = ["b"] * 4 + ["a"] * 4 + ["c"] * 2 + ["d"] * 2
    return pd.Series(pd.Categorical(values, categories=["d", "c", "b", "a"]))


def test_label_shuffle_breaks_count_ties_by_value_for_a_categorical():
    y = _tied_categorical()
    X_cat = np.arange(12).reshape(-1, 1)
    sampler = LabelShuffleSampler(sampling_strategy="minority", random_state=0)
    _, y_res = sampler.fit_resample(X_cat, y)
    # The minority is 'c' (first by value), not 'd' (first category).
    assert Counter(y_res.tolist()) == {"a": 4, "b": 4, "c": 4, "d": 2}
    sampler = LabelShuffleSampler(sampling_strategy="not minority", random_state=0)
    _, y_res = sampler.fit_resample(X_cat, y)
    assert Counter(y_res.tolist()) == {"a": 4, "b": 4, "c": 2, "d": 4}


def test_class_balanced_breaks_count_ties_by_value_for_a_categorical():
    y = _tied_categorical()
    X_cat = np.zeros((12, 1))
    sampler = ClassBalancedSampler(
        sampling_strategy="minority", n_samples=14_000, random_state=0
    )
    _, y_res = sampler.fit_resample(X_cat, y)
    drawn = Counter(y_res.tolist())
    # T = (a 4, b 4, c 4, d 2): 'c' is drawn twice as often as 'd'
    # (expected 4000 and 2000, standard deviations about 55 and 42).
    assert abs(drawn["c"] - 4000) < 300
    assert abs(drawn["d"] - 2000) < 300
    assert sampler.sampling_strategy_ == dict(drawn)
