"""Review 128, area diff35: the lead's commit b23d28d (``git show b23d28d --
rebalance``). Reviewed by reading the diff and running each changed path:
a refused sampler refit (in memory, a Dask refit, a user's subclass that
overrides ``_check_inputs``), the fixes the priors-table TypeError gives
(copied out of the message and run, for pandas, polars, pyarrow, narwhals
over pandas/polars/pyarrow, Dask), ``plot()``/``report()`` to the paths
that worked before (cwd-relative, pathlib, bytes, a symlinked folder,
.svg/.pdf, every documented ``report()`` keyword, the CLI's temporary
file), and the per-class heat map at 40/41/100 classes with long labels.
"""

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rebalance import _report
from rebalance.compare import compare
from rebalance.samplers import RandomOverSampler, RandomUnderSampler
from rebalance.threshold import ThresholdMover

RNG = np.random.default_rng(0)
X3 = RNG.normal(size=(60, 2))
Y3 = np.array(["a"] * 30 + ["b"] * 20 + ["c"] * 10)
SHARES = {"a": 0.5, "b": 0.3, "c": 0.2}


def _fix_of(table):
    """The fix the refusal gives, as an expression of ``T``."""
    with pytest.raises(TypeError) as info:
        ThresholdMover(LogisticRegression(), deploy_priors=table).fit(X3, Y3)
    expr = str(info.value).split("e.g. ")[-1].rstrip(".")
    return expr.replace("deploy_priors", "T")


def _run_fix(table):
    expr = _fix_of(table)
    priors = eval(expr, {"T": table})  # noqa: S307 - the message's own fix
    fitted = ThresholdMover(LogisticRegression(), deploy_priors=priors).fit(X3, Y3)
    return fitted.deploy_priors_


def _tables():
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    nw = pytest.importorskip("narwhals")
    base = {
        "pd_row": pd.DataFrame({k: [v] for k, v in SHARES.items()}),
        "pd_lab": pd.DataFrame({"label": list(SHARES), "share": list(SHARES.values())}),
        "pl_row": pl.DataFrame({k: [v] for k, v in SHARES.items()}),
        "pl_col": pl.DataFrame({"p": list(SHARES.values())}),
        "pl_lab": pl.DataFrame({"label": list(SHARES), "share": list(SHARES.values())}),
        "pa_row": pa.table({k: [v] for k, v in SHARES.items()}),
        "pa_col": pa.table({"p": list(SHARES.values())}),
        "pa_lab": pa.table({"label": list(SHARES), "share": list(SHARES.values())}),
    }
    out = dict(base)
    for key, table in base.items():
        if not key.startswith("pd_") or key == "pd_lab":
            out["nw_" + key] = nw.from_native(table)
    out["nw_pd_row"] = nw.from_native(base["pd_row"])
    return out


@pytest.mark.parametrize(
    "key",
    [
        "pd_row",
        "pd_lab",
        "pl_row",
        "pl_col",
        "pl_lab",
        "pa_row",
        "pa_col",
        "pa_lab",
        "nw_pd_row",
        "nw_pd_lab",
        "nw_pl_row",
        "nw_pl_col",
        "nw_pl_lab",
        "nw_pa_row",
        "nw_pa_col",
        "nw_pa_lab",
    ],
)
def test_priors_table_fix_runs(key):
    got = _run_fix(_tables()[key])
    np.testing.assert_allclose(got, [0.5, 0.3, 0.2])


def test_pandas_value_counts_column_fix_runs():
    table = pd.Series(SHARES).to_frame()  # column named 0, index the labels
    assert _fix_of(table) == "T.iloc[:, 0]"
    np.testing.assert_allclose(_run_fix(table), [0.5, 0.3, 0.2])


@pytest.mark.parametrize("lib", ["pandas", "polars", "pyarrow"])
def test_table_without_columns_refused_with_type_error(lib):
    module = pytest.importorskip(lib)
    table = module.table({}) if lib == "pyarrow" else module.DataFrame()
    with pytest.raises(TypeError, match="deploy_priors is a .*has no columns"):
        ThresholdMover(LogisticRegression(), deploy_priors=table).fit(X3, Y3)


def test_narwhals_pandas_value_counts_column_fix_runs():
    nw = pytest.importorskip("narwhals")
    table = nw.from_native(pd.Series(SHARES).to_frame())  # column named 0
    np.testing.assert_allclose(_run_fix(table), [0.5, 0.3, 0.2])


def test_dask_label_share_table_refused_with_fix():
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"label": list(SHARES), "share": list(SHARES.values())})
    table = dd.from_pandas(frame, npartitions=1)
    # (stop 56) Refused saying to compute it; computed, the pandas frame's
    # refusal gives the fix that reads it.
    with pytest.raises(TypeError, match=r"Dask DataFrame.*deploy_priors\.compute\(\)"):
        ThresholdMover(LogisticRegression(), deploy_priors=table).fit(X3, Y3)
    with pytest.raises(TypeError, match="table of labels and shares"):
        ThresholdMover(LogisticRegression(), deploy_priors=table.compute()).fit(X3, Y3)


# -- samplers: a refused refit ------------------------------------------------

XS = RNG.normal(size=(30, 3))
YS = np.array([0] * 20 + [1] * 10)


def test_refused_refit_keeps_strategy_features_and_shrinkage():
    ros = RandomOverSampler(random_state=0, shrinkage=0.5).fit(XS, YS)
    before = (ros.sampling_strategy_, ros.n_features_in_, dict(ros.shrinkage_))
    with pytest.raises(ValueError, match="one class only"):
        ros.fit(np.ones((5, 4)), np.zeros(5, dtype=int))
    assert (ros.sampling_strategy_, ros.n_features_in_, dict(ros.shrinkage_)) == before
    assert before[0] == {1: 10}


def test_user_subclass_overriding_check_inputs_still_works():
    class Mine(RandomUnderSampler):
        def _check_inputs(self, X, y, sample_weight=None, method="fit_resample"):
            out = super()._check_inputs(X, y, sample_weight, method)
            self.mine_ = len(y)
            return out

    sampler = Mine(random_state=0)
    Xr, yr = sampler.fit_resample(XS, YS)
    assert sampler.mine_ == 30 and np.bincount(yr).tolist() == [10, 10]
    np.testing.assert_array_equal(Xr, XS[sampler.sample_indices_])


def test_dask_refit_refused_by_feature_names_keeps_last_fit():
    dd = pytest.importorskip("dask.dataframe")
    sampler = RandomUnderSampler(random_state=0)
    sampler.fit(pd.DataFrame(XS, columns=list("abc")), YS)
    frame = pd.DataFrame(RNG.normal(size=(30, 2)), columns=[0, "a"])
    with pytest.raises(TypeError, match="string names"):
        sampler.fit(
            dd.from_pandas(frame, npartitions=2),
            dd.from_pandas(pd.Series(np.repeat([0, 1, 2], 10)), npartitions=2),
        )
    assert sampler.n_features_in_ == 3
    assert sampler.feature_names_in_.tolist() == ["a", "b", "c"]
    assert sampler.sampling_strategy_ == {0: 10}


def test_refused_refit_keeps_sample_indices():
    ros = RandomOverSampler(random_state=0)
    _, y_res = ros.fit_resample(XS, YS)
    indices = ros.sample_indices_.copy()
    with pytest.raises(ValueError, match="one class only"):
        ros.fit_resample(np.ones((5, 4)), np.zeros(5, dtype=int))
    np.testing.assert_array_equal(ros.sample_indices_, indices)


def test_keyboard_interrupt_mid_check_restores_fit(monkeypatch):
    ros = RandomOverSampler(random_state=0).fit(XS, YS)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(RandomOverSampler, "_shrinkage_per_class", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ros.fit(RNG.normal(size=(30, 5)), np.repeat([0, 1, 2], 10))
    assert ros.n_features_in_ == 3 and ros.sampling_strategy_ == {1: 10}


# -- plot() / report() ---------------------------------------------------------


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=80) > 0.9).astype(int)
    return compare(X, y, folds=2, method_names=["none"], progress=False)


def test_report_takes_every_documented_keyword(result, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result.report(
        "x.html",
        source="survey.csv",
        model="my model",
        seed=7,
        summary="SUMMARY-TEXT",
        conclusion="CONCLUSION-TEXT",
        footer="FOOTER-TEXT",
    )
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    for word in ("SUMMARY-TEXT", "CONCLUSION-TEXT", "FOOTER-TEXT"):
        assert word in text


def test_plot_to_svg_pdf_path_and_symlinked_folder(result, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    result.plot(link / "a.svg")
    result.plot(str(link / "b.pdf"))
    assert (real / "a.svg").read_text()[:200].lstrip().startswith("<?xml")
    assert (real / "b.pdf").read_bytes()[:5] == b"%PDF-"
    result.report(os.fsencode(link / "r.html"))
    assert (real / "r.html").read_text(encoding="utf-8").startswith("<!")


def test_cli_write_through_temporary_file(result, tmp_path):
    from rebalance.cli import _write

    target = tmp_path / "out.html"
    _write(str(target), "--report", lambda p: result.report(p, footer="F-OK"))
    assert "F-OK" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_dev_null_like_path_accepted():
    _report.check_output_path("/dev/null")
    _report.check_output_path(b"/dev/null")


def _recalls(labels, n_methods=3):
    import types

    methods = [f"m{i}" for i in range(n_methods)]
    rng = np.random.default_rng(1)
    recall = {m: {c: float(rng.random()) for c in labels} for m in methods}
    return (
        types.SimpleNamespace(
            labels=labels,
            n_classes=len(labels),
            ranking=lambda metric: methods,
            per_class_recall=lambda: recall,
        ),
        recall,
        methods,
    )


@pytest.mark.parametrize("k", [40, 41, 100])
def test_heat_map_bounds_and_values(k):
    labels = [f"class number {j} with a long label" for j in range(k)]
    fake, recall, methods = _recalls(labels)
    fig = _report.per_class_figure(fake)
    ax = fig.axes[0]
    expected = np.array([[recall[m][c] for c in labels] for m in methods])
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    step = -(-k // 40)
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == labels[::step]
    assert len(ax.texts) == (3 * k if k <= 40 else 0)
    assert fig.get_size_inches()[0] <= 1.2 * 40 + 3
    assert _report._png(fig)[:4] == b"\x89PNG"
