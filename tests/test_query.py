"""The query language: words, phrases, exclusions, OR, document numbers; errors; spelling invariance."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchdocs.errors import QuerySyntaxError, SearchdocsError
from searchdocs.search.query import parse

# --- parsing ----------------------------------------------------------------------------------------


def test_words_are_lower_case_syllables():
    p = parse("Đảng viên  chuyển   sinh hoạt")
    assert p.words == ["đảng", "viên", "chuyển", "sinh", "hoạt"]
    assert p.phrases == [] and p.excluded == [] and p.number_keys == [] and p.short_keys == []


def test_phrases_exclusions_and_words():
    p = parse('đảng viên "chuyển sinh hoạt" -"tạm thời" -nước')
    assert p.words == ["đảng", "viên"]
    assert p.phrases == [[["chuyển", "sinh", "hoạt"]]]
    assert p.excluded == [["tạm", "thời"], ["nước"]]


def test_or_joins_phrases_into_one_group():
    p = parse('"kết nạp đảng viên" OR "chuyển sinh hoạt" "hồ sơ"')
    assert p.phrases == [[["kết", "nạp", "đảng", "viên"], ["chuyển", "sinh", "hoạt"]], [["hồ", "sơ"]]]


def test_or_without_a_phrase_before_it_is_ignored():
    p = parse('OR "hồ sơ"')
    assert p.phrases == [[["hồ", "sơ"]]]
    assert p.words == []


def test_lower_case_or_is_a_word():
    assert parse("hồ sơ or lý lịch").words == ["hồ", "sơ", "or", "lý", "lịch"]


@pytest.mark.parametrize(("query", "key"), [
    ("294-QĐ/TW", "294-qd/tw"),
    ("294-qd/tw", "294-qd/tw"),
    ("294 - QĐ/TW", "294-qd/tw"),
    ("số 294-QĐ/TW", "294-qd/tw"),
    ("0294-qđ/tư", "294-qd/tw"),
    ("21 - nq/tw", "21-nq/tw"),
    ("15/2020/nđ-cp", "15/2020/nd-cp"),
    ("Nghị định 15 / 2020 / ND-CP", "15/2020/nd-cp"),
])
def test_number_keys(query, key):
    p = parse(query)
    assert p.number_keys == [key]
    assert p.short_keys == []  # the full key already says it


@pytest.mark.parametrize(("query", "short"), [
    ("Quy định 294", "294-qd"),
    ("quy dinh 294", "294-qd"),
    ("QUY ĐỊNH SỐ 294", "294-qd"),
    ("nghi quyet so 21", "21-nq"),
    ("Nghị quyết 21", "21-nq"),
    ("NQ 21", "21-nq"),
    ("Hướng dẫn 06", "6-hd"),
    ("hd 38", "38-hd"),
    ("Chỉ thị số 05", "5-ct"),
    ("Kết luận 12", "12-kl"),
    ("Quyết định 1074", "1074-qd"),
])
def test_short_keys(query, short):
    p = parse(query)
    assert p.short_keys == [short]
    assert p.number_keys == []


def test_plain_number_is_not_a_document_key():
    p = parse("trong 30 ngày")
    assert p.number_keys == [] and p.short_keys == []
    assert p.words == ["trong", "30", "ngày"]


def test_query_text_is_normalized():
    p = parse(unicodedata.normalize("NFD", "  Uỷ ban hoà giải\u00ad "))
    assert p.text == "Ủy ban hòa giải"
    assert p.words == ["ủy", "ban", "hòa", "giải"]


def test_highlight_terms_are_folded():
    p = parse('Đảng viên "sinh hoạt" -nước')
    assert p.highlight_terms() == {"dang", "vien", "sinh", "hoat"}


# --- errors -----------------------------------------------------------------------------------------


def _column(message: str) -> int:
    m = re.search(r"column (\d+)", message)
    assert m, message
    return int(m.group(1))


@pytest.mark.parametrize("query", ['đảng "viên', '"a" "b', 'chuyển sinh hoạt "', '"', '  "hồ sơ'])
def test_unclosed_quote_points_at_its_column(query):
    with pytest.raises(QuerySyntaxError) as e:
        parse(query)
    assert isinstance(e.value, SearchdocsError)
    message = str(e.value)
    assert "\n" not in message
    col = _column(message)
    assert query[col - 1] == '"'
    assert query.count('"', col) % 2 == 0  # the quote it points at has no partner after it


@pytest.mark.parametrize("query", ["-đảng", '-"sinh hoạt"', '-"sinh hoạt" -x -y'])
def test_only_exclusions_is_an_error(query):
    with pytest.raises(QuerySyntaxError, match="exclude"):
        parse(query)


@pytest.mark.parametrize("query", ["", "   ", '""', "OR", "- -", "..."])
def test_empty_query_is_an_error(query):
    with pytest.raises(QuerySyntaxError, match="empty"):
        parse(query)


# --- property: tone style and Unicode form never change the results ---------------------------------

# (modern spelling, old-style spelling) of words that occur in the fixture documents.
_VARIANTS = [
    ("hòa", "hoà"), ("ủy", "uỷ"), ("khóa", "khoá"), ("hóa", "hoá"), ("tùy", "tuỳ"), ("xóa", "xoá"),
    ("thỏa", "thoả"), ("khỏe", "khoẻ"), ("tòa", "toà"), ("hủy", "huỷ"),
]
_PLAIN = [
    "đảng", "viên", "chuyển", "sinh", "hoạt", "ban", "kiểm", "tra", "an", "ninh", "mạng", "trí", "tuệ",
    "nhân", "tạo", "quy", "định", "hướng", "dẫn", "huy", "hiệu", "cơ", "sở", "số", "bảo", "vệ", "hồ", "sơ",
    "chi", "bộ", "thường", "vụ", "kết", "nạp",
]


@st.composite
def query_forms(draw) -> tuple[str, str, str]:
    """The same query three ways: modern tone marks, a random mix of old-style marks, and that in NFD."""
    pairs = draw(st.lists(st.one_of(st.sampled_from(_VARIANTS), st.sampled_from(_PLAIN).map(lambda w: (w, w))),
                          min_size=1, max_size=6))
    old = [draw(st.booleans()) for _ in pairs]
    excluded = draw(st.lists(st.sampled_from(_VARIANTS + [(w, w) for w in _PLAIN]), max_size=1))
    phrase = len(pairs) >= 2 and draw(st.booleans())

    def render(pick) -> str:
        words = [pick(pair, o) for pair, o in zip(pairs, old)]
        if phrase:
            words = [f'"{words[0]} {words[1]}"'] + words[2:]
        words += [f"-{pick(pair, o)}" for pair, o in zip(excluded, [True] * len(excluded))]
        return " ".join(words)

    modern = render(lambda pair, o: pair[0])
    mixed = render(lambda pair, o: pair[1] if o else pair[0])
    return modern, mixed, unicodedata.normalize("NFD", mixed)


def _outcome(index, query: str):
    result = index.search(query, limit=10)
    return result.total, [(h.doc_id, h.section, h.page, h.score, h.snippet, h.highlights, h.other_hits)
                          for h in result.hits]


@given(query_forms())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_tone_variant_and_nfd_queries_give_identical_results(search_index, forms):
    modern, mixed, nfd = forms
    expected = _outcome(search_index, modern)
    assert _outcome(search_index, mixed) == expected, (modern, mixed)
    assert _outcome(search_index, nfd) == expected, (modern, "NFD")


@pytest.mark.parametrize(("modern", "old"), [("hòa", "hoà"), ("ủy ban", "uỷ ban"), ("khóa", "khoá")])
def test_old_style_query_finds_the_modern_spelling(search_index, modern, old):
    """Documents are indexed in the modern spelling; an old-style query must still find them."""
    hits = search_index.search(old, limit=5).hits
    assert hits
    assert hits[0].snippet == search_index.search(modern, limit=5).hits[0].snippet
    highlighted = [hits[0].snippet[s:e].lower() for s, e in hits[0].highlights]
    assert modern.split()[0] in highlighted
