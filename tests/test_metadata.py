"""Metadata read from document text: golden files for the real documents, and the header variants.

Each ``tests/golden/metadata/<file>.json`` was written by reading the document's first and last
pages (number line, title, date, signature block, "Nơi nhận"), not from parser output; the test
compares the fields it lists one by one. Relations listed there must be among those found.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchdocs.documents.metadata import identity, parse_metadata
from searchdocs.models import DocMeta

GOLDEN = Path(__file__).parent / "golden" / "metadata"
GOLDENS = sorted(GOLDEN.glob("*.json"))


def _golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _layouts(path: Path) -> list[str]:
    return ["cells", "rows"] if path.stem.endswith(".docx") else ["cells"]


def _meta(shared_document, golden: dict, layout: str) -> DocMeta:
    pages = shared_document(golden["file"], "edges", layout)
    return parse_metadata("\n".join(p.text for p in pages))


@pytest.mark.parametrize("path,layout", [(p, layout) for p in GOLDENS for layout in _layouts(p)],
                         ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_golden_metadata(shared_document, path: Path, layout: str) -> None:
    golden = _golden(path)
    meta = _meta(shared_document, golden, layout)
    wrong = {field: (getattr(meta, field), want) for field, want in golden["expected"].items()
             if getattr(meta, field) != want}
    assert not wrong, f"{path.stem}: field: (parsed, expected) {wrong}"
    edges = {(r.kind, r.target) for r in meta.relations}
    missing = [edge for edge in map(tuple, golden["relations_include"]) if edge not in edges]
    assert not missing, f"relations not found: {missing}; found {sorted(edges)}"
    assert identity(meta) == golden["identity"]


def test_goldens_cover_every_party_pdf(shared_document) -> None:
    party_folder = Path(__file__).parents[1].parent / "shared" / "documents" / "party"
    party = {f"party/{p.name}" for p in party_folder.glob("*.pdf")}
    covered = {_golden(p)["file"] for p in GOLDENS}
    assert party and party <= covered
    assert len(covered - party) >= 4  # and at least four state documents


@pytest.mark.parametrize("first,second", [("sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf"),
                                          ("sotay_hd38.pdf", "sotay_huongdan38_v1.pdf")])
def test_re_exports_share_an_identity(shared_document, first: str, second: str) -> None:
    one, two = (_meta(shared_document, _golden(GOLDEN / f"{name}.json"), "cells") for name in (first, second))
    assert identity(one) is not None and identity(one) == identity(two)


# --- Header variants, on text as PDF and DOCX extraction give it ----------------------------------

PARTY = """BAN CHẤP HÀNH TRUNG ƯƠNG
*
Số 21-NQ/TW
ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 16 tháng 6 năm 2022
NGHỊ QUYẾT
HỘI NGHỊ LẦN THỨ NĂM BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHÓA XIII
về tăng cường củng cố, xây dựng tổ chức cơ sở đảng
-----
I. TÌNH HÌNH
Nội dung.
Nơi nhận:
- Các tỉnh ủy, thành ủy,
- Lưu Văn phòng Trung ương Đảng.
T/M BAN CHẤP HÀNH TRUNG ƯƠNG
TỔNG BÍ THƯ
Nguyễn Phú Trọng
"""


def test_party_header_lines_in_order() -> None:
    meta = parse_metadata(PARTY)
    assert (meta.number, meta.doc_type, meta.date, meta.place) == ("21-NQ/TW", "Nghị quyết", "2022-06-16", "Hà Nội")
    assert meta.issuer == "Ban Chấp hành Trung ương"
    assert meta.signing_authority == "T/M Ban Chấp hành Trung ương"
    assert (meta.signer_title, meta.signer) == ("Tổng Bí thư", "Nguyễn Phú Trọng")
    assert meta.recipients == ["Các tỉnh ủy, thành ủy", "Lưu Văn phòng Trung ương Đảng"]


@pytest.mark.parametrize("line,number", [
    ("Số: 21-NQ/TW", "21-NQ/TW"), ("Số 21 – NQ/TW", "21-NQ/TW"), ("Số: 05-CT/ĐUK", "05-CT/ĐUK"),
    ("Số 08-QĐi/TW", "08-QĐi/TW"), ("Số: 15/2020/NĐ-CP", "15/2020/NĐ-CP"), ("Luật số: 24/2018/QH14", "24/2018/QH14"),
])
def test_number_spellings(line: str, number: str) -> None:
    meta = parse_metadata(f"CHÍNH PHỦ\n{line}\nHà Nội, ngày 01 tháng 01 năm 2020\n")
    assert (meta.number, meta.number_missing) == (number, False)


@pytest.mark.parametrize("line,symbol", [("Số           - HD/BTCTU", "HD/BTCTU"), ("Số:     /QĐ-UBND", "QĐ-UBND"),
                                         ("Số:          /UBND-XD", "UBND-XD")])
def test_blank_number_is_missing_not_guessed(line: str, symbol: str) -> None:
    meta = parse_metadata(f"ỦY BAN NHÂN DÂN\n{line}\nLào Cai, ngày     tháng 4 năm 2026\nQUYẾT ĐỊNH\nVề việc x\n")
    assert (meta.number, meta.number_missing, meta.symbol) == (None, True, symbol)
    assert (meta.date, meta.date_partial) == (None, "2026-04")


def test_type_comes_from_the_title_not_the_symbol() -> None:
    """QĐ is a Quy định here; the symbol alone would not say so."""
    meta = parse_metadata("BAN CHẤP HÀNH TRUNG ƯƠNG\nSố 66-QĐ/TW\nHà Nội, ngày 06 tháng 02 năm 2017\n"
                          "QUY ĐỊNH\nVỀ THỂ LOẠI, THẨM QUYỀN BAN HÀNH VÀ THỂ THỨC VĂN BẢN CỦA ĐẢNG\n- Căn cứ Điều lệ Đảng;\n")
    assert meta.doc_type == "Quy định"
    assert meta.title == "Về thể loại, thẩm quyền ban hành và thể thức văn bản của Đảng"


def test_type_from_symbol_only_without_a_title_line() -> None:
    assert parse_metadata("TỈNH ỦY X\nSố 05-CT/TU\nX, ngày 02 tháng 3 năm 2021\n").doc_type == "Chỉ thị"
    assert parse_metadata("TỈNH ỦY X\nSố 05-QĐ/TU\nX, ngày 02 tháng 3 năm 2021\n").doc_type is None


def test_numeric_date_and_interleaved_columns() -> None:
    meta = parse_metadata("BỘ XÂY DỰNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                          "Số: 12/QĐ-BXD Đà Nẵng, ngày 09/6/2025\nQUYẾT ĐỊNH\nVề việc thử\nBỘ TRƯỞNG BỘ XÂY DỰNG\n")
    assert (meta.number, meta.place, meta.date) == ("12/QĐ-BXD", "Đà Nẵng", "2025-06-09")
    assert (meta.issuer, meta.title) == ("Bộ Xây dựng", "Về việc thử")


def test_docx_row_layout_header() -> None:
    text = ("ỦY BAN NHÂN DÂN TỈNH  LÀO CAI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT Độc lập - Tự do - Hạnh phúc\n"
            "Số: 120/UBND-KT | Lào Cai, ngày 12 tháng 9 năm 2025\nV/v tham mưu ủy quyền thủ tục\n\nKính gửi: Sở\n")
    meta = parse_metadata(text)
    assert (meta.number, meta.issuer, meta.issuer_code) == ("120/UBND-KT", "Ủy ban nhân dân tỉnh Lào Cai", "UBND")
    assert (meta.doc_type, meta.title, meta.date) == ("Công văn", "Tham mưu ủy quyền thủ tục", "2025-09-12")


@pytest.mark.parametrize("mark,field,value", [("MẬT", "secrecy", "Mật"), ("TỐI MẬT", "secrecy", "Tối mật"),
                                              ("KHẨN", "urgency", "Khẩn"), ("HỎA TỐC", "urgency", "Hỏa tốc")])
def test_secrecy_and_urgency_marks(mark: str, field: str, value: str) -> None:
    meta = parse_metadata(f"BỘ CHÍNH TRỊ\n*\nSố 05-CT/TW\n{mark}\nHà Nội, ngày 01 tháng 01 năm 2021\nCHỈ THỊ\nvề x\n")
    assert getattr(meta, field) == value
    assert meta.issuer == "Bộ Chính trị"


def test_no_marks_from_body_words() -> None:
    meta = parse_metadata(PARTY.replace("Nội dung.", "KHẨN\nMẬT"))
    assert (meta.secrecy, meta.urgency) == (None, None)


def test_text_without_a_header_gives_no_guesses() -> None:
    meta = parse_metadata("Ghi chú nghiệp vụ\nMột số lưu ý khi sử dụng vật liệu nổ công nghiệp.\n")
    assert (meta.number, meta.doc_type, meta.issuer, meta.date, meta.signer) == (None, None, None, None, None)


def test_identity_needs_number_and_date() -> None:
    assert identity(DocMeta(number="294 - QĐ/TƯ", date="2025-05-26")) == "294-qd/tw@2025-05-26"
    assert identity(DocMeta(number="294-QĐ/TW")) is None
    assert identity(DocMeta(number_missing=True, date="2025-05-26")) is None
