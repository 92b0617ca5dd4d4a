"""A faster writer for Whoosh's own on-disk format (W3), used for every segment this project writes.

Profiling the indexing of the bulk corpus showed most of the time in Whoosh's generic writing
path, not in our analysis. This module writes the same on-disk structures that Whoosh's reader
expects (tests compare every term, statistic and posting with Whoosh's own writer):

- :class:`TermPool` replaces Whoosh's posting pool, which keeps a 5-tuple per posting, sorts them
  all at the commit and, past its memory limit, pickles them one by one to sorted runs on disk
  (a third of a segment builder's time on the bulk corpus). Postings arrive in increasing
  document order, so per-term arrays leave only the terms to sort. Its memory is bounded by the
  batch size (``indexer.BATCH_PASSAGES``) and by ``segments.merge_small``, which limits merges;
- :class:`FastSegmentWriter` hands a field's postings to the pool in one call;
- :class:`FastFieldWriter` writes a term's whole list at once, the field lengths read once per
  field and the term table written a field at a time; lists shorter than ``INLINE_LIMIT`` are
  stored inside the term info (W3's own inline form, unreachable in Whoosh because its writer calls
  a misspelt ``set_inline``), which spares most terms a block of their own (a limit of 64 instead
  of 4 made a segment's commit a quarter faster, for 1.5% more bytes);
- blocks keep ids, weights and positions apart (``FastPostingsWriter._write_block``), so reading
  a term's scores (``scoring.py``) never touches its positions.

Segments record Whoosh's own W3 codec: reading needs nothing new but ``packed.PackedValues``.
"""
from __future__ import annotations

import gc
import struct
from array import array
from collections.abc import Iterator
from hashlib import md5
from operator import itemgetter
from pickle import dumps

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3TermInfo, _lenfield
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.filedb.filetables import OrderedHashWriter, _lengths as _KEY_VALUE_LENGTHS
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from searchdocs.engines.whoosh.packed import PackedValues, smallest

INLINE_LIMIT = 64
_PROTOCOL = 5  # pickles in the index: fixed, so an index stays readable whatever Python writes it


def segment_writer(ix, writer_class: type[SegmentWriter] | None = None, **kwargs) -> SegmentWriter:
    """A Whoosh writer (``FastSegmentWriter`` unless ``writer_class`` is given; ``kwargs`` as for
    ``ix.writer()`` plus the class's own) with this module's codec and pool.

    Segments stay separate files (``compound=False``): Whoosh reads a compound segment through a
    ``BytesIO`` of each part, which copies the whole index into memory whenever a searcher opens
    (measured: 130 MB of copies for a 12 M-character index, before the first query)."""
    writer = (writer_class or FastSegmentWriter)(ix, codec=FastCodec(), compound=False, **kwargs)
    TermPool.install(writer)
    return writer


class FastSegmentWriter(SegmentWriter):
    """``SegmentWriter`` whose ``add_document`` gives a field's postings to the :class:`TermPool` in
    one call, instead of one 5-tuple and one call per posting (Whoosh's loop, otherwise the same)."""

    def add_document(self, **fields) -> None:
        pool, schema = self.pool, self.schema
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        if not isinstance(pool, TermPool) or any(
                name in schema and (schema[name].separate_spelling() or schema[name].vector) for name in fieldnames):
            super().add_document(**fields)
            return
        self._check_state()
        self._check_fields(schema, fieldnames)
        perdocwriter, docnum = self.perdocwriter, self.docnum
        docboost = self._doc_boost(fields)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = pool.add_field(fieldname, docnum, field.index(value), boost, field.scorable)
                stored = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


class FastCodec(W3Codec):
    """W3 with working inlining of short posting lists and a one-pass posting writer."""

    def __init__(self, blocklimit: int = 512, compression: int = 3, inlinelimit: int = INLINE_LIMIT) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment) -> "FastFieldWriter":
        return FastFieldWriter(self, storage, segment)

    def new_segment(self, storage, indexname):
        """A segment that records Whoosh's own W3 codec, which reads it: the table of contents
        pickles each segment's codec, and opening an index for a search need not import this
        module (measured: 11 ms of every CLI start)."""
        return W3Codec().new_segment(storage, indexname)

    def postings_writer(self, dbfile, byteids: bool = False) -> "FastPostingsWriter":
        return FastPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=self._compression, inlinelimit=self._inlinelimit)


class FastPostingsWriter(W3PostingsWriter):
    """W3's postings writer, with inlining that works and a whole-list entry point."""

    def finish_postings(self) -> W3TermInfo:
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def write_list(self, format_, ids: list[int], weights, values: list, lengths: list[int]) -> bytes:
        """Write one term's whole posting list and return its term info as bytes: what
        ``start_postings``, ``add_posting`` per posting and ``finish_postings`` would give."""
        n = len(ids)
        if n < self._inlinelimit:
            return _inline_terminfo(ids, weights, values, lengths)
        self.start_postings(format_, W3TermInfo())
        limit = self._blocklimit
        for start in range(0, n, limit):
            if start:
                self._write_block()
                self._new_block()
            end = start + limit
            self._ids = array("I", ids[start:end])
            self._weights = array("f", weights[start:end])
            self._values = [v for v in values[start:end] if v]
            self._maxweight = max(0, max(self._weights))
            block_lengths = [x for x in lengths[start:end] if x]
            if block_lengths:
                self._minlength, self._maxlength = min(block_lengths), max(block_lengths)
        return self.finish_postings().to_bytes()

    def _write_block(self, last: bool = False) -> None:
        """A W3 block laid out for reading a term's documents and weights fast.

        Whoosh pickles a block with protocol 2, which stores each bytes object through a
        ``codecs`` call, and compresses it whole, so reading a term's weights also unpickles and
        inflates every posting's positions: most of a query's time at scale. Here the ids
        (delta-encoded) and weights are arrays of the smallest type that holds them, left
        uncompressed; the positions are one bytes object, compressed on their own and inflated
        only when a phrase reads them (``PackedValues``). Whoosh's reader takes all of these as it
        takes its tuples."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        fixed = self._format.fixed_value_size()
        values = (PackedValues.pack(self._values, self._compression) if fixed is None or fixed < 0
                  else self._mini_values())
        data = dumps((smallest(list(_deltas(ids))), _block_weights(self._weights), values), _PROTOCOL)
        info = dumps((len(ids), ids[-1], self._maxweight, 0, length_to_byte(self._minlength),
                      length_to_byte(self._maxlength)), _PROTOCOL)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


def _deltas(ids) -> Iterator[int]:
    """W3's delta encoding of a block's ids: the first id, then each id minus the one before."""
    previous = 0
    for docnum in ids:
        yield docnum - previous
        previous = docnum


def _block_weights(weights: array) -> array | float | None:
    """A block's weights as W3 minimizes them (None: all 1.0; one float: all equal), else as the
    smallest array that holds them exactly (term frequencies are whole numbers)."""
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    if all(w.is_integer() and w >= 0 for w in weights):
        return smallest([int(w) for w in weights])
    return weights


_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's header


def _single_terminfo(docnum: int, weight: float, value: bytes | None, length: int) -> bytes:
    """``_inline_terminfo`` of a one-posting list (most bigrams), with nothing to gather.
    ``weight`` must already be a float32 value (as TermPool's array gives it)."""
    lb = length_to_byte(length) if length else 0
    header = _TERMINFO.pack(1, weight, 1, lb, lb, max(0, weight), docnum, docnum)
    return header + dumps(((docnum,), (weight,), (value,) if value else ()), _PROTOCOL)


def _inline_terminfo(ids, weights, values: list, lengths: list[int]) -> bytes:
    """``W3TermInfo.to_bytes()`` of a posting list stored inline, built without the objects."""
    if not isinstance(weights, array):
        weights = array("f", weights)
    present = [x for x in lengths if x]
    minlength = length_to_byte(min(present)) if present else 0
    maxlength = length_to_byte(max(present)) if present else 0
    header = _TERMINFO.pack(1, sum(weights), len(ids), minlength, maxlength, max(0, max(weights)), ids[0], ids[-1])
    return header + dumps((tuple(ids), tuple(weights), tuple(filter(None, values))), _PROTOCOL)


class _TermTableWriter(OrderedHashWriter):
    """Whoosh's ordered hash table of term infos, with :meth:`add_many` for a field's terms at once."""

    def add_many(self, entries: list[tuple[bytes, bytes]]) -> None:
        """``add(key, value)`` for each entry, keys increasing, in one write to the file."""
        if not entries:
            return
        if entries[0][0] <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{entries[0][0]!r}")
        dbfile, buckets, pack = self.dbfile, self.buckets, _KEY_VALUE_LENGTHS.pack
        pos = dbfile.tell()
        chunks: list[bytes] = []
        positions: list[int] = []
        for key, value in entries:
            positions.append(pos)
            chunks.append(pack(len(key), len(value)))
            chunks.append(key)
            chunks.append(value)
            h = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")  # filetables.md5_hash
            buckets[h & 255].append((h, pos))
            pos += 8 + len(key) + len(value)
        dbfile.write(b"".join(chunks))
        self.index.extend(positions)
        self.lastkey = entries[-1][0]


class FastFieldWriter(W3FieldWriter):
    """W3's field writer taking a :class:`TermPool`'s lists a term at a time, not a posting at a time."""

    def __init__(self, codec, storage, segment) -> None:
        super().__init__(codec, storage, segment)
        assert self._tindex.hashtype == 0  # MD5, which _TermTableWriter.add_many computes itself
        self._tindex.__class__ = _TermTableWriter

    def add_postings(self, schema, lengths, items) -> None:
        if not isinstance(items, TermLists):  # another pool: Whoosh's own way, posting by posting
            super().add_postings(schema, lengths, items)
            return
        self._add_term_lists(schema, lengths, items)

    def _add_term_lists(self, schema, lengths, pool: "TermLists") -> None:
        inline_limit = self._codec._inlinelimit
        for fieldname, terms in pool.fields():
            self.start_field(fieldname, schema[fieldname])
            field_lengths = _field_lengths(lengths, fieldname)
            n_lengths = len(field_lengths)
            prefix = pack_ushort(self._fieldid)
            write_list, fmt = self._postwriter.write_list, self._format
            entries: list[tuple[bytes, bytes]] = []
            for btext, (ids, weights, values) in terms:
                if len(ids) == 1 and inline_limit > 1:
                    docnum = ids[0]
                    info = _single_terminfo(docnum, weights[0], values[0],
                                            field_lengths[docnum] if docnum < n_lengths else 0)
                else:
                    doc_lengths = [field_lengths[i] if i < n_lengths else 0 for i in ids]
                    info = write_list(fmt, ids, weights, values, doc_lengths)
                entries.append((prefix + btext, info))
                if len(entries) >= 50_000:
                    self._tindex.add_many(entries)
                    entries = []
            self._tindex.add_many(entries)
            self.finish_field()


class TermLists:
    """What :meth:`TermPool.iter_postings` returns: fields in order, each with its terms in order and
    every term's (ids, weights, values) lists. Iterating gives Whoosh's 5-tuples, for any other writer."""

    def __init__(self, pool: "TermPool") -> None:
        self.pool = pool

    def fields(self) -> Iterator[tuple[str, Iterator[tuple[bytes, tuple[list, list, list]]]]]:
        for fieldname in sorted(self.pool.terms):
            terms = self.pool.terms[fieldname]
            yield fieldname, ((t, self.pool.ordered(fieldname, t)) for t in sorted(terms))

    def __iter__(self) -> Iterator[tuple]:
        for fieldname, terms in self.fields():
            for btext, (ids, weights, values) in terms:
                for i, docnum in enumerate(ids):
                    yield fieldname, btext, docnum, weights[i], values[i]


class TermPool:
    """Whoosh's posting pool interface (``add``, ``iter_postings``, ``cleanup``) over per-term lists.

    Document numbers and weights go in arrays (4 bytes each, as W3 stores them); while a pool is
    open the cyclic garbage collector is off: the pool holds millions of small containers that it
    would otherwise traverse again and again (measured: a third of the time spent adding).
    """

    def __init__(self) -> None:
        self.terms: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self.unordered: set[tuple[str, bytes]] = set()
        self.fieldnames: set[str] = set()
        self._resume_gc = gc.isenabled()
        gc.disable()

    @classmethod
    def install(cls, writer) -> None:
        """Put a TermPool in a new Whoosh ``SegmentWriter`` (it has no parameter for it)."""
        writer.pool.cleanup()
        writer.pool = cls()

    def add(self, item: tuple) -> None:
        """Whoosh's pool entry point, one posting (merges go through it)."""
        fieldname, btext, docnum, weight, value = item
        self.add_field(fieldname, docnum, ((btext, 0, weight, value),), 1.0, False)

    def add_field(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """``add`` each (term bytes, frequency, weight, value) of one document's field; return the
        field's length (the sum of frequencies) when it is scorable, else 0."""
        terms = self.terms.get(fieldname)
        if terms is None:
            terms = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        if boost != 1.0:
            items = [(btext, freq, weight * boost, value) for btext, freq, weight, value in items]
        length = 0
        get = terms.get
        for btext, freq, weight, value in items:
            length += freq
            lists = get(btext)
            if lists is None:
                terms[btext] = (array("I", (docnum,)), array("f", (weight,)), [value])
                continue
            ids, weights, values = lists
            if docnum <= ids[-1]:
                self.unordered.add((fieldname, btext))
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
        return length if scorable else 0

    def ordered(self, fieldname: str, btext: bytes) -> tuple:
        lists = self.terms[fieldname][btext]
        if (fieldname, btext) not in self.unordered:
            return lists
        rows = sorted(zip(*lists), key=itemgetter(0))
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def iter_postings(self) -> TermLists:
        return TermLists(self)

    def cleanup(self) -> None:
        self.terms.clear()
        if self._resume_gc:
            self._resume_gc = False
            gc.enable()


def _field_lengths(lengths, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname`` (0 when none), read once from the lengths column."""
    if lengths is None:
        return []
    reader = lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if reader is None:
        return []
    return [byte_to_length(b) if b else 0 for b in (reader[i] for i in range(lengths.doc_count_all()))]
