"""Segment builders (``searchdocs.engines.whoosh.segments``): a large run writes its passages in builder processes.

A run uses builders only with ``jobs >= 2`` and enough bytes to extract; tests lower the threshold
(``writer.PARALLEL_MIN_BYTES``) so that the small corpus goes through them, and compare with the
same files indexed in one process.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import searchdocs.engines.whoosh.writer as writer
import searchdocs.ingest.indexer as indexer
import searchdocs.engines.whoosh.segments as segments
from searchdocs import index_paths
from searchdocs.ingest.indexer import prepare
from searchdocs.engines.whoosh.index import Index
from searchdocs.engines.whoosh.store import open_index

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FILES = ["sotay_quydinh294.pdf", "sotay_huongdan06_v1.pdf", "ragluat_LUATANNINHMANG.docx",
         "ragluat_LUATTRITUENHANTAO.docx", "hc-sct-vn__ND-26-2026-quan-ly-hoat-dong-hoa-chat.docx",
         "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"]
QUERIES = ["chuyen sinh hoat dang", "Quy định 294", "an ninh mạng", "trí tuệ nhân tạo", "hóa chất",
           "\"không gian mạng\" -dữ liệu"]


def count_builders(monkeypatch) -> list[int]:
    """Make every run use builders; the list gets the number started by each run."""
    started: list[int] = []
    real = segments.start_builders

    def start(index_dir: str, count: int):
        started.append(count)
        return real(index_dir, count)

    monkeypatch.setattr(writer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(segments, "start_builders", start)
    return started


def results(index: Path) -> list:
    with Index(index) as ix:
        return [[(h.doc_id, h.section, h.score) for h in ix.search(q, limit=10).hits] for q in QUERIES]


def assert_same_ranking(got: list, expected: list) -> None:
    """Same documents and passages in the same order, scores within 1%: a Whoosh merge recounts a
    field's total length from each passage's one-byte length code, which moves the average length
    BM25 uses by a fraction of a percent."""
    assert [[row[:2] for row in q] for q in got] == [[row[:2] for row in q] for q in expected]
    for q_got, q_expected in zip(got, expected):
        for a, b in zip(q_got, q_expected):
            assert a[2] == pytest.approx(b[2], rel=0.01)


def segment_count(index: Path) -> int:
    return len(open_index(index)._read_toc().segments)


@pytest.fixture(scope="module")
def serial_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("serial") / "ix"
    report = index_paths(index, [CORPUS / f for f in FILES], jobs=2)
    assert not report.failed
    return index


def test_builders_index_what_one_process_indexes(tmp_path, monkeypatch, serial_index):
    started = count_builders(monkeypatch)
    monkeypatch.setattr(writer, "BATCH_FILES", 2)  # several commits, so several builder segments
    report = index_paths(tmp_path / "ix", [CORPUS / f for f in FILES], jobs=2)
    assert started == [2]
    assert not report.failed and len(report.indexed) == len(FILES)
    assert segment_count(tmp_path / "ix") > 1
    serial = index_paths(serial_index, [CORPUS / f for f in FILES], dry_run=True)
    assert (report.documents, report.passages) == (serial.documents, serial.passages)
    assert_same_ranking(results(tmp_path / "ix"), results(serial_index))
    assert any(results(serial_index))


def test_small_segments_are_merged_at_the_end_of_a_run(tmp_path, monkeypatch):
    index = tmp_path / "ix"
    for name in FILES[:4]:  # four incremental runs: four small segments, merged as they come
        index_paths(index, [CORPUS / name], jobs=1)
        assert segment_count(index) == 1


def unwritable(path: str, sha: str, *args):
    """``prepare``, except that files named ``unwritable*`` get a passage Whoosh refuses (bytes)."""
    prepared = prepare(path, sha, *args)
    if Path(path).name.startswith("unwritable"):
        prepared.docs[0].passages[0].text = b"not text"
    return prepared


def test_a_document_a_builder_refuses_costs_only_its_file(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in FILES[2:5]:
        (docs / name).write_bytes((CORPUS / name).read_bytes())
    (docs / "unwritable.docx").write_bytes((CORPUS / FILES[5]).read_bytes())
    started = count_builders(monkeypatch)
    monkeypatch.setattr(writer, "BATCH_FILES", 1)  # the failure comes in a commit in mid-run
    monkeypatch.setattr(indexer, "PREPARE", unwritable)
    report = index_paths(tmp_path / "ix", [docs], jobs=2)
    assert started == [2]
    assert [(Path(f.path).name, f.reason.split(":")[0]) for f in report.failed] == [
        ("unwritable.docx", "could not be written to the index")]
    assert sorted(Path(p).name for p in report.indexed) == sorted(FILES[2:5])
    with Index(tmp_path / "ix") as ix:
        assert {Path(h.path).name for h in ix.search("an ninh mạng", limit=20).hits} >= {FILES[2]}
    # Nothing of the refused file is in the index, and a re-run only retries it.
    again = index_paths(tmp_path / "ix", [docs], jobs=2)
    assert len(again.unchanged) == 3 and [Path(f.path).name for f in again.failed] == ["unwritable.docx"]
