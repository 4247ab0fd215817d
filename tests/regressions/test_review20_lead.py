"""Review 20, lead: regressions found while merging the helpers' reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomOverSampler, _gather


def test_wide_frame_of_few_rows_is_left_to_iloc(monkeypatch):
    # Before: 2000 x 3000 float64 (48 MB, above GATHER_ABOVE) was gathered
    # column by column, each column made a Series first: 20x iloc's time.
    frame = pd.DataFrame(np.zeros((2000, 3000)))
    rows = np.random.default_rng(0).integers(0, 2000, 4000)
    built = []
    original = pd.DataFrame.iloc.fget

    def counting_iloc(self):
        built.append(1)
        return original(self)

    monkeypatch.setattr(pd.DataFrame, "iloc", property(counting_iloc))
    assert _gather.take_pandas(frame, rows) is None
    assert len(built) == 0  # decided from the dtypes, no column taken out


@pytest.mark.parametrize("shape", [(2000, 300), (300, 40)])
def test_wide_frame_resampled_rows_match_iloc(shape):
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.standard_normal(shape))
    y = (rng.random(shape[0]) < 0.2).astype(int)
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    expected = X.iloc[sampler.sample_indices_].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res, expected)
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


def test_rebalanced_loader_finds_a_hugging_face_label_column():
    pytest.importorskip("torch")
    datasets = pytest.importorskip("datasets")
    from torch.utils.data import Subset

    from rebalance import RandomUnderSampler
    from rebalance.torch import RebalancedLoader

    labels = [0] * 12 + [1] * 4
    hf = datasets.Dataset.from_dict({"x": list(range(16)), "label": labels})
    make_loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)
    for fmt in (None, "numpy", "torch"):
        data = hf.with_format(fmt)
        # Before: "Cannot find the labels of dataset, a Dataset".
        loader = make_loader(data, batch_size=4)
        rows = [int(i) for batch in loader for i in batch["x"]]
        assert sorted(np.bincount([labels[r] for r in rows]).tolist()) == [4, 4]
        part = Subset(data, range(4, 16))  # 8 of class 0, 4 of class 1
        rows = [int(i) for batch in make_loader(part, batch_size=4) for i in batch["x"]]
        assert all(r >= 4 for r in rows)
        assert np.bincount([labels[r] for r in rows]).tolist() == [4, 4]
    renamed = hf.rename_column("label", "target")
    with pytest.raises(TypeError, match="labels_from"):
        make_loader(renamed, batch_size=4)
