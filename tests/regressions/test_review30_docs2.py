"""Review 30 (docs2): the public modules' namespaces hold their public names
only: ``dir()`` (what tab completion shows) lists ``__all__`` (and, for a
package, its public submodules loaded so far), not the helpers a module
imports for itself; ``from module import *`` gives exactly ``__all__``; the
lazy and deprecated ``rebalance.torch`` names still load."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
import warnings

import pytest

PLAIN_MODULES = ["rebalance.metrics", "rebalance.weights", "rebalance.datasets"]


def _public_dir(module: types.ModuleType) -> set[str]:
    # (pytest's assertion rewriting adds '@py_builtins' to a module it collects)
    return {n for n in dir(module) if not n.startswith("_") and n.isidentifier()}


def _loaded_submodules(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, types.ModuleType) and not name.startswith("_")
    }


def _star(module_name: str) -> set[str]:
    namespace: dict[str, object] = {}
    exec(f"from {module_name} import *", namespace)
    namespace.pop("__builtins__", None)
    return set(namespace)


@pytest.mark.parametrize("module_name", PLAIN_MODULES)
def test_plain_module_dir_is_its_all(module_name):
    module = importlib.import_module(module_name)
    assert _public_dir(module) == set(module.__all__)
    assert _star(module_name) == set(module.__all__)
    # the dunders stay visible to introspection tools
    assert {"__name__", "__doc__", "__all__"} <= set(dir(module))
    # the helpers still work where the module uses them
    assert all(hasattr(module, name) for name in module.__all__)


def test_rebalance_dir_has_no_helpers():
    import rebalance

    public = _public_dir(rebalance)
    assert public == set(rebalance.__all__) - {"__version__"} | _loaded_submodules(
        rebalance
    )
    for leaked in ("PackageNotFoundError", "version"):
        assert leaked not in public
        assert not hasattr(rebalance, leaked)
    assert isinstance(rebalance.__version__, str) and rebalance.__version__
    assert "__version__" in dir(rebalance)
    assert _star("rebalance") == set(rebalance.__all__)


def test_import_rebalance_imports_no_heavy_framework():
    code = (
        "import sys, rebalance, rebalance.metrics, rebalance.weights, "
        "rebalance.datasets; dir(rebalance); "
        "print(sorted(m for m in ('torch', 'numba', 'dask') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_torch_namespace_holds_its_public_names():
    pytest.importorskip("torch")
    import rebalance.torch as rt

    for leaked in ("Any", "TYPE_CHECKING", "annotations", "import_module"):
        assert leaked not in dir(rt)
        assert not hasattr(rt, leaked)
    assert _public_dir(rt) == set(rt.__all__) | _loaded_submodules(rt)
    assert _star("rebalance.torch") == set(rt.__all__)
    # lazy names load, and the deprecated ones still warn with their new name
    from rebalance.torch import BalancedSoftmaxCrossEntropyLoss, RebalanceSampler

    assert rt.RebalanceSampler is RebalanceSampler
    with pytest.warns(FutureWarning, match="BalancedSoftmaxCrossEntropyLoss"):
        loss = rt.BalancedSoftmaxLoss([3, 1])
    assert isinstance(loss, BalancedSoftmaxCrossEntropyLoss)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rt.nope  # noqa: B018


def test_torch_estimators_namespace_is_empty():
    pytest.importorskip("torch")
    import rebalance.torch.estimators as estimators

    assert _public_dir(estimators) == set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert estimators.TorchMLPClassifier is not None
