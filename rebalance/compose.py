"""ResampledClassifier: a sampler and a classifier as one scikit-learn classifier."""

from __future__ import annotations

import copy
import inspect
import sys
import warnings
from collections.abc import Iterable
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import scipy.sparse as sp
from pandas import CategoricalDtype as pd_api_categorical
from pandas import StringDtype as pd_api_string
from sklearn import config_context
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.metrics import accuracy_score
from sklearn.utils import assert_all_finite, metadata_routing
from sklearn.utils._param_validation import HasMethods, InvalidParameterError
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from rebalance._dask import (
    check_paired_params,
    check_paired_rows,
    check_row_order,
    check_same_selection,
    check_scored_rows,
    computed_labels,
    is_dask_input,
)
from rebalance._frames import (
    buffer_values,
    check_compressed,
    is_dataframe,
    is_pandas,
    narwhals_frame,
    numeric_dtype,
    reject_lazy,
    reject_mapping_or_iterator,
)
from rebalance._labels import (
    as_classifier_target,
    check_categorical_classes,
    encode_labels,
    meta_target,
)
from rebalance._metadata import (
    check_weight_rows,
    fit_weight_of,
    is_pairwise,
    n_rows,
    routed_fit_model,
    row_aligned_names,
    rows_of,
    tags_of,
    take_row_aligned,
    weights_as_rows,
)
from rebalance._priors import (
    check_classifier,
    check_fitted_classes,
    class_priors,
    class_weight_sums,
    final_is_frozen,
    final_step,
    is_semi_supervised,
    labels_seen,
    model_priors,
    unlabeled_rows_hint,
    with_class_weight,
)
from rebalance._validation import (
    check_same_length,
    check_sample_weight,
    refuse_unordered_weights,
    validate_params_anyway,
)
from rebalance.base import BaseSampler

__all__ = ["ResampledClassifier"]

# Parameters of a sampler that decide how many rows of each class it draws,
# named in the error for a class it left out.
_DRAW_PARAMS = ("sampling_strategy", "n_samples")


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

    ``sample_weight`` and every other fit parameter with one value per row
    (``groups``, row ids, ...) reach the classifier resampled with the rows;
    a validation set (``X_val``, ``y_val``, ``eval_set``, ... by name) is
    passed on unchanged, whatever its length.
    It is a metadata router: under
    ``sklearn.set_config(enable_metadata_routing=True)`` the classifier gets
    what it requests with ``set_fit_request``, resampled the same way. This is
    also the way to use ``sample_weight`` with a sampler inside
    :class:`imblearn.pipeline.Pipeline`, which cannot resample fit parameters.

    Parameters
    ----------
    sampler : sampler instance
        Any object with ``fit_resample`` (a rebalance or imbalanced-learn
        sampler); cloned in ``fit``. When ``sample_weight`` or another fit
        parameter with one value per row is passed to ``fit``, it must set
        ``sample_indices_`` (the rows it drew), as the rebalance samplers and
        imbalanced-learn's random samplers do, so that the parameter can be
        resampled with the rows.
    classifier : classifier instance
        Cloned and fitted on the resampled rows.

    Attributes
    ----------
    sampler_ : sampler instance
        The fitted clone of ``sampler`` (``sample_indices_``,
        ``sampling_strategy_``). Its ``sample_indices_`` index the rows it
        was given: when whole-number ``sample_weight`` is applied as repeated
        rows (a classifier whose ``fit`` takes none), the repeated rows.
    classifier_ : classifier instance
        The fitted clone of ``classifier``.
    classes_ : ndarray of shape (n_classes,)
    resampled_priors_ : ndarray of shape (n_classes,) or None
        Class priors of the rows the classifier was fitted on (weighted by the
        resampled ``sample_weight`` when given, and by the classifier's
        ``class_weight`` as scikit-learn applies it: for a
        ``BaggingClassifier`` or soft ``VotingClassifier``, its members', for
        a ``StackingClassifier``, its final estimator's), in ``classes_``
        order; when the classifier resamples again (a ResampledClassifier,
        also in a ``TunedThresholdClassifierCV``) or moves its probabilities
        (a ThresholdMover with ``deploy_priors``), the priors its
        probabilities follow. The
        classifier's probabilities are calibrated to these priors;
        :class:`rebalance.ThresholdMover` reads them to move the probabilities
        back to the real ones. None when the classifier resamples its rows
        again without recording which (an imbalanced-learn pipeline with a
        SMOTE step, ...), or with ``sample_weight`` through such a pipeline,
        or is frozen (a ``FrozenEstimator``, fitted on other rows), or is an
        ensemble of members that resample, move their probabilities, or
        weight the classes, at unequal or unknown priors (a
        ``BaggingClassifier`` of ResampledClassifiers: their equal
        ``resampled_priors_`` when they agree; a ``StackingClassifier``: its
        final estimator's).
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

    # sample_weight is routed to the classifier (resampled), not used here.
    __metadata_request__fit = {"sample_weight": metadata_routing.UNUSED}

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any):
        """Resample ``X, y`` and fit the classifier on them.

        Every fit parameter with one value per row (``sample_weight``,
        ``groups``, ...) is resampled with the rows, through the sampler's
        ``sample_indices_``, before it reaches the classifier; any other
        parameter, and a validation set (``X_val``, ``eval_set``, ...), is
        passed as it is.

        A sampler whose draw leaves out every row of a class that ``y`` holds
        (``sampling_strategy={c: 0}``, or a ``ClassBalancedSampler`` whose
        small ``n_samples`` drew no row of a rare class, an imbalanced-learn
        cleaning sampler such as ``EditedNearestNeighbours(sampling_strategy=
        'all')`` that cleaned a small class away) raises a ValueError naming
        the class: the classifier's ``classes_`` and ``predict_proba``
        columns would lack it. So does a draw that keeps only rows of
        ``sample_weight`` 0 of a class whose rows given have a positive
        weight (a row of weight 0 counts as left out): the classifier would
        learn nothing of it. So does a ``RandomOverSampler`` with a
        ``shrinkage`` above 0 before a classifier that takes only non-negative
        X (``MultinomialNB``, ``ComplementNB``, ``CategoricalNB``): its noise
        makes values negative. With a Dask DataFrame X, per-row parameters
        are checked against the order of X's rows as the sampler checks
        ``y``: refused next to an X computed through a Dask shuffle (persist
        it first), and next to one whose rows ``dd.from_pandas`` sorted
        unless their index is X's, in X's order.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Training rows, resampled by the sampler.
        y : array-like of shape (n_samples,)
            Class labels of the rows. A rebalance sampler gets them as given,
            so that it draws the rows ``sampler.fit_resample(X, y)`` draws (a
            pandas categorical's classes in its categories' order); the
            classifier gets the drawn labels as a numpy array of their values
            when they are a pandas extension type (categorical, nullable),
            and numpy 2 ``StringDType`` labels as Python strings (objects,
            as ``classes_`` and its predictions then are).
        sample_weight : array-like of shape (n_samples,), default=None
            Resampled with the rows and passed to the classifier's ``fit``.
            Without metadata routing, a classifier whose ``fit`` takes no
            ``sample_weight`` gets whole-number weights as repeated rows (what
            ``BaggingClassifier``'s bootstrap counts mean); other weights raise
            a TypeError.
        **fit_params : dict
            Without metadata routing: passed to the classifier's ``fit``,
            resampled with the rows when they have one value per row. With
            ``sklearn.set_config(enable_metadata_routing=True)``: routed to the
            classifier's ``fit`` (as requested with its ``set_fit_request``,
            and resampled the same way) and to the sampler's ``fit_resample``
            (as requested with its ``set_fit_resample_request``, on the rows
            before resampling).

        Returns
        -------
        self : object
            The fitted meta-estimator.
        """
        validate_params_anyway(self)
        check_classifier(self.classifier, "classifier")
        reject_mapping_or_iterator(X, "X")
        if is_pairwise(self.classifier):
            # The sampler draws rows; the columns of a precomputed kernel or
            # distance matrix are rows too, and would be left as they are.
            raise ValueError(
                f"classifier {type(self.classifier).__name__} takes a precomputed "
                "(pairwise) kernel or distance matrix as X, whose columns are the "
                "training rows: ResampledClassifier resamples the rows only, so "
                "the classifier would not get a square matrix. Resample the "
                "features before computing the matrix (sampler.fit_resample(X, "
                "y), then the kernel of the resampled rows), or use a classifier "
                "on the features (e.g. SVC(kernel='rbf'))."
            )
        # (not every sampler says so: imbalanced-learn's)
        reject_lazy(X, "X")
        reject_lazy(y, "y")
        reject_lazy(sample_weight, "sample_weight")
        if (
            is_semi_supervised(self.classifier)
            and not is_dask_input(y)
            and _holds_minus_one(y)
        ):  # (before the labels' checks: -1 among strings is no mixed type)
            raise ValueError(unlabeled_rows_hint(_UNLABELED_FIX))
        y = meta_target(y)
        check_categorical_classes(y)  # (the classifier reads the values)
        # Before any sampler: an imbalanced-learn one would pair them silently.
        check_paired_rows(X, y, "ResampledClassifier.fit")
        check_same_selection(X, y, sample_weight)  # Dask: other rows of X's data
        check_paired_params(
            X,
            y,
            {"sample_weight": sample_weight, **fit_params},
            "ResampledClassifier.fit",
        )
        _check_finite_for(self.classifier, X)
        _check_positive_for(self.sampler, self.classifier)
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        # Per-row values numpy reads but scikit-learn's indexing does not (a
        # memoryview, an array.array): as numpy arrays, resampled with the rows.
        params = {name: buffer_values(value) for name, value in params.items()}
        # Before the sampler: not every sampler compares them (an
        # imbalanced-learn one pairs rows with the wrong labels).
        if is_dask_input(X, y) and not params and _own_draw(self.sampler):
            # Nothing to pair with X's rows here: a rebalance sampler checks
            # X and y in the pass that computes the labels (len() of a Dask
            # frame is a pass over its files of its own).
            n_samples = None
        else:
            n_x, n_y = rows_of(X, y)  # Dask frames' lengths: one compute
            check_same_length(n_x, n_y)
            n_samples = n_x if n_x is not None else n_y
        refuse_unordered_weights(sample_weight)  # (a dict is not 2 weights)
        if sample_weight is not None and n_samples is not None:
            # One number per row, finite and >= 0 (worded as the samplers
            # word it), checked before the sampler and the classifier run
            # (the type is kept: it is resampled with the rows).
            checked = check_sample_weight(sample_weight, n_samples)
            if not (np.asarray(checked, dtype=np.float64) > 0).any():
                # Refused before any fit: no sampler or classifier can use
                # them, and the training priors would be undefined.
                raise ValueError(
                    "sample_weight is all zero: no row would count in the fit. "
                    "Give some rows a positive weight, or pass no sample_weight."
                )
        repeated_rows = False  # whole-number weights applied as repeated rows
        if _routing_enabled():
            routed = process_routing(self, "fit", **params)
            sampler_params = dict(routed["sampler"]["fit_resample"])
            classifier_params = dict(routed["classifier"]["fit"])
            _check_weights_used(
                self.sampler, self.classifier, sampler_params, classifier_params
            )
        else:
            sampler_params, classifier_params = {}, params
            # A classifier without sample_weight (e.g. in BaggingClassifier,
            # which passes its bootstrap as counts): the rows are repeated.
            counts = classifier_params.get("sample_weight")
            X_rows, y_rows, classifier_params = weights_as_rows(
                self.classifier, X, y, classifier_params
            )
            if X_rows is not X or y_rows is not y:
                X, y = X_rows, y_rows
                # A count above 1 repeats a row, whatever the row count (a 0
                # may drop as many other rows).
                repeated_rows = _repeats_a_row(counts)
                n_samples = n_rows(X, y)
        for name, value in classifier_params.items():
            # A lazy frame (polars LazyFrame) has no row count: it would be
            # passed on as it is, not resampled with the rows.
            reject_lazy(value, name)
        follow = row_aligned_names(classifier_params, n_samples)
        if follow and not _records_indices(self.sampler):
            raise TypeError(_no_indices_message(self.sampler, follow))
        lazy = [name for name in follow if is_dask_input(classifier_params[name])]
        if lazy:
            # Refused before the sampler runs: the resampled rows of a lazy
            # collection cannot be taken by the indices here.
            raise TypeError(
                f"{lazy[0]} is a Dask collection: ResampledClassifier passes the "
                "classifier's per-row parameters on by the sampler's indices, in "
                f"memory. Pass {lazy[0]}.compute() (or a numpy array) instead."
            )
        # The classifier's weights under another name (a routing alias, a
        # Pipeline's '<step>__sample_weight') are checked here too, before
        # the sampler: of another length they would not follow the rows, and
        # as many as the rows drawn they would weight other rows silently.
        check_weight_rows(
            fit_weight_of(self.classifier, classifier_params),
            {**params, **classifier_params},
            n_samples,
            "the classifier's sample_weight",
            "they are resampled with the rows",
        )
        if follow and is_dask_input(X):
            # Taken by the sampler's positions in X's rows as Dask computes
            # them: checked against X's row order as the sampler checks y.
            check_row_order(X, {name: classifier_params[name] for name in follow})
        sampler = clone(self.sampler)
        # A rebalance sampler gets the labels as given: a pandas categorical's
        # classes come in its categories' order, which orders the draw (the
        # rows sampler.fit_resample(X, y) and an imblearn Pipeline draw).
        # Others, and the classifier, get them as the classifier reads them.
        if not isinstance(self.sampler, BaseSampler) and not is_dask_input(y):
            # Missing labels named as rebalance's samplers name them (an
            # imbalanced-learn sampler passes None on as a class).
            encode_labels(y)
        labels = y if isinstance(self.sampler, BaseSampler) else as_classifier_target(y)
        try:
            X_res, y_res = sampler.fit_resample(X, labels, **sampler_params)[:2]
        except TypeError as exc:
            _name_foreign_frame(sampler, X, exc)
            raise
        y_res = as_classifier_target(y_res)
        # Lazy (Dask) labels drawn: read from the fitted classifier below,
        # not computed once more here.
        lazy_draw = is_dask_input(y_res)
        if not lazy_draw:
            _check_classes_kept(self.sampler, y, _classes_present(y_res))
        given_weights = fit_weight_of(self.classifier, classifier_params)
        if follow:
            indices = getattr(sampler, "sample_indices_", None)
            if indices is None:
                raise TypeError(_no_indices_message(self.sampler, follow))
            indices = np.asarray(indices)
            _check_indices_match(self.sampler, indices, y, y_res, n_samples, follow)
            classifier_params = take_row_aligned(classifier_params, indices, n_samples)
        weights_res = fit_weight_of(self.classifier, classifier_params)
        _check_weights_kept(self.sampler, given_weights, weights_res)
        if not lazy_draw:
            _check_weighted_classes_kept(
                self.sampler, y, given_weights, y_res, weights_res
            )
        drawn = getattr(sampler, "sample_indices_", None) if lazy_draw else None
        _warn_copies_validated(
            sampler,
            self.classifier,
            n_rows(X_res) if drawn is None else len(drawn),  # (Dask: no compute)
            classifier_params,
            repeated_rows,
        )
        classifier = clone(self.classifier)
        # Its return value is not used: scikit-learn's meta-estimators keep the
        # fitted clone, whatever a fit that does not return self returns.
        classifier.fit(X_res, y_res, **classifier_params)
        check_fitted_classes(classifier, "classifier")
        if (
            not lazy_draw
            and not _holds_minus_one(classifier.classes_)
            and _holds_minus_one(y_res, objects=False)
        ):  # another semi-supervised model: -1 read as unlabeled
            raise ValueError(unlabeled_rows_hint(_UNLABELED_FIX))
        # A Dask draw's labels as the sampler computed them: neither y nor
        # the lazy y_res computed once more (a pass over their files each).
        computed = (
            getattr(sampler, "_drawn_labels", None)
            if lazy_draw and _own_draw(sampler)
            else None
        )
        sampler.__dict__.pop("_drawn_labels", None)  # read here, not kept
        if lazy_draw:
            _check_classes_kept(
                self.sampler,
                y,
                np.asarray(classifier.classes_).tolist(),
                present=None if computed is None else computed.present,
            )
        # Computed before any fitted attribute is set (a failure leaves the
        # last fit whole, not the new classifier_ next to the old priors).
        priors = _training_priors(
            classifier,
            y_res if computed is None else as_classifier_target(computed.drawn),
            weights_res,
            np.asarray(classifier.classes_),
        )
        self.sampler_ = sampler
        self.classifier_ = classifier
        self.classes_ = classifier.classes_
        self.resampled_priors_ = priors
        for name in ("n_features_in_", "feature_names_in_"):  # of an earlier fit
            self.__dict__.pop(name, None)
        for source in (sampler, classifier):
            if hasattr(source, "n_features_in_"):
                self.n_features_in_ = source.n_features_in_
                if hasattr(source, "feature_names_in_"):
                    self.feature_names_in_ = source.feature_names_in_
                break
        return self

    def get_metadata_routing(self):
        """Metadata routing of this object (see scikit-learn's metadata routing).

        ``fit`` routes to the sampler's ``fit_resample`` and to the
        classifier's ``fit`` (row-aligned values resampled with the rows);
        ``score`` uses ``sample_weight`` itself.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing of ``fit`` to the sampler and the classifier.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                sampler=self.sampler,
                method_mapping=MethodMapping().add(caller="fit", callee="fit_resample"),
            )
            .add(
                classifier=self.classifier,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predict classes with the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Rows to classify (not resampled).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The classifier's ``predict`` on ``X``.
        """
        check_is_fitted(self)
        reject_lazy(X, "X")
        return self.classifier_.predict(X)

    @available_if(_classifier_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Predict class probabilities with the fitted classifier.

        The probabilities are calibrated to ``resampled_priors_``, not to the
        class priors of the original data; :class:`rebalance.ThresholdMover`
        corrects them.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Rows to classify (not resampled).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The classifier's ``predict_proba`` on ``X``, in ``classes_`` order.
        """
        check_is_fitted(self)
        reject_lazy(X, "X")
        return self.classifier_.predict_proba(X)

    @available_if(_classifier_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Predict log class probabilities with the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Rows to classify (not resampled).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The classifier's ``predict_log_proba`` on ``X``.
        """
        check_is_fitted(self)
        reject_lazy(X, "X")
        return self.classifier_.predict_log_proba(X)

    @available_if(_classifier_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Compute decision scores with the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Rows to score (not resampled).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The classifier's ``decision_function`` on ``X``.
        """
        check_is_fitted(self)
        reject_lazy(X, "X")
        return self.classifier_.decision_function(X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Score the fitted classifier on ``X, y``.

        Missing labels (None, NaN, NA, masked, a datasets ClassLabel's -1)
        and negative, masked or all-zero weights are refused, as in ``fit``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Test rows (not resampled).
        y : array-like of shape (n_samples,)
            True labels of the rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the score.

        Returns
        -------
        score : float
            The classifier's ``score`` (mean accuracy for most classifiers;
            the mean accuracy for one without a ``score`` method).
        """
        check_is_fitted(self)
        reject_lazy(X, "X")
        y, sample_weight = check_scored_rows(
            X, y, sample_weight, "ResampledClassifier.score"
        )
        # Only when given: a search's score takes no keyword without routing.
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        if not hasattr(self.classifier_, "score"):
            # A classifier without ClassifierMixin: its mean accuracy.
            return self._accuracy(X, y, sample_weight)
        if params and _routing_enabled():
            # This object consumes score's sample_weight itself (its routing
            # says so): not routed on to the classifier, whose score (or a
            # Pipeline's last step's) would demand a request of its own.
            final = final_step(self.classifier_)
            if getattr(type(final), "score", None) is ClassifierMixin.score:
                return self._accuracy(X, y, sample_weight)
            if not hasattr(final, "best_estimator_") and _names_sample_weight(
                self.classifier_
            ):
                # Its own score with weights: as without routing. (A search
                # takes score keywords only with routing on.)
                with config_context(enable_metadata_routing=False):
                    return self.classifier_.score(X, y, **params)
        return self.classifier_.score(X, y, **params)

    def _accuracy(self, X: Any, y: Any, sample_weight: Any) -> float:
        """The mean accuracy, as ClassifierMixin.score computes it."""
        predicted = self.classifier_.predict(X)
        return float(accuracy_score(y, predicted, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A sampler or classifier without tags (None, a duck-typed object)
        # counts as this object's defaults: fit names a parameter that is not
        # an estimator (scikit-learn's Pipeline reads its steps so).
        sampler_tags = tags_of(self.sampler) or copy.deepcopy(tags)
        classifier_tags = tags_of(self.classifier) or copy.deepcopy(tags)
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
        tags.input_tags.positive_only = classifier_tags.input_tags.positive_only
        # predict, predict_proba, ... hand X to the classifier unchecked: one
        # that skips input validation (DummyClassifier) leaves it unchecked
        # here too (another number of features, NaN, 1-D X), as its tag says.
        tags.no_validation = bool(classifier_tags.no_validation)
        if classifier_tags.classifier_tags is not None:
            # (None for a classifier without ClassifierMixin: ours stay.)
            tags.classifier_tags = copy.deepcopy(classifier_tags.classifier_tags)
        # The samplers take one label per row: no multilabel y.
        tags.classifier_tags.multi_label = False
        return tags


def _held_out_split(
    classifier: Any, n_rows: int | None, fit_params: dict | None = None
) -> tuple[Any, str] | None:
    """``(model, how)``: the model in ``classifier`` (itself, a pipeline's
    step, a search's, ensemble's or meta-estimator's member, nested) that sets
    aside part of the rows it is fitted on to validate itself (early
    stopping), and how; None when none does. A FrozenEstimator is not
    refitted; a validation set given to ``fit`` (``X_val``) or a skorch
    ``train_split`` other than ``ValidSplit`` (``predefined_split``) takes
    no rows of the training data."""
    fit_params = fit_params or {}
    given_val = any(name == "X_val" or name.endswith("__X_val") for name in fit_params)
    return _split_in(classifier, n_rows, given_val, 0)


def _split_in(
    model: Any, n_rows: int | None, given_val: bool, depth: int
) -> tuple[Any, str] | None:
    """The recursion of :func:`_held_out_split`."""
    from sklearn.frozen import FrozenEstimator

    if depth > 16 or isinstance(model, (FrozenEstimator, type)):
        return None
    skorch = sys.modules.get("skorch")
    if skorch is not None and isinstance(model, skorch.NeuralNet):
        from skorch.dataset import ValidSplit

        if isinstance(getattr(model, "train_split", None), ValidSplit):
            return model, "train_split (skorch's ValidSplit)"
        return None
    try:
        params = model.get_params(deep=False)
    except (AttributeError, TypeError):
        return None
    if params.get("validation_fraction") is not None:
        early = params.get("early_stopping", False)
        hist = "HistGradientBoosting" in type(model).__name__
        if hist and given_val:
            early = False  # validated on the X_val given, not on its rows
        if early is True or (
            early == "auto" and hist and (n_rows or 0) > 10_000
        ):  # scikit-learn's threshold for 'auto'
            return model, "early_stopping (a validation_fraction of the rows)"
        if (
            "early_stopping" not in params
            and params.get("n_iter_no_change") is not None
        ):
            # GradientBoostingClassifier: early stopping on validation_fraction.
            return model, "n_iter_no_change (a validation_fraction of the rows)"
    for value in params.values():
        members = value if isinstance(value, (list, tuple)) else [value]
        for member in members:
            if isinstance(member, tuple) and len(member) >= 2:
                member = member[1]  # a (name, estimator) pair
            if hasattr(member, "fit") and hasattr(member, "get_params"):
                found = _split_in(member, n_rows, given_val, depth + 1)
                if found is not None:
                    return found
    return None


def _warn_copies_validated(
    sampler: Any,
    classifier: Any,
    n_res: int | None,
    fit_params: dict,
    repeated_rows: bool = False,
) -> None:
    """Warn where ``sampler`` drew some rows more than once (or whole-number
    ``sample_weight`` was applied as repeated rows: ``repeated_rows``) and
    ``classifier`` holds out a validation split of what it is fitted on:
    copies of one row then land on both sides, and its validation scores
    (and early stopping) are measured on rows it trained on."""
    found = _held_out_split(classifier, n_res, fit_params)
    if found is None:
        return
    if repeated_rows:
        copies = (
            "whole-number sample_weight was applied as repeated rows (the "
            "classifier's fit takes no sample_weight), so some rows come more "
            "than once,"
        )
    else:
        indices = getattr(sampler, "sample_indices_", None)
        if indices is None:
            return
        indices = np.asarray(indices)
        if indices.ndim != 1 or np.unique(indices).shape[0] == indices.shape[0]:
            return
        copies = f"{type(sampler).__name__} drew some rows more than once"
    model, split = found
    warnings.warn(
        f"{copies} and the classifier {type(model).__name__} holds out "
        f"{split} from the rows it is fitted on: copies of one row land in both "
        "its training and its validation rows, so its validation scores and "
        "early stopping see rows it trained on. Resample within the training "
        "rows only (skorch: NeuralNetClassifier(..., iterator_train="
        "rebalance.torch.RebalancedLoader(sampler=...)) instead; scikit-learn: "
        "split a validation set off first and pass it as X_val/eval_set where "
        "the classifier takes one), or use a sampler that repeats no row "
        "(RandomUnderSampler with replacement=False).",
        UserWarning,
        stacklevel=4,  # fit's caller (fit runs inside scikit-learn's _fit_context)
    )


def _name_foreign_frame(sampler: Any, X: Any, exc: Exception) -> None:
    """Raise a TypeError naming X where a sampler of another library (an
    imbalanced-learn one, which reads X as pandas or numpy) failed on a
    polars X: its own error (from inside pandas) names neither. Its own
    parameter errors are left as they are."""
    library = type(X).__module__.split(".")[0]
    if isinstance(sampler, BaseSampler) or library != "polars":
        return
    if isinstance(exc, InvalidParameterError) or not is_dataframe(X):
        return
    if not _raised_in(exc, ("pandas", "polars", "pyarrow")):
        return  # the sampler's own error (a bad parameter, ...), not X's
    raise TypeError(
        f"{type(sampler).__name__}.fit_resample failed on X, a {library} "
        f"{type(X).__name__} ({exc}): samplers of other libraries (such as "
        "imbalanced-learn's) read X as pandas or numpy. Pass X.to_pandas(), or "
        "use a rebalance sampler, which takes it as it is."
    ) from exc


def _raised_in(exc: BaseException, libraries: tuple) -> bool:
    """Whether ``exc`` was raised inside one of ``libraries`` (the module of
    the innermost frame of its traceback)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    return module.split(".")[0] in libraries


def _own_draw(sampler: Any) -> bool:
    """Whether ``sampler`` is a rebalance sampler whose ``fit_resample`` is
    :class:`BaseSampler`'s (not overridden): it checks X against y itself,
    and on Dask inputs returns exactly the labels it keeps as computed."""
    return (
        isinstance(sampler, BaseSampler)
        and type(sampler).fit_resample is BaseSampler.fit_resample
    )


def _classes_present(y: Any) -> list | None:
    """The labels ``y`` holds (an unused category is none), as Python values;
    None when they cannot be read here (the classifier's to judge)."""
    if is_dask_input(y):
        y = computed_labels(y)
    try:
        labels = encode_labels(y)[0]
    except (TypeError, ValueError):
        return None
    return np.asarray(labels.classes)[np.asarray(labels.counts) > 0].tolist()


def _check_classes_kept(
    sampler: Any, y: Any, drawn: list | None, present: list | None = None
) -> None:
    """Raise when ``sampler`` left out every row of a class ``y`` holds
    (``drawn``: the classes of its draw, None when unknown): the classifier
    fitted on its draw would lack the class in ``classes_`` and in the
    columns of ``predict_proba``, which users and scikit-learn's scorers
    index by y's classes. (A class missing from ``y`` itself, e.g. in a
    bootstrap, is not the sampler's doing: the classifier never sees it.)
    ``present``: y's classes where the caller has them (a Dask draw's),
    else read from ``y``."""
    if drawn is None:
        return
    if present is None:  # (y's classes, where the caller has not read them)
        present = _classes_present(y)
    if present is None:
        return
    kept = set(drawn)
    lost = [label for label in present if label not in kept]
    if not lost:
        return
    params = sampler.get_params(deep=False) if hasattr(sampler, "get_params") else {}
    setting = ", ".join(f"{k}={params[k]!r}" for k in _DRAW_PARAMS if k in params)
    which = f"class {lost[0]!r}" if len(lost) == 1 else f"classes {lost!r}"
    if getattr(sampler, "_sampling_type", None) == "clean-sampling":
        # imbalanced-learn's cleaning samplers (EditedNearestNeighbours,
        # ...): sampling_strategy names the classes they clean.
        keep = (
            "Leave that class out of the classes it cleans (sampling_strategy="
            "'auto' or 'not minority', or a list of the classes to clean)"
        )
    else:
        keep = (
            "Keep at least one row of every class in the draw (a "
            "sampling_strategy above 0 for it; for ClassBalancedSampler, a "
            "larger n_samples)"
        )
    raise ValueError(
        f"{type(sampler).__name__}({setting}) left out every row of {which}, "
        "which y holds: the classifier would be fitted without it, and its "
        "classes_ and predict_proba columns would lack it (users and "
        f"scikit-learn's scorers index them by y's classes). {keep}, or remove "
        "its rows from X and y before fitting."
    )


def _all_zero(weights: Any) -> bool:
    """Whether ``weights`` are numbers, at least one, all 0."""
    if weights is None:
        return False
    try:
        values = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        return False  # not numbers: the classifier's to refuse
    return bool(values.size) and not values.any()


def _check_weights_kept(sampler: Any, given: Any, drawn: Any) -> None:
    """Raise when the resampled weights ``drawn`` the classifier would be
    fitted with are all 0 while the weights ``given`` are not (the sampler
    drew only rows of weight 0, leaving out those of positive weight):
    scikit-learn's classifiers would refuse them with "Sample weights must
    contain at least one non-zero number", which the weights given do."""
    if not _all_zero(drawn) or _all_zero(given):
        return
    raise ValueError(
        f"{type(sampler).__name__} drew only rows of sample_weight 0 (it left "
        "out every row of positive weight), so the classifier would be fitted "
        "with all-zero weights. Give more rows a positive weight, or draw more "
        "rows (a sampling_strategy that keeps more of each class, or "
        "RandomOverSampler)." + _bootstrap_hint(given)
    )


def _bootstrap_hint(given: Any) -> str:
    """For whole-number weights with zeros, which a ``BaggingClassifier``
    passes as its bootstrap counts (0 for the rows its bootstrap left out):
    what leaves a class without weight there, and the fixes that work."""
    try:
        values = np.asarray(given, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if not (values.size and (values == 0).any() and (values == np.round(values)).all()):
        return ""
    return (
        " If the weights are a BaggingClassifier's bootstrap counts (it passes "
        "sample_weight=0 for the rows its bootstrap left out, and the sampler "
        "draws from all the rows, whatever their weight), a class drawn to a "
        "few rows can get only rows of count 0: use RandomOverSampler (it "
        "keeps every row), or a sampling_strategy that keeps more rows of the "
        "large classes (RandomUnderSampler(sampling_strategy=0.5) for two "
        "classes), which makes such a draw rare."
    )


def _weight_per_class(labels: Any, weights: Any) -> dict | None:
    """``{class: summed weight}`` of the rows ``labels`` weighted by
    ``weights`` (scaled, as :func:`class_weight_sums` sums them: only which
    are positive is read); None when they cannot be read here (not one
    finite number >= 0 per row, labels that cannot be encoded, lazy ones:
    the classifier's to judge)."""
    if weights is None or is_dask_input(labels, weights):
        return None
    try:
        encoded, sums = class_weight_sums(labels, weights)
    except (TypeError, ValueError):
        return None
    return dict(zip(np.asarray(encoded.classes).tolist(), sums.tolist()))


def _check_weighted_classes_kept(
    sampler: Any, y: Any, given: Any, y_res: Any, drawn: Any
) -> None:
    """Raise when the sampler drew only rows of sample_weight 0 of a class
    whose rows given have a positive weight: a row of weight 0 counts as left
    out (as in scikit-learn), so the classifier would learn nothing of that
    class (no weight on it) while its ``classes_`` name it, and
    ``resampled_priors_`` give it a prior of 0. (``_check_weights_kept``
    names the draw of no positive weight at all.)"""
    before = _weight_per_class(y, given)
    after = _weight_per_class(y_res, drawn)
    if before is None or after is None:
        return
    lost = [c for c, total in before.items() if total > 0 and not after.get(c, 0) > 0]
    if not lost:
        return
    which = f"class {lost[0]!r}" if len(lost) == 1 else f"classes {lost!r}"
    raise ValueError(
        f"{type(sampler).__name__} drew only rows of sample_weight 0 of the "
        f"{which} (it left out every row of positive weight there, which the "
        "weights given hold): a row of weight 0 counts as left out, so the "
        "classifier would be fitted with no weight on it and learn nothing of "
        "it, while its classes_ and predict_proba columns name it. Draw more "
        "rows of it (a sampling_strategy that keeps more of it, or "
        "RandomOverSampler), or give more of its rows a positive weight."
        + _bootstrap_hint(given)
    )


_UNLABELED_FIX = (
    "ResampledClassifier would balance -1 as a class of its own. Resample "
    "inside the semi-supervised model instead: "
    "SelfTrainingClassifier(ResampledClassifier(sampler, classifier)) "
    "resamples the labeled rows at each of its fits; for LabelSpreading or "
    "LabelPropagation, fit on the labeled rows only (y != -1)."
)


def _holds_minus_one(labels: Any, objects: bool = True) -> bool:
    """Whether ``labels`` (numpy, pandas, a list) hold the number -1: among
    numbers, or with ``objects`` among strings in an object array
    (scikit-learn's semi-supervised form of string labels; read one by one,
    so not after every fit)."""
    if isinstance(labels, (list, tuple)):
        values = np.empty(len(labels), dtype=object)
        values[:] = labels
    else:
        values = np.asarray(labels)
    if values.dtype.kind == "O" and objects:
        return any(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            and v == -1
            for v in values.ravel()
        )
    return values.dtype.kind in "iuf" and bool((values == -1).any())


def _training_priors(
    classifier: Any, y_res: Any, weights_res: Any, classes: np.ndarray
) -> np.ndarray | None:
    """The class priors ``classifier``, just fitted on ``y_res`` (weighted by
    ``weights_res``), is calibrated to; None when they are unknown: it
    resamples its rows again (an imbalanced-learn pipeline with SMOTE, ...),
    it is frozen (fitted earlier, on other rows), or it is an ensemble of
    members that resample, or weight the classes, to unequal priors."""
    if final_is_frozen(classifier):
        return None
    try:
        seen = labels_seen(classifier, y_res, weights_res, "")
        # A classifier that resamples again (a ResampledClassifier, an
        # ensemble of them), or moves its probabilities to other priors (a
        # ThresholdMover): the priors its probabilities follow.
        own = model_priors(classifier, classes, "", seen, weights_res)
    except ValueError:
        return None
    if own is not None:
        return own
    priors = class_priors(seen, classes, weights_res)
    try:
        return with_class_weight(priors, classifier, seen, classes, weights_res)
    except ValueError:
        # Class weights that give no one set of priors: an ensemble whose
        # members weight the classes differently, ...
        return None


def _names_sample_weight(classifier: Any) -> bool:
    """Whether ``classifier.score`` has a ``sample_weight`` parameter."""
    try:
        return "sample_weight" in inspect.signature(classifier.score).parameters
    except (TypeError, ValueError):
        return False


def _pandas_numbers(dtype: Any) -> bool:
    """Whether a pandas column of ``dtype`` is numbers to a classifier:
    numeric and boolean dtypes (numpy, nullable and pyarrow), and categoricals
    of them."""
    if isinstance(dtype, pd_api_categorical):
        dtype = dtype.categories.dtype
    return numeric_dtype(dtype)


def _check_finite_for(classifier: Any, X: Any) -> None:
    """Raise scikit-learn's error for NaN or infinity in a numeric X when
    ``classifier`` does not take them (infinity only, for a tree or forest,
    which takes NaN): rows the sampler leaves out would otherwise hide them,
    and a fit would succeed or fail with the draw."""
    tags = tags_of(classifier)
    if tags is None:
        return  # not a scikit-learn estimator: its own checks
    allow_nan = tags.input_tags.allow_nan
    tree = _refuses_infinity(classifier)
    if tree and sp.issparse(X):
        allow_nan = False  # scikit-learn's trees take NaN in dense X only
    if not tree and (
        hasattr(classifier, "steps") or isinstance(classifier, MetaEstimatorMixin)
    ):
        # A pipeline may impute (its tag does not say); a meta-estimator
        # takes NaN where every estimator it fits on X does (its own tag may
        # not say: a stack's leaves out a passthrough final estimator).
        if _may_take_nan(classifier):
            return
        allow_nan = False
    elif allow_nan and not tree:
        return
    if is_pandas(X, "DataFrame"):
        # Column by column (no float64 copy of the whole frame), every column
        # the classifier would read as numbers: others (strings, ...) are the
        # classifier's to refuse, and must not hide NaN in the numbers.
        columns: Iterable[Any] = (
            _pandas_column_numbers(X.iloc[:, j], _pandas_numbers(dtype))
            for j, dtype in enumerate(X.dtypes)
            if _pandas_numbers(dtype) or _pandas_text(dtype)
        )
    elif is_dataframe(X):  # polars, pyarrow, ...: a null is missing too
        frame = narwhals_frame(X)
        columns = (
            frame.get_column(name).cast(nw.Float64).to_numpy()
            for name, dtype in frame.schema.items()
            if dtype.is_numeric() or dtype == nw.Boolean
        )
    elif isinstance(X, (list, tuple)):
        try:
            values = np.asarray(X)
        except (TypeError, ValueError):
            return  # ragged: the classifier's own checks
        columns = [_object_numbers(values)]
    elif sp.issparse(X):
        # CSR, CSC, COO, ...: the stored values. DOK has no .data and LIL's
        # is an object array of row lists: read as CSR, as the sampler
        # gathers them (else a draw that left out a row with NaN decided
        # whether the classifier was fitted).
        stored: Any = getattr(X, "data", None)
        if not (isinstance(stored, np.ndarray) and stored.dtype.kind in "biufc"):
            check_compressed(X, "X")  # scipy's conversion reads a bad LIL out of bounds
            try:
                stored = X.tocsr().data
            except (TypeError, ValueError):  # the classifier's to refuse
                stored = None
        columns = [stored]
    elif hasattr(X, "detach") and hasattr(X, "numpy"):
        # A torch tensor (e.g. under skorch): its values on the CPU.
        try:
            columns = [X.detach().cpu().numpy()]
        except (TypeError, RuntimeError):  # bfloat16, ...: the classifier's
            return
    else:
        # An object array of numbers as the classifier reads it (floats).
        columns = [_object_numbers(X)]
    for values in columns:
        if isinstance(values, np.ndarray) and values.dtype.kind in "fc":
            # also under sklearn's assume_finite=True: a draw must not decide
            # whether the classifier is fitted on NaN
            with config_context(assume_finite=False):
                # (estimator_name: the classifier's own advice, imputers)
                assert_all_finite(
                    values,
                    allow_nan=allow_nan,
                    input_name="X",
                    estimator_name=type(classifier).__name__,
                )


def _may_take_nan(classifier: Any) -> bool:
    """Whether ``classifier`` may be fitted on NaN in X beside its own
    ``allow_nan`` tag: a pipeline (a step may impute), or a meta-estimator
    (``OneVsRestClassifier``, ``BaggingClassifier``, ``VotingClassifier``,
    ...) unless an estimator it fits on X refuses NaN (a
    ``LogisticRegression`` inside); one whose inner estimators are unknown
    (not given, or not scikit-learn's) may."""
    if hasattr(classifier, "steps"):
        return True
    if not isinstance(classifier, MetaEstimatorMixin):
        tags = tags_of(classifier)
        return tags is None or bool(tags.input_tags.allow_nan)
    if type(classifier).__name__ == "FrozenEstimator":
        return True  # fitted already: its fit reads no X
    inner = _estimators_fitted_on_X(classifier)
    return not inner or all(_may_take_nan(one) for one in inner)


def _estimators_fitted_on_X(meta: Any) -> list:
    """The estimators a scikit-learn meta-estimator fits on its X: its
    ``estimator`` (``base_estimator``) and its ``estimators`` (``(name,
    estimator)`` pairs or estimators), and a stacking ``final_estimator``
    only with ``passthrough=True`` (else it is fitted on their predictions);
    empty where none is given."""
    try:
        params = meta.get_params(deep=False)
    except Exception:  # not a scikit-learn estimator: unknown
        return []
    found = []
    for name in ("estimator", "base_estimator"):
        one = params.get(name)
        if one is not None and not isinstance(one, str):
            found.append(one)
    for item in params.get("estimators") or ():
        one = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        if one is not None and not isinstance(one, str):  # "drop"
            found.append(one)
    if found and params.get("passthrough") is True and "final_estimator" in params:
        # Stacking with passthrough: the final estimator is fitted on X too
        # (scikit-learn's default one, a LogisticRegression, refuses NaN).
        final = params["final_estimator"]
        if final is None:
            from sklearn.linear_model import LogisticRegression

            final = LogisticRegression()
        found.append(final)
    return found


def _repeats_a_row(counts: Any) -> bool:
    """Whether whole-number ``sample_weight`` applied as repeated rows
    repeats one (a count above 1)."""
    try:
        return bool((np.asarray(counts, dtype=np.float64) > 1).any())
    except (TypeError, ValueError):
        return True  # (counts weights_as_rows read: not expected)


def _refuses_infinity(classifier: Any) -> bool:
    """Whether ``classifier``, which takes NaN, refuses infinity in X
    (scikit-learn's trees and forests; its HistGradientBoosting takes both)."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    trees = (DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier)
    return isinstance(classifier, trees)


def _check_positive_for(sampler: Any, classifier: Any) -> None:
    """Raise when ``classifier`` takes only non-negative X (its
    ``positive_only`` tag: MultinomialNB, ComplementNB, CategoricalNB) and
    ``sampler`` adds Gaussian noise to the rows it repeats (a
    ``RandomOverSampler`` with a ``shrinkage`` above 0): the noise makes
    values negative (and counts or categories not whole numbers), so the fit
    failed or not with the draw, naming negative values X did not have."""
    tags = tags_of(classifier)
    if tags is None or not tags.input_tags.positive_only:
        return
    try:
        shrinkage = sampler.get_params(deep=False).get("shrinkage")
    except (AttributeError, TypeError):
        return  # not an estimator: nothing known of its noise
    factors = list(shrinkage.values()) if isinstance(shrinkage, dict) else [shrinkage]
    if not any(
        isinstance(f, (int, float, np.number)) and not isinstance(f, bool) and f > 0
        for f in factors
    ):
        return  # no noise (None, 0), or a value the sampler refuses itself
    raise ValueError(
        f"{type(sampler).__name__}(shrinkage={shrinkage!r}) adds Gaussian noise "
        "to the rows it repeats (a smoothed bootstrap), which makes values "
        f"negative and counts not whole numbers, but {type(classifier).__name__} "
        "takes only non-negative X (counts, frequencies or categories): its fit "
        "would fail or not with the draw. Use shrinkage=None (plain repeated "
        "rows), or a classifier that takes any real-valued X."
    )


def _pandas_text(dtype: Any) -> bool:
    """Whether a pandas column of ``dtype`` holds Python objects or strings,
    which scikit-learn reads as numbers when they all are."""
    return (isinstance(dtype, np.dtype) and dtype.kind == "O") or isinstance(
        dtype, pd_api_string
    )


def _pandas_column_numbers(column: Any, numbers: bool) -> Any:
    """A pandas column of numbers (``numbers``), or of objects or strings, as
    float64 with missing values NaN; None for text that is not numbers."""
    try:
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        if numbers:
            raise
        return None


def _object_numbers(values: Any) -> Any:
    """An object numpy array of numbers (NaN, None included) as float64, as
    scikit-learn's ``check_array`` reads it; anything else as it is (not all
    numbers: the classifier's to refuse)."""
    if not isinstance(values, np.ndarray) or values.dtype != object:
        return values
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError):
        return values


def _check_weights_used(
    sampler: Any, classifier: Any, sampler_params: dict, classifier_params: dict
) -> None:
    """Raise when metadata routing hands ``sample_weight`` to a rebalance
    sampler only: its draw does not depend on the weights (it only resamples
    them), so they would change nothing, whether the classifier's ``fit``
    takes no ``sample_weight`` or requests it (a Pipeline: one of its steps)
    under another name than the one they were passed as. (A classifier that
    declines them, ``set_fit_request(sample_weight=False)``, is fitted
    without them.)"""
    weights = sampler_params.get("sample_weight")
    if not isinstance(sampler, BaseSampler) or weights is None:
        return
    if any(value is weights for value in classifier_params.values()):
        return  # the classifier gets them too, resampled with the rows
    requests = _fit_requests(classifier)
    name = type(classifier).__name__
    if isinstance(requests, dict):
        request = requests.get("sample_weight", metadata_routing.UNUSED)
    elif _router_asks_sample_weight(classifier):
        # A router (a Pipeline, ...) one of whose steps asks for (or has
        # not set its request for) a sample_weight, which was not given.
        request = True
    else:
        # A router none of whose steps is routed a sample_weight: the model
        # it fits (a Pipeline's last step, a OneVsRestClassifier's
        # estimator, ...) may ask for its weights under an alias.
        final = routed_fit_model(classifier)
        requests = _fit_requests(final)
        request = requests.get("sample_weight") if isinstance(requests, dict) else None
        if not isinstance(request, str) or request in (
            metadata_routing.UNUSED,
            metadata_routing.WARN,
        ):
            return  # its steps take none, or decline them
        name = type(final).__name__
    if request is False:
        return  # declined: fitted without them, as asked
    if request in (metadata_routing.UNUSED, metadata_routing.WARN):
        why = f"{name}.fit takes no sample_weight"
        fix = (
            "Use a classifier whose fit takes them, with "
            "set_fit_request(sample_weight=True) (they are then resampled with "
            "the rows), or fit without them."
        )
    else:
        asked = "sample_weight" if request in (True, None) else request
        if not isinstance(requests, dict):
            why = (
                f"{name}'s steps ask for a sample_weight (or have no request set "
                "for it), which was not given these weights"
            )
        elif request is None:
            why = f"{name}.fit has no request set for its sample_weight"
        else:
            why = (
                f"{name}.fit asks for its sample_weight as {asked!r}, which was "
                "not given these weights"
            )
        first = (
            f"Call {name}.set_fit_request(sample_weight=True) and pass"
            if request is None
            else "Pass"
        )
        fix = (
            f"{first} the weights as {asked}= (they then reach both, resampled "
            "with the rows), or give the sampler's and the classifier's "
            "set_..._request the same name."
        )
    raise ValueError(
        f"sample_weight is routed to {type(sampler).__name__}.fit_resample "
        "only (its set_fit_resample_request), whose draw does not depend on "
        f"the weights, and {why}: the weights would change nothing. {fix}"
    )


def _fit_requests(estimator: Any) -> dict | None:
    """The requests of ``estimator.fit`` for its metadata (``{name: request}``)
    when it is a consumer; None for a router (a Pipeline, ...)."""
    fit_request = getattr(get_routing_for_object(estimator), "fit", None)
    requests = getattr(fit_request, "requests", None)
    return requests if isinstance(requests, dict) else None


def _router_asks_sample_weight(classifier: Any) -> bool:
    """Whether the router ``classifier`` (a Pipeline, ...) routes a
    ``sample_weight`` passed to its ``fit`` to one of its steps, or has a step
    whose request for it is not set."""
    try:
        routed = classifier.get_metadata_routing().route_params(
            caller="fit", params={"sample_weight": np.ones(1)}
        )
    except UnsetMetadataPassedError:
        return True
    except (AttributeError, KeyError, TypeError, ValueError):
        return False  # not a scikit-learn router: unknown
    return any(
        "sample_weight" in (params or {})
        for methods in routed.values()
        for params in dict(methods).values()
    )


def _check_indices_match(
    sampler: Any,
    indices: np.ndarray,
    y: Any,
    y_res: Any,
    n_samples: int | None,
    names: list[str],
) -> None:
    """Raise when ``sample_indices_`` cannot be the rows the sampler returned
    (another count, indices out of range, or rows whose labels are not those
    returned): the fit parameters ``names`` would be paired with other rows."""
    n_res = n_rows(y_res)
    why = None
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        why = (
            f"is not 1-D integer row indices (shape {indices.shape}, dtype "
            f"{indices.dtype})"
        )
    elif n_res is not None and indices.shape[0] != n_res:
        why = f"has {indices.shape[0]} indices but {n_res} rows were returned"
    elif (
        n_samples is not None
        and indices.size
        and (int(indices.min()) < 0 or int(indices.max()) >= n_samples)
    ):
        why = f"has indices outside the {n_samples} rows given"
    elif not is_dask_input(y, y_res):  # (lazy labels are not computed here)
        try:
            drawn = np.asarray(y)[indices]
            returned = np.asarray(y_res)
            same = drawn.shape == returned.shape and bool((drawn == returned).all())
        except (TypeError, ValueError):  # labels that do not compare: unchecked
            same = True
        if not same:
            why = "indexes rows whose labels are not the labels returned"
    if why is not None:
        raise ValueError(
            f"{type(sampler).__name__}.sample_indices_ {why}: the fit parameters "
            f"{names} would be paired with the wrong rows. Fix the sampler's "
            "sample_indices_ (the rows of X it returned, in order), or fit "
            "without them."
        )


def _records_indices(sampler: Any) -> bool:
    """False when the sampler's tags say it sets no ``sample_indices_``."""
    sampler_tags = getattr(tags_of(sampler), "sampler_tags", None)
    return getattr(sampler_tags, "sample_indices", True) is not False


def _no_indices_message(sampler: Any, names: list[str]) -> str:
    return (
        f"The fit parameters {names} have one value per row, but "
        f"{type(sampler).__name__} does not record which rows it drew "
        "(sample_indices_), so they cannot follow the resampled rows. Use a sampler "
        "that sets sample_indices_ (every rebalance sampler, imbalanced-learn's "
        "random samplers), or fit without them."
    )
