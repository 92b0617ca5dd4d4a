"""Writing the local Whoosh index: batches, moves, removals, the run's lock.

Crash safety. Only one run writes an index at a time (:mod:`searchdocs.engines.whoosh.lock`).
Writes go to Whoosh in batches, committed every ``BATCH_FILES`` files, ``BATCH_PASSAGES`` passages
or ``BATCH_SECONDS`` seconds, whichever comes first. Everything written for one file -- the
deletion of its old version, its document record and all its passages -- goes into the same
batch, and a Whoosh commit is atomic (a new table of contents renamed into place), so a run killed
at any moment leaves the index as of its last commit, readable, with every file either wholly in
it (old or new version) or not at all. The next run sees what is missing or stale and does
exactly that work again.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from searchdocs.documents.structure import heading
from searchdocs.engines.whoosh.lock import IndexLock
from searchdocs.engines.whoosh.store import INDEX_NAME, create_or_open
from searchdocs.errors import N_, Reason
from searchdocs.ingest.indexer import (FileState, Known, Plan, Prepared, ProgressFn, collect_files,
                                       document_facts, drop_missing_roots, extract_all, file_facts,
                                       fill_plan, filter_fields, finish, late_failures, ocr_cache, plan, settle)
from searchdocs.models import Failure, IndexReport

BATCH_FILES = 200  # commit at least this often, so a crash loses one batch at most
BATCH_PASSAGES = 20_000
BATCH_SECONDS = 30.0
BATCH_SECONDS_PARALLEL = 120.0  # with segment builders: each commit makes a segment per builder
PARALLEL_MIN_BYTES = 20_000_000  # of files to extract, for a run to use segment builders (with jobs >= 2)
OCR_CACHE = "ocr-cache"


def _write(writer, prepared: Prepared, state: FileState, replace: bool = True) -> int:
    """Replace everything indexed from ``prepared.path`` with its new documents; return passages.

    ``replace=False`` for a path the index has never held: the deletion would find nothing, and
    Whoosh opens a reader over every segment to look (measured: tens of MB per segment per batch)."""
    if replace:
        writer.delete_by_term("path", prepared.path)
    count = 0
    for doc in prepared.docs:
        facts = document_facts(doc, state)
        shared = filter_fields(facts["meta"])
        writer.add_document(pid=f"d:{doc.doc_id}", kind="d", doc_id=doc.doc_id, path=prepared.path,
                            sha=prepared.sha, meta=json.dumps(facts, ensure_ascii=False), **shared)
        for p in doc.passages:
            writer.add_document(pid=f"{doc.doc_id}#{p.ordinal}", kind="p", doc_id=doc.doc_id,
                                path=prepared.path, ordinal=p.ordinal, section=p.label, page=p.page,
                                body=p.text, bigrams=p.text,
                                heading=heading(p.text, p.label), **shared)
            count += 1
    return count


def _refile(writer, searcher, old_path: str, state: FileState, passages: bool) -> int:
    """Rewrite the records of ``old_path`` as those of ``state`` from what the index stores.

    ``passages=True`` (a moved file): every record and passage moves to the new path, the text taken
    from the stored passages, so nothing is extracted again. ``False`` (a touched file, same content):
    only the document records are rewritten, with the new size and mtime.
    """
    stored = [dict(f) for f in searcher.documents(path=old_path)]
    records = [f for f in stored if f["pid"].startswith("d:")]
    if passages:
        writer.delete_by_term("path", old_path)
    count = 0
    for rec in records:
        facts = json.loads(rec["meta"])
        facts.update(file_facts(state))
        shared = filter_fields(facts.get("meta") or {})
        if not passages:
            writer.delete_by_term("pid", rec["pid"])
        writer.add_document(pid=rec["pid"], kind="d", doc_id=rec["doc_id"], path=state.path, sha=state.sha,
                            meta=json.dumps(facts, ensure_ascii=False), **shared)
        if not passages:
            continue
        for p in stored:
            if p["pid"].startswith("d:") or p["doc_id"] != rec["doc_id"]:
                continue
            writer.add_document(pid=p["pid"], kind="p", doc_id=p["doc_id"], path=state.path,
                                ordinal=p["ordinal"], section=p["section"], page=p.get("page"),
                                body=p["body"], bigrams=p["body"],
                                heading=heading(p["body"], p["section"]), **shared)
            count += 1
    return count


class _Batch:
    """The open Whoosh writer and the operations in it since the last commit.

    Every operation is kept until its batch is committed, so that if one raises (a bug, or text
    that Whoosh refuses) the writer can be dropped and the batch replayed without it: one bad file
    still costs only itself. With ``builders`` (large runs, see :mod:`searchdocs.engines.whoosh.segments`) the
    documents are analysed and written by builder processes; if one of them fails, the batch is
    replayed here, one operation at a time, and the run goes on without builders.
    """

    def __init__(self, ix, wait: float, builders: list | None = None) -> None:
        self.ix, self.wait = ix, wait
        self.builders = builders
        self.writer = None
        self.ops: list[tuple[Callable, int, str | None]] = []
        self.passages = 0
        self.opened = 0.0
        self.commits = 0
        self.late_failures: list[tuple[str, str]] = []  # (label, reason) of operations that failed on replay

    def _open(self):
        if self.writer is None:
            from whoosh.index import LockError

            from searchdocs.engines.whoosh.codec import segment_writer

            timeout = max(self.wait, 30.0)
            try:
                if self.builders:
                    from searchdocs.engines.whoosh.segments import ParallelWriter

                    self.writer = segment_writer(self.ix, ParallelWriter, builders=self.builders, timeout=timeout)
                else:
                    self.writer = segment_writer(self.ix, timeout=timeout)
            except LockError as e:  # only a non-searchdocs writer can hold it: we hold our own lock
                from searchdocs.errors import IndexLockedError

                raise IndexLockedError(N_("the index is locked by another Whoosh writer")) from e
            self.opened = time.monotonic()
        return self.writer

    def apply(self, op: Callable, passages: int = 0, label: str | None = None) -> str | None:
        """Run ``op(writer)``; None when it worked, else the one-line reason it did not."""
        from searchdocs.engines.whoosh.segments import BuilderError

        writer = self._open()
        try:
            op(writer)
        except BuilderError:
            self._fall_back()
            return self.apply(op, passages, label)
        except Exception as e:  # noqa: BLE001
            from searchdocs.ingest.workers import one_line

            self.writer.cancel()
            self.writer = None
            for earlier, _, _ in self.ops:
                earlier(self._open())
            return f"could not be written to the index: {one_line(e)}"
        self.ops.append((op, passages, label))
        self.passages += passages
        return None

    def _fall_back(self) -> None:
        """Drop the builders and replay the batch in this process, noting operations that now fail."""
        ops = self.ops
        self.cancel()
        self.close()
        self.passages = 0
        for op, passages, label in ops:
            error = self.apply(op, passages, label)
            if error and label is not None:
                self.late_failures.append((label, error))

    def due(self) -> bool:
        return self.writer is not None and (
            len(self.ops) >= BATCH_FILES or self.passages >= BATCH_PASSAGES
            or time.monotonic() - self.opened >= (BATCH_SECONDS_PARALLEL if self.builders else BATCH_SECONDS))

    def commit(self, merge: bool = False) -> None:
        """Commit the batch. Small segments are merged only at the end of a run (``merge=True``,
        ``segments.merge_small``): merging at every commit rewrote the growing index again and again."""
        from whoosh.writing import NO_MERGE

        from searchdocs.engines.whoosh.segments import BuilderError, merge_small

        policy = merge_small if merge else NO_MERGE
        if self.writer is not None:
            try:
                self.writer.commit(mergetype=policy)
            except BuilderError:
                self._fall_back()
                if self.writer is not None:
                    self.writer.commit(mergetype=policy)
            self.commits += 1
        self.writer, self.ops, self.passages = None, [], 0

    def cancel(self) -> None:
        if self.writer is not None:
            try:
                self.writer.cancel()
            except Exception:  # noqa: BLE001 - already failing; keep the first error
                pass
        self.writer, self.ops = None, []

    def close(self) -> None:
        """Stop the builder processes, if any; later batches are written in this process."""
        builders, self.builders = self.builders, None
        for b in builders or []:
            b.close()


def known_files(ix) -> dict[str, Known]:
    """Path → what the index records about that file."""
    known: dict[str, Known] = {}
    with ix.searcher() as s:
        for f in s.documents(kind="d"):
            try:
                facts = json.loads(f.get("meta") or "{}")
            except ValueError:
                facts = {}
            k = known.setdefault(f["path"], Known(f["sha"], facts.get("size"), facts.get("mtime_ns")))
            k.doc_ids.append(f["doc_id"])
            k.passages += int(facts.get("passages") or 0)
    return known


def indexed_files(ix) -> dict[str, str]:
    """Path → content hash of every file in the index."""
    return {path: k.sha for path, k in known_files(ix).items()}


def _open_existing(index_dir: str | Path):
    from whoosh import index as whoosh_index

    from searchdocs.engines.whoosh.store import open_index

    if not Path(index_dir).is_dir() or not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        return None
    return open_index(index_dir)


def _count(ix, report: IndexReport) -> None:
    with ix.searcher() as s:
        report.documents = sum(1 for _ in s.document_numbers(kind="d"))
        report.passages = sum(1 for _ in s.document_numbers(kind="p"))


def index_paths(index_dir: str | Path, paths: Iterable[str | Path], *, jobs: int | None = None,
                max_bytes: int | None = 200_000_000, wait: float = 0.0,
                progress: ProgressFn | None = None, file_timeout: float | None = 120.0,
                max_memory_mb: int | None = 2048, prune: bool = False, dry_run: bool = False,
                ocr: bool = False, rehash: bool = False) -> IndexReport:
    """Index files and folders into ``index_dir``; return what was indexed, skipped and failed.

    ``jobs`` worker processes extract files (default: one per core), each file limited to
    ``file_timeout`` seconds (None or 0: no limit) and each worker to ``max_memory_mb`` of address
    space. With ``jobs=1`` and no time limit, extraction runs in this process instead.
    ``prune`` removes documents whose files are gone from under ``paths``; ``dry_run`` only reports
    what would change; ``rehash`` hashes files even when size and mtime are unchanged; ``ocr`` reads
    scanned PDF pages with Tesseract when it is installed (a note in the report says when it is not).
    Raises IndexLockedError when another run holds the index for more than ``wait`` seconds.
    """
    started = time.perf_counter()
    report = IndexReport(dry_run=dry_run)
    roots = [os.path.abspath(p) for p in paths]
    files, walk_failures = collect_files(Path(p) for p in roots)
    report.failed.extend(walk_failures)

    if dry_run:
        ix = _open_existing(index_dir)
        known = known_files(ix) if ix is not None else {}
        drop_missing_roots(report, known)
        p = plan(files, known, roots, max_bytes, rehash, report)
        fill_plan(report, p, prune)
        settle(report, p)
        if ix is not None:
            _count(ix, report)
        return finish(report, started)

    pages_cache = ocr_cache(Path(index_dir).resolve() / OCR_CACHE, report) if ocr else None

    with IndexLock(index_dir, wait) as lock:
        if lock.stale is not None:
            report.notes.append(Reason(N_("the previous indexing run ({run}) did not finish; "
                                          "its last uncommitted batch is redone now"), run=lock.stale.describe()))
        ix = create_or_open(index_dir)
        known = known_files(ix)
        drop_missing_roots(report, known)
        p = plan(files, known, roots, max_bytes, rehash, report)
        fill_plan(report, p, prune)
        jobs = jobs or os.cpu_count() or 1
        batch = _Batch(ix, wait, _builders(index_dir, p, jobs))
        try:
            _apply_plan(ix, batch, p, prune, report)
            extract_all(p, report, jobs=jobs, max_bytes=max_bytes, file_timeout=file_timeout,
                        max_memory_mb=max_memory_mb, ocr_cache=pages_cache, progress=progress,
                        write=lambda prepared, state, replace: batch.apply(
                            lambda w: _write(w, prepared, state, replace),
                            sum(len(d.passages) for d in prepared.docs), prepared.path),
                        tick=lambda: _commit_if_due(batch))
            batch.commit(merge=True)
        except BaseException:
            batch.cancel()
            raise
        finally:
            batch.close()
        late_failures(report, batch.late_failures)
        settle(report, p)
        _count(ix, report)
        from searchdocs.engines.whoosh.index import Index  # version groups worked out once here, not at every search

        with Index(index_dir) as done:
            done.save_versions()
    return finish(report, started)


def _builders(index_dir: str | Path, p: Plan, jobs: int) -> list | None:
    """Segment builder processes for a run with enough to extract to repay starting them."""
    if jobs < 2 or sum(s.size for s in p.extract) < PARALLEL_MIN_BYTES:
        return None
    from searchdocs.engines.whoosh.segments import start_builders

    return start_builders(str(index_dir), jobs)


def _apply_plan(ix, batch: _Batch, p: Plan, prune: bool, report: IndexReport) -> None:
    """Moves, refreshed records and removals: index-only work, before any extraction."""
    if not (p.moved or p.touched or p.drop or (prune and p.gone)):
        return
    with ix.searcher() as searcher:
        for old, state in p.moved:
            error = batch.apply(lambda w, old=old, state=state: _refile(w, searcher, old, state, True))
            if error:  # cannot re-file from the index: extract it again instead
                p.extract.append(state)
                report.warnings.append(Failure(state.path, Reason(N_("moved, but {error}; extracting again"),
                                                                  error=error)))
            _commit_if_due(batch)
        for state in p.touched:
            batch.apply(lambda w, state=state: _refile(w, searcher, state.path, state, False))
            _commit_if_due(batch)
        for path in p.drop + (p.gone if prune else []):
            batch.apply(lambda w, path=path: w.delete_by_term("path", path))
            _commit_if_due(batch)
        batch.commit()  # the operations above read this searcher: never replay them after it closes


def _commit_if_due(batch: _Batch) -> None:
    if batch.due():
        batch.commit()
