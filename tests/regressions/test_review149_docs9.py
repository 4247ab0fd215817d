"""Review 149, docs9: the docs against this stop's behaviour changes.

Reviewed: the CHANGES.md lines added since fb0b73b, README.md (every Python
block run with all warnings shown: none fails, none prints or warns
differently), docs/ (index, user guide = README, notebooks), the docstrings
of the torch samplers' ``labels`` (RebalanceSampler and BalancedBatchSampler
say "not -100, torch's ignore_index"), ``OHEMLoss``/``ohem_loss``,
``ThresholdMover.score``, ``ResampledClassifier.score``, ``g_mean_score``
(its ``UndefinedMetricWarning`` is documented under ``labels`` and
``sample_weight``; its doctests warn nothing) and ``rebalance compare
--help`` (``--drop``/``--methods`` "may be given more than once"; the
epilogue names them as the exception to "an option given twice keeps its
last value"). The doctests of metrics, threshold, compose and the torch
samplers/losses pass with UserWarning as an error.

Every CHANGES line of the stop was tried: OHEMLoss unbatched soft/binary
samples, functools.partial criteria and a lying batch criterion; -100 in
numpy/object labels refused by both torch samplers (the text "-100" kept);
score's label/weight checks (None, negative, all-zero, masked; memoryview,
array.array, column np.matrix y); g_mean's warnings; cv above the class
count; dict X; sample_weight length wording; compare's LazyFrame,
ClassLabel -1 (compare, class_weights, g_mean y_pred naming the argument),
``--drop a --drop b``, ``--drop "a,b"`` beside columns a and b, every
unknown ``--drop`` name. All as described except one:

Bug: CHANGES says ResampledClassifier and ThresholdMover read whole-number
``Decimal`` labels as integers, but a plain list of Decimals (the form the
samplers take and return) still fails in ``fit`` with scikit-learn's
"Unknown label type"; a numpy object array or pandas Series of them works.
"""

import argparse
from decimal import Decimal

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover
from rebalance.cli import build_parser


def _data():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 10)
    return X, y


def _resampled():
    return ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())


def _mover():
    return ThresholdMover(LogisticRegression())


@pytest.mark.parametrize("make", [_resampled, _mover], ids=["resampled", "mover"])
def test_decimal_label_list_read_as_ints(make):
    X, y = _data()
    labels = [Decimal(int(v)) for v in y]
    # The samplers take this list; CHANGES says the estimators read it too.
    assert RandomUnderSampler(random_state=0).fit_resample(X, labels)[1]
    model = make().fit(X, labels)
    assert model.classes_.tolist() == [0, 1]


def test_decimal_label_series_read_as_ints():
    """Pin: the pandas/object-array forms CHANGES names work."""
    pd = pytest.importorskip("pandas")
    X, y = _data()
    labels = pd.Series([Decimal(int(v)) for v in y])
    assert _resampled().fit(X, labels).classes_.tolist() == [0, 1]


def test_help_names_repeatable_drop_and_methods():
    """Pin: --help documents that --drop and --methods add up."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    text = " ".join(sub.choices["compare"].format_help().split())
    assert (
        "--drop COL,... columns of --data to leave out (may be given more than once)"
        in text
    )
    assert "except --drop and --methods, whose names add up" in text
