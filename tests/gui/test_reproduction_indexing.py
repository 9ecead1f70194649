"""Library → Reproduction Indexing On/Off: the visual words from the window, without a terminal."""
from __future__ import annotations

from tests.gui.conftest import wait_indexed


def test_reproduction_indexing_on_then_off_from_the_menu(qtbot, window, tmp_path) -> None:  # noqa: ANN001
    from artseek.evaluation.pages import write_pairs

    write_pairs(tmp_path / "set", 2, seed=3)
    window.import_folders([str(tmp_path / "set" / "pages"), str(tmp_path / "set" / "photos")])
    wait_indexed(qtbot, window, 4)
    action = window.actions["reproduction_indexing"]
    assert action.isEnabled() and "Reproduction Indexing" in action.text()
    with qtbot.waitSignal(window.service.details.wordsSet, timeout=60_000) as on:
        action.trigger()
    assert on.args[0] is True and on.args[1] == 4
    stats = window.service.library.visual_words.stats()
    assert stats["enabled"] and stats["images"] == 4
    assert "Reproduction indexing is on" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.service.details.wordsSet, timeout=60_000) as off:
        action.trigger()
    assert off.args[0] is False
    assert not window.service.library.visual_words.stats()["enabled"]
    assert "off" in window.statusBar().currentMessage()
