"""Review 20 (docs): what a new user runs and reads.

The README's blocks run in tests/test_readme.py and the notebooks through
nbmake; these tests hold the examples' printed verdicts and the README's
guidance to what the code does.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed001():
    pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location(
        "seed001_sentiment", EXAMPLES / "seed001_sentiment.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["seed001_sentiment"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("seed001_sentiment", None)


def _results(per_seed: dict[str, list[float]]) -> dict:
    """``run``'s ``{method: {metric: [per seed]}}`` with one value for all metrics."""
    return {
        name: {"auc": v, "accuracy": v, "balanced_accuracy": v, "minority_f1": v}
        for name, v in per_seed.items()
    }


def test_seed001_one_seed_gap_is_not_called_more_than_the_spread(seed001):
    # One seed has no spread: every gap used to be "more than the seed-to-seed
    # spread", a verdict with no evidence behind it.
    results = _results({"focal a=0.25": [0.80], "BCE": [0.79], "margin CE": [0.70]})
    sentences = seed001.claims(results)
    assert len(sentences) == 2
    for sentence in sentences:
        assert "more than the seed-to-seed spread" not in sentence
        assert "one seed" in sentence
        assert "over 1 seed)" in sentence


def test_seed001_verdicts_with_seeds_compare_the_gap_with_the_spread(seed001):
    wide = _results(
        {"focal a=0.25": [0.70, 0.90], "BCE": [0.79, 0.79], "margin CE": [0.7, 0.9]}
    )
    tight = _results(
        {"focal a=0.25": [0.80, 0.80], "BCE": [0.70, 0.70], "margin CE": [0.6, 0.6]}
    )
    assert all("within the seed-to-seed spread" in s for s in seed001.claims(wide))
    assert all("more than the seed-to-seed spread" in s for s in seed001.claims(tight))
    assert "over 2 seeds)" in seed001.claims(tight)[0]


@pytest.mark.parametrize("seeds", [0, -1, 1.5, True])
def test_seed001_run_refuses_a_seed_count_before_loading_data(seed001, seeds):
    # seeds=0 trained nothing and crashed later with a bare StopIteration.
    with pytest.raises(ValueError, match="seeds must be a positive int"):
        seed001.run("bag", seeds)


def _table_rows(header: str) -> list[str]:
    """The first column of the README table whose header starts with ``header``."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])
    return rows


def test_readme_loss_guide_names_every_public_loss():
    torch_api = pytest.importorskip("rebalance.torch")
    guide = " ".join(_table_rows("| loss |"))
    named = set(re.findall(r"`(\w+)`", guide))
    functions = {
        name
        for name in torch_api.__all__
        if name[0].islower() and name != "adjust_logits"
    }
    assert functions <= named, sorted(functions - named)
    assert named <= set(torch_api.__all__), sorted(named - set(torch_api.__all__))


def test_readme_torch_guide_names_every_sampler_and_loader():
    torch_api = pytest.importorskip("rebalance.torch")
    guide = " ".join(_table_rows("| torch front end |"))
    named = set(re.findall(r"`(\w+)", guide))
    front_ends = {
        name
        for name in torch_api.__all__
        if name.endswith(("Sampler", "Loader")) and name[0].isupper()
    }
    assert front_ends <= named, sorted(front_ends - named)
