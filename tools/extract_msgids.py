"""The msgids of searchdocs: `_("…")`, `N_("…")` and `ngettext("…", "…", n)` calls in the source,
and the click help texts (command help by paragraph, option help). Prints a .po skeleton for the ids missing from a .po.

    python tools/extract_msgids.py [searchdocs/interface/locale/vi/LC_MESSAGES/searchdocs.po]
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "searchdocs"


def source_msgids() -> list[str]:
    ids: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                ids.append(node.args[0].value)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ngettext"
                    and len(node.args) >= 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                    for a in node.args[:2])):
                ids.append(node.args[0].value + "\0" + node.args[1].value)  # the .mo's key of a plural
    return ids


def help_msgids() -> list[str]:
    import click

    sys.path.insert(0, str(ROOT))
    from searchdocs.interface import cli as cli_module
    from searchdocs.interface.i18n import help_paragraphs

    ids: list[str] = []

    def walk(command: click.Command) -> None:
        text = command.__dict__.get("_en_help", command.help)
        if text:
            ids.extend(help_paragraphs(text))
        for param in command.params:
            if isinstance(param, click.Option) and param.help:
                ids.append(param.__dict__.get("_en_help", param.help))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(cli_module.cli)
    return ids


def all_msgids() -> list[str]:
    return list(dict.fromkeys(source_msgids() + help_msgids()))


def po_quote(text: str) -> str:
    lines = text.split("\n")
    parts = [line + ("\n" if i < len(lines) - 1 else "") for i, line in enumerate(lines)]
    esc = lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\b", "\\b") + '"'
    if len(parts) == 1:
        return esc(parts[0])
    return '""\n' + "\n".join(esc(p) for p in parts if p)


if __name__ == "__main__":
    known: set[str] = set()
    if len(sys.argv) > 1:
        sys.path.insert(0, str(ROOT / "tools"))
        from msgfmt import parse_po

        known = set(parse_po(Path(sys.argv[1]).read_text(encoding="utf-8")))
    for msgid in all_msgids():
        if msgid not in known:
            if "\0" in msgid:
                singular, plural = msgid.split("\0")
                print(f"msgid {po_quote(singular)}\nmsgid_plural {po_quote(plural)}\nmsgstr[0] \"\"\n")
            else:
                print(f"msgid {po_quote(msgid)}\nmsgstr \"\"\n")
