"""Review 76, sparse2: unusual sparse and dense memory through every sampler.

No bug was found in this area; these tests pin what was checked. Every case
compares the output with ``densify(X)[sample_indices_]`` (the dense result of
the same draw) and checks that the input, down to its ``data``, ``indices``
and ``indptr`` arrays, is left as it was.
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rebalance import _gather
from rebalance.samplers import (
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


def _dense(n=12, p=5, seed=0):
    values = np.random.default_rng(seed).integers(-3, 4, size=(n, p)).astype(float)
    values[values < 1] = 0
    values[3] = 0  # an empty row
    values[:, 2] = 0  # an empty column
    return values


Y = np.array([0] * 8 + [1] * 4)


def _non_canonical_csr(values, cls=sp.csr_matrix, index=np.int32):
    """``values`` as CSR with every entry split in two (duplicates not
    summed), each row's columns in decreasing order and explicit zeros."""
    indices, data, indptr = [], [], [0]
    for row in values:
        columns = np.flatnonzero(row)[::-1]
        for j in columns:
            indices += [j, j]
            data += [row[j] - 1.5, 1.5]
        indices.append(0)
        data.append(0.0)
        indptr.append(len(indices))
    X = cls(
        (np.array(data), np.array(indices, index), np.array(indptr, index)),
        shape=values.shape,
    )
    assert not X.has_canonical_format
    return X


def _snapshot(X):
    arrays = {
        name: copy.deepcopy(getattr(X, name))
        for name in ("data", "indices", "indptr", "coords")
        if hasattr(X, name)
    }
    return type(X), X.shape, X.dtype, arrays, X.toarray()


def _assert_unchanged(X, before):
    kind, shape, dtype, arrays, dense = before
    assert (type(X), X.shape, X.dtype) == (kind, shape, dtype)
    for name, value in arrays.items():
        now = getattr(X, name)
        if isinstance(value, tuple):
            assert all(np.array_equal(a, b) for a, b in zip(now, value))
        else:
            assert now.dtype == value.dtype
            assert np.array_equal(now, value)
    assert np.array_equal(X.toarray(), dense)


def _make(kind):
    values = _dense()
    if kind == "csr-noncanonical":
        return _non_canonical_csr(values), values
    if kind == "csr_array-int64":
        return _non_canonical_csr(values, sp.csr_array, np.int64), values
    if kind == "csc-noncanonical":
        csr = _non_canonical_csr(values.T)  # the CSR of X.T is X's CSC
        X = sp.csc_matrix((csr.data, csr.indices, csr.indptr), shape=values.shape)
        assert not X.has_canonical_format
        return X, values
    if kind == "coo-duplicates":
        csr = _non_canonical_csr(values)
        return sp.coo_matrix(
            (csr.data, (np.repeat(np.arange(12), np.diff(csr.indptr)), csr.indices)),
            shape=values.shape,
        ), values
    fmt, cls = kind.split("-")
    maker = getattr(sp, f"{fmt}_{cls}")
    return maker(values), values


KINDS = [
    "csr-noncanonical",
    "csr_array-int64",
    "csc-noncanonical",
    "coo-duplicates",
    *(f"{f}-{c}" for f in ("bsr", "dia", "lil", "dok") for c in ("matrix", "array")),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_sparse_equals_dense_draw(kind, sampler):
    X, values = _make(kind)
    before = _snapshot(X)
    fitted = sampler(random_state=0)
    X_res, y_res = fitted.fit_resample(X, Y)
    rows = fitted.sample_indices_
    assert sp.issparse(X_res)
    assert X_res.dtype == X.dtype
    # CSR/CSC (matrix or array) are kept; other formats come back as CSR
    # of the same kind (documented in the README).
    if X.format in ("csr", "csc"):
        assert type(X_res) is type(X)
    else:
        assert X_res.format == "csr"
        assert isinstance(X_res, sp.sparray) == isinstance(X, sp.sparray)
    assert np.array_equal(X_res.toarray(), values[rows])
    assert np.array_equal(y_res, Y[rows])
    dense_res, _ = sampler(random_state=0).fit_resample(values, Y)
    assert np.array_equal(X_res.toarray(), dense_res)
    _assert_unchanged(X, before)


@pytest.mark.parametrize(
    "kind", ["csr-noncanonical", "csc-noncanonical", "coo-duplicates"]
)
def test_sparse_shrinkage_equals_dense(kind):
    X, values = _make(kind)
    before = _snapshot(X)
    fitted = RandomOverSampler(random_state=0, shrinkage=1.0)
    X_res, _ = fitted.fit_resample(X, Y)
    dense, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(values, Y)
    assert np.array_equal(X_res.toarray(), dense)
    # the added copies are noisy, not the plain rows
    assert not np.array_equal(X_res.toarray(), values[fitted.sample_indices_])
    _assert_unchanged(X, before)


def _odd_csr(case):
    base = sp.csr_matrix(_dense(n=60, p=8, seed=1))
    if case == "big-endian":
        return sp.csr_matrix(
            (base.data.astype(">f8"), base.indices, base.indptr), shape=base.shape
        )
    if case == "non-contiguous":
        wide = np.zeros(2 * base.nnz)
        wide[::2] = base.data
        X = base.copy()
        X.data = wide[::2]
        return X
    if case == "slack":  # arrays longer than indptr[-1]
        X = base.copy()
        X.data = np.concatenate([X.data, [99.0, 98.0]])
        X.indices = np.concatenate([X.indices, np.array([0, 1], X.indices.dtype)])
        return X
    if case == "read-only":
        X = base.copy()
        for array in (X.data, X.indices, X.indptr):
            array.setflags(write=False)
        return X
    return _non_canonical_csr(base.toarray(), index=np.int64)


@pytest.mark.parametrize(
    "case", ["big-endian", "non-contiguous", "slack", "read-only", "noncanonical"]
)
@pytest.mark.parametrize("kernel", [False, True], ids=["scipy", "kernel"])
def test_odd_csr_arrays(case, kernel, monkeypatch):
    used = []
    if kernel:  # the compiled CSR gather of large inputs, on a small one
        monkeypatch.setattr(_gather, "GATHER_ABOVE", 64)
        take_csr = _gather.take_csr

        def spy(data, rows):
            taken = take_csr(data, rows)
            used.append(taken is not None)
            return taken

        monkeypatch.setattr(_gather, "take_csr", spy)
    X = _odd_csr(case)
    values = X.toarray()
    y = np.array([0] * 45 + [1] * 15)
    before = _snapshot(X)
    for sampler in SAMPLERS:
        fitted = sampler(random_state=0)
        X_res, _ = fitted.fit_resample(X, y)
        assert type(X_res) is type(X)
        assert X_res.dtype == X.dtype
        assert np.array_equal(X_res.toarray(), values[fitted.sample_indices_])
    # big-endian values are left to scipy; every other case takes the kernel
    assert any(used) == (kernel and case != "big-endian")
    _assert_unchanged(X, before)


def test_pandas_sparse_columns():
    values = _dense()
    frame = pd.DataFrame(
        {
            "f5": pd.arrays.SparseArray(
                np.where(values[:, 0] == 0, 5.0, values[:, 0]), fill_value=5.0
            ),
            "i8": pd.arrays.SparseArray(
                values[:, 1].astype(np.int8), fill_value=np.int8(1)
            ),
            "b": pd.arrays.SparseArray(values[:, 4] > 0, fill_value=True),
            "dense": values[:, 3],
        }
    )
    kept = frame.copy(deep=True)
    for sampler in SAMPLERS:
        fitted = sampler(random_state=0)
        X_res, _ = fitted.fit_resample(frame, Y)
        expected = frame.iloc[fitted.sample_indices_].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(frame, kept)


@pytest.mark.parametrize(
    "layout", ["fortran", "strided", "negative", "transposed", "read-only"]
)
def test_dense_unusual_memory(layout):
    values = _dense()
    if layout == "fortran":
        X = np.asfortranarray(values)
    elif layout == "strided":
        wide = np.zeros((12, 10))
        wide[:, ::2] = values
        X = wide[:, ::2]
    elif layout == "negative":
        X = values[::-1, ::-1].copy()[::-1, ::-1]  # a view, both strides < 0
        assert X.strides[0] < 0 and X.strides[1] < 0
    elif layout == "transposed":
        X = np.ascontiguousarray(values.T).T
    else:
        X = values.copy()
        X.setflags(write=False)
    kept = X.copy()
    for sampler in SAMPLERS:
        fitted = sampler(random_state=0)
        X_res, _ = fitted.fit_resample(X, Y)
        assert np.array_equal(X_res, values[fitted.sample_indices_])
        assert not np.may_share_memory(X_res, X)
    assert np.array_equal(X, kept)
