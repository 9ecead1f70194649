"""The style sheet is a resource file, applied to the window and bundled by the frozen build."""

from __future__ import annotations

import pytest

from artseek.ui.style import style_sheet
from tests.conftest import ROOT

pytestmark = pytest.mark.gui


def test_style_sheet_is_a_bundled_resource(make_window) -> None:  # noqa: ANN001
    assert "#searchArea" in style_sheet() and "#feedbackBar" in style_sheet()
    assert make_window(open_library=False).styleSheet() == style_sheet()
    spec = (ROOT / "pyinstaller.spec").read_text(encoding="utf-8")
    assert '"resources" / "style.qss"' in spec
