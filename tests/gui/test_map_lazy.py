"""The map panel is created on first show (View → Map), not at window start, and the saved layout keeps its meaning."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_map_panel_is_created_on_first_show_and_the_saved_layout_keeps_its_meaning(qtbot, make_window) -> None:  # noqa: ANN001
    window = make_window()
    window.resize(1400, 900)
    splitter = window.splitter
    assert not window.map.panel_created and splitter.count() == 3  # a placeholder holds the map's place
    assert not window.map.visible and window.map.selected() == [] and not window.actions["show_map"].isChecked()
    inspector_width = window.inspector.width()
    assert inspector_width > 0
    window.actions["show_map"].trigger()
    panel = window.map.panel
    assert window.map.panel_created and splitter.widget(1) is panel and splitter.count() == 3
    assert panel.isVisible() and window.actions["show_map"].isChecked()
    qtbot.waitUntil(lambda: "No map yet" in panel.message.text(), timeout=30_000)  # an empty library
    assert panel.width() >= 200 and window.inspector.width() > 0
    window.actions["show_map"].trigger()
    assert not panel.isVisible() and window.map.panel is panel  # hidden, not rebuilt

    # The layout saved with the map hidden (a zero-width middle pane, as before) restores in a new window
    # whose map is not created yet: the side panel keeps its width, the map opens at half the grid's room.
    window.save_settings()
    second = make_window()  # the same settings (View → Map needs an open library)
    assert not second.map.panel_created
    qtbot.waitUntil(lambda: second.inspector.width() > 0, timeout=5_000)  # the side panel keeps its width
    second.resize(1400, 900)
    second.actions["show_map"].trigger()
    shown = (second.map.panel.isVisible(), second.splitter.sizes())
    assert shown[0] and shown[1][1] >= 200 and shown[1][2] > 0, shown
