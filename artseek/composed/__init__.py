"""Composed image+text queries with Pic2Word: the mapper, its training, and the composer searches use.

See :mod:`artseek.composed.composer` (which method a query gets),
:mod:`artseek.composed.mapper` (the network and its file in the library) and
:mod:`artseek.composed.training` (training on the library's own images).
"""

from artseek.composed.composer import AUTO_USES_MAPPER, COMPOSED_METHODS, Composer, prompt_for
from artseek.composed.mapper import Mapper, MapperError, MapperInfo

__all__ = ["AUTO_USES_MAPPER", "COMPOSED_METHODS", "Composer", "Mapper", "MapperError", "MapperInfo", "prompt_for"]
