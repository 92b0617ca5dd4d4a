"""Citation edges read from sentences: each kind on its own wording, and on real documents."""
from __future__ import annotations

import pytest

from searchdocs.documents.relations import MAX_SENTENCE, parse_relations


def _edges(text: str, own: str | None = None) -> set[tuple[str, str]]:
    return {(r.kind, r.target) for r in parse_relations(text, own)}


@pytest.mark.parametrize("sentence,kind,target", [
    ("- Căn cứ Quy định số 294-QĐ/TW, ngày 26/5/2025 của Ban Chấp hành Trung ương;", "can_cu", "294-qd/tw"),
    ("Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;", "can_cu", "63/2025/qh15"),
    ("Nghị định này sửa đổi, bổ sung một số điều của Nghị định số 15/2020/NĐ-CP.", "sua_doi", "15/2020/nd-cp"),
    ("Điều 5. Sửa đổi, bổ sung một số điều của Nghị định số 15/2020/NĐ-CP như sau:", "sua_doi", "15/2020/nd-cp"),
    ("Hướng dẫn này thay thế Hướng dẫn số 12-HD/BTCTW, ngày 18-01-2022.", "thay_the", "12-hd/btctw"),
    ("Bãi bỏ Điều 8 Nghị định số 140/2025/NĐ-CP.", "bai_bo", "140/2025/nd-cp"),
    ("Nghị định số 68/2017/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực.", "het_hieu_luc", "68/2017/nd-cp"),
    ("Thông tư này hướng dẫn thi hành Nghị định số 26/2026/NĐ-CP.", "huong_dan", "26/2026/nd-cp"),
    ("Ban Tổ chức Trung ương hướng dẫn thực hiện Quy định số 294-QĐ/TW như sau:", "tham_chieu", "294-qd/tw"),
    ("Thực hiện theo Chỉ thị số 51-CT/TW, ngày 08/8/2025 của Ban Bí thư.", "tham_chieu", "51-ct/tw"),
])
def test_kind_from_wording(sentence: str, kind: str, target: str) -> None:
    assert _edges(sentence) == {(kind, target)}


def test_guidance_by_this_document() -> None:
    text = "Hướng dẫn này hướng dẫn thực hiện Quy định số 294-QĐ/TW."
    assert _edges(text) == {("huong_dan", "294-qd/tw")}


def test_verbs_describing_a_cited_document_are_not_this_documents_acts() -> None:
    text = ("Bãi bỏ khoản 1 Điều 1 Thông tư số 15/2026/TT-BCT của Bộ trưởng Bộ Công Thương sửa đổi, bổ sung "
            "một số điều của Thông tư số 38/2025/TT-BCT.")
    assert _edges(text) == {("bai_bo", "15/2026/tt-bct"), ("tham_chieu", "38/2025/tt-bct")}
    passive = "Bãi bỏ Phụ lục I ban hành kèm theo Nghị định số 62/2016/NĐ-CP (được sửa đổi, bổ sung bởi Nghị định số 35/2023/NĐ-CP)."
    assert _edges(passive) == {("bai_bo", "62/2016/nd-cp"), ("tham_chieu", "35/2023/nd-cp")}
    referenced = "Bổ sung các biểu mẫu theo quy định tại Nghị định số 146/2025/NĐ-CP."
    assert _edges(referenced) == {("tham_chieu", "146/2025/nd-cp")}


def test_coordinated_verbs_each_govern_their_numbers() -> None:
    text = "Nghị định này sửa đổi Nghị định số 1/2020/NĐ-CP và thay thế Nghị định số 2/2021/NĐ-CP."
    assert _edges(text) == {("sua_doi", "1/2020/nd-cp"), ("thay_the", "2/2021/nd-cp")}
    chained = "Điều 8. Sửa đổi, bổ sung, bãi bỏ một số quy định của Thông tư số 38/2025/TT-BCT"
    assert _edges(chained) == {("sua_doi", "38/2025/tt-bct"), ("bai_bo", "38/2025/tt-bct")}


def test_a_list_of_bases_continues_without_repeating_can_cu() -> None:
    text = ("Căn cứ Thông tư số 38/2025/TT-BCT ngày 19/6/2025 của Bộ trưởng Bộ Công Thương;\n"
            "Thông tư số 15/2026/TT-BCT ngày 25/3/2026 của Bộ trưởng Bộ Công Thương sửa\n"
            "đổi, bổ sung một số điều của Thông tư số 38/2025/TT-BCT;\n"
            "Theo đề nghị của Giám đốc Sở tại Tờ trình số 1856/TTr-SCT ngày 08/4/2026.")
    assert _edges(text) == {("can_cu", "38/2025/tt-bct"), ("can_cu", "15/2026/tt-bct"),
                            ("tham_chieu", "1856/ttr-sct")}


def test_basis_over_wrapped_pdf_lines() -> None:
    text = ("Căn cứ Điều lệ Đảng, Quy định số 294-QĐ/TW, ngày 26-5-2025 của Ban \n"
            "Chấp hành Trung ương “Thi hành Điều lệ Đảng”, Hướng dẫn 06-HD/TW, ngày \n"
            "09-6-2025 của Ban Bí thư, \nBan Tổ chức Trung ương hướng dẫn như sau: \n"
            "I. KẾT NẠP ĐẢNG VIÊN\n- Thực hiện Hướng dẫn 01-HD/TW.")
    assert _edges(text) == {("can_cu", "294-qd/tw"), ("can_cu", "6-hd/tw"), ("tham_chieu", "1-hd/tw")}


def test_own_number_skipped_and_one_edge_per_kind_and_target() -> None:
    text = ("Số: 32/2024/NĐ-CP\nCăn cứ Luật Đầu tư số 61/2020/QH14;\nCăn cứ Luật số 61/2020/QH14 (nhắc lại);\n"
            "Theo Luật số 61/2020/QH14.\n(Kèm theo Nghị định số 32/2024/NĐ-CP ngày 15 tháng 3 năm 2024)")
    relations = parse_relations(text, "32/2024/nd-cp")
    assert [(r.kind, r.target) for r in relations] == [("can_cu", "61/2020/qh14")]
    assert relations[0].target_raw == "61/2020/QH14"
    assert relations[0].sentence == "Căn cứ Luật Đầu tư số 61/2020/QH14;"


def test_every_spelling_of_a_target_is_one_edge() -> None:
    text = "Căn cứ Quy định số 294-QĐ/TW; Quy định 294 - QĐ/TƯ; Quy định số 294-qđ/tw."
    assert _edges(text) == {("can_cu", "294-qd/tw")}


def test_long_sentences_are_trimmed_around_the_number() -> None:
    filler = "của cơ quan có thẩm quyền " * 40
    relations = parse_relations(f"Căn cứ {filler} Nghị định số 15/2020/NĐ-CP {filler}.", None)
    assert len(relations) == 1
    sentence = relations[0].sentence
    assert len(sentence) <= MAX_SENTENCE + 2 and "15/2020/NĐ-CP" in sentence
    assert sentence.startswith("…") and sentence.endswith("…")


def test_text_without_numbers_has_no_relations() -> None:
    assert parse_relations("Căn cứ Điều lệ Đảng; Hiến pháp năm 2013. Các quy định trước đây đều bãi bỏ.", None) == []


# --- Real documents -----------------------------------------------------------------------------

def _real(shared_document, name: str, own: str | None, which: str = "all") -> set[tuple[str, str]]:
    text = "\n".join(p.text for p in shared_document(name, which))
    return _edges(text, own)


def test_guidance_cites_quy_dinh_294_as_its_basis(shared_document) -> None:
    for name in ("party/sotay_hd38.pdf", "party/sotay_huongdan06_v2.pdf", "party/sotay_huongdan.pdf"):
        edges = _real(shared_document, name, None, "edges")
        assert ("can_cu", "294-qd/tw") in edges, name
        assert not any(kind == "tham_chieu" and key == "294-qd/tw" for kind, key in edges)


def test_circular_amending_circulars(shared_document) -> None:
    edges = _real(shared_document, "state/qlks-sct-vn__TT-26-2026-TT-BCT-phan-cap-cat-giam-TTHC-BCT.docx",
                  "26/2026/tt-bct")
    # "Điều 8. Sửa đổi, bổ sung, bãi bỏ một số quy định của Thông tư số 38/2025/TT-BCT",
    # "Bãi bỏ khoản 1 Điều 1 Thông tư số 15/2026/TT-BCT của Bộ trưởng … sửa đổi, bổ sung … Thông tư số 38/2025"
    assert {("sua_doi", "38/2025/tt-bct"), ("bai_bo", "38/2025/tt-bct"), ("thay_the", "38/2025/tt-bct"),
            ("bai_bo", "15/2026/tt-bct"), ("can_cu", "146/2025/nd-cp")} <= edges
    assert ("sua_doi", "15/2026/tt-bct") not in edges  # 15/2026 amends 38/2025; this circular does not amend it
    assert not any(key == "26/2026/tt-bct" for _, key in edges)
