"""Parallel segment building: the passages of a batch are analysed and written by builder processes.

Profiling a bulk run showed one process doing all of Whoosh's work -- analysing each passage,
sorting the postings and writing them -- while the extraction workers waited. A Whoosh index is
a list of segments, so the work splits cleanly: each builder (a worker process, see
:mod:`searchdocs.ingest.workers`) holds a ``SegmentWriter`` of its own and is sent documents in chunks;
at a commit each finishes its segment and hands back the segment object, and
:class:`ParallelWriter` -- a ``SegmentWriter`` in this process, which does the deletions --
writes one table of contents holding its segments and theirs. The commit stays atomic: a run killed
before it leaves only orphan segment files, which Whoosh removes at the next commit.

A builder creates its writer only when the first documents of a batch arrive, so that no segment
file exists between a commit and the next batch (Whoosh's commit deletes files of segments it
does not list).
"""
from __future__ import annotations

import queue
import threading
from typing import Any

from whoosh.writing import SegmentWriter

from searchdocs.engines.whoosh.codec import segment_writer

CHUNK_DOCS = 64  # documents sent to a builder at a time


class BuilderError(Exception):
    """A builder process failed: the batch is written again in this process (never shown to users)."""


# --- inside a builder process ----------------------------------------------------------------------

_writer: SegmentWriter | None = None


def builder_task(op: str, index_dir: str = "", docs: list[dict] | None = None) -> Any:
    """What a builder process runs per message: ``add`` documents, ``finish`` or ``cancel`` its segment."""
    global _writer
    if op == "add":
        if _writer is None:
            from searchdocs.engines.whoosh.store import open_index

            _writer = segment_writer(open_index(index_dir), _lk=False)
        for fields in docs or []:
            _writer.add_document(**fields)
        return len(docs or [])
    writer, _writer = _writer, None
    if writer is None:
        return None
    # Not ``writer.cancel()``/``_finish()``: they delete the index's temporary folder, which every
    # writer of the index shares, the indexing process's own included. Its files are removed there.
    if op == "cancel":
        writer._close_segment()
        return None
    return writer._finalize_segment()


# --- in the indexing process ------------------------------------------------------------------------


class SegmentBuilder:
    """One builder process. Chunks go out through a sender thread with a short queue, so that this
    process never waits on a busy builder while extraction workers have results to hand over;
    acknowledgements are drained as they come."""

    QUEUE = 4  # chunks waiting to be sent: enough to keep the builder busy, little memory

    def __init__(self, index_dir: str) -> None:
        from searchdocs.ingest.workers import _Worker

        self.index_dir = index_dir
        self.worker = _Worker(builder_task, None)
        self.sent = 0  # tasks given
        self.acked = 0  # tasks answered
        self.error: str | None = None
        self.send_error: BaseException | None = None
        self.outbox: queue.Queue = queue.Queue(self.QUEUE)
        self.sender = threading.Thread(target=self._send_loop, daemon=True, name="segment-builder-sender")
        self.sender.start()

    @property
    def pending(self) -> int:
        return self.sent - self.acked

    def _send_loop(self) -> None:
        while True:
            message = self.outbox.get()
            if message is None:
                return
            if self.send_error is None:
                try:
                    self.worker.conn.send(message)
                except OSError as e:
                    self.send_error = e

    def _send(self, *args: Any) -> None:
        if self.send_error is not None:
            raise BuilderError(f"a segment builder stopped: {self.send_error}")
        self.sent += 1
        self.outbox.put((self.sent, args))

    def _receive(self) -> Any:
        try:
            status, _, value = self.worker.conn.recv()
        except (EOFError, OSError) as e:
            raise BuilderError(f"a segment builder stopped: {type(e).__name__}") from e
        self.acked += 1
        if status != "ok" and self.error is None:
            self.error = str(value)
        return value

    def drain(self) -> None:
        """Read the acknowledgements that have arrived, without waiting."""
        while self.pending and self.worker.conn.poll():
            self._receive()

    def add(self, docs: list[dict]) -> None:
        self.drain()
        self._send("add", self.index_dir, docs)

    def request(self, op: str) -> None:
        """Ask for ``finish`` or ``cancel``; :meth:`result` collects the answer."""
        self._send(op)

    def result(self) -> Any:
        """Wait for every answer; the last one is that of the last request."""
        value = None
        while self.pending:
            if self.send_error is not None:
                raise BuilderError(f"a segment builder stopped: {self.send_error}")
            if self.worker.conn.poll(1.0):
                value = self._receive()
            elif self.worker.process.poll() is not None:
                raise BuilderError(f"a segment builder exited (code {self.worker.process.returncode})")
        if self.error is not None:
            error, self.error = self.error, None
            raise BuilderError(f"a segment builder failed: {error}")
        return value

    def close(self) -> None:
        try:
            self.outbox.put(None, timeout=5)
        except queue.Full:  # the sender is stuck on a builder that stopped reading: stop() kills it
            pass
        self.worker.stop()
        self.sender.join(5)


class ParallelWriter(SegmentWriter):
    """A ``SegmentWriter`` whose added documents go to builder processes; deletions stay here."""

    def __init__(self, ix, builders: list[SegmentBuilder], **kwargs: Any) -> None:
        """Made by ``codec.segment_writer(ix, ParallelWriter, builders=...)``, which sets codec and pool."""
        super().__init__(ix, **kwargs)
        self.builders = builders
        self.buffer: list[dict] = []

    def add_document(self, **fields: Any) -> None:
        self.buffer.append(fields)
        if len(self.buffer) >= CHUNK_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            for b in self.builders:
                b.drain()
            min(self.builders, key=lambda b: b.pending).add(self.buffer)
            self.buffer = []

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        self._flush()
        for b in self.builders:
            b.request("finish")
        built = [b.result() for b in self.builders]
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments + [s for s in built if s is not None])
        self._finish()

    def cancel(self) -> None:
        self.buffer = []
        for b in self.builders:
            try:
                b.request("cancel")
                b.result()
            except BuilderError:
                pass  # it is gone: nothing of its segment will be committed
        super().cancel()


def start_builders(index_dir: str, count: int) -> list[SegmentBuilder]:
    return [SegmentBuilder(index_dir) for _ in range(count)]



SMALL_SEGMENT_DOCS = 2_000  # segments below this are merged at the end of a run
MERGE_MAX_DOCS = 20_000  # at most this many documents merged by one commit (memory: see codec.TermPool)


def merge_small(writer: SegmentWriter, segments: list) -> list:
    """Whoosh merge policy: merge the small segments (incremental runs leave one each) and those
    mostly deleted, smallest first, up to ``MERGE_MAX_DOCS``, into the committing writer's own
    segment; large segments stay as they are.

    Whoosh's own policy may merge every segment into the committing writer, which on a bulk index
    means holding all its postings in memory and writing them all again."""
    from whoosh.reading import SegmentReader

    def live(s) -> int:
        return s.doc_count_all() - s.deleted_count()

    candidates = sorted((s for s in segments
                         if s.doc_count_all() < SMALL_SEGMENT_DOCS or s.deleted_count() * 2 > s.doc_count_all()),
                        key=live)
    chosen, total = [], 0
    for s in candidates:
        if chosen and total + live(s) > MERGE_MAX_DOCS:
            break
        chosen.append(s)
        total += live(s)
    if not chosen or (len(chosen) == 1 and not writer._added and not chosen[0].deleted_count()):
        return segments  # merging one segment into nothing would only copy it
    for s in chosen:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, s))
    return [s for s in segments if s not in chosen]
