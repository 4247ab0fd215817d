"""Cross-validate imbalance fixes side by side: the engine of ``rebalance compare``.

Each *method* is a function ``(setup, y_train) -> unfitted classifier`` built
around the same preprocessing and base model, so the rows of the table differ
by the fix alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    precision_recall_curve,
    recall_score,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import _safe_indexing

from rebalance.compose import ResampledClassifier
from rebalance.samplers import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)
from rebalance.threshold import ThresholdMover
from rebalance.weights import class_weights

METRICS = {
    "roc_auc": "ROC AUC",
    "average_precision": "avg precision",
    "balanced_accuracy": "balanced acc",
    "f1_minority": "F1 minority",
    "g_mean": "G-mean",
    "accuracy": "accuracy@0.5",
}
MODELS = ("logistic", "hgb", "mlp")


@dataclass
class Setup:
    """What every method shares: the base model, its preprocessing, the seed."""

    model: str = "logistic"
    seed: int = 0
    preprocess: Any = None

    def classifier(self, **params):
        if self.model == "logistic":
            return LogisticRegression(max_iter=2000, random_state=self.seed, **params)
        if self.model == "hgb":
            return HistGradientBoostingClassifier(random_state=self.seed, **params)
        if self.model == "mlp":
            try:
                from rebalance.torch.estimators import TorchMLPClassifier
            except ImportError as exc:  # pragma: no cover - torch is an extra
                raise ValueError(
                    "model 'mlp' needs PyTorch: pip install 'rebalance[torch]'."
                ) from exc
            return TorchMLPClassifier(random_state=self.seed, **params)
        raise ValueError(f"model must be one of {MODELS}; got {self.model!r}.")

    def pipeline(self, **classifier_params):
        """preprocessing -> classifier, as one scikit-learn Pipeline."""
        head = [clone(self.preprocess)] if self.preprocess is not None else []
        return make_pipeline(*head, self.classifier(**classifier_params))


Method = Callable[[Setup, np.ndarray], Any]


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


def torch_methods() -> dict[str, Method]:
    """The fixes of a torch MLP: losses and DataLoader samplers, plus thresholds."""
    return {
        "bce": _torch_row(),
        "class-weighted-bce": _torch_row(loss="class-weighted"),
        "focal": _torch_row(loss="focal"),
        "focal-rescale": _torch_row(loss="focal-rescale"),
        "margin-ce": _torch_row(loss="margin"),
        "logit-adjusted": _torch_row(loss="logit-adjusted"),
        "label-shuffle-sampler": _torch_row(sampler="label-shuffle"),
        "class-balanced-sampler": _torch_row(sampler="class-balanced"),
        "balanced-batch": _torch_row(sampler="balanced-batch"),
        "bce+threshold-prior": _threshold_row(strategy="prior"),
    }


def default_methods(model: str = "logistic") -> dict[str, Method]:
    """The fixes compared by default for ``model``, by row name."""
    if model == "mlp":
        return torch_methods()
    return {
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
        "threshold-tuned-f1": _threshold_row(strategy="tuned", scoring="f1", cv=3),
        "under+prior-correction": _prior_corrected_row(RandomUnderSampler),
        "over+prior-correction": _prior_corrected_row(RandomOverSampler),
    }


def score_fold(y_true: np.ndarray, proba: np.ndarray, y_pred: np.ndarray) -> dict:
    """Imbalance metrics of one fold; the positive class (1) is the minority.

    Ranking metrics use the positive-class probability; the decision metrics
    use the method's own ``predict`` (its threshold), except ``accuracy`` which
    is accuracy at the plain 0.5 cut (the seed's "accuracy@0.5").
    """
    recalls = recall_score(y_true, y_pred, average=None, labels=[0, 1])
    return {
        "roc_auc": float(roc_auc_score(y_true, proba)),
        "average_precision": float(average_precision_score(y_true, proba)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "f1_minority": float(f1_score(y_true, y_pred, pos_label=1, zero_division=0.0)),
        "g_mean": float(np.sqrt(np.prod(recalls))),
        "accuracy": float(np.mean(y_true == (proba >= 0.5))),
    }


@dataclass
class ComparisonResult:
    """Per-fold scores of every method (``scores[method][metric] -> list``) and
    the out-of-fold positive-class probabilities (``oof[method]``)."""

    y: np.ndarray
    scores: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    oof: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_minority(self) -> int:
        return int(self.y.sum())

    def summary(self) -> dict[str, dict[str, tuple[float, float]]]:
        return {
            method: {
                metric: (float(np.mean(v)), float(np.std(v)))
                for metric, v in by_metric.items()
            }
            for method, by_metric in self.scores.items()
        }

    def ranking(self, metric: str = "average_precision") -> list[str]:
        summary = self.summary()
        return sorted(summary, key=lambda m: -summary[m][metric][0])

    def table(self, sort_by: str = "average_precision") -> str:
        """The results as a fixed-width text table, best ``sort_by`` first."""
        summary = self.summary()
        order = self.ranking(sort_by)
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

    def plot(self, path: str, metric: str = "average_precision", top: int = 4):
        """Save PR and ROC curves of the ``top`` methods, and ``metric`` as bars."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        order = self.ranking(metric)
        summary = self.summary()
        fig, (ax_pr, ax_roc, ax_bar) = plt.subplots(1, 3, figsize=(16, 4.8))
        # Threshold rows share their model's probabilities: one curve per group.
        groups: list[list[str]] = []
        for method in order:
            same = [g for g in groups if np.allclose(self.oof[g[0]], self.oof[method])]
            if same:
                same[0].append(method)
            else:
                groups.append([method])
        for group in groups[:top]:
            label = " = ".join(group[:3]) + (" = ..." if len(group) > 3 else "")
            precision, recall, _ = precision_recall_curve(self.y, self.oof[group[0]])
            ax_pr.plot(recall, precision, label=label)
            fpr, tpr, _ = roc_curve(self.y, self.oof[group[0]])
            ax_roc.plot(fpr, tpr, label=label)
        ax_pr.set(xlabel="recall", ylabel="precision", title="Precision-recall")
        ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":")
        ax_roc.set(xlabel="false positive rate", ylabel="true positive rate")
        ax_roc.set_title("ROC (out-of-fold)")
        ax_pr.legend(fontsize=8)
        means = [summary[m][metric][0] for m in order]
        stds = [summary[m][metric][1] for m in order]
        ax_bar.barh(order[::-1], means[::-1], xerr=stds[::-1], color="tab:blue")
        ax_bar.set(xlabel=f"{METRICS[metric]} (mean ± std over folds)")
        low = max(0.0, min(means) - 2 * max(stds) - 0.05)
        ax_bar.set_xlim(low, 1.0)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def default_preprocess(X) -> Any:
    """Impute + scale numeric columns, impute + one-hot categorical ones."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    if not hasattr(X, "select_dtypes"):
        return numeric
    numeric_cols = list(X.select_dtypes("number").columns)
    other_cols = [c for c in X.columns if c not in numeric_cols]
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [("numeric", numeric, numeric_cols), ("categorical", categorical, other_cols)]
    )


def minority_as_one(y: Any) -> np.ndarray:
    """Binary labels with the rarer class as 1, or a clear error."""
    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    if classes.shape[0] != 2:
        raise ValueError(
            f"compare needs a binary target; it has {classes.shape[0]} class(es) "
            f"({classes.tolist()[:10]}). Pick one class against the rest first."
        )
    return (y == classes[np.argmin(counts)]).astype(np.int64)


def _run_fold(method: Method, setup: Setup, X, y, train, test):
    model = method(setup, y[train]).fit(_safe_indexing(X, train), y[train])
    X_test = _safe_indexing(X, test)
    proba = model.predict_proba(X_test)[:, 1]
    return proba, score_fold(y[test], proba, model.predict(X_test))


def compare(
    X,
    y,
    methods: dict[str, Method] | None = None,
    *,
    model: str = "logistic",
    folds: int = 5,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
    method_names: Sequence[str] | None = None,
) -> ComparisonResult:
    """Cross-validate each method on ``(X, y)`` with the same stratified folds.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        DataFrames may hold categorical columns and missing values.
    y : array-like of shape (n_samples,), binary; the rarer class is positive.
    methods : dict name -> method, default=None
        ``default_methods(model)`` when None.
    model : {'logistic', 'hgb', 'mlp'}, default='logistic'
        ``'mlp'``: a small torch MLP (:class:`rebalance.torch.estimators.
        TorchMLPClassifier`), compared over the torch losses and samplers.
    folds : int, default=5
    seed : int, default=0
        Seeds the folds and every method: same seed, same numbers.
    n_jobs : int or None, default=None
        Parallel fits (joblib).
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
    methods = default_methods(model) if methods is None else methods
    if method_names is not None:
        unknown = [m for m in method_names if m not in methods]
        if unknown:
            raise ValueError(
                f"unknown method(s) {unknown}; choose from {list(methods)}."
            )
        methods = {m: methods[m] for m in method_names}
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}.")
    y = minority_as_one(y)
    if not hasattr(X, "iloc"):
        X = np.asarray(X)
    if folds < 2 or np.bincount(y).min() < folds:
        raise ValueError(
            f"folds={folds} needs 2 <= folds <= {np.bincount(y).min()} (the number "
            "of minority rows)."
        )
    setup = Setup(model=model, seed=seed, preprocess=default_preprocess(X))
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))
    tasks = [(name, k) for name in methods for k in range(len(splits))]
    result = ComparisonResult(y=y)
    for name in methods:
        result.scores[name] = {metric: [0.0] * len(splits) for metric in METRICS}
        result.oof[name] = np.zeros(y.shape[0])
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_run_fold)(methods[name], setup, X, y, *splits[k]) for name, k in tasks
    )
    with tqdm(
        total=len(tasks), disable=not progress, desc="compare", unit="fit"
    ) as bar:
        for (name, k), (proba, fold) in zip(tasks, outputs):
            result.oof[name][splits[k][1]] = proba
            for metric, value in fold.items():
                result.scores[name][metric][k] = value
            bar.set_postfix_str(name)
            bar.update()
    return result
