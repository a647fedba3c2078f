# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 1: API calls, wall time and peak memory of swp.aws.workload_connector_info listing N connectors.

The module file is run as its own Python process (``python -m ansible_collections.swp.aws.plugins.modules.
workload_connector_info ARGS.json``, the collection tree on PYTHONPATH), the way AnsiballZ runs it minus the
zip wrapper, and measured with wait4(): its peak RSS is the module's alone, not the controller's. One run through
``ansible localhost -m`` gives the end-to-end time for the largest listing.
"""

from __future__ import annotations

import tempfile

from _common import (BenchError, FULL_KEY, PY, Sim, base_env, heading, module_env, module_result, run_measured,
                     table, write_module_args)

SIZES = (999, 1000, 2500, 10000)
PAGE_SIZES = (1000, 5000)
MODULE = "ansible_collections.swp.aws.plugins.modules.workload_connector_info"
SEARCH = ("POST", "/api/awsconnectors/search")


def expected_calls(n, page):
    """ceil(N/page), plus one empty page when N is a multiple of page (paging stops at a short page)."""
    return -(-n // page) + (1 if n % page == 0 else 0)


def _connector(i):
    account = "%012d" % (200000000000 + i)
    return {"displayName": "bench-%05d" % i, "accountId": account,
            "crossAccountRoleArn": "arn:aws:iam::%s:role/TrendMicroWorkloadSecurityRole" % account,
            "seedRegion": "us-east-1", "externalId": "legacy-%s" % account, "lastSyncTime": 1700000000000 + i}


def _check_listing(result, n):
    connectors = result.get("connectors")
    if not isinstance(connectors, list):
        raise BenchError("the module returned no connectors list: %s" % str(result)[:300])
    ids = [c.get("id") for c in connectors]
    return len(connectors) == n and ids == sorted(set(ids))


def run(api_url, sim_base, summary):
    heading("1. workload_connector_info: calls, wall time, peak memory (module run as its own process)")
    sim = Sim(sim_base)
    sim.reset({"config": {"rate_limit": 0}})
    sim.configure(rate_limit=0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="swp-bench-listing-") as tmp:
        # Baseline: an empty listing (interpreter + ansible module_utils + requests, one call).
        args = {p: write_module_args(tmp, "page%d" % p, {"url": api_url, "api_key": FULL_KEY, "page_size": p})
                for p in PAGE_SIZES}
        sim.clear_requests()
        m = run_measured([PY, "-m", MODULE, args[1000]], env=module_env(), timeout=120)
        result = module_result(m)
        if m.returncode != 0 or result.get("failed"):
            raise BenchError("workload_connector_info failed on an empty manager: %s" % result.get("msg", m.tail(8)))
        calls = len(sim.requests())
        rows.append((0, 1000, calls, expected_calls(0, 1000), "%.2f" % m.wall, "%.1f" % m.maxrss_mib, "ok"))
        baseline_mib = m.maxrss_mib
        summary.add("1. listing N=0 page=1000 calls", calls, expected_calls(0, 1000), calls == expected_calls(0, 1000))

        seeded = 0
        for n in SIZES:
            sim.add_connectors([_connector(i) for i in range(seeded, n)])
            seeded = n
            count = sim.health()["connectors"]
            if count != n:
                raise BenchError("seeded %d connectors, the simulator holds %d" % (n, count))
            for page in PAGE_SIZES:
                sim.clear_requests()
                m = run_measured([PY, "-m", MODULE, args[page]], env=module_env(), timeout=180)
                result = module_result(m)
                if m.returncode != 0 or result.get("failed"):
                    raise BenchError("workload_connector_info failed (N=%d, page=%d): %s" % (n, page, result.get("msg")))
                log = sim.requests()
                searches = [e for e in log if (e["method"], e["path"]) == SEARCH]
                other = len(log) - len(searches)
                want = expected_calls(n, page)
                complete = _check_listing(result, n)
                ok = len(searches) == want and other == 0 and complete
                rows.append((n, page, len(searches) if not other else "%d (+%d other)" % (len(searches), other), want,
                             "%.2f" % m.wall, "%.1f" % m.maxrss_mib, "ok" if complete else "INCOMPLETE"))
                summary.add("1. listing N=%d page=%d calls" % (n, page),
                            "%d, %.2fs, %.0f MiB" % (len(log), m.wall, m.maxrss_mib), want, ok)
        table(["N", "page", "calls", "expected", "wall s", "peak RSS MiB", "listing"], rows)
        print("  peak RSS of the empty listing (interpreter, module_utils, requests): %.1f MiB; "
              "growth at N=10000: %+.1f MiB" % (baseline_mib, m.maxrss_mib - baseline_mib))

        # End to end through the controller, for the largest listing.
        sim.clear_requests()
        env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY)
        m = run_measured(["ansible", "localhost", "-m", "swp.aws.workload_connector_info", "-a", "page_size=1000",
                          "-o"], env=env, timeout=240)
        calls = len([e for e in sim.requests() if (e["method"], e["path"]) == SEARCH])
        if m.returncode != 0:
            raise BenchError("ansible localhost -m swp.aws.workload_connector_info failed: %s" % m.tail(5)[-600:])
        want = expected_calls(SIZES[-1], 1000)
        print("  ansible localhost -m swp.aws.workload_connector_info (N=%d, page=1000): %d calls (expected %d), "
              "%.2f s wall; peak RSS of controller or module, whichever is larger: %.1f MiB"
              % (SIZES[-1], calls, want, m.wall, m.maxrss_mib))
        summary.add("1. ansible -m connector_info N=%d" % SIZES[-1], "%d calls, %.2fs" % (calls, m.wall), want,
                    calls == want)
