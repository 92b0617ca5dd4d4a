"""Compile a .po file into a GNU .mo file (what `msgfmt` does, for the subset searchdocs uses).

    python tools/msgfmt.py searchdocs/interface/locale/vi/LC_MESSAGES/searchdocs.po   # writes the .mo beside it

Handles msgid/msgstr with continued "..." lines and C escapes, and plurals (msgid_plural,
msgstr[N]: kept as "singular\0plural" -> "form0\0form1…", the .mo's own layout); no contexts. Entries
with an empty msgstr or marked fuzzy are left out, as msgfmt does.
"""
from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path


def parse_po(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    msgid = msgstr = None
    section = None
    forms: list[str] = []
    fuzzy = False

    def flush():
        nonlocal msgid, msgstr, fuzzy, forms
        if forms:
            msgstr = "\0".join(forms) if all(forms) else ""
        forms = []
        if msgid is not None and msgstr and not fuzzy:
            entries[msgid] = msgstr
        elif msgid == "" and msgstr:  # the header
            entries[""] = msgstr
        msgid = msgstr = None
        fuzzy = False

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            fuzzy = True
        elif line.startswith("#") or not line:
            continue
        elif line.startswith("msgid "):
            if msgid is not None:
                keep = fuzzy
                flush()
                fuzzy = keep
            msgid, section = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            msgid, section = msgid + "\0" + ast.literal_eval(line[13:]), "id"
        elif line.startswith("msgstr["):
            forms.append(ast.literal_eval(line.split("]", 1)[1].strip()))
            section = "form"
        elif line.startswith("msgstr "):
            msgstr, section = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            if section == "id":
                msgid += ast.literal_eval(line)
            elif section == "form":
                forms[-1] += ast.literal_eval(line)
            else:
                msgstr += ast.literal_eval(line)
    flush()
    return entries


def mo_bytes(entries: dict[str, str]) -> bytes:
    """The .mo image: header, sorted original and translation tables, then the strings."""
    ids = sorted(entries)
    keys = [k.encode("utf-8") for k in ids]
    values = [entries[k].encode("utf-8") for k in ids]
    n = len(ids)
    start = 7 * 4 + 16 * n  # header + both tables
    offsets, strings = [], b""
    for k in keys:
        offsets.append((len(k), start + len(strings)))
        strings += k + b"\0"
    voffsets = []
    for v in values:
        voffsets.append((len(v), start + len(strings)))
        strings += v + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    table = b"".join(struct.pack("<2I", *o) for o in offsets)
    table += b"".join(struct.pack("<2I", *o) for o in voffsets)
    return header + table + strings


def compile_po(po: Path, mo: Path | None = None) -> Path:
    mo = mo or po.with_suffix(".mo")
    mo.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
    return mo


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["searchdocs/interface/locale/vi/LC_MESSAGES/searchdocs.po"]:
        print(compile_po(Path(arg)))
