"""Review 15: rebalance's estimators inside scikit-learn's machinery (estimator
checks, metadata routing, sample_weight propagation, pos_label, searches).

check_estimator was run on ThresholdMover (argmax/train, argmax/em, fixed, tuned
on predict_proba and decision_function, f1, g_mean, pipelines, around a
ResampledClassifier), ResampledClassifier (every rebalance sampler, shrinkage,
LinearSVC, SMOTE, imbalanced-learn's RandomUnderSampler, HistGradientBoosting)
and every sampler with non-default parameters. Every failure but one is one
scikit-learn also expects of the peer it mirrors (FixedThresholdClassifier /
TunedThresholdClassifierCV: check_classifiers_train, sample-weight
equivalence), of the inner estimator (LinearSVC, DummyClassifier), or the
documented batch dependence of deploy_priors='em'. The one left is
test_resampled_classifier_checks_x_y_lengths_with_an_imblearn_sampler.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _binary(n=300, rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y, rng


def _tight_lr():
    return LogisticRegression(C=100.0, tol=1e-12, max_iter=10_000)


# --------------------------------------------------------------------- bugs


def test_threshold_mover_priors_follow_pipeline_step_sample_weight():
    # Without metadata routing, a Pipeline is weighted the scikit-learn way:
    # fit(X, y, logisticregression__sample_weight=w). The final model is then
    # calibrated to the weighted priors, but train_priors='auto' reads the
    # unweighted priors of y: strategy='prior' divides by the wrong priors
    # (here 64% of rows predicted positive instead of 35.5%), and
    # deploy_priors='train' moves the probabilities from the wrong priors. The
    # same weights given as sample_weight to a bare LogisticRegression, or
    # routed to the pipeline's step, give the weighted priors.
    X, y, rng = _binary(400)
    w = np.where(y == 1, 4.0, 1.0) * rng.uniform(0.5, 1.5, len(y))
    bare = ThresholdMover(LogisticRegression(), "prior").fit(X, y, sample_weight=w)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    mover = ThresholdMover(pipe, "prior").fit(X, y, logisticregression__sample_weight=w)
    np.testing.assert_allclose(mover.train_priors_, bare.train_priors_)
    assert abs(mover.predict(X).mean() - bare.predict(X).mean()) < 0.02


def test_resampled_priors_follow_pipeline_step_sample_weight():
    # ResampledClassifier resamples logisticregression__sample_weight with the
    # rows (it has one value per row) and the pipeline's LogisticRegression is
    # fitted with it, but resampled_priors_ is computed without it: [0.5, 0.5]
    # instead of the weighted priors of the drawn rows, so a ThresholdMover
    # around it corrects from the wrong priors. The README's own hint
    # (make_pipeline(..., ResampledClassifier(...)).fit(X, y,
    # resampledclassifier__sample_weight=w)) is this way of passing weights.
    X, y, rng = _binary(400)
    w = np.where(y == 1, 4.0, 1.0) * rng.uniform(0.5, 1.5, len(y))
    bare = ResampledClassifier(
        RandomOverSampler(random_state=0), LogisticRegression()
    ).fit(X, y, sample_weight=w)
    piped = ResampledClassifier(
        RandomOverSampler(random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ).fit(X, y, logisticregression__sample_weight=w)
    np.testing.assert_allclose(piped.resampled_priors_, bare.resampled_priors_)


def test_resampled_classifier_checks_x_y_lengths_with_an_imblearn_sampler():
    # check_estimator(ResampledClassifier(imblearn RandomUnderSampler(), LR()))
    # fails check_classifiers_train: X with one row more than y is fitted
    # silently (imbalanced-learn's sampler does not compare the lengths), so
    # the classifier learns on rows paired with the wrong labels. The rebalance
    # samplers raise; the meta-estimator should check before any work.
    from imblearn.under_sampling import RandomUnderSampler as ImblearnUnder

    X, y, _ = _binary(60)
    model = ResampledClassifier(ImblearnUnder(random_state=0), LogisticRegression())
    with pytest.raises(ValueError):
        model.fit(X, y[:-1])


def test_unknown_pos_label_error_is_about_pos_label():
    # ThresholdMover(pos_label='1') on int labels: the error says "Fit the
    # classifier and the priors on the same labels", a fix about priors that
    # has nothing to do with pos_label (the message of class_positions, shared
    # with train_priors).
    X, y, _ = _binary(100)
    with pytest.raises(ValueError, match="pos_label") as info:
        ThresholdMover(LogisticRegression(), "fixed", pos_label="1").fit(X, y)
    assert "priors" not in str(info.value)


# ---------------------------------------------------- checked and found right


@pytest.mark.parametrize("routed", [False, True])
@pytest.mark.parametrize("strategy", ["prior", "argmax", "cost"])
def test_sample_weight_equals_repeated_rows(routed, strategy):
    X, y, rng = _binary(80, 0.3)
    w = rng.integers(0, 4, len(y)).astype(float)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    kwargs = {"cost_matrix": [[0, 1], [5, 0]]} if strategy == "cost" else {}
    if strategy == "argmax":
        kwargs["deploy_priors"] = "train"
    with sklearn.config_context(enable_metadata_routing=routed):
        inner = _tight_lr()
        mover = ThresholdMover(inner, strategy, **kwargs)
        if routed:
            inner.set_fit_request(sample_weight=True)
            mover.set_fit_request(sample_weight=True)
        mover.fit(X, y, sample_weight=w)
    ref = ThresholdMover(_tight_lr(), strategy, **kwargs).fit(X[rows], y[rows])
    np.testing.assert_allclose(mover.train_priors_, ref.train_priors_)
    np.testing.assert_allclose(mover.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(mover.predict(X), ref.predict(X))


@pytest.mark.parametrize("routed", [False, True])
def test_tuned_weights_equal_repeated_rows_in_matching_folds(routed):
    # Integer weights == the rows repeated, when the folds hold the same rows.
    X, y, rng = _binary(150, 0.3)
    w = rng.integers(0, 4, len(y))
    rows = np.repeat(np.arange(len(y)), w)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    where = {i: np.flatnonzero(rows == i) for i in range(len(y))}
    folds_rep = [
        tuple(np.concatenate([where[i] for i in part]) for part in fold)
        for fold in folds
    ]
    grid = np.linspace(0.05, 0.95, 37)
    with sklearn.config_context(enable_metadata_routing=routed):
        inner = _tight_lr()
        mover = ThresholdMover(inner, "tuned", cv=folds, thresholds=grid, scoring="f1")
        if routed:
            inner.set_fit_request(sample_weight=True)
            mover.set_fit_request(sample_weight=True)
        mover.fit(X, y, sample_weight=w.astype(float))
    ref = ThresholdMover(
        _tight_lr(), "tuned", cv=folds_rep, thresholds=grid, scoring="f1"
    ).fit(X[rows], y[rows])
    assert mover.threshold_ == ref.threshold_
    np.testing.assert_allclose(
        mover.cv_results_["scores"], ref.cv_results_["scores"], atol=1e-9
    )


@pytest.mark.parametrize("labels", [(-1, 1), ("no", "yes"), (False, True)])
def test_tuned_pos_label_first_class_matches_manual_cv(labels):
    X, y01, _ = _binary(240, 0.25, seed=1)
    y = np.array(labels, dtype=object if isinstance(labels[0], str) else None)[y01]
    pos, neg = labels[0], labels[1]
    cv = StratifiedKFold(3)
    scorer = make_scorer(f1_score, pos_label=pos)
    mover = ThresholdMover(
        LogisticRegression(),
        "tuned",
        pos_label=pos,
        cv=cv,
        thresholds=30,
        scoring=scorer,
    ).fit(X, y)
    grid = mover.cv_results_["thresholds"][0]
    folds = []
    for train, val in cv.split(X, y):
        model = LogisticRegression().fit(X[train], y[train])
        column = list(model.classes_).index(pos)
        folds.append((y[val], model.predict_proba(X[val])[:, column]))
    mean = [
        np.mean(
            [f1_score(t, np.where(s >= c, pos, neg), pos_label=pos) for t, s in folds]
        )
        for c in grid
    ]
    np.testing.assert_allclose(mover.cv_results_["scores"][0], mean, atol=1e-12)
    assert mover.threshold_ == grid[int(np.argmax(mean))]
    assert set(mover.predict(X).tolist()) <= set(labels)


def test_groups_reach_the_inner_splitter_through_cross_validate(routing):
    X, y, _ = _binary(120, 0.3)
    groups = np.arange(len(y)) % 6
    seen = []

    class Spy(GroupKFold):
        def split(self, X, y=None, groups=None):
            seen.append(None if groups is None else len(groups))
            return super().split(X, y, groups)

    cross_validate(
        ThresholdMover(LogisticRegression(), "tuned", cv=Spy(2), thresholds=20),
        X,
        y,
        params={"groups": groups},
        cv=GroupKFold(3),
    )
    assert seen == [80, 80, 80]


def test_routed_weights_reach_lr_inside_calibration_stacking_and_tuned(routing):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import StackingClassifier
    from sklearn.model_selection import TunedThresholdClassifierCV

    X, y, rng = _binary(120, 0.25)
    w = rng.integers(1, 4, len(y)).astype(float)

    def lr():
        return LogisticRegression().set_fit_request(sample_weight=True)

    mover = (
        ThresholdMover(lr())
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )
    resampled = ResampledClassifier(RandomUnderSampler(random_state=0), lr())
    scorer = make_scorer(f1_score).set_score_request(sample_weight=True)
    CalibratedClassifierCV(resampled, cv=3).fit(X, y, sample_weight=w)
    StackingClassifier(
        [("m", mover), ("r", resampled)], final_estimator=lr(), cv=3
    ).fit(X, y, sample_weight=w)
    TunedThresholdClassifierCV(mover, cv=3, scoring=scorer).fit(X, y, sample_weight=w)
