"""Review 30, scikit-learn conventions: precomputed (pairwise) estimators
inside ThresholdMover and ResampledClassifier, and the tags of ThresholdMover
around a binary-only classifier."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.utils import get_tags

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _kernel_data(n=90):
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.35).astype(int)
    features = rng.normal(size=(n, 3)) + 1.5 * y[:, None]
    return features, y


class _KernelProba(ClassifierMixin, BaseEstimator):
    """A classifier on a precomputed kernel: scores each row by its mean
    similarity to the training rows of each class. Its fit checks that the
    kernel is square, and predict that it has one column per training row."""

    def fit(self, X, y):
        X = np.asarray(X)
        assert X.shape[0] == X.shape[1], X.shape
        self.classes_, self._codes = np.unique(y, return_inverse=True)
        self._n_train = X.shape[0]
        return self

    def predict_proba(self, X):
        X = np.asarray(X)
        assert X.shape[1] == self._n_train, X.shape
        means = np.column_stack(
            [X[:, self._codes == k].mean(axis=1) for k in range(len(self.classes_))]
        )
        means = np.exp(5 * means)
        return means / means.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = True
        return tags


def test_tuned_threshold_on_a_precomputed_kernel_splits_columns_too():
    # The folds of strategy='tuned' took rows only of a precomputed kernel:
    # the fold's estimator got a (n_train, n) matrix, not its (n_train,
    # n_train) kernel ("Precomputed matrix must be a square matrix").
    features, y = _kernel_data()
    K = rbf_kernel(features)
    mover = ThresholdMover(_KernelProba(), "tuned", cv=3, thresholds=20).fit(K, y)
    assert 0.0 <= mover.threshold_ <= 1.0
    assert mover.predict(K).shape == (len(y),)


def test_tuned_threshold_on_a_precomputed_kernel_matches_manual_folds():
    from sklearn.model_selection import StratifiedKFold

    features, y = _kernel_data()
    K = rbf_kernel(features)
    folds = list(StratifiedKFold(3).split(K, y))
    mover = ThresholdMover(_KernelProba(), "tuned", cv=folds, thresholds=[0.3, 0.5])
    mover.fit(K, y)
    # Each fold's model is fitted on its (train, train) kernel and scores its
    # validation rows against its training rows: the same scores as by hand.
    expected = np.zeros(2)
    for train, val in folds:
        model = _KernelProba().fit(K[np.ix_(train, train)], y[train])
        proba = model.predict_proba(K[np.ix_(val, train)])[:, 1]
        for i, t in enumerate((0.3, 0.5)):
            expected[i] += balanced_accuracy_score(y[val], proba >= t) / len(folds)
    np.testing.assert_allclose(mover.cv_results_["scores"][0], expected)


def test_tuned_svc_precomputed_kernel():
    features, y = _kernel_data()
    K = rbf_kernel(features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # SVC(probability=True)
        mover = ThresholdMover(
            SVC(kernel="precomputed", random_state=0),
            "tuned",
            cv=3,
            response_method="decision_function",
        ).fit(K, y)
    assert np.isfinite(mover.threshold_)


def test_resampled_classifier_refuses_a_precomputed_kernel_before_work():
    # Resampling the rows of a (n, n) kernel leaves its columns alone: the
    # classifier then failed on a non-square matrix, after the sampler ran,
    # with an error naming neither the sampler nor the fix.
    features, y = _kernel_data()
    K = rbf_kernel(features)
    for sampler in (RandomUnderSampler(random_state=0), RandomOverSampler()):
        model = ResampledClassifier(sampler, SVC(kernel="precomputed"))
        with pytest.raises(ValueError, match="pairwise") as info:
            model.fit(K, y)
        assert "sample_indices_" not in vars(model)
        assert "ResampledClassifier" in str(info.value)
        model = ResampledClassifier(sampler, KNeighborsClassifier(metric="precomputed"))
        with pytest.raises(ValueError, match="pairwise"):
            model.fit(K, y)


def test_weights_as_counts_refused_for_a_precomputed_kernel():
    # Repeating rows of a kernel by their counts leaves its columns: the
    # estimator got a non-square matrix.
    features, y = _kernel_data()
    K = rbf_kernel(features)
    counts = np.ones(len(y))
    counts[:5] = 2
    mover = ThresholdMover(KNeighborsClassifier(metric="precomputed"))
    with pytest.raises(TypeError, match="sample_weight"):
        mover.fit(K, y, sample_weight=counts)


def test_threshold_mover_is_binary_only_around_a_binary_only_classifier():
    # ThresholdMover said multi_class=True for every strategy but 'fixed',
    # even around a binary-only classifier (FixedThresholdClassifier).
    inner = FixedThresholdClassifier(LogisticRegression())
    assert get_tags(inner).classifier_tags.multi_class is False
    for strategy in ("prior", "argmax", "tuned"):
        tags = get_tags(ThresholdMover(inner, strategy))
        assert tags.classifier_tags.multi_class is False
    assert get_tags(ThresholdMover(LogisticRegression())).classifier_tags.multi_class
    assert not get_tags(
        ThresholdMover(LogisticRegression(), "fixed")
    ).classifier_tags.multi_class
