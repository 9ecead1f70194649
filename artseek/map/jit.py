"""Importing UMAP with numba's on-disk cache, so its compiled code is reused by the next run.

umap-learn compiles about a hundred numba functions on first use (40 s and
more on two busy cores) and, unlike pynndescent, marks none of them
``cache=True``: every new process would compile them all again. :func:`umap_class`
imports umap with numba's ``njit``/``jit`` defaulting to ``cache=True`` and
``NUMBA_CACHE_DIR`` pointing into ArtSeek's user folder (the packaged app's own
folder may be read-only); a function numba cannot cache is simply compiled,
as before, and if numba finds no cache location at all, umap is imported
uncached. In the packaged app numba caches in the user's cache folder, keyed to
the executable (numba's ``UserWideCacheLocator`` for frozen apps); the spec
also ships umap's and pynndescent's ``.py`` sources beside their bytecode.
"""

from __future__ import annotations

import functools
import os
import threading
import warnings

from artseek import config

_lock = threading.Lock()


def cache_dir() -> str:
    return os.environ.get("NUMBA_CACHE_DIR") or os.fspath(config.user_data_dir() / "cache" / "numba")


def _caching(decorator):  # noqa: ANN001, ANN202
    @functools.wraps(decorator)
    def wrapped(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if args and callable(args[0]) and len(args) == 1 and not kwargs:  # bare @njit
            return decorator(cache=True)(args[0])
        kwargs.setdefault("cache", True)
        return decorator(*args, **kwargs)

    return wrapped


def umap_class():  # noqa: ANN201 - umap.UMAP
    """``umap.UMAP``, imported (once per process) with numba caching on."""
    with _lock:
        import sys

        if "umap" not in sys.modules:
            os.environ.setdefault("NUMBA_CACHE_DIR", cache_dir())
            import numba

            saved = numba.njit, numba.jit
            numba.njit, numba.jit = _caching(numba.njit), _caching(numba.jit)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    import umap  # noqa: F401
            except RuntimeError:  # "cannot cache function ...: no locator available": import it uncached
                for name in [m for m in sys.modules if m.split(".")[0] in ("umap", "pynndescent")]:
                    del sys.modules[name]
                numba.njit, numba.jit = saved
                import umap  # noqa: F401
            finally:
                numba.njit, numba.jit = saved
        from umap import UMAP

        return UMAP
