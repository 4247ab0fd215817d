"""Review 128, area ``comparefuzz``: hypothesis fuzzing of ``rebalance.compare.compare``
and the column planning it relies on (``rebalance/_columns.py``).

Small random tables (30-80 rows, 1-6 columns) mixing ints, floats with NaN,
booleans, categories, free text, numbers as text ("1,234.5"), percents
("34 %"), currency, dates as text and datetime64, constant, all-missing and
id-like columns, label copies (leaks), pandas categoricals and the nullable
Int64 / boolean / string[pyarrow] dtypes, as pandas and as polars frames.
Labels: 2-4 classes, ints or strings, the rarest with exactly ``folds`` rows.

Invariants: a result or a ValueError/TypeError naming what to change (never
another exception, never a warning); the same seed gives the same scores;
``oof`` has one row per input row, in input order (checked with a feature
that gives the label away, so each oof row must put its weight on that row's
own class); a label copy is reported in ``leaks``; dropping an unused column
changes nothing; the input frame is not modified. A target with a class
below ``folds`` rows is refused before any fit, naming ``folds=``.
Shuffling rows is not documented to permute ``oof`` (the folds depend on the
row order), so that is not asserted. ``method_names=["none", "class-weight"]``
and ``folds=2`` keep each example fast.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rebalance import compare as compare_module  # noqa: E402
from rebalance.compare import compare  # noqa: E402

METHODS = ["none", "class-weight"]
KINDS = [
    "int",
    "float",
    "bool",
    "cat",
    "text",
    "numtext",
    "pct",
    "cur",
    "datetext",
    "dt64",
    "const",
    "allna",
    "id",
    "pdcat",
    "Int64",
    "boolean",
    "pyarrow",
]
FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _column(kind, n, rng):
    if kind == "int":
        return rng.integers(-5, 50, n)
    if kind == "float":
        values = rng.normal(size=n)
        values[rng.random(n) < 0.15] = np.nan
        return values
    if kind == "bool":
        return rng.random(n) < 0.5
    if kind == "cat":
        return rng.choice(["a", "b", "c"], n).astype(object)
    if kind == "text":
        words = ["red", "fox", "dog", "lazy", "jumps", "over"]
        return [" ".join(rng.choice(words, 4)) for _ in range(n)]
    if kind == "numtext":
        return [f"{x:,.1f}" for x in rng.normal(2000, 800, n)]
    if kind == "pct":
        return [f"{x:.0f} %" for x in rng.uniform(0, 100, n)]
    if kind == "cur":
        return [f"${x:,.2f}" for x in rng.uniform(0, 5000, n)]
    if kind == "datetext":
        days = rng.integers(0, 900, n)
        return [
            str(pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(d)))[:10]
            for d in days
        ]
    if kind == "dt64":
        return pd.Timestamp("2020-01-01") + pd.to_timedelta(
            rng.integers(0, 900, n), unit="D"
        )
    if kind == "const":
        return np.full(n, 3.0)
    if kind == "allna":
        return np.full(n, np.nan)
    if kind == "id":
        return [f"ID{i:05d}" for i in rng.permutation(n)]
    if kind == "pdcat":
        return pd.Categorical(rng.choice(["x", "y", "z"], n))
    if kind == "Int64":
        out = pd.array(rng.integers(0, 9, n), dtype="Int64")
        out[rng.random(n) < 0.2] = pd.NA
        return out
    if kind == "boolean":
        out = pd.array(rng.random(n) < 0.5, dtype="boolean")
        out[rng.random(n) < 0.2] = pd.NA
        return out
    if kind == "pyarrow":
        pytest.importorskip("pyarrow")
        return pd.array(rng.choice(["p", "q", None], n), dtype="string[pyarrow]")
    raise AssertionError(kind)


def _labels(n, k, rng, as_text, smallest=2):
    """n labels of k classes, the last class with exactly ``smallest`` rows."""
    codes = np.array([i % (k - 1) for i in range(n - smallest)] + [k - 1] * smallest)
    rng.shuffle(codes)
    if as_text:
        return np.array([f"cls{c}" for c in codes], dtype=object), codes
    return codes * 10 + 1, codes


@st.composite
def tables(draw):
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(30, 80))
    k = draw(st.integers(2, 4))
    as_text = draw(st.booleans())
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    y, codes = _labels(n, k, rng, as_text)
    X = pd.DataFrame(
        {f"c{i}_{kind}": _column(kind, n, rng) for i, kind in enumerate(kinds)}
    )
    return X, y, codes


def _run(X, y, **kwargs):
    kwargs.setdefault("folds", 2)
    kwargs.setdefault("method_names", METHODS)
    return compare(X, y, progress=False, **kwargs)


def _checked(X, y, **kwargs):
    """compare(), with every warning an error and only clear refusals let out."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return _run(X, y, **kwargs)
        except (ValueError, TypeError) as exc:
            text = str(exc)
            # A refusal of this package: names a column / argument and a fix.
            assert "column" in text or "=" in text, text
            assert len(text) > 40, text
            return None


@FUZZ
@given(tables(), st.booleans())
def test_fuzz_result_or_clear_refusal_leak_and_row_order(case, leak):
    X, y, codes = case
    if leak:
        X = X.assign(label_copy=y)
    before = X.copy(deep=True)
    result = _checked(X, y)
    pd.testing.assert_frame_equal(X, before)  # not modified
    if result is None:
        # The only refusal these tables can earn: no usable column left.
        used_kinds = {c.split("_", 1)[1] for c in X.columns}
        assert used_kinds <= {"const", "allna", "id"}, used_kinds
        return
    n, k = len(y), int(codes.max()) + 1
    assert list(result.y) == list(codes)  # classes in sorted order, rows in order
    for name in METHODS:
        oof = result.oof[name]
        assert oof.shape == (n, k)
        np.testing.assert_allclose(oof.sum(axis=1), 1.0, atol=1e-6)
        assert len(result.scores[name]["balanced_accuracy"]) == 2
    if leak:
        assert "label_copy" in result.leaks, (result.leaks, result.columns.describe())
        # The copy gives the rows away: oof row i favours row i's own class
        # (were the rows out of order, the hits would be near chance).
        for name in METHODS:
            hit = (result.oof[name].argmax(axis=1) == codes).mean()
            assert hit >= 0.75, (name, hit)


def _mixed_table(n=36, seed=5):
    rng = np.random.default_rng(seed)
    y, codes = _labels(n, 3, rng, as_text=True)
    kinds = ["float", "float", "pct", "cat", "Int64"]
    X = pd.DataFrame(
        {f"c{i}_{kind}": _column(kind, n, rng) for i, kind in enumerate(kinds)}
    )
    X["c1_float"] = X["c0_float"] + codes  # something to learn
    return X, y, codes


def test_same_seed_same_scores_and_oof():
    X, y, _ = _mixed_table()
    first, second = _run(X, y, seed=7), _run(X, y, seed=7)
    assert first.scores == second.scores
    for name in METHODS:
        np.testing.assert_array_equal(first.oof[name], second.oof[name])
    other = _run(X, y, seed=8)
    assert any(not np.array_equal(other.oof[name], first.oof[name]) for name in METHODS)


def test_polars_frame_same_as_pandas_and_not_modified():
    pl = pytest.importorskip("polars")
    X, y, _ = _mixed_table()
    frame = pl.from_pandas(X)
    copy = frame.clone()
    expected = _checked(X, y)
    got = _checked(frame, y)
    assert frame.equals(copy)
    assert expected is not None and got is not None
    assert got.scores == expected.scores
    assert got.leaks == expected.leaks == {}


def test_dropping_unused_columns_changes_nothing():
    X, y, _ = _mixed_table()
    rng = np.random.default_rng(1)
    X = X.assign(
        zz_const=np.full(len(y), 7.0),
        zz_empty=np.nan,
        zz_id=[f"row-{i}" for i in rng.permutation(len(y))],
    )
    full = _checked(X, y)
    unused = [c for c in X.columns if c not in full.columns.used]
    # A constant column is planned as used (it scales to zeros), the empty
    # and id-like ones are left out.
    assert {"zz_empty", "zz_id"} <= set(unused)
    unused.append("zz_const")
    fewer = _run(X.drop(columns=unused), y)
    assert fewer.scores == full.scores


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(30, 80), st.integers(2, 4), st.booleans(), st.integers(0, 999))
def test_fuzz_rare_class_below_folds_refused_before_any_fit(
    monkeypatch_module, n, k, as_text, seed
):
    rng = np.random.default_rng(seed)
    y, _ = _labels(n, k, rng, as_text, smallest=2)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["u", "v"], n)})
    # Two rows of the rarest class: folds=2 runs, folds=3 is refused
    # before any estimator is built, naming folds=.
    with pytest.raises(ValueError, match=r"folds=3 .*pass folds=2") as info:
        _run(X, y, folds=3)
    assert "2 rows" in str(info.value)
    assert monkeypatch_module["fits"] == 0


@pytest.fixture(scope="module")
def monkeypatch_module():
    calls = {"fits": 0}
    original = compare_module._fit_predict

    def counting(*args, **kwargs):
        calls["fits"] += 1
        return original(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(compare_module, "_fit_predict", counting)
    yield calls
    mp.undo()


def test_rare_class_with_exactly_folds_rows_runs():
    rng = np.random.default_rng(3)
    y, codes = _labels(40, 3, rng, as_text=True, smallest=2)
    X = pd.DataFrame({"a": codes + rng.normal(scale=0.05, size=40)})
    result = _run(X, y)
    assert result.labels == ["cls0", "cls1", "cls2"]
    # The rare class has one row in each test fold: its recall per fold is 0 or 1.
    assert set(np.unique(result.recalls["none"][:, 2])) <= {0.0, 1.0}


def test_single_row_class_refused_naming_folds_and_rows():
    y = np.array([0] * 20 + [1] * 19 + [2])
    X = pd.DataFrame({"a": np.arange(40.0)})
    with pytest.raises(ValueError, match="single row.*whatever folds= is"):
        _run(X, y)


def test_inf_column_refused_by_name():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"ok": rng.normal(size=40), "bad": rng.normal(size=40)})
    X.loc[5, "bad"] = np.inf
    with pytest.raises(ValueError, match=r"\['bad'\].*infinite.*drop="):
        _run(X, np.array([0, 1] * 20))
