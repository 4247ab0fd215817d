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


def test_malformed_csr_refused_before_the_draw():
    import scipy.sparse as sp

    from rebalance import RandomUnderSampler

    X = sp.random(40, 5, density=0.5, format="csr", random_state=0)
    y = np.array([0] * 30 + [1] * 10)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    indices = sampler.sample_indices_
    bad = X.copy()
    bad.indices = bad.indices + 5  # outside the 5 columns
    with pytest.raises(ValueError, match="malformed"):
        sampler.fit_resample(bad, y)
    # Before: checked only when the rows were gathered, after the draw had
    # set sample_indices_ (indices of a matrix that was refused). Since stop
    # 56 a refused call leaves the last fit whole, its draw included.
    assert sampler.sample_indices_ is indices


def test_prefetch_takes_a_narrow_index_into_a_strided_array():
    numba = pytest.importorskip("numba")
    from rebalance import _kernels

    if _kernels.JIT_DISABLED:
        pytest.skip("numba's JIT is disabled")

    @numba.njit  # not cached: compiled with this _prefetch
    def touch(values, rows):  # pragma: no cover - compiled
        total = 0
        for i in range(rows.shape[0]):
            _kernels._prefetch(values, rows[i])
            total += values[rows[i]]
        return total

    values = np.arange(20, dtype=np.int64)[::2]  # strided
    rows = np.array([0, 3, 9], dtype=np.int32)
    # Before: numba failed to lower it, "Operands must be the same type".
    assert touch(values, rows) == 0 + 6 + 18


@pytest.mark.parametrize("kind", ["pandas", "pyarrow"])
def test_repeated_column_names_name_x_and_the_fix(kind):
    from rebalance import RandomUnderSampler

    frame = pd.DataFrame(np.arange(20.0).reshape(10, 2), columns=["a", "a"])
    X = frame
    if kind == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        X = pa.table([frame.iloc[:, 0], frame.iloc[:, 1]], names=["a", "a"])
    y = np.array([0] * 7 + [1] * 3)
    # Before: narwhals' DuplicateError "Expected unique column names".
    with pytest.raises(ValueError, match=r"X has more than one column named 'a'"):
        RandomUnderSampler().fit_resample(X, y)


def test_pipeline_sampler_weight_of_none_is_not_dropped():
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    from rebalance import RandomUnderSampler

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = np.array([0] * 45 + [1] * 15)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    # Before: "randomundersampler__sample_weight (dropped)" for a None.
    pipe.fit(X, y, randomundersampler__sample_weight=None)
    with pytest.raises(ValueError, match="dropped"):
        pipe.fit(X, y, randomundersampler__sample_weight=np.ones(60))


def test_set_fit_request_sample_weight_on_a_sampler_ending_a_pipeline():
    import sklearn
    from imblearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from rebalance import RandomUnderSampler

    X = np.random.default_rng(0).standard_normal((40, 2))
    y = np.array([0] * 30 + [1] * 10)
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = RandomUnderSampler().set_fit_request(sample_weight=True)
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, sampler)
        # Before: TypeError, fit() got an unexpected keyword 'sample_weight'.
        pipe.fit(X, y, sample_weight=np.ones(40))
    assert sampler.sampling_strategy_ == {0: 10}
    with pytest.raises(ValueError, match="sample_weight"):
        RandomUnderSampler().fit(X, y, sample_weight=np.ones(3))


def test_all_zero_sample_weight_is_refused_by_fit_and_fit_resample():
    from sklearn.utils import estimator_checks

    from rebalance import RandomOverSampler

    sampler = RandomOverSampler(random_state=0)
    # scikit-learn 1.7 and older have no such check: the asserts below still run.
    check = getattr(estimator_checks, "check_all_zero_sample_weights_error", None)
    if check is not None:
        check("RandomOverSampler", sampler)
    X, y = np.zeros((6, 1)), np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="sample_weight is all zero"):
        sampler.fit_resample(X, y, sample_weight=pd.Series(np.zeros(6)))
    _, _, w = sampler.fit_resample(X, y, sample_weight=np.r_[np.zeros(5), 1.0])
    assert w.sum() >= 1


def test_tiny_ratio_error_prints_a_short_count():
    from rebalance import RandomUnderSampler

    X, y = np.zeros((10, 1)), np.array([0] * 8 + [1] * 2)
    with pytest.raises(ValueError, match=r"would keep 2e\+300 majority rows") as err:
        RandomUnderSampler(sampling_strategy=1e-300).fit_resample(X, y)
    # Before: the count in full, 301 digits.
    assert len(str(err.value)) < 300
    with pytest.raises(ValueError, match=r"would keep 20 majority rows"):
        RandomUnderSampler(sampling_strategy=0.1).fit_resample(X, y)


def test_em_priors_warns_when_max_iter_stops_it():
    from sklearn.exceptions import ConvergenceWarning

    from rebalance.threshold import em_priors

    proba = np.array([[0.9, 0.1]] * 7 + [[0.1, 0.9]] * 3)
    # Before: silent, the priors of the last iteration returned as if final.
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        early = em_priors(proba, [0.5, 0.5], max_iter=2)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        final = em_priors(proba, [0.5, 0.5])
    assert abs(final[0] - 0.75) < 1e-6 and abs(early[0] - 0.75) > 1e-6


@pytest.mark.parametrize("batch_size", [True, 0, 2.5, "8"])
def test_rebalanced_loader_checks_batch_size_when_built(batch_size):
    pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler, RebalancedLoader

    # Before: accepted here, refused only when the loader was first built.
    with pytest.raises((TypeError, ValueError), match="batch_size"):
        RebalancedLoader(BalancedBatchSampler, batch_size=batch_size)
