"""What a hit shows of its passage: the snippet densest in query words, and highlight spans, on
folded syllables so that an unaccented query highlights the accented original; and a document's
section by its label."""
from __future__ import annotations

import functools
import re

from searchdocs.analysis import fold_token
from searchdocs.search.query import parse

SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    """A word as snippets match it (folded, lower-case); the words of passages repeat a lot."""
    return fold_token(word.lower())


def snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` densest in query terms, and the spans of matched words inside it.

    Matching is on folded syllables, so an unaccented query highlights the accented original.
    """
    matches = [(m.start(), m.end()) for m in _WORD.finditer(text) if _folded(m.group()) in terms]
    flat = " ".join(text.split())
    if not matches:
        cut = flat[:width]
        return (cut + "…" if len(flat) > width else cut), []
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(matches):
        while matches[j][0] < start - width:
            j += 1
        if i - j + 1 > best_count:
            best, best_count = j, i - j + 1
    start = max(0, matches[best][0] - 40)
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    end = min(len(text), start + width)
    while end < len(text) and text[end].isalnum():
        end += 1
    window = text[start:end]
    # Collapse whitespace while keeping highlight offsets right.
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos_map: dict[int, int] = {}
    prev_space = False
    for k, ch in enumerate(window):
        pos_map[k] = len(out)
        if ch.isspace():
            if not prev_space and out:
                out.append(" ")
            prev_space = True
        else:
            out.append(ch)
            prev_space = False
    pos_map[len(window)] = len(out)
    for s, e in matches:
        if s >= start and e <= end:
            spans.append((pos_map[s - start], pos_map[e - start]))
    result = "".join(out).strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - (len("".join(out)) - len("".join(out).lstrip()))
    spans = [(s + shift, e + shift) for s, e in spans]
    return prefix + result + suffix, spans


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of ``text``'s words that a query's words or phrases match, on folded syllables
    (as ``snippet`` does): "dang vien" highlights "đảng viên" and "Đảng viên"."""
    terms = parse(query).highlight_terms()
    return [(m.start(), m.end()) for m in _WORD.finditer(text) if _folded(m.group()) in terms]


def select_section(passages: list[dict], label: str) -> list[dict]:
    """Passages of a section by its label, accent- and case-insensitively, children included.

    "Điều 4" selects the passage labelled "Điều 4" (and "Điều 4 (tiếp)"); "1.2" selects 1.2 and
    1.2.x; a label that names an article inside a section ("2 (Điều 3)") matches "Điều 3" too.
    """
    want = " ".join(fold_token(label.lower()).split()).rstrip(".")
    chosen = []
    for p in passages:
        have = " ".join(fold_token((p["section"] or "").lower()).split())
        inner = re.findall(r"\((dieu \d+)", have)
        if (have == want or have.startswith(want + " ") or have.startswith(want + ".")
                or want in inner):
            chosen.append(p)
    return chosen
