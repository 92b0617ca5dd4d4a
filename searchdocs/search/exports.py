"""Search results and documents as Markdown or CSV, for pasting into notes and spreadsheets.

Plain strings only (no rich): valid whether printed to a terminal or piped. Markdown cells escape
``\\`` and ``|`` so that a table row splits on its unescaped ``|`` only.
"""
from __future__ import annotations

import csv
import io
import re

from searchdocs.models import SearchResult

RESULT_COLUMNS = ("citation", "title", "section", "page", "snippet")


def _rows(result: SearchResult, citations: list[str]) -> list[list[str]]:
    return [[cite, hit.title or "", hit.section or "", "" if hit.page is None else str(hit.page),
             " ".join(hit.snippet.split())] for hit, cite in zip(result.hits, citations)]


def results_csv(result: SearchResult, citations: list[str]) -> str:
    """A header line and one row per hit, quoted as the csv module does."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    writer.writerows(_rows(result, citations))
    return out.getvalue()


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: one line, backslashes and pipes escaped."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def results_markdown(result: SearchResult, citations: list[str]) -> str:
    lines = ["| " + " | ".join(RESULT_COLUMNS) + " |", "|" + "---|" * len(RESULT_COLUMNS)]
    for row in _rows(result, citations):
        lines.append("| " + " | ".join(md_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def _md_text(body: str) -> str:
    """A passage's text as Markdown: its lines kept (hard breaks), marks that would start a list,
    heading or quote escaped ("1. …", "- …", "# …" stay literal text)."""
    out = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line[0] in "#>+*-=":
            line = "\\" + line
        else:
            line = _ORDERED.sub(r"\1\\\2", line, count=1)
        out.append(line.replace("|", "\\|"))
    return "  \n".join(out)


_ORDERED = re.compile(r"^(\d+)([.)])")


def document_markdown(meta: dict, path: str, passages: list[dict], citations: list[str] | None = None) -> str:
    """A document as Markdown: a heading, its metadata as a list, then one section per passage."""
    name = " ".join(x for x in (meta.get("doc_type"), meta.get("number")) if x) or path
    lines = [f"# {md_cell(name)}" + (f" — {md_cell(meta['title'])}" if meta.get("title") else ""), ""]
    for label, key in (("Số/ký hiệu", "number"), ("Loại", "doc_type"), ("Cơ quan ban hành", "issuer"),
                       ("Ngày", "date"), ("Trích yếu", "title"), ("Người ký", "signer")):
        if meta.get(key):
            lines.append(f"- **{label}:** {md_cell(str(meta[key]))}")
    lines.append(f"- **Tệp:** `{path}`")
    for i, p in enumerate(passages):
        where = p["section"] or "(mở đầu)"
        if p.get("page") is not None:
            where += f" — tr. {p['page']}"
        lines += ["", f"## {md_cell(where)}", ""]
        if citations:
            lines += [f"> {md_cell(citations[i])}", ""]
        lines.append(_md_text(p["body"]))
    return "\n".join(lines) + "\n"
