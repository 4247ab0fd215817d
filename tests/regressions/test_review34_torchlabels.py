"""Review 34, area torchlabels: how ``RebalancedLoader`` reads the labels of
a ``Subset`` (only the subset's rows) and of a ``ConcatDataset`` (parts of
other integer dtypes as integers, not Python objects)."""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import ConcatDataset, Dataset, Subset  # noqa: E402

from rebalance import RandomUnderSampler  # noqa: E402
from rebalance.torch import BalancedBatchSampler, RebalancedLoader  # noqa: E402


class _Rows(Dataset):
    """A data set of row ids whose labels are ``targets``, as given."""

    def __init__(self, targets):
        self.targets = targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return i


# Rows 4 and 5 are unlabelled (semi-supervised data); the subset leaves them out.
_LABELLED = [0, 1, 2, 3, 6, 7]
_NUMBERS = [0, 1, 0, 1, None, None, 0, 1]
_TEXT = ["a", "b", "a", "b", None, None, "a", "b"]


def _pyarrow(values):
    pa = pytest.importorskip("pyarrow")
    return pa.array(values)


def _polars(values):
    pl = pytest.importorskip("polars")
    return pl.Series(values)


_PARTLY_LABELLED = {
    "pandas-float-nan": lambda: pd.Series(_NUMBERS, dtype=float),
    "pandas-nullable-int": lambda: pd.Series(_NUMBERS, dtype="Int64"),
    "numpy-float-nan": lambda: np.array(_NUMBERS, dtype=float),
    "list-str-none": lambda: list(_TEXT),
    "tuple-str-nan": lambda: tuple(float("nan") if v is None else v for v in _TEXT),
    "pandas-str-none": lambda: pd.Series(_TEXT),
    "pyarrow-int-null": lambda: _pyarrow(_NUMBERS),
    "polars-str-null": lambda: _polars(_TEXT),
    # Read well before too: kept as a control.
    "float-tensor-nan": lambda: torch.tensor(np.array(_NUMBERS, dtype=float)),
}


@pytest.mark.parametrize("make", _PARTLY_LABELLED.values(), ids=_PARTLY_LABELLED)
@pytest.mark.parametrize("batches", [False, True])
def test_subset_of_partly_labelled_parent_draws_its_rows(make, batches):
    # Before: ValueError "labels has missing labels ... the first at position
    # 4" (a position in the parent) for the unlabelled rows the Subset leaves
    # out: the parent's labels were read (and checked) whole.
    labels = make()
    dataset = Subset(_Rows(labels), _LABELLED)
    if batches:
        loader = RebalancedLoader(BalancedBatchSampler, seed=0)(dataset, batch_size=2)
        encoded = loader.batch_sampler.labels
    else:
        loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
            dataset, batch_size=2
        )
        encoded = loader.sampler.plan.labels
    assert encoded.n_samples == len(_LABELLED)
    assert len(encoded.classes) == 2
    drawn = torch.cat(list(loader)).tolist()
    # The rows drawn (parent row ids) are the subset's, all labelled.
    assert drawn and set(drawn) <= set(_LABELLED)


def test_subset_of_partly_labelled_hugging_face_dataset():
    # Before: "labels has missing labels ... position 4" (see above).
    datasets = pytest.importorskip("datasets")
    data = datasets.Dataset.from_dict({"x": list(range(8)), "label": _NUMBERS})
    loader = RebalancedLoader(sampler=RandomUnderSampler(), seed=0)(
        Subset(data, _LABELLED), batch_size=2
    )
    assert loader.sampler.plan.labels.classes.tolist() == [0, 1]
    assert loader.sampler.plan.labels.n_samples == len(_LABELLED)


@pytest.mark.parametrize(
    "make",
    [lambda: list(_TEXT), lambda: np.array(_NUMBERS, dtype=float)],
    ids=["list-str", "numpy-float"],
)
def test_subset_missing_label_is_named_at_its_subset_position(make):
    # Before: the first missing label was named at its parent position (4),
    # which is no row of the data set the loader was given. The subset's
    # row 3 is the parent's row 5.
    dataset = Subset(_Rows(make()), [0, 1, 2, 5, 4, 6, 7])
    with pytest.raises(
        ValueError,
        match=r"^labels has missing labels .* 2 row\(s\), the first at "
        r"position 3\b",
    ):
        RebalancedLoader(seed=0)(dataset, batch_size=2)


def test_nested_subsets_read_only_their_rows():
    inner = Subset(_Rows(list(_TEXT)), [7, 6, 5, 4, 3, 2, 1, 0])
    outer = Subset(inner, [0, 1, 4, 5, -1])  # parent rows 7, 6, 3, 2, 0
    loader = RebalancedLoader(seed=0)(outer, batch_size=2)
    assert loader.sampler.plan.labels.classes.tolist() == ["a", "b"]
    assert loader.sampler.plan.labels.counts.tolist() == [3, 2]


def test_subset_positions_outside_the_parent_are_refused_clearly():
    # Before: IndexError "index 8 is out of bounds for axis 0 with size 8".
    dataset = Subset(_Rows([0, 1] * 4), [0, 1, 8])
    with pytest.raises(ValueError, match=r"dataset\.indices holds the position 8"):
        RebalancedLoader(seed=0)(dataset, batch_size=2)


@pytest.mark.parametrize(
    "first, second",
    [
        (np.array([0, 1, 2, 2], dtype=np.uint8), np.array([0, 1, 1, 2])),
        (np.array([0, 1, 1, 2], dtype=np.int32), np.array([0, 1, 2], dtype=np.uint8)),
        (
            torch.tensor([0, 1, 2, 2], dtype=torch.uint8),
            torch.tensor([0, 1, 1, 2], dtype=torch.int64),
        ),
        (np.array([0, 1, 2, 2], dtype=np.int8), np.array([0, 1, 2], dtype=np.uint16)),
    ],
    ids=["uint8+int64", "int32+uint8", "uint8-tensor+int64-tensor", "int8+uint16"],
)
def test_concat_of_integer_dtypes_stays_integers(first, second):
    # Before: the parts were concatenated as Python objects (about 30 times
    # slower on 10**7 labels), and the classes came back as objects.
    dataset = ConcatDataset([_Rows(first), _Rows(second)])
    loader = RebalancedLoader(seed=0)(dataset, batch_size=2)
    classes = loader.sampler.plan.labels.classes
    assert classes.dtype.kind in "iu"
    assert classes.tolist() == [0, 1, 2]


def test_concat_of_bool_and_int_parts_gives_the_classes_of_a_list():
    # Before: objects, classes [False, True, 2] (HEAD of review 34 and a list
    # of these labels give the integers 0, 1, 2: True is 1 in Python and
    # numpy).
    dataset = ConcatDataset([_Rows(np.array([True, False, True])), _Rows([0, 1, 2, 2])])
    loader = RebalancedLoader(seed=0)(dataset, batch_size=2)
    classes = loader.sampler.plan.labels.classes
    assert classes.dtype.kind == "i"
    assert classes.tolist() == [0, 1, 2]
    assert (
        classes.tolist()
        == RandomUnderSampler()
        .plan([True, False, True, 0, 1, 2, 2])
        .labels.classes.tolist()
    )
    assert loader.sampler.plan.labels.counts.tolist() == [2, 3, 2]


def test_concat_label_error_names_the_part_its_position_is_in():
    # Before: "... the first at position 1", a position in the second part,
    # not in the ConcatDataset the loader was given, without naming the part.
    dataset = ConcatDataset([_Rows([0, 1, 0, 1]), _Rows(["a", None, "b"])])
    with pytest.raises(
        ValueError,
        match=r"^labels has missing labels .* position 1\b.*\(In dataset\.datasets"
        r"\[1\], rows 4 to 6 of dataset",
    ):
        RebalancedLoader(seed=0)(dataset, batch_size=2)


@pytest.mark.parametrize(
    "empty",
    [
        lambda: _Rows([]),
        lambda: _Rows(torch.tensor([], dtype=torch.long)),
        lambda: Subset(_Rows([0, 1]), []),
    ],
    ids=["list", "tensor", "subset"],
)
def test_concat_with_an_empty_part_reads_the_other_parts(empty):
    # Before: ValueError "labels is empty (0 rows)" for the empty part (an
    # empty split), where the ConcatDataset has rows (at the start of review
    # 34 an empty list or tensor part was read; an empty Subset part gave
    # IndexError "arrays used as indices must be of integer type").
    dataset = ConcatDataset([_Rows(["a", "b", "b"]), empty(), _Rows(["a", "b"])])
    loader = RebalancedLoader(seed=0)(dataset, batch_size=2)
    assert loader.sampler.plan.labels.classes.tolist() == ["a", "b"]
    assert loader.sampler.plan.labels.counts.tolist() == [2, 3]


def test_concat_of_empty_parts_only_is_refused_as_empty():
    dataset = ConcatDataset([_Rows([]), _Rows([])])
    with pytest.raises(ValueError, match=r"^labels is empty \(0 rows\)"):
        RebalancedLoader(seed=0)(dataset, batch_size=2)
