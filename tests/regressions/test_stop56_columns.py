"""Stop 56 (review 130 columns6, left alone there): an em or en dash, the
"no value" mark of published tables, is a missing number in a column of
numbers, as "-" and "--" are. The column was planned as categories, every
number one of them, without a notice."""

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import missing_as_na, plan_columns, prepare_frame


@pytest.mark.parametrize("dash", ["\u2014", "\u2013", " \u2014 "])
def test_dash_is_a_missing_number(dash):
    values = ["1.5", dash, "2.25", "3", "4.75", dash, "6"]
    notes = []
    frame = missing_as_na(pd.DataFrame({"x": values}), notify=notes.append)
    plan = plan_columns(frame)
    assert plan.used == {"x": "numeric"}
    read = prepare_frame(frame, plan)["x"].to_numpy(dtype=float)
    np.testing.assert_array_equal(read, [1.5, np.nan, 2.25, 3, 4.75, np.nan, 6])
    assert notes  # the cells made missing are reported
