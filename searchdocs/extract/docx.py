"""DOCX text with python-docx: paragraphs and tables in document order, behind archive guards.

The guards run before python-docx opens the file, because python-docx reads every part fully into
memory: a zip bomb is refused from its directory (declared sizes, which zipfile enforces while
inflating), and XML that declares a DTD or entities is refused outright. python-docx's own parser
already has ``resolve_entities=False`` (checked in tests), so the scan is a second line of defence.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from searchdocs.errors import N_, ExtractionError
from searchdocs.documents.legacy import convert_text
from searchdocs.models import Extracted

from searchdocs.extract.failures import describe_error
from searchdocs.extract.lines import clean
from searchdocs.extract.text import unpaged

_MAX_UNCOMPRESSED = 200_000_000  # bytes; the largest real DOCX in the shared corpus expands to 12 MB
_BIG_MEMBER = 10_000_000  # members above this size must not be compressed more than _MAX_RATIO
_MAX_RATIO = 100  # real Word XML compresses up to ~50:1
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_SCAN_CHUNK = 1 << 16
_LONG_CELL = 3  # a cell with more lines than this is content (a signature block), not a label


def extract_docx(path: Path) -> list[Extracted]:
    """One Extracted with a single unnumbered Page (DOCX has no pages) and the core-properties title.

    The title is only a hint for the metadata parser; it is often empty or stale in real files.
    """
    check_archive(path)
    try:
        document = docx.Document(str(path))
        raw, converted_from = convert_text("\n".join(_block_lines(document.element.body, document)))
        title = document.core_properties.title
    except OSError:
        raise  # reading errors are reported by ``extract``
    except Exception as exc:  # noqa: BLE001 - any parser failure is a property of the file
        raise ExtractionError(N_("damaged DOCX: {error}"), error=describe_error(exc)) from exc
    return [unpaged(raw, title=(clean(title).strip() or None) if title else None, converted_from=converted_from)]


def check_archive(path: Path) -> None:
    """Refuse what is not a DOCX zip, what would expand too much, and XML with DTDs or entities."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        with path.open("rb") as handle:
            damaged = handle.read(2) == b"PK"
        raise ExtractionError(N_("not a DOCX: damaged zip archive") if damaged else N_("not a DOCX: not a zip archive")) from exc
    with archive:
        members = archive.infolist()
        if "word/document.xml" not in {member.filename for member in members}:
            raise ExtractionError(N_("not a DOCX: the zip archive has no word/document.xml"))
        total = sum(member.file_size for member in members)
        if total > _MAX_UNCOMPRESSED:
            raise ExtractionError(N_("DOCX too large when uncompressed ({size} MB)"), size=f"{total / 1e6:.0f}")
        for member in members:
            if member.file_size > _BIG_MEMBER and member.file_size > _MAX_RATIO * member.compress_size:
                raise ExtractionError(
                    N_("DOCX too large when uncompressed ({size} MB in {member}, compressed more than {ratio}:1)"),
                    size=f"{member.file_size / 1e6:.0f}", member=member.filename, ratio=_MAX_RATIO)
        for member in members:
            if member.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, member):
                raise ExtractionError(N_("DOCX contains XML entity declarations (refused)"))


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether an XML part contains ``<!DOCTYPE`` or ``<!ENTITY`` anywhere (Word never writes them).

    NUL bytes are dropped before matching so that UTF-16 encoded parts are caught too.
    """
    try:
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(_SCAN_CHUNK):
                window = tail + chunk.replace(b"\x00", b"")
                if _DTD.search(window):
                    return True
                tail = window[-16:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise ExtractionError(N_("damaged DOCX: {member}: {error}"), member=member.filename, error=describe_error(exc)) from exc
    return False


def _block_lines(container: etree._Element, parent: object) -> Iterator[str]:
    """Lines of the paragraphs and tables directly in ``container`` (body, cell, content control)."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent).text
        elif child.tag == qn("w:tbl"):
            yield from _table_lines(Table(child, parent))
        elif child.tag == qn("w:sdt"):  # a content control wraps ordinary blocks
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_lines(content, parent)


def _table_lines(table: Table) -> Iterator[str]:
    """A table row by row; each merged cell once.

    A row of two or more short cells becomes one line, cells joined by " | ", so header pairs such
    as "Số: 15/2020/NĐ-CP | Hà Nội, ngày …" stay together. A row with a single cell or with a long
    one (recipients and signature blocks are laid out in tables) keeps its lines, cell after cell,
    so that "Nơi nhận:", "Điều 5." or a signer's name still start a line.
    """
    seen: set[etree._Element] = set()  # a merged cell is the same w:tc in every row and column it spans
    for row in table.rows:
        cells: list[list[str]] = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            lines = _cell_lines(cell)
            if lines:
                cells.append(lines)
        if len(cells) > 1 and all(len(lines) <= _LONG_CELL for lines in cells):
            yield " | ".join(" ".join(lines) for lines in cells)
        else:
            for lines in cells:
                yield from lines


def _cell_lines(cell: _Cell) -> list[str]:
    """The non-blank lines of a cell, nested tables included."""
    return [
        line.strip()
        for block in _block_lines(cell._tc, cell)
        for line in block.split("\n")
        if line.strip()
    ]
