"""Plain data passed between the library's layers and returned to callers.

Nothing here knows about Whoosh, click or rich: these are the shapes that extraction,
structure, metadata, indexing and search agree on.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """One page (PDF) or one block of a paged-less format, with clean text."""

    number: int | None
    text: str


@dataclass
class Extracted:
    """The clean text of one source document, as extraction produced it.

    A file usually yields one; a JSONL feed yields one per record (``record_id`` set).
    """

    pages: list[Page]
    record_id: str | None = None
    title: str | None = None
    pages_without_text: int = 0
    converted_from: str | None = None  # legacy encoding the text was converted from
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


@dataclass
class Passage:
    """A unit of retrieval: an article or section of a document, with its label and page."""

    ordinal: int
    label: str  # "Điều 5", "3.2", "II", "Chương I", "" for the preamble, "đoạn 3" for windows
    page: int | None
    text: str


@dataclass
class Relation:
    """A reference from one document to another, read from a sentence of its text."""

    kind: str  # can_cu | sua_doi | thay_the | bai_bo | huong_dan | het_hieu_luc | tham_chieu
    target: str  # normalized number, e.g. "294-qđ/tw"
    target_raw: str  # as written, e.g. "294-QĐ/TW"
    sentence: str


@dataclass
class DocMeta:
    """Metadata read from a document's own text. Missing values stay None, never guessed."""

    number: str | None = None  # display form, e.g. "294-QĐ/TW", "15/2020/NĐ-CP"
    number_raw: str | None = None  # as written, e.g. "Số: 294 - QĐ/TW"
    number_missing: bool = False  # the document has a number line with a blank number (draft)
    doc_type: str | None = None  # "Quy định", "Hướng dẫn", ... from the title line
    issuer: str | None = None  # "Ban Chấp hành Trung ương"
    place: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    title: str | None = None  # subject line, e.g. "Thi hành Điều lệ Đảng"
    signer: str | None = None
    signing_authority: str | None = None  # "T/M Ban Chấp hành Trung ương", "KT. Bộ trưởng"
    signer_title: str | None = None
    recipients: list[str] = field(default_factory=list)
    secrecy: str | None = None
    urgency: str | None = None
    relations: list[Relation] = field(default_factory=list)
    symbol: str | None = None  # the symbol without the number: "QĐ/TW", "NĐ-CP"; kept when the number is blank
    issuer_code: str | None = None  # the issuer's abbreviation in the symbol: "TW", "BTCTU", "CP", "UBND"
    date_partial: str | None = None  # "2025-11" or "2026" when the day (or month) is left blank on a draft


@dataclass
class Explanation:
    """Why a hit ranks where it does: the first-stage (BM25F) score, the reranker's features and
    each one's contribution to its score (``search --explain``)."""

    first_stage: float
    rerank_score: float
    features: dict[str, float]
    contributions: dict[str, float]
    reranked: bool  # False: --no-rerank, the order is the first stage's


@dataclass
class Hit:
    """One search result row: a document with its best passage."""

    rank: int
    score: float
    doc_id: str
    path: str
    number: str | None
    doc_type: str | None
    title: str | None
    date: str | None
    issuer: str | None
    section: str
    page: int | None
    snippet: str  # plain text; highlighted spans are in ``highlights``
    highlights: list[tuple[int, int]]  # character spans of matched words inside ``snippet``
    other_hits: int
    record_id: str | None = None
    status: Status | None = None  # validity, from the relations between indexed documents
    versions: list[Version] = field(default_factory=list)  # every export of this document, itself included
    explain: Explanation | None = None  # with search --explain


@dataclass
class SearchResult:
    query: str
    total: int  # matching documents
    hits: list[Hit]
    listing: bool = False  # filters only, no words: documents newest first, not ranked passages
    unknown_numbers: list[str] = field(default_factory=list)  # numbers in the query no indexed document has
    unmatched_filters: list[str] = field(default_factory=list)  # filter values no indexed document matches


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class IndexReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0
    new: list[str] = field(default_factory=list)  # indexed, not in the index before (dry run: would be)
    changed: list[str] = field(default_factory=list)  # indexed, content changed (dry run: would be)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old path, new path), not re-extracted
    copies: list[str] = field(default_factory=list)  # same content as another file, indexed once (from it)
    missing: list[str] = field(default_factory=list)  # indexed, file gone, kept (no --prune)
    notes: list[str] = field(default_factory=list)  # about the run itself (OCR unavailable, stale lock…)
    dry_run: bool = False  # nothing was written: the lists say what a real run would do
    jobs: int = 0  # worker processes used


@dataclass
class Version:
    """One indexed export of a document that exists in several near-identical copies."""

    doc_id: str
    path: str


@dataclass
class StatusEvidence:
    """A sentence of another document that changes this one's validity."""

    kind: str  # thay_the | bai_bo | het_hieu_luc | sua_doi (relation kinds)
    number: str | None  # the number of the document that says it, or None
    doc_id: str | None
    path: str | None
    sentence: str
    partial: bool = False  # only some articles: "Bãi bỏ Điều 8, 9 của …"


@dataclass
class Status:
    """Whether a document is in force, derived from the relations or set in an override file."""

    code: str  # in_force | amended | partly_repealed | replaced | repealed | expired
    label: str  # Vietnamese: "Còn hiệu lực", "Bị thay thế" …
    in_force: bool
    evidence: list[StatusEvidence] = field(default_factory=list)
    source: str = "derived"  # derived | override
    note: str | None = None  # from the override file


@dataclass
class DocSummary:
    """An indexed document as a reference shows it."""

    doc_id: str
    path: str
    number: str | None
    doc_type: str | None
    title: str | None
    date: str | None
    issuer: str | None


@dataclass
class Reference:
    """One relation seen from a document: a document it cites, or one that cites it."""

    kind: str  # can_cu | sua_doi | thay_the | bai_bo | huong_dan | het_hieu_luc | tham_chieu
    label: str  # "Căn cứ", "Thay thế" …
    number: str | None  # as written in the citing sentence, or the citing document's number
    key: str | None  # number key, e.g. "294-qd/tw"
    sentence: str  # the sentence the relation was read from
    document: DocSummary | None  # None: not in the index (a reference only)
    versions: list[Version] = field(default_factory=list)


@dataclass
class References:
    """What a document cites and what cites it, with its derived validity."""

    number: str | None
    key: str | None
    document: DocSummary | None  # None when the number is only cited, not indexed
    versions: list[Version]
    cites: list[Reference]
    cited_by: list[Reference]
    status: Status | None


@dataclass
class Count:
    value: str | None  # None: not known (no type, issuer or date read)
    count: int


@dataclass
class IndexStats:
    documents: int  # document records (files, JSONL records)
    distinct_documents: int  # near-identical exports counted once
    passages: int
    size_bytes: int
    last_indexed: str | None  # ISO time of the latest indexed document
    by_type: list[Count]
    by_issuer: list[Count]
    by_year: list[Count]
    by_status: list[Count]


@dataclass
class DocRecord:
    """A document as stored in the index: identity, file facts and metadata."""

    doc_id: str
    path: str
    sha: str
    facts: dict

    @property
    def meta(self) -> dict:
        return self.facts["meta"]


@dataclass
class CheckReport:
    index: str
    documents: int = 0  # document records (kind d)
    passages: int = 0  # passages (kind p)
    files: int = 0  # distinct files behind the records
    segments: int = 0
    deleted_pending: int = 0  # deleted documents still taking space until a merge
    up_to_date: int = 0  # files whose content matches the index
    changed: list[str] = field(default_factory=list)  # files whose content differs from the index
    vanished: list[str] = field(default_factory=list)  # files that are gone
    unreadable: list[str] = field(default_factory=list)  # files that exist but cannot be read
    orphan_passages: list[str] = field(default_factory=list)  # doc ids with passages but no record
    missing_passages: list[str] = field(default_factory=list)  # doc ids with fewer passages than recorded
    duplicate_ids: list[str] = field(default_factory=list)  # pids stored more than once
    damage: list[str] = field(default_factory=list)  # parts that could not be read
    indexing: str | None = None  # an `index` run holds the index now: who
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.damage or self.orphan_passages or self.missing_passages or self.duplicate_ids:
            return "damaged"
        if self.changed or self.vanished or self.unreadable:
            return "stale"
        return "healthy"

    @property
    def exit_code(self) -> int:
        return {"healthy": 0, "stale": 1, "damaged": 2}[self.status]
