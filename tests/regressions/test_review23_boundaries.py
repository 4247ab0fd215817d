"""Review 23, boundaries: numeric edges of the samplers' draws.

Each test failed before its fix: a subnormal float ``sampling_strategy``
(OverflowError), a sparse X with subnormal values under ``shrinkage`` (NaN
rows), integer columns beyond 2**53 under ``shrinkage`` (values changed with
no noise), and a resampled X larger than the memory available (allocated
after the draw: a MemoryError, or the process killed).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)

Y = np.array([0] * 15 + [1] * 5)


@pytest.mark.parametrize("ratio", [1e-310, 5e-324, np.float64(1e-320)])
def test_subnormal_float_ratio_is_a_value_error(ratio):
    # n_minority / ratio is infinite: int() raised OverflowError (with a
    # RuntimeWarning) instead of the error naming sampling_strategy.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="would keep infinitely many majority"):
            RandomUnderSampler(sampling_strategy=ratio).fit_resample(
                np.zeros((20, 1)), Y
            )


def test_long_double_ratio_count_beyond_float_range_is_a_value_error():
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("long double is float64 on this platform")
    ratio = np.longdouble(1) / np.longdouble(10) ** 320
    # 5e+320 rows: printing the count through float() raised OverflowError.
    with pytest.raises(ValueError, match=r"would keep 5\.00e\+320 majority"):
        RandomUnderSampler(sampling_strategy=ratio).fit_resample(np.zeros((20, 1)), Y)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_shrinkage_with_subnormal_values_adds_finite_noise(fmt):
    # The std was computed through 1 / max|x| (infinite for 5e-324): NaN
    # std, NaN noisy rows, where dense X gave finite ones.
    y = np.array([0] * 10 + [1] * 4)
    X = np.zeros((14, 2))
    X[10:, 0] = [5e-324, 1e-320, 0.0, 3e-322]
    X[:, 1] = np.arange(14)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    dense, _ = sampler.fit_resample(X, y)
    sparse, _ = sampler.fit_resample(sp.csr_matrix(X).asformat(fmt), y)
    assert sparse.format == fmt
    assert np.isfinite(sparse.toarray()).all()
    np.testing.assert_array_equal(sparse.toarray(), dense)


@pytest.mark.parametrize(
    "dtype, value",
    [
        (np.int64, 2**62 + 1),
        (np.int64, 2**63 - 1),
        (np.int64, -(2**63)),
        (np.uint64, 2**64 - 1),
        (np.uint64, 2**63 + 7),
    ],
)
@pytest.mark.parametrize("container", ["numpy", "pandas", "nullable", "csr"])
def test_shrinkage_keeps_big_integers_that_get_no_noise(dtype, value, container):
    # A constant column has std 0, so its added rows get no noise; going
    # through float64 changed 2**62 + 1 to 2**62 and 2**64 - 1 to 2**64 - 2048.
    y = np.array([0] * 10 + [1] * 3 + [2])
    X = np.zeros((14, 2), dtype=dtype)
    X[:, 0] = np.arange(14)
    X[:, 1] = value
    if container == "pandas":
        X = pd.DataFrame(X, columns=["a", "b"])
    elif container == "nullable":
        nullable = "Int64" if dtype is np.int64 else "UInt64"
        X = pd.DataFrame(X, columns=["a", "b"]).astype(nullable)
    elif container == "csr":
        X = sp.csr_matrix(X)
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    if container in ("pandas", "nullable"):
        column = X_res["b"].to_numpy(dtype=dtype)
        assert X_res.dtypes.tolist() == X.dtypes.tolist()
    elif container == "csr":
        column = X_res.toarray()[:, 1]
        assert X_res.dtype == dtype
    else:
        column = X_res[:, 1]
        assert X_res.dtype == dtype
    assert column.shape == (30,)
    assert all(v == value for v in column.tolist())


def test_shrinkage_noise_on_big_integers_saturates_at_the_dtype_limits():
    y = np.array([0] * 10 + [1] * 4)
    X = np.zeros((14, 1), dtype=np.int64)
    X[:10, 0] = np.arange(10)
    X[10:, 0] = [2**63 - 1, 2**63 - 5, 2**63 - 1_000_000, 2**63 - 2]
    X_res, y_res = RandomOverSampler(shrinkage=50.0, random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.int64
    added = X_res[y_res == 1, 0]
    # Noise of scale ~1e5 near the int64 limit: saturated, never wrapped.
    assert (added > 2**62).all()
    assert len(set(added.tolist())) > 4


def test_resampled_X_larger_than_the_memory_is_refused_before_the_draw(monkeypatch):
    # 40,000 rows of 500 float64 features: 160 MB, with 100 MiB available.
    # The draw ran and then the gather allocated (MemoryError, or the
    # system's OOM killer for allocations it lets through).
    monkeypatch.setattr(_indices, "available_memory", lambda: 100 << 20)
    X = np.zeros((100, 500))
    y = np.array([0] * 90 + [1] * 10)
    sampler = ClassBalancedSampler(n_samples=40_000, random_state=0)
    with pytest.raises(ValueError, match=r"40,000 rows of X.*memory available"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    for make in (pd.DataFrame, sp.csr_matrix):
        with pytest.raises(ValueError, match="memory available"):
            sampler.fit_resample(make(np.ones((100, 500))), y)
    # Half of it fits: not refused.
    X_res, _ = ClassBalancedSampler(n_samples=20_000).fit_resample(X, y)
    assert X_res.shape == (20_000, 500)


def test_over_sampling_refuses_an_X_that_cannot_fit(monkeypatch):
    monkeypatch.setattr(_indices, "available_memory", lambda: 100 << 20)
    X = np.zeros((1000, 1000))
    y = np.array([0] * 900 + [1] * 100)
    with pytest.raises(ValueError, match="RandomOverSampler.fit_resample would"):
        RandomOverSampler(sampling_strategy={1: 20_000}).fit_resample(X, y)
