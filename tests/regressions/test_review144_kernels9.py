"""Review 144, kernels9: the compiled (numba) draw and gather kernels through
the public API.

Reviewed: index draws and row gathers of RandomOverSampler,
RandomUnderSampler, ClassBalancedSampler and LabelShuffleSampler on numpy
(C, F, strided views, read-only, float16/bool/object), pandas (mixed dtypes,
non-default index) and CSR/CSC (int64 indptr, unsorted and duplicate column
indices, data longer than indptr[-1]); label encoding of int64 extremes,
uint64 above 2**63, negative labels, -0.0 vs 0.0, NaN, mixed object labels;
sizes 0, 1, 2 and 2**31 / 2**62 / 2**64-1 row requests (sampling_strategy
dicts, n_samples); torch RebalanceSampler / BalancedBatchSampler with extreme
labels, huge batch sizes, class counts, replicas and seeds. Each probe ran in
a subprocess with a timeout; thread counts 1, 2, 3 (REBALANCE_NUM_THREADS and
NUMBA_NUM_THREADS, with the parallel threshold lowered) and NUMBA_DISABLE_JIT=1
were compared by hashing the outputs of all samplers on numpy/CSR/pandas.

Found: no bug. No segfault or hang; huge requests fail with a ValueError
naming the argument before any allocation; malformed CSR is refused with a
clear message; every gathered row carries its own label; output is identical
for 1, 2 and 3 threads and with the pure-Python (NUMBA_DISABLE_JIT) path.
The pins below guard the parts a kernel change could break.
"""

import numpy as np
import pytest
import scipy.sparse as sp

import rebalance._indices as _indices
from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)


def test_int32_limit_request_is_a_clear_error_before_allocating():
    X = np.zeros((10, 2))
    y = np.array([0] * 8 + [1] * 2)
    with pytest.raises(ValueError, match="sampling_strategy"):
        RandomOverSampler(sampling_strategy={1: 2**62}, random_state=0).fit_resample(
            X, y
        )
    with pytest.raises(ValueError, match="n_samples"):
        ClassBalancedSampler(n_samples=2**63, random_state=0).fit_resample(X, y)


@pytest.mark.parametrize(
    "y",
    [
        np.array([np.iinfo(np.int64).min] * 2 + [np.iinfo(np.int64).max] * 4),
        np.array([2**63 + 5] * 2 + [1] * 4, dtype=np.uint64),
    ],
    ids=["int64-extremes", "uint64-high"],
)
def test_extreme_labels_keep_their_rows(y):
    X = np.arange(len(y), dtype=float)[:, None]
    Xr, yr = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert yr.dtype == y.dtype
    np.testing.assert_array_equal(yr, y[Xr[:, 0].astype(int)])
    assert sorted(np.unique(yr, return_counts=True)[1]) == [4, 4]


def test_csr_unsorted_and_duplicate_indices_gather_the_right_rows():
    # row 0: columns (1, 0) unsorted; row 1: column 1 twice (sums to 5)
    X = sp.csr_matrix(
        (np.array([1.0, 2.0, 2.0, 3.0, 4.0]), [1, 0, 1, 1, 0], [0, 2, 4, 5]),
        shape=(3, 2),
    )
    dense = X.toarray()
    y = np.array([0, 0, 1])
    Xr, yr = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert Xr.shape == (4, 2)
    for row, label in zip(Xr.toarray(), yr):
        (match,) = np.flatnonzero((dense == row).all(axis=1))
        assert y[match] == label


def _draw_all():
    rng = np.random.default_rng(0)
    n = 3001
    y = rng.choice([0, 1, 2], size=n, p=[0.8, 0.15, 0.05])
    X = np.arange(n, dtype=float)[:, None] * [1.0, 2.0]
    Xs = sp.csr_matrix(X + 1.0)
    out = []
    for sampler in (
        RandomOverSampler(random_state=3),
        RandomUnderSampler(random_state=3, replacement=True),
        ClassBalancedSampler(random_state=3, power=0.3),
        LabelShuffleSampler(random_state=3),
    ):
        for XX in (X, Xs):
            Xr, yr = sampler.fit_resample(XX, y)
            dense = Xr.toarray() - 1.0 if sp.issparse(Xr) else Xr
            rows = dense[:, 0].astype(np.int64)
            np.testing.assert_array_equal(y[rows], yr)  # each row keeps its label
            np.testing.assert_array_equal(dense[:, 1], 2.0 * dense[:, 0])
            out.append(rows)
    return out


def test_draws_do_not_depend_on_the_thread_count(monkeypatch):
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 500)  # threads on small draws
    results = []
    for threads in ("1", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        results.append(_draw_all())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
