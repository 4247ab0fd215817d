"""Review 98 sparse: scipy sparse X and y through the samplers and wrappers.

Pins the formats and dtypes kept (as imbalanced-learn keeps them), the rows
returned (``X[sample_indices_]``), non-canonical CSR input left untouched, the
smoothed bootstrap on sparse X, text pipelines, and the torch side.
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.pipeline import make_pipeline as imb_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnder
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _dense(n=30, seed=0):
    rng = np.random.default_rng(seed)
    D = rng.random((n, 5))
    D[D < 0.6] = 0
    return D


def _same_structure(a, b):
    return (
        type(a) is type(b)
        and a.format == b.format
        and a.dtype == b.dtype
        and a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def _noncanonical(cls, index_dtype):
    # Unsorted columns (row 0), a duplicate (row 1), an explicit zero (row 3),
    # empty rows (2 and 5).
    indptr = np.array([0, 3, 5, 5, 7, 8, 8, 10, 11], dtype=index_dtype)
    indices = np.array([2, 0, 3, 1, 1, 3, 0, 2, 0, 2, 3], dtype=index_dtype)
    data = np.array([1.0, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10])
    return cls((data, indices, indptr), shape=(8, 4))


@pytest.mark.parametrize(
    "fmt", ["csr_matrix", "csc_matrix", "coo_matrix", "lil_matrix", "dok_matrix",
            "bsr_matrix", "csr_array", "csc_array", "coo_array"],
)  # fmt: skip
def test_formats_and_dtypes_kept_as_imblearn(fmt):
    D = _dense()
    y = np.array([0] * 22 + [1] * 8)
    for dtype in (np.float32, np.int64, bool):
        X = getattr(sp, fmt)(D.astype(dtype))
        for ours, theirs in (
            (RandomUnderSampler, ImbUnder),
            (RandomOverSampler, ImbOver),
        ):
            sampler = ours(random_state=0)
            X_res, y_res = sampler.fit_resample(X, y)
            X_imb, _ = theirs(random_state=0).fit_resample(X, y)
            assert (type(X_res), X_res.format, X_res.dtype) == (
                type(X_imb),
                X_imb.format,
                X_imb.dtype,
            )
            expected = X.tocsr()[sampler.sample_indices_]
            assert (X_res != expected).nnz == 0
            np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("cls", [sp.csr_matrix, sp.csr_array])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_noncanonical_csr_rows_weights_and_input_untouched(cls, index_dtype):
    y = np.array([0] * 6 + [1] * 2)
    weights = np.arange(8.0)
    for S in SAMPLERS:
        X = _noncanonical(cls, index_dtype)
        before = copy.deepcopy(X)
        flags = (X.has_sorted_indices, X.has_canonical_format)
        sampler = S(random_state=0)
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
        # Duplicates, explicit zeros and column order as scipy's own indexing.
        assert _same_structure(X_res, before[sampler.sample_indices_])
        assert X_res.indices.dtype == before[sampler.sample_indices_].indices.dtype
        np.testing.assert_array_equal(w_res, weights[sampler.sample_indices_])
        assert _same_structure(X, before)
        assert (X.has_sorted_indices, X.has_canonical_format) == flags == (False, False)


def test_large_csr_compiled_gather_equals_scipy():
    # Large enough for rebalance._gather.take_csr's compiled path.
    rng = np.random.default_rng(0)
    n = 60_000
    y = (rng.random(n) < 0.2).astype(int)
    base = sp.random(n, 50, density=0.2, format="csr", random_state=0)
    dup = base.copy()
    dup.indices[::7] = 0  # duplicates and unsorted columns
    dup.has_sorted_indices = False
    wide = sp.csr_array(
        (base.data, base.indices.astype(np.int64), base.indptr.astype(np.int64)),
        shape=base.shape,
    )
    for X in (dup, base.astype(np.int8), base.astype(bool), wide):
        before = copy.deepcopy(X)
        for S in (RandomOverSampler, LabelShuffleSampler):
            sampler = S(random_state=0)
            X_res, _ = sampler.fit_resample(X, y)
            assert _same_structure(X_res, before[sampler.sample_indices_])
        assert _same_structure(X, before)


@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_array", "coo_matrix"])
def test_sparse_smoothed_bootstrap_equals_dense(fmt):
    D = _dense(40)
    y = np.array([0] * 30 + [1] * 10)
    X = getattr(sp, fmt)(D)
    before = copy.deepcopy(X)
    sampler = RandomOverSampler(shrinkage=0.5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_dense, _ = RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(D, y)
    X_imb, _ = ImbOver(shrinkage=0.5, random_state=0).fit_resample(X, y)
    assert (type(X_res), X_res.format, X_res.dtype) == (
        type(X_imb),
        X_imb.format,
        X_imb.dtype,
    )
    np.testing.assert_allclose(X_res.toarray(), X_dense)
    # Every original row comes back once, unchanged.
    exact = (X_res.toarray() == D[sampler.sample_indices_]).all(axis=1)
    np.testing.assert_array_equal(
        np.sort(sampler.sample_indices_[exact]), np.arange(40)
    )
    assert (X != before).nnz == 0


def test_noncanonical_smoothed_bootstrap_equals_dense():
    y = np.array([0] * 6 + [1] * 2)
    X = _noncanonical(sp.csr_matrix, np.int32)
    D = X.toarray()
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    X_dense, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(D, y)
    np.testing.assert_allclose(X_res.toarray(), X_dense)
    assert not X.has_canonical_format


TEXTS = ["a great film", "loved it", "dull plot", "awful acting", "a bad one"] * 6
TEXT_Y = np.array([1, 1, 0, 0, 0] * 6)


@pytest.mark.parametrize("S", SAMPLERS)
def test_tfidf_pipelines(S):
    kw = {"shrinkage": 0.3} if S is RandomOverSampler else {}
    new = ["loved the film", "awful plot"]
    imb = imb_pipeline(TfidfVectorizer(), S(random_state=0, **kw), LogisticRegression())
    assert imb.fit(TEXTS, TEXT_Y).predict(new).tolist() == [1, 0]
    wrapped = make_pipeline(
        TfidfVectorizer(),
        ResampledClassifier(S(random_state=0, **kw), LogisticRegression()),
    )
    assert wrapped.fit(TEXTS, TEXT_Y).predict(new).tolist() == [1, 0]


@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_matrix", "coo_array", "dok_matrix"])
def test_wrappers_take_any_sparse_format(fmt):
    X = getattr(sp, fmt)(TfidfVectorizer().fit_transform(TEXTS))
    for model in (
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
        ThresholdMover(LogisticRegression()),
    ):
        model.fit(X, TEXT_Y, sample_weight=np.ones(len(TEXT_Y)))
        assert model.score(X, TEXT_Y) == 1.0


def test_compare_refuses_sparse_naming_toarray():
    from rebalance.compare import compare

    X = sp.csr_matrix(_dense(40))
    y = np.arange(40) % 4 == 0
    with pytest.raises(TypeError, match=r"sparse.*X\.toarray\(\)"):
        compare(X, y.astype(int))


def test_sparse_sample_weight_refused_naming_fix():
    X = sp.csr_matrix(_dense(8))
    y = np.array([0] * 6 + [1] * 2)
    with pytest.raises(TypeError, match=r"sample_weight.*toarray\(\)\.ravel\(\)"):
        RandomUnderSampler().fit_resample(
            X, y, sample_weight=sp.csr_matrix(np.ones((1, 8)))
        )


def test_torch_loader_gathers_sparse_coo_rows():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler, TensorBatchLoader

    y = torch.tensor([0] * 12 + [1] * 4)
    X = torch.stack([torch.arange(16.0) + 1, y.float()], dim=1).to_sparse()
    loader = TensorBatchLoader(X, y, sampler=RebalanceSampler(y, seed=0), batch_size=4)
    seen = 0
    for xb, yb in loader:
        assert xb.layout == torch.sparse_coo
        dense = xb.to_dense()
        assert torch.equal(dense[:, 1].long(), yb)
        assert torch.equal(y[dense[:, 0].long() - 1], yb)
        seen += len(yb)
    assert seen == 24


def test_torch_sparse_tensor_labels_refused_naming_to_dense():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    with pytest.raises(TypeError, match=r"to_dense\(\)"):
        RebalanceSampler(torch.tensor([0, 1, 0, 0]).to_sparse(), seed=0)


def test_sparse_one_hot_y_resampled_or_refused_naming_toarray():
    # A dense one-hot y is resampled; imbalanced-learn 0.14 also takes a
    # sparse csr_array one-hot y. rebalance says "pass the labels as a dense
    # 1-D array" (a 2-D dense one-hot is accepted) without naming y.toarray().
    y = np.array([0, 1, 2] * 5 + [0] * 10)
    X = np.arange(50.0).reshape(-1, 2)
    Y = np.eye(3, dtype=int)[y]
    sampler = RandomUnderSampler(random_state=0)
    try:
        _, Y_res = sampler.fit_resample(X, sp.csr_array(Y))
    except (TypeError, ValueError) as exc:
        assert "toarray()" in str(exc)
    else:
        Y_res = Y_res.toarray() if sp.issparse(Y_res) else np.asarray(Y_res)
        np.testing.assert_array_equal(Y_res, Y[sampler.sample_indices_])


def test_torch_scipy_sparse_labels_error_names_shape_and_fix():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = np.array([0] * 12 + [1] * 4)
    labels = sp.csr_matrix(np.eye(2)[y])  # a dense one-hot (16, 2) is accepted
    with pytest.raises((TypeError, ValueError)) as info:
        RebalanceSampler(labels, seed=0)
    message = str(info.value)
    assert "shape ()" not in message
    assert "toarray()" in message
