"""Extraction of the real documents in ``corpus/``, cleaning rules, text and JSONL input.

Golden files in ``tests/golden/extract/`` hold what extraction produced from four corpus documents
(page count, empty pages, title, the first lines). After an intended change, regenerate them with

    UPDATE_GOLDEN=1 /work/venv/bin/pytest tests/test_extract.py -k golden

and review the diff before committing.
"""
from __future__ import annotations

import functools
import json
import os
import re
import sys
import types
from pathlib import Path

import pytest
from pypdf import PdfReader

from searchdocs.errors import ExtractionError
from searchdocs.extract import SUPPORTED_SUFFIXES, extract
from searchdocs.extract.lines import clean, rejoin_broken_words
from searchdocs.models import Extracted, Page

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden" / "extract"

QD294 = "sotay_quydinh294.pdf"
HD21 = "sotay_huongdan21.pdf"
LAW = "ragluat_LUATANNINHMANG.docx"
LETTER = "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"
SCAN = "hc-sct-vn__CV-813-CucHoaChat.pdf"


@functools.cache
def corpus_doc(name: str) -> Extracted:
    """Extract a corpus file once per test session (the Party PDFs take seconds each)."""
    (doc,) = extract(CORPUS / name)
    return doc


def golden_view(doc: Extracted) -> dict[str, object]:
    """What a golden file pins: shape, and the start of the text line by line (diffs stay readable)."""
    first = doc.pages[0]
    head = first.text[:2000] if first.number is not None else "\n".join(first.text.split("\n")[:40])
    return {
        "pages": len(doc.pages),
        "first_page_number": first.number,
        "pages_without_text": doc.pages_without_text,
        "title": doc.title,
        "warnings": doc.warnings,
        "head": head.split("\n"),
    }


@pytest.mark.parametrize("name", [QD294, HD21, LAW, LETTER])
def test_golden(name: str) -> None:
    golden = GOLDEN / f"{name}.json"
    view = golden_view(corpus_doc(name))
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(view, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert view == json.loads(golden.read_text(encoding="utf-8"))


def test_pdf_pages_are_numbered_from_one() -> None:
    doc = corpus_doc(QD294)
    assert [page.number for page in doc.pages] == list(range(1, 36))
    assert doc.pages_without_text == 0
    assert "Số 294-QĐ/TW" in doc.pages[0].text


# Syllables written with the old tone placement ("hoà", "uỷ", "khoá"), as whole words.
OLD_PLACEMENT = re.compile(r"\b(hoà|hoá|khoá|toà|uỷ|thuỷ|tuỳ)\b", re.I)


@pytest.mark.parametrize(
    ("name", "old", "new"), [(HD21, "uỷ", "ủy"), (QD294, "khoá", "khóa")], ids=["uy", "khoa"]
)
def test_tone_marks_are_unified_in_real_party_pdfs(name: str, old: str, new: str) -> None:
    raw = "\n".join(page.extract_text() for page in PdfReader(CORPUS / name).pages)
    raw_old = [m.lower() for m in OLD_PLACEMENT.findall(raw)]
    assert raw_old.count(old) >= 10  # the file really uses the old placement
    text = corpus_doc(name).text
    assert OLD_PLACEMENT.findall(text) == []
    new_words = re.compile(rf"\b{new}\b", re.I)
    assert len(new_words.findall(text)) == len(new_words.findall(raw)) + raw_old.count(old)


def test_uppercase_syllables_are_unified_too() -> None:
    assert corpus_doc(HD21).text.startswith("THÀNH ỦY HÀ NỘI\nBAN TỔ CHỨC")
    assert "khóa XIII" in corpus_doc(QD294).text


def test_scanned_pdf_is_returned_with_its_empty_pages_counted() -> None:
    doc = corpus_doc(SCAN)
    assert [page.number for page in doc.pages] == [1, 2]
    assert doc.pages_without_text == 2
    assert doc.text.strip() == ""


def test_docx_tables_in_document_order() -> None:
    lines = corpus_doc(LAW).text.split("\n")
    assert lines[0] == (
        "QUỐC HỘI -------- | "
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ---------------"
    )
    assert lines[1] == "Luật số: 24/2018/QH14 | Hà Nội, ngày 12 tháng 6 năm 2018"
    assert lines.index("Chương I") < lines.index("Điều 1. Phạm vi điều chỉnh")
    assert lines[-2:] == ["CHỦ TỊCH QUỐC HỘI", "Nguyễn Thị Kim Ngân"]  # one-cell signature table


def test_docx_signature_table_keeps_its_lines() -> None:
    lines = corpus_doc(LETTER).text.split("\n")
    start = lines.index("Nơi nhận:")
    assert lines[start:] == [
        "Nơi nhận:",
        "- Như trên;",
        "- Cục trưởng (để báo cáo);",
        "- Lưu: VT, QLHC.",
        "KT. CỤC TRƯỞNG",
        "PHÓ CỤC TRƯỞNG",
        "Vương Thành Chung",
    ]


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Tiêu đề gộp"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Gộp dọc"
    table.cell(1, 1).text, table.cell(1, 2).text = "b", "c"
    table.cell(2, 1).text, table.cell(2, 2).text = "e", "f"
    document.add_paragraph("Điều 1. Sau bảng")
    document.core_properties.title = "Tiêu đề thử"
    path = tmp_path / "merged.docx"
    document.save(path)
    (doc,) = extract(path)
    assert doc.pages == [Page(None, "Tiêu đề gộp\nGộp dọc | b | c\ne | f\nĐiều 1. Sau bảng")]
    assert doc.title == "Tiêu đề thử"


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == {".pdf", ".docx", ".doc", ".rtf", ".txt", ".md", ".jsonl"}


# --- cleaning -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the regu-\nlation, is here", "the regulation,\nis here"),  # fragment moves up, rest stays
        ("(Inter-\nnet)", "(Internet)"),
        ("e-\nmail", "email"),
        ("Số 294-\nQĐ/TW", "Số 294-\nQĐ/TW"),  # next line starts uppercase
        ("ngày 26-\n5-2025", "ngày 26-\n5-2025"),  # a number, not a word
        ("quy-\nđịnh", "quy-\nđịnh"),  # Vietnamese syllables are never glued
        ("a-\nxit", "a-\nxit"),  # both fragments are syllables: a loanword compound
        ("ki-lô-\ngam", "ki-lô-\ngam"),  # already a hyphenated compound
        ("regu\u00ad\nlation", "regulation"),  # soft hyphen at a line end
    ],
)
def test_rejoin_broken_words(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_rejoin_keeps_line_count_when_the_rest_of_the_line_remains() -> None:
    text = "Điều 5. Thuật ngữ elec-\ntronic commerce\n1.2. Tiếp"
    assert rejoin_broken_words(text) == "Điều 5. Thuật ngữ electronic\ncommerce\n1.2. Tiếp"


def test_clean_normalizes_lines_characters_and_tones() -> None:
    raw = "\ufeff\nÐảng uỷ\u00a0 \r\nĐiều 5.\t \rII. Hoà\u200b bình\x0c\n\n\n\n"
    raw += "1.2. Cuối\x00  \n\n"
    assert clean(raw) == "Đảng ủy\nĐiều 5.\nII. Hòa bình\n\n1.2. Cuối"


# --- text and JSONL -----------------------------------------------------------------------------


def test_text_file_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Điều 1. Hoà giải\r\nĐiều 2. Uỷ ban\r\n".encode())
    (doc,) = extract(path)
    assert doc.pages == [Page(None, "Điều 1. Hòa giải\nĐiều 2. Ủy ban")]
    assert doc.converted_from is None


def test_text_file_utf16_from_notepad(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes("Quy định về Đảng viên".encode("utf-16"))
    assert extract(path)[0].text == "Quy định về Đảng viên"


def test_text_file_falls_back_to_cp1258(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    # cp1258 has no precomposed toned letters: tones are combining marks after the vowel.
    path.write_bytes("Quy đi\u0323nh cu\u0309a Đa\u0309ng".encode("cp1258"))
    (doc,) = extract(path)
    assert doc.text == "Quy định của Đảng"
    assert doc.converted_from == "cp1258"


def test_text_file_falls_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Gr\xfc\xdfe \x81")  # 0x81 is undefined in cp1258
    (doc,) = extract(path)
    assert doc.converted_from == "latin-1"
    assert doc.text == "Grüße"  # the C1 control character U+0081 is dropped by cleaning


def test_jsonl_records(tmp_path: Path) -> None:
    lines = [
        {"_id": "a1", "title": "Điều 1", "text": "Hoà giải\nviên"},
        {"id": 7, "text": "Uỷ ban"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n")
    docs = extract(path)
    assert [(d.record_id, d.title, d.pages) for d in docs] == [
        ("a1", "Điều 1", [Page(None, "Hòa giải\nviên")]),
        ("7", None, [Page(None, "Ủy ban")]),
    ]
    assert all(not d.warnings for d in docs)


def test_jsonl_bad_lines_are_skipped_with_warnings(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(
        b'{"_id": "x", "text": \n'  # 1: invalid JSON
        b'{"_id": "a", "text": "A"}\n'  # 2
        b'[1, 2]\n'  # 3: not an object
        b'{"title": "no id", "text": "B"}\n'  # 4
        b'{"_id": "b", "text": "C"}\n'  # 5
        b'{"_id": "c", "text": 5}\n'  # 6: text not a string
        b'{"_id": "d", "text": "\xff"}\n'  # 7: not UTF-8
    )
    docs = extract(path)
    assert [d.record_id for d in docs] == ["a", "b"]
    assert [w.split(":")[0] for w in docs[0].warnings] == ["line 1 skipped"]
    assert [w.split(":")[0] for w in docs[1].warnings] == [
        "line 3 skipped", "line 4 skipped", "line 6 skipped", "line 7 skipped",
    ]
    assert "invalid JSON" in docs[0].warnings[0]


def test_jsonl_without_a_valid_record_fails(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "no id"}\nnot json\n')
    with pytest.raises(ExtractionError, match=r'no valid JSONL record \(line 1 skipped: no "_id" or "id"\)'):
        extract(path)


# --- dispatch to the .doc and .rtf extractors (written elsewhere) -----------------------------


def test_ole2_content_goes_to_the_doc_extractor_whatever_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def extract_doc(path: Path) -> list[Extracted]:
        return [Extracted(pages=[Page(None, f"doc:{path.name}")])]

    fake = types.ModuleType("searchdocs.extract.doc")
    fake.extract_doc = extract_doc  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "searchdocs.extract.doc", fake)
    path = tmp_path / "renamed.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert extract(path)[0].text == "doc:renamed.docx"


def test_missing_doc_and_rtf_extractors_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "searchdocs.extract.doc", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "searchdocs.extract.rtf", None)
    doc = tmp_path / "a.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    rtf = tmp_path / "a.txt"
    rtf.write_bytes(b"{\\rtf1\\ansi hello}")
    with pytest.raises(ExtractionError, match="^Word .doc files are not supported yet$"):
        extract(doc)
    with pytest.raises(ExtractionError, match="^RTF files are not supported yet$"):
        extract(rtf)
