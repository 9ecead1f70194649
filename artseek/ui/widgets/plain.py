"""Text from files and catalogues shown as it is: a file named ``<b>bold</b>.png`` never turns bold.

Qt guesses whether a label's or tooltip's text is HTML; a file name, path, description,
keyword or tag must never be taken for markup. Labels that show such text are set to
plain text (:func:`plain_label`); where a label mixes our markup with such text, the
text is escaped (:func:`esc`); tooltips that could be taken for HTML are escaped too (:func:`tip`).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel


def esc(text: str) -> str:
    """``text`` escaped for a rich-text label (quotes too, for attributes)."""
    return html.escape(text, quote=True)


def tip(text: str) -> str:
    """A tooltip (or a message box's text) that shows ``text`` literally (unchanged unless Qt would take it for HTML)."""
    if not GuiQt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre-wrap'>" + esc(text).replace("\n", "<br>") + "</p>"


def plain_label(label: QLabel) -> QLabel:
    """Make ``label`` show its text literally; returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def ranked(score: float | None) -> bool:
    """Whether a result's score comes from a search (a collection's own view lists its items unranked: NaN)."""
    return score is not None and score == score


def score_name(result: object) -> str:
    """What a result's score is called: a refined ranking's (marks, the classifier) is relative to its search and
    can exceed 1, unlike a similarity."""
    return "refined score (relative)" if getattr(result, "relative", False) else "score"
