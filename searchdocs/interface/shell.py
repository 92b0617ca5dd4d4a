"""``searchdocs shell``: search, read and cite from one prompt, with readline history.

Type a query to see ranked results; a number shows that hit's passage in full; ``:cite N``,
``:show N`` (the whole document, paged), ``:more`` (the next results), ``:filter …`` (inline
filters such as ``loai:huong-dan nam:2025`` added to every query; ``:filter`` alone clears),
``:help``, ``:q``. Ctrl-C cancels the line, Ctrl-D leaves. History is kept in
``$XDG_STATE_HOME/searchdocs/history`` (default ``~/.local/state/searchdocs/history``).
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from searchdocs.interface import output
from searchdocs.search.citation import cite
from searchdocs.errors import N_, SearchdocsError
from searchdocs.interface.i18n import _, error_text
from searchdocs.models import SearchResult
from searchdocs.search.base import SearchIndex
from searchdocs.search.results import highlight_spans

PAGE = 10
PROMPT = "searchdocs> "
HELP = N_("""Type a query to search; a number N: read hit N's passage.
  :cite N      the citation of hit N
  :show N      the whole document of hit N
  :more        the next results
  :filter …    filters added to every query (e.g. loai:huong-dan nam:2025); :filter alone clears
  :q           leave (Ctrl-D); Ctrl-C drops the line being typed""")


CONTEXT_CHARS = 160


def _tail(text: str) -> str:
    flat = " ".join(text.split())
    return flat[-CONTEXT_CHARS:]


def _head(text: str) -> str:
    return " ".join(text.split())[:CONTEXT_CHARS]


def history_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "searchdocs" / "history"


class Shell:
    """The loop's state; ``handle(line)`` runs one line and returns False to leave."""

    def __init__(self, index: SearchIndex, console: Console, paged: bool = False) -> None:
        self.ix, self.console, self.paged = index, console, paged
        self.query = ""
        self.filters = ""
        self.result: SearchResult | None = None
        self.shown = 0

    def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line in (":q", ":quit", ":exit"):
            return False
        try:
            self._dispatch(line)
        except SearchdocsError as e:
            self.say(_("error: {message}").format(message=error_text(e)), "red")
        return True

    def say(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))

    def _dispatch(self, line: str) -> None:
        command, _sep, arg = line.partition(" ")  # not "_": that name is gettext here
        arg = arg.strip()
        if line.isdigit():
            self.passage(int(line))
        elif command in (":cite", ":c"):
            hit = self._hit(arg)
            if hit:
                self.say(self._citation(hit))
        elif command in (":show", ":s"):
            hit = self._hit(arg)
            if hit:
                self.document(hit)
        elif command == ":more":
            self.more()
        elif command == ":filter":
            self.filters = arg
            self.say(_("filters: {filters}").format(filters=arg) if arg else _("filters cleared"), "dim")
            if self.query:
                self.search(self.query)
        elif command in (":help", ":h", "?"):
            self.say(_(HELP))
        elif line.startswith(":"):
            self.say(_("unknown command {command}; type :help").format(command=command), "red")
        else:
            self.search(line)

    def search(self, query: str, limit: int = PAGE) -> None:
        self.query = query
        self.result = self.ix.search(f"{query} {self.filters}".strip(), limit)
        self.shown = 0
        self._render_new()

    def more(self) -> None:
        if self.result is None:
            self.say(_("no query yet"), "red")
            return
        if self.shown >= self.result.total:
            self.say(_("no more results"), "dim")
            return
        shown = self.shown
        self.result = self.ix.search(f"{self.query} {self.filters}".strip(), shown + PAGE)
        self.shown = shown
        self._render_new()

    def _render_new(self) -> None:
        assert self.result is not None
        # a later page: its hits only, and what the first page already said not again
        new = replace(self.result, hits=self.result.hits[self.shown:],
                      unknown_numbers=[] if self.shown else self.result.unknown_numbers)
        if not new.hits and self.shown:
            self.say(_("no more results"), "dim")
            return
        output.render_results(self.console, new, first=self.shown + 1)
        self.shown = len(self.result.hits)

    def _hit(self, arg: str):
        if self.result is None:
            self.say(_("no results yet: type a query first"), "red")
            return None
        if not self.result.hits:
            self.say(_("the last query found nothing: type another query"), "red")
            return None
        if not arg.isdigit() or not 1 <= int(arg) <= len(self.result.hits):
            self.say(_("need a number from 1 to {n}").format(n=len(self.result.hits)), "red")
            return None
        return self.result.hits[int(arg) - 1]

    def _citation(self, hit) -> str:
        rec = self.ix.record(hit.doc_id)
        return cite(hit.section, rec.meta if rec else {}).text

    def passage(self, n: int) -> None:
        """The hit's passage in full, under its citation, the query's words highlighted."""
        hit = self._hit(str(n))
        if hit is None:
            return
        passages = self.ix.passages(hit.doc_id)
        same = [p for p in passages if p["section"] == hit.section] or passages
        core = " ".join(hit.snippet.strip("…").split())[:60]
        chosen = next((p for p in same if core in " ".join(p["body"].split())), same[0])
        where = chosen["section"] or _("(preamble)")
        if chosen.get("page") is not None:
            where += " — " + _("p. {page}").format(page=chosen["page"])
        self.console.rule(where, style="dim")
        self.say(self._citation(hit), "italic")
        at = passages.index(chosen)
        if at > 0:  # the end of the passage before, for context
            before = passages[at - 1]
            self.console.print(Text(f"[{before['section'] or _('(preamble)')}] …{_tail(before['body'])}", style="dim"))
        body = Text(chosen["body"])
        for s, e in highlight_spans(chosen["body"], self.query):
            body.stylize("bold yellow", s, e)
        self.console.print(body)
        if at + 1 < len(passages):  # and the start of the one after
            after = passages[at + 1]
            self.console.print(Text(f"[{after['section']}] {_head(after['body'])}…", style="dim"))

    def document(self, hit) -> None:
        rec = self.ix.find_document(hit.doc_id)
        passages = self.ix.passages(rec.doc_id)
        refs = self.ix.references(rec.doc_id)
        spans = [highlight_spans(p["body"], self.query) for p in passages]
        if self.paged:
            with self.console.pager(styles=True):
                output.render_document(self.console, rec, passages, refs, relations=True, spans=spans)
        else:
            output.render_document(self.console, rec, passages, refs, relations=True, spans=spans)


def run(index: SearchIndex, console: Console, paged: bool) -> None:
    """The prompt loop, with readline editing and history when the standard library has it."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input()
        readline = None
    history = history_path()
    if readline is not None:
        readline.set_history_length(1000)
        try:
            readline.read_history_file(history)
        except OSError:
            pass
    shell = Shell(index, console, paged)
    console.print(Text(_("searchdocs shell — :help lists the commands, :q or Ctrl-D leaves"), style="dim"))
    try:
        while True:
            try:
                line = input(PROMPT)
            except KeyboardInterrupt:  # Ctrl-C: drop the line, keep the shell
                print()
                continue
            except EOFError:  # Ctrl-D
                print()
                break
            try:
                if not shell.handle(line):
                    break
            except KeyboardInterrupt:  # Ctrl-C during a long render: back to the prompt
                print()
    finally:
        if readline is not None:
            try:
                history.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(history)
            except OSError as e:
                console.print(Text(_("cannot save the history {path}: {reason}").format(path=history, reason=e.strerror or e),
                                   style="dim"))
