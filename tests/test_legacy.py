"""Legacy Vietnamese encodings: detection, conversion, .doc/.rtf extraction, Unicode left alone."""
from __future__ import annotations

import importlib.util
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchdocs.errors import ExtractionError
from searchdocs.extract import extract
from searchdocs.extract.doc import extract_doc, read_runs
from searchdocs.extract.docx import extract_docx
from searchdocs.extract.rtf import extract_rtf
from searchdocs.documents.legacy import TCVN3, VNI, convert_run, convert_runs, convert_text, font_encoding, is_syllable

DATA = Path(__file__).parent / "data" / "legacy"
SHARED = Path(__file__).parents[1].parent / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "documents").is_dir(), reason="../shared is missing")

# The benchmark's error rates (same normalization, exact Levenshtein) measure the real files here too.
_spec = importlib.util.spec_from_file_location("bench_legacy", Path(__file__).parents[1] / "benchmarks/legacy.py")
benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(benchmark)

LOWER = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


def cer(text: str, transcript: str) -> float:
    counts = benchmark.error_rates(text, transcript)
    return counts["char_edits"] / counts["chars"]


# --- the tables ---------------------------------------------------------------------------------

def test_tables_cover_every_vietnamese_letter():
    tcvn3 = set(TCVN3.values())
    vni = set(VNI.values())
    for letter in LOWER:
        assert letter.isascii() or letter in tcvn3, letter
        assert letter.isascii() or letter in vni, letter
        assert letter.upper().isascii() or letter.upper() in vni, letter.upper()
    assert set("ĂÂĐÊÔƠƯ") <= tcvn3  # the only capitals with diacritics TCVN3 (ABC) has


def test_table_samples_against_the_published_encodings():
    assert (TCVN3["®"], TCVN3["¶"], TCVN3["é"], TCVN3["\xad"], TCVN3["§"]) == ("đ", "ả", "ộ", "ư", "Đ")
    assert (VNI["aù"], VNI["eä"], VNI["oá"], VNI["ôø"], VNI["öï"], VNI["aë"], VNI["ñ"]) == (
        "á", "ệ", "ố", "ờ", "ự", "ặ", "đ")
    assert (VNI["AÙ"], VNI["OÄ"], VNI["Ñ"], VNI["Ö"]) == ("Á", "Ộ", "Đ", "Ư")


@pytest.mark.parametrize("word", ["đảng", "nghiêng", "quyết", "giữa", "khuya", "được", "hoà", "thuở", "Việt"])
def test_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["cheá", "®¶ng", "Ñôn", "ảp", "bãt", "viêïc", "abc"])
def test_not_syllables(word):
    assert not is_syllable(word)


# --- short fragments ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("legacy", "unicode", "encoding"),
    [
        ("®¶ng céng s¶n", "đảng cộng sản", "tcvn3"),
        ("§¶ng Céng s¶n ViÖt Nam", "Đảng Cộng sản Việt Nam", "tcvn3"),
        ("Hµ Néi, ngµy 22 th¸ng 11 n¨m 2002", "Hà Nội, ngày 22 tháng 11 năm 2002", "tcvn3"),
        ("THñ TR¦ëNG", "THỦ TRƯỞNG", "tcvn3"),  # capitals typed with .VnTimeH's lower-case codes
        ("Ñaûng Coäng saûn Vieät Nam", "Đảng Cộng sản Việt Nam", "vni"),
        ("ÑAÛNG COÄNG SAÛN VIEÄT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM", "vni"),
        ("Quyeát ñònh cuûa UBND tænh", "Quyết định của UBND tỉnh", "vni"),
    ],
)
def test_fragments(legacy, unicode, encoding):
    assert convert_text(legacy) == (unicode, encoding)


def test_pdf_look_alikes_and_split_words():
    # pypdf gives U+2212 for ư and U+2219 for ã, and a space before them when glyphs overlap.
    text = "cña Thñ t −íng ChÝnh phñ vÒ Quü b¶o l ∙nh tÝn dông, Bé tr−ëng"
    assert convert_text(text) == ("của Thủ tướng Chính phủ về Quỹ bảo lãnh tín dụng, Bộ trưởng", "tcvn3")


def test_unicode_with_symbols_between_letters_is_left_alone():
    for text in [
        "Q = 0,12 L/(s·m2) x 100 m2 = 12 L/s.",
        "kích thước 5 µm",
        "ABC® và ©2024",
        "5 µm\t10 µm\t20 µm",
        "Độ dày lớp phủ 5 µm, lưu lượng 0,12 L/(s·m2)",  # two words read as TCVN3, outvoted by Unicode
    ]:
        assert convert_text(text) == (text, None)


def test_mixed_document_is_decided_per_line():
    text = (
        "Bảng tổng hợp kinh phí của các đơn vị\n"
        "Tªn ®¬n vÞ\tKinh phÝ\n"
        "Së Tµi chÝnh\t120 triÖu\n"
        "cã\n"  # no evidence alone: follows its neighbours
        "Nguồn kinh phí do ngân sách tỉnh bảo đảm.\n"
        "Có\n"  # the same word after a Unicode line stays Unicode
    )
    converted, encoding = convert_text(text)
    assert encoding == "tcvn3"
    assert converted.splitlines() == [
        "Bảng tổng hợp kinh phí của các đơn vị",
        "Tên đơn vị\tKinh phí",
        "Sở Tài chính\t120 triệu",
        "có",
        "Nguồn kinh phí do ngân sách tỉnh bảo đảm.",
        "Có",
    ]


def test_weak_lines_count_once_the_document_proves_the_encoding():
    # "Chieác" (VNI "Chiếc") is one word: not enough alone, enough in a document with VNI lines.
    assert convert_text("Ghi chú\nChieác\nHết\n") == ("Ghi chú\nChieác\nHết\n", None)
    text = "Teân thieát bò\tÑôn vò tính\nMaùy tính ñeå baøn\nGhi chú\nChieác\nHết\n"
    assert convert_text(text) == ("Tên thiết bị\tĐơn vị tính\nMáy tính để bàn\nGhi chú\nChiếc\nHết\n", "vni")


def test_words_of_the_other_encoding_inside_a_line():
    line = "C. KÕt nèi m¹ng diÖn réng cho UBND tØnh vµ c¸c SÔÛ, BAN, NGAØNH"
    assert convert_text(line)[0] == "C. Kết nối mạng diện rộng cho UBND tỉnh và các SỞ, BAN, NGÀNH"


# --- runs with fonts ------------------------------------------------------------------------------

def test_font_names():
    assert font_encoding(".VnTime") == font_encoding(".VnTimeH") == font_encoding("VNSTCVN3") == "tcvn3"
    assert font_encoding("VNI-Times") == font_encoding("VNI-Helve") == "vni"
    assert font_encoding("Times New Roman") is None and font_encoding(None) is None


def test_run_font_makes_weak_evidence_count():
    # "Chieác" is VNI for "Chiếc"; one word is too little on its own, the VNI font tips it.
    assert convert_run("Chieác", "VNI-Times") == ("Chiếc", "vni")
    assert convert_run("Chieác", None) == ("Chieác", None)
    assert convert_run("Chieác", "Times New Roman") == ("Chieác", None)


def test_unicode_runs_in_legacy_fonts_stay_identical():
    for text in ["Điều 5. Phạm vi điều chỉnh", "Có", "là", "Hà Nội", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "ý kiến"]:
        assert convert_run(text, ".VnTime") == (text, None)
        assert convert_run(text, "VNI-Times") == (text, None)


def test_convert_runs_uses_paragraphs():
    runs = [("§iÒu 1", ".VnTime"), (". Ph¹m vi ", ".VnTime"), ("®iÒu chØnh\r", ".VnTime"), ("Hà Nội\r", None)]
    assert convert_runs(runs) == ("Điều 1. Phạm vi điều chỉnh\rHà Nội\r", "tcvn3")


# --- Unicode text is never touched ----------------------------------------------------------------

WORDS = (
    "Đảng cộng sản Việt Nam nghị quyết quyết định chỉ thị hướng dẫn thông tư điều khoản điểm "
    "ban chấp hành trung ương bộ chính trị ban bí thư tỉnh ủy thành ủy uỷ hoà hòa khoá thuỷ "
    "có là và của các được những người này một trong theo về với cho đã sẽ không phải cũng "
    "nhân dân nhà nước pháp luật quốc hội chính phủ thủ tướng bộ trưởng giám đốc sở tài chính "
    "năm tháng ngày số Hà Nội Thành phố Hồ Chí Minh Đà Nẵng Cần Thơ Huế "
    "kiểm tra giám sát kỷ luật đảng viên chi bộ đại hội nhiệm kỳ quy định thi hành điều lệ "
    "ý kiến ủy ban ấy ở ông bà anh chị em ổn định ưu tiên ước tính uống yêu cầu oai nghiêm "
    "giữa khuya quyền nghiêng thuở xoá toà loà ngoài huyện xã phường thị trấn "
    "đơn vị giá chiếc cái mét tổng cộng thống kê báo cáo kết quả tình hình thực hiện"
).split()
PUNCTUATION = [" ", " ", " ", ", ", ". ", "; ", ": ", " - ", "\n", "\t", " (", ") ", " / ", "“", "”"]


@st.composite
def vietnamese_text(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(min_value=1, max_value=40))):
        word = draw(st.sampled_from(WORDS))
        word = draw(st.sampled_from([word, word.capitalize(), word.upper(), word.lower()]))
        if draw(st.booleans()):
            word = draw(st.sampled_from([word, str(draw(st.integers(0, 2030))), "UBND", "NĐ-CP", "294-QĐ/TW"]))
        pieces.append(word + draw(st.sampled_from(PUNCTUATION)))
    return "".join(pieces)


def _tones_apart(text: str) -> str:
    """Letters precomposed but tone marks as combining characters ("vâ\u0301n"), as some sources write."""
    tones = set("\u0300\u0301\u0303\u0309\u0323")
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)))
        out.append("".join(c for c in parts if c in tones))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(vietnamese_text())
def test_vietnamese_unicode_is_returned_identical(text):
    for form in (text, unicodedata.normalize("NFD", text), _tones_apart(text)):
        assert convert_text(form) == (form, None)


_LEGACY_CHARACTERS = {c for c in TCVN3 if not c.isascii()} | {c for key in VNI for c in key if not c.isascii()}


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_characters=sorted(_LEGACY_CHARACTERS), blacklist_categories=("Cs",))))
def test_text_without_legacy_characters_is_returned_identical(text):
    assert convert_text(text) == (text, None)


def test_unicode_docx_declaring_vntime_is_unchanged(tmp_path):
    document = docx.Document()
    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Điều 1. Phạm vi điều chỉnh", "Có", "Hà Nội, ngày 5/3/2024"]
    for line in lines:
        paragraph = document.add_paragraph()
        for word in line.split(" "):
            paragraph.add_run(word + " ").font.name = ".VnTime"
    path = tmp_path / "unicode-vntime.docx"
    document.save(path)
    extracted = extract_docx(path)[0]
    assert extracted.converted_from is None
    assert extracted.text.splitlines() == lines


def test_real_unicode_docx_declaring_vntime_is_unchanged(monkeypatch):
    path = DATA / "unicode-vntime__Dieu-15-thanh-phan-ho-so.docx"
    assert b'".VnTime"' in zipfile.ZipFile(path).read("word/styles.xml")  # its body style's font
    converted = extract(path)[0]
    monkeypatch.setattr("searchdocs.extract.docx.convert_text", lambda text: (text, None))
    unconverted = extract(path)[0]
    assert converted.converted_from is None
    assert converted.text == unconverted.text
    assert "hồ sơ" in converted.text.lower()


# --- real legacy files ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "encoding", "limit"),
    [
        ("tcvn3__2006-Mau-MD-3M-CP.doc", "tcvn3", 0.005),
        ("vni__2008-23.QD-991-UBND.doc", "vni", 0.01),
        ("tcvn3__2003-A30.rtf", "tcvn3", 0.001),
        ("tcvn3__2006-19412_QD115.04TTg_BLTch_DNNVV.pdf", "tcvn3", 0.005),
    ],
)
def test_real_legacy_files_match_their_transcripts(name, encoding, limit):
    transcript = (DATA / "ground-truth" / (name.split("__", 1)[1].rsplit(".", 1)[0] + ".txt")).read_text()
    extracted = extract(DATA / name)
    assert len(extracted) == 1
    assert extracted[0].converted_from == encoding
    assert cer(extracted[0].text, transcript) < limit


def test_doc_and_rtf_extractors_return_one_unpaged_document():
    doc, rtf = DATA / "tcvn3__2006-Mau-MD-3M-CP.doc", DATA / "tcvn3__2003-A30.rtf"
    for extracted in (extract_doc(doc), extract_rtf(rtf)):
        assert len(extracted) == 1 and len(extracted[0].pages) == 1
        assert extracted[0].pages[0].number is None


def test_doc_runs_carry_their_fonts():
    fonts = {font for _, font in read_runs(DATA / "vni__2008-23.QD-991-UBND.doc")}
    assert "VNI-Times" in fonts
    fonts = {font for _, font in read_runs(DATA / "tcvn3__2006-Mau-MD-3M-CP.doc")}
    assert {".VnTime", ".VnTimeH"} & fonts


def test_doc_field_codes_are_dropped_and_results_kept():
    text = extract_doc(DATA / "tcvn3__2006-Mau-MD-3M-CP.doc")[0].text
    assert "PAGE" not in text and "MERGEFORMAT" not in text


def test_broken_files_raise_extraction_errors(tmp_path):
    not_ole = tmp_path / "x.doc"
    not_ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ExtractionError):
        extract_doc(not_ole)
    truncated = tmp_path / "t.doc"
    truncated.write_bytes((DATA / "tcvn3__2006-Mau-MD-3M-CP.doc").read_bytes()[:4096])
    with pytest.raises(ExtractionError):
        extract_doc(truncated)
    not_rtf = tmp_path / "x.rtf"
    not_rtf.write_text("plain text")
    with pytest.raises(ExtractionError):
        extract_rtf(not_rtf)


def test_unicode_rtf_is_unchanged(tmp_path):
    path = tmp_path / "u.rtf"
    path.write_text(
        r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 .VnTime;}}\f0 \u272?i\u7873?u 5. C\u7897?ng h\'f2a\par}",
        encoding="ascii",
    )
    extracted = extract_rtf(path)[0]
    assert extracted.text == "Điều 5. Cộng hòa" and extracted.converted_from is None


# --- shared corpus --------------------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("name", [
    "hnh-sct-vn__TT-15-2026-BCT-text.doc",
    "kho-vlncn-sct-vn__2025.06.19-38.2025.TT.BCT-Sua-doi-quy-dinh-phan-cap-thuc-hien-TTHC-cua-BCT.doc",
])
def test_unicode_doc_files_extract_unchanged(name, monkeypatch):
    path = SHARED / "documents" / "state" / name
    converted = extract_doc(path)[0]
    monkeypatch.setattr("searchdocs.extract.doc.convert_runs", lambda runs: ("".join(t for t, _ in runs), None))
    assert converted.converted_from is None
    assert converted.text == extract_doc(path)[0].text
    assert "Căn cứ Luật Tổ chức Chính phủ" in converted.text


@needs_shared
def test_mixed_tcvn3_vni_document():
    path = SHARED / "documents" / "legacy" / "tcvn3__2004-duanLD9820.doc"
    transcript = (SHARED / "documents" / "legacy" / "ground-truth" / "2004-duanLD9820.txt").read_text()
    assert cer(extract_doc(path)[0].text, transcript) < 0.01
