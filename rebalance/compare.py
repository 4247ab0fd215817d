"""Cross-validate imbalance fixes side by side: the engine of ``rebalance compare``.

Each *method* is a function ``seed -> unfitted classifier`` built around the
same base model, so every row of the table differs by the fix alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

MethodFactory = Callable[[int], object]

METRICS = {
    "roc_auc": "ROC AUC",
    "average_precision": "avg precision",
    "balanced_accuracy": "balanced acc",
    "f1_minority": "F1 minority",
    "g_mean": "G-mean",
    "accuracy": "accuracy",
}


def _logistic(seed: int, **params) -> LogisticRegression:
    return LogisticRegression(max_iter=2000, random_state=seed, **params)


def _with_sampler(sampler_cls, **params) -> MethodFactory:
    def build(seed: int):
        sampler = sampler_cls(random_state=seed, **params)
        return make_pipeline(StandardScaler(), sampler, _logistic(seed))

    return build


def default_methods() -> dict[str, MethodFactory]:
    """The fixes compared by default, by row name."""
    return {
        "none": lambda seed: make_pipeline(StandardScaler(), _logistic(seed)),
        "under": _with_sampler(RandomUnderSampler),
        "over": _with_sampler(RandomOverSampler),
        "class-balanced": _with_sampler(ClassBalancedSampler),
        "label-shuffle": _with_sampler(LabelShuffleSampler),
    }


def score_fold(y_true: np.ndarray, proba: np.ndarray, y_pred: np.ndarray) -> dict:
    """The imbalance metrics of one fold; the positive class is the minority (1)."""
    recalls = recall_score(y_true, y_pred, average=None, labels=[0, 1])
    return {
        "roc_auc": roc_auc_score(y_true, proba),
        "average_precision": average_precision_score(y_true, proba),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "f1_minority": f1_score(y_true, y_pred, pos_label=1, zero_division=0.0),
        "g_mean": float(np.sqrt(np.prod(recalls))),
        "accuracy": float(np.mean(y_true == (proba >= 0.5))),
    }


@dataclass
class ComparisonResult:
    """Per-fold scores of every method: ``scores[method][metric] -> list``."""

    scores: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    n_samples: int = 0
    n_minority: int = 0

    def summary(self) -> dict[str, dict[str, tuple[float, float]]]:
        return {
            method: {
                metric: (float(np.mean(v)), float(np.std(v)))
                for metric, v in by_metric.items()
            }
            for method, by_metric in self.scores.items()
        }

    def table(self, sort_by: str = "average_precision") -> str:
        """The results as a fixed-width text table, best ``sort_by`` first."""
        summary = self.summary()
        order = sorted(summary, key=lambda m: -summary[m][sort_by][0])
        width = max(len(m) for m in order) + 2
        header = f"{'method':<{width}}" + "".join(
            f"{label:>17}" for label in METRICS.values()
        )
        lines = [header, "-" * len(header)]
        for method in order:
            cells = "".join(
                f"{summary[method][key][0]:>10.3f} ± {summary[method][key][1]:.3f}"
                for key in METRICS
            )
            lines.append(f"{method:<{width}}{cells}")
        return "\n".join(lines)


def _minority_as_one(y: np.ndarray) -> np.ndarray:
    classes, counts = np.unique(y, return_counts=True)
    if classes.shape[0] != 2:
        raise ValueError(
            f"compare needs a binary target; it has {classes.shape[0]} classes "
            f"({classes.tolist()[:10]}). Pick one class against the rest first."
        )
    return (y == classes[np.argmin(counts)]).astype(np.int64)


def compare(
    X,
    y,
    methods: dict[str, MethodFactory] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    progress: bool | None = None,
    method_names: Sequence[str] | None = None,
) -> ComparisonResult:
    """Cross-validate each method on ``(X, y)`` with stratified folds.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), binary; the rarer class is positive.
    methods : dict name -> factory, default=None
        ``default_methods()`` when None.
    folds : int, default=5
    seed : int, default=0
        Seeds the folds and every method: same seed, same numbers.
    progress : bool or None, default=None
        Show a progress bar; None shows one only on a terminal.
    method_names : sequence of str, default=None
        Run only these methods.

    Examples
    --------
    >>> from rebalance.compare import compare
    >>> from rebalance.datasets import load_digits_binary
    >>> X, y = load_digits_binary()
    >>> result = compare(X, y, folds=2, method_names=["none", "under"])
    >>> sorted(result.scores)
    ['none', 'under']
    """
    methods = default_methods() if methods is None else methods
    if method_names is not None:
        unknown = [m for m in method_names if m not in methods]
        if unknown:
            raise ValueError(
                f"unknown method(s) {unknown}; choose from {list(methods)}."
            )
        methods = {m: methods[m] for m in method_names}
    X = np.asarray(X)
    y = _minority_as_one(np.asarray(y))
    if folds < 2 or np.bincount(y).min() < folds:
        raise ValueError(
            f"folds={folds} needs 2 <= folds <= {np.bincount(y).min()} (the number "
            "of minority rows)."
        )
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))
    result = ComparisonResult(n_samples=y.shape[0], n_minority=int(y.sum()))
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(methods) * len(splits),
        disable=not progress,
        desc="compare",
        unit="fit",
    )
    with bar:
        for name, factory in methods.items():
            result.scores[name] = {metric: [] for metric in METRICS}
            prototype = factory(seed)
            for train, test in splits:
                model = clone(prototype).fit(X[train], y[train])
                proba = model.predict_proba(X[test])[:, 1]
                fold = score_fold(y[test], proba, model.predict(X[test]))
                for metric, value in fold.items():
                    result.scores[name][metric].append(float(value))
                bar.set_postfix_str(name)
                bar.update()
    return result
