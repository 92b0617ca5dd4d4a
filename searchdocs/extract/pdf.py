"""PDF text, page by page, with pypdf.

pypdf raises many exception types on malformed files (its own, but also KeyError, ValueError,
RecursionError on reference loops or deep nesting, zlib errors…), so everything it raises is turned
into a one-line ExtractionError here; nothing from a hostile PDF escapes as a traceback.
"""
from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError

from searchdocs.errors import N_, ExtractionError, Reason
from searchdocs.documents.legacy import convert_text
from searchdocs.models import Extracted, Page

from searchdocs.extract.failures import describe_error
from searchdocs.extract.lines import clean, has_text
from searchdocs.extract.spacing import join_letter_spacing


def extract_pdf(path: Path) -> list[Extracted]:
    """One Extracted with a Page per PDF page (``number`` 1-based, in file order).

    Pages without a text layer (scans) stay in the list with empty text and are counted in
    ``pages_without_text``; a fully scanned PDF is still returned, so the caller can say so.
    A page that pypdf cannot read becomes an empty page plus a warning; if no page can be read
    the whole file fails. Two-column headers come out as pypdf interleaves them, untouched;
    letter-spaced words are joined (``spacing``).
    """
    try:
        with path.open("rb") as handle:
            reader = PdfReader(handle)
            _unlock(reader)
            pages, warnings, converted_from = _read_pages(reader)
    except (ExtractionError, OSError):
        raise  # our own reasons; reading errors are reported by ``extract``
    except Exception as exc:  # noqa: BLE001 - any parser failure is a property of the file
        raise ExtractionError(N_("damaged PDF: {error}"), error=describe_error(exc)) from exc
    if not pages:
        raise ExtractionError(N_("PDF has no pages"))
    if len(warnings) == len(pages):
        raise ExtractionError(N_("damaged PDF: no page could be read ({first})"), first=warnings[0])
    return [
        Extracted(
            pages=pages,
            pages_without_text=sum(1 for page in pages if not has_text(page.text)),
            warnings=warnings,
            converted_from=converted_from,
        )
    ]


def _unlock(reader: PdfReader) -> None:
    """Open an encrypted PDF with the empty user password, as viewers do; refuse when that fails."""
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except DependencyError as exc:
        raise ExtractionError(N_("encrypted PDF: AES decryption needs the 'cryptography' package")) from exc
    if not opened:
        raise ExtractionError(N_("encrypted PDF: needs a password"))


def _read_pages(reader: PdfReader) -> tuple[list[Page], list[str], str | None]:
    """Clean text of every page, one warning per page whose text could not be extracted, and the
    legacy encoding the text layer was converted from (TCVN3/VNI fonts), if any."""
    pages: list[Page] = []
    warnings: list[str] = []
    converted: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - see the module docstring
            warnings.append(Reason(N_("page {number}: text could not be extracted ({error})"), number=number,
                                   error=describe_error(exc)))
            raw = ""
        raw, encoding = convert_text(raw)
        converted += [encoding] if encoding else []
        pages.append(Page(number=number, text=join_letter_spacing(clean(raw))))
    return pages, warnings, max(set(converted), key=converted.count, default=None)

