"""The pre-commit hooks run the ruff that CI's lint runs."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]


def test_pre_commit_ruff_is_the_pinned_ruff():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["dev"]
    pins = [re.fullmatch(r"ruff==([\w.]+)", spec.split(";")[0].strip()) for spec in dev]
    pinned = [m.group(1) for m in pins if m]
    assert len(pinned) == 1, f"pin ruff exactly in the dev extra, got {dev}"
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    hook = re.search(r"ruff-pre-commit\s*\n\s*rev:\s*v?([\w.]+)", config)
    assert hook is not None, "no ruff-pre-commit hook with a rev"
    assert hook.group(1) == pinned[0], (
        f".pre-commit-config.yaml runs ruff {hook.group(1)}, the dev extra pins "
        f"{pinned[0]}: make them equal"
    )
