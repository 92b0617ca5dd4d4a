"""Verifying an index: can every part be read, do records and passages agree, are the files current.

:func:`check_index` opens every segment, reads every stored document and the lexicons of the
identity fields, counts documents and passages, and compares:

- each document record with its passages (none missing, none duplicated, none without a record);
- each document record with its file on disk (gone, or changed: size/mtime first, then the hash).

The verdict: ``healthy`` (exit 0), ``stale`` (files changed or gone: run ``searchdocs index``,
with ``--prune`` for gone files; exit 1) or ``damaged`` (unreadable parts or records and passages
that disagree: delete the index and index again; exit 2).
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from searchdocs.errors import SearchdocsError
from searchdocs.engines.whoosh.lock import is_locked, read_info
from searchdocs.ingest.indexer import compare_files
from searchdocs.ingest.workers import one_line
from searchdocs.models import CheckReport

_LISTED = 1000  # at most this many entries per problem list (counts stay exact)


def _read_segments(ix, report: CheckReport) -> list[dict]:
    """Stored fields of every live document, segment by segment; damage goes to the report."""
    stored: list[dict] = []
    try:
        reader = ix.reader()
    except Exception as e:  # noqa: BLE001 - a missing or truncated segment file
        report.damage.append(f"cannot open the index: {one_line(e)}")
        return stored
    try:
        leaves = reader.leaf_readers()
        report.segments = len(leaves)
        for number, (leaf, _) in enumerate(leaves, 1):
            segment = getattr(leaf, "_segment", None)
            name = segment.segment_id() if segment is not None else f"#{number}"
            try:
                report.deleted_pending += leaf.doc_count_all() - leaf.doc_count()
                stored.extend(fields for _, fields in leaf.iter_docs())
                for fieldname in ("kind", "pid", "doc_id", "path"):
                    for _ in leaf.lexicon(fieldname):
                        pass
                for kind in ("d", "p"):
                    if ("kind", kind) in leaf:
                        leaf.postings("kind", kind).all_ids()
            except Exception as e:  # noqa: BLE001
                report.damage.append(f"segment {name}: {one_line(e)}")
    finally:
        reader.close()
    return stored


def check_index(directory: str | Path, *, files: bool = True) -> CheckReport:
    """Check the index at ``directory``; ``files=False`` skips comparing with the files on disk."""
    from searchdocs.engines.whoosh.store import open_index

    started = time.perf_counter()
    report = CheckReport(str(directory))
    if is_locked(directory):
        info = read_info(directory)
        report.indexing = info.describe() if info else "another process"
    try:
        ix = open_index(directory)
    except SearchdocsError:
        raise
    except Exception as e:  # noqa: BLE001 - the table of contents itself is unreadable
        report.damage.append(f"cannot open the index: {one_line(e)}")
        report.seconds = time.perf_counter() - started
        return report
    stored = _read_segments(ix, report)

    pids = Counter(f.get("pid") for f in stored)
    report.duplicate_ids = sorted(pid for pid, n in pids.items() if n > 1)[:_LISTED]
    records = [f for f in stored if str(f.get("pid", "")).startswith("d:")]
    passages_of = Counter(f.get("doc_id") for f in stored if not str(f.get("pid", "")).startswith("d:"))
    report.documents, report.passages = len(records), sum(passages_of.values())
    recorded = {r.get("doc_id") for r in records}
    report.orphan_passages = sorted(d for d in passages_of if d not in recorded)[:_LISTED]

    by_path: dict[str, list[dict]] = {}
    for rec in records:
        try:
            facts = json.loads(rec.get("meta") or "{}")
        except ValueError:
            report.damage.append(f"record {rec.get('doc_id')}: unreadable metadata")
            continue
        rec["_facts"] = facts
        if passages_of.get(rec.get("doc_id"), 0) < int(facts.get("passages") or 0):
            report.missing_passages.append(rec.get("doc_id"))
        by_path.setdefault(rec.get("path"), []).append(rec)
    report.missing_passages = report.missing_passages[:_LISTED]
    report.files = len(by_path)

    if files:
        behind = {path: (recs[0].get("_facts", {}), recs[0].get("sha", "")) for path, recs in by_path.items()}
        compare_files(report, behind, _LISTED)
    report.seconds = time.perf_counter() - started
    return report
