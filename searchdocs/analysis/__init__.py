"""The Vietnamese analysis chain: a syllable tokenizer and small filters composed with ``|``.

- ``SyllableTokenizer``: word characters as syllables, plus each document number in the text
  ("21 - NQ/TW", "15/2020/NĐ-CP") as one normalized whole token at the position of its first part.
- ``AccentFoldFilter``: the accent-folded form (no marks, đ→d) of every syllable, and, when it
  differs, the accented form at the same position, so that a query typed either way matches and
  phrases work in both.
- ``BigramFilter``: adjacent syllable pairs, folded, for ranking.

Whoosh pickles analyzers into the index, so every piece here is a module-level class with only
plain attributes. No stopwords are removed: "Nhà nước", "số 21" and dates need every syllable.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pickle import dumps

from whoosh.system import pack_uint

from whoosh.analysis import Composable, Filter, LowercaseFilter, Token, Tokenizer

from searchdocs.documents.normalize import fold
from searchdocs.documents.numbers import find_numbers

_SYLLABLE = re.compile(r"\w+")
_FOLD_CACHE: dict[str, str] = {}


def fold_token(text: str) -> str:
    """``fold`` with a cache: a corpus has a few thousand distinct syllables."""
    folded = _FOLD_CACHE.get(text)
    if folded is None:
        if len(_FOLD_CACHE) > 500_000:
            _FOLD_CACHE.clear()
        folded = _FOLD_CACHE[text] = text if text.isascii() else fold(text)
    return folded


class SyllableTokenizer(Tokenizer):
    """Syllables (``\\w+``) with positions, and document-number tokens marked ``number=True``."""

    def __init__(self, numbers: bool = True) -> None:
        self.numbers = numbers

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyllableTokenizer) and other.numbers == self.numbers

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.number = False
            t.pos = start_pos
            t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        numbers = find_numbers(value) if self.numbers and any(c.isdigit() for c in value) else []
        n = 0
        for pos, match in enumerate(_SYLLABLE.finditer(value)):
            while n < len(numbers) and numbers[n].start <= match.start():
                t.text = numbers[n].key
                t.number = True
                t.boost = 1.0
                t.stopped = False
                t.pos = start_pos + pos
                t.startchar, t.endchar = start_char + numbers[n].start, start_char + numbers[n].end
                n += 1
                yield t
            t.text = match.group()
            if keeporiginal:
                t.original = t.text
            t.number = False
            t.boost = 1.0
            t.stopped = False
            t.pos = start_pos + pos
            t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            yield t


class AccentFoldFilter(Filter):
    """Emit the folded syllable, then the accented one at the same position when it differs.

    With ``keep_accented=False`` only the folded form is kept (query side of an unaccented word).
    """

    def __init__(self, keep_accented: bool = True) -> None:
        self.keep_accented = keep_accented

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccentFoldFilter) and other.keep_accented == self.keep_accented

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            accented = t.text
            folded = fold_token(accented)
            t.text = folded
            yield t
            if self.keep_accented and folded != accented:
                t.text = accented
                yield t


MAX_PAIRED = 10  # characters: a longer token is no Vietnamese syllable (a code, a long number)
MAX_PAIRED_DIGITS = 4  # an all-digit token pairs up to a year ("năm 2025"), not an account number


def pairable(token: str) -> bool:
    """Whether a syllable takes part in pairs. Tables of long codes made half the pairs of the
    bulk corpus (each unique, each a term of ~120 bytes) and no question asks for them."""
    return len(token) <= MAX_PAIRED and (len(token) <= MAX_PAIRED_DIGITS or not token.isdigit())


class BigramFilter(Filter):
    """Adjacent syllable pairs, folded, joined by "_", for ranking; tokens that are not
    ``pairable`` break the chain.

    Only the folded pair: measured with benchmarks/ablation.py, accented pairs added at most
    0.01 MRR@10 to accented questions, and cost a quarter of the index; the reranker's
    ``bm25_exact`` reads accents from the candidates' text instead. Number tokens are skipped:
    they are whole terms already.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigramFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        prev: str | None = None
        for t in tokens:
            if getattr(t, "number", False):
                continue
            current = fold_token(t.text)
            if prev is not None and pairable(prev) and pairable(current):
                t.text = f"{prev}_{current}"
                yield t
            prev = current


def body_analyzer() -> Composable:
    """Index-time analyzer of passage text: syllables and numbers, folded and accented."""
    return SyllableTokenizer() | LowercaseFilter() | AccentFoldFilter()


def heading_analyzer() -> Composable:
    """Index-time analyzer of a passage's heading: syllables, folded and accented, no numbers
    (a heading's number is matched through the body's number tokens and ``docnum``)."""
    return SyllableTokenizer(numbers=False) | LowercaseFilter() | AccentFoldFilter()


def bigram_analyzer() -> Composable:
    """Index-time analyzer of the bigram field."""
    return SyllableTokenizer(numbers=False) | LowercaseFilter() | BigramFilter()


# --- the same chains, computed directly -----------------------------------------------------------
# Whoosh runs an analyzer as a chain of generators passing one Token object along, which costs
# microseconds per token; indexing the bulk corpus spends seconds per megabyte there. These two
# functions compute exactly what ``body_analyzer()`` and ``bigram_analyzer()`` give Whoosh's
# Positions and Frequency formats -- (term bytes, frequency, weight, encoded value) per distinct
# term -- in one loop. The field types in ``schema.py`` call them; tests hold them equal to the chains.

Posting = tuple[bytes, int, float, bytes]
FORMS: dict[str, tuple[str, str]] = {}


def forms_of(token: str) -> tuple[str, str]:
    """(lower-cased, folded) forms of a token, cached."""
    forms = FORMS.get(token)
    if forms is None:
        if len(FORMS) > 500_000:
            FORMS.clear()
        lower = token.lower()
        forms = FORMS[token] = (lower, fold_token(lower))
    return forms


def _positions_value(positions: list[int]) -> bytes:
    """Whoosh's ``Positions.encode``: the count, then the pickled deltas."""
    if len(positions) == 1:  # most terms of a passage: kept once made
        value = _SINGLE.get(positions[0])
        if value is None:
            value = _SINGLE[positions[0]] = pack_uint(1) + dumps(positions, 2)
        return value
    deltas, base = [], 0
    for pos in positions:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + dumps(deltas, 2)


_SINGLE: dict[int, bytes] = {}


def body_postings(text: str) -> list[Posting]:
    """What ``body_analyzer()`` under a Positions format indexes for ``text``."""
    poses: defaultdict[str, list[int]] = defaultdict(list)
    numbers = find_numbers(text)
    if numbers:
        tokens: list[tuple[int, str]] = []
        n = 0
        for pos, match in enumerate(_SYLLABLE.finditer(text)):
            while n < len(numbers) and numbers[n].start <= match.start():
                tokens.append((pos, numbers[n].key))
                n += 1
            tokens.append((pos, match.group()))
    else:
        tokens = list(enumerate(_SYLLABLE.findall(text)))
    forms = FORMS
    for pos, token in tokens:
        lower, folded = forms.get(token) or forms_of(token)
        poses[folded].append(pos)
        if lower != folded:
            poses[lower].append(pos)
    return [(term.encode("utf-8"), len(p), float(len(p)), _positions_value(p)) for term, p in poses.items()]


def bigram_postings(text: str) -> list[Posting]:
    """What ``bigram_analyzer()`` under a Frequency format indexes for ``text``."""
    freqs: dict[str, int] = {}
    prev: str | None = None
    forms = FORMS
    for token in _SYLLABLE.findall(text):
        current = (forms.get(token) or forms_of(token))[1]
        if prev is not None and pairable(prev) and pairable(current):
            pair = f"{prev}_{current}"
            freqs[pair] = freqs.get(pair, 0) + 1
        prev = current
    return [(term.encode("utf-8"), f, float(f), _UINTS[f] if f < 256 else pack_uint(f)) for term, f in freqs.items()]


_UINTS = [pack_uint(f) for f in range(256)]


def syllables(text: str) -> list[str]:
    """Lower-cased syllables of ``text`` in order (numbers excluded), as the index sees them."""
    return [m.group().lower() for m in _SYLLABLE.finditer(text)]
