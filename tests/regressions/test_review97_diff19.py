"""Review 97 diff19: today's changes (Dask mask keys, trailing empty CSV rows,
iterable-refusing samplers, RebalanceSampler argument messages).

Small data only; ``rebalance compare --data`` is exercised through
``_load_table`` and ``main`` in process.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from rebalance import RandomUnderSampler, ThresholdMover
from rebalance.cli import _load_table, main

F = ["rid", "a"]


# --------------------------------------------------------------------------
# (1) rebalance/_dask.py _expression_key
# --------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """Two Parquet files of 20 rows; ``a`` is 1 on even rows, -1 on odd."""
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    n = 40
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "rid": i.astype(float),
            "a": np.tile([1.0, -1.0], n // 2),
            "b": (i % 3).astype(float),
            "y": i % 2,
        }
    )
    (tmp_path / "d").mkdir()
    frame.iloc[:20].to_parquet(tmp_path / "d" / "part.0.parquet")
    frame.iloc[20:].to_parquet(tmp_path / "d" / "part.1.parquet")
    return tmp_path / "d"


def _refused(X, y) -> bool:
    from rebalance._dask import check_same_selection

    try:
        check_same_selection(X, y)
    except ValueError as exc:
        assert "other rows" in str(exc)
        return True
    return False


@pytest.fixture
def reads(folder, synchronous_dask):
    import dask.dataframe as dd

    link = folder.parent / "link"
    os.symlink(folder, link)
    return (
        dd.read_parquet(str(folder)),
        [dd.read_parquet(str(folder) + "/"), dd.read_parquet(str(link))],
    )


def test_same_mask_on_two_spellings_passes(reads):
    A, others = reads
    for B in others:
        assert not _refused(A[A.a > 0][F], B[B.a > 0]["y"])
        # A's mask on B: an index-aligned filter of another read (Dask may
        # shuffle to align it), refused with "select the rows once".
        assert _refused(A[A.a > 0][F], B[A.a > 0]["y"])
        assert not _refused(A[A.b.isin([1])][F], B[B.b.isin([1])]["y"])
        assert not _refused(A[(A.a > 0) & (A.b > 0)][F], B[(B.a > 0) & (B.b > 0)]["y"])
        assert not _refused(A.loc[A.a > 0, F], B.loc[B.a > 0, "y"])
        assert not _refused(A[(A.a * 2 + A.b) > 1][F], B[(B.a * 2 + B.b) > 1]["y"])
        assert not _refused(A[["a", "rid"]][A.a > 0][F], B[["y", "a"]][B.a > 0]["y"])


def test_other_masks_on_two_spellings_refused(reads):
    A, others = reads
    for B in others:
        X = A[A.a > 0][F]
        assert _refused(X, B[B.a >= 0]["y"])
        assert _refused(X, B[B.a > 0.5]["y"])
        assert _refused(X, B[B.b > 0]["y"])
        assert _refused(X, B[~(B.a > 0)]["y"])
        assert _refused(X, B.loc[B.a < 0]["y"])
        assert _refused(X, B.query("a < 0")["y"])
        assert _refused(A[A.b.isin([1])][F], B[B.b.isin([2])]["y"])
        assert _refused(
            A[A.b.isin(np.array([1.0]))][F], B[B.b.isin(np.array([2.0]))]["y"]
        )
        assert _refused(A[(A.a > 0) & (A.b > 0)][F], B[(B.a > 0) | (B.b > 0)]["y"])
        assert _refused(A[(A.a * 2 + A.b) > 1][F], B[(B.a * 2 + B.b) > 2]["y"])


def test_mask_of_other_read_of_same_folder_refused(folder, synchronous_dask):
    import dask.dataframe as dd

    A, B = dd.read_parquet(str(folder)), dd.read_parquet(str(folder) + "/")
    X, y = A[A.a > 0][F], B[A.a < 0]["y"]  # a mask of A on a read of dir/
    assert len(X) == len(y) == 20
    with pytest.raises(ValueError, match="y holds other rows"):
        ThresholdMover(LogisticRegression()).fit(X, y)


def test_filters_and_file_list_other_mask_refused(folder, synchronous_dask):
    import dask.dataframe as dd

    files = [str(folder / "part.0.parquet"), str(folder / "part.1.parquet")]
    A, L = dd.read_parquet(str(folder)), dd.read_parquet(files)
    assert _refused(A[A.a > 0][F], L[L.a < 0]["y"])
    fa = dd.read_parquet(str(folder), filters=[("b", ">", 0)])
    fb = dd.read_parquet(str(folder) + "/", filters=[("b", ">", 0)])
    assert not _refused(fa[fa.a > 0][F], fb[fb.a > 0]["y"])
    assert _refused(fa[fa.a > 0][F], fb[fb.a < 0]["y"])


def test_mask_on_assigned_column_same_passes(folder, synchronous_dask):
    import dask.dataframe as dd

    A = dd.read_parquet(str(folder))
    R, S = A.assign(c=A.a + 0), A.assign(c=A.a + 0)
    assert not _refused(R[R.c > 0][F], S[S.c > 0]["y"])


def test_mask_on_other_assigned_column_refused(folder, synchronous_dask):
    import dask.dataframe as dd

    A = dd.read_parquet(str(folder))
    R, S = A.assign(c=A.a), A.assign(c=-A.a)  # rows a > 0 beside rows a < 0
    X, y = R[R.c > 0][F], S[S.c > 0]["y"]
    assert len(X) == len(y) == 20
    with pytest.raises(ValueError, match="y holds other rows"):
        ThresholdMover(LogisticRegression()).fit(X, y)


# --------------------------------------------------------------------------
# (2) rebalance/cli.py trailing empty rows, --target named
# --------------------------------------------------------------------------


def _load(tmp_path, text, target="y"):
    path = tmp_path / "f.csv"
    path.write_text(text)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            frame, y = _load_table(str(path), target)
        except SystemExit as exc:
            return ("exit", str(exc.code)), err.getvalue()
    return (frame.shape, y.tolist()), err.getvalue()


@pytest.mark.parametrize("tail", [",\n,\n", " , \n", '"",""\n', ",\n,"])
def test_trailing_empty_rows_dropped_with_notice(tmp_path, tail):
    (shape, y), err = _load(tmp_path, "a,y\n1,0\n2,1\n3,0\n4,1\n" + tail)
    assert shape == (4, 1) and y == [0, 1, 0, 1]
    assert "empty in every column" in err and "left out" in err


def test_no_notice_without_trailing_empty_rows(tmp_path):
    (shape, _), err = _load(tmp_path, "a,y\n1,0\n2,1\n3,0\n4,1\n")
    assert shape == (4, 1) and "empty in every column" not in err


def test_row_numbers_kept_after_dropping(tmp_path):
    (kind, msg), err = _load(tmp_path, "a,y\n1,0\n2,1\n3,0\n4,1\n5,\n,\n")
    assert kind == "exit" and "data row 5," in msg and "the last 1 row" in err


def test_empty_rows_in_the_middle_are_not_dropped(tmp_path):
    (kind, msg), _ = _load(tmp_path, "a,y\n1,0\n2,1\n3,0\n4,1\n,\n,\n5,0\n")
    assert kind == "exit" and "data rows 5 and 6" in msg


def test_target_empty_at_end_is_not_dropped(tmp_path):
    (kind, msg), err = _load(tmp_path, "a,y\n1,0\n2,1\n3,0\n4,1\n5,\n")
    assert kind == "exit" and "data row 5," in msg and err == ""


def test_only_empty_rows(tmp_path):
    (kind, msg), _ = _load(tmp_path, "a,y\n,\n,\n")
    assert kind == "exit" and "no data rows" in msg


def test_one_class_message_names_target(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,label\n" + "1,0\n" * 10 + ",\n")
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exc:
        main(["compare", "--data", str(path), "--target", "label", "--folds", "3"])
    text = str(exc.value.code)
    assert "--target 'label' has 1 class(es)" in text
    assert "Choose another --target column" in text


# --------------------------------------------------------------------------
# (3) BaseSampler.__iter__ and RebalanceSampler messages
# --------------------------------------------------------------------------


def test_iter_refused_with_fix():
    with pytest.raises(TypeError, match=r"RebalanceSampler\(y, RandomUnderSampler"):
        next(iter(RandomUnderSampler()))


def test_iterable_sampler_in_sklearn_tools():
    s = RandomUnderSampler(random_state=0)
    assert not isinstance(s, Iterable)  # (pandas would take it as a list)
    assert repr(clone(s)) == repr(s)
    assert np.array([s, s]).shape == (2,)
    assert pd.Series([s]).iloc[0] is s
    from imblearn.pipeline import make_pipeline

    X = np.random.default_rng(0).normal(size=(48, 2))
    y = (np.arange(48) % 4 == 0).astype(int)
    pipe = make_pipeline(RandomUnderSampler(), LogisticRegression())
    grid = {
        "randomundersampler": [s, RandomUnderSampler(random_state=1), "passthrough"]
    }
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert list(search.cv_results_["param_randomundersampler"])[0] is not None
    assert "RandomUnderSampler" in pipe._repr_html_()


def test_sampler_as_a_pandas_scalar():
    frame = pd.DataFrame({"score": [0.5, 0.7]})
    frame["sampler"] = RandomUnderSampler()
    assert frame["sampler"].iloc[1] is frame["sampler"].iloc[0]


def test_dataloader_refuses_bare_sampler():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(torch.zeros(8, 1))
    with pytest.raises(TypeError, match="not a PyTorch sampler"):
        next(iter(DataLoader(ds, sampler=RandomUnderSampler())))


def test_rebalance_sampler_argument_messages():
    pytest.importorskip("torch")
    from rebalance.torch import RebalanceSampler

    y = np.arange(200) % 2
    with pytest.raises(TypeError, match=r"labels first.*RebalanceSampler\(y, Random"):
        RebalanceSampler(RandomUnderSampler(), y)
    with pytest.raises(TypeError, match=r"got a ndarray\.$"):
        RebalanceSampler(y, y)
    with pytest.raises(TypeError, match=r"got 'x'\.$"):
        RebalanceSampler(y, "x")
