"""Review 11, fourth regression review: the fixes bf7f316..HEAD.

Each test reproduces one bug that these fixes introduced or missed; see
/tmp/review11/regressions4.md.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance.cli import main


def _run(*argv, tmp_path):
    """(exit code or SystemExit message, the --json data or None)."""
    out_json = tmp_path / "out.json"
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            code = main(["compare", *argv, "--json", str(out_json)])
        except SystemExit as exc:
            code = exc.code
    data = json.loads(out_json.read_text()) if code == 0 else None
    return code, data


def _labels(n=60, n_pos=15, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n_pos) + [1] * n_pos)
    rng.shuffle(y)
    return rng, y


# --------------------------------------------------------------- reading


# Row names first and a header one field shorter (R's write.table,
# pandas' to_csv(index_label=False)), with a last column that is empty on
# every row (an unused "comment" column, all NA). The new rule takes an
# all-empty last column as the sign of a separator ending every data line
# and re-reads with index_col=False: every name shifts one column left.
# "smoker" gets the row names, the target "y" gets smoker's 0/1 values and
# the feature "comment" gets the real labels. The run succeeds, on the
# wrong target, with the labels leaked into the features.
def test_row_names_and_an_all_empty_last_column_keep_the_target(tmp_path):
    rng, y = _labels(n=40, n_pos=10)
    frame = pd.DataFrame(
        {
            "smoker": rng.integers(0, 2, 40),
            "y": np.where(y == 1, "yes", "no"),
            "comment": np.nan,
        },
        index=[f"patient{i}" for i in range(40)],
    )
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index_label=False)  # as R's write.table(sep=",")
    assert path.read_text().splitlines()[:2] == [
        "smoker,y,comment",
        f"patient0,{frame.smoker.iloc[0]},{frame.y.iloc[0]},",
    ]
    code, data = _run(
        "--data", str(path), "--target", "y", "--folds", "2",
        "--methods", "none", tmp_path=tmp_path,
    )  # fmt: skip
    assert code == 0, code
    assert data["class_counts"] == {"no": 30, "yes": 10}


# ---------------------------------------------------------------- scoring


def _as_scorer(metric):
    """A scorer of one's own metric, keeping its name (functools.wraps)."""

    @functools.wraps(metric)
    def scorer(estimator, X, y):
        return metric(y, estimator.predict(X))

    return scorer


# The functools.wraps fix reads the scorer's own signature to decide it is
# a scorer, but _takes_sample_weight still follows __wrapped__: the wrapped
# METRIC's signature (f1_score has sample_weight) says the scorer takes
# weights, and every fold calls scorer(..., sample_weight=w): TypeError
# "f1_score() got an unexpected keyword argument 'sample_weight'". The
# scorer takes no weights, so it must be called without them, as the
# docstring says ("when ... the scorer takes a sample_weight argument").
def test_tuned_with_weights_and_a_functools_wraps_scorer():
    from rebalance import ThresholdMover

    rng, y = _labels()
    X = rng.normal(size=(60, 2)) + y[:, None]
    w = rng.uniform(0.5, 2.0, 60)
    model = ThresholdMover(
        LogisticRegression(), strategy="tuned", scoring=_as_scorer(f1_score), cv=2
    ).fit(X, y, sample_weight=w)
    assert 0.0 <= model.threshold_ <= 1.0


class _CustomScoreLR(LogisticRegression):
    """A classifier whose score is not the accuracy."""

    def score(self, X, y, sample_weight=None):
        return 0.125


# ResampledClassifier.score with routing on now handles only classifiers
# whose score IS ClassifierMixin.score (computing the accuracy itself);
# everything else gets classifier_.score(X, y, sample_weight=w) with
# routing on. A Pipeline whose last step has its own score, or
# LogisticRegressionCV (score through its scoring), then raises
# UnsetMetadataPassedError. Before bf7f316..HEAD these were scored with
# routing turned off and worked (the object consumes score's weights
# itself, its routing says so).
@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: make_pipeline(StandardScaler(), _CustomScoreLR()), "own"),
        (lambda: LogisticRegressionCV(cv=2), "accuracy"),
        (lambda: make_pipeline(StandardScaler(), LogisticRegressionCV(cv=2)),
         "accuracy"),
    ],
    ids=["pipeline ending in a custom score", "LogisticRegressionCV",
         "pipeline ending in LogisticRegressionCV"],
)  # fmt: skip
def test_resampled_classifier_weighted_score_with_routing(make, expected):
    from rebalance import RandomUnderSampler
    from rebalance.compose import ResampledClassifier

    rng, y = _labels()
    X = rng.normal(size=(60, 2)) + y[:, None]
    w = rng.uniform(0.5, 2.0, 60)
    with sklearn.config_context(enable_metadata_routing=True):
        model = ResampledClassifier(RandomUnderSampler(random_state=0), make())
        model.fit(X, y)
        got = model.score(X, y, sample_weight=w)
    if expected == "own":
        assert got == 0.125
    else:  # LogisticRegressionCV's default scoring is the accuracy
        assert got == pytest.approx(
            accuracy_score(y, model.predict(X), sample_weight=w)
        )


# ------------------------------------------------------------------ losses


# The decimal-or-fraction rule takes a fraction whose denominator squared
# is at most the decimal's: a float16 0.129 becomes 4/31 (961 <= 1000) and
# a bfloat16 0.57 becomes 4/7 (49 <= 100), so ceil(top_k * n) keeps one row
# too many (130 of 1000, 58 of 100). 22 of the 999 three-digit float16
# decimals are still read as such fractions.
@pytest.mark.parametrize(
    "n, top_k, kept",
    [
        (1000, "numpy float16 0.129", 129),
        (1000, "torch float16 0.238", 238),
        (100, "torch bfloat16 0.57", 57),
    ],
    ids=["np.float16 0.129", "torch.float16 0.238", "bfloat16 0.57"],
)
def test_ohem_narrow_top_k_decimal_is_not_read_as_a_fraction(n, top_k, kept):
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import ohem_loss

    lib, dtype, text = top_k.split()
    if lib == "numpy":
        top_k = getattr(np, dtype)(float(text))
    else:
        top_k = torch.tensor(float(text), dtype=getattr(torch, dtype))
    losses = torch.arange(n, dtype=torch.float64)
    _, idx = ohem_loss(losses, top_k=top_k, return_indices=True)
    assert idx.numel() == kept
    assert math.ceil(float(top_k) * n) in (kept, kept + 1)  # the binary value
