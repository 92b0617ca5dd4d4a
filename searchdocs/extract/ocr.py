"""Reading scanned PDF pages with Tesseract (Vietnamese), for ``searchdocs index --ocr``.

A page is rendered to a grey 300 dpi PNG by poppler's ``pdftoppm`` and read by ``tesseract -l vie``.
Both are external programs, found on PATH; :func:`ocr_unavailable` says in one line what is missing
and how to install it. The text of each page is cached by the file's content hash in
``<index>/ocr-cache/<sha>-<page>.txt``, so re-indexing (or an interrupted run) never reads a page twice.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from searchdocs.errors import N_, Reason

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils"
LANGUAGE = "vie"
DPI = 300


def ocr_unavailable() -> Reason | None:
    """None when OCR can run here, else one line saying what is missing and how to install it."""
    missing = []
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        missing.append("tesseract")
    else:
        try:
            langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
            if LANGUAGE not in langs.stdout.split():
                missing.append("tesseract vie")
        except (OSError, subprocess.SubprocessError):
            missing.append("tesseract --list-langs")
    if shutil.which("pdftoppm") is None:
        missing.append("pdftoppm")
    if not missing:
        return None
    return Reason(N_("--ocr needs Tesseract with its Vietnamese data and poppler's pdftoppm (missing or "
                     "not working: {missing}): install with `{hint}`; pages without a text layer stay "
                     "unindexed and are reported"), missing=", ".join(missing), hint=INSTALL_HINT)


def ocr_page(pdf: Path, page: int, sha: str, cache_dir: Path | None, timeout: float | None = None) -> str:
    """The OCR text of one page (1-based), from the cache when it is there. Raises OSError/
    subprocess errors when a tool fails; the caller turns them into a warning."""
    cached = cache_dir / f"{sha}-{page}.txt" if cache_dir is not None else None
    if cached is not None:
        try:
            return cached.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per worker: the pool is the parallelism
    with tempfile.TemporaryDirectory(prefix="searchdocs-ocr-") as tmp:
        image = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(DPI), "-gray", "-png",
                        "-singlefile", str(pdf), str(image)],
                       check=True, capture_output=True, timeout=timeout, env=env)
        result = subprocess.run(["tesseract", str(image) + ".png", "stdout", "-l", LANGUAGE],
                                check=True, capture_output=True, timeout=timeout, env=env)
    text = result.stdout.decode("utf-8", "replace")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp_file = cached.with_name(f".{cached.name}.{os.getpid()}")
        tmp_file.write_text(text, encoding="utf-8")
        os.replace(tmp_file, cached)
    return text
