"""Indexing into OpenSearch: the same plan and extraction as the local engine, written in bulk.

Every document's id derives from its content (``d:<doc_id>`` for the record, ``<doc_id>#<n>`` for
its passages; ``doc_id`` from the file's hash), so a run killed at any point and run again
rewrites the same ids and leaves no duplicates. A changed file's new version is written before its
old one is deleted, so a file that fails keeps what the index had. Bulk requests go out on a few
threads; a request refused with 429 or a 5xx, or lost with the connection, is retried with
exponential backoff, and an item refused for good fails only its own file.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from searchdocs.analysis import bigram_postings
from searchdocs.documents.numbers import find_numbers
from searchdocs.documents.structure import heading
from searchdocs.engines.opensearch import store
from searchdocs.engines.opensearch.connection import ClusterError, Location, call, connect, require_healthy, scan
from searchdocs.errors import N_, Reason
from searchdocs.ingest.indexer import (FileState, Known, Plan, Prepared, ProgressFn, collect_files,
                                       document_facts, drop_missing_roots, extract_all, fill_plan,
                                       filter_fields, finish, late_failures, ocr_cache, plan, settle)
from searchdocs.models import IndexReport
from searchdocs.search.filters import document_year

BULK_ACTIONS = 1000  # documents per bulk request
BULK_BYTES = 8_000_000  # or this much JSON, whichever comes first
THREADS = 2  # bulk requests in flight
RETRIES = 8
BACKOFF = 0.5  # seconds before the first retry, doubling
RETRY_STATUS = {429, 500, 502, 503, 504}
SHARDS = 1
REPLICAS = 0


def pair_tokens(text: str) -> str:
    """The ``bigrams`` field's tokens: each folded pair of pairable syllables as often as it occurs."""
    return " ".join(" ".join([term.decode("utf-8")] * f) for term, f, _, _ in bigram_postings(text))


def _filters(meta: dict) -> dict:
    fields: dict[str, Any] = filter_fields(meta)
    if "docnum" in fields:
        fields["docnum"] = fields["docnum"].split()
    return fields


def documents(prepared: Prepared, state: FileState) -> Iterable[tuple[str, dict]]:
    """(id, source) of every record and passage of a prepared file."""
    for doc in prepared.docs:
        facts = document_facts(doc, state)
        shared = _filters(facts["meta"])
        meta = facts["meta"]
        yield f"d:{doc.doc_id}", {"kind": "d", "pid": f"d:{doc.doc_id}", "doc_id": doc.doc_id, "path": prepared.path,
                                  "sha": prepared.sha, "facts": facts, "title": meta.get("title") or "",
                                  "type_label": meta.get("doc_type"), "issuer_label": meta.get("issuer"),
                                  "year_label": document_year(meta), "indexed_at": facts["indexed_at"], **shared}
        for p in doc.passages:
            pid = f"{doc.doc_id}#{p.ordinal}"
            yield pid, {"kind": "p", "pid": pid, "doc_id": doc.doc_id, "path": prepared.path, "sha": prepared.sha,
                        "ordinal": p.ordinal, "section": p.label, "page": p.page, "body": p.text,
                        "heading": heading(p.text, p.label), "bigrams": pair_tokens(p.text),
                        "mentions": [n.key for n in find_numbers(p.text)], **shared}


class Bulk:
    """Bulk requests on a few threads, with retries; which files had an item refused."""

    def __init__(self, client: Any, location: Location, index: str) -> None:
        self.client, self.location, self.index = client, location, index
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="bulk")
        self.pending: list[Future] = []
        self.lines: list[dict] = []
        self.owners: list[str] = []  # the path of each buffered document
        self.size = 0
        self.failed: dict[str, str] = {}
        self.fatal: BaseException | None = None
        self.lock = threading.Lock()
        self.last = time.monotonic()

    def add(self, path: str, docs: Iterable[tuple[str, dict]]) -> None:
        for doc_id, source in docs:
            self.lines += [{"index": {"_index": self.index, "_id": doc_id}}, source]
            self.owners.append(path)
            self.size += len(json.dumps(source, ensure_ascii=False))
        if len(self.owners) >= BULK_ACTIONS or self.size >= BULK_BYTES:
            self.flush()

    def flush(self) -> None:
        self._raise_fatal()
        if self.owners:
            self.pending.append(self.pool.submit(self._send, self.lines, self.owners))
            self.lines, self.owners, self.size = [], [], 0
        self.last = time.monotonic()
        while len(self.pending) > THREADS * 2:  # keep memory bounded: wait for the oldest
            self.pending.pop(0).result()
        self._raise_fatal()

    def tick(self) -> None:
        if self.owners and time.monotonic() - self.last > 5.0:
            self.flush()
        still = []
        for f in self.pending:
            if f.done():
                f.result()  # an unexpected error in a request surfaces here
            else:
                still.append(f)
        self.pending = still
        self._raise_fatal()

    def close(self) -> dict[str, str]:
        """Send what is buffered, wait for every request; the files that failed, with why."""
        self.flush()
        for f in self.pending:
            f.result()
        self.pool.shutdown()
        self._raise_fatal()
        return self.failed

    def _raise_fatal(self) -> None:
        if self.fatal is not None:
            raise self.fatal

    def _send(self, lines: list[dict], owners: list[str]) -> None:
        from opensearchpy import exceptions as ox

        delay = BACKOFF
        for attempt in range(RETRIES + 1):
            try:
                response = self.client.bulk(body=lines, params={"request_timeout": 120})
            except (ox.ConnectionError, ox.ConnectionTimeout) as e:
                error: BaseException = e
            except ox.TransportError as e:
                if not isinstance(e.status_code, int) or e.status_code not in RETRY_STATUS:
                    with self.lock:
                        self.fatal = self.fatal or ClusterError(N_("OpenSearch refused a bulk request: {reason}"),
                                                                reason=" ".join(str(e).split())[:300])
                    return
                error = e
            else:
                retry_lines, retry_owners = [], []
                for k, item in enumerate(response.get("items", [])):
                    result = next(iter(item.values()))
                    status = result.get("status", 500)
                    if status < 300:
                        continue
                    if status in RETRY_STATUS and attempt < RETRIES:
                        retry_lines += lines[2 * k:2 * k + 2]
                        retry_owners.append(owners[k])
                    else:
                        cause = result.get("error") or {}
                        reason = cause.get("reason", "") if isinstance(cause, dict) else str(cause)
                        with self.lock:
                            self.failed.setdefault(owners[k], Reason(N_("OpenSearch refused it: {reason}"),
                                                                     reason=" ".join(reason.split())[:200]))
                if not retry_owners:
                    return
                lines, owners = retry_lines, retry_owners
                error = ClusterError(N_("OpenSearch kept refusing documents (429/5xx)"))
            if attempt == RETRIES:
                with self.lock:
                    self.fatal = self.fatal or ClusterError(
                        N_("OpenSearch at {base} kept failing bulk requests ({reason}): the documents written so "
                           "far are kept; run the same command again when the cluster is healthy"),
                        base=self.location.base, reason=" ".join(str(error).split())[:200])
                return
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def known_files(client: Any, location: Location, index: str) -> dict[str, Known]:
    """Path → what the index records about that file. A path with records of two contents (a run
    killed between writing a new version and deleting the old) is known by no hash, so it is
    extracted again and the old version goes."""
    known: dict[str, Known] = {}
    source = ["path", "sha", "doc_id", "facts.size", "facts.mtime_ns", "facts.passages"]
    for hit in scan(client, location, index, {"term": {"kind": "d"}}, source):
        src = hit["_source"]
        facts = src.get("facts") or {}
        k = known.setdefault(src["path"], Known(src["sha"], facts.get("size"), facts.get("mtime_ns")))
        if k.sha != src["sha"]:
            k.sha = ""
        k.doc_ids.append(src["doc_id"])
        k.passages += int(facts.get("passages") or 0)
    return known


def _matching_ids(client: Any, location: Location, index: str, query: dict) -> list[tuple[str, str]]:
    """(id, kind) of every document ``query`` matches, as of now."""
    call(location, lambda: client.indices.refresh(index=index))
    return [(h["_id"], h["_source"].get("kind", "")) for h in scan(client, location, index, query, ["kind"], 5000)]


def _bulk_now(client: Any, location: Location, lines: list[dict]) -> None:
    """Bulk operations that must all hold (deletes, partial updates), refreshed at once. Plain bulk
    requests, so that a cluster without the reindex module (no _delete_by_query) serves them too."""
    for start in range(0, len(lines), 2 * BULK_ACTIONS):
        chunk = lines[start:start + 2 * BULK_ACTIONS]
        response = call(location, lambda: client.bulk(body=chunk, params={"refresh": "true"}))
        errors = [next(iter(item.values())) for item in response.get("items", [])
                  if next(iter(item.values())).get("status", 500) >= 300
                  and next(iter(item.values())).get("status") != 404]
        if errors:
            cause = errors[0].get("error") or {}
            raise ClusterError(N_("OpenSearch refused a bulk request: {reason}"),
                               reason=str(cause.get("reason", cause) if isinstance(cause, dict) else cause)[:300])


def _delete_where(client: Any, location: Location, index: str, query: dict) -> None:
    lines = [{"delete": {"_index": index, "_id": doc_id}} for doc_id, _ in _matching_ids(client, location, index, query)]
    if lines:
        _bulk_now(client, location, lines)


def _refile(client: Any, location: Location, index: str, old: str, state: FileState, passages: bool) -> None:
    """A moved file (``passages``): every record and passage to the new path; a touched one: its
    records' size and time. Ids stay: they derive from the content."""
    query: dict = {"term": {"path": old}}
    if not passages:
        query = {"bool": {"filter": [query, {"term": {"kind": "d"}}]}}
    at = time.strftime("%Y-%m-%dT%H:%M:%S")
    lines: list[dict] = []
    for doc_id, kind in _matching_ids(client, location, index, query):
        change: dict = {"path": state.path}
        if kind == "d":
            change.update(facts={"size": state.size, "mtime_ns": state.mtime_ns, "indexed_at": at}, indexed_at=at)
        lines += [{"update": {"_index": index, "_id": doc_id}}, {"doc": change}]
    if lines:
        _bulk_now(client, location, lines)


def _count(client: Any, location: Location, index: str, report: IndexReport) -> None:
    call(location, lambda: client.indices.refresh(index=index))
    count = lambda kind: call(location, lambda: client.count(index=index, body={"query": {"term": {"kind": kind}}}))
    report.documents, report.passages = count("d")["count"], count("p")["count"]


def index_paths(url: str, paths: Iterable[str | Path], *, jobs: int | None = None,
                max_bytes: int | None = 200_000_000, wait: float = 0.0, progress: ProgressFn | None = None,
                file_timeout: float | None = 120.0, max_memory_mb: int | None = 2048, prune: bool = False,
                dry_run: bool = False, ocr: bool = False, rehash: bool = False, rebuild: bool = False,
                shards: int | None = None, replicas: int | None = None, ca_cert: str | None = None) -> IndexReport:
    """Index files and folders into the OpenSearch index at ``url`` (options as the local engine's;
    ``wait`` is not needed: runs need no lock, their writes are idempotent). ``rebuild``: into a new
    index, then the alias moves to it; ``shards`` and ``replicas`` apply when an index is created."""
    started = time.perf_counter()
    location = Location.parse(url)
    client = connect(location, ca_cert)
    require_healthy(client, location)
    shards = shards or int(os.environ.get("SEARCHDOCS_SHARDS") or SHARDS)
    replicas = replicas if replicas is not None else int(os.environ.get("SEARCHDOCS_REPLICAS") or REPLICAS)
    report = IndexReport(dry_run=dry_run)
    roots = [os.path.abspath(p) for p in paths]
    files, walk_failures = collect_files(Path(p) for p in roots)
    report.failed.extend(walk_failures)

    if dry_run:
        index = None if rebuild else store.physical(location, client)
        if index is not None:
            store.require(location, client)
        known = known_files(client, location, index) if index else {}
        drop_missing_roots(report, known)
        p = plan(files, known, roots, max_bytes, rehash, report)
        fill_plan(report, p, prune)
        settle(report, p)
        if index:
            _count(client, location, index, report)
        return finish(report, started)

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "searchdocs" / "ocr" / location.name
    pages_cache = ocr_cache(cache, report) if ocr else None
    index = store.create(location, client, shards, replicas) if rebuild else store.ensure(location, client, shards,
                                                                                            replicas)
    known = {} if rebuild else known_files(client, location, index)
    drop_missing_roots(report, known)
    p = plan(files, known, roots, max_bytes, rehash, report)
    fill_plan(report, p, prune)
    _apply_plan(client, location, index, p, prune)
    bulk = Bulk(client, location, index)
    written: dict[str, str] = {}  # path → the content hash written this run

    def write(prepared: Prepared, state: FileState, replace: bool) -> str | None:
        bulk.add(prepared.path, documents(prepared, state))
        written[prepared.path] = prepared.sha
        return None

    try:
        extract_all(p, report, jobs=jobs or os.cpu_count() or 1, max_bytes=max_bytes, file_timeout=file_timeout,
                    max_memory_mb=max_memory_mb, ocr_cache=pages_cache, progress=progress, write=write,
                    tick=bulk.tick)
    finally:
        failed = bulk.close()
    for path, sha in written.items():  # a failed file: its new documents go, the old stay
        if path in failed:
            _delete_where(client, location, index, {"bool": {"filter": [{"term": {"path": path}},
                                                                         {"term": {"sha": sha}}]}})
        elif path in known:
            _delete_where(client, location, index, {"bool": {"filter": [{"term": {"path": path}}],
                                                             "must_not": [{"term": {"sha": sha}}]}})
    late_failures(report, list(failed.items()))
    settle(report, p)
    if rebuild:
        call(location, lambda: client.indices.refresh(index=index))
        store.point_alias(location, client, index)
    _count(client, location, index, report)
    from searchdocs.engines.opensearch.index import OpenSearchIndex

    with OpenSearchIndex(url, ca_cert=ca_cert) as done:
        done.save_versions()
    return finish(report, started)


def _apply_plan(client: Any, location: Location, index: str, p: Plan, prune: bool) -> None:
    """Moves, refreshed records and removals: index-only work, before any extraction."""
    for old, state in p.moved:
        _refile(client, location, index, old, state, True)
    for state in p.touched:
        _refile(client, location, index, state.path, state, False)
    for path in p.drop + (p.gone if prune else []):
        _delete_where(client, location, index, {"term": {"path": path}})
