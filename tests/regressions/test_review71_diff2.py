"""Review 71 (diff2): the later changes of this session attacked with real cases.

``ResampledClassifier`` on Dask (length check skipped without fit
parameters, the drawn labels read from the sampler's own pass), one-hot
column names as ``sampling_strategy`` keys, ``_em_step``'s rows split
between linear and log space, and sparse smoothing's per-class scales.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler
from rebalance._priors import _LINEAR_ROW_SUM, _em_step, _shift

dd = pytest.importorskip("dask.dataframe")
imblearn_under = pytest.importorskip("imblearn.under_sampling")


def _frame(n=60, seed=0):
    """X (two float columns) and three unbalanced classes 40/15/5, shuffled."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = np.array([0] * 40 + [1] * 15 + [2] * 5)
    rng.shuffle(y)
    return X, pd.Series(y)


def _classifier():
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=0)


@pytest.mark.parametrize("dask_y", [False, True])
def test_imblearn_sampler_dask_X_labels_of_another_length_refused(dask_y):
    from rebalance.compose import ResampledClassifier

    X, y = _frame()
    short = y.iloc[:59]
    labels = dd.from_pandas(short, npartitions=2) if dask_y else short.to_numpy()
    model = ResampledClassifier(
        imblearn_under.RandomUnderSampler(random_state=0), _classifier()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="60 rows"):
            model.fit(dd.from_pandas(X, npartitions=2), labels)


class _KeepPositive(RandomOverSampler):
    """A user's sampler: rebalance's draw, then the rows with ``a > 0``."""

    def fit_resample(self, X, y, **params):
        X_res, y_res = super().fit_resample(X, y, **params)[:2]
        keep = X_res["a"] > 0
        return X_res[keep], y_res[keep]


def test_dask_priors_are_those_of_the_labels_returned():
    from rebalance.compose import ResampledClassifier

    X, y = _frame()
    expected = (
        ResampledClassifier(_KeepPositive(random_state=0), _classifier())
        .fit(X, y)
        .resampled_priors_
    )
    assert not np.allclose(expected, 1 / 3)  # the filter changes the priors
    got = (
        ResampledClassifier(_KeepPositive(random_state=0), _classifier())
        .fit(dd.from_pandas(X, npartitions=2), dd.from_pandas(y, npartitions=2))
        .resampled_priors_
    )
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize(
    "labels",
    [
        pd.Series(np.array(["z", "a", "m"])[[0] * 40 + [1] * 15 + [2] * 5]),
        pd.Series(
            pd.Categorical(
                np.array(["z", "a", "m"])[[0] * 40 + [1] * 15 + [2] * 5],
                categories=["m", "z", "a", "unused"],
            )
        ),
        pd.Series([True] * 40 + [False] * 20),
    ],
    ids=["str", "categorical", "bool"],
)
def test_dask_classes_and_priors_as_pandas(labels):
    """Guard: the drawn labels read from the sampler give pandas' answer."""
    from rebalance.compose import ResampledClassifier

    X, _ = _frame()
    sampler = RandomUnderSampler(random_state=0, sampling_strategy={labels[0]: 30})
    pandas = ResampledClassifier(sampler, _classifier()).fit(X, labels)
    lazy = ResampledClassifier(sampler, _classifier()).fit(
        dd.from_pandas(X, npartitions=3), dd.from_pandas(labels, npartitions=3)
    )
    assert list(lazy.classes_) == list(pandas.classes_)
    np.testing.assert_allclose(lazy.resampled_priors_, pandas.resampled_priors_)
    assert not hasattr(lazy.sampler_, "_drawn_labels")


def test_one_hot_integer_column_names_not_taken_as_other_positions():
    X = pd.DataFrame({"a": np.arange(10.0)})
    labels = pd.Series([1] * 7 + [2] * 3)
    one_hot = pd.get_dummies(labels).astype(int)
    assert list(one_hot.columns) == [1, 2]
    sampler = RandomUnderSampler(sampling_strategy={1: 2}, random_state=0)
    try:
        _, y_res = sampler.fit_resample(X, one_hot)
    except ValueError:
        return  # refused as ambiguous: fine
    _, y_flat = RandomUnderSampler(
        sampling_strategy={1: 2}, random_state=0
    ).fit_resample(X, labels)
    assert y_res.sum().to_dict() == y_flat.value_counts().to_dict()


def _em_step_reference(values, train, priors):
    updated = _shift(values, train, priors).mean(axis=0)
    return updated / updated.sum()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_em_step_rows_split_between_linear_and_log_space(dtype):
    """Guard: rows near underflow in log space, the others linear; the same
    step as every row in log space (priors 1e-300..1, rows of one class)."""
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(200):
        k = int(rng.integers(2, 5))
        values = rng.dirichlet(np.ones(k), int(rng.integers(1, 6)))
        j = int(rng.integers(0, k))
        values[0] = 0.0
        values[0, j] = 1.0
        values = values.astype(dtype).astype(np.float64)
        values /= values.sum(axis=1, keepdims=True)
        train = 10.0 ** rng.uniform(-300, 300, k)
        priors = rng.dirichlet(np.ones(k))
        priors[j] = 10.0 ** rng.uniform(-320, -250)
        priors /= priors.sum()
        ratios = np.log(priors) - np.log(train)
        sums = values @ np.exp(ratios - ratios.max())
        checked += int(not (sums > _LINEAR_ROW_SUM).all())
        np.testing.assert_allclose(
            _em_step(values, train, priors),
            _em_step_reference(values, train, priors),
            rtol=1e-12,
            atol=1e-300,
        )
    assert checked > 20  # the split path was taken


def test_sparse_smoothing_matches_dense():
    """Guard: per-class sparse noise scales give the dense values."""
    rng = np.random.default_rng(1)
    for case in range(30):
        n, f = int(rng.integers(6, 25)), int(rng.integers(1, 10))
        dense = rng.normal(size=(n, f)) * (rng.random((n, f)) < 0.4)
        dense[:, int(rng.integers(0, f))] = 0.0
        y = rng.integers(0, 3, n)
        y[:3] = [0, 1, 2]
        shrink = float(rng.uniform(0, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_d, y_d = RandomOverSampler(
                shrinkage=shrink, random_state=case
            ).fit_resample(dense, y)
            X_s, y_s = RandomOverSampler(
                shrinkage=shrink, random_state=case
            ).fit_resample(sp.csr_matrix(dense), y)
        np.testing.assert_array_equal(y_d, y_s)
        np.testing.assert_allclose(X_s.toarray(), X_d, rtol=1e-12, atol=1e-12)


def test_one_hot_integer_names_refused_as_keys_but_a_callables_positions_taken():
    # (stop 47) A dict key that names one column and is the position of
    # another is refused; a callable's keys are the positions it was given.
    X = pd.DataFrame({"a": np.arange(10.0)})
    one_hot = pd.get_dummies(pd.Series([1] * 7 + [2] * 3)).astype(int)
    with pytest.raises(ValueError, match=r"position of column 2.*\{0: \.\.\.\}"):
        RandomUnderSampler(sampling_strategy={1: 2}).fit_resample(X, one_hot)
    sampler = RandomUnderSampler(sampling_strategy=lambda y: {0: 3}, random_state=0)
    _, y_res = sampler.fit_resample(X, one_hot)
    assert y_res.sum().to_dict() == {1: 3, 2: 3}
