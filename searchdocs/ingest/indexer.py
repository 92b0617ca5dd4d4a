"""Indexing, up to the engine: which files to read, and each file read into documents and passages.

A file is known by its path, content hash (sha1), size and modification time, all stored on its
document record. A run sorts the files under the given paths into (``plan``):

- unchanged: same size and mtime as recorded (not even re-read), or same hash;
- new and changed: extracted in worker processes (:mod:`searchdocs.ingest.workers`: a time and
  memory limit per file, and a crash, hang or out-of-memory costs only that file; ``extract_all``),
  then written by the engine;
- moved: a new path whose content hash is that of an indexed file whose path is gone: the stored
  passages are re-filed under the new path, without extracting again;
- deleted: indexed files under the given paths that no longer exist; reported, and removed with
  ``prune=True``. Pruning never looks outside the given paths, so indexing one folder cannot drop
  the documents of another;
- copies: content already indexed from another path that still exists is indexed once, with a
  warning (a document's id is derived from its content hash, so two copies would share it).

Each engine writes in its own way (:mod:`searchdocs.engines.whoosh.writer`,
:mod:`searchdocs.engines.opensearch.writer`), with the records of ``document_facts`` and the
filter fields of ``filter_fields``.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from searchdocs.errors import N_, Reason
from searchdocs.models import DocMeta, Failure, IndexReport, Passage
from searchdocs.documents.normalize import slug

ProgressFn = Callable[[int, int, str], None]
WriteFn = Callable[["Prepared", "FileState", bool], "str | None"]  # (prepared, state, replace) -> error

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


def filter_fields(meta: dict) -> dict[str, str]:
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


def file_facts(state: FileState) -> dict:
    return {"size": state.size, "mtime_ns": state.mtime_ns, "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S")}


def document_facts(doc: PreparedDoc, state: FileState) -> dict:
    """What a document record stores beside its identity: metadata, extraction facts, file facts."""
    return {
        "meta": dataclasses.asdict(doc.meta),
        "record_id": doc.record_id,
        "pages": doc.pages,
        "pages_without_text": doc.pages_without_text,
        "pages_ocr": doc.pages_ocr,
        "converted_from": doc.converted_from,
        "title_hint": doc.title_hint,
        "passages": len(doc.passages),
        **file_facts(state),
    }


@dataclass
class Known:
    """An indexed file, from its document records."""

    sha: str
    size: int | None
    mtime_ns: int | None
    doc_ids: list[str] = field(default_factory=list)
    passages: int = 0


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


def fill_plan(report: IndexReport, p: Plan, prune: bool) -> None:
    report.new, report.changed = list(p.new), list(p.changed)
    report.moved = [(old, s.path) for old, s in p.moved]
    report.unchanged = p.unchanged
    if prune:
        report.removed = list(p.gone) + list(p.drop)
    else:
        report.missing = list(p.gone)
        report.removed = list(p.drop)


def drop_missing_roots(report: IndexReport, known: dict[str, Known]) -> None:
    """A given path that is gone is not a failure when the index has files under it (they are deleted)."""
    report.failed = [f for f in report.failed
                     if not (f.reason == "no such file or folder" and any(under(k, [f.path]) for k in known))]


def late_failures(report: IndexReport, failures: list[tuple[str, str]]) -> None:
    """Files whose writing failed only when their batch was replayed: failed, not indexed."""
    for path, reason in failures:
        if path in report.indexed:
            report.indexed.remove(path)
        report.warnings = [w for w in report.warnings if w.path != path]
        report.failed.append(Failure(path, reason))


def settle(report: IndexReport, p: Plan) -> None:
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


def finish(report: IndexReport, started: float) -> IndexReport:
    report.failed = [Failure(printable_path(f.path), f.reason) for f in report.failed]
    report.warnings = [Failure(printable_path(w.path), w.reason) for w in report.warnings]
    report.seconds = time.perf_counter() - started
    return report


def extract_all(p: Plan, report: IndexReport, *, jobs: int, max_bytes: int | None, file_timeout: float | None,
                max_memory_mb: int | None, ocr_cache: str | None, progress: ProgressFn | None,
                write: WriteFn, tick: Callable[[], None]) -> None:
    """Extract the plan's new and changed files in worker processes and hand each to ``write``
    (``None``: written, else the one-line reason it was not); ``tick`` is called between files
    and while waiting on slow ones, for the engine to commit on time."""
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
                tick()
                continue
            done += 1
            path = outcome.key
            if not outcome.ok:
                report.failed.append(Failure(path, outcome.reason))
            else:
                prepared: Prepared = outcome.value
                error = write(prepared, todo[path], path in changed)
                if error:
                    report.failed.append(Failure(path, error))
                else:
                    report.indexed.append(path)
                    report.warnings.extend(Failure(path, w) for w in prepared.warnings)
                tick()
            if progress:
                progress(done, len(tasks), path)


def file_state(path: str, facts: dict, sha: str) -> str:
    """"ok", "changed", "vanished" or "unreadable" for the file behind a record."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "vanished"
    except OSError:
        return "unreadable"
    if facts.get("size") == st.st_size and facts.get("mtime_ns") == st.st_mtime_ns:
        return "ok"
    try:
        return "ok" if file_sha(path) == sha else "changed"
    except OSError:
        return "unreadable"


def compare_files(report, records: dict[str, tuple[dict, str]], listed: int) -> None:
    """Each file behind the records (path → its facts and hash) against the disk, into a
    ``CheckReport``: up to date, changed, vanished or unreadable (at most ``listed`` named each)."""
    lists = {"changed": report.changed, "vanished": report.vanished, "unreadable": report.unreadable}
    for path, (facts, sha) in sorted(records.items()):
        state = file_state(path, facts, sha)
        if state == "ok":
            report.up_to_date += 1
        elif len(lists[state]) < listed:
            lists[state].append(path)


def ocr_cache(folder: Path, report: IndexReport) -> str | None:
    """Where OCR keeps the pages it read (``folder``), or None with a note when Tesseract is missing."""
    from searchdocs.extract.ocr import ocr_unavailable

    missing = ocr_unavailable()
    if missing:
        report.notes.append(missing)
        return None
    return str(folder)
