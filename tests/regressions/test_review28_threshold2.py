"""Review 28, threshold2: the mathematics of ThresholdMover's priors, checked
against formulas written here (not against the code), and the bugs found.

1. An ensemble whose probabilities come from class-weighted models
   (``BaggingClassifier`` / soft ``VotingClassifier`` of members with
   ``class_weight``, a ``StackingClassifier`` whose final estimator has one)
   was given the priors of ``y`` as ``train_priors='auto'``: its members'
   class weights were ignored (only the ensemble's own ``class_weight`` was
   read, which it has none of), so ``strategy='prior'`` and ``deploy_priors``
   corrected probabilities that were already balanced a second time.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import (
    BaggingClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=600, seed=0, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < 0.15
    X = rng.normal(size=(n, 2)) + 1.2 * positive[:, None]
    y = np.where(positive, labels[1], labels[0])
    return X, y


def _shares(y, classes, weight=None):
    weight = np.ones(len(y)) if weight is None else np.asarray(weight, float)
    mass = np.array([weight[y == c].sum() for c in classes])
    return mass / mass.sum()


def _priors_after(shares, factors):
    """Priors the model sees: shares of the rows times the class weights."""
    weighted = np.asarray(shares) * np.asarray(factors, dtype=float)
    return weighted / weighted.sum()


BALANCED_ENSEMBLES = {
    "bagging": lambda: BaggingClassifier(
        LogisticRegression(class_weight="balanced"), n_estimators=4, random_state=0
    ),
    "bagging_trees": lambda: BaggingClassifier(
        DecisionTreeClassifier(class_weight="balanced", max_depth=2),
        n_estimators=4,
        random_state=0,
    ),
    "voting": lambda: VotingClassifier(
        [
            ("a", LogisticRegression(class_weight="balanced")),
            ("b", LogisticRegression(class_weight="balanced", C=0.1)),
        ],
        voting="soft",
    ),
    "stacking": lambda: StackingClassifier(
        [("a", LogisticRegression())],
        final_estimator=LogisticRegression(class_weight="balanced"),
        cv=3,
    ),
}


@pytest.mark.parametrize("name", sorted(BALANCED_ENSEMBLES))
@pytest.mark.parametrize("labels", [(0, 1), ("no", "yes")])
def test_class_weighted_ensemble_members_give_the_train_priors(name, labels):
    X, y = _data(labels=labels)
    mover = ThresholdMover(BALANCED_ENSEMBLES[name](), "prior").fit(X, y)
    # 'balanced': every class weighs n / n_classes in total.
    assert mover.train_priors_ == pytest.approx([0.5, 0.5], abs=1e-12)
    # 'prior' divides by the uniform priors: the ensemble's own argmax.
    proba = mover.estimator_.predict_proba(X)
    expected = mover.classes_[(proba / np.array([0.5, 0.5])).argmax(axis=1)]
    np.testing.assert_array_equal(mover.predict(X), expected)


def test_members_dict_class_weight_with_sample_weight():
    # Members see the labels encoded 0..n-1, so their dict is keyed by code;
    # the rows are weighted by sample_weight and then by the class weight.
    X, y = _data(labels=("b", "a"))
    rng = np.random.default_rng(1)
    w = rng.uniform(0.5, 2.0, size=len(y))
    voting = VotingClassifier(
        [
            ("a", LogisticRegression(class_weight={0: 1.0, 1: 3.0})),
            ("b", LogisticRegression(class_weight={0: 1.0, 1: 3.0}, C=0.5)),
        ],
        voting="soft",
    )
    mover = ThresholdMover(voting, "argmax", deploy_priors=[0.5, 0.5])
    mover.fit(X, y, sample_weight=w)
    classes = np.array(["a", "b"])
    expected = _priors_after(_shares(y, classes, w), [1.0, 3.0])
    np.testing.assert_allclose(mover.train_priors_, expected, rtol=1e-12)
    # p'(c|x) ∝ p(c|x) · π_deploy(c) / π_train(c)
    raw = mover.estimator_.predict_proba(X)
    moved = raw * np.array([0.5, 0.5]) / expected
    moved /= moved.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(mover.predict_proba(X), moved, rtol=1e-10)


def test_stacking_reads_the_final_estimator_not_the_base_models():
    X, y = _data()
    stacking = StackingClassifier(
        [("a", LogisticRegression(class_weight="balanced"))],
        final_estimator=LogisticRegression(class_weight={0: 2.0, 1: 1.0}),
        cv=3,
    )
    mover = ThresholdMover(stacking, "prior").fit(X, y)
    expected = _priors_after(_shares(y, [0, 1]), [2.0, 1.0])
    np.testing.assert_allclose(mover.train_priors_, expected, rtol=1e-12)


def test_members_weighting_the_classes_differently_are_refused():
    X, y = _data()
    mixed = VotingClassifier(
        [
            ("a", LogisticRegression(class_weight="balanced")),
            ("b", LogisticRegression()),
        ],
        voting="soft",
    )
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(mixed, "prior").fit(X, y)
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(mixed, "argmax", deploy_priors="train").fit(X, y)
    # Strategies that use no priors still fit; given priors are used.
    fixed = ThresholdMover(mixed, "fixed", threshold=0.3).fit(X, y)
    assert fixed.train_priors_ is None
    given = ThresholdMover(mixed, "prior", train_priors=[0.7, 0.3]).fit(X, y)
    np.testing.assert_allclose(given.train_priors_, [0.7, 0.3])


def test_ensembles_without_class_weights_keep_the_priors_of_y():
    X, y = _data()
    bagging = BaggingClassifier(LogisticRegression(), n_estimators=3, random_state=0)
    mover = ThresholdMover(bagging, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, _shares(y, [0, 1]))


def test_resampled_classifier_of_a_class_weighted_ensemble():
    X, y = _data()
    bagging = BaggingClassifier(
        LogisticRegression(class_weight={0: 1.0, 1: 3.0}),
        n_estimators=3,
        random_state=0,
    )
    model = ResampledClassifier(RandomUnderSampler(random_state=0), bagging).fit(X, y)
    # Under-sampled to 1:1, then the members weigh class 1 three times.
    np.testing.assert_allclose(model.resampled_priors_, [0.25, 0.75], rtol=1e-12)
    mixed = VotingClassifier(
        [
            ("a", LogisticRegression(class_weight="balanced")),
            ("b", LogisticRegression(class_weight={0: 1.0, 1: 3.0})),
        ],
        voting="soft",
    )
    # Their priors differ: unknown, and the fit still succeeds.
    fitted = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={0: 200}, random_state=0), mixed
    ).fit(X, y)
    assert fitted.resampled_priors_ is None


# 2. HistGradientBoostingClassifier applies a class_weight dict to its labels
#    encoded 0..n_classes-1 (it encodes y before computing the weights), so
#    {1: 5} weighs classes_[1] whatever the labels are; the priors looked the
#    dict up by label (a string label: never found; labels 1, 2, 3: the wrong
#    class).


@pytest.mark.parametrize(
    "labels", [(1, 2, 3), ("a", "b", "c"), (0, 1, 2)], ids=["ints", "str", "codes"]
)
@pytest.mark.parametrize("key", [1, 2])
def test_hist_gradient_boosting_dict_class_weight_is_by_code(labels, key):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    codes = rng.choice(3, size=300, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(300, 2)) + codes[:, None]
    y = np.asarray(labels)[codes]
    classes = np.asarray(labels)

    def hgb(**params):
        return HistGradientBoostingClassifier(
            max_iter=5, early_stopping=False, **params
        )

    # What the model does: the same fit as sample_weight 5 on classes_[key].
    by_weight = np.where(codes == key, 5.0, 1.0)
    weighted = hgb(class_weight={key: 5.0}).fit(X, y)
    plain = hgb().fit(X, y, sample_weight=by_weight)
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X))

    mover = ThresholdMover(hgb(class_weight={key: 5.0}), "prior").fit(X, y)
    factors = np.where(np.arange(3) == key, 5.0, 1.0)
    expected = _priors_after(_shares(y, classes), factors)
    np.testing.assert_allclose(mover.train_priors_, expected, rtol=1e-12)


# 3. A multiclass OneVsRestClassifier of class-weighted binary models: each
#    model is balanced against the rest, and the normalised probabilities
#    follow no one set of class priors; they were taken at the priors of y.


def test_class_weighted_multiclass_one_vs_rest_asks_for_train_priors():
    from sklearn.multiclass import OneVsRestClassifier

    rng = np.random.default_rng(0)
    y = rng.choice(np.array(["a", "b", "c"]), size=300, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(300, 2)) + (y == "b")[:, None]
    balanced = OneVsRestClassifier(LogisticRegression(class_weight="balanced"))
    with pytest.raises(ValueError, match="train_priors"):
        ThresholdMover(balanced, "prior").fit(X, y)
    assert ThresholdMover(balanced, "argmax").fit(X, y).train_priors_ is None
    plain = OneVsRestClassifier(LogisticRegression())
    mover = ThresholdMover(plain, "prior").fit(X, y)
    np.testing.assert_allclose(mover.train_priors_, _shares(y, ["a", "b", "c"]))
