"""Review 41, compose: regression tests (each failed before its fix)."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import DecisionTreeClassifier

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.compose import ResampledClassifier

SAMPLERS = [
    RandomUnderSampler(random_state=1),
    RandomOverSampler(random_state=1),
    ClassBalancedSampler(n_samples=60, random_state=1),
    LabelShuffleSampler(random_state=1),
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("bare", [False, True], ids=["Series", "Categorical"])
def test_categorical_labels_get_the_samplers_own_draw(sampler, bare):
    # Found by review 41: ResampledClassifier turned a pandas categorical y
    # into a numpy array before the sampler, whose classes then came in
    # sorted order instead of the categories' order: with the same
    # random_state it drew other rows than sampler.fit_resample(X, y) and
    # than an imblearn Pipeline (another model, another sample_indices_).
    rng = np.random.default_rng(0)
    codes = np.r_[np.zeros(50, int), np.ones(20, int), np.full(10, 2)]
    X = rng.normal(size=(80, 3)) + codes[:, None]
    y = pd.Categorical(np.array(["c", "a", "b"])[codes], categories=["b", "c", "a"])
    if not bare:
        y = pd.Series(y)
    model = ResampledClassifier(sampler, DecisionTreeClassifier(random_state=0))
    model.fit(X, y)
    direct = sampler.__class__(**sampler.get_params())
    X_res, y_res = direct.fit_resample(X, y)
    np.testing.assert_array_equal(
        model.sampler_.sample_indices_, direct.sample_indices_
    )
    assert model.sampler_.sampling_strategy_ == direct.sampling_strategy_
    # the classifier still gets plain labels: classes_ are y's values
    assert model.classes_.tolist() == ["a", "b", "c"]
    reference = DecisionTreeClassifier(random_state=0).fit(X_res, np.asarray(y_res))
    np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))


class _Weighted(ClassifierMixin, BaseEstimator):
    """Records the sample_weight its fit got."""

    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize(
    ("classifier_request", "sampler_request", "passed"),
    [
        # the classifier asks for sample_weight, the weights reach the sampler
        # only (under its alias)
        (True, "w", "w"),
        # the classifier asks for them under an alias that was not passed
        ("w", True, "sample_weight"),
    ],
)
def test_weights_routed_to_the_sampler_only_are_refused(
    classifier_request, sampler_request, passed
):
    # Found by review 41: with the sampler's and the classifier's requests
    # naming the weights differently, they reached the sampler only, whose
    # draw does not depend on them: the fit succeeded, the classifier was
    # fitted unweighted and the weights changed nothing. (Only a classifier
    # whose fit takes no sample_weight was refused.)
    X = np.arange(80.0).reshape(-1, 2)
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    with sklearn.config_context(enable_metadata_routing=True):
        classifier = _Weighted().set_fit_request(sample_weight=classifier_request)
        sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight=sampler_request
        )
        model = ResampledClassifier(sampler, classifier)
        with pytest.raises(ValueError, match="would change nothing"):
            model.fit(X, y, **{passed: np.linspace(0.5, 2.0, 40)})
        # passed under the name the classifier asks for, they reach it,
        # resampled with the rows
        weights = np.linspace(0.5, 2.0, 40)
        name = "sample_weight" if classifier_request is True else "w"
        model.fit(X, y, **{name: weights})
        indices = model.sampler_.sample_indices_
        np.testing.assert_array_equal(
            model.classifier_.sample_weight_, weights[indices]
        )


def test_a_classifier_that_declines_the_weights_is_still_fitted_without():
    # (unchanged by the fix above: an explicit decline is honoured)
    X = np.arange(80.0).reshape(-1, 2)
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    with sklearn.config_context(enable_metadata_routing=True):
        classifier = _Weighted().set_fit_request(sample_weight=False)
        sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight="w"
        )
        model = ResampledClassifier(sampler, classifier)
        model.fit(X, y, w=np.linspace(0.5, 2.0, 40))
    assert model.classifier_.sample_weight_ is None


def test_weights_routed_to_the_sampler_only_are_refused_for_a_pipeline():
    # The same through a Pipeline as the classifier (a router, whose own fit
    # request says nothing): its last step asks for sample_weight, the
    # weights were passed as the sampler's alias only.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    weights = np.linspace(0.5, 2.0, 40)
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight="w"
        )
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        asks = make_pipeline(
            scaler, LogisticRegression().set_fit_request(sample_weight=True)
        )
        with pytest.raises(ValueError, match="would change nothing"):
            ResampledClassifier(sampler, asks).fit(X, y, w=weights)
        # every step declines them: fitted without, as asked
        declines = make_pipeline(
            scaler, LogisticRegression().set_fit_request(sample_weight=False)
        )
        model = ResampledClassifier(sampler, declines).fit(X, y, w=weights)
    np.testing.assert_allclose(model.resampled_priors_, [0.5, 0.5])


@pytest.mark.parametrize("routing", [False, True], ids=["no-routing", "routing"])
def test_priors_of_a_search_over_a_weighted_pipeline(routing):
    # Found by review 41: with a GridSearchCV over a Pipeline as the
    # classifier, the weights passed for the pipeline's last step
    # (logisticregression__sample_weight, which the search hands on as it is;
    # under routing, only the scaler's request set) trained the model, but
    # resampled_priors_ were read without (or with) them: [0.5, 0.5] for a
    # model fitted at [0.25, 0.75], which ThresholdMover then corrects wrongly.
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.default_rng(0).normal(size=(100, 2))
    y = np.r_[np.zeros(80, int), np.ones(20, int)]
    weights = np.where(y == 1, 3.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            # the scaler takes the weights, the classifier declines them
            pipe = make_pipeline(
                StandardScaler().set_fit_request(sample_weight=True),
                LogisticRegression().set_fit_request(sample_weight=False),
            )
            params = {"sample_weight": weights}
            expected = [0.5, 0.5]
        else:
            pipe = make_pipeline(StandardScaler(), LogisticRegression())
            params = {"logisticregression__sample_weight": weights}
            expected = [0.25, 0.75]
        # (a scorer that declines the weights: the score is not the point)
        scorer = make_scorer(accuracy_score)
        if routing:
            scorer = scorer.set_score_request(sample_weight=False)
        grid = {"logisticregression__C": [1.0]}
        search = GridSearchCV(pipe, grid, cv=2, scoring=scorer)
        sampler = RandomUnderSampler(random_state=0)
        model = ResampledClassifier(sampler, search).fit(X, y, **params)
        # the same pipeline without the search: its priors
        bare = ResampledClassifier(sampler, pipe).fit(X, y, **params)
    np.testing.assert_allclose(bare.resampled_priors_, expected)
    np.testing.assert_allclose(model.resampled_priors_, expected)
