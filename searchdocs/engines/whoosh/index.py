"""Ranked search over passages, grouped into one row per document, with snippets.

Filters (``filters.py``) restrict the passages searched; a filter without words lists the
matching documents, newest first. Near-identical exports of one document are one row with its
versions, and each row carries the document's validity status (``graph.py``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from searchdocs.analysis import fold_token
from searchdocs.errors import N_, DocumentNotFound, EmptyIndexError
from searchdocs.engines.whoosh.filters import whoosh_filter
from searchdocs.search.filters import Filters, document_year
from searchdocs.documents.graph import OVERRIDES_FILE, Graph, load_overrides
from searchdocs.models import Count, Explanation, Hit, IndexStats, References, SearchResult, Status, Version
from searchdocs.search import rerank
from searchdocs.engines.whoosh.query import to_whoosh
from searchdocs.search.query import ParsedQuery, parse
from searchdocs.engines.whoosh.scoring import Ranking, Scorer, TermMemo, weighting
from searchdocs.engines.whoosh.store import open_index

SNIPPET_CHARS = 240
VERSIONS_FILE = "versions.json"  # in the index directory: Index.save_versions
_WORD = re.compile(r"\w+")
_YEAR_KEY = re.compile(r"(?:19|20)\d\d-")  # a short number key whose numeral is a year


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


def _documents_key(records: list[DocRecord]) -> str:
    """A digest of what the version groups depend on: each document's id, path, content, passage
    count, number, date and when it was indexed."""
    facts = sorted((r.doc_id, r.path, r.sha, r.facts.get("indexed_at"), r.facts.get("passages"),
                    (r.facts.get("meta") or {}).get("number"), (r.facts.get("meta") or {}).get("date"))
                   for r in records)
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class Ranker:
    """How a search orders its candidates: reranked by the model or not, explained or not."""

    rerank: bool = True
    explain: bool = False

    @property
    def active(self) -> bool:
        return self.rerank or self.explain


class Index:
    """An open index: search, batch search, look-ups. Use as a context manager or call close()."""

    def __init__(self, directory: str | Path, overrides: str | Path | None = None) -> None:
        """``overrides``: a status override file; by default ``<directory>/status-overrides.json``
        when it exists."""
        self.directory = Path(directory)
        self._ix = open_index(self.directory)
        self._searcher: Searcher = self._ix.searcher(weighting=weighting())
        self._scorer = Scorer(self._searcher)
        self._passage_count = max(1, self._searcher.doc_count())
        self._document_codes: tuple[np.ndarray, list[str]] | None = None
        self._passage_mask: np.ndarray | None = None
        self._overrides = overrides
        self._records: list[DocRecord] | None = None
        self._by_id: dict[str, DocRecord] | None = None
        self._graph: Graph | None = None

    def close(self) -> None:
        self._searcher.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents -------------------------------------------------------------------------

    def record(self, doc_id: str) -> DocRecord | None:
        fields = self._searcher.document(pid=f"d:{doc_id}")
        if fields is None:
            return None
        return DocRecord(fields["doc_id"], fields["path"], fields["sha"], json.loads(fields["meta"]))

    def records(self) -> Iterator[DocRecord]:
        for fields in self._searcher.documents(kind="d"):
            yield DocRecord(fields["doc_id"], fields["path"], fields["sha"], json.loads(fields["meta"]))

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
                overrides = load_overrides(self.directory / OVERRIDES_FILE, required=False)
            records = self.all_records()
            groups = self._stored_versions(records)
            self._graph = Graph(records, self._texts if groups is None else None, overrides, groups)
        return self._graph

    def save_versions(self) -> None:
        """Store the version groups of the documents, for every later open of the same index."""
        records = self.all_records()
        data = {"documents": _documents_key(records), "groups": Graph(records, self._texts).version_groups()}
        path = self.directory / VERSIONS_FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def _texts(self, doc_id: str) -> list[str]:
        return [p["body"] for p in self.passages(doc_id)]

    def _stored_versions(self, records: list[DocRecord]) -> dict[str, str] | None:
        """The stored version groups, if they were worked out for exactly these documents."""
        try:
            data = json.loads((self.directory / VERSIONS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("documents") != _documents_key(records):
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

        def counts(values) -> list[Count]:
            tally = Counter(values)
            return [Count(v, n) for v, n in sorted(tally.items(), key=lambda kv: (kv[0] is None, -kv[1], kv[0] or ""))]

        size = 0
        for root, _, files in os.walk(self.directory):
            for name in files:
                try:
                    size += os.path.getsize(os.path.join(root, name))
                except OSError:
                    pass
        stamps = [r.facts.get("indexed_at") for r in records if r.facts.get("indexed_at")]
        return IndexStats(
            documents=len(records), distinct_documents=len({graph.group(r.doc_id) for r in records}),
            passages=int(self._passages().sum()), size_bytes=size, last_indexed=max(stamps) if stamps else None,
            by_type=counts(r.meta.get("doc_type") for r in records),
            by_issuer=counts(r.meta.get("issuer") for r in records),
            by_year=sorted(counts(document_year(r.meta) for r in records),
                           key=lambda c: (c.value is None, -(int(c.value) if c.value else 0))),
            by_status=counts(graph.status(r.doc_id).code for r in records),
        )

    def find_document(self, ref: str) -> DocRecord:
        """A document by id, path, record id or number in any spelling ("294-qd/tw", "Quy định 294")."""
        rec = self.record(ref)
        if rec is not None:
            return rec
        from searchdocs.errors import QuerySyntaxError
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

    def passages(self, doc_id: str) -> list[dict]:
        """Stored passages of a document in reading order."""
        found = [dict(f) for f in self._searcher.documents(doc_id=doc_id) if "ordinal" in f]
        return sorted(found, key=lambda f: f["ordinal"])

    # -- search ----------------------------------------------------------------------------

    def search(self, text: str = "", limit: int = 10, *, filters: Filters | None = None,
               group_versions: bool = True, rerank: bool = True, explain: bool = False) -> SearchResult:
        """Ranked documents for a query; inline filters in ``text`` and ``filters`` both apply.

        With filters and no words, the matching documents newest first. ``group_versions``:
        near-identical exports of one document make one row (their ``versions``). ``rerank``:
        the first candidates reordered by the shipped model (``rerank.py``); ``explain``: each
        hit carries its features and their contributions.
        """
        return self._search(text, limit, filters, group_versions, TermMemo(), Ranker(rerank, explain))

    def search_many(self, queries: Iterable[tuple[str, str]], limit: int = 10, *,
                    filters: Filters | None = None, rerank: bool = True,
                    explain: bool = False) -> Iterator[tuple[str, SearchResult]]:
        """Answer many (id, text) queries with one open searcher, yielding as they finish.

        The terms of a batch repeat (the 100 bench questions: 5,338 terms, 2,992 distinct), so
        each is read and scored once for the whole batch, within ``TermMemo``'s budget."""
        memo = TermMemo()
        ranker = Ranker(rerank, explain)
        for qid, text in queries:
            yield qid, self._search(text, limit, filters, True, memo, ranker)

    def _search(self, text: str, limit: int, filters: Filters | None, group_versions: bool,
                memo: TermMemo, ranker: Ranker) -> SearchResult:
        if not text.strip() and filters is not None and not filters.is_empty:
            parsed = ParsedQuery(text.strip(), filters=filters)
        else:
            parsed = parse(text)
            if filters is not None:
                parsed.filters = filters.merged(parsed.filters)
        if parsed.is_empty:
            return self._list(parsed, limit, group_versions)
        return self._run(parsed, limit, group_versions, memo, ranker)

    def require_documents(self) -> None:
        """Raise EmptyIndexError, saying why, when the index holds no document yet: a first run still
        at work, or nothing indexed. (A search of an empty index just finds nothing.)"""
        if self._searcher.doc_count() == 0:
            raise self._empty_error()

    def _empty_error(self) -> EmptyIndexError:
        from searchdocs.engines.whoosh.lock import is_locked, read_info

        if is_locked(self.directory):
            info = read_info(self.directory)
            return EmptyIndexError(N_("the index is being built ({run}) and holds no document yet: "
                                      "search again when that run has finished"),
                                   run=info.describe() if info else "another process")
        return EmptyIndexError(N_("the index at {directory} holds no document: index files with "
                                  "`searchdocs index PATH`"), directory=str(self.directory))

    def _passages(self) -> np.ndarray:
        """Which internal numbers are passages (not document records, not deleted): a mask made
        once per open index."""
        if self._passage_mask is None:
            self._passage_mask = self._matching(wq.Term("kind", "p"))
        return self._passage_mask

    def _matching(self, q: wq.Query) -> np.ndarray:
        """The documents ``q`` matches, deleted ones left out, as a mask."""
        return self._scorer.scores(q, TermMemo()).hit & self._scorer.live()

    def _codes(self) -> tuple[np.ndarray, list[str]]:
        """Each internal number's document as a code (-1: none), and the doc_id of each code; made
        once per open index."""
        if self._document_codes is None:
            names: list[str] = []
            codes: dict[str, int] = {}
            table = np.full(self._scorer.size, -1, dtype=np.int64)
            for name, numbers in self._scorer.field_ids("doc_id"):
                table[numbers] = codes.setdefault(name, len(codes))
                if len(names) < len(codes):
                    names.append(name)
            self._document_codes = table, names
        return self._document_codes

    def ranking(self, parsed: ParsedQuery, memo: TermMemo | None = None) -> tuple[Ranking, dict[str, int]]:
        """Every passage a parsed query matches with its score, and how many each document has;
        ``memo`` keeps scored terms for the queries after this one."""
        q = to_whoosh(parsed, self._share)
        # Passages only: a document record carries the docnum field too, and must count neither as
        # a hit (it has no body) nor as one of the document's other passages.
        allowed = self._allowed(parsed.filters, "p")
        ranking = self._scorer.rank(q, self._passages() if allowed is None else allowed,
                                    TermMemo() if memo is None else memo)
        codes, names = self._codes()
        per_code = np.bincount(codes[ranking.ids], minlength=len(names)) if len(ranking.ids) else []
        return ranking, {names[c]: int(n) for c, n in enumerate(per_code) if n}

    def _share(self, field: str, term: str) -> float:
        return self._scorer.frequency(field, term) / self._passage_count

    def _allowed(self, filters: Filters, kind: str) -> np.ndarray | None:
        """The passages (kind "p") or records ("d") the filters allow, as a mask; None: all."""
        if filters.is_empty:
            return None
        fq = whoosh_filter(filters, self.all_records(), lambda doc_id: self.graph().in_force(doc_id))
        return self._matching(wq.And([wq.Term("kind", kind), fq]))

    def _keys(self, group_versions: bool):
        graph = self.graph()
        if group_versions:
            return graph.group, graph.versions
        return (lambda doc_id: doc_id), (lambda doc_id: [Version(doc_id, graph.nodes[doc_id].path)]
                                         if doc_id in graph.nodes else [])

    def _run(self, parsed: ParsedQuery, limit: int, group_versions: bool, memo: TermMemo,
             ranker: Ranker) -> SearchResult:
        ranking, counts = self.ranking(parsed, memo)
        terms = parsed.highlight_terms()
        group, versions = self._keys(group_versions)
        (codes, names), records = self._codes(), self._records_by_id()
        words = parsed.words + [w for g in parsed.phrases for p in g for w in p]
        rerankable = ranker.active and len(set(words)) >= rerank.MIN_WORDS
        depth = max(limit, rerank.DEPTH) if rerankable else limit
        chosen: list[tuple[int, float, str]] = []  # (internal number, score, doc_id), best first
        seen: set[str] = set()
        for docnum, score in ranking.best_first():  # stored fields read for the candidates only
            doc_id = names[codes[docnum]]
            if group(doc_id) not in seen:
                seen.add(group(doc_id))
                chosen.append((docnum, score, doc_id))
                if len(chosen) >= depth:
                    break
        stored = [self._searcher.stored_fields(docnum) for docnum, _, _ in chosen]
        order, scores, explained = list(range(len(chosen))), [s for _, s, _ in chosen], [None] * len(chosen)
        if rerankable and chosen:
            order, scores, explained = self._reranked(parsed, words, chosen, stored, counts, ranking, ranker)
        hits: list[Hit] = []
        for i in order[:limit]:
            docnum, _, doc_id = chosen[i]
            fields = stored[i]
            rec = records.get(doc_id)
            meta = rec.meta if rec else {}
            text, spans = snippet(fields["body"], terms)
            hits.append(Hit(
                rank=len(hits) + 1, score=round(float(scores[i]), 4), doc_id=doc_id,
                path=rec.path if rec else "", number=meta.get("number"), doc_type=meta.get("doc_type"),
                title=meta.get("title") or (rec.facts.get("title_hint") if rec else None),
                date=meta.get("date"), issuer=meta.get("issuer"), section=fields["section"] or "",
                page=fields.get("page"), snippet=text, highlights=spans, other_hits=counts[doc_id] - 1,
                record_id=rec.facts.get("record_id") if rec else None,
                status=self.graph().status(doc_id) if rec else None, versions=versions(doc_id),
                explain=explained[i],
            ))
        return SearchResult(parsed.text, len({group(d) for d in counts}), hits,
                            unknown_numbers=self._unknown_numbers(parsed),
                            unmatched_filters=[] if hits else self._unmatched(parsed.filters))

    def _reranked(self, parsed: ParsedQuery, words: list[str], chosen: list[tuple[int, float, str]],
                  stored: list[dict], counts: dict[str, int], ranking: Ranking,
                  ranker: Ranker) -> tuple[list[int], list[float], list[Explanation | None]]:
        """The order of the candidates after the model, the score of each (the order's, falling),
        and their explanations when asked. The first ``rerank.DEPTH`` are reordered; documents
        whose number the query names stay first; the rest keep the first stage's order below."""
        q = rerank.question(words, self._scorer.frequency, self._passage_count)
        head = min(len(chosen), rerank.DEPTH)
        documents = self._document_scores(ranking, [docnum for docnum, _, _ in chosen[:head]])
        rows = rerank.features(q, [rerank.Candidate(stored[i]["body"], chosen[i][1], counts[chosen[i][2]] - 1,
                                                    documents[i]) for i in range(head)])
        model = rerank.shipped()
        predicted = model.scores(rows)
        named = self._numbered(parsed)
        order = list(range(head))
        if ranker.rerank:
            order.sort(key=lambda i: (chosen[i][0] not in named, -predicted[i], i))
        final = [float(chosen[i][1]) for i in range(len(chosen))]
        if ranker.rerank:
            ranked = [float(predicted[i]) for i in order]
            for k in range(len(ranked) - 2, -1, -1):  # a pinned document stays above the rest
                ranked[k] = max(ranked[k], ranked[k + 1] + 1e-4)
            for k, i in enumerate(order):
                final[i] = ranked[k]
            for k in range(head, len(chosen)):
                final[k] = ranked[-1] - (k - head + 1) * 1e-3
        explained: list[Explanation | None] = [None] * len(chosen)
        if ranker.explain:
            for i in range(head):
                explained[i] = Explanation(float(chosen[i][1]), float(predicted[i]),
                                           dict(zip(rerank.FEATURES, map(float, rows[i]))),
                                           model.contributions(rows[i]), ranker.rerank)
        return order + list(range(head, len(chosen))), final, explained

    def _document_scores(self, ranking: Ranking, passages: list[int]) -> list[float]:
        """For the document of each of ``passages``, its best ``rerank.TOP_PASSAGES`` passage
        scores added (only the passages of these documents are looked at)."""
        codes = self._codes()[0]
        wanted = codes[np.asarray(passages, dtype=np.int64)]
        keep = np.isin(codes[ranking.ids], wanted)
        owner, scores = codes[ranking.ids[keep]], ranking.scores[keep]
        order = np.lexsort((-scores, owner))
        owner, scores = owner[order], scores[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        within = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
        top = within < rerank.TOP_PASSAGES
        totals: dict[int, float] = {}
        for code, score in zip(owner[top].tolist(), scores[top].tolist()):
            totals[code] = totals.get(code, 0.0) + score
        return [totals.get(code, 0.0) for code in wanted.tolist()]

    def _numbered(self, parsed: ParsedQuery) -> set[int]:
        """Internal numbers of the passages of documents whose number the query names."""
        keys = parsed.number_keys + parsed.short_keys
        if not keys:
            return set()
        return set(np.flatnonzero(self._matching(wq.Or([wq.Term("docnum", k) for k in keys]))).tolist())

    def _unmatched(self, filters: Filters) -> list[str]:
        """The filter values (in inline syntax) that no indexed document matches even alone: what
        to name when a filtered search finds nothing."""
        return [part.describe() for part in filters.parts() if not self._allowed(part, "d").any()]

    def _unknown_numbers(self, parsed: ParsedQuery) -> list[str]:
        """The query's document numbers (as written) that no indexed document carries. A type and a
        year ("quy định 2025") may mean the year, so it is not said to be a missing number."""
        keys = parsed.number_keys + [k for k in parsed.short_keys if not _YEAR_KEY.match(k)]
        return [parsed.written.get(key, key) for key in keys if not self._matching(wq.Term("docnum", key)).any()]

    def _list(self, parsed: ParsedQuery, limit: int, group_versions: bool = True) -> SearchResult:
        """Documents the filters allow, newest first (undated last), one row per document."""
        allowed = self._allowed(parsed.filters, "d")
        numbers = np.flatnonzero(allowed).tolist() if allowed is not None else []
        ids = {self._searcher.stored_fields(n)["doc_id"] for n in numbers}
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

