"""Failover on a 2-node cluster with one replica (its own cluster: a node is killed here): with a
node killed by SIGKILL, searches still return complete results, and a bulk run cut by the kill
and run again leaves the same documents, none twice."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SEARCH_FIXTURE_FILES, running_cluster

from searchdocs.interface.cli import cli

QUERIES = ["chuyen sinh hoat dang", "Quy định 294", "kết nạp đảng viên", "an ninh mạng"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))


def results(url: str) -> list:
    out = []
    for q in QUERIES:
        found = json.loads(run("--index", url, "search", q, "--json", "-n", "5").output)
        out.append((found["total"], [(h["doc_id"], h["section"]) for h in found["results"]]))
    return out


@pytest.fixture(scope="module")
def pair():
    with running_cluster(2) as (url, folder):
        yield url, Path(folder)


def test_a_killed_node_loses_no_result_and_a_rerun_bulk_no_document(pair, tmp_path, monkeypatch):
    url, folder = pair
    files = [str(CORPUS / name) for name in SEARCH_FIXTURE_FILES]
    assert run("--index", f"{url}/fo", "index", *files, "--shards", "2", "--replicas", "1", "-q").exit_code == 0
    get(f"{url}/_cluster/health?wait_for_status=green&timeout=60s")
    before = results(f"{url}/fo")
    assert all(hits for _, hits in before)

    # a second index fed while node 2 dies under it; small bulk requests, so documents arrive from
    # the first file on and the kill lands mid-run
    import searchdocs.engines.opensearch.writer as writer

    monkeypatch.setattr(writer, "BULK_ACTIONS", 20)
    feed = CliRunner().invoke  # the run is in this process: its bulk requests meet the dead node
    pid = int((folder / "node-2.pid").read_text())
    import threading

    killed_at: list[float] = []

    def kill_once_documents_arrive() -> None:
        stop = time.monotonic() + 120
        while time.monotonic() < stop:
            try:
                if get(f"{url}/fo2/_count")["count"] > 0:
                    break
            except Exception:  # noqa: BLE001 - not created yet
                pass
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        killed_at.append(time.monotonic())

    killer = threading.Thread(target=kill_once_documents_arrive)
    killer.start()
    first = feed(cli, ["--index", f"{url}/fo2", "index", *files, "--shards", "2", "--replicas", "1", "--json"])
    fed_at = time.monotonic()
    killer.join()
    assert killed_at[0] < fed_at, "the run ended before node 2 was killed"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            time.sleep(0.2)
        except ProcessLookupError:
            break
    assert get(f"{url}/_cluster/health?wait_for_nodes=1&timeout=60s")["number_of_nodes"] == 1

    assert results(f"{url}/fo") == before  # every shard has a copy on node 1

    assert first.exit_code in (0, 2), first.output  # done, or told in one line to run it again
    again = run("--index", f"{url}/fo2", "index", *files, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    local = json.loads(run("--index", str(tmp_path / "ix"), "index", *files, "--json").output)
    assert (report["documents"], report["passages"]) == (local["documents"], local["passages"])
    check = json.loads(run("--index", f"{url}/fo2", "check", "--json", "--no-files").output)
    assert check["status"] == "healthy" and check["passages"] == local["passages"]
