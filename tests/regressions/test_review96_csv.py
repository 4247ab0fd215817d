"""Review 96 csv: `rebalance compare --data file.csv` on messy real-world CSV files.

Each test writes a small file (<= 250 rows) and runs the command in process
(``rebalance.cli.main``) with ``--folds 3`` and two or three fixes; one test
runs the installed command in a subprocess for the exit status and stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from rebalance._columns import plan_columns, prepare_frame
from rebalance.cli import _load_table, main

FAST = ["--folds", "3", "--methods", "none,class-weight"]


def _run(*argv):
    """(exit status, stdout, stderr) of ``rebalance compare ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["compare", *argv])
        except SystemExit as exc:
            if isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    return code, out.getvalue(), err.getvalue()


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = np.where(a + rng.normal(size=n) > 1.0, "yes", "no")
    return a, b, y


def _write(path, lines, newline="\n", encoding="utf-8", bom=False):
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    path.write_bytes(text.encode(encoding))
    return str(path)


def _plain(tmp_path, name="plain.csv", **kwargs):
    a, b, y = _data()
    lines = ["a,b,label"] + [f"{u:.3f},{v:.3f},{t}" for u, v, t in zip(a, b, y)]
    return _write(tmp_path / name, lines, **kwargs)


def _one_error_line(err):
    lines = [line for line in err.strip().splitlines() if "notice:" not in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _table_rows(out):
    """{method: (avg prec mean, avg prec std)} from the printed table."""
    rows = {}
    for line in out.splitlines():
        match = re.match(r"^(\S+)\s+(\d\.\d{3}) \+- (\d\.\d{3})\s", line)
        if match:
            rows[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    return rows


def test_semicolon_decimal_comma_read_as_numbers(tmp_path):
    a, b, y = _data()
    lines = ["a;b;label"] + [
        f"{u:.3f};{v * 1000:.2f};{t}".replace(".", ",") for u, v, t in zip(a, b, y)
    ]
    path = _write(tmp_path / "semi.csv", lines)
    X, labels = _load_table(path, "label")
    plan = plan_columns(X)
    assert plan.used == {"a": "numeric", "b": "numeric"}
    values = prepare_frame(X, plan)
    np.testing.assert_allclose(values["a"], np.round(a, 3))
    np.testing.assert_allclose(values["b"], np.round(b * 1000, 2))
    assert list(labels) == list(y)


def test_bom_crlf_file_scores_as_the_plain_file(tmp_path):
    plain = _plain(tmp_path)
    messy = _plain(tmp_path, "bom.csv", newline="\r\n", bom=True)
    scores = []
    for path in (plain, messy):
        target = tmp_path / (path.rsplit("/", 1)[1] + ".json")
        code, _, err = _run(
            "--data", path, "--target", "label", *FAST, "--json", str(target)
        )
        assert code == 0, err
        scores.append(json.loads(target.read_text())["scores"])
    assert scores[0] == scores[1]


def test_quoted_fields_with_embedded_newlines(tmp_path):
    a, _, y = _data()
    lines = ["x,comment,label"] + [
        f'{u:.2f},"first\r\nsecond {i % 4}","{t}"' for i, (u, t) in enumerate(zip(a, y))
    ]
    path = _write(tmp_path / "qnl.csv", lines, newline="\r\n")
    code, out, err = _run("--data", path, "--target", "label", *FAST, "--json", "-")
    assert code == 0, err
    data = json.loads(out)
    assert data["class_counts"] == {
        "no": int((y == "no").sum()),
        "yes": int((y == "yes").sum()),
    }
    assert data["columns"]["used"] == {"x": "numeric", "comment": "text"}


def test_target_name_with_spaces_and_other_case(tmp_path):
    a, b, y = _data()
    lines = ["a,b, Label "] + [f"{u:.3f},{v:.3f},{t}" for u, v, t in zip(a, b, y)]
    path = _write(tmp_path / "spaced.csv", lines)
    for name in ("Label", " Label "):
        code, _, err = _run("--data", path, "--target", name, *FAST)
        assert code == 0, err
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 1
    line = _one_error_line(err)
    assert "--target 'label'" in line and "did you mean --target 'Label '" in line


def test_labels_with_trailing_spaces_are_one_class_with_a_notice(tmp_path):
    a, b, y = _data()
    lines = ["a,b,label"] + [
        f"{u:.3f},{v:.3f},{t}{' ' * (i % 2)}"
        for i, (u, v, t) in enumerate(zip(a, b, y))
    ]
    path = _write(tmp_path / "trail.csv", lines)
    code, out, err = _run("--data", path, "--target", "label", *FAST, "--json", "-")
    assert code == 0, err
    data = json.loads(out)
    assert data["classes"] == ["no", "yes"]
    assert "surrounding spaces" in err
    assert any("surrounding spaces" in note for note in data["notes"])
    code, _, err = _run(
        "--data", path, "--target", "label", *FAST, "--positive-label", "yes "
    )
    assert code == 0, err


def test_missing_labels_name_the_rows(tmp_path):
    a, b, y = _data()
    lines = ["a,b,label"] + [
        f"{u:.3f},{v:.3f},{'' if i in (3, 7) else t}"
        for i, (u, v, t) in enumerate(zip(a, b, y))
    ]
    path = _write(tmp_path / "miss.csv", lines)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 1
    line = _one_error_line(err)
    assert "--target column 'label'" in line and "rows 4 and 8" in line
    assert "Drop those rows" in line


def test_one_class_target_error_names_the_column(tmp_path):
    a, b, _ = _data()
    lines = ["a,b,label"] + [f"{u:.3f},{v:.3f},yes" for u, v in zip(a, b)]
    path = _write(tmp_path / "one.csv", lines)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 1
    line = _one_error_line(err)
    # Now: "the target has 1 class(es) (['yes']): compare needs two classes
    # or more." -- no column name, no way forward.
    assert "--target 'label'" in line


def test_single_row_class_error_names_the_column(tmp_path):
    a, b, y = _data()
    y = y.astype(object)
    y[7] = "rare"
    lines = ["a,b,label"] + [f"{u:.3f},{v:.3f},{t}" for u, v, t in zip(a, b, y)]
    path = _write(tmp_path / "rare.csv", lines)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 1
    line = _one_error_line(err)
    assert "['rare'] of --target 'label' have a single row" in line
    assert "--positive-label" in line


def test_minority_smaller_than_folds(tmp_path):
    rng = np.random.default_rng(0)
    labels = ["no"] * 250
    labels[5] = labels[100] = "yes"
    lines = ["a,label"] + [f"{u:.3f},{t}" for u, t in zip(rng.normal(size=250), labels)]
    path = _write(tmp_path / "skew.csv", lines)
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 1
    line = _one_error_line(err)
    assert "--folds 3" in line and "pass --folds 2" in line
    code, _, err = _run(
        "--data", path, "--target", "label", "--folds", "2", "--methods", "none"
    )
    assert code == 0, err


def test_text_numbers_dates_booleans_and_dropped_columns(tmp_path):
    a, b, y = _data()
    lines = ["income,price,pct,when,flag,empty,const,cid,label"] + [
        f'"{int(abs(u) * 100000):,}","${abs(v) * 1000:,.2f}",{abs(u) * 10:.1f}%,'
        f"2024-0{1 + i % 9}-1{i % 10},{'TRUE' if u > 0 else 'False'},,7,{1000 + i},{t}"
        for i, (u, v, t) in enumerate(zip(a, b, y))
    ]
    path = _write(tmp_path / "messy.csv", lines)
    X, _ = _load_table(path, "label")
    plan = plan_columns(X)
    assert plan.used == {
        "income": "numeric",
        "price": "numeric",
        "pct": "numeric",
        "when": "datetime",
        "flag": "numeric",
        "const": "numeric",
    }
    assert set(plan.dropped) == {"empty", "cid"}
    values = prepare_frame(X, plan)
    np.testing.assert_allclose(values["income"], (np.abs(a) * 100000).astype(int))
    np.testing.assert_allclose(values["price"], np.round(np.abs(b) * 1000, 2))
    np.testing.assert_allclose(values["pct"], np.round(np.abs(a) * 10, 1) / 100)
    np.testing.assert_array_equal(values["flag"].astype(float), (a > 0).astype(float))
    code, _, err = _run("--data", path, "--target", "label", *FAST)
    assert code == 0, err


def test_duplicated_column_names_are_an_error(tmp_path):
    a, b, y = _data()
    for header, name in (("a,a,label", "['a']"), ("a,label,label", "['label']")):
        lines = [header] + [f"{u:.3f},{v:.3f},{t}" for u, v, t in zip(a, b, y)]
        path = _write(tmp_path / "dup.csv", lines)
        code, _, err = _run("--data", path, "--target", "label", *FAST)
        assert code == 1
        line = _one_error_line(err)
        assert name in line and "rename or delete" in line


def test_wide_file_500_columns(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(200, 500)).round(2)
    labels = np.where(values[:, 0] + rng.normal(size=200) > 1, "pos", "neg")
    lines = [",".join([f"c{j}" for j in range(500)] + ["label"])] + [
        ",".join(map(str, row)) + "," + t for row, t in zip(values, labels)
    ]
    path = _write(tmp_path / "wide.csv", lines)
    code, out, err = _run("--data", path, "--target", "label", *FAST, "--json", "-")
    assert code == 0, err
    assert len(json.loads(out)["columns"]["used"]) == 500


def test_excel_german_export(tmp_path):
    # cp1252, "sep=;" line, CRLF, decimal commas, euro amounts, percentages,
    # and two trailing empty columns as Excel writes them.
    a, b, y = _data(seed=1)
    lines = ["sep=;", "Größe;Preis;Anteil;Ziel;;"] + [
        f"{u:.2f};{abs(v) * 1000:.2f} €;{abs(u) * 10:.1f} %;".replace(".", ",")
        + f"{t};;"
        for u, v, t in zip(a, b, y)
    ]
    path = _write(tmp_path / "excel.csv", lines, newline="\r\n", encoding="cp1252")
    X, _ = _load_table(path, "Ziel")
    plan = plan_columns(X)
    assert plan.used == {
        "Größe": "numeric",
        "Preis": "numeric",
        "Anteil": "numeric",
    }
    values = prepare_frame(X, plan)
    np.testing.assert_allclose(values["Größe"], np.round(a, 2))
    np.testing.assert_allclose(values["Preis"], np.round(np.abs(b) * 1000, 2))
    np.testing.assert_allclose(values["Anteil"], np.round(np.abs(a) * 10, 1) / 100)
    code, _, err = _run("--data", path, "--target", "Ziel", *FAST)
    assert code == 0, err


def test_json_agrees_with_table_and_input_is_untouched(tmp_path):
    path = _plain(tmp_path, newline="\r\n", bom=True)
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    target = tmp_path / "scores.json"
    code, out, err = _run(
        "--data",
        path,
        "--target",
        "label",
        "--folds",
        "3",
        "--methods",
        "none,class-weight,under",
        "--json",
        str(target),
    )
    assert code == 0, err
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before
    data = json.loads(target.read_text())
    table = _table_rows(out)
    assert set(table) == set(data["scores"]) == {"none", "class-weight", "under"}
    for method, (mean, std) in table.items():
        folds = data["scores"][method]["average_precision"]
        assert len(folds) == 3
        assert mean == pytest.approx(np.mean(folds), abs=5e-4)
        assert std == pytest.approx(np.std(folds), abs=5e-4)
        summary = data["summary"][method]["average_precision"]
        assert summary["mean"] == pytest.approx(np.mean(folds))


def test_usage_error_exit_2_without_traceback(tmp_path):
    path = _plain(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "rebalance.cli", "compare", "--data", path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert "--target" in line


def test_trailing_empty_rows_of_a_spreadsheet_are_left_out(tmp_path):
    # Before: ";;;;;" lines below the table (cells Excel keeps formatted)
    # stopped the run as "--target column 'Ziel' has 2 missing labels".
    a, b, y = _data(seed=1)
    rows = [f"{u:.2f};{v:.2f};{t};;" for u, v, t in zip(a, b, y)]
    lines = ["a;b;Ziel;;", *rows, ";;;;", ";;;;"]
    path = _write(tmp_path / "excel.csv", lines, newline="\r\n")
    X, labels = _load_table(path, "Ziel")
    assert X.shape[0] == len(labels) == len(y)
    assert list(labels) == list(y)
    code, _, err = _run("--data", path, "--target", "Ziel", *FAST)
    assert code == 0, err
    assert "the last 2 rows of --data" in err
    # An empty row inside the table is a row with a missing label, counted
    # as before (its number unchanged by the trailing rows left out).
    inner = ["a;b;Ziel;;", *rows[:5], ";;;;", *rows[5:], ";;;;"]
    path = _write(tmp_path / "inner.csv", inner)
    code, _, err = _run("--data", path, "--target", "Ziel", *FAST)
    assert code == 1
    assert "1 missing label (data row 6," in _one_error_line(err)
