"""RTF text with ``striprtf``, then legacy TCVN3/VNI conversion decided line by line.

Route: ``striprtf`` (pure Python, maintained) turns the RTF into text, decoding ``\\'hh`` escapes in
the document's ANSI code page, so TCVN3 bytes come out as the same Windows-1252 characters Word
gives, and ``\\uN`` escapes as real Unicode. :func:`searchdocs.documents.legacy.convert_text` then decides each
line from its characters. On the 9 legacy RTF files of shared/documents/legacy this gives the
transcripts exactly (CER 0); a parser of our own that tracks ``\\fN`` font runs would add only a
font hint, which the character evidence does not need here.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from searchdocs.errors import N_, ExtractionError
from searchdocs.documents.legacy import convert_text
from searchdocs.models import Extracted, Page

from searchdocs.extract.lines import clean

_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def _code_page(head: bytes) -> str:
    """The ANSI code page the RTF header declares (``\\ansicpg1258``), Windows-1252 by default."""
    match = _CODE_PAGE.search(head)
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            codecs.lookup(name)
        except LookupError:
            return "cp1252"
        return name
    return "cp1252"


def extract_rtf(path: Path) -> list[Extracted]:
    """Extract an RTF file: text converted from TCVN3/VNI where its characters show it, then cleaned."""
    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ExtractionError(N_("not an RTF file: no {\\rtf header"))
    encoding = _code_page(data[:4096])
    try:
        text = rtf_to_text(data.decode(encoding, errors="replace"), encoding=encoding, errors="replace")
    except Exception as exc:  # noqa: BLE001 - any parser failure is a property of the file
        raise ExtractionError(N_("damaged RTF: {error}"),
                              error=f"{type(exc).__name__}: {exc}".splitlines()[0]) from exc
    text, converted_from = convert_text(text)
    return [Extracted(pages=[Page(None, clean(text))], converted_from=converted_from)]
