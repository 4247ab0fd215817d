"""Figures and the self-contained HTML report of ``rebalance compare``."""

from __future__ import annotations

import base64
import html
import io
import os
import re
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

from rebalance._validation import check_int
from rebalance.compare import (
    ALPHA,
    METRIC_LABELS,
    TEST_NAME,
    ComparisonResult,
    format_p,
    label_text,
)


def _figure(**kwargs: Any):
    """A matplotlib Figure outside pyplot: no backend is chosen or changed for
    the process (a notebook keeps showing its own figures inline), and
    nothing needs closing."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _plain(label: Any) -> str:
    """A class label or a method name as matplotlib text: ``$`` escaped, so
    that "$50k" is not read as math (and "$_$" does not fail to parse), and
    control characters but line breaks (a tab in a label, which no font
    draws: a "Glyph 9 missing" warning per figure) as spaces; bytes as
    their text (:func:`~rebalance.compare.label_text`)."""
    text = re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", " ", label_text(label))
    return text.replace("$", r"\$")


def check_output_path(path: Any, file_like: bool = False) -> None:
    """Refuse, before anything is drawn, a ``path`` that cannot be written:
    not a file name (or, where ``file_like``, an object with ``write``), or
    in a folder that does not exist."""
    if file_like and hasattr(path, "write"):
        # (a tempfile wrapper of a text file is no TextIOBase: its mode says)
        mode = getattr(path, "mode", "b")
        if isinstance(path, io.TextIOBase) or (
            isinstance(mode, str) and "b" not in mode
        ):
            raise TypeError(
                "path is a text stream: the figure is binary; pass a binary "
                "file (io.BytesIO(), open(name, 'wb')) or a file name."
            )
        writable = getattr(path, "writable", None)
        if callable(writable) and not writable():
            raise TypeError(
                "path is a file object that cannot be written (opened for "
                "reading?): pass one opened with 'wb', or a file name."
            )
        return
    if not isinstance(path, (str, bytes, os.PathLike)):
        kinds = "a file name (str or pathlib.Path)"
        if file_like:
            kinds += " or a binary file object"
        raise TypeError(f"path must be {kinds}; got {type(path).__name__}.")
    name = os.fsdecode(path)
    example = "plot.png" if file_like else "report.html"
    if not name.strip():
        raise ValueError(f"path {name!r} is no file name: pass one, e.g. {example!r}.")
    if os.path.isdir(name) or name.endswith(("/", os.sep)):
        raise ValueError(
            f"path {name!r} is a folder: pass a file name in it, e.g. "
            f"{os.path.join(name, example)!r}."
        )
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"path {name!r}: the folder {folder!r} does not exist. "
            "Create it first (os.makedirs(folder, exist_ok=True)) or pass a "
            "path in an existing folder."
        )


#: the keywords of :func:`write_report`'s ``info``
REPORT_INFO = ("source", "model", "seed", "summary", "conclusion", "footer")


def _curve_class(result: ComparisonResult) -> tuple[int, str]:
    """The class whose PR / ROC curves are drawn: the positive, or the rarest."""
    if result.binary:
        return 1, f"positive class {_plain(result.labels[1])}"
    counts = np.bincount(result.y, minlength=result.n_classes)
    c = int(np.argmin(counts))
    return c, f"class {_plain(result.labels[c])} vs rest (the smallest class)"


def _curve_groups(result: ComparisonResult, metric: str, c: int) -> list[list[str]]:
    """Methods grouped by identical scores (threshold rows share their model's)."""
    groups: list[list[str]] = []
    for method in result.ranking(metric):
        scores = result.oof[method][:, c]
        same = [g for g in groups if np.allclose(result.oof[g[0]][:, c], scores)]
        if same:
            same[0].append(method)
        else:
            groups.append([method])
    return groups


def bar_limits(low_values, high_values) -> tuple[float, float]:
    """An axis range that fits the values (with a margin), inside [0, 1].

    Examples
    --------
    >>> from rebalance._report import bar_limits
    >>> bar_limits([0.80, 0.85], [0.86, 0.90])
    (0.79, 0.91)
    """
    low, high = float(np.min(low_values)), float(np.max(high_values))
    margin = max(0.1 * (high - low), 0.01)
    return round(max(0.0, low - margin), 4), round(min(1.0, high + margin), 4)


def overview_figure(result: ComparisonResult, metric: str, top: int = 4):
    """PR curves (with the prevalence baseline), ROC curves and ``metric`` bars."""
    check_int(top, "top", minimum=1, fix="Pass the number of curves, e.g. top=4.")
    c, what = _curve_class(result)
    truth = result.y == c
    fig = _figure(figsize=(16, 4.8))
    ax_pr, ax_roc, ax_bar = fig.subplots(1, 3)
    for group in _curve_groups(result, metric, c)[:top]:
        names = [_plain(m) for m in group[:3]] + (["..."] if len(group) > 3 else [])
        label = " = ".join(names)
        scores = result.oof[group[0]][:, c]
        precision, recall, _ = precision_recall_curve(truth, scores)
        # Steps, as scikit-learn's PrecisionRecallDisplay draws them: the
        # area under them is the average precision of these out-of-fold
        # scores, pooled over the first repeat (the table's is the mean of
        # each fold's); a straight line between two points is a precision
        # no threshold reaches.
        ax_pr.plot(recall, precision, label=label, drawstyle="steps-post")
        fpr, tpr, _ = roc_curve(truth, scores)
        ax_roc.plot(fpr, tpr, label=label)
    prevalence = float(truth.mean())
    ax_pr.axhline(
        prevalence,
        color="grey",
        linestyle=":",
        label=f"no skill (prevalence {prevalence:.3f})",
    )
    ax_pr.set(xlabel="recall", ylabel="precision", ylim=(0, 1.02))
    ax_pr.set_title(f"Precision-recall, {what}", fontsize=10)
    ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":", label="no skill")
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate")
    ax_roc.set_title(f"ROC (out-of-fold), {what}", fontsize=10)
    ax_pr.legend(fontsize=7)
    ax_roc.legend(fontsize=7)
    order = result.ranking(metric)
    summary = result.summary()
    p_values = result.p_vs_best(metric)
    means = np.array([summary[m][metric][0] for m in order])
    stds = np.array([summary[m][metric][1] for m in order])
    colours = [
        "tab:blue" if (p := p_values[m]) is None or p >= ALPHA else "tab:gray"
        for m in order
    ]
    # Positions, then the names as plain text ("$" is not read as math).
    ax_bar.barh(range(len(order)), means[::-1], xerr=stds[::-1], color=colours[::-1])
    ax_bar.set_yticks(range(len(order)), [_plain(m) for m in order[::-1]])
    ax_bar.set_xlim(*bar_limits(means - stds, means + stds))
    ax_bar.set(xlabel=f"{result.label(metric)} (mean ± std over folds)")
    ax_bar.set_title("blue: not distinguishable from the best", fontsize=9)
    ax_bar.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return fig


#: the most classes the per-class heat map gives a named, written-in column each
PER_CLASS_CELLS = 40


def per_class_figure(result: ComparisonResult):
    """Recall of every class (columns) for every method (rows), as a heat map."""
    methods = result.ranking("balanced_accuracy")
    recall = result.per_class_recall()
    values = np.array([[recall[m][c] for c in result.labels] for m in methods])
    k = result.n_classes
    # Up to PER_CLASS_CELLS classes, a column each with its values written
    # in; beyond, a figure of bounded width (600 classes at 1.2 in each was
    # more pixels than matplotlib draws) with every few classes named.
    wide = k > PER_CLASS_CELLS
    width = 1.2 * min(k, PER_CLASS_CELLS) + 3
    fig = _figure(figsize=(width, 0.35 * len(methods) + 1.5))
    ax = fig.subplots()
    image = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    step = -(-k // PER_CLASS_CELLS)
    ticks = range(0, k, step)
    ax.set_xticks(ticks, [_plain(result.labels[j]) for j in ticks])
    ax.set_yticks(range(len(methods)), [_plain(m) for m in methods], fontsize=8)
    if wide:
        ax.tick_params(axis="x", labelrotation=90, labelsize=7)
        fig.colorbar(image, ax=ax, label="recall")
    else:
        for (i, j), v in np.ndenumerate(values):
            colour = "black" if v > 0.6 else "white"  # readable on viridis
            ax.text(
                j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color=colour
            )
    ax.set(xlabel="class", title="Recall per class (mean over folds)")
    fig.tight_layout()
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def save_overview(result: ComparisonResult, path: str, metric: str, top: int = 4):
    """Save :func:`overview_figure` (format from the file extension)."""
    check_output_path(path, file_like=True)
    fig = overview_figure(result, metric, top=top)
    fig.savefig(path, dpi=110)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table_html(result: ComparisonResult, metric: str) -> str:
    summary = result.summary()
    p_values = result.p_vs_best(metric)
    keys = [metric] + [k for k in METRIC_LABELS if k != metric]
    head = "".join(f"<th>{html.escape(result.label(k))}</th>" for k in keys)
    rows = []
    for method in result.ranking(metric):
        p = p_values[method]
        same = p is None or p >= ALPHA
        # ≈ marks a method not distinguishable from the best (as the
        # statistics paragraph says), not the best itself (no p-value).
        p_text = "best" if p is None else html.escape(format_p(p))
        marked = p is not None and p >= ALPHA
        cells = "".join(
            f"<td>{summary[method][k][0]:.3f} ± {summary[method][k][1]:.3f}</td>"
            for k in keys
        )
        rows.append(
            f'<tr class="{"same" if same else "worse"}"><th>{html.escape(method)}'
            f"</th><td>{p_text}{' ≈' if marked else ''}</td>{cells}</tr>"
        )
    return (
        f'<table id="results"><thead><tr><th>method</th><th>vs best</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _per_class_html(result: ComparisonResult) -> str:
    recall = result.per_class_recall()
    head = "".join(f"<th>{html.escape(label_text(c))}</th>" for c in result.labels)
    counts = "".join(f"<td>{n}</td>" for n in result.class_counts().values())
    rows = [f"<tr><th>rows</th>{counts}</tr>"]
    for method in result.ranking("balanced_accuracy"):
        cells = "".join(f"<td>{recall[method][c]:.3f}</td>" for c in result.labels)
        rows.append(f"<tr><th>{html.escape(method)}</th>{cells}</tr>")
    return (
        f'<table id="per-class"><thead><tr><th>recall</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_STYLE = """
body { font-family: sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
tbody th { text-align: left; }
tr.same { background: #eef5ff; }
tr.worse { color: #666; }
img { max-width: 100%; display: block; margin: 1em 0; }
"""

_CHECK_IMAGES = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-decoded", ok.length + "/" + images.length);
});
"""


def write_report(result: ComparisonResult, path: str, metric: str, **info: Any) -> None:
    """One self-contained HTML file: summary, table, statistics, figures.
    ``info``: ``source``, ``model`` and ``seed`` (for :meth:`describe`; the
    model and seed default to the result's own), ``summary`` and
    ``conclusion`` (texts to show instead of the result's :meth:`describe`
    and :meth:`conclusion`), ``footer``."""
    check_output_path(path)
    unknown = sorted(set(info) - set(REPORT_INFO))
    if unknown:
        raise TypeError(
            f"report() got unknown keyword(s) {unknown}; it takes "
            f"{', '.join(REPORT_INFO)}."
        )
    summary_text = info.get("summary") or result.describe(
        str(info.get("source", "data")), info.get("model"), info.get("seed")
    )
    # The command's own words (its options) when it gives them.
    conclusion = info.get("conclusion") or result.conclusion(metric)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>rebalance compare report</title>",
        f"<style>{_STYLE}</style><script>{_CHECK_IMAGES}</script></head><body>",
        "<h1>rebalance compare</h1>",
        f'<h2>Data</h2><p id="summary">{html.escape(summary_text)}</p>',
        f"<h2>Results, sorted by {html.escape(result.label(metric))}</h2>",
        _table_html(result, metric),
        '<h2>Statistics</h2><p id="statistics">',
        html.escape(
            f"vs best: two-sided p-value of the {TEST_NAME} (Nadeau & Bengio 2003) "
            f"of each method against the best one on {result.label(metric)}, over "
            f"the same {result.folds * result.repeats} folds. It corrects the "
            "variance of the mean difference for folds that share training rows, "
            "which a plain paired t-test or Wilcoxon test ignores. Rows marked ≈ "
            f"(p >= {ALPHA}) are not distinguishable from the best."
        ),
        f'</p><p id="conclusion"><strong>{html.escape(conclusion)}</strong></p>',
        "<h2>Curves and scores</h2>",
        _img(
            _png(overview_figure(result, metric)),
            "precision-recall and ROC curves, and scores",
        ),
    ]
    if not result.binary:
        parts += [
            "<h2>Per class</h2>",
            _per_class_html(result),
            _img(_png(per_class_figure(result)), "recall per class"),
        ]
    if info.get("footer"):
        parts.append(f'<p id="footer">{html.escape(str(info["footer"]))}</p>')
    parts.append("</body></html>")
    # A file name that is not UTF-8 (read by Python as surrogates) in the
    # summary is written escaped ("\udcff"), not as an UnicodeEncodeError.
    with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write("\n".join(parts))
