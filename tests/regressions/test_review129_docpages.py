"""Review 129, area ``docpages``: the pages a user reads.

Reviewed ``docs/index.md``, ``docs/notebooks.md``, ``docs/user_guide.md``,
``docs/api.rst`` and the markdown cells (and stored outputs) of
``notebooks/*.ipynb``. The docs pages hold no Python block of their own
(``user_guide.md`` includes the README, whose blocks ``tests/test_readme.py``
runs); the notebooks' code cells run under nbmake, which checks only that
they run, not what they print. So this file re-runs, in process and on the
same small data, the cheap notebook cells whose printed numbers the prose
quotes, and checks the prose claims against independent computations
(numpy, scikit-learn, ``inspect.signature``). Speed claims are skipped; the
deprecation claims of ``api.rst`` are already pinned by
``tests/test_deprecations_torch.py``, ``tests/test_threshold.py`` and
``tests/test_cli.py``.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
    ResampledClassifier,
    ThresholdMover,
    class_weights,
)
from rebalance.datasets import load_digits_binary

ROOT = Path(__file__).resolve().parents[2]


def _outputs(notebook: str, cell: int) -> str:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text("utf-8"))["cells"]
    text = []
    for out in cells[cell].get("outputs", []):
        part = out.get("text") or out.get("data", {}).get("text/plain", "")
        text.append("".join(part))
    return "".join(text)


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits_binary()
    return train_test_split(X, y, stratify=y, random_state=0)


def test_quickstart_class_counts_match_stored_output(digits_split):
    _, _, y_train, _ = digits_split
    counts = np.bincount(y_train)
    assert f"train class counts: {counts}" in _outputs("01_sklearn_quickstart.ipynb", 1)
    # "8 vs the rest (about 1:9)"
    assert 8.5 < counts[0] / counts[1] < 10


def test_quickstart_sampler_table_and_claims(digits_split):
    X_train, _, y_train, _ = digits_split
    stored = _outputs("01_sklearn_quickstart.ipynb", 3)
    n = len(y_train)
    for sampler in [
        RandomUnderSampler(random_state=0),
        RandomOverSampler(random_state=0),
        ClassBalancedSampler(random_state=0),
        LabelShuffleSampler(random_state=0),
    ]:
        X_res, y_res = sampler.fit_resample(X_train, y_train)
        idx = sampler.sample_indices_
        # "records where they came from in sample_indices_"
        np.testing.assert_array_equal(X_res, X_train[idx])
        np.testing.assert_array_equal(y_res, y_train[idx])
        # "returns rows in random order"
        assert not np.all(np.diff(idx) >= 0)
        c0, c1 = np.bincount(y_res)
        row = f"{type(sampler).__name__:<22}{len(y_res):>6}{c0:>9}{c1:>9}"
        row += f"{np.unique(idx).size:>15}"
        assert row in stored
        if isinstance(sampler, LabelShuffleSampler):
            # every row repeated floor(M/n_c) or ceil(M/n_c) times, none left out
            big = np.bincount(y_train).max()
            reps = np.bincount(idx, minlength=n)
            for c, n_c in enumerate(np.bincount(y_train)):
                r = reps[y_train == c]
                assert r.min() >= big // n_c and r.max() <= -(-big // n_c)
            assert reps.min() >= 1
        if isinstance(sampler, ClassBalancedSampler):
            assert np.unique(idx).size < n  # "leaves some out"


def test_quickstart_pipeline_and_prior_correction_numbers(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    stored6 = _outputs("01_sklearn_quickstart.ipynb", 6)
    stored8 = _outputs("01_sklearn_quickstart.ipynb", 8)
    model = make_pipeline(
        StandardScaler(),
        ResampledClassifier(
            RandomUnderSampler(random_state=0), LogisticRegression(max_iter=2000)
        ),
    ).fit(X_train, y_train)
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    plain.fit(X_train, y_train)
    b_plain = round(balanced_accuracy_score(y_test, plain.predict(X_test)), 3)
    b_under = round(balanced_accuracy_score(y_test, model.predict(X_test)), 3)
    assert f"plain:         {b_plain}" in stored6
    assert f"under-sampled: {b_under}" in stored6

    scaled = StandardScaler().fit(X_train)
    Xs_train, Xs_test = scaled.transform(X_train), scaled.transform(X_test)
    resampled = ResampledClassifier(
        RandomUnderSampler(random_state=0), LogisticRegression(max_iter=2000)
    )
    corrected = ThresholdMover(resampled, strategy="argmax", deploy_priors="train")
    corrected.fit(Xs_train, y_train)
    raw_proba = resampled.fit(Xs_train, y_train).predict_proba(Xs_test)
    fixed = corrected.predict_proba(Xs_test)[:, 1]
    # p_c ∝ p'_c · π_c / π'_c, π' = 1:1 after under-sampling, π = train priors
    pi = np.bincount(y_train) / len(y_train)
    expected = raw_proba * pi / 0.5
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(fixed, expected[:, 1], atol=1e-12)
    raw = raw_proba[:, 1]
    line = f"mean predicted p, under-sampled: {round(raw.mean(), 3)}"
    assert line + f"  corrected: {round(fixed.mean(), 3)}" in stored8
    assert f"corrected: {round(log_loss(y_test, fixed), 3)}" in stored8
    assert f"true positive rate in test: {round(y_test.mean(), 3)}" in stored8


def test_prior_strategy_is_argmax_p_over_prior_multiclass():
    # 03_long_tail: "the argmax is ThresholdMover(strategy='prior')'s
    # decision, argmax p_c / π_c"
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[: 120 // (c + 1)] for c in range(10)])
    X, y = X[keep] / 16, y[keep]
    mover = ThresholdMover(LogisticRegression(max_iter=500), strategy="prior")
    mover.fit(X, y)
    proba = mover.estimator_.predict_proba(X)
    pi = np.bincount(y) / len(y)
    np.testing.assert_array_equal(mover.predict(X), np.argmax(proba / pi, 1))


@pytest.fixture(scope="module")
def long_tail():
    pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import long_tail
    finally:
        sys.path.remove(str(ROOT / "examples"))
    return long_tail


def test_long_tail_data_as_described(long_tail):
    data = long_tail.long_tail_digits()
    stored = _outputs("03_long_tail.ipynb", 1)
    assert long_tail.describe(data) in stored
    # "keeps 120 * 60 ** (-c / 9) images of digit c: 120 ... down to 2"
    expected = [round(120 * 60 ** (-c / 9)) for c in range(10)]
    np.testing.assert_array_equal(np.bincount(data.y_train), expected)
    assert expected[0] == 120 and expected[-1] == 2
    # the test split is balanced, 50 unseen images of every digit
    np.testing.assert_array_equal(np.bincount(data.y_test), [50] * 10)
    assert not set(np.asarray(data.train_rows)) & set(np.asarray(data.test_rows))
    # "250 steps, about 25 passes"; "one label-shuffle epoch is 10 x 120 rows,
    # almost four natural ones"
    assert 24 < 250 * 32 / len(data.y_train) < 26
    assert 3.5 < 10 * 120 / len(data.y_train) < 4
    for beta, label in [(None, "balanced"), (0.99, "beta=0.99"), (0.999, "beta=0.999")]:
        if beta is None:
            w = class_weights(data.y_train, "balanced")
        else:
            w = class_weights(data.y_train, "effective_number", beta=beta)
        # independent: balanced = n / (k n_c); effective = (1 - beta) / (1 - beta^n_c)
        n_c = np.bincount(data.y_train)
        ref = 1 / n_c if beta is None else (1 - beta) / (1 - beta**n_c)
        assert w[9] / w[0] == pytest.approx(ref[9] / ref[0])
        assert f"{label}: {w[9] / w[0]:.1f}" in stored


def test_api_page_naming_rule_holds():
    torch = pytest.importorskip("torch")
    import rebalance.torch as rt

    functions = {
        "balanced_softmax_cross_entropy": "BalancedSoftmaxCrossEntropyLoss",
        "class_scaled_cross_entropy": "ClassScaledCrossEntropyLoss",
        "class_weighted_binary_cross_entropy": "ClassWeightedBinaryCrossEntropyLoss",
        "class_weighted_cross_entropy": "ClassWeightedCrossEntropyLoss",
        "logit_adjusted_cross_entropy": "LogitAdjustedCrossEntropyLoss",
        "margin_cross_entropy": "MarginCrossEntropyLoss",
        "sigmoid_focal_loss": "SigmoidFocalLoss",
        "softmax_focal_loss": "SoftmaxFocalLoss",
        "weighted_softmax_loss": "WeightedSoftmaxLoss",
        "ohem_loss": "OHEMLoss",
    }
    for function, module in functions.items():
        assert function in rt.__all__ and module in rt.__all__
        params = list(inspect.signature(getattr(rt, module).forward).parameters)
        assert params[1:3] == ["logits", "target"], module
        params = list(inspect.signature(getattr(rt, function)).parameters)
        expected = ["losses"] if function == "ohem_loss" else ["logits", "target"]
        assert params[: len(expected)] == expected, function
    # every public nn.Module loss in __all__ is covered above
    modules = {
        name
        for name in rt.__all__
        if inspect.isclass(getattr(rt, name))
        and issubclass(getattr(rt, name), torch.nn.Module)
    }
    assert modules == set(functions.values())
    # balanced softmax == logit-adjusted CE at tau = 1 (03_long_tail)
    g = torch.Generator().manual_seed(1)
    z, t = torch.randn(32, 5, generator=g), torch.randint(0, 5, (32,), generator=g)
    counts = torch.tensor([50.0, 20.0, 8.0, 3.0, 1.0])
    torch.testing.assert_close(
        rt.balanced_softmax_cross_entropy(z, t, counts),
        torch.nn.functional.cross_entropy(z + counts.log(), t),
    )
    torch.testing.assert_close(
        rt.balanced_softmax_cross_entropy(z, t, counts),
        rt.logit_adjusted_cross_entropy(z, t, counts, tau=1.0),
    )


def test_notebook_signatures_match_prose():
    # 01: ThresholdMover(..., deploy_priors='train'); 03: ClassBalancedSampler(power=p)
    assert "deploy_priors" in inspect.signature(ThresholdMover).parameters
    assert "power" in inspect.signature(ClassBalancedSampler).parameters
    assert inspect.signature(class_weights).parameters["method"].default == "balanced"
    # docs/notebooks.md: "the test suite runs them with nbmake"
    conftest = (ROOT / "conftest.py").read_text("utf-8")
    assert "config.option.nbmake = True" in conftest


def test_seed001_stored_prose_matches_stored_table():
    cells = json.loads(
        (ROOT / "notebooks" / "02_torch_training.ipynb").read_text("utf-8")
    )["cells"]
    text = "".join(cells[4]["source"])
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) > 12 and parts[-2] == "±":
            name = " ".join(parts[:-12])
            rows[name] = [float(parts[-12 + 3 * k]) for k in range(4)]
    auc = {k: v[0] for k, v in rows.items()}
    focal = [v for k, v in auc.items() if k.startswith("focal")]
    # "every focal variant (0.786–0.793) sits below plain BCE (0.806) and
    # class-weighted BCE (0.808)"
    assert round(min(focal), 3) == 0.786 and round(max(focal), 3) == 0.793
    assert max(focal) < min(auc["BCE"], auc["class-weighted BCE"])
    # "label shuffle the best minority F1 (0.386)"
    f1 = {k: v[3] for k, v in rows.items()}
    assert max(f1, key=f1.get) == "BCE + label shuffle"
    # "predicting negative for every review scores 0.920": 157 of 1,964 positive
    assert round(1 - 157 / 1964, 3) == 0.920
    acc = {k: v[1] for k, v in rows.items()}
    assert max(acc, key=acc.get) == "margin CE (m=0.8)"
