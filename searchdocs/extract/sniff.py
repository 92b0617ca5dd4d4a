"""Recognizing a file's format from its first bytes, so a misnamed file is read as what it is."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from searchdocs.errors import N_, Reason

HEAD_BYTES = 2048  # enough for every magic number below and for an HTML prologue

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


def sniff(path: Path, head: bytes) -> str | None:
    """The format the content proves ("pdf", "docx", "doc", "rtf"), or None when no magic matches.

    ``%PDF`` may follow a little junk (the PDF reference tolerates up to 1024 bytes), so it is searched
    for rather than required at offset 0.
    """
    if b"%PDF" in head[:1024]:
        return "pdf"
    if head.startswith(_ZIP):
        return "docx" if _is_docx_zip(path) else None
    if head.startswith(_OLE2):
        return "doc"
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        return "rtf"
    return None


def _is_docx_zip(path: Path) -> bool:
    """Whether the zip archive holds a Word body part; a damaged archive counts as no."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def describe(head: bytes) -> Reason:
    """What unrecognized content looks like, for a "not a PDF: …" kind of message."""
    text = head.lstrip(b"\xef\xbb\xbf")
    if _HTML.match(text):
        return Reason(N_("looks like HTML"))
    if text.lstrip().startswith(b"<?xml"):
        return Reason(N_("looks like XML"))
    if head.startswith(_ZIP):
        return Reason(N_("a zip archive without a Word document"))
    if head.startswith(_OLE2):
        return Reason(N_("an old Office (OLE2) file"))
    if b"\x00" in head:
        return Reason(N_("binary content of unknown type"))
    return Reason(N_("looks like plain text"))
