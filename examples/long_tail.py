"""The classic imbalance fixes on a long-tailed ten-class problem.

"Seed 004" below is the survey of fixes this project started from (a Chinese
blog post on data-level and loss-level fixes with binary examples); here its
fixes, and the later logit-adjustment losses, meet several minority classes of
very different sizes.

scikit-learn's 8x8 digits (10 classes, about 180 images each) become
long-tailed in the training split: class ``c`` (digit ``c``) keeps
``n_head * imbalance ** (-c / 9)`` rows, 120 for digit 0 down to 2 for
digit 9 at the defaults (imbalance factor 60). The test split is balanced
(50 images of every digit, none of them in training), so per-class recall is
measured on the same number of rows for every class. The split is fixed
(``random_state=0``); the seeds vary the network initialisation and the
sampling order.

Every method trains the same network (64 -> 64 -> 10 MLP), with the same
optimiser (Adam) for the same number of gradient steps on batches of the
same size. Steps rather than epochs are fixed because an "epoch" of label
shuffle is ten times the largest class, four times the natural one.

Methods (seed 004's list, in ``rebalance``):

* softmax cross-entropy (CE), the baseline;
* class-weighted CE, ``class_weights(y, 'balanced')`` and
  ``class_weights(y, 'effective_number', beta=0.99)``;
* softmax focal loss (gamma = 2);
* balanced softmax (CE on ``logits + log n_c``; identical to logit-adjusted
  CE with tau = 1) and logit-adjusted CE with tau = 2;
* CE with class-balanced sampling (``ClassBalancedSampler``, power 0 and
  0.5) and with label shuffle (``LabelShuffleSampler``), both through
  ``RebalanceSampler``;
* Caffe-style weighted softmax: the rarest class's loss times ``pos_mult``;
* OHEM: CE on the hardest quarter of each batch;
* post-hoc logit adjustment of the CE model (``adjust_logits`` with the
  training priors; the decision of ``ThresholdMover(strategy='prior')``).

Run::

    python examples/long_tail.py --seeds 10

prints the table (mean ± std over seeds) and one verdict per method against
CE, computed from the numbers: a paired bootstrap (seeds and test rows) of
the seed-averaged difference.
"""

from __future__ import annotations

import argparse
import functools
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import f1_score
from torch import nn
from torch.utils.data import BatchSampler

from rebalance import ClassBalancedSampler, LabelShuffleSampler, class_weights
from rebalance.threshold import adjust_priors
from rebalance.torch import (
    RebalanceSampler,
    adjust_logits,
    balanced_softmax_cross_entropy,
    class_weighted_cross_entropy,
    logit_adjusted_cross_entropy,
    ohem_loss,
    softmax_focal_loss,
    weighted_softmax_loss,
)

GROUPS = ("head", "medium", "tail")
METRICS = ("balanced_accuracy", "macro_f1", "head", "medium", "tail")
BASELINE = "CE"
POST_HOC = "CE + post-hoc logit adjustment"


# --------------------------------------------------------------------- data
@dataclass
class LongTail:
    """The fixed long-tailed split. ``group[c]`` is class c's group name."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    counts: np.ndarray  # training rows per class
    group: list[str]
    train_rows: np.ndarray  # positions in load_digits()
    test_rows: np.ndarray

    @property
    def imbalance(self) -> float:
        return float(self.counts.max() / self.counts.min())


def _check_count(value, name: str, minimum: int = 1) -> None:
    """A ValueError naming ``name`` unless ``value`` is an int (numpy's too,
    not a bool) of at least ``minimum``."""
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not integral or value < minimum:
        wanted = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")


def _positive_int(text: str) -> int:
    """argparse type: an int >= 1 (--threads 0 reached torch's own error)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive int, got {text}")
    return value


def class_sizes(n_head: int, imbalance: float, n_classes: int = 10) -> np.ndarray:
    """Geometric decay from ``n_head`` rows to ``n_head / imbalance`` rows."""
    _check_count(n_head, "n_head")
    _check_count(n_classes, "n_classes", 2)  # (1 class divided by 0)
    if not imbalance >= 1:
        raise ValueError(f"imbalance must be >= 1, got {imbalance!r}")
    steps = np.arange(n_classes) / (n_classes - 1)
    return np.maximum(1, np.rint(n_head * imbalance ** (-steps))).astype(np.int64)


def long_tail_digits(
    n_head: int = 120,
    imbalance: float = 60.0,
    n_test: int = 50,
    groups: tuple[int, int, int] = (3, 4, 3),
    random_state: int = 0,
) -> LongTail:
    """Digits with a geometric long tail in training and a balanced test set.

    Features are the pixel intensities divided by 16 (no statistics of the
    test rows are used). ``groups`` gives how many classes, from the largest
    training class down, are head, medium and tail.
    """
    n_classes = 10
    # Checked before any data is read: n_test=0 gave an empty test set (NaN
    # recalls), a negative one emptied training classes that counts still
    # held; groups of 2 left no tail group (NaN), of 5 an IndexError.
    _check_count(n_test, "n_test")
    if isinstance(groups, np.ndarray) and groups.ndim == 1:
        groups = tuple(groups.tolist())  # (an array of 3 ints was accepted)
    if (
        not isinstance(groups, tuple | list)
        or len(groups) != 3
        or not all(
            isinstance(g, numbers.Integral) and not isinstance(g, bool) for g in groups
        )
        or sum(groups) != n_classes
        or min(groups) < 1
    ):
        raise ValueError(f"groups must be 3 positive ints summing to 10, got {groups}")
    sizes = class_sizes(n_head, imbalance, n_classes)
    data = load_digits()
    X, y = data.data / 16.0, data.target
    available = np.bincount(y, minlength=n_classes)
    if (sizes + n_test > available).any():
        raise ValueError(
            f"n_head + n_test = {n_head + n_test} rows exceed the smallest digit "
            f"class ({available.min()} rows); lower n_head or n_test"
        )
    rng = np.random.default_rng(random_state)
    train, test = [], []
    for c in range(n_classes):
        rows = rng.permutation(np.flatnonzero(y == c))
        test.append(rows[:n_test])
        train.append(rows[n_test : n_test + sizes[c]])
    train, test = np.concatenate(train), np.concatenate(test)
    order = np.argsort(-sizes, kind="stable")
    group = [""] * n_classes
    edges = np.cumsum(groups)
    for rank, c in enumerate(order):
        group[c] = GROUPS[int(np.searchsorted(edges, rank, side="right"))]
    return LongTail(X[train], y[train], X[test], y[test], sizes, group, train, test)


# ------------------------------------------------------------------ methods
@dataclass
class Method:
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    sampler: object = None  # a rebalance sampler for RebalanceSampler, or None
    focus: int | None = None  # the one class the method is aimed at, if any


def methods(data: LongTail) -> dict[str, Method]:
    """Method name -> loss and data-level fix. Post-hoc adjustment is not here:
    it reuses the CE model (see :func:`run`)."""
    y, counts = data.y_train, data.counts
    balanced = class_weights(y, "balanced")
    effective = class_weights(y, "effective_number", beta=0.99)
    rarest = int(np.argmin(counts))
    pos_mult = float(balanced[rarest])

    def ce(z, t):
        return F.cross_entropy(z, t)

    return {
        BASELINE: Method(ce),
        "CE class-weighted (balanced)": Method(
            lambda z, t: class_weighted_cross_entropy(z, t, balanced)
        ),
        "CE class-weighted (effective number)": Method(
            lambda z, t: class_weighted_cross_entropy(z, t, effective)
        ),
        "softmax focal (gamma=2)": Method(
            lambda z, t: softmax_focal_loss(z, t, gamma=2.0)
        ),
        "balanced softmax (= LA-CE tau=1)": Method(
            lambda z, t: balanced_softmax_cross_entropy(z, t, counts)
        ),
        "logit-adjusted CE (tau=2)": Method(
            lambda z, t: logit_adjusted_cross_entropy(z, t, counts, tau=2.0)
        ),
        "CE + class-balanced sampling (power 0)": Method(
            ce, ClassBalancedSampler(power=0.0)
        ),
        "CE + class-balanced sampling (power 0.5)": Method(
            ce, ClassBalancedSampler(power=0.5)
        ),
        "CE + label shuffle": Method(ce, LabelShuffleSampler()),
        f"weighted softmax (pos_cid={rarest}, pos_mult={pos_mult:.1f})": Method(
            lambda z, t: weighted_softmax_loss(z, t, pos_mult=pos_mult, pos_cid=rarest),
            focus=rarest,
        ),
        "OHEM (hardest 25% of each batch)": Method(
            lambda z, t: ohem_loss(F.cross_entropy(z, t, reduction="none"), top_k=0.25)
        ),
    }


# ----------------------------------------------------------------- training
def mlp(seed: int, hidden: int = 64) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def batches(y: np.ndarray, sampler, seed: int, batch_size: int):
    """Endless stream of index batches: shuffled epochs, or RebalanceSampler's."""
    if sampler is None:
        generator = torch.Generator().manual_seed(seed)
        while True:
            yield from torch.randperm(len(y), generator=generator).split(batch_size)
    source = RebalanceSampler(y, sampler, seed=seed)
    epoch = 0
    while True:
        source.set_epoch(epoch)
        for idx in BatchSampler(source, batch_size, drop_last=False):
            yield torch.as_tensor(idx)
        epoch += 1


def train(
    data: LongTail, method: Method, seed: int, *, steps: int, batch_size: int, lr: float
) -> np.ndarray:
    """Train one model; return its test logits (n_test, 10)."""
    net = mlp(seed)
    # fused: one compiled loop over the parameters instead of per-tensor ops
    # (half the run time on CPU; the same table).
    opt = torch.optim.Adam(net.parameters(), lr=lr, fused=True)
    X = torch.as_tensor(data.X_train, dtype=torch.float32)
    y = torch.as_tensor(data.y_train)
    stream = batches(data.y_train, method.sampler, seed, batch_size)
    net.train()
    for _ in range(steps):
        idx = next(stream)
        opt.zero_grad()
        method.loss(net(X[idx]), y[idx]).backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        return net(torch.as_tensor(data.X_test, dtype=torch.float32)).numpy()


def post_hoc(logits: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Predictions of the CE model after ``adjust_logits`` with the train priors.

    Checks that this is ThresholdMover's ``'prior'`` decision,
    argmax_c p_c / prior_c (``adjust_priors`` to uniform priors).
    """
    priors = counts / counts.sum()
    adjusted = adjust_logits(torch.as_tensor(logits, dtype=torch.float64), priors)
    pred = adjusted.argmax(1).numpy()
    proba = torch.softmax(torch.as_tensor(logits, dtype=torch.float64), 1).numpy()
    uniform = np.full(len(counts), 1 / len(counts))
    prior_rule = adjust_priors(proba, priors, uniform).argmax(1)
    if not np.array_equal(pred, prior_rule):
        raise AssertionError("adjust_logits and the 'prior' rule disagree")
    return pred


# ------------------------------------------------------------------ scoring
def per_class_recall(y: np.ndarray, pred: np.ndarray, n_classes: int = 10):
    return np.array([(pred[y == c] == c).mean() for c in range(n_classes)])


def scores(data: LongTail, pred: np.ndarray) -> dict:
    recall = per_class_recall(data.y_test, pred)
    group = np.array(data.group)
    out = {
        "balanced_accuracy": float(recall.mean()),
        "macro_f1": float(
            f1_score(data.y_test, pred, average="macro", labels=range(10))
        ),
    }
    out.update({g: float(recall[group == g].mean()) for g in GROUPS})
    out["recall"] = recall.tolist()
    return out


@dataclass
class Results:
    data: LongTail
    pred: dict  # method -> (n_seeds, n_test) predictions
    wall_s: float
    steps: int
    focus: dict = field(default_factory=dict)  # method -> the class it targets

    @property
    def n_seeds(self) -> int:
        return len(next(iter(self.pred.values())))

    def per_seed(self, method: str) -> list[dict]:
        return [scores(self.data, p) for p in self.pred[method]]

    def summary(self) -> dict:
        """method -> metric -> (mean, std over seeds)."""
        out = {}
        for name in self.pred:
            rows = self.per_seed(name)
            out[name] = {
                k: (
                    float(np.mean([r[k] for r in rows])),
                    float(np.std([r[k] for r in rows])),
                )
                for k in METRICS
            }
            out[name]["recall"] = np.mean([r["recall"] for r in rows], axis=0)
        return out


def run(
    seeds: int = 3,
    *,
    steps: int = 250,
    batch_size: int = 32,
    lr: float = 1e-2,
    only: list[str] | None = None,
    data: LongTail | None = None,
) -> Results:
    """Every method (or those in ``only``, which must include CE, the
    reference of every comparison) for every seed."""
    _check_count(seeds, "seeds")
    # (steps=-1 trained nothing and printed untrained models' scores)
    _check_count(steps, "steps")
    _check_count(batch_size, "batch_size")
    if not (isinstance(lr, numbers.Real) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    data = long_tail_digits() if data is None else data
    table = methods(data)
    if only is not None:
        unknown = sorted(set(only) - set(table))
        if unknown or BASELINE not in only:
            raise ValueError(
                f"only must name methods of methods(data), CE included; unknown: "
                f"{unknown}, known: {list(table)}"
            )
        table = {k: v for k, v in table.items() if k in only}
    start = time.perf_counter()
    pred: dict = {}
    for seed in range(seeds):
        for name, method in table.items():
            logits = train(
                data, method, seed, steps=steps, batch_size=batch_size, lr=lr
            )
            pred.setdefault(name, []).append(logits.argmax(1))
            if name == BASELINE:
                pred.setdefault(POST_HOC, []).append(post_hoc(logits, data.counts))
    pred = {k: np.stack(v) for k, v in pred.items()}
    focus = {k: m.focus for k, m in table.items() if m.focus is not None}
    return Results(data, pred, time.perf_counter() - start, steps, focus)


# ------------------------------------------------------------------- report
def describe(data: LongTail) -> str:
    sizes = ", ".join(f"{c}:{n}" for c, n in enumerate(data.counts))
    groups = "; ".join(
        f"{g}: digits {[c for c in range(10) if data.group[c] == g]}" for g in GROUPS
    )
    n_test = np.bincount(data.y_test, minlength=10)
    return (
        f"train rows per digit {{{sizes}}} ({len(data.y_train)} rows, imbalance "
        f"{data.imbalance:.0f}); test {len(data.y_test)} rows, {n_test.min()}-"
        f"{n_test.max()} per digit; {groups}"
    )


def table(results: Results) -> str:
    rows = results.summary()
    names = {"balanced_accuracy": "bal. acc", "macro_f1": "macro-F1"}
    head = f"{'method':<44}" + "".join(
        f"{names.get(k, k + ' rec.'):>16}" for k in METRICS
    )
    lines = [head, "-" * len(head)]
    for name in sorted(rows, key=lambda m: -rows[m]["balanced_accuracy"][0]):
        cells = "".join(
            f"{rows[name][k][0]:>9.3f} ± {rows[name][k][1]:.3f}" for k in METRICS
        )
        lines.append(f"{name:<44}{cells}")
    return "\n".join(lines)


def recall_table(results: Results) -> str:
    """Mean per-class recall, digits ordered from largest to smallest class."""
    rows = results.summary()
    order = np.argsort(-results.data.counts, kind="stable")
    head = f"{'method':<44}" + "".join(
        f"{f'{c}({results.data.counts[c]})':>8}" for c in order
    )
    lines = [head, "-" * len(head)]
    for name in sorted(rows, key=lambda m: -rows[m]["balanced_accuracy"][0]):
        lines.append(
            f"{name:<44}" + "".join(f"{rows[name]['recall'][c]:>8.2f}" for c in order)
        )
    return "\n".join(lines)


def _correct(results: Results, method: str) -> np.ndarray:
    """(n_seeds, n_classes, n_per_class) 0/1 correctness, test rows by class."""
    y = results.data.y_test
    rows = [np.flatnonzero(y == c) for c in range(10)]
    pred = results.pred[method]
    return np.stack([[p[r] == c for c, r in enumerate(rows)] for p in pred]) * 1.0


@functools.lru_cache(maxsize=16)
def _resample_counts(n_boot: int, shape: tuple, seed: int) -> np.ndarray:
    """How often each index along the last axis of ``shape`` is drawn, per
    bootstrap replicate: (n_boot, *shape), each slice along the last axis
    summing to ``shape[-1]``. Cached: the same draws serve every comparison
    (common random numbers)."""
    n = shape[-1]
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, *shape))
    counts = np.zeros((n_boot, *shape))
    np.add.at(counts, (*np.indices(idx.shape)[:-1], idx), 1.0)
    counts.flags.writeable = False
    return counts


def difference(
    results: Results,
    method: str,
    metric: str,
    baseline: str = BASELINE,
    *,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict:
    """``method`` minus ``baseline`` on a recall metric, paired by seed and row.

    ``metric`` is ``'balanced_accuracy'``, a group (``'head'``, ``'medium'``,
    ``'tail'``: the mean recall of its classes) or a class index (its recall).
    Returns the per-seed differences, their mean, and a 95% bootstrap interval
    of that mean. Each bootstrap replicate resamples the seeds (with
    replacement) and the test rows within each class (the same rows for both
    methods and every seed), so the interval covers both the training noise
    the seeds show and how much the test set itself could move the difference.
    """
    _check_count(n_boot, "n_boot")  # (0 gave an IndexError from np.quantile)
    group = np.array(results.data.group)
    if metric == "balanced_accuracy":
        classes = np.arange(10)
    elif metric in GROUPS:
        classes = np.flatnonzero(group == metric)
    elif isinstance(metric, int | np.integer) and 0 <= metric < 10:
        classes = np.array([metric])
    else:
        raise ValueError(
            f"metric must be 'balanced_accuracy', one of {GROUPS} or a class "
            f"index 0-9, got {metric!r}"
        )
    diff = (_correct(results, method) - _correct(results, baseline))[:, classes]
    per_seed = diff.mean(axis=(1, 2))
    n_seeds, k, n = diff.shape
    rows = _resample_counts(n_boot, (k, n), seed)  # (n_boot, k, n)
    seeds = _resample_counts(n_boot, (n_seeds,), seed + 1)  # (n_boot, n_seeds)
    boot = np.einsum("bs,bkj,skj->b", seeds, rows, diff) / (n_seeds * k * n)
    low, high = np.quantile(boot, [0.025, 0.975])
    return {
        "mean": float(per_seed.mean()),
        "per_seed": per_seed,
        "low": float(low),
        "high": float(high),
    }


def verdict(d: dict) -> str:
    """'better' / 'worse' when the 95% interval excludes 0, else 'within noise'."""
    if d["low"] > 0:
        return "better"
    if d["high"] < 0:
        return "worse"
    return "within noise"


def _label(metric) -> str:
    if metric == "balanced_accuracy":
        return "balanced accuracy"
    return f"{metric} recall" if metric in GROUPS else f"digit {metric} recall"


def _phrase(d: dict, metric: str) -> str:
    return (
        f"{_label(metric)} {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] "
        f"({verdict(d)})"
    )


def pairwise(results: Results, metric: str = "balanced_accuracy") -> str:
    """Verdict matrix: row method vs column method on ``metric``.

    ``+`` row better, ``-`` row worse, ``.`` within noise (see :func:`verdict`).
    Methods are numbered from the highest mean ``metric`` down: for
    ``'balanced_accuracy'`` the order of :func:`table`, for a group such as
    ``'tail'`` that group's ranking.
    """
    rows = results.summary()
    group = np.array(results.data.group)
    if metric == "balanced_accuracy" or metric in GROUPS:
        names = sorted(rows, key=lambda m: -rows[m][metric][0])
    elif isinstance(metric, int | np.integer) and 0 <= metric < len(group):
        # A class index, as difference takes it: ranked by its recall.
        names = sorted(rows, key=lambda m: -rows[m]["recall"][metric])
    else:
        raise ValueError(
            f"metric must be 'balanced_accuracy', one of {GROUPS} or a class "
            f"index 0-{len(group) - 1}, got {metric!r}"
        )
    width = len(str(len(names)))
    lines = [
        " " * (width + 2) + " ".join(f"{j + 1:>{width}}" for j in range(len(names)))
    ]
    sign = {"better": "+", "worse": "-", "within noise": "."}
    flip = {"+": "-", "-": "+", ".": "."}
    cell = {}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:  # b vs a is the mirror image of a vs b
            cell[a, b] = sign[verdict(difference(results, a, metric, baseline=b))]
            cell[b, a] = flip[cell[a, b]]
    for i, a in enumerate(names):
        cells = [f"{cell.get((a, b), ' '):>{width}}" for b in names]
        lines.append(f"{i + 1:>{width}}  " + " ".join(cells) + f"  {a}")
    return "\n".join(lines)


def conclusions(results: Results) -> list[str]:
    """Sentences computed from the predictions: which methods help the tail,
    each method against CE (tail, balanced and head recall, and the recall of
    the class a method targets), then which methods the best one cannot be
    told apart from."""
    out = []
    others = [m for m in results.pred if m != BASELINE]
    by_verdict: dict = {"better": [], "within noise": [], "worse": []}
    for name in others:
        by_verdict[verdict(difference(results, name, "tail"))].append(name)
    listed = {k: ", ".join(v) or "none" for k, v in by_verdict.items()}
    out.append(
        f"Tail recall against CE -- better: {listed['better']}. Within noise: "
        f"{listed['within noise']}. Worse: {listed['worse']}."
    )
    for name in others:
        metrics = ["tail", "balanced_accuracy", "head"]
        if name in results.focus:
            metrics.insert(1, results.focus[name])
        diffs = {m: difference(results, name, m) for m in metrics}
        lead = {
            "better": "helps the tail",
            "worse": "hurts the tail",
            "within noise": "tail change within noise",
        }[verdict(diffs["tail"])]
        body = "; ".join(_phrase(d, m) for m, d in diffs.items())
        out.append(f"{name} vs CE: {lead}: {body}.")
    rows = results.summary()
    for metric in ("balanced_accuracy", "tail"):
        best = max(rows, key=lambda m: rows[m][metric][0])
        tied, below = [], []
        for name in rows:
            if name == best:
                continue
            d = difference(results, name, metric, baseline=best)
            (tied if verdict(d) == "within noise" else below).append(
                f"{name} ({d['mean']:+.3f})"
            )
        out.append(
            f"Best on {_label(metric)}: {best} ({rows[best][metric][0]:.3f}). "
            f"Within noise of it: {', '.join(tied) or 'none'}. "
            f"Clearly below it: {', '.join(below) or 'none'}."
        )
    out.append(
        f"(Differences: method minus reference, mean over {results.n_seeds} "
        "seeds, with a 95% paired bootstrap interval that resamples seeds and "
        "test rows; 'better' or 'worse' when the interval excludes 0, else "
        "'within noise'.)"
    )
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=_positive_int, default=3)
    parser.add_argument("--steps", type=_positive_int, default=250)
    parser.add_argument("--threads", type=_positive_int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = run(args.seeds, steps=args.steps)
    print(describe(results.data))
    print(table(results))
    print(recall_table(results))
    print("Pairwise, balanced accuracy (+ row better, - row worse, . within noise):")
    print(pairwise(results))
    for line in conclusions(results):
        print(line)
    threads = f"{args.threads} thread{'' if args.threads == 1 else 's'}"
    print(f"wall time: {results.wall_s:.1f} s on {threads}")


if __name__ == "__main__":
    main()
