"""Review 150, area diff55: the lead's commit af0a01b (review 149).

Reviewed ``git diff c98ed48 af0a01b -- rebalance/`` by running each change
against the trees of c98ed48 and fb0b73b (extracted with ``git archive``):

* ``_frames.warn_outside`` for the column-vector y ``DataConversionWarning``
  of ``ResampledClassifier``/``ThresholdMover.fit``: points at the user's
  line (direct call, ``'tuned'``, a thread, top level of ``python -c``), at
  scikit-learn's ``_validation.py`` under ``cross_val_score``/
  ``GridSearchCV`` and at imblearn's ``pipeline.py`` under its ``Pipeline``;
  under ``simplefilter("error")`` it raises ``DataConversionWarning`` and
  nothing else. The samplers' ``fit_resample`` and the metrics' own
  (unchanged) warning path are unaffected. No bug.
* ``HardExampleSampler``'s empty-pool warning via ``_warn_at_caller``: still
  a ``UserWarning``, once, same text, now at the user's line (also through a
  DataLoader). No bug.
* A list/tuple of Decimals in ``as_classifier_target``: whole ones (also
  ``Decimal('1.0')``, ``Decimal('-0')``) read as ints; None/NaN/sNaN/Infinity
  refused naming them; non-whole ones called continuous; empty refused; a
  list of one-element lists works. BUG (not of this commit): Decimals mixed
  with ints (which the samplers and the metrics read as the same classes)
  still fail in the estimators with scikit-learn's "Unknown label type:
  unknown", naming no argument.
* ``ThresholdMover.fit`` refusing a generator X when ``sample_weight`` is
  given: REGRESSION (false refusal): an estimator whose ``fit`` takes
  ``sample_weight`` (or a routed pipeline) was handed the generator and the
  weights at fb0b73b and c98ed48 and fitted (weights used); now refused with
  "pass list(X)". Only the rows-repeated path (estimator without
  ``sample_weight``) and ``'tuned'`` need the rows. DataFrames, sparse
  matrices and an iterator with ``__len__`` are not refused.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from rebalance import RandomOverSampler
from rebalance.compose import ResampledClassifier
from rebalance.threshold import ThresholdMover

TEXTS = ["good day"] * 30 + ["bad thing"] * 10
LABELS = [0] * 30 + [1] * 10
X_NUM = np.arange(40.0).reshape(-1, 1)


class _TextClassifier(ClassifierMixin, BaseEstimator):
    """Reads an iterable of texts once, takes sample_weight."""

    def fit(self, X, y, sample_weight=None):
        self.hv_ = HashingVectorizer(n_features=16)
        self.lr_ = LogisticRegression().fit(
            self.hv_.transform(list(X)), y, sample_weight=sample_weight
        )
        self.classes_ = self.lr_.classes_
        return self

    def predict_proba(self, X):
        return self.lr_.predict_proba(self.hv_.transform(list(X)))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.parametrize("strategy", ["prior", "argmax"])
def test_generator_x_with_weights_for_an_estimator_taking_weights(strategy):
    weights = np.linspace(1.0, 2.0, 40)
    mover = ThresholdMover(_TextClassifier(), strategy=strategy)
    mover.fit((t for t in TEXTS), np.array(LABELS), sample_weight=weights)
    expected = _TextClassifier().fit(TEXTS, LABELS, sample_weight=weights)
    np.testing.assert_allclose(mover.estimator_.lr_.coef_, expected.lr_.coef_)


def test_generator_x_without_weights_still_fitted_once():
    mover = ThresholdMover(_TextClassifier(), strategy="prior")
    mover.fit((t for t in TEXTS), np.array(LABELS))
    assert mover.predict(TEXTS[-2:]).tolist() == [1, 1]


@pytest.mark.parametrize("make", [ThresholdMover, ResampledClassifier])
def test_decimals_mixed_with_ints(make):
    y = [Decimal(v) for v in LABELS[:-1]] + [1]
    sampler_y = RandomOverSampler(random_state=0).fit_resample(X_NUM, y)[1]
    assert sorted(set(sampler_y)) == [0, 1]  # the samplers read two classes
    if make is ThresholdMover:
        est = ThresholdMover(LogisticRegression(), strategy="prior")
    else:
        est = ResampledClassifier(
            RandomOverSampler(random_state=0), LogisticRegression()
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X_NUM, y)
    assert est.classes_.tolist() == [0, 1]


def test_whole_decimal_list_and_tuple_read_as_ints():
    for y in ([Decimal(v) for v in LABELS], tuple(Decimal(v) + 0 for v in LABELS)):
        est = ResampledClassifier(
            RandomOverSampler(random_state=0), LogisticRegression()
        )
        est.fit(X_NUM, y)
        assert est.classes_.dtype.kind == "i" and est.classes_.tolist() == [0, 1]
    y = [Decimal(v) for v in LABELS[:-1]] + [None]
    with pytest.raises(ValueError, match="missing labels"):
        ThresholdMover(LogisticRegression()).fit(X_NUM, y)


def test_column_vector_warning_points_at_the_caller():
    y = np.array(LABELS).reshape(-1, 1)
    mover = ThresholdMover(LogisticRegression(), strategy="prior")
    with pytest.warns(DataConversionWarning, match="column-vector y") as caught:
        mover.fit(X_NUM, y)
    assert [w.filename for w in caught] == [__file__]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_val_score(mover, X_NUM, y, cv=2)
    files = {w.filename for w in caught if w.category is DataConversionWarning}
    assert files and all("sklearn" in f and "rebalance" not in f for f in files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataConversionWarning):
            mover.fit(X_NUM, y)


def test_empty_pool_warning_once_at_the_caller():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance.torch import HardExampleSampler, RebalanceSampler

    sampler = HardExampleSampler(RebalanceSampler(np.array(LABELS), seed=1))
    loader = DataLoader(TensorDataset(torch.arange(40)), batch_size=8, sampler=sampler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in (2, 3):
            sampler.set_epoch(epoch)
            list(loader)
    pool = [w for w in caught if "empty pool" in str(w.message)]
    assert len(pool) == 1 and pool[0].category is UserWarning
    assert pool[0].filename == __file__
