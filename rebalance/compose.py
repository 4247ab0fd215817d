"""ResampledClassifier: a sampler and a classifier as one scikit-learn classifier."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from rebalance._priors import class_priors

__all__ = ["ResampledClassifier"]


def _classifier_has(method: str):
    """``available_if`` test: the fitted classifier, else the given one, has it."""

    def check(self) -> bool:
        classifier = getattr(self, "classifier_", self.classifier)
        getattr(classifier, method)
        return True

    return check


class ResampledClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Resample the training set, then fit a classifier on it.

    ``fit`` calls ``sampler.fit_resample`` and fits ``classifier`` on the
    result; prediction is the classifier's own, on rows that are never
    resampled. Unlike a sampler, this is a plain classifier: it goes in a
    :class:`sklearn.pipeline.Pipeline`, ``GridSearchCV`` (nested parameters such
    as ``sampler__sampling_strategy``), ``cross_validate`` and ``clone``.

    Parameters
    ----------
    sampler : sampler instance
        Any object with ``fit_resample`` (a rebalance or imbalanced-learn
        sampler); cloned in ``fit``. When ``sample_weight`` is passed to
        ``fit`` it must accept and return it, as the rebalance samplers do.
    classifier : classifier instance
        Cloned and fitted on the resampled rows.

    Attributes
    ----------
    sampler_ : sampler instance
        The fitted clone of ``sampler`` (``sample_indices_``,
        ``sampling_strategy_``).
    classifier_ : classifier instance
        The fitted clone of ``classifier``.
    classes_ : ndarray of shape (n_classes,)
    resampled_priors_ : ndarray of shape (n_classes,)
        Class priors of the rows the classifier was fitted on (weighted by the
        resampled ``sample_weight`` when given), in ``classes_`` order. The
        classifier's probabilities are calibrated to these priors;
        :class:`rebalance.ThresholdMover` reads them to move the probabilities
        back to the real ones.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    See Also
    --------
    rebalance.ThresholdMover : Correct the probabilities for the resampling.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from rebalance import RandomUnderSampler, ResampledClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> X = rng.normal(size=(100, 2)) + y[:, None]
    >>> model = ResampledClassifier(
    ...     RandomUnderSampler(random_state=0), LogisticRegression()
    ... ).fit(X, y)
    >>> model.resampled_priors_
    array([0.5, 0.5])
    >>> model.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"])],
        "classifier": [HasMethods(["fit", "predict"])],
    }

    def __init__(self, sampler, classifier):
        self.sampler = sampler
        self.classifier = classifier

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any):
        """Resample ``X, y`` (and ``sample_weight``) and fit the classifier on them.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Resampled with the rows and passed to the classifier's ``fit``.
        **fit_params : dict
            Passed to the classifier's ``fit``.

        Returns
        -------
        self : object
        """
        if sample_weight is not None and not _accepts_sample_weight(self.sampler):
            raise TypeError(
                f"sample_weight was given but {type(self.sampler).__name__}."
                "fit_resample does not accept sample_weight, so the weights cannot "
                "follow the resampled rows. Use a rebalance sampler, or fit without "
                "sample_weight."
            )
        sampler = clone(self.sampler)
        if sample_weight is None:
            X_res, y_res = sampler.fit_resample(X, y)
            weights_res = None
        else:
            X_res, y_res, weights_res = sampler.fit_resample(
                X, y, sample_weight=sample_weight
            )
            fit_params = {**fit_params, "sample_weight": weights_res}
        classifier = clone(self.classifier).fit(X_res, y_res, **fit_params)
        self.sampler_ = sampler
        self.classifier_ = classifier
        self.classes_ = classifier.classes_
        self.resampled_priors_ = class_priors(y_res, self.classes_, weights_res)
        for source in (sampler, classifier):
            if hasattr(source, "n_features_in_"):
                self.n_features_in_ = source.n_features_in_
                if hasattr(source, "feature_names_in_"):
                    self.feature_names_in_ = source.feature_names_in_
                break
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The fitted classifier's ``predict``."""
        check_is_fitted(self)
        return self.classifier_.predict(X)

    @available_if(_classifier_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """The fitted classifier's ``predict_proba`` (at ``resampled_priors_``)."""
        check_is_fitted(self)
        return self.classifier_.predict_proba(X)

    @available_if(_classifier_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The fitted classifier's ``predict_log_proba``."""
        check_is_fitted(self)
        return self.classifier_.predict_log_proba(X)

    @available_if(_classifier_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The fitted classifier's ``decision_function``."""
        check_is_fitted(self)
        return self.classifier_.decision_function(X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The fitted classifier's ``score`` (accuracy for most classifiers)."""
        check_is_fitted(self)
        return self.classifier_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sampler_tags = get_tags(self.sampler)
        classifier_tags = get_tags(self.classifier)
        tags.input_tags.sparse = (
            sampler_tags.input_tags.sparse and classifier_tags.input_tags.sparse
        )
        tags.input_tags.allow_nan = (
            sampler_tags.input_tags.allow_nan and classifier_tags.input_tags.allow_nan
        )
        tags.input_tags.string = (
            sampler_tags.input_tags.string and classifier_tags.input_tags.string
        )
        tags.input_tags.categorical = classifier_tags.input_tags.categorical
        tags.classifier_tags = classifier_tags.classifier_tags
        return tags


def _accepts_sample_weight(sampler: Any) -> bool:
    try:
        parameters = inspect.signature(sampler.fit_resample).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in parameters
