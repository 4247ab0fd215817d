"""Review 121, docclaims5: the statements of the documentation, checked on small inputs.

Claims of ``README.md`` (the sampler tables, the imbalanced-learn differences)
and of the public docstrings (``rebalance.weights``, ``rebalance.metrics``,
``rebalance.datasets``, ``rebalance.compare.compare``) are pinned: formulas
against scikit-learn / imbalanced-learn, documented ranges and errors,
returned types, kept indexes, and documented defaults and parameters against
the signatures of every public name.
"""

import inspect
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import rebalance
from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    class_weights,
    datasets,
    metrics,
    sample_weights,
    threshold,
    weights,
)
from rebalance import compare as compare_module
from rebalance.compare import compare
from rebalance.datasets import (
    CharVocabulary,
    load_breast_cancer_skewed,
    load_digits_binary,
    thin_class,
)
from rebalance.metrics import g_mean_score

Y3 = np.array([0] * 7 + [1] * 2 + [2])


# --- rebalance.weights ------------------------------------------------------


def test_class_weights_balanced_is_sklearn_balanced():
    # weights.py class_weights: "scikit-learn's class_weight='balanced'"
    from sklearn.utils.class_weight import compute_class_weight

    got = class_weights(Y3)
    ref = compute_class_weight("balanced", classes=np.array([0, 1, 2]), y=Y3)
    assert list(got) == [0, 1, 2]
    np.testing.assert_allclose(list(got.values()), ref)


def test_sample_weights_equal_compute_sample_weight():
    from sklearn.utils.class_weight import compute_sample_weight

    np.testing.assert_allclose(
        sample_weights(Y3), compute_sample_weight("balanced", Y3)
    )


def test_effective_number_formula_and_scale():
    # "(1 - beta) / (1 - beta ** n_c) ..., scaled to sum to the number of classes"
    beta = 0.9
    got = np.array(list(class_weights(Y3, "effective_number", beta=beta).values()))
    raw = (1 - beta) / (1 - beta ** np.bincount(Y3))
    np.testing.assert_allclose(got, raw / raw.sum() * 3)
    assert got.sum() == pytest.approx(3.0)


def test_effective_number_beta_zero_gives_equal_weights():
    assert class_weights(Y3, "effective_number", beta=0.0) == {0: 1.0, 1: 1.0, 2: 1.0}


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, float("nan")])
def test_beta_outside_documented_range_is_value_error(beta):
    with pytest.raises(ValueError, match="beta"):
        class_weights(Y3, "effective_number", beta=beta)


def test_class_weights_categorical_in_category_order():
    y = pd.Series(pd.Categorical(["b", "b", "a"], categories=["b", "a"]))
    assert list(class_weights(y)) == ["b", "a"]


def test_class_weights_one_hot_same_as_labels():
    assert class_weights(np.eye(3)[Y3]) == class_weights(Y3)


def test_class_weights_accepted_by_sklearn_class_weight():
    from sklearn.linear_model import LogisticRegression

    y = np.array(["x"] * 8 + ["y"] * 2)
    X = np.random.default_rng(0).normal(size=(10, 2))
    LogisticRegression(class_weight=class_weights(y)).fit(X, y)


# --- rebalance.metrics ------------------------------------------------------


def test_g_mean_equals_imblearn_multiclass():
    from imblearn.metrics import geometric_mean_score

    yt, yp = [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2]
    assert g_mean_score(yt, yp) == pytest.approx(geometric_mean_score(yt, yp))


def test_g_mean_ignores_predicted_class_absent_from_truth():
    # "this function ignores it (with labels=None ...)"
    assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 3]) == pytest.approx(0.5)


def test_g_mean_zero_weight_class_and_absent_label_give_zero():
    assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], sample_weight=[1, 1, 0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's ill-defined recall
        assert g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], labels=[0, 1, 2]) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"labels": [0, 0, 1]},
        {"labels": ["a", "b"]},
        {"sample_weight": [1, 1, -1, 1]},
        {"sample_weight": [0, 0, 0, 0]},
        {"sample_weight": [1, 1, np.inf, 1]},
    ],
)
def test_g_mean_documented_errors(kwargs):
    with pytest.raises(ValueError, match="labels|sample_weight"):
        g_mean_score([0, 0, 1, 1], [0, 1, 1, 1], **kwargs)


def test_g_mean_pandas_pairing():
    yt = pd.Series([0, 0, 1, 1], index=[3, 2, 1, 0])
    with pytest.raises(ValueError, match="y_pred"):
        g_mean_score(yt, pd.Series([0, 1, 1, 1], index=[0, 1, 2, 3]))
    # a fresh RangeIndex is paired by position
    assert g_mean_score(yt, pd.Series([0, 1, 1, 1])) == pytest.approx(np.sqrt(0.5))


# --- rebalance.datasets -----------------------------------------------------


def test_load_breast_cancer_skewed_counts_and_frame_index():
    X, y = load_breast_cancer_skewed()
    assert (int(y.sum()), int((y == 0).sum())) == (17, 357)  # floor(0.05 * 357)
    assert X.dtype == np.float64 and y.dtype == np.int64
    from sklearn.datasets import load_breast_cancer

    Xs, _ = load_breast_cancer(return_X_y=True, as_frame=True)
    Xf, yf = load_breast_cancer_skewed(as_frame=True)
    assert yf.name == "target" and list(Xf.columns) == list(Xs.columns)
    np.testing.assert_array_equal(Xf.to_numpy(), Xs.loc[Xf.index].to_numpy())
    np.testing.assert_array_equal(Xf.to_numpy(), X)


def test_load_breast_cancer_skewed_documented_range():
    assert load_breast_cancer_skewed(212 / 357)[1].sum() == 212
    assert load_breast_cancer_skewed(1 / 357)[1].sum() == 1
    for ratio in (0.6, 0.002, 0):
        with pytest.raises(ValueError, match="ratio"):
            load_breast_cancer_skewed(ratio)
    with pytest.raises(ValueError, match="random_state"):
        load_breast_cancer_skewed(random_state=-1)


@pytest.mark.parametrize("digit", [True, 10, -1, 3.0])
def test_load_digits_binary_digit_range(digit):
    with pytest.raises(ValueError, match="digit"):
        load_digits_binary(digit)


def test_thin_class_types_order_and_count():
    X = [[i] for i in range(20)]
    y = [0] * 15 + [1] * 5
    X_s, y_s = thin_class(X, y, 0.2, random_state=0)
    assert type(X_s) is list and type(y_s) is list
    assert y_s.count(1) == 3  # floor(0.2 * 15)
    assert [r[0] for r in X_s] == sorted(r[0] for r in X_s)  # original order
    Xp = pd.DataFrame({"a": range(20)}, index=range(100, 120))
    yp = pd.Series(y, index=Xp.index)
    X_p, y_p = thin_class(Xp, yp, 0.2, random_state=0)
    assert X_p.index.equals(y_p.index) and set(X_p.index) <= set(Xp.index)
    np.testing.assert_array_equal(X_p["a"].to_numpy(), X_p.index - 100)
    with pytest.raises(ValueError, match=r"y\.loc\[X\.index\]"):
        thin_class(Xp, yp.iloc[::-1], 0.2)


@pytest.mark.parametrize("ratio", [0.05, 1.0, 1.5])
def test_thin_class_ratio_out_of_range(ratio):
    with pytest.raises(ValueError, match="ratio"):
        thin_class(np.zeros((20, 1)), [0] * 15 + [1] * 5, ratio)


def test_make_imbalance_deprecated_and_refuses_imblearn_arguments():
    X, y = np.zeros((20, 1)), np.array([0] * 15 + [1] * 5)
    with pytest.warns(FutureWarning):
        _, y_s = datasets.make_imbalance(X, y, 0.2, random_state=0)
    assert np.bincount(y_s).tolist() == [15, 3]
    with pytest.raises(TypeError, match="thin_class|ratio"):
        datasets.make_imbalance(X, y, sampling_strategy={0: 5})


def test_char_vocabulary_documented_ranges():
    CharVocabulary(max_length=2**24).fit(["ab"])
    for kwargs in ({"max_length": 0}, {"max_length": 2**24 + 1}, {"min_count": 0}):
        with pytest.raises(ValueError):
            CharVocabulary(**kwargs).fit(["ab"])
    vocab = CharVocabulary(min_count=2).fit(["aab"])
    assert vocab.vocabulary_ == {"a": 2} and vocab.n_ids_ == 3


# --- rebalance.compare.compare: documented ranges, refused before any fit ---


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"folds": 1}, "folds"),
        ({"repeats": 0}, "repeats"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"folds": 2, "repeats": 5001}, "10000"),
        ({"model": "xx"}, "model"),
    ],
)
def test_compare_documented_ranges(kwargs, name):
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 10)
    with pytest.raises(ValueError, match=name):
        compare(X, y, method_names="none", progress=False, **kwargs)


# --- README: sampler claims -------------------------------------------------

X20 = np.random.default_rng(0).normal(size=(20, 2))
Y20 = np.array([0] * 15 + [1] * 5)


def test_readme_shrinkage_keeps_integer_columns_and_refuses_text():
    Xi = np.arange(40).reshape(20, 2)
    ros = RandomOverSampler(shrinkage=1.0, random_state=0)
    assert ros.fit_resample(Xi, Y20)[0].dtype == Xi.dtype
    with pytest.raises(ValueError):
        ros.fit_resample(np.array([["a"]] * 20), Y20)


def test_readme_containers():
    rus = RandomUnderSampler(random_state=0)
    frame = pd.DataFrame({"a": range(20)}, index=range(100, 120))
    assert isinstance(rus.fit_resample(frame, Y20)[0].index, pd.RangeIndex)
    assert sp.isspmatrix_csr(rus.fit_resample(sp.coo_matrix(X20), Y20)[0])
    assert sp.isspmatrix_csc(rus.fit_resample(sp.csc_matrix(X20), Y20)[0])
    assert isinstance(rus.fit_resample(X20, Y20, sample_weight=[1.0] * 20)[2], list)
    assert rus.fit_resample(X20, Y20[:, None])[1].shape == (10, 1)


def test_readme_imblearn_differences():
    from imblearn.over_sampling import RandomOverSampler as ImbROS

    # a float ratio that adds 0 rows is a no-op (imbalanced-learn raises)
    out = RandomOverSampler(sampling_strategy=0.34, random_state=0).fit_resample(
        X20, Y20
    )
    assert np.bincount(out[1]).tolist() == [15, 5]
    with pytest.raises(ValueError):
        ImbROS(sampling_strategy=0.34).fit_resample(X20, Y20)
    # replacement=True: a bootstrap above the class's count
    rus = RandomUnderSampler(sampling_strategy={0: 20, 1: 5}, replacement=True)
    assert np.bincount(rus.fit_resample(X20, Y20)[1]).tolist() == [20, 5]
    for bad in ({"random_state": True}, {"sampling_strategy": True}):
        with pytest.raises(ValueError):
            RandomUnderSampler(**bad).fit_resample(X20, Y20)
    dates = np.array(["2020-01-01"] * 15 + ["2021-01-01"] * 5, dtype="datetime64[D]")
    with pytest.raises(ValueError, match="datetime"):
        RandomUnderSampler().fit_resample(X20, dates)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage={7: 0.5}).fit_resample(X20, Y20)


@pytest.mark.parametrize(
    ("sampler", "strategy", "expected"),
    [
        (RandomUnderSampler, 0.4, [12, 5]),  # majority to floor(m / r)
        (RandomOverSampler, 0.7, [15, 10]),  # minority to floor(r * M)
        (LabelShuffleSampler, 0.7, [15, 10]),
    ],
)
def test_readme_float_strategy_table(sampler, strategy, expected):
    out = sampler(sampling_strategy=strategy, random_state=0).fit_resample(X20, Y20)
    assert np.bincount(out[1]).tolist() == expected


@pytest.mark.parametrize(
    ("sampler", "strategy"),
    [
        (RandomUnderSampler, "minority"),
        (RandomOverSampler, "majority"),
        (LabelShuffleSampler, "majority"),
        (ClassBalancedSampler, "majority"),
    ],
)
def test_readme_strategy_table_value_errors(sampler, strategy):
    with pytest.raises(ValueError):
        sampler(sampling_strategy=strategy).fit_resample(X20, Y20)


def test_readme_sampling_strategy_attributes_and_ties():
    y3 = np.array([0] * 10 + [1] * 6 + [2] * 4)
    ls = LabelShuffleSampler(sampling_strategy="minority", random_state=0)
    assert np.bincount(ls.fit_resample(X20, y3)[1]).tolist() == [10, 6, 10]
    assert ls.sampling_strategy_ == {0: 10, 1: 6, 2: 10}
    rus = RandomUnderSampler(random_state=0)
    rus.fit_resample(X20, y3)
    assert rus.sampling_strategy_ == {0: 4, 1: 4}  # rows kept
    ros = RandomOverSampler(random_state=0)
    ros.fit_resample(X20, y3)
    assert ros.sampling_strategy_ == {1: 4, 2: 6}  # rows added
    # count ties: the first class in sorted order
    tie = np.array([1] * 4 + [0] * 4 + [2] * 2)
    out = RandomUnderSampler(sampling_strategy="majority", random_state=0)
    assert np.bincount(out.fit_resample(X20[:10], tie)[1]).tolist() == [2, 4, 2]


def test_readme_label_shuffle_dict_repeats_each_row_floor_or_ceil():
    ls = LabelShuffleSampler(sampling_strategy={0: 15, 1: 12}, random_state=0)
    assert np.bincount(ls.fit_resample(X20, Y20)[1]).tolist() == [15, 12]
    minority_counts = np.bincount(ls.sample_indices_, minlength=20)[15:]
    assert set(minority_counts.tolist()) <= {2, 3} and minority_counts.sum() == 12


# --- documented parameters and defaults against the signatures --------------


def _documented(doc):
    doc = inspect.cleandoc(doc)
    section = re.search(
        r"^Parameters\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M
    )
    found = {}
    for line in section.group(1).splitlines() if section else []:
        match = re.match(r"^\*{0,2}([A-Za-z_][\w, ]*?) : (.*)$", line)
        if match:
            for name in match.group(1).split(","):
                found[name.strip()] = match.group(2)
    return found


def _public_callables():
    # rebalance.torch is left out: importing torch costs seconds here (its
    # signatures were checked by hand in review 121, no mismatch).
    modules = (rebalance, weights, metrics, datasets, threshold)
    seen = {}
    for module in modules:
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and obj.__doc__ and not inspect.ismodule(obj):
                seen.setdefault(id(obj), (f"{module.__name__}.{name}", obj))
    seen[id(compare)] = ("rebalance.compare.compare", compare)
    assert compare_module.compare is compare
    return list(seen.values())


def test_documented_parameters_match_signatures():
    problems = []
    for label, obj in _public_callables():
        documented = _documented(obj.__doc__)
        if not documented:
            continue
        params = {
            k: v
            for k, v in inspect.signature(obj).parameters.items()
            if v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)
        }
        star = {
            k
            for k, v in inspect.signature(obj).parameters.items()
            if v.kind == v.VAR_POSITIONAL
        }
        takes_kwargs = any(
            v.kind == v.VAR_KEYWORD for v in inspect.signature(obj).parameters.values()
        )
        problems += [
            f"{label}: {k} undocumented" for k in params if k not in documented
        ]
        for name, text in documented.items():
            if name not in params:
                if not takes_kwargs and name not in star:
                    problems.append(f"{label}: {name} documented, not accepted")
                continue
            default = re.search(r"default=(.+?)$", text)
            if default is None:
                continue
            doc_value = default.group(1).strip().rstrip(".")
            actual = params[name].default
            if actual is inspect.Parameter.empty:
                problems.append(f"{label}: {name} documented default, but required")
                continue
            try:
                matches = eval(doc_value) == actual  # noqa: S307
            except Exception:
                matches = getattr(actual, "__name__", repr(actual)) == doc_value
            if not matches and repr(actual) != doc_value:
                problems.append(f"{label}: {name} doc {doc_value} != {actual!r}")
    assert problems == []
