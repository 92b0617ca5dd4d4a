"""The Whoosh schema: one index document per passage, plus one record per source document.

Passages (``kind="p"``) carry the text fields that are searched and, denormalized, the filter
fields of their document (type, issuer, year, date, number) so a filter is one term lookup.
Document records (``kind="d"``) carry the file's path and content hash for incremental indexing
and the full metadata as stored JSON.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import body_analyzer, bigram_analyzer

SCHEMA_VERSION = 1


def build_schema() -> Schema:
    return Schema(
        pid=ID(unique=True, stored=True),
        kind=ID,
        doc_id=ID(stored=True),
        path=ID(stored=True),
        sha=ID(stored=True),
        ordinal=STORED,
        section=STORED,
        page=STORED,
        meta=STORED,  # JSON of DocMeta and file facts, on document records
        body=TEXT(analyzer=body_analyzer(), phrase=True, stored=True),
        bigrams=TEXT(analyzer=bigram_analyzer(), phrase=False),
        # Filters and number look-ups, as folded lower-case keywords.
        docnum=KEYWORD(lowercase=True, scorable=True),
        doc_type=ID,
        issuer=KEYWORD(lowercase=True),
        signer=KEYWORD(lowercase=True),
        year=ID,
        date=ID(sortable=True),
    )
