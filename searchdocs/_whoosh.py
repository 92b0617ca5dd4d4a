"""Importing Whoosh without two heavy modules it loads at import time and searching never uses.

``whoosh.compat`` imports ``urllib.request`` (with it http.client, email, ssl: ~40 ms) only to
re-export ``urlretrieve``, and ``whoosh.reading`` imports the ``cached_property`` package, which
loads asyncio (~25 ms) for its async variants, for one plain cached property. While those two
Whoosh modules are imported, stand-ins take the place of both: ``urlretrieve`` imports the real
function when called, and ``cached_property`` is the standard library's. The stand-ins are removed
from ``sys.modules`` afterwards, so any other importer gets the real modules.
"""
from __future__ import annotations

import functools
import importlib
import sys
import types


def _urlretrieve(*args, **kwargs):
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    """Import ``whoosh.compat`` and ``whoosh.reading`` with the stand-ins (a no-op once imported)."""
    if "whoosh.reading" in sys.modules:
        return
    stubs = {}
    if "urllib.request" not in sys.modules:
        stubs["urllib.request"] = types.ModuleType("urllib.request")
        stubs["urllib.request"].urlretrieve = _urlretrieve
    if "cached_property" not in sys.modules:
        stubs["cached_property"] = types.ModuleType("cached_property")
        stubs["cached_property"].cached_property = functools.cached_property
    sys.modules.update(stubs)
    try:
        importlib.import_module("whoosh.compat")
        importlib.import_module("whoosh.reading")
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
