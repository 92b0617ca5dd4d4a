"""Metadata on documents never seen in development (issue 15, part 6): every document of
../shared/documents against its hand-checked fields (tests/golden/fields/shared-documents.json), and
the kinds of header that went wrong on real documents outside it, each as a small text."""
from __future__ import annotations

from pathlib import Path

import pytest

from searchdocs.documents.metadata import parse_metadata

SHARED_DOCUMENTS = Path(__file__).parents[2] / "shared" / "documents"


@pytest.mark.skipif(not SHARED_DOCUMENTS.is_dir(), reason=f"no shared documents at {SHARED_DOCUMENTS}")
def test_every_shared_document_has_its_hand_checked_fields():
    from benchmarks.metadata import FIELDS, compare

    result = compare(SHARED_DOCUMENTS, jobs=2)
    assert result["accuracy"]["all"]["documents"] == 143
    report = "\n".join(f"{m['file']} {m['field']}: expected {m['expected']!r}, read {m['read']!r}"
                       for m in result["mismatches"])
    assert not result["mismatches"], f"{len(result['mismatches'])} fields differ:\n{report}"
    assert set(result["accuracy"]["all"]) == {*FIELDS, "documents"}


HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"


@pytest.mark.parametrize("text, expected", [
    # a subject line in capitals above the number is no issuer ("Sửa đổi 1:2024 qcvn 05a…" was read)
    ("SỬA ĐỔI 1:2024 QCVN 05A:2020/BCT\nSố: 19/2024/TT-BCT\nHà Nội, ngày 10 tháng 10 năm 2024\nTHÔNG TƯ\n"
     "BAN HÀNH SỬA ĐỔI\nCăn cứ Luật Hóa chất;", ("19/2024/TT-BCT", "Thông tư", "2024-10-10", None)),
    # a header printed twice names one body ("Bộ Công an, Bộ Công an" was read)
    ("BỘ CÔNG AN | " + HEADER + "BỘ CÔNG AN\nSố: 12/2024/TT-BCA | Hà Nội, ngày 01 tháng 02 năm 2024\nTHÔNG TƯ\n"
     "QUY ĐỊNH VỀ CÔNG TÁC\nCăn cứ Luật;", ("12/2024/TT-BCA", "Thông tư", "2024-02-01", "Bộ Công an")),
    # an appendix file is not a law, and its heading is no issuer ("Phụ lục viii…" as issuer of a Luật)
    ("PHỤ LỤC VIII\nLUẬT HÓA CHẤT\nDANH MỤC HÓA CHẤT\n(Kèm theo Luật số 69/2025/QH15)\n1. Amoni nitrat",
     (None, None, None, None)),
    # the number after the body's name on one line, as joined table cells give it
    ("SỞ Y TẾ Số: 1178/SYT-NVY\nV/v triển khai tiêm chủng\nHà Nội, ngày 01 tháng 02 năm 2024\n"
     "Kính gửi: các đơn vị", ("1178/SYT-NVY", "Công văn", "2024-02-01", "Sở Y tế")),
    # an ampersand in the body's abbreviation ("1178/SNN&PTNT-KH" was missed)
    ("SỞ NN&PTNT TỈNH AN GIANG\nSố: 1178/SNN&PTNT-KH\nV/v kế hoạch trồng rừng\nLong Xuyên, ngày 01 tháng 02 "
     "năm 2024\nKính gửi: các đơn vị", ("1178/SNN&PTNT-KH", "Công văn", "2024-02-01",
                                       "Sở Nông nghiệp và Phát triển nông thôn tỉnh An Giang")),
    # a circular's number under its title
    ("BỘ Y TẾ\n-------\nTHÔNG TƯ\nSố: 12/2024/TT-BYT\nQUY ĐỊNH VỀ KHÁM BỆNH\nCăn cứ Luật;",
     ("12/2024/TT-BYT", "Thông tư", None, "Bộ Y tế")),
    # legacy fonts: a header typed in lower case, a slash before the issuer of the number
    ("Bộ tài chính      Cộng hòa xã hội chủ nghĩa Việt nam\n- * -    Độc lập - Tự do - Hạnh phúc\n"
     "SỐ: 144 /2002/QĐ/BTC\nHà nội, ngày 22 tháng 11 năm 2002\nquyết định của bộ trưởng bộ tài chính\n"
     "về việc sửa đổi thuế suất\nCăn cứ Nghị định;", ("144/2002/QĐ-BTC", "Quyết định", "2002-11-22", "Bộ Tài chính")),
    # the type, issuer, number and date in one running title
    ("Nghị định của Chính phủ số 117/2003/NĐ-CP ngày 10/10/2003\nvề việc tuyển dụng cán bộ\nChính phủ\n"
     "Căn cứ Luật;", ("117/2003/NĐ-CP", "Nghị định", "2003-10-10", "Chính phủ")),
    # a joint circular has no single issuer
    ("Thông tư\nLiên tịch Bộ Tài chính - Công nghiệp - Tổng cục Hải quan\nSố 120/2000/TTLT-BTC-BCN-TCHQ ngày 25 "
     "tháng 12 năm 2000\nVề việc bổ sung\nCăn cứ;", ("120/2000/TTLT-BTC-BCN-TCHQ", "Thông tư liên tịch",
                                                  "2000-12-25", None)),
])
def test_headers_that_went_wrong(text, expected):
    meta = parse_metadata(text)
    assert (meta.number, meta.doc_type, meta.date, meta.issuer) == expected


@pytest.mark.parametrize("tail, signer", [
    ("KT.Bộ trưởng bộ tài chính\nThứ trưởng\n\nTrần Văn Tá", "Trần Văn Tá"),
    ("kt/bộ trưởng bộ tài chính\nNơi nhận:\t\t\tthứ  trưởng\n- Công báo;\n- UBND, Sở tài chính, Cục thuế các"
     "\t\t\t\tPhạm Văn Trọng\n- Lưu VP.", "Phạm Văn Trọng"),
    ("tm . ubnd thành phố Cần Thơ\nchủ tịch\n(đã ký)\nVõ Thanh Tòng", "Võ Thanh Tòng"),
    ("- Tòa án nhân dân tối cao, \t\t\t  Nguyễn Tấn Dũng đã ký\nthủ tướng", None),  # no title before the name
    ("Giám đốc doanh nghiệp\n(Ký tên đóng dấu)", None),  # a form: a title and no name
])
def test_signatures_typed_in_lower_case(tail, signer):
    assert parse_metadata("Bộ tài chính\nSố: 1/2002/TT-BTC\nThông tư\nCăn cứ;\nNội dung.\n" + tail).signer == signer
