"""Train short, test long: a shoot-out of positional schemes on synthetic tasks.

What this module holds
----------------------
- :data:`TASKS` and :func:`make_batch`: three tasks generated on the fly (no downloads).
- :func:`train_model` and :func:`evaluate_model`: one :class:`rope_viz.tiny_model.TinyTransformer`
  trained on lengths up to L, evaluated at any length (optionally with RoPE scaling).
- :func:`run_shootout`: every scheme x every task x several seeds; :data:`QUICK_SETTINGS`,
  :data:`MEDIUM_SETTINGS` and :data:`FULL_SETTINGS` settings (change a field with
  ``dataclasses.replace``); :class:`ShootoutResult` with :meth:`ShootoutResult.table`, saved
  and loaded with its provenance by :func:`save_result` and :func:`load_result`.
- :data:`TECHNIQUES`: every encoding a run can race, the positional schemes and Su's
  length-extrapolation techniques (:mod:`rope_viz.extrapolation`), each with its stage
  (baseline, post-hoc, pre-training) and source; :data:`RACE_ENCODINGS` is the race of the
  chapter on extrapolation; :func:`technique_parameters` gives each technique's window and
  slope for a training length, and :func:`technique_changes` what it changes in training and
  at a test length.
- :func:`stored_race`: the medium race that ``benchmarks/run_experiments.py`` ran and stored
  in the package (``rope_viz/data/race_medium.json``).

Randomness follows the package's ``rng`` contract (:mod:`rope_viz._validation`): each
function that draws takes ``rng``; torch draws come from a ``torch.Generator`` and the
initial weights are drawn inside :func:`rope_viz.fork_torch_rng`, so a run never changes
torch's global random state. ``ExperimentSettings.seeds`` lists the replicate runs, one
``rng`` seed each.

The tasks
---------
``n`` symbols are drawn uniformly from ``n_symbols`` ids, and ``BOS`` opens every sequence.

- ``"copy"``: ``BOS x_1 .. x_n SEP x_1 .. x_n``; scored on the copy (predict ``x_(i+1)`` after
  ``x_i``). Needs content-based look-up ("find where I am in the source, read the next one").
- ``"lookback"``: ``BOS x_1 .. x_n``; at token t predict ``x_(t-k)`` (scored for t > k). A purely
  local, relative rule: attend exactly k places back.
- ``"probe"``: Su's probe ``BOS 0 0 .. 0`` -> ``1 2 .. n``: say your own position. Pure
  absolute position. Labels above the training length never occur in training, so the probe
  is evaluated at the training length only.

Length ``n`` counts the symbols (the copy task's sequence has 2n + 2 tokens, the others n + 1).
Training draws ``n`` uniformly in [1, L] per batch for ``"copy"``; the other two train at
``n = L``, which covers every shorter prefix because the model is causal.

References
----------
- 苏剑林. 相对位置编码Transformer的一个理论缺陷与对策. kexue.fm/archives/9105 (2022): the probe.
- Kazemnejad et al. 2023, arXiv:2305.19466: NoPE and length generalisation on synthetic tasks.
- Press et al. 2022, arXiv:2108.12409: "train short, test long".
- 苏剑林's length-extrapolation series, kexue.fm/archives/9431 to 9948 (the techniques; each
  entry of :data:`TECHNIQUES` names its post).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from rope_viz._validation import check_bool, check_choice, check_float, check_int, fail
from rope_viz.rope_attention import fork_torch_rng, seed_from_rng, torch_generator
from rope_viz.tiny_model import POSITION_SCHEMES, TinyConfig, TinyTransformer

__all__ = [
    "TASKS",
    "ENCODINGS",
    "QUICK_SETTINGS",
    "MEDIUM_SETTINGS",
    "FULL_SETTINGS",
    "ExperimentSettings",
    "ShootoutResult",
    "Technique",
    "TECHNIQUES",
    "RACE_ENCODINGS",
    "technique_parameters",
    "technique_changes",
    "make_batch",
    "train_model",
    "evaluate_model",
    "run_shootout",
    "save_result",
    "load_result",
    "stored_race",
]

TASKS = ("copy", "lookback", "probe")
# the schemes trained, then RoPE evaluated with test-time NTK / YaRN scaling (no retraining)
ENCODINGS = POSITION_SCHEMES + ("rope+ntk", "rope+yarn")
BOS, SEP, FIRST_SYMBOL = 0, 1, 2  # special ids; symbols are FIRST_SYMBOL .. + n_symbols - 1
IGNORE = -100  # target id of unscored positions (torch's cross_entropy ignore_index)


@dataclass(frozen=True)
class ExperimentSettings:
    """Everything a shoot-out run needs besides the scheme (same for every scheme)."""

    train_length: int = 16  # L: the longest n seen in training
    eval_multiples: tuple = (1, 2, 4)  # evaluate at n = L, 2L, 4L
    n_symbols: int = 16  # alphabet of the copy and lookback tasks (chance = 1 / n_symbols)
    lookback: int = 3  # k of the lookback task
    n_layer: int = 2  # transformer blocks
    num_heads: int = 4  # heads per block
    d_model: int = 32  # residual width
    steps: int = 150  # optimizer steps per run
    probe_steps: int = 60  # steps for the probe, which is learned much faster
    batch_size: int = 32  # sequences per step
    lr: float = 6e-3  # AdamW peak learning rate (linear warm-up, cosine decay)
    eval_batches: int = 4  # batches of batch_size sequences per evaluation length
    seeds: tuple = (0, 1, 2)  # one full training run per seed

    def __post_init__(self):
        check_int(self.train_length, "train_length", minimum=4)
        check_int(self.n_symbols, "n_symbols", minimum=2)
        check_int(self.lookback, "lookback", minimum=1)
        if self.lookback >= self.train_length:
            fail("lookback", f"smaller than train_length ({self.train_length})", self.lookback)
        for name in ("n_layer", "num_heads", "d_model", "steps", "probe_steps", "batch_size",
                     "eval_batches"):
            check_int(getattr(self, name), name, minimum=1)
        check_float(self.lr, "lr", minimum=0.0)
        for name in ("eval_multiples", "seeds"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not value:
                fail(name, "a non-empty tuple of integers", value, kind=TypeError)
        for m in self.eval_multiples:
            check_int(m, "eval_multiples", minimum=1)
        for s in self.seeds:
            check_int(s, "seeds", minimum=0)

    def vocab_size(self) -> int:
        """Token ids: BOS, SEP, the symbols, and the probe's labels 1..L."""
        return max(FIRST_SYMBOL + self.n_symbols, self.train_length + 1)

    def max_tokens(self, task: str) -> int:
        """Tokens in the longest training sequence of ``task`` (the learned table's rows)."""
        return sequence_tokens(task, self.train_length)

    def model_config(self, position: str, task: str, **switches) -> TinyConfig:
        """The :class:`TinyConfig` of one run (``switches``: more TinyConfig fields)."""
        return TinyConfig(
            vocab_size=self.vocab_size(), n_layer=self.n_layer, num_heads=self.num_heads,
            d_model=self.d_model, position=position, max_len=self.max_tokens(task), **switches,
        )


# The book executes QUICK_SETTINGS on 2 CPU cores; MEDIUM_SETTINGS is the race that
# benchmarks/run_experiments.py --mode medium runs on them in about half an hour (wide enough,
# and trained long enough, to learn the copy task at the training length); FULL_SETTINGS is
# for a GPU (benchmarks/run_experiments.py --mode full --device cuda).
QUICK_SETTINGS = ExperimentSettings()
MEDIUM_SETTINGS = ExperimentSettings(d_model=64, steps=1000, eval_batches=8,
                                     eval_multiples=(1, 2, 4, 8))
FULL_SETTINGS = ExperimentSettings(
    train_length=32, n_symbols=32, n_layer=4, num_heads=8, d_model=256, steps=4000,
    probe_steps=1000, batch_size=64, lr=1e-3, eval_batches=16, seeds=(0, 1, 2, 3, 4),
)


@dataclass(frozen=True)
class Technique:
    """One encoding a run can race: how its model is trained and how it is run at test time."""

    name: str  # the encoding's name in a run ("trained+change" reuses the trained model)
    stage: str  # "baseline", "post-hoc" (a trained RoPE model changed at test time only) or "pre-training"
    source: str  # where it is defined
    summary: str  # what it does, in one line


#: Every encoding :func:`run_shootout` can race, by name (read-only). A name ``"x+y"`` is the
#: model trained as ``"x"`` with the test-time change ``y``; the values for a training length
#: come from :func:`technique_parameters`, the changes from :func:`technique_changes`.
TECHNIQUES = MappingProxyType({t.name: t for t in (
    Technique("none", "baseline", "Kazemnejad et al. 2023", "NoPE: no position code"),
    Technique("learned", "baseline", "Radford et al. 2019", "a trained table added to the tokens"),
    Technique("sinusoidal", "baseline", "Vaswani et al. 2017", "sinusoids added to the tokens"),
    Technique("alibi", "baseline", "Press et al. 2022", "a distance penalty on the logits"),
    Technique("t5", "baseline", "Raffel et al. 2020", "a learned bias per distance bucket"),
    Technique("rope", "baseline", "Su et al. 2021", "RoPE on queries and keys"),
    Technique("rope+ntk", "baseline", "bloc97 2023", "NTK-aware base b·s^(d/(d−2)) past L"),
    Technique("rope+yarn", "baseline", "Peng et al. 2023", "YaRN's frequencies and scale past L"),
    Technique("rope+ntk-mixed", "post-hoc", "kexue.fm/archives/9706",
              "NTK-RoPE-mixed: pair m divided by exp(a·m^b) past L, b = 0.625"),
    Technique("rope+logn", "post-hoc", "kexue.fm/archives/9706, 9948",
              "log n†: logits of query i times max(1, ln(i+1)/ln L)"),
    Technique("rope+window", "post-hoc", "kexue.fm/archives/9431",
              "each query sees only its last L tokens"),
    Technique("rope+rerope", "post-hoc", "kexue.fm/archives/9708",
              "ReRoPE: distances past w = L/2 read as w, past L"),
    Technique("rope+leaky-rerope", "post-hoc", "kexue.fm/archives/9708",
              "Leaky ReRoPE: past w = L/4, distances grow by 1/16 per token, past L"),
    Technique("logn", "pre-training", "kexue.fm/archives/8823, 9444",
              "trained with logits of query i times ln(i+1)/ln L"),
    Technique("nobias", "pre-training", "kexue.fm/archives/9577",
              "RoPE without the q and k bias (rope keeps them: RoPE + bias)"),
    Technique("keynorm", "pre-training", "kexue.fm/archives/9859",
              "KeyNorm: logits q·k/|k|"),
    Technique("hwfa", "pre-training", "kexue.fm/archives/9603",
              "window RoPE layers, then one full NoPE layer with log n"),
    Technique("hwfa2", "pre-training", "kexue.fm/archives/9731",
              "window RoPE layers, then a full RoPE layer that runs ReRoPE past L"),
    Technique("inv-leaky", "pre-training", "kexue.fm/archives/9728",
              "trained with Leaky ReRoPE, k = 1/(2·extension), run with plain RoPE"),
)})

#: The race of the chapter on extrapolation: the baselines, then Su's techniques.
RACE_ENCODINGS = ("rope", "none", "alibi", "rope+ntk", "rope+yarn", "rope+ntk-mixed",
                  "rope+logn", "rope+window", "rope+rerope", "rope+leaky-rerope", "logn",
                  "nobias", "keynorm", "hwfa", "hwfa2", "inv-leaky")


def technique_parameters(settings: ExperimentSettings, task: str) -> dict:
    """Each technique's numbers for the training length of ``task`` (in tokens), as its post sets them.

    - ``train_tokens`` N: the longest training sequence; ``extension`` E: the largest
      evaluation multiple.
    - ReRoPE's window N/2 (9708, 9731: w = 256 of 512); Leaky ReRoPE's window N/4 and k = 16
      (9708's best row, w = 128, k = 16 of 512).
    - inverse Leaky ReRoPE: window N/4 and k = 1/(2E) (9728's rule: "k the inverse of twice the
      extension, w a quarter of the training length").
    - HWFA's window: the largest w with (w − 1)(layers − 1) + 1 ≤ 3N/4 (9603's constraint with
      α = 3/4); HWFA2 uses the same window layers (9731 allows any).
    - the local window of 9431: N; NTK-RoPE-mixed's b: 0.625 (9706).
    """
    if not isinstance(settings, ExperimentSettings):
        fail("settings", "an ExperimentSettings", settings, kind=TypeError)
    N = settings.max_tokens(check_choice(task, "task", TASKS))
    E = max(settings.eval_multiples)
    hwfa = (None if settings.n_layer < 2
            else int((0.75 * N - 1) // (settings.n_layer - 1)) + 1)
    return {"train_tokens": N, "extension": E, "rerope_window": N // 2,
            "leaky_window": N // 4, "leaky_k": 16.0, "inverse_window": N // 4,
            "inverse_k": 1.0 / (2 * E), "hwfa_window": hwfa, "local_window": N,
            "ntk_mixed_b": 0.625}


def _technique(encoding: str) -> Technique:
    return TECHNIQUES[check_choice(encoding, "encoding", tuple(TECHNIQUES))]


def technique_changes(encoding: str, settings: ExperimentSettings, task: str,
                      n: int | None = None) -> tuple:
    """What ``encoding`` changes: ``(position, switches, training, test)``.

    ``position`` and ``switches`` make its model (``settings.model_config(position, task,
    **switches)``); ``training`` are the forward keywords of every training step (inverse
    Leaky ReRoPE's stretched positions); ``test`` the forward keywords at ``n`` symbols
    (``{}`` when ``n`` is None). Post-hoc changes of frequencies and distances apply only past
    the training length N, as a deployed model would switch them on; log n† and the window
    change nothing up to N anyway.
    """
    technique = _technique(encoding)
    p = technique_parameters(settings, task)
    N = p["train_tokens"]
    trained, _, change = technique.name.partition("+")
    position, switches, training = "rope", {}, {}
    if trained in POSITION_SCHEMES:
        position = trained
    elif trained == "logn":
        switches = {"logn_length": N}
    elif trained == "nobias":
        switches = {"qk_bias": False}
    elif trained == "keynorm":
        switches = {"key_norm": True}
    elif trained in ("hwfa", "hwfa2"):
        if p["hwfa_window"] is None:
            fail("settings.n_layer", "at least 2 for HWFA's window and full layers", settings.n_layer)
        switches = {"window": p["hwfa_window"]}
        if trained == "hwfa":
            switches.update(nope_last_layer=True, logn_length=N)
    elif trained == "inv-leaky":
        training = {"rerope": {"window": p["inverse_window"], "k": p["inverse_k"]}}
    test = {}
    tokens = None if n is None else sequence_tokens(task, n)
    beyond = tokens is not None and tokens > N
    if change in ("ntk", "yarn") and beyond:
        test = {"rope_scaling": rope_scaling_for(encoding, n, settings, task)}
    elif change == "ntk-mixed" and beyond:
        test = {"rope_scaling": {"rope_type": "ntk-mixed", "factor": tokens / N,
                                 "b": p["ntk_mixed_b"]}}
    elif change == "logn" and tokens is not None:
        test = {"logn": N}
    elif change == "window" and tokens is not None:
        test = {"window": p["local_window"]}
    elif (change == "rerope" or trained == "hwfa2") and beyond:
        test = {"rerope": {"window": p["rerope_window"]}}
    elif change == "leaky-rerope" and beyond:
        test = {"rerope": {"window": p["leaky_window"], "k": p["leaky_k"]}}
    return position, switches, training, test


def sequence_tokens(task: str, n: int) -> int:
    """Number of tokens of a ``task`` sequence with ``n`` symbols."""
    task = check_choice(task, "task", TASKS)
    n = check_int(n, "n", minimum=1)
    return 2 * n + 2 if task == "copy" else n + 1


def make_batch(task: str, n: int, batch_size: int, *, n_symbols: int = 16, lookback: int = 3,
               rng: Any = 0):
    """One batch of ``task`` with ``n`` symbols per sequence.

    Parameters
    ----------
    task : {"copy", "lookback", "probe"}
        See the module docstring.
    n : int
        Symbols per sequence (>= 1; > ``lookback`` for the lookback task).
    batch_size : int
        Sequences in the batch.
    n_symbols : int
        Alphabet size of the copy and lookback tasks.
    lookback : int
        k of the lookback task.
    rng : int, numpy.random.Generator or torch.Generator
        Source of the symbols (see :func:`rope_viz.torch_generator`): an int seed gives the
        same batch on every call; a torch.Generator is used as it is, so a training loop that
        passes the same one gets a new batch each step.

    Returns
    -------
    inputs, targets : torch.Tensor
        ``(batch_size, T)`` int64 each, T = :func:`sequence_tokens`; ``targets`` holds
        ``IGNORE`` (-100) where nothing is scored.
    """
    task = check_choice(task, "task", TASKS)
    n = check_int(n, "n", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    n_symbols = check_int(n_symbols, "n_symbols", minimum=2)
    lookback = check_int(lookback, "lookback", minimum=1)
    generator = torch_generator(rng)
    B = batch_size
    bos = torch.full((B, 1), BOS, dtype=torch.long)  # (B, 1)
    if task == "probe":
        inputs = torch.cat([bos, torch.full((B, n), FIRST_SYMBOL, dtype=torch.long)], 1)  # (B, n+1)
        targets = torch.arange(n + 1).expand(B, n + 1).clone()  # (B, n+1): token t -> label t
        targets[:, 0] = IGNORE
        return inputs, targets
    symbols = torch.randint(FIRST_SYMBOL, FIRST_SYMBOL + n_symbols, (B, n), generator=generator)
    if task == "lookback":
        if n <= lookback:
            fail("n", f"larger than lookback ({lookback})", n)
        inputs = torch.cat([bos, symbols], 1)  # (B, n+1)
        targets = torch.full_like(inputs, IGNORE)  # (B, n+1)
        targets[:, lookback + 1:] = inputs[:, 1:n + 1 - lookback]  # token t -> token t-k
        return inputs, targets
    sep = torch.full((B, 1), SEP, dtype=torch.long)  # (B, 1)
    inputs = torch.cat([bos, symbols, sep, symbols], 1)  # (B, 2n+2)
    targets = torch.full_like(inputs, IGNORE)  # (B, 2n+2)
    targets[:, n + 1:2 * n + 1] = symbols  # at SEP predict x_1; at copied x_i predict x_(i+1)
    return inputs, targets


def train_model(encoding: str, task: str, settings: ExperimentSettings = QUICK_SETTINGS, *,
                rng: Any = 0, device: str = "cpu", steps: int | None = None):
    """Train one :class:`TinyTransformer` on ``task`` as ``encoding`` trains.

    ``encoding`` is a positional scheme (:data:`rope_viz.POSITION_SCHEMES`) or any name of
    :data:`TECHNIQUES` (a post-hoc ``"rope+..."`` trains plain RoPE). One seed is taken from
    ``rng`` (an int is used as it is): the initial weights are drawn from it inside
    :func:`rope_viz.fork_torch_rng` and the batches from a ``torch.Generator`` seeded with it,
    so the same seed gives the same run for every encoding and torch's global random state is
    left untouched.

    Returns
    -------
    model : TinyTransformer
        In eval mode, on ``device``.
    losses : numpy.ndarray
        ``(steps,)`` training loss per step.
    """
    task = check_choice(task, "task", TASKS)
    if not isinstance(settings, ExperimentSettings):
        fail("settings", "an ExperimentSettings", settings, kind=TypeError)
    position, switches, training, _ = technique_changes(encoding, settings, task)
    seed = seed_from_rng(rng)
    if steps is None:
        steps = settings.probe_steps if task == "probe" else settings.steps
    steps = check_int(steps, "steps", minimum=1)
    with fork_torch_rng(seed):  # same initial weights for every scheme
        model = TinyTransformer(settings.model_config(position, task, **switches)).to(device)
    generator = torch_generator(seed)  # same batches for every scheme
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=0.01,
                                  foreach=True)
    warmup = max(1, steps // 10)
    losses = np.empty(steps)
    model.train()
    for step in range(steps):
        # linear warm-up over the first tenth, then cosine decay to zero
        scale = min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in optimizer.param_groups:
            group["lr"] = settings.lr * scale
        n = settings.train_length
        if task == "copy":  # the only task whose rule depends on n: vary it
            n = int(torch.randint(1, settings.train_length + 1, (1,), generator=generator))
        inputs, targets = make_batch(task, n, settings.batch_size, n_symbols=settings.n_symbols,
                                     lookback=settings.lookback, rng=generator)
        logits = model(inputs.to(device), **training)  # (B, T, vocab)
        loss = torch.nn.functional.cross_entropy(
            logits.flatten(0, 1), targets.to(device).flatten(), ignore_index=IGNORE
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, foreach=True)
        optimizer.step()
        losses[step] = loss.item()
    model.eval()
    return model, losses


@torch.no_grad()
def evaluate_model(model: TinyTransformer, task: str, n: int,
                   settings: ExperimentSettings = QUICK_SETTINGS, *, rng: Any = 12345,
                   rope_scaling: dict | None = None, changes: dict | None = None) -> float:
    """Token accuracy of ``model`` on ``task`` sequences of ``n`` symbols.

    The evaluation batches come from their own generator (``rng``, see
    :func:`rope_viz.torch_generator`), never from training.
    ``rope_scaling`` is passed to the model (RoPE only); ``changes`` are more keywords of the
    model's forward (``rerope``, ``logn``, ``window``; e.g. the test part of
    :func:`technique_changes`). A learned table shorter than the sequence raises the model's
    ``ValueError``.
    """
    if not isinstance(model, TinyTransformer):
        fail("model", "a TinyTransformer", model, kind=TypeError)
    task = check_choice(task, "task", TASKS)
    n = check_int(n, "n", minimum=1)
    changes = {} if changes is None else changes
    if not isinstance(changes, dict):
        fail("changes", "a dict of the model's forward keywords", changes, kind=TypeError)
    if rope_scaling is not None:
        changes = {**changes, "rope_scaling": rope_scaling}
    device = next(model.parameters()).device
    generator = torch_generator(rng)
    correct = total = 0
    for _ in range(settings.eval_batches):
        inputs, targets = make_batch(task, n, settings.batch_size, n_symbols=settings.n_symbols,
                                     lookback=settings.lookback, rng=generator)
        logits = model(inputs.to(device), **changes)  # (B, T, vocab)
        targets = targets.to(device)
        scored = targets != IGNORE  # (B, T)
        correct += int((logits.argmax(-1) == targets)[scored].sum())
        total += int(scored.sum())
    return correct / total


def rope_scaling_for(encoding: str, n: int, settings: ExperimentSettings, task: str):
    """The ``rope_scaling`` of ``"rope+ntk"`` / ``"rope+yarn"`` at ``n`` symbols (None at <= L).

    The factor is the ratio of evaluation to training tokens. NTK-aware scaling is Hugging
    Face's ``"dynamic"`` rule with ``factor=1`` (base·s^(d/(d−2)), s = that ratio).
    """
    trained = settings.max_tokens(task)
    tokens = sequence_tokens(task, n)
    if encoding not in ("rope+ntk", "rope+yarn") or tokens <= trained:
        return None
    if encoding == "rope+ntk":
        return {"rope_type": "dynamic", "factor": 1.0, "max_position_embeddings": trained,
                "seq_len": tokens}
    return {"rope_type": "yarn", "factor": tokens / trained,
            "original_max_position_embeddings": trained}


@dataclass
class ShootoutResult:
    """Accuracies of a shoot-out: ``accuracy[task][encoding]`` is ``(n_seeds, n_lengths)``.

    NaN marks a length a scheme cannot run (a learned table) or a task not evaluated there
    (the probe past L). ``lengths`` are the evaluated n (symbols), ``chance`` per task.
    """

    settings: ExperimentSettings
    tasks: tuple
    encodings: tuple
    lengths: tuple
    accuracy: dict
    chance: dict
    seconds: float = 0.0
    final_loss: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)  # how a stored run was made (save_result)

    def mean(self, task: str, encoding: str) -> np.ndarray:
        """(n_lengths,) mean accuracy over seeds (NaN where not run)."""
        return self.accuracy[task][encoding].mean(axis=0)  # NaN columns stay NaN

    def std(self, task: str, encoding: str) -> np.ndarray:
        """(n_lengths,) standard deviation over seeds (NaN where not run)."""
        return self.accuracy[task][encoding].std(axis=0)

    def made_by(self) -> str:
        """One line on how the result was made: its stored provenance, or "run here"."""
        p = self.provenance
        if not p:
            return f"run here: {self.seconds:.0f} s"
        return (f"`{p['command']}` at commit {p['commit'][:10]}, {p['date']}, on {p['machine']},"
                f" torch {p['torch']}, {p['threads']} thread(s), {p['wall_seconds'] / 60:.0f} min")

    def table(self) -> str:
        """A text table: one row per task and encoding, mean ± std per evaluation length."""
        L = self.settings.train_length
        heads = [f"n={n}" + (" (L)" if n == L else f" ({n // L}L)") for n in self.lengths]
        w = max(12, max(len(e) for e in self.encodings) + 1)  # the encoding column
        lines = [f"{'task':<9}{'encoding':<{w}}" + "".join(f"{h:>15}" for h in heads)]
        for task in self.tasks:
            lines.append(f"{task:<9}{'chance':<{w}}" + "".join(
                f"{self.chance[task]:>15.2f}" for _ in self.lengths))
            for enc in self.encodings:
                cells = []
                for mean, std in zip(self.mean(task, enc), self.std(task, enc)):
                    cells.append(f"{'—':>15}" if np.isnan(mean) else f"{mean:>9.2f} ± {std:.2f}")
                lines.append(f"{'':<9}{enc:<{w}}" + "".join(cells))
        return "\n".join(lines)


def _progress_default() -> bool:
    """A progress bar unless the book is being built (its pages show no bars)."""
    return os.environ.get("ROPE_VIZ_BOOK_BUILD") != "1"


def run_shootout(settings: ExperimentSettings = QUICK_SETTINGS, *, tasks=TASKS, encodings=ENCODINGS,
                 device: str = "cpu", progress: bool | None = None, stream=None) -> ShootoutResult:
    """Train every encoding on every task for every seed; evaluate at ``eval_multiples`` x L.

    Same model sizes, same data stream and same initial seed for every encoding: only the
    positional scheme or technique changes. A post-hoc encoding ``"x+y"`` reuses the model
    trained as ``"x"`` and changes it at evaluation time only (:func:`technique_changes`).

    Parameters
    ----------
    settings : ExperimentSettings
        :data:`QUICK_SETTINGS` (the book, CPU), :data:`MEDIUM_SETTINGS` (half an hour on two
        CPU cores), :data:`FULL_SETTINGS` (a GPU), or your own.
    tasks, encodings : sequences of str
        Subsets of :data:`TASKS` and of :data:`TECHNIQUES` (default :data:`ENCODINGS`, the
        shoot-out of positional schemes; :data:`RACE_ENCODINGS` is the extrapolation race).
        ``"x+y"`` needs ``"x"`` too.
    device : str
        Torch device, e.g. ``"cuda"``.
    progress : bool, optional
        Show a tqdm progress bar (on ``stream``, default ``sys.stderr``; a notebook widget in
        a live kernel). Default: yes, except in the book build.

    Returns
    -------
    ShootoutResult
    """
    if not isinstance(settings, ExperimentSettings):
        fail("settings", "an ExperimentSettings", settings, kind=TypeError)
    tasks = tuple(check_choice(t, "tasks", TASKS) for t in tasks)
    encodings = tuple(check_choice(e, "encodings", tuple(TECHNIQUES)) for e in encodings)
    if not tasks or not encodings:
        fail("tasks and encodings", "non-empty", (tasks, encodings))
    trained = [e for e in encodings if "+" not in e]
    missing = sorted({e.split("+")[0] for e in encodings} - set(trained))
    if missing:
        fail("encodings", f"to include {missing[0]!r} when a change of it is asked for", encodings)
    progress = _progress_default() if progress is None else check_bool(progress, "progress")
    L = settings.train_length
    lengths = tuple(m * L for m in settings.eval_multiples)
    accuracy = {t: {e: np.full((len(settings.seeds), len(lengths)), np.nan) for e in encodings}
                for t in tasks}
    final_loss = {t: {e: [] for e in trained} for t in tasks}
    start = time.perf_counter()
    bar = tqdm(total=len(tasks) * len(trained) * len(settings.seeds), disable=not progress,
               file=sys.stderr if stream is None else stream, unit="run", leave=True)
    for task in tasks:
        for name in trained:
            for s, seed in enumerate(settings.seeds):
                bar.set_description(f"{task} / {name} / seed {seed}")
                model, losses = train_model(name, task, settings, rng=seed, device=device)
                final_loss[task][name].append(float(losses[-10:].mean()))
                variants = [name] + [e for e in encodings if e.startswith(name + "+")]
                for j, n in enumerate(lengths):
                    if task == "probe" and n > L:  # labels above L never trained: not scored
                        continue
                    if not model.supports_length(sequence_tokens(task, n)):
                        continue
                    for enc in variants:
                        test = technique_changes(enc, settings, task, n)[3]
                        accuracy[task][enc][s, j] = evaluate_model(model, task, n, settings,
                                                                   changes=test)
                bar.update()
    bar.close()
    chance = {t: (1.0 / settings.n_symbols if t != "probe" else 1.0 / L) for t in tasks}
    return ShootoutResult(settings=settings, tasks=tasks, encodings=encodings, lengths=lengths,
                          accuracy=accuracy, chance=chance, seconds=time.perf_counter() - start,
                          final_loss=final_loss)


def save_result(result: ShootoutResult, path, *, provenance: dict) -> None:
    """Write ``result`` and its ``provenance`` (command, commit, machine, torch, date) as JSON.

    Accuracies are rounded to 6 decimals and NaN is written as ``null``; :func:`load_result`
    reads the file back.
    """
    if not isinstance(result, ShootoutResult):
        fail("result", "a ShootoutResult", result, kind=TypeError)
    if not isinstance(provenance, dict):
        fail("provenance", "a dict", provenance, kind=TypeError)
    data = {
        "provenance": provenance,
        "settings": dataclasses.asdict(result.settings),
        "tasks": list(result.tasks), "encodings": list(result.encodings),
        "lengths": list(result.lengths), "chance": result.chance, "seconds": result.seconds,
        "final_loss": result.final_loss,
        "accuracy": {t: {e: [[None if np.isnan(x) else round(float(x), 6) for x in row]
                             for row in a] for e, a in per.items()}
                     for t, per in result.accuracy.items()},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")


def load_result(path) -> ShootoutResult:
    """The :class:`ShootoutResult` that :func:`save_result` wrote to ``path``, with its provenance."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    fields = dict(data["settings"])
    for name in ("eval_multiples", "seeds"):
        fields[name] = tuple(fields[name])
    accuracy = {t: {e: np.array([[np.nan if x is None else x for x in row] for row in a])
                    for e, a in per.items()} for t, per in data["accuracy"].items()}
    return ShootoutResult(
        settings=ExperimentSettings(**fields), tasks=tuple(data["tasks"]),
        encodings=tuple(data["encodings"]), lengths=tuple(data["lengths"]), accuracy=accuracy,
        chance=data["chance"], seconds=data["seconds"], final_loss=data["final_loss"],
        provenance=data["provenance"])


def stored_race() -> ShootoutResult:
    """The medium race stored in the package (``rope_viz/data/race_medium.json``).

    Made by ``benchmarks/run_experiments.py --mode medium --race``; ``provenance`` says with
    which command, commit, machine, torch and date.
    """
    with resources.as_file(resources.files("rope_viz") / "data" / "race_medium.json") as path:
        return load_result(path)
