"""The engine seam: one location names the index, a folder (the local Whoosh engine, the default)
or an OpenSearch index URL ``http(s)://HOST:PORT/NAME``. Above this package, code speaks only in
our dataclasses (:class:`searchdocs.search.base.SearchIndex`, ``IndexReport``, ``CheckReport``);
only ``engines/whoosh`` imports whoosh and only ``engines/opensearch`` imports opensearch-py.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from searchdocs.models import CheckReport, IndexReport
from searchdocs.search.base import SearchIndex

_URL = re.compile(r"https?://", re.IGNORECASE)


def is_url(location: str | Path) -> bool:
    """Whether ``location`` names an OpenSearch index rather than a folder."""
    return bool(_URL.match(str(location)))


def open_index(location: str | Path, overrides: str | Path | None = None,
               ca_cert: str | None = None) -> SearchIndex:
    """Open an index for searching; raises ``NoIndexError`` if there is none yet. ``ca_cert``: the
    CA of an OpenSearch cluster's TLS certificate."""
    if is_url(location):
        from searchdocs.engines.opensearch.index import OpenSearchIndex

        return OpenSearchIndex(str(location), overrides=overrides, ca_cert=ca_cert)
    from searchdocs.engines.whoosh.index import Index

    return Index(location, overrides=overrides)


def index_paths(location: str | Path, paths: Any, **options: Any) -> IndexReport:
    """Index files and folders into the index at ``location``: see
    :func:`searchdocs.engines.whoosh.writer.index_paths` for the options; an OpenSearch index also
    takes ``rebuild``, ``shards``, ``replicas`` and ``ca_cert``
    (:func:`searchdocs.engines.opensearch.writer.index_paths`)."""
    if is_url(location):
        from searchdocs.engines.opensearch.writer import index_paths as into_opensearch

        return into_opensearch(str(location), paths, **options)
    from searchdocs.engines.whoosh.writer import index_paths as into_folder

    return into_folder(location, paths, **options)


def check_index(location: str | Path, files: bool = True, ca_cert: str | None = None) -> CheckReport:
    """The findings of checking the index at ``location``."""
    if is_url(location):
        from searchdocs.engines.opensearch.check import check_index as check_cluster

        return check_cluster(str(location), files=files, ca_cert=ca_cert)
    from searchdocs.engines.whoosh.check import check_index as check_folder

    return check_folder(location, files=files)
