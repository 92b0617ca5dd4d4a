"""A block's posting values packed in one object: written by ``codec.py``, read back by pickle.

Pickled into every block of positions, so a search imports this module when it reads a block:
it stays small, with nothing but the standard library.
"""
from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator


def smallest(numbers: list[int]) -> array:
    """Non-negative integers as an array of the smallest unsigned type that holds them all."""
    top = max(numbers, default=0)
    return array("B" if top < 1 << 8 else "H" if top < 1 << 16 else "I", numbers)


class PackedValues:
    """A block's posting values (encoded positions): one bytes object, compressed until first
    read, and their end offsets.

    Whoosh's reader only indexes a block's values (``values[i]``), so this stands in for its tuple
    of bytes objects; pickled, it is two objects instead of one per posting, and a reader that
    wants no positions never inflates them."""

    __slots__ = ("blob", "ends", "compressed")

    def __init__(self, blob: bytes, ends: array, compressed: bool) -> None:
        self.blob = blob
        self.ends = ends
        self.compressed = compressed

    @classmethod
    def pack(cls, values: list[bytes], compression: int) -> PackedValues:
        ends, end = [], 0
        for value in values:
            end += len(value)
            ends.append(end)
        blob = b"".join(values)
        if compression:
            return cls(zlib.compress(blob, compression), smallest(ends), True)
        return cls(blob, smallest(ends), False)

    def __reduce__(self):
        return PackedValues, (self.blob, self.ends, self.compressed)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> bytes:
        if self.compressed:
            self.blob, self.compressed = zlib.decompress(self.blob), False
        if i < 0:
            i += len(self.ends)
        return self.blob[self.ends[i - 1] if i else 0:self.ends[i]]

    def __iter__(self) -> Iterator[bytes]:
        return (self[i] for i in range(len(self.ends)))
