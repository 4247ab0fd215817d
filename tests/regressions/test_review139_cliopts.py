"""Review 139, area ``cliopts``: the ``rebalance compare`` command line, end
to end as a user runs it.

How: ``rebalance.cli.main([...])`` in process (stdout/stderr with capsys,
exit codes) and the real entry point ``.venv/bin/rebalance`` through
subprocess, over every option with edge values: ``--data`` (CSV, TSV, .gz,
Parquet file and folder, a non-UTF-8 file name), ``--target`` (missing, a
numeric name, a name with a space, another case), ``--positive-label``
(unknown, other case), ``--methods`` (empty, repeated, another model's),
``--list-methods``, ``--folds``/``--repeats``/``--seed``/``--n-jobs`` at and
past their limits, ``--json`` (file, ``-``), ``--report``, ``--plot``,
``--drop``, abbreviations, repeated and unknown options, output paths equal
to the input, Ctrl-C mid-run.

Found (strict xfails below):

* Ctrl-C during the run prints a full KeyboardInterrupt traceback (the
  process dies of SIGINT); no clean "interrupted" line and exit status 130.
* An output path that is the ``--data`` file (same name with an output
  extension, e.g. ``--data t.html --report t.html``, or a symbolic link to
  it) overwrites the user's data without a word.
* ``--json``/``--report``/``--plot`` written into the ``--data`` Parquet
  folder make that folder unreadable: the same command fails next time
  ("Parquet magic bytes not found" for p.png).

Works (a few pins below): ``--json -`` puts only JSON on stdout, usage
errors exit 2 with one line on stderr, data errors exit 1, an interrupted
write leaves the earlier file intact and no temporary file. Also fine (not
pinned): CSV/TSV/.gz/Parquet file and folder, non-UTF-8 file names, target
names with spaces or digits, case hints, repeated options (last wins),
deduplicated ``--methods``. Abbreviations (``--tar``) are accepted, as
argparse does by default: left to the maintainer.
"""

import json
import os
import sys

import pytest

from rebalance.cli import main

FAST = ["--methods", "none", "--folds", "2"]


def _table(path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + rng.normal(scale=0.5, size=60) > 0.7, "yes", "no")
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["my label"] = y
    return frame


def _csv(path):
    _table(path).to_csv(path, index=False)
    return path


def _run(argv):
    """main()'s exit status, whether returned or raised; a message raised
    as the exit code is printed on stderr and is status 1, as the
    interpreter does."""
    try:
        return main(argv)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return 0 if exc.code is None else exc.code
    except KeyboardInterrupt:
        return "KeyboardInterrupt propagated out of main()"


def test_ctrl_c_mid_run_exits_130_without_traceback(tmp_path, monkeypatch, capsys):
    import rebalance.cli as cli

    data = _csv(tmp_path / "t.csv")
    out = tmp_path / "s.json"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "compare", interrupted)
    argv = ["compare", "--data", str(data), "--target", "my label", *FAST]
    code = _run([*argv, "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 130
    assert "Traceback" not in err and err.strip()  # a one-line notice
    assert os.listdir(tmp_path) == ["t.csv"]  # no output, no temporary file


@pytest.mark.parametrize("how", ["same-name", "symlink"])
def test_output_never_overwrites_the_data(tmp_path, capsys, how):
    if how == "same-name":  # a CSV saved with an .html name is read as CSV
        data = _csv(tmp_path / "t.html")
        option, path = "--report", data
    else:
        data = _csv(tmp_path / "t.csv")
        path = tmp_path / "scores.json"
        path.symlink_to(data)
        option = "--json"
    before = data.read_bytes()
    code = _run(
        ["compare", "--data", str(data), "--target", "my label", *FAST]
        + [option, str(path)]
    )
    err = capsys.readouterr().err
    assert data.read_bytes() == before
    assert code in (1, 2) and "--data" in err


def test_outputs_in_the_parquet_folder_do_not_break_it(tmp_path, capsys):
    folder = tmp_path / "pq"
    folder.mkdir()
    frame = _table(None)
    frame.iloc[:30].to_parquet(folder / "a.parquet")
    frame.iloc[30:].to_parquet(folder / "b.parquet")
    argv = ["compare", "--data", str(folder), "--target", "my label", *FAST]
    outputs = ["--json", str(folder / "s.json"), "--plot", str(folder / "p.png")]
    first = _run([*argv, *outputs])
    capsys.readouterr()
    if first != 0:  # refused up front: acceptable, nothing written
        assert sorted(os.listdir(folder)) == ["a.parquet", "b.parquet"]
        return
    assert _run(argv) == 0, capsys.readouterr().err  # the same data, read again


# -- pins ----------------------------------------------------------------------


def test_json_dash_puts_only_json_on_stdout(tmp_path, capsys):
    data = _csv(tmp_path / "t.csv")
    code = _run(
        ["compare", "--data", str(data), "--target", "my label", "--json", "-"]
        + FAST
        + ["--metric", "f1_minority"]  # a deprecation note: on stderr
    )
    captured = capsys.readouterr()
    assert code == 0
    scores = json.loads(captured.out)
    assert scores["classes"] == ["no", "yes"]
    assert "deprecated" in captured.err and "Wall time" in captured.err


@pytest.mark.parametrize(
    "extra, code",
    [
        (["--folds", "1"], 2),
        (["--seed", "-1"], 2),
        (["--methods", ","], 2),
        (["--target", "My Label"], 1),  # names the right case in the error
        (["--positive-label", "maybe"], 1),
    ],
)
def test_errors_one_line_on_stderr(tmp_path, capsys, extra, code):
    data = _csv(tmp_path / "t.csv")
    argv = ["compare", "--data", str(data), "--target", "my label", *FAST, *extra]
    assert _run(argv) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("rebalance compare: error: ")
    assert captured.err.strip().count("\n") == 0


def test_interrupted_json_write_keeps_the_earlier_file(tmp_path, monkeypatch):
    data = _csv(tmp_path / "t.csv")
    out = tmp_path / "s.json"
    out.write_text("earlier")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", interrupted)
    argv = ["compare", "--data", str(data), "--target", "my label", *FAST]
    _run([*argv, "--json", str(out)])
    assert out.read_text() == "earlier"
    assert sorted(os.listdir(tmp_path)) == ["s.json", "t.csv"]
