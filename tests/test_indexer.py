"""Batch indexing end to end: hostile folders, incremental runs, worker limits, locking, OCR.

Real documents are small ones from corpus/ plus generated decisions (a few articles each, with a
unique word so that a search proves each one was indexed). Worker misbehaviour (hang, crash, exit,
memory) comes from ``misbehave``, a module-level function that tests put in place of
``searchdocs.ingest.indexer.PREPARE``; worker processes import it by name from this module.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchdocs.ingest.indexer as indexer
from searchdocs.interface.cli import cli
from searchdocs.errors import IndexLockedError
from searchdocs import index_paths
from searchdocs.engines.whoosh.writer import known_files
from searchdocs.ingest.indexer import prepare
from searchdocs.engines.whoosh.lock import INFO_FILE, IndexLock
from searchdocs.engines.whoosh.index import Index
from searchdocs.engines.whoosh.store import open_index
from searchdocs.ingest.workers import WorkerPool

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
CORPUS = ROOT / "corpus"
LETTER_DOCX = CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"
PARTY_PDF = CORPUS / "sotay_quydinh294.pdf"
SCANNED_PDF = CORPUS / "hc-sct-vn__CV-813-CucHoaChat.pdf"


# --- builders ---------------------------------------------------------------------------------------


def decision(tag: str, articles: int = 3, number: int = 7) -> str:
    """A short provincial decision whose every article mentions ``tag`` (a made-up word)."""
    lines = ["ỦY BAN NHÂN DÂN", "TỈNH HÀ NAM", f"Số: {number}/QĐ-UBND", "Hà Nam, ngày 5 tháng 3 năm 2024",
             "QUYẾT ĐỊNH", f"Về việc thử nghiệm {tag}", ""]
    for i in range(1, articles + 1):
        lines += [f"Điều {i}. Quy định thứ {i}",
                  f"Cán bộ, công chức thực hiện nhiệm vụ {tag} theo khoản {i}, bảo đảm đúng thời hạn."]
    return "\n".join(lines) + "\n"


def write_decision(folder: Path, name: str, tag: str, articles: int = 3) -> Path:
    path = folder / name
    path.write_text(decision(tag, articles), encoding="utf-8")
    return path


def misbehave(path: str, sha: str, *args):
    """``prepare``, except for files named to hang, crash, exit, use too much memory or be slow
    (``slow*``: 0.3 s more, ``lazy*``: 8 s more)."""
    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(600)
    elif name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    elif name.startswith("exit"):
        os._exit(7)
    elif name.startswith("oom"):
        hog = bytearray(3 << 30)  # 3 GB: over the worker's address-space limit
        return len(hog)
    elif name.startswith("slow"):
        time.sleep(0.3)
    elif name.startswith("lazy"):
        time.sleep(8)
    return prepare(path, sha, *args)


def invoke(index: Path, *args: str):
    result = CliRunner().invoke(cli, ["--index", str(index), *args], catch_exceptions=False)
    return result


def index_json(index: Path, *args: str) -> dict:
    result = invoke(index, "index", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def search_paths(index: Path, query: str) -> list[str]:
    with Index(index) as ix:
        return [Path(h.path).name for h in ix.search(query, limit=50).hits]


def passages_by_path(index: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with open_index(index).searcher() as s:
        for fields in s.documents(kind="p"):
            counts[fields["path"]] = counts.get(fields["path"], 0) + 1
        pids = [f["pid"] for f in s.all_stored_fields()]
    assert len(pids) == len(set(pids)), "a passage or record is stored twice"
    return counts


# --- the worker pool on its own ------------------------------------------------------------------


def test_pool_survives_hang_crash_exit_and_memory() -> None:
    tasks = [(name, (f"/x/{name}", "0" * 40)) for name in
             ["hang.txt", "crash.txt", "exit.txt", "oom.txt", "ok.md"]]
    with WorkerPool(misbehave, 2, timeout=4, max_memory_mb=1024) as pool:
        outcomes = {o.key: o for o in pool.run(tasks) if o is not None}
    assert outcomes["hang.txt"].reason == "timed out after 4 s"
    assert outcomes["crash.txt"].reason == "worker crashed (signal 11)"
    assert outcomes["exit.txt"].reason == "worker exited unexpectedly (exit code 7)"
    assert outcomes["oom.txt"].reason == "out of memory (worker limit 1024 MB)"
    # the last one reached a fresh worker and failed only because /x/ok.md does not exist
    assert outcomes["ok.md"].reason == "cannot read: no such file"
    assert len(outcomes) == len(tasks)


def test_pool_in_process_has_the_same_outcomes(tmp_path: Path) -> None:
    good = write_decision(tmp_path, "good.txt", "tronvenx")
    with WorkerPool(prepare, 1, in_process=True) as pool:
        out = [o for o in pool.run([("a", (str(good), "a" * 40)), ("b", (str(tmp_path / "no.txt"), "b" * 40))])]
    assert out[0].ok and out[0].value.docs[0].passages
    assert out[1].reason == "cannot read: no such file"


# --- a folder of hostile files with real documents among them -----------------------------------


def _hostile_folder(root: Path) -> dict[str, str]:
    """Build the folder; return file name → the words its failure reason must contain."""
    from test_hostile import CATALOG, _bomb, build_pdf, pages_pdf, stream

    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    shutil.copy(LETTER_DOCX, docs / "letter.docx")
    write_decision(docs, "quyet-dinh-a.txt", "hoangvux")
    write_decision(docs / "sub", "quyet-dinh-b.md", "lamdongx")
    expected: dict[str, str] = {}

    def bad(name: str, data: bytes, reason: str) -> None:
        (docs / name).write_bytes(data)
        expected[name] = reason

    bad("empty.pdf", b"", "empty file (0 bytes)")
    bad("page.pdf", b"<!DOCTYPE html><html><body>404</body></html>", "not a PDF: looks like HTML")
    bad("noise.pdf", os.urandom(3000).replace(b"%PDF", b"xxxx"), "not a PDF")
    data = PARTY_PDF.read_bytes()
    bad("half.pdf", data[: len(data) // 2], "damaged PDF")
    bad("loop.pdf", build_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                               b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"]), "damaged PDF")
    nested = stream(b"BT /F1 12 Tf 72 712 Td " + b"[" * 5000 + b"]" * 5000 + b" TJ ET")
    bad("deep.pdf", pages_pdf([nested]), "no page could be read")
    bad("binary.txt", b"ab\x00cd" * 10, "not a text file")
    bad("notzip.docx", b"This is not a Word document", "not a DOCX")
    _bomb(docs / "bomb.docx", 20)
    expected["bomb.docx"] = "DOCX too large when uncompressed"
    with zipfile.ZipFile(docs / "broken.docx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    expected["broken.docx"] = "damaged DOCX"
    bad("feed.jsonl", b"not json\n[1, 2]\n", "no valid JSONL record")
    # Names and links.
    (docs / os.fsdecode(b"t\xean-c\xf3-d\xe2\xfa.txt")).write_text(decision("latinx"), encoding="utf-8")
    expected["t\\xean-c\\xf3-d\\xe2\\xfa.txt"] = "file name is not valid UTF-8"
    (docs / "gone.pdf").symlink_to(docs / "nowhere.pdf")
    expected["gone.pdf"] = "broken symlink"
    (docs / "a-loop.pdf").symlink_to(docs / "b-loop.pdf")
    (docs / "b-loop.pdf").symlink_to(docs / "a-loop.pdf")
    expected["a-loop.pdf"] = expected["b-loop.pdf"] = "symlink loop"
    (docs / "sub" / "up").symlink_to(docs)
    expected["up"] = "symlink loop: folder already visited"
    os.mkfifo(docs / "pipe.pdf")
    expected["pipe.pdf"] = "not a regular file"
    # Files that take their worker down.
    write_decision(docs, "hang.txt", "treox")
    expected["hang.txt"] = "timed out after 5 s"
    write_decision(docs, "crash.txt", "vox")
    expected["crash.txt"] = "worker crashed (signal 11)"
    return expected


def test_hostile_folder_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _hostile_folder(tmp_path)
    monkeypatch.setattr(indexer, "PREPARE", misbehave)
    index = tmp_path / "ix"
    result = invoke(index, "index", str(tmp_path / "docs"), "--jobs", "2", "--file-timeout", "5", "--json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    for name, words in expected.items():
        assert name in reasons, f"{name} not reported: {sorted(reasons)}"
        assert words in reasons[name], (name, reasons[name])
        assert "\n" not in reasons[name]
    assert set(reasons) == set(expected)  # nothing else failed
    assert report["indexed"] == 3 and report["failed"] == len(expected)
    # The real documents are searchable, and the index is whole.
    assert search_paths(index, "hoangvux") == ["quyet-dinh-a.txt"]
    assert search_paths(index, "lamdongx") == ["quyet-dinh-b.md"]
    assert "letter.docx" in search_paths(index, "hóa chất")
    check = invoke(index, "check", "--json")
    assert json.loads(check.stdout)["status"] == "healthy", check.stdout
    # Plain output names every failure on one line, with the non-UTF-8 name printable.
    again = invoke(index, "index", str(tmp_path / "docs"), "--file-timeout", "5")
    assert again.exit_code == 0
    assert "unchanged 3" in again.output
    for name in expected:
        assert any(line.startswith("failed: ") and name in line for line in again.output.splitlines()), name


def test_unreadable_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root every file is readable, so the refusal is simulated where the hash pass opens it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "ok.txt", "docduocx")
    secret = write_decision(docs, "secret.txt", "bimatx")
    real_sha = indexer.file_sha

    def sha(path):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied")
        return real_sha(path)

    monkeypatch.setattr(indexer, "file_sha", sha)
    report = index_paths(tmp_path / "ix", [docs], jobs=1, file_timeout=None)
    assert [(Path(f.path).name, f.reason) for f in report.failed] == [("secret.txt", "cannot read: Permission denied")]
    assert report.indexed == [str(docs / "ok.txt")]


def test_jobs_1_with_a_timeout_still_bounds_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "hang.txt", "treox")
    write_decision(docs, "ok.txt", "xongx")
    monkeypatch.setattr(indexer, "PREPARE", misbehave)
    report = index_paths(tmp_path / "ix", [docs], jobs=1, file_timeout=3)
    assert [(Path(f.path).name, f.reason) for f in report.failed] == [("hang.txt", "timed out after 3 s")]
    assert search_paths(tmp_path / "ix", "xongx") == ["ok.txt"]


def test_text_that_whoosh_cannot_store_costs_only_its_record(tmp_path: Path) -> None:
    """JSON escapes can produce lone surrogates, which cannot be encoded: they become U+FFFD."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"_id": "a", "text": "Điều 1. Quy định \\ud800 vexox"}\n'
                    '{"_id": "a", "text": "Điều 1. Quy định khác vexoy"}\n', encoding="utf-8")
    report = index_paths(tmp_path / "ix", [feed], jobs=1, file_timeout=None)
    assert report.failed == [] and report.documents == 2
    assert any("appears more than once" in w.reason for w in report.warnings)
    assert search_paths(tmp_path / "ix", "vexox") == ["feed.jsonl"]
    passages_by_path(tmp_path / "ix")  # no duplicated ids


# --- incremental runs ------------------------------------------------------------------------------


class Calls:
    """Counts files extracted (in-process runs: jobs=1, no timeout) and hashed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.extracted: list[str] = []
        self.hashed: list[str] = []
        real_sha = indexer.file_sha

        def counting_prepare(path, sha, *args):
            self.extracted.append(Path(path).name)
            return prepare(path, sha, *args)

        def counting_sha(path):
            self.hashed.append(Path(path).name)
            return real_sha(path)

        monkeypatch.setattr(indexer, "PREPARE", counting_prepare)
        monkeypatch.setattr(indexer, "file_sha", counting_sha)

    def reset(self) -> None:
        self.extracted.clear()
        self.hashed.clear()


def run(index: Path, *paths: Path, **kwargs):
    return index_paths(index, list(paths), jobs=1, file_timeout=None, **kwargs)


def test_unchanged_files_are_neither_read_nor_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        write_decision(docs, f"d{i}.txt", f"mot{i}x")
    calls = Calls(monkeypatch)
    first = run(tmp_path / "ix", docs)
    assert len(first.new) == 3 and len(first.indexed) == 3 and sorted(calls.extracted) == ["d0.txt", "d1.txt", "d2.txt"]
    calls.reset()
    second = run(tmp_path / "ix", docs)
    assert len(second.unchanged) == 3 and second.indexed == [] and second.new == []
    assert calls.extracted == [] and calls.hashed == []  # size and mtime matched: not even hashed
    # Touched: same content, new mtime: hashed once, not extracted, then recorded.
    os.utime(docs / "d1.txt", ns=(1_000_000_000, 1_000_000_000))
    calls.reset()
    third = run(tmp_path / "ix", docs)
    assert len(third.unchanged) == 3 and calls.hashed == ["d1.txt"] and calls.extracted == []
    calls.reset()
    run(tmp_path / "ix", docs)
    assert calls.hashed == []
    calls.reset()
    run(tmp_path / "ix", docs, rehash=True)
    assert sorted(calls.hashed) == ["d0.txt", "d1.txt", "d2.txt"] and calls.extracted == []


def test_changed_file_replaces_its_passages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "a.txt", "cuxa", articles=3)
    write_decision(docs, "b.txt", "cuxb", articles=2)
    index = tmp_path / "ix"
    run(index, docs)
    before = passages_by_path(index)
    calls = Calls(monkeypatch)
    write_decision(docs, "a.txt", "moixa", articles=5)
    report = run(index, docs)
    assert report.changed == [str(docs / "a.txt")] and report.indexed == report.changed
    assert calls.extracted == ["a.txt"]
    after = passages_by_path(index)
    assert after[str(docs / "b.txt")] == before[str(docs / "b.txt")]
    assert after[str(docs / "a.txt")] > before[str(docs / "a.txt")]
    assert search_paths(index, "cuxa") == [] and search_paths(index, "moixa") == ["a.txt"]
    assert report.documents == 2
    assert invoke(index, "check").exit_code == 0


def test_moved_file_is_refiled_without_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    (docs / "old").mkdir(parents=True)
    write_decision(docs / "old", "a.txt", "dichuyenx", articles=4)
    write_decision(docs, "b.txt", "odayx")
    index = tmp_path / "ix"
    run(index, docs)
    before = passages_by_path(index)
    with Index(index) as ix:
        doc_id = ix.search("dichuyenx").hits[0].doc_id
    calls = Calls(monkeypatch)
    (docs / "new").mkdir()
    (docs / "old" / "a.txt").rename(docs / "new" / "a.txt")
    report = run(index, docs)
    assert report.moved == [(str(docs / "old" / "a.txt"), str(docs / "new" / "a.txt"))]
    assert calls.extracted == [] and report.indexed == [] and report.missing == []
    after = passages_by_path(index)
    assert after == {str(docs / "new" / "a.txt"): before[str(docs / "old" / "a.txt")],
                     str(docs / "b.txt"): before[str(docs / "b.txt")]}
    with Index(index) as ix:
        hit = ix.search("dichuyenx").hits[0]
        assert (hit.path, hit.doc_id, hit.section) == (str(docs / "new" / "a.txt"), doc_id, hit.section)
        assert ix.record(doc_id).path == str(docs / "new" / "a.txt")
    calls.reset()
    assert run(index, docs).unchanged and calls.hashed == []  # the new path's size and mtime were recorded
    assert invoke(index, "check").exit_code == 0


def test_a_copy_is_indexed_once(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "a.txt", "banchepx")
    shutil.copy(docs / "a.txt", docs / "z-copy.txt")
    report = run(tmp_path / "ix", docs)
    assert report.indexed == [str(docs / "a.txt")]
    assert [(Path(w.path).name, w.reason) for w in report.warnings] == [
        ("z-copy.txt", f"same content as {docs / 'a.txt'}: indexed once")]
    assert report.documents == 1
    # also when the first copy was indexed from another folder, in another run
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(docs / "a.txt", other / "again.txt")
    later = run(tmp_path / "ix", other)
    assert later.indexed == [] and [w.reason for w in later.warnings] == [
        f"same content as {docs / 'a.txt'}: indexed once"]
    assert later.documents == 1
    passages_by_path(tmp_path / "ix")  # no id stored twice


def test_deleted_files_are_reported_and_pruned_only_under_the_given_paths(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write_decision(a, "a1.txt", "xoaa1x")
    write_decision(a, "a2.txt", "xoaa2x")
    write_decision(b, "b1.txt", "xoab1x")
    index = tmp_path / "ix"
    run(index, a, b)
    (a / "a2.txt").unlink()
    (b / "b1.txt").unlink()
    kept = run(index, a)
    assert kept.missing == [str(a / "a2.txt")] and kept.removed == []
    assert search_paths(index, "xoaa2x") == ["a2.txt"]  # still there without --prune
    assert invoke(index, "check").exit_code == 1  # stale
    pruned = run(index, a, prune=True)
    assert pruned.removed == [str(a / "a2.txt")]
    assert search_paths(index, "xoaa2x") == [] and search_paths(index, "xoab1x") == ["b1.txt"]  # b untouched
    # A given folder that is gone entirely is not a failure when its documents were indexed.
    shutil.rmtree(b)
    gone = run(index, b, prune=True)
    assert gone.failed == [] and gone.removed == [str(b / "b1.txt")]
    assert invoke(index, "check").exit_code == 0
    assert sorted(passages_by_path(index)) == [str(a / "a1.txt")]


def test_dry_run_reports_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("keep", "change", "delete", "move"):
        write_decision(docs, f"{name}.txt", f"thu{name}x")
    index = tmp_path / "ix"
    run(index, docs)
    write_decision(docs, "change.txt", "khacx")
    (docs / "delete.txt").unlink()
    (docs / "move.txt").rename(docs / "moved.txt")
    write_decision(docs, "new.txt", "moix")
    files_before = sorted((p.name, p.stat().st_mtime_ns) for p in index.iterdir())
    known_before = known_files(open_index(index))
    calls = Calls(monkeypatch)
    report = index_json(index, str(docs), "--dry-run", "--prune")
    assert report["dry_run"] is True
    assert report["files"]["new"] == [str(docs / "new.txt")]
    assert report["files"]["changed"] == [str(docs / "change.txt")]
    assert report["files"]["moved"] == [{"from": str(docs / "move.txt"), "to": str(docs / "moved.txt")}]
    assert report["files"]["removed"] == [str(docs / "delete.txt")]
    assert report["files"]["unchanged"] == [str(docs / "keep.txt")]
    assert report["indexed"] == 0 and calls.extracted == []
    assert sorted((p.name, p.stat().st_mtime_ns) for p in index.iterdir()) == files_before
    assert known_files(open_index(index)) == known_before
    # A dry run against no index at all creates nothing.
    fresh = tmp_path / "none"
    assert index_json(fresh, str(docs), "--dry-run")["new"] == 4
    assert not fresh.exists()
    text = invoke(index, "index", str(docs), "--dry-run")
    assert "dry run, nothing written" in text.output and "move: " in text.output


# --- two runs at once ------------------------------------------------------------------------------


def _slow_run(index: Path, docs: Path, jobs: int = 1, batch_files: int | None = None) -> subprocess.Popen:
    """``searchdocs index`` in a subprocess, with PREPARE slowed down for some names (see ``misbehave``)
    and, with ``batch_files``, a commit every that many files."""
    batch = f"w.BATCH_FILES = {batch_files}; " if batch_files else ""
    code = ("import sys, searchdocs.ingest.indexer as i, searchdocs.engines.whoosh.writer as w, test_indexer as t; i.PREPARE = t.misbehave; " + batch +
            "from searchdocs.interface.cli import main; sys.argv = ['searchdocs'] + sys.argv[1:]; main()")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    return subprocess.Popen([sys.executable, "-c", code, "--index", str(index), "index", str(docs),
                             "--jobs", str(jobs), "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_second_run_waits_then_exits_2_naming_the_first(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "first.txt", "truocx")
    index = tmp_path / "ix"
    run(index, docs)
    write_decision(docs, "lazy.txt", "chamx")
    first = _slow_run(index, docs)
    try:
        _wait_for(lambda: (index / INFO_FILE).exists())
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        second = subprocess.run([sys.executable, "-m", "searchdocs", "--index", str(index), "index", str(docs),
                                 "--wait", "0.5"], env=env, capture_output=True, text=True, timeout=60)
        # Searching meanwhile works and sees the last commit.
        found = subprocess.run([sys.executable, "-m", "searchdocs", "--index", str(index), "search", "truocx"],
                               env=env, capture_output=True, text=True, timeout=60)
        assert first.poll() is None, "the first run ended too early for this test"
    finally:
        out, err = first.communicate(timeout=120)
    assert second.returncode == 2, second.stderr
    assert f"pid {first.pid}" in second.stderr and "waited 0.5 s" in second.stderr
    assert "index" in second.stderr and "Traceback" not in second.stderr
    assert found.returncode == 0 and "first.txt" in found.stdout
    assert first.returncode == 0, err
    assert json.loads(out)["indexed"] == 1
    assert not (index / INFO_FILE).exists()
    assert invoke(index, "check").exit_code == 0


def test_lock_names_holder_and_clears_a_stale_note(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    with IndexLock(index):
        with pytest.raises(IndexLockedError, match=f"pid {os.getpid()}, started "):
            IndexLock(index, wait=0.2).acquire()
    # A note left by a run that was killed: its pid is dead and the lock is free.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (index / INFO_FILE).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                               "started": "2024-01-01T00:00:00", "command": "searchdocs index x"}))
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "a.txt", "khoax")
    report = run(index, docs)
    assert any(f"pid {dead.pid}" in n and "did not finish" in n for n in report.notes), report.notes
    assert not (index / INFO_FILE).exists()


# --- OCR -------------------------------------------------------------------------------------------

HAVE_OCR = shutil.which("pdftoppm") is not None and shutil.which("tesseract") is not None


def test_ocr_without_tesseract_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    report = index_json(tmp_path / "ix", str(SCANNED_PDF), "--ocr", "--jobs", "1")
    assert len(report["notes"]) == 1
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in report["notes"][0]
    assert any("no text layer on" in w["reason"] for w in report["warnings"])


@pytest.mark.skipif(not HAVE_OCR, reason="needs tesseract (with vie) and pdftoppm")
def test_ocr_reads_scanned_pages_and_caches_them(tmp_path: Path) -> None:
    from searchdocs.extract.ocr import ocr_unavailable

    if ocr_unavailable():
        pytest.skip(ocr_unavailable())
    index = tmp_path / "ix"
    plain = index_json(tmp_path / "plain", str(SCANNED_PDF), "--jobs", "1")
    assert plain["passages"] == 0
    report = index_json(index, str(SCANNED_PDF), "--ocr", "--jobs", "1")
    assert report["indexed"] == 1 and report["notes"] == []
    assert report["passages"] > 0
    cache = sorted((index / "ocr-cache").iterdir())
    assert cache and all(p.read_text(encoding="utf-8").strip() for p in cache)
    assert search_paths(index, "hóa chất") == [SCANNED_PDF.name]
