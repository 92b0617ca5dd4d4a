"""Batch, incremental indexing: extraction in worker processes, writes in this one.

A file is identified by its path and its content hash: unchanged files are skipped, changed
ones have their passages replaced, and one bad file only ever costs itself. Writes are
committed in batches so that an interrupted run keeps all earlier batches.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtractionError, IndexLockedError
from .models import DocMeta, Failure, IndexReport, Passage
from .store import create_or_open, slug

ProgressFn = Callable[[int, int, str], None]

BATCH_FILES = 200  # commit at least this often, so a crash loses one batch at most


@dataclass
class PreparedDoc:
    """Everything the writer needs for one document; built in a worker process."""

    doc_id: str
    record_id: str | None
    meta: DocMeta
    passages: list[Passage]
    pages: int | None
    pages_without_text: int
    converted_from: str | None
    title_hint: str | None


@dataclass
class Prepared:
    path: str
    sha: str
    docs: list[PreparedDoc]
    warnings: list[str]


def file_sha(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Files to index under ``paths`` (recursively), and the paths that cannot be walked."""
    from .extract import SUPPORTED_SUFFIXES

    files: list[Path] = []
    failures: list[Failure] = []
    seen_dirs: set[str] = set()

    def walk(directory: Path) -> None:
        real = os.path.realpath(directory)
        if real in seen_dirs:
            failures.append(Failure(str(directory), "symlink loop: folder already visited"))
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as e:
            failures.append(Failure(str(directory), f"cannot read folder: {e.strerror or e}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            p = Path(entry.path)
            try:
                if entry.is_dir():
                    walk(p)
                elif entry.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(p)
                elif entry.is_symlink() and not p.exists():
                    failures.append(Failure(str(p), "broken symlink or symlink loop"))
            except OSError as e:
                failures.append(Failure(str(p), f"cannot read: {e.strerror or e}"))

    for p in paths:
        p = Path(os.path.abspath(p))
        if p.is_dir():
            walk(p)
        elif p.is_file():
            files.append(p)
        elif p.is_symlink():
            failures.append(Failure(str(p), "broken symlink or symlink loop"))
        else:
            failures.append(Failure(str(p), "no such file or folder"))
    return list(dict.fromkeys(files)), failures


def prepare(path: str, sha: str, max_bytes: int | None) -> Prepared:
    """Extract, split and parse one file (runs in a worker process)."""
    from .extract import extract
    from .metadata import parse_metadata
    from .structure import split_passages

    docs: list[PreparedDoc] = []
    warnings: list[str] = []
    for ex in extract(Path(path), max_bytes=max_bytes):
        warnings.extend(ex.warnings)
        passages = split_passages(ex.pages)
        meta = parse_metadata(ex.text)
        numbered = [p.number for p in ex.pages if p.number is not None]
        doc_id = sha[:12] if ex.record_id is None else f"{sha[:8]}:{ex.record_id}"
        docs.append(PreparedDoc(doc_id, ex.record_id, meta, passages, max(numbered) if numbered else None,
                                ex.pages_without_text, ex.converted_from, ex.title))
        if ex.pages_without_text:
            total = len(ex.pages)
            warnings.append(f"no text layer on {ex.pages_without_text} of {total} pages (scanned; OCR needed)")
    return Prepared(path, sha, docs, warnings)


def _doc_fields(doc: PreparedDoc) -> dict[str, str]:
    """Filter fields shared by a document record and each of its passages."""
    meta = doc.meta
    fields: dict[str, str] = {}
    numbers = []
    if meta.number:
        from .numbers import find_numbers

        for n in find_numbers(meta.number):
            numbers += [n.key, n.short_key, n.numeral]
    if numbers:
        fields["docnum"] = " ".join(dict.fromkeys(numbers))
    if meta.doc_type:
        fields["doc_type"] = slug(meta.doc_type)
    if meta.issuer:
        fields["issuer"] = slug(meta.issuer)
    if meta.signer:
        fields["signer"] = slug(meta.signer)
    if meta.date:
        fields["date"] = meta.date
        fields["year"] = meta.date[:4]
    return fields


def _write(writer, prepared: Prepared) -> int:
    """Replace everything indexed from ``prepared.path`` with its new documents; return passages."""
    writer.delete_by_term("path", prepared.path)
    count = 0
    for doc in prepared.docs:
        shared = _doc_fields(doc)
        facts = {
            "meta": dataclasses.asdict(doc.meta),
            "record_id": doc.record_id,
            "pages": doc.pages,
            "pages_without_text": doc.pages_without_text,
            "converted_from": doc.converted_from,
            "title_hint": doc.title_hint,
            "passages": len(doc.passages),
            "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        writer.add_document(pid=f"d:{doc.doc_id}", kind="d", doc_id=doc.doc_id, path=prepared.path,
                            sha=prepared.sha, meta=json.dumps(facts, ensure_ascii=False), **shared)
        for p in doc.passages:
            writer.add_document(pid=f"{doc.doc_id}#{p.ordinal}", kind="p", doc_id=doc.doc_id,
                                path=prepared.path, ordinal=p.ordinal, section=p.label, page=p.page,
                                body=p.text, bigrams=p.text, **shared)
            count += 1
    return count


def indexed_files(ix) -> dict[str, str]:
    """Path → content hash of every file in the index."""
    with ix.searcher() as s:
        return {f["path"]: f["sha"] for f in s.documents(kind="d")}


def _plan(files: list[Path], known: dict[str, str], max_bytes: int | None,
          report: IndexReport) -> list[tuple[str, str]]:
    todo: list[tuple[str, str]] = []
    for p in files:
        path = str(p)
        try:
            if max_bytes is not None and p.stat().st_size > max_bytes:
                size = p.stat().st_size / 1e6
                report.failed.append(Failure(path, f"file too large: {size:.1f} MB > limit {max_bytes / 1e6:.1f} MB"))
                continue
            sha = file_sha(p)
        except OSError as e:
            report.failed.append(Failure(path, f"cannot read: {e.strerror or e}"))
            continue
        if known.get(path) == sha:
            report.unchanged.append(path)
        else:
            todo.append((path, sha))
    return todo


def _prepared_results(todo: list[tuple[str, str]], jobs: int, max_bytes: int | None
                      ) -> Iterator[tuple[str, Prepared | Failure]]:
    """Prepare files, in worker processes when ``jobs > 1``, yielding as each one finishes."""
    def safe(path: str, sha: str) -> Prepared | Failure:
        try:
            return prepare(path, sha, max_bytes)
        except ExtractionError as e:
            return Failure(path, str(e))

    if jobs <= 1 or len(todo) <= 1:
        for path, sha in todo:
            yield path, safe(path, sha)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(prepare, path, sha, max_bytes): path for path, sha in todo}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            path = futures[future]
            try:
                yield path, future.result()
            except ExtractionError as e:
                yield path, Failure(path, str(e))
            except Exception as e:  # a worker crash costs only its file
                yield path, Failure(path, f"extraction failed: {type(e).__name__}: {e}")


def index_paths(index_dir: str | Path, paths: Iterable[str | Path], *, jobs: int | None = None,
                max_bytes: int | None = 200_000_000, wait: float = 0.0,
                progress: ProgressFn | None = None) -> IndexReport:
    """Index files and folders into ``index_dir``; return what was indexed, skipped and failed."""
    from whoosh.index import LockError

    started = time.perf_counter()
    report = IndexReport()
    ix = create_or_open(index_dir)
    files, walk_failures = collect_files(Path(p) for p in paths)
    report.failed.extend(walk_failures)
    todo = _plan(files, indexed_files(ix), max_bytes, report)
    jobs = jobs or os.cpu_count() or 1
    try:
        writer = ix.writer(timeout=wait)
    except LockError as e:
        raise IndexLockedError(
            f"the index at {index_dir} is being written by another `searchdocs index` run; "
            "wait for it to finish or pass --wait SECONDS"
        ) from e
    done = 0
    in_batch = 0
    try:
        for path, outcome in _prepared_results(todo, jobs, max_bytes):
            done += 1
            if isinstance(outcome, Failure):
                report.failed.append(outcome)
            else:
                _write(writer, outcome)
                report.indexed.append(path)
                report.warnings.extend(Failure(path, w) for w in outcome.warnings)
                in_batch += 1
                if in_batch >= BATCH_FILES:
                    writer.commit()
                    writer = ix.writer(timeout=max(wait, 30.0))
                    in_batch = 0
            if progress:
                progress(done, len(todo), path)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    with ix.searcher() as s:
        report.documents = sum(1 for _ in s.document_numbers(kind="d"))
        report.passages = sum(1 for _ in s.document_numbers(kind="p"))
    report.seconds = time.perf_counter() - started
    return report

