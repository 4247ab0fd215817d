"""Regression tests for bugs found by running peer test suites against rebalance.

Peers: scikit-learn's estimator checks (parametrize_with_checks /
check_estimator on ResampledClassifier and ThresholdMover with several inner
estimators), imbalanced-learn's docstring tests, and torch's own
DistributedSampler tests. Each test fails on the code as reviewed and passes
once the bug is fixed.
"""

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_classifiers_one_label_sample_weights,
    check_estimators_nan_inf,
)

from rebalance import (
    ClassBalancedSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)


def _data(n=60, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % n_classes
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def test_threshold_mover_fixed_declares_binary_only_in_its_tags():
    # Expected: strategy='fixed' (binary only, raises on 3 classes) sets the
    # classifier_tags.multi_class=False tag, as sklearn's
    # FixedThresholdClassifier does; else 24 sklearn estimator checks fail on
    # multiclass data (parametrize_with_checks(ThresholdMover(..., 'fixed'))).
    est = ThresholdMover(LogisticRegression(), strategy="fixed", threshold=0.3)
    X, y = _data(n_classes=3)
    with pytest.raises(ValueError, match="binary"):
        est.fit(X, y)
    assert get_tags(est).classifier_tags.multi_class is False


def test_resampled_classifier_does_not_claim_multilabel_support_it_lacks():
    # Expected: ResampledClassifier's multi_label tag is True only if fit
    # accepts a multilabel y; the samplers reject it, yet the tag is copied
    # from the classifier (sklearn check_classifiers_multilabel_* fail with a
    # DecisionTreeClassifier inside).
    est = ResampledClassifier(
        RandomUnderSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    X, _ = _data()
    Y = (np.random.RandomState(1).random_sample((60, 3)) < 0.5).astype(int)
    try:
        est.fit(X, Y)
        supported = True
    except ValueError:
        supported = False
    assert get_tags(est).classifier_tags.multi_label is supported


def test_resampled_classifier_rejects_nan_even_when_the_nan_row_is_not_drawn():
    # Expected: with allow_nan=False (the tag, from LogisticRegression) fit
    # raises on NaN/inf in X whatever rows the sampler draws (sklearn
    # check_estimators_nan_inf; ClassBalancedSampler skips the NaN row).
    est = ResampledClassifier(
        ClassBalancedSampler(random_state=0), LogisticRegression()
    )
    assert get_tags(est).input_tags.allow_nan is False
    check_estimators_nan_inf("ResampledClassifier", est)


def test_threshold_mover_zero_resampled_prior_error_names_the_class():
    # Expected: when sample_weight leaves one class without weight, the error
    # of ThresholdMover(ResampledClassifier(...)) names the class, as with a
    # plain classifier ("y has no rows of the classes [0] ...") (sklearn
    # check_classifiers_one_label_sample_weights wants r"\bclass(es)?\b").
    est = ThresholdMover(
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    )
    check_classifiers_one_label_sample_weights("ThresholdMover", est)


def test_threshold_mover_documents_every_fitted_attribute():
    # Expected: every public fitted attribute is in the Attributes section
    # (imbalanced-learn test_docstring_parameters.py::
    # test_fit_docstring_attributes); cost_matrix_ is missing.
    X, y = _data()
    est = ThresholdMover(
        LogisticRegression(), strategy="cost", cost_matrix=[[0, 1], [5, 0]]
    ).fit(X, y)
    documented = {
        name.strip()
        for attr in ClassDoc(ThresholdMover)["Attributes"]
        for name in attr.name.split(",")
    }
    fitted = {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}
    assert fitted - documented == set()


def test_distributed_samplers_expose_num_samples_and_total_size():
    # Expected: a DistributedSampler subclass has DistributedSampler's
    # num_samples (= len) and total_size (= num_samples * num_replicas), as
    # torch's test_DistributedSampler_padding reads them; here AttributeError.
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = np.array([0] * 7 + [1] * 3)
    for drop_last in (False, True):
        sampler = RebalanceSampler(
            labels, num_replicas=3, rank=1, seed=0, drop_last=drop_last
        )
        assert sampler.num_samples == len(sampler) == len(list(sampler))
        assert sampler.total_size == sampler.num_samples * 3
