"""Review 86 (meta3): rebalance's estimators inside scikit-learn 1.9 and
imbalanced-learn 0.14 meta-estimators.

* ``ResampledClassifier`` around a semi-supervised classifier
  (``SelfTrainingClassifier``, ``LabelSpreading``) fitted on ``y`` with -1
  (unlabeled rows) fails, after the sampler and the classifier have been
  fitted, with "y has classes [-1] that the classifier does not know ...
  Fit the classifier and the priors on the same labels": the user gave no
  priors, and the message says nothing of -1 meaning unlabeled, where
  ``ThresholdMover`` names it and the fixes. Fixed: refused before any fit
  for scikit-learn's semi-supervised models (inside a pipeline too), and
  after the fit for any classifier whose classes leave out the -1 of y.
* Guards: weights and groups routed through ``cross_validate`` into a
  ``ThresholdMover('tuned')`` of a ``ResampledClassifier`` reach the inner
  classifier on the rows they belong to; ``ThresholdMover('tuned')`` gives
  the threshold of scikit-learn's ``TunedThresholdClassifierCV`` on the same
  folds with the same weighted scorer.
"""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import (
    GroupKFold,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _data():
    rng = np.random.default_rng(0)
    y = np.array([0] * 80 + [1] * 20)
    X = rng.normal(size=(100, 3)) + y[:, None]
    w = rng.integers(1, 5, size=100).astype(float)
    return X, y, w


class _Recorder(ClassifierMixin, BaseEstimator):
    """Logistic regression that records the rows, groups and weights it is
    fitted with (in the class-level list ``seen``)."""

    seen: list = []

    def fit(self, X, y, groups=None, sample_weight=None):
        _Recorder.seen.append((np.asarray(X)[:, 0].copy(), groups, sample_weight))
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.mark.parametrize(
    "classifier",
    [LabelSpreading(), SelfTrainingClassifier(LogisticRegression(), max_iter=1)],
    ids=["LabelSpreading", "SelfTrainingClassifier"],
)
def test_semi_supervised_classifier_message_names_unlabeled(classifier):
    X, y, _ = _data()
    y = y.copy()
    y[::2] = -1
    model = ResampledClassifier(RandomUnderSampler(random_state=0), classifier)
    with pytest.raises(ValueError, match="unlabeled") as info:
        model.fit(X, y)
    assert "priors" not in str(info.value)


def test_routed_weights_and_groups_stay_with_their_rows():
    X, y, w = _data()
    groups = np.arange(100) // 5
    _Recorder.seen = []
    with sklearn.config_context(enable_metadata_routing=True):
        inner = _Recorder().set_fit_request(groups=True, sample_weight=True)
        mover = (
            ThresholdMover(
                ResampledClassifier(RandomOverSampler(random_state=0), inner),
                strategy="tuned",
                cv=GroupKFold(3),
            )
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        cross_validate(
            mover,
            X,
            y,
            params={"groups": groups, "sample_weight": w},
            cv=GroupKFold(2),
        )
    assert len(_Recorder.seen) == 8  # 2 outer folds x (3 tuning folds + refit)
    for first_column, seen_groups, seen_weights in _Recorder.seen:
        rows = np.array([np.flatnonzero(X[:, 0] == v)[0] for v in first_column])
        np.testing.assert_array_equal(np.asarray(seen_groups), groups[rows])
        np.testing.assert_array_equal(np.asarray(seen_weights), w[rows])


def test_tuned_threshold_matches_scikit_learn_with_weights():
    X, y, w = _data()
    folds = StratifiedKFold(3)

    def resampled():
        return ResampledClassifier(
            RandomUnderSampler(random_state=0),
            LogisticRegression().set_fit_request(sample_weight=True),
        )

    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(balanced_accuracy_score).set_score_request(
            sample_weight=True
        )
        ours = (
            ThresholdMover(resampled(), strategy="tuned", cv=folds, scoring=scorer)
            .set_fit_request(sample_weight=True)
            .fit(X, y, sample_weight=w)
        )
        peer = TunedThresholdClassifierCV(resampled(), cv=folds, scoring=scorer).fit(
            X, y, sample_weight=w
        )
    assert ours.threshold_ == pytest.approx(peer.best_threshold_)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))


class _DropsUnlabeled(ClassifierMixin, BaseEstimator):
    """A semi-supervised model scikit-learn does not know: -1 is unlabeled."""

    def fit(self, X, y):
        y = np.asarray(y)
        self.model_ = LogisticRegression().fit(X[y != -1], y[y != -1])
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_unlabeled_rows_in_a_pipeline_and_in_any_model_are_named():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _ = _data()
    y = y.copy()
    y[::3] = -1
    piped = make_pipeline(StandardScaler(), LabelSpreading())
    with pytest.raises(ValueError, match="unlabeled rows"):
        ResampledClassifier(RandomUnderSampler(random_state=0), piped).fit(X, y)
    with pytest.raises(ValueError, match="unlabeled rows"):
        ResampledClassifier(RandomUnderSampler(), _DropsUnlabeled()).fit(X, y)
    # The fix the message names works; -1 as a class of a plain model is fine.
    inside = SelfTrainingClassifier(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    ).fit(X, y)
    assert inside.classes_.tolist() == [0, 1]
    plain = np.where(y == -1, -1, 1)
    fitted = ResampledClassifier(RandomUnderSampler(), LogisticRegression())
    assert fitted.fit(X, plain).classes_.tolist() == [-1, 1]
