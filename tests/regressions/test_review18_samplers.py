"""Review 18 (samplers): peer parity of the estimator samplers with
imbalanced-learn 0.14 (run side by side), the smoothed bootstrap's input
checks, and the imbalanced-learn test cases not ported before
(``utils/tests/test_validation.py``: ``check_target_type`` and the
``ArraysTransformer`` container round trips, run through ``fit_resample``).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from imblearn.utils import check_sampling_strategy

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

# --------------------------------------------------------------------------
# Bugs fixed in this round


@pytest.mark.parametrize(
    "X",
    [
        np.array([["1.5"], ["2.5"], ["3.5"], ["1e-5"], ["7"], ["8"]]),
        np.array([[b"1.5"], [b"2.5"], [b"3.5"], [b"1"], [b"7"], [b"8"]]),
        [["1.5"], ["2.5"], ["3.5"], ["1e-5"], ["7"], ["8"]],
    ],
    ids=["str", "bytes", "list of str"],
)
def test_shrinkage_refuses_string_X_as_imblearn_does(X):
    # Before: numeric strings were parsed, noised and written back into the
    # fixed-width string dtype, cut to its width ('8.2345' -> '8.23' in <U4,
    # '1.2e-05' -> '1.2e', no longer a number), silently. imbalanced-learn
    # refuses string X with shrinkage.
    y = np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="numerical data"):
        ImbOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"numerical data.*shrinkage=None"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    # Refused in fit too, before any draw.
    with pytest.raises(ValueError, match="numerical data"):
        RandomOverSampler(shrinkage=1.0).fit(X, y)
    # Without shrinkage the rows are only copied: string X is fine.
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert len(X_res) == 8


@pytest.mark.parametrize("sparse", [False, True])
def test_shrinkage_refuses_a_complex_dataframe_column(sparse):
    # Before: a complex pandas column lost its imaginary part in the noise
    # (with only a ComplexWarning): the noisy copy of 1+7j came out as a real
    # number. imbalanced-learn refuses it (complex is no numerical data).
    values = np.arange(9) * 1j + 1
    column = pd.arrays.SparseArray(values) if sparse else values
    X = pd.DataFrame({"a": column, "b": np.arange(9.0)})
    y = np.array([0] * 6 + [1] * 3)
    with pytest.raises(ValueError, match="numerical data"):
        ImbOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
        with pytest.raises(ValueError, match=r"column 'a' has dtype .*complex128"):
            sampler.fit_resample(X, y)
    # Without shrinkage a complex column is copied exactly.
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(
        X_res["a"].to_numpy(), values[sampler.sample_indices_]
    )


@pytest.mark.parametrize("bad", [-1.0, np.nan, "1"])
def test_bad_shrinkage_of_a_class_not_over_sampled_is_refused(bad):
    # imbalanced-learn checks every factor of the dict; before, rebalance
    # ignored a negative/NaN/str factor of a class that was not over-sampled
    # (here the majority, class 0), so a typo passed silently.
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.array([0] * 20 + [1] * 10)
    shrinkage = {0: bad, 1: 1.0}
    if bad == -1.0:
        with pytest.raises(ValueError, match="shrinkage factor needs to be >= 0"):
            ImbOverSampler(shrinkage=shrinkage).fit_resample(X, y)
    sampler = RandomOverSampler(shrinkage=shrinkage)
    with pytest.raises(ValueError, match=r"shrinkage\[0\] = .* is not a finite"):
        sampler.fit(X, y)
    with pytest.raises(ValueError, match=r"shrinkage\[0\]"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    # A valid factor for that class is still accepted (and reported, as by
    # imbalanced-learn).
    sampler = RandomOverSampler(shrinkage={0: 9.0, 1: 1.0}, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.shrinkage_ == {0: 9.0, 1: 1.0}


# --------------------------------------------------------------------------
# imbalanced-learn's utils/tests/test_validation.py, not ported before:
# check_target_type (a one-hot y is read by its argmax) and ArraysTransformer
# (the output containers), through fit_resample.


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
@pytest.mark.parametrize(
    "target, output_target",
    [
        (np.array([0, 1, 1]), np.array([0, 1, 1])),
        (np.array([0, 1, 2]), np.array([0, 1, 2])),
        (np.array([[0, 1], [1, 0]]), np.array([1, 0])),
    ],
)
def test_check_target_type(sampler_cls, target, output_target):
    X = np.arange(len(target) * 2).reshape(len(target), 2)
    sampler = sampler_cls(random_state=0)
    _, y_res = sampler.fit_resample(X, target.astype(int))
    classes = np.asarray(y_res).argmax(1) if target.ndim == 2 else np.asarray(y_res)
    # The labels as imbalanced-learn reads them, row for row.
    np.testing.assert_array_equal(classes, output_target[sampler.sample_indices_])
    # A one-hot y comes back one-hot (imbalanced-learn's indicate_one_vs_all).
    assert np.asarray(y_res).ndim == target.ndim


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_arrays_transformer_plain_list(sampler_cls):
    X = np.array([[0, 0], [1, 1], [2, 2], [3, 3]])
    y = np.array([[1, 0], [0, 1], [1, 0], [1, 0]])
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list)
    assert isinstance(y_res, list)
    assert all(row in X.tolist() for row in X_res)
    assert all(row in ([1, 0], [0, 1]) for row in y_res)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_arrays_transformer_numpy(sampler_cls):
    X = np.array([[0, 0], [1, 1], [2, 2], [3, 3]])
    y = np.array([[1, 0], [0, 1], [1, 0], [1, 0]])
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X, y)
    assert isinstance(X_res, np.ndarray)
    assert isinstance(y_res, np.ndarray)


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_arrays_transformer_pandas(sampler_cls):
    X = np.array([[0, 0], [1, 1], [2, 2], [3, 3]])
    y = np.array([0, 1, 0, 0])
    X_df = pd.DataFrame(X, columns=["a", "b"]).astype(np.int32)
    y_df = pd.DataFrame(y, columns=["target"]).astype(np.int16)
    y_s = pd.Series(y, name="target", dtype=np.int16)

    # DataFrame and DataFrame case
    X_res, y_res = sampler_cls(random_state=0).fit_resample(X_df, y_df)
    assert isinstance(X_res, pd.DataFrame)
    np.testing.assert_array_equal(X_res.columns, X_df.columns)
    np.testing.assert_array_equal(X_res.dtypes, X_df.dtypes)
    assert isinstance(y_res, pd.DataFrame)
    np.testing.assert_array_equal(y_res.columns, y_df.columns)
    np.testing.assert_array_equal(y_res.dtypes, y_df.dtypes)

    # DataFrame and Series case
    _, y_res = sampler_cls(random_state=0).fit_resample(X_df, y_s)
    assert isinstance(y_res, pd.Series)
    assert y_res.name == y_s.name
    assert y_res.dtype == y_s.dtype


# --------------------------------------------------------------------------
# Side by side with imbalanced-learn on many inputs


def _as_plain(mapping):
    return {
        (k.item() if isinstance(k, np.generic) else k): int(v)
        for k, v in mapping.items()
    }


def test_named_strategies_with_ties_match_imblearn_on_random_label_sets():
    # Ties between class counts (the class named 'minority'/'majority'),
    # every label kind and every strategy, against check_sampling_strategy.
    rng = np.random.RandomState(0)
    names = ["auto", "minority", "majority", "not minority", "not majority", "all"]
    samplers = {
        "under-sampling": RandomUnderSampler,
        "over-sampling": RandomOverSampler,
    }
    checked = 0
    for _ in range(40):
        k = rng.randint(2, 5)
        codes = np.repeat(np.arange(k), rng.randint(1, 4, size=k))
        rng.shuffle(codes)
        for values in (
            np.array([5, -3, 10, 0]),
            np.array(["b", "a", "d", "c"]),
            np.array([2.0, -1.0, 3.0, 0.0]),
            np.array(["b", "a", "d", "c"], dtype=object),
        ):
            y = values[:k][codes]
            X = np.zeros((y.shape[0], 1))
            for kind, cls in samplers.items():
                for name in names:
                    try:
                        expected = _as_plain(check_sampling_strategy(name, y, kind))
                    except ValueError:
                        with pytest.raises(ValueError):
                            cls(sampling_strategy=name).fit(X, y)
                        continue
                    got = cls(sampling_strategy=name).fit(X, y).sampling_strategy_
                    assert got == expected, (kind, name, y)
                    checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    "y",
    [
        np.array([0] * 20 + [1] * 7 + [2] * 3),
        np.array(["a"] * 20 + ["b"] * 7 + ["c"] * 3),
        pd.Series(pd.Categorical(["a"] * 20 + ["b"] * 7 + ["c"] * 3), name="t"),
        pd.Series([0] * 20 + [1] * 7 + [2] * 3, dtype="Int64", name="t"),
        pd.Series([True] * 20 + [False] * 10, name="t"),
        pd.DataFrame({"t": [0] * 20 + [1] * 7 + [2] * 3}),
    ],
    ids=["int", "str", "categorical", "Int64", "bool", "one-column frame"],
)
@pytest.mark.parametrize(
    "peer, ours",
    [(ImbUnderSampler, RandomUnderSampler), (ImbOverSampler, RandomOverSampler)],
)
def test_containers_counts_and_attributes_as_imblearn(y, peer, ours):
    X = pd.DataFrame(
        np.random.default_rng(0).normal(size=(30, 3)), columns=["f0", "f1", "f2"]
    )
    theirs, mine = peer(random_state=0), ours(random_state=0)
    X_t, y_t = theirs.fit_resample(X, y)
    X_m, y_m = mine.fit_resample(X, y)
    assert type(X_m) is type(X_t) and type(y_m) is type(y_t)
    assert list(X_m.dtypes) == list(X_t.dtypes)
    assert list(X_m.columns) == list(X_t.columns)
    if isinstance(y_t, pd.DataFrame):
        assert list(y_m.dtypes) == list(y_t.dtypes)
        assert list(y_m.columns) == list(y_t.columns)
    else:
        assert y_m.dtype == y_t.dtype
        assert getattr(y_m, "name", None) == getattr(y_t, "name", None)
    flat_t = np.asarray(y_t).ravel().tolist()
    flat_m = np.asarray(y_m).ravel().tolist()
    assert sorted(map(repr, flat_m)) == sorted(map(repr, flat_t))
    assert mine.sampling_strategy_ == _as_plain(theirs.sampling_strategy_)
    assert mine.sample_indices_.shape == theirs.sample_indices_.shape
    assert mine.n_features_in_ == theirs.n_features_in_
    np.testing.assert_array_equal(mine.feature_names_in_, theirs.feature_names_in_)
    np.testing.assert_array_equal(
        mine.get_feature_names_out(), theirs.get_feature_names_out()
    )
    # The returned labels are those of the returned rows.
    positions = mine.sample_indices_
    np.testing.assert_array_equal(X_m.to_numpy(), X.to_numpy()[positions])
    np.testing.assert_array_equal(
        np.asarray(y_m).ravel(), np.asarray(y).ravel()[positions]
    )
