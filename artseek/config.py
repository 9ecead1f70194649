"""Where ArtSeek keeps things: libraries, model weights, bundled resources. No Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ArtSeek"
ENV_LIBRARY = "ARTSEEK_LIBRARY"
ENV_WEIGHTS = "ARTSEEK_WEIGHTS"
ENV_MODELS_DIR = "ARTSEEK_MODELS_DIR"
ENV_DATA_DIR = "ARTSEEK_DATA_DIR"
DEFAULT_MODEL = "ViT-B-32-datacomp"  # chosen from bench models: README "Models", docs/performance.md


def is_frozen() -> bool:
    """True inside the PyInstaller build."""
    return bool(getattr(sys, "frozen", False))


def project_root() -> Path:
    """The folder holding ``main.py`` and ``resources/`` (the bundle root when frozen)."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return project_root() / "resources"


def user_data_dir() -> Path:
    """The per-user application data folder (``ARTSEEK_DATA_DIR`` overrides it)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "artseek"


def default_library_dir() -> Path:
    """``ARTSEEK_LIBRARY`` if set, else ``<user data>/library``."""
    override = os.environ.get(ENV_LIBRARY)
    return Path(override).expanduser() if override else user_data_dir() / "library"


def user_models_dir() -> Path:
    """The per-user model folder (``ARTSEEK_MODELS_DIR`` overrides it)."""
    override = os.environ.get(ENV_MODELS_DIR)
    return Path(override).expanduser() if override else user_data_dir() / "models"


def bundled_models_dir() -> Path:
    """``resources/models``: what the packaged build ships."""
    return resources_dir() / "models"
