"""Review 147, containers: every data entry point x the containers users hold data in.

Reviewed: ``fit_resample`` of the four samplers, ``ResampledClassifier``
``fit/predict/score``, ``ThresholdMover`` ``fit/predict/predict_proba/score``,
``class_weights``, ``sample_weights``, ``g_mean_score`` and the torch
``RebalanceSampler``/``BalancedBatchSampler`` labels, fed X, y and
sample_weight (separately) as list, tuple, list of tuples, array.array,
memoryview, numpy (C, F, strided, read-only, 0-stride, object, structured,
np.matrix, masked), pandas Series/DataFrame (RangeIndex, string index,
MultiIndex, attrs, extension arrays, Categorical), polars, pyarrow
(Array/ChunkedArray/Table/RecordBatch), scipy sparse matrix and array (1-D
coo_array), torch (plain, requires_grad, strided), generators and dicts, each
compared with the numpy equivalent (same draws, weights, predictions, scores).
xarray is not installed here.

Fine (pinned compactly below): every y container but the ones listed next
gives the numpy result in all entry points; sparse y, generator and dict y/
sample_weight are refused everywhere with a message naming the argument and
the fix; X containers round-trip through ``fit_resample`` with the same rows.

Bugs (fixed; each test failed before): containers that the samplers,
``class_weights`` and ``g_mean_score`` accept but ``ResampledClassifier``/
``ThresholdMover`` refused with scikit-learn's internal errors or misread: a
memoryview y or sample_weight in ``score`` (and a memoryview sample_weight
was not resampled with its rows in ``ResampledClassifier.fit``), an
object-dtype integer y, an np.matrix y (``score``); unclear errors for X
given as a dict (reported as "3 rows") or a generator (``ThresholdMover.fit``).

Left alone by the lead: an np.matrix X and a torch tensor that requires grad
are refused by the classifier inside (scikit-learn's own messages name the
fix, ``np.asarray``, ``tensor.detach()``; an estimator taking tensors, a
skorch net, may accept the latter).
"""

import array

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

N = 40
Y = np.array([0] * 30 + [1] * 10)
X = np.random.default_rng(0).normal(size=(N, 3))
W = np.random.default_rng(1).uniform(0.5, 2.0, size=N)


def _rc():
    return ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())


def _tm():
    return ThresholdMover(LogisticRegression(), cv=3)


# y containers the samplers, weights and metrics read as Y
_Y_CONTAINERS = {
    "list": lambda: Y.tolist(),
    "array.array": lambda: array.array("l", Y.tolist()),
    "object": lambda: Y.astype(object),
    "matrix_column": lambda: np.matrix(Y).T,
    "memoryview": lambda: memoryview(Y.astype(np.int64)),
    "series_multiindex": lambda: pd.Series(
        Y, index=pd.MultiIndex.from_arrays([np.arange(N) // 2, np.arange(N) % 2])
    ),
    "categorical": lambda: pd.Categorical(Y),
    "polars": lambda: pl.Series(Y),
    "chunked": lambda: pa.chunked_array([Y[:20], Y[20:]]),
}


@pytest.mark.parametrize("name", sorted(_Y_CONTAINERS))
def test_y_containers_read_as_numpy_by_samplers_weights_metrics(name):
    make = _Y_CONTAINERS[name]
    for sampler in (RandomUnderSampler, RandomOverSampler, ClassBalancedSampler):
        want_X, want_y = sampler(random_state=0).fit_resample(X, Y)
        got_X, got_y = sampler(random_state=0).fit_resample(X, make())
        np.testing.assert_array_equal(np.asarray(got_X), want_X)
        np.testing.assert_array_equal(np.asarray(got_y).ravel(), want_y)
    _, got_y = LabelShuffleSampler(random_state=0).fit_resample(X, make())
    want = LabelShuffleSampler(random_state=0).fit_resample(X, Y)[1]
    np.testing.assert_array_equal(np.asarray(got_y).ravel(), want)
    assert class_weights(make()) == class_weights(Y)
    np.testing.assert_allclose(sample_weights(make()), sample_weights(Y))
    assert g_mean_score(make(), Y[::-1]) == g_mean_score(Y, Y[::-1])


@pytest.mark.parametrize(
    "argument, value",
    [
        ("y", lambda: (v for v in Y)),
        ("y", lambda: dict(enumerate(Y))),
        ("y", lambda: __import__("scipy.sparse").sparse.coo_array(Y)),
        ("sample_weight", lambda: (v for v in W)),
        ("sample_weight", lambda: dict(enumerate(W))),
    ],
)
def test_refused_containers_name_the_argument(argument, value):
    for call in (
        lambda kw: RandomOverSampler().fit_resample(X, **kw),
        lambda kw: _tm().fit(X, **kw),
    ):
        kw = {"y": Y, argument: value()}
        with pytest.raises((TypeError, ValueError), match=argument):
            call(kw)


# (entry point, y) pairs: fit_resample and class_weights read these y as Y
_Y_CELLS = {
    "memoryview-ResampledClassifier.score": (
        lambda y: _rc().fit(X, Y).score(X, y),
        lambda: memoryview(Y.astype(np.int64)),
    ),
    "memoryview-ThresholdMover.score": (
        lambda y: _tm().fit(X, Y).score(X, y),
        lambda: memoryview(Y.astype(np.int64)),
    ),
    "object-ResampledClassifier.fit": (
        lambda y: _rc().fit(X, y).score(X, Y),
        lambda: Y.astype(object),
    ),
    "object-ThresholdMover.fit": (
        lambda y: _tm().fit(X, y).score(X, Y),
        lambda: Y.astype(object),
    ),
    "matrix-ResampledClassifier.score": (
        lambda y: _rc().fit(X, Y).score(X, y),
        lambda: np.matrix(Y).T,
    ),
    "matrix-ThresholdMover.score": (
        lambda y: _tm().fit(X, Y).score(X, y),
        lambda: np.matrix(Y).T,
    ),
}


@pytest.mark.parametrize("cell", sorted(_Y_CELLS))
def test_estimators_read_y_like_the_samplers(cell):
    call, make = _Y_CELLS[cell]
    assert call(make()) == call(Y)


@pytest.mark.parametrize(
    "call",
    [
        lambda w: _rc().fit(X, Y, sample_weight=w).predict_proba(X),
        lambda w: np.array([_rc().fit(X, Y).score(X, Y, sample_weight=w)]),
        lambda w: np.array([_tm().fit(X, Y).score(X, Y, sample_weight=w)]),
    ],
    ids=["rc.fit", "rc.score", "tm.score"],
)
def test_memoryview_sample_weight(call):
    np.testing.assert_allclose(call(memoryview(W.copy())), call(W))


def rb_tuned():
    # (strategy='tuned' needs X's rows for its folds; the other strategies fit
    # a generator once, as scikit-learn's FixedThresholdClassifier: review 148)
    return ThresholdMover(LogisticRegression(), strategy="tuned", cv=2)


@pytest.mark.parametrize(
    "call, value, says",
    [
        (lambda v: _rc().fit(v, Y), lambda: dict(zip("abc", X.T)), "dict"),
        (lambda v: _tm().fit(v, Y), lambda: dict(zip("abc", X.T)), "dict"),
        (
            lambda v: rb_tuned().fit(v, Y),
            lambda: (r for r in X),
            "generator",
        ),
    ],
    ids=[
        "rc.fit-dict",
        "tm.fit-dict",
        "tm.fit-generator",
    ],
)
def test_refused_X_is_named(call, value, says):
    with pytest.raises((TypeError, ValueError), match=rf"\bX\b.*{says}"):
        call(value())
