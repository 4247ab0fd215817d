"""Review 58: metadata routing and meta-estimator conventions of
ResampledClassifier and ThresholdMover as users combine them."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover

N = 120


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def no_routing():
    with sklearn.config_context(enable_metadata_routing=False):
        yield


def _data(n=N, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def _n_drawn(y):
    return 2 * int(np.bincount(y).min())


# ------------------------------------------------ ResampledClassifier weights


# bug: routed weights under an alias, as many as the rows drawn, reached the
# classifier unresampled (paired with other rows), silently
def test_resampled_alias_weights_of_drawn_length_refused(routing):
    X, y = _data()
    w = np.linspace(0.5, 2.0, _n_drawn(y))
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        LogisticRegression().set_fit_request(sample_weight="w"),
    )
    with pytest.raises(ValueError, match=r"fit parameter w .* has 64 values .* 120"):
        model.fit(X, y, w=w)


# bug: a Pipeline step's '<step>__sample_weight' as many as the rows drawn
# reached the step unresampled, silently (routing off)
def test_resampled_pipeline_step_weights_of_drawn_length_refused(no_routing):
    X, y = _data()
    w = np.linspace(0.5, 2.0, _n_drawn(y))
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
    )
    with pytest.raises(ValueError, match="logisticregression__sample_weight"):
        model.fit(X, y, logisticregression__sample_weight=w)


# bug: negative alias weights were refused only after the sampler ran, without
# naming the parameter they were passed as
def test_resampled_alias_weights_negative_named(routing):
    X, y = _data()
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        LogisticRegression().set_fit_request(sample_weight="w"),
    )
    with pytest.raises(ValueError, match=r"fit parameter w .*non-negative"):
        model.fit(X, y, w=-np.ones(N))


def test_resampled_alias_weights_equal_hand_computation(routing):
    X, y = _data()
    w = np.linspace(0.5, 2.0, N)
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        LogisticRegression().set_fit_request(sample_weight="w"),
    ).fit(X, y, w=w)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    hand = LogisticRegression().fit(
        X_res, y_res, sample_weight=w[sampler.sample_indices_]
    )
    np.testing.assert_allclose(model.classifier_.coef_, hand.coef_)


# ------------------------------------------------------ ThresholdMover weights


# bug: a scorer's routed weights as many as a fold's validation rows were not
# split with the folds, and weighted every fold's rows by the same values
def test_tuned_scorer_weights_of_fold_length_refused(routing):
    X, y = _data()
    scorer = make_scorer(balanced_accuracy_score).set_score_request(sample_weight="sw")
    mover = ThresholdMover(LogisticRegression(), "tuned", cv=KFold(3), scoring=scorer)
    with pytest.raises(ValueError, match=r"fit parameter sw .* has 40 values"):
        mover.fit(X, y, sw=np.linspace(0.5, 2.0, N // 3))


# bug: negative alias weights were reported as "sample_weight is 0 on every
# row of the classes" of a cv fold
def test_tuned_alias_weights_negative_named(routing):
    X, y = _data()
    mover = ThresholdMover(
        LogisticRegression().set_fit_request(sample_weight="w"), "tuned", cv=3
    )
    with pytest.raises(ValueError, match=r"fit parameter w .*non-negative"):
        mover.fit(X, y, w=-np.ones(N))


# bug: an estimator's alias weights of another length were refused by the
# estimator's own fit after work, without the name they were passed as
def test_tuned_alias_weights_wrong_length_named(routing):
    X, y = _data()
    mover = ThresholdMover(
        LogisticRegression().set_fit_request(sample_weight="w"), "tuned", cv=KFold(3)
    )
    with pytest.raises(ValueError, match=r"fit parameter w .* has 80 values"):
        mover.fit(X, y, w=np.ones(2 * N // 3))


def test_nested_search_routes_weights_and_groups(routing):
    # GridSearchCV(ResampledClassifier(sampler, ThresholdMover(Pipeline)))
    # with weights and groups routed down to every consumer.
    from sklearn.model_selection import GridSearchCV

    X, y = _data()
    w = np.linspace(0.5, 2.0, N)
    groups = np.arange(N) % 6
    inner = ThresholdMover(
        make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            LogisticRegression().set_fit_request(sample_weight=True),
        ),
        "tuned",
        cv=GroupKFold(3),
    ).set_fit_request(sample_weight=True)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), inner)
    scorer = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
    search = GridSearchCV(
        model,
        {"classifier__strategy": ["tuned", "prior"]},
        cv=GroupKFold(2),
        scoring=scorer,
    )
    search.fit(X, y, sample_weight=w, groups=groups)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
