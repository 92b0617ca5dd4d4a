"""An index of an older format is refused with one line saying how to rebuild it."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from searchdocs.interface.cli import cli
from searchdocs.engines.whoosh.schema import SCHEMA_VERSION


@pytest.fixture
def old_index(search_index_dir, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(search_index_dir, copy)
    (copy / "searchdocs-index.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}))
    return copy


@pytest.mark.parametrize("args", [["search", "đảng viên"], ["stats"], ["index", "{corpus}"]])
def test_an_old_index_says_in_one_line_to_rebuild(old_index, args, tmp_path):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Đảng viên chuyển sinh hoạt.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--lang", "en", "--index", str(old_index)]
                                + [a.format(corpus=corpus) for a in args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert f"has format {SCHEMA_VERSION - 1}, this searchdocs reads format {SCHEMA_VERSION}" in lines[0]
    assert f"searchdocs --index {old_index} index PATHS" in lines[0]
    assert json.loads((old_index / "searchdocs-index.json").read_text())["schema_version"] == SCHEMA_VERSION - 1
