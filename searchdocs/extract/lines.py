"""Turning raw extracted text into clean lines, keeping every line break later stages rely on.

Structure splitting looks for markers at line starts ("Điều 5.", "1.2.", "II."), so lines are never
merged; the only change across lines is moving a hyphenated word fragment back to its line.
"""
from __future__ import annotations

import re

from searchdocs.documents.normalize import clean_text

# Line separators of every origin: CRLF/CR files, Unicode line/paragraph separators, form feeds
# pypdf or Word leave between pages, vertical tabs Word uses for soft line breaks, NEL.
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# C0/C1 control characters other than tab and newline carry no text (NULs come out of some PDFs).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# No-break and typographic spaces become plain spaces, so patterns written with " " match.
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_RUNS = re.compile("\n{3,}")
# A soft hyphen ending a line is an explicit hyphenation point: treat it as a visible one.
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n")

# A line ending in a token of letters and a hyphen (opening brackets or quotes may precede it), then
# the next line's first word: its letters, punctuation attached to them, the spaces after it and,
# when nothing else is on that line, its newline.
_BROKEN = re.compile(r"(?<![^\s(\[{\"'“‘])([^\W\d_]+)-\n([^\W\d_]+)(\S*)[ \t]*(\n?)")
# A complete Vietnamese syllable written without diacritics: initial, vowel nucleus, final.
_ASCII_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?",
    re.I,
)


def clean(raw: str) -> str:
    """Clean one page or block: unified line ends, ``clean_text``, no trailing spaces, rejoined words.

    Runs of blank lines (Word's empty spacing paragraphs) shrink to one blank line, and blank lines
    at the start and end go; a blank line still separates what it separated.
    """
    text = _NEWLINES.sub("\n", raw)
    text = _SOFT_HYPHEN_BREAK.sub("-\n", text)
    text = _SPACES.sub(" ", _CONTROLS.sub("", text))
    text = clean_text(text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text).strip("\n")
    return rejoin_broken_words(text)


def has_text(text: str) -> bool:
    """Whether a page holds any letter or digit; whitespace and stray marks do not count as text."""
    return any(ch.isalnum() for ch in text)


def rejoin_broken_words(text: str) -> str:
    """Join a word a typesetter hyphenated across a line break, only where that is certainly right.

    Vietnamese writes each syllable as a separate word and does not hyphenate, so a hyphen at a line
    end is usually part of the text: a number ("294-" / "QĐ/TW"), a loanword compound ("ki-lô-" /
    "gam", "Mác-" / "Lênin"), or a break between two syllables that needs its hyphen or space.
    The fragment is joined without the hyphen only when all of these hold:

    - the token before the hyphen is letters only, and the next line starts with a lowercase letter;
    - both fragments are plain ASCII (any Vietnamese letter or tone mark means a syllable, and
      syllables are never glued together: "quy-" / "định" stays as it is);
    - at least one fragment is not a complete Vietnamese syllable ("regu-" / "lation",
      "Inter-" / "net"), so that "a-" / "xit" keeps its hyphen.

    The joined fragment moves up to the first line; the rest of the second line stays on its own
    line, so the number of lines and every line start that matters are preserved.
    """
    if "-\n" not in text:
        return text
    return _BROKEN.sub(_join, text)


def _join(match: re.Match[str]) -> str:
    left, right, attached, newline = match.groups()
    if not (left.isascii() and right.isascii() and right[0].islower()):
        return match.group(0)
    if _is_syllable(left) and _is_syllable(right):
        return match.group(0)
    at_end = not newline and match.end() == len(match.string)
    return left + right + attached + ("" if at_end else "\n")


def _is_syllable(fragment: str) -> bool:
    return _ASCII_SYLLABLE.fullmatch(fragment) is not None
