"""One indexing run at a time per index, and a note saying which run holds it.

An ``index`` run holds an exclusive ``flock`` on ``<index>/searchdocs-index.lock`` from before it
reads the index until after its last commit, so two runs never interleave their batches (Whoosh's
own write lock is taken per batch and released at each commit, which alone would let a second run
slip in between). ``flock`` locks belong to the open file: the kernel drops them when the process
dies, even by ``kill -9``, so a lock is never left held by a dead run.

While holding the lock the run writes ``<index>/searchdocs-index.lock.json`` (pid, host, start time,
command) so that a run that cannot get the lock can say who has it. The note is removed when the run
ends; a note still there when the lock is free was left by a run that was killed (its pid is dead or
the lock was free), which the next run reports and replaces.
"""
from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from searchdocs.errors import N_, IndexLockedError, Reason, SearchdocsError

LOCK_FILE = "searchdocs-index.lock"
INFO_FILE = "searchdocs-index.lock.json"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking between runs
    fcntl = None  # type: ignore[assignment]


@dataclass
class LockInfo:
    pid: int
    host: str
    started: str  # local time, ISO 8601
    command: str

    def describe(self) -> Reason:
        started = self.started.replace("T", " ")
        if self.host != socket.gethostname():
            return Reason(N_("pid {pid} on {host}, started {started}: {command}"),
                          pid=self.pid, host=self.host, started=started, command=self.command)
        return Reason(N_("pid {pid}, started {started}: {command}"), pid=self.pid, started=started,
                      command=self.command)

    def alive(self) -> bool | None:
        """Whether its process still runs; None when it ran on another host."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def read_info(directory: str | Path) -> LockInfo | None:
    try:
        data = json.loads((Path(directory) / INFO_FILE).read_text(encoding="utf-8"))
        return LockInfo(int(data["pid"]), str(data["host"]), str(data["started"]), str(data["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _try_lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def is_locked(directory: str | Path) -> bool:
    """Whether an indexing run holds the index now (tries the lock without keeping it)."""
    path = Path(directory) / LOCK_FILE
    if fcntl is None or not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        if _try_lock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


class IndexLock:
    """``with IndexLock(dir, wait=5) as lock:`` — raises IndexLockedError naming the holder."""

    def __init__(self, directory: str | Path, wait: float = 0.0) -> None:
        self.directory = Path(directory)
        self.wait = wait
        self.fd: int | None = None
        self.stale: LockInfo | None = None  # the note of a run that died holding the lock

    def __enter__(self) -> IndexLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise SearchdocsError(N_("cannot write the index at {directory}: {reason}"), directory=self.directory,
                                  reason=e.strerror or e) from e
        deadline = time.monotonic() + self.wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise self._locked_error()
            time.sleep(0.1)
        self.fd = fd
        previous = read_info(self.directory)
        if previous is not None and previous.pid != os.getpid():
            self.stale = previous  # we hold the lock, so the run that wrote this is gone
        self._write_info()

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            (self.directory / INFO_FILE).unlink(missing_ok=True)
        except OSError:
            pass
        os.close(self.fd)  # drops the flock
        self.fd = None

    def _write_info(self) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "command": _command()}
        tmp = self.directory / f".{INFO_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(info, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.directory / INFO_FILE)

    def _locked_error(self) -> IndexLockedError:
        info = read_info(self.directory)
        waited = Reason(N_(" (waited {seconds} s)"), seconds=f"{self.wait:g}") if self.wait else ""
        if info is not None and info.alive() is not False:
            return IndexLockedError(
                N_("the index at {directory} is being written by another `searchdocs index` run ({run})"
                   "{waited}; wait for it to finish or pass --wait SECONDS"),
                directory=self.directory, run=info.describe(), waited=waited)
        return IndexLockedError(
            N_("the index at {directory} is being written by another `searchdocs index` run{waited}; "
               "wait for it to finish or pass --wait SECONDS"), directory=self.directory, waited=waited)


def _command() -> str:
    argv = list(sys.argv)
    if argv and argv[0].endswith(("__main__.py", "/searchdocs")):
        argv[0] = "searchdocs"
    return shlex.join(argv)[:500]
