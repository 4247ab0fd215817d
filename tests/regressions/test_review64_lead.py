"""Session 46's own fixes (review round 64 ran beside them)."""

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)
from rebalance.cli import main
from rebalance.compare import compare


def _data(labels):
    rng = np.random.default_rng(0)
    y = np.array(labels, dtype=object)
    X = rng.normal(size=(len(y), 2)) + (np.asarray(labels) == "no")[:, None]
    return X, y


def test_api_notes_text_classes_differing_only_in_case_or_spaces():
    # Before: 'yes', 'yes ' and 'Yes' were three classes with no word said;
    # the command noted case variants (and strips spaces) but compare() did not.
    X, y = _data(["no"] * 24 + ["yes"] * 8 + ["yes "] * 4 + ["Yes"] * 4)
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    said = [n for n in result.notes if "differ only in case" in n]
    assert len(said) == 1
    assert "'Yes' and 'yes' and 'yes '" in said[0]
    assert "different classes" in said[0] and "strip" in said[0]
    X, y = _data(["no"] * 24 + ["yes"] * 16)
    clean = compare(X, y, folds=2, method_names=["none"], progress=False)
    assert not [n for n in clean.notes if "differ only in case" in n]


def test_command_notes_case_variants_once(tmp_path):
    labels = ["no"] * 24 + ["yes"] * 8 + ["Yes"] * 8
    rows = "".join(f"{i},{i % 7},{label}\n" for i, label in enumerate(labels))
    (tmp_path / "d.csv").write_text("a,b,label\n" + rows)
    out = tmp_path / "r.json"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            ["compare", "--data", str(tmp_path / "d.csv"), "--target", "label"]
            + ["--folds", "2", "--methods", "none", "--json", str(out)]
        )
    assert code == 0
    notes = json.loads(out.read_text())["notes"]
    assert sum("differ only in case" in n for n in notes) == 1
    assert "--target 'label'" in next(n for n in notes if "only in case" in n)
    assert err.getvalue().count("differ only in case") == 1


@pytest.mark.parametrize(
    "classifier",
    [DecisionTreeClassifier(random_state=0), RandomForestClassifier(n_estimators=3)],
)
def test_infinity_before_a_tree_is_refused_whatever_the_draw(classifier):
    # Trees take NaN but refuse infinity: before, a draw that left the row
    # holding inf out fitted the tree, another draw failed inside it.
    y = np.array([0] * 30 + [1] * 6)
    X = np.random.default_rng(0).normal(size=(36, 2))
    X[0, 1] = np.inf
    for seed in range(6):
        model = ResampledClassifier(RandomUnderSampler(random_state=seed), classifier)
        with pytest.raises(ValueError, match="infinity"):
            model.fit(X, y)
    X[0, 1] = np.nan  # NaN: the tree's to take
    ResampledClassifier(RandomUnderSampler(random_state=0), classifier).fit(X, y)


def test_hist_gradient_boosting_still_takes_infinity():
    y = np.array([0] * 30 + [1] * 6)
    X = np.random.default_rng(0).normal(size=(36, 2))
    X[0, 1] = np.inf
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), HistGradientBoostingClassifier(max_iter=3)
    )
    assert model.fit(X, y).predict(X).shape == (36,)


def _documents(n=60):
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.25).astype(int)
    words = ["good", "great", "nice", "bad", "awful", "dull"]
    docs = [" ".join(rng.choice(words[:3] if t else words[3:], 3)) for t in y]
    return docs, y


@pytest.mark.parametrize(
    "kind", ["list", "str array", "object array", "bytes array", "Series"]
)
@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ],
)
def test_samplers_take_one_document_a_row(kind, sampler):
    # Before: "Expected a 2D array for X" (as imbalanced-learn), so a sampler
    # could not come before a text vectorizer (ResampledClassifier around a
    # TfidfVectorizer pipeline, or first in an imblearn Pipeline).
    docs, y = _documents()
    X = {
        "list": lambda: list(docs),
        "str array": lambda: np.array(docs),
        "object array": lambda: np.array(docs, dtype=object),
        "bytes array": lambda: np.array([d.encode() for d in docs]),
        "Series": lambda: pd.Series(docs, index=np.arange(60) * 2, name="text"),
    }[kind]()
    given = pd.Series(X).copy() if kind == "Series" else np.array(X, copy=True)
    X_res, y_res = sampler.fit_resample(X, y)
    rows = sampler.sample_indices_
    assert type(X_res) is type(X) and len(X_res) == len(rows)
    assert [X[i] for i in rows] == list(X_res) if kind != "Series" else True
    if kind == "Series":
        assert X_res.name == "text" and list(X_res) == list(X.iloc[rows])
    np.testing.assert_array_equal(y_res, y[rows])
    assert list(given) == list(X)  # the input is left as it was


def test_a_text_pipeline_behind_a_sampler():
    docs, y = _documents(120)
    model = ResampledClassifier(
        RandomOverSampler(random_state=0),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ).fit(docs, y, sample_weight=np.ones(120))
    assert model.resampled_priors_.tolist() == [0.5, 0.5]
    assert (model.predict(docs) == y).mean() > 0.9
    imblearn_style = make_imblearn_pipeline(
        RandomUnderSampler(random_state=0), TfidfVectorizer(), LogisticRegression()
    )
    assert imblearn_style.fit(docs, y).predict(docs[:3]).shape == (3,)


@pytest.mark.parametrize(
    "X", [np.arange(60.0), np.array(["a"] * 59 + [None], dtype=object)]
)
def test_one_dimensional_x_that_is_not_text_is_still_refused(X):
    with pytest.raises(ValueError, match="2D array"):
        RandomUnderSampler().fit_resample(X, np.arange(60) % 2)


def test_small_sigmoid_focal_runs_in_the_calling_thread_with_the_same_bits(
    monkeypatch,
):
    torch = pytest.importorskip("torch")
    pytest.importorskip("numba")
    from rebalance.torch import _focal_cpu as kern
    from rebalance.torch import _focal_numba
    from rebalance.torch.losses import sigmoid_focal_loss

    if not _focal_numba.numba_ready():
        pytest.skip("numba kernels unavailable")
    asked = []
    real = kern.run_chunks

    def recording(fn, n_units, unit_size, n_threads):
        asked.append((n_units, n_threads))
        return real(fn, n_units, unit_size, n_threads)

    monkeypatch.setattr(kern, "run_chunks", recording)
    threads = torch.get_num_threads()
    try:
        for n in (kern.SIGMOID_PARALLEL_ABOVE, kern.SIGMOID_PARALLEL_ABOVE * 2):
            x = torch.randn(n, generator=torch.Generator().manual_seed(n))
            y = torch.rand(n, generator=torch.Generator().manual_seed(1)) < 0.1
            got = []
            for t in (1, 2):
                torch.set_num_threads(t)
                xg = x.clone().requires_grad_()
                loss = sigmoid_focal_loss(xg, y.float())
                loss.backward()
                got.append((loss.detach(), xg.grad))
            assert torch.equal(got[0][0], got[1][0])
            assert torch.equal(got[0][1], got[1][1])
    finally:
        torch.set_num_threads(threads)
    # Two chunks or fewer in the calling thread; more are shared with the pool.
    small, large = kern.SIGMOID_PARALLEL_ABOVE, kern.SIGMOID_PARALLEL_ABOVE * 2
    assert {t for n, t in asked if n == small} == {1}
    assert {t for n, t in asked if n == large} == {1, 2}
