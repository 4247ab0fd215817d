"""Review 95, area user5: rebalance as a new user combines it with other libraries.

Small realistic scripts written from README.md and the docstrings, each
checked against imbalanced-learn 0.14, plain scikit-learn or plain torch
where there is an equivalent:

- scikit-learn: imblearn ``Pipeline`` with our samplers, ``GridSearchCV`` over
  sampler parameters, ``cross_val_predict``, ``clone``, pickling of fitted
  ``ResampledClassifier`` / ``ThresholdMover``, a scikit-learn ``Pipeline``
  with ``set_output(transform="pandas")`` and ``rc__sample_weight``, metadata
  routing with ``sample_weight``, ``FrozenEstimator`` around a fitted model;
- pandas labels (categorical, string, Int64, boolean) in a named Series with a
  non-default, duplicated index; polars DataFrames / Series; rows are checked
  to stay with their labels and weights to follow the drawn rows (the fitted
  coefficients equal a manual fit on ``sample_indices_``);
- torch: ``RebalanceSampler`` / ``BalancedBatchSampler`` in a ``DataLoader``
  with ``num_workers=2`` (fork) and persistent workers, a ``Subset``, a
  dataset with ``__getitems__``; the focal losses in a tiny training loop,
  ``state_dict`` round trip, ``.to(torch.float64)``, ``.half()``; weights from
  ``rebalance.class_weights`` against ``torch.nn.CrossEntropyLoss``.

No bug was found: every test below pins behaviour that is right now
(no strict xfails).
"""

import pickle
import sys
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    cross_val_predict,
    cross_validate,
)

from rebalance import (  # noqa: E402
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
    sample_weights,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    X = rng.normal(size=(n, 3)) + 2 * y[:, None]
    sw = rng.uniform(0.5, 2.0, n)
    return X, y, sw


def _labels(kind, y):
    if kind == "category":
        return pd.Categorical(np.where(y, "pos", "neg"))
    if kind == "string":
        return pd.array(np.where(y, "pos", "neg"), dtype="string")
    if kind == "Int64":
        return pd.array(y, dtype="Int64")
    return pd.array(y.astype(bool), dtype="boolean")


LABEL_KINDS = ["category", "string", "Int64", "boolean"]


def _rows_match(X, y, X_res, y_res):
    """Every drawn (row, label) pair is a (row, label) pair of the input."""
    pairs = {tuple(np.round(r, 12)): lab for r, lab in zip(X.tolist(), y)}
    got = zip(np.round(np.asarray(X_res, dtype=float), 12).tolist(), list(y_res))
    return all(pairs[tuple(r)] == lab for r, lab in got)


@pytest.mark.parametrize("kind", LABEL_KINDS)
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_pandas_labels_dup_index_rows_stay_with_labels(kind, sampler):
    X, y, _ = _data()
    index = np.repeat(np.arange(150), 2)[::-1]
    ys = pd.Series(_labels(kind, y), name="target", index=index)
    Xd = pd.DataFrame(X, columns=list("abc"), index=index)
    s = sampler(random_state=0)
    X_res, y_res = s.fit_resample(Xd, ys)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert y_res.name == "target" and y_res.dtype == ys.dtype
    assert _rows_match(X, list(ys), X_res.to_numpy(), y_res)
    # sample_indices_ are positions in the input, as in imbalanced-learn
    assert (np.asarray(ys)[s.sample_indices_] == np.asarray(y_res)).all()


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_pandas_labels_counts_match_imblearn(kind):
    imb_under = pytest.importorskip("imblearn.under_sampling")
    imb_over = pytest.importorskip("imblearn.over_sampling")
    X, y, _ = _data()
    ys = pd.Series(_labels(kind, y), index=np.arange(1000, 1300))
    for ours, theirs in [
        (RandomUnderSampler, imb_under.RandomUnderSampler),
        (RandomOverSampler, imb_over.RandomOverSampler),
    ]:
        a = ours(random_state=0).fit_resample(X, ys)[1]
        b = theirs(random_state=0).fit_resample(X, ys)[1]
        assert pd.Series(np.asarray(a)).value_counts().to_dict() == (
            pd.Series(np.asarray(b)).value_counts().to_dict()
        )


_STRATEGIES = [
    ("under", "RandomUnderSampler", strategy)
    for strategy in ["auto", "majority", "not minority", "all", {0: 20, 1: 12, 2: 5}]
] + [
    ("over", "RandomOverSampler", strategy)
    for strategy in ["auto", "minority", "not majority", {1: 30, 2: 40}]
]


@pytest.mark.parametrize("kind, name, strategy", _STRATEGIES)
def test_sampling_strategy_counts_match_imblearn(kind, name, strategy):
    imb = pytest.importorskip(f"imblearn.{kind}_sampling")
    y = np.array([0] * 50 + [1] * 12 + [2] * 5)
    X = np.random.default_rng(0).normal(size=(67, 2))
    ours = globals()[name](sampling_strategy=strategy, random_state=0)
    theirs = getattr(imb, name)(sampling_strategy=strategy, random_state=0)
    assert np.bincount(ours.fit_resample(X, y)[1]).tolist() == (
        np.bincount(theirs.fit_resample(X, y)[1]).tolist()
    )


def test_missing_label_error_names_argument_and_fix():
    X, y, _ = _data(n=20)
    ys = pd.Series(pd.array(list(y[:-1]) + [None], dtype="Int64"))
    with pytest.raises(ValueError, match=r"y has missing labels.*fillna"):
        RandomUnderSampler().fit_resample(X, ys)


def test_misordered_index_errors_name_argument_and_fix():
    rng = np.random.default_rng(0)
    y = (rng.random(40) < 0.3).astype(int)
    X = rng.normal(size=(40, 2))
    dup_x = np.repeat(np.arange(20), 2)
    dup_other = np.tile(np.arange(20), 2)
    with pytest.raises(
        ValueError, match=r"y holds the index of X in another order.*y\.loc"
    ):
        RandomUnderSampler(random_state=0).fit_resample(
            pd.DataFrame(X, index=dup_x), pd.Series(y, index=dup_other)
        )
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    with pytest.raises(
        ValueError, match=r"sample_weight holds the index of X in another order"
    ):
        rc.fit(
            pd.DataFrame(X, index=dup_x),
            pd.Series(y, index=dup_x),
            sample_weight=pd.Series(np.ones(40), index=dup_other),
        )


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_polars_frames_rows_stay_with_labels(sampler):
    pl = pytest.importorskip("polars")
    X, y, _ = _data()
    Xp = pl.DataFrame(X, schema=list("abc"))
    yp = pl.Series("t", y)
    X_res, y_res = sampler(random_state=0).fit_resample(Xp, yp)
    assert isinstance(X_res, pl.DataFrame) and isinstance(y_res, pl.Series)
    assert y_res.name == "t"
    assert _rows_match(X, y.tolist(), X_res.to_numpy(), y_res.to_list())


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_resampled_classifier_weights_follow_rows_pandas(kind):
    X, y, sw = _data()
    index = np.repeat(np.arange(150), 2)[::-1]
    ys = pd.Series(_labels(kind, y), name="t", index=index)
    Xd = pd.DataFrame(X, columns=list("abc"), index=index)
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    rc.fit(Xd, ys, sample_weight=pd.Series(sw, index=index))
    i = rc.sampler_.sample_indices_
    manual = LogisticRegression().fit(X[i], np.asarray(ys)[i], sample_weight=sw[i])
    np.testing.assert_allclose(rc.classifier_.coef_, manual.coef_)
    assert list(rc.classes_) == sorted(set(np.asarray(ys)))
    assert (rc.predict(Xd) == manual.predict(X)).all()


def test_resampled_classifier_polars():
    pl = pytest.importorskip("polars")
    X, y, sw = _data()
    yp = pl.Series("t", np.where(y, "pos", "neg"))
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    rc.fit(pl.DataFrame(X, schema=list("abc")), yp, sample_weight=pl.Series(sw))
    i = rc.sampler_.sample_indices_
    manual = LogisticRegression().fit(
        X[i], np.where(y, "pos", "neg")[i], sample_weight=sw[i]
    )
    np.testing.assert_allclose(rc.classifier_.coef_, manual.coef_)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_imblearn_pipeline_grid_cvp_clone_pickle(sampler):
    imb_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y, _ = _data(n=200)
    pipe = imb_pipeline.Pipeline(
        [("s", sampler(random_state=0)), ("lr", LogisticRegression())]
    )
    grid = GridSearchCV(pipe, {"s__random_state": [0, 1]}, cv=3).fit(X, y)
    assert grid.best_params_["s__random_state"] in (0, 1)
    pred = cross_val_predict(pipe, X, y, cv=3)
    assert pred.shape == (200,)
    assert clone(sampler(random_state=3)).get_params()["random_state"] == 3
    s = sampler(random_state=0)
    a = s.fit_resample(X, y)[1]
    s2 = pickle.loads(pickle.dumps(s))
    assert (s2.fit_resample(X, y)[1] == a).all()


def test_imblearn_pipeline_sample_weight_error_names_fix():
    imb_pipeline = pytest.importorskip("imblearn.pipeline")
    X, y, sw = _data(n=100)
    pipe = imb_pipeline.Pipeline(
        [("s", RandomUnderSampler(random_state=0)), ("lr", LogisticRegression())]
    )
    with pytest.raises(ValueError, match="ResampledClassifier"):
        pipe.fit(X, y, lr__sample_weight=sw)


def test_sklearn_pipeline_set_output_pandas_weights_follow_rows():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, sw = _data()
    Xd = pd.DataFrame(X, columns=list("abc"))
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    pipe = Pipeline([("sc", StandardScaler()), ("rc", rc)]).set_output(
        transform="pandas"
    )
    pipe.fit(Xd, y, rc__sample_weight=sw)
    fitted = pipe.named_steps["rc"]
    i = fitted.sampler_.sample_indices_
    Xs = StandardScaler().fit_transform(X)
    manual = LogisticRegression().fit(Xs[i], y[i], sample_weight=sw[i])
    np.testing.assert_allclose(fitted.classifier_.coef_, manual.coef_)
    assert list(fitted.classifier_.feature_names_in_) == ["a", "b", "c"]


def test_grid_search_over_sampler_objects_and_classifier_params():
    X, y, _ = _data(n=200)
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    grid = GridSearchCV(
        rc,
        {
            "sampler": [
                RandomUnderSampler(random_state=0),
                RandomOverSampler(random_state=0),
            ],
            "classifier__C": [0.1, 1.0],
        },
        cv=3,
    ).fit(X, y)
    assert set(grid.best_params_) == {"sampler", "classifier__C"}


def test_fitted_models_pickle_and_frozen():
    from sklearn.frozen import FrozenEstimator

    X, y, sw = _data()
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    rc.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(rc)).predict_proba(X), rc.predict_proba(X)
    )
    frozen = ThresholdMover(FrozenEstimator(rc), "argmax").fit(X, y)
    np.testing.assert_allclose(frozen.predict_proba(X), rc.predict_proba(X))
    # deploy_priors='train' on a frozen model equals the unfrozen one
    plain = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression()
    )
    plain.fit(X, y)
    a = ThresholdMover(FrozenEstimator(plain), "argmax", deploy_priors="train").fit(
        X, y
    )
    b = ThresholdMover(plain, "argmax", deploy_priors="train").fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    tm = ThresholdMover(LogisticRegression(), "prior").fit(X, y)
    assert (pickle.loads(pickle.dumps(tm)).predict(X) == tm.predict(X)).all()
    assert (FrozenEstimator(tm).fit(X[:10], y[:10]).predict(X) == tm.predict(X)).all()
    scores = cross_validate(ThresholdMover(FrozenEstimator(rc), "prior"), X, y, cv=3)
    assert np.isfinite(scores["test_score"]).all()


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_threshold_mover_and_cvp_pandas_labels(kind):
    X, y, _ = _data()
    ys = pd.Series(_labels(kind, y), name="t", index=np.arange(500, 800))
    tm = ThresholdMover(LogisticRegression(), "prior").fit(X, ys)
    assert set(tm.predict(X)) <= set(np.asarray(ys))
    rc = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    assert cross_val_predict(rc, X, ys, cv=3, method="predict_proba").shape == (300, 2)


def test_metadata_routing_sample_weight():
    import sklearn

    X, y, sw = _data()
    with sklearn.config_context(enable_metadata_routing=True):
        lr = LogisticRegression().set_fit_request(sample_weight=True)
        rc = ResampledClassifier(RandomUnderSampler(random_state=0), lr).fit(
            X, y, sample_weight=sw
        )
        i = rc.sampler_.sample_indices_
        manual = LogisticRegression().fit(X[i], y[i], sample_weight=sw[i])
        np.testing.assert_allclose(rc.classifier_.coef_, manual.coef_)
        pred = cross_val_predict(rc, X, y, cv=3, params={"sample_weight": sw})
        assert pred.shape == (300,)
        unrequested = ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression()
        )
        with pytest.raises(Exception, match="set_fit_request"):
            unrequested.fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_class_and_sample_weights_match_sklearn(kind):
    from sklearn.utils.class_weight import compute_sample_weight

    _, y, _ = _data()
    ys = pd.Series(_labels(kind, y), index=np.arange(300)[::-1])
    np.testing.assert_allclose(
        np.asarray(sample_weights(ys)), compute_sample_weight("balanced", y)
    )
    w = class_weights(ys)
    counts = np.bincount(y)
    assert sorted(w.values()) == pytest.approx(sorted(300 / (2 * counts)))


# ---------------------------------------------------------------- torch side

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset  # noqa: E402

from rebalance.torch import (  # noqa: E402
    BalancedBatchSampler,
    ClassWeightedCrossEntropyLoss,
    IndexBatchSampler,
    RebalanceSampler,
    SigmoidFocalLoss,
    SoftmaxFocalLoss,
)

_FORK = pytest.mark.skipif(sys.platform != "linux", reason="fork start method")


def _loader_epochs(
    dataset, y, *, sampler=None, batch_sampler=None, workers=0, epochs=2
):
    kw = {"num_workers": workers}
    if workers:
        kw.update(multiprocessing_context="fork", persistent_workers=True)
    if batch_sampler is not None:
        loader = DataLoader(dataset, batch_sampler=batch_sampler, **kw)
    else:
        loader = DataLoader(dataset, sampler=sampler, batch_size=16, **kw)
    out = []
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        xs, ys = [], []
        for xb, yb in loader:
            xs.append(torch.as_tensor(xb)[:, 0].long())
            ys.append(torch.as_tensor(yb))
        xs = torch.cat(xs).numpy()
        ys = torch.cat(ys).numpy()
        assert (y[xs] == ys).all()  # rows with their labels
        out.append((xs.tolist(), np.bincount(ys, minlength=2).tolist()))
    return out


def _torch_data():
    y = (np.random.default_rng(0).random(200) < 0.2).astype(np.int64)
    X = torch.arange(200, dtype=torch.float32)[:, None]
    return X, y, TensorDataset(X, torch.from_numpy(y))


@_FORK
def test_rebalance_sampler_workers_equal_in_process():
    _, y, ds = _torch_data()
    ref = _loader_epochs(
        ds, y, sampler=RebalanceSampler(y, RandomUnderSampler(), seed=0)
    )
    got = _loader_epochs(
        ds, y, sampler=RebalanceSampler(y, RandomUnderSampler(), seed=0), workers=2
    )
    assert got == ref
    n_minority = int(y.sum())
    assert ref[0][1] == [n_minority, n_minority]
    assert ref[0][0] != ref[1][0]  # a new draw each epoch


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_rebalance_sampler_epoch_is_sklearn_draw(sampler):
    y = np.array([0] * 40 + [1] * 10 + [2] * 5)
    X = np.zeros((55, 1))
    for epoch in (0, 2):
        rs = RebalanceSampler(y, sampler(), seed=7)
        rs.set_epoch(epoch)
        s = sampler(random_state=np.random.default_rng([7, epoch]))
        s.fit_resample(X, y)
        drawn = list(rs)
        assert drawn == s.sample_indices_.tolist()
        assert len(rs) == len(drawn)


@_FORK
def test_balanced_batch_sampler_persistent_workers():
    _, y, ds = _torch_data()
    bbs = BalancedBatchSampler(y, 16, seed=0)
    ref = _loader_epochs(ds, y, batch_sampler=bbs)
    got = _loader_epochs(
        ds, y, batch_sampler=BalancedBatchSampler(y, 16, seed=0), workers=2
    )
    assert got == ref
    assert len(bbs) == len(list(bbs))
    for batch in list(BalancedBatchSampler(y, 16, seed=0)):
        assert np.bincount(y[batch], minlength=2).tolist() == [8, 8]


def test_subset_dataset_labels_of_subset():
    X, y, ds = _torch_data()
    idx = np.arange(0, 200, 2)
    sub = Subset(ds, idx.tolist())
    loader = DataLoader(
        sub, sampler=RebalanceSampler(y[idx], RandomUnderSampler(), seed=0)
    )
    batches = list(loader)  # one epoch: a second pass is a new draw
    xs = torch.cat([xb[:, 0].long() for xb, _ in batches]).numpy()
    ys = torch.cat([yb for _, yb in batches]).numpy()
    assert (y[xs] == ys).all()
    assert np.bincount(ys).tolist() == [int(y[idx].sum())] * 2


class _BatchDataset(Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])

    def __getitems__(self, indices):
        return [(self.X[i], int(self.y[i])) for i in list(indices)]


def test_getitems_dataset_index_and_balanced_batches():
    X, y, _ = _torch_data()
    ds = _BatchDataset(X, y)
    ref = _loader_epochs(
        TensorDataset(X, torch.from_numpy(y)),
        y,
        batch_sampler=IndexBatchSampler(
            RebalanceSampler(y, RandomUnderSampler(), seed=0), 16
        ),
        epochs=1,
    )
    got = _loader_epochs(
        ds,
        y,
        batch_sampler=IndexBatchSampler(
            RebalanceSampler(y, RandomUnderSampler(), seed=0), 16
        ),
        epochs=1,
    )
    assert got == ref
    _loader_epochs(ds, y, batch_sampler=BalancedBatchSampler(y, 16, seed=0), epochs=1)


@pytest.mark.parametrize("kind", ["sigmoid", "softmax"])
def test_focal_losses_training_loop_and_casts(kind):
    torch.manual_seed(0)
    if kind == "sigmoid":
        loss = SigmoidFocalLoss(gamma=2.0)
        target = torch.randint(0, 2, (64, 3)).float()
    else:
        loss = SoftmaxFocalLoss(gamma=2.0)
        target = torch.randint(0, 3, (64,))
    model = torch.nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.randn(64, 4)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        value = loss(model(x), target)
        value.backward()
        opt.step()
        losses.append(value.item())
    assert losses[-1] < losses[0]
    logits = torch.randn(8, 3)
    t8 = target[:8]
    ref = loss(logits, t8)
    state = loss.state_dict()
    again = type(loss)(gamma=2.0)
    again.load_state_dict(state)
    assert float(again(logits, t8)) == pytest.approx(float(ref))
    t64 = t8.double() if t8.is_floating_point() else t8
    out64 = loss.to(torch.float64)(logits.double(), t64)
    assert out64.dtype == torch.float64
    assert float(out64) == pytest.approx(float(ref), rel=1e-6)
    t16 = t8.half() if t8.is_floating_point() else t8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out16 = loss.half()(logits.half(), t16)
    assert out16.dtype == torch.float32  # documented: at least float32
    assert float(out16) == pytest.approx(float(ref), rel=1e-2)


def test_class_weights_into_torch_cross_entropy():
    y = np.array([0] * 30 + [1] * 6 + [2] * 4)
    w = class_weights(y)
    torch.manual_seed(0)
    logits = torch.randn(10, 3)
    target = torch.tensor([0, 1, 2, 0, 0, 1, 2, 0, 0, 0])
    weight = torch.tensor([w[k] for k in sorted(w)], dtype=torch.float32)
    ref = torch.nn.CrossEntropyLoss(weight=weight)(logits, target)
    assert float(ClassWeightedCrossEntropyLoss(w)(logits, target)) == pytest.approx(
        float(ref)
    )
    # a split missing class 1: the error names the class and the fix
    with pytest.raises(ValueError, match="no entry for class 1"):
        ClassWeightedCrossEntropyLoss(class_weights(np.array([0, 0, 2, 2, 2])))(
            logits, target
        )
    with pytest.raises(TypeError, match="alpha keys must be class indices"):
        SoftmaxFocalLoss(alpha=class_weights(np.array(["a", "b", "a"])))


def test_softmax_focal_alpha_tensor_buffer_round_trip():
    torch.manual_seed(0)
    logits = torch.randn(10, 3)
    target = torch.tensor([0, 1, 2, 0, 0, 1, 2, 0, 0, 0])
    loss = SoftmaxFocalLoss(alpha=torch.tensor([0.5, 2.0, 3.0]))
    ref = loss(logits, target)
    other = SoftmaxFocalLoss(alpha=torch.tensor([1.0, 1.0, 1.0]))
    other.load_state_dict(loss.state_dict())
    assert float(other(logits, target)) == pytest.approx(float(ref))
    assert float(loss.to(torch.float64)(logits.double(), target)) == pytest.approx(
        float(ref)
    )
