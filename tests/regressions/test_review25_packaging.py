"""Review 25 (packaging): rebalance as a user installs it, not the checkout.

The sdist is a source release (it builds the wheel and runs the test suite);
the wheel ships every module, ``py.typed``, the ``rebalance`` command and the
license, and nothing else at the top level; the installed package works in
locked-down interpreters (``-OO``, ``-W error``, no writable ``HOME``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a source tree holds besides its sources (never shipped, never needed).
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "out",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
    "_build",
    "generated",
    "jupyter_execute",
    "*.py[cod]",
    "*.nbi",
    "*.nbc",
)


def _setuptools_builds() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    major = int(setuptools.__version__.split(".")[0])
    return major >= 77  # pyproject.toml's build-system requirement


needs_source_tree = pytest.mark.skipif(
    not (ROOT / "pyproject.toml").is_file()
    or not (ROOT / "rebalance" / "__init__.py").is_file()
    or not _setuptools_builds(),
    reason="needs the source tree and setuptools >= 77 (no network: no isolation)",
)


def _build(hook: str, source: Path, out: Path) -> Path:
    """Run the PEP 517 ``hook`` of setuptools in ``source`` (no isolation, no
    network) and return the file it wrote into ``out``."""
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


def _sources(tree: Path, folder: str) -> set[str]:
    return {
        p.relative_to(tree).as_posix()
        for p in (tree / folder).rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(copy of the source tree, sdist members, wheel members, wheel path):
    the sdist built from the tree, the wheel built from the unpacked sdist."""
    base = tmp_path_factory.mktemp("pkg")
    tree = base / "tree"
    shutil.copytree(ROOT, tree, ignore=_IGNORED, symlinks=True)
    sdist = _build("build_sdist", tree, base / "sdist")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        prefix = names[0].split("/")[0] + "/"
        members = {n[len(prefix) :] for n in names if n.startswith(prefix)}
        unpacked = base / "unpacked"
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            archive.extractall(unpacked, filter="data")
        else:  # pragma: no cover - older Pythons
            archive.extractall(unpacked)
    wheel = _build("build_wheel", unpacked / prefix.rstrip("/"), base / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        wheel_members = set(archive.namelist())
    return tree, members, wheel_members, wheel


# The sdist had no MANIFEST.in: setuptools put in tests/test_*.py only, so the
# tests of an unpacked sdist failed at collection (no conftest.py, no
# tests/regressions, no docs, examples or notebooks the tests read).
@needs_source_tree
def test_sdist_ships_what_the_test_suite_needs(built):
    tree, members, _, _ = built
    needed = {
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "conftest.py",
        "CHANGES.md",
        ".pre-commit-config.yaml",
    }
    for folder in ("rebalance", "tests", "examples", "notebooks", "docs"):
        needed |= _sources(tree, folder)
    assert "tests/regressions/test_review25_packaging.py" in needed
    missing = sorted(needed - members)
    assert not missing, f"not in the sdist: {missing[:20]}"
    junk = [n for n in members if n.endswith((".pyc", ".pyo", ".nbi", ".nbc"))]
    assert not junk


@needs_source_tree
def test_wheel_from_the_sdist_ships_the_package_and_nothing_else(built):
    tree, _, files, wheel = built
    package = {
        n
        for n in _sources(tree, "rebalance")
        if n.endswith(".py") or n == "rebalance/py.typed"
    }
    assert "rebalance/py.typed" in package and "rebalance/__main__.py" in package
    assert not package - files, sorted(package - files)
    dist_info = {n.split("/")[0] for n in files} - {"rebalance"}
    assert len(dist_info) == 1, sorted({n.split("/")[0] for n in files})
    (info,) = dist_info
    assert info.endswith(".dist-info")
    extra = sorted(n for n in files if not n.startswith(("rebalance/", info + "/")))
    assert not extra, extra  # tests, benchmarks, examples: never top-level packages
    assert not [n for n in files if n.startswith("rebalance/") and n not in package]
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert "rebalance = rebalance.cli:main" in entry_points
    assert f"{info}/licenses/LICENSE" in files
    assert "Requires-Python: >=3.10" in metadata


def _run(args: list[str], tmp_path: Path, env: dict | None = None):
    full_env = {**os.environ, **(env or {})}
    for name in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME"):
        full_env.pop(name, None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,  # not the checkout
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -OO strips docstrings, -W error turns any warning of the import path (a
# DeprecationWarning from a dependency, numba's cache warnings) into an error.
@pytest.mark.slow
def test_every_module_imports_and_draws_under_OO_and_W_error(tmp_path):
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import numpy as np
        import rebalance
        assert not {"torch", "numba", "dask"} & set(sys.modules)
        for info in pkgutil.walk_packages(rebalance.__path__, "rebalance."):
            if info.name.startswith("rebalance.torch"):
                continue  # needs torch; covered by its own tests
            importlib.import_module(info.name)
        from rebalance import ClassBalancedSampler, RandomOverSampler
        X = np.arange(100).reshape(50, 2)
        y = np.r_[np.zeros(40, int), np.ones(10, int)]
        _, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [40, 40]
        _, y_res = ClassBalancedSampler(random_state=0).fit_resample(X, y)
        assert len(y_res) == 50
        print("ok")
        """
    )
    out = _run(["-OO", "-W", "error", "-c", script], tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


# The command from outside the checkout, with no HOME and no NUMBA_CACHE_DIR
# (a service account, a container); help under -OO (docstrings stripped).
@pytest.mark.slow
def test_command_runs_without_a_home(tmp_path):
    env = {"HOME": str(tmp_path / "missing" / "home")}
    out = _run(["-OO", "-m", "rebalance", "compare", "--help"], tmp_path, env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.startswith("usage: rebalance compare")
    out = _run(["-m", "rebalance", "--version"], tmp_path, env)
    assert out.returncode == 0 and out.stdout.startswith("rebalance "), out.stderr
