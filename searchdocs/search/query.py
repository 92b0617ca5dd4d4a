"""Parsing the query language into plain parts an engine turns into its own query.

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
from dataclasses import dataclass, field

from searchdocs.documents import abbreviations
from collections.abc import Callable

from searchdocs.analysis import fold_token, pairable, syllables
from searchdocs.errors import N_, QuerySyntaxError
from searchdocs.search.filters import Filters
from searchdocs.search.filters import split as split_filters
from searchdocs.documents.normalize import normalize_query
from searchdocs.documents.numbers import find_numbers, typed_numbers

# BM25's length normalization (every engine's) and term-frequency saturation. Whoosh's defaults are B 0.75, K1 1.2;
# the index holds every syllable in two forms (accented and folded) and adjacent pairs, so a
# passage's length and a common word's frequency both run high, and the defaults over-penalise
# long articles and over-reward repeats. Measured with benchmarks/ablation.py on the three sets of
# ../shared/bench, accented and unaccented questions: on index format 2, B 0.6, K1 0.8 gained or held
# on every one over the defaults. On format 4 (short section documents whole, headings), B 0.5,
# K1 0.7 with its own reranker, cross-validated by set (train_reranker.py), gained MRR@10 +0.006 and
# +0.002 on alqac2022, -0.003 and +0.005 on alqac2023-train, +0.018 and +0.007 on drill-dev.
BM25_B = 0.5
BM25_K1 = 0.7
# An accented syllable of the query is its folded term plus its exact form, so an exact match
# outranks one that only matches folded. Its own boost: 1.0 (was 1.5), measured with ablation.py on
# index format 2 with the reranker: accented MRR@10 +0.002 alqac2022, +0.007 alqac2023-train,
# +0.005 drill-dev, unaccented unchanged (the reranker reads exact accents from the text itself).
ACCENT_BOOST = 1.0
FOLDED_BOOST = 1.0  # the folded form of a syllable the query gives with its marks
BIGRAM_BOOST = 1.0
# A passage's heading (``structure.heading``: "Điều 5. Chuyển sinh hoạt đảng", an article's title)
# names its subject; its syllables count again, at this weight, in a field of their own. Measured
# with benchmarks/ablation.py, first stage, accented | unaccented, against no heading field: 0.5
# gains +0.005 | -0.003 on alqac2022, +0.029 | +0.020 on alqac2023-train, +0.004 | +0.007 on
# drill-dev; 0.3 and 0.7 less evenly, 1 and 2 lost on alqac2022 and drill-dev.
HEADING_BOOST = 0.5
COMMON_SHARE = 0.1  # in long queries, terms in more than this share of passages are dropped
LONG_QUERY = 5  # syllables from which a query counts as long
NUMBER_BOOST = 40.0  # the document whose number is in the query comes first
MENTION_BOOST = 4.0  # passages of other documents that cite the number come next
EXPANSION_BOOST = 0.5  # the other form of an abbreviation in the query ("BBT" <-> "ban bí thư")

# Typographic quotes pasted from Word or PDFs delimit phrases like straight ones.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
_ITEM = re.compile(r'(-?)"([^"]*)"|(\S+)')


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
    spans = [(n.start, n.end) for n in numbers]
    for typed in typed_numbers(norm, spans):
        (parsed.number_keys if typed.full else parsed.short_keys).append(typed.key)
        parsed.written.setdefault(typed.key, typed.written)
        spans.append((typed.start, typed.end))
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


Term = tuple[str, str, float]  # (field, term, boost): the ranked terms every engine looks up


def word_terms(words: list[str]) -> list[Term]:
    """The terms of a run of words: each folded, and accented when it differs, in the body; as
    typed in the heading (a heading holds both forms too, but an accented word matches there in
    its exact form only, so heading evidence never lifts a passage that has the word only
    folded); and the folded pairs of pairable neighbours."""
    terms: list[Term] = []
    for w in words:
        f = fold_token(w)
        terms.append(("body", f, FOLDED_BOOST if f != w else 1.0))
        if f != w:
            terms.append(("body", w, ACCENT_BOOST))
    terms.extend(("heading", w, HEADING_BOOST) for w in words)
    for a, b in zip(words, words[1:]):
        fa, fb = fold_token(a), fold_token(b)
        if pairable(fa) and pairable(fb):
            terms.append(("bigrams", f"{fa}_{fb}", BIGRAM_BOOST))
    return terms


def ranked_terms(parsed: ParsedQuery, share: Callable[[str, str], float] | None = None) -> list[Term]:
    """The ranked terms of the query's words and phrases. With ``share(field, term)``, the
    fraction of passages holding a term, a long question drops the syllables found in most
    passages ("của", "và", "các"), in body and heading: they barely change its ranking but
    dominate its cost. Pairs stay, however common: in an index of Party documents "sinh hoạt
    đảng" is in a tenth of the passages and still names the topic."""
    terms = word_terms(parsed.words)
    for group in parsed.phrases:
        for phrase in group:
            terms.extend(word_terms(phrase))
    if share is not None and len(set(parsed.words)) >= LONG_QUERY:
        kept = [t for t in terms if t[0] not in ("body", "heading") or share("body", t[1]) <= COMMON_SHARE]
        terms = kept if any(t[0] == "body" for t in kept) else terms
    return terms
