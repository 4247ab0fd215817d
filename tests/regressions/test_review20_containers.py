"""Review 20: data containers in and out of the samplers (numpy, pandas,
polars, scipy.sparse, Dask), the threaded gathers and the compiled CSR kernels.

Each test fails on the reviewed code because of a bug."""

import inspect
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

from rebalance import RandomOverSampler, RandomUnderSampler, _gather, _indices


@pytest.fixture
def threaded(monkeypatch):
    """Every gather, however small, goes through rebalance._gather, in 3
    threads."""
    monkeypatch.setattr(_gather, "GATHER_ABOVE", 0)
    monkeypatch.setattr(_gather, "LABEL_TABLE_RATIO", 0)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "n_threads", lambda: 3)


Y40 = np.array([0] * 30 + [1] * 10)


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csr_array])
def test_csr_of_strided_arrays_is_gathered_by_the_compiled_kernel(threaded, kind):
    # sp.csr_matrix((values[::2], indices, indptr)) keeps the strided view;
    # csr_copy_rows prefetched it at an int32 index, which numba cannot lower
    # for a strided array: "ValueError: Operands must be the same type, got
    # (i64, i32)" from llvmlite, for a valid matrix above GATHER_ABOVE.
    values = np.arange(1.0, 161.0)[::2]
    indices = np.tile(np.array([0, 2], dtype=np.int32), 40)
    indptr = np.arange(0, 81, 2, dtype=np.int32)
    X = kind((values, indices, indptr), shape=(40, 3))
    assert not X.data.flags.c_contiguous
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
    ):
        X_res, y_res = sampler.fit_resample(X, Y40)
        rows = sampler.sample_indices_
        assert type(X_res) is kind
        np.testing.assert_array_equal(X_res.toarray(), X.toarray()[rows])
        np.testing.assert_array_equal(y_res, Y40[rows])


def _malformed(case):
    X = sp.random(40, 5, density=0.5, format="csr", random_state=1)
    indptr, indices = X.indptr.copy(), X.indices.copy()
    if case == "indptr decreasing":
        indptr[5], indptr[6] = indptr[6], indptr[5] + 100
    elif case == "indptr past the entries":
        indptr[-1] += 50
    elif case == "indptr from -3":
        indptr[0] = -3
    elif case == "column index past the shape":
        indices[3] = 99
    elif case == "negative column index":
        indices[3] = -1
    elif case == "data shorter":
        X.data = X.data[:-5]
    elif case == "indptr too long":
        indptr = np.concatenate([indptr, indptr[-1:]])
    X.indptr, X.indices = indptr, indices
    return X


MALFORMED = [
    "indptr decreasing",
    "indptr past the entries",
    "indptr from -3",
    "column index past the shape",
    "negative column index",
    "data shorter",
    "indptr too long",
]


def test_malformed_csr_is_a_value_error_not_a_crash():
    # scipy checks a CSR's arrays only in check_format(); its row gather (and
    # toarray, which the smoothed bootstrap calls on the gathered rows) read
    # and write out of bounds: segfaults, "munmap_chunk(): invalid pointer",
    # or other rows' entries returned silently. Run in a child process: the
    # reviewed code kills it.
    script = inspect.getsource(_malformed) + textwrap.dedent(
        f"""
        from rebalance import RandomOverSampler, RandomUnderSampler, _gather
        Y40 = np.array([0] * 30 + [1] * 10)
        for large in (False, True):
            _gather.GATHER_ABOVE = 0 if large else 1 << 22
            for case in {MALFORMED!r}:
                for sampler in (
                    RandomUnderSampler(random_state=0),
                    RandomOverSampler(random_state=0),
                    RandomOverSampler(random_state=0, shrinkage=1.0),
                ):
                    try:
                        X_res, _ = sampler.fit_resample(_malformed(case), Y40)
                        X_res.toarray()
                    except ValueError as exc:
                        print("ValueError:", exc, flush=True)
                    else:
                        print("no error", flush=True)
        """
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import numpy as np\nimport scipy.sparse as sp\n" + script,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-1000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 2 * len(MALFORMED) * 3, done.stdout
    for at, line in enumerate(lines):
        if at % 3 < 2:  # the plain gathers: rebalance's own message
            assert line.startswith("ValueError: X is a malformed CSR csr_matrix"), line
        else:  # the smoothed bootstrap: scipy's checks may come first
            assert line.startswith("ValueError:"), line


def test_malformed_csc_is_refused_too():
    X = sp.random(6, 40, density=0.5, format="csc", random_state=1)
    X.indices = X.indices.copy()
    X.indices[0] = 6
    with pytest.raises(ValueError, match="malformed CSC csc_matrix: its row indices"):
        RandomUnderSampler(random_state=0).fit_resample(X, np.arange(6) % 2)
    from rebalance._frames import check_compressed

    check_compressed(sp.random(6, 4, density=0.5, format="csc", random_state=1))


@pytest.mark.parametrize(
    "kind", ["numpy object", "pandas object", "pandas string", "pandas str"]
)
def test_resampled_classifier_nan_check_reads_object_and_string_numbers(kind):
    # scikit-learn reads a column of Python numbers (object dtype) or of
    # numeric strings as floats, and refuses its NaN / None / NA. The check
    # before resampling (compose._check_finite_for) skipped such columns: the
    # fit succeeded or failed with the draw (the NaN row left out or not).
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import LogisticRegression

    from rebalance import ResampledClassifier

    if kind == "pandas str" and int(pd.__version__.split(".")[0]) < 3:
        pytest.skip("pandas < 3: the 'str' dtype is numpy's, None becomes 'None'")
    values = [None] + [float(k) for k in range(1, 40)]
    X = {
        "numpy object": np.array(values, dtype=object)[:, None],
        "pandas object": pd.DataFrame({"a": np.array(values, dtype=object)}),
        "pandas string": pd.DataFrame(
            {"a": pd.array([None if v is None else str(v) for v in values], "string")}
        ),
        "pandas str": pd.DataFrame(
            {"a": pd.array([None if v is None else str(v) for v in values], "str")}
        ),
    }[kind]
    outcomes = []
    for seed in range(6):
        model = ResampledClassifier(
            RandomUnderSampler(random_state=seed), LogisticRegression()
        )
        try:
            model.fit(X, Y40)
            outcomes.append("fit")
        except (TypeError, ValueError) as exc:
            outcomes.append("NaN" if "NaN" in str(exc) else type(exc).__name__)
    assert outcomes == ["NaN"] * 6
