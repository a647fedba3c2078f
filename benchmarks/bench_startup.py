# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 3: start-up time of an SWP module, and proof that the SWP modules do not import boto3."""

from __future__ import annotations

import json
import tempfile

from _common import (FULL_KEY, PY, BenchError, Sim, base_env, heading, median, module_env, run_measured, table,
                     write_module_args)

RUNS = 5
PREFIX = "ansible_collections.swp.aws.plugins.modules."
SWP_MODULES = ("workload_extid_info", "workload_extid_retrieval", "workload_connector", "workload_connector_info")

# Runs a module's main() in this interpreter (runpy, as __main__) and, at exit, reports which AWS SDK
# modules were loaded; exit_json() ends with sys.exit, so atexit is where the final sys.modules is seen.
_PROBE = r"""
import atexit, json, runpy, sys
name, args = sys.argv[1], sys.argv[2:]
def report():
    sdk = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 's3transfer'))
    sys.stderr.write('\nSDK-PROBE ' + json.dumps({'sdk': sdk, 'modules': len(sys.modules)}) + '\n')
atexit.register(report)
if args:
    sys.argv = [name] + args
    runpy.run_module(name, run_name='__main__', alter_sys=True)
else:
    __import__(name)
"""


def _probe(name, args_file=None):
    cmd = [PY, "-c", _PROBE, name] + ([args_file] if args_file else [])
    m = run_measured(cmd, env=module_env(), timeout=60)
    for line in m.stderr.splitlines():
        if line.startswith("SDK-PROBE "):
            return json.loads(line[len("SDK-PROBE "):]), m
    raise BenchError("the import probe of %s printed nothing (exit %s): %s" % (name, m.returncode, m.tail(6)))


def _adhoc(module, env):
    m = run_measured(["ansible", "localhost", "-m", module, "-o"], env=env, timeout=120)
    if m.returncode != 0:
        raise BenchError("ansible localhost -m %s failed: %s" % (module, m.tail(5)[-600:]))
    return m.wall


def run(api_url, sim_base, summary):
    heading("3. Module start-up: ansible localhost -m (median of %d), direct module runs, boto3 imports" % RUNS)
    sim = Sim(sim_base)
    sim.reset({"config": {"rate_limit": 0}})
    env = base_env(SWP_API_URL=api_url, SWP_API_KEY=FULL_KEY)
    _adhoc("ansible.builtin.ping", env)  # warm the file cache before timing
    extid, ping = [], []
    for _ in range(RUNS):  # interleaved, so drift of the machine hits both alike
        extid.append(_adhoc("swp.aws.workload_extid_info", env))
        ping.append(_adhoc("ansible.builtin.ping", env))

    with tempfile.TemporaryDirectory(prefix="swp-bench-startup-") as tmp:
        args = write_module_args(tmp, "extid", {"url": api_url, "api_key": FULL_KEY})
        direct, bare, deps = [], [], []
        for _ in range(RUNS):
            m = run_measured([PY, "-m", PREFIX + "workload_extid_info", args], env=module_env(), timeout=60)
            if m.returncode != 0:
                raise BenchError("workload_extid_info failed when run directly: %s" % m.tail(5))
            direct.append(m.wall)
            bare.append(run_measured([PY, "-c", "pass"], env=module_env(), timeout=60).wall)
            deps.append(run_measured([PY, "-c", "import ansible.module_utils.basic, requests"], env=module_env(),
                                     timeout=60).wall)

        table(["what", "median s", "min s", "max s"], [
            ("ansible localhost -m swp.aws.workload_extid_info", "%.2f" % median(extid), "%.2f" % min(extid),
             "%.2f" % max(extid)),
            ("ansible localhost -m ansible.builtin.ping", "%.2f" % median(ping), "%.2f" % min(ping), "%.2f" % max(ping)),
            ("  difference (SWP module cost over ping)", "%+.2f" % (median(extid) - median(ping)), "", ""),
            ("workload_extid_info run directly (python -m, 1 API call)", "%.3f" % median(direct), "%.3f" % min(direct),
             "%.3f" % max(direct)),
            ("python: import ansible.module_utils.basic, requests", "%.3f" % median(deps), "%.3f" % min(deps),
             "%.3f" % max(deps)),
            ("python -c pass", "%.3f" % median(bare), "%.3f" % min(bare), "%.3f" % max(bare)),
        ])
        summary.add("3. ansible -m workload_extid_info", "%.2fs median" % median(extid))
        summary.add("3. ansible -m ping (baseline)", "%.2fs median" % median(ping))
        summary.add("3. SWP module over ping", "%+.2fs" % (median(extid) - median(ping)))
        summary.add("3. extid_info run directly", "%.3fs median" % median(direct))

        rows = []
        report, _m = _probe(PREFIX + "workload_extid_info", args)
        rows.append(("workload_extid_info (full run, 1 API call)", report["modules"], ", ".join(report["sdk"]) or "none"))
        clean = not report["sdk"]
        for name in SWP_MODULES:
            report, _m = _probe(PREFIX + name)
            rows.append(("%s (import)" % name, report["modules"], ", ".join(report["sdk"][:4]) or "none"))
            clean = clean and not report["sdk"]
        table(["module", "modules loaded", "boto3/botocore loaded"], rows)
        summary.add("3. SWP modules import boto3", "no" if clean else "YES", "no", clean)
