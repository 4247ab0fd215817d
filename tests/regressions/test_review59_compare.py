"""Review 59, compare: the API reads a frame as the command reads a file,
messages name the caller's words, the progress label, MultiIndex columns
and day-first dates."""

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance._columns import plan_columns, prepare_frame
from rebalance.compare import compare, encode_target


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - 12) + [1] * 12)
    age = (rng.normal(40, 10, n) + 8 * y).round(1).astype(str).astype(object)
    age[[3, 17]] = "?"
    age[25] = "\\N"
    age[40] = "-"
    frame = pd.DataFrame({"age": age, "colour": rng.choice(["red", "NA", "blue"], n)})
    return frame, y


def test_api_reads_missing_markers_of_numbers_as_missing():
    X, y = _frame()
    X = X[["age"]]
    before = X.copy()
    notes = []
    result = compare(X, y, folds=2, method_names=["none"], notify=notes.append)
    # "?", "\N" and "-" among numbers: a column of numbers, as the command
    # reads the same table from a file (it was a high-cardinality category).
    assert result.columns.used["age"] == "numeric"
    assert any("'age'" in note and "'?'" in note for note in notes), notes
    pd.testing.assert_frame_equal(X, before)  # the caller's frame untouched


def test_one_reading_of_markers_for_frames_and_files():
    from rebalance._columns import missing_as_na

    X, _ = _frame()
    read = missing_as_na(X)
    assert read["age"].dtype == np.float64 and read["age"].isna().sum() == 4
    assert read["colour"].isna().sum() == (X["colour"] == "NA").sum()
    # The command reads a file's table through the same function.
    assert cli.missing_as_na is missing_as_na


def test_api_messages_name_keywords_not_options():
    with pytest.raises(ValueError, match=r"positive_label='7' is not a class") as e:
        encode_target([0, 1, 1], positive_label="7")
    assert "--" not in str(e.value)
    X, y = _frame()
    with pytest.raises(ValueError, match=r"folds=20 needs") as e:
        compare(X, y, folds=20)
    assert "--" not in str(e.value)
    assert "positive_label=" in encode_target([0, 1, 1]).note


def test_cli_messages_name_options(tmp_path, capsys):
    X, y = _frame()
    X.assign(label=y).to_csv(tmp_path / "d.csv", index=False)
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "label"]
    with pytest.raises(SystemExit) as e:
        cli.main([*argv, "--positive-label", "7"])
    assert "--positive-label '7' is not a class" in str(e.value.code)
    assert "positive_label" not in str(e.value.code)
    assert cli._as_options("raise folds= or pass positive_label='a'.") == (
        "raise --folds or pass --positive-label 'a'."
    )


class _Bar:
    """tqdm's interface as compare uses it, recording the label."""

    label = ""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def set_postfix_str(self, text):
        _Bar.label = text

    def update(self, n=1):
        pass


def test_progress_label_names_the_method_running(monkeypatch):
    import tqdm.auto

    from rebalance.compare import default_methods

    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    seen = []

    def watched(name):
        build = default_methods()["none"]

        def method(setup, y_train):
            seen.append((name, _Bar.label))
            return build(setup, y_train)

        return method

    X, y = _frame()
    X = X[["age"]]
    compare(X, y, {"a": watched("a"), "b": watched("b")}, folds=2, progress=True)
    assert seen == [
        ("a", "fold 1/2: a"),
        ("b", "fold 1/2: b"),
        ("a", "fold 2/2: a"),
        ("b", "fold 2/2: b"),
    ]


def test_drop_finds_a_column_of_a_partly_named_multiindex():
    X = pd.DataFrame({"a": np.arange(20.0) % 7, "b": np.arange(20.0) % 3})
    X.columns = pd.MultiIndex.from_tuples([("f", None), (None, "b")])
    plan = plan_columns(X, drop=[("f", None)])
    # ("f", None) == ("f", nan) is False: the column was kept without a word.
    assert list(plan.dropped) == ["('f', nan)"] and list(plan.used) == ["(nan, 'b')"]
    assert list(plan_columns(X, drop=["f"]).dropped) == ["('f', nan)"]


def _dates(values):
    frame = pd.DataFrame({"day": values * 10, "x": np.arange(10 * len(values))})
    plan = plan_columns(frame)
    return plan, prepare_frame(frame, plan)


def test_day_first_dates_with_times_are_read_day_first_throughout():
    plan, prepared = _dates(["13/01/2024 10:00", "01/02/2024 11:00"])
    assert plan.used["day"] == "datetime"
    # 01/02 was read as 2 January next to 13/01 (pandas' mixed parsing).
    assert prepared["day"].iloc[1] == pd.Timestamp("2024-02-01 11:00")
    plan, prepared = _dates(["13/01/24", "01/02/24", "2024-03-05"])
    assert prepared["day"].iloc[1:3].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-03-05"),  # year first: not read as 3 May
    ]


def test_dates_in_both_orders_are_not_read_as_dates():
    plan, _ = _dates(["13/01/2024 10:00", "01/13/2024 11:00", "01/02/2024 09:00"])
    assert plan.used["day"] != "datetime"
