"""Su Jianlin's length-extrapolation techniques: rope_viz.extrapolation, the NTK-RoPE-mixed rule,
the tiny model's switches and the extrapolation race.

The oracle is the posts, not our code. Every expected value is written from the formula of the
post (kexue.fm/archives/NNNN; full texts in /work/shared/sources/kexue/NNNN.md, line numbers
``l.`` below refer to those files) and computed here with plain numpy, never by calling the
function under test. The symbols follow the package: 0-based positions, query i, key j,
distance i − j, L (or N) the training length in tokens, RoPE pairs (p, p + d/2) ("half").

Run with ``pytest tests/test_extrapolation.py`` (tiny models, a few optimizer steps: seconds).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from conftest import assert_close

from rope_viz import (
    apply_rope,
    leaky_rerope_relative_positions,
    rerope_relative_positions,
    scaled_frequencies,
)
from rope_viz.experiments import (
    RACE_ENCODINGS,
    TECHNIQUES,
    ExperimentSettings,
    ShootoutResult,
    load_result,
    run_shootout,
    save_result,
    sequence_tokens,
    technique_changes,
    technique_parameters,
    train_model,
)
from rope_viz.extrapolation import key_norm, logn_scale, rerope_scores, rope_scores_at, window_mask
from rope_viz.tiny_model import TinyConfig, TinyTransformer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------------------------------
# numpy oracles
# ---------------------------------------------------------------------------------------------


def _theta(d: int, base: float = 10000.0) -> np.ndarray:
    """RoPE's θ_p = base^(−2p/d), p = 0..d/2−1 (8265; 9948 l.145-146)."""
    return base ** (-2.0 * np.arange(d // 2) / d)


def _rotate(x: np.ndarray, positions, theta: np.ndarray) -> np.ndarray:
    """R^t x for row t of x (..., T, d): pair p = dims (p, p + d/2) turned by +t·θ_p."""
    h = x.shape[-1] // 2
    angle = np.asarray(positions, dtype=np.float64)[:, None] * theta[None, :]  # (T, d/2)
    a, b = x[..., :h], x[..., h:]
    return np.concatenate([a * np.cos(angle) - b * np.sin(angle),
                           a * np.sin(angle) + b * np.cos(angle)], axis=-1)


def _distance(T: int) -> np.ndarray:
    """(T, T) i − j."""
    return np.subtract.outer(np.arange(T), np.arange(T)).astype(np.float64)


def _qk(shape=(2, 12, 8), seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64),
            torch.randn(*shape, generator=g, dtype=torch.float64))


# ---------------------------------------------------------------------------------------------
# 1. log n scale (8823, 9444, 9706, 9948)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("L", [2, 8, 16, 512])
def test_logn_clip_is_max_of_one_and_log_base_L_of_n(L):
    T = 3 * L + 5
    n = np.arange(T) + 1.0  # n = position id + 1 (9948 l.172, 9859 l.39's convention)
    # 9706 l.108: max(1, log_maxlen n); 9948 l.172: λ_n = max(1, log n / log L_train)
    expected = np.maximum(1.0, np.log(n) / np.log(L))
    assert_close(logn_scale(T, L), expected, rtol=1e-13, atol=0)
    assert_close(logn_scale(T, L, clip=True), expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("L", [2, 7, 16])
def test_logn_clip_is_exactly_one_up_to_the_training_length(L):
    # 9706 l.109 / 9948 l.175: log n† changes nothing at n <= maxlen (no extrapolation tax)
    scale = logn_scale(4 * L, L)
    n = np.arange(4 * L) + 1
    assert np.all(scale[n <= L] == 1.0)
    assert np.all(scale[n > L] > 1.0)


@pytest.mark.parametrize("L", [2, 8, 512])
def test_logn_unclipped_is_log_base_L_of_n(L):
    T = 2 * L
    n = np.arange(T) + 1.0
    # 9444 l.33-34: softmax(log_m n / sqrt(d) · QKᵀ), m the training length, n the length
    expected = np.log(n) / np.log(L)
    assert_close(logn_scale(T, L, clip=False), expected, rtol=1e-13, atol=1e-15)
    assert logn_scale(T, L, clip=False)[0] == 0.0  # log_L 1 = 0
    assert logn_scale(T, L, clip=False)[L - 1] == pytest.approx(1.0, abs=1e-14)  # n = m


@pytest.mark.parametrize(("kwargs", "kind", "name"), [
    ({"length": 0, "train_length": 4}, ValueError, r"^length"),
    ({"length": 2.5, "train_length": 4}, TypeError, r"^length"),
    ({"length": 4, "train_length": 1}, ValueError, r"^train_length"),
    ({"length": 4, "train_length": 3.0}, TypeError, r"^train_length"),
    ({"length": 4, "train_length": 4, "clip": "yes"}, TypeError, r"^clip"),
])
def test_logn_bad_arguments_name_themselves(kwargs, kind, name):
    with pytest.raises(kind, match=name):
        logn_scale(**kwargs)


# ---------------------------------------------------------------------------------------------
# 2. window mask (9431, 9603)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("T", "w"), [(1, 1), (6, 1), (9, 3), (12, 5), (10, 9)])
def test_window_mask_is_true_exactly_within_w_tokens_including_itself(T, w):
    mask = window_mask(T, w)
    D = _distance(T)
    # 9603 l.43: receptive field (w−1)·L + 1 after L layers => one layer sees w tokens, itself
    # included; 9431 l.57: each token sees (at most) a training length of tokens
    expected = (D >= 0) & (D <= w - 1)
    assert mask.dtype == bool and mask.shape == (T, T)
    np.testing.assert_array_equal(mask, expected)
    np.testing.assert_array_equal(mask.sum(axis=1), np.minimum(np.arange(T) + 1, w))


@pytest.mark.parametrize(("T", "w"), [(5, 5), (5, 6), (7, 100)])
def test_window_at_least_T_is_the_causal_mask(T, w):
    # 9431 (digest §1.5): for T <= L the window is the plain causal mask
    np.testing.assert_array_equal(window_mask(T, w), np.tril(np.ones((T, T), dtype=bool)))


@pytest.mark.parametrize(("kwargs", "kind", "name"), [
    ({"length": 0, "window": 2}, ValueError, r"^length"),
    ({"length": 4, "window": 0}, ValueError, r"^window"),
    ({"length": 4, "window": 1.5}, TypeError, r"^window"),
])
def test_window_mask_bad_arguments_name_themselves(kwargs, kind, name):
    with pytest.raises(kind, match=name):
        window_mask(**kwargs)


# ---------------------------------------------------------------------------------------------
# 3. KeyNorm (9859)
# ---------------------------------------------------------------------------------------------


def test_key_norm_rows_have_unit_length():
    _, k = _qk((3, 2, 7, 8))
    kn = key_norm(k).numpy()
    expected = k.numpy() / np.linalg.norm(k.numpy(), axis=-1, keepdims=True)
    assert_close(kn, expected, rtol=1e-13, atol=1e-15)
    assert_close(np.linalg.norm(kn, axis=-1), np.ones((3, 2, 7)), rtol=1e-13, atol=0)


def test_key_norm_logits_ignore_the_length_of_a_key():
    # 9859: KNA's logit q·k/‖k‖ = ‖q‖ cos(q, k); a key's length no longer counts
    q, k = _qk((6, 8))
    scaled = k.clone()
    scaled[2] *= 37.5
    scaled[4] *= 0.01
    before = (q @ key_norm(k).T).numpy()
    after = (q @ key_norm(scaled).T).numpy()
    assert_close(after, before, rtol=1e-12, atol=1e-13)
    # and the value is ‖q‖ cos(q, k) computed directly
    qn, kn = q.numpy(), k.numpy()
    cos = (qn @ kn.T) / np.outer(np.linalg.norm(qn, axis=1), np.linalg.norm(kn, axis=1))
    assert_close(before, np.linalg.norm(qn, axis=1)[:, None] * cos, rtol=1e-12, atol=1e-13)


def test_key_norm_before_or_after_rope_gives_the_same_logits():
    # 9859: RoPE is a rotation, it keeps ‖k‖, so KeyNorm commutes with it
    q, k = _qk((2, 10, 8))
    T = 10
    q_rot = apply_rope(q, T, pairing="half")
    before = q_rot @ apply_rope(key_norm(k), T, pairing="half").transpose(-2, -1)
    after = q_rot @ key_norm(apply_rope(k, T, pairing="half")).transpose(-2, -1)
    assert_close(after, before, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("bad", [np.ones((3, 4)), torch.ones(4, dtype=torch.long),
                                 torch.ones(4, 4, dtype=torch.long)])
def test_key_norm_refuses_non_float_tensors(bad):
    with pytest.raises(TypeError, match="keys"):
        key_norm(bad)


# ---------------------------------------------------------------------------------------------
# 4. RoPE at any distance, ReRoPE and Leaky ReRoPE (9708), inverse Leaky ReRoPE (9728)
# ---------------------------------------------------------------------------------------------


def test_rope_scores_at_plain_distances_is_rope():
    q, k = _qk((2, 12, 8))
    T, theta = 12, _theta(8)
    got = rope_scores_at(q, k, _distance(T))
    # (R^i q_i)·(R^j k_j) (9948 l.145), via the package's apply_rope ...
    via_apply = apply_rope(q, T, pairing="half") @ apply_rope(k, T, pairing="half").transpose(-2, -1)
    assert_close(got, via_apply, rtol=0, atol=1e-10)
    # ... and via the numpy rotation
    pos = np.arange(T)
    oracle = _rotate(q.numpy(), pos, theta) @ np.swapaxes(_rotate(k.numpy(), pos, theta), -1, -2)
    assert_close(got, oracle, rtol=0, atol=1e-10)
    assert got.dtype == torch.float64


def _rerope_distance(T: int, w: int) -> np.ndarray:
    """9708, the ReRoPE matrix: min(i − j, w) (the lower triangle)."""
    return np.minimum(_distance(T), w)


def _leaky_distance(T: int, w: int, k: float) -> np.ndarray:
    """9708 l.60-70, the Leaky ReRoPE matrix: i − j below w, w + (i − j − w)/k from w on."""
    D = _distance(T)
    return np.where(D < w, D, w + (D - w) / k)


@pytest.mark.parametrize(("T", "w"), [(12, 4), (12, 1), (9, 8)])
def test_rerope_scores_are_rope_at_min_distance_w(T, w):
    q, k = _qk((2, T, 8), seed=T + w)
    D = _rerope_distance(T, w)
    expected = np.tril(rope_scores_at(q, k, D).numpy())
    assert_close(np.tril(rerope_scores(q, k, w).numpy()), expected, rtol=0, atol=1e-10)
    # the package's distance matrix is the post's on the causal part
    np.testing.assert_array_equal(np.tril(rerope_relative_positions(T, w)), np.tril(D))


@pytest.mark.parametrize(("w", "k"), [(4, 16.0), (4, 4.0), (3, 2.0), (2, 1.0 / 16)])
def test_leaky_rerope_scores_are_rope_at_the_posts_leaky_distance(w, k):
    # k = 16 and 4: Leaky ReRoPE (9708); k = 1/16: inverse Leaky ReRoPE, stretched (9728)
    T = 12
    q, k_ = _qk((2, T, 8), seed=int(10 * w + k))
    D = _leaky_distance(T, w, k)
    expected = np.tril(rope_scores_at(q, k_, D).numpy())
    assert_close(np.tril(rerope_scores(q, k_, w, k).numpy()), expected, rtol=0, atol=1e-10)
    assert_close(np.tril(leaky_rerope_relative_positions(T, w, k)), np.tril(D), rtol=1e-14, atol=0)


@pytest.mark.parametrize("k", [math.inf, 16.0, 1.0 / 16])
@pytest.mark.parametrize(("T", "w"), [(6, 6), (5, 8)])
def test_rerope_inside_the_window_is_plain_rope(T, w, k):
    # every distance i − j < w: ReRoPE and Leaky ReRoPE are RoPE (9708: red part of the matrix)
    q, k_ = _qk((2, T, 8), seed=3)
    plain = apply_rope(q, T, pairing="half") @ apply_rope(k_, T, pairing="half").transpose(-2, -1)
    assert_close(rerope_scores(q, k_, w, k), plain, rtol=0, atol=1e-10)


@pytest.mark.parametrize("k", [math.inf, 16.0, 4.0, 1.0 / 16])
def test_rerope_scores_are_the_posts_two_passes(k):
    # 9708 l.97-104: a¹_ij = (R^i q_i)·(R^j k_j);
    #   Leaky: a²_ij = (R^((i−w)/k+w) q_i)·(R^(j/k) k_j);  ReRoPE: a²_ij = (R^w q_i)·k_j;
    #   a_ij = a¹ for i − j < w, a² for i − j >= w
    T, w, d = 11, 3, 8
    q, k_ = _qk((T, d), seed=7)
    qn, kn, theta, pos = q.numpy(), k_.numpy(), _theta(d), np.arange(T, dtype=np.float64)
    a1 = _rotate(qn, pos, theta) @ _rotate(kn, pos, theta).T
    if k == math.inf:
        a2 = _rotate(qn, np.full(T, float(w)), theta) @ kn.T
    else:
        a2 = _rotate(qn, (pos - w) / k + w, theta) @ _rotate(kn, pos / k, theta).T
    expected = np.where(_distance(T) < w, a1, a2)
    assert_close(rerope_scores(q, k_, w, k), expected, rtol=0, atol=1e-10)


def test_leaky_rerope_with_k_1_is_plain_rope():
    # 9948 (digest §8): k = 1 recovers plain RoPE (w + (i − j − w)/1 = i − j)
    T = 10
    q, k = _qk((2, T, 8), seed=5)
    plain = apply_rope(q, T, pairing="half") @ apply_rope(k, T, pairing="half").transpose(-2, -1)
    assert_close(rerope_scores(q, k, 3, 1.0), plain, rtol=0, atol=1e-10)


def test_rerope_scores_bad_arguments_name_themselves():
    q, k = _qk((4, 8))
    with pytest.raises(ValueError, match="window"):
        rerope_scores(q, k, 0)
    with pytest.raises(ValueError, match=r"^k"):
        rerope_scores(q, k, 2, -1.0)
    with pytest.raises(TypeError, match="queries"):
        rerope_scores(q.numpy(), k, 2)
    with pytest.raises(ValueError, match="keys"):
        rerope_scores(q, k[:3], 2)
    with pytest.raises(ValueError, match="distances"):
        rope_scores_at(q, k, np.zeros((3, 4)))


# ---------------------------------------------------------------------------------------------
# 5. NTK-RoPE-mixed (9706 l.75-82)
# ---------------------------------------------------------------------------------------------


def _ntk_mixed(d: int, k: float, b: float, base: float = 10000.0) -> np.ndarray:
    """9706 l.75-81: θ_m = n/(β^(m−1) λ_1…λ_m), λ_1…λ_m = exp(a m^b), a (d/2)^b = ln k."""
    m = np.arange(1, d // 2 + 1, dtype=np.float64)
    a = np.log(k) / (d / 2) ** b
    return base ** (-2.0 * (m - 1) / d) / np.exp(a * m ** b)


@pytest.mark.parametrize(("d", "k", "b"), [(8, 8.0, 0.625), (64, 8.0, 0.625), (16, 3.5, 0.3),
                                           (128, 12.0, 0.75), (8, 1.0, 0.625)])
def test_ntk_mixed_is_the_posts_formula(d, k, b):
    inv_freq, attention_factor = scaled_frequencies(d, 10000.0, "ntk-mixed", factor=k, b=b)
    assert_close(inv_freq, _ntk_mixed(d, k, b), rtol=1e-12, atol=0)
    assert attention_factor == 1.0


def test_ntk_mixed_default_b_is_0_625():
    # 9706 l.82: b = 0.625 found by bisection
    assert_close(scaled_frequencies(8, 10000.0, "ntk-mixed", factor=8.0)[0],
                 _ntk_mixed(8, 8.0, 0.625), rtol=1e-12, atol=0)


def test_ntk_mixed_reproduces_the_posts_worked_table():
    # 9706 (digest §2.2): d = 8, k = 8, divisors of inv_freq per pair m = 1..4
    d, k = 8, 8.0
    plain = _theta(d)
    table = {
        "old": [1.0, 1.68, 2.83, 4.76],  # base·k
        "fixed": [1.68, 2.83, 4.76, 8.0],
        "mixed": [2.40, 3.85, 5.68, 8.0],
    }
    # the table itself, from the post's formulas (old: (base·k)^(−2(m−1)/d); fixed: λ^m)
    lam = k ** (2 / d)
    m = np.arange(1, d // 2 + 1)
    assert np.all(np.abs(plain / (10000.0 * k) ** (-2.0 * (m - 1) / d) - table["old"]) < 0.005)
    assert np.all(np.abs(lam ** m - table["fixed"]) < 0.005)
    mixed = plain / scaled_frequencies(d, 10000.0, "ntk-mixed", factor=k, b=0.625)[0]
    assert np.all(np.abs(mixed - table["mixed"]) < 0.005), mixed
    fixed = plain / scaled_frequencies(d, 10000.0, "ntk-mixed", factor=k, b=1.0)[0]
    assert np.all(np.abs(fixed - table["fixed"]) < 0.005), fixed


@pytest.mark.parametrize(("d", "k"), [(8, 8.0), (32, 4.0), (128, 16.0)])
def test_ntk_mixed_b1_is_fixed_and_b0_is_position_interpolation(d, k):
    base = 10000.0
    beta, lam = base ** (2 / d), k ** (2 / d)
    m = np.arange(1, d // 2 + 1, dtype=np.float64)
    # 9706 l.45-49, NTK-RoPE-fixed: θ_m = n / (λ (βλ)^(m−1)), λ = k^(2/d); l.80: b = 1 is it
    fixed = 1.0 / (lam * (beta * lam) ** (m - 1))
    assert_close(scaled_frequencies(d, base, "ntk-mixed", factor=k, b=1.0)[0], fixed,
                 rtol=1e-12, atol=0)
    # l.80: b = 0 is position interpolation, every pair divided by k
    assert_close(scaled_frequencies(d, base, "ntk-mixed", factor=k, b=0.0)[0], _theta(d) / k,
                 rtol=1e-12, atol=0)


@pytest.mark.parametrize("b", [0.0, 0.3, 0.625, 1.0])
@pytest.mark.parametrize(("d", "k"), [(8, 8.0), (64, 5.0)])
def test_ntk_mixed_slowest_pair_divided_by_k_and_lambdas_decrease(d, k, b):
    inv_freq = scaled_frequencies(d, 10000.0, "ntk-mixed", factor=k, b=b)[0]
    divisor = _theta(d) / inv_freq  # λ_1 λ_2 … λ_m
    # 9706 l.77: λ_1 … λ_{d/2} = k
    assert divisor[-1] == pytest.approx(k, rel=1e-12)
    lam = divisor / np.concatenate([[1.0], divisor[:-1]])
    m = np.arange(1, d // 2 + 1, dtype=np.float64)
    a = np.log(k) / (d / 2) ** b
    # λ_m = exp(a(m^b − (m−1)^b)) for m >= 2, and λ_1 = exp(a) (the empty product is 1, even
    # at b = 0 where the post's λ_1 = k: 9706 l.80)
    expected = np.exp(a * (m ** b - np.where(m > 1, (m - 1) ** b, 0.0)))
    assert_close(lam, expected, rtol=1e-11, atol=0)
    # l.77: λ_1 >= λ_2 >= … >= λ_{d/2} >= 1
    assert np.all(np.diff(lam) <= 1e-12)
    assert np.all(lam >= 1.0 - 1e-12)


@pytest.mark.parametrize(("params", "name"), [
    ({"factor": 8.0, "b": 1.5}, r"^b must"),
    ({"factor": 8.0, "b": -0.1}, r"^b must"),
    ({"factor": 0.5}, r"^factor"),
])
def test_ntk_mixed_bad_parameters_name_themselves(params, name):
    with pytest.raises(ValueError, match=name):
        scaled_frequencies(8, 10000.0, "ntk-mixed", **params)


# ---------------------------------------------------------------------------------------------
# 6. the tiny model's switches
# ---------------------------------------------------------------------------------------------


def _model(seed=0, **fields) -> TinyTransformer:
    config = {"vocab_size": 12, "n_layer": 2, "num_heads": 2, "d_model": 16, **fields}
    torch.manual_seed(seed)
    model = TinyTransformer(TinyConfig(**config)).double().eval()
    # biases start at 0: give every parameter some size so that no path is silent
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model


def _tokens(T: int, seed=1, vocab=12) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (2, T), generator=g)


def _changed(idx: torch.Tensor, j: int, vocab=12) -> torch.Tensor:
    out = idx.clone()
    out[:, j] = (out[:, j] + 1) % vocab
    return out


TINY = ExperimentSettings(train_length=8, n_symbols=8, lookback=3, n_layer=2, num_heads=2,
                          d_model=16, steps=3, probe_steps=3, batch_size=8, eval_batches=1,
                          seeds=(0,), eval_multiples=(1, 2))


def test_nobias_keeps_the_q_and_k_bias_at_zero_through_training():
    # 9577's "w/o bias" arm: no bias on the q and k projections; v keeps its bias
    model, losses = train_model("nobias", "lookback", TINY, steps=3)
    assert np.all(np.isfinite(losses))
    C = TINY.d_model
    for block in model.blocks:
        bias = block.attn.qkv.bias.detach()
        assert torch.all(bias[:2 * C] == 0.0)
        assert torch.any(bias[2 * C:] != 0.0)
    with_bias, _ = train_model("rope", "lookback", TINY, steps=3)
    for block in with_bias.blocks:
        assert torch.any(block.attn.qkv.bias.detach()[:2 * C] != 0.0)


@pytest.mark.parametrize("w", [2, 3])
def test_window_kwarg_limits_the_two_layer_receptive_field(w):
    # 9431: every layer sees w tokens (itself included); stacked, 9603 l.43: (w − 1)·2 + 1
    model, T = _model(), 14
    idx = _tokens(T)
    with torch.no_grad():
        base = model(idx, window=w)
        reach = 2 * (w - 1)  # the largest i − j that still matters
        for j in range(T):
            logits = model(_changed(idx, j), window=w)
            for i in range(T):
                same = torch.equal(logits[:, i], base[:, i])
                if i < j or i - j > reach:
                    assert same, (i, j)
                elif i - j == reach:  # the far edge of the field is still seen
                    assert not same, (i, j)


@pytest.mark.parametrize("w", [10, 11, 40])
def test_window_kwarg_at_least_T_changes_nothing(w):
    model, idx = _model(), _tokens(10)
    with torch.no_grad():
        assert torch.equal(model(idx, window=w), model(idx))


def test_logn_kwarg_changes_nothing_up_to_L():
    # 9706 l.109: log n† is the identity up to maxlen
    model, idx = _model(), _tokens(8)
    with torch.no_grad():
        plain = model(idx)
        for L in (8, 9, 20):
            assert torch.equal(model(idx, logn=L), plain)


def test_logn_kwarg_past_L_changes_only_positions_past_L():
    model, idx, L = _model(), _tokens(13), 6
    with torch.no_grad():
        plain, scaled = model(idx), model(idx, logn=L)
    # positions with i + 1 <= L keep the factor 1, and a causal model never sees later ones
    assert torch.equal(scaled[:, :L], plain[:, :L])
    for i in range(L, 13):
        assert not torch.equal(scaled[:, i], plain[:, i]), i


def test_logn_factor_follows_the_model_dtype():
    """The cached factor is keyed by dtype too: a float32 call, then .double(), uses float64."""
    model = _model().float()
    fresh = _model().float().double()  # the same (float32-rounded) weights, never run in float32
    idx = _tokens(14)
    with torch.no_grad():
        model(idx, logn=4)  # caches the factor in float32
        model.double()
        assert_close(model(idx, logn=4), fresh(idx, logn=4), rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", [None, 16.0, 0.0625])
@pytest.mark.parametrize(("T", "w"), [(6, 6), (6, 9)])
def test_rerope_kwarg_inside_the_window_is_the_plain_forward(T, w, k):
    model, idx = _model(), _tokens(T)
    rerope = {"window": w} if k is None else {"window": w, "k": k}
    with torch.no_grad():
        assert_close(model(idx, rerope=rerope), model(idx), rtol=0, atol=1e-6)


def test_rerope_kwarg_past_the_window_changes_the_model():
    model, idx = _model(), _tokens(12)
    with torch.no_grad():
        plain, rerope = model(idx), model(idx, rerope={"window": 3})
    # queries i <= w − 1 have every distance i − j < w: only later ones change
    assert_close(rerope[:, :3], plain[:, :3], rtol=0, atol=1e-10)
    assert not torch.allclose(rerope[:, 3:], plain[:, 3:])


@pytest.mark.parametrize("w", [2, 4])
def test_hwfa_window_layer_sees_only_the_last_w_tokens(w):
    # 9603 l.57: the first L − 1 layers are window attention with window w
    model, T = _model(window=w), 12
    idx = _tokens(T)
    outputs = []
    hook = model.blocks[0].register_forward_hook(lambda m, args, out: outputs.append(out.clone()))
    try:
        with torch.no_grad():
            model(idx)
            for j in range(T):
                model(_changed(idx, j))
    finally:
        hook.remove()
    base = outputs[0]
    for j, out in enumerate(outputs[1:]):
        for i in range(T):
            same = torch.equal(out[:, i], base[:, i])
            if 0 <= i - j <= w - 1:  # tokens i − w + 1 .. i
                assert not same, (i, j)
            else:
                assert same, (i, j)


def test_hwfa_last_layer_is_full_attention():
    # 9603 l.59: the last layer is full attention; it sees the first token from the end
    model, T = _model(window=2), 12
    idx = _tokens(T)
    with torch.no_grad():
        base, changed = model(idx), model(_changed(idx, 0))
    assert not torch.equal(base[:, -1], changed[:, -1])


def test_nope_last_layer_calls_the_last_attention_without_rope():
    # 9603 l.59: "第L层 ... 不使用RoPE" (the last layer has no RoPE)
    model, other = _model(nope_last_layer=True), _model(nope_last_layer=False)
    other.load_state_dict(model.state_dict())
    seen = {}

    def recorder(layer):
        def hook(module, args, kwargs):
            rope = args[2] if len(args) > 2 else kwargs.get("rope")
            seen[layer] = rope
        return hook

    handles = [block.attn.register_forward_pre_hook(recorder(n), with_kwargs=True)
               for n, block in enumerate(model.blocks)]
    idx = _tokens(9)
    try:
        with torch.no_grad():
            out = model(idx)
    finally:
        for h in handles:
            h.remove()
    assert seen[0] is not None
    assert seen[len(model.blocks) - 1] is None
    with torch.no_grad():
        assert not torch.allclose(out, other(idx))


def test_key_norm_model_is_blind_to_the_length_of_keys():
    # 9859: logits q·k/‖k‖; doubling the k projection (weights and bias) changes nothing
    model = _model(key_norm=True)
    idx = _tokens(9)
    with torch.no_grad():
        before = model(idx)
        C = model.config.d_model
        for block in model.blocks:
            block.attn.qkv.weight[C:2 * C] *= 2.5
            block.attn.qkv.bias[C:2 * C] *= 2.5
        after = model(idx)
    assert_close(after, before, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("call", "kind", "name"), [
    (lambda m, x: m(x, rerope={"k": 2.0}), ValueError, "rerope"),
    (lambda m, x: m(x, rerope={"window": 0}), ValueError, "rerope"),
    (lambda m, x: m(x, rerope={"window": 4, "x": 1}), ValueError, "rerope"),
    (lambda m, x: m(x, rerope=[4]), TypeError, "rerope"),
    (lambda m, x: m(x, rerope={"window": 4, "k": -1.0}), ValueError, "rerope"),
    (lambda m, x: m(x, logn=1), ValueError, "logn"),
    (lambda m, x: m(x, window=0), ValueError, "window"),
])
def test_forward_bad_keywords_name_themselves(call, kind, name):
    model, idx = _model(), _tokens(6)
    with pytest.raises(kind, match=name):
        call(model, idx)


def test_rerope_needs_a_rope_model_and_logn_a_model_without_logn():
    with pytest.raises(ValueError, match="rerope"):
        _model(position="alibi")(_tokens(6), rerope={"window": 4})
    with pytest.raises(ValueError, match="logn"):
        _model(logn_length=8)(_tokens(6), logn=8)


@pytest.mark.parametrize(("fields", "kind", "name"), [
    ({"window": 4, "position": "alibi"}, ValueError, "window"),
    ({"nope_last_layer": True, "position": "none"}, ValueError, "nope_last_layer"),
    ({"logn_length": 1}, ValueError, "logn_length"),
    ({"logn_length": -3}, ValueError, "logn_length"),
    ({"window": -1}, ValueError, "window"),
    ({"qk_bias": "yes"}, TypeError, "qk_bias"),
    ({"key_norm": 1}, TypeError, "key_norm"),
])
def test_config_bad_switches_name_themselves(fields, kind, name):
    with pytest.raises(kind, match=name):
        TinyConfig(**fields)


# ---------------------------------------------------------------------------------------------
# 7. the race: technique_parameters, technique_changes, run_shootout, save / load
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_layer", [2, 3, 4])
@pytest.mark.parametrize("task", ["lookback", "copy"])
@pytest.mark.parametrize("multiples", [(1, 2), (1, 2, 4, 8)])
def test_technique_parameters_follow_the_posts(n_layer, task, multiples):
    settings = ExperimentSettings(train_length=16, n_layer=n_layer, eval_multiples=multiples)
    p = technique_parameters(settings, task)
    N, E = settings.max_tokens(task), max(multiples)
    assert p["train_tokens"] == N and p["extension"] == E
    # 9728 l.105: k = the inverse of twice the extension, w = a quarter of the training length
    assert p["inverse_k"] == 1.0 / (2 * E)
    assert p["inverse_window"] == N // 4
    # 9708 / 9731: ReRoPE window w = 256 of 512
    assert p["rerope_window"] == N // 2
    # 9603 l.57: (w − 1)(L − 1) + 1 = αN with α <= 3/4 and w as large as possible
    largest = max(w for w in range(1, N + 1) if (w - 1) * (n_layer - 1) + 1 <= 0.75 * N)
    assert p["hwfa_window"] == largest
    # 9431 l.57: the window is the training length
    assert p["local_window"] == N


def test_technique_changes_at_the_training_length_touch_only_logn_and_window():
    N = TINY.max_tokens("lookback")
    for name in TECHNIQUES:
        test = technique_changes(name, TINY, "lookback", TINY.train_length)[3]
        if name == "rope+logn":
            assert test == {"logn": N}
        elif name == "rope+window":
            assert test == {"window": N}
        else:
            assert test == {}, name
        assert technique_changes(name, TINY, "lookback")[3] == {}


def test_technique_changes_past_the_training_length():
    settings, task = TINY, "copy"
    N, n = settings.max_tokens(task), 2 * settings.train_length
    tokens = sequence_tokens(task, n)
    for name, technique in TECHNIQUES.items():
        test = technique_changes(name, settings, task, n)[3]
        if technique.stage == "post-hoc" or "+" in name:
            assert test, name
    assert technique_changes("rope+rerope", settings, task, n)[3] == {"rerope": {"window": N // 2}}
    assert technique_changes("rope+leaky-rerope", settings, task, n)[3] == {
        "rerope": {"window": N // 4, "k": 16.0}}
    assert technique_changes("rope+ntk-mixed", settings, task, n)[3] == {
        "rope_scaling": {"rope_type": "ntk-mixed", "factor": tokens / N, "b": 0.625}}
    assert technique_changes("hwfa2", settings, task, n)[3] == {"rerope": {"window": N // 2}}
    assert technique_changes("hwfa", settings, task, n)[3] == {}
    assert technique_changes("inv-leaky", settings, task, n)[3] == {}


def test_technique_changes_of_the_pre_training_techniques():
    settings, task = TINY, "lookback"
    N, E = settings.max_tokens(task), max(settings.eval_multiples)
    hwfa_w = technique_parameters(settings, task)["hwfa_window"]
    assert technique_changes("inv-leaky", settings, task) == (
        "rope", {}, {"rerope": {"window": N // 4, "k": 1.0 / (2 * E)}}, {})
    assert technique_changes("hwfa", settings, task) == (
        "rope", {"window": hwfa_w, "nope_last_layer": True, "logn_length": N}, {}, {})
    assert technique_changes("hwfa2", settings, task) == ("rope", {"window": hwfa_w}, {}, {})
    assert technique_changes("logn", settings, task)[1] == {"logn_length": N}
    assert technique_changes("nobias", settings, task)[1] == {"qk_bias": False}
    assert technique_changes("keynorm", settings, task)[1] == {"key_norm": True}
    for name in ("alibi", "none"):
        assert technique_changes(name, settings, task)[0] == name
    # every model of the race can be built
    for name in RACE_ENCODINGS:
        position, switches, _, _ = technique_changes(name, settings, task)
        settings.model_config(position, task, **switches)


def test_hwfa_needs_two_layers():
    one_layer = ExperimentSettings(train_length=8, n_layer=1)
    assert technique_parameters(one_layer, "lookback")["hwfa_window"] is None
    for name in ("hwfa", "hwfa2"):
        with pytest.raises(ValueError, match="n_layer"):
            technique_changes(name, one_layer, "lookback")


@pytest.fixture(scope="module")
def race():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a module fixture runs before the function-scoped one_torch_thread
    try:
        return run_shootout(TINY, tasks=("lookback",), encodings=RACE_ENCODINGS, progress=False)
    finally:
        torch.set_num_threads(threads)


def test_race_runs_every_technique(race):
    assert race.encodings == RACE_ENCODINGS
    assert race.lengths == (8, 16)
    for name in RACE_ENCODINGS:
        acc = race.accuracy["lookback"][name]
        assert acc.shape == (1, 2)
        assert np.all(np.isfinite(acc)) and np.all((acc >= 0) & (acc <= 1)), name


def test_race_post_hoc_logn_and_window_equal_rope_at_L(race):
    acc = race.accuracy["lookback"]
    for name in ("rope+logn", "rope+window", "rope+rerope", "rope+leaky-rerope", "rope+ntk-mixed"):
        assert acc[name][0, 0] == acc["rope"][0, 0], name


def test_race_encodings_must_include_the_trained_model():
    with pytest.raises(ValueError, match="encodings"):
        run_shootout(TINY, tasks=("lookback",), encodings=("rope+rerope",), progress=False)
    with pytest.raises(ValueError, match="encodings"):
        run_shootout(TINY, tasks=("lookback",), encodings=("rope", "rope+magic"), progress=False)


def test_save_and_load_round_trip(race, tmp_path):
    result = copy.deepcopy(race)
    result.accuracy["lookback"]["rope"][0, 1] = np.nan
    provenance = {"command": "pytest", "commit": "abc123", "torch": torch.__version__}
    path = tmp_path / "race.json"
    save_result(result, path, provenance=provenance)
    loaded = load_result(path)
    assert isinstance(loaded, ShootoutResult)
    assert loaded.settings == result.settings
    assert loaded.provenance == provenance
    assert loaded.tasks == result.tasks and loaded.encodings == result.encodings
    assert loaded.lengths == result.lengths
    for name in RACE_ENCODINGS:
        # save_result writes accuracies rounded to 6 decimals
        np.testing.assert_allclose(loaded.accuracy["lookback"][name],
                                   result.accuracy["lookback"][name], rtol=0, atol=5e-7,
                                   equal_nan=True)
    assert np.isnan(loaded.accuracy["lookback"]["rope"][0, 1])


def test_save_and_load_exact_accuracies(tmp_path):
    result = ShootoutResult(settings=TINY, tasks=("lookback",), encodings=("rope", "hwfa"),
                            lengths=(8, 16), accuracy={"lookback": {
                                "rope": np.array([[0.5, np.nan]]),
                                "hwfa": np.array([[0.25, 0.125]])}},
                            chance={"lookback": 0.125}, seconds=1.5,
                            final_loss={"lookback": {"rope": [1.0], "hwfa": [2.0]}})
    path = tmp_path / "exact.json"
    save_result(result, path, provenance={"date": "today"})
    loaded = load_result(path)
    for name in ("rope", "hwfa"):
        np.testing.assert_array_equal(loaded.accuracy["lookback"][name],
                                      result.accuracy["lookback"][name])
    assert loaded.chance == result.chance and loaded.final_loss == result.final_loss
    assert loaded.provenance == {"date": "today"}
