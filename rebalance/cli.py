"""The ``rebalance`` command.

``rebalance compare`` cross-validates imbalance fixes on a built-in data set (or
``--data FILE --target COLUMN``) and prints a table of imbalance metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import numpy as np

from rebalance.compare import METRICS, MODELS, compare, default_methods
from rebalance.datasets import load_breast_cancer_skewed, load_digits_binary

DATASETS = {
    "digits": ("scikit-learn digits, 8 vs rest", load_digits_binary),
    "breast-cancer": (
        "breast cancer, malignant thinned to 1:20",
        load_breast_cancer_skewed,
    ),
}


def _load_table(path: str, target: str | None):
    """Features (a DataFrame, categorical columns kept) and labels from a file."""
    import pandas as pd

    if target is None:
        raise SystemExit("--data needs --target COLUMN: the column with the labels.")
    try:
        if path.endswith((".parquet", ".pq")):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SystemExit(f"could not read --data {path!r}: {exc}") from exc
    if target not in frame.columns:
        raise SystemExit(
            f"--target {target!r} is not a column of {path}; columns: "
            f"{list(frame.columns)}"
        )
    y = frame.pop(target)
    if y.isna().any():
        raise SystemExit(
            f"--target column {target!r} has {int(y.isna().sum())} missing labels: "
            "drop those rows first."
        )
    if frame.shape[1] == 0:
        raise SystemExit(f"{path} has no feature columns besides the target.")
    return frame, y.to_numpy()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rebalance", description="Class-imbalance fixes, compared."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cmp = commands.add_parser(
        "compare",
        help="cross-validate imbalance fixes and print a table of metrics",
        description="Cross-validate imbalance fixes with a logistic regression and "
        "print ROC AUC, average precision, balanced accuracy, minority F1, G-mean "
        "and accuracy (mean ± std over folds).",
    )
    cmp.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="digits",
        help="built-in data set (default: digits)",
    )
    cmp.add_argument("--data", help="CSV or Parquet file to use instead")
    cmp.add_argument("--target", help="label column of --data")
    cmp.add_argument("--methods", help="comma-separated rows to run (default: all)")
    cmp.add_argument(
        "--model",
        choices=MODELS,
        default="logistic",
        help="base classifier: logistic regression, histogram gradient boosting, or a "
        "small torch MLP compared over the torch losses and samplers",
    )
    cmp.add_argument("--folds", type=int, default=5, help="CV folds (default: 5)")
    cmp.add_argument("--n-jobs", type=int, default=None, help="parallel fits")
    cmp.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    cmp.add_argument(
        "--metric",
        choices=sorted(METRICS),
        default="average_precision",
        help="sort the table by this metric (default: average_precision)",
    )
    cmp.add_argument("--json", dest="json_path", help="write every fold's scores here")
    cmp.add_argument(
        "--plot", help="save PR/ROC curves of the top methods and a bar chart (PNG)"
    )
    return parser


def run_compare(args: argparse.Namespace) -> int:
    if args.data:
        X, y = _load_table(args.data, args.target)
        source = args.data
    else:
        description, loader = DATASETS[args.dataset]
        X, y = loader()
        source = description
    names = None
    if args.methods:
        names = [m.strip() for m in args.methods.split(",") if m.strip()]
    try:
        result = compare(
            X,
            y,
            default_methods(args.model),
            model=args.model,
            folds=args.folds,
            seed=args.seed,
            n_jobs=args.n_jobs,
            method_names=names,
        )
    except ValueError as exc:
        raise SystemExit(f"rebalance compare: {exc}") from exc
    print(
        f"data: {source} — {result.n_samples} rows, {result.n_minority} minority "
        f"(1:{(result.n_samples - result.n_minority) / result.n_minority:.1f}); "
        f"{args.folds}-fold stratified CV, model {args.model}, seed {args.seed}"
    )
    print(result.table(sort_by=args.metric))
    if args.plot:
        result.plot(args.plot, metric=args.metric)
        print(f"plot written to {args.plot}")
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump(
                {
                    "data": source,
                    "folds": args.folds,
                    "model": args.model,
                    "seed": args.seed,
                    "scores": result.scores,
                    "summary": {
                        m: {k: {"mean": v[0], "std": v[1]} for k, v in s.items()}
                        for m, s in result.summary().items()
                    },
                },
                handle,
                indent=2,
            )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rebalance`` command."""
    args = build_parser().parse_args(argv)
    np.seterr(all="ignore")
    if args.command == "compare":
        return run_compare(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
