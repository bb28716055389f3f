"""A tiny decoder-only transformer whose positional scheme is one switch.

What this module holds
----------------------
- :class:`TinyConfig`: every size and the positional scheme, one commented field each.
- :class:`CausalSelfAttention`: the block's attention layer: the steps of
  :func:`rope_viz.naive_attention`, with ALiBi's or T5's logit bias, and room between them for
  ReRoPE's two passes, a window mask and a log n factor per query.
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

Su Jianlin's length-extrapolation techniques (:mod:`rope_viz.extrapolation`) are switches of a
RoPE model: those it is trained with are ``TinyConfig`` fields (``qk_bias``, ``key_norm``,
``logn_length``, ``window`` and ``nope_last_layer`` for HWFA); those applied to a trained model
are keywords of ``forward`` (``rerope``, ``logn``, ``window``). :data:`rope_viz.TECHNIQUES`
names each combination the race uses.

Notation: B batch, T sequence length, C = ``d_model``, nh = ``num_heads``, hs = C / nh (the
head size, which RoPE rotates: the package's ``dim``).

References
----------
- A. Karpathy, nanoGPT ``model.py`` (the layout of this file).
- Vaswani et al. 2017 (sinusoidal); Radford et al. 2019 (learned, GPT-2); Raffel et al. 2020
  (T5 buckets); Press et al. 2022 (ALiBi); Su et al. 2021 (RoPE); Kazemnejad et al. 2023 (NoPE).
- 苏剑林's posts kexue.fm/archives/9444 (log n), 9577 (q/k bias), 9603 (HWFA), 9708 (ReRoPE),
  9728 (inverse Leaky ReRoPE), 9859 (KeyNorm): see :mod:`rope_viz.extrapolation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rope_viz._validation import check_bool, check_choice, check_dim, check_float, check_int, fail
from rope_viz.absolute import sinusoidal_encoding
from rope_viz.extrapolation import key_norm, logn_scale, rerope_scores, window_mask
from rope_viz.relative import alibi_bias, relative_position_matrix, t5_relative_buckets
from rope_viz.rope import apply_rope
from rope_viz.rope_attention import merge_heads, split_heads
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
    # Su's length-extrapolation switches a model is trained with (post: kexue.fm/archives/NNNN):
    qk_bias: bool = True  # bias of the q and k projections, added before RoPE (9577)
    key_norm: bool = False  # KeyNorm: logits q·k/|k|, with no 1/sqrt(hs) (9859)
    logn_length: int = 0  # > 0: logits of query i times ln(i+1)/ln(logn_length) in full layers (9444)
    window: int = 0  # > 0: every layer but the last sees its last `window` tokens (HWFA, 9603)
    nope_last_layer: bool = False  # the last layer has no RoPE (HWFA's full layer, 9603)

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
        for name in ("qk_bias", "key_norm", "nope_last_layer"):
            check_bool(getattr(self, name), name)
        check_int(self.logn_length, "logn_length", minimum=0)
        if self.logn_length == 1:
            fail("logn_length", "0 (off) or a training length of at least 2", 1)
        check_int(self.window, "window", minimum=0)
        if (self.window or self.nope_last_layer) and self.position != "rope":
            fail("window" if self.window else "nope_last_layer",
                 "left at its default unless position='rope' (HWFA's layers are RoPE layers)",
                 self.window or self.nope_last_layer)
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
    """Multi-head causal self-attention with an optional logit bias, RoPE and Su's switches.

    Split into heads, (KeyNorm on k), RoPE on q and k (Hugging Face's rotate_half pairing) or
    ReRoPE's two passes (:func:`rope_viz.rerope_scores`), 1/√hs (1 under KeyNorm), (log n
    factor per query), the scheme's logit bias, the mask of keys each query sees (causal,
    maybe windowed), softmax, merge heads, output projection: :func:`rope_viz.naive_attention`
    with the steps that ReRoPE and the window need in between.
    """

    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        # without q/k bias (Su 9577's "w/o bias" arm) those bias entries are multiplied by 0:
        # they get no gradient and stay at their initial 0; the v bias is kept
        mask = torch.ones(3 * config.d_model)
        if not config.qk_bias:
            mask[:2 * config.d_model] = 0.0
        self.register_buffer("bias_mask", mask, persistent=False)

    def forward(self, x, bias=None, rope=None, *, allowed=None, query_scale=None, rerope=None):
        """x: (B, T, C); bias: (nh, T, T) or None; rope: (inv_freq, attention_factor) or None;
        allowed: (T, T) bool, the keys each query sees (None: causal); query_scale: (T, 1)
        factors on each query's logits or None; rerope: (window, k) or None."""
        B, T, C = x.shape
        config = self.config
        qkv = F.linear(x, self.qkv.weight, self.qkv.bias * self.bias_mask)  # (B, T, 3C)
        q, k, v = (split_heads(t, config.num_heads) for t in qkv.split(C, dim=2))  # (B, nh, T, hs)
        if config.key_norm:
            k = key_norm(k)  # (B, nh, T, hs), each key of length 1 (RoPE keeps lengths)
        scale = 1.0 if config.key_norm else 1.0 / math.sqrt(config.head_size)
        q = q * scale if query_scale is None else q * (scale * query_scale)  # (B, nh, T, hs)
        if rope is None:
            scores = q @ k.transpose(-2, -1)  # (B, nh, T, T)
        else:
            inv_freq, factor = rope
            if rerope is None:  # pair i = dims (i, i + hs/2) turned by +t*theta_i
                q = apply_rope(q, T, pairing="half", inv_freq=inv_freq) * factor
                k = apply_rope(k, T, pairing="half", inv_freq=inv_freq) * factor
                scores = q @ k.transpose(-2, -1)  # (B, nh, T, T)
            else:  # distances beyond the window replaced, by two passes
                scores = rerope_scores(q * factor, k * factor, *rerope, inv_freq=inv_freq)
        if bias is not None:
            scores = scores + bias  # (B, nh, T, T); bias (nh, T, T)
        if allowed is None:
            allowed = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))  # (B, nh, T, T)
        y = scores.softmax(dim=-1) @ v  # (B, nh, T, hs): each row of weights sums to 1
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

    def forward(self, x, bias=None, rope=None, **attention):
        x = x + self.attn(self.ln1(x), bias, rope, **attention)  # (B, T, C)
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
        """A cached tensor that depends only on (kind, T, device): tables, biases, buckets
        (``kind`` includes the dtype where the tensor has the activations' dtype)."""
        key = (kind, T, str(device))
        if key not in self._constants:
            self._constants[key] = build()
        return self._constants[key]

    def _window(self, window: int, T: int, device):
        """The (T, T) bool mask of :func:`rope_viz.window_mask`, cached."""
        return self._constant(("window", window), T, device, lambda: torch.as_tensor(
            window_mask(T, window), device=device))

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

    def _check_rerope(self, rerope):
        """(window, k) from a ``rerope`` dict {"window": w, "k": k} (k default ∞: ReRoPE)."""
        if rerope is None:
            return None
        if self.config.position != "rope":
            fail("rerope", "None for a model without RoPE", rerope)
        if not isinstance(rerope, dict):
            fail("rerope", 'a dict {"window": w, "k": k}', rerope, kind=TypeError)
        unknown = sorted(set(rerope) - {"window", "k"})
        if unknown or "window" not in rerope:
            fail("rerope", 'a dict with "window" and optionally "k"', rerope)
        window = check_int(rerope["window"], "rerope['window']", minimum=1)
        k = rerope.get("k", math.inf)
        if k != math.inf:
            k = check_float(k, "rerope['k']", minimum=0.0)
        return window, k

    def forward(self, idx, rope_scaling: dict | None = None, *, rerope: dict | None = None,
                logn: int | None = None, window: int | None = None):
        """idx: (B, T) int64 token ids -> logits (B, T, vocab_size).

        The keywords change the model for this call only (Su's inference-time techniques;
        ``rerope`` with k < 1 is also how inverse Leaky ReRoPE trains):

        - ``rope_scaling``: a dict of :func:`rope_viz.scaled_frequencies` keywords.
        - ``rerope``: ``{"window": w, "k": k}``: ReRoPE (k left out, kexue.fm/archives/9708) or
          Leaky ReRoPE in every full (not windowed) RoPE layer, by two attention passes.
        - ``logn``: a training length L: each query's logits times max(1, ln(i+1)/ln L) in
          every full layer (9706's log n†); not with a model trained with ``logn_length``.
        - ``window``: every layer sees only its last ``window`` tokens (9431).
        """
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
        rerope = self._check_rerope(rerope)
        if logn is not None:
            logn = check_int(logn, "logn", minimum=2)
            if config.logn_length:
                fail("logn", "None for a model trained with a log n factor", logn,
                     f"this model has logn_length={config.logn_length}")
        if window is not None:
            window = check_int(window, "window", minimum=1)
        x = self.tok_emb(idx)  # (B, T, C)
        if config.position == "learned":
            x = x + self.pos_emb(torch.arange(T, device=idx.device))  # (T, C) broadcast over B
        elif config.position == "sinusoidal":
            x = x + self._constant(("sinusoidal", x.dtype), T, idx.device, lambda: torch.as_tensor(
                sinusoidal_encoding(T, config.d_model), dtype=x.dtype, device=idx.device))  # (T, C)
        bias = self._attention_bias(T, idx.device)  # (nh, T, T) or None
        scale_length, clip = (config.logn_length, False) if config.logn_length else (logn, True)
        query_scale = None if scale_length is None else self._constant(
            ("logn", scale_length, clip, x.dtype), T, idx.device, lambda: torch.as_tensor(
                logn_scale(T, scale_length, clip=clip), dtype=x.dtype, device=idx.device)[:, None])
        last = config.n_layer - 1
        for layer, block in enumerate(self.blocks):
            windowed = bool(config.window) and layer < last  # HWFA's window layers
            seen = [w for w in (config.window if windowed else None, window) if w]
            allowed = self._window(min(seen), T, idx.device) if seen else None
            layer_rope = None if config.nope_last_layer and layer == last else rope
            x = block(x, bias, layer_rope, allowed=allowed,
                      query_scale=None if windowed else query_scale,
                      rerope=None if windowed or layer_rope is None else rerope)  # (B, T, C)
        return self.head(self.ln_f(x))  # (B, T, vocab_size)
