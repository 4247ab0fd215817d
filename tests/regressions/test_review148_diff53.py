"""Review 148, diff53: the lead's commit 1f9de7c (``git diff d33a473 1f9de7c
-- rebalance/``), old and new trees run side by side on the same inputs.

Checked: ``as_classifier_target`` on object arrays (ints, 1 with 1.0, bools,
bools with ints, ints past 2**63, Decimal, Fraction, numpy scalars, None,
NaN), memoryview, array.array and np.matrix labels through
``ResampledClassifier`` (rebalance and imbalanced-learn samplers) and
``ThresholdMover`` (prior and tuned): every input that worked before gives
the same classes_, predictions, probabilities and score; pos_label,
deploy_priors keyed by Python ints/bools and cost_matrix still match the
now-typed classes_; None/NaN among objects still refused as missing
(rebalance samplers). ``reject_mapping_or_iterator``: DataFrames, polars,
DOK matrices/arrays, lists of dicts (DictVectorizer) still accepted;
UserDict/MappingProxyType refused (failed before too). ``_too_many_folds``:
StratifiedKFold and KFold messages reworded, GroupKFold's passed through.
``check_scored_rows``: pandas y with a reordered index still refused,
string labels scored.

Bugs (fixed by the lead; each test below failed before):
* a pandas Series of dtype object holding ints (the usual "object column of
  ints") is still refused by the classifier ("Unknown label type"), by
  ``score`` ("mix of unknown and binary targets"), and tuning blames cv,
  while the same values as a numpy object array now work;
* ``ThresholdMover.fit`` now refuses a generator / file of lines as X for a
  text pipeline, which worked before (a regression; scikit-learn's
  FixedThresholdClassifier takes it);
* whole-number Decimal labels pass the samplers but the classifier refuses
  them with scikit-learn's message, not naming y;
* ResampledClassifier with an imbalanced-learn sampler: None among object
  labels gives scikit-learn's "Unknown label type", not the missing-label
  error.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbROS
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from rebalance import samplers
from rebalance.compose import ResampledClassifier
from rebalance.threshold import ThresholdMover

Y = np.array([0] * 30 + [1] * 10)


def _X():
    X = np.random.RandomState(0).randn(40, 3)
    X[Y == 1] += 1.5
    return X


def _objects(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _rc(sampler=None):
    return ResampledClassifier(
        sampler or samplers.RandomOverSampler(random_state=0), LogisticRegression()
    )


@pytest.mark.parametrize("which", ["rc", "tm", "tuned"])
def test_pandas_object_series_of_ints_read_as_ints(which):
    X = _X()
    y = pd.Series(_objects(Y.tolist()))
    est = {
        "rc": _rc(),
        "tm": ThresholdMover(LogisticRegression()),
        "tuned": ThresholdMover(LogisticRegression(), strategy="tuned", cv=3),
    }[which]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert est.classes_.tolist() == [0, 1]
    expected = clone(est).fit(X, Y)
    np.testing.assert_array_equal(est.predict(X), expected.predict(X))
    assert est.score(X, y) == expected.score(X, Y)


def test_threshold_mover_takes_generator_of_texts():
    texts = [
        ("win offer " if v else "meeting notes ") + str(i) for i, v in enumerate(Y)
    ]
    pipe = make_pipeline(HashingVectorizer(n_features=64), LogisticRegression())
    from_list = ThresholdMover(pipe).fit(texts, Y)
    from_gen = ThresholdMover(pipe).fit((t for t in texts), Y)
    np.testing.assert_array_equal(from_gen.predict(texts), from_list.predict(texts))


def test_decimal_labels_read_or_refused_naming_y():
    y = _objects([Decimal(int(v)) for v in Y])
    try:
        est = _rc().fit(_X(), y)
    except (TypeError, ValueError) as exc:
        assert "Unknown label type" not in str(exc)
        assert re.search(r"\by\b", str(exc))  # names y
    else:
        assert est.classes_.tolist() == [0, 1]


def test_none_label_refused_as_missing_with_imblearn_sampler():
    y = _objects([None if i == 3 else int(v) for i, v in enumerate(Y)])
    with pytest.raises(ValueError, match="missing"):
        _rc(ImbROS(random_state=0)).fit(_X(), y)


@pytest.mark.parametrize(
    "values, classes",
    [
        ([1.0 if v else 0 for v in Y], [0.0, 1.0]),
        ([bool(v) for v in Y], [False, True]),
        ([np.int8(v) for v in Y], [0, 1]),
        ([2**63 + 5 if v else 2**63 for v in Y], [2**63, 2**63 + 5]),
    ],
)
def test_object_numbers_keep_their_values(values, classes):
    est = ThresholdMover(LogisticRegression()).fit(_X(), _objects(values))
    assert est.classes_.tolist() == classes
    y = np.asarray(values)
    assert est.score(_X(), _objects(values)) == pytest.approx(
        ThresholdMover(LogisticRegression()).fit(_X(), y).score(_X(), y)
    )


def test_object_int_labels_with_int_keyed_priors_and_pos_label():
    y = _objects(Y.tolist())
    X = _X()
    fixed = ThresholdMover(
        LogisticRegression(), strategy="fixed", threshold=0.3, pos_label=1
    ).fit(X, y)
    ref = ThresholdMover(
        LogisticRegression(), strategy="fixed", threshold=0.3, pos_label=1
    ).fit(X, Y)
    np.testing.assert_array_equal(fixed.predict(X), ref.predict(X))
    moved = ThresholdMover(LogisticRegression(), deploy_priors={0: 0.5, 1: 0.5})
    np.testing.assert_allclose(
        moved.fit(X, y).predict_proba(X),
        ThresholdMover(LogisticRegression(), deploy_priors={0: 0.5, 1: 0.5})
        .fit(X, Y)
        .predict_proba(X),
    )


def test_too_many_folds_names_cv():
    X, y = _X()[:8], np.array([0] * 5 + [1] * 3)
    with pytest.raises(ValueError, match=r"cv=20 .*pass cv=3 or fewer"):
        ThresholdMover(LogisticRegression(), strategy="tuned", cv=20).fit(X, y)
