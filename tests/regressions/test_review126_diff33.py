"""Review 126, diff33: the changes since 3bb920e. ``refuse_table_of_priors``
(no priors input accepted before is refused now: polars Series, pyarrow arrays,
numpy structured arrays still pass; the fixes its message offers are run as
written), ``int64_targets`` skipping its uint64 check under torch.compile,
torch.func transforms and the meta device (a wrapped uint64 ``-100`` then
passes as ignored, while an out-of-range index is still refused there:
checked in the fused op),
``_check_object_numbers`` refusing complex labels (real numbers, bools,
Fractions and Decimals still pass), and the argument checks of
``examples/long_tail.py`` (``_check_count``, ``_positive_int``, ``groups``).
Confirmed holes are strict xfails."""

from __future__ import annotations

import decimal
import fractions
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import class_weights
from rebalance.threshold import ThresholdMover, adjust_priors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
X = np.random.RandomState(0).normal(size=(40, 2))
Y = np.array([0] * 10 + [1] * 30)
PROBA = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])


def _fix_of(message: str, name: str, value):
    """Run the ``e.g. ...`` fix of a refusal's message on ``value``."""
    code = re.search(r"e\.g\. (.+)\.$", message).group(1)
    # one namespace: a comprehension in eval sees globals only
    return eval(code, {"float": float, "dict": dict, "zip": zip, name: value})


def _train_priors(priors):
    mover = ThresholdMover(
        LogisticRegression(), train_priors=priors, deploy_priors=[0.5, 0.5]
    )
    return mover.fit(X, Y).train_priors_


# --------------------------------------------------------- tables of priors
def _array_likes():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    return [
        pl.Series("p", [0.25, 0.75]),
        pa.array([0.25, 0.75]),
        pa.chunked_array([[0.25], [0.75]]),
        np.array([(0.25,), (0.75,)], dtype=[("p", "f8")]),
    ]


def test_array_likes_of_priors_still_accepted():
    expected = adjust_priors(PROBA, [0.25, 0.75], [0.5, 0.5])
    for priors in _array_likes():
        np.testing.assert_allclose(_train_priors(priors), [0.25, 0.75])
        np.testing.assert_allclose(adjust_priors(PROBA, priors, [0.5, 0.5]), expected)


def test_one_column_frame_was_and_is_refused_naming_the_argument():
    # np.asarray gave shape (2, 1) before 3bb920e: a shape error then too.
    column = pd.DataFrame({"p": [0.25, 0.75]})
    with pytest.raises(TypeError, match="train_priors"):
        _train_priors(column)
    with pytest.raises(TypeError, match="train_priors"):
        adjust_priors(PROBA, column, [0.5, 0.5])


def test_polars_value_counts_fix_runs_in_threshold_mover():
    pl = pytest.importorskip("polars")
    table = pl.Series("y", [0, 1, 1, 1]).value_counts(normalize=True)
    with pytest.raises(TypeError, match="train_priors") as info:
        _train_priors(table)
    fixed = _fix_of(str(info.value), "train_priors", table)
    np.testing.assert_allclose(_train_priors(fixed), [0.25, 0.75])


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_one_row_text_column_table_fix_works_for_int_classes(library):
    lib = pytest.importorskip(library)
    table = (
        lib.DataFrame({"0": [0.25], "1": [0.75]})
        if library == "polars"
        else lib.table({"0": [0.25], "1": [0.75]})
    )
    with pytest.raises(TypeError, match="train_priors") as info:
        _train_priors(table)
    fixed = _fix_of(str(info.value), "train_priors", table)
    np.testing.assert_allclose(_train_priors(fixed), [0.25, 0.75])


def test_one_row_pandas_frame_fix_works_with_a_labelled_row():
    proba = pd.DataFrame({0: [0.2, 0.3], 1: [0.8, 0.7]})
    means = proba.agg(["mean"])  # one row, index 'mean'
    with pytest.raises(TypeError, match="train_priors") as info:
        _train_priors(means)
    fixed = _fix_of(str(info.value), "train_priors", means)
    np.testing.assert_allclose(_train_priors(fixed), [0.25, 0.75])


def test_value_counts_to_frame_fix_works():
    priors = pd.Series([0, 1, 1, 1]).value_counts(normalize=True).to_frame()
    proba = pd.DataFrame({0: [0.2, 0.6], 1: [0.8, 0.4]})
    with pytest.raises(TypeError, match="train_priors") as info:
        adjust_priors(proba, priors, [0.5, 0.5])
    fixed = _fix_of(str(info.value), "train_priors", priors)
    expected = adjust_priors(proba, {0: 0.25, 1: 0.75}, [0.5, 0.5])
    np.testing.assert_allclose(
        np.asarray(adjust_priors(proba, fixed, [0.5, 0.5])), np.asarray(expected)
    )


# ------------------------------------------------------ complex labels
@pytest.mark.parametrize(
    "labels",
    [
        [np.float64(1.0), np.float64(2.0)],
        [np.float32(1.0), np.float32(2.0)],
        [True, False],
        [np.bool_(True), np.bool_(False)],
        [fractions.Fraction(1), fractions.Fraction(2)],
        [decimal.Decimal(1), decimal.Decimal(2)],
        [np.int8(1), np.uint64(2)],
    ],
    ids=["f64", "f32", "bool", "np_bool", "fraction", "decimal", "np_ints"],
)
def test_real_number_objects_still_accepted(labels):
    y = np.array([labels[0], labels[1], labels[0]], dtype=object)
    weights = class_weights(y)
    assert weights[labels[0]] == pytest.approx(0.75)
    assert weights[labels[1]] == pytest.approx(1.5)


@pytest.mark.parametrize("kind", [np.complex128, np.complex64])
def test_numpy_complex_objects_refused(kind):
    y = pd.Series([kind(1), kind(2), kind(1)], dtype=object)
    with pytest.raises(ValueError, match="Complex data not supported"):
        class_weights(y)


# ------------------------------------------------- uint64 targets traced
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _wrapped(torch):
    return torch.tensor([0, 1, 2, -100]).view(torch.uint64)


def test_wrapped_uint64_refused_when_compiled(torch):
    from rebalance.torch import softmax_focal_loss

    torch._dynamo.reset()
    compiled = torch.compile(softmax_focal_loss, backend="eager")
    with pytest.raises(ValueError):
        compiled(torch.zeros(4, 3), _wrapped(torch))


def test_wrapped_uint64_refused_under_vmap(torch):
    from rebalance.torch import softmax_focal_loss

    with pytest.raises(ValueError):
        torch.func.vmap(softmax_focal_loss)(torch.zeros(1, 4, 3), _wrapped(torch)[None])


def test_small_uint64_targets_under_vmap_as_eager(torch):
    from rebalance.torch import softmax_focal_loss

    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 1])
    got = torch.func.vmap(softmax_focal_loss)(
        logits[None], target.to(torch.uint64)[None]
    )
    torch.testing.assert_close(got[0], softmax_focal_loss(logits, target))


# ------------------------------------------------------ examples/long_tail
@pytest.fixture
def lt(monkeypatch, torch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import long_tail

    def fail(*args, **kwargs):
        raise AssertionError("digits loaded before the arguments were checked")

    monkeypatch.setattr(long_tail, "load_digits", fail)
    return long_tail


def test_check_count_takes_numpy_ints_not_bools_or_floats(lt):
    lt._check_count(np.int64(3), "n")
    lt._check_count(2, "n", 2)
    for bad in (True, 3.0, 0, np.int8(-1), "3"):
        with pytest.raises(ValueError, match="n must be a positive int"):
            lt._check_count(bad, "n")
    with pytest.raises(ValueError, match=r"n must be an int >= 2"):
        lt._check_count(1, "n", 2)


@pytest.mark.parametrize(
    "kwargs",
    [{"n_test": 0}, {"groups": (3, 3, 3)}, {"groups": (5, 5)}, {"groups": (3.0, 4, 3)}],
)
def test_long_tail_digits_checks_before_loading(lt, kwargs):
    with pytest.raises(ValueError, match="n_test|groups"):
        lt.long_tail_digits(**kwargs)


def test_long_tail_digits_accepts_groups_as_numpy_array(lt, monkeypatch):
    from sklearn.datasets import load_digits

    monkeypatch.setattr(lt, "load_digits", load_digits)
    data = lt.long_tail_digits(groups=np.array([3, 4, 3]))
    assert data.group.count("medium") == 4


def test_main_refuses_non_positive_counts_before_work(lt, monkeypatch):
    monkeypatch.setattr(lt, "run", lambda *a, **k: pytest.fail("run reached"))
    for argv in (["--threads", "0"], ["--seeds", "-1"], ["--steps", "0"]):
        with pytest.raises(SystemExit):
            lt.main(argv)
    assert lt._positive_int("4") == 4
