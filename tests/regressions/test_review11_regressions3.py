"""Review 11, third regression review: the fixes 602c64f..66173ba.

Each test reproduces one bug that these fixes introduced or missed; see
/tmp/review11/regressions3.md.
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
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance.cli import main
from rebalance.compare import compare
from rebalance.metrics import g_mean_score


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


def _labels(n=40, n_pos=10, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n_pos) + [1] * n_pos)
    rng.shuffle(y)
    return rng, y


# --------------------------------------------------------------- reading


# R's write.table(df, sep="\t") (row.names=TRUE, col.names=TRUE, its
# defaults) and pandas' to_csv(index_label=False) write row names first on
# every data line but leave them out of the header: the header has one
# field fewer. pandas reads that first field as the index (its documented
# "implicit index"), which was right. index_col=False (added for data lines
# that END with a separator) instead drops the LAST field of every line and
# shifts every name one column: "y" holds b's values, the labels are lost
# (only a ParserWarning says so).
def test_file_with_row_names_and_a_shorter_header_keeps_its_columns(tmp_path):
    rng, y = _labels()
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=40).round(3),
            "b": rng.integers(0, 3, 40),
            "y": np.where(y == 1, "yes", "no"),
        },
        index=[f"sample{i}" for i in range(40)],
    )
    path = tmp_path / "expression.tsv"
    frame.to_csv(path, sep="\t", index_label=False)  # as R's write.table
    assert path.read_text().splitlines()[0] == "a\tb\ty"
    code, data = _run(
        "--data", str(path), "--target", "y", "--folds", "2",
        "--methods", "none", tmp_path=tmp_path,
    )  # fmt: skip
    assert code == 0, code
    assert data["class_counts"] == {"no": 30, "yes": 10}
    assert set(data["columns"]["used"]) == {"a", "b"}


# An empty label is a missing one (the fix for Parquet text labels), but the
# check only looks at object and string columns. A categorical target (a
# pandas category column round-tripped through Parquet, a dictionary-encoded
# column, polars' Categorical) keeps "" as a class, and as the minority it
# becomes the positive class of the comparison.
def test_categorical_parquet_target_with_empty_labels_is_refused(tmp_path):
    pytest.importorskip("pyarrow")
    rng, y = _labels(n=45, n_pos=10)
    labels = np.where(y == 1, "yes", "no").astype(object)
    labels[np.flatnonzero(y == 0)[:5]] = ""
    frame = pd.DataFrame({"a": rng.normal(size=45), "y": pd.Categorical(labels)})
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    assert isinstance(pd.read_parquet(path)["y"].dtype, pd.CategoricalDtype)
    code, data = _run(
        "--data", str(path), "--target", "y", "--folds", "2",
        "--methods", "none", tmp_path=tmp_path,
    )  # fmt: skip
    assert code != 0, data["class_counts"]
    assert "missing labels" in str(code)


# compare() from Python: the new continuous-target check reads the finite
# values only, and a NaN label (a float label column with gaps, or a
# nullable Int64 one) then becomes a class of its own. The CLI refuses
# missing labels; the same data from Python runs as a 3-class problem with
# a "nan" class. A missing label must be an error, never a class.
@pytest.mark.parametrize("kind", ["float with NaN", "nullable Int64 with NA"])
def test_compare_refuses_missing_labels_instead_of_a_nan_class(kind):
    rng, y = _labels(n=50, n_pos=15)
    if kind == "float with NaN":
        labels = y.astype(float)
        labels[:5] = np.nan
    else:
        labels = pd.Series(y, dtype="Int64")
        labels[:5] = pd.NA
    X = rng.normal(size=(50, 2))
    with pytest.raises(ValueError, match="missing"):
        compare(X, labels, folds=2, method_names=["none"], progress=False)


# A pandas frame with Arrow dtypes (pd.read_parquet(dtype_backend="pyarrow"),
# polars' to_pandas(use_pyarrow_extension_array=True)): the nested-column fix
# looks at object columns only, so a list<int64>[pyarrow] column still ends
# in pyarrow's "Function 'unique' has no kernel matching input types".
def test_compare_drops_an_arrow_list_column():
    pa = pytest.importorskip("pyarrow")
    rng, y = _labels()
    X = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "tags": pd.array([[1, 2]] * 40, dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
        }
    )
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    assert "tags" in result.columns.dropped, result.columns
    assert "a" in result.columns.used


# Durations are seconds now, but only numpy timedelta64 columns: an Arrow
# duration column (duration[s][pyarrow]) is planned as free "text" ("0 days
# 00:16:40" has three words) and vectorised as words.
def test_arrow_duration_column_is_planned_as_seconds():
    pa = pytest.importorskip("pyarrow")
    from rebalance._columns import plan_columns, prepare_frame

    rng = np.random.default_rng(0)
    seconds = rng.integers(0, 1000, 40)
    X = pd.DataFrame(
        {
            "wait": pd.array(
                pd.to_timedelta(seconds, unit="s"),
                dtype=pd.ArrowDtype(pa.duration("s")),
            ),
            "a": rng.normal(size=40),
        }
    )
    plan = plan_columns(X)
    assert plan.used.get("wait") == "numeric", plan.used
    out = prepare_frame(X, plan)
    np.testing.assert_allclose(out["wait"].to_numpy(dtype=float), seconds)


# ---------------------------------------------------------------- metrics


# The fix for missing labels checks for None only. pandas 3 stores a
# missing text label as NaN (pd.Series(["a", "b", None]) holds nan), and a
# string column as pd.NA: numpy's "'<' not supported between instances of
# 'float' and 'str'" / "boolean value of NA is ambiguous" again, naming
# neither y_true nor the fix (the earlier test asked for None, NaN and NA).
@pytest.mark.parametrize(
    "y_true",
    [
        pd.Series(["a", "b", None, "a"]),
        pd.Series(["a", "b", None, "a"], dtype="string"),
        np.array(["a", "b", np.nan, "a"], dtype=object),
    ],
    ids=["pandas str None", "pandas string NA", "object nan"],
)
def test_g_mean_score_names_y_true_for_pandas_missing_labels(y_true):
    with pytest.raises(ValueError, match="y_true"):
        g_mean_score(y_true, ["a", "b", "a", "a"])


# ---------------------------------------------------------------- scoring


def _as_scorer(metric):
    """A common way to make a scorer of one's own metric, keeping its name."""

    @functools.wraps(metric)
    def scorer(estimator, X, y):
        return metric(y, estimator.predict(X))

    return scorer


def _profit(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(10 * ((y_true == 1) & (y_pred == 1)).sum() - (y_pred == 1).sum())


# The new check binds (estimator, X, y) to inspect.signature(scorer), which
# follows __wrapped__: a scorer made with functools.wraps around the user's
# metric reports the METRIC's (y_true, y_pred) signature and is refused as
# "a metric function" (it worked before 66173ba; scikit-learn's
# cross_val_score accepts it).
def test_tuned_accepts_a_functools_wraps_scorer():
    from sklearn.model_selection import cross_val_score

    from rebalance import ThresholdMover

    rng, y = _labels(n=60, n_pos=15)
    X = rng.normal(size=(60, 2)) + y[:, None]
    scorer = _as_scorer(_profit)
    cross_val_score(LogisticRegression(), X, y, scoring=scorer, cv=2)  # peers: fine
    model = ThresholdMover(
        LogisticRegression(), strategy="tuned", scoring=scorer, cv=2
    ).fit(X, y)
    assert 0.0 <= model.threshold_ <= 1.0


# ResampledClassifier.score turns routing off only when the classifier's
# score names sample_weight. A Pipeline does, but a Pipeline ending in a
# search then calls the search's score with a keyword while routing is off:
# "Passing extra keyword arguments to GridSearchCV.score is only supported
# if enable_metadata_routing=True", with routing on. Worked before 602c64f
# (the same Pipeline scores fine on its own with routing on).
def test_resampled_classifier_score_around_a_pipeline_ending_in_a_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from rebalance import RandomUnderSampler
    from rebalance.compose import ResampledClassifier

    rng, y = _labels(n=60, n_pos=15)
    X = rng.normal(size=(60, 2)) + y[:, None]
    w = rng.uniform(0.5, 2.0, 60)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        search = GridSearchCV(
            LogisticRegression(), {"C": [0.1, 1.0]}, cv=2, scoring=scorer
        )
        pipe = make_pipeline(StandardScaler(), search)
        model = ResampledClassifier(RandomUnderSampler(random_state=0), pipe)
        model.fit(X, y)
        got = model.score(X, y, sample_weight=w)
    expected = accuracy_score(y, model.predict(X), sample_weight=w)
    assert got == pytest.approx(expected)


# ------------------------------------------------------------------ losses


# _shortest_fraction now takes the closest fraction with a power-of-two
# bound on the denominator: 1/3 comes back, but most decimals do not. A
# float32 0.1253 comes back as 0.12530000507831573 and a float16 0.011 as
# 0.011001100110011 (1/90.9), so ceil(top_k * n) keeps one row too many
# (1254 of 10000, 12 of 1000). The shortest-decimal reading before this fix
# kept 1253 and 11; "read as the decimal it stands for" (CHANGES). Among
# float32 four-digit fractions 1653 of 9999 are off by one row, among
# float16 three-digit ones 409 of 999; bfloat16 0.19 is read as 4/21.
@pytest.mark.parametrize(
    "n, top_k, kept",
    [
        (10000, np.float32(0.1253), 1253),
        (10000, "torch float32 0.1253", 1253),
        (1000, np.float16(0.011), 11),
        (1000, "torch float16 0.011", 11),
        (100, "torch bfloat16 0.19", 19),
    ],
    ids=["np.float32", "torch.float32", "np.float16", "torch.float16", "bfloat16"],
)
def test_ohem_narrow_float_top_k_keeps_the_decimal_as_written(n, top_k, kept):
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import ohem_loss

    if isinstance(top_k, str):
        _, dtype, text = top_k.split()
        top_k = torch.tensor(float(text), dtype=getattr(torch, dtype))
    losses = torch.arange(n, dtype=torch.float64)
    _, idx = ohem_loss(losses, top_k=top_k, return_indices=True)
    assert idx.numel() == kept
    assert math.ceil(float(top_k) * n) in (kept, kept + 1)  # the binary value


# ---------------- fourth regression review (the fixes bf7f316..35aa1b0)


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


# The functools.wraps fix reads the scorer's own signature to decide it is
# a scorer, but _takes_sample_weight still follows __wrapped__: the wrapped
# METRIC's signature (f1_score has sample_weight) says the scorer takes
# weights, and every fold calls scorer(..., sample_weight=w): TypeError
# "f1_score() got an unexpected keyword argument 'sample_weight'". The
# scorer takes no weights, so it must be called without them, as the
# docstring says ("when ... the scorer takes a sample_weight argument").
def test_tuned_with_weights_and_a_functools_wraps_scorer():
    from rebalance import ThresholdMover

    rng, y = _labels(n=60, n_pos=15)
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

    rng, y = _labels(n=60, n_pos=15)
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
