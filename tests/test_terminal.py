"""Daily use at the terminal: search --cite, --format md|csv, show --format md/--cite/--query/--open,
paging only on a terminal, and click's shell completion."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from rich.console import Console

from searchdocs.interface import output
from searchdocs.interface.cli import Env, cli
from searchdocs.search.exports import RESULT_COLUMNS, md_cell
from searchdocs.search.results import highlight_spans

PLAIN_ENV = {"FORCE_COLOR": None, "NO_COLOR": None, "SEARCHDOCS_INDEX": None}
HIT_KEYS = {"rank", "score", "doc_id", "path", "number", "doc_type", "title", "date", "section", "page",
            "snippet", "other_hits", "issuer", "status", "status_detail", "versions"}
ANSI = re.compile(r"\x1b\[")
QUERY = "quyen cua dang vien"


def run(index_dir, *args, env=None):
    argv = ["--index", str(index_dir), *map(str, args)]
    return CliRunner().invoke(cli, argv, env={**PLAIN_ENV, **(env or {})}, catch_exceptions=False,
                              prog_name="searchdocs")


def md_row(line: str) -> list[str]:
    """A Markdown table row's cells: split on unescaped '|', then unescape."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells, cell, k, body = [], "", 0, line[1:-1]
    while k < len(body):
        ch = body[k]
        if ch == "\\" and k + 1 < len(body):
            cell += body[k + 1]
            k += 2
            continue
        if ch == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
        k += 1
    cells.append(cell.strip())
    return cells


@pytest.fixture(scope="module")
def hits(search_index_dir):
    result = run(search_index_dir, "search", QUERY, "-n", 4, "--json", "--cite")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["results"]


# --- search --cite ----------------------------------------------------------------------------------


def test_cite_adds_only_a_citation_field(hits, search_index):
    from searchdocs.search.citation import cite

    assert len(hits) >= 3
    for hit in hits:
        assert set(hit) == HIT_KEYS | {"citation"}
        assert hit["citation"] == cite(hit["section"], search_index.record(hit["doc_id"]).meta).text
    quydinh = next(h for h in hits if h["number"] == "294-QĐ/TW")
    assert " Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương" in quydinh["citation"]


def test_cite_piped_is_the_last_column(search_index_dir, hits):
    result = run(search_index_dir, "search", QUERY, "-n", 4, "--cite")
    lines = result.stdout.splitlines()
    assert [line.split("\t")[-1] for line in lines] == [h["citation"] for h in hits]
    assert not ANSI.search(result.stdout)


def test_cite_jsonl(search_index_dir, hits):
    result = run(search_index_dir, "search", QUERY, "-n", 4, "--jsonl", "--cite")
    assert [json.loads(line)["citation"] for line in result.stdout.splitlines()] == [h["citation"] for h in hits]


# --- exports ----------------------------------------------------------------------------------------


def test_csv_parses_back(search_index_dir, hits):
    result = run(search_index_dir, "search", QUERY, "-n", 4, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == RESULT_COLUMNS
    assert len(rows) == len(hits) + 1
    for row, hit in zip(rows[1:], hits):
        assert row == [hit["citation"], hit["title"] or "", hit["section"],
                       "" if hit["page"] is None else str(hit["page"]), hit["snippet"]]


def test_markdown_table_parses_back(search_index_dir, hits):
    result = run(search_index_dir, "search", QUERY, "-n", 4, "--format", "md")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert md_row(lines[0]) == list(RESULT_COLUMNS)
    assert re.fullmatch(r"\|(---\|){5}", lines[1])
    rows = [md_row(line) for line in lines[2:]]
    assert [r[0] for r in rows] == [h["citation"] for h in hits]
    assert [r[4] for r in rows] == [" ".join(h["snippet"].split()) for h in hits]


def test_markdown_cell_escapes_pipes_and_backslashes():
    text = r"a | b \ c \| d"
    assert md_row("| " + md_cell(text) + " | x |") == [text, "x"]


def test_export_without_hits_is_just_a_header(search_index_dir):
    result = run(search_index_dir, "search", "zzqxxv", "--format", "csv")
    assert result.exit_code == 1
    assert list(csv.reader(io.StringIO(result.stdout))) == [list(RESULT_COLUMNS)]


def test_show_markdown_has_a_section_per_passage(search_index_dir):
    as_json = json.loads(run(search_index_dir, "show", "294-QĐ/TW", "--section", "2", "--json").stdout)
    result = run(search_index_dir, "show", "294-QĐ/TW", "--section", "2", "--format", "md", "--cite")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# Quy định 294-QĐ/TW — Thi hành Điều lệ Đảng"
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert [h.split(" — ")[0] for h in headings] == [p["section"] for p in as_json["passages"]]
    assert "> mục 2.1 Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương " \
           "(thi hành Điều 3 Điều lệ Đảng)" in lines
    # "2. Điều 3: …" must not become a Markdown ordered list
    assert "2\\. Điều 3: Về quyền của đảng viên  " in lines


# --- show: citation, highlighting, paging, --open ----------------------------------------------------


def test_show_cite_text(search_index_dir):
    result = run(search_index_dir, "show", "06-HD/TW", "--section", "18.5", "--cite", env={"LANGUAGE": "vi"})
    assert result.exit_code == 0
    assert "Trích dẫn: mục 18.5 Hướng dẫn số 06-HD/TW ngày 09/6/2025 của Ban Bí thư" in result.stdout


@pytest.fixture
def pager_calls(monkeypatch):
    calls = []

    @contextlib.contextmanager
    def pager(self, *args, **kwargs):
        calls.append(kwargs)
        yield

    monkeypatch.setattr(Console, "pager", pager)
    return calls


def test_piped_show_is_never_paged(search_index_dir, pager_calls):
    result = run(search_index_dir, "show", "294-QĐ/TW", "--query", QUERY)
    assert result.exit_code == 0
    assert pager_calls == []
    assert not ANSI.search(result.stdout)
    assert "Điều 3: Về quyền của đảng viên" in result.stdout


def test_show_on_a_terminal_is_paged(search_index_dir, pager_calls, monkeypatch):
    monkeypatch.setattr(Env, "is_tty", lambda self: True)
    result = run(search_index_dir, "show", "294-QĐ/TW", "--section", "2.1")
    assert result.exit_code == 0
    assert pager_calls == [{"styles": True}]


def test_query_words_are_highlighted_folded():
    text = "2. Điều 3: Về quyền của đảng viên. Đảng viên được"
    spans = highlight_spans(text, "quyen dang vien")
    assert [text[s:e] for s, e in spans] == ["quyền", "đảng", "viên", "Đảng", "viên"]


def test_show_renders_highlights_on_a_terminal(search_index):
    rec = search_index.find_document("294-QĐ/TW")
    passage = next(p for p in search_index.passages(rec.doc_id) if p["section"] == "2.1 (Điều 3)")
    refs = search_index.references(rec.doc_id)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, color_system="standard", width=100)
    output.render_document(console, rec, [passage], refs, relations=False,
                           spans=[highlight_spans(passage["body"], "quyen")])
    assert "\x1b[1;33mquyền\x1b[0m" in buf.getvalue()


def test_open_without_an_opener_says_so(search_index_dir):
    result = run(search_index_dir, "show", "294-QĐ/TW", "--open", env={"PATH": ""})
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no program to open files with (xdg-open or open) is available" in lines[0]
    assert "sotay_quydinh294.pdf" in lines[0]


# --- shell completion -------------------------------------------------------------------------------


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _searchdocs_completion searchdocs"),
                                           ("zsh", "#compdef searchdocs"),
                                           ("fish", "complete --no-files --command searchdocs")])
def test_completion_script(shell, marker):
    result = CliRunner().invoke(cli, [], prog_name="searchdocs", env={"_SEARCHDOCS_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert marker in result.stdout


def test_completion_completes_commands_and_options():
    env = {"_SEARCHDOCS_COMPLETE": "bash_complete", "COMP_WORDS": "searchdocs sh", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli, [], prog_name="searchdocs", env=env)
    assert "plain,show" in result.stdout.splitlines()
    env = {"_SEARCHDOCS_COMPLETE": "bash_complete", "COMP_WORDS": "searchdocs search --for", "COMP_CWORD": "2"}
    result = CliRunner().invoke(cli, [], prog_name="searchdocs", env=env)
    assert "plain,--format" in result.stdout.splitlines()
