"""Reaching an OpenSearch index named by a URL, and saying in one line what went wrong.

``http(s)://HOST:PORT/NAME``: NAME is an alias that points at the index holding the documents
(``NAME-v<time>``), so that a rebuild can swap it. Credentials come only from the environment
(``SEARCHDOCS_OPENSEARCH_USER``, ``SEARCHDOCS_OPENSEARCH_PASSWORD``) or ``~/.netrc``, never from
the URL or the command line; TLS certificates are verified, against ``ca_cert`` when given.
"""
from __future__ import annotations

import netrc
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from searchdocs.errors import N_, NoIndexError, SearchdocsError

T = TypeVar("T")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,200}")
TIMEOUT = 30  # seconds per request; bulk and maintenance calls give their own


class ClusterError(SearchdocsError):
    """The cluster cannot do what was asked: unreachable, refused, red, or at odds with the index."""


@dataclass(frozen=True)
class Location:
    """Where an index lives: the cluster's base URL and the index (alias) name."""

    url: str  # as given
    base: str  # scheme://host:port
    name: str

    @classmethod
    def parse(cls, url: str) -> Location:
        parts = urlsplit(url)
        name = parts.path.strip("/")
        if parts.username or parts.password:
            raise ClusterError(N_("credentials do not belong in the index URL {url}: set "
                                  "SEARCHDOCS_OPENSEARCH_USER and SEARCHDOCS_OPENSEARCH_PASSWORD (or ~/.netrc)"),
                               url=_without_credentials(url))
        if not parts.hostname or not _NAME.fullmatch(name or ""):
            raise ClusterError(N_("{url} is not an OpenSearch index URL: write http(s)://HOST:PORT/NAME, "
                                  "NAME in lower case (letters, digits, - _ .)"), url=url)
        port = parts.port or (443 if parts.scheme == "https" else 9200)
        return cls(url, f"{parts.scheme}://{parts.hostname}:{port}", name)

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(parts.netloc, parts.netloc.rsplit("@", 1)[-1])


def credentials(host: str, environ: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from the environment, else from ~/.netrc for ``host``, else None."""
    environ = os.environ if environ is None else environ
    user, password = environ.get("SEARCHDOCS_OPENSEARCH_USER"), environ.get("SEARCHDOCS_OPENSEARCH_PASSWORD")
    if user:
        return user, password or ""
    try:
        found = netrc.netrc(environ.get("NETRC") or None).authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None
    if found and found[0]:
        return found[0], found[2] or ""
    return None


def connect(location: Location, ca_cert: str | None = None) -> Any:
    """A client for the cluster of ``location`` (no request is made yet)."""
    try:
        from opensearchpy import OpenSearch
    except ImportError as e:  # an install without the cluster extra
        raise ClusterError(N_("an OpenSearch index needs opensearch-py: pip install 'searchdocs[opensearch]'")) from e
    secure = location.base.startswith("https://")
    if ca_cert and not os.path.isfile(ca_cert):
        raise ClusterError(N_("no CA certificate at {path}: give the PEM file of the cluster's CA"), path=ca_cert)
    return OpenSearch(hosts=[location.base], http_auth=credentials(location.host), use_ssl=secure,
                      verify_certs=secure, ca_certs=ca_cert if secure else None, ssl_show_warn=False,
                      timeout=TIMEOUT, retry_on_timeout=True, max_retries=2)


def call(location: Location, action: Callable[[], T]) -> T:
    """Run one request (or a few), turning the client's exceptions into one-line errors."""
    from opensearchpy import exceptions as ox

    try:
        return action()
    except ox.AuthenticationException as e:
        raise ClusterError(N_("OpenSearch at {base} refused the credentials: set SEARCHDOCS_OPENSEARCH_USER "
                              "and SEARCHDOCS_OPENSEARCH_PASSWORD (or ~/.netrc)"), base=location.base) from e
    except ox.AuthorizationException as e:
        raise ClusterError(N_("OpenSearch at {base} does not allow this user to use {name}: ask for the "
                              "index permissions"), base=location.base, name=location.name) from e
    except ox.NotFoundError as e:
        if "index_not_found" in str(e) or "no such index" in str(e):
            raise NoIndexError(location.url) from e
        raise ClusterError(N_("OpenSearch at {base}: {reason}"), base=location.base, reason=_reason(e)) from e
    except ox.SSLError as e:
        raise ClusterError(N_("cannot verify the TLS certificate of {base}: give its CA with --ca-cert "
                              "(or SEARCHDOCS_CA_CERT)"), base=location.base) from e
    except ox.ConnectionTimeout as e:
        raise ClusterError(N_("OpenSearch at {base} did not answer in time: check the cluster's health "
                              "(GET /_cluster/health) and try again"), base=location.base) from e
    except ox.ConnectionError as e:
        raise ClusterError(N_("cannot reach OpenSearch at {base}: start the cluster (tools/opensearch.sh start) "
                              "or correct --index"), base=location.base) from e
    except ox.TransportError as e:
        raise ClusterError(N_("OpenSearch at {base}: {reason}"), base=location.base, reason=_reason(e)) from e


def _reason(e: Exception) -> str:
    """The cluster's own one-line reason for a failed request."""
    info = getattr(e, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            root = (error.get("root_cause") or [error])[0]
            return f"{root.get('type', 'error')}: {root.get('reason', '')}".strip(": ")
        if isinstance(error, str):
            return error
    return " ".join(str(getattr(e, "error", e) or e).split())[:300]


def require_healthy(client: Any, location: Location) -> None:
    """Refuse to work on a red cluster: some primary shards are missing, so results would be partial."""
    health = call(location, lambda: client.cluster.health())
    if health.get("status") == "red":
        raise ClusterError(N_("the OpenSearch cluster at {base} is red (primary shards unassigned): "
                              "bring its nodes back, then try again"), base=location.base)


PAGE = 2000  # documents per page when reading many


def scan(client: Any, location: Location, index: str, query: dict, source: list[str] | bool,
         page: int = PAGE) -> Iterator[dict]:
    """Every document ``query`` matches, in pages sorted by pid (search_after: no scroll context
    left open on the cluster if the reader stops early)."""
    after = None
    while True:
        body: dict = {"query": query, "size": page, "sort": [{"pid": "asc"}], "_source": source}
        if after is not None:
            body["search_after"] = after
        hits = call(location, lambda: client.search(index=index, body=body))["hits"]["hits"]
        yield from hits
        if len(hits) < page:
            return
        after = hits[-1]["sort"]


def get(client: Any, location: Location, index: str, doc_id: str) -> dict | None:
    """The source of one document, or None when there is none."""
    from opensearchpy import exceptions as ox

    def fetch() -> dict | None:
        try:
            return client.get(index=index, id=doc_id)["_source"]
        except ox.NotFoundError as e:
            if "index_not_found" in str(e):
                raise
            return None
    return call(location, fetch)
