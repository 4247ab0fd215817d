"""Review 134, area report6: ``ComparisonResult.report(path, ...)`` and
``.plot(path, ...)`` (``rebalance/compare.py``, ``rebalance/_report.py``)
after ``check_output_path``, the refusal of unknown ``report()`` keywords and
the bounded per-class heat map (``PER_CLASS_CELLS``).

How: small real results of ``compare(X, y, folds=2, method_names=[...],
progress=False)`` with 2, 5 (labels holding ``$``, ``<script>``, a newline,
a 300-character name), 3 (bytes labels), 41 and 60 classes. The HTML is
parsed with :mod:`html.parser` (balanced tags, only ``data:`` images, one
script: the report's own) and its tables are compared with
``result.summary()`` / ``per_class_recall()`` / ``class_counts()``; the heat
map's image array and tick labels are read back from the figure. Not
repeated here: what ``test_stop56_report.py`` (missing folder, wrong type,
unknown keyword, bytes report path, BytesIO plot, 600 synthetic classes) and
``test_review118_report5.py`` (3-class escaping and tables, ``top``) pin.
"""

import io
import warnings
from html.parser import HTMLParser
from unittest import mock

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from rebalance import _report  # noqa: E402
from rebalance.compare import METRIC_LABELS, compare, label_text  # noqa: E402

LABELS = ["$50k", "<script>alert(1)</script>", "a\nb", "x" * 300, "$_$"]
VOID = {"meta", "img", "br", "hr", "link", "input"}


def _compare(X, y, names=("none",)):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare(X, y, folds=2, method_names=list(names), progress=False)


class _Page(HTMLParser):
    """Tag balance, the attributes that load something, and table cells."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.loads, self.scripts = [], [], [], 0
        self.tables: dict[str, list[list[str]]] = {}
        self.paragraphs: dict[str, str] = {}
        self._table = self._cell = self._par = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.loads += [v for k, v in attrs.items() if k in ("src", "href")]
        self.scripts += tag == "script"
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("th", "td") and self._table:
            self._cell = ""
        elif tag == "p" and attrs.get("id"):
            self._par = attrs["id"]
            self.paragraphs[self._par] = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append((tag, list(self.stack)))
        else:
            self.stack.pop()
        if tag in ("th", "td") and self._cell is not None:
            self.tables[self._table][-1].append(self._cell)
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "p":
            self._par = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._par:
            self.paragraphs[self._par] += data


def _parse(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.errors == [] and page.stack == []
    # Self-contained: every image inline, nothing fetched, one script.
    assert page.loads and all(
        v.startswith("data:image/png;base64,") for v in page.loads
    )
    assert page.scripts == 1
    return page


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + rng.normal(scale=0.7, size=60) > 0.8).astype(int)
    return _compare(X, y, ["none", "class-weight"])


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    """Five classes with labels that are HTML, math text, multi-line, long."""
    rng = np.random.default_rng(0)
    codes = np.repeat(np.arange(5), 6)
    X = rng.normal(size=(30, 2)) + codes[:, None] * 0.5
    y = np.array(LABELS, dtype=object)[codes]
    result = _compare(X, y, ["none", "class-weight"])
    path = tmp_path_factory.mktemp("report6") / "odd.html"
    result.report(
        path,  # a pathlib.Path
        "balanced_accuracy",
        source="<i>survey</i>.csv",
        model="MODEL<x>",
        seed=123,
        footer="made by <me> & co",
    )
    return result, _parse(path)


def _check_results_table(result, page, metric):
    rows = page.tables["results"]
    keys = [metric] + [k for k in METRIC_LABELS if k != metric]
    assert rows[0] == ["method", "vs best", *(result.label(k) for k in keys)]
    summary = result.summary()
    # every method of the result, in ranking order, with summary()'s values
    assert [r[0] for r in rows[1:]] == result.ranking(metric)
    assert sorted(r[0] for r in rows[1:]) == sorted(result.scores)
    for row in rows[1:]:
        expected = [
            f"{summary[row[0]][k][0]:.3f} ± {summary[row[0]][k][1]:.3f}" for k in keys
        ]
        assert row[2:] == expected


def test_odd_labels_report_is_valid_and_matches_summary(odd):
    result, page = odd
    assert sorted(result.labels) == sorted(LABELS)
    _check_results_table(result, page, "balanced_accuracy")


def test_odd_labels_per_class_table_holds_every_class(odd):
    result, page = odd
    rows = page.tables["per-class"]
    # The parser unescapes: the cells read back as the labels themselves.
    assert rows[0] == ["recall", *result.labels]
    counts = result.class_counts()
    assert counts == {label: 6 for label in LABELS}
    assert rows[1] == ["rows", *(str(counts[c]) for c in result.labels)]
    recall = result.per_class_recall()
    assert [r[0] for r in rows[2:]] == result.ranking("balanced_accuracy")
    for row in rows[2:]:
        assert row[1:] == [f"{recall[row[0]][c]:.3f}" for c in result.labels]


def test_report_info_keywords_are_each_shown_escaped(odd):
    _, page = odd
    summary = page.paragraphs["summary"]
    assert summary.startswith("Data: <i>survey</i>.csv: 30 rows, 5 classes")
    assert "model MODEL<x>" in summary and "seed 123" in summary
    assert page.paragraphs["footer"] == "made by <me> & co"
    # as text: the only script element is the report's own (checked in _parse)


def test_report_summary_and_conclusion_replace_the_generated_texts(binary, tmp_path):
    path = tmp_path / "b.html"
    result = binary
    result.report(
        str(path), summary="S <b>1</b>", conclusion="C & D", footer="F", seed=5
    )
    page = _parse(path)
    assert page.paragraphs["summary"] == "S <b>1</b>"
    assert page.paragraphs["conclusion"] == "C & D"
    assert page.paragraphs["footer"] == "F"
    assert result.conclusion("average_precision") != "C & D"
    _check_results_table(result, page, "average_precision")
    # two classes: no per-class section, one image (the overview)
    assert "per-class" not in page.tables and len(page.loads) == 1


def test_report_without_info_uses_the_result_s_own_texts(binary, tmp_path):
    path = tmp_path / "plain.html"
    with mock.patch.object(_report, "overview_figure", _tiny_figure):
        binary.report(path)
    page = _parse(path)
    assert page.paragraphs["summary"] == binary.describe("data", None, None)
    assert page.paragraphs["conclusion"] == binary.conclusion("average_precision")
    assert "footer" not in page.paragraphs


def _tiny_figure(*args, **kwargs):
    fig = _report._figure(figsize=(1, 1))
    fig.subplots()
    return fig


def test_heat_map_of_odd_labels_draws_them_as_plain_text(odd):
    result, _ = odd
    fig = _report.per_class_figure(result)
    png = _report._png(fig)  # drawing parses the text: no math error
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    ax = fig.axes[0]
    methods = result.ranking("balanced_accuracy")
    recall = result.per_class_recall()
    expected = np.array([[recall[m][c] for c in result.labels] for m in methods])
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [c.replace("$", r"\$") for c in result.labels]
    assert len(ax.texts) == 5 * 2  # values written in, up to 40 classes


def test_bytes_labels_in_the_per_class_table():
    rng = np.random.default_rng(2)
    y = np.array([b"a", b"b\xff", b"c"], dtype=object)[np.repeat(np.arange(3), 6)]
    result = _compare(rng.normal(size=(18, 2)), y)
    page = _Page()
    page.feed(_report._per_class_html(result))
    heads = page.tables["per-class"][0]
    assert heads == ["recall", *(label_text(c) for c in result.labels)]
    assert heads[1:] == ["a", "b'b\\xff'", "c"]
    assert label_text(b"b\xff") == "b'b\\xff'"


def _many(k, rows=3):
    rng = np.random.default_rng(k)
    codes = np.repeat(np.arange(k), rows)
    X = rng.normal(size=(len(codes), 2)) + codes[:, None] * 0.05
    return _compare(X, codes)


@pytest.mark.parametrize(("k", "step"), [(41, 2), (60, 2)])
def test_heat_map_beyond_40_classes_holds_every_class(k, step):
    result = _many(k)
    assert result.n_classes == k
    fig = _report.per_class_figure(result)
    ax = fig.axes[0]
    recall = result.per_class_recall()
    expected = np.array([[recall["none"][c] for c in result.labels]])
    assert ax.images[0].get_array().shape == (1, k)
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    # every few classes named, in class order, starting at the first
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [str(c) for c in result.labels[::step]]
    assert list(ax.get_xticks()) == list(range(0, k, step))
    assert not ax.texts
    assert fig.get_size_inches()[0] == pytest.approx(1.2 * _report.PER_CLASS_CELLS + 3)
    # the per-class table has a column for every class
    page = _Page()
    page.feed(_report._per_class_html(result))
    rows = page.tables["per-class"]
    assert rows[0] == ["recall", *(str(c) for c in range(k))]
    assert rows[1] == ["rows", *(["3"] * k)]
    assert rows[2][1:] == [f"{recall['none'][c]:.3f}" for c in result.labels]


@pytest.mark.parametrize(
    ("name", "kind", "magic"),
    [
        ("o.svg", "pathlib", b"<?xml"),
        ("o.pdf", "str", b"%PDF"),
        ("o.png", "bytes", b"\x89PNG"),
    ],
)
def test_plot_formats_and_path_kinds(binary, tmp_path, name, kind, magic):
    target = tmp_path / name
    path = {"pathlib": target, "str": str(target), "bytes": bytes(target)}[kind]
    binary.plot(path)
    assert target.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_bad_metric_leaves_an_existing_report_untouched(binary, tmp_path):
    path = tmp_path / "r.html"
    path.write_text("old report", encoding="utf-8")
    with pytest.raises(ValueError, match="metric"):
        binary.report(path, "recall")
    with pytest.raises(TypeError, match="unknown keyword"):
        binary.report(path, title="x")
    assert path.read_text(encoding="utf-8") == "old report"


def test_plot_to_a_text_buffer_is_not_accepted_silently(binary):
    # matplotlib writes bytes: (stop 56) a text buffer is refused before
    # anything is drawn (it failed after drawing, in matplotlib).
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(TypeError, match="text stream.*binary file"):
            binary.plot(io.StringIO())


def _never_drawn(*args, **kwargs):
    raise AssertionError("a figure was drawn before the path was checked")


@pytest.mark.parametrize("write", ["plot", "report"])
def test_path_that_is_a_folder_refused_before_drawing(binary, tmp_path, write):
    # Today report() draws every figure and then fails in open() with a bare
    # IsADirectoryError; plot() lets matplotlib write a hidden "<folder>/.png".
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises((ValueError, IsADirectoryError), match="folder"):
            getattr(binary, write)(tmp_path)
    assert list(tmp_path.iterdir()) == []
