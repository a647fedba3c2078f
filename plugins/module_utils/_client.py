# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client of the swp.aws collection, for internal use.

It speaks the Server & Workload Protection / Cloud One Workload Security / Deep Security
Manager REST API: authentication in either header style, the ``api-version`` header, TLS,
retries with exponential backoff and jitter on 429, 502, 503, 504 and connection errors
(honouring ``Retry-After``), and one error type, :class:`WorkloadApiError`, that carries
method, path, status and the server's message with a sentence that tells the user what to do.

Standard library and ``requests`` only: module start-up time counts in fleets of hundreds.
"""

from __future__ import annotations

import calendar
import copy
import email.utils
import html
import json
import random
import re
import time
import unicodedata
from urllib.parse import urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - reported by the module base
    HAS_REQUESTS = False
    Retry = object  # pylint: disable=invalid-name
else:
    HAS_REQUESTS = True

from ansible_collections.swp.aws.plugins.module_utils._errors import SwpError


USER_AGENT = "swp.aws-ansible-collection/0.1.0"
RETRY_STATUSES = (429, 502, 503, 504)
# A create that got 502 or 504 may have been carried out: only statuses that prove the
# request was not processed are retried for requests that are not idempotent.
RETRY_STATUSES_UNSAFE = (429, 503)
# A read changes nothing, so a 500 (often a passing fault of a real manager) is retried too. A write is not
# retried on 500: older managers refuse a connector they cannot reach with a 500, which no retry mends.
RETRY_STATUSES_READ = RETRY_STATUSES + (500,)
MAX_RETRY_AFTER = 120.0
BACKOFF_MAX = 60.0
# The rate limit counts calls over the last 60 seconds: a 429 without Retry-After waits at least this long
# (times the backoff factor), doubling each time, so that the retries span the window.
THROTTLE_WAIT = 5.0


class WorkloadApiError(SwpError):
    """A failed API call: what was asked, what came back, and what to do about it."""

    def __init__(self, message, method=None, path=None, status=None, server_message=None, kind="error", result=None):
        super().__init__(message, kind, result)
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        # connection, tls, timeout, auth, forbidden, not_found, rejected, conflict,
        # throttled, server, bad_response, config (and refused, retrieval_disabled from module_utils)

    def rephrased(self, message, kind=None):
        """The same failed call with another sentence (raise it ``from`` this one)."""
        return WorkloadApiError(message, self.method, self.path, self.status, self.server_message,
                                kind or self.kind, self.result)

    def to_dict(self):
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "server_message": self.server_message,
            "kind": self.kind,
        }


class _Retry(Retry):
    """urllib3 Retry whose Retry-After wait is capped, so a bad header cannot hang a play, and that tells
    ``on_retry(attempt, number, wait)`` about each retry before it waits (the client turns that into a warning)."""

    def __init__(self, *args, on_retry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_retry = on_retry

    def new(self, **kw):
        # urllib3 makes a new Retry for every attempt: the hook goes along.
        kw.setdefault("on_retry", self.on_retry)
        return super().new(**kw)

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        if value is None:
            return None
        return min(value, MAX_RETRY_AFTER)

    def _wait(self, response):
        """Seconds to wait before the next attempt (computed once: the backoff has jitter)."""
        if response is not None and response.status == 429 and not response.headers.get("Retry-After"):
            # urllib3 would retry the first 429 at once, and its whole schedule is shorter than the limit's window.
            throttled = sum(1 for attempt in self.history if attempt.status == 429)
            wait = min(BACKOFF_MAX, self.backoff_factor * THROTTLE_WAIT * 2 ** max(0, throttled - 1))
            return wait * random.uniform(0.75, 1.25)
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                return after
        return max(0.0, self.get_backoff_time())

    def sleep(self, response=None):
        wait = self._wait(response)
        if self.on_retry is not None and self.history:
            self.on_retry(self.history[-1], len(self.history), wait)
        if wait > 0:
            time.sleep(wait)


def normalize_url(url):
    """Return the API base URL, adding the ``/api`` suffix when it is missing."""
    if not url or not isinstance(url, str):
        raise WorkloadApiError("url is required: set the url option or the SWP_API_URL environment variable.", kind="config")
    base = url.strip().rstrip("/")
    scheme, sep, rest = base.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest:
        raise WorkloadApiError(
            "url %r is not an http(s) URL; use e.g. https://workload.us-1.cloudone.trendmicro.com/api "
            "or https://dsm.example.com:4119/api." % url, kind="config")
    if not base.endswith("/api"):
        base += "/api"
    return base


_TAGS = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
SERVER_MESSAGE_MAX = 300


def _shorten(text, limit=SERVER_MESSAGE_MAX):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def _html_text(text):
    """The readable text of an HTML page (a proxy's or load balancer's error page): its title and body text."""
    title = _TITLE.search(text)
    title = " ".join(html.unescape(_TAGS.sub(" ", title.group(1))).split()) if title else ""
    body = " ".join(html.unescape(_TAGS.sub(" ", _HIDDEN.sub(" ", text))).split())
    if title and body.startswith(title):
        body = body[len(title):].strip()
    return " - ".join(part for part in (title, body) if part)


def _json_message(body):
    """The message of a JSON error body: ``{"message"}``, the legacy ``{"error": {"message"}}``, or close kin."""
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return None
    for key in ("message", "Message", "errorMessage", "detail"):
        if isinstance(body.get(key), str) and body[key].strip():
            return body[key]
    error = body.get("error")
    if isinstance(error, str) and error.strip():
        return error
    if isinstance(error, dict):
        return _json_message(error)
    errors = body.get("errors")
    if isinstance(errors, list):
        found = [m for m in (_json_message(e) for e in errors) if m]
        return "; ".join(found) or None
    return None


def server_message(content_type, text):
    """The server's message in an error body, shortened; None for an empty body.

    JSON bodies give their message (or, when no known key holds one, the JSON itself); HTML pages their
    text without tags; anything else its text.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    else:
        message = _json_message(body)
        return _shorten(message if message and message.strip() else text)
    if "html" in (content_type or "").lower() or text.lstrip().startswith("<"):
        return _shorten(_html_text(text)) or "an HTML page without text"
    return _shorten(text)


def _server_message(response):
    return server_message(response.headers.get("Content-Type"), response.text)


def status_text(response):
    """``HTTP 502 Bad Gateway``: the status and its reason phrase, when the server sent one."""
    reason = (getattr(response, "reason", None) or "").strip()
    return ("HTTP %d %s" % (response.status_code, reason)) if reason else "HTTP %d" % response.status_code


def _header_problem(value):
    """What makes ``value`` unusable in an HTTP header, or None; never the value itself."""
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) == "Cc":
            return "a control character (such as a line break or a tab) at character %d" % position
        if ord(char) > 0xFF:
            return "a character outside Latin-1, which HTTP headers cannot carry, at character %d" % position
    return None


def clean_api_key(api_key):
    """The API key without surrounding whitespace (a key file or a mounted secret often ends in a newline).

    An empty key, or one with control characters or characters outside Latin-1 inside it, is a ``config`` error
    whose message says what is wrong and where, and never quotes the key.
    """
    if not api_key or (isinstance(api_key, str) and not api_key.strip()):
        raise WorkloadApiError(
            "api_key is required: set the api_key option or the SWP_API_KEY environment variable%s."
            % (" (it holds only whitespace)" if api_key else ""), kind="config")
    if not isinstance(api_key, str):
        raise WorkloadApiError("api_key must be text, not %s." % type(api_key).__name__, kind="config")
    key = api_key.strip()
    problem = _header_problem(key)
    if problem:
        raise WorkloadApiError(
            "api_key contains %s (surrounding whitespace removed). An API key is printable ASCII: "
            "check the variable, vault file or secret it comes from." % problem, kind="config")
    return key


def _secret_forms(secrets):
    """The ways a secret may be spelled in a message: as is, repr-, JSON- and backslash-escaped."""
    forms = set()
    for value in secrets:
        if isinstance(value, str) and len(value) >= 6:
            forms.update((value, repr(value)[1:-1], json.dumps(value)[1:-1],
                          value.encode("unicode_escape").decode("ascii")))
    return sorted(forms, key=len, reverse=True)


def _without_secret(error, secrets):
    """A copy of ``error`` in whose texts every spelling of the secrets is replaced, whatever a server or library said."""
    forms = _secret_forms(secrets)
    error = copy.copy(error)
    for attribute in ("message", "server_message"):
        text = getattr(error, attribute, None)
        if isinstance(text, str):
            for form in forms:
                text = text.replace(form, "********")
            setattr(error, attribute, text)
    error.args = (error.message,)
    return error


class WorkloadClient:
    """A pooled HTTP session bound to one manager and one API key."""

    # How the messages name the service, its server and what its rate limit counts (the Vision One client has its own).
    API_NAME = "the Workload Security API"
    SERVER = "the manager"
    HTTPS_PORT = "the manager's HTTPS port, for example 443 or 4119"
    RATE_LIMIT = "The limit counts calls per API key, tenant and manager node over 60 seconds"

    def __init__(self, url, api_key, auth_header="authorization", api_version="v1", validate_certs=True,
                 ca_path=None, timeout=30.0, retries=5, backoff_factor=1.0, pool_size=10, warn=None):
        if not HAS_REQUESTS:
            raise WorkloadApiError("The Python library requests is required.", kind="config")
        secret, api_key = api_key, clean_api_key(api_key)
        if not isinstance(api_version, str) or not api_version.strip() or _header_problem(api_version):
            raise WorkloadApiError("api_version must be printable text, for example v1.", kind="config")
        self.base_url = normalize_url(url)
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.calls = 0
        # Called with one sentence per retry (a module's warn); None: retries are silent (unit tests, scripts).
        self.warn = warn
        # The manager's clock: the HTTP Date of the last answer, in seconds since the epoch (None when it sent none).
        self.last_date = None
        self._backoff_factor = backoff_factor
        self._session = requests.Session()
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a session-level verify.
        self._verify = ca_path if ca_path else bool(validate_certs)
        self._session.headers.update({
            "api-version": api_version,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        })
        if auth_header == "api-secret-key":
            self._session.headers["api-secret-key"] = api_key
        else:
            self._session.headers["Authorization"] = "ApiKey %s" % api_key
        # Scrubbed from every error this client raises, in case a server or a library quotes it.
        self._secrets = (secret, api_key)
        self._safe = self._adapter(RETRY_STATUSES, idempotent=True, pool_size=pool_size)
        self._unsafe = self._adapter(RETRY_STATUSES_UNSAFE, idempotent=False, pool_size=pool_size)
        self._read = self._adapter(RETRY_STATUSES_READ, idempotent=True, pool_size=pool_size)
        self._session.mount("http://", self._safe)
        self._session.mount("https://", self._safe)

    def _adapter(self, statuses, idempotent, pool_size):
        retry = _Retry(
            total=self.retries,
            connect=self.retries,
            # A request that may have reached the server is re-sent only when repeating it is harmless.
            read=self.retries if idempotent else 0,
            other=0,
            status=self.retries,
            status_forcelist=statuses,
            allowed_methods=frozenset(["GET", "POST", "DELETE", "PUT", "PATCH"]),
            backoff_factor=self._backoff_factor,
            backoff_max=BACKOFF_MAX,
            backoff_jitter=self._backoff_factor / 2.0,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            on_retry=self._retrying,
        )
        return HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=pool_size)

    def _retrying(self, attempt, number, wait):
        """Warn that a call is retried: method, path (no query), what came back and the wait; never a key or an ID."""
        if self.warn is None:
            return
        path = urlsplit(attempt.url or "").path or "?"
        if attempt.status:
            what = "answered HTTP %s" % attempt.status
        else:
            what = "got no answer (%s)" % (type(attempt.error).__name__ if attempt.error is not None else "connection error")
        message = "%s %s %s; retry %d of %d in %.1f s" % (attempt.method, path, what, number, self.retries, wait)
        for form in _secret_forms(self._secrets):
            message = message.replace(form, "********")
        self.warn(message)

    def close(self):
        self._session.close()

    # The verbs modules use. ``idempotent=False`` is for calls that create something; ``read=True`` for a POST that
    # only reads (a search), retried like a GET.
    def get(self, path, params=None):
        return self.request("GET", path, params=params, read=True)

    def post(self, path, body=None, params=None, idempotent=True, read=False):
        return self.request("POST", path, params=params, body=body, idempotent=idempotent, read=read)

    def delete(self, path):
        return self.request("DELETE", path)

    def request(self, method, path, params=None, body=None, idempotent=True, read=False):
        """Send one call and return its decoded JSON body (None when empty)."""
        try:
            return self._send(method, path, params, body, idempotent, read and idempotent)
        except WorkloadApiError as exc:
            # Without the chained cause too: a traceback of it could quote a header.
            raise _without_secret(exc, self._secrets) from None

    def _send(self, method, path, params, body, idempotent, read=False):
        path = "/" + path.lstrip("/")
        url = self.base_url + path
        kwargs = {"params": params, "timeout": (self.timeout, self.timeout), "verify": self._verify}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["headers"] = {"Content-Type": "application/json"}
        if read or not idempotent:
            # The read or unsafe adapter is used for this one request only; the pool is per adapter.
            self._session.mount(self.base_url, self._read if read else self._unsafe)
        self.calls += 1
        self.last_date = None
        try:
            response = self._session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as exc:
            if _plain_http_answer(exc):
                raise WorkloadApiError(
                    "The server at %s answered plain HTTP to an https:// URL: use http:// or the right port (%s; "
                    "TLS said: %s)." % (self.base_url, self.HTTPS_PORT, _reason(exc)),
                    method, path, kind="tls")
            raise WorkloadApiError(
                "TLS certificate verification failed for %s: %s. If %s uses a private CA or a self-signed "
                "certificate, set ca_path to the PEM bundle that signed it (validate_certs: false only for a test server)."
                % (self.base_url, _reason(exc), self.SERVER), method, path, kind="tls")
        except requests.exceptions.ConnectTimeout as exc:
            raise self._unreachable(method, path, exc)
        except requests.exceptions.ConnectionError as exc:
            if _was_sent(exc):
                raise self._lost(method, path, idempotent, exc)
            raise self._unreachable(method, path, exc)
        except requests.exceptions.Timeout as exc:
            raise self._lost(method, path, idempotent, exc)
        except (requests.exceptions.InvalidHeader, UnicodeError):
            # requests quotes the header value (the API key) in its message: it is not passed on.
            raise WorkloadApiError(
                "%s %s was not sent: a request header is not a valid HTTP header value. Check api_key and api_version "
                "for line breaks, control characters or characters outside Latin-1." % (method, path),
                method, path, kind="config") from None
        except requests.exceptions.RequestException as exc:
            raise WorkloadApiError("%s %s failed: %s" % (method, path, _reason(exc)), method, path, kind="connection")
        finally:
            if read or not idempotent:
                self._session.mount(self.base_url, self._safe)
        return self._decode(method, path, response, idempotent)

    def _unreachable(self, method, path, exc):
        return WorkloadApiError(
            "Cannot reach %s at %s (%s %s): %s. Check the url option, DNS, proxy and firewall."
            % (self.API_NAME, self.base_url, method, path, _reason(exc)), method, path, kind="connection")

    def _lost(self, method, path, idempotent, exc):
        if idempotent:
            return WorkloadApiError(
                "%s %s: no answer from %s within %s seconds after %d retries (%s). Raise timeout or check the health of %s."
                % (method, path, self.base_url, self.timeout, self.retries, _reason(exc), self.SERVER), method, path, kind="timeout")
        return WorkloadApiError(
            "%s %s: the request was sent but no answer came back (%s); it may or may not have been carried out."
            % (method, path, _reason(exc)), method, path, kind="timeout")

    def _other_header_advice(self):
        """A 401 is most often a key sent in the other header style: name it."""
        if "api-secret-key" in self._session.headers:
            return ("it was sent as 'api-secret-key', the header of Deep Security Manager and Server & Workload Protection "
                    "keys. A Cloud One API key goes in 'Authorization: ApiKey': try auth_header: authorization, "
                    "and check api_key.")
        return ("it was sent as 'Authorization: ApiKey', the header of Cloud One API keys. Deep Security Manager and "
                "Server & Workload Protection keys go in 'api-secret-key': try auth_header: api-secret-key, "
                "and check api_key.")

    def _decode(self, method, path, response, idempotent):
        status = response.status_code
        self.last_date = http_date(response.headers.get("Date"))
        if 200 <= status < 300:
            if not response.content or not response.content.strip():
                return None
            try:
                return response.json()
            except ValueError:
                raise WorkloadApiError(
                    "%s %s: the answer (HTTP %d, %s) is not JSON: %r. Check that url points at the API (it ends in /api)."
                    % (method, path, status, response.headers.get("Content-Type", "no content type"), (response.text or "")[:120]),
                    method, path, status, None, kind="bad_response")
        server = _server_message(response)
        http = status_text(response)
        # The server's message, or what came instead: never "None".
        said = (": %s" % server.rstrip(". ")) if server else ", empty body"
        retried = self.retries if (status in RETRY_STATUSES if idempotent else status in RETRY_STATUSES_UNSAFE) else 0
        if status == 401:
            msg = ("%s %s was refused (%s%s). The API key is missing, wrong, expired or locked, or sent in the wrong "
                   "header: %s" % (method, path, http, said, self._other_header_advice()))
            kind = "auth"
        elif status == 403:
            msg = ("%s %s was refused (%s%s). The API key is not allowed to do this: give its role the needed "
                   "permission, or check api_key and auth_header." % (method, path, http, said))
            kind = "forbidden"
        elif status == 404:
            msg = "%s %s: not found (%s%s)." % (method, path, http, said)
            kind = "not_found"
        elif status == 429:
            msg = ("%s %s: the API is still rate limiting (HTTP 429 Too many API requests) after %d retries. %s: lower "
                   "the number of forks or raise retries." % (method, path, retried, self.RATE_LIMIT))
            kind = "throttled"
        elif status >= 500:
            msg = ("%s %s: %s failed (%s%s), after %d retries. Try again later; if it persists, check the health of "
                   "%s." % (method, path, self.SERVER, http, said, retried, self.SERVER))
            kind = "server"
        elif status == 409:
            msg = "%s %s: conflict (%s%s)." % (method, path, http, said)
            kind = "conflict"
        else:
            msg = "%s %s was rejected (%s%s)." % (method, path, http, said)
            kind = "rejected"
        raise WorkloadApiError(msg, method, path, status, server, kind=kind)


def http_date(value):
    """An HTTP ``Date`` header as whole seconds since the epoch (the header has second resolution); None when
    missing or not a date."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
    except (TypeError, ValueError):
        return None
    if parsed is None:
        return None
    try:
        return calendar.timegm(parsed[:9]) - (parsed[9] or 0)
    except (TypeError, ValueError, OverflowError):
        return None


def _was_sent(exc):
    """True when the connection broke after the request went out (the server may have acted on it)."""
    text = repr(exc)
    return any(marker in text for marker in ("RemoteDisconnected", "Connection aborted", "ProtocolError",
                                             "ConnectionResetError", "IncompleteRead", "Read timed out"))


# What OpenSSL says when a TLS handshake gets a plain-HTTP answer (1.1/3.0: "wrong version number"; 3.2 and later:
# "record layer failure"; others: "packet length too long", "unknown protocol").
_PLAIN_HTTP_MARKERS = ("wrong version number", "wrong_version_number", "record layer failure", "record_layer_failure",
                       "packet length too long", "unknown protocol")


def _plain_http_answer(exc):
    """True when an SSL error says the server spoke plain HTTP, not TLS."""
    text = repr(exc).lower()
    return any(marker in text for marker in _PLAIN_HTTP_MARKERS)


def _reason(exc):
    """The innermost, readable reason of a requests/urllib3 exception."""
    reason = exc
    seen = 0
    while seen < 5:
        inner = getattr(reason, "reason", None)
        args = getattr(reason, "args", None)
        if inner is None and args and isinstance(args[0], BaseException):
            inner = args[0]
        if not isinstance(inner, BaseException):
            inner = None
        if inner is None or inner is reason:
            break
        reason = inner
        seen += 1
    text = str(reason)
    return text[:300]
