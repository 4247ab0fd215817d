"""Review 131, area diff38: the lead's changes 546a400..HEAD in ``rebalance/``.

Reviewed:

* ``rebalance/_columns.py``: ``_NUMBER_TEXT`` split into currency-before or
  currency-after. The old and new regexes were compared on a fixed list of
  forms and on 200,000 random strings over ``+-$€£ %.,e()0-9``. The only texts
  no longer matched have a currency sign on both sides ("$3€") or two signs
  before a trailing currency ("+-5$"); the old code already read the second
  kind as no number, so no value changed. The forms below are pinned to values
  worked out by hand. Also pinned: money and percent columns are not dropped
  as row numbers (``marked``) while a plain id column still is, and em/en
  dashes are missing numbers only among numbers, never in a column of words.
* ``rebalance/_priors.py``: ``computed_priors`` / ``series_by_label``.
  Every accepted container (dict, Series by label and by position, list,
  numpy, torch, polars, pyarrow, narwhals, Dask Series/array) is checked in
  ``adjust_priors``, ``em_priors`` and ``ThresholdMover`` against Bayes' rule
  done by hand in numpy. A Series with a repeated class and a Dask DataFrame
  are refused. BUG: ``BalancedBatchSampler(class_counts=Series)`` with a
  repeated class gets the new error worded for "priors".
* ``rebalance/base.py``: ``_committed``. Another call is run inside a call
  (a hook in ``_make_plan``), which interleaves two calls the way two threads
  can. A ``set_params`` made during a call is kept. BUG (silent): fitted
  attributes that the later-committing call did not set (``sample_indices_``,
  ``feature_names_in_``) stay from the other call, so the sampler ends up
  with ``n_features_in_=2`` next to three ``feature_names_in_`` (546a400
  stored the whole state, which did not do this).
"""

import numpy as np
import pandas as pd
import pytest

from rebalance import RandomUnderSampler, ThresholdMover
from rebalance._columns import (
    ID_REASON,
    _as_numbers,
    label_markers,
    missing_as_na,
    plan_columns,
)
from rebalance._priors import adjust_priors, em_priors

# --- _columns: number forms ---------------------------------------------------

NUMBER_FORMS = [
    ("$1,234.50", 1234.5),
    ("$ 1,234.50", 1234.5),
    ("-€3", -3.0),
    ("12 £", 12.0),
    ("12.5%", 0.125),
    ("12.5 %", 0.125),
    ("(1,234.00)", -1234.0),
    ("+$5", 5.0),
    ("$-5", -5.0),
    ("-5$", -5.0),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("5.", 5.0),
    ("€1,234", 1234.0),
    ("1,234€ %", 12.34),
    ("$5%", 0.05),
    ("($5)", -5.0),
    ("(5$)", -5.0),
    ("1.5e-3€", 0.0015),
    ("¥100", 100.0),
    ("100 ¥", 100.0),
    ("1,234,567", 1234567.0),
    ("-.5", -0.5),
    ("€.5", 0.5),
    (".5€", 0.5),
    ("£-1e3", -1000.0),
]


@pytest.mark.parametrize(("text", "value"), NUMBER_FORMS)
def test_number_forms_still_read_to_their_value(text, value):
    read = _as_numbers(pd.Series([text, "7"], dtype=object))
    assert read is not None
    assert read.tolist() == pytest.approx([value, 7.0])


@pytest.mark.parametrize("text", ["$3€", "£5$", "€1€", "0,205", "12,34", "(-5)"])
def test_not_numbers(text):
    assert _as_numbers(pd.Series([text, "7"], dtype=object)) is None


def test_money_and_percent_columns_kept_plain_id_dropped():
    n = 12
    frame = pd.DataFrame(
        {
            "price": [f"${i}" for i in range(1, n + 1)],
            "rate": [f"{i}%" for i in range(1, n + 1)],
            "id": [str(i) for i in range(1, n + 1)],
            "x": np.arange(n) * 0.37,
        }
    )
    plan = plan_columns(frame)
    assert plan.used == {"price": "numeric", "rate": "numeric", "x": "numeric"}
    assert plan.dropped == {"id": ID_REASON}


def test_dashes_missing_only_among_numbers():
    frame = pd.DataFrame(
        {
            "num": ["1", "\u2014", "3"],
            "word": ["a", "\u2014", "b"],
            "money": ["$1,000", "\u2013", "($3)"],
            "mixed": ["1", "\u2014", "x"],
        }
    )
    read = missing_as_na(frame)
    assert read["num"].tolist() == pytest.approx([1.0, np.nan, 3.0], nan_ok=True)
    assert read["money"].tolist() == pytest.approx([1000.0, np.nan, -3.0], nan_ok=True)
    assert read["word"].tolist() == ["a", "\u2014", "b"]
    assert read["mixed"].tolist() == ["1", "\u2014", "x"]
    assert frame["num"].tolist() == ["1", "\u2014", "3"]  # not modified
    words = label_markers(pd.Series(["yes", "\u2014", "no"]))
    assert words.tolist() == [False, False, False]
    digits = label_markers(pd.Series(["1", "0", "\u2013", "1"]))
    assert digits.tolist() == [False, False, True, False]


# --- _priors: containers ------------------------------------------------------

PROBA = np.array([[0.7, 0.3], [0.2, 0.8], [0.5, 0.5]])
TRAIN = np.array([0.6, 0.4])
DEPLOY = np.array([0.3, 0.7])


def _by_hand(proba, train, deploy):
    moved = proba * deploy / train
    return moved / moved.sum(axis=1, keepdims=True)


def _container(kind, values):
    if kind == "dict":
        return {"a": values[0], "b": values[1]}
    if kind == "series_label":
        return pd.Series([values[1], values[0]], index=["b", "a"])
    if kind == "series_position":
        return pd.Series(values)
    if kind == "list":
        return list(values)
    if kind == "array":
        return np.asarray(values)
    if kind == "torch":
        return pytest.importorskip("torch").tensor(values)
    if kind == "polars":
        return pytest.importorskip("polars").Series(values)
    if kind == "pyarrow":
        return pytest.importorskip("pyarrow").array(values)
    if kind == "narwhals":
        nw = pytest.importorskip("narwhals")
        pl = pytest.importorskip("polars")
        return nw.from_native(pl.Series(values), series_only=True)
    dd = pytest.importorskip("dask.dataframe")
    if kind == "dask_series_label":
        series = pd.Series([values[1], values[0]], index=["b", "a"])
        return dd.from_pandas(series, npartitions=1)
    if kind == "dask_series_position":
        return dd.from_pandas(pd.Series(values), npartitions=1)
    da = pytest.importorskip("dask.array")
    return da.from_array(np.asarray(values))


KINDS = [
    "dict",
    "series_label",
    "series_position",
    "list",
    "array",
    "torch",
    "polars",
    "pyarrow",
    "narwhals",
    "dask_series_label",
    "dask_series_position",
    "dask_array",
]


@pytest.mark.parametrize("kind", KINDS)
def test_priors_containers_adjust_and_em(kind):
    proba = pd.DataFrame(PROBA, columns=["a", "b"])
    moved = adjust_priors(proba, _container(kind, TRAIN), _container(kind, DEPLOY))
    np.testing.assert_allclose(moved, _by_hand(PROBA, TRAIN, DEPLOY))
    estimated = em_priors(proba, _container(kind, TRAIN))
    np.testing.assert_allclose(estimated, em_priors(PROBA, TRAIN))


@pytest.mark.parametrize("kind", KINDS)
def test_priors_containers_threshold_mover(kind):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    y = np.where(X[:, 0] > 0.3, "b", "a")
    model = ThresholdMover(
        LogisticRegression(),
        train_priors=_container(kind, TRAIN),
        deploy_priors=_container(kind, DEPLOY),
    ).fit(X, y)
    raw = LogisticRegression().fit(X, y).predict_proba(X)
    np.testing.assert_allclose(
        model.predict_proba(X), _by_hand(raw, TRAIN, DEPLOY), rtol=1e-6
    )


def test_series_with_repeated_class_refused_by_name():
    proba = pd.DataFrame(PROBA, columns=["a", "b"])
    repeated = pd.Series([0.5, 0.3, 0.2], index=["a", "b", "a"])
    with pytest.raises(ValueError, match="train_priors"):
        adjust_priors(proba, repeated, DEPLOY)
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(1).randn(30, 2)
    y = np.where(X[:, 0] > 0, "b", "a")
    with pytest.raises(ValueError, match=r"train_priors .*\['a'\] more than once"):
        ThresholdMover(LogisticRegression(), train_priors=repeated).fit(X, y)


def test_dask_table_of_priors_refused():
    dd = pytest.importorskip("dask.dataframe")
    table = dd.from_pandas(pd.DataFrame({"a": [0.6], "b": [0.4]}), npartitions=1)
    proba = pd.DataFrame(PROBA, columns=["a", "b"])
    with pytest.raises(TypeError, match=r"train_priors is a Dask DataFrame"):
        adjust_priors(proba, table, DEPLOY)


def test_balanced_batch_sampler_repeated_class_names_class_counts():
    pytest.importorskip("torch")
    from rebalance.torch.samplers import BalancedBatchSampler

    y = np.array([0] * 10 + [1] * 10)
    counts = pd.Series([1, 2, 1], index=[1, 0, 1])
    with pytest.raises(ValueError) as info:
        BalancedBatchSampler(y, batch_size=4, class_counts=counts)
    assert "class_counts" in str(info.value)
    assert "prior" not in str(info.value)


# --- base: a call committed while another runs ---------------------------------


@pytest.fixture
def hooked(monkeypatch):
    """Run ``hooks[0]()`` once, inside the next ``_make_plan`` (in the middle of
    a call, on its working copy), as another thread would."""
    hooks = []
    original = RandomUnderSampler._make_plan

    def make_plan(self, labels, y):
        if hooks:
            hooks.pop()()
        return original(self, labels, y)

    monkeypatch.setattr(RandomUnderSampler, "_make_plan", make_plan)
    return hooks


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    y = np.array([0] * 30 + [1] * 10)
    frame = pd.DataFrame(rng.randn(20, 3), columns=["a", "b", "c"])
    y_frame = np.array([0] * 12 + [1] * 8)
    return X, y, frame, y_frame


def test_set_params_during_a_call_is_kept(hooked):
    X, y, _, _ = _data()
    sampler = RandomUnderSampler(random_state=0)
    hooked.append(lambda: sampler.set_params(random_state=7))
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.random_state == 7
    assert sampler.sampling_strategy_ == {0: 10}
    assert np.bincount(y_res).tolist() == [10, 10]
    assert len(sampler.sample_indices_) == 20


def test_fit_after_fit_resample_removes_sample_indices():
    X, y, frame, y_frame = _data()
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(frame, y_frame)
    assert list(sampler.feature_names_in_) == ["a", "b", "c"]
    sampler.fit(X, y)
    assert not hasattr(sampler, "sample_indices_")
    assert not hasattr(sampler, "feature_names_in_")
    assert sampler.n_features_in_ == 2
    assert sampler.sampling_strategy_ == {0: 10}


def test_interleaved_fit_resample_leaves_no_sample_indices(hooked):
    X, y, frame, y_frame = _data()
    sampler = RandomUnderSampler(random_state=0)
    hooked.append(lambda: sampler.fit_resample(frame, y_frame))
    sampler.fit(X, y)  # commits last: its state is the sampler's
    assert sampler.n_features_in_ == 2
    assert sampler.sampling_strategy_ == {0: 10}
    assert not hasattr(sampler, "sample_indices_")


def test_interleaved_frame_fit_leaves_no_feature_names(hooked):
    X, y, frame, y_frame = _data()
    sampler = RandomUnderSampler(random_state=0)
    hooked.append(lambda: sampler.fit(frame, y_frame))
    sampler.fit_resample(X, y)  # commits last, on an array of 2 columns
    assert sampler.n_features_in_ == 2
    assert len(sampler.sample_indices_) == 20
    assert not hasattr(sampler, "feature_names_in_")
