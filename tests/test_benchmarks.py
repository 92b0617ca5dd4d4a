"""The speed benchmarks run end to end in --quick mode and report every number, with sane values.

No timing thresholds: this machine is shared and CI's is not this one. What is checked is that each
benchmark runs, writes its JSON, and that the numbers are internally consistent (positive,
p50 <= p95 <= p99, passages >= documents). Skipped when the shared folder is not beside the project.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).parents[1].parent / "shared"

pytestmark = pytest.mark.skipif(
    not (SHARED / "bulk" / "phapdien.jsonl.gz").exists() or not (SHARED / "documents").is_dir(),
    reason="the shared folder (../shared) with bulk/ and documents/ is not beside the project",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    """Both quick benchmarks, run at the same time (one per core) into a temporary folder."""
    out = tmp_path_factory.mktemp("bench")
    commands = {
        "scale": [sys.executable, str(ROOT / "benchmarks" / "scale.py"), "--quick", "--silent",
                  "--shared", str(SHARED), "--out", str(out / "scale.json")],
        "extract": [sys.executable, str(ROOT / "benchmarks" / "extract.py"), "--quick", "--silent",
                    "--shared", str(SHARED), "--out", str(out / "extract.json")],
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, cmd in commands.items()}
    found = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name}.py --quick failed:\n{stderr[-3000:]}"
        assert stdout.strip(), f"{name}.py printed no table"
        found[name] = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    found["out"] = out
    return found


def positive(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0


def check_percentiles(summary: dict) -> None:
    for key in ("n", "p50", "p95", "p99", "mean", "max"):
        assert positive(summary[key]), (key, summary)
    assert summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]


def test_scale_reports_every_number(results):
    s = results["scale"]
    assert s["benchmark"] == "scale" and s["quick"] is True
    c = s["corpus"]
    for key in ("records", "documents", "passages", "text_chars", "text_mb", "shards"):
        assert positive(c[key]), key
    assert c["documents"] == c["records"]  # one document per JSONL record
    assert c["passages"] >= c["documents"]
    assert c["shards"] > 1  # extraction parallelism is per file

    assert [r["jobs"] for r in s["indexing"]] == [1, 2]
    for r in s["indexing"]:
        for key in ("seconds", "mb_per_s", "peak_mb", "main_peak_mb", "cpu_s", "index_mb", "process_wall_s"):
            assert positive(r[key]), (r["jobs"], key)
        assert 0 <= r["final_commit_s"] <= r["seconds"]
        assert r["failed"] == []
        assert (r["documents"], r["passages"]) == (c["documents"], c["passages"])
    assert positive(s["index_size_mb"])
    assert positive(s["extrapolated_full_index_s"])
    b = s["baseline"]  # plain Whoosh on the same records, same run
    assert b["procs"] == 2 and positive(b["seconds"]) and positive(b["index_mb"])
    assert b["ratio"] == pytest.approx(s["indexing"][1]["seconds"] / b["seconds"], rel=0.01)

    q = s["queries"]
    check_percentiles(q["short"])
    check_percentiles(q["long"])
    assert q["short"]["n"] >= 20 and q["long"]["n"] >= 10
    assert q["batch"]["queries"] == q["long"]["n"]
    assert positive(q["batch"]["queries_per_s"]) and positive(q["open_s"]) and positive(q["first_query_ms"])

    cli = s["cli"]
    assert cli["exit_code"] == 0  # the query finds something
    for key in ("median_s", "python_startup_s", "imports_s"):
        assert positive(cli[key]), key
    assert min(cli["runs_s"]) <= cli["median_s"] <= max(cli["runs_s"])

    inc = s["incremental"]
    assert positive(inc["add_s"]) and positive(inc["unchanged_rerun_s"])
    assert inc["found"] is True
    assert inc["unchanged_files"] == c["shards"]

    assert positive(s["peak_rss_mb"])
    names = [t["name"] for t in s["targets"]]
    assert len(names) == 9 and "long question p50" in names and "build time vs plain Whoosh" in names
    for t in s["targets"]:
        assert positive(t["value"]) and isinstance(t["met"], bool), t


def test_extract_reports_every_number(results):
    e = results["extract"]
    assert e["benchmark"] == "extract" and e["quick"] is True
    assert set(e["kinds"]) == {"pdf", "docx", "doc/rtf"}
    for kind, k in e["kinds"].items():
        assert positive(k["files"]) and positive(k["chars"]), kind
        assert k["extracted"] + k["failed"] == k["files"]
        assert k["passages"] >= k["extracted"] > 0
    assert e["kinds"]["pdf"]["pages"] >= e["kinds"]["pdf"]["files"]

    assert [r["workers"] for r in e["runs"]] == [1, 2]
    for run in e["runs"]:
        assert set(run["kinds"]) == set(e["kinds"])
        assert positive(run["kinds"]["pdf"]["pages_per_s"])
        assert positive(run["kinds"]["docx"]["documents_per_s"])
        assert positive(run["kinds"]["doc/rtf"]["documents_per_s"])

    pdf, docx = e["phases"]["pdf"], e["phases"]["docx"]
    assert positive(pdf["pypdf_s"]) and 0 < pdf["pypdf_share"] <= 1
    assert positive(docx["python_docx_s"]) and 0 < docx["python_docx_share"] <= 1
    for ph in e["phases"].values():
        assert positive(ph["pipeline_s"])
        assert ph["extract_s"] + ph["structure_s"] + ph["metadata_s"] == pytest.approx(ph["pipeline_s"], abs=0.01)
    assert "pypdf" in e["profile"]["pdf"]["by_package"]
    assert sum(e["profile"]["pdf"]["by_package"].values()) == pytest.approx(1, abs=0.02)


def test_report_renders_markdown(results, tmp_path):
    out = results["out"]
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report.py"), "--out-dir", str(out),
                           "--markdown", str(tmp_path / "RESULTS.md"), "--chart", str(tmp_path / "results.png")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "## Speed at scale" in md and "## Extraction" in md
    assert "long questions" in md and "pages/s" in md
