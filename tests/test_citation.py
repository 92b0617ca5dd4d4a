"""Citations (searchdocs.search.citation) of real corpus passages, against strings written by hand from the
documents' own headers, and of documents whose number or date is missing."""
from __future__ import annotations

import pytest

from searchdocs.search.citation import cite, format_date, location


def _passage(index, number_or_name: str, label: str) -> tuple[dict, dict]:
    """(metadata, passage) of the passage labelled ``label`` in a document of the fixture index."""
    if "." in number_or_name and "/" not in number_or_name:  # a file name
        rec = next(r for r in index.records() if r.path.endswith(number_or_name))
    else:
        rec = index.find_document(number_or_name)
    passage = next(p for p in index.passages(rec.doc_id) if p["section"] == label)
    return rec.meta, passage


# (document, passage label, text the passage opens with, citation written by hand)
REAL = [
    # Quy định 294: header "Số 294-QĐ/TW Hà Nội, ngày 26 tháng 5 năm 2025", "BAN CHẤP HÀNH TRUNG ƯƠNG".
    # Section 2 is about Điều 3 *of Điều lệ Đảng* (the Quy định has no articles of its own).
    ("294-QĐ/TW", "2.1 (Điều 3)", "2. Điều 3: Về quyền của đảng viên",
     "mục 2.1 Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương (thi hành Điều 3 Điều lệ Đảng)"),
    ("294-QĐ/TW", "3.1–3.2 (Điều 4)", "3. Điều 4: Giới thiệu và kết nạp người vào Đảng",
     "mục 3.1–3.2 Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương (thi hành Điều 4 Điều lệ Đảng)"),
    # The Hà Nội guidance cites this very passage as "mục 18.5, Hướng dẫn số 06 -HD/TW ngày 09/6/2025
    # của Ban Bí thư Trung ương Đảng".
    ("06-HD/TW", "18.5", "18.5.",
     "mục 18.5 Hướng dẫn số 06-HD/TW ngày 09/6/2025 của Ban Bí thư"),
    ("24/2018/QH14", "Điều 15", "Điều 15. Ứng phó, khắc phục sự cố an ninh mạng",
     "Điều 15 Luật số 24/2018/QH14 ngày 12/6/2018 của Quốc hội"),
    ("24/2018/QH14", "Điều 15 (tiếp)", "",
     "Điều 15 Luật số 24/2018/QH14 ngày 12/6/2018 của Quốc hội"),
    # Hà Nội guidance, header "Số -HD/BTCTU … ngày tháng 8 năm 2025": number and day left blank.
    ("sotay_huongdan21.pdf", "IV.2", "2.",
     "mục 2, phần IV Hướng dẫn (chưa rõ số, ngày) tháng 8/2025 của Ban Tổ chức Thành ủy Hà Nội"),
]


@pytest.mark.parametrize("doc, label, opening, expected", REAL, ids=[f"{d} {lb}" for d, lb, _, _ in REAL])
def test_real_passages(search_index, doc, label, opening, expected):
    meta, passage = _passage(search_index, doc, label)
    assert passage["body"].lstrip().startswith(opening)
    assert cite(label, meta).text == expected


def test_document_with_blank_number_and_day_says_so(search_index):
    meta, passage = _passage(search_index, "sotay_huongdan21.pdf", "")
    assert meta["number_raw"] == "Số -HD/BTCTU" and meta["date"] is None  # as the draft's header has it
    c = cite("", meta)
    assert c.text == "Hướng dẫn (chưa rõ số, ngày) tháng 8/2025 của Ban Tổ chức Thành ủy Hà Nội"
    assert c.location is None
    assert c.missing == ["number", "day"]


def test_nothing_known_is_said_not_invented():
    c = cite("Điều 2", {})
    assert c.text == "Điều 2 Văn bản (chưa rõ loại, số, ngày, cơ quan ban hành)"
    assert c.missing == ["type", "number", "date", "issuer"]
    c = cite("", {"doc_type": "Hướng dẫn", "issuer": "Ban Tổ chức Thành ủy Hà Nội"})
    assert c.text == "Hướng dẫn (chưa rõ số, ngày) của Ban Tổ chức Thành ủy Hà Nội"
    assert c.missing == ["number", "date"]


@pytest.mark.parametrize("label, where, implements", [
    ("Điều 5", "Điều 5", None),
    ("Điều 5 (tiếp)", "Điều 5", None),
    ("Điều 3–Điều 4", "Điều 3–4", None),
    ("1.2.3", "mục 1.2.3", None),
    ("2.1 (Điều 3)", "mục 2.1", "Điều 3"),
    ("13–14 (Điều 12, 20)", "mục 13–14", "các Điều 12, 20"),
    ("II.4.3.1 (tiếp)", "mục 4.3.1, phần II", None),
    ("II", "phần II", None),
    ("II.1–II.3", "mục II.1–II.3", None),
    ("Phần II, C.I.2.1", "mục C.I.2.1, Phần II", None),
    ("Phần I, II.1", "mục II.1, Phần I", None),
    ("Phụ lục 3", "Phụ lục 3", None),
    ("", None, None),
    ("đoạn 3", None, None),
])
def test_location_rules(label, where, implements):
    assert location(label) == (where, implements)


def test_dates_follow_the_documents_own_style():
    assert format_date("2025-05-26") == "ngày 26/5/2025"
    assert format_date("2025-06-09") == "ngày 09/6/2025"
    assert format_date("2022-01-18") == "ngày 18/01/2022"  # as the corpus cites 12-HD/BTCTW
    assert format_date(None, "2026") == "năm 2026"
    assert format_date(None, None) is None


def test_article_of_another_document_without_charter_title():
    c = cite("2 (Điều 3)", {"doc_type": "Hướng dẫn", "number": "1-HD/TW", "date": "2025-03-04", "issuer": "Ban Bí thư"})
    assert c.text == "mục 2 Hướng dẫn số 1-HD/TW ngày 04/3/2025 của Ban Bí thư (về Điều 3)"
