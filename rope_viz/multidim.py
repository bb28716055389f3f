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
- :func:`rope_tie_position_ids`: 2-D ids of Su's RoPE-Tie (kexue.fm/archives/10040).
- :func:`rope_tv_position_ids`: 2-D / 3-D ids of Su's RoPE-TV (kexue.fm/archives/10352).
- :func:`multimodal_principles` and :func:`principles_markdown`: score every scheme above
  against 10352's three principles (compatibility, equivalence, symmetry) on a layout.

A ``segments`` list describes a sequence: ``("text", n_tokens)``, ``("image", (t, h, w))`` or
``("video", (t, h, w))``, grids in patches before the spatial merge (as in Qwen2-VL's
``image_grid_thw``).

References
----------
- 苏剑林. Transformer升级之路:4、二维位置的旋转式位置编码. kexue.fm/archives/8397 (2021).
- 苏剑林. Transformer升级之路:17、多模态位置编码的简单思考. kexue.fm/archives/10040 (2024).
- 苏剑林. “闭门造车”之多模态思路浅谈(三):位置编码. kexue.fm/archives/10352 (2024).
- P. Wang et al. Qwen2-VL. arXiv:2409.12191 (2024), section 2.1 (M-RoPE).
- Hugging Face transformers 4.x and 5.x ``Qwen2VLModel.get_rope_index`` (the two resume
  rules of :func:`mrope_position_ids`),
  ``Qwen2VLRotaryEmbedding`` and ``Qwen3VLTextRotaryEmbedding`` (cross-checked in
  ``tests/test_multidim.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    check_array,
    check_choice,
    check_dim,
    check_float,
    check_int,
    check_int_tuple,
    fail,
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
    "MROPE_RESUME_RULES",
    "grid_positions",
    "axial_rope_angles",
    "apply_axial_rope",
    "mrope_position_ids",
    "mrope_axes",
    "apply_mrope",
    "flat_position_ids",
    "rope_tie_position_ids",
    "rope_tv_position_ids",
    "MULTIMODAL_SCHEMES",
    "multimodal_principles",
    "principles_markdown",
]

MROPE_LAYOUTS = ("contiguous", "interleaved")
MROPE_RESUME_RULES = ("max_id", "max_hw")  # the paper and transformers 4.x; transformers 5.x
_KINDS = ("text", "image", "video")
_COORDINATES = "a non-empty 2-D array (n, axes) of numbers, one row of coordinates per token"


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
    positions = check_array(positions, "positions", ndim=2, nonempty=True, what=_COORDINATES)
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
    positions = check_array(positions, "positions", ndim=2, nonempty=True, what=_COORDINATES)
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
    resume: str = "max_id",
    *,
    second_per_grid_t: float | None = None,
    tokens_per_second: float = 2.0,
) -> np.ndarray:
    """Qwen2-VL M-RoPE position ids (t, h, w) for a text / image / video sequence.

    Text tokens get t = h = w = their running 1-D position. A vision block starting at s with
    merged grid (T, H, W) gets ``t = s + frame``, ``h = s + row``, ``w = s + column`` (row-major
    over frame, row, column). Where the next block starts is ``resume``'s rule:

    - ``"max_id"`` (default): at the largest id so far + 1. This is the Qwen2-VL paper
      (arXiv:2409.12191, section 2.1: the next modality starts at the previous modality's
      maximum position id + 1) and transformers 4.x ``get_rope_index`` (``st_idx =
      llm_pos_ids_list[-1].max() + 1``; checked against transformers 4.57.6 through
      ``tests/data/mrope_transformers4.json``). Every text id lies past every vision id.
    - ``"max_hw"``: at the block's start + ``max(H, W)`` (merged rows and columns), whatever
      the temporal ids reached. This is transformers 5.x ``get_rope_index`` (``current_pos +=
      max(grid_thw[1], grid_thw[2]) // spatial_merge_size``; checked against 5.23 for
      Qwen2-VL, Qwen2.5-VL and Qwen3-VL). The two rules agree unless a video's temporal ids
      reach past ``max(H, W) - 1``: more temporal patches than merged rows and columns
      (T > max(H, W)), or absolute-time ids that spread further. There 5.x lets the next text
      reuse ids that the video's later frames hold on the t axis.

    Text after text continues by one under both rules. Qwen3-VL's processor splits a video
    into one-frame blocks, each after a timestamp in text; describe it so, with one
    ``("video", (1, h, w))`` per frame.

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
    resume : {"max_id", "max_hw"}
        Where text resumes after a vision block: the largest id so far + 1 (the paper and
        transformers 4.x) or the block's start + max(merged h, merged w) (transformers 5.x).
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
        integers, h, w not divisible by ``spatial_merge_size``, an unknown ``resume`` rule,
        or a non-positive ``second_per_grid_t`` or ``tokens_per_second``.

    References
    ----------
    Wang et al. 2024, arXiv:2409.12191, section 2.1; transformers 4.x and 5.x
    ``Qwen2VLModel.get_rope_index``.
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
    >>> mrope_position_ids([("video", (3, 1, 1)), ("text", 1)], resume="max_hw")[:, -1]
    array([1, 1, 1])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    resume = check_choice(resume, "resume", MROPE_RESUME_RULES)
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
        if kind == "text" or resume == "max_id":
            start = int(ids.max()) + 1
        else:  # "max_hw": transformers 5.x advances by the larger merged side only
            start += max(spec[1], spec[2])
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


_TIE_SPACINGS = ("integer", "tokens")


def _vision_blocks(segments: Any, spatial_merge_size: int, name: str, video: bool) -> list:
    """Parse segments for RoPE-Tie / RoPE-TV: images must have t = 1; videos only if allowed."""
    parsed = _parse_segments(segments, spatial_merge_size)
    for index, (kind, spec) in enumerate(parsed):
        if kind == "image" and spec[0] != 1:
            fail(f"segments[{index}]", f"an image with one frame, ('image', (1, h, w)), for {name}",
                 segments[index], "a clip of several frames is a ('video', (t, h, w))")
        if kind == "video" and not video:
            fail(f"segments[{index}]", f"text or an image for {name}", segments[index],
                 f"{name} has no rule for video; rope_tv_position_ids has one")
    return parsed


def rope_tie_position_ids(segments: Any, spatial_merge_size: int = 1, *,
                          spacing: str = "integer") -> np.ndarray:
    """2-D position ids of Su's RoPE-Tie (kexue.fm/archives/10040) for text and images.

    Text: a text token at 1-D position n gets (n, n), so pure text is RoPE-1D (compatibility).
    Image: an image of h rows and w columns (merged patches) that follows a token at position
    L puts patch (row i, column j), i = 1..h, j = 1..w, at

        (x, y) = (L + i·s, L + j·t),   x the row axis, y the column axis,

    and the next text token at K = L + (h + 1)·s = L + (w + 1)·t. The post asks for the same
    gap (s, t) from the last text token to the first patch and from the last patch to the next
    text token, which gives (h + 1)s = (w + 1)t:

    - ``spacing="integer"`` (default, the post's integer solution): s = w + 1, t = h + 1, so
      K = L + (w + 1)(h + 1); 10352 restates it as γ1 = w + 1, γ2 = h + 1. int64 ids.
    - ``spacing="tokens"`` (the post's non-integer alternative): the image counts as wh
      tokens, s = (wh + 1)/(h + 1), t = (wh + 1)/(w + 1), so K = L + wh + 1. float64 ids.

    Numbering: the post counts from 1 (its L is the last position of an L-token sentence);
    rope_viz counts from 0, as :func:`flat_position_ids` and :func:`mrope_position_ids` do, so
    text alone gives ``arange(n)`` on both rows. RoPE sees only differences of ids, so the
    offset changes no score. Before any token, L = -1.

    Adjacent images: the post wraps every image in [IMG] and [/IMG] text tokens so that an
    image always sits between text (put them into ``segments`` as text to follow it exactly).
    Without them, rope_viz places each image after the running position L, which an image
    advances to K - 1, where a text token would have stood just before the next text; the
    next image is then placed after that L.

    Parameters
    ----------
    segments : list
        ``("text", n)`` and ``("image", (1, h, w))`` items, as in :func:`mrope_position_ids`
        (RoPE-Tie has no rule for video).
    spatial_merge_size : int
        As in :func:`mrope_position_ids`.
    spacing : {"integer", "tokens"}
        Which of the post's two solutions for (s, t).

    Returns
    -------
    numpy.ndarray
        ``(2, n)`` ids, rows (x: row axis, y: column axis); int64 for ``"integer"``, float64
        for ``"tokens"``. Patches in row-major order.

    Raises
    ------
    ValueError, TypeError
        As :func:`mrope_position_ids`; also for a video, an image with t != 1 (naming
        ``segments[i]``) or an unknown ``spacing``.

    References
    ----------
    苏剑林. Transformer升级之路:17、多模态位置编码的简单思考. kexue.fm/archives/10040 (2024),
    section 合二为一 and 延伸思考; restated in kexue.fm/archives/10352 (section 优劣分析).

    Examples
    --------
    >>> rope_tie_position_ids([("text", 2), ("image", (1, 2, 3)), ("text", 1)])
    array([[ 0,  1,  5,  5,  5,  9,  9,  9, 13],
           [ 0,  1,  4,  7, 10,  4,  7, 10, 13]])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    spacing = check_choice(spacing, "spacing", _TIE_SPACINGS)
    blocks, last = [], -1.0  # last: the running 1-D position L
    for kind, spec in _vision_blocks(segments, spatial_merge_size, "RoPE-Tie", video=False):
        if kind == "text":
            p = last + 1 + np.arange(spec, dtype=np.float64)  # (n_text,)
            blocks.append(np.stack([p, p]))  # (2, n_text)
            last = float(p[-1])
            continue
        _, h, w = spec
        if spacing == "integer":
            s, t = float(w + 1), float(h + 1)
        else:
            s, t = (w * h + 1) / (h + 1), (w * h + 1) / (w + 1)
        cells = grid_positions((h, w)) + 1  # (h*w, 2): 1-based row i, column j
        blocks.append(np.stack([last + cells[:, 0] * s, last + cells[:, 1] * t]))  # (2, h*w)
        last = last + (h + 1) * s - 1  # the next text token goes to K = L + (h + 1)s
    ids = np.concatenate(blocks, axis=1)  # (2, n)
    return np.rint(ids).astype(np.int64) if spacing == "integer" else ids


def rope_tv_position_ids(segments: Any, spatial_merge_size: int = 1) -> np.ndarray:
    """Position ids of Su's RoPE-TV (RoPE-Tie-v2, kexue.fm/archives/10352).

    The post's three principles fix the ids: **compatibility** (text alone is RoPE-1D, so a
    text token at n gets (n, n)), **equivalence** (an image of w·h patches counts as w·h
    tokens for the text around it: after a last text token at L the next text token is at
    L + wh + 1) and **symmetry** (the gap from the last text token to the first patch equals
    the gap from the last patch to the next text token). With unit patch spacing
    (γ1 = γ2 = 1) they give, for an image of h rows and w columns after position L,

        patch (i, j) at (β1 + i, β2 + j),  i = 1..h, j = 1..w,
        β1 = L + (wh − h)/2,  β2 = L + (wh − w)/2,

    (x: row axis, y: column axis), half-integer ids when wh − h or wh − w is odd.

    Video (the post's 3-D extension): a video of t frames of h x w patches after L puts patch
    (i, j) of frame k at (β1 + i, β2 + j, β3 + k) with β1 = L + (wht − h)/2,
    β2 = L + (wht − w)/2, β3 = L + (wht − t)/2, and the next text at L + wht + 1. When any
    video is present the ids are 3-D: text gets (n, n, n) and an image is the 3-D rule with
    t = 1 (its x and y are the 2-D ones, z = L + (wh + 1)/2), which the post does not spell
    out but which keeps all three principles. The post's caveat: β depends on t, so the
    number of frames must be known before the video's first patch; a video cannot be
    generated open-ended, frame after frame, under this rule. (Su's other option, a video as
    a run of separate images, can be written here as images between text tokens.)

    Numbering and adjacent blocks as in :func:`rope_tie_position_ids`: rope_viz counts from
    0 (text alone is ``arange(n)`` on every row, the :func:`flat_position_ids`); L = -1 before
    any token; a block advances the running position L by its number of tokens, so every text
    token keeps exactly its flattened 1-D id.

    Parameters
    ----------
    segments : list
        ``("text", n)``, ``("image", (1, h, w))`` and ``("video", (t, h, w))`` items, as in
        :func:`mrope_position_ids`.
    spatial_merge_size : int
        As in :func:`mrope_position_ids`.

    Returns
    -------
    numpy.ndarray
        float64 ids: ``(2, n)`` (rows x: row axis, y: column axis) without video, ``(3, n)``
        (rows x, y, z: frame axis) with a video. Patches in frame, row, column order.

    Raises
    ------
    ValueError, TypeError
        As :func:`mrope_position_ids`; also for an image with t != 1 (naming ``segments[i]``).

    References
    ----------
    苏剑林. “闭门造车”之多模态思路浅谈(三):位置编码. kexue.fm/archives/10352 (2024), sections
    等价对称 and 三维困境.

    Examples
    --------
    >>> rope_tv_position_ids([("text", 2), ("image", (1, 2, 3)), ("text", 1)])
    array([[0. , 1. , 4. , 4. , 4. , 5. , 5. , 5. , 8. ],
           [0. , 1. , 3.5, 4.5, 5.5, 3.5, 4.5, 5.5, 8. ]])
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    parsed = _vision_blocks(segments, spatial_merge_size, "RoPE-TV", video=True)
    axes = 3 if any(kind == "video" for kind, _ in parsed) else 2
    blocks, last = [], -1.0  # last: the running 1-D position L
    for kind, spec in parsed:
        if kind == "text":
            p = last + 1 + np.arange(spec, dtype=np.float64)  # (n_text,)
            blocks.append(np.tile(p, (axes, 1)))  # (axes, n_text)
            last = float(p[-1])
            continue
        t, h, w = spec
        n = t * h * w
        cells = grid_positions((t, h, w)) + 1  # (n, 3): 1-based frame k, row i, column j
        ids = [last + (n - h) / 2 + cells[:, 1], last + (n - w) / 2 + cells[:, 2]]
        if axes == 3:
            ids.append(last + (n - t) / 2 + cells[:, 0])
        blocks.append(np.stack(ids))  # (axes, n)
        last = last + n  # the next text token goes to L + n + 1
    return np.concatenate(blocks, axis=1)  # (axes, n)


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
    ids = check_array(position_ids, "position_ids", ndim=2, shape=(3, None),
                      what="an array of shape (3, n): rows t, h, w")  # (3, n)
    x = check_rope_input(x, ids.shape[1])
    axes = mrope_axes(sections, layout)  # (dim/2,)
    dim = x.shape[-1]
    if axes.size != dim // 2:
        fail("sections", f"three integers summing to dim/2 = {dim // 2}", tuple(sections))
    freqs = rope_frequencies(dim, base)  # (dim/2,)
    angles = ids[axes, :].T * freqs[None, :]  # (n, dim/2): slot i uses row axes[i]
    return rotate_with_angles(x, angles, "half", form)


# ---------------------------------------------------------------------------------------------
# scoring schemes against the three principles of kexue.fm/archives/10352
# ---------------------------------------------------------------------------------------------

#: Scheme keys of :func:`multimodal_principles`, with the label its table prints.
MULTIMODAL_SCHEMES = {
    "flatten": "flatten (1-D)",
    "rope_tie": "RoPE-Tie (Su 2024, integer)",
    "rope_tie_tokens": "RoPE-Tie (Su 2024, image = wh tokens)",
    "rope_tv": "RoPE-TV (Su 2024)",
    "mrope": "M-RoPE (Qwen2-VL)",
    "qwen2_5_vl": "M-RoPE, absolute time (Qwen2.5-VL)",
    "qwen3_vl": "M-RoPE, interleaved (Qwen3-VL)",
}
_DIM = 128  # head dimension of the compatibility check: 64 frequency slots


def _scheme_ids(scheme: str, segments: list, merge: int, second_per_grid_t: float,
                tokens_per_second: float) -> np.ndarray | None:
    """(k, n) float ids of ``scheme`` for parsed-and-valid ``segments``; None if undefined."""
    has_video = any(kind == "video" for kind, _ in segments)
    if scheme == "flatten":
        return flat_position_ids(segments, merge)[None, :].astype(np.float64)  # (1, n)
    if scheme in ("rope_tie", "rope_tie_tokens"):
        if has_video:
            return None  # RoPE-Tie has no rule for video
        spacing = "integer" if scheme == "rope_tie" else "tokens"
        return rope_tie_position_ids(segments, merge, spacing=spacing).astype(np.float64)
    if scheme == "rope_tv":
        return rope_tv_position_ids(segments, merge)
    if scheme == "qwen2_5_vl":
        return mrope_position_ids(segments, merge, second_per_grid_t=second_per_grid_t,
                                  tokens_per_second=tokens_per_second).astype(np.float64)
    if scheme == "qwen3_vl":  # a video becomes one single-frame block per temporal patch
        split = []
        for kind, spec in segments:
            split += [(kind, (1,) + tuple(spec[1:]))] * spec[0] if kind == "video" else [(kind, spec)]
        return mrope_position_ids(split, merge).astype(np.float64)
    return mrope_position_ids(segments, merge).astype(np.float64)  # "mrope"


def _scheme_axes(scheme: str, rows: int) -> np.ndarray:
    """(64,) id row that drives each frequency slot θ_i = base^(−2i/128) under ``scheme``."""
    slots = _DIM // 2
    if scheme == "flatten":
        return np.zeros(slots, dtype=np.int64)
    if scheme in ("rope_tie", "rope_tie_tokens", "rope_tv"):
        return np.arange(slots) % rows  # Su (10352): θ_2j for x, θ_2j+1 for y (and so on)
    if scheme == "qwen3_vl":
        return mrope_axes((24, 20, 20), "interleaved")
    return mrope_axes((16, 24, 24), "contiguous")


def _grid_kept(block: np.ndarray, grid: tuple) -> bool:
    """Each grid axis of length > 1 moves the ids by one fixed vector; the vectors independent."""
    ids = block.reshape((block.shape[0],) + grid)  # (k, t, h, w)
    steps = []
    for axis in range(3):
        if grid[axis] < 2:
            continue
        diffs = np.diff(ids, axis=axis + 1).reshape(block.shape[0], -1)  # (k, n_neighbour_pairs)
        if not np.allclose(diffs, diffs[:, :1]):
            return False
        steps.append(diffs[:, 0])
    return not steps or np.linalg.matrix_rank(np.stack(steps)) == len(steps)


def multimodal_principles(segments: Any, spatial_merge_size: int = 1, *, schemes: Any = None,
                          second_per_grid_t: float = 1.0,
                          tokens_per_second: float = 2.0) -> list:
    """Score position-id schemes against Su's three principles on one layout.

    Su's post kexue.fm/archives/10352 asks three things of a multimodal position code:

    - **compatibility**: text alone is RoPE-1D. Checked on the text-only sequence with as many
      tokens as the layout's text: the scheme's ids, turned into angles with its frequency
      assignment over the 1-D list θ_i = base^(−2i/d) (d = 128), must equal the 1-D angles
      n·θ_i. Assignments: flatten uses the 1-D list; RoPE-Tie and RoPE-TV alternate the axes
      over the slots (θ_2j for x, θ_2j+1 for y; the first of Su's two options in 10352);
      M-RoPE and Qwen2.5-VL use sections (16, 24, 24), Qwen3-VL interleaved (24, 20, 20).
    - **equivalence**: a vision block of N tokens counts as N tokens for the text around it:
      the next text token sits N + 1 after the last text token before it, on every id axis.
    - **symmetry**: the gap from the last text token to the block's first patch equals the gap
      from its last patch to the next text token, on every id axis.

    Equivalence and symmetry are checked on every vision block with text directly on both
    sides (None when there is none). A fourth column is the book's, not Su's: **grid**, the
    block keeps its grid (each grid axis of length > 1 moves the ids by one fixed vector and
    those vectors are linearly independent); flatten fails it, since a step down the image is
    a step along the same axis as a step right.

    Ids per scheme: :func:`flat_position_ids`; :func:`rope_tie_position_ids` with
    ``spacing="integer"`` and ``"tokens"`` (undefined, all None, when the layout has video);
    :func:`rope_tv_position_ids`; :func:`mrope_position_ids` (Qwen2-VL), with
    ``second_per_grid_t`` / ``tokens_per_second`` (Qwen2.5-VL); for Qwen3-VL the
    :func:`mrope_position_ids` of the layout with every video split into one-frame blocks, as
    transformers' ``Qwen3VLModel.get_rope_index`` splits ``video_grid_thw`` (in the real
    model timestamp text separates the frames; the layout given has none).

    Parameters
    ----------
    segments : list
        The layout, as in :func:`mrope_position_ids`.
    spatial_merge_size : int
        As in :func:`mrope_position_ids`.
    schemes : sequence of str, optional
        Keys of :data:`MULTIMODAL_SCHEMES` (default: all, in that order).
    second_per_grid_t, tokens_per_second : float
        Video timing for the Qwen2.5-VL row (see :func:`mrope_position_ids`).

    Returns
    -------
    list of dict
        One row per scheme: ``scheme`` (key), ``label``, ``compatibility``, ``equivalence``,
        ``symmetry``, ``grid`` (bool, or None where undefined or untested), and for the first
        vision block with text on both sides: ``tokens`` (its number of tokens N),
        ``distance`` (next text − last text before, per id axis), ``gap_before`` (first patch
        − last text) and ``gap_after`` (next text − last patch), tuples of floats (None when
        untested).

    Raises
    ------
    ValueError, TypeError
        As :func:`mrope_position_ids`; also for an unknown scheme (naming ``schemes[i]``) or
        an image with t != 1.

    References
    ----------
    苏剑林. kexue.fm/archives/10352 (2024), sections 向后兼容, 等价对称, 相关工作.

    Examples
    --------
    >>> rows = multimodal_principles([("text", 2), ("image", (1, 2, 3)), ("text", 2)],
    ...                              schemes=["rope_tv", "mrope"])
    >>> [(r["compatibility"], r["equivalence"], r["symmetry"]) for r in rows]
    [(True, True, True), (True, False, False)]
    """
    spatial_merge_size = check_int(spatial_merge_size, "spatial_merge_size", minimum=1)
    parsed = _vision_blocks(segments, spatial_merge_size, "multimodal_principles", video=True)
    second_per_grid_t = check_float(second_per_grid_t, "second_per_grid_t", minimum=0.0)
    tokens_per_second = check_float(tokens_per_second, "tokens_per_second", minimum=0.0)
    if schemes is None:
        schemes = list(MULTIMODAL_SCHEMES)
    if isinstance(schemes, (str, bytes)) or not isinstance(schemes, (list, tuple)):
        fail("schemes", "a list of scheme names", schemes, kind=TypeError)
    schemes = [check_choice(s, f"schemes[{i}]", tuple(MULTIMODAL_SCHEMES)) for i, s in enumerate(schemes)]
    # token ranges of the vision blocks, and whether text sits directly on both sides
    sizes = [spec if kind == "text" else int(np.prod(spec)) for kind, spec in parsed]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    blocks = [(int(starts[i]), int(starts[i + 1]), spec,
               0 < i < len(parsed) - 1 and parsed[i - 1][0] == "text" and parsed[i + 1][0] == "text")
              for i, (kind, spec) in enumerate(parsed) if kind != "text"]
    n_text = max(1, sum(size for (kind, _), size in zip(parsed, sizes) if kind == "text"))
    freqs = rope_frequencies(_DIM)  # (64,)
    one_d = np.outer(np.arange(n_text), freqs)  # (n_text, 64): RoPE-1D angles
    table = []
    for scheme in schemes:
        row = dict(scheme=scheme, label=MULTIMODAL_SCHEMES[scheme], compatibility=None,
                   equivalence=None, symmetry=None, grid=None, tokens=None, distance=None,
                   gap_before=None, gap_after=None)
        table.append(row)
        ids = _scheme_ids(scheme, parsed, 1, second_per_grid_t, tokens_per_second)
        if ids is None:
            continue
        text_ids = _scheme_ids(scheme, [("text", n_text)], 1, second_per_grid_t, tokens_per_second)
        axes = _scheme_axes(scheme, text_ids.shape[0])  # (64,)
        row["compatibility"] = bool(np.allclose(text_ids[axes].T * freqs, one_d, rtol=0, atol=1e-9))
        row["grid"] = all(_grid_kept(ids[:, a:e], spec) for a, e, spec, _ in blocks) if blocks else None
        framed = [(a, e) for a, e, _, both in blocks if both]
        if not framed:
            continue
        equivalent, symmetric = True, True
        for a, e in framed:
            before, after = ids[:, a] - ids[:, a - 1], ids[:, e] - ids[:, e - 1]  # (k,)
            distance = ids[:, e] - ids[:, a - 1]  # (k,)
            equivalent &= bool(np.allclose(distance, e - a + 1))
            symmetric &= bool(np.allclose(before, after))
        row["equivalence"], row["symmetry"] = equivalent, symmetric
        a, e = framed[0]
        row["tokens"] = e - a
        row["distance"] = tuple(float(v) for v in ids[:, e] - ids[:, a - 1])
        row["gap_before"] = tuple(float(v) for v in ids[:, a] - ids[:, a - 1])
        row["gap_after"] = tuple(float(v) for v in ids[:, e] - ids[:, e - 1])
    return table


def _format_vector(vector: Any) -> str:
    if vector is None:
        return "–"
    text = [f"{v:g}" if float(v).is_integer() else f"{v:.3g}" for v in vector]
    return text[0] if len(set(text)) == 1 else "(" + ", ".join(text) + ")"


def principles_markdown(table: Any) -> str:
    """A Markdown table of :func:`multimodal_principles` rows (yes / no / – where untested).

    Parameters
    ----------
    table : list of dict
        Rows from :func:`multimodal_principles`.

    Returns
    -------
    str
        Markdown: one line per scheme with the four verdicts, the text-to-text distance against
        N + 1 and the gaps before and after the first framed block (a single number when all
        id axes agree).

    Raises
    ------
    TypeError
        For a ``table`` that is not a list of rows from :func:`multimodal_principles`.

    Examples
    --------
    >>> rows = multimodal_principles([("text", 1), ("image", (1, 2, 2)), ("text", 1)], schemes=["flatten"])
    >>> print(principles_markdown(rows).splitlines()[-1])
    | flatten (1-D) | yes | yes | yes | no | 5 (N + 1 = 5) | 1 / 1 |
    """
    keys = ("label", "compatibility", "equivalence", "symmetry", "grid", "distance", "tokens",
            "gap_before", "gap_after")
    if not isinstance(table, (list, tuple)) or not all(isinstance(r, dict) and set(keys) <= set(r) for r in table):
        fail("table", "a list of rows from multimodal_principles", table, kind=TypeError)
    verdict = {True: "yes", False: "no", None: "–"}
    lines = ["| scheme | compatibility | equivalence | symmetry | grid kept | text-to-text distance | gap before / after |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in table:
        distance = _format_vector(r["distance"])
        if r["tokens"] is not None:
            distance += f" (N + 1 = {r['tokens'] + 1})"
        gaps = "–" if r["gap_before"] is None else f"{_format_vector(r['gap_before'])} / {_format_vector(r['gap_after'])}"
        lines.append(f"| {r['label']} | {verdict[r['compatibility']]} | {verdict[r['equivalence']]} | "
                     f"{verdict[r['symmetry']]} | {verdict[r['grid']]} | {distance} | {gaps} |")
    return "\n".join(lines)
