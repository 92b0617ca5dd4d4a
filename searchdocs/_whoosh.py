"""Importing Whoosh without three heavy modules it loads at import time and searching never uses.

``whoosh.compat`` imports ``urllib.request`` (with it http.client, email, ssl: ~40 ms) only to
re-export ``urlretrieve``; ``whoosh.reading`` imports the ``cached_property`` package, which loads
asyncio (~25 ms) for its async variants, for one plain cached property; ``whoosh.query`` builds
the English word-variation tables of ``whoosh.lang.morph_en`` (~8 ms) for its ``Variations``
query. While those Whoosh modules are imported, stand-ins take the place of the three:
``urlretrieve`` and ``variations`` import the real function when called, and ``cached_property``
is the standard library's. The stand-ins are removed from ``sys.modules`` afterwards, so any
other importer gets the real modules.
"""
from __future__ import annotations

import functools
import importlib
import sys
import types


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str):
    from whoosh.lang.morph_en import variations

    return variations(word)


_STAND_INS = {
    "urllib.request": {"urlretrieve": _urlretrieve},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _variations},
}


def import_whoosh() -> None:
    """Import ``whoosh.compat``, ``whoosh.reading`` and ``whoosh.query`` with the stand-ins (a no-op
    once imported)."""
    if "whoosh.query" in sys.modules:
        return
    stubs = {}
    for name, attributes in _STAND_INS.items():
        if name not in sys.modules:
            stubs[name] = types.ModuleType(name)
            stubs[name].__dict__.update(attributes)
    sys.modules.update(stubs)
    try:
        for name in ("whoosh.compat", "whoosh.reading", "whoosh.query"):
            importlib.import_module(name)
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
