"""Review 75 diff5: the two newest commits (lazy X refused up front, the
polars-X message only for errors raised in pandas/polars/pyarrow, categorical
y of non-whole floats refused before the draw, bool one-hot keys)."""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from sklearn.linear_model import LogisticRegression

from rebalance import RandomOverSampler, RandomUnderSampler
from rebalance.compose import ResampledClassifier

pl = pytest.importorskip("polars")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = np.array([0] * 30 + [1] * 10)


def _fit(X, y, sampler=None):
    sampler = sampler or RandomOverSampler(random_state=0)
    return ResampledClassifier(sampler, LogisticRegression()).fit(X, y)


@pytest.mark.parametrize(
    "y",
    [
        pd.Series(pd.Categorical(Y.astype(float))),
        pd.Series(pd.Categorical(Y.astype(float), categories=[0.0, 1.0, 0.5])),
        pd.Series(pd.Categorical(Y.astype(float), ordered=True)),
        pd.Categorical(Y.astype(float)),
        pd.Series(pd.Categorical(Y.astype(np.float32))),
        pd.Series(pd.Categorical(np.where(Y == 1, 1.0, -0.0))),
        pd.Series(pd.Categorical(np.where(Y == 1, "a", "b"))),
    ],
    ids=["whole", "unused-half", "ordered", "pd.Categorical", "f32", "minus0", "str"],
)
def test_categorical_y_a_classifier_takes_is_not_refused(y):
    model = _fit(X, y)
    np.testing.assert_array_equal(
        model.classes_, LogisticRegression().fit(X, y).classes_
    )


class _FrameWithCollect(pd.DataFrame):
    @property
    def _constructor(self):
        return _FrameWithCollect

    def collect(self):
        return self


def test_frame_with_collect_and_shape_is_not_refused_as_lazy():
    assert len(_fit(_FrameWithCollect(X), Y).classes_) == 2


@pytest.mark.parametrize("source", [Y.astype(bool), Y, Y.astype(float)])
@pytest.mark.parametrize("key", [True, False, 0, 1, np.True_, 1.0])
def test_bool_and_int_one_hot_keys_in_order_are_not_refused(source, key):
    onehot = pd.get_dummies(pd.Series(source)).astype(int)
    _, y_res = RandomUnderSampler(
        sampling_strategy={key: 2}, random_state=0
    ).fit_resample(X, onehot)
    expected = [30, 10]
    expected[int(key)] = 2
    assert y_res.sum(axis=0).tolist() == expected


def test_lazy_x_refused_before_a_foreign_sampler():
    with pytest.raises(TypeError, match="X is a lazy LazyFrame"):
        _fit(pl.DataFrame(X).lazy(), Y, ImbRandomOverSampler(random_state=0))


def test_lazy_y_refused_before_a_foreign_sampler():
    with pytest.raises(TypeError, match="y is a lazy LazyFrame"):
        _fit(X, pl.DataFrame({"y": Y}).lazy(), ImbRandomOverSampler(random_state=0))


def test_dask_categorical_y_of_half_floats_refused_before_the_draw():
    dd = pytest.importorskip("dask.dataframe")
    Xd = dd.from_pandas(pd.DataFrame(X, columns=list("abc")), npartitions=2)
    yd = dd.from_pandas(
        pd.Series(pd.Categorical(np.where(Y == 1, 0.5, 2.0))), npartitions=2
    )
    with pytest.raises(ValueError, match="y is continuous"):
        _fit(Xd, yd)


def test_categorical_y_of_object_half_floats_refused_before_the_draw():
    y = pd.Series(
        pd.Categorical(pd.Index(list(np.where(Y == 1, 0.5, 2.0)), dtype=object))
    )
    with pytest.raises(ValueError, match="y is continuous"):
        _fit(X, y)
