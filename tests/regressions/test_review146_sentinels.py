"""Review 146, area ``sentinels``: missing-label and missing-value markers.

Reviewed: every public entry point that takes labels or weights (the
samplers' ``fit_resample``, ``ResampledClassifier.fit``, ``ThresholdMover``
``fit``/``score``, ``class_weights``/``sample_weights``, ``g_mean_score``
``y_true``/``y_pred``, ``rebalance.compare.compare``, the torch
``RebalanceSampler``/``BalancedBatchSampler``/``RebalancedLoader`` and
``HardExampleSampler.update``) against None, NaN (float and object), pd.NA,
pd.NaT, polars and pyarrow nulls, masked arrays, a Hugging Face ClassLabel -1,
empty/whitespace strings and torch's ignore_index -100; and sample_weight with
NaN, inf, negative, masked, pd.NA and all-zero values. A matrix (entry point x
marker) was built with a script.

Found (fixed by the lead; each test below failed before):
* ``ThresholdMover.score`` checks neither its labels nor its sample_weight:
  missing labels crash with numpy/sklearn errors (``'<' not supported``,
  ``boolean value of NA is ambiguous``, ``unhashable MaskedConstant``), a
  ClassLabel -1 is scored silently, negative and masked weights are used
  silently.
* ``compare`` counts a ClassLabel -1 as a class (silently with 2+ such rows);
  every other entry point refuses it.
* ``HardExampleSampler.update`` drops the mask of masked losses and masked
  indices (silently uses the value under the mask).
* The torch samplers count torch's ignore_index -100 as a class (the rarest,
  so the most oversampled) while rebalance's own losses ignore those rows by
  default (``ignore_index=-100``).

Works (pinned below): None/NaN/NA/NaT/polars/pyarrow null/masked/ClassLabel -1
refused with the same message naming the argument and row by the samplers,
``ResampledClassifier.fit``, ``ThresholdMover.fit``, the weights functions,
``g_mean_score`` (both arguments) and the torch samplers; bad sample_weight
refused by every entry point but ``ThresholdMover.score``. Empty and
whitespace labels are a class everywhere but ``compare`` (documented there:
it reads y as ``rebalance compare`` reads a file), see the changelog.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score

N = 12
X = np.arange(2.0 * N).reshape(N, 2)
Y = np.array([0, 1] * (N // 2))


def _labels(kind):
    if kind == "None":
        y = np.array(["a", "b"] * (N // 2), dtype=object)
        y[3] = None
        return y
    if kind == "pd.NA":
        return pd.array([0, 1, 0, None] + [0, 1] * 4, dtype="Int64")
    if kind == "masked":
        return np.ma.array(Y, mask=np.arange(N) == 3)
    if kind == "ClassLabel -1":
        datasets = pytest.importorskip("datasets")
        labels = Y.tolist()
        labels[3] = -1
        features = datasets.Features({"label": datasets.ClassLabel(names=["a", "b"])})
        return datasets.Dataset.from_dict({"label": labels}, features=features)["label"]
    raise KeyError(kind)


def _fitted_mover():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ThresholdMover(LogisticRegression()).fit(X, Y)


@pytest.mark.parametrize("kind", ["None", "pd.NA", "masked", "ClassLabel -1"])
@pytest.mark.parametrize(
    "entry",
    [
        lambda y: RandomUnderSampler(random_state=0).fit_resample(X, y),
        lambda y: ResampledClassifier(RandomOverSampler(), LogisticRegression()).fit(
            X, y
        ),
        lambda y: ThresholdMover(LogisticRegression()).fit(X, y),
        class_weights,
        sample_weights,
        lambda y: g_mean_score(y, Y),
        lambda y: g_mean_score(Y, y),
    ],
    ids=["fit_resample", "ResampledClassifier", "ThresholdMover.fit", "cw", "sw"]
    + ["y_true", "y_pred"],
)
def test_missing_label_refused_alike(entry, kind):
    with pytest.raises(ValueError, match=r"missing label.*position 3"):
        entry(_labels(kind))


@pytest.mark.parametrize("kind", ["None", "pd.NA", "masked", "ClassLabel -1"])
def test_threshold_mover_score_refuses_missing_labels(kind):
    mover = _fitted_mover()
    with pytest.raises(ValueError, match=r"missing label.*position 3"):
        mover.score(X, _labels(kind))


@pytest.mark.parametrize(
    "weight",
    [
        np.r_[-1.0, np.ones(N - 1)],
        np.ma.array(np.ones(N), mask=np.arange(N) == 3),
    ],
    ids=["negative", "masked"],
)
def test_threshold_mover_score_checks_sample_weight(weight):
    mover = _fitted_mover()
    with pytest.raises(ValueError, match="sample_weight"):
        mover.score(X, Y, sample_weight=weight)


def test_compare_refuses_class_label_minus_one():
    datasets = pytest.importorskip("datasets")
    from rebalance.compare import compare

    labels = Y.tolist()
    labels[3] = labels[5] = -1
    features = datasets.Features({"label": datasets.ClassLabel(names=["a", "b"])})
    y = datasets.Dataset.from_dict({"label": labels}, features=features)["label"]
    with pytest.raises(ValueError, match="missing label"):
        compare(
            pd.DataFrame(X, columns=["u", "v"]),
            y,
            method_names=["none"],
            folds=2,
            progress=False,
        )


@pytest.mark.parametrize("which", ["losses", "indices"])
def test_hard_example_update_refuses_masked(which):
    from rebalance.torch import HardExampleSampler, RebalanceSampler

    sampler = HardExampleSampler(RebalanceSampler(Y), pool_size=4)
    masked = np.ma.array([0.0, 1.0], mask=[True, False])
    ids, losses = ([0, 1], masked) if which == "losses" else (masked, [1.0, 2.0])
    with pytest.raises(ValueError, match=which):
        sampler.update(ids, losses)


def test_torch_sampler_refuses_ignore_index():
    torch = pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    labels = torch.tensor([0, 1, 0, -100] * 3)
    with pytest.raises(ValueError, match="-100"):
        RebalanceSampler(labels)


@pytest.mark.parametrize("kind", ["None", "masked"])
def test_resampled_classifier_score_refuses_missing_labels(kind):
    # Lead: the check of ThresholdMover.score is shared by
    # ResampledClassifier.score (it handed them to the classifier's score).
    from rebalance import RandomUnderSampler, ResampledClassifier

    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    model.fit(X, Y)
    with pytest.raises(ValueError, match=r"missing label.*position 3"):
        model.score(X, _labels(kind))
