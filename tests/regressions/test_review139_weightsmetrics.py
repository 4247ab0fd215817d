"""Review 139, weightsmetrics: ``rebalance.class_weights`` / ``sample_weights``
(balanced and effective-number) and ``rebalance.metrics.g_mean_score`` with
its scorers.

How: seeded probes against scikit-learn's ``compute_class_weight`` /
``compute_sample_weight`` (string, bool, negative, ``np.int8``, huge
``uint64``, object and mixed-kind labels, one-hot matrices, pandas / polars /
Arrow / torch containers, categoricals), the Cui et al. 2019 formula in high
precision (beta 0, subnormal, 0.5, 0.999, 1 - 1e-12, 1 - 2**-53, float16 /
float32 betas, counts up to 10**7), imbalanced-learn's
``geometric_mean_score`` (binary, multiclass, never-predicted classes,
``labels=`` subsets and orders, ``sample_weight`` of every kind, NaN and
mismatched inputs), ``make_scorer(g_mean_score)`` in ``cross_val_score``,
``GridSearchCV`` and ``cross_validate`` with routed weights, ThresholdMover's
``scoring='g_mean'`` and prior correction of a ``class_weights`` dict.

Found (strict xfails below):

* ``g_mean_score`` checks a pandas ``y_pred`` and a pandas ``sample_weight``
  against a pandas ``y_true`` only: with a numpy ``y_true`` (or one of a
  fresh ``RangeIndex``) a ``sample_weight`` holding ``y_pred``'s index in
  another order is paired by position, a wrong score without a word.
* ``g_mean_score`` merges integer classes above 2**53 with the float
  prediction numpy rounds them to (``2**53 + 1`` scored as predicted by
  ``2.0**53``), where ``class_weights`` keeps them apart.

No bug found in the weights (values, class order, dtypes, errors, inputs
untouched) nor in the scorers' interop; a few of those are pinned.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.metrics import geometric_mean_score
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import cross_validate

from rebalance import ThresholdMover, class_weights, sample_weights
from rebalance.metrics import g_mean_score


def test_g_mean_refuses_weights_reordered_against_y_pred():
    index = [10, 11, 12, 13]
    y_true = np.array([0, 0, 1, 1])
    y_pred = pd.Series([0, 1, 1, 1], index=index)
    weights = pd.Series([1.0, 5.0, 1.0, 1.0], index=index)
    # in order: recalls 1/6 and 1
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == pytest.approx(
        np.sqrt(1 / 6)
    )
    # the same weights in another order: each would go with another row, as
    # g_mean_score refuses when y_true is the pandas one
    with pytest.raises(ValueError, match="sample_weight"):
        g_mean_score(y_true, y_pred, sample_weight=weights[::-1])


def test_g_mean_keeps_huge_int_classes_apart_from_rounded_floats():
    big = 2**53 + 1
    y_true = np.array([big, big, 1])
    y_pred = np.array([2.0**53, 2.0**53, 1.0])
    # class_weights counts 2**53 + 1 and 2.0**53 as two classes
    assert len(class_weights([big, 2.0**53])) == 2
    # no row of class 2**53 + 1 is predicted as it: recall 0 (or an error)
    try:
        score = g_mean_score(y_true, y_pred)
    except ValueError:
        return
    assert score == 0.0


def test_routed_weights_reach_g_mean_scorer_as_imblearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = np.where(X[:, 0] + rng.normal(size=150) > 1.0, "yes", "no")
    weights = sample_weights(y)
    with (
        sklearn.config_context(enable_metadata_routing=True),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        ours = make_scorer(g_mean_score).set_score_request(sample_weight=True)
        theirs = make_scorer(geometric_mean_score, pos_label=None).set_score_request(
            sample_weight=True
        )
        model = LogisticRegression().set_fit_request(sample_weight=True)
        params = {"sample_weight": weights}
        a = cross_validate(model, X, y, scoring=ours, params=params)
        b = cross_validate(model, X, y, scoring=theirs, params=params)
    assert np.allclose(a["test_score"], b["test_score"])
    assert not np.isnan(a["test_score"]).any()


@pytest.mark.parametrize("beta", [0.0, 0.5, 1 - 1e-12])
def test_effective_number_follows_cui_with_counts_far_apart(beta):
    counts = np.array([1, 10, 1000, 10**6])
    y = np.repeat(np.arange(4), counts)
    weights = np.array(list(class_weights(y, "effective_number", beta=beta).values()))
    # (1 - beta) / (1 - beta**n), via log1p/expm1 for beta near 1
    reference = (
        -(1 - beta) / np.expm1(counts * np.log1p(-(1 - beta))) if beta else np.ones(4)
    )
    reference *= 4 / reference.sum()
    np.testing.assert_allclose(weights, reference, rtol=1e-9)
    assert sample_weights(y, "effective_number", beta=beta).dtype == np.float64


def test_prior_correction_reads_a_class_weights_dict_as_balanced():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    codes = np.digitize(X[:, 0] + rng.normal(size=200), [0.8, 1.6])
    y = np.array(["c", "b", "a"])[codes]
    by_dict = ThresholdMover(LogisticRegression(class_weight=class_weights(y))).fit(
        X, y
    )
    by_name = ThresholdMover(LogisticRegression(class_weight="balanced")).fit(X, y)
    np.testing.assert_allclose(by_dict.predict_proba(X), by_name.predict_proba(X))
