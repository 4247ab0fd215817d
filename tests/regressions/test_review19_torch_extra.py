"""Review 19, torch extras: the MLP of ``rebalance compare --model mlp`` and
the deprecated names of ``rebalance.torch``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from rebalance.torch._compare_model import TorchMLPClassifier  # noqa: E402


def small_case(n_classes=2):
    rng = np.random.default_rng(0)
    y = rng.integers(0, n_classes, 60)
    X = rng.normal(size=(60, 3)) + y[:, None]
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("loss", ["bce", "logit-adjusted"])
def test_mlp_fits_under_a_float64_default_dtype(n_classes, loss):
    # torch.set_default_dtype(torch.float64) (common in scientific code) made
    # the layers float64 while the rows are float32: fit raised "mat1 and mat2
    # must have the same dtype". The network is float32 whatever the default.
    X, y = small_case(n_classes)
    kwargs = {"loss": loss, "epochs": 2, "hidden": 4, "random_state": 0}
    expected = TorchMLPClassifier(**kwargs).fit(X, y).predict_proba(X)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        got = TorchMLPClassifier(**kwargs).fit(X, y).predict_proba(X)
    finally:
        torch.set_default_dtype(previous)
    np.testing.assert_array_equal(got, expected)


def test_mlp_fits_on_the_cpu_under_another_default_device():
    # torch.set_default_device('cuda') put the DataLoader's seed draw (and the
    # layers) on that device, beside CPU generators and CPU rows: fit failed.
    # "meta" stands in for a GPU here: it fails the same way.
    X, y = small_case()
    kwargs = {"sampler": "balanced-batch", "epochs": 2, "hidden": 4, "random_state": 0}
    expected = TorchMLPClassifier(**kwargs).fit(X, y).predict_proba(X)
    torch.set_default_device("meta")
    try:
        model = TorchMLPClassifier(**kwargs).fit(X, y)
        got = model.predict_proba(X)
    finally:
        torch.set_default_device(None)
    assert all(p.device.type == "cpu" for p in model.network_.parameters())
    np.testing.assert_array_equal(got, expected)
    assert torch.get_default_device().type == "cpu"


def test_mlp_whose_training_diverges_raises_instead_of_predicting_nan():
    # As scikit-learn's MLPClassifier ("Solver produced non-finite parameter
    # weights"): NaN weights used to give NaN probabilities and class 0 for
    # every row, silently; a failed fit leaves the model unfitted.
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [40, 20])
    X = rng.normal(size=(60, 3)) * 1e15
    model = TorchMLPClassifier(learning_rate=1e30, epochs=2, random_state=0)
    with pytest.raises(ValueError, match=r"learning_rate=1e\+30.*scale the features"):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    # a sane learning rate on the same rows still fits, with finite outputs
    proba = model.set_params(learning_rate=3e-3).fit(X, y).predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_from_rebalance_torch_import_torch_mlp_classifier_warns_once():
    # rebalance.torch is a package: importlib's hasattr looked the deprecated
    # name up before the import statement did, so it warned twice.
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        from rebalance.torch import TorchMLPClassifier as old
    assert old is TorchMLPClassifier
    assert [w.category for w in rec] == [FutureWarning]
    assert "rebalance.torch.TorchMLPClassifier is deprecated" in str(rec[0].message)
    assert rec[0].filename == __file__
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        from rebalance.torch.estimators import TorchMLPClassifier as old_module
    assert old_module is TorchMLPClassifier
    assert [w.category for w in rec] == [FutureWarning]
    assert rec[0].filename == __file__


def test_deprecated_mlp_name_looked_up_as_an_attribute_still_warns():
    import rebalance.torch as rt

    with pytest.warns(FutureWarning, match="rebalance compare --model mlp") as rec:
        cls = rt.TorchMLPClassifier
    assert cls is TorchMLPClassifier
    assert len(rec) == 1 and rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rt.HardExampleSampler.__name__ == "HardExampleSampler"
