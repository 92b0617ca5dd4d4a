"""The cluster engine: an OpenSearch index behind an alias, searched with the local engine's terms.

A query's first stage is one search collapsed on ``doc_id``: the best passage of each document,
with the scores of its best passages and how many matched (inner hits), and the number of
matching documents (a cardinality aggregation). Everything else -- grouping versions, the
reranker, snippets, relations -- is :class:`searchdocs.search.base.SearchIndex`, as locally.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from searchdocs.analysis import fold_token
from searchdocs.engines.opensearch import store
from searchdocs.engines.opensearch.connection import Location, call, connect, get, require_healthy, scan
from searchdocs.engines.opensearch.query import MATCH_NOTHING, filter_clauses, to_query
from searchdocs.errors import N_, EmptyIndexError
from searchdocs.ingest.indexer import filter_fields
from searchdocs.models import DocRecord, IndexStats
from searchdocs.search import rerank
from searchdocs.search.base import Candidates, SearchIndex, counts, years
from searchdocs.search.filters import Filters
from searchdocs.search import query as weights
from searchdocs.search.query import ParsedQuery, ranked_terms

VERSIONS_ID = "v:versions"  # the stored version groups: one document of kind "v"


class OpenSearchIndex(SearchIndex):
    """An open OpenSearch index (``http(s)://HOST:PORT/NAME``)."""

    def __init__(self, url: str, overrides: str | Path | None = None, ca_cert: str | None = None) -> None:
        super().__init__(overrides)
        self.location = Location.parse(url)
        self.client = connect(self.location, ca_cert)
        require_healthy(self.client, self.location)
        self.index = store.require(self.location, self.client)
        self._frequencies: dict[tuple[str, str], int] = {}
        self._passage_total: int | None = None
        self._shared: list[str] | None = None

    def close(self) -> None:
        self.client.close()

    def _call(self, action: Callable[[], Any]) -> Any:
        return call(self.location, action)

    def _request(self, body: dict, **params: Any) -> dict:
        return self._call(lambda: self.client.search(index=self.index, body=body, **params))

    def _scan(self, query: dict, source: list[str] | bool) -> Iterator[dict]:
        return scan(self.client, self.location, self.index, query, source)

    # -- documents -------------------------------------------------------------------------

    @staticmethod
    def _record(src: dict) -> DocRecord:
        return DocRecord(src["doc_id"], src["path"], src["sha"], src.get("facts") or {})

    def record(self, doc_id: str) -> DocRecord | None:
        found = get(self.client, self.location, self.index, f"d:{doc_id}")
        return self._record(found) if found is not None else None

    def records(self) -> Iterator[DocRecord]:
        for hit in self._scan({"term": {"kind": "d"}}, ["doc_id", "path", "sha", "facts"]):
            yield self._record(hit["_source"])

    def passages(self, doc_id: str) -> list[dict]:
        query = {"bool": {"filter": [{"term": {"kind": "p"}}, {"term": {"doc_id": doc_id}}]}}
        found = [hit["_source"] for hit in self._scan(query, ["pid", "doc_id", "ordinal", "section", "page", "body",
                                                             "path"])]
        return sorted(found, key=lambda p: p["ordinal"])

    def passage_count(self) -> int:
        if self._passage_total is None:
            self._passage_total = self._count({"term": {"kind": "p"}})
        return self._passage_total

    def _count(self, query: dict) -> int:
        return int(self._call(lambda: self.client.count(index=self.index, body={"query": query}))["count"])

    def size_bytes(self) -> int:
        stats = self._call(lambda: self.client.indices.stats(index=self.index, metric="store"))
        return int(stats["_all"]["total"]["store"]["size_in_bytes"])

    def stats(self) -> IndexStats:
        """Counts by type, issuer and year as aggregations of the records; by validity status and
        the distinct documents from the relations graph, as locally."""
        missing = "_searchdocs_none_"
        terms = lambda field: {"terms": {"field": field, "size": 10000, "missing": missing}}
        body = {"size": 0, "query": {"term": {"kind": "d"}}, "track_total_hits": True,
                "aggs": {"type": terms("type_label"), "issuer": terms("issuer_label"), "year": terms("year_label"),
                         "last": {"terms": {"field": "indexed_at", "size": 1, "order": {"_key": "desc"}}}}}
        aggs = self._request(body)["aggregations"]
        tally = lambda name: {None if b["key"] == missing else b["key"]: b["doc_count"] for b in aggs[name]["buckets"]}
        graph = self.graph()
        records = self.all_records()
        last = aggs["last"]["buckets"]
        return IndexStats(
            documents=len(records), distinct_documents=len({graph.group(r.doc_id) for r in records}),
            passages=self.passage_count(), size_bytes=self.size_bytes(), last_indexed=last[0]["key"] if last else None,
            by_type=counts(tally("type")), by_issuer=counts(tally("issuer")), by_year=years(tally("year")),
            by_status=counts(Counter(graph.status(r.doc_id).code for r in records)))

    def require_documents(self) -> None:
        if self._count({"term": {"kind": "d"}}) == 0:
            raise EmptyIndexError(N_("the index at {directory} holds no document: index files with "
                                     "`searchdocs index PATH`"), directory=self.location.url)

    def _default_overrides(self) -> None:
        return None

    def _load_versions(self) -> dict | None:
        found = get(self.client, self.location, self.index, VERSIONS_ID)
        return found.get("facts") if found is not None else None

    def _store_versions(self, data: dict) -> None:
        self._call(lambda: self.client.index(index=self.index, id=VERSIONS_ID, body={"kind": "v", "pid": VERSIONS_ID,
                                                                                     "facts": data},
                                              params={"refresh": "true"}))

    # -- search ----------------------------------------------------------------------------

    def frequency(self, field: str, term: str) -> int:
        """Passages holding ``term`` in ``field``, asked once per open index."""
        key = (field, term)
        if key not in self._frequencies:
            self._frequencies[key] = self._count({"term": {field: term}})
        return self._frequencies[key]

    def _prefetch(self, pairs: list[tuple[str, str]]) -> None:
        """Document frequencies of many terms in one multi-search."""
        wanted = [p for p in dict.fromkeys(pairs) if p not in self._frequencies]
        if not wanted:
            return
        lines: list[dict] = []
        for field, term in wanted:
            lines += [{"index": self.index}, {"size": 0, "track_total_hits": True, "query": {"term": {field: term}}}]
        responses = self._call(lambda: self.client.msearch(body=lines))["responses"]
        for pair, response in zip(wanted, responses):
            self._frequencies[pair] = int(response.get("hits", {}).get("total", {}).get("value", 0))

    def _share(self, field: str, term: str) -> float:
        return self.frequency(field, term) / max(1, self.passage_count())

    def _filter(self, filters: Filters, kind: str) -> list[dict]:
        clauses = [{"term": {"kind": kind}}]
        if not filters.is_empty:
            clauses += filter_clauses(filters, self.all_records(), lambda doc_id: self.graph().in_force(doc_id))
        return clauses

    def _candidates(self, parsed: ParsedQuery, depth: int, group: Callable[[str], str], memo: Any) -> Candidates:
        if len(set(parsed.words)) >= weights.LONG_QUERY:
            self._prefetch([(f, t) for f, t, _ in ranked_terms(parsed) if f == "body"])
        query = to_query(parsed, self._share)
        query["bool"]["filter"] = self._filter(parsed.filters, "p")
        keys, scores, doc_ids, stored, counts, tops = [], [], [], [], {}, {}
        seen: set[str] = set()
        offset, total = 0, 0
        shared = self._grouped_ids(group)
        while len(keys) < depth:
            size = max(2 * depth, 20)
            body = {"query": query, "from": offset, "size": size, "track_total_hits": False,
                    "_source": ["doc_id", "body", "section", "page"],
                    "collapse": {"field": "doc_id", "inner_hits": {"name": "top", "size": rerank.TOP_PASSAGES,
                                                                    "_source": False}}}
            if not offset:  # the total, once
                body["aggs"] = {"documents": {"cardinality": {"field": "doc_id", "precision_threshold": 40000}}}
                if shared:  # the matching documents that share a version group with another
                    body["aggs"]["shared"] = {"terms": {"field": "doc_id", "include": shared, "size": len(shared)}}
            response = self._request(body)
            if not offset:
                aggs = response["aggregations"]
                total = int(aggs["documents"]["value"])
                if shared:  # a version group counts once, as locally
                    matched = [b["key"] for b in aggs["shared"]["buckets"]]
                    total -= len(matched) - len({group(d) for d in matched})
            hits = response["hits"]["hits"]
            for hit in hits:
                doc_id = hit["_source"]["doc_id"]
                top = hit["inner_hits"]["top"]["hits"]
                counts[doc_id] = int(top["total"]["value"])
                tops[doc_id] = [float(h["_score"]) for h in top["hits"]]
                if group(doc_id) in seen:
                    continue
                seen.add(group(doc_id))
                keys.append(hit["_id"])
                scores.append(float(hit["_score"]))
                doc_ids.append(doc_id)
                stored.append(hit["_source"])
                if len(keys) >= depth:
                    break
            if len(hits) < size:
                break
            offset += size
        return Candidates(keys=keys, scores=scores, doc_ids=doc_ids, stored=stored, counts=counts, total=total,
                          named=lambda: self._named(parsed, keys, doc_ids),
                          document_scores=lambda n: [sum(tops.get(d, [])) for d in doc_ids[:n]],
                          frequency=self._frequency_for_rerank(parsed), size=self.passage_count())

    def _grouped_ids(self, group: Callable[[str], str]) -> list[str]:
        """The documents whose version group holds another (a few exports of one text), once per
        open index: a search counts those groups, not their members. (Counting every matching
        document's group cost a third of a short query's time.)"""
        if group != self.graph().group:
            return []
        if self._shared is None:
            sizes = Counter(group(r.doc_id) for r in self.all_records())
            self._shared = sorted(r.doc_id for r in self.all_records() if sizes[group(r.doc_id)] > 1)
        return self._shared

    def _frequency_for_rerank(self, parsed: ParsedQuery) -> Callable[[str, str], int]:
        """``frequency``, fetching at its first call every term the reranker asks about
        (``rerank.question``) in one multi-search; a query that is not reranked asks nothing."""
        words = parsed.words + [w for g in parsed.phrases for p in g for w in p]
        folded = [fold_token(w) for w in words]
        wanted = ([("body", f) for f in folded] + [("body", w) for w in words]
                  + [("bigrams", f"{a}_{b}") for a, b in zip(folded, folded[1:])])

        def frequency(field: str, term: str) -> int:
            self._prefetch(wanted)  # once: later calls find every term fetched
            return self.frequency(field, term)
        return frequency

    def _named(self, parsed: ParsedQuery, keys: list, doc_ids: list[str]) -> set:
        """The candidates whose document carries a number the query names."""
        wanted = set(parsed.number_keys + parsed.short_keys)
        if not wanted:
            return set()
        records = self._records_by_id()
        named = set()
        for key, doc_id in zip(keys, doc_ids):
            rec = records.get(doc_id)
            if rec and wanted & set(filter_fields(rec.meta).get("docnum", "").split()):
                named.add(key)
        return named

    def _allowed_documents(self, filters: Filters) -> set[str]:
        clauses = self._filter(filters, "d")
        if MATCH_NOTHING in clauses:
            return set()
        return {hit["_source"]["doc_id"] for hit in self._scan({"bool": {"filter": clauses}}, ["doc_id"])}

    def _has_number(self, key: str) -> bool:
        return self._count({"term": {"docnum": key}}) > 0
