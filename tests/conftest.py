"""Shared test fixtures. Sections are appended by the engineers who need them."""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import pytest


# --- Real documents from the shared reference folder (structure, metadata, relations tests) ---------
# Text is read here with pypdf and python-docx directly, not through searchdocs.extract, so that these
# tests depend only on the modules they test. PDF pages are cached one by one (pypdf is slow on the
# 35–49 page Party PDFs); "edges" loads the first page and the last two, where header and signature are.

SHARED_DOCUMENTS = Path(__file__).parents[1].parent / "shared" / "documents"
_DOCX_LONG_CELL = 3  # as extraction does: a row of cells this short becomes one line joined by " | "


@functools.cache
def _pdf_reader(path: Path):  # -> pypdf.PdfReader
    from pypdf import PdfReader

    return PdfReader(path)


@functools.cache
def _pdf_page(path: Path, number: int):  # -> searchdocs.models.Page
    from searchdocs.models import Page
    from searchdocs.documents.normalize import clean_text

    return Page(number, clean_text(_pdf_reader(path).pages[number - 1].extract_text() or ""))


def _docx_lines(path: Path, layout: str) -> list[str]:
    """Paragraphs and table cells in document order.

    layout "cells": every paragraph of every cell on its own line (cell after cell, row after row).
    layout "rows": what searchdocs extraction documents: a row of short cells becomes one line, each
    cell's lines joined by spaces and cells by " | "; a row with a long cell keeps its lines.
    """
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            seen: set[object] = set()
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        cells.append([line for p in cell.paragraphs for line in p.text.split("\n")])
                if layout == "cells":
                    lines += [text for cell in cells for text in cell]
                    continue
                cells = [[t.strip() for t in cell if t.strip()] for cell in cells]
                cells = [cell for cell in cells if cell]
                if any(len(cell) > _DOCX_LONG_CELL for cell in cells):
                    lines += [text for cell in cells for text in cell]
                elif cells:
                    lines.append(" | ".join(" ".join(cell) for cell in cells))
    return lines


@functools.cache
def shared_pages(name: str, which: str = "all", layout: str = "cells") -> tuple:
    """Pages of ``documents/<name>`` as clean text: all PDF pages or only the "edges"; one
    unnumbered page for DOCX."""
    from searchdocs.models import Page
    from searchdocs.documents.normalize import clean_text

    path = SHARED_DOCUMENTS / name
    if path.suffix == ".docx":
        return (Page(None, clean_text("\n".join(_docx_lines(path, layout)))),)
    count = len(_pdf_reader(path).pages)
    numbers = range(1, count + 1) if which == "all" else sorted({1, max(1, count - 1), count})
    return tuple(_pdf_page(path, n) for n in numbers)


@pytest.fixture(scope="session")
def shared_document():
    """``shared_pages(name, which="all"|"edges", layout="cells"|"rows")``; skips without the shared folder."""
    if not SHARED_DOCUMENTS.is_dir():
        pytest.skip(f"shared reference documents not found at {SHARED_DOCUMENTS}")
    return shared_pages


# --- One small real index shared by the search, query and CLI tests (test_search/test_query/test_cli) ----
# Built once per session from a subset of corpus/: the Party PDFs (294-QĐ/TW, both exports of 06-HD/TW,
# the Hà Nội Hướng dẫn with a blank number), two laws as DOCX and one scanned PDF without a text layer.

CORPUS = Path(__file__).parents[1] / "corpus"
SEARCH_FIXTURE_FILES = (
    "sotay_quydinh294.pdf",
    "sotay_huongdan06_v1.pdf",
    "sotay_huongdan06_v2.pdf",
    "sotay_huongdan21.pdf",
    "ragluat_LUATANNINHMANG.docx",
    "ragluat_LUATTRITUENHANTAO.docx",
    "hc-sct-vn__CV-813-CucHoaChat.pdf",  # scanned: no text layer
)


@pytest.fixture(scope="session")
def search_index_dir(tmp_path_factory) -> Path:
    """Directory of an index of SEARCH_FIXTURE_FILES, built once per test session."""
    import searchdocs

    directory = tmp_path_factory.mktemp("search-index") / "index"
    report = searchdocs.index_paths(directory, [CORPUS / name for name in SEARCH_FIXTURE_FILES], jobs=1)
    assert not report.failed, report.failed
    assert len(report.indexed) == len(SEARCH_FIXTURE_FILES)
    return directory


@pytest.fixture(scope="session")
def search_index(search_index_dir):
    """The session's fixture index, opened for searching (read-only; do not write to it)."""
    import searchdocs

    ix = searchdocs.open_index(search_index_dir)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def search_doc_ids(search_index) -> dict[str, str]:
    """File name (as in SEARCH_FIXTURE_FILES) -> doc_id in the fixture index."""
    return {Path(r.path).name: r.doc_id for r in search_index.records()}


# --- Every Party document of corpus/, both exports of each (filters, refs, versions, stats tests) ------
# test_filters/test_graph. The search fixture index above plus the three Party PDFs it leaves out
# (38-HD/BTCTW in two exports and the Hà Nội Hướng dẫn with a blank number): the search index is
# copied and only the new files are extracted, so the session pays for them once.

PARTY_EXTRA_FILES = ("sotay_hd38.pdf", "sotay_huongdan38_v1.pdf", "sotay_huongdan.pdf")


@pytest.fixture(scope="session")
def party_index_dir(search_index_dir, tmp_path_factory) -> Path:
    """Directory of SEARCH_FIXTURE_FILES + PARTY_EXTRA_FILES, built once per session (read-only)."""
    import shutil

    import searchdocs

    directory = tmp_path_factory.mktemp("party-index") / "index"
    shutil.copytree(search_index_dir, directory)
    report = searchdocs.index_paths(directory, [CORPUS / name for name in PARTY_EXTRA_FILES], jobs=2)
    assert not report.failed, report.failed
    assert sorted(Path(p).name for p in report.indexed) == sorted(PARTY_EXTRA_FILES)
    return directory


@pytest.fixture(scope="session")
def party_index(party_index_dir):
    """The party fixture index, opened for searching (read-only)."""
    import searchdocs

    ix = searchdocs.open_index(party_index_dir)
    yield ix
    ix.close()


@pytest.fixture(scope="session")
def party_txt():
    """``party_txt(folder, name, number, type_caps, date, subject, body, authority="BỘ CHÍNH TRỊ")``:
    write a small Party document as .txt (header, title, body, signature) and return its path.
    ``date`` is (day, month, year)."""
    def write(folder: Path, name: str, number: str, type_caps: str, date: tuple[int, int, int], subject: str,
              body: str, authority: str = "BỘ CHÍNH TRỊ", signer: str = "Tô Lâm") -> Path:
        day, month, year = date
        text = (f"BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nSố {number}\nĐẢNG CỘNG SẢN VIỆT NAM\n"
                f"Hà Nội, ngày {day:02d} tháng {month} năm {year}\n\n{type_caps}\n{subject}\n\n{body.strip()}\n\n"
                f"T/M {authority}\nNơi nhận:\n- Các tỉnh ủy, thành ủy,\n- Lưu Văn phòng Trung ương Đảng.\n"
                f"TỔNG BÍ THƯ\n{signer}\n")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# --- A real OpenSearch cluster (tools/opensearch.sh), started once per session --------------------------
# Without Java or Maven the tests that need it skip, saying so; under CI (CI=true) that is a failure.

OPENSEARCH_SCRIPT = Path(__file__).parents[1] / "tools" / "opensearch.sh"


def _free_port_base(nodes: int) -> int:
    """A base port from 9200 up whose HTTP (base …) and transport (base+100 …) ports are all free."""
    import socket

    for base in range(9200, 9400, 10):
        ports = [base + k for k in range(nodes)] + [base + 100 + k for k in range(nodes)]
        try:
            for port in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for OpenSearch between 9200 and 9400")


def require_java() -> None:
    """Skip, saying why, without Java or Maven; under CI (CI=true) fail instead."""
    import os
    import shutil

    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        reason = f"OpenSearch tests need {' and '.join(missing)} (Java 17 and Maven)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": under CI a missing cluster is a failure")
        pytest.skip(reason)


@contextlib.contextmanager
def running_cluster(nodes: int):
    """(URL, folder) of an OpenSearch cluster of ``nodes`` nodes on 127.0.0.1, stopped afterwards."""
    import shutil
    import subprocess
    import tempfile

    require_java()
    # not under pytest's folders: they are closed to the unprivileged user the nodes run as
    folder = Path(tempfile.mkdtemp(prefix="searchdocs-opensearch-"))
    base = _free_port_base(nodes)
    started = subprocess.run(["bash", str(OPENSEARCH_SCRIPT), "start", "--nodes", str(nodes), "--dir", str(folder),
                              "--port", str(base)], capture_output=True, text=True, timeout=900)
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        yield started.stdout.strip().splitlines()[-1], folder
    finally:
        subprocess.run(["bash", str(OPENSEARCH_SCRIPT), "stop", "--dir", str(folder)], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def opensearch_cluster():
    """(URL, folder) of a 2-node OpenSearch cluster on 127.0.0.1, stopped at the end of the session."""
    with running_cluster(2) as cluster:
        yield cluster
