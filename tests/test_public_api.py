"""The top-level namespace: every figure and widget is reachable as ``rope_viz.<name>``.

Run with ``pytest tests/test_public_api.py``.
"""

from __future__ import annotations

import rope_viz
import rope_viz.figures
import rope_viz.widgets


def test_every_figure_and_widget_is_exported_at_the_top():
    for module in (rope_viz.figures, rope_viz.widgets):
        missing = [name for name in module.__all__ if name not in rope_viz.__all__]
        assert not missing, f"{module.__name__} names missing from rope_viz.__all__: {missing}"
        for name in module.__all__:
            assert getattr(rope_viz, name) is getattr(module, name), name


def test_every_name_in_all_resolves():
    unresolved = [name for name in rope_viz.__all__ if not hasattr(rope_viz, name)]
    assert not unresolved, f"rope_viz.__all__ names that do not resolve: {unresolved}"
    assert len(set(rope_viz.__all__)) == len(rope_viz.__all__), "rope_viz.__all__ has duplicates"


def test_every_plot_function_in_the_figures_package_is_exported():
    import importlib
    import pkgutil

    defined = set()
    for info in pkgutil.iter_modules(rope_viz.figures.__path__):
        module = importlib.import_module(f"rope_viz.figures.{info.name}")
        defined |= {name for name, value in vars(module).items()
                    if name.startswith("plot_") and callable(value)
                    and getattr(value, "__module__", "") == module.__name__}
    missing = sorted(defined - set(rope_viz.__all__))
    assert not missing, f"plot_* functions not exported from rope_viz: {missing}"
