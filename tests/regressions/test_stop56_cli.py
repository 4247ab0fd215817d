"""Stop 56 (review 131 clinumbers): a ";" file without decimal commas whose
numbers may have dots between thousands ("12.500" next to "800") is read
with decimal points, as pandas reads it, and says so: the same column is
read as thousands when another column has a decimal comma. A column of
plain decimals gets no notice."""

import numpy as np
import pytest

from rebalance import cli


def _load(tmp_path, monkeypatch, x):
    lines = ["x;y"] + [f"{v};{'ab'[i % 2]}" for i, v in enumerate(x)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_NOTICES", [])
    X, _ = cli._load_table(str(path), "y")
    return X["x"].to_numpy(dtype=float), list(cli._NOTICES)


def test_dotted_thousands_noted(tmp_path, monkeypatch):
    values, notes = _load(
        tmp_path, monkeypatch, ["1.234", "12.500", "800", "2.000"] * 3
    )
    np.testing.assert_array_equal(values[:4], [1.234, 12.5, 800, 2.0])
    (note,) = notes
    assert "'x'" in note and "'12.500'" in note and "(12.5)" in note
    assert "(12500)" in note and "without those dots" in note


@pytest.mark.parametrize(
    "x",
    [
        ["1.5", "2.25", "800", "3.75"],  # not three decimals
        ["0.500", "0.125", "0.250", "0.750"],  # a first group of 0: decimals
        ["1.234", "2.345", "3.456", "4.567"],  # all dotted, no round one
        ["1", "2", "3", "4"],  # whole numbers
    ],
)
def test_plain_decimals_not_noted(tmp_path, monkeypatch, x):
    values, notes = _load(tmp_path, monkeypatch, x * 3)
    np.testing.assert_array_equal(values[:4], [float(v) for v in x])
    assert notes == []
