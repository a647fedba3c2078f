"""Run the integration targets under each simulator profile, spread over parallel shards, and time each target.

    python scripts/integration.py --collection DIR [--jobs N] [--profiles "documented strict"]
                                  [--strict-targets "T ..."] [--targets "T ..."] [--log-dir DIR]

Each (profile, target) pair is one piece of work with an expected cost in seconds (COSTS, measured on this
project's 2-core reference machine; an unknown target counts as DEFAULT_COST). The pieces are dealt to N shards,
longest first, each to the shard with the least work so far. A shard has its own copy of the collection tree and,
per profile, its own simulator and moto server (scripts/services.py), in which ``ansible-test integration`` runs
the shard's targets of that profile, as ``make integration`` did with one shard. The targets spend much of their
time waiting (on nested ansible-playbook runs, retries with back-off, the simulator's propagation delays), so two
shards on two cores take less wall time than one, with the same targets under the same profiles.

Every shard writes its full output to a log file; the terminal gets one line per target start and end. At the
end: seconds per target and per shard, and the full log of any shard that failed. The exit status is 1 when any
shard failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Seconds per (profile, target), measured on a 2-core machine from a clean-clone run's per-target lines, with both
# shards busy (a target runs slower beside another than alone). Only the order of the numbers matters: they decide
# which shard gets what. A target not listed for a profile costs STRICT_FACTOR of its documented cost under strict.
COSTS = {
    ("documented", "extid_migration_rollout"): 349,
    ("documented", "connector_onboarding_fleet"): 339,
    ("documented", "extid_migration_chaos"): 65,
    ("documented", "cam_account_standing"): 139,
    ("documented", "readme_examples"): 75,
    ("documented", "workload_api_key_leaks"): 57,
    ("documented", "workload_connectors_inventory"): 42,
    ("documented", "workload_connector"): 30,
    ("documented", "workload_extid"): 14,
    ("documented", "workload_connector_info"): 8,
    ("documented", "workload_preflight"): 6,
    ("strict", "extid_migration_rollout"): 237,
    ("strict", "workload_connector"): 34,
    ("strict", "workload_extid"): 11,
    ("strict", "workload_connector_info"): 7,
    ("strict", "workload_preflight"): 5,
}
STRICT_FACTOR = 0.9
DEFAULT_COST = 60
SKIP_ALIASES = ("disabled", "hidden", "unsupported")
START = re.compile(r"^Running (\S+) integration test role")

_print_lock = threading.Lock()


def say(text):
    with _print_lock:
        print(text, flush=True)


def runnable_targets(collection):
    """The targets ``ansible-test integration`` runs when given none: every folder not marked disabled or hidden."""
    root = os.path.join(collection, "tests", "integration", "targets")
    names = []
    for name in sorted(os.listdir(root)):
        aliases_path = os.path.join(root, name, "aliases")
        aliases = []
        if os.path.exists(aliases_path):
            with open(aliases_path, encoding="utf-8") as handle:
                aliases = [line.split("#")[0].strip() for line in handle]
        if name.startswith("setup_") or any(alias in SKIP_ALIASES for alias in aliases):
            continue
        names.append(name)
    return names


def plan(collection, profiles, targets, strict_targets):
    """The (profile, target) pairs to run, in the order ``make integration`` always ran them."""
    everything = targets or runnable_targets(collection)
    pieces = []
    for profile in profiles:
        chosen = targets or (strict_targets if profile == "strict" and strict_targets else everything)
        pieces.extend((profile, target) for target in chosen)
    return pieces


def cost(piece):
    """The expected seconds of one (profile, target) piece."""
    if piece in COSTS:
        return COSTS[piece]
    documented = COSTS.get(("documented", piece[1]), DEFAULT_COST)
    return documented if piece[0] == "documented" else documented * STRICT_FACTOR


def deal(pieces, jobs):
    """Longest piece first, each to the shard with the least work so far; empty shards dropped."""
    shards = [[] for _ in range(max(1, jobs))]
    loads = [0] * len(shards)
    for piece in sorted(pieces, key=lambda p: -cost(p)):
        index = loads.index(min(loads))
        shards[index].append(piece)
        loads[index] += cost(piece)
    return [shard for shard in shards if shard]


def shard_tree(collection, index):
    """Shard 0 runs in the collection tree itself; the others in a copy beside it (with amazon.aws's link)."""
    if index == 0:
        return collection
    build = os.path.dirname(os.path.dirname(os.path.dirname(collection)))
    root = os.path.join(build, "shards", str(index))
    shutil.rmtree(root, ignore_errors=True)
    tree = os.path.join(root, "ansible_collections", "swp", "aws")
    output = os.path.join(collection, "tests", "output")
    shutil.copytree(collection, tree, symlinks=True,
                    ignore=lambda folder, names: ["output"] if os.path.join(folder, "output") == output else [])
    amazon = os.path.join(os.path.dirname(os.path.dirname(collection)), "amazon")
    shutil.copytree(amazon, os.path.join(root, "ansible_collections", "amazon"), symlinks=True)
    return tree


class Shard(threading.Thread):
    def __init__(self, index, pieces, collection, log_dir, profiles):
        super().__init__(name="shard-%d" % index)
        self.index = index
        self.pieces = pieces
        self.collection = collection
        self.log_path = os.path.join(log_dir, "shard-%d.log" % index)
        self.profiles = profiles
        self.times = []  # (profile, target, seconds)
        self.failed = None
        self.seconds = 0.0

    def run(self):
        started = time.monotonic()
        try:
            tree = shard_tree(self.collection, self.index)
            with open(self.log_path, "w", encoding="utf-8") as log:
                for profile in self.profiles:
                    targets = [target for prof, target in self.pieces if prof == profile]
                    if targets and not self._run_profile(tree, profile, targets, log):
                        self.failed = profile
                        break
        except Exception as exc:  # pylint: disable=broad-except
            self.failed = "set-up (%s)" % exc
        self.seconds = time.monotonic() - started

    def _run_profile(self, tree, profile, targets, log):
        env = dict(os.environ)
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.dirname(os.path.dirname(os.path.dirname(tree)))
        command = [sys.executable, os.path.join(HERE, "services.py"), "--sim-config", "profile=%s" % profile,
                   "--config-out", os.path.join(tree, "tests", "integration", "integration_config.yml"), "--",
                   "ansible-test", "integration", "--local", "--python", "3.11", "--color", "no"] + targets
        say("[shard %d] profile %s: %s" % (self.index, profile, " ".join(targets)))
        log.write("=== profile %s: %s ===\n" % (profile, " ".join(targets)))
        log.flush()
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace")
        current, since = None, time.monotonic()
        for line in process.stdout:
            log.write(line)
            match = START.match(line)
            if match:
                now = time.monotonic()
                if current:
                    self._done(profile, current, now - since)
                current, since = match.group(1), now
        rc = process.wait()
        log.flush()
        if current:
            self._done(profile, current, time.monotonic() - since, failed=rc != 0)
        return rc == 0

    def _done(self, profile, target, seconds, failed=False):
        self.times.append((profile, target, seconds))
        say("[shard %d] %-8s %-32s %s after %4.0f s" % (self.index, profile, target, "FAILED" if failed else "done",
                                                        seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", required=True, help="the collection tree (.../ansible_collections/swp/aws)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel shards (default 2)")
    parser.add_argument("--profiles", default="documented strict", help="simulator profiles, in order")
    parser.add_argument("--targets", default="", help="run only these targets (under every profile)")
    parser.add_argument("--strict-targets", default="", help="the targets run under the strict profile")
    parser.add_argument("--log-dir", help="where each shard's log goes (default: BUILD/integration-logs)")
    args = parser.parse_args()

    collection = os.path.abspath(args.collection)
    profiles = args.profiles.split()
    pieces = plan(collection, profiles, args.targets.split(), args.strict_targets.split())
    shards_pieces = deal(pieces, args.jobs)
    log_dir = args.log_dir or os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(collection))),
                                           "integration-logs")
    os.makedirs(log_dir, exist_ok=True)
    say("integration: %d target runs (%s) in %d shard(s); logs in %s"
        % (len(pieces), ", ".join("%s %d" % (p, sum(1 for q, _ in pieces if q == p)) for p in profiles),
           len(shards_pieces), log_dir))

    started = time.monotonic()
    shards = [Shard(index, part, collection, log_dir, profiles) for index, part in enumerate(shards_pieces)]
    for shard in shards:
        shard.start()
    for shard in shards:
        shard.join()
    wall = time.monotonic() - started

    print("\nintegration: seconds per target")
    for shard in shards:
        for profile, target, seconds in shard.times:
            print("  %-10s %-32s %5.0f  (shard %d)" % (profile, target, seconds, shard.index))
    for shard in shards:
        print("  shard %d: %5.0f s%s" % (shard.index, shard.seconds, ", FAILED under %s" % shard.failed if shard.failed
                                         else ""))
    print("integration: %.0f s wall" % wall)
    failed = [shard for shard in shards if shard.failed]
    for shard in failed:
        print("\n===== log of shard %d (%s) =====" % (shard.index, shard.log_path))
        with open(shard.log_path, encoding="utf-8", errors="replace") as handle:
            sys.stdout.write(handle.read())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
