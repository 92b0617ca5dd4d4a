"""One-line descriptions of the exceptions third-party parsers raise on malformed files."""
from __future__ import annotations

from pypdf.errors import PyPdfError

from searchdocs.errors import N_, Reason

_MAX_MESSAGE = 150


def describe_error(exc: BaseException) -> str:
    """A short single line: the parser's own message, prefixed by the type for generic exceptions.

    RecursionError anywhere in the chain (pypdf sometimes wraps it) means a reference loop or
    absurdly deep nesting, which is said in words rather than as a Python error.
    """
    if any(isinstance(e, RecursionError) for e in (exc, exc.__cause__, exc.__context__)):
        return Reason(N_("objects nested too deeply or referring to themselves"))
    lines = str(exc).strip().splitlines()
    message = lines[0][:_MAX_MESSAGE] if lines else ""
    if isinstance(exc, PyPdfError) and message:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
