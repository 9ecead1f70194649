"""The curator's preferences, kept in a small JSON file in the user data folder. No Qt.

The window's *Preferences* dialog edits them; options given on the command line
(``--backend``, ``--library``) still win for that session. A missing or
damaged file gives the defaults (a damaged one is set aside, never lost
silently: ``settings.json.damaged``); saving is atomic.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from artseek import config

ENV_SETTINGS = "ARTSEEK_SETTINGS"
BACKENDS = ("auto", "torch", "onnx", "openvino")
THUMBNAIL_SIZES = (96, 256)  # smallest and largest grid thumbnail (px; stored thumbnails are 256)
MEGAPIXEL_LIMITS = (10.0, 2000.0)
MAX_THREADS = 256


@dataclass
class Preferences:
    """What a curator can set. ``threads`` 0 and ``library`` "" mean: ArtSeek decides."""

    backend: str = "auto"  # auto | torch | onnx | openvino
    int8: bool = False  # the ONNX export's int8 towers (when the model has them)
    threads: int = 0  # model threads (ONNX Runtime and torch on CPU); 0: from the core count
    library: str = ""  # the library opened at start ("" : the last one used)
    max_megapixels: float = 250.0  # larger images are refused as possible decompression bombs
    thumbnail_size: int = 160  # the grid's thumbnails (px)

    def validated(self) -> Preferences:
        """A copy with every value in its allowed range (unknown values fall back to the default)."""
        d = Preferences()
        backend = self.backend if self.backend in BACKENDS else d.backend
        threads = _clamp(_int(self.threads, d.threads), 0, MAX_THREADS)
        mp = _clamp(_float(self.max_megapixels, d.max_megapixels), *MEGAPIXEL_LIMITS)
        thumbs = _clamp(_int(self.thumbnail_size, d.thumbnail_size), *THUMBNAIL_SIZES)
        library = self.library if isinstance(self.library, str) else d.library
        return Preferences(backend, self.int8 is True, threads, library.strip(), mp, thumbs)

    @property
    def max_pixels(self) -> int:
        return int(self.max_megapixels * 1_000_000)


def settings_path() -> Path:
    """``ARTSEEK_SETTINGS``, else ``<user data folder>/settings.json``."""
    override = os.environ.get(ENV_SETTINGS)
    return Path(override).expanduser() if override else config.user_data_dir() / "settings.json"


def load(path: Path | None = None) -> Preferences:
    """The saved preferences, or the defaults (a damaged file is set aside as ``*.damaged``)."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences()
    except (OSError, ValueError):
        _set_aside(path)
        return Preferences()
    if not isinstance(data, dict):
        _set_aside(path)
        return Preferences()
    known = {f.name for f in fields(Preferences)}
    return Preferences(**{k: v for k, v in data.items() if k in known}).validated()


def save(prefs: Preferences, path: Path | None = None) -> Path:
    """Write ``prefs`` atomically (a crash leaves the old file or the new one, never half of one)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(prefs.validated()), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _set_aside(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".damaged"))
    except OSError:
        pass


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _float(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _clamp(value, low, high):  # noqa: ANN001, ANN202
    return max(low, min(high, value))
