"""The command line through click's CliRunner: output formats, exit codes, errors, show, index."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchdocs.interface.cli import cli

CORPUS = Path(__file__).parents[1] / "corpus"
HIT_KEYS = {"rank", "score", "doc_id", "path", "number", "doc_type", "title", "date", "section", "page",
            "snippet", "other_hits",
            "issuer", "status", "status_detail", "versions"}  # added with filters, validity and versions
ANSI = re.compile(r"\x1b\[")
TREC = re.compile(r"^(\S+) Q0 (\S+) (\d+) (-?\d+(?:\.\d+)?(?:e-?\d+)?) searchdocs$")
# No colour forced from outside: these tests are about what a pipe gets.
PLAIN_ENV = {"FORCE_COLOR": None, "NO_COLOR": None, "SEARCHDOCS_INDEX": None, "LANGUAGE": "en"}  # English messages


def run(args, index_dir=None, env=None, **kwargs):
    """Invoke the CLI; ``--index`` first when given. Returns click's Result."""
    argv = (["--index", str(index_dir)] if index_dir is not None else []) + [str(a) for a in args]
    return CliRunner().invoke(cli, argv, env={**PLAIN_ENV, **(env or {})}, catch_exceptions=False, **kwargs)


def one_error_line(result) -> str:
    """The error output: exactly one line, no traceback, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def nonempty_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def squash(text: str) -> str:
    return " ".join(text.split())


# --- search --json / --jsonl: the stable schema -----------------------------------------------------


def _check_hit(hit: dict) -> None:
    assert set(hit) == HIT_KEYS
    assert type(hit["rank"]) is int and hit["rank"] >= 1
    assert isinstance(hit["score"], (int, float)) and not isinstance(hit["score"], bool)
    assert isinstance(hit["doc_id"], str) and hit["doc_id"]
    assert isinstance(hit["path"], str) and Path(hit["path"]).is_file()
    for key in ("number", "doc_type", "title"):
        assert hit[key] is None or (isinstance(hit[key], str) and hit[key]), (key, hit[key])
    assert hit["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"]), hit["date"]
    if hit["date"]:
        dt.date.fromisoformat(hit["date"])
    assert isinstance(hit["section"], str)
    assert hit["page"] is None or (type(hit["page"]) is int and hit["page"] >= 1)
    assert isinstance(hit["snippet"], str) and hit["snippet"].strip()
    assert type(hit["other_hits"]) is int and hit["other_hits"] >= 0


@pytest.mark.parametrize("query", ["chuyen sinh hoat dang", "Huy hiệu Đảng", "an ninh mạng", "Quy định 294"])
def test_search_json_schema(search_index_dir, query):
    result = run(["search", "--json", query, "-n", "10"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "unknown_numbers", "unmatched_filters", "results"}
    assert data["query"] == query
    assert type(data["total"]) is int and data["total"] >= len(data["results"]) > 0
    for hit in data["results"]:
        _check_hit(hit)
    assert [h["rank"] for h in data["results"]] == list(range(1, len(data["results"]) + 1))
    assert len({h["doc_id"] for h in data["results"]}) == len(data["results"])


def test_search_json_values_match_the_documents(search_index_dir):
    """Facts from corpus/README.md: 294-QĐ/TW of 26/5/2025 (a PDF, so pages); the Hà Nội Hướng dẫn
    has its number left blank and only a month, so number and date are null; laws are DOCX (no pages)."""
    rows = json.loads(run(["search", "--json", "Huy hiệu Đảng an ninh mạng", "-n", "10"],
                          search_index_dir).stdout)["results"]
    by_file = {Path(h["path"]).name: h for h in rows}
    blank = by_file["sotay_huongdan21.pdf"]
    assert blank["number"] is None and blank["date"] is None
    assert blank["doc_type"] == "Hướng dẫn"
    assert type(blank["page"]) is int
    law = by_file["ragluat_LUATANNINHMANG.docx"]
    assert law["page"] is None and law["number"] == "24/2018/QH14" and law["date"] == "2018-06-12"

    top = json.loads(run(["search", "--json", "294-QĐ/TW", "-n", "1"], search_index_dir).stdout)["results"][0]
    assert Path(top["path"]).name == "sotay_quydinh294.pdf"
    assert (top["number"], top["doc_type"], top["date"]) == ("294-QĐ/TW", "Quy định", "2025-05-26")


def test_jsonl_is_one_hit_object_per_line(search_index_dir):
    args = ["search", "chuyen sinh hoat dang", "-n", "4"]
    as_json = json.loads(run(args + ["--json"], search_index_dir).stdout)["results"]
    result = run(args + ["--jsonl"], search_index_dir)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(as_json) == 4
    parsed = [json.loads(line) for line in lines]
    for hit in parsed:
        _check_hit(hit)
    assert parsed == as_json


def test_json_when_nothing_is_found(search_index_dir):
    result = run(["search", "--json", "xyzzyplugh"], search_index_dir)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"query": "xyzzyplugh", "total": 0, "unknown_numbers": [],
                                         "unmatched_filters": [], "results": []}
    assert run(["search", "--jsonl", "xyzzyplugh"], search_index_dir).stdout == ""


# --- exit codes and errors --------------------------------------------------------------------------


def test_exit_codes_found_and_not_found(search_index_dir):
    assert run(["search", "đảng viên"], search_index_dir).exit_code == 0
    nothing = run(["search", "xyzzyplugh"], search_index_dir)
    assert nothing.exit_code == 1
    assert nothing.stdout == ""


def test_no_index_is_exit_2_with_a_hint(tmp_path):
    for args in (["search", "đảng viên"], ["show", "294-QĐ/TW"]):
        line = one_error_line(run(args, tmp_path / "no-index-here"))
        assert "searchdocs index" in line
        assert str(tmp_path / "no-index-here") in line


@pytest.mark.parametrize("query", ['đảng "viên', '"chuyển sinh hoạt'])
def test_unclosed_quote_is_exit_2_one_line(search_index_dir, query):
    line = one_error_line(run(["search", query], search_index_dir))
    assert "column" in line and "quote" in line


def test_only_exclusions_is_exit_2(search_index_dir):
    assert "exclude" in one_error_line(run(["search", "--", "-đảng"], search_index_dir))


def test_query_and_batch_are_exclusive(search_index_dir, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("đảng viên\n", encoding="utf-8")
    one_error_line(run(["search"], search_index_dir))
    one_error_line(run(["search", "đảng", "--batch", batch], search_index_dir))


# --- plain output -----------------------------------------------------------------------------------


@pytest.mark.parametrize("env", [{}, {"TERM": "xterm-256color", "COLUMNS": "200"}])
def test_plain_output_when_not_a_tty(search_index_dir, env):
    result = run(["search", "chuyen sinh hoat dang", "-n", "2"], search_index_dir, env=env)
    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # 294-QĐ/TW and 06-HD/TW (its two exports are one row)
    for rank, line in enumerate(lines, 1):
        fields = line.split("\t")
        assert len(fields) == 5, line
        assert fields[0] == str(rank)
        assert "sinh hoạt" in fields[4].lower()  # the snippet shows the accented original
    assert "294-QĐ/TW" in result.stdout and "06-HD/TW" in result.stdout


def test_index_from_environment_variable(search_index_dir, tmp_path):
    result = run(["search", "--json", "Quy định 294", "-n", "1"], env={"SEARCHDOCS_INDEX": str(search_index_dir)})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["number"] == "294-QĐ/TW"
    # --index wins over the variable
    overridden = run(["search", "Quy định 294"], tmp_path / "missing", env={"SEARCHDOCS_INDEX": str(search_index_dir)})
    assert "searchdocs index" in one_error_line(overridden)


# --- batch ------------------------------------------------------------------------------------------


def test_batch_plain_lines(search_index_dir, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("chuyen sinh hoat dang\n\nQuy định 294\nxyzzyplugh\n", encoding="utf-8")
    result = run(["search", "--batch", batch, "-n", "2"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    assert not ANSI.search(result.stdout)
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    qids = [r[0] for r in rows]
    assert set(qids) == {"1", "3"}  # line numbers; the blank line is skipped, line 4 finds nothing
    assert qids.count("1") == 2 and qids.count("3") == 2
    assert [r[1] for r in rows if r[0] == "3"] == ["1", "2"]
    assert "294-QĐ/TW" in [r for r in rows if r[0] == "3"][0][2]


def test_batch_jsonl_trec(search_index, search_index_dir, search_doc_ids, tmp_path):
    batch = tmp_path / "queries.jsonl"
    queries = [{"_id": "q-294", "text": "Quy định 294"}, {"_id": "q2", "text": "chuyen sinh hoat dang"},
               {"_id": "none", "text": "xyzzyplugh"}]
    batch.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n", encoding="utf-8")
    result = run(["search", "--batch", batch, "--format", "trec", "-n", "5"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    known = set(search_doc_ids.values())
    runs: dict[str, list[tuple[str, int, float]]] = {}
    for line in result.stdout.splitlines():
        m = TREC.match(line)
        assert m, line
        qid, docid, rank, score = m.group(1), m.group(2), int(m.group(3)), float(m.group(4))
        assert docid in known
        runs.setdefault(qid, []).append((docid, rank, score))
    assert set(runs) == {"q-294", "q2"}
    for rows in runs.values():
        assert [r for _, r, _ in rows] == list(range(1, len(rows) + 1))
        assert [s for _, _, s in rows] == sorted((s for _, _, s in rows), reverse=True)
        assert len({d for d, _, _ in rows}) == len(rows)
        assert len(rows) <= 5
    assert runs["q-294"][0][0] == search_doc_ids["sotay_quydinh294.pdf"]
    # the same answers as one search each
    for q in queries[:2]:
        single = search_index.search(q["text"], limit=5)
        assert [d for d, _, _ in runs[q["_id"]]] == [h.doc_id for h in single.hits]


def test_batch_jsonl_json_output(search_index_dir, tmp_path):
    batch = tmp_path / "queries.jsonl"
    batch.write_text('{"_id": "a", "text": "an ninh mạng"}\n{"id": "b", "q": "Quy định 294"}\n', encoding="utf-8")
    result = run(["search", "--batch", batch, "--jsonl", "-n", "3"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [rec["id"] for rec in lines] == ["a", "b"]
    for rec in lines:
        assert set(rec) == {"id", "query", "total", "unknown_numbers", "unmatched_filters", "results"}
        for hit in rec["results"]:
            _check_hit(hit)
    assert lines[1]["results"][0]["number"] == "294-QĐ/TW"


def test_batch_nothing_found_is_exit_1(search_index_dir, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("xyzzyplugh\nqwzzkx\n", encoding="utf-8")
    result = run(["search", "--batch", batch, "--format", "trec"], search_index_dir)
    assert result.exit_code == 1
    assert result.stdout == ""


def test_batch_with_a_broken_json_line_is_exit_2(search_index_dir, tmp_path):
    batch = tmp_path / "queries.jsonl"
    batch.write_text('{"_id": "a", "text": "an ninh"}\n{"_id": "b", "text": \n', encoding="utf-8")
    assert ":2:" in one_error_line(run(["search", "--batch", batch], search_index_dir))


# --- show -------------------------------------------------------------------------------------------


def _passages(search_index, search_doc_ids, file: str) -> list[dict]:
    return search_index.passages(search_doc_ids[file])


def test_show_prints_metadata_and_text(search_index, search_index_dir, search_doc_ids):
    result = run(["show", "294-QĐ/TW"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert not ANSI.search(out)
    for fact in ("294-QĐ/TW", "Quy định", "2025-05-26", "Ban Chấp hành Trung ương", "sotay_quydinh294.pdf"):
        assert fact in out, fact
    flat = squash(out)
    passages = _passages(search_index, search_doc_ids, "sotay_quydinh294.pdf")
    for p in (passages[0], passages[len(passages) // 2], passages[-1]):
        assert squash(p["body"])[:200] in flat


@pytest.mark.parametrize("ref", ["294-qd/tw", "294 - QĐ/TƯ", "Số: 294-QĐ/TW", "Quy định 294", "quy dinh so 294"])
def test_show_finds_the_document_by_any_spelling(search_index_dir, ref):
    result = run(["show", ref, "--json"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["meta"]["number"] == "294-QĐ/TW"
    assert Path(data["path"]).name == "sotay_quydinh294.pdf"


def _pick_section(passages: list[dict]) -> tuple[str, list[dict], list[dict]]:
    """A numbered section (e.g. "6.2") that has sub-passages or not, with the passages it must select."""
    for p in passages:
        m = re.match(r"(\d+\.\d+) \(Điều \d+\)$", p["section"] or "")
        if not m:
            continue
        number = m.group(1)
        inside = [q for q in passages if re.match(rf"{re.escape(number)}(?:[ .(]|$)", q["section"] or "")]
        outside = [q for q in passages if q not in inside and q["section"]]
        if inside and outside:
            return number, inside, outside
    raise AssertionError("no numbered section in 294-QĐ/TW")


def test_show_section(search_index, search_index_dir, search_doc_ids):
    passages = _passages(search_index, search_doc_ids, "sotay_quydinh294.pdf")
    number, inside, outside = _pick_section(passages)
    result = run(["show", "294-qd/tw", "--section", number], search_index_dir)
    assert result.exit_code == 0, result.stderr
    flat = squash(result.stdout)
    assert "294-QĐ/TW" in flat  # the metadata table comes first
    for p in inside:
        assert squash(p["body"])[:150] in flat
    for p in outside:
        assert squash(p["body"])[:150] not in flat, p["section"]


def test_show_article_of_a_law(search_index, search_index_dir, search_doc_ids):
    passages = _passages(search_index, search_doc_ids, "ragluat_LUATANNINHMANG.docx")
    result = run(["show", "24/2018/QH14", "--section", "Điều 5", "--json"], search_index_dir)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)["passages"]
    expected = [p for p in passages if re.fullmatch(r"Điều 5(?: \(tiếp\))?", p["section"] or "")]
    assert expected
    assert [p["text"] for p in shown] == [p["body"] for p in expected]
    assert all(not p["section"].startswith(("Điều 15", "Điều 50")) for p in shown)


def test_show_unknown_number_is_exit_2(search_index_dir):
    line = one_error_line(run(["show", "999-QĐ/TW"], search_index_dir))
    assert "999-QĐ/TW" in line


def test_show_unknown_section_is_exit_2_and_lists_sections(search_index_dir):
    line = one_error_line(run(["show", "294-QĐ/TW", "--section", "Điều 999"], search_index_dir))
    assert "Điều 999" in line and "(Điều 1)" in line


# --- help -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None] + sorted(cli.commands))
def test_every_help_has_examples(command):
    result = run(([command] if command else []) + ["--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout


# --- index ------------------------------------------------------------------------------------------

_SUMMARY = re.compile(r"indexed (\d+)(?: \([^)]*\))?, unchanged (\d+), failed (\d+)")


def test_index_twice_reports_everything_unchanged(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx", folder)
    shutil.copy(CORPUS / "pccc-sct-vn__QD-1074-QD-BXD-29-6-2026.pdf", folder / "sub")
    index_dir = tmp_path / "ix"

    first = run(["index", folder, "--jobs", "1"], index_dir)
    assert first.exit_code == 0, first.stderr
    assert not ANSI.search(first.stdout)
    assert _SUMMARY.search(first.stdout).groups() == ("2", "0", "0"), first.stdout

    second = run(["index", folder, "--jobs", "1"], index_dir)
    assert second.exit_code == 0
    assert _SUMMARY.search(second.stdout).groups() == ("0", "2", "0"), second.stdout

    as_json = json.loads(run(["index", folder, "--json"], index_dir).stdout)
    assert (as_json["indexed"], as_json["unchanged"], as_json["failed"]) == (0, 2, 0)
    assert as_json["documents"] == 2

    found = run(["search", "--json", "597/HC-QLHC"], index_dir)
    assert found.exit_code == 0
    assert Path(json.loads(found.stdout)["results"][0]["path"]).name == "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx"


def test_index_reports_a_bad_file_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx", folder)
    (folder / "broken.docx").write_bytes(b"this is not a zip archive")
    result = run(["index", folder, "--jobs", "1"], tmp_path / "ix")
    assert "Traceback" not in result.stdout + result.stderr
    assert _SUMMARY.search(result.stdout).groups() == ("1", "0", "1"), result.stdout
    assert re.search(r"failed: .*broken\.docx: \S", result.stderr)  # failures go to stderr
    assert "failed:" not in result.stdout


def test_curly_quotes_make_a_required_phrase(search_index_dir):
    straight = run(["search", '"sinh hoạt đảng"', "--json"], search_index_dir)
    curly = run(["search", "“sinh hoạt đảng”", "--json"], search_index_dir)
    assert straight.exit_code == curly.exit_code == 0
    hits = json.loads(curly.stdout)["results"]
    assert [h["doc_id"] for h in hits] == [h["doc_id"] for h in json.loads(straight.stdout)["results"]]


def test_readme_inside_a_folder_is_not_indexed(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "README.md").write_text("Danh mục tài liệu: Quy định 294-QĐ/TW\n", encoding="utf-8")
    (folder / "thong-bao.txt").write_text("THÔNG BÁO\nvề việc sinh hoạt chi bộ\n", encoding="utf-8")
    result = run(["index", str(folder), "--json"], tmp_path / "ix")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["indexed"] == 1 and report["documents"] == 1
    explicit = run(["index", str(folder / "README.md"), "--json"], tmp_path / "ix")
    assert json.loads(explicit.stdout)["indexed"] == 1  # named on the command line: indexed
