"""Review 87 (parquet2): Dask on Parquet as a user meets it."""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")


from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _frame(n=40):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "rid": np.arange(n),
            "f": np.r_[np.ones(n // 2), -np.ones(n // 2)],
            "g": np.r_[-np.ones(n // 2), np.ones(n // 2)],
            "w": rng.random(n),
            "y": rng.integers(0, 2, n),
        }
    )


@pytest.fixture
def folder(tmp_path):
    """Two files (20 rows each), row ids 0..39, an empty file between."""
    frame = _frame()
    frame.iloc[:20].to_parquet(tmp_path / "part.0.parquet", row_group_size=7)
    frame.iloc[:0].to_parquet(tmp_path / "part.1.parquet")
    frame.iloc[20:].to_parquet(tmp_path / "part.2.parquet", row_group_size=7)
    return tmp_path, frame


def _aligned(out, frame):
    rid = out[0].compute()["rid"].to_numpy()
    by_id = frame.set_index("rid")
    y = np.asarray(out[1].compute())
    return bool((y == by_id["y"].loc[rid].to_numpy()).all())


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_labels_and_weights_from_separate_read_stay_aligned(folder, sampler):
    path, frame = folder
    ddf = dd.read_parquet(path)
    X, y, w = sampler(random_state=0).fit_resample(
        ddf[["rid", "f"]],
        dd.read_parquet(path, columns=["y"], split_row_groups=True)["y"],
        sample_weight=dd.read_parquet(path, columns=["w"])["w"],
    )
    rid = X.compute()["rid"].to_numpy()
    by_id = frame.set_index("rid")
    np.testing.assert_array_equal(y.compute(), by_id["y"].loc[rid].to_numpy())
    np.testing.assert_allclose(w.compute(), by_id["w"].loc[rid].to_numpy())
    expected = sampler(random_state=0).fit_resample(frame[["rid", "f"]], frame["y"])
    np.testing.assert_array_equal(np.sort(rid), np.sort(expected[0]["rid"]))


def test_fit_resample_computes_once_and_stays_lazy(folder, dask_computes):
    path, _ = folder
    ddf = dd.read_parquet(path)
    with dask_computes() as count:
        out = RandomUnderSampler(random_state=0).fit_resample(
            ddf[["rid", "f"]], ddf["y"], sample_weight=ddf["w"]
        )
    assert count.n == 1
    assert all(hasattr(part, "dask") for part in out)


def test_nullable_labels_with_nulls_refused(tmp_path):
    frame = _frame()
    frame["y"] = pd.array(frame["y"], dtype="Int64")
    frame.loc[3, "y"] = pd.NA
    frame.to_parquet(tmp_path / "part.0.parquet")
    ddf = dd.read_parquet(tmp_path)
    with pytest.raises(ValueError, match="missing labels"):
        RandomUnderSampler(random_state=0).fit_resample(ddf[["f"]], ddf["y"])


@pytest.mark.parametrize("sampler", [RandomUnderSampler, LabelShuffleSampler])
def test_separate_read_with_other_filters_refused(folder, sampler):
    path, frame = folder
    X = dd.read_parquet(path, filters=[("f", ">", 0)])[["rid", "f"]]
    y = dd.read_parquet(path, filters=[("g", ">", 0)])["y"]
    with pytest.raises(ValueError, match="y"):
        out = sampler(random_state=0).fit_resample(X, y)
        # Not refused: the result must at least be aligned.
        assert _aligned(out, frame)


def test_one_read_masked_differently_refused(folder):
    path, frame = folder
    ddf = dd.read_parquet(path)
    X = ddf[ddf.f > 0][["rid", "f"]]
    y = ddf[ddf.g > 0]["y"]
    with pytest.raises(ValueError, match="y"):
        out = RandomUnderSampler(random_state=0).fit_resample(X, y)
        assert _aligned(out, frame)


def test_other_partitions_refused_and_one_selection_accepted(folder):
    path, frame = folder
    ddf = dd.read_parquet(path)
    X = ddf.partitions[0][["rid", "f"]]
    with pytest.raises(ValueError, match="other rows of the Parquet data"):
        RandomUnderSampler(random_state=0).fit_resample(X, ddf.partitions[2]["y"])
    # One selection, taken twice or built twice, is X's rows: accepted.
    rows = ddf[ddf.f > 0]
    for X, y in (
        (rows[["rid", "f"]], rows["y"]),
        (ddf[ddf.f > 0][["rid", "f"]], ddf[ddf.f > 0]["y"]),
        (ddf[["rid", "f"]][ddf.f > 0], ddf["y"][ddf.f > 0]),
        (
            dd.read_parquet(path, filters=[("f", ">", 0)])[["rid", "f"]],
            dd.read_parquet(path, filters=[("f", ">", 0)])["y"],
        ),
    ):
        out = RandomUnderSampler(random_state=0).fit_resample(X, y)
        assert _aligned(out, frame)


def test_one_mask_built_on_other_column_selections_accepted(folder):
    # X[X.f > 0] and ddf["y"][ddf.f > 0] select the same rows.
    path, frame = folder
    ddf = dd.read_parquet(path)
    X = ddf[["rid", "f"]]
    X = X[X.f > 0]
    out = RandomUnderSampler(random_state=0).fit_resample(X, ddf["y"][ddf.f > 0])
    assert _aligned(out, frame)


def test_readme_note_on_other_selections_holds(folder):
    from pathlib import Path

    readme = " ".join(
        (Path(__file__).resolve().parents[2] / "README.md").read_text().split()
    )
    assert "holding other rows of X's Parquet data" in readme
    assert '`X[X.a > 0]` beside `ddf["y"][ddf.a > 0]`, is one selection' in readme
    path, frame = folder
    ddf = dd.read_parquet(path)
    with pytest.raises(ValueError, match="other rows"):
        RandomUnderSampler().fit_resample(
            ddf[ddf.f > 0][["rid", "f"]], ddf[ddf.g > 0]["y"]
        )
    rows = ddf[ddf.f > 0]
    out = RandomUnderSampler(random_state=0).fit_resample(rows[["rid", "f"]], rows["y"])
    assert _aligned(out, frame)
