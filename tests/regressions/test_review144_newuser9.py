"""Review 144, newuser9: a new user's tasks, following README.md and docs/.

Read README.md and docs/ (user_guide.md includes the README) and solved
realistic tasks offline: breast cancer as a pandas frame (fresh index,
stratified train_test_split index), digits made one-vs-rest (int and string
labels), ``make_classification(weights=[0.97, 0.03])``, a hand-made
imbalanced text set through ``TfidfVectorizer`` (CSR X, shrinkage on CSR,
sampler before the vectorizer in an imbalanced-learn Pipeline);
ColumnTransformer with a categorical column inside an imbalanced-learn
Pipeline and inside ResampledClassifier, GridSearchCV over the sampler's
``sampling_strategy``, ``cross_val_score(scoring='balanced_accuracy')``,
ThresholdMover ('tuned', 'prior' with ``deploy_priors='train'``) around a
resampled classifier, class_weights into LogisticRegression, and a torch MLP
trained through ``TensorBatchLoader`` + ``RebalanceSampler`` with
``SigmoidFocalLoss``. The README's printed outputs (``[449 449] {1: 0.5}``,
the polars schema) hold.

New-user mistakes checked, all with clear messages naming the fix: sampler
in a scikit-learn Pipeline, sampler passed unwrapped to a DataLoader,
labels shuffled apart from X, continuous / NaN / 2-column / column-name
targets, X and y swapped, one class only, 'minority' for an under-sampler,
shrinkage with a categorical column, sample_weight in an imblearn Pipeline,
focal loss target of the wrong shape, float targets in the softmax focal
loss. ``fit_resample`` on a test set and a missing ``random_state`` cannot be
detected (nothing in the docs promises it).

Found: no bugs. The tests below pin the messages and recipes a new user
meets first (the DataLoader message is left unpinned: importing torch
alone takes most of this file's time budget).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from rebalance import RandomOverSampler, RandomUnderSampler, ResampledClassifier


def _churn_frame(n=300):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "city": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "income": rng.normal(size=n),
        }
    )
    y = pd.Series((rng.random(n) < 0.1).astype(int), name="churn")
    X["income"] += y
    return X, y


def test_sampler_in_sklearn_pipeline_names_the_fix():
    X, y = _churn_frame()
    pipe = Pipeline([("s", RandomUnderSampler()), ("lr", LogisticRegression())])
    with pytest.raises(TypeError, match="ResampledClassifier"):
        pipe.fit(X[["income"]], y)


def test_labels_shuffled_apart_from_frame_name_the_fix():
    X, y = _churn_frame()
    Xs = X.sample(frac=1, random_state=0)
    with pytest.raises(ValueError, match=r"y\.loc\[X\.index\]"):
        RandomUnderSampler(random_state=0).fit_resample(Xs, y)


def test_column_transformer_frame_cross_val_balanced_accuracy():
    X, y = _churn_frame()
    ct = ColumnTransformer(
        [
            ("cat", OneHotEncoder(), ["city"]),
            ("num", StandardScaler(), ["age", "income"]),
        ]
    )
    model = ResampledClassifier(
        RandomUnderSampler(random_state=0), make_pipeline(ct, LogisticRegression())
    )
    scores = cross_val_score(model, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,) and scores.min() > 0.5


def test_tfidf_csr_oversampled_stays_sparse_with_balanced_classes():
    texts = ["great product", "love it", "broke fast", "fine ok", "works well"] * 4
    y = np.array([0, 0, 1, 0, 0] * 4)
    V = TfidfVectorizer().fit_transform(texts)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(V, y)
    assert X_res.format == "csr" and X_res.shape == (32, V.shape[1])
    assert np.bincount(y_res).tolist() == [16, 16]
