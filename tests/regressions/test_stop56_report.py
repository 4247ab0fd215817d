"""Stop 56 (left alone at stop 55, from review 118 report5): ``plot()`` and
``report()`` check where they write before drawing anything. A folder that
does not exist failed as a bare ``FileNotFoundError`` after every figure
was drawn; a path of the wrong type as ``'int' object has no attribute
'write'`` from matplotlib; a misspelt ``report()`` keyword (``sorce=``) was
ignored without a word."""

import io
import types
from unittest import mock

import numpy as np
import pytest

from rebalance import _report
from rebalance.compare import compare


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=80) > 0.9).astype(int)
    return compare(X, y, folds=2, method_names=["none"], progress=False)


def _never_drawn(*args, **kwargs):
    raise AssertionError("a figure was drawn before the path was checked")


@pytest.mark.parametrize("write", ["plot", "report"])
def test_missing_folder_refused_before_drawing(result, tmp_path, write):
    path = tmp_path / "no such folder" / "out.html"
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(FileNotFoundError, match="does not exist.*makedirs"):
            getattr(result, write)(str(path))
    assert not path.parent.exists()


@pytest.mark.parametrize("write", ["plot", "report"])
def test_path_of_wrong_type_refused(result, write):
    with mock.patch.object(_report, "overview_figure", _never_drawn):
        with pytest.raises(TypeError, match="path must be a file name"):
            getattr(result, write)(3)


def test_unknown_report_keyword_refused(result, tmp_path):
    path = tmp_path / "r.html"
    with pytest.raises(TypeError, match=r"unknown keyword\(s\) \['sorce'\]"):
        result.report(str(path), sorce="survey.csv")
    assert not path.exists()


def test_paths_that_work_still_work(result, tmp_path):
    # A bytes path (open() takes one) and a binary file (matplotlib's).
    result.report(bytes(tmp_path / "r.html"), source="survey.csv")
    assert "survey.csv" in (tmp_path / "r.html").read_text(encoding="utf-8")
    buffer = io.BytesIO()
    result.plot(buffer)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def _recalls(n_classes, n_methods=12):
    """What per_class_figure reads of a result, for many classes."""
    labels = [f"c{j}" for j in range(n_classes)]
    methods = [f"m{i}" for i in range(n_methods)]
    rng = np.random.default_rng(0)
    recall = {m: {c: float(rng.random()) for c in labels} for m in methods}
    return types.SimpleNamespace(
        labels=labels,
        n_classes=n_classes,
        ranking=lambda metric: methods,
        per_class_recall=lambda: recall,
    )


def test_per_class_heat_map_of_600_classes_is_drawn():
    # 1.2 inches a class made 600 classes 72,300 pixels wide at the report's
    # 100 dpi: matplotlib refused the image after the whole comparison ran.
    fig = _report.per_class_figure(_recalls(600))
    png = _report._png(fig)
    assert png[:4] == b"\x89PNG"
    assert fig.get_size_inches()[0] <= 1.2 * _report.PER_CLASS_CELLS + 3
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[:2] == ["c0", "c15"] and len(labels) == 40
    # Every value is drawn (as colour), none written in.
    assert fig.axes[0].images[0].get_array().shape == (12, 600)
    assert not fig.axes[0].texts


def test_per_class_heat_map_of_few_classes_writes_values():
    fig = _report.per_class_figure(_recalls(3, n_methods=2))
    assert len(fig.axes[0].texts) == 6
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["c0", "c1", "c2"]
