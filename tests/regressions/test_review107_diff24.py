"""Review 107 diff24: the changes since cd3af20 (review 106).

(1) ``BaseSampler.__getattr__`` raising a TypeError for ``transform`` when
scikit-learn's Pipeline/FeatureUnion checks its steps; (2) ``named_class_hint``
in ``sampling_strategy`` and ``BalancedBatchSampler(class_counts=...)``
messages; (3) the Dask row-selection check keying any source, and the refusal
of a shuffled X/y whose indexes are named differently.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from rebalance import RandomOverSampler, RandomUnderSampler

N = 40


def _frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    ids = np.arange(N)
    return pd.DataFrame(
        {
            "id": ids,
            "a": rng.normal(size=N),
            "lab": np.where(ids % 4 == 0, "pos", "neg"),
        }
    )


def _xy():
    X = np.random.default_rng(0).random((30, 3))
    y = np.r_[np.zeros(20), np.ones(10)].astype(int)
    return X, y


def _aligned(Xr, yr) -> bool:
    """Every output label is the label of its row's id (id % 4 == 0: pos)."""
    Xr = Xr.compute() if hasattr(Xr, "compute") else Xr
    yr = yr.compute() if hasattr(yr, "compute") else yr
    ids = np.asarray(Xr["id"])
    return bool((np.where(ids % 4 == 0, "pos", "neg") == np.asarray(yr)).all())


# ---------------------------------------------------------------------------
# (1) BaseSampler.__getattr__
# ---------------------------------------------------------------------------


def test_hasattr_transform_is_false_outside_sklearn_pipeline():
    s = RandomUnderSampler(random_state=0)
    assert hasattr(s, "transform") is False
    with pytest.raises(AttributeError) as info:
        s.random_stat  # noqa: B018
    # What the interpreter's "Did you mean: 'random_state'?" is built from.
    assert info.value.name == "random_stat"
    assert info.value.obj is s


def test_pickle_copy_deepcopy_and_half_built_object():
    s = RandomUnderSampler(random_state=3)
    assert pickle.loads(pickle.dumps(s)).random_state == 3
    assert copy.copy(s).random_state == 3
    assert copy.deepcopy(s).random_state == 3
    half = RandomUnderSampler.__new__(RandomUnderSampler)
    assert type(pickle.loads(pickle.dumps(half))) is RandomUnderSampler
    assert type(copy.deepcopy(half)) is RandomUnderSampler
    assert hasattr(half, "random_state") is False


def test_clone_joblib_hash_dask_tokenize_html_repr():
    from sklearn.base import clone

    s = RandomUnderSampler(random_state=3)
    assert clone(s).random_state == 3
    joblib = pytest.importorskip("joblib")
    assert joblib.hash(s) == joblib.hash(RandomUnderSampler(random_state=3))
    pytest.importorskip("dask")
    from dask.base import tokenize

    assert tokenize(s) == tokenize(s)
    assert "RandomUnderSampler" in s._repr_html_()


@pytest.mark.parametrize("kind", ["pipeline", "make_pipeline", "union", "make_union"])
def test_sklearn_pipeline_and_union_refuse_naming_the_fix(kind):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union
    from sklearn.preprocessing import StandardScaler

    s = RandomUnderSampler(random_state=0)
    X, y = _xy()
    est = {
        "pipeline": lambda: Pipeline([("s", s), ("c", LogisticRegression())]),
        "make_pipeline": lambda: make_pipeline(s, LogisticRegression()),
        "union": lambda: FeatureUnion([("s", s)]),
        "make_union": lambda: make_union(s, StandardScaler()),
    }[kind]()
    with pytest.raises(TypeError, match="imblearn.pipeline") as info:
        est.fit(X, y)
    assert "ResampledClassifier(RandomUnderSampler" in str(info.value)


def test_sklearn_pipeline_with_sampler_last_is_not_refused():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("sc", StandardScaler()), ("s", RandomUnderSampler())])
    assert hasattr(pipe, "transform") is False
    assert hasattr(pipe, "predict") is False
    X, y = _xy()
    assert pipe.fit(X, y) is pipe


def test_column_transformer_keeps_sklearn_type_error():
    from sklearn.compose import ColumnTransformer

    X, y = _xy()
    ct = ColumnTransformer([("s", RandomUnderSampler(), [0])])
    with pytest.raises(TypeError, match="fit and transform"):
        ct.fit(X, y)


def test_imblearn_pipeline_unaffected():
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = _xy()
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(), LogisticRegression())
    assert pipe.fit(X, y).predict(X).shape == (30,)
    assert hasattr(pipe, "transform") is False
    last = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0))
    assert hasattr(last, "transform") is False
    assert last.fit_resample(X, y)[0].shape == (20, 3)


def test_subclass_with_transform_or_getattr():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    class WithTransform(RandomUnderSampler):
        def transform(self, X):
            return X

    X, y = _xy()
    Pipeline([("s", WithTransform()), ("c", LogisticRegression())]).fit(X, y)

    class WithGetattr(RandomUnderSampler):
        def __getattr__(self, name):
            if name == "extra":
                return 42
            return super().__getattr__(name)

    assert WithGetattr().extra == 42
    assert hasattr(WithGetattr(), "zzz") is False


# ---------------------------------------------------------------------------
# (2) named_class_hint
# ---------------------------------------------------------------------------


def _strategy_message(y, key):
    X = np.zeros((len(y), 1))
    with pytest.raises(ValueError) as info:
        RandomOverSampler(sampling_strategy={key: 20}).fit_resample(X, y)
    return str(info.value)


def test_hint_for_string_key_on_integer_classes():
    y = np.r_[np.zeros(20), np.ones(10)].astype(np.uint8)
    assert "str2int('pos')" in _strategy_message(y, "pos")


@pytest.mark.parametrize(
    ("y", "key"),
    [
        (np.r_[np.zeros(20), np.ones(10)].astype(bool), "True"),
        (np.r_[np.zeros(20), np.ones(10)].astype(int), np.int64(5)),
        (np.where(np.arange(30) < 20, "neg", "pos"), "Pos"),
        (np.r_[np.zeros(20), np.ones(10)], "pos"),
    ],
)
def test_no_hint_where_classes_are_not_integers_or_key_not_a_string(y, key):
    message = _strategy_message(y, key)
    assert "not in y" in message
    assert "str2int" not in message


def test_class_counts_hint_and_plain_advice():
    pytest.importorskip("torch")
    from rebalance.torch import BalancedBatchSampler

    y = np.r_[np.zeros(20), np.ones(10)].astype(int)
    with pytest.raises(ValueError) as info:
        BalancedBatchSampler(y, batch_size=4, class_counts={0: 2, "pos": 2})
    assert "str2int('pos')" in str(info.value)
    assert "Remove it" not in str(info.value)
    with pytest.raises(ValueError, match="Remove it from class_counts"):
        BalancedBatchSampler(y, batch_size=4, class_counts={0: 2, 5: 2})


@pytest.mark.parametrize("where", ["sampling_strategy", "class_counts"])
def test_digit_string_key_gets_no_str2int_hint(where):
    y = np.r_[np.zeros(20), np.ones(10)].astype(int)
    if where == "sampling_strategy":
        message = _strategy_message(y, "1")
    else:
        pytest.importorskip("torch")
        from rebalance.torch import BalancedBatchSampler

        with pytest.raises(ValueError) as info:
            BalancedBatchSampler(y, batch_size=4, class_counts={0: 2, "1": 2})
        message = str(info.value)
    # '1' is the integer class 1 written as a string (a JSON config's keys),
    # not a Hugging Face class name: the hint should say to use 1.
    assert "str2int" not in message


# ---------------------------------------------------------------------------
# (3) Dask selection check on any source
# ---------------------------------------------------------------------------


def _sources(tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    df.to_csv(tmp_path / "x.csv", index=False)
    return df, {
        "from_pandas": lambda: dd.from_pandas(df, npartitions=3),
        "read_csv": lambda: dd.read_csv(tmp_path / "x.csv", blocksize=400),
        "from_dict": lambda: dd.from_dict(
            {c: df[c].to_numpy() for c in df.columns}, npartitions=3
        ),
    }


@pytest.mark.parametrize("source", ["from_pandas", "read_csv", "from_dict"])
def test_dask_ordinary_workflows_not_refused(tmp_path, source):
    _, makers = _sources(tmp_path)
    s = makers[source]()
    X = s[["id", "a"]]
    cases = [
        (s.drop(columns="lab"), s["lab"]),
        (X[X.a > 0], s["lab"][s.a > 0]),
        (s.query("a > 0")[["id", "a"]], s.query("a > 0")["lab"]),
        (s.drop(columns="lab").loc[s.a > 0], s.loc[s.a > 0, "lab"]),
    ]
    for Xi, yi in cases:
        assert _aligned(*RandomOverSampler(random_state=0).fit_resample(Xi, yi))


def test_dask_derived_labels_split_persist_not_refused():
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(_frame(), npartitions=3)
    Xr, yr = RandomOverSampler(random_state=0).fit_resample(
        ddf.drop(columns="lab"), ddf["lab"] == "pos"
    )
    Xr, yr = Xr.compute(), yr.compute()
    assert (np.asarray(yr) == (np.asarray(Xr["id"]) % 4 == 0)).all()
    part = ddf.random_split([0.5, 0.5], random_state=1)[0]
    p = ddf.persist()
    r = ddf.repartition(npartitions=2)
    si = ddf.set_index("id", drop=False)
    for f in (part, p, r, si):
        assert _aligned(
            *RandomOverSampler(random_state=0).fit_resample(
                f.drop(columns="lab"), f["lab"]
            )
        )


@pytest.mark.parametrize("source", ["from_pandas", "read_csv", "from_dict"])
def test_dask_other_selection_of_one_source_refused(tmp_path, source):
    _, makers = _sources(tmp_path)
    s = makers[source]()
    X = s.sample(frac=0.5, random_state=1)[["id", "a"]]
    y = s.sample(frac=0.5, random_state=2)["lab"]
    with pytest.raises(ValueError, match="other rows of the data X is read from"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_dask_from_delayed_and_from_array_other_selection_refused():
    dd = pytest.importorskip("dask.dataframe")
    from dask import delayed

    df = _frame()
    fd = dd.from_delayed(
        [delayed(df.iloc.__getitem__)(slice(i * 10, i * 10 + 10)) for i in range(4)],
        meta=df.iloc[:0],
    )
    with pytest.raises(ValueError, match="other rows of the data"):
        RandomOverSampler().fit_resample(
            fd.partitions[[0]].drop(columns="lab"), fd.partitions[[1]]["lab"]
        )
    fa = dd.from_array(df.to_numpy(), chunksize=10, columns=list(df.columns))
    with pytest.raises(ValueError, match="other rows of the data"):
        RandomOverSampler().fit_resample(
            fa.partitions[[0]].drop(columns="lab"), fa.partitions[[1]]["lab"]
        )


def test_dask_concat_other_selection_refused():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    cc = dd.concat(
        [
            dd.from_pandas(df.iloc[:20], npartitions=2),
            dd.from_pandas(df.iloc[20:], npartitions=2),
        ]
    )
    X = cc.sample(frac=0.5, random_state=1)[["id", "a"]]
    y = cc.sample(frac=0.5, random_state=2)["lab"]
    with pytest.raises(ValueError, match="other rows"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_dask_concat_one_selection_runs_aligned():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    cc = dd.concat(
        [
            dd.from_pandas(df.iloc[:20], npartitions=2),
            dd.from_pandas(df.iloc[20:], npartitions=2),
        ]
    )
    rows = cc[cc.a > 0]
    assert _aligned(
        *RandomOverSampler(random_state=0).fit_resample(
            rows.drop(columns="lab"), rows["lab"]
        )
    )


def test_dask_set_index_x_beside_unsorted_y_refused():
    dd = pytest.importorskip("dask.dataframe")
    df = _frame()
    perm = np.random.default_rng(1).permutation(N)
    df["id"] = perm
    df["lab"] = np.where(perm % 4 == 0, "pos", "neg")
    ddf = dd.from_pandas(df, npartitions=3)
    si = ddf.set_index("id", drop=False)
    with pytest.raises(ValueError, match=r"index is named \[None\] and X's \['id'\]"):
        RandomOverSampler().fit_resample(si.drop(columns="lab"), ddf["lab"])
    assert _aligned(
        *RandomOverSampler(random_state=0).fit_resample(
            si.drop(columns="lab"), si["lab"]
        )
    )


def test_source_key_cost_negligible_on_large_frame():
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    import time

    from rebalance._dask import _row_selection

    big = pd.DataFrame({"a": np.arange(10**6, dtype=float)})
    ddf = dd.from_pandas(big, npartitions=8)
    start = time.perf_counter()
    key = _row_selection(ddf[ddf.a > 5])
    elapsed = time.perf_counter() - start
    assert key is not None
    assert elapsed < 0.5  # about 4 ms here; tokenizing the data would be ~100x
