"""The Vietnamese interface: every message translated, the .mo built from the .po, the language
chosen by --lang or the locale, and data (JSON) the same in every language."""
from __future__ import annotations

import os

import gettext
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchdocs.interface import i18n
from searchdocs.interface.cli import cli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from extract_msgids import all_msgids, source_msgids  # noqa: E402
from msgfmt import mo_bytes, parse_po  # noqa: E402

PO = ROOT / "searchdocs" / "interface" / "locale" / "vi" / "LC_MESSAGES" / "searchdocs.po"
MO = PO.with_suffix(".mo")
# No language from the machine running the tests: each test says which it wants.
NO_LOCALE = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "FORCE_COLOR": None,
             "NO_COLOR": None, "SEARCHDOCS_INDEX": None}
FIELD = re.compile(r"\{[^{}]*\}")


def run(args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env={**NO_LOCALE, **(env or {})}, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _follow_locale():
    yield
    i18n.set_language(None)


def test_extraction_finds_the_messages_of_the_code_and_the_help():
    ids = all_msgids()
    assert ("{shown} of {total} matching document\0{shown} of {total} matching documents"
            in source_msgids())
    assert "{n} version\0{n} versions" in source_msgids()  # ngettext: singular and plural, as the .mo keys them
    assert any(m.startswith("no index at {directory}") for m in ids)  # an N_() template of the library
    assert "Index to use: a directory, or an OpenSearch index URL http(s)://HOST:PORT/NAME." in ids  # an option's help
    assert any(m.startswith("\b\nQuery syntax:") for m in ids)  # a paragraph of a command's help


def test_every_message_has_a_vietnamese_translation_with_the_same_fields():
    catalog = parse_po(PO.read_text(encoding="utf-8"))
    missing = [m for m in all_msgids() if not catalog.get(m, "").strip()]
    assert not missing, f"untranslated (run tools/extract_msgids.py {PO.relative_to(ROOT)}): {missing}"
    # a plural ("singular\0plural" -> "form0\0…"): every form has the fields of the English plural
    fields = lambda text: sorted(FIELD.findall(text.split("\0")[-1]))
    wrong = [m for m in all_msgids()
             if any(sorted(FIELD.findall(form)) != fields(m) for form in catalog[m].split("\0"))]
    assert not wrong, f"translations whose {{fields}} differ from the English: {wrong}"


def test_the_mo_is_the_compiled_po():
    catalog = parse_po(PO.read_text(encoding="utf-8"))
    assert MO.read_bytes() == mo_bytes(catalog), "stale .mo: run python tools/msgfmt.py"
    with MO.open("rb") as f:
        loaded = gettext.GNUTranslations(f)
    for msgid, msgstr in catalog.items():
        if "\0" in msgid:
            singular, plural = msgid.split("\0")
            assert [loaded.ngettext(singular, plural, n) for n in (1, 2)] == [msgstr.split("\0")[0]] * 2
        elif msgid:
            assert loaded.gettext(msgid) == msgstr


@pytest.mark.parametrize("environ, lang", [
    ({}, "en"), ({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "vi_VN"}, "vi"), ({"LC_ALL": "C", "LANG": "vi_VN"}, "en"),
    ({"LANGUAGE": "vi:en", "LC_ALL": "C"}, "vi"),
])
def test_the_locale_decides_the_language(environ, lang):
    assert i18n.detect(environ) == lang


def test_no_index_error_in_vietnamese_with_lang_vi(tmp_path):
    result = run(["--lang", "vi", "--index", tmp_path / "none", "search", "dang vien"])
    assert result.exit_code == 2
    assert "searchdocs: lỗi: chưa có chỉ mục tại" in result.stderr
    assert "hãy chạy `searchdocs index` trước" in result.stderr


def test_lang_from_the_locale_without_lang_option(tmp_path):
    result = run(["--index", tmp_path / "none", "search", "dang vien"], env={"LANG": "vi_VN.UTF-8"})
    assert "chưa có chỉ mục" in result.stderr


def test_lang_en_wins_over_a_vietnamese_locale(tmp_path):
    result = run(["--lang", "en", "--index", tmp_path / "none", "search", "dang vien"], env={"LANG": "vi_VN.UTF-8"})
    assert "searchdocs: error: no index at" in result.stderr
    assert "chưa có" not in result.stderr


def test_query_errors_of_the_library_are_translated_where_shown(search_index_dir):
    result = run(["--lang", "vi", "--index", search_index_dir, "search", "dang vien nam:20x"])
    assert result.exit_code == 2
    assert "năm '20x' không hợp lệ: hãy viết bốn chữ số" in result.stderr


def test_library_errors_stay_english_whatever_the_locale(monkeypatch):
    from searchdocs.errors import QuerySyntaxError
    from searchdocs.search.filters import build

    monkeypatch.setenv("LANGUAGE", "vi")
    with pytest.raises(QuerySyntaxError) as e:
        build(years=["20x"])
    assert str(e.value) == "bad year '20x': use four digits, e.g. nam:2025"
    assert i18n.error_text(e.value) == "năm '20x' không hợp lệ: hãy viết bốn chữ số, vd. nam:2025"


def test_help_in_vietnamese():
    top = run(["--lang", "vi", "--help"])
    assert "Tìm kiếm toàn văn văn bản của Đảng và Nhà nước." in top.output
    assert "Chỉ mục cần dùng: một thư mục" in top.output
    search = run(["search", "--help"], env={"LANGUAGE": "vi"})
    assert "Cú pháp truy vấn:" in search.output and "Ví dụ:" in search.output
    assert "Query syntax:" not in search.output
    english = run(["--lang", "en", "search", "--help"])
    assert "Query syntax:" in english.output and "Cú pháp truy vấn:" not in english.output


def test_summaries_in_vietnamese(search_index_dir):
    vi = run(["--lang", "vi", "--index", search_index_dir, "check", "--no-files"])
    en = run(["--lang", "en", "--index", search_index_dir, "check", "--no-files"])
    assert vi.exit_code == en.exit_code == 0
    assert ": tốt" in vi.output and "văn bản" in vi.output
    assert ": healthy" in en.output and "documents" in en.output


def test_no_results_and_counts_in_vietnamese(search_index):
    from rich.console import Console

    from searchdocs.interface import output

    console = Console(record=True, width=120, color_system=None)
    i18n.set_language("vi")
    output.render_results(console, search_index.search("xyzzyqwerty", 10))
    output.render_results(console, search_index.search("dang vien", 10))
    text = console.export_text()
    assert "Không có kết quả cho xyzzyqwerty." in text
    assert re.search(r"\d+ trên \d+ văn bản phù hợp", text)


@pytest.mark.parametrize("args", [["search", "dang vien", "--json"], ["stats", "--json"],
                                  ["show", "294-QĐ/TW", "--json"], ["check", "--no-files", "--json"]])
def test_json_is_the_same_in_every_language(search_index_dir, args):
    outputs = [run(["--lang", lang, "--index", search_index_dir, *args]).output for lang in ("en", "vi")]
    data = [json.loads(o) for o in outputs]
    for d in data:
        d.pop("seconds", None)  # check's timing
    assert data[0] == data[1]


def test_bare_searchdocs_not_at_a_terminal_prints_help_and_exits_0():
    result = run([])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ") and "[OPTIONS] [COMMAND]" in result.output
    assert "search" in result.output and "shell" in result.output
    assert "Tìm kiếm toàn văn" in run(["--lang", "vi"]).output


def test_bare_searchdocs_at_a_terminal_runs_the_shell(monkeypatch, search_index_dir):
    from searchdocs.interface import cli as cli_module
    from searchdocs.interface import shell

    ran = []
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    monkeypatch.setattr(shell, "run", lambda ix, console, paged: ran.append(ix))
    result = run(["--index", search_index_dir])
    assert result.exit_code == 0 and len(ran) == 1
    assert "Usage:" not in result.output


def test_show_labels_in_each_language_and_the_same_json(search_index_dir):
    vi = run(["--lang", "vi", "--index", search_index_dir, "show", "294-QĐ/TW"])
    en = run(["--lang", "en", "--index", search_index_dir, "show", "294-QĐ/TW"])
    assert vi.exit_code == en.exit_code == 0
    for label in ("Số/ký hiệu", "Loại", "Cơ quan ban hành", "Ngày", "Trích yếu", "Mã", "Tệp", "Hiệu lực"):
        assert label in vi.output, label
    for label in ("Number", "Type", "Issuer", "Date", "Summary", "ID", "File", "Validity"):
        assert label in en.output, label
    assert "Số/ký hiệu" not in en.output and "Cơ quan ban hành" not in en.output
    assert "Còn hiệu lực" in vi.output and "In force" in en.output
    data = [json.loads(run(["--lang", lang, "--index", search_index_dir, "show", "294-QĐ/TW", "--json"]).output)
            for lang in ("en", "vi")]
    assert data[0] == data[1]
    assert data[0]["status_detail"]["label"] == "Còn hiệu lực"  # data: the Vietnamese label of graph.py


def test_refs_and_stats_headings_in_each_language(search_index_dir):
    from rich.console import Console

    from searchdocs.interface import output
    from searchdocs.engines.whoosh.index import Index

    texts = {}
    with Index(search_index_dir) as index:
        for lang in ("vi", "en"):
            i18n.set_language(lang)
            console = Console(record=True, width=120, color_system=None)
            output.render_references(console, index.references("294-QĐ/TW"))
            output.render_stats(console, index.stats())
            texts[lang] = console.export_text()
    assert "Văn bản này dẫn chiếu" in texts["vi"] and "Được dẫn chiếu bởi" in texts["vi"]
    assert "Loại văn bản" in texts["vi"] and "Dung lượng chỉ mục" in texts["vi"]
    assert "This document cites" in texts["en"] and "Cited by" in texts["en"]
    assert "Document type" in texts["en"] and "Index size" in texts["en"]
    assert "dẫn chiếu" not in texts["en"] and "Dung lượng" not in texts["en"]


def test_counts_use_plural_forms_and_are_translated(search_index):
    from searchdocs.interface import output
    from searchdocs.models import Version

    one, two = [Version("a", "a.pdf")], [Version("a", "a.pdf"), Version("b", "b.pdf")]
    i18n.set_language("en")
    assert output._versions_note(two) == "2 versions" and output._versions_note(one) == ""
    assert output._matching(search_index.search("dang vien", 1)).endswith("matching documents")
    i18n.set_language("vi")
    assert output._versions_note(two) == "2 phiên bản"
    assert i18n.ngettext("(+{n} more passage)", "(+{n} more passages)", 1) == "(+{n} đoạn khác)"
    assert i18n._("indexing") == "đang lập chỉ mục"


def test_failure_reasons_translated_where_shown_and_english_in_json(tmp_path):
    from searchdocs.errors import Reason

    missing = tmp_path / "khong-co"
    vi = run(["--lang", "vi", "--index", tmp_path / "ix", "index", missing])
    assert "không có tệp hoặc thư mục này" in vi.output + vi.stderr
    en = run(["--lang", "vi", "--index", tmp_path / "ix", "index", missing, "--json"])
    data = json.loads(en.output)
    assert [f["reason"] for f in data["failures"]] == ["no such file or folder"]
    reason = Reason("file too large: {size} MB > limit {limit} MB", size="3.0", limit="1.0")
    assert reason == "file too large: 3.0 MB > limit 1.0 MB"  # a str: the library API and JSON see English
    i18n.set_language("vi")
    assert i18n.error_text(reason) == "tệp quá lớn: 3.0 MB > giới hạn 1.0 MB"


def test_worker_reasons_keep_their_template_across_the_process_boundary():
    import pickle

    from searchdocs.ingest.workers import _death_reason

    reason = pickle.loads(pickle.dumps(_death_reason(-11, None)))
    assert reason == "worker crashed (signal 11)"
    i18n.set_language("vi")
    assert i18n.error_text(reason) == "tiến trình con bị sập (tín hiệu 11)"


def test_extraction_reasons_in_vietnamese_and_english_in_json(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "x.pdf").write_text("<!DOCTYPE html><html><body>Not found</body></html>", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ok.txt").write_text("THÔNG BÁO\nvề việc sinh hoạt chi bộ\n", encoding="utf-8")
    vi = run(["--lang", "vi", "--index", tmp_path / "ix-vi", "index", folder, "--jobs", "1"])
    assert "không phải PDF: có vẻ là HTML" in vi.output  # the template and the reason inside it
    assert "tệp rỗng (0 byte)" in vi.output
    assert "1 văn bản" in vi.output
    assert "not a PDF" not in vi.output and "empty file" not in vi.output
    en = run(["--lang", "vi", "--index", tmp_path / "ix-en", "index", folder, "--jobs", "1", "--json"])
    reasons = {Path(f["path"]).name: f["reason"] for f in json.loads(en.output)["failures"]}
    assert reasons == {"x.pdf": "not a PDF: looks like HTML", "empty.txt": "empty file (0 bytes)"}


def test_dry_run_lines_in_vietnamese(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ok.txt").write_text("THÔNG BÁO\nvề việc sinh hoạt chi bộ\n", encoding="utf-8")
    vi = run(["--lang", "vi", "--index", tmp_path / "ix", "index", folder, "--dry-run"])
    en = run(["--lang", "en", "--index", tmp_path / "ix", "index", folder, "--dry-run"])
    assert "mới: " in vi.output and "chạy thử, không ghi gì" in vi.output and "new: " not in vi.output
    assert "new: " in en.output and "0 documents, 0 passages" in en.output


def test_nested_reasons_are_translated():
    from searchdocs.errors import N_, ExtractionError, Reason

    error = ExtractionError(N_("unsupported file type: {suffix}"), suffix=Reason(N_("no extension")))
    assert str(error) == "unsupported file type: no extension"
    i18n.set_language("vi")
    assert i18n.error_text(error) == "loại tệp không được hỗ trợ: không có phần mở rộng"


def test_missing_ocr_tools_are_explained_in_both_languages(tmp_path, monkeypatch):
    import json as _json

    monkeypatch.setattr("searchdocs.extract.ocr.shutil.which", lambda name: None)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("THÔNG BÁO\nvề việc sinh hoạt chi bộ\n", encoding="utf-8")
    vi = run(["--lang", "vi", "--index", tmp_path / "ix", "index", folder, "--ocr", "--jobs", "1"])
    assert "--ocr cần Tesseract" in vi.output and "apt-get install tesseract-ocr" in vi.output
    en = run(["--lang", "en", "--index", tmp_path / "ix2", "index", folder, "--ocr", "--jobs", "1", "--json"])
    notes = _json.loads(en.stdout)["notes"]
    assert any(n.startswith("--ocr needs Tesseract") and "tesseract, pdftoppm" in n for n in notes)


def test_the_locked_index_message_names_the_other_run_in_vietnamese(tmp_path):
    from searchdocs.engines.whoosh.lock import IndexLock

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("THÔNG BÁO\nvề việc sinh hoạt chi bộ\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with IndexLock(index_dir, 0):
        vi = run(["--lang", "vi", "--index", index_dir, "index", folder])
        en = run(["--lang", "en", "--index", index_dir, "index", folder])
    assert vi.exit_code == en.exit_code == 2
    assert "đang được một lần chạy `searchdocs index` khác ghi" in vi.output
    assert f"pid {os.getpid()}, bắt đầu lúc" in vi.output
    assert f"pid {os.getpid()}, started" in en.output and "is being written by another" in en.output


def test_clicks_own_headings_and_usage_errors_follow_the_language():
    vi = run(["--lang", "vi", "search", "--help"])
    assert "Cách dùng: cli search" in vi.output and "Tùy chọn" in vi.output
    assert "Hiện hướng dẫn này rồi thoát." in vi.output and "Usage:" not in vi.output
    en = run(["--lang", "en", "search", "--help"])
    assert "Usage: cli search" in en.output and "Show this message and exit." in en.output
    missing_vi = run(["--lang", "vi", "show"])
    missing_en = run(["--lang", "en", "show"])
    assert missing_vi.exit_code == missing_en.exit_code == 2
    assert "Lỗi: Thiếu đối số 'REF'." in missing_vi.output
    assert "Error: Missing argument 'REF'." in missing_en.output
