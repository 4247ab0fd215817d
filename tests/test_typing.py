"""The package ships the ``py.typed`` marker. That it type-checks (``mypy
rebalance`` clean with the ``[tool.mypy]`` configuration of pyproject.toml,
so the marker promises users' type checkers something true) is checked by
``make lint``, which CI (``.ci/run``) runs before ``make test``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_ships_the_typed_marker():
    assert (ROOT / "rebalance" / "py.typed").is_file()


def test_make_lint_runs_mypy_and_ci_runs_make_lint():
    # mypy left the timed suite for `make lint`: keep it there, and in CI.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "-m mypy rebalance" in recipe
    assert "make lint" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
