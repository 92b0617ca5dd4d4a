"""Document numbers ("số và ký hiệu"): finding them in text and giving each one normal form.

Party symbols are ``number-TYPE/ISSUER`` (294-QĐ/TW, 38-HD/BTCTW, 05-CT/ĐUK); state symbols are
``number/year/TYPE-ISSUER`` (15/2020/NĐ-CP) or ``number/TYPE-ISSUER`` (1696/QĐ-UBND). People
write them with spaces, en dashes, lower case, "TƯ" or "T.Ư" for TW, and leading zeros; every
spelling maps to one key so that a number matches however it is typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import fold

_UP = "A-ZĐƯƠÂÊÔĂa-zđươâêôă"
_DASH = r"\s*[-–—]\s*"
# Party: 294-QĐ/TW, 367 - QĐ/TWĐTN-VPĐOÀN, 1836 QĐ/TWĐTN, 08-QĐi/TW, 12-NQ/T.Ư
_PARTY = re.compile(
    rf"(?<![\w/])(?P<num>\d{{1,5}})(?:{_DASH}|\s+)(?P<type>[A-ZĐ][{_UP}]{{0,4}})\s*/\s*"
    rf"(?P<issuer>T\.\s?Ư|[A-ZĐ][A-ZĐƯƠÂÊÔĂÀ-Ỹ0-9]*(?:-[A-ZĐ][A-ZĐƯƠÂÊÔĂÀ-Ỹ0-9]*)*)(?![\w])"
)
# State: 15/2020/NĐ-CP, 24/2018/QH14, 1696/QĐ-UBND, 01/VBHN-VPQH, 597/HC-QLHC
_STATE = re.compile(
    r"(?<![\w/])(?P<num>\d{1,5})\s*/\s*(?:(?P<year>(?:19|20)\d\d)\s*/\s*)?"
    r"(?P<type>[A-ZĐ][A-Za-zĐđ]{0,5}\d{0,2})(?:\s*-\s*(?P<issuer>[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*))?(?![\w])"
)


@dataclass(frozen=True)
class DocNumber:
    """One document number found in text."""

    raw: str  # as written
    display: str  # canonical upper-case form: 294-QĐ/TW, 15/2020/NĐ-CP
    key: str  # folded lower-case form used as an index term: 294-qd/tw, 15/2020/nd-cp
    numeral: str  # "294" (no leading zeros)
    type_abbr: str  # "QĐ", "NĐ"
    issuer: str  # "TW", "CP"
    year: str | None
    start: int
    end: int

    @property
    def short_key(self) -> str:
        """Number and type only (294-qd), for queries like "Quy định 294"."""
        return f"{self.numeral}-{fold(self.type_abbr).lower()}"


def _issuer(text: str) -> str:
    compact = re.sub(r"\s+", "", text).upper()
    return "TW" if compact in {"TƯ", "T.Ư"} else compact


def find_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text``, in order of appearance."""
    found: list[DocNumber] = []
    for m in _STATE.finditer(text):
        if m.group("issuer") is None and m.group("year") is None:
            continue  # "5/2020" or "3/TW" alone are dates or ratios, not symbols
        numeral = str(int(m.group("num")))
        type_abbr = m.group("type")
        issuer = _issuer(m.group("issuer") or "")
        year = m.group("year")
        parts = [m.group("num")] + ([year] if year else []) + [type_abbr + (f"-{issuer}" if issuer else "")]
        display = "/".join(parts)
        key_parts = [numeral] + ([year] if year else []) + [type_abbr + (f"-{issuer}" if issuer else "")]
        found.append(DocNumber(m.group(), display.upper() if type_abbr.isupper() else display,
                               fold("/".join(key_parts)).lower(), numeral, type_abbr, issuer, year,
                               m.start(), m.end()))
    taken = [(d.start, d.end) for d in found]
    for m in _PARTY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        type_abbr = m.group("type")
        if not any(c.isupper() for c in type_abbr):
            continue
        issuer = _issuer(m.group("issuer"))
        numeral = str(int(m.group("num")))
        display = f"{m.group('num')}-{type_abbr}/{issuer}"
        key = fold(f"{numeral}-{type_abbr}/{issuer}").lower()
        found.append(DocNumber(m.group(), display, key, numeral, type_abbr, issuer, None, m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def number_key(text: str) -> str | None:
    """The key of the first document number in ``text`` (any spelling), or None."""
    numbers = find_numbers(text)
    return numbers[0].key if numbers else None
