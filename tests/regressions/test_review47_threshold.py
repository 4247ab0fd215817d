"""Review 47 (coverage gaps): the lines and branches of threshold.py,
_tuning.py, metrics.py and weights.py that no test of the suite ran, driven
through the public API and checked against an oracle (scikit-learn,
imbalanced-learn, the same data in another container, a formula).

Each test names the gap it reaches; "regression" marks the bugs found there
(each failed before its fix).
"""

import decimal
import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.metrics import geometric_mean_score
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import BaggingClassifier, StackingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    roc_auc_score,
)
from sklearn.model_selection import PredefinedSplit
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import MetadataRequest

from rebalance import ThresholdMover
from rebalance.metrics import g_mean_score


def _binary(n=200, seed=0, share=0.3):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < share).astype(int)
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


def _three_classes(n=240, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 3)) + y[:, None]
    return X, y


# A short tuning for the scorers called once per threshold and fold.
_FEW = {"cv": 3, "thresholds": 10}
# x86-64's 80-bit long double holds 1e400; elsewhere it may be a double.
_WIDE_LONG_DOUBLE = bool(np.isfinite(np.longdouble("1e400")))


class _CountingLR(LogisticRegression):
    """A LogisticRegression that counts its fits (class-wide)."""

    fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


# --------------------------------------------------------------- threshold.py


def test_routed_scorer_object_without_score_func_gets_only_its_requests():
    # threshold.py 169-170: a scorer object of one's own (get_metadata_routing,
    # no make_scorer _score_func) that requests `amount`, not sample_weight.
    X, y = _binary()
    amount = np.linspace(1.0, 2.0, y.shape[0])
    weights = np.full(y.shape[0], 2.0)
    calls = []

    class AmountScorer:
        def get_metadata_routing(self):
            request = MetadataRequest(owner="AmountScorer")
            request.score.add_request(param="amount", alias=True)
            return request

        def __call__(self, estimator, X, y, **params):
            calls.append(sorted(params))
            assert params["amount"].shape == (X.shape[0],)
            return f1_score(y, estimator.predict(X))

    with config_context(enable_metadata_routing=True):
        mover = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=False),
            "tuned",
            scoring=AmountScorer(),
            cv=3,
            thresholds=20,
        ).fit(X, y, sample_weight=weights, amount=amount)
    assert calls and all(c == ["amount"] for c in calls)
    # The same metric unweighted: the thresholds of the plain f1 tuning.
    plain = ThresholdMover(
        LogisticRegression(), "tuned", scoring="f1", cv=3, thresholds=20
    )
    assert mover.threshold_ == pytest.approx(plain.fit(X, y).threshold_)


def test_routed_make_scorer_of_metric_without_weights_is_unweighted():
    # threshold.py 171->exit: a make_scorer metric that takes no sample_weight.
    X, y = _binary(seed=1)
    weights = np.random.default_rng(1).random(y.shape[0]) + 0.1

    def plain_f1(y_true, y_pred):
        return f1_score(y_true, y_pred)

    with config_context(enable_metadata_routing=True):
        mover = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=False),
            "tuned",
            scoring=make_scorer(plain_f1),
            cv=3,
            thresholds=20,
        ).fit(X, y, sample_weight=weights)
    reference = ThresholdMover(
        LogisticRegression(), "tuned", scoring="f1", cv=3, thresholds=20
    )
    assert mover.threshold_ == pytest.approx(reference.fit(X, y).threshold_)
    assert mover.best_score_ == pytest.approx(reference.best_score_)


@pytest.mark.parametrize(
    "dtype", ["Int64", "UInt8", "int64[pyarrow]", "category", "string"]
)
def test_frozen_classifier_with_nullable_pandas_labels(dtype):
    # threshold.py 825 and 821->825: a FrozenEstimator fitted on ints (or
    # strings) tuned with a pandas y of a nullable / Arrow / categorical dtype
    # gives what the numpy labels give.
    X, y = _binary(seed=2)
    labels = y if dtype != "string" else np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(X, labels)
    reference = ThresholdMover(FrozenEstimator(model), "tuned").fit(X, labels)
    mover = ThresholdMover(FrozenEstimator(model), "tuned").fit(
        X, pd.Series(labels, dtype=dtype)
    )
    assert mover.threshold_ == reference.threshold_
    np.testing.assert_array_equal(mover.classes_, model.classes_)
    np.testing.assert_array_equal(mover.predict(X), reference.predict(X))


def test_pipeline_sampler_that_drops_a_class_is_named():
    # threshold.py 657->666: the fitted classes differ (no -1 involved).
    X, y = _three_classes()
    pipe = make_imb_pipeline(
        ImbUnderSampler(sampling_strategy={2: 0}), LogisticRegression()
    )
    with pytest.raises(ValueError, match=r"classes_ \[0, 1\] are not the sorted"):
        ThresholdMover(pipe, "argmax", train_priors=[1 / 3] * 3).fit(X, y)


def test_decision_function_asked_of_a_model_without_one():
    # threshold.py 866->867
    from sklearn.naive_bayes import GaussianNB

    X, y = _binary()
    with pytest.raises(ValueError, match="GaussianNB has no decision_function"):
        ThresholdMover(GaussianNB(), "tuned", response_method="decision_function").fit(
            X, y
        )


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), np.longdouble("1e400")],
    ids=["int-1e400", "int-minus-1e400", "longdouble-1e400"],
)
def test_fixed_threshold_beyond_the_floats_is_refused(value):
    # threshold.py 923->924. Regression: an int beyond the floats raised
    # OverflowError "int too large to convert to float", naming nothing.
    if isinstance(value, np.longdouble) and not _WIDE_LONG_DOUBLE:
        pytest.skip("no long double wider than float64 here")
    X, y = _binary()
    with pytest.raises(ValueError, match="threshold=.* is not a finite number"):
        ThresholdMover(
            LogisticRegression(),
            "fixed",
            threshold=value,
            response_method="decision_function",
        ).fit(X, y)


def test_tuning_thresholds_beyond_the_floats_are_refused():
    # threshold.py 999-1000. Regression: [0, 10**400] raised OverflowError,
    # and a long double 1e400 became an inf candidate (a numpy warning).
    X, y = _binary()
    mover = ThresholdMover(
        LogisticRegression(), "tuned", response_method="decision_function"
    )
    with pytest.raises(ValueError, match="thresholds must be an int or a 1-D"):
        mover.set_params(thresholds=[0, 10**400]).fit(X, y)
    with pytest.raises(ValueError, match="thresholds must be an int or a 1-D"):
        mover.set_params(thresholds=[[0.1], [0.2, 0.3]]).fit(X, y)
    if _WIDE_LONG_DOUBLE:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match="finite candidate thresholds"):
                mover.set_params(thresholds=np.array([0, np.longdouble("1e400")])).fit(
                    X, y
                )


class _DuckClassifier(BaseEstimator):
    """A classifier without ClassifierMixin: no classifier tags."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


def test_classifier_without_classifier_tags():
    # threshold.py 1259->1264: the inner tags have no classifier_tags.
    X, y = _three_classes()
    mover = ThresholdMover(_DuckClassifier(), "argmax")
    tags = get_tags(mover)
    assert tags.classifier_tags.multi_class is True
    assert tags.classifier_tags.poor_score is False
    np.testing.assert_array_equal(
        mover.fit(X, y).predict(X), _DuckClassifier().fit(X, y).predict(X)
    )


class _PositiveColumnOnly(_DuckClassifier, ClassifierMixin):
    """A wrapper that returns only the positive class's probability."""

    def predict_proba(self, X):
        return self.model_.predict_proba(X)[:, 1]


def test_predict_proba_of_one_column_is_refused():
    # threshold.py 1336->1337
    X, y = _binary()
    with pytest.raises(ValueError, match=r"returned shape \(\d+,\), not one column"):
        ThresholdMover(_PositiveColumnOnly(), "tuned").fit(X, y)
    mover = ThresholdMover(_PositiveColumnOnly(), "prior").fit(X, y)
    with pytest.raises(ValueError, match=r"returned shape \(5,\), not one column"):
        mover.predict(X[:5])


_OVO = SVC(decision_function_shape="ovo")


@pytest.mark.parametrize(
    "make",
    [
        lambda: BaggingClassifier(_OVO, n_estimators=2, random_state=0),
        lambda: BalancedBaggingClassifier(_OVO, n_estimators=2, random_state=0),
        lambda: StackingClassifier([("lr", LogisticRegression())], _OVO, cv=2),
        lambda: SelfTrainingClassifier(_OVO),
        lambda: BaggingClassifier(make_pipeline(FunctionTransformer(), _OVO)),
    ],
    ids=["bagging", "balanced-bagging", "stacking", "self-training", "bag-pipe"],
)
@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.filterwarnings("ignore:y contains no unlabeled samples")
def test_one_vs_one_inside_an_ensemble_is_refused(make, frozen):
    # threshold.py 1336->1337 neighbourhood. Regression: an ensemble whose
    # decision_function is that of an ovo SVC, on 3 classes (3 pairs, the
    # shape of one column per class), was tuned on the pairs' columns as if
    # they were the classes', silently.
    X, y = _three_classes()
    estimator = make()
    if frozen:
        estimator = FrozenEstimator(estimator.fit(X, y))
    with pytest.raises(ValueError, match="one-vs-one"):
        ThresholdMover(
            estimator, "tuned", response_method="decision_function", cv=2
        ).fit(X, y)


def test_one_vs_one_members_of_binary_problems_are_not_refused():
    # One-vs-rest members are binary (one score each); an ovr ensemble too.
    X, y = _three_classes()
    for estimator in (
        OneVsRestClassifier(SVC(decision_function_shape="ovo")),
        BaggingClassifier(SVC(), n_estimators=2, random_state=0),
    ):
        mover = ThresholdMover(
            estimator, "tuned", response_method="decision_function", cv=2
        ).fit(X, y)
        assert mover.threshold_.shape == (3,)


def test_one_vs_one_members_of_a_stacking_are_its_features():
    # A StackingClassifier's decision_function is its final estimator's:
    # ovo members only make its features.
    X, y = _three_classes()
    stacking = StackingClassifier(
        [("svc", SVC(decision_function_shape="ovo"))],
        final_estimator=LogisticRegression(),
        cv=2,
    )
    mover = ThresholdMover(
        stacking, "tuned", response_method="decision_function", cv=2
    ).fit(X, y)
    assert mover.threshold_.shape == (3,)
    scores = mover.decision_function(X)
    np.testing.assert_array_equal(
        mover.predict(X), mover.classes_[(scores - mover.threshold_).argmax(axis=1)]
    )


def test_cost_matrix_dataframe_positional_and_wrongly_labelled():
    # threshold.py 1359->1360 (a default 0..n-1 frame is read by position)
    # and 1362->1363 (labels that are not the classes).
    rng = np.random.default_rng(3)
    y = rng.choice(["a", "b", "c"], 300, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(300, 3)) + (y == "b")[:, None] + 2 * (y == "c")[:, None]
    cost = np.array([[0, 1, 2], [5, 0, 1], [10, 3, 0]])
    reference = ThresholdMover(LogisticRegression(), "cost", cost_matrix=cost)
    expected = reference.fit(X, y).predict(X)
    # the oracle: argmin_j sum_i p_i cost[i, j]
    proba = reference.predict_proba(X)
    np.testing.assert_array_equal(
        expected, np.array(["a", "b", "c"])[(proba @ cost).argmin(axis=1)]
    )
    positional = ThresholdMover(
        LogisticRegression(), "cost", cost_matrix=pd.DataFrame(cost)
    )
    np.testing.assert_array_equal(positional.fit(X, y).predict(X), expected)
    with pytest.raises(ValueError, match=r"index \(true class\) is \['a', 'b', 'd'\]"):
        ThresholdMover(
            LogisticRegression(),
            "cost",
            cost_matrix=pd.DataFrame(cost, index=list("abd"), columns=list("abc")),
        ).fit(X, y)


def test_cost_matrix_frame_without_row_labels_in_another_order():
    # Next to threshold.py 1359-1363. Regression: a polars (or pyarrow)
    # cost matrix whose columns name the classes in another order was read
    # by position, silently (a pandas one is read by label).
    import polars as pl
    import pyarrow as pa

    X, y = _binary(seed=7)
    labels = np.where(y == 1, "yes", "no")
    cost = np.array([[0.0, 1.0], [8.0, 0.0]])  # rows, columns: no, yes
    expected = (
        ThresholdMover(LogisticRegression(), "cost", cost_matrix=cost)
        .fit(X, labels)
        .predict(X)
    )
    swapped = {"yes": cost[:, 1], "no": cost[:, 0]}
    for frame in (pl.DataFrame(swapped), pa.table(swapped)):
        with pytest.raises(ValueError, match="name the classes in another order"):
            ThresholdMover(LogisticRegression(), "cost", cost_matrix=frame).fit(
                X, labels
            )
    ordered = {"no": cost[:, 0], "yes": cost[:, 1]}
    for frame in (pl.DataFrame(ordered), pa.table(ordered), pl.DataFrame(cost)):
        mover = ThresholdMover(LogisticRegression(), "cost", cost_matrix=frame)
        np.testing.assert_array_equal(mover.fit(X, labels).predict(X), expected)


def _validation_split():
    """A fitted model and the shuffled validation rows of a DataFrame
    (``train_test_split``: their index is a shuffled part of the frame's)."""
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(8)
    y = (rng.random(600) < 0.2).astype(int)
    frame = pd.DataFrame(rng.normal(size=(600, 3)) + y[:, None], columns=list("abc"))
    frame["label"] = y
    train, validation = train_test_split(
        frame, test_size=0.4, random_state=0, stratify=frame["label"]
    )
    model = LogisticRegression().fit(train[list("abc")], train["label"])
    return model, validation


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("shuffle", ["train_test_split", "permuted 0..n-1"])
def test_frozen_tuning_on_a_shuffled_pandas_validation_set(shuffle):
    # Next to threshold.py 825 (a FrozenEstimator tuned on the rows given).
    # Regression: the labels kept their pandas index in the metric, indexed
    # by position there: after train_test_split a KeyError, and with an
    # index that is a permutation of 0..n-1 (frame.sample(frac=1)) every
    # threshold was scored on other rows' labels, silently (balanced
    # accuracy 0.53 instead of 0.79 at a wrong threshold).
    from sklearn.model_selection import TunedThresholdClassifierCV

    model, validation = _validation_split()
    if shuffle != "train_test_split":
        validation = validation.reset_index(drop=True).sample(frac=1, random_state=1)
    X_val, y_val = validation[list("abc")], validation["label"]
    mover = ThresholdMover(FrozenEstimator(model), "tuned").fit(X_val, y_val)
    # scikit-learn's on the plain labels: the same candidates, the same metric
    peer = TunedThresholdClassifierCV(
        model, cv="prefit", refit=False, scoring="balanced_accuracy"
    ).fit(X_val, y_val.to_numpy())
    assert mover.threshold_ == pytest.approx(peer.best_threshold_)
    assert mover.best_score_ == pytest.approx(peer.best_score_)


def test_frozen_multiclass_tuning_on_a_shuffled_frame_matches_one_vs_rest():
    # The same, multiclass: each class's threshold against a hand-made
    # one-vs-rest search over the same candidates.
    rng = np.random.default_rng(4)
    y = rng.choice([0, 1, 2], 400, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(400, 3)) + y[:, None]
    model = LogisticRegression().fit(X, y)
    index = rng.permutation(400)
    mover = ThresholdMover(FrozenEstimator(model), "tuned", thresholds=50).fit(
        pd.DataFrame(X, index=index), pd.Series(y, index=index)
    )
    proba = model.predict_proba(X)
    for c in range(3):
        grid = np.linspace(proba[:, c].min(), proba[:, c].max(), 50)
        scores = [balanced_accuracy_score(y == c, proba[:, c] >= t) for t in grid]
        assert mover.threshold_[c] == pytest.approx(grid[int(np.argmax(scores))])
        assert mover.best_score_[c] == pytest.approx(max(scores))


@pytest.mark.parametrize(
    "container", ["polars", "polars-categorical", "arrow-string-view", "arrow-dict"]
)
def test_frozen_tuning_with_polars_and_arrow_labels(container):
    # Next to threshold.py 825. Regression: a FrozenEstimator tuned with
    # polars or pyarrow labels crashed ("'Series' object has no attribute
    # 'astype'", "'bool' object has no attribute 'astype'").
    import polars as pl
    import pyarrow as pa

    if container == "arrow-string-view" and not hasattr(pa, "string_view"):
        pytest.skip("pyarrow < 16 has no string_view")
    model, validation = _validation_split()
    X_val = validation[list("abc")].to_numpy()
    names = np.where(validation["label"].to_numpy() == 1, "yes", "no")
    model = LogisticRegression().fit(X_val, names)
    labels = {
        "polars": lambda: pl.Series(names),
        "polars-categorical": lambda: pl.Series(names, dtype=pl.Categorical),
        "arrow-string-view": lambda: pa.array(names.tolist(), pa.string_view()),
        "arrow-dict": lambda: pa.array(names).dictionary_encode(),
    }[container]()
    reference = ThresholdMover(FrozenEstimator(model), "tuned").fit(X_val, names)
    mover = ThresholdMover(FrozenEstimator(model), "tuned").fit(X_val, labels)
    assert mover.threshold_ == reference.threshold_
    np.testing.assert_array_equal(mover.predict(X_val), reference.predict(X_val))


# ----------------------------------------------------------------- _tuning.py


def test_splitter_without_folds_is_refused_before_any_fit():
    # _tuning.py 188->189 neighbourhood. Regression: PredefinedSplit with no
    # test fold was refused only after the estimator was fitted on all rows.
    X, y = _binary()
    _CountingLR.fits = 0
    with pytest.raises(ValueError, match="gives no .train, validation. folds"):
        ThresholdMover(
            _CountingLR(), "tuned", cv=PredefinedSplit([-1] * y.shape[0])
        ).fit(X, y)
    assert _CountingLR.fits == 0


def test_splitter_that_counts_its_folds_only_with_X():
    # Next to _tuning.py 188-189: LeaveOneOut cannot count its folds without
    # X (a ValueError there); it is judged by its folds, the same as a list.
    from sklearn.model_selection import LeaveOneOut

    X, y = _binary(n=12, seed=9, share=0.4)
    splitter = ThresholdMover(
        LogisticRegression(), "tuned", cv=LeaveOneOut(), thresholds=10
    )
    folds = list(LeaveOneOut().split(X))
    listed = ThresholdMover(LogisticRegression(), "tuned", cv=folds, thresholds=10)
    assert len(folds) == 12
    assert splitter.fit(X, y).threshold_ == listed.fit(X, y).threshold_
    assert splitter.cv_results_["thresholds"].shape == (1, 10)


class _SilentSplitter:
    """A splitter that cannot count its folds without X, and yields none."""

    def get_n_splits(self, X=None, y=None, groups=None):
        if X is None:
            raise ValueError("X is needed")
        return 0

    def split(self, X, y=None, groups=None):
        return iter(())


def test_splitter_that_yields_no_folds():
    # _tuning.py 188->189
    X, y = _binary()
    with pytest.raises(ValueError, match="gave no .train, validation. folds"):
        ThresholdMover(LogisticRegression(), "tuned", cv=_SilentSplitter()).fit(X, y)


class _PairwiseClassifier(ClassifierMixin, BaseEstimator):
    """Takes a precomputed matrix (pairwise) and does not check its shape."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = True
        return tags

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_pairwise_estimator_with_a_non_square_matrix():
    # _tuning.py 200->201 (scikit-learn's own pairwise models refuse a
    # non-square X in their fit, before the tuning).
    X, y = _binary()
    with pytest.raises(ValueError, match=r"X has shape \(200, 3\), not \(200, 200\)"):
        ThresholdMover(_PairwiseClassifier(), "tuned").fit(X, y)


@pytest.mark.parametrize(
    "fold, message",
    [
        ((np.ones(150, bool), np.ones(150, bool)), "boolean training mask of shape"),
        ((np.arange(100.0), np.arange(100, 200)), "training rows of dtype float64"),
        (
            (np.arange(100).reshape(50, 2), np.arange(100, 200)),
            r"shape \(50, 2\)",
        ),
        ((np.arange(100), np.arange(100, 200.0)), "validation rows of dtype float"),
    ],
)
def test_bad_cv_pairs_are_refused_before_any_fit(fold, message):
    # _tuning.py 231->232 and 237->238. Regression: the pairs were checked
    # only after the estimator was fitted on all rows.
    X, y = _binary()
    _CountingLR.fits = 0
    with pytest.raises(ValueError, match=message):
        ThresholdMover(_CountingLR(), "tuned", cv=[fold]).fit(X, y)
    assert _CountingLR.fits == 0


def test_good_cv_pairs_of_masks_and_lists_still_tune():
    X, y = _binary()
    mask = np.arange(y.shape[0]) % 2 == 0
    masks = ThresholdMover(LogisticRegression(), "tuned", cv=[(mask, ~mask)])
    rows = ThresholdMover(
        LogisticRegression(),
        "tuned",
        cv=[(np.flatnonzero(mask).tolist(), np.flatnonzero(~mask).tolist())],
    )
    assert masks.fit(X, y).threshold_ == rows.fit(X, y).threshold_


def test_metric_nan_at_every_threshold():
    # _tuning.py 277->278
    X, y = _binary()
    with pytest.raises(ValueError, match="NaN at every threshold tried for class 1"):
        ThresholdMover(
            LogisticRegression(),
            "tuned",
            scoring=lambda est, X, y: float("nan"),
            **_FEW,
        ).fit(X, y)


class _LogOdds(ClassifierMixin, BaseEstimator):
    """decision_function = log(p / (1 - p)): ±inf where p rounds to 0 or 1."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X):
        p = self.model_.predict_proba(X)[:, 1]
        with np.errstate(divide="ignore"):
            return np.log(p) - np.log1p(-p)


def test_infinite_scores_need_the_thresholds_given():
    # _tuning.py 329->330: scores from -inf to inf have no evenly spaced
    # thresholds; given ones work, and an inf score is at or above each.
    X, y = _binary()
    model = FrozenEstimator(_LogOdds().fit(X, y))
    X = X.copy()
    X[0] = 100.0  # p = 1.0 exactly: a score of inf
    assert np.isinf(model.decision_function(X[:1])[0])
    with pytest.raises(ValueError, match=r"run from .* to inf"):
        ThresholdMover(model, "tuned").fit(X, y)
    grid = np.linspace(-3, 3, 61)
    mover = ThresholdMover(model, "tuned", thresholds=grid, scoring="f1").fit(X, y)
    finite = ThresholdMover(model, "tuned", thresholds=grid, scoring="f1")
    scores = mover.decision_function(X)
    np.testing.assert_array_equal(
        mover.predict(X), (scores >= mover.threshold_).astype(int)
    )
    assert mover.predict(X[:1])[0] == 1
    # the oracle: the row of inf counted as a positive prediction at every
    # threshold, as a finite score above the grid counts
    X_finite = X.copy()
    X_finite[0] = 4.0
    assert model.decision_function(X_finite[:1])[0] > 3
    assert mover.threshold_ == finite.fit(X_finite, y).threshold_
    assert mover.best_score_ == finite.best_score_


# ----------------------------------------------------------------- metrics.py


def test_g_mean_labels_that_are_not_class_labels():
    # metrics.py 147-148 and 278-279. Regression: unhashable labels gave
    # scikit-learn's "Encoders require ..." TypeError, an array among them
    # "The truth value of an array ... is ambiguous", ragged ones numpy's
    # "inhomogeneous shape": none named labels.
    y_true, y_pred = [0, 0, 1, 1, 2], [0, 1, 1, 1, 2]
    with pytest.raises(ValueError, match="labels has entries that are not class"):
        g_mean_score(y_true, y_pred, labels=np.array([{0}, {1}], dtype=object))
    with pytest.raises(ValueError, match="labels has entries that are not class"):
        g_mean_score(
            y_true, y_pred, labels=np.array([np.array([1, 2]), 0], dtype=object)
        )
    with pytest.raises(ValueError, match="labels could not be read as a 1-D"):
        g_mean_score(y_true, y_pred, labels=[[0, 1], [2]])


def _decimal_labels(values):
    return np.array([decimal.Decimal(int(v)) for v in values], dtype=object)


def test_g_mean_of_decimal_and_date_labels_matches_imblearn():
    # metrics.py 299->300 (labels that are neither text nor plain numbers).
    # Regression: Decimal labels (a NUMERIC column read from a database) and
    # date objects raised scikit-learn's "unknown is not supported".
    import datetime

    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 3, 60)
    y_pred = np.where(rng.random(60) < 0.7, y_true, rng.integers(0, 3, 60))
    weights = np.arange(60) + 1.0
    expected = geometric_mean_score(y_true, y_pred)
    weighted = geometric_mean_score(y_true, y_pred, sample_weight=weights)
    dec_true, dec_pred = _decimal_labels(y_true), _decimal_labels(y_pred)
    assert g_mean_score(dec_true, dec_pred) == pytest.approx(expected)
    assert g_mean_score(dec_true, y_pred) == pytest.approx(expected)
    assert g_mean_score(y_true, dec_pred) == pytest.approx(expected)
    assert g_mean_score(pd.Series(dec_true), pd.Series(dec_pred)) == pytest.approx(
        expected
    )
    assert g_mean_score(dec_true, dec_pred, sample_weight=weights) == pytest.approx(
        weighted
    )
    assert g_mean_score(dec_true, dec_pred, labels=[0, 1]) == pytest.approx(
        geometric_mean_score(y_true, y_pred, labels=[0, 1])
    )
    days = np.array([datetime.date(2020, 1, d) for d in (1, 2, 3)], dtype=object)
    assert g_mean_score(days[y_true], days[y_pred]) == pytest.approx(expected)
    # objects holding plain ints and strings: as before
    assert g_mean_score(y_true.astype(object), y_pred.astype(object)) == (
        pytest.approx(expected)
    )
    assert g_mean_score(y_true.astype(str).astype(object), y_pred.astype(str)) == (
        pytest.approx(expected)
    )


def test_scorer_predicting_part_of_its_rows_is_refused():
    # metrics.py 485->486
    X, y = _binary()

    def first_rows(estimator, X, y):
        return f1_score(y[:10], estimator.predict(X[:10]))

    with pytest.raises(ValueError, match="called estimator.predict on rows other"):
        ThresholdMover(LogisticRegression(), "tuned", scoring=first_rows).fit(X, y)


def test_scorer_predicting_a_copy_of_object_rows():
    # metrics.py 489-490: object X (no NaN test in array_equal), copied.
    rng = np.random.default_rng(4)
    y = (rng.random(200) < 0.3).astype(int)
    X = np.empty((200, 2), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c"], 200)
    X[:, 1] = np.where(rng.random(200) < 0.8, np.where(y == 1, "pos", "neg"), None)
    pipe = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression())

    def copied(estimator, X, y):
        return f1_score(y, estimator.predict(X.copy()))

    mover = ThresholdMover(pipe, "tuned", scoring=copied, **_FEW).fit(X, y)
    reference = ThresholdMover(pipe, "tuned", scoring="f1", **_FEW).fit(X, y)
    assert mover.threshold_ == reference.threshold_
    assert mover.best_score_ == pytest.approx(reference.best_score_)


def test_scorer_predicting_a_copy_of_ragged_token_rows():
    # metrics.py 491-492. Regression: X a list of token lists of different
    # lengths (numpy cannot hold it as one array): a scorer predicting a copy
    # of it was refused as "rows other than the X it was given".
    rng = np.random.default_rng(5)
    y = (rng.random(90) < 0.3).astype(int)
    X = [list(rng.integers(0, 5, rng.integers(1, 6)) + 3 * v) for v in y]

    def features(rows):
        return np.array([[len(r), sum(r)] for r in rows], dtype=float)

    pipe = make_pipeline(
        FunctionTransformer(features), StandardScaler(), LogisticRegression()
    )

    def copied(estimator, X, y):
        return f1_score(y, estimator.predict(list(X)))

    mover = ThresholdMover(pipe, "tuned", scoring=copied, **_FEW).fit(X, y)
    reference = ThresholdMover(pipe, "tuned", scoring="f1", **_FEW).fit(X, y)
    assert mover.threshold_ == reference.threshold_

    def other_rows(estimator, X, y):
        return f1_score(y, estimator.predict(list(X)[::-1]))

    with pytest.raises(ValueError, match="called estimator.predict on rows other"):
        ThresholdMover(pipe, "tuned", scoring=other_rows).fit(X, y)

    # rows as numpy arrays of different lengths (token ids), copied
    arrays = [np.asarray(row) for row in X]
    mover = ThresholdMover(pipe, "tuned", scoring=copied, **_FEW).fit(arrays, y)
    assert mover.threshold_ == reference.threshold_

    def as_objects(estimator, X, y):  # the same rows, not a list
        rows = np.empty(len(X), dtype=object)
        rows[:] = X
        return f1_score(y, estimator.predict(rows))

    with pytest.raises(ValueError, match="called estimator.predict on rows other"):
        ThresholdMover(pipe, "tuned", scoring=as_objects, **_FEW).fit(X, y)


class _NoSignature:
    """A scorer whose signature cannot be read (as some C callables)."""

    @property
    def __signature__(self):
        raise ValueError("no signature")

    def __call__(self, estimator, X, y, sample_weight=None):
        return balanced_accuracy_score(
            y, estimator.predict(X), sample_weight=sample_weight
        )


def test_scorer_without_a_readable_signature_gets_the_weights():
    # metrics.py 518-519 and 703-704: judged by its calls, given the weights.
    X, y = _binary()
    weights = np.random.default_rng(6).random(y.shape[0]) + 0.5
    mover = ThresholdMover(
        LogisticRegression(), "tuned", scoring=_NoSignature(), **_FEW
    )
    reference = ThresholdMover(LogisticRegression(), "tuned", **_FEW)
    mover.fit(X, y, sample_weight=weights)
    reference.fit(X, y, sample_weight=weights)
    assert mover.threshold_ == reference.threshold_
    assert mover.best_score_ == pytest.approx(reference.best_score_)


@pytest.mark.parametrize("method", ["predict_proba", "decision_function"])
def test_plain_callable_scorer_reading_scores_is_refused(method):
    # metrics.py 625
    X, y = _binary()

    def ranking(estimator, X, y):
        return roc_auc_score(y, np.asarray(getattr(estimator, method)(X)).T[-1])

    with pytest.raises(ValueError, match="cannot score predicted labels"):
        ThresholdMover(LogisticRegression(), "tuned", scoring=ranking).fit(X, y)


def test_scorer_pos_label_that_is_not_a_class():
    # metrics.py 639->644
    X, y = _binary()
    scorer = make_scorer(f1_score, pos_label="yes")
    with pytest.raises(ValueError, match="pos_label='yes', which is not a class"):
        ThresholdMover(LogisticRegression(), "tuned", scoring=scorer).fit(X, y)
