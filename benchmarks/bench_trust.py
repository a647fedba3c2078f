# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 7: worst-case planning time of the trust core's analyze() on adversarial policies up to IAM's size limit.

Each policy is as large as fits in the limit (compact JSON, 2,048 and 4,096 characters) and is planned in a
subprocess of its own, with a timeout, so that a core that never returns cannot hang the benchmark.
"""

from __future__ import annotations

import json

from _common import PY, heading, module_env, run_measured, table

LIMITS = (2048, 4096)
TIMEOUT = 20.0
RUNS = 3
SWP = "147995105371"
ROOT = "arn:aws:iam::%s:root" % SWP
ROLE = "arn:aws:iam::444455556666:role/SwpConnector"
MANAGER_ID = "3f1c9a7e-5b2d-4c8e-9f10-aa11bb22cc33"

# Plans the policy read from stdin RUNS times (fewer when one plan takes over a second) and prints the seconds of each.
_PLAN = r"""
import json, sys, time
from ansible_collections.swp.aws.plugins.module_utils._trust_policy import analyze
policy, manager_id, role_arn, runs = json.loads(sys.stdin.read())
times = []
for _ in range(runs):
    start = time.perf_counter()
    result = analyze(policy, manager_id, role_arn)
    times.append(time.perf_counter() - start)
    if times[-1] > 1.0:
        break
print(json.dumps({"times": times, "state": result["state"], "action": result["action"]}))
"""


def _compact(policy):
    return json.dumps(policy, separators=(",", ":"))


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _stmt(condition=None, principal=None, action="sts:AssumeRole", effect="Allow"):
    statement = {"Effect": effect, "Principal": principal or {"AWS": ROOT}, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


# Each shape: (name, what it stresses, builder of the policy for a size parameter n). The largest n whose
# policy fits the limit is used.
def _stars_ext(n):
    # A StringLike pattern "*a*a*...*b" beside a StringEquals ID of a's: the core matches the one against the other
    # (does the statement accept its own ID?); a backtracking regex tries every way to place the stars.
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "a" * n}, "StringLike": {"sts:ExternalId": "*a" * n + "*b"}}))


def _qstars_ext(n):
    # The same with "?" between the stars: no str.find shortcut, the two-pointer walk proper.
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "a" * n}, "StringLike": {"sts:ExternalId": "?*a" * n + "*b"}}))


def _two_pointer(n):
    # "*aaa...a?b" against an ID of 3n a's: at every place the star may end, n a's match before "b" misses, so a
    # two-pointer walk does about 2n x n steps (the worst case of the linear glob, without a regex).
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "a" * (3 * n)}, "StringLike": {"sts:ExternalId": "*" + "a" * n + "?b"}}))


def _stars_manager(n):
    # Only a pattern, matched against the manager-defined ID and the other values.
    return _doc(_stmt({"StringLike": {"sts:ExternalId": ["*3" * n + "*z", "legacy-*"]}}))


def _stars_principal_arn(n):
    # A long role ARN (a path of a's) in Principal, a StringLike/ArnLike aws:PrincipalArn of many stars.
    role = "arn:aws:iam::%s:role/%s/Dsm" % (SWP, "a" * n)
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "legacy-1"},
                       "StringLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/%s*b" % (SWP, "*a" * n)},
                       "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/%s*b" % (SWP, "*a" * n)}},
                      principal={"AWS": role}))


def _stars_star_principal(n):
    # Principal "*": the aws:PrincipalArn patterns are checked against the SWP account's ARN prefix.
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "legacy-1"},
                       "StringLike": {"aws:PrincipalArn": "*a" * n + "*b"},
                       "StringEqualsIgnoreCase": {"aws:PrincipalAccount": "?" * 12}}, principal="*"))


def _stars_action(n):
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "legacy-1"}}, action=["*s" * n + "*x", "sts:AssumeRole"]))


def _many_statements(n):
    return _doc(*[_stmt({"StringEquals": {"sts:ExternalId": "id-%d" % i}}) for i in range(n)])


def _many_keys(n):
    condition = {"StringEquals": {"sts:ExternalId": "legacy-1"}}
    condition["StringNotLike"] = {"k:%d" % i: "*a*" for i in range(n)}
    return _doc(_stmt(condition))


def _many_values(n):
    return _doc(_stmt({"StringLike": {"sts:ExternalId": ["*a*b*c*%d" % i for i in range(n)]},
                       "StringEquals": {"sts:ExternalId": ["abc%d" % i for i in range(n)]}}))


def _variables(n):
    return _doc(_stmt({"StringEquals": {"sts:ExternalId": "legacy-1"},
                       "StringLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/" + "*${aws:username}" * n}},
                      principal="*"))


SHAPES = [
    ("StringLike '*a*a...*b' vs a StringEquals ID of a's", _stars_ext),
    ("StringLike '?*a?*a...*b' vs a StringEquals ID of a's", _qstars_ext),
    ("StringLike '*aaa...a?b' vs a StringEquals ID of a's", _two_pointer),
    ("StringLike '*3*3...*z' vs the manager ID", _stars_manager),
    ("aws:PrincipalArn '*a*a...*b' vs a long role path", _stars_principal_arn),
    ("Principal '*', aws:PrincipalArn '*a*a...*b'", _stars_star_principal),
    ("Action '*s*s...*x'", _stars_action),
    ("many statements", _many_statements),
    ("many condition keys (StringNotLike)", _many_keys),
    ("many StringLike and StringEquals values", _many_values),
    ("policy variables between stars in aws:PrincipalArn", _variables),
]


def largest(builder, limit):
    """(n, policy, size) for the largest n whose policy fits in ``limit`` characters of compact JSON."""
    best = None
    low, high = 1, 1
    while len(_compact(builder(high))) <= limit:
        best = high
        low, high = high, high * 2
    while low < high - 1:
        mid = (low + high) // 2
        if len(_compact(builder(mid))) <= limit:
            best, low = mid, mid
        else:
            high = mid
    if best is None:
        return None
    policy = builder(best)
    return best, policy, len(_compact(policy))


def plan(policy, timeout=TIMEOUT):
    """(seconds or None on timeout, state/action or the error) of analyze() on the policy, in a subprocess."""
    m = run_measured([PY, "-c", _PLAN], env=module_env(), timeout=timeout,
                     stdin_data=json.dumps([policy, MANAGER_ID, ROLE, RUNS]).encode())
    if m.timed_out:
        return None, "no answer in %.0f s" % timeout
    if m.returncode != 0:
        return None, "exit %s: %s" % (m.returncode, m.tail(2)[-200:])
    result = json.loads(m.stdout.strip().splitlines()[-1])
    return max(result["times"]), "%s/%s" % (result["state"], result["action"])


def threshold(builder, limit, seconds=1.0, timeout=5.0):
    """(n, chars) of the smallest policy of a shape found to plan in over ``seconds`` (doubling, then bisecting n)."""
    def slow(n):
        taken, _outcome = plan(builder(n), timeout)
        return taken is None or taken > seconds

    low, high = 0, 1
    while not slow(high):
        low, high = high, high * 2
        if len(_compact(builder(high))) > limit:
            return None
    while low < high - 1:
        mid = (low + high) // 2
        if slow(mid):
            high = mid
        else:
            low = mid
    return high, len(_compact(builder(high)))


def run(summary, timeout=TIMEOUT):
    heading("7. Trust core: worst-case analyze() time on adversarial policies of up to 2,048 / 4,096 characters")
    rows = []
    worst = None
    for limit in LIMITS:
        for name, builder in SHAPES:
            found = largest(builder, limit)
            if found is None:
                continue
            n, policy, size = found
            seconds, outcome = plan(policy, timeout)
            shown = "> %.0f (timeout)" % timeout if seconds is None else "%.4f" % seconds
            rows.append((limit, name, n, size, shown, outcome))
            key = float("inf") if seconds is None else seconds
            if worst is None or key > worst[0]:
                worst = (key, limit, name, n, size, shown)
    table(["limit", "shape", "n", "chars", "analyze s (max of runs)", "result"], rows)
    slow = [(name, builder) for name, builder in SHAPES
            if any(row[1] == name and (row[4].startswith(">") or float(row[4]) > 1.0) for row in rows)]
    if slow:
        found = []
        for name, builder in slow:
            first = threshold(builder, max(LIMITS))
            found.append((name, "-" if first is None else first[0], "-" if first is None else first[1]))
        print("\n  the smallest policy of each slow shape that plans in over 1 s:")
        table(["shape", "n", "chars"], found, indent="    ")
    if worst is not None:
        _key, limit, name, n, size, shown = worst
        print("\n  worst case: %s, n=%d, %d chars (limit %d): %s s" % (name, n, size, limit, shown))
        summary.add("7. trust core worst case (%s, %d chars)" % (name, size), "%s s" % shown,
                    "< 1 s", _key < 1.0)
