"""examples/long_tail.py: the long-tailed digits split, scoring and verdicts."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

PATH = Path(__file__).resolve().parents[1] / "examples" / "long_tail.py"


@pytest.fixture(scope="module")
def lt():
    spec = importlib.util.spec_from_file_location("long_tail", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["long_tail"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("long_tail", None)


@pytest.fixture(scope="module")
def data(lt):
    return lt.long_tail_digits()


def test_class_sizes_decay_geometrically(lt):
    sizes = lt.class_sizes(120, 60.0)
    assert sizes[0] == 120 and sizes[-1] == 2
    assert (np.diff(sizes) < 0).all()
    ratios = sizes[:-1] / sizes[1:]
    # every step divides by about 60 ** (1/9) = 1.58 (rounding moves small ones)
    assert np.allclose(ratios, 60 ** (1 / 9), rtol=0.25)
    with pytest.raises(ValueError, match="imbalance"):
        lt.class_sizes(120, 0.5)
    with pytest.raises(ValueError, match="n_head"):
        lt.class_sizes(0, 10.0)


def test_split_is_long_tailed_balanced_disjoint_and_fixed(lt, data):
    assert np.array_equal(np.bincount(data.y_train), data.counts)
    assert data.imbalance == 60.0
    assert np.bincount(data.y_test).tolist() == [50] * 10
    assert not set(data.train_rows) & set(data.test_rows)
    again = lt.long_tail_digits()
    assert np.array_equal(again.train_rows, data.train_rows)
    assert np.array_equal(again.test_rows, data.test_rows)
    assert data.X_train.min() >= 0 and data.X_train.max() <= 1
    # head / medium / tail = the 3 largest / next 4 / 3 smallest classes
    by_size = np.argsort(-data.counts, kind="stable")
    assert [data.group[c] for c in by_size] == ["head"] * 3 + ["medium"] * 4 + [
        "tail"
    ] * 3


def test_split_rejects_what_digits_cannot_hold(lt):
    with pytest.raises(ValueError, match="lower n_head or n_test"):
        lt.long_tail_digits(n_head=170, n_test=50)
    with pytest.raises(ValueError, match="groups"):
        lt.long_tail_digits(groups=(3, 3, 3))


def fake_results(lt, data, method_pred):
    ce = np.stack([data.y_test.copy() for _ in range(3)])
    ce[:, np.isin(data.y_test, [7, 8, 9])] = 0  # CE misses the whole tail
    return lt.Results(data, {lt.BASELINE: ce, **method_pred}, 0.0, 1)


def test_scores_and_verdicts_follow_the_predictions(lt, data):
    perfect = np.stack([data.y_test] * 3)
    results = fake_results(lt, data, {"perfect": perfect})
    s = lt.scores(data, results.pred[lt.BASELINE][0])
    assert s["tail"] == 0.0 and s["head"] == 1.0 and s["medium"] == 1.0
    assert s["balanced_accuracy"] == pytest.approx(0.7)
    d = lt.difference(results, "perfect", "tail")
    assert d["mean"] == pytest.approx(1.0) and lt.verdict(d) == "better"
    d = lt.difference(results, lt.BASELINE, "tail", baseline="perfect")
    assert lt.verdict(d) == "worse"
    d = lt.difference(results, "perfect", "head")
    assert d["mean"] == 0.0 and lt.verdict(d) == "within noise"
    # a gain in one seed out of three is within noise: the seeds are resampled
    mixed = results.pred[lt.BASELINE].copy()
    mixed[0] = perfect[0]
    results = fake_results(lt, data, {"mixed": mixed})
    d = lt.difference(results, "mixed", "tail")
    assert d["per_seed"].tolist() == [1.0, 0.0, 0.0]
    assert d["mean"] == pytest.approx(1 / 3) and lt.verdict(d) == "within noise"
    # ... while the same gain in every seed is not
    d = lt.difference(fake_results(lt, data, {"all": perfect}), "all", "tail")
    assert d["low"] == d["high"] == 1.0
    with pytest.raises(ValueError, match="metric"):
        lt.difference(results, "mixed", "macro_f1")
    lines = lt.conclusions(results)
    assert "better: none. Within noise: mixed." in lines[0]
    assert lines[1].startswith("mixed vs CE: tail change within noise")


def test_a_one_class_fix_is_also_scored_on_its_class(lt, data):
    pred = np.stack([data.y_test] * 3)
    results = fake_results(lt, data, {"fix": pred})
    results.focus["fix"] = 9
    d = lt.difference(results, "fix", 9)
    assert d["mean"] == 1.0 and lt.verdict(d) == "better"
    assert "digit 9 recall +1.000" in lt.conclusions(results)[1]
    matrix = lt.pairwise(results).splitlines()
    assert matrix[1].split()[:2] == ["1", "+"] and matrix[1].endswith("fix")
    assert matrix[2].split()[:2] == ["2", "-"] and matrix[2].endswith("CE")


def test_post_hoc_adjustment_moves_decisions_to_rare_classes(lt):
    counts = np.array([90, 10])
    logits = np.array([[1.0, 0.0], [3.0, 0.0]])  # log(90/10) = 2.2
    assert lt.post_hoc(logits, counts).tolist() == [1, 0]
    assert lt.post_hoc(logits, np.array([5, 5])).tolist() == [0, 0]


def test_every_method_runs(lt, data):
    results = lt.run(1, steps=3, data=data)
    assert set(results.pred) == set(lt.methods(data)) | {lt.POST_HOC}
    assert all(p.shape == (1, 500) for p in results.pred.values())
    assert "balanced softmax" in lt.table(results)
    assert results.focus == {m: 9 for m in results.pred if m.startswith("weighted")}


def test_run_rejects_bad_arguments_before_training(lt, data):
    with pytest.raises(ValueError, match="unknown: \\['typo'\\]"):
        lt.run(1, steps=1, only=["CE", "typo"], data=data)
    with pytest.raises(ValueError, match="CE included"):
        lt.run(1, steps=1, only=["CE + label shuffle"], data=data)
    with pytest.raises(ValueError, match="seeds"):
        lt.run(0, data=data)
