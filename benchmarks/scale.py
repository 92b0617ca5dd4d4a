"""Speed at scale: index the bulk legal corpus and measure indexing, memory, size and latency.

The 568 records of ``shared/bulk/phapdien.jsonl.gz`` ({_id, title, text}) are written as a JSONL
feed, which the project indexes like any other input: one document per record, each split into
passages by the same structure splitter as real documents. Extraction runs in worker processes
*per file*, so the feed is cut into ``--shards`` files of about equal size (same shards for every
``--jobs`` value) or a second job would have nothing to do.

Every measured step runs in a fresh child process (so peak memory and cold caches are per step):
indexing with 1 and 2 jobs, query latency for short queries and long questions, batch throughput
(``Index.search_many``), CLI cold start (``python -m searchdocs search``, median of 5), an
incremental add of one small file, and a re-run over the unchanged feed.

    python benchmarks/scale.py                    # full corpus, ~115 M characters (10–20 min)
    python benchmarks/scale.py --quick            # a 0.3 M-character slice, under a minute (CI)
    python benchmarks/scale.py --max-chars 10000000 --jobs 2   # a 10 M-character prefix
    python benchmarks/scale.py --quick --profile  # also cProfile one shard's indexing and a long query

Results: a table on stdout (or JSON with --json), always written to benchmarks/out/scale.json
(benchmarks/out/scale-quick.json for --quick, so a CI run never overwrites the full numbers).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (OUT, ROOT, TreeMemorySampler, cpu_seconds, loadavg, machine, maxrss_mb,  # noqa: E402
                     median, now, package_shares, profile_call, profile_text, shared_path, summary_ms,
                     top_functions, write_json)

QUICK_CHARS = 300_000  # ~0.4 MB: indexing runs at ~0.07 MB/s of CPU, and CI wants under a minute
FULL_CHARS = 114_983_135  # the whole bulk corpus, for extrapolations from a slice
LIMIT = 10  # results per query, as the CLI's default

# 1–4 syllables each; the second half typed without diacritics, as users often do.
SHORT_QUERIES = [
    "đất đai", "bảo hiểm xã hội", "giấy phép lái xe", "thuế thu nhập", "hợp đồng lao động",
    "xử phạt hành chính", "quyền sử dụng đất", "kết hôn", "phòng cháy", "doanh nghiệp",
    "bao hiem y te", "ho kinh doanh", "giao thong duong bo", "tai nguyen nuoc", "an toan thuc pham",
    "can cuoc cong dan", "thanh tra", "hai quan", "nghia vu quan su", "khieu nai to cao",
]
SHORT_ROUNDS = 3  # the short list is run this many times (60 samples)

# An extra document for the incremental add: small, structured, with a word no record contains.
EXTRA_DOC = """BỘ TƯ PHÁP
Số: 999/2099/TT-BTP
THÔNG TƯ
Quy định thử nghiệm chỉ mục zzbenchmarkthem

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định việc thử nghiệm bổ sung một văn bản vào chỉ mục đã có (zzbenchmarkthem).

Điều 2. Đối tượng áp dụng
Thông tư này áp dụng đối với cơ quan, tổ chức, cá nhân có liên quan đến việc tra cứu văn bản.

Điều 3. Hiệu lực thi hành
Thông tư này có hiệu lực kể từ ngày ký.
"""

TARGETS = {  # name: (limit, unit, higher_is_better)
    "bulk indexing time": (300.0, "s", False),
    "peak RSS": (3072.0, "MB", False),
    "short query p50": (50.0, "ms", False),
    "short query p95": (150.0, "ms", False),
    "long question p50": (300.0, "ms", False),
    "CLI end-to-end (bundled corpus)": (0.5, "s", False),
    "batch throughput": (20.0, "q/s", True),
    "index size": (3.0, "× text", False),
    "build time vs plain Whoosh": (1.1, "×", False),
}


# -- the corpus ---------------------------------------------------------------------------------

def load_records(bulk: Path, max_chars: int | None) -> list[dict]:
    """Records of the bulk feed in file order; with ``max_chars``, a prefix of that many characters
    of text (the last record cut at a line break)."""
    records: list[dict] = []
    total = 0
    with gzip.open(bulk, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            text = rec["text"]
            if max_chars is not None and total + len(text) > max_chars:
                room = max_chars - total
                cut = text.rfind("\n", 0, room)
                text = text[:cut if cut > room // 2 else room]
            records.append({"_id": rec["_id"], "title": rec.get("title", ""), "text": text})
            total += len(text)
            if max_chars is not None and total >= max_chars * 0.99:
                break
    return records


def write_shards(records: list[dict], directory: Path, shards: int) -> list[Path]:
    """Deal records into ``shards`` JSONL files of about equal text size (largest first onto the
    lightest shard), keeping file order inside each shard."""
    directory.mkdir(parents=True, exist_ok=True)
    shards = max(1, min(shards, len(records)))
    loads = [0] * shards
    owner: dict[int, int] = {}
    for i in sorted(range(len(records)), key=lambda i: -len(records[i]["text"])):
        s = loads.index(min(loads))
        owner[i] = s
        loads[s] += len(records[i]["text"])
    paths = [directory / f"shard-{s:02d}.jsonl" for s in range(shards)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    try:
        for i, rec in enumerate(records):
            handles[owner[i]].write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        for h in handles:
            h.close()
    return paths


def long_questions(shared: Path, n: int | None) -> list[tuple[str, str]]:
    path = shared / "bench" / "alqac2023-train" / "queries.jsonl"
    qs = [(q["_id"], q["text"]) for q in map(json.loads, path.open(encoding="utf-8"))]
    return qs[:n] if n else qs


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


# -- child processes ----------------------------------------------------------------------------

def run_child(task: str, params: dict, workdir: Path) -> dict:
    """Run ``task`` of this script in a fresh Python process; return its JSON result with the
    wall time seen from outside and the sampled peak memory of its process tree."""
    out = workdir / f"child-{task}-{time.monotonic_ns()}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", task, json.dumps(params), str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    with TreeMemorySampler(proc.pid) as sampler:
        code = proc.wait()
    wall = time.perf_counter() - started
    if code != 0 or not out.exists():
        sys.exit(f"benchmark step {task!r} failed with exit code {code}")
    result = json.loads(out.read_text())
    out.unlink()
    result["process_wall_s"] = round(wall, 3)
    result["tree_peak_mb"] = sampler.peak_mb
    return result


def child_index(p: dict) -> dict:
    from searchdocs import index_paths

    started = time.perf_counter()
    last = [started]

    def progress(done: int, total: int, path: str) -> None:
        last[0] = time.perf_counter()
        if p.get("log"):
            print(f"  {done}/{total} files prepared and added, {last[0] - started:.0f} s", file=sys.stderr, flush=True)

    options = {"rebuild": True} if p.get("rebuild") else {}  # an OpenSearch URL: a fresh index
    report = index_paths(p["index"], p["paths"], jobs=p["jobs"], progress=progress, **options)
    end = time.perf_counter()
    return {"seconds": round(report.seconds, 3), "final_commit_s": round(end - last[0], 3),
            "documents": report.documents,
            "passages": report.passages, "indexed_files": len(report.indexed),
            "failed": [f"{f.path}: {f.reason}" for f in report.failed],
            "main_peak_mb": maxrss_mb(), "worker_peak_mb": maxrss_mb(-1), "cpu_s": round(cpu_seconds(), 1)}


def child_baseline_index(p: dict) -> dict:
    """Plain Whoosh on the same records: StandardAnalyzer on title and text (stored, as ours
    stores passages), BM25F, Whoosh's own writer with ``procs`` processes."""
    from whoosh import index as wi
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StandardAnalyzer()),
                    text=TEXT(analyzer=StandardAnalyzer(), stored=True))
    Path(p["index"]).mkdir(parents=True, exist_ok=True)
    ix = wi.create_in(p["index"], schema)
    writer = ix.writer(procs=p["procs"], limitmb=256, multisegment=p["procs"] > 1)
    for path in p["paths"]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                writer.add_document(id=rec["_id"], title=rec.get("title", ""), text=rec["text"])
    writer.commit()
    return {"seconds": round(time.perf_counter() - started, 3), "cpu_s": round(cpu_seconds(), 1)}


def child_profile_index(p: dict) -> dict:
    from searchdocs import index_paths

    report, stats = profile_call(index_paths, p["index"], [p["shard"]], jobs=1)
    Path(p["text_out"]).write_text(profile_text(stats, f"indexing one shard ({p['shard_mb']} MB), jobs=1"))
    return {"seconds_profiled": round(report.seconds, 2), "passages": report.passages,
            "top_cumulative": top_functions(stats, 25), "top_self": top_functions(stats, 15, "self"),
            "by_package": package_shares(stats)}


def child_queries(p: dict) -> dict:
    from searchdocs import open_index

    t = time.perf_counter()
    ix = open_index(p["index"])
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    first = ix.search("luật đất đai", limit=LIMIT)  # first query: loads the passage filter, warms caches
    first_s = time.perf_counter() - t
    short: list[float] = []
    zero_hits = set()
    for _ in range(SHORT_ROUNDS):
        for q in p["short"]:
            t = time.perf_counter()
            res = ix.search(q, limit=LIMIT)
            short.append(time.perf_counter() - t)
            if not res.hits:
                zero_hits.add(q)
    long_times: dict[str, float] = {}
    for qid, q in p["long"]:
        t = time.perf_counter()
        ix.search(q, limit=LIMIT)
        long_times[qid] = time.perf_counter() - t
    t = time.perf_counter()
    answered = sum(1 for _ in ix.search_many([tuple(x) for x in p["long"]], limit=LIMIT))
    batch_s = time.perf_counter() - t
    result = {
        "open_s": round(open_s, 3), "first_query_ms": round(first_s * 1000, 1),
        "first_query_hits": len(first.hits), "short": summary_ms(short),
        "short_without_hits": sorted(zero_hits), "long": summary_ms(list(long_times.values())),
        "batch": {"queries": answered, "seconds": round(batch_s, 3),
                  "queries_per_s": round(answered / batch_s, 2) if batch_s else None},
        "slowest_long": sorted(long_times, key=long_times.get, reverse=True)[:5],
    }
    if p.get("profile_out"):
        # The question at the median latency, and the whole long set for a steadier picture.
        ranked = sorted(long_times, key=long_times.get)
        qid = ranked[len(ranked) // 2]
        text = dict((a, b) for a, b in p["long"])[qid]
        _, one = profile_call(ix.search, text, LIMIT)
        _, many = profile_call(lambda: [r for r in ix.search_many([tuple(x) for x in p["long"]], LIMIT)])
        _, short_set = profile_call(lambda: [ix.search(q, LIMIT) for q in p["short"]])
        Path(p["profile_out"]).write_text(
            profile_text(one, f"one long question ({qid}, {len(text)} chars): {text}") + "\n\n"
            + profile_text(many, f"all {len(p['long'])} long questions") + "\n\n"
            + profile_text(short_set, f"the {len(p['short'])} short queries, once each"))
        result["profile_short_set"] = {"top_cumulative": top_functions(short_set, 25),
                                       "top_self": top_functions(short_set, 15, "self"),
                                       "by_package": package_shares(short_set)}
        result["profile_long_query"] = {"qid": qid, "text": text, "top_cumulative": top_functions(one, 25),
                                        "by_package": package_shares(one)}
        result["profile_long_set"] = {"top_cumulative": top_functions(many, 25),
                                      "top_self": top_functions(many, 15, "self"),
                                      "by_package": package_shares(many)}
    ix.close()
    result["peak_mb"] = maxrss_mb()
    return result


def child_add(p: dict) -> dict:
    from searchdocs import index_paths, open_index

    t = time.perf_counter()
    report = index_paths(p["index"], [p["file"]], jobs=1)
    add_s = time.perf_counter() - t
    with open_index(p["index"]) as ix:
        found = any(h.path == str(Path(p["file"]).resolve()) for h in ix.search("zzbenchmarkthem", limit=5).hits)
    t = time.perf_counter()
    again = index_paths(p["index"], p["paths"], jobs=1)
    unchanged_s = time.perf_counter() - t
    return {"add_s": round(add_s, 3), "added": len(report.indexed), "found": found,
            "unchanged_rerun_s": round(unchanged_s, 3), "unchanged_files": len(again.unchanged),
            "peak_mb": maxrss_mb()}


CHILD_TASKS = {"index": child_index, "baseline_index": child_baseline_index, "profile_index": child_profile_index,
               "queries": child_queries,
               "add": child_add}


# -- the CLI ------------------------------------------------------------------------------------

def time_command(cmd: list[str], runs: int) -> tuple[float, list[float], int]:
    """Median wall time of ``cmd`` over ``runs`` runs (output discarded), the times, the last exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    times = []
    code = 0
    for _ in range(runs):
        t = time.perf_counter()
        code = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
        times.append(time.perf_counter() - t)
    return round(median(times), 3), [round(x, 3) for x in times], code


def cli_cold_start(index: Path, query: str, runs: int) -> dict:
    py = sys.executable
    total, times, code = time_command([py, "-m", "searchdocs", "--index", str(index), "search", query,
                                       "--limit", str(LIMIT)], runs)
    imports, _, _ = time_command([py, "-c", "import searchdocs.interface.cli, searchdocs.engines.whoosh.index"], runs)
    bare, _, _ = time_command([py, "-c", "pass"], runs)
    return {"query": query, "median_s": total, "runs_s": times, "exit_code": code,
            "python_startup_s": bare, "imports_s": imports}


# -- orchestration ------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict:
    shared = shared_path(args.shared)
    bulk = shared / "bulk" / "phapdien.jsonl.gz"
    jobs_list = [int(j) for j in args.jobs.split(",")]
    shards = args.shards or (4 if args.quick else 32)
    tag = "-quick" if args.quick else ""  # quick runs never overwrite the profiles of a full one
    work = Path(args.workdir).resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="searchdocs-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if not args.silent else (lambda msg: None)
    result: dict = {"benchmark": "scale", "quick": args.quick, "when": now(), "machine": machine()}
    try:
        t = time.perf_counter()
        max_chars = QUICK_CHARS if args.quick else args.max_chars
        records = load_records(bulk, max_chars)
        chars = sum(len(r["text"]) for r in records)
        text_mb = sum(len(r["text"].encode("utf-8")) for r in records) / 1e6
        feed = work / "feed"
        shutil.rmtree(feed, ignore_errors=True)
        shard_paths = write_shards(records, feed, shards)
        log(f"corpus: {len(records)} records, {chars / 1e6:.1f} M characters, {text_mb:.1f} MB UTF-8, "
            f"{len(shard_paths)} shards ({time.perf_counter() - t:.1f} s to prepare)")
        corpus = {"source": str(bulk), "records": len(records), "text_chars": chars,
                  "text_mb": round(text_mb, 2), "shards": len(shard_paths),
                  "sliced": chars < FULL_CHARS}
        result["corpus"] = corpus

        indexing = []
        index_dir = None
        for jobs in jobs_list:
            ix = work / f"index-j{jobs}"
            shutil.rmtree(ix, ignore_errors=True)
            log(f"indexing with {jobs} job(s)…")
            r = run_child("index", {"index": str(ix), "paths": [str(feed)], "jobs": jobs,
                                    "log": not args.silent and not args.quick}, work)
            r.update(jobs=jobs, index_mb=dir_mb(ix), mb_per_s=round(text_mb / r["seconds"], 3),
                     peak_mb=max(r["tree_peak_mb"], r["main_peak_mb"]))
            log(f"  {r['seconds']:.1f} s, {r['mb_per_s']:.2f} MB/s, {r['passages']} passages, "
                f"peak {r['peak_mb']:.0f} MB, index {r['index_mb']:.0f} MB")
            if r["failed"]:
                log(f"  failed: {r['failed'][:3]}")
            indexing.append(r)
            if index_dir is not None and not args.keep_all:
                shutil.rmtree(index_dir, ignore_errors=True)
            index_dir = ix
        result["indexing"] = indexing
        if args.baseline:
            bix = work / "index-whoosh"
            shutil.rmtree(bix, ignore_errors=True)
            procs = max(jobs_list)
            log(f"plain Whoosh (StandardAnalyzer, procs={procs}) on the same records…")
            b = run_child("baseline_index", {"index": str(bix), "procs": procs,
                                             "paths": [str(x) for x in shard_paths]}, work)
            ours = next(r for r in indexing if r["jobs"] == procs)
            result["baseline"] = {"procs": procs, "seconds": b["seconds"], "index_mb": dir_mb(bix),
                                  "peak_mb": b["tree_peak_mb"], "ratio": round(ours["seconds"] / b["seconds"], 3)}
            log(f"  {b['seconds']:.1f} s, index {result['baseline']['index_mb']:.0f} MB; "
                f"searchdocs with {procs} jobs takes {result['baseline']['ratio']:.2f}× that")
            shutil.rmtree(bix, ignore_errors=True)
        last = indexing[-1]
        corpus.update(documents=last["documents"], passages=last["passages"])
        result["index_size_mb"] = last["index_mb"]
        if corpus["sliced"]:
            # Linear in the text; Whoosh's final merge grows faster, so this is a lower bound.
            result["extrapolated_full_index_s"] = round(min(r["seconds"] for r in indexing) * FULL_CHARS / chars, 1)

        longs = long_questions(shared, 20 if args.quick else args.long_queries)
        log(f"queries: {len(SHORT_QUERIES)} short × {SHORT_ROUNDS}, {len(longs)} long, batch…")
        q = run_child("queries", {"index": str(index_dir), "short": SHORT_QUERIES, "long": longs,
                                  "profile_out": str(OUT / f"profile-long-query{tag}.txt") if args.profile else None},
                      work)
        result["queries"] = {"short": q["short"], "long": q["long"], "batch": q["batch"],
                             "open_s": q["open_s"], "first_query_ms": q["first_query_ms"],
                             "short_without_hits": q["short_without_hits"], "slowest_long": q["slowest_long"],
                             "peak_mb": max(q["peak_mb"], q["tree_peak_mb"])}
        log(f"  short p50 {q['short']['p50']} ms, long p50 {q['long']['p50']} ms, "
            f"batch {q['batch']['queries_per_s']} q/s")

        cli_runs = 3 if args.quick else 5
        log(f"CLI cold start ({cli_runs} runs)…")
        result["cli"] = cli_cold_start(index_dir, "ky luat vien chuc", cli_runs)
        if args.corpus_cli:
            cix = work / "index-corpus"
            shutil.rmtree(cix, ignore_errors=True)
            log("indexing the bundled corpus for the CLI target…")
            c = run_child("index", {"index": str(cix), "paths": [str(ROOT / "corpus")], "jobs": 2}, work)
            result["cli_corpus"] = {**cli_cold_start(cix, "chuyen sinh hoat dang", cli_runs),
                                    "documents": c["documents"], "passages": c["passages"],
                                    "index_s": c["seconds"]}
            shutil.rmtree(cix, ignore_errors=True)
        else:
            result["cli_corpus"] = None

        extra = work / "extra" / "thong-tu-999-2099-TT-BTP.txt"
        extra.parent.mkdir(exist_ok=True)
        extra.write_text(EXTRA_DOC, encoding="utf-8")
        log("incremental add of one file…")
        a = run_child("add", {"index": str(index_dir), "file": str(extra), "paths": [str(feed)]}, work)
        result["incremental"] = {"add_s": a["add_s"], "add_process_s": a["process_wall_s"],
                                 "found": a["found"], "unchanged_rerun_s": a["unchanged_rerun_s"],
                                 "unchanged_files": a["unchanged_files"]}

        if args.profile:
            log("profiling the indexing of one shard…")
            pix = work / "index-profile"
            shutil.rmtree(pix, ignore_errors=True)
            shard = shard_paths[0]
            p = run_child("profile_index", {"index": str(pix), "shard": str(shard),
                                            "shard_mb": round(shard.stat().st_size / 1e6, 1),
                                            "text_out": str(OUT / f"profile-index-shard{tag}.txt")}, work)
            shutil.rmtree(pix, ignore_errors=True)
            result["profile"] = {"index_shard": p, "long_query": q.get("profile_long_query"),
                                 "long_set": q.get("profile_long_set"), "short_set": q.get("profile_short_set")}

        if args.index:
            log(f"the same records into OpenSearch at {args.index} ({max(jobs_list)} jobs)…")
            o = run_child("index", {"index": args.index, "paths": [str(feed)], "jobs": max(jobs_list),
                                    "rebuild": True, "log": not args.silent and not args.quick}, work)
            docs = o["documents"] + o["passages"]
            log(f"  {o['seconds']:.1f} s, {docs / o['seconds']:.0f} docs/s, {text_mb / o['seconds']:.2f} MB/s")
            oq = run_child("queries", {"index": args.index, "short": SHORT_QUERIES, "long": longs}, work)
            result["opensearch"] = {"url": args.index, "jobs": max(jobs_list), "seconds": o["seconds"],
                                    "documents": o["documents"], "passages": o["passages"],
                                    "docs_per_s": round(docs / o["seconds"], 1),
                                    "mb_per_s": round(text_mb / o["seconds"], 3), "failed": o["failed"],
                                    "short": oq["short"], "long": oq["long"], "batch": oq["batch"]}
            log(f"  short p50 {oq['short']['p50']} ms, long p50 {oq['long']['p50']} ms")
        result["machine"]["load_avg_end"] = loadavg()
        result["peak_rss_mb"] = max([r["peak_mb"] for r in indexing] + [result["queries"]["peak_mb"]])
        result["targets"] = targets(result)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return result


def targets(res: dict) -> list[dict]:
    best_index = min(r["seconds"] for r in res["indexing"])
    index_value, index_note = best_index, ""
    if res["corpus"]["sliced"]:
        index_value, index_note = res["extrapolated_full_index_s"], "extrapolated linearly from the slice"
    cli = res["cli_corpus"] or res["cli"]
    values = {
        "bulk indexing time": (index_value, index_note),
        "peak RSS": (res["peak_rss_mb"], ""),
        "short query p50": (res["queries"]["short"]["p50"], ""),
        "short query p95": (res["queries"]["short"]["p95"], ""),
        "long question p50": (res["queries"]["long"]["p50"], ""),
        "CLI end-to-end (bundled corpus)": (cli["median_s"], "" if res["cli_corpus"] else "measured on the scale index"),
        "batch throughput": (res["queries"]["batch"]["queries_per_s"], ""),
        "index size": (round(res["index_size_mb"] / res["corpus"]["text_mb"], 2), ""),
        "build time vs plain Whoosh": (res["baseline"]["ratio"] if res.get("baseline") else None, "same records, same run"),
    }
    out = []
    for name, (limit, unit, higher) in TARGETS.items():
        value, note = values[name]
        if value is None:  # not measured in this run (--no-baseline)
            continue
        ok = value >= limit if higher else value <= limit
        out.append({"name": name, "target": f"{'≥' if higher else '≤'} {limit:g} {unit}", "value": value,
                    "unit": unit, "met": ok, "note": note})
    return out


def render(res: dict) -> str:
    c = res["corpus"]
    lines = [f"searchdocs scale benchmark{' (slice)' if res['corpus']['sliced'] else ''} — {res['when']}, "
             f"{res['machine']['cpus']} CPUs, Python {res['machine']['python']}, load average "
             f"{res['machine'].get('load_avg_start')} → {res['machine'].get('load_avg_end')}, "
             f"code {res['machine'].get('code')}",
             f"corpus: {c['documents']} documents, {c['passages']} passages, {c['text_chars'] / 1e6:.1f} M characters "
             f"= {c['text_mb']:.1f} MB UTF-8, fed as {c['shards']} JSONL shards",
             "", f"{'indexing':<10} {'seconds':>9} {'MB/s':>7} {'commit s':>9} {'CPU s':>7} {'peak MB':>8} {'main MB':>8} {'worker MB':>9}"]
    for r in res["indexing"]:
        lines.append(f"{r['jobs']} job{'s' if r['jobs'] > 1 else ' '}{'':<4} {r['seconds']:9.1f} {r['mb_per_s']:7.3f} "
                     f"{r['final_commit_s']:9.1f} {r['cpu_s']:7.1f} {r['peak_mb']:8.0f} {r['main_peak_mb']:8.0f} "
                     f"{r['worker_peak_mb']:9.0f}")
    if res["corpus"]["sliced"]:
        lines.append(f"full corpus extrapolated (linear, a lower bound): {res['extrapolated_full_index_s']:.0f} s")
    q = res["queries"]
    if res.get("baseline"):
        b = res["baseline"]
        lines.append(f"plain Whoosh (StandardAnalyzer, procs={b['procs']}, text stored): {b['seconds']:.1f} s, "
                     f"{b['index_mb']:.1f} MB ({b['index_mb'] / c['text_mb']:.1f}× the text); searchdocs with "
                     f"{b['procs']} jobs: {b['ratio']:.2f}× its time")
    lines += [f"index on disk: {res['index_size_mb']:.1f} MB ({res['index_size_mb'] / c['text_mb']:.1f}× the text)",
              "", f"{'queries (top 10)':<28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for label, key in (("short, 1–4 syllables", "short"), ("long questions", "long")):
        s = q[key]
        lines.append(f"{label:<28} {s['n']:4d} {s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} {s['max']:8.1f}")
    if q.get("short_without_hits"):
        lines.append(f"short queries without hits in this corpus: {', '.join(q['short_without_hits'])}")
    lines += [f"batch (search_many, long): {q['batch']['queries_per_s']:.1f} queries/s; open {q['open_s'] * 1000:.0f} ms, "
              f"first query {q['first_query_ms']:.0f} ms; query process peak {q['peak_mb']:.0f} MB"]
    if res.get("opensearch"):
        o = res["opensearch"]
        lines += ["", f"OpenSearch {o['url']} (same records, {o['jobs']} jobs): {o['seconds']:.1f} s, "
                      f"{o['docs_per_s']:.0f} docs/s, {o['mb_per_s']:.2f} MB/s, {o['passages']} passages"]
        for label, key in (("short, 1–4 syllables", "short"), ("long questions", "long")):
            s = o[key]
            lines.append(f"{label:<28} {s['n']:4d} {s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} {s['max']:8.1f}")
        lines.append(f"batch (search_many, long): {o['batch']['queries_per_s']:.1f} queries/s")
    cli = res["cli"]
    lines.append(f"CLI cold start on this index: {cli['median_s']:.2f} s median (python {cli['python_startup_s']:.2f} s, "
                 f"imports {cli['imports_s']:.2f} s)")
    if res["cli_corpus"]:
        cc = res["cli_corpus"]
        lines.append(f"CLI cold start on the bundled corpus ({cc['passages']} passages): {cc['median_s']:.2f} s median")
    inc = res["incremental"]
    lines.append(f"incremental add of one file: {inc['add_s']:.2f} s (found: {inc['found']}); "
                 f"re-run over the unchanged feed: {inc['unchanged_rerun_s']:.2f} s")
    lines += ["", f"{'target':<34} {'goal':>12} {'measured':>12}"]
    for t in res["targets"]:
        mark = "ok" if t["met"] else "MISSED"
        note = f"  ({t['note']})" if t["note"] else ""
        lines.append(f"{t['name']:<34} {t['target']:>12} {t['value']:>10g} {t['unit']:<4} {mark}{note}")
    if "profile" in res:
        tag = "-quick" if res["quick"] else ""
        lines += ["", f"profiles written to benchmarks/out/profile-index-shard{tag}.txt and profile-long-query{tag}.txt"]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        task, params, out = sys.argv[2], json.loads(sys.argv[3]), Path(sys.argv[4])
        out.write_text(json.dumps(CHILD_TASKS[task](params)))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--quick", action="store_true", help=f"a {QUICK_CHARS / 1e6:g} M-character slice (CI)")
    ap.add_argument("--max-chars", type=int, help="index only this many characters of the corpus (a prefix)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--shared", help="the shared folder (default: ../shared next to the project)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to index with (default 1,2)")
    ap.add_argument("--shards", type=int, help="JSONL files to cut the feed into (default 32, quick 4)")
    ap.add_argument("--long-queries", type=int, default=100, help="long questions to time (default all 100)")
    ap.add_argument("--corpus-cli", action=argparse.BooleanOptionalAction, default=None,
                    help="also index the bundled corpus/ and time the CLI on it (default: on, off with --quick)")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile one shard's indexing and the long questions; text in benchmarks/out/profile-*.txt")
    ap.add_argument("--workdir", help="keep the feed and index here instead of a temporary folder")
    ap.add_argument("--keep-all", action="store_true", help="keep the index of every --jobs run in --workdir")
    ap.add_argument("--out", type=Path, help="JSON file to write (default benchmarks/out/scale.json, "
                                             "scale-quick.json with --quick)")
    ap.add_argument("--silent", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--index", metavar="URL", help="also feed the records into this OpenSearch index "
                                                   "(http://HOST:PORT/NAME) and time its queries")
    ap.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                    help="also build plain Whoosh (StandardAnalyzer) on the same records and compare the time")
    args = ap.parse_args()
    if args.corpus_cli is None:
        args.corpus_cli = not args.quick
    OUT.mkdir(parents=True, exist_ok=True)
    res = run(args)
    write_json(args.out or OUT / ("scale-quick.json" if args.quick else "scale.json"), res)
    print(json.dumps(res, indent=2, ensure_ascii=False) if args.json else render(res))


if __name__ == "__main__":
    main()
