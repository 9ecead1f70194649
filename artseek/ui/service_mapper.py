"""The service's training of the composed-query mapper (Pic2Word) (part of the window's door to the core).

:class:`MapperService` belongs to :class:`artseek.ui.service.LibraryService` (its ``mapper``) and trains the
open library's mapper on the service's write thread, reporting progress and the outcome with signals; the
returned :class:`artseek.ingest.progress.JobControl` cancels it (closing the library does too).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from artseek.ingest.progress import JobControl


class MapperService(QObject):
    """Trains (or retrains) the library's Pic2Word mapper; answers with signals."""

    mapperProgress = Signal(object)  # TrainingProgress of the composed-query mapper (Pic2Word)
    mapperTrained = Signal(object)  # its MapperInfo, or None when cancelled
    mapperFailed = Signal(object)  # the exception

    def __init__(self, service: QObject) -> None:
        """``service``: the LibraryService (its ``library``, ``need_library`` and ``run_background``)."""
        super().__init__(service)
        self.service = service
        self._control: JobControl | None = None  # the running training

    @property
    def running(self) -> bool:
        return self._control is not None

    def train(self, options: object = None) -> JobControl | None:
        """Train (or retrain) the library's Pic2Word mapper on the write thread; returns its cancel control."""
        if not self.service.need_library(write=True):
            return None
        lib, control = self.service.library, JobControl()
        self._control = control

        def finish(signal: Signal, value: object) -> None:
            self._control = None
            signal.emit(value)

        self.service.run_background(lambda: lib.train_mapper(options, self.mapperProgress.emit, control),
                                    lambda info: finish(self.mapperTrained, info),
                                    lambda exc: finish(self.mapperFailed, exc), write=True)
        return control

    def cancel(self) -> None:
        if self._control is not None:
            self._control.cancel()
