"""Metadata accuracy: number, type, date, issuer and signer read from every document of
../shared/documents, against the hand-checked values in tests/golden/fields/shared-documents.json.

    python benchmarks/metadata.py [--shared PATH] [--jobs N] [--out FILE.json]

Prints exact-match accuracy per field (overall and per folder: party, state, legacy) and every
mismatch; writes the numbers as JSON (default benchmarks/out/metadata.json). A field a document does
not show is null in the golden file, and reading a value there counts as a mismatch too.
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import OUT, ROOT, machine, shared_path  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "fields" / "shared-documents.json"
FIELDS = ("number", "doc_type", "date", "issuer", "signer")


def read_fields(path: str) -> dict:
    """The fields searchdocs reads from one file (its first document), or the reason it cannot."""
    from searchdocs.errors import SearchdocsError
    from searchdocs.extract import extract
    from searchdocs.documents.metadata import parse_metadata

    try:
        meta = parse_metadata(extract(Path(path))[0].text)
    except SearchdocsError as e:  # a file that cannot be read shows no field
        return {"error": str(e)}
    return {field: getattr(meta, field) for field in FIELDS}


def compare(documents: Path, jobs: int = 2) -> dict:
    """Golden against read, for every document: accuracy per field and the mismatches."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["documents"]
    names = sorted(golden)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        read = dict(zip(names, pool.map(read_fields, [str(documents / n) for n in names])))
    mismatches = [{"file": name, "field": field, "expected": golden[name][field], "read": read[name].get(field)}
                  for name in names for field in FIELDS if read[name].get(field) != golden[name][field]]
    groups = {"all": names, **{g: [n for n in names if n.startswith(g + "/")] for g in ("party", "state", "legacy")}}
    wrong = {(m["file"], m["field"]) for m in mismatches}
    accuracy = {group: {field: round(sum((n, field) not in wrong for n in members) / len(members), 4)
                        for field in FIELDS} | {"documents": len(members)}
                for group, members in groups.items() if members}
    return {"accuracy": accuracy, "mismatches": mismatches}


def render(result: dict) -> str:
    lines = ["| documents | n | " + " | ".join(FIELDS) + " |", "|---|---:|" + "---:|" * len(FIELDS)]
    for group, acc in result["accuracy"].items():
        lines.append(f"| {group} | {acc['documents']} | " + " | ".join(f"{acc[f]:.1%}" for f in FIELDS) + " |")
    lines.append("")
    for m in result["mismatches"]:
        lines.append(f"- {m['file']} {m['field']}: expected {m['expected']!r}, read {m['read']!r}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="the shared folder (default ../shared)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT / "metadata.json")
    args = parser.parse_args()
    result = compare(shared_path(args.shared) / "documents", args.jobs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": machine(), **result}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render(result))


if __name__ == "__main__":
    main()
