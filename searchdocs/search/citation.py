"""Vietnamese citations of a passage: "mục 18.5 Hướng dẫn số 06-HD/TW ngày 09/6/2025 của Ban Bí thư".

Built from a passage label (``structure.py``) and the document's metadata (``DocMeta`` as a dict).
Nothing is invented: what the metadata lacks is said in the text ("(chưa rõ số, ngày)") and
listed in ``Citation.missing``. No click, no rich.

Rules, following how the corpus documents cite each other ("theo mục 1, phần III, Hướng dẫn số
12-HD/BTCTW ngày 18/01/2022 của Ban Tổ chức Trung ương") and Nghị định 30/2020/NĐ-CP:

* Location, innermost first, then the document:
  - "Điều 5", "Điều 5 (tiếp)" -> "Điều 5"; a range "Điều 3–Điều 4" -> "Điều 3–4".
  - decimal sections "1.2.3", "3.1–3.2" -> "mục 1.2.3", "mục 3.1–3.2".
  - Roman + decimal "II.4.3.1" -> "mục 4.3.1, phần II"; Roman alone "II" -> "phần II".
  - worded parts keep their words after the dotted part: "Phần II, C.I.2.1" -> "mục C.I.2.1, Phần II"
    (with a "Phần" in the label, Roman numerals and letters stay in the dotted part).
  - "Phụ lục 3", "Chương II" stay as written.
  - "(tiếp)" (a later window of the same section) is dropped; the preamble ("") and windows of a
    document without structure ("đoạn 3") give no location: the citation is of the document.
* An article in parentheses, "2.1 (Điều 3)", is the article *another* document's that the section
  implements (Quy định 294-QĐ/TW section 2 is about Điều 3 of Điều lệ Đảng; it has no Điều 3 of its
  own), so it is not cited as the document's article: it follows the document as
  "(thi hành Điều 3 Điều lệ Đảng)" when the title names Điều lệ Đảng, else "(về Điều 3)".
* Document: type as read ("Quy định", "Hướng dẫn"; "Văn bản" when unknown) + "số NUMBER" +
  "ngày DD/M/YYYY" (day on two digits, month on two digits only for 01 and 02) + "của ISSUER".
  A date whose day is blank (a draft) gives "tháng 8/2025"; whose month is blank "năm 2026".
* Missing parts are said after the type, "(chưa rõ số, ngày)", and listed in ``missing``
  ("type", "number", "date", "issuer"); "day" when only the day is blank.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_CONTINUED = re.compile(r"\s*\(tiếp\)\s*$")
_ARTICLES = re.compile(r"\s*\((Điều [^)]*)\)\s*$")
_DIEU_RANGE = re.compile(r"^Điều (\d+[a-zđ]?)–Điều (\d+[a-zđ]?)$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_LETTER = re.compile(r"^[A-H]$")
_WORDED = re.compile(r"^(Phần|Chương|Mục|Phụ lục)\b")
_MISSING_WORDS = {"type": "loại", "number": "số", "date": "ngày", "day": "ngày", "issuer": "cơ quan ban hành"}


@dataclass
class Citation:
    text: str  # the whole citation
    location: str | None  # "Điều 5", "mục 1.2.3", or None for the whole document
    document: str  # "Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương"
    implements: str | None = None  # "Điều 3" from a label "2.1 (Điều 3)"
    missing: list[str] = field(default_factory=list)  # of "type", "number", "date", "day", "issuer"


def format_date(iso: str | None, partial: str | None = None) -> str | None:
    """"2025-05-26" -> "ngày 26/5/2025"; "2025-02-03" -> "ngày 03/02/2025"; partial "2025-08" -> "tháng 8/2025"."""
    if iso:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
        if m:
            year, month, day = m.group(1), int(m.group(2)), int(m.group(3))
            return f"ngày {day:02d}/{month:02d}/{year}" if month < 3 else f"ngày {day:02d}/{month}/{year}"
    if partial:
        m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", partial)
        if m and m.group(2):
            return f"tháng {int(m.group(2)):02d}/{m.group(1)}" if int(m.group(2)) < 3 else \
                f"tháng {int(m.group(2))}/{m.group(1)}"
        if m:
            return f"năm {m.group(1)}"
    return None


def location(label: str | None) -> tuple[str | None, str | None]:
    """(location, implemented articles) of a passage label; see the module's rules."""
    label = _CONTINUED.sub("", (label or "").strip())
    implements = None
    m = _ARTICLES.search(label)
    if m:
        implements, label = m.group(1), label[:m.start()].strip()
        if "," in implements:
            implements = "các " + implements
    if not label or label.startswith("đoạn"):
        return None, implements
    m = _DIEU_RANGE.match(label)
    if m:
        return f"Điều {m.group(1)}–{m.group(2)}", implements
    if label.startswith("Điều ") or label.startswith("Phụ lục"):
        return label, implements
    parts = [p.strip() for p in label.split(", ")]
    worded = [p for p in parts if _WORDED.match(p)]
    dotted = [p for p in parts if not _WORDED.match(p)]
    out: list[str] = []
    if dotted:
        dot = dotted[-1]
        first, _, rest = dot.partition(".")
        head = first.split("–")[0]
        if "–" in dot:
            out.append(f"mục {dot}")
        elif _ROMAN.match(head) and not any(w.startswith("Phần") for w in worded):
            out.append(f"mục {rest}, phần {first}" if rest else f"phần {first}")
        elif _ROMAN.match(head) or _LETTER.match(head) or re.match(r"\d", head):
            out.append(f"mục {dot}")
        else:
            out.append(dot)
    out.extend(reversed(worded))
    return ", ".join(out), implements


def cite(label: str | None, meta: dict) -> Citation:
    """The citation of the passage labelled ``label`` of the document whose metadata is ``meta``."""
    where, implements = location(label)
    missing: list[str] = []
    doc_type = meta.get("doc_type")
    if not doc_type:
        missing.append("type")
    number = meta.get("number")
    if not number:
        missing.append("number")
    date = format_date(meta.get("date"), meta.get("date_partial"))
    if not meta.get("date"):
        missing.append("day" if date else "date")
    issuer = meta.get("issuer")
    if not issuer:
        missing.append("issuer")
    words: list[str] = [doc_type or "Văn bản"]
    if number:
        words.append(f"số {number}")
    if missing:
        said = [_MISSING_WORDS[m] for m in missing]
        words.append(f"(chưa rõ {', '.join(dict.fromkeys(said))})")
    if date:
        words.append(date)
    if issuer:
        words.append(f"của {issuer}")
    document = " ".join(words)
    text = f"{where} {document}" if where else document
    if implements:
        title = (meta.get("title") or "").lower()
        text += f" (thi hành {implements} Điều lệ Đảng)" if "điều lệ đảng" in title else f" (về {implements})"
    return Citation(text, where, document, implements, missing)


def cite_hits(index, hits) -> list[Citation]:
    """The citation of each hit's passage, from the document records of an open ``search.Index``."""
    out = []
    for hit in hits:
        rec = index.record(hit.doc_id)
        out.append(cite(hit.section, rec.meta if rec else {}))
    return out
