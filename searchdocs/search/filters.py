"""Filters on document metadata: type, issuer, number, dates, year, signer, validity.

They come from command-line options or inline from the query (``loai:huong-dan nam:2025``,
``so:294-QĐ/TW``, ``coquan:"ban bí thư"``; English keys type:, number:, year:, from:, to:,
issuer:, signer:, status:). Keys and values are accent-insensitive. Several values of one key
are alternatives; different keys must all hold.

``split`` takes filters out of a query's text; ``build`` normalizes option values. An engine
selects by its indexed fields for type, number, year and dates, and by the ids ``by_records``
gives for what is decided from stored metadata (issuer names and abbreviations, signer, validity
status, the year of a document known only by its year).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from searchdocs.documents import abbreviations
from searchdocs.errors import N_, QuerySyntaxError
from searchdocs.documents.normalize import fold, normalize_query
from searchdocs.documents.numbers import find_numbers, typed_numbers
from searchdocs.documents.normalize import slug

# Inline keys (folded, hyphens removed) -> filter name.
KEYS = {
    "loai": "type", "type": "type",
    "so": "number", "number": "number", "sohieu": "number",
    "nam": "year", "year": "year",
    "tu": "from", "from": "from", "tungay": "from",
    "den": "to", "to": "to", "denngay": "to",
    "coquan": "issuer", "issuer": "issuer", "noibanhanh": "issuer",
    "nguoiky": "signer", "signer": "signer",
    "hieuluc": "status", "status": "status",
}
# Values of status:/hieuluc: -> in force (True) or not (False).
_STATUS_VALUES = {"con": True, "con-hieu-luc": True, "in-force": True, "yes": True, "true": True,
                  "het": False, "het-hieu-luc": False, "not-in-force": False, "no": False, "false": False}
# key:value or key:"quoted value", standing alone in the query.
_INLINE = re.compile(r'(?<!\S)(?P<key>[^\W\d_][\w-]*):(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s"]+))')


@dataclass
class Filters:
    """What documents may match. Empty lists and None mean no restriction."""

    types: list[str] = field(default_factory=list)  # slugs: "huong-dan"
    issuers: list[str] = field(default_factory=list)  # as typed: "BBT", "ban bí thư"
    numbers: list[str] = field(default_factory=list)  # number keys: "294-qd/tw", "294-qd", "294"
    years: list[str] = field(default_factory=list)  # "2025"
    date_from: str | None = None  # ISO YYYY-MM-DD, inclusive
    date_to: str | None = None
    signers: list[str] = field(default_factory=list)
    in_force: bool | None = None  # True: in force only; False: no longer in force only

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, []) for f in fields(self))

    def merged(self, other: Filters) -> Filters:
        """Both sets of restrictions (lists joined; a bound given twice: the narrower one)."""
        def pick(a, b, narrow):
            return b if a is None else a if b is None else narrow(a, b)

        return Filters(
            types=_unique(self.types + other.types), issuers=_unique(self.issuers + other.issuers),
            numbers=_unique(self.numbers + other.numbers), years=_unique(self.years + other.years),
            date_from=pick(self.date_from, other.date_from, max), date_to=pick(self.date_to, other.date_to, min),
            signers=_unique(self.signers + other.signers),
            in_force=self.in_force if other.in_force is None else other.in_force,
        )

    def parts(self) -> list[Filters]:
        """One Filters for each value given (each type, issuer, number, …, each date bound)."""
        return ([Filters(types=[v]) for v in self.types] + [Filters(issuers=[v]) for v in self.issuers]
                + [Filters(numbers=[v]) for v in self.numbers] + [Filters(years=[v]) for v in self.years]
                + ([Filters(date_from=self.date_from)] if self.date_from else [])
                + ([Filters(date_to=self.date_to)] if self.date_to else [])
                + [Filters(signers=[v]) for v in self.signers]
                + ([Filters(in_force=self.in_force)] if self.in_force is not None else []))

    def describe(self) -> str:
        """The filters in inline syntax, for messages: 'loai:huong-dan nam:2025'."""
        parts = [f"loai:{t}" for t in self.types] + [f"coquan:{_quote(i)}" for i in self.issuers]
        parts += [f"so:{n}" for n in self.numbers] + [f"nam:{y}" for y in self.years]
        parts += [f"tu:{self.date_from}"] if self.date_from else []
        parts += [f"den:{self.date_to}"] if self.date_to else []
        parts += [f"nguoiky:{_quote(s)}" for s in self.signers]
        if self.in_force is not None:
            parts.append("hieuluc:" + ("con" if self.in_force else "het"))
        return " ".join(parts)


def _quote(value: str) -> str:
    return f'"{value}"' if " " in value else value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- building ---------------------------------------------------------------------------------------


def build(*, types: Iterable[str] = (), issuers: Iterable[str] = (), numbers: Iterable[str] = (),
          years: Iterable[str | int] = (), date_from: str | None = None, date_to: str | None = None,
          signers: Iterable[str] = (), in_force: bool | None = None) -> Filters:
    """Filters from option values, normalized and checked; a bad value raises QuerySyntaxError."""
    f = Filters(
        types=_unique([t for value in types for t in type_slugs(value)]),
        issuers=_unique([i.strip() for i in issuers if i.strip()]),
        numbers=_unique([number_term(n) for n in numbers if n.strip()]),
        years=_unique([_year(str(y)) for y in years]),
        date_from=parse_date(date_from, "from") if date_from else None,
        date_to=parse_date(date_to, "to", end=True) if date_to else None,
        signers=_unique([s.strip() for s in signers if s.strip()]),
        in_force=in_force,
    )
    _check_range(f)
    return f


def split(text: str) -> tuple[str, Filters]:
    """The query without its inline filters, and those filters.

    A ``word:value`` whose word is not a filter key raises QuerySyntaxError naming it; a colon
    with nothing after it ("Số: 294") or a URL ("https://…") is left as text.
    """
    found: dict[str, list[str]] = {}

    def take(m: re.Match) -> str:
        raw_key = m.group("key")
        value = m.group("quoted") if m.group("quoted") is not None else m.group("value")
        if value.startswith("/"):
            return m.group()
        name = KEYS.get(fold(raw_key).lower().replace("-", "").replace("_", ""))
        if name is None:
            known = ", ".join(sorted({k for k in KEYS if k.isascii()}))
            raise QuerySyntaxError(N_("unknown filter {key}: in the query; filters are {known}"), key=raw_key, known=known)
        if not value.strip():
            raise QuerySyntaxError(N_("filter {key}: has no value"), key=raw_key)
        found.setdefault(name, []).append(value)
        return " "

    rest = _INLINE.sub(take, normalize_query(text))
    if not found:
        return text, Filters()
    status = [_status(v) for v in found.get("status", [])]
    if len(set(status)) > 1:
        raise QuerySyntaxError(N_("status:/hieuluc: given twice with opposite values"))
    dates_from = [parse_date(v, "tu") for v in found.get("from", [])]
    dates_to = [parse_date(v, "den", end=True) for v in found.get("to", [])]
    f = build(types=found.get("type", []), issuers=found.get("issuer", []), numbers=found.get("number", []),
              years=found.get("year", []), signers=found.get("signer", []),
              date_from=max(dates_from) if dates_from else None, date_to=min(dates_to) if dates_to else None,
              in_force=status[0] if status else None)
    return " ".join(rest.split()), f


def _status(value: str) -> bool:
    s = slug(value)
    if s not in _STATUS_VALUES:
        raise QuerySyntaxError(N_("unknown status {value!r}: use hieuluc:con (in force) or hieuluc:het (not in force)"),
                               value=value)
    return _STATUS_VALUES[s]


def type_slugs(value: str) -> list[str]:
    """"Hướng dẫn", "huong-dan", "HD" -> ["huong-dan"]; "QĐ" -> ["quyet-dinh", "quy-dinh"].

    A value that is no document type at all ("foo") raises QuerySyntaxError listing the types."""
    from searchdocs.documents.metadata import DOC_TYPES

    value = value.strip()
    if not value:
        return []
    full = abbreviations.expand(value) if " " not in value and "-" not in value else ()
    known = {slug(t) for t in DOC_TYPES}
    found = [s for s in ([slug(f) for f in full] if full else [slug(value)]) if s in known]
    if not found:
        raise QuerySyntaxError(N_("unknown document type {value!r}: use one of {types}"), value=value,
                               types=", ".join(sorted(known)))
    return found


def number_term(value: str) -> str:
    """The docnum term for a number in any spelling: "294-QĐ/TW" -> "294-qd/tw", "Quy định 294" ->
    "294-qd", "294" -> "294"."""
    value = normalize_query(value).strip()
    numbers = find_numbers(value.upper())
    if numbers:
        return numbers[0].key
    if re.fullmatch(r"\d{1,5}", value):
        return str(int(value))
    typed = typed_numbers(value)  # "Quy định 294", "NQ 21 TW"
    if typed:
        return next((t.key for t in typed if t.full), typed[0].key)
    raise QuerySyntaxError(N_("{value!r} is not a document number: write it as 294-QĐ/TW, 15/2020/NĐ-CP, "
                              "Quy định 294 or 294"), value=value)


def _year(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"(1[89]|20)\d\d", value):
        raise QuerySyntaxError(N_("bad year {value!r}: use four digits, e.g. nam:2025"), value=value)
    return value


def parse_date(value: str, key: str, end: bool = False) -> str:
    """ISO date from YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY (a month or year means its first day,
    or its last with ``end``)."""
    value = value.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value):
            return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            first = dt.date(int(m[1]), int(m[2]), 1)
            if not end:
                return first.isoformat()
            following = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
            return (following - dt.timedelta(days=1)).isoformat()
        if re.fullmatch(r"\d{4}", value):
            return f"{value}-12-31" if end else f"{value}-01-01"
    except ValueError:
        pass
    raise QuerySyntaxError(N_("bad date {value!r} for {key}: use YYYY-MM-DD (or YYYY-MM, YYYY)"), value=value, key=key)


def _check_range(f: Filters) -> None:
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise QuerySyntaxError(N_("the date range is empty: from {start} is after to {end}"), start=f.date_from,
                               end=f.date_to)


# --- matching on stored metadata ----------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t for t in slug(text).split("-") if t]


def _contiguous(needle: list[str], hay: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def _issuer_forms(value: str) -> list[list[str]]:
    """Token sequences a typed issuer may stand for: itself, and with each abbreviation expanded
    ("BBT" -> ban bi thu; "ban to chuc TW" -> ban to chuc trung uong; "BTCTW" -> ban to chuc trung uong)."""
    options: list[list[list[str]]] = []
    for word in value.replace("-", " ").split():
        alternatives = [_tokens(word)] + [_tokens(full) for full in abbreviations.expand_compound(word)]
        options.append([a for a in alternatives if a])
    forms: list[list[str]] = [[]]
    for alternatives in options:
        forms = [f + a for f in forms for a in alternatives][:64]
    return [f for f in forms if f]


def issuer_matches(value: str, meta: dict) -> bool:
    """Whether a typed issuer names the document's issuer: a part of its name ("ban bi thu",
    "to chuc", "Hà Nội"), an abbreviation of it ("BBT", "BTCTW", "TW" = trung ương), or the issuer
    code of its symbol ("TW" in 06-HD/TW)."""
    issuer = meta.get("issuer")
    code = meta.get("issuer_code")
    if code and abbreviations.key(value) == abbreviations.key(code):
        return True
    if not issuer:
        return False
    have = _tokens(issuer)
    return any(_contiguous(form, have) for form in _issuer_forms(value))


def signer_matches(value: str, meta: dict) -> bool:
    """Whether a typed name is part of the signer's name ("Tô Lâm", "to lam", "lam")."""
    signer = meta.get("signer")
    return bool(signer) and _contiguous(_tokens(value), _tokens(signer))


def document_year(meta: dict) -> str | None:
    """The year of a document: of its date, or of the partial date of a draft."""
    date = meta.get("date") or meta.get("date_partial")
    return date[:4] if date else None


# --- the Whoosh query ---------------------------------------------------------------------------------



def by_records(f: Filters, records: Iterable, in_force: Callable[[str], bool]) -> list[list[str]]:
    """For each filter decided from stored metadata, the ids of the documents it allows; all must
    hold. ``records`` are the index's document records (``doc_id`` and ``meta``); ``in_force(doc_id)``
    says whether a document is in force."""
    records = list(records)
    clauses = []
    if f.issuers:
        clauses.append([r.doc_id for r in records if any(issuer_matches(v, r.meta) for v in f.issuers)])
    if f.signers:
        clauses.append([r.doc_id for r in records if any(signer_matches(v, r.meta) for v in f.signers)])
    if f.in_force is not None:
        clauses.append([r.doc_id for r in records if in_force(r.doc_id) == f.in_force])
    return clauses


def undated_in_years(f: Filters, records: Iterable) -> list[str]:
    """The ids of documents without a full date whose year (from a partial date or the number)
    is one of the filter's years: the ``year`` field holds only full dates' years."""
    return [r.doc_id for r in records if not r.meta.get("date") and document_year(r.meta) in f.years]


__all__ = ["Filters", "KEYS", "build", "split", "by_records", "undated_in_years", "issuer_matches", "signer_matches", "type_slugs",
           "number_term", "parse_date", "document_year"]
