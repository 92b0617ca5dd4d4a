"""Daily use without surprises (issue 15): the shell's commands, the index run's counts, messages
where a silent exit 1 used to be, a closed pipe, number spellings, and small output matters; each
through the CLI (CliRunner, a real pipe, or a pty for the shell) with the message asserted."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import CORPUS, one_error_line, run
from test_shell import PROMPT, Session

ROOT = Path(__file__).parents[1]


def _kill(session: Session) -> None:
    if session.proc.poll() is None:
        session.proc.kill()
        session.proc.wait()


# --- 1. the shell ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, unknown, filters", [
    ("en", "unknown command :nope; type :help", "filters: loai:huong-dan"),
    ("vi", "không rõ lệnh :nope; gõ :help", "bộ lọc: loai:huong-dan"),
])
def test_shell_help_filter_and_unknown_command(search_index_dir, tmp_path, lang, unknown, filters):
    session = Session(search_index_dir, tmp_path / "state", lang=lang)
    try:
        session.expect(PROMPT)
        session.line(":help")
        shown = session.expect(PROMPT)
        assert ":cite N" in shown and ":filter" in shown and "Traceback" not in shown
        session.line(":filter loai:huong-dan")
        shown = session.expect(PROMPT)
        assert filters in shown and "Traceback" not in shown
        session.line("chuyen sinh hoat")
        shown = session.expect(PROMPT)
        assert "Hướng dẫn 06-HD/TW" in shown and "Quy định 294" not in shown  # the filter holds
        session.line(":nope")
        assert unknown in session.expect(PROMPT)
        session.line(":q")
        assert session.close() == 0
    finally:
        _kill(session)


@pytest.fixture(scope="module")
def many_index(tmp_path_factory, party_txt) -> Path:
    """An index of 14 small Party documents that all mention "sinh hoạt chi bộ"."""
    folder = tmp_path_factory.mktemp("many") / "docs"
    for n in range(1, 15):
        party_txt(folder, f"tb{n}.txt", f"{n}-TB/TW", "THÔNG BÁO", (1, 1 + n % 12, 2024),
                  f"về sinh hoạt chi bộ số {n}", "Nội dung sinh hoạt chi bộ hằng tháng.")
    index_dir = folder.parent / "ix"
    assert run(["index", folder, "--jobs", "1", "-q"], index_dir).exit_code == 0
    return index_dir


def test_shell_more_counts_the_ranks_it_shows_and_cite_after_nothing(many_index, tmp_path):
    session = Session(many_index, tmp_path / "state")
    try:
        session.expect(PROMPT)
        session.line("sinh hoat chi bo")
        assert "10 of 14 matching documents" in session.expect(PROMPT)
        session.line(":more")
        page = session.expect(PROMPT)
        assert "11–14 of 14 matching documents" in page and not re.search(r"^4 of 14", page, re.M)
        assert re.search(r"^\s*11\. ", page, re.M) and re.search(r"^\s*14\. ", page, re.M)
        session.line("xyzzyplugh")
        assert "No results for xyzzyplugh." in session.expect(PROMPT)
        session.line(":cite 4")
        shown = session.expect(PROMPT)
        assert "the last query found nothing: type another query" in shown
        assert "type a query first" not in shown
        session.line(":q")
        assert session.close() == 0
    finally:
        _kill(session)


# --- 2. a folder of bad files --------------------------------------------------------------------------


def _bad_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "zero.docx").write_bytes(b"")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "fake.pdf").write_text("not a pdf at all\n", encoding="utf-8")
    shutil.copy(CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx", folder / "good.docx")
    shutil.copy(CORPUS / "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx", folder / "copy.docx")
    return folder


def test_empty_files_fail_each_and_the_counts_add_up(tmp_path):
    folder = _bad_folder(tmp_path / "bad")
    first = run(["index", folder, "--jobs", "1"], tmp_path / "ix")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("indexed 1 (new 1), unchanged 0, copies 1, failed 3 — 1 document,")
    assert "failed:" not in first.stdout and "warning:" not in first.stdout  # problems go to stderr
    errors = first.stderr.splitlines()
    assert f"failed: {folder / 'zero.docx'}: empty file (0 bytes)" in errors
    assert f"failed: {folder / 'empty.pdf'}: empty file (0 bytes)" in errors
    assert not any("zero.docx" in line and "same content" in line for line in errors)
    assert sum("same content as" in line for line in errors) == 1

    again = run(["index", folder, "--jobs", "1"], tmp_path / "ix")
    assert again.stdout.startswith("indexed 0, unchanged 1, copies 1, failed 3 —"), again.stdout  # nothing "new"
    data = json.loads(run(["index", folder, "--json"], tmp_path / "ix").stdout)
    assert (data["indexed"], data["new"], data["unchanged"], data["copies"], data["failed"]) == (0, 0, 1, 1, 3)


def test_a_copy_of_a_failed_file_fails_with_it(tmp_path):
    import searchdocs

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.docx").write_bytes(b"this is not a zip archive")
    (folder / "b.docx").write_bytes(b"this is not a zip archive")
    report = searchdocs.index_paths(tmp_path / "ix", [folder], jobs=1)
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert set(reasons) == {"a.docx", "b.docx"} and not report.warnings and not report.copies
    assert reasons["b.docx"].startswith(f"same content as {folder / 'a.docx'}, which failed: not a DOCX")


# --- 3. messages where a silent exit 1 was ---------------------------------------------------------------


def test_an_unknown_type_value_is_an_error_naming_the_types(search_index_dir):
    line = one_error_line(run(["search", "loai:foo"], search_index_dir))
    assert line.startswith("searchdocs: error: unknown document type 'foo': use one of ")
    assert "huong-dan" in line and "quy-dinh" in line
    assert one_error_line(run(["search", "dang vien", "--type", "foo"], search_index_dir)) == line


def test_a_filter_value_no_document_has_is_named(search_index_dir):
    result = run(["search", "dang vien coquan:BYT"], search_index_dir)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "note: no indexed document matches coquan:BYT\n"
    listing = run(["search", "--year", "1999", "--json"], search_index_dir)
    assert listing.exit_code == 1 and json.loads(listing.stdout)["unmatched_filters"] == ["nam:1999"]


def test_search_during_the_first_build_says_so(tmp_path):
    from searchdocs.engines.whoosh.lock import IndexLock
    from searchdocs.engines.whoosh.store import create_or_open

    index_dir = tmp_path / "ix"
    with IndexLock(index_dir):
        create_or_open(index_dir)  # what a first run has written before its first commit
        line = one_error_line(run(["search", "dang vien"], index_dir))
    assert line.startswith(f"searchdocs: error: the index is being built (pid {os.getpid()}, started ")
    assert line.endswith("and holds no document yet: search again when that run has finished")
    after = one_error_line(run(["search", "dang vien"], index_dir))
    assert after == (f"searchdocs: error: the index at {index_dir} holds no document: index files with "
                     "`searchdocs index PATH`")


def _piped(args: list[str], index_dir: Path, head: int) -> tuple[int, str, str]:
    """Run the CLI with its output read by ``head -N``: (exit code, what head printed, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANGUAGE": "en", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "searchdocs", "--index", str(index_dir), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    reader = subprocess.run(["head", f"-{head}"], stdin=proc.stdout, capture_output=True, text=True)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    return proc.returncode, reader.stdout, err.decode("utf-8")


@pytest.mark.parametrize("args, head", [
    (["show", "294-qd/tw"], 3),
    (["search", "dang vien", "--limit", "50"], 1),
    (["search", "dang vien", "--limit", "50", "--jsonl"], 1),
])
def test_a_closed_pipe_ends_quietly_with_0(search_index_dir, args, head):
    code, shown, err = _piped(args, search_index_dir, head)
    assert len(shown.splitlines()) == head
    assert code == 0 and err == "", err


# --- 4. numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["06 hd tw", "06 HD TW", "HD 06 TW", "06-hd/tw", "06 - HD/TW", "6 hd tw",
                                   "hd 06 tw", "huong dan 06"])
def test_every_spelling_of_a_number_ranks_it_first(party_index_dir, query):
    result = run(["search", query, "--json"], party_index_dir)
    assert json.loads(result.stdout)["results"][0]["number"] == "06-HD/TW", query


@pytest.mark.parametrize("query, number", [("38 hd btctw", "38-HD/BTCTW"), ("294 qd tw", "294-QĐ/TW")])
def test_number_first_then_type_and_issuer(party_index_dir, query, number):
    assert json.loads(run(["search", query, "--json"], party_index_dir).stdout)["results"][0]["number"] == number


def test_a_number_no_document_has_is_said_first(party_index_dir):
    piped = run(["search", "99-QĐ/TW"], party_index_dir)
    assert piped.stderr.splitlines()[0] == ("note: no indexed document has the number 99-QĐ/TW; showing what "
                                            "mentions it or matches the other words")
    data = json.loads(run(["search", "12-HD/BTCTW", "--json"], party_index_dir).stdout)
    assert data["unknown_numbers"] == ["12-HD/BTCTW"] and data["results"]
    assert all(h["number"] != "12-HD/BTCTW" for h in data["results"])
    known = json.loads(run(["search", "Quy định 294", "--json"], party_index_dir).stdout)
    assert known["unknown_numbers"] == []


def test_the_terminal_says_it_above_the_results(party_index):
    import io

    from searchdocs.interface import output

    out = io.StringIO()
    console = output.make_console(out)
    output.render_results(console, party_index.search("99-QĐ/TW", 3))
    first = out.getvalue().splitlines()[0]
    assert first.startswith("no indexed document has the number 99-QĐ/TW")


# --- 5. small things -----------------------------------------------------------------------------------


def test_wrapped_snippet_lines_stay_under_the_indent(search_index):
    import io

    from rich.console import Console

    from searchdocs.interface import output

    out = io.StringIO()
    output.render_results(Console(file=out, width=60, no_color=True), search_index.search("chuyen sinh hoat dang", 2))
    body = [line for line in out.getvalue().splitlines()
            if line and not re.match(r"\s*\d+\. ", line) and "matching document" not in line]
    assert len(body) > 4  # snippets wrapped at 60 columns
    assert all(line.startswith("    ") for line in body), body


def test_letter_spaced_pdf_text_is_joined(shared_document):
    from searchdocs.extract import extract

    text = extract(Path(__file__).parents[2] / "shared" / "documents" / "state" /
                   "hnh-sct-vn__Nghi-dinh-thu-Viet-Trung.pdf")[0].text
    assert "xã hội chủ nghĩa Việt Nam" in text and "Nghị định thư này" in text.replace("  ", " ")
    assert "h ộ i" not in text and "V iệ t" not in text


@pytest.mark.parametrize("line, joined", [
    ("xã h ộ i chủ nghĩa V iệ t Nam  và C hính-phủ", "xã hội chủ nghĩa Việt Nam  và Chính-phủ"),
    ("m ột số k h i", "một số khi"),
    ("thiểu số c òn nhiều", "thiểu số còn nhiều"),
    ("ma t úy", "ma túy"),
    ("Nhà nước t a ở sở tại", "Nhà nước ta ở sở tại"),
    ("kinh nghi ệm, tiêu chu ẩn", "kinh nghiệm, tiêu chuẩn"),
    ("Đ Ả N G CỘNG SẢN", "ĐẢNG CỘNG SẢN"),
    ("điểm b khoản 2 và điểm a, b", "điểm b khoản 2 và điểm a, b"),
    ("Mốc X Y", "Mốc X Y"),
    ("y tế, ý kiến, đi ăn, cho em ở đó", "y tế, ý kiến, đi ăn, cho em ở đó"),
])
def test_letter_spacing_joins_only_what_makes_syllables(line, joined):
    from searchdocs.extract.spacing import join_letter_spacing

    assert join_letter_spacing(line) == joined


def test_stats_unknown_in_the_interface_language(search_index_dir):
    vi = run(["--lang", "vi", "stats"], search_index_dir)
    en = run(["--lang", "en", "stats"], search_index_dir)
    assert "(không rõ)" in vi.stdout and "(unknown)" not in vi.stdout
    assert "(unknown)" in en.stdout and "(không rõ)" not in en.stdout
    assert '"(unknown)"' in run(["--lang", "en", "stats", "--help"]).stdout


def test_check_verdict_reads_whole_in_vietnamese(search_index_dir):
    vi = run(["--lang", "vi", "check", "--no-files"], search_index_dir)
    assert f"chỉ mục {search_index_dir}: tốt" in vi.stdout
    en = run(["--lang", "en", "check", "--no-files"], search_index_dir)
    assert f"index {search_index_dir}: healthy" in en.stdout


@pytest.mark.parametrize("args", [["check", "--no-files"], ["show", "294-QĐ/TW"], ["stats"]])
def test_piped_tables_have_no_trailing_spaces(search_index_dir, args):
    result = run(args, search_index_dir)
    assert result.stdout.strip()
    assert [line for line in result.stdout.splitlines() if line != line.rstrip()] == []


def test_a_missing_section_says_the_list_was_cut(search_index_dir):
    line = one_error_line(run(["show", "294-QĐ/TW", "--section", "Điều 999"], search_index_dir))
    assert line.startswith("searchdocs: error: no section 'Điều 999' in 294-QĐ/TW; its sections: 1 (Điều 1), ")
    assert re.search(r"… and \d+ more \(the full list: show without --section\)$", line), line


def test_readme_sample_output_is_what_index_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^indexed 21 \(new 21\), unchanged 0, failed 0 — 21 documents, ", readme, re.M)


def test_a_type_with_a_year_is_not_called_a_missing_number(party_index_dir):
    data = json.loads(run(["search", "quy dinh 2025 ket nap dang vien", "--json"], party_index_dir).stdout)
    assert data["unknown_numbers"] == [] and data["results"]
