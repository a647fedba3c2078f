# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An IAM/STS fault proxy for tests: sits in front of a moto server and breaks calls on purpose.

    python tests/aws_fault_proxy.py --upstream http://127.0.0.1:5000 [--port 0] [--ready-file F]
        [--seed N] [--rules JSON]

Point ``endpoint_url`` (the role's ``extid_migration_aws_endpoint_url``) at ``url``. Every request
is forwarded to the upstream; per AWS operation (the ``Action=`` of the query-protocol body of
IAM and STS, or the ``X-Amz-Target`` of a JSON-protocol call) and with a seeded probability a rule
injects one of these faults:

============================  ========================================================================
``internal_failure``          HTTP 500, AWS error code ``InternalFailure`` (AWS's XML error format)
``service_unavailable``       HTTP 503, ``ServiceUnavailable``
``throttling``                HTTP 400, ``Throttling`` (``Rate exceeded``)
``validation_error``          HTTP 400, ``ValidationError`` (not retried: a refused request)
``latency``                   sleeps ``latency`` seconds (a number or ``[min, max]``), then goes on
``drop_after``                forwards the call (the write happens), then closes the connection
                              without answering: the answer is lost
``propagation``               (``UpdateAssumeRolePolicy``) the new trust policy is written, but the
                              *view* keeps serving the previous one for ``delay`` seconds
============================  ========================================================================

A rule: ``{"fault": KIND, "probability": 0..1, "action": REGEX, "service": "iam"|"sts",
"latency": ..., "delay": ...}`` (``action`` matches the whole operation name; absent = every
operation). Each request draws against every rule in order: latency, drop and propagation rules
add up, the first error drawn ends the draw (and nothing is forwarded). A *storm* (``storm(seconds, action=REGEX)``,
``POST /_proxy/storm``) throttles every matching call for a while, as a burst of traffic does.

The **view** (``view_url``, a second port) forwards without faults; a ``GetRole`` through it
answers, for a role whose trust policy changed under a ``propagation`` fault less than ``delay``
seconds ago, the document before that change. Give the view to the SWP simulator as its
``iam_endpoint_url``: the manager's role check then sees IAM's eventual consistency, while the
role's own reads (through ``url``) and moto itself already hold the new document.

Control API on ``url`` (no auth): ``GET /_proxy/stats`` (calls and faults per operation, the
event log with ``?since=SEQ``), ``POST /_proxy/config`` (``{"rules": [...], "seed": N}``: replace
the rules), ``POST /_proxy/storm`` (``{"seconds": S, "action": REGEX}``), ``DELETE /_proxy/faults``
(rules, storms and pending propagation), ``POST /_proxy/reset`` (that and the counters).

Python::

    with FaultProxy(moto_url, rules=[{"fault": "throttling", "probability": 0.1}], seed=7) as proxy:
        proxy.url, proxy.view_url, proxy.stats()

Standard library only. With ``--port 0`` a free port is picked; the ready file gets
``{"url", "view_url", "pid"}`` (written to a temporary file, then renamed).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:  # imported as part of the tests package (the unit tests, tests/chaos.py)
    from .support.serving import serve_until_signal
except ImportError:  # run as a script: its folder, tests/, is the first entry of sys.path
    from support.serving import serve_until_signal  # pylint: disable=import-error

ERROR_FAULTS = {
    # kind: (HTTP status, AWS error code, type, message)
    "internal_failure": (500, "InternalFailure", "Receiver", "We encountered an internal error. Please try again. (injected)"),
    "service_unavailable": (503, "ServiceUnavailable", "Receiver", "Service is unavailable. Please try again later. (injected)"),
    "throttling": (400, "Throttling", "Sender", "Rate exceeded (injected)"),
    # Not retried: a refused request (for example a CloudFormation UpdateStack).
    "validation_error": (400, "ValidationError", "Sender", "The request was refused (injected)"),
}
FAULT_KINDS = tuple(ERROR_FAULTS) + ("latency", "drop_after", "propagation")
NAMESPACES = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
              "cloudformation": "http://cloudformation.amazonaws.com/doc/2010-05-15/"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
              "transfer-encoding", "upgrade", "content-length"}
CONTROL_PREFIX = "/_proxy"
EVENT_LIMIT = 200000
_ARN_RE = re.compile(r"<Arn>([^<]*)</Arn>")
_DOCUMENT_RE = re.compile(r"<AssumeRolePolicyDocument>([^<]*)</AssumeRolePolicyDocument>")
_SERVICE_RE = re.compile(r"Credential=[^/,\s]+/[^/]+/[^/]+/([a-z0-9-]+)/aws4_request")


class RuleError(ValueError):
    """A rule the proxy cannot use."""


def validate_rules(rules):
    """Check and normalize a list of fault rules; raises RuleError."""
    if not isinstance(rules, list):
        raise RuleError("rules must be a list")
    result = []
    for rule in rules:
        if not isinstance(rule, dict):
            raise RuleError("a rule must be an object: %r" % (rule,))
        unknown = set(rule) - {"fault", "probability", "action", "service", "latency", "delay"}
        if unknown:
            raise RuleError("unknown rule key(s): %s" % ", ".join(sorted(unknown)))
        if rule.get("fault") not in FAULT_KINDS:
            raise RuleError("fault must be one of %s: %r" % (", ".join(FAULT_KINDS), rule.get("fault")))
        probability = rule.get("probability", 1.0)
        if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise RuleError("probability must be a number from 0 to 1: %r" % (probability,))
        latency = rule.get("latency", 1.0)
        if isinstance(latency, (int, float)) and not isinstance(latency, bool):
            latency = (float(latency), float(latency))
        elif (isinstance(latency, list) and len(latency) == 2
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in latency)):
            latency = (float(min(latency)), float(max(latency)))
        else:
            raise RuleError("latency must be seconds or [min, max]: %r" % (latency,))
        delay = rule.get("delay", 2.0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise RuleError("delay must be non-negative seconds: %r" % (delay,))
        try:
            action = re.compile("(?:%s)\\Z" % rule["action"]) if rule.get("action") else None
        except (re.error, TypeError) as exc:
            raise RuleError("action must be a regular expression: %s" % exc) from exc
        result.append({"fault": rule["fault"], "probability": float(probability), "action": action,
                       "service": rule.get("service"), "latency": latency, "delay": float(delay),
                       "source": dict(rule)})
    return result


def operation_of(headers, path, body):
    """(service, operation) of an AWS request: the query protocol's Action, or X-Amz-Target."""
    service = None
    match = _SERVICE_RE.search(headers.get("Authorization", ""))
    if match:
        service = match.group(1)
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if body and "x-www-form-urlencoded" in headers.get("Content-Type", "x-www-form-urlencoded"):
        try:
            params.update(urllib.parse.parse_qs(body.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    action = (params.get("Action") or [None])[0]
    return service, action


def error_body(kind, service):
    """The body AWS's query protocol sends for this error."""
    status, code, kind_type, message = ERROR_FAULTS[kind]
    namespace = NAMESPACES.get(service or "iam", NAMESPACES["iam"])
    text = ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n    <Message>%s</Message>\n'
            '  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n') % (namespace, kind_type, code, message, uuid.uuid4())
    return status, text.encode("utf-8")


class FaultProxy:
    """The proxy and its view, each a threaded HTTP server on 127.0.0.1."""

    def __init__(self, upstream, rules=None, seed=None, host="127.0.0.1", port=0, view_port=0, timeout=60):
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError("the upstream must be an http:// URL: %r" % upstream)
        self.upstream = (parsed.hostname, parsed.port or 80)
        self.timeout = timeout
        self._lock = threading.Lock()
        self._rules = []
        self._random = random.Random(seed)
        self._storms = []
        self._pending = {}
        self._reset_counters()
        self.configure(rules or [], seed)
        self._server = _Server((host, port), _ProxyHandler, self, view=False)
        self._view = _Server((host, view_port), _ProxyHandler, self, view=True)
        self.url = "http://%s:%d" % self._server.server_address[:2]
        self.view_url = "http://%s:%d" % self._view.server_address[:2]
        self._threads = []

    # -- life cycle
    def start(self):
        for server in (self._server, self._view):
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        for server in (self._server, self._view):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- control
    def _reset_counters(self):
        self._calls = {}
        self._faults = {}
        self._view_calls = 0
        self._view_stale = 0
        self._events = []
        self._seq = 0

    def configure(self, rules, seed=None):
        """Replace the rules (and reseed when ``seed`` is given)."""
        checked = validate_rules(rules)
        with self._lock:
            self._rules = checked
            if seed is not None:
                self._random.seed(seed)

    def storm(self, seconds, action=None, fault="throttling"):
        """Every matching call gets ``fault`` (an error kind) for the next ``seconds``."""
        if fault not in ERROR_FAULTS:
            raise RuleError("a storm's fault must be one of %s" % ", ".join(ERROR_FAULTS))
        pattern = re.compile("(?:%s)\\Z" % action) if action else None
        with self._lock:
            self._storms.append({"until": time.monotonic() + float(seconds), "action": pattern, "fault": fault})

    def clear_faults(self):
        """No more rules, storms or delayed policies."""
        with self._lock:
            self._rules = []
            self._storms = []
            self._pending = {}

    def reset(self):
        self.clear_faults()
        with self._lock:
            self._reset_counters()

    def stats(self, since=None):
        """Calls and faults per operation, and the event log (after ``since``)."""
        with self._lock:
            events = [event for event in self._events if since is None or event["seq"] > since]
            faults_total = sum(sum(kinds.values()) for kinds in self._faults.values())
            failed = sum(count for kinds in self._faults.values() for kind, count in kinds.items()
                         if kind in ERROR_FAULTS or kind == "drop_after")
            return {"calls": dict(self._calls), "faults": {op: dict(kinds) for op, kinds in self._faults.items()},
                    "total_calls": sum(self._calls.values()), "total_faults": faults_total, "failed_calls": failed,
                    "view_calls": self._view_calls, "view_stale": self._view_stale,
                    "pending_propagation": len(self._pending), "last_seq": self._seq, "events": events}

    # -- decisions
    def _record(self, operation, fault=None, status=None):
        with self._lock:
            self._calls[operation] = self._calls.get(operation, 0) + 1
            for kind in fault or ():
                per_op = self._faults.setdefault(operation, {})
                per_op[kind] = per_op.get(kind, 0) + 1
            self._seq += 1
            self._events.append({"seq": self._seq, "time": time.time(), "operation": operation,
                                 "faults": list(fault or ()), "status": status})
            if len(self._events) > EVENT_LIMIT:
                del self._events[:len(self._events) - EVENT_LIMIT]
            return self._seq

    def _set_status(self, seq, status):
        with self._lock:
            for event in reversed(self._events):
                if event["seq"] == seq:
                    event["status"] = status
                    break

    def decide(self, service, operation):
        """What to do with one call: {"latency": s, "error": kind|None, "drop": bool, "propagation": s|None}."""
        decision = {"latency": 0.0, "error": None, "drop": False, "propagation": None, "kinds": []}
        now = time.monotonic()
        with self._lock:
            self._storms = [storm for storm in self._storms if storm["until"] > now]
            for storm in self._storms:
                if storm["action"] is None or storm["action"].match(operation or ""):
                    decision["error"] = storm["fault"]
                    decision["kinds"].append(storm["fault"])
                    return decision
            for rule in self._rules:
                if rule["action"] is not None and not rule["action"].match(operation or ""):
                    continue
                if rule["service"] and service and rule["service"] != service:
                    continue
                if self._random.random() >= rule["probability"]:
                    continue
                kind = rule["fault"]
                if kind == "latency":
                    decision["latency"] += self._random.uniform(*rule["latency"])
                elif kind == "propagation":
                    if operation == "UpdateAssumeRolePolicy":
                        decision["propagation"] = max(decision["propagation"] or 0.0, rule["delay"])
                    else:
                        continue
                elif kind == "drop_after":
                    decision["drop"] = True
                else:
                    decision["error"] = kind
                decision["kinds"].append(kind)
                if decision["error"]:
                    break
        return decision

    def remember_before(self, role_arn, document, delay):
        """The view keeps showing ``document`` (raw, as GetRole sends it) for ``role_arn`` for ``delay`` seconds."""
        with self._lock:
            until = time.monotonic() + delay
            pending = self._pending.get(role_arn)
            if pending and pending["until"] > time.monotonic():
                pending["until"] = max(pending["until"], until)
            else:
                self._pending[role_arn] = {"document": document, "until": until}

    def visible_document(self, role_arn):
        """The document the view shows instead of the current one, or None."""
        with self._lock:
            pending = self._pending.get(role_arn)
            if pending is None:
                return None
            if pending["until"] <= time.monotonic():
                del self._pending[role_arn]
                return None
            self._view_stale += 1
            return pending["document"]

    def count_view(self):
        with self._lock:
            self._view_calls += 1

    # -- upstream
    def forward(self, method, path, headers, body):
        """Send a request to the upstream: (status, [(header, value)], body)."""
        connection = http.client.HTTPConnection(*self.upstream, timeout=self.timeout)
        try:
            sent = {key: value for key, value in headers.items() if key.lower() not in HOP_BY_HOP}
            sent["Content-Length"] = str(len(body or b""))
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            return response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP], data
        finally:
            connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, proxy, view):
        self.proxy = proxy
        self.view = view
        super().__init__(address, handler)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "swp-aws-fault-proxy"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status, headers, body):
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, value):
        self._answer(status, [("Content-Type", "application/json")], json.dumps(value).encode("utf-8"))

    def _control(self, body):
        proxy = self.server.proxy
        parsed = urllib.parse.urlsplit(self.path)
        name = parsed.path[len(CONTROL_PREFIX):].strip("/")
        try:
            payload = json.loads(body or b"null")
            if self.command == "GET" and name == "stats":
                since = urllib.parse.parse_qs(parsed.query).get("since")
                return self._json(200, proxy.stats(int(since[0]) if since else None))
            if self.command == "POST" and name == "config":
                proxy.configure((payload or {}).get("rules", []), (payload or {}).get("seed"))
                return self._json(200, {"rules": len((payload or {}).get("rules", []))})
            if self.command == "POST" and name == "storm":
                proxy.storm(payload["seconds"], payload.get("action"), payload.get("fault", "throttling"))
                return self._json(200, {"storm": payload["seconds"]})
            if self.command == "DELETE" and name == "faults":
                proxy.clear_faults()
                return self._json(200, {"cleared": True})
            if self.command == "POST" and name == "reset":
                proxy.reset()
                return self._json(200, {"reset": True})
        except (ValueError, KeyError, TypeError) as exc:
            return self._json(400, {"message": str(exc)})
        return self._json(404, {"message": "unknown control call %s %s" % (self.command, parsed.path)})

    def _handle(self):
        body = self._body()
        proxy = self.server.proxy
        if not self.server.view and self.path.startswith(CONTROL_PREFIX):
            return self._control(body)
        service, operation = operation_of(self.headers, self.path, body)
        operation = operation or "(none)"
        headers = dict(self.headers.items())
        if self.server.view:
            proxy.count_view()
            status, answer_headers, data = proxy.forward(self.command, self.path, headers, body)
            if operation == "GetRole" and status == 200:
                data = self._stale(data)
            return self._answer(status, answer_headers, data)
        decision = proxy.decide(service, operation)
        seq = proxy._record(operation, decision["kinds"])  # pylint: disable=protected-access
        if decision["latency"]:
            time.sleep(decision["latency"])
        if decision["error"]:
            status, data = error_body(decision["error"], service)
            proxy._set_status(seq, status)  # pylint: disable=protected-access
            return self._answer(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", str(uuid.uuid4()))], data)
        before = None
        if decision["propagation"] is not None:
            before = self._read_role(headers, body)
        try:
            status, answer_headers, data = proxy.forward(self.command, self.path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            proxy._set_status(seq, 502)  # pylint: disable=protected-access
            return self._answer(502, [("Content-Type", "text/plain")], ("upstream unusable: %s" % exc).encode("utf-8"))
        if before is not None and status == 200:
            proxy.remember_before(before[0], before[1], decision["propagation"])
        if decision["drop"]:
            # The upstream did the work; the caller never hears of it.
            proxy._set_status(seq, None)  # pylint: disable=protected-access
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        proxy._set_status(seq, status)  # pylint: disable=protected-access
        return self._answer(status, answer_headers, data)

    def _read_role(self, headers, body):
        """(role ARN, raw trust policy) of the role an UpdateAssumeRolePolicy names, read with the caller's credentials."""
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        name = (params.get("RoleName") or [None])[0]
        if not name:
            return None
        query = urllib.parse.urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": name}).encode("ascii")
        try:
            status, _headers, data = self.server.proxy.forward("POST", self.path, headers, query)
        except (OSError, http.client.HTTPException):
            return None
        text = data.decode("utf-8", "replace")
        arn, document = _ARN_RE.search(text), _DOCUMENT_RE.search(text)
        if status != 200 or not arn or not document:
            return None
        return arn.group(1), document.group(1)

    def _stale(self, data):
        text = data.decode("utf-8", "replace")
        arn = _ARN_RE.search(text)
        old = self.server.proxy.visible_document(arn.group(1)) if arn else None
        if old is None:
            return data
        return _DOCUMENT_RE.sub(lambda _m: "<AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument>" % old, text, count=1).encode("utf-8")

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def do_PUT(self):  # noqa: N802
        self._handle()

    def do_DELETE(self):  # noqa: N802
        self._handle()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the moto server, http://HOST:PORT")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--view-port", type=int, default=0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--rules", default="[]", help="JSON list of fault rules")
    parser.add_argument("--ready-file", help='write {"url", "view_url", "pid"} here once serving')
    args = parser.parse_args(argv)
    try:
        proxy = FaultProxy(args.upstream, json.loads(args.rules), seed=args.seed, host=args.host, port=args.port,
                           view_port=args.view_port)
    except (ValueError, OSError) as exc:
        sys.stderr.write("aws_fault_proxy: %s\n" % exc)
        return 2
    proxy.start()
    return serve_until_signal(proxy, {"url": proxy.url, "view_url": proxy.view_url, "pid": os.getpid()}, args.ready_file,
                              prefix=".fault-proxy-ready-")


if __name__ == "__main__":
    sys.exit(main())
