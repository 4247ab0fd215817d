"""Review 30, priors4: ``train_priors='auto'`` and ``resampled_priors_`` must
be the priors of the rows (and weights) the model that makes the
probabilities was fitted on. Expected priors are computed here by hand.

1. scikit-learn's forests (>= 1.8) count the classes weighted by
   ``sample_weight`` for ``class_weight='balanced'`` (and
   ``'balanced_subsample'`` without bootstrap), and with bootstrap draw each
   tree's rows by ``sample_weight`` before ``'balanced_subsample'`` balances
   the draw: the priors were computed from unweighted counts (uniform priors
   reported as e.g. [0.2, 0.8]).
2. Models that keep a validation share of their rows out of training for
   early stopping (``HistGradientBoostingClassifier``,
   ``GradientBoostingClassifier(n_iter_no_change=...)``) were given the
   priors of all rows; with ``sample_weight`` the training rows' weighted
   shares differ. ``MLPClassifier`` / ``SGDClassifier`` with
   ``early_stopping=True`` and ``sample_weight`` (rows drawn by an
   unrecorded seed) now ask for ``train_priors``.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2))
    # The minority's weights are larger: weighted and unweighted shares differ.
    weight = np.where(y == 1, rng.random(n) * 4, rng.random(n))
    return X, y, weight


def _shares(y, weight):
    mass = np.array([weight[y == c].sum() for c in (0, 1)])
    return mass / mass.sum()


def _fit(model, X, y, weight):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ThresholdMover(model, "prior", deploy_priors=[0.5, 0.5]).fit(
            X, y, sample_weight=weight
        )


@pytest.mark.parametrize("forest", [RandomForestClassifier, ExtraTreesClassifier])
@pytest.mark.parametrize(
    ("class_weight", "bootstrap"),
    [("balanced", False), ("balanced_subsample", False), ("balanced_subsample", True)],
)
def test_forest_balanced_with_sample_weight(forest, class_weight, bootstrap):
    X, y, weight = _data()
    # Trees of one leaf: each predicts the weighted class shares it was
    # fitted with, so the forest's probabilities are its training priors.
    model = forest(
        n_estimators=5,
        class_weight=class_weight,
        bootstrap=bootstrap,
        min_samples_split=len(y) + 1,
        random_state=0,
    )
    if bootstrap and "sample_weight" not in _draw_parameters():
        pytest.skip("this scikit-learn draws bootstrap rows uniformly")
    mover = _fit(model, X, y, weight)
    seen = mover.estimator_.predict_proba(X[:1])[0]
    np.testing.assert_allclose(mover.train_priors_, seen, atol=1e-9)


def _draw_parameters():
    from sklearn.ensemble._forest import _generate_sample_indices

    return inspect.signature(_generate_sample_indices).parameters


def test_resampled_forest_balanced_with_sample_weight():
    X, y, weight = _data()
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
        RandomForestClassifier(
            n_estimators=3,
            class_weight="balanced",
            bootstrap=False,
            min_samples_split=10_000,
        ),
    ).fit(X, y, sample_weight=weight)
    seen = model.classifier_.predict_proba(X[:1])[0]
    np.testing.assert_allclose(model.resampled_priors_, seen, atol=1e-9)


def _training_rows(y, fraction, seed):
    # Both estimators split off their validation rows so (stratified).
    rows, _ = train_test_split(
        np.arange(len(y)), test_size=fraction, stratify=y, random_state=seed
    )
    return rows


@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 1.0, 1: 3.0}])
def test_hist_gradient_boosting_early_stopping_trains_on_its_split(class_weight):
    X, y, weight = _data()
    model = HistGradientBoostingClassifier(
        early_stopping=True,
        validation_fraction=0.4,
        max_iter=3,
        class_weight=class_weight,
        random_state=0,
    )
    mover = _fit(model, X, y, weight)
    fitted = mover.estimator_
    rows = _training_rows(y, 0.4, fitted._random_seed)
    if class_weight == "balanced":  # computed on all rows, unweighted
        factor = len(y) / (2 * np.bincount(y))
    elif class_weight is None:
        factor = np.ones(2)
    else:
        factor = np.array([1.0, 3.0])
    expected = _shares(y[rows], weight[rows] * factor[y[rows]])
    np.testing.assert_allclose(mover.train_priors_, expected, atol=1e-9)
    assert not np.allclose(
        expected, _shares(y, weight * factor[y]), rtol=0, atol=1e-3
    )  # the split matters here


def test_gradient_boosting_early_stopping_trains_on_its_split():
    X, y, weight = _data()
    model = GradientBoostingClassifier(
        n_iter_no_change=2, validation_fraction=0.4, n_estimators=3, random_state=0
    )
    mover = _fit(model, X, y, weight)
    rows = _training_rows(y, 0.4, 0)
    np.testing.assert_allclose(
        mover.train_priors_, _shares(y[rows], weight[rows]), atol=1e-9
    )


def test_resampled_hist_gradient_boosting_early_stopping():
    X, y, weight = _data()
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy=0.5, random_state=0),
        HistGradientBoostingClassifier(
            early_stopping=True, validation_fraction=0.4, max_iter=3, random_state=0
        ),
    ).fit(X, y, sample_weight=weight)
    drawn = model.sampler_.sample_indices_
    y_res, weight_res = y[drawn], weight[drawn]
    rows = _training_rows(y_res, 0.4, model.classifier_._random_seed)
    np.testing.assert_allclose(
        model.resampled_priors_, _shares(y_res[rows], weight_res[rows]), atol=1e-9
    )


@pytest.mark.parametrize(
    "model",
    [
        SGDClassifier(loss="log_loss", early_stopping=True, random_state=0),
        MLPClassifier(early_stopping=True, max_iter=5, random_state=0),
    ],
    ids=["sgd", "mlp"],
)
def test_early_stopping_on_unrecorded_rows_with_weights_asks_for_priors(model):
    if "sample_weight" not in inspect.signature(model.fit).parameters:
        pytest.skip("this scikit-learn's MLPClassifier.fit takes no sample_weight")
    X, y, weight = _data()
    with pytest.raises(ValueError, match="train_priors"):
        _fit(model, X, y, weight)
    # Without weights the stratified split keeps the class shares.
    mover = _fit(model, X, y, None)
    np.testing.assert_allclose(mover.train_priors_, np.bincount(y) / len(y))
    # Given priors are used as they are.
    given = ThresholdMover(model, "prior", train_priors=[0.8, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        given.fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(given.train_priors_, [0.8, 0.2])


def test_bagged_early_stopping_members_keep_the_priors_of_y():
    # Each member trains on its own draw: no one split to read.
    X, y, weight = _data()
    model = BaggingClassifier(
        HistGradientBoostingClassifier(early_stopping=True, max_iter=3),
        n_estimators=3,
        random_state=0,
    )
    mover = _fit(model, X, y, weight)
    np.testing.assert_allclose(mover.train_priors_, _shares(y, weight), atol=1e-9)


def _generative_cases():
    from sklearn.discriminant_analysis import (
        LinearDiscriminantAnalysis,
        QuadraticDiscriminantAnalysis,
    )
    from sklearn.naive_bayes import (
        BernoulliNB,
        CategoricalNB,
        ComplementNB,
        GaussianNB,
        MultinomialNB,
    )

    return {
        "gaussian": (GaussianNB(priors=[0.4, 0.6]), [0.4, 0.6]),
        "multinomial_uniform": (MultinomialNB(fit_prior=False), [0.5, 0.5]),
        "multinomial_given": (MultinomialNB(class_prior=[0.3, 0.7]), [0.3, 0.7]),
        "bernoulli_uniform": (BernoulliNB(fit_prior=False), [0.5, 0.5]),
        "categorical_given": (CategoricalNB(class_prior=[0.6, 0.4]), [0.6, 0.4]),
        "complement": (ComplementNB(), [0.5, 0.5]),
        "lda": (LinearDiscriminantAnalysis(priors=[0.5, 0.5]), [0.5, 0.5]),
        "qda": (QuadraticDiscriminantAnalysis(priors=[0.5, 0.5]), [0.5, 0.5]),
    }


@pytest.mark.parametrize("case", sorted(_generative_cases()))
def test_generative_models_given_priors_give_those(case):
    # Their posteriors follow the priors they were given, not those of y:
    # on features that say nothing of the class, the mean probability is
    # the prior.
    model, expected = _generative_cases()[case]
    rng = np.random.default_rng(0)
    y = np.where(rng.random(3000) < 0.2, "rare", "common")
    X = rng.integers(0, 3, size=(len(y), 3)).astype(float)
    mover = _fit(model, X, y, None)
    np.testing.assert_allclose(mover.train_priors_, expected, atol=1e-9)
    mean = mover.estimator_.predict_proba(X).mean(axis=0)
    np.testing.assert_allclose(mean, expected, atol=0.02)


def test_generative_model_with_given_priors_in_ensembles_and_resampled():
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.naive_bayes import GaussianNB

    X, y, _ = _data()
    for model in (
        BaggingClassifier(GaussianNB(priors=[0.4, 0.6]), n_estimators=3),
        OneVsRestClassifier(GaussianNB(priors=[0.4, 0.6])),
    ):
        mover = _fit(model, X, y, None)
        np.testing.assert_allclose(mover.train_priors_, [0.4, 0.6], atol=1e-9)
    resampled = ResampledClassifier(
        RandomUnderSampler(random_state=0), GaussianNB(priors=[0.4, 0.6])
    ).fit(X, y)
    np.testing.assert_allclose(resampled.resampled_priors_, [0.4, 0.6], atol=1e-9)
    # Without given priors: those of the rows, as before.
    plain = _fit(GaussianNB(), X, y, None)
    np.testing.assert_allclose(plain.train_priors_, np.bincount(y) / len(y))
