"""The command line: parse options, call one library function, render, return an exit code."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import click

from searchdocs.interface import i18n
from searchdocs.interface import output
from searchdocs.errors import N_, SearchdocsError
from searchdocs.interface.i18n import _, ngettext

i18n.route_click_messages()


class ExitStatus(IntEnum):
    FOUND = 0
    NOT_FOUND = 1
    ERROR = 2


@dataclass
class Env:
    """What a command needs from its surroundings; tests build their own."""

    index_dir: str  # a folder or an OpenSearch index URL
    overrides: Path | None = None  # status override file (--overrides / SEARCHDOCS_OVERRIDES)
    ca_cert: str | None = None  # the CA of an OpenSearch cluster's TLS certificate (--ca-cert)

    @property
    def stdout(self):
        return sys.stdout

    @property
    def stderr(self):
        return sys.stderr

    def is_tty(self) -> bool:
        return self.stdout.isatty()

    def console(self, err: bool = False):
        return output.make_console(self.stderr if err else self.stdout)


def fail(message: str) -> None:
    """Say what went wrong (``message`` already in the interface language) and exit 2."""
    click.echo(_("searchdocs: error: {message}").format(message=message), err=True)
    sys.exit(ExitStatus.ERROR)


def _help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


class Command(click.Command):
    """Help texts in the interface language, chosen when the help is shown (after --lang is read)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        i18n.localize(ctx.find_root().command)
        super().format_help(ctx, formatter)


class Group(click.Group):
    """Turns library errors into one line on stderr and exit code 2: no tracebacks for users."""

    command_class = Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        i18n.localize(ctx.find_root().command)
        super().format_help(ctx, formatter)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SearchdocsError as e:
            fail(i18n.error_text(e))
        except KeyboardInterrupt:
            click.echo(_("searchdocs: interrupted"), err=True)
            sys.exit(130)
        except BrokenPipeError:
            _quiet_pipe()
        finally:
            try:  # what is still buffered meets a closed pipe at the latest here
                sys.stdout.flush()
            except BrokenPipeError:
                _quiet_pipe()


def _quiet_pipe() -> None:
    """A reader that stopped early (``| head``): end quietly with exit 0, as git and ripgrep do;
    the rest of the output is simply not wanted."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
    except (OSError, ValueError):  # a stream without a file descriptor (tests)
        pass
    sys.exit(ExitStatus.FOUND)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    i18n.set_language(value)  # None: the locale decides
    return value


def _interactive() -> bool:
    """Whether a person sits at a terminal (both ends): then bare `searchdocs` opens the shell."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, is_eager=True, expose_value=False,
              callback=_set_lang,
              help="Interface language (default: vi if LANGUAGE, LC_ALL, LC_MESSAGES or LANG starts with vi).")
@click.option("--index", "index_dir", default="index", metavar="DIR|URL",
              envvar="SEARCHDOCS_INDEX", show_default=True, show_envvar=True,
              help="Index to use: a directory, or an OpenSearch index URL http(s)://HOST:PORT/NAME.")
@click.option("--overrides", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SEARCHDOCS_OVERRIDES", show_envvar=True,
              help="Status override file (JSON; default: status-overrides.json in the index directory).")
@click.option("--ca-cert", type=click.Path(dir_okay=False), default=None, envvar="SEARCHDOCS_CA_CERT",
              show_envvar=True, help="CA certificate (PEM) that signed an OpenSearch cluster's TLS certificate.")
@click.version_option(package_name="searchdocs")
@click.pass_context
def cli(ctx: click.Context, index_dir: str, overrides: Path | None, ca_cert: str | None) -> None:
    """Full-text search for Vietnamese Party and state documents.

    Run alone in a terminal, opens the interactive shell (searchdocs shell).

    \b
    Queries work with or without diacritics, in either tone-mark style,
    and document numbers match in any spelling (294-QĐ/TW, 294-qd/tw, Quy định 294).

    \b
    Examples:
      searchdocs index                      # index corpus/ into index/
      searchdocs search "chuyen sinh hoat dang"
      searchdocs show 294-QĐ/TW --section "1.1"
      searchdocs search --type huong-dan --year 2025
      searchdocs refs 294-QĐ/TW
      searchdocs stats
      searchdocs --index http://127.0.0.1:9200/vanban search "Quy định 294"
    """
    ctx.obj = Env(index_dir, overrides, ca_cert)
    if ctx.invoked_subcommand is None:
        if _interactive():
            ctx.invoke(shell_cmd)
        click.echo(ctx.get_help())
        sys.exit(ExitStatus.FOUND)


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for extraction (default: number of cores).")
@click.option("--file-timeout", type=click.FloatRange(0), default=120.0, show_default=True, metavar="SECONDS",
              help="Give up on a file after this long (with --ocr: per page read); 0: no limit.")
@click.option("--max-memory", type=click.IntRange(0), default=2048, show_default=True, metavar="MB",
              help="Memory limit of each worker process; a file that needs more fails; 0: no limit.")
@click.option("--max-file-size", type=click.FloatRange(0.001), default=200.0, show_default=True,
              help="Skip files larger than this many MB.")
@click.option("--wait", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Seconds to wait for another indexing run to finish.")
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone from under PATHS.")
@click.option("--dry-run", is_flag=True, help="Only say what would be indexed, moved or removed.")
@click.option("--ocr", is_flag=True, help="Read scanned PDF pages with Tesseract (needs tesseract-ocr-vie).")
@click.option("--rehash", is_flag=True, help="Hash every file, even when its size and time are unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar; print only failures.")
@click.option("--rebuild", is_flag=True,
              help="OpenSearch: index PATHS into a new index, then point the alias at it (no downtime).")
@click.option("--shards", type=click.IntRange(1, 1024), default=None, envvar="SEARCHDOCS_SHARDS", show_envvar=True,
              help="OpenSearch: primary shards of an index created by this run (default 1).")
@click.option("--replicas", type=click.IntRange(0, 16), default=None, envvar="SEARCHDOCS_REPLICAS",
              show_envvar=True, help="OpenSearch: replicas of each shard of an index created by this run (default 0).")
@click.pass_obj
def index_cmd(env: Env, paths: tuple[Path, ...], jobs: int | None, file_timeout: float, max_memory: int,
              max_file_size: float, wait: float, prune: bool, dry_run: bool, ocr: bool, rehash: bool,
              as_json: bool, quiet: bool, rebuild: bool, shards: int | None, replicas: int | None) -> None:
    """Index files and folders (recursively) into the index.

    With no PATHS, indexes the corpus/ folder. Files whose size, time or content hash have not
    changed since the last run are skipped; changed files have their passages replaced; a file
    moved to a new path is re-filed without reading it again; files gone from under PATHS are
    reported, and removed with --prune. Inside folders, hidden files and README.* are skipped.
    One bad file never stops the run: a file that cannot be
    read, hangs past --file-timeout or crashes its worker is reported with a one-line reason.

    Exit code 0 when the run completed, failed files included (they are listed, and in --json);
    2 when it could not run (e.g. another run holds the index past --wait). An interrupted run
    keeps every batch it committed; run the same command again to finish the work.

    \b
    Examples:
      searchdocs index
      searchdocs index ~/van-ban/ new.pdf
      searchdocs index ~/van-ban/ --prune --dry-run
      searchdocs --index /tmp/ix index corpus/ --jobs 2 --json
      searchdocs --index http://127.0.0.1:9200/vanban index corpus/ --shards 2 --replicas 1
      searchdocs --index http://127.0.0.1:9200/vanban index corpus/ --rebuild
    """
    from searchdocs.engines import index_paths, is_url

    if not paths:
        if not Path("corpus").is_dir():
            fail(_("no paths given and no corpus/ folder here: pass files or folders to index"))
        paths = (Path("corpus"),)
    cluster = {}
    if is_url(env.index_dir):
        cluster = {"rebuild": rebuild, "shards": shards, "replicas": replicas, "ca_cert": env.ca_cert}
    elif any(click.get_current_context().get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
             for name in ("rebuild", "shards", "replicas")):
        fail(_("--rebuild, --shards and --replicas are for an OpenSearch index (--index http(s)://HOST:PORT/NAME)"))
    show_progress = not (quiet or as_json or dry_run) and env.stderr.isatty()
    with _progress(env, show_progress) as progress:
        report = index_paths(env.index_dir, paths, jobs=jobs, max_bytes=int(max_file_size * 1e6),
                             wait=wait, progress=progress, file_timeout=file_timeout or None,
                             max_memory_mb=max_memory or None, prune=prune, dry_run=dry_run, ocr=ocr,
                             rehash=rehash, **cluster)
    if as_json:
        click.echo(output.to_json(output.report_to_dict(report)))
    elif quiet:
        for f in report.failed:
            click.echo(_("failed: {path}: {reason}").format(path=output.display_path(f.path),
                                                             reason=i18n.error_text(f.reason)), err=True)
        for note in report.notes:
            click.echo(_("note: {note}").format(note=i18n.error_text(note)), err=True)
    else:
        output.render_report(env.console(), report, env.console(err=True))
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

        self.bar = Progress(TextColumn(_("indexing")), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                            TextColumn("{task.fields[name]}", style="dim"),
                            console=self.env.console(err=True), transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("index", total=None, rate="", name="")
        return self.update

    def update(self, done: int, total: int, path: str) -> None:
        elapsed = self.bar.tasks[0].elapsed or 1e-9
        self.bar.update(self.task, completed=done, total=total,
                        rate=_("{rate} files/s").format(rate=f"{done / elapsed:.1f}"),
                        name=Path(path).name[:40])

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.__exit__(*exc)


def _read_batch(path: Path) -> list[tuple[str, str]]:
    """Queries from a file: plain lines (numbered from 1) or JSONL with _id/id and text/q."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise SearchdocsError(N_("cannot read batch file {path}: {reason}"), path=path, reason=e.strerror or e) from e
    queries: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                rec = json.loads(line)
                queries.append((str(rec.get("_id", rec.get("id", n))), str(rec.get("text", rec.get("q", "")))))
            except (ValueError, AttributeError) as e:
                raise SearchdocsError(N_("{path}:{line}: not a JSON object: {reason}"), path=path, line=n, reason=e) from e
        else:
            queries.append((str(n), line.strip()))
    return queries


def _filter_options(f):
    """The metadata filter options of ``search``."""
    options = [
        click.option("--type", "types", multiple=True, metavar="TYPE",
                     help='Document type: "Hướng dẫn", huong-dan or HD (repeat for either).'),
        click.option("--issuer", "issuers", multiple=True, metavar="NAME",
                     help='Issuing body: part of its name or an abbreviation ("ban bi thu", BBT, TW).'),
        click.option("--number", "numbers", multiple=True, metavar="NUMBER",
                     help="Document number in any spelling (294-QĐ/TW, 294-qd/tw, 294)."),
        click.option("--from", "date_from", metavar="DATE", help="Dated on or after DATE (YYYY-MM-DD)."),
        click.option("--to", "date_to", metavar="DATE", help="Dated on or before DATE (YYYY-MM-DD)."),
        click.option("--year", "years", multiple=True, metavar="YYYY", help="Dated in that year."),
        click.option("--signer", "signers", multiple=True, metavar="NAME", help="Signed by (name or part of it)."),
        click.option("--in-force", is_flag=True,
                     help="Only documents that no indexed document replaces, repeals or ends."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.command("search")
@click.argument("query", required=False)
@click.option("-n", "--limit", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="Documents to show (per query with --batch).")
@click.option("--json", "fmt", flag_value="json", help="One JSON object with all results.")
@click.option("--jsonl", "fmt", flag_value="jsonl", help="One JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "trec", "md", "csv"]), default=None,
              help="Output format (trec: TREC run lines, for --batch; md, csv: a table of citation, title, "
                   "section, page, snippet).")
@click.option("--cite", is_flag=True, help='Add each hit\'s citation ("citation" in JSON).')
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Answer every query in FILE (lines, or JSONL with _id and text).")
@click.option("--explain", is_flag=True,
              help="Show each hit's first-stage score, the reranker's features and their contributions.")
@click.option("--no-rerank", "no_rerank", is_flag=True,
              help="Rank by the first stage (BM25F) alone, without the reranking model.")
@_filter_options
@click.pass_obj
def search_cmd(env: Env, query: str | None, limit: int, fmt: str | None, cite: bool, batch: Path | None,
               explain: bool, no_rerank: bool,
               types: tuple[str, ...], issuers: tuple[str, ...], numbers: tuple[str, ...], date_from: str | None,
               date_to: str | None, years: tuple[str, ...], signers: tuple[str, ...], in_force: bool) -> None:
    """Search the index. Exit code 0 if something was found, 1 if not, 2 on error.

    With filters and no QUERY, lists the matching documents newest first.

    \b
    Query syntax:
      words              ranked; not all required; diacritics optional
      "exact phrase"     required phrase
      -word  -"phrase"   exclude passages that contain them
      "a b" OR "c d"     either phrase
      294-QĐ/TW, Quy định 294, NQ 21 TW, 15/2020/NĐ-CP   that document first
      BBT, ban bí thư    abbreviations and full names find each other

    \b
    Filters, as options or in the query (accents optional):
      loai:huong-dan  (type:)      so:294-QĐ/TW  (number:)    nam:2025  (year:)
      tu:2025-01-01   (from:)      den:2025-12-31  (to:)
      coquan:BBT, coquan:"ban bi thu"  (issuer:)               nguoiky:"To Lam"  (signer:)
      hieuluc:con, hieuluc:het  (status:)

    \b
    Examples:
      searchdocs search "chuyen sinh hoat dang"
      searchdocs search "Quy định 294" --limit 5
      searchdocs search '"kết nạp đảng viên" -"quân đội"' --json
      searchdocs search "ket nap dang vien loai:huong-dan nam:2025"
      searchdocs search --issuer BBT --in-force            # list documents, newest first
      searchdocs search "the dang vien" --from 2025-06-01 --to 2025-12-31
      searchdocs search --batch queries.jsonl --format trec --limit 100 > run.trec
      searchdocs search "the dang vien" --cite
      searchdocs search "ket nap dang vien" --format csv > ket-nap.csv
      searchdocs search "dang vien di lam an xa chuyen sinh hoat" --explain -n 3
    """
    from searchdocs.search.filters import build
    from searchdocs.engines import open_index

    filters = build(types=types, issuers=issuers, numbers=numbers, years=years, date_from=date_from,
                    date_to=date_to, signers=signers, in_force=True if in_force else None)
    if query is not None and batch is not None:
        fail(_("give a QUERY or --batch FILE (not both)"))
    if query is None and batch is None and filters.is_empty:
        fail(_("give a QUERY, a filter (--type, --issuer, --year …) or --batch FILE"))
    fmt = fmt or "text"
    if batch is not None and fmt in ("md", "csv"):
        fail(_("--format md and csv are for one QUERY, not --batch"))
    with open_index(env.index_dir, overrides=env.overrides, ca_cert=env.ca_cert) as ix:
        ix.require_documents()
        if batch is not None:
            found = False
            for qid, result in ix.search_many(_read_batch(batch), limit, filters=filters, rerank=not no_rerank,
                                              explain=explain):
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
        result = ix.search(query or "", limit, filters=filters, rerank=not no_rerank, explain=explain)
        citations = None
        if cite or fmt in ("md", "csv"):
            from searchdocs.search.citation import cite_hits

            citations = [c.text for c in cite_hits(ix, result.hits)]
    if fmt == "json":
        data = output.result_to_dict(result)
        for hit, text in zip(data["results"], citations or []):
            hit["citation"] = text
        click.echo(output.to_json(data))
    elif fmt == "jsonl":
        for i, hit in enumerate(result.hits):
            click.echo(output.to_json({**output.hit_to_dict(hit), **({"citation": citations[i]} if cite else {})}))
    elif fmt == "trec":
        for line in output.trec_lines("1", result):
            click.echo(line)
    elif fmt == "csv":
        from searchdocs.search.exports import results_csv

        click.echo(results_csv(result, citations), nl=False)
    elif fmt == "md":
        from searchdocs.search.exports import results_markdown

        click.echo(results_markdown(result, citations), nl=False)
    elif env.is_tty():
        output.render_results(env.console(), result, citations)
    else:
        for note in (output.unknown_numbers_note(result), output.unmatched_filters_note(result)):
            if note:  # on stderr: the lines on stdout stay one result each
                click.echo(_("note: {note}").format(note=note), err=True)
        for line in output.plain_results(result, citations):
            click.echo(line)
    sys.exit(ExitStatus.FOUND if result.hits else ExitStatus.NOT_FOUND)


@cli.command("show")
@click.argument("ref")
@click.option("--section", help='Only this section, e.g. "Điều 4" or "1.2".')
@click.option("--json", "as_json", is_flag=True, help="Metadata and passages as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default=None,
              help="Output format (md: Markdown, headings per section).")
@click.option("--cite", is_flag=True, help="The citation of each section shown.")
@click.option("-q", "--query", help="Highlight this query's words (accents optional).")
@click.option("--open", "open_file", is_flag=True, help="Open the original file with xdg-open or open.")
@click.pass_obj
def show_cmd(env: Env, ref: str, section: str | None, as_json: bool, fmt: str | None, cite: bool,
             query: str | None, open_file: bool) -> None:
    """Show a document's metadata and text, by number, id or path.

    In a terminal, long output goes through a pager (rich's, i.e. $PAGER or less); piped, never.

    \b
    Examples:
      searchdocs show 294-QĐ/TW
      searchdocs show "294-qd/tw" --section "Điều 4"
      searchdocs show 294-QĐ/TW --section 2.1 --cite
      searchdocs show 06-HD/TW --query "chuyen sinh hoat" --section 8
      searchdocs show 06-HD/TW --format md > hd06.md
      searchdocs show corpus/sotay_quydinh294.pdf --json
      searchdocs show 294-QĐ/TW --open
    """
    from searchdocs.search.citation import cite as make_citation
    from searchdocs.search.exports import document_markdown
    from searchdocs.engines import open_index
    from searchdocs.search.results import highlight_spans, select_section

    fmt = "json" if as_json else fmt or "text"
    with open_index(env.index_dir, overrides=env.overrides, ca_cert=env.ca_cert) as ix:
        rec = ix.find_document(ref)
        passages = ix.passages(rec.doc_id)
        refs = ix.references(rec.doc_id)
    if open_file:
        _open_original(rec.path)
    if section:
        chosen = select_section(passages, section)
        if not chosen:
            fail(_("no section {section!r} in {document}; its sections: {labels}").format(
                section=section, document=rec.meta.get("number") or rec.doc_id,
                labels=_section_list([p["section"] for p in passages if p["section"]])))
        passages = chosen
    citations = [make_citation(p["section"], rec.meta).text for p in passages] if cite else None
    if fmt == "json":
        click.echo(output.to_json({
            "doc_id": rec.doc_id, "path": rec.path, **rec.facts,
            "passages": [{"section": p["section"], "page": p.get("page"), "text": p["body"],
                          **({"citation": citations[i]} if cite else {})} for i, p in enumerate(passages)],
            "status": refs.status.code if refs.status else None,
            "status_detail": output.status_to_dict(refs.status),
            "versions": output.versions_to_list(refs.versions),
            "references": {"cites": [output.reference_to_dict(r) for r in refs.cites],
                           "cited_by": [output.reference_to_dict(r) for r in refs.cited_by]},
        }))
        sys.exit(ExitStatus.FOUND)
    if fmt == "md":
        click.echo(document_markdown(rec.meta, output.display_path(rec.path), passages, citations), nl=False)
        sys.exit(ExitStatus.FOUND)
    spans = [highlight_spans(p["body"], query) for p in passages] if query else None
    console = env.console()
    if env.is_tty():
        with console.pager(styles=True):
            output.render_document(console, rec, passages, refs, relations=not section, citations=citations,
                                   spans=spans)
    else:
        output.render_document(console, rec, passages, refs, relations=not section, citations=citations,
                               spans=spans)
    sys.exit(ExitStatus.FOUND)


SECTION_LIST_CHARS = 300  # of section labels in the one-line "no such section" message


def _section_list(labels: list[str]) -> str:
    """Section labels for one line: as many as fit, then how many more there are."""
    shown: list[str] = []
    for label in dict.fromkeys(labels):
        if shown and len(", ".join(shown + [label])) > SECTION_LIST_CHARS:
            break
        shown.append(label)
    rest = len(dict.fromkeys(labels)) - len(shown)
    text = ", ".join(shown) or _("(none)")
    if rest:
        text += " " + ngettext("… and {n} more (the full list: show without --section)",
                               "… and {n} more (the full list: show without --section)", rest).format(n=rest)
    return text


def _open_original(path: str) -> None:
    """Open a file with the desktop's opener and exit 0, or exit 2 saying none is available."""
    import shutil
    import subprocess

    opener = shutil.which("xdg-open") or shutil.which("open")
    if opener is None:
        fail(_("no program to open files with (xdg-open or open) is available; the file is {path}").format(path=path))
    if not Path(path).is_file():
        fail(_("the original file is gone: {path}").format(path=path))
    subprocess.Popen([opener, path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
    click.echo(_("opened {path} with {opener}").format(path=output.display_path(path), opener=Path(opener).name), err=True)
    sys.exit(ExitStatus.FOUND)


@cli.command("shell")
@click.pass_obj
def shell_cmd(env: Env) -> None:
    """An interactive prompt: type a query, a number to read that hit, :cite N, :show N, :more,
    :filter …, :q.

    History is kept in $XDG_STATE_HOME/searchdocs/history (~/.local/state/searchdocs/history).
    Ctrl-C cancels the line being typed; Ctrl-D leaves.

    \b
    Examples:
      searchdocs shell
      searchdocs --index /tmp/ix shell
      searchdocs> ket nap dang vien loai:huong-dan
      searchdocs> 2
      searchdocs> :cite 2
    """
    from searchdocs.interface import shell
    from searchdocs.engines import open_index

    with open_index(env.index_dir, overrides=env.overrides, ca_cert=env.ca_cert) as ix:
        ix.require_documents()
        shell.run(ix, env.console(), paged=env.is_tty())
    sys.exit(ExitStatus.FOUND)


@cli.command("refs")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="References as one JSON object.")
@click.pass_obj
def refs_cmd(env: Env, number: str, as_json: bool) -> None:
    """What a document cites and what cites it, by kind, with the sentence that says so.

    NUMBER is a document number in any spelling (or an id or path). Kinds: Căn cứ, Sửa đổi,
    bổ sung, Thay thế, Bãi bỏ, Hướng dẫn thi hành, Hết hiệu lực, Tham chiếu. Documents that are
    not in the index are shown as references only, with the number as written. A number that is
    only cited (not indexed) shows who cites it and the status they give it. Exit code 0 if there
    are references, 1 if none, 2 if the number is unknown.

    \b
    Examples:
      searchdocs refs 294-QĐ/TW
      searchdocs refs "huong dan 38" --json
      searchdocs refs 12-HD/BTCTW            # not indexed: replaced by 38-HD/BTCTW
    """
    from searchdocs.engines import open_index

    with open_index(env.index_dir, overrides=env.overrides, ca_cert=env.ca_cert) as ix:
        refs = ix.references(number)
    if as_json:
        click.echo(output.to_json(output.references_to_dict(refs)))
    elif env.is_tty():
        output.render_references(env.console(), refs)
    else:
        for line in output.plain_references(refs):
            click.echo(line)
    sys.exit(ExitStatus.FOUND if refs.cites or refs.cited_by else ExitStatus.NOT_FOUND)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Counts as one JSON object.")
@click.pass_obj
def stats_cmd(env: Env, as_json: bool) -> None:
    """Counts of indexed documents by type, issuer, year and validity; index size and age.

    In a terminal the counts are tables with bars; piped, tab-separated lines
    (group, value, count). Documents whose type, issuer or year could not be read are
    counted as "(unknown)" (null in JSON).

    \b
    Examples:
      searchdocs stats
      searchdocs stats --json | jq '.by_type'
      searchdocs --index /tmp/ix stats | grep ^year
    """
    from searchdocs.engines import open_index

    with open_index(env.index_dir, overrides=env.overrides, ca_cert=env.ca_cert) as ix:
        stats = ix.stats()
    if as_json:
        click.echo(output.to_json(output.stats_to_dict(stats)))
    elif env.is_tty():
        output.render_stats(env.console(), stats)
    else:
        for line in output.plain_stats(stats):
            click.echo(line)
    sys.exit(ExitStatus.FOUND if stats.documents else ExitStatus.NOT_FOUND)


@cli.command("check")
@click.option("--no-files", is_flag=True, help="Only check the index itself, not the files behind it.")
@click.option("--json", "as_json", is_flag=True, help="The findings as one JSON object.")
@click.pass_obj
def check_cmd(env: Env, no_files: bool, as_json: bool) -> None:
    """Verify the index: every part readable, records and passages agreeing, files current.

    Exit code 0 if healthy, 1 if indexed files changed or are gone (run `searchdocs index`),
    2 if the index is damaged (delete it and index again) or missing.

    \b
    Examples:
      searchdocs check
      searchdocs --index /tmp/ix check --json
      searchdocs --index http://127.0.0.1:9200/vanban check --no-files
    """
    from searchdocs.engines import check_index

    report = check_index(env.index_dir, files=not no_files, ca_cert=env.ca_cert)
    if as_json:
        click.echo(output.to_json(output.check_to_dict(report)))
    else:
        output.render_check(env.console(), report)
    sys.exit(report.exit_code)


def main() -> None:
    cli(prog_name="searchdocs")
