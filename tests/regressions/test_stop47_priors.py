"""Stop 47: em_priors' fast step keeps the rows it can take.

One row whose weighted sum neared underflow (a training prior of 1e-250,
say) sent every row of every iteration through the log-space step of
``adjust_priors``: ~30 times slower (review 70's fuzzer: 80-133 s for 2,000
rows x 1,000 classes). Now only the rows near underflow take it, and the
linear step's threshold sits where the terms lost to underflow are nothing
next to a row's sum (1e-280); the same numbers.
"""

import warnings

import numpy as np
import pytest

from rebalance import _priors
from rebalance.threshold import em_priors


def _case(n=300, k=40, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, k)) * 3
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    # Most rows put nothing on class 3 (float16 posteriors round it to 0):
    # at its ratio of ~1e248, their weighted sums are ~1e-250.
    proba[rng.random(n) < 0.9, 3] = 0
    proba /= proba.sum(axis=1, keepdims=True)
    train = np.full(k, 1.0 / k)
    train[3] = 1e-250
    return proba, train


def _count_log_rows(monkeypatch):
    rows = []
    real = _priors._shift

    def counting(values, train, deploy):
        rows.append(values.shape[0])
        return real(values, train, deploy)

    monkeypatch.setattr(_priors, "_shift", counting)
    return rows


def test_extreme_prior_does_not_send_every_row_to_log_space(monkeypatch):
    proba, train = _case()
    rows = _count_log_rows(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = em_priors(proba, train, max_iter=20)
        assert sum(rows) == 0  # row sums ~1e-250: linear, exact enough
        monkeypatch.setattr(_priors, "_LINEAR_ROW_SUM", np.inf)  # all log space
        expected = em_priors(proba, train, max_iter=20)
    assert sum(rows) == 20 * proba.shape[0]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("seed", range(4))
def test_mixed_rows_step_is_the_log_space_step(monkeypatch, seed):
    # Rows whose mass sits on classes of ratio 1e-300 (sums underflow) next
    # to ordinary rows: those rows only go through log space, the same mean.
    rng = np.random.default_rng(seed)
    n, k = 50, 6
    proba = rng.dirichlet(np.ones(k), size=n)
    proba[: 10 + seed, :3] = 0  # these rows' mass: classes 3.. only
    proba[: 10 + seed] /= proba[: 10 + seed].sum(axis=1, keepdims=True)
    train = np.array([1e-300, 1e-300, 1e-300, 1.0, 1.0, 1.0])
    priors = np.array([1.0, 1.0, 1.0, 1e-300, 1e-300, 1e-300])
    priors /= priors.sum()
    expected = _priors._shift(proba, train, priors).mean(axis=0)
    rows = _count_log_rows(monkeypatch)
    got = _priors._em_step(proba, train, priors)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    assert rows == [10 + seed]
