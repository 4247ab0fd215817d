"""Review 92 (fuzz10): unusual but legitimate inputs across the public API.

The sweep found no bug; these pins keep the behaviour that was verified
against scikit-learn, imbalanced-learn and hand formulas.
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.utils.class_weight import compute_class_weight

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score
from rebalance.threshold import em_priors

BASE = np.array([0, 1, 1, 2, 2, 2, 0, 1, 2, 2, 2, 2])


def _memmap(tmp_path, values):
    out = np.memmap(
        tmp_path / "y.dat", dtype=values.dtype, mode="w+", shape=values.shape
    )
    out[:] = values
    return out


@pytest.mark.parametrize(
    "make",
    [
        lambda p: BASE.astype(np.uint64) + np.uint64(2**63),
        lambda p: BASE.astype(np.int64) * 2**62,
        lambda p: BASE.astype(">i4"),
        lambda p: BASE.astype(bytes),
        lambda p: pd.Series(pd.Categorical(BASE, categories=[3, 2, 1, 0])),
        lambda p: pd.Series(BASE.astype(str), dtype="string[pyarrow]"),
        lambda p: pd.Series(BASE, dtype="Int64", index=np.arange(12)[::-1]),
        lambda p: _memmap(p, BASE),
    ],
    ids=[
        "u64_high",
        "huge",
        "big_endian",
        "bytes",
        "cat",
        "pyarrow",
        "Int64",
        "memmap",
    ],
)
def test_weights_of_unusual_labels_match_scikit_learn(make, tmp_path):
    y = make(tmp_path)
    before = copy.deepcopy(np.asarray(y, dtype=object))
    plain = np.asarray(y, dtype=object)
    classes, inverse = np.unique(plain.astype(str), return_inverse=True)
    ref = compute_class_weight("balanced", classes=classes, y=plain.astype(str))
    np.testing.assert_allclose(sample_weights(y), ref[inverse])
    cw = class_weights(y)
    assert len(cw) == 3
    np.testing.assert_allclose(sorted(cw.values()), sorted(ref))
    assert np.array_equal(np.asarray(y, dtype=object), before)


@pytest.mark.parametrize(
    "make_X",
    [
        lambda X, p: np.asfortranarray(X),
        lambda X, p: X.astype(">f8"),
        lambda X, p: np.repeat(X, 2, axis=0)[::2],
        lambda X, p: _memmap(p, X),
        lambda X, p: sp.csc_array(X),
        lambda X, p: sp.coo_matrix(X),
    ],
    ids=["fortran", "big_endian", "row_slice", "memmap", "csc_array", "coo"],
)
@pytest.mark.parametrize("sampler_cls", [RandomUnderSampler, RandomOverSampler])
def test_rows_and_foreign_index_weights_stay_aligned(make_X, sampler_cls, tmp_path):
    n = len(BASE)
    X0 = np.arange(n * 3, dtype=float).reshape(n, 3)
    X = make_X(X0, tmp_path)
    w = pd.Series(np.arange(1.0, n + 1), index=np.arange(n) + 100)
    sampler = sampler_cls(random_state=0)
    Xr, yr, wr = sampler.fit_resample(X, BASE, sample_weight=w)
    idx = sampler.sample_indices_
    dense = Xr.toarray() if sp.issparse(Xr) else np.asarray(Xr)
    np.testing.assert_array_equal(dense, X0[idx])
    np.testing.assert_array_equal(yr, BASE[idx])
    np.testing.assert_array_equal(np.asarray(wr), w.to_numpy()[idx])
    after = X.toarray() if sp.issparse(X) else np.asarray(X)
    np.testing.assert_array_equal(after, X0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_g_mean_with_zero_weight_rows_matches_imblearn():
    imblearn_metrics = pytest.importorskip("imblearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(40):
        k = int(rng.integers(2, 5))
        m = int(rng.integers(2, 30))
        yt = rng.integers(0, k, m)
        # y_pred keeps to y_true's classes: a class only y_pred has is
        # ignored here and counted by imbalanced-learn (documented).
        yp = rng.choice(np.unique(yt), m)
        w = rng.random(m) * rng.integers(0, 2, m)
        if not w.any():
            continue
        ref = imblearn_metrics.geometric_mean_score(
            yt, yp, sample_weight=w, average="multiclass"
        )
        assert g_mean_score(yt, yp, sample_weight=w) == pytest.approx(ref)


def test_em_priors_matches_saerens_fixed_point():
    rng = np.random.default_rng(1)
    for _ in range(10):
        k = int(rng.integers(2, 5))
        P = rng.dirichlet(np.ones(k) * rng.uniform(0.2, 3), int(rng.integers(1, 40)))
        t = rng.dirichlet(np.ones(k))
        q = t.copy()
        for _ in range(100000):
            post = P * q / t
            post /= post.sum(1, keepdims=True)
            new = post.mean(0)
            done = np.abs(new - q).max() < 1e-12
            q = new
            if done:
                break
        P_ro = P.astype(">f8")
        P_ro.setflags(write=False)
        np.testing.assert_allclose(em_priors(P_ro, t), q, atol=1e-4)
