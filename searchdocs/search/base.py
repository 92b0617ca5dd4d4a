"""An open index as every engine presents it: ranked search grouped by document, listings,
look-ups, relations and counts. Everything here speaks in our dataclasses; an engine
(:mod:`searchdocs.engines.whoosh`, :mod:`searchdocs.engines.opensearch`) supplies the records,
the passages and the first-stage candidates of a query.

Filters (``filters.py``) restrict the passages searched; a filter without words lists the
matching documents, newest first. Near-identical exports of one document are one row with its
versions, and each row carries the document's validity status (``graph.py``). A question's first
candidates are reordered by the shipped model (``rerank.py``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searchdocs.documents.graph import Graph, load_overrides
from searchdocs.errors import N_, DocumentNotFound, QuerySyntaxError
from searchdocs.models import (Count, DocRecord, Explanation, Hit, IndexStats, References, SearchResult, Status,
                               Version)
from searchdocs.search import rerank
from searchdocs.search.filters import Filters, document_year
from searchdocs.search.query import ParsedQuery, parse
from searchdocs.search.results import SNIPPET_CHARS, snippet

_YEAR_KEY = re.compile(r"(?:19|20)\d\d-")  # a short number key whose numeral is a year


@dataclass(frozen=True)
class Ranker:
    """How a search orders its candidates: reranked by the model or not, explained or not."""

    rerank: bool = True
    explain: bool = False

    @property
    def active(self) -> bool:
        return self.rerank or self.explain


@dataclass
class Candidates:
    """A query's first stage, as an engine found it: the best passage of each of the first
    documents (or version groups), best first, and what the reranker asks about them."""

    keys: list[Hashable]  # the engine's handle of each passage
    scores: list[float]
    doc_ids: list[str]
    stored: list[dict]  # body, section, page of each passage
    counts: dict[str, int]  # matching passages per document, every matching document
    named: Callable[[], set[Hashable]] = set  # passages of documents the query names by number
    document_scores: Callable[[int], list[float]] = lambda n: [0.0] * n  # first n: best passages added
    frequency: Callable[[str, str], int] = lambda field, term: 0  # passages holding a term
    size: int = 1  # passages in the index
    total: int | None = None  # matching documents, when the engine counts them itself (else: counts)


def counts(tally: dict[str | None, int]) -> list[Count]:
    """Counts of a stats table, commonest first, the unknown value last."""
    return [Count(v, n) for v, n in sorted(tally.items(), key=lambda kv: (kv[0] is None, -kv[1], kv[0] or ""))]


def years(tally: dict[str | None, int]) -> list[Count]:
    """Counts by year, newest first, the unknown year last."""
    return sorted(counts(tally), key=lambda c: (c.value is None, -(int(c.value) if c.value else 0)))


def documents_key(records: list[DocRecord]) -> str:
    """A digest of what the version groups depend on: each document's id, path, content, passage
    count, number, date and when it was indexed."""
    facts = sorted((r.doc_id, r.path, r.sha, r.facts.get("indexed_at"), r.facts.get("passages"),
                    (r.facts.get("meta") or {}).get("number"), (r.facts.get("meta") or {}).get("date"))
                   for r in records)
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode("utf-8")).hexdigest()


class SearchIndex(ABC):
    """An open index: search, batch search, look-ups. Use as a context manager or call close()."""

    def __init__(self, overrides: str | Path | None = None) -> None:
        self._overrides = overrides
        self._records: list[DocRecord] | None = None
        self._by_id: dict[str, DocRecord] | None = None
        self._graph: Graph | None = None

    # -- what an engine supplies -------------------------------------------------------------

    @abstractmethod
    def record(self, doc_id: str) -> DocRecord | None:
        """The document record of ``doc_id``, or None."""

    @abstractmethod
    def records(self) -> Iterator[DocRecord]:
        """Every document record."""

    @abstractmethod
    def passages(self, doc_id: str) -> list[dict]:
        """Stored passages of a document in reading order (body, section, page, ordinal)."""

    @abstractmethod
    def passage_count(self) -> int:
        """Passages in the index."""

    @abstractmethod
    def size_bytes(self) -> int:
        """What the index takes on disk."""

    @abstractmethod
    def require_documents(self) -> None:
        """Raise EmptyIndexError, saying why, when the index holds no document yet."""

    @abstractmethod
    def _candidates(self, parsed: ParsedQuery, depth: int, group: Callable[[str], str], memo: Any) -> Candidates:
        """The best passage of each of the first ``depth`` groups of documents ``parsed`` matches."""

    @abstractmethod
    def _allowed_documents(self, filters: Filters) -> set[str]:
        """The ids of the documents the filters allow."""

    @abstractmethod
    def _has_number(self, key: str) -> bool:
        """Whether an indexed document carries the number key."""

    @abstractmethod
    def _default_overrides(self) -> Path | None:
        """The status override file used when none is given, if there is one."""

    @abstractmethod
    def _load_versions(self) -> dict | None:
        """The stored version groups (``save_versions``), or None."""

    @abstractmethod
    def _store_versions(self, data: dict) -> None:
        """Keep the version groups for later opens of the same index."""

    def _memo(self) -> Any:
        """What a batch of queries shares (an engine's term cache); None by default."""
        return None

    def close(self) -> None:
        """Release what the engine holds open."""

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents -------------------------------------------------------------------------

    def all_records(self) -> list[DocRecord]:
        """Every document record, read once per open index."""
        if self._records is None:
            self._records = list(self.records())
        return self._records

    def _records_by_id(self) -> dict[str, DocRecord]:
        if self._by_id is None:
            self._by_id = {r.doc_id: r for r in self.all_records()}
        return self._by_id

    def graph(self) -> Graph:
        """Relations, validity and versions of the indexed documents, built once per open index.

        Finding versions compares the texts of documents with the same number and date; the indexer
        stores the outcome (``save_versions``), and it is reused while the documents are the same.
        """
        if self._graph is None:
            if self._overrides is not None:
                overrides = load_overrides(self._overrides)
            else:
                overrides = load_overrides(self._default_overrides(), required=False)
            records = self.all_records()
            groups = self._stored_versions(records)
            self._graph = Graph(records, self._texts if groups is None else None, overrides, groups)
        return self._graph

    def save_versions(self) -> None:
        """Store the version groups of the documents, for every later open of the same index."""
        records = self.all_records()
        self._store_versions({"documents": documents_key(records),
                              "groups": Graph(records, self._texts).version_groups()})

    def _texts(self, doc_id: str) -> list[str]:
        return [p["body"] for p in self.passages(doc_id)]

    def _stored_versions(self, records: list[DocRecord]) -> dict[str, str] | None:
        """The stored version groups, if they were worked out for exactly these documents."""
        data = self._load_versions()
        if not isinstance(data, dict) or data.get("documents") != documents_key(records):
            return None
        return data.get("groups")

    def references(self, ref: str) -> References:
        """What a document (by number in any spelling, id or path) cites and what cites it."""
        return self.graph().references(ref)

    def status(self, doc_id: str) -> Status:
        return self.graph().status(doc_id)

    def versions(self, doc_id: str) -> list[Version]:
        return self.graph().versions(doc_id)

    def stats(self) -> IndexStats:
        """Counts by type, issuer, year and status; size on disk; last indexing time."""
        records = self.all_records()
        graph = self.graph()

        stamps = [r.facts.get("indexed_at") for r in records if r.facts.get("indexed_at")]
        return IndexStats(
            documents=len(records), distinct_documents=len({graph.group(r.doc_id) for r in records}),
            passages=self.passage_count(), size_bytes=self.size_bytes(),
            last_indexed=max(stamps) if stamps else None,
            by_type=counts(Counter(r.meta.get("doc_type") for r in records)),
            by_issuer=counts(Counter(r.meta.get("issuer") for r in records)),
            by_year=years(Counter(document_year(r.meta) for r in records)),
            by_status=counts(Counter(graph.status(r.doc_id).code for r in records)),
        )

    def find_document(self, ref: str) -> DocRecord:
        """A document by id, path, record id or number in any spelling ("294-qd/tw", "Quy định 294")."""
        rec = self.record(ref)
        if rec is not None:
            return rec
        from searchdocs.documents.numbers import find_numbers

        paths = {os.path.abspath(ref), os.path.realpath(ref)} if ref else set()
        try:
            parsed = parse(ref)
            keys, short = set(parsed.number_keys), set(parsed.short_keys)
        except QuerySyntaxError:
            keys, short = set(), set()
        by_short: list[DocRecord] = []
        for r in self.records():
            if (r.path in paths or os.path.realpath(r.path) in paths or r.facts.get("record_id") == ref
                    or r.doc_id.startswith(ref + ":")):
                return r
            numbers = find_numbers(r.meta.get("number") or "")
            if any(n.key in keys for n in numbers):
                return r
            if any(n.short_key in short for n in numbers):
                by_short.append(r)
        if by_short:  # "Quy định 294": the newest document of that type and number
            return max(by_short, key=lambda r: r.meta.get("date") or "")
        raise DocumentNotFound(N_("no document {ref!r} in the index: try `searchdocs search {ref!r}`"), ref=ref)

    # -- search ----------------------------------------------------------------------------

    def search(self, text: str = "", limit: int = 10, *, filters: Filters | None = None,
               group_versions: bool = True, rerank: bool = True, explain: bool = False) -> SearchResult:
        """Ranked documents for a query; inline filters in ``text`` and ``filters`` both apply.

        With filters and no words, the matching documents newest first. ``group_versions``:
        near-identical exports of one document make one row (their ``versions``). ``rerank``:
        the first candidates reordered by the shipped model (``rerank.py``); ``explain``: each
        hit carries its features and their contributions.
        """
        return self._search(text, limit, filters, group_versions, self._memo(), Ranker(rerank, explain))

    def search_many(self, queries: Iterable[tuple[str, str]], limit: int = 10, *,
                    filters: Filters | None = None, rerank: bool = True,
                    explain: bool = False) -> Iterator[tuple[str, SearchResult]]:
        """Answer many (id, text) queries with one open index, yielding as they finish; the engine
        may share work between them (Whoosh: each term read and scored once per batch)."""
        memo = self._memo()
        ranker = Ranker(rerank, explain)
        for qid, text in queries:
            yield qid, self._search(text, limit, filters, True, memo, ranker)

    def _search(self, text: str, limit: int, filters: Filters | None, group_versions: bool,
                memo: Any, ranker: Ranker) -> SearchResult:
        if not text.strip() and filters is not None and not filters.is_empty:
            parsed = ParsedQuery(text.strip(), filters=filters)
        else:
            parsed = parse(text)
            if filters is not None:
                parsed.filters = filters.merged(parsed.filters)
        if parsed.is_empty:
            return self._list(parsed, limit, group_versions)
        return self._run(parsed, limit, group_versions, memo, ranker)

    def _keys(self, group_versions: bool):
        graph = self.graph()
        if group_versions:
            return graph.group, graph.versions
        return (lambda doc_id: doc_id), (lambda doc_id: [Version(doc_id, graph.nodes[doc_id].path)]
                                         if doc_id in graph.nodes else [])

    def _run(self, parsed: ParsedQuery, limit: int, group_versions: bool, memo: Any,
             ranker: Ranker) -> SearchResult:
        terms = parsed.highlight_terms()
        group, versions = self._keys(group_versions)
        records = self._records_by_id()
        words = parsed.words + [w for g in parsed.phrases for p in g for w in p]
        rerankable = ranker.active and len(set(words)) >= rerank.MIN_WORDS
        depth = max(limit, rerank.DEPTH) if rerankable else limit
        found = self._candidates(parsed, depth, group, memo)
        n = len(found.keys)
        order, scores, explained = list(range(n)), list(found.scores), [None] * n
        if rerankable and n:
            order, scores, explained = _reranked(words, found, ranker)
        hits: list[Hit] = []
        for i in order[:limit]:
            doc_id, fields = found.doc_ids[i], found.stored[i]
            rec = records.get(doc_id)
            meta = rec.meta if rec else {}
            text, spans = snippet(fields["body"], terms)
            hits.append(Hit(
                rank=len(hits) + 1, score=round(float(scores[i]), 4), doc_id=doc_id,
                path=rec.path if rec else "", number=meta.get("number"), doc_type=meta.get("doc_type"),
                title=meta.get("title") or (rec.facts.get("title_hint") if rec else None),
                date=meta.get("date"), issuer=meta.get("issuer"), section=fields.get("section") or "",
                page=fields.get("page"), snippet=text, highlights=spans, other_hits=found.counts[doc_id] - 1,
                record_id=rec.facts.get("record_id") if rec else None,
                status=self.graph().status(doc_id) if rec else None, versions=versions(doc_id),
                explain=explained[i],
            ))
        total = found.total if found.total is not None else len({group(d) for d in found.counts})
        return SearchResult(parsed.text, total, hits,
                            unknown_numbers=self._unknown_numbers(parsed),
                            unmatched_filters=[] if hits else self._unmatched(parsed.filters))

    def _unmatched(self, filters: Filters) -> list[str]:
        """The filter values (in inline syntax) that no indexed document matches even alone: what
        to name when a filtered search finds nothing."""
        return [part.describe() for part in filters.parts() if not self._allowed_documents(part)]

    def _unknown_numbers(self, parsed: ParsedQuery) -> list[str]:
        """The query's document numbers (as written) that no indexed document carries. A type and a
        year ("quy định 2025") may mean the year, so it is not said to be a missing number."""
        keys = parsed.number_keys + [k for k in parsed.short_keys if not _YEAR_KEY.match(k)]
        return [parsed.written.get(key, key) for key in keys if not self._has_number(key)]

    def _list(self, parsed: ParsedQuery, limit: int, group_versions: bool = True) -> SearchResult:
        """Documents the filters allow, newest first (undated last), one row per document."""
        ids = self._allowed_documents(parsed.filters) if not parsed.filters.is_empty else set()
        group, versions = self._keys(group_versions)
        chosen: dict[str, DocRecord] = {}
        for rec in sorted((r for r in self.all_records() if r.doc_id in ids), key=lambda r: r.path):
            chosen.setdefault(group(rec.doc_id), rec)

        def newest(rec: DocRecord) -> tuple:
            date = rec.meta.get("date") or rec.meta.get("date_partial") or ""
            return (not date, [-ord(c) for c in date], rec.meta.get("number") or "~", rec.path)

        hits: list[Hit] = []
        for rec in sorted(chosen.values(), key=newest)[:limit]:
            meta = rec.meta
            title = meta.get("title") or rec.facts.get("title_hint")
            hits.append(Hit(
                rank=len(hits) + 1, score=0.0, doc_id=rec.doc_id, path=rec.path, number=meta.get("number"),
                doc_type=meta.get("doc_type"), title=title, date=meta.get("date"), issuer=meta.get("issuer"),
                section="", page=None, snippet=title or self._opening(rec.doc_id), highlights=[], other_hits=0,
                record_id=rec.facts.get("record_id"), status=self.graph().status(rec.doc_id),
                versions=versions(rec.doc_id),
            ))
        return SearchResult(parsed.text, len(chosen), hits, listing=True,
                            unmatched_filters=[] if hits else self._unmatched(parsed.filters))

    def _opening(self, doc_id: str) -> str:
        """The start of a document's text, for a listing row of a document without a subject."""
        passages = self.passages(doc_id)
        body = " ".join(passages[0]["body"].split()) if passages else ""
        return body[:SNIPPET_CHARS] + ("…" if len(body) > SNIPPET_CHARS else "") or "—"


def _reranked(words: list[str], found: Candidates,
              ranker: Ranker) -> tuple[list[int], list[float], list[Explanation | None]]:
    """The order of the candidates after the model, the score of each (the order's, falling),
    and their explanations when asked. The first ``rerank.DEPTH`` are reordered; documents
    whose number the query names stay first; the rest keep the first stage's order below."""
    q = rerank.question(words, found.frequency, found.size)
    n = len(found.keys)
    head = min(n, rerank.DEPTH)
    documents = found.document_scores(head)
    rows = rerank.features(q, [rerank.Candidate(found.stored[i]["body"], found.scores[i],
                                                found.counts[found.doc_ids[i]] - 1, documents[i])
                               for i in range(head)])
    model = rerank.shipped()
    predicted = model.scores(rows)
    order = list(range(head))
    if ranker.rerank:
        named = found.named()
        order.sort(key=lambda i: (found.keys[i] not in named, -predicted[i], i))
    final = [float(s) for s in found.scores]
    if ranker.rerank:
        ranked = [float(predicted[i]) for i in order]
        for k in range(len(ranked) - 2, -1, -1):  # a pinned document stays above the rest
            ranked[k] = max(ranked[k], ranked[k + 1] + 1e-4)
        for k, i in enumerate(order):
            final[i] = ranked[k]
        for k in range(head, n):
            final[k] = ranked[-1] - (k - head + 1) * 1e-3
    explained: list[Explanation | None] = [None] * n
    if ranker.explain:
        for i in range(head):
            explained[i] = Explanation(float(found.scores[i]), float(predicted[i]),
                                       dict(zip(rerank.FEATURES, map(float, rows[i]))),
                                       model.contributions(rows[i]), ranker.rerank)
    return order + list(range(head, n)), final, explained
