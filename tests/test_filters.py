"""Metadata filters: option and inline syntax, accent-insensitive values, issuer abbreviations, listings.

The expected documents are computed from the stored metadata of each record (``facts["meta"]``), the
same facts `show --json` prints, never from numbers copied from an earlier run.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchdocs.interface.cli import cli
from searchdocs.errors import QuerySyntaxError
from searchdocs.search.filters import Filters, build, issuer_matches, signer_matches, split
from searchdocs.search.query import parse

PLAIN_ENV = {"FORCE_COLOR": None, "NO_COLOR": None, "SEARCHDOCS_INDEX": None, "SEARCHDOCS_OVERRIDES": None}


def run(index_dir, *args):
    argv = ["--index", str(index_dir)] + [str(a) for a in args]
    return CliRunner().invoke(cli, argv, env=PLAIN_ENV, catch_exceptions=False)


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def found_ids(index_dir, *args) -> set[str]:
    """doc_ids of every version of every row of `search --json` with these arguments."""
    result = run(index_dir, "search", "--json", "-n", "1000", *args)
    assert result.exit_code in (0, 1), result.stderr
    rows = json.loads(result.stdout)["results"]
    ids = [v["doc_id"] for row in rows for v in row["versions"]]
    assert len(ids) == len(set(ids)), "a document shows up in two rows"
    return set(ids)


@pytest.fixture(scope="module")
def metas(party_index) -> dict[str, dict]:
    """doc_id -> stored metadata, for records that have text (the scanned PDF has no passages)."""
    return {r.doc_id: r.meta for r in party_index.records() if r.facts.get("passages")}


def where(metas, keep) -> set[str]:
    return {doc_id for doc_id, meta in metas.items() if keep(meta)}


# --- parsing ----------------------------------------------------------------------------------------


def test_inline_filters_are_taken_out_of_the_query():
    text, f = split('ket nap loai:huong-dan nam:2025 coquan:"ban bí thư" dang vien')
    assert text == "ket nap dang vien"
    assert f.types == ["huong-dan"] and f.years == ["2025"] and f.issuers == ["ban bí thư"]
    p = parse('ket nap loai:huong-dan nam:2025 coquan:"ban bí thư" dang vien')
    assert p.words == ["ket", "nap", "dang", "vien"] and p.filters == f


def test_english_keys_accents_and_case_are_the_same_filters():
    vietnamese = split('loại:"Hướng dẫn" số:294-QĐ/TW năm:2025 từ:2025-01-01 đến:2025-12-31 '
                       'cơquan:BBT người-ký:"Tô Lâm" hiệu-lực:còn')[1]
    english = split('type:huong-dan number:294-qd/tw year:2025 from:2025-01-01 to:2025-12-31 '
                    'issuer:BBT signer:"Tô Lâm" status:in-force')[1]
    plain = split('LOAI:HD so:"294 - QĐ/TƯ" nam:2025 tu:2025 den:2025-12 coquan:BBT nguoiky:"Tô Lâm" '
                  'hieuluc:con')[1]
    assert vietnamese == english == plain
    assert vietnamese == Filters(types=["huong-dan"], issuers=["BBT"], numbers=["294-qd/tw"], years=["2025"],
                                 date_from="2025-01-01", date_to="2025-12-31", signers=["Tô Lâm"], in_force=True)


@pytest.mark.parametrize(("value", "slugs"), [
    ("Hướng dẫn", ["huong-dan"]), ("huong dan", ["huong-dan"]), ("HD", ["huong-dan"]), ("hd", ["huong-dan"]),
    ("NQ", ["nghi-quyet"]), ("QĐ", ["quyet-dinh", "quy-dinh"]), ("qd", ["quyet-dinh", "quy-dinh"]),
    ("quy-dinh", ["quy-dinh"]), ("Luật", ["luat"]),
])
def test_type_values(value, slugs):
    assert build(types=[value]).types == slugs


@pytest.mark.parametrize(("value", "term"), [
    ("294-QĐ/TW", "294-qd/tw"), ("294 - qđ/tư", "294-qd/tw"), ("0294-QĐ/T.Ư", "294-qd/tw"),
    ("15/2020/nđ-cp", "15/2020/nd-cp"), ("Quy định 294", "294-qd"), ("NQ 21 TW", "21-nq/tw"), ("294", "294"),
])
def test_number_values(value, term):
    assert build(numbers=[value]).numbers == [term]


@pytest.mark.parametrize(("query", "bad"), [("nguoi:x dang", "nguoi"), ("foo:bar", "foo"),
                                            ("coquan:BBT kind:law", "kind")])
def test_unknown_filter_key_is_named(query, bad):
    with pytest.raises(QuerySyntaxError, match=rf"\b{bad}:"):
        parse(query)


@pytest.mark.parametrize("query", ["Số: 294", "xem https://example.org/a", "Điều 5: kết nạp"])
def test_colons_that_are_not_filters_stay_text(query):
    assert parse(query).filters.is_empty


@pytest.mark.parametrize(("query", "fragment"), [
    ("tu:2025-13-01", "bad date"), ("den:hôm-qua", "bad date"), ("nam:25", "bad year"),
    ("tu:2025-06-01 den:2025-01-01", "empty"), ("so:abc", "not a document number"), ("hieuluc:maybe", "status"),
    ("loai:", None),
])
def test_bad_filter_values(query, fragment):
    if fragment is None:  # "loai:" with nothing after it is a word, not a filter
        assert parse(query).filters.is_empty
        return
    with pytest.raises(QuerySyntaxError, match=fragment):
        parse(query)


@pytest.mark.parametrize(("value", "issuer", "code", "matches"), [
    ("ban bi thu", "Ban Bí thư", "TW", True),
    ("Ban Bí thư", "Ban Bí thư", "TW", True),
    ("BBT", "Ban Bí thư", "TW", True),
    ("bbt", "Ban Bí thư", "TW", True),
    ("TW", "Ban Bí thư", "TW", True),  # the issuer code of 06-HD/TW
    ("TW", "Ban Chấp hành Trung ương", "TW", True),
    ("TƯ", "Ban Tổ chức Trung ương", "BTCTW", True),  # trung ương in the name
    ("BTCTW", "Ban Tổ chức Trung ương", "BTCTW", True),
    ("ban to chuc TW", "Ban Tổ chức Trung ương", "BTCTW", True),
    ("BTC", "Ban Tổ chức Thành ủy Hà Nội", "BTCTU", True),
    ("to chuc", "Ban Tổ chức Thành ủy Hà Nội", "BTCTU", True),
    ("ha noi", "Ban Tổ chức Thành ủy Hà Nội", "BTCTU", True),
    ("UBND", "Ủy ban nhân dân tỉnh Lào Cai", "UBND", True),
    ("BCH", "Ban Chấp hành Trung ương", "TW", True),
    ("TW", "Ban Tổ chức Thành ủy Hà Nội", "BTCTU", False),
    ("BBT", "Ban Chấp hành Trung ương", "TW", False),
    ("bi ban", "Ban Bí thư", "TW", False),  # words in the name's order
    ("chinh tri", "Bộ Chính trị", "TW", True),
    ("chin", "Bộ Chính trị", "TW", False),  # whole words only
])
def test_issuer_matching(value, issuer, code, matches):
    assert issuer_matches(value, {"issuer": issuer, "issuer_code": code}) is matches


def test_signer_matching():
    meta = {"signer": "Nguyễn Thanh Bình"}
    assert signer_matches("nguyen thanh binh", meta) and signer_matches("Bình", meta)
    assert not signer_matches("binh thanh", meta) and not signer_matches("to lam", meta)


# --- through the CLI, against the stored metadata ------------------------------------------------------


def year_of(meta) -> str | None:
    date = meta.get("date") or meta.get("date_partial")
    return date[:4] if date else None


@pytest.mark.parametrize(("args", "keep"), [
    (["--type", "Hướng dẫn"], lambda m: m.get("doc_type") == "Hướng dẫn"),
    (["--type", "huong-dan"], lambda m: m.get("doc_type") == "Hướng dẫn"),
    (["--type", "HD"], lambda m: m.get("doc_type") == "Hướng dẫn"),
    (["--type", "luat", "--type", "quy dinh"], lambda m: m.get("doc_type") in ("Luật", "Quy định")),
    (["--year", "2025"], lambda m: year_of(m) == "2025"),
    (["--from", "2025-06-01", "--to", "2025-09-30"], lambda m: "2025-06-01" <= (m.get("date") or "") <= "2025-09-30"),
    (["--to", "2018-12-31"], lambda m: bool(m.get("date")) and m["date"] <= "2018-12-31"),
    (["--issuer", "ban bi thu"], lambda m: m.get("issuer") == "Ban Bí thư"),
    (["--issuer", "BBT"], lambda m: m.get("issuer") == "Ban Bí thư"),
    (["--issuer", "TW"], lambda m: "Trung ương" in (m.get("issuer") or "") or m.get("issuer_code") == "TW"),
    (["--issuer", "quoc hoi"], lambda m: m.get("issuer") == "Quốc hội"),
    (["--signer", "to lam"], lambda m: m.get("signer") == "Tô Lâm"),
    (["--number", "294-qđ/tư"], lambda m: m.get("number") == "294-QĐ/TW"),
    (["--number", "06-HD/TW"], lambda m: m.get("number") == "06-HD/TW"),
    (["--type", "HD", "--issuer", "TW", "--year", "2025"],
     lambda m: m.get("doc_type") == "Hướng dẫn" and year_of(m) == "2025"
     and ("Trung ương" in (m.get("issuer") or "") or m.get("issuer_code") == "TW")),
])
def test_filter_options_list_exactly_the_documents_the_metadata_says(party_index_dir, metas, args, keep):
    expected = where(metas, keep)
    assert expected, "the filter should select something in the fixture"
    assert found_ids(party_index_dir, *args) == expected


@pytest.mark.parametrize(("inline", "options"), [
    ("loai:huong-dan nam:2025", ["--type", "huong-dan", "--year", "2025"]),
    ('coquan:"ban bí thư"', ["--issuer", "ban bi thu"]),
    ("type:quy-dinh number:294-QĐ/TW", ["--type", "quy dinh", "--number", "294-QD/TW"]),
    ("tu:2025-06-01 den:2025-12-31", ["--from", "2025-06-01", "--to", "2025-12-31"]),
    ("nguoiky:lam", ["--signer", "Lâm"]),
])
def test_inline_filters_give_the_same_listing_as_options(party_index_dir, inline, options):
    by_inline = json.loads(run(party_index_dir, "search", "--json", inline).stdout)["results"]
    by_options = json.loads(run(party_index_dir, "search", "--json", *options).stdout)["results"]
    assert by_inline and by_inline == by_options


def test_listing_is_newest_first_one_row_per_document(party_index_dir, metas):
    result = run(party_index_dir, "search", "--json", "-n", "100", "--type", "huong-dan")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["results"]
    dated = [(metas[r["doc_id"]].get("date") or metas[r["doc_id"]].get("date_partial")) for r in rows]
    assert None not in dated
    assert dated == sorted(dated, reverse=True)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    numbers = [r["number"] for r in rows if r["number"]]
    assert len(numbers) == len(set(numbers))  # 06-HD/TW and 38-HD/BTCTW once each, with their versions
    keys = set(json.loads(run(party_index_dir, "search", "--json", "dang vien").stdout)["results"][0])
    assert all(set(r) == keys for r in rows)  # the same schema as a search


def test_filters_narrow_a_ranked_search(party_index_dir, metas):
    everything = json.loads(run(party_index_dir, "search", "--json", "-n", "100", "chuyen sinh hoat dang").stdout)
    narrowed = json.loads(run(party_index_dir, "search", "--json", "-n", "100",
                              "chuyen sinh hoat dang coquan:BBT").stdout)
    assert narrowed["results"] and everything["total"] > narrowed["total"]
    assert {metas[r["doc_id"]]["issuer"] for r in narrowed["results"]} == {"Ban Bí thư"}
    assert all(r["score"] > 0 and "sinh hoạt" in r["snippet"].lower() for r in narrowed["results"])
    quy_dinh = json.loads(run(party_index_dir, "search", "--json", "chuyen sinh hoat dang", "--type", "QĐ").stdout)
    assert [r["number"] for r in quy_dinh["results"]] == ["294-QĐ/TW"]


def test_nothing_matching_is_exit_1(party_index_dir):
    for args in (["--year", "1990"], ['"chuyển sinh hoạt đảng"', "--issuer", "quoc hoi"], ["nam:2031"]):
        result = run(party_index_dir, "search", *args)
        assert result.exit_code == 1, (args, result.stdout)
        assert result.stdout == ""


def test_bad_filters_are_exit_2_one_line(party_index_dir):
    assert "foo" in one_error_line(run(party_index_dir, "search", "dang vien foo:bar"))
    assert "bad date" in one_error_line(run(party_index_dir, "search", "--from", "26/13/2025"))
    assert "bad year" in one_error_line(run(party_index_dir, "search", "--year", "twenty"))
    assert "filter" in one_error_line(run(party_index_dir, "search"))


def test_plain_listing_when_piped(party_index_dir):
    result = run(party_index_dir, "search", "--issuer", "TW")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(len(line.split("\t")) == 5 for line in lines)
    assert any("294-QĐ/TW" in line for line in lines) and any("2 versions" in line for line in lines)
    assert Path(lines[0].split("\t")[3]).suffix == ".pdf"
