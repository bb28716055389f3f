"""The medium race stored in the package reproduces: one of its cells is trained again here.

``rope_viz/data/race_medium.json`` was written by ``benchmarks/run_experiments.py --mode
medium --race`` (about half an hour on two CPU cores); the chapter on extrapolation shows it.
This test loads it, checks what it says about itself, and re-runs one cell of its grid (one
task, one trained model with its post-hoc variants, one seed: about 20 s) with the settings it
records, as the script did (one torch thread), and compares the accuracies.
Run: ``pytest tests/test_race_medium.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from rope_viz.experiments import (
    MEDIUM_SETTINGS,
    RACE_ENCODINGS,
    ShootoutResult,
    run_shootout,
    stored_race,
)


@pytest.fixture(scope="module")
def stored() -> ShootoutResult:
    return stored_race()


def test_stored_race_says_how_it_was_made(stored):
    prov = stored.provenance
    for key in ("command", "commit", "machine", "torch", "date", "threads", "wall_seconds"):
        assert prov.get(key), key
    assert "--mode medium" in prov["command"] and "--race" in prov["command"]
    assert not prov["commit"].endswith("+dirty") and len(prov["commit"]) == 40
    assert stored.settings == MEDIUM_SETTINGS
    assert stored.encodings == RACE_ENCODINGS and stored.tasks == ("copy", "lookback")
    assert stored.lengths == tuple(m * MEDIUM_SETTINGS.train_length for m in (1, 2, 4, 8))
    for task in stored.tasks:
        for enc in stored.encodings:
            assert stored.accuracy[task][enc].shape == (len(MEDIUM_SETTINGS.seeds), 4)
            assert np.isfinite(stored.accuracy[task][enc]).all(), (task, enc)


def test_one_cell_of_the_medium_grid_reproduces(stored):
    seed = MEDIUM_SETTINGS.seeds[0]
    settings = dataclasses.replace(MEDIUM_SETTINGS, seeds=(seed,))
    threads = torch.get_num_threads()
    torch.set_num_threads(stored.provenance["threads"])
    try:
        again = run_shootout(settings, tasks=("lookback",),
                             encodings=("rope", "rope+rerope", "rope+ntk-mixed"), progress=False)
    finally:
        torch.set_num_threads(threads)
    for enc in again.encodings:
        # another CPU may round a few logits differently: a handful of tokens out of 4,000+
        np.testing.assert_allclose(again.accuracy["lookback"][enc][0],
                                   stored.accuracy["lookback"][enc][0], atol=0.01,
                                   err_msg=enc)
