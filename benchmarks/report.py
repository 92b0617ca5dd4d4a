"""Render the latest benchmark results as benchmarks/RESULTS.md and a chart, benchmarks/results.png.

Reads benchmarks/out/retrieval.json (retrieval.py), scale.json (scale.py) and extract.json
(extract.py) and metadata.json (metadata.py); when a full run is missing, the --quick result (scale-quick.json, extract-quick.json)
is used and marked as such. A missing file leaves its section out.

The chart needs matplotlib, which is not a dependency of searchdocs (benchmarks only):

    pip install -r benchmarks/requirements.txt
    python benchmarks/report.py

Without matplotlib the Markdown is still written and the command says how to get the chart.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import OUT, ROOT  # noqa: E402

BENCH = ROOT / "benchmarks"
CHART = BENCH / "results.png"
MARKDOWN = BENCH / "RESULTS.md"
HISTORY = BENCH / "history"  # kept results of earlier code (index formats since changed)
QUALITY = ("mrr@10", "ndcg@10", "recall@10", "recall@100")


def load(out: Path, name: str) -> tuple[dict | list | None, str | None]:
    """The full result ``name``.json, else ``name``-quick.json; and the file used."""
    for candidate in (out / f"{name}.json", out / f"{name}-quick.json"):
        if candidate.exists():
            return json.loads(candidate.read_text(encoding="utf-8")), candidate.name
    return None, None


def _fmt(v, digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def context(m: dict) -> str:
    """", load average A → B (…), code C" for what a result records (older results lack some)."""
    out = ""
    if m.get("load_avg_start") is not None:
        out += f", load average {m['load_avg_start']} → {m.get('load_avg_end')}"
        if max(m["load_avg_start"], m.get("load_avg_end") or 0) > m["cpus"]:
            out += f" (above {m['cpus']}: other work inflated the wall times)"
    if m.get("code"):
        out += f", code {m['code']}"
    return out


def scale_md(s: dict, source: str) -> list[str]:
    c, q = s["corpus"], s["queries"]
    sliced = " — **a slice of the corpus**" if c.get("sliced") else ""
    lines = ["## Speed at scale (`scale.py`)", "",
             f"From `out/{source}`, {s['when']}, {s['machine']['cpus']} CPUs, Python {s['machine']['python']}"
             f"{context(s['machine'])}{sliced}.",
             "",
             f"Corpus: {c['documents']:,} documents, {c['passages']:,} passages, {c['text_chars'] / 1e6:.1f} M characters "
             f"({c['text_mb']:.1f} MB UTF-8), fed as {c['shards']} JSONL shards. Index on disk: "
             f"{s['index_size_mb']:.1f} MB ({s['index_size_mb'] / c['text_mb']:.1f}× the text)."
             + (f" Plain Whoosh (StandardAnalyzer, procs={s['baseline']['procs']}, text stored) on the same records: "
                f"{s['baseline']['seconds']:.1f} s, {s['baseline']['index_mb']:.1f} MB "
                f"({s['baseline']['index_mb'] / c['text_mb']:.1f}× the text); searchdocs with {s['baseline']['procs']} "
                f"jobs takes {s['baseline']['ratio']:.2f}× its time." if s.get("baseline") else ""), "",
             "| indexing | wall s | MB/s | final commit s | CPU s | peak memory MB |", "|---|---:|---:|---:|---:|---:|"]
    for r in s["indexing"]:
        lines.append(f"| {r['jobs']} job{'s' if r['jobs'] > 1 else ''} | {r['seconds']:.1f} | {r['mb_per_s']:.3f} | "
                     f"{r.get('final_commit_s', 0):.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:.0f} |")
    if s.get("extrapolated_full_index_s"):
        lines += ["", f"Full corpus extrapolated linearly from the slice: {s['extrapolated_full_index_s']:,.0f} s "
                      "(a lower bound: Whoosh's final merge grows faster than the text)."]
    lines += ["", "| queries, top 10 | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    for label, key in (("short (1–4 syllables, half without diacritics)", "short"), ("long questions (ALQAC 2023)", "long")):
        m = q[key]
        lines.append(f"| {label} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | {m['max']:.1f} |")
    cli, inc = s["cli"], s["incremental"]
    lines += ["", f"- Batch (`Index.search_many`, long questions): **{q['batch']['queries_per_s']:.1f} queries/s**.",
              f"- Opening the index {q['open_s'] * 1000:.0f} ms; first query {q['first_query_ms']:.0f} ms.",
              f"- CLI cold start (`searchdocs search`, median of {len(cli['runs_s'])}): {cli['median_s']:.2f} s on this index "
              f"(Python alone {cli['python_startup_s']:.2f} s, imports {cli['imports_s']:.2f} s)."]
    if s.get("cli_corpus"):
        cc = s["cli_corpus"]
        lines.append(f"- CLI cold start on the bundled corpus ({cc['passages']:,} passages): {cc['median_s']:.2f} s.")
    lines += [f"- Incremental add of one small file: {inc['add_s']:.2f} s (found by search: {inc['found']}); "
              f"re-run over the unchanged feed: {inc['unchanged_rerun_s']:.2f} s."]
    if s.get("opensearch"):
        o = s["opensearch"]
        lines += ["", f"**On OpenSearch** (`--index {o['url']}`, same records, {o['jobs']} jobs, same run): fed in "
                      f"{o['seconds']:.1f} s, **{o['docs_per_s']:,.0f} documents/s**, {o['mb_per_s']:.3f} MB/s of text "
                      f"({o['documents']:,} records and {o['passages']:,} passages).", "",
                  "| queries, top 10 | engine | n | p50 ms | p95 ms | p99 ms | max ms |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for label, key in (("short", "short"), ("long questions", "long")):
            for engine, m in (("local", q[key]), ("OpenSearch", o[key])):
                lines.append(f"| {label} | {engine} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | "
                             f"{m['max']:.1f} |")
        lines += ["", f"- Batch of long questions: {q['batch']['queries_per_s']:.1f} queries/s locally, "
                      f"{o['batch']['queries_per_s']:.1f} on OpenSearch."]
    lines += ["", "| target | goal | measured | |", "|---|---|---:|---|"]
    for t in s["targets"]:
        note = f" ({t['note']})" if t.get("note") else ""
        lines.append(f"| {t['name']} | {t['target']} | {_fmt(t['value'], 2)} {t['unit']} | "
                     f"{'met' if t['met'] else '**missed**'}{note} |")
    return lines + [""]


def extract_md(e: dict, source: str) -> list[str]:
    lines = ["## Extraction (`extract.py`)", "",
             f"From `out/{source}`, {e['when']}, {e['machine']['cpus']} CPUs{context(e['machine'])}; folders {', '.join(e['folders'])} of `shared/documents`"
             f"{' — **quick: a few files of each kind**' if e['quick'] else ''}.", "",
             "| kind | files | failed | PDF pages | M chars | " + " | ".join(f"{r['workers']} worker{'s' if r['workers'] > 1 else ''}" for r in e["runs"]) + " |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(e["runs"])]
    for kind, k in e["kinds"].items():
        rates = []
        for r in e["runs"]:
            x = r["kinds"][kind]
            rates.append(f"{x['pages_per_s']:.1f} pages/s" if "pages_per_s" in x else f"{x['documents_per_s']:.1f} docs/s")
        pages = str(k["pages"]) if kind == "pdf" else "—"
        lines.append(f"| {kind} | {k['files']} | {k['failed']} | {pages} | {k['chars'] / 1e6:.2f} | " + " | ".join(rates) + " |")
    lines += ["", "Where the time goes, one process (share of extract + structure + metadata):", "",
              "| kind | total s | third-party parser | own extraction (cleaning…) | structure | metadata |",
              "|---|---:|---:|---:|---:|---:|"]
    for kind, ph in e["phases"].items():
        tot = ph["pipeline_s"] or 1
        lib = ph.get("pypdf_s", ph.get("python_docx_s"))
        name = "pypdf" if "pypdf_s" in ph else "python-docx"
        libs = f"{lib / tot:.0%} ({name})" if lib is not None else "—"
        own = ph.get("own_extract_s", ph["extract_s"])
        lines.append(f"| {kind} | {tot:.2f} | {libs} | {own / tot:.0%} | {ph['structure_s'] / tot:.0%} | {ph['metadata_s'] / tot:.0%} |")
    if e.get("profile"):
        lines += ["", "cProfile self time by package (standard library and builtins charged to their callers):", ""]
        for kind, pr in e["profile"].items():
            lines.append(f"- {kind}: " + ", ".join(f"{k} {v:.0%}" for k, v in pr["by_package"].items() if v >= 0.01))
    return lines + [""]


def retrieval_md(sets: list, source: str) -> list[str]:
    lines = ["## Ranking quality (`retrieval.py`)", "", f"From `out/{source}`.", ""]
    for res in sets:
        lines += [f"**{res['set']}**: {res['documents']:,} documents, {res['queries']} queries, "
                  f"indexed in {res['index_seconds']} s.", "",
                  "| system | R@10 | R@100 | MRR@10 | nDCG@10 | ms/query |", "|---|---:|---:|---:|---:|---:|"]
        for label, m in res["systems"].items():
            lines.append(f"| {label} | {m['recall@10']:.3f} | {m['recall@100']:.3f} | {m['mrr@10']:.3f} | "
                         f"{m['ndcg@10']:.3f} | {m['ms_per_query']:.1f} |")
        lines.append("")
    return lines


def ablation_md(runs: list[tuple[list, str]]) -> list[str]:
    """The ablation tables (ablation.py): each run's variants beside the peers of that run."""
    lines = ["## Ablation of the ranking (`ablation.py`)", "",
             "MRR@10 / nDCG@10 of each variant, questions as written | without diacritics; the plain-BM25 "
             "peers ran in the same process on the same records.", ""]
    for results, caption in runs:
        lines += [f"*{caption}*", ""]
        for res in results:
            lines += [f"**{res['set']}** ({res['documents']:,} documents, {res['queries']} questions)", "",
                      "| variant | MRR@10 | nDCG@10 | MRR@10, no diacritics | nDCG@10, no diacritics |",
                      "|---|---:|---:|---:|---:|"]
            for label, row in res["rows"].items():
                a, f = row["accented"], row["no diacritics"]
                lines.append(f"| {label} | {a['mrr@10']:.3f} | {a['ndcg@10']:.3f} | {f['mrr@10']:.3f} | "
                             f"{f['ndcg@10']:.3f} |")
            lines.append("")
    return lines


def rerank_md(r: dict, source: str) -> list[str]:
    """The reranker cross-validated (train_reranker.py)."""
    lines = ["## Reranker, cross-validated (`train_reranker.py`)", "", f"From `out/{source}`. MRR@10.", "",
             "| set | validation | first stage | reranked | bm25s-bigram | first stage, no diacritics | "
             "reranked, no diacritics | bm25s-bigram, no diacritics |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for kind, label in (("by_set", "trained on the other sets"), ("by_fold", "5 query folds")):
        for name, row in r[kind].items():
            a, f = row["accented"], row["no diacritics"]
            lines.append(f"| {name} | {label} | {a['first_stage']:.3f} | {a['reranked']:.3f} | {a['bm25s_bigram']:.3f} | "
                         f"{f['first_stage']:.3f} | {f['reranked']:.3f} | {f['bm25s_bigram']:.3f} |")
    weights = ", ".join(f"{n} {w:+.2f}" for n, w in zip(r["model"]["features"], r["model"]["weights"]))
    return lines + ["", f"Weights of the shipped model (standardized features): {weights}.", ""]


def metadata_md(m: dict, source: str) -> list[str]:
    """Exact accuracy of each metadata field against the hand-checked golden file (metadata.py)."""
    fields = ("number", "doc_type", "date", "issuer", "signer")
    lines = ["## Metadata accuracy (`metadata.py`)", "",
             f"From `out/{source}`, code {m['machine'].get('code')}: number, type, date, issuer and signer read "
             "from every document of `shared/documents`, exact match against "
             "`tests/golden/fields/shared-documents.json` (a field the document does not show must stay empty).", "",
             "| documents | n | " + " | ".join(fields) + " |", "|---|---:|" + "---:|" * len(fields)]
    for group, acc in m["accuracy"].items():
        lines.append(f"| {group} | {acc['documents']} | " + " | ".join(f"{acc[f]:.1%}" for f in fields) + " |")
    lines += ["", f"Mismatches: {len(m['mismatches'])}."]
    lines += [f"- {x['file']} {x['field']}: expected {x['expected']!r}, read {x['read']!r}" for x in m["mismatches"]]
    return lines + [""]


def chart(scale: dict | None, extract: dict | None, retrieval: list | None, path: Path) -> bool:
    """Write the PNG; False (with a message) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("note: matplotlib is not installed, so no chart was drawn (it is needed only for the chart):\n"
              "      pip install -r benchmarks/requirements.txt", file=sys.stderr)
        return False
    panels = [p for p, have in (("latency", scale), ("quality", retrieval), ("extract", extract)) if have]
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        if panel == "latency":
            q = scale["queries"]
            labels = ["p50", "p95", "p99"]
            xs = range(len(labels))
            w = 0.38
            for i, (key, name) in enumerate((("short", "short queries"), ("long", "long questions"))):
                ax.bar([x + (i - 0.5) * w for x in xs], [q[key][p] for p in labels], w, label=name)
            ax.axhline(50, color="C0", ls=":", lw=1, label="short p50 target")
            ax.axhline(300, color="C1", ls=":", lw=1, label="long p50 target")
            ax.set_xticks(list(xs), labels)
            ax.set_ylabel("ms per query (top 10)")
            c = scale["corpus"]
            ax.set_title(f"Query latency, {c['passages']:,} passages{' (slice)' if c.get('sliced') else ''}")
            ax.legend(fontsize=8)
        elif panel == "quality":
            systems = list(retrieval[0]["systems"])
            groups = [(res["set"], s) for res in retrieval for s in systems]
            metrics = ("mrr@10", "ndcg@10", "recall@10")
            w = 0.8 / len(metrics)
            for i, m in enumerate(metrics):
                vals = [next(r for r in retrieval if r["set"] == st)["systems"][s][m] for st, s in groups]
                ax.barh([g + (i - 1) * w for g in range(len(groups))], vals, w, label=m)
            ax.set_yticks(range(len(groups)), [f"{s}\n({st})" if len(retrieval) > 1 else s for st, s in groups], fontsize=8)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_title("Ranking quality: searchdocs vs plain Whoosh")
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3)
        else:
            kinds = list(extract["kinds"])
            w = 0.8 / len(extract["runs"])
            for i, run in enumerate(extract["runs"]):
                vals = [run["kinds"][k].get("pages_per_s", run["kinds"][k].get("documents_per_s")) for k in kinds]
                ax.bar([x + (i - (len(extract["runs"]) - 1) / 2) * w for x in range(len(kinds))], vals, w,
                       label=f"{run['workers']} worker{'s' if run['workers'] > 1 else ''}")
            ax.set_xticks(range(len(kinds)), [f"{k}\n({'pages' if k == 'pdf' else 'docs'}/s)" for k in kinds])
            ax.set_title(f"Extraction throughput{' (quick)' if extract['quick'] else ''}")
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--out-dir", type=Path, default=OUT, help="where the JSON results are (default benchmarks/out)")
    ap.add_argument("--markdown", type=Path, default=MARKDOWN, help="Markdown file to write")
    ap.add_argument("--chart", type=Path, default=CHART, help="PNG file to write")
    for name in ("retrieval", "scale", "extract", "metadata"):
        ap.add_argument(f"--{name}", type=Path, metavar="JSON",
                        help=f"use this {name} result instead of the latest one in --out-dir")
    args = ap.parse_args()
    found = {}
    for name in ("retrieval", "scale", "extract", "metadata"):
        chosen = getattr(args, name)
        found[name] = ((json.loads(chosen.read_text(encoding="utf-8")), chosen.name) if chosen
                       else load(args.out_dir, name))
    (retrieval, r_src), (scale, s_src), (extract, e_src) = found["retrieval"], found["scale"], found["extract"]
    if not (retrieval or scale or extract):
        sys.exit(f"no results in {args.out_dir}: run benchmarks/retrieval.py, scale.py or extract.py first")
    drew = chart(scale, extract, retrieval, args.chart)
    lines = ["# Benchmark results", "",
             "Generated by `python benchmarks/report.py` from the JSON in `benchmarks/out/`; "
             "see `benchmarks/README.md` for what each number means.", ""]
    if drew:
        lines += [f"![latency, quality and extraction]({args.chart.name})", ""]
    if scale:
        lines += scale_md(scale, s_src)
    if extract:
        lines += extract_md(extract, e_src)
    if retrieval:
        lines += retrieval_md(retrieval, r_src)
    ablations = []
    if (args.out_dir / "ablation.json").exists():
        ablations.append((json.loads((args.out_dir / "ablation.json").read_text(encoding="utf-8")),
                          "the current code (`out/ablation.json`)"))
    for path in sorted(HISTORY.glob("ablation-*.json")):
        kept = json.loads(path.read_text(encoding="utf-8"))
        ablations.append((kept["results"], f"{kept['note']} (`{path.relative_to(HISTORY.parent)}`)"))
    if ablations:
        lines += ablation_md(ablations)
    if (args.out_dir / "rerank.json").exists():
        lines += rerank_md(json.loads((args.out_dir / "rerank.json").read_text(encoding="utf-8")), "rerank.json")
    metadata, m_src = found["metadata"]
    if metadata:
        lines += metadata_md(metadata, m_src)
    args.markdown.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {args.markdown}" + (f" and {args.chart}" if drew else ""))


if __name__ == "__main__":
    main()
