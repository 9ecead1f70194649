"""Extra CLI command groups. Each module defines ``register(subparsers, common_parent)``.

``artseek.cli`` discovers the modules of this package, so a feature adds its
commands in a module of its own (e.g. ``bench.py``, ``texts.py``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Let every module of this package add its sub-commands."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub, common)
