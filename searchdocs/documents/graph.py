"""The citation graph of an index: references both ways, validity status, near-identical exports.

Built from the stored metadata of every document record (``facts["meta"]``, whose ``relations``
``relations.py`` read from the text), once per open index. A citation names a document by
number only; numbers restart every committee term, so a citation is linked to an indexed
document with that number unless the date written after the number ("…số 01-HD/TW, ngày
28/9/2021") or the citing document's own date rules it out.

Validity comes from what other indexed documents say: "thay thế X" → X is replaced, "bãi bỏ X"
→ repealed ("bãi bỏ Điều 8, 9 của X": partly repealed), "X hết hiệu lực" → expired, "sửa đổi,
bổ sung X" → amended. A document nothing speaks against counts as in force. An override file
corrects what the text does not say (format in README, ``load_overrides``).

Two documents with the same identity (number, symbol and date: ``metadata.identity``) and
near-identical text are versions of one document (two exports of one PDF) and are shown once.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from searchdocs.errors import N_, DocumentNotFound, SearchdocsError
from searchdocs.models import DocSummary, Reference, References, Status, StatusEvidence, Version
from searchdocs.documents.numbers import find_numbers, number_key, typed_numbers
from searchdocs.documents.relations import BAI_BO, CAN_CU, HET_HIEU_LUC, HUONG_DAN, SUA_DOI, THAM_CHIEU, THAY_THE

KIND_LABELS = {
    CAN_CU: "Căn cứ", SUA_DOI: "Sửa đổi, bổ sung", THAY_THE: "Thay thế", BAI_BO: "Bãi bỏ",
    HUONG_DAN: "Hướng dẫn thi hành", HET_HIEU_LUC: "Hết hiệu lực", THAM_CHIEU: "Tham chiếu",
}
KIND_ORDER = list(KIND_LABELS)

IN_FORCE, AMENDED, PARTLY_REPEALED = "in_force", "amended", "partly_repealed"
REPLACED, REPEALED, EXPIRED = "replaced", "repealed", "expired"
STATUS_LABELS = {
    IN_FORCE: "Còn hiệu lực", AMENDED: "Còn hiệu lực, đã được sửa đổi, bổ sung",
    PARTLY_REPEALED: "Còn hiệu lực, bị bãi bỏ một phần", REPLACED: "Hết hiệu lực: bị thay thế",
    REPEALED: "Hết hiệu lực: bị bãi bỏ", EXPIRED: "Hết hiệu lực",
}
STATUS_IN_FORCE = {IN_FORCE: True, AMENDED: True, PARTLY_REPEALED: True, REPLACED: False, REPEALED: False,
                   EXPIRED: False}
OVERRIDES_FILE = "status-overrides.json"  # in the index directory, used when no other file is given

NEAR_DUPLICATE = 0.9  # weighted Jaccard of syllable counts from which two exports are one document
PASSAGE_RATIO = 0.9  # and the smaller passage count is at least this share of the larger

_DATE_AFTER = re.compile(
    r"^[\s,;:()]*(?:ban hành\s+)?ngày\s*(?P<d>\d{1,2})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]?\s*(?P<y>(?:19|20)\d\d)"
    r"|tháng\s*(?P<m2>\d{1,2})\s*năm\s*(?P<y2>(?:19|20)\d\d))", re.I)
# Words between a verb and its number that make the act cover only part of the document.
_PART = re.compile(r"\b(?:điều|khoản|điểm|chương|mục|phần|một số|phụ lục)\b")
_VERBS = {THAY_THE: re.compile(r"thay thế"), BAI_BO: re.compile(r"bãi bỏ"),
          SUA_DOI: re.compile(r"sửa đổi|bổ sung")}
_SYLLABLE = re.compile(r"\w+")


# --- overrides ----------------------------------------------------------------------------------------


@dataclass
class Override:
    status: str
    note: str | None = None


@dataclass
class Overrides:
    """Statuses set by hand, by doc_id, by identity ("294-qd/tw@2025-05-26") or by number key."""

    by_ref: dict[str, Override] = field(default_factory=dict)
    path: str | None = None

    def lookup(self, doc_id: str | list[str] | None, key: str | None, date: str | None) -> Override | None:
        """The override for a document (any of its versions' ids), its identity or its number."""
        ids = doc_id if isinstance(doc_id, list) else [doc_id]
        for ref in (*ids, f"{key}@{date}" if key and date else None, key):
            if ref and ref in self.by_ref:
                return self.by_ref[ref]
        return None


def load_overrides(path: str | Path | None, required: bool = True) -> Overrides:
    """Read an override file: a JSON object from a document (number in any spelling, optionally
    ``@YYYY-MM-DD``, or a doc_id) to a status code or ``{"status": code, "note": text}``.

    A missing file is an error when ``required``, else no overrides.
    """
    if path is None:
        return Overrides()
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise SearchdocsError(N_("status override file {path} not found"), path=path) from None
        return Overrides()
    except (OSError, ValueError) as e:
        raise SearchdocsError(N_("cannot read status override file {path}: {reason}"), path=path, reason=e) from e
    if not isinstance(data, dict):
        raise SearchdocsError(N_("{path}: expected a JSON object from document number to status"), path=path)
    out = Overrides(path=str(path))
    codes = ", ".join(STATUS_LABELS)
    for ref, value in data.items():
        if ref.startswith("_"):
            continue  # "_comment" and the like
        entry = {"status": value} if isinstance(value, str) else value
        if not isinstance(entry, dict) or entry.get("status") not in STATUS_LABELS:
            raise SearchdocsError(N_("{path}: status of {ref!r} must be one of {codes}"), path=path, ref=ref, codes=codes)
        note = entry.get("note")
        out.by_ref[_override_ref(ref)] = Override(entry["status"], str(note) if note is not None else None)
    return out


def _override_ref(ref: str) -> str:
    number, _, date = ref.partition("@")
    key = number_key(number.upper()) or number_key(number)
    if key is None:
        return ref.strip()  # a doc_id
    return f"{key}@{date.strip()}" if date else key


# --- the graph ----------------------------------------------------------------------------------------


@dataclass
class _Node:
    doc_id: str
    path: str
    meta: dict
    passages: int
    key: str | None
    identity: str | None

    def summary(self) -> DocSummary:
        m = self.meta
        return DocSummary(self.doc_id, self.path, m.get("number"), m.get("doc_type"), m.get("title"),
                          m.get("date"), m.get("issuer"))


@dataclass
class _Edge:
    source: str  # doc_id
    kind: str
    key: str
    raw: str
    sentence: str
    targets: list[str]  # doc_ids it was linked to (empty: not in the index)


class Graph:
    """Relations between the documents of one index. ``records`` have ``doc_id``, ``path`` and
    ``facts``; ``texts(doc_id)`` gives a document's passage texts (read only to compare exports).
    ``groups``: the version groups already worked out for these records (``version_groups`` of an
    earlier graph), which spares reading and comparing texts."""

    def __init__(self, records: Iterable, texts: Callable[[str], list[str]] | None = None,
                 overrides: Overrides | None = None, groups: dict[str, str] | None = None) -> None:
        self.overrides = overrides or Overrides()
        self.nodes: dict[str, _Node] = {}
        self._by_key: dict[str, list[str]] = {}
        self._by_short: dict[str, list[str]] = {}  # "294-qd" -> documents numbered 294-QĐ/…
        for r in records:
            meta = r.facts.get("meta") or {}
            numbers = find_numbers(meta["number"]) if meta.get("number") else []
            key = numbers[0].key if numbers else None
            identity = f"{key}@{meta['date']}" if key and meta.get("date") else None
            self.nodes[r.doc_id] = _Node(r.doc_id, r.path, meta, r.facts.get("passages") or 0, key, identity)
            if key:
                self._by_key.setdefault(key, []).append(r.doc_id)
                self._by_short.setdefault(numbers[0].short_key, []).append(r.doc_id)
        if groups is None:
            self._group_versions(texts)
        else:
            self._group = {d: groups.get(d, d) for d in self.nodes}
        self._members: dict[str, list[str]] = {}
        for doc_id, head in self._group.items():
            self._members.setdefault(head, []).append(doc_id)
        self._edges: list[_Edge] = []
        self._incoming: dict[str, list[_Edge]] = {}
        self._incoming_by_key: dict[str, list[_Edge]] = {}
        for node in self.nodes.values():
            for rel in node.meta.get("relations") or []:
                edge = _Edge(node.doc_id, rel["kind"], rel["target"], rel["target_raw"], rel["sentence"], [])
                edge.targets = self._resolve(edge, node)
                self._edges.append(edge)
                self._incoming_by_key.setdefault(edge.key, []).append(edge)
                for t in edge.targets:
                    self._incoming.setdefault(t, []).append(edge)
        self._status: dict[str, Status] = {}

    # -- versions ------------------------------------------------------------------------------------

    def _group_versions(self, texts: Callable[[str], list[str]] | None) -> None:
        self._group: dict[str, str] = {d: d for d in self.nodes}
        by_identity: dict[str, list[_Node]] = {}
        for node in self.nodes.values():
            if node.identity:
                by_identity.setdefault(node.identity, []).append(node)
        bags: dict[str, Counter] = {}

        def of(doc_id: str) -> Counter:
            if doc_id not in bags:
                bags[doc_id] = _words(texts(doc_id) if texts else [])
            return bags[doc_id]

        for nodes in by_identity.values():
            if len(nodes) < 2:
                continue
            nodes.sort(key=lambda n: (-n.passages, n.path))
            for i, node in enumerate(nodes):
                if self._group[node.doc_id] != node.doc_id:
                    continue
                for other in nodes[i + 1:]:
                    if self._group[other.doc_id] != other.doc_id:
                        continue
                    small, large = sorted((node.passages, other.passages))
                    if large and small / large < PASSAGE_RATIO:
                        continue
                    if texts is not None and _similarity(of(node.doc_id), of(other.doc_id)) < NEAR_DUPLICATE:
                        continue
                    self._group[other.doc_id] = node.doc_id

    def version_groups(self) -> dict[str, str]:
        """Each document that is a version of another, with the id standing for the group."""
        return {d: head for d, head in self._group.items() if d != head}

    def group(self, doc_id: str) -> str:
        """The id that stands for all versions of a document (itself when it has no other)."""
        return self._group.get(doc_id, doc_id)

    def versions(self, doc_id: str) -> list[Version]:
        """Every indexed export of the document, itself included, by path."""
        members = self._members.get(self.group(doc_id), [doc_id])
        return sorted((Version(d, self.nodes[d].path) for d in members if d in self.nodes), key=lambda v: v.path)

    # -- linking citations -----------------------------------------------------------------------------

    def _resolve(self, edge: _Edge, source: _Node) -> list[str]:
        candidates = [d for d in self._by_key.get(edge.key, []) if d != source.doc_id
                      and self.group(d) != self.group(source.doc_id)]
        if not candidates:
            return []
        written = _date_after(edge.sentence, edge.raw)
        if written:
            return [d for d in candidates if self.nodes[d].meta.get("date") in (written, None)]
        own = source.meta.get("date")
        if own:
            candidates = [d for d in candidates if (self.nodes[d].meta.get("date") or "") <= own]
        return candidates

    # -- status ----------------------------------------------------------------------------------------

    def status(self, doc_id: str) -> Status:
        """Validity of an indexed document (an override wins over what the relations say)."""
        if doc_id not in self._status:
            node = self.nodes[doc_id]
            members = self._members.get(self.group(doc_id), [doc_id])
            edges = [e for member in members for e in self._incoming.get(member, [])]
            ids = [doc_id] + [m for m in members if m != doc_id]
            self._status[doc_id] = self._status_from(edges, ids, node.key, node.meta.get("date"))
        return self._status[doc_id]

    def in_force(self, doc_id: str) -> bool:
        return self.status(doc_id).in_force

    def _status_from(self, edges: list[_Edge], doc_id: str | list[str] | None, key: str | None,
                     date: str | None) -> Status:
        evidence: list[StatusEvidence] = []
        seen: set[tuple[str, str]] = set()
        for e in edges:
            if e.kind not in (THAY_THE, BAI_BO, HET_HIEU_LUC, SUA_DOI):
                continue
            mark = (self.group(e.source), e.kind)
            if mark in seen:
                continue
            seen.add(mark)
            source = self.nodes[e.source]
            evidence.append(StatusEvidence(e.kind, source.meta.get("number"), source.doc_id, source.path,
                                           e.sentence, _partial(e)))
        whole = {ev.kind for ev in evidence if not ev.partial}
        parts = {ev.kind for ev in evidence if ev.partial}
        if THAY_THE in whole:
            code = REPLACED
        elif BAI_BO in whole:
            code = REPEALED
        elif HET_HIEU_LUC in whole:
            code = EXPIRED
        elif parts & {BAI_BO, HET_HIEU_LUC}:
            code = PARTLY_REPEALED
        elif evidence:
            code = AMENDED
        else:
            code = IN_FORCE
        status = Status(code, STATUS_LABELS[code], STATUS_IN_FORCE[code], evidence)
        override = self.overrides.lookup(doc_id, key, date)
        if override:
            status.code, status.label = override.status, STATUS_LABELS[override.status]
            status.in_force, status.source, status.note = STATUS_IN_FORCE[override.status], "override", override.note
        return status

    # -- references ------------------------------------------------------------------------------------

    def find(self, ref: str) -> str | None:
        """The doc_id of an indexed document by id, path or number (the newest of several)."""
        if ref in self.nodes:
            return ref
        wanted = str(Path(ref).resolve()) if ref else ""
        for node in self.nodes.values():
            if node.path == wanted or node.doc_id.startswith(ref + ":"):
                return node.doc_id
        key = number_key(ref.upper()) or number_key(ref)
        found = self._by_key.get(key or "", [])
        if not found and key is None:  # "Quy định 294", "NQ 21 TW": the query's reading of a typed number
            typed = typed_numbers(ref)
            found = [d for n in typed if n.full for d in self._by_key.get(n.key, [])]
            found = found or [d for n in typed if not n.full for d in self._by_short.get(n.key, [])]
        if not found:
            return None
        return max(found, key=lambda d: (self.nodes[d].meta.get("date") or "", self.nodes[d].passages))

    def references(self, ref: str) -> References:
        """What a document cites and what cites it, by kind; a number that is only cited works too."""
        doc_id = self.find(ref)
        if doc_id is None:
            key = number_key(ref.upper()) or number_key(ref)
            edges = self._incoming_by_key.get(key or "", [])
            if not edges:
                raise DocumentNotFound(N_("no document {ref!r} in the index and none cites it: "
                                          "try `searchdocs search {ref!r}`"), ref=ref)
            written = find_numbers(edges[0].raw)
            number = written[0].display if written else edges[0].raw
            return References(number, key, None, [], [], self._cited_by(edges),
                              self._status_from(edges, None, key, None))
        node = self.nodes[doc_id]
        members = self._members.get(self.group(doc_id), [doc_id])
        outgoing = [e for e in self._edges if e.source in members]
        incoming = [e for m in members for e in self._incoming.get(m, [])]
        return References(node.meta.get("number"), node.key, node.summary(), self.versions(doc_id),
                          self._cites(outgoing), self._cited_by(incoming), self.status(doc_id))

    def _cites(self, edges: list[_Edge]) -> list[Reference]:
        refs: dict[tuple[str, str], Reference] = {}
        for e in edges:
            if (e.kind, e.key) in refs:
                continue
            target = self.nodes[self._pick(e.targets)] if e.targets else None
            refs[(e.kind, e.key)] = Reference(
                e.kind, KIND_LABELS.get(e.kind, e.kind), target.meta.get("number") if target else e.raw, e.key,
                e.sentence, target.summary() if target else None,
                self.versions(target.doc_id) if target else [])
        return sorted(refs.values(), key=lambda r: KIND_ORDER.index(r.kind) if r.kind in KIND_ORDER else 99)

    def _cited_by(self, edges: list[_Edge]) -> list[Reference]:
        refs: dict[tuple[str, str], Reference] = {}
        for e in edges:
            head = self.group(e.source)
            if (e.kind, head) in refs:
                continue
            source = self.nodes[head]
            refs[(e.kind, head)] = Reference(e.kind, KIND_LABELS.get(e.kind, e.kind), source.meta.get("number"),
                                             source.key, e.sentence, source.summary(), self.versions(head))
        return sorted(refs.values(), key=lambda r: (KIND_ORDER.index(r.kind) if r.kind in KIND_ORDER else 99,
                                                    _newest_first(r.document.date if r.document else None),
                                                    r.number or "", r.document.path if r.document else ""))

    def _pick(self, doc_ids: list[str]) -> str:
        return self.group(sorted(doc_ids, key=lambda d: self.nodes[d].path)[0])


def _newest_first(date: str | None) -> str:
    """Sort key putting later dates first and undated last."""
    if not date:
        return "~"
    return "".join(chr(ord("9") - int(c) + ord("0")) if c.isdigit() else c for c in date)


def _date_after(sentence: str, raw: str) -> str | None:
    """The ISO date written right after a number in a sentence ("…, ngày 26/5/2025"), if any."""
    flat = " ".join(sentence.split())
    at = flat.find(raw)
    if at < 0:
        return None
    m = _DATE_AFTER.match(flat[at + len(raw):at + len(raw) + 40])
    if not m:
        return None
    day, month, year = m.group("d"), m.group("m") or m.group("m2"), m.group("y") or m.group("y2")
    try:
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
            return None
    except (TypeError, ValueError):
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _partial(edge: _Edge) -> bool:
    """Whether an act covers only part of the target: "Bãi bỏ Điều 8, 9 của Nghị định số …",
    "Điều 5 của Nghị định số … hết hiệu lực"."""
    lower = " ".join(edge.sentence.split()).lower()
    at = lower.find(" ".join(edge.raw.split()).lower())
    if at < 0:
        return False
    if edge.kind == HET_HIEU_LUC:
        before = lower[max(0, at - 80):at]
        return bool(re.search(r"\b(?:điều|khoản|điểm|chương)\s+\d", before)) and "của" in before
    verb = _VERBS.get(edge.kind)
    if verb is None:
        return False
    found = [m for m in verb.finditer(lower, 0, at)]
    if not found:
        return False
    return bool(_PART.search(lower, found[-1].end(), at))


def _words(texts: list[str]) -> Counter:
    """How often each lower-case syllable occurs (texts are already normalized alike)."""
    return Counter(_SYLLABLE.findall(" ".join(texts).lower()))


def _similarity(a: Counter, b: Counter) -> float:
    """Weighted Jaccard of two bags of syllables: 1.0 for the same words the same number of times."""
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 1.0
