"""The CLI's commands, one module per topic. Each command module defines ``register(subparsers, common_parent)``.

``artseek.cli`` builds the root parser and lets every module of this package
add its commands (:func:`register_all`), so a feature adds its commands in a
module of its own. Helpers the modules share live in :mod:`artseek.commands.common`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

# The order of ``--help``: everyday commands first; other modules follow alphabetically.
ORDER = ("indexing", "search", "manage", "models")


def register_all(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Let every module of this package add its sub-commands."""
    names = sorted((m.name for m in pkgutil.iter_modules(__path__)),
                   key=lambda name: (ORDER.index(name) if name in ORDER else len(ORDER), name))
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub, common)
