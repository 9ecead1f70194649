"""The CLI's commands, one module per topic. Each command module defines ``register(subparsers, common_parent)``.

``artseek.cli`` builds the root parser and lets every module of this package
add its commands (:func:`register_all`), so a feature adds its commands in a
module of its own. Helpers the modules share live in :mod:`artseek.commands.common`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

# Registered in this order (the order of ``--help``), also where a frozen app cannot list the package;
# any other module of this package with a ``register`` follows, alphabetically.
MODULES = ("indexing", "search", "manage", "models", "bench", "eval", "texts", "categories", "train", "library_admin",
           "collections", "history", "map", "details")


def register_all(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Let every command module of this package add its sub-commands."""
    found = sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in [*MODULES, *(n for n in found if n not in MODULES)]:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub, common)
