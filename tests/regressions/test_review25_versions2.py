"""Review 25 (versions2): the stack most users have (numpy 1.26, pandas 2.2,
scikit-learn 1.7, Dask 2024.x, ...).

Dask 2024.x keeps its DataFrames in the separate ``dask_expr`` package
(``dask_expr._collection.DataFrame``, shuffles in ``dask_expr._shuffle``);
Dask 2025.1 moved them into ``dask.dataframe.dask_expr``. The tests below run
on the newest Dask with that older layout put back (the classes' module
renamed, the new module paths made unimportable).
"""

from __future__ import annotations

import builtins
import sys
import types
import warnings

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from rebalance import RandomOverSampler, RandomUnderSampler  # noqa: E402


@pytest.fixture
def dask2024_layout(monkeypatch):
    """Dask's DataFrame classes and shuffle expressions where Dask 2024.x has
    them: in the ``dask_expr`` package, none under ``dask.dataframe.dask_expr``."""
    try:
        import dask.dataframe.dask_expr._collection as collection
        import dask.dataframe.dask_expr._merge as merge
        import dask.dataframe.dask_expr._shuffle as shuffle
    except ImportError:  # already the older layout (Dask 2024.x itself)
        pytest.skip("this Dask has no dask.dataframe.dask_expr")
    package = types.ModuleType("dask_expr")
    package.__path__ = []  # a package, for "from dask_expr._merge import ..."
    monkeypatch.setitem(sys.modules, "dask_expr", package)
    monkeypatch.setitem(sys.modules, "dask_expr._merge", merge)
    monkeypatch.setitem(sys.modules, "dask_expr._shuffle", shuffle)
    real_import = builtins.__import__

    def dask2024_import(name, globals=None, *args, **kwargs):
        # Only rebalance's own look-ups: Dask itself still finds its modules.
        ours = (globals or {}).get("__name__", "").startswith("rebalance")
        if ours and name.startswith("dask.dataframe.dask_expr"):
            raise ImportError(f"No module named {name!r} (Dask 2024.x)")
        return real_import(name, globals, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", dask2024_import)
    for kind in (collection.DataFrame, collection.Series):
        monkeypatch.setattr(kind, "__module__", "dask_expr._collection")
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _frame(n=80, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "uid": np.arange(n),
            "key": rng.integers(0, 4, n),
            "label": np.where(np.arange(n) % 4 == 0, "pos", "neg"),
            "w": rng.random(n),
        }
    )


def test_dask_2024_dataframes_are_resampled(dask2024_layout):
    # bug: on Dask 2024.x every Dask DataFrame X was refused with "X is a
    # DataFrame: the samplers take a dask.array.Array or a
    # dask.dataframe.DataFrame" (their class is dask_expr._collection's).
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=3)
    assert type(ddf).__module__ == "dask_expr._collection"
    X_res, y_res, w_res = RandomOverSampler(random_state=0).fit_resample(
        ddf[["uid", "w"]], ddf["label"], sample_weight=ddf["w"]
    )
    X_out, y_out, w_out = X_res.compute(), y_res.compute(), w_res.compute()
    truth = df.set_index("uid")
    uid = X_out["uid"].to_numpy()
    np.testing.assert_array_equal(truth.loc[uid, "label"].to_numpy(), y_out)
    np.testing.assert_allclose(truth.loc[uid, "w"].to_numpy(), np.asarray(w_out))
    assert dict(pd.Series(np.asarray(y_out)).value_counts()) == {"neg": 60, "pos": 60}


@pytest.mark.parametrize(
    "make",
    [lambda ddf: ddf.shuffle("key"), lambda ddf: ddf.sort_values("key")],
    ids=["shuffle", "sort_values"],
)
def test_dask_2024_arrays_of_a_shuffled_frame_are_refused(dask2024_layout, make):
    # bug: on Dask 2024.x the shuffle expressions were looked up only under
    # dask.dataframe.dask_expr: none found, arrays taken from a shuffled frame
    # passed unchecked, and their labels could land on other rows silently
    # (each of X and y computes the shuffle, its rows in another order).
    shuffled = make(dd.from_pandas(_frame(), npartitions=3))
    X = shuffled[["uid", "w"]].to_dask_array(lengths=True)
    y = shuffled["label"].to_dask_array()
    with pytest.raises(ValueError, match=r"Dask shuffle[\s\S]*persist\(\)"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_view_columns_are_gathered_where_pyarrow_cannot_cast_views(monkeypatch):
    # pyarrow < 18 (17 with polars 1.44 here) has no cast from string_view to
    # large_string: a pyarrow table from polars crashed every sampler with
    # ArrowNotImplementedError. The rows are then taken as Python values.
    # Simulated on a newer pyarrow by a cast target that fails the same way.
    pa = pytest.importorskip("pyarrow")
    if not hasattr(pa, "string_view"):
        pytest.skip("pyarrow < 16 has no string_view type")
    from rebalance import RandomOverSampler, _frames

    real = _frames._without_views
    monkeypatch.setattr(
        _frames,
        "_without_views",
        lambda t: pa.date32() if t == pa.string_view() else real(t),
    )
    with pytest.raises(pa.ArrowNotImplementedError):
        pa.chunked_array([["a"]], type=pa.string_view()).cast(pa.date32())
    y = np.array([0] * 8 + [1] * 2)
    table = pa.table(
        {
            "a": np.arange(10),
            "s": pa.array([f"s{i}" for i in range(10)], type=pa.string_view()),
        }
    )
    sampler = RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(table, y)
    rows = sampler.sample_indices_
    assert X_res.schema == table.schema
    assert X_res["s"].to_pylist() == [f"s{i}" for i in rows]
    labels = pa.chunked_array([["neg"] * 8 + ["pos"] * 2], type=pa.string_view())
    _, y_res = RandomOverSampler(random_state=0).fit_resample(table, labels)
    assert y_res.type == pa.string_view()
    assert y_res.to_pylist() == ["neg" if r < 8 else "pos" for r in rows]


def test_a_binary_file_that_decodes_as_utf8_is_not_read_as_text(tmp_path):
    # A zip's first bytes are ASCII and NUL bytes: valid UTF-8. pandas 2.x read
    # such a file up to its first NUL as one column (with pandas 3 too when
    # no later byte fails to decode), so `compare` said "--target is not a
    # column" instead of naming the file as binary.
    from rebalance.cli import main

    path = tmp_path / "d.dat"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00label,x\n0,1\n1,2\n")
    with pytest.raises(SystemExit) as raised:
        main(["compare", "--data", str(path), "--target", "label"])
    assert "not a text (CSV) file" in str(raised.value.code)
