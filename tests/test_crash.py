"""``kill -9`` of an indexing run at several moments: the index still opens and searches, and the
next run completes the work with exactly one copy of every passage.

The run is a real ``searchdocs index`` in a subprocess, with small batches (``BATCH_FILES = 3``) so
that kills land between commits, inside them and during extraction, and with every file taking a
little longer (``slow*`` names, see ``test_indexer.misbehave``) so the run lasts a few seconds.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchdocs.interface.cli import cli
from searchdocs import index_paths
from searchdocs.engines.whoosh.lock import INFO_FILE
from searchdocs.engines.whoosh.index import Index
from test_indexer import _slow_run, passages_by_path, write_decision

FILES = 24


def _start(index: Path, docs: Path) -> subprocess.Popen:
    return _slow_run(index, docs, jobs=2, batch_files=3)


def _generation(index: Path) -> int:
    """The index's commit count so far (its TOC generation); -1 before it exists."""
    gens = [int(p.stem.rsplit("_", 1)[-1]) for p in index.glob("*.toc") if p.stem.rsplit("_", 1)[-1].isdigit()]
    return max(gens, default=-1)


def _check(index: Path) -> dict:
    result = CliRunner().invoke(cli, ["--index", str(index), "check", "--json"], catch_exceptions=False)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The documents, and their passage counts in an index built without interruption."""
    root = tmp_path_factory.mktemp("crash")
    docs = root / "docs"
    docs.mkdir()
    for i in range(FILES):
        write_decision(docs, f"slow{i:02}.txt", f"tu{i}x", articles=3 + i % 4)
    clean = root / "clean"
    report = index_paths(clean, [docs], jobs=1, file_timeout=None)
    assert len(report.indexed) == FILES
    return docs, passages_by_path(clean)


def test_kill_9_at_random_moments_then_rerun(folder, tmp_path: Path) -> None:
    docs, expected = folder
    index = tmp_path / "ix"
    committed: list[int] = []  # files in the index after each kill
    rng = random.Random(9)
    kills = 0
    # Kill before the first commit (workers still starting), then after 1, 2 and 2 more commits
    # plus a random moment: during extraction, a write or a commit.
    for commits in (0, 1, 2, 2):
        proc = _start(index, docs)
        deadline = time.monotonic() + 60
        while not (index / INFO_FILE).exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        start = _generation(index)
        while _generation(index) < start + commits and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        # Whatever the moment, what is there opens, searches and is consistent.
        if _generation(index) >= 0:
            with Index(index) as ix:
                ix.search("cán bộ", limit=5)
            found = passages_by_path(index)  # also asserts no id is stored twice
            for path, count in found.items():
                assert count == expected[path], f"{path}: {count} passages, expected {expected[path]}"
            status = _check(index)
            assert status["damage"] == [] and status["orphan_passages"] == [] and status["duplicate_ids"] == []
            assert status["missing_passages"] == []
            committed.append(len(found))
    print("files committed after each kill:", committed)
    assert kills >= 3, "the runs finished before they could be killed: make them slower"
    assert 0 < committed[-1] < FILES, f"files committed after each kill: {committed}"
    # The next run completes the work and reports the interrupted run.
    proc = _start(index, docs)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert any("did not finish" in note for note in report["notes"]) or report["indexed"] == 0
    assert passages_by_path(index) == expected
    status = _check(index)
    assert status["status"] == "healthy" and status["documents"] == FILES
    assert status["passages"] == sum(expected.values())
    # And once more: nothing left to do.
    again = index_paths(index, [docs], jobs=1, file_timeout=None)
    assert again.indexed == [] and len(again.unchanged) == FILES


def test_workers_die_with_a_killed_run(folder, tmp_path: Path) -> None:
    """A worker busy on a hung file must not outlive the run that was killed (it would hold CPU)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    write_decision(docs, "hang.txt", "treox")
    index = tmp_path / "ix"
    proc = _start(index, docs)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline:
        workers = [int(p) for p in _children(proc.pid)]
        time.sleep(0.05)
    assert workers, "no worker process was started"
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        pytest.skip("needs /proc/PID/task/PID/children (Linux)")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
