"""Review 140 (diff46a): the lead's commits 7385faf..d02bea6 to
``rebalance/cli.py``, ``rebalance/compare.py`` and ``rebalance/metrics.py``.

Reviewed: ``cli._check_not_the_data`` (an output that is the ``--data``
file or lies in the ``--data`` folder is refused up front), ``main``'s
``KeyboardInterrupt`` handling (one line, status 130), the code-page check's
new ``_CUT`` (texts cut at 200 characters, no longer at their last space),
the halved two-byte character in ``_cjk_with_ascii_bytes``, the sign-ratio
rule, ``_MONEY_UNITS`` and the bullet rule; ``compare``'s 1-D X message;
``g_mean_score``'s pandas ``sample_weight`` against a pandas ``y_pred`` and
``_big_integers_beside_floats``.

How: ``_check_not_the_data`` called on trailing slashes, ``..``, relative
against absolute paths, symbolic links to the folder and into it, dangling
links, ``--data .`` and hard links; ``main`` with ``_load_table``,
``compare`` or ``json.dump`` raising ``KeyboardInterrupt``; Western texts
holding "£thousands", "£millions", "Home•Garden" and "¿Qué" at every
offset around the 200-character cut, compared with 7385faf's ``cli.py``;
``compare`` with 1-D lists, tuples, masked, structured and record arrays,
3-D arrays and lists; ``g_mean_score`` with pandas weights and
predictions on shared, reordered and fresh indexes, and integer labels past
2**53 (int64, uint64, negative) beside floats, NaN, 10**6 labels by hand
(0.15-0.3 s, as before).

Found (strict xfails below):

* Regression of this commit: cutting long texts at exactly 200 characters
  (no longer at the last space) leaves a word's head that reads as a
  foreign sign: "... £thousands" cut to "£tho", "£millions" to "£mill",
  "Home•Garden" to "Home•G". A Western file with one such long text (and a
  few accented words) is refused as another code page; 7385faf read it.
* compare's 3-D X message still says ``X.reshape(len(X), -1)``, which a
  nested list (the 1-D case was fixed to ``numpy.asarray(X)``) lacks.

No bug (some pinned): ``--data`` folders with a trailing slash, ``./x/./``,
symbolic links to the folder or an output linked into it are refused;
``x/../out.json``, ``data2.json`` beside ``data/`` and ``t.json`` beside
``t.csv`` are not; a dangling output link does not crash; Ctrl-C while
reading, fitting or writing exits 130 with one line and leaves no new file.
The structured-array message names ``pandas.DataFrame(X)``. g_mean_score
pairs pandas weights with a pandas y_pred on the same index, refuses them
reordered, and compares int64/uint64/negative integers past 2**53 with
floats exactly.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest

from rebalance import cli
from rebalance.compare import compare
from rebalance.metrics import g_mean_score

CITIES = ["Zürich", "Café", "Größe"]
Y = np.r_[np.ones(10, dtype=int), np.zeros(30, dtype=int)]


def _long(word: str, keep: int) -> str:
    """A Western text whose first 200 characters end ``keep`` characters
    into ``word``."""
    return "x" * (199 - keep) + " " + word + " and more words"


def _run(argv):
    try:
        return cli.main(argv)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return 0 if exc.code is None else exc.code


def _csv(path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["y"] = np.where(X[:, 0] > 0.5, "yes", "no")
    frame.to_csv(path, index=False)
    return str(path)


# ------------------------------------------------------------------ bugs


@pytest.mark.parametrize(
    ("word", "keep"),
    [("£thousands", 4), ("£millions", 5), ("£millions", 7), ("Home•Garden", 6)],
)
def test_cut_mid_word_is_no_foreign_sign(word, keep):
    cli._check_western(pd.DataFrame({"note": [_long(word, keep)]}))
    cli._check_western(pd.DataFrame({"note": [_long(word, keep), *CITIES[:1]]}))


def test_three_d_list_message_names_a_fix_a_list_has():
    X = np.zeros((40, 2, 1)).tolist()
    with pytest.raises(ValueError, match=r"numpy\.asarray\(X\)\.reshape"):
        compare(X, Y, folds=2, method_names=["none"], progress=False)


# ------------------------------------------------------------------ pins


def test_words_before_the_cut_still_read():
    for word in ("£thousands", "£millions", "Home•Garden", "¿Qué tal"):
        cli._check_western(pd.DataFrame({"note": [_long(word, len(word))]}))


def test_not_the_data_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x")
    (tmp_path / "t.csv").write_text("x")
    os.symlink("data", "link")
    os.symlink("data/a.csv", "into.json")
    os.symlink("nowhere/x.json", "dangling.json")
    refused = [
        ("data/", "data/x.json"),
        ("data", str(tmp_path / "data" / "x.json")),
        ("./data/./", "data/sub/x.json"),
        ("data", "link/x.json"),
        ("link", "data/x.json"),
        ("data", "into.json"),
        ("t.csv", str(tmp_path / "t.csv")),
    ]
    for data, out in refused:
        with pytest.raises(SystemExit, match="--data"):
            cli._check_not_the_data(out, "--json", data)
    for data, out in [
        ("data", "data/../x.json"),
        ("data", "data2.json"),
        ("t.csv", "t.json"),
        ("data", "dangling.json"),
        ("-", "x.json"),
    ]:
        cli._check_not_the_data(out, "--json", data)


def test_ctrl_c_while_reading_exits_130_leaving_nothing(tmp_path, monkeypatch, capsys):
    data = _csv(tmp_path / "t.csv")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_load_table", interrupted)
    argv = ["compare", "--data", data, "--target", "y", "--methods", "none"]
    code = _run([*argv, "--json", str(tmp_path / "s.json")])
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert os.listdir(tmp_path) == ["t.csv"]


def test_structured_x_message_names_dataframe():
    x = np.arange(40.0)
    X = np.rec.fromarrays([x, x], names="a,b")
    with pytest.raises(ValueError, match=r"pandas\.DataFrame\(X\)"):
        compare(X, Y, folds=2, method_names=["none"], progress=False)


def test_g_mean_pandas_weights_beside_pandas_pred():
    index = pd.Index([5, 3, 9, 1, 7, 2])
    y_true = np.array([0, 1, 0, 1, 1, 0])
    y_pred = pd.Series([0, 1, 1, 1, 0, 0], index=index)
    weights = pd.Series([1.0, 2, 3, 4, 5, 6], index=index)
    expected = g_mean_score(y_true, y_pred.to_numpy(), sample_weight=weights.values)
    assert g_mean_score(y_true, y_pred, sample_weight=weights) == expected
    fresh = weights.reset_index(drop=True)
    assert g_mean_score(y_true, y_pred, sample_weight=fresh) == expected
    with pytest.raises(ValueError, match="sample_weight"):
        g_mean_score(y_true, y_pred, sample_weight=weights.sort_index())


@pytest.mark.parametrize(
    ("sign", "dtype"), [(1, np.int64), (-1, np.int64), (1, np.uint64)]
)
def test_g_mean_big_integers_beside_floats(sign, dtype):
    big = sign * (2**53 + 1)
    y_true = np.array([big, sign * 2**53] * 2, dtype=dtype)
    y_pred = np.full(4, sign * 2.0**53)
    assert g_mean_score(y_true, y_pred) == 0.0  # class 2**53 + 1 never found
