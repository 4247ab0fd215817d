"""Review 11, second regression pass over the fixes after 8d91f7d (up to
602c64f): the tuned-threshold scorer as a routing child without a probe call,
ResampledClassifier.score under routing, and narrow-float ``top_k`` fractions.

Each test reproduces one bug and fails on 602c64f."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.model_selection import GridSearchCV

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]
    return X, y


# ------------------------------------------------ ThresholdMover: scoring


@pytest.mark.parametrize(
    "metric",
    [f1_score, lambda y_true, y_pred: f1_score(y_true, y_pred)],
    ids=["sklearn-metric-function", "two-argument-lambda"],
)
def test_tuned_metric_function_instead_of_scorer_is_refused_naming_scoring(metric):
    # The most common scoring mistake: a metric function metric(y_true, y_pred)
    # where a scorer scorer(estimator, X, y) is expected. Before 602c64f the
    # probe call turned it into "ValueError: scoring=<function f1_score> cannot
    # score predicted labels (too many positional arguments) ...", raised
    # before any fit; scikit-learn's TunedThresholdClassifierCV(scoring=
    # f1_score) refuses it too ("looks like it is a metric function rather than
    # a scorer ... use make_scorer"). Now the estimator is fitted on every fold
    # and then a bare "TypeError: too many positional arguments" escapes from
    # the first metric call, naming neither scoring nor the fix: only
    # AttributeError is translated in metrics._threshold_metric.
    X, y = _data()
    mover = ThresholdMover(LogisticRegression(), "tuned", scoring=metric, cv=3)
    with pytest.raises((ValueError, TypeError), match="scoring"):
        mover.fit(X, y)


# ------------------------------------- ResampledClassifier.score under routing


def test_resampled_classifier_score_with_routing_on_around_a_search():
    # ResampledClassifier(sampler, GridSearchCV(...)): "tune the classifier on
    # the resampled rows". With routing on, score(X, y, sample_weight=w) handed
    # the weights to GridSearchCV.score, whose scorer requested them: it worked
    # before 602c64f. Now ResampledClassifier.score switches routing off around
    # the classifier's score, and BaseSearchCV.score takes extra keywords only
    # with routing on: "ValueError: Passing extra keyword arguments to
    # GridSearchCV.score is only supported if enable_metadata_routing=True",
    # while the user has it on.
    X, y = _data(n=160)
    w = np.linspace(0.2, 3.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            LogisticRegression(),
            {"C": [0.1, 1.0]},
            cv=2,
            scoring=make_scorer(accuracy_score).set_score_request(sample_weight=True),
        )
        model = ResampledClassifier(RandomUnderSampler(random_state=0), search)
        model.fit(X, y)
        expected = accuracy_score(y, model.predict(X), sample_weight=w)
        assert model.score(X, y, sample_weight=w) == pytest.approx(expected)


# ------------------------------------------------ ohem_loss: top_k fractions


def _kept(top_k, n):
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import ohem_loss

    _, kept = ohem_loss(
        torch.arange(n, dtype=torch.float32), top_k=top_k, return_indices=True
    )
    return len(kept)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_ohem_top_k_narrow_float_0d_array_reads_as_written(dtype):
    # _scalar treats numpy scalars and 0-d arrays alike ("numpy scalars, 0-d
    # arrays and 0-d tensors as the Python number they hold"), and the fix
    # reads np.float32(0.3) as 0.3 (3 of 10 rows). The same value as a 0-d
    # array (np.asarray(cfg, dtype=np.float32), np.load of a saved scalar,
    # arr[...]) is missed by _shortest_fraction (it only looks at np.floating
    # and Tensor) and still keeps 4 of 10 rows.
    assert _kept(dtype(0.3), 10) == 3
    assert _kept(np.array(0.3, dtype=dtype), 10) == 3


@pytest.mark.parametrize(
    "fraction, n, expected",
    [(2 / 3, 3, 2), (1 / 3, 3, 1), (1 / 3, 300, 100), (1 / 7, 7, 1)],
)
def test_ohem_top_k_float32_tensor_of_a_simple_fraction_keeps_as_python(
    fraction, n, expected
):
    # The fix reads a narrow float as the shortest decimal that rounds to it,
    # which covers 0.3 but not fractions that are not short decimals:
    # torch.tensor(2 / 3) (float32 0.6666667) of 3 rows keeps all 3, and
    # torch.tensor(1 / 3) of 300 rows keeps 101, where the Python float keeps
    # 2 and 100 (ceil(top_k * n * (1 - 1e-12)) absorbs float64 rounding only).
    torch = pytest.importorskip("torch")
    assert _kept(fraction, n) == expected  # the Python float: as written
    assert _kept(torch.tensor(fraction), n) == expected
    assert _kept(np.float32(fraction), n) == expected
