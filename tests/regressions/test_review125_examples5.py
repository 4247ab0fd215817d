"""Review 125, examples: ``examples/long_tail.py`` (argument checks of
``class_sizes``/``long_tail_digits``/``run``/``pairwise``/``difference``/``main``,
split soundness, verdicts following the numbers, reproducibility per seed, and
the figures that ``notebooks/03_long_tail.ipynb`` prints for CE and post-hoc
adjustment) and the figures printed by ``notebooks/01_sklearn_quickstart.ipynb``,
recomputed on the documented settings. The DDP example is not run here."""

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def lt():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import long_tail
    finally:
        sys.path.remove(str(EXAMPLES))
    return long_tail


@pytest.fixture(scope="module")
def data(lt):
    return lt.long_tail_digits()


@pytest.fixture(scope="module")
def ce_run(lt, data):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return lt.run(3, steps=250, batch_size=32, lr=1e-2, only=["CE"], data=data)
    finally:
        torch.set_num_threads(threads)


# ------------------------------------------------------------------ pins
def test_split_counts_disjoint_stratified_as_documented(lt, data):
    assert data.counts.tolist() == [120, 76, 48, 31, 19, 12, 8, 5, 3, 2]
    assert np.bincount(data.y_train, minlength=10).tolist() == data.counts.tolist()
    assert np.bincount(data.y_test, minlength=10).tolist() == [50] * 10
    assert not set(data.train_rows) & set(data.test_rows)
    assert data.group == ["head"] * 3 + ["medium"] * 4 + ["tail"] * 3
    assert "(324 rows, imbalance 60)" in lt.describe(data)


def test_notebook03_class_weight_ratios(data):
    from rebalance import class_weights

    ratios = [
        class_weights(data.y_train, "balanced"),
        class_weights(data.y_train, "effective_number", beta=0.99),
        class_weights(data.y_train, "effective_number", beta=0.999),
    ]
    assert [round(float(w[9] / w[0]), 1) for w in ratios] == [60.0, 35.2, 56.6]


def test_notebook03_ce_and_post_hoc_rows_reproduce(lt, ce_run):
    s = ce_run.summary()
    got = {
        name: [round(s[name][m][i], 3) for m in lt.METRICS for i in (0, 1)]
        for name in s
    }
    assert got["CE"] == [0.821, 0.006, 0.793, 0.008, 0.989, 0.003] + [
        0.937,
        0.008,
        0.498,
        0.013,
    ]
    assert got[lt.POST_HOC] == [0.875, 0.009, 0.868, 0.009, 0.973, 0.005] + [
        0.942,
        0.008,
        0.687,
        0.014,
    ]
    d = lt.difference(ce_run, lt.POST_HOC, "tail")
    assert (round(d["mean"], 3), round(d["low"], 3), round(d["high"], 3)) == (
        0.189,
        0.133,
        0.247,
    )


def test_run_is_reproducible_for_a_seed(lt, data, ce_run):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        again = lt.run(1, steps=250, only=["CE"], data=data)
    finally:
        torch.set_num_threads(threads)
    for name, pred in again.pred.items():
        np.testing.assert_array_equal(pred[0], ce_run.pred[name][0])


def test_verdicts_follow_the_numbers(lt, ce_run):
    s = ce_run.summary()
    for metric in ("balanced_accuracy", "tail", "head"):
        d = lt.difference(ce_run, lt.POST_HOC, metric)
        assert d["mean"] == pytest.approx(
            s[lt.POST_HOC][metric][0] - s["CE"][metric][0]
        )
        mirror = lt.difference(ce_run, "CE", metric, baseline=lt.POST_HOC)
        assert mirror["mean"] == pytest.approx(-d["mean"])
        assert mirror["low"] == pytest.approx(-d["high"])
        assert lt.verdict(mirror) == {"better": "worse", "worse": "better"}.get(
            lt.verdict(d), "within noise"
        )
    lines = lt.conclusions(ce_run)
    assert f"better: {lt.POST_HOC}." in lines[0]
    assert lines[1].startswith(f"{lt.POST_HOC} vs CE: helps the tail")


def test_notebook01_figures_reproduce():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, log_loss
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from rebalance import (
        ClassBalancedSampler,
        LabelShuffleSampler,
        RandomOverSampler,
        RandomUnderSampler,
        ResampledClassifier,
        ThresholdMover,
    )
    from rebalance.datasets import load_digits_binary

    X, y = load_digits_binary()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    assert np.bincount(y_train).tolist() == [1217, 130]
    table = []
    for sampler in [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ]:
        _, y_res = sampler.fit_resample(X_train, y_train)
        distinct = np.unique(sampler.sample_indices_).size
        table.append([len(y_res), *np.bincount(y_res).tolist(), distinct])
    assert table == [
        [260, 130, 130, 260],
        [2434, 1217, 1217, 1347],
        [1347, 677, 670, 663],
        [2434, 1217, 1217, 1347],
    ]
    scaled = StandardScaler().fit(X_train)
    Xs_train, Xs_test = scaled.transform(X_train), scaled.transform(X_test)
    resampled = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression(max_iter=2000)
    )
    corrected = ThresholdMover(resampled, strategy="argmax", deploy_priors="train").fit(
        Xs_train, y_train
    )
    raw = resampled.fit(Xs_train, y_train).predict_proba(Xs_test)[:, 1]
    fixed = corrected.predict_proba(Xs_test)[:, 1]
    assert round(float(y_test.mean()), 3) == 0.098
    assert (round(float(raw.mean()), 3), round(float(fixed.mean()), 3)) == (
        0.214,
        0.108,
    )
    assert round(log_loss(y_test, raw), 3) == 0.255
    assert round(log_loss(y_test, fixed), 3) == 0.126
    assert round(balanced_accuracy_score(y_test, resampled.predict(Xs_test)), 3) == (
        0.877
    )


# ------------------------------------------------------------------ bugs
def test_long_tail_digits_rejects_non_positive_n_test(lt):
    for n_test in (0, -50):
        with pytest.raises(ValueError, match="n_test"):
            lt.long_tail_digits(n_test=n_test)


def test_long_tail_digits_rejects_groups_not_of_three(lt):
    for groups in [(5, 5), (2, 2, 2, 2, 2)]:
        with pytest.raises(ValueError, match="groups"):
            lt.long_tail_digits(groups=groups)


def test_class_sizes_rejects_fewer_than_two_classes(lt):
    with pytest.raises(ValueError, match="n_classes"):
        lt.class_sizes(120, 60.0, 1)


def test_class_sizes_accepts_numpy_integer(lt):
    assert lt.class_sizes(np.int64(120), 60.0).tolist() == (
        lt.class_sizes(120, 60.0).tolist()
    )


def test_run_rejects_bad_steps_and_batch_size(lt, data):
    with pytest.raises(ValueError, match="steps"):
        lt.run(1, steps=-1, only=["CE"], data=data)
    with pytest.raises(ValueError, match="batch_size"):
        lt.run(1, steps=1, batch_size=0, only=["CE"], data=data)


def test_pairwise_class_index_is_supported_or_refused_clearly(lt, ce_run):
    try:
        out = lt.pairwise(ce_run, 9)
    except ValueError:
        return
    assert lt.POST_HOC in out


def test_difference_rejects_non_positive_n_boot(lt, ce_run):
    with pytest.raises(ValueError, match="n_boot"):
        lt.difference(ce_run, lt.POST_HOC, "tail", n_boot=0)


def test_main_rejects_zero_threads(lt, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("main must refuse --threads 0 before running")

    monkeypatch.setattr(lt, "run", no_run)
    threads = torch.get_num_threads()
    try:
        with pytest.raises(SystemExit):
            lt.main(["--threads", "0"])
    finally:
        torch.set_num_threads(threads)
