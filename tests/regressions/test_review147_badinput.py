"""Review 147, area ``badinput``: common user mistakes at every entry point.

Reviewed: every name in ``rebalance.__all__`` (the four samplers,
``ResampledClassifier``, ``ThresholdMover``, ``class_weights``,
``sample_weights``) and the losses of ``rebalance.torch.__all__``, against a
matrix of mistakes: X with NaN/inf/strings, 1-D/3-D/empty X, y shorter or
longer than X, 2-D (one-hot and multilabel) y, continuous y, single-class y,
all-unique y, missing labels, sample_weight of the wrong length/2-D/negative/
NaN/strings/all-zero, parameters of the wrong type (strings, floats for ints,
numpy scalars, bools), unfitted predict, fitting twice with other widths,
predicting with other widths or column names; for the torch losses float/bool
/int32 targets, out-of-range and negative targets, short and one-hot targets,
1-D and integer logits, numpy inputs, empty and all-ignored batches, bad
``reduction``/``ignore_index``.  Each call was checked for the exception type,
whether the message names the argument and the fix, warnings raised before the
error, fits done before the error (a counting classifier) and mutated inputs.

Found (fixed by the lead; each test below failed before):

* ``ThresholdMover(strategy='tuned', cv=k)`` with k above every class's count
  fails with scikit-learn's "n_splits=k cannot be greater than the number of
  members in each class": it names ``n_splits`` (not the ``cv`` the user set)
  and no fix.
* ``ResampledClassifier.fit`` words a sample_weight of the wrong length
  differently from the samplers and ``ThresholdMover`` (same mistake, two
  messages).

No bug: y mistakes and sample_weight mistakes give the same ValueError, before
any fit, at all six estimator entry points (pinned below); the parameter
checks refuse strings/bools/floats-for-ints and accept numpy scalars; the
torch losses agree on every target/logit mistake.  Judged not bugs (see the
changelog): samplers pass NaN/inf/text X through (index samplers, as
imbalanced-learn); ``ThresholdMover`` leaves X to its estimator; one-hot y is
taken by the samplers and weights but refused by the two classifiers; single-
class y gives weight 1.0 in ``class_weights`` (pinned by review 123); the
NaN-vs-0 mean of an empty batch across losses is documented.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import rebalance as rb

X = np.random.default_rng(0).normal(size=(20, 3))
Y = np.array([0] * 14 + [1] * 6)


class _CountingLR(LogisticRegression):
    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


ENTRY_POINTS = {
    "under": lambda: rb.RandomUnderSampler(random_state=0),
    "over": lambda: rb.RandomOverSampler(random_state=0),
    "class_balanced": lambda: rb.ClassBalancedSampler(random_state=0),
    "label_shuffle": lambda: rb.LabelShuffleSampler(random_state=0),
    "resampled": lambda: rb.ResampledClassifier(
        rb.RandomUnderSampler(random_state=0), _CountingLR()
    ),
    "threshold": lambda: rb.ThresholdMover(_CountingLR(), cv=2),
}


def _fit(name, X, y, **kw):
    est = ENTRY_POINTS[name]()
    if hasattr(est, "fit_resample"):
        return est.fit_resample(X, y, **kw)
    return est.fit(X, y, **kw)


MISTAKES = {
    "y_short": (Y[:-1], {}, "same length"),
    "y_continuous": (np.linspace(0.1, 0.9, 20), {}, "continuous"),
    "y_nan": (np.r_[Y[:-1].astype(float), np.nan], {}, "missing labels"),
    "sw_nan": (Y, {"sample_weight": np.r_[np.nan, np.ones(19)]}, "finite"),
    "sw_negative": (Y, {"sample_weight": np.r_[-1.0, np.ones(19)]}, "negative"),
    "sw_strings": (Y, {"sample_weight": np.array(["a"] * 20)}, "numbers"),
    "sw_2d": (Y, {"sample_weight": np.ones((20, 1))}, "one weight per row"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_same_mistake_same_error_everywhere_before_any_fit(mistake):
    y, kw, words = MISTAKES[mistake]
    X0, y0 = X.copy(), y.copy()
    messages = set()
    for name in ENTRY_POINTS:
        _CountingLR.fits = 0
        with pytest.raises(ValueError, match=words) as info:
            _fit(name, X, y, **kw)
        assert _CountingLR.fits == 0, name
        messages.add(str(info.value))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert len(messages) == 1, messages


def test_sample_weight_length_message_is_the_same_everywhere():
    messages = {}
    for name in ENTRY_POINTS:
        with pytest.raises(ValueError) as info:
            _fit(name, X, Y, sample_weight=np.ones(19))
        messages[name] = str(info.value)
    assert len(set(messages.values())) == 1, messages


def test_threshold_mover_cv_too_large_names_cv():
    tm = rb.ThresholdMover(LogisticRegression(), "tuned", cv=30)
    with pytest.raises(ValueError, match=r"\bcv\b") as info:
        tm.fit(X, Y)
    assert "n_splits" not in str(info.value)


@pytest.mark.parametrize(
    ("param", "value"),
    [("n_samples", 10.0), ("n_samples", True), ("power", "0.5")],
)
def test_wrong_type_parameters_refused(param, value):
    with pytest.raises((TypeError, ValueError), match=param):
        rb.ClassBalancedSampler(**{param: value}).fit_resample(X, Y)


def test_numpy_scalar_parameters_accepted():
    _, y = rb.ClassBalancedSampler(n_samples=np.int64(10), random_state=0).fit_resample(
        X, Y
    )
    assert len(y) == 10
    _, y = rb.RandomUnderSampler(
        sampling_strategy={0: np.int64(6)}, random_state=0
    ).fit_resample(X, Y)
    assert len(y) == 12
