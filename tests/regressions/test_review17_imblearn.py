"""Review 17 (imblearn): the estimator samplers against imbalanced-learn's own
test files (run with our classes substituted: only the cases pinning
imbalanced-learn's own random draw differ), its estimator checks on
non-default parameters, and the ecosystem around them (imblearn Pipeline,
BalancedBaggingClassifier, GridSearchCV / cross_validate with metadata routing,
scikit-learn's validation-set fit parameters).
"""

import numpy as np
import pytest
import sklearn
from imblearn.pipeline import Pipeline as ImbPipeline
from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.fixes import parse_version

from rebalance import (
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
)
from rebalance._metadata import row_aligned_names, take_row_aligned


def _imbalanced(n=100, n_minor=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (np.arange(n) < n_minor).astype(int)
    return X, y


class _RecordsValidationSet(ClassifierMixin, BaseEstimator):
    """A classifier whose fit takes a validation set, as
    HistGradientBoostingClassifier.fit(X, y, X_val=, y_val=, sample_weight_val=)."""

    def fit(self, X, y, X_val=None, y_val=None, sample_weight_val=None):
        self.X_val_ = None if X_val is None else np.asarray(X_val).copy()
        self.y_val_ = None if y_val is None else np.asarray(y_val).copy()
        self.sample_weight_val_ = (
            None if sample_weight_val is None else np.asarray(sample_weight_val)
        )
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


# --------------------------------------------------------------------------
# A validation set with as many rows as the training set (a 50/50 split) was
# taken for a fit parameter with one value per training row.


def test_same_size_validation_set_is_not_resampled_by_resampled_classifier():
    # ResampledClassifier resamples fit parameters with one value per row;
    # X_val / y_val / sample_weight_val (scikit-learn's HistGradientBoosting
    # names) hold other rows. Before: with len(X_val) == len(X) they were
    # resampled with the training rows (a 100-row validation set came out as
    # the 40 rows of the under-sampled training set's positions), with any
    # other length they were passed on: the validation set silently depended
    # on its size.
    X, y = _imbalanced()
    X_val, y_val = _imbalanced(seed=1)
    w_val = np.linspace(0.5, 2.0, len(y_val))
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), _RecordsValidationSet()
    ).fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=w_val)
    fitted = model.classifier_
    np.testing.assert_array_equal(fitted.X_val_, X_val)
    np.testing.assert_array_equal(fitted.y_val_, y_val)
    np.testing.assert_array_equal(fitted.sample_weight_val_, w_val)
    # The training rows themselves were resampled (20 + 20).
    assert len(model.sampler_.sample_indices_) == 40


def test_same_size_validation_set_is_not_split_into_tuned_folds():
    # ThresholdMover(strategy='tuned') splits per-row fit parameters with its
    # folds. Before: a 100-row X_val for 100 training rows reached the fold
    # fits as 66 / 67 / 67 rows (the training fold's positions of another data
    # set); now every fit gets the whole validation set, as with any other
    # length.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + rng.normal(size=100) > 1).astype(int)
    X_val = rng.normal(size=(100, 2))
    seen = []

    class Probabilistic(_RecordsValidationSet):
        def fit(self, X, y, X_val=None):
            seen.append(np.asarray(X_val).copy())
            return super().fit(X, y)

        def predict_proba(self, X):
            p = 1 / (1 + np.exp(-np.asarray(X)[:, 0]))
            return np.column_stack([1 - p, p])

    ThresholdMover(Probabilistic(), strategy="tuned", cv=3).fit(X, y, X_val=X_val)
    assert len(seen) == 4  # three folds and the final fit
    for got in seen:
        np.testing.assert_array_equal(got, X_val)


@pytest.mark.parametrize(
    "name", ["X_val", "y_val", "sample_weight_val", "eval_sample_weight", "X_valid"]
)
def test_validation_set_names_are_never_row_aligned(name):
    # The same rule everywhere row-aligned metadata is resampled or split
    # (ResampledClassifier, ThresholdMover's tuned folds, the imblearn
    # Pipeline check); sample_weight of the same length still is.
    values = np.arange(10.0)
    params = {name: values, "sample_weight": values}
    assert row_aligned_names(params, 10) == ["sample_weight"]
    taken = take_row_aligned(params, np.array([0, 0, 3]), 10)
    assert taken[name] is values
    np.testing.assert_array_equal(taken["sample_weight"], [0.0, 0.0, 3.0])


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.7"),
    reason="HistGradientBoostingClassifier.fit takes X_val/y_val from 1.7",
)
def test_same_size_validation_set_passes_the_imblearn_pipeline_check():
    # imbalanced-learn's Pipeline passes X_val / y_val to the final step
    # unchanged, which is right for a validation set: with imbalanced-learn's
    # own RandomUnderSampler the fit works. Ours raised "hgb.fit(X_val=...)
    # (not resampled)" when the validation set had as many rows as the
    # training set, and fitted when it had one row fewer.
    X, y = _imbalanced(n=120, n_minor=30)
    X_val, y_val = _imbalanced(n=120, n_minor=30, seed=1)
    scores = []
    with sklearn.config_context(enable_metadata_routing=True):
        for sampler in (
            ImbUnderSampler(random_state=0),
            RandomUnderSampler(random_state=0),
        ):
            hgb = HistGradientBoostingClassifier(
                early_stopping=True, max_iter=5, random_state=0
            ).set_fit_request(X_val=True, y_val=True)
            pipe = ImbPipeline([("sampler", sampler), ("hgb", hgb)])
            pipe.fit(X, y, X_val=X_val, y_val=y_val)
            # Early stopping scored on the whole validation set.
            assert pipe[-1].n_iter_ >= 1
            scores.append(pipe.score(X_val, y_val))
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_training_rows_weights_still_refused_in_the_imblearn_pipeline():
    # scikit-learn < 1.8 refuses first, as an unset request of the sampler's
    # (UnsetMetadataPassedError naming set_fit_request): refused all the same.
    match = r"lr\.fit\(sample_weight=\.\.\.\)"
    if parse_version(sklearn.__version__) < parse_version("1.8"):
        match += r"|RandomOverSampler\.set_fit_request"
    # The fix keeps the check: a weight per training row meant for the
    # classifier after the sampler would not follow the resampled rows.
    X, y = _imbalanced()
    w = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        from sklearn.linear_model import LogisticRegression

        pipe = ImbPipeline(
            [
                ("sampler", RandomOverSampler(random_state=0)),
                ("lr", LogisticRegression().set_fit_request(sample_weight=True)),
            ]
        )
        with pytest.raises(ValueError, match=match):
            pipe.fit(X, y, sample_weight=w)


# --------------------------------------------------------------------------
# Errors about X's shape gave a fix that cannot work.


def test_three_dimensional_X_error_suggests_a_working_reshape():
    # Before: "Reshape your data either using X.reshape(-1, 1) ... or
    # X.reshape(1, -1)": for (20, 2, 3) images the first gives 120 rows for
    # 20 labels, the second one row. The fix that works flattens each sample.
    X = np.zeros((20, 2, 3))
    y = np.array([0] * 15 + [1] * 5)
    with pytest.raises(ValueError, match=r"X\.reshape\(len\(X\), -1\)") as info:
        RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert "reshape(-1, 1)" not in str(info.value)
    assert "(20, 2, 3)" in str(info.value)
    # ... and the suggested reshape is accepted.
    X_res, _ = RandomUnderSampler(random_state=0).fit_resample(X.reshape(len(X), -1), y)
    assert X_res.shape == (10, 6)


def test_ragged_list_X_error_names_X():
    # Before: numpy's "setting an array element with a sequence. The
    # requested array has an inhomogeneous shape ...", naming neither X nor
    # the fix.
    X = [[1.0, 2.0], [3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0]]
    y = [0, 0, 0, 1, 1]
    with pytest.raises(ValueError, match=r"^X could not be read as a 2D array") as e:
        RandomOverSampler(random_state=0).fit_resample(X, y)
    assert "same number of features" in str(e.value)


@pytest.mark.parametrize("X", [5, "abc", {"a": [1, 2, 3, 4, 5]}])
def test_scalar_X_error_says_what_was_passed(X):
    # Before: "got shape ()" and the advice to reshape(-1, 1) a scalar.
    y = [0, 0, 0, 1, 1]
    with pytest.raises(ValueError, match=rf"got a single {type(X).__name__} value"):
        RandomUnderSampler(random_state=0).fit_resample(X, y)


def test_pipeline_check_lists_only_methods_the_step_has():
    # The error listed logisticregression.fit_predict(...) and
    # fit_transform(...), methods LogisticRegression does not have.
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(0).random((40, 2))
    y = np.array([0] * 30 + [1] * 10)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    expected = r"logisticregression\.fit\(sample_weight"
    with pytest.raises(ValueError, match=expected) as e:
        pipe.fit(X, y, logisticregression__sample_weight=np.ones(40))
    assert "fit_predict" not in str(e.value) and "fit_transform" not in str(e.value)
