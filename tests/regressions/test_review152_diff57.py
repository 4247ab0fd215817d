"""Review 152, diff57: the read-through mend 270602c ("no behaviour change").

Reviewed ``git diff d21845a 270602c -- rebalance/``: one frame walker for the
warnings pointing at the caller (``_frames.warn_outside``, with the torch
samplers' ``_warn_at_caller`` passing its training-loop predicate), one reader
of a Hugging Face column and its ClassLabel -1 (``_labels.hf_column_values``),
one conversion of memoryview / array.array / np.matrix values
(``_frames.buffer_values`` / ``BUFFERS``) and ``_tuning._too_many_folds``
counting the smallest class once.

How: the old tree (``git archive d21845a``) and the new one ran the same
~190 seeded cases in subprocesses and their results, error texts and warning
locations (filename, lineno from ``warnings.catch_warnings(record=True)``)
were compared: column-vector y for ``ResampledClassifier.fit`` /
``ThresholdMover.fit`` (direct, 'tuned', under ``cross_val_score``, inside an
imbalanced-learn Pipeline); ``HardExampleSampler``'s empty-pool warning, the
drop_last-empties-every-batch and set_epoch-while-iterating warnings through
a ``DataLoader``; ``datasets`` ClassLabel columns with and without -1 (plain,
numpy and torch formats) through the samplers' fit_resample, class_weights,
ThresholdMover.fit, g_mean_score (both arguments), RebalanceSampler,
BalancedBatchSampler, HardExampleSampler and RebalancedLoader; memoryview,
array.array and np.matrix labels / weights in as_classifier_target,
ResampledClassifier.fit/score, ThresholdMover.fit/score, fit_resample,
cross_val_score params and ``_metadata._length``; ThresholdMover('tuned') with
int cv 2..40 and StratifiedKFold / KFold splitters around the smallest class.

Found: no difference between the two trees (same results, same error texts,
same warning locations). One bug older than the diff, in the code it touched:
``_metadata._length`` tests ``np.isscalar`` before ``BUFFERS``, and numpy
counts a memoryview as a scalar, so a memoryview ``sample_weight`` is not
seen as per-row and ThresholdMover('tuned') hands the whole of it to every
fold's fit (scikit-learn's "sample_weight.shape == (40,), expected (26,)!").
The pins below keep the behaviour the mend was meant to preserve.
"""

from __future__ import annotations

import array
import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from rebalance import _metadata
from rebalance._labels import as_classifier_target
from rebalance.compose import ResampledClassifier
from rebalance.samplers import RandomUnderSampler
from rebalance.threshold import ThresholdMover

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

rng = np.random.RandomState(0)
X = rng.rand(40, 3)
y = np.array([0] * 30 + [1] * 10)
W = np.linspace(1.0, 2.0, 40)


def _where(fn, category):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    hits = [w for w in caught if issubclass(w.category, category)]
    assert hits, [str(w.message) for w in caught]
    return {(os.path.basename(w.filename), w.lineno) for w in hits}


def test_tuned_memoryview_weights_split_with_folds():
    expected = ThresholdMover(LogisticRegression(), "tuned", cv=3).fit(
        X, y, sample_weight=W
    )
    got = ThresholdMover(LogisticRegression(), "tuned", cv=3).fit(
        X, y, sample_weight=memoryview(W.copy())
    )
    assert got.threshold_ == pytest.approx(expected.threshold_)


def test_buffer_lengths_pin():
    assert _metadata._length(array.array("d", W)) == 40
    assert _metadata._length(np.matrix(W)) == 1  # a row: refused later


def test_tuned_array_array_weights_pin():
    expected = ThresholdMover(LogisticRegression(), "tuned", cv=3).fit(
        X, y, sample_weight=W
    )
    got = ThresholdMover(LogisticRegression(), "tuned", cv=3).fit(
        X, y, sample_weight=array.array("d", W)
    )
    assert got.threshold_ == pytest.approx(expected.threshold_)


@pytest.mark.parametrize("kind", [memoryview, lambda w: array.array("d", w)])
def test_resampled_classifier_buffer_weights_pin(kind):
    def make():
        return ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        )

    expected = make().fit(X, y, sample_weight=W).classifier_.coef_
    got = make().fit(X, y, sample_weight=kind(W.copy())).classifier_.coef_
    np.testing.assert_allclose(got, expected)
    score = make().fit(X, y).score(X, y, sample_weight=kind(W.copy()))
    assert score == pytest.approx(make().fit(X, y).score(X, y, sample_weight=W))


def test_as_classifier_target_buffers_pin():
    for value in (np.matrix(y).T, memoryview(y.copy()), array.array("l", y)):
        assert isinstance(as_classifier_target(value), np.ndarray)
        np.testing.assert_array_equal(np.ravel(as_classifier_target(value)), y)


def test_column_vector_warning_points_at_caller_pin():
    ycol = y.reshape(-1, 1)
    here = os.path.basename(__file__)
    for make in (
        lambda: ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        ),
        lambda: ThresholdMover(LogisticRegression()),
    ):
        where = _where(lambda make=make: make().fit(X, ycol), DataConversionWarning)
        assert {name for name, _ in where} == {here}


def test_torch_warnings_point_at_loop_pin():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance.torch import HardExampleSampler, RebalanceSampler

    ds = TensorDataset(torch.arange(40))
    here = os.path.basename(__file__)

    def pool_lost():
        sampler = HardExampleSampler(RebalanceSampler(y))
        sampler.set_epoch(2)
        for _ in DataLoader(ds, sampler=sampler, batch_size=8):
            pass

    def no_batches():
        sampler = RebalanceSampler(y, num_replicas=2, rank=0)
        for _ in DataLoader(ds, sampler=sampler, batch_size=64, drop_last=True):
            pass

    for fn in (pool_lost, no_batches):
        assert {name for name, _ in _where(fn, UserWarning)} == {here}


def test_class_label_minus_one_pin():
    datasets = pytest.importorskip("datasets")
    from rebalance.torch import RebalanceSampler
    from rebalance.weights import class_weights

    features = datasets.Features({"label": datasets.ClassLabel(names=["a", "b"])})
    ok = datasets.Dataset.from_dict({"label": [0] * 8 + [1] * 4}, features=features)
    bad = datasets.Dataset.from_dict(
        {"label": [0] * 7 + [-1] + [1] * 4}, features=features
    )
    assert class_weights(ok["label"]) == {0: 0.75, 1: 1.5}
    assert sorted(RebalanceSampler(ok.with_format("numpy")["label"]))[:3] == [0, 1, 2]
    text = (
        "holds -1, datasets' mark of a missing label, in 1 row(s), the first "
        "at position 7"
    )
    with pytest.raises(ValueError, match=r"^y: the column \"label\"") as exc:
        class_weights(bad["label"])
    assert text in str(exc.value)
    with pytest.raises(ValueError, match=r"^labels: the column \"label\"") as exc:
        RebalanceSampler(bad.with_format("torch")["label"])
    assert text in str(exc.value)


@pytest.mark.parametrize(
    ("cv", "start"),
    [
        (
            30,
            "cv=30 asks for more stratified folds than the smallest class has rows (4)",
        ),
        (31, "cv=31 asks for more folds than y has rows (30): pass cv=4 or fewer"),
        (
            KFold(31),
            "cv=KFold(n_splits=31, random_state=None, shuffle=False) asks for "
            "more folds than y has rows (30): pass cv=4",
        ),
    ],
)
def test_too_many_folds_texts_pin(cv, start):
    y4 = np.array([0] * 20 + [1] * 4 + [2] * 6)
    X4 = np.random.RandomState(1).rand(30, 2)
    with pytest.raises(ValueError) as exc:
        ThresholdMover(LogisticRegression(), "tuned", cv=cv).fit(X4, y4)
    assert str(exc.value).startswith(start)
