"""Review 130, area ``comparemlp``: ``rebalance compare`` with ``model="mlp"``
(the private torch MLP, ``rebalance/torch/_compare_model.py``) and
``model="hgb"``.

Read how ``rebalance.compare`` builds each method for these models
(``torch_methods``, ``_torch_row``, ``_threshold_row``, ``Setup.classifier``)
and ``TorchMLPClassifier``. Checked on tiny data (<= 120 rows, 2-3 folds, few
epochs): the MLP as a scikit-learn classifier (clone/get_params/set_params,
``classes_`` sorted for str and int labels, predict_proba rows and column order,
predict = classes_[argmax], no sample_weight parameter, seeded determinism,
torch global state untouched); the losses and samplers wired with the
*training fold's* class counts (spies wrapping the real functions, compared
with the folds of ``RepeatedStratifiedKFold`` computed by hand); the
threshold-prior row's training priors; ``--list-methods`` against the rows
``compare`` actually scores. No bug found.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from sklearn.utils.validation import has_fit_parameter  # noqa: E402

import rebalance.torch._compare_model as cm  # noqa: E402
from rebalance.cli import main  # noqa: E402
from rebalance.compare import compare, default_methods  # noqa: E402

M = cm.TorchMLPClassifier


def _data(labels, counts, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.asarray(labels, dtype=object), counts)
    codes = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.shape[0], 3)) + codes[:, None]
    order = rng.permutation(y.shape[0])
    return X[order], y[order]


def _train_counts(result, folds, seed=0):
    """bincount of each training fold, as compare splits (codes order)."""
    codes = np.asarray(result.y)
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=1, random_state=seed)
    k = len(result.labels)
    return [
        tuple(np.bincount(codes[tr], minlength=k).tolist())
        for tr, _ in cv.split(np.zeros(len(codes)), codes)
    ]


def test_mlp_sklearn_api_clone_params():
    m = M(loss="focal", sampler="balanced-batch", epochs=2, random_state=3)
    c = clone(m)
    assert c is not m and c.get_params() == m.get_params()
    assert c.set_params(epochs=4, hidden=5) is c
    assert (c.epochs, c.hidden, m.epochs) == (4, 5, 2)
    # No sample_weight: refused by the signature (nothing documents one), and
    # scikit-learn's check sees it, so wrappers do not pass weights silently.
    assert not has_fit_parameter(M(), "sample_weight")
    X, y = _data(["a", "b"], [30, 10])
    with pytest.raises(TypeError, match="sample_weight"):
        M(epochs=1).fit(X, y, sample_weight=np.ones(40))


@pytest.mark.parametrize(
    "labels",
    [["zeta", "alpha", "mid"], [7, -2, 3], ["yes", "no"], [5, -1]],
)
def test_mlp_classes_proba_predict(labels):
    X, y = _data(labels, [40, 25, 15][: len(labels)])
    if isinstance(labels[0], int):
        y = y.astype(np.int64)
    m = M(epochs=3, random_state=0).fit(X, y)
    assert m.classes_.tolist() == sorted(labels)
    proba = m.predict_proba(X)
    assert proba.shape == (len(y), len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    logits = m.decision_function(X).astype(np.float64)
    if len(labels) == 2:
        # column 1 is classes_[1] (sigmoid of the one logit)
        np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-6)
    else:
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        np.testing.assert_allclose(proba, e / e.sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_array_equal(m.predict(X), m.classes_[proba.argmax(axis=1)])


def test_mlp_same_seed_same_output_and_torch_state_untouched():
    X, y = _data(["a", "b", "c"], [40, 20, 10])
    threads = torch.get_num_threads()
    dtype = torch.get_default_dtype()
    torch.manual_seed(123)
    expected = torch.rand(4)
    torch.manual_seed(123)
    with torch.no_grad():
        first = M(sampler="class-balanced", epochs=3, random_state=1).fit(X, y)
        assert not torch.is_grad_enabled()
    after = torch.rand(4)
    assert torch.initial_seed() == 123
    assert torch.equal(after, expected)  # global RNG neither read nor moved
    assert torch.get_num_threads() == threads
    assert torch.get_default_dtype() == dtype
    assert torch.is_grad_enabled()
    second = M(sampler="class-balanced", epochs=3, random_state=1).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    other = M(sampler="class-balanced", epochs=3, random_state=2).fit(X, y)
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))


class _Spy:
    def __init__(self, monkeypatch):
        self.calls = {}
        self.mp = monkeypatch

    def wrap(self, name, pick):
        real = getattr(cm, name)

        def spy(*args, **kwargs):
            self.calls.setdefault(name, []).append(pick(*args, **kwargs))
            return real(*args, **kwargs)

        self.mp.setattr(cm, name, spy)


def _counts_arg(z, t, counts, *a, **k):
    return tuple(np.asarray(counts).astype(int).tolist())


def _y_counts(y, *a, **k):
    return tuple(np.bincount(np.asarray(y)).tolist())


def test_mlp_direct_string_labels_counts_in_classes_order(monkeypatch):
    spy = _Spy(monkeypatch)
    spy.wrap("logit_adjusted_cross_entropy", _counts_arg)
    spy.wrap("balanced_softmax_cross_entropy", _counts_arg)
    spy.wrap("class_weights", lambda y, *a, **k: _y_counts(y))
    X, y = _data(["zeta", "alpha", "mid"], [50, 20, 8])
    for loss in ("logit-adjusted", "balanced-softmax", "class-weighted"):
        M(loss=loss, epochs=1, random_state=0).fit(X, y)
    # sorted classes: alpha 20, mid 8, zeta 50
    for name in spy.calls:
        assert set(spy.calls[name]) == {(20, 8, 50)}, name


@pytest.mark.parametrize("n_classes", [2, 3])
def test_compare_mlp_losses_and_samplers_use_training_fold(monkeypatch, n_classes):
    spy = _Spy(monkeypatch)
    spy.wrap("logit_adjusted_cross_entropy", _counts_arg)
    spy.wrap("balanced_softmax_cross_entropy", _counts_arg)
    spy.wrap("class_weights", lambda y, *a, **k: _y_counts(y))
    spy.wrap("RebalanceSampler", lambda y, *a, **k: _y_counts(y))
    spy.wrap("BalancedBatchSampler", lambda y, *a, **k: _y_counts(y))
    if n_classes == 3:
        X, y = _data(["zeta", "alpha", "mid"], [27, 12, 6])
        names = ["class-weighted-ce", "logit-adjusted", "balanced-softmax"]
    else:
        X, y = _data(["neg", "pos"], [33, 12])
        names = ["class-weighted-bce", "logit-adjusted"]
    names += ["label-shuffle-sampler", "class-balanced-sampler", "balanced-batch"]
    result = compare(X, y, model="mlp", folds=2, method_names=names, progress=False)
    assert not result.skipped
    folds = _train_counts(result, 2)
    full = tuple(np.bincount(result.y).tolist())
    assert full not in folds and len(set(folds)) == 2
    expected_names = {"class_weights", "logit_adjusted_cross_entropy"}
    expected_names |= {"RebalanceSampler", "BalancedBatchSampler"}
    if n_classes == 3:
        expected_names.add("balanced_softmax_cross_entropy")
    assert set(spy.calls) == expected_names
    for name, seen in spy.calls.items():
        # every call saw one training fold's counts, in compare's code order;
        # each fold was seen
        assert set(seen) == set(folds), name


def test_compare_mlp_threshold_prior_uses_training_fold_prior():
    X, y = _data(["neg", "pos"], [33, 12])
    built = []
    row = default_methods("mlp", 2)["bce+threshold-prior"]

    def method(setup, y_train):
        model = row(setup, y_train)
        built.append((model, np.bincount(y_train)))
        return model

    compare(X, y, methods={"bce+threshold-prior": method}, model="mlp", folds=3)
    assert len(built) == 3
    for model, counts in built:
        assert model.strategy == "prior"
        assert isinstance(model.estimator_, M)
        np.testing.assert_allclose(model.train_priors_, counts / counts.sum())
    assert not np.allclose(built[0][1], [33, 12])


@pytest.mark.parametrize("model", ["mlp", "hgb"])
def test_list_methods_match_rows_compare_runs(capsys, model):
    assert main(["compare", "--list-methods"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith(f"  {model}: "))
    binary = line.split(": ", 1)[1].split(", ")
    X, y = _data(["neg", "pos"], [40, 14])
    if model == "mlp":
        ran = compare(X, y, model=model, folds=2, progress=False)
        assert sorted(binary) == sorted(ran.scores) and not ran.skipped
    else:  # hgb: all 12 rows cost seconds; the rows are the logistic ones
        assert binary == list(default_methods("logistic", 2))
        assert binary == list(default_methods(model, 2))
    # 3+ classes: the listed row adds/drops against the binary list
    after = out.splitlines()[out.splitlines().index(line) + 1]
    assert after.startswith("    with 3+ classes: ")
    multi = list(binary)
    for part in after.split(": ", 1)[1].split("; "):
        verb, names = part.split(" ", 1)
        if verb == "adds":
            multi += names.split(", ")
        else:
            multi = [m for m in multi if m not in names.split(", ")]
    X3, y3 = _data(["a", "b", "c"], [30, 14, 10])
    names3 = None if model == "mlp" else ["none", "threshold-prior", "under"]
    ran3 = compare(X3, y3, model=model, folds=2, progress=False, method_names=names3)
    if names3 is not None:  # hgb: the listed rows exist; three of them run
        assert set(names3) <= set(multi) and set(multi) == set(
            default_methods(model, 3)
        )
    ran_names = {*ran3.scores, *ran3.skipped}
    assert sorted(ran_names) == sorted(multi if names3 is None else names3)
