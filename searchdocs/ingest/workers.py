"""A small pool of worker processes that can lose one task without losing the run.

``concurrent.futures.ProcessPoolExecutor`` cannot stop one hung task, and a worker that dies breaks
the whole pool. Here every worker is a fresh interpreter (``subprocess``, so it inherits no locks,
threads or open index files, and never re-runs the caller's ``__main__``) with its own socket pair,
running one task at a time:

- a task past its deadline gets its worker killed (SIGKILL) and reported "timed out after N s";
- a worker that dies (segfault, ``os._exit``, the kernel's OOM killer) costs only its task,
  reported "worker crashed (signal 11)";
- a task that raises ``MemoryError`` under the worker's address-space limit (``RLIMIT_AS``) is
  reported "out of memory", and its worker is replaced, since its heap may be damaged;

and in every case a fresh worker takes the next task. A task may call :func:`heartbeat` to say it
is still making progress (OCR does after each page), which restarts its deadline.

Workers die with the parent: ``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread everywhere,
so a ``kill -9`` of the indexing run leaves no extraction running behind it.
"""
from __future__ import annotations

import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from searchdocs.errors import N_, ExtractionError, Reason

__all__ = ["Outcome", "WorkerPool", "heartbeat"]

_connection: Connection | None = None  # set inside a worker process
_current_task: int | None = None


@dataclass
class Outcome:
    """What became of one task: ``value`` when it succeeded, else the one-line ``reason``."""

    key: Any
    value: Any = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def heartbeat() -> None:
    """Tell the pool the current task is still progressing (restarts its deadline); no-op elsewhere."""
    if _connection is not None and _current_task is not None:
        try:
            _connection.send(("alive", _current_task, None))
        except OSError:
            os._exit(1)


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for errors that are not already a user-facing reason."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


def _run_task(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    """Run ``fn(*args)`` and classify the result: ("ok", value), ("failed", reason) or ("fatal", reason)."""
    try:
        return "ok", fn(*args)
    except ExtractionError as e:  # keeps its template, if it has one, for the interface to translate
        return "failed", Reason(e.template, **e.params) if e.template else str(e)
    except MemoryError:
        return "fatal", Reason(N_("out of memory"))
    except RecursionError:
        return "failed", Reason(N_("could not be processed: nested too deeply (RecursionError)"))
    except Exception as e:  # noqa: BLE001 - one file's bug must not stop the run
        return "failed", Reason(N_("could not be processed: {error}"), error=one_line(e))


# --- the worker process ---------------------------------------------------------------------------


def _die_with_parent(parent_pid: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the watchdog below still works
        pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def _limit_memory(max_memory_mb: int | None) -> None:
    if not max_memory_mb:
        return
    try:
        import resource

        limit = max_memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _quiet() -> None:
    """Parsers' own chatter (pypdf logs warnings per malformed object) is noise on the user's terminal."""
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")


def _worker_main(conn: Connection, fn: Callable[..., Any], parent_pid: int, max_memory_mb: int | None) -> None:
    global _connection, _current_task
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_memory(max_memory_mb)
    _quiet()
    _connection = conn
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        task_id, args = message
        _current_task = task_id
        status, value = _run_task(fn, args)
        _current_task = None
        try:
            conn.send((status, task_id, value))
        except MemoryError:
            status = "fatal"
            conn.send((status, task_id, "out of memory"))
        except (EOFError, OSError):
            os._exit(0)
        except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send(("failed", task_id, Reason(N_("could not be processed: {error}"), error=one_line(e))))
        if status == "fatal":
            os._exit(3)


# --- the parent side --------------------------------------------------------------------------------


_BOOT = ("import sys; sys.path.insert(0, sys.argv[2]); "
         "from searchdocs.ingest.workers import _child_main; _child_main(int(sys.argv[1]))")


def _child_main(fd: int) -> None:
    """Entry point of a worker process: the first message says what to run and how."""
    conn = Connection(fd)
    try:
        sys_path, fn_pickle, parent_pid, max_memory_mb = conn.recv()
    except (EOFError, OSError):
        os._exit(0)
    sys.path[:] = sys_path
    fn = pickle.loads(fn_pickle)  # after sys.path: the function's module may live anywhere on it
    # Started: from now on a parser's messages would only scribble over the parent's progress bar.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _worker_main(conn, fn, parent_pid, max_memory_mb)


class _Worker:
    """One worker process (a fresh interpreter, so no lock, thread or open index file is inherited)
    and our end of its socket pair."""

    def __init__(self, fn: Callable[..., Any], max_memory_mb: int | None) -> None:
        ours, theirs = socket.socketpair()
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(theirs.fileno()), package_root],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.conn.send((list(sys.path), pickle.dumps(fn), os.getpid(), max_memory_mb))
        self.task: tuple[int, Any] | None = None  # (task id, key)
        self.deadline = float("inf")

    def give(self, task_id: int, key: Any, args: tuple, timeout: float | None) -> None:
        self.task = (task_id, key)
        self.deadline = time.monotonic() + timeout if timeout else float("inf")
        self.conn.send((task_id, args))

    def exitcode(self, wait_seconds: float = 1.0) -> int | None:
        try:
            return self.process.wait(wait_seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.kill()
            except OSError:
                pass
        self.exitcode(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        if self.exitcode(2) is None:
            self.kill()
        self.conn.close()


def _death_reason(exitcode: int | None, max_memory_mb: int | None) -> str:
    if exitcode is None:
        return Reason(N_("worker stopped responding"))
    if exitcode < 0:
        number = -exitcode
        if number == signal.SIGKILL:
            return Reason(N_("worker killed (signal {number}; out of memory?)"), number=number)
        return Reason(N_("worker crashed (signal {number})"), number=number)
    if exitcode == 3:
        return (Reason(N_("out of memory (worker limit {limit} MB)"), limit=max_memory_mb) if max_memory_mb
                else Reason(N_("out of memory")))
    return Reason(N_("worker exited unexpectedly (exit code {code})"), code=exitcode)


class WorkerPool:
    """Runs ``fn(*args)`` for each task in up to ``jobs`` worker processes.

    ``fn`` must be importable by name (a module-level function): it is sent to spawned processes.
    With ``in_process=True`` tasks run here instead, one by one, with no time or memory limit.
    Use as a context manager; :meth:`run` yields an :class:`Outcome` per task as each finishes,
    and ``None`` every ``tick`` seconds while waiting, so the caller can do periodic work.
    """

    def __init__(self, fn: Callable[..., Any], jobs: int = 1, *, timeout: float | None = None,
                 max_memory_mb: int | None = None, in_process: bool = False) -> None:
        self.fn, self.jobs, self.timeout, self.max_memory_mb = fn, max(1, jobs), timeout or None, max_memory_mb
        self.in_process = in_process
        self.workers: list[_Worker] = []
        self.started = 0  # worker processes started, replacements included

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        workers, self.workers = self.workers, []
        for w in workers:
            if w.task is None:
                w.stop()
            else:
                w.kill()

    def _spawn(self) -> _Worker:
        w = _Worker(self.fn, self.max_memory_mb)
        self.started += 1
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.kill()
        self.workers.remove(w)

    def run(self, tasks: Iterable[tuple[Any, tuple]], tick: float = 1.0) -> Iterator[Outcome | None]:
        """``tasks`` are ``(key, args)`` pairs; each yields exactly one Outcome with that key."""
        if self.in_process:
            for key, args in tasks:
                status, value = _run_task(self.fn, args)
                yield Outcome(key, value) if status == "ok" else Outcome(key, reason=value)
            return
        queue = deque(tasks)
        total = len(queue)
        finished = 0
        next_id = 0
        while finished < total:
            # Hand out work, starting workers lazily (never more than there are tasks left).
            idle = [w for w in self.workers if w.task is None]
            while queue and (idle or len(self.workers) < self.jobs):
                w = idle.pop() if idle else self._spawn()
                key, args = queue.popleft()
                next_id += 1
                try:
                    w.give(next_id, key, args, self.timeout)
                except OSError:  # died before it got the task: put it back, replace the worker
                    queue.appendleft((key, args))
                    self._retire(w)
            busy = [w for w in self.workers if w.task is not None]
            now = time.monotonic()
            wait_for = min([tick] + [max(0.0, w.deadline - now) for w in busy])
            ready = wait([w.conn for w in busy], timeout=wait_for)
            got_any = False
            for w in busy:
                outcome = self._collect(w, ready)
                if outcome is not None:
                    finished += 1
                    got_any = True
                    yield outcome
            if not got_any:
                yield None

    def _collect(self, w: _Worker, ready: list) -> Outcome | None:
        """The outcome of ``w``'s task if it has one now (result, death or deadline), else None."""
        assert w.task is not None
        task_id, key = w.task
        dead = False
        while w.conn in ready:
            try:
                if not w.conn.poll():
                    break
                status, got_id, value = w.conn.recv()
            except (EOFError, OSError):  # the worker's end closed: it died
                dead = True
                break
            if got_id != task_id:
                continue
            if status == "alive":
                w.deadline = time.monotonic() + self.timeout if self.timeout else float("inf")
                continue
            w.task = None
            if status == "ok":
                return Outcome(key, value)
            if status == "fatal":
                self._retire(w)
                value = _death_reason(3, self.max_memory_mb)
            return Outcome(key, reason=value)
        if dead or w.process.poll() is not None:
            reason = _death_reason(w.exitcode(5), self.max_memory_mb)
            self._retire(w)
            return Outcome(key, reason=reason)
        if time.monotonic() >= w.deadline:
            self._retire(w)
            return Outcome(key, reason=Reason(N_("timed out after {seconds} s"), seconds=f"{self.timeout:g}"))
        return None
