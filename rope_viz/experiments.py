"""Train short, test long: a shoot-out of positional schemes on synthetic tasks.

What this module holds
----------------------
- :data:`TASKS` and :func:`make_batch`: three tasks generated on the fly (no downloads).
- :func:`train_model` and :func:`evaluate_model`: one :class:`rope_viz.tiny_model.TinyTransformer`
  trained on lengths up to L, evaluated at any length (optionally with RoPE scaling).
- :func:`run_shootout`: every scheme x every task x several seeds; :data:`QUICK_SETTINGS` and
  :data:`FULL_SETTINGS` settings (change a field with ``dataclasses.replace``);
  :class:`ShootoutResult` with :meth:`ShootoutResult.table`.

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
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from rope_viz._validation import check_choice, check_float, check_int, fail
from rope_viz.rope_attention import fork_torch_rng, seed_from_rng, torch_generator
from rope_viz.tiny_model import POSITION_SCHEMES, TinyConfig, TinyTransformer

__all__ = [
    "TASKS",
    "ENCODINGS",
    "QUICK_SETTINGS",
    "FULL_SETTINGS",
    "ExperimentSettings",
    "ShootoutResult",
    "make_batch",
    "train_model",
    "evaluate_model",
    "run_shootout",
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

    def model_config(self, position: str, task: str) -> TinyConfig:
        """The :class:`TinyConfig` of one run."""
        return TinyConfig(
            vocab_size=self.vocab_size(), n_layer=self.n_layer, num_heads=self.num_heads,
            d_model=self.d_model, position=position, max_len=self.max_tokens(task),
        )


# The book executes QUICK_SETTINGS on 2 CPU cores; FULL_SETTINGS is for a GPU
# (benchmarks/run_experiments.py --mode full --device cuda).
QUICK_SETTINGS = ExperimentSettings()
FULL_SETTINGS = ExperimentSettings(
    train_length=32, n_symbols=32, n_layer=4, num_heads=8, d_model=256, steps=4000,
    probe_steps=1000, batch_size=64, lr=1e-3, eval_batches=16, seeds=(0, 1, 2, 3, 4),
)


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


def train_model(position: str, task: str, settings: ExperimentSettings = QUICK_SETTINGS, *,
                rng: Any = 0, device: str = "cpu", steps: int | None = None):
    """Train one :class:`TinyTransformer` on ``task`` with positional scheme ``position``.

    One seed is taken from ``rng`` (an int is used as it is): the initial weights are drawn
    from it inside :func:`rope_viz.fork_torch_rng` and the batches from a ``torch.Generator``
    seeded with it, so the same seed gives the same run for every scheme and torch's global
    random state is left untouched.

    Returns
    -------
    model : TinyTransformer
        In eval mode, on ``device``.
    losses : numpy.ndarray
        ``(steps,)`` training loss per step.
    """
    position = check_choice(position, "position", POSITION_SCHEMES)
    task = check_choice(task, "task", TASKS)
    if not isinstance(settings, ExperimentSettings):
        fail("settings", "an ExperimentSettings", settings, kind=TypeError)
    seed = seed_from_rng(rng)
    if steps is None:
        steps = settings.probe_steps if task == "probe" else settings.steps
    steps = check_int(steps, "steps", minimum=1)
    with fork_torch_rng(seed):  # same initial weights for every scheme
        model = TinyTransformer(settings.model_config(position, task)).to(device)
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
        logits = model(inputs.to(device))  # (B, T, vocab)
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
                   rope_scaling: dict | None = None) -> float:
    """Token accuracy of ``model`` on ``task`` sequences of ``n`` symbols.

    The evaluation batches come from their own generator (``rng``, see
    :func:`rope_viz.torch_generator`), never from training.
    ``rope_scaling`` is passed to the model (RoPE only). A learned table shorter than the
    sequence raises the model's ``ValueError``.
    """
    if not isinstance(model, TinyTransformer):
        fail("model", "a TinyTransformer", model, kind=TypeError)
    task = check_choice(task, "task", TASKS)
    n = check_int(n, "n", minimum=1)
    device = next(model.parameters()).device
    generator = torch_generator(rng)
    correct = total = 0
    for _ in range(settings.eval_batches):
        inputs, targets = make_batch(task, n, settings.batch_size, n_symbols=settings.n_symbols,
                                     lookback=settings.lookback, rng=generator)
        logits = model(inputs.to(device), rope_scaling=rope_scaling)  # (B, T, vocab)
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

    def mean(self, task: str, encoding: str) -> np.ndarray:
        """(n_lengths,) mean accuracy over seeds (NaN where not run)."""
        return self.accuracy[task][encoding].mean(axis=0)  # NaN columns stay NaN

    def std(self, task: str, encoding: str) -> np.ndarray:
        """(n_lengths,) standard deviation over seeds (NaN where not run)."""
        return self.accuracy[task][encoding].std(axis=0)

    def table(self) -> str:
        """A text table: one row per task and encoding, mean ± std per evaluation length."""
        L = self.settings.train_length
        heads = [f"n={n}" + (" (L)" if n == L else f" ({n // L}L)") for n in self.lengths]
        lines = [f"{'task':<9}{'encoding':<12}" + "".join(f"{h:>15}" for h in heads)]
        for task in self.tasks:
            lines.append(f"{task:<9}{'chance':<12}" + "".join(
                f"{self.chance[task]:>15.2f}" for _ in self.lengths))
            for enc in self.encodings:
                cells = []
                for mean, std in zip(self.mean(task, enc), self.std(task, enc)):
                    cells.append(f"{'—':>15}" if np.isnan(mean) else f"{mean:>9.2f} ± {std:.2f}")
                lines.append(f"{'':<9}{enc:<12}" + "".join(cells))
        return "\n".join(lines)


def _progress(done: int, total: int, start: float, label: str, stream) -> None:
    width = 24
    filled = int(width * done / total)
    elapsed = time.perf_counter() - start
    eta = elapsed / done * (total - done) if done else 0.0
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label:<28}"
                 f" {elapsed:5.0f}s elapsed, ~{eta:4.0f}s left")
    if done == total:
        stream.write("\n")
    stream.flush()


def run_shootout(settings: ExperimentSettings = QUICK_SETTINGS, *, tasks=TASKS, encodings=ENCODINGS,
                 device: str = "cpu", progress: bool = False, stream=None) -> ShootoutResult:
    """Train every scheme on every task for every seed; evaluate at ``eval_multiples`` x L.

    Same model sizes, same data stream and same initial seed for every scheme: only the
    positional scheme changes. ``"rope+ntk"`` and ``"rope+yarn"`` reuse the trained RoPE
    model and change its frequencies at evaluation time only.

    Parameters
    ----------
    settings : ExperimentSettings
        :data:`QUICK_SETTINGS` (the book, CPU) or :data:`FULL_SETTINGS` (a GPU), or your own.
    tasks, encodings : sequences of str
        Subsets of :data:`TASKS` and :data:`ENCODINGS` (a scaled RoPE needs ``"rope"`` too).
    device : str
        Torch device, e.g. ``"cuda"``.
    progress : bool
        Write a one-line progress bar to ``stream`` (default ``sys.stderr``).

    Returns
    -------
    ShootoutResult
    """
    if not isinstance(settings, ExperimentSettings):
        fail("settings", "an ExperimentSettings", settings, kind=TypeError)
    tasks = tuple(check_choice(t, "tasks", TASKS) for t in tasks)
    encodings = tuple(check_choice(e, "encodings", ENCODINGS) for e in encodings)
    if not tasks or not encodings:
        fail("tasks and encodings", "non-empty", (tasks, encodings))
    if any(e.startswith("rope+") for e in encodings) and "rope" not in encodings:
        fail("encodings", "to include 'rope' when a scaled RoPE is asked for", encodings)
    stream = sys.stderr if stream is None else stream
    L = settings.train_length
    lengths = tuple(m * L for m in settings.eval_multiples)
    trained = [e for e in encodings if e in POSITION_SCHEMES]
    accuracy = {t: {e: np.full((len(settings.seeds), len(lengths)), np.nan) for e in encodings}
                for t in tasks}
    final_loss = {t: {e: [] for e in trained} for t in tasks}
    total, done, start = len(tasks) * len(trained) * len(settings.seeds), 0, time.perf_counter()
    for task in tasks:
        for position in trained:
            for s, seed in enumerate(settings.seeds):
                if progress:
                    _progress(done, total, start, f"{task} / {position} / seed {seed}", stream)
                model, losses = train_model(position, task, settings, rng=seed, device=device)
                final_loss[task][position].append(float(losses[-10:].mean()))
                variants = [position] + [e for e in encodings if e.startswith(position + "+")]
                for j, n in enumerate(lengths):
                    if task == "probe" and n > L:  # labels above L never trained: not scored
                        continue
                    if not model.supports_length(sequence_tokens(task, n)):
                        continue
                    for enc in variants:
                        scaling = rope_scaling_for(enc, n, settings, task)
                        accuracy[task][enc][s, j] = evaluate_model(model, task, n, settings,
                                                             rope_scaling=scaling)
                done += 1
    if progress:
        _progress(done, total, start, "done", stream)
    chance = {t: (1.0 / settings.n_symbols if t != "probe" else 1.0 / L) for t in tasks}
    return ShootoutResult(settings=settings, tasks=tasks, encodings=encodings, lengths=lengths,
                          accuracy=accuracy, chance=chance, seconds=time.perf_counter() - start,
                          final_loss=final_loss)

