"""Abbreviations both ways, and document numbers typed as "NQ 21 TW", "nghi quyet 21", "QĐ 5 T.Ư"."""
from __future__ import annotations

import pytest
from whoosh import query as wq

from searchdocs.documents import abbreviations
from searchdocs.documents.abbreviations import ABBREVIATIONS, abbreviate, expand, expand_compound, expansions
from searchdocs.engines.whoosh.query import to_whoosh
from searchdocs.search.query import EXPANSION_BOOST, parse

# The pairs the Party's own documents use (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW), written as they are.
PAIRS = [
    ("NQ", "nghị quyết"), ("CT", "chỉ thị"), ("QĐ", "quyết định"), ("QĐ", "quy định"), ("KL", "kết luận"),
    ("HD", "hướng dẫn"), ("TW", "trung ương"), ("TƯ", "trung ương"), ("T.Ư", "trung ương"),
    ("BCH", "ban chấp hành"), ("BCT", "bộ chính trị"), ("BBT", "ban bí thư"), ("UBKT", "ủy ban kiểm tra"),
    ("BTC", "ban tổ chức"), ("ĐUK", "đảng ủy khối"), ("TB", "thông báo"), ("QĐi", "quy định"),
    ("TT", "thông tri"), ("VPTW", "văn phòng trung ương"), ("BTV", "ban thường vụ"), ("NĐ", "nghị định"),
    ("UBND", "ủy ban nhân dân"), ("TU", "tỉnh ủy"), ("TU", "thành ủy"), ("HU", "huyện ủy"),
]


def words(text: str) -> tuple[str, ...]:
    return abbreviations.folded_words(text)


@pytest.mark.parametrize(("abbr", "full"), PAIRS)
def test_abbreviation_gives_its_full_form(abbr, full):
    assert words(full) in expansions(f"văn bản {abbr} mới")
    assert full in expand(abbr)


@pytest.mark.parametrize(("abbr", "full"),
                         [(a, f) for a, f in PAIRS if abbreviations.key(a) not in abbreviations.WORD_LIKE])
def test_full_form_gives_its_abbreviation(abbr, full):
    assert (abbreviations.key(abbr),) in expansions(f"văn bản {full} mới")
    assert abbreviations.key(abbr) in abbreviate(full)


@pytest.mark.parametrize(("typed", "full"), [
    ("QD", "quyết định"), ("qđ", "quy định"), ("DUK", "đảng ủy khối"), ("duk", "đảng ủy khối"),
    ("ubkt", "ủy ban kiểm tra"), ("Nghi Quyet", None), ("NGHỊ QUYẾT", None), ("nghi quyet", None),
])
def test_accent_and_case_insensitive(typed, full):
    found = expansions(typed)
    if full is None:  # a full form typed any way gives the abbreviation
        assert ("nq",) in found
    else:
        assert words(full) in found


def test_every_table_entry_expands_both_ways():
    for abbr, fulls in ABBREVIATIONS.items():
        for full in fulls:
            assert words(full) in [words(f) for f in expand(abbr)], abbr
            if abbreviations.key(abbr) not in abbreviations.WORD_LIKE:
                assert abbreviations.key(abbr) in abbreviate(full), (abbr, full)


def test_syllable_like_abbreviations_need_capitals():
    """"tu" (từ, tư), "hu", "du" are words; only "TU", "TƯ" in capitals are abbreviations."""
    assert expansions("tu nam 2020") == []
    assert expansions("hu hong") == []
    assert words("trung ương") in expansions("Nghị quyết TƯ")
    assert words("tỉnh ủy") not in expansions("Nghị quyết TƯ")  # accented: only trung ương
    assert {words("tỉnh ủy"), words("thành ủy")} <= set(expansions("Kết luận TU"))
    assert ("tu",) not in expansions("trung ương")  # never abbreviated to a word


def test_capitalised_words_are_not_abbreviations():
    assert expansions("Hd này") == []  # "Hd": a capitalised word, not HD


def test_compound_abbreviations():
    assert expand_compound("BTCTW") == ["ban tổ chức trung ương"]
    assert expand_compound("UBKTTW") == ["ủy ban kiểm tra trung ương"]
    assert "ban tổ chức thành ủy" in expand_compound("BTCTU")
    assert expand_compound("XYZ") == []


def test_expansions_are_extra_ranked_terms_not_required():
    p = parse("BBT kết nạp")
    assert words("ban bí thư") in p.expansions
    q = to_whoosh(p)
    assert isinstance(q, wq.Or)  # everything ranked, nothing required
    extra = [t for t in q.subqueries if isinstance(t, wq.Phrase) and tuple(t.words) == ("ban", "bi", "thu")]
    assert len(extra) == 1 and 0 < extra[0].boost == EXPANSION_BOOST < 1
    assert any(isinstance(t, wq.Term) and t.text == "bbt" for t in q.subqueries)  # the word itself stays


def test_no_expansion_of_excluded_words():
    assert parse("ket nap -BBT").expansions == []


def test_abbreviation_finds_the_full_name(search_index):
    """No fixture passage says "BBT", many say "Ban Bí thư": the expansion finds them, highlighted."""
    hits = search_index.search("BBT", limit=5).hits
    assert hits
    for hit in hits:
        shown = [p for p in search_index.passages(hit.doc_id)
                 if (p["section"] or "") == hit.section and p.get("page") == hit.page]
        assert any("ban bí thư" in " ".join(p["body"].lower().split()) for p in shown), hit.section
        assert {hit.snippet[s:e].lower() for s, e in hit.highlights} & {"ban", "bí", "thư"}, hit.snippet


# --- document numbers in spellings the rest of the suite does not use ----------------------------------


@pytest.mark.parametrize(("query", "key"), [
    ("NQ 21 TW", "21-nq/tw"), ("nq 21 tw", "21-nq/tw"), ("Nghị quyết 21 TƯ", "21-nq/tw"),
    ("nghi quyet so 21 T.Ư", "21-nq/tw"), ("NQ 21/TW", "21-nq/tw"), ("QĐ 5 TW", "5-qd/tw"),
    ("HD 38 BTCTW", "38-hd/btctw"), ("KL 12 TU", "12-kl/tu"), ("chi thi 05 DUK", "5-ct/duk"),
])
def test_typed_number_with_issuer_is_a_full_key(query, key):
    p = parse(query)
    assert p.number_keys == [key] and p.short_keys == []


@pytest.mark.parametrize("query", ["Quy định 294 từ năm 2025", "nghi quyet 21 tu nam 2020"])
def test_a_word_after_the_number_is_not_an_issuer(query):
    p = parse(query)
    assert p.number_keys == [] and len(p.short_keys) == 1


@pytest.fixture(scope="module")
def numbers_index(tmp_path_factory, party_txt):
    """21-NQ/TW and the documents it could be confused with: same number other type or issuer,
    same type other number."""
    import searchdocs

    folder = tmp_path_factory.mktemp("numbers") / "docs"
    body = "Điều 1. Nội dung\nCác cấp ủy tổ chức thực hiện nghiêm túc văn bản này.\n"
    party_txt(folder, "nq21tw.txt", "21-NQ/TW", "NGHỊ QUYẾT", (16, 6, 2022),
              "về tăng cường củng cố, xây dựng tổ chức cơ sở đảng", body, authority="BAN CHẤP HÀNH TRUNG ƯƠNG")
    party_txt(folder, "nq21tu.txt", "21-NQ/TU", "NGHỊ QUYẾT", (3, 3, 2023), "về phát triển du lịch", body,
              authority="BAN THƯỜNG VỤ TỈNH ỦY")
    party_txt(folder, "ct21tw.txt", "21-CT/TW", "CHỈ THỊ", (20, 1, 2023), "về công tác phụ nữ", body,
              authority="BAN BÍ THƯ")
    party_txt(folder, "nq12tw.txt", "12-NQ/TW", "NGHỊ QUYẾT", (3, 1, 2022), "về đẩy mạnh công tác xây dựng", body,
              authority="BỘ CHÍNH TRỊ")
    directory = folder.parent / "index"
    report = searchdocs.index_paths(directory, [folder], jobs=1)
    assert not report.failed and len(report.indexed) == 4
    ix = searchdocs.open_index(directory)
    assert {r.meta["number"] for r in ix.records()} == {"21-NQ/TW", "21-NQ/TU", "21-CT/TW", "12-NQ/TW"}
    yield ix
    ix.close()


@pytest.mark.parametrize("query", [
    "NQ 21 TW", "nq 21 tw", "Nghị quyết 21 TƯ", "nghi quyet so 21 T.Ư", "NQ 21/TW", "21-nq/t.ư",
    "nghị quyết 21-NQ/TƯ về tổ chức cơ sở đảng", "NQ 21 TW du lich",  # words favouring another document
])
def test_number_lookup_puts_21_nq_tw_first(numbers_index, query):
    hits = numbers_index.search(query, limit=4).hits
    assert hits[0].number == "21-NQ/TW", [(h.number, h.score) for h in hits]
    assert hits[0].score > 2 * hits[1].score


@pytest.mark.parametrize("query", ["nghi quyet 21", "Nghị quyết số 21", "NQ 21"])
def test_type_and_number_find_both_resolutions_numbered_21(numbers_index, query):
    hits = numbers_index.search(query, limit=4).hits
    assert {h.number for h in hits[:2]} == {"21-NQ/TW", "21-NQ/TU"}
