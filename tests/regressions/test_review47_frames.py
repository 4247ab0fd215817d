"""Review 47, containers, validation and labels: the branches no test ran.

A branch-coverage run of the whole suite left lines of ``rebalance/_frames.py``,
``rebalance/_validation.py`` and ``rebalance/_labels.py`` unexecuted. Each
test here drives one of them through the public API, with an independent
oracle where there is one: scikit-learn's ``check_array`` error for an empty
X, the same draw for equal parameters given as another number type, the rows
picked by ``sample_indices_`` read back in plain Python, the fit on the dense
labels for a sparse column vector.
"""

import re
import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_array
from sklearn.utils._param_validation import InvalidParameterError

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)
from rebalance.datasets import thin_class

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

SAMPLERS = [
    RandomOverSampler,
    RandomUnderSampler,
    LabelShuffleSampler,
    ClassBalancedSampler,
]

X12 = np.arange(24, dtype=float).reshape(12, 2)
Y12 = np.array([0] * 9 + [1] * 3)


# --- _validation.check_features: X None, X without rows -------------------


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_none_X_is_refused_naming_X(sampler):
    with pytest.raises(ValueError, match=r"^X is None: pass the feature matrix"):
        sampler().fit_resample(None, Y12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.empty((0, 2)),
        lambda: pd.DataFrame({"a": [], "b": []}, dtype=float),
        lambda: pl.DataFrame(schema={"a": pl.Float64, "b": pl.Float64}),
        lambda: pa.table({"a": pa.array([], pa.float64())}),
        lambda: sp.csr_matrix((0, 2)),
        lambda: sp.coo_array((0, 2)),
    ],
    ids=["numpy", "pandas", "polars", "pyarrow", "csr", "coo"],
)
def test_X_without_rows_is_refused_as_check_array_refuses_it(make):
    # y has rows, X none: X's own error, in scikit-learn's words, before the
    # check that X and y have the same length.
    with pytest.raises(ValueError) as peer:
        check_array(make(), accept_sparse=True)
    expected = str(peer.value).rstrip(".")
    with pytest.raises(ValueError, match=re.escape(expected) + ": X is empty"):
        RandomUnderSampler().fit_resample(make(), [0, 0, 1])


# --- _labels._target_array: y None, y of three dimensions -----------------


def test_none_labels_are_refused_by_the_functions_taking_them():
    message = r"^y is None: the class labels are needed"
    with pytest.raises(ValueError, match=message):
        class_weights(None)
    with pytest.raises(ValueError, match=message):
        thin_class(X12, None, 0.5, random_state=0)


@pytest.mark.parametrize("as_list", [False, True])
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_three_dimensional_labels_are_refused(sampler, as_list):
    y = Y12.reshape(12, 1, 1)
    with pytest.raises(ValueError, match=r"y must be 1-D .*shape \(12, 1, 1\)"):
        sampler().fit_resample(X12, y.tolist() if as_list else y)


# --- _validation.NumberInterval: Fractions ---------------------------------


def _indices(sampler, **params):
    fitted = sampler(random_state=0, **params)
    fitted.fit_resample(X12, Y12)
    return fitted.sample_indices_


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_fraction_parameters_draw_as_their_float(sampler):
    np.testing.assert_array_equal(
        _indices(sampler, sampling_strategy=Fraction(1, 2)),
        _indices(sampler, sampling_strategy=0.5),
    )


def test_fraction_power_and_shrinkage_draw_as_their_float():
    np.testing.assert_array_equal(
        _indices(ClassBalancedSampler, power=Fraction(1, 2)),
        _indices(ClassBalancedSampler, power=0.5),
    )
    by_fraction = RandomOverSampler(shrinkage=Fraction(1, 2), random_state=0)
    by_float = RandomOverSampler(shrinkage=0.5, random_state=0)
    np.testing.assert_array_equal(
        by_fraction.fit_resample(X12, Y12)[0], by_float.fit_resample(X12, Y12)[0]
    )
    assert by_fraction.shrinkage_ == by_float.shrinkage_ == {1: 0.5}


@pytest.mark.parametrize("n_samples", [Fraction(10), Fraction(10, 3)])
def test_fraction_n_samples_is_no_integer(n_samples):
    # As scikit-learn's Interval(Integral): a Fraction is no Integral, even
    # a whole one.
    with pytest.raises(InvalidParameterError, match="'n_samples' parameter"):
        ClassBalancedSampler(n_samples=n_samples).fit_resample(X12, Y12)


# --- _validation.check_random_state (thin_class) ---------------------------


@pytest.mark.parametrize("seed", ["0", 1.5, True, object()])
def test_thin_class_refuses_a_random_state_that_is_no_seed(seed):
    with pytest.raises(TypeError, match=r"^random_state must be None, an int"):
        thin_class(X12, Y12 % 2, 0.5, random_state=seed)


def test_thin_class_random_state_as_scikit_learn_reads_it():
    y = np.array([0] * 6 + [1] * 6)
    with pytest.raises(ValueError, match="random_state must be a non-negative int"):
        thin_class(X12, y, 0.5, random_state=-1)

    def kept(seed):
        return thin_class(X12, y, 0.5, random_state=seed)[0][:, 0].tolist()

    # A RandomState is a seed source: the same object twice gives two draws
    # (as scikit-learn estimators sharing one), a fresh one the same draws.
    shared = np.random.RandomState(0)
    first, second = kept(shared), kept(shared)
    fresh = np.random.RandomState(0)
    assert [kept(fresh), kept(fresh)] == [first, second]
    assert kept(np.int64(3)) == kept(3)


# --- _frames.check_compressed: every kind of malformed CSR / CSC ----------


def _two_dimensional_indices(matrix):
    matrix.indices = matrix.indices.reshape(1, -1)


def _float_indices(matrix):
    matrix.indices = matrix.indices.astype(float)


def _short_indptr(matrix):
    matrix.indptr = matrix.indptr[:-1]


def _short_data(matrix):
    matrix.data = matrix.data[:-1]


def _decreasing_indptr(matrix):
    indptr = matrix.indptr.copy()
    indptr[2], indptr[3] = indptr[3], indptr[2]
    matrix.indptr = indptr


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_two_dimensional_indices, r"its data, indices and indptr arrays must be 1-D"),
        (_float_indices, r"its indices \(float64\) and indptr \(int\d+\) must hold"),
        (_short_indptr, r"its indptr has \d entries, not one per (row|column) plus"),
        (_short_data, r"its indices \(18\) and data \(17\) differ in length"),
        (_decreasing_indptr, r"its indptr decreases at (row|column) 2"),
    ],
)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("make", [sp.csr_matrix, sp.csr_array])
def test_malformed_compressed_X_is_refused_before_any_read(make, fmt, mutate, problem):
    X = make(np.arange(1, 19, dtype=float).reshape(6, 3)).asformat(fmt)
    mutate(X)
    y = np.array([0, 0, 0, 0, 1, 1])
    kind = f"{fmt.upper()} {type(X).__name__}"
    with pytest.raises(ValueError, match=f"X is a malformed {kind}: {problem}"):
        RandomOverSampler(random_state=0).fit_resample(X, y)
    if mutate is _decreasing_indptr:
        # The same check where rows are only taken (no sampler validation).
        with pytest.raises(ValueError, match=problem):
            thin_class(X, y, 0.5, random_state=0)


# --- _frames._without_views: maps and fixed-size lists of view types -------


def _view_tables():
    # fixed_size_list<string_view>[2] is what polars' newest Arrow export
    # (to_arrow(compat_level=pl.CompatLevel.newest())) gives for an
    # Array(String, 2) column.
    n = 12
    pairs = pa.array(
        [[f"t{i}", "u"] for i in range(n)], type=pa.list_(pa.string_view(), 2)
    )
    mapping = pa.map_(pa.string_view(), pa.string_view())
    entries = pa.array([[(f"k{i}", f"v{i}")] for i in range(n)], type=mapping)
    x = np.arange(n, dtype=float)
    return pa.table({"x": x, "pair": pairs}), pa.table({"x": x, "m": entries})


@pytest.mark.skipif(
    not hasattr(pa, "string_view"), reason="pyarrow < 16 has no view types"
)
@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_maps_and_fixed_size_lists_of_views_keep_their_rows(sampler, batch):
    for table in _view_tables():
        X = table.to_batches()[0] if batch else table
        fitted = sampler(random_state=0)
        X_res, _ = fitted.fit_resample(X, Y12)
        assert type(X_res) is type(X)
        assert X_res.schema == X.schema
        for name in X.column_names:
            rows = X.column(name).to_pylist()
            assert X_res.column(name).to_pylist() == [
                rows[i] for i in fitted.sample_indices_
            ]


# --- _frames.series_values: a column numpy cannot read ---------------------


def _union():
    return pa.UnionArray.from_sparse(
        pa.array([0] * 12, pa.int8()),
        [pa.array(Y12), pa.array([str(v) for v in Y12])],
    )


def test_union_labels_are_refused_naming_y():
    with pytest.raises(TypeError, match=r"^y has dtype .*cannot be read as a numpy"):
        RandomUnderSampler().fit_resample(X12, _union())


def test_union_weights_are_refused_naming_sample_weight():
    with pytest.raises(
        TypeError, match=r"^sample_weight has dtype .*cannot be read as a numpy"
    ):
        RandomUnderSampler().fit_resample(X12, Y12, sample_weight=_union())


# --- _frames.is_dask: a process that never imported dask ------------------


def test_resampling_every_container_never_imports_dask():
    code = """
import sys
import numpy as np, pandas as pd, polars as pl, pyarrow as pa
from rebalance import RandomOverSampler
X = np.arange(24.0).reshape(12, 2)
y = [0] * 9 + [1] * 3
def arrow(a):
    return pa.table({"a": a[:, 0]})
for make in (np.asarray, pd.DataFrame, pl.DataFrame, arrow):
    out, y_out = RandomOverSampler(random_state=0).fit_resample(make(X), pl.Series(y))
    assert len(out) == 18 and y_out.to_list().count(1) == 9
assert "dask" not in sys.modules, sorted(m for m in sys.modules if "dask" in m)
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# --- _labels.single_output_target: a sparse column vector -----------------


@pytest.mark.parametrize("make", [sp.csr_matrix, sp.csc_array, sp.coo_matrix])
@pytest.mark.parametrize("meta", ["resampled", "threshold"])
def test_sparse_column_vector_y_fits_meta_estimators_as_its_dense_labels(make, meta):
    rng = np.random.default_rng(0)
    y = (rng.random(120) < 0.2).astype(int)
    X = rng.normal(size=(120, 3)) + y[:, None]

    def build():
        if meta == "threshold":
            return ThresholdMover(LogisticRegression())
        return ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sparse_fit = build().fit(X, make(y[:, None]))
    assert DataConversionWarning in [w.category for w in caught]
    dense_fit = build().fit(X, y)
    np.testing.assert_array_equal(sparse_fit.classes_, [0, 1])
    np.testing.assert_array_equal(
        sparse_fit.predict_proba(X), dense_fit.predict_proba(X)
    )
    # A sampler refuses sparse labels outright (as scikit-learn's check_X_y).
    with pytest.raises(
        TypeError, match=r"y is a scipy sparse .*toarray\(\)\.ravel\(\)"
    ):
        RandomUnderSampler().fit_resample(X, make(y[:, None]))


# --- _validation.check_sample_weight: the same weights in every library ----
# Bugs: polars and pyarrow decimal weights were refused ("must hold numbers;
# got dtype object") where the same pandas Arrow-backed column was read (and
# scikit-learn reads them all); a polars or pyarrow boolean or decimal weight
# column with a null was refused for its dtype, not for the missing value as
# its pandas twin (review 18) is.


def _decimal_weights(library, values):
    from decimal import Decimal

    values = [None if v is None else Decimal(str(v)) for v in values]
    if library == "pandas":
        return pd.Series(values, dtype=pd.ArrowDtype(pa.decimal128(6, 2)))
    if library == "polars":
        return pl.from_arrow(pa.array(values, pa.decimal128(6, 2)))
    if library == "pyarrow256":
        return pa.array(values, pa.decimal256(50, 2))
    return pa.chunked_array([pa.array(values, pa.decimal128(6, 2))])


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow", "pyarrow256"])
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_decimal_weights_are_read_in_every_library(sampler, library):
    values = [0.25 * i for i in range(12)]
    weights = _decimal_weights(library, values)
    fitted = sampler(random_state=0)
    _, _, w_res = fitted.fit_resample(X12, Y12, sample_weight=weights)
    assert type(w_res) is type(weights)  # gathered in its own type
    taken = w_res.to_pylist() if hasattr(w_res, "to_pylist") else list(w_res)
    assert [float(v) for v in taken] == [values[i] for i in fitted.sample_indices_]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow", "pyarrow256"])
def test_decimal_weight_with_a_null_is_a_missing_weight(library):
    weights = _decimal_weights(library, [None] + [1.5] * 11)
    with pytest.raises(ValueError, match="sample_weight must hold finite .*missing"):
        RandomOverSampler().fit_resample(X12, Y12, sample_weight=weights)


@pytest.mark.parametrize(
    "make",
    [
        lambda v: pd.Series(v, dtype="boolean"),
        lambda v: pd.Series(v, dtype="bool[pyarrow]"),
        pl.Series,
        pa.array,
        lambda v: pa.chunked_array([pa.array(v)]),
    ],
    ids=["pandas", "pandas-arrow", "polars", "pyarrow", "pyarrow-chunked"],
)
def test_boolean_weight_with_a_null_is_a_missing_weight(make):
    weights = make([None] + [True] * 11)
    with pytest.raises(ValueError, match="sample_weight must hold finite .*missing"):
        RandomOverSampler().fit_resample(X12, Y12, sample_weight=weights)
    # Without the null, read as 0/1 weights in every library.
    fitted = RandomOverSampler(random_state=0)
    _, _, w_res = fitted.fit_resample(
        X12, Y12, sample_weight=make([False] + [True] * 11)
    )
    taken = w_res.to_pylist() if hasattr(w_res, "to_pylist") else list(w_res)
    assert taken == [i != 0 for i in fitted.sample_indices_]


# --- _frames.frame_like: a narwhals frame wrapping pandas, with shrinkage --
# Bug: the smoothed bootstrap of a narwhals DataFrame wrapping pandas gave
# numpy dtypes (Int64 -> int64, boolean -> bool, double[pyarrow] -> float64),
# where the same pandas frame keeps its columns' dtypes.


@pytest.mark.parametrize(
    "namespace", ["narwhals", "narwhals.stable.v1", "narwhals.stable.v2"]
)
def test_smoothed_bootstrap_of_narwhals_wrapped_pandas_keeps_dtypes(namespace):
    import importlib

    nw = importlib.import_module(namespace)
    columns = {
        "count": pd.array(range(12), dtype="Int64"),
        "flag": pd.array([True, False] * 6, dtype="bool[pyarrow]"),
        "score": pd.array(np.linspace(0, 1, 12), dtype="double[pyarrow]"),
        "small": np.arange(12, dtype=np.float32),
        # pandas < 3 gives a nullable boolean column's values as objects,
        # which the smoothed bootstrap of a narwhals frame refused (the lead's
        # fix: the frame it wraps is read, and noised, as pandas).
        "nullable": pd.array([False, True] * 6, dtype="boolean"),
    }
    X = pd.DataFrame(columns, index=np.arange(100, 112))
    expected = RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X, Y12)[0]
    wrapped = RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(
        nw.from_native(X, eager_only=True), Y12
    )[0]
    assert type(wrapped).__module__.startswith(namespace)
    pd.testing.assert_frame_equal(nw.to_native(wrapped), expected)


# --- _labels.encode_labels: dates with a time zone, Arrow-backed dates -----
# Bug: dates are no class label type (a datetime64 y is refused, naming the
# fix), but the same dates with a time zone, or as Arrow timestamps with a
# time zone or Arrow dates in pandas, were read as objects and accepted by the
# samplers and class_weights, while ThresholdMover and ResampledClassifier
# failed with scikit-learn's "Unknown label type: unknown".

_DAYS = [0] * 9 + [1] * 3


def _arrow_series(arrow_type, width):
    values = pa.array(_DAYS, width).cast(arrow_type)
    return pd.Series(pd.array(values, dtype=pd.ArrowDtype(arrow_type)))


DATED = {
    "naive": lambda: pd.Series(pd.to_datetime(_DAYS, unit="D")),
    "time-zone": lambda: pd.Series(pd.to_datetime(_DAYS, unit="D", utc=True)),
    "arrow-time-zone": lambda: _arrow_series(pa.timestamp("s", tz="UTC"), pa.int64()),
    "arrow-date": lambda: _arrow_series(pa.date32(), pa.int32()),
}


@pytest.mark.parametrize("make_y", DATED.values(), ids=DATED)
@pytest.mark.parametrize(
    "call",
    [
        lambda y: RandomUnderSampler().fit_resample(X12, y),
        lambda y: class_weights(y),
        lambda y: ThresholdMover(LogisticRegression()).fit(X12, y),
        lambda y: ResampledClassifier(RandomUnderSampler(), LogisticRegression()).fit(
            X12, y
        ),
    ],
    ids=["sampler", "class_weights", "ThresholdMover", "ResampledClassifier"],
)
def test_dates_are_refused_with_or_without_a_time_zone(call, make_y):
    with pytest.raises(
        ValueError, match=r"^y has dtype .*\(dates, times or durations\).*astype\(str\)"
    ):
        call(make_y())
    # As text they are classes (the fix the message names).
    text = make_y().astype(str)
    assert class_weights(text).keys() == set(text)


def test_a_missing_date_with_a_time_zone_is_a_missing_label():
    y = pd.Series(pd.to_datetime(_DAYS, unit="D", utc=True))
    y[3] = pd.NaT
    with pytest.raises(ValueError, match="y has missing labels .* position 3"):
        RandomUnderSampler().fit_resample(X12, y)
