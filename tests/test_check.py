"""``searchdocs check``: healthy (0), stale files (1), damaged or missing index (2), text and JSON."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchdocs.engines.whoosh.check import check_index
from searchdocs.interface.cli import cli
from searchdocs import index_paths
from searchdocs.engines.whoosh.lock import IndexLock
from searchdocs.engines.whoosh.store import open_index
from test_indexer import write_decision


def check(index: Path, *args: str):
    return CliRunner().invoke(cli, ["--index", str(index), "check", *args], catch_exceptions=False)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a", "b", "c"):
        write_decision(docs, f"{name}.txt", f"kiemtra{name}x", articles=3)
    index = tmp_path / "ix"
    index_paths(index, [docs], jobs=1, file_timeout=None)
    return index, docs


def test_healthy_index(built) -> None:
    index, _ = built
    result = check(index, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "healthy" and data["documents"] == 3 and data["files"] == 3
    assert data["passages"] == sum(1 for _ in open_index(index).searcher().documents(kind="p"))
    assert data["up_to_date"] == 3 and data["segments"] >= 1
    text = check(index)
    assert text.exit_code == 0 and "healthy" in text.output and "documents" in text.output


def test_changed_and_vanished_files_are_stale(built) -> None:
    index, docs = built
    write_decision(docs, "a.txt", "khacx", articles=4)
    (docs / "b.txt").unlink()
    os.utime(docs / "c.txt", ns=(10**9, 10**9))  # touched only: same content, still up to date
    result = check(index, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "stale"
    assert data["changed"] == [str(docs / "a.txt")] and data["vanished"] == [str(docs / "b.txt")]
    assert data["up_to_date"] == 1
    text = check(index)
    assert text.exit_code == 1 and "--prune" in text.output
    assert check(index, "--no-files").exit_code == 0  # the index itself is fine


def segment_files(index: Path) -> list[Path]:
    """The files of the index's segments (terms, postings, columns; .seg when compound)."""
    files = [p for p in index.glob("searchdocs_*") if p.suffix in {".trm", ".pst", ".col", ".seg"}]
    assert files
    return files


def test_deleted_segment_file_is_damage(built) -> None:
    index, _ = built
    for segment in segment_files(index):
        segment.unlink()
    result = check(index, "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["damage"]


def test_truncated_segment_file_is_damage(built) -> None:
    index, _ = built
    for segment in segment_files(index):
        data = segment.read_bytes()
        segment.write_bytes(data[: len(data) // 3])
    report = check_index(index)
    assert report.status == "damaged" and report.exit_code == 2 and report.damage


def test_passages_and_records_that_disagree(built) -> None:
    index, docs = built
    ix = open_index(index)
    with ix.searcher() as s:
        record = dict(s.document(path=str(docs / "a.txt"), kind="d"))
        passage = dict(next(iter(s.documents(doc_id=record["doc_id"], kind="p"))))
    writer = ix.writer()
    writer.delete_by_term("pid", record["pid"])  # a's passages lose their record
    writer.add_document(kind="p", **{k: v for k, v in passage.items()})  # a passage stored twice
    writer.commit()
    data = json.loads(check(index, "--json").stdout)
    assert data["status"] == "damaged" and data["exit_code"] == 2
    assert data["orphan_passages"] == [record["doc_id"]]
    assert data["duplicate_ids"] == [passage["pid"]]
    # and the other way round: a record whose passages are gone
    ix = open_index(index)
    with ix.searcher() as s:
        b = dict(s.document(path=str(docs / "b.txt"), kind="d"))
    writer = ix.writer()
    writer.delete_by_term("doc_id", b["doc_id"])
    writer.add_document(kind="d", **b)
    writer.commit()
    data = json.loads(check(index, "--json").stdout)
    assert data["missing_passages"] == [b["doc_id"]]
    # re-indexing the folder from scratch is the cure the message gives
    assert "delete the index" in check(index).output


def test_no_index_is_an_error(tmp_path: Path) -> None:
    result = check(tmp_path / "nothing")
    assert result.exit_code == 2 and "no index at" in result.output


def test_check_during_indexing_notes_the_run(built) -> None:
    index, _ = built
    with IndexLock(index):
        data = json.loads(check(index, "--json").stdout)
        assert data["status"] == "healthy" and f"pid {os.getpid()}" in data["indexing"]
