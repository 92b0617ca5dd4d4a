"""The cluster engine's settings without a cluster: index URLs, credentials only from the environment
or netrc, the template's fields and analysis, and the bulk documents of a real file."""
from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import CORPUS

from searchdocs.analysis import bigram_postings
from searchdocs.engines import is_url
from searchdocs.engines.opensearch.connection import ClusterError, Location, credentials
from searchdocs.engines.opensearch.mapping import MAPPINGS, settings, template
from searchdocs.engines.opensearch.writer import documents, pair_tokens
from searchdocs.ingest.indexer import FileState, file_sha, prepare


@pytest.mark.parametrize("url, base, name", [("http://127.0.0.1:9200/vanban", "http://127.0.0.1:9200", "vanban"),
                                             ("https://search.tinhuy.vn/kho-luu-tru/", "https://search.tinhuy.vn:443",
                                              "kho-luu-tru"),
                                             ("HTTP://host/a.b_c", "HTTP://host:9200", "a.b_c")])
def test_an_index_url_names_the_cluster_and_the_alias(url, base, name):
    loc = Location.parse(url)
    assert (loc.base.lower(), loc.name) == (base.lower(), name) and is_url(url)


@pytest.mark.parametrize("url, words", [("http://user:pw@127.0.0.1:9200/x", "credentials do not belong"),
                                        ("http://127.0.0.1:9200/", "is not an OpenSearch index URL"),
                                        ("http://127.0.0.1:9200/Upper", "is not an OpenSearch index URL"),
                                        ("http://127.0.0.1:9200/a/b", "is not an OpenSearch index URL")])
def test_a_bad_index_url_says_how_to_write_it(url, words):
    with pytest.raises(ClusterError) as e:
        Location.parse(url)
    assert words in str(e.value) and "pw" not in str(e.value)


def test_a_folder_is_not_a_url():
    assert not is_url("index") and not is_url("/srv/http/index") and not is_url("httpdocs")


def test_credentials_come_from_the_environment_first_then_netrc(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine search.tinhuy.vn login clerk password s3cret\n")
    netrc.chmod(0o600)
    assert credentials("search.tinhuy.vn", {"NETRC": str(netrc)}) == ("clerk", "s3cret")
    assert credentials("other.host", {"NETRC": str(netrc)}) is None
    env = {"NETRC": str(netrc), "SEARCHDOCS_OPENSEARCH_USER": "staff", "SEARCHDOCS_OPENSEARCH_PASSWORD": "pw"}
    assert credentials("search.tinhuy.vn", env) == ("staff", "pw")
    assert credentials("search.tinhuy.vn", {"NETRC": str(tmp_path / "none")}) is None


def test_the_template_sets_shards_replicas_and_a_strict_mapping():
    body = template("vanban", 3, 1)
    assert body["index_patterns"] == ["vanban-v*"]
    s = body["template"]["settings"]
    assert (s["number_of_shards"], s["number_of_replicas"]) == (3, 1)
    assert body["template"]["mappings"]["dynamic"] == "strict"
    assert MAPPINGS["properties"]["body"]["search_analyzer"] == "sd_body_search"


def test_the_tone_filters_move_the_mark_of_open_pairs_only():
    filters = settings(1, 0)["analysis"]["char_filter"]
    assert len(filters) == 3 * 5 * 2  # oa, oe, uy × five tones × first vowel lower or upper case

    def place(text: str) -> str:  # the filters, in Python's regex dialect
        for f in filters.values():
            pattern = f["pattern"].replace("\\p{L}\\p{M}", "\\w")
            text = re.sub(pattern, f["replacement"], text)
        return text

    for new, classic in (("hoà", "hòa"), ("Hoà", "Hòa"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"), ("uỷ ban", "ủy ban"),
                         ("Oà", "Òa")):
        assert place(new) == classic
    for kept in ("quý", "hoàn", "thuyền", "toán", "hòa"):
        assert place(kept) == kept
    assert all(unicodedata.is_normalized("NFC", f["replacement"]) for f in filters.values())


def test_the_bulk_documents_of_a_real_file_carry_the_local_pairs_and_cited_numbers():
    path = CORPUS / "sotay_huongdan06_v1.pdf"
    prepared = prepare(str(path), file_sha(path))
    st = path.stat()
    docs = list(documents(prepared, FileState(str(path), prepared.sha, st.st_size, st.st_mtime_ns)))
    records = [src for _, src in docs if src["kind"] == "d"]
    passages = [src for _, src in docs if src["kind"] == "p"]
    assert len(records) == 1 and len(passages) == records[0]["facts"]["passages"]
    assert records[0]["docnum"][0] == "6-hd/tw" and records[0]["doc_type"] == "huong-dan"
    assert len({i for i, _ in docs}) == len(docs)  # ids unique, from the content
    text = passages[3]["body"]
    tokens = pair_tokens(text).split()
    assert sorted(set(tokens)) == sorted(t.decode() for t, _, _, _ in bigram_postings(text))
    assert len(tokens) == sum(f for _, f, _, _ in bigram_postings(text))
    assert any("294-qd/tw" in p["mentions"] for p in passages)
