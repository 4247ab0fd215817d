"""Review 21: `rebalance compare`'s models and outputs.

The fixes get what they need (class weights reach the model's fit), no test
row reaches a fit, a sampler or a threshold, runs are reproducible, the JSON
is strict and agrees with the table and with scipy, the report escapes what
the data names, and the Python API gives what the CLI prints.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neighbors import KNeighborsClassifier

import rebalance.compare as compare_module
from rebalance.cli import main
from rebalance.compare import Setup, compare
from rebalance.weights import class_weights


def _binary(n=48, seed=0, noise=False):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 4 == 0).astype(int)
    X = rng.normal(size=(n, 3)) + (0 if noise else y[:, None])
    return X, y


def _cli(*argv):
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main(["compare", *argv])
    return code, stdout.getvalue()


def _strict_json(path):
    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")

    with open(path) as handle:
        return json.load(handle, parse_constant=refuse)


# ------------------------------------------------------------ bugs fixed


# A method name (a key of compare's `methods`) with "$" in it went to
# matplotlib as math text: "a$_$b" failed to parse and --plot / --report
# raised after the whole cross-validation.
def test_a_method_name_with_dollar_signs_is_plotted_as_text(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = _binary()
    methods = {
        "a$_$b": lambda setup, y_train: setup.pipeline(),
        "$5 fee": lambda setup, y_train: setup.pipeline(C=0.01),
    }
    result = compare(X, y, methods, folds=2, progress=False)
    result.plot(str(tmp_path / "curves.png"))
    result.report(str(tmp_path / "report.html"))
    assert "a$_$b" in (tmp_path / "report.html").read_text(encoding="utf-8")


class _NaNProba(KNeighborsClassifier):
    def predict_proba(self, X):
        return np.full((len(X), 2), np.nan)


# A method whose predict_proba gave NaN aborted the whole comparison with
# scikit-learn's "Input contains NaN" (from the metrics), instead of being
# skipped with a notice as every other failing method is.
def test_a_method_with_nan_probabilities_is_skipped_with_a_notice():
    X, y = _binary()
    notices = []
    methods = {
        "none": lambda setup, y_train: setup.pipeline(),
        "broken": lambda setup, y_train: _NaNProba(n_neighbors=3),
    }
    result = compare(X, y, methods, folds=2, progress=False, notify=notices.append)
    assert list(result.scores) == ["none"]
    assert "not finite" in result.skipped["broken"]
    assert len(notices) == 1 and "broken" in notices[0]
    json.dumps(result.to_json(), allow_nan=False)


# A category met in a test fold only (a rare city) is encoded as none, as
# cross-validation expects; scikit-learn's "Found unknown categories"
# UserWarning was printed on stderr (with a site-packages path) on the fold.
def test_a_category_only_in_a_test_fold_gives_no_warning():
    X, y = _binary(n=40)
    colour = ["red", "blue"] * 19 + ["teal", "red"]  # "teal": one row
    frame = pd.DataFrame({"x": X[:, 0], "colour": colour})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare(frame, y, folds=2, method_names=["none"], progress=False)
    assert not [w for w in caught if "unknown categories" in str(w.message)]


# ------------------------------------------------------------ the fixes


class _RecordingHGB(HistGradientBoostingClassifier):
    fits: list = []

    def fit(self, X, y, sample_weight=None):
        _RecordingHGB.fits.append((self.class_weight, np.asarray(y).copy()))
        return super().fit(X, y, sample_weight=sample_weight)


def test_hgb_class_weight_rows_give_the_fold_weights_to_fit(monkeypatch):
    monkeypatch.setattr(compare_module, "HistGradientBoostingClassifier", _RecordingHGB)
    monkeypatch.setattr(_RecordingHGB, "fits", [])
    X, y = _binary()
    names = ["class-weight", "class-weight-effective"]
    compare(X, y, model="hgb", folds=2, method_names=names, progress=False)
    assert len(_RecordingHGB.fits) == 4  # 2 methods x 2 folds
    for i, (given, y_fit) in enumerate(_RecordingHGB.fits):
        method = "balanced" if i % 2 == 0 else "effective_number"
        assert len(y_fit) == len(y) // 2  # the training fold
        assert given == pytest.approx(class_weights(y_fit, method=method))
        assert given[1] > given[0]


def test_mlp_class_weighted_loss_gets_the_fold_weights(monkeypatch):
    pytest.importorskip("torch")
    import rebalance.torch._compare_model as mlp

    seen = []
    original = mlp.class_weighted_binary_cross_entropy

    def recording(logits, targets, weights):
        seen.append(dict(weights))
        return original(logits, targets, weights)

    monkeypatch.setattr(mlp, "class_weighted_binary_cross_entropy", recording)
    X, y = _binary()
    compare(
        X, y, model="mlp", folds=2, method_names=["class-weighted-bce"], progress=False
    )
    # 20 epochs of one batch on each of the 2 training folds, each fold's
    # weights: the positive class (1 row in 4) three times the negative.
    assert len(seen) == 40
    expected = class_weights(y[: len(y) // 2])
    for weights in seen:
        assert weights == pytest.approx(expected)


# ------------------------------------------------------------ no leakage


def test_no_test_row_reaches_a_fit_a_sampler_or_a_threshold(monkeypatch):
    # One nearest neighbour memorises its training rows: a test row seen in
    # any fit (the model's, a sampler's, a threshold's inner folds) would be
    # scored from its own label, and on labels that are pure noise give a
    # ROC AUC of 1 (shown below by scoring on the training rows).
    X, y = _binary(n=80, noise=True)
    in_sample = KNeighborsClassifier(n_neighbors=1).fit(X, y).predict_proba(X)[:, 1]
    assert compare_module.roc_auc_score(y, in_sample) == 1.0

    monkeypatch.setattr(
        Setup, "classifier", lambda self, **params: KNeighborsClassifier(n_neighbors=1)
    )
    scored = []
    score_fold = compare_module.score_fold
    monkeypatch.setattr(
        compare_module,
        "score_fold",
        lambda y_true, proba, pred: (
            scored.append(len(y_true)) or score_fold(y_true, proba, pred)
        ),
    )
    names = [
        "over",
        "label-shuffle",
        "threshold-prior",
        "threshold-tuned-f1",
        "over+prior-correction",
    ]
    result = compare(X, y, folds=2, repeats=2, method_names=names, progress=False)
    assert not result.skipped
    for name in names:
        assert max(result.scores[name]["roc_auc"]) < 0.8, name
    # Every row scored once a repeat, as it is: no test fold was resampled.
    assert scored == [len(y) // 2] * (len(names) * 4)


# ------------------------------------------------------------ reproducible


def _mixed_frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 4 == 0, "yes", "no")
    words = np.array(["quick", "lazy", "brown", "fox", "jumps", "over"])
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n) + (y == "yes"),
            "colour": rng.choice(["red", "green", "blue"], n),
            "note": [" ".join(rng.choice(words, 4)) for _ in range(n)],
        }
    )
    return frame, y


@pytest.mark.slow
def test_hgb_on_categories_is_reproducible_and_the_same_in_parallel():
    frame, y = _mixed_frame()
    options = dict(
        model="hgb",
        folds=2,
        repeats=2,
        seed=7,
        method_names=["class-weight", "over", "threshold-prior"],
        progress=False,
    )
    first = compare(frame, y, **options).to_json()
    # The same numbers in two other processes: reproducible (a second serial
    # run checked nothing more, and took 2 s of the suite's budget).
    assert compare(frame, y, n_jobs=2, **options).to_json() == first
    assert compare(frame, y, **{**options, "seed": 8}).to_json() != first


@pytest.mark.slow
def test_mlp_is_the_same_in_parallel():
    pytest.importorskip("torch")
    X, y = _binary()
    options = dict(model="mlp", folds=2, seed=3, progress=False)
    names = ["bce+threshold-prior"]
    serial = compare(X, y, method_names=names, **options)
    parallel = compare(X, y, method_names=names, n_jobs=2, **options)
    assert serial.to_json() == parallel.to_json()


# ------------------------------------------------------------ outputs


_KEYS = {
    "data", "model", "seed", "wall_time_s", "folds", "repeats", "classes",
    "class_counts", "positive_label", "sort_metric", "test", "alpha", "columns",
    "skipped", "notes", "scores", "per_class_recall", "summary", "suspected_leaks",
}  # fmt: skip


def test_json_is_strict_and_agrees_with_the_table_and_scipy(tmp_path, monkeypatch):
    # Two folds, one repeat: the smallest run, where the test has 1 degree
    # of freedom, is still defined.
    monkeypatch.setenv("COLUMNS", "200")
    X, y = _binary(n=60)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["label"] = np.where(y == 1, "yes", "no")
    frame.to_csv(tmp_path / "d.csv", index=False)
    path = tmp_path / "s.json"
    methods = "none,under,class-weight,threshold-prior"
    code, out = _cli(
        *("--data", str(tmp_path / "d.csv"), "--target", "label"),
        *("--folds", "2", "--methods", methods, "--json", str(path)),
    )
    assert code == 0
    data = _strict_json(path)
    assert set(data) == _KEYS
    assert set(data["summary"]) == set(methods.split(","))
    metric = data["sort_metric"]
    best = min(data["summary"], key=lambda m: -data["summary"][m][metric]["mean"])
    rows = {line.split()[0]: line.split() for line in out.splitlines()[5:10]}
    for method, entry in data["summary"].items():
        scores = np.array(data["scores"][method][metric])
        assert len(scores) == 2
        assert entry[metric]["mean"] == pytest.approx(scores.mean())
        assert entry[metric]["std"] == pytest.approx(scores.std())
        # the printed row: mean ± std, then vs best
        row = rows[method]
        assert row[1] == f"{scores.mean():.3f}" and row[2] in ("±", "+-")
        assert row[3] == f"{scores.std():.3f}"
        if method == best:
            assert entry["p_vs_best"] is None and row[4] == "best"
            continue
        d = np.array(data["scores"][best][metric]) - scores
        if np.ptp(d) == 0:
            expected = 1.0 if d[0] == 0 else 0.0
        else:
            se = np.sqrt((1 / 2 + 1 / (2 - 1)) * d.var(ddof=1))
            expected = 2 * stats.t.sf(abs(d.mean() / se), df=1)
        assert entry["p_vs_best"] == pytest.approx(expected)
        assert entry["not_distinguishable_from_best"] == (expected >= 0.05)
        shown = "<0.001" if expected < 0.001 else f"{expected:.3f}"
        assert row[4] == shown


def test_the_report_escapes_class_and_column_names(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    n = 60
    classes = np.array(["<script>alert(1)</script>", "a&b", "q\"t's"])
    y = classes[np.arange(n) % 6 // 3 + (np.arange(n) % 6 == 5)]
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "<img src=x onerror=alert(2)>": rng.normal(size=n),
            "label": y,
        }
    )
    frame.to_csv(tmp_path / "d.csv", index=False)
    report = tmp_path / "r.html"
    code, _ = _cli(
        *("--data", str(tmp_path / "d.csv"), "--target", "label", "--folds", "2"),
        *("--methods", "none", "--drop", "<img src=x onerror=alert(2)>"),
        *("--report", str(report)),
    )
    assert code == 0
    text = report.read_text(encoding="utf-8")
    assert len(re.findall(r"<script", text)) == 1  # the report's own
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a&amp;b" in text and "q&quot;t&#x27;s" in text
    # self-contained: nothing to fetch
    assert not re.search(r"(src|href)=\"(?!data:)", text)
    assert "http" not in text


def test_the_python_api_gives_what_the_cli_writes(tmp_path):
    from rebalance.datasets import load_digits_binary

    path = tmp_path / "s.json"
    code, _ = _cli("--folds", "2", "--methods", "none,under", "--json", str(path))
    assert code == 0
    written = _strict_json(path)
    X, y = load_digits_binary()
    result = compare(X, y, folds=2, method_names=["none", "under"], progress=False)
    info = {k: written[k] for k in ("data", "model", "seed", "wall_time_s")}
    assert json.loads(json.dumps(result.to_json(**info))) == written
