"""Review 65 (docs): the README claims added or checked this round, run as a
user would.

* samplers take a 1-D X of texts (one document a row) and give it back in a
  container of its kind; a 1-D X of numbers or of texts with a missing value
  is refused; imbalanced-learn refuses a 1-D X (the "known differences");
* ``ResampledClassifier`` warns when repeated rows meet a classifier's own
  validation split, and not for an under-sampler;
* ``rebalance compare --model hgb`` builds its trees without early stopping;
* ``compare()`` notes text classes differing only in case or surrounding
  spaces.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    LabelShuffleSampler,
    ClassBalancedSampler,
]
TEXTS = ["a great film", "loved it", "dull plot", "awful acting", "a bad one"] * 4
Y_TEXTS = np.array([1, 1, 0, 0, 0] * 4)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
@pytest.mark.parametrize(
    "container",
    [
        list,
        np.array,
        lambda t: np.array(t, dtype=object),
        lambda t: pd.Series(t, index=range(50, 70)),
    ],
    ids=["list", "str-array", "object-array", "series"],
)
def test_texts_one_a_row_come_back_in_their_container(sampler, container):
    X = container(TEXTS)
    before = list(X)
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(X, Y_TEXTS)
    assert type(X_res) is type(X)
    if isinstance(X, pd.Series):
        pd.testing.assert_index_equal(X_res.index, pd.RangeIndex(len(y_res)))
    # each document goes with its row's label
    assert list(X_res) == [TEXTS[i] for i in s.sample_indices_]
    assert list(y_res) == [Y_TEXTS[i] for i in s.sample_indices_]
    assert list(X) == before


@pytest.mark.parametrize(
    "X",
    [np.arange(20.0), TEXTS[:-1] + [None], pd.Series(TEXTS[:-1] + [np.nan])],
    ids=["numbers", "texts-with-None", "texts-with-NaN"],
)
def test_one_d_numbers_or_texts_with_a_missing_value_refused(X):
    with pytest.raises(ValueError, match="2D"):
        RandomOverSampler(random_state=0).fit_resample(X, Y_TEXTS)


def test_imblearn_refuses_a_one_d_x_of_texts():
    """The README's known difference: imbalanced-learn refuses what we take."""
    imblearn = pytest.importorskip("imblearn.over_sampling")
    with pytest.raises(ValueError, match="2D"):
        imblearn.RandomOverSampler(random_state=0).fit_resample(
            np.array(TEXTS), Y_TEXTS
        )


def test_text_pipeline_behind_a_sampler():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    model = ResampledClassifier(
        RandomUnderSampler(random_state=0),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ).fit(TEXTS, Y_TEXTS)
    assert model.predict(["loved the film", "awful plot"]).tolist() == [1, 0]


def _user_warnings(sampler, classifier, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ResampledClassifier(sampler, classifier).fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.1).astype(int)
    return rng.normal(size=(300, 2)) + y[:, None], y


@pytest.mark.parametrize(
    "sampler, classifier, warns",
    [
        (RandomOverSampler, SGDClassifier(early_stopping=True, random_state=0), True),
        (
            LabelShuffleSampler,
            GradientBoostingClassifier(n_estimators=5, n_iter_no_change=2),
            True,
        ),
        (RandomUnderSampler, SGDClassifier(early_stopping=True, random_state=0), False),
        # 'auto' at a few hundred drawn rows (<= 10,000): no split held out
        (RandomOverSampler, HistGradientBoostingClassifier(max_iter=5), False),
        (RandomOverSampler, LogisticRegression(), False),
    ],
    ids=["over-sgd", "shuffle-gb", "under-sgd", "over-hgb-auto-small", "over-logistic"],
)
def test_repeated_rows_and_a_held_out_split_warn(small, sampler, classifier, warns):
    messages = _user_warnings(sampler(random_state=0), classifier, *small)
    assert any("more than once" in m for m in messages) is warns


def test_compare_hgb_does_not_early_stop():
    from rebalance.compare import Setup

    model = Setup(model="hgb").classifier()
    assert isinstance(model, HistGradientBoostingClassifier)
    assert model.early_stopping is False


def test_compare_notes_case_and_space_variants():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    y = pd.Series(["no"] * 44 + ["yes"] * 8 + ["Yes "] * 8)
    result = compare(X, y, folds=2, method_names=["none"], progress=False)
    notes = [n for n in result.notes if "case or surrounding spaces" in n]
    assert len(notes) == 1 and "'yes'" in notes[0] and "'Yes '" in notes[0]


def test_pyarrow_texts_come_back_as_pyarrow():
    pa = pytest.importorskip("pyarrow")
    X_res, _ = RandomOverSampler(random_state=0).fit_resample(pa.array(TEXTS), Y_TEXTS)
    assert isinstance(X_res, (pa.Array, pa.ChunkedArray))


def test_cli_variant_notice_names_spaces(capsys):
    from rebalance import cli

    cli._note_case_variants(["no", "yes", "yes "], "label")
    assert "space" in capsys.readouterr().err
