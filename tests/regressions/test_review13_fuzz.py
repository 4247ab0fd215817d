"""Review 13, differential fuzzer: minimal failing cases it found.

Each test is a reduced case of an invariant of ``fit_resample`` the fuzzer
(random containers, dtypes, sizes, thread counts) saw broken.
"""

import numpy as np
import pandas as pd
import pytest

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _y(n=10):
    return (np.arange(n) % 5 == 0).astype(np.int64)


# --- pandas containers of big-endian numpy columns -------------------------
# pandas' own take (iloc) has no kernel for non-native byte order; the
# threaded gather (rebalance._gather, only above GATHER_ABOVE bytes) copies
# such columns fine. So the same frame resamples at 400k rows and raises
# pandas' "Big-endian buffer not supported on little-endian compiler" at 10.


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_small_dataframe_with_big_endian_column_is_resampled(sampler_cls):
    ids = np.arange(10)
    X = pd.DataFrame({"id": ids.astype(">i8"), "v": ids.astype(">f8")})
    sampler = sampler_cls(random_state=0)
    X_res, _ = sampler.fit_resample(X, _y())
    assert list(X_res.dtypes) == list(X.dtypes)
    assert X_res["id"].tolist() == sampler.sample_indices_.tolist()


def test_small_big_endian_label_series_is_resampled():
    y = pd.Series(_y().astype(">i4"), name="t")
    sampler = RandomOverSampler(random_state=0)
    _, y_res = sampler.fit_resample(np.arange(10).reshape(-1, 1), y)
    assert y_res.dtype == y.dtype
    assert y_res.tolist() == y.to_numpy()[sampler.sample_indices_].tolist()


def test_small_big_endian_sample_weight_series_is_resampled():
    sw = pd.Series(np.arange(10.0).astype(">f8"))
    sampler = RandomOverSampler(random_state=0)
    *_, sw_res = sampler.fit_resample(
        np.arange(10).reshape(-1, 1), _y(), sample_weight=sw
    )
    assert sw_res.tolist() == sw.to_numpy()[sampler.sample_indices_].tolist()


# --- CSR matrices whose index arrays are big-endian -------------------------
# scipy gathers such a matrix (small sizes work), but above GATHER_ABOVE the
# compiled CSR kernels (rebalance._gather.take_csr) are called with the
# non-native arrays and numba raises a TypingError instead of the gather
# being left to scipy.


def test_large_csr_with_big_endian_index_arrays_is_resampled():
    import scipy.sparse as sp

    n = 300_000
    ids = np.arange(n)
    X = sp.csr_matrix((ids + 1.0, (ids, ids % 3)), shape=(n, 3))
    X.indptr = X.indptr.astype(">i4")
    X.indices = X.indices.astype(">i4")
    y = (ids % 10 == 0).astype(np.int64)
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert (X_res != X[sampler.sample_indices_]).nnz == 0
