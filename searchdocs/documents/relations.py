"""References from one document to others, read from the sentences that cite them by number.

Each document number in a sentence becomes an edge whose kind comes from the wording around it:
"Căn cứ …" (legal basis), "sửa đổi, bổ sung …", "thay thế …", "bãi bỏ …", "hướng dẫn thi hành …"
before the number, "… hết hiệu lực" after it, or a plain mention. A verb that describes a cited
document ("Thông tư số 15/2026/TT-BCT của Bộ trưởng … sửa đổi … Thông tư số 38/2025/TT-BCT",
"Nghị định số 62/2016/NĐ-CP (được sửa đổi bởi …)") is not something this document does, so the
numbers after it are plain mentions.
"""
from __future__ import annotations

import re

from searchdocs.models import Relation
from searchdocs.documents.numbers import DocNumber, find_numbers

MAX_SENTENCE = 300  # characters kept of the sentence an edge was read from

CAN_CU, SUA_DOI, THAY_THE, BAI_BO = "can_cu", "sua_doi", "thay_the", "bai_bo"
HET_HIEU_LUC, HUONG_DAN, THAM_CHIEU = "het_hieu_luc", "huong_dan", "tham_chieu"

# Sentence ends: a full stop before whitespace, or a line break after a colon or semicolon or
# before a bullet, a numbered item or a blank line. Other line breaks are wrapped lines of one
# sentence (PDF text); a semicolon inside a line separates items of one list ("Căn cứ A; B").
_BOUNDARY = re.compile(
    r"(?<=[.!?])\s+|(?<=[:;])[ \t]*\n\s*|\n\s*\n\s*|\n(?=\s*(?:[-–+•*]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ]\)\s"
    r"|Điều \d|Căn cứ|CĂN CỨ))"
)
_BASIS = re.compile(r"[\s\-–+•*]*căn cứ\b", re.I)
# A further basis in the same list, named without repeating "Căn cứ" (and ending with ";" like the others).
_BASIS_ITEM = re.compile(r"[\s\-–+•*]*(?:Luật|Bộ luật|Nghị quyết|Nghị định|Thông tư|Quyết định|Quy định|Hướng dẫn|"
                         r"Chỉ thị|Kết luận)\b")
# Verbs this document performs on the documents named after them (matched on lower-case text).
_BEFORE = [
    (re.compile(r"sửa đổi(?:,?\s*bổ sung)?|bổ sung"), SUA_DOI),
    (re.compile(r"thay thế"), THAY_THE),
    (re.compile(r"bãi bỏ"), BAI_BO),
    (re.compile(r"hướng dẫn (?:việc )?(?:thi hành|thực hiện)|quy định chi tiết"), HUONG_DAN),
]
# Said of the documents named before them: "Nghị định số 68/2017/NĐ-CP … hết hiệu lực".
_AFTER = [(re.compile(r"hết hiệu lực"), HET_HIEU_LUC), (re.compile(r"\b(?:bị|đều) bãi bỏ"), BAI_BO)]
_PASSIVE = re.compile(r"(?:được|bị)\s*$")
_JOINER = re.compile(r"\s*(?:,|và|hoặc)?\s*")  # between chained verbs: "sửa đổi, bổ sung, bãi bỏ"
_CHAINED = re.compile(r"(?:(?:sửa đổi|bổ sung|thay thế|bãi bỏ)\s*(?:,|và|hoặc)?\s*)+$")
# Between a verb and a number: words that make the number a reference, not the verb's object
# ("Bổ sung các biểu mẫu … theo quy định tại Nghị định số 146/2025/NĐ-CP").
_REFERENCE = re.compile(r"\btheo quy định\b|\bthực hiện theo\b|\bcăn cứ\b")
# Between a cited number and a verb: words that make the verb part of that document's description.
_DESCRIPTION = re.compile(r"\bcủa\b|\bngày\b|\(")
# What may precede a verb this document performs: nothing but a bullet or an article heading
# ("Điều 43. Bãi bỏ …"), or a subject naming this document ("Hướng dẫn này thay thế …",
# "Bộ trưởng … ban hành Thông tư quy định chi tiết …").
_OPENING = re.compile(r"[\s\-–+•*]*(?:(?:điều\s+\d+[a-zđ]?|\d+(?:\.\d+)*|[a-zđ])[.:)]\s*)?[\s\-–+•*“\"]*$")
_SELF = re.compile(r"\bnày\b|\bban hành\s+(?:nghị định|thông tư|quyết định|nghị quyết|chỉ thị|luật|quy định)\s*$")


def parse_relations(text: str, own_key: str | None) -> list[Relation]:
    """Edges to every other document cited by number in ``text``, one per (kind, target).

    ``own_key`` (the document's own number key) is skipped. A target cited both with a specific
    kind and as a plain mention keeps only the specific edge(s). Order: first citation first.
    """
    edges: dict[tuple[str, str], Relation] = {}
    basis = False  # inside a list of legal bases: "Căn cứ A;" / "Thông tư số B …;"
    for sentence in _sentences(text):
        basis = bool(_BASIS.match(sentence) or basis and _BASIS_ITEM.match(sentence)
                     and sentence.rstrip().endswith(";"))
        numbers = [n for n in find_numbers(sentence) if n.key != own_key]
        if not numbers:
            continue
        kinds = [[CAN_CU]] * len(numbers) if basis else _kinds(sentence, numbers)
        for number, number_kinds in zip(numbers, kinds):
            for kind in number_kinds:
                if (kind, number.key) not in edges:
                    edges[(kind, number.key)] = Relation(kind, number.key, " ".join(number.raw.split()),
                                                         _excerpt(sentence, number))
    specific = {key for kind, key in edges if kind != THAM_CHIEU}
    return [r for (kind, key), r in edges.items() if kind != THAM_CHIEU or key not in specific]


def _sentences(text: str) -> list[str]:
    return [s for s in _BOUNDARY.split(text) if s and s.strip()]


def _kinds(sentence: str, numbers: list[DocNumber]) -> list[list[str]]:
    """The kinds of edge for each number of a sentence that is not a legal basis: those of the
    nearest verb before it, and of verbs chained to that one ("Sửa đổi, bổ sung, bãi bỏ … số X")."""
    lower = sentence.lower()
    cues = []  # (start, end, kind or None for a verb that describes a cited document)
    for pattern, kind in _BEFORE:
        for m in pattern.finditer(lower):
            cues.append((m.start(), m.end(), None if _describes(lower, m.start(), numbers) else kind))
    cues.sort()
    kinds = []
    for number in numbers:
        before = [cue for cue in cues if cue[0] < number.start]
        if not before:
            kinds.append([next((k for pattern, k in _AFTER if pattern.search(lower, number.end)), THAM_CHIEU)])
            continue
        if not before[-1][2] or _REFERENCE.search(lower, before[-1][0], number.start):
            kinds.append([THAM_CHIEU])
            continue
        chain = [before[-1]]
        for cue in reversed(before[:-1]):
            if not (cue[2] and _JOINER.fullmatch(lower, cue[1], chain[-1][0])):
                break
            chain.append(cue)
        kinds.append(list(dict.fromkeys(cue[2] for cue in reversed(chain))))
    return kinds


def _describes(lower: str, pos: int, numbers: list[DocNumber]) -> bool:
    """Whether the verb at ``pos`` is said of a cited document rather than done by this one:
    passive, inside a cited number's description, or with a subject other than this document."""
    before = lower[:pos]
    if _PASSIVE.search(before[-12:]):
        return True
    previous = [n for n in numbers if n.end <= pos]
    if previous and _DESCRIPTION.search(lower[previous[-1].end:pos]):
        return True
    chained = _CHAINED.search(before)
    before = before[:chained.start()] if chained else before
    return not (_OPENING.match(before) or _SELF.search(before))


def _excerpt(sentence: str, number: DocNumber) -> str:
    """The sentence on one line, cut to MAX_SENTENCE characters around the number if longer."""
    flat = " ".join(sentence.split())
    if len(flat) <= MAX_SENTENCE:
        return flat
    at = flat.find(" ".join(number.raw.split()))
    start = max(0, min(at - MAX_SENTENCE // 2, len(flat) - MAX_SENTENCE))
    piece = flat[start:start + MAX_SENTENCE].strip()
    return ("…" if start else "") + piece + ("…" if start + MAX_SENTENCE < len(flat) else "")
