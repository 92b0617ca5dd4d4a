"""The fast W3 writer (``searchdocs.engines.whoosh.codec``) writes what Whoosh's own writer writes.

Two indexes of the same real passages -- one through Whoosh's stock ``SegmentWriter``/``W3Codec``,
one through ``codec.segment_writer`` -- must read back the same: every term of every field, its
statistics, every posting (document, weight, value) and every field length. Inlined short lists
(which the stock writer never produces) read back as the stock blocks do, except that a posting
without a value reads ``''`` instead of ``None``; both mean "no payload", so values compare by truth.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import NO_MERGE

from searchdocs.engines.whoosh.codec import INLINE_LIMIT, FastCodec, TermPool, segment_writer
from searchdocs.engines.whoosh.writer import _write
from searchdocs.ingest.indexer import FileState, prepare
from searchdocs.engines.whoosh.schema import build_schema
from searchdocs.engines.whoosh.segments import merge_small

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = ("hc-sct-vn__ND-26-2026-quan-ly-hoat-dong-hoa-chat.docx", "ragluat_LUATTRITUENHANTAO.docx",
         "hc-sct-vn__CV-597-HC-QLHC-CucHoaChat.docx")


@pytest.fixture(scope="module")
def prepared():
    return [prepare(str(CORPUS / name), f"sha{n}", None, None, None) for n, name in enumerate(FILES)]


def read_back(directory: Path) -> list:
    """Everything a search can see of an index's postings, in a comparable form."""
    ix = whoosh_index.open_dir(str(directory), indexname="t")
    rows: list = []
    with ix.searcher() as s:
        r = s.reader()
        for field in s.schema.names():
            if not s.schema[field].indexed:
                continue
            for term in r.lexicon(field):
                info = r.term_info(field, term)
                m = r.postings(field, term)
                postings = []
                while m.is_active():
                    postings.append((m.id(), m.weight(), m.value() or None))
                    m.next()
                rows.append((field, term, info.weight(), info.doc_frequency(), info.min_length(),
                             info.max_length(), info.max_weight(), info.min_id(), info.max_id(), postings))
        rows.append([s.doc_field_length(n, "body") for n in range(s.doc_count_all())])
        rows.append([s.doc_field_length(n, "bigrams") for n in range(s.doc_count_all())])
        rows.append(sorted(f["pid"] for f in s.all_stored_fields()))
    return rows


def writer(ix, kind: str):
    """``stock``: Whoosh's writer and codec; ``fast``: ours; ``codec``: Whoosh's writer and pool
    with our codec (posting by posting through FastPostingsWriter)."""
    return {"stock": ix.writer, "fast": lambda: segment_writer(ix), "codec": lambda: ix.writer(codec=FastCodec())}[kind]()


def build(directory: Path, prepared, kind: str, batches: list[list[int]], delete: str | None = None) -> Path:
    """Write ``prepared`` files in ``batches`` (one commit each, never merging), then optionally delete
    one file's records and commit once more merging with ``merge_small``."""
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), build_schema(), indexname="t")
    for batch in batches:
        w = writer(ix, kind)
        for i in batch:
            _write(w, prepared[i], FileState(prepared[i].path, prepared[i].sha, 0, 0))
        w.commit(mergetype=NO_MERGE)
    if delete is not None:
        w = writer(ix, kind)
        w.delete_by_term("path", delete)
        w.commit(mergetype=merge_small)
    return directory


def test_one_segment_reads_back_identically(tmp_path, prepared):
    stock = read_back(build(tmp_path / "stock", prepared, "stock", [[0, 1, 2]]))
    fast = read_back(build(tmp_path / "fast", prepared, "fast", [[0, 1, 2]]))
    assert len(stock) > 5_000
    assert fast == stock
    assert read_back(build(tmp_path / "codec", prepared, "codec", [[0, 1, 2]])) == stock
    # The fast writer did inline short lists: a term seen once has no block in the postings file.
    once = [row for row in fast[:-3] if row[3] < INLINE_LIMIT]
    assert once


def test_merged_segments_with_deletions_read_back_identically(tmp_path, prepared):
    deleted = prepared[1].path
    stock = read_back(build(tmp_path / "stock", prepared, "stock", [[0], [1], [2]], delete=deleted))
    fast = read_back(build(tmp_path / "fast", prepared, "fast", [[0], [1], [2]], delete=deleted))
    assert fast == stock
    assert not any(pid.startswith(prepared[1].docs[0].doc_id) for pid in fast[-1])
    ix = whoosh_index.open_dir(str(tmp_path / "fast"), indexname="t")
    assert len(ix._read_toc().segments) == 1  # merge_small merged the two small survivors


def test_term_pool_orders_postings_that_arrive_out_of_order():
    pool = TermPool()
    try:
        for docnum in (5, 2, 9):
            pool.add(("body", b"dang", docnum, float(docnum), b"v%d" % docnum))
        pool.add(("body", b"anh", 1, 1.0, b""))
        rows = list(pool.iter_postings())
    finally:
        pool.cleanup()
    assert rows == [("body", b"anh", 1, 1.0, b""), ("body", b"dang", 2, 2.0, b"v2"),
                    ("body", b"dang", 5, 5.0, b"v5"), ("body", b"dang", 9, 9.0, b"v9")]


@pytest.mark.parametrize("kind", ["stock", "fast"])
def test_array_postings_read_what_the_matcher_reads(tmp_path, prepared, kind):
    """``scoring.read_postings`` reads a term's blocks straight into arrays: the same documents and
    weights as Whoosh's matcher, from stock blocks (protocol 2, tuples) and ours (arrays, packed values)."""
    from searchdocs.engines.whoosh.scoring import read_postings

    ix = whoosh_index.open_dir(str(build(tmp_path / kind, prepared, kind, [[0, 1, 2]])), indexname="t")
    checked = 0
    with ix.searcher() as s:
        r = s.reader()
        for field in ("body", "bigrams", "docnum"):
            for term in r.lexicon(field):
                ids, weights = read_postings(r, r.term_info(field, term))
                m = r.postings(field, term)
                assert (ids.tolist(), weights.tolist()) == (list(m.all_ids()), [w for _, w in r.postings(field, term).items_as("weight")])
                checked += len(ids)
    assert checked > 30_000


def test_packed_values_index_like_a_tuple():
    import pickle

    from searchdocs.engines.whoosh.packed import PackedValues

    values = [b"\x01", b"", b"\x02\x03\x04", b"\x05" * 300]
    for compression in (0, 3):
        packed = pickle.loads(pickle.dumps(PackedValues.pack(values, compression), 5))
        assert list(packed) == values and len(packed) == 4
        assert [packed[i] for i in range(-4, 4)] == values + values
