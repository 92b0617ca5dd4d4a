"""Batch, incremental, crash-safe indexing: extraction in worker processes, writes in this one.

A file is known by its path, content hash (sha1), size and modification time, all stored on its
document record. A run sorts the files under the given paths into:

- unchanged: same size and mtime as recorded (not even re-read), or same hash;
- new and changed: extracted in worker processes (:mod:`searchdocs.ingest.workers`: a time and memory
  limit per file, and a crash, hang or out-of-memory costs only that file), then written here;
- moved: a new path whose content hash is that of an indexed file whose path is gone: the stored
  passages are re-filed under the new path, without extracting again;
- deleted: indexed files under the given paths that no longer exist; reported, and removed with
  ``prune=True``. Pruning never looks outside the given paths, so indexing one folder cannot drop
  the documents of another;
- copies: content already indexed from another path that still exists is indexed once, with a
  warning (a document's id is derived from its content hash, so two copies would share it).

Crash safety. Only one run writes an index at a time (:mod:`searchdocs.engines.whoosh.lock`). Writes go to Whoosh
in batches, committed every ``BATCH_FILES`` files, ``BATCH_PASSAGES`` passages or ``BATCH_SECONDS``
seconds, whichever comes first. Everything written for one file -- the deletion of its old version,
its document record and all its passages -- goes into the same batch, and a Whoosh commit is atomic
(a new table of contents renamed into place), so a run killed at any moment leaves the index as of
its last commit, readable, with every file either wholly in it (old or new version) or not at all.
The next run sees what is missing or stale and does exactly that work again.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from searchdocs.errors import N_, Reason
from searchdocs.engines.whoosh.lock import IndexLock
from searchdocs.models import DocMeta, Failure, IndexReport, Passage
from searchdocs.documents.normalize import slug
from searchdocs.engines.whoosh.store import INDEX_NAME, create_or_open

ProgressFn = Callable[[int, int, str], None]

BATCH_FILES = 200  # commit at least this often, so a crash loses one batch at most
BATCH_PASSAGES = 20_000
BATCH_SECONDS = 30.0
BATCH_SECONDS_PARALLEL = 120.0  # with segment builders: each commit makes a segment per builder
PARALLEL_MIN_BYTES = 20_000_000  # of files to extract, for a run to use segment builders (with jobs >= 2)
OCR_CACHE = "ocr-cache"


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
    pages_ocr: int = 0


@dataclass
class Prepared:
    path: str
    sha: str
    docs: list[PreparedDoc]
    warnings: list[str]


@dataclass(frozen=True)
class FileState:
    """A file as seen by this run: what is stored on its document record."""

    path: str
    sha: str
    size: int
    mtime_ns: int


def file_sha(path: str | Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def printable_path(path: str) -> str:
    """``path`` printable everywhere: bytes of a file name that are not UTF-8 become ``\\xff``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Files to index under ``paths`` (recursively), and the paths that cannot be walked.

    Hidden files and folders are skipped; a folder reached twice (symlink loop) is walked once; a
    special file (pipe, device, socket) with a supported suffix is reported, never opened.
    """
    from searchdocs.extract import SUPPORTED_SUFFIXES

    files: list[Path] = []
    failures: list[Failure] = []
    seen_dirs: set[str] = set()

    def walk(directory: Path) -> None:
        real = os.path.realpath(directory)
        if real in seen_dirs:
            failures.append(Failure(str(directory), Reason(N_("symlink loop: folder already visited"))))
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as e:
            failures.append(Failure(str(directory), Reason(N_("cannot read folder: {error}"),
                                                           error=str(e.strerror or e))))
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name.lower().startswith("readme."):
                continue  # hidden files, and a folder's README, are not documents
            p = Path(entry.path)
            try:
                if entry.is_dir():
                    walk(p)
                elif p.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                elif entry.is_file():
                    files.append(p)
                elif entry.is_symlink() and not p.exists():
                    failures.append(Failure(str(p), Reason(N_("broken symlink or symlink loop"))))
                else:
                    failures.append(Failure(str(p), Reason(N_("not a regular file (device, pipe or socket)"))))
            except OSError as e:
                failures.append(Failure(str(p), _os_reason(e)))

    for p in paths:
        p = Path(os.path.abspath(p))
        try:
            if p.is_dir():
                walk(p)
            elif p.is_file():
                files.append(p)
            elif p.is_symlink():
                failures.append(Failure(str(p), Reason(N_("broken symlink or symlink loop"))))
            elif p.exists():
                failures.append(Failure(str(p), Reason(N_("not a regular file (device, pipe or socket)"))))
            else:
                failures.append(Failure(str(p), Reason(N_("no such file or folder"))))
        except OSError as e:
            failures.append(Failure(str(p), _os_reason(e)))
    return list(dict.fromkeys(files)), failures


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return Reason(N_("symlink loop (too many levels of symbolic links)"))
    return Reason(N_("cannot read: {error}"), error=str(e.strerror or e))


# --- preparing one file (in a worker process) ----------------------------------------------------


def _text(value: str) -> str:
    """Lone surrogates (from JSON ``\\ud800`` escapes or odd decoders) cannot be indexed: replace them."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def _clean_strings(obj):
    """``obj`` with every string in it passed through ``_text`` (dataclasses, lists, dicts)."""
    if isinstance(obj, Reason):  # keep the template; clean what was filled in
        return Reason(obj.template, **{k: _clean_strings(v) for k, v in obj.params.items()})
    if isinstance(obj, str):
        return _text(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            setattr(obj, f.name, _clean_strings(getattr(obj, f.name)))
        return obj
    if isinstance(obj, list):
        return [_clean_strings(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _clean_strings(v) for k, v in obj.items()}
    return obj


def _ocr_pages(path: str, sha: str, ex, cache: str, timeout: float | None, warnings: list[str]) -> int:
    """OCR the pages of ``ex`` that have no text layer, in place; return how many gained text."""
    from searchdocs.extract.lines import clean, has_text
    from searchdocs.extract.ocr import ocr_page
    from searchdocs.ingest.workers import heartbeat, one_line

    read, errors = 0, []
    for page in ex.pages:
        if page.number is None or has_text(page.text):
            continue
        try:
            text = clean(ocr_page(Path(path), page.number, sha, Path(cache), timeout))
        except (OSError, subprocess.SubprocessError) as e:
            errors.append(f"page {page.number}: {one_line(e)}")
            continue
        heartbeat()
        if has_text(text):
            page.text = text
            read += 1
    if errors:
        warnings.append(Reason(N_("OCR failed on {count} pages ({first})"), count=len(errors), first=errors[0]))
    ex.pages_without_text = sum(1 for p in ex.pages if not has_text(p.text))
    return read


def prepare(path: str, sha: str, max_bytes: int | None = None, ocr_cache: str | None = None,
            ocr_timeout: float | None = None) -> Prepared:
    """Extract, split and parse one file (runs in a worker process).

    With ``ocr_cache`` (a folder), PDF pages without a text layer are read by OCR first.
    """
    from searchdocs.extract import extract
    from searchdocs.documents.metadata import parse_metadata
    from searchdocs.documents.structure import split_passages

    docs: list[PreparedDoc] = []
    warnings: list[str] = []
    ids: set[str] = set()
    for ex in extract(Path(path), max_bytes=max_bytes):
        warnings.extend(ex.warnings)
        ocr_read = 0
        if ocr_cache and ex.pages_without_text and any(p.number is not None for p in ex.pages):
            ocr_read = _ocr_pages(path, sha, ex, ocr_cache, ocr_timeout, warnings)
            if ocr_read:
                warnings.append(Reason(N_("{count} scanned pages read by OCR"), count=ocr_read))
        passages = split_passages(ex.pages)
        meta = parse_metadata(ex.text)
        numbered = [p.number for p in ex.pages if p.number is not None]
        doc_id = sha[:12] if ex.record_id is None else f"{sha[:8]}:{ex.record_id}"
        if doc_id in ids:  # a JSONL feed repeating a record id: keep both, apart
            n = 2
            while f"{doc_id}~{n}" in ids:
                n += 1
            warnings.append(Reason(N_("record id {record!r} appears more than once; indexed as {doc_id}"),
                                   record=ex.record_id, doc_id=f"{doc_id}~{n}"))
            doc_id = f"{doc_id}~{n}"
        ids.add(doc_id)
        docs.append(PreparedDoc(doc_id, ex.record_id, meta, passages, max(numbered) if numbered else None,
                                ex.pages_without_text, ex.converted_from, ex.title, ocr_read))
        if ex.pages_without_text:
            total = len(ex.pages)
            warnings.append(Reason(N_("no text layer on {count} of {total} pages (scanned)") if ocr_cache else
                                   N_("no text layer on {count} of {total} pages (scanned; index with --ocr to "
                                      "read them)"), count=ex.pages_without_text, total=total))
    return _clean_strings(Prepared(path, sha, docs, warnings))


# The function worker processes run for each file. Tests replace it (it must stay importable by name).
PREPARE: Callable[..., Prepared] = prepare


# --- writing -------------------------------------------------------------------------------------


def _filter_fields(meta: dict) -> dict[str, str]:
    """Filter fields shared by a document record and each of its passages, from its metadata."""
    fields: dict[str, str] = {}
    numbers = []
    if meta.get("number"):
        from searchdocs.documents.numbers import find_numbers

        for n in find_numbers(meta["number"]):
            numbers += [n.key, n.short_key, n.numeral]
    if numbers:
        fields["docnum"] = " ".join(dict.fromkeys(numbers))
    if meta.get("doc_type"):
        fields["doc_type"] = slug(meta["doc_type"])
    if meta.get("issuer"):
        fields["issuer"] = slug(meta["issuer"])
    if meta.get("signer"):
        fields["signer"] = slug(meta["signer"])
    if meta.get("date"):
        fields["date"] = meta["date"]
        fields["year"] = meta["date"][:4]
    return fields


def _file_facts(state: FileState) -> dict:
    return {"size": state.size, "mtime_ns": state.mtime_ns, "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S")}


def _write(writer, prepared: Prepared, state: FileState, replace: bool = True) -> int:
    """Replace everything indexed from ``prepared.path`` with its new documents; return passages.

    ``replace=False`` for a path the index has never held: the deletion would find nothing, and
    Whoosh opens a reader over every segment to look (measured: tens of MB per segment per batch)."""
    if replace:
        writer.delete_by_term("path", prepared.path)
    count = 0
    for doc in prepared.docs:
        meta = dataclasses.asdict(doc.meta)
        shared = _filter_fields(meta)
        facts = {
            "meta": meta,
            "record_id": doc.record_id,
            "pages": doc.pages,
            "pages_without_text": doc.pages_without_text,
            "pages_ocr": doc.pages_ocr,
            "converted_from": doc.converted_from,
            "title_hint": doc.title_hint,
            "passages": len(doc.passages),
            **_file_facts(state),
        }
        writer.add_document(pid=f"d:{doc.doc_id}", kind="d", doc_id=doc.doc_id, path=prepared.path,
                            sha=prepared.sha, meta=json.dumps(facts, ensure_ascii=False), **shared)
        for p in doc.passages:
            writer.add_document(pid=f"{doc.doc_id}#{p.ordinal}", kind="p", doc_id=doc.doc_id,
                                path=prepared.path, ordinal=p.ordinal, section=p.label, page=p.page,
                                body=p.text, bigrams=p.text, **shared)
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
        facts.update(_file_facts(state))
        shared = _filter_fields(facts.get("meta") or {})
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
                                body=p["body"], bigrams=p["body"], **shared)
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


# --- planning ------------------------------------------------------------------------------------


@dataclass
class Known:
    """An indexed file, from its document records."""

    sha: str
    size: int | None
    mtime_ns: int | None
    doc_ids: list[str] = field(default_factory=list)
    passages: int = 0


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


def under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


@dataclass
class Plan:
    extract: list[FileState] = field(default_factory=list)  # new and changed, in walk order
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[tuple[str, FileState]] = field(default_factory=list)
    touched: list[FileState] = field(default_factory=list)  # same content, new size/mtime to record
    unchanged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # indexed, under the roots, file no longer there
    drop: list[str] = field(default_factory=list)  # indexed paths whose new content duplicates another
    copies: list[tuple[str, str]] = field(default_factory=list)  # (path, the path whose content it repeats)


def plan(files: list[Path], known: dict[str, Known], roots: list[str], max_bytes: int | None,
         rehash: bool, report: IndexReport) -> Plan:
    """Sort ``files`` against the index; failures and duplicate warnings go to ``report``."""
    result = Plan()
    seen: set[str] = set()
    fresh: list[FileState] = []  # read (hashed) this run, content not what is recorded for the path
    holder: dict[str, str] = {}  # content hash → the path that holds it in the index after this run
    for p in files:
        path = str(p)
        seen.add(path)
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            report.failed.append(Failure(path, Reason(N_("file name is not valid UTF-8: rename the file"))))
            continue
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                report.failed.append(Failure(path, Reason(N_("not a regular file (device, pipe or socket)"))))
                continue
            if st.st_size == 0:  # every empty file has one hash: it must not pass for a copy of another
                report.failed.append(Failure(path, Reason(N_("empty file (0 bytes)"))))
                continue
            if max_bytes is not None and st.st_size > max_bytes:
                report.failed.append(Failure(
                    path, Reason(N_("file too large: {size} MB > limit {limit} MB"), size=f"{st.st_size / 1e6:.1f}",
                                 limit=f"{max_bytes / 1e6:.1f}")))
                continue
            k = known.get(path)
            if (k is not None and not rehash and k.size == st.st_size and k.mtime_ns == st.st_mtime_ns):
                result.unchanged.append(path)
                holder.setdefault(k.sha, path)
                continue
            state = FileState(path, file_sha(path), st.st_size, st.st_mtime_ns)
        except OSError as e:
            report.failed.append(Failure(path, _os_reason(e)))
            continue
        if k is not None and k.sha == state.sha:
            result.unchanged.append(path)
            holder.setdefault(k.sha, path)
            if (k.size, k.mtime_ns) != (state.size, state.mtime_ns):
                result.touched.append(state)
        else:
            fresh.append(state)

    gone = []
    for path, k in known.items():
        if path in seen:
            continue
        if os.path.exists(path):
            holder.setdefault(k.sha, path)  # indexed from outside these paths, and still there
        else:
            gone.append(path)
    gone_by_sha: dict[str, str] = {}
    for path in gone:
        gone_by_sha.setdefault(known[path].sha, path)
    for state in fresh:
        old = gone_by_sha.pop(state.sha, None) if state.path not in known else None
        if old is not None:
            result.moved.append((old, state))
            holder.setdefault(state.sha, state.path)
            continue
        other = holder.get(state.sha)
        if other is not None:
            result.copies.append((state.path, other))
            if state.path in known:
                result.drop.append(state.path)
            continue
        holder[state.sha] = state.path
        result.extract.append(state)
        (result.changed if state.path in known else result.new).append(state.path)
    moved_from = {old for old, _ in result.moved}
    result.gone = [path for path in gone if path not in moved_from and under(path, roots)]
    return result


# --- the run -------------------------------------------------------------------------------------


def _open_existing(index_dir: str | Path):
    from whoosh import index as whoosh_index

    from searchdocs.engines.whoosh.store import open_index

    if not Path(index_dir).is_dir() or not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        return None
    return open_index(index_dir)


def _fill_plan(report: IndexReport, p: Plan, prune: bool) -> None:
    report.new, report.changed = list(p.new), list(p.changed)
    report.moved = [(old, s.path) for old, s in p.moved]
    report.unchanged = p.unchanged
    if prune:
        report.removed = list(p.gone) + list(p.drop)
    else:
        report.missing = list(p.gone)
        report.removed = list(p.drop)


def _count(ix, report: IndexReport) -> None:
    with ix.searcher() as s:
        report.documents = sum(1 for _ in s.document_numbers(kind="d"))
        report.passages = sum(1 for _ in s.document_numbers(kind="p"))


def _drop_missing_roots(report: IndexReport, known: dict[str, Known]) -> None:
    """A given path that is gone is not a failure when the index has files under it (they are deleted)."""
    report.failed = [f for f in report.failed
                     if not (f.reason == "no such file or folder" and any(under(k, [f.path]) for k in known))]


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
        _drop_missing_roots(report, known)
        p = plan(files, known, roots, max_bytes, rehash, report)
        _fill_plan(report, p, prune)
        _settle(report, p)
        if ix is not None:
            _count(ix, report)
        return _finish(report, started)

    ocr_cache = None
    if ocr:
        from searchdocs.extract.ocr import ocr_unavailable

        missing = ocr_unavailable()
        if missing:
            report.notes.append(missing)
        else:
            ocr_cache = str(Path(index_dir).resolve() / OCR_CACHE)

    with IndexLock(index_dir, wait) as lock:
        if lock.stale is not None:
            report.notes.append(Reason(N_("the previous indexing run ({run}) did not finish; "
                                          "its last uncommitted batch is redone now"), run=lock.stale.describe()))
        ix = create_or_open(index_dir)
        known = known_files(ix)
        _drop_missing_roots(report, known)
        p = plan(files, known, roots, max_bytes, rehash, report)
        _fill_plan(report, p, prune)
        jobs = jobs or os.cpu_count() or 1
        batch = _Batch(ix, wait, _builders(index_dir, p, jobs))
        try:
            _apply_plan(ix, batch, p, prune, report)
            _extract_and_write(batch, p, report, jobs=jobs, max_bytes=max_bytes,
                               file_timeout=file_timeout, max_memory_mb=max_memory_mb,
                               ocr_cache=ocr_cache, progress=progress)
            batch.commit(merge=True)
        except BaseException:
            batch.cancel()
            raise
        finally:
            batch.close()
        _late_failures(report, batch.late_failures)
        _settle(report, p)
        _count(ix, report)
        from searchdocs.engines.whoosh.index import Index  # version groups worked out once here, not at every search

        with Index(index_dir) as done:
            done.save_versions()
    return _finish(report, started)


def _builders(index_dir: str | Path, p: Plan, jobs: int) -> list | None:
    """Segment builder processes for a run with enough to extract to repay starting them."""
    if jobs < 2 or sum(s.size for s in p.extract) < PARALLEL_MIN_BYTES:
        return None
    from searchdocs.engines.whoosh.segments import start_builders

    return start_builders(str(index_dir), jobs)


def _late_failures(report: IndexReport, failures: list[tuple[str, str]]) -> None:
    """Files whose writing failed only when their batch was replayed: failed, not indexed."""
    for path, reason in failures:
        if path in report.indexed:
            report.indexed.remove(path)
        report.warnings = [w for w in report.warnings if w.path != path]
        report.failed.append(Failure(path, reason))


def _settle(report: IndexReport, p: Plan) -> None:
    """Once the run is over, every file in one count: new and changed are the files indexed as such
    (a file that failed is only failed), and a copy shares the outcome of the file it repeats."""
    if not report.dry_run:
        done = set(report.indexed)
        report.new = [path for path in report.new if path in done]
        report.changed = [path for path in report.changed if path in done]
    failed = {f.path: f.reason for f in report.failed}
    for path, other in p.copies:
        if other in failed:
            report.failed.append(Failure(path, Reason(N_("same content as {other}, which failed: {reason}"),
                                                      other=printable_path(other), reason=failed[other])))
            continue
        report.copies.append(path)
        report.warnings.append(Failure(path, Reason(N_("same content as {other}: indexed once"),
                                                    other=printable_path(other))))


def _finish(report: IndexReport, started: float) -> IndexReport:
    report.failed = [Failure(printable_path(f.path), f.reason) for f in report.failed]
    report.warnings = [Failure(printable_path(w.path), w.reason) for w in report.warnings]
    report.seconds = time.perf_counter() - started
    return report


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


def _extract_and_write(batch: _Batch, p: Plan, report: IndexReport, *, jobs: int, max_bytes: int | None,
                       file_timeout: float | None, max_memory_mb: int | None, ocr_cache: str | None,
                       progress: ProgressFn | None) -> None:
    from searchdocs.ingest.workers import WorkerPool

    todo = {s.path: s for s in p.extract}
    changed = set(p.changed)
    report.jobs = min(jobs, len(todo)) or 1
    if not todo:
        return
    in_process = jobs == 1 and not file_timeout
    tasks = [(s.path, (s.path, s.sha, max_bytes, ocr_cache, file_timeout)) for s in todo.values()]
    done = 0
    if progress:
        progress(0, len(tasks), "")
    with WorkerPool(PREPARE, min(jobs, len(tasks)), timeout=file_timeout, max_memory_mb=max_memory_mb,
                    in_process=in_process) as pool:
        for outcome in pool.run(tasks):
            if outcome is None:  # waiting on slow files: still commit on time
                _commit_if_due(batch)
                continue
            done += 1
            path = outcome.key
            if not outcome.ok:
                report.failed.append(Failure(path, outcome.reason))
            else:
                prepared: Prepared = outcome.value
                passages = sum(len(d.passages) for d in prepared.docs)
                error = batch.apply(lambda w, prepared=prepared, state=todo[path], replace=path in changed:
                                    _write(w, prepared, state, replace), passages, path)
                if error:
                    report.failed.append(Failure(path, error))
                else:
                    report.indexed.append(path)
                    report.warnings.extend(Failure(path, w) for w in prepared.warnings)
                _commit_if_due(batch)
            if progress:
                progress(done, len(tasks), path)
