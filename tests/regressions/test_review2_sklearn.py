"""Review round 2, scikit-learn side: rebalance combined with the tools users
combine it with (imbalanced-learn, scikit-learn meta-estimators and checks,
polars / pyarrow / list inputs). Each test reproduces one bug; see
/tmp/review2/sklearn.md for the report."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier


def _nan_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.array([0] * 24 + [1] * 6)
    X[0, 0] = np.nan  # one majority row, which under-sampling may leave out
    return X, y


def _fit_outcomes(X, y):
    """'fit' or the error, for six seeds of the under-sampler."""
    outcomes = []
    for seed in range(6):
        model = ResampledClassifier(
            RandomUnderSampler(random_state=seed), LogisticRegression()
        )
        try:
            model.fit(X, y)
            outcomes.append("fit")
        except ValueError as exc:
            outcomes.append("NaN" if "NaN" in str(exc) else str(exc))
    return outcomes


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "list"])
def test_resampled_classifier_nan_check_does_not_depend_on_the_draw(kind):
    # ResampledClassifier checks X for NaN before resampling (so that a fit does
    # not "succeed or fail with the draw", compose._check_finite_for); it does so
    # for numpy and pandas X, but a polars / pyarrow frame or a list of rows is
    # not checked: whether LogisticRegression sees the NaN row depends on the
    # sampler's seed, and the fit silently succeeds for some seeds.
    X, y = _nan_data()
    if kind == "polars":
        pl = pytest.importorskip("polars")
        X_in = pl.DataFrame(X, schema=["a", "b"])
    elif kind == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        X_in = pa.table({"a": X[:, 0], "b": X[:, 1]})
    else:
        X_in = X.tolist()
    assert _fit_outcomes(X, y) == ["NaN"] * 6  # numpy: refused for every seed
    assert _fit_outcomes(X_in, y) == ["NaN"] * 6


def test_resampled_classifier_refuses_one_hot_y_before_fitting():
    # The samplers take a one-hot y (resampled by its argmax, returned one-hot).
    # ResampledClassifier passes it on: a multi-output classifier (a tree, KNN)
    # is fitted as 3 binary outputs, and only then does the priors step fail
    # with a bare "TypeError: unhashable type: 'list'". ThresholdMover refuses
    # the same y up front with a clear ValueError; ResampledClassifier, whose
    # tags say multi_label=False, should too (or support it), never crash
    # after the work.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.array([0] * 20 + [1] * 7 + [2] * 3)
    Y = np.eye(3, dtype=int)[y]
    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    with pytest.raises(ValueError, match="y"):
        model.fit(X, Y)


def test_resampled_classifier_with_a_tree_passes_check_supervised_y_2d():
    # scikit-learn's estimator check: a classifier whose tags do not say
    # multi_output must ravel a column-vector y with a DataConversionWarning.
    # ResampledClassifier passes it with LogisticRegression (tests/test_common)
    # but not with a DecisionTreeClassifier / RandomForest / KNN: the sampler
    # keeps y's (n, 1) shape and the multi-output classifier accepts it
    # silently, so check_estimator fails for one of the most common setups.
    from sklearn.utils.estimator_checks import check_supervised_y_2d

    model = ResampledClassifier(
        RandomOverSampler(random_state=0), DecisionTreeClassifier(random_state=0)
    )
    check_supervised_y_2d(type(model).__name__, model)


@pytest.mark.parametrize("n_weights", [39, 41])
def test_threshold_mover_names_a_wrong_length_sample_weight(n_weights):
    # ResampledClassifier checks the length of sample_weight first ("sample_weight
    # has 39 values but X has 40 rows"). ThresholdMover, around an estimator whose
    # fit takes no sample_weight (KNN, a Pipeline), first tries to turn the
    # weights into repeated rows and reports a wrong length as "the weights given
    # are not repetition counts ... Drop sample_weight, or use a classifier whose
    # fit takes it": a TypeError whose fix is not the problem.
    from sklearn.neighbors import KNeighborsClassifier

    from rebalance import ThresholdMover

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 10)
    with pytest.raises(ValueError, match="40"):
        ThresholdMover(KNeighborsClassifier(3)).fit(
            X, y, sample_weight=np.ones(n_weights)
        )
