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
from rope_viz.figures._style import (
    COS,
    NEUTRAL,
    QUERY,
    SIN,
    base_layout,
    buttons,
    new_figure,
    rounded,
    set_narrow,
)

__all__ = ["plot_length_generalization", "plot_loss_and_accuracy", "SCHEME_STYLES"]

#: colour, dash and marker of each encoding's line (scaled RoPE shares RoPE's blue family);
#: markers differ too, so that lines stay apart without colour and where points coincide
SCHEME_STYLES = {
    "none": (NEUTRAL, "solid", "circle"),
    "learned": (COS, "solid", "square-open"),
    "sinusoidal": (SIN, "solid", "diamond"),
    "alibi": ("#CC79A7", "solid", "triangle-up"),
    "t5": ("#E69F00", "solid", "star"),
    "rope": (QUERY, "solid", "circle"),
    "rope+ntk": ("#56B4E9", "dash", "x"),
    "rope+yarn": ("#56B4E9", "dot", "cross"),
}
_TASK_TITLES = {
    "copy": "Copy",
    "lookback": "Lookback",
    "probe": "Su's probe",
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
            visible=visible, mode="lines", line=dict(color=NEUTRAL, dash="dash", width=1),
            hoverinfo="skip",
        ))
    menu = []
    for i, t in enumerate(tasks):
        mask = [False] * (len(tasks) * per_task)
        mask[i * per_task:(i + 1) * per_task] = [True] * per_task
        menu.append(dict(label=t, method="update", args=[
            {"visible": mask}, {"title.text": f"{_TASK_TITLES[t]}, trained at n ≤ {L}"}
        ]))
    fig.update_layout(**base_layout(
        title=f"{_TASK_TITLES[first]}, trained at n ≤ {L}", height=460,
        updatemenus=[buttons(menu, active=tasks.index(first), y=1.02)],
        legend=dict(title="encoding"),
    ))
    fig.update_layout(margin=dict(t=110))
    fig.update_xaxes(title="evaluation length n (symbols)", type="log",
                     tickvals=lengths.tolist(), ticktext=[f"{n} ({n // L}L)" for n in lengths])
    fig.update_yaxes(title="token accuracy", range=[0, 1.05])
    # a phone: the legend moves under the plot, in rows
    set_narrow(fig, layout={"legend.orientation": "h", "legend.x": 0.0, "legend.y": -0.3,
                            "legend.xanchor": "left", "legend.yanchor": "top",
                            "legend.title.text": "", "height": 600, "margin.b": 200})
    return fig



def plot_loss_and_accuracy(result, *, task: str = "lookback") -> go.Figure:
    """Each run's final training loss against its accuracy at one evaluation length.

    One marker per trained model and seed: x is the training loss at the end of training
    (mean of its last ten steps), y the token accuracy at the length the buttons pick.
    ``rope+ntk`` and ``rope+yarn`` reuse the RoPE weights, so they share RoPE's loss and move
    only in y: whatever they gain past the training length, training did not see. A scheme
    that cannot run at a length (a learned table) has no markers there.

    Parameters
    ----------
    result : rope_viz.experiments.ShootoutResult
        What :func:`rope_viz.run_shootout` returned.
    task : str
        A task of ``result.tasks`` (default ``"lookback"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per encoding and a chance line; one button per evaluation length
        restyling every encoding's y.

    Raises
    ------
    ValueError, TypeError
        For a ``result`` that is not a ShootoutResult, or a task it does not hold.
    """
    from rope_viz.experiments import ShootoutResult

    if not isinstance(result, ShootoutResult):
        fail("result", "a ShootoutResult from rope_viz.run_shootout", result, kind=TypeError)
    if task not in result.tasks:
        fail("task", f"one of {', '.join(map(repr, result.tasks))}", task)
    L = result.settings.train_length
    labels = [f"{n} ({n // L}L)" if n != L else f"{n} (L)" for n in result.lengths]
    usable = [j for j in range(len(result.lengths))
              if any(np.isfinite(result.accuracy[task][e][:, j]).any() for e in result.encodings)]
    start = usable[-1]  # the longest length measured
    fig = new_figure()
    for enc in result.encodings:
        trained = enc.split("+")[0]
        losses = np.asarray(result.final_loss[task][trained], dtype=float)  # (seeds,)
        color, _, symbol = SCHEME_STYLES[enc]
        fig.add_trace(go.Scatter(
            x=rounded(losses, 3), y=rounded(result.accuracy[task][enc][:, start], 3),
            mode="markers", name=enc,
            marker=dict(color=color, symbol=symbol, size=11, line=dict(color=color, width=2)),
            hovertemplate=f"{enc}<br>final loss %{{x:.3f}}<br>accuracy %{{y:.2f}}"
                          "<extra></extra>"))
    losses = np.concatenate([np.asarray(v, dtype=float)
                             for v in result.final_loss[task].values()])
    fig.add_trace(go.Scatter(x=[float(losses.min()) * 0.9, float(losses.max()) * 1.05],
                             y=[result.chance[task]] * 2,
                             mode="lines", name="chance", hoverinfo="skip",
                             line=dict(color=NEUTRAL, dash="dash", width=1)))
    steps = []
    for j in usable:
        ys = [rounded(result.accuracy[task][e][:, j], 3) for e in result.encodings]
        steps.append(dict(label=f"n = {labels[j]}", method="restyle",
                          args=[{"y": ys}, list(range(len(result.encodings)))]))
    fig.update_layout(**base_layout(
        title=f"{_TASK_TITLES[task]}: training loss and accuracy",
        height=480,
        margin=dict(l=70, r=20, t=120, b=60),
        hovermode="closest",
        updatemenus=[buttons(steps, active=usable.index(start), y=1.02)],
        xaxis=dict(title="final training loss"),
        yaxis=dict(title="token accuracy", range=[0, 1.05]),
        legend=dict(title="encoding"),
    ))
    # a phone: the legend moves under the plot, in rows
    set_narrow(fig, layout={"legend.orientation": "h", "legend.x": 0.0, "legend.y": -0.3,
                            "legend.xanchor": "left", "legend.yanchor": "top",
                            "legend.title.text": "", "height": 600, "margin.b": 200})
    return fig
