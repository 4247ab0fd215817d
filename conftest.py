"""Root pytest configuration: optional dependencies skip their tests.

``make test`` installs every extra, so everything runs there. On a machine
without torch, dask, the integration frameworks or nbmake, plain ``pytest``
skips the parts that need them instead of failing at collection.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture
def triton_interpreter():
    """``run(code, expected)``: run ``code`` in a fresh Python with Triton's
    CPU interpreter on (it must be set before triton is imported) and the
    repository importable; assert it exits 0 and prints ``expected``. Skips
    where Triton is not installed (the kernels only run on CUDA)."""
    if _missing("triton"):
        pytest.skip("triton is not installed; the Triton kernels only run on CUDA")

    def run(code: str, expected: str) -> None:
        env = dict(os.environ, TRITON_INTERPRET="1", REBALANCE_TRITON_ON_CPU="1")
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")]
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert expected in result.stdout

    return run
