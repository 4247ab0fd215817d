"""Review 118, area report5: white-box audit of the HTML report and figures of
``rebalance compare`` (``rebalance/_report.py``, ``ComparisonResult.report`` /
``plot`` and the ``--report`` output path of the command): class labels and
method names holding markup are escaped, the results and per-class tables
agree with the result's own ranking, means, stds, p-values, recalls and class
counts, ``bar_limits`` gives a usable range for constant or NaN values, the
``--report`` path is checked before any fit, and the places where the report
states something the result does not say (the seed, the model, a marker on the
best row) or where ``top=`` is not checked.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402

from rebalance._report import bar_limits, overview_figure  # noqa: E402
from rebalance.compare import METRIC_LABELS, compare, format_p  # noqa: E402

LABELS = ["<script>alert(1)</script>", "a & b", "\"q' x"]
METHODS = {
    "<b>nb</b>": lambda setup, y_train: GaussianNB(),
    "dummy & co": lambda setup, y_train: DummyClassifier(strategy="prior"),
}


@pytest.fixture(scope="module")
def multiclass(tmp_path_factory):
    rng = np.random.default_rng(0)
    n = 180
    codes = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(n, 3))
    X[:, 0] += codes
    y = np.array(LABELS, dtype=object)[codes]
    result = compare(X, y, METHODS, folds=3, seed=7)
    path = tmp_path_factory.mktemp("report5") / "report.html"
    result.report(str(path), "balanced_accuracy")
    text = path.read_text(encoding="utf-8")
    # the embedded PNGs are long and irrelevant here
    return result, re.sub(r'src="data:[^"]*"', 'src=""', text)


def _rows(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page).group(1)
    body = re.search(r"<tbody>(.*)</tbody>", table).group(1)
    return [
        [html.unescape(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_labels_and_method_names_are_escaped(multiclass):
    _, page = multiclass
    assert "<script>alert" not in page
    assert "<b>nb</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;nb&lt;/b&gt;" in page
    assert "dummy &amp; co" in page
    assert "&quot;q&#x27; x" in page
    # exactly one script element: the report's own image check
    assert page.count("<script>") == 1


def test_results_table_matches_the_result(multiclass):
    result, page = multiclass
    metric = "balanced_accuracy"
    rows = _rows(page, "results")
    summary = result.summary()
    p_values = result.p_vs_best(metric)
    keys = [metric] + [k for k in METRIC_LABELS if k != metric]
    assert [r[0] for r in rows] == result.ranking(metric)
    for row in rows:
        method = row[0]
        p = p_values[method]
        if p is not None:
            assert row[1].split()[0] == format_p(p)
        for cell, key in zip(row[2:], keys, strict=True):
            mean, std = summary[method][key]
            assert cell == f"{mean:.3f} ± {std:.3f}"


def test_per_class_table_matches_the_result(multiclass):
    result, page = multiclass
    head = re.search(r'<table id="per-class"><thead>(.*?)</thead>', page).group(1)
    headers = [html.unescape(c) for c in re.findall(r"<th>(.*?)</th>", head)]
    assert sorted(result.labels) == sorted(LABELS)
    assert headers == ["recall", *result.labels]
    rows = _rows(page, "per-class")
    counts = result.class_counts()
    assert rows[0] == ["rows", *(str(counts[label]) for label in result.labels)]
    recall = result.per_class_recall()
    assert [r[0] for r in rows[1:]] == result.ranking("balanced_accuracy")
    for row in rows[1:]:
        expected = [f"{recall[row[0]][label]:.3f}" for label in result.labels]
        assert row[1:] == expected


def test_best_row_reads_as_in_the_text_table(multiclass):
    result, page = multiclass
    best = _rows(page, "results")[0]
    text_row = result.table("balanced_accuracy").splitlines()[2]
    assert "≈" not in text_row
    assert best[1] == "best"


def test_report_states_the_seed_it_ran_with(multiclass):
    _, page = multiclass  # compare(..., seed=7)
    summary = re.search(r'<p id="summary">(.*?)</p>', page).group(1)
    assert "seed 0" not in summary
    assert "model ?" not in summary
    assert "seed 7" in summary


@pytest.mark.parametrize("top", [-1, 2.5])
def test_plot_top_is_checked(multiclass, top):
    result, _ = multiclass
    with pytest.raises((TypeError, ValueError), match="top"):
        overview_figure(result, "balanced_accuracy", top=top)


def test_plot_top_draws_that_many_curve_groups(multiclass):
    result, _ = multiclass
    fig = overview_figure(result, "balanced_accuracy", top=1)
    # one method's curve plus the prevalence line
    assert len(fig.axes[0].get_lines()) == 2


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ([0.5, 0.5], [0.5, 0.5]),
        ([1.0], [1.0]),
        ([0.0], [0.0]),
        ([math.nan, 0.4], [0.6, math.nan]),
    ],
)
def test_bar_limits_constant_and_nan_values_give_a_range(low, high):
    lo, hi = bar_limits(low, high)
    assert math.isfinite(lo) and math.isfinite(hi)
    assert 0.0 <= lo < hi <= 1.0
    finite = [v for v in low + high if math.isfinite(v)]
    assert lo <= min(finite) and max(finite) <= hi


def test_cli_report_in_a_missing_folder_fails_before_any_fit(tmp_path):
    from rebalance.cli import main

    target = tmp_path / "missing" / "report.html"
    with pytest.raises(SystemExit) as info:
        main(["compare", "--folds", "2", "--report", str(target)])
    message = str(info.value.code)
    assert "--report" in message and "does not exist" in message
    assert not target.parent.exists()
