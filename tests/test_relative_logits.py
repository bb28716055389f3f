"""The logit terms of the relative zoo, checked against loops written from the papers'
formulas. (Su's probe and attention_from_logits are tested in tests/test_attention.py.)

Run with ``pytest tests/test_relative_logits.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close

from rope_viz import (
    deberta_relative_indices,
    deberta_terms,
    shaw_bias,
    sinusoidal_encoding,
    t5_bias,
    t5_relative_buckets,
    transformer_xl_terms,
)


def test_shaw_bias_matches_a_loop(rng):
    n, d, k = 7, 4, 2
    q = rng.standard_normal((n, d))
    table = rng.standard_normal((2 * k + 1, d))
    expected = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            expected[i, j] = q[i] @ table[min(max(j - i, -k), k) + k]
    assert_close(shaw_bias(q, table, k), expected, label="shaw")
    assert shaw_bias(q, table, k, n_key=3).shape == (n, 3)


def test_transformer_xl_terms_match_a_loop(rng):
    n, dm, dh, dr = 6, 5, 4, 6
    x = rng.standard_normal((n, dm))
    w_q, w_k = rng.standard_normal((2, dm, dh))
    w_r = rng.standard_normal((dr, dh))
    u, v = rng.standard_normal((2, dh))
    terms = transformer_xl_terms(x, w_q, w_k, w_r, u, v)
    for i in range(n):
        for j in range(n):
            r = sinusoidal_encoding([i - j], dr)[0]
            assert np.isclose(terms["a"][i, j], x[i] @ w_q @ w_k.T @ x[j])
            assert np.isclose(terms["b"][i, j], x[i] @ w_q @ w_r.T @ r)
            assert np.isclose(terms["c"][i, j], u @ w_k.T @ x[j])
            assert np.isclose(terms["d"][i, j], v @ w_r.T @ r)


def test_transformer_xl_position_terms_depend_on_distance_only_for_one_token(rng):
    n, d = 9, 4
    x = np.repeat(rng.standard_normal((1, d)), n, 0)
    terms = transformer_xl_terms(x, *rng.standard_normal((3, d, d)), *rng.standard_normal((2, d)))
    for name in "abcd":
        m = terms[name]
        for offset in range(-n + 1, n):
            assert np.ptp(np.diagonal(m, offset)) < 1e-9, name
    assert np.ptp(terms["b"]) > 1e-3  # and it does vary with the distance


def test_t5_bias_looks_up_the_buckets(rng):
    values = rng.standard_normal((3, 32))
    bias = t5_bias(40, values)
    rel = np.arange(40)[None, :] - np.arange(40)[:, None]
    assert bias.shape == (3, 40, 40)
    assert_close(bias, values[:, t5_relative_buckets(rel)])
    causal = t5_bias(5, values[0], bidirectional=False)
    assert np.allclose(causal[np.triu_indices(5, 1)], values[0, 0])



def test_t5_bucket_layout_as_the_relative_zoo_chapter_states():
    """32 bidirectional buckets, max distance 128, relative position = key − query."""
    # Su's table (kexue.fm/archives/8130): keys 0..30 before the query
    su_table = list(range(8)) + [8] * 4 + [9] * 4 + [10] * 7 + [11] * 8
    assert t5_relative_buckets(-np.arange(31)).tolist() == su_table
    after = t5_relative_buckets(np.arange(1000))  # keys after the query
    assert after[0] == 0  # the query's own position: no +16
    assert after[1:8].tolist() == list(range(17, 24))
    assert [(np.flatnonzero(after == k).min(), np.flatnonzero(after == k).max())
            for k in (24, 25, 26, 27)] == [(8, 11), (12, 15), (16, 22), (23, 31)]
    assert np.flatnonzero(after == 31).min() == 91
    every = t5_relative_buckets(np.arange(-1000, 1000))
    assert 16 not in every and len(np.unique(every)) == 31

def test_deberta_indices_follow_the_paper():
    k, n = 3, 10
    delta = deberta_relative_indices(n, max_distance=k)
    for i in range(n):
        for j in range(n):
            if i - j <= -k:
                assert delta[i, j] == 0
            elif i - j >= k:
                assert delta[i, j] == 2 * k - 1
            else:
                assert delta[i, j] == i - j + k


def test_deberta_terms_match_a_loop(rng):
    n, d, k = 6, 4, 2
    qc, kc = rng.standard_normal((2, n, d))
    qr, kr = rng.standard_normal((2, 2 * k, d))
    terms = deberta_terms(qc, kc, qr, kr, k)
    delta = deberta_relative_indices(n, max_distance=k)
    for i in range(n):
        for j in range(n):
            assert np.isclose(terms["c2c"][i, j], qc[i] @ kc[j])
            assert np.isclose(terms["c2p"][i, j], qc[i] @ kr[delta[i, j]])
            assert np.isclose(terms["p2c"][i, j], kc[j] @ qr[delta[j, i]])


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: shaw_bias(np.ones((3, 2)), np.ones((4, 2)), 2), ValueError, "key_table"),
        (lambda: shaw_bias(np.ones((3, 2)), np.ones((5, 3)), 2), ValueError, "key_table"),
        (lambda: shaw_bias("q", np.ones((5, 2)), 2), TypeError, "queries"),
        (lambda: shaw_bias(np.ones((3, 2)), np.ones((5, 2)), 0), ValueError, "max_distance"),
        (lambda: transformer_xl_terms(np.ones((3, 2)), np.ones((3, 2)), np.eye(2), np.eye(2),
                                      np.ones(2), np.ones(2)), ValueError, "w_q"),
        (lambda: transformer_xl_terms(np.ones((3, 2)), np.eye(2), np.eye(2), np.ones((3, 2)),
                                      np.ones(2), np.ones(2)), ValueError, "w_r"),
        (lambda: transformer_xl_terms(np.ones((3, 2)), np.eye(2), np.eye(2), np.eye(2),
                                      np.ones(3), np.ones(2)), ValueError, "u"),
        (lambda: transformer_xl_terms(np.ones((3, 2)), np.eye(2), np.eye(2), np.eye(2),
                                      np.ones(2), np.ones(2), base=1.0), ValueError, "base"),
        (lambda: t5_bias(3, np.ones((2, 2, 32))), ValueError, "bucket_values"),
        (lambda: t5_bias(0, np.ones(32)), ValueError, "n_query"),
        (lambda: deberta_relative_indices(3, max_distance=0), ValueError, "max_distance"),
        (lambda: deberta_terms(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 2)), np.ones((4, 2)),
                               2), ValueError, "position_queries"),
        (lambda: deberta_terms(np.ones((3, 2)), np.ones((4, 2)), np.ones((4, 2)), np.ones((4, 2)),
                               2), ValueError, "content_keys"),
    ],
)
def test_bad_arguments(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
