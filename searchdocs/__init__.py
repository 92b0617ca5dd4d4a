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
from searchdocs.engines.whoosh.index import Index


def __getattr__(name: str) -> Any:
    """``index_paths`` is imported on first use, so that searching never loads the indexer."""
    if name == "index_paths":
        from searchdocs.ingest.indexer import index_paths

        return index_paths
    raise AttributeError(f"module 'searchdocs' has no attribute {name!r}")


def open_index(directory: str = "index") -> Index:
    """Open an index for searching; raises ``NoIndexError`` if there is none yet."""
    return Index(directory)


__all__ = ["open_index", "index_paths", "Index", "Hit", "SearchResult", "IndexReport",
           "DocMeta", "Passage", "SearchdocsError"]
