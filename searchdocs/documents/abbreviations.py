"""Abbreviations of Party and state document language, and their expansion at query time.

A query may name a body or a document type in full ("ban bí thư", "nghị quyết") or by its
abbreviation ("BBT", "NQ"); documents use both. ``expansions`` gives, for a query, the other
form of every abbreviation or full name in it, so the search can add them as extra ranked terms.
Matching is accent-insensitive ("QD" is QĐ, "DUK" is ĐUK, "TU" is TƯ when nothing closer exists).

Abbreviations that are also ordinary syllables ("TU"/"tư", "HU", "ĐU"/"đu") expand only when
written in capitals, and never take the place of a full name in the other direction.
"""
from __future__ import annotations

import re
from functools import cache
from itertools import product

from searchdocs.documents.normalize import fold

# Abbreviation (as printed) -> full forms. Types of documents first, then bodies.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    # document types (in symbols: 21-NQ/TW, 294-QĐ/TW, 08-QĐi/TW, 38-HD/BTCTW, 15/2020/NĐ-CP)
    "NQ": ("nghị quyết",),
    "CT": ("chỉ thị",),
    "QĐ": ("quyết định", "quy định"),
    "QĐi": ("quy định",),
    "KL": ("kết luận",),
    "HD": ("hướng dẫn",),
    "TB": ("thông báo",),
    "BC": ("báo cáo",),
    "TTr": ("tờ trình",),
    "KH": ("kế hoạch",),
    "CTr": ("chương trình",),
    "TT": ("thông tri", "thông tư"),
    "CV": ("công văn",),
    "QC": ("quy chế",),
    "BB": ("biên bản",),
    "NĐ": ("nghị định",),
    "TTLT": ("thông tư liên tịch",),
    "NQLT": ("nghị quyết liên tịch",),
    "VBHN": ("văn bản hợp nhất",),
    # Party bodies
    "TW": ("trung ương",),
    "TƯ": ("trung ương",),
    "T.Ư": ("trung ương",),
    "BCH": ("ban chấp hành",),
    "BCHTW": ("ban chấp hành trung ương",),
    "BCT": ("bộ chính trị", "bộ công thương"),
    "BCTW": ("bộ chính trị",),
    "BBT": ("ban bí thư",),
    "UBKT": ("ủy ban kiểm tra",),
    "UBKTTW": ("ủy ban kiểm tra trung ương",),
    "BTC": ("ban tổ chức",),
    "BTCTW": ("ban tổ chức trung ương",),
    "BTG": ("ban tuyên giáo",),
    "BTGTW": ("ban tuyên giáo trung ương",),
    "BTGDVTW": ("ban tuyên giáo và dân vận trung ương",),
    "BDV": ("ban dân vận",),
    "BDVTW": ("ban dân vận trung ương",),
    "BNCTW": ("ban nội chính trung ương",),
    "BKTTW": ("ban kinh tế trung ương",),
    "BĐNTW": ("ban đối ngoại trung ương",),
    "VPTW": ("văn phòng trung ương",),
    "ĐUK": ("đảng ủy khối",),
    "BTV": ("ban thường vụ",),
    "BCĐ": ("ban chỉ đạo",),
    "TU": ("tỉnh ủy", "thành ủy"),
    "HU": ("huyện ủy",),
    "QU": ("quận ủy",),
    "ĐU": ("đảng ủy",),
    "ĐCSVN": ("đảng cộng sản việt nam",),
    "CSVN": ("cộng sản việt nam",),
    "ĐTN": ("đoàn thanh niên",),
    "TNCS": ("thanh niên cộng sản",),
    "MTTQ": ("mặt trận tổ quốc",),
    # state bodies
    "CP": ("chính phủ",),
    "TTg": ("thủ tướng",),
    "QH": ("quốc hội",),
    "UBTVQH": ("ủy ban thường vụ quốc hội",),
    "UBND": ("ủy ban nhân dân",),
    "HĐND": ("hội đồng nhân dân",),
    "XHCN": ("xã hội chủ nghĩa",),
}

# Abbreviations (folded, lower case) that are also ordinary syllables once accents are gone.
WORD_LIKE = {"tu", "hu", "qu", "du"}

_TOKEN = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")
_SYLLABLE = re.compile(r"[^\W_]+")


def key(text: str) -> str:
    """Folded, lower-case, dot-free form: "T.Ư" -> "tu", "QĐi" -> "qdi", "ĐUK" -> "duk"."""
    return fold(text).lower().replace(".", "").replace(" ", "")


def folded_words(text: str) -> tuple[str, ...]:
    return tuple(fold(w).lower() for w in _SYLLABLE.findall(text))


@cache
def _by_exact() -> dict[str, tuple[str, ...]]:
    """Lower-case accented abbreviation -> full forms ("tư" -> trung ương, "tu" -> tỉnh ủy, thành ủy)."""
    table: dict[str, tuple[str, ...]] = {}
    for abbr, full in ABBREVIATIONS.items():
        k = abbr.lower().replace(".", "")
        table[k] = tuple(dict.fromkeys(table.get(k, ()) + full))
    return table


@cache
def _by_folded() -> dict[str, tuple[str, ...]]:
    """Folded abbreviation -> full forms of every abbreviation that folds to it."""
    table: dict[str, tuple[str, ...]] = {}
    for abbr, full in ABBREVIATIONS.items():
        k = key(abbr)
        table[k] = tuple(dict.fromkeys(table.get(k, ()) + full))
    return table


@cache
def _by_full() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded words of a full form -> folded abbreviations (word-like ones left out)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for abbr, fulls in ABBREVIATIONS.items():
        k = key(abbr)
        if k in WORD_LIKE:
            continue
        for full in fulls:
            words = folded_words(full)
            table[words] = tuple(dict.fromkeys(table.get(words, ()) + (k,)))
    return table


def expand(abbreviation: str) -> tuple[str, ...]:
    """Full forms of one abbreviation, accent-insensitively: the accented spelling wins when it is
    in the table ("TƯ" is only trung ương), else every abbreviation that folds the same ("TU")."""
    exact = abbreviation.lower().replace(".", "")
    return _by_exact().get(exact) or _by_folded().get(key(abbreviation), ())


def abbreviate(full: str) -> tuple[str, ...]:
    """Folded abbreviations of a full form: "Ban Bí thư" -> ("bbt",)."""
    return _by_full().get(folded_words(full), ())


def expand_compound(token: str) -> list[str]:
    """Full forms of an abbreviation, including ones made of pieces of the table:
    "BTCTW" -> ["ban tổ chức trung ương"], "UBKTTW" -> ["ủy ban kiểm tra trung ương"]."""
    direct = list(expand(token))
    if direct:
        return direct
    k = key(token)
    original = token.replace(".", "").replace(" ", "")
    if len(original) != len(k):
        original = k
    folded = _by_folded()

    @cache
    def split(start: int) -> list[list[str]]:
        if start == len(k):
            return [[]]
        found: list[list[str]] = []
        for end in range(len(k), start + 1, -1):
            if k[start:end] in folded:
                found += [[original[start:end]] + rest for rest in split(end)]
        return found

    out: list[str] = []
    for pieces in split(0)[:4]:
        for combo in product(*(expand(p) for p in pieces)):
            out.append(" ".join(combo))
    return list(dict.fromkeys(out))


_MIXED = {key(abbr): abbr for abbr in ABBREVIATIONS if not abbr.isupper()}  # QĐi, TTr, CTr, TTg


def _is_caps(token: str) -> bool:
    """Written as an abbreviation is printed: in capitals, or in its own mixed case ("QĐi", "TTg")."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 2:
        return False
    if all(c.isupper() for c in letters):
        return True
    mixed = _MIXED.get(key(token))
    return mixed is not None and fold(mixed) == fold(token).replace(".", "")


def expansions(text: str) -> list[tuple[str, ...]]:
    """Extra terms for a query: the full form of each abbreviation in it and the abbreviation of
    each full form, as tuples of folded syllables ("NQ" -> ("nghi", "quyet"); "ban bí thư" ->
    ("bbt",)). Terms already in the query are not repeated."""
    tokens = _TOKEN.findall(text)
    words = [fold(w).lower() for w in _SYLLABLE.findall(text)]
    out: dict[tuple[str, ...], None] = {}
    for token in tokens:
        k = key(token)
        if len(k) < 2 or k.isdigit() or (k in WORD_LIKE and not _is_caps(token)):
            continue
        if not _is_caps(token) and not token.islower():
            continue  # "Tu", "Hd": a capitalised word, not an abbreviation
        for full in expand(token):
            out[folded_words(full)] = None
    longest = max((len(w) for w in _by_full()), default=0)
    for size in range(2, longest + 1):
        for i in range(len(words) - size + 1):
            for abbr in _by_full().get(tuple(words[i:i + size]), ()):
                out[(abbr,)] = None
    return [terms for terms in out if not _contains(words, terms)]


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))
