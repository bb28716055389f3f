"""The tiny transformer, the synthetic tasks, the shoot-out and its figure.

Run with ``pytest tests/test_experiments.py`` (a few seconds on a CPU: tiny models, few steps).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from conftest import assert_close

from rope_viz.experiments import (
    IGNORE,
    TECHNIQUES,
    ExperimentSettings,
    ShootoutResult,
    evaluate_model,
    make_batch,
    rope_scaling_for,
    run_shootout,
    sequence_tokens,
    train_model,
)
from rope_viz.figures.experiments import plot_length_generalization
from rope_viz.tiny_model import POSITION_SCHEMES, TinyConfig, TinyTransformer

TINY = ExperimentSettings(
    train_length=8, n_symbols=8, lookback=2, n_layer=1, num_heads=2, d_model=16, steps=30,
    probe_steps=30, batch_size=16, lr=1e-2, eval_batches=1, seeds=(0,),
)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("position", POSITION_SCHEMES)
def test_every_scheme_trains_and_the_loss_falls(position):
    _, losses = train_model(position, "probe", TINY, rng=0)
    assert losses.shape == (30,)
    assert np.all(np.isfinite(losses))
    assert losses[-5:].mean() < losses[:5].mean() - 0.3, (losses[:5], losses[-5:])


@pytest.mark.parametrize("position", [p for p in POSITION_SCHEMES if p != "learned"])
@pytest.mark.parametrize("task", ["copy", "lookback"])
def test_relative_and_fixed_schemes_run_at_four_times_the_training_length(position, task):
    model, _ = train_model(position, task, TINY, rng=0, steps=2)
    n = 4 * TINY.train_length
    assert model.supports_length(sequence_tokens(task, n))
    accuracy = evaluate_model(model, task, n, TINY)
    assert 0.0 <= accuracy <= 1.0
    if position == "rope":
        for encoding in ("rope+ntk", "rope+yarn"):
            scaling = rope_scaling_for(encoding, n, TINY, task)
            assert scaling is not None and scaling["rope_type"] in ("dynamic", "yarn")
            assert 0.0 <= evaluate_model(model, task, n, TINY, rope_scaling=scaling) <= 1.0


def test_learned_table_refuses_past_its_rows_and_names_both_numbers():
    model, _ = train_model("learned", "lookback", TINY, rng=0, steps=1)
    rows = TINY.max_tokens("lookback")
    assert rows == TINY.train_length + 1
    evaluate_model(model, "lookback", TINY.train_length, TINY)  # fits exactly
    assert not model.supports_length(rows + 1)
    longer = 2 * TINY.train_length + 1  # tokens of a lookback sequence with 2L symbols
    with pytest.raises(ValueError, match=rf"max_len={rows} rows .* length {longer}"):
        evaluate_model(model, "lookback", 2 * TINY.train_length, TINY)


def test_a_fixed_seed_gives_the_same_numbers_twice():
    model_a, losses_a = train_model("rope", "lookback", TINY, rng=3, steps=8)
    model_b, losses_b = train_model("rope", "lookback", TINY, rng=3, steps=8)
    np.testing.assert_array_equal(losses_a, losses_b)
    accuracy_a = evaluate_model(model_a, "lookback", 16, TINY)
    assert accuracy_a == evaluate_model(model_b, "lookback", 16, TINY)
    _, losses_c = train_model("rope", "lookback", TINY, rng=4, steps=8)
    assert not np.array_equal(losses_a, losses_c)


def test_a_run_leaves_torch_global_random_state_alone():
    torch.manual_seed(99)
    expected = torch.rand(4)
    torch.manual_seed(99)
    train_model("alibi", "lookback", TINY, rng=1, steps=2)
    assert torch.equal(torch.rand(4), expected)


def test_rng_contract_for_runs_and_batches():
    _, from_int = train_model("rope", "lookback", TINY, rng=7, steps=3)
    gen = np.random.default_rng(0)
    seed = int(np.random.default_rng(0).integers(2**63 - 1))
    _, from_generator = train_model("rope", "lookback", TINY, rng=gen, steps=3)
    _, from_seed = train_model("rope", "lookback", TINY, rng=seed, steps=3)
    np.testing.assert_array_equal(from_generator, from_seed)
    assert not np.array_equal(from_int, from_seed)
    a, _ = make_batch("copy", 4, 2, rng=5)
    b, _ = make_batch("copy", 4, 2, rng=5)
    assert torch.equal(a, b)  # an int seed: the same batch every call
    with pytest.raises(TypeError, match="rng"):
        make_batch("copy", 4, 2, rng=None)
    with pytest.raises(TypeError, match="rng"):
        train_model("rope", "lookback", TINY, rng="zero")


def test_batches_follow_the_task_rules():
    g = torch.Generator().manual_seed(0)
    x, y = make_batch("copy", 5, 3, n_symbols=8, rng=g)
    assert x.shape == y.shape == (3, 12)
    assert torch.equal(x[:, 1:6], x[:, 7:12])  # the copy repeats the source after SEP
    assert torch.equal(y[:, 6:11], x[:, 1:6]) and (y[:, :6] == IGNORE).all()
    x, y = make_batch("lookback", 10, 3, n_symbols=8, lookback=3, rng=g)
    assert torch.equal(y[:, 4:], x[:, 1:8]) and (y[:, :4] == IGNORE).all()
    x, y = make_batch("probe", 6, 2)
    assert (x[:, 1:] == x[0, 1]).all() and y[0, 1:].tolist() == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("position", POSITION_SCHEMES)
def test_only_absolute_codes_tell_identical_tokens_apart_without_a_bos(position):
    """Su's argument: with equal tokens and no BOS, attention averages equal values."""
    torch.manual_seed(0)
    model = TinyTransformer(TinyConfig(vocab_size=8, d_model=16, num_heads=2, position=position))
    with torch.no_grad():
        logits = model(torch.full((1, 12), 3, dtype=torch.long))  # (1, 12, 8)
    spread = (logits - logits[:, :1]).abs().max().item()
    if position in ("learned", "sinusoidal"):
        assert spread > 1e-3
    else:
        assert spread < 1e-5


def _reference_logits(model, idx, rope_scaling=None):
    """The tiny transformer's forward written out step by step (the pre-refactor layer)."""
    import math

    from rope_viz import (
        alibi_bias,
        apply_rope,
        scaled_frequencies,
        sinusoidal_encoding,
        t5_relative_buckets,
    )

    config = model.config
    B, T = idx.shape
    nh, hs = config.num_heads, config.head_size
    x = model.tok_emb.weight[idx]  # (B, T, C)
    if config.position == "learned":
        x = x + model.pos_emb.weight[:T]
    if config.position == "sinusoidal":
        x = x + torch.as_tensor(sinusoidal_encoding(T, config.d_model), dtype=x.dtype)
    bias = 0.0
    if config.position == "alibi":
        bias = torch.as_tensor(alibi_bias(T, nh), dtype=x.dtype)  # (nh, T, T)
    if config.position == "t5":
        key_minus_query = np.arange(T)[None, :] - np.arange(T)[:, None]  # (T, T): T5's sign
        buckets = torch.as_tensor(t5_relative_buckets(
            key_minus_query, bidirectional=False,
            num_buckets=config.t5_num_buckets, max_distance=config.t5_max_distance))
        bias = model.t5_bias.weight[buckets].permute(2, 0, 1)  # (nh, T, T)
    for block in model.blocks:
        h = block.ln1(x)
        q, k, v = block.attn.qkv(h).split(config.d_model, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, nh, hs).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        if config.position == "rope":
            params = dict(rope_scaling or {})
            inv_freq, factor = scaled_frequencies(hs, config.rope_base,
                                                  params.pop("rope_type", "default"), **params)
            q = apply_rope(q, T, pairing="half", inv_freq=inv_freq) * float(factor)
            k = apply_rope(k, T, pairing="half", inv_freq=inv_freq) * float(factor)
        scores = q @ k.transpose(-2, -1) / math.sqrt(hs) + bias  # (B, nh, T, T)
        future = torch.ones(T, T, dtype=torch.bool).triu(1)  # (T, T): key > query
        weights = scores.masked_fill(future, float("-inf")).softmax(-1)  # (B, nh, T, T)
        y = (weights @ v).transpose(1, 2).reshape(B, T, config.d_model)  # (B, T, C)
        x = x + block.attn.proj(y)
        x = x + block.mlp(block.ln2(x))
    return model.head(model.ln_f(x))  # (B, T, vocab)


@pytest.mark.parametrize("position", POSITION_SCHEMES)
def test_tiny_transformer_matches_the_attention_written_out(position):
    """The model's layer (shared torch attention, bias hook) against the textbook steps."""
    torch.manual_seed(5)
    model = TinyTransformer(TinyConfig(vocab_size=11, d_model=32, num_heads=4,
                                       position=position)).double()
    idx = torch.randint(0, 11, (3, 9))
    with torch.no_grad():
        assert_close(model(idx), _reference_logits(model, idx), rtol=1e-12, atol=1e-12)
        if position == "rope":
            yarn = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4}
            assert_close(model(idx, rope_scaling=yarn), _reference_logits(model, idx, yarn),
                         rtol=1e-12, atol=1e-12)


def test_rope_scaling_default_changes_nothing_and_yarn_changes_the_logits():
    torch.manual_seed(0)
    model = TinyTransformer(TinyConfig(vocab_size=8, d_model=16, num_heads=2, position="rope"))
    idx = torch.randint(0, 8, (2, 20))
    with torch.no_grad():
        plain = model(idx)
        default = model(idx, rope_scaling={"rope_type": "default"})
        yarn = model(idx, rope_scaling={"rope_type": "yarn", "factor": 4.0,
                                        "original_max_position_embeddings": 5})
    torch.testing.assert_close(plain, default)
    assert not torch.allclose(plain, yarn)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="position must be one of"):
        TinyConfig(position="xpos")
    with pytest.raises(ValueError, match="d_model must be a multiple of num_heads"):
        TinyConfig(d_model=30, num_heads=4)
    with pytest.raises(ValueError, match="lookback must be smaller than train_length"):
        ExperimentSettings(train_length=8, lookback=8)
    with pytest.raises(ValueError, match="task must be one of"):
        make_batch("sort", 4, 2)
    with pytest.raises(ValueError, match="n must be larger than lookback"):
        make_batch("lookback", 3, 2, lookback=3)
    with pytest.raises(TypeError, match="seeds must be a non-empty tuple"):
        ExperimentSettings(seeds=[0, 1])
    model = TinyTransformer(TinyConfig(vocab_size=8, d_model=16, num_heads=2, position="alibi"))
    with pytest.raises(ValueError, match="rope_scaling must be None for a model without RoPE"):
        model(torch.zeros(1, 4, dtype=torch.long), rope_scaling={"rope_type": "yarn"})
    with pytest.raises(TypeError, match="idx must be a"):
        model(torch.zeros(1, 4))
    rope = TinyTransformer(TinyConfig(vocab_size=8, d_model=16, num_heads=2, position="rope"))
    with pytest.raises(ValueError, match="rope_type"):
        rope(torch.zeros(1, 4, dtype=torch.long), rope_scaling={"rope_type": "nope"})
    with pytest.raises(ValueError, match="encodings must be one of"):
        run_shootout(TINY, encodings=("rope", "rope+xpos"))
    with pytest.raises(ValueError, match="to include 'rope'"):
        run_shootout(TINY, encodings=("alibi", "rope+yarn"))


def test_shootout_result_table_and_figure():
    settings = dataclasses.replace(TINY, steps=3, probe_steps=3, seeds=(0, 1))
    result = run_shootout(settings, tasks=("lookback", "probe"),
                          encodings=("learned", "rope", "rope+yarn"))
    assert isinstance(result, ShootoutResult)
    assert result.lengths == (8, 16, 32)
    learned = result.accuracy["lookback"]["learned"]
    assert learned.shape == (2, 3)
    assert np.isfinite(learned[:, 0]).all() and np.isnan(learned[:, 1:]).all()
    assert np.isfinite(result.accuracy["lookback"]["rope+yarn"]).all()
    assert np.isnan(result.accuracy["probe"]["rope"][:, 1:]).all()  # probe: L only
    np.testing.assert_array_equal(  # at L no scaling is applied: the same model, same numbers
        result.accuracy["lookback"]["rope"][:, 0], result.accuracy["lookback"]["rope+yarn"][:, 0])
    table = result.table()
    assert "rope+yarn" in table and "—" in table and "chance" in table

    fig = plot_length_generalization(result)
    assert len(fig.data) == 3 + 1  # one trace per encoding, and chance
    (menu,) = fig.layout.updatemenus  # one stage only: no group buttons
    assert [b.label for b in menu.buttons] == ["lookback", "probe"]
    probe = menu.buttons[1].args[0]["y"]
    assert len(probe) == 4 and probe[1][0] == pytest.approx(result.mean("probe", "rope")[0], abs=1e-4)
    assert fig.layout.xaxis.title.text == "evaluation length n (symbols)"
    assert len(fig.to_json()) < 300_000
    with pytest.raises(TypeError, match="result must be a ShootoutResult"):
        plot_length_generalization({"lookback": 1})
    with pytest.raises(ValueError, match="task must be one of"):
        plot_length_generalization(result, task="copy")


def test_every_encoding_has_a_style():
    from rope_viz.figures.experiments import SCHEME_STYLES

    assert set(SCHEME_STYLES) == set(TECHNIQUES)
