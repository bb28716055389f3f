"""Decoupled RoPE in multi-head latent attention (MLA): why DeepSeek rotates a separate slice.

What this module holds
----------------------
- :func:`mla_weights`: random projections of one MLA layer (rng contract of the package).
- :func:`mla_scores`: the attention logits of that layer computed two ways, ``form="naive"``
  (training / prefill: up-project every cached latent to per-head keys) and
  ``form="absorbed"`` (decoding: fold the key up-projection into the query, cache only the
  latent), for three placements of RoPE (``rope="none"``, ``"compressed"``, ``"decoupled"``).
- :func:`mla_absorbed_queries`: the query that a latent-only cache would need, key position by
  key position; absorption works exactly when it does not depend on the key's position.
- :func:`mla_absorption_check`: the two checks above as numbers, for one setting.

Notation (Su, kexue.fm/archives/11111, row vectors; DeepSeek-V2 writes the transposes):
a token ``x_i`` (d_model,) is compressed to the latent ``c_i = x_i W_c`` (latent_dim,), the one
vector per token the cache keeps. Head s has query ``q_i = x_i W_q^(s)`` and key
``k_i = c_i W_k^(s)`` (head_dim each), so its score is::

    q_t k_i^T = x_t W_q^(s) W_k^(s)^T c_i^T = (x_t [W_q^(s) W_k^(s)^T]) c_i^T

and the bracket, one (d_model, latent_dim) matrix per head, can be computed once: at decoding
the query becomes ``x_t W_q^(s) W_k^(s)^T`` (latent_dim,) and every head attends to the same
cached ``c_i`` (Su: MLA decodes as an MQA whose keys are the latents themselves).

RoPE on those keys (``rope="compressed"``) turns the score into
``x_t W_q^(s) R_t R_i^T W_k^(s)^T c_i^T = x_t W_q^(s) R_(t-i) W_k^(s)^T c_i^T``: a rotation that
depends on the pair's offset now sits between ``W_q`` and ``W_k``, matrix products do not
commute, so no single matrix can be folded into the query; the decoder must rebuild the keys
of every cached token at every step (DeepSeek-V2, section 2.1.3). The fix (``"decoupled"``,
DeepSeek-V2/V3, ``qk_rope_head_dim``): keep the latent part position-free and add a small
separate slice: query ``x_t W_qr^(s)`` rotated by ``R_t``, key ``x_i W_kr`` rotated by ``R_i``
once, when token i is written, and shared by all heads. The cache holds ``[c_i, k^R_i]``
(latent_dim + rope_dim numbers per token) and both parts are absorbed exactly.

Rotations use :func:`rope_viz.apply_rope` (``pairing="half"`` by default, the rotate-half
layout of DeepSeek's Hugging Face code; any pairing works). Queries carry DeepSeek's query
compression in the real model; it changes nothing here and is left out.

References
----------
- DeepSeek-AI. DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts Language
  Model. arXiv:2405.04434 (2024), section 2.1 (low-rank key-value compression, decoupled RoPE)
  and appendix (absorbing ``W^UK`` into ``W^Q``).
- 苏剑林. Transformer升级之路:20、MLA好在哪里?(上). kexue.fm/archives/10907 (2025): MLA trains
  as an MHA with head size 128 + 64 and decodes as a key-value-shared MQA with 512 + 64; the
  [nope, rope] concatenation is a partial RoPE.
- 苏剑林. Transformer升级之路:21、MLA好在哪里?(下). kexue.fm/archives/11111 (2025): the
  training and decoding forms, the identity that lets ``W_k`` move to the query side only
  without RoPE, and the shared low-dimensional RoPE key concatenated to K.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_choice,
    check_dim,
    check_float,
    check_generator,
    check_int,
    fail,
)
from rope_viz.rope import PAIRINGS, apply_rope

__all__ = [
    "MLA_ROPE_PLACEMENTS",
    "MLA_FORMS",
    "mla_weights",
    "mla_scores",
    "mla_absorbed_queries",
    "mla_absorption_check",
]

MLA_ROPE_PLACEMENTS = ("none", "compressed", "decoupled")
MLA_FORMS = ("naive", "absorbed")

# name -> (axes described from the front, with the size keys of mla_weights)
_WEIGHT_SHAPES = {
    "w_c": ("d_model", "latent_dim"),
    "w_q": ("num_heads", "d_model", "head_dim"),
    "w_k": ("num_heads", "latent_dim", "head_dim"),
    "w_qr": ("num_heads", "d_model", "rope_dim"),
    "w_kr": ("d_model", "rope_dim"),
}


def mla_weights(d_model: int = 32, latent_dim: int = 8, num_heads: int = 2, head_dim: int = 8,
                rope_dim: int = 4, *, rng: Any = 0) -> dict:
    """Random projections of one MLA layer, Gaussian with variance 1/fan-in.

    Parameters
    ----------
    d_model : int
        Size of a token's hidden state x.
    latent_dim : int
        Size of the cached latent c = x W_c (DeepSeek's ``kv_lora_rank``, 512 in V2/V3).
    num_heads : int
        Number of query heads.
    head_dim : int
        Size of each head's position-free query/key part (``qk_nope_head_dim``, 128 in V2/V3);
        even, since ``rope="compressed"`` rotates it.
    rope_dim : int
        Size of the decoupled RoPE slice (``qk_rope_head_dim``, 64 in V2/V3); even.
    rng : int or numpy.random.Generator
        The package's random-number contract: an int seed gives the same weights on every call.

    Returns
    -------
    dict
        ``w_c`` (d_model, latent_dim), ``w_q`` (num_heads, d_model, head_dim),
        ``w_k`` (num_heads, latent_dim, head_dim), ``w_qr`` (num_heads, d_model, rope_dim),
        ``w_kr`` (d_model, rope_dim): numpy float64 arrays.

    Examples
    --------
    >>> w = mla_weights(d_model=16, latent_dim=4, num_heads=3, head_dim=6, rope_dim=2, rng=0)
    >>> {name: w[name].shape for name in ("w_c", "w_k", "w_kr")}
    {'w_c': (16, 4), 'w_k': (3, 4, 6), 'w_kr': (16, 2)}
    """
    sizes = dict(
        d_model=check_int(d_model, "d_model", minimum=1),
        latent_dim=check_int(latent_dim, "latent_dim", minimum=1),
        num_heads=check_int(num_heads, "num_heads", minimum=1),
        head_dim=check_dim(head_dim, "head_dim"),
        rope_dim=check_dim(rope_dim, "rope_dim"),
    )
    generator = check_generator(rng)
    weights = {}
    for name, axes in _WEIGHT_SHAPES.items():
        shape = tuple(sizes[axis] for axis in axes)
        weights[name] = generator.standard_normal(shape) / np.sqrt(shape[-2])  # fan-in = rows
    return weights


def _check_weights(weights: Any) -> dict:
    """Validate an mla_weights dict: every matrix present, real, and of matching sizes."""
    if not isinstance(weights, dict):
        fail("weights", "a dict of projections as made by mla_weights", weights, kind=TypeError)
    missing = [name for name in _WEIGHT_SHAPES if name not in weights]
    if missing:
        fail("weights", f"a dict with keys {', '.join(_WEIGHT_SHAPES)}", weights,
             f"missing {', '.join(missing)}")
    checked, sizes = {}, {}
    for name, axes in _WEIGHT_SHAPES.items():
        array = check_array(weights[name], f"weights[{name!r}]", ndim=len(axes), nonempty=True,
                            what=f"an array of shape ({', '.join(axes)})")
        for axis, size in zip(axes, array.shape):
            if sizes.setdefault(axis, size) != size:
                fail(f"weights[{name!r}]", f"an array whose {axis} axis has size {sizes[axis]} "
                     "(as in the other weights)", array)
        checked[name] = array
    for axis in ("head_dim", "rope_dim"):
        if sizes[axis] % 2:
            fail(f"weights (the {axis} axis)", "of even size", sizes[axis],
                 "RoPE rotates pairs of dimensions")
    return checked


def _rotate(v: np.ndarray, positions: np.ndarray, base: float, pairing: str) -> np.ndarray:
    return apply_rope(v, positions, base, pairing=pairing)  # (..., n, dim)


def mla_scores(x: Any, weights: Any, positions: Any = None, *, rope: str = "decoupled",
               form: str = "naive", base: float = 10000.0, pairing: str = "half") -> np.ndarray:
    """Attention logits ``q_t · k_i`` of one MLA layer, every head, every pair of tokens.

    Parameters
    ----------
    x : array (n, d_model)
        Hidden states of n tokens.
    weights : dict
        From :func:`mla_weights`.
    positions : array (n,), optional
        Token positions (default ``arange(n)``).
    rope : {"none", "compressed", "decoupled"}
        ``"none"``: no position at all (the NoPE part alone). ``"compressed"``: RoPE on each
        head's query ``x W_q`` and on the key up-projected from the latent, ``c W_k``.
        ``"decoupled"``: the position-free part plus DeepSeek's separate slice,
        ``(x_t W_qr R_t) · (x_i W_kr R_i)``, its key shared by every head.
    form : {"naive", "absorbed"}
        ``"naive"``: build each head's keys from the cached latents, then dot with the queries
        (training and prefill). ``"absorbed"``: fold ``W_k`` into the query once,
        ``x_t (W_q W_k^T)``, and dot with the cached latents themselves (decoding); the
        decoupled slice's key is rotated once, when the token is cached. With
        ``rope="compressed"`` the absorbed query has no place for the offset's rotation: it is
        ``x_t W_q R_t R_t^T W_k^T``, the rotation cancels, and these logits carry no position,
        which is the failure this module shows.
    base : float
        RoPE base (> 0).
    pairing : {"interleaved", "half"}
        As in :func:`rope_viz.apply_rope`.

    Returns
    -------
    numpy.ndarray
        ``(num_heads, n, n)``: entry [s, t, i] is head s's logit of query t on key i (no
        ``1/sqrt(d)`` scale, no mask, no softmax).

    Raises
    ------
    ValueError, TypeError
        For a malformed ``weights`` dict, ``x`` of the wrong shape, positions of the wrong
        length, an unknown ``rope`` / ``form`` / ``pairing``, or a non-positive ``base``.

    Examples
    --------
    >>> w = mla_weights(rng=0)
    >>> x = np.random.default_rng(1).standard_normal((5, 32))
    >>> naive, absorbed = (mla_scores(x, w, form=f) for f in ("naive", "absorbed"))
    >>> bool(np.allclose(naive, absorbed))
    True
    >>> bool(np.allclose(mla_scores(x, w, rope="compressed"),
    ...                  mla_scores(x, w, rope="compressed", form="absorbed")))
    False
    """
    w = _check_weights(weights)
    rope = check_choice(rope, "rope", MLA_ROPE_PLACEMENTS)
    form = check_choice(form, "form", MLA_FORMS)
    pairing = check_choice(pairing, "pairing", PAIRINGS)
    base = check_float(base, "base", minimum=0.0)
    d_model = w["w_c"].shape[0]
    x = check_array(x, "x", ndim=2, shape=(None, d_model), nonempty=True,
                    what=f"an array of shape (n, d_model = {d_model})")
    n = x.shape[0]
    positions = np.arange(n, dtype=np.float64) if positions is None else as_positions(positions)
    if positions.shape[0] != n:
        fail("positions", f"{n} positions, one per row of x", positions)

    c = x @ w["w_c"]  # (n, latent_dim): the cache of the position-free part
    q = np.einsum("nd,hdk->hnk", x, w["w_q"])  # (h, n, head_dim)
    if form == "naive":
        k = np.einsum("nc,hck->hnk", c, w["w_k"])  # (h, n, head_dim): keys rebuilt per head
        if rope == "compressed":
            q, k = _rotate(q, positions, base, pairing), _rotate(k, positions, base, pairing)
        scores = q @ k.transpose(0, 2, 1)  # (h, n, n)
    else:
        absorbed = w["w_q"] @ w["w_k"].transpose(0, 2, 1)  # (h, d_model, latent_dim), once
        q_latent = np.einsum("nd,hdc->hnc", x, absorbed)  # (h, n, latent_dim)
        scores = q_latent @ c.T  # (h, n, n): every head reads the same cached latents
    if rope == "decoupled":
        q_rope = _rotate(np.einsum("nd,hdr->hnr", x, w["w_qr"]), positions, base, pairing)
        k_rope = _rotate(x @ w["w_kr"], positions, base, pairing)  # (n, rope_dim), cached
        scores = scores + q_rope @ k_rope.T  # (h, n, n)
    return scores


def mla_absorbed_queries(x_query: Any, weights: Any, query_position: float,
                         key_positions: Any, *, rope: str = "compressed", base: float = 10000.0,
                         pairing: str = "half") -> np.ndarray:
    """The latent-space query a cache of latents would need, for each key position.

    A cache that keeps only ``c_i`` can answer head s's score ``q_t · k_i`` with one dot
    product ``q~ · c_i`` when ``q~ = x_t W_q^(s) M W_k^(s)^T`` with ``M`` the rotation between
    them: the identity for ``rope="none"`` (and for the latent part of ``"decoupled"``, whose
    rotated slice is cached apart), ``R_t R_i^T = R_(t-i)`` for ``rope="compressed"``.
    Absorption works exactly when the rows returned here are all equal.

    Parameters
    ----------
    x_query : array (d_model,)
        Hidden state of the query token.
    weights : dict
        From :func:`mla_weights`.
    query_position : float
        The query's position t.
    key_positions : array (m,)
        Positions i of cached tokens.
    rope, base, pairing
        As in :func:`mla_scores`.

    Returns
    -------
    numpy.ndarray
        ``(m, num_heads, latent_dim)``: row j is the absorbed query that gives the exact score
        against a key at ``key_positions[j]``.

    Examples
    --------
    >>> w = mla_weights(rng=0)
    >>> x = np.random.default_rng(1).standard_normal(32)
    >>> q = mla_absorbed_queries(x, w, 9, [0, 4, 9])
    >>> bool(np.allclose(q[0], q[2]))  # keys 9 and 0 steps back need different queries
    False
    >>> q = mla_absorbed_queries(x, w, 9, [0, 4, 9], rope="decoupled")
    >>> bool(np.allclose(q[0], q[2]))
    True
    """
    w = _check_weights(weights)
    rope = check_choice(rope, "rope", MLA_ROPE_PLACEMENTS)
    pairing = check_choice(pairing, "pairing", PAIRINGS)
    base = check_float(base, "base", minimum=0.0)
    d_model = w["w_c"].shape[0]
    x_query = check_array(x_query, "x_query", ndim=1, shape=(d_model,),
                          what=f"an array of shape (d_model = {d_model},)")
    query_position = check_float(query_position, "query_position")
    key_positions = as_positions(key_positions, "key_positions")
    q = np.einsum("d,hdk->hk", x_query, w["w_q"])  # (h, head_dim)
    if rope == "compressed":
        # q R_t R_i^T = (q R_t) rotated back by i: RoPE by -i of the query rotated by t
        q_t = _rotate(q[:, None, :], [query_position], base, pairing)[:, 0]  # (h, head_dim)
        q_ti = _rotate(np.broadcast_to(q_t[:, None, :], (q.shape[0], key_positions.size, q.shape[1])),
                       -key_positions, base, pairing)  # (h, m, head_dim): q R_(t-i)
    else:
        q_ti = np.broadcast_to(q[:, None, :], (q.shape[0], key_positions.size, q.shape[1]))
    absorbed = np.einsum("hmk,hck->mhc", q_ti, w["w_k"])  # (m, h, latent_dim): ... W_k^T
    return absorbed


def mla_absorption_check(weights: Any = None, *, n: int = 16, rng: Any = 0, base: float = 10000.0,
                         pairing: str = "half") -> list:
    """For each RoPE placement: does the absorbed form give the naive logits exactly?

    Draws ``n`` random tokens (rng contract), computes :func:`mla_scores` both ways, and the
    spread of :func:`mla_absorbed_queries` over the n key positions for the last query.

    Parameters
    ----------
    weights : dict, optional
        From :func:`mla_weights` (default ``mla_weights(rng=rng)``).
    n : int
        Number of tokens (>= 2).
    rng : int or numpy.random.Generator
        Random-number contract of the package.
    base, pairing
        As in :func:`mla_scores`.

    Returns
    -------
    list of dict
        One row per placement: ``rope``, ``max_score_error`` (largest absolute difference
        between naive and absorbed logits), ``relative_error`` (that over the largest
        absolute naive logit), ``query_spread`` (largest distance between the absorbed queries
        needed for different key positions, over the largest query's norm), ``cache_per_token``
        (numbers the absorbed form caches per token: latent_dim, plus rope_dim when
        decoupled) and ``absorbs`` (relative error and spread both below 1e-9).

    Examples
    --------
    >>> [(row["rope"], row["absorbs"]) for row in mla_absorption_check(rng=0)]
    [('none', True), ('compressed', False), ('decoupled', True)]
    """
    n = check_int(n, "n", minimum=2)
    generator = check_generator(rng)
    w = mla_weights(rng=generator) if weights is None else _check_weights(weights)
    d_model, latent_dim = w["w_c"].shape
    rope_dim = w["w_kr"].shape[1]
    x = generator.standard_normal((n, d_model))
    rows = []
    for rope in MLA_ROPE_PLACEMENTS:
        naive = mla_scores(x, w, rope=rope, base=base, pairing=pairing)
        absorbed = mla_scores(x, w, rope=rope, form="absorbed", base=base, pairing=pairing)
        error = float(np.abs(naive - absorbed).max())
        relative = error / float(np.abs(naive).max())
        queries = mla_absorbed_queries(x[-1], w, n - 1, np.arange(n), rope=rope, base=base,
                                       pairing=pairing)  # (n, h, latent_dim)
        scale = float(np.linalg.norm(queries, axis=-1).max())
        spread = float(np.linalg.norm(queries - queries[-1], axis=-1).max()) / scale
        rows.append(dict(rope=rope, max_score_error=error, relative_error=relative,
                         query_spread=spread,
                         cache_per_token=latent_dim + (rope_dim if rope == "decoupled" else 0),
                         absorbs=bool(relative < 1e-9 and spread < 1e-9)))
    return rows
