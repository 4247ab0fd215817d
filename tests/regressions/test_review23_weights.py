"""Review 23, weights and metrics against the peers' own tests and formulas
(scikit-learn's compute_class_weight / compute_sample_weight, Cui et al. 2019,
imbalanced-learn's geometric_mean_score), and sample weights travelling with
resampled rows: the bugs found, fixed, and the peer tests ported."""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from imblearn.metrics import geometric_mean_score
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    class_weights,
    sample_weights,
)
from rebalance.metrics import g_mean_score

N = 40
Y = np.array([0] * 30 + [1] * 10)
# Column 0 is the row number, so a row's weight (row number + 1) can be checked.
X = np.column_stack([np.arange(N, dtype=float), np.linspace(-1, 1, N)])
W = np.arange(N, dtype=float) + 1


class _Recorder(ClassifierMixin, BaseEstimator):
    """Remembers the rows and weights its fit received."""

    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _weights_follow_rows(model):
    fitted = model.classifier_
    assert fitted.sample_weight_ is not None
    np.testing.assert_array_equal(fitted.sample_weight_, fitted.X_[:, 0] + 1)
    np.testing.assert_array_equal(fitted.y_, Y[fitted.X_[:, 0].astype(int)])


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


# ------------------------------------------------- bug 1: g_mean_score overflow


@pytest.mark.parametrize(
    "weights",
    [
        np.full(4, 1e308),
        np.full(4, 60000, dtype=np.float16),
        np.full(4, 3e38, dtype=np.float32),
    ],
    ids=["1e308", "float16", "float32"],
)
def test_g_mean_of_huge_finite_weights_is_not_nan(weights):
    # The sums of the weights overflowed to inf in recall_score: a NaN G-mean
    # (with RuntimeWarnings) for finite weights the docstring accepts. Scaled
    # weights give the same recalls.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], sample_weight=weights)
    assert score == pytest.approx(np.sqrt(0.5))


# ------------------ bug 2: weights routed to a sampler only, for a classifier
# ------------------ whose fit takes none, were silently ignored


@pytest.mark.parametrize("classifier", [KNeighborsClassifier(3)], ids=["knn"])
def test_weights_routed_only_to_the_sampler_are_refused(routing, classifier):
    # The rebalance samplers' draw does not depend on the weights: with the
    # sampler requesting them and KNN unable to take them, the fit succeeded
    # and the weights changed nothing (without routing, the same weights
    # raise a TypeError).
    sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
        sample_weight=True
    )
    model = ResampledClassifier(sampler, classifier)
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit takes no"):
        model.fit(X, Y, sample_weight=W + 0.5)


def test_a_classifier_that_declines_the_weights_is_still_honoured(routing):
    sampler = RandomUnderSampler(random_state=0).set_fit_resample_request(
        sample_weight=True
    )
    declined = _Recorder().set_fit_request(sample_weight=False)
    model = ResampledClassifier(sampler, declined).fit(X, Y, sample_weight=W)
    assert model.classifier_.sample_weight_ is None


# ------------- bug 3: a sampler's sample_indices_ that are not its rows paired
# ------------- the weights with the wrong rows


class _ReversedIndices(BaseEstimator):
    """Returns rows 0-9 and 30-39 but records their indices reversed."""

    def fit_resample(self, X, y):
        keep = np.r_[np.arange(10), np.arange(30, 40)]
        self.sample_indices_ = keep[::-1]
        return X[keep], y[keep]


class _AllIndices(BaseEstimator):
    """Returns 20 rows but records all 40 as drawn."""

    def fit_resample(self, X, y):
        keep = np.r_[np.arange(10), np.arange(30, 40)]
        self.sample_indices_ = np.arange(len(y))
        return X[keep], y[keep]


class _OutOfRange(BaseEstimator):
    def fit_resample(self, X, y):
        self.sample_indices_ = np.arange(1, len(y) + 1)
        return X, y


@pytest.mark.parametrize("sampler", [_ReversedIndices(), _AllIndices(), _OutOfRange()])
def test_sample_indices_that_are_not_the_returned_rows_are_refused(sampler):
    # _ReversedIndices: the classifier got every weight on another row, with
    # no error; _AllIndices: the classifier was fitted on 20 rows with 40
    # weights before an error about the priors; _OutOfRange: an IndexError.
    model = ResampledClassifier(sampler, _Recorder())
    with pytest.raises(ValueError, match="sample_indices_"):
        model.fit(X, Y, sample_weight=W)


# ------------------------------ bug 4: all-zero weights refused before any fit


def test_all_zero_weights_are_refused_before_the_fit():
    fits = []

    class Counting(_Recorder):
        def fit(self, X, y, sample_weight=None):
            fits.append(len(X))
            return super().fit(X, y, sample_weight)

    model = ResampledClassifier(RandomUnderSampler(random_state=0), Counting())
    with pytest.raises(ValueError, match="sample_weight is all zero"):
        model.fit(X, Y, sample_weight=np.zeros(N))
    assert fits == []


# -------------- bug 5: the error for float weights and a pipeline names a fix


def test_float_weights_for_a_pipeline_name_its_last_step():
    # Pipeline.fit takes no bare sample_weight; the error said "use a
    # classifier whose fit takes it", while the pipeline's last step does.
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    model = ResampledClassifier(RandomUnderSampler(random_state=0), pipe)
    with pytest.raises(TypeError, match="logisticregression__sample_weight=w"):
        model.fit(X, Y, sample_weight=W + 0.5)
    fitted = model.fit(X, Y, logisticregression__sample_weight=W + 0.5)
    assert fitted.resampled_priors_ is not None


# ============================================================ ported peer tests
# scikit-learn's sklearn/utils/tests/test_class_weight.py


@pytest.mark.parametrize(
    "y",
    [
        np.asarray([2, 2, 2, 3, 3, 4]),
        np.asarray(["a", "a", "a", "b", "b", "c"]),
        np.asarray([True, True, False]),
        pd.Series(["x", "y", "y", "y"]),
    ],
    ids=["ints", "strings", "bools", "pandas"],
)
def test_balanced_weights_equal_compute_class_and_sample_weight(y):
    classes = np.unique(np.asarray(y))
    expected = compute_class_weight("balanced", classes=classes, y=np.asarray(y))
    got = class_weights(y)
    assert list(got) == classes.tolist()
    np.testing.assert_allclose(list(got.values()), expected)
    np.testing.assert_allclose(
        sample_weights(y), compute_sample_weight("balanced", np.asarray(y))
    )


def test_balanced_weights_keep_the_total_weight():
    # test_compute_class_weight_invariance: balanced weights sum to n_samples
    # over the rows, whatever the imbalance.
    y = np.array([0] * 90 + [1] * 9 + [2])
    assert sample_weights(y).sum() == pytest.approx(len(y))
    assert set(class_weights(np.array([0] * 50 + [1] * 50)).values()) == {1.0}


def test_multioutput_labels_are_refused():
    # compute_sample_weight takes multi-output y; one weight per row of one
    # label each is what these functions give: a clear error, not a guess.
    y = np.array([[0, 1], [1, 0], [1, 1]])
    for function in (class_weights, sample_weights):
        with pytest.raises(ValueError, match="multioutput"):
            function(y)


# Cui et al. 2019: (1 - beta) / (1 - beta**n), scaled to sum to n_classes.


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-12])
@pytest.mark.parametrize(
    "counts",
    [[1, 1], [1, 1000], [1, 10**6], [3, 7, 50]],
    ids=["ones", "one-vs-1000", "one-vs-1e6", "three"],
)
def test_effective_number_weights_follow_the_formula(beta, counts):
    y = np.repeat(np.arange(len(counts)), counts).astype(np.int32)
    got = np.array(list(class_weights(y, "effective_number", beta=beta).values()))
    assert np.isfinite(got).all() and (got > 0).all()
    n = np.asarray(counts, dtype=float)
    if beta == 0:
        raw = np.ones_like(n)
    else:
        raw = -np.log(beta) / -np.expm1(n * np.log(beta))  # stable near beta=1
    np.testing.assert_allclose(got, raw * len(counts) / raw.sum(), rtol=1e-9)
    np.testing.assert_allclose(
        sample_weights(y, "effective_number", beta=beta), got[y], rtol=1e-12
    )


def test_effective_number_of_single_rows_is_one_for_any_beta():
    for beta in (0.0, 0.5, 0.9999):
        weights = class_weights([0, 1, 2], "effective_number", beta=beta)
        assert list(weights.values()) == pytest.approx([1.0, 1.0, 1.0])


# imbalanced-learn's imblearn/metrics/tests/test_classification.py
# (geometric_mean_score, average='multiclass', correction=0: g_mean_score).


@pytest.mark.parametrize(
    "y_true, y_pred, expected",
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),
        ([0, 0, 1, 1], [0, 1, 1, 0], 0.5),
        ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], 0.0),
        ([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5], 1.0),
        ([0, 1, 1, 1, 1, 0], [0, 0, 1, 1, 1, 1], (0.5 * 0.75) ** 0.5),
    ],
)
def test_g_mean_multiclass_as_imbalanced_learn(y_true, y_pred, expected):
    assert g_mean_score(y_true, y_pred) == pytest.approx(expected)


def test_g_mean_sample_weight_and_labels_as_imbalanced_learn():
    y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 1, 1, 0, 0, 1]
    for weights in (None, [1, 2, 1, 1, 2, 1]):
        got = g_mean_score(y_true, y_pred, labels=[0, 1], sample_weight=weights)
        assert got == pytest.approx(0.7071, rel=1e-3)


def test_g_mean_fuzzed_against_imbalanced_learn_and_weight_invariances():
    rng = np.random.default_rng(0)
    for _ in range(150):
        n, k = int(rng.integers(2, 15)), int(rng.integers(2, 5))
        y_true, y_pred = rng.integers(0, k, n), rng.integers(0, k, n)
        counts = rng.integers(1, 4, n)
        got = g_mean_score(y_true, y_pred, sample_weight=counts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = geometric_mean_score(
                y_true,
                y_pred,
                labels=np.unique(y_true),
                sample_weight=counts,
                correction=0.0,
            )
        assert got == pytest.approx(expected)
        # scikit-learn's metric invariances: integer weights are repeated
        # rows, and a common factor (a list too) changes nothing.
        repeated = g_mean_score(np.repeat(y_true, counts), np.repeat(y_pred, counts))
        assert got == pytest.approx(repeated)
        scaled = g_mean_score(y_true, y_pred, sample_weight=(counts * 1e-3).tolist())
        assert got == pytest.approx(scaled)


# --------------------------- weights travelling with the rows (held already)


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler, RandomOverSampler, ClassBalancedSampler, LabelShuffleSampler],
)
def test_weights_follow_the_rows_through_samplers_and_resampled_classifier(sampler):
    X_res, y_res, w_res = sampler(random_state=0).fit_resample(X, Y, sample_weight=W)
    np.testing.assert_array_equal(w_res, X_res[:, 0] + 1)
    np.testing.assert_array_equal(y_res, Y[X_res[:, 0].astype(int)])
    model = ResampledClassifier(sampler(random_state=0), _Recorder())
    _weights_follow_rows(model.fit(X, Y, sample_weight=W))


def test_weights_follow_the_rows_in_pipelines_and_cross_validate():
    model = ResampledClassifier(RandomOverSampler(random_state=0), _Recorder())
    imblearn_pipe = make_imblearn_pipeline(FunctionTransformer(), model)
    imblearn_pipe.fit(X, Y, resampledclassifier__sample_weight=W)
    _weights_follow_rows(imblearn_pipe[-1])
    result = cross_validate(
        model, X, Y, cv=2, params={"sample_weight": W}, return_estimator=True
    )
    for fitted in result["estimator"]:
        _weights_follow_rows(fitted)


def test_weights_follow_the_rows_with_routing(routing):
    classifier = _Recorder().set_fit_request(sample_weight=True)
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), classifier
    ).set_score_request(sample_weight=True)
    pipe = make_imblearn_pipeline(FunctionTransformer(), model)
    _weights_follow_rows(pipe.fit(X, Y, sample_weight=W)[-1])
    result = cross_validate(
        model, X, Y, cv=2, params={"sample_weight": W}, return_estimator=True
    )
    for fitted in result["estimator"]:
        _weights_follow_rows(fitted)


def test_whole_number_weights_for_a_classifier_without_weights_repeat_rows():
    class NoWeights(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.X_ = np.asarray(X)
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    counts = np.arange(N) % 3
    model = ResampledClassifier(LabelShuffleSampler(random_state=0), NoWeights())
    rows = model.fit(X, Y, sample_weight=counts).classifier_.X_[:, 0].astype(int)
    # Every row at least once after the label shuffle, each as many times
    # as its count: rows of count 0 never appear.
    assert set(rows) == set(np.flatnonzero(counts))
    with pytest.raises(TypeError, match="not repetition counts"):
        model.fit(X, Y, sample_weight=counts + 0.5)
