"""The command line: parse options, call one library function, render, return an exit code."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import click

from . import output
from .errors import SearchdocsError


class ExitStatus(IntEnum):
    FOUND = 0
    NOT_FOUND = 1
    ERROR = 2


@dataclass
class Env:
    """What a command needs from its surroundings; tests build their own."""

    index_dir: Path

    @property
    def stdout(self):
        return click.get_text_stream("stdout")

    @property
    def stderr(self):
        return click.get_text_stream("stderr")

    def is_tty(self) -> bool:
        return self.stdout.isatty()

    def console(self, err: bool = False):
        return output.make_console(self.stderr if err else self.stdout)


def fail(message: str) -> None:
    click.echo(f"searchdocs: error: {message}", err=True)
    sys.exit(ExitStatus.ERROR)


class Group(click.Group):
    """Turns library errors into one line on stderr and exit code 2: no tracebacks for users."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SearchdocsError as e:
            fail(str(e))
        except KeyboardInterrupt:
            click.echo("searchdocs: interrupted", err=True)
            sys.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default="index",
              envvar="SEARCHDOCS_INDEX", show_default=True, show_envvar=True,
              help="Index directory to use.")
@click.version_option(package_name="searchdocs")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path) -> None:
    """Full-text search for Vietnamese Party and state documents.

    \b
    Queries work with or without diacritics, in either tone-mark style,
    and document numbers match in any spelling (294-QĐ/TW, 294-qd/tw, Quy định 294).

    \b
    Examples:
      searchdocs index                      # index corpus/ into index/
      searchdocs search "chuyen sinh hoat dang"
      searchdocs show 294-QĐ/TW --section "1.1"
    """
    ctx.obj = Env(index_dir)


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for extraction (default: number of cores).")
@click.option("--max-file-size", type=click.FloatRange(0.001), default=200.0, show_default=True,
              help="Skip files larger than this many MB.")
@click.option("--wait", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Seconds to wait for another indexing run to finish.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar; print only failures.")
@click.pass_obj
def index_cmd(env: Env, paths: tuple[Path, ...], jobs: int | None, max_file_size: float, wait: float,
              as_json: bool, quiet: bool) -> None:
    """Index files and folders (recursively) into the index.

    With no PATHS, indexes the corpus/ folder. Files whose content has not changed since the
    last run are skipped; changed files have their passages replaced. One bad file never stops
    the batch: it is reported with a one-line reason.

    \b
    Examples:
      searchdocs index
      searchdocs index ~/van-ban/ new.pdf
      searchdocs --index /tmp/ix index corpus/ --jobs 2 --json
    """
    from .indexer import index_paths

    if not paths:
        if not Path("corpus").is_dir():
            fail("no paths given and no corpus/ folder here: pass files or folders to index")
        paths = (Path("corpus"),)
    show_progress = not (quiet or as_json) and env.stderr.isatty()
    with _progress(env, show_progress) as progress:
        report = index_paths(env.index_dir, paths, jobs=jobs, max_bytes=int(max_file_size * 1e6),
                             wait=wait, progress=progress)
    if as_json:
        click.echo(output.to_json(output.report_to_dict(report)))
    elif quiet:
        for f in report.failed:
            click.echo(f"failed: {output.display_path(f.path)}: {f.reason}", err=True)
    else:
        output.render_report(env.console(), report)
    sys.exit(ExitStatus.FOUND)


class _progress:
    """A rich progress bar on stderr with files/s and ETA, or nothing."""

    def __init__(self, env: Env, enabled: bool) -> None:
        self.env, self.enabled, self.bar, self.task = env, enabled, None, None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                            TextColumn("{task.fields[name]}", style="dim"),
                            console=self.env.console(err=True), transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("index", total=None, rate="", name="")
        return self.update

    def update(self, done: int, total: int, path: str) -> None:
        elapsed = self.bar.tasks[0].elapsed or 1e-9
        self.bar.update(self.task, completed=done, total=total, rate=f"{done / elapsed:.1f} files/s",
                        name=Path(path).name[:40])

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.__exit__(*exc)


def _read_batch(path: Path) -> list[tuple[str, str]]:
    """Queries from a file: plain lines (numbered from 1) or JSONL with _id/id and text/q."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise SearchdocsError(f"cannot read batch file {path}: {e.strerror or e}") from e
    queries: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                rec = json.loads(line)
                queries.append((str(rec.get("_id", rec.get("id", n))), str(rec.get("text", rec.get("q", "")))))
            except (ValueError, AttributeError) as e:
                raise SearchdocsError(f"{path}:{n}: not a JSON object: {e}") from e
        else:
            queries.append((str(n), line.strip()))
    return queries


@cli.command("search")
@click.argument("query", required=False)
@click.option("-n", "--limit", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="Documents to show (per query with --batch).")
@click.option("--json", "fmt", flag_value="json", help="One JSON object with all results.")
@click.option("--jsonl", "fmt", flag_value="jsonl", help="One JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "trec"]), default=None,
              help="Output format (trec: TREC run lines, for --batch).")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Answer every query in FILE (lines, or JSONL with _id and text).")
@click.pass_obj
def search_cmd(env: Env, query: str | None, limit: int, fmt: str | None, batch: Path | None) -> None:
    """Search the index. Exit code 0 if something was found, 1 if not, 2 on error.

    \b
    Query syntax:
      words              ranked; not all required; diacritics optional
      "exact phrase"     required phrase
      -word  -"phrase"   exclude passages that contain them
      "a b" OR "c d"     either phrase
      294-QĐ/TW, Quy định 294, 15/2020/NĐ-CP   that document first

    \b
    Examples:
      searchdocs search "chuyen sinh hoat dang"
      searchdocs search "Quy định 294" --limit 5
      searchdocs search '"kết nạp đảng viên" -"quân đội"' --json
      searchdocs search --batch queries.jsonl --format trec --limit 100 > run.trec
    """
    from .search import Index

    if (query is None) == (batch is None):
        fail("give a QUERY or --batch FILE (not both)")
    fmt = fmt or "text"
    with Index(env.index_dir) as ix:
        if batch is not None:
            found = False
            for qid, result in ix.search_many(_read_batch(batch), limit):
                found = found or bool(result.hits)
                if fmt == "trec":
                    for line in output.trec_lines(qid, result):
                        click.echo(line)
                elif fmt in ("json", "jsonl"):
                    click.echo(output.to_json({"id": qid, **output.result_to_dict(result)}))
                else:
                    for line in output.plain_results(result):
                        click.echo(f"{qid}\t{line}")
            sys.exit(ExitStatus.FOUND if found else ExitStatus.NOT_FOUND)
        result = ix.search(query, limit)
    if fmt == "json":
        click.echo(output.to_json(output.result_to_dict(result)))
    elif fmt == "jsonl":
        for hit in result.hits:
            click.echo(output.to_json(output.hit_to_dict(hit)))
    elif fmt == "trec":
        for line in output.trec_lines("1", result):
            click.echo(line)
    elif env.is_tty():
        output.render_results(env.console(), result)
    else:
        for line in output.plain_results(result):
            click.echo(line)
    sys.exit(ExitStatus.FOUND if result.hits else ExitStatus.NOT_FOUND)


@cli.command("show")
@click.argument("ref")
@click.option("--section", help='Only this section, e.g. "Điều 4" or "1.2".')
@click.option("--json", "as_json", is_flag=True, help="Metadata and passages as JSON.")
@click.pass_obj
def show_cmd(env: Env, ref: str, section: str | None, as_json: bool) -> None:
    """Show a document's metadata and text, by number, id or path.

    \b
    Examples:
      searchdocs show 294-QĐ/TW
      searchdocs show "294-qd/tw" --section "Điều 4"
      searchdocs show corpus/sotay_quydinh294.pdf --json
    """
    from .search import Index, select_section

    with Index(env.index_dir) as ix:
        rec = ix.find_document(ref)
        passages = ix.passages(rec.doc_id)
    if section:
        chosen = select_section(passages, section)
        if not chosen:
            labels = ", ".join(p["section"] for p in passages if p["section"])
            fail(f"no section {section!r} in {rec.meta.get('number') or rec.doc_id}; "
                 f"its sections: {labels[:300] or '(none)'}")
        passages = chosen
    if as_json:
        click.echo(output.to_json({
            "doc_id": rec.doc_id, "path": rec.path, **rec.facts,
            "passages": [{"section": p["section"], "page": p.get("page"), "text": p["body"]} for p in passages],
        }))
        sys.exit(ExitStatus.FOUND)
    console = env.console()
    console.print(output.document_table(rec.facts, rec.path, rec.doc_id))
    for p in passages:
        where = p["section"] or "(mở đầu)"
        if p.get("page") is not None:
            where += f" — tr. {p['page']}"
        console.rule(where, style="dim")
        console.print(p["body"], highlight=False, markup=False)
    sys.exit(ExitStatus.FOUND)


def main() -> None:
    cli(prog_name="searchdocs")
