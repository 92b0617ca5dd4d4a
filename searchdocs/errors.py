"""Errors a user can act on. Each message says what is wrong and what to do next.

Messages are English. An error raised as ``SearchdocsError(N_("bad year {value!r} …"), value=v)``
keeps its template and parameters so an interface can show it in another language
(searchdocs.interface.i18n.error_text); ``str(error)`` is always the English text, so the library needs
no translation machinery. ``N_`` only marks a template for extraction.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message template for translation without translating it (gettext's convention)."""
    return message


class SearchdocsError(Exception):
    """Base of every error the CLI turns into a one-line message and exit code 2."""

    def __init__(self, message: str = "", /, **params: object) -> None:
        self.template = message
        self.params = params
        super().__init__(message.format(**params) if params else message)


class NoIndexError(SearchdocsError):
    def __init__(self, directory: str) -> None:
        super().__init__(
            N_("no index at {directory}: run `searchdocs index` first "
               "(or point --index / SEARCHDOCS_INDEX at an existing index)"),
            directory=directory,
        )


class EmptyIndexError(SearchdocsError):
    """A search of an index that holds no document yet (being built, or every file failed)."""


class QuerySyntaxError(SearchdocsError):
    """A query that cannot be parsed; the message points at the problem."""


class ExtractionError(SearchdocsError):
    """A file whose text cannot be read; the message is the one-line reason."""


class DocumentNotFound(SearchdocsError):
    pass


class IndexLockedError(SearchdocsError):
    pass


class Reason(str):
    """Why a file failed or drew a warning: the English text (``str``, for JSON and the library API)
    that keeps its ``N_()`` template and parameters so an interface can show it translated
    (searchdocs.interface.i18n.error_text). Pickles, so it crosses the worker-process boundary."""

    def __new__(cls, template: str, /, **params: object) -> "Reason":
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template, self.params = template, params
        return self

