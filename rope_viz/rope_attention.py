"""A minimal multi-head attention layer with RoPE, computed two ways (chapter 10).

What this module holds
----------------------
- :func:`pick_device` and :func:`describe_device`: CUDA when present, else the CPU, and a
  one-line description of what was picked.
- :func:`seed_from_rng`, :func:`torch_generator` and :func:`fork_torch_rng`: the package's
  ``rng`` contract (see :mod:`rope_viz._validation`) for torch code: draws from a
  ``torch.Generator``, module weights initialised without touching torch's global state.
- :func:`rope_rotate_half_tables` and :func:`rope_rotate_half_reference`: the textbook
  ``x * cos + rotate_half(x) * sin`` form of RoPE (GPT-NeoX, Hugging Face), written out with
  its full-size temporaries, as the reference that :func:`rope_viz.apply_rope` is timed against.
- :func:`naive_attention`: softmax(q kᵀ / √hs + bias) v with the ``(T, S)`` score matrix
  materialised: the package's one torch attention written out.
- :func:`sdpa_attention`: the same through ``torch.nn.functional.scaled_dot_product_attention``
  (fused flash / memory-efficient kernels where the device has them).
- :func:`split_heads` and :func:`merge_heads`: ``(B, T, C)`` <-> ``(B, nh, T, hs)``.
- :class:`RopeAttention`: one multi-head self-attention layer that rotates q and k with
  :func:`rope_viz.apply_rope` and then calls either attention function. The tiny
  transformer's layer (:mod:`rope_viz.tiny_model`) calls the same two functions, passing
  ALiBi's or T5's logit bias through ``bias``.
- :func:`attention_score_bytes`: the bytes of the score tensor the naive path materialises.

Conventions
-----------
Notation of nanoGPT: ``B`` batch, ``nh`` heads, ``T`` query positions, ``S`` key positions,
``hs`` head size (the package's ``dim``), ``C = nh * hs`` model width (``hidden_size``).
Attention inputs are ``(B, nh, T, hs)``; any number of leading axes works as long as q, k and
v agree on them. Causal masking lets query ``t`` see keys ``0..t`` and needs ``T == S``. An
additive ``bias`` (ALiBi, T5) is broadcast against the ``(..., T, S)`` logits.

This module imports torch; ``import rope_viz`` loads it only when one of its names is used.

References
----------
- A. Vaswani et al. Attention Is All You Need. NeurIPS 2017 (scaled dot-product attention).
- T. Dao et al. FlashAttention. NeurIPS 2022 (tiles and an online softmax: no ``(T, S)``
  matrix in memory).
- J. Su et al. RoFormer, arXiv:2104.09864 (2021); kexue.fm/archives/8265 (RoPE).
- PyTorch documentation of ``torch.nn.functional.scaled_dot_product_attention``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rope_viz._validation import (
    as_positions,
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_generator,
    check_int,
    fail,
    is_tensor,
)
from rope_viz.rope import FORMS, PAIRINGS, apply_rope, rope_angles

__all__ = [
    "pick_device",
    "describe_device",
    "seed_from_rng",
    "torch_generator",
    "fork_torch_rng",
    "rope_rotate_half_tables",
    "rope_rotate_half_reference",
    "naive_attention",
    "sdpa_attention",
    "split_heads",
    "merge_heads",
    "attention_score_bytes",
    "RopeAttention",
]

BACKENDS = ("naive", "sdpa")


# ---------------------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------------------


def pick_device(prefer: Any = None) -> torch.device:
    """The device to run on: CUDA when available, else the CPU.

    Parameters
    ----------
    prefer : None, str or torch.device
        ``None`` picks ``"cuda"`` when ``torch.cuda.is_available()`` and ``"cpu"`` otherwise.
        A device name (``"cpu"``, ``"cuda"``, ``"cuda:1"``) or a ``torch.device`` asks for that
        device.

    Returns
    -------
    torch.device

    Raises
    ------
    TypeError
        For a ``prefer`` that is neither None, a string nor a torch.device.
    ValueError
        For an unknown device name, or a CUDA device when CUDA is not available.

    Examples
    --------
    >>> pick_device("cpu")
    device(type='cpu')
    """
    if prefer is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(prefer, (str, torch.device)):
        fail("prefer", "None, a device name such as 'cpu' or 'cuda', or a torch.device", prefer,
             kind=TypeError)
    try:
        device = torch.device(prefer)
    except (RuntimeError, ValueError):
        fail("prefer", "a device name such as 'cpu', 'cuda' or 'cuda:0'", prefer)
    if device.type not in ("cpu", "cuda"):
        fail("prefer", "a 'cpu' or 'cuda' device", prefer)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            fail("prefer", "a device that exists", prefer,
                 "torch.cuda.is_available() is False here; use 'cpu' or None")
        if device.index is not None and device.index >= torch.cuda.device_count():
            fail("prefer", f"a CUDA index below {torch.cuda.device_count()}", prefer)
    return device


def describe_device(device: Any = None) -> str:
    """One line naming the device and the torch version, e.g. for a table's caption.

    Parameters
    ----------
    device : None, str or torch.device
        As for :func:`pick_device`.

    Returns
    -------
    str
        ``"cuda:0 (NVIDIA H100 80GB HBM3), torch 2.x"`` or ``"cpu (2 threads), torch 2.x"``.
    """
    device = pick_device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        name = f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    else:
        name = f"cpu ({torch.get_num_threads()} threads)"
    return f"{name}, torch {torch.__version__}"


# ---------------------------------------------------------------------------------------------
# random numbers for torch, under the package's rng contract
# ---------------------------------------------------------------------------------------------


def seed_from_rng(rng: Any, name: str = "rng") -> int:
    """One int seed from ``rng``: an int seed as it is, a numpy Generator gives one draw.

    So ``rng=0`` seeds torch with 0 on every call (the same weights every time), and a
    Generator gives a new seed, hence new weights, on every call.

    Parameters
    ----------
    rng : int or numpy.random.Generator
        As everywhere in the package (see :func:`rope_viz._validation.check_generator`).
    name : str
        Argument name for error messages.

    Returns
    -------
    int
        A seed in ``[0, 2**63 - 1)``.

    Examples
    --------
    >>> seed_from_rng(7)
    7
    """
    generator = check_generator(rng, name)  # validates; a fresh generator for an int
    if isinstance(rng, np.random.Generator):
        return int(generator.integers(2**63 - 1))
    return int(rng)


def torch_generator(rng: Any, name: str = "rng") -> torch.Generator:
    """A CPU ``torch.Generator`` from ``rng``: a torch.Generator is used as it is, an int seeds
    a fresh one, a numpy Generator gives one seed draw (see :func:`seed_from_rng`).

    Examples
    --------
    >>> torch.randint(0, 10, (3,), generator=torch_generator(0)).tolist()
    [4, 9, 3]
    """
    if isinstance(rng, torch.Generator):
        return rng
    return torch.Generator().manual_seed(seed_from_rng(rng, name))


@contextlib.contextmanager
def fork_torch_rng(rng: Any, name: str = "rng") -> Iterator[None]:
    """Inside the block torch's global CPU generator is seeded from ``rng``; after it, torch's
    global state is what it was. Use it to initialise ``nn.Module`` weights, which torch
    draws from the global generator.

    Examples
    --------
    >>> with fork_torch_rng(3):
    ...     layer = torch.nn.Linear(2, 2)
    """
    seed = seed_from_rng(rng, name)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


# ---------------------------------------------------------------------------------------------
# the textbook rotate_half form of RoPE
# ---------------------------------------------------------------------------------------------


def rope_rotate_half_tables(
    positions: Any,
    dim: int,
    base: float = 10000.0,
    *,
    dtype: torch.dtype = torch.float32,
    device: Any = "cpu",
) -> tuple:
    """cos and sin tables in the layout of the rotate_half form: each half repeated.

    Column ``j`` holds the angle of pair ``j mod dim/2``, so the tables are
    ``cat([cos(mθ), cos(mθ)])`` and ``cat([sin(mθ), sin(mθ)])``, as a model precomputes them
    once. Angles are formed in float64 and only cos and sin are rounded to ``dtype``.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` positions, or an int ``n`` meaning ``range(n)``.
    dim : int
        Head size (positive, even).
    base : float
        RoPE base (> 1).
    dtype : torch.dtype
        Floating dtype of the tables.
    device : None, str or torch.device
        Where the tables live (see :func:`pick_device`).

    Returns
    -------
    tuple of torch.Tensor
        ``(cos, sin)``, each ``(n, dim)``.
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        fail("dtype", "a floating torch.dtype", dtype, kind=TypeError)
    device = pick_device(device)
    angles = torch.from_numpy(rope_angles(positions, dim, base))  # (n, dim/2) float64
    angles = torch.cat([angles, angles], dim=-1)  # (n, dim): both halves of every pair
    return angles.cos().to(device=device, dtype=dtype), angles.sin().to(device=device, dtype=dtype)


def rope_rotate_half_reference(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """RoPE written the textbook way: ``x * cos + rotate_half(x) * sin``.

    ``rotate_half`` maps ``(x0, x1)`` (the two halves of the last axis) to ``(−x1, x0)``, so
    pair ``i`` is ``(i, i + dim/2)`` and is turned counter-clockwise by its angle: the same
    numbers as ``apply_rope(x, positions, pairing="half")``. Written this way, eager PyTorch
    makes four full-size temporaries (``-x1``, the concatenation, ``x * cos``,
    ``rotate_half(x) * sin``) before the sum, so it moves several times the bytes of
    ``x.clone()``. Kept as the reference that the book times rope_viz against.

    Parameters
    ----------
    x : torch.Tensor
        ``(..., n, dim)`` queries or keys.
    cos, sin : torch.Tensor
        ``(n, dim)`` tables from :func:`rope_rotate_half_tables` (or anything broadcastable
        against ``x``), same device as ``x``.

    Returns
    -------
    torch.Tensor
        ``(..., n, dim)``, a new tensor.

    Raises
    ------
    TypeError
        For arguments that are not floating torch tensors.
    ValueError
        For an odd last axis, tables that do not broadcast against ``x``, or tensors on
        different devices.

    References
    ----------
    The ``rotate_half`` / ``apply_rotary_pos_emb`` pair of GPT-NeoX and Hugging Face
    transformers (``models/llama/modeling_llama.py``), re-typed here; checked against
    ``apply_rope(pairing="half")`` in ``tests/test_rope_attention.py``.
    """
    for name, value in (("x", x), ("cos", cos), ("sin", sin)):
        if not is_tensor(value) or not value.is_floating_point():
            fail(name, "a floating-point torch tensor", value, kind=TypeError)
    if x.ndim < 2 or x.shape[-1] % 2:
        fail("x", "a tensor of shape (..., n, dim) with an even dim", x)
    for name, table in (("cos", cos), ("sin", sin)):
        if table.device != x.device:
            fail(name, f"a tensor on x's device ({x.device})", f"one on {table.device}")
        try:
            torch.broadcast_shapes(table.shape, x.shape)
        except RuntimeError:
            fail(name, f"a table broadcastable to x's shape {tuple(x.shape)}", table,
                 "make the tables with rope_rotate_half_tables(n, dim)")
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)  # (..., n, dim): (−x1, x0)
    return x * cos + rotated * sin  # (..., n, dim)


# ---------------------------------------------------------------------------------------------
# attention, two ways
# ---------------------------------------------------------------------------------------------


def _check_qkv(q, k, v, causal, scale, bias):
    for name, value in (("q", q), ("k", k), ("v", v)):
        if not is_tensor(value) or not value.is_floating_point():
            fail(name, "a floating-point torch tensor of shape (..., T, hs)", value, kind=TypeError)
        if value.ndim < 2:
            fail(name, "a tensor with at least 2 axes (..., T, hs)", value)
    if k.shape[-1] != q.shape[-1]:
        fail("k", f"a tensor with q's head size {q.shape[-1]} in its last axis", k)
    if k.shape[:-2] != q.shape[:-2] or v.shape[:-2] != q.shape[:-2]:
        fail("k and v", f"tensors with q's leading axes {tuple(q.shape[:-2])}",
             f"k {tuple(k.shape)}, v {tuple(v.shape)}")
    if v.shape[-2] != k.shape[-2]:
        fail("v", f"one row per key ({k.shape[-2]}, from k.shape[-2])", v)
    for name, value in (("k", k), ("v", v)):
        if value.dtype != q.dtype or value.device != q.device:
            fail(name, f"a tensor with q's dtype {q.dtype} on q's device {q.device}",
                 f"{value.dtype} on {value.device}")
    causal = check_bool(causal, "causal")
    if causal and q.shape[-2] != k.shape[-2]:
        fail("causal", "False when queries and keys differ in number",
             f"True with T = {q.shape[-2]} queries and S = {k.shape[-2]} keys",
             "the causal mask here lets query t see keys 0..t, which needs T == S")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    else:
        scale = check_float(scale, "scale", minimum=0.0)
    if bias is not None:
        scores_shape = (*q.shape[:-1], k.shape[-2])  # (..., T, S)
        if not is_tensor(bias) or not bias.is_floating_point():
            fail("bias", f"None or a floating-point torch tensor broadcastable to {scores_shape}",
                 bias, kind=TypeError)
        if bias.device != q.device:
            fail("bias", f"a tensor on q's device ({q.device})", f"one on {bias.device}")
        try:
            broadcast = torch.broadcast_shapes(bias.shape, scores_shape)
        except RuntimeError:
            broadcast = None
        if broadcast != torch.Size(scores_shape):
            fail("bias", f"a tensor broadcastable to the logits' shape {scores_shape}", bias,
                 "ALiBi and T5 biases are (nh, T, S)")
        bias = bias.to(q.dtype)
    return causal, scale, bias


def naive_attention(q, k, v, *, causal: bool = False, scale: float | None = None,
                    bias: torch.Tensor | None = None) -> torch.Tensor:
    """Attention with the score matrix in memory: softmax(q kᵀ · scale + bias) v.

    Materialises the ``(..., T, S)`` scores and their softmax, so memory grows as ``T · S``;
    see :func:`attention_score_bytes`.

    Parameters
    ----------
    q : torch.Tensor
        ``(..., T, hs)`` queries.
    k, v : torch.Tensor
        ``(..., S, hs)`` keys and ``(..., S, hv)`` values, same leading axes, dtype and device
        as ``q``.
    causal : bool
        Mask the future: query ``t`` sees keys ``0..t`` (needs ``T == S``). Masked scores are
        set to −∞ before the softmax, so they get weight exactly 0.
    scale : float, optional
        Multiplier of the scores; ``1/√hs`` when None.
    bias : torch.Tensor, optional
        Added to the scaled scores before the mask and the softmax, broadcastable to
        ``(..., T, S)``: e.g. ALiBi's ``(nh, T, S)`` slopes times distance or T5's learned
        bucket scalars (the hook through which a relative scheme enters without a second
        attention). Cast to q's dtype; on q's device.

    Returns
    -------
    torch.Tensor
        ``(..., T, hv)``.

    Raises
    ------
    TypeError, ValueError
        For non-tensors, mismatched shapes, dtypes or devices, ``causal`` with ``T != S``, a
        non-positive ``scale``, or a ``bias`` that does not broadcast to ``(..., T, S)``.
    """
    causal, scale, bias = _check_qkv(q, k, v, causal, scale, bias)
    scores = (q * scale) @ k.transpose(-2, -1)  # (..., T, S): the matrix a fused kernel avoids
    if bias is not None:
        scores = scores + bias  # (..., T, S)
    if causal:
        scores.masked_fill_(_future(q), float("-inf"))
    weights = scores.softmax(dim=-1)  # (..., T, S): each row sums to 1
    return weights @ v  # (..., T, hv)


def _future(q: torch.Tensor) -> torch.Tensor:
    """``(T, T)`` bool, True where key j lies after query i (the torch side of
    :func:`rope_viz.causal_mask`: the keys a causal row must not see)."""
    n = q.shape[-2]
    return torch.ones(n, n, dtype=torch.bool, device=q.device).triu(diagonal=1)


def sdpa_attention(q, k, v, *, causal: bool = False, scale: float | None = None,
                   bias: torch.Tensor | None = None) -> torch.Tensor:
    """The same attention through ``torch.nn.functional.scaled_dot_product_attention``.

    PyTorch picks a fused kernel (FlashAttention, memory-efficient attention, or a CPU flash
    kernel) when the inputs allow, which never stores the ``(T, S)`` score matrix; otherwise
    it falls back to a math implementation like :func:`naive_attention`. A ``bias`` goes in
    as SDPA's float ``attn_mask`` (added to the scores); with ``causal`` as well, the future
    is folded into it as ``-inf``, since SDPA refuses ``attn_mask`` together with
    ``is_causal``. Fused flash kernels take no bias, so PyTorch then picks another kernel.

    Parameters
    ----------
    q, k, v, causal, scale, bias
        As for :func:`naive_attention`.

    Returns
    -------
    torch.Tensor
        ``(..., T, hv)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`naive_attention`.
    """
    causal, scale, bias = _check_qkv(q, k, v, causal, scale, bias)
    if bias is None:
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)  # (..., T, hv)
    if causal:
        bias = bias.masked_fill(_future(q), float("-inf"))  # (..., T, S)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=scale)  # (..., T, hv)


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """``(B, T, C)`` -> ``(B, nh, T, hs)`` with ``hs = C / nh`` (head h holds columns
    ``h*hs .. (h+1)*hs - 1``, as nanoGPT and Hugging Face lay them out).

    Examples
    --------
    >>> split_heads(torch.zeros(2, 5, 12), 3).shape
    torch.Size([2, 3, 5, 4])
    """
    if not is_tensor(x) or x.ndim != 3:
        fail("x", "a torch tensor of shape (B, T, C)", x,
             kind=TypeError if not is_tensor(x) else ValueError)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    B, T, C = x.shape
    if C % num_heads:
        fail("num_heads", f"a divisor of the width C = {C}", num_heads)
    return x.view(B, T, num_heads, C // num_heads).transpose(1, 2)  # (B, nh, T, hs)


def merge_heads(y: torch.Tensor) -> torch.Tensor:
    """``(B, nh, T, hs)`` -> ``(B, T, nh * hs)``: the inverse of :func:`split_heads`.

    Examples
    --------
    >>> merge_heads(torch.zeros(2, 3, 5, 4)).shape
    torch.Size([2, 5, 12])
    """
    if not is_tensor(y) or y.ndim != 4:
        fail("y", "a torch tensor of shape (B, nh, T, hs)", y,
             kind=TypeError if not is_tensor(y) else ValueError)
    B, nh, T, hs = y.shape
    return y.transpose(1, 2).reshape(B, T, nh * hs)  # (B, T, nh, hs) -> (B, T, C)


def attention_score_bytes(batch: int, num_heads: int, length: int, *, itemsize: int = 4) -> int:
    """Bytes of one ``(batch, num_heads, length, length)`` score tensor.

    The naive path holds two such tensors at its peak (the scores and their softmax), plus
    a boolean ``(length, length)`` mask when causal; a fused kernel holds none.

    Parameters
    ----------
    batch, num_heads, length : int
        Positive sizes.
    itemsize : int
        Bytes per element: 4 for float32, 2 for float16/bfloat16, 8 for float64.

    Returns
    -------
    int

    Examples
    --------
    >>> attention_score_bytes(1, 32, 8192, itemsize=2) / 2**30
    4.0
    """
    batch = check_int(batch, "batch", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    length = check_int(length, "length", minimum=1)
    itemsize = check_int(itemsize, "itemsize", minimum=1)
    return batch * num_heads * length * length * itemsize


# ---------------------------------------------------------------------------------------------
# the layer
# ---------------------------------------------------------------------------------------------


class RopeAttention(nn.Module):
    """One multi-head self-attention layer with RoPE on q and k.

    ``x (B, T, C)`` → q, k, v by one linear map → split into heads ``(B, nh, T, hs)`` → RoPE
    on q and k with :func:`rope_viz.apply_rope` → attention (naive or SDPA) → merge heads →
    output projection. No dropout, no KV cache: the smallest layer that shows where RoPE goes.

    Parameters
    ----------
    hidden_size : int
        Model width ``C`` (divisible by ``num_heads``; the head size ``dim = C / nh``, which
        RoPE rotates in pairs, must be even).
    num_heads : int
        Number of heads ``nh``.
    base : float
        RoPE base (> 1).
    pairing : {"half", "interleaved"}
        Which dimensions form a rotary pair (see :func:`rope_viz.apply_rope`).
    form : {"elementwise", "complex", "matrix"}
        How :func:`rope_viz.apply_rope` computes the rotation.
    bias : bool
        Biases in the two linear maps.
    rng : int or numpy.random.Generator
        Source of the initial weights, per the package's rng contract (see
        :func:`fork_torch_rng`); torch's global random state is left untouched.
    dtype : torch.dtype
        Parameter dtype.
    device : None, str or torch.device
        Parameter device (see :func:`pick_device`); None means CUDA when available.

    Examples
    --------
    >>> layer = RopeAttention(hidden_size=32, num_heads=4, device="cpu")
    >>> layer(torch.zeros(2, 5, 32)).shape
    torch.Size([2, 5, 32])
    """

    def __init__(
        self,
        hidden_size: int = 64,
        num_heads: int = 4,
        *,
        base: float = 10000.0,
        pairing: str = "half",
        form: str = "elementwise",
        bias: bool = False,
        rng: Any = 0,
        dtype: torch.dtype = torch.float32,
        device: Any = None,
    ) -> None:
        super().__init__()
        hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        num_heads = check_int(num_heads, "num_heads", minimum=1)
        if hidden_size % num_heads:
            fail("num_heads", f"a divisor of hidden_size = {hidden_size}", num_heads)
        check_dim(hidden_size // num_heads, "head size hidden_size/num_heads")
        if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
            fail("dtype", "a floating torch.dtype", dtype, kind=TypeError)
        self.hidden_size = hidden_size  # C: model width
        self.num_heads = num_heads  # nh: number of heads
        self.head_size = hidden_size // num_heads  # hs = dim: rotated in pairs by RoPE
        self.base = check_float(base, "base", minimum=1.0)  # RoPE base b
        self.pairing = check_choice(pairing, "pairing", PAIRINGS)  # which dims form a pair
        self.form = check_choice(form, "form", FORMS)  # how apply_rope computes
        bias = check_bool(bias, "bias")
        device = pick_device(device)
        with fork_torch_rng(rng):
            self.qkv = nn.Linear(hidden_size, 3 * hidden_size, bias=bias, dtype=dtype)
            self.proj = nn.Linear(hidden_size, hidden_size, bias=bias, dtype=dtype)
        self.to(device)

    def _heads(self, x, positions):
        """x (B, T, C) → q, k, v, each (B, nh, T, hs), with RoPE applied to q and k."""
        if not is_tensor(x) or x.ndim != 3 or x.shape[-1] != self.hidden_size:
            fail("x", f"a torch tensor of shape (B, T, {self.hidden_size})", x,
                 kind=TypeError if not is_tensor(x) else ValueError)
        B, T, C = x.shape
        positions = T if positions is None else positions
        positions = as_positions(positions)
        if positions.shape[0] != T:
            fail("positions", f"one position per token ({T}, from x.shape[1])",
                 f"{positions.shape[0]} positions")
        q, k, v = (split_heads(t, self.num_heads)  # each (B, T, C) -> (B, nh, T, hs)
                   for t in self.qkv(x).split(C, dim=-1))
        q = apply_rope(q, positions, self.base, self.pairing, form=self.form)  # (B, nh, T, hs)
        k = apply_rope(k, positions, self.base, self.pairing, form=self.form)  # (B, nh, T, hs)
        return q, k, v

    def forward(
        self,
        x: torch.Tensor,
        positions: Any = None,
        *,
        causal: bool = False,
        backend: str = "sdpa",
    ) -> torch.Tensor:
        """Attend.

        Parameters
        ----------
        x : torch.Tensor
            ``(B, T, C)`` token vectors on the layer's device and dtype.
        positions : int or array_like, optional
            ``(T,)`` positions of the tokens; ``range(T)`` when None.
        causal : bool
            Mask the future (query ``t`` sees tokens ``0..t``).
        backend : {"sdpa", "naive"}
            :func:`sdpa_attention` or :func:`naive_attention`.

        Returns
        -------
        torch.Tensor
            ``(B, T, C)``.
        """
        backend = check_choice(backend, "backend", BACKENDS)
        q, k, v = self._heads(x, positions)  # each (B, nh, T, hs)
        attend = sdpa_attention if backend == "sdpa" else naive_attention
        y = attend(q, k, v, causal=causal)  # (B, nh, T, hs)
        return self.proj(merge_heads(y))  # (B, T, C)

    def scores(self, x: torch.Tensor, positions: Any = None) -> torch.Tensor:
        """The pre-softmax scores ``q_m · k_n / √hs`` after RoPE, ``(B, nh, T, T)``.

        Parameters
        ----------
        x, positions
            As for :meth:`forward`.
        """
        q, k, _ = self._heads(x, positions)  # each (B, nh, T, hs)
        return (q @ k.transpose(-2, -1)) / math.sqrt(self.head_size)  # (B, nh, T, T)

    def extra_repr(self) -> str:
        return (f"hidden_size={self.hidden_size}, num_heads={self.num_heads}, head_size={self.head_size}, "
                f"base={self.base:g}, pairing={self.pairing!r}, form={self.form!r}")

