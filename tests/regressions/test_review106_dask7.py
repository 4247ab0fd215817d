"""Review 106, dask7: Dask inputs from NON-Parquet sources (CSV, from_pandas,
from_dict, from_delayed, from_map, arrays, map_partitions, concat, repartition,
set_index, merge, ...). Every output label is checked against its row's id."""

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

from rebalance import (  # noqa: E402
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

F = ["id", "a", "b"]


def _frame():
    # first half: a > 0, even ids; second half: b > 0, odd ids; the label
    # pattern of the halves differs, so pairing one with the other shows.
    p = pd.DataFrame({"id": np.r_[np.arange(20) * 2, np.arange(20) * 2 + 1]})
    p["a"] = np.r_[np.ones(20), -np.ones(20)]
    p["b"] = -p["a"]
    p["lab"] = np.r_[
        np.zeros(14, int), np.ones(6, int), np.ones(6, int), np.zeros(14, int)
    ]
    return p


P = _frame()
LAB = dict(zip(P["id"].tolist(), P["lab"].tolist()))


def _aligned(X_res, y_res):
    Xc = np.asarray(X_res.compute() if hasattr(X_res, "compute") else X_res)
    yc = np.asarray(y_res.compute() if hasattr(y_res, "compute") else y_res)
    assert len(Xc) == len(yc)
    return all(LAB[int(i)] == int(v) for i, v in zip(Xc[:, 0], yc))


def _resample(X, y, sampler=None):
    sampler = sampler or RandomOverSampler(random_state=0, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sampler.fit_resample(X, y)


def _refused_or_aligned(X, y):
    try:
        X_res, y_res = _resample(X, y)
    except ValueError:
        return True
    return _aligned(X_res, y_res)


@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    d = tmp_path_factory.mktemp("csv7")
    P.to_csv(d / "one.csv", index=False)
    (d / "many").mkdir()
    P.iloc[:20].to_csv(d / "many" / "p0.csv", index=False)
    P.iloc[20:].to_csv(d / "many" / "p1.csv", index=False)
    return d


# ---------------------------------------------------------------- pins: (a)


@pytest.mark.parametrize("pattern", ["one.csv", "many/*.csv"])
def test_csv_same_frame_small_blocksize_keeps_labels(csvs, pattern):
    d = dd.read_csv(str(csvs / pattern), blocksize=100)
    assert d.npartitions >= 3  # a file spans partitions
    X_res, y_res = _resample(d[F], d["lab"])
    assert _aligned(X_res, y_res)
    assert len(y_res.compute()) == 56


def test_csv_two_reads_other_blocksize_same_rows_accepted(csvs):
    pat = str(csvs / "many" / "*.csv")
    X = dd.read_csv(pat, blocksize=100)[F]
    y = dd.read_csv(pat, blocksize=200)["lab"]
    assert X.npartitions != y.npartitions
    assert _aligned(*_resample(X, y))


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("nparts", [1, 2, 3, 4])
def test_from_pandas_same_frame_keeps_labels(nparts, sort):
    d = dd.from_pandas(P, npartitions=nparts, sort=sort)
    assert _aligned(*_resample(d[F], d["lab"]))


@pytest.mark.parametrize("index", ["shuffled", "repeated"])
@pytest.mark.parametrize("sort", [True, False])
def test_from_pandas_odd_index_same_frame_keeps_labels(index, sort):
    p = P.sample(frac=1, random_state=1) if index == "shuffled" else P.copy()
    if index == "repeated":
        p.index = np.arange(len(p)) % 5
    d = dd.from_pandas(p, npartitions=3, sort=sort)
    assert _aligned(*_resample(d[F], d["lab"]))


def test_from_pandas_sorted_x_beside_unsorted_pandas_y_refused():
    sh = P.sample(frac=1, random_state=1)
    d = dd.from_pandas(sh, npartitions=3)
    with pytest.raises(ValueError, match="sort"):
        _resample(d[F], sh["lab"])


def _sources():
    parts = [
        dask.delayed(P.iloc.__getitem__)(slice(i, i + 10)) for i in range(0, 40, 10)
    ]
    return {
        "from_dict": dd.from_dict(
            {c: P[c].to_numpy() for c in P.columns}, npartitions=3
        ),
        "from_delayed": dd.from_delayed(parts, meta=P.iloc[:0]),
        "from_map": dd.from_map(lambda i: P.iloc[i * 10 : (i + 1) * 10], range(4)),
    }


@pytest.mark.parametrize("name", ["from_dict", "from_delayed", "from_map"])
def test_other_constructors_same_frame_keep_labels(name):
    d = _sources()[name]
    assert _aligned(*_resample(d[F], d["lab"]))


@pytest.mark.parametrize(
    "op",
    [
        "dropna",
        "assign",
        "astype",
        "repartition_x",
        "repartition_y",
        "reset_index",
        "map_identity",
    ],
)
@pytest.mark.parametrize("src", ["fp", "csv"])
def test_derived_frames_keep_labels(csvs, src, op):
    d = (
        dd.from_pandas(P, npartitions=3)
        if src == "fp"
        else dd.read_csv(str(csvs / "one.csv"), blocksize=100)
    )
    X, y = d[F], d["lab"]
    if op == "dropna":
        X, y = d.dropna()[F], d.dropna()["lab"]
    elif op == "assign":
        X = d.assign(c=d.a * 2)[F + ["c"]]
    elif op == "astype":
        X, y = d[F].astype("float32"), d["lab"].astype("int8")
    elif op == "repartition_x":
        X = X.repartition(npartitions=2)
    elif op == "repartition_y":
        y = y.repartition(npartitions=5)
    elif op == "reset_index":
        X = d.reset_index(drop=True)[F]
    elif op == "map_identity":
        X = d.map_partitions(lambda x: x)[F]
    assert _aligned(*_resample(X, y))


def test_set_index_both_from_shuffled_frame_accepted():
    d = dd.from_pandas(P, npartitions=3).set_index("id", drop=False)
    assert _aligned(*_resample(d[F], d["lab"]))


def test_concat_of_same_frames_keeps_labels():
    d = dd.from_pandas(P, npartitions=3)
    X = dd.concat([d[F], d[F]])
    y = dd.concat([d["lab"], d["lab"]])
    X_res, y_res = _resample(X, y)
    assert _aligned(X_res, y_res)
    assert len(y_res.compute()) == 112


@pytest.mark.parametrize("kind", ["da.from_array", "dd.from_array", "numpy_y"])
def test_arrays_other_chunks_keep_labels(kind):
    arr = P[F].to_numpy()
    lab = P["lab"].to_numpy()
    if kind == "da.from_array":
        X, y = da.from_array(arr, chunks=13), da.from_array(lab, chunks=7)
    elif kind == "dd.from_array":
        X = dd.from_array(arr, chunksize=13, columns=F)
        y = dd.from_array(lab, chunksize=9)
    else:
        X, y = da.from_array(arr, chunks=13), lab
    assert _aligned(*_resample(X, y))


@pytest.mark.parametrize("which", ["X", "y"])
def test_unknown_divisions_on_either_side_keep_labels(which):
    d = dd.from_pandas(P, npartitions=3)
    X, y = d[F], dd.from_pandas(P, npartitions=2)["lab"]
    if which == "X":
        X = X.clear_divisions()
    else:
        y = y.clear_divisions()
    assert _aligned(*_resample(X, y))


# ---------------------------------------------------------------- pins: (b)


def test_set_index_x_beside_unsorted_y_refused():
    p = P.copy()
    p["id"] = p["id"] + 1000
    d = dd.from_pandas(p, npartitions=3)
    with pytest.raises(ValueError, match="persist"):
        _resample(d.set_index("id", drop=False)[F], d["lab"])


@pytest.mark.parametrize("src", ["fp", "csv"])
def test_set_index_or_sort_values_x_beside_unsorted_y_never_mispaired(csvs, src):
    d = (
        dd.from_pandas(P, npartitions=3)
        if src == "fp"
        else dd.read_csv(str(csvs / "one.csv"), blocksize=100)
    )
    with pytest.raises(ValueError):
        _resample(d.sort_values("id")[F], d["lab"])
    with pytest.raises(ValueError):
        _resample(d.set_index("id").reset_index()[F], d["lab"])


def test_from_pandas_concat_in_swapped_order_refused():
    d = dd.from_pandas(P, npartitions=3)
    X = dd.concat([d[d.a > 0][F], d[d.b > 0][F]])
    y = dd.concat([d[d.b > 0]["lab"], d[d.a > 0]["lab"]])
    with pytest.raises(ValueError, match="another order"):
        _resample(X, y)


@pytest.mark.parametrize("src", ["fp", "csv"])
def test_map_partitions_reordering_x_refused(csvs, src):
    d = (
        dd.from_pandas(P, npartitions=3)
        if src == "fp"
        else dd.read_csv(str(csvs / "one.csv"), blocksize=100)
    )
    with pytest.raises(ValueError, match="order"):
        _resample(d.map_partitions(lambda x: x.iloc[::-1])[F], d["lab"])


def test_merge_result_columns_refused_with_persist_advice():
    d = dd.from_pandas(P, npartitions=3)
    m = d[["id", "lab"]].merge(d[["id", "a", "b"]], on="id")
    with pytest.raises(ValueError, match="persist"):
        _resample(m[F], m["lab"])
    mp = m.persist()
    assert _aligned(*_resample(mp[F], mp["lab"]))


# ---------------------------------------------------------------- output type


def test_dask_frame_in_dask_frame_out_with_fresh_known_index():
    d = dd.from_pandas(P, npartitions=3)
    X_res, y_res = _resample(d[F], d["lab"], RandomOverSampler(random_state=0))
    assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
    assert X_res.npartitions == y_res.npartitions == 3
    assert X_res.known_divisions and X_res.divisions == y_res.divisions
    n = len(y_res.compute())
    assert X_res.index.compute().tolist() == list(range(n))
    assert _aligned(X_res, y_res)


def test_dask_array_in_dask_array_out():
    d = dd.from_pandas(P, npartitions=3)
    X = d[F].to_dask_array(lengths=True)
    y = d["lab"].to_dask_array(lengths=True)
    X_res, y_res = _resample(X, y, RandomUnderSampler(random_state=0))
    assert isinstance(X_res, da.Array) and isinstance(y_res, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0]
    assert _aligned(X_res, y_res)


# ---------------------------------------------------------------- bugs


@pytest.mark.parametrize("src", ["fp", "csv"])
@pytest.mark.parametrize("sel", ["mask", "sample"])
def test_other_rows_of_one_non_parquet_frame_are_not_paired(csvs, src, sel):
    d = (
        dd.from_pandas(P, npartitions=4)
        if src == "fp"
        else dd.read_csv(str(csvs / "one.csv"), blocksize=100)
    )
    if sel == "mask":
        X, y = d[d.a > 0][F], d[d.b > 0]["lab"]
    else:
        X = d.sample(frac=0.5, random_state=0)[F]
        y = d.sample(frac=0.5, random_state=1)["lab"]
    assert _refused_or_aligned(X, y)


def test_resampled_classifier_other_mask_not_paired():
    from sklearn.base import BaseEstimator, ClassifierMixin

    seen = {}

    class Rec(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            seen["ok"] = _aligned(X, y)
            self.classes_ = np.unique(
                np.asarray(y.compute() if hasattr(y, "compute") else y)
            )
            return self

        def predict(self, X):
            return np.zeros(len(X), int)

    d = dd.from_pandas(P, npartitions=3)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ResampledClassifier(RandomOverSampler(random_state=0), Rec()).fit(
                d[d.a > 0][F], d[d.b > 0]["lab"]
            )
    except ValueError:
        return
    assert seen["ok"]


def test_from_map_y_holding_x_index_in_other_order_refused():
    X = dd.from_map(lambda i: P.iloc[i * 10 : (i + 1) * 10], range(4))[F]
    y = dd.from_map(lambda i: P.iloc[i * 10 : (i + 1) * 10], [3, 2, 1, 0])["lab"]
    assert sorted(y.index.compute()) == sorted(X.index.compute())
    with pytest.raises(ValueError, match="another order"):
        _resample(X, y)


def test_set_index_x_with_row_number_ids_beside_unsorted_y_not_paired():
    p = P.copy()
    p["id"] = np.r_[np.arange(20) * 2, np.arange(20) * 2 + 1]  # a permutation of 0..39
    d = dd.from_pandas(p, npartitions=3)
    assert _refused_or_aligned(d.set_index("id", drop=False)[F], d["lab"])


def test_set_index_y_with_row_number_ids_beside_unsorted_x_not_paired():
    # The other way round: y sorted by row-number ids, X in the frame's order.
    p = P.copy()
    p["id"] = np.r_[np.arange(20) * 2, np.arange(20) * 2 + 1]  # a permutation of 0..39
    d = dd.from_pandas(p, npartitions=3)
    assert _refused_or_aligned(d[F], d.set_index("id", drop=False)["lab"])


def test_set_index_on_both_sides_is_accepted():
    p = P.copy()
    p["id"] = np.r_[np.arange(20) * 2, np.arange(20) * 2 + 1]
    d = dd.from_pandas(p, npartitions=3).set_index("id", drop=False)
    assert _aligned(*_resample(d[F], d["lab"]))
