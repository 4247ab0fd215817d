"""Review 151, diff56: the lead's commit af0a01b..1a0f6a5 in ``rebalance/``.

Reviewed: ``_labels._numbers_of_own_type`` (rewritten: whole Decimals among
ints read as ints; a list holding any Decimal read as an object array) as
used by ``as_classifier_target``, and ``_metadata.weights_as_rows`` (now
refuses a dict or generator X where weights are repeated as rows).

How: the old tree (af0a01b) was extracted and ``as_classifier_target`` of
old and new compared (value, dtype, type, identity) on 1,700 seeded inputs:
lists, tuples, object arrays and object Series of ints, floats, bools,
strings, None, NaN, pd.NA, ints beyond 64 bits, numpy scalars, mixed; pandas
Int64/UInt8/boolean/Float64/string/category Series and bare arrays with and
without NA; empty and 2-D object arrays. No difference for any input
without a Decimal. With Decimals the only differences are the intended ones
(whole Decimals, alone or among ints and numpy ints, become int64; a list
mixing a Decimal with floats, bools, strings or None becomes an object
array of the same values instead of the list). NaN, sNaN, Infinity,
fractional Decimals and Decimals beyond int64 stay as given. A DOK X (a
dict subclass) with weights repeated as rows still fits (ThresholdMover
'fixed' and 'tuned', ResampledClassifier) with the same probabilities as
the dense X; a generator X is refused naming list(X) only where rows are
repeated. No bugs found; the pins below guard these.
"""

import decimal

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.neighbors import KNeighborsClassifier

from rebalance._labels import as_classifier_target
from rebalance.threshold import ThresholdMover

D = decimal.Decimal


@pytest.mark.parametrize(
    "values",
    [
        [D(1), 2, np.int64(3)],
        [D("1E+2"), D("-0"), 5],
        [D("1.0"), 1],
    ],
)
def test_whole_decimals_among_ints_read_as_ints(values):
    for y in (values, np.array(values + [None], dtype=object)[:-1]):
        out = as_classifier_target(y)
        assert out.dtype == np.int64
        assert out.tolist() == [int(v) for v in values]


@pytest.mark.parametrize(
    "values",
    [
        [D("NaN"), D(1)],
        [D("sNaN"), D(1)],
        [D("Infinity"), D(1)],
        [D("1.5"), D(1)],
        [D(2**70), D(1)],
        [D(1), True],
        [D(1), 2.0],
    ],
)
def test_other_decimals_kept_as_given(values):
    y = np.array(values + [None], dtype=object)[:-1]
    out = as_classifier_target(y)
    assert out.dtype == object
    assert [type(v) for v in out.tolist()] == [type(v) for v in values]


def test_mixed_bools_ints_and_big_ints_unchanged():
    mixed = np.array([True, 1, 0], dtype=object)
    assert as_classifier_target(mixed) is mixed
    big = np.array([2**70, 1], dtype=object)
    assert as_classifier_target(big) is big
    empty = np.array([], dtype=object)
    assert as_classifier_target(empty) is empty


@pytest.mark.parametrize("strategy", ["fixed", "tuned"])
@pytest.mark.parametrize("to_sparse", [sp.dok_matrix, sp.dok_array])
def test_dok_x_with_weights_repeated_as_rows(strategy, to_sparse):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (rng.random(60) < 0.3).astype(int)
    w = rng.integers(1, 3, 60)
    dense = ThresholdMover(KNeighborsClassifier(3), strategy=strategy)
    dense.fit(X, y, sample_weight=w)
    dok = ThresholdMover(KNeighborsClassifier(3), strategy=strategy)
    dok.fit(to_sparse(X), y, sample_weight=w)
    np.testing.assert_allclose(dok.predict_proba(to_sparse(X)), dense.predict_proba(X))


def test_generator_x_refused_where_weights_repeat_rows():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(TypeError, match=r"list\(X\)"):
        ThresholdMover(KNeighborsClassifier(3), strategy="fixed").fit(
            (r for r in X), y, sample_weight=np.ones(20)
        )
