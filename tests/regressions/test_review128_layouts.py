"""Review 128, area ``layouts``: numpy memory layouts and dtypes through the
samplers' compiled and vectorised gathers, ``rebalance.weights``,
``rebalance.metrics`` and ``ThresholdMover.predict``.

Each sampler (RandomUnderSampler, RandomOverSampler with and without
shrinkage, ClassBalancedSampler, LabelShuffleSampler) was fed big-endian,
Fortran-ordered, strided, reversed, zero-stride, read-only, memory-mapped,
``np.matrix``, float16, longdouble, int8, uint64, bool and object X, plus
big-endian / int8 / uint64 (beyond int64) labels and big-endian weights,
small and above ``rebalance._gather.GATHER_ABOVE`` (the threaded / compiled
paths). The rows were compared with ``np.asarray(X)[sample_indices_]``
computed by numpy, the dtype, type and shape with the input's, and the input
with a copy taken before. Complex, structured, 3-D and 0-column X are
refused with a ValueError. Weights and g-mean were compared with
scikit-learn's ``compute_sample_weight`` and imbalanced-learn's
``geometric_mean_score``. No bug was found in this area.
"""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_sample_weight

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
)
from rebalance.metrics import g_mean_score
from rebalance.weights import sample_weights

N = 60
_RNG = np.random.default_rng(0)
_BASE = _RNG.normal(size=(3 * N, 6))
Y = np.r_[np.zeros(40, int), np.ones(15, int), np.full(5, 2)]
SW = np.linspace(1.0, 2.0, N).astype(">f8")


def _samplers():
    return [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        RandomOverSampler(random_state=0, shrinkage=1.0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ]


def _readonly(a):
    a = a.copy()
    a.flags.writeable = False
    return a


LAYOUTS = {
    "big_endian_f8": lambda: _BASE[:N].astype(">f8"),
    "big_endian_i4": lambda: (_BASE[:N] * 10).astype(">i4"),
    "fortran": lambda: np.asfortranarray(_BASE[:N]),
    "column_step": lambda: _BASE[:N, ::2],
    "row_step": lambda: _BASE[::3],
    "negative_stride": lambda: _BASE[:N][::-1],
    "zero_stride": lambda: np.broadcast_to(np.arange(6.0), (N, 6)),
    "readonly": lambda: _readonly(_BASE[:N]),
    "float16": lambda: _BASE[:N].astype(np.float16),
    "longdouble": lambda: _BASE[:N].astype(np.longdouble),
    "int8": lambda: (_BASE[:N] * 10).astype(np.int8),
    "uint64_high": lambda: (
        (np.abs(_BASE[:N]) * 10).astype(np.uint64) + np.uint64(2**63)
    ),
    "bool": lambda: _BASE[:N] > 0,
    "object_floats": lambda: _BASE[:N].astype(object),
    "matrix": lambda: np.matrix(_BASE[:N]),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_rows_are_x_at_sample_indices(layout):
    X = LAYOUTS[layout]()
    before = np.array(X, copy=True)
    for sampler in _samplers():
        X_res, y_res, w_res = sampler.fit_resample(X, Y, sample_weight=SW)
        idx = sampler.sample_indices_
        expected = np.asarray(X)[idx]
        assert type(X_res) is type(X)
        assert X_res.dtype == X.dtype and X_res.shape == expected.shape
        if not getattr(sampler, "shrinkage", None):
            assert (np.asarray(X_res) == expected).all()
        if not isinstance(sampler, LabelShuffleSampler):
            np.testing.assert_array_equal(y_res, Y[idx])
        assert w_res.dtype == SW.dtype
        np.testing.assert_array_equal(w_res, SW[idx])
        assert (np.asarray(X) == before).all()


def test_shrinkage_on_big_endian_adds_noise_around_the_drawn_rows():
    X = _BASE[:N].astype(">f8")
    sampler = RandomOverSampler(random_state=0, shrinkage=1.0)
    X_res, _ = sampler.fit_resample(X, Y)
    idx = sampler.sample_indices_
    assert X_res.dtype == np.dtype(">f8")
    # the original rows come back as they are, the N new ones moved off
    # their source rows
    exact = (X_res == X[idx]).all(axis=1)
    assert exact.sum() == N and len(idx) == 2 * N
    np.testing.assert_array_equal(np.sort(idx[exact]), np.arange(N))
    assert np.all(np.abs(X_res - X[idx]) < 10 * X.std(axis=0))


@pytest.mark.parametrize(
    "labels",
    [
        Y.astype(">i4"),
        Y.astype(np.int8),
        Y.astype(np.uint64) + np.uint64(2**63 + 5),
    ],
    ids=["big_endian", "int8", "uint64_high"],
)
def test_label_dtypes_kept_and_aligned(labels):
    X = _BASE[:N]
    for sampler in _samplers():
        X_res, y_res = sampler.fit_resample(X, labels)
        idx = sampler.sample_indices_
        assert y_res.dtype == labels.dtype
        if isinstance(sampler, LabelShuffleSampler):
            assert sorted(y_res.tolist()) == sorted(labels[idx].tolist())
        else:
            np.testing.assert_array_equal(y_res, labels[idx])
        if not getattr(sampler, "shrinkage", None):
            np.testing.assert_array_equal(X_res, X[idx])


def test_memmap_read_only(tmp_path):
    path = tmp_path / "x.npy"
    data = np.lib.format.open_memmap(path, mode="w+", dtype=">f8", shape=(N, 4))
    data[:] = _BASE[:N, :4]
    data.flush()
    del data
    X = np.load(path, mmap_mode="r")
    for sampler in _samplers()[:2] + _samplers()[3:4]:
        X_res, y_res = sampler.fit_resample(X, Y)
        assert X_res.dtype == np.dtype(">f8")
        np.testing.assert_array_equal(X_res, _BASE[:N, :4][sampler.sample_indices_])
    np.testing.assert_array_equal(np.load(path), _BASE[:N, :4])


@pytest.mark.parametrize(
    "make",
    [
        lambda b: b.astype(">f8"),
        np.asfortranarray,
        lambda b: b[::-1],
        lambda b: (b * 100).astype(">i4"),
    ],
    ids=["big_endian", "fortran", "reversed", "big_endian_i4"],
)
def test_threaded_gather_above_threshold(make):
    # 150,000 x 4 rows: the output passes _gather.GATHER_ABOVE (threads and
    # the compiled kernels); y and weights big-endian too.
    rng = np.random.default_rng(3)
    n = 150_000
    X = make(rng.normal(size=(n, 4)))
    y = (rng.random(n) < 0.2).astype(">i4")
    w = rng.random(n).astype(">f8")
    for sampler in (
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
    ):
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
        idx = sampler.sample_indices_
        assert X_res.dtype == X.dtype
        np.testing.assert_array_equal(X_res, X[idx])
        np.testing.assert_array_equal(y_res, y[idx])
        np.testing.assert_array_equal(w_res, w[idx])
        assert y_res.dtype == y.dtype and w_res.dtype == w.dtype


def test_wide_one_row_per_class():
    X = np.random.default_rng(1).normal(size=(2, 100_000))
    y = np.array([0, 1])
    for sampler in _samplers():
        X_res, _ = sampler.fit_resample(X, y)
        assert X_res.shape == (2, 100_000)
        if not getattr(sampler, "shrinkage", None):
            np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
        assert np.isfinite(X_res).all()


@pytest.mark.parametrize(
    ("X", "words"),
    [
        (_BASE[:N].astype(complex), "Complex"),
        (np.zeros((N, 3, 2)), "2D"),
        (np.empty((N, 0)), "feature"),
    ],
    ids=["complex", "3d", "no_columns"],
)
def test_refused_clearly(X, words):
    for sampler in _samplers():
        with pytest.raises(ValueError, match=words):
            sampler.fit_resample(X, Y)


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.astype(">i4"),
        lambda a: a.astype(np.int8),
        lambda a: a.astype(np.uint64) + np.uint64(2**63 + 3),
        lambda a: np.repeat(a, 2)[::2],
    ],
    ids=["big_endian", "int8", "uint64_high", "strided"],
)
def test_weights_and_g_mean_on_label_layouts(convert):
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.2).astype(int) + (rng.random(400) < 0.1)
    p = np.where(rng.random(400) < 0.7, y, rng.integers(0, 3, 400))
    w = rng.random(400) + 0.1
    yy, pp = convert(y), convert(p)
    np.testing.assert_allclose(sample_weights(yy), compute_sample_weight("balanced", y))
    for weight in (None, w.astype(">f8")):
        expected = geometric_mean_score(
            y, p, sample_weight=None if weight is None else w, correction=0.0
        )
        assert g_mean_score(yy, pp, sample_weight=weight) == pytest.approx(expected)


def test_threshold_mover_predict_layouts():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 1).astype(">i4")
    tm = ThresholdMover(LogisticRegression(), strategy="fixed", threshold=0.3)
    tm.fit(X, y)
    expected = (tm.estimator_.predict_proba(X)[:, 1] >= 0.3).astype(int)
    assert tm.classes_.dtype == np.dtype(">i4")
    for XX, exp in [
        (X.astype(">f8"), expected),
        (np.asfortranarray(X), expected),
        (X[::-1], expected[::-1]),
        (X.astype(np.longdouble), expected),
        (_readonly(X), expected),
    ]:
        np.testing.assert_array_equal(tm.predict(XX), exp)
