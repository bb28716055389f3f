"""Rotary position embedding (RoPE): frequencies, rotation matrices, and applying it.

What this module holds
----------------------
- :func:`rope_frequencies` and :func:`rope_angles`: θ_i = base^(−2i/dim) and the angles m·θ_i.
- :func:`rotation_matrix`: the block-diagonal R_m of Su et al. (2021).
- :func:`apply_rope`: RoPE on numpy arrays or torch tensors, in three equivalent forms
  (``"matrix"``, ``"complex"``, ``"elementwise"``) and two pairings (``"interleaved"``,
  ``"half"``).
- :func:`pairing_permutation`: the index permutation between the two pairings.
- :func:`random_orthogonal` and :func:`orthogonal_block_form`: Su's general solution
  ``R_n = O^n`` for any orthogonal ``O`` (kexue.fm/archives/9403), and the basis change that
  turns ``O`` into RoPE's block-diagonal form (2x2 rotations, plus ±1 entries when needed).

Conventions
-----------
Shapes use ``n`` for the sequence length and ``dim`` for the head dimension; ``x`` is
``(..., n, dim)``. Pair ``i`` (``0 <= i < dim/2``) is rotated **counter-clockwise** by the angle
``positions[m] * θ_i``::

    (x0, x1) -> (x0 cos − x1 sin,  x1 cos + x0 sin)

The pairing says which two dimensions form pair ``i``: ``"interleaved"`` uses ``(2i, 2i+1)``
(RoFormer, GPT-J, Meta's Llama code, lucidrains' rotary-embedding-torch); ``"half"`` uses
``(i, i + dim/2)`` (GPT-NeoX and Hugging Face's ``rotate_half``).

Angles are always formed in float64 (positions times ``inv_freq``) and only the resulting cos
and sin are rounded to the dtype of ``x``: this keeps float32 results accurate at positions in
the millions, where forming ``m·θ`` in float32 would already be off by a sizeable fraction of a
radian (see :mod:`rope_viz.precision`).

References
----------
- J. Su, Y. Lu, S. Pan, A. Murtadha, B. Wen, Y. Liu. RoFormer: Enhanced Transformer with Rotary
  Position Embedding. arXiv:2104.09864 (2021).
- 苏剑林 (J. Su). Transformer升级之路:2、博采众长的旋转式位置编码. kexue.fm/archives/8265
  (2021): the matrix, the elementwise form and the long-range decay bound.
- 苏剑林 (J. Su). Transformer升级之路:6、旋转位置编码的完备性分析. kexue.fm/archives/9403
  (2022): every orthogonal ``O`` gives a solution ``O^n``; up to a change of basis it is RoPE.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_choice,
    check_dim,
    check_features,
    check_float,
    check_generator,
    check_int,
    fail,
    is_tensor,
)

__all__ = [
    "PAIRINGS",
    "FORMS",
    "rope_frequencies",
    "rope_angles",
    "rotation_matrix",
    "apply_rope",
    "pairing_permutation",
    "random_orthogonal",
    "OrthogonalBlockForm",
    "orthogonal_block_form",
]

PAIRINGS = ("interleaved", "half")
FORMS = ("elementwise", "complex", "matrix")


# ---------------------------------------------------------------------------------------------
# frequencies and angles
# ---------------------------------------------------------------------------------------------


def rope_frequencies(dim: int, base: float = 10000.0) -> np.ndarray:
    """The RoPE inverse frequencies θ_i = base^(−2i/dim).

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        The base b (> 1); 10000 in RoFormer and Llama 2, 500000 in Llama 3.

    Returns
    -------
    numpy.ndarray
        ``(dim/2,)`` float64, decreasing from 1 to base^(−(dim−2)/dim).

    Raises
    ------
    ValueError, TypeError
        For an odd or non-positive ``dim`` or a ``base`` that is not a number > 1.

    References
    ----------
    Su et al. 2021 (arXiv:2104.09864), eq. (15); Vaswani et al. 2017 for the same geometric
    progression in sinusoidal encodings.

    Examples
    --------
    >>> rope_frequencies(4)
    array([1.  , 0.01])
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0, hint="RoPE frequencies are base**(-2i/dim)")
    exponents = np.arange(0, dim, 2, dtype=np.float64) / dim  # (dim/2,)
    return base**-exponents


def rope_angles(positions: Any, dim: int, base: float = 10000.0, *, inv_freq: Any = None) -> np.ndarray:
    """The rotation angles ``positions[m] * θ_i``, formed in float64.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` positions (any real numbers), or an int ``n`` meaning ``range(n)``.
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base; ignored when ``inv_freq`` is given.
    inv_freq : array_like, optional
        ``(dim/2,)`` frequencies to use instead of :func:`rope_frequencies` (for example the
        output of :func:`rope_viz.scaled_frequencies`).

    Returns
    -------
    numpy.ndarray
        ``(n, dim/2)`` float64 angles in radians (not reduced modulo 2π).

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``base`` or ``inv_freq``.

    Examples
    --------
    >>> rope_angles([0, 2], 4)
    array([[0.  , 0.  ],
           [2.  , 0.02]])
    """
    dim = check_dim(dim)
    positions = as_positions(positions)
    if inv_freq is None:
        freqs = rope_frequencies(dim, base)
    else:
        freqs = check_array(inv_freq, "inv_freq", ndim=1, shape=(dim // 2,),
                            what=f"a 1-D array of dim/2 = {dim // 2} frequencies")  # (dim/2,)
    return np.multiply.outer(positions, freqs)  # (n, dim/2)


def rotation_matrix(position: float, dim: int, base: float = 10000.0) -> np.ndarray:
    """The block-diagonal rotation R_m of RoPE, interleaved pairs, counter-clockwise.

    Block ``i`` sits on rows and columns ``2i, 2i+1`` and equals
    ``[[cos mθ_i, −sin mθ_i], [sin mθ_i, cos mθ_i]]``. R_m is orthogonal and
    ``R_m.T @ R_n == R_(n−m)``.

    Parameters
    ----------
    position : float
        The position m (a real number).
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(dim, dim)`` float64.

    Raises
    ------
    ValueError, TypeError
        For a non-finite ``position`` or a bad ``dim`` or ``base``.

    References
    ----------
    Su et al. 2021 (arXiv:2104.09864), eq. (15); kexue.fm/archives/8265.

    Examples
    --------
    >>> rotation_matrix(1, 2, base=10000.0).round(3)
    array([[ 0.54 , -0.841],
           [ 0.841,  0.54 ]])
    """
    position = check_float(position, "position")
    angles = rope_angles([position], dim, base)[0]  # (dim/2,)
    return _block_matrices(angles[None, :])[0]


def _block_matrices(angles: np.ndarray) -> np.ndarray:
    """``(n, dim/2)`` angles -> ``(n, dim, dim)`` block-diagonal rotations (interleaved)."""
    n, half = angles.shape
    cos, sin = np.cos(angles), np.sin(angles)  # (n, dim/2) each
    matrices = np.zeros((n, 2 * half, 2 * half), dtype=np.float64)
    even = np.arange(0, 2 * half, 2)
    matrices[:, even, even] = cos
    matrices[:, even, even + 1] = -sin
    matrices[:, even + 1, even] = sin
    matrices[:, even + 1, even + 1] = cos
    return matrices


def pairing_permutation(dim: int, source: str = "half", target: str = "interleaved") -> np.ndarray:
    """Index permutation that re-lays a vector from one pairing into another.

    With ``perm = pairing_permutation(dim, "half", "interleaved")``, ``x[..., perm]`` puts the
    pair ``(i, i + dim/2)`` of a half-paired vector at ``(2i, 2i+1)``; so
    ``apply_rope(x, p, pairing="half")[..., perm] == apply_rope(x[..., perm], p,
    pairing="interleaved")``. The permutation in the other direction is its inverse
    (``numpy.argsort(perm)``), which is what ``source="interleaved", target="half"`` returns.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    source, target : {"interleaved", "half"}
        The pairing the vector is in, and the pairing wanted.

    Returns
    -------
    numpy.ndarray
        ``(dim,)`` int64 indices (the identity when ``source == target``).

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim`` or an unknown pairing.

    Examples
    --------
    >>> pairing_permutation(6)
    array([0, 3, 1, 4, 2, 5])
    """
    dim = check_dim(dim)
    source = check_choice(source, "source", PAIRINGS)
    target = check_choice(target, "target", PAIRINGS)
    if source == target:
        return np.arange(dim, dtype=np.int64)
    half = dim // 2
    to_interleaved = np.stack([np.arange(half), np.arange(half) + half], axis=1)  # (dim/2, 2)
    to_interleaved = to_interleaved.reshape(dim).astype(np.int64)  # (dim,): i, i+dim/2, ...
    if target == "interleaved":
        return to_interleaved
    return np.argsort(to_interleaved).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# applying RoPE
# ---------------------------------------------------------------------------------------------

_TABLE_CACHE: OrderedDict = OrderedDict()
_TABLE_CACHE_SIZE = 16


def _cached(key: tuple, build):
    """A small LRU cache for cos/sin tables; the tables never leave this module."""
    try:
        value = _TABLE_CACHE.pop(key)
    except KeyError:
        value = build()
        if len(_TABLE_CACHE) >= _TABLE_CACHE_SIZE:
            _TABLE_CACHE.popitem(last=False)
    _TABLE_CACHE[key] = value
    return value


def _torch_compute_dtype(x):
    """Complex and matrix forms compute fp16/bf16 in float32 (torch has no complex bf16)."""
    import torch

    return x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32


class _Angles:
    """Rotation angles made on first use, with a key that is cheap to hash.

    ``apply_rope`` knows its angles from the positions (n numbers) and the frequencies (dim/2
    numbers); keying the table cache on those, not on the (n, dim/2) angles, means a cached
    call never forms the angles at all (on a GPU that host work would cost more than the
    rotation itself).
    """

    def __init__(self, positions: np.ndarray, freqs: np.ndarray):
        self.key = ("outer", positions.tobytes(), freqs.tobytes())
        self._positions, self._freqs = positions, freqs
        self._value = None

    def array(self) -> np.ndarray:
        if self._value is None:
            self._value = np.multiply.outer(self._positions, self._freqs)  # (n, dim/2)
        return self._value


def _angle_array(angles) -> np.ndarray:
    return angles.array() if isinstance(angles, _Angles) else angles


def _tables(angles, like: Any, kind: str, dtype=None):
    """cos/sin (``kind="cossin"``) or e^(i·angle) (``kind="cis"``) for ``like``'s library."""
    key_dtype = str(dtype if dtype is not None else like.dtype)
    device = str(like.device) if is_tensor(like) else "numpy"
    if isinstance(angles, _Angles):
        source = angles.key
    else:
        source = (angles.shape, hash(angles.tobytes()))
    key = (kind, source, key_dtype, device)

    def build():
        angles_now = _angle_array(angles)
        if not is_tensor(like):
            if kind == "cis":
                return np.exp(1j * angles_now)  # (n, dim/2) complex128
            return np.cos(angles_now).astype(like.dtype), np.sin(angles_now).astype(like.dtype)
        import torch

        target = dtype if dtype is not None else like.dtype
        if kind == "cis":
            complex_dtype = torch.complex128 if target == torch.float64 else torch.complex64
            cis = torch.from_numpy(np.exp(1j * angles_now)).to(complex_dtype)  # (n, dim/2)
            return cis.to(like.device)
        cos = torch.from_numpy(np.cos(angles_now)).to(target).to(like.device)  # (n, dim/2)
        sin = torch.from_numpy(np.sin(angles_now)).to(target).to(like.device)  # (n, dim/2)
        return cos, sin

    return _cached(key, build)


def _pair_views(x, pairing: str):
    """The two members (x0, x1) of every pair, as views of ``x``: each ``(..., n, dim/2)``."""
    half = x.shape[-1] // 2
    if pairing == "half":
        return x[..., :half], x[..., half:]
    pairs = x.reshape(*x.shape[:-1], half, 2)  # (..., n, dim/2, 2)
    return pairs[..., 0], pairs[..., 1]


def _elementwise(x, angles: np.ndarray, pairing: str):
    """x ⊗ cos + rot(x) ⊗ sin, written into one output buffer without full-size temporaries."""
    if is_tensor(x):
        import torch

        cos, sin = _tables(angles, x, "cossin")  # (n, dim/2) each, x's dtype and device
        if x.requires_grad and torch.is_grad_enabled():  # out= is not differentiable
            x0, x1 = _pair_views(x, pairing)
            r0, r1 = x0 * cos - x1 * sin, x1 * cos + x0 * sin
            if pairing == "half":
                return torch.cat([r0, r1], dim=-1)  # (..., n, dim)
            return torch.stack([r0, r1], dim=-1).flatten(-2)  # (..., n, dim/2, 2) -> (..., n, dim)
        out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
        x0, x1 = _pair_views(x, pairing)
        o0, o1 = _pair_views(out, pairing)
        torch.mul(x0, cos, out=o0)
        o0.addcmul_(x1, sin, value=-1)
        torch.mul(x1, cos, out=o1)
        o1.addcmul_(x0, sin)
        return out
    cos, sin = _tables(angles, x, "cossin")
    out = np.empty(x.shape, dtype=x.dtype)
    x0, x1 = _pair_views(x, pairing)
    o0, o1 = _pair_views(out, pairing)
    scratch = np.empty(x0.shape, dtype=x.dtype)
    np.multiply(x0, cos, out=o0)
    np.multiply(x1, sin, out=scratch)
    np.subtract(o0, scratch, out=o0)
    np.multiply(x1, cos, out=o1)
    np.multiply(x0, sin, out=scratch)
    np.add(o1, scratch, out=o1)
    return out


def _complex(x, angles: np.ndarray, pairing: str):
    """Pairs as complex numbers z = x0 + i·x1, multiplied by e^(i·angle)."""
    if is_tensor(x):
        import torch

        compute = _torch_compute_dtype(x)
        xc = x.to(compute)
        cis = _tables(angles, x, "cis", dtype=compute)  # (n, dim/2) complex
        if pairing == "interleaved":
            pairs = xc.reshape(*x.shape[:-1], x.shape[-1] // 2, 2).contiguous()  # (..., n, dim/2, 2)
            rotated = torch.view_as_complex(pairs) * cis  # (..., n, dim/2) complex
            out = torch.view_as_real(rotated).reshape(x.shape)  # (..., n, dim/2, 2) -> (..., n, dim)
        else:
            x0, x1 = _pair_views(xc, "half")
            rotated = torch.complex(x0.contiguous(), x1.contiguous()) * cis  # (..., n, dim/2)
            out = torch.cat([rotated.real, rotated.imag], dim=-1)  # (..., n, dim)
        return out.to(x.dtype)
    cis = _tables(angles, x, "cis")  # (n, dim/2) complex128
    x0, x1 = _pair_views(x, pairing)
    rotated = (x0 + 1j * x1) * cis  # (..., n, dim/2) complex
    if pairing == "half":
        out = np.concatenate([rotated.real, rotated.imag], axis=-1)  # (..., n, dim)
    else:
        out = np.stack([rotated.real, rotated.imag], axis=-1).reshape(x.shape)  # (..., n, dim)
    return out.astype(x.dtype)


def _matrix(x, angles, pairing: str):
    """Multiply every row by its full ``(dim, dim)`` R_m (the textbook form; O(n·dim²))."""
    matrices = _block_matrices(_angle_array(angles))  # (n, dim, dim), interleaved layout
    if pairing == "half":
        # conjugate by the permutation: R_half = P^T R_interleaved P
        perm = pairing_permutation(x.shape[-1], "half", "interleaved")
        inverse = np.argsort(perm)
        matrices = matrices[:, inverse][:, :, inverse]  # (n, dim, dim)
    if is_tensor(x):
        import torch

        compute = _torch_compute_dtype(x)
        mats = torch.from_numpy(matrices).to(device=x.device, dtype=compute)
        out = torch.einsum("nij,...nj->...ni", mats, x.to(compute))  # (..., n, dim)
        return out.to(x.dtype)
    out = np.einsum("nij,...nj->...ni", matrices, x.astype(np.float64))  # (..., n, dim)
    return out.astype(x.dtype)


_FORM_FUNCTIONS = {"elementwise": _elementwise, "complex": _complex, "matrix": _matrix}


def rotate_with_angles(x: Any, angles: np.ndarray, pairing: str = "interleaved", form: str = "elementwise"):
    """Rotate pair ``i`` of row ``m`` of ``x`` by ``angles[m, i]`` (already validated input).

    The shared engine behind :func:`apply_rope`, :func:`rope_viz.apply_mrope` and the N-D
    variants; public callers should use those.
    """
    return _FORM_FUNCTIONS[form](x, angles, pairing)


def check_rope_input(x: Any, n_positions: int, name: str = "x"):
    """Validate ``x`` as ``(..., n, dim)`` with ``n == n_positions``; returns x (numpy or torch)."""
    x = check_features(x, name)
    n = x.shape[-2]
    if n != n_positions:
        fail(
            "positions",
            f"one position per row of {name} ({n}, from {name}.shape[-2])",
            f"{n_positions} positions",
        )
    return x


def apply_rope(
    x: Any,
    positions: Any,
    base: float = 10000.0,
    pairing: str = "interleaved",
    *,
    form: str = "elementwise",
    inv_freq: Any = None,
):
    """Apply rotary position embedding to ``x``.

    Row ``m`` of ``x`` (along the second-to-last axis) is multiplied by R_(positions[m]): pair
    ``i`` is turned counter-clockwise by ``positions[m] * θ_i`` with θ_i = base^(−2i/dim).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        Queries or keys, shape ``(..., n, dim)``, floating point, any device. The result has the
        same type, shape, dtype and device.
    positions : int or array_like
        ``(n,)`` positions (real numbers; fractions allowed, e.g. for interpolation) or an int
        ``n`` meaning ``range(n)``. A torch tensor is accepted and read on the CPU.
    base : float
        RoPE base (> 1). Ignored when ``inv_freq`` is given.
    pairing : {"interleaved", "half"}
        ``"interleaved"``: pairs are dims ``(2i, 2i+1)`` (RoFormer, Meta Llama, lucidrains).
        ``"half"``: pairs are ``(i, i + dim/2)`` (GPT-NeoX, Hugging Face ``rotate_half``).
    form : {"elementwise", "complex", "matrix"}
        How the rotation is computed; all three give the same numbers up to rounding.
        ``"elementwise"`` (default): ``x ⊗ cos + rot(x) ⊗ sin`` written into one output buffer
        (fused multiply-adds, no full-size temporaries). ``"complex"``: pairs as complex numbers
        times e^(i·mθ) (the fastest form for interleaved torch tensors on CPU; fp16/bf16 are
        computed in float32). ``"matrix"``: a full ``(dim, dim)`` matrix per row, O(n·dim²),
        for teaching.
    inv_freq : array_like, optional
        ``(dim/2,)`` frequencies to use instead of base^(−2i/dim), e.g. from
        :func:`rope_viz.scaled_frequencies`.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The rotated ``x``, shape ``(..., n, dim)``. ``x`` itself is not modified. The cos/sin
        tables for the last few (positions, frequencies, dtype, device) are cached.

    Raises
    ------
    ValueError, TypeError
        For an ``x`` that is not a floating array with an even last axis, a number of positions
        different from ``x.shape[-2]``, a non-finite position, a bad ``base``, or an unknown
        ``pairing`` or ``form``.

    References
    ----------
    Su et al. 2021, RoFormer (arXiv:2104.09864) eqs. (34) and (15); kexue.fm/archives/8265.
    Checked against Hugging Face ``transformers.models.llama.modeling_llama.apply_rotary_pos_emb``
    (``pairing="half"``) and lucidrains' ``rotary_embedding_torch.apply_rotary_emb``
    (``pairing="interleaved"``) in ``tests/test_rope.py``.

    Examples
    --------
    >>> import numpy as np
    >>> apply_rope(np.array([[1.0, 0.0]]), [np.pi / 2]).round(6)
    array([[0., 1.]])
    """
    pairing = check_choice(pairing, "pairing", PAIRINGS)
    form = check_choice(form, "form", FORMS)
    positions = as_positions(positions)
    x = check_rope_input(x, positions.shape[0])
    dim = x.shape[-1]
    if inv_freq is None:
        freqs = rope_frequencies(dim, base)  # (dim/2,)
    else:
        freqs = check_array(inv_freq, "inv_freq", ndim=1, shape=(dim // 2,),
                            what=f"a 1-D array of dim/2 = {dim // 2} frequencies")  # (dim/2,)
    # The (n, dim/2) angles positions ⊗ freqs are formed only when their tables are not cached.
    return rotate_with_angles(x, _Angles(positions, freqs), pairing, form)


# ---------------------------------------------------------------------------------------------
# the general solution: powers of an orthogonal matrix (kexue.fm/archives/9403)
# ---------------------------------------------------------------------------------------------


def random_orthogonal(dim: int, *, det: int = 1, rng: Any = 0) -> np.ndarray:
    """A random ``(dim, dim)`` orthogonal matrix with determinant ``det`` (+1 or −1).

    QR of a standard normal matrix, with the signs of R's diagonal moved into Q (so that Q is
    uniformly distributed over the orthogonal group), then the first column negated if the
    determinant has the wrong sign. Its powers ``O^n`` solve ``R_m^T R_n = R_(n−m)``
    (kexue.fm/archives/9403), the determinant −1 case included.

    Parameters
    ----------
    dim : int
        Size (>= 1; odd sizes allowed).
    det : {1, -1}
        Determinant of the result: 1 for a rotation, −1 for a matrix that contains a reflection.
    rng : numpy.random.Generator or int
        An int seed (the same matrix on every call) or a Generator, used as is (the package's
        rng contract, :mod:`rope_viz._validation`).

    Returns
    -------
    numpy.ndarray
        ``(dim, dim)`` float64 with ``O.T @ O == I`` up to rounding.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, a ``det`` other than 1 or −1, or a bad ``rng``.

    Examples
    --------
    >>> o = random_orthogonal(4, det=-1, rng=0)
    >>> bool(np.allclose(o.T @ o, np.eye(4))), round(float(np.linalg.det(o)))
    (True, -1)
    """
    dim = check_dim(dim, even=False)
    det = check_int(det, "det")
    if det not in (1, -1):
        fail("det", "1 or -1", det, "an orthogonal matrix has determinant +1 or -1")
    generator = check_generator(rng)
    q, r = np.linalg.qr(generator.standard_normal((dim, dim)))  # (dim, dim) each
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # column signs: Haar-distributed Q
    if np.linalg.det(q) * det < 0:
        q[:, 0] = -q[:, 0]
    return q


class OrthogonalBlockForm(NamedTuple):
    """``o == basis @ blocks @ basis.T``, from :func:`orthogonal_block_form`.

    ``basis``: ``(dim, dim)`` orthogonal; columns ``2i, 2i+1`` span the plane of rotation ``i``,
    the last ``len(signs)`` columns are the real eigenvectors. ``angles``: ``(k,)`` in (0, π),
    largest first. ``signs``: ``(dim − 2k,)`` of +1 and −1, +1 first. ``blocks``: ``(dim, dim)``
    block-diagonal, the 2x2 counter-clockwise rotations by ``angles`` (interleaved, as in
    :func:`rotation_matrix`) followed by ``diag(signs)``.
    """

    basis: np.ndarray
    angles: np.ndarray
    signs: np.ndarray
    blocks: np.ndarray


def orthogonal_block_form(o: Any, *, atol: float = 1e-8) -> OrthogonalBlockForm:
    """Write an orthogonal matrix as RoPE's block-diagonal form in another basis.

    Every real orthogonal ``O`` is ``Q D Q^T`` with ``Q`` orthogonal and ``D`` block-diagonal:
    2x2 rotations by angles ``φ_i`` in (0, π) and 1x1 entries +1 or −1 (an odd number of −1 when
    ``det O = −1``). Then ``O^n = Q D^n Q^T``, and ``D^n`` is RoPE with frequencies ``φ_i`` on
    the pairs, times ``(±1)^n`` on the single coordinates. From the eigenvalues
    ``e^{±iφ}`` of ``O``: for the eigenvector ``a + ib`` of ``e^{iφ}``, ``O a = cos φ a − sin φ b``
    and ``O b = sin φ a + cos φ b``, so the columns ``(a, −b)``, scaled to unit length, carry a
    counter-clockwise rotation by φ.

    Parameters
    ----------
    o : array_like
        ``(dim, dim)`` orthogonal matrix (``o.T @ o == I`` within ``atol``) whose complex
        eigenvalues are distinct, as they are for a random one with probability 1.
    atol : float
        Tolerance for the orthogonality checks and for telling real eigenvalues from complex.

    Returns
    -------
    OrthogonalBlockForm
        ``(basis, angles, signs, blocks)`` with ``o == basis @ blocks @ basis.T``.

    Raises
    ------
    ValueError, TypeError
        For an ``o`` that is not a square array of finite real numbers, not orthogonal, or
        whose repeated eigenvalues leave the computed basis non-orthogonal.

    References
    ----------
    kexue.fm/archives/9403 (the orthogonal general solution and its reduction to block-diagonal
    RoPE, there for the antisymmetric generator B of ``exp(nB)``).

    Examples
    --------
    >>> form = orthogonal_block_form(rotation_matrix(1.0, 4))
    >>> form.angles.round(6).tolist(), form.signs.tolist()
    ([1.0, 0.01], [])
    """
    atol = check_float(atol, "atol", minimum=0.0)
    matrix = check_array(o, "o", ndim=2, nonempty=True, what="a square 2-D array (dim, dim)")
    if matrix.shape[0] != matrix.shape[1]:
        fail("o", "a square 2-D array (dim, dim)", matrix)
    dim = matrix.shape[0]
    if not np.allclose(matrix.T @ matrix, np.eye(dim), rtol=0.0, atol=atol):
        fail("o", "an orthogonal matrix (o.T @ o == I)", matrix)
    values, vectors = np.linalg.eig(matrix)  # (dim,), (dim, dim) complex
    upper = np.flatnonzero(values.imag > atol)  # one of each pair e^{±iφ}: φ in (0, π)
    upper = upper[np.argsort(-np.angle(values[upper]))]  # largest angle first
    real = np.flatnonzero(np.abs(values.imag) <= atol)
    real = real[np.argsort(-values[real].real)]  # +1 first
    columns = []
    for index in upper:
        z = vectors[:, index]  # (dim,): a + ib
        columns += [z.real, -z.imag]  # the plane, counter-clockwise orientation
    columns += [vectors[:, index].real for index in real]
    basis = np.stack(columns, axis=1)  # (dim, dim)
    basis = basis / np.linalg.norm(basis, axis=0)
    angles = np.angle(values[upper])  # (k,)
    signs = np.sign(values[real].real)  # (dim − 2k,)
    blocks = np.zeros((dim, dim))
    blocks[: 2 * len(angles), : 2 * len(angles)] = _rotation_blocks(angles)
    blocks[2 * len(angles):, 2 * len(angles):] = np.diag(signs)
    if not (np.allclose(basis.T @ basis, np.eye(dim), rtol=0.0, atol=1e3 * atol)
            and np.allclose(basis @ blocks @ basis.T, matrix, rtol=0.0, atol=1e3 * atol)):
        fail("o", "an orthogonal matrix with distinct complex eigenvalues", matrix,
             "repeated eigenvalues leave the eigenvectors of a plane free to mix")
    return OrthogonalBlockForm(basis, angles, signs, blocks)


def _rotation_blocks(angles: np.ndarray) -> np.ndarray:
    """``(2k, 2k)`` block-diagonal counter-clockwise rotations by ``angles`` (interleaved)."""
    k = len(angles)
    out = np.zeros((2 * k, 2 * k))
    c, s = np.cos(angles), np.sin(angles)
    out[0::2, 0::2][np.diag_indices(k)] = c
    out[1::2, 1::2][np.diag_indices(k)] = c
    out[1::2, 0::2][np.diag_indices(k)] = s
    out[0::2, 1::2][np.diag_indices(k)] = -s
    return out
