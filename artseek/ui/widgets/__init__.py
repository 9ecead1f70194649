"""The window's building blocks, one widget or dialog per module."""

from artseek.ui.widgets.caption_view import CaptionView
from artseek.ui.widgets.detail_dialog import DetailDialog
from artseek.ui.widgets.drops import DropContent, image_to_png, read_mime
from artseek.ui.widgets.failures_dialog import FailuresDialog
from artseek.ui.widgets.feedback_bar import FeedbackBar
from artseek.ui.widgets.index_panel import IndexPanel, format_duration
from artseek.ui.widgets.inspector import InspectorPanel
from artseek.ui.widgets.library_dialog import LibraryDialog
from artseek.ui.widgets.results_pane import ResultsPane
from artseek.ui.widgets.results_view import IMAGE_ID_MIME, MarkRole, ResultsModel, ResultsView
from artseek.ui.widgets.search_area import SearchArea, SearchLineEdit

__all__ = [
    "IMAGE_ID_MIME", "CaptionView", "DetailDialog", "DropContent", "FailuresDialog", "FeedbackBar", "IndexPanel",
    "InspectorPanel", "LibraryDialog", "MarkRole", "ResultsModel", "ResultsPane", "ResultsView", "SearchArea",
    "SearchLineEdit", "format_duration", "image_to_png", "read_mime",
]
