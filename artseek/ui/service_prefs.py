"""The window's preferences: read and written through :mod:`artseek.settings`, applied to the service and the view.

Options given on the command line (``--backend``, ``--library``) win for the
session: they are recorded in ``overrides`` and never replaced by a saved value.
"""

from __future__ import annotations

import os

from artseek import settings
from artseek.settings import Preferences

ENV_THREADS = "ARTSEEK_ONNX_THREADS"  # read by artseek.embedding.onnx_backend (not imported here: numpy at start-up)
LIMITS = {"threads": settings.MAX_THREADS, "megapixels": settings.MEGAPIXEL_LIMITS,
          "thumbnails": settings.THUMBNAIL_SIZES}


class PreferencesStore:
    """Loads, saves and applies the preferences; ``service`` is the LibraryService they apply to."""

    def __init__(self, service, overrides: dict[str, str] | None = None) -> None:
        self.service = service
        self.overrides = dict(overrides or {})  # setting -> the command-line option that set it
        if service.backend not in (None, "auto"):  # the service was made with a backend (the command line)
            self.overrides.setdefault("backend", f"--backend {service.backend}")
        self.prefs = settings.load()
        self._env_threads = os.environ.get(ENV_THREADS)  # set outside ArtSeek: a preference of 0 keeps it

    def save(self, prefs: Preferences) -> Preferences:
        self.prefs = prefs.validated()
        settings.save(self.prefs)
        return self.prefs

    def reload(self) -> Preferences:
        self.prefs = settings.load()
        return self.prefs

    def apply(self) -> Preferences:
        """Put the preferences into the service (used from the next library opening / import on)."""
        p, s = self.prefs, self.service
        if "backend" not in self.overrides:
            s.backend = p.backend
        s.library_options["int8"] = p.int8
        s.index_options["max_pixels"] = p.max_pixels
        if p.threads:
            os.environ[ENV_THREADS] = str(p.threads)
        elif self._env_threads is not None:
            os.environ[ENV_THREADS] = self._env_threads
        else:
            os.environ.pop(ENV_THREADS, None)
        return p

    def start_library(self, given: str | None) -> str | None:
        """The library to open at start: the one given (command line / environment) wins over the preference."""
        return given or self.prefs.library or None

    @staticmethod
    def path() -> str:
        return os.fspath(settings.settings_path())
