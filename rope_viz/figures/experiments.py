"""Figure: train short, test long, the shoot-out of positional schemes.

What this module holds
----------------------
- :func:`plot_length_generalization`: accuracy against evaluation length, one line per
  encoding (mean over seeds, error bars one standard deviation), a dashed line at chance,
  one button per task.
- :func:`length_generalization_changes`: everything the task and the encodings shown set in
  that figure (the ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`); its
  buttons and :func:`rope_viz.widgets.length_generalization_widget` apply it.

The numbers come from :func:`rope_viz.run_shootout`; this module draws, it computes nothing.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, fail
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

__all__ = ["plot_length_generalization", "length_generalization_changes",
           "plot_loss_and_accuracy", "SCHEME_STYLES"]

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
    # Su's techniques: post-hoc changes of the RoPE model dashed, pre-training ones solid
    "rope+ntk-mixed": ("#56B4E9", "dashdot", "diamond-open"),
    "rope+logn": ("#E69F00", "dash", "triangle-down"),
    "rope+window": ("#CC79A7", "dot", "square"),
    "rope+rerope": (SIN, "dash", "x"),
    "rope+leaky-rerope": (COS, "dashdot", "star"),
    "logn": ("#E69F00", "solid", "triangle-down-open"),
    "nobias": ("#999933", "solid", "hexagon-open"),
    "keynorm": (COS, "solid", "star-open"),
    "hwfa": (SIN, "solid", "square-open"),
    "hwfa2": (SIN, "longdash", "diamond"),
    "inv-leaky": ("#CC79A7", "solid", "circle-open"),
}
_TASK_TITLES = {
    "copy": "Copy",
    "lookback": "Lookback",
    "probe": "Su's probe",
}


def _check_result(result):
    from rope_viz.experiments import ShootoutResult

    if not isinstance(result, ShootoutResult):
        fail("result", "a ShootoutResult from rope_viz.run_shootout", result, kind=TypeError)
    return result


def _check_shown(result, shown) -> tuple:
    """The encodings drawn (default: all of ``result.encodings``), checked."""
    if shown is None:
        return tuple(result.encodings)
    if isinstance(shown, str) or not all(isinstance(e, str) for e in shown):
        fail("shown", "a sequence of encoding names", shown, kind=TypeError)
    shown = tuple(shown)
    unknown = [e for e in shown if e not in result.encodings]
    if unknown:
        fail("shown", f"encodings of the result ({', '.join(result.encodings)})", shown)
    return shown


def length_generalization_changes(result, *, task: str | None = None,
                                  shown=None) -> tuple:
    """Everything a task and the encodings shown set in :func:`plot_length_generalization`.

    Parameters
    ----------
    result : rope_viz.experiments.ShootoutResult
        What :func:`rope_viz.run_shootout` returned.
    task : str, optional
        A task of ``result.tasks`` (default: the first).
    shown : sequence of str, optional
        The encodings drawn (default: all); the others stay in the legend, greyed
        (``visible="legendonly"``: a click on the legend shows them).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`, for a figure of
        one task's traces (as drawn with ``controls=False``): each encoding's mean accuracy
        (trace i: ``y``, ``error_y_array``, ``visible``) and the chance line (the last trace:
        ``y``); the layout sets the title.

    Raises
    ------
    ValueError, TypeError
        For a ``result`` that is not a ShootoutResult, a task it does not hold, or
        ``shown`` naming an encoding it does not hold.

    Examples
    --------
    >>> from rope_viz.experiments import QUICK_SETTINGS, ShootoutResult
    >>> import numpy as np
    >>> result = ShootoutResult(settings=QUICK_SETTINGS, tasks=("lookback",),
    ...                         encodings=("rope",), lengths=(16, 32),
    ...                         accuracy={"lookback": {"rope": np.array([[0.9, 0.5]])}},
    ...                         chance={"lookback": 0.0625})
    >>> traces, layout = length_generalization_changes(result)
    >>> traces[0]["y"], traces[1]["y"], layout["title.text"]
    ([0.9, 0.5], [0.0625, 0.0625], 'Lookback, trained at n ≤ 16')
    """
    result = _check_result(result)
    task = result.tasks[0] if task is None else task
    if task not in result.tasks:
        fail("task", f"one of {', '.join(map(repr, result.tasks))}", task)
    shown = _check_shown(result, shown)
    traces = {}
    for index, enc in enumerate(result.encodings):
        mean, std = result.mean(task, enc), result.std(task, enc)
        traces[index] = {"y": rounded(mean), "error_y_array": rounded(np.nan_to_num(std)),
                         "visible": True if enc in shown else "legendonly"}
    traces[len(result.encodings)] = {"y": [result.chance[task]] * 2}
    layout = {"title.text": f"{_TASK_TITLES[task]}, trained at n ≤ {result.settings.train_length}"}
    return traces, layout


def _stage_groups(encodings: tuple) -> list:
    """``[(label, shown), ...]``: every encoding, then each stage of :data:`TECHNIQUES` present
    (with plain RoPE beside the post-hoc and pre-training ones, the model they change)."""
    from rope_viz.experiments import TECHNIQUES

    stages = {}
    for enc in encodings:
        stages.setdefault(TECHNIQUES[enc].stage if enc in TECHNIQUES else "baseline", []).append(enc)
    if len(stages) < 2:
        return []
    groups = [("all techniques", encodings)]
    for stage in ("baseline", "post-hoc", "pre-training"):
        if stage in stages:
            reference = [] if stage == "baseline" or "rope" not in encodings else ["rope"]
            label = "baselines" if stage == "baseline" else stage
            groups.append((label, tuple(reference + stages[stage])))
    return groups


def plot_length_generalization(result, *, task: str | None = None, shown=None,
                               controls: bool = True) -> go.Figure:
    """Accuracy against evaluation length for every encoding, one button per task.

    Parameters
    ----------
    result : rope_viz.experiments.ShootoutResult
        What :func:`rope_viz.run_shootout` returned.
    task : str, optional
        The task shown first (default: the first of ``result.tasks``).
    shown : sequence of str, optional
        The encodings drawn (default: all); the others stay in the legend, greyed (a click on
        the legend shows them).
    controls : bool
        Draw the buttons (default): one per task, and, when the encodings span more than one
        stage of :data:`rope_viz.TECHNIQUES` (the extrapolation race), a drop-down choosing
        which are drawn: all, the baselines, the post-hoc or the pre-training techniques (each
        with plain RoPE beside it). ``False``: no buttons.

    Returns
    -------
    plotly.graph_objects.Figure
        ``len(encodings) + 1`` traces (the last is chance); a task button restyles every
        trace's ``y`` and error bars and sets the title, with the numbers of
        :func:`length_generalization_changes`; a group in the drop-down sets which are visible. Lines
        stop where a scheme cannot run (a learned table) and the probe has points at the
        training length only.

    Raises
    ------
    ValueError, TypeError
        For a ``result`` that is not a ShootoutResult, a task it does not hold, a bad
        ``shown`` or ``controls``.
    """
    result = _check_result(result)
    tasks = result.tasks
    first = tasks[0] if task is None else task
    if first not in tasks:
        fail("task", f"one of {', '.join(map(repr, tasks))}", task)
    controls = check_bool(controls, "controls")
    numbers, layout = length_generalization_changes(result, task=first, shown=shown)
    lengths = np.asarray(result.lengths)
    L = result.settings.train_length
    fig = new_figure()
    for index, enc in enumerate(result.encodings):
        color, dash, symbol = SCHEME_STYLES[enc]
        fig.add_trace(go.Scatter(
            x=lengths.tolist(), y=numbers[index]["y"], name=enc,
            visible=numbers[index]["visible"],
            mode="lines+markers", line=dict(color=color, dash=dash, width=2.5),
            marker=dict(size=12 if symbol.endswith("open") else 8, symbol=symbol,
                        line=dict(width=2, color=color)),
            error_y=dict(type="data", array=numbers[index]["error_y_array"],
                         visible=True, thickness=1.2),
            hovertemplate=f"{enc}<br>n=%{{x}}<br>accuracy %{{y:.2f}}<extra></extra>",
        ))
    chance = len(result.encodings)
    fig.add_trace(go.Scatter(
        x=[lengths.min(), lengths.max()], y=numbers[chance]["y"], name="chance", visible=True,
        mode="lines", line=dict(color=NEUTRAL, dash="dash", width=1), hoverinfo="skip",
    ))
    menus, top = [], 70
    if controls:
        task_menu = []
        for t in tasks:
            traces, title = length_generalization_changes(result, task=t)
            restyle = {"y": [traces[i]["y"] for i in range(chance + 1)],
                       "error_y.array": [traces[i].get("error_y_array") for i in range(chance)]
                       + [None]}
            task_menu.append(dict(label=t, method="update", args=[restyle, title]))
        menus.append(buttons(task_menu, active=tasks.index(first), y=1.02))
        groups = _stage_groups(tuple(result.encodings))
        if groups:  # a drop-down at the right of the task buttons: one row, even on a phone
            group_menu = buttons([dict(label=label, method="restyle", args=[{"visible": [
                True if enc in group else "legendonly" for enc in result.encodings] + [True]}])
                for label, group in groups], x=1.0, y=1.02)
            group_menu.update(type="dropdown", direction="down", xanchor="right")
            menus.append(group_menu)
        top = 110
    fig.update_layout(**base_layout(
        title=layout["title.text"], height=460 if len(result.encodings) < 10 else 640,
        updatemenus=menus, legend=dict(title="encoding"),
    ))
    fig.update_layout(margin=dict(t=top))
    fig.update_xaxes(title="evaluation length n (symbols)", type="log",
                     tickvals=lengths.tolist(), ticktext=[f"{n} ({n // L}L)" for n in lengths])
    fig.update_yaxes(title="token accuracy", range=[0, 1.05])
    # a phone: the legend moves under the plot, one name per line (about 20 px each)
    rows = len(result.encodings) + 1
    set_narrow(fig, layout={"legend.orientation": "h", "legend.x": 0.0, "legend.y": -0.3,
                            "legend.xanchor": "left", "legend.yanchor": "top",
                            "legend.title.text": "", "height": 440 + top + 20 * rows,
                            "margin.b": 110 + 20 * rows})
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
