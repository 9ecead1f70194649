"""Texts of a library: import (CSV/JSON/Artpedia/sidecar/XMP/IPTC), sentence parts, image->text, vocabulary.

No Qt. The model is reached only through the encoder the :class:`artseek.library.Library` passes in.
"""
