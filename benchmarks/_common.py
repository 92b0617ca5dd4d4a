"""Helpers shared by the speed benchmarks (scale.py, extract.py, report.py): paths, percentiles,
memory of a process tree, and cProfile summaries. Standard library only.
"""
from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
DEFAULT_SHARED = ROOT.parent / "shared"


def shared_path(arg: str | None) -> Path:
    """The shared folder: ``--shared PATH`` (relative to the current directory) or ../shared."""
    path = Path(arg).resolve() if arg else DEFAULT_SHARED
    if not path.is_dir():
        sys.exit(f"no shared folder at {path}: pass --shared PATH")
    return path


def machine() -> dict:
    """What the run ran on, with the load average at its start (other work on a shared machine)."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_avg_start": loadavg(), "code": code_version()}


def code_version() -> str | None:
    """The commit the measured code is at, "+ uncommitted changes" when searchdocs/ differs from it
    (read-only git plumbing); or the first line of a ``.code-version`` file for an exported tree."""
    import subprocess

    marker = ROOT / ".code-version"
    if marker.exists():
        return marker.read_text().splitlines()[0].strip()
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "diff-index", "--quiet", "HEAD", "--", "searchdocs"],
                               capture_output=True, timeout=10).returncode != 0
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + (" + uncommitted changes" if dirty else "")) if commit else None


def loadavg() -> float | None:
    """1-minute load average: above the number of CPUs, wall times are inflated by other processes."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# -- statistics ----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary_ms(seconds: list[float]) -> dict:
    """p50/p95/p99/mean/max in milliseconds of a list of durations in seconds."""
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2), "mean": round(sum(ms) / len(ms), 2) if ms else None,
            "max": round(max(ms), 2) if ms else None}


def median(values: list[float]) -> float:
    return percentile(values, 50)


# -- memory --------------------------------------------------------------------------------------

def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (Linux reports kilobytes) of this process or of its largest
    waited-for child (RUSAGE_CHILDREN is a maximum over children, not a sum)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def _memory_kb(pid: int) -> int:
    """Proportional set size (shared pages split between the processes that map them) when the
    kernel gives it, so a forked worker's copy-on-write pages are not counted twice; else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemorySampler:
    """Samples the summed memory (PSS, else RSS) of a process and all its descendants from a thread.

    Catches what getrusage cannot: the simultaneous total of the indexing process and its
    extraction workers. Linux only (/proc); elsewhere the peak stays 0 and getrusage is used.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                p = todo.pop()
                pids.append(p)
                todo += _children(p)
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


# -- profiles ------------------------------------------------------------------------------------

def _package(filename: str) -> str | None:
    """The package a profiled function belongs to, or None for the standard library and builtins."""
    if filename.startswith("~") or filename.startswith("<"):
        return None
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        top = path.split("/site-packages/", 1)[1].split("/", 1)[0]
        top = top.removesuffix(".py")
        return top.split(".")[0].lower()
    if str(ROOT / "searchdocs") in filename:
        return "searchdocs"
    if str(ROOT / "benchmarks") in filename:
        return "benchmarks"
    return None


def package_shares(stats: pstats.Stats) -> dict[str, float]:
    """Self time grouped by package, as shares of the total.

    Time in the standard library and in builtins (re, unicodedata, zlib, str methods…) is charged
    to the packages that called it, in proportion to the time each caller spent in it, so
    ``searchdocs`` includes the regular expressions the project runs and ``pypdf`` the zlib it calls.
    """
    raw = stats.stats  # type: ignore[attr-defined]
    memo: dict[tuple, dict[str, float]] = {}

    def owners(func: tuple, depth: int = 0) -> dict[str, float]:
        if func in memo:
            return memo[func]
        pkg = _package(func[0])
        if pkg is not None:
            memo[func] = {pkg: 1.0}
            return memo[func]
        memo[func] = {"other": 1.0}  # provisional, breaks recursion cycles
        callers = raw[func][4] if func in raw else {}
        total = sum(v[3] for v in callers.values())
        if not callers or total <= 0 or depth > 50:
            return memo[func]
        dist: dict[str, float] = {}
        for caller, v in callers.items():
            for k, share in owners(caller, depth + 1).items():
                dist[k] = dist.get(k, 0.0) + share * v[3] / total
        memo[func] = dist
        return dist

    by_pkg: dict[str, float] = {}
    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        for k, share in owners(func).items():
            by_pkg[k] = by_pkg.get(k, 0.0) + tt * share
    total = sum(by_pkg.values()) or 1.0
    return {k: round(v / total, 3) for k, v in sorted(by_pkg.items(), key=lambda kv: -kv[1])}


def top_functions(stats: pstats.Stats, n: int = 25, key: str = "cumulative") -> list[dict]:
    """The ``n`` heaviest functions by cumulative (or self) time."""
    raw = stats.stats  # type: ignore[attr-defined]
    index = 3 if key == "cumulative" else 2
    rows = sorted(raw.items(), key=lambda kv: -kv[1][index])[:n]
    out = []
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in rows:
        where = filename
        for marker in ("/site-packages/", str(ROOT) + "/"):
            if marker in where:
                where = where.split(marker, 1)[1]
        out.append({"function": f"{where}:{line}({name})", "calls": nc,
                    "cumulative_s": round(ct, 4), "self_s": round(tt, 4)})
    return out


def profile_call(func, *args, **kwargs):
    """Run ``func`` under cProfile; return (result, pstats.Stats)."""
    prof = cProfile.Profile()
    result = prof.runcall(func, *args, **kwargs)
    return result, pstats.Stats(prof)


def profile_text(stats: pstats.Stats, title: str, n: int = 40) -> str:
    buf = io.StringIO()
    stats.stream = buf  # type: ignore[attr-defined]
    buf.write(f"# {title}\n\n## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(n)
    buf.write("\n## by self time\n")
    stats.sort_stats("tottime").print_stats(n)
    buf.write("\n## self time by package (stdlib and builtins charged to their callers)\n")
    for k, v in package_shares(stats).items():
        buf.write(f"{k:20} {v:6.1%}\n")
    return buf.getvalue()
