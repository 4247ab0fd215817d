"""Stop 55: a column of a streaming Hugging Face dataset given as the labels
of a scikit-learn-side sampler is refused naming ``y`` and the fix (numpy
read it as one object: "an array of shape ()")."""

import numpy as np
import pytest

from rebalance import RandomOverSampler

datasets = pytest.importorskip("datasets")


def test_stream_column_as_y_refused():
    ds = datasets.Dataset.from_dict({"label": [0, 1, 0, 0], "x": [1, 2, 3, 4]})
    column = ds.to_iterable_dataset()["label"]
    with pytest.raises(TypeError, match=r"y is a column of a streaming .*list\(y\)"):
        RandomOverSampler().fit_resample(np.zeros((4, 1)), column)


def test_map_style_column_still_read():
    ds = datasets.Dataset.from_dict({"label": [0, 1, 0, 0], "x": [1, 2, 3, 4]})
    _, y = RandomOverSampler(random_state=0).fit_resample(np.zeros((4, 1)), ds["label"])
    assert np.bincount(np.asarray(y)).tolist() == [3, 3]
