"""Review 93 (newuser4): a new user's natural mistakes.

Samplers, the torch samplers, class weights, the focal losses and the
``rebalance compare`` command were tried with the mistakes a scikit-learn /
imbalanced-learn / PyTorch user makes first. No bug was found; these pins keep
the answers that were checked (correct results, or errors naming the fix).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    class_weights,
)
from rebalance.cli import main

torch = pytest.importorskip("torch")
pl = pytest.importorskip("polars")

from torch.nn import functional as F  # noqa: E402

from rebalance.torch import (  # noqa: E402
    ClassWeightedCrossEntropyLoss,
    RebalanceSampler,
    SoftmaxFocalLoss,
    softmax_focal_loss,
)

Y = np.array([0] * 9 + [1] * 3)


@pytest.mark.parametrize(
    "labels",
    [
        list(Y),
        pd.Series(Y, index=range(100, 112)),
        pl.Series(Y),
        np.where(Y == 1, "b", "a"),
        torch.from_numpy(Y),
        torch.from_numpy(Y).reshape(-1, 1),
    ],
    ids=["list", "pandas", "polars", "strings", "tensor", "column"],
)
def test_rebalance_sampler_reads_every_label_container_alike(labels):
    ref = list(RebalanceSampler(Y, RandomUnderSampler(), seed=0))
    assert list(RebalanceSampler(labels, RandomUnderSampler(), seed=0)) == ref


def test_rebalance_sampler_with_float_labels_names_the_conversion():
    with pytest.raises(TypeError, match=r"astype\(int\)"):
        RebalanceSampler(Y.astype(float), RandomUnderSampler())


@pytest.mark.parametrize("strategy", ["minority ", "Majority", 2.0])
def test_misspelt_sampling_strategy_is_a_value_error(strategy):
    with pytest.raises(ValueError, match="sampling_strategy"):
        RandomUnderSampler(sampling_strategy=strategy).fit_resample(
            np.zeros((12, 1)), Y
        )


def test_over_sampling_ratio_below_current_names_the_minimum():
    with pytest.raises(ValueError, match="at least 0.33"):
        RandomOverSampler(sampling_strategy=0.1).fit_resample(np.zeros((12, 1)), Y)


def test_tensor_x_comes_back_as_aligned_numpy():
    X = np.arange(24.0).reshape(12, 2)
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(torch.from_numpy(X), torch.from_numpy(Y))
    assert isinstance(X_res, np.ndarray)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, Y[sampler.sample_indices_])


def test_predict_before_fit_is_not_fitted_error():
    model = ResampledClassifier(RandomUnderSampler(), LogisticRegression())
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((3, 2)))


def test_class_weights_of_unsorted_labels_match_torch_weight_order():
    y = np.array([2] * 9 + [0] * 3 + [1] * 5)
    weights = class_weights(y)
    assert list(weights) == [0, 1, 2]
    logits = torch.arange(6.0).reshape(2, 3)
    target = torch.tensor([0, 2])
    ref = F.cross_entropy(
        logits, target, weight=torch.tensor([weights[c] for c in (0, 1, 2)])
    )
    got = ClassWeightedCrossEntropyLoss(dict(reversed(weights.items())))(logits, target)
    torch.testing.assert_close(got, ref)
    assert LogisticRegression(class_weight=weights).fit(
        np.random.default_rng(0).normal(size=(17, 2)), y
    ).classes_.tolist() == [0, 1, 2]


def test_string_class_weights_refused_by_torch_losses():
    with pytest.raises(TypeError, match="class indices"):
        SoftmaxFocalLoss(alpha=class_weights(["b", "b", "a"]))


def test_focal_alpha_list_at_gamma_zero_is_weighted_cross_entropy():
    logits = torch.arange(12.0).reshape(3, 4) / 5
    target = torch.tensor([0, 3, 2])
    got = softmax_focal_loss(
        logits, target, alpha=[1.0, 2.0, 3.0, 4.0], gamma=0.0, reduction="sum"
    )
    ref = F.cross_entropy(
        logits, target, weight=torch.tensor([1.0, 2.0, 3.0, 4.0]), reduction="sum"
    )
    torch.testing.assert_close(got, ref)


@pytest.mark.parametrize(
    ("target", "error", "fix"),
    [
        (F.one_hot(torch.tensor([0, 1, 2])), ValueError, r"argmax\(1\)"),
        (torch.tensor([[0], [1], [2]]), ValueError, r"squeeze\(1\)"),
        (torch.tensor([0.0, 1.0, 2.0]), TypeError, r"long\(\)"),
        (torch.tensor([0, 1, 3]), ValueError, r"\[0, 2\]"),
    ],
    ids=["one-hot-long", "column", "float-indices", "out-of-range"],
)
def test_focal_wrong_targets_name_the_fix(target, error, fix):
    with pytest.raises(error, match=fix):
        SoftmaxFocalLoss()(torch.zeros(3, 3), target)


def test_focal_reduction_typo():
    with pytest.raises(ValueError, match="reduction must be one of"):
        SoftmaxFocalLoss(reduction="avg")


def test_cli_wrong_case_target_suggests_the_column(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"a": range(12), "label": ["ok"] * 9 + ["fraud"] * 3}).to_csv(
        path, index=False
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--data", str(path), "--target", "Label"])
    assert "did you mean --target 'label'" in str(exit_info.value)
