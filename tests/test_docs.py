"""The documentation: the Sphinx site builds without warnings, and the public
API's docstrings pass numpydoc validation (the way scikit-learn's
``test_docstrings`` does it).

Needs the docs tools of the ``dev`` extra (sphinx, numpydoc, myst-nb); skipped
without them.
"""

from __future__ import annotations

import html
import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
HAS_TORCH = importlib.util.find_spec("torch") is not None

# the modules docs/api.rst documents (keep the two lists equal)
PUBLIC_MODULES = [
    "rebalance",
    "rebalance.weights",
    "rebalance.metrics",
    "rebalance.datasets",
    "rebalance.threshold",
]
if HAS_TORCH:
    PUBLIC_MODULES.append("rebalance.torch")

# numpydoc checks enforced on every public class, function and public method:
#   GL08 no docstring          SS01 no summary         SS03 summary lacks a period
#   PR01 parameter undocumented PR02 documented parameter that does not exist
#   PR07 parameter without a description               RT01 no Returns section
CHECKS = frozenset({"GL08", "SS01", "SS03", "PR01", "PR02", "PR07", "RT01"})

# Objects that fail the checks while their docstrings are being fixed
# (xfail(strict=False); remove a fixed one so that it cannot regress). Empty:
# every public object passes; add to it only with a plan to fix.
KNOWN_FAILURES: frozenset[str] = frozenset()


def _is_method(value) -> bool:
    return inspect.isfunction(value) or isinstance(
        value, (property, classmethod, staticmethod)
    )


def public_api() -> list[str]:
    """Import paths of every class and function in the public modules'
    ``__all__``, each object once, under its first public name."""
    names: list[str] = []
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            names.append(f"{module_name}.{name}")
    return names


def public_objects() -> list[str]:
    """``public_api()`` plus the public methods and properties that rebalance
    itself defines on those classes (not those inherited from torch or
    scikit-learn)."""
    names: list[str] = []
    for qualname in public_api():
        names.append(qualname)
        module_name, name = qualname.rsplit(".", 1)
        obj = getattr(importlib.import_module(module_name), name)
        if not inspect.isclass(obj):
            continue
        methods: list[str] = []
        for klass in obj.__mro__:
            if not klass.__module__.startswith("rebalance"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or attr in methods or not _is_method(value):
                    continue
                methods.append(attr)
        names.extend(f"{qualname}.{attr}" for attr in methods)
    return names


def docstring_errors(obj) -> list[str]:
    """The failed ``CHECKS`` for an import path or a function, as 'CODE message'."""
    if not isinstance(obj, str):
        obj = numpydoc_validate.get_doc_object(obj)
    result = numpydoc_validate.validate(obj)
    return [f"{code} {message}" for code, message in result["errors"] if code in CHECKS]


@pytest.mark.parametrize("qualname", public_objects())
def test_docstring(qualname, request):
    if qualname in KNOWN_FAILURES:
        request.applymarker(
            pytest.mark.xfail(reason="docstring being fixed", strict=False)
        )
    errors = docstring_errors(qualname)
    assert not errors, f"{qualname}:\n  " + "\n  ".join(errors)


def test_known_failures_are_public_objects():
    # a renamed or removed object must leave the list, not hide a new failure
    stale = KNOWN_FAILURES - set(public_objects())
    if not HAS_TORCH:
        stale = {name for name in stale if not name.startswith("rebalance.torch.")}
    assert not stale, f"not public objects any more: {sorted(stale)}"


def test_api_page_documents_the_public_modules():
    lines = (DOCS / "api.rst").read_text(encoding="utf-8").splitlines()
    listed = [line.strip() for line in lines if line.startswith("   rebalance")]
    expected = PUBLIC_MODULES + ([] if HAS_TORCH else ["rebalance.torch"])
    assert listed == expected


def _documented(values, power=1.0):
    """Scale values.

    Parameters
    ----------
    values : ndarray
        The values.
    power : float, default=1.0
        The exponent.

    Returns
    -------
    ndarray
        The scaled values.
    """
    return values**power


def _undocumented_parameter(values, power=1.0):
    """Scale values

    Parameters
    ----------
    values : ndarray

    Returns
    -------
    ndarray
        The scaled values.
    """
    return values**power


def _no_docstring(values):
    return values


def test_docstring_checks_catch_errors():
    assert docstring_errors(_documented) == []
    codes = {error.split()[0] for error in docstring_errors(_undocumented_parameter)}
    assert codes == {"SS03", "PR01", "PR07"}
    codes = {error.split()[0] for error in docstring_errors(_no_docstring)}
    assert "GL08" in codes


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TORCH, reason="the API reference documents rebalance.torch")
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    out = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going"]
    command += ["-q", "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)]
    try:
        proc = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - a hung build
        pytest.fail(f"sphinx-build did not finish in 300 s: {exc.stderr}")
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stderr[-6000:]}"

    # one API page per public class and function, listing its parameters
    for qualname in public_api():
        assert (out / "generated" / f"{qualname}.html").is_file(), qualname
    page = _text(out / "generated" / "rebalance.RandomUnderSampler.html")
    assert "fit_resample" in page and "sampling_strategy" in page

    # the user guide is the README: each of its section titles is on the page
    guide = _text(out / "user_guide.html")
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    titles = [line[3:].replace("`", "") for line in readme if line.startswith("## ")]
    assert titles and all(" ".join(t.split()) in guide for t in titles)

    # every notebook is rendered with its stored outputs, and not executed: a
    # notebook saved without outputs has none on its page
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        rendered = (out / "notebooks" / f"{notebook.stem}.html").read_text("utf-8")
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        stored = sum(len(cell.get("outputs", [])) for cell in cells)
        assert ("cell_output" in rendered) == (stored > 0), notebook.name


def _text(path: Path) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(text).split())
