"""Reading documents into clean text: ``extract`` is the single entry point of this package.

Every failure is an ExtractionError whose message is a one-line reason a user can act on; no
parser exception escapes. The format comes from the content (magic bytes) first and the file
name second, so a DOCX saved as ``.pdf`` is still read and an HTML page saved as ``.pdf`` is
named for what it is.
"""
from __future__ import annotations

import errno
import stat
from collections.abc import Callable
from pathlib import Path

from searchdocs.errors import N_, ExtractionError, Reason
from searchdocs.models import Extracted

from searchdocs.extract.docx import extract_docx
from searchdocs.extract.pdf import extract_pdf
from searchdocs.extract.sniff import HEAD_BYTES, describe, sniff
from searchdocs.extract.text import extract_jsonl, extract_text

__all__ = ["SUPPORTED_SUFFIXES", "extract"]

# What a folder walk should pick up (compare with ``path.suffix.lower()``).
SUPPORTED_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".rtf", ".txt", ".md", ".jsonl"})

# Suffixes that promise a binary format: without its magic bytes the file is refused.
_CLAIMED = {".pdf": N_("not a PDF: {what}"), ".doc": N_("not a Word .doc: {what}"),
            ".rtf": N_("not an RTF file: {what}")}


def extract(path: Path, max_bytes: int | None = None) -> list[Extracted]:
    """Clean text of a document: one Extracted per file, or one per record for ``.jsonl``.

    PDF pages keep their 1-based numbers; DOCX and text give one Page with ``number=None``.
    A PDF with no text layer is returned (``pages_without_text`` counts the empty pages), not refused.
    ``max_bytes`` refuses larger files before reading them.
    Raises ExtractionError for anything unreadable: missing, empty, too large, unreadable,
    unsupported, damaged, encrypted with a password, or hostile (zip bomb, XML entities).
    """
    path = Path(path)
    _check_file(path, max_bytes)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        kind = sniff(path, head) or _kind_from_suffix(path, head)
        return _EXTRACTORS[kind](path)
    except PermissionError as exc:
        raise ExtractionError(N_("cannot read: permission denied")) from exc
    except OSError as exc:
        raise ExtractionError(N_("cannot read: {error}"), error=str(exc.strerror or exc)) from exc


def _check_file(path: Path, max_bytes: int | None) -> None:
    """Refuse what is not a readable regular file of an acceptable size, without reading it."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        reason = Reason(N_("broken symbolic link")) if path.is_symlink() else Reason(N_("no such file"))
        raise ExtractionError(N_("cannot read: {error}"), error=reason) from exc
    except PermissionError as exc:
        raise ExtractionError(N_("cannot read: permission denied")) from exc
    except OSError as exc:
        reason = Reason(N_("symbolic link loop")) if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise ExtractionError(N_("cannot read: {error}"), error=reason) from exc
    if stat.S_ISDIR(info.st_mode):
        raise ExtractionError(N_("not a file: is a directory"))
    if not stat.S_ISREG(info.st_mode):
        raise ExtractionError(N_("not a regular file (device, pipe or socket)"))
    if info.st_size == 0:
        raise ExtractionError(N_("empty file (0 bytes)"))
    if max_bytes is not None and info.st_size > max_bytes:
        raise ExtractionError(
            N_("file too large: {size} MB > limit {limit} MB"), size=f"{info.st_size / 1e6:.1f}",
            limit=f"{max_bytes / 1e6:.1f}")


def _kind_from_suffix(path: Path, head: bytes) -> str:
    """The format a file's name promises, when its content proved nothing."""
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return "text"
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".docx":
        return "docx"  # its own guards say whether it is a zip at all
    if suffix in _CLAIMED:
        raise ExtractionError(_CLAIMED[suffix], what=describe(head))
    raise ExtractionError(N_("unsupported file type: {suffix}"), suffix=suffix or Reason(N_("no extension")))


def _extract_doc(path: Path) -> list[Extracted]:
    try:
        from searchdocs.extract.doc import extract_doc
    except ImportError as exc:
        raise ExtractionError(N_("Word .doc files are not supported yet")) from exc
    return extract_doc(path)


def _extract_rtf(path: Path) -> list[Extracted]:
    try:
        from searchdocs.extract.rtf import extract_rtf
    except ImportError as exc:
        raise ExtractionError(N_("RTF files are not supported yet")) from exc
    return extract_rtf(path)


_EXTRACTORS: dict[str, Callable[[Path], list[Extracted]]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "doc": _extract_doc,
    "rtf": _extract_rtf,
    "text": extract_text,
    "jsonl": extract_jsonl,
}
