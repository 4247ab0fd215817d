"""Review 10: regressions of commit a1b45a9 (reading ';' decimal-comma files)."""

import numpy as np
import pandas as pd


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def test_semicolon_decimal_comma_file_keeps_integer_labels_integer(tmp_path):
    # Before a1b45a9 the 0/1 label of a ';' decimal-comma file was read as
    # int64 (0, 1), as pd.read_csv(sep=";", decimal=",") reads it. Now
    # _read_decimal_commas re-reads every column matching _DECIMAL_COMMA --
    # plain integers included -- as float64: the classes become 0.0 / 1.0
    # (printed "2 classes (0.0: 3, 1.0: 1)", "Positive class 1.0").
    from rebalance.cli import _load_table

    text = "preis;menge;label\n1,5;3;0\n2,25;4;1\n3,75;5;0\n0,5;6;0\n"
    path = _write(tmp_path, "excel.csv", text)
    ref = pd.read_csv(path, sep=";", decimal=",")
    X, y = _load_table(path, "label")
    y = np.asarray(y)
    assert y.dtype.kind in "iu", y.dtype
    assert y.tolist() == ref["label"].tolist() == [0, 1, 0, 0]
    assert str(y[1]) == "1"


def test_semicolon_decimal_comma_file_keeps_large_integers_exact(tmp_path):
    # An integer column (account / order numbers above 2**53) was int64 and
    # exact before a1b45a9; now it is converted to float64 and silently
    # rounded: 9007199254740993 -> 9007199254740992.0.
    from rebalance.cli import _read_text_table

    text = (
        "betrag;konto;label\n"
        "1,5;9007199254740993;x\n"
        "2,25;9007199254740995;y\n"
        "3,75;9007199254740997;x\n"
    )
    path = _write(tmp_path, "konten.csv", text)
    frame = _read_text_table(path)
    ref = pd.read_csv(path, sep=";", decimal=",")
    assert ref["konto"].tolist() == [
        9007199254740993,
        9007199254740995,
        9007199254740997,
    ]
    assert frame["konto"].tolist() == ref["konto"].tolist()
    np.testing.assert_allclose(np.asarray(frame["betrag"], float), [1.5, 2.25, 3.75])


def test_sign_inside_accounting_parentheses_is_not_a_number():
    # "(-5)" was read as +5 (the parentheses negated the inner minus): such
    # text is no accounting amount; the column stays text.
    import pandas as pd

    from rebalance._columns import _as_numbers

    assert _as_numbers(pd.Series(["(-5)", "(3)", "4"])) is None
    assert _as_numbers(pd.Series(["(5)", "(3)", "4"])).tolist() == [-5.0, -3.0, 4.0]


def test_torch_sampler_accepts_a_shrinkage_of_zero():
    # shrinkage=0 (or 0 for every class) gives plain copies: a sampler of
    # indices loses nothing, so it is accepted; any other value is refused.
    import numpy as np
    import pytest

    torch = pytest.importorskip("torch")  # noqa: F841
    from rebalance import RandomOverSampler
    from rebalance.torch import RebalanceSampler

    y = np.array([0] * 20 + [1] * 4)
    for shrinkage in (0, 0.0, {1: 0}):
        sampler = RebalanceSampler(y, RandomOverSampler(shrinkage=shrinkage), seed=0)
        assert len(list(sampler)) == 40
    with pytest.raises(ValueError, match="shrinkage"):
        RebalanceSampler(y, RandomOverSampler(shrinkage={1: 0.5}), seed=0)
