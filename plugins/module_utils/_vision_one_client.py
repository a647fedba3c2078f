# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's HTTP client, spoken to the Trend Vision One public API; for internal use.

:class:`VisionOneClient` is the one client of ``_client.py`` (TLS, retries with backoff on 429 and 5xx honouring
``Retry-After``, the server's error message surfaced, secrets scrubbed from every error) with what differs for
Vision One: a regional API host without ``/api``, ``Authorization: Bearer <key>``, no ``api-version`` header,
messages that name Vision One, and ``nextLink`` paging that never sends the key to another host.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ansible_collections.swp.aws.plugins.module_utils._client import (
    WorkloadApiError,
    WorkloadClient,
    _reason,
    clean_api_key,
    status_text,
)

KEY_ENV = "VISION_ONE_API_KEY"
URL_ENV = "VISION_ONE_API_URL"
# Path prefixes of the Cloud Accounts API: v3.0 (the public API), beta (the vendor's Terraform provider) and
# beta/xdr (an older vendor sample). Which one a region answers is not settled by the public record.
PREFIXES = ("v3.0", "beta", "beta/xdr")


def normalize_v1_url(url):
    """The API host as ``https://host[:port][/path]`` without a trailing slash; a path prefix in it is an error."""
    if not url or not isinstance(url, str) or not url.strip():
        raise WorkloadApiError("url is required: set the url option or the %s environment variable, for example "
                               "https://api.xdr.trendmicro.com (each Vision One region has its own host)." % URL_ENV, kind="config")
    base = url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise WorkloadApiError("url %r is not an http(s) URL; use the regional Vision One API host, for example "
                               "https://api.xdr.trendmicro.com or https://api.eu.xdr.trendmicro.com." % url, kind="config")
    if parts.query or parts.fragment:
        raise WorkloadApiError("url %r has a query or a fragment; give the API host only." % url, kind="config")
    for prefix in PREFIXES:
        if parts.path.rstrip("/").endswith("/" + prefix) or "/%s/" % prefix in parts.path + "/":
            raise WorkloadApiError("url %r holds the path prefix %s: give the API host only (for example "
                                   "https://api.xdr.trendmicro.com) and the prefix in api_prefix." % (url, prefix), kind="config")
    return base


def _v1_key(api_key):
    """The key, cleaned as the SWP client cleans it, with messages that name the Vision One variable."""
    try:
        return clean_api_key(api_key)
    except WorkloadApiError as exc:
        message = exc.message.replace("SWP_API_KEY", KEY_ENV).replace("api_key is required", "api_key (a Vision One API key) is required")
        raise exc.rephrased(message) from None


class VisionOneClient(WorkloadClient):
    """A pooled HTTP session bound to one Vision One region and one API key (sent as a Bearer token)."""

    API_NAME = "the Vision One API"
    SERVER = "Vision One"
    HTTPS_PORT = "Vision One answers on 443"
    RATE_LIMIT = "Vision One limits the calls per API key"

    def __init__(self, url, api_key, validate_certs=True, ca_path=None, timeout=30.0, retries=5, backoff_factor=1.0,
                 pool_size=4, warn=None):
        base = normalize_v1_url(url)
        key = _v1_key(api_key)
        super().__init__(url=base, api_key=api_key, auth_header="authorization", api_version="v1",
                         validate_certs=validate_certs, ca_path=ca_path, timeout=timeout, retries=retries,
                         backoff_factor=backoff_factor, pool_size=pool_size, warn=warn)
        self.base_url = base
        del self._session.headers["api-version"]
        self._session.headers["Authorization"] = "Bearer %s" % key

    def get_link(self, link):
        """GET a ``nextLink``: only on the host of ``url`` (the key is never sent elsewhere), with its query."""
        parts = urlsplit(link) if isinstance(link, str) else None
        base = urlsplit(self.base_url)
        if parts is None or (parts.scheme or parts.netloc) and (parts.scheme.lower(), parts.netloc.lower()) != (
                base.scheme.lower(), base.netloc.lower()):
            raise WorkloadApiError(
                "The API answered a nextLink on another host (%s), so paging stopped and the key was not sent there: the "
                "listing is incomplete. Check url (the region's API host)." % (parts.netloc if parts is not None else link),
                "GET", None, kind="bad_response")
        path = parts.path
        if base.path and path.startswith(base.path + "/"):
            path = path[len(base.path):]
        return self.get(path, params=dict(parse_qsl(parts.query, keep_blank_values=True)) or None)

    # ------------------------------------------------------------ messages that name Vision One

    def _unreachable(self, method, path, exc):
        return WorkloadApiError(
            "Cannot reach the Vision One API at %s (%s %s): %s. Check the url option (the region's API host), DNS, proxy "
            "and firewall." % (self.base_url, method, path, _reason(exc)), method, path, kind="connection")

    def _lost(self, method, path, idempotent, exc):
        return WorkloadApiError(
            "%s %s: no answer from %s within %s seconds after %d retries (%s). Raise timeout or try again later."
            % (method, path, self.base_url, self.timeout, self.retries, _reason(exc)), method, path, kind="timeout")

    def _decode(self, method, path, response, idempotent):
        try:
            return super()._decode(method, path, response, idempotent)
        except WorkloadApiError as exc:
            raise self._v1_error(exc, response) from None

    def _v1_error(self, exc, response):
        said = (": %s" % exc.server_message.rstrip(". ")) if exc.server_message else ", empty body"
        what = "%s %s" % (exc.method, exc.path)
        http = status_text(response)
        if exc.kind == "auth":
            message = ("%s was refused (%s%s). The Vision One API key is missing, wrong or expired, or belongs to another "
                       "region: check api_key and url (each region has its own API host)." % (what, http, said))
        elif exc.kind == "forbidden":
            message = ("%s was refused (%s%s). The API key's role lacks a Cloud Accounts permission: give it the "
                       "Cloud Accounts view permission in Administration > User Roles." % (what, http, said))
        elif exc.kind == "throttled":
            message = ("%s: Vision One is still rate limiting (HTTP 429) after %d retries. Lower the number of calls "
                       "(forks, page_size) or raise retries." % (what, self.retries))
        elif exc.kind == "server":
            message = "%s: Vision One failed (%s%s), after %d retries. Try again later." % (what, http, said, self.retries)
        else:
            return exc
        return exc.rephrased(message)
