"""``make test`` hands whole files to two workers, slow files first.

xdist's default order (files with the most tests first) left the slow
one-test files (the notebooks, the distributed example, the docs build) to
the end, where one worker ran them alone while the other sat idle.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _root_conftest():
    path = ROOT / "conftest.py"
    spec = importlib.util.spec_from_file_location("_root_conftest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Item:
    def __init__(self, path: str, name: str, slow: bool = False) -> None:
        self.path = Path(path)
        self.name = name
        self.markers = ["slow"] if slow else []

    def add_marker(self, marker) -> None:
        self.markers.append(marker.name)

    def get_closest_marker(self, name: str):
        return name if name in self.markers else None


def test_make_test_keeps_the_order_conftest_gives():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--dist loadfile" in recipe
    assert "--no-loadscope-reorder" in recipe


def test_make_setup_compiles_the_test_modules_with_bytecode_written():
    # A cold collection (asserts rewritten, modules compiled) took 40 s where
    # a warm one took 11 s, in each of the two test workers.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    line = next(row for row in recipe.splitlines() if "--collect-only" in row)
    assert "env -u PYTHONDONTWRITEBYTECODE" in line
    assert recipe.index("pip install") < recipe.index("--collect-only")
    assert recipe.index("--collect-only") < recipe.index("touch $@")


def test_files_with_a_slow_test_come_first_and_keep_their_order():
    items = [
        _Item("tests/a.py", "a1"),
        _Item("tests/a.py", "a2"),
        _Item("tests/b.py", "b1"),
        _Item("tests/b.py", "b2", slow=True),
        _Item("tests/c.py", "c1"),
        _Item("notebooks/n.ipynb", "n"),
        _Item("tests/d.py", "d1", slow=True),
    ]
    _root_conftest().pytest_collection_modifyitems(None, items)
    assert [item.name for item in items] == ["n", "b1", "b2", "d1", "a1", "a2", "c1"]
    assert items[0].get_closest_marker("slow")  # a notebook is slow


@pytest.mark.parametrize("marked", [True, False])
def test_a_slow_mark_is_what_moves_a_file(marked):
    items = [_Item("tests/a.py", "a"), _Item("tests/b.py", "b", slow=marked)]
    _root_conftest().pytest_collection_modifyitems(None, items)
    assert [item.name for item in items] == (["b", "a"] if marked else ["a", "b"])
