#!/usr/bin/env python3
"""The two steps around the Sphinx build of the docs site (`make docs`, `make docs-lint`).

``inventory DOCS``: the rst that antsibull-docs writes refers to other collections' plugins
(``M(amazon.aws.iam_role)``) and to the Ansible docs (common return values, ansible-core's
environment variables). Sphinx resolves those through intersphinx, which would fetch
docs.ansible.com's inventory. Instead this writes a local inventory (DOCS/ansible_devel.inv) that
holds only the targets the rst refers to *and* that exist here: each plugin, option and return value
is looked up in the installed collection, each environment variable in ansible-core's configuration.
A target not found stays out, so Sphinx (nitpicky, warnings as errors) reports it as a broken reference.

``check DOCS``: every plugin of the checkout (modules, filters, the inventory plugin; an action plugin is
documented by its module) and every role has its HTML page, Sphinx printed no warning, and every .PHONY
target of the Makefile has a ``## `` line for ``make help``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zlib
from collections import defaultdict
from pathlib import Path

from ansible.config.manager import ConfigManager
from antsibull_docs.markup import semantic_helper as sem
from antsibull_docs.rst_labels import get_option_ref, get_plugin_ref, get_return_value_ref
from antsibull_docs.utils.rst import massage_rst_label
from docutils.nodes import make_id

ROOT = Path(__file__).resolve().parent.parent
COLLECTION = "swp.aws"
DOCS_URL = "https://docs.ansible.com/projects/ansible/devel/"

# Labels of the Ansible docs that antsibull-docs' page templates refer to (uri, title). They cannot be
# checked offline; they are stable labels of the Ansible docsite.
ANSIBLE_DOCS_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
}

# The rst roles that make a reference (sphinx_antsibull_ext and Sphinx's own).
ROLE_RE = re.compile(
    r":(ref|ansplugin|ansopt|ansretval|ansoptref|ansretvalref|envvar|ansenvvarref):`((?:[^`\\]|\\.)+)`"
)
PLUGIN_TYPES = (
    "module|role|become|cache|callback|cliconf|connection|filter|httpapi|inventory|lookup|netconf|shell|test|vars"
)
PLUGIN_LABEL_RE = re.compile(
    rf"^ansible_collections\.(?P<fqcn>[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+?)_(?P<type>{PLUGIN_TYPES})"
    r"(?:__(?P<kind>parameter|return)-(?P<path>.+))?$"
)
# Folders of plugins/ with no pages of their own (an action plugin is documented by its module).
NO_PAGES = {"action", "module_utils", "doc_fragments", "plugin_utils"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _target(text: str) -> str:
    """The target of ``title <target>`` or of a bare ``target``."""
    match = re.search(r"<([^<>]+)>$", text)
    return match.group(1) if match else text


def references(rst_dir: Path) -> tuple[set[str], set[str]]:
    """The labels and the environment variables the rst refers to, by the roles' own rules."""
    labels, envvars = set(), set()
    for path in rst_dir.rglob("*.rst"):
        for role, raw in ROLE_RE.findall(path.read_text(encoding="utf-8")):
            text = _unescape(raw)
            try:
                if role == "ref":
                    labels.add(_target(raw))
                elif role == "ansplugin":
                    labels.add(get_plugin_ref(*sem.parse_plugin_name(_target(text))))
                elif role in ("ansopt", "ansretval"):
                    parse = sem.parse_option if role == "ansopt" else sem.parse_return_value
                    fqcn, ptype, entrypoint, link, _name, _value = parse(text, "", "", require_plugin=False)
                    if fqcn and ptype:
                        make = get_option_ref if role == "ansopt" else get_return_value_ref
                        labels.add(make(fqcn, ptype, entrypoint, link.split(".")))
                elif role in ("ansoptref", "ansretvalref"):
                    parse = sem.parse_option_ref if role == "ansoptref" else sem.parse_return_value_ref
                    make = get_option_ref if role == "ansoptref" else get_return_value_ref
                    fqcn, ptype, entrypoint, link, _name = parse(_target(text))
                    labels.add(make(fqcn, ptype, entrypoint, link.split(".")))
                else:
                    envvars.add(text.split("=", 1)[0].strip())
            except ValueError:
                continue  # sphinx_antsibull_ext reports bad markup itself
    return labels, envvars


def _documented_names(docs: dict, key: str) -> dict:
    """name -> entry of an options or return-values tree, aliases included, names as labels spell them."""
    names = {}
    for name, entry in (docs or {}).items():
        entry = entry or {}
        for alias in [name, *entry.get("aliases", [])]:
            names[massage_rst_label(alias)] = entry.get(key) or {}
    return names


def _has_path(tree: dict, path: str, key: str) -> bool:
    for part in path.split("/"):
        names = _documented_names(tree, key)
        if part not in names:
            return False
        tree = names[part]
    return True


def plugin_docs(wanted: dict[str, set[str]]) -> dict[str, dict]:
    """ansible-doc's JSON for each (type -> FQCNs) of the installed collections; a missing one is left out."""
    found = {}
    for ptype, fqcns in sorted(wanted.items()):
        run = subprocess.run(
            [str(Path(sys.executable).parent / "ansible-doc"), "--json", "-t", ptype, *sorted(fqcns)],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            answer = json.loads(run.stdout or "{}")
        except json.JSONDecodeError:
            answer = {}
        for fqcn, data in answer.items():
            if fqcn in fqcns and isinstance(data, dict) and data.get("doc"):
                found[f"{fqcn}_{ptype}"] = data
    return found


def core_envvars() -> set[str]:
    return {
        env["name"]
        for definition in ConfigManager().get_configuration_definitions().values()
        for env in definition.get("env") or []
    }


def write_inventory(docs_dir: Path) -> int:
    labels, envvars = references(docs_dir / "rst")
    defined_envvars = set()
    for path in (docs_dir / "rst").rglob("*.rst"):
        defined_envvars.update(re.findall(r"^\.\. envvar:: (\S+)$", path.read_text(encoding="utf-8"), re.M))

    external = {}
    for label in sorted(labels):
        match = PLUGIN_LABEL_RE.match(label)
        if match and not match["fqcn"].startswith(COLLECTION + "."):
            external[label] = match
    wanted = defaultdict(set)
    for match in external.values():
        wanted[match["type"]].add(match["fqcn"])
    found = plugin_docs(wanted)

    entries, missing = [], []
    for label, match in external.items():
        data = found.get(f"{match['fqcn']}_{match['type']}")
        ok = data is not None
        if ok and match["kind"] == "parameter":
            ok = _has_path(data["doc"].get("options"), match["path"], "suboptions")
        elif ok and match["kind"] == "return":
            ok = _has_path(data.get("return"), match["path"], "contains")
        if not ok:
            missing.append(label)
            continue
        namespace, name, plugin = match["fqcn"].split(".")
        page = f"collections/{namespace}/{name}/{plugin}_{match['type']}.html"
        title = f"{match['fqcn']} {match['type']}" + (f" {match['kind']} {match['path']}" if match["kind"] else "")
        entries.append((label, "std:label", f"{page}#{make_id(label)}", title))
    for label in sorted(labels & ANSIBLE_DOCS_LABELS.keys()):
        entries.append((label, "std:label", *ANSIBLE_DOCS_LABELS[label]))
    outside = envvars - defined_envvars
    known = core_envvars() if outside else set()
    for envvar in sorted(outside):
        if envvar in known:
            entries.append((envvar, "std:envvar", f"reference_appendices/config.html#envvar-{envvar}", "-"))
        else:
            missing.append(envvar)

    lines = "".join(f"{name} {role} -1 {uri} {title}\n" for name, role, uri, title in sorted(entries))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
    header += "# The remainder of this file is compressed using zlib.\n"
    (docs_dir / "ansible_devel.inv").write_bytes(header.encode() + zlib.compress(lines.encode("utf-8")))
    print(f"docs: {len(entries)} references to other collections and the Ansible docs resolved offline")
    for target in missing:
        # Left for Sphinx to report as a broken reference, with the page it is on.
        print(f"docs: not found in the installed collections or in ansible-core: {target}", file=sys.stderr)
    return 0


# Roles that other roles run as a dependency and nobody calls: no argument spec (it would add a validation task per
# host), so no page; their README says what they do.
INTERNAL_ROLES = {"precheck", "shared"}


def expected_pages(root: Path) -> dict[str, Path]:
    """The source of every page the site must have, by the page's path under collections/swp/aws/."""
    pages = {}
    for folder in sorted(p for p in (root / "plugins").iterdir() if p.is_dir() and p.name not in NO_PAGES):
        ptype = "module" if folder.name == "modules" else folder.name
        # Filters and tests are documented in one YAML file each; other plugins in their Python file.
        pattern = "*.yml" if ptype in ("filter", "test") else "*.py"
        for source in sorted(folder.glob(pattern)):
            if source.stem != "__init__":
                pages[f"{source.stem}_{ptype}.html"] = source
    for role in sorted(p for p in (root / "roles").iterdir() if p.is_dir() and p.name not in INTERNAL_ROLES):
        pages[f"{role.name}_role.html"] = role / "meta" / "argument_specs.yml"
    return pages


def phony_targets(makefile: str) -> list[str]:
    joined = makefile.replace("\\\n", " ")
    return [t for line in re.findall(r"^\.PHONY:(.*)$", joined, re.M) for t in line.split()]


def check(docs_dir: Path) -> int:
    errors = []
    html = docs_dir / "html" / "collections" / "swp" / "aws"
    pages = expected_pages(ROOT)
    for page, source in pages.items():
        if not (html / page).is_file():
            why = "" if source.exists() else f" ({source.relative_to(ROOT)} is missing)"
            errors.append(f"no page {page} for {source.relative_to(ROOT)}{why}")
    warnings_file = docs_dir / "sphinx-warnings.txt"
    if not warnings_file.is_file():
        errors.append(f"{warnings_file.name} is missing: run `make docs` first")
    elif warnings_file.read_text(encoding="utf-8").strip():
        errors.append("Sphinx printed warnings (broken references among them):\n" + warnings_file.read_text())

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    helped = set(re.findall(r"^([A-Za-z0-9_.-]+):[^=\n]*## \S", makefile, re.M))
    for target in phony_targets(makefile):
        if target not in helped:
            errors.append(f"Makefile: .PHONY target {target} has no help line (`{target}: ... ## what it does`)")

    for error in errors:
        print(f"docs-lint: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"docs-lint: {len(pages)} plugins and roles have their page, no Sphinx warning, every target in make help")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("step", choices=("inventory", "check"))
    parser.add_argument("docs_dir", type=Path, help="the docs build folder (.build/docs)")
    args = parser.parse_args()
    return write_inventory(args.docs_dir) if args.step == "inventory" else check(args.docs_dir)


if __name__ == "__main__":
    sys.exit(main())
