"""Parsing the query language into plain parts, then into a Whoosh query.

Syntax: words (ranked, not all required), ``"exact phrase"`` (required), ``-word`` and
``-"phrase"`` (excluded), ``OR`` between phrases (either is enough). A document number anywhere
("294-QĐ/TW", "21 - nq/tw", "Quy định 294", "NQ 21 TW") puts that document first. Filters
(``loai:huong-dan nam:2025``) are taken out by ``filters.split``; abbreviations and full names
("BBT" / "ban bí thư") add each other as extra ranked terms (``abbreviations.expansions``). The
text goes through the same normalization as documents, so tone-mark style and NFD input do not
change the result.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq

from searchdocs.analysis import abbreviations
from searchdocs.analysis import fold_token, pairable, syllables
from searchdocs.errors import N_, QuerySyntaxError
from searchdocs.search.filters import Filters
from searchdocs.search.filters import split as split_filters
from searchdocs.documents.normalize import fold, normalize_query
from searchdocs.documents.numbers import find_numbers

ACCENT_BOOST = 1.5  # an exact accented syllable outranks one that only matches folded
FOLDED_BOOST = 1.0  # the folded form of a syllable the query gives with its marks
BIGRAM_BOOST = 1.0
COMMON_SHARE = 0.1  # in long queries, terms in more than this share of passages are dropped
LONG_QUERY = 5  # syllables from which a query counts as long
NUMBER_BOOST = 40.0  # the document whose number is in the query comes first
MENTION_BOOST = 4.0  # passages of other documents that cite the number come next
EXPANSION_BOOST = 0.5  # the other form of an abbreviation in the query ("BBT" <-> "ban bí thư")

# Typographic quotes pasted from Word or PDFs delimit phrases like straight ones.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
_ITEM = re.compile(r'(-?)"([^"]*)"|(\S+)')
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


@dataclass
class ParsedQuery:
    text: str  # normalized query text
    words: list[str] = field(default_factory=list)  # lower-case syllables, ranked
    phrases: list[list[list[str]]] = field(default_factory=list)  # required groups of OR-ed phrases
    excluded: list[list[str]] = field(default_factory=list)  # excluded words/phrases
    number_keys: list[str] = field(default_factory=list)  # full keys: 294-qd/tw
    short_keys: list[str] = field(default_factory=list)  # type+number: 294-qd
    written: dict[str, str] = field(default_factory=dict)  # number key -> the number as the query wrote it
    filters: Filters = field(default_factory=Filters)  # loai:, so:, nam:, tu:, den:, coquan:, nguoiky: …
    expansions: list[tuple[str, ...]] = field(default_factory=list)  # folded syllables: ("ban", "bi", "thu")

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.number_keys or self.short_keys)

    def highlight_terms(self) -> set[str]:
        """Folded syllables worth highlighting in snippets."""
        terms = {fold_token(w) for w in self.words}
        for group in self.phrases:
            for phrase in group:
                terms.update(fold_token(w) for w in phrase)
        for expansion in self.expansions:
            terms.update(expansion)
        return terms


def parse(text: str) -> ParsedQuery:
    """Split a query into words, phrases, exclusions and document numbers."""
    cleaned = normalize_query(text).translate(_QUOTES)
    norm = cleaned.strip()
    if norm.count('"') % 2:
        col = cleaned.rfind('"') + 1  # in the query as typed, leading spaces included
        raise QuerySyntaxError(N_('unclosed quote at column {col} of the query: add the closing "'), col=col)
    full = norm
    norm, inline = split_filters(norm)
    parsed = ParsedQuery(full, filters=inline)
    numbers = find_numbers(norm.upper())
    for n in numbers:
        parsed.number_keys.append(n.key)
        parsed.written.setdefault(n.key, n.display)
    folded = fold(norm).lower()
    typed = list(_TYPED_NUMBER.finditer(folded))
    for m in typed:
        abbr = _TYPES.get(m.group(1), m.group(1))
        issuer = _typed_issuer(norm, m, 3)
        key = f"{int(m.group(2))}-{abbr}/{issuer}" if issuer else f"{int(m.group(2))}-{abbr}"
        (parsed.number_keys if issuer else parsed.short_keys).append(key)
        parsed.written.setdefault(key, norm[m.start():m.end()])
    spans = [(n.start, n.end) for n in numbers] + [(m.start(), m.end()) for m in typed]
    for m in _NUMBER_TYPED.finditer(folded):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        issuer = _typed_issuer(norm, m, 3)
        if issuer:
            key = f"{int(m.group(1))}-{m.group(2)}/{issuer}"
            parsed.number_keys.append(key)
            parsed.written.setdefault(key, norm[m.start():m.end()])
            spans.append((m.start(), m.end()))
    kept: list[str] = []  # words and phrases not excluded, as typed (for abbreviations)
    pending_or = False
    for m in _ITEM.finditer(_without_numbers(norm, spans)):
        negative, phrase, word = m.group(1), m.group(2), m.group(3)
        if word == "OR":
            pending_or = bool(parsed.phrases)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            parsed.excluded.append(syllables(word[1:]))
            pending_or = False
            continue
        if phrase is not None:
            tokens = syllables(phrase)
            if not tokens:
                continue
            if negative:
                parsed.excluded.append(tokens)
                pending_or = False
                continue
            kept.append(phrase)
            if pending_or:
                parsed.phrases[-1].append(tokens)
            else:
                parsed.phrases.append([tokens])
            pending_or = False
            continue
        parsed.words.extend(syllables(word))
        kept.append(word)
        pending_or = False
    if spans and not (parsed.words or parsed.phrases):  # only a number: its words rank citing passages
        for m in _ITEM.finditer(norm):
            if m.group(3) and not m.group(3).startswith("-") and m.group(3) != "OR":
                parsed.words.extend(syllables(m.group(3)))
                kept.append(m.group(3))
    parsed.number_keys = list(dict.fromkeys(parsed.number_keys))
    said = {n.short_key for n in numbers}  # 294-qd for 294-QĐ/TW, 15-nd for 15/2020/NĐ-CP
    parsed.short_keys = [k for k in dict.fromkeys(parsed.short_keys) if k not in said]
    if parsed.is_empty:
        if parsed.excluded:
            raise QuerySyntaxError(N_("the query only excludes words: add at least one word to search for"))
        if parsed.filters.is_empty:
            raise QuerySyntaxError(N_("the query is empty: type words, a \"phrase\" or a document number"))
    parsed.expansions = abbreviations.expansions(" ".join(kept))
    return parsed


def _without_numbers(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with document numbers outside quotes blanked: their syllables ("quy", "định", "294")
    are matched through the number itself, and as ranked words they would only pull the passages
    that repeat them (a preamble) above the ones the rest of the query asks for."""
    chars = list(text)
    for start, end in spans:
        if '"' not in text[start:end] and text.count('"', 0, start) % 2 == 0:
            chars[start:end] = " " * (end - start)
    return "".join(chars)


def _typed_issuer(norm: str, m: re.Match, group: int) -> str | None:
    """The issuer in group ``group`` of a typed number ("NQ 21 TW" -> "tw"); "TƯ"/"T.Ư" are TW.
    Issuers that are also syllables ("tu" for "từ") count only in capitals."""
    folded = m.group(group)
    if not folded:
        return None
    raw = norm[m.start(group):m.end(group)]
    if "ư" in raw.lower() or folded == "t.u":
        return "tw"
    if folded in abbreviations.WORD_LIKE and not raw.isupper():
        return None
    return folded


def _word_terms(words: list[str]) -> list[wq.Query]:
    terms: list[wq.Query] = []
    for w in words:
        f = fold_token(w)
        terms.append(wq.Term("body", f, boost=FOLDED_BOOST if f != w else 1.0))
        if f != w:
            terms.append(wq.Term("body", w, boost=ACCENT_BOOST))
    for a, b in zip(words, words[1:]):
        fa, fb = fold_token(a), fold_token(b)
        if pairable(fa) and pairable(fb):
            terms.append(wq.Term("bigrams", f"{fa}_{fb}", boost=BIGRAM_BOOST))
    return terms


class _AndNot(wq.AndNot):
    """``AndNot`` that also excludes the first candidate passage.

    Whoosh's ``AndNotMatcher`` only compares the first ids of both sides: when the excluded side
    starts at an earlier document, the first positive document is kept even if it holds an
    excluded word. Moving the excluded side up to the positive one first avoids that.
    """

    def matcher(self, searcher, context=None):
        from whoosh.matching import AndNotMatcher

        pos = self.a.matcher(searcher, context)
        neg = self.b.matcher(searcher, searcher.boolean_context())
        if pos.is_active() and neg.is_active() and neg.id() < pos.id():
            neg.skip_to(pos.id())
        return AndNotMatcher(pos, neg)


def _phrase(tokens: list[str]) -> wq.Query:
    return wq.Term("body", tokens[0]) if len(tokens) == 1 else wq.Phrase("body", tokens)


def _prune(terms: list[wq.Query], share: Callable[[str, str], float]) -> list[wq.Query]:
    """Drop syllables found in most passages ("của", "và", "các"): they barely change the ranking
    of a long question but dominate its cost. Pairs stay, however common: in an index of Party
    documents "sinh hoạt đảng" is in a tenth of the passages and still names the topic."""
    kept = [t for t in terms if t.fieldname != "body" or share(t.fieldname, t.text) <= COMMON_SHARE]
    return kept if any(t.fieldname == "body" for t in kept) else terms


def _scored_or(terms: list[wq.Query]) -> wq.Or:
    """The ranked disjunction, as Whoosh's array union: a passage's score is its terms' scores
    added in query order. ``scoring.Scorer`` adds them in that order, and Whoosh evaluating this
    query (the reference the ranking tests compare with) does too; its default binary tree of
    unions would add them in another order, and the last bits would differ."""
    union = wq.Or(terms)
    union.matcher_type = wq.Or.ARRAY_MATCHER
    return union


def to_whoosh(parsed: ParsedQuery, share: Callable[[str, str], float] | None = None) -> wq.Query:
    """The Whoosh query for a parsed query (filters are applied separately).

    ``share(field, term)`` is the fraction of passages holding a term; with it, common terms of
    long queries are pruned.
    """
    should: list[wq.Query] = _word_terms(parsed.words)
    for group in parsed.phrases:
        for phrase in group:
            should.extend(_word_terms(phrase))
    if share is not None and len(set(parsed.words)) >= LONG_QUERY:
        should = _prune(should, share)
    for key in parsed.number_keys:
        should.append(wq.Term("docnum", key, boost=NUMBER_BOOST))
        # A citation counts in other documents; in the numbered document itself the number only
        # marks the header, which must not outrank the passage the query's words ask for.
        should.append(_AndNot(wq.Term("body", key, boost=MENTION_BOOST), wq.Term("docnum", key)))
    for key in parsed.short_keys:
        should.append(wq.Term("docnum", key, boost=NUMBER_BOOST))
    for terms in parsed.expansions:
        should.append(wq.Term("body", terms[0], boost=EXPANSION_BOOST) if len(terms) == 1
                      else wq.Phrase("body", list(terms), boost=EXPANSION_BOOST))
    ranked: wq.Query = _scored_or(should) if should else wq.Every()
    if parsed.phrases:
        required = wq.And([wq.Or([_phrase(p) for p in group]) for group in parsed.phrases])
        ranked = wq.AndMaybe(required, ranked)
    if parsed.excluded:
        ranked = _AndNot(ranked, wq.Or([_phrase(t) for t in parsed.excluded]))
    return ranked
