"""Review round 32, area compare: `rebalance compare` and `rebalance.compare`
on the inputs real users pass."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

from rebalance._columns import ColumnPlan
from rebalance.compare import METRIC_LABELS, ComparisonResult, compare


def _small(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n // 4) + [1] * (n // 4))
    X = rng.normal(size=(n, 3))
    X[:, 0] += 1.5 * y
    return X, y


def _result() -> ComparisonResult:
    methods = ("none", "under")
    return ComparisonResult(
        y=np.array([0, 1] * 4),
        folds=2,
        test_train_ratio=1.0,
        scores={m: {k: [0.6, 0.8] for k in METRIC_LABELS} for m in methods},
        recalls={m: np.full((2, 2), 0.5) for m in methods},
        oof={m: np.full((8, 2), 0.5) for m in methods},
        skipped={"over": "fold 1: why"},
        columns=ColumnPlan(used={"a": "numeric"}, dropped={"id": "id-like"}),
    )


# to_json returned the result's own lists and dicts (scores, skipped, the
# column plan): editing the JSON data (rounding it, adding a fold) changed
# the result's table, and a later run on the result changed saved JSON data.
def test_to_json_shares_no_container_with_the_result():
    result = _result()
    before = copy.deepcopy(result.to_json())
    data = result.to_json()
    data["scores"]["none"]["roc_auc"][0] = 99.0
    data["scores"]["none"]["roc_auc"].append(1.0)
    data["skipped"]["bce"] = "edited"
    data["columns"]["used"]["b"] = "numeric"
    data["columns"]["dropped"].clear()
    assert result.scores["none"]["roc_auc"] == [0.6, 0.8]
    assert result.skipped == {"over": "fold 1: why"}
    assert result.columns.used == {"a": "numeric"}
    assert result.columns.dropped == {"id": "id-like"}
    assert result.to_json() == before
    # ... and the other way round: the result edited after to_json.
    saved = result.to_json()
    result.scores["under"]["f1"][1] = -1.0
    result.skipped.clear()
    result.columns.used.clear()
    assert saved == before
    json.dumps(saved, allow_nan=False)


# A one-column frame or an (n, 1) array as y (df[["label"]], as scikit-learn
# and the samplers take it) was refused with "the target must be one column;
# got shape (40, 1)".
@pytest.mark.parametrize("wrap", ["pandas", "numpy", "polars"])
def test_compare_takes_a_one_column_target(wrap):
    X, y = _small()
    if wrap == "pandas":
        target = pd.DataFrame({"label": y})
    elif wrap == "polars":
        pl = pytest.importorskip("polars")
        target = pl.DataFrame({"label": y})
    else:
        target = y[:, None]
    options = {"folds": 2, "method_names": ["none"]}
    result = compare(X, target, **options)
    assert result.to_json() == compare(X, y, **options).to_json()


def test_compare_two_column_target_error_names_the_shape_it_needs():
    X, y = _small()
    with pytest.raises(ValueError, match=r"one label per row.*got shape \(40, 2\)"):
        compare(X, np.c_[y, y], folds=2, method_names=["none"])


# X as a Dask DataFrame raised AttributeError ('Series' object has no
# attribute 'empty'); a polars LazyFrame or a scipy sparse matrix "X must be
# 2-D; got shape ()". Now TypeErrors that say what to pass.
def test_compare_refuses_a_dask_frame_with_the_fix():
    dd = pytest.importorskip("dask.dataframe")
    X, y = _small()
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abc")), npartitions=2)
    with pytest.raises(TypeError, match=r"X is a Dask DataFrame.*X\.compute\(\)"):
        compare(frame, y, folds=2, method_names=["none"])
    with pytest.raises(TypeError, match=r"y is a Dask Series.*y\.compute\(\)"):
        compare(X, dd.from_pandas(pd.Series(y), npartitions=2), folds=2)


def test_compare_refuses_lazy_frames_with_the_fix():
    pl = pytest.importorskip("polars")
    X, y = _small()
    lazy = pl.DataFrame(X, schema=list("abc")).lazy()
    with pytest.raises(TypeError, match=r"X is a lazy LazyFrame.*X\.collect\(\)"):
        compare(lazy, y, folds=2, method_names=["none"])
    with pytest.raises(TypeError, match=r"y is a lazy LazyFrame.*y\.collect\(\)"):
        compare(X, pl.DataFrame({"y": y}).lazy(), folds=2, method_names=["none"])


def test_compare_refuses_a_sparse_matrix_with_the_fix():
    sp = pytest.importorskip("scipy.sparse")
    X, y = _small()
    with pytest.raises(TypeError, match=r"X is a sparse csr_matrix.*X\.toarray\(\)"):
        compare(sp.csr_matrix(X), y, folds=2, method_names=["none"])


# A complex array X was cast to float64 with a ComplexWarning only: the
# imaginary parts silently dropped (a DataFrame's complex column is refused).
def test_compare_refuses_complex_array_features():
    X, y = _small()
    with pytest.raises(ValueError, match="complex numbers.*real and imaginary"):
        compare(X + 1j, y, folds=2, method_names=["none"])


# An array X with no column failed inside the first fold with
# SimpleImputer's "Found array with 0 feature(s)".
def test_compare_refuses_an_array_without_columns_up_front():
    _, y = _small()
    with pytest.raises(
        ValueError, match=r"X has no feature columns \(shape \(40, 0\)\)"
    ):
        compare(np.zeros((40, 0)), y, folds=2, method_names=["none"])


# drop=None (as method_names=None) raised "'NoneType' object is not iterable".
def test_compare_drop_none_drops_nothing():
    X, y = _small()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    result = compare(frame, y, folds=2, method_names=["none"], drop=None)
    assert list(result.columns.used) == ["a", "b", "c"]
    assert result.columns.dropped == {}


# --model mlp fetched every training row on its own from a TensorDataset and
# stacked them (most of the fit's time on tens of thousands of rows): now a
# batch is taken in one indexing, with the same batches in the same order.
@pytest.mark.parametrize(
    "sampler", [None, "balanced-batch", "label-shuffle", "class-balanced"]
)
def test_mlp_takes_each_batch_in_one_indexing(monkeypatch, sampler):
    torch = pytest.importorskip("torch")
    from torch.utils.data import TensorDataset, default_collate

    from rebalance.torch import _compare_model as module

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3)).astype(np.float32)
    y = (rng.random(150) < 0.2).astype(np.int64)
    model = module.TorchMLPClassifier(sampler=sampler, batch_size=16)
    tensors = (torch.from_numpy(X), torch.from_numpy(y))
    got = list(model._loader(module._Rows(*tensors), y, seed=3))
    # The same loader over a plain TensorDataset, its rows fetched one by one
    # and stacked (torch's default collation), as before.
    plain = model._loader(TensorDataset(*tensors), y, seed=3)
    plain.collate_fn = default_collate
    expected = list(plain)
    assert len(got) == len(expected) > 1
    for (xb, yb), (xe, ye) in zip(got, expected):
        assert torch.equal(xb, xe) and torch.equal(yb, ye)

    calls = []
    original = TensorDataset.__getitem__
    monkeypatch.setattr(
        TensorDataset,
        "__getitem__",
        lambda self, i: calls.append(i) or original(self, i),
    )
    module.TorchMLPClassifier(sampler=sampler, epochs=1, random_state=0).fit(X, y)
    assert calls == []


# --- the command line ----------------------------------------------------

CSV = "a,b,label\n" + "".join(
    f"{i % 7},{(i * 3) % 5},{'yes' if i % 4 == 0 else 'no'}\n" for i in range(24)
)


def _run_cli(argv):
    from rebalance.cli import main

    return main(["compare", *argv])


# A damaged or misnamed compressed --data file (a gzip named .zip, a gzip
# cut short, an .xz or .tar that is not one) ended in a BadZipFile, EOFError,
# LZMAError or tarfile.ReadError traceback.
@pytest.mark.parametrize("name", ["t.csv.zip", "t.csv.xz", "t.csv.tar", "cut.csv.gz"])
def test_broken_compressed_data_is_a_one_line_error(tmp_path, monkeypatch, name):
    import gzip

    from rebalance import cli

    monkeypatch.setattr(cli, "compare", None)  # no fit may start
    body = gzip.compress(CSV.encode())
    path = tmp_path / name
    path.write_bytes(body[: len(body) // 2] if name.startswith("cut") else body)
    with pytest.raises(SystemExit) as error:
        _run_cli(["--data", str(path), "--target", "label"])
    message = str(error.value.code)
    assert message.startswith(
        f"rebalance compare: error: could not read --data {str(path)!r}"
    )
    assert "not a valid" in message and "\n" not in message


# A .tgz (a gzipped tar holding the CSV) was read as raw gzip bytes: "it is
# not UTF-8 ... another code page" instead of the table in it.
def test_tgz_data_is_read_as_the_csv_it_holds(tmp_path, capsys):
    import tarfile

    csv = tmp_path / "t.csv"
    csv.write_text(CSV)
    archive = tmp_path / "my data.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(csv, arcname="t.csv")
    argv = ["--target", "label", "--folds", "2", "--methods", "none", "--json", "-"]
    assert _run_cli(["--data", str(archive), *argv]) == 0
    from_tgz = json.loads(capsys.readouterr().out)
    assert _run_cli(["--data", str(csv), *argv]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert from_tgz["class_counts"] == {"no": 18, "yes": 6}
    assert from_tgz["scores"] == from_csv["scores"]
