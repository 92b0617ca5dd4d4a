"""Filters as a Whoosh query selecting the passages and document records they allow."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from whoosh import query as wq

from searchdocs.search.filters import Filters, by_records, undated_in_years


def whoosh_filter(f: Filters, records: Iterable, in_force: Callable[[str], bool]) -> wq.Query | None:
    """A Whoosh query for the passages and records ``f`` allows, or None when ``f`` is empty."""
    if f.is_empty:
        return None
    records = list(records)
    clauses: list[wq.Query] = []
    if f.types:
        clauses.append(wq.Or([wq.Term("doc_type", t) for t in f.types]))
    if f.numbers:
        clauses.append(wq.Or([wq.Term("docnum", n) for n in f.numbers]))
    if f.years:
        clauses.append(wq.Or([wq.Term("year", y) for y in f.years]
                             + [wq.Term("doc_id", i) for i in undated_in_years(f, records)]))
    if f.date_from or f.date_to:
        clauses.append(wq.TermRange("date", f.date_from, f.date_to))
    for ids in by_records(f, records, in_force):
        if not ids:
            return wq.NullQuery
        clauses.append(wq.Or([wq.Term("doc_id", i) for i in ids]))
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)
