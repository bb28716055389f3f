"""RoPE beyond one dimension: images, video, and interleaved text-image-video sequences.

What this module holds
----------------------
- :func:`grid_positions`: the integer coordinates of every cell of an image (h, w) or video
  (t, h, w) grid, in row-major order.
- :func:`axial_rope_angles` and :func:`apply_axial_rope`: RoPE-2D / N-D. The pairs are split
  into equal contiguous groups, one per axis; pairs never mix axes.
- :func:`mrope_position_ids`, :func:`mrope_axes` and :func:`apply_mrope`: Qwen2-VL's M-RoPE
  (contiguous t/h/w frequency sections) and Qwen3-VL's interleaved assignment.
- :func:`flat_position_ids`: the flatten-everything-to-1-D baseline.
- :func:`rope_tie_position_ids`: 2-D ids in the spirit of Su's RoPE-Tie.

A ``segments`` list describes a sequence: ``("text", n_tokens)``, ``("image", (t, h, w))`` or
``("video", (t, h, w))``, grids in patches before the spatial merge (as in Qwen2-VL's
``image_grid_thw``).

References
----------
- 苏剑林. Transformer升级之路:4、二维位置的旋转式位置编码. kexue.fm/archives/8397 (2021).
- 苏剑林. Transformer升级之路:17、多模态位置编码的简单思考. kexue.fm/archives/10040 (2024).
- 苏剑林. “闭门造车”之多模态思路浅谈(三):位置编码. kexue.fm/archives/10352 (2024).
- P. Wang et al. Qwen2-VL. arXiv:2409.12191 (2024), section 2.1 (M-RoPE).
- Hugging Face transformers 5.x ``Qwen2VLModel.get_rope_index``,
  ``Qwen2VLRotaryEmbedding`` and ``Qwen3VLTextRotaryEmbedding`` (cross-checked in
  ``tests/test_multidim.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    check_choice,
    check_dim,
    check_float,
    check_int,
    check_int_tuple,
    fail,
    is_tensor,
)
from rope_viz.rope import (
    FORMS,
    PAIRINGS,
    check_rope_input,
    rope_frequencies,
    rotate_with_angles,
)

__all__ = [
    "MROPE_LAYOUTS",
    "grid_positions",
    "axial_rope_angles",
    "apply_axial_rope",
    "mrope_position_ids",
    "mrope_axes",
    "apply_mrope",
    "flat_position_ids",
    "rope_tie_position_ids",
]

MROPE_LAYOUTS = ("contiguous", "interleaved")
_KINDS = ("text", "image", "video")


def grid_positions(shape: Any) -> np.ndarray:
    """Integer coordinates of every cell of a grid, row-major (last axis fastest).

    Parameters
    ----------
    shape : sequence of int
        Grid size per axis, e.g. ``(h, w)`` for an image or ``(t, h, w)`` for a video.

    Returns
    -------
    numpy.ndarray
        ``(prod(shape), len(shape))`` int64; row r holds the coordinates of the r-th cell.

    Raises
    ------
    ValueError, TypeError
        For a ``shape`` that is not a non-empty sequence of positive integers.

    Examples
    --------
    >>> grid_positions((2, 3)).T
    array([[0, 0, 0, 1, 1, 1],
           [0, 1, 2, 0, 1, 2]])
    """
    shape = check_int_tuple(shape, "shape", minimum=1)
    axes = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")  # k arrays of `shape`
    return np.stack([a.reshape(-1) for a in axes], axis=1).astype(np.int64)  # (prod, k)


def _as_nd_positions(positions: Any, name: str = "positions") -> np.ndarray:
    if is_tensor(positions):
        positions = positions.detach().cpu().numpy()
    if isinstance(positions, (str, bytes)) or positions is None:
        fail(name, "a 2-D array (n, axes) of numbers", positions, kind=TypeError)
    try:
        array = np.asarray(positions, dtype=np.float64)
    except (TypeError, ValueError):
        fail(name, "a 2-D array (n, axes) of numbers", positions, kind=TypeError)
    if array.ndim != 2 or array.shape[1] < 1:
        fail(name, "a 2-D array (n, axes), one row of coordinates per token", array)
    if not np.all(np.isfinite(array)):
        fail(name, "finite numbers", array)
    return array


def axial_rope_angles(positions: Any, dim: int, base: float = 10000.0) -> np.ndarray:
    """Angles of axial (N-D) RoPE: pair group a turns with coordinate a.

    The dim/2 pairs are cut into k equal contiguous groups (k = number of axes). Group a is a
    1-D RoPE of dimension dim/k on coordinate a: its pairs have frequencies
    base^(−2i/(dim/k)), i < dim/(2k). For an image with coordinates (y, x) that is Su's layout
    with half the pairs following one axis and half the other.

    Parameters
    ----------
    positions : array_like
        ``(n, k)`` coordinates per token, e.g. :func:`grid_positions`.
    dim : int
        Rotary dimension; must be divisible by 2k.
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(n, dim/2)`` float64 angles, pair order as in :func:`rope_viz.apply_rope`.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, a ``dim`` not divisible by 2k, or a bad ``base``.

    References
    ----------
    kexue.fm/archives/8397 (RoPE-2D).

    Examples
    --------
    >>> axial_rope_angles([[2, 5]], 4)
    array([[2., 5.]])
    """
    positions = _as_nd_positions(positions)
    dim = check_dim(dim)
    k = positions.shape[1]
    if dim % (2 * k):
        fail("dim", f"divisible by 2 x {k} axes so every axis gets whole pairs", dim)
    freqs = rope_frequencies(dim // k, base)  # (dim/(2k),)
    per_axis = positions[:, :, None] * freqs[None, None, :]  # (n, k, dim/(2k))
    return per_axis.reshape(positions.shape[0], dim // 2)  # (n, dim/2): axis 0's pairs first


def apply_axial_rope(
    x: Any,
    positions: Any,
    base: float = 10000.0,
    pairing: str = "interleaved",
    *,
    form: str = "elementwise",
):
    """Axial RoPE-2D / N-D on ``x``: pair group a is rotated by coordinate a.

    The relative property holds per axis: the score between tokens at coordinates u and v
    depends only on u − v.

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        ``(..., n, dim)``; same type, dtype and device come back.
    positions : array_like
        ``(n, k)`` coordinates (e.g. ``grid_positions((h, w))``).
    base : float
        RoPE base (> 1).
    pairing : {"interleaved", "half"}
        Which dimensions form pair i (see :func:`rope_viz.apply_rope`).
    form : {"elementwise", "complex", "matrix"}
        Computation, as in :func:`rope_viz.apply_rope`.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        ``(..., n, dim)``.

    Raises
    ------
    ValueError, TypeError
        For bad ``x``, ``positions`` (wrong shape, or a row count other than ``x.shape[-2]``),
        ``base``, ``pairing`` or ``form``.

    References
    ----------
    kexue.fm/archives/8397; Heo et al. 2024, Rotary Position Embedding for Vision Transformer,
    arXiv:2403.13298 (axial frequencies).

    Examples
    --------
    >>> import numpy as np
    >>> apply_axial_rope(np.ones((6, 8)), grid_positions((2, 3))).shape
    (6, 8)
    """
    pairing = check_choice(pairing, "pairing", PAIRINGS)
    form = check_choice(form, "form", FORMS)
    positions = _as_nd_positions(positions)
    x = check_rope_input(x, positions.shape[0])
    angles = axial_rope_angles(positions, x.shape[-1], base)  # (n, dim/2)
    return rotate_with_angles(x, angles, pairing, form)


# ---------------------------------------------------------------------------------------------
# multimodal sequences
# ---------------------------------------------------------------------------------------------


def _parse_segments(segments: Any, spatial_merge_size: int = 1) -> list:
    """Validate a segments list; returns [(kind, n_tokens) or (kind, (t, h', w'))] after merging."""
    if isinstance(segments, (str, bytes)) or not isinstance(segments, (list, tuple)):
        fail("segments", 'a list of ("text", n) / ("image", (t, h, w)) / ("video", (t, h, w))',
             segments, kind=TypeError)
    if not segments:
        fail("segments", "a non-empty list", segments)
    parsed = []
    for index, item in enumerate(segments):
        name = f"segments[{index}]"
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            fail(name, 'a pair like ("text", 5) or ("image", (1, 4, 6))', item, kind=TypeError)
        kind, spec = item
        kind = check_choice(kind, f"{name}[0]", _KINDS)
        if kind == "text":
            parsed.append((kind, check_int(spec, f"{name}[1]", minimum=1)))
            continue
        t, h, w = check_int_tuple(spec, f"{name}[1] (the {kind} grid t, h, w)", length=3, minimum=1)
        if h % spatial_merge_size or w % spatial_merge_size:
            fail(f"{name}[1]", f"a grid whose h and w are multiples of spatial_merge_size = {spatial_merge_size}",
                 spec)
        parsed.append((kind, (t, h // spatial_merge_size, w // spatial_merge_size)))
    return parsed


def mrope_position_ids(
    segments: Any,
    spatial_merge_size: int = 1,
    *,
    second_per_grid_t: float | None = None,
    tokens_per_second: float = 2.0,
) -> np.ndarray:
    """Qwen2-VL M-RoPE position ids (t, h, w) for a text / image / video sequence.

    Text tokens get t = h = w = their running 1-D position. A vision block starting at s with
    merged grid (T, H, W) gets ``t = s + frame``, ``h = s + row``, ``w = s + column`` (row-major
    over frame, row, column). The token after any block resumes at the largest id so far + 1.

    Where transformers versions differ: transformers 4.x ``get_rope_index`` resumes at the
    largest id + 1, as here; transformers 5.x advances by ``max(H, W)`` only, which lands on
    the same id unless a video has more frames than rows and columns (T > max(H, W)), where 5.x
    lets the next text reuse ids of the video's later frames. rope_viz follows the 4.x rule
    (and the Qwen2-VL paper's "max position id + 1"), because it keeps every text id past
    every vision id.

    Temporal ids: by default they count temporal patches (Qwen2-VL). With
    ``second_per_grid_t`` given, a video's temporal patch f gets
    ``t = s + floor(f · second_per_grid_t · tokens_per_second)`` (Qwen2.5-VL, "absolute
    time"): one temporal id per 1/tokens_per_second seconds of video, whatever the sampling
    rate. Images keep t = s. This is transformers' ``Qwen2_5_VLModel.get_rope_index`` rule
    (``time_interval = tokens_per_second * second_per_grid_t``, then ``.long()``); its
    processor sets ``second_per_grid_t = temporal_patch_size / fps`` (2 / fps), and the
    released Qwen2.5-VL configs set ``tokens_per_second = 2``. One ``second_per_grid_t``
    applies to every video of the sequence.

    Parameters
    ----------
    segments : list
        ``[("text", n), ("image", (t, h, w)), ("video", (t, h, w)), ...]``; grids in patches
        before merging (t temporal patches, h and w spatial patches).
    spatial_merge_size : int
        Patches merged per side before the language model (2 in Qwen2-VL); h and w must be
        multiples of it.
    second_per_grid_t : float, optional
        Seconds of video per temporal patch (> 0), e.g. 2 / fps; None (default) counts
        temporal patches as in Qwen2-VL.
    tokens_per_second : float
        Temporal ids per second of video (> 0) when ``second_per_grid_t`` is given.

    Returns
    -------
    numpy.ndarray
        ``(3, n)`` int64 ids (rows t, h, w), n = total number of tokens after merging.

    Raises
    ------
    ValueError, TypeError
        For a malformed segments list, an unknown kind, a grid that is not three positive
        integers, h, w not divisible by ``spatial_merge_size``, or a non-positive
        ``second_per_grid_t`` or ``tokens_per_second``.

    References
    ----------
    Wang et al. 2024, arXiv:2409.12191, section 2.1; transformers ``Qwen2VLModel.get_rope_index``.
    Bai et al. 2025, arXiv:2502.13923 (Qwen2.5-VL, absolute time); transformers
    ``Qwen2_5_VLModel.get_rope_index``.

    Examples
    --------
    >>> mrope_position_ids([("text", 2), ("image", (1, 2, 2)), ("text", 1)])
    array([[0, 1, 2, 2, 2, 2, 4],
           [0, 1, 2, 2, 3, 3, 4],
           [0, 1, 2, 3, 2, 3, 4]])
    >>> mrope_position_ids([("video", (3, 1, 1))], second_per_grid_t=1.0)[0]
    array([0, 2, 4])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    interval = 1.0
    if second_per_grid_t is not None:
        second_per_grid_t = check_float(second_per_grid_t, "second_per_grid_t", minimum=0.0)
        tokens_per_second = check_float(tokens_per_second, "tokens_per_second", minimum=0.0)
        interval = second_per_grid_t * tokens_per_second
    blocks, start = [], 0
    for kind, spec in _parse_segments(segments, spatial_merge_size):
        if kind == "text":
            ids = np.broadcast_to(np.arange(spec) + start, (3, spec))  # (3, n_text)
        else:
            ids = grid_positions(spec).T.copy()  # (3, t*h'*w'): frame, row, column
            if kind == "video" and second_per_grid_t is not None:
                ids[0] = np.floor(ids[0] * interval)  # temporal patch -> time id (float64)
            ids = ids + start
        blocks.append(ids)
        start = int(ids.max()) + 1
    return np.concatenate(blocks, axis=1).astype(np.int64)  # (3, n)


def flat_position_ids(segments: Any, spatial_merge_size: int = 1) -> np.ndarray:
    """1-D ids for the same sequence: every token, text or patch, one step after the last.

    Parameters
    ----------
    segments : list
        As in :func:`mrope_position_ids`.
    spatial_merge_size : int
        As in :func:`mrope_position_ids`.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` int64, ``arange(n)``.

    Raises
    ------
    ValueError, TypeError
        As :func:`mrope_position_ids`.

    Examples
    --------
    >>> flat_position_ids([("text", 2), ("image", (1, 2, 2))])
    array([0, 1, 2, 3, 4, 5])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    total = sum(spec if kind == "text" else int(np.prod(spec))
                for kind, spec in _parse_segments(segments, spatial_merge_size))
    return np.arange(total, dtype=np.int64)


def rope_tie_position_ids(segments: Any, spatial_merge_size: int = 1) -> np.ndarray:
    """2-D position ids for text and images after Su's RoPE-Tie idea.

    A text token at 1-D position p sits at (p, p), so pure text is ordinary RoPE. An image of
    (merged) H x W patches that follows position L is spread over the square (L, L + S] with
    S = max(H, W) + 1: patch (r, c), 1-based, sits at (L + r·S/(H + 1), L + c·S/(W + 1)), so
    both axes fill the same interval (L, L + S) whatever the aspect ratio, and the next text token lands at
    L + S, past every patch on both axes. This spacing rule (S = max(H, W) + 1) is this
    package's choice; Su's post discusses the scaling in more generality.

    Parameters
    ----------
    segments : list
        ``("text", n)`` and ``("image", (1, h, w))`` items (videos are not supported).
    spatial_merge_size : int
        As in :func:`mrope_position_ids`.

    Returns
    -------
    numpy.ndarray
        ``(2, n)`` float64 ids (rows: height axis, width axis).

    Raises
    ------
    ValueError, TypeError
        As :func:`mrope_position_ids`; also for a video or an image with t != 1.

    References
    ----------
    苏剑林. Transformer升级之路:17、多模态位置编码的简单思考. kexue.fm/archives/10040 (2024).

    Examples
    --------
    >>> rope_tie_position_ids([("text", 1), ("image", (1, 1, 2)), ("text", 1)])
    array([[0. , 1.5, 1.5, 3. ],
           [0. , 1. , 2. , 3. ]])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    blocks, last = [], -1.0
    for index, (kind, spec) in enumerate(_parse_segments(segments, spatial_merge_size)):
        if kind == "text":
            p = last + 1 + np.arange(spec, dtype=np.float64)  # (n_text,)
            blocks.append(np.stack([p, p]))  # (2, n_text)
            last = float(p[-1])
            continue
        t, h, w = spec
        if kind == "video" or t != 1:
            fail(f"segments[{index}]", "text or a single-frame image (t = 1) for RoPE-Tie", segments[index])
        span = max(h, w) + 1
        cells = grid_positions((h, w)) + 1  # (h*w, 2), 1-based row and column
        rows = last + cells[:, 0] * span / (h + 1)
        cols = last + cells[:, 1] * span / (w + 1)
        blocks.append(np.stack([rows, cols]))  # (2, h*w)
        last = last + span - 1  # the next text token goes to last + 1 = L + S
    return np.concatenate(blocks, axis=1)  # (2, n)


def mrope_axes(sections: Any = (16, 24, 24), layout: str = "contiguous") -> np.ndarray:
    """Which position axis (0 = t, 1 = h, 2 = w) drives each frequency slot of M-RoPE.

    ``"contiguous"`` (Qwen2-VL, Qwen2.5-VL): the first ``sections[0]`` slots follow t, the next
    ``sections[1]`` follow h, the rest follow w. ``"interleaved"`` (Qwen3-VL): slots cycle
    t, h, w, t, h, w, ...: slot i follows h when i % 3 == 1 and i < 3·sections[1], w when
    i % 3 == 2 and i < 3·sections[2], and t otherwise, so every axis gets high and low
    frequencies.

    Parameters
    ----------
    sections : sequence of 3 int
        Slots per axis; their sum is dim/2 (64 for head_dim 128).
    layout : {"contiguous", "interleaved"}
        Assignment rule.

    Returns
    -------
    numpy.ndarray
        ``(sum(sections),)`` int64 axis index per slot.

    Raises
    ------
    ValueError, TypeError
        For ``sections`` that are not three non-negative integers, or an unknown ``layout``.

    References
    ----------
    transformers ``Qwen2VLRotaryEmbedding.recomposition_frequencies`` and
    ``Qwen3VLTextRotaryEmbedding.recomposition_frequencies``.

    Examples
    --------
    >>> mrope_axes((2, 1, 1)).tolist(), mrope_axes((2, 1, 1), "interleaved").tolist()
    ([0, 0, 1, 2], [0, 1, 2, 0])
    """
    sections = check_int_tuple(sections, "sections", length=3, minimum=0)
    layout = check_choice(layout, "layout", MROPE_LAYOUTS)
    total = sum(sections)
    if total < 1:
        fail("sections", "three integers with a positive sum", sections)
    if layout == "contiguous":
        return np.repeat(np.arange(3), sections).astype(np.int64)
    axes = np.zeros(total, dtype=np.int64)
    for axis, offset in ((1, 1), (2, 2)):
        axes[offset : 3 * sections[axis] : 3] = axis
    if np.bincount(axes, minlength=3).tolist() != list(sections):
        fail("sections", "sections that the interleaved t/h/w cycle can honour (t >= h, t >= w)", sections)
    return axes


def apply_mrope(
    x: Any,
    position_ids: Any,
    sections: Any = (16, 24, 24),
    base: float = 10000.0,
    *,
    layout: str = "contiguous",
    form: str = "elementwise",
):
    """Multimodal RoPE (Qwen2-VL) on ``x``, half pairing.

    Frequency slot i (θ_i = base^(−2i/dim), pair (i, i + dim/2)) is turned by
    ``position_ids[axis_i, m] * θ_i`` where ``axis_i`` comes from :func:`mrope_axes`. When the
    three rows of ``position_ids`` are equal (text), this is exactly 1-D RoPE with pairing
    ``"half"``.

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        ``(..., n, dim)``; same type, dtype and device come back.
    position_ids : array_like
        ``(3, n)`` (t, h, w) ids, e.g. from :func:`mrope_position_ids`.
    sections : sequence of 3 int
        Slots per axis, ``sum(sections) == dim/2`` ((16, 24, 24) for head_dim 128 in Qwen2-VL,
        (24, 20, 20) in Qwen3-VL).
    base : float
        RoPE base (> 1); Qwen2-VL uses 1e6.
    layout : {"contiguous", "interleaved"}
        Qwen2-VL's contiguous sections or Qwen3-VL's interleaved cycle.
    form : {"elementwise", "complex", "matrix"}
        Computation, as in :func:`rope_viz.apply_rope`.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        ``(..., n, dim)``.

    Raises
    ------
    ValueError, TypeError
        For bad ``x``; ``position_ids`` not of shape (3, x.shape[-2]) or not finite; ``sections``
        that are not three integers summing to dim/2; bad ``base``, ``layout`` or ``form``.

    References
    ----------
    Wang et al. 2024, arXiv:2409.12191; transformers ``Qwen2VLRotaryEmbedding`` with
    ``apply_rotary_pos_emb`` (contiguous) and ``Qwen3VLTextRotaryEmbedding`` (interleaved).

    Examples
    --------
    >>> import numpy as np
    >>> ids = mrope_position_ids([("text", 2), ("image", (1, 2, 2))])
    >>> apply_mrope(np.ones((6, 8)), ids, sections=(2, 1, 1)).shape
    (6, 8)
    """
    form = check_choice(form, "form", FORMS)
    ids = _as_nd_positions(position_ids, "position_ids")  # (3, n)
    if ids.shape[0] != 3:
        fail("position_ids", "an array of shape (3, n): rows t, h, w", ids)
    x = check_rope_input(x, ids.shape[1])
    axes = mrope_axes(sections, layout)  # (dim/2,)
    dim = x.shape[-1]
    if axes.size != dim // 2:
        fail("sections", f"three integers summing to dim/2 = {dim // 2}", tuple(sections))
    freqs = rope_frequencies(dim, base)  # (dim/2,)
    angles = ids[axes, :].T * freqs[None, :]  # (n, dim/2): slot i uses row axes[i]
    return rotate_with_angles(x, angles, "half", form)
