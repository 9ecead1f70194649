"""The window's composed queries: training the Pic2Word mapper in the background, the method choice, the status bar."""

from __future__ import annotations

from tests.gui.conftest import search, wait_indexed


def _index(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    window.import_folders([str(shapes_200[0][0].parent)])
    wait_indexed(qtbot, window, 200)


def test_train_mapper_action_then_composed_search_names_the_method(qtbot, window, shapes_200) -> None:  # noqa: ANN001
    from artseek.composed.training import TrainingOptions
    from artseek.ui.query_state import Example

    action, toggle = window.actions["train_mapper"], window.actions["use_pic2word"]
    assert not toggle.isChecked()  # averaging is the default (docs/evaluation.md)
    _index(qtbot, window, shapes_200)
    window.update_enabled()
    assert action.isEnabled()
    menu_texts = [a.text() for a in window.menuBar().actions()[2].menu().actions()]
    assert "&Train Composed-Query Mapper…" in menu_texts

    window.composed.options = TrainingOptions(steps=15, threads=1)
    progress = []
    window.service.mapper.mapperProgress.connect(progress.append)
    with qtbot.waitSignal(window.service.mapper.mapperTrained, timeout=120_000) as trained:
        action.trigger()
        assert window.composed.dialog is not None and window.composed.dialog.isVisible()
    info = trained.args[0]
    assert info is not None and info.stats["steps"] == 15
    qtbot.waitUntil(lambda: window.composed.dialog is None, timeout=5000)
    assert any(p.phase == "training" and p.eta_s is not None for p in progress)
    assert (window.service.library.folder / "composed_mapper.safetensors").is_file()
    assert toggle.isChecked() and "Pic2Word" in window.statusBar().currentMessage()

    window.search_area.field.setText("blue")
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.set_example(Example.from_file(str(shapes_200[2][0])))
    assert len(window.model.results()) > 0
    assert "composed with Pic2Word" in window.statusBar().currentMessage()

    toggle.trigger()  # back to averaging
    assert not toggle.isChecked()
    search(qtbot, window)
    assert "composed by averaging" in window.statusBar().currentMessage()
    search(qtbot, window, "a red star")  # still the example + this text: composed
    window.search.clear_example()
    search(qtbot, window, "a red star")
    assert "composed" not in window.statusBar().currentMessage()


def test_without_a_mapper_pic2word_averages_and_a_cancelled_training_keeps_nothing(qtbot, window,  # noqa: ANN001
                                                                                   shapes_200) -> None:
    from PySide6.QtWidgets import QPushButton

    from artseek.composed.training import TrainingOptions
    from artseek.ui.query_state import Example

    _index(qtbot, window, shapes_200)
    window.actions["use_pic2word"].trigger()
    assert window.service.composed_method == "pic2word"
    window.search_area.field.setText("blue")
    with qtbot.waitSignal(window.service.searchFinished, timeout=30_000):
        window.set_example(Example.from_file(str(shapes_200[2][0])))
    assert "composed by averaging" in window.statusBar().currentMessage()  # no mapper yet: what ran is named

    window.composed.options = TrainingOptions(steps=5000, threads=1)
    with qtbot.waitSignal(window.service.mapper.mapperTrained, timeout=120_000) as trained:
        window.actions["train_mapper"].trigger()
        qtbot.waitUntil(lambda: window.composed.dialog is not None and window.composed.dialog.value() > 0,
                        timeout=60_000)
        window.composed.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    assert trained.args[0] is None
    assert window.composed.dialog is None
    assert "cancelled" in window.statusBar().currentMessage()
    assert not (window.service.library.folder / "composed_mapper.json").exists()

    # Closing the library (quitting) while a training runs stops it instead of waiting for it.
    import time

    window.actions["train_mapper"].trigger()
    qtbot.waitUntil(lambda: window.composed.dialog is not None and window.composed.dialog.value() > 0, timeout=60_000)
    folder = window.service.library.folder
    start = time.monotonic()
    window.service.close_library()
    assert time.monotonic() - start < 30  # 5000 steps would take minutes
    assert not (folder / "composed_mapper.json").exists()
