"""Splitting a document into passages at its own structure, the units people cite.

Laws and decrees are cut at articles ("Điều 5"); guidance documents at their numbered sections
("I", "1", "1.2", "1.2.3"), whose numbered lists and clauses stay inside. Markers are only
believed in sequence: "3." after "1.2." is a section, "1." there is a list item, "Điều 12 của Luật"
wrapped to a line start is not an article. Sections are merged or windowed so that a passage
holds roughly 50–400 words (a section document that short is one passage), and the passages
together hold every character of the text. A passage's first line, when short, is its heading,
which the index ranks as a field of its own.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from searchdocs.models import Page, Passage

MIN_WORDS = 50  # a section smaller than this is merged with its neighbours or its parent
MAX_WORDS = 400  # a section larger than this is split into its children, or into windows
WINDOW_WORDS = 250  # size of a window when a section (or a document) has no usable structure
HEADING_WORDS = 30  # a first line longer than this is text, not a heading
CONTINUED = " (tiếp)"  # label suffix of the second and later windows of one section

_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\n]*\n?")
_SENTENCE_END = re.compile(r"[.;:!?…]\s")

_HEAD_TAIL = r"(?P<tail>.*)$"
_PHU_LUC = re.compile(r"\s*(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+|SỐ\s+)?"
                      r"(?P<n>(?:[IVXLC]+|\d{1,2})[a-z]?(?:\.\d{1,2})*|[A-Z]))?\b" + _HEAD_TAIL)
_PHAN = re.compile(r"\s*(?:PHẦN|Phần)\s+(?:(?:THỨ|thứ)\s+(?P<word>\w+)|(?P<n>[IVXLC]+|\d{1,2}))\b" + _HEAD_TAIL)
_CHUONG = re.compile(r"\s*(?:CHƯƠNG|Chương)\s+(?P<n>[IVXLC]+|\d{1,2})\b" + _HEAD_TAIL)
_MUC = re.compile(r"\s*(?:MỤC|Mục)\s+(?P<n>[IVXLC]+|\d{1,2})\b" + _HEAD_TAIL)
_DIEU = re.compile(r"\s*(?:Điều|ĐIỀU)\s+(?P<n>\d{1,3})(?P<suffix>[a-zđ]?)(?P<tail>\s*[.:].*|\s+\S.*|\s*)$")
_ROMAN = re.compile(r"\s*(?P<n>[IVXLC]{1,7})\s*[.\-–]\s*(?P<tail>\S.*)?$")
_LETTER = re.compile(r"\s*(?P<n>[A-H])\s*[.\-–]\s+(?P<tail>\S.*)$")
_DECIMAL = re.compile(r"\s*(?P<n>\d{1,2}(?:\.\d{1,2}){0,4})(?P<p>[.\-–])?\s+(?P<tail>\S.*)$")
# A section heading that names the articles it implements: "2. Điều 3: Về quyền của đảng viên",
# "10.2. (Khoản 2, Điều 21): …", "14. Điều 12 (Khoản 2), Điều 20 (Khoản 2): …".
_ARTICLE_HEAD = re.compile(r"(?:Điều|ĐIỀU|\((?:Khoản|khoản))[^:]{0,120}:")
_ARTICLE_NUMBER = re.compile(r"(?:Điều|ĐIỀU)\s+(\d{1,3}[a-zđ]?)\b")
_ARTICLE_ID = re.compile(r"(\d{1,3})([a-zđ]?)")

_ORDINALS = {"nhất": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
             "bảy": 7, "tám": 8, "chín": 9, "mười": 10}
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

# Nesting levels; a decimal section of depth d sits at _DECIMAL_BASE + d.
_LEVEL = {"phuluc": 0, "phan": 1, "letter": 2, "chuong": 3, "muc": 4, "roman": 5, "dieu": 6}
_DECIMAL_BASE = 5
_WORDED = ("phuluc", "phan", "chuong", "muc")  # label parts written as words: "Chương II"
_WORDED_INITIALS = frozenset("PCM")  # Phụ lục, Phần, Chương, Mục, in any case


@dataclass
class _Text:
    """The document text with the offset of every word, so that counting words is a bisection."""

    text: str
    words: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.words = [m.start() for m in _WORD.finditer(self.text)]

    def count(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.words, end) - bisect.bisect_left(self.words, start)


@dataclass
class _Node:
    """A recognised heading and the section it opens, up to the next heading of its level or above."""

    kind: str
    start: int
    level: int
    part: str  # its own label part: "Điều 5", "II", "1.2", "Chương III"
    article: str | None = None  # "Điều 3" when a section heading names the article it implements
    end: int = 0
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)

    def label(self) -> str:
        """The path a reader cites: "Điều 5", "I.1.2", "Phần II, B.I.1", "1.2 (Điều 1)"."""
        article = self.article_ref()
        return f"{self.path()} ({article})" if article else self.path()

    def chain(self) -> list[_Node]:
        """This node and its ancestors, outermost first."""
        return [*(self.parent.chain() if self.parent else []), self]

    def path(self) -> str:
        """The label without the article a section implements: "Phần II, B.I.1.2", "Điều 5"."""
        if self.kind == "dieu":
            return self.part
        chain = self.chain()
        worded = [n.part for n in chain if n.kind in _WORDED]
        decimal = [n.part for n in chain if n.kind == "decimal"][-1:]
        dotted = ".".join([n.part for n in chain if n.kind in ("letter", "roman")] + decimal)
        return ", ".join(worded + ([dotted] if dotted else []))

    def article_ref(self) -> str | None:
        """The article named by this section's heading or the nearest heading above that names one."""
        return next((n.article for n in reversed(self.chain()) if n.article), None)


def split_passages(pages: list[Page]) -> list[Passage]:
    """Passages of a document in reading order, each labelled and with the page where it starts.

    Text before the first heading is the preamble (label ""); a document without usable structure
    is cut into windows labelled "đoạn 1", "đoạn 2", …. Concatenated, the passages give back the
    document text (pages joined by newlines) up to whitespace.
    """
    text = "\n".join(p.text for p in pages)
    starts = []
    offset = 0
    for p in pages:
        starts.append(offset)
        offset += len(p.text) + 1
    spans = _spans(text)
    passages = []
    for start, end, label in spans:
        chunk = text[start:end]
        if not chunk.strip():
            continue
        first = start + len(chunk) - len(chunk.lstrip())
        page = pages[bisect.bisect_right(starts, first) - 1].number if pages else None
        passages.append(Passage(len(passages), label, page, chunk.strip()))
    return passages


def heading(text: str, label: str = "") -> str:
    """The heading of a passage: its first line when more lines follow and it is short enough
    to be a title ("Điều 5. Chuyển sinh hoạt đảng", "3.2. Về kết nạp đảng viên", "Phạm vi điều
    chỉnh"); "" for a window continuing a section, whose first line is anywhere in the text."""
    if label.endswith(CONTINUED):
        return ""
    first, newline, rest = text.partition("\n")
    return first.strip() if newline and rest.strip() and len(_WORD.findall(first)) <= HEADING_WORDS else ""


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) spans covering ``text`` from 0 to its end without gaps."""
    doc = _Text(text)
    roots = _tree(_markers(text), len(text))
    if not roots:
        windows = _windows(doc, 0, len(text))
        return [(s, e, f"đoạn {i}") for i, (s, e) in enumerate(windows, 1)]
    by_article = any(n.kind == "dieu" for n in _walk(roots))
    if not by_article and doc.count(0, len(text)) <= MAX_WORDS:
        # The document is a small section itself, kept whole like any small section of a
        # section document (``_emit``). Cutting a 220-word article of a law, given without its
        # "Điều" line, at its clauses "1.", "2.", "3." left each clause and the bare heading a
        # passage apart: measured with benchmarks/ablation.py, whole, MRR@10 of the first stage
        # rose +0.010 on alqac2022 and +0.039 on drill-dev (before the heading field).
        return [(0, len(text), "")]
    spans = [(s, e, "") for s, e in _windows(doc, 0, roots[0].start)] if roots[0].start else []
    return spans + _emit_children(doc, roots, by_article)


def _emit(doc: _Text, node: _Node, by_article: bool) -> list[tuple[int, int, str]]:
    """Spans for one section: whole if small, else its introduction and its children's spans."""
    label = node.label()
    small = doc.count(node.start, node.end) <= MAX_WORDS
    if node.kind == "dieu" or not node.children or (small and not by_article):
        return _labelled(doc, node.start, node.end, label)
    first = node.children[0].start
    intro_small = doc.count(node.start, first) < MIN_WORDS
    spans = [] if intro_small else _labelled(doc, node.start, first, label)
    spans += _emit_children(doc, node.children, by_article)
    if intro_small:
        s, e, lab = spans[0]
        spans[0] = (node.start, e, lab)
    return spans


def _emit_children(doc: _Text, children: list[_Node], by_article: bool) -> list[tuple[int, int, str]]:
    """Children in order; in section documents, runs of small siblings share one passage, and a
    run still under MIN_WORDS joins the run before it when the two fit in one passage."""
    spans: list[tuple[int, int, str]] = []
    group: list[_Node] = []
    previous: list[_Node] = []  # the run whose span is spans[-1], if nothing came after it

    def flush() -> None:
        nonlocal previous
        if not group:
            return
        size = doc.count(group[0].start, group[-1].end)
        if previous and size < MIN_WORDS and doc.count(previous[0].start, group[-1].end) <= MAX_WORDS:
            group[:0] = previous
            spans.pop()
        label = group[0].label() if len(group) == 1 else _range_label(group)
        spans.extend(_labelled(doc, group[0].start, group[-1].end, label))
        previous = group[:]
        group.clear()

    for child in children:
        size = doc.count(child.start, child.end)
        if by_article or size > MAX_WORDS:
            flush()
            previous = []
            spans += _emit(doc, child, by_article)
            continue
        if group:
            grouped = doc.count(group[0].start, group[-1].end)
            if grouped >= MIN_WORDS or grouped + size > MAX_WORDS:
                flush()
        group.append(child)
    flush()
    return spans


def _range_label(group: list[_Node]) -> str:
    """Label of sibling sections sharing a passage: "1.2–1.4", "Phần I, II.1–II.3", "13–14 (Điều 12, 20)"."""
    start, end = group[0].path(), group[-1].path()
    shared = start.rpartition(", ")[0]
    if shared and end.startswith(shared + ", "):
        end = end[len(shared) + 2:]
    numbers = {(int(n), suffix) for node in group for n, suffix in _ARTICLE_ID.findall(node.article_ref() or "")}
    label = f"{start}–{end}"
    if not numbers:
        return label
    return f"{label} (Điều {', '.join(f'{n}{suffix}' for n, suffix in sorted(numbers))})"


def _labelled(doc: _Text, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A section as one span, or as windows labelled "X", "X (tiếp)", … when it is too long."""
    windows = _windows(doc, start, end) if doc.count(start, end) > MAX_WORDS else [(start, end)]
    return [(s, e, label if i == 0 or not label else label + CONTINUED) for i, (s, e) in enumerate(windows)]


def _windows(doc: _Text, start: int, end: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of about WINDOW_WORDS (never over MAX_WORDS) words, at line
    ends where possible, without leaving a last piece under MIN_WORDS."""
    cuts = [start]
    words = 0
    left = doc.count(start, end)
    for unit_start, unit_end in _units(doc, start, end):
        size = doc.count(unit_start, unit_end)
        if words and words + size > MAX_WORDS:
            cuts.append(unit_start)
            left -= words
            words = 0
        words += size
        if words >= WINDOW_WORDS and left - words >= MIN_WORDS and unit_end < end:
            cuts.append(unit_end)
            left -= words
            words = 0
    cuts.append(end)
    return list(zip(cuts, cuts[1:]))


def _units(doc: _Text, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of text[start:end]; a line longer than a window is cut after a sentence or a word."""
    units = []
    text = doc.text
    for line in _LINE.finditer(text, start, end):
        if line.start() == line.end():
            break
        # Most lines have nothing to cut. Words are at least a character apart, so a line under
        # twice a window's words in characters is shorter than a window without counting.
        if line.end() - line.start() < 2 * WINDOW_WORDS or doc.count(line.start(), line.end()) < WINDOW_WORDS:
            units.append((line.start(), line.end()))
            continue
        piece, count, stop = line.start(), 0, None
        for w in _WORD.finditer(text, line.start(), line.end()):
            count += 1
            if count >= WINDOW_WORDS:
                cut = stop or w.end()
                units.append((piece, cut))
                piece, count, stop = cut, doc.count(cut, w.end()), None
            elif count >= WINDOW_WORDS // 2 and _SENTENCE_END.match(text, w.end()):
                stop = w.end() + 1
        units.append((piece, line.end()))
    return [(s, e) for s, e in units if s < e]


def _walk(nodes: list[_Node]) -> list[_Node]:
    return [m for n in nodes for m in [n, *_walk(n.children)]]


def _tree(markers: list[_Node], length: int) -> list[_Node]:
    """Nest headings by level; each section ends where the next heading of its level or above starts."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for node in markers:
        while stack and stack[-1].level >= node.level:
            stack.pop().end = node.start
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)
    for node in stack:
        node.end = length
    return roots


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        out.append((m.start(), m.group().rstrip("\n")))
    return out


def _markers(text: str) -> list[_Node]:
    """Headings believed in sequence. Articles win: where there are two or more, they set the cut."""
    lines = _lines(text)
    articles = _articles(lines)
    if len(articles) < 2:
        articles = []
    found = _headings(lines, with_sections=not articles) + articles
    found.sort(key=lambda n: n.start)
    return found if len(found) >= 2 else []


def _articles(lines: list[tuple[int, str]]) -> list[_Node]:
    """"Điều N." lines numbered in sequence from 1 (a gap of one tolerated; 1 again after a part,
    chapter or appendix heading, as in a regulation attached to a decision)."""
    found: list[_Node] = []
    last = 0
    reset = False
    for start, line in lines:
        if _container(line):
            reset = True
            continue
        m = _DIEU.match(line)
        tail = m.group("tail").strip() if m else ""
        if not m or tail and tail[0] not in ".:" and not tail[0].isupper():
            continue  # "Điều 12 của Luật này" wrapped to a line start
        n = int(m.group("n"))
        suffix = m.group("suffix")
        ok = n in (last + 1, last + 2) if found else n == 1
        ok = ok or (n == 1 and reset) or bool(suffix and n == last)
        if ok:
            found.append(_Node("dieu", start, _LEVEL["dieu"], f"Điều {n}{suffix}"))
            last, reset = n, False
    return found


def _container(line: str) -> bool:
    """Whether a line opens a part, chapter or appendix (after which articles may restart at 1)."""
    return _may_be_worded(line) and any(_heading_tail_ok(p.match(line)) for p in (_PHU_LUC, _PHAN, _CHUONG))


def _may_be_worded(line: str) -> bool:
    """Whether a line can be a worded heading at all: each pattern starts with P, C or M after
    spaces. Checked first because most lines are body text and four patterns cost more."""
    return line.lstrip()[:1] in _WORDED_INITIALS


def _heading_tail_ok(m: re.Match[str] | None) -> bool:
    """A worded heading ends its line or goes on with punctuation or a capital: "Chương II. …"."""
    if not m:
        return False
    tail = m.group("tail").strip()
    return not tail or tail[0] in ".:-–" or tail[0].isupper()


@dataclass
class _Sequence:
    """Last accepted number of one kind of heading, and whether a higher heading came since."""

    last: int = 0
    reset: bool = True

    def accepts(self, n: int, gap: int = 1) -> bool:
        """The next number (or one of the next ``gap``), or 1 again after a higher heading."""
        return self.last < n <= self.last + gap or (self.reset and n == 1)

    def take(self, n: int) -> None:
        self.last, self.reset = n, False


def _headings(lines: list[tuple[int, str]], with_sections: bool) -> list[_Node]:
    """Parts, chapters, appendices and, in documents not cut by articles, lettered, Roman and
    decimal sections, each accepted only where its number continues the sequence."""
    found: list[_Node] = []
    seq = {kind: _Sequence() for kind in ("phan", "chuong", "muc", "letter", "roman")}
    path: list[int] = []  # current decimal section, e.g. [1, 2] for 1.2
    decimal_reset = True
    top_last = 0  # last top-level decimal number, for numbering that runs on across Roman sections
    list_item = 0  # last number of a numbered list seen inside a section ("1.", "2." are not sections)

    def lower_than(kind: str) -> None:
        nonlocal decimal_reset
        for other, s in seq.items():
            if _LEVEL[other] > _LEVEL[kind]:
                s.reset = True
        decimal_reset = True

    for start, line in lines:
        node = _worded_heading(line, start, seq)
        if node:
            found.append(node)
            lower_than(node.kind)
            path.clear()
            continue
        if not with_sections:
            continue
        m = _ROMAN.match(line)
        value = _roman(m.group("n")) if m else None
        if value and seq["roman"].accepts(value, gap=2) and _capitalised(m.group("tail")):
            seq["roman"].take(value)
            lower_than("roman")
            path.clear()
            found.append(_Node("roman", start, _LEVEL["roman"], m.group("n")))
            continue
        m = _LETTER.match(line)
        if m and seq["letter"].accepts(ord(m.group("n")) - 64) and m.group("tail")[:2].isupper():
            seq["letter"].take(ord(m.group("n")) - 64)
            lower_than("letter")
            path.clear()
            found.append(_Node("letter", start, _LEVEL["letter"], m.group("n")))
            continue
        m = _DECIMAL.match(line)
        if not m or not _capitalised(m.group("tail")):
            continue
        new = [int(x) for x in m.group("n").split(".")]
        if len(new) == 1 and not m.group("p"):
            continue  # "12 tháng" at a line start is wrapped text, not a section
        if _continues(path, new, decimal_reset, top_last):
            if len(new) == 1 and new[0] == list_item + 1 and path:
                list_item = new[0]  # "2." after a list item "1." continues the list
                continue
            path[:] = new
            decimal_reset = False
            top_last = new[0]
            list_item = 0
            found.append(_Node("decimal", start, _DECIMAL_BASE + len(new), ".".join(map(str, new)),
                               article=_articles_named(m.group("tail"))))
        elif len(new) == 1:
            list_item = new[0]
    return found


def _worded_heading(line: str, start: int, seq: dict[str, _Sequence]) -> _Node | None:
    """A "Phụ lục", "Phần", "Chương" or "Mục" heading, if the line is one and its number fits."""
    if not _may_be_worded(line):
        return None
    m = _PHU_LUC.match(line)
    if _heading_tail_ok(m):
        n = m.group("n")
        return _Node("phuluc", start, _LEVEL["phuluc"], f"Phụ lục {n}" if n else "Phụ lục")
    m = _PHAN.match(line)
    if _heading_tail_ok(m):
        word = m.group("word")
        n = _ORDINALS.get(word.lower()) if word else _number(m.group("n"))
        if n and seq["phan"].accepts(n, gap=2):
            seq["phan"].take(n)
            return _Node("phan", start, _LEVEL["phan"], f"Phần {_to_roman(n)}")
    for kind, pattern, name in (("chuong", _CHUONG, "Chương"), ("muc", _MUC, "Mục")):
        m = pattern.match(line)
        if _heading_tail_ok(m):
            n = _number(m.group("n"))
            if n and (seq[kind].accepts(n, gap=2) or kind == "chuong" and seq[kind].last == 0):
                seq[kind].take(n)
                return _Node(kind, start, _LEVEL[kind], f"{name} {m.group('n')}")
    return None


def _continues(path: list[int], new: list[int], reset: bool, top_last: int) -> bool:
    """Whether decimal number ``new`` follows section ``path``: its first child, a next sibling of
    it or of an ancestor; after a higher heading, 1 or the number after the last top-level one."""
    if not path:
        return len(new) == 1 and (new[0] == 1 or (reset and new[0] == top_last + 1))
    if new == path + [1]:
        return True
    return any(new == path[:k] + [path[k] + 1] for k in range(len(path)))


def _articles_named(tail: str) -> str | None:
    """"Điều 12, 20" from a heading that starts by naming articles, else None."""
    head = _ARTICLE_HEAD.match(tail)
    numbers = _ARTICLE_NUMBER.findall(head.group()) if head else []
    return "Điều " + ", ".join(dict.fromkeys(numbers)) if numbers else None


def _capitalised(tail: str | None) -> bool:
    """Headings start with a capital, a digit, a quote or a bracket; wrapped prose starts lower case."""
    return bool(tail) and not tail[0].islower()


def _number(token: str) -> int | None:
    return int(token) if token.isdigit() else _roman(token)


def _roman(token: str) -> int | None:
    """Value of a well-formed Roman numeral up to 399, else None ("IIII", "VX" are rejected)."""
    total = 0
    values = [_ROMAN_VALUES.get(c) for c in token]
    if None in values:
        return None
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total if _to_roman(total) == token else None


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out
