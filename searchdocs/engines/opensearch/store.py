"""Creating the index behind its alias, and swapping the alias after a rebuild.

The name in the URL is an alias; the documents are in ``NAME-v<UTC time>``, created from the
template ``searchdocs-NAME``. A rebuild writes a new physical index while searches go on reading
the old one, then moves the alias in one atomic request and drops the old index.
"""
from __future__ import annotations

import time
from typing import Any

from searchdocs.engines.opensearch.connection import ClusterError, Location, call
from searchdocs.engines.opensearch.mapping import MAPPINGS, template
from searchdocs.errors import N_, NoIndexError

FORMAT = 4  # of the mapping (2: the local engine's term score; 3: record fields for stats; 4: headings);
# an index of another format must be rebuilt


def template_name(location: Location) -> str:
    return f"searchdocs-{location.name}"


def physical(location: Location, client: Any) -> str | None:
    """The index the alias points at, or None when there is no such alias (nor index)."""
    def lookup() -> str | None:
        if client.indices.exists_alias(name=location.name):
            return next(iter(client.indices.get_alias(name=location.name)))
        if client.indices.exists(index=location.name):
            raise ClusterError(N_("{name} on {base} is an index that searchdocs did not create (it expects an "
                                  "alias): choose another name, or delete that index"),
                               name=location.name, base=location.base)
        return None
    return call(location, lookup)


def require(location: Location, client: Any) -> str:
    """The physical index of ``location``; NoIndexError when there is none, a ClusterError when its
    mapping is not the one this searchdocs writes."""
    name = physical(location, client)
    if name is None:
        raise NoIndexError(location.url)
    meta = call(location, lambda: client.indices.get_mapping(index=name))[name]["mappings"].get("_meta", {})
    if meta.get("searchdocs_format") != FORMAT:
        raise ClusterError(N_("the index {name} has mapping format {found}, this searchdocs writes format {wanted}: "
                              "rebuild it (searchdocs --index URL index --rebuild PATHS)"),
                           name=name, found=meta.get("searchdocs_format", "unknown"), wanted=FORMAT)
    return name


def create(location: Location, client: Any, shards: int, replicas: int) -> str:
    """A new, empty physical index from the (re)written template; the alias is not moved."""
    name = f"{location.name}-v{time.strftime('%Y%m%d%H%M%S', time.gmtime())}{int(time.time() * 1000) % 1000:03d}"
    body = template(location.name, shards, replicas)
    body["template"]["mappings"] = {**MAPPINGS, "_meta": {"searchdocs_format": FORMAT}}
    call(location, lambda: client.indices.put_index_template(name=template_name(location), body=body))
    call(location, lambda: client.indices.create(index=name, params={"wait_for_active_shards": "1"}))
    return name


def point_alias(location: Location, client: Any, name: str) -> None:
    """Point the alias at ``name`` in one request, and delete the index it pointed at before."""
    old = physical(location, client)
    actions: list[dict] = [{"add": {"index": name, "alias": location.name}}]
    if old is not None and old != name:
        actions.insert(0, {"remove": {"index": old, "alias": location.name}})
    call(location, lambda: client.indices.update_aliases(body={"actions": actions}))
    if old is not None and old != name:
        call(location, lambda: client.indices.delete(index=old))


def ensure(location: Location, client: Any, shards: int, replicas: int) -> str:
    """The physical index of ``location``, created with its alias when there is none yet."""
    name = physical(location, client)
    if name is not None:
        return require(location, client)
    name = create(location, client, shards, replicas)
    point_alias(location, client, name)
    return name
