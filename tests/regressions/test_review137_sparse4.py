"""Review 137, area ``sparse4``: sparse X through the samplers, as
scikit-learn users pass it.

Reviewed: scipy CSR/CSC/COO/LIL/DOK/BSR/DIA matrices and the sparse arrays
(``csr_array``, ``coo_array``, ...) with int32 and int64 indices, unsorted
indices, duplicates, explicit zeros and empty rows, through
``RandomUnderSampler``, ``RandomOverSampler`` (with and without
``shrinkage``), ``ClassBalancedSampler`` and ``LabelShuffleSampler``
(rows compared with ``X[sample_indices_]``, container and dtypes with
imbalanced-learn's on the same input, the input's ``data``/``indices``/
``indptr`` with copies taken before); a ``ColumnTransformer`` of
``OneHotEncoder(sparse_output=True)`` before our sampler in an imblearn
``Pipeline``; ``ThresholdMover`` on the sparse output; malformed matrices
(arrays edited after construction); a (10**5, 10**5) matrix with 2000
entries (memory stays small: peak under 200 MB with tracemalloc). Earlier
reviews (76, 98, 124) already pin most formats, dtypes, pandas sparse
columns, TfidfVectorizer pipelines, ``compare`` and the torch samplers; those
were not repeated.

Found:

* a COO matrix (``coo_matrix`` or ``coo_array``) whose ``row`` holds an
  index outside the shape crashes the process (segfault) in ``fit_resample``:
  it is converted with ``tocsr()`` before ``check_compressed`` runs, and
  scipy's conversion writes out of bounds; a negative row index is accepted
  silently (memory written out of bounds, no error). Run in a subprocess.

No bug elsewhere: malformed CSR/CSC/BSR/LIL are refused with a ValueError;
sparse arrays keep their type and int64 indices; unsorted, int64-indexed
input is left as it was; memory stays proportional to the entries.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.pipeline import make_pipeline
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
)

Y = np.array([0] * 6 + [1] * 2)
DENSE = np.zeros((8, 4))
DENSE[np.arange(8), np.arange(8) % 4] = np.arange(1.0, 9.0)

_MALFORMED_COO = textwrap.dedent(
    """
    import numpy as np, scipy.sparse as sp
    from rebalance import RandomOverSampler
    y = np.array([0] * 6 + [1] * 2)
    D = np.zeros((8, 4)); D[np.arange(8), np.arange(8) % 4] = np.arange(1.0, 9.0)

    def coo_row(value, cls=sp.coo_matrix):
        X = cls(D)
        row = X.coords[0].copy() if hasattr(X, "coords") else X.row.copy()
        row[0] = value
        if hasattr(X, "coords"):
            X.coords = (row, X.coords[1])
        else:
            X.row = row
        return X

    for name, X in [
        ("row_too_large", coo_row(10**6)),
        ("row_negative", coo_row(-5)),
        ("coo_array_row_too_large", coo_row(10**6, sp.coo_array)),
    ]:
        try:
            RandomOverSampler(random_state=0).fit_resample(X, y)
        except ValueError as exc:
            print(name, "ValueError", "X" in str(exc))
        else:
            print(name, "accepted")
    """
)


def test_malformed_coo_refused_not_crash():
    done = subprocess.run(
        [sys.executable, "-c", _MALFORMED_COO],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == [
        "row_too_large",
        "ValueError",
        "True",
        "row_negative",
        "ValueError",
        "True",
        "coo_array_row_too_large",
        "ValueError",
        "True",
    ]


def _bad_compressed(kind):
    if kind == "csc_row":
        X = sp.csc_array(DENSE)
        X.indices = X.indices.copy()
        X.indices[0] = 50
    elif kind == "bsr_column":
        X = sp.bsr_matrix(DENSE, blocksize=(2, 2))
        X.indices = X.indices.copy()
        X.indices[0] = 50
    elif kind == "lil_column":
        X = sp.lil_matrix(DENSE)
        X.rows[0] = [100]
        X.data[0] = [1.0]
    else:  # csr indptr decreasing
        X = sp.csr_array(DENSE)
        X.indptr = X.indptr.copy()
        X.indptr[3] = 0
    return X


@pytest.mark.parametrize("kind", ["csc_row", "bsr_column", "lil_column", "indptr"])
def test_malformed_compressed_refused(kind):
    with pytest.raises(ValueError, match="malformed"):
        RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(
            _bad_compressed(kind), Y
        )


def _unsorted_int64(cls):
    X = cls(np.where(np.arange(40).reshape(8, 5) % 3 == 0, 0.0, 1.5))
    for i in range(X.indptr.shape[0] - 1):
        a, b = X.indptr[i], X.indptr[i + 1]
        X.indices[a:b] = X.indices[a:b][::-1].copy()
        X.data[a:b] = np.arange(b - a, dtype=float)
    X.indices = X.indices.astype(np.int64)
    X.indptr = X.indptr.astype(np.int64)
    X.has_sorted_indices = False
    return X


@pytest.mark.parametrize("cls", [sp.csr_array, sp.csc_array])
@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler, LabelShuffleSampler],
)
def test_sparse_arrays_int64_unsorted_kept_and_untouched(cls, sampler):
    X = _unsorted_int64(cls)
    before = [a.copy() for a in (X.data, X.indices, X.indptr)]
    s = sampler(random_state=0)
    X_res, _ = s.fit_resample(X, Y)
    assert type(X_res) is cls and X_res.indices.dtype == np.int64
    assert abs(X_res - X[s.sample_indices_]).max() == 0
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)
    assert not X.has_sorted_indices


def test_one_hot_column_transformer_pipeline_with_shrinkage():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.choice(list("xyz"), 60), "b": rng.choice(list("pq"), 60)}
    )
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    encode = ColumnTransformer(
        [("oh", OneHotEncoder(sparse_output=True), ["a", "b"])], sparse_threshold=1.0
    )
    X = encode.fit_transform(frame)
    sampler = RandomOverSampler(random_state=0, shrinkage=0.5)
    X_res, _ = sampler.fit_resample(X, y)
    assert sp.issparse(X_res) and X_res.format == "csr" and X_res.dtype == X.dtype
    changed = np.unique((X_res != X[sampler.sample_indices_]).nonzero()[0])
    assert 0 < changed.size <= X_res.shape[0] - X.shape[0]  # only added rows noisy
    pipe = make_pipeline(
        encode, RandomOverSampler(random_state=0, shrinkage=0.5), LogisticRegression()
    )
    assert pipe.fit(frame, y).predict(frame).shape == (60,)
    mover = ThresholdMover(LogisticRegression()).fit(X, y)
    assert set(mover.predict(X)) <= {0, 1}
