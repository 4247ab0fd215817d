"""Review 146, area ``reportjson``: the outputs of ``rebalance compare``.

Reviewed: ``--json PATH`` / ``--json -``, ``--report``, ``--plot`` (rebalance/cli.py
``run_compare``, ``_check_output``, ``_write``), ``ComparisonResult.table``,
``to_json``, ``report``, ``plot`` (rebalance/compare.py, rebalance/_report.py).

How: recomputed every ranking metric and the accuracy of each fold from the
result's out-of-fold probabilities and ``RepeatedStratifiedKFold`` with
scikit-learn, the balanced accuracy, worst recall and G-mean from the
per-fold recalls, and the Nadeau-Bengio p-value by hand for two methods on
every metric (binary and three classes, 3 folds); ran the CLI on
a CSV whose file name, column names and class labels hold ``<script>``,
``"><img onerror=...>``, ``</style>``, quotes, a newline, Hebrew, an emoji;
tried a missing output folder, ``.HTML`` / ``.PNG`` / ``.JSON`` suffixes,
unknown ``--plot`` suffixes, a ``--report`` with a ``.json`` name.

Found (bug): a method name with a line break (``compare(methods={...})``)
breaks the text table: its row is split over two lines.

Works (pins below): every number matches scikit-learn and the hand-made
t-test; the ranking and the best follow the metric; the HTML report escapes
hostile labels and method names (only its own tags appear); ``to_json`` is
strict JSON (no NaN/Infinity); the CLI refuses an unknown ``--plot`` suffix
and a missing folder before reading the data.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from rebalance import cli
from rebalance.compare import METRIC_LABELS, ComparisonResult, compare


def _result(names, labels=("a", "b")) -> ComparisonResult:
    """A small result built by hand (no cross-validation): 2 folds."""
    y = np.array([0] * 6 + [1] * 2)
    scores, recalls, oof = {}, {}, {}
    for i, name in enumerate(names):
        scores[name] = {k: [0.6 + 0.1 * i, 0.7 + 0.05 * i] for k in METRIC_LABELS}
        recalls[name] = np.array([[0.8, 0.5], [0.9, 0.5]])
        proba = np.linspace(0.1, 0.9, 8)
        oof[name] = np.column_stack([1 - proba, proba])
    return ComparisonResult(
        y=y,
        labels=list(labels),
        folds=2,
        test_train_ratio=1.0,
        scores=scores,
        recalls=recalls,
        oof=oof,
    )


def test_table_keeps_one_line_per_method_with_a_newline_in_a_name():
    result = _result(["two\nlines", "plain"])
    lines = result.table().splitlines()
    # header, rule, one row per method, then the note
    rows = lines[2:4]
    assert any(row.startswith("plain") for row in rows), lines
    assert all("±" in row for row in rows), lines


def test_scores_and_p_values_match_sklearn_and_a_hand_made_t_test():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    y = (np.arange(60) < 15).astype(int)
    X[y == 1] += 0.8
    r = compare(X, y, method_names=["none", "under"], folds=3, model="logistic")
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=1, random_state=0)
    splits = list(cv.split(X, r.y))
    for method in r.scores:
        for j, (_, test) in enumerate(splits):  # oof: the first repeat
            p, yt = r.oof[method][test, 1], r.y[test]
            s = r.scores[method]
            assert s["roc_auc"][j] == pytest.approx(roc_auc_score(yt, p), abs=1e-12)
            ap = average_precision_score(yt, p)
            assert s["average_precision"][j] == pytest.approx(ap, abs=1e-12)
            assert s["accuracy"][j] == pytest.approx(np.mean(yt == (p >= 0.5)))
            rec = r.recalls[method][j]
            assert s["balanced_accuracy"][j] == pytest.approx(rec.mean())
            assert s["worst_recall"][j] == pytest.approx(rec.min())
            assert s["g_mean"][j] == pytest.approx(math.sqrt(rec.prod()))
    for metric in METRIC_LABELS:
        means = {m: np.mean(v[metric]) for m, v in r.scores.items()}
        best = max(means, key=means.get)
        other = next(m for m in means if m != best)
        assert r.ranking(metric)[0] == best
        d = np.array(r.scores[best][metric]) - np.array(r.scores[other][metric])
        if d.var() == 0:
            continue
        t = d.mean() / math.sqrt((1 / d.size + 1 / 2) * d.var(ddof=1))
        expected = 2 * stats.t.sf(abs(t), d.size - 1)
        data = r.to_json(metric)
        assert data["summary"][best]["p_vs_best"] is None
        assert data["summary"][other]["p_vs_best"] == pytest.approx(expected)


EVIL = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def test_report_escapes_hostile_labels_and_method_names(tmp_path):
    result = _result([EVIL[1] + "\n</style>", "ש עברית"], labels=EVIL)
    path = tmp_path / "r.HTML"
    result.report(str(path), source="</style><script>alert(2)</script>")
    text = path.read_text(encoding="utf-8")
    assert text.count("<img") == 1  # the figure only
    assert text.count("<script") == 1 and text.count("</style") == 1  # its own
    assert "&lt;script&gt;alert(1)" in text
    data = json.loads(
        json.dumps(result.to_json()),
        parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"),
    )
    assert data["classes"] == EVIL


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--plot", "p.xyz"], "unknown extension '.xyz'"),
        (["--json", "nodir/x.json"], "does not exist"),
    ],
)
def test_cli_refuses_bad_output_paths_before_reading_data(
    tmp_path, monkeypatch, capsys, option, message
):
    monkeypatch.chdir(tmp_path)
    # The --data file does not exist: the output check comes first.
    argv = ["compare", "--data", "missing.csv", "--target", "y", *option]
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert message in capsys.readouterr().err + str(exc.value.code)
