"""Plain text (.txt, .md) and JSONL record feeds."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from searchdocs.errors import N_, ExtractionError, Reason
from searchdocs.models import Extracted, Page

from searchdocs.extract.lines import clean, has_text


def extract_text(path: Path) -> list[Extracted]:
    """One Extracted with one unnumbered Page; ``converted_from`` names a non-UTF-8 encoding used."""
    text, encoding = decode(path.read_bytes())
    return [unpaged(text, converted_from=encoding)]


def unpaged(raw: str, **fields: Any) -> Extracted:
    """An Extracted holding ``raw`` cleaned as one unnumbered Page (formats without pages)."""
    page = Page(number=None, text=clean(raw))
    return Extracted(pages=[page], pages_without_text=int(not has_text(page.text)), **fields)


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode text bytes; return the text and the fallback encoding used (None for UTF-8/UTF-16).

    A UTF-16 byte-order mark wins (Notepad's "Unicode"); otherwise UTF-8 with or without BOM;
    only when that fails cp1258, then latin-1. NUL bytes without a UTF-16 BOM mean binary content.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise ExtractionError(N_("not a text file: invalid UTF-16 at byte {offset}"), offset=exc.start) from exc
    if b"\x00" in data:
        raise ExtractionError(N_("not a text file: binary content (NUL bytes)"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), "cp1258"  # Windows Vietnamese leaves a few bytes undefined
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"  # decodes every byte


def extract_jsonl(path: Path) -> list[Extracted]:
    """One Extracted per valid line ``{"_id" or "id", "title"?, "text"}``; blank lines are ignored.

    A bad line (not UTF-8, not JSON, not an object, no id, text not a string) is skipped, and a
    warning naming its line number goes to the next valid record, or to the last valid record when
    the bad lines come at the end; so nothing is lost silently and good records are never dropped.
    A file with no valid record raises ExtractionError with the first problem.
    """
    records: list[Extracted] = []
    pending: list[str] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = _record(raw)
            except ValueError as exc:
                pending.append(Reason(N_("line {number} skipped: {error}"), number=number, error=str(exc)))
                continue
            record.warnings.extend(pending)
            pending = []
            records.append(record)
    if not records:
        first = pending[0] if pending else Reason(N_("no records"))
        raise ExtractionError(N_("no valid JSONL record ({first})"), first=first)
    records[-1].warnings.extend(pending)
    return records


def _record(raw: bytes) -> Extracted:
    """Parse one JSONL line into an Extracted; ValueError with a short reason when it is invalid."""
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    record_id = obj.get("_id", obj.get("id"))
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int)) or record_id == "":
        raise ValueError('no "_id" or "id"')
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError('no "text" string')
    title = obj.get("title")
    title = (clean(title).strip() or None) if isinstance(title, str) else None
    return unpaged(text, record_id=str(record_id), title=title)
