"""The index template: the Vietnamese chain in OpenSearch's own analysis, and the fields.

``body`` is analysed by the cluster, so that a client that is not searchdocs (a web portal sending
a ``match`` query) gets what searchdocs gets: syllables (a Unicode ``\\w+`` pattern tokenizer, as
``analysis.SyllableTokenizer``), lower case, and ``asciifolding`` with ``preserve_original``, the
folded form and the accented one at the same position (``AccentFoldFilter``). At search time a
char filter per tone and vowel pair moves a tone mark to where the classic rule places it ("hoà",
"thuỷ" → "hòa", "thủy"), as ``normalize.clean_text`` does for documents.

What only searchdocs' ranking reads is computed by searchdocs and sent as tokens: the folded pairs
of pairable syllables (``bigrams``, whitespace-analysed, so exactly ``analysis.bigram_postings``),
the document numbers a passage cites (``mentions``) and the filter fields (keywords).
Scores are the local engine's BM25F term score, operation for operation (a scripted similarity:
Whoosh's idf, log(N / (df + 1)) + 1, and its B and K1); Lucene's own BM25 weighs common terms
far less (measured: "đảng viên hòa nhập" topped a law about "hòa nhập" instead of the Party
guidance the local engine ranks first). N and the mean length are over the documents holding the
field, where Whoosh counts every document (a shift of a few percent).
"""
from __future__ import annotations

import unicodedata

from searchdocs.search.query import BM25_B, BM25_K1

TONES = {"\u0300": "grave", "\u0301": "acute", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
# Open syllables whose tone the new style puts on the second vowel: hoà/hòa, khoẻ/khỏe, thuỷ/thủy.
PAIRS = [("o", "a"), ("o", "e"), ("u", "y")]


def _tone_filters() -> dict[str, dict]:
    """One pattern_replace char filter per (pair, tone, case of the first vowel)."""
    filters: dict[str, dict] = {}
    for first, second in PAIRS:
        for mark, tone in TONES.items():
            for v in (first, first.upper()):
                marked_second = unicodedata.normalize("NFC", second + mark)
                marked_first = unicodedata.normalize("NFC", v + mark)
                name = f"sd_tone_{first}{second}_{tone}_{'upper' if v.isupper() else 'lower'}"
                # not after q ("quý" keeps its mark) and only at the end of the syllable
                filters[name] = {"type": "pattern_replace",
                                 "pattern": f"(?<![qQ]){v}{marked_second}(?![\\p{{L}}\\p{{M}}])",
                                 "replacement": f"{marked_first}{second}"}
    return filters


def settings(shards: int, replicas: int) -> dict:
    tone = _tone_filters()
    syllable = {"type": "pattern", "pattern": "\\W+", "flags": "UNICODE_CHARACTER_CLASS"}
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "similarity": {"sd_bm25": {
            "type": "scripted",
            "discount_overlaps": False,  # as Whoosh: the accented forms count in a passage's length
            "weight_script": {"source": "return query.boost * (Math.log(field.docCount / (term.docFreq + 1.0)) + 1.0);"},
            "script": {"source": f"double tf = doc.freq; double avg = field.sumTotalTermFreq / (double) field.docCount; "
                                 f"return weight * tf * {BM25_K1 + 1} / (tf + {BM25_K1} * ({1 - BM25_B} + {BM25_B} * "
                                 f"doc.length / avg));"}}},
        "analysis": {
            "char_filter": tone,
            "tokenizer": {"sd_syllable": syllable},
            "filter": {"sd_fold": {"type": "asciifolding", "preserve_original": True}},
            "analyzer": {
                "sd_body": {"type": "custom", "tokenizer": "sd_syllable", "filter": ["lowercase", "sd_fold"]},
                "sd_body_search": {"type": "custom", "char_filter": sorted(tone), "tokenizer": "sd_syllable",
                                   "filter": ["lowercase", "sd_fold"]},
                "sd_tokens": {"type": "custom", "tokenizer": "whitespace"},
            },
        },
    }


MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"},  # d: document record, p: passage, v: the stored version groups
        "pid": {"type": "keyword"},
        "doc_id": {"type": "keyword"},
        "path": {"type": "keyword"},
        "sha": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "section": {"type": "keyword", "index": False},
        "page": {"type": "integer", "index": False},
        "facts": {"type": "object", "enabled": False},  # the record's metadata and file facts
        "body": {"type": "text", "analyzer": "sd_body", "search_analyzer": "sd_body_search",
                 "similarity": "sd_bm25"},
        "bigrams": {"type": "text", "analyzer": "sd_tokens", "similarity": "sd_bm25"},
        "heading": {"type": "text", "analyzer": "sd_body", "search_analyzer": "sd_body_search",
                    "similarity": "sd_bm25"},  # structure.heading of the passage
        "mentions": {"type": "keyword", "similarity": "sd_bm25"},
        "docnum": {"type": "keyword", "similarity": "sd_bm25"},
        "doc_type": {"type": "keyword"},
        "issuer": {"type": "keyword"},
        "signer": {"type": "keyword"},
        "year": {"type": "keyword"},
        "date": {"type": "keyword"},
        "title": {"type": "text", "analyzer": "sd_body", "search_analyzer": "sd_body_search"},
        # on document records, for stats by aggregation: the values as shown
        "type_label": {"type": "keyword"},
        "issuer_label": {"type": "keyword"},
        "year_label": {"type": "keyword"},
        "indexed_at": {"type": "keyword"},
    },
}


def template(name: str, shards: int, replicas: int) -> dict:
    """The index template every physical index of ``name`` is created from."""
    return {"index_patterns": [f"{name}-v*"], "priority": 100,
            "template": {"settings": settings(shards, replicas), "mappings": MAPPINGS},
            "_meta": {"created_by": "searchdocs"}}
