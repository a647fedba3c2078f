# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figure 9: how the roles read - YAML lines, lines repeated between the two roles, and long templated expressions.

    python benchmarks/role_metrics.py [--root DIR]

Role lines: the non-blank, non-comment lines of every role's tasks, vars, defaults and handlers. Repeated: lines of
extid_migration or connector_onboarding that sit in a run of 3 or more lines (role prefix ignored) that the other
role holds too. Templated: a YAML value holding Jinja (a ``{{``, or a conditional such as ``when:``) that spans 3 or
more lines; its share of the role lines, and the longest such value in characters (any length of lines).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROLES = ("extid_migration", "connector_onboarding")
PARTS = ("tasks", "vars", "defaults", "handlers")
CONDITIONALS = ("when", "that", "until", "changed_when", "failed_when")
RUN = 3


def _files(root, role):
    found = []
    for part in PARTS:
        found.extend(sorted(glob.glob(os.path.join(root, "roles", role, part, "*.yml"))))
    return found


def _code_lines(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    return [(number, line) for number, line in enumerate(lines) if line.strip() and not line.strip().startswith("#")
            and line.strip() != "---"]


def _normal(line):
    return re.sub(r"\s+", " ", re.sub(r"\b(extid_migration|connector_onboarding)", "ROLE", line.strip()))


def repeated(root):
    """(repeated lines, lines) of the two roles: lines in runs of RUN or more normalized lines both roles hold."""
    windows = {}
    lines_of = {}
    for role in ROLES:
        seqs = []
        for path in _files(root, role):
            seqs.append([_normal(line) for _number, line in _code_lines(path)])
        lines_of[role] = seqs
        windows[role] = set(tuple(seq[i:i + RUN]) for seq in seqs for i in range(len(seq) - RUN + 1))
    count = total = 0
    for role in ROLES:
        other = windows[ROLES[1] if role == ROLES[0] else ROLES[0]]
        for seq in lines_of[role]:
            covered = [False] * len(seq)
            for i in range(len(seq) - RUN + 1):
                if tuple(seq[i:i + RUN]) in other:
                    for j in range(i, i + RUN):
                        covered[j] = True
            count += sum(covered)
            total += len(seq)
    return count, total


def _templated(node, key=None, found=None):
    found = [] if found is None else found
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _templated(v, k.value if isinstance(k, yaml.ScalarNode) else None, found)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _templated(item, key if key in CONDITIONALS else None, found)
    elif isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
        if "{{" in node.value or key in CONDITIONALS:
            end = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
            found.append((end - node.start_mark.line + 1, len(node.value.strip()), node.start_mark.line + 1))
    return found


def templated(root):
    """Per role (and all): lines, lines in templated values of RUN or more lines, and the longest templated value."""
    out = {}
    roles = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "roles", "*")) if os.path.isdir(p))
    for role in roles:
        lines = long_lines = 0
        longest = (0, "")
        for path in _files(root, role):
            lines += len(_code_lines(path))
            with open(path, encoding="utf-8") as handle:
                for document in yaml.compose_all(handle):
                    for span, size, line in _templated(document):
                        if span >= RUN:
                            long_lines += span
                        if size > longest[0]:
                            longest = (size, "%s:%d" % (os.path.relpath(path, root), line))
        out[role] = (lines, long_lines, longest)
    return out


def measure(root):
    rep, rep_total = repeated(root)
    per_role = templated(root)
    lines = sum(v[0] for v in per_role.values())
    long_lines = sum(v[1] for v in per_role.values())
    longest = max((v[2] for v in per_role.values()), default=(0, ""))
    return {"roles": per_role, "lines": lines, "repeated": rep, "repeated_of": rep_total, "templated": long_lines,
            "longest": longest}


def report(root, summary=None):
    found = measure(root)
    print("  %-22s %6s %14s %10s  %s" % ("role", "lines", "templated 3+", "longest", "where"))
    for role, (lines, long_lines, longest) in sorted(found["roles"].items()):
        share = 100.0 * long_lines / max(lines, 1)
        print("  %-22s %6d %8d %5.1f%% %10d  %s" % (role, lines, long_lines, share, longest[0], longest[1]))
    share = 100.0 * found["templated"] / max(found["lines"], 1)
    rep = 100.0 * found["repeated"] / max(found["repeated_of"], 1)
    print("  all roles: %d lines; templated 3+ lines %d (%.1f%%); longest templated value %d characters (%s)"
          % (found["lines"], found["templated"], share, found["longest"][0], found["longest"][1]))
    print("  repeated between %s: %d of their %d lines (%.1f%%) in runs of %d+ lines both hold"
          % (" and ".join(ROLES), found["repeated"], found["repeated_of"], rep, RUN))
    if summary is not None:
        summary.add("9. role lines (tasks, vars, defaults)", found["lines"])
        summary.add("9. lines repeated between the roles", "%d (%.1f%%)" % (found["repeated"], rep), "0", found["repeated"] == 0)
        summary.add("9. templated values of 3+ lines", "%.1f%% of role lines" % share, "<= 5%", share <= 5.0)
        summary.add("9. longest templated value", "%d chars" % found["longest"][0], "<= 300", found["longest"][0] <= 300)
    return found


def run(summary, root=None):
    from _common import ROOT, heading  # pylint: disable=import-outside-toplevel
    heading("9. How the roles read: lines, lines repeated between the two roles, long templated values")
    report(root or ROOT, summary)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(HERE), help="the collection's checkout (default: this one)")
    args = parser.parse_args()
    report(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
