"""Institution-scale indexing on a Ray cluster (``main.py cluster index``); Ray is the optional cluster extra.

The file list comes from the desktop's scanner and diff, decoding and
thumbnails from :mod:`artseek.ingest.decode`, embeddings from the one
:class:`~artseek.embedding.encoder.Encoder` interface, and the merge stores
through the desktop :class:`~artseek.ingest.indexer.IndexingJob`, so the result is
an ordinary library. Only :mod:`artseek.cluster.pipeline` imports Ray (when it
runs); :mod:`~artseek.cluster.shards` needs pyarrow. See docs/scale.md.
"""
