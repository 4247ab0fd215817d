"""Review 25 (versions): the lower bounds in pyproject.toml are true.

Checked by installing the lowest allowed stack (Python 3.11) and running the
core test files: numpy 1.24.3, scipy 1.10.1, scikit-learn 1.6.0,
imbalanced-learn 0.13.0, pandas 2.0.0, numba 0.60.0, narwhals 2.0.0,
sklearn-compat 0.1.0, tqdm 4.60.0, pyarrow 14.0.0, skrub 0.6.0,
matplotlib 3.7.0. Review 38 checked it again: numpy 1.25.2, scipy 1.11.4,
imbalanced-learn 0.14.0 (what 0.14 needs; the old numpy and scipy bounds
could not be installed with it), the rest as above, polars 1.0.0; and a
middle stack (numpy 1.26, pandas 2.1, scikit-learn 1.7, pyarrow 16, Dask
2024.12, Lightning 2.4, skorch 1.0).
"""

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from rebalance import ThresholdMover
from rebalance._frames import take_rows

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

#: The first version of each dependency that works with the rest of the
#: lowest allowed stack; a declared lower bound below it lets pip install a
#: broken set.
REQUIRED = {
    # 0.12.x: imports fail on scikit-learn 1.6 (0.12.0: sklearn.utils
    # .parse_version is gone) or every sampler fails (0.12.4: no
    # Tags.sampler_tags); 0.13.0 does not import with scikit-learn 1.7
    # (sklearn.utils._tags._safe_tags is gone), a pair pip accepts.
    "imbalanced-learn": (0, 14),
    # Dask before 2024.12 (its legacy DataFrame): none of the shuffle checks
    # that keep the labels on their rows apply.
    "dask": (2024, 12),
    "distributed": (2024, 12),
    # imbalanced-learn 0.14 (the lowest allowed) needs these: the lower
    # bounds below them could never be installed (review 38).
    "numpy": (1, 25, 2),
    "scipy": (1, 11, 4),
    # torch 2.4: rebalance.torch does not import (no
    # torch.library.register_vmap; custom_op refuses string annotations).
    "torch": (2, 5),
    # rebalance imports narwhals.stable.v2, new in narwhals 2.0.
    "narwhals": (2, 0),
    # scikit-learn 1.6's Tags (__sklearn_tags__) are used throughout.
    "scikit-learn": (1, 6),
    # skrub 0.5.x: StringEncoder takes no random_state (compare crashes with a
    # TypeError on any text or high-cardinality column).
    "skrub": (0, 6),
    # skorch 1.0 and 1.1 with torch >= 2.6 (weights_only=True by default):
    # load_params of a net whose module is the user's own class fails, as
    # do the skorch tests here (review 45; 1.2.0 and 1.3.0 pass them).
    "skorch": (1, 2),
}


def _lower_bounds(requirements):
    bounds = {}
    for requirement in requirements:
        spec = requirement.split(";")[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", spec)
        name, rest = match.group(1).lower(), match.group(3)
        lower = re.search(r">=\s*([0-9][0-9.]*)", rest)
        pinned = re.search(r"==\s*([0-9][0-9.]*)", rest)
        found = lower or pinned
        bounds[name] = (
            None
            if found is None
            else tuple(int(part) for part in found.group(1).split(".") if part)
        )
    return bounds


def _project():
    return tomllib.loads(PYPROJECT.read_text())["project"]


def test_every_core_dependency_has_a_lower_bound():
    bounds = _lower_bounds(_project()["dependencies"])
    assert bounds, "no dependencies parsed from pyproject.toml"
    missing = sorted(name for name, bound in bounds.items() if bound is None)
    assert not missing, f"core dependencies without a lower bound: {missing}"


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_declared_lower_bounds_are_the_versions_that_work(name):
    project = _project()
    groups = [project["dependencies"], *project["optional-dependencies"].values()]
    declared = [
        bound
        for group in groups
        for dep, bound in _lower_bounds(group).items()
        if dep == name
    ]
    assert declared, f"{name} is not declared in pyproject.toml"
    for bound in declared:
        assert bound is not None and bound >= REQUIRED[name], (
            f"{name}>={'.'.join(map(str, bound or ()))} allows versions "
            f"that break; it needs >={'.'.join(map(str, REQUIRED[name]))}"
        )


def test_unsigned_fold_positions_gather_on_every_numpy():
    # numpy < 2 refused uint64 positions in np.take (TypeError: "Cannot cast
    # array data from dtype('uint64') to dtype('int64')"), so a cv given as
    # uint64 (train, test) arrays crashed ThresholdMover on numpy 1.x.
    X, y = make_classification(200, weights=[0.8], random_state=0)
    rows = np.arange(200, dtype=np.uint64)
    cv = [(rows[:100], rows[100:]), (rows[100:], rows[:100])]
    signed = [(a.astype(np.intp), b.astype(np.intp)) for a, b in cv]
    got = ThresholdMover(LogisticRegression(), strategy="tuned", cv=cv).fit(X, y)
    want = ThresholdMover(LogisticRegression(), strategy="tuned", cv=signed)
    assert got.threshold_ == want.fit(X, y).threshold_
    for data in (np.arange(10.0), np.array([object()] * 10, dtype=object)):
        taken = take_rows(data, np.array([3, 1], dtype=np.uint64))
        assert list(taken) == [data[3], data[1]]
