"""The `rebalance` command: `rebalance compare` end to end, and the data sets."""

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rebalance
from rebalance import cli
from rebalance.cli import main
from rebalance.compare import METRIC_LABELS, compare, default_methods
from rebalance.datasets import load_digits_binary

FAST = ["--folds", "2", "--methods", "none,under,threshold-prior"]


def messy_csv(path, n=150, classes=("cat", "dog", "bird"), p=(0.7, 0.2, 0.1)):
    """A CSV with id, datetime, text and high-cardinality columns and a target."""
    rng = np.random.default_rng(0)
    y = rng.choice(list(classes), n, p=list(p))
    code = pd.Series(y).map({c: i for i, c in enumerate(classes)}).to_numpy()
    words = np.array(["quick", "lazy", "brown", "fox", "jumps", "over"])
    pd.DataFrame(
        {
            "row_id": rng.permutation(n) + 1000,
            "user": [f"user-{i:05d}" for i in rng.permutation(n)],
            "x1": rng.normal(size=n) + 1.5 * code,
            "signup": (
                pd.Timestamp("2021-01-01")
                + pd.to_timedelta(rng.integers(0, 700, n) + 90 * code, unit="D")
            ).astype(str),
            "note": [" ".join(rng.choice(words, 5)) for _ in range(n)],
            "city": [f"city{rng.integers(100)}" for _ in range(n)],
            "label": y,
        }
    ).to_csv(path, index=False)
    return path


def flat(text):
    """``text`` with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def columns_100(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")


def test_compare_prints_summary_table_and_a_closing_line(capsys, columns_100):
    assert main(["compare", *FAST]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Data: scikit-learn digits") and "1797 rows" in out
    assert "Positive class 1 (the minority" in flat(out)
    for method in ("none", "under", "threshold-prior"):
        assert any(line.startswith(method) for line in lines)
    assert "vs best" in out and "±" in out and "≈" in out
    assert re.search(r"^Best on avg prec: \w", out, re.MULTILINE)
    assert "Wall time" in out and "peak memory" in out
    assert max(len(line) for line in lines) <= 100
    # the table keeps the threshold-prior row within noise of "none": same AP
    row = next(line for line in lines if line.startswith("threshold-prior"))
    assert "1.000 ≈" in row or "best" in row


def test_compare_table_adapts_to_a_narrow_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    main(["compare", *FAST])
    out = capsys.readouterr().out
    table = out.split("\n\n")[1]
    assert max(len(line) for line in table.splitlines()) <= 60
    assert "not shown to fit 60 columns" in table


def test_compare_multiclass_csv_with_repeats_writes_p_values(tmp_path, capsys):
    # skrub 0.6 to 0.10.0 do not import with joblib >= 1.6 (pytest >= 9's
    # importorskip then raises unless told any ImportError skips)
    pytest.importorskip("skrub", exc_type=ImportError)
    data = messy_csv(tmp_path / "pets.csv")
    out_json = tmp_path / "scores.json"
    argv = ["compare", "--data", str(data), "--target", "label", "--folds", "3"]
    methods = "none,class-weight,threshold-prior"
    main([*argv, "--repeats", "2", "--methods", methods, "--json", str(out_json)])
    out = flat(capsys.readouterr().out)
    # the data summary: rows, classes and counts, ratio, columns used / dropped
    assert "150 rows, 3 classes" in out and "imbalance ratio" in out
    assert "row_id (id-like: a different value on every row)" in out
    assert "user (id-like" in out
    assert "1 datetime" in out and "1 text (vectorised" in out
    assert "1 high-cardinality categorical" in out
    assert "repeated 2 times (6 folds)" in out
    assert "macro AP" in out and "macro F1" in out and "worst rec" in out
    data = json.loads(out_json.read_text())
    assert data["classes"] == ["bird", "cat", "dog"] and data["repeats"] == 2
    assert data["test"].startswith("Nadeau-Bengio")
    assert data["columns"]["dropped"]["row_id"].startswith("id-like")
    summary = data["summary"]
    assert set(summary["none"]) >= set(METRIC_LABELS) | {"p_vs_best"}
    assert set(summary["none"]["per_class_recall"]) == {"bird", "cat", "dog"}
    assert all(len(v) == 6 for v in data["per_class_recall"]["none"].values())
    best = max(summary, key=lambda m: summary[m]["average_precision"]["mean"])
    assert summary[best]["p_vs_best"] is None
    # one p-value recomputed from the fold scores, by the paper's formula
    other = next(m for m in summary if m != best and m != "threshold-prior")
    if best == "threshold-prior":
        other = "class-weight"
    d = np.subtract(
        data["scores"][best]["average_precision"],
        data["scores"][other]["average_precision"],
    )
    J, n_test_over_n_train = 6, 1 / 2  # 3-fold: a third tests, two thirds train
    t = d.mean() / np.sqrt((1 / J + n_test_over_n_train) * d.var(ddof=1))
    expected = 2 * stats.t.sf(abs(t), J - 1)
    assert summary[other]["p_vs_best"] == pytest.approx(expected)
    # "none" and "threshold-prior" rank with the same scores: never apart
    pair = {m: summary[m]["p_vs_best"] for m in ("none", "threshold-prior")}
    assert sorted(pair.values(), key=str) in ([1.0, None], [pair["none"]] * 2)
    assert (
        summary["threshold-prior"]["not_distinguishable_from_best"]
        is (summary["none"]["not_distinguishable_from_best"])
    )


def test_compare_positive_label_and_drop(tmp_path, capsys):
    data = messy_csv(tmp_path / "two.csv", classes=("ok", "fraud"), p=(0.85, 0.15))
    out_json = tmp_path / "s.json"
    argv = ["compare", "--data", str(data), "--target", "label", *FAST]
    main(
        [
            *argv,
            "--positive-label",
            "ok",
            "--drop",
            "note,city",
            "--json",
            str(out_json),
        ]
    )
    out = flat(capsys.readouterr().out)
    assert "Positive class 'ok' (chosen with --positive-label)" in out
    assert "note (--drop); city (--drop)" in out
    data = json.loads(out_json.read_text())
    assert data["positive_label"] == "ok" and data["classes"] == ["fraud", "ok"]
    assert set(data["columns"]["used"]) == {"x1", "signup"}


def test_compare_default_positive_is_the_minority(tmp_path):
    data = messy_csv(tmp_path / "two.csv", classes=("ok", "fraud"), p=(0.85, 0.15))
    out_json = tmp_path / "s.json"
    main(["compare", "--data", str(data), "--target", "label", *FAST,
          "--json", str(out_json)])  # fmt: skip
    assert json.loads(out_json.read_text())["positive_label"] == "fraud"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.images, self.open = [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs["src"])
        if tag not in ("img", "meta", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _check_report(path, multiclass):
    import matplotlib.image

    text = path.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert not parser.open  # every element closed, properly nested
    assert {"summary", "results", "statistics", "conclusion"} <= parser.ids
    assert ("per-class" in parser.ids) is multiclass
    assert len(parser.images) == (2 if multiclass else 1)
    for src in parser.images:
        assert src.startswith("data:image/png;base64,")  # self-contained
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(src[22:])))
        assert pixels.ndim == 3 and pixels.shape[0] > 100
    assert "http://" not in text and "https://" not in text
    return text


def test_compare_html_report_multiclass(tmp_path):
    pytest.importorskip("matplotlib")
    data = messy_csv(tmp_path / "pets.csv")
    report = tmp_path / "report.html"
    main(["compare", "--data", str(data), "--target", "label", *FAST,
          "--report", str(report)])  # fmt: skip
    text = _check_report(report, multiclass=True)
    assert "Nadeau-Bengio" in text and "recall per class" in text


def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_compare_html_report_renders_in_a_headless_browser(tmp_path):
    pytest.importorskip("matplotlib")
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    report = tmp_path / "report.html"
    main(["compare", *FAST, "--report", str(report)])
    _check_report(report, multiclass=False)
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--virtual-time-budget=5000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    # the page's own script counts the images that decoded
    assert 'data-images-decoded="1/1"' in dom.stdout


def test_compare_writes_a_png_plot(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "plot.png"
    main(["compare", *FAST, "--plot", str(path)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BAD_PATHS = {
    "missing directory": "no/such/dir/out{ext}",
    "a directory": ".",
    "/dev/full": "/dev/full",
    "unknown extension": "out.txt",
}


@pytest.mark.parametrize("option, ext", [("--json", ".json"), ("--plot", ".png"),
                                         ("--report", ".html")])  # fmt: skip
@pytest.mark.parametrize("case", list(BAD_PATHS))
def test_bad_output_path_fails_before_any_fit(tmp_path, monkeypatch, option, ext, case):
    if case == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    monkeypatch.chdir(tmp_path)

    def no_fit(*args, **kwargs):
        raise AssertionError("cross-validation ran before the path was checked")

    monkeypatch.setattr(cli, "compare", no_fit)
    with pytest.raises(SystemExit) as error:
        main(["compare", option, BAD_PATHS[case].format(ext=ext)])
    # An unknown extension is a usage error: exit status 2, the message in
    # the exception (review 70); the others exit with their message.
    message = str(error.value)
    assert error.value.code == (2 if case == "unknown extension" else message)
    assert message.startswith("rebalance compare: ") and "\n" not in message
    assert option in message
    assert not any(p.name.startswith("out") for p in tmp_path.iterdir())


def test_bad_output_path_is_one_line_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "rebalance", "compare", "--json", "/no/dir/x.json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
    assert "does not exist" in out.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--methods", "nope"], "unknown method"),
        (["--methods", ","], "--methods ',' names nothing"),
        (["--drop", " , "], "--drop ' , ' names nothing"),
        (["--data", "missing.csv", "--target", "y"], "could not read"),
        (["--folds", "1"], "folds=1"),
        (["--repeats", "0"], "repeats=0"),
        (["--positive-label", "7"], "--positive-label '7' is not a class"),
    ],
)
def test_compare_bad_arguments_exit_with_a_message(argv, message):
    with pytest.raises(SystemExit, match=re.escape(message)):
        main(["compare", *argv])


def test_compare_single_class_target_is_rejected(tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [1, 1, 1]}).to_csv(path, index=False)
    with pytest.raises(SystemExit, match="two classes or more"):
        main(["compare", "--data", str(path), "--target", "y"])


def test_compare_missing_target_column(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"a": [1, 2], "b": [0, 1]}).to_csv(path, index=False)
    with pytest.raises(SystemExit, match="'y' is not a column"):
        main(["compare", "--data", str(path), "--target", "y"])


def test_version_list_methods_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"rebalance {rebalance.__version__}"
    assert main(["compare", "--list-methods"]) == 0
    listed = capsys.readouterr().out
    for model in ("logistic", "hgb", "mlp"):
        assert all(m in listed for m in default_methods(model))
    assert "balanced-softmax" in listed
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    help_text = capsys.readouterr().out
    assert "threshold-tuned-f1" in help_text and "Nadeau" in help_text
    assert "Wilcoxon" in help_text


@pytest.mark.slow
def test_python_m_rebalance_runs_on_an_ascii_terminal():
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "100"}
    out = subprocess.run(
        [sys.executable, "-m", "rebalance", "compare", *FAST],
        capture_output=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    text = out.stdout.decode("ascii")  # every byte is ASCII
    assert "+-" in text and "Best on" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_compare_mlp_rows_are_the_torch_fixes(tmp_path, capsys):
    pytest.importorskip("torch")
    data = messy_csv(tmp_path / "two.csv", classes=("ok", "fraud"), p=(0.85, 0.15))
    methods = "bce,logit-adjusted,balanced-batch"
    main(["compare", "--data", str(data), "--target", "label", "--model", "mlp",
          "--folds", "2", "--methods", methods])  # fmt: skip
    out = capsys.readouterr().out
    for method in methods.split(","):
        assert any(line.startswith(method) for line in out.splitlines())
    assert "model mlp" in out


def test_compare_same_seed_same_numbers():
    X, y = load_digits_binary()
    first = compare(X, y, folds=2, seed=1, method_names=["over"], progress=False)
    again = compare(X, y, folds=2, seed=1, method_names=["over"], progress=False)
    assert first.scores == again.scores


def test_compare_model_changes_the_classifier():
    X, y = load_digits_binary()
    X, y = X[:500], y[:500]
    logistic = compare(X, y, folds=2, method_names=["none"], model="logistic")
    boosted = compare(X, y, folds=2, method_names=["none"], model="hgb")
    assert logistic.scores["none"]["roc_auc"] != boosted.scores["none"]["roc_auc"]


def test_compare_runs_in_parallel_with_the_same_numbers():
    X, y = load_digits_binary()
    serial = compare(X, y, folds=2, method_names=["under"], n_jobs=1)
    parallel = compare(X, y, folds=2, method_names=["under"], n_jobs=2)
    assert serial.scores == parallel.scores


def test_default_methods_cover_samplers_weights_thresholds_and_combinations():
    expected = {
        "none",
        "under",
        "over",
        "class-balanced",
        "label-shuffle",
        "class-weight",
        "threshold-prior",
        "threshold-tuned-f1",
        "threshold-cost-fn5",
        "under+prior-correction",
    }
    assert expected <= set(default_methods())


def test_metric_f1_minority_is_a_deprecated_alias_of_f1(capsys, columns_100):
    argv = ["compare", *FAST, "--methods", "none,under"]
    assert main([*argv, "--metric", "f1_minority"]) == 0
    captured = capsys.readouterr()
    assert "--metric f1_minority is deprecated" in captured.err
    assert re.search(r"^Best on F1", captured.out, re.MULTILINE)
