"""Review 144, area clifuzz9: fuzzing ``rebalance compare`` with messy files.

Reviewed: ``rebalance/cli.py`` (``main``, ``_load_table``, the CSV reader)
through ``rebalance.cli.main(["compare", ...])`` in-process and once in a
subprocess, on files written in ``tmp_path``: CSV with a BOM, ``;`` with
decimal commas and dotted thousands, tab, CRLF, UTF-16 (Excel "Unicode
text"), ``.csv.gz``, a folder name with a space and a non-ASCII file name,
quoted thousands ("1,037"), dates, yes/no features, empty cells, "N/A",
``$``/``%`` cells, quoted newlines, duplicate and empty header names, a
header only, one row, one class, all distinct labels, numbers quoted as text,
"yes " vs "yes", "Yes" vs "yes", 200 columns, Parquet files and a
partitioned Parquet folder, a missing file, a folder without Parquet files,
--target in the wrong case / missing, and odd values of --folds, --repeats,
--n-jobs, --seed, --positive-label, --drop and --methods.

Found (1 bug, not silent): a large ``--n-jobs`` (e.g. 500 on a 2-CPU
machine) is passed to joblib as is: loky starts that many worker processes
for a run of 2 fits (42 s instead of 0.3 s; a bigger value looks hung). It
should be capped at the number of fits (or CPUs).

No bugs otherwise: every file above is read with the right types (numbers as
numbers, the target's classes kept, spacing variants merged with a notice,
case variants kept apart with a notice), and every bad input gives one
"rebalance compare: error:" line naming the option, column or file, with a
non-zero exit and no traceback. Pins below keep the riskiest of those.
"""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

import rebalance.cli
import rebalance.compare
from rebalance.cli import main

FAST = ["--methods", "none", "--folds", "2", "--model", "logistic"]


def _rows(n: int = 40, sep: str = ",", dec: str = ".") -> str:
    lines = [sep.join(["a", "b", "y"])]
    for i in range(n):
        a = f"{1000 + 37.25 * i:.2f}".replace(".", dec)
        lines.append(sep.join([a, str(i % 3), "pos" if i % 4 == 0 else "neg"]))
    return "\n".join(lines) + "\n"


def _compare(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["compare", *argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        message = "" if isinstance(exc.code, int) else str(exc.code)
        out, err = capsys.readouterr()
        return code, out, err + message
    out, err = capsys.readouterr()
    return code, out, err


class _Stop(Exception):
    pass


def test_huge_n_jobs_is_capped(tmp_path, monkeypatch, capsys):
    # 1 method x 2 folds = 2 fits: more than 2 workers is only start-up cost
    # (--n-jobs 500 takes 42 s on 2 CPUs for 0.3 s of work).
    seen = []

    class Recording:
        def __init__(self, n_jobs=None, **kwargs):
            seen.append(n_jobs)
            raise _Stop

    monkeypatch.setattr(rebalance.compare, "Parallel", Recording)
    path = tmp_path / "d.csv"
    path.write_text(_rows())
    with pytest.raises(_Stop):
        main(
            ["compare", "--data", str(path), "--target", "y", *FAST, "--n-jobs", "500"]
        )
    assert seen and seen[0] is not None and 1 <= seen[0] <= 2


@pytest.mark.parametrize(
    "name, text, encoding",
    [
        ("semi.csv", _rows(sep=";", dec=","), "utf-8"),
        ("utf16.csv", "\ufeff" + _rows(sep="\t"), "utf-16-le"),
        ("dir with space/ü.csv.gz", "\ufeff" + _rows(), "gzip"),
    ],
)
def test_messy_csv_read_as_numbers(tmp_path, capsys, name, text, encoding):
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    if encoding == "gzip":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_bytes(text.encode(encoding))
    code, out, err = _compare(capsys, "--data", str(path), "--target", "y", *FAST)
    assert code == 0, err
    out = " ".join(out.split())
    assert "40 rows, 2 classes (neg: 30, pos: 10)" in out
    assert "2 used (2 numeric)" in out


def test_trailing_space_labels_merged_with_notice(tmp_path, capsys):
    labels = ["yes ", "yes", "no"]
    lines = ["a,b,y"] + [f"{i},{i % 2},{labels[i % 3]}" for i in range(30)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _compare(capsys, "--data", str(path), "--target", "y", *FAST)
    assert code == 0, err
    assert "2 classes (yes: 20, no: 10)" in " ".join(out.split())
    assert "surrounding spaces" in err


@pytest.mark.parametrize(
    "text, argv, words",
    [
        ("a,b,y\n", [], ["no data rows"]),
        ("a,a,y\n1,2,x\n3,4,z\n", [], ["['a'] twice"]),
        (_rows(), ["--target", "Y"], ["--target 'Y'", "did you mean --target 'y'"]),
        (_rows(), ["--folds", "41"], ["--folds 41", "10 rows"]),
        (_rows(), ["--n-jobs", "0"], ["--n-jobs=0"]),
    ],
)
def test_bad_input_one_error_line(tmp_path, capsys, text, argv, words):
    path = tmp_path / "d.csv"
    path.write_text(text)
    argv = ["--target", "y", *FAST, *argv]
    code, out, err = _compare(capsys, "--data", str(path), *argv)
    assert code != 0
    assert "Traceback" not in err
    message = " ".join(err.split())
    assert message.startswith("rebalance compare: error:")
    for word in words:
        assert word in message


def test_missing_file_in_subprocess(tmp_path):
    missing = str(tmp_path / "nope ü.csv")
    done = subprocess.run(
        [sys.executable, "-m", "rebalance", "compare", "--data", missing]
        + ["--target", "y", *FAST],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr and missing in done.stderr


@pytest.mark.parametrize("option", ["--drop", "--methods"])
def test_a_repeated_list_option_keeps_every_name(tmp_path, monkeypatch, option):
    # Found by the lead: "--drop a --drop b" used "b" alone (argparse's last
    # value wins), so column "a" (a leak, say) stayed a feature, silently.
    seen = {}

    def recording(*args, **kwargs):
        seen.update(kwargs)
        raise _Stop

    monkeypatch.setattr(rebalance.cli, "compare", recording)
    path = tmp_path / "d.csv"
    path.write_text(_rows())
    first, second = ("a", "b") if option == "--drop" else ("none", "under")
    with pytest.raises(_Stop):
        main(
            ["compare", "--data", str(path), "--target", "y", "--folds", "2"]
            + [option, first, option, second]
        )
    key = "drop" if option == "--drop" else "method_names"
    assert list(seen[key]) == [first, second]
