"""Fit parameters with one value per row ("row-aligned metadata").

A row-aligned fit parameter (``sample_weight``, ``groups``, ``row_ids``, ...)
must follow the rows it describes: through a resampling (``sample_indices_``)
or into a cross-validation fold. Anything else (scalars, dicts, arrays of
another length, and a separate validation set such as ``X_val``, ``y_val`` or
``eval_set``, whatever its length) passes through unchanged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import get_tags
from sklearn.utils.validation import _num_samples, has_fit_parameter

from rebalance import _indices
from rebalance._dask import _is_frame, is_dask_input
from rebalance._frames import BUFFERS, reject_mapping_or_iterator
from rebalance._validation import check_sample_weight, take_rows

_RESAMPLED_CLASSIFIER_HINT = (
    "Put the sampler and the classifier in rebalance.ResampledClassifier("
    "sampler, classifier) instead, which resamples sample_weight and every other "
    "fit parameter with one value per row together with the rows, e.g. "
    "make_pipeline(StandardScaler(), ResampledClassifier(RandomUnderSampler(), "
    "LogisticRegression())).fit(X, y, resampledclassifier__sample_weight=w)."
)


def n_rows(*data: Any) -> int | None:
    """Number of rows of the first of ``data`` that has a known row count."""
    for item in data:
        try:
            n = _num_samples(item)
        except (TypeError, ValueError):
            continue
        if isinstance(n, (int, np.integer)):
            return int(n)
    return None


def rows_of(*data: Any) -> list[int | None]:
    """:func:`n_rows` of each of ``data``; the lengths of Dask DataFrames and
    Series (which ``len()`` computes, a pass over their files each) computed
    together, in one ``dask.compute``.

    >>> import numpy as np
    >>> rows_of(np.zeros((3, 2)), [1, 2, 3], None)
    [3, 3, None]
    """
    lazy = [i for i, item in enumerate(data) if is_dask_input(item) and _is_frame(item)]
    if not lazy:
        return [n_rows(item) for item in data]
    import dask

    lengths = dask.compute(*[data[i].shape[0] for i in lazy])
    known = dict(zip(lazy, lengths))
    return [
        int(known[i]) if i in known else n_rows(item) for i, item in enumerate(data)
    ]


def _length(value: Any) -> int | None:
    """The number of rows of an array-like ``value``; None for anything else."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return None
    if isinstance(value, BUFFERS):
        # Before np.isscalar, which calls a memoryview a scalar (scikit-learn's
        # _num_samples refuses them).
        return len(value)
    if np.isscalar(value):
        return None
    if not any(hasattr(value, name) for name in ("__len__", "shape", "__array__")):
        return None
    try:
        return _num_samples(value)
    except (TypeError, ValueError):
        return None


# Fit parameters that hold a separate (validation / evaluation) data set, by
# the ecosystem's names: scikit-learn's X_val, y_val, sample_weight_val
# (HistGradientBoosting*), LightGBM's eval_set, eval_sample_weight,
# eval_init_score, ..., XGBoost's sample_weight_eval_set, base_margin_eval_set.
# Their rows are not the training rows even when there are as many of them (a
# 50/50 split): they are never resampled with, or split like, the training rows.
_SEPARATE_DATA_SET = re.compile(r"^eval_|_eval_set$|_(val|valid|validation)$")


def is_separate_data_set(name: str) -> bool:
    """Whether the fit parameter ``name`` holds a separate data set
    (``X_val``, ``y_val``, ``sample_weight_val``, ``eval_set``,
    ``eval_sample_weight``, ...), never row-aligned with the training rows.

    Examples
    --------
    >>> is_separate_data_set("X_val"), is_separate_data_set("sample_weight")
    (True, False)
    """
    return isinstance(name, str) and _SEPARATE_DATA_SET.search(name) is not None


# Fit parameters with one value per feature (column) or none at all, by the
# boosting libraries' names: LightGBM's feature_name and categorical_feature,
# XGBoost's feature_weights and feature_types, CatBoost's cat_features,
# text_features and embedding_features, and callbacks. A list of them as long
# as there are rows (as many features as rows) is still not one per row.
_NOT_PER_ROW = re.compile(
    r"^(feature_names?|feature_weights|feature_types|categorical_features?"
    r"|cat_features|text_features|embedding_features|callbacks)$"
)

# Fit parameters that hold one margin (raw score) per training row: LightGBM's
# init_score, XGBoost's base_margin, CatBoost's baseline. The libraries also
# take a multiclass margin flattened to n_samples * n_classes values, which
# cannot follow the rows: it would be passed on as given and, when the
# resampled rows are as many as the rows given, read against other rows.
_PER_ROW_MARGIN = frozenset({"init_score", "base_margin", "baseline"})


def _never_per_row(name: str) -> bool:
    """Whether the fit parameter ``name`` is never row-aligned: a separate
    data set, or one value per feature."""
    return is_separate_data_set(name) or (
        isinstance(name, str) and _NOT_PER_ROW.search(name) is not None
    )


def is_row_aligned(value: Any, n_samples: int | None, name: str = "") -> bool:
    """Whether ``value`` is an array-like with one entry per row (a fit
    parameter ``name`` that holds a separate data set, or one value per
    feature such as ``feature_name`` or ``categorical_feature``, never is)."""
    if _never_per_row(name):
        return False
    return n_samples is not None and _length(value) == n_samples


def _check_margins(params: Mapping, n_samples: int | None) -> None:
    """Raise when a per-row margin (``init_score``, ``base_margin``,
    ``baseline``) of ``params`` has not one row per row of X: it could not
    follow the rows through a resampling or a split."""
    if n_samples is None:
        return
    for name, value in params.items():
        if name not in _PER_ROW_MARGIN:
            continue
        length = _length(value)
        if length is None or length == n_samples:
            continue
        raise ValueError(
            f"The fit parameter {name} has {length} rows but X has {n_samples}: "
            "it holds one margin per training row, so it needs one row per row "
            "of X to be resampled or split with the rows. Pass a multiclass "
            "margin as a 2-D array of shape (n_samples, n_classes) (LightGBM's "
            "flattened init_score is class after class: "
            "init_score.reshape(n_classes, -1).T; XGBoost's flattened base_margin "
            "is row after row: base_margin.reshape(n_samples, -1))."
        )


def row_aligned_names(params: Mapping, n_samples: int | None) -> list[str]:
    """Names of the row-aligned values of ``params``.

    Raises when the row count is unknown (a Dask collection with unknown chunk
    sizes) and some value is an array-like: when unsure, refuse.
    """
    if n_samples is None:
        unsure = [
            name
            for name, value in params.items()
            if _length(value) is not None and not _never_per_row(name)
        ]
        if unsure:
            raise ValueError(
                f"Cannot tell whether the fit parameters {unsure} have one value "
                "per row: the number of rows of X is unknown (e.g. a Dask array "
                "with unknown chunk sizes). Compute it first, e.g. "
                "X.compute_chunk_sizes(), or pass X as an in-memory array."
            )
    _check_margins(params, n_samples)
    return [
        name for name, value in params.items() if is_row_aligned(value, n_samples, name)
    ]


def take_row_aligned(
    params: Mapping, indices: np.ndarray, n_samples: int | None
) -> dict:
    """``params`` with every row-aligned value replaced by its rows ``indices``
    (a per-row margin, ``init_score``, ``base_margin`` or ``baseline``, of
    another length raises)."""
    _check_margins(params, n_samples)
    return {
        name: take_rows(value, indices)
        if is_row_aligned(value, n_samples, name)
        else value
        for name, value in params.items()
    }


# How far up the call stack the imbalanced-learn Pipeline is looked for: our
# fit_resample, sklearn's fit-context wrapper, joblib's Memory wrappers and
# imblearn's _fit_resample_one lie in between.
_FRAMES = 16


def _imblearn_pipeline_context(sampler: Any, frame: Any) -> tuple[str, dict] | None:
    """What an ``imblearn.pipeline.Pipeline`` is doing with ``sampler``, found
    from ``frame`` upwards: ``("step", locals of Pipeline._fit)`` when the
    sampler is one of its intermediate steps (called by ``_fit_resample_one``,
    or loaded from the ``memory=`` cache), ``("last", locals of
    Pipeline.fit_resample)`` when it is its final step, or None (not called by
    a Pipeline as one of its steps, e.g. nested inside a transformer step,
    which resamples nothing the Pipeline sees).

    imbalanced-learn's Pipeline calls ``fit_resample(X, y)`` and has no way to
    hand resampled metadata to the steps after the sampler. Looking at its
    frames is the only way a sampler can see what the pipeline is about to
    pass on unresampled (or, with routing off, silently drop).
    """
    through_resample_one = False
    for _ in range(_FRAMES):
        if frame is None:
            return None
        if str(frame.f_globals.get("__name__", "")).startswith("imblearn.pipeline"):
            name, local = frame.f_code.co_name, frame.f_locals
            if name == "_fit_resample_one" and local.get("sampler") is sampler:
                through_resample_one = True
            elif name == "_fit":
                step = local.get("cloned_transformer")
                loaded = isinstance(step, type(sampler)) and not (
                    hasattr(step, "transform") or hasattr(step, "fit_transform")
                )
                return ("step", local) if through_resample_one or loaded else None
            elif name == "fit_resample":
                last = getattr(local.get("self"), "_final_estimator", None)
                return ("last", local) if last is sampler else None
            else:
                return None
        frame = frame.f_back
    return None


def check_not_dropped_by_imblearn_pipeline(
    sampler: Any, X: Any, y: Any, sample_weight: Any, *, frame: Any = None
) -> None:
    """Raise when an imblearn Pipeline would drop or misalign row-aligned params.

    Called by the rebalance samplers' ``fit_resample`` (and when one is loaded
    from a Pipeline's ``memory=`` cache, ``fit_resample`` then not being
    called: ``X``, ``y`` and ``sample_weight`` are None and read off the
    Pipeline). Outside an imblearn Pipeline it does nothing.
    """
    found = _imblearn_pipeline_context(sampler, frame or sys._getframe(1))
    if found is None:
        return
    kind, context = found
    routed = context.get("routed_params")
    steps = getattr(context.get("self"), "steps", None)
    if routed is None or steps is None or not hasattr(routed, "get"):
        return
    step_idx = len(steps) - 1 if kind == "last" else context.get("step_idx")
    if not isinstance(step_idx, int):
        return
    name = type(sampler).__name__
    own_name = steps[step_idx][0]
    if X is None:  # loaded from the cache: the step's inputs are _fit's
        X, y = context.get("X"), context.get("y")
        sample_weight = (
            (routed.get(own_name) or {}).get("fit_resample", {}).get("sample_weight")
        )
    if sample_weight is not None and kind == "step":
        raise ValueError(
            f"sample_weight was routed to {name}.fit_resample inside an "
            "imblearn.pipeline.Pipeline, which cannot pass the resampled weights "
            "on to the next steps (it expects fit_resample to return X, y only). "
            + _RESAMPLED_CLASSIFIER_HINT
        )
    n_samples = n_rows(X, y)
    problems = []
    for idx, (step_name, step) in enumerate(steps):
        if idx < step_idx:
            continue
        by_method = routed.get(step_name)
        if not by_method:
            continue
        for method, params in by_method.items():
            if not params or (idx > step_idx and not hasattr(step, method)):
                # Routed with routing off to every fit method, whether the
                # step has it or not: only the methods it has get them.
                continue
            if idx == step_idx:
                if method == "fit_resample":
                    continue  # routed to fit_resample itself: it gets them
                # With routing off, ``<sampler step>__param`` is stored for the
                # step's fit, which a Pipeline never calls on a sampler.
                # A None loses nothing (generic code passing
                # ``**{f"{step}__sample_weight": None}``).
                problems += [
                    f"{own_name}__{p} (dropped)"
                    for p, value in params.items()
                    if value is not None
                ]
            else:
                problems += [
                    f"{step_name}.{method}({p}=...) (not resampled)"
                    for p in row_aligned_names(params, n_samples)
                ]
    if problems:
        listed = ", ".join(sorted(set(problems)))
        raise ValueError(
            f"{name} resamples the rows inside an imblearn.pipeline.Pipeline, "
            "which cannot resample fit parameters with them: "
            f"{listed}. " + _RESAMPLED_CLASSIFIER_HINT
        )


def fit_weight_of(estimator: Any, params: Mapping) -> Any:
    """The ``sample_weight`` that ``estimator.fit(X, y, **params)`` trains its
    final model with: ``params['sample_weight']``, or for a pipeline (also
    nested, or searched by a ``GridSearchCV``, which hands its fit
    parameters on as they are) without metadata routing,
    ``'<last step>__sample_weight'`` (the way scikit-learn weights a
    pipeline's final step). None without weights.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression())
    >>> fit_weight_of(pipe, {"logisticregression__sample_weight": [1, 2]})
    [1, 2]

    With metadata routing on, ``params`` are those the pipeline's ``fit``
    receives, and the weights are those its routing hands its final step
    (also through a search, a ResampledClassifier, a ThresholdMover, a
    scikit-learn threshold classifier or a one-vs-rest or one-vs-one
    classifier, under the alias the final step requests them as):
    none when that step declines them (``set_fit_request(sample_weight=
    False)``, while a scaler before it takes them), another parameter's
    values when it requests an alias.
    """
    from sklearn.utils.metadata_routing import _routing_enabled

    if _routing_enabled():
        return _routed_fit_weight(estimator, params)
    weight = params.get("sample_weight")
    prefix = ""
    for _ in range(16):  # nested pipelines and searches
        if weight is not None:
            break
        if _is_search(estimator):
            # A search hands its fit parameters on to its estimator as they
            # are: ``<last step>__sample_weight`` of a searched pipeline.
            estimator = estimator.estimator
            continue
        inner = _passes_fit_params_to(estimator)
        if inner is not None:
            # So does a ResampledClassifier (resampled with the rows) and a
            # ThresholdMover that fits its estimator.
            estimator = inner
            continue
        steps = getattr(estimator, "steps", None)
        if not (isinstance(steps, list) and steps):
            break
        name, estimator = steps[-1]
        prefix += f"{name}__"
        weight = params.get(f"{prefix}sample_weight")
    return weight


def _passes_fit_params_to(estimator: Any) -> Any:
    """The estimator a rebalance meta-estimator hands its fit parameters on
    to, under the same names, without metadata routing: a
    ResampledClassifier's classifier, a ThresholdMover's estimator (unless
    it uses it as fitted: prefit, a FrozenEstimator); None for any other
    estimator."""
    from sklearn.frozen import FrozenEstimator

    from rebalance.compose import ResampledClassifier
    from rebalance.threshold import ThresholdMover

    if isinstance(estimator, ResampledClassifier):
        return estimator.classifier
    if isinstance(estimator, ThresholdMover) and not (
        estimator.prefit or isinstance(estimator.estimator, FrozenEstimator)
    ):
        return estimator.estimator
    return None


def check_weight_rows(
    weight: Any, given: Mapping, n_samples: int | None, role: str, fix: str
) -> None:
    """Raise when the weights ``weight`` (found among the fit parameters
    ``given``, by identity, for the name in the message) are an array of
    another length than the ``n_samples`` rows they weight: such a value is
    not resampled or split with the rows, and where its length happens to
    match the resampled rows or a fold, it would weight other rows silently.
    A scalar, or an unknown row count, passes."""
    if weight is None or n_samples is None:
        return
    length = _length(weight)
    if length is None:
        return
    names = [
        name
        for name, value in given.items()
        if value is weight and isinstance(name, str)
    ]
    name = names[0] if names else "sample_weight"
    if length == n_samples:
        # Numbers, finite and >= 0, before any work (not a fold's "weight 0
        # on every row" for negative weights, after the sampler or a fit).
        try:
            check_sample_weight(weight, n_samples)
        except (TypeError, ValueError) as error:
            if name == "sample_weight":
                raise
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"The fit parameter {name} ({role}): {error}") from error
        return
    raise ValueError(
        f"The fit parameter {name} ({role}) has {length} values but X has "
        f"{n_samples} rows: pass one weight per row of X ({fix}), e.g. "
        "numpy.ones(len(X))."
    )


def _is_search(estimator: Any) -> bool:
    """Whether ``estimator`` is a scikit-learn hyper-parameter search
    (``GridSearchCV``, ``RandomizedSearchCV``, ``HalvingGridSearchCV``, ...),
    whose ``best_estimator_`` is its ``estimator`` refitted with its fit
    parameters."""
    from sklearn.model_selection._search import BaseSearchCV

    return isinstance(estimator, BaseSearchCV)


def _routed_fit_weight(estimator: Any, params: Mapping) -> Any:
    """:func:`fit_weight_of` with metadata routing on: ``params`` routed
    the way ``estimator.fit`` routes them, down to the model that makes its
    predictions: a pipeline's last step, a search's estimator, a
    ResampledClassifier's classifier, a ThresholdMover's, a
    ``FixedThresholdClassifier``'s, a ``TunedThresholdClassifierCV``'s, a
    ``OneVsRestClassifier``'s or a ``OneVsOneClassifier``'s estimator (also
    nested; under an alias, the weights it requests)."""
    for _ in range(16):  # nested pipelines, searches and wrappers
        found = _routed_fit_child(estimator)
        if found is None:
            break
        name, inner = found
        try:
            routed = estimator.get_metadata_routing().route_params(
                caller="fit", params=dict(params)
            )
            params = dict(routed[name].get("fit", {}))
        except (AttributeError, KeyError, TypeError, ValueError):
            # Not a scikit-learn router: the weights it was given.
            break
        estimator = inner
    return params.get("sample_weight")


def routed_fit_model(estimator: Any) -> Any:
    """The model whose ``fit`` fits the predictions of ``estimator``, found
    the way :func:`fit_weight_of` follows the weights with metadata routing
    on: ``estimator`` itself, or a pipeline's last step, a search's, a
    ResampledClassifier's, a threshold classifier's or a one-vs-rest or
    one-vs-one classifier's estimator (nested).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multiclass import OneVsRestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> ovr = OneVsRestClassifier(LogisticRegression())
    >>> routed_fit_model(make_pipeline(StandardScaler(), ovr))
    LogisticRegression()
    """
    for _ in range(16):  # nested pipelines, searches and wrappers
        found = _routed_fit_child(estimator)
        if found is None:
            break
        estimator = found[1]
    return estimator


def _routed_fit_child(estimator: Any) -> tuple[str, Any] | None:
    """``(name, child)``: the child of the router ``estimator`` (by its name
    in ``estimator.get_metadata_routing()``) whose ``fit`` fits the model
    that makes its predictions, on its rows; None for any other estimator
    (a leaf, an ensemble, a calibration, a wrapper of a fitted model)."""
    from sklearn.model_selection import (
        FixedThresholdClassifier,
        TunedThresholdClassifierCV,
    )
    from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier

    from rebalance.compose import ResampledClassifier

    steps = getattr(estimator, "steps", None)
    if _is_search(estimator):
        # routed to its estimator's fit (its refitted best_estimator_)
        return "estimator", estimator.estimator
    if isinstance(steps, list) and steps and isinstance(steps[-1], tuple):
        return steps[-1]
    inner = _passes_fit_params_to(estimator)
    if inner is not None:
        if isinstance(estimator, ResampledClassifier):
            return "classifier", inner
        return "estimator", inner
    wrappers = (
        FixedThresholdClassifier,
        TunedThresholdClassifierCV,
        OneVsRestClassifier,
        OneVsOneClassifier,
    )
    if isinstance(estimator, wrappers):
        # Their models are fitted on the rows given, with the weights they
        # route on: their own (a threshold classifier's scorer's are not).
        return "estimator", estimator.estimator
    return None


def _fit_takes(estimator: Any, name: str) -> bool:
    """Whether ``estimator.fit`` takes a ``name`` argument without metadata
    routing: named in its signature, or passed on through ``**kwargs`` by a
    wrapper known to do so (``FrozenEstimator``, which ignores it; a search,
    when its estimator takes it). Other ``**kwargs`` (``Pipeline``,
    ``OneVsRestClassifier``, ...) refuse a bare ``sample_weight``."""
    from sklearn.frozen import FrozenEstimator

    # Voting and stacking ensembles take a bare sample_weight (named in
    # their fit's signature on scikit-learn < 1.7, through **fit_params and
    # _raise_for_params(allow=["sample_weight"]) since) when every member
    # does: they refuse it otherwise, so the signature alone does not tell.
    if name == "sample_weight" and isinstance(estimator, _weighted_ensembles()):
        members = [e for _, e in getattr(estimator, "estimators", [])]
        members.append(getattr(estimator, "final_estimator", None))
        return all(
            _fit_takes(member, name)
            for member in members
            if member is not None and not isinstance(member, str)
        )
    if has_fit_parameter(estimator, name):
        return True
    if isinstance(estimator, FrozenEstimator):
        return True
    if _is_search(estimator):
        return _fit_takes(estimator.estimator, name)
    return False


def _weighted_ensembles() -> tuple[type, ...]:
    try:
        from sklearn.ensemble._stacking import _BaseStacking
        from sklearn.ensemble._voting import _BaseVoting
    except ImportError:  # private names: another scikit-learn version
        return ()
    return (_BaseVoting, _BaseStacking)


def tags_of(estimator: Any) -> Any:
    """scikit-learn's tags of ``estimator``; None when it has none (None, a
    string, an object that does not derive from ``BaseEstimator``), as
    scikit-learn's Pipeline reads its steps' tags.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> tags_of(LogisticRegression()).estimator_type, tags_of(None)
    ('classifier', None)
    """
    try:
        return get_tags(estimator)
    except (AttributeError, TypeError, ValueError):
        return None


def is_pairwise(estimator: Any) -> bool:
    """Whether ``estimator`` takes a precomputed square X (its tags say so:
    ``SVC(kernel='precomputed')``, ``KNeighborsClassifier(metric='precomputed')``)."""
    tags = tags_of(estimator)  # no tags (not a scikit-learn estimator): not pairwise
    return tags is not None and bool(tags.input_tags.pairwise)


def weights_as_rows(estimator: Any, X: Any, y: Any, params: Mapping) -> tuple:
    """``(X, y, params)`` for an ``estimator`` whose ``fit`` takes no
    ``sample_weight`` while ``params`` has one: whole-number weights become
    repeated rows (a weight of 2 is the row twice, 0 drops it: what
    ``BaggingClassifier``'s bootstrap counts mean), and the other row-aligned
    params follow the rows. Anything else is returned as it is; weights that
    are not whole numbers cannot be applied so, and raise.
    """
    weights = params.get("sample_weight")
    if weights is None or _fit_takes(estimator, "sample_weight"):
        return X, y, dict(params)
    # Repeating rows needs them: a generator X (read once) cannot be.
    reject_mapping_or_iterator(X, "X")
    if is_pairwise(estimator):
        # Repeating rows of a precomputed kernel or distance matrix leaves
        # its columns as they are: no longer the square matrix it takes.
        raise TypeError(
            f"{type(estimator).__name__}.fit takes no sample_weight and a "
            "precomputed (pairwise) X: the weights cannot be applied as "
            "repeated rows, which would need its columns repeated too. Drop "
            "sample_weight, or use a classifier whose fit takes it."
        )
    n_samples = n_rows(X, y)
    if n_samples is None or is_dask_input(X, y):
        # Repeated rows are gathered in memory, by position: a Dask X (whose
        # row count may be unknown) cannot be; said here, not as weights
        # that are not whole numbers, or a generic error of take_rows.
        raise TypeError(
            f"{type(estimator).__name__}.fit takes no sample_weight, so the "
            "weights would be applied as repetition counts by repeating rows "
            "in memory, but X is a Dask collection (or has no known number "
            "of rows). Pass X.compute() and y.compute() if they fit in "
            "memory, or use a classifier whose fit takes sample_weight."
        )
    # One finite number >= 0 per row: those errors name what is wrong.
    check_sample_weight(weights, n_samples)
    values = np.asarray(weights, dtype=np.float64)
    if values.size and not values.any():
        raise ValueError(
            f"sample_weight is all zero: {type(estimator).__name__}.fit takes no "
            "sample_weight, so the weights are applied as repetition counts and "
            "every row would be dropped. Give some rows a positive weight."
        )
    whole = (
        values.ndim == 1
        and values.shape[0] == n_samples
        and bool(np.isfinite(values).all())
        and bool((values >= 0).all())
        and bool((values == np.round(values)).all())
    )
    if not whole:
        steps = getattr(estimator, "steps", None)
        fix = (
            "Pass them to its last step instead, "
            f"fit(X, y, {steps[-1][0]}__sample_weight=w), or drop sample_weight"
            if isinstance(steps, list)
            and steps
            and isinstance(steps[-1], tuple)
            and isinstance(steps[-1][0], str)
            else "Drop sample_weight, or use a classifier whose fit takes it"
        )
        raise TypeError(
            f"{type(estimator).__name__}.fit takes no sample_weight, and the "
            "weights given are not repetition counts (whole numbers >= 0, one per "
            f"row), which could be applied by repeating rows. {fix}."
        )
    # The total, checked before np.repeat allocates it: exact in int64 when
    # the float sum is below 2**62 (no count can wrap then), else far beyond
    # any limit anyway.
    approximate = float(values.sum())
    total = (
        int(values.astype(np.int64).sum())
        if approximate < 2.0**62
        else int(approximate)
    )
    _indices.check_output_size(
        total,
        np.dtype(np.intp),
        "sample_weight, applied as repetition counts (its fit takes no "
        f"sample_weight: {type(estimator).__name__}), asks for",
        "Pass smaller counts, or use a classifier whose fit takes sample_weight.",
    )
    rows = np.repeat(np.arange(values.shape[0]), values.astype(np.int64))
    if sp.issparse(X) and X.format not in ("csr", "csc"):
        X = X.tocsr()  # COO, DOK, ...: rows are gathered from CSR
    rest = {name: value for name, value in params.items() if name != "sample_weight"}
    X_rows, y_rows = take_rows(X, rows), take_rows(y, rows)
    from rebalance.base import _array_api_dispatch, _in_namespace_of

    if _array_api_dispatch():
        # take_rows gathers a tensor (array-API array) as numpy: the estimator
        # fitted on numpy would refuse the tensors given to predict.
        X_rows, y_rows = _in_namespace_of(X, X_rows), _in_namespace_of(y, y_rows)
    return X_rows, y_rows, take_row_aligned(rest, rows, n_samples)
