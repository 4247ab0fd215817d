"""Review 48: `rebalance compare` input reading (h-cli). Column names that
differ only in surrounding spaces, Parquet folders whose files store a
column as int64 in one and float64 in another, and class labels that are
dates, times, bytes or decimals in the summary, the notes and --json."""

from __future__ import annotations

import datetime
import decimal
import json

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns
from rebalance.cli import main
from rebalance.compare import compare, encode_target

pytest.importorskip("pyarrow")

FAST = ["--folds", "2", "--methods", "none"]


def _run(argv, capsys):
    """(exit status, stdout, stderr) of ``rebalance`` with ``argv``."""
    message = ""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, str):  # as Python exits: the text on stderr, 1
            code, message = 1, code
    captured = capsys.readouterr()
    return code, captured.out, captured.err + message


def _flat(text: str) -> str:
    return " ".join(text.split())


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    positive = (x + 0.5 * rng.normal(size=n)) > 0.6
    return pd.DataFrame({"x": x, "z": rng.normal(size=n)}), positive


# ------------------------------------------- names apart only by their spaces


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
@pytest.mark.parametrize("option", [[], ["--drop", " x"], ["--drop", "x "]])
def test_names_differing_in_spaces_are_refused(tmp_path, capsys, suffix, option):
    # Before: "x" and "x " (a header "x,x ," or a Parquet file) were two
    # features, and --drop " x" dropped whichever came last, the other one
    # staying in without a word.
    frame, positive = _table()
    frame["x "] = frame["x"] * 2
    frame["label"] = np.where(positive, "yes", "no")
    path = tmp_path / f"data.{suffix}"
    if suffix == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *option, *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "the columns 'x' and 'x ' differ only in surrounding spaces" in _flat(err)
    assert "Rename them apart" in _flat(err)


def test_target_and_a_spaced_copy_are_refused(tmp_path, capsys):
    # --target label with a column "label " beside it: the copy of the
    # labels would have been a feature (a leak).
    frame, positive = _table()
    frame["label"] = np.where(positive, "yes", "no")
    frame[" label"] = frame["label"]
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "'label' and ' label' differ only in surrounding spaces" in _flat(err)


def test_python_api_refuses_names_differing_in_spaces():
    frame, positive = _table()
    frame[" x"] = frame["x"]
    with pytest.raises(ValueError, match="'x' and ' x' differ only in surrounding"):
        plan_columns(frame)
    with pytest.raises(ValueError, match="differ only in surrounding spaces"):
        compare(frame, positive, folds=2, method_names=["none"], drop=["x"])


def test_names_apart_otherwise_are_kept():
    frame, _ = _table()
    frame["x2"] = frame["x"] * 2
    assert list(plan_columns(frame).used) == ["x", "z", "x2"]


# ------------------------------------ a Parquet folder, int64 then float64


def _mixed_folder(folder, partitioned):
    rng = np.random.default_rng(3)
    first = pd.DataFrame(
        {
            "count": rng.integers(0, 9, 40).astype("int64"),
            "x": rng.normal(size=40),
            "label": np.repeat(["a", "b"], 20),
        }
    )
    second = pd.DataFrame(
        {
            "count": np.where(np.arange(40) % 7 == 0, np.nan, 1.5 * np.arange(40)),
            "x": rng.normal(size=40),
            "label": np.repeat(["a", "b"], 20),
        }
    )
    paths = (
        [folder / "g=p" / "part.parquet", folder / "g=q" / "part.parquet"]
        if partitioned
        else [folder / "part-0.parquet", folder / "part-1.parquet"]
    )
    for part, path in zip((first, second), paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        part.to_parquet(path, index=False)
    return paths


@pytest.mark.parametrize("partitioned", [False, True])
def test_folder_with_int64_and_float64_files_is_read(tmp_path, partitioned):
    # Before: "its Parquet files could not be read as one table (Float value
    # 1.500000 was truncated converting to int64)".
    from rebalance.cli import _load_table

    folder = tmp_path / "data"
    paths = _mixed_folder(folder, partitioned)
    X, y = _load_table(str(folder), "label")
    expected = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    assert X["count"].dtype == np.float64
    np.testing.assert_array_equal(X["count"].to_numpy(), expected["count"].to_numpy())
    np.testing.assert_array_equal(X["x"].to_numpy(), expected["x"].to_numpy())
    assert list(y) == expected["label"].tolist()
    if partitioned:
        assert X["g"].astype(str).tolist() == ["p"] * 40 + ["q"] * 40


def test_folder_with_int64_and_float64_files_compares(tmp_path, capsys):
    folder = tmp_path / "data"
    _mixed_folder(folder, partitioned=False)
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 0, err
    assert ": 80 rows, 2 classes (" in _flat(out)


def test_folder_with_numbers_and_text_is_still_refused(tmp_path, capsys):
    # No type holds both: the error as before, not a silent cast.
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame({"v": [1.5, 2.5] * 10, "label": ["a", "b"] * 10}).to_parquet(
        folder / "part-0.parquet"
    )
    pd.DataFrame({"v": ["x", "y"] * 10, "label": ["a", "b"] * 10}).to_parquet(
        folder / "part-1.parquet"
    )
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "could not be read as one table" in _flat(err)


# ------------------------------------------- labels as a CSV file shows them


def _labelled(kind, positive):
    if kind == "date":
        return (
            [
                datetime.date(2024, 6, 1) if p else datetime.date(2024, 1, 1)
                for p in positive
            ],
            "'2024-06-01'",
            "2024-01-01: ",
        )
    if kind == "timestamp":
        return (
            pd.to_datetime(np.where(positive, "2024-06-01", "2024-01-01")),
            "'2024-06-01'",
            "2024-01-01: ",
        )
    if kind == "time":
        return (
            [datetime.time(12, 30) if p else datetime.time(8) for p in positive],
            ("'12:30:00'"),
            "08:00:00: ",
        )
    if kind == "bytes":
        return [b"yes" if p else b"no" for p in positive], "'yes'", "no: "
    return (
        [decimal.Decimal("1.00") if p else decimal.Decimal("0.00") for p in positive],
        "1.00",
        "0.00: ",
    )


KINDS = ["date", "timestamp", "time", "bytes", "decimal"]


@pytest.mark.parametrize("kind", KINDS)
def test_parquet_labels_are_shown_as_text(tmp_path, capsys, kind):
    # Before: "Positive class datetime.date(2024, 6, 1)", "b'yes'",
    # "Decimal('1.00')"; a timestamp target refused with "y has dtype
    # datetime64 ... y.astype(str)" (a CSV of it compares).
    frame, positive = _table()
    frame["label"], shown, first = _labelled(kind, positive)
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", "--json", "-", *FAST],
        capsys,
    )
    assert code == 0, err
    summary = _flat(err)  # --json -: the table and notes go to stderr
    assert f"Positive class {shown} (the minority" in summary
    assert f"2 classes ({first}" in summary
    assert "datetime." not in summary and "b'" not in summary
    assert "Decimal(" not in summary
    data = json.loads(out)
    assert data["positive_label"] == shown.strip("'")


@pytest.mark.parametrize("kind", ["date", "time", "bytes"])
def test_parquet_text_labels_take_positive_label_as_written(tmp_path, capsys, kind):
    # --positive-label as the CSV shows the class: b"no" before was not "no".
    frame, positive = _table()
    frame["label"], _, first = _labelled(kind, positive)
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    name = first.rstrip(": ")
    code, out, err = _run(
        [
            "compare",
            "--data",
            str(path),
            "--target",
            "label",
            "--positive-label",
            name,
            *FAST,
        ],
        capsys,
    )
    assert code == 0, err
    assert f"Positive class '{name}' (chosen with --positive-label)" in _flat(out)


def test_fractional_decimal_target_names_target(tmp_path, capsys):
    # Before: "Unknown label type: y is continuous": the Python name, where
    # the same column in a CSV gets the --target error.
    frame, positive = _table()
    frame["label"] = [
        decimal.Decimal("1.50") if p else decimal.Decimal("2.25") for p in positive
    ]
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    message = _flat(err)
    assert "--target 'label' looks continuous (2 distinct decimal values" in message
    assert "1.50, 2.25" in message and " y " not in message


def test_many_decimal_ids_as_target_are_refused_as_continuous(tmp_path, capsys):
    # As the same numbers from a CSV: a class a row is no target.
    frame, _ = _table()
    frame["label"] = [decimal.Decimal(i) for i in range(len(frame))]
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "--target 'label' looks continuous (60 distinct decimal" in _flat(err)


@pytest.mark.parametrize("kind", ["date", "time", "bytes", "decimal"])
def test_python_api_shows_labels_as_text(kind):
    frame, positive = _table()
    labels, shown, first = _labelled(kind, positive)
    assert encode_target(np.asarray(labels, dtype=object)).note.startswith(
        f"positive class {shown} "
    )
    result = compare(
        frame, np.asarray(labels, dtype=object), folds=2, method_names=["none"]
    )
    text = result.describe("data", "logistic", 0)
    assert f"({first}" in text and f"Positive class {shown}" in text
    data = result.to_json()
    assert data["positive_label"] == shown.strip("'")
    assert first.rstrip(": ") in data["classes"]
    json.dumps(data)


def test_python_api_rest_label_is_text():
    # Three classes, one against the rest: "not 2024-01-01", not
    # "not b'...'" or a repr.
    days = [datetime.date(2024, m, 1) for m in (1, 2, 3)] * 20
    target = encode_target(
        np.asarray([d.isoformat().encode() for d in days], dtype=object),
        positive_label="2024-02-01",
    )
    assert target.labels[0] == "not 2024-02-01"


def test_decimal_target_takes_positive_label_as_a_number(tmp_path, capsys):
    # "1" names the class 1.00, as it names 1.0 in the same CSV table.
    frame, positive = _table()
    frame["label"], _, _ = _labelled("decimal", positive)
    path = tmp_path / "data.parquet"
    frame.to_parquet(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label",
         "--positive-label", "0", *FAST],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "Positive class 0.00 (chosen with --positive-label)" in _flat(out)


def test_folder_column_of_later_files_only_is_read(tmp_path):
    # A column the first file lacks (added to the data set later): before,
    # left out without a word (pyarrow reads every file with the first
    # one's columns); now missing in the first file's rows, as pandas
    # concatenating the files gets it.
    from rebalance.cli import _load_table

    folder = tmp_path / "data"
    folder.mkdir()
    parts = [
        pd.DataFrame({"x": [1.0, 2.0] * 10, "label": ["a", "b"] * 10}),
        pd.DataFrame(
            {"x": [3.0, 4.0] * 10, "w": [5, 6] * 10, "label": ["a", "b"] * 10}
        ),
    ]
    for i, part in enumerate(parts):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    X, _ = _load_table(str(folder), "label")
    expected = pd.concat(parts, ignore_index=True).drop(columns="label")
    assert sorted(X.columns) == sorted(expected.columns)
    np.testing.assert_array_equal(
        X["w"].to_numpy(dtype=float), expected["w"].to_numpy(dtype=float)
    )
