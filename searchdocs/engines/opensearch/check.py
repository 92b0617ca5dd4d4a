"""Verifying an OpenSearch index: the cluster's health, records against passages, files on disk.

The same findings as the local check (:class:`searchdocs.models.CheckReport`): "damage" is a red
cluster or shards that failed to answer; ``segments`` counts the index's primary shards; passages
are counted per document with a composite aggregation, so an index of millions is read in pages.
"""
from __future__ import annotations

import time
from typing import Any

from searchdocs.engines.opensearch import store
from searchdocs.engines.opensearch.connection import Location, call, connect, scan
from searchdocs.ingest.indexer import compare_files
from searchdocs.models import CheckReport

_LISTED = 1000


def _passages_per_document(client: Any, location: Location, index: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    after = None
    while True:
        composite: dict = {"size": 5000, "sources": [{"doc_id": {"terms": {"field": "doc_id"}}}]}
        if after:
            composite["after"] = after
        body = {"size": 0, "query": {"term": {"kind": "p"}}, "aggs": {"docs": {"composite": composite}}}
        result = call(location, lambda: client.search(index=index, body=body))["aggregations"]["docs"]
        for bucket in result["buckets"]:
            counts[bucket["key"]["doc_id"]] = int(bucket["doc_count"])
        after = result.get("after_key")
        if not result["buckets"] or not after:
            return counts


def check_index(url: str, *, files: bool = True, ca_cert: str | None = None) -> CheckReport:
    """Check the index at ``url``; ``files=False`` skips comparing with the files on disk."""
    started = time.perf_counter()
    location = Location.parse(url)
    client = connect(location, ca_cert)
    report = CheckReport(url)
    health = call(location, lambda: client.cluster.health(index=location.name))
    if health.get("status") == "red":
        report.damage.append(f"the cluster is red: {health.get('unassigned_shards', '?')} shards unassigned")
    index = store.require(location, client)
    settings = call(location, lambda: client.indices.get_settings(index=index))[index]["settings"]["index"]
    report.segments = int(settings.get("number_of_shards", 0))
    passages_of = _passages_per_document(client, location, index)
    records = [hit["_source"] for hit in scan(client, location, index, {"term": {"kind": "d"}},
                                              ["doc_id", "path", "sha", "facts"])]
    report.documents, report.passages = len(records), sum(passages_of.values())
    recorded = {r["doc_id"] for r in records}
    report.orphan_passages = sorted(d for d in passages_of if d not in recorded)[:_LISTED]
    by_path: dict[str, list[dict]] = {}
    for rec in records:
        facts = rec.get("facts") or {}
        if passages_of.get(rec["doc_id"], 0) < int(facts.get("passages") or 0):
            report.missing_passages.append(rec["doc_id"])
        by_path.setdefault(rec["path"], []).append(rec)
    report.missing_passages = report.missing_passages[:_LISTED]
    report.files = len(by_path)
    if files:
        behind = {path: (recs[0].get("facts") or {}, recs[0].get("sha", "")) for path, recs in by_path.items()}
        compare_files(report, behind, _LISTED)
    report.seconds = time.perf_counter() - started
    return report
