"""Review 49: `rebalance compare` input reading (h-cli). Class labels that
are bytes in the HTML report and figures of the Python API; Parquet folders
whose files store a column with different types, against pandas reading the
files one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance.compare import compare

pytest.importorskip("matplotlib")


def _bytes_result(classes):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    codes = np.digitize(x[:, 0], np.quantile(x[:, 0], [1 / 3, 2 / 3])[: classes - 1])
    y = np.array([[b"no", b"yes", b"maybe"][c] for c in codes], dtype=object)
    return compare(x, y, folds=2, method_names=["none"], progress=False)


def test_report_shows_bytes_labels_as_text(tmp_path):
    # Before: the per-class table of report() showed b'yes' (str of the
    # bytes), where the summary and --json show yes.
    result = _bytes_result(3)
    path = tmp_path / "report.html"
    result.report(str(path))
    text = path.read_text(encoding="utf-8")
    assert "b&#x27;" not in text
    assert "<th>yes</th>" in text and "<th>maybe</th>" in text


def test_figure_caption_shows_bytes_labels_as_text():
    # Before: the PR / ROC captions of plot() and report() read
    # "positive class b'yes'".
    from rebalance._report import _curve_class

    _, caption = _curve_class(_bytes_result(2))
    assert caption in ("positive class yes", "positive class no")


# ------------------------------- Parquet folders whose files disagree on types


def _folder(tmp_path, *tables):
    """A folder of Parquet files a.parquet, b.parquet, ... holding ``tables``
    (dicts of pyarrow arrays), and pandas' reading of them one by one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "parts"
    folder.mkdir()
    for name, columns in zip("abcd", tables):
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    parts = [
        pd.read_parquet(folder / f"{name}.parquet") for name in "abcd"[: len(tables)]
    ]
    return str(folder), pd.concat(parts, ignore_index=True)


def _read(folder):
    from rebalance.cli import _read_parquet_folder

    return _read_parquet_folder(folder)


def test_folder_column_missing_from_the_first_file_is_kept(tmp_path):
    # Before: with the files' types differing in a way pyarrow does not
    # unify (text, then dictionaries of text in "label"), a column the first
    # file lacks ("z") was dropped without a word.
    import pyarrow as pa

    folder, expected = _folder(
        tmp_path,
        {"x": pa.array([1, 2, 3]), "label": pa.array(["u", "v", "u"])},
        {
            "x": pa.array([1.5, 2.5, 3.5]),
            "label": pa.array(["v", "u", "v"]).dictionary_encode(),
            "z": pa.array([7.0, 8.0, 9.0]),
        },
    )
    frame = _read(folder)
    assert sorted(frame.columns) == ["label", "x", "z"]
    assert frame["z"].tolist()[3:] == [7.0, 8.0, 9.0]
    assert frame["z"].isna().tolist() == [True] * 3 + [False] * 3
    assert frame["x"].tolist() == expected["x"].tolist()
    assert frame["label"].tolist() == ["u", "v", "u", "v", "u", "v"]


def test_folder_of_booleans_then_floats_keeps_the_floats(tmp_path):
    # Before: read with the first file's type, 2.5 became True.
    import pyarrow as pa

    folder, expected = _folder(
        tmp_path,
        {"x": pa.array([True, False, True]), "label": pa.array(["u", "v", "u"])},
        {"x": pa.array([2.5, 0.5, 1.0]), "label": pa.array(["v", "u", "v"])},
    )
    frame = _read(folder)
    assert frame["x"].tolist() == [1.0, 0.0, 1.0, 2.5, 0.5, 1.0]
    assert frame["x"].tolist() == [float(v) for v in expected["x"]]


def test_folder_of_decimals_and_integers_is_read_as_floats(tmp_path):
    # Before: "Precision is not great enough for the result", reported as
    # "numbers in one, text in another".
    import decimal

    import pyarrow as pa

    folder, expected = _folder(
        tmp_path,
        {"x": pa.array([decimal.Decimal("1.25")] * 3, pa.decimal128(10, 2))},
        {"x": pa.array([1, 2, 3], pa.int64())},
        {"x": pa.array([4, 5, 6], pa.uint64())},
    )
    frame = _read(folder)
    assert frame["x"].tolist() == [float(v) for v in expected["x"]]


def test_folder_of_naive_and_utc_times_is_refused_naming_the_files(tmp_path):
    # Before: the UTC times were read as naive ones without a word (pandas
    # keeps them apart).
    import datetime

    import pyarrow as pa

    day = datetime.datetime(2024, 6, 1)
    folder, _ = _folder(
        tmp_path,
        {"t": pa.array([day] * 3, pa.timestamp("ns")), "k": pa.array([1, 2, 3])},
        {
            "t": pa.array([day] * 3, pa.timestamp("ns", tz="UTC")),
            "k": pa.array([1.5, 2.5, 3.5]),
        },
    )
    with pytest.raises(ValueError, match="could not be read as one table") as info:
        _read(folder)
    assert "'t'" in str(info.value)
    assert "a.parquet" in str(info.value) and "b.parquet" in str(info.value)


def test_bytes_labels_not_utf8_keep_their_classes_apart_in_json():
    # Before: b"\xff" (not UTF-8) was written as the text \xff, as is the
    # label b"\\xff": --json / to_json() gave both classes one key, and
    # class_counts and per_class_recall lost one of them without a word.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    y = np.array([b"\xff" if v > 0 else b"\\xff" for v in x[:, 0]], dtype=object)
    result = compare(x, y, folds=2, method_names=["none"], progress=False)
    out = result.to_json()
    assert len(set(out["classes"])) == 2
    assert sorted(out["class_counts"].values()) == sorted(
        result.class_counts().values()
    )
    assert len(out["per_class_recall"]["none"]) == 2
