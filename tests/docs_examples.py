# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extract the collection's documented examples into a workspace of playbooks, so they are run as printed.

    python tests/docs_examples.py --root COLLECTION --out WORKSPACE [--manifest FILE]

Sources, in this order: README.md, then roles/*/README.md (every fenced ```yaml block, and ```sh blocks
marked to run), every plugins/modules/*.py EXAMPLES string (read with ast: the module is not imported) and
every plugins/filter/*.yml EXAMPLES.

README blocks:

* A block whose first line is a comment naming a YAML file (``# inventory/aws_accounts.yml``,
  ``# store.yml: store, verify, lock``) is written to that file in the workspace, as a reader would save it.
* A block of tasks is wrapped in a play on localhost; a block of plays is written as it is.
* Blocks are grouped by the README section (the nearest heading above them) into one scenario.
* An HTML comment on the line above a block (blank lines between are allowed) changes what happens to it:
  ``<!-- readme-test: skip (reason) -->`` (or ``<!-- readme-test: skip -->``) runs nothing of it;
  ``<!-- readme-test: run -->`` on a ```sh block runs its ``ansible-playbook`` and ``ansible-inventory``
  lines as printed (other lines, such as ``export``, are left to the test's environment).

Every example is checked before anything runs: it parses as YAML, and every ``swp.aws.NAME`` it names is a
module, filter, role, inventory plugin or action group of the collection (a renamed or removed filter fails
here, where ``--syntax-check`` would not see it). The manifest then lists two phases: one
``ansible-playbook --syntax-check`` of every playbook, and the steps, in the documents' order: playbooks in
check mode with ``--diff`` (a document's consecutive ones in one run, which stops at the first that fails), and the marked
shell lines as printed. A playbook that a marked shell line runs (the dry run, apply and rerun of rollout.yml)
is left to that line, and a play printed twice (a role's README repeating the collection's) runs once. Module
EXAMPLES run in check mode too; filter EXAMPLES are fragments of the roles' tasks and are syntax-checked only.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import sys

import yaml

MARKER = re.compile(r"^\s*<!--\s*readme-test:\s*(skip|run)\b\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FILE_COMMENT = re.compile(r"^#\s*((?:[\w.-]+/)*[\w.-]+\.ya?ml)(?![\w.-])")
SWP_NAME = re.compile(r"\bswp\.aws\.([a-z_][a-z0-9_]*)")
RUN_COMMANDS = ("ansible-playbook", "ansible-inventory")


class ExampleError(Exception):
    """An example that cannot be extracted: it names where it is and what is wrong."""


class Block:
    """One fenced block of a Markdown file, or one EXAMPLES string."""

    def __init__(self, source, line, section, lang, text, marker=None, reason=""):
        self.source = source
        self.line = line
        self.section = section
        self.lang = lang
        self.text = text
        self.marker = marker
        self.reason = reason
        self.filename = None
        match = FILE_COMMENT.match(text.split("\n", 1)[0].strip())
        if lang in ("yaml", "yml") and match:
            self.filename = match.group(1)

    @property
    def where(self):
        return "%s:%d" % (self.source, self.line)

    @property
    def skipped(self):
        return self.marker == "skip"

    def __repr__(self):
        return "Block(%s, %r, %s%s)" % (self.where, self.section, self.lang, ", " + self.marker if self.marker else "")


def parse_markdown(text, source="README.md"):
    """Every fenced block of a Markdown text, with its section, its marker and the file its comment names."""
    blocks = []
    section = ""
    marker = None
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence:
            closing = fence.group(1)
            body = []
            start = index + 1
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(closing):
                body.append(lines[index])
                index += 1
            kind, reason = marker or (None, "")
            blocks.append(Block(source, start, section, fence.group(2).lower(), "\n".join(body) + "\n", kind, reason))
            marker = None
        else:
            found = MARKER.match(line)
            heading = HEADING.match(line)
            if found:
                marker = (found.group(1), found.group(2).strip().strip("()").strip())
            elif heading:
                section = heading.group(2).strip()
                marker = None
            elif line.strip() and not line.strip().startswith("<!--"):
                # A marker belongs to the block right below it, not to one further down.
                marker = None
        index += 1
    return blocks


def scenarios(blocks):
    """Blocks grouped by (source, section), in the order they appear."""
    grouped = []
    for block in blocks:
        if grouped and (grouped[-1][0], grouped[-1][1]) == (block.source, block.section):
            grouped[-1][2].append(block)
        else:
            grouped.append((block.source, block.section, [block]))
    return grouped


def module_examples(path):
    """The EXAMPLES string of a module file, read with ast (the module is not imported)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
            return node.lineno, ast.literal_eval(node.value)
    return None, None


def kind_of(block):
    """playbook, tasks, roles (a fragment of a play's roles: list), inventory, plugin or vars."""
    try:
        data = yaml.safe_load(block.text)
    except yaml.YAMLError as exc:
        raise ExampleError("%s: the example is not valid YAML: %s" % (block.where, exc))
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if all("hosts" in item or "import_playbook" in item or "ansible.builtin.import_playbook" in item for item in data):
            return "playbook"
        if all("role" in item for item in data):
            return "roles"
        return "tasks"
    if isinstance(data, dict):
        if "plugin" in data:
            return "plugin"
        if block.filename and block.filename.startswith("inventory/"):
            return "inventory"
        return "vars"
    raise ExampleError("%s: the example is neither a list of plays or tasks nor a mapping" % block.where)


def known_names(root):
    """Every swp.aws name an example may use: modules, filters, roles, inventory plugins, action groups, playbooks."""
    names = set()
    for folder in ("modules", "inventory"):
        base = os.path.join(root, "plugins", folder)
        if os.path.isdir(base):
            names.update(name[:-3] for name in os.listdir(base) if name.endswith(".py") and not name.startswith("_"))
    if os.path.isdir(os.path.join(root, "roles")):
        names.update(os.listdir(os.path.join(root, "roles")))
    if os.path.isdir(os.path.join(root, "playbooks")):
        names.update(name.rsplit(".", 1)[0] for name in os.listdir(os.path.join(root, "playbooks")) if name.endswith((".yml", ".yaml")))
    filters = os.path.join(root, "plugins", "filter")
    for name in sorted(os.listdir(filters)) if os.path.isdir(filters) else []:
        if name.endswith(".py"):
            with open(os.path.join(filters, name), encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name == "filters":
                    for ret in ast.walk(node):
                        if isinstance(ret, ast.Dict):
                            names.update(key.value for key in ret.keys if isinstance(key, ast.Constant))
    runtime = os.path.join(root, "meta", "runtime.yml")
    if os.path.exists(runtime):
        with open(runtime, encoding="utf-8") as handle:
            names.update((yaml.safe_load(handle) or {}).get("action_groups") or {})
    return names


def unknown_names(block, names):
    return sorted(set(SWP_NAME.findall(block.text)) - names)


def wrap_tasks(text, name):
    """A play on localhost around a list of tasks, the tasks' text kept as printed."""
    body = "".join(("    " + line if line.strip() else line) for line in text.splitlines(True))
    return ("---\n- name: %s\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n%s"
            % (json.dumps(name), body))


def wrap_roles(text, name):
    body = "".join(("    " + line if line.strip() else line) for line in text.splitlines(True))
    return "---\n- name: %s\n  hosts: all\n  gather_facts: false\n  roles:\n%s" % (json.dumps(name), body)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "top"


def shell_commands(block):
    """The ansible-playbook / ansible-inventory lines of a shell block, as argument lists."""
    commands = []
    for line in block.text.splitlines():
        argv = shlex.split(line, comments=True)
        if argv and argv[0] in RUN_COMMANDS:
            commands.append(argv)
    return commands


def _write(out, relative, text):
    path = os.path.join(out, relative)
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _normalized(text):
    lines = text.strip().splitlines()
    if lines and FILE_COMMENT.match(lines[0].strip()):
        lines = lines[1:]
    return "\n".join(line.rstrip() for line in lines).strip()


def extract(root, out):
    """Write every example into ``out``; return the manifest: what was found, what is skipped, the steps to run."""
    names = known_names(root)
    docs = ["README.md"] + sorted(
        os.path.join("roles", role, "README.md") for role in os.listdir(os.path.join(root, "roles"))
        if os.path.exists(os.path.join(root, "roles", role, "README.md")))
    errors = []
    manifest = {"scenarios": [], "syntax": [], "steps": [], "skipped": [], "counts": {}}
    written = {}
    counts = {"readme_yaml_blocks": 0, "readme_yaml_run": 0, "readme_shell_run": 0, "readme_skipped": 0,
              "module_examples": 0, "filter_examples": 0}
    os.makedirs(out, exist_ok=True)

    def write_once(block, relative, text):
        if relative in written:
            errors.append("%s: writes %s, which %s wrote already" % (block.where, relative, written[relative]))
            return False
        written[relative] = block.where
        _write(out, relative, text)
        return True

    def check_names(block):
        for name in unknown_names(block, names):
            errors.append("%s: swp.aws.%s is no module, filter, role or plugin of the collection" % (block.where, name))

    def write_examples(block, kind, name):
        """A plugin's EXAMPLES wrapped in a play; its file's name, or None (the error noted) when it cannot be."""
        check_names(block)
        try:
            kind_of(block)
        except ExampleError as exc:
            errors.append(str(exc))
            return None
        relative = "examples-%s-%s.yml" % (kind, name)
        _write(out, relative, wrap_tasks(block.text, "swp.aws.%s EXAMPLES (%s)" % (name, block.where)))
        manifest["syntax"].append(relative)
        return relative

    for doc in docs:
        with open(os.path.join(root, doc), encoding="utf-8") as handle:
            blocks = parse_markdown(handle.read(), doc)
        for source, section, group in scenarios(blocks):
            scenario = {"name": "%s: %s" % (source, section or "(top)"), "source": source, "items": []}
            for block in group:
                if block.lang not in ("yaml", "yml", "sh"):
                    continue
                check_names(block)
                if block.skipped:
                    counts["readme_skipped"] += 1
                    manifest["skipped"].append({"block": block.where, "reason": block.reason or "(no reason given)"})
                if block.lang == "sh":
                    if block.marker == "run":
                        commands = shell_commands(block)
                        scenario["items"].extend({"command": argv, "block": block.where} for argv in commands)
                        counts["readme_shell_run"] += 1 if commands else 0
                    continue
                counts["readme_yaml_blocks"] += 1
                try:
                    kind = kind_of(block)
                except ExampleError as exc:
                    errors.append(str(exc))
                    continue
                if block.skipped:
                    continue
                generated = "readme-%s-%s-%d.yml" % (slug(os.path.dirname(source) or "collection"), slug(section), block.line)
                title = "%s (%s)" % (section, block.where)
                if kind in ("playbook", "tasks", "roles"):
                    text = {"playbook": block.text, "tasks": wrap_tasks(block.text, title),
                            "roles": wrap_roles(block.text, title)}[kind]
                    relative = block.filename or generated
                    if write_once(block, relative, text):
                        manifest["syntax"].append(relative)
                        scenario["items"].append({"playbook": relative, "block": block.where, "text": _normalized(block.text)})
                        counts["readme_yaml_run"] += 1
                elif block.filename:
                    write_once(block, block.filename, block.text)
                # A mapping that names no file (extra variables shown for reference) is parsed and name-checked only.
            if scenario["items"]:
                manifest["scenarios"].append(scenario)

    modules = os.path.join(root, "plugins", "modules")
    module_items = []
    for name in sorted(os.listdir(modules)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        line, text = module_examples(os.path.join(modules, name))
        if not text:
            errors.append("plugins/modules/%s: no EXAMPLES" % name)
            continue
        block = Block("plugins/modules/%s" % name, line, "EXAMPLES", "yaml", text.lstrip("\n"))
        relative = write_examples(block, "module", name[:-3])
        if not relative:
            continue
        module_items.append({"playbook": relative, "block": block.where, "text": ""})
        counts["module_examples"] += 1
    if module_items:
        manifest["scenarios"].append({"name": "module EXAMPLES", "source": "plugins/modules", "items": module_items})

    filters = os.path.join(root, "plugins", "filter")
    for name in sorted(os.listdir(filters)):
        if not name.endswith(".yml"):
            continue
        with open(os.path.join(filters, name), encoding="utf-8") as handle:
            doc = yaml.safe_load(handle) or {}
        if not doc.get("EXAMPLES"):
            continue
        block = Block("plugins/filter/%s" % name, 1, "EXAMPLES", "yaml", doc["EXAMPLES"])
        if not write_examples(block, "filter", name[:-4]):
            continue
        counts["filter_examples"] += 1

    manifest["inventory"] = "inventory" if os.path.isdir(os.path.join(out, "inventory")) else "localhost,"
    manifest["steps"] = plan_steps(manifest["scenarios"], manifest["inventory"])
    manifest["counts"] = counts
    manifest["errors"] = errors
    return manifest


def plan_steps(scenario_list, inventory):
    """The runs, in the documents' order: a document's consecutive playbooks in one check-mode run, shell lines as printed.

    A playbook that a marked shell line runs is left to that line, and a play printed twice (a role's README
    repeating the collection's) runs once.
    """
    by_command = set()
    for scenario in scenario_list:
        for item in scenario["items"]:
            by_command.update(word for word in item.get("command", ()) if word.endswith((".yml", ".yaml")))
    seen = set()
    steps = []
    for scenario in scenario_list:
        for item in scenario["items"]:
            if "command" in item:
                steps.append({"argv": item["command"], "blocks": [item["block"]], "scenarios": [scenario["name"]]})
                continue
            repeated = item["text"] and item["text"] in seen
            seen.add(item["text"])
            if item["playbook"] in by_command or repeated:
                continue
            if not steps or "playbooks" not in steps[-1] or steps[-1]["source"] != scenario["source"]:
                steps.append({"argv": ["ansible-playbook", "-i", inventory, "--check", "--diff"], "playbooks": [],
                              "blocks": [], "scenarios": [], "source": scenario["source"]})
            steps[-1]["argv"].append(item["playbook"])
            steps[-1]["playbooks"].append(item["playbook"])
            steps[-1]["blocks"].append(item["block"])
            if scenario["name"] not in steps[-1]["scenarios"]:
                steps[-1]["scenarios"].append(scenario["name"])
    return steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the collection's root (README.md, plugins/, roles/)")
    parser.add_argument("--out", required=True, help="the workspace to write the examples into")
    parser.add_argument("--manifest", help="write the manifest (JSON) here as well as to stdout")
    args = parser.parse_args(argv)
    manifest = extract(args.root, args.out)
    text = json.dumps(manifest, indent=1)
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(text)
    if manifest["errors"]:
        sys.stderr.write("\n".join(manifest["errors"]) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
