"""Review 59 (samplers): RandomUnderSampler / RandomOverSampler and friends
against imbalanced-learn's behaviour: ``shrinkage_``, sparse dtypes and index
dtypes, ``sampling_strategy`` refusals that name the argument and the fix.

Every test marked ``# bug:`` fails on the code it was written against.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn.utils._param_validation import InvalidParameterError

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

Y = np.array([0] * 15 + [1] * 10 + [2] * 5)
X = np.random.default_rng(0).normal(size=(Y.shape[0], 2))


# --- shrinkage_ as imbalanced-learn stores it


@pytest.mark.parametrize(
    "shrinkage, sampling_strategy",
    [
        ({0: 1.0, 1: 0.5, 2: 2.0}, "auto"),  # class 0 (the majority) not grown
        ({2: 0.5, 1: 1, 0: 3}, "minority"),  # only class 2 grown; order kept
        ({np.int64(2): np.float32(0.5), 1.0: 1, 0: 0}, "auto"),
        ({1: 0.25, 2: 1.0}, {1: 12, 2: 6}),
        (0.5, "all"),
        (0.5, "minority"),
    ],
)
def test_shrinkage_attribute_is_imblearns(shrinkage, sampling_strategy):
    # bug: a shrinkage dict's classes that were not over-sampled were left out
    # of shrinkage_ ({1: 0.5, 2: 2.0} for the first case); imbalanced-learn
    # keeps the dict as given.
    ours = RandomOverSampler(
        shrinkage=shrinkage, sampling_strategy=sampling_strategy, random_state=0
    )
    theirs = ImbOverSampler(
        shrinkage=shrinkage, sampling_strategy=sampling_strategy, random_state=0
    )
    ours.fit_resample(X, Y)
    theirs.fit_resample(X, Y)
    assert ours.shrinkage_ == theirs.shrinkage_
    assert list(ours.shrinkage_) == list(theirs.shrinkage_)
    assert all(type(value) is float for value in ours.shrinkage_.values())
    assert all(type(key) is int for key in ours.shrinkage_)  # the classes of y


def test_shrinkage_dict_order_and_extra_classes_do_not_change_the_noise():
    def resample(shrinkage):
        sampler = RandomOverSampler(shrinkage=shrinkage, random_state=0)
        return sampler.fit_resample(X, Y)[0]

    given = resample({1: 0.5, 2: 2.0})
    assert np.array_equal(resample({2: 2.0, 1: 0.5}), given)
    assert np.array_equal(resample({0: 9.0, 2: 2.0, 1: 0.5}), given)


def test_shrinkage_refusal_names_run_end_columns_and_their_fix():
    pa = pytest.importorskip("pyarrow")
    pc = pytest.importorskip("pyarrow.compute")
    if not hasattr(pc, "run_end_encode"):
        pytest.skip("pyarrow without run-end encoding")
    table = pa.table({"a": X[:, 0], "r": pc.run_end_encode(pa.array(X[:, 1]))})
    # bug: "column 'r' has dtype Unknown ... cast that column to a float",
    # which it is already.
    with pytest.raises(ValueError, match="column 'r' has dtype run_end_encoded<") as e:
        RandomOverSampler(shrinkage=1.0).fit_resample(table, Y)
    assert "run_end_decode" in str(e.value)
    decoded = pa.table({"a": X[:, 0], "r": pc.run_end_decode(table["r"])})
    RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(decoded, Y)


def test_shrinkage_refusal_names_a_polars_null_column():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": X[:, 0], "n": [None] * Y.shape[0]})
    # bug: "column 'n' has dtype Unknown".
    with pytest.raises(ValueError, match="column 'n' has dtype Null"):
        RandomOverSampler(shrinkage=1.0).fit_resample(frame, Y)


# --- sparse X: float16 data, 64-bit indices


def _float16_sparse(fmt: str):
    matrix = sp.random(Y.shape[0], 3, density=0.5, format=fmt, random_state=0)
    matrix.data = matrix.data.astype(np.float16)  # scipy builds none itself
    return matrix


SAMPLERS = [
    lambda: RandomUnderSampler(random_state=0),
    lambda: RandomOverSampler(random_state=0),
    lambda: RandomOverSampler(shrinkage=0.5, random_state=0),
    lambda: ClassBalancedSampler(random_state=0),
    lambda: LabelShuffleSampler(random_state=0),
]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("make", SAMPLERS)
def test_float16_sparse_x_is_refused_before_the_draw(make, fmt):
    matrix = _float16_sparse(fmt)
    data = matrix.data.copy()
    sampler = make()
    # bug: scipy's "Output dtype not compatible with inputs" after the draw
    # (imbalanced-learn's too), naming neither X nor a fix.
    with pytest.raises(ValueError, match="X is a scipy sparse matrix of dtype float16"):
        sampler.fit_resample(matrix, Y)
    with pytest.raises(ValueError, match=r"X\.astype\(np\.float32\)"):
        sampler.fit(matrix, Y)
    assert not hasattr(sampler, "sample_indices_")
    assert matrix.dtype == np.float16 and np.array_equal(matrix.data, data)
    # The fix given works.
    X_res, _ = make().fit_resample(matrix.astype(np.float32), Y)
    assert X_res.dtype == np.float32


@pytest.mark.parametrize("container", [sp.csr_array, sp.csc_array, sp.csr_matrix])
@pytest.mark.parametrize("make", SAMPLERS[:2])
def test_int64_index_sparse_x_gives_what_scipy_indexing_gives(make, container):
    matrix = container(X)
    matrix.indices = matrix.indices.astype(np.int64)
    matrix.indptr = matrix.indptr.astype(np.int64)
    sampler = make()
    X_res, _ = sampler.fit_resample(matrix, Y)
    expected = matrix[sampler.sample_indices_]
    assert type(X_res) is type(expected) and X_res.format == matrix.format
    assert X_res.dtype == expected.dtype
    assert X_res.indices.dtype == expected.indices.dtype
    assert X_res.indptr.dtype == expected.indptr.dtype
    assert (X_res != expected).nnz == 0


# --- sampling_strategy refusals: the argument and the fix


@pytest.mark.parametrize(
    "sampler_cls, theirs, cannot",
    [
        (RandomUnderSampler, ImbUnderSampler, "'minority'"),
        (RandomOverSampler, ImbOverSampler, "'majority'"),
        (ClassBalancedSampler, None, "'majority'"),
        (LabelShuffleSampler, None, "'majority'"),
    ],
)
def test_unknown_strategy_string_lists_only_the_strings_the_sampler_takes(
    sampler_cls, theirs, cannot
):
    # bug: RandomUnderSampler(sampling_strategy='AUTO') was told 'minority' is
    # a valid value, which is then refused (the over-samplers: 'majority').
    with pytest.raises(InvalidParameterError, match="'AUTO'") as ours:
        sampler_cls(sampling_strategy="AUTO").fit_resample(X, Y)
    assert cannot not in str(ours.value) and "'not majority'" in str(ours.value)
    if theirs is not None:
        with pytest.raises(InvalidParameterError) as info:
            theirs(sampling_strategy="AUTO").fit_resample(X, Y)
        assert cannot not in str(info.value)
    # The one string it cannot use still says why, and what to use.
    with pytest.raises(InvalidParameterError, match=f"{cannot} cannot be used"):
        sampler_cls(sampling_strategy=cannot.strip("'")).fit_resample(X, Y)


@pytest.mark.parametrize("count", [4.0, np.float64(4), "4", None, True, np.nan])
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_non_integer_count_names_the_key_and_the_fix(sampler_cls, count):
    # bug: "sampling_strategy[2] must be an integer count; got 4.0." (no fix).
    with pytest.raises(TypeError, match=r"sampling_strategy\[2\]") as info:
        sampler_cls(sampling_strategy={2: count}).fit_resample(X, Y)
    assert "Pass the number of rows as an int, e.g. {2: 10}" in str(info.value)


def test_under_sampling_with_replacement_may_ask_more_rows_than_imblearn():
    # A documented difference: imbalanced-learn raises, a bootstrap here.
    strategy = {2: 8}
    with pytest.raises(ValueError, match="less or equal"):
        ImbUnderSampler(sampling_strategy=strategy, replacement=True).fit_resample(X, Y)
    sampler = RandomUnderSampler(
        sampling_strategy=strategy, replacement=True, random_state=0
    )
    _, y_res = sampler.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [15, 10, 8]
    assert sampler.sampling_strategy_ == {2: 8}
    with pytest.raises(ValueError, match="use replacement=True"):
        RandomUnderSampler(sampling_strategy=strategy).fit_resample(X, Y)
