"""Review 50, mutation testing of the core draw: behaviour no test pinned.

Each test here kills mutants of rebalance._indices / _kernels / _strategy /
samplers that survived the existing tests (the mutant is named in the test's
comment). Oracles: exact uniformity at fixed seeds (chi-square), the
independence of classes and of pick blocks, imbalanced-learn's class counts,
and the same draw through every code path.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chisquare

from rebalance import (
    ClassBalancedSampler,
    RandomUnderSampler,
    _indices,
)
from rebalance._labels import encode_labels


def _below_draws(bound: int, n: int, seed: int = 5) -> np.ndarray:
    from rebalance import _kernels

    state, values = np.uint64(seed), []
    for _ in range(n):
        state, value = _kernels._below(np.uint64(state), np.uint64(bound))
        values.append(int(value))
    return np.array(values, dtype=np.uint64)


def test_bounded_draws_below_two_to_the_32_reject_the_biased_low_halves():
    # Mutant: Lemire's rejection dropped. With bound 3 * 2**30 the
    # multiply-shift alone maps two 32-bit inputs to every multiple of 3
    # and one to the other values: P(v % 3 == 0) = 1/2 instead of 1/3.
    values = _below_draws(3 * 2**30, 3000)
    assert int(values.max()) < 3 * 2**30
    residues = np.bincount((values % np.uint64(3)).astype(np.int64), minlength=3)
    assert chisquare(residues).pvalue > 1e-4


def test_bounded_draws_beyond_two_to_the_32_have_uniform_low_bits():
    # Mutant: the mask of a bound beyond 2**32 filled by shifts up to 16 only,
    # leaving its low bits those of the bound (values % 1024 in {0, 16}).
    bound = 3 * 2**40 + 17
    values = _below_draws(bound, 4096)
    assert int(values.max()) < bound
    low = np.bincount((values % np.uint64(64)).astype(np.int64), minlength=64)
    assert chisquare(low).pvalue > 1e-4


def _expected_distinct(n_rows: int, n_picks: int) -> float:
    return n_rows * (1 - (1 - 1 / n_rows) ** n_picks)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("n_add", [3_000, 70_000])
def test_picks_with_replacement_are_independent_across_pick_blocks(shuffle, n_add):
    # Mutants: the picks of a segment drawn block by block (256 picks) from
    # the stream of pick k of the block instead of pick o + k: every block
    # repeated the first one's rows (write_segments only, or every kernel).
    # n_add 3,000: written then shuffled in one pass (or sorted); 70,000:
    # scattered to buckets (or counted).
    n_rows = 5_000
    y = np.array([0] * (n_rows + n_add + 10) + [1] * n_rows)
    labels, _, _ = encode_labels(y)
    drawn = _indices.over_sample_indices(
        labels, np.array([0, n_add]), np.random.default_rng(0), shuffle=shuffle
    )
    copies = np.bincount(drawn, minlength=y.shape[0])
    assert (copies >= 1).all() and copies[y == 0].max() == 1
    picked = copies[y == 1] - 1
    assert picked.sum() == n_add
    distinct = np.count_nonzero(picked)
    expected = _expected_distinct(n_rows, n_add)
    # Standard deviation below sqrt(expected): 6 of them.
    assert abs(distinct - expected) < 6 * np.sqrt(expected)


def test_class_balanced_draw_of_many_classes_is_uniform_over_classes():
    # Mutant: the binary search for the class (more than 17 classes) ends one
    # class short; every class must be drawn equally often (power=0), and
    # each drawn row must be of its class's rows.
    counts = np.arange(1, 41)  # 40 classes of 1 .. 40 rows
    y = np.repeat(np.arange(40), counts)
    indices = (
        ClassBalancedSampler(n_samples=40_000).plan(y).draw(np.random.default_rng(0))
    )
    per_class = np.bincount(y[indices], minlength=40)
    assert per_class.min() > 0
    assert chisquare(per_class).pvalue > 1e-4
    # Within the largest class, every row equally often.
    rows = np.bincount(indices, minlength=y.shape[0])[y == 39]
    assert chisquare(rows).pvalue > 1e-4


def test_classes_drawn_with_replacement_use_independent_streams():
    # Mutants: one random key shared by every class drawn with replacement
    # (under-sampling with replacement, over-sampling): two classes of the
    # same size then pick the same ranks in every draw.
    y = np.array([0] * 40 + [1] * 40 + [2] * 400)
    labels, _, _ = encode_labels(y)
    same_under = same_over = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        kept = _indices.under_sample_indices(
            labels, np.array([40, 40, 400]), rng, replacement=True,
            resampled=np.array([True, True, False]), shuffle=False,
        )  # fmt: skip
        ranks0 = np.sort(kept[y[kept] == 0])
        ranks1 = np.sort(kept[y[kept] == 1]) - 40
        same_under += np.array_equal(ranks0, ranks1)
        added = _indices.over_sample_indices(
            labels, np.array([360, 360, 0]), rng, shuffle=False
        )
        copies = np.bincount(added, minlength=480)
        same_over += np.array_equal(copies[:40], copies[40:80])
    assert same_under == 0 and same_over == 0


def test_class_rows_found_block_by_block_are_the_rows_of_each_class(monkeypatch):
    # Mutant: the rows found in a block of _scan_class_rows not offset by the
    # block's first row (labels of more than 2**20 rows): rows of another
    # class were picked. Small blocks here; the oracle is y itself.
    monkeypatch.setattr(_indices, "_SCAN_BLOCK", 64)
    y = np.random.default_rng(3).integers(0, 3, 1000) ** 2
    labels, _, _ = encode_labels(y)
    counts = np.bincount(y)[[0, 1, 4]]
    n_add = counts.max() - counts
    for shuffle in (True, False):
        drawn = _indices.over_sample_indices(
            labels, n_add, np.random.default_rng(1), shuffle=shuffle
        )
        np.testing.assert_array_equal(
            np.bincount(y[drawn])[[0, 1, 4]], [counts.max()] * 3
        )
        assert (np.bincount(drawn, minlength=1000) >= 1).all()


def test_int32_indices_only_where_every_row_number_fits():
    # Mutant: int32 chosen for up to 2**31 + 1 rows (row 2**31 wraps).
    assert _indices.index_dtype(2**31 - 2, True) == np.int32
    assert _indices.index_dtype(2**31 + 1, True) == np.intp
    assert _indices.index_dtype(2**31 + 2, True) == np.intp
    assert _indices.index_dtype(10, False) == np.intp


def test_class_balanced_report_names_every_class_even_one_not_drawn():
    # Mutant: the drawn counts of a fit_resample counted without minlength:
    # a last class not drawn at all was left out of sampling_strategy_.
    y = np.array([0] * 999 + [1])
    X = np.zeros((1000, 1))
    sampler = ClassBalancedSampler(n_samples=5, power=1.0, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(y_res, minlength=2)
    assert sampler.sampling_strategy_ == {0: int(counts[0]), 1: int(counts[1])}
    assert sampler.sampling_strategy_ == {0: 5, 1: 0}


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_class_balanced_fit_reports_the_expected_rows_rounded(power):
    # Mutants: the expected rows of fit normalised or rounded otherwise. The
    # oracle: n_samples * n_c**power / sum(n_k**power), to the nearest int.
    y = np.repeat([0, 1, 2], [700, 240, 60])
    X = np.zeros((1000, 1))
    sampler = ClassBalancedSampler(n_samples=999, power=power).fit(X, y)
    weights = np.array([700.0, 240.0, 60.0]) ** power
    expected = np.rint(999 * weights / weights.sum()).astype(int)
    assert sampler.sampling_strategy_ == dict(enumerate(expected.tolist()))


_MASK64 = (1 << 64) - 1


def _unmix(z: int) -> int:
    """The inverse of rebalance._kernels._mix (SplitMix64's finaliser)."""
    from rebalance import _kernels

    z ^= (z >> 31) ^ (z >> 62)
    z = (z * pow(int(_kernels._MIX2), -1, 1 << 64)) & _MASK64
    z ^= (z >> 27) ^ (z >> 54)
    z = (z * pow(int(_kernels._MIX1), -1, 1 << 64)) & _MASK64
    z ^= (z >> 30) ^ (z >> 60)
    return z


def test_the_largest_uniform_never_draws_a_class_of_weight_zero():
    # Mutant: the edges after which every weight is 0 left at their rounded
    # cumulative sum, 1 - 2**-53 here, which the largest u equals: that u drew
    # the last class, of weight 0. The key is chosen so that entry 0 of the
    # draw gets that u (SplitMix64 is invertible).
    from rebalance import _kernels

    weights = np.array([0.637, 0.27, 0.041, 0.0])
    edges = _indices._class_edges(weights)
    assert np.cumsum(weights / weights.sum())[2] == 1 - 2**-53
    assert _mix_check(_unmix(_MASK64)) == _MASK64
    key = np.uint64((_unmix(_MASK64) - int(_kernels._GAMMA)) & _MASK64)
    rows = np.arange(8, dtype=np.int64)
    bounds = np.array([0, 2, 4, 6, 8], dtype=np.int64)
    out = np.empty(1, dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, bounds, edges, key, 0, out) == 0
    assert 4 <= out[0] < 6  # class 2, the last one of weight > 0


def _mix_check(z: int) -> int:
    from rebalance import _kernels

    return int(_kernels._mix(np.uint64(z)))


def test_buckets_are_shuffled_independently_of_each_other():
    # Mutant: every bucket of the cache-blocked shuffle Fisher-Yates shuffled
    # from the same stream: buckets of one size got the same permutation. 480
    # buckets of 4: each of the 24 orders equally often.
    from rebalance import _kernels

    out = np.arange(4 * 480, dtype=np.int64)
    bounds = np.arange(0, 4 * 481, 4, dtype=np.int64)
    _kernels.shuffle_buckets(out, bounds, np.uint64(2024), 0, 480)
    runs = out.reshape(480, 4)
    np.testing.assert_array_equal(
        np.sort(runs, axis=1), np.arange(1920).reshape(480, 4)
    )
    orders = np.argsort(runs, axis=1) @ np.array([64, 16, 4, 1])
    counts = np.unique(orders, return_counts=True)[1]
    assert counts.shape[0] == 24
    assert chisquare(counts).pvalue > 1e-4


def test_an_error_in_any_draw_thread_reaches_the_caller():
    # Mutant: errors raised in the threads of a draw (other than the
    # calling one) dropped: the draw returned with that thread's share of
    # the output never written.
    done = []

    def task(t: int) -> None:
        done.append(t)
        if t == 2:
            raise MemoryError("thread 2")

    with pytest.raises(MemoryError, match="thread 2"):
        _indices._in_threads(task, 3)
    assert sorted(done) == [0, 1, 2]


@pytest.mark.parametrize("shuffle", [True, False])
def test_under_sampling_all_with_replacement_bootstraps_the_minority_too(shuffle):
    # Mutants: the classes drawn with replacement taken from the targets only
    # (the mask of the classes the strategy names ignored): with 'all' the
    # minority, at its own count, was kept whole instead of bootstrapped, as
    # imbalanced-learn does (BalancedRandomForestClassifier relies on it).
    from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler

    y = np.array([0] * 500 + [1] * 200)
    X = np.arange(700).reshape(-1, 1)
    for sampler in (
        RandomUnderSampler(
            sampling_strategy="all", replacement=True, shuffle=shuffle, random_state=0
        ),
        ImbUnderSampler(sampling_strategy="all", replacement=True, random_state=0),
    ):
        X_res, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [200, 200]
        for cls in (0, 1):
            rows = X_res[y_res == cls].ravel()
            assert (y[rows] == cls).all()
            n_class = 500 if cls == 0 else 200
            expected = _expected_distinct(n_class, 200)
            assert abs(np.unique(rows).shape[0] - expected) < 6 * np.sqrt(expected)


@pytest.mark.parametrize(
    "kind, strategy",
    [
        ("under", "auto"),
        ("under", "majority"),
        ("over", "auto"),
        ("over", "minority"),
        ("over", "not minority"),
    ],
)
def test_count_ties_of_a_categorical_go_to_the_first_sorted_class(kind, strategy):
    # Mutant: a count tie resolved in category order (the order of a pandas
    # categorical's classes) instead of the sorted order imbalanced-learn
    # uses (np.unique): the other tied class was named minority / majority.
    pd = pytest.importorskip("pandas")
    from imblearn.over_sampling import RandomOverSampler as ImbOverSampler
    from imblearn.under_sampling import RandomUnderSampler as ImbUnderSampler

    from rebalance import RandomOverSampler

    values = ["b"] * 5 + ["a"] * 5 + ["c"] * 20 + ["d"] * 20
    y = pd.Series(pd.Categorical(values, categories=["d", "c", "b", "a"]))
    X = np.zeros((len(values), 1))
    ours, theirs = (
        (RandomUnderSampler, ImbUnderSampler)
        if kind == "under"
        else (RandomOverSampler, ImbOverSampler)
    )
    mine = ours(sampling_strategy=strategy, random_state=0)
    _, y_res = mine.fit_resample(X, y)
    reference = theirs(sampling_strategy=strategy, random_state=0)
    _, y_ref = reference.fit_resample(X, y)
    expected = {k: int(v) for k, v in reference.sampling_strategy_.items()}
    assert dict(sorted(mine.sampling_strategy_.items())) == dict(
        sorted(expected.items())
    )
    assert y_res.value_counts().sort_index().to_dict() == (
        y_ref.value_counts().sort_index().to_dict()
    )


@pytest.mark.parametrize("kind", ["under-sampling", "over-sampling"])
def test_float_strategy_counts_and_ties_match_imbalanced_learn(kind):
    # Mutants: the majority rows kept rounded instead of truncated, and the
    # class resampled on a count tie swapped. Oracle: imbalanced-learn's
    # check_sampling_strategy (which refuses "add 0 rows", where rebalance
    # adds none to the class imbalanced-learn names).
    from imblearn.utils import check_sampling_strategy

    from rebalance._strategy import resolve_targets

    checked = 0
    for n0, n1 in [(10, 40), (40, 10), (7, 9), (20, 20), (33, 33), (13, 100)]:
        y = np.repeat([0, 1], [n0, n1])
        labels, _, _ = encode_labels(y)
        for ratio in (0.35, 0.45, 0.6, 0.7, 0.85, 0.95, 1.0):
            try:
                expected = {
                    int(k): int(v)
                    for k, v in check_sampling_strategy(ratio, y, kind).items()
                }
            except ValueError:
                expected = None
            try:
                _, ours = resolve_targets(ratio, labels, kind)
            except ValueError:
                ours = None
            if expected is None and ours is not None:
                # imbalanced-learn's refusal to add 0 rows: the same class.
                assert kind == "over-sampling" and set(ours.values()) == {0}
                minority = 1 if n0 >= n1 else 0
                assert list(ours) == [minority]
            else:
                assert ours == expected, (n0, n1, ratio)
                checked += expected is not None
    assert checked >= 15


@pytest.mark.parametrize("value, threads", [("1", 1), ("3", 3), ("99", 64)])
def test_thread_count_from_the_environment_is_clamped(value, threads, monkeypatch):
    # Mutant: the thread count not clamped (99 -> 64), or a draw that depends
    # on it. Same draw as with one thread. (0 or a negative count is a
    # ValueError since stop 44: test_review56_lead.)
    monkeypatch.setattr(_indices, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(_indices, "SMALL_SHUFFLE", 64)
    monkeypatch.setenv("REBALANCE_NUM_THREADS", value)
    assert _indices.n_threads() == threads
    plan = RandomUnderSampler().plan(np.repeat([0, 1, 2], [700, 200, 100]))
    drawn = plan.draw(np.random.default_rng(4))
    monkeypatch.setenv("REBALANCE_NUM_THREADS", "1")
    np.testing.assert_array_equal(drawn, plan.draw(np.random.default_rng(4)))


def test_class_weights_whose_sum_overflows_keep_their_ratios():
    # Mutant: finite class weights whose sum overflows (1e308 each) not
    # rescaled: normalised to zeros, every row was drawn from the last class.
    labels, _, _ = encode_labels(np.repeat([0, 1, 2], [50, 30, 20]))
    drawn = _indices.class_balanced_indices(
        labels, 6000, 0.0, np.random.default_rng(0), weights=[1e308, 1e308, 5e307]
    )
    per_class = np.bincount(labels.codes[drawn], minlength=3)
    # Expected 2400, 2400, 1200.
    assert chisquare(per_class, [2400, 2400, 1200]).pvalue > 1e-4
    np.testing.assert_allclose(
        _indices.class_balanced_counts(labels, 6000, 0.0, [1e308, 1e308, 5e307]),
        [2400, 2400, 1200],
    )


def test_a_ratio_just_below_the_current_one_is_refused_by_over_sampling():
    # Mutant: the rows to add computed as int(n_majority * ratio - n_minority),
    # which truncates -0.2 to 0: a ratio below the current one passed as
    # "add 0 rows" instead of the error every lower ratio gets.
    from rebalance import RandomOverSampler

    y = np.repeat([0, 1], [40, 10])  # current ratio 0.25
    X = np.zeros((50, 1))
    for ratio in (0.245, 0.2):  # 40 * ratio = 9.8, 8.0: fewer than 10 rows
        with pytest.raises(ValueError, match="below the current minority/majority"):
            RandomOverSampler(sampling_strategy=ratio).fit_resample(X, y)
    sampler = RandomOverSampler(sampling_strategy=0.25, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [40, 10]
    assert sampler.sampling_strategy_ == {1: 0}


def test_an_over_sampling_count_one_below_the_class_names_the_class():
    # Mutant: a dict count one below the class's rows let through the
    # over-sampling check (then refused later as a negative count, a message
    # that does not say that over-sampling cannot remove rows).
    from imblearn.over_sampling import RandomOverSampler as ImbOverSampler

    from rebalance import RandomOverSampler

    y = np.repeat([0, 1], [40, 10])
    X = np.zeros((50, 1))
    with pytest.raises(ValueError, match="original number of samples"):
        ImbOverSampler(sampling_strategy={1: 9}).fit_resample(X, y)
    with pytest.raises(ValueError, match="which already has 10: over-sampling"):
        RandomOverSampler(sampling_strategy={1: 9}).fit_resample(X, y)


@pytest.mark.parametrize("power", [0.5, 1.0])
def test_class_balanced_mix_interpolates_the_strategy_totals_and_the_counts(power):
    # Mutant: the class weights T_c ** (1 - power) / n_c ** power instead of
    # T_c ** (1 - power) * n_c ** power (the same at power=0 only).
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = np.zeros((1000, 1))
    strategy = {1: 400, 2: 500}  # T = 600, 400, 500
    sampler = ClassBalancedSampler(
        n_samples=3000, power=power, sampling_strategy=strategy, random_state=0
    )
    weights = np.array([600.0, 400.0, 500.0]) ** (1 - power) * (
        np.array([600.0, 300.0, 100.0]) ** power
    )
    expected = 3000 * weights / weights.sum()
    fitted = ClassBalancedSampler(
        n_samples=3000, power=power, sampling_strategy=strategy
    ).fit(X, y)
    assert fitted.sampling_strategy_ == dict(
        enumerate(np.rint(expected).astype(int).tolist())
    )
    _, y_res = sampler.fit_resample(X, y)
    assert chisquare(np.bincount(y_res, minlength=3), expected).pvalue > 1e-4


def test_grouping_rows_refuses_codes_that_overfill_a_class():
    # Mutant: group_rows without its check that a class's rows fit its
    # bounds: codes disagreeing with the counts (three rows of class 0 for
    # two slots) silently overwrote the next class's rows and returned 0.
    from rebalance import _kernels

    codes = np.array([0, 0, 0, 1], dtype=np.int64)
    bounds = np.array([0, 2, 4], dtype=np.int64)
    out = np.full(4, -1, dtype=np.int64)
    assert _kernels.group_rows(codes, bounds, out) == -1
    good = np.array([1, 0, 1, 0], dtype=np.int64)
    assert _kernels.group_rows(good, bounds, out) == 0
    assert out.tolist() == [1, 3, 0, 2]


def test_taking_marked_ranks_refuses_a_mark_past_the_block():
    # Mutant: take_blocks without its check of the bits past a block's last
    # rank: a mark there (bit 12 of a block of 10 ranks) read past the
    # class's rows.
    from rebalance import _kernels

    rows = np.arange(10, 20, dtype=np.int64)
    bounds = np.array([0, 10], dtype=np.int64)
    one = np.ones(1, dtype=np.int64)
    zero = np.zeros(1, dtype=np.int64)

    def take(bits):
        out = np.full(2, -1, dtype=np.int64)
        bitmap = np.array([bits], dtype=np.uint64)
        code = _kernels.take_blocks(
            rows, bounds, bitmap, zero, zero, 10 * one, 2 * one, zero, zero, out, 0, 1
        )
        return code, out.tolist()

    assert take((1 << 0) | (1 << 12)) == (-1, [-1, -1])
    assert take((1 << 0) | (1 << 9)) == (0, [10, 19])


def test_the_smallest_uniform_never_draws_a_leading_class_of_weight_zero():
    # Mutant: class c = #(edges < u) instead of #(edges <= u): u = 0 (key
    # chosen so, as above) drew the first class, of weight 0 (edge 0.0).
    from rebalance import _kernels

    edges = _indices._class_edges(np.array([0.0, 1.0, 1.0]))
    key = np.uint64((_unmix(0) - int(_kernels._GAMMA)) & _MASK64)
    rows = np.arange(6, dtype=np.int64)
    bounds = np.array([0, 2, 4, 6], dtype=np.int64)
    out = np.empty(1, dtype=np.int64)
    assert _kernels.class_balanced_fill(rows, bounds, edges, key, 0, out) == 0
    assert 2 <= out[0] < 4  # class 1, the first one of weight > 0


def test_keys_drawn_together_are_those_drawn_one_by_one():
    # Mutant: _keys drawn from another range than _key: the draws (e.g. the
    # per-class keys of an under-sampling with replacement) were no longer
    # those documented ("as n calls of _key would draw them").
    together = _indices._keys(np.random.default_rng(11), 5)
    rng = np.random.default_rng(11)
    one_by_one = [_indices._key(rng) for _ in range(5)]
    assert together.dtype == np.uint64
    assert together.tolist() == [int(k) for k in one_by_one]
