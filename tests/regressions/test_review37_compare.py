"""Review 37: `rebalance compare` fuzzed end to end on feature columns of every
kind (h-compare). What the fuzz found, pinned."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main
from rebalance.compare import encode_target


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_binary_tie_is_not_called_the_minority():
    # Before: "positive class 'no' (the minority; ...)" with 10 rows of each.
    target = encode_target(["yes", "no"] * 10)
    assert target.positive == "no" and target.codes.sum() == 10
    assert "minority" not in target.note
    assert "same size (10 rows each)" in target.note
    # An imbalanced target keeps its note.
    assert "the minority" in encode_target(["yes"] * 3 + ["no"] * 7).note


def test_cli_summary_and_json_of_a_tied_binary_target(tmp_path, capsys):
    rng = np.random.default_rng(0)
    path = tmp_path / "tie.csv"
    pd.DataFrame({"x": rng.normal(size=20), "target": ["yes", "no"] * 10}).to_csv(
        path, index=False
    )
    scores = tmp_path / "s.json"
    argv = ["compare", "--data", str(path), "--target", "target", "--folds", "2"]
    assert main([*argv, "--methods", "none", "--json", str(scores)]) == 0
    out = _flat(capsys.readouterr().out)
    assert "20 rows, 2 classes (yes: 10, no: 10)" in out
    assert "(the minority" not in out
    assert "Positive class 'no' (the classes are the same size" in out
    data = json.loads(scores.read_text())
    assert data["class_counts"] == {"yes": 10, "no": 10}
    assert data["positive_label"] == "no"


def test_report_of_a_class_label_with_a_tab_draws_without_glyph_warnings(
    tmp_path, recwarn
):
    # Before: "UserWarning: Glyph 9 (\t) missing from font(s) DejaVu Sans",
    # twice per figure, with the source lines of rebalance/_report.py, on the
    # command's stderr.
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    y = ["a\tb"] * 6 + ["c"] * 6 + ["d"] * 8
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.parquet"
    pd.DataFrame({"x": rng.normal(size=20), "target": y}).to_parquet(path)
    report = tmp_path / "r.html"
    argv = ["compare", "--data", str(path), "--target", "target", "--folds", "2"]
    assert main([*argv, "--methods", "none", "--report", str(report)]) == 0
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    assert "a\tb" in report.read_text()  # the HTML table keeps the label


def test_durations_written_by_pandas_to_a_csv_are_seconds_as_in_parquet(tmp_path):
    # Found by the review-37 compare fuzz: "0 days 05:23:11" (pandas' text of
    # a Timedelta) counted as three words and was planned as free text, where
    # the same column read from Parquet is a number of seconds.
    import pandas as pd

    from rebalance._columns import plan_columns, prepare_frame
    from rebalance.cli import _load_table

    durations = pd.to_timedelta(["5h 23m 11s", "1 day", "-30s", "1.5s"] * 3)
    frame = pd.DataFrame(
        {"took": durations, "x": np.arange(12.0), "label": ["a", "b", "a"] * 4}
    )
    got = {}
    for kind in ("csv", "parquet"):
        path = tmp_path / f"d.{kind}"
        if kind == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path)
        X, _ = _load_table(str(path), "label")
        plan = plan_columns(X)
        assert plan.used["took"] == "numeric", (kind, plan.used)
        got[kind] = np.asarray(prepare_frame(X, plan)["took"], dtype=float)
    np.testing.assert_allclose(got["csv"], got["parquet"])
    np.testing.assert_allclose(got["csv"][:4], [19391.0, 86400.0, -30.0, 1.5])
