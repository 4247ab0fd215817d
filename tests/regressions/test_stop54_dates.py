"""Stop 54: ``rebalance compare`` plans a text column as dates only when
every value of it is a date with a year, not only its first 1,000 rows: a
later value that is not a date was made missing without a notice, and
year-less text ("1/2", "March 5", "12:30") read as points in time (year 1,
or today's date for a time of day, so features changed from day to day)."""

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import plan_columns, prepare_frame


def _dates(n):
    return list(pd.date_range("2020-01-01", periods=n, freq="h").astype(str))


def test_a_value_that_is_not_a_date_after_the_first_rows_is_not_made_missing():
    values = _dates(1500)
    values[1200] = "unknown"
    frame = pd.DataFrame({"when": values, "x": np.arange(1500) % 7})
    plan = plan_columns(frame)
    assert plan.used.get("when") != "datetime"
    note = plan.notes["when"]
    assert "1 value(s) are not dates with a year (first 'unknown')" in note
    assert "notes: when (not read as dates" in plan.describe()


def test_the_plan_does_not_depend_on_where_the_odd_value_is():
    early, late = _dates(1500), _dates(1500)
    early[3] = late[1400] = "unknown"
    kinds = {
        plan_columns(pd.DataFrame({"when": v})).used.get("when") for v in (early, late)
    }
    assert len(kinds) == 1 and kinds != {"datetime"}


def test_a_column_of_dates_only_is_still_dates_past_the_sample():
    values = _dates(2500)
    values[::7] = [None] * len(values[::7])
    frame = pd.DataFrame({"when": values})
    plan = plan_columns(frame)
    assert plan.used == {"when": "datetime"} and not plan.notes
    out = prepare_frame(frame, plan)
    assert out["when"].isna().sum() == frame["when"].isna().sum()


@pytest.mark.parametrize(
    "values",
    [
        ["1/2", "3/4", "5/6", "7/8"],
        ["March 5", "April 6", "May 7", "June 8"],
        ["12:30", "13:45", "09:15", "18:00"],
        ["Jan 24", "Feb 25", "Mar 26", "Apr 27"],
    ],
)
def test_text_without_a_year_is_not_read_as_dates(values):
    plan = plan_columns(pd.DataFrame({"v": values * 5}))
    assert plan.used["v"] == "categorical"


@pytest.mark.parametrize(
    "values",
    [
        ["Jan 2024", "Feb 2024", "Mar 2024"],
        ["13.02.2024", "14.02.2024", "15.03.2024"],
        ["2024-01-02T10:00:00+01:00", "2024-01-03T10:00:00+01:00"],
        ["5 May 99", "6 June 98", "7 July 97"],
    ],
)
def test_dates_with_a_year_still_read_as_dates(values):
    frame = pd.DataFrame({"v": values * 5})
    plan = plan_columns(frame)
    assert plan.used["v"] == "datetime"
    assert prepare_frame(frame, plan)["v"].notna().all()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ["07 Dec 2026 10:00", "08 Jan 2025 11:30"],
            ["2026-12-07 10:00", "2025-01-08 11:30"],
        ),
        (
            ["13/01/2024 10:00", "01/02/2024 09:00"],
            ["2024-01-13 10:00", "2024-02-01 09:00"],
        ),
        (
            ["01/13/2024 10:00", "02/01/2024 09:00"],
            ["2024-01-13 10:00", "2024-02-01 09:00"],
        ),
        (["2024-01-02T10:00:00+01:00", "2024-07-02T10:00:00+02:00"], None),
        (["1 Feb 2024", "2024-03-05"], ["2024-02-01", "2024-03-05"]),
    ],
)
def test_dates_read_in_one_format_or_value_by_value_alike(values, expected):
    """The format guessed from the first value (one vectorised parse) reads
    a column as pandas' value-by-value parsing does, day or month first by
    the column; a column no one format reads is still parsed value by value
    (changing UTC offsets as UTC)."""
    frame = pd.DataFrame({"v": values * 3})
    plan = plan_columns(frame)
    out = prepare_frame(frame, plan)["v"]
    assert out.notna().all()
    if expected is None:
        assert str(out.dt.tz) == "UTC"
        assert list(out.dt.hour[:2]) == [9, 8]
    else:
        assert list(out[:2]) == [pd.Timestamp(t) for t in expected]


def test_a_value_without_a_year_after_the_sample_is_noted():
    values = _dates(1200)
    values[1100] = "12:30"
    plan = plan_columns(pd.DataFrame({"when": values}))
    assert plan.used.get("when") != "datetime"
    assert "(first '12:30')" in plan.notes["when"]
