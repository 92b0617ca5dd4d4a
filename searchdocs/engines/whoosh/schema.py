"""The Whoosh schema: one index document per passage, plus one record per source document.

Passages (``kind="p"``) carry the text fields that are searched and, denormalized, the filter
fields of their document (type, issuer, year, date, number) so a filter is one term lookup.
Document records (``kind="d"``) carry the file's path and content hash for incremental indexing
and the full metadata as stored JSON.
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from searchdocs.analysis import bigram_analyzer, bigram_postings, body_analyzer, body_postings, heading_analyzer

SCHEMA_VERSION = 4  # 2: pairs folded only, of pairable syllables; 3: the field class moved (pickled by path);
# 4: passages' headings as a field, short section documents whole


class PassageText(TEXT):
    """The passage text field: the analyzer chain for queries and highlighting, and at index time
    the same postings computed in one loop (``analysis.body_postings``/``bigram_postings``)."""

    def __init__(self, bigrams: bool = False, stored: bool = False) -> None:
        super().__init__(analyzer=bigram_analyzer() if bigrams else body_analyzer(), phrase=not bigrams,
                         stored=stored)
        self.bigrams = bigrams

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        return bigram_postings(value) if self.bigrams else body_postings(value)


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
        body=PassageText(stored=True),
        bigrams=PassageText(bigrams=True),
        heading=TEXT(analyzer=heading_analyzer(), phrase=False),  # structure.heading of the passage
        # Filters and number look-ups, as folded lower-case keywords.
        docnum=KEYWORD(lowercase=True, scorable=True),
        doc_type=ID,
        issuer=KEYWORD(lowercase=True),
        signer=KEYWORD(lowercase=True),
        year=ID,
        date=ID(sortable=True),
    )
