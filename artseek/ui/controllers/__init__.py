"""The window's flows, one controller per job; they change the query state and call the service, never build widgets.

* :mod:`.search`: searching, examples, drops and relevance feedback;
* :mod:`.library`: opening libraries, importing, indexing, folders and failures;
* :mod:`.results`: the current result, the inspector, the detail view, files;
* :mod:`.composed`: the image+text method (Pic2Word or averaging) and training its mapper.
"""
