"""Review 60, compare: the target's missing labels read one way by the API
and the command, markers among a categorical column's categories, and the
markers read as missing noted in the result."""

import json

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance._columns import missing_as_na
from rebalance.compare import compare, encode_target

_QUICK = dict(folds=2, method_names=["none"], progress=False)


def _features(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})


def _labels(n=40, marker="?", rows=(1, 2), yes="yes", no="no"):
    y = np.where(np.arange(n) % 4 == 0, yes, no).astype(object)
    y[list(rows)] = marker
    return y


# ------------------------------------------- the target's missing labels


@pytest.mark.parametrize("marker", ["?", " ? ", "\\N", "#DIV/0!", "NA", "", "  "])
def test_api_refuses_a_marker_in_a_text_target_as_a_missing_label(marker):
    # bug: "?" (and "NA", "") in y was a class of its own, silently: three
    # classes where the command reports missing labels.
    with pytest.raises(ValueError, match=r"^y has 2 missing labels \(positions 1 "):
        encode_target(_labels(marker=marker))
    with pytest.raises(ValueError, match="Drop those rows from X and y first"):
        compare(_features(), _labels(marker=marker), **_QUICK)


def test_api_refuses_a_dash_among_numbers_as_a_missing_label():
    # bug: ["0", "1", "-"]: "-" was a class; the command reads it as a
    # missing number, as in a column of numbers.
    y = _labels(marker="-", yes="1", no="0")
    with pytest.raises(ValueError, match=r"'-' read as a missing value"):
        compare(_features(), y, **_QUICK)


def test_the_message_names_the_marker_and_the_fix():
    with pytest.raises(ValueError) as e:
        encode_target(_labels(marker="?"))
    message = str(e.value)
    assert "'?' read as a missing value" in message
    assert "if '?' is a class, name it otherwise" in message
    assert "--" not in message  # the API's words, not the command's


def test_dashes_and_words_are_classes_in_a_text_target():
    # "+" and "-" are the classes of UCI's credit-approval data; "unknown"
    # can be a class: markers only among numbers.
    from rebalance._columns import label_markers

    assert not label_markers(pd.Series(["+", "-", "+", "unknown"])).any()
    y = np.where(np.arange(40) % 4 == 0, "+", "-")
    assert sorted(encode_target(y).labels) == ["+", "-"]


def test_the_api_and_the_command_read_the_target_through_one_function(tmp_path, capsys):
    # bug: the command read "?" in a text target as a class too (then "the
    # class '?' has a single row", or, with more rows, an extra class).
    frame = _features().assign(label=_labels(marker="?", rows=(3, 9, 12)))
    frame.to_csv(tmp_path / "d.csv", index=False)
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "label"]
    with pytest.raises(SystemExit) as e:
        cli.main([*argv, "--folds", "2", "--methods", "none"])
    message = str(e.value.code)
    assert "--target column 'label' has 3 missing labels (data rows 4, 10 and 13" in (
        message
    )
    assert "'?' read as a missing value" in message
    from rebalance._columns import label_markers

    assert cli.label_markers is label_markers


def test_a_categorical_target_with_a_marker_is_refused():
    y = pd.Series(_labels(marker="?"), dtype="category")
    with pytest.raises(ValueError, match="missing labels"):
        encode_target(y)


def test_a_marker_in_bytes_labels_is_refused_as_the_command_reads_them():
    # The command reads a Parquet binary target as its UTF-8 text.
    y = np.array([label.encode() for label in _labels(marker="?")], dtype=object)
    with pytest.raises(ValueError, match="'[?]' read as a missing value"):
        encode_target(y)


# ------------------------------------------- categorical feature columns


def test_markers_among_number_categories_are_missing():
    # bug: a categorical column of numbers with the category "?" kept "?" as
    # a category, where the same column of text reads it as missing.
    column = pd.Categorical(["1", "2", "?", "2", "?", "3"])
    frame = pd.DataFrame({"k": column, "t": column.astype(object)})
    notes = []
    read = missing_as_na(frame, notify=notes.append)
    assert isinstance(read["k"].dtype, pd.CategoricalDtype)  # still categories
    assert list(read["k"].cat.categories) == ["1", "2", "3"]
    assert read["k"].isna().tolist() == read["t"].isna().tolist()
    assert any("'k'" in note and "'?'" in note for note in notes), notes
    assert frame["k"].isna().sum() == 0  # the caller's frame untouched


def test_missing_texts_among_categories_are_missing_and_text_stays():
    column = pd.Categorical(["a", "NA", "?", "b"])
    read = missing_as_na(pd.DataFrame({"c": column}))
    # "NA" as read_csv reads it; "?" among words is a category, as in text.
    assert read["c"].isna().tolist() == [False, True, False, False]
    assert "?" in read["c"].cat.categories


# ------------------------------------------- notes in the result


def test_markers_read_as_missing_are_noted_in_the_result():
    # bug: without notify= nothing recorded that "?" was read as missing,
    # where skipped methods are kept in result.skipped.
    X = _features()
    X["x"] = X["x"].round(2).astype(str).astype(object)
    X.loc[[3, 7], "x"] = "?"
    result = compare(X, _labels(marker="no"), **_QUICK)
    assert any("'x'" in n and "'?'" in n for n in result.notes), result.notes
    assert result.to_json()["notes"] == result.notes
    assert "Notes: Column 'x' holds numbers and '?'" in result.describe("d", "m", 0)


def test_no_notes_for_clean_data():
    result = compare(_features(), _labels(marker="no"), **_QUICK)
    assert result.notes == []
    assert "Notes:" not in result.describe("d", "m", 0)


def test_the_command_notes_its_notices_in_the_json(tmp_path, capsys):
    X = _features()
    X["x"] = X["x"].round(2).astype(str).astype(object)
    X.loc[[3, 7], "x"] = "?"
    X.assign(label=_labels(marker="no")).to_csv(tmp_path / "d.csv", index=False)
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "label"]
    assert cli.main([*argv, "--folds", "2", "--methods", "none", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("'x'" in n and "'?'" in n for n in data["notes"]), data["notes"]


# ------------------------------------------- messages found on a second look


def test_too_many_folds_for_a_two_row_class_names_folds_2():
    # was: "folds=5 needs a number of folds from 2 to 2: the smallest class,
    # 2, has 2 rows" (a range of one, and the class 2 read as a count).
    y = np.array([0] * 30 + [1] * 8 + [2] * 2)
    with pytest.raises(ValueError) as e:
        compare(_features(), y, method_names=["none"], progress=False)
    message = str(e.value)
    assert "the smallest class (2) has 2 rows: pass folds=2" in message, message


def test_positive_label_in_another_case_names_the_class():
    y = np.where(np.arange(40) % 4 == 0, "fraud", "ok")
    with pytest.raises(ValueError, match=r"\('fraud' is, in another case\)"):
        encode_target(y, positive_label="Fraud")
