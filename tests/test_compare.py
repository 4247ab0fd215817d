"""The engine of `rebalance compare`: targets, metrics, statistics, columns."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import balanced_accuracy_score, f1_score

from rebalance._columns import ID_REASON, make_preprocessor, plan_columns, prepare_frame
from rebalance.compare import (
    METRIC_LABELS,
    compare,
    corrected_ttest,
    default_methods,
    encode_target,
    score_fold,
)


def messy_frame(n=240, seed=0, classes=("cat", "dog", "bird"), p=(0.7, 0.2, 0.1)):
    """Features with id, datetime, text, high-cardinality columns; a target."""
    rng = np.random.default_rng(seed)
    y = rng.choice(list(classes), n, p=list(p))
    code = pd.Series(y).map({c: i for i, c in enumerate(classes)}).to_numpy()
    words = np.array(["quick", "lazy", "brown", "fox", "jumps", "over", "dog"])
    frame = pd.DataFrame(
        {
            "row_id": rng.permutation(n) + 1000,
            "user": [f"user-{i:05d}" for i in rng.permutation(n)],
            "x1": rng.normal(size=n) + 1.5 * code,
            "x2": rng.normal(size=n) - 0.5 * code,
            "signup": (
                pd.Timestamp("2021-01-01")
                + pd.to_timedelta(rng.integers(0, 700, n) + 90 * code, unit="D")
            ).astype(str),
            "note": [" ".join(rng.choice(words, 5)) for _ in range(n)],
            "city": [f"city{rng.integers(120)}" for _ in range(n)],
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    frame.loc[3, "x1"] = np.nan
    return frame, y


# ------------------------------------------------------------------ target


def test_encode_target_binary_puts_the_minority_at_one():
    target = encode_target(["no"] * 8 + ["yes"] * 2)
    assert target.labels == ["no", "yes"] and target.positive == "yes"
    assert target.codes.tolist() == [0] * 8 + [1] * 2


def test_encode_target_positive_label_picks_the_class_by_its_text():
    y = np.array([0] * 2 + [1] * 8)
    target = encode_target(y, positive_label="1")
    assert target.labels == [0, 1] and target.positive == 1
    assert target.codes.sum() == 8  # the majority class is now positive


def test_encode_target_multiclass_keeps_every_class_unless_one_vs_rest():
    y = ["a", "b", "c", "c", "b", "c"]
    multi = encode_target(y)
    assert multi.labels == ["a", "b", "c"] and multi.positive is None
    versus = encode_target(y, positive_label="b")
    assert versus.labels == ["not b", "b"] and versus.codes.sum() == 2


@pytest.mark.parametrize(
    "y, positive, message",
    [
        ([1, 1, 1], None, "two classes or more"),
        ([0, 1, 1], "7", "positive_label='7' is not a class"),
    ],
)
def test_encode_target_errors(y, positive, message):
    with pytest.raises(ValueError, match=message):
        encode_target(y, positive)


# ----------------------------------------------------------------- metrics


def test_score_fold_multiclass_macro_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [30, 15, 5])
    proba = rng.dirichlet(np.ones(3), size=50)
    pred = proba.argmax(axis=1)
    scores, recalls = score_fold(y, proba, pred)
    assert scores["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(y, pred)
    )
    assert scores["f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    expected = [np.mean(pred[y == c] == c) for c in range(3)]
    np.testing.assert_allclose(recalls, expected)
    assert scores["worst_recall"] == pytest.approx(min(expected))
    assert scores["g_mean"] == pytest.approx(np.prod(expected) ** (1 / 3))
    assert set(scores) == set(METRIC_LABELS)


# -------------------------------------------------------------- statistics


def nadeau_bengio(a, b, n_train, n_test):
    """The corrected resampled t-test, written out from the paper."""
    d = np.subtract(a, b)
    J = len(d)
    sigma2 = np.sum((d - d.mean()) ** 2) / (J - 1)
    t = d.mean() / np.sqrt((1 / J + n_test / n_train) * sigma2)
    return 2 * (1 - stats.t.cdf(abs(t), J - 1))


def test_corrected_ttest_matches_the_formula():
    rng = np.random.default_rng(1)
    a = 0.8 + 0.03 * rng.normal(size=10)
    b = a - 0.02 + 0.01 * rng.normal(size=10)
    assert corrected_ttest(a, b, 1 / 4) == pytest.approx(nadeau_bengio(a, b, 4, 1))


def test_corrected_ttest_is_more_cautious_than_a_plain_paired_t_test():
    rng = np.random.default_rng(2)
    a = 0.8 + 0.03 * rng.normal(size=10)
    b = a - 0.01 + 0.01 * rng.normal(size=10)
    assert corrected_ttest(a, b, 1 / 4) > stats.ttest_rel(a, b).pvalue


def test_corrected_ttest_identical_scores_give_p_one():
    assert corrected_ttest([0.5, 0.7, 0.6], [0.5, 0.7, 0.6], 0.25) == 1.0
    assert corrected_ttest([0.6, 0.8, 0.7], [0.5, 0.7, 0.6], 0.25) == 0.0


# ----------------------------------------------------------------- columns


def test_plan_columns_sorts_every_kind_and_drops_ids():
    # text and high-cardinality columns need a skrub that imports (skrub 0.6
    # to 0.10.0 do not with joblib >= 1.6: they are then dropped with a notice)
    pytest.importorskip("skrub", exc_type=ImportError)
    frame, _ = messy_frame()
    plan = plan_columns(frame, drop=["colour"])
    assert plan.used == {
        "x1": "numeric",
        "x2": "numeric",
        "signup": "datetime",
        "note": "text",
        "city": "high-cardinality categorical",
    }
    # drop= as compare() names it (the command writes --drop; review 70)
    assert plan.dropped == {"row_id": ID_REASON, "user": ID_REASON, "colour": "drop="}
    assert "dropped: row_id (id-like" in plan.describe()


def test_plan_columns_unknown_drop_is_an_error():
    frame, _ = messy_frame(n=20)
    with pytest.raises(ValueError, match=r"drop=\['nope'\] names columns that are not"):
        plan_columns(frame, drop=["nope"])


def test_preprocessor_turns_messy_columns_into_a_few_numbers():
    frame, _ = messy_frame()
    before = frame.copy()
    plan = plan_columns(frame)
    features = make_preprocessor(plan).fit_transform(prepare_frame(frame, plan))
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert np.isfinite(features).all()
    # 120 cities and 240 notes do not become one column per value.
    assert features.shape[0] == 240 and features.shape[1] < 100


# ----------------------------------------------------------------- compare


@pytest.mark.slow
def test_compare_multiclass_on_messy_columns():
    # text and high-cardinality columns need a skrub that imports (skrub 0.6
    # to 0.10.0 do not with joblib >= 1.6: they are then dropped with a notice)
    pytest.importorskip("skrub", exc_type=ImportError)
    frame, y = messy_frame(n=150)
    result = compare(
        frame,
        y,
        folds=3,
        repeats=2,
        method_names=["none", "under", "threshold-prior"],
    )
    assert result.labels == ["bird", "cat", "dog"] and not result.binary
    assert all(len(v) == 6 for v in result.scores["none"].values())
    assert result.recalls["none"].shape == (6, 3)
    assert set(result.columns.dropped) == {"row_id", "user"}
    p = result.p_vs_best("average_precision")
    # threshold-prior ranks with the same probabilities as "none".
    ranked = result.ranking("average_precision")
    assert p[ranked[0]] is None
    pair = ["none", "threshold-prior"]
    if ranked[0] in pair:
        pair.remove(ranked[0])
        assert p[pair[0]] == 1.0
    else:
        assert p["none"] == p["threshold-prior"]
    assert ("threshold-prior" in result.within_noise()) == (
        "none" in result.within_noise()
    )


def test_default_methods_multiclass_drop_the_binary_cost_row():
    assert "threshold-cost-fn5" in default_methods()
    assert "threshold-cost-fn5" not in default_methods(n_classes=3)
    assert {"softmax-focal", "logit-adjusted", "balanced-softmax"} <= set(
        default_methods("mlp", n_classes=3)
    )


def test_compare_mlp_multiclass_small_folds_do_not_abort():
    pytest.importorskip("torch")
    # 60 rows, 2 folds: each training fold has about 26 rows of the largest
    # class, fewer than the balanced batch's quota of 42 per class.
    frame, y = messy_frame(n=60, p=(0.6, 0.3, 0.1))
    result = compare(
        frame[["x1", "x2"]],
        y,
        model="mlp",
        folds=2,
        method_names=["balanced-softmax", "balanced-batch"],
    )
    assert set(result.scores) == {"balanced-softmax", "balanced-batch"}
    assert not result.skipped
    assert result.oof["balanced-batch"].shape == (60, 3)


def test_compare_skips_a_failing_method_with_a_notice():
    frame, y = messy_frame(n=60)

    def broken(setup, y_train):
        raise ValueError("cannot run here")

    notices = []
    methods = {**default_methods(n_classes=3), "broken": broken}
    result = compare(
        frame[["x1"]],
        y,
        methods,
        folds=2,
        method_names=["none", "broken"],
        notify=notices.append,
    )
    assert set(result.scores) == {"none"}
    assert "cannot run here" in result.skipped["broken"]
    assert notices and "broken skipped" in notices[0]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"folds": 1}, ValueError, "folds=1"),
        ({"repeats": 0}, ValueError, "repeats=0"),
        ({"repeats": 1.5}, TypeError, "repeats must be an integer"),
        ({"method_names": []}, ValueError, "no method names"),
        ({"folds": 50}, ValueError, "smallest class"),
    ],
)
def test_compare_rejects_bad_arguments_before_any_work(kwargs, error, message):
    frame, y = messy_frame(n=60)
    with pytest.raises(error, match=message):
        compare(frame, y, **kwargs)
