"""The Vietnamese analysis chain: a syllable tokenizer and small filters composed with ``|``.

- ``SyllableTokenizer``: word characters as syllables, plus each document number in the text
  ("21 - NQ/TW", "15/2020/NĐ-CP") as one normalized whole token at the position of its first part.
- ``AccentFoldFilter``: the accent-folded form (no marks, đ→d) of every syllable, and, when it
  differs, the accented form at the same position, so that a query typed either way matches and
  phrases work in both.
- ``BigramFilter``: adjacent syllable pairs, folded and accented, for ranking.

Whoosh pickles analyzers into the index, so every piece here is a module-level class with only
plain attributes. No stopwords are removed: "Nhà nước", "số 21" and dates need every syllable.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import Composable, Filter, LowercaseFilter, Token, Tokenizer

from .normalize import fold
from .numbers import find_numbers

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


class BigramFilter(Filter):
    """Adjacent syllable pairs joined by "_": the folded pair, and the accented pair when it differs.

    Number tokens are skipped: they are whole terms already and would only add noise.
    """

    def __init__(self, keep_accented: bool = True) -> None:
        self.keep_accented = keep_accented

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigramFilter) and other.keep_accented == self.keep_accented

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        prev: str | None = None
        for t in tokens:
            if getattr(t, "number", False):
                continue
            current = t.text
            if prev is not None:
                folded = f"{fold_token(prev)}_{fold_token(current)}"
                t.text = folded
                yield t
                if self.keep_accented:
                    accented = f"{prev}_{current}"
                    if accented != folded:
                        t.text = accented
                        yield t
            prev = current


def body_analyzer() -> Composable:
    """Index-time analyzer of passage text: syllables and numbers, folded and accented."""
    return SyllableTokenizer() | LowercaseFilter() | AccentFoldFilter()


def bigram_analyzer() -> Composable:
    """Index-time analyzer of the bigram field."""
    return SyllableTokenizer(numbers=False) | LowercaseFilter() | BigramFilter()


def syllables(text: str) -> list[str]:
    """Lower-cased syllables of ``text`` in order (numbers excluded), as the index sees them."""
    return [m.group().lower() for m in _SYLLABLE.finditer(text)]
