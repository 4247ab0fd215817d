"""Review 133, clinotices: the notices ``rebalance compare`` gives.

Reviewed ``rebalance/cli.py``: ``_notice``, ``_NOTICES`` and every call site
(row names beside a trailing separator, markers of missing numbers in
apostrophe-thousands and decimal-comma columns, dotted thousands in ';'
files, markers read by ``missing_as_na``, trailing empty rows, one label
written several ways, labels differing only in spaces or in case). For each
kind the smallest file that triggers it is run in process through
``cli.main([... "--methods", "none", "--folds", "2", "--json", ...])``:
the notice's text quotes the column, counts and values the file holds
(counted here from the frame written), it is printed once on stderr (never
in the ``--json -`` stdout stream), it is in ``notes`` of --json and in the
summary of --report (README: "``notes`` in --json and --report"), and a
second ``cli.main`` call in the same process does not repeat the first's
notices (also after a failed first call). Clean files give no notice.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest

from rebalance import cli

N = 24
LABELS = ["a"] * 16 + ["b"] * 8
PREFIX = "rebalance compare: notice: "


def _numbers(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": np.round(rng.normal(size=N), 2),
            "z": np.round(rng.normal(size=N), 2),
        }
    )


def _run(path, capsys, *extra, json_to="-"):
    argv = ["compare", "--data", str(path), "--target", "label"]
    argv += ["--methods", "none", "--folds", "2", "--json", json_to, *extra]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    notices = [
        line[len(PREFIX) :]
        for line in captured.err.splitlines()
        if line.startswith(PREFIX)
    ]
    return captured, notices


def _check(path, capsys, expected: list[str]) -> None:
    """--json -: stdout is the JSON alone, its notes are the notices, each
    printed once on stderr, and no notice text is on stdout."""
    captured, notices = _run(path, capsys)
    data = json.loads(captured.out)  # nothing but the JSON on stdout
    assert notices == expected
    assert data["notes"] == expected
    assert "notice" not in captured.out.replace('"notes"', "")
    for text in expected:
        assert captured.err.count(PREFIX + text) == 1


# --- one file per kind of notice ------------------------------------------


def test_markers_of_missing_numbers_name_column_markers_and_count(tmp_path, capsys):
    frame = _numbers().astype(str)
    frame.loc[[3, 7, 11], "x"] = "?"
    frame.loc[5, "z"] = "-"
    frame["label"] = LABELS
    frame.to_csv(tmp_path / "d.csv", index=False)
    x = int((frame["x"] == "?").sum())
    z = int((frame["z"] == "-").sum())
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            f"column 'x' holds numbers and '?' ({x} rows): read as missing.",
            f"column 'z' holds numbers and '-' ({z} row): read as missing.",
        ],
    )


def test_trailing_empty_rows_counted(tmp_path, capsys):
    frame = _numbers().assign(label=LABELS)
    empty = 3
    text = frame.to_csv(index=False) + ",,\n" * empty
    (tmp_path / "d.csv").write_text(text)
    path = str(tmp_path / "d.csv")
    _check(
        path,
        capsys,
        [
            f"the last {empty} rows of --data {path!r} are empty in every column "
            "(as a spreadsheet writes cleared cells below a table): left out."
        ],
    )
    X, y = cli._load_table(path, "label")
    assert len(y) == N and list(y) == LABELS


def test_one_label_written_two_ways(tmp_path, capsys):
    frame = _numbers().assign(label=["1"] * 10 + ["1.0"] * 6 + ["0"] * 8)
    frame.to_csv(tmp_path / "d.csv", index=False)
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            "--target 'label' writes one value in several ways ('1' and '1.0'); "
            "they are compared as different classes, as written in the file. If "
            "they are one class, write them alike."
        ],
    )


def test_labels_differing_in_trailing_spaces(tmp_path, capsys):
    frame = _numbers().assign(label=["yes"] * 10 + ["yes "] * 6 + ["no"] * 8)
    frame.to_csv(tmp_path / "d.csv", index=False)
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            "labels of --target 'label' differ only in surrounding spaces ('yes' "
            "and 'yes ' as 'yes'); they are read as one class. If they are "
            "different classes, name them differently in the file."
        ],
    )
    _, y = cli._load_table(str(tmp_path / "d.csv"), "label")
    assert sorted(set(y)) == ["no", "yes"]


def test_labels_differing_in_case_told_once_not_again_by_compare(tmp_path, capsys):
    frame = _numbers().assign(label=["yes"] * 10 + ["Yes"] * 6 + ["no"] * 8)
    frame.to_csv(tmp_path / "d.csv", index=False)
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            "classes of --target 'label' differ only in case or surrounding "
            "spaces ('Yes' and 'yes'); they are compared as different classes. "
            "If they are one class, write them alike in the file."
        ],
    )


def test_dotted_thousands_in_semicolon_file(tmp_path, capsys):
    frame = _numbers().assign(x=["12.500", "800", "1.250", "3"] * 6, label=LABELS)
    frame.to_csv(tmp_path / "d.csv", index=False, sep=";")
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            "column 'x' of this ';'-separated file: numbers such as '12.500' were "
            "read with a decimal point (12.5); in the locales that write ';' "
            "files the dot separates thousands (12500). If it does here, write "
            "the numbers without those dots (or the file with decimal commas, as "
            "a spreadsheet in that locale saves it)."
        ],
    )
    X, _ = cli._load_table(str(tmp_path / "d.csv"), "label")
    assert X["x"].tolist()[:4] == [12.5, 800.0, 1.25, 3.0]  # as the notice says


def test_marker_in_decimal_comma_column_told_once(tmp_path, capsys):
    frame = _numbers()
    text = [f"{v:.2f}".replace(".", ",") for v in frame["x"]]
    text[2] = "?"
    frame["x"] = text
    frame["label"] = LABELS
    frame.to_csv(tmp_path / "d.csv", index=False, sep=";")
    _check(
        tmp_path / "d.csv",
        capsys,
        ["column 'x' holds numbers and '?' (1 row): read as missing."],
    )
    X, _ = cli._load_table(str(tmp_path / "d.csv"), "label")
    expected = [np.nan if t == "?" else float(t.replace(",", ".")) for t in text]
    np.testing.assert_array_equal(X["x"].to_numpy(), expected)


def test_marker_in_apostrophe_thousands_column(tmp_path, capsys):
    text = ["1'234.5", "2'000", "?", "12"] * 6
    frame = _numbers().assign(x=text, label=LABELS)
    frame.to_csv(tmp_path / "d.csv", index=False)
    count = text.count("?")
    _check(
        tmp_path / "d.csv",
        capsys,
        [f"column 'x' holds numbers and '?' ({count} rows): read as missing."],
    )
    X, _ = cli._load_table(str(tmp_path / "d.csv"), "label")
    expected = [np.nan if t == "?" else float(t.replace("'", "")) for t in text]
    np.testing.assert_array_equal(X["x"].to_numpy(), expected)


def test_row_names_or_trailing_separator_told_with_the_file_names(tmp_path, capsys):
    frame = _numbers()
    lines = ["x,z,label,extra"] + [
        f"r{i},{a},{b},{c},"
        for i, (a, b, c) in enumerate(zip(frame["x"], frame["z"], LABELS))
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    _check(
        tmp_path / "d.csv",
        capsys,
        [
            "every data line has one field more than the line of column names "
            "and ends with an empty field: the first field of each line was read "
            "as row names (as R's write.table writes them), and the last column "
            "'extra' is empty. If instead each data line ends with a separator "
            "(the first field of each line being 'x'), remove those separators."
        ],
    )
    X, y = cli._load_table(str(tmp_path / "d.csv"), "label")
    assert list(y) == LABELS
    np.testing.assert_array_equal(X["x"].to_numpy(), frame["x"].to_numpy())


def test_marker_in_parquet_text_column(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    text = [f"{v:.2f}" for v in _numbers()["x"]]
    text[3] = text[4] = "?"
    frame = pd.DataFrame(
        {"x": pd.Series(text, dtype="string"), "z": _numbers(1)["z"], "label": LABELS}
    )
    frame.to_parquet(tmp_path / "d.parquet")
    _check(
        tmp_path / "d.parquet",
        capsys,
        ["column 'x' holds numbers and '?' (2 rows): read as missing."],
    )


# --- once, in the summary, --json file and --report --------------------------


def test_once_with_several_methods_and_folds_in_summary_json_and_report(
    tmp_path, capsys
):
    pytest.importorskip("matplotlib")
    frame = _numbers().astype(str)
    frame.loc[[3, 7], "x"] = "?"
    frame["label"] = LABELS
    frame.to_csv(tmp_path / "d.csv", index=False)
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "label"]
    argv += ["--methods", "none,under", "--folds", "2", "--repeats", "2"]
    argv += ["--json", str(tmp_path / "s.json"), "--report", str(tmp_path / "r.html")]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    note = "column 'x' holds numbers and '?' (2 rows): read as missing."
    assert captured.err.count(note) == 1  # the notice, once
    assert captured.err.count("notice:") == 1
    # The summary (stdout without --json -) notes it once, capitalised.
    assert captured.out.count("holds numbers and '?'") == 1
    assert json.loads((tmp_path / "s.json").read_text())["notes"] == [note]
    report = (tmp_path / "r.html").read_text()
    assert report.count(html.escape("Column 'x' holds numbers and '?'")) == 1


# --- _NOTICES between calls --------------------------------------------------


def test_second_call_does_not_repeat_the_first_calls_notices(tmp_path, capsys):
    marked = _numbers().astype(str)
    marked.loc[[3, 7], "x"] = "?"
    marked.assign(label=LABELS).to_csv(tmp_path / "m.csv", index=False)
    spelled = _numbers().assign(label=["1"] * 10 + ["1.0"] * 6 + ["0"] * 8)
    spelled.to_csv(tmp_path / "s.csv", index=False)
    _numbers().assign(label=LABELS).to_csv(tmp_path / "c.csv", index=False)

    _, first = _run(tmp_path / "m.csv", capsys, json_to=str(tmp_path / "1.json"))
    assert len(first) == 1
    captured, second = _run(tmp_path / "s.csv", capsys)
    assert len(second) == 1 and "several ways" in second[0]
    assert json.loads(captured.out)["notes"] == second
    captured, third = _run(tmp_path / "c.csv", capsys)
    assert third == [] and json.loads(captured.out)["notes"] == []
    assert "Notes:" not in captured.err  # the summary (stderr with --json -)
    # The first file's JSON was written with its own notice only.
    assert json.loads((tmp_path / "1.json").read_text())["notes"] == first


def test_failed_call_leaves_no_notice_to_the_next(tmp_path, capsys):
    marked = _numbers().astype(str)
    marked.loc[[3, 7], "x"] = "?"
    marked.assign(label=LABELS).to_csv(tmp_path / "m.csv", index=False)
    _numbers().assign(label=LABELS).to_csv(tmp_path / "c.csv", index=False)
    argv = ["compare", "--data", str(tmp_path / "m.csv"), "--target", "label"]
    with pytest.raises(SystemExit):
        cli.main([*argv, "--methods", "none", "--folds", "2", "--drop", "nope"])
    assert "holds numbers and '?'" in capsys.readouterr().err  # told before
    captured, notices = _run(tmp_path / "c.csv", capsys)
    assert notices == [] and json.loads(captured.out)["notes"] == []


# --- no notice for ordinary files ------------------------------------------


def test_clean_files_give_no_notice(tmp_path, capsys):
    frame = _numbers().assign(label=LABELS)
    frame.to_csv(tmp_path / "plain.csv", index=False)
    # A decimal-comma ';' file without markers; plain decimals in a ';' file.
    comma = frame.assign(x=[f"{v:.2f}".replace(".", ",") for v in frame["x"]])
    comma.to_csv(tmp_path / "comma.csv", index=False, sep=";")
    frame.assign(x=[f"{v:.1f}" for v in frame["x"]]).to_csv(
        tmp_path / "dots.csv", index=False, sep=";"
    )
    # Text labels with distinct names, row names written by pandas (a
    # header cell for them): no ambiguity.
    frame.assign(label=["yes"] * 16 + ["no"] * 8).set_axis(
        [f"r{i}" for i in range(N)]
    ).to_csv(tmp_path / "named.csv", index_label="id")
    paths = ["plain.csv", "comma.csv", "dots.csv", "named.csv"]
    for name in paths:
        captured, notices = _run(tmp_path / name, capsys)
        assert notices == [], name
        assert "notice" not in captured.err, name
        assert json.loads(captured.out)["notes"] == [], name
