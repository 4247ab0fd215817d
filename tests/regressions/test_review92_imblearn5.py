"""Review 92 (imblearn5): imbalanced-learn's own sampler tests ported onto rebalance.

No incompatibility was found; these pin what was checked against
imbalanced-learn directly (set-wise where the row order differs by design).
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

imblearn_over = pytest.importorskip("imblearn.over_sampling")
imblearn_under = pytest.importorskip("imblearn.under_sampling")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402

PAIRS = [
    (imblearn_under.RandomUnderSampler, RandomUnderSampler),
    (imblearn_over.RandomOverSampler, RandomOverSampler),
]


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    y = np.array([0] * 50 + [1] * 20 + [2] * 10)
    return X, y


def _counts(y):
    return dict(sorted(Counter(np.asarray(y).ravel().tolist()).items()))


@pytest.mark.parametrize("pair", PAIRS, ids=["under", "over"])
@pytest.mark.parametrize(
    "strategy",
    ["auto", "all", "not minority", "not majority"],
)
def test_string_and_list_strategies_match_imblearn_counts(pair, strategy):
    ref_cls, our_cls = pair
    X, y = _data()
    ref = ref_cls(sampling_strategy=strategy, random_state=0)
    ours = our_cls(sampling_strategy=strategy, random_state=0)
    _, y_ref = ref.fit_resample(X, y)
    _, y_ours = ours.fit_resample(X, y)
    assert _counts(y_ours) == _counts(y_ref)
    assert dict(ours.sampling_strategy_) == {
        int(k): int(v) for k, v in ref.sampling_strategy_.items()
    }


def test_sample_indices_point_at_output_rows_with_pandas():
    X, y = _data()
    index = np.arange(80) * 3 + 7
    X_df = pd.DataFrame(X, columns=list("abc"), index=index)
    y_s = pd.Series(y, index=index, name="t")
    for cls in (RandomUnderSampler, RandomOverSampler):
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X_df, y_s)
        idx = sampler.sample_indices_
        np.testing.assert_array_equal(X_df.iloc[idx].to_numpy(), X_res.to_numpy())
        np.testing.assert_array_equal(y_s.iloc[idx].to_numpy(), y_res.to_numpy())
        assert y_res.name == "t"


@pytest.mark.parametrize("shrinkage", [1.0, 0, {1: 0.5, 2: 1.0}])
def test_shrinkage_attribute_matches_imblearn(shrinkage):
    X, y = _data()
    ref = imblearn_over.RandomOverSampler(shrinkage=shrinkage, random_state=0)
    ours = RandomOverSampler(shrinkage=shrinkage, random_state=0)
    ref.fit_resample(X, y)
    ours.fit_resample(X, y)
    assert {int(k): float(v) for k, v in ref.shrinkage_.items()} == ours.shrinkage_
    assert len(ours.sample_indices_) == len(ref.sample_indices_)


@pytest.mark.parametrize("pair", PAIRS, ids=["under", "over"])
def test_pandas_dtypes_and_label_dtype_match_imblearn(pair):
    ref_cls, our_cls = pair
    n = 30
    X = pd.DataFrame(
        {
            "a": np.arange(n, dtype="int32"),
            "c": pd.Categorical(list("xyz") * 10),
            "d": pd.array([1, None] * 15, dtype="Int64"),
            "e": pd.array(["s", "t", None] * 10, dtype="string"),
            "g": pd.date_range("2020", periods=n),
        }
    )
    y = pd.Series(
        pd.Categorical(["a"] * 20 + ["b"] * 10, categories=["b", "a"]), name="lab"
    )
    X_ref, y_ref = ref_cls(random_state=0).fit_resample(X, y)
    X_ours, y_ours = our_cls(random_state=0).fit_resample(X, y)
    pd.testing.assert_series_equal(X_ours.dtypes, X_ref.dtypes)
    assert y_ours.dtype == y_ref.dtype
    assert y_ours.name == y_ref.name
    assert _counts(y_ours.astype(str)) == _counts(y_ref.astype(str))
