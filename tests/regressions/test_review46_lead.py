"""Review round 46, the lead's own findings."""

import tracemalloc
import warnings

import numpy as np
import pytest

from rebalance import _priors
from rebalance.threshold import em_priors


def _posteriors(n, k, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, k)) * 2
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True), rng.dirichlet(np.ones(k))


def test_em_priors_iterates_without_moving_every_row():
    # deploy_priors='em' runs EM on every predict call: each of its hundreds
    # of iterations moved all (n_samples, n_classes) posteriors (log, exp,
    # normalise: 1.5 s for 5000 x 100). The update needs only their mean:
    # no temporary of the input's size is made per iteration.
    proba, train = _posteriors(20_000, 50)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        em_priors(proba, train)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The input checks hold a boolean copy (1 byte an entry); each old
    # iteration held float64 ones (8 bytes an entry, several).
    assert peak - base < 2 * proba.size


@pytest.mark.parametrize("seed", range(40))
def test_em_priors_same_fixed_point_as_moving_every_row(seed):
    # The fast update against the definition: EM with the mean of the moved
    # posteriors (adjust_priors' log-space arithmetic), iterated alike.
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 400)), int(rng.integers(2, 12))
    proba, train = _posteriors(n, k, seed)
    if seed % 4 == 0:  # zeros in the posteriors
        proba[rng.random(proba.shape) < 0.3] = 0
        proba[:, 0] += 1e-3
        proba /= proba.sum(axis=1, keepdims=True)
    priors = _priors._start_priors(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = em_priors(proba, train)
    for _ in range(1000):
        updated = _priors._shift(proba, train, priors).mean(axis=0)
        done = np.abs(updated - priors).max() < 1e-8
        done = done and not (updated > priors * (1 + 1e-4)).any()
        priors = updated
        if done:
            break
    np.testing.assert_allclose(got, priors, rtol=0, atol=1e-12)


def test_em_step_falls_back_to_log_space_near_underflow():
    # Priors 1e-320 apart: the linear step's row sums would underflow; the
    # log-space step gives the same answer as adjust_priors.
    proba = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    train = np.array([1.0, 1e-300])
    priors = np.array([1e-300, 1.0])
    expected = _priors._shift(proba, train, priors).mean(axis=0)
    np.testing.assert_allclose(_priors._em_step(proba, train, priors), expected)


# ---------------------------------------------------------------- row-major frames

pd = pytest.importorskip("pandas")


def _frame_over(matrix, **kwargs):
    return pd.DataFrame(matrix, copy=False, **kwargs)


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.int8, np.uint16, bool, "M8[ns]", ">f8"]
)
@pytest.mark.parametrize("shuffled", [True, False])
def test_take_pandas_reads_a_row_major_frame_by_rows(dtype, shuffled):
    # A frame over a 2-D array (pandas < 3's pd.DataFrame(X), copy=False on
    # pandas 3) stores rows whole; gathered column by column, every row was
    # read once per column (2-4x the time of a row gather). Now one row
    # gather, the result in the same layout and equal to iloc's.
    from rebalance import _gather

    rng = np.random.default_rng(0)
    n = 1_000_000  # at least _gather.GATHER_ABOVE bytes gathered
    matrix = (rng.random((n, 6)) * 100).astype(dtype)
    frame = _frame_over(matrix, columns=list("abcdef"))
    frame.attrs["source"] = "test"
    rows = rng.permutation(n) if shuffled else np.sort(rng.choice(n, 800_000))
    taken = _gather.take_pandas(frame, rows)
    # iloc refuses big-endian columns: the expected rows from numpy.
    expected = pd.DataFrame(np.take(matrix, rows, axis=0), columns=list("abcdef"))
    pd.testing.assert_frame_equal(taken, expected)
    assert taken.attrs == {"source": "test"}
    assert taken.to_numpy(copy=False).flags.c_contiguous  # rows kept whole


def test_take_pandas_row_major_frame_keeps_column_index_and_equals_iloc():
    from rebalance import _gather

    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((200_000, 4))
    columns = pd.MultiIndex.from_tuples([("x", 1), ("x", 2), ("y", 1), ("y", 2)])
    frame = _frame_over(matrix, columns=columns)
    rows = rng.integers(0, 200_000, 300_000)
    taken = _gather.take_pandas(frame, rows)
    pd.testing.assert_frame_equal(taken, frame.iloc[rows].reset_index(drop=True))
    # Views that are not the whole rows in order go column by column.
    for view in (frame.iloc[:, ::2], frame.iloc[:, [3, 2, 1, 0]], frame.iloc[:, 1:]):
        taken = _gather.take_pandas(view, rows)
        pd.testing.assert_frame_equal(taken, view.iloc[rows].reset_index(drop=True))


def test_samplers_on_row_major_frames_equal_iloc():
    from rebalance import RandomOverSampler, RandomUnderSampler

    rng = np.random.default_rng(2)
    n = 400_000
    X = _frame_over(rng.standard_normal((n, 5)).astype(np.float32))
    y = pd.Series((rng.random(n) < 0.1).astype(np.int64), name="y")
    for sampler in (
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
    ):
        X_res, y_res = sampler.fit_resample(X, y)
        rows = sampler.sample_indices_
        pd.testing.assert_frame_equal(X_res, X.iloc[rows].reset_index(drop=True))
        pd.testing.assert_series_equal(y_res, y.iloc[rows].reset_index(drop=True))


# ------------------------------------------------ lazy frames at predict time


def _lazy_frame_models():
    from sklearn.linear_model import LogisticRegression

    from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover

    sampler = RandomUnderSampler(random_state=0)
    return {
        "ResampledClassifier": ResampledClassifier(sampler, LogisticRegression()),
        "ThresholdMover": ThresholdMover(LogisticRegression()),
    }


@pytest.mark.parametrize("model", ["ResampledClassifier", "ThresholdMover"])
@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_a_lazy_frame_at_predict_is_named(model, method):
    # A polars LazyFrame given to predict reached the classifier and failed
    # with scikit-learn's "Expected 2D array, got scalar array instead:
    # array=naive plan...", naming neither X nor collect().
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(0)
    X = pl.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    y = np.array([0] * 45 + [1] * 15)
    model = _lazy_frame_models()[model].fit(X, y)
    with pytest.raises(TypeError, match=r"X is a lazy LazyFrame.*X\.collect\(\)"):
        getattr(model, method)(X.lazy())
    if hasattr(model, "sampler"):  # ResampledClassifier's score too
        with pytest.raises(TypeError, match=r"X is a lazy LazyFrame"):
            model.score(X.lazy(), y)
    assert getattr(model, method)(X).shape[0] == 60  # eager frames as before


# ------------------------------------- scorers that predict on their own rows


def _amount_frame():
    from sklearn.datasets import make_classification

    X, y = make_classification(300, n_features=4, weights=[0.8], random_state=0)
    X = pd.DataFrame(X, columns=list("abcd"))
    X["amount"] = np.random.default_rng(0).gamma(2, 50, 300)
    return X, y


def _tuned(scoring, X, y):
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    model = ThresholdMover(
        LogisticRegression(), "tuned", scoring=scoring, cv=3, thresholds=20
    )
    return model.fit(X, y)


def test_tuned_scorer_predicting_reordered_or_partial_rows_gets_their_predictions():
    # A scorer of one's own gets the validation rows; one that predicted on
    # them in another order (the 50 largest amounts first) got the
    # predictions of the rows in their given order: a threshold tuned on
    # scores paired with other rows (threshold_ 0.99995, best_score_ 0.33
    # here, against 0.89 and 1.0), without a word. One that predicted on a
    # part of them failed with scikit-learn's "inconsistent numbers of
    # samples".
    from sklearn.metrics import precision_score

    X, y = _amount_frame()

    def top(est, X, y):
        order = np.argsort(-X["amount"].to_numpy())[:50]
        return precision_score(y[order], est.predict(X.iloc[order]), zero_division=0)

    def top_by_position(est, X, y):
        order = np.argsort(-X["amount"].to_numpy())[:50]
        return precision_score(y[order], est.predict(X)[order], zero_division=0)

    def first(est, X, y):
        return precision_score(y[:50], est.predict(X.iloc[:50]), zero_division=0)

    def first_by_position(est, X, y):
        return precision_score(y[:50], est.predict(X)[:50], zero_division=0)

    for scorer, reference in ((top, top_by_position), (first, first_by_position)):
        got, expected = _tuned(scorer, X, y), _tuned(reference, X, y)
        assert got.threshold_ == expected.threshold_
        assert got.best_score_ == expected.best_score_


def test_tuned_scorer_predicting_unknown_rows_is_refused():
    # Rows that cannot be matched to the given ones (a numpy copy reordered):
    # their predictions are not known. A copy in the same order is fine.
    from sklearn.metrics import precision_score

    X, y = _amount_frame()

    def reordered_copy(est, X, y):
        values = X.to_numpy()
        order = np.argsort(-values[:, 4])
        return precision_score(y[order], est.predict(values[order]), zero_division=0)

    def copy(est, X, y):
        return precision_score(y, est.predict(X.to_numpy()), zero_division=0)

    with pytest.raises(ValueError, match=r"scoring called estimator\.predict on rows"):
        _tuned(reordered_copy, X, y)
    assert _tuned(copy, X, y).threshold_ == _tuned("precision", X, y).threshold_


@pytest.mark.parametrize("library", ["pandas", "pyarrow"])
@pytest.mark.parametrize("strategy", ["prior", "tuned"])
def test_threshold_mover_names_repeated_column_names(library, strategy):
    # Before: narwhals' DuplicateError "Expected unique column names" from
    # the inner classifier, naming neither X nor the fix.
    from sklearn.linear_model import LogisticRegression

    from rebalance import ThresholdMover

    values = np.random.default_rng(0).normal(size=(60, 2))
    y = np.array([0] * 45 + [1] * 15)
    if library == "pandas":
        X = pd.DataFrame(values, columns=["a", "a"])
    else:
        pa = pytest.importorskip("pyarrow")
        X = pa.table([values[:, 0], values[:, 1]], names=["a", "a"])
    with pytest.raises(ValueError, match=r"X has more than one column named 'a'"):
        ThresholdMover(LogisticRegression(), strategy).fit(X, y)


# ------------------------- classifiers whose fit does not return self, no tags


class _FitReturnsNone:
    """A duck-typed classifier (no BaseEstimator: no tags) whose fit returns
    None, as scikit-learn's own test sub-estimators do."""

    def __init__(self, C=1.0):
        self.C = C

    def get_params(self, deep=True):
        return {"C": self.C}

    def set_params(self, **params):
        self.C = params.get("C", self.C)
        return self

    def fit(self, X, y, sample_weight=None):
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=self.C).fit(X, y, sample_weight)
        self.classes_ = self.model_.classes_
        return None

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.mark.parametrize("strategy", ["prior", "tuned"])
def test_threshold_mover_keeps_the_fitted_copy_when_fit_returns_none(strategy):
    # Before: "estimator=NoneType(...) has no classes_" (what fit returned
    # was kept, as ResampledClassifier did before review 46).
    from sklearn.datasets import make_classification

    from rebalance import ThresholdMover

    X, y = make_classification(200, weights=[0.8], random_state=0)
    model = ThresholdMover(_FitReturnsNone(), strategy, cv=3).fit(X, y)
    assert isinstance(model.estimator_, _FitReturnsNone)
    assert model.predict(X).shape == (200,)


def test_threshold_mover_tags_without_estimator_tags():
    # Before: is_classifier / cross_val_score raised an AttributeError about
    # __sklearn_tags__ for estimator=None or a duck-typed classifier.
    from sklearn.base import is_classifier
    from sklearn.datasets import make_classification
    from sklearn.model_selection import cross_val_score

    from rebalance import ThresholdMover

    assert is_classifier(ThresholdMover(None))
    assert is_classifier(ThresholdMover(_FitReturnsNone()))
    X, y = make_classification(120, weights=[0.8], random_state=0)
    scores = cross_val_score(ThresholdMover(_FitReturnsNone()), X, y, cv=3)
    assert scores.shape == (3,)


def test_shrinkage_dict_naming_a_class_not_in_y_names_the_fix():
    # imbalanced-learn ignores such keys; rebalance refuses them (README):
    # the error says what to do, e.g. in a fold that lacks a rare class.
    from rebalance import RandomOverSampler

    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 8 + [1] * 2)
    sampler = RandomOverSampler(shrinkage={0: 1.0, 1: 0.5, 2: 0.0})
    with pytest.raises(ValueError, match=r"classes \[2\].*Drop those keys"):
        sampler.fit_resample(X, y)
