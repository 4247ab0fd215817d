"""Review 56, sklearn: the algorithm-level fixes against their peers.

``g_mean_score`` against imbalanced-learn 0.14's own ``geometric_mean_score``
tests (``metrics/tests/test_classification.py``), ``rebalance.weights``
against scikit-learn's ``compute_class_weight`` / ``compute_sample_weight``,
``ThresholdMover`` against ``FixedThresholdClassifier`` and
``TunedThresholdClassifierCV`` (same folds, scorer and candidates: the same
threshold and decisions), ``ResampledClassifier`` against an
imbalanced-learn ``Pipeline`` of the same sampler and classifier, and
``sample_weight`` of 2 against a repeated row where the docs say so.

"bug:" marks the tests of the bugs found (each failed before its fix).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn import config_context
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, fbeta_score, make_scorer
from sklearn.model_selection import (
    FixedThresholdClassifier,
    StratifiedKFold,
    TunedThresholdClassifierCV,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover
from rebalance.metrics import g_mean_score
from rebalance.weights import class_weights, sample_weights

GRID = np.linspace(0.05, 0.95, 13)


def _binary(n=160, seed=1):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    X = rng.normal(size=(n, 3)) + y[:, None] * 0.8
    return X, y


def _folds(X, y):
    return list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))


# ------------------------------------------------ g_mean_score vs imblearn
# imbalanced-learn's test_geometric_mean_multiclass / _sample_weight cases
# (correction=0, average='multiclass': the G-mean g_mean_score computes).


@pytest.mark.parametrize(
    "y_true, y_pred, labels, sample_weight",
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], None, None),
        ([0, 0, 1, 1], [0, 1, 1, 0], None, None),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], None, None),
        ([0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], None, None),
        ([0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 0, 1], [0, 1], None),
        ([0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 0, 1], [0, 1], [1, 2, 1, 1, 2, 1]),
        (["b", "a", "a", "c"], ["b", "a", "c", "c"], None, [1, 0.5, 2, 1]),
        ([-1, 1, 1, -1, 1], [-1, -1, 1, 1, 1], None, [0, 1, 1, 2, 1]),
        ([True, False, True], [True, True, True], None, None),
    ],
)
def test_g_mean_matches_imblearn_geometric_mean(y_true, y_pred, labels, sample_weight):
    expected = geometric_mean_score(
        y_true,
        y_pred,
        labels=np.unique(y_true) if labels is None else labels,
        sample_weight=sample_weight,
        average="multiclass",
    )
    got = g_mean_score(y_true, y_pred, labels=labels, sample_weight=sample_weight)
    assert got == pytest.approx(expected)


def test_g_mean_documented_difference_from_imblearn():
    # A predicted class y_true lacks: imbalanced-learn counts it (recall 0),
    # g_mean_score leaves it out (documented).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # imblearn: "Recall is ill-defined"
        assert geometric_mean_score([1, 1, 1], [1, 0, 1]) == 0.0
    assert g_mean_score([1, 1, 1], [1, 0, 1]) == pytest.approx(2 / 3)


# ---------------------------------------------- weights vs scikit-learn's


@pytest.mark.parametrize(
    "y",
    [
        [0, 0, 0, 1],
        ["b", "a", "a", "c", "c", "c"],
        [-2, 5, 5, 5, 5, -2, 7],
        [True, False, False],
        [0.0, 1.0, 1.0, 1.0, 2.0],
    ],
)
def test_balanced_weights_match_compute_class_and_sample_weight(y):
    y = np.asarray(y)
    classes = np.unique(y)
    expected = compute_class_weight("balanced", classes=classes, y=y)
    got = class_weights(y)
    assert list(got) == classes.tolist()
    np.testing.assert_allclose(list(got.values()), expected)
    np.testing.assert_allclose(sample_weights(y), compute_sample_weight("balanced", y))
    # the dict is accepted by scikit-learn as class_weight, to the same weights
    np.testing.assert_allclose(compute_sample_weight(got, y), sample_weights(y))


# ------------------------------------- threshold moving vs scikit-learn's


@pytest.mark.parametrize("labels", [[0, 1], ["neg", "pos"], [True, False]])
@pytest.mark.parametrize("pos", [0, 1])
@pytest.mark.parametrize(
    "response, threshold",
    [("predict_proba", 0.3), ("decision_function", -0.5), ("auto", "auto")],
)
def test_fixed_matches_fixed_threshold_classifier(labels, pos, response, threshold):
    X, y = _binary()
    target = np.asarray(labels)[y]
    pos_label = labels[pos]
    peer = FixedThresholdClassifier(
        LogisticRegression(),
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, target)
    mover = ThresholdMover(
        LogisticRegression(),
        "fixed",
        threshold=threshold,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, target)
    np.testing.assert_array_equal(mover.predict(X), peer.predict(X))


@pytest.mark.parametrize(
    "scoring, pos_label, response, grid",
    [
        ("balanced_accuracy", None, "auto", GRID),
        ("f1", None, "auto", GRID),
        (make_scorer(f1_score, pos_label=0), 0, "auto", GRID),
        (
            make_scorer(fbeta_score, beta=2, pos_label=0),
            0,
            "decision_function",
            np.linspace(-3, 3, 13),
        ),
    ],
)
def test_tuned_matches_tuned_threshold_classifier_cv(
    scoring, pos_label, response, grid
):
    X, y = _binary()
    cv = _folds(X, y)
    peer = TunedThresholdClassifierCV(
        LogisticRegression(),
        scoring=scoring,
        thresholds=grid,
        cv=cv,
        response_method=response,
    ).fit(X, y)
    mover = ThresholdMover(
        LogisticRegression(),
        "tuned",
        scoring=scoring,
        thresholds=grid,
        cv=cv,
        pos_label=pos_label,
        response_method=response,
    ).fit(X, y)
    assert mover.threshold_ == pytest.approx(peer.best_threshold_)
    assert mover.best_score_ == pytest.approx(peer.best_score_)
    np.testing.assert_array_equal(mover.predict(X), peer.predict(X))


@pytest.mark.parametrize(
    "scoring",
    ["f1", make_scorer(fbeta_score, beta=2)],
    ids=["f1", "fbeta"],
)
def test_tuned_scorer_of_class_1_on_classes_1_2_is_refused_without_pos_label(
    scoring,
):
    # bug: on classes [1, 2], scoring='f1' (pos_label=1 by default) tuned the
    # F1 of class 2 without a word, where TunedThresholdClassifierCV tunes
    # class 1's: another threshold and other decisions (peer).
    X, y = _binary()
    target = np.array([1, 2])[y]
    cv = _folds(X, y)
    mover = ThresholdMover(
        LogisticRegression(), "tuned", scoring=scoring, thresholds=GRID, cv=cv
    )
    with pytest.raises(ValueError, match=r"pos_label=1 \(as scikit-learn\)"):
        mover.fit(X, target)
    # pos_label=1 tunes what scikit-learn tunes.
    peer = TunedThresholdClassifierCV(
        LogisticRegression(), scoring=scoring, thresholds=GRID, cv=cv
    ).fit(X, target)
    mover.set_params(pos_label=1).fit(X, target)
    assert mover.best_score_ == pytest.approx(peer.best_score_)
    np.testing.assert_array_equal(mover.predict(X), peer.predict(X))
    # pos_label=2 is the user's choice: the metric of class 2.
    assert mover.set_params(pos_label=2).fit(X, target).threshold_ is not None


@pytest.mark.parametrize(
    "labels, scoring",
    [
        ([0, 1], "f1"),  # class 1 is the tuned one
        ([1, 2], "balanced_accuracy"),  # of no one class
        ([1, 2], "f1_macro"),
        ([1, 2], make_scorer(f1_score, pos_label=2)),  # named
        (["1", "2"], "f1"),  # no class 1 (scikit-learn refuses it)
    ],
)
def test_tuned_unambiguous_scorers_still_fit(labels, scoring):
    X, y = _binary()
    target = np.asarray(labels)[y]
    mover = ThresholdMover(
        LogisticRegression(), "tuned", scoring=scoring, thresholds=GRID, cv=3
    ).fit(X, target)
    assert np.isfinite(mover.threshold_)


@pytest.mark.parametrize("scoring", ["f1", "balanced_accuracy", "g_mean", "precision"])
def test_frozen_tuned_weight_two_is_a_repeated_row(scoring):
    # fit's docs: sample_weight weights the metric of strategy='tuned'; a
    # frozen classifier tunes on all the rows: a weight of 2 is the row twice.
    X, y = _binary(seed=3)
    weights = np.random.default_rng(0).integers(0, 3, y.shape[0])
    weights[:2] = 1
    model = LogisticRegression().fit(X, y)
    weighted = ThresholdMover(FrozenEstimator(model), "tuned", scoring=scoring).fit(
        X, y, sample_weight=weights.astype(float)
    )
    repeated = ThresholdMover(FrozenEstimator(model), "tuned", scoring=scoring).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    assert weighted.threshold_ == repeated.threshold_
    assert weighted.best_score_ == pytest.approx(repeated.best_score_)


@pytest.mark.parametrize("strategy", ["prior", "argmax"])
def test_prior_weight_two_is_a_repeated_row(strategy):
    X, y = _binary(seed=4)
    weights = np.random.default_rng(1).integers(1, 3, y.shape[0])
    params = {"deploy_priors": "train"} if strategy == "argmax" else {}
    weighted = ThresholdMover(LogisticRegression(), strategy, **params).fit(
        X, y, sample_weight=weights.astype(float)
    )
    repeated = ThresholdMover(LogisticRegression(), strategy, **params).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    np.testing.assert_allclose(weighted.train_priors_, repeated.train_priors_)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-5
    )


# ------------------------------- ResampledClassifier vs imblearn's Pipeline


@pytest.mark.parametrize(
    "sampler", [ImbUnderSampler(random_state=0), SMOTE(random_state=0)]
)
def test_resampled_classifier_matches_imblearn_pipeline(sampler):
    X, y = _binary()
    target = np.array(["no", "yes"])[y]
    ours = ResampledClassifier(sampler, DecisionTreeClassifier(random_state=0))
    peer = make_imb_pipeline(sampler, DecisionTreeClassifier(random_state=0))
    ours.fit(X, target)
    peer.fit(X, target)
    np.testing.assert_array_equal(ours.classes_, peer.classes_)
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), peer.predict_proba(X))


# ------------------------------------------------------------- messages


@pytest.mark.parametrize("param", ["train_priors", "deploy_priors"])
def test_prior_dict_keys_are_listed_as_given(param):
    # bug: int keys were listed as text ("has the keys ['0', '1', '5']"), as
    # string keys are: the message read as keys of the wrong type, and named
    # neither the key that is not a class nor the class without a prior.
    X, y = _binary()
    target = np.array([0, 1, 2])[np.r_[y[:-40], np.full(40, 2)]]
    mover = ThresholdMover(
        LogisticRegression(), "argmax", **{param: {0: 0.5, 1: 0.3, 5: 0.2}}
    )
    with pytest.raises(ValueError, match=r"keys \[0, 1, 5\].*not classes: \[5\]"):
        mover.fit(X, target)
    mover.set_params(**{param: {"0": 0.5, "1": 0.3, "2": 0.2}})
    with pytest.raises(ValueError, match=r"keys \['0', '1', '2'\]"):
        mover.fit(X, target)


# ------------------------------------- weights of a pipeline's final step


@pytest.mark.parametrize("routing", [False, True])
def test_tuned_fold_of_a_class_weighted_zero_through_a_pipeline_is_refused(routing):
    # bug: a cv fold whose training rows of a class all weigh 0 is refused
    # for fit(X, y, sample_weight=w), but not when the weights reach a
    # pipeline's final step ('logisticregression__sample_weight', or an
    # alias it requests with routing on): the fold's model learnt nothing of
    # the class and its threshold was tuned on it, silently.
    X, y = _binary(n=60, seed=5)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    positives = np.flatnonzero(y == 1)
    validation = np.r_[np.flatnonzero(y == 0)[:20], positives[: len(positives) // 2]]
    training = np.setdiff1d(np.arange(len(y)), validation)
    cv = [(training, validation), (validation, training)]
    weights = np.ones(len(y))
    weights[positives[len(positives) // 2 :]] = 0.0  # fold 0's training positives
    with config_context(enable_metadata_routing=routing):
        final = LogisticRegression()
        if routing:
            final.set_fit_request(sample_weight="final_weight")
            params = {"final_weight": weights}
        else:
            params = {"logisticregression__sample_weight": weights}
        mover = ThresholdMover(
            make_pipeline(StandardScaler(), final), "tuned", cv=cv, thresholds=GRID
        )
        with pytest.raises(ValueError, match="fold 0 training rows whose"):
            mover.fit(X, y, **params)


def test_resampled_draw_of_only_zero_weight_rows_of_a_class_is_refused():
    # bug: a draw that kept rows of a class but only those of sample_weight 0
    # (a row of weight 0 counts as left out) fitted the classifier with no
    # weight on the class: resampled_priors_ gave it 0 and it was never
    # predicted, silently (a draw of no class row at all is refused).
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    X = rng.normal(size=(60, 2)) + y[:, None]
    weights = np.r_[np.zeros(45), np.ones(15)]  # 5 rows of class 0 weigh > 0
    model = ResampledClassifier(
        RandomUnderSampler(random_state=1), LogisticRegression()
    )
    with pytest.raises(ValueError, match="drew only rows of sample_weight 0 of the"):
        model.fit(X, y, sample_weight=weights)
    # a draw that keeps a row of positive weight of each class fits
    model.set_params(sampler__random_state=0).fit(X, y, sample_weight=weights)
    assert (model.resampled_priors_ > 0).all()


def _frame_data():
    rng = np.random.default_rng(0)
    y = (rng.random(120) < 0.3).astype(int)
    X = pd.DataFrame(rng.normal(size=(120, 2)) + y[:, None], columns=["a", "b"])
    return X, y, LogisticRegression().fit(X, y)


def test_tuned_scorer_predicting_a_holdout_frame_is_refused():
    # bug: a scorer that predicts other rows (a holdout DataFrame with its
    # own 0..k-1 index) got the predictions of the scored rows that carry
    # the same index labels, and the threshold was tuned on them, silently.
    X, y, model = _frame_data()
    rng = np.random.default_rng(1)
    holdout_y = (rng.random(40) < 0.3).astype(int)
    holdout = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])

    def holdout_scorer(estimator, X_val, y_val):
        return balanced_accuracy_score(holdout_y, estimator.predict(holdout))

    mover = ThresholdMover(
        FrozenEstimator(model), "tuned", scoring=holdout_scorer, thresholds=GRID
    )
    with pytest.raises(ValueError, match="such as a holdout set"):
        mover.fit(X, y)


def test_tuned_scorer_predicting_a_part_of_its_frame_still_fits():
    # The rows given, in another order or a part of them (by index label),
    # are still matched.
    X, y, model = _frame_data()

    def every_other(estimator, X_val, y_val):
        part = X_val.iloc[::-2].copy()
        return balanced_accuracy_score(y_val[::-2], estimator.predict(part))

    mover = ThresholdMover(
        FrozenEstimator(model), "tuned", scoring=every_other, thresholds=GRID
    ).fit(X, y)
    expected = ThresholdMover(FrozenEstimator(model), "tuned", thresholds=GRID).fit(
        X.iloc[::-2], y[::-2]
    )
    assert mover.threshold_ == expected.threshold_
