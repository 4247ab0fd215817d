"""Review 145, area ``clihabits``: ``rebalance compare`` used with the habits
of command-line users.

How: ``rebalance.cli.main(["compare", ...])`` in process on a tiny CSV with
``--methods none --folds 2 --model logistic`` (exit status, stdout/stderr,
``--json -`` read back), over: options given twice, argparse abbreviations
(``--targ``, ``--meth``; ambiguous ``--m``, ``--p``), ``--opt=value``,
values starting with "-" (``--positive-label -1``, ``--target -x``), names
with commas and spaces in ``--drop``/``--methods``, ``--data -``, ``--json
-``, ``--help``, unknown options, a positional file name, ``--seed``,
``--positive-label`` spellings ("1"/"1.0"/"+1"/"01"/"1e0" for numeric
targets, "True"/"true" for a boolean one, " pos " with spaces, "POS" in
another case), ``--metric`` names. ``python -m rebalance compare`` was run by
hand in a subprocess (exit 0, JSON on stdout; ``--help`` 0; a positional 2):
not kept as a test, the import alone takes ~2.5 s of the file's budget.

Found:

* A single-valued option given twice (``--data x --data y``, ``--target a
  --target b``, ``--seed 1 --seed 2``, ``--model``, ``--positive-label``)
  runs with the last value, while ``--drop``/``--methods`` given twice keep
  every value. The lead kept argparse's convention (a later option overrides
  an alias's) and says it in ``--help`` (pinned below).
* ``--drop "a,b"`` could not drop a column named ``a,b`` when a column ``a``
  exists: the comma split took ``a`` and then failed on ``b``, and no quoting
  got the column through (fixed: the longest name first).

Works (pins below): ``--positive-label -1`` (and ``=-1``) for labels -1/1,
numeric and boolean spellings of ``--positive-label``, spaces around it,
ambiguous abbreviations, unknown options, a positional file name and
``--data -`` are usage errors with exit status 2. Also fine (not pinned):
``--methods "none, class-weight"`` with a space, unique abbreviations
(``--targ``) accepted, ``--metric`` with a wrong name or case is argparse's
"invalid choice" with the list, ``--help`` exits 0, ``--json -`` gives only
JSON on stdout (pinned by review 139).
"""

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest

from rebalance.cli import main

FAST = ["--methods", "none", "--folds", "2", "--model", "logistic"]


def _run(*argv):
    """(exit status or message, stdout, stderr) of ``rebalance compare``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["compare", *map(str, argv)])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] + rng.normal(scale=0.5, size=40) > 0.6, 1, -1)
    frame = pd.DataFrame(X, columns=["a", "a,b"])
    frame["y"] = y
    frame["yf"] = y.astype(float)
    frame["yb"] = y > 0
    frame["ys"] = np.where(y > 0, "pos", "neg")
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    other = tmp_path / "other.csv"
    frame.assign(y2=frame["y"]).to_csv(other, index=False)
    return path, other


def _targets_but(keep):
    return ["--drop", ",".join(c for c in ("y", "yf", "yb", "ys") if c != keep)]


def test_single_valued_option_given_twice_keeps_the_last_as_the_help_says(data):
    # Lead's decision on the review's first finding: argparse's convention (a
    # later option overrides an alias's) kept, and said in --help.
    path, _ = data
    code, out, _ = _run(
        "--data", path, "--target", "y", *FAST, "--json", "-",
        *_targets_but("y"), "--seed", "1", "--seed", "2",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["seed"] == 2
    help_out = io.StringIO()
    with contextlib.redirect_stdout(help_out), pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert "keeps its last value" in " ".join(help_out.getvalue().split())


def test_drop_column_with_a_comma_beside_its_first_piece(data):
    path, _ = data
    code, out, _ = _run(
        "--data", path, "--target", "y", *FAST, "--json", "-",
        "--drop", "yf,yb,ys", "--drop", "a,b",
    )  # fmt: skip
    assert code == 0, code
    columns = json.loads(out)["columns"]
    assert list(columns["used"]) == ["a"] and "a,b" in columns["dropped"]


@pytest.mark.parametrize(
    "target, label, expected",
    [
        ("y", "-1", "-1"),
        ("y", "=-1", "-1"),
        ("yf", "1", "1.0"),
        ("yb", "true", "True"),
        ("ys", " pos ", "pos"),
    ],
)
def test_positive_label_spellings(data, target, label, expected):
    path, _ = data
    option = ["--positive-label" + label] if label[0] == "=" else []
    option = option or ["--positive-label", label]
    code, out, _ = _run(
        "--data", path, "--target", target, *_targets_but(target), *FAST,
        "--json", "-", *option,
    )  # fmt: skip
    assert code == 0, code
    assert json.loads(out)["positive_label"] == expected


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--m", "none"], "ambiguous option: --m"),
        (["--p", "1"], "ambiguous option: --p"),
        (["extra.csv"], "unrecognized arguments: extra.csv"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--data", "-"], "standard input"),
    ],
)
def test_usage_errors_exit_2(data, extra, needle):
    path, _ = data
    code, out, err = _run("--data", path, "--target", "y", *FAST, *extra)
    assert code == 2 and needle in err and out == ""
