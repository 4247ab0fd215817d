"""Review 147, area diff52: the lead's commit d33a473 (``git diff 39d10eb
d33a473 -- rebalance/``).

Reviewed: ``check_scored_rows`` (labels and weights of
``ThresholdMover.score`` / ``ResampledClassifier.score`` checked as fit
checks them), ``label_array`` reading a Hugging Face column once and naming
the argument in its ClassLabel -1 error, the torch samplers' refusal of -100
(torch's ignore_index) and of masked arrays in ``HardExampleSampler.update``,
``OHEMLoss``'s ``_softmax``, ``rebalance compare --drop`` checked value by
value, and ``ComparisonResult.table`` names shown on one line. By probing
each with scripts (scikit-learn ``cross_val_score`` / ``GridSearchCV`` with
and without metadata routing, Dask, polars, pandas, lists, HF ``datasets``
columns, torch tensors of several dtypes, the CLI through ``main``).

Bugs (fixed by the lead; each test below failed before):

* the torch samplers refuse -100 only in an integer-dtype array: an object
  array (a pandas object column of ints) holding -100 is balanced with -100
  as a class of its own, its rows drawn most (silent);
* ``--drop zz --drop yy`` (two unknown names in two values) names only
  ``zz`` in the error: each value is checked alone, so the user fixes one
  name and meets the next (before d33a473 both were listed);
* ``table()`` shows C0/C1 control characters of a name as spaces, but a
  Unicode line separator (U+2028, U+2029) still splits a row in two for
  ``str.splitlines`` and for editors / browsers.

Checked and working (a few kept as pins): ``score`` inside
``cross_val_score`` / ``GridSearchCV``, with metadata routing and
``set_score_request(sample_weight=True)``; a one-class y (a small test
fold) and labels unseen in fit still scored; Dask X / y / weights; polars
and list weights; a pandas weight in another index order refused; NaN / None
labels and a ClassLabel -1 refused naming ``y``; a sampler's ClassLabel -1
error names ``y``, a torch sampler's ``labels``; -100 refused in int16 /
tensor / list / Int64 / category labels and in labels a ``RebalancedLoader``
reads from a dataset; ``OHEMLoss`` reads one unbatched sample for a
``CrossEntropyLoss`` subclass and nested partials of ``F.cross_entropy``;
``--drop "a, b"`` drops both columns and ``--drop "Amount, EUR"`` the column.
"""

import functools
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from rebalance import ThresholdMover

torch = pytest.importorskip("torch")


def _xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0.5).astype(int)


# -- (1) score: labels and weights checked as in fit -------------------------


def test_score_refuses_missing_label_and_scores_small_folds():
    X, y = _xy()
    model = ThresholdMover(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="^y has missing labels"):
        model.score(X[:5], np.array([0, 1, None, 0, 1], dtype=object))
    # A test fold of one class is scored, not refused as fit would.
    assert model.score(X[:5], np.zeros(5, int)) == pytest.approx(0.8)
    scores = cross_val_score(ThresholdMover(LogisticRegression()), X, y, cv=3)
    assert np.all(scores > 0.8)


# -- (3) torch samplers and -100 ---------------------------------------------


def test_sampler_refuses_ignore_index_in_object_labels():
    from rebalance.torch.samplers import RebalanceSampler

    labels = pd.Series([0, 1, -100, 1, 0, 1], dtype=object)
    with pytest.raises(ValueError, match="-100"):
        RebalanceSampler(labels)


def test_loader_refuses_ignore_index_of_dataset_labels():
    from rebalance.torch.samplers import RebalancedLoader

    labels = torch.tensor([0, 1, -100, 1, 0, 1], dtype=torch.int16)
    data = torch.utils.data.TensorDataset(torch.randn(6, 2), labels)
    with pytest.raises(ValueError, match="^labels holds -100 in 1 row"):
        RebalancedLoader()(data, batch_size=2)


# -- (4) OHEMLoss: one unbatched sample of cross-entropy ---------------------


def test_ohem_unbatched_cross_entropy_subclass_and_nested_partial():
    from rebalance.torch.losses import OHEMLoss

    class MyCE(torch.nn.CrossEntropyLoss):
        pass

    logits, target = torch.tensor([0.5, -1.0, 2.0]), torch.tensor(1)
    expected = torch.nn.functional.cross_entropy(logits, target)
    F = torch.nn.functional
    nested = functools.partial(functools.partial(F.cross_entropy), reduction="none")
    for criterion in (MyCE(reduction="none"), nested):
        loss = OHEMLoss(criterion, top_k=1)(logits, target)
        assert torch.allclose(loss, expected)


# -- (5) rebalance compare --drop --------------------------------------------


def _compare(tmp_path, *drop):
    from rebalance.cli import main

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.random((40, 3)), columns=["a", "b", "Amount, EUR"])
    data["y"] = (np.arange(40) % 4 == 0).astype(int)
    data.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "o.json"
    argv = ["compare", "--data", str(tmp_path / "d.csv"), "--target", "y"]
    main([*argv, "--folds", "2", "--methods", "none", *drop, "--json", str(out)])
    return set(json.loads(out.read_text())["columns"]["dropped"])


def test_drop_spaced_names(tmp_path):
    assert _compare(tmp_path, "--drop", "a, b") == {"a", "b"}


def test_drop_error_names_unknown_names_of_every_value(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        _compare(tmp_path, "--drop", "zz", "--drop", "yy")
    err = capsys.readouterr().err + str(exc.value.code)
    assert "zz" in err and "yy" in err


# -- (6) table(): one line per method ----------------------------------------


def test_table_one_line_per_method_with_unicode_line_separator():
    from rebalance.compare import compare, default_methods

    X, y = _xy()
    none = default_methods("logistic", 2)["none"]
    result = compare(X, y, methods={"a\u2028b": none, "c\u2029d": none}, folds=2)
    rows = result.table(width=200).splitlines()
    assert sum(line.startswith(("a", "c")) for line in rows) == 2
    assert not any(line.startswith(("b ", "d ")) for line in rows)
