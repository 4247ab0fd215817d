"""Review 113 (cli3): white-box audit of ``rebalance compare`` (rebalance/cli.py)
through ``rebalance.cli.main(argv)``, in-process: one small table written in
other encodings (UTF-8 with BOM, UTF-16, Latin-1), with other separators and
line endings, compressed, under a path with spaces and accents, must give the
very same scores; usage errors (option values no run can take) exit with
status 2 and one line naming the option, data and file errors exit with a
one-line message, never a traceback; ``--json -`` keeps stdout pure JSON; the
same seed gives the same scores."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main

FAST = ["--methods", "none", "--folds", "2"]


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "label": ["yes"] * 24 + ["no"] * 8 + ["oui é"] * 8,
            "a": rng.normal(size=40).round(3),
            "b": rng.normal(size=40).round(3),
        }
    )
    return frame


TEXT = _frame().to_csv(index=False)


def _run(argv):
    """(exit status, stdout, stderr) of ``rebalance`` with ``argv``."""
    out, err = io.StringIO(), io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.simplefilter("ignore")
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _scores(path) -> dict:
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST, "--json", "-"]
    )
    assert code == 0, err
    data = json.loads(out)  # stdout holds the JSON alone
    for key in ("wall_time_s", "data"):
        data.pop(key, None)
    return data


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.csv"
    path.write_text(TEXT, encoding="utf-8")
    return _scores(path)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _zip(path, data: bytes):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("table.csv", data)
    return path


VARIANTS = {
    "utf-8-bom.csv": lambda p: _write(p, TEXT.encode("utf-8-sig")),
    "utf-16.csv": lambda p: _write(p, TEXT.encode("utf-16")),
    "latin-1.csv": lambda p: _write(p, TEXT.encode("latin-1")),
    "semicolon decimal comma.csv": lambda p: _write(
        p, TEXT.replace(",", ";").replace(".", ",").encode()
    ),
    "tab.tsv": lambda p: _write(p, TEXT.replace(",", "\t").encode()),
    "pipe crlf.csv": lambda p: _write(
        p, TEXT.replace(",", "|").replace("\n", "\r\n").encode()
    ),
    "données é.csv.gz": lambda p: _write(p, gzip.compress(TEXT.encode())),
    "zipped.csv.zip": lambda p: _zip(p, TEXT.encode()),
}


# ---------------------------------------------------------------- pins


@pytest.mark.parametrize("name", list(VARIANTS))
def test_same_table_in_other_encodings_and_separators_scores_alike(
    tmp_path, reference, name
):
    path = VARIANTS[name](tmp_path / name)
    assert _scores(path) == reference


def test_quoted_field_with_line_breaks_keeps_every_row(tmp_path):
    frame = _frame()
    frame["note"] = ["first\nsecond" if i % 3 == 0 else "x" for i in range(40)]
    path = tmp_path / "notes.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(["compare", "--data", str(path), "--target", "label", *FAST])
    assert code == 0, err
    assert "40 rows" in out and "yes: 24" in out


def test_target_with_spaces_and_padding_is_found(tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text(TEXT.replace("label,", "my label,", 1), encoding="utf-8")
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", " my label ", *FAST]
    )
    assert code == 0, err
    assert "40 rows" in out


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("--seed", "1.5", "argument --seed: invalid int value"),
        ("--seed", "-1", "--seed must be >= 0"),
        ("--seed", str(2**40), "--seed must be <= 4294967295"),
        ("--folds", "1", "--folds must be >= 2"),
        ("--n-jobs", "0", "--n-jobs=0 runs nothing"),
        ("--data", "-", "argument --data: '-' \\(standard input\\) is not read"),
        ("--json", "out", "--json .*unknown extension"),
        ("--plot", "-", "'-' \\(standard output\\) is only for --json"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, option, value, match):
    path = tmp_path / "t.csv"
    path.write_text(TEXT, encoding="utf-8")
    argv = ["compare", "--data", str(path), "--target", "label", "--methods", "none"]
    if option == "--data":
        argv[2] = value
    else:
        argv += [option, value if value != "out" else str(tmp_path / "out")]
    code, out, err = _run(argv)
    assert code == 2
    assert "Traceback" not in err
    assert any(re.search(match, line) for line in err.splitlines()), err


def test_output_in_missing_folder_is_refused_before_any_fit(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TEXT, encoding="utf-8")
    missing = tmp_path / "no such folder" / "scores.json"
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST]
        + ["--json", str(missing)]
    )
    assert isinstance(code, str) and "--json" in code and "does not exist" in code
    assert "\n" not in code and out == ""


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--target", "LABEL"], "did you mean --target 'label'"),
        (["--target", "label", "--drop", "A"], "did you mean --drop 'a'"),
        (["--target", "label", "--positive-label", "NO"], "'no' is, in another case"),
    ],
)
def test_other_case_names_the_right_spelling(tmp_path, argv, match):
    path = tmp_path / "t.csv"
    path.write_text(TEXT, encoding="utf-8")
    code, _, _ = _run(["compare", "--data", str(path), *argv, *FAST])
    assert isinstance(code, str) and match in code


def test_header_only_and_repeated_names_are_one_line_errors(tmp_path):
    header = tmp_path / "header.csv"
    header.write_text("label,a,b\n", encoding="utf-8")
    code, _, _ = _run(["compare", "--data", str(header), "--target", "label", *FAST])
    assert isinstance(code, str) and "no data rows" in code
    twice = tmp_path / "twice.csv"
    twice.write_text(TEXT.replace("label,a,b", "label,a,a", 1), encoding="utf-8")
    code, _, _ = _run(["compare", "--data", str(twice), "--target", "label", *FAST])
    assert isinstance(code, str) and "names the column(s) ['a'] twice" in code
