"""Joining letter-spaced PDF text back into syllables: "xã h ộ i", "V iệ t Nam", "N g h ị định".

A PDF that spaces its letters out (tracking, or glyphs placed one by one) comes out of pypdf with
spaces inside words, which then neither match a query nor read well in a snippet. Within a line,
pieces separated by one space are regrouped so that the line has as few words as possible, where
a group of pieces may only be joined when the result is a known Vietnamese syllable
(``syllables.txt``, made by ``tools/make_syllables.py``) and at least one piece is not a syllable
itself, or the group is a toneless syllable and a short one starting with a vowel ("chu ẩn",
"gi ải", "nghi ệm": cut before the vowel). So "t a ở" becomes "ta ở" (not "taở"), "điểm b khoản 2"
stays as it is ("bkhoản" is no syllable), and ordinary text is left alone: two real words rarely
make one syllable, as a syllable has one vowel group and one tone.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from pathlib import Path

MAX_PIECES = 7  # "N g h i ê n g": a syllable has at most seven letters
# The mark of a line worth looking at: a letter standing alone (brackets and punctuation aside), or
# a short piece starting with a vowel after a space ("nghi ệm").
_LONE_LETTER = re.compile(r"(?<![^\s(\[{\"'“‘])[^\W\d_](?![^\s)\]}.,;:!?\"'”’-])"
                          r"|(?<= )[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
                          r"[^\W\d_]{0,2}(?![^\W\d_])", re.I)
_PIECE = re.compile(r"^(?P<lead>[(\[{\"'“‘]*)(?P<core>[^\W\d_]+)(?P<tail>.*)$", re.S)
_GAP = re.compile(r"( +)")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot below
_VOWEL = re.compile(r"[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


@functools.lru_cache(maxsize=1)
def syllables() -> dict[str, float]:
    """The known syllables (lower case, two letters or more), each with the log of its count."""
    path = Path(__file__).with_name("syllables.txt")
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {word: math.log(int(count)) for word, count in rows}


def join_letter_spacing(text: str) -> str:
    """``text`` with letter-spaced words joined; lines and their other spacing are kept."""
    if not _LONE_LETTER.search(text):
        return text
    return "\n".join(_join_line(line) if _LONE_LETTER.search(line) else line for line in text.split("\n"))


def _join_line(line: str) -> str:
    parts = _GAP.split(line)  # pieces at even places, the spaces between them at odd places
    out: list[str] = []
    start = 0
    for i in range(1, len(parts) + 1, 2):  # runs of pieces separated by one space
        if i == len(parts) or parts[i] != " ":
            out.append(" ".join(_regroup(parts[start:i + 1:2])))
            if i < len(parts):
                out.append(parts[i])
            start = i + 1
    return "".join(out)


def _regroup(pieces: list[str]) -> list[str]:
    """The best words the pieces can form: fewest that are no syllable, then fewest in all, then
    the most frequent ("số c òn" is "số còn", not "sốc òn"; "ma t úy" is "ma túy", not "mat úy")."""
    if len(pieces) < 2:
        return pieces
    known = syllables()
    n = len(pieces)
    # best[end]: the cost of the pieces before ``end`` (non-syllables, words, -log frequency), and
    # where the last word starts
    best: list[tuple[tuple[int, int, float], int]] = [((0, 0, 0.0), 0)]
    for end in range(1, n + 1):
        candidates = []
        for begin in range(max(0, end - MAX_PIECES), end):
            if begin < end - 1 and not _joinable(pieces[begin:end], known):
                continue
            word = _core("".join(pieces[begin:end])).lower()
            (odd, words, weight), _ = best[begin]
            candidates.append(((odd + (word not in known), words + 1, weight - known.get(word, 0.0)), begin))
        best.append(min(candidates))
    words: list[str] = []
    end = n
    while end:
        begin = best[end][1]
        words.append("".join(pieces[begin:end]))
        end = begin
    return words[::-1]


def _core(piece: str) -> str:
    m = _PIECE.match(piece)
    return m["core"] if m else piece


def _joinable(group: list[str], known: frozenset[str]) -> bool:
    """Whether pieces make one syllable: letters only inside (an opening bracket may lead, punctuation
    or a hyphenated rest may trail), in one case pattern, some piece not a syllable itself."""
    cores = []
    for k, piece in enumerate(group):
        m = _PIECE.match(piece)
        if m is None or (k and m["lead"]) or (k < len(group) - 1 and m["tail"]):
            return False
        cores.append(m["core"])
    word = "".join(cores)
    if word.lower() not in known or word not in (word.lower(), word.upper(), word.capitalize()):
        return False
    if all(len(c) == 1 and c.isupper() for c in cores) and len(cores) < 3:
        return False  # "X Y" (coordinates), "A B": capitals alone; "Đ Ả N G" is long enough to be a word
    if all(c.lower() in known for c in cores):  # two syllables: only a syllable cut before its vowel
        first, second = cores if len(cores) == 2 else ("", "")
        return bool(first) and not _toned(first) and _VOWEL.match(second) is not None and len(second) <= 3
    return True


def _toned(word: str) -> bool:
    return any(ch in _TONES for ch in unicodedata.normalize("NFD", word))
