"""Review 17: the documentation read top to bottom by a new user.

The user guide (``docs/user_guide.md``) is the README included whole, so its
code runs through ``tests/test_readme.py``; these tests keep that true and
check the README's other claims against the code: the install extras its
examples need, the ``rebalance compare`` options, the files and benchmark
options it names, and the statements of ``docs/api.rst`` and of the compare
section about what the code does.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_TEXT = README.read_text(encoding="utf-8")
FENCE = re.compile(r"```python\n(.*?)```", flags=re.S)


def _section(title: str) -> str:
    """The README text from the ``## title`` heading to the next ``## ``."""
    start = README_TEXT.index(f"\n## {title}\n")
    end = README_TEXT.find("\n## ", start + 1)
    return README_TEXT[start : end if end != -1 else None]


def _pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------- user guide


def test_user_guide_code_is_the_readme_code_and_runs():
    # docs/user_guide.md includes README.md: every block of the guide is a
    # README block, run by tests/test_readme.py, as long as the include takes
    # the whole README (it may skip the title only). A block written in the
    # guide itself (or in another page) is run here.
    guide = (DOCS / "user_guide.md").read_text(encoding="utf-8")
    include = re.search(r"```\{include\}\s+(\S+)\n(.*?)```", guide, flags=re.S)
    assert include, "docs/user_guide.md no longer includes the README"
    assert (DOCS / include.group(1)).resolve() == README
    options = dict(re.findall(r":([\w-]+):\s*(\S+)", include.group(2)))
    assert set(options) <= {"start-line"}, options  # no end-line cut
    skipped = README_TEXT.splitlines()[: int(options.get("start-line", 0))]
    assert "```" not in "\n".join(skipped)
    for page in sorted(DOCS.glob("*.md")):
        for block in FENCE.findall(page.read_text(encoding="utf-8")):
            exec(compile(block, str(page), "exec"), {})


# ------------------------------------------------------------------- install


def test_readme_install_commands_cover_the_imports_of_its_examples():
    # The README's examples import polars, Lightning and skorch; a user who
    # installs only what the README's pip commands name (the dev extra aside,
    # which is for contributors) must get them. Before review 17 the only
    # user-facing extras named were compare, dask and examples.
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    named: set[str] = set()
    for group in re.findall(r"pip install [^`]*?\[([\w,]+)\]", README_TEXT):
        named.update(group.split(","))
    assert named <= set(extras), f"unknown extras in README: {named - set(extras)}"
    provided = {_name(req) for req in project["dependencies"]}
    for extra in named - {"dev"}:
        provided |= {_name(req) for req in extras[extra]}

    distributions = importlib.metadata.packages_distributions()
    if sys.version_info < (3, 11):  # 3.10 reads top_level.txt only (none in
        # wheels built by meson-python: scikit-learn, scipy): use the files
        for dist in importlib.metadata.distributions():
            for file in dist.files or ():
                if file.parts and file.suffix == ".py":
                    top = file.parts[0].removesuffix(".py")
                    distributions.setdefault(top, []).append(dist.metadata["Name"])
    imported: set[str] = set()
    for block in FENCE.findall(README_TEXT):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    missing = {}
    for module in sorted(imported - set(sys.stdlib_module_names) - {"rebalance"}):
        dists = {_name(d) for d in distributions.get(module, [module])}
        if not dists & provided:
            missing[module] = sorted(dists)
    assert not missing, (
        f"README examples import modules no named extra provides: {missing}"
    )


def test_readme_extras_sentence_names_every_user_extra():
    # "add the extras you need: `torch` (...), `dask`, ..." must name real
    # extras, and every extra a user might need (all but the contributors'
    # dev; the GPU-only triton may be named or not).
    sentence = re.search(r"add the extras you need:(.*?)e\.g\.", README_TEXT, re.S)
    assert sentence, "README no longer lists the extras"
    named = set(re.findall(r"`([a-z]+)`", sentence.group(1)))
    extras = set(_pyproject()["project"]["optional-dependencies"])
    assert named - {"triton"} == extras - {"dev", "triton"}
    assert named <= extras


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, flags=re.M))
    used = set(re.findall(r"^make (\w+)", README_TEXT, flags=re.M))
    assert used and used <= targets


# ------------------------------------------------------------ rebalance compare


def _compare_parser() -> argparse.ArgumentParser:
    from rebalance.cli import build_parser

    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices["compare"]
    raise AssertionError("no compare sub-command")


def test_readme_compare_options_exist_with_their_choices():
    parser = _compare_parser()
    options = {s: a for a in parser._actions for s in a.option_strings}
    text = _section("`rebalance compare`")
    mentioned = set(re.findall(r"`(--[a-z][a-z-]*)", text))
    assert mentioned and mentioned <= set(options), mentioned - set(options)
    # `--model logistic|hgb|mlp`: the choices shown are the parser's
    for option, shown in re.findall(r"`(--[a-z-]+) ([\w-]+(?:\|[\w-]+)+)`", text):
        assert set(shown.split("|")) == set(options[option].choices), option
    # an option shown with a value (`--folds K`) takes one
    for option in re.findall(r"`(--[a-z-]+) [^`]+`", text):
        assert options[option].nargs != 0, option


def test_compare_accuracy_is_that_of_the_most_probable_class():
    # README: "Accuracy is that of the most probable class, so a threshold rule
    # leaves it unchanged; the other decision metrics use each fix's own
    # predict". The table's threshold rows all showed the plain model's
    # accuracy with no word on why.
    from rebalance.compare import score_fold

    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.2).astype(np.int64)
    p = np.clip(0.3 * y + rng.random(200) * 0.6, 0, 1)
    proba = np.column_stack([1 - p, p])
    at_half = (p >= 0.5).astype(np.int64)
    at_low = (p >= 0.2).astype(np.int64)
    scores_half, _ = score_fold(y, proba, at_half)
    scores_low, _ = score_fold(y, proba, at_low)
    assert scores_half["accuracy"] == scores_low["accuracy"] == np.mean(y == at_half)
    recall = np.mean(at_low[y == 1] == 1), np.mean(at_low[y == 0] == 0)
    assert scores_low["balanced_accuracy"] == pytest.approx(np.mean(recall))
    assert scores_low["balanced_accuracy"] != scores_half["balanced_accuracy"]


# ------------------------------------------------------- files and benchmarks


def test_readme_file_paths_exist():
    folders = "examples|notebooks|benchmarks|tests|docs"
    paths = set(re.findall(rf"(?<![\w/])((?:{folders})/[\w./-]+\w)", README_TEXT))
    assert paths
    missing = sorted(path for path in paths if not (ROOT / path).exists())
    assert not missing


def test_readme_benchmark_commands_use_real_options():
    commands = re.findall(r"`python (benchmarks/\w+\.py)([^`]*)`", README_TEXT)
    assert len(commands) >= 5
    for script, arguments in commands:
        source = (ROOT / script).read_text(encoding="utf-8")
        defined = set(re.findall(r'add_argument\(\s*"(--[\w-]+)"', source))
        used = set(re.findall(r"--[\w-]+", arguments))
        assert used <= defined, (script, used - defined)
        # the smoke run the Benchmarks section offers is an option of every
        # script that has one
        if "--quick" in defined:
            assert "`--quick`" in _section("Benchmarks")


# ------------------------------------------------------------------- torch


def test_api_page_names_every_loss_outside_the_logits_target_rule():
    # docs/api.rst: "every loss function and every loss Module's forward takes
    # (logits, target, ...)"; ohem_loss takes per-sample losses, and the page
    # did not say so.
    if importlib.util.find_spec("torch") is None:
        pytest.skip("needs torch")
    import rebalance.torch as rt

    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    exceptions = []
    for name in rt.__all__:
        obj = getattr(rt, name)
        if inspect.isclass(obj) and name.endswith("Loss"):
            params = list(inspect.signature(obj.forward).parameters)[1:3]
        elif inspect.isfunction(obj) and name != "adjust_logits":
            params = list(inspect.signature(obj).parameters)[:2]
        else:
            continue
        if params != ["logits", "target"]:
            exceptions.append(name)
    assert exceptions == ["ohem_loss"]  # the rule holds for every other loss
    assert all(f"``{name}``" in api for name in exceptions)


def test_readme_class_weights_feed_the_torch_losses():
    # README, Losses: "Class statistics come from the scikit-learn side:
    # class_weights(y) (keys 0…C−1)". The weighted loss equals torch's
    # cross_entropy with those weights in class order.
    torch = pytest.importorskip("torch")
    from rebalance import class_weights
    from rebalance.torch import ClassWeightedCrossEntropyLoss

    y = np.array([2] * 10 + [0] * 90 + [1] * 30)
    logits = torch.randn(len(y), 3, generator=torch.Generator().manual_seed(0))
    target = torch.from_numpy(y)
    weights = class_weights(y)
    expected = torch.nn.functional.cross_entropy(
        logits,
        target,
        weight=torch.tensor([len(y) / (3 * np.sum(y == c)) for c in range(3)]).float(),
    )
    got = ClassWeightedCrossEntropyLoss(weights)(logits, target)
    torch.testing.assert_close(got, expected)
