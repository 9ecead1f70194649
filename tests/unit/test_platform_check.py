"""The xcb check before the window opens: names the missing Debian packages and the one apt line."""

from __future__ import annotations

import pytest

from artseek.ui.platform_check import APT_LINE, XCB_LIBRARIES, can_load, check_xcb, missing_xcb_libraries, uses_xcb

X11 = {"DISPLAY": ":0"}


@pytest.mark.parametrize(("environ", "platform", "expected"), [
    (X11, "linux", True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({}, "linux", False),
    (X11, "darwin", False),
    (X11, "win32", False),
])
def test_only_an_x11_session_on_linux_needs_the_check(environ, platform, expected) -> None:
    assert uses_xcb(environ, platform) is expected


def test_a_missing_library_is_named_with_its_package_and_the_apt_line() -> None:
    loaded = []

    def without_cursor(name: str) -> bool:
        loaded.append(name)
        return name != "libxcb-cursor.so.0"

    message = check_xcb(X11, without_cursor, "linux")
    assert loaded == list(XCB_LIBRARIES)
    assert "libxcb-cursor.so.0" in message and "libxcb-cursor0" in message
    assert "libxcb-icccm.so.4" not in message.split("\n")[0]  # only what is missing is named as missing
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message


def test_nothing_is_said_when_every_library_loads_or_qt_uses_another_platform() -> None:
    assert check_xcb(X11, lambda name: True, "linux") is None
    assert check_xcb({"QT_QPA_PLATFORM": "offscreen"}, lambda name: False, "linux") is None
    assert missing_xcb_libraries(lambda name: False) == list(XCB_LIBRARIES)


def test_the_real_loader_tells_a_present_library_from_an_absent_one() -> None:
    assert can_load("libc.so.6")
    assert not can_load("libartseek-no-such-library.so.0")


def test_the_window_exits_with_the_message_instead_of_qt_abort(monkeypatch, capsys) -> None:
    import artseek.ui.app as app
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(QApplication, "instance", staticmethod(lambda: None))
    monkeypatch.setattr(app, "check_xcb", lambda: "ArtSeek's window cannot open: ... " + APT_LINE)
    monkeypatch.setattr(app, "create_app", lambda argv: pytest.fail("Qt must not start"))
    monkeypatch.setattr(app, "show_without_qt", lambda message: None)
    assert app.run_app() == app.XCB_MISSING != 0
    assert APT_LINE in capsys.readouterr().err


def test_without_a_terminal_the_message_goes_to_the_first_desktop_dialog_tool() -> None:
    from artseek.ui.platform_check import show_without_qt

    ran = []
    assert show_without_qt("the message", which=lambda name: name == "kdialog" and "/usr/bin/kdialog",
                           run=lambda args, **kw: ran.append(args))
    assert ran == [["kdialog", "--title", "ArtSeek", "--error", "the message"]]
    assert not show_without_qt("the message", which=lambda name: None, run=lambda *a, **k: ran.append(a))
    assert len(ran) == 1
