"""Review 3: ResampledClassifier and ThresholdMover around many inner classifiers.

Each test reproduces one bug found by running the meta-estimators with
classifiers other than LogisticRegression (searches, ensembles, naive Bayes,
class-weighted models, k-NN). Each fails on the reviewed code and passes once
its bug is fixed.
"""

import numpy as np
import pytest
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_score,
)
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import estimator_checks, get_tags
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.estimator_checks import (
    check_classifiers_train,
    check_estimators_fit_returns_self,
)

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance.metrics import g_mean_score


def _binary(n=60, n_pos=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[[0] * (n - n_pos), [1] * n_pos]
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y, rng


# --------------------------------------------------------------- bug 1


def test_resampled_classifier_scores_a_search_classifier():
    # RC.score always passes sample_weight=None to classifier_.score;
    # GridSearchCV.score(X, y, **params) refuses any keyword without metadata
    # routing, so score() raises and cross_val_score silently returns NaN.
    X, y, _ = _binary()
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)
    model = ResampledClassifier(RandomUnderSampler(random_state=0), search)
    model.fit(X, y)
    expected = float(np.mean(model.predict(X) == y))
    assert model.score(X, y) == pytest.approx(expected)
    scores = cross_val_score(model, X, y, cv=3, error_score="raise")
    assert np.isfinite(scores).all()


# --------------------------------------------------------------- bug 2


def test_resampled_classifier_tags_keep_positive_only_of_the_classifier():
    # MultinomialNB takes only X >= 0 (tag positive_only); ResampledClassifier
    # copies sparse/allow_nan/string/categorical but not positive_only, so
    # check_estimator feeds it negative X and a dozen checks fail.
    model = ResampledClassifier(RandomOverSampler(random_state=0), MultinomialNB())
    assert get_tags(model).input_tags.positive_only
    check_estimators_fit_returns_self("ResampledClassifier", model)


# --------------------------------------------------------------- bug 3


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: LogisticRegression(**kw),
        lambda **kw: DecisionTreeClassifier(max_depth=3, random_state=0, **kw),
    ],
    ids=["LogisticRegression", "DecisionTree"],
)
def test_auto_train_priors_follow_the_class_weight_the_estimator_uses(make):
    # The same model fitted two equivalent ways must get the same decisions:
    # sample_weight=compute_sample_weight('balanced', y) gives
    # train_priors_ = [0.5, 0.5], but class_weight='balanced' gives y's raw
    # priors, so strategy='prior' corrects an already balanced model a second
    # time (and deploy_priors moves its probabilities by the wrong ratio).
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.15).astype(int)
    X = rng.normal(size=(200, 2)) + y[:, None]
    w = compute_sample_weight("balanced", y)
    by_weights = ThresholdMover(make(), "prior").fit(X, y, sample_weight=w)
    by_class = ThresholdMover(make(class_weight="balanced"), "prior").fit(X, y)
    np.testing.assert_allclose(
        by_class.estimator_.predict_proba(X),
        by_weights.estimator_.predict_proba(X),
        atol=1e-6,
    )  # the same fitted model
    np.testing.assert_allclose(by_class.train_priors_, by_weights.train_priors_)
    np.testing.assert_array_equal(by_class.predict(X), by_weights.predict(X))


# --------------------------------------------------------------- bug 4


@pytest.mark.parametrize(
    "name, scorer",
    [
        ("balanced_accuracy", get_scorer("balanced_accuracy")),
        ("g_mean", make_scorer(g_mean_score)),
    ],
)
def test_tuned_named_scoring_equals_its_scorer_when_a_fold_lacks_the_class(
    name, scorer
):
    # A rare class (3 rows, cv=5): two validation folds have no row of it.
    # The fast confusion-matrix path scores such a fold as (0 + TNR) / 2
    # (balanced accuracy) and 0 (g_mean); the scikit-learn scorer and
    # rebalance's own g_mean_score give TNR. The same metric by name and as a
    # scorer must tune the same threshold with the same best_score_.
    X, y, _ = _binary(n=30, n_pos=3)
    grid = np.linspace(0.05, 0.95, 19)
    cv = StratifiedKFold(5)
    by_name = ThresholdMover(
        GaussianNB(), "tuned", scoring=name, thresholds=grid, cv=cv
    ).fit(X, y)
    by_scorer = ThresholdMover(
        GaussianNB(), "tuned", scoring=scorer, thresholds=grid, cv=cv
    ).fit(X, y)
    np.testing.assert_allclose(
        by_name.cv_results_["scores"], by_scorer.cv_results_["scores"]
    )
    assert by_name.threshold_ == by_scorer.threshold_
    if name == "balanced_accuracy":  # and scikit-learn's own tuner agrees
        sk = TunedThresholdClassifierCV(
            GaussianNB(), scoring=name, thresholds=grid, cv=cv
        ).fit(X, y)
        assert by_name.best_score_ == pytest.approx(sk.best_score_)
        assert by_name.threshold_ == pytest.approx(sk.best_threshold_)


# --------------------------------------------------------------- bug 5


def _voting():
    return VotingClassifier(
        [("lr", LogisticRegression()), ("nb", GaussianNB())], voting="soft"
    )


def _stacking():
    return StackingClassifier(
        [("lr", LogisticRegression()), ("nb", GaussianNB())],
        final_estimator=LogisticRegression(),
        cv=2,
    )


@pytest.mark.parametrize("make", [_voting, _stacking], ids=["Voting", "Stacking"])
@pytest.mark.parametrize("meta", ["ResampledClassifier", "ThresholdMover"])
def test_ensembles_whose_fit_takes_sample_weight_get_it(make, meta):
    # VotingClassifier.fit(X, y, **fit_params) and StackingClassifier.fit take
    # sample_weight without metadata routing (make(...).fit(X, y,
    # sample_weight=w) works), but their signature does not name it:
    # rebalance says "VotingClassifier.fit takes no sample_weight" and raises
    # a TypeError for non-integer weights (integer ones become repeated rows).
    X, y, rng = _binary()
    w = rng.uniform(0.5, 2.0, len(y))
    make().fit(X, y, sample_weight=w)  # the ensemble itself takes them
    if meta == "ResampledClassifier":
        model = ResampledClassifier(RandomUnderSampler(random_state=0), make())
        model.fit(X, y, sample_weight=w)
        drawn = model.sampler_.sample_indices_
        expected = [w[drawn][y[drawn] == c].sum() for c in (0, 1)]
        np.testing.assert_allclose(
            model.resampled_priors_, np.array(expected) / sum(expected)
        )
    else:
        model = ThresholdMover(make(), "prior").fit(X, y, sample_weight=w)
        expected = [w[y == c].sum() for c in (0, 1)]
        np.testing.assert_allclose(
            model.train_priors_, np.array(expected) / sum(expected)
        )


# --------------------------------------------------------------- bug 6


@pytest.mark.parametrize(
    "model",
    [
        ResampledClassifier(
            RandomUnderSampler(random_state=0), KNeighborsClassifier(3)
        ),
        ThresholdMover(KNeighborsClassifier(3)),
    ],
    ids=["ResampledClassifier", "ThresholdMover"],
)
def test_all_zero_sample_weight_is_named_for_a_classifier_without_weights(model):
    # KNN.fit takes no sample_weight: the weights become repeated rows, all
    # zero weights drop every row, and the error blames y ("y is empty (0
    # samples)") instead of sample_weight; scikit-learn's
    # check_all_zero_sample_weights_error fails.
    check = getattr(estimator_checks, "check_all_zero_sample_weights_error", None)
    if check is None:
        pytest.skip("this scikit-learn has no check_all_zero_sample_weights_error")
    check(type(model).__name__, model)


# --------------------------------------------------------------- bug 7


def test_threshold_mover_tags_keep_poor_score_of_the_estimator():
    # MultinomialNB is tagged poor_score (sklearn's checks do not demand 83 %
    # training accuracy of it); ThresholdMover copies input_tags but rebuilds
    # classifier_tags, so poor_score is lost and check_classifiers_train fails
    # for ThresholdMover(MultinomialNB()) with the default 'prior' strategy.
    mover = ThresholdMover(MultinomialNB())
    assert get_tags(mover).classifier_tags.poor_score
    check_classifiers_train("ThresholdMover", mover)
