"""Review 62, docs: claims the README makes about today's changes (review 59
to 61), pinned where no other test pinned them as the README states them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler, ThresholdMover
from rebalance.metrics import g_mean_score

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def test_readme_shrinkage_comment_is_what_the_example_prints():
    # README: print(np.bincount(y_res), ros.shrinkage_)  # [449 449] {1: 0.5}
    from sklearn.datasets import make_classification

    assert "# [449 449] {1: 0.5}" in README
    X, y = make_classification(n_samples=500, weights=[0.9, 0.1], random_state=0)
    ros = RandomOverSampler(sampling_strategy="minority", shrinkage=0.5, random_state=0)
    _, y_res = ros.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [449, 449]
    assert ros.shrinkage_ == {1: 0.5}


def test_shrinkage_dict_naming_a_class_not_in_y_is_refused():
    # README: "a `shrinkage` dict naming a class that is not in y is a ValueError"
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 8 + [1] * 2)
    with pytest.raises(ValueError, match="not in y"):
        RandomOverSampler(shrinkage={0: 1.0, 1: 1.0, 5: 1.0}).fit_resample(X, y)


def test_pandas_subclass_gets_a_fresh_range_index():
    # README: "pandas (subclasses such as a GeoDataFrame too) ... a fresh RangeIndex"
    class Frame(pd.DataFrame):
        @property
        def _constructor(self):
            return Frame

    index = np.arange(40)[::-1]
    X = Frame({"a": np.arange(40.0)}, index=index)
    y = pd.Series([0] * 30 + [1] * 10, index=index)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert isinstance(X_res.index, pd.RangeIndex)
    assert isinstance(y_res.index, pd.RangeIndex)
    # each row keeps its label: a = 30..39 is class 1
    assert ((X_res["a"].to_numpy() >= 30) == (y_res.to_numpy() == 1)).all()


def test_g_mean_reordered_index_refused_fresh_index_paired():
    # README: g_mean_score refuses y_pred holding y_true's index in another
    # order; a fresh 0..n-1 RangeIndex is paired by position.
    y_true = pd.Series([0, 1, 0, 1, 1], index=[4, 3, 2, 1, 0])
    with pytest.raises(ValueError, match=r"y_pred.*y_true\.index"):
        g_mean_score(y_true, pd.Series([0, 1, 0, 1, 1], index=[0, 1, 2, 3, 4]))
    assert g_mean_score(y_true, pd.Series([0, 1, 0, 1, 1])) == 1.0


def test_deploy_priors_train_reads_a_pipeline_steps_weights():
    # README: 'train' priors are weighted by the weights the estimator was
    # fitted with, sample_weight= or a Pipeline step's lr__sample_weight=.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    rng = np.random.default_rng(0)
    y = np.array([0] * 90 + [1] * 10)
    X = rng.normal(size=(100, 2)) + y[:, None]
    w = np.where(y == 1, 3.0, 1.0)

    def mover():
        pipe = Pipeline([("lr", LogisticRegression())])
        return ThresholdMover(pipe, "argmax", deploy_priors="train")

    by_step = mover().fit(X, y, lr__sample_weight=w).predict_proba(X)
    by_keyword = mover().fit(X, y, sample_weight=w).predict_proba(X)
    np.testing.assert_allclose(by_step, by_keyword)


def test_compare_reads_markers_as_missing_and_keeps_notes():
    # README: compare() reads a DataFrame as --data does and keeps its
    # notices in ComparisonResult.notes (shown by describe()).
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    values = rng.normal(size=60).round(2).astype(str).astype(object)
    values[[3, 5]] = ["?", "\\N"]
    X = pd.DataFrame({"a": rng.normal(size=60), "b": values})
    before = X.copy()
    y = np.array(["no"] * 48 + ["yes"] * 12, dtype=object)
    result = compare(X, y, method_names=["none"], folds=2, progress=False)
    pd.testing.assert_frame_equal(X, before)
    assert len(result.notes) == 1 and "'b'" in result.notes[0]
    assert "read as missing" in result.notes[0]
    assert "Notes: " in result.describe("data", "logistic", 0)
    assert result.to_json()["notes"] == result.notes


@pytest.mark.parametrize("marker", ["?", "NA", "", "\\N", "#DIV/0!"])
def test_compare_refuses_a_missing_label(marker):
    # README: a missing label in the target is an error naming its rows.
    from rebalance.compare import encode_target

    y = np.array(["no"] * 8 + ["yes"] * 4, dtype=object)
    y[7] = marker
    with pytest.raises(ValueError, match=r"missing label \(position 7"):
        encode_target(y)


def test_compare_dash_is_a_class_in_a_text_target():
    # README: dashes are missing labels only among numbers ("+"/"-" classes).
    from rebalance.compare import encode_target

    target = encode_target(np.array(["+", "-", "+", "-", "-"], dtype=object))
    assert sorted(map(str, target.labels)) == ["+", "-"]
    with pytest.raises(ValueError, match="missing label"):
        encode_target(np.array(["1", "0", "-", "1"], dtype=object))


def test_batch_sampler_refusal_names_both_fixes():
    # README: a RebalanceSampler / HardExampleSampler as batch_sampler= is a
    # TypeError naming sampler= and IndexBatchSampler.
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from rebalance.torch import HardExampleSampler, RebalanceSampler

    y = np.array([0] * 18 + [1] * 2)
    data = TensorDataset(torch.randn(20, 2), torch.from_numpy(y))
    for sampler in (
        RebalanceSampler(y, seed=0),
        HardExampleSampler(RebalanceSampler(y, seed=0)),
    ):
        with pytest.raises(TypeError) as info:
            next(iter(DataLoader(data, batch_sampler=sampler)))
        assert "sampler=" in str(info.value)
        assert "IndexBatchSampler" in str(info.value)


def test_per_class_tensor_must_be_1d_and_series_refused():
    # README: a per-class tensor must be 1-d; a pandas Series is refused,
    # naming series.to_dict().
    torch = pytest.importorskip("torch")
    from rebalance.torch import (
        balanced_softmax_cross_entropy,
        class_weighted_cross_entropy,
        softmax_focal_loss,
    )

    logits, target = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"1-d.*reshape\(-1\)"):
        class_weighted_cross_entropy(logits, target, torch.ones(1, 3))
    with pytest.raises(ValueError, match="1-d"):
        softmax_focal_loss(logits, target, alpha=torch.ones(3, 1))
    counts = pd.Series([5, 3, 2])
    with pytest.raises(TypeError, match=re.escape("to_dict()")):
        balanced_softmax_cross_entropy(logits, target, counts)


def test_compare_reads_markers_next_to_python_numbers_as_missing():
    # Found by review 62's docs helper: an object column of Python floats and
    # "?" (a frame built by hand) kept "?" as text, and the column was dropped
    # as id-like; a column of number strings was read. Now both alike.
    import pandas as pd

    from rebalance._columns import missing_as_na

    values = pd.Series([1.5, "?", 3, 2.25, None, " 7 "], dtype=object)
    frame = pd.DataFrame({"x": values, "t": list("abcdef")})
    notes = []
    read = missing_as_na(frame, notify=notes.append)
    assert read["x"].dtype == np.float64
    np.testing.assert_array_equal(read["x"], [1.5, np.nan, 3.0, 2.25, np.nan, 7.0])
    assert notes and "'x'" in notes[0] and "'?'" in notes[0]
    assert frame["x"].tolist()[:2] == [1.5, "?"]  # the input is unchanged
    # Other objects than numbers and text: not a column of numbers.
    dated = pd.Series([pd.Timestamp(0), "?", 1], dtype=object)
    kept = missing_as_na(pd.DataFrame({"d": dated}))
    assert kept["d"].tolist()[1] == "?"


def test_compare_reads_a_dash_among_python_int_labels_as_missing():
    # Found by review 62's docs helper: an object y of Python ints and "-"
    # raised "y mixes label types"; "-" among numbers written as text was
    # already the missing-label error naming its row. Now both alike.
    import pandas as pd

    from rebalance._columns import label_markers
    from rebalance.compare import compare

    y = pd.Series([0, 1, "-", 1, 0, 1] * 10, dtype=object)
    assert label_markers(y).tolist() == [False, False, True, False, False, False] * 10
    X = pd.DataFrame({"a": np.arange(60.0)})
    with pytest.raises(ValueError, match=r"'-' read as a missing value"):
        compare(X, y, method_names=["none"], folds=2, repeats=1)
    # Among text labels a dash stays a class (credit-approval's "+"/"-").
    assert not label_markers(pd.Series(["+", "-", "+"] * 5)).any()
