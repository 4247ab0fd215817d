"""Review 72 thfuzz: ThresholdMover around a classifier whose ``classes_``
are not sorted (in the order the classes first appear in ``y``)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover


class InputOrder(ClassifierMixin, BaseEstimator):
    """A classifier whose classes_ are in the order of first appearance."""

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        _, first = np.unique(y, return_index=True)
        self.classes_ = y[np.sort(first)]
        codes = np.searchsorted(self.classes_, y, sorter=np.argsort(self.classes_))
        codes = np.argsort(self.classes_)[codes]
        self.model_ = LogisticRegression().fit(X, codes)
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _data():
    rng = np.random.default_rng(0)
    y = np.array(["alpha"] + ["zeta", "alpha"] * 15)
    X = rng.normal(size=(len(y), 2)) + (y == "zeta")[:, None]
    return X, y


def test_fold_in_other_order_is_not_called_missing_classes():
    # Fitted on all rows the classes come sorted (the first row is 'alpha');
    # a fold starting with 'zeta' orders them otherwise. The message said the
    # fold lacked classes and advised a stratified cv, which changes nothing.
    X, y = _data()
    cv = [(np.arange(1, 31), np.array([0])), (np.arange(0, 30), np.array([30]))]
    with pytest.raises(ValueError, match="in another order") as info:
        ThresholdMover(InputOrder(), "tuned", cv=cv).fit(X, y)
    assert "stratified" not in str(info.value)
    assert "FrozenEstimator" in str(info.value)


def test_unsorted_classes_message_names_the_fix():
    X, y = _data()
    with pytest.raises(ValueError, match="not the sorted classes") as info:
        ThresholdMover(InputOrder()).fit(X[1:], y[1:])
    assert "FrozenEstimator" in str(info.value)


def test_frozen_unsorted_classes_keep_columns_aligned():
    # The fix the messages name: the frozen model's columns follow its own
    # classes_, for the probabilities and the threshold of pos_label.
    X, y = _data()
    fitted = InputOrder().fit(X[1:], y[1:])
    assert fitted.classes_.tolist() == ["zeta", "alpha"]
    raw = fitted.predict_proba(X)
    mover = ThresholdMover(
        FrozenEstimator(fitted), "fixed", threshold=0.3, pos_label="zeta"
    ).fit(X, y)
    assert mover.classes_.tolist() == ["zeta", "alpha"]
    np.testing.assert_array_equal(
        mover.predict(X), np.where(raw[:, 0] >= 0.3, "zeta", "alpha")
    )
    moved = ThresholdMover(
        FrozenEstimator(fitted), "argmax", deploy_priors={"zeta": 0.2, "alpha": 0.8}
    ).fit(X, y)
    train = np.array([(y == "zeta").mean(), (y == "alpha").mean()])
    expected = raw * np.array([0.2, 0.8]) / train
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(moved.predict_proba(X), expected)
