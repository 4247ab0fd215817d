"""Stop 57: malformed COO and BSR matrices are refused before scipy's CSR
conversion, which writes (COO: at each row index, unchecked) or reads (BSR)
out of bounds: review 137 sparse4 found a segfault in memory (its test runs
in a subprocess); the Dask path converted its blocks the same way."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from rebalance import RandomUnderSampler
from rebalance._frames import check_compressed

_Y = np.array([0, 1, 1, 1] * 10)


def _coo(change):
    X = sp.coo_matrix(np.eye(40)[:, :5])
    change(X)
    return X


@pytest.mark.parametrize(
    "change",
    [
        lambda X: X.row.__setitem__(0, -1),
        lambda X: X.col.__setitem__(0, 7),
        lambda X: setattr(X, "row", X.row[:-1]),
    ],
    ids=["negative row", "column too large", "short rows"],
)
def test_malformed_coo_is_refused_before_the_csr_copy(change):
    X = _coo(change)
    with pytest.raises(ValueError, match="malformed COO"):
        check_compressed(X)


def test_malformed_bsr_blocks_are_refused():
    X = sp.bsr_matrix(np.eye(40)[:, :4], blocksize=(2, 2))
    X.indptr = X.indptr.copy()
    X.indptr[-1] = X.indptr[-1] + 50
    with pytest.raises(ValueError, match="malformed BSR"):
        RandomUnderSampler(random_state=0).fit_resample(X, _Y)


_SCRIPT = """
import numpy as np, scipy.sparse as sp
from rebalance import RandomUnderSampler
X = sp.coo_matrix(np.eye(40)[:, :5])
X.row[0] = 10**7
try:
    RandomUnderSampler(random_state=0).fit_resample(X, np.array([0, 1, 1, 1] * 10))
except ValueError as exc:
    print("ValueError", "malformed COO" in str(exc))
"""


def test_coo_row_out_of_range_is_a_value_error_not_a_crash():
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["ValueError", "True"]


def test_dask_array_of_malformed_coo_chunks_is_refused():
    da = pytest.importorskip("dask.array")

    def malformed(block):
        matrix = sp.coo_matrix(block)
        matrix.row = matrix.row + 1000
        return matrix

    X = da.from_array(np.eye(40)[:, :5], chunks=(10, 5)).map_blocks(malformed)
    X_res, _ = RandomUnderSampler(random_state=0).fit_resample(X, _Y)
    with pytest.raises(ValueError, match="malformed COO"):
        X_res.compute()
