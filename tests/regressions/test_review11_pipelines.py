"""Review 11: the scikit-learn side of rebalance in the pipelines users write
(imbalanced-learn Pipelines, set_output, ColumnTransformer, searches,
FrozenEstimator, cross_val_predict, mixed-dtype frames)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import RandomUnderSampler, ResampledClassifier, ThresholdMover


def _binary(n=400, rate=0.1, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    return X, y


# --- 1. ThresholdMover around an imbalanced-learn Pipeline with a sampler step


def test_auto_train_priors_see_the_sampler_step_of_an_imblearn_pipeline():
    # make_pipeline(RandomUnderSampler(), LogisticRegression()) is the
    # canonical imbalanced-learn model: its classifier is fitted on balanced
    # rows, so its probabilities are calibrated to priors 1:1. ThresholdMover's
    # train_priors='auto' reads the priors of y instead (0.9/0.1), silently:
    # deploy_priors='train' then moves nothing (the probabilities stay those
    # of a balanced model) and strategy='prior' divides them by the y priors a
    # second time (about 2.5x as many positives as the same model written as
    # ResampledClassifier). The fitted sampler step records sample_indices_,
    # so the priors the classifier saw are known; if they cannot be read, an
    # error asking for train_priors is the alternative -- never y's priors.
    from imblearn.pipeline import make_pipeline

    X, y = _binary(2000, 0.1)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    same_model = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    reference = ThresholdMover(same_model, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(reference.train_priors_, [0.5, 0.5])
    try:
        mover = ThresholdMover(pipe, "argmax", deploy_priors="train").fit(X, y)
    except ValueError as exc:  # acceptable: refuse and ask for train_priors
        assert "train_priors" in str(exc)
        return
    np.testing.assert_allclose(mover.train_priors_, reference.train_priors_)
    np.testing.assert_allclose(
        mover.predict_proba(X), reference.predict_proba(X), atol=1e-12
    )


# --- 2. ResampledClassifier's NaN pre-check skipped for frames with a bool column


def _frame_with_flag(kind, values):
    flags = [True, False] * (len(values) // 2)
    if kind == "polars-Boolean":
        pl = pytest.importorskip("polars")
        return pl.DataFrame({"x": values, "flag": flags})
    if kind == "pyarrow-bool":
        pa = pytest.importorskip("pyarrow")
        return pa.table({"x": values, "flag": flags})
    pd = pytest.importorskip("pandas")
    if kind == "pandas-bool[pyarrow]":
        pytest.importorskip("pyarrow")
        return pd.DataFrame(
            {"x": values, "flag": pd.array(flags, dtype="bool[pyarrow]")}
        )
    # pandas categorical of numbers (LogisticRegression converts it to floats)
    return pd.DataFrame(
        {"x": values, "code": pd.Categorical([0, 1] * (len(values) // 2))}
    )


@pytest.mark.parametrize(
    "kind",
    ["polars-Boolean", "pyarrow-bool", "pandas-bool[pyarrow]", "pandas-category"],
)
def test_resampled_classifier_nan_check_does_not_depend_on_the_draw_with_flags(kind):
    # ResampledClassifier refuses NaN in X before resampling, so that a fit
    # does not "succeed or fail with the draw" (compose._check_finite_for,
    # review 2 for all-numeric polars / pyarrow frames). A frame with one
    # boolean (or numeric categorical) column -- a usual flag column, which
    # LogisticRegression takes as 0/1 -- skips the whole check: the float
    # column's NaN is then seen or not depending on which rows the
    # under-sampler keeps, and the fit silently succeeds for some seeds.
    values = np.linspace(0.0, 1.0, 40)
    values[0] = np.nan  # a majority row the under-sampler may leave out
    y = np.array([0] * 30 + [1] * 10)
    X = _frame_with_flag(kind, values)
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
    assert outcomes == ["NaN"] * 6
