"""``searchdocs shell`` driven through a pseudo-terminal (standard library ``pty``; pexpect is not
installed): a query, opening a hit, citing it, Ctrl-C, quitting, and the readline history file."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PROMPT = "searchdocs> "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _controlling_terminal() -> None:
    """In the child, after setsid: make the pty its controlling terminal, so that Ctrl-C is SIGINT."""
    import fcntl
    import signal
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background test run may have it ignored


class Session:
    def __init__(self, index_dir: Path, state: Path, args: tuple[str, ...] = ("shell",),
                 lang: str = "en") -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "XDG_STATE_HOME": str(state), "NO_COLOR": "1", "TERM": "dumb", "PAGER": "cat",
               "COLUMNS": "200", "LINES": "50", "PYTHONPATH": str(ROOT), "LANGUAGE": lang}
        env.pop("FORCE_COLOR", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "searchdocs", "--index", str(index_dir), *args],
                                     stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                                     start_new_session=True, preexec_fn=_controlling_terminal)
        os.close(slave)
        self.buffer = ""

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Read until ``text`` appears; return what came before it (ANSI codes and \\r removed)."""
        deadline = time.monotonic() + timeout
        while text not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; got:\n{self.buffer[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"shell ended before {text!r}; got:\n{self.buffer[-2000:]}")
                self.buffer += ANSI.sub("", chunk.decode("utf-8", "replace")).replace("\r", "")
        before, _, self.buffer = self.buffer.partition(text)
        return before

    def send(self, data: str) -> None:
        os.write(self.master, data.encode("utf-8"))

    def line(self, text: str) -> None:
        """Type a line as a person does: the text, seen echoed by readline, then Enter."""
        self.send(text)
        self.expect(text)
        self.send("\n")

    def close(self) -> int:
        try:
            code = self.proc.wait(timeout=20)
        finally:
            os.close(self.master)
        return code


@pytest.fixture
def session(search_index_dir, tmp_path):
    s = Session(search_index_dir, tmp_path / "state")
    yield s
    if s.proc.poll() is None:
        s.proc.kill()
        s.proc.wait()


def test_query_open_cite_quit(session, tmp_path, search_index):
    from searchdocs.search.citation import cite

    meta = search_index.find_document("294-QĐ/TW").meta
    session.expect(PROMPT)
    session.line("quyen cua dang vien loai:quy-dinh")
    listing = session.expect(PROMPT)
    assert " 1. Quy định 294-QĐ/TW (2025-05-26) — Thi hành Điều lệ Đảng" in listing
    assert "1 of 1 matching document" in listing and "matching documents" not in listing  # ngettext
    section = re.search(r"^\s{4}(\S.*?), p\. \d+", listing.split(" 1. ", 1)[1], re.M).group(1)

    session.line("1")
    passage = session.expect(PROMPT)
    assert section in passage  # the rule above the passage
    assert "Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương" in passage

    session.line(":cite 1")
    citation = session.expect(PROMPT).strip().splitlines()[-1]
    assert citation == cite(section, meta).text
    assert citation.startswith("mục ") and " Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương" in citation

    session.line(":cite 9")
    assert "need a number from 1 to 1" in session.expect(PROMPT)

    session.line(":q")
    assert session.close() == 0
    history = (tmp_path / "state" / "searchdocs" / "history").read_text(encoding="utf-8")
    assert "quyen cua dang vien loai:quy-dinh" in history
    assert ":cite 1" in history


def test_ctrl_c_cancels_the_line_and_ctrl_d_leaves(session, tmp_path):
    session.expect(PROMPT)
    session.send("this line is never run")
    session.expect("never run")  # echoed: readline has the line
    # CPython's readline loop sees a signal only while it waits in select(): a Ctrl-C landing
    # while it is still echoing is noticed at the next key (a person never types that fast; the
    # test did, and hung at random). Give it the moment a person would.
    time.sleep(0.3)
    session.send("\x03")  # Ctrl-C
    session.expect(PROMPT)
    session.line(":more")
    assert "no query yet" in session.expect(PROMPT)  # the cancelled line did not search
    session.send("\x04")  # Ctrl-D on an empty line
    assert session.close() == 0
    history = (tmp_path / "state" / "searchdocs" / "history").read_text(encoding="utf-8")
    assert "never run" not in history


def test_bare_searchdocs_in_a_terminal_opens_the_shell_in_the_locale_language(search_index_dir, tmp_path):
    s = Session(search_index_dir, tmp_path / "state", args=(), lang="vi")
    try:
        banner = s.expect(PROMPT)
        assert "searchdocs shell — :help để xem lệnh" in banner
        s.line(":more")
        assert "chưa có truy vấn" in s.expect(PROMPT)
        s.send("\x04")
        assert s.close() == 0
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_opening_a_hit_shows_its_neighbours(search_index):
    """A result's number shows its passage between the end of the one before and the start of the next."""
    import io

    from rich.console import Console

    from searchdocs.interface.shell import Shell

    out = io.StringIO()
    shell = Shell(search_index, Console(file=out, width=200, no_color=True), paged=False)
    shell.search("ket nap dang vien 294-QĐ/TW")
    hit = shell.result.hits[0]
    passages = search_index.passages(hit.doc_id)
    at = next(i for i, p in enumerate(passages) if p["section"] == hit.section)
    assert 0 < at < len(passages) - 1, "pick a query whose best passage has neighbours"
    out.seek(0)
    out.truncate()
    shell.passage(1)
    shown = " ".join(out.getvalue().split())
    assert " ".join(passages[at - 1]["body"].split())[-60:] in shown
    assert " ".join(passages[at + 1]["body"].split())[:60] in shown
