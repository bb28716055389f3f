"""Two-dimensional rotary codes as matrix exponentials: which ones see only the offset.

What this module holds
----------------------
- :func:`axial_generators`: the two skew-symmetric generators A, B of Su's RoPE-2D, so that
  exp(y·A + x·B) is exactly the rotation :func:`rope_viz.apply_axial_rope` applies at (y, x).
- :func:`staggered_generators`: a pair that mixes the axes: A turns the planes (0, 1), (2, 3),
  ..., B the planes (1, 2), (3, 4), ..., (dim−1, 0), so every dimension is turned by both
  coordinates. A and B do not commute.
- :func:`generator_rotations`: R(u) = exp(Σ_a u_a·G_a) for many coordinates at once (numpy
  only, through the eigen-decomposition of a Hermitian matrix).
- :func:`commuting_skew_matrices`: every skew-symmetric matrix that commutes with a given
  generator (an orthonormal basis): the partners B_2 that Su's conditions allow for a B_1.
- :func:`common_rotation_planes`: for commuting skew-symmetric generators, an orthogonal Q in
  which every generator is block-diagonal with 2x2 blocks (the constructive half of "every
  commuting solution is RoPE-2D in another basis").
- :func:`rope2d_scores`: the score (R(u) q)·(R(v) k) between every pair of patches of a grid,
  under the axial scheme, the flattened 1-D index row·W + column, or the staggered
  (non-commuting) scheme.

Conventions: a 2-D coordinate is (row, column), as in :func:`rope_viz.grid_positions`; a
generator G turns plane (i, j) counter-clockwise at rate θ when G[j, i] = θ and G[i, j] = −θ,
the sign of :func:`rope_viz.rotation_matrix`.

References
----------
- 苏剑林. Transformer升级之路:4、二维位置的旋转式位置编码. kexue.fm/archives/8397 (2021):
  the two requirements (relativity R_u^T R_v = R_(v−u), and invertibility: (x, y) can be
  read back from R_(x,y)), the candidate exp(xA + yB) with commuting skew-symmetric A, B,
  the search for an invertible pair in 2x2, 3x3 and 4x4 matrices, and the block-diagonal
  choice.
- 苏剑林. 旋转位置编码的完备性分析. kexue.fm/archives/9403 (2022).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    check_array,
    check_choice,
    check_dim,
    check_float,
    check_generator,
    check_int_tuple,
    fail,
)
from rope_viz.multidim import apply_axial_rope, grid_positions
from rope_viz.rope import apply_rope, rope_frequencies

__all__ = [
    "ROPE2D_SCHEMES",
    "ROPE2D_VECTORS",
    "axial_generators",
    "staggered_generators",
    "generator_rotations",
    "commuting_skew_matrices",
    "common_rotation_planes",
    "rope2d_scores",
]

#: Schemes understood by :func:`rope2d_scores`.
ROPE2D_SCHEMES = ("axial", "flattened", "staggered")

#: The query/key choices of :func:`rope2d_scores`.
ROPE2D_VECTORS = ("ones", "random")


def _plane_generator(dim: int, planes: list, rates: np.ndarray) -> np.ndarray:
    """(dim, dim) skew-symmetric G turning plane (i, j) counter-clockwise at ``rate``."""
    g = np.zeros((dim, dim))
    for (i, j), rate in zip(planes, rates):
        g[j, i] += rate
        g[i, j] -= rate
    return g


def axial_generators(dim: int, base: float = 10000.0) -> np.ndarray:
    """The generators (A, B) of RoPE-2D: exp(y·A + x·B) is the rotation at (row y, column x).

    A holds the frequencies of the first dim/4 interleaved pairs (planes (2i, 2i+1)), which
    follow the row; B those of the last dim/4 pairs, which follow the column, with the
    frequencies base^(−4i/dim) of :func:`rope_viz.axial_rope_angles`. Both are block-diagonal
    on the same 2x2 blocks, so A·B = B·A.

    Parameters
    ----------
    dim : int
        Rotary dimension, divisible by 4.
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(2, dim, dim)`` float64: A then B, each skew-symmetric.

    Raises
    ------
    ValueError, TypeError
        For a ``dim`` not divisible by 4 or a bad ``base``.

    References
    ----------
    kexue.fm/archives/8397.

    Examples
    --------
    >>> a, b = axial_generators(4)
    >>> a.tolist(), b.tolist()
    ([[0.0, -1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0]])
    """
    dim = check_dim(dim)
    if dim % 4:
        fail("dim", "divisible by 4 so that each axis gets whole pairs", dim)
    base = check_float(base, "base", minimum=1.0)
    freqs = rope_frequencies(dim // 2, base)  # (dim/4,)
    quarter = dim // 4
    rows = [(2 * i, 2 * i + 1) for i in range(quarter)]
    cols = [(2 * i, 2 * i + 1) for i in range(quarter, 2 * quarter)]
    return np.stack([_plane_generator(dim, rows, freqs), _plane_generator(dim, cols, freqs)])


def staggered_generators(dim: int, base: float = 10000.0) -> np.ndarray:
    """A pair of generators that mixes the axes: they share every dimension and do not commute.

    A turns the planes (0, 1), (2, 3), ... with the frequencies of a 1-D RoPE of width dim;
    B turns the staggered planes (1, 2), (3, 4), ..., (dim−1, 0) with the same frequencies.
    Each coordinate moves every dimension, and A·B ≠ B·A, so exp(y·A + x·B) is a valid
    rotation for every (y, x) but the score no longer depends on the offset alone.

    Parameters
    ----------
    dim : int
        Rotary dimension, even and at least 4.
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(2, dim, dim)`` float64: A then B, each skew-symmetric.

    Raises
    ------
    ValueError, TypeError
        For a ``dim`` that is odd or below 4, or a bad ``base``.

    Examples
    --------
    >>> a, b = staggered_generators(4, base=100.0)
    >>> bool(np.allclose(a @ b, b @ a))
    False
    """
    dim = check_dim(dim)
    if dim < 4:
        fail("dim", "an even integer >= 4 (two staggered sets of planes)", dim)
    base = check_float(base, "base", minimum=1.0)
    freqs = rope_frequencies(dim, base)  # (dim/2,)
    first = [(2 * i, 2 * i + 1) for i in range(dim // 2)]
    second = [(2 * i + 1, (2 * i + 2) % dim) for i in range(dim // 2)]
    return np.stack([_plane_generator(dim, first, freqs), _plane_generator(dim, second, freqs)])


def _check_skew(g: np.ndarray, name: str, expected: str) -> np.ndarray:
    """Refuse matrices (last two axes) that are not skew-symmetric: their exponentials are
    not rotations."""
    scale = max(float(np.abs(g).max(initial=0.0)), 1.0)
    if g.shape[-1] != g.shape[-2] or not np.allclose(g, -np.swapaxes(g, -1, -2), atol=1e-12 * scale):
        fail(name, expected, g)
    return g


def _check_generators(generators: Any) -> np.ndarray:
    g = check_array(generators, "generators", ndim=3, nonempty=True,
                    what="an array of shape (k, dim, dim): k square matrices")
    return _check_skew(g, "generators", "k square skew-symmetric matrices (G.T == -G), whose "
                       "exponentials are rotations")


def generator_rotations(positions: Any, generators: Any) -> np.ndarray:
    """R(u) = exp(Σ_a u_a·G_a) for every coordinate row u.

    Computed without scipy: S = Σ_a u_a·G_a is skew-symmetric, so H = −iS is Hermitian with
    H = V diag(λ) V^H, and exp(S) = V diag(e^(iλ)) V^H (real up to rounding).

    Parameters
    ----------
    positions : array_like
        ``(n, k)`` coordinates, one row per token.
    generators : array_like
        ``(k, dim, dim)`` skew-symmetric generators, one per axis.

    Returns
    -------
    numpy.ndarray
        ``(n, dim, dim)`` float64 orthogonal matrices.

    Raises
    ------
    ValueError, TypeError
        For ``positions`` that are not (n, k), or ``generators`` that are not k skew-symmetric
        square matrices.

    Examples
    --------
    >>> r = generator_rotations([[2, 5]], axial_generators(8))
    >>> bool(np.allclose(r[0].T @ r[0], np.eye(8)))
    True
    """
    positions = check_array(positions, "positions", ndim=2, nonempty=True,
                            what="a non-empty 2-D array (n, k), one row of coordinates per token")  # (n, k)
    g = _check_generators(generators)  # (k, dim, dim)
    if positions.shape[1] != g.shape[0]:
        fail("positions", f"{g.shape[0]} coordinates per row, one per generator",
             f"{positions.shape[1]} per row")
    s = np.einsum("na,aij->nij", positions, g)  # (n, dim, dim), skew-symmetric
    lam, vecs = np.linalg.eigh(-1j * s)  # (n, dim), (n, dim, dim)
    phase = np.exp(1j * lam)[:, None, :]  # (n, 1, dim)
    return ((vecs * phase) @ np.conj(np.swapaxes(vecs, 1, 2))).real  # (n, dim, dim)


def commuting_skew_matrices(generator: Any, atol: float = 1e-10) -> np.ndarray:
    """An orthonormal basis of the skew-symmetric matrices X that commute with ``generator``.

    These are the partners B_2 that the relativity conditions of RoPE-2D allow for a given
    B_1 (kexue.fm/archives/8397: B_1, B_2 skew-symmetric and B_1·B_2 = B_2·B_1). An invertible
    code needs a partner that is not a multiple of B_1, so it needs a basis of two or more.
    For Su's B_1 turning one plane, the basis has one element (B_1 itself) in 2x2 and 3x3
    matrices and two in 4x4, the first size where RoPE-2D fits.

    The basis is the null space of the linear map X ↦ G·X − X·G restricted to skew-symmetric
    X = Σ_(i<j) c_ij·(e_j e_i^T − e_i e_j^T), found with an SVD.

    Parameters
    ----------
    generator : array_like
        ``(dim, dim)`` skew-symmetric matrix.
    atol : float
        Singular values below ``atol`` times the largest entry of ``generator`` (at least 1)
        count as zero.

    Returns
    -------
    numpy.ndarray
        ``(k, dim, dim)`` float64 skew-symmetric matrices, orthonormal in the Frobenius inner
        product, each commuting with ``generator``; k >= 1 whenever dim >= 2 (the generator
        commutes with itself).

    Raises
    ------
    ValueError, TypeError
        For a ``generator`` that is not one square skew-symmetric matrix, or a negative
        ``atol``.

    References
    ----------
    kexue.fm/archives/8397, section on the matrix exponential (the 3x3 and 4x4 searches).

    Examples
    --------
    >>> b1 = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    >>> commuting_skew_matrices(b1).shape  # 3x3: only multiples of B_1
    (1, 3, 3)
    """
    g = check_array(generator, "generator", ndim=2, shape=(None, None),
                    what="one square matrix of shape (dim, dim), dim >= 2")
    if g.shape[0] < 2:
        fail("generator", "one square matrix of shape (dim, dim), dim >= 2", g)
    g = _check_skew(g, "generator", "a square skew-symmetric matrix (G.T == -G)")
    atol = check_float(atol, "atol", minimum=0.0)
    dim = g.shape[0]
    rows, cols = np.triu_indices(dim, k=1)  # planes (i, j), i < j
    basis = np.zeros((len(rows), dim, dim))  # (m, dim, dim): e_j e_i^T − e_i e_j^T
    basis[np.arange(len(rows)), cols, rows] = 1.0
    basis[np.arange(len(rows)), rows, cols] = -1.0
    brackets = g @ basis - basis @ g  # (m, dim, dim): [G, E_l]
    _, sing, vh = np.linalg.svd(brackets.reshape(len(rows), -1).T)  # map: coefficients -> [G, X]
    scale = max(float(np.abs(g).max()), 1.0)
    rank = int(np.sum(sing > atol * scale))
    null = vh[rank:]  # (k, m) orthonormal coefficient vectors
    return np.einsum("km,mij->kij", null, basis) / np.sqrt(2.0)  # each E_l has norm sqrt(2)


def common_rotation_planes(generators: Any, rng: Any = 0, atol: float = 1e-8) -> np.ndarray:
    """An orthogonal Q that block-diagonalises every one of several commuting generators.

    For commuting skew-symmetric G_a, a generic combination M = Σ_a c_a·G_a has invariant
    2-planes that every G_a shares. Each eigenvector v = a + i·b of M with eigenvalue iω,
    ω > 0, spans one such plane with the orthonormal basis (√2·a, √2·b); stacking the planes
    gives Q, and Q^T G_a Q has 2x2 blocks on the diagonal and zeros elsewhere. In that basis
    the generators are RoPE-2D's block-diagonal A and B, up to the frequencies.

    Parameters
    ----------
    generators : array_like
        ``(k, dim, dim)`` commuting skew-symmetric generators, dim even.
    rng : int or numpy.random.Generator
        Source of the random coefficients c_a: an int seed (the same Q on every call) or a
        Generator, used as is (the package's rng contract, :mod:`rope_viz._validation`).
    atol : float
        Tolerance of the final check that every Q^T G_a Q is block-diagonal.

    Returns
    -------
    numpy.ndarray
        ``(dim, dim)`` orthogonal Q (columns 2j, 2j+1 span plane j).

    Raises
    ------
    ValueError, TypeError
        For bad ``generators`` or ``rng``, an odd dim, or generators that do not commute (or
        that a generic combination cannot separate, e.g. with a null space), detected by the
        check.

    References
    ----------
    kexue.fm/archives/8397; the standard fact that commuting normal matrices are
    simultaneously diagonalisable.

    Examples
    --------
    >>> g = axial_generators(8)
    >>> q = common_rotation_planes(g)
    >>> bool(np.allclose(q.T @ q, np.eye(8)))
    True
    """
    g = _check_generators(generators)  # (k, dim, dim)
    dim = g.shape[1]
    if dim % 2:
        fail("generators", "matrices of even size (rotation planes come in pairs)", g.shape)
    atol = check_float(atol, "atol", minimum=0.0)
    coeffs = check_generator(rng).uniform(0.5, 1.5, g.shape[0])  # (k,)
    m = np.einsum("a,aij->ij", coeffs, g)  # (dim, dim)
    lam, vecs = np.linalg.eigh(-1j * m)  # ascending: the dim/2 largest are the +ω half
    top = vecs[:, dim // 2:]  # (dim, dim/2) complex
    q = np.empty((dim, dim))
    q[:, 0::2] = np.sqrt(2) * top.real
    q[:, 1::2] = np.sqrt(2) * top.imag
    mask = np.kron(np.eye(dim // 2), np.ones((2, 2))).astype(bool)  # the 2x2 diagonal blocks
    blocks = np.einsum("ji,ajk,kl->ail", q, g, q)  # (k, dim, dim): Q^T G_a Q
    scale = max(float(np.abs(g).max()), 1.0)
    if (not np.allclose(q.T @ q, np.eye(dim), atol=atol)
            or np.abs(blocks[:, ~mask]).max(initial=0.0) > atol * scale):
        fail("generators", "commuting generators with a common set of rotation planes "
             "(no null space, distinct joint frequencies)", "generators that Q could not "
             "block-diagonalise")
    return q


def rope2d_scores(
    shape: Any,
    dim: int,
    base: float = 100.0,
    scheme: str = "axial",
    *,
    vectors: str = "ones",
    rng: Any = 0,
) -> np.ndarray:
    """Scores (R(u) q)·(R(v) k) between every pair of patches of an image grid.

    ``"axial"``: RoPE-2D (:func:`rope_viz.apply_axial_rope`, half the pairs per axis).
    ``"flattened"``: 1-D RoPE (:func:`rope_viz.apply_rope`) on the raster index row·W + column.
    ``"staggered"``: exp(row·A + column·B) with :func:`staggered_generators`.

    Parameters
    ----------
    shape : (int, int)
        Grid (rows H, columns W).
    dim : int
        Rotary dimension (divisible by 4).
    base : float
        RoPE base (> 1).
    scheme : {"axial", "flattened", "staggered"}
        How a patch's coordinates become a rotation.
    vectors : {"ones", "random"}
        The query and key that every patch rotates: ``"ones"``, q = k = (1, ..., 1) (nothing
        is drawn); ``"random"``, q and k drawn from a standard normal with ``rng``.
    rng : int or numpy.random.Generator
        Source of the random q and k when ``vectors="random"``: an int seed (the same vectors
        on every call) or a Generator, used as is (the package's rng contract,
        :mod:`rope_viz._validation`). Checked but unused for ``"ones"``.

    Returns
    -------
    numpy.ndarray
        ``(H·W, H·W)`` float64; entry [u, v] is the score of patch u's query with patch v's
        key, patches in row-major order.

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base``, ``scheme``, ``vectors`` or ``rng``.

    Examples
    --------
    >>> rope2d_scores((2, 3), 8).shape
    (6, 6)
    """
    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    dim = check_dim(dim)
    if dim % 4:
        fail("dim", "divisible by 4 (half the pairs per axis in the axial scheme)", dim)
    base = check_float(base, "base", minimum=1.0)
    scheme = check_choice(scheme, "scheme", ROPE2D_SCHEMES)
    vectors = check_choice(vectors, "vectors", ROPE2D_VECTORS)
    generator = check_generator(rng)
    if vectors == "ones":
        q = k = np.ones(dim)
    else:
        q, k = generator.standard_normal((2, dim))  # (dim,) each
    positions = grid_positions(shape)  # (H·W, 2): (row, column)
    n = len(positions)
    if scheme == "axial":
        rq = apply_axial_rope(np.broadcast_to(q, (n, dim)).copy(), positions, base)
        rk = apply_axial_rope(np.broadcast_to(k, (n, dim)).copy(), positions, base)
    elif scheme == "flattened":
        flat = positions[:, 0] * shape[1] + positions[:, 1]  # (H·W,) raster index
        rq = apply_rope(np.broadcast_to(q, (n, dim)).copy(), flat, base)
        rk = apply_rope(np.broadcast_to(k, (n, dim)).copy(), flat, base)
    else:
        rotations = generator_rotations(positions, staggered_generators(dim, base))  # (n, d, d)
        rq, rk = rotations @ q, rotations @ k  # (n, dim) each
    return rq @ rk.T  # (H·W, H·W)
