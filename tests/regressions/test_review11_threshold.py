"""Review 11: ThresholdMover against scikit-learn's TunedThresholdClassifierCV.

Each test reproduces one bug found by porting the ideas of scikit-learn's
``model_selection/tests/test_classification_threshold.py``.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, get_scorer, make_scorer
from sklearn.model_selection import StratifiedKFold

from rebalance import ThresholdMover


def _binary(seed=1, n=200, minority=0.25, shift=0.8):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    X = rng.normal(size=(n, 3)) + shift * y[:, None]
    return X, y


@pytest.mark.parametrize(
    "labels, pos_label",
    [
        (np.array([0, 1]), 0),
        (np.array(["cancer", "healthy"], dtype=object), "cancer"),
        (np.array([-1, 1]), -1),
    ],
)
def test_scorer_pos_label_names_a_class_of_y(labels, pos_label):
    # The user names the same positive class twice: in ThresholdMover and in
    # the scorer (scikit-learn's TunedThresholdClassifierCV takes it from the
    # scorer; its own test_tuned_threshold_classifier_with_string_targets
    # passes make_scorer(f1_score, pos_label="cancer")). ThresholdMover calls
    # the scorer on 0/1-encoded labels, so pos_label=0 silently means "the
    # rest" (the F1 of the other class is tuned) and a string or -1 pos_label
    # is refused as "cannot score predicted labels".
    X, y01 = _binary(seed=0, n=300, minority=0.2, shift=1.0)
    y = labels[y01]
    scorer = make_scorer(f1_score, pos_label=pos_label)
    by_scorer = ThresholdMover(
        LogisticRegression(), "tuned", cv=3, pos_label=pos_label, scoring=scorer
    ).fit(X, y)
    by_name = ThresholdMover(
        LogisticRegression(), "tuned", cv=3, pos_label=pos_label, scoring="f1"
    ).fit(X, y)
    # Both tune the F1 of pos_label, on the same folds and candidates.
    assert by_scorer.best_score_ == pytest.approx(by_name.best_score_)
    assert by_scorer.threshold_ == pytest.approx(by_name.threshold_)
    np.testing.assert_array_equal(by_scorer.predict(X), by_name.predict(X))


def test_scorer_that_declines_sample_weight_is_not_weighted():
    # With metadata routing, scorer.set_score_request(sample_weight=False)
    # says: fit with the weights, score without them (scikit-learn's
    # TunedThresholdClassifierCV honours it). ThresholdMover passes the
    # weights to the scorer anyway, so the metric tuned is the weighted one.
    X, y = _binary()
    w = np.random.default_rng(1).integers(0, 4, len(y)).astype(float)
    grid = np.linspace(0.01, 0.99, 99)

    def unweighted(estimator, X_val, y_val):  # takes no sample_weight
        return balanced_accuracy_score(y_val, estimator.predict(X_val))

    with sklearn.config_context(enable_metadata_routing=True):
        declined = get_scorer("balanced_accuracy").set_score_request(
            sample_weight=False
        )
        fit_weighted = LogisticRegression().set_fit_request(sample_weight=True)
        mover = ThresholdMover(
            fit_weighted, "tuned", cv=3, scoring=declined, thresholds=grid
        ).fit(X, y, sample_weight=w)
        expected = ThresholdMover(
            fit_weighted, "tuned", cv=3, scoring=unweighted, thresholds=grid
        ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(
        mover.cv_results_["scores"], expected.cv_results_["scores"]
    )
    assert mover.threshold_ == pytest.approx(expected.threshold_)


def test_cv_folds_given_as_boolean_masks_select_those_rows():
    # cv as a list of (train, validation) boolean masks: scikit-learn's
    # cross_val_score and TunedThresholdClassifierCV index the rows with them.
    # ThresholdMover takes the masks as integer positions 0 and 1, so every
    # fold trains on rows 0 and 1 only (repeated) and scores rows 0 and 1:
    # a silently wrong threshold.
    X, y = _binary()
    y[0], y[1] = 0, 1  # rows 0 and 1 hold both classes: no error to notice
    rows = np.arange(len(y))
    folds = list(StratifiedKFold(3).split(X, y))
    masks = [(np.isin(rows, train), np.isin(rows, val)) for train, val in folds]
    by_index = ThresholdMover(LogisticRegression(), "tuned", cv=folds).fit(X, y)
    by_mask = ThresholdMover(LogisticRegression(), "tuned", cv=masks).fit(X, y)
    assert by_mask.threshold_ == pytest.approx(by_index.threshold_)
    np.testing.assert_allclose(
        by_mask.cv_results_["scores"], by_index.cv_results_["scores"]
    )
