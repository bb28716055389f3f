"""Train short, test long: Su Jianlin's length-extrapolation techniques, as functions.

Each function here is one technique of Su's series on length extrapolation, written as its post
writes it, in a form :class:`rope_viz.tiny_model.TinyTransformer` can switch on (the model
calls these functions; :mod:`rope_viz.experiments` races them).

What this module holds
----------------------
- :func:`logn_scale`: the log n factor on the logits of query i, ln(i+1)/ln(L) (kexue.fm/archives/
  8823, 9444, 9603), or its clipped form max(1, ln(i+1)/ln(L)) that leaves a trained model
  alone up to L (9706's "log n†", 9948's λ_n).
- :func:`window_mask`: which keys a query sees under a window of w tokens, itself included:
  the local attention of 9431 (w = the training length, at inference) and the window layers
  of HWFA (9603, 9731).
- :func:`key_norm`: KeyNorm (9859): keys divided by their length, logits q·k/‖k‖.
- :func:`rerope_scores`: the scores of ReRoPE and Leaky ReRoPE (9708) by the post's two
  attention passes, and of inverse Leaky ReRoPE (9728: the same with k < 1, in training).
- :func:`rope_scores_at`: RoPE scores at any matrix of relative positions, one per (query,
  key): the direct, slow definition that :func:`rerope_scores` is checked against.

Frequency rules (NTK-RoPE-mixed, 9706) live with the others in :mod:`rope_viz.scaling`
(``scaled_frequencies(..., "ntk-mixed", factor=s)``); the relative positions of ReRoPE and
Leaky ReRoPE are :func:`rope_viz.rerope_relative_positions` and
:func:`rope_viz.leaky_rerope_relative_positions`.

Conventions: positions are 0-based; i is the query, j the key, and the distance is i − j (the
house sign, :mod:`rope_viz.relative`). Scores are q·k before any 1/√d. RoPE pairs dims
(p, p + d/2) (``pairing="half"``, the tiny model's).

References
----------
- 苏剑林. 从熵不变性看Attention的Scale操作. kexue.fm/archives/8823 (2021).
- 苏剑林. Transformer升级之路:7、长度外推性与局部注意力. kexue.fm/archives/9431 (2023).
- 苏剑林. Transformer升级之路:8、长度外推性与位置鲁棒性. kexue.fm/archives/9444 (2023).
- 苏剑林. Transformer升级之路:9、一种全局长度外推的新思路. kexue.fm/archives/9603 (2023).
- 苏剑林. Transformer升级之路:11、将β进制位置进行到底. kexue.fm/archives/9706 (2023).
- 苏剑林. Transformer升级之路:12、无限外推的ReRoPE?. kexue.fm/archives/9708 (2023).
- 苏剑林. Transformer升级之路:13、逆用Leaky ReRoPE. kexue.fm/archives/9728 (2023).
- 苏剑林. Transformer升级之路:15、Key归一化助力长度外推. kexue.fm/archives/9859 (2023).
- 苏剑林. Transformer升级之路:16、"复盘"长度外推技术. kexue.fm/archives/9948 (2024).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from rope_viz._validation import check_array, check_bool, check_float, check_int, fail
from rope_viz.relative import relative_position_matrix
from rope_viz.rope import apply_rope, rope_frequencies

__all__ = ["logn_scale", "window_mask", "key_norm", "rerope_scores", "rope_scores_at"]


def logn_scale(length: int, train_length: int, *, clip: bool = True) -> np.ndarray:
    """The log n factor on the logits of each query: ln(i + 1) / ln(L), or max(1, that).

    Query i (0-based) of a causal model averages over n = i + 1 keys. Su's entropy argument
    (kexue.fm/archives/8823, recalled in 9444 as softmax(log_m n · QKᵀ/√d) with m the training
    length) multiplies its logits by log_L n, so that attention over more keys than in training
    does not spread thinner. ``clip=True`` is the form for a model trained without it,
    max(1, log_L n): 1 up to the training length, so nothing changes there (9706's "log n†",
    9948's λ_n); ``clip=False`` is the factor a model is trained with (HWFA's full layer, 9603).

    Parameters
    ----------
    length : int
        Number of queries T (>= 1).
    train_length : int
        L, the training length in tokens (>= 2).
    clip : bool
        Clip below at 1 (default).

    Returns
    -------
    numpy.ndarray
        ``(length,)`` float64 factors, query i's at index i.

    Raises
    ------
    ValueError, TypeError
        For a bad ``length``, ``train_length`` or ``clip``.

    Examples
    --------
    >>> logn_scale(4, 2)  # ln(i+1)/ln 2, at least 1
    array([1.       , 1.       , 1.5849625, 2.       ])
    >>> logn_scale(4, 2, clip=False)[0]
    np.float64(0.0)
    """
    length = check_int(length, "length", minimum=1)
    train_length = check_int(train_length, "train_length", minimum=2)
    clip = check_bool(clip, "clip")
    scale = np.log(np.arange(1, length + 1, dtype=np.float64)) / math.log(train_length)  # (T,)
    return np.maximum(scale, 1.0) if clip else scale


def window_mask(length: int, window: int) -> np.ndarray:
    """Causal local attention: query i sees key j when 0 ≤ i − j < w (w tokens, itself included).

    With w = the training length this is Su's "super-strong baseline" of kexue.fm/archives/9431,
    applied at inference only: no query sees more tokens, or a larger distance, than in
    training. HWFA (9603) uses it in every layer but the last, in training too; its stacked
    receptive field of L layers is (w − 1)·L + 1, which fixes this reading of w.

    Parameters
    ----------
    length : int
        Sequence length T (>= 1).
    window : int
        w (>= 1); w >= T gives the plain causal mask.

    Returns
    -------
    numpy.ndarray
        ``(T, T)`` bool, indexed [query i, key j], True where the key is seen.

    Raises
    ------
    ValueError, TypeError
        For a bad ``length`` or ``window``.

    Examples
    --------
    >>> window_mask(4, 2).astype(int)
    array([[1, 0, 0, 0],
           [1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """
    length = check_int(length, "length", minimum=1)
    window = check_int(window, "window", minimum=1)
    distance = relative_position_matrix(length)  # (T, T): i − j
    return (distance >= 0) & (distance < window)


def _check_tensor(x: Any, name: str) -> torch.Tensor:
    if not torch.is_tensor(x) or not x.is_floating_point() or x.ndim < 2:
        fail(name, "a floating-point torch tensor of shape (..., T, d)", x, kind=TypeError)
    return x


def key_norm(keys: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """KeyNorm: every key divided by its length, k/‖k‖ (kexue.fm/archives/9859).

    Su's KNA takes the logits as q_i·k_j/‖k_j‖ = ‖q_i‖ cos(q_i, k_j), with no 1/√d and no learned
    gain: the only way left to raise a key's weight is its angle to the query, which, he argues,
    is then trained better. RoPE turns vectors without changing their length, so normalising
    before or after RoPE gives the same logits.

    Parameters
    ----------
    keys : torch.Tensor
        ``(..., T, d)`` keys.
    eps : float
        Floor on the length (> 0), against a zero key.

    Returns
    -------
    torch.Tensor
        ``(..., T, d)``, each row of length 1.

    Raises
    ------
    TypeError, ValueError
        For keys that are not a floating tensor, or a bad ``eps``.
    """
    keys = _check_tensor(keys, "keys")
    eps = check_float(eps, "eps", minimum=0.0)
    return keys / keys.norm(dim=-1, keepdim=True).clamp_min(eps)


def _frequencies(inv_freq: Any, dim: int) -> np.ndarray:
    if inv_freq is None:
        return rope_frequencies(dim)
    return check_array(inv_freq, "inv_freq", ndim=1, shape=(dim // 2,),
                       what=f"a 1-D array of d/2 = {dim // 2} frequencies")


def rope_scores_at(queries: torch.Tensor, keys: torch.Tensor, distances: Any, *,
                   inv_freq: Any = None) -> torch.Tensor:
    """RoPE scores with any relative position per (query, key): q_i·R(−D_ij) k_j.

    Plain RoPE has D_ij = i − j. ReRoPE, Leaky ReRoPE and inverse Leaky ReRoPE replace D by
    :func:`rope_viz.rerope_relative_positions` or :func:`rope_viz.leaky_rerope_relative_positions`;
    no rotation of q and k alone gives such a D, so this computes every pair's angle directly,
    O(T²·d): pair p (dims p, p + d/2) of q = (a, b) and k = (c, e) adds
    (ac + be)·cos(D θ_p) + (ae − bc)·sin(D θ_p).

    Parameters
    ----------
    queries, keys : torch.Tensor
        ``(..., T, d)`` and ``(..., S, d)``, un-rotated, d even.
    distances : array_like
        ``(T, S)`` relative positions D (any real numbers).
    inv_freq : array_like, optional
        ``(d/2,)`` frequencies θ_p (default RoPE's, base 10000).

    Returns
    -------
    torch.Tensor
        ``(..., T, S)`` scores, in float64.

    Raises
    ------
    TypeError, ValueError
        For tensors of the wrong kind or shape, or distances of the wrong shape.
    """
    queries, keys = _check_tensor(queries, "queries"), _check_tensor(keys, "keys")
    d = queries.shape[-1]
    if d % 2 or keys.shape[-1] != d:
        fail("keys", f"a tensor with the queries' even last axis ({d})", tuple(keys.shape))
    theta = torch.as_tensor(_frequencies(inv_freq, d), dtype=torch.float64)  # (d/2,)
    distances = check_array(distances, "distances", ndim=2,
                            shape=(queries.shape[-2], keys.shape[-2]))  # (T, S)
    angle = torch.as_tensor(distances, dtype=torch.float64)[..., None] * theta  # (T, S, d/2)
    h = d // 2
    q, k = queries.double(), keys.double()
    a, b = q[..., None, :h], q[..., None, h:]  # (..., T, 1, d/2)
    c, e = k[..., None, :, :h], k[..., None, :, h:]  # (..., 1, S, d/2)
    return ((a * c + b * e) * angle.cos() + (a * e - b * c) * angle.sin()).sum(-1)  # (..., T, S)


def rerope_scores(queries: torch.Tensor, keys: torch.Tensor, window: int,
                  k: float = math.inf, *, inv_freq: Any = None) -> torch.Tensor:
    """ReRoPE's (k = ∞) or Leaky ReRoPE's scores, by the two attention passes of kexue.fm/archives/9708.

    Inside the window (i − j < w) the score is RoPE's, from q and k rotated to their own
    positions. Beyond it the distance must be w + (i − j − w)/k, which one rotation of q and k
    cannot give for every pair at once, so a second pass rotates q to (i − w)/k + w and k to j/k
    (ReRoPE: q to w, k not at all) and each score is taken from one pass or the other:

        a¹_ij = (R^i q_i)·(R^j k_j),   a²_ij = (R^((i−w)/k+w) q_i)·(R^(j/k) k_j),
        score_ij = a¹_ij if i − j < w else a²_ij.

    With k > 1 far distances are compressed (inference, 9708); with k < 1 they are stretched:
    inverse Leaky ReRoPE (9728) trains with k = 1/16 and then runs plain RoPE.

    Parameters
    ----------
    queries, keys : torch.Tensor
        ``(..., T, d)`` each, un-rotated, d even (pairs (p, p + d/2)).
    window : int
        w (>= 1).
    k : float
        The slope's inverse beyond the window (> 0); ``math.inf`` (default) is ReRoPE.
    inv_freq : array_like, optional
        ``(d/2,)`` frequencies (default RoPE's, base 10000).

    Returns
    -------
    torch.Tensor
        ``(..., T, T)`` scores (no 1/√d), in the queries' dtype; for j > i they are whatever
        the passes give (a causal mask removes them).

    Raises
    ------
    TypeError, ValueError
        For tensors of the wrong kind or shape, a bad ``window`` or ``k``.

    Examples
    --------
    >>> import torch
    >>> from rope_viz import rerope_relative_positions
    >>> q, k = torch.randn(2, 5, 8, dtype=torch.float64), torch.randn(2, 5, 8, dtype=torch.float64)
    >>> direct = rope_scores_at(q, k, rerope_relative_positions(5, 2))
    >>> bool(torch.allclose(rerope_scores(q, k, 2).tril(), direct.tril()))
    True
    """
    queries, keys = _check_tensor(queries, "queries"), _check_tensor(keys, "keys")
    T, d = queries.shape[-2], queries.shape[-1]
    if keys.shape[-2:] != queries.shape[-2:]:
        fail("keys", f"a tensor of the queries' last two axes {tuple(queries.shape[-2:])}",
             tuple(keys.shape))
    window = check_int(window, "window", minimum=1)
    k = check_float(k, "k", minimum=0.0) if k != math.inf else k
    freqs = _frequencies(inv_freq, d)
    positions = np.arange(T, dtype=np.float64)
    near = (apply_rope(queries, positions, pairing="half", inv_freq=freqs)
            @ apply_rope(keys, positions, pairing="half", inv_freq=freqs).transpose(-2, -1))
    if k == math.inf:  # ReRoPE: every far key sits at distance w
        q_far = apply_rope(queries, np.full(T, float(window)), pairing="half", inv_freq=freqs)
        far = q_far @ keys.transpose(-2, -1)  # (..., T, T)
    else:
        q_far = apply_rope(queries, (positions - window) / k + window, pairing="half",
                           inv_freq=freqs)
        far = q_far @ apply_rope(keys, positions / k, pairing="half",
                                 inv_freq=freqs).transpose(-2, -1)  # (..., T, T)
    inside = torch.as_tensor(relative_position_matrix(T) < window, device=queries.device)  # (T, T)
    return torch.where(inside, near, far)
