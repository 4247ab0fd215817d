"""Review 124 (sparse5): scipy.sparse matrices and arrays (CSR, CSC, COO, LIL, DOK,
BSR, DIA) and pandas sparse columns through the samplers (``fit_resample`` with and
without ``shrinkage``), ``ResampledClassifier``, ``ThresholdMover``, ``compare``,
``class_weights`` and the torch ``RebalanceSampler``: output format and container
family kept (COO/LIL/DOK/BSR/DIA as CSR), dtypes kept, index dtypes as scipy's own
row indexing gives them, unsorted indices / duplicate entries / explicit zeros read
as ``.toarray()`` reads them, honest ``has_sorted_indices`` / ``has_canonical_format``
flags, a huge (10**6, 10**6) shape with few entries, zero-column and unsupported
dtypes refused with clear errors, sparse labels refused, and agreement with
imbalanced-learn on the same sparse input. No bug was confirmed: every test pins
current, correct behaviour."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)
from rebalance._indices import added_mask

DENSE = np.array(
    [[0, 1, 0], [2, 0, 0], [0, 0, 3], [4, 5, 0], [0, 0, 0], [6, 0, 7], [1, 1, 1]],
    dtype=np.float64,
)
Y = np.array([0, 0, 0, 0, 0, 1, 1])

FORMATS = [
    sp.csr_matrix,
    sp.csc_matrix,
    sp.coo_matrix,
    sp.lil_matrix,
    sp.dok_matrix,
    sp.bsr_matrix,
    sp.dia_matrix,
    sp.csr_array,
    sp.csc_array,
    sp.coo_array,
    sp.lil_array,
    sp.dok_array,
    sp.bsr_array,
    sp.dia_array,
]
SAMPLERS = [RandomOverSampler, RandomUnderSampler, ClassBalancedSampler]


def _really_sorted(X):
    major = X.shape[0] if X.format == "csr" else X.shape[1]
    return all(
        np.all(np.diff(X.indices[X.indptr[i] : X.indptr[i + 1]]) > 0)
        for i in range(major)
    )


def _check_flags(X):
    if X.has_sorted_indices or X.has_canonical_format:
        assert _really_sorted(X)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("kind", FORMATS)
def test_format_family_and_rows_kept(kind, sampler):
    X = kind(DENSE)
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(X, Y)
    expected_format = "csc" if X.format == "csc" else "csr"
    assert sp.issparse(X_res) and X_res.format == expected_format
    assert isinstance(X_res, sp.sparray) == isinstance(X, sp.sparray)
    assert X_res.dtype == X.dtype
    np.testing.assert_array_equal(X_res.toarray(), DENSE[s.sample_indices_])
    np.testing.assert_array_equal(y_res, Y[s.sample_indices_])
    _check_flags(X_res)


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int64, np.uint64, bool, np.float32]
)
def test_dtype_kept(dtype):
    X = sp.csr_matrix(DENSE.astype(dtype))
    s = RandomOverSampler(random_state=0)
    X_res, _ = s.fit_resample(X, Y)
    assert X_res.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(X_res.toarray(), X.toarray()[s.sample_indices_])


def test_complex_sparse_refused_before_work():
    X = sp.csr_array(DENSE.astype(np.complex128))
    with pytest.raises(ValueError, match="Complex data not supported"):
        RandomOverSampler(random_state=0).fit_resample(X, Y)


def test_float16_data_set_by_hand_refused_with_fix():
    X = sp.csr_matrix(DENSE)
    X.data = X.data.astype(np.float16)
    with pytest.raises(ValueError, match=r"float16.*astype"):
        RandomUnderSampler(random_state=0).fit_resample(X, Y)


def test_zero_columns_refused():
    with pytest.raises(ValueError, match="0 feature"):
        RandomOverSampler(random_state=0).fit_resample(sp.csr_matrix((7, 0)), Y)


def _messy_csr():
    # Row 0: unsorted indices; row 3: duplicate entries (summed by toarray)
    # and an explicit zero.
    data = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    indices = np.array([2, 0, 1, 1, 0])
    indptr = np.array([0, 2, 2, 2, 5, 5, 5, 5])
    return sp.csr_matrix((data, indices, indptr), shape=(7, 3))


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize("shuffle", [True, False])
def test_unsorted_duplicate_explicit_zero_rows(sampler, shuffle):
    X = _messy_csr()
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    s = sampler(random_state=0, shuffle=shuffle)
    X_res, _ = s.fit_resample(X, Y)
    np.testing.assert_array_equal(X_res.toarray(), X.toarray()[s.sample_indices_])
    _check_flags(X_res)
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)


def test_unsorted_duplicates_with_shrinkage_keep_original_rows():
    X = _messy_csr()
    s = RandomOverSampler(random_state=0, shrinkage=1.0, shuffle=False)
    X_res, _ = s.fit_resample(X, Y)
    kept = ~added_mask(s.sample_indices_, False)
    np.testing.assert_array_equal(
        X_res.toarray()[kept], X.toarray()[s.sample_indices_[kept]]
    )
    _check_flags(X_res)


def test_index_dtype_as_scipy_row_indexing():
    X = sp.csr_matrix(DENSE)
    X.indices = X.indices.astype(np.int64)
    X.indptr = X.indptr.astype(np.int64)
    s = RandomOverSampler(random_state=0, sampling_strategy={1: 40})
    X_res, _ = s.fit_resample(X, Y)
    reference = X[s.sample_indices_]
    assert X_res.indices.dtype == reference.indices.dtype
    assert X_res.indptr.dtype == reference.indptr.dtype
    np.testing.assert_array_equal(X_res.toarray(), reference.toarray())


@pytest.mark.parametrize("sampler", [RandomOverSampler, RandomUnderSampler])
def test_huge_shape_few_entries(sampler):
    n = 10**6
    positions = np.arange(8) * 100_000
    X = sp.csr_array((np.arange(1.0, 9.0), (positions, positions)), shape=(n, n))
    y = np.zeros(n, dtype=np.int64)
    y[::10] = 1
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    assert X_res.shape == (len(s.sample_indices_), n)
    assert (X_res != X[s.sample_indices_]).nnz == 0
    np.testing.assert_array_equal(y_res, y[s.sample_indices_])


@pytest.mark.parametrize("kind", [sp.csr_array, sp.csc_matrix, sp.coo_matrix])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int8, bool])
def test_shrinkage_sparse_keeps_format_dtype_and_originals(kind, dtype):
    X = kind(DENSE.astype(dtype))
    before = X.copy()
    s = RandomOverSampler(random_state=0, shrinkage=1.0, shuffle=False)
    X_res, _ = s.fit_resample(X, Y)
    assert X_res.format == ("csc" if X.format == "csc" else "csr")
    assert isinstance(X_res, sp.sparray) == isinstance(X, sp.sparray)
    assert X_res.dtype == np.dtype(dtype)
    idx = s.sample_indices_
    added = added_mask(idx, False)
    dense = X.toarray()
    np.testing.assert_array_equal(X_res.toarray()[~added], dense[idx[~added]])
    # Columns constant within the over-sampled class get no noise.
    constant = np.ptp(dense[Y == 1].astype(float), axis=0) == 0
    np.testing.assert_array_equal(
        X_res.toarray()[added][:, constant], dense[idx[added]][:, constant]
    )
    assert (X != before).nnz == 0


def test_shrinkage_sparse_equals_dense_result():
    rng = np.random.default_rng(1)
    D = rng.normal(size=(40, 3))
    D[D < 0.2] = 0
    y = np.r_[np.zeros(32, int), np.ones(8, int)]
    sparse_res, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(
        sp.csr_matrix(D), y
    )
    dense_res, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(D, y)
    np.testing.assert_allclose(sparse_res.toarray(), dense_res)


def test_shrinkage_noise_scale_matches_imblearn_formula():
    rng = np.random.default_rng(2)
    D = rng.normal(size=(200, 2))
    y = np.r_[np.zeros(190, int), np.ones(10, int)]
    s = RandomOverSampler(random_state=0, shrinkage=2.0, shuffle=False)
    X_res, _ = s.fit_resample(sp.csr_matrix(D), y)
    added = added_mask(s.sample_indices_, False)
    noise = (X_res.toarray() - D[s.sample_indices_])[added]
    h = (4 / ((2 + 2) * 200)) ** (1 / (2 + 4))
    ratio = noise.std(axis=0) / (2.0 * h * D[y == 1].std(axis=0))
    assert np.all((ratio > 0.85) & (ratio < 1.15))


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csc_matrix, sp.coo_array])
@pytest.mark.parametrize(
    ("ours", "theirs"), [(RandomOverSampler, ImbROS), (RandomUnderSampler, ImbRUS)]
)
def test_same_container_as_imblearn(kind, ours, theirs):
    X = kind(DENSE.astype(np.int8))
    a, _ = ours(random_state=0).fit_resample(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b, _ = theirs(random_state=0).fit_resample(X, Y)
    assert a.format == b.format
    assert a.dtype == b.dtype
    assert a.shape == b.shape


def test_sparse_labels_refused_everywhere():
    y = sp.csr_matrix(Y.reshape(-1, 1))
    with pytest.raises(TypeError, match=r"toarray\(\)\.ravel\(\)"):
        class_weights(y)
    with pytest.raises(TypeError, match=r"toarray\(\)\.ravel\(\)"):
        RandomOverSampler().fit_resample(DENSE, y)
    with pytest.raises(TypeError, match="csr_array"):
        class_weights(sp.csr_array(Y))


def test_torch_sampler_sparse_labels():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = np.r_[np.zeros(50, int), np.ones(10, int)]
    with pytest.raises(TypeError, match="toarray"):
        RebalanceSampler(sp.csr_matrix(labels.reshape(-1, 1)))
    with pytest.raises(TypeError, match="to_dense"):
        RebalanceSampler(torch.tensor(labels).to_sparse())
    drawn = list(RebalanceSampler(pd.arrays.SparseArray(labels)))
    assert drawn == list(RebalanceSampler(labels))


def test_pandas_sparse_labels_read_as_dense():
    y = pd.Series(pd.arrays.SparseArray(Y))
    assert class_weights(y) == class_weights(Y)
    assert class_weights(pd.arrays.SparseArray(Y, fill_value=1)) == class_weights(Y)


def _sparse_frame():
    return pd.DataFrame(
        {
            "f": pd.arrays.SparseArray(DENSE[:, 0], fill_value=0.0),
            "i8": pd.arrays.SparseArray(DENSE[:, 1].astype(np.int8), fill_value=0),
            "b": pd.arrays.SparseArray(DENSE[:, 2] > 0),
            "f32": pd.arrays.SparseArray(DENSE[:, 2].astype(np.float32), fill_value=0),
        }
    )


@pytest.mark.parametrize("shrinkage", [None, 1.0])
def test_pandas_sparse_columns_keep_dtypes(shrinkage):
    df = _sparse_frame()
    s = RandomOverSampler(random_state=0, shrinkage=shrinkage, shuffle=False)
    X_res, _ = s.fit_resample(df, Y)
    assert X_res.dtypes.tolist() == df.dtypes.tolist()
    kept = ~added_mask(s.sample_indices_, False)
    dense = df.sparse.to_dense().astype(float).to_numpy()
    np.testing.assert_array_equal(
        X_res.sparse.to_dense().astype(float).to_numpy()[kept],
        dense[s.sample_indices_[kept]],
    )


def test_pandas_sparse_nan_fill_shrinkage_refused():
    df = pd.DataFrame({"a": pd.arrays.SparseArray([np.nan, 1.0, np.nan, 2, 3, 4, 5])})
    with pytest.raises(ValueError, match="NaN"):
        RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(df, Y)


def test_compare_refuses_sparse_with_fix():
    from rebalance.compare import compare

    with pytest.raises(TypeError, match=r"toarray\(\)"):
        compare(sp.coo_array(DENSE), Y)


@pytest.mark.parametrize("kind", [sp.coo_array, sp.lil_matrix, sp.csc_array])
def test_estimators_sparse_equal_dense(kind):
    rng = np.random.default_rng(0)
    D = rng.normal(size=(60, 4))
    D[D < 0.5] = 0
    y = (rng.random(60) < 0.25).astype(int)
    X = kind(D)
    rc_sparse = ResampledClassifier(
        RandomOverSampler(random_state=0), LogisticRegression()
    )
    rc_dense = ResampledClassifier(
        RandomOverSampler(random_state=0), LogisticRegression()
    )
    np.testing.assert_allclose(
        rc_sparse.fit(X, y).predict_proba(X),
        rc_dense.fit(D, y).predict_proba(D),
        rtol=1e-6,
        atol=1e-8,
    )
    tm = ThresholdMover(LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(
        tm.predict(X), ThresholdMover(LogisticRegression()).fit(D, y).predict(D)
    )
