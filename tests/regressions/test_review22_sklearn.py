"""Review 22, scikit-learn's own conventions run against ThresholdMover and
ResampledClassifier (estimator checks, metadata-routing suite, the
TunedThresholdClassifierCV tests): the differences found, fixed."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import IsolationForest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


@pytest.fixture(scope="module")
def data():
    return make_classification(200, 4, weights=[0.8], random_state=0)


class _FitsButHasNoClasses(BaseEstimator):
    """Fits (no estimator type in its tags) but is not a classifier."""

    def fit(self, X, y):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


class _RecordingRegressor(LinearRegression):
    fits: list = []

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(len(X))
        return super().fit(X, y, sample_weight)

    def predict_proba(self, X):  # passes ThresholdMover's parameter check
        return np.full((len(X), 2), 0.5)


@pytest.mark.parametrize(
    "estimator, kind",
    [
        (GaussianMixture(2, random_state=0), "density estimator"),
        (IsolationForest(random_state=0), "outlier detector"),
        (make_pipeline(StandardScaler(), _RecordingRegressor()), "regressor"),
    ],
)
@pytest.mark.parametrize("strategy", ["prior", "fixed", "tuned"])
def test_threshold_mover_refuses_a_non_classifier_before_fitting(
    data, estimator, kind, strategy
):
    # Was an AttributeError on classes_, after fitting the estimator.
    X, y = data
    _RecordingRegressor.fits = []
    with pytest.raises(ValueError, match=f"is an? {kind}, not a classifier"):
        ThresholdMover(estimator, strategy).fit(X, y)
    assert _RecordingRegressor.fits == []


def test_threshold_mover_refuses_a_frozen_non_classifier(data):
    # Was NotFittedError "is not fitted" for a fitted GaussianMixture.
    X, y = data
    frozen = FrozenEstimator(GaussianMixture(2, random_state=0).fit(X))
    with pytest.raises(ValueError, match="density estimator, not a classifier"):
        ThresholdMover(frozen).fit(X, y)


@pytest.mark.parametrize("frozen", [False, True])
def test_threshold_mover_refuses_a_fitted_model_without_classes(data, frozen):
    X, y = data
    estimator = _FitsButHasNoClasses()
    if frozen:
        estimator = FrozenEstimator(estimator.fit(X, y))
    with pytest.raises(ValueError, match="no classes_ once fitted"):
        ThresholdMover(estimator).fit(X, y)


def test_resampled_classifier_refuses_a_regressor_before_resampling(data):
    X, y = data
    _RecordingRegressor.fits = []
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), _RecordingRegressor()
    )
    with pytest.raises(ValueError, match="classifier=.*is a regressor, not a"):
        model.fit(X, y)
    assert _RecordingRegressor.fits == []


def test_resampled_classifier_refuses_a_model_without_classes(data):
    X, y = data
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), _FitsButHasNoClasses()
    )
    with pytest.raises(ValueError, match="classifier=.*no classes_ once fitted"):
        model.fit(X, y)


def test_tuned_refuses_a_fold_without_validation_rows(data):
    # An empty validation fold scored every threshold 0 (or NaN): it either
    # dragged the mean down evenly or ended in "NaN at every threshold".
    X, y = data
    folds = list(StratifiedKFold(3).split(X, y))
    folds.append((np.arange(len(y)), np.array([], dtype=int)))

    class _TakesEmpty(LogisticRegression):
        def predict_proba(self, X):
            X = np.asarray(X)
            if X.shape[0] == 0:
                return np.empty((0, 2))
            return super().predict_proba(X)

    with pytest.raises(ValueError, match="fold 3 no validation rows"):
        ThresholdMover(_TakesEmpty(), "tuned", cv=folds, scoring="accuracy").fit(X, y)


def test_tuned_refuses_an_all_false_training_mask(data):
    X, y = data
    folds = [(np.zeros(len(y), bool), np.ones(len(y), bool))]
    with pytest.raises(ValueError, match="fold 0 no training rows"):
        ThresholdMover(LogisticRegression(), "tuned", cv=folds).fit(X, y)


def test_cloned_train_priors_sampler_error_names_frozen_estimator(data):
    X, y = data
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    mover = ThresholdMover(
        LogisticRegression(), "argmax", train_priors=sampler, deploy_priors="train"
    )
    with pytest.raises(ValueError, match="FrozenEstimator"):
        clone(mover).fit(X, y)
    # The fix the message gives works through cross-validation.
    frozen = clone(mover).set_params(train_priors=FrozenEstimator(sampler))
    assert clone(frozen).fit(X, y).train_priors_.tolist() == [0.5, 0.5]


def test_cloned_train_priors_classifier_error_names_frozen_estimator(data):
    X, y = data
    fitted = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, y)
    mover = ThresholdMover(
        LogisticRegression(), "argmax", train_priors=fitted, deploy_priors="train"
    )
    with pytest.raises(ValueError, match="FrozenEstimator"):
        cross_val_score(mover, X, y, cv=2, error_score="raise")
    mover.set_params(train_priors=FrozenEstimator(fitted))
    assert np.isfinite(cross_val_score(mover, X, y, cv=2)).all()
