"""Search quality invariants on a small real index (the session fixture ``search_index``).

Expected answers are checked against the stored passage text itself (an independent oracle: do the
passage's syllables contain the words?), never against numbers copied from an earlier run.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchdocs.analysis import syllables
from searchdocs.documents.normalize import fold
from searchdocs.documents.numbers import find_numbers
from searchdocs.engines.whoosh.query import to_whoosh
from searchdocs.search.query import parse
from searchdocs.search.results import snippet

P294 = "sotay_quydinh294.pdf"
HD06 = {"sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf"}
ANNINH = "ragluat_LUATANNINHMANG.docx"
AI_LAW = "ragluat_LUATTRITUENHANTAO.docx"
SCANNED = "hc-sct-vn__CV-813-CucHoaChat.pdf"


@pytest.fixture(scope="module")
def passages_by_doc(search_index) -> dict[str, list[dict]]:
    return {r.doc_id: search_index.passages(r.doc_id) for r in search_index.records()}


def name(hit) -> str:
    return Path(hit.path).name


def hit_passage(index, hit) -> dict:
    """The stored passage a hit shows: same document, section and page, and it holds the snippet."""
    core = hit.snippet.strip("…").strip()
    found = [p for p in index.passages(hit.doc_id)
             if (p["section"] or "") == hit.section and p.get("page") == hit.page
             and core in " ".join(p["body"].split())]
    assert found, f"no stored passage of {hit.doc_id} [{hit.section}] holds the snippet {hit.snippet!r}"
    return found[0]


def contains(body: str, phrase: str, folded: bool = False) -> bool:
    """Whether the passage's syllables hold ``phrase``'s syllables consecutively."""
    have, want = syllables(body), syllables(phrase)
    if folded:
        have, want = [fold(s) for s in have], [fold(s) for s in want]
    return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


def check_rows(result) -> None:
    """One row per document, ranked 1..n by non-increasing score."""
    ids = [h.doc_id for h in result.hits]
    assert len(ids) == len(set(ids)), ids
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert result.total >= len(result.hits)


# --- accent-insensitive matching and highlighting ---------------------------------------------------


def test_unaccented_query_finds_the_party_rules(search_index):
    result = search_index.search("chuyen sinh hoat dang", limit=5)
    check_rows(result)
    # the two exports of 06-HD/TW are one row with two versions
    assert {Path(v.path).name for h in result.hits[:2] for v in h.versions} == {P294} | HD06
    for hit in result.hits[:2]:
        body = hit_passage(search_index, hit)["body"]
        assert contains(body, "chuyển sinh hoạt đảng")


def test_unaccented_query_highlights_the_accented_original(search_index):
    hit = search_index.search("chuyen sinh hoat dang", limit=1).hits[0]
    words = {"chuyen", "sinh", "hoat", "dang"}
    spans = hit.highlights
    assert spans
    for s, e in spans:
        piece = hit.snippet[s:e]
        assert re.fullmatch(r"\w+", piece), piece  # whole words only
        assert fold(piece).lower() in words, piece
    highlighted = {(s, e) for s, e in spans}
    # every "sinh hoạt" in the snippet is highlighted word by word, with its diacritics
    occurrences = [m.start() for m in re.finditer("sinh hoạt", hit.snippet, flags=re.IGNORECASE)]
    assert occurrences
    for at in occurrences:
        assert (at, at + 4) in highlighted and (at + 5, at + 9) in highlighted
    assert any(hit.snippet[s:e].lower() in ("hoạt", "chuyển", "đảng") for s, e in spans)


def test_accented_query_puts_the_literal_words_on_top(search_index):
    hit = search_index.search("đảng viên", limit=1).hits[0]
    assert contains(hit_passage(search_index, hit)["body"], "đảng viên")


@pytest.mark.parametrize("word", ["đăng", "viện", "hòa", "khóa", "sở", "số", "đảng"])
def test_exact_accented_word_outranks_folded_only_matches_per_document(search_index, word):
    """Rows whose passage holds the accented word itself come before rows matching only its folding."""
    result = search_index.search(word, limit=10)
    flags = [word in syllables(hit_passage(search_index, h)["body"]) for h in result.hits]
    assert flags and flags[0], flags
    assert flags == sorted(flags, reverse=True), flags  # all exact rows first


@pytest.mark.parametrize("word", ["đăng", "viện", "hòa", "khóa", "sở", "số", "đảng"])
def test_exact_accented_word_outranks_folded_only_matches_per_passage(search_index, word):
    """White-box: over *all* matching passages, every exact one scores above every folded-only one."""
    searcher = search_index._searcher
    matches = searcher.search(to_whoosh(parse(word)), limit=None)
    scored = [(r.score, word in syllables(r["body"])) for r in matches if "body" in r.fields()]
    exact = [s for s, is_exact in scored if is_exact]
    folded_only = [s for s, is_exact in scored if not is_exact]
    assert exact and folded_only, "the corpus should hold both for this word"
    assert min(exact) > max(folded_only)


def test_unaccented_query_also_matches_other_accentings(search_index):
    """'dang' (no marks) reaches đảng, đăng and đang alike; 'đăng' reaches only đăng."""
    folded_hits = search_index.search("dang ky", limit=10).hits
    assert any(contains(hit_passage(search_index, h)["body"], "đăng ký") for h in folded_hits)


# --- document numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "294-QĐ/TW", "294-qd/tw", "294-qđ/tw", "294 - QĐ/TW", "294 – QĐ/TƯ", "Quy định 294", "quy dinh so 294",
    "số 294-QĐ/TW", "Số: 294-QĐ/TW", "0294-QĐ/TW",
])
def test_number_spellings_put_quy_dinh_294_first(search_index, query):
    hits = search_index.search(query, limit=3).hits
    assert name(hits[0]) == P294
    assert hits[0].number == "294-QĐ/TW"


def test_documents_citing_the_number_come_next(search_index, passages_by_doc):
    hits = search_index.search("294-QĐ/TW", limit=10, group_versions=False).hits
    citing = {doc_id for doc_id, ps in passages_by_doc.items()
              if any(n.key == "294-qd/tw" for p in ps for n in find_numbers(p["body"]))}
    ranked = [h.doc_id for h in hits[1:]]
    citing_others = citing - {hits[0].doc_id}
    assert citing_others, "06-HD/TW cites 294-QĐ/TW"
    assert set(ranked[:len(citing_others)]) == citing_others


@pytest.mark.parametrize("query", ["06-HD/TW", "6-hd/tw", "Hướng dẫn 06", "huong dan so 6", "HD 06"])
def test_number_spellings_put_huong_dan_06_first(search_index, query):
    hits = search_index.search(query, limit=3).hits
    assert hits[0].number == "06-HD/TW"
    assert {Path(v.path).name for v in hits[0].versions} == HD06  # both exports, one row


@pytest.mark.parametrize(("query", "file"), [
    ("24/2018/QH14", ANNINH), ("24/2018/qh14", ANNINH), ("Luật số: 24 / 2018 / QH14", ANNINH),
    ("134/2025/QH15", AI_LAW), ("luat so 134/2025/qh15", AI_LAW),
])
def test_state_number_spellings(search_index, query, file):
    assert name(search_index.search(query, limit=1).hits[0]) == file


def test_number_beats_words_that_favour_another_document(search_index):
    hits = search_index.search("294-QĐ/TW an ninh mạng", limit=3).hits
    assert name(hits[0]) == P294


# --- phrases, exclusions, OR: checked against the stored passage text -------------------------------


def _oracle(passages_by_doc, keep) -> dict[str, int]:
    """doc_id -> number of its passages for which keep(body) holds."""
    counts = {doc_id: sum(1 for p in ps if keep(p["body"])) for doc_id, ps in passages_by_doc.items()}
    return {doc_id: n for doc_id, n in counts.items() if n}


def _check_against(search_index, query: str, expected: dict[str, int]) -> None:
    result = search_index.search(query, limit=100, group_versions=False)  # the oracle counts each export
    check_rows(result)
    assert result.total == len(expected)
    assert {h.doc_id: h.other_hits + 1 for h in result.hits} == expected


def test_required_phrase(search_index, passages_by_doc):
    expected = _oracle(passages_by_doc, lambda b: contains(b, "sinh hoạt đảng"))
    assert len(expected) >= 3
    _check_against(search_index, '"sinh hoạt đảng"', expected)
    for hit in search_index.search('"sinh hoạt đảng"', limit=10).hits:
        assert contains(hit_passage(search_index, hit)["body"], "sinh hoạt đảng")


def test_required_unaccented_phrase_matches_folded(search_index, passages_by_doc):
    expected = _oracle(passages_by_doc, lambda b: contains(b, "sinh hoat dang", folded=True))
    _check_against(search_index, '"sinh hoat dang"', expected)


def test_phrase_with_ranked_words_still_requires_the_phrase(search_index):
    hits = search_index.search('an ninh mạng "kết nạp đảng viên"', limit=10).hits
    assert hits
    for hit in hits:
        assert contains(hit_passage(search_index, hit)["body"], "kết nạp đảng viên")
    assert ANNINH not in {name(h) for h in hits}


def test_or_of_phrases(search_index, passages_by_doc):
    expected = _oracle(passages_by_doc,
                       lambda b: contains(b, "chuyển sinh hoạt") or contains(b, "an ninh mạng"))
    _check_against(search_index, '"chuyển sinh hoạt" OR "an ninh mạng"', expected)
    names = {name(h) for h in search_index.search('"chuyển sinh hoạt" OR "an ninh mạng"', limit=10).hits}
    assert P294 in names and ANNINH in names


def test_excluded_phrase_never_appears(search_index, passages_by_doc):
    query = 'đảng viên -"chuyển sinh hoạt"'
    hits = search_index.search(query, limit=10).hits
    assert hits
    for hit in hits:
        assert not contains(hit_passage(search_index, hit)["body"], "chuyển sinh hoạt")
    expected = _oracle(passages_by_doc, lambda b: not contains(b, "chuyển sinh hoạt")
                       and any(s in ("dang", "vien") for s in map(fold, syllables(b))))
    _check_against(search_index, query, expected)


@pytest.mark.parametrize(("phrase", "word"), [
    ("sinh hoạt", "đảng"),  # every passage with "sinh hoạt" also says "đảng": nothing may come back
    ("hồ sơ", "đảng"), ("quy định", "đảng"), ("bảo vệ", "mạng"), ("an ninh mạng", "không"),
])
def test_excluded_word_never_appears(search_index, passages_by_doc, phrase, word):
    expected = _oracle(passages_by_doc, lambda b: contains(b, phrase) and word not in syllables(b))
    _check_against(search_index, f'"{phrase}" -{word}', expected)


def test_excluded_unaccented_word_excludes_every_accenting(search_index):
    hits = search_index.search('"sinh hoạt" -dang', limit=10).hits
    for hit in hits:
        assert "dang" not in {fold(s) for s in syllables(hit_passage(search_index, hit)["body"])}


# --- rows, counts, limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["chuyen sinh hoat dang", "đảng viên", "Quy định 294", "an ninh mạng"])
def test_one_row_per_document(search_index, query):
    check_rows(search_index.search(query, limit=10))


def test_other_hits_of_a_number_query_count_only_passages(search_index, passages_by_doc):
    """Every passage of 294-QĐ/TW carries its number, so all of them match: the others are n - 1."""
    hit = search_index.search("294-QĐ/TW", limit=1).hits[0]
    assert hit.other_hits == len(passages_by_doc[hit.doc_id]) - 1


def test_limit(search_index):
    result = search_index.search("đảng viên", limit=2)
    assert len(result.hits) == 2
    assert result.total > 2


def test_nothing_found(search_index):
    result = search_index.search("xyzzyplugh", limit=10)
    assert result.hits == [] and result.total == 0


# --- scanned PDF ------------------------------------------------------------------------------------


def test_scanned_pdf_has_a_record_but_no_empty_passages(search_index, search_doc_ids, passages_by_doc):
    doc_id = search_doc_ids[SCANNED]
    record = search_index.record(doc_id)
    assert record.facts["pages_without_text"] == 2
    assert passages_by_doc[doc_id] == []
    for doc_passages in passages_by_doc.values():
        for p in doc_passages:
            assert p["body"].strip(), (p["doc_id"], p["section"])


def test_scanned_pdf_never_appears_in_results(search_index, search_doc_ids):
    doc_id = search_doc_ids[SCANNED]
    for query in ["cuc hoa chat", "công văn", "813"]:
        assert doc_id not in {h.doc_id for h in search_index.search(query, limit=50).hits}


# --- snippet (pure) ---------------------------------------------------------------------------------

_WORDS = ["đảng", "Đảng", "viên", "chuyển", "sinh", "hoạt", "an", "ninh", "mạng", "số", "sở", "21", "ĐẢNG"]


@given(st.lists(st.sampled_from(_WORDS + [",", ".", "\n", "  "]), max_size=200),
       st.sets(st.sampled_from(["dang", "vien", "sinh", "hoat", "ninh", "so", "21"]), min_size=1))
@settings(max_examples=150, deadline=None)
def test_snippet_spans_mark_exactly_the_query_words(pieces, terms):
    text = " ".join(pieces)
    out, spans = snippet(text, terms, width=80)
    words_in_text = [w for w in re.findall(r"\w+", text) if fold(w).lower() in terms]
    if not words_in_text:
        assert spans == []
        return
    assert spans
    previous_end = 0
    for s, e in spans:
        assert 0 <= previous_end <= s < e <= len(out)
        assert fold(out[s:e]).lower() in terms
        previous_end = e
    # every matching word inside the shown window is highlighted
    shown = [m.span() for m in re.finditer(r"\w+", out) if fold(m.group()).lower() in terms]
    assert shown == spans
    assert len(out) <= 80 + 2 + max((len(w) for w in _WORDS), default=0) * 2


@pytest.mark.parametrize("query", ["Quy định 294 kết nạp đảng viên", "ket nap dang vien 294-QĐ/TW"])
def test_words_beside_a_number_pick_the_passage(search_index, query):
    """The number finds the document; the other words choose its passage (not the preamble that
    happens to repeat "Quy định" and "294")."""
    hit = search_index.search(query, limit=1).hits[0]
    assert name(hit) == "sotay_quydinh294.pdf"
    passage = hit_passage(search_index, hit)
    assert passage["section"], "the preamble was chosen"
    assert "kết nạp" in passage["body"].lower()


def test_a_bare_number_still_ranks_the_documents_citing_it(search_index):
    hits = search_index.search("Quy định 294", limit=5).hits
    assert name(hits[0]) == "sotay_quydinh294.pdf"
    assert len(hits) > 1  # its words still rank the guidance documents that cite it


EXTRACTION_MODULES = ("pypdf", "docx", "olefile", "striprtf", "cryptography", "searchdocs.extract",
                      "searchdocs.ingest.indexer")
_SEARCH_IN_A_FRESH_PROCESS = """
import sys
from click.testing import CliRunner
from searchdocs.interface.cli import cli
result = CliRunner().invoke(cli, ["--index", sys.argv[1], "search", "chuyen sinh hoat dang", "--json"])
assert result.exit_code == 0, result.output
loaded = [m for m in sys.argv[2:] if m in sys.modules]
for name in ("rich", "asyncio", "urllib.request", "whoosh.lang.morph_en"):
    if name in sys.modules:
        loaded.append(name)
print(" ".join(loaded))
"""


def test_a_search_loads_no_extraction_library(search_index_dir):
    """Lazy imports keep the search path light: no extraction code, no rich for piped output, and
    not the modules Whoosh imports without needing them (see searchdocs/_whoosh.py)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _SEARCH_IN_A_FRESH_PROCESS, str(search_index_dir),
                           *EXTRACTION_MODULES], capture_output=True, text=True, cwd=Path(__file__).parents[1],
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


@pytest.mark.parametrize("query", ["chuyen sinh hoat dang", "đảng viên", "Quy định 294", '"kết nạp" -"quân đội"',
                                   "trách nhiệm của cấp ủy trong việc quản lý đảng viên sinh hoạt tạm thời",
                                   '"sinh hoạt đảng" OR "sinh hoat tam thoi" chi bộ', '"đảng vien" chính thức',
                                   "BCH TW", '"của các"'])
def test_ranking_is_whoosh_bm25f_with_a_doc_id_facet_to_the_last_bit(search_index, query):
    """The array scoring (scoring.py) gives what Whoosh's BM25F, filter and Count facet give: same
    passages, same order, bit-identical scores, same counts per document."""
    from whoosh import sorting
    from searchdocs.engines.whoosh.scoring import weighting

    parsed = parse(query)
    q = to_whoosh(parsed, search_index._share)
    passages = set(np.flatnonzero(search_index._passages()).tolist())
    with search_index._ix.searcher(weighting=weighting()) as plain:
        results = plain.search(q, limit=None, filter=passages, groupedby={"doc": sorting.FieldFacet("doc_id")},
                               maptype=sorting.Count)
        expected = [(h.docnum, h.score) for h in results], results.groups("doc")
    for first in (1, 3, 256):  # the order is the same however much is sorted at a time
        ranking, counts = search_index.ranking(parsed)
        assert (list(ranking.best_first(first)), counts) == expected
    assert expected[0]


# --- A passage's heading is a field of its own ---------------------------------------------------------

def _headed_passage(search_index) -> tuple[str, str]:
    """A real article of the corpus (text, its heading's words without the article number)."""
    from searchdocs.documents.structure import heading

    for record in search_index.records():
        for p in search_index.passages(record.doc_id):
            head = heading(p["body"], p["section"])
            words = re.sub(r"^Điều \d+[a-zđ]?[.:]?\s*", "", head)
            if head.startswith("Điều") and len(syllables(words)) >= 4 and not find_numbers(words):
                return p["body"], words
    raise AssertionError("the fixture corpus has articles with headings")


def test_a_heading_outranks_the_same_words_in_the_text(search_index, tmp_path, monkeypatch) -> None:
    """Two records with the same words: in one the article's heading line, in the other the same
    line moved to the end of the text. The heading's record ranks first, and the heading field is
    what puts it there (without its weight the two are all but tied)."""
    import json

    import searchdocs
    from searchdocs.search import query as weights

    text, words = _headed_passage(search_index)
    head, _, rest = text.partition("\n")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"_id": i, "text": t}, ensure_ascii=False)
                              for i, t in (("headed", text), ("buried", f"{rest.strip()} {head}"))) + "\n",
                    encoding="utf-8")
    searchdocs.index_paths(tmp_path / "ix", [feed], jobs=1)

    def gap(query: str) -> float:
        with searchdocs.open_index(tmp_path / "ix") as ix:
            scores = {h.record_id: h.score for h in ix.search(query, 2, rerank=False).hits}
        return scores["headed"] - scores["buried"]

    shipped = weights.HEADING_BOOST
    for query in (words, fold(words)):
        with_heading = gap(query)
        monkeypatch.setattr(weights, "HEADING_BOOST", 0.0)
        without = gap(query)
        monkeypatch.setattr(weights, "HEADING_BOOST", shipped)
        assert with_heading > 0 and with_heading > 5 * abs(without), (query, with_heading, without)
