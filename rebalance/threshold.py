"""Threshold moving and prior correction around any probabilistic classifier.

:class:`ThresholdMover` turns a classifier's scores into decisions with a rule
chosen for imbalanced data (balanced priors, a fixed or cross-validated
threshold, a cost matrix), after optionally moving its probabilities from the
class priors it was trained at to the priors it is deployed at.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from rebalance._metadata import take_row_aligned
from rebalance._priors import (
    adjust_priors,
    check_priors,
    class_positions,
    class_priors,
    em_priors,
)
from rebalance._validation import encode_labels, take_rows

__all__ = ["ThresholdMover", "adjust_priors", "em_priors", "g_mean_score"]

STRATEGIES = ("prior", "argmax", "fixed", "cost", "tuned")
# Strategies whose rule reads probabilities; 'fixed' and 'tuned' only need
# an ordering and also work on decision_function.
_PROBABILITY_STRATEGIES = frozenset({"prior", "argmax", "cost"})


def g_mean_score(y_true: Any, y_pred: Any) -> float:
    """Geometric mean of the per-class recalls (sqrt(TPR · TNR) when binary).

    Examples
    --------
    >>> from rebalance.threshold import g_mean_score
    >>> g_mean_score([0, 0, 1, 1], [0, 1, 1, 1])
    0.7071...
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    recalls = [np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]
    return float(np.prod(recalls) ** (1 / len(recalls)))


def _estimator_has(method: str):
    def check(self) -> bool:
        getattr(getattr(self, "estimator_", self.estimator), method)
        return True

    return check


def _resampled_classifier(estimator: Any) -> Any:
    """The fitted ResampledClassifier in ``estimator`` (itself, or a pipeline's
    last step), or None."""
    if isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator if hasattr(estimator, "resampled_priors_") else None


class ThresholdMover(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Move a classifier's decision threshold, and its priors, for imbalanced data.

    ``fit`` fits a clone of ``estimator``, or uses it as it is when it is
    already fitted and wrapped in :class:`sklearn.frozen.FrozenEstimator`;
    ``predict_proba`` returns its probabilities, moved to the deployment priors
    when ``deploy_priors`` is set; ``predict`` applies the decision rule of
    ``strategy``.

    Prior correction: a classifier trained where class ``c`` has prior π'_c
    (for example after under-sampling to 1:1) and deployed where it has prior
    π_c should predict p_c ∝ p'_c · π_c / π'_c. ``train_priors`` gives π',
    ``deploy_priors`` gives π; ``deploy_priors='em'`` estimates π from the rows
    being predicted (Saerens, Latinne & Decaestecker 2002).

    Parameters
    ----------
    estimator : classifier instance
        A classifier with ``predict_proba`` (or, for ``'fixed'`` and
        ``'tuned'``, ``decision_function``). Cloned and fitted in ``fit``.
        A classifier that is already fitted goes in
        ``FrozenEstimator(classifier)`` (``sklearn.frozen``): it is used as it
        is, never refitted, and stays fitted through ``clone``,
        ``cross_validate`` and grid searches.
    strategy : {'prior', 'argmax', 'fixed', 'cost', 'tuned'}, default='prior'
        The decision rule:

        * ``'prior'``: decide at balanced priors, argmax_c p_c / π'_c (binary:
          positive when p / (1 − p) > n⁺ / n⁻ of the training set);
        * ``'argmax'``: the most probable class of ``predict_proba`` (use it
          with ``deploy_priors`` to correct a resampled model);
        * ``'fixed'``: binary, positive when the score of ``pos_label`` is at
          least ``threshold``;
        * ``'cost'``: the Bayes-optimal decision for ``cost_matrix``,
          argmin_j Σ_i p_i cost[i, j] (Elkan 2001);
        * ``'tuned'``: thresholds chosen by cross-validation to maximise
          ``scoring``. Binary: one threshold on the score of ``pos_label``.
          Multiclass: one threshold t_c per class, each tuned one-vs-rest;
          the prediction is argmax_c (s_c − t_c), which for two classes is the
          binary rule.
    threshold : float or 'auto', default='auto'
        ``'fixed'`` only. ``'auto'``: 0.5 on probabilities, 0 on
        ``decision_function``. Must lie in [0, 1] on probabilities.
    pos_label : int, float, bool, str or None, default=None
        The positive class of binary ``'fixed'`` and ``'tuned'``; ``None``
        means the last class of ``classes_``.
    cost_matrix : array-like of shape (n_classes, n_classes), default=None
        ``'cost'`` only: ``cost_matrix[i, j]`` is the cost of predicting
        ``classes_[j]`` when the truth is ``classes_[i]``; finite and >= 0.
    scoring : str or callable, default='balanced_accuracy'
        ``'tuned'`` only: the metric to maximise; a scikit-learn scorer name
        (``'f1'``, ``'balanced_accuracy'``, ...), ``'g_mean'``, or a scorer
        ``scorer(estimator, X, y)``. It is computed on binary labels (1 = the
        positive class, or the class being tuned one-vs-rest).
    thresholds : int or array-like, default=100
        ``'tuned'`` only: the number of candidate thresholds, evenly spaced
        between the lowest and highest cross-validated score, or the
        candidates themselves.
    cv : int, cross-validation generator or iterable, default=5
        ``'tuned'`` only: the folds (an int is a stratified k-fold). With a
        ``FrozenEstimator``, which cannot be refitted per fold, the thresholds
        are tuned on all the data given to ``fit`` and ``cv`` is not used.
    train_priors : 'auto', array-like, dict, fitted sampler or ResampledClassifier, \
default='auto'
        π', the class priors the estimator's probabilities are calibrated to.
        ``'auto'``: the ``resampled_priors_`` of the estimator when it is a
        :class:`rebalance.ResampledClassifier` (or a pipeline ending in one),
        else the priors of ``y`` in
        ``fit``. An array follows ``classes_``; a dict maps class to prior. A
        fitted rebalance sampler gives the priors of the rows it drew
        (``y[sample_indices_]``, with ``y`` the labels given to ``fit``); a
        fitted ResampledClassifier gives its ``resampled_priors_`` (wrap a
        fitted sampler or classifier in ``FrozenEstimator`` to keep it fitted
        through ``clone``).
    deploy_priors : None, 'train', 'em', array-like or dict, default=None
        π, the priors to move the probabilities to. ``None``: no correction;
        ``'train'``: the priors of ``y`` in ``fit`` (before any resampling);
        ``'em'``: estimated at predict time from the rows being predicted
        (so a prediction depends on its batch; use large batches).
    response_method : {'auto', 'predict_proba', 'decision_function'}, \
default='auto'
        The scores to threshold. ``'auto'``: ``predict_proba`` when the
        estimator has it, else ``decision_function``.
    prefit : bool, default=False
        Use ``estimator`` as it is (it must be fitted); ``fit`` then only
        computes the priors and, for ``'tuned'``, the thresholds.

        .. deprecated:: 0.1
            ``prefit=True`` does not survive ``clone`` (so neither
            ``cross_validate`` nor a grid search) and gives a
            ``FutureWarning``; use ``ThresholdMover(FrozenEstimator(clf))``.

    Attributes
    ----------
    estimator_ : classifier instance
        The fitted classifier (``estimator`` itself when it is a
        ``FrozenEstimator`` or ``prefit=True``).
    classes_ : ndarray of shape (n_classes,)
    train_priors_ : ndarray of shape (n_classes,)
        π' in ``classes_`` order.
    deploy_priors_ : ndarray of shape (n_classes,) or None
        π in ``classes_`` order; ``None`` without correction or with ``'em'``.
    threshold_ : float or ndarray of shape (n_classes,)
        ``'fixed'`` and ``'tuned'``: the threshold(s) ``predict`` applies.
    best_score_ : float or ndarray of shape (n_classes,)
        ``'tuned'``: the mean cross-validated score at ``threshold_`` (per
        class one-vs-rest when multiclass).
    cv_results_ : dict
        ``'tuned'``: ``{'thresholds': (n_classes, n) candidates,
        'scores': (n_classes, n) mean scores}`` (one row when binary).
    response_method_ : str
        ``'predict_proba'`` or ``'decision_function'``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    See Also
    --------
    sklearn.model_selection.FixedThresholdClassifier
    sklearn.model_selection.TunedThresholdClassifierCV : binary only.
    rebalance.ResampledClassifier : Resample, then fit; exposes the priors.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from rebalance import ThresholdMover
    >>> rng = np.random.default_rng(0)
    >>> y = (rng.random(400) < 0.1).astype(int)
    >>> X = rng.normal(size=(400, 1)) + 1.5 * y[:, None]
    >>> plain = LogisticRegression().fit(X, y)
    >>> moved = ThresholdMover(LogisticRegression(), strategy="prior").fit(X, y)
    >>> moved.train_priors_.round(3)
    array([0.895, 0.105])
    >>> int(plain.predict(X).sum()) < int(moved.predict(X).sum())
    True
    >>> cost = ThresholdMover(
    ...     LogisticRegression(), strategy="cost", cost_matrix=[[0, 1], [5, 0]]
    ... ).fit(X, y)
    >>> cost.predict(X[:4])
    array([0, 0, 1, 1])

    After under-sampling, move the probabilities back to the real priors:

    >>> from rebalance import RandomUnderSampler, ResampledClassifier
    >>> under = ResampledClassifier(
    ...     RandomUnderSampler(random_state=0), LogisticRegression()
    ... )
    >>> corrected = ThresholdMover(
    ...     under, strategy="argmax", deploy_priors="train"
    ... ).fit(X, y)
    >>> corrected.train_priors_, corrected.deploy_priors_.round(3)
    (array([0.5, 0.5]), array([0.895, 0.105]))

    A classifier that is already fitted is used as it is through
    :class:`sklearn.frozen.FrozenEstimator`, which ``clone`` keeps fitted:

    >>> from sklearn.base import clone
    >>> from sklearn.frozen import FrozenEstimator
    >>> frozen = ThresholdMover(FrozenEstimator(plain), "fixed", threshold=0.3)
    >>> clone(frozen).fit(X, y).estimator_.estimator is plain
    True
    """

    _parameter_constraints: dict = {
        "estimator": [
            HasMethods(["fit", "predict_proba"]),
            HasMethods(["fit", "decision_function"]),
        ],
        "strategy": [StrOptions(set(STRATEGIES))],
        "threshold": [StrOptions({"auto"}), Real],
        "pos_label": [Real, str, "boolean", None],
        "cost_matrix": ["array-like", None],
        "scoring": [StrOptions(set(get_scorer_names()) | {"g_mean"}), callable],
        "thresholds": [Interval(Integral, 2, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "train_priors": [
            StrOptions({"auto"}),
            "array-like",
            Mapping,
            HasMethods(["fit_resample"]),
            HasMethods(["predict"]),
        ],
        "deploy_priors": [StrOptions({"train", "em"}), "array-like", Mapping, None],
        "response_method": [StrOptions({"auto", "predict_proba", "decision_function"})],
        "prefit": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        strategy="prior",
        *,
        threshold="auto",
        pos_label=None,
        cost_matrix=None,
        scoring="balanced_accuracy",
        thresholds=100,
        cv=5,
        train_priors="auto",
        deploy_priors=None,
        response_method="auto",
        prefit=False,
    ):
        self.estimator = estimator
        self.strategy = strategy
        self.threshold = threshold
        self.pos_label = pos_label
        self.cost_matrix = cost_matrix
        self.scoring = scoring
        self.thresholds = thresholds
        self.cv = cv
        self.train_priors = train_priors
        self.deploy_priors = deploy_priors
        self.response_method = response_method
        self.prefit = prefit

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any):
        """Check the parameters, fit the estimator and set the decision rule.

        Every parameter is checked against the labels before the estimator is
        fitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Passed to the estimator as it is.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights the priors of ``y``, and is passed to the estimator's
            ``fit`` (with metadata routing on: when the estimator requests it
            with ``set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Without metadata routing: passed to the estimator's ``fit``. With
            ``sklearn.set_config(enable_metadata_routing=True)``: routed to the
            estimator's ``fit`` and to the ``cv`` splitter's ``split`` (e.g.
            ``groups`` for a ``GroupKFold``), as each requests them. With
            ``strategy='tuned'``, every parameter with one value per row is
            split across the folds with the rows; the rest is passed as it is.

        Returns
        -------
        self : object
        """
        if y is None:
            raise ValueError(
                "This ThresholdMover estimator requires y to be passed, but the "
                "target y is None. Pass the class labels as y."
            )
        labels, y_1d, one_hot = encode_labels(y)
        if one_hot:
            raise ValueError(
                "y is a 2-D one-hot matrix: pass one class label per row, shape "
                "(n_samples,), e.g. y.argmax(axis=1)."
            )
        if labels.n_classes < 2:
            only = labels.classes[:1].tolist()[0]
            raise ValueError(
                f"y has one class only ({only!r}): a classifier needs "
                "at least 2 classes. Check the labels, or use a stratified split."
            )
        frozen = self._uses_fitted_estimator()
        classes = self._classes_before_fit(labels.classes, frozen)
        response = self._check_response_method()
        checked = self._check_strategy_params(classes, response)
        self._check_prior_params(classes, response, labels.n_samples)
        estimator_params, split_params = self._route_fit_params(
            sample_weight, fit_params
        )

        if frozen:
            estimator = self.estimator
        else:
            estimator = clone(self.estimator).fit(X, y, **estimator_params)
            if len(estimator.classes_) != len(classes) or not np.all(
                class_positions(estimator.classes_, classes, "estimator.classes_")
                == np.arange(len(classes))
            ):
                raise ValueError(
                    f"The fitted estimator's classes_ {list(estimator.classes_)} "
                    f"are not the sorted classes of y {list(classes)}."
                )
        self.estimator_ = estimator
        self.classes_ = np.asarray(estimator.classes_)
        self.response_method_ = response
        train, deploy = self._priors_for(estimator, y_1d, sample_weight)
        self.train_priors_ = train
        self.deploy_priors_ = None if isinstance(deploy, str) else deploy
        self._deploy = deploy
        if self.strategy == "fixed":
            self.threshold_ = checked
        elif self.strategy == "cost":
            self.cost_matrix_ = checked
        elif self.strategy == "tuned":
            self._tune(
                X, y_1d, sample_weight, estimator_params, split_params, checked, frozen
            )
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                setattr(self, name, getattr(estimator, name))
        return self

    def _uses_fitted_estimator(self) -> bool:
        """Whether ``estimator`` is used as it is (FrozenEstimator, or prefit)."""
        if self.prefit:
            warnings.warn(
                "prefit=True is deprecated and will be removed in a future "
                "release: wrap the fitted classifier in "
                "sklearn.frozen.FrozenEstimator instead, "
                "ThresholdMover(FrozenEstimator(clf), ...), which also survives "
                "clone and cross_validate.",
                FutureWarning,
                stacklevel=4,
            )
            return True
        return isinstance(self.estimator, FrozenEstimator)

    def _route_fit_params(self, sample_weight: Any, fit_params: dict):
        """(estimator ``fit`` params, splitter ``split`` params) for ``fit``."""
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        if not _routing_enabled():
            return params, {}
        routed = process_routing(self, "fit", **params)
        return dict(routed["estimator"]["fit"]), dict(routed["splitter"]["split"])

    def get_metadata_routing(self):
        """Metadata routing of this object (see scikit-learn's metadata routing).

        ``fit`` uses ``sample_weight`` itself (the priors of ``y``) and routes
        metadata to the estimator's ``fit`` and the ``cv`` splitter's
        ``split``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=self.cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def _classes_before_fit(self, y_classes: np.ndarray, frozen: bool) -> np.ndarray:
        y_classes = np.asarray(y_classes)
        if not frozen:
            try:
                return y_classes[np.argsort(y_classes, kind="stable")]
            except TypeError:
                return y_classes
        try:
            check_is_fitted(self.estimator, "classes_")
        except NotFittedError as exc:
            fix = (
                "fit it first, or use prefit=False to let ThresholdMover fit it"
                if self.prefit
                else "fit it before wrapping it in FrozenEstimator, or pass it "
                "unwrapped to let ThresholdMover fit it"
            )
            raise NotFittedError(
                f"{type(self.estimator).__name__} is used as it is "
                f"({'prefit=True' if self.prefit else 'FrozenEstimator'}) but is "
                f"not fitted: {fix}."
            ) from exc
        classes = np.asarray(self.estimator.classes_)
        class_positions(y_classes, classes, "y")
        return classes

    def _check_response_method(self) -> str:
        has_proba = hasattr(self.estimator, "predict_proba")
        has_decision = hasattr(self.estimator, "decision_function")
        name = type(self.estimator).__name__
        response = self.response_method
        if response == "auto":
            response = "predict_proba" if has_proba else "decision_function"
        if response == "predict_proba" and not has_proba:
            raise ValueError(
                f"response_method='predict_proba' but {name} has no predict_proba. "
                "Wrap it in sklearn.calibration.CalibratedClassifierCV, or use "
                "response_method='decision_function'."
            )
        if response == "decision_function" and not has_decision:
            raise ValueError(
                f"response_method='decision_function' but {name} has no "
                "decision_function; use response_method='predict_proba'."
            )
        if response == "decision_function":
            needs = None
            if self.strategy in _PROBABILITY_STRATEGIES:
                needs = f"strategy={self.strategy!r}"
            elif self.deploy_priors is not None:
                needs = f"deploy_priors={self.deploy_priors!r}"
            if needs is not None:
                fix = (
                    "use response_method='predict_proba'"
                    if has_proba
                    else "wrap it in sklearn.calibration.CalibratedClassifierCV"
                )
                raise ValueError(
                    f"{needs} needs class probabilities but the scores of {name} "
                    f"are decision_function values: {fix}, or use strategy "
                    "'fixed' or 'tuned' without deploy_priors."
                )
        return response

    def _check_strategy_params(self, classes: np.ndarray, response: str) -> Any:
        """Check the parameters of ``strategy``; return what ``fit`` stores."""
        strategy = self.strategy
        n_classes = len(classes)
        if self.cost_matrix is not None and strategy != "cost":
            raise ValueError(
                f"cost_matrix is only used by strategy='cost' (got "
                f"strategy={strategy!r}); drop it or set strategy='cost'."
            )
        if self.threshold != "auto" and strategy != "fixed":
            raise ValueError(
                f"threshold is only used by strategy='fixed' (got "
                f"strategy={strategy!r}); drop it or set strategy='fixed'."
            )
        binary_rule = strategy == "fixed" or (strategy == "tuned" and n_classes == 2)
        if self.pos_label is not None:
            if not binary_rule:
                raise ValueError(
                    "pos_label is only used by binary strategy='fixed' or 'tuned'; "
                    "drop it."
                )
            class_positions(np.asarray([self.pos_label]), classes, "pos_label")
        if strategy == "fixed":
            if n_classes != 2:
                raise ValueError(
                    f"strategy='fixed' is for binary problems and y has {n_classes} "
                    "classes: use strategy='tuned' (one threshold per class) or "
                    "'cost'."
                )
            if self.threshold == "auto":
                return 0.5 if response == "predict_proba" else 0.0
            if response == "predict_proba" and not 0 <= self.threshold <= 1:
                raise ValueError(
                    f"threshold={self.threshold} is outside [0, 1] but the scores "
                    "are probabilities: pass a probability, or "
                    "response_method='decision_function' to threshold raw scores."
                )
            return float(self.threshold)
        if strategy == "cost":
            return self._check_cost_matrix(classes)
        if strategy == "tuned":
            _check_label_metric(self.scoring)
        if strategy == "tuned" and not isinstance(self.thresholds, Integral):
            grid = np.asarray(self.thresholds, dtype=np.float64)
            if grid.ndim != 1 or grid.shape[0] == 0 or not np.isfinite(grid).all():
                raise ValueError(
                    "thresholds must be an int or a 1-D array of finite candidate "
                    f"thresholds; got {self.thresholds!r}."
                )
            if response == "predict_proba" and ((grid < 0) | (grid > 1)).any():
                raise ValueError(
                    "thresholds has values outside [0, 1] but the scores are "
                    "probabilities: pass probabilities, or "
                    "response_method='decision_function'."
                )
            return np.sort(grid)
        return None

    def _check_cost_matrix(self, classes: np.ndarray) -> np.ndarray:
        n_classes = len(classes)
        if self.cost_matrix is None:
            raise ValueError(
                "strategy='cost' needs cost_matrix: an (n_classes, n_classes) array "
                "where cost_matrix[i, j] is the cost of predicting class j when the "
                "truth is class i."
            )
        try:
            cost = np.asarray(self.cost_matrix, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"cost_matrix must be a numeric (n_classes, n_classes) array: {exc}"
            ) from exc
        if cost.shape != (n_classes, n_classes):
            raise ValueError(
                f"cost_matrix has shape {cost.shape} but y has {n_classes} classes "
                f"{list(classes)}: pass a ({n_classes}, {n_classes}) array, rows = "
                "true class, columns = predicted class, both in this order."
            )
        if not np.isfinite(cost).all() or (cost < 0).any():
            raise ValueError(
                "cost_matrix must hold finite, non-negative costs (no NaN, inf or "
                "negative entries); shift it by its minimum if needed, which does "
                "not change the decisions."
            )
        return cost

    def _check_prior_params(
        self, classes: np.ndarray, response: str, n_samples: int
    ) -> None:
        source = self.train_priors
        if isinstance(source, str):
            pass
        elif hasattr(source, "fit_resample"):
            indices = getattr(source, "sample_indices_", None)
            if indices is None:
                raise ValueError(
                    f"train_priors={type(source).__name__}(...) has no "
                    "sample_indices_: pass a rebalance sampler after calling its "
                    "fit_resample on the labels given to this fit."
                )
            if len(indices) and int(np.max(indices)) >= n_samples:
                raise ValueError(
                    f"train_priors sampler drew row {int(np.max(indices))} but y "
                    f"has {n_samples} rows: fit the sampler on the same y as "
                    "ThresholdMover."
                )
        elif hasattr(source, "predict"):
            if not hasattr(source, "resampled_priors_"):
                raise ValueError(
                    f"train_priors={type(source).__name__}(...) has no "
                    "resampled_priors_: pass a fitted ResampledClassifier, a fitted "
                    "rebalance sampler, or the priors as an array."
                )
            self._aligned_priors(source, classes, "train_priors")
        else:
            check_priors(source, classes, "train_priors", positive=True)
        if self.deploy_priors is not None and not isinstance(self.deploy_priors, str):
            check_priors(self.deploy_priors, classes, "deploy_priors")

    @staticmethod
    def _aligned_priors(source: Any, classes: np.ndarray, name: str) -> np.ndarray:
        """``source.resampled_priors_`` reordered to ``classes``."""
        own = np.asarray(source.classes_)
        if len(own) != len(classes):
            raise ValueError(
                f"{name} has classes {list(own)} but y has {list(classes)}: they "
                "must be fitted on the same labels."
            )
        positions = class_positions(own, classes, name)
        priors = np.empty(len(classes), dtype=np.float64)
        priors[positions] = source.resampled_priors_
        return check_priors(priors, classes, name, positive=True)

    def _priors_for(
        self, estimator: Any, y: Any, sample_weight: Any
    ) -> tuple[np.ndarray, Any]:
        """(π', π) for an estimator fitted on ``y``; π is an array, 'em' or None."""
        classes = np.asarray(estimator.classes_)
        source = self.train_priors
        if isinstance(source, str):
            resampled = _resampled_classifier(estimator)
            if resampled is not None:
                train = self._aligned_priors(resampled, classes, "estimator")
            else:
                train = class_priors(y, classes, sample_weight)
                if (train <= 0).any():
                    missing = classes[train <= 0].tolist()
                    raise ValueError(
                        f"y has no rows of the classes {missing}, so their training "
                        "priors are unknown: pass train_priors explicitly."
                    )
        elif hasattr(source, "fit_resample"):
            drawn = take_rows(y, np.asarray(source.sample_indices_))
            train = check_priors(
                class_priors(drawn, classes), classes, "train_priors", positive=True
            )
        elif hasattr(source, "predict"):
            train = self._aligned_priors(source, classes, "train_priors")
        else:
            train = check_priors(source, classes, "train_priors", positive=True)
        deploy = self.deploy_priors
        if isinstance(deploy, str):
            if deploy == "train":
                deploy = class_priors(y, classes, sample_weight)
        elif deploy is not None:
            deploy = check_priors(deploy, classes, "deploy_priors")
        return train, deploy

    # --------------------------------------------------------------- tuning

    def _tune(
        self, X, y, sample_weight, fit_params, split_params, grid, frozen
    ) -> None:
        classes = self.classes_
        if frozen:
            # A fitted estimator is not refitted per fold: tune on all rows.
            folds = [(self.estimator_, y, self._scores(self.estimator_, X)[0])]
        else:
            cv = check_cv(self.cv, y, classifier=True)
            # Sparse formats without row indexing (COO, DOK, ...) become CSR.
            (X,) = indexable(X)
            n_samples = len(y)
            folds = []
            for train_idx, val_idx in cv.split(X, y, **split_params):
                params = take_row_aligned(fit_params, train_idx, n_samples)
                weights = None
                if sample_weight is not None:
                    weights = take_rows(sample_weight, train_idx)
                y_train = take_rows(y, train_idx)
                model = clone(self.estimator).fit(
                    take_rows(X, train_idx), y_train, **params
                )
                train, deploy = self._priors_for(model, y_train, weights)
                if not isinstance(self.train_priors, str):
                    # Priors given by the user or read from a fitted object
                    # describe the whole training set, folds included.
                    train = self.train_priors_
                priors = (train, deploy)
                scores = self._scores(model, take_rows(X, val_idx), priors)[0]
                folds.append((model, take_rows(y, val_idx), scores))
        columns = [self._pos_index()] if len(classes) == 2 else range(len(classes))
        metric = _metric(self.scoring)
        all_thresholds, all_scores = [], []
        for c in columns:
            fold_scores = [s[:, c] for _, _, s in folds]
            candidates = grid
            if candidates is None:
                low = min(s.min() for s in fold_scores)
                high = max(s.max() for s in fold_scores)
                if np.isclose(low, high):
                    raise ValueError(
                        f"The estimator gives every row the same score for class "
                        f"{classes[c]!r}: there is no threshold to tune. Check the "
                        "estimator, or use another strategy."
                    )
                candidates = np.linspace(low, high, self.thresholds)
            mean_scores = np.mean(
                [
                    metric(np.asarray(y_val) == classes[c], s, candidates)
                    for (_, y_val, _), s in zip(folds, fold_scores)
                ],
                axis=0,
            )
            all_thresholds.append(candidates)
            all_scores.append(mean_scores)
        best = [int(np.argmax(s)) for s in all_scores]
        thresholds = np.array([t[b] for t, b in zip(all_thresholds, best)])
        scores = np.array([s[b] for s, b in zip(all_scores, best)])
        binary = len(classes) == 2
        self.threshold_ = float(thresholds[0]) if binary else thresholds
        self.best_score_ = float(scores[0]) if binary else scores
        self.cv_results_ = {
            "thresholds": np.array(all_thresholds),
            "scores": np.array(all_scores),
        }

    def _pos_index(self) -> int:
        if self.pos_label is None:
            return len(self.classes_) - 1
        return int(class_positions([self.pos_label], self.classes_, "pos_label")[0])

    # ------------------------------------------------------------ predicting

    def _scores(self, estimator: Any, X: Any, priors: tuple | None = None):
        """(scores per class, raw probabilities or None) of ``estimator`` on X.

        Probabilities are moved to the deployment priors when set.
        """
        if self.response_method_ == "decision_function":
            scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            return scores, None
        if priors is None:
            priors = (self.train_priors_, self._deploy)
        train, deploy = priors
        raw = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        if deploy is None:
            return raw, raw
        if isinstance(deploy, str):
            deploy = em_priors(raw, train)
        return adjust_priors(raw, train, deploy), raw

    def predict(self, X: Any) -> np.ndarray:
        """Class labels by the decision rule of ``strategy``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimator_")
        scores, raw = self._scores(self.estimator_, X)
        strategy = self.strategy
        if strategy == "argmax":
            best = scores.argmax(axis=1)
        elif strategy == "prior":
            # Balanced priors: independent of any deployment prior.
            best = (raw / self.train_priors_).argmax(axis=1)
        elif strategy == "cost":
            best = (scores @ self.cost_matrix_).argmin(axis=1)
        elif len(self.classes_) == 2:
            pos = self._pos_index()
            best = np.where(scores[:, pos] >= self.threshold_, pos, 1 - pos)
        else:
            best = (scores - self.threshold_).argmax(axis=1)
        return self.classes_[best]

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, at ``deploy_priors`` when set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimator_")
        if self.response_method_ == "predict_proba":
            return self._scores(self.estimator_, X)[0]
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The estimator's own ``decision_function``, unchanged."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = copy.deepcopy(get_tags(self.estimator).input_tags)
        return tags


# ------------------------------------------------------------------- metrics


# Metrics computed for every candidate threshold at once from the confusion
# counts; any other scorer is called once per threshold.
def _vectorised(name: str):
    def metric(truth: np.ndarray, scores: np.ndarray, thresholds: np.ndarray):
        positive = scores[None, :] >= thresholds[:, None]
        truth = truth.astype(bool)
        tp = (positive & truth).sum(axis=1).astype(np.float64)
        fp = (positive & ~truth).sum(axis=1).astype(np.float64)
        n_pos = float(truth.sum())
        n_neg = float(truth.shape[0] - n_pos)
        fn = n_pos - tp
        tn = n_neg - fp
        with np.errstate(divide="ignore", invalid="ignore"):
            tpr = np.where(n_pos > 0, tp / max(n_pos, 1), 0.0)
            tnr = np.where(n_neg > 0, tn / max(n_neg, 1), 0.0)
            if name == "f1":
                value = np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
            elif name == "balanced_accuracy":
                value = (tpr + tnr) / 2
            elif name == "g_mean":
                value = np.sqrt(tpr * tnr)
            elif name == "accuracy":
                value = (tp + tn) / truth.shape[0]
            elif name == "recall":
                value = tpr
            else:  # precision
                value = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
        return value

    return metric


_VECTORISED = ("f1", "balanced_accuracy", "g_mean", "accuracy", "recall", "precision")


class _FixedPredictions(ClassifierMixin, BaseEstimator):
    """A stand-in classifier whose predictions are given, to call any scorer."""

    def __init__(self, predictions=None):
        self.predictions = predictions
        self.classes_ = np.array([0, 1])

    def predict(self, X):
        return self.predictions


def _check_label_metric(scoring: Any) -> None:
    """Raise if ``scoring`` cannot score predicted labels (e.g. 'roc_auc')."""
    try:
        _metric(scoring)(np.array([0, 1]), np.array([0.0, 1.0]), np.array([0.5]))
    except (AttributeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"scoring={scoring!r} cannot score predicted labels ({exc}); "
            "strategy='tuned' needs a metric of the predicted classes, such as "
            "'f1', 'balanced_accuracy', 'g_mean' or make_scorer(fbeta_score, "
            "beta=2). Ranking metrics like 'roc_auc' do not depend on the "
            "threshold."
        ) from exc


def _metric(scoring: Any):
    """``metric(truth, scores, thresholds) -> score per threshold``."""
    if isinstance(scoring, str) and scoring in _VECTORISED:
        return _vectorised(scoring)
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring

    def metric(truth, scores, thresholds):
        truth = truth.astype(int)
        X = np.zeros((truth.shape[0], 1))
        return np.array(
            [
                scorer(_FixedPredictions((scores >= t).astype(int)), X, truth)
                for t in thresholds
            ]
        )

    return metric
