"""Vietnamese text normalization shared by extraction (documents) and analysis (queries).

``clean_text`` runs once per document at extraction; ``normalize_word`` and ``fold`` are the
per-token pieces the analyzers use, so that a query and a document always agree on one form.
"""
from __future__ import annotations

import re
import unicodedata

# Combining tone marks (NFD) and the vowel-quality marks that stay with their vowel.
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aăâeêioôơuưy")
_MARKED = set("ăâêôơư")  # vowels with a quality mark: the tone goes on them

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SYLLABLE = re.compile(r"\w+")


def clean_text(text: str) -> str:
    """NFC, Đ for the look-alike Eth, no soft hyphens or zero-width characters, one tone placement."""
    text = _INVISIBLE.sub("", text)  # first, so that a mark after a zero-width space still composes
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    return _SYLLABLE.sub(_normalized_match, text)


_WORDS: dict[str, str] = {}


def _normalized_match(m: re.Match) -> str:
    """``normalize_word`` of a match, cached: a corpus has a few thousand distinct syllables, and
    without the cache tone placement was most of the time spent extracting plain text."""
    word = m.group()
    if word.isascii():
        return word
    placed = _WORDS.get(word)
    if placed is None:
        if len(_WORDS) > 200_000:
            _WORDS.clear()
        placed = _WORDS[word] = normalize_word(word)
    return placed


def _tone_of(word: str) -> tuple[str, str | None]:
    """Split a word into (NFC word without tone mark, the tone mark or None)."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = None
    base = []
    for ch in decomposed:
        if ch in TONES:
            tone = ch
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)), tone


def _tone_position(lower: str) -> int | None:
    """Index of the vowel that carries the tone, by the classic rule (hòa, thủy, ủy; quý, hoàn)."""
    start = 0
    if lower.startswith("qu") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    elif lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    i = start
    while i < len(lower) and lower[i] not in _VOWELS:
        i += 1
    if i == len(lower):
        return None
    j = i
    while j < len(lower) and lower[j] in _VOWELS:
        j += 1
    if any(ch in _VOWELS for ch in lower[j:]):
        return None  # two vowel groups: not one Vietnamese syllable (café, radio)
    cluster = range(i, j)
    marked = [k for k in cluster if lower[k] in _MARKED]
    if marked:
        return marked[-1]  # ươ → ơ; ê, ô, â … carry the tone
    if j < len(lower):  # closed syllable: hoàn, huỳnh, toán
        return j - 1
    if j - i == 3:  # oai, uya, oay: the middle vowel
        return i + 1
    return i  # open: hòa, thủy, mía, của


def normalize_word(word: str) -> str:
    """Put a syllable's tone mark where the classic rule places it; other words pass unchanged."""
    if word.isascii() or len(word) > 7:
        return word
    base, tone = _tone_of(word)
    if tone is None:
        return word
    lower = base.lower()
    if not lower.isalpha() or any(ch not in _VOWELS and not ("a" <= ch <= "z" or ch == "đ") for ch in lower):
        return word
    pos = _tone_position(lower)
    if pos is None:
        return word
    placed = base[:pos] + unicodedata.normalize("NFC", base[pos] + tone) + base[pos + 1 :]
    return placed


_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Remove every diacritic and turn đ into d: the form a user types without accents."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_query(text: str) -> str:
    """What a query goes through before analysis: the same cleaning as document text."""
    return clean_text(text)


def slug(text: str) -> str:
    """Folded, lower-case, hyphen-joined form used for filter terms: "Hướng dẫn" → "huong-dan"."""
    return "-".join(fold(text).lower().replace("/", " ").split())
