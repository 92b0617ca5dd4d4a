"""tools/opensearch.sh (issue 14, requirement 4): a real OpenSearch 2.19 fetched from Maven Central,
two nodes on 127.0.0.1 run as an unprivileged user, pid files, the URL as the last line, and stop."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from conftest import OPENSEARCH_SCRIPT


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def test_two_nodes_on_loopback_node_1_the_cluster_manager(opensearch_cluster):
    url, folder = opensearch_cluster
    assert url.startswith("http://127.0.0.1:")
    health = _get(f"{url}/_cluster/health")
    assert health["status"] == "green" and health["number_of_nodes"] == 2 and health["number_of_data_nodes"] == 2
    nodes = {n["name"]: n for n in _get(f"{url}/_cat/nodes?format=json&h=name,ip,node.role,cluster_manager")}
    assert set(nodes) == {"node-1", "node-2"} and {n["ip"] for n in nodes.values()} == {"127.0.0.1"}
    assert nodes["node-1"]["cluster_manager"] == "*" and "m" not in nodes["node-2"]["node.role"]
    assert "d" in nodes["node-1"]["node.role"] and "d" in nodes["node-2"]["node.role"]
    for k in (1, 2):
        pid = int((Path(folder) / f"node-{k}.pid").read_text())
        owner = Path(f"/proc/{pid}").stat().st_uid
        assert owner != 0 or os.getuid() != 0  # never root: OpenSearch refuses it


def test_bad_options_are_one_line_and_exit_2(tmp_path):
    for args, message in ((["start", "--nodes", "0"], "--nodes must be a positive number, not 0"),
                          (["start", "--colour"], "unknown option --colour (see --help)")):
        run = subprocess.run(["bash", str(OPENSEARCH_SCRIPT), *args, "--dir", str(tmp_path)], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 2 and run.stderr == f"opensearch.sh: {message}\n" and run.stdout == ""


def test_stop_without_a_cluster_says_none_stopped(tmp_path):
    run = subprocess.run(["bash", str(OPENSEARCH_SCRIPT), "stop", "--dir", str(tmp_path)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and run.stderr == f"stopped 0 node(s) of {tmp_path}\n"
