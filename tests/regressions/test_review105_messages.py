"""Review 105, area "messages": bad input gets a ValueError/TypeError that
names the argument (and the fix) before any work is done.

A sweep of the public API (rebalance, rebalance.torch, the CLI) with the
wrong inputs users typically pass. Most are refused well: the pins below keep
them so; the xfail tests are the few that are not.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import rebalance
from rebalance import (
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = np.r_[np.zeros(45, int), np.ones(15, int)]
GOOD_ERRORS = (ValueError, TypeError)


class _Counting(LogisticRegression):
    """A LogisticRegression that counts its fits (no fit must happen before
    a refusal)."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


def _refused(call, *words):
    """``call()`` raises ValueError/TypeError whose message has every word."""
    with pytest.raises(GOOD_ERRORS) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    return message


# ---------------------------------------------------------------- samplers


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: RandomUnderSampler(sampling_strategy="majorty"), "sampling_strategy"),
        (
            lambda: RandomUnderSampler(sampling_strategy=float("nan")),
            "sampling_strategy",
        ),
        (lambda: RandomUnderSampler(sampling_strategy=[0.5]), "sampling_strategy"),
        (lambda: RandomUnderSampler(replacement="yes"), "replacement"),
        (lambda: RandomUnderSampler(random_state=1.5), "random_state"),
        (lambda: RandomOverSampler(shrinkage=-1), "shrinkage"),
        (lambda: RandomOverSampler(shrinkage=float("nan")), "shrinkage"),
        (lambda: ClassBalancedSampler(n_samples=10.5), "n_samples"),
        (lambda: ClassBalancedSampler(n_samples=True), "n_samples"),
        (lambda: ClassBalancedSampler(n_samples=0), "n_samples"),
        (lambda: ClassBalancedSampler(power=float("nan")), "power"),
    ],
)
def test_sampler_parameters_refused_naming_them(make, word):
    _refused(lambda: make().fit_resample(X, Y), word)


@pytest.mark.parametrize(
    ("strategy", "words"),
    [
        ({7: 3}, ("sampling_strategy", "class 7", "[0, 1]")),
        ({0: 10.5}, ("sampling_strategy[0]", "int")),
        ({0: True}, ("sampling_strategy[0]", "int")),
        ({0: "10"}, ("sampling_strategy[0]", "int")),
        ({0: -1}, ("sampling_strategy[0]", ">= 0")),
        ({0: 100}, ("sampling_strategy", "at most 45")),
    ],
)
def test_sampling_strategy_dict_refused_with_fix(strategy, words):
    sampler = RandomUnderSampler(sampling_strategy=strategy)
    _refused(lambda: sampler.fit_resample(X, Y), *words)


def test_sampling_strategy_dict_numpy_int_count_accepted():
    sampler = RandomUnderSampler(sampling_strategy={0: np.int64(10)})
    _, y_res = sampler.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [10, 15]


@pytest.mark.parametrize(
    ("X_in", "y_in", "words"),
    [
        (X, Y[:-1], ("60 rows", "59 labels")),
        (X, None, ("y",)),
        (X, (v for v in Y), ("generator", "list(y)")),
        (X, np.c_[Y, Y], ("shape (60, 2)",)),
        (X, np.zeros(60), ("one class",)),
        (None, Y, ("X is None",)),
        (X[:, 0], Y, ("reshape",)),
        (X[:0], Y[:0], ("empty",)),
        (X, np.r_[Y[:-1].astype(float), np.nan], ("missing labels", "position 59")),
    ],
)
def test_fit_resample_bad_data_refused(X_in, y_in, words):
    _refused(lambda: RandomUnderSampler().fit_resample(X_in, y_in), *words)


@pytest.mark.parametrize(
    ("weight", "words"),
    [
        (np.ones(5), ("sample_weight", "(5,)", "60 rows")),
        (np.ones((60, 2)), ("sample_weight", "(60, 2)")),
        (np.r_[np.ones(59), np.nan], ("sample_weight", "finite")),
        (-np.ones(60), ("sample_weight", "negative")),
        ("balanced", ("sample_weight", "str")),
    ],
)
def test_fit_resample_bad_sample_weight_refused(weight, words):
    sampler = RandomUnderSampler()
    _refused(lambda: sampler.fit_resample(X, Y, sample_weight=weight), *words)


@pytest.mark.parametrize(
    "shrinkage", [{0: -1.0, 1: 1.0}, {0: "a", 1: 1.0}, {1: float("nan")}]
)
def test_shrinkage_dict_values_refused(shrinkage):
    sampler = RandomOverSampler(shrinkage=shrinkage)
    _refused(lambda: sampler.fit_resample(X, Y), "shrinkage[")


def test_sampling_strategy_callable_returning_junk_refused():
    sampler = RandomUnderSampler(sampling_strategy=lambda y: "x")
    _refused(lambda: sampler.fit_resample(X, Y), "sampling_strategy", "dict")


# ----------------------------------------------------------------- weights


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: class_weights(Y, "balanced_"), ("method='balanced_'", "balanced")),
        (lambda: class_weights(Y, "Balanced"), ("method=",)),
        (lambda: class_weights(Y, None), ("method=None",)),
        (lambda: sample_weights(Y, "inverse"), ("method='inverse'",)),
        (lambda: class_weights(Y, "effective_number", beta=1.0), ("beta=1.0", "0.999")),
        (
            lambda: class_weights(Y, "effective_number", beta=float("nan")),
            ("beta=nan",),
        ),
        (lambda: class_weights(Y, "effective_number", beta="0.9"), ("beta='0.9'",)),
        (lambda: class_weights(Y, "effective_number", beta=[0.9]), ("beta=[0.9]",)),
        (lambda: class_weights(None), ("y is None",)),
        (lambda: class_weights(3), ("single label",)),
        (lambda: class_weights(v for v in Y), ("generator",)),
        (lambda: class_weights([]), ("empty",)),
    ],
)
def test_weights_bad_input_refused(call, words):
    _refused(call, *words)


# ------------------------------------------------------- ResampledClassifier


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: ResampledClassifier(None, LogisticRegression()), "sampler"),
        (
            lambda: ResampledClassifier(LogisticRegression(), LogisticRegression()),
            "sampler",
        ),
        (lambda: ResampledClassifier(RandomUnderSampler(), None), "classifier"),
        (
            lambda: ResampledClassifier(RandomUnderSampler(), RandomUnderSampler()),
            "classifier",
        ),
        (
            lambda: ResampledClassifier(RandomUnderSampler(), LogisticRegression),
            "instance",
        ),
    ],
)
def test_resampled_classifier_bad_parts_refused(make, word):
    _refused(lambda: make().fit(X, Y), word)


def test_resampled_classifier_refuses_before_fitting():
    _Counting.fits = 0
    model = ResampledClassifier(
        RandomUnderSampler(sampling_strategy={7: 3}), _Counting()
    )
    _refused(lambda: model.fit(X, Y), "class 7")
    _refused(
        lambda: ResampledClassifier(RandomUnderSampler(), _Counting()).fit(
            X, Y, sample_weight=np.ones(5)
        ),
        "sample_weight",
    )
    assert _Counting.fits == 0


# ----------------------------------------------------------- ThresholdMover


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"strategy": "tunned"}, ("strategy",)),
        ({"strategy": None}, ("strategy",)),
        ({"threshold": float("nan")}, ("threshold",)),
        ({"threshold": "0.5"}, ("threshold",)),
        ({"strategy": "fixed", "threshold": 1.5}, ("threshold=1.5", "[0, 1]")),
        ({"strategy": "prior", "threshold": 0.3}, ("threshold is only used",)),
        ({"strategy": "tuned", "thresholds": 1}, ("thresholds",)),
        ({"strategy": "tuned", "thresholds": 10.5}, ("thresholds",)),
        ({"strategy": "tuned", "thresholds": True}, ("thresholds",)),
        ({"strategy": "tuned", "thresholds": [0.1, np.nan]}, ("thresholds", "finite")),
        ({"strategy": "tuned", "thresholds": []}, ("thresholds",)),
        ({"strategy": "tuned", "thresholds": [0.2, 1.5]}, ("thresholds", "[0, 1]")),
        ({"strategy": "tuned", "cv": 1}, ("cv",)),
        ({"strategy": "tuned", "cv": 2.5}, ("cv",)),
        ({"strategy": "tuned", "scoring": "balanced_acc"}, ("scoring",)),
        ({"strategy": "tuned", "pos_label": 5}, ("pos_label", "[0, 1]")),
        ({"strategy": "tuned", "pos_label": "1"}, ("pos_label",)),
        ({"pos_label": 1}, ("pos_label is only used",)),
        ({"strategy": "cost"}, ("cost_matrix",)),
        (
            {"strategy": "cost", "cost_matrix": np.ones((3, 3))},
            ("cost_matrix", "(2, 2)"),
        ),
        ({"strategy": "cost", "cost_matrix": [[0, np.nan], [1, 0]]}, ("cost_matrix",)),
        ({"cost_matrix": [[0, 1], [5, 0]]}, ("cost_matrix is only used",)),
        ({"train_priors": "autoo"}, ("train_priors",)),
        ({"train_priors": [0.2, 0.3, 0.5]}, ("train_priors", "2 classes")),
        ({"deploy_priors": [0.2, 0.2]}, ("deploy_priors", "sum")),
        ({"deploy_priors": {0: 0.5, 7: 0.5}}, ("deploy_priors", "[7]")),
        ({"deploy_priors": "uniform"}, ("deploy_priors",)),
        ({"response_method": "predict_prob"}, ("response_method",)),
        ({"prefit": "yes"}, ("prefit",)),
    ],
)
def test_threshold_mover_bad_parameters_refused_before_fitting(params, words):
    _Counting.fits = 0
    _refused(lambda: ThresholdMover(_Counting(), **params).fit(X, Y), *words)
    assert _Counting.fits == 0


def test_threshold_mover_bad_estimator_and_data_refused():
    from sklearn.linear_model import LinearRegression

    _refused(lambda: ThresholdMover(None).fit(X, Y), "estimator")
    _refused(lambda: ThresholdMover(LinearRegression()).fit(X, Y), "estimator")
    _refused(lambda: ThresholdMover(LogisticRegression()).fit(X, Y[:-1]), "59 labels")
    _refused(
        lambda: ThresholdMover(LogisticRegression(), "fixed", threshold=0.3).fit(
            X, np.r_[Y[:50], [2] * 10]
        ),
        "strategy='fixed'",
        "3 classes",
    )
    _refused(
        lambda: ThresholdMover(LogisticRegression()).fit(
            X, Y, sample_weight=np.ones(5)
        ),
        "sample_weight",
    )


def test_threshold_mover_unfitted_and_prefit_unfitted_name_the_fix():
    from sklearn.exceptions import NotFittedError

    with (
        pytest.warns(FutureWarning, match="prefit"),
        pytest.raises(NotFittedError, match="prefit=False"),
    ):
        ThresholdMover(LogisticRegression(), prefit=True).fit(X, Y)
    with pytest.raises(NotFittedError, match="fit"):
        ThresholdMover(LogisticRegression()).predict(X)


# ------------------------------------------------------------------- torch


@pytest.fixture(scope="module")
def rt():
    pytest.importorskip("torch")
    import rebalance.torch as module

    return module


LAB = np.r_[np.zeros(30, int), np.ones(10, int)]


def test_torch_samplers_bad_arguments_refused(rt):
    cases = [
        (lambda: rt.RebalanceSampler(None), ("labels",)),
        (lambda: rt.RebalanceSampler(np.c_[LAB, LAB]), ("labels", "one-hot")),
        (lambda: rt.RebalanceSampler(LAB, seed=1.5), ("seed",)),
        (lambda: rt.RebalanceSampler(LAB, seed=None), ("seed",)),
        (lambda: rt.RebalanceSampler(LAB, RandomUnderSampler), ("sampler",)),
        (lambda: rt.RebalanceSampler(LAB, "under"), ("sampler",)),
        (lambda: rt.RebalanceSampler(LAB, num_replicas=2, rank=2), ("rank=2",)),
        (lambda: rt.RebalanceSampler(LAB, drop_last="no"), ("drop_last",)),
        (lambda: rt.RebalanceSampler(v for v in LAB), ("generator", "list(labels)")),
        (lambda: rt.RebalanceSampler(LAB).set_epoch(1.5), ("epoch",)),
        (lambda: rt.BalancedBatchSampler(LAB, 4.5), ("batch_size",)),
        (lambda: rt.BalancedBatchSampler(LAB, True), ("batch_size",)),
        (lambda: rt.BalancedBatchSampler(LAB, 0), ("batch_size",)),
        (lambda: rt.BalancedBatchSampler(LAB, 5), ("batch_size=5", "multiple of 2")),
        (lambda: rt.BalancedBatchSampler(LAB, 6, classes_per_batch=3), ("at most 2",)),
        (
            lambda: rt.BalancedBatchSampler(LAB, 6, class_counts=[2, 2]),
            ("class_counts",),
        ),
        (
            lambda: rt.BalancedBatchSampler(LAB, 6, class_counts={0: 3, 5: 3}),
            ("class 5",),
        ),
        (lambda: rt.HardExampleSampler(LAB), ("RebalanceSampler(labels)",)),
        (
            lambda: rt.HardExampleSampler(rt.RebalanceSampler(LAB), pool_size=0),
            ("pool_size",),
        ),
        (
            lambda: rt.HardExampleSampler(
                rt.RebalanceSampler(LAB), replay_ratio=float("nan")
            ),
            ("replay_ratio",),
        ),
        (lambda: rt.IndexBatchSampler(rt.RebalanceSampler(LAB), 2.5), ("batch_size",)),
        (
            lambda: rt.IndexBatchSampler(
                rt.RebalanceSampler(LAB), 4, index_type="tensr"
            ),
            ("index_type",),
        ),
        (lambda: rt.IndexBatchSampler(rt.RebalanceSampler(LAB)), ("batch_size",)),
        (
            lambda: rt.RebalancedLoader(sampler_class=RandomUnderSampler),
            ("sampler_class",),
        ),
        (lambda: rt.RebalancedLoader(seeed=3), ("seeed",)),
        (lambda: rt.RebalancedLoader(labels_from="label"), ("labels_from",)),
    ]
    for call, words in cases:
        _refused(call, *words)


def test_torch_loaders_and_hard_example_update_refused(rt):
    import torch

    sampler = rt.RebalanceSampler(LAB)
    _refused(
        lambda: rt.TensorBatchLoader(
            torch.zeros(40, 2), torch.zeros(39), sampler=sampler, batch_size=4
        ),
        "tensors[1]",
    )
    _refused(lambda: rt.TensorBatchLoader(sampler=sampler, batch_size=4), "tensor")
    _refused(
        lambda: rt.TensorBatchLoader(np.zeros((40, 2)), sampler=sampler, batch_size=4),
        "torch.as_tensor",
    )
    _refused(lambda: rt.TensorBatchLoader(torch.zeros(40, 2), sampler=None), "sampler")
    hard = rt.HardExampleSampler(rt.RebalanceSampler(LAB))
    _refused(lambda: hard.update(torch.arange(3), torch.rand(2)), "losses")
    _refused(lambda: hard.update(torch.tensor([100]), torch.rand(1)), "[0, 39]")
    _refused(lambda: hard.update(torch.tensor([1.5]), torch.rand(1)), "integer")
    _refused(
        lambda: hard.update(torch.tensor([1]), torch.tensor([float("nan")])), "finite"
    )


def test_rebalanced_loader_call_arguments_refused(rt):
    import torch
    from torch.utils.data import TensorDataset

    dataset = TensorDataset(torch.randn(40, 2), torch.tensor(LAB))
    _refused(
        lambda: rt.RebalancedLoader(labels_from=lambda d: LAB)(
            dataset, batch_size=4, sampler=range(40)
        ),
        "sampler=",
    )
    _refused(
        lambda: rt.RebalancedLoader(labels_from=lambda d: LAB[:-1])(
            dataset, batch_size=4
        ),
        "39 labels",
    )
    _refused(
        lambda: rt.RebalancedLoader(labels_from=lambda d: None)(dataset, batch_size=4),
        "labels_from returned",
    )
    _refused(
        lambda: rt.RebalancedLoader(rt.BalancedBatchSampler, labels_from=lambda d: LAB)(
            dataset
        ),
        "batch_size",
    )
    _refused(
        lambda: rt.RebalancedLoader()(
            [(torch.zeros(2), int(v)) for v in LAB], batch_size=4
        ),
        "labels_from=",
    )
    # documented: shuffle is dropped, the sampler orders each epoch
    loader = rt.RebalancedLoader()(dataset, batch_size=4, shuffle=True)
    assert sum(len(batch[1]) for batch in loader) == 60


def test_rebalanced_loader_none_dataset_names_the_argument(rt):
    with pytest.raises(TypeError, match="dataset"):
        rt.RebalancedLoader()(None, batch_size=4)


def test_torch_losses_bad_arguments_refused(rt):
    import torch

    logits = torch.randn(8, 3)
    target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    cases = [
        (lambda: rt.sigmoid_focal_loss(logits, torch.rand(8, 3), gamma=-1), ("gamma",)),
        (
            lambda: rt.sigmoid_focal_loss(logits, torch.rand(8, 3), alpha=2.0),
            ("alpha",),
        ),
        (
            lambda: rt.sigmoid_focal_loss(logits, torch.rand(8, 3), reduction="avg"),
            ("reduction",),
        ),
        (
            lambda: rt.sigmoid_focal_loss(logits, torch.rand(8, 2)),
            ("one label (0 to 1) per logit",),
        ),
        (lambda: rt.softmax_focal_loss(logits, target.float()), ("target.long()",)),
        (lambda: rt.softmax_focal_loss(logits, target.clamp(max=1) + 2), ("[0, 2]",)),
        (lambda: rt.softmax_focal_loss(logits, target, alpha=[0.1, 0.2]), ("alpha",)),
        (lambda: rt.softmax_focal_loss(logits, target[:5]), ("target",)),
        (lambda: rt.softmax_focal_loss(logits.long(), target), ("logits.float()",)),
        (lambda: rt.softmax_focal_loss(logits.numpy(), target), ("logits",)),
        (lambda: rt.softmax_focal_loss(logits, target, rescale="yes"), ("rescale",)),
        (
            lambda: rt.class_weighted_cross_entropy(logits, target, [1.0, 2.0]),
            ("class_weight",),
        ),
        (
            lambda: rt.class_weighted_cross_entropy(logits, target, [1, -2, 1]),
            ("class_weight",),
        ),
        (
            lambda: rt.class_weighted_cross_entropy(logits, target, {0: 1, 2: 1}),
            ("class 1",),
        ),
        (
            lambda: rt.balanced_softmax_cross_entropy(logits, target, [10, 0, 5]),
            ("+ 1",),
        ),
        (
            lambda: rt.logit_adjusted_cross_entropy(
                logits, target, [0.3] * 3, tau=float("nan")
            ),
            ("tau",),
        ),
        (lambda: rt.adjust_logits(logits, [0.5, 0.5]), ("priors",)),
        (lambda: rt.margin_cross_entropy(logits, target, margin=-1.0), ("margin",)),
        (
            lambda: rt.class_scaled_cross_entropy(
                logits, target, class_index=5, scale=2.0
            ),
            ("class_index",),
        ),
        (lambda: rt.weighted_softmax_loss(logits, target, -2.0, 1), ("pos_mult",)),
        (lambda: rt.weighted_softmax_loss(logits, target, 2.0, 7), ("pos_cid",)),
        (lambda: rt.ohem_loss(torch.rand(8), top_k=1.5), ("top_k",)),
        (lambda: rt.ohem_loss(torch.rand(8), top_k=True), ("top_k",)),
        (
            lambda: rt.ohem_loss(torch.rand(8), top_k=2, threshold=0.5),
            ("top_k", "threshold"),
        ),
        (
            lambda: rt.ohem_loss(torch.rand(8), threshold=0.5, min_kept=1.5),
            ("min_kept",),
        ),
        (
            lambda: rt.ohem_loss(
                torch.rand(8), top_k=2, valid=torch.ones(5, dtype=torch.bool)
            ),
            ("valid",),
        ),
        (lambda: rt.OHEMLoss("ce", top_k=2), ("criterion",)),
        (lambda: rt.SigmoidFocalLoss(gamma="2"), ("gamma",)),
        (lambda: rt.ClassWeightedCrossEntropyLoss(None), ("class_weight",)),
        (
            lambda: rt.ClassWeightedCrossEntropyLoss([1.0] * 3, ignore_index=1.5),
            ("ignore_index",),
        ),
    ]
    for call, words in cases:
        _refused(call, *words)


@pytest.mark.parametrize("which", ["class_index", "pos_cid"])
def test_class_index_type_error_suggests_a_valid_index(rt, which):
    if which == "class_index":
        make = lambda: rt.ClassScaledCrossEntropyLoss(class_index=1.0, scale=2.0)  # noqa: E731
    else:
        make = lambda: rt.WeightedSoftmaxLoss(2.0, 1.0)  # noqa: E731
    message = _refused(make, which)
    # -100 is ignore_index's sentinel; as a class index it is refused (a
    # ValueError "must be a class index in [0, C - 1]")
    assert f"{which}=-100" not in message


# --------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["compare", "--folds", "1"], ("--folds",)),
        (["compare", "--folds", "2.5"], ("--folds",)),
        (["compare", "--repeats", "0"], ("--repeats",)),
        (["compare", "--n-jobs", "0"], ("--n-jobs",)),
        (["compare", "--seed", "-1"], ("--seed",)),
        (["compare", "--metric", "auc"], ("--metric",)),
        (["compare", "--model", "xgb"], ("--model",)),
        (["compare", "--dataset", "iris"], ("--dataset",)),
        (["compare", "--methods", "undr", "--dataset", "breast-cancer"], ("undr",)),
        (["compare", "--methods", "", "--dataset", "breast-cancer"], ("--methods",)),
        (["compare", "--target", "label"], ("--target needs --data",)),
        (["compare", "--plot", "x.bmp", "--dataset", "breast-cancer"], (".bmp",)),
        (["compare", "--report", "x.txt", "--dataset", "breast-cancer"], (".txt",)),
        (["compare", "--unknown-flag"], ("--unknown-flag",)),
        (["bogus"], ("bogus",)),
        ([], ("command",)),
    ],
)
def test_cli_usage_errors_exit_2_without_traceback(argv, words, capsys):
    from rebalance.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err + str(info.value.code)
    assert info.value.code == 2, info.value.code
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_cli_data_errors_exit_1_naming_the_option(tmp_path, capsys):
    from rebalance.cli import main

    csv = tmp_path / "small.csv"
    csv.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,x\n1,1,y\n2,2,x\n")
    for argv, word in [
        (
            ["compare", "--data", str(tmp_path / "missing.csv"), "--target", "label"],
            "--data",
        ),
        (["compare", "--data", str(csv), "--target", "nope"], "--target 'nope'"),
        (
            ["compare", "--data", str(csv), "--target", "label", "--drop", "zzz"],
            "--drop",
        ),
    ]:
        with pytest.raises(SystemExit) as info:
            main(argv)
        # _fail: SystemExit(message) is exit status 1, the message on stderr
        assert isinstance(info.value.code, str), info.value.code
        assert word in info.value.code
    assert rebalance.__version__
