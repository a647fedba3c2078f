# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the benchmarks: paths, the simulator's control API, measured subprocesses, tables."""

from __future__ import annotations

import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The test tooling's shared layer (tests/support: the simulator's control client, moto accounts, constants).
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# moto_accounts: re-exported for the benchmarks that reach moto's accounts.
from tests.support import constants, moto_accounts  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tests.support.sim_control import SimControl  # noqa: E402  pylint: disable=wrong-import-position


def _build_dir():
    """The tree holding ansible_collections/swp/aws: the first such ANSIBLE_COLLECTIONS_PATH entry (make exports
    it as $(BUILD)), else the checkout's .build."""
    for entry in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if entry and os.path.isfile(os.path.join(entry, "ansible_collections", "swp", "aws", "galaxy.yml")):
            return os.path.abspath(entry)
    return os.path.join(ROOT, ".build")


BUILD = _build_dir()
PY = sys.executable
FULL_KEY = constants.FULL_KEY


class BenchError(Exception):
    """A benchmark could not produce its figure (as opposed to a figure that differs from the expectation)."""


# ------------------------------------------------------------------ environment

def services():
    """(api url, control base, moto url) exported by scripts/services.py."""
    try:
        return os.environ["SWP_SIM_URL"], os.environ["SWP_SIM_BASE"].rstrip("/"), os.environ["MOTO_URL"]
    except KeyError as exc:
        raise BenchError("%s is not set: run the benchmarks with `make bench`" % exc) from exc


def base_env(**extra):
    """The environment for ansible and module subprocesses: collections from the build tree, fake AWS credentials."""
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = BUILD
    env.setdefault("AWS_ACCESS_KEY_ID", constants.AWS_ACCESS_KEY)
    env.setdefault("AWS_SECRET_ACCESS_KEY", constants.AWS_SECRET_KEY)
    env.setdefault("AWS_DEFAULT_REGION", constants.REGION)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_LOCALHOST_WARNING"] = "False"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "False"
    env["ANSIBLE_DEPRECATION_WARNINGS"] = "False"
    env["ANSIBLE_RETRY_FILES_ENABLED"] = "False"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def module_env(**extra):
    """Environment for running a module file directly: the build tree importable as ansible_collections."""
    env = base_env(**extra)
    env["PYTHONPATH"] = BUILD + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def check_build():
    marker = os.path.join(BUILD, "ansible_collections", "swp", "aws", "galaxy.yml")
    if not os.path.isfile(marker):
        raise BenchError("the collection tree is missing under the build directory: run `make collection` (make bench does)")


# ------------------------------------------------------------------ simulator control API

class Sim(SimControl):
    """The simulator's /_sim control API over HTTP (the simulator runs in the services process): tests/support's client."""

    def __init__(self, base, timeout=120):
        super().__init__(base, timeout=timeout)


_ID = re.compile(r"/\d+(?=/|$)")


def endpoint(entry):
    """'METHOD /path' with connector IDs replaced by {id}, and the query's sync flag kept."""
    path = _ID.sub("/{id}", entry["path"])
    if path.startswith("/api"):
        path = path[4:] or "/"
    sync = (entry.get("query") or {}).get("sync")
    if sync is not None:
        path += "?sync=%s" % (sync[-1] if isinstance(sync, list) else sync)
    return "%s %s" % (entry["method"], path)


def breakdown(entries):
    return collections.Counter(endpoint(e) for e in entries)


# ------------------------------------------------------------------ measured subprocesses

class Measured:
    """A finished subprocess: exit status, wall time, peak RSS (KiB, of the process and its reaped descendants),
    CPU seconds (user + system, of the process and its reaped descendants)."""

    def __init__(self, cmd, returncode, wall, maxrss_kib, stdout, stderr, timed_out=False, cpu=None):
        self.cmd = cmd
        self.cpu = cpu
        self.returncode = returncode
        self.wall = wall
        self.maxrss_kib = maxrss_kib
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    @property
    def maxrss_mib(self):
        return self.maxrss_kib / 1024.0

    def tail(self, lines=25):
        text = (self.stdout or "") + ("\n" + self.stderr if self.stderr else "")
        return "\n".join(text.rstrip().splitlines()[-lines:])


def run_measured(cmd, env=None, cwd=ROOT, timeout=300, stdin_data=None, keep_output_in=None, on_start=None):
    """Run ``cmd`` and measure it with wait4(): the rusage of that child alone, not of earlier children.

    stdout and stderr go to files (a module that prints megabytes of JSON cannot block on a pipe);
    they are read back into the result. ``keep_output_in``: a directory to leave them in. ``on_start``:
    called with the child's pid once it runs (e.g. to sample its memory from /proc while it lives).
    """
    out_dir = keep_output_in or tempfile.mkdtemp(prefix="swp-bench-")
    name = "%d-%d" % (os.getpid(), int(time.monotonic() * 1e6))
    out_path = os.path.join(out_dir, name + ".out")
    err_path = os.path.join(out_dir, name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        stdin = subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=stdin, env=env, cwd=cwd)
        killed = threading.Event()

        def _kill():
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, _kill)
        timer.start()
        if on_start is not None:
            on_start(proc.pid)
        try:
            if stdin_data is not None:
                proc.stdin.write(stdin_data)
                proc.stdin.close()
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, encoding="utf-8", errors="replace") as handle:
        stdout = handle.read()
    with open(err_path, encoding="utf-8", errors="replace") as handle:
        stderr = handle.read()
    if keep_output_in is None:
        os.unlink(out_path)
        os.unlink(err_path)
        os.rmdir(out_dir)
    return Measured(cmd, proc.returncode, wall, usage.ru_maxrss, stdout, stderr, killed.is_set(),
                    usage.ru_utime + usage.ru_stime)


def build_fleet(tmp, spec, sim_base, moto_url, timeout):
    """Write the fleet ``spec`` to TMP/fleet-spec.json and build it with ``tests/fleet.py build`` (roles in moto,
    connectors in the simulator); returns the inventory it wrote, TMP/inventory.json."""
    spec_path = os.path.join(tmp, "fleet-spec.json")
    inventory = os.path.join(tmp, "inventory.json")
    with open(spec_path, "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    m = run_measured([PY, os.path.join("tests", "fleet.py"), "--moto-url", moto_url, "build", "--spec", spec_path,
                      "--sim-base", sim_base, "--inventory-out", inventory], env=base_env(), timeout=timeout)
    if m.returncode != 0:
        raise BenchError("tests/fleet.py failed: %s" % m.tail(8))
    return inventory


def module_result(measured):
    """The JSON result a module printed (the last JSON object line of its stdout)."""
    for line in reversed(measured.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    raise BenchError("the module printed no JSON result (exit %s): %s" % (measured.returncode, measured.tail(8)))


def write_module_args(directory, name, args):
    """An args file for running a module file directly (AnsibleModule reads it from argv[1])."""
    path = os.path.join(directory, name + ".json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    return path


def median(values):
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------ output

def heading(text):
    print("\n" + "=" * 78 + "\n" + text + "\n" + "=" * 78, flush=True)


def table(headers, rows, indent="  "):
    rows = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = indent + "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip())
    print(indent + "  ".join("-" * w for w in widths))
    for row in rows:
        print((indent + "  ".join(c.ljust(w) for c, w in zip(row, widths))).rstrip())
    sys.stdout.flush()


class Summary:
    """The rows of the final table, and the checks that did not hold."""

    def __init__(self):
        self.rows = []
        self.mismatches = []
        self.errors = []

    def add(self, figure, measured, expected="", ok=None):
        verdict = "" if ok is None else ("ok" if ok else "MISMATCH")
        self.rows.append((figure, measured, expected, verdict))
        if ok is False:
            self.mismatches.append("%s: measured %s, expected %s" % (figure, measured, expected))

    def error(self, bench, message):
        self.errors.append("%s: %s" % (bench, message))
        self.rows.append((bench, "ERROR", "", "ERROR"))
