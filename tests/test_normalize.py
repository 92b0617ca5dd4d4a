"""Vietnamese normalization: one tone placement, NFC, Đ, invisible characters, accent folding."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from searchdocs.documents.normalize import TONES, clean_text, fold, normalize_query, normalize_word

# --- tone placement ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [
    ("hoà", "hòa"), ("uỷ", "ủy"), ("thuỷ", "thủy"), ("khoá", "khóa"), ("hoá", "hóa"), ("tuỳ", "tùy"),
    ("luỹ", "lũy"), ("hoạ", "họa"), ("khoẻ", "khỏe"), ("xoá", "xóa"), ("thoả", "thỏa"), ("toà", "tòa"),
    # capitals keep their case, the mark moves all the same
    ("Hoà", "Hòa"), ("HOÀ", "HÒA"), ("Uỷ", "Ủy"), ("UỶ", "ỦY"), ("THUỶ", "THỦY"), ("KHOÁ", "KHÓA"),
])
def test_old_style_tone_moves_to_the_first_vowel_of_an_open_syllable(old, new):
    assert clean_text(old) == new
    assert normalize_word(old) == new


@pytest.mark.parametrize("word", [
    "quý", "hoàn", "huỳnh", "gió", "người", "café", "quyết", "nguyễn", "Nguyễn", "giữa", "già", "gìn",
    "khuỷu", "thuở", "quạ", "hoàng", "toán", "Việt", "tiếng", "hòa", "ủy", "thủy", "khóa", "radio",
    "Đảng", "ĐẢNG", "x", "ý", "ở",
])
def test_words_already_in_place_or_not_vietnamese_stay_unchanged(word):
    assert clean_text(word) == word


def test_tone_placement_inside_running_text_keeps_everything_else():
    text = "Uỷ ban Kiểm tra, hoà giải; khoá XIII (2021–2026) — café, radio, Quý 3/2025."
    assert clean_text(text) == "Ủy ban Kiểm tra, hòa giải; khóa XIII (2021–2026) — café, radio, Quý 3/2025."


# --- Unicode forms and look-alikes ------------------------------------------------------------------


def test_nfd_input_becomes_nfc():
    text = "Đảng viên chuyển sinh hoạt đảng, Ủy ban Thường vụ Quốc hội"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    out = clean_text(nfd)
    assert out == text
    assert unicodedata.is_normalized("NFC", out)


def test_nfd_old_style_tone_is_composed_and_moved():
    assert clean_text(unicodedata.normalize("NFD", "hoà uỷ")) == "hòa ủy"


def test_eth_look_alike_becomes_d_with_stroke():
    assert "\u00d0" != "\u0110"
    assert clean_text("\u00d0ảng \u00d0ẢNG") == "\u0110ảng \u0110ẢNG"
    assert clean_text("\u00f0ồng chí") == "\u0111ồng chí"


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_soft_hyphen_and_zero_width_characters_are_removed(invisible):
    assert clean_text(f"chuy{invisible}ển sinh hoạt{invisible}") == "chuyển sinh hoạt"
    assert clean_text(f"{invisible}Đảng") == "Đảng"


def test_invisible_character_removed_before_tone_placement():
    # "ho<soft hyphen>à": once the hyphen is gone the word is "hoà", which is then normalized
    assert clean_text("ho\u00adà") == "hòa"


def test_combining_mark_after_zero_width_space_still_composes():
    out = clean_text("a\u200b\u0300 ho\u200ba\u0300")
    assert out == "à hòa"
    assert unicodedata.is_normalized("NFC", out)


def test_normalize_query_is_clean_text():
    q = unicodedata.normalize("NFD", "  Uỷ ban \u00d0ảng\u00ad ")
    assert normalize_query(q) == clean_text(q) == "  Ủy ban Đảng "


# --- folding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "folded"), [
    ("Đảng Cộng sản Việt Nam", "Dang Cong san Viet Nam"),
    ("đ Đ", "d D"),
    ("chuyển sinh hoạt đảng", "chuyen sinh hoat dang"),
    ("ĂÂÊÔƠƯ ăâêôơư", "AAEOOU aaeoou"),
    ("Nghị định 15/2020/NĐ-CP", "Nghi dinh 15/2020/ND-CP"),
    ("người ửng ỹ ỵ", "nguoi ung y y"),
    ("café", "cafe"),
    ("plain ascii 123 -/.", "plain ascii 123 -/."),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_of_nfd_equals_fold_of_nfc():
    text = "Hướng dẫn thi hành Điều lệ Đảng"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "Huong dan thi hanh Dieu le Dang"


# --- properties -------------------------------------------------------------------------------------

_BASE_VOWELS = "aăâeêioôơuưy"
_TONE_MARKS = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
_CONSONANTS = "bcdđghklmnpqrstvx"
_VOWEL_LETTERS = [unicodedata.normalize("NFC", v + t) for v in _BASE_VOWELS for t in _TONE_MARKS]
_LETTERS = _VOWEL_LETTERS + list(_CONSONANTS)
_ALPHABET = sorted(set(_LETTERS + [c.upper() for c in _LETTERS] + list("0123456789 \n\t.,;:-–/()\"'!?%")))

vietnamese_text = st.text(alphabet=_ALPHABET, max_size=60)
_INVISIBLES = ["\u00ad", "\u200b", "\ufeff", "\u2060"]


@st.composite
def messy_text(draw) -> str:
    """Vietnamese text, sometimes decomposed (NFD), with the invisible characters PDFs and web pages
    carry inserted anywhere, even between a letter and its combining marks."""
    text = draw(vietnamese_text)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    chars = list(text)
    for at, ch in draw(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(_INVISIBLES)), max_size=6)):
        chars.insert(min(at, len(chars)), ch)
    return "".join(chars)

_ONSETS = ["", "b", "ch", "đ", "g", "gi", "h", "kh", "l", "m", "ng", "ngh", "nh", "qu", "s", "t", "th", "tr", "x"]
_NUCLEI = ["a", "o", "u", "ua", "oa", "oe", "uy", "uê", "ươ", "iê", "ia", "ai", "oai", "uya", "ưu", "ây", "ê"]
_CODAS = ["", "n", "ng", "nh", "c", "ch", "t", "p", "m", "i", "u"]


@st.composite
def toned_syllable(draw) -> tuple[str, str, str]:
    """(onset, nucleus, coda) plus a tone: a syllable-shaped word to place the tone in."""
    onset = draw(st.sampled_from(_ONSETS))
    nucleus = draw(st.sampled_from(_NUCLEI))
    coda = draw(st.sampled_from(_CODAS))
    tone = draw(st.sampled_from(sorted(TONES)))
    return onset + nucleus + coda, tone, draw(st.sampled_from(["lower", "upper", "title"]))


def _with_tone_at(word: str, index: int, tone: str) -> str:
    return unicodedata.normalize("NFC", word[: index + 1] + tone + word[index + 1 :])


def _case(word: str, how: str) -> str:
    return {"lower": word, "upper": word.upper(), "title": word[:1].upper() + word[1:]}[how]


@given(vietnamese_text)
@settings(max_examples=300, deadline=None)
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


@given(messy_text())
@settings(max_examples=300, deadline=None)
def test_clean_text_of_messy_text_is_nfc_idempotent_and_invisible_free(text):
    once = clean_text(text)
    assert unicodedata.is_normalized("NFC", once)
    assert clean_text(once) == once
    assert not any(ch in once for ch in "\u00ad\u200b\ufeff\u2060")


@given(vietnamese_text)
@settings(max_examples=300, deadline=None)
def test_clean_text_changes_no_letters_only_tone_position(text):
    assert fold(clean_text(text)) == fold(text)
    assert clean_text(unicodedata.normalize("NFD", text)) == clean_text(text)


@given(toned_syllable())
@settings(max_examples=300, deadline=None)
def test_tone_on_any_vowel_of_a_syllable_gives_one_spelling(syllable):
    """Wherever the mark was typed (hoà, hòa), the cleaned word is the same and carries one tone."""
    base, tone, how = syllable
    assume(len(base) <= 7)  # longer words are left alone: no Vietnamese syllable is longer (nghiêng)
    positions = [i for i, ch in enumerate(base) if ch in _BASE_VOWELS]
    spellings = {clean_text(_case(_with_tone_at(base, i, tone), how)) for i in positions}
    assert len(spellings) == 1, spellings
    (word,) = spellings
    assert fold(word) == fold(_case(base, how))
    marks = [ch for ch in unicodedata.normalize("NFD", word) if ch in TONES]
    assert marks == [tone]


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_fold_leaves_no_combining_mark_and_no_d_with_stroke(text):
    folded = fold(text)
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded
    assert fold(folded) == folded
