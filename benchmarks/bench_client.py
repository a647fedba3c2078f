# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 2: WorkloadClient throughput over keep-alive, and what scripted faults cost in time and calls."""

from __future__ import annotations

import os
import sys
import time

import requests

from _common import BUILD, FULL_KEY, BenchError, Sim, heading, median, table

GETS = 1500
NO_KEEPALIVE_GETS = 300
SETTINGS = "/awsconnectorsettings"


def _client_module():
    if BUILD not in sys.path:
        sys.path.insert(0, BUILD)
    from ansible_collections.swp.aws.plugins.module_utils import _client  # pylint: disable=import-outside-toplevel
    return _client


def _pool_connections(client):
    """How many TCP connections the client's connection pools opened so far."""
    manager = client._safe.poolmanager  # pylint: disable=protected-access
    return sum(manager.pools[key].num_connections for key in manager.pools.keys())


def _throughput(client_mod, api_url, sim, summary):
    client = client_mod.WorkloadClient(api_url, FULL_KEY)
    for _ in range(50):
        client.get(SETTINGS)
    sim.clear_requests()
    latencies = []
    start = time.perf_counter()
    for _ in range(GETS):
        t0 = time.perf_counter()
        client.get(SETTINGS)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    served = len(sim.requests())
    conns = _pool_connections(client)
    client.close()
    latencies.sort()
    rps = GETS / wall

    # The same GET without keep-alive: a new TCP connection per request.
    headers = {"Authorization": "ApiKey " + FULL_KEY, "api-version": "v1", "Accept": "application/json",
               "Connection": "close"}
    start = time.perf_counter()
    for _ in range(NO_KEEPALIVE_GETS):
        response = requests.get(api_url + SETTINGS, headers=headers, timeout=30)
        response.raise_for_status()
    rps_close = NO_KEEPALIVE_GETS / (time.perf_counter() - start)

    table(["what", "requests", "req/s", "p50 ms", "p99 ms", "TCP connections"], [
        ("WorkloadClient GET keep-alive", GETS, "%.0f" % rps, "%.2f" % (median(latencies) * 1000),
         "%.2f" % (latencies[int(len(latencies) * 0.99) - 1] * 1000), conns),
        ("requests.get, Connection: close", NO_KEEPALIVE_GETS, "%.0f" % rps_close, "", "", NO_KEEPALIVE_GETS),
    ])
    summary.add("2. client GET throughput (keep-alive)", "%.0f req/s, %d conn" % (rps, conns), "1 conn",
                conns == 1 and served == GETS)
    summary.add("2. GET without keep-alive", "%.0f req/s" % rps_close)


# Backoff of urllib3 2.x with backoff_factor=1: no sleep before the first retry, then 2 s, 4 s, 8 s...,
# each plus jitter in [0, backoff_factor/2); a Retry-After header replaces the backoff. A 429 without
# Retry-After waits 5 s, 10 s, 20 s... (x0.75-1.25 jitter) instead, to span the rate limit's window.
# The expected time windows allow ~0.2 s of overhead on top of the worst-case jitter.
# rate_limit scenarios: the simulator's own limiter (3 calls per 3 s window), filled before the timed call.
SCENARIOS = [
    dict(label="GET, 3x 503 then 200", faults=[{"status": 503}] * 3, calls=4, outcome="ok", seconds=(6.0, 7.2)),
    dict(label="GET, 429 Retry-After: 1 then 200", faults=[{"status": 429, "retry_after": 1}], calls=2, outcome="ok",
         seconds=(1.0, 1.2)),
    dict(label="GET, 429 without Retry-After then 200", faults=[{"status": 429}], calls=2, outcome="ok",
         seconds=(3.75, 6.45)),
    dict(label="GET, 2x 429 Retry-After: 1 then 200", faults=[{"status": 429, "retry_after": 1}] * 2, calls=3,
         outcome="ok", seconds=(2.0, 2.2)),
    dict(label="GET, dropped connection then 200", faults=[{"drop": True}], calls=2, outcome="ok", seconds=(0.0, 0.2)),
    dict(label="GET, 3x 503, retries=2: gives up", faults=[{"status": 503}] * 3, client={"retries": 2}, calls=3,
         outcome="server", seconds=(2.0, 2.7)),
    dict(label="create (POST), 502: not re-sent", faults=[{"status": 502, "method": "POST", "path": "^/api/awsconnectors$"}],
         create=True, calls=1, outcome="server", seconds=(0.0, 0.2)),
    dict(label="create (POST), 503 then 200: re-sent",
         faults=[{"status": 503, "method": "POST", "path": "^/api/awsconnectors$"}], create=True, calls=2, outcome="ok",
         seconds=(0.0, 0.2)),
    # Rate limit full for ~3 s, no Retry-After: the throttle wait (about 5 s) outlasts the window at once.
    dict(label="GET, rate limit full (3/3s), no Retry-After", rate_limit={"rate_limit": 3, "rate_limit_window": 3},
         calls=2, outcome="ok", seconds=(3.75, 6.45)),
    dict(label="GET, rate limit full (3/3s), Retry-After sent",
         rate_limit={"rate_limit": 3, "rate_limit_window": 3, "rate_limit_retry_after": True},
         calls=2, outcome="ok", seconds=(2.5, 3.7)),
]


def _faults(client_mod, api_url, sim, summary):
    rows = []
    for case in SCENARIOS:
        low, high = case["seconds"]
        limited = case.get("rate_limit")
        # A fresh limiter for each case (reset clears its counters), the limit off unless the case sets one.
        sim.reset({"config": dict({"rate_limit": 0}, **(limited or {}))})
        client = client_mod.WorkloadClient(api_url, FULL_KEY, **case.get("client", {}))
        client.get(SETTINGS)  # open the keep-alive connection first, as a module mid-run would have
        if limited:
            for _ in range(limited["rate_limit"] - 1):
                client.get(SETTINGS)
        sim.clear_requests()
        if case.get("faults"):
            sim.faults(case["faults"])
        outcome = "ok"
        start = time.perf_counter()
        try:
            if case.get("create"):
                client.post("/awsconnectors", {"useInstanceRole": True}, idempotent=False)
            else:
                client.get(SETTINGS)
        except client_mod.WorkloadApiError as exc:
            outcome = exc.kind
        elapsed = time.perf_counter() - start
        client.close()
        log = sim.requests()
        statuses = ",".join("drop" if e["status"] is None else str(e["status"]) for e in log)
        ok = len(log) == case["calls"] and outcome == case["outcome"] and low <= elapsed < high
        rows.append((case["label"], len(log), case["calls"], statuses, outcome, "%.2f" % elapsed,
                     "%.1f-%.1f" % (low, high), "ok" if ok else "MISMATCH"))
        summary.add("2. %s" % case["label"], "%d calls, %.2fs, %s" % (len(log), elapsed, outcome),
                    "%d, %.1f-%.1fs, %s" % (case["calls"], low, high, case["outcome"]), ok)
    sim.reset({"config": {"rate_limit": 0}})
    table(["scenario (backoff_factor=1, retries=5)", "calls", "expected", "statuses", "outcome", "s", "expected s", ""],
          rows)


def run(api_url, sim_base, summary):
    heading("2. WorkloadClient: throughput over keep-alive, retries through scripted faults")
    sim = Sim(sim_base)
    sim.reset({"config": {"rate_limit": 0}})
    sim.configure(rate_limit=0)
    try:
        client_mod = _client_module()
    except ImportError as exc:
        raise BenchError("cannot import the client from the build tree: %s" % exc) from exc
    print("  client module: %s" % os.path.relpath(client_mod.__file__, BUILD))
    _throughput(client_mod, api_url, sim, summary)
    _faults(client_mod, api_url, sim, summary)
