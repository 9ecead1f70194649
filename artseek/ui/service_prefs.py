"""The window's preferences: read and written through :mod:`artseek.settings`, applied to the service and the view.

Options given on the command line (``--backend``, ``--library``) win for the
session: they are recorded in ``overrides`` and never replaced by a saved value.
"""

from __future__ import annotations

import os
import sys

from artseek import settings
from artseek.settings import Preferences

ENV_THREADS = "ARTSEEK_ONNX_THREADS"  # read by artseek.embedding.onnx_backend (not imported here: numpy at start-up)
ENV_TORCH_THREADS = "ARTSEEK_TORCH_THREADS"  # read by artseek.embedding.torch_backend (the same number)
TORCH_BACKEND = "artseek.embedding.torch_backend"
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
        # Set outside ArtSeek: a preference of 0 keeps them.
        self._env_threads = {name: os.environ.get(name) for name in (ENV_THREADS, ENV_TORCH_THREADS)}

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
        for name, outside in self._env_threads.items():  # both backends run on the chosen number of threads
            if p.threads:
                os.environ[name] = str(p.threads)
            elif outside is not None:
                os.environ[name] = outside
            else:
                os.environ.pop(name, None)
        return p

    @staticmethod
    def unavailable_backends() -> dict[str, str]:
        """Backends this installation lacks -> what to do about it (the dialog greys them out)."""
        import importlib.util

        from artseek.embedding.openvino_backend import openvino_version

        missing = {}
        if openvino_version() is None:
            missing["openvino"] = ("OpenVINO is not installed here. Install it with 'pip install -r "
                                   "requirements-openvino.txt', or use a packaged ArtSeek, which includes it.")
        if importlib.util.find_spec("torch") is None:
            missing["torch"] = ("PyTorch is not installed here (the packaged app runs without it). Install "
                                "ArtSeek from source with 'make run' to use it.")
        return missing

    @staticmethod
    def threads_need_restart(threads: int) -> bool:
        """Whether ``threads`` can apply fully only after a restart (torch fixes its inter-op pool once a run)."""
        torch_backend = sys.modules.get(TORCH_BACKEND)  # not loaded: no torch model ran, nothing is fixed yet
        return torch_backend is not None and torch_backend.threads_need_restart(threads)

    def start_library(self, given: str | None) -> str | None:
        """The library to open at start: the one given (command line / environment) wins over the preference."""
        return given or self.prefs.library or None

    @staticmethod
    def path() -> str:
        return os.fspath(settings.settings_path())
