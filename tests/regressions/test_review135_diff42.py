"""Review 135, area diff42: the lead's last two commits (``git diff 8ea3c9e
HEAD -- rebalance``).

1. ``rebalance/_report.py: check_output_path``: an existing folder is now
   refused (ValueError) before drawing, and a text stream (``io.TextIOBase``)
   is refused for ``plot()``. Checked that every path kind that worked
   before still works (str, bytes, pathlib, a relative name, a symlink to a
   file, ``/dev/null``, files opened ``'wb'`` / ``'w+b'``, ``io.BytesIO``,
   a binary ``SpooledTemporaryFile``), that ``'~'`` is not expanded (a
   folder literally named ``~`` is used), that a symlink to a folder is
   refused, and what the CLI's ``_check_output`` / ``_write`` do with
   ``out/`` and devices.
2. ``rebalance/cli.py: _check_western``: the new rule on runs of non-ASCII
   characters, on frames with many columns and 2000+ distinct values,
   numbers-only frames, non-ASCII column names only, and the sample the
   error shows. Mojibake is made independently with Python's codecs
   (``text.encode("cp1251").decode("cp1252")``).

How: a small real ``compare()`` result; ``overview_figure`` patched to fail
shows whether a refusal comes before drawing. All in process.
"""

import io
import os
import tempfile
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from rebalance import _report, cli  # noqa: E402
from rebalance.compare import compare  # noqa: E402

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + rng.normal(scale=0.7, size=60) > 0.8).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(X, y, folds=2, method_names=["none"], progress=False)


@pytest.fixture
def tiny(monkeypatch):
    """A one-inch empty figure instead of the overview: the path tests check
    where and how the file is written, not the drawing (seconds each)."""
    from matplotlib.figure import Figure

    monkeypatch.setattr(
        _report, "overview_figure", lambda *a, **k: Figure(figsize=(1, 1))
    )


def _never_drawn(*args, **kwargs):
    raise AssertionError("a figure was drawn before the path was checked")


def _garble(text, code_page):
    """``text`` saved in ``code_page`` and read back as cp1252 (as the CLI
    reads a file that is not UTF-8)."""
    return text.encode(code_page).decode("cp1252", errors="replace")


# -- 1. check_output_path ---------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["str", "bytes", "pathlib", "relative", "symlink-to-file"]
)
def test_path_names_that_worked_before_still_work(
    result, tiny, tmp_path, monkeypatch, kind
):
    target = tmp_path / "o.png"
    monkeypatch.chdir(tmp_path)
    if kind == "symlink-to-file":
        target.write_bytes(b"old")
        (tmp_path / "link.png").symlink_to(target)
        path = tmp_path / "link.png"
    else:
        path = {
            "str": str(target),
            "bytes": bytes(target),
            "pathlib": target,
            "relative": "o.png",
        }[kind]
    result.plot(path)
    assert target.read_bytes().startswith(PNG)


@pytest.mark.parametrize("kind", ["BytesIO", "spooled", "wb", "w+b"])
def test_binary_file_objects_still_work(result, tiny, tmp_path, kind):
    name = tmp_path / "f.png"
    if kind == "BytesIO":
        handle = io.BytesIO()
    elif kind == "spooled":
        handle = tempfile.SpooledTemporaryFile()
    else:
        handle = open(name, kind)  # noqa: SIM115
    with handle:
        result.plot(handle)
        handle.flush()
        handle.seek(0)
        if kind in ("BytesIO", "spooled"):
            data = handle.read()
        else:
            data = name.read_bytes()
    assert data.startswith(PNG)


@pytest.mark.parametrize("write", ["plot", "report"])
def test_dev_null_is_still_accepted(result, tiny, write):
    getattr(result, write)(os.devnull)


@pytest.mark.parametrize("write", ["plot", "report"])
def test_tilde_is_not_expanded(result, tiny, tmp_path, monkeypatch, write):
    monkeypatch.chdir(tmp_path)
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(FileNotFoundError, match="~' does not exist"):
            getattr(result, write)("~/x.png" if write == "plot" else "~/x.html")
    # a folder literally named "~" in the current folder is the one used
    (tmp_path / "~").mkdir()
    getattr(result, write)("~/x.png" if write == "plot" else "~/x.html")
    assert [p.name for p in (tmp_path / "~").iterdir()] == [
        "x.png" if write == "plot" else "x.html"
    ]


@pytest.mark.parametrize("write", ["plot", "report"])
@pytest.mark.parametrize("how", ["symlink", "trailing-slash"])
def test_existing_folder_refused_before_drawing(result, tmp_path, write, how):
    folder = tmp_path / "sub"
    folder.mkdir()
    if how == "symlink":
        path = tmp_path / "link"
        path.symlink_to(folder)
    else:
        path = str(folder) + os.sep
    file = "plot.png" if write == "plot" else "report.html"
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(ValueError, match="is a folder") as info:
            getattr(result, write)(path)
    assert repr(os.path.join(os.fsdecode(path), file)) in str(info.value)
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["sub"] + (["link"] if how == "symlink" else [])
    )


@pytest.mark.parametrize("kind", ["StringIO", "open-w", "TemporaryFile-w+"])
def test_text_streams_refused_before_drawing(result, tmp_path, kind):
    if kind == "StringIO":
        handle = io.StringIO()
    elif kind == "open-w":
        handle = open(tmp_path / "t.png", "w")  # noqa: SIM115
    else:
        handle = tempfile.TemporaryFile("w+", dir=tmp_path)  # noqa: SIM115
    assert isinstance(handle, io.TextIOBase)
    with handle, mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(TypeError, match="text stream.*binary file"):
            result.plot(handle)


@pytest.mark.parametrize("kind", ["spooled-w+", "named-w+", "rb"])
def test_file_objects_that_cannot_take_bytes_refused_before_drawing(
    result, tmp_path, kind
):
    # SpooledTemporaryFile(mode="w+") and NamedTemporaryFile("w+") are text
    # streams that are not io.TextIOBase instances (wrappers); a file opened
    # "rb" has a write method that refuses. Today each is drawn, then fails
    # in matplotlib: "write() argument must be str, not bytes" / "write".
    if kind == "spooled-w+":
        handle = tempfile.SpooledTemporaryFile(mode="w+")
    elif kind == "named-w+":
        handle = tempfile.NamedTemporaryFile("w+", dir=tmp_path)  # noqa: SIM115
    else:
        (tmp_path / "r.png").write_bytes(b"")
        handle = open(tmp_path / "r.png", "rb")  # noqa: SIM115
    with handle, mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises((TypeError, ValueError), match="path"):
            result.plot(handle)


@pytest.mark.parametrize("write", ["plot", "report"])
def test_empty_path_refused_before_drawing(result, tmp_path, monkeypatch, write):
    monkeypatch.chdir(tmp_path)
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises((ValueError, TypeError), match="path"):
            getattr(result, write)("")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("write", ["plot", "report"])
def test_missing_folder_name_with_slash_refused_before_drawing(
    result, tmp_path, monkeypatch, write
):
    # Today: plot draws, then matplotlib opens 'out/.png' (FileNotFoundError);
    # report draws every figure, then open('out/') (IsADirectoryError).
    monkeypatch.chdir(tmp_path)
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises((ValueError, FileNotFoundError), match="out"):
            getattr(result, write)("out/")
    assert list(tmp_path.iterdir()) == []


# -- 1b. the CLI's --plot / --report ----------------------------------------


def test_cli_check_output_folder_name_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="cannot write --plot 'out/': Is a dir"):
        cli._check_output("out/", "--plot", (".png",))
    (tmp_path / "o2").mkdir()
    for path in ("o2", "o2/"):
        with pytest.raises(SystemExit, match=f"--report '{path}' is a directory"):
            cli._check_output(path, "--report", (".html",))
    assert [p.name for p in tmp_path.iterdir()] == ["o2"]
    assert list((tmp_path / "o2").iterdir()) == []


def test_cli_devices_are_written_in_place():
    cli._check_output(os.devnull, "--plot", (".png",))  # no extension asked
    seen = []
    cli._write(os.devnull, "--plot", seen.append)
    assert seen == [os.devnull]


def test_cli_write_through_a_temporary_file(result, tmp_path):
    target = tmp_path / "p.png"
    target.write_bytes(b"earlier")
    link = tmp_path / "link.png"
    link.symlink_to(target)

    def failing(name):
        with open(name, "wb") as handle:
            handle.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(SystemExit, match="No space left"):
        cli._write(str(link), "--plot", failing)
    assert target.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "p.png"]
    cli._write(str(link), "--plot", lambda p: result.plot(p))
    assert link.is_symlink() and target.read_bytes().startswith(PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "p.png"]


# -- 2. _check_western ------------------------------------------------------

WESTERN = ["situação", "créée", "Größe", "Zürich", "eleições", "naïve", "Málaga"]
CYRILLIC = ["Москва", "Казань", "Новосибирск", "Самара", "Пермь"]


def test_many_columns_2000_plus_western_values_are_read():
    frame = pd.DataFrame(
        {
            f"côté {j}": [f"{WESTERN[(i + j) % 7]} {i}" for i in range(2500)]
            for j in range(20)
        }
    )
    frame["n"] = np.arange(2500)
    assert cli._check_western(frame) is None


def test_many_columns_2000_plus_cyrillic_values_are_refused():
    frame = pd.DataFrame(
        {
            f"c{j}": [
                _garble(f"{CYRILLIC[(i + j) % 5]} {i}", "cp1251") for i in range(2500)
            ]
            for j in range(20)
        }
    )
    with pytest.raises(ValueError, match="another code page") as info:
        cli._check_western(frame)
    assert _garble("Москва 0", "cp1251") in str(info.value)


def test_cyrillic_among_2000_western_values_of_a_column_is_not_seen():
    # Only the first 2000 distinct values of each column are looked at.
    values = [f"{WESTERN[i % 7]} {i}" for i in range(2000)]
    values += [_garble(f"{CYRILLIC[i % 5]}", "cp1251") for i in range(500)]
    assert cli._check_western(pd.DataFrame({"x": values})) is None


def test_numbers_only_frames_are_read():
    frame = pd.DataFrame(np.arange(40.0).reshape(10, 4), columns=list("abcd"))
    assert cli._check_western(frame) is None
    frame.columns = ["größe", "côté", "situação", "n"]
    assert cli._check_western(frame) is None


def test_column_names_only_cyrillic_are_refused_with_one_as_sample():
    names = [_garble(w, "cp1251") for w in ("Город", "Цена", "Год")]
    frame = pd.DataFrame(np.zeros((3, 3)), columns=names)
    with pytest.raises(ValueError, match="another code page") as info:
        cli._check_western(frame)
    assert repr(names[0]) in str(info.value)


def test_gbk_values_are_refused():
    words = ["北京", "上海", "广州", "深圳"]
    frame = pd.DataFrame({"city": [_garble(w, "gbk") for w in words], "n": range(4)})
    with pytest.raises(ValueError, match="another code page"):
        cli._check_western(frame)


def test_error_sample_is_a_suspect_text():
    frame = pd.DataFrame(
        {"situação": [_garble(w, "cp1251") for w in CYRILLIC], "n": range(5)}
    )
    with pytest.raises(ValueError, match="another code page") as info:
        cli._check_western(frame)
    assert repr(_garble(CYRILLIC[0], "cp1251")) in str(info.value)
    assert "situação" not in str(info.value)
