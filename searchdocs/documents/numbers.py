"""Document numbers ("số và ký hiệu"): finding them in text and giving each one normal form.

Party symbols are ``number-TYPE/ISSUER`` (294-QĐ/TW, 38-HD/BTCTW, 05-CT/ĐUK); state symbols are
``number/year/TYPE-ISSUER`` (15/2020/NĐ-CP) or ``number/TYPE-ISSUER`` (1696/QĐ-UBND). People
write them with spaces, en dashes, lower case, "TƯ" or "T.Ư" for TW, and leading zeros; every
spelling maps to one key so that a number matches however it is typed::

    294-QĐ/TW, Số: 294 - QĐ/TW, 294 – QĐ/TƯ, 0294-qđ/tw   ->  key 294-qd/tw, short_key 294-qd
    15/2020/NĐ-CP, 15/2020/nđ-cp, 15 / 2020 / NĐ-CP        ->  key 15/2020/nd-cp
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from searchdocs.documents.abbreviations import WORD_LIKE
from searchdocs.documents.normalize import fold

_UP = "A-ZĐƯƠÂÊÔĂa-zđươâêôă"
_DASH = r"\s*[-–—]\s*"
# Party: 294-QĐ/TW, 367 - QĐ/TWĐTN-VPĐOÀN, 1836 QĐ/TWĐTN, 08-QĐi/TW, 12-NQ/T.Ư, 294-qđ/tw
_PARTY = re.compile(
    rf"(?<![\w/.])(?P<num>\d{{1,5}})(?P<sep>{_DASH}|\s+)(?P<type>[A-ZĐa-zđ][{_UP}]{{0,4}})\s*/\s*"
    rf"(?P<issuer>T\.\s?Ư|[A-ZĐa-zđ][A-ZĐƯƠÂÊÔĂÀ-Ỹa-zđươâêôă0-9]*(?:-[A-ZĐa-zđ][A-ZĐƯƠÂÊÔĂÀ-Ỹa-zđ0-9]*)*)(?![\w])"
)
# State: 15/2020/NĐ-CP, 24/2018/QH14, 1696/QĐ-UBND, 01/VBHN-VPQH, 597/HC-QLHC, 235/QĐ-TTg,
# 66.19/2026/NQ-CP (numbered sub-series), 24/2026//NQ-CP (a doubled slash seen in a real copy),
# 144/2002/QĐ/BTC (a slash before the issuer, in older documents: read as 144/2002/QĐ-BTC),
# 1178/SNN&PTNT-KH (an ampersand inside a body's abbreviation)
_STATE = re.compile(
    r"(?<![\w/.])(?P<num>\d{1,5}(?:\.\d{1,3})?)\s*/\s*(?:(?P<year>(?:19|20)\d\d)\s*/{1,2}\s*)?"
    r"(?P<type>[A-ZĐa-zđ](?:[A-Za-zĐđ]{0,5}|[A-Za-zĐđ]{1,4}&[A-Za-zĐđ]{1,5})\d{0,2})"
    r"(?:\s*(?P<join>[-/])\s*(?P<issuer>[A-ZĐa-zđ][A-Za-zĐđ0-9&]*(?:-[A-ZĐa-zđ][A-Za-zĐđ0-9&]*)*))?(?![\w&])"
)
# Type abbreviations (folded) that may be typed in lower case without making prose look like a symbol.
_KNOWN_TYPES = {
    "nq", "ct", "qd", "qdi", "kl", "hd", "tb", "bc", "ttr", "kh", "ctr", "tt", "cv", "qc", "bb",
    "nd", "qh", "ubtvqh", "vbhn", "lct", "cd",
}
# Canonical spelling of abbreviations that are not plain capitals (for lower-case input).
_MIXED_CASE = {"qđi": "QĐi", "ttr": "TTr", "ctr": "CTr", "ttg": "TTg"}
_CENTRAL = re.compile(r"T\.?\s?Ư")


@dataclass(frozen=True)
class DocNumber:
    """One document number found in text."""

    raw: str  # as written
    display: str  # canonical form: 294-QĐ/TW, 15/2020/NĐ-CP, 235/QĐ-TTg
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


def _canonical(abbr: str) -> str:
    """An abbreviation as it is printed: typed lower case becomes upper (or its mixed spelling)."""
    if abbr.islower():
        return _MIXED_CASE.get(abbr, abbr.upper())
    return abbr


def _issuer(text: str) -> str:
    """Issuer part without spaces; TƯ and T.Ư (Trung ương) are written TW."""
    compact = _canonical(re.sub(r"\s+", "", text))
    return _CENTRAL.sub("TW", compact.upper() if compact.isupper() else compact)


_DIGIT = re.compile(r"\d")


def _numeral(num: str) -> str:
    """The number without leading zeros, each part of a dotted number alike: 06 -> 6, 66.19 -> 66.19."""
    return ".".join(str(int(part)) for part in num.split("."))


def _plausible(type_abbr: str, issuer: str, year: str | None) -> bool:
    """Whether a lower-case match is a symbol rather than prose such as "5 lần/năm"."""
    if any(c.isupper() for c in type_abbr):
        return True
    return year is not None or (fold(type_abbr) in _KNOWN_TYPES and bool(issuer))


def find_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text``, in order of appearance."""
    if not _DIGIT.search(text):  # every number has digits; most sentences and passages have none
        return []
    found: list[DocNumber] = []
    for m in _STATE.finditer(text):
        year = m.group("year")
        if m.group("issuer") is None and year is None:
            continue  # "5/2020" or "3/TW" alone are dates or ratios, not symbols
        if m.group("join") == "/" and year is None:
            continue  # "3/TT/BTC" without a year: not a state symbol
        if "." in m.group("num") and year is None:
            continue  # "1.5/TT" is not a sub-series number
        raw_type = m.group("type")
        if not _plausible(raw_type, m.group("issuer") or "", year):
            continue
        type_abbr = _canonical(raw_type)
        issuer = _issuer(m.group("issuer") or "")
        tail = type_abbr + (f"-{issuer}" if issuer else "")
        numeral = _numeral(m.group("num"))
        display = "/".join([m.group("num")] + ([year] if year else []) + [tail])
        key = fold("/".join([numeral] + ([year] if year else []) + [tail])).lower()
        found.append(DocNumber(m.group(), display, key, numeral, type_abbr, issuer, year, m.start(), m.end()))
    taken = [(d.start, d.end) for d in found]
    for m in _PARTY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        raw_type = m.group("type")
        if raw_type.islower() and (not m.group("sep").strip() or fold(raw_type) not in _KNOWN_TYPES):
            continue  # lower case only with a dash and a known type: "294-qđ/tw", not "5 lần/năm"
        type_abbr = _canonical(raw_type)
        issuer = _issuer(m.group("issuer"))
        numeral = _numeral(m.group("num"))
        display = f"{m.group('num')}-{type_abbr}/{issuer}"
        key = fold(f"{numeral}-{type_abbr}/{issuer}").lower()
        found.append(DocNumber(m.group(), display, key, numeral, type_abbr, issuer, None, m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


def number_key(text: str) -> str | None:
    """The key of the first document number in ``text`` (any spelling), or None."""
    numbers = find_numbers(text)
    return numbers[0].key if numbers else None


# "Quy định 294", "nghi quyet so 21", "HD 38": a type name or abbreviation, then a number.
_TYPES = {
    "nghi quyet": "nq", "chi thi": "ct", "quy dinh": "qd", "quyet dinh": "qd", "ket luan": "kl",
    "huong dan": "hd", "thong bao": "tb", "nghi dinh": "nd", "thong tu": "tt", "cong van": "cv",
    "ke hoach": "kh", "bao cao": "bc", "to trinh": "ttr", "quy che": "qc", "thong tri": "tt",
    "chuong trinh": "ctr",
}
_ABBRS = {"nq", "ct", "qd", "qdi", "kl", "hd", "tb", "nd", "tt", "cv", "kh", "bc", "ttr", "qc", "ctr"}
# Party issuers that may follow the number: "NQ 21 TW", "Quy định 294/TƯ", "HD 38 BTCTW".
_ISSUERS = ["btctw", "ubkttw", "bchtw", "vptw", "bct", "bbt", "duk", r"t\.u", "tw", "tu", "hu", "qu", "du"]
_TYPED_NUMBER = re.compile(
    r"\b(" + "|".join(sorted(list(_TYPES) + list(_ABBRS), key=len, reverse=True)) + r")\s+(?:so\s+)?(\d{1,5})\b"
    r"(?:\s*[-/]?\s*(" + "|".join(_ISSUERS) + r")\b)?"
)
# "06 hd tw", "38 HD BTCTW", "294 qd tw": the number first, then type and issuer without the slash
# (with the slash, "06-hd/tw", it is a symbol ``find_numbers`` reads). The issuer is required:
# "5 kh" alone is more likely prose than a symbol.
_NUMBER_TYPED = re.compile(
    r"\b(\d{1,5})\s*[-–]?\s*(" + "|".join(sorted(_ABBRS, key=len, reverse=True)) + r")\s*[-\s]\s*("
    + "|".join(_ISSUERS) + r")\b"
)


@dataclass(frozen=True)
class TypedNumber:
    """A number given with its type in words or letters: "Quy định 294", "NQ 21 TW", "38 HD BTCTW"."""

    key: str  # "294-qd/tw" when the issuer is named, else "294-qd"
    full: bool  # the issuer is named: the key is a whole number key
    start: int
    end: int
    written: str  # as the text has it


def typed_numbers(text: str, taken: list[tuple[int, int]] = ()) -> list[TypedNumber]:
    """The typed numbers of ``text`` (NFC) outside the ``taken`` spans (the symbols ``find_numbers``
    read), in the order type-then-number, then number-then-type."""
    folded = fold(text).lower()
    spans = list(taken)
    found: list[TypedNumber] = []
    for m in _TYPED_NUMBER.finditer(folded):
        abbr = _TYPES.get(m.group(1), m.group(1))
        issuer = _typed_issuer(text, m, 3)
        key = f"{int(m.group(2))}-{abbr}/{issuer}" if issuer else f"{int(m.group(2))}-{abbr}"
        found.append(TypedNumber(key, bool(issuer), m.start(), m.end(), text[m.start():m.end()]))
        spans.append((m.start(), m.end()))
    for m in _NUMBER_TYPED.finditer(folded):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        issuer = _typed_issuer(text, m, 3)
        if issuer:
            found.append(TypedNumber(f"{int(m.group(1))}-{m.group(2)}/{issuer}", True, m.start(), m.end(),
                                     text[m.start():m.end()]))
            spans.append((m.start(), m.end()))
    return found


def _typed_issuer(norm: str, m: re.Match, group: int) -> str | None:
    """The issuer in group ``group`` of a typed number ("NQ 21 TW" -> "tw"); "TƯ"/"T.Ư" are TW.
    Issuers that are also syllables ("tu" for "từ") count only in capitals."""
    folded = m.group(group)
    if not folded:
        return None
    raw = norm[m.start(group):m.end(group)]
    if "ư" in raw.lower() or folded == "t.u":
        return "tw"
    if folded in WORD_LIKE and not raw.isupper():
        return None
    return folded
