"""The action table is the one source of the window's menus, toolbar, context menu, panels, keys and help."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolButton

from artseek.search.results import SearchResult
from artseek.ui import actions as table

pytestmark = pytest.mark.gui


def _keys(action) -> list[str]:  # noqa: ANN001
    return [k.toString(QKeySequence.SequenceFormat.PortableText) for k in action.shortcuts()]


def _with_results(window, tmp_path, n: int = 3) -> None:  # noqa: ANN001
    window.state.set_results([SearchResult(i, str(tmp_path / f"{i}.png"), 0.5) for i in range(1, n + 1)])


def test_every_action_appears_exactly_where_its_entry_says(make_window, tmp_path) -> None:  # noqa: ANN001
    window = make_window(open_library=False)
    assert set(window.actions) == {spec.id for spec in table.ACTIONS}
    menus = {m.title(): m for m in (a.menu() for a in window.menuBar().actions()) if m is not None}
    assert list(menus) == list(table.MENUS)
    toolbar = window.toolbar.actions()
    context = window.build_context_menu().actions()
    inspector = [b.defaultAction() for b in window.inspector.findChildren(QToolButton) if b.defaultAction()]
    feedback = [b.defaultAction() for b in window.feedback_bar.findChildren(QToolButton)]
    _with_results(window, tmp_path)
    window.open_details(window.model.index(0))
    detail = window.detail.actions()
    for spec in table.ACTIONS:
        action = window.actions[spec.id]
        in_menus = [title for title, menu in menus.items() if action in menu.actions()]
        assert in_menus == ([spec.menu[0]] if spec.menu else []), spec.id
        assert (action in toolbar) == (spec.toolbar is not None), spec.id
        assert (action in context) == (spec.context is not None), spec.id
        assert (action in inspector) == (spec.inspector is not None), spec.id
        assert (action in feedback) == (spec.feedback is not None), spec.id
        assert (action in detail) == (spec.detail is not None), spec.id
        assert [k.toString() for k in action.shortcuts()] == [k.toString() for k in table.key_sequences(spec)]
    # The order and separators follow the (section, order) places.
    names = {a: name for name, a in window.actions.items()}
    assert [names.get(a, "|") for a in toolbar] == ["import_folder", "open_library", "rescan", "library_status", "|",
                                                    "mark_relevant", "mark_not_relevant", "refine", "clear_marks",
                                                    "|", "more_like_this"]
    assert [names.get(a, "|") for a in context] == ["more_like_this", "|", "mark_relevant", "mark_not_relevant",
                                                    "clear_mark", "|", "open_details", "open_file", "reveal",
                                                    "copy_path", "|", "add_to_collection", "remove_from_collection"]
    window.detail.close()


def test_no_two_actions_share_a_shortcut(make_window) -> None:  # noqa: ANN001
    window = make_window(open_library=False)
    seen: dict[str, str] = {}
    for name, action in window.actions.items():
        for key in _keys(action):
            assert key not in seen, f"{key} is both {seen[key]} and {name}"
            seen[key] = name
    assert seen["Ctrl+I"] == "import_folder" and seen["F5"] == "rescan" and seen["Esc"] == "clear_example"


def test_f1_help_lists_every_action_shortcut_once(make_window, monkeypatch) -> None:  # noqa: ANN001
    window = make_window(open_library=False)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    window.actions["shortcuts"].trigger()
    assert shown
    native = QKeySequence.SequenceFormat.NativeText
    for name, action in window.actions.items():
        for key in action.shortcuts():
            assert shown[0].count(f"<b>{table.key_text(table.SPECS[name])}</b>") == 1, name
            assert key.toString(native) in table.key_text(table.SPECS[name])
    # The second table holds only keys that are not an action's.
    action_keys = {k.toString(native) for a in window.actions.values() for k in a.shortcuts()}
    for keys, _ in table.OTHER_KEYS:
        assert keys not in action_keys
        assert f"<b>{keys}</b>" in shown[0]


def test_enablement_follows_the_state(make_window, tmp_path) -> None:  # noqa: ANN001
    window = make_window(open_library=False)
    a = window.actions
    assert not a["mark_relevant"].isEnabled() and not a["refine"].isEnabled() and not a["clear_marks"].isEnabled()
    assert not a["import_folder"].isEnabled() and not window.stack.empty_import.isEnabled()
    _with_results(window, tmp_path)
    assert a["mark_relevant"].isEnabled() and a["open_file"].isEnabled()  # the first result is current
    window.mark([2], 1)
    assert a["clear_marks"].isEnabled() and not a["refine"].isEnabled()  # refine needs a library too
    window.clear_marks()
    assert not a["clear_marks"].isEnabled()
    window.state.clear_results()
    assert not a["mark_relevant"].isEnabled()
