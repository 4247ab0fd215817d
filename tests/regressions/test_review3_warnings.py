"""Review 3 (warnings hygiene, predict-time paths): global state that rebalance
changes behind the user's back, and warnings it causes in libraries it calls.

Each test reproduces one bug and fails on the current code; see
/tmp/review2/warnings.md for the report.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.svm import SVC, LinearSVC

from rebalance import RandomUnderSampler, ResampledClassifier


def _binary(n_major=30, n_minor=10, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_major + n_minor, n_features))
    y = np.array([0] * n_major + [1] * n_minor)
    X[y == 1] += 1.0
    return X, y


# --------------------------------------------------------------- bug 1


def test_cli_main_leaves_numpy_error_state_as_it_was():
    # rebalance.cli.main calls np.seterr(all="ignore") and never restores it:
    # after one in-process call (a notebook, a script driving the CLI, the
    # test suite's own test_cli.py) every later numpy divide-by-zero,
    # overflow and invalid-value RuntimeWarning of the whole process is
    # silenced, so `-W error` / filterwarnings=error stops catching them.
    from rebalance.cli import main

    # A known state first: an earlier test may have called main already.
    original = np.seterr(all="warn")
    before = np.geterr()
    try:
        assert main(["compare", "--list-methods"]) == 0
        after = np.geterr()
    finally:
        np.seterr(**original)
    assert after == before


# --------------------------------------------------------------- bug 2


def test_comparison_plot_keeps_the_users_matplotlib_backend(tmp_path):
    # ComparisonResult.plot / report call matplotlib.use("Agg"): the
    # process-wide backend of the user's session is switched (in Jupyter the
    # inline backend is replaced, and later figures are no longer shown).
    matplotlib = pytest.importorskip("matplotlib")
    from rebalance.compare import compare

    X, y = _binary()
    result = compare(X, y, folds=2, method_names=["none", "under"], progress=False)
    original = matplotlib.get_backend()
    try:
        matplotlib.use("svg")  # a user's non-Agg backend (headless-safe)
        result.plot(str(tmp_path / "curves.png"))
        result.report(str(tmp_path / "report.html"))
        backend = matplotlib.get_backend()
    finally:
        matplotlib.use(original)
    assert (tmp_path / "curves.png").exists()
    assert backend == "svg"


# --------------------------------------------------------------- bug 3


def test_compare_mlp_gives_torch_writable_arrays(monkeypatch):
    # compare(model="mlp") trains TorchMLPClassifier, which calls
    # torch.from_numpy on validate_data's output. validate_data does not copy
    # a float32 array that is already float32; under pandas 3 (copy on write)
    # np.asarray(DataFrame) is a read-only view, so torch warns "The given
    # NumPy array is not writable ..." (UserWarning; an error under -W error,
    # which compare's per-method error handling does not catch). Reached with
    # float32 features and sklearn.set_config(transform_output="pandas").
    # torch warns once per process, so the arrays are checked directly.
    torch = pytest.importorskip("torch")
    from rebalance.compare import compare

    read_only = []
    real_from_numpy = torch.from_numpy

    def recording_from_numpy(array):
        if isinstance(array, np.ndarray) and not array.flags.writeable:
            read_only.append(array.shape)
        return real_from_numpy(array)

    monkeypatch.setattr(torch, "from_numpy", recording_from_numpy)
    X, y = _binary()
    frame = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c"])
    with sklearn.config_context(transform_output="pandas"), warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        compare(frame, y, model="mlp", folds=2, method_names=["bce"], progress=False)
    assert read_only == []


# --------------------------------------------------------------- bug 4


def test_default_svc_class_weight_counts_in_resampled_priors():
    # scikit-learn 1.9 deprecated SVC(probability=...): its default is now the
    # string "deprecated", meaning no probabilities. rebalance's
    # _probability_svc tests bool(model.probability), which is True for that
    # string, so a default SVC is taken for a Platt-scaled probability SVC and
    # its class_weight is ignored: resampled_priors_ are the raw resampled
    # priors (2/3, 1/3) instead of the class-weighted (1/2, 1/2) that the
    # identical SVC(probability=False) and LinearSVC get.
    X, y = _binary(n_major=45, n_minor=15)
    sampler = RandomUnderSampler(sampling_strategy=0.5, random_state=0)
    default = ResampledClassifier(sampler, SVC(class_weight="balanced")).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability= in 1.9
        explicit = ResampledClassifier(
            sampler, SVC(class_weight="balanced", probability=False)
        ).fit(X, y)
    linear = ResampledClassifier(sampler, LinearSVC(class_weight="balanced")).fit(X, y)
    np.testing.assert_allclose(explicit.resampled_priors_, [0.5, 0.5])
    np.testing.assert_allclose(linear.resampled_priors_, [0.5, 0.5])
    np.testing.assert_allclose(default.resampled_priors_, explicit.resampled_priors_)
