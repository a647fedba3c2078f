# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of the swp.aws collection: print call counts, timings and memory; see benchmarks/README.md.

    make bench                                   # every figure (starts the simulator and moto)
    python benchmarks/run.py --only 1,4          # some figures; starts the services itself when needed

Exit status: 0 when every benchmark produced its figures (figures that differ from the expectation are
flagged MISMATCH in the output and listed at the end, and fail the run only with --strict); 1 when a
benchmark errored; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import ROOT, BenchError, Summary, check_build, heading, services, table  # noqa: E402

BENCHES = {
    "1": "listing call counts and memory",
    "2": "client throughput and retries",
    "3": "module start-up",
    "4": "rollout over a fleet",
    "5": "rollout under a rate limit",
    "6": "rollout dry run at scale",
    "7": "trust core worst-case planning",
    "8": "rollout against its floor",
    "9": "how the roles read",
}
# Figures that need neither the simulator nor moto.
OFFLINE = {"7", "9"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHES),
                        help="comma-separated figures to run (default: %s)" % ",".join(BENCHES))
    parser.add_argument("--scale-accounts", default="100,300,1000",
                        help="figure 6: comma-separated fleet sizes (default: 100,300,1000)")
    parser.add_argument("--scale-index-only", action="store_true",
                        help="figure 6: only the index play, not the rollout's dry run (minutes instead of most of an hour)")
    parser.add_argument("--trust-timeout", type=float, default=20.0,
                        help="figure 7: seconds each adversarial policy may take to plan before it counts as no answer")
    parser.add_argument("--floor-accounts", type=int, default=50,
                        help="figure 8: accounts of the fleet the rollout and its floor run over (default: 50)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure differs from its expectation too")
    args = parser.parse_args()
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = [c for c in chosen if c not in BENCHES]
    if unknown:
        parser.error("unknown figure(s) %s; choose from %s" % (", ".join(unknown), ", ".join(BENCHES)))
    try:
        scale_sizes = sorted(set(int(part) for part in args.scale_accounts.split(",") if part.strip()))
    except ValueError:
        scale_sizes = []
    if not scale_sizes or scale_sizes[0] < 1 or scale_sizes[-1] > 1000:
        parser.error("--scale-accounts takes sizes from 1 to 1000, e.g. 100,300,1000")

    offline = set(chosen) <= OFFLINE
    if "SWP_SIM_BASE" not in os.environ and not offline:
        # Not started by `make bench`: start the simulator and moto around ourselves.
        os.execv(sys.executable, [sys.executable, os.path.join(ROOT, "scripts", "services.py"), "--",
                                  sys.executable, os.path.abspath(__file__)] + sys.argv[1:])

    summary = Summary()
    started = time.perf_counter()
    try:
        check_build()
        api_url, sim_base, moto_url = (None, None, None) if offline else services()
    except BenchError as exc:
        print("bench: %s" % exc, file=sys.stderr)
        return 1

    # Imported late: they import the client and requests, which the re-exec above does not need.
    import bench_client  # pylint: disable=import-outside-toplevel
    import bench_floor  # pylint: disable=import-outside-toplevel
    import bench_listing  # pylint: disable=import-outside-toplevel
    import bench_ratelimit  # pylint: disable=import-outside-toplevel
    import bench_rollout  # pylint: disable=import-outside-toplevel
    import bench_scale  # pylint: disable=import-outside-toplevel
    import bench_startup  # pylint: disable=import-outside-toplevel
    import bench_trust  # pylint: disable=import-outside-toplevel
    import role_metrics  # pylint: disable=import-outside-toplevel

    runners = {
        "1": lambda: bench_listing.run(api_url, sim_base, summary),
        "2": lambda: bench_client.run(api_url, sim_base, summary),
        "3": lambda: bench_startup.run(api_url, sim_base, summary),
        "4": lambda: bench_rollout.run(api_url, sim_base, moto_url, summary),
        "5": lambda: bench_ratelimit.run(api_url, sim_base, moto_url, summary),
        "6": lambda: bench_scale.run(api_url, sim_base, moto_url, summary, scale_sizes,
                                          not args.scale_index_only),
        "7": lambda: bench_trust.run(summary, args.trust_timeout),
        "8": lambda: bench_floor.run(api_url, sim_base, moto_url, summary, args.floor_accounts),
        "9": lambda: role_metrics.run(summary),
    }
    timings = {}
    load_before = os.getloadavg()
    print("load average at start: %.2f %.2f %.2f on %d CPUs (timings are only comparable on a quiet machine)"
          % (load_before + (os.cpu_count() or 0,)), flush=True)
    for key in chosen:
        t0 = time.perf_counter()
        try:
            runners[key]()
        except BenchError as exc:
            print("\n  ERROR in figure %s (%s): %s" % (key, BENCHES[key], exc), flush=True)
            summary.error("%s. %s" % (key, BENCHES[key]), str(exc))
        except Exception as exc:  # pylint: disable=broad-except
            traceback.print_exc()
            summary.error("%s. %s" % (key, BENCHES[key]), "%s: %s" % (type(exc).__name__, exc))
        timings[key] = time.perf_counter() - t0

    heading("Summary (%s; whole run %.0f s)" % (", ".join("figure %s %.0f s" % kv for kv in timings.items()),
                                                time.perf_counter() - started))
    table(["figure", "measured", "expected", "verdict"], summary.rows)
    print("\nload average at start %.2f, at end %.2f (1 min)" % (load_before[0], os.getloadavg()[0]))
    if summary.mismatches:
        print("\nMISMATCHES (%d):" % len(summary.mismatches))
        for line in summary.mismatches:
            print("  - " + line)
    if summary.errors:
        print("\nERRORS (%d):" % len(summary.errors))
        for line in summary.errors:
            print("  - " + line)
        return 1
    return 1 if (args.strict and summary.mismatches) else 0


if __name__ == "__main__":
    sys.exit(main())
