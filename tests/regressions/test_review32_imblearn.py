"""Review 32: rebalance's samplers run through imbalanced-learn's own tests.

imbalanced-learn's test modules and estimator checks, run with rebalance's
RandomUnderSampler, RandomOverSampler, ClassBalancedSampler and
LabelShuffleSampler in place of its own. Each test fails on the code as
reviewed and passes once the bug is fixed.
"""

import numpy as np
import pytest
from numpydoc.docscrape import ClassDoc
from sklearn.utils._param_validation import InvalidParameterError

from rebalance import (
    ClassBalancedSampler,
    LabelShuffleSampler,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    ClassBalancedSampler,
    LabelShuffleSampler,
]


@pytest.mark.parametrize("sampler_cls", SAMPLERS)
def test_documented_attributes_exist_after_fit_resample(sampler_cls):
    # imbalanced-learn's test_fit_docstring_attributes: every documented
    # attribute exists after fit_resample on numpy X, unless its description
    # says it is set "only" in some case. feature_names_in_ (numpy X has no
    # column names) was documented as always there for three samplers.
    rng = np.random.RandomState(2)
    X, y = rng.normal(size=(20, 3)), np.array([0] * 14 + [1] * 6)
    sampler = sampler_cls(random_state=0)
    sampler.fit_resample(X, y)
    attributes = ClassDoc(sampler_cls)["Attributes"]
    missing = [
        attr.name
        for attr in attributes
        if "only " not in " ".join(attr.desc).lower()
        and not hasattr(sampler, attr.name)
    ]
    assert missing == []
    fitted = {k for k in vars(sampler) if k.endswith("_") and not k.startswith("_")}
    assert fitted - {attr.name for attr in attributes} == set()


@pytest.mark.parametrize(
    "sampler_cls, name",
    [
        (RandomUnderSampler, "minority"),
        (RandomOverSampler, "majority"),
        (ClassBalancedSampler, "majority"),
        (LabelShuffleSampler, "majority"),
    ],
)
def test_string_a_sampler_cannot_use_is_an_invalid_parameter_error(sampler_cls, name):
    # imbalanced-learn's samplers refuse these strings in parameter validation
    # (InvalidParameterError, scikit-learn's "The 'sampling_strategy'
    # parameter of ... Got ... instead."); rebalance raised a plain
    # ValueError, which `except InvalidParameterError` did not catch.
    X, y = np.zeros((6, 1)), np.array([0, 0, 0, 0, 1, 1])
    sampler = sampler_cls(sampling_strategy=name)
    with pytest.raises(
        InvalidParameterError,
        match=rf"The 'sampling_strategy' parameter of {sampler_cls.__name__} "
        rf"must be .* Got '{name}' instead.*'{name}' cannot be used with an",
    ):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sampling_strategy_")
