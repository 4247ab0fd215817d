"""The model of ``rebalance compare --model mlp``: a small torch MLP as a
scikit-learn classifier, trained with any torch fix.

It lets ``rebalance compare`` put the torch losses and samplers in the same
cross-validated table as the scikit-learn fixes. It serves the comparison
only, so it is private (``rebalance.compare`` imports it from here); the
public names it had, ``rebalance.torch.TorchMLPClassifier`` and
``rebalance.torch.estimators.TorchMLPClassifier``, are deprecated.
"""

from __future__ import annotations

import contextlib
import numbers
import sys

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from rebalance._labels import _missing, missing_labels
from rebalance._validation import RANDOM_STATE_CONSTRAINT, NumberInterval
from rebalance.samplers import ClassBalancedSampler, LabelShuffleSampler
from rebalance.torch._deprecations import warn_deprecated
from rebalance.torch.losses import (
    balanced_softmax_cross_entropy,
    class_weighted_binary_cross_entropy,
    class_weighted_cross_entropy,
    logit_adjusted_cross_entropy,
    margin_cross_entropy,
    sigmoid_focal_loss,
    softmax_focal_loss,
)
from rebalance.torch.samplers import BalancedBatchSampler, RebalanceSampler
from rebalance.weights import class_weights

__all__ = ["TorchMLPClassifier"]

LOSSES = (
    "bce",
    "class-weighted",
    "focal",
    "focal-rescale",
    "margin",
    "logit-adjusted",
    "balanced-softmax",
)
SAMPLERS = ("label-shuffle", "class-balanced", "balanced-batch")


class TorchMLPClassifier(ClassifierMixin, BaseEstimator):
    """MLP classifier (one hidden layer) trained with a rebalance fix.

    Binary targets get one output logit and the sigmoid losses; three or more
    classes get one logit per class and the softmax losses.

    Parameters
    ----------
    loss : {'bce', 'class-weighted', 'focal', 'focal-rescale', 'margin', \
'logit-adjusted', 'balanced-softmax'}, default='bce'
        ``'bce'`` is binary cross-entropy, or softmax cross-entropy for
        multiclass; ``'class-weighted'`` uses
        :func:`rebalance.weights.class_weights`; ``'focal'`` is
        :func:`~rebalance.torch.losses.sigmoid_focal_loss` (alpha 0.25,
        gamma 2), or :func:`~rebalance.torch.losses.softmax_focal_loss`
        (gamma 2) for multiclass; ``'focal-rescale'`` the same with
        ``rescale=True``; ``'margin'`` is
        :func:`~rebalance.torch.losses.margin_cross_entropy` (margin 0.8);
        ``'logit-adjusted'`` trains on logits shifted by log priors and predicts
        with the raw ones (balanced decisions); ``'balanced-softmax'`` is
        :func:`~rebalance.torch.losses.balanced_softmax_cross_entropy` (the
        same shift by log class counts, Ren et al. 2020).
    sampler : {None, 'label-shuffle', 'class-balanced', 'balanced-batch'}, \
default=None
        How batches are drawn: plain shuffling, a
        :class:`~rebalance.torch.RebalanceSampler` with label shuffle or
        class-balanced sampling, or a
        :class:`~rebalance.torch.BalancedBatchSampler` (an equal share of each
        class; ``batch_size`` is rounded down to a multiple of the number of
        classes).
    hidden : int, default=32
        Units of the hidden layer (ReLU).
    epochs : int, default=20
        Passes over the training data (one epoch of the sampler each).
    batch_size : int, default=128
        Rows per mini-batch.
    learning_rate : float, default=3e-3
        Learning rate of the Adam optimiser.
    random_state : int or None, default=None
        Seed of the weight initialisation, the shuffling and the samplers.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    network_ : torch.nn.Module

    Examples
    --------
    >>> import numpy as np
    >>> from rebalance.torch._compare_model import TorchMLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = (rng.random(300) < 0.1).astype(int)
    >>> X = rng.normal(size=(300, 4)) + 2 * y[:, None]
    >>> model = TorchMLPClassifier(loss="focal", epochs=5, random_state=0).fit(X, y)
    >>> model.predict_proba(X).shape
    (300, 2)
    """

    _parameter_constraints: dict = {
        "loss": [StrOptions(set(LOSSES))],
        "sampler": [StrOptions(set(SAMPLERS)), None],
        "hidden": [NumberInterval(numbers.Integral, 1, None, closed="left")],
        "epochs": [NumberInterval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [NumberInterval(numbers.Integral, 2, None, closed="left")],
        "learning_rate": [NumberInterval(numbers.Real, 0, None, closed="neither")],
        "random_state": RANDOM_STATE_CONSTRAINT,
    }

    def __init__(
        self,
        loss="bce",
        sampler=None,
        hidden=32,
        epochs=20,
        batch_size=128,
        learning_rate=3e-3,
        random_state=None,
    ):
        self.loss = loss
        self.sampler = sampler
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _seed(self) -> int:
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(np.random.default_rng(self.random_state).integers(2**31))

    def _loss_function(self, y: np.ndarray, n_classes: int):
        if n_classes > 2:
            return self._softmax_loss(y, n_classes)
        if self.loss == "bce":
            return F.binary_cross_entropy_with_logits
        if self.loss == "class-weighted":
            weights = class_weights(y)
            return lambda z, t: class_weighted_binary_cross_entropy(z, t, weights)
        if self.loss == "focal":
            return sigmoid_focal_loss
        if self.loss == "focal-rescale":
            return lambda z, t: sigmoid_focal_loss(z, t, rescale=True)
        if self.loss == "margin":
            return margin_cross_entropy
        priors = np.bincount(y, minlength=2)
        # Both prior-shift losses equal tau = 1 logit adjustment on two classes.

        def logit_adjusted(z, t):
            two_logits = torch.stack([torch.zeros_like(z), z], dim=1)
            return logit_adjusted_cross_entropy(two_logits, t.long(), priors)

        return logit_adjusted

    def _softmax_loss(self, y: np.ndarray, n_classes: int):
        """The multiclass loss of ``self.loss``, on (N, C) logits."""
        counts = np.bincount(y, minlength=n_classes)
        losses = {
            "bce": F.cross_entropy,
            "focal": softmax_focal_loss,
            "focal-rescale": lambda z, t: softmax_focal_loss(z, t, rescale=True),
            "margin": margin_cross_entropy,
            "logit-adjusted": lambda z, t: logit_adjusted_cross_entropy(z, t, counts),
            "balanced-softmax": lambda z, t: balanced_softmax_cross_entropy(
                z, t, counts
            ),
        }
        if self.loss == "class-weighted":
            weights = class_weights(y)
            return lambda z, t: class_weighted_cross_entropy(z, t, weights)
        return losses[self.loss]

    def _loader(self, data: _Rows, y: np.ndarray, seed: int) -> DataLoader:
        if self.sampler is None:
            generator = torch.Generator().manual_seed(seed)
            return DataLoader(
                data,
                batch_size=self.batch_size,
                shuffle=True,
                generator=generator,
                collate_fn=_as_batch,
            )
        if self.sampler == "balanced-batch":
            # Equal quotas need a multiple of the number of classes; a set too
            # small for one full batch keeps its last, partial walk.
            counts = np.bincount(y)
            n_classes = counts.shape[0]
            batch_size = max(n_classes, self.batch_size - self.batch_size % n_classes)
            full = np.max(counts) >= batch_size // n_classes
            batches = BalancedBatchSampler(y, batch_size, seed=seed, drop_last=full)
            # A generator of its own: DataLoader draws a base seed from
            # torch's global generator every epoch otherwise.
            return DataLoader(
                data,
                batch_sampler=batches,
                generator=torch.Generator().manual_seed(seed),
                collate_fn=_as_batch,
            )
        sampler_cls = {
            "label-shuffle": LabelShuffleSampler,
            "class-balanced": ClassBalancedSampler,
        }[self.sampler]
        sampler = RebalanceSampler(y, sampler_cls(), seed=seed)
        return DataLoader(
            data,
            batch_size=self.batch_size,
            sampler=sampler,
            generator=torch.Generator().manual_seed(seed),
            collate_fn=_as_batch,
        )

    def fit(self, X, y):
        """Train the network on ``(X, y)``; y needs two classes or more.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (converted to float32).
        y : array-like of shape (n_samples,)
            Class labels, two classes or more.

        Returns
        -------
        self : TorchMLPClassifier
            The fitted classifier.
        """
        self._validate_params()
        missing = _missing(y) if y is not None else None
        if missing is not None and missing.ndim == 1 and missing.any():
            raise missing_labels("y", missing)
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        classes, y_codes = np.unique(y, return_inverse=True)
        n_classes = classes.shape[0]
        if n_classes < 2:
            raise ValueError(
                "TorchMLPClassifier needs two classes or more; y has only 1 "
                f"class: {classes.tolist()}."
            )
        # The network draws from its own generator: torch's global one is
        # neither read nor changed (threads fitting at once share nothing).
        # Gradients on whatever the caller's autograd state (a fit under
        # torch.no_grad, torch.inference_mode or set_grad_enabled(False), as
        # in an evaluation block, cannot train otherwise).
        with _on_the_cpu(), torch.inference_mode(False), torch.enable_grad():
            network = self._fit_network(X, y_codes, n_classes)
        # Set once training has succeeded: a failed fit leaves no half-fitted
        # model behind.
        self.classes_, self.network_ = classes, network
        return self

    def _fit_network(
        self, X: np.ndarray, y_codes: np.ndarray, n_classes: int
    ) -> torch.nn.Sequential:
        softmax = n_classes > 2
        seed = self._seed()
        generator = torch.Generator().manual_seed(seed)
        network = torch.nn.Sequential(
            _linear(X.shape[1], self.hidden, generator),
            torch.nn.ReLU(),
            _linear(self.hidden, n_classes if softmax else 1, generator),
        )
        optimiser = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
        loss_function = self._loss_function(y_codes, n_classes)
        targets = y_codes.astype(np.int64 if softmax else np.float32)
        data = _Rows(torch.from_numpy(_writeable(X)), torch.from_numpy(targets))
        loader = self._loader(data, y_codes, seed)
        network.train()
        for _ in range(self.epochs):
            for xb, yb in loader:
                optimiser.zero_grad()
                logits = network(xb)
                loss_function(logits if softmax else logits.squeeze(1), yb).backward()
                optimiser.step()
        network.eval()
        if not all(bool(p.isfinite().all()) for p in network.parameters()):
            # As scikit-learn's MLPClassifier: NaN weights would predict NaN
            # probabilities and the first class for every row.
            raise ValueError(
                "TorchMLPClassifier's training diverged: the network's weights "
                f"are not finite after learning_rate={self.learning_rate!r}. "
                "Pass a smaller learning_rate, or scale the features (e.g. "
                "StandardScaler)."
            )
        return network

    def __sklearn_is_fitted__(self) -> bool:
        # Fitted once a network is trained (a fit that failed after the rows
        # were checked has set n_features_in_ only).
        return hasattr(self, "network_")

    def decision_function(self, X) -> np.ndarray:
        """Compute the network's logits for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        logits : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One logit per row (the positive class's) when binary, else one
            per class.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        with torch.no_grad():
            logits = self.network_(torch.from_numpy(_writeable(X))).numpy()
        return logits.squeeze(1) if logits.shape[1] == 1 else logits

    def predict_proba(self, X) -> np.ndarray:
        """Predict class probabilities (sigmoid when binary, softmax otherwise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in ``classes_`` order; each row sums to 1.
        """
        logits = self.decision_function(X).astype(np.float64)
        if logits.ndim == 2:
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        positive = expit(logits)  # no overflow warning far from the data
        return np.column_stack([1 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """Predict the class of the largest logit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        logits = self.decision_function(X)
        if logits.ndim == 2:
            return self.classes_[logits.argmax(axis=1)]
        return self.classes_[(logits > 0).astype(int)]


def deprecated_public_name(old: str) -> type[TorchMLPClassifier]:
    """``TorchMLPClassifier``, served under its deprecated public name ``old``.

    For the module ``__getattr__`` of ``rebalance.torch`` and
    ``rebalance.torch.estimators``: the warning points at their caller.
    ``from rebalance.torch import TorchMLPClassifier`` looks the name up
    twice (importlib's ``hasattr`` on a package, then the import itself):
    only the second warns, so the statement gives one warning.
    """
    caller = sys._getframe(2).f_code  # 0: here, 1: the module __getattr__
    if caller.co_name == "_handle_fromlist" and "importlib" in caller.co_filename:
        return TorchMLPClassifier
    warn_deprecated(
        old,
        "rebalance compare --model mlp (the classifier is private to it now)",
        stacklevel=3,
    )
    return TorchMLPClassifier


def _on_the_cpu() -> contextlib.AbstractContextManager:
    """A context that trains on the CPU whatever torch's default device
    (``torch.set_default_device('cuda')`` would put the DataLoader's seed
    draws there, beside CPU generators). Entered only when that default is
    not the CPU: ``torch.device`` as a context sets a global of torch."""
    if torch.get_default_device().type == "cpu":
        return contextlib.nullcontext()
    return torch.device("cpu")


class _Rows(TensorDataset):
    """A TensorDataset whose DataLoader takes a batch's rows in one indexing
    (``__getitems__``) instead of one row at a time and a stack: the same
    batches in the same order (the samplers and generators draw as
    before), several times faster on tens of thousands of rows."""

    def __getitems__(self, indices):
        index = torch.as_tensor(indices, dtype=torch.int64, device="cpu")
        return tuple(tensor[index] for tensor in self.tensors)


def _as_batch(batch):
    """The DataLoader's ``collate_fn`` for :class:`_Rows`: the batch is
    already gathered."""
    return batch


def _writeable(values: np.ndarray) -> np.ndarray:
    """``values``, copied when read-only (pandas 3 hands out read-only views:
    torch.from_numpy warns on them) or walked backwards (``X[::-1]``,
    ``np.flip``: torch.from_numpy refuses a negative stride)."""
    if values.flags.writeable and all(step >= 0 for step in values.strides):
        return values
    return values.copy()


def _linear(n_in: int, n_out: int, generator: torch.Generator) -> torch.nn.Linear:
    """``torch.nn.Linear(n_in, n_out)`` with its default initialisation
    (Kaiming-uniform weights, uniform biases within 1/sqrt(n_in)) drawn
    from ``generator`` instead of torch's global generator."""
    # float32 on the CPU whatever torch's defaults (set_default_dtype,
    # set_default_device): the rows are float32 numpy arrays.
    layer = torch.nn.utils.skip_init(
        torch.nn.Linear, n_in, n_out, device="cpu", dtype=torch.float32
    )
    with torch.no_grad():
        torch.nn.init.kaiming_uniform_(layer.weight, a=5**0.5, generator=generator)
        bound = 1 / n_in**0.5 if n_in > 0 else 0.0
        torch.nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer
