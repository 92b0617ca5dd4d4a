"""Every command on an OpenSearch index URL, against a real 2-node cluster (tools/opensearch.sh),
beside the local engine on the same Party documents: the same top document for number look-ups,
unaccented topics and tone variants; the same records, relations and counts; one-line errors with
exit 2 for an unreachable cluster, refused credentials, a missing or foreign index, a red cluster."""
from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, PARTY_EXTRA_FILES, SEARCH_FIXTURE_FILES

from searchdocs.engines import open_index
from searchdocs.interface.cli import cli

PARTY_FILES = [CORPUS / name for name in SEARCH_FIXTURE_FILES + PARTY_EXTRA_FILES]


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def rest(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode("utf-8") or "{}")


@pytest.fixture(scope="module")
def cluster_url(opensearch_cluster) -> str:
    return opensearch_cluster[0]


@pytest.fixture(scope="module")
def party_url(cluster_url) -> str:
    """The party fixture documents indexed through the CLI into an index with one replica."""
    url = f"{cluster_url}/party"
    result = run("--index", url, "index", *map(str, PARTY_FILES), "--replicas", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["failed"] == 0 and report["indexed"] == len(PARTY_FILES)
    return url


@pytest.fixture(scope="module")
def party_cluster(party_url):
    ix = open_index(party_url)
    yield ix
    ix.close()


def top(ix, query: str) -> frozenset[str] | None:
    """The first hit's document, as the files of its versions (either export of one document may
    stand for its group)."""
    hits = ix.search(query, limit=1).hits
    if not hits:
        return None
    return frozenset(Path(v.path).name for v in hits[0].versions) or frozenset([Path(hits[0].path).name])


def test_a_second_run_finds_every_file_unchanged(party_url):
    result = run("--index", party_url, "index", *map(str, PARTY_FILES), "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["unchanged"] == len(PARTY_FILES) and report["indexed"] == 0


@pytest.mark.parametrize("query", ["294-QĐ/TW", "294-qd/tw", "Quy định 294", "quy dinh 294", "06-HD/TW",
                                   "hd 06", "38-HD/BTCTW", "HD 38 BTCTW"])
def test_a_number_in_any_spelling_tops_the_same_document_on_both_engines(party_index, party_cluster, query):
    assert top(party_cluster, query) == top(party_index, query) is not None


@pytest.mark.parametrize("pair", [("chuyển sinh hoạt đảng", "chuyen sinh hoat dang"),
                                  ("kết nạp đảng viên", "ket nap dang vien"),
                                  ("đảng viên hoà nhập", "đảng viên hòa nhập"),
                                  ("thuỷ sản", "thủy sản")])
def test_topics_unaccented_and_in_either_tone_style_top_alike_on_both_engines(party_index, party_cluster, pair):
    tops = {top(ix, q) for ix in (party_index, party_cluster) for q in pair}
    assert len(tops) == 1 and None not in tops, tops


@pytest.mark.parametrize("question", ["đảng viên đi làm ăn xa thì chuyển sinh hoạt như thế nào",
                                      "dang vien di lam an xa thi chuyen sinh hoat nhu the nao",
                                      "thủ tục kết nạp lại người đã ra khỏi đảng gồm những gì"])
def test_a_reranked_question_finds_the_same_first_documents_on_both_engines(party_index, party_cluster, question):
    """Scores differ by a few percent between the engines, so the reranker may swap two close
    candidates: each engine's first document is among the other's first three."""
    def firsts(ix) -> list:
        return [frozenset(v.doc_id for v in h.versions) or frozenset([h.doc_id])
                for h in ix.search(question, limit=3).hits]
    local, remote = firsts(party_index), firsts(party_cluster)
    assert local and remote and local[0] in remote and remote[0] in local


def test_a_tone_variant_gives_identical_results_on_the_cluster(party_cluster):
    a, b = (party_cluster.search(q, limit=10) for q in ("hoà giải thuỷ lợi", "hòa giải thủy lợi"))
    assert [(h.doc_id, h.section, h.score) for h in a.hits] == [(h.doc_id, h.section, h.score) for h in b.hits]


def test_records_counts_and_relations_match_the_local_engine(party_index, party_cluster):
    assert sorted((r.doc_id, r.path, r.sha) for r in party_cluster.records()) == \
        sorted((r.doc_id, r.path, r.sha) for r in party_index.records())
    local, remote = party_index.stats(), party_cluster.stats()
    assert (remote.documents, remote.distinct_documents, remote.passages) == \
        (local.documents, local.distinct_documents, local.passages)
    assert (remote.by_type, remote.by_issuer, remote.by_year, remote.by_status) == \
        (local.by_type, local.by_issuer, local.by_year, local.by_status)
    assert remote.last_indexed and remote.size_bytes > 0
    refs = lambda ix: sorted((r.kind, str(r.key), r.document.doc_id if r.document else "")
                             for r in ix.references("294-QĐ/TW").cited_by)
    assert refs(party_cluster) == refs(party_index) and refs(party_index)
    doc = party_index.find_document("294-QĐ/TW").doc_id
    assert [p["section"] for p in party_cluster.passages(doc)] == [p["section"] for p in party_index.passages(doc)]


def test_filters_list_the_same_documents_newest_first(party_index, party_cluster):
    for query in ("loai:huong-dan nam:2025", "coquan:\"ban bí thư\"", "so:294-QĐ/TW"):
        assert [h.doc_id for h in party_cluster.search(query, limit=20).hits] == \
            [h.doc_id for h in party_index.search(query, limit=20).hits], query


def test_every_command_works_on_the_url(party_url, party_index_dir):
    hits = json.loads(run("--index", party_url, "search", "chuyen sinh hoat dang", "--json", "-n", "3").output)
    local = json.loads(run("--index", str(party_index_dir), "search", "chuyen sinh hoat dang", "--json", "-n", "3").output)
    assert set(hits) == set(local) and [h["doc_id"] for h in hits["results"]] == [h["doc_id"] for h in local["results"]]
    assert hits["total"] == local["total"]  # version groups count once on both
    assert [h["snippet"] for h in hits["results"]] == [h["snippet"] for h in local["results"]]
    trec = run("--index", party_url, "search", "--format", "trec", "chuyen sinh hoat dang", "-n", "2")
    assert trec.exit_code == 0 and len(trec.output.splitlines()) == 2
    shown = json.loads(run("--index", party_url, "show", "Quy định 294", "--json").output)
    assert shown["meta"]["number"] == "294-QĐ/TW" and shown["passages"]
    refs = run("--index", party_url, "refs", "294-QĐ/TW", "--json")
    assert refs.exit_code == 0 and json.loads(refs.output)["cited_by"]
    stats = json.loads(run("--index", party_url, "stats", "--json").output)
    assert stats["documents"] == len(PARTY_FILES)
    check = run("--index", party_url, "check", "--json")
    assert check.exit_code == 0 and json.loads(check.output)["status"] == "healthy"
    nothing = run("--index", party_url, "search", "xylophonezzz")
    assert nothing.exit_code == 1


def test_rebuild_writes_a_new_index_and_moves_the_alias(cluster_url):
    url = f"{cluster_url}/rebuilt"
    files = [str(CORPUS / "sotay_quydinh294.pdf")]
    assert run("--index", url, "index", *files, "-q").exit_code == 0
    before = set(rest(f"{cluster_url}/_alias/rebuilt"))
    assert run("--index", url, "index", *files, "--rebuild", "-q").exit_code == 0
    after = set(rest(f"{cluster_url}/_alias/rebuilt"))
    assert len(before) == len(after) == 1 and before != after
    assert before.pop() not in {i["index"] for i in rest(f"{cluster_url}/_cat/indices?format=json")}
    assert json.loads(run("--index", url, "stats", "--json").output)["documents"] == 1


def test_a_killed_run_run_again_leaves_every_document_once(cluster_url, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    url = f"{cluster_url}/killed"
    files = [str(CORPUS / name) for name in SEARCH_FIXTURE_FILES]
    # small bulk requests, so that documents arrive from the first file on and the kill lands mid-run
    code = ("import sys, searchdocs.engines.opensearch.writer as w; w.BULK_ACTIONS = 20; "
            "from searchdocs.interface.cli import main; sys.argv = ['searchdocs'] + sys.argv[1:]; main()")
    command = [sys.executable, "-c", code, "--index", url, "index", *files, "--jobs", "1", "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:  # kill it once documents are arriving
        try:
            if rest(f"{cluster_url}/killed/_count").get("count", 0) > 0:
                break
        except Exception:  # noqa: BLE001 - the index is not created yet
            pass
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    again = run("--index", url, "index", *files, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    local = json.loads(run("--index", str(tmp_path / "ix"), "index", *files, "--json").output)
    assert (report["documents"], report["passages"]) == (local["documents"], local["passages"])
    rest(f"{cluster_url}/killed/_refresh", "POST")
    ids = rest(f"{cluster_url}/killed/_search", "POST", {"size": 0, "aggs": {"ids": {"cardinality": {"field": "pid"}}},
                                                          "query": {"terms": {"kind": ["d", "p"]}}})
    assert ids["hits"]["total"]["value"] == local["documents"] + local["passages"] == ids["aggregations"]["ids"]["value"]


# --- one line, exit 2 ---------------------------------------------------------------------------------


def one_line_error(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_an_unreachable_cluster_is_one_line():
    from conftest import _free_port_base

    url = f"http://127.0.0.1:{_free_port_base(1)}/vanban"
    one_line_error(run("--index", url, "search", "đảng viên"), "cannot reach OpenSearch")
    one_line_error(run("--index", url, "index", str(CORPUS / "sotay_quydinh294.pdf")), "cannot reach OpenSearch")


def test_a_missing_index_and_a_foreign_one_are_one_line(cluster_url):
    one_line_error(run("--index", f"{cluster_url}/nothing-here", "search", "đảng viên"), "no index at")
    rest(f"{cluster_url}/foreign", "PUT", {"settings": {"number_of_replicas": 0}})
    one_line_error(run("--index", f"{cluster_url}/foreign", "stats"), "did not create")
    one_line_error(run("--index", f"{cluster_url}/foreign", "index", str(CORPUS / "sotay_quydinh294.pdf")),
                   "did not create")
    rest(f"{cluster_url}/foreign", "DELETE")


def test_credentials_come_from_the_environment_never_the_url(cluster_url):
    host = cluster_url.split("//", 1)[1]
    one_line_error(run("--index", f"http://admin:secret@{host}/party", "stats"), "credentials do not belong")
    one_line_error(run("--index", "http://127.0.0.1:9200/Bad Name!", "stats"), "is not an OpenSearch index URL")


def test_refused_credentials_are_one_line():
    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.seen = self.headers.get("Authorization")
            body = b'{"error":{"type":"security_exception","reason":"unable to authenticate user"},"status":401}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"SEARCHDOCS_OPENSEARCH_USER": "staff", "SEARCHDOCS_OPENSEARCH_PASSWORD": "wrong"}
        one_line_error(run("--index", f"http://127.0.0.1:{server.server_port}/party", "search", "đảng", env=env),
                       "refused the credentials", "SEARCHDOCS_OPENSEARCH_USER")
    finally:
        server.shutdown()


def test_a_red_cluster_is_refused_in_one_line(cluster_url, party_url):
    rest(f"{cluster_url}/unassignable?wait_for_active_shards=0", "PUT", {"settings": {"number_of_replicas": 0,
                                                             "index.routing.allocation.require._name": "no-such-node"}})
    try:
        one_line_error(run("--index", party_url, "search", "đảng viên"), "is red")
    finally:
        rest(f"{cluster_url}/unassignable", "DELETE")
    assert run("--index", party_url, "search", "đảng viên").exit_code == 0


# --- the analysis, as the cluster runs it -------------------------------------------------------------


def _analyze(cluster_url: str, analyzer: str, text: str) -> set[tuple[int, str]]:
    tokens = rest(f"{cluster_url}/party/_analyze", "POST", {"analyzer": analyzer, "text": text})["tokens"]
    return {(t["position"], t["token"]) for t in tokens}


def test_the_clusters_body_analysis_gives_the_local_syllables(cluster_url, party_url, party_index):
    from searchdocs.analysis import body_analyzer

    doc = party_index.find_document("294-QĐ/TW").doc_id
    for passage in party_index.passages(doc)[:40]:
        text = passage["body"]
        local = {(t.pos, t.text) for t in body_analyzer()(text, positions=True) if not getattr(t, "number", False)}
        assert _analyze(cluster_url, "sd_body", text) == local, text[:80]


def test_the_clusters_search_analysis_places_tone_marks(cluster_url, party_url):
    for new, classic in (("hoà thuận", "hòa thuận"), ("Khoẻ", "Khỏe"), ("thuỷ lợi", "thủy lợi"), ("uỷ ban", "ủy ban"),
                         ("quý", "quý"), ("hoàn thành", "hoàn thành")):
        assert _analyze(cluster_url, "sd_body_search", new) == _analyze(cluster_url, "sd_body", classic), new


def test_moved_touched_changed_and_gone_files_as_locally(cluster_url, tmp_path):
    """The same file events on both engines end with the same records; moves and touches re-file
    without extracting (plain bulk updates: no reindex module needed)."""
    import shutil

    url, local = f"{cluster_url}/events", str(tmp_path / "ix")
    folder = tmp_path / "docs"
    (folder / "a").mkdir(parents=True)
    for name in ("sotay_quydinh294.pdf", "sotay_huongdan21.pdf"):
        shutil.copy(CORPUS / name, folder / "a" / name)

    def both(*extra: str) -> list[dict]:
        reports = []
        for where in (url, local):
            result = run("--index", where, "index", str(folder), "--json", *extra)
            assert result.exit_code == 0, result.output
            reports.append(json.loads(result.output))
        return reports

    both()
    (folder / "b").mkdir()
    shutil.move(folder / "a" / "sotay_quydinh294.pdf", folder / "b" / "sotay_quydinh294.pdf")
    (folder / "a" / "sotay_huongdan21.pdf").touch()
    for report in both():
        assert report["moved"] == 1 and report["indexed"] == 0
    shutil.copy(CORPUS / "sotay_huongdan06_v1.pdf", folder / "a" / "sotay_huongdan21.pdf")
    for report in both():
        assert report["changed"] == 1
    (folder / "a" / "sotay_huongdan21.pdf").unlink()
    dry = json.loads(run("--index", url, "index", str(folder), "--prune", "--dry-run", "--json").output)
    assert dry["dry_run"] and dry["removed"] == 1
    remote, here = both("--prune")
    assert remote["removed"] == here["removed"] == 1
    assert (remote["documents"], remote["passages"]) == (here["documents"], here["passages"])
    shown = json.loads(run("--index", url, "show", "Quy định 294", "--json").output)
    assert shown["path"] == str(folder / "b" / "sotay_quydinh294.pdf")
    check = run("--index", url, "check", "--json")
    assert check.exit_code == 0 and json.loads(check.output)["status"] == "healthy"
