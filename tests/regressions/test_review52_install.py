"""Review 52 (install): a new user's install, README and ``rebalance compare``.

The wheel and the sdist were built and installed by hand in fresh virtual
environments (see the review report); what is tested here is what a user's
own CSV met on the way.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns
from rebalance.cli import _load_table

ROOT = Path(__file__).resolve().parents[2]


def _written(kind: str, values: np.ndarray) -> list[str]:
    if kind == "dollar":
        return [f"${v:,.2f}" for v in values]
    if kind == "thousands":
        return [f"{v:,.2f}" for v in values]
    if kind == "percent":
        return [f"{v / 1000:.1f}%" for v in values]
    return [f"({v:,.0f})" for v in values]  # accounting: negative


_READ = {
    "dollar": lambda v: np.round(v, 2),
    "thousands": lambda v: np.round(v, 2),
    "percent": lambda v: np.round(v / 1000, 1) / 100,
    "accounting": lambda v: -np.round(v),
}


# A column of "$1,234.50" (or "12,345.5", "12.5%", "(300)") with "?" or "-"
# for a missing value was a high-cardinality categorical (its numbers
# string-encoded by skrub, no notice), though each part alone is read as
# numbers: the marker check accepted only plain numbers.
@pytest.mark.parametrize("kind", ["dollar", "thousands", "percent", "accounting"])
@pytest.mark.parametrize("marker", ["?", "-"])
def test_written_numbers_with_a_missing_marker_are_numbers(tmp_path, kind, marker):
    rng = np.random.default_rng(0)
    values = rng.normal(50_000, 10_000, 60)
    cells = _written(kind, values)
    missing = np.arange(60) % 7 == 0
    cells = [marker if m else c for c, m in zip(cells, missing)]
    labels = np.where(np.arange(60) % 5 == 0, "yes", "no")
    path = tmp_path / "rows.csv"
    pd.DataFrame({"income": cells, "label": labels}).to_csv(path, index=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        X, y = _load_table(str(path), "label")
    assert f"column 'income' holds numbers and {marker!r} (9 rows)" in err.getvalue()
    assert X["income"].dtype == np.float64
    np.testing.assert_array_equal(X["income"].isna().to_numpy(), missing)
    np.testing.assert_allclose(
        X["income"].to_numpy()[~missing], _READ[kind](values[~missing]), rtol=1e-12
    )
    assert plan_columns(X).used == {"income": "numeric"}
    assert y.tolist() == labels.tolist()


def test_written_numbers_in_the_target_read_the_marker_as_missing(tmp_path):
    # The target keeps its text, but "?" among numbers is a missing label
    # there too (as among plain numbers), refused naming the rows; it was
    # the class "?".
    path = tmp_path / "rows.csv"
    cells = ["$1,000.00", "$2,000.00", "?"] * 4
    pd.DataFrame({"x": np.arange(12.0), "label": cells}).to_csv(path, index=False)
    with contextlib.redirect_stderr(io.StringIO()):
        with pytest.raises(SystemExit, match="missing label"):
            _load_table(str(path), "label")


def test_text_with_a_dash_stays_text(tmp_path):
    # Words beside "-" are no column of numbers: kept as written.
    path = tmp_path / "rows.csv"
    cells = ["red", "$5", "-", "blue"] * 5
    pd.DataFrame({"colour": cells, "label": [0, 1] * 10}).to_csv(path, index=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        X, _ = _load_table(str(path), "label")
    assert X["colour"].tolist() == cells
    assert "holds numbers" not in err.getvalue()


def _run_without_torch(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter that cannot import torch: its
    site-packages are links to this one's, without torch's (as review 42)."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    shadow = tmp_path / "site-packages"
    shadow.mkdir()
    for entry in purelib.iterdir():
        if not entry.name.lower().startswith("torch"):
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


# `--model mlp` without torch said only "pip install 'rebalance[torch]'",
# which on Linux installs PyPI's multi-GB CUDA build; the README and the
# message of `import rebalance.torch` say to install torch first, in the
# build wanted.
def test_mlp_without_torch_says_to_install_torch_first(tmp_path):
    code = (
        "from rebalance.compare import check_model\n"
        "try:\n    check_model('mlp')\nexcept ValueError as e:\n    print(e)\n"
    )
    done = _run_without_torch(code, tmp_path)
    assert done.returncode == 0, done.stderr[-1000:]
    message = done.stdout.strip()
    assert message.count("needs PyTorch") == 1
    assert "pip install torch (the build you want, e.g. torch==2.13.0 " in message
    assert "--index-url https://download.pytorch.org/whl/cpu" in message
    first, then = message.index("pip install torch"), message.index("[torch]'")
    assert first < then
    assert message.endswith("or use the model 'logistic' or 'hgb'.")


def _german(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


# The same in a locale's writing: "1.234,56" in a ";" file, Swiss
# "1'234.56" in any file. With a "?" the column was a high-cardinality
# categorical (the locale reader wanted every cell a number).
@pytest.mark.parametrize("locale", ["decimal comma", "swiss"])
def test_locale_numbers_with_a_missing_marker_are_numbers(tmp_path, locale):
    rng = np.random.default_rng(1)
    values = np.round(rng.normal(5_000, 1_000, 40), 2)
    missing = np.arange(40) % 6 == 1
    if locale == "swiss":
        separator, cells = ",", [f"{v:,.2f}".replace(",", "'") for v in values]
    else:
        separator, cells = ";", [_german(v) for v in values]
    cells = ["?" if m else c for c, m in zip(cells, missing)]
    labels = (np.arange(40) % 4 == 0).astype(int)
    lines = [f"x{separator}label"] + [
        f"{c}{separator}{lab}" for c, lab in zip(cells, labels)
    ]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        X, y = _load_table(str(path), "label")
    assert "column 'x' holds numbers and '?' (7 rows): read as missing." in (
        err.getvalue()
    )
    assert X["x"].dtype == np.float64
    np.testing.assert_array_equal(X["x"].isna().to_numpy(), missing)
    np.testing.assert_allclose(X["x"].to_numpy()[~missing], values[~missing])
    assert y.tolist() == labels.tolist()
