"""The package's layers, read from the import statements of its own files (top-level and inside
functions): an engine's library is imported only in that engine's folder, and no layer imports one
above it, so a second engine or a new interface fits without touching the rest."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchdocs"


def imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"  # the package imports absolutely
            found.add(node.module or "")
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


def offenders(files: list[Path], *prefixes: str) -> list[str]:
    return [f"{_rel(p)} imports {name}" for p in files for name in sorted(imports(p))
            if any(name == x or name.startswith(x + ".") for x in prefixes)]


def outside(*folders: str) -> list[Path]:
    inside = set(modules(*folders))
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p not in inside]


def test_the_layers_exist_as_folders():
    for folder in ("extract", "documents", "analysis", "engines/whoosh", "engines/opensearch", "search",
                   "ingest", "interface"):
        assert (PACKAGE / folder / "__init__.py").is_file(), folder
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py", "_whoosh.py",
                                                            "errors.py", "models.py"]


def test_whoosh_is_imported_only_by_its_engine_and_the_analysis_chain():
    files = [p for p in outside("engines/whoosh", "analysis") if p.name != "_whoosh.py"]
    assert offenders(files, "whoosh") == []


def test_opensearch_py_is_imported_only_by_its_engine():
    assert offenders(outside("engines/opensearch"), "opensearchpy") == []


@pytest.mark.parametrize("folder", ["extract", "documents", "analysis", "search", "ingest"])
def test_no_layer_below_the_interface_imports_an_engine_or_the_interface(folder):
    assert offenders(modules(folder), "searchdocs.engines", "searchdocs.interface", "click", "rich") == []


def test_documents_do_not_import_the_search_layer():
    assert offenders(modules("documents", "extract", "analysis"), "searchdocs.search", "searchdocs.ingest") == []


def test_the_check_sees_an_offending_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from whoosh import query\n", encoding="utf-8")
    assert offenders([bad], "whoosh") == [f"{bad} imports whoosh", f"{bad} imports whoosh.query"]
    assert offenders([bad], "whoo") == []  # a prefix is a whole module name


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(PACKAGE))
    except ValueError:
        return str(path)
