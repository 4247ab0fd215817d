"""Review 103, area "strategy": differential fuzz of ``sampling_strategy``.

rebalance's RandomUnderSampler / RandomOverSampler against imbalanced-learn's
samplers of the same name: accept/refuse parity, ``sampling_strategy_``, the
class counts of the output, the rows themselves and ``sample_indices_``.
"""

import warnings
from collections import Counter

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
imb_under = pytest.importorskip("imblearn.under_sampling")
imb_over = pytest.importorskip("imblearn.over_sampling")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rebalance  # noqa: E402

NAMED = ["auto", "majority", "minority", "not minority", "not majority", "all"]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _fit(cls, X, y, **params):
    """('ok', strategy_, counts, sampler, X_res, y_res) or ('err', exception)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sampler = cls(random_state=0, **params)
            X_res, y_res = sampler.fit_resample(X, y)
    except (ValueError, TypeError) as exc:
        return ("err", exc)
    counts = Counter(np.asarray(y_res).tolist())
    return ("ok", dict(sampler.sampling_strategy_), counts, sampler, X_res, y_res)


@st.composite
def problems(draw):
    n_classes = draw(st.integers(2, 6))
    kind = draw(st.sampled_from(["range", "gaps", "str"]))
    if kind == "range":
        labels = list(range(n_classes))
    elif kind == "gaps":
        labels = sorted(
            draw(
                st.lists(
                    st.integers(-30, 30),
                    min_size=n_classes,
                    max_size=n_classes,
                    unique=True,
                )
            )
        )
    else:
        labels = [
            f"c{i}"
            for i in draw(
                st.lists(
                    st.integers(0, 99),
                    min_size=n_classes,
                    max_size=n_classes,
                    unique=True,
                )
            )
        ]
    counts = draw(st.lists(st.integers(1, 40), min_size=n_classes, max_size=n_classes))
    y = np.repeat(np.array(labels), counts)
    order = np.random.default_rng(draw(st.integers(0, 2**16))).permutation(len(y))
    y = y[order]
    named = draw(
        st.lists(st.sampled_from(labels), min_size=1, max_size=n_classes, unique=True)
    )
    targets = {c: draw(st.integers(0, 50)) for c in named}
    ratio = draw(st.floats(0.02, 1.3))
    return y, labels, targets, ratio


def _strategies(labels, targets, ratio):
    return [
        *NAMED,
        ratio,
        [labels[0]],  # a list: only for imbalanced-learn's cleaning samplers
        targets,
        lambda _y: dict(targets),
    ]


def _is_documented_over_noop(name, strategy, imb, ours, y):
    """README: a float over-sampling ratio that adds 0 rows is a no-op."""
    return (
        name == "RandomOverSampler"
        and isinstance(strategy, float)
        and imb[0] == "err"
        and ours[0] == "ok"
        and set(ours[1].values()) == {0}
        and ours[2] == Counter(y.tolist())
    )


def _check_pair(name, strategy, X, y, **params):
    peer = getattr(imb_under if "Under" in name else imb_over, name)
    imb = _fit(peer, X, y, sampling_strategy=strategy, **params)
    ours = _fit(getattr(rebalance, name), X, y, sampling_strategy=strategy, **params)
    if _is_documented_over_noop(name, strategy, imb, ours, y):
        return
    assert imb[0] == ours[0], (name, strategy, imb, ours)
    if imb[0] == "err":
        assert "sampling_strategy" in str(ours[1]), (name, strategy, ours[1])
        return
    assert imb[1] == ours[1], (name, strategy)  # sampling_strategy_
    assert imb[2] == ours[2], (name, strategy)  # class counts of the output
    sampler, X_res, y_res = ours[3], ours[4], ours[5]
    # X row i holds i: every output row is an input row, with its label.
    np.testing.assert_array_equal(X_res[:, 0], sampler.sample_indices_)
    np.testing.assert_array_equal(y[X_res[:, 0]], y_res)
    # imbalanced-learn's sample_indices_ holds the same multiset of classes.
    idx_imb = imb[3].sample_indices_
    assert Counter(y[idx_imb].tolist()) == Counter(y[sampler.sample_indices_].tolist())
    if name == "RandomUnderSampler" and not params.get("replacement"):
        assert len(set(sampler.sample_indices_.tolist())) == len(
            sampler.sample_indices_
        )
    if name == "RandomOverSampler":
        # every input row is kept at least once
        assert set(sampler.sample_indices_.tolist()) == set(range(len(y)))


@SETTINGS
@given(problems())
def test_under_sampler_matches_imblearn(problem):
    y, labels, targets, ratio = problem
    X = np.arange(len(y)).reshape(-1, 1)
    for strategy in _strategies(labels, targets, ratio):
        _check_pair("RandomUnderSampler", strategy, X, y)


@SETTINGS
@given(problems())
def test_under_sampler_replacement_matches_imblearn(problem):
    y, labels, targets, ratio = problem
    X = np.arange(len(y)).reshape(-1, 1)
    # the dict above a class's count is a documented difference with replacement
    counts = Counter(y.tolist())
    targets = {c: min(n, counts[c]) for c, n in targets.items()}
    for strategy in _strategies(labels, targets, ratio):
        _check_pair("RandomUnderSampler", strategy, X, y, replacement=True)


@SETTINGS
@given(problems())
def test_over_sampler_matches_imblearn(problem):
    y, labels, targets, ratio = problem
    X = np.arange(len(y)).reshape(-1, 1)
    for strategy in _strategies(labels, targets, ratio):
        _check_pair("RandomOverSampler", strategy, X, y)


@pytest.mark.parametrize(
    "name, strategy, exc_type",
    [
        ("RandomUnderSampler", "minority", ValueError),
        ("RandomOverSampler", "majority", ValueError),
        ("RandomUnderSampler", "Auto", ValueError),
        ("RandomUnderSampler", 0.5, ValueError),  # float on 3 classes
        ("RandomUnderSampler", {7: 1}, ValueError),  # unknown class
        ("RandomUnderSampler", {0: -1}, ValueError),
        ("RandomOverSampler", {0: 3}, ValueError),  # below the class's count
        ("RandomUnderSampler", {0: 3.0}, TypeError),
        ("RandomUnderSampler", lambda y: [0], TypeError),
    ],
)
def test_refusals_name_sampling_strategy(name, strategy, exc_type):
    y = np.array([0] * 10 + [1] * 5 + [2] * 3)
    X = np.arange(len(y)).reshape(-1, 1)
    peer = getattr(imb_under if "Under" in name else imb_over, name)
    # imbalanced-learn raises AttributeError for a callable returning a list
    with pytest.raises((ValueError, TypeError, AttributeError)):
        peer(sampling_strategy=strategy).fit_resample(X, y)
    with pytest.raises(exc_type, match="sampling_strategy"):
        getattr(rebalance, name)(sampling_strategy=strategy).fit_resample(X, y)


def test_float_over_sampling_noop_documented():
    """README "Known differences": a ratio adding 0 rows is a no-op here."""
    y = np.array(["a"] * 10 + ["b"] * 4)
    X = np.arange(len(y)).reshape(-1, 1)
    with pytest.raises(ValueError):
        imb_over.RandomOverSampler(sampling_strategy=0.41).fit_resample(X, y)
    sampler = rebalance.RandomOverSampler(sampling_strategy=0.41, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert dict(sampler.sampling_strategy_) == {"b": 0}
    assert sorted(X_res[:, 0].tolist()) == list(range(14))


def test_grid_search_over_sampling_strategy_in_imblearn_pipeline():
    pipeline_mod = pytest.importorskip("imblearn.pipeline")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.array([0] * 60 + [1] * 20 + [2] * 10)
    grid = {
        "s__sampling_strategy": [
            "auto",
            "majority",
            "not majority",
            {0: 20},
            "minority",  # refused by an under-sampler: scored NaN in both
        ]
    }
    results = {}
    for mod in (imb_under, rebalance):
        pipe = pipeline_mod.Pipeline(
            [("s", mod.RandomUnderSampler(random_state=0)), ("c", LogisticRegression())]
        )
        search = GridSearchCV(pipe, grid, cv=3, error_score=np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
        results[mod.__name__] = search
    ours = results["rebalance"]
    peer = results["imblearn.under_sampling"]
    np.testing.assert_array_equal(
        np.isnan(ours.cv_results_["mean_test_score"]),
        np.isnan(peer.cv_results_["mean_test_score"]),
    )
    assert np.isnan(ours.cv_results_["mean_test_score"][-1])
    # the refit best pipeline keeps the chosen strategy and resamples with it
    best = ours.best_estimator_.named_steps["s"]
    assert best.sampling_strategy == ours.best_params_["s__sampling_strategy"]
    assert best.sampling_strategy_ is not None


@pytest.mark.parametrize("key", [0.0, np.int64(0), np.float64(0.0)])
def test_equal_keys_match_imblearn_and_report_the_class_of_y(key):
    """A key equal to a class (0.0 for class 0) is taken, as imbalanced-learn's
    set difference takes it; sampling_strategy_ reports y's own class."""
    y = np.array([0] * 10 + [1] * 5 + [2] * 3)
    X = np.arange(len(y)).reshape(-1, 1)
    peer = imb_under.RandomUnderSampler(sampling_strategy={key: 3}, random_state=0)
    _, y_peer = peer.fit_resample(X, y)
    ours = rebalance.RandomUnderSampler(sampling_strategy={key: 3}, random_state=0)
    X_res, y_res = ours.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(y_peer.tolist()) == {0: 3, 1: 5, 2: 3}
    assert dict(ours.sampling_strategy_) == {0: 3}
    assert all(type(k) is type(y[0].item()) for k in ours.sampling_strategy_)
    np.testing.assert_array_equal(y[X_res[:, 0]], y_res)
