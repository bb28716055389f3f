"""Absolute position encodings: a vector per position, added to the token embedding.

What this module holds
----------------------
- :func:`integer_encoding`: the position itself in every component (optionally / length).
- :func:`binary_encoding`: the bits of the position, least significant bit first.
- :func:`sinusoidal_encoding`: Vaswani et al.'s sin/cos table, interleaved or concatenated.
- :func:`sinusoid_shift_matrix`: the block-diagonal M_Δ with PE(k + Δ) = M_Δ · PE(k).
- :func:`hierarchical_decomposition`: Su's extension of a trained table of n positions to n².
- :func:`word_cosine`: how much of a token embedding survives once a code is added to it.
- :func:`step_distances`: the distance between the codes of positions k and k + Δ, for each k.
- :func:`code_distances`, :func:`code_cosines`: distance and cosine similarity of every two codes.
- :func:`append_untrained_rows`: a learned table with rows that training never reached.

All functions return numpy float64 arrays of shape ``(n, dim)``: row k is the code of
``positions[k]``.

References
----------
- A. Vaswani et al. Attention Is All You Need. arXiv:1706.03762 (2017), section 3.5.
- 苏剑林 (J. Su). 层次分解位置编码,让BERT可以处理超长文本. kexue.fm/archives/7947 (2020).
- 苏剑林. Transformer升级之路:1、Sinusoidal位置编码追根溯源. kexue.fm/archives/8231 (2021).
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
from rope_viz.rope import rope_frequencies

__all__ = [
    "SINUSOIDAL_LAYOUTS",
    "integer_encoding",
    "binary_encoding",
    "sinusoidal_encoding",
    "sinusoid_shift_matrix",
    "hierarchical_decomposition",
    "word_cosine",
    "step_distances",
    "code_distances",
    "code_cosines",
    "append_untrained_rows",
]

SINUSOIDAL_LAYOUTS = ("interleaved", "concatenated")


def integer_encoding(positions: Any, dim: int, length: float | None = None) -> np.ndarray:
    """The naive encoding: the position number repeated in every component.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` positions, or an int ``n`` meaning ``range(n)``.
    dim : int
        Embedding size (positive; need not be even).
    length : float, optional
        If given (> 0), every value is divided by it, so that positions of a sequence of this
        length fall in [0, 1): the same position then gets different codes in sequences of
        different length.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float64 with ``out[k, :] == positions[k]`` (or ``/ length``).

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, a non-positive ``dim`` or a ``length`` that is not > 0.

    Examples
    --------
    >>> integer_encoding(3, 2, length=4)
    array([[0.  , 0.  ],
           [0.25, 0.25],
           [0.5 , 0.5 ]])
    """
    positions = as_positions(positions)
    dim = check_dim(dim, even=False)
    values = positions
    if length is not None:
        length = check_float(length, "length", minimum=0.0)
        values = positions / length
    return np.repeat(values[:, None], dim, axis=1)  # (n,) -> (n, dim)


def binary_encoding(positions: Any, dim: int) -> np.ndarray:
    """Binary digits of each position; column i holds bit i (least significant bit first).

    Bit i flips every 2^i positions, so column 0 changes fastest, like the highest-frequency
    pair of a sinusoidal encoding.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` non-negative whole positions (each < 2**dim), or an int ``n`` for ``range(n)``.
    dim : int
        Number of bits (1 to 63).

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float64 of 0s and 1s; ``out @ 2**arange(dim)`` gives the positions back.

    Raises
    ------
    ValueError, TypeError
        For negative or fractional positions, positions that need more than ``dim`` bits, or a
        bad ``dim``.

    Examples
    --------
    >>> binary_encoding([252], 8)
    array([[0., 0., 1., 1., 1., 1., 1., 1.]])
    """
    positions = as_positions(positions, integer=True, nonnegative=True)
    dim = check_dim(dim, even=False)
    if dim > 63:
        fail("dim", "at most 63 bits for int64 positions", dim)
    if positions.size and int(positions.max()) >= 2**dim:
        fail(
            "positions",
            f"smaller than 2**dim = {2**dim} to fit in {dim} bits",
            int(positions.max()),
            "increase dim",
        )
    bits = np.arange(dim, dtype=np.int64)  # (dim,)
    return ((positions[:, None] >> bits[None, :]) & 1).astype(np.float64)  # (n, dim)


def sinusoidal_encoding(
    positions: Any,
    dim: int,
    base: float = 10000.0,
    layout: str = "interleaved",
) -> np.ndarray:
    """Vaswani et al.'s sinusoidal position encoding.

    With ω_i = base^(−2i/dim): ``"interleaved"`` (the paper's layout) puts sin(k·ω_i) in
    column 2i and cos(k·ω_i) in column 2i+1; ``"concatenated"`` puts all sines in columns
    ``[0, dim/2)`` and all cosines in ``[dim/2, dim)`` (the tensor2tensor / fairseq layout;
    note that those libraries also space the frequencies as base^(−i/(dim/2 − 1)), which this
    function does not copy).

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` positions (real numbers) or an int ``n`` for ``range(n)``.
    dim : int
        Embedding size (positive, even).
    base : float
        The base (> 1), 10000 in the paper. Wavelengths run from 2π to 2π·base^((dim−2)/dim).
    layout : {"interleaved", "concatenated"}
        Column layout, see above.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float64.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``base`` or ``layout``.

    References
    ----------
    Vaswani et al. 2017, arXiv:1706.03762, section 3.5; kexue.fm/archives/8231.

    Examples
    --------
    >>> sinusoidal_encoding([0], 4)
    array([[0., 1., 0., 1.]])
    """
    positions = as_positions(positions)
    layout = check_choice(layout, "layout", SINUSOIDAL_LAYOUTS)
    freqs = rope_frequencies(dim, base)  # (dim/2,), validates dim and base
    angles = np.multiply.outer(positions, freqs)  # (n, dim/2)
    if layout == "concatenated":
        return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)  # (n, dim)
    table = np.stack([np.sin(angles), np.cos(angles)], axis=-1)  # (n, dim/2, 2)
    return table.reshape(len(positions), -1)  # (n, dim): sin, cos, sin, cos, ...


def sinusoid_shift_matrix(delta: float, dim: int, base: float = 10000.0) -> np.ndarray:
    """The matrix M_Δ with ``PE(k + Δ) = M_Δ @ PE(k)`` for the interleaved sinusoidal table.

    Block i (rows and columns 2i, 2i+1) is ``[[cos Δω_i, sin Δω_i], [−sin Δω_i, cos Δω_i]]``.
    Acting on a (sin, cos) pair this advances the phase by Δω_i; it looks clockwise only because
    sin comes first in each pair. RoPE's R_Δ (:func:`rope_viz.rotation_matrix`) acts on
    (x0, x1) and has the opposite off-diagonal signs.

    Parameters
    ----------
    delta : float
        The shift Δ (a real number).
    dim : int
        Embedding size (positive, even).
    base : float
        The base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(dim, dim)`` float64, orthogonal.

    Raises
    ------
    ValueError, TypeError
        For a non-finite ``delta`` or a bad ``dim`` or ``base``.

    References
    ----------
    Vaswani et al. 2017, section 3.5 ("PE_(pos+k) can be represented as a linear function of
    PE_pos").

    Examples
    --------
    >>> import numpy as np
    >>> pe = sinusoidal_encoding([3.0, 5.0], 4)
    >>> bool(np.allclose(sinusoid_shift_matrix(2, 4) @ pe[0], pe[1]))
    True
    """
    delta = check_float(delta, "delta")
    freqs = rope_frequencies(dim, base)  # (dim/2,)
    cos, sin = np.cos(delta * freqs), np.sin(delta * freqs)
    matrix = np.zeros((len(freqs) * 2, len(freqs) * 2), dtype=np.float64)
    even = np.arange(0, 2 * len(freqs), 2)
    matrix[even, even] = cos
    matrix[even, even + 1] = sin
    matrix[even + 1, even] = -sin
    matrix[even + 1, even + 1] = cos
    return matrix


def hierarchical_decomposition(table: Any, alpha: float = 0.4) -> np.ndarray:
    """Extend a trained table of n absolute position vectors to n² positions (Su, 2020).

    With p the trained ``(n, dim)`` table, define ``u_i = (p_i − α·p_0) / (1 − α)`` and
    ``q[i·n + j] = α·u_i + (1 − α)·u_j`` for ``0 <= i, j < n``. The first n rows reproduce the
    table (``q[j] == p[j]``, because ``u_0 = p_0``), and position ``i·n + j`` reads as the digit
    pair (i, j) in base n. α ≠ 0.5 keeps (i, j) and (j, i) apart. Su's post writes the same
    rule with 1-based indices: ``q_((i−1)·n + j) = α·u_i + (1 − α)·u_j``,
    ``u_i = (p_i − α·p_1)/(1 − α)``.

    Parameters
    ----------
    table : array_like
        ``(n, dim)`` trained position vectors (e.g. BERT's 512 x 768 table).
    alpha : float
        Mixing weight in (0, 1), not 0.5; Su uses 0.4.

    Returns
    -------
    numpy.ndarray
        ``(n**2, dim)`` float64.

    Raises
    ------
    ValueError, TypeError
        For a table that is not a 2-D array of finite numbers, or ``alpha`` outside (0, 1) or
        equal to 0.5.

    References
    ----------
    苏剑林. 层次分解位置编码,让BERT可以处理超长文本. kexue.fm/archives/7947 (2020).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.arange(6.0).reshape(3, 2)
    >>> hierarchical_decomposition(p).shape
    (9, 2)
    """
    p = check_array(table, "table", ndim=2, nonempty=True,
                    what="a non-empty 2-D array (n, dim) of trained position vectors")  # (n, dim)
    alpha = check_float(alpha, "alpha", minimum=0.0)
    if alpha >= 1.0 or alpha == 0.5:
        fail("alpha", "a number in (0, 1) other than 0.5", alpha,
             "alpha = 0.5 gives positions i*n + j and j*n + i the same vector")
    n, dim = p.shape
    u = (p - alpha * p[0]) / (1.0 - alpha)  # (n, dim)
    q = alpha * u[:, None, :] + (1.0 - alpha) * u[None, :, :]  # (n, n, dim): [i, j]
    return q.reshape(n * n, dim)  # (n², dim): row i*n + j


def word_cosine(embeddings: Any, codes: Any) -> np.ndarray:
    """Cosine similarity of each input x_k + p_k with its token embedding x_k.

    Near 1: the input still points where the word points. Near 0: the position code has
    swamped the word, and any layer that reads directions sees the position only.

    Parameters
    ----------
    embeddings : array_like
        ``(n, dim)`` token embeddings x_k, no row all zeros.
    codes : array_like
        ``(n, dim)`` position codes p_k (for instance :func:`integer_encoding`).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` float64, cos(x_k + p_k, x_k); 0 where an input x_k + p_k is the zero vector.

    Raises
    ------
    ValueError, TypeError
        For arrays that are not 2-D, of different shapes, or with an all-zero embedding.

    Examples
    --------
    >>> word_cosine([[1.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]).round(3)
    array([1.   , 0.707])
    """
    x = check_array(embeddings, "embeddings", ndim=2, nonempty=True,
                    what="a 2-D array of shape (n, dim)")
    p = check_array(codes, "codes", ndim=2, what="a 2-D array of shape (n, dim)")
    if p.shape != x.shape:
        fail("codes", f"an array of the embeddings' shape {x.shape}", p.shape)
    x_norm = np.linalg.norm(x, axis=1)  # (n,)
    if np.any(x_norm == 0):
        fail("embeddings", "rows that are not all zeros", "a zero row")
    h = x + p  # (n, dim): what the layer reads
    h_norm = np.linalg.norm(h, axis=1)  # (n,)
    dots = np.einsum("nd,nd->n", h, x)  # (n,)
    return np.divide(dots, h_norm * x_norm, out=np.zeros_like(dots), where=h_norm > 0)


def step_distances(table: Any, offset: int = 1) -> np.ndarray:
    """Euclidean distance between the codes of positions k and k + offset, for every k.

    For the binary code and offset 1 this is sqrt(t(k) + 1), t(k) the number of trailing ones
    of k: the distance jumps at every carry. For the sinusoidal code it is the same for every
    k (it depends on the offset alone).

    Parameters
    ----------
    table : array_like
        ``(n, dim)`` codes of consecutive positions, row k the code of position k.
    offset : int
        The offset Δ (1 to n − 1).

    Returns
    -------
    numpy.ndarray
        ``(n − offset,)`` float64: ``out[k] = |table[k + offset] − table[k]|``.

    Raises
    ------
    ValueError, TypeError
        For a table that is not 2-D or an offset outside 1 … n − 1.

    Examples
    --------
    >>> step_distances(binary_encoding(8, 3)) ** 2
    array([1., 2., 1., 3., 1., 2., 1.])
    """
    table = check_array(table, "table", ndim=2, nonempty=True, what="a 2-D array of shape (n, dim)")
    offset = check_int(offset, "offset", minimum=1, maximum=max(1, len(table) - 1))
    if offset >= len(table):
        fail("offset", f"an offset below the table's {len(table)} rows", offset)
    return np.linalg.norm(table[offset:] - table[:-offset], axis=1)  # (n - offset,)


def code_distances(codes: Any) -> np.ndarray:
    """Euclidean distance between the codes of every two positions.

    For an extension by :func:`hierarchical_decomposition` the matrix is readable from the
    trained table alone: positions i·n + j and i'·n + j' lie
    ``|α/(1 − α)·(p_i − p_i') + (p_j − p_j')|`` apart, so every diagonal block repeats the
    trained table's distances.

    Parameters
    ----------
    codes : array_like
        ``(n, dim)`` codes, row k the code of position k.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float64, ``out[a, b] = |codes[a] − codes[b]|``; symmetric, 0 on the diagonal.

    Raises
    ------
    ValueError, TypeError
        For codes that are not a non-empty 2-D array of finite numbers.

    Examples
    --------
    >>> code_distances([[0.0, 0.0], [3.0, 4.0]])
    array([[0., 5.],
           [5., 0.]])
    """
    x = check_array(codes, "codes", ndim=2, nonempty=True, what="a 2-D array of shape (n, dim)")
    gram = x @ x.T  # (n, n)
    squared = np.diag(gram)[:, None] + np.diag(gram)[None, :] - 2 * gram  # (n, n)
    out = np.sqrt(np.clip(squared, 0.0, None))
    np.fill_diagonal(out, 0.0)
    return out


def code_cosines(codes: Any) -> np.ndarray:
    """Cosine similarity between the codes of every two positions.

    Parameters
    ----------
    codes : array_like
        ``(n, dim)`` codes, row k the code of position k.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float64 in [−1, 1], ``out[a, b] = cos(codes[a], codes[b])``; 0 in the row
        and column of an all-zero code.

    Raises
    ------
    ValueError, TypeError
        For codes that are not a non-empty 2-D array of finite numbers.

    Examples
    --------
    >>> code_cosines([[1.0, 0.0], [1.0, 1.0]]).round(3)
    array([[1.   , 0.707],
           [0.707, 1.   ]])
    """
    x = check_array(codes, "codes", ndim=2, nonempty=True, what="a 2-D array of shape (n, dim)")
    norms = np.linalg.norm(x, axis=1)  # (n,)
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    unit = x * scale[:, None]  # (n, dim): zero rows stay zero
    return np.clip(unit @ unit.T, -1.0, 1.0)


def append_untrained_rows(table: Any, count: int, rng: Any = 0) -> np.ndarray:
    """A position table with ``count`` rows added that no training has touched.

    New rows of a learned table (``torch.nn.Embedding``) start as draws from a standard
    normal distribution, and a row only changes when a training text reaches its position: rows
    past the training length keep their random start. This returns the table with such rows
    appended, for comparing what a model knows with what it is handed past its last row.

    Parameters
    ----------
    table : array_like
        ``(n, dim)`` trained position vectors.
    count : int
        Rows to append (>= 1).
    rng : numpy.random.Generator or int
        Source of the new rows (see :mod:`rope_viz._validation`).

    Returns
    -------
    numpy.ndarray
        ``(n + count, dim)`` float64: the table, then ``count`` rows of standard normal draws.

    Raises
    ------
    ValueError, TypeError
        For a table that is not a non-empty 2-D array, a ``count`` below 1, or a bad ``rng``.

    Examples
    --------
    >>> append_untrained_rows(np.zeros((4, 3)), 2).shape
    (6, 3)
    """
    p = check_array(table, "table", ndim=2, nonempty=True,
                    what="a non-empty 2-D array (n, dim) of trained position vectors")
    count = check_int(count, "count", minimum=1)
    fresh = check_generator(rng).standard_normal((count, p.shape[1]))  # (count, dim)
    return np.concatenate([p, fresh])
