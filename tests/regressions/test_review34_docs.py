"""Review 34, docs: claims of README.md that a test can pin to the code.

Each test reads the claim from the README and checks the code against it, so
that the text and the behaviour cannot drift apart again.
"""

from __future__ import annotations

import builtins
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _paragraph(starting_with: str) -> str:
    """The README paragraph that begins with ``starting_with``, on one line."""
    for paragraph in re.split(r"\n\s*\n", README):
        if paragraph.startswith(starting_with):
            return " ".join(paragraph.split())
    raise AssertionError(f"no README paragraph starts with {starting_with!r}")


def test_readme_names_the_error_of_a_full_label_sampler_on_a_subset():
    # Before: the skorch section said a sampler built from the full labels
    # "fails there with an IndexError"; the sampler checks the loader's
    # dataset and raises a ValueError that points at RebalancedLoader.
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, Subset, TensorDataset

    from rebalance.torch import RebalanceSampler

    text = _paragraph("skorch hands its DataLoader a subset")
    named = re.search(r"`?(\w+Error)`?", text)
    assert named, text
    error = getattr(builtins, named.group(1))

    labels = np.array([0] * 90 + [1] * 10)
    data = TensorDataset(torch.zeros(100, 1), torch.from_numpy(labels))
    loader = DataLoader(
        Subset(data, range(80)), batch_size=8, sampler=RebalanceSampler(labels)
    )
    with pytest.raises(error, match="RebalancedLoader"):
        next(iter(loader))


def test_readme_says_shrinkage_needs_numeric_x():
    # Before: the sampler table said "`shrinkage` jitters the copies of numeric
    # features", which reads as if other columns were left alone; a frame
    # with a text column is refused.
    row = next(
        line for line in README.splitlines() if line.startswith("| `RandomOverSampler`")
    )
    assert "numeric X only" in row
    X = pd.DataFrame({"f": np.linspace(0, 1, 12), "s": list("abcdefghijkl")})
    y = np.array([0] * 9 + [1] * 3)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    # "integer columns stay integers"
    X = pd.DataFrame({"f": np.linspace(0, 1, 12), "i": np.arange(12, dtype=np.int16)})
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(X, y)
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict()


def test_readme_says_what_each_extra_is_for():
    # Before: the set-up paragraph listed what each extra is for but left out
    # `triton` (the fused focal kernels on CUDA) and, of the `integrations`
    # extra's packages, LightGBM.
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    setup = _paragraph("Set-up by hand")
    for extra in extras:
        if extra != "dev":  # the contributors' set: `make setup`
            assert f"`{extra}` (" in setup, extra
    for requirement in extras["integrations"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        assert name.lower() in setup.lower(), name


def test_readme_says_where_compare_shows_each_class_recall(tmp_path, capsys):
    # Before: "Multiclass targets get macro metrics and per-class recall", but
    # the printed table has only the worst class's recall: every class's is
    # in --json (and --report).
    from rebalance.cli import main

    text = _paragraph("`--data file.csv --target column`")
    assert "every class's recall in `--json`" in text
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], p=[0.7, 0.2, 0.1], size=120)
    x = rng.normal(size=120) + (y == "b") - (y == "c")
    data = tmp_path / "multi.csv"
    pd.DataFrame({"x": x.round(3), "label": y}).to_csv(data, index=False)
    out = tmp_path / "scores.json"
    argv = ["compare", "--data", str(data), "--target", "label", "--folds", "2"]
    assert main([*argv, "--methods", "none", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "worst rec" in table
    recall = json.loads(out.read_text())["summary"]["none"]["per_class_recall"]
    assert sorted(recall) == ["a", "b", "c"]
