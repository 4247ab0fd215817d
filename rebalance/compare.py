"""Cross-validate imbalance fixes side by side: the engine of ``rebalance compare``.

Each *method* is a function ``(setup, y_train) -> unfitted classifier`` built
around the same base model, so the rows of the table differ by the fix alone.
The preprocessing (column encoding, imputation, scaling) is fitted once per
fold on the training rows, before any fix sees them.

Statistics
----------
Every method is compared with the best one on the sort metric over the same
folds by the **corrected resampled t-test** of Nadeau & Bengio (2003): with
``d_j`` the per-fold score differences over ``J = folds x repeats`` folds,

    t = mean(d) / sqrt((1/J + n_test/n_train) * var(d)),   J - 1 degrees of freedom.

Why this test and not a Wilcoxon signed-rank test: cross-validation folds
share most of their training rows, so their scores are correlated and a plain
paired test (t or Wilcoxon) treats them as independent and calls noise
significant; the ``n_test/n_train`` term corrects the variance for that
overlap (Bouckaert & Frank 2004 recommend it for repeated k-fold). A Wilcoxon
test also cannot reach p < 0.05 on 5 folds at all (its smallest two-sided
p-value with 5 pairs is 0.0625). The p-values are not corrected for
multiple comparisons: read them as a screen for "within noise", not as proof.
"""

from __future__ import annotations

import contextlib
import dataclasses
import decimal
import math
import numbers
import re
import sys
import textwrap
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from scipy import stats
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.utils import _safe_indexing

from rebalance._columns import (
    ColumnPlan,
    label_markers,
    make_preprocessor,
    marker_texts,
    missing_as_na,
    pandas_frame,
    plan_columns,
    prepare_frame,
)
from rebalance._dask import check_paired_rows
from rebalance._frames import (
    first_column,
    is_dataframe,
    reject_dask,
    reject_lazy,
    reject_mapping_or_iterator,
)
from rebalance._labels import encode_labels, label_array
from rebalance._validation import check_int
from rebalance.compose import ResampledClassifier
from rebalance.metrics import g_mean_score
from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.threshold import ThresholdMover
from rebalance.weights import class_weights

#: metric key -> (label of a binary table, label of a multiclass table)
METRIC_LABELS = {
    "roc_auc": ("ROC AUC", "ROC AUC"),
    "average_precision": ("avg prec", "macro AP"),
    "balanced_accuracy": ("bal acc", "bal acc"),
    "f1": ("F1 pos", "macro F1"),
    "g_mean": ("G-mean", "G-mean"),
    "worst_recall": ("worst rec", "worst rec"),
    "accuracy": ("accuracy", "accuracy"),
}
#: metric key -> its label in a binary table
METRICS = {key: labels[0] for key, labels in METRIC_LABELS.items()}
MODELS = ("logistic", "hgb", "mlp")
TEST_NAME = "Nadeau-Bengio corrected resampled t-test"
ALPHA = 0.05


@dataclass
class Setup:
    """What every method shares: the base model, the seed and, when known,
    the row count of the target's smallest class (``smallest``: what a
    method that cannot run on a training fold needs to say which fix
    exists)."""

    model: str = "logistic"
    seed: int = 0
    smallest: int | None = None

    def classifier(self, **params):
        if self.model == "logistic":
            return LogisticRegression(max_iter=2000, random_state=self.seed, **params)
        if self.model == "hgb":
            # No early stopping: every method trains the same number of trees,
            # and none validates on over-sampled copies of its training rows
            # (scikit-learn's 'auto' would, on folds of more than 10,000 rows).
            return HistGradientBoostingClassifier(
                early_stopping=False, random_state=self.seed, **params
            )
        if self.model == "mlp":
            return _torch_mlp()(random_state=self.seed, **params)
        raise ValueError(f"model must be one of {MODELS}; got {self.model!r}.")

    def pipeline(self, **classifier_params):
        """The base classifier (the preprocessing runs once per fold, before)."""
        return self.classifier(**classifier_params)


Method = Callable[[Setup, np.ndarray], Any]


def _torch_mlp():
    """The class of ``model='mlp'``, or a ValueError naming the model and the
    fix when PyTorch is not installed."""
    try:
        from rebalance.torch._compare_model import TorchMLPClassifier
    except ImportError as exc:
        # rebalance.torch's own message already says what to install
        cause = "" if exc.name == "torch" else f" ({exc})"
        # Torch first, in the build wanted: pip left to itself takes PyPI's
        # default build, on Linux the multi-GB CUDA one (README, set-up).
        raise ValueError(
            "model='mlp' needs PyTorch, which is not installed"
            f"{cause}: pip install torch (the build you want, e.g. "
            "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu), "
            "then pip install 'rebalance[torch]'; or use the model 'logistic' "
            "or 'hgb'."
        ) from exc
    return TorchMLPClassifier


def check_model(model: Any) -> str:
    """``model`` of :func:`compare`, checked before any work: one of
    :data:`MODELS`, and PyTorch installed for ``'mlp'``."""
    if not isinstance(model, str) or model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}.")
    if model == "mlp":
        _torch_mlp()
    return model


def _sampler_row(sampler_cls) -> Method:
    def build(setup: Setup, y_train: np.ndarray):
        return ResampledClassifier(
            sampler_cls(random_state=setup.seed), setup.pipeline()
        )

    return build


def _weights_row(method: str) -> Method:
    def build(setup: Setup, y_train: np.ndarray):
        return setup.pipeline(class_weight=class_weights(y_train, method=method))

    return build


def _threshold_row(**params) -> Method:
    def build(setup: Setup, y_train: np.ndarray):
        return ThresholdMover(setup.pipeline(), **params)

    return build


class NotApplicable(ValueError):
    """A method that cannot run on a training fold; its text says why and
    what to do (shown as the method's skip reason, as it is)."""


def _tuned_row(scoring: str, cv: int) -> Method:
    """A threshold tuned by ``cv``-fold cross-validation inside each training
    fold: every class needs ``cv`` rows there (one in each inner validation
    fold, and the others to train on)."""

    def build(setup: Setup, y_train: np.ndarray):
        smallest = int(np.min(np.unique(y_train, return_counts=True)[1]))
        if smallest < cv:
            # More folds leave more rows in a training fold: at most all the
            # class's rows but one (folds= as many as its rows).
            if setup.smallest is None or setup.smallest - 1 >= cv:
                more_folds = (
                    ", raise folds= up to that class's row count so that each "
                    "training fold holds more of them"
                )
            else:
                more_folds = (
                    f" (it has {setup.smallest} rows in all: no value of folds= leaves "
                    f"{cv} of them in a training fold)"
                )
            raise NotApplicable(
                f"it tunes its threshold by {cv}-fold cross-validation inside "
                f"each training fold, which needs {cv} rows of every class "
                f"there, and the smallest class has {smallest}: add rows of "
                f"that class{more_folds}, or leave this method out of "
                "method_names="
            )
        return ThresholdMover(
            setup.pipeline(), strategy="tuned", scoring=scoring, cv=cv
        )

    return build


def _prior_corrected_row(sampler_cls) -> Method:
    """Resample to train, then move the probabilities back to the true priors."""

    def build(setup: Setup, y_train: np.ndarray):
        resampled = ResampledClassifier(
            sampler_cls(random_state=setup.seed), setup.pipeline()
        )
        return ThresholdMover(resampled, strategy="argmax", deploy_priors="train")

    return build


def _torch_row(**params) -> Method:
    def build(setup: Setup, y_train: np.ndarray):
        return setup.pipeline(**params)

    return build


def torch_methods(n_classes: int = 2) -> dict[str, Method]:
    """The fixes of a torch MLP: losses and DataLoader samplers, plus thresholds.

    Binary targets use the sigmoid losses; three or more classes the softmax
    ones (cross-entropy, softmax focal, logit-adjusted, balanced softmax).
    """
    samplers = {
        "label-shuffle-sampler": _torch_row(sampler="label-shuffle"),
        "class-balanced-sampler": _torch_row(sampler="class-balanced"),
        "balanced-batch": _torch_row(sampler="balanced-batch"),
    }
    if n_classes > 2:
        return {
            "ce": _torch_row(),
            "class-weighted-ce": _torch_row(loss="class-weighted"),
            "softmax-focal": _torch_row(loss="focal"),
            "softmax-focal-rescale": _torch_row(loss="focal-rescale"),
            "margin-ce": _torch_row(loss="margin"),
            "logit-adjusted": _torch_row(loss="logit-adjusted"),
            "balanced-softmax": _torch_row(loss="balanced-softmax"),
            **samplers,
            "ce+threshold-prior": _threshold_row(strategy="prior"),
        }
    return {
        "bce": _torch_row(),
        "class-weighted-bce": _torch_row(loss="class-weighted"),
        "focal": _torch_row(loss="focal"),
        "focal-rescale": _torch_row(loss="focal-rescale"),
        "margin-ce": _torch_row(loss="margin"),
        "logit-adjusted": _torch_row(loss="logit-adjusted"),
        **samplers,
        "bce+threshold-prior": _threshold_row(strategy="prior"),
    }


def default_methods(model: str = "logistic", n_classes: int = 2) -> dict[str, Method]:
    """The fixes compared by default for ``model``, by row name.

    With three or more classes the binary-only row (``threshold-cost-fn5``, a
    2 x 2 cost matrix) is left out; ``threshold-tuned-f1`` tunes one
    threshold per class, one-vs-rest.

    Examples
    --------
    >>> from rebalance.compare import default_methods
    >>> "threshold-cost-fn5" in default_methods(n_classes=3)
    False
    >>> "balanced-softmax" in default_methods("mlp", n_classes=3)
    True
    """
    if model == "mlp":
        return torch_methods(n_classes)
    methods = {
        "none": lambda setup, y_train: setup.pipeline(),
        "under": _sampler_row(RandomUnderSampler),
        "over": _sampler_row(RandomOverSampler),
        "class-balanced": _sampler_row(ClassBalancedSampler),
        "label-shuffle": _sampler_row(LabelShuffleSampler),
        "class-weight": _weights_row("balanced"),
        "class-weight-effective": _weights_row("effective_number"),
        "threshold-prior": _threshold_row(strategy="prior"),
        "threshold-cost-fn5": _threshold_row(
            strategy="cost", cost_matrix=[[0, 1], [5, 0]]
        ),
        "threshold-tuned-f1": _tuned_row(scoring="f1", cv=3),
        "under+prior-correction": _prior_corrected_row(RandomUnderSampler),
        "over+prior-correction": _prior_corrected_row(RandomOverSampler),
    }
    if n_classes > 2:
        del methods["threshold-cost-fn5"]
    return methods


# ---------------------------------------------------------------- the target


@dataclass
class Target:
    """Labels as codes ``0..K-1``; ``labels[code]`` is the original class.

    Binary targets put the positive class at code 1.
    """

    codes: np.ndarray
    labels: list
    positive: Any = None  # the positive class of a binary target
    note: str = ""

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    def counts(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=self.n_classes)


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


def label_text(label: Any) -> str:
    r"""A class label as a CSV file writes it: bytes as their text (UTF-8;
    bytes that are not UTF-8 as Python writes them, ``b'\xff'``, apart
    from the text ``\xff``), dates and times as ``2024-06-01`` and
    ``12:30:00``, decimals as ``1.50``; anything else as ``str``.

    Examples
    --------
    >>> import datetime, decimal
    >>> from rebalance.compare import label_text
    >>> label_text(datetime.date(2024, 6, 1)), label_text(b"yes")
    ('2024-06-01', 'yes')
    >>> label_text(decimal.Decimal("1.50"))
    '1.50'
    >>> print(label_text(b"\\xff"), label_text(b"\xff"))
    \xff b'\xff'
    """
    if isinstance(label, (bytes, bytearray)):
        try:
            return bytes(label).decode("utf-8")
        except UnicodeDecodeError:
            return repr(bytes(label))
    return str(label)


def label_repr(label: Any) -> str:
    """A class label in a sentence: text (strings, bytes, dates, times)
    quoted, as ``'2024-06-01'``, numbers (decimals too) as they are written,
    as :func:`label_text` gives them.

    Examples
    --------
    >>> import datetime, decimal
    >>> from rebalance.compare import label_repr
    >>> label_repr(datetime.date(2024, 6, 1)), label_repr(decimal.Decimal("1"))
    ("'2024-06-01'", '1')
    """
    import datetime
    import decimal

    if isinstance(label, (str, bytes, bytearray, datetime.date, datetime.time)):
        return repr(label_text(label))
    if isinstance(label, decimal.Decimal):
        return label_text(label)
    return repr(label)


#: the start of the note on text classes that differ only in case or spaces
VARIANTS_NOTE = "classes of y differ only in case or surrounding spaces"


def label_variants(labels) -> list[list[str]]:
    """Groups of text ``labels`` that differ only in case or surrounding
    spaces (``'Yes'``, ``'yes'`` and ``'yes '``), in order; a typing variant
    in a spreadsheet, rarely classes of their own.

    Examples
    --------
    >>> from rebalance.compare import label_variants
    >>> label_variants(["no", "yes", "Yes ", 1])
    [['yes', 'Yes ']]
    """
    groups: dict[str, list[str]] = {}
    for label in labels:
        if isinstance(label, str):
            groups.setdefault(label.strip().casefold(), []).append(label)
    return [names for names in groups.values() if len(names) > 1]


def _labels_shown(labels) -> str:
    """``['a', 1, '2024-06-01']``: labels in a message (:func:`label_repr`)."""
    return "[" + ", ".join(label_repr(label) for label in labels) + "]"


def _same_value(label: Any, text: Any) -> bool:
    """Whether ``text`` (as typed on a command line) names the class ``label``
    that is a bool or a number (a decimal too: "1" names 1.00)."""
    import decimal

    text = str(text).strip()
    if isinstance(label, bool):
        return text.lower() == str(label).lower()
    if isinstance(label, (int, float, decimal.Decimal)):
        try:
            return float(text) == float(label)
        except ValueError:
            return False
    return False


def _rows_text(rows: np.ndarray) -> str:
    """``4``, ``4 and 41``, ``4, 41 and 50``, ``4, 41, 50, 51, 60, ...``."""
    shown = [str(r) for r in rows[:5].tolist()]
    if len(rows) > 5:
        return ", ".join(shown) + ", ..."
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0]


def missing_labels_message(
    name: str, missing: np.ndarray, markers: Sequence[str], file: bool = False
) -> str:
    """Why labels ``missing`` (a mask) of the target ``name`` stop a
    comparison, naming the ``markers`` read as missing (see
    :func:`~rebalance._columns.label_markers`) and the fix. ``rebalance
    compare`` counts the rows of its ``file`` from 1 after the header,
    :func:`compare` from 0."""
    rows = np.flatnonzero(missing) + (1 if file else 0)
    plural = "s" if len(rows) > 1 else ""
    where = (
        f"data row{plural} {_rows_text(rows)}, counting from 1 after the header"
        if file
        else f"position{plural} {_rows_text(rows)}, counting from 0"
    )
    shown = " and ".join(repr(m) for m in markers)
    if markers:
        where += f"; {shown} read as a missing value"
    elif file:
        where += (
            "; empty cells and the texts 'NA', 'N/A', 'None', 'null' and 'NaN' "
            "are missing"
        )
    else:
        where += "; None, NaN or NA"
    if markers:
        other = (
            f", if {shown} {'is a class' if len(markers) == 1 else 'are classes'}, "
            f"name {'it' if len(markers) == 1 else 'them'} otherwise in the data"
        )
    elif file:
        other = " write a class of their own in those cells"
    else:
        other = f" fill them with a class of their own (e.g. {name}.fillna('unknown'))"
    return (
        f"{name} has {len(rows)} missing label{plural} ({where}): every row "
        "needs a class label, and a missing one is never a class of its own. "
        f"Drop those rows{'' if file else ' from X and y'} first, or{other}."
    )


def check_missing_labels(y: np.ndarray, name: str = "y") -> None:
    """A ValueError (:func:`missing_labels_message`) when the 1-D labels
    ``y`` hold a marker of a missing label
    (:func:`~rebalance._columns.label_markers`: ``"?"``, ``"NA"``, ``""``,
    ...), read as ``rebalance compare`` reads its ``--target`` column; the
    rows named are those and the missing values. Missing values alone are
    left to the labels' own error (:func:`rebalance._labels.missing_labels`)."""
    import pandas as pd

    if y.dtype.kind in "biuc":
        return  # no missing value in these
    labels = pd.Series(y, dtype=object if y.dtype == object else None, copy=False)
    missing = labels.isna().to_numpy(dtype=bool)
    try:
        marker = label_markers(labels)
    except TypeError:  # unhashable labels: refused by the labels' own checks
        marker = np.zeros(len(labels), dtype=bool)
    if marker.any():  # missing values alone: the labels' own error, as before
        raise ValueError(
            missing_labels_message(name, missing | marker, marker_texts(labels, marker))
        )


def encode_target(y: Any, positive_label: Any = None) -> Target:
    """Code the labels; binary puts the positive class (default: the minority) at 1.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Two classes or more.
    positive_label : object, default=None
        The positive class of a binary target (matched as it is, or by its
        text, so ``"3"`` finds the class ``3``). With three classes or more it
        turns the target into that class against the rest.

    Examples
    --------
    >>> from rebalance.compare import encode_target
    >>> target = encode_target(["a", "b", "b", "a", "a"])
    >>> target.labels, target.codes.tolist()
    (['a', 'b'], [0, 1, 1, 0, 0])
    >>> encode_target([1, 2, 3, 3], positive_label="3").labels
    ['not 3', 3]
    """
    # In memory only: a Dask collection is never computed silently, and a
    # lazy frame has no rows yet (np.asarray made a 0-d array of it).
    reject_dask(y, "y", "compare")
    reject_lazy(y, "y")
    if is_dataframe(y) and y.shape[1] == 1:
        # A one-column frame (df[["label"]]): its labels, as the samplers and
        # scikit-learn read it, not "the target must be one column".
        y = first_column(y)
    # label_array, not np.asarray: a list mixing 0 and '0', a NaN among
    # strings, big integers or masked labels would be read as other classes.
    y = label_array(y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # a column vector (n, 1): one label per row
    if y.ndim != 1:
        raise ValueError(
            "y (the target) must be one label per row, shape (n_samples,) or "
            f"(n_samples, 1); got shape {y.shape}."
        )
    # A missing label, or a marker of one ("?", "NA", ""), as the command
    # reads its --target column: never a class of its own.
    check_missing_labels(y, "y")
    # The labels' own checks (a continuous or infinite target), and their
    # classes, codes and counts.
    encoded, _, _ = encode_labels(y, name="y")
    classes, counts = encoded.classes, encoded.counts
    codes = encoded.codes.astype(np.intp)
    labels = [_python(c) for c in classes]
    if len(labels) < 2:
        raise ValueError(
            f"the target has {len(labels)} class(es) ({_labels_shown(labels[:10])}): "
            "compare needs two classes or more. Choose another target, whose "
            "rows hold two classes or more, or add rows of another class."
        )
    if positive_label is not None:
        matches = [i for i, c in enumerate(labels) if c == positive_label]
        matches = matches or [
            i
            for i, c in enumerate(labels)
            if label_text(c) == label_text(positive_label)
        ]
        # The text of a number or a bool: "1" finds 1.0, "true" finds True.
        matches = matches or [
            i for i, c in enumerate(labels) if _same_value(c, positive_label)
        ]
        # Without surrounding spaces (" yes" from a file written with ", ").
        matches = matches or [
            i
            for i, c in enumerate(labels)
            if label_text(c).strip() == label_text(positive_label).strip()
        ]
        if len(matches) > 1:
            raise ValueError(
                f"positive_label={positive_label!r} matches several classes "
                f"{_labels_shown(labels[i] for i in matches)}: give one exactly as "
                "it is written."
            )
        if not matches:
            # "Fraud" for the class "fraud": say which one it likely means.
            cased = [
                c
                for c in labels
                if label_text(c).strip().casefold()
                == label_text(positive_label).strip().casefold()
            ]
            hint = (
                f" ({_labels_shown(cased)[1:-1]} is, in another case)" if cased else ""
            )
            raise ValueError(
                f"positive_label={positive_label!r} is not a class of the target"
                f"{hint}; classes: {_labels_shown(labels[:20])}."
            )
        pos = matches[0]
        binary = (codes == pos).astype(np.int64)
        if len(labels) == 2:
            return Target(
                binary,
                [labels[1 - pos], labels[pos]],
                labels[pos],
                f"positive class {label_repr(labels[pos])} (chosen with "
                "positive_label=)",
            )
        return Target(
            binary,
            [f"not {label_text(labels[pos])}", labels[pos]],
            labels[pos],
            f"positive class {label_repr(labels[pos])} against the "
            f"{len(labels) - 1} other "
            "classes (positive_label=)",
        )
    if len(labels) == 2:
        pos = int(np.argmin(counts))
        binary = (codes == pos).astype(np.int64)
        # Two classes of the same size have no minority: the first (sorted)
        # is positive, and the note says so rather than "the minority".
        why = (
            f"the classes are the same size ({int(counts[0])} rows each), so "
            "the first in sorted order"
            if counts[0] == counts[1]
            else "the minority"
        )
        return Target(
            binary,
            [labels[1 - pos], labels[pos]],
            labels[pos],
            f"positive class {label_repr(labels[pos])} ({why}; positive_label= to "
            "change)",
        )
    return Target(codes.astype(np.int64), labels)


# ------------------------------------------------------------------- metrics


def score_fold(
    y_true: np.ndarray, proba: np.ndarray, y_pred: np.ndarray
) -> tuple[dict[str, float], np.ndarray]:
    """Imbalance metrics of one fold, and the recall of each class.

    ``y_true`` and ``y_pred`` are codes ``0..K-1``; ``proba`` has one column
    per code. Binary (K = 2): class 1 is the positive class; ranking metrics
    use its probability, ``f1`` is its F1. Multiclass: macro one-vs-rest ROC
    AUC and average precision, macro F1. ``g_mean`` is the geometric mean of
    the per-class recalls, ``worst_recall`` the smallest of them. The
    decision metrics use the method's own ``predict``, except ``accuracy``,
    the accuracy of the most probable class (the 0.5 cut when binary).

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance.compare import score_fold
    >>> proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])
    >>> scores, recalls = score_fold(np.array([0, 0, 1, 1]), proba, np.array([0, 1, 1, 1]))
    >>> scores["roc_auc"], scores["worst_recall"], recalls.tolist()
    (1.0, 0.5, [0.5, 1.0])
    """  # noqa: E501
    n_classes = proba.shape[1]
    labels = np.arange(n_classes)
    recalls = recall_score(
        y_true, y_pred, average=None, labels=labels, zero_division=0.0
    )
    if n_classes == 2:
        ranking = {
            "roc_auc": roc_auc_score(y_true, proba[:, 1]),
            "average_precision": average_precision_score(y_true, proba[:, 1]),
        }
        f1 = f1_score(y_true, y_pred, pos_label=1, zero_division=0.0)
        accuracy = np.mean(y_true == (proba[:, 1] >= 0.5))
    else:
        one_hot = y_true[:, None] == labels[None, :]
        ranking = {
            "roc_auc": roc_auc_score(
                y_true, proba, multi_class="ovr", average="macro", labels=labels
            ),
            "average_precision": average_precision_score(
                one_hot, proba, average="macro"
            ),
        }
        f1 = f1_score(y_true, y_pred, average="macro", labels=labels, zero_division=0)
        accuracy = np.mean(y_true == proba.argmax(axis=1))
    scores = {
        **ranking,
        "balanced_accuracy": np.mean(recalls),
        "f1": f1,
        "g_mean": g_mean_score(y_true, y_pred, labels=labels),
        "worst_recall": np.min(recalls),
        "accuracy": accuracy,
    }
    return {k: float(v) for k, v in scores.items()}, recalls


def format_p(p: float) -> str:
    """A p-value as the table and the report show it: 3 decimals, ``<0.001``
    below that, and ``<0.050`` for a p-value below :data:`ALPHA` that would
    round up to it (0.0496 shown as "0.050" reads as not significant).

    Examples
    --------
    >>> from rebalance.compare import format_p
    >>> format_p(0.2468), format_p(0.0496), format_p(0.0004)
    ('0.247', '<0.050', '<0.001')
    """
    if p < 0.001:
        return "<0.001"
    text = f"{p:.3f}"
    if p < ALPHA <= float(text):
        text = f"<{ALPHA:.3f}"
    return text


def check_metric(metric: Any) -> str:
    """``metric`` (``sort_by``) of a :class:`ComparisonResult` method: one of
    :data:`METRIC_LABELS`, or a ValueError naming them."""
    if not isinstance(metric, str) or metric not in METRIC_LABELS:
        hint = (
            " ('f1_minority' is the deprecated name of 'f1')"
            if metric == "f1_minority"
            else ""
        )
        raise ValueError(
            f"metric (sort_by=) must be one of {list(METRIC_LABELS)}; "
            f"got {metric!r}{hint}."
        )
    return metric


def corrected_ttest(a, b, test_train_ratio: float) -> float:
    """Two-sided p-value of the corrected resampled t-test (Nadeau & Bengio 2003).

    ``a`` and ``b`` are the scores of two methods on the same ``J`` folds;
    ``test_train_ratio`` is n_test / n_train of one fold (``1 / (k - 1)`` for
    k-fold). The variance of the mean difference is ``(1/J + ratio) var(d)``
    instead of ``var(d) / J``: the correction for folds that share training
    rows. Identical scores give p = 1; a constant non-zero difference p = 0.

    Examples
    --------
    >>> from rebalance.compare import corrected_ttest
    >>> corrected_ttest([0.8, 0.7, 0.9], [0.8, 0.7, 0.9], 0.5)
    1.0
    >>> round(corrected_ttest([0.81, 0.72, 0.93], [0.80, 0.70, 0.90], 0.5), 2)
    0.16
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    n = d.shape[0]
    if n < 2:
        raise ValueError("the corrected t-test needs scores on two folds or more.")
    mean, var = d.mean(), d.var(ddof=1)
    scale = np.sqrt((1 / n + test_train_ratio) * var)
    if scale <= 1e-12 * max(1.0, abs(mean)):
        return 1.0 if abs(mean) <= 1e-12 else 0.0
    t = mean / scale
    return float(2 * stats.t.sf(abs(t), df=n - 1))


# -------------------------------------------------------------------- result


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` hold the same values: arrays element by
    element (NaN equal to NaN: a score that could not be computed), dicts
    and lists item by item, dataclasses field by field."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, z) for x, z in zip(a, b))
        )
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN scores
    return bool(a == b)


@dataclass(eq=False)
class ComparisonResult:
    """Per-fold scores of every method and what they were computed on.

    ``scores[method][metric]`` lists one score per fold (``folds x repeats``
    of them, repeat by repeat); ``recalls[method]`` is (n_folds, n_classes);
    ``oof[method]`` the out-of-fold class probabilities of the first repeat.
    Two results are equal when they hold the same values (two runs with the
    same data, methods and seed).
    """

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComparisonResult):
            return NotImplemented
        return _same(self, other)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    y: np.ndarray
    labels: list = field(default_factory=lambda: [0, 1])
    positive: Any = None
    folds: int = 5
    repeats: int = 1
    test_train_ratio: float = 0.25
    scores: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    recalls: dict[str, np.ndarray] = field(default_factory=dict)
    oof: dict[str, np.ndarray] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    columns: ColumnPlan | None = None
    target_note: str = ""
    #: column -> how well it alone predicts the labels (see :func:`find_leaks`)
    leaks: dict[str, str] = field(default_factory=dict)
    #: notices about the data, one sentence each: the markers of a missing
    #: value (``?``, ``-``, ``\\N``) read as missing, and which columns
    notes: list[str] = field(default_factory=list)
    #: the model and seed :func:`compare` ran with (None: not known)
    model: str | None = None
    seed: int | None = None

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    @property
    def n_minority(self) -> int:
        return int(np.min(np.bincount(self.y, minlength=self.n_classes)))

    def class_counts(self) -> dict:
        counts = np.bincount(self.y, minlength=self.n_classes)
        return {label: int(n) for label, n in zip(self.labels, counts)}

    def label(self, metric: str) -> str:
        """The column title of ``metric`` for this target."""
        return METRIC_LABELS[metric][0 if self.binary else 1]

    def summary(self) -> dict[str, dict[str, tuple[float, float]]]:
        """``summary[method][metric] -> (mean, std)`` over the folds."""
        return {
            method: {
                metric: (float(np.mean(v)), float(np.std(v)))
                for metric, v in by_metric.items()
            }
            for method, by_metric in self.scores.items()
        }

    def ranking(self, metric: str = "average_precision") -> list[str]:
        """Methods, best mean ``metric`` first (ties: the order they ran in)."""
        check_metric(metric)
        means = {m: float(np.mean(s[metric])) for m, s in self.scores.items()}
        return sorted(means, key=lambda m: -means[m])

    def p_vs_best(self, metric: str = "average_precision") -> dict[str, float | None]:
        """p-value of each method against the best on ``metric`` (best: None).

        The corrected resampled t-test of Nadeau & Bengio (2003) over the
        same folds; see :func:`corrected_ttest` and the module docstring.
        """
        order = self.ranking(metric)
        best = self.scores[order[0]][metric]
        out: dict[str, float | None] = {order[0]: None}
        for method in order[1:]:
            out[method] = corrected_ttest(
                best, self.scores[method][metric], self.test_train_ratio
            )
        return out

    def within_noise(self, metric: str = "average_precision", alpha: float = ALPHA):
        """The methods not distinguishable from the best (the best included):
        those whose :meth:`p_vs_best` is at least ``alpha``, a number in
        (0, 1); 0.05 by default."""
        level = math.nan
        if isinstance(alpha, (numbers.Real, decimal.Decimal)) and not isinstance(
            alpha, bool
        ):
            # a Decimal or Fraction level too (10**400 overflows, sNaN raises)
            with contextlib.suppress(OverflowError, ValueError, ArithmeticError):
                level = float(alpha)
        if not 0 < level < 1:
            raise ValueError(
                f"alpha should be a significance level between 0 and 1 (exclusive), "
                f"got {alpha!r:.40} ({type(alpha).__name__}). Use for example "
                "alpha=0.05."
            )
        alpha = level
        return [m for m, p in self.p_vs_best(metric).items() if p is None or p >= alpha]

    def per_class_recall(self) -> dict[str, dict]:
        """``{method: {class: mean recall}}``."""
        return {
            m: {label: float(r) for label, r in zip(self.labels, rec.mean(axis=0))}
            for m, rec in self.recalls.items()
        }

    def table(
        self,
        sort_by: str = "average_precision",
        *,
        width: int | None = None,
        ascii: bool = False,
    ) -> str:
        """The results as a fixed-width text table, best ``sort_by`` first.

        Cells are mean ± std over the folds. ``vs best`` is the p-value against
        the best row (:meth:`p_vs_best`), marked ``≈`` when the row is not
        distinguishable from the best (p >= 0.05). When the table is wider
        than ``width`` characters, the std of the other metrics is left out,
        then metrics from the right. ``ascii=True`` uses ``+-`` and ``~``.
        """
        if width is not None and (
            not isinstance(width, numbers.Integral) or isinstance(width, bool)
        ):
            raise TypeError(
                f"width must be a whole number of characters or None; got "
                f"{width!r} (e.g. width=80, or shutil.get_terminal_size().columns)."
            )
        pm, approx = ("+-", "~") if ascii else ("±", "≈")
        summary = self.summary()
        order = self.ranking(sort_by)
        p_values = self.p_vs_best(sort_by)
        # One line per method: control characters of a name (a line break of
        # a methods= key) shown as spaces.
        names = {
            m: re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(m)) for m in order
        }
        name_w = max(len("method"), *(len(n) for n in names.values())) + 1
        metrics = [sort_by] + [m for m in METRIC_LABELS if m != sort_by]

        def full(mean, std):
            return f"{mean:.3f} {pm} {std:.3f}"

        def short(mean, std):
            return f"{mean:.3f}"

        def vs_best(method):
            p = p_values[method]
            if p is None:
                return "best"
            text = format_p(p)
            return f"{text} {approx}" if p >= ALPHA else f"{text}  "

        def layout(columns, compact):
            pad = 1 if compact else 2
            cols = []
            for key in columns:
                fmt = short if compact and key != sort_by else full
                cells = [fmt(*summary[m][key]) for m in order]
                w = max(len(self.label(key)), *(len(c) for c in cells)) + pad
                cols.append((self.label(key), cells, w))
            cells = [vs_best(m) for m in order]
            cols.insert(1, ("vs best", cells, max(9, *(len(c) for c in cells)) + pad))
            return cols, name_w + sum(w for _, _, w in cols)

        shown = list(metrics)
        hidden: list[str] = []
        cols, total = layout(shown, compact=False)
        if width is not None and total > width:
            cols, total = layout(shown, compact=True)
            while width is not None and total > width and len(shown) > 1:
                hidden.insert(0, shown.pop())
                cols, total = layout(shown, compact=True)
        header = f"{'method':<{name_w}}" + "".join(f"{t:>{w}}" for t, _, w in cols)
        lines = [header, "-" * len(header)]
        for i, method in enumerate(order):
            cells = "".join(f"{c[i]:>{w}}" for _, c, w in cols)
            lines.append(f"{names[method]:<{name_w}}{cells}")
        note = (
            f"{approx} = not distinguishable from the best on {self.label(sort_by)} "
            f"(p >= {ALPHA}, {self.test_description()})"
        )
        if hidden:
            note += f"; not shown to fit {width} columns: " + ", ".join(
                self.label(k) for k in hidden
            )
        lines.append(wrap(note + ".", width or len(header)))
        return "\n".join(lines)

    def test_description(self) -> str:
        folds = self.folds * self.repeats
        how = f"{self.folds}-fold" + (
            f" x {self.repeats} repeats" if self.repeats > 1 else ""
        )
        return f"{TEST_NAME}, {folds} folds ({how})"

    def describe(
        self, source: str = "data", model: str | None = None, seed: int | None = None
    ) -> str:
        """The data summary: one paragraph, before the table. ``model`` and
        ``seed``: those the comparison ran with (default: the result's own,
        left out when not known)."""
        model = self.model if model is None else model
        seed = self.seed if seed is None else seed
        counts = self.class_counts()
        largest, smallest = max(counts.values()), min(counts.values())
        shown = list(counts.items())[:12]
        classes = ", ".join(f"{label_text(label)}: {n}" for label, n in shown)
        if len(counts) > 12:
            classes += f", ... ({len(counts) - 12} more)"
        text = (
            f"Data: {source}: {self.n_samples} rows, {self.n_classes} classes "
            f"({classes}); imbalance ratio {largest / smallest:.1f}:1 (largest to "
            "smallest class)."
        )
        if self.target_note:
            text += f" {self.target_note[0].upper()}{self.target_note[1:]}."
        if self.columns is not None:
            text += f" Columns: {self.columns.describe()}"
        if self.notes:
            text += " Notes: " + " ".join(
                note[0].upper() + note[1:] for note in self.notes if note
            )
        if self.leaks:
            found = "; ".join(f"{col!r} ({why})" for col, why in self.leaks.items())
            text += (
                f" Warning, possible label leak: {found} alone "
                f"{'predicts' if len(self.leaks) == 1 else 'predict'} the classes "
                "almost without error. If a value is known only once the label is "
                "(a copy, a code or a consequence of the outcome), the scores are "
                "not what new rows would get: leave it out with drop=."
            )
        how = f"{self.folds}-fold stratified CV" + (
            f" repeated {self.repeats} times ({self.folds * self.repeats} folds)"
            if self.repeats > 1
            else ""
        )
        ran = "".join(
            f", {name} {value}"
            for name, value in (("model", model), ("seed", seed))
            if value is not None
        )
        text += f" Evaluation: {how}{ran}."
        if self.skipped:
            text += " Skipped: " + "; ".join(
                f"{m} ({why})" for m, why in self.skipped.items()
            )
            text += "."
        return text

    def conclusion(self, metric: str = "average_precision", ascii: bool = False):
        """A plain-words line: the best fixes, and which differences are noise."""
        order = self.ranking(metric)
        p_values = self.p_vs_best(metric)
        summary = self.summary()
        best = order[0]
        mean, std = summary[best][metric]
        pm = "+-" if ascii else "±"
        # every method but the best (order[0], whose p-value is None)
        others = {m: p for m in order[1:] if (p := p_values[m]) is not None}
        same = [m for m, p in others.items() if p >= ALPHA]
        worse = [m for m, p in others.items() if p < ALPHA]
        text = f"Best on {self.label(metric)}: {best} ({mean:.3f} {pm} {std:.3f})."
        if len(order) == 1:
            # Nothing was tested: no claim about differences or noise.
            return (
                f"Only {best} ran ({self.label(metric)} {mean:.3f} {pm} "
                f"{std:.3f}): there is no other method to compare it with."
            )
        if not worse:
            text += (
                " No other fix is distinguishable from it: every difference in this "
                "table is within the fold-to-fold noise"
            )
            if self.repeats == 1:
                text += " (repeats=5 gives the test more folds)"
            text += "."
        else:
            if same:
                text += f" Within noise of it (p >= {ALPHA}): {', '.join(same)}."
            text += f" Worse beyond the noise (p < {ALPHA}): {', '.join(worse)}."
        text += f" ({TEST_NAME}; p-values not corrected for multiple comparisons.)"
        return text

    def to_json(self, metric: str = "average_precision", **info) -> dict:
        """Everything as JSON-ready data (what ``--json`` writes).

        Keys: the ``info`` given (the CLI adds ``data``, ``model``, ``seed``,
        ``wall_time_s``), ``model`` and ``seed`` (those the comparison ran
        with) where ``info`` does not give them, then ``folds``, ``repeats``,
        ``classes``, ``class_counts``, ``positive_label``, ``sort_metric`` (``metric``),
        ``test``, ``alpha``, ``columns`` (``used`` and ``dropped``, or None
        for an array), ``skipped`` (method -> why), ``notes`` (notices about
        the data: markers read as missing), ``scores``
        (``[method][metric]``: one score per fold, repeat by repeat, as the
        table's mean and std are taken), ``per_class_recall``
        (``[method][class]``: one recall per fold) and ``summary``
        (``[method][metric]`` -> ``mean`` and ``std``; ``[method]`` ->
        ``p_vs_best`` (None for the best), ``not_distinguishable_from_best``
        and ``per_class_recall``, the means), ``suspected_leaks`` (column ->
        what it alone scores, see :func:`find_leaks`). Every number is finite.
        """
        p_values = self.p_vs_best(metric)
        per_class = self.per_class_recall()
        summary = {}
        for method, by_metric in self.summary().items():
            entry: dict[str, Any] = {
                k: {"mean": v[0], "std": v[1]} for k, v in by_metric.items()
            }
            entry["p_vs_best"] = p_values[method]
            p_value = p_values[method]
            entry["not_distinguishable_from_best"] = p_value is None or p_value >= ALPHA
            entry["per_class_recall"] = {
                label_text(k): v for k, v in per_class[method].items()
            }
            summary[method] = entry
        ran = {
            key: value
            for key, value in (("model", self.model), ("seed", self.seed))
            if value is not None and key not in info
        }
        return {
            **info,
            **ran,
            "folds": self.folds,
            "repeats": self.repeats,
            "classes": [label_text(c) for c in self.labels],
            "class_counts": {label_text(k): v for k, v in self.class_counts().items()},
            "positive_label": None
            if self.positive is None
            else label_text(self.positive),
            "sort_metric": metric,
            "test": TEST_NAME,
            "alpha": ALPHA,
            # New containers throughout: editing the returned data (or the
            # result afterwards) must not change the other.
            "columns": None
            if self.columns is None
            else {
                "used": dict(self.columns.used),
                "dropped": dict(self.columns.dropped),
            },
            "skipped": dict(self.skipped),
            "notes": list(self.notes),
            "scores": {
                method: {
                    k: [float(v) for v in values] for k, values in by_metric.items()
                }
                for method, by_metric in self.scores.items()
            },
            "per_class_recall": {
                m: {
                    label_text(c): rec[:, i].tolist() for i, c in enumerate(self.labels)
                }
                for m, rec in self.recalls.items()
            },
            "summary": summary,
            "suspected_leaks": dict(self.leaks),
        }

    def plot(self, path: str, metric: str = "average_precision", top: int = 4):
        """Save PR and ROC curves of the ``top`` methods, and ``metric`` as bars."""
        from rebalance._report import save_overview

        save_overview(self, path, metric, top=top)

    def report(self, path: str, metric: str = "average_precision", **info) -> None:
        """Write a self-contained HTML report (plots embedded) to ``path``.

        ``info``: ``source`` (what the data is called in the summary),
        ``model`` and ``seed`` (default: those the comparison ran with),
        ``summary`` and ``conclusion`` (texts shown instead of
        :meth:`describe` and :meth:`conclusion`), ``footer``."""
        from rebalance._report import write_report

        write_report(self, path, metric, **info)


# ------------------------------------------------------------------ leaks

#: a column that alone predicts the labels this well is reported as a leak
LEAK_SCORE = 0.999


def find_leaks(X, plan: ColumnPlan, codes: np.ndarray) -> dict[str, str]:
    """The used columns of the prepared frame ``X`` that alone predict the
    labels ``codes`` (``0..K-1``) almost without error: a copy of the label,
    an outcome code, a value known only after the fact. Those make every
    method score near 1 and hide the differences the comparison is for.

    A numeric column: whether it is missing, scored as a value of two (see
    below); with two classes, its ROC AUC (either direction) over the rows
    where it is present, at least :data:`LEAK_SCORE`; with more, the classes
    in disjoint ranges of its values. Any other column but a
    datetime: the balanced accuracy of the class most frequent among the
    *other* rows with the same value (missing is a value; a value on one row
    only predicts nothing), at least :data:`LEAK_SCORE`.

    Returns column -> what it scores, in the order of ``plan.used``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from rebalance._columns import plan_columns
    >>> from rebalance.compare import find_leaks
    >>> y = np.array([0, 1] * 10)
    >>> X = pd.DataFrame({"x": np.arange(20.0) % 3, "copy": y * 2.0 + 1})
    >>> find_leaks(X, plan_columns(X), y)
    {'copy': 'ROC AUC 1.000 on its own'}
    """
    import pandas as pd
    from scipy.stats import rankdata

    n_classes = int(codes.max()) + 1
    found: dict[str, str] = {}
    for name, kind in plan.used.items():
        column = X[name]
        if kind == "datetime":
            continue
        if kind == "numeric":
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            present = ~np.isnan(values)
            if not present.all():
                # Whether it is there at all: an amount recorded for one
                # class only (a refund of the customers who left), which
                # imputation turns into one value the model splits on.
                score = _group_score(present.astype(np.int64), codes, n_classes)
                if score >= LEAK_SCORE:
                    found[name] = (
                        f"balanced accuracy {score:.3f} from whether it is "
                        "missing alone"
                    )
                    continue
            values, labels = values[present], codes[present]
            counts = np.bincount(labels, minlength=n_classes)
            if (counts > 0).sum() < 2 or np.min(counts[counts > 0]) < 2:
                continue
            if n_classes == 2:
                ranks = rankdata(values)
                n_pos, n_neg = int(counts[1]), int(counts[0])
                auc = (ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (
                    n_pos * n_neg
                )
                auc = max(auc, 1 - auc)
                if auc >= LEAK_SCORE:
                    found[name] = f"ROC AUC {auc:.3f} on its own"
                continue
            classes = np.flatnonzero(counts)
            low = np.array([values[labels == k].min() for k in classes])
            high = np.array([values[labels == k].max() for k in classes])
            order = np.argsort(low)
            if (low[order][1:] > high[order][:-1]).all():
                found[name] = "each class in a range of values of its own"
            continue
        groups, _ = pd.factorize(column.astype(object), use_na_sentinel=False)
        score = _group_score(groups, codes, n_classes)
        if score >= LEAK_SCORE:
            found[name] = f"balanced accuracy {score:.3f} from its value alone"
    return found


def _group_score(groups: np.ndarray, codes: np.ndarray, n_classes: int) -> float:
    """The balanced accuracy of predicting each row's class (``codes``) as
    the class most frequent among the *other* rows of its group (``groups``:
    codes ``0..G-1`` of a column's values; a group of one row predicts
    nothing)."""
    # Rows of each (value, class) pair, and per value the largest count,
    # its class and the second largest: O(n) memory for any number of
    # values and classes.
    pairs, size = np.unique(
        groups.astype(np.int64) * n_classes + codes, return_counts=True
    )
    group_of = pairs // n_classes
    first = np.lexsort((-size, group_of))
    starts = np.flatnonzero(np.r_[True, np.diff(group_of[first]) != 0])
    n_groups = int(groups.max()) + 1
    top = np.zeros(n_groups, dtype=np.int64)
    top_class = np.zeros(n_groups, dtype=np.int64)
    second = np.zeros(n_groups, dtype=np.int64)
    top[group_of[first][starts]] = size[first][starts]
    top_class[group_of[first][starts]] = pairs[first][starts] % n_classes
    has_second = starts + 1 < first.shape[0]
    following = np.minimum(starts + 1, first.shape[0] - 1)
    has_second &= group_of[first][following] == group_of[first][starts]
    second[group_of[first][starts][has_second]] = size[first][following][has_second]
    # The class of each row's value among the other rows: its own class
    # when it outnumbers every other there.
    own = size[np.searchsorted(pairs, groups * n_classes + codes)] - 1
    other = np.where(top_class[groups] == codes, second[groups], top[groups])
    right = own > other
    counts = np.bincount(codes, minlength=n_classes)
    return float(
        np.mean(np.bincount(codes, weights=right, minlength=n_classes) / counts)
    )


# ------------------------------------------------------------------- running


def _fit_predict(method: Method, setup: Setup, X_train, y_train, X_test, n_classes):
    """(probabilities, predictions) of one method on one fold, or (None, why)."""
    try:
        model = method(setup, y_train)
        if not hasattr(model, "fit"):
            # (a sampler has fit too, but no predict_proba: below)
            return None, (
                f"the method returned {type(model).__name__}, not an estimator: "
                "a method is a function (setup, y_train) -> classifier with fit "
                "and predict_proba"
            )
        # The estimator itself is used, as scikit-learn uses it, not what fit
        # returns (one returning None was skipped as "NoneType has no
        # predict_proba").
        model.fit(X_train, y_train)
        if not hasattr(model, "predict_proba"):
            return None, (
                f"{type(model).__name__} has no predict_proba (the comparison "
                "scores probabilities): return a classifier that has one, e.g. "
                "SVC(probability=True), or wrap it in CalibratedClassifierCV"
            )
        proba = np.asarray(model.predict_proba(X_test), dtype=np.float64)
        pred = np.asarray(model.predict(X_test))
    except NotApplicable as exc:
        return None, str(exc)
    except (ValueError, RuntimeError, ZeroDivisionError) as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        return None, f"{type(exc).__name__}: {lines[0]}"
    rows = X_test.shape[0]
    if proba.ndim == 2 and proba.shape[0] == rows and proba.shape[1] < n_classes:
        # A sampler that drew no row of a class from a small training fold.
        return None, (
            f"predict_proba gave {proba.shape[1]} class columns for the "
            f"{n_classes} classes: the model was trained without every class "
            "(too few rows of a class in the training fold; add rows of it, or "
            "lower folds=)"
        )
    if proba.shape != (X_test.shape[0], n_classes):
        return None, f"predict_proba gave shape {proba.shape}"
    if not np.isfinite(proba).all():
        # Scored, NaN would abort the whole comparison in the metrics.
        return None, "predict_proba gave probabilities that are not finite (NaN)"
    if (proba < 0).any() or (proba > 1).any() or not np.allclose(1, proba.sum(axis=1)):
        # As NaN: scikit-learn's multiclass ROC AUC (whose sum check this
        # is) aborts the comparison.
        return None, (
            "predict_proba gave rows that are not probabilities (outside [0, 1] "
            "or not summing to 1)"
        )
    return proba, pred


def _names_given(
    value: Any, name: str, *, text: bool, tuple_is_one: bool = False
) -> list:
    """``method_names=`` or ``drop=`` as a list (a string: that one name; any
    iterable, read once), or a TypeError naming the argument: names of methods
    are strings (``text``), column names any hashable label: a single one
    that is not a sequence (``drop=0``) is that column, and so is a tuple where
    the columns are a MultiIndex (``tuple_is_one``, as pandas reads it)."""
    example = "['none', 'under']" if text else "['id', 'notes']"
    if isinstance(value, (str, bytes)):
        return [value]
    if not text and (
        (tuple_is_one and isinstance(value, tuple))
        or (isinstance(value, Hashable) and not isinstance(value, Iterable))
    ):
        return [value]
    try:
        names = list(value)
    except TypeError:
        names = None
    kind = str if text else Hashable
    if names is None or any(
        not isinstance(one, kind) or isinstance(one, (list, dict, set)) for one in names
    ):
        what = "names" if text else "column names"
        raise TypeError(
            f"{name}= must be a name or a list of {what}; got {value!r}. Pass "
            f"e.g. {name}={example}."
        )
    return names


def select_methods(
    methods: dict[str, Method], method_names: Sequence[str] | None
) -> dict[str, Method]:
    """``methods`` restricted to ``method_names`` (in that order), or an error."""
    if method_names is None:
        return dict(methods)
    names = list(method_names)
    if not names:
        raise ValueError(
            f"method_names= lists no method names; choose from {list(methods)}."
        )
    unknown = [m for m in names if m not in methods]
    if unknown:
        raise ValueError(
            f"method_names= has unknown method(s) {unknown}; choose "
            f"from {list(methods)}."
        )
    return {m: methods[m] for m in dict.fromkeys(names)}


def _check_class_count_rows(
    method_names: Sequence[str] | None, model: str, target: Target
) -> None:
    """A ValueError for default rows of ``model`` that exist for another
    number of classes than the target's (``threshold-cost-fn5`` is binary
    only; the torch rows differ between binary and multiclass): it says
    so, where :func:`select_methods` would call them unknown."""
    if method_names is None:
        return
    binary = target.n_classes == 2
    own = default_methods(model, target.n_classes)
    other = default_methods(model, 3 if binary else 2)
    misplaced = [m for m in dict.fromkeys(method_names) if m not in own and m in other]
    if not misplaced:
        return
    kind = "binary targets" if not binary else "targets of three classes or more"
    fix = (
        "leave them out of method_names=, or pass positive_label= to compare "
        "one class against the rest"
        if not binary
        else "leave them out of method_names="
    )
    raise ValueError(
        f"method_names= names {misplaced}, rows of model={model!r} "
        f"for {kind} only, and the target has {target.n_classes} classes: "
        f"{fix}. Rows for this target: {list(own)}."
    )


# The most train/test splits (folds x repeats) a comparison may make: every
# method is fitted once per split, and the splits are built up front.
MAX_SPLITS = 10_000


def check_run_options(
    folds: Any,
    repeats: Any,
    seed: Any,
    n_jobs: Any,
    names: Sequence[str] = ("folds", "repeats", "seed", "n_jobs"),
) -> tuple[int, int, int, int | None]:
    """``folds``, ``repeats``, ``seed`` and ``n_jobs`` of :func:`compare`,
    checked before any work; errors name them as ``names`` (the CLI passes
    its option names)."""
    folds_name, repeats_name, seed_name, jobs_name = names
    folds = check_int(folds, folds_name, minimum=2)
    repeats = check_int(repeats, repeats_name, minimum=1)
    if folds * repeats > MAX_SPLITS:
        raise ValueError(
            f"{folds_name}={folds} x {repeats_name}={repeats} makes "
            f"{folds * repeats} train/test splits, more than the {MAX_SPLITS} "
            "allowed: every method is fitted once per split. Lower "
            f"{repeats_name} (or {folds_name})."
        )
    seed = check_int(
        seed,
        seed_name,
        minimum=0,
        maximum=2**32 - 1,
        fix=f"Pass a seed from 0 to 2**32 - 1, e.g. {seed_name}=0.",
    )
    if n_jobs is not None:
        # joblib's meaning: -1 all CPUs, -2 all but one, ...; below minus the
        # CPU count, one job (a script written on a larger machine still runs).
        n_jobs = check_int(
            n_jobs,
            jobs_name,
            minimum=-(2**31),
            fix="Pass a number of parallel jobs >= 1, or -1 for all CPUs.",
        )
        if n_jobs == 0:
            raise ValueError(
                f"{jobs_name}=0 runs nothing: pass a number of parallel jobs >= 1, "
                "or -1 for all CPUs."
            )
    return folds, repeats, seed, n_jobs


def _check_features_container(X) -> None:
    """A TypeError, before any work, for an ``X`` compare cannot read as
    rows of features: a Dask collection (never computed silently; a Dask
    DataFrame raised an AttributeError), a lazy frame (no rows yet) or a
    sparse matrix (both read as a 0-d array: "X must be 2-D; got shape ()"),
    a dict of columns; a ValueError for one column (a Series) naming
    ``X.to_frame()``."""
    reject_dask(X, "X", "compare")
    reject_lazy(X, "X")
    reject_mapping_or_iterator(X, "X")
    if len(getattr(X, "shape", ())) == 1 and hasattr(X, "to_frame"):
        # A column (df["amount"]): it has no reshape.
        raise ValueError(
            f"X is a {type(X).__name__}, one column: X must be 2-D, one row of "
            "features per label; pass X.to_frame() for a single feature."
        )
    if sp.issparse(X):
        raise TypeError(
            f"X is a sparse {type(X).__name__}: compare imputes and scales dense "
            "features. Pass X.toarray() if it fits in memory, or a DataFrame."
        )


def _check_row_counts(X, y) -> None:
    """A ValueError, before the labels are read, when ``X`` and ``y`` have
    other numbers of rows (a ``y`` cut short was reported as "the target
    has 1 class" when its first rows were of one class)."""
    from sklearn.utils.validation import _num_samples

    if isinstance(X, (str, bytes)) or isinstance(y, (str, bytes)):
        return  # no rows (its characters are not): the checks of X and y say so
    try:
        n_rows, n_labels = _num_samples(X), _num_samples(y)
    except TypeError:
        return  # no rows (a scalar): the checks of X and y say so
    if n_rows != n_labels:
        raise ValueError(
            f"X has {n_rows} rows but y has {n_labels} labels: pass one label "
            "per row of X."
        )


def compare(
    X,
    y,
    methods: dict[str, Method] | None = None,
    *,
    model: str = "logistic",
    folds: int = 5,
    repeats: int = 1,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
    method_names: Sequence[str] | None = None,
    positive_label: Any = None,
    drop: Sequence[str] | None = (),
    notify: Callable[[str], None] | None = None,
) -> ComparisonResult:
    """Cross-validate each method on ``(X, y)`` with the same stratified folds.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        DataFrames may hold missing values and any columns: id-like ones are
        dropped, datetimes become numbers, text and high-cardinality strings
        are vectorised (see :mod:`rebalance._columns`). Missing values are
        read as ``rebalance compare`` reads a file: the texts ``read_csv``
        reads as missing (``"NA"``, ``"null"``, ...) and, in a column of
        numbers, markers such as ``?``, ``-`` or ``\\N``
        (:func:`rebalance._columns.missing_as_na`; X is not modified).
    y : array-like of shape (n_samples,)
        Two classes or more. Binary: the rarer class is positive unless
        ``positive_label`` says otherwise. Multiclass: macro metrics. Paired
        with X's rows by position: a pandas ``y`` that holds the index of a
        pandas ``X`` in another order is a ValueError (pass
        ``y.loc[X.index]``).
    methods : dict name -> method, default=None
        ``default_methods(model, n_classes)`` when None.
    model : {'logistic', 'hgb', 'mlp'}, default='logistic'
        ``'hgb'``: ``HistGradientBoostingClassifier(early_stopping=False)``
        (the same trees for every method; early stopping would validate on
        over-sampled copies of the training rows). ``'mlp'``: a small torch
        MLP (``TorchMLPClassifier``, private to the comparison), compared
        over the torch losses and samplers.
    folds : int >= 2, default=5
    repeats : int >= 1, default=1
        Repeated stratified k-fold: ``folds x repeats`` scores per method, at
        most 10000 splits.
    seed : int in [0, 2**32 - 1], default=0
        Seeds the folds and every method: same seed, same numbers.
    n_jobs : int or None, default=None
        Parallel fits (joblib): a number >= 1, or a negative number as in
        joblib (-1 all CPUs, -2 all but one, ...; below minus the number of
        CPUs, one job). 0 is an error.
    progress : bool or None, default=None
        Show a progress bar; None shows one only on a terminal.
    method_names : str or sequence of str, default=None
        Run only these methods (a string: that one method).
    positive_label : object, default=None
        The positive class (see :func:`encode_target`).
    drop : str, sequence of str or None, default=()
        Columns of a DataFrame ``X`` to leave out (a string: that one column;
        None: none).
    notify : callable, default=None
        Called with a line of text for each notice (a method skipped, a
        column of numbers whose markers of a missing value, such as ``?``,
        ``-`` or ``\\N``, are read as missing).

    Returns
    -------
    ComparisonResult

    Examples
    --------
    >>> from rebalance.compare import compare
    >>> from rebalance.datasets import load_digits_binary
    >>> X, y = load_digits_binary()
    >>> result = compare(X, y, folds=2, method_names=["none", "under"])
    >>> sorted(result.scores)
    ['none', 'under']
    >>> result.p_vs_best()[result.ranking()[0]] is None
    True
    """
    model = check_model(model)
    folds, repeats, seed, n_jobs = check_run_options(folds, repeats, seed, n_jobs)
    if methods is not None and not isinstance(methods, Mapping):
        raise TypeError(
            f"methods= must be a dict of name -> method, or None for the default "
            f"ones; got a {type(methods).__name__}. To run some of the default "
            "methods, name them: compare(X, y, method_names=['none', 'under'])."
        )
    if methods is not None:
        # Before any fold is split: a method that is not a function failed
        # inside joblib, an int name in table(), and no method at all after
        # every fold was prepared ("every method failed: ").
        if not methods:
            raise ValueError(
                "methods= holds no method: pass a dict of name -> method "
                "(a function (setup, y_train) -> estimator), or None for the "
                "default ones."
            )
        for key, method in methods.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"methods= names each method by a string (its row in the "
                    f"table); got the key {key!r} ({type(key).__name__}). Pass "
                    f"e.g. {{{str(key)!r}: ...}}."
                )
            if isinstance(method, type):
                # A class is callable too: called (setup, y_train), it built
                # an estimator of those parameters, or failed, mid-run.
                raise TypeError(
                    f"methods= maps {key!r} to the class {method.__name__}: each "
                    "method must be a function (setup, y_train) -> estimator, "
                    f"e.g. {{{key!r}: lambda setup, y_train: {method.__name__}()}}."
                )
            if not callable(method):
                raise TypeError(
                    f"methods= maps {key!r} to {type(method).__name__} "
                    f"{method!r:.40}: each method must be a function (setup, "
                    "y_train) -> estimator, as the values of default_methods() "
                    "are."
                )
    if notify is not None and not callable(notify):
        raise TypeError(
            f"notify= must be a function called with each notice (e.g. print), "
            f"or None; got {notify!r}."
        )
    # One name as a string: that name, not its letters ("none" is not the
    # methods "n", "o", "n", "e"; drop="ab" is not the columns "a" and "b").
    if method_names is not None:
        method_names = _names_given(method_names, "method_names", text=True)
    # X's container first: a polars LazyFrame's columns resolve its query.
    _check_features_container(X)
    multi = getattr(getattr(X, "columns", None), "nlevels", 1) > 1
    drop = (
        []
        if drop is None
        else _names_given(drop, "drop", text=False, tuple_is_one=multi)
    )
    check_paired_rows(X, y, "compare")
    _check_row_counts(X, y)
    target = encode_target(y, positive_label)
    if methods is None:
        methods = default_methods(model, target.n_classes)
        _check_class_count_rows(method_names, model, target)
    methods = select_methods(methods, method_names)
    smallest = int(target.counts().min())
    if smallest < 2:
        rare = [target.labels[i] for i in np.flatnonzero(target.counts() < 2)]
        raise ValueError(
            f"class(es) {_labels_shown(rare[:10])} of the target have a single "
            "row: stratified cross-validation needs at least 2 rows of every "
            "class, whatever folds= is. Add rows of it"
            + (
                ", drop those rows, or pass positive_label= to compare one "
                "larger class against the rest."
                if target.n_classes > 2
                else "."
            )
        )
    if smallest < folds:
        choice = "folds=2" if smallest == 2 else f"folds= from 2 to {smallest}"
        raise ValueError(
            f"folds={folds} needs {folds} rows of every class (one in each test "
            "fold), and the smallest class "
            f"({label_repr(target.labels[int(np.argmin(target.counts()))])}) "
            f"has {smallest} rows: pass {choice}, or add rows of that class."
        )
    plan = None
    notes: list[str] = []

    def note(text: str) -> None:
        # Kept in the result (as the skipped methods are), and told.
        notes.append(text)
        if notify is not None:
            notify(text)

    variants = label_variants(target.labels)
    if variants:
        # The command writes them alike or notes them as it reads the file.
        note(
            f"{VARIANTS_NOTE} ("
            + "; ".join(" and ".join(label_repr(v) for v in g) for g in variants)
            + "); they are compared as different classes. If they are one "
            "class, write them alike (a pandas Series: y.str.strip().str.lower())."
        )
    X = pandas_frame(X)  # polars, pyarrow: planned as their pandas copy
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        # Read as the command reads a file: "NA", "?", "-" and others missing.
        X = missing_as_na(X, notify=note)
        plan = plan_columns(X, drop)
        if not plan.used:
            raise ValueError(
                "no feature column is left to learn from: "
                + plan.describe().rstrip(".")
                + (
                    ". Keep at least one feature column: name fewer columns in drop=."
                    if len(drop)
                    else "."
                )
            )
        X = prepare_frame(X, plan)
    else:
        if drop:
            raise ValueError("drop names columns, so X must be a DataFrame.")
        X = np.asarray(X)
        if (
            X.ndim == 1
            and X.dtype == object
            and X.size
            and all(isinstance(row, Mapping) for row in X)
        ):
            # Records (json.loads of each line of a JSON-lines file): a row
            # of named values each, which a DataFrame lines up by name.
            raise ValueError(
                "X is a list of records (one dict of column -> value a row): "
                "pass pandas.DataFrame(X) (or pandas.read_json(path, "
                "lines=True) for a JSON-lines file) to compare on its columns."
            )
        if X.ndim != 2:
            fix = {
                0: "an array or DataFrame of one row per label",
                1: (
                    "pandas.DataFrame(X), one column a field"
                    if X.dtype.names
                    else "numpy.asarray(X).reshape(-1, 1) for a single feature"
                ),
            }.get(
                X.ndim,
                "numpy.asarray(X).reshape(len(X), -1) to use every value as a feature",
            )
            raise ValueError(
                "X must be 2-D, one row of features per label (n_samples, "
                f"n_features); got shape {X.shape}: pass {fix}."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"X has no feature columns (shape {X.shape}): pass at least one "
                "column to learn from."
            )
        if X.dtype.kind == "c":
            # astype(float64) drops the imaginary parts with a warning only.
            raise ValueError(
                "X holds complex numbers: pass their real and imaginary parts "
                "as two columns (np.column_stack([X.real, X.imag])) to use them."
            )
        if X.dtype.kind not in "biuf":
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"X holds values that are not numbers ({exc}): an array X "
                    "must be all numbers; pass a pandas DataFrame to have its "
                    "text and category columns encoded."
                ) from exc
        if X.dtype.kind == "f" and np.isinf(X).any():
            infinite = np.flatnonzero(np.isinf(X).any(axis=0)).tolist()
            raise ValueError(
                f"X holds infinite values (inf) in the column(s) {infinite[:20]}: "
                "replace them (e.g. by NaN, which is imputed) or leave those "
                "columns out."
            )
    codes = target.codes
    n_classes = target.n_classes
    setup = Setup(model=model, seed=seed, smallest=smallest)
    preprocess = make_preprocessor(plan, seed)
    cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    splits = list(cv.split(np.zeros(codes.shape[0]), codes))
    n_splits = len(splits)
    result = ComparisonResult(
        y=codes,
        labels=target.labels,
        positive=target.positive,
        folds=folds,
        repeats=repeats,
        test_train_ratio=1 / (folds - 1),
        columns=plan,
        target_note=target.note,
        leaks={} if plan is None else find_leaks(X, plan, codes),
        notes=notes,
        model=model,
        seed=seed,
    )
    for name in methods:
        result.scores[name] = {metric: [0.0] * n_splits for metric in METRIC_LABELS}
        result.recalls[name] = np.zeros((n_splits, n_classes))
        result.oof[name] = np.zeros((codes.shape[0], n_classes))
    if progress is None:
        progress = sys.stderr.isatty()
    if n_jobs is not None:
        # No more workers than fits: each one started costs a process
        # (--n-jobs 500 for 2 fits took 42 s, most of it starting workers).
        n_jobs = max(1, min(effective_n_jobs(n_jobs), len(methods) * n_splits))
    from tqdm.auto import tqdm

    with (
        tqdm(
            total=len(methods) * n_splits,
            disable=not progress,
            desc="compare",
            unit="fit",
        ) as bar,
        Parallel(n_jobs=n_jobs, return_as="generator") as parallel,
    ):
        for k, (train, test) in enumerate(splits):
            bar.set_postfix_str(f"fold {k + 1}/{n_splits}: preprocessing")
            step = clone(preprocess)
            X_train = np.asarray(step.fit_transform(_safe_indexing(X, train)))
            with warnings.catch_warnings():
                # A category seen in the test fold only is encoded as none
                # (handle_unknown="ignore"): expected in cross-validation, and
                # no reason for a warning on every fold.
                warnings.filterwarnings(
                    "ignore", "Found unknown categories", category=UserWarning
                )
                X_test = np.asarray(step.transform(_safe_indexing(X, test)))
            y_train, y_test = codes[train], codes[test]
            live = [m for m in methods if m not in result.skipped]
            if live:
                bar.set_postfix_str(f"fold {k + 1}/{n_splits}: {live[0]}")
            outputs = parallel(
                delayed(_fit_predict)(
                    methods[m], setup, X_train, y_train, X_test, n_classes
                )
                for m in live
            )
            for i, (proba, pred) in enumerate(outputs):
                name = live[i]
                bar.update()
                if i + 1 < len(live):
                    # The label names the method now running (the next one
                    # awaited), not the one just finished.
                    bar.set_postfix_str(f"fold {k + 1}/{n_splits}: {live[i + 1]}")
                if proba is None:
                    result.skipped[name] = f"fold {k + 1}: {pred}"
                    if notify is not None:
                        notify(f"notice: {name} skipped ({pred})")
                    continue
                if k < folds:
                    result.oof[name][test] = proba
                scores, recalls = score_fold(y_test, proba, pred)
                for metric, value in scores.items():
                    result.scores[name][metric][k] = value
                result.recalls[name][k] = recalls
            bar.update(len(methods) - len(live))
    for name in result.skipped:
        for table in (result.scores, result.recalls, result.oof):
            table.pop(name, None)
    if not result.scores:
        raise ValueError(
            "every method failed: "
            + "; ".join(f"{m}: {why}" for m, why in result.skipped.items())
        )
    return result


def describe_methods(model: str = "logistic", n_classes: int = 2) -> list[str]:
    """The method names of ``model``, for ``--list-methods`` and ``--help``."""
    return list(default_methods(model, n_classes))


def wrap(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` columns (a paragraph)."""
    return textwrap.fill(text, width=max(40, width), break_on_hyphens=False)
