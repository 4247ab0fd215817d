"""Review 22, lead fixes (files no helper owned)."""

import pandas as pd

from rebalance._columns import plan_columns


def test_chinese_review_text_is_text_not_id_like():
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
