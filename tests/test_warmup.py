"""``python -m rebalance._warmup`` (run by ``make setup``) compiles the listed
kernel signatures into numba's disk cache. These tests check the list and
the tool without compiling anything (a compile takes seconds)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

pytest.importorskip("numba")

from rebalance import _warmup  # noqa: E402
from rebalance._kernel_signatures import SIGNATURES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_make_setup_runs_the_warm_up_after_installing():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "-m rebalance._warmup" in recipe
    assert recipe.index("pip install") < recipe.index("rebalance._warmup")


def test_every_listed_signature_names_a_kernel_and_parses():
    pytest.importorskip("torch")  # the focal kernels are listed too
    from numba.core import types

    assert len(SIGNATURES) == len(set(SIGNATURES)) > 50
    for module_name, name, text in SIGNATURES:
        dispatcher = _warmup._dispatcher(module_name, name)
        assert hasattr(dispatcher, "compile"), (module_name, name)
        signature = _warmup.parse_signature(text)
        assert all(isinstance(t, types.Type) for t in signature)
        assert str(signature).replace(",)", ")") == text.replace(",)", ")")


@pytest.mark.parametrize("text", ["(1, 2)", "int64", "(__import__('os'),)"])
def test_a_signature_that_names_no_types_is_refused(text):
    with pytest.raises((ValueError, NameError, TypeError)):
        _warmup.parse_signature(text)


def test_a_signature_that_no_longer_fits_is_skipped_not_fatal():
    done, problems = _warmup._compile(
        [
            ("rebalance._kernels", "no_such_kernel", ["(int64,)"]),
            ("rebalance._kernels", "expand_counts", ["(float64, float64)"]),
        ]
    )
    assert done == 0
    assert len(problems) == 2 and "no_such_kernel" in problems[0]


def test_record_reads_numba_index_files_once_each(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "__pycache__").mkdir()

    def index(path, *signatures):
        with open(path, "wb") as f:
            pickle.dump("0.68.1", f)
            overloads = {(s, "target", "flags"): "file.nbc" for s in signatures}
            f.write(pickle.dumps((("stamp", 1), overloads)))

    index(package / "__pycache__" / "_k.run-12.py311.nbi", "(int64,)", "(float64,)")
    index(package / "__pycache__" / "_k.run-40.py311.nbi", "(int64,)")  # stale
    index(package / "sub" / "__pycache__" / "m.go-3.py311.nbi", "(bool,)")
    (package / "__pycache__" / "notes.txt").write_text("not an index")
    assert _warmup.record(package) == [
        ("pkg._k", "run", "(int64,)"),
        ("pkg._k", "run", "(float64,)"),
        ("pkg.sub.m", "go", "(bool,)"),
    ]


def test_a_failing_warm_up_is_reported_and_exits_zero(monkeypatch, capsys):
    def broken(processes):
        raise OSError("no processes")

    monkeypatch.setattr(_warmup, "warm_up", broken)
    assert _warmup.main([]) == 0
    assert "skipped the warm-up (OSError: no processes)" in capsys.readouterr().err


def test_an_unknown_argument_is_a_usage_error(capsys):
    assert _warmup.main(["--bogus"]) == 2
    assert "usage: python -m rebalance._warmup [--record]" in capsys.readouterr().err
