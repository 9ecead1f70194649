"""Preferences: how the model runs, which library opens at start, the size limit for huge images, thumbnails.

The dialog edits a plain values object (``artseek.settings.Preferences``, passed
in by the controller) and says, next to each setting, when it takes effect and
whether an option given on the command line overrides it for this session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

BACKENDS = (("auto", "Automatic (recommended)"), ("openvino", "OpenVINO (fastest on CPUs)"),
            ("onnx", "ONNX Runtime (fast on CPUs)"), ("torch", "PyTorch (the reference; GPUs)"))
BACKEND_NOTE = ("Automatic: PyTorch on an NVIDIA GPU; else OpenVINO where it is installed and its int8 model "
                "passed a check on this computer, else ONNX Runtime.")
LATER = "Applies when a library is next opened."
RESTART_THREADS = "Restart ArtSeek for the new number of threads to apply in full (PyTorch sets part of its " \
                  "threads once per run)."


class PreferencesDialog(QDialog):
    """Edits a ``Preferences``; :meth:`values` returns the edited copy."""

    def __init__(self, prefs, limits: dict, overridden: dict[str, str],  # noqa: ANN001 - settings.Preferences
                 parent: QWidget | None = None, restart_for_threads: Callable[[int], bool] = lambda _n: False,
                 unavailable: dict[str, str] | None = None) -> None:
        """``limits``: {"threads": max, "megapixels": (lo, hi), "thumbnails": (lo, hi)};
        ``overridden``: setting -> the command-line option that wins this session;
        ``restart_for_threads(n)``: whether ``n`` threads apply in full only after a restart;
        ``unavailable``: backend -> why this installation cannot run it (shown greyed out, with the reason)."""
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(660)
        self._prefs = prefs
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.backend = QComboBox(self)
        unavailable = unavailable or {}
        for key, text in BACKENDS:
            self.backend.addItem(text + (" (not installed)" if key in unavailable else ""), key)
            if key in unavailable:
                item = self.backend.model().item(self.backend.count() - 1)  # a QStandardItemModel's row
                item.setEnabled(False)
                item.setToolTip(unavailable[key])
        self.backend.setCurrentIndex(max(0, self.backend.findData(prefs.backend)))
        self.backend_missing = QLabel(self)
        self.backend_missing.setObjectName("backendMissing")
        self.backend_missing.setWordWrap(True)
        self.backend_missing.setStyleSheet("color: #8a4b00; font-size: 90%;")
        backend_box = self._with_note(self.backend, f"{BACKEND_NOTE} {LATER}", overridden.get("backend"))
        backend_box.layout().addWidget(self.backend_missing)
        self._unavailable = unavailable
        self.backend.currentIndexChanged.connect(self._backend_changed)
        self._backend_changed()
        form.addRow("Model runs on:", backend_box)

        self.int8 = QCheckBox("Use the int8 model when the ONNX export has it (faster, very slightly less exact)", self)
        self.int8.setChecked(prefs.int8)
        form.addRow("Precision:", self._with_note(self.int8, LATER + " Off: the export's recommended precision."))

        self.threads = QSpinBox(self)
        self.threads.setRange(0, limits["threads"])
        self.threads.setSpecialValueText("Automatic")
        self.threads.setValue(prefs.threads)
        threads_box = self._with_note(self.threads, "The model's CPU threads (OpenVINO, ONNX Runtime and PyTorch). " + LATER)
        self.threads_restart = QLabel(RESTART_THREADS, threads_box)
        self.threads_restart.setObjectName("threadsRestart")
        self.threads_restart.setWordWrap(True)
        self.threads_restart.setStyleSheet("color: #8a4b00; font-size: 90%;")
        threads_box.layout().addWidget(self.threads_restart)
        self._restart_for_threads = restart_for_threads
        self.threads.valueChanged.connect(self._threads_changed)
        self._threads_changed(self.threads.value())
        form.addRow("Model threads:", threads_box)

        row = QWidget(self)
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        self.library = QLineEdit(prefs.library, row)
        self.library.setPlaceholderText("The last library used")
        self.library.setClearButtonEnabled(True)
        browse = QPushButton("Choose…", row)
        browse.clicked.connect(self._choose_library)
        h.addWidget(self.library, 1)
        h.addWidget(browse)
        form.addRow("Library at start:", self._with_note(row, "Applies when ArtSeek next starts.",
                                                         overridden.get("library")))

        self.megapixels = QDoubleSpinBox(self)
        self.megapixels.setRange(*limits["megapixels"])
        self.megapixels.setDecimals(0)
        self.megapixels.setSuffix(" megapixels")
        self.megapixels.setValue(prefs.max_megapixels)
        form.addRow("Largest image:", self._with_note(
            self.megapixels, "Larger files are refused (possible decompression bombs). Applies to the next "
                             "import or re-scan."))

        self.thumbnails = QSpinBox(self)
        self.thumbnails.setRange(*limits["thumbnails"])
        self.thumbnails.setSingleStep(16)
        self.thumbnails.setSuffix(" px")
        self.thumbnails.setValue(prefs.thumbnail_size)
        form.addRow("Thumbnails:", self._with_note(self.thumbnails, "Applies at once."))
        layout.addLayout(form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout.addWidget(buttons)

    def _with_note(self, field: QWidget, note: str, override: str | None = None) -> QWidget:
        box = QWidget(self)
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 6)
        v.setSpacing(2)
        if isinstance(field, (QComboBox, QSpinBox, QDoubleSpinBox)):  # a short field, left-aligned
            row = QHBoxLayout()
            row.addWidget(field)
            row.addStretch(1)
            v.addLayout(row)
        else:
            v.addWidget(field)
        text = note + (f"\nThis session: {override} given on the command line wins." if override else "")
        label = QLabel(text, box)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setMinimumWidth(460)  # wrapped notes get their full height (no clipped last line)
        label.setStyleSheet("color: palette(placeholder-text); font-size: 90%;")
        v.addWidget(label)
        return box

    def _backend_changed(self, _index: int = 0) -> None:
        """A saved choice this installation cannot run (it stays chosen until changed) says why and what to do."""
        reason = self._unavailable.get(self.backend.currentData(), "")
        self.backend_missing.setText(reason)
        self.backend_missing.setVisible(bool(reason))

    def _threads_changed(self, value: int) -> None:
        self.threads_restart.setVisible(value != self._prefs.threads and self._restart_for_threads(value))

    def _choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The library opened at start", self.library.text())
        if folder:
            self.library.setText(folder)

    def restore_defaults(self) -> None:
        defaults = type(self._prefs)()
        self.backend.setCurrentIndex(max(0, self.backend.findData(defaults.backend)))
        self.int8.setChecked(defaults.int8)
        self.threads.setValue(defaults.threads)
        self.library.setText(defaults.library)
        self.megapixels.setValue(defaults.max_megapixels)
        self.thumbnails.setValue(defaults.thumbnail_size)

    def values(self):  # noqa: ANN201 - settings.Preferences
        return replace(self._prefs, backend=self.backend.currentData(), int8=self.int8.isChecked(),
                       threads=self.threads.value(), library=self.library.text().strip(),
                       max_megapixels=float(self.megapixels.value()), thumbnail_size=self.thumbnails.value())
