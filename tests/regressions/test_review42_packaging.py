"""Review 42 (packaging): the metadata a user sees before installing.

The wheel, the sdist, the extras and the command from an installed wheel were
checked by hand (see the review report); what is tested here is the project
metadata in pyproject.toml, read as PyPI and pip read it, and what a user
without an optional dependency (torch, pyarrow) is told.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

pytestmark = pytest.mark.skipif(
    not PYPROJECT.is_file(), reason="needs the source tree's pyproject.toml"
)


def _project() -> dict:
    with PYPROJECT.open("rb") as file:
        return tomllib.load(file)["project"]


def _minimum_python(project: dict) -> tuple[int, int]:
    match = re.fullmatch(r">=\s*3\.(\d+)", project["requires-python"].strip())
    assert match, project["requires-python"]
    return 3, int(match.group(1))


# pyproject.toml had no classifiers: PyPI's page listed no Python version and
# its "Python 3.x" and "Typed" filters never found rebalance, although it
# ships py.typed and runs on 3.10 to 3.13.
def test_classifiers_name_the_python_versions_and_typed():
    project = _project()
    classifiers = project.get("classifiers", [])
    versions = sorted(
        tuple(int(part) for part in c.rsplit(" ", 1)[1].split("."))
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert versions, "no 'Programming Language :: Python :: 3.x' classifier"
    # The lowest listed is requires-python's minimum, and none is skipped.
    assert versions[0] == _minimum_python(project), versions
    assert versions == [(3, m) for m in range(versions[0][1], versions[-1][1] + 1)]
    assert (ROOT / "rebalance" / "py.typed").is_file()
    assert "Typing :: Typed" in classifiers
    # PEP 639: a License :: classifier next to the SPDX expression is an
    # error in setuptools >= 77.
    assert project["license"] == "BSD-3-Clause"
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert len(set(classifiers)) == len(classifiers)


def test_tools_target_the_minimum_python():
    # ruff's and mypy's target are the oldest Python the package supports.
    with PYPROJECT.open("rb") as file:
        config = tomllib.load(file)
    major, minor = _minimum_python(config["project"])
    assert config["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    assert config["tool"]["mypy"]["python_version"] == f"{major}.{minor}"


# -- review 42, lead: what a user without an optional dependency is told ------


def _run_without(module: str, code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """``code`` run in a fresh interpreter that cannot import ``module``: its
    site-packages are a folder of links to this one's, without ``module``'s
    (``sys.modules[module] = None`` would break scipy's own torch check)."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    shadow = tmp_path / "site-packages"
    shadow.mkdir()
    for entry in purelib.iterdir():
        if not entry.name.lower().startswith(module):
            (shadow / entry.name).symlink_to(entry)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


_TORCH_STATEMENTS = [
    "import rebalance.torch",
    "from rebalance.torch import RebalanceSampler",
    "from rebalance.torch.losses import SigmoidFocalLoss",
]


def test_rebalance_torch_without_torch_names_the_extra(tmp_path):
    # It ended with a bare "No module named 'torch'" from a submodule (and
    # `import rebalance.torch` alone succeeded). Each statement in turn, in
    # one process (a failed import leaves no module behind: each one is
    # imported anew); one process for the suite's time.
    code = (
        f"for statement in {_TORCH_STATEMENTS!r}:\n"
        "    try:\n"
        "        exec(statement)\n"
        "    except ModuleNotFoundError as error:\n"
        "        print('refused:', statement, '|', error)\n"
        "    else:\n"
        "        print('imported:', statement)\n"
    )
    done = _run_without("torch", code, tmp_path)
    assert done.returncode == 0, done.stderr[-1000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(_TORCH_STATEMENTS), done.stdout
    for statement, line in zip(_TORCH_STATEMENTS, lines, strict=True):
        assert line.startswith(f"refused: {statement} |"), line
        assert "pip install 'rebalance[torch]'" in line


def test_compare_mlp_without_torch_says_it_once(tmp_path):
    code = (
        "from rebalance.compare import check_model\n"
        "try:\n    check_model('mlp')\nexcept ValueError as e:\n    print(e)\n"
    )
    done = _run_without("torch", code, tmp_path)
    assert done.returncode == 0, done.stderr[-1000:]
    assert done.stdout.count("needs PyTorch") == 1
    assert "pip install 'rebalance[torch]'" in done.stdout


def test_parquet_data_without_pyarrow_names_the_extra(tmp_path, monkeypatch, capsys):
    # It read "Unable to find a usable engine; tried using: 'pyarrow',
    # 'fastparquet'" (a file) or "No module named 'pyarrow'" (a folder).
    from rebalance import cli

    data = tmp_path / "rows.parquet"
    data.write_bytes(b"PAR1")  # never read: refused before
    folder = tmp_path / "parts"
    folder.mkdir()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    for path in (data, folder):
        with pytest.raises(SystemExit) as raised:
            cli.main(["compare", "--data", str(path), "--target", "y"])
        assert "pip install 'rebalance[compare]'" in str(raised.value.code)
