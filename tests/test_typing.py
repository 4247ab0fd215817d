"""The package type-checks: ``mypy rebalance`` is clean with the
``[tool.mypy]`` configuration of pyproject.toml, so the ``py.typed`` marker
promises users' type checkers something true.

Needs mypy (in the ``dev`` extra); skipped without it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parent.parent


def test_package_ships_the_typed_marker():
    assert (ROOT / "rebalance" / "py.typed").is_file()


@pytest.mark.slow
def test_mypy_is_clean_on_the_package():
    command = [sys.executable, "-m", "mypy", "--no-error-summary", "rebalance"]
    try:
        proc = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - a hung mypy
        pytest.fail(f"mypy did not finish in 600 s: {exc.stdout}")
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert proc.returncode == 0 and not errors, "\n".join(errors[:50]) or proc.stderr
