"""searchdocs: full-text search for Vietnamese Party and state documents.

The public API, on which the command line is built::

    from searchdocs import index_paths, open_index

    report = index_paths("index", ["corpus"])
    with open_index("index") as ix:
        for hit in ix.search("chuyen sinh hoat dang", limit=5).hits:
            print(hit.number, hit.section, hit.page, hit.snippet)
"""
from __future__ import annotations

from typing import Any

from searchdocs._whoosh import import_whoosh

import_whoosh()  # before any module below imports Whoosh

from searchdocs.errors import SearchdocsError
from searchdocs.models import DocMeta, Hit, IndexReport, Passage, SearchResult
from searchdocs.search.base import SearchIndex


def __getattr__(name: str) -> Any:
    """``index_paths`` is imported on first use, so that searching never loads the indexer."""
    if name == "index_paths":
        from searchdocs.engines import index_paths

        return index_paths
    raise AttributeError(f"module 'searchdocs' has no attribute {name!r}")


def open_index(location: str = "index") -> SearchIndex:
    """Open an index (a folder, or an OpenSearch index URL) for searching; raises
    ``NoIndexError`` if there is none yet."""
    from searchdocs.engines import open_index as open_engine

    return open_engine(location)


__all__ = ["open_index", "index_paths", "SearchIndex", "Hit", "SearchResult", "IndexReport",
           "DocMeta", "Passage", "SearchdocsError"]
