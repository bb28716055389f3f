"""A tiny decoder-only transformer whose positional scheme is one switch.

What this module holds
----------------------
- :class:`TinyConfig`: every size and the positional scheme, one commented field each.
- :class:`CausalSelfAttention`: the block's attention layer; the attention itself is
  :func:`rope_viz.naive_attention` (the package's one torch attention), with ALiBi's or T5's
  logit bias passed through its ``bias`` argument.
- :class:`TinyTransformer`: token embedding, ``n_layer`` pre-norm blocks of causal
  self-attention and an MLP, a linear head. Only the way positions enter changes between
  schemes; everything else (sizes, initialisation, data, seed) stays the same.
- :data:`POSITION_SCHEMES`: the schemes, and where each one acts.

The schemes, and where they act:

==================  ==========================================================================
``"none"``          NoPE: no position code at all; only the causal mask breaks the symmetry.
``"learned"``       a trained table of ``max_len`` rows added to the token embeddings (GPT-2).
``"sinusoidal"``    :func:`rope_viz.sinusoidal_encoding` added to the token embeddings.
``"alibi"``         :func:`rope_viz.alibi_bias` (fixed slopes) added to the attention logits.
``"t5"``            a learned scalar per head and :func:`rope_viz.t5_relative_buckets` bucket,
                    added to the logits (causal buckets).
``"rope"``          :func:`rope_viz.apply_rope` on queries and keys (``pairing="half"``); a
                    ``rope_scaling`` dict at evaluation time swaps in
                    :func:`rope_viz.scaled_frequencies` (NTK, YaRN, ...) without retraining.
==================  ==========================================================================

Notation: B batch, T sequence length, C = ``d_model``, nh = ``num_heads``, hs = C / nh (the
head size, which RoPE rotates: the package's ``dim``).

References
----------
- A. Karpathy, nanoGPT ``model.py`` (the layout of this file).
- Vaswani et al. 2017 (sinusoidal); Radford et al. 2019 (learned, GPT-2); Raffel et al. 2020
  (T5 buckets); Press et al. 2022 (ALiBi); Su et al. 2021 (RoPE); Kazemnejad et al. 2023 (NoPE).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from rope_viz._validation import check_choice, check_dim, check_float, check_int, fail
from rope_viz.absolute import sinusoidal_encoding
from rope_viz.relative import alibi_bias, relative_position_matrix, t5_relative_buckets
from rope_viz.rope import apply_rope
from rope_viz.rope_attention import merge_heads, naive_attention, split_heads
from rope_viz.scaling import scaled_frequencies

__all__ = ["POSITION_SCHEMES", "TinyConfig", "CausalSelfAttention", "TinyTransformer"]

POSITION_SCHEMES = ("none", "learned", "sinusoidal", "alibi", "t5", "rope")


@dataclass(frozen=True)
class TinyConfig:
    """Sizes and positional scheme of a :class:`TinyTransformer` (validated on creation)."""

    vocab_size: int = 32  # number of token ids (inputs and predicted classes share them)
    n_layer: int = 2  # number of transformer blocks
    num_heads: int = 4  # attention heads per block
    d_model: int = 64  # width C of the residual stream; hs = d_model / num_heads per head
    position: str = "rope"  # one of POSITION_SCHEMES
    max_len: int = 64  # rows of the "learned" table: the longest sequence it can run on
    rope_base: float = 10000.0  # RoPE's base b: theta_i = b^(-2i/hs)
    t5_num_buckets: int = 32  # T5 buckets (causal: all of them for keys at or before the query)
    t5_max_distance: int = 128  # distance at which T5's last bucket starts
    mlp_ratio: int = 4  # hidden width of the MLP, in multiples of d_model

    def __post_init__(self):
        check_int(self.vocab_size, "vocab_size", minimum=2)
        check_int(self.n_layer, "n_layer", minimum=1)
        check_int(self.num_heads, "num_heads", minimum=1)
        check_int(self.d_model, "d_model", minimum=1)
        check_choice(self.position, "position", POSITION_SCHEMES)
        check_int(self.max_len, "max_len", minimum=1)
        check_float(self.rope_base, "rope_base", minimum=1.0)
        check_int(self.t5_num_buckets, "t5_num_buckets", minimum=2)
        check_int(self.t5_max_distance, "t5_max_distance", minimum=2)
        check_int(self.mlp_ratio, "mlp_ratio", minimum=1)
        if self.d_model % self.num_heads:
            fail("d_model", f"a multiple of num_heads ({self.num_heads})", self.d_model)
        if self.position == "rope":
            check_dim(self.d_model // self.num_heads, "d_model / num_heads")
        if self.position == "sinusoidal":
            check_dim(self.d_model, "d_model")

    @property
    def head_size(self) -> int:
        """hs = d_model / num_heads."""
        return self.d_model // self.num_heads


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with an optional logit bias and optional RoPE.

    Split into heads, RoPE on q and k (Hugging Face's rotate_half pairing), then
    :func:`rope_viz.naive_attention` with the causal mask and the scheme's logit bias, merge
    heads, output projection.
    """

    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)

    def forward(self, x, bias=None, rope=None):
        """x: (B, T, C); bias: (nh, T, T) or None; rope: (inv_freq, attention_factor) or None."""
        B, T, C = x.shape
        q, k, v = (split_heads(t, self.config.num_heads)  # each (B, T, C) -> (B, nh, T, hs)
                   for t in self.qkv(x).split(C, dim=2))
        if rope is not None:
            inv_freq, factor = rope
            # pair i = dims (i, i + hs/2) turned by +t*theta_i (Hugging Face's rotate_half form)
            q = apply_rope(q, T, pairing="half", inv_freq=inv_freq) * factor  # (B, nh, T, hs)
            k = apply_rope(k, T, pairing="half", inv_freq=inv_freq) * factor  # (B, nh, T, hs)
        y = naive_attention(q, k, v, causal=True, bias=bias)  # (B, nh, T, hs); bias (nh, T, T)
        return self.proj(merge_heads(y))  # (B, T, C)


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, config: TinyConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.d_model)
        hidden = config.mlp_ratio * config.d_model
        self.mlp = nn.Sequential(
            nn.Linear(config.d_model, hidden), nn.GELU(), nn.Linear(hidden, config.d_model)
        )

    def forward(self, x, bias=None, rope=None):
        x = x + self.attn(self.ln1(x), bias, rope)  # (B, T, C)
        return x + self.mlp(self.ln2(x))  # (B, T, C)


class TinyTransformer(nn.Module):
    """A decoder-only transformer whose positional scheme is ``config.position``.

    Parameters
    ----------
    config : TinyConfig
        Sizes and scheme.

    Notes
    -----
    ``forward(idx, rope_scaling=None)`` maps token ids ``idx`` of shape ``(B, T)`` to logits
    ``(B, T, vocab_size)``. ``rope_scaling`` (RoPE only) is a dict of
    :func:`rope_viz.scaled_frequencies` keywords, e.g. ``{"rope_type": "yarn", "factor": 4.0,
    "original_max_position_embeddings": 32}``: the frequencies (and YaRN's attention factor,
    applied to q and k as Hugging Face does) are replaced for that call only. A ``"learned"``
    model refuses sequences longer than its table with a ``ValueError``.
    """

    def __init__(self, config: TinyConfig):
        super().__init__()
        if not isinstance(config, TinyConfig):
            fail("config", "a TinyConfig", config, kind=TypeError)
        self.config = config
        self.tok_emb = nn.Embedding(config.vocab_size, config.d_model)
        if config.position == "learned":
            self.pos_emb = nn.Embedding(config.max_len, config.d_model)
        if config.position == "t5":
            self.t5_bias = nn.Embedding(config.t5_num_buckets, config.num_heads)  # a scalar per head
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.vocab_size)
        self.apply(self._init_weights)
        # token and learned position vectors start at unit scale, like the sinusoidal code:
        # no scheme starts out drowned by (or drowning) the tokens
        nn.init.normal_(self.tok_emb.weight, mean=0.0, std=1.0)
        if config.position == "learned":
            nn.init.normal_(self.pos_emb.weight, mean=0.0, std=1.0)
        self._constants = {}  # (kind, T, device) -> position tensors that never train

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def supports_length(self, length: int) -> bool:
        """Whether a sequence of ``length`` tokens can be run (False only past a learned table)."""
        length = check_int(length, "length", minimum=1)
        return self.config.position != "learned" or length <= self.config.max_len

    def _constant(self, kind: str, T: int, device, build):
        """A cached tensor that depends only on (kind, T, device): tables, biases, buckets."""
        key = (kind, T, str(device))
        if key not in self._constants:
            self._constants[key] = build()
        return self._constants[key]

    def _attention_bias(self, T: int, device):
        """The (nh, T, T) logit bias of ALiBi or T5, else None."""
        config = self.config
        if config.position == "alibi":
            return self._constant("alibi", T, device, lambda: torch.as_tensor(
                alibi_bias(T, config.num_heads), dtype=torch.float32, device=device))  # (nh, T, T)
        if config.position == "t5":
            buckets = self._constant("t5", T, device, lambda: torch.as_tensor(t5_relative_buckets(
                -relative_position_matrix(T),  # (T, T): key - query, T5's sign
                bidirectional=False, num_buckets=config.t5_num_buckets,
                max_distance=config.t5_max_distance,
            ), device=device))  # (T, T) int64 bucket ids
            return self.t5_bias(buckets).permute(2, 0, 1)  # (T, T, nh) -> (nh, T, T)
        return None

    def _rope(self, rope_scaling):
        """(inv_freq, attention_factor) for RoPE, or None for other schemes."""
        config = self.config
        if config.position != "rope":
            if rope_scaling is not None:
                fail("rope_scaling", "None for a model without RoPE", rope_scaling,
                     f"this model uses position={config.position!r}")
            return None
        if rope_scaling is None:
            rope_scaling = {"rope_type": "default"}
        if not isinstance(rope_scaling, dict):
            fail("rope_scaling", "a dict of scaled_frequencies keywords", rope_scaling,
                 kind=TypeError)
        params = dict(rope_scaling)
        rope_type = params.pop("rope_type", "default")
        inv_freq, factor = scaled_frequencies(config.head_size, config.rope_base, rope_type,
                                              **params)
        return inv_freq, float(factor)

    def forward(self, idx, rope_scaling: dict | None = None):
        """idx: (B, T) int64 token ids -> logits (B, T, vocab_size)."""
        if not torch.is_tensor(idx) or idx.dtype != torch.long or idx.dim() != 2:
            fail("idx", "a (B, T) torch.long tensor of token ids", idx, kind=TypeError)
        B, T = idx.shape
        config = self.config
        if not self.supports_length(T):
            raise ValueError(
                f"a learned position table of max_len={config.max_len} rows cannot run a "
                f"sequence of length {T}: positions {config.max_len}..{T - 1} have no row "
                "(a relative scheme such as 'rope', 'alibi' or 't5' can run longer)"
            )
        rope = self._rope(rope_scaling)
        x = self.tok_emb(idx)  # (B, T, C)
        if config.position == "learned":
            x = x + self.pos_emb(torch.arange(T, device=idx.device))  # (T, C) broadcast over B
        elif config.position == "sinusoidal":
            x = x + self._constant("sinusoidal", T, idx.device, lambda: torch.as_tensor(
                sinusoidal_encoding(T, config.d_model), dtype=x.dtype, device=idx.device))  # (T, C)
        bias = self._attention_bias(T, idx.device)  # (nh, T, T) or None
        for block in self.blocks:
            x = block(x, bias, rope)  # (B, T, C)
        return self.head(self.ln_f(x))  # (B, T, vocab_size)

