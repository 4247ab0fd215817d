"""Threshold moving and prior correction around any probabilistic classifier.

:class:`ThresholdMover` turns a classifier's scores into decisions with a rule
chosen for imbalanced data (balanced priors, a fixed or cross-validated
threshold, a cost matrix), after optionally moving its probabilities from the
class priors it was trained at to the priors it is deployed at.

The pieces live beside it: the priors (where they come from, and the
arithmetic: :func:`adjust_priors`, :func:`em_priors`, re-exported here) in
:mod:`rebalance._priors`, the
cross-validated tuning in :mod:`rebalance._tuning`, the metrics in
:mod:`rebalance.metrics` (:func:`g_mean_score`, re-exported here).
"""

from __future__ import annotations

import copy
import reprlib
import warnings
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import (
    HasMethods,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from rebalance._dask import (
    check_paired_params,
    check_paired_rows,
    check_same_selection,
    check_scored_rows,
)
from rebalance._frames import (
    check_unique_columns,
    is_dataframe,
    is_pandas,
    reject_lazy,
    reject_mapping_or_iterator,
    take_rows,
)
from rebalance._labels import (
    as_classifier_target,
    encode_labels,
    label_values,
    meta_target,
    require_two_classes,
)
from rebalance._metadata import (
    _fit_takes,
    check_weight_rows,
    fit_weight_of,
    n_rows,
    tags_of,
    weights_as_rows,
)
from rebalance._priors import (
    DeployPriors,
    _column_labels,
    _names_classes,
    adjust_priors,
    auto_train_priors,
    check_classifier,
    check_fitted_classes,
    class_positions,
    class_priors,
    em_priors,
    final_step,
    given_deploy_priors,
    given_train_priors,
    only_positions,
    text_reordered,
    unlabeled_rows_hint,
)
from rebalance._tuning import (
    best_thresholds,
    check_split_groups,
    check_splitter,
    checked_folds,
    cross_validated_scores,
    unsorted_classes_fix,
)
from rebalance._validation import (
    NumberInterval,
    check_same_length,
    check_sample_weight,
    is_bool,
    validate_params_anyway,
)
from rebalance.base import _array_api_dispatch, _in_namespace_of
from rebalance.metrics import _check_label_metric, g_mean_score

__all__ = ["ThresholdMover", "adjust_priors", "em_priors", "g_mean_score"]

Strategy = Literal["prior", "argmax", "fixed", "cost", "tuned"]
ResponseMethod = Literal["auto", "predict_proba", "decision_function"]
STRATEGIES: tuple[str, ...] = ("prior", "argmax", "fixed", "cost", "tuned")
# Strategies whose rule reads probabilities; 'fixed' and 'tuned' only need
# an ordering and also work on decision_function.
# The most candidate thresholds an int ``thresholds`` may ask for: each one is
# compared with every validation row.
MAX_THRESHOLDS = 10_000

_PROBABILITY_STRATEGIES = frozenset({"prior", "argmax", "cost"})
# Fitted attributes that only some strategies set; a refit drops stale ones.
_STRATEGY_ATTRIBUTES = ("threshold_", "cost_matrix_", "best_score_", "cv_results_")


def _estimator_has(method: str) -> Callable[[ThresholdMover], bool]:
    def check(self: ThresholdMover) -> bool:
        getattr(getattr(self, "estimator_", self.estimator), method)
        return True

    return check


def _pos_index(classes: np.ndarray, pos_label: Any) -> int:
    """Position of the positive class: ``pos_label``'s, or the last class."""
    if pos_label is None:
        return len(classes) - 1
    return _pos_label_position(classes, pos_label)


def _pos_label_position(classes: np.ndarray, pos_label: Any) -> int:
    """Position of ``pos_label`` in ``classes``, or an error naming it."""
    found = class_positions(
        np.asarray([pos_label]),
        classes,
        "pos_label",
        "Pass one of the classes as pos_label, e.g. "
        f"pos_label={np.asarray(classes).tolist()[-1]!r} (of the labels' type).",
    )
    return int(found[0])


def _routed_scorer(scoring: Any) -> Any:
    """The scorer object that metadata routing routes to (one with requests,
    e.g. ``make_scorer(...).set_score_request(...)``), or None: string
    scorings keep the documented rule (weighted by ``sample_weight``)."""
    if isinstance(scoring, str) or not hasattr(scoring, "get_metadata_routing"):
        return None
    return scoring


def _refuse_unset_scorer_weights(
    scorer: Any, params: Mapping[str, Any], score_params: Mapping[str, Any]
) -> None:
    """Raise scikit-learn's ``UnsetMetadataPassedError`` for a ``sample_weight``
    that a scorer taking one has neither requested nor declined.

    scikit-learn >= 1.8 raises it in ``process_routing``; before, a scorer
    lists no metadata until a request is set, and the weights were dropped
    from the tuned metric without a word.
    """
    if "sample_weight" not in params or "sample_weight" in score_params:
        return
    requests = getattr(scorer.get_metadata_routing(), "score", None)
    if "sample_weight" in getattr(requests, "requests", {"sample_weight": None}):
        return  # declined, aliased, or refused by scikit-learn itself
    import inspect

    try:
        takes = "sample_weight" in inspect.signature(scorer._score_func).parameters
    except (AttributeError, TypeError, ValueError):  # not a make_scorer scorer
        return
    if takes:
        from sklearn.exceptions import UnsetMetadataPassedError

        raise UnsetMetadataPassedError(
            message=(
                "[sample_weight] are passed but are not explicitly set as "
                f"requested or not requested for {scorer!r}.score, which is used "
                "within ThresholdMover.fit. Call `.set_score_request("
                "sample_weight=True)` to weight the tuned metric, or "
                "`.set_score_request(sample_weight=False)` to leave it unweighted."
            ),
            unrequested_params={"sample_weight": params["sample_weight"]},
            routed_params={},
        )


def _binary_labels(classes: np.ndarray, pos_label: Any) -> tuple | None:
    """``(negative, positive)`` classes of a binary problem, else None."""
    if len(classes) != 2:
        return None
    p = _pos_index(classes, pos_label)
    return classes[1 - p], classes[p]


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
        ``decision_function``. A finite number (not a bool); it must lie in
        [0, 1] on probabilities.
    pos_label : int, float, bool, str or None, default=None
        The positive class of binary ``'fixed'`` and ``'tuned'``; ``None``
        means the last class of ``classes_``.
    cost_matrix : array-like of shape (n_classes, n_classes), default=None
        ``'cost'`` only: ``cost_matrix[i, j]`` is the cost of predicting
        ``classes_[j]`` when the truth is ``classes_[i]``; finite and >= 0.
    scoring : str or callable, default='balanced_accuracy'
        ``'tuned'`` only: the metric to maximise; a scikit-learn scorer name
        (``'f1'``, ``'balanced_accuracy'``, ...), ``'g_mean'``, or a scorer
        ``scorer(estimator, X, y)``, called on each fold's validation rows of
        ``X`` (which it may read, e.g. an amount per row) with an
        ``estimator`` whose ``predict`` gives the labels at each candidate
        threshold. It is computed on binary labels (1 = the
        positive class, or the class being tuned one-vs-rest; a scorer made
        with its own ``pos_label``, ``make_scorer(f1_score,
        pos_label="cancer")``, is called on the class labels, and its
        ``pos_label`` must be the tuned class; so is a scorer made with its
        own ``labels``, ``make_scorer(g_mean_score, labels=["benign",
        "cancer"])``, whose labels must be classes of ``y``, binary tuning
        only), weighted by ``sample_weight``
        when one is given to ``fit`` and the scorer takes a ``sample_weight``
        argument (scikit-learn's scorers do). With metadata routing on, a
        scorer object gets what it requests with ``set_score_request``
        (``sample_weight``, aliases, other metadata such as ``amount``) on
        each fold's validation rows; an unset request with ``sample_weight``
        given raises scikit-learn's ``UnsetMetadataPassedError``.
        A binary scorer of one class by its metric's default ``pos_label``
        (``'f1'``, ``'precision'``, ``'recall'``, ``'jaccard'``,
        ``make_scorer(fbeta_score, beta=2)``: class 1) on classes where that
        class is not the last one (``[1, 2]``) needs ``pos_label``: without
        it a ValueError says so (scikit-learn's ``TunedThresholdClassifierCV``
        tunes class 1 there, as ``pos_label=1`` does).
    thresholds : int or array-like, default=100
        ``'tuned'`` only: the number of candidate thresholds (2 to 10000),
        evenly spaced between the lowest and highest cross-validated score
        (of the rows of positive ``sample_weight``: a row of weight 0 counts
        as left out), or the candidates themselves (a 1-D array of finite
        numbers).
    cv : int, cross-validation generator or iterable, default=5
        ``'tuned'`` only: the folds (an int is a stratified k-fold). With a
        ``FrozenEstimator``, which cannot be refitted per fold, the thresholds
        are tuned on all the data given to ``fit`` and ``cv`` is not used.
        A group splitter (``GroupKFold``, ...) gets its ``groups`` with
        metadata routing on: ``fit(X, y, groups=groups)``.
    train_priors : 'auto', array-like, dict, fitted sampler or ResampledClassifier, \
default='auto'
        π', the class priors the estimator's probabilities are calibrated to.
        ``'auto'``: the ``resampled_priors_`` of the estimator when it is a
        :class:`rebalance.ResampledClassifier` or holds one (a pipeline ending
        in one, a fitted ``GridSearchCV`` / ``RandomizedSearchCV`` whose
        ``best_estimator_`` is one, or a ``TunedThresholdClassifierCV`` /
        ``FixedThresholdClassifier`` whose ``estimator_`` is one, also behind
        ``FrozenEstimator``; ``TunedThresholdClassifierCV(refit=False)`` is
        fitted on unknown rows), the ``deploy_priors`` of a fitted
        ThresholdMover that moves its probabilities to them, else the
        priors of ``y`` in
        ``fit`` (weighted by the ``sample_weight`` the estimator is fitted
        with, and by its ``class_weight`` as scikit-learn applies it:
        ``'balanced'`` gives uniform priors; read on the final estimator (or
        the one model of a binary ``OneVsRestClassifier``, the members of a
        ``BaggingClassifier`` or soft ``VotingClassifier``, which must agree
        (without bootstrap, the mean priors of the rows each member of a
        ``BaggingClassifier`` was fitted on, read from its
        ``estimators_samples_``; not for a frozen one, fitted on other rows),
        the final estimator of a ``StackingClassifier``; a multiclass
        ``OneVsRestClassifier`` of class-weighted models, like a multiclass
        ``SGDClassifier`` with ``class_weight``, has no such priors),
        not for an ``SVC(probability=True)``, whose probabilities follow
        ``y`` unweighted, its rows of weight 0 left out; a forest's
        ``'balanced'`` counts weighted by ``sample_weight`` as scikit-learn
        counts them; a ``HistGradientBoostingClassifier`` with early stopping
        or a ``GradientBoostingClassifier(n_iter_no_change=...)``: the rows it
        trained on, its validation share left out (``MLPClassifier`` /
        ``SGDClassifier`` with ``early_stopping=True`` and ``sample_weight``:
        unknown, ValueError); a generative model given its priors
        (``GaussianNB(priors=...)``, ``MultinomialNB(fit_prior=False)``,
        LDA/QDA ``priors``): those). Models
        that balance their classes internally in another way
        (imbalanced-learn's BalancedRandomForest, EasyEnsemble, ...) need
        ``train_priors`` given, e.g. uniform, as does a
        ``CalibratedClassifierCV(method='temperature')`` of a resampled or
        class-weighted classifier (sigmoid and isotonic calibration give the
        priors of ``y``); an ensemble of members that
        resample (``BaggingClassifier(ResampledClassifier(...))``, a soft
        ``VotingClassifier`` of them) or move their probabilities
        (ThresholdMovers with ``deploy_priors``) gives its members' equal
        priors (a ``StackingClassifier``: its final estimator's, when that
        one resamples or moves them), and where they differ or are unknown the
        strategies that use the priors raise a ValueError asking for
        ``train_priors`` (``train_priors_`` is None for the others). For an
        imbalanced-learn
        pipeline with a sampler step (``make_pipeline(RandomUnderSampler(),
        LogisticRegression())``), the priors of the rows its classifier saw:
        ``y`` taken through the sampler steps' ``sample_indices_``; when
        those are unknown (a sampler without ``sample_indices_`` such as
        SMOTE, a frozen or ``prefit`` pipeline, ``sample_weight`` through
        such a pipeline) the strategies that use the priors (``'prior'``,
        ``deploy_priors``) raise a ValueError asking for ``train_priors``,
        and ``train_priors_`` is None for the others. A fitted classifier
        (``FrozenEstimator``) that records none of these is taken as trained
        at the priors of the ``y`` given to ``fit``: with
        ``deploy_priors='train'`` that moves nothing (a ``UserWarning`` says
        so); pass ``train_priors`` when it was trained on resampled or
        re-weighted rows. An array follows ``classes_``;
        a dict, or a pandas Series
        indexed by class (``y.value_counts(normalize=True)``), maps class to
        prior (a Series whose default 0..n-1 index does not name the classes
        is read by position); given priors must sum to 1. A
        fitted rebalance sampler gives the priors of the rows it drew
        (``y[sample_indices_]``, with ``y`` the labels given to ``fit``); a
        fitted ResampledClassifier gives its ``resampled_priors_`` (wrap a
        fitted sampler or classifier in ``FrozenEstimator`` to keep it fitted
        through ``clone``).
    deploy_priors : None, 'train', 'em', array-like or dict, default=None
        π, the priors to move the probabilities to. ``None``: no correction;
        ``'train'``: the priors of ``y`` in ``fit`` (before any resampling,
        weighted by ``sample_weight``, or without it by the weights the
        estimator is fitted with: a Pipeline's ``'<last step>__sample_weight'``,
        a routing alias); an array, dict or Series as for
        ``train_priors``;
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
        The estimator's classes (fitted under scikit-learn's
        ``array_api_dispatch=True`` on an array of another library, e.g. a
        torch tensor: an array of that library and device).
    train_priors_ : ndarray of shape (n_classes,) or None
        π' in ``classes_`` order; None when the strategy does not correct
        priors and they cannot be known (a pipeline with a SMOTE step).
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
    cost_matrix_ : ndarray of shape (n_classes, n_classes)
        ``'cost'``: the checked ``cost_matrix`` (row: true class, column:
        predicted class, in ``classes_`` order).
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

    _parameter_constraints: dict[str, list[Any]] = {
        "estimator": [
            HasMethods(["fit", "predict_proba"]),
            HasMethods(["fit", "decision_function"]),
        ],
        "strategy": [StrOptions(set(STRATEGIES))],
        "threshold": [
            StrOptions({"auto"}),
            NumberInterval(Real, None, None, closed="neither"),
        ],
        "pos_label": [Real, str, "boolean", None],
        "cost_matrix": ["array-like", None],
        "scoring": [StrOptions(set(get_scorer_names()) | {"g_mean"}), callable],
        "thresholds": [NumberInterval(Integral, 2, None, closed="left"), "array-like"],
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
        estimator: Any,
        strategy: Strategy = "prior",
        *,
        threshold: float | Literal["auto"] = "auto",
        pos_label: int | float | bool | str | None = None,
        cost_matrix: ArrayLike | None = None,
        scoring: str | Callable[..., float] = "balanced_accuracy",
        thresholds: int | ArrayLike = 100,
        cv: Any = 5,
        train_priors: Any = "auto",
        deploy_priors: Any = None,
        response_method: ResponseMethod = "auto",
        prefit: bool = False,
    ) -> None:
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
    def fit(
        self,
        X: Any,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        **fit_params: Any,
    ) -> ThresholdMover:
        """Check the parameters, fit the estimator and set the decision rule.

        Every parameter is checked against the labels before the estimator is
        fitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Passed to the estimator as it is.
        y : array-like of shape (n_samples,)
            The class labels (numpy 2 ``StringDType`` labels, which
            scikit-learn refuses, are read as Python strings: ``classes_``
            and predictions are then object arrays).
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit`` (with metadata routing on: when
            the estimator requests it with ``set_fit_request(sample_weight=True)``),
            and weights the priors of ``y``. Without metadata routing, an
            estimator (not frozen) whose ``fit`` takes no ``sample_weight``
            gets whole-number weights as repeated rows (with
            ``strategy='tuned'``, the folds split the rows as given and each
            fold's training rows are repeated, the validation rows weighting
            the metric by their counts); other weights raise a TypeError.
            The weights weight ``train_priors='auto'`` when the
            estimator is fitted with them (or is a ``FrozenEstimator``),
            ``deploy_priors='train'`` always (without them, weights passed to
            the estimator as a Pipeline's ``'<last step>__sample_weight'``
            weight both), and the metric of
            ``strategy='tuned'`` on the validation rows (with metadata routing
            on and a scorer object as ``scoring``: as the scorer requests with
            ``set_score_request``). A row of weight 0 counts as left out, as
            in scikit-learn: all-zero weights, and with ``strategy='tuned'``
            weights of 0 on every row of a class (or on a cv fold's training
            rows of a class, or on all its validation rows), raise a
            ValueError.
        **fit_params : dict
            Without metadata routing: passed to the estimator's ``fit``. With
            ``sklearn.set_config(enable_metadata_routing=True)``: routed to the
            estimator's ``fit`` and to the ``cv`` splitter's ``split`` (e.g.
            ``groups`` for a ``GroupKFold``), as each requests them. With
            ``strategy='tuned'``, every parameter with one value per row is
            split across the folds with the rows; the rest is passed as it is.

        Returns
        -------
        self : ThresholdMover
            The fitted mover.
        """
        validate_params_anyway(self)
        # A generator X (texts for a HashingVectorizer pipeline) is handed to
        # the estimator's one fit, as before; the folds of 'tuned' need its
        # rows (so do weights repeated as rows: weights_as_rows refuses it).
        reject_mapping_or_iterator(X, "X", iterators=self.strategy == "tuned")
        if y is None:
            raise ValueError(
                "This ThresholdMover estimator requires y to be passed, but the "
                "target y is None. Pass the class labels as y."
            )
        check_classifier(self.estimator, "estimator")
        reject_lazy(X, "X")
        check_unique_columns(X)
        # Paired by position, as in scikit-learn (and the samplers): pandas y
        # or sample_weight holding X's (or y's) index in another order would
        # go with other rows, silently.
        check_paired_rows(X, y, "ThresholdMover.fit")
        check_same_selection(X, y, sample_weight)  # Dask: other rows of X's data
        check_paired_params(
            X, y, {"sample_weight": sample_weight, **fit_params}, "ThresholdMover.fit"
        )
        y = meta_target(y)
        # Before the estimator: not every one compares them (an
        # imbalanced-learn pipeline's sampler pairs rows with the wrong labels).
        check_same_length(n_rows(X), n_rows(y))
        n_samples = n_rows(X, y)
        if sample_weight is not None and n_samples is not None:
            # One finite weight >= 0 per row, before any fit (the type is
            # kept: the weights go on to the estimator as given).
            check_sample_weight(sample_weight, n_samples)
        # The rows given: a sampler's sample_indices_ (train_priors) index
        # these, not the rows repeated by weight below.
        y_given, repeated = y, False
        # strategy='tuned' with counts as rows: the rows as given and their
        # fit params (counts included), for the cross-validation.
        counted: tuple[Any, dict[str, Any]] | None = None
        frozen = self._uses_fitted_estimator()
        if sample_weight is not None and not (_routing_enabled() or frozen):
            # An estimator without sample_weight (e.g. in BaggingClassifier,
            # which passes its bootstrap as counts): the rows are repeated.
            params = {**fit_params, "sample_weight": sample_weight}
            if self.strategy == "tuned" and not _fit_takes(
                self.estimator, "sample_weight"
            ):
                # Repeated before the split, a row's copies would fall in both
                # a training and a validation fold: the folds split the rows
                # as given, and repeat each fold's training rows.
                counted = (X, params)
            # Under array_api_dispatch, the repeated rows come back in the
            # library and device of those given (weights_as_rows): an
            # estimator fitted on numpy would refuse the tensors of predict.
            X, y, fit_params = weights_as_rows(self.estimator, X, y, params)
            repeated = True
            counts = sample_weight
            sample_weight = fit_params.pop("sample_weight", None)
            if sample_weight is None:
                # Repeated as rows, a class whose rows all weigh 0 is left
                # out as if its rows were dropped (review 51); all classes
                # but one left out is refused naming the weights, not y.
                _check_classes_left(as_classifier_target(y_given), counts)
        y = self._as_target(y, frozen)
        labels, y_1d, one_hot = encode_labels(y)
        if one_hot:
            raise ValueError(
                "y is a 2-D one-hot matrix: pass one class label per row, shape "
                "(n_samples,), e.g. y.argmax(axis=1)."
            )
        if not frozen or self.strategy == "tuned":
            # A fitted classifier knows its classes: y (the priors' rows)
            # may hold only one of them, as for FixedThresholdClassifier.
            require_two_classes(labels, needs="a classifier")
        classes = self._classes_before_fit(labels.classes, frozen)
        if frozen and self.strategy == "tuned":
            _check_tuning_rows(labels.classes, classes)
        if sample_weight is not None:
            # A row of weight 0 counts as left out (as in scikit-learn): all
            # zero is no row at all, and a class of weight 0 none to tune.
            _check_weighted_classes(
                y_1d, classes, sample_weight, self.strategy == "tuned"
            )
        response = self._check_response_method()
        if response == "decision_function" and len(classes) > 2:
            # Before fitting: a pipeline's, a frozen model's (a search's is
            # known once fitted, and checked on its scores).
            _check_not_one_vs_one(final_step(self.estimator, searches=True))
        # Every check runs before the estimator is fitted; each returns what
        # fit stores.
        self._check_strategy_params(classes)
        threshold = (
            self._check_fixed_threshold(response) if self.strategy == "fixed" else None
        )
        cost_matrix = (
            self._check_cost_matrix(classes) if self.strategy == "cost" else None
        )
        candidates = (
            self._check_tuning(response, classes) if self.strategy == "tuned" else None
        )
        # The labels of the rows given (before any repetition by weight),
        # encoded only where the tuning or the sampler's indices need them.
        y_given_1d = y_1d
        if repeated and (
            counted is not None or hasattr(self.train_priors, "sample_indices_")
        ):
            y_given_1d = encode_labels(as_classifier_target(y_given))[1]
        # The rows, labels, weights and fit params the tuning splits.
        tune_X, tune_y, tune_weight = X, y_1d, sample_weight
        if counted is not None:
            tune_X, tune_y = counted[0], y_given_1d
            tune_weight = counted[1]["sample_weight"]
        # A cv that gives no folds is refused before the estimator is fitted.
        splitter = (
            check_splitter(self.cv, tune_y)
            if candidates is not None and not frozen
            else None
        )
        given_train = given_train_priors(self.train_priors, classes, y_given_1d)
        given_deploy = given_deploy_priors(self.deploy_priors, classes)
        estimator_params, split_params, score_params = self._route_fit_params(
            sample_weight, fit_params
        )
        if splitter is not None:
            check_split_groups(
                self.cv,
                splitter,
                split_params,
                _routing_enabled(),
                n_rows(tune_X, tune_y),
            )
        # Weights under another name (a routing alias, a Pipeline's
        # '<step>__sample_weight'), checked before any fit: of another length
        # they are not split with the folds' rows, and as many as a fold's
        # rows they would weight other rows silently.
        given_params = {**fit_params, **estimator_params, **(score_params or {})}
        if not frozen:
            check_weight_rows(
                fit_weight_of(self.estimator, estimator_params),
                given_params,
                n_rows(X, y),
                "the estimator's sample_weight",
                "split with the rows of each cv fold"
                if self.strategy == "tuned"
                else "one per row the estimator is fitted on",
            )
        if score_params:
            check_weight_rows(
                score_params.get("sample_weight"),
                given_params,
                n_rows(tune_X, tune_y),
                "the scorer's sample_weight",
                "split with the rows of each cv fold",
            )

        checked = None
        if splitter is not None:
            # Every fold checked before the estimator is fitted on every row
            # (a refused fold leaves a fitted mover as it was), with what
            # _tune gives cross_validated_scores, which fits these folds (cv
            # is split once: a cv whose split yields once, or shuffles
            # without a seed, gives the folds checked).
            checked = checked_folds(
                self.estimator,
                tune_X,
                tune_y,
                classes,
                cv=splitter,
                given_cv=self.cv,
                sample_weight=tune_weight if score_params is None else None,
                fit_params=estimator_params if counted is None else counted[1],
                split_params=split_params,
                score_params=score_params,
            )
        if frozen:
            estimator = self.estimator
        else:
            # The fitted copy, not what fit returns (not always self).
            estimator = clone(self.estimator)
            estimator.fit(X, y, **estimator_params)
            check_fitted_classes(estimator, "estimator")
            # np.asarray: an array-API Array (array_api_dispatch) has no len().
            fitted_classes = _as_numpy(estimator.classes_)
            if len(fitted_classes) != len(classes) or not np.all(
                class_positions(fitted_classes, classes, "estimator.classes_")
                == np.arange(len(classes))
            ):
                fitted = _as_numpy(estimator.classes_).tolist()
                hint = ""
                if -1 in classes.tolist() and -1 not in fitted:
                    # scikit-learn's semi-supervised models: -1 is unlabeled
                    hint = " " + unlabeled_rows_hint(
                        "ThresholdMover needs every row labeled. Fit it on the "
                        "labeled rows (y != -1), or wrap the fitted model in "
                        "FrozenEstimator and pass train_priors."
                    )
                elif sorted(map(repr, fitted)) == sorted(map(repr, classes.tolist())):
                    # The classes of y, in another order.
                    hint = " " + unsorted_classes_fix()
                raise ValueError(
                    f"The fitted estimator's classes_ {fitted} "
                    f"are not the sorted classes of y {classes.tolist()}.{hint}"
                )
        # From here on the fitted attributes change: a step that fails (the
        # priors of a pipeline that cannot give them, the tuning) leaves those
        # of the last fit, not the new estimator_ next to the old priors.
        state = dict(self.__dict__)
        try:
            for name in (*_STRATEGY_ATTRIBUTES, "n_features_in_", "feature_names_in_"):
                self.__dict__.pop(name, None)
            self.estimator_ = estimator
            # Under array_api_dispatch, in X's library and device (as scikit-learn's
            # classifiers set it): cross_val_predict orders the columns by it.
            self.classes_ = _like_input(X, _as_numpy(estimator.classes_))
            self.response_method_ = response
            self._given_priors = (given_train, given_deploy)
            # The estimator's probabilities follow the weights it was fitted with
            # (none when routing does not pass them); a frozen one, those given.
            fit_weight = (
                sample_weight
                if frozen
                else fit_weight_of(self.estimator, estimator_params)
            )
            # deploy_priors='train' weights y as the estimator was (its
            # '<last step>__sample_weight', a routing alias) when no sample_weight
            # is given: the same weights passed as sample_weight would weight it.
            deploy_weight = fit_weight if sample_weight is None else sample_weight
            train, deploy = self._priors(
                estimator, y_1d, fit_weight, deploy_weight, frozen
            )
            if (
                frozen
                and isinstance(self.train_priors, str)
                and isinstance(self.deploy_priors, str)
                and self.deploy_priors == "train"
                and train is not None
                and isinstance(deploy, np.ndarray)
                and np.allclose(train, deploy, rtol=1e-12, atol=0.0)
            ):
                warnings.warn(
                    "ThresholdMover with a fitted classifier (FrozenEstimator or "
                    "prefit), train_priors='auto' and deploy_priors='train' moves "
                    "the probabilities nowhere: the classifier's training priors "
                    "are taken as the priors of the y given to fit (it does not "
                    "record the rows it was trained on), the same as "
                    "deploy_priors='train'. If it was trained on resampled or "
                    "re-weighted rows, pass their class shares as train_priors "
                    "(e.g. [0.5, 0.5] after balancing two classes, or the fitted "
                    "sampler), or fit a ResampledClassifier, whose priors are known.",
                    UserWarning,
                    stacklevel=3,
                )
            self.train_priors_ = train
            self.deploy_priors_ = None if isinstance(deploy, str) else deploy
            self._deploy = deploy
            if threshold is not None:
                self.threshold_: float | np.ndarray = threshold
            if cost_matrix is not None:
                self.cost_matrix_ = cost_matrix
            if candidates is not None:
                self._tune(
                    tune_X,
                    tune_y,
                    tune_weight,
                    estimator_params if counted is None else counted[1],
                    candidates,
                    checked,
                    score_params,
                    weights_as_counts=counted is not None,
                )
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(estimator, name):
                    setattr(self, name, getattr(estimator, name))
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return self

    def _validate_params(self) -> None:
        """scikit-learn's parameter check, after the ``cv`` values of its
        ``TunedThresholdClassifierCV`` that are spelled otherwise here."""
        _check_not_peer_cv(self.cv)
        super()._validate_params()

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

    def _route_fit_params(
        self, sample_weight: Any, fit_params: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
        """(estimator ``fit`` params, splitter ``split`` params, the tuning
        scorer's params) for ``fit``; the scorer's are None without routing or
        for a string ``scoring`` (the metric is then weighted by
        ``sample_weight``)."""
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        if not _routing_enabled():
            return params, {}, None
        routed = process_routing(self, "fit", **params)
        routes_scorer = self.strategy == "tuned" and _routed_scorer(self.scoring)
        # (not `"scorer" in routed`: process_routing's result has no
        # __contains__, and iterating it never ends)
        score_params = dict(routed["scorer"]["score"]) if routes_scorer else None
        if score_params is not None:
            _refuse_unset_scorer_weights(self.scoring, params, score_params)
        return (
            dict(routed["estimator"]["fit"]),
            dict(routed["splitter"]["split"]),
            score_params,
        )

    def get_metadata_routing(self) -> MetadataRouter:
        """Metadata routing of this object (see scikit-learn's metadata routing).

        ``fit`` uses ``sample_weight`` itself (the priors of ``y``) and routes
        metadata to the estimator's ``fit``, the ``cv`` splitter's ``split``
        and, for ``strategy='tuned'`` with a scorer object as ``scoring``, the
        scorer (its requests, aliases included, on each fold's validation
        rows).

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing of ``fit``'s metadata.
        """
        router = (
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
        scorer = _routed_scorer(self.scoring) if self.strategy == "tuned" else None
        if scorer is not None:
            router.add(
                scorer=scorer,
                method_mapping=MethodMapping().add(caller="fit", callee="score"),
            )
        return router

    def _as_target(self, y: Any, frozen: bool) -> Any:
        """``y`` as labels of the classifier's ``classes_``.

        A pandas Series of a nullable dtype becomes its own values
        (:func:`as_classifier_target`); but a fitted classifier used as it is
        was fitted on scikit-learn's reading of it, floats (``classes_``
        ``[0., 1.]`` for ``"boolean"``): then y is read as floats too.
        """
        converted = as_classifier_target(y)
        if not (frozen and converted is not y and is_pandas(y, "Series")):
            return converted
        classes = np.asarray(getattr(self.estimator, "classes_", []))
        values = np.asarray(converted)
        if classes.dtype.kind == "f" and values.dtype.kind in "biu":
            as_floats = values.astype(np.float64)
            if np.array_equal(as_floats, values):
                return as_floats
        return converted

    def _classes_before_fit(self, y_classes: np.ndarray, frozen: bool) -> np.ndarray:
        y_classes = np.asarray(y_classes)
        if not frozen:
            try:
                return y_classes[np.argsort(y_classes, kind="stable")]
            except TypeError:
                return y_classes
        try:
            check_is_fitted(self.estimator)
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
        check_fitted_classes(self.estimator, "estimator")
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

    def _check_strategy_params(self, classes: np.ndarray) -> None:
        """Refuse a parameter that ``strategy`` does not use, and check pos_label."""
        strategy = self.strategy
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
        binary_rule = strategy == "fixed" or (strategy == "tuned" and len(classes) == 2)
        if self.pos_label is not None:
            if not binary_rule:
                raise ValueError(
                    "pos_label is only used by binary strategy='fixed' or 'tuned'; "
                    "drop it."
                )
            _pos_label_position(classes, self.pos_label)
        if strategy == "fixed" and len(classes) != 2:
            raise ValueError(
                "Only binary classification is supported by strategy='fixed'; y "
                f"has {len(classes)} classes: use strategy='tuned' (one threshold "
                "per class) or 'cost'."
            )

    def _check_fixed_threshold(self, response: str) -> float:
        """``strategy='fixed'``: the threshold ``predict`` applies (``threshold_``)."""
        if self.threshold == "auto":
            return 0.5 if response == "predict_proba" else 0.0
        try:
            # a long double beyond the floats (1e400) is inf here
            threshold = float(_as_float64(np.asarray(self.threshold)))
        except OverflowError:  # an int beyond the floats (10**400)
            threshold = np.inf
        if not np.isfinite(threshold):
            raise ValueError(
                f"threshold={reprlib.repr(self.threshold)} is not a finite "
                "number: every score would fall on the same side of it. Pass a "
                "finite threshold (a probability, or a decision_function score)."
            )
        if response == "predict_proba" and not 0 <= threshold <= 1:
            raise ValueError(
                f"threshold={self.threshold} is outside [0, 1] but the scores "
                "are probabilities: pass a probability, or "
                "response_method='decision_function' to threshold raw scores."
            )
        return threshold

    def _check_cost_matrix(self, classes: np.ndarray) -> np.ndarray:
        """``strategy='cost'``: the costs as floats (``cost_matrix_``)."""
        n_classes = len(classes)
        if self.cost_matrix is None:
            raise ValueError(
                "strategy='cost' needs cost_matrix: an (n_classes, n_classes) array "
                "where cost_matrix[i, j] is the cost of predicting class j when the "
                "truth is class i."
            )
        try:
            given = np.asarray(self.cost_matrix)
            if given.dtype.kind == "c":  # float64 would drop the imaginary parts
                raise TypeError(
                    f"it has complex numbers (dtype {given.dtype}); pass real costs"
                )
            cost = np.asarray(given, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"cost_matrix must be a numeric (n_classes, n_classes) array: {exc}"
            ) from exc
        if is_pandas(self.cost_matrix, "DataFrame"):
            if cost.shape == (n_classes, n_classes):
                cost = _cost_by_label(self.cost_matrix, cost, classes)
        elif is_dataframe(self.cost_matrix):
            _check_column_order(self.cost_matrix, classes)
        if cost.shape != (n_classes, n_classes):
            raise ValueError(
                f"cost_matrix has shape {cost.shape} but y has {n_classes} classes "
                f"{classes.tolist()}: pass a ({n_classes}, {n_classes}) array, rows = "
                "true class, columns = predicted class, both in this order."
            )
        if not np.isfinite(cost).all() or (cost < 0).any():
            raise ValueError(
                "cost_matrix must hold finite, non-negative costs (no NaN, inf or "
                "negative entries); shift it by its minimum if needed, which does "
                "not change the decisions."
            )
        return cost

    def _check_tuning(self, response: str, classes: np.ndarray) -> np.ndarray | int:
        """``strategy='tuned'``: check ``scoring``; return the sorted candidate
        thresholds, or how many to space evenly across the scores. The
        candidates tried end up in ``cv_results_['thresholds']``."""
        _check_label_metric(
            self.scoring,
            _binary_labels(classes, self.pos_label),
            pos_label_given=self.pos_label is not None,
        )
        if isinstance(self.thresholds, Integral):
            # int(): typeshed of Python 3.13 does not order int and Integral.
            if int(self.thresholds) > MAX_THRESHOLDS:
                raise ValueError(
                    f"thresholds={self.thresholds} candidate thresholds is more "
                    f"than the {MAX_THRESHOLDS} allowed: every candidate is scored "
                    "on every validation row, and more candidates than distinct "
                    "scores change nothing. Pass at most "
                    f"thresholds={MAX_THRESHOLDS} (the default 100 is usually "
                    "enough), or an array of the candidates to try."
                )
            return int(self.thresholds)
        try:
            grid = np.asarray(self.thresholds)
            if grid.dtype == object and all(
                isinstance(v, Real) and not is_bool(v) for v in grid.ravel()
            ):
                grid = grid.astype(np.float64)  # Fractions, Decimals, ...
        except (TypeError, ValueError, OverflowError) as exc:
            # OverflowError: an int or Fraction beyond the floats (10**400)
            raise ValueError(
                "thresholds must be an int or a 1-D array of finite candidate "
                f"thresholds; got {reprlib.repr(self.thresholds)} ({exc})."
            ) from exc
        if (
            grid.dtype.kind not in "iuf"
            or grid.ndim != 1
            or grid.shape[0] == 0
            or not np.isfinite(_as_float64(grid)).all()
        ):
            raise ValueError(
                "thresholds must be an int or a 1-D array of finite candidate "
                f"thresholds (numbers); got {self.thresholds!r}."
            )
        grid = _as_float64(grid)
        if response == "predict_proba" and ((grid < 0) | (grid > 1)).any():
            raise ValueError(
                "thresholds has values outside [0, 1] but the scores are "
                "probabilities: pass probabilities, or "
                "response_method='decision_function'."
            )
        return np.sort(grid)

    def _priors(
        self,
        estimator: Any,
        y: np.ndarray,
        fit_weight: Any,
        sample_weight: Any,
        frozen: bool = False,
    ) -> tuple[np.ndarray | None, DeployPriors]:
        """(π', π) of ``estimator`` fitted on ``y`` with ``fit_weight``: the
        given priors, else those of the estimator or of ``y`` weighted by
        ``fit_weight``; π='train' becomes the priors of ``y`` weighted by
        ``sample_weight`` (the weights given, else ``fit_weight``). π' is
        None when the strategy does not use it (no prior correction) and it
        cannot be known (a pipeline with a SMOTE step): the error is raised
        only where π' is used."""
        given_train, given_deploy = self._given_priors
        classes = self._classes()
        train = given_train
        if train is None:
            try:
                train = auto_train_priors(estimator, classes, y, fit_weight, frozen)
            except ValueError:
                if self.strategy == "prior" or given_deploy is not None:
                    raise
                train = None
        deploy = given_deploy
        if isinstance(deploy, str) and deploy == "train":
            deploy = class_priors(y, classes, sample_weight)
        return train, deploy

    # --------------------------------------------------------------- tuning

    def _tune(
        self,
        X: Any,
        y: np.ndarray,
        sample_weight: Any,
        fit_params: dict[str, Any],
        candidates: np.ndarray | int,
        checked: tuple[Any, list, bool, str | None] | None,
        score_params: dict[str, Any] | None = None,
        weights_as_counts: bool = False,
    ) -> None:
        """Set ``threshold_``, ``best_score_`` and ``cv_results_``; ``checked``
        is what :func:`checked_folds` gave for the cv, or None for a fitted
        estimator (not refitted).
        ``weights_as_counts``: ``sample_weight`` holds the whole-number counts
        of an estimator whose ``fit`` takes no weights; each fold's training
        rows are repeated by them."""
        classes = self._classes()
        # The metric's weights: sample_weight (string scoring, or routing
        # off; a scorer that cannot take them is called without them), else
        # what is routed to the scorer, passed to it as it is (in ``extra``,
        # with its other metadata), as scikit-learn passes it.
        extra = {} if score_params is None else dict(score_params)
        metric_weight = sample_weight if score_params is None else None
        # A scorer of one's own is called on the validation rows of X (it may
        # read them, e.g. an amount per row); a scorer name never reads them.
        keep_X = not isinstance(self.scoring, str)
        if checked is None:
            # A fitted estimator is not refitted per fold: tune on all rows.
            scores = self._scores(self.estimator_, X)[0]
            # As numpy values (as each fold's labels are): a pandas Series is
            # indexed by position in the metric, not by its index labels (a
            # shuffled index paired other rows' labels with the scores), and
            # a polars or pyarrow column compares as numpy's.
            labels = np.asarray(label_values(y, "y"))
            folds = [(labels, scores, metric_weight, extra, X if keep_X else None)]
        else:
            fit_weight = fit_weight_of(self.estimator, fit_params)
            # deploy_priors='train' of each fold, weighted as in fit.
            deploy_weight = fit_weight if sample_weight is None else sample_weight

            def scores_of(model: Any, X_val: Any, rows: np.ndarray) -> np.ndarray:
                train, deploy = self._priors(
                    model,
                    take_rows(y, rows),
                    None if fit_weight is None else take_rows(fit_weight, rows),
                    None if deploy_weight is None else take_rows(deploy_weight, rows),
                )
                return self._scores(model, X_val, train, deploy)[0]

            folds = cross_validated_scores(
                self.estimator,
                y,
                classes,
                checked=checked,
                sample_weight=metric_weight,
                score_params=extra,
                fit_params=fit_params,
                scores_of=scores_of,
                weights_as_counts=weights_as_counts,
                keep_X=keep_X,
            )
        binary = len(classes) == 2
        columns = [self._pos_index()] if binary else range(len(classes))
        tuned = best_thresholds(
            folds,
            classes,
            columns,
            self.scoring,
            candidates,
            _binary_labels(classes, self.pos_label),
        )
        if binary:
            self.threshold_ = float(tuned.thresholds[0])
            self.best_score_: float | np.ndarray = float(tuned.best_scores[0])
        else:
            self.threshold_ = tuned.thresholds
            self.best_score_ = tuned.best_scores
        self.cv_results_ = {
            "thresholds": tuned.candidates,
            "scores": tuned.mean_scores,
        }

    def _pos_index(self) -> int:
        return _pos_index(self._classes(), self.pos_label)

    def _classes(self) -> np.ndarray:
        """``classes_`` as a numpy array (a tensor under array_api_dispatch)."""
        return _as_numpy(self.classes_)

    # ------------------------------------------------------------ predicting

    def _scores(
        self,
        estimator: Any,
        X: Any,
        train: np.ndarray | None = None,
        deploy: DeployPriors = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(scores per class, raw probabilities or None) of ``estimator`` on X.

        Probabilities are moved from ``train`` to ``deploy`` when ``deploy`` is
        set ('em': estimated from these rows); without ``train``, the fitted
        priors are used.
        """
        reject_lazy(X, "X")
        if self.response_method_ == "decision_function":
            scores = np.asarray(
                _as_numpy(estimator.decision_function(X)), dtype=np.float64
            )
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            return _checked_scores(scores, estimator, "decision_function"), None
        if train is None:
            train, deploy = self.train_priors_, self._deploy
        given = _as_numpy(estimator.predict_proba(X))
        raw = np.asarray(given, dtype=np.float64)
        raw = _checked_scores(raw, estimator, "predict_proba")
        if deploy is None:
            return raw, raw
        # Rows are checked to sum to 1 at the estimator's own float precision
        # (float16 rows, a half-precision model's, only within ~1e-3).
        proba = given if given.dtype.kind == "f" else raw
        if isinstance(deploy, str):
            deploy = em_priors(proba, train)
        return adjust_priors(proba, train, deploy), raw

    def predict(self, X: Any) -> np.ndarray:
        """Class labels by the decision rule of ``strategy``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            One class of ``classes_`` per row (under scikit-learn's
            ``array_api_dispatch=True``, an array of X's library and device
            where X is one, e.g. a torch tensor, and the classes are numbers).
        """
        check_is_fitted(self, "estimator_")
        scores, raw = self._scores(self.estimator_, X)
        strategy = self.strategy
        if strategy == "argmax":
            best = scores.argmax(axis=1)
        elif strategy == "prior":
            # Balanced priors: independent of any deployment prior.
            assert raw is not None  # 'prior' needs probabilities: checked in fit
            best = (raw / self.train_priors_).argmax(axis=1)
        elif strategy == "cost":
            best = (scores @ self.cost_matrix_).argmin(axis=1)
        elif len(self._classes()) == 2:
            pos = self._pos_index()
            best = np.where(scores[:, pos] >= self.threshold_, pos, 1 - pos)
        else:
            best = (scores - self.threshold_).argmax(axis=1)
        return _like_input(X, self._classes()[best])

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, at ``deploy_priors`` when set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; rows sum to 1 (under
            scikit-learn's ``array_api_dispatch=True``, an array of X's
            library and device where X is one, e.g. a torch tensor).
        """
        check_is_fitted(self, "estimator_")
        if self.response_method_ == "predict_proba":
            return _like_input(X, self._scores(self.estimator_, X)[0])
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``; ``-inf`` where a probability is 0.
        """
        check_is_fitted(self, "estimator_")
        if self.response_method_ == "predict_proba":
            proba = self._scores(self.estimator_, X)[0]
        else:
            proba = _as_numpy(self.estimator_.predict_proba(X))
        with np.errstate(divide="ignore"):
            return _like_input(X, np.log(proba))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The estimator's own ``decision_function``, unchanged.

        As scikit-learn's ``FixedThresholdClassifier``, it applies neither
        the decision rule of ``strategy`` nor ``deploy_priors``: a composition
        that decides on ``decision_function`` rather than on ``predict``
        (``OneVsRestClassifier``, which predicts the argmax of its members'
        scores; ``CalibratedClassifierCV``, which calibrates them) ignores
        both. Use ``predict`` or ``predict_proba`` there, e.g. put the
        ThresholdMover around the ``OneVsRestClassifier``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            What the fitted estimator's ``decision_function`` returns.
        """
        check_is_fitted(self, "estimator_")
        reject_lazy(X, "X")
        return self.estimator_.decision_function(X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``, as scikit-learn's
        ``ClassifierMixin.score``.

        A pandas ``y`` or ``sample_weight`` holding a pandas X's index in
        another order is refused, as in ``fit`` (paired by position, every
        row would be scored against another row's label or weight); so are
        missing labels (None, NaN, NA, masked, a datasets ClassLabel's -1)
        and negative, masked or all-zero weights.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Test rows.
        y : array-like of shape (n_samples,)
            True labels of the rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the score.

        Returns
        -------
        score : float
            The mean accuracy of the decisions (weighted where given).
        """
        y, sample_weight = check_scored_rows(
            X, y, sample_weight, "ThresholdMover.score"
        )
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # None: no tags (estimator=None, a duck-typed classifier): defaults.
        estimator_tags = tags_of(self.estimator)
        if estimator_tags is None:
            return tags
        tags.input_tags = copy.deepcopy(estimator_tags.input_tags)
        # predict hands X to the estimator unchecked: one that skips input
        # validation (DummyClassifier) leaves it unchecked here too.
        tags.no_validation = bool(estimator_tags.no_validation)
        inner_multi_class = True
        if estimator_tags.classifier_tags is not None:
            tags.classifier_tags.poor_score = estimator_tags.classifier_tags.poor_score
            inner_multi_class = estimator_tags.classifier_tags.multi_class
        # One threshold on one score: binary only (as FixedThresholdClassifier);
        # so is any strategy around a binary-only classifier.
        tags.classifier_tags.multi_class = (
            inner_multi_class and self.strategy != "fixed"
        )
        return tags


def _like_input(X: Any, out: np.ndarray) -> Any:
    """``out`` (computed in numpy from the rows ``X``) as scikit-learn's
    estimators return it under ``array_api_dispatch=True``: an array of X's
    library on X's device where X is a torch tensor or another array-API
    array (not numpy), so that ``cross_val_predict`` and the metrics can join
    it with the estimator's other outputs; numpy otherwise, and labels that
    such an array cannot hold (strings, objects) stay numpy.

    >>> import numpy as np
    >>> from rebalance.threshold import _like_input
    >>> _like_input([[0.0], [1.0]], np.array([0.5, 0.5]))
    array([0.5, 0.5])
    """
    if (
        not _array_api_dispatch()
        or not isinstance(out, np.ndarray)
        or out.dtype.kind not in "biuf"
    ):
        return out
    return _in_namespace_of(X, out)


def _as_numpy(values: Any) -> np.ndarray:
    """An estimator's output (a numpy array, or under ``array_api_dispatch``
    a torch tensor or another array-API array) as a numpy array."""
    if isinstance(values, np.ndarray):
        return values
    if type(values).__module__.split(".")[0] == "torch" and callable(
        getattr(values, "detach", None)
    ):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _as_float64(values: np.ndarray) -> np.ndarray:
    """``values`` as float64, a long double beyond the floats (1e400) as inf
    without numpy's overflow warning (a number that is then refused)."""
    with np.errstate(over="ignore"):
        return values.astype(np.float64)


def _check_not_peer_cv(cv: Any) -> None:
    """Refuse, naming the fix, the two ``cv`` values of scikit-learn's
    ``TunedThresholdClassifierCV`` that ThresholdMover spells otherwise:
    ``'prefit'`` (a fitted classifier goes in ``FrozenEstimator``) and a
    float in (0, 1) (a validation share: one shuffled split). scikit-learn's
    parameter error would only list the values allowed."""
    if isinstance(cv, str) and cv == "prefit":
        raise InvalidParameterError(
            "The 'cv' parameter of ThresholdMover must be an int, a "
            "cross-validation splitter or an iterable of (train, validation) "
            "pairs; got 'prefit' (TunedThresholdClassifierCV's way to use a "
            "fitted classifier). Wrap the fitted classifier in "
            "sklearn.frozen.FrozenEstimator instead: "
            "ThresholdMover(FrozenEstimator(clf), 'tuned'), which tunes the "
            "thresholds on the rows given to fit and never refits it."
        )
    if isinstance(cv, Real) and not isinstance(cv, Integral) and 0 < float(cv) < 1:
        raise InvalidParameterError(
            "The 'cv' parameter of ThresholdMover must be an int, a "
            "cross-validation splitter or an iterable of (train, validation) "
            f"pairs; got cv={cv!r}, a validation share (as "
            "TunedThresholdClassifierCV reads a float). For one shuffled "
            "split pass cv=StratifiedShuffleSplit(n_splits=1, "
            f"test_size={cv!r}, random_state=0) (sklearn.model_selection)."
        )


def _check_tuning_rows(y_classes: np.ndarray, classes: np.ndarray) -> None:
    """A fitted classifier used as it is tunes its thresholds on the rows
    given to ``fit``: every class of ``classes`` needs rows there, or its
    threshold would be tuned one-vs-rest without a single positive row."""
    present = class_positions(y_classes, classes, "y")
    missing = np.delete(np.asarray(classes), present).tolist()
    if missing:
        raise ValueError(
            f"y has no rows of the classes {missing} of the fitted estimator: "
            "strategy='tuned' with a FrozenEstimator (or prefit=True) tunes "
            "each class's threshold on the rows given to fit, so every class "
            "needs rows there. Pass rows of every class, or use a strategy "
            "that tunes nothing ('argmax', 'cost')."
        )


def _check_classes_left(y: Any, counts: Any) -> None:
    """Refuse whole-number ``counts`` (``sample_weight`` applied as repeated
    rows) that are 0 on every row of all classes of ``y`` but one: the rows
    left hold one class, which the error would blame on y."""
    labels = encode_labels(y)[0]
    if labels.n_classes < 2:
        return  # y's own problem, named as such
    positive = np.asarray(counts, dtype=np.float64) > 0
    kept = np.bincount(labels.codes[positive], minlength=labels.n_classes) > 0
    if kept.sum() >= 2:
        return
    dropped = np.asarray(labels.classes)[~kept].tolist()
    raise ValueError(
        f"sample_weight is 0 on every row of the classes {dropped}: the "
        "estimator's fit takes no sample_weight, so whole-number weights are "
        "applied as repeated rows, and a row of weight 0 counts as left out "
        "(as in scikit-learn), which leaves rows of one class at most: a "
        "classifier needs 2. Give rows of at least two classes a positive "
        "weight."
    )


def _check_weighted_classes(
    y: np.ndarray,
    classes: np.ndarray,
    sample_weight: Any,
    tuned: bool,
) -> None:
    """Refuse, before any fit, ``sample_weight`` that is all zero, or, for
    ``strategy='tuned'``, 0 on every row of a class whose threshold is tuned:
    a row of weight 0 counts as left out, as in scikit-learn (and as an
    estimator whose ``fit`` takes no weights gets them, as repeated rows),
    and the metric weighs the rows by ``sample_weight``, so a class of weight
    0 scored every threshold alike (its threshold came out as the lowest one
    tried, silently)."""
    labels = encode_labels(y)[0]
    checked = check_sample_weight(sample_weight, labels.n_samples)
    positive = np.asarray(checked, dtype=np.float64) > 0
    if not positive.any():
        raise ValueError(
            "sample_weight is all zero: a row of weight 0 counts as left out "
            "(as in scikit-learn), so no row is left to fit or to score. Give "
            "some rows a positive weight, or pass no sample_weight."
        )
    if not tuned:
        return
    # Rows of positive weight per class of ``classes`` (0 for a class of a
    # fitted estimator that y lacks).
    rows = np.zeros(len(classes), dtype=np.intp)
    rows[class_positions(labels.classes, classes, "y")] = np.bincount(
        labels.codes[positive], minlength=labels.n_classes
    )
    unweighted = [c for c, n in zip(np.asarray(classes).tolist(), rows) if n == 0]
    if unweighted:
        raise ValueError(
            f"sample_weight is 0 on every row of the classes {unweighted}: "
            "strategy='tuned' weighs each row's score by its sample_weight, so "
            "no threshold can be tuned for them (a row of weight 0 counts as "
            "left out, as in scikit-learn). Give rows of every class a positive "
            "weight, or use a strategy that tunes nothing ('argmax', 'cost')."
        )


def _check_not_one_vs_one(model: Any) -> None:
    """Refuse a multiclass ``decision_function`` that is one-vs-one (an SVC
    with ``decision_function_shape='ovo'``): one column per pair of classes,
    which for three classes has the shape of one per class. (A binary one is
    the usual single score.) Also inside the ensembles whose
    ``decision_function`` is that of a model they hold
    (:func:`_decision_models`)."""
    for inner in _decision_models(model):
        if getattr(inner, "decision_function_shape", None) == "ovo":
            raise ValueError(
                "The estimator's decision_function is one-vs-one "
                f"(decision_function_shape='ovo', in its {type(inner).__name__}): "
                "one column per pair of classes, not per class. Set "
                "decision_function_shape='ovr', or pass a classifier with "
                "predict_proba."
            )


def _decision_models(model: Any) -> list[Any]:
    """``model`` (through pipelines, FrozenEstimator and fitted searches) and
    the models whose ``decision_function`` columns it passes on: a
    ``BaggingClassifier``'s members (it averages theirs), a
    ``StackingClassifier``'s final estimator and a ``SelfTrainingClassifier``'s
    estimator, nested."""
    from sklearn.ensemble import BaggingClassifier, StackingClassifier
    from sklearn.semi_supervised import SelfTrainingClassifier

    found: list[Any] = []
    for _ in range(16):  # nested ensembles
        model = final_step(model, searches=True)
        found.append(model)
        if isinstance(model, (BaggingClassifier, SelfTrainingClassifier)):
            names = ("estimator_", "estimator")
        elif isinstance(model, StackingClassifier):
            names = ("final_estimator_", "final_estimator")
        else:
            break
        inner = next(
            (v for v in (getattr(model, n, None) for n in names) if v is not None),
            None,
        )
        if inner is None:  # the default model (a tree, a logistic regression)
            break
        model = inner
    return found


def _checked_scores(scores: np.ndarray, estimator: Any, method: str) -> np.ndarray:
    """``scores`` from ``estimator.<method>``, one column per class and no
    NaN (nor, from ``predict_proba``, an infinite value), or a ValueError:
    argmax of a NaN row is the first class, and a NaN or one-vs-one column
    would be taken for a class's score."""
    classes = getattr(estimator, "classes_", None)
    n_classes = None if classes is None else len(np.asarray(classes))
    if method == "decision_function" and (n_classes or 3) > 2:
        # A search's best estimator too (its decision_function is that one's).
        _check_not_one_vs_one(final_step(estimator, searches=True))
    if scores.ndim != 2 or (n_classes is not None and scores.shape[1] != n_classes):
        raise ValueError(
            f"The estimator's {method} returned shape {scores.shape}, not one "
            f"column per class ({n_classes} classes): ThresholdMover needs a "
            "score per class (a one-vs-one decision_function has one per pair)."
        )
    if np.isnan(scores).any():
        row = int(np.flatnonzero(np.isnan(scores).any(axis=1))[0])
        raise ValueError(
            f"The estimator's {method} returned NaN (first at row {row}): no "
            "class can be chosen from it. Check the input rows for NaN or "
            "the estimator (e.g. GaussianNB(var_smoothing=0) on a constant "
            "feature)."
        )
    if method == "predict_proba" and np.isinf(scores).any():
        # A probability is at most 1: an infinite one is a broken model
        # (argmax, the prior rule and a cost matrix would pick from it
        # silently), as a NaN is.
        row = int(np.flatnonzero(np.isinf(scores).any(axis=1))[0])
        raise ValueError(
            f"The estimator's predict_proba returned an infinite value (first "
            f"at row {row}): probabilities lie in [0, 1]. Check the input rows "
            "for infinite values or the estimator's predict_proba."
        )
    return scores


def _check_column_order(frame: Any, classes: np.ndarray) -> None:
    """A cost-matrix frame without row labels (polars, pyarrow) is read by
    position; columns that name the classes in another order would be read
    as other classes (a pandas frame labelled by class is read by label):
    refused, naming the fix."""
    names = _column_labels(frame)
    in_order = [str(c) for c in np.asarray(classes).tolist()]
    if names is not None and text_reordered(names, in_order):
        raise ValueError(
            f"cost_matrix is a {type(frame).__module__.split('.')[0]} "
            f"{type(frame).__name__} whose columns {names} name "
            f"the classes in another order than classes_ {in_order}, and whose "
            "rows have no labels to read by: it would be read by position. "
            "Put its columns (and rows) in classes_ order, or pass a pandas "
            "DataFrame with index and columns labelled by class."
        )


def _cost_by_label(frame: Any, cost: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A cost-matrix DataFrame read by label, as priors given as a Series are:
    its index (true class) and columns (predicted class) put in ``classes``
    order. A default ``0..n-1`` index and columns that do not name the
    classes are positions; labels naming other classes are an error."""
    labels = [frame.index.tolist(), frame.columns.tolist()]
    if all(only_positions(axis, classes) for axis in labels):
        return cost
    for axis, what in zip(labels, ("index (true class)", "columns (predicted class)")):
        if not _names_classes(axis, classes):
            raise ValueError(
                f"cost_matrix is a DataFrame whose {what} is {axis}, not the "
                f"classes {classes.tolist()}: label both by class (read by "
                "label), or pass a plain array in classes_ order."
            )
    rows = class_positions(np.asarray(labels[0], dtype=object), classes, "cost_matrix")
    cols = class_positions(np.asarray(labels[1], dtype=object), classes, "cost_matrix")
    ordered = np.empty_like(cost)
    ordered[np.ix_(rows, cols)] = cost
    return ordered
