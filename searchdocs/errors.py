"""Errors a user can act on. Each message says what is wrong and what to do next."""
from __future__ import annotations


class SearchdocsError(Exception):
    """Base of every error the CLI turns into a one-line message and exit code 2."""


class NoIndexError(SearchdocsError):
    def __init__(self, directory: str) -> None:
        super().__init__(
            f"no index at {directory}: run `searchdocs index` first "
            "(or point --index / SEARCHDOCS_INDEX at an existing index)"
        )


class QuerySyntaxError(SearchdocsError):
    """A query that cannot be parsed; the message points at the problem."""


class ExtractionError(SearchdocsError):
    """A file whose text cannot be read; the message is the one-line reason."""


class DocumentNotFound(SearchdocsError):
    pass


class IndexLockedError(SearchdocsError):
    pass
