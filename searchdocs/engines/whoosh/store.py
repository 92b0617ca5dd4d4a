"""Opening and creating the on-disk index, and the document fields both indexer and search read."""
from __future__ import annotations

import json
import mmap
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import Index

from searchdocs.errors import N_, NoIndexError, SearchdocsError
from searchdocs.engines.whoosh.schema import SCHEMA_VERSION, build_schema

INDEX_NAME = "searchdocs"
_VERSION_FILE = "searchdocs-index.json"


class MappedFile(StructFile):
    """An index file read through a memory map: ``get(position, length)``, which a term look-up
    calls about nine times, is one slice instead of a seek and a buffered read (measured: a
    third of a long question's time on the bulk index went to term look-ups)."""

    def get(self, position: int, length: int) -> bytes:
        return self.file[position:position + length]


class MappedStorage(FileStorage):
    """Whoosh's file storage, opening term tables (``.trm``) for reading as :class:`MappedFile`.

    Only the term tables: postings are read a whole list at a time, and mapped pages count in a
    process's resident memory (a batch of 100 questions on the full index peaked at 866 MB with
    every file mapped, 441 MB with the term tables only, at the same speed)."""

    def open_file(self, name: str, **kwargs) -> StructFile:
        kwargs.pop("mapped", None)
        path = self._fpath(name)
        if not name.endswith(".trm") or not os.path.getsize(path):  # (an empty file cannot be mapped)
            return super().open_file(name, **kwargs)
        with open(path, "rb") as f:
            return MappedFile(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), name=name, **kwargs)


def open_index(directory: str | Path) -> Index:
    """Open an existing index for reading; a missing one raises ``NoIndexError``."""
    directory = Path(directory)
    if not directory.is_dir() or not whoosh_index.exists_in(str(directory), indexname=INDEX_NAME):
        raise NoIndexError(str(directory))
    _check_version(directory)
    return MappedStorage(str(directory)).open_index(INDEX_NAME)


def create_or_open(directory: str | Path) -> Index:
    """Open the index for writing, creating the directory and an empty index if needed."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(directory), indexname=INDEX_NAME):
        _check_version(directory)
        return whoosh_index.open_dir(str(directory), indexname=INDEX_NAME)
    ix = whoosh_index.create_in(str(directory), build_schema(), indexname=INDEX_NAME)
    (directory / _VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}) + "\n")
    return ix


def _check_version(directory: Path) -> None:
    try:
        version = json.loads((directory / _VERSION_FILE).read_text()).get("schema_version")
    except (OSError, ValueError):
        version = None
    if version != SCHEMA_VERSION:
        raise SearchdocsError(
            N_("the index at {directory} has format {found}, this searchdocs reads format {wanted}: rebuild it "
               "(delete the folder, then run `searchdocs --index {directory} index PATHS` on the same files)"),
            directory=directory, found=version if version is not None else "unknown", wanted=SCHEMA_VERSION,
        )
