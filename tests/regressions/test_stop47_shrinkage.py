"""Stop 47: the smoothed bootstrap of sparse X keeps only the noisy columns.

``RandomOverSampler(shrinkage=...)`` on wide sparse X drew and held the noise
of every feature of every added row as one dense float64 array, and built
the result from COO coordinates of each value: 1,000 x 100,000 CSR (9 MiB)
peaked at 4.3 GiB. Only the features some over-sampled class varies in get
noise; the others are now never held whole (drawn in blocks of rows, for the
same random stream).
"""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, _indices
from rebalance._indices import added_mask


def _wide_sparse(n=300, d=4000, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=0.002, format="lil", random_state=seed)
    y = rng.permutation(np.r_[np.zeros(n - 50, int), np.ones(30, int), np.full(20, 2)])
    # A feature constant (and non-zero) within class 1: no noise, kept as is.
    for i in np.flatnonzero(y == 1):
        X[i, 7] = 3.0
    X[np.flatnonzero(y == 2)[0], 9] = -2.0
    return X.tocsr(), y


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_shrinkage_gives_the_values_of_dense_x(monkeypatch, fmt):
    X, y = _wide_sparse()
    X = X.asformat(fmt)
    before = X.copy()
    shrink = {1: 1.5, 2: 0.5}
    Xs, ys = RandomOverSampler(shrinkage=shrink, random_state=3).fit_resample(X, y)
    # Noise drawn a few rows at a time: the same random stream, same bits.
    monkeypatch.setattr(_indices, "NOISE_BLOCK_VALUES", 3 * X.shape[1] + 1)
    Xb, yb = RandomOverSampler(shrinkage=shrink, random_state=3).fit_resample(X, y)
    Xd, yd = RandomOverSampler(shrinkage=shrink, random_state=3).fit_resample(
        X.toarray(), y
    )
    assert Xs.format == Xb.format == fmt
    np.testing.assert_array_equal(ys, yd)
    np.testing.assert_array_equal(yb, yd)
    np.testing.assert_array_equal(Xb.toarray(), Xs.toarray())
    # (the class std of sparse X is computed another way: ulps apart)
    np.testing.assert_allclose(Xs.toarray(), Xd, rtol=1e-12, atol=1e-15)
    assert (X != before).nnz == 0  # input untouched
    # The added rows (a row's second and later copies) of class 1 got noise
    # where class 1 varies, and nowhere else.
    sampler = RandomOverSampler(shrinkage=shrink, random_state=3)
    Xs, ys = sampler.fit_resample(X, y)
    added = np.flatnonzero(added_mask(sampler.sample_indices_, sampler.shuffle))
    assert len(added) == Xs.shape[0] - X.shape[0]
    assert np.all(Xs.toarray()[added[ys[added] == 1], 7] == 3.0)
    varies = np.flatnonzero(X[y == 1].toarray().std(axis=0) > 0)
    rows = Xs[added[ys[added] == 1]].toarray()
    assert np.all(rows[:, varies] != 0)
    assert set(np.flatnonzero(rows.any(axis=0))) <= set(varies) | {7}


def test_sparse_shrinkage_does_not_hold_noise_for_every_feature():
    n, d = 300, 60_000
    X = sp.random(n, d, density=0.0005, format="csr", random_state=1)
    y = np.r_[np.zeros(n - 30, int), np.ones(30, int)]
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    tracemalloc.start()
    try:
        Xr, _ = sampler.fit_resample(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    added = Xr.shape[0] - n  # 240 rows; noise for all features: 115 MB
    assert added * d * 8 > 100e6
    out_bytes = Xr.data.nbytes + Xr.indices.nbytes + Xr.indptr.nbytes
    assert peak < 10 * out_bytes + 16e6, (peak, out_bytes)


@pytest.mark.parametrize("density", [0.0005, 0.2])
def test_memory_check_bounds_sparse_smoothing_without_counting_every_feature(
    smoothing_peak, density
):
    n, d = 300, 20_000 if density < 0.01 else 300
    X = sp.random(n, d, density=density, format="csr", random_state=2)
    y = np.r_[np.zeros(n - 30, int), np.ones(30, int)]
    peak, estimate = smoothing_peak(X, y)
    assert peak <= estimate + (1 << 16)
    if density < 0.01:  # wide: not every feature's noise (240 x 20,000 x 80 B)
        assert estimate < 240 * d * 80 / 4
