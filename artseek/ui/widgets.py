"""The window's building blocks: search area, indexing panel, inspector (details + captions), dialogs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artseek.ingest.progress import IndexProgress
from artseek.ingest.scanner import is_image_name
from artseek.ui import icons
from artseek.ui.query_state import Example
from artseek.ui.results_view import IMAGE_ID_MIME
from artseek.ui.service import Captions

PASTE_MAX_SIDE = 1024
TOP_K_CHOICES = (50, 100, 200, 500, 1000)


# ------------------------------------------------------------------ drops
@dataclass
class DropContent:
    """What a drag carries, sorted by what ArtSeek does with it."""

    folders: list[str] = field(default_factory=list)
    image_files: list[str] = field(default_factory=list)
    image_ids: list[int] = field(default_factory=list)
    image: QImage | None = None

    def __bool__(self) -> bool:
        return bool(self.folders or self.image_files or self.image_ids or self.image is not None)


def read_mime(mime: QMimeData) -> DropContent:
    content = DropContent()
    if mime.hasFormat(IMAGE_ID_MIME):
        raw = bytes(mime.data(IMAGE_ID_MIME).data()).decode(errors="ignore")
        content.image_ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
        return content
    for url in mime.urls() if mime.hasUrls() else []:
        if not url.isLocalFile():
            continue
        path = url.toLocalFile()
        if os.path.isdir(path):
            content.folders.append(path)
        elif os.path.isfile(path) and is_image_name(path):
            content.image_files.append(path)
    if not content and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            content.image = image
    return content


def image_to_png(image: QImage, max_side: int = PASTE_MAX_SIDE) -> bytes:
    """PNG bytes of a (pasted) image, scaled down to ``max_side`` (the model needs far less)."""
    if max(image.width(), image.height()) > max_side:
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


# ----------------------------------------------------------- search area
class SearchLineEdit(QLineEdit):
    """The search field; pasting an image (not text) turns it into a query-by-example."""

    imagePasted = Signal(object)  # DropContent

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Paste):
            mime = QGuiApplication.clipboard().mimeData()
            content = read_mime(mime) if mime is not None else DropContent()
            if content.image is not None or content.image_files:
                self.imagePasted.emit(content)
                return
        super().keyPressEvent(event)


class SearchArea(QFrame):
    """Search field, example-image chip, result count and the Search button; a drop target."""

    searchRequested = Signal()
    contentDropped = Signal(object)  # DropContent
    exampleCleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchArea")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)

        self.example_chip = QFrame(self)
        self.example_chip.setObjectName("exampleChip")
        chip = QHBoxLayout(self.example_chip)
        chip.setContentsMargins(4, 2, 2, 2)
        chip.setSpacing(4)
        self.example_thumb = QLabel(self.example_chip)
        self.example_thumb.setFixedSize(32, 32)
        self.example_thumb.setScaledContents(False)
        self.example_label = QLabel(self.example_chip)
        self.example_label.setMaximumWidth(180)
        self.example_clear = QToolButton(self.example_chip)
        self.example_clear.setText("×")
        self.example_clear.setAutoRaise(True)
        self.example_clear.setToolTip("Remove the example image from the query (Esc)")
        self.example_clear.clicked.connect(self.exampleCleared)
        chip.addWidget(self.example_thumb)
        chip.addWidget(self.example_label)
        chip.addWidget(self.example_clear)
        self.example_chip.hide()

        self.field = SearchLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Describe what you are looking for — or drop / paste an image here")
        self.field.setClearButtonEnabled(True)
        self.field.setAcceptDrops(False)  # drops go to the search area (image or folder), not into the text
        self.field.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.field.returnPressed.connect(self.searchRequested)
        self.field.setMinimumHeight(32)
        self.field.setAccessibleName("Search text")

        self.top_k = QComboBox(self)
        for k in TOP_K_CHOICES:
            self.top_k.addItem(f"{k} results", k)
        self.top_k.setCurrentIndex(1)
        self.top_k.setToolTip("How many results to show")

        self.button = QPushButton(icons.icon("search"), "Search", self)
        self.button.setDefault(True)
        self.button.setMinimumHeight(32)
        self.button.clicked.connect(self.searchRequested)

        layout.addWidget(self.example_chip)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.top_k)
        layout.addWidget(self.button)

    def top_k_value(self) -> int:
        return int(self.top_k.currentData())

    def set_top_k(self, k: int) -> None:
        i = self.top_k.findData(k)
        if i >= 0:
            self.top_k.setCurrentIndex(i)

    def show_example(self, example: Example | None, pixmap: QPixmap | None = None) -> None:
        if example is None:
            self.example_chip.hide()
            return
        self.example_label.setText(example.label)
        self.example_label.setToolTip(example.path or example.label)
        if pixmap is None and example.data:
            pixmap = QPixmap()
            pixmap.loadFromData(example.data)
        elif pixmap is None and example.path:
            pixmap = QPixmap(example.path)
        if pixmap is not None and not pixmap.isNull():
            self.example_thumb.setPixmap(pixmap.scaled(32, 32, Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation))
        else:
            self.example_thumb.clear()
        self.example_chip.show()

    def _set_highlight(self, on: bool) -> None:
        self.setProperty("dropTarget", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if read_mime(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: ANN001, N802
        self._set_highlight(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_highlight(False)
        content = read_mime(event.mimeData())
        if content:
            event.acceptProposedAction()
            self.contentDropped.emit(content)
        else:
            event.ignore()


class FeedbackBar(QFrame):
    """Shows the accumulated marks, with Refine and Clear marks."""

    def __init__(self, refine_action, clear_action, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setObjectName("feedbackBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel(self)
        layout.addWidget(self.label, 1)
        for action in (refine_action, clear_action):
            b = QToolButton(self)
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAutoRaise(True)
            layout.addWidget(b)
        self.hide()

    def update_marks(self, positives: int, negatives: int) -> None:
        if not positives and not negatives:
            self.hide()
            return
        self.label.setText(f"<b>Feedback:</b> <span style='color:#2ea043'>{positives} relevant</span> · "
                           f"<span style='color:#cf222e'>{negatives} not relevant</span> — "
                           "press <b>Refine</b> (Ctrl+Enter) to re-rank; marks add up over rounds.")
        self.show()


# --------------------------------------------------------- indexing panel
def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class IndexPanel(QFrame):
    """Progress of the background indexing job: bar, rate, ETA, pause/resume, cancel, failures."""

    pauseToggled = Signal(bool)
    cancelRequested = Signal()
    failuresRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = QLabel(self)
        self.title.setObjectName("indexTitle")
        self.detail = QLabel(self)
        self.detail.setObjectName("indexDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        layout.addLayout(text, 2)
        self.bar = QProgressBar(self)
        self.bar.setMinimumWidth(220)
        self.bar.setTextVisible(True)
        layout.addWidget(self.bar, 1)
        self.pause = QPushButton(icons.icon("pause"), "Pause", self)
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._pause_toggled)
        self.cancel = QPushButton(icons.icon("cancel"), "Cancel", self)
        self.cancel.clicked.connect(self.cancelRequested)
        self.failures = QPushButton("Failed files…", self)
        self.failures.clicked.connect(self.failuresRequested)
        self.failures.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide")
        self.close_button.clicked.connect(self.hide)
        for w in (self.failures, self.pause, self.cancel, self.close_button):
            layout.addWidget(w)
        self.hide()

    def _pause_toggled(self, paused: bool) -> None:
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setIcon(icons.icon("resume" if paused else "pause"))
        self.pauseToggled.emit(paused)

    def start(self, title: str) -> None:
        self.title.setText(f"<b>{title}</b>")
        self.detail.setText("Scanning the folders…")
        self.bar.setRange(0, 0)
        self.pause.blockSignals(True)
        self.pause.setChecked(False)
        self.pause.setText("Pause")
        self.pause.setIcon(icons.icon("pause"))
        self.pause.blockSignals(False)
        self.pause.setEnabled(True)
        self.cancel.setEnabled(True)
        self.failures.hide()
        self.close_button.hide()
        self.show()

    def set_paused(self, paused: bool) -> None:
        self.pause.blockSignals(True)
        self.pause.setChecked(paused)
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setIcon(icons.icon("resume" if paused else "pause"))
        self.pause.blockSignals(False)
        if paused:
            self.detail.setText(self.detail.text().split(" — paused")[0] + " — paused")

    def update_progress(self, p: IndexProgress) -> None:
        if p.phase == "scanning":
            self.bar.setRange(0, 0)
            self.detail.setText(f"Scanning the folders… {p.current}")
            return
        self.bar.setRange(0, max(1, p.total))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done:,} / {p.total:,}")
        if p.phase == "saving":
            self.detail.setText("Saving the index…")
            return
        parts = [f"{p.indexed:,} indexed", f"{p.skipped:,} unchanged"]
        if p.failed:
            parts.append(f"{p.failed:,} failed")
        parts.append(f"{p.rate:.1f} files/s")
        parts.append(f"ETA {format_duration(p.eta_s)}")
        text = " · ".join(parts)
        if self.pause.isChecked():
            text += " — paused"
        self.detail.setText(text)
        self.detail.setToolTip(p.current)
        if p.failed:
            self.failures.setText(f"Failed files ({p.failed})…")
            self.failures.show()

    def finish(self, summary: str, failed: int) -> None:
        self.title.setText(f"<b>{summary}</b>")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.setFormat("Done")
        self.pause.setEnabled(False)
        self.cancel.setEnabled(False)
        self.close_button.show()
        if failed:
            self.failures.setText(f"Failed files ({failed})…")
            self.failures.show()


# -------------------------------------------------------------- inspector
class CaptionView(QWidget):
    """Best-matching texts of the library's corpus and suggested keywords for one image."""

    keywordActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        heading = QLabel("<b>Descriptions</b>", self)
        self.texts = QListWidget(self)
        self.texts.setWordWrap(True)
        self.texts.setAlternatingRowColors(True)
        self.texts.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.texts.setAccessibleName("Matching descriptions")
        self.keywords_heading = QLabel("<b>Suggested keywords</b>", self)
        self.keywords = QLabel(self)
        self.keywords.setWordWrap(True)
        self.keywords.setTextFormat(Qt.TextFormat.RichText)
        self.keywords.linkActivated.connect(self.keywordActivated)
        self.keywords.setToolTip("Click a keyword to search for it")
        layout.addWidget(heading)
        layout.addWidget(self.texts, 1)
        layout.addWidget(self.keywords_heading)
        layout.addWidget(self.keywords)
        self.clear()

    def clear(self, message: str = "Select an image to see matching descriptions.") -> None:
        self.texts.clear()
        item = QListWidgetItem(message)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.texts.addItem(item)
        self.keywords.setText("<span style='color:gray'>–</span>")

    def loading(self) -> None:
        self.clear("Looking for matching descriptions…")

    def show_captions(self, c: Captions) -> None:
        self.texts.clear()
        if c.error:
            self.clear(f"Descriptions are unavailable: {c.error}")
            return
        if not c.texts:
            self.clear("No descriptions imported yet." if not c.available or not c.keywords else
                       "No matching descriptions.")
        for text, score, source, kind in c.texts:
            label = text if len(text) < 600 else text[:600] + "…"
            item = QListWidgetItem(label)
            meta = " · ".join(x for x in (kind, os.path.basename(source) if source else "", f"score {score:.3f}") if x)
            item.setToolTip(f"{text}\n\n{meta}")
            self.texts.addItem(item)
        if c.keywords:
            links = " ".join(f"<a href='{k}' style='text-decoration:none'>{k}</a>"
                             f"<span style='color:gray'>&nbsp;{s:.2f}</span>&nbsp;&nbsp;" for k, s in c.keywords)
            self.keywords.setText(links)
        else:
            self.keywords.setText("<span style='color:gray'>No keywords yet.</span>")


class InspectorPanel(QFrame):
    """The side panel: preview, file facts and the caption view of the current image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.preview = QLabel(self)
        self.preview.setObjectName("preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(QSize(220, 220))
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.name = QLabel(self)
        self.name.setObjectName("inspectorName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(self)
        self.facts.setObjectName("inspectorFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(4)
        self.captions = CaptionView(self)
        layout.addWidget(self.preview)
        layout.addWidget(self.name)
        layout.addWidget(self.facts)
        layout.addLayout(self.buttons)
        layout.addWidget(self.captions, 1)
        self.image_id: int | None = None
        self.show_nothing()

    def add_action_button(self, action) -> None:  # noqa: ANN001
        b = QToolButton(self)
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        b.setAutoRaise(True)
        b.setIconSize(QSize(22, 22))
        self.buttons.addWidget(b)

    def finish_buttons(self) -> None:
        self.buttons.addStretch(1)

    def show_nothing(self) -> None:
        self.image_id = None
        self.preview.setPixmap(QPixmap())
        self.preview.setText("<span style='color:gray'>No image selected</span>")
        self.name.setText("")
        self.facts.setText("")
        self.captions.clear()

    def show_result(self, result, pixmap: QPixmap | None, mark: int) -> None:  # noqa: ANN001
        self.image_id = result.image_id
        self.set_pixmap(pixmap)
        self.name.setText(f"<b>{os.path.basename(result.path)}</b>")
        size = f"{result.width} × {result.height} px · " if result.width and result.height else ""
        mark_text = {1: " · <span style='color:#2ea043'>marked relevant</span>",
                     -1: " · <span style='color:#cf222e'>marked not relevant</span>"}.get(mark, "")
        self.facts.setText(f"{size}score {result.score:.3f}{mark_text}<br>"
                           f"<span style='color:gray'>{os.path.dirname(result.path)}</span>")
        self.captions.loading()

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.preview.setText("<span style='color:gray'>Loading…</span>")
            return
        side = max(120, min(self.preview.width(), 320))
        self.preview.setPixmap(pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))


# ---------------------------------------------------------------- dialogs
class FailuresDialog(QDialog):
    """The files that could not be indexed, with the reason for each."""

    def __init__(self, failures: list[dict[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Files that could not be indexed")
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(failures)} file(s) could not be indexed. Fix or remove them, "
                                "then use Library → Re-scan.", self))
        table = QTableWidget(len(failures), 2, self)
        table.setHorizontalHeaderLabels(["File", "Reason"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        for row, f in enumerate(failures):
            path = QTableWidgetItem(f.get("path", ""))
            path.setToolTip(f.get("path", ""))
            reason = QTableWidgetItem(f.get("reason", ""))
            reason.setToolTip(f.get("reason", ""))
            table.setItem(row, 0, path)
            table.setItem(row, 1, reason)
        table.setColumnWidth(0, 420)
        self.table = table
        layout.addWidget(table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class LibraryDialog(QDialog):
    """Library status (counts, model, folders) with Re-scan and Remove folder."""

    rescanRequested = Signal()
    removeRequested = Signal(str)
    failuresRequested = Signal()

    def __init__(self, status, model_state: str, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Library")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        where = QLabel(status.library + ("  (read-only: in use elsewhere)" if status.read_only else ""), self)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Library folder:", where)
        form.addRow("Model:", QLabel(f"{status.model} ({model_state})", self))
        form.addRow("Images:", QLabel(f"{status.indexed:,} indexed · {status.failed:,} failed · "
                                      f"{status.pending:,} pending · {status.missing:,} missing", self))
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Imported folders</b>", self))
        self.roots = QListWidget(self)
        self.roots.addItems(status.roots)
        self.roots.setAccessibleName("Imported folders")
        if self.roots.count():
            self.roots.setCurrentRow(0)
        layout.addWidget(self.roots, 1)
        row = QHBoxLayout()
        self.rescan = QPushButton(icons.icon("rescan"), "Re-scan all folders", self)
        self.remove = QPushButton("Remove folder…", self)
        self.failures = QPushButton(f"Failed files ({status.failed})…", self)
        self.failures.setEnabled(status.failed > 0)
        for b in (self.rescan, self.remove):
            b.setEnabled(not status.read_only)
        self.remove.setEnabled(not status.read_only and self.roots.count() > 0)
        self.rescan.clicked.connect(lambda: (self.rescanRequested.emit(), self.accept()))
        self.remove.clicked.connect(self._remove)
        self.failures.clicked.connect(self.failuresRequested)
        row.addWidget(self.rescan)
        row.addWidget(self.remove)
        row.addWidget(self.failures)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _remove(self) -> None:
        item = self.roots.currentItem()
        if item is not None:
            self.removeRequested.emit(item.text())
            self.accept()
