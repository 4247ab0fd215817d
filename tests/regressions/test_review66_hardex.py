"""Review 66, hardex: hard-example replay, OHEM, datasets and the compare MLP."""

import math

import numpy as np
import pytest

from rebalance.datasets import CharVocabulary, thin_class

torch = pytest.importorskip("torch")

from rebalance.torch import HardExampleSampler, RebalanceSampler  # noqa: E402
from rebalance.torch._compare_model import TorchMLPClassifier  # noqa: E402
from rebalance.torch.losses import ohem_loss  # noqa: E402

# ------------------------------------------------------------ CharVocabulary


@pytest.mark.parametrize("texts", [b"abc", bytearray(b"abc"), memoryview(b"abc")])
def test_char_vocabulary_bytes_text_names_the_bytes_and_decode(texts):
    # Iterated, bytes gave ints: the error said "found 97 (int) at position 0".
    vocab = CharVocabulary().fit(["abc"])
    message = r"got (bytes|bytearray|memoryview)\. Decode it"
    with pytest.raises(TypeError, match=message) as info:
        vocab.transform(texts)
    assert "97" not in str(info.value)


def test_char_vocabulary_list_of_bytes_advises_decoding():
    vocab = CharVocabulary().fit(["abc"])
    message = r"found b'ab' \(bytes\) at position 1.*Decode the texts"
    with pytest.raises(TypeError, match=message):
        vocab.transform(["a", b"ab"])
    # a missing text keeps its own advice
    with pytest.raises(TypeError, match="fill it with ''"):
        vocab.transform(["a", None])


def test_char_vocabulary_non_bmp_empty_and_long_texts():
    vocab = CharVocabulary(max_length=4).fit(["a😀a", "", "b"])
    assert vocab.vocabulary_ == {"a": 2, "b": 3, "😀": 4}
    ids = vocab.transform(["😀a", "", "zz😀b😀", "a" * 1000])
    assert ids.tolist() == [[4, 2, 0, 0], [0, 0, 0, 0], [1, 1, 4, 3], [2, 2, 2, 2]]
    assert vocab.lengths(["😀a", "", "zz😀b😀", "a" * 1000]).tolist() == [2, 0, 4, 4]
    assert vocab.transform([]).shape == (0, 4)


# ------------------------------------------------------- HardExampleSampler


def _sampler(seed=3, **kwargs):
    labels = torch.tensor([0] * 40 + [1] * 10)
    return HardExampleSampler(
        RebalanceSampler(labels, seed=seed, **kwargs), pool_size=5, replay_ratio=0.4
    )


def test_hard_example_replay_is_uniform_over_the_pool_and_exact_in_count():
    sampler = _sampler()
    sampler.update(torch.arange(50), torch.arange(50, dtype=torch.float32))
    assert sorted(sampler.pool_ids.tolist()) == [45, 46, 47, 48, 49]
    n = sampler._epoch_size()
    counts = np.zeros(5)
    for epoch in range(1, 120):
        slots = sampler._replay_slots(epoch, 0, n, 5)
        assert int((slots >= 0).sum()) == round(0.4 * n)
        counts += np.bincount(slots[slots >= 0], minlength=5)
    expected = counts.sum() / 5
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 18.5  # chi-square, 4 degrees of freedom, p = 0.001


def test_hard_example_ranks_slice_the_single_process_epoch():
    full = _sampler()
    full.update(torch.arange(50), torch.arange(50.0))
    full.set_epoch(4)
    whole = list(full)
    parts = []
    for rank in range(3):
        part = _sampler(num_replicas=3, rank=rank)
        part.update(torch.arange(50), torch.arange(50.0))
        part.set_epoch(4)
        parts.append(list(part))
    assert [parts[i % 3][i // 3] for i in range(len(whole))] == whole


def test_hard_example_state_dict_resumes_mid_epoch():
    sampler = _sampler()
    sampler.update(torch.arange(50), torch.arange(50.0))
    sampler.set_epoch(2)
    it = iter(sampler)
    [next(it) for _ in range(20)]
    state = sampler.state_dict()
    rest = list(it)
    restored = _sampler()
    restored.load_state_dict(state)
    assert list(restored) == rest


# ---------------------------------------------------------------- OHEM


def test_ohem_matches_a_hand_computation_with_valid_mask():
    generator = torch.Generator().manual_seed(0)
    for _ in range(30):
        n = int(torch.randint(1, 20, (1,), generator=generator))
        losses = torch.rand(n, generator=generator) * 3
        valid = torch.rand(n, generator=generator) > 0.3
        kept = losses[valid].sort(descending=True).values
        k = math.ceil(0.4 * kept.shape[0])
        expected = kept[:k].mean() if k else torch.tensor(0.0)
        assert torch.allclose(ohem_loss(losses, top_k=0.4, valid=valid), expected)


# ---------------------------------------------------------------- thin_class


def test_thin_class_follows_the_ratio_of_the_largest_other_class():
    y = np.array([0] * 50 + [1] * 30 + [2] * 20)
    X = np.arange(100.0)[:, None]
    _, y_thin = thin_class(X, y, 0.5, minority=0, random_state=0)
    assert np.bincount(y_thin).tolist() == [15, 30, 20]
    a = thin_class(X, y, 0.1, random_state=7)
    b = thin_class(X, y, 0.1, random_state=7)
    assert np.array_equal(a[0], b[0]) and np.bincount(a[1]).tolist() == [50, 30, 5]


# ---------------------------------------------------- the compare MLP model


def test_compare_mlp_sklearn_conventions_with_string_classes():
    from sklearn.base import clone

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0.3, "yes", "no")
    model = TorchMLPClassifier(epochs=2, random_state=0)
    first = clone(model).fit(X, y).predict_proba(X)
    assert np.allclose(first.sum(axis=1), 1.0)
    model.fit(X, y)
    model.fit(X, y)  # fitting twice gives the same network
    assert np.array_equal(model.predict_proba(X), first)
    assert model.classes_.tolist() == ["no", "yes"]
    assert set(model.predict(X)) <= {"no", "yes"}
