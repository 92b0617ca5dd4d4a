"""Rendering library results for people (rich or plain text) and for scripts (JSON, JSONL, TREC).

JSON shapes here are the stable interface for scripts: fields are only ever added.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .models import Hit, IndexReport, SearchResult


def hit_to_dict(hit: Hit) -> dict:
    return {
        "rank": hit.rank, "score": hit.score, "doc_id": hit.doc_id, "path": hit.path,
        "number": hit.number, "doc_type": hit.doc_type, "title": hit.title, "date": hit.date,
        "section": hit.section, "page": hit.page, "snippet": hit.snippet, "other_hits": hit.other_hits,
    }


def result_to_dict(result: SearchResult) -> dict:
    return {"query": result.query, "total": result.total, "results": [hit_to_dict(h) for h in result.hits]}


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def trec_lines(qid: str, result: SearchResult, tag: str = "searchdocs") -> Iterable[str]:
    """TREC run lines; a JSONL record's own id stands for the document when it has one."""
    for h in result.hits:
        yield f"{qid} Q0 {h.record_id or h.doc_id} {h.rank} {h.score} {tag}"


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _where(hit: Hit) -> str:
    parts = [hit.section] if hit.section else []
    if hit.page is not None:
        parts.append(f"tr. {hit.page}")
    return ", ".join(parts) or "—"


def _heading(hit: Hit) -> str:
    ident = " ".join(x for x in (hit.doc_type, hit.number) if x) or display_path(hit.path)
    if hit.date:
        ident += f" ({hit.date})"
    return ident


def render_results(console: Console, result: SearchResult) -> None:
    """Results for a terminal: one block per document, matched words highlighted."""
    if not result.hits:
        console.print(f"No results for [bold]{result.query}[/].", highlight=False)
        return
    for hit in result.hits:
        head = Text(f"{hit.rank:>2}. ", style="bold")
        head.append(_heading(hit), style="bold cyan")
        if hit.title:
            head.append(f" — {hit.title}")
        console.print(head)
        where = Text("    ")
        where.append(_where(hit), style="green")
        if hit.other_hits:
            where.append(f"  (+{hit.other_hits} more passages)", style="dim")
        where.append(f"  {display_path(hit.path)}", style="dim")
        console.print(where)
        snip = Text("    " + hit.snippet)
        for s, e in hit.highlights:
            snip.stylize("bold yellow", s + 4, e + 4)
        console.print(snip)
    console.print(Text(f"{len(result.hits)} of {result.total} matching documents", style="dim"))


def plain_results(result: SearchResult) -> Iterable[str]:
    """Results when piped: one tab-separated line per document, nothing but text."""
    for hit in result.hits:
        yield "\t".join([str(hit.rank), _heading(hit), _where(hit), display_path(hit.path), hit.snippet])


def render_report(console: Console, report: IndexReport) -> None:
    console.print(
        f"indexed {len(report.indexed)}, unchanged {len(report.unchanged)}, failed {len(report.failed)}"
        f" — {report.documents} documents, {report.passages} passages in the index"
        f" ({report.seconds:.1f} s)", highlight=False)
    for f in report.failed:
        console.print(Text(f"failed: {display_path(f.path)}: {f.reason}", style="red"))
    for w in report.warnings:
        console.print(Text(f"warning: {display_path(w.path)}: {w.reason}", style="yellow"))


def report_to_dict(report: IndexReport) -> dict:
    return {
        "indexed": len(report.indexed), "unchanged": len(report.unchanged), "failed": len(report.failed),
        "documents": report.documents, "passages": report.passages, "seconds": round(report.seconds, 3),
        "failures": [{"path": f.path, "reason": f.reason} for f in report.failed],
        "warnings": [{"path": w.path, "reason": w.reason} for w in report.warnings],
        "files": {"indexed": report.indexed, "unchanged": report.unchanged},
    }


def document_table(facts: dict, path: str, doc_id: str) -> Table:
    """A two-column table of a document's metadata for ``show``."""
    meta = facts["meta"]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("Số/ký hiệu", meta.get("number") or ("(trống)" if meta.get("number_missing") else None)),
        ("Loại", meta.get("doc_type")), ("Cơ quan ban hành", meta.get("issuer")),
        ("Ngày", meta.get("date")), ("Nơi ban hành", meta.get("place")), ("Trích yếu", meta.get("title")),
        ("Người ký", meta.get("signer")), ("Thẩm quyền ký", meta.get("signing_authority")),
        ("Trang", str(facts.get("pages")) if facts.get("pages") else None),
        ("Chuyển mã từ", facts.get("converted_from")), ("Mã", doc_id), ("Tệp", display_path(path)),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, str(value))
    return table


def make_console(stream, force_plain: bool = False) -> Console:
    """A console on ``stream``; colour only for a terminal and never with NO_COLOR."""
    return Console(file=stream, no_color=force_plain or bool(os.environ.get("NO_COLOR")),
                   highlight=False, soft_wrap=not getattr(stream, "isatty", lambda: False)())
