"""Rendering library results for people (rich or plain text) and for scripts (JSON, JSONL, TREC).

JSON shapes here are the stable interface for scripts: fields are only ever added.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from searchdocs.errors import N_
from searchdocs.documents.graph import AMENDED, EXPIRED, IN_FORCE, KIND_LABELS, PARTLY_REPEALED, REPEALED, REPLACED
from searchdocs.interface.i18n import _, error_text, ngettext
from searchdocs.documents.relations import BAI_BO, CAN_CU, HET_HIEU_LUC, HUONG_DAN, SUA_DOI, THAM_CHIEU, THAY_THE
from searchdocs.models import (Explanation, Hit, IndexReport, IndexStats, Reference, References, SearchResult, Status,
                     Version)

if TYPE_CHECKING:  # rich is imported by the functions that draw, so that plain output never loads it
    from rich.console import Console
    from rich.table import Table

BAR_WIDTH = 30  # characters of the longest bar in `stats`
INDENT = 4  # columns of a result's lines under its heading


def hit_to_dict(hit: Hit) -> dict:
    return {
        "rank": hit.rank, "score": hit.score, "doc_id": hit.doc_id, "path": hit.path,
        "number": hit.number, "doc_type": hit.doc_type, "title": hit.title, "date": hit.date,
        "section": hit.section, "page": hit.page, "snippet": hit.snippet, "other_hits": hit.other_hits,
        "issuer": hit.issuer, "status": hit.status.code if hit.status else None,
        "status_detail": status_to_dict(hit.status), "versions": versions_to_list(hit.versions),
        **({"explain": explanation_to_dict(hit.explain)} if hit.explain else {}),
    }


def explanation_to_dict(e: Explanation) -> dict:
    return {"first_stage": round(e.first_stage, 4), "rerank_score": round(e.rerank_score, 4), "reranked": e.reranked,
            "features": {k: round(v, 4) for k, v in e.features.items()},
            "contributions": {k: round(v, 4) for k, v in e.contributions.items()}}


def explanation_text(e: Explanation) -> str:
    """One line: the two scores, then each feature's value and contribution, largest effect first."""
    parts = sorted(e.contributions, key=lambda k: -abs(e.contributions[k]))
    state = _("reranked") if e.reranked else _("not reranked")
    return (_("first stage {first}, model {model} ({state}):").format(first=f"{e.first_stage:.3f}",
                                                                     model=f"{e.rerank_score:+.3f}", state=state)
            + " " + ", ".join(f"{k}={e.features[k]:.3f} ({e.contributions[k]:+.3f})" for k in parts))


def versions_to_list(versions: list[Version]) -> list[dict]:
    return [{"doc_id": v.doc_id, "path": v.path} for v in versions]


def status_to_dict(status: Status | None) -> dict | None:
    if status is None:
        return None
    return {
        "code": status.code, "label": status.label, "in_force": status.in_force, "source": status.source,
        "note": status.note,
        "by": [{"kind": e.kind, "label": KIND_LABELS.get(e.kind, e.kind), "number": e.number, "doc_id": e.doc_id,
                "path": e.path, "sentence": e.sentence, "partial": e.partial} for e in status.evidence],
    }


def result_to_dict(result: SearchResult) -> dict:
    return {"query": result.query, "total": result.total, "unknown_numbers": result.unknown_numbers,
            "unmatched_filters": result.unmatched_filters, "results": [hit_to_dict(h) for h in result.hits]}


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


# What the terminal shows for a relation kind or a validity status. JSON keeps the codes and the
# Vietnamese labels of graph.py (data); these are the interface's words, English msgids.
KIND_TEXT = {
    CAN_CU: N_("Based on"), SUA_DOI: N_("Amends"), THAY_THE: N_("Replaces"), BAI_BO: N_("Repeals"),
    HUONG_DAN: N_("Guides the implementation of"), HET_HIEU_LUC: N_("Declares expired"),
    THAM_CHIEU: N_("Refers to"),
}
STATUS_TEXT = {
    IN_FORCE: N_("In force"), AMENDED: N_("In force, amended"), PARTLY_REPEALED: N_("In force, partly repealed"),
    REPLACED: N_("No longer in force: replaced"), REPEALED: N_("No longer in force: repealed"),
    EXPIRED: N_("No longer in force"),
}


def kind_label(kind: str) -> str:
    return _(KIND_TEXT[kind]) if kind in KIND_TEXT else kind


def status_label(code: str | None) -> str | None:
    """A status code in the interface language (an unknown code as it is)."""
    return _(STATUS_TEXT[code]) if code in STATUS_TEXT else code


def _page(page) -> str:
    return _("p. {page}").format(page=page)


def _overridden(status: Status) -> str:
    return _(" (per the overrides file)") if status.source == "override" else ""


def _where(hit: Hit) -> str:
    parts = [hit.section] if hit.section else []
    if hit.page is not None:
        parts.append(_page(hit.page))
    return ", ".join(parts) or "—"


def _heading(hit: Hit) -> str:
    ident = " ".join(x for x in (hit.doc_type, hit.number) if x) or display_path(hit.path)
    if hit.date:
        ident += f" ({hit.date})"
    return ident


def _versions_note(versions: list[Version]) -> str:
    n = len(versions)
    return ngettext("{n} version", "{n} versions", n).format(n=n) if n > 1 else ""


def _status_note(status: Status | None) -> str:
    """The status when it is worth a reader's attention: anything but plainly in force."""
    if status is None or status.code == "in_force":
        return ""
    return status_label(status.code)


def _status_style(status: Status | None) -> str:
    if status is None:
        return ""
    return "green" if status.code == "in_force" else "yellow" if status.in_force else "bold red"


def _plain_heading(hit: Hit) -> str:
    extra = [x for x in (_status_note(hit.status), _versions_note(hit.versions)) if x]
    return _heading(hit) + (f" [{'; '.join(extra)}]" if extra else "")


def unknown_numbers_note(result: SearchResult) -> str | None:
    """What to say first when the query names a number that no indexed document has."""
    if not result.unknown_numbers:
        return None
    numbers = ", ".join(result.unknown_numbers)
    if result.hits:
        return ngettext("no indexed document has the number {numbers}; showing what mentions it or matches "
                        "the other words", "no indexed document has the numbers {numbers}; showing what "
                        "mentions them or matches the other words", len(result.unknown_numbers)).format(numbers=numbers)
    return ngettext("no indexed document has the number {numbers}", "no indexed document has the numbers {numbers}",
                    len(result.unknown_numbers)).format(numbers=numbers)


def unmatched_filters_note(result: SearchResult) -> str | None:
    """What to say when a filtered search finds nothing because a filter value matches no document."""
    if not result.unmatched_filters:
        return None
    return _("no indexed document matches {filters}").format(filters=", ".join(result.unmatched_filters))


def render_results(console: Console, result: SearchResult, citations: list[str] | None = None,
                   first: int = 1) -> None:
    """Results for a terminal: one block per document, matched words highlighted; with
    ``citations`` (one per hit), each block ends with its citation. ``first``: the rank of the
    first hit given (the shell's ``:more`` shows a later page)."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    note = unknown_numbers_note(result)
    if note:
        console.print(Text(note, style="yellow"))
    if not result.hits:
        if unmatched_filters_note(result):
            console.print(Text(unmatched_filters_note(result), style="yellow"))
        if result.listing:
            console.print(_("No documents match the filters."), highlight=False)
        else:
            before, _sep, after = _("No results for {query}.").partition("{query}")
            console.print(Text.assemble(before, (result.query, "bold"), after))
        return
    if result.listing:
        render_listing(console, result, first)
        return
    for hit in result.hits:
        head = Text(_heading(hit), style="bold cyan")
        if hit.title:
            head.append(f" — {hit.title}")
        if _status_note(hit.status):
            head.append(f"  [{_status_note(hit.status)}]", style=_status_style(hit.status))
        row = Table.grid()  # the rank, then the heading; its wrapped lines under the heading
        row.add_column(no_wrap=True)
        row.add_column()
        row.add_row(Text(f"{hit.rank:>2}. ", style="bold"), head)
        console.print(row)
        where = Text()
        where.append(_where(hit), style="green")
        if hit.other_hits:
            where.append("  " + ngettext("(+{n} more passage)", "(+{n} more passages)", hit.other_hits)
                         .format(n=hit.other_hits), style="dim")
        if len(hit.versions) > 1:
            where.append(f"  {_versions_note(hit.versions)}", style="magenta")
        where.append(f"  {display_path(hit.path)}", style="dim")
        console.print(Padding(where, (0, 0, 0, INDENT)))  # wrapped lines stay under the indent
        snip = Text(hit.snippet)
        for s, e in hit.highlights:
            snip.stylize("bold yellow", s, e)
        console.print(Padding(snip, (0, 0, 0, INDENT)))
        if citations:
            console.print(Padding(Text(_("Citation: "), style="dim") + Text(citations[hit.rank - first], style="italic"),
                                  (0, 0, 0, INDENT)))
        if hit.explain:
            console.print(Padding(Text(explanation_text(hit.explain), style="dim"), (0, 0, 0, INDENT)))
    console.print(Text(_matching(result, first), style="dim"))


def _matching(result: SearchResult, first: int = 1) -> str:
    """The footer: how many documents are shown of how many match (a later page by its ranks)."""
    if first > 1:
        return ngettext("{first}–{last} of {total} matching document", "{first}–{last} of {total} matching documents",
                        result.total).format(first=first, last=first + len(result.hits) - 1, total=result.total)
    return ngettext("{shown} of {total} matching document", "{shown} of {total} matching documents",
                    result.total).format(shown=len(result.hits), total=result.total)


def render_listing(console: Console, result: SearchResult, first: int = 1) -> None:
    """Documents a filter selects, as a table newest first."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for name, kwargs in (("#", {"justify": "right"}), (N_("Number"), {"style": "cyan", "no_wrap": True}),
                         (N_("Type"), {}), (N_("Date"), {"no_wrap": True}), (N_("Issuer"), {}),
                         (N_("Summary"), {"ratio": 1}), (N_("Validity"), {}),
                         (N_("File"), {"style": "dim", "overflow": "fold"})):
        table.add_column(_(name) if name != "#" else name, **kwargs)
    for hit in result.hits:
        where = display_path(hit.path)
        if len(hit.versions) > 1:
            where += f" ({_versions_note(hit.versions)})"
        status = Text(status_label(hit.status.code) if hit.status else "", style=_status_style(hit.status))
        table.add_row(str(hit.rank), hit.number or "—", hit.doc_type or "—", hit.date or "—", hit.issuer or "—",
                      hit.title or "", status, where)
    console.print(table)
    console.print(Text(_matching(result, first), style="dim"))


def plain_results(result: SearchResult, citations: list[str] | None = None) -> Iterable[str]:
    """Results when piped: one tab-separated line per document, nothing but text; with
    ``citations``, the citation is one more column at the end."""
    for hit in result.hits:
        cols = [str(hit.rank), _plain_heading(hit), _where(hit), display_path(hit.path), hit.snippet]
        cols += [citations[hit.rank - 1]] if citations else []
        yield "\t".join(cols + ([explanation_text(hit.explain)] if hit.explain else []))


def _report_counts(report: IndexReport) -> list[tuple[str, str]]:
    """The counts of a run, in the order a person reads them; each file is in exactly one of them,
    so they add up to the files seen. A real run says what was indexed (of which new, changed); a
    dry run what would be."""
    would = report.dry_run
    split = ", ".join(f"{_(name)} {n}" for name, n in ((N_("new"), len(report.new)),
                                                      (N_("changed"), len(report.changed))) if n)
    rows: list[tuple[str, int | str]] = [] if would else [
        (N_("indexed"), f"{len(report.indexed)} ({split})" if split else len(report.indexed))]
    if would:
        rows += [(N_("new"), len(report.new)), (N_("changed"), len(report.changed))]
    rows += [
        (N_("moved"), len(report.moved)),
        (N_("removed") if not would else N_("to remove"), len(report.removed)),
        (N_("gone (use --prune)"), len(report.missing)), (N_("unchanged"), len(report.unchanged)),
        (N_("copies"), len(report.copies)), (N_("failed"), len(report.failed)),
    ]
    always = ("unchanged", "failed") if would else ("indexed", "unchanged", "failed")
    return [(_(name), str(n)) for name, n in rows if (n if isinstance(n, int) else True) or name in always]


def _documents(n: int) -> str:
    return ngettext("{n} document", "{n} documents", n).format(n=n)


def _passages(n: int) -> str:
    return ngettext("{n} passage", "{n} passages", n).format(n=n)


def render_report(console: Console, report: IndexReport, err: Console | None = None) -> None:
    """The summary of an indexing run on ``console``; failures, warnings and notes on ``err``
    (standard error; ``console`` when not given)."""
    from rich.text import Text

    err = err or console

    counts = ", ".join(f"{name} {n}" for name, n in _report_counts(report))
    if report.dry_run:
        console.print(_("dry run, nothing written: {counts} — the index has {documents}, {passages}").format(
            counts=counts, documents=_documents(report.documents), passages=_passages(report.passages)),
            highlight=False)
        for line, paths in ((N_("new: {path}"), report.new), (N_("changed: {path}"), report.changed),
                            (N_("remove: {path}") if report.removed else N_("gone: {path}"),
                             report.removed or report.missing)):
            for p in paths:
                console.print(Text(_(line).format(path=display_path(p))))
        for old, new in report.moved:
            console.print(Text(_("move: {old} → {new}").format(old=display_path(old), new=display_path(new))))
    else:
        rate = (len(report.indexed) / report.seconds) if report.seconds and report.indexed else 0.0
        speed = _(", {rate} files/s").format(rate=f"{rate:.2f}") if rate else ""
        console.print(_("{counts} — {documents}, {passages} in the index ({seconds} s{speed})")
                      .format(counts=counts, documents=_documents(report.documents),
                              passages=_passages(report.passages),
                              seconds=f"{report.seconds:.1f}", speed=speed), highlight=False)
        for old, new in report.moved:
            console.print(Text(_("moved: {old} → {new}").format(old=display_path(old), new=display_path(new)),
                               style="dim"))
        for p in report.removed:
            console.print(Text(_("removed: {path}").format(path=display_path(p)), style="dim"))
        for p in report.missing:
            console.print(Text(_("gone: {path} (still indexed; run with --prune to remove)").format(
                path=display_path(p)), style="yellow"))
    for f in report.failed:
        err.print(Text(_("failed: {path}: {reason}").format(path=display_path(f.path), reason=error_text(f.reason)),
                       style="red"))
    for w in report.warnings:
        err.print(Text(_("warning: {path}: {reason}").format(path=display_path(w.path),
                                                             reason=error_text(w.reason)), style="yellow"))
    for note in report.notes:
        err.print(Text(_("note: {note}").format(note=error_text(note)), style="yellow"))


def report_to_dict(report: IndexReport) -> dict:
    return {
        "dry_run": report.dry_run,
        "indexed": len(report.indexed), "unchanged": len(report.unchanged), "failed": len(report.failed),
        "new": len(report.new), "changed": len(report.changed), "moved": len(report.moved),
        "copies": len(report.copies),
        "removed": len(report.removed), "missing": len(report.missing),
        "documents": report.documents, "passages": report.passages, "seconds": round(report.seconds, 3),
        "files_per_second": round(len(report.indexed) / report.seconds, 3) if report.seconds else None,
        "jobs": report.jobs,
        "failures": [{"path": f.path, "reason": f.reason} for f in report.failed],
        "warnings": [{"path": w.path, "reason": w.reason} for w in report.warnings],
        "notes": report.notes,
        "files": {"indexed": report.indexed, "unchanged": report.unchanged, "new": report.new,
                  "changed": report.changed, "removed": report.removed, "missing": report.missing,
                  "moved": [{"from": old, "to": new} for old, new in report.moved], "copies": report.copies},
    }


def check_to_dict(report) -> dict:
    """``searchdocs check --json``: a CheckReport (searchdocs.models) as plain data."""
    return {
        "index": report.index, "status": report.status, "exit_code": report.exit_code,
        "documents": report.documents, "passages": report.passages, "files": report.files,
        "segments": report.segments, "deleted_pending": report.deleted_pending,
        "up_to_date": report.up_to_date, "changed": report.changed, "vanished": report.vanished,
        "unreadable": report.unreadable, "orphan_passages": report.orphan_passages,
        "missing_passages": report.missing_passages, "duplicate_ids": report.duplicate_ids,
        "damage": report.damage, "indexing": report.indexing, "seconds": round(report.seconds, 3),
    }


_VERDICT = {
    "healthy": (N_("healthy"), "green", None),
    "stale": (N_("stale: files changed or gone"), "yellow",
              N_("run `searchdocs index` on their folders (with --prune to drop gone files)")),
    "damaged": (N_("damaged"), "red", N_("delete the index folder and run `searchdocs index` again")),
}


def render_check(console: Console, report) -> None:
    """A table of what ``searchdocs check`` counted and found, then the verdict and what to do."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column()
    n = len
    problems = [
        (ngettext("changed file", "changed files", n(report.changed)), report.changed, "yellow"),
        (ngettext("vanished file", "vanished files", n(report.vanished)), report.vanished, "yellow"),
        (ngettext("unreadable file", "unreadable files", n(report.unreadable)), report.unreadable, "yellow"),
        (ngettext("passage without a record", "passages without a record", n(report.orphan_passages)),
         report.orphan_passages, "red"),
        (ngettext("record missing passages", "records missing passages", n(report.missing_passages)),
         report.missing_passages, "red"),
        (ngettext("duplicated id", "duplicated ids", n(report.duplicate_ids)), report.duplicate_ids, "red"),
        (ngettext("unreadable part", "unreadable parts", n(report.damage)), report.damage, "red"),
    ]
    for name, value in ((ngettext("document", "documents", report.documents), report.documents),
                        (ngettext("passage", "passages", report.passages), report.passages),
                        (ngettext("file", "files", report.files), report.files), (_("up to date"), report.up_to_date),
                        (ngettext("segment", "segments", report.segments), report.segments)):
        table.add_row(name, str(value), "")
    for name, items, style in problems:
        if items:
            more = _(" (+{n} more)").format(n=len(items) - 1)
            first = display_path(str(items[0])) + (more if len(items) > 1 else "")
            table.add_row(Text(name, style=style), str(len(items)), Text(first, style="dim"))
    console.print(table)
    for name, items, style in problems:
        for item in items[1:20]:
            console.print(Text(f"{name}: {display_path(str(item))}", style="dim"))
    label, style, advice = _VERDICT[report.status]
    console.print(Text(_("index {path}: {verdict}").format(path=report.index, verdict=_(label)),
                       style=f"bold {style}"))
    if advice:
        console.print(Text(_(advice), style=style))
    if report.indexing:
        console.print(Text(_("note: an indexing run is writing this index now ({run}); "
                             "this check saw its last commit").format(run=report.indexing), style="yellow"))


def document_table(facts: dict, path: str, doc_id: str, status: Status | None = None,
                   versions: list[Version] | None = None) -> Table:
    """A two-column table of a document's metadata for ``show``."""
    from rich.table import Table

    meta = facts["meta"]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        (_("Number"), meta.get("number") or (_("(empty)") if meta.get("number_missing") else None)),
        (_("Type"), meta.get("doc_type")), (_("Issuer"), meta.get("issuer")),
        (_("Date"), meta.get("date")), (_("Place"), meta.get("place")), (_("Summary"), meta.get("title")),
        (_("Signer"), meta.get("signer")), (_("Signing authority"), meta.get("signing_authority")),
        (_("Pages"), str(facts.get("pages")) if facts.get("pages") else None),
        (_("Converted from"), facts.get("converted_from")), (_("ID"), doc_id), (_("File"), display_path(path)),
    ]
    others = [v for v in versions or [] if v.doc_id != doc_id]
    if others:
        rows.append((_("Other versions"), "; ".join(f"{display_path(v.path)} ({v.doc_id})" for v in others)))
    if status is not None:
        note = status_label(status.code) + (f" — {status.note}" if status.note else "")
        note += _overridden(status)
        rows.insert(8, (_("Validity"), note))
    for name, value in rows:
        if value:
            table.add_row(name, str(value))
    return table


def render_document(console: Console, rec, passages: list[dict], refs: References, *, relations: bool,
                    citations: list[str] | None = None,
                    spans: list[list[tuple[int, int]]] | None = None) -> None:
    """A document for ``show``: metadata, relations, then each passage under a rule, with its
    citation (``citations``) and the query's words highlighted (``spans``, one list per passage)."""
    from rich.text import Text

    console.print(document_table(rec.facts, rec.path, rec.doc_id, refs.status, refs.versions))
    if relations and (refs.cites or refs.cited_by):
        console.rule(_("Relations"), style="dim")
        render_references(console, refs, heading=False)
    for i, p in enumerate(passages):
        where = p["section"] or _("(preamble)")
        if p.get("page") is not None:
            where += " — " + _page(p["page"])
        console.rule(where, style="dim")
        if citations:
            console.print(Text(_("Citation: "), style="dim") + Text(citations[i], style="italic"))
        body = Text(p["body"])
        for s, e in (spans[i] if spans else []):
            body.stylize("bold yellow", s, e)
        console.print(body)


# --- references ---------------------------------------------------------------------------------------


def reference_to_dict(ref: Reference) -> dict:
    doc = ref.document
    return {
        "kind": ref.kind, "label": ref.label, "number": ref.number, "key": ref.key, "sentence": ref.sentence,
        "in_index": doc is not None, "doc_id": doc.doc_id if doc else None, "path": doc.path if doc else None,
        "doc_type": doc.doc_type if doc else None, "title": doc.title if doc else None,
        "date": doc.date if doc else None, "issuer": doc.issuer if doc else None,
        "versions": versions_to_list(ref.versions),
    }


def references_to_dict(refs: References) -> dict:
    doc = refs.document
    return {
        "number": refs.number, "key": refs.key, "in_index": doc is not None,
        "doc_id": doc.doc_id if doc else None, "path": doc.path if doc else None,
        "doc_type": doc.doc_type if doc else None, "title": doc.title if doc else None,
        "date": doc.date if doc else None, "issuer": doc.issuer if doc else None,
        "versions": versions_to_list(refs.versions),
        "status": refs.status.code if refs.status else None, "status_detail": status_to_dict(refs.status),
        "cites": [reference_to_dict(r) for r in refs.cites],
        "cited_by": [reference_to_dict(r) for r in refs.cited_by],
    }


def _reference_name(ref: Reference) -> str:
    doc = ref.document
    if doc is None:
        return f"{ref.number or ref.key} " + _("(not in the index)")
    name = " ".join(x for x in (doc.doc_type, doc.number) if x)
    if not name:
        return display_path(doc.path)
    if not doc.number:
        name += " " + _("(no number)")
    if doc.date:
        name += f" ({doc.date})"
    return name


def render_references(console: Console, refs: References, heading: bool = True) -> None:
    """References by direction and kind, each with the sentence it was read from."""
    from rich.text import Text

    if heading:
        doc = refs.document
        head = Text(" ".join(x for x in ((doc.doc_type if doc else None), refs.number) if x) or
                    display_path(doc.path if doc else ""), style="bold cyan")
        if doc and doc.date:
            head.append(f" ({doc.date})")
        if doc and doc.title:
            head.append(f" — {doc.title}")
        if doc is None:
            head.append("  " + _("(not in the index: only cited)"), style="dim")
        console.print(head)
        if len(refs.versions) > 1:
            console.print(Text(f"{_versions_note(refs.versions)}: "
                               + ", ".join(display_path(v.path) for v in refs.versions), style="magenta"))
        if refs.status:
            console.print(Text.assemble(_("Validity: "),
                                        (status_label(refs.status.code), _status_style(refs.status)),
                                        (_overridden(refs.status), "dim")))
    for title, items in ((_("This document cites"), refs.cites), (_("Cited by"), refs.cited_by)):
        console.print(Text(title, style="bold underline"))
        if not items:
            console.print(Text("  " + _("(none)"), style="dim"))
            continue
        kind = None
        for ref in items:
            if ref.kind != kind:
                kind = ref.kind
                console.print(Text(f"  {kind_label(ref.kind)}", style="bold"))
            line = Text("    ")
            line.append(_reference_name(ref), style="cyan" if ref.document else "")
            if ref.document and ref.document.title:
                line.append(f" — {ref.document.title}")
            if len(ref.versions) > 1:
                line.append(f"  {_versions_note(ref.versions)}", style="magenta")
            if ref.document and (ref.document.doc_type or ref.document.number):
                line.append(f"  {display_path(ref.document.path)}", style="dim")
            console.print(line)
            console.print(Text(f"      “{ref.sentence}”", style="dim"))


def plain_references(refs: References) -> Iterable[str]:
    """One tab-separated line per reference: direction, kind label, number, date, path, sentence."""
    for direction, items in (("cites", refs.cites), ("cited-by", refs.cited_by)):
        for ref in items:
            doc = ref.document
            yield "\t".join([direction, kind_label(ref.kind), ref.number or "-", (doc.date if doc else None) or "-",
                             display_path(doc.path) if doc else _("(not in the index)"), ref.sentence])


# --- stats --------------------------------------------------------------------------------------------


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


_STATS_GROUPS = (("by_type", N_("Document type"), "type"), ("by_issuer", N_("Issuer"), "issuer"),
                 ("by_year", N_("Year"), "year"), ("by_status", N_("Validity"), "status"))
_UNKNOWN = N_("(unknown)")


def stats_to_dict(stats: IndexStats) -> dict:
    return {
        "documents": stats.documents, "distinct_documents": stats.distinct_documents,
        "passages": stats.passages, "size_bytes": stats.size_bytes, "last_indexed": stats.last_indexed,
        **{name: [{"value": c.value, "count": c.count} for c in getattr(stats, name)]
           for name, _title, _key in _STATS_GROUPS},
    }


def render_stats(console: Console, stats: IndexStats) -> None:
    from rich.table import Table

    summary = Table(show_header=False, box=None, pad_edge=False)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row(_("Documents"), _("{documents} ({distinct} after merging duplicates)").format(
        documents=stats.documents, distinct=stats.distinct_documents))
    summary.add_row(_("Passages"), str(stats.passages))
    summary.add_row(_("Index size"), _size(stats.size_bytes))
    summary.add_row(_("Last indexed"), stats.last_indexed or "—")
    console.print(summary)
    for name, title, _key in _STATS_GROUPS:
        counts = getattr(stats, name)
        table = Table(title=_(title), title_justify="left", title_style="bold", show_header=False,
                      show_edge=False, pad_edge=False)
        table.add_column(no_wrap=True)
        table.add_column(justify="right")
        table.add_column(style="cyan", no_wrap=True)
        top = max((c.count for c in counts), default=0)
        for c in counts:
            bar = "█" * max(1, round(c.count / top * BAR_WIDTH)) if top else ""
            label = status_label(c.value) if name == "by_status" else c.value
            table.add_row(label or _(_UNKNOWN), str(c.count), bar)
        console.print()
        console.print(table)


def plain_stats(stats: IndexStats) -> Iterable[str]:
    """Tab-separated lines: totals first, then group, value, count."""
    yield f"documents\t{stats.documents}"
    yield f"distinct_documents\t{stats.distinct_documents}"
    yield f"passages\t{stats.passages}"
    yield f"size_bytes\t{stats.size_bytes}"
    yield f"last_indexed\t{stats.last_indexed or '-'}"
    for name, _title, key in _STATS_GROUPS:
        for c in getattr(stats, name):
            yield f"{key}\t{c.value or _(_UNKNOWN)}\t{c.count}"


class TrimmedLines:
    """A text stream that drops the spaces ending each line: rich pads table cells to the column
    width, which a terminal hides but a pipe or a file keeps."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._pending = ""  # the start of a line not ended yet

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._stream.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._stream.write(self._pending)
            self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):  # encoding, fileno, …: the stream's own
        return getattr(self._stream, name)


def make_console(stream, force_plain: bool = False) -> Console:
    """A console on ``stream``; colour only for a terminal and never with NO_COLOR; lines without
    trailing spaces when it is not a terminal."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """A reader that stopped early (``| head``): rich exits 1; we end quietly with 0, as git
            and ripgrep do (the CLI's own handler for a closed pipe)."""
            raise BrokenPipeError

    terminal = getattr(stream, "isatty", lambda: False)()
    return _Console(file=stream if terminal else TrimmedLines(stream),
                    no_color=force_plain or bool(os.environ.get("NO_COLOR")), highlight=False,
                    soft_wrap=not terminal)
