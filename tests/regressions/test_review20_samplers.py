"""Review 20 (samplers): label edge cases found by fuzzing, a hypothesis
fuzzer of the four samplers over label types x ``sampling_strategy`` forms
x ``random_state`` types x ``sample_weight`` (checked against
imbalanced-learn's ``check_sampling_strategy`` where it applies), and the
thread-count independence of draws above the real threading threshold.

Deliberate differences from imbalanced-learn, not tested as bugs here:
``shuffle=True`` by default (imbalanced-learn returns rows grouped by class),
a fresh ``RangeIndex`` on pandas outputs, and ``RandomUnderSampler(
replacement=True)`` accepting a dict count above the class's count (a
bootstrap; imbalanced-learn refuses it).
"""

import copy
import warnings
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    _indices,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]
KIND = {
    RandomUnderSampler: "under-sampling",
    RandomOverSampler: "over-sampling",
    ClassBalancedSampler: "over-sampling",
    LabelShuffleSampler: "over-sampling",
}

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


# --------------------------------------------------------------------------
# Bugs fixed in this round


@pytest.mark.parametrize("unit", ["ns", "us"])
@pytest.mark.parametrize("kind", ["datetime", "timedelta"])
def test_date_categorical_classes_are_timestamps_not_integers(kind, unit):
    # Before: the classes of a categorical of datetime64[ns] / timedelta64[ns]
    # (pandas 2's default unit) were numpy's .tolist() of them, bare integers
    # of nanoseconds: sampling_strategy_ was keyed {1577836800000000000: 3}
    # and a dict sampling_strategy keyed by the Timestamp was "not in y".
    if kind == "datetime":
        values = np.array(["2020-01-01"] * 7 + ["2021-01-01"] * 3, f"M8[{unit}]")
        first, second = pd.Timestamp("2020-01-01"), pd.Timestamp("2021-01-01")
    else:
        values = np.array([1] * 7 + [2] * 3, "m8[s]").astype(f"m8[{unit}]")
        first, second = pd.Timedelta(seconds=1), pd.Timedelta(seconds=2)
    y = pd.Series(pd.Categorical(values))
    X = np.arange(10).reshape(-1, 1)
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {first: 3}
    key = next(iter(sampler.sampling_strategy_))
    assert isinstance(key, pd.Timestamp if kind == "datetime" else pd.Timedelta)

    sampler = RandomUnderSampler(sampling_strategy={first: 2}, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {first: 2}
    assert y_res.dtype == y.dtype
    assert y_res.value_counts().to_dict() == {second: 3, first: 2}

    sampler = LabelShuffleSampler(random_state=0).fit(X, y)
    assert sampler.sampling_strategy_ == {first: 7, second: 7}


@pytest.mark.parametrize("arrow", ["timestamp[ns][pyarrow]", "duration[ns][pyarrow]"])
def test_arrow_date_categorical_classes_are_timestamps_not_integers(arrow):
    # Before: Arrow-backed date categories came out of numpy as datetime64[ns],
    # and so as integers of nanoseconds in sampling_strategy_.
    pytest.importorskip("pyarrow")
    if arrow.startswith("timestamp"):
        values = pd.Series(pd.to_datetime(["2020-01-01"] * 7 + ["2021-01-01"] * 3))
        first = pd.Timestamp("2020-01-01")
    else:
        values = pd.Series(pd.to_timedelta([1] * 7 + [2] * 3, unit="s"))
        first = pd.Timedelta(seconds=1)
    y = values.astype(arrow).astype("category")
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit_resample(np.zeros((10, 1)), y)
    assert sampler.sampling_strategy_ == {first: 3}
    assert type(next(iter(sampler.sampling_strategy_))) is type(first)


@dataclass(order=True)
class _Unhashable:  # eq=True without frozen=True: __hash__ is None
    value: int


@pytest.mark.parametrize("sampler_cls", ALL_SAMPLERS)
def test_unhashable_labels_are_a_type_error_naming_y(sampler_cls):
    # Before: TypeError "unhashable type: '_Unhashable'" from building
    # sampling_strategy_, naming neither y nor a fix.
    y = np.array([_Unhashable(1)] * 5 + [_Unhashable(2)] * 3, dtype=object)
    with pytest.raises(TypeError, match=r"y has labels of type _Unhashable.*astype"):
        sampler_cls().fit_resample(np.zeros((8, 1)), y)


# --------------------------------------------------------------------------
# Fuzzer: label types x sampling_strategy x random_state x sample_weight

_LABEL_VALUES = {
    "int": [-(2**63), -3, 0, 7, 2**62],
    "uint64": [2**64 - 1, 0, 2**63, 5, 9],
    "str": ["b", "a", "", "é", "zz"],
    "float": [0.5, -1.25, 1e300, 3.0, -0.0],
    "obj": ["x", "y", "z", "w", "v"],
}


@st.composite
def _label_cases(draw):
    kind = draw(st.sampled_from(["int", "uint64", "str", "bool", "float", "cat"]))
    kind = draw(st.sampled_from([kind, "obj"]))
    k = draw(st.integers(2, 2 if kind == "bool" else 5))
    counts = draw(st.lists(st.integers(1, 12), min_size=k, max_size=k))
    codes = np.repeat(np.arange(k), counts)
    order = np.random.default_rng(draw(st.integers(0, 999))).permutation(len(codes))
    codes = codes[order]
    if kind == "bool":
        y = np.array([True, False])[codes]
    elif kind == "cat":
        names = [f"c{i}" for i in range(k)]
        categories = names[::-1] + ["unused"]
        y = pd.Series(pd.Categorical([names[c] for c in codes], categories))
    elif kind == "obj":
        y = np.array([_LABEL_VALUES["obj"][c] for c in codes], dtype=object)
    else:
        dtype = {"int": np.int64, "uint64": np.uint64}.get(kind)
        y = np.array(_LABEL_VALUES[kind][:k], dtype=dtype)[codes]
    values = np.asarray(y)
    classes = [_python(values[codes == c][0]) for c in range(k)]
    sampler = draw(st.sampled_from(ALL_SAMPLERS))
    form = draw(st.sampled_from(["name", "float", "dict", "numpy_dict", "callable"]))
    if form == "name":
        strategy = draw(
            st.sampled_from(
                ["auto", "minority", "majority", "not minority", "not majority", "all"]
            )
        )
    elif form == "float":
        strategy = draw(
            st.one_of(
                st.floats(0.01, 1.0),
                st.sampled_from([np.float32(0.5), Fraction(1, 3), np.float64(1.0)]),
            )
        )
    else:
        named = draw(st.lists(st.integers(0, k - 1), unique=True, max_size=k))
        strategy = {classes[c]: draw(st.integers(0, 2 * counts[c] + 3)) for c in named}
        if form == "numpy_dict":
            strategy = {
                np.asarray([key])[0]: np.int64(value) for key, value in strategy.items()
            }
        elif form == "callable":
            strategy = _Constant(strategy)
    return {
        "y": y,
        "codes": codes,
        "classes": classes,
        "sampler": sampler,
        "strategy": strategy,
        "random_state": draw(st.sampled_from(["int", "uint32", "generator", "legacy"])),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "shuffle": draw(st.booleans()),
        "replacement": draw(st.booleans()),
        "weights": draw(st.sampled_from([None, "array", "list", "series"])),
    }


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


class _Constant:
    """A callable sampling_strategy returning a fixed dict (and a readable repr)."""

    def __init__(self, mapping):
        self.mapping = mapping

    def __call__(self, y):
        assert isinstance(y, np.ndarray) and y.ndim == 1
        return dict(self.mapping)

    def __repr__(self):
        return f"_Constant({self.mapping!r})"


def _random_state(case):
    seed = case["seed"]
    return {
        "int": lambda: seed,
        "uint32": lambda: np.uint32(seed),
        "generator": lambda: np.random.default_rng(seed),
        "legacy": lambda: np.random.RandomState(seed),
    }[case["random_state"]]()


def _sampler(case):
    cls = case["sampler"]
    params = {
        "sampling_strategy": case["strategy"],
        "random_state": _random_state(case),
    }
    if cls in (RandomUnderSampler, RandomOverSampler):
        params["shuffle"] = case["shuffle"]
    if cls is RandomUnderSampler:
        params["replacement"] = case["replacement"]
    return cls(**params)


def _imblearn_strategy(case):
    """imbalanced-learn's sampling_strategy_ for this case, or its error."""
    values = np.asarray(case["y"])
    if values.dtype.kind == "U" or isinstance(case["y"], pd.Series):
        values = values.astype(object)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = check_sampling_strategy(
                case["strategy"], values, KIND[case["sampler"]]
            )
    except (ValueError, TypeError) as exc:
        return exc
    return {
        (k.item() if isinstance(k, np.generic) else k): int(v) for k, v in found.items()
    }


def _run(sampler, X, y, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if w is None:
            return sampler.fit_resample(X, y)
        return sampler.fit_resample(X, y, sample_weight=w)


@settings(FUZZ, max_examples=120)
@given(case=_label_cases())
def test_fuzz_labels_strategies_seeds_and_weights(case):
    y, codes = case["y"], case["codes"]
    n, k = codes.shape[0], len(case["classes"])
    X = np.column_stack([np.arange(n), -np.arange(n)]).astype(np.float64)
    base = np.arange(n) + 0.5
    w = {
        None: None,
        "array": base,
        "list": base.tolist(),
        "series": pd.Series(base, index=np.arange(n) + 100),
    }[case["weights"]]
    before = [X.copy(), copy.deepcopy(y), copy.deepcopy(w)]
    expected = _imblearn_strategy(case)
    sampler = _sampler(case)
    try:
        out = _run(sampler, X, y, w)
    except (ValueError, TypeError) as exc:
        assert len(str(exc)) > 20
        assert not hasattr(sampler, "sample_indices_")
        return
    # Inputs unmodified.
    np.testing.assert_array_equal(X, before[0])
    if isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y, before[1])
    else:
        assert y.dtype == before[1].dtype
        np.testing.assert_array_equal(y, before[1])
    if isinstance(w, pd.Series):
        pd.testing.assert_series_equal(w, before[2])
    elif w is not None:
        np.testing.assert_array_equal(w, before[2])
    # Every output row is X[sample_indices_[i]]; labels and weights aligned.
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(out[0], X[rows])
    if isinstance(y, pd.Series):
        assert out[1].dtype == y.dtype
        assert out[1].tolist() == y.iloc[rows].tolist()
    else:
        assert out[1].dtype == y.dtype
        assert out[1].tolist() == y[rows].tolist()
    if w is not None:
        assert type(out[2]) is type(w)
        np.testing.assert_array_equal(np.asarray(out[2]), base[rows])
    # Counts per class: those of sampling_strategy_.
    drawn = np.bincount(codes[rows], minlength=k)
    original = np.bincount(codes, minlength=k)
    report = sampler.sampling_strategy_
    assert all(type(key) in (int, float, str, bool) for key in report)
    for c, cls in enumerate(case["classes"]):
        if case["sampler"] is RandomUnderSampler:
            assert drawn[c] == report.get(cls, original[c])
        elif case["sampler"] is RandomOverSampler:
            assert drawn[c] == original[c] + report.get(cls, 0)
        else:
            assert drawn[c] == report[cls]
    # imbalanced-learn's meaning of sampling_strategy (the two samplers it has).
    if case["sampler"] in (RandomUnderSampler, RandomOverSampler):
        if isinstance(expected, Exception):
            # The one documented difference: a bootstrap may exceed a class.
            assert case["sampler"] is RandomUnderSampler and case["replacement"]
            assert "less or equal" in str(expected)
        else:
            assert report == expected
        if not case["shuffle"]:
            assert (np.diff(rows) >= 0).all()
    # The same seed: the same rows.
    again = _sampler(case)
    _run(again, X, y, w)
    np.testing.assert_array_equal(again.sample_indices_, rows)


@st.composite
def _container_cases(draw):
    k = draw(st.integers(2, 5))
    counts = draw(st.lists(st.integers(1, 15), min_size=k, max_size=k))
    codes = np.repeat(np.arange(k), counts)
    order = np.random.default_rng(draw(st.integers(0, 999))).permutation(len(codes))
    return {
        "k": k,
        "codes": codes[order],
        "y": draw(st.sampled_from(["onehot", "cat_int", "int8", "list", "str", "col"])),
        "categories": draw(st.permutations([*range(k), 99])),
        "sampler": draw(st.sampled_from(ALL_SAMPLERS)),
        "form": draw(st.sampled_from(["name", "float", "dict", "callable"])),
        "name": draw(
            st.sampled_from(
                ["auto", "minority", "majority", "not minority", "not majority", "all"]
            )
        ),
        "ratio": draw(st.floats(0.05, 1.0)),
        "named": draw(st.lists(st.integers(0, k - 1), unique=True)),
        "factors": draw(st.lists(st.floats(0, 2.5), min_size=k, max_size=k)),
        "n_samples": draw(st.one_of(st.none(), st.integers(1, 60))),
        "power": draw(st.sampled_from([0.0, 0.5, 1.0, np.float32(0.25), 1])),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "shuffle": draw(st.booleans()),
        "replacement": draw(st.booleans()),
        "compact": draw(st.booleans()),
    }


def _container_y(case):
    """``(y, its class of each code)`` in the case's container."""
    codes, k = case["codes"], case["k"]
    if case["y"] == "onehot":
        return np.eye(k, dtype=np.int64)[codes], list(range(k))
    if case["y"] == "cat_int":
        categories = [10 * c for c in case["categories"]]
        return pd.Series(pd.Categorical(codes * 10, categories)), [
            10 * c for c in range(k)
        ]
    if case["y"] == "int8":
        return (codes * 50 - 100).astype(np.int8), [50 * c - 100 for c in range(k)]
    if case["y"] == "list":
        return [f"L{c}" for c in codes], [f"L{c}" for c in range(k)]
    if case["y"] == "col":
        return (codes * 3).reshape(-1, 1), [3 * c for c in range(k)]
    index = [f"r{i}" for i in range(len(codes))]
    y = pd.Series([f"s{c}" for c in codes], index=index, dtype="string")
    return y, [f"s{c}" for c in range(k)]


def _container_sampler(case, classes):
    counts = np.bincount(case["codes"], minlength=case["k"])
    strategy = {
        "name": case["name"],
        "float": case["ratio"],
    }.get(case["form"])
    if strategy is None:
        strategy = {
            classes[c]: int(counts[c] * case["factors"][c]) for c in case["named"]
        }
        if case["form"] == "callable":
            strategy = _Constant(strategy)
    cls = case["sampler"]
    params = {"sampling_strategy": strategy, "random_state": case["seed"]}
    if cls in (RandomUnderSampler, RandomOverSampler):
        params["shuffle"] = case["shuffle"]
    if cls is RandomUnderSampler:
        params["replacement"] = case["replacement"]
    if cls is ClassBalancedSampler:
        params["n_samples"] = case["n_samples"]
        params["power"] = case["power"]
    return cls(**params)


@settings(FUZZ, max_examples=80)
@given(case=_container_cases())
def test_fuzz_label_containers_plans_and_fit(case):
    y, classes = _container_y(case)
    codes, k = case["codes"], case["k"]
    n = codes.shape[0]
    X = np.arange(n)[:, None] * np.array([1, -1])
    w = np.arange(n) * 0.5
    y_before = copy.deepcopy(y)
    sampler = _container_sampler(case, classes)
    # plan() takes 1-D labels: a one-hot y is planned by its argmax.
    y_plan = codes if case["y"] == "onehot" else y
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    except (ValueError, TypeError) as exc:
        assert len(str(exc)) > 20
        assert not hasattr(sampler, "sample_indices_")
        with pytest.raises((ValueError, TypeError)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _container_sampler(case, classes).plan(y_plan)
        return
    if isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y, y_before)
    elif isinstance(y, list):
        assert y == y_before
    else:
        np.testing.assert_array_equal(y, y_before)
    rows = sampler.sample_indices_
    np.testing.assert_array_equal(X_res, X[rows])
    np.testing.assert_array_equal(w_res, w[rows])
    drawn_codes = codes[rows]
    if case["y"] == "onehot":
        np.testing.assert_array_equal(y_res, np.eye(k, dtype=np.int64)[drawn_codes])
    elif case["y"] == "col":
        assert y_res.shape == (rows.shape[0], 1)
        np.testing.assert_array_equal(y_res.ravel(), drawn_codes * 3)
    elif case["y"] == "list":
        assert y_res == [f"L{c}" for c in drawn_codes]
    elif case["y"] == "int8":
        assert y_res.dtype == np.int8
        np.testing.assert_array_equal(y_res, drawn_codes * 50 - 100)
    else:
        assert y_res.dtype == y.dtype
        assert y_res.tolist() == [classes[c] for c in drawn_codes]
    drawn = np.bincount(drawn_codes, minlength=k)
    original = np.bincount(codes, minlength=k)
    report = sampler.sampling_strategy_
    for c, cls in enumerate(classes):
        if case["sampler"] is RandomUnderSampler:
            assert drawn[c] == report.get(cls, original[c])
        elif case["sampler"] is RandomOverSampler:
            assert drawn[c] == original[c] + report.get(cls, 0)
        else:
            assert drawn[c] == report[cls]
    if case["sampler"] is ClassBalancedSampler:
        assert rows.shape[0] == (n if case["n_samples"] is None else case["n_samples"])
    if case["sampler"] in (RandomUnderSampler, RandomOverSampler):
        if not case["shuffle"]:
            assert (np.diff(rows) >= 0).all()
    # plan() draws the same rows from the same seed, compact or not.
    plan = _container_sampler(case, classes).plan(y_plan, compact=case["compact"])
    drawn_again = plan.draw(np.random.default_rng(case["seed"]))
    np.testing.assert_array_equal(drawn_again, rows)
    # fit() reports what fit_resample does (class-balanced: drawn counts vary).
    if case["sampler"] is not ClassBalancedSampler:
        fitted = _container_sampler(case, classes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted.fit(X, y)
        assert fitted.sampling_strategy_ == report


# --------------------------------------------------------------------------
# Threads: draws above the real PARALLEL_ABOVE threshold (no monkeypatching)


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(sampling_strategy={0: 1_050_000}, random_state=1),
        RandomUnderSampler(
            sampling_strategy={0: 1_050_000, 1: 200_000},
            replacement=True,
            random_state=1,
        ),
        RandomUnderSampler(
            sampling_strategy={0: 1_050_000}, shuffle=False, random_state=1
        ),
        RandomOverSampler(random_state=1),
        RandomOverSampler(shuffle=False, random_state=1),
        ClassBalancedSampler(random_state=1),
        LabelShuffleSampler(random_state=1),
    ],
    ids=repr,
)
def test_large_draws_do_not_depend_on_the_thread_count(sampler, monkeypatch):
    n = _indices.PARALLEL_ABOVE + 300_001
    rng = np.random.default_rng(0)
    y = (rng.random(n) < 0.1).astype(np.int8) + (rng.random(n) < 0.05)
    assert Counter(y.tolist())[0] > 1_050_000
    X = np.zeros((n, 1), dtype=np.int8)
    drawn = []
    for threads in ("1", "2", "3"):
        monkeypatch.setenv("REBALANCE_NUM_THREADS", threads)
        sampler.fit_resample(X, y)
        drawn.append(sampler.sample_indices_)
    assert drawn[0].shape[0] > _indices.PARALLEL_ABOVE
    np.testing.assert_array_equal(drawn[0], drawn[1])
    np.testing.assert_array_equal(drawn[0], drawn[2])
