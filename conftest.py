"""Root pytest configuration: optional dependencies skip their tests.

``make test`` installs every extra, so everything runs there. On a machine
without torch, dask, the integration frameworks or nbmake, plain ``pytest``
skips the parts that need them instead of failing at collection.
"""

from __future__ import annotations

import importlib.util

# module needed -> paths (relative to this file) that cannot be collected without it
_NEEDS = {
    "torch": [
        "rebalance/torch",
        "tests/test_losses*.py",
        "tests/test_torch_samplers.py",
        "tests/test_integrations*.py",
        "tests/test_examples.py",
        "notebooks/02_torch_training.ipynb",
        "notebooks/03_long_tail.ipynb",
    ],
    "dask": ["tests/test_dask*.py"],
    "lightning": ["tests/test_integrations*.py"],
    "skorch": ["tests/test_integrations*.py"],
}


def _missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


collect_ignore_glob = sorted(
    {path for module, paths in _NEEDS.items() if _missing(module) for path in paths}
)


def pytest_configure(config):
    # Notebooks run through nbmake when it is installed (it is in the dev extra).
    if not _missing("nbmake"):
        config.option.nbmake = True
    config.addinivalue_line(
        "markers", "slow: takes more than a few seconds (deselect with -m 'not slow')"
    )
