"""Figure: train short, test long, the shoot-out of positional schemes.

What this module holds
----------------------
- :func:`plot_length_generalization`: accuracy against evaluation length, one line per
  encoding (mean over seeds, error bars one standard deviation), a dashed line at chance,
  one button per task.

The numbers come from :func:`rope_viz.run_shootout`; this module draws, it computes nothing.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import fail
from rope_viz.figures._style import COS, GRID, QUERY, SIN, base_layout, buttons, new_figure, rounded

__all__ = ["plot_length_generalization", "SCHEME_STYLES"]

#: colour, dash and marker of each encoding's line (scaled RoPE shares RoPE's blue family);
#: markers differ too, so that lines stay apart without colour and where points coincide
SCHEME_STYLES = {
    "none": ("#8C8C8C", "solid", "circle"),
    "learned": (COS, "solid", "square-open"),
    "sinusoidal": (SIN, "solid", "diamond"),
    "alibi": ("#CC79A7", "solid", "triangle-up"),
    "t5": ("#E69F00", "solid", "star"),
    "rope": (QUERY, "solid", "circle"),
    "rope+ntk": ("#56B4E9", "dash", "x"),
    "rope+yarn": ("#56B4E9", "dot", "cross"),
}
_TASK_TITLES = {
    "copy": "copy the sequence",
    "lookback": "predict the token k places back",
    "probe": "Su's probe: say your own position",
}


def plot_length_generalization(result, *, task: str | None = None) -> go.Figure:
    """Accuracy against evaluation length for every encoding, one button per task.

    Parameters
    ----------
    result : rope_viz.experiments.ShootoutResult
        What :func:`rope_viz.run_shootout` returned.
    task : str, optional
        The task shown first (default: the first of ``result.tasks``).

    Returns
    -------
    plotly.graph_objects.Figure
        ``len(tasks) * (len(encodings) + 1)`` traces (the last of each task is chance);
        lines stop where a scheme cannot run (a learned table) and the probe has points at
        the training length only.
    """
    from rope_viz.experiments import ShootoutResult

    if not isinstance(result, ShootoutResult):
        fail("result", "a ShootoutResult from rope_viz.run_shootout", result, kind=TypeError)
    tasks = result.tasks
    first = tasks[0] if task is None else task
    if first not in tasks:
        fail("task", f"one of {', '.join(map(repr, tasks))}", task)
    lengths = np.asarray(result.lengths)
    L = result.settings.train_length
    fig = new_figure()
    per_task = len(result.encodings) + 1
    for t in tasks:
        visible = t == first
        for enc in result.encodings:
            color, dash, symbol = SCHEME_STYLES[enc]
            mean, std = result.mean(t, enc), result.std(t, enc)
            fig.add_trace(go.Scatter(
                x=lengths.tolist(), y=rounded(mean), name=enc, visible=visible,
                mode="lines+markers", line=dict(color=color, dash=dash, width=2.5),
                marker=dict(size=12 if symbol.endswith("open") else 8, symbol=symbol,
                            line=dict(width=2, color=color)),
                error_y=dict(type="data", array=rounded(np.nan_to_num(std)),
                                                  visible=True, thickness=1.2),
                hovertemplate=f"{enc}<br>n=%{{x}}<br>accuracy %{{y:.2f}}<extra></extra>",
            ))
        fig.add_trace(go.Scatter(
            x=[lengths.min(), lengths.max()], y=[result.chance[t]] * 2, name="chance",
            visible=visible, mode="lines", line=dict(color="#444", dash="dash", width=1),
            hoverinfo="skip",
        ))
    menu = []
    for i, t in enumerate(tasks):
        mask = [False] * (len(tasks) * per_task)
        mask[i * per_task:(i + 1) * per_task] = [True] * per_task
        menu.append(dict(label=t, method="update", args=[
            {"visible": mask}, {"title.text": f"Train at n ≤ {L}, test longer: {_TASK_TITLES[t]}"}
        ]))
    fig.update_layout(**base_layout(
        title=f"Train at n ≤ {L}, test longer: {_TASK_TITLES[first]}", height=460,
        updatemenus=[buttons(menu, active=tasks.index(first), y=1.02)],
        legend=dict(title="encoding"),
    ))
    fig.update_layout(margin=dict(t=110))
    fig.update_xaxes(title="evaluation length n (symbols)", type="log",
                     tickvals=lengths.tolist(), ticktext=[f"{n} ({n // L}L)" for n in lengths],
                     gridcolor=GRID)
    fig.update_yaxes(title="token accuracy", range=[0, 1.05], gridcolor=GRID)
    return fig
