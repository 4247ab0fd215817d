"""Review 11: user-facing claims (docstrings, CHANGES) against the code as it is.

Each test first shows what the code does, then asserts that the documentation
says so (or, where stated, that the code does what the documentation says).
They pass once code and documentation agree.
"""

import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer

from rebalance import RandomUnderSampler as RebalanceUnderSampler
from rebalance import ResampledClassifier, ThresholdMover

ROOT = Path(__file__).resolve().parents[2]


def _param_doc(obj, name, section="Parameters"):
    """The numpydoc entry ``name : ...`` of ``obj``'s docstring ``section``."""
    doc = inspect.getdoc(obj)
    start = doc.index(section + "\n")
    lines = doc[start:].splitlines()
    out, inside = [], False
    for line in lines[2:]:
        if re.match(r"^[A-Z][a-z]+( [A-Za-z]+)?$", line):  # next section
            break
        if re.match(r"^\*{0,2}\w+ ?:", line):
            if inside:
                break
            inside = line.startswith(name + " :") or line.startswith(name + ":")
        if inside:
            out.append(line)
    assert out, f"{name} not documented in {obj.__qualname__}.{section}"
    return " ".join(s.strip() for s in out)


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = rng.normal(size=(n, 2)) + y[:, None]
    return X, y


def test_train_priors_auto_doc_covers_imblearn_pipeline_sampler_steps():
    """``train_priors='auto'`` is documented as "the resampled_priors_ of a
    ResampledClassifier ..., else the priors of y in fit". Since today it
    follows the sample_indices_ of an imbalanced-learn pipeline's sampler
    steps (and raises for frozen pipelines / SMOTE with 'prior'): the
    parameter documentation must say so (doc side)."""
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler

    X, y = _data()
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    mover = ThresholdMover(pipe, strategy="prior").fit(X, y)
    y_priors = np.bincount(y) / len(y)
    if np.allclose(mover.train_priors_, y_priors):
        return  # code back to the documented behaviour
    # The code follows the sampler step: balanced priors, not y's.
    np.testing.assert_allclose(mover.train_priors_, [0.5, 0.5])
    text = _param_doc(ThresholdMover, "train_priors")
    assert re.search(
        r"imbalanced-learn pipeline|imblearn\.pipeline|sampler step", text
    ), (
        "ThresholdMover's train_priors='auto' says 'else the priors of y in fit', "
        "but an imbalanced-learn pipeline with a sampler step gets the priors of "
        f"the resampled rows ({mover.train_priors_}, y's are {y_priors}); "
        "document it: " + text
    )


def test_scoring_doc_covers_scorers_with_their_own_pos_label():
    """``scoring`` is documented as "computed on binary labels (1 = the positive
    class ...)"; a scorer made with its own ``pos_label`` is now called on the
    classes themselves (doc side)."""
    rng = np.random.default_rng(0)
    y = np.where(rng.random(300) < 0.2, "cancer", "healthy")
    X = rng.normal(size=(300, 2)) + (y == "cancer")[:, None]
    seen = []

    def metric(y_true, y_pred, pos_label=1):
        seen.append(set(np.unique(y_true).tolist()))
        return f1_score(y_true, y_pred, pos_label=pos_label)

    ThresholdMover(
        LogisticRegression(),
        strategy="tuned",
        scoring=make_scorer(metric, pos_label="cancer"),
        pos_label="cancer",
        cv=2,
        thresholds=5,
    ).fit(X, y)
    if seen[0] == {0, 1}:
        return  # binary labels, as documented
    assert seen[0] == {"cancer", "healthy"}
    text = _param_doc(ThresholdMover, "scoring")
    assert "pos_label" in text, (
        "ThresholdMover's scoring says the metric 'is computed on binary labels "
        "(1 = the positive class ...)', but a make_scorer(..., pos_label='cancer') "
        f"receives the classes {seen[0]}: " + text
    )


def test_fit_doc_covers_the_scorer_as_a_routing_child():
    """Under metadata routing, ``fit(sample_weight=w)`` with a scorer object
    whose request is unset raises ``UnsetMetadataPassedError``, a declined one
    is not weighted, and ``set_score_request(amount=True)`` metadata reaches the
    scorer. ``ThresholdMover.fit``'s documentation says the weights always
    weight the tuned metric, and that routed metadata goes to "the estimator's
    fit and to the cv splitter's split" only; ``set_score_request`` is not
    mentioned anywhere in ThresholdMover's docs (doc side)."""
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y = _data()
    w = np.random.default_rng(1).uniform(0.5, 2, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        mover = ThresholdMover(
            LogisticRegression().set_fit_request(sample_weight=True),
            strategy="tuned",
            scoring=make_scorer(f1_score),
            cv=2,
            thresholds=5,
        )
        with pytest.raises(UnsetMetadataPassedError):
            mover.fit(X, y, sample_weight=w)
    docs = inspect.getdoc(ThresholdMover) + inspect.getdoc(ThresholdMover.fit)
    assert "set_score_request" in docs, (
        "ThresholdMover(strategy='tuned') routes metadata to its scorer (requests "
        "set with set_score_request; unset ones raise UnsetMetadataPassedError), "
        "but neither the class nor fit's documentation says so; fit's "
        "sample_weight entry says the weights weight the tuned metric, and "
        "**fit_params names only the estimator's fit and the splitter."
    )


def test_resampled_priors_doc_covers_class_weight():
    """``ResampledClassifier.resampled_priors_`` is documented as "Class priors
    of the rows the classifier was fitted on (weighted by the resampled
    sample_weight when given)"; the code also weights them by the classifier's
    ``class_weight`` (rightly, for calibration), giving [1/3, 2/3] where the
    rows are 2:1 (doc side)."""
    X, y = _data()
    model = ResampledClassifier(
        RebalanceUnderSampler(sampling_strategy=0.5, random_state=0),
        LogisticRegression(class_weight={0: 1, 1: 4}),
    ).fit(X, y)
    rows = np.bincount(y[model.sampler_.sample_indices_]) / len(
        model.sampler_.sample_indices_
    )
    if np.allclose(model.resampled_priors_, rows):
        return  # the documented row shares
    np.testing.assert_allclose(model.resampled_priors_, [1 / 3, 2 / 3])
    text = _param_doc(ResampledClassifier, "resampled_priors_", "Attributes")
    assert "class_weight" in text, (
        f"resampled_priors_ is {model.resampled_priors_}, the row shares are "
        f"{rows}: the class_weight is applied but not documented: " + text
    )


def test_changes_create_graph_entries_agree_with_the_code():
    """CHANGES.md has two entries on create_graph for the fused focal losses:
    an older one says that *differentiating* the gradient taken with
    create_graph=True raises (the gradient itself comes back), today's says
    taking it raises at once. The code raises at once, so the older entry is
    now false (CHANGES side)."""
    torch = pytest.importorskip("torch")
    from rebalance.torch.losses import sigmoid_focal_loss

    z = torch.randn(4, 3, requires_grad=True)
    t = (torch.rand(4, 3) < 0.3).float()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="second derivative"):
            torch.autograd.grad(sigmoid_focal_loss(z, t), z, create_graph=True)
    changes = (ROOT / "CHANGES.md").read_text()
    stale = [
        line
        for line in changes.splitlines()
        if "create_graph=True" in line and "differentiating that gradient" in line
    ]
    assert not stale, (
        "CHANGES.md says differentiating the create_graph=True gradient raises, "
        "but taking it already raises (and a later entry says so): " + stale[0][:300]
    )
