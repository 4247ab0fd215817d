"""Review 37 (Dask fuzzing): labels, weights and fit parameters of another
order than a Dask X's rows are refused, never matched by position silently."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("pyarrow")

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.compose import ResampledClassifier  # noqa: E402

pytestmark = pytest.mark.usefixtures("synchronous_dask")


def _train(n=40, seed=0):
    """Rows "row" 0..n-1 with an unsorted index (as from train_test_split)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "row": np.arange(n),
            "f": rng.random(n),
            "label": rng.choice(["maj", "min"], n, p=[0.7, 0.3]),
            "w": rng.random(n) + 0.5,
        },
        index=pd.Index(rng.permutation(n) * 3, name="k"),
    )


def _array(frame):
    return frame.to_dask_array(lengths=True)


def _check_rows(train, outputs, weights=True):
    computed = [np.asarray(out.compute()) for out in outputs]
    rows = computed[0][:, 0].astype(int)
    truth = train.set_index("row")
    np.testing.assert_array_equal(computed[1], truth.loc[rows, "label"])
    if weights:
        np.testing.assert_array_equal(computed[2], truth.loc[rows, "w"])


@pytest.mark.parametrize("which", ["y", "sample_weight"])
@pytest.mark.parametrize("source", ["parquet", "from_pandas_unsorted"])
def test_array_X_of_a_sorted_frame_with_dask_inputs_of_another_order(
    tmp_path, which, source
):
    # bug: X a Dask array of a frame that from_pandas sorted, y (or the
    # weights) a Dask Series of the unsorted rows (another read of them, or
    # from_pandas(sort=False)): matched by position, labels of other rows.
    train = _train()
    X = _array(dd.from_pandas(train, npartitions=3)[["row", "f"]])
    if source == "parquet":
        train.to_parquet(tmp_path / "train.parquet")
        other = dd.read_parquet(tmp_path / "train.parquet")
    else:
        other = dd.from_pandas(train, npartitions=2, sort=False)
    same = dd.from_pandas(train, npartitions=3)
    # (Not a Dask Series of X's frame as the other input: that one is
    # checked by index already, and catches the other.)
    if which == "y":
        y, weights = other["label"], None
    else:
        y, weights = _array(same["label"]), other["w"]
    for sampler in (
        RandomUnderSampler(random_state=0, shuffle=False),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
    ):
        with pytest.raises(ValueError, match=f"The index of {which} holds X's"):
            sampler.fit_resample(X, y, sample_weight=weights)
    # In X's order (sorted by index): aligned.
    if source == "parquet":
        train.sort_index().to_parquet(tmp_path / "sorted.parquet")
        in_order = dd.read_parquet(tmp_path / "sorted.parquet")
    else:
        in_order = dd.from_pandas(train.sort_index(), npartitions=2, sort=False)
    outputs = RandomOverSampler(random_state=0).fit_resample(
        X, in_order["label"], sample_weight=in_order["w"]
    )
    _check_rows(train, outputs)


@pytest.mark.parametrize("sort_X", [True, False])
def test_dask_array_inputs_of_another_from_pandas_frame_next_to_a_frame_X(sort_X):
    # bug: y (and the weights) a Dask array of a from_pandas frame in another
    # row order than X, a Dask DataFrame: matched by position, silently (an
    # array of from_pandas partitions was taken to be in X's order).
    train = _train()
    X = dd.from_pandas(train, npartitions=3, sort=sort_X)[["row", "f"]]
    other = dd.from_pandas(train, npartitions=4, sort=not sort_X)
    same = dd.from_pandas(train, npartitions=3, sort=sort_X)
    for y, weights, which in (
        (_array(other["label"]), None, "y"),
        (_array(same["label"]), _array(other["w"]), "sample_weight"),
    ):
        with pytest.raises(ValueError, match=f"of {which} .*index"):
            RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=weights)
    # Arrays of the frame X is taken from: in X's order, aligned.
    for shuffle in (True, False):
        outputs = RandomUnderSampler(random_state=0, shuffle=shuffle).fit_resample(
            same[["row", "f"]], _array(same["label"]), sample_weight=_array(same["w"])
        )
        _check_rows(train, outputs)


class _Recorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_ = np.asarray(X.compute())
        self.y_ = np.asarray(y.compute())
        self.w_ = None if sample_weight is None else np.asarray(sample_weight)
        self.g_ = None if groups is None else np.asarray(groups)
        self.classes_ = np.unique(self.y_)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("name", ["groups", "sample_weight"])
def test_resampled_classifier_pandas_params_of_the_unsorted_frame_next_to_an_array_X(
    name,
):
    # bug: X a Dask array of a frame that from_pandas sorted, groups (or
    # sample_weight) pandas from the unsorted frame: the sampler refuses such
    # a y, but ResampledClassifier took the parameter by position, silently.
    train = _train()
    train["g"] = train["row"] * 7
    ddf = dd.from_pandas(train, npartitions=3)
    X = _array(ddf[["row", "f"]])
    values = train["g"] if name == "groups" else train["w"]
    model = ResampledClassifier(RandomOverSampler(random_state=0), _Recorder())
    with pytest.raises(ValueError, match=f"The index of {name} holds X's"):
        model.fit(X, ddf["label"], **{name: values})
    # Sorted by index (X's order): aligned.
    model.fit(X, ddf["label"], **{name: values.sort_index()})
    fitted = model.classifier_
    rows = fitted.X_[:, 0].astype(int)
    truth = train.set_index("row")
    np.testing.assert_array_equal(fitted.y_, truth.loc[rows, "label"])
    got = fitted.g_ if name == "groups" else fitted.w_
    expected = truth.loc[rows, "g" if name == "groups" else "w"]
    np.testing.assert_array_equal(got, expected)
