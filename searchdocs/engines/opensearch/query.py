"""A parsed query and filters in OpenSearch's query DSL: the ranked terms and weights both engines
take from ``search.query.ranked_terms``, as term-level queries, so the cluster's analysis of the
query text is not involved and both engines look up exactly the same terms."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from searchdocs.search import query as weights
from searchdocs.search.filters import Filters, by_records, undated_in_years
from searchdocs.search.query import ParsedQuery, ranked_terms

MATCH_NOTHING = {"bool": {"must_not": [{"match_all": {}}]}}


def _term(field: str, value: str, boost: float = 1.0) -> dict:
    return {"term": {field: {"value": value, "boost": boost}} if boost != 1.0 else {field: value}}


def phrase(tokens: list[str], boost: float = 1.0) -> dict:
    if len(tokens) == 1:
        return _term("body", tokens[0], boost)
    near = {"clauses": [{"span_term": {"body": t}} for t in tokens], "slop": 0, "in_order": True}
    if boost != 1.0:
        near["boost"] = boost
    return {"span_near": near}


def to_query(parsed: ParsedQuery, share: Callable[[str, str], float] | None = None) -> dict:
    """The bool query for a parsed query; filters are added by the caller."""
    should = [_term(f, t, b) for f, t, b in ranked_terms(parsed, share)]
    for key in parsed.number_keys:
        should.append(_term("docnum", key, weights.NUMBER_BOOST))
        # a citation counts in other documents; in the numbered document it only marks the header
        should.append({"bool": {"must": [_term("mentions", key, weights.MENTION_BOOST)],
                                "must_not": [{"term": {"docnum": key}}]}})
    for key in parsed.short_keys:
        should.append(_term("docnum", key, weights.NUMBER_BOOST))
    for terms in parsed.expansions:
        should.append(phrase(list(terms), weights.EXPANSION_BOOST))
    query: dict = {"should": should}
    if parsed.phrases:
        query["must"] = [{"bool": {"should": [phrase(p) for p in group]}} for group in parsed.phrases]
    elif should:
        query["minimum_should_match"] = 1
    if parsed.excluded:
        query["must_not"] = [phrase(t) for t in parsed.excluded]
    return {"bool": query}


def filter_clauses(f: Filters, records: Iterable, in_force: Callable[[str], bool]) -> list[dict]:
    """Filter clauses for the passages and records ``f`` allows (all must hold)."""
    if f.is_empty:
        return []
    records = list(records)
    clauses: list[dict] = []
    if f.types:
        clauses.append({"terms": {"doc_type": list(f.types)}})
    if f.numbers:
        clauses.append({"terms": {"docnum": list(f.numbers)}})
    if f.years:
        clauses.append({"bool": {"should": [{"terms": {"year": list(f.years)}},
                                            {"terms": {"doc_id": undated_in_years(f, records)}}]}})
    if f.date_from or f.date_to:
        bounds = {k: v for k, v in (("gte", f.date_from), ("lte", f.date_to)) if v}
        clauses.append({"range": {"date": bounds}})
    for ids in by_records(f, records, in_force):
        clauses.append({"terms": {"doc_id": ids}} if ids else MATCH_NOTHING)
    return clauses
