"""Review 100 claims: README prose claims about the samplers, ThresholdMover,
the losses' class statistics and ``compare``, each checked against the code.

Claims earlier reviews pinned (thread-count determinism, pandas index
pairing, ``import rebalance`` without torch, ...) are left to their tests.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ThresholdMover,
    class_weights,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]

X = np.arange(20, dtype=float).reshape(10, 2)
Y = np.array([0] * 7 + [1] * 3)


# --- "random_state=True and sampling_strategy=True are refused" -------------


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("param", ["random_state", "sampling_strategy"])
def test_true_is_refused_not_read_as_one(cls, param):
    with pytest.raises(ValueError, match=param):
        cls(**{param: True}).fit_resample(X, Y)


# --- "datetime labels are refused and bytes labels taken" -------------------


def test_datetime_labels_refused_naming_conversion():
    y = np.array(["2020-01-01"] * 7 + ["2021-01-01"] * 3, dtype="datetime64[D]")
    with pytest.raises(ValueError, match="convert"):
        RandomOverSampler(random_state=0).fit_resample(X, y)


def test_bytes_labels_taken_and_kept():
    y = np.array([b"a"] * 7 + [b"b"] * 3)
    _, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert sorted(set(y_res.tolist())) == [b"a", b"b"]
    assert (y_res == b"b").sum() == 7


# --- the float-ratio rows of the sampling_strategy table --------------------


@pytest.mark.parametrize("ratio", [3 / 7, 0.45])
def test_float_ratio_that_adds_no_row_is_a_noop(ratio):
    # floor(r * M) == m: "a float over-sampling ratio that adds 0 rows is a
    # no-op (imbalanced-learn raises)"
    s = RandomOverSampler(sampling_strategy=ratio, random_state=0)
    _, y_res = s.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [7, 3]
    assert s.sampling_strategy_ == {1: 0}


def test_float_ratio_under_and_label_shuffle_formulas():
    # under: majority to floor(m / r); label shuffle: minority to floor(r * M)
    under = RandomUnderSampler(sampling_strategy=0.5, random_state=0)
    assert np.bincount(under.fit_resample(X, Y)[1]).tolist() == [6, 3]
    shuffle = LabelShuffleSampler(sampling_strategy=0.6, random_state=0)
    assert np.bincount(shuffle.fit_resample(X, Y)[1]).tolist() == [7, 4]
    assert shuffle.sampling_strategy_ == {0: 7, 1: 4}


def test_under_sampler_with_replacement_bootstraps_above_class_count():
    s = RandomUnderSampler(
        sampling_strategy={0: 10, 1: 3}, replacement=True, random_state=0
    )
    _, y_res = s.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [10, 3]
    with pytest.raises(ValueError, match="replacement=True"):
        RandomUnderSampler(sampling_strategy={0: 10, 1: 3}).fit_resample(X, Y)


# --- sampling_strategy_ row of the table ------------------------------------


def test_sampling_strategy_attribute_meanings():
    assert RandomUnderSampler().fit(X, Y).sampling_strategy_ == {0: 3}
    assert RandomOverSampler().fit(X, Y).sampling_strategy_ == {1: 4}
    assert LabelShuffleSampler().fit(X, Y).sampling_strategy_ == {0: 7, 1: 7}
    # n_samples defaults to as many rows as the input, balanced at power=0
    cbs = ClassBalancedSampler(random_state=0)
    _, y_res = cbs.fit_resample(X, Y)
    assert len(y_res) == len(Y)
    # {class: rows drawn}: the draw's own counts (a class is drawn at random)
    assert cbs.sampling_strategy_ == dict(enumerate(np.bincount(y_res).tolist()))


def test_label_shuffle_repeats_each_row_floor_or_ceil_times():
    y = np.array([0] * 7 + [1] * 3)
    s = LabelShuffleSampler(random_state=0)
    s.fit_resample(X, y)
    counts = np.bincount(s.sample_indices_, minlength=10)
    assert (counts[:7] == 1).all()
    assert set(counts[7:].tolist()) <= {7 // 3, -(-7 // 3)}
    assert counts[7:].sum() == 7


# --- ties: "first class in sorted order" ------------------------------------


def test_tie_uses_categorical_values_not_category_order():
    y = pd.Categorical(["b"] * 5 + ["a"] * 5, categories=["b", "a"])
    s = RandomUnderSampler(sampling_strategy="majority").fit(X, y)
    assert s.sampling_strategy_ == {"a": 5}


def test_tie_mixed_type_categories_uses_category_order():
    y = pd.Categorical([1] * 5 + ["a"] * 5, categories=["a", 1])
    s = RandomUnderSampler(sampling_strategy="majority").fit(X, y)
    assert s.sampling_strategy_ == {"a": 5}


def test_tie_minority_first_sorted_class():
    y = np.array([0] * 4 + [1] * 2 + [2] * 2 + [3] * 2)
    s = RandomOverSampler(sampling_strategy="minority").fit(X, y)
    assert s.sampling_strategy_ == {1: 2}


# --- random_state forms -----------------------------------------------------


def test_random_state_generator_taken_and_int_differs_from_randomstate():
    rng_draw = RandomOverSampler(random_state=np.random.default_rng(0))
    assert len(rng_draw.fit_resample(X, Y)[1]) == 14
    by_int = RandomOverSampler(random_state=5)
    by_rs = RandomOverSampler(random_state=np.random.RandomState(5))
    by_int.fit_resample(X, Y)
    by_rs.fit_resample(X, Y)
    assert not np.array_equal(by_int.sample_indices_, by_rs.sample_indices_)


# --- shrinkage --------------------------------------------------------------


def test_shrinkage_keeps_integer_columns_integers():
    Xi = np.arange(20).reshape(10, 2)
    X_res, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(Xi, Y)
    assert X_res.dtype == Xi.dtype
    frame = pd.DataFrame({"a": range(10), "b": np.linspace(0, 1, 10)})
    out, _ = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(frame, Y)
    assert out.dtypes.to_dict() == frame.dtypes.to_dict()


def test_shrinkage_refuses_texts_and_unknown_class_keys():
    texts = np.array(["a b"] * 10, dtype=object)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=1.0).fit_resample(texts, Y)
    with pytest.raises(ValueError, match=r"not in y"):
        RandomOverSampler(shrinkage={5: 1.0}).fit_resample(X, Y)


# --- containers -------------------------------------------------------------


def test_list_sample_weight_comes_back_as_list_and_column_y_as_column():
    out = RandomOverSampler(random_state=0).fit_resample(
        X, Y.reshape(-1, 1), sample_weight=[1.0] * 10
    )
    assert out[1].shape == (14, 1)
    assert isinstance(out[2], list) and len(out[2]) == 14


def test_one_d_numbers_and_texts_with_none_refused():
    with pytest.raises(ValueError, match="reshape"):
        RandomOverSampler().fit_resample(np.arange(10.0), Y)
    with pytest.raises(ValueError, match="row 9"):
        RandomOverSampler().fit_resample(["a"] * 9 + [None], Y)


# --- ThresholdMover ---------------------------------------------------------


def test_threshold_mover_prior_rule_binary():
    rng = np.random.default_rng(0)
    Xb = rng.normal(size=(200, 2))
    yb = (Xb[:, 0] + rng.normal(size=200) > 1.2).astype(int)
    tm = ThresholdMover(LogisticRegression())
    assert tm.strategy == "prior"
    tm.fit(Xb, yb)
    p = tm.predict_proba(Xb)[:, 1]
    ratio = yb.sum() / (len(yb) - yb.sum())
    np.testing.assert_array_equal(tm.predict(Xb), (p / (1 - p) > ratio).astype(int))


# --- losses: class statistics -----------------------------------------------


def test_loss_refuses_series_and_non_index_keys():
    torch = pytest.importorskip("torch")
    from rebalance.torch import class_weighted_cross_entropy

    logits = torch.zeros(6, 3)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises((TypeError, ValueError), match="to_dict"):
        class_weighted_cross_entropy(logits, target, pd.Series([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="class 2"):
        class_weighted_cross_entropy(logits, target, {0: 1.0, 1: 2.0, 5: 3.0})
    weights = class_weights(np.array([0, 0, 1, 2]))
    assert class_weighted_cross_entropy(logits, target, weights).ndim == 0


# --- compare ----------------------------------------------------------------


def _frame(n=120):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})


def test_compare_case_variant_classes_noted_minority_positive():
    from rebalance.compare import compare

    X_ = _frame()
    y = pd.Series(np.where(np.arange(120) % 4 == 0, "yes", "no"))
    y[:3] = "Yes"
    r = compare(X_, y, folds=2, method_names=["none"], progress=False, notify=None)
    assert any("'Yes'" in n and "'yes'" in n for n in r.notes)
    assert r.to_json()["notes"] == r.notes


def test_compare_threshold_rules_keep_accuracy_and_binary_minority_positive():
    from rebalance.compare import compare

    X_ = _frame()
    y = np.where(np.arange(120) % 4 == 0, "yes", "no")
    r = compare(
        X_,
        y,
        folds=2,
        method_names=["none", "threshold-prior", "threshold-cost-fn5"],
        progress=False,
        notify=lambda s: None,
    )
    j = r.to_json()
    assert j["positive_label"] == "yes"
    base = j["scores"]["none"]["accuracy"]
    for name in ("threshold-prior", "threshold-cost-fn5"):
        assert j["scores"][name]["accuracy"] == pytest.approx(base)


def test_compare_multiclass_json_recalls_leaks_and_positive_label():
    from rebalance.compare import compare

    rng = np.random.default_rng(0)
    X_ = _frame(90)
    y = np.repeat([0, 1, 2], [50, 25, 15])
    X_["leak"] = y + rng.random(90) * 0.1
    r = compare(X_, y, folds=2, method_names=["none"], progress=False, notify=None)
    j = r.to_json()
    assert set(j["per_class_recall"]["none"]) == {"0", "1", "2"}
    assert "leak" in j["suspected_leaks"]
    # --positive-label VALUE with 3+ classes: VALUE against the rest
    r1 = compare(
        X_.drop(columns="leak"),
        y,
        folds=2,
        method_names=["none"],
        positive_label=1,
        progress=False,
        notify=None,
    )
    assert r1.binary and r1.positive == 1


# --- containers: "same type out", other sparse formats come back as CSR ------


class _FrameSubclass(pd.DataFrame):
    @property
    def _constructor(self):
        return _FrameSubclass


def test_output_types_kept_and_other_sparse_formats_as_csr():
    sparse = pytest.importorskip("scipy.sparse")
    pa = pytest.importorskip("pyarrow")
    s = RandomUnderSampler(random_state=0)
    sub = _FrameSubclass(X, columns=["a", "b"], index=range(10, 20))
    out = s.fit_resample(sub, Y)[0]
    assert type(out) is _FrameSubclass
    assert out.index.equals(pd.RangeIndex(len(out)))
    assert type(s.fit_resample(sparse.coo_matrix(X), Y)[0]) is sparse.csr_matrix
    assert type(s.fit_resample(sparse.lil_array(X), Y)[0]) is sparse.csr_array
    assert type(s.fit_resample(sparse.csc_array(X), Y)[0]) is sparse.csc_array
    table = pa.table({"a": pa.array(range(10), pa.int16()), "b": list("abcdefghij")})
    out = s.fit_resample(table, Y)[0]
    assert isinstance(out, pa.Table) and out.schema == table.schema


# --- ResampledClassifier / ThresholdMover fit-time claims -------------------


def _binary(n=60):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 2)), np.array([0] * 48 + [1] * 12)


def test_repeated_rows_with_early_stopping_warn_only_when_rows_repeat():
    import warnings

    from sklearn.linear_model import SGDClassifier

    from rebalance import ResampledClassifier

    Xb, yb = _binary()
    sgd = SGDClassifier(early_stopping=True, random_state=0)
    with pytest.warns(UserWarning, match="drew some rows more than once"):
        ResampledClassifier(RandomOverSampler(random_state=0), sgd).fit(Xb, yb)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "error", message=".*more than once", category=UserWarning
        )
        ResampledClassifier(RandomUnderSampler(random_state=0), sgd).fit(Xb, yb)


def test_tree_refuses_infinity_before_the_draw():
    from sklearn.tree import DecisionTreeClassifier

    from rebalance import ResampledClassifier

    Xb, yb = _binary()
    Xb[0, 0] = np.inf  # a majority row the under-sampler may leave out
    clf = ResampledClassifier(
        RandomUnderSampler(random_state=0), DecisionTreeClassifier()
    )
    with pytest.raises(ValueError, match="infinity"):
        clf.fit(Xb, yb)


def test_weights_without_sample_weight_fit_repeat_rows_or_raise_type_error():
    from sklearn.neighbors import KNeighborsClassifier

    from rebalance import ResampledClassifier

    Xb, yb = _binary()
    counts = np.ones(60)
    counts[:5] = 2
    knn = KNeighborsClassifier(3)
    ResampledClassifier(RandomUnderSampler(random_state=0), knn).fit(
        Xb, yb, sample_weight=counts
    )
    ThresholdMover(knn).fit(Xb, yb, sample_weight=counts)
    with pytest.raises(TypeError, match="repetition counts"):
        ResampledClassifier(RandomUnderSampler(random_state=0), knn).fit(
            Xb, yb, sample_weight=counts * 0.5
        )
    with pytest.raises(TypeError, match="repetition counts"):
        ThresholdMover(knn).fit(Xb, yb, sample_weight=counts * 0.5)


def test_deploy_priors_train_weighted_by_sample_weight():
    Xb, yb = _binary()
    weights = np.where(yb == 1, 3.0, 1.0)  # 48 : 36 once weighted
    tm = ThresholdMover(LogisticRegression(), deploy_priors="train")
    tm.fit(Xb, yb, sample_weight=weights)
    np.testing.assert_allclose(tm.deploy_priors_, [48 / 84, 36 / 84])
