"""Review 22, lead fixes (files no helper owned)."""

import pandas as pd
import pytest

from rebalance._columns import plan_columns


def test_chinese_review_text_is_text_not_id_like():
    # text columns need a skrub that imports (skrub 0.6 to 0.10.0 do not with
    # joblib >= 1.6: they are then dropped with a notice, as designed)
    pytest.importorskip("skrub", exc_type=ImportError)
    # Before: words were counted between spaces only, so every Chinese review
    # was one "word", the column a high-cardinality string column with a
    # different value on every row: dropped as id-like.
    chars = "这个产品质量很好物流也快但是包装有点差不会再买了"
    texts = [chars[i % 7 : i % 7 + 12] + str(i) for i in range(60)]
    frame = pd.DataFrame({"review": texts, "city": ["北京", "上海"] * 30})
    plan = plan_columns(frame)
    assert plan.used["review"] == "text"  # skrub is in the dev extra
    assert plan.used["city"] == "categorical"


def test_decimal_comma_text_is_not_a_date():
    # Before: "5125,73" parsed as a date, so the column was used as a datetime.
    frame = pd.DataFrame(
        {"amount": [f"{1000 + 7 * i},{i % 100:02d}" for i in range(50)]}
    )
    plan = plan_columns(frame)
    assert plan.used.get("amount") != "datetime"


def test_weighted_recall_is_exactly_one_where_nothing_is_missed():
    # Before: recall was tp / n_pos with n_pos summed in another order than
    # tp, so a threshold that misses nothing could score 1 - 1 ulp, and ties
    # between equally good thresholds were broken by rounding. (Found in
    # review 24.)
    import numpy as np

    from rebalance.metrics import _confusion_rates

    rng = np.random.default_rng(0)
    for _ in range(50):
        truth = rng.random(40) < 0.5
        weights = rng.random(40) * rng.choice([1, 1e3, 1e-3], 40)
        rates = _confusion_rates(truth, rng.random(40), np.array([-1.0, 2.0]), weights)
        assert rates["tpr"][0] == 1.0 and rates["tnr"][1] == 1.0
        assert rates["tpr"][1] == 0.0 and rates["tnr"][0] == 0.0
