"""The citation graph: refs both ways, validity from "thay thế …" and override files, exports of one
document grouped into versions, and stats counts checked against the stored metadata."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from searchdocs.interface.cli import cli
from searchdocs.documents.graph import Graph, load_overrides
from test_filters import one_error_line

PLAIN_ENV = {"FORCE_COLOR": None, "NO_COLOR": None, "SEARCHDOCS_INDEX": None, "SEARCHDOCS_OVERRIDES": None}


def run(index_dir, *args, env=None):
    argv = ["--index", str(index_dir)] + [str(a) for a in args]
    return CliRunner().invoke(cli, argv, env={**PLAIN_ENV, **(env or {})}, catch_exceptions=False)


def as_json(index_dir, *args, env=None):
    result = run(index_dir, *args, "--json", env=env)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def names(versions) -> set[str]:
    return {Path(v["path"]).name for v in versions}


# --- refs 294-QĐ/TW on the Party documents of the corpus ------------------------------------------------

# Read in the documents: the preamble of each of these says "Căn cứ … Quy định số 294-QĐ/TW":
# 38-HD/BTCTW (both exports) "Căn cứ Điều lệ Đảng, Quy định số 294-QĐ/TW, ngày 26-5-2025 …",
# 06-HD/TW (both exports) "- Căn cứ Quy định số 294-QĐ/TW, ngày 26/5/2025 …", and the Hà Nội Hướng dẫn
# with a blank number "- Căn cứ Điều lệ Đảng, Quy định số 294-QĐ/TW, ngày 26/5/2025 …".
# Hướng dẫn 21 of Hà Nội and the laws never mention it.
CAN_CU_294 = {"sotay_hd38.pdf", "sotay_huongdan38_v1.pdf", "sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf",
              "sotay_huongdan.pdf"}
_BASIS_294 = re.compile(r"(?:^|[\n;:.]\s*|-\s+|\d\.\s+)Căn cứ\b[^.;]*?294\s*-\s*QĐ\s*/\s*TW")


def test_the_can_cu_oracle_agrees_with_reading(party_index):
    """Independent of relations.py: a "Căn cứ" clause that names 294-QĐ/TW, in the stored text."""
    found = {Path(r.path).name for r in party_index.records()
             if any(_BASIS_294.search(p["body"]) for p in party_index.passages(r.doc_id))}
    assert found == CAN_CU_294


def test_refs_294_shows_exactly_the_documents_based_on_it(party_index_dir):
    data = as_json(party_index_dir, "refs", "294-QĐ/TW")
    assert data["number"] == "294-QĐ/TW" and data["in_index"] and Path(data["path"]).name == "sotay_quydinh294.pdf"
    assert data["cites"] == []  # 294-QĐ/TW cites no numbered document
    basis = [r for r in data["cited_by"] if r["label"] == "Căn cứ"]
    assert {name for r in basis for name in names(r["versions"])} == CAN_CU_294
    assert all(r["kind"] == "can_cu" for r in data["cited_by"])  # nothing that does not cite it so
    rows = {r["number"]: names(r["versions"]) for r in basis}
    assert rows == {"38-HD/BTCTW": {"sotay_hd38.pdf", "sotay_huongdan38_v1.pdf"},
                    "06-HD/TW": {"sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf"},
                    None: {"sotay_huongdan.pdf"}}  # one row per document, with its exports
    for r in basis:
        assert "294-QĐ/TW" in r["sentence"] and re.search(r"căn cứ", r["sentence"], re.I), r["sentence"]


@pytest.mark.parametrize("ref", ["294-qd/tw", "294 - QĐ/TƯ", "Quy định 294"])
def test_refs_accepts_any_spelling(party_index_dir, ref):
    assert as_json(party_index_dir, "refs", ref)["number"] == "294-QĐ/TW"


def test_refs_plain_and_terminal_output(party_index_dir):
    result = run(party_index_dir, "refs", "294-QĐ/TW", env={"LANGUAGE": "vi"})
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(lines) == 3 and all(len(f) == 6 and f[:2] == ["cited-by", "Căn cứ"] for f in lines)
    assert {f[2] for f in lines} == {"38-HD/BTCTW", "06-HD/TW", "-"}


def test_refs_of_a_guidance_lists_what_it_cites_by_kind(party_index_dir):
    data = as_json(party_index_dir, "refs", "38-HD/BTCTW")
    kinds = {(r["label"], r["number"]): r for r in data["cites"]}
    assert kinds[("Căn cứ", "294-QĐ/TW")]["in_index"]
    assert names(kinds[("Căn cứ", "06-HD/TW")]["versions"]) == {"sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf"}
    replaced = kinds[("Thay thế", "12-HD/BTCTW")]
    assert not replaced["in_index"] and replaced["doc_id"] is None  # a reference only, number as written
    assert "thay thế Hướng dẫn số 12-HD/BTCTW" in replaced["sentence"]
    order = [r["kind"] for r in data["cites"]]
    assert order == sorted(order, key=["can_cu", "sua_doi", "thay_the", "bai_bo", "huong_dan", "het_hieu_luc",
                                       "tham_chieu"].index)


def test_refs_of_a_number_that_is_only_cited(party_index_dir):
    data = as_json(party_index_dir, "refs", "12-hd/btctw")
    assert not data["in_index"] and data["number"] == "12-HD/BTCTW"
    assert data["status"] == "replaced"
    by = data["status_detail"]["by"]
    assert [b["number"] for b in by] == ["38-HD/BTCTW"] and "thay thế" in by[0]["sentence"]
    assert {r["kind"] for r in data["cited_by"]} >= {"thay_the"}


def test_refs_unknown_number_is_exit_2(party_index_dir):
    assert "999-QĐ/TW" in one_error_line(run(party_index_dir, "refs", "999-QĐ/TW"))


def test_show_lists_relations_and_status(party_index_dir):
    result = run(party_index_dir, "show", "38-HD/BTCTW", env={"LANGUAGE": "vi"})
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    for fact in ("Hiệu lực Còn hiệu lực", "Căn cứ", "294-QĐ/TW", "Thay thế", "12-HD/BTCTW (không có trong chỉ mục)",
                 "Được dẫn chiếu bởi", "sotay_huongdan38_v1.pdf"):
        assert fact in out, fact
    data = as_json(party_index_dir, "show", "38-HD/BTCTW")
    assert data["status"] == "in_force" and names(data["versions"]) == {"sotay_hd38.pdf", "sotay_huongdan38_v1.pdf"}
    cites = {(r["kind"], r["number"]) for r in data["references"]["cites"]}
    assert {("can_cu", "294-QĐ/TW"), ("can_cu", "06-HD/TW"), ("thay_the", "12-HD/BTCTW")} <= cites
    assert [r["number"] for r in data["references"]["cited_by"] if r["kind"] == "can_cu"] == [None]  # Hà Nội


# --- near-identical exports ------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "pair"), [
    ("nghiep vu cong tac dang vien", {"sotay_hd38.pdf", "sotay_huongdan38_v1.pdf"}),
    ("một số vấn đề cụ thể thi hành Điều lệ Đảng", {"sotay_huongdan06_v1.pdf", "sotay_huongdan06_v2.pdf"}),
])
def test_exports_of_one_document_are_one_row(party_index_dir, query, pair):
    rows = as_json(party_index_dir, "search", query, "-n", "50")["results"]
    with_pair = [r for r in rows if names(r["versions"]) & pair]
    assert len(with_pair) == 1 and names(with_pair[0]["versions"]) == pair
    assert Path(with_pair[0]["path"]).name in pair and len(with_pair[0]["versions"]) == 2
    seen = [v["doc_id"] for r in rows for v in r["versions"]]
    assert len(seen) == len(set(seen))
    plain = run(party_index_dir, "search", query, "-n", "50").stdout
    assert sum("2 versions" in line for line in plain.splitlines()) >= 1


def _records(*docs):
    return [SimpleNamespace(doc_id=d, path=f"/x/{d}.pdf", facts={"meta": meta, "passages": n}) for d, meta, n in docs]


def _all_versions(ix) -> dict[str, list[str]]:
    return {r.doc_id: [v.doc_id for v in ix.versions(r.doc_id)] for r in ix.all_records()}


def test_indexing_stores_the_versions_and_searches_reuse_them(party_index_dir, tmp_path, monkeypatch):
    """The indexer stores the version groups; opening the index then reads no passage text for them,
    and a stored file that does not match the documents is ignored."""
    import shutil

    from searchdocs.engines.whoosh.index import VERSIONS_FILE, Index

    directory = tmp_path / "index"
    shutil.copytree(party_index_dir, directory)
    stored = (directory / VERSIONS_FILE).read_text()
    (directory / VERSIONS_FILE).unlink()
    with Index(directory) as ix:
        expected = _all_versions(ix)  # worked out from the texts
    assert {d for d, versions in expected.items() if len(versions) > 1} >= set(json.loads(stored)["groups"]) != set()
    (directory / VERSIONS_FILE).write_text(stored)

    def no_texts(self, doc_id):
        raise AssertionError("texts read although the versions are stored")

    monkeypatch.setattr(Index, "_texts", no_texts)
    with Index(directory) as ix:
        assert _all_versions(ix) == expected
    # Groups stored for other documents (here: a wrong digest and every document alone) are not used.
    (directory / VERSIONS_FILE).write_text(json.dumps({"documents": "other", "groups": {}}))
    monkeypatch.undo()
    with Index(directory) as ix:
        assert _all_versions(ix) == expected


def test_same_identity_but_different_text_is_not_a_version():
    meta = {"number": "5-QĐ/TW", "date": "2020-01-10"}
    texts = {"a": ["kết nạp đảng viên mới vào chi bộ"] * 20, "b": ["kết nạp đảng viên mới vào chi bộ"] * 20,
             "c": ["quy chế tài chính của cơ quan đảng"] * 20, "d": ["kết nạp đảng viên mới vào chi bộ"] * 20}
    graph = Graph(_records(("a", meta, 20), ("b", meta, 20), ("c", meta, 20), ("d", meta, 12),
                           ("e", {"number": "5-QĐ/TW", "date": "2021-02-02"}, 20)), lambda d: texts.get(d, texts["a"]))
    assert [v.doc_id for v in graph.versions("a")] == ["a", "b"]  # the same text: one document
    assert [v.doc_id for v in graph.versions("c")] == ["c"]  # same number and date, other text
    assert [v.doc_id for v in graph.versions("d")] == ["d"]  # far fewer passages
    assert [v.doc_id for v in graph.versions("e")] == ["e"]  # same number, other date: another term


# --- validity: a synthetic pair where one replaces the other ---------------------------------------------


@pytest.fixture(scope="module")
def validity_index_dir(tmp_path_factory, party_txt):
    import searchdocs

    folder = tmp_path_factory.mktemp("validity") / "docs"
    party_txt(folder, "qd5.txt", "5-QĐ/TW", "QUY ĐỊNH", (10, 1, 2020), "về lưu trữ hồ sơ thử nghiệm",
              "Điều 1. Phạm vi\nQuy định này áp dụng cho việc lưu trữ hồ sơ thử nghiệm của các cấp ủy.\n")
    party_txt(folder, "qd9.txt", "9-QĐ/TW", "QUY ĐỊNH", (5, 4, 2021), "về hồ sơ đảng viên thử nghiệm",
              "Điều 1. Hồ sơ\nHồ sơ đảng viên thử nghiệm được lưu trữ tại chi bộ.\n")
    party_txt(folder, "qd7.txt", "7-QĐ/TW", "QUY ĐỊNH", (2, 3, 2024), "về lưu trữ hồ sơ thử nghiệm (mới)",
              "- Căn cứ Quy định số 9-QĐ/TW, ngày 05/4/2021 của Bộ Chính trị;\nBộ Chính trị quy định như sau:\n\n"
              "Điều 1. Phạm vi\nQuy định này áp dụng cho việc lưu trữ hồ sơ thử nghiệm của các cấp ủy.\n\n"
              "Điều 2. Hiệu lực thi hành\nQuy định này có hiệu lực thi hành kể từ ngày ký và thay thế Quy định số "
              "5-QĐ/TW, ngày 10/01/2020 của Bộ Chính trị.\n")
    directory = folder.parent / "index"
    report = searchdocs.index_paths(directory, [folder], jobs=1)
    assert not report.failed and len(report.indexed) == 3
    return directory


def _by_number(rows) -> dict[str, dict]:
    return {r["number"]: r for r in rows}


def test_replaced_document_says_so_in_search_and_show(validity_index_dir):
    rows = _by_number(as_json(validity_index_dir, "search", "lưu trữ hồ sơ thử nghiệm")["results"])
    assert rows["5-QĐ/TW"]["status"] == "replaced"
    by = rows["5-QĐ/TW"]["status_detail"]["by"]
    assert [(b["kind"], b["number"]) for b in by] == [("thay_the", "7-QĐ/TW")]
    assert "thay thế Quy định số 5-QĐ/TW" in by[0]["sentence"]
    assert rows["7-QĐ/TW"]["status"] == "in_force" and rows["9-QĐ/TW"]["status"] == "in_force"  # căn cứ only
    plain = run(validity_index_dir, "search", "lưu trữ hồ sơ thử nghiệm", env={"LANGUAGE": "vi"}).stdout
    assert any("5-QĐ/TW" in line and "bị thay thế" in line for line in plain.splitlines())
    shown = " ".join(run(validity_index_dir, "show", "5-QĐ/TW", env={"LANGUAGE": "vi"}).stdout.split())
    assert "Hiệu lực Hết hiệu lực: bị thay thế" in shown
    assert "Được dẫn chiếu bởi Thay thế Quy định 7-QĐ/TW (2024-03-02)" in shown
    assert as_json(validity_index_dir, "show", "5-QĐ/TW")["status"] == "replaced"


def test_in_force_filter(validity_index_dir):
    listed = as_json(validity_index_dir, "search", "--in-force")["results"]
    assert {r["number"] for r in listed} == {"7-QĐ/TW", "9-QĐ/TW"}
    ranked = as_json(validity_index_dir, "search", "lưu trữ hồ sơ", "--in-force")["results"]
    assert "5-QĐ/TW" not in {r["number"] for r in ranked} and ranked
    assert {r["number"] for r in as_json(validity_index_dir, "search", "hieuluc:het")["results"]} == {"5-QĐ/TW"}


def test_override_file_in_the_index_corrects_a_status(validity_index_dir):
    overrides = validity_index_dir / "status-overrides.json"
    overrides.write_text(json.dumps({"5-qđ/tw": {"status": "in_force", "note": "Đã kiểm tra bản gốc"},
                                     "9-QĐ/TW@2021-04-05": "repealed"}, ensure_ascii=False), encoding="utf-8")
    try:
        rows = _by_number(as_json(validity_index_dir, "search", "hồ sơ thử nghiệm")["results"])
        five = rows["5-QĐ/TW"]["status_detail"]
        assert (five["code"], five["source"], five["note"]) == ("in_force", "override", "Đã kiểm tra bản gốc")
        assert five["by"]  # the evidence stays visible
        assert rows["9-QĐ/TW"]["status"] == "repealed"
        assert {r["number"] for r in as_json(validity_index_dir, "search", "--in-force")["results"]} == \
            {"5-QĐ/TW", "7-QĐ/TW"}
        assert "theo tệp hiệu chỉnh" in run(validity_index_dir, "show", "5-QĐ/TW", env={"LANGUAGE": "vi"}).stdout
    finally:
        overrides.unlink()


def test_override_file_by_option_and_environment(validity_index_dir, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"7-QĐ/TW": {"status": "expired"}}), encoding="utf-8")
    for args, env in (((f"--overrides={path}",), None), ((), {"SEARCHDOCS_OVERRIDES": str(path)})):
        argv = ["--index", str(validity_index_dir), *args, "search", "--json", "--in-force"]
        result = CliRunner().invoke(cli, argv, env={**PLAIN_ENV, **(env or {})}, catch_exceptions=False)
        assert {r["number"] for r in json.loads(result.stdout)["results"]} == {"9-QĐ/TW"}


@pytest.mark.parametrize(("content", "fragment"), [
    ('{"5-QĐ/TW": "gone"}', "must be one of"), ("[1, 2]", "JSON object"), ("{not json", "cannot read"),
])
def test_bad_override_file_is_exit_2(validity_index_dir, tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--index", str(validity_index_dir), "--overrides", str(path), "search",
                                      "hồ sơ"], env=PLAIN_ENV, catch_exceptions=False)
    assert fragment in one_error_line(result)
    missing = CliRunner().invoke(cli, ["--index", str(validity_index_dir), "--overrides", str(tmp_path / "no.json"),
                                       "refs", "5-QĐ/TW"], env=PLAIN_ENV, catch_exceptions=False)
    assert "not found" in one_error_line(missing)


def test_partial_repeal_is_not_a_repeal():
    source = {"number": "26/2026/NĐ-CP", "date": "2026-01-17", "relations": [
        {"kind": "bai_bo", "target": "17/2020/nd-cp", "target_raw": "17/2020/NĐ-CP",
         "sentence": "Bãi bỏ Điều 8, 9 của Nghị định số 17/2020/NĐ-CP ngày 05 tháng 02 năm 2020 của Chính phủ."},
        {"kind": "bai_bo", "target": "1/2019/nd-cp", "target_raw": "1/2019/NĐ-CP",
         "sentence": "Bãi bỏ Nghị định số 1/2019/NĐ-CP ngày 02 tháng 01 năm 2019."},
        {"kind": "het_hieu_luc", "target": "3/2018/nd-cp", "target_raw": "3/2018/NĐ-CP",
         "sentence": "Nghị định số 3/2018/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực."},
        {"kind": "sua_doi", "target": "4/2018/nd-cp", "target_raw": "4/2018/NĐ-CP",
         "sentence": "Sửa đổi, bổ sung Điều 3 Nghị định số 4/2018/NĐ-CP như sau:"}]}
    dated = (("17/2020/NĐ-CP", "2020-02-05"), ("1/2019/NĐ-CP", "2019-01-02"), ("3/2018/NĐ-CP", "2018-01-01"),
             ("4/2018/NĐ-CP", "2018-01-01"))
    targets = [(f"t{i}", {"number": n, "date": d}, 5) for i, (n, d) in enumerate(dated)]
    graph = Graph(_records(("src", source, 5), *targets))
    codes = [graph.status(f"t{i}").code for i in range(4)]
    assert codes == ["partly_repealed", "repealed", "expired", "amended"]
    assert [graph.status(f"t{i}").in_force for i in range(4)] == [True, False, False, True]


def test_citation_of_an_older_document_with_the_same_number_is_not_linked():
    """Numbers restart each term: "thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021" is not 01-HD/TW of 2026."""
    source = {"number": "06-HD/TW", "date": "2025-06-09", "relations": [
        {"kind": "thay_the", "target": "1-hd/tw", "target_raw": "01-HD/TW",
         "sentence": "Hướng dẫn này thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021 của Ban Bí thư."}]}
    graph = Graph(_records(("src", source, 5), ("old", {"number": "01-HD/TW", "date": "2021-09-28"}, 5),
                           ("other", {"number": "01-HD/TW", "date": "2024-02-01"}, 5),  # before, but not that date
                           ("new", {"number": "01-HD/TW", "date": "2026-02-01"}, 5)))
    assert [graph.status(d).code for d in ("old", "other", "new")] == ["replaced", "in_force", "in_force"]
    undated = {**source, "relations": [{**source["relations"][0], "sentence": "Thay thế Hướng dẫn số 01-HD/TW."}]}
    graph = Graph(_records(("src", undated, 5), ("old", {"number": "01-HD/TW", "date": "2021-09-28"}, 5),
                           ("new", {"number": "01-HD/TW", "date": "2026-02-01"}, 5)))  # after the citing one
    assert [graph.status(d).code for d in ("old", "new")] == ["replaced", "in_force"]


def test_load_overrides_keys(tmp_path):
    path = tmp_path / "o.json"
    path.write_text(json.dumps({"_comment": "x", "294 - QĐ/TƯ": "in_force", "21-NQ/TW@2022-06-16": "replaced",
                                "a3de71c1407f": {"status": "expired"}}), encoding="utf-8")
    o = load_overrides(path)
    assert set(o.by_ref) == {"294-qd/tw", "21-nq/tw@2022-06-16", "a3de71c1407f"}
    assert o.lookup(None, "21-nq/tw", "2022-06-16").status == "replaced"
    assert o.lookup(None, "21-nq/tw", "2027-01-01") is None
    assert not load_overrides(tmp_path / "absent.json", required=False).by_ref


# --- stats -------------------------------------------------------------------------------------------------


def test_stats_json_counts_equal_the_metadata(party_index_dir, party_index):
    data = as_json(party_index_dir, "stats")
    records = list(party_index.records())
    metas = [r.meta for r in records]
    assert data["documents"] == len(records)
    assert data["distinct_documents"] == len(records) - 2  # the two pairs of exports
    assert data["passages"] == sum(len(party_index.passages(r.doc_id)) for r in records)

    def counts(values):
        return {v: n for v, n in Counter(values).items()}

    assert {c["value"]: c["count"] for c in data["by_type"]} == counts(m.get("doc_type") for m in metas)
    assert {c["value"]: c["count"] for c in data["by_issuer"]} == counts(m.get("issuer") for m in metas)
    years = counts(((m.get("date") or m.get("date_partial") or "")[:4] or None) for m in metas)
    assert {c["value"]: c["count"] for c in data["by_year"]} == years
    assert sum(c["count"] for c in data["by_status"]) == len(records)
    size = sum(f.stat().st_size for f in Path(party_index_dir).rglob("*") if f.is_file())
    assert data["size_bytes"] == size > 0
    assert data["last_indexed"] == max(r.facts["indexed_at"] for r in records)
    known = [c["count"] for c in data["by_type"] if c["value"] is not None]
    assert known == sorted(known, reverse=True)
    assert [c["value"] for c in data["by_type"]].index(None) == len(data["by_type"]) - 1  # unknown last


def test_stats_plain_output_matches_the_json(party_index_dir):
    result = run(party_index_dir, "stats", env={"LANGUAGE": "vi"})
    assert result.exit_code == 0 and "\x1b[" not in result.stdout
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0] == ["documents", str(as_json(party_index_dir, "stats")["documents"])]
    assert all(len(f) in (2, 3) for f in lines)
    assert {f[0] for f in lines if len(f) == 3} == {"type", "issuer", "year", "status"}
    by_type = as_json(party_index_dir, "stats")["by_type"]
    assert [f[1:] for f in lines if f[0] == "type"] == [[c["value"] or "(không rõ)", str(c["count"])] for c in by_type]
