"""Review 13: imbalanced-learn's own behaviour as a peer oracle for the
rebalance samplers (beyond tests/test_imblearn_port.py and
tests/test_review11_imblearn.py)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler

from rebalance import RandomOverSampler, RandomUnderSampler


# README ("imbalanced-learn compatibility"): "On count ties the first class in
# sorted order is picked, as in imbalanced-learn." imbalanced-learn counts the
# classes with np.unique (imblearn.utils._validation._count_class_sample), so a
# pandas categorical y is ranked by its *values* (lexicographic for strings).
# rebalance ranks a categorical by its *category order*
# (rebalance._labels: "a pandas categorical keeps its category order") and
# rebalance._strategy._selected_classes breaks the tie with np.argmin/argmax
# over that order. With a tie, 'minority' / 'majority' then resample a
# different class than imbalanced-learn does: a drop-in replacement grows
# (or shrinks) the wrong class.
@pytest.mark.parametrize(
    "rebalance_cls, imblearn_cls, name, counts",
    [
        (RandomOverSampler, ImbOverSampler, "minority", {"z": 3, "a": 3, "m": 10}),
        (RandomUnderSampler, ImbUnderSampler, "majority", {"z": 10, "a": 10, "m": 3}),
    ],
)
def test_count_tie_on_categorical_labels_picks_imblearns_class(
    rebalance_cls, imblearn_cls, name, counts
):
    values = [label for label, n in counts.items() for _ in range(n)]
    y = pd.Series(pd.Categorical(values, categories=list(counts)))  # z, a, m
    X = np.arange(len(values), dtype=float).reshape(-1, 1)

    _, y_imb = imblearn_cls(sampling_strategy=name, random_state=0).fit_resample(X, y)
    sampler = rebalance_cls(sampling_strategy=name, random_state=0)
    _, y_res = sampler.fit_resample(X, y)

    # imbalanced-learn resamples 'a' (first of the tie in sorted order).
    assert Counter(y_res.tolist()) == Counter(y_imb.tolist())
    assert list(sampler.sampling_strategy_) == ["a"]
