"""The live widgets' FigureView: what it sends the page, and when.

A move must send only the traces and layout it changed (never the whole figure), the page must
be able to rebuild the kept figure from the first figure plus those messages, plotly.js must
travel once per kernel, and a page that reloads mid-session must get the figure as it is now.
The page's side (rope_viz/figure_view.js) is driven in a real JupyterLab by
tests/test_live_kernel.py. Run with ``pytest tests/test_figure_view.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

pytest.importorskip("anywidget")

from rope_viz import widgets as W  # noqa: E402


def _capture(view) -> list:
    """Messages ``view`` sends, captured instead of sent."""
    sent = []
    view.send = lambda content, buffers=None: sent.append(content)
    return sent


def _page_figure(view, messages) -> dict:
    """What figure_view.js holds after the first figure and ``messages`` (the same merge)."""
    figure = json.loads(view._figure)
    for message in messages:
        parsed = json.loads(message["json"])
        if message["type"] == "figure":
            figure = parsed
            continue
        for index, trace in parsed["traces"].items():
            figure["data"][int(index)] = trace
        if parsed["layout"] is not None:
            figure["layout"] = parsed["layout"]
    return figure


def test_a_move_sends_only_the_changed_traces_and_the_page_catches_up():
    box = W.long_range_decay_widget(samples=20)
    sent = _capture(box.view)
    box.controls["base"].value = 1e6
    assert len(sent) == 1 and sent[0]["type"] == "changes"
    changed = json.loads(sent[0]["json"])["traces"]
    assert set(changed) <= {str(i) for i in range(len(box.figure.data))}
    # The page's figure after the message equals the kept figure (template left to the page).
    fresh = json.loads(W._figure_json(box.figure))
    assert _page_figure(box.view, sent) == fresh


def test_a_move_that_changes_one_trace_sends_one_trace():
    fig = go.Figure([go.Scatter(y=[1, 2, 3], name="a"), go.Scatter(y=[4, 5, 6], name="b")])
    view = W.FigureView(fig)
    sent = _capture(view)
    view.apply({1: {"y": [7, 8, 9], "line_color": "red"}})
    message = json.loads(sent[0]["json"])
    assert list(message["traces"]) == ["1"] and message["layout"] is None
    assert message["traces"]["1"]["y"] == [7, 8, 9]
    assert message["traces"]["1"]["line"] == {"color": "red"}
    view.apply({}, {"title.text": "moved"})
    message = json.loads(sent[1]["json"])
    assert message["traces"] == {} and message["layout"]["title"]["text"] == "moved"
    assert "template" not in message["layout"]  # the page supplies its theme's template


def test_plotly_js_travels_once_per_kernel_and_is_sent_when_a_page_asks():
    first, second = W.FigureView(go.Figure()), W.FigureView(go.Figure())
    views = [first, second]
    assert sum(bool(view._plotly_js) for view in views) <= 1  # at most one carries it
    assert not second._plotly_js
    sent = _capture(second)
    second._answer(second, {"type": "plotly.js?"}, [])
    assert sent[0]["type"] == "plotly.js" and "Plotly" in sent[0]["source"][:5000]


def test_a_reloaded_page_gets_the_figure_as_it_is_now():
    box = W.relative_biases_widget()
    sent = _capture(box.view)
    box.view._answer(box.view, {"type": "ready"}, [])
    assert sent == []  # not moved yet: the page's first figure is current
    box.controls["head"].value = 3
    box.view._answer(box.view, {"type": "ready"}, [])
    assert sent[-1]["type"] == "figure"
    assert json.loads(sent[-1]["json"]) == json.loads(W._figure_json(box.figure))


def test_an_error_in_a_move_is_shown_under_the_figure():
    box = W.long_range_decay_widget(samples=20)
    errors = box.children[-1]

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    box.view.apply = broken
    box.controls["base"].value = 2e5  # must not raise out of the control's callback
    assert "RuntimeError: boom" in errors.value
    box.view.apply = lambda *args: None
    box.controls["base"].value = 3e5
    assert errors.value == ""  # the next good move clears it


def test_the_view_rejects_what_is_not_a_figure():
    with pytest.raises(TypeError, match="figure"):
        W.FigureView({"data": []})


def test_the_front_end_ships_with_the_package():
    assert Path(W._ESM_PATH).is_file()
    source = Path(W._ESM_PATH).read_text()
    assert "export default" in source and "Plotly.react" in source
    assert "http" not in source.replace("https://html.spec", "")  # nothing from the network


def test_a_move_that_changes_nothing_sends_nothing_and_unchanged_traces_stay_home():
    fig = go.Figure([go.Scatter(y=[1, 2, 3]), go.Scatter(y=[4, 5, 6])])
    view = W.FigureView(fig)
    sent = _capture(view)
    view.apply({0: {"y": [1, 2, 3]}, 1: {"y": [4, 5, 6]}})
    assert sent == []
    view.apply({0: {"y": [1, 2, 3]}, 1: {"y": [9, 9, 9]}})
    assert list(json.loads(sent[0]["json"])["traces"]) == ["1"]


def test_showing_a_figure_of_the_same_shape_sends_only_its_differences():
    view = W.FigureView(go.Figure([go.Scatter(y=[1, 2]), go.Bar(y=[3, 4])]))
    sent = _capture(view)
    view.show(go.Figure([go.Scatter(y=[1, 2]), go.Bar(y=[5, 6])]))
    assert list(json.loads(sent[0]["json"])["traces"]) == ["1"]
    other = go.Figure([go.Scatter(y=[7])])
    view.show(other)  # another shape: sent whole, as the view's _figure
    assert json.loads(view._figure)["data"][0]["y"] == [7] and len(sent) == 1
