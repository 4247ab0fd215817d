"""Review 32, area threshold: ThresholdMover, ResampledClassifier, priors,
metrics and weights."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover


def _three_classes(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    return X, y


def test_frozen_tuned_refuses_y_without_a_class_of_the_estimator():
    # A frozen 3-class model tuned on rows of 2 classes tuned the third
    # class's threshold on no positive row, silently.
    X, y = _three_classes()
    model = LogisticRegression().fit(X, y)
    kept = y < 2
    mover = ThresholdMover(FrozenEstimator(model), "tuned", thresholds=10)
    with pytest.raises(ValueError, match=r"no rows of the classes \[2\]"):
        mover.fit(X[kept], y[kept])
    # With every class present it tunes one threshold per class.
    assert mover.fit(X, y).threshold_.shape == (3,)


def test_class_weighted_multiclass_sgd_has_no_training_priors():
    # A multiclass SGDClassifier weights each class against the rest at
    # weight 1 (one-vs-rest): its normalised probabilities follow no one set
    # of priors, as a class-weighted OneVsRestClassifier's. 'auto' priors
    # were n_c * w_c renormalised (uniform for 'balanced'), silently.
    from sklearn.linear_model import SGDClassifier

    X, y = _three_classes()
    sgd = SGDClassifier(loss="log_loss", class_weight="balanced", random_state=0)
    with pytest.raises(ValueError, match="SGDClassifier weights the classes"):
        ThresholdMover(sgd, "prior").fit(X, y)
    with pytest.raises(ValueError, match="SGDClassifier weights the classes"):
        ThresholdMover(sgd, "argmax", deploy_priors="train").fit(X, y)
    # Given priors are used; binary, or weights of 1, keep the 'auto' rule.
    given = ThresholdMover(sgd, "prior", train_priors=[0.5, 0.3, 0.2]).fit(X, y)
    assert np.allclose(given.train_priors_, [0.5, 0.3, 0.2])
    ones = SGDClassifier(loss="log_loss", class_weight={0: 1, 1: 1, 2: 1})
    counts = np.bincount(y) / len(y)
    assert np.allclose(ThresholdMover(ones).fit(X, y).train_priors_, counts)
    binary = ThresholdMover(sgd).fit(X, y > 0)
    assert np.allclose(binary.train_priors_, [0.5, 0.5])
