"""The analysis chain: syllables folded and accented at one position, number tokens, bigrams."""
from __future__ import annotations

import pickle
import unicodedata
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchdocs.analysis import bigram_analyzer, body_analyzer, heading_analyzer, syllables
from searchdocs.documents.normalize import clean_text, fold
from searchdocs.search.query import parse


def tokens(text: str, analyzer=None) -> list[tuple[str, int, bool]]:
    """(text, position, is_number) of every token, copied out (Whoosh reuses one Token object)."""
    analyzer = analyzer or body_analyzer()
    return [(t.text, t.pos, bool(getattr(t, "number", False))) for t in analyzer(text, positions=True)]


def by_position(text: str, analyzer=None) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for term, pos, _ in tokens(text, analyzer):
        out[pos].append(term)
    return dict(out)


def number_tokens(text: str) -> list[str]:
    return [term for term, _, is_number in tokens(text) if is_number]


# --- body analyzer ----------------------------------------------------------------------------------


def test_folded_and_accented_forms_share_a_position():
    positions = by_position("Đảng viên chuyển sinh hoạt")
    assert positions == {
        0: ["dang", "đảng"], 1: ["vien", "viên"], 2: ["chuyen", "chuyển"], 3: ["sinh"], 4: ["hoat", "hoạt"],
    }


def test_tokens_are_lower_case():
    assert by_position("ĐẢNG Cộng SẢN") == {0: ["dang", "đảng"], 1: ["cong", "cộng"], 2: ["san", "sản"]}


def test_one_letter_syllables_are_kept():
    positions = by_position("ý kiến ở cơ sở, a")
    assert positions[0] == ["y", "ý"]
    assert positions[2] == ["o", "ở"]
    assert positions[5] == ["a"]


def test_no_stopwords_are_removed():
    terms = [term for term, _, _ in tokens("Nhà nước số 21 năm 2025 và của các là")]
    for word in ["nhà", "nha", "số", "so", "năm", "nam", "21", "2025", "và", "của", "các", "là"]:
        assert word in terms, word


def test_party_number_is_one_token_at_its_first_syllable():
    toks = tokens("Nghị quyết số 21 - NQ/TW của Bộ Chính trị")
    assert ("21-nq/tw", 3, True) in toks
    # the syllables are still there, at their own positions, so phrases over them keep working
    assert ("21", 3, False) in toks and ("nq", 4, False) in toks and ("tw", 5, False) in toks
    assert ("cua", 6, False) in toks


def test_state_number_is_one_folded_token():
    toks = tokens("Nghị định 15/2020/NĐ-CP ngày 03/02/2020")
    assert ("15/2020/nd-cp", 2, True) in toks
    assert number_tokens("Nghị định 15/2020/NĐ-CP ngày 03/02/2020") == ["15/2020/nd-cp"]  # not the date
    assert ("nđ", 4, False) in toks and ("nd", 4, False) in toks


@pytest.mark.parametrize(("text", "key"), [
    ("Số 294-QĐ/TW", "294-qd/tw"),
    ("Số: 294 - QĐ/TW", "294-qd/tw"),
    ("294 – QĐ/TƯ", "294-qd/tw"),
    ("0294-qđ/tw", "294-qd/tw"),
    ("Hướng dẫn số 06-HD/TW", "6-hd/tw"),
    ("38-HD/BTCTW", "38-hd/btctw"),
    ("Quy định 08-QĐi/TW", "8-qdi/tw"),
    ("Luật số: 24/2018/QH14", "24/2018/qh14"),
    ("Quyết định 1074/QĐ-BXD", "1074/qd-bxd"),
    ("15 / 2020 / NĐ-CP", "15/2020/nd-cp"),
])
def test_number_token_spellings(text, key):
    assert number_tokens(text) == [key]


@pytest.mark.parametrize("text", ["5 lần/năm", "ngày 26/5/2025", "tỷ lệ 3/4", "khoản 2, Điều 3"])
def test_prose_and_dates_are_not_number_tokens(text):
    assert number_tokens(text) == []


# --- bigrams ----------------------------------------------------------------------------------------


def test_bigrams_are_folded_pairs():
    terms = [term for term, _, _ in tokens("Đảng viên chuyển sinh hoạt", bigram_analyzer())]
    assert terms == ["dang_vien", "vien_chuyen", "chuyen_sinh", "sinh_hoat"]


def test_bigrams_of_unaccented_text_are_the_same():
    terms = [term for term, _, _ in tokens("an ninh mang", bigram_analyzer())]
    assert terms == ["an_ninh", "ninh_mang"]


@pytest.mark.parametrize(("text", "pairs"), [
    ("năm 2025 mã 270010000000085 cấp", ["nam_2025", "2025_ma"]),  # a long code breaks the chain
    ("cổng Internet banking và telecommunications", ["cong_internet", "internet_banking", "banking_va"]),
    ("mã số 123456 đăng ký", ["ma_so", "dang_ky"]),  # more digits than a year: not paired
])
def test_codes_and_long_tokens_are_not_paired(text, pairs):
    assert [term for term, _, _ in tokens(text, bigram_analyzer())] == pairs


def test_bigram_field_has_no_number_tokens():
    terms = [term for term, _, _ in tokens("theo 21-NQ/TW", bigram_analyzer())]
    assert not any("/" in t for t in terms)


# --- pickling (Whoosh stores the analyzers in the index) --------------------------------------------


def test_heading_has_both_forms_and_no_number_tokens():
    text = "Điều 3. Thi hành Quy định 294-QĐ/TW"
    assert by_position(text, heading_analyzer()) == {
        k: [t for t in forms if "/" not in t] for k, forms in by_position(text).items()}
    assert by_position(text, heading_analyzer())[2] == ["thi"] and "294-qd/tw" in number_tokens(text)


@pytest.mark.parametrize("make", [body_analyzer, bigram_analyzer, heading_analyzer])
def test_analyzers_pickle_and_unpickle_equal(make):
    analyzer = make()
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert restored == make()
    text = "Uỷ ban Kiểm tra, 21 - NQ/TW và 15/2020/NĐ-CP"
    assert tokens(text, restored) == tokens(text, analyzer)


def test_schema_survives_pickling():
    from searchdocs.engines.whoosh.schema import build_schema

    schema = pickle.loads(pickle.dumps(build_schema()))
    assert schema["body"].analyzer == body_analyzer()
    assert schema["bigrams"].analyzer == bigram_analyzer()


def test_analyzers_with_different_settings_are_not_equal():
    from searchdocs.analysis import AccentFoldFilter, SyllableTokenizer

    assert SyllableTokenizer(numbers=True) != SyllableTokenizer(numbers=False)
    assert AccentFoldFilter(keep_accented=True) != AccentFoldFilter(keep_accented=False)
    assert body_analyzer() != bigram_analyzer()


def test_syllables_helper_matches_the_index_syllables():
    text = "Đảng viên ở 21-NQ/TW"
    assert syllables(text) == ["đảng", "viên", "ở", "21", "nq", "tw"]
    non_number = [term for term, _, is_num in tokens(text) if not is_num]
    assert set(syllables(text)) <= set(non_number)


# --- property: folding never breaks a document number ----------------------------------------------

_PARTY_TYPES = ["NQ", "CT", "QĐ", "HD", "KL", "QĐi"]
_PARTY_ISSUERS = ["TW", "BCTW", "ĐUK", "TƯ", "BTCTW", "ĐU", "TU", "BCSĐ"]
_CENTRAL = {"TƯ", "T.Ư"}  # Trung ương: key "tw"; folded it would read "TU" (a Tỉnh ủy), so never folded
_STATE_TYPES = [("NĐ", "CP"), ("QĐ", "TTg"), ("NQ", "CP"), ("TT", "BTC"), ("QĐ", "UBND"), ("NQ", "HĐND")]


@st.composite
def party_number(draw) -> tuple[str, str, bool]:
    """(text, expected key, may be folded) for N-TYPE/ISSUER written in one of many ways."""
    n = draw(st.integers(1, 9999))
    digits = str(n).zfill(draw(st.integers(len(str(n)), min(5, len(str(n)) + 2))))
    type_ = draw(st.sampled_from(_PARTY_TYPES))
    issuer = draw(st.sampled_from(_PARTY_ISSUERS + ["T.Ư"]))
    dash = draw(st.sampled_from(["-", " - ", " -", "- ", "–", " – "]))
    lower = issuer != "T.Ư" and draw(st.booleans())  # "t.ư" in lower case is not a symbol spelling
    text = f"{digits}{dash}{type_}/{issuer}"
    if lower:
        text = text.lower()
    issuer_key = "tw" if issuer in _CENTRAL else fold(issuer).lower()
    key = f"{n}-{fold(type_).lower()}/{issuer_key}"
    return text, key, issuer not in _CENTRAL


@st.composite
def state_number(draw) -> tuple[str, str, bool]:
    n = draw(st.integers(1, 9999))
    year = draw(st.integers(1990, 2030))
    type_, issuer = draw(st.sampled_from(_STATE_TYPES))
    slash = draw(st.sampled_from(["/", " / ", "/ "]))
    text = f"{n}{slash}{year}{slash}{type_}-{issuer}"
    if draw(st.booleans()):
        text = text.lower()
    return text, f"{n}/{year}/{fold(type_).lower()}-{fold(issuer).lower()}", True


@st.composite
def number_in_context(draw) -> tuple[str, str]:
    text, key, foldable = draw(st.one_of(party_number(), state_number()))
    prefix = draw(st.sampled_from(["", "số ", "Số: ", "Số ", "Căn cứ Nghị quyết số ", "theo "]))
    suffix = draw(st.sampled_from(["", " ngày 26/5/2025", ", của Ban Chấp hành", "."]))
    text = prefix + text + suffix
    if foldable and draw(st.booleans()):
        text = fold(text)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return text, key


@given(number_in_context())
@settings(max_examples=250, deadline=None)
def test_folding_never_breaks_a_document_number(case):
    """In a document (cleaned, then analyzed) and in a query, every spelling gives the one key."""
    text, key = case
    assert number_tokens(clean_text(text)) == [key], text
    assert parse(text).number_keys == [key], text


# --- the direct computation of the same postings ------------------------------------------------------

from pathlib import Path  # noqa: E402

from whoosh.fields import TEXT  # noqa: E402

from searchdocs.analysis import bigram_postings, body_postings  # noqa: E402
from searchdocs.engines.whoosh.schema import build_schema  # noqa: E402

_CHAIN_BODY = TEXT(analyzer=body_analyzer(), phrase=True)
_CHAIN_BIGRAMS = TEXT(analyzer=bigram_analyzer(), phrase=False)
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def assert_same_postings(text: str) -> None:
    assert sorted(body_postings(text)) == sorted(_CHAIN_BODY.index(text))
    assert sorted(bigram_postings(text)) == sorted(_CHAIN_BIGRAMS.index(text))


def test_direct_postings_equal_the_chain_on_real_passages():
    """Every passage of two real documents (a Party PDF full of numbers, a law in DOCX)."""
    from searchdocs.ingest.indexer import prepare

    texts = []
    for name in ("sotay_quydinh294.pdf", "ragluat_LUATANNINHMANG.docx"):
        prepared = prepare(str(CORPUS / name), "sha", None, None, None)
        texts += [p.text for d in prepared.docs for p in d.passages]
    assert len(texts) > 50
    for text in texts:
        assert_same_postings(text)


@pytest.mark.parametrize("text", [
    "", "   ", "Số: 294-QĐ/TW ngày 26/5/2025", "294-QĐ/TW", "theo 15/2020/NĐ-CP.",
    "İstanbul ĐẢNG Đảng đảng", "hoà hòa HOÀ", "a b a b a", "x 1 2 3 21-NQ/TW 21-NQ/TW",
])
def test_direct_postings_equal_the_chain_on_edge_cases(text):
    assert_same_postings(text)


@given(st.text(alphabet=st.sampled_from(list("aăâbdđeêioôơuưyAĐ0123456789 -/.,QĐTWNCPHhàáảãạ\u0301")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_direct_postings_equal_the_chain_on_any_text(text):
    assert_same_postings(text)


def test_schema_fields_index_through_the_direct_postings():
    schema = build_schema()
    text = "Đảng viên chuyển sinh hoạt theo Quy định 294-QĐ/TW"
    assert sorted(schema["body"].index(text)) == sorted(_CHAIN_BODY.index(text))
    assert sorted(schema["bigrams"].index(text)) == sorted(_CHAIN_BIGRAMS.index(text))
