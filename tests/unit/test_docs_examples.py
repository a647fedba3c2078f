# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The extractor of the documented examples: markers, file-naming comments, grouping, steps."""

from __future__ import annotations

import os

import pytest

try:
    from ansible_collections.swp.aws.tests import docs_examples
except ImportError:
    from tests import docs_examples

README = """# Title

## Setup

<!-- readme-test: skip (it needs a real Vault) -->
```yaml
- hosts: localhost
  tasks: []
```

```yaml
# inventory/aws_accounts.yml
aws_accounts:
  hosts:
    one: {}
```

### Playbook

```yaml
# rollout.yml: the rollout
- name: Roll out
  hosts: aws_accounts
  roles:
    - role: swp.aws.extid_migration
```

<!-- readme-test: skip -->

```yaml
- name: A task
  ansible.builtin.debug:
```

<!-- readme-test: run -->
```sh
export SWP_API_KEY=...   # the environment is the test's
ansible-playbook -i inventory rollout.yml --check --diff   # a comment
make demo
```

<!-- readme-test: skip (a marker with text after it belongs to no block) -->
Some text.

```yaml
- name: Another task
  swp.aws.workload_extid_info:
```

```json
{"not": "run"}
```
"""


def test_markers_belong_to_the_block_right_below_them():
    blocks = docs_examples.parse_markdown(README)
    assert [(block.marker, block.reason) for block in blocks] == [
        ("skip", "it needs a real Vault"), (None, ""), (None, ""), ("skip", ""), ("run", ""), (None, ""), (None, "")]
    assert blocks[0].skipped and not blocks[1].skipped


def test_a_first_comment_naming_a_yaml_file_names_the_file():
    blocks = docs_examples.parse_markdown(README)
    assert [block.filename for block in blocks] == [None, "inventory/aws_accounts.yml", "rollout.yml", None, None, None, None]


@pytest.mark.parametrize("line, name", [
    ("# store.yml: store, verify, lock", "store.yml"),
    ("# swp.workload_connectors.yml (the name must end in workload_connectors.yml or .yaml)", "swp.workload_connectors.yml"),
    ("# inventory/group_vars/all.yaml", "inventory/group_vars/all.yaml"),
    ("# the workflow's extra variables (every node gets them)", None),
    ("# rollout.yml.j2", None),
    ("- name: not a comment", None),
])
def test_file_comments(line, name):
    assert docs_examples.Block("x.md", 1, "s", "yaml", line + "\nkey: value\n").filename == name


def test_blocks_are_grouped_per_section_in_order():
    groups = docs_examples.scenarios(docs_examples.parse_markdown(README))
    assert [(section, [block.lang for block in blocks]) for _source, section, blocks in groups] == [
        ("Setup", ["yaml", "yaml"]), ("Playbook", ["yaml", "yaml", "sh", "yaml", "json"])]


def test_kinds():
    kinds = [docs_examples.kind_of(block) for block in docs_examples.parse_markdown(README) if block.lang == "yaml"]
    assert kinds == ["playbook", "inventory", "playbook", "tasks", "tasks"]
    roles = docs_examples.Block("x.md", 1, "s", "yaml", "- role: swp.aws.extid_migration\n")
    assert docs_examples.kind_of(roles) == "roles"
    with pytest.raises(docs_examples.ExampleError, match="x.md:1: the example is not valid YAML"):
        docs_examples.kind_of(docs_examples.Block("x.md", 1, "s", "yaml", "key: [unclosed\n"))


def test_only_ansible_lines_of_a_shell_block_run():
    block = [block for block in docs_examples.parse_markdown(README) if block.lang == "sh"][0]
    assert docs_examples.shell_commands(block) == [["ansible-playbook", "-i", "inventory", "rollout.yml", "--check", "--diff"]]


def test_tasks_are_wrapped_as_printed():
    play = docs_examples.wrap_tasks("- name: A task\n  ansible.builtin.debug:\n\n# a comment\n", "Setup (x.md:3)")
    assert play == ('---\n- name: "Setup (x.md:3)"\n  hosts: localhost\n  connection: local\n  gather_facts: false\n'
                    '  tasks:\n    - name: A task\n      ansible.builtin.debug:\n\n    # a comment\n')


def _collection(tmp_path, readme, module_examples="- name: Read\n  swp.aws.workload_extid_info:\n"):
    for folder in ("plugins/modules", "plugins/filter", "plugins/inventory", "roles/extid_migration", "meta"):
        os.makedirs(str(tmp_path / folder))
    (tmp_path / "README.md").write_text(readme)
    (tmp_path / "roles" / "extid_migration" / "README.md").write_text(
        "# Role\n\n```yaml\n- name: Roll out\n  hosts: aws_accounts\n  roles:\n    - role: swp.aws.extid_migration\n```\n")
    (tmp_path / "plugins" / "modules" / "workload_extid_info.py").write_text('EXAMPLES = r"""\n%s"""\n' % module_examples)
    (tmp_path / "plugins" / "filter" / "trust.py").write_text(
        "class FilterModule(object):\n    def filters(self):\n        return {'trust_external_ids': len}\n")
    (tmp_path / "meta" / "runtime.yml").write_text("action_groups:\n  workload: [workload_extid_info]\n")
    return str(tmp_path)


def test_extract_writes_named_files_wraps_tasks_and_plans_the_runs(tmp_path):
    root = _collection(tmp_path / "c", README)
    out = str(tmp_path / "ws")
    manifest = docs_examples.extract(root, out)
    assert manifest["errors"] == []
    assert os.path.exists(os.path.join(out, "inventory", "aws_accounts.yml"))
    with open(os.path.join(out, "rollout.yml")) as handle:
        assert handle.read().startswith("# rollout.yml: the rollout\n- name: Roll out")
    assert manifest["skipped"] == [{"block": "README.md:6", "reason": "it needs a real Vault"},
                                   {"block": "README.md:30", "reason": "(no reason given)"}]
    assert manifest["counts"]["module_examples"] == 1 and manifest["counts"]["readme_skipped"] == 2
    argvs = [step["argv"] for step in manifest["steps"]]
    # rollout.yml runs through the shell line that names it, the role README's copy of it not twice; one run per document.
    assert argvs == [
        ["ansible-playbook", "-i", "inventory", "rollout.yml", "--check", "--diff"],
        ["ansible-playbook", "-i", "inventory", "--check", "--diff", "readme-collection-playbook-45.yml"],
        ["ansible-playbook", "-i", "inventory", "--check", "--diff", "examples-module-workload_extid_info.yml"],
    ]
    assert "rollout.yml" in manifest["syntax"] and "readme-collection-setup-6.yml" not in manifest["syntax"]


@pytest.mark.parametrize("readme, module_examples, error", [
    ("## A\n\n```yaml\n- name: Old\n  ansible.builtin.debug:\n    msg: \"{{ p | swp.aws.trust_with_external_ids }}\"\n```\n", None,
     "README.md:3: swp.aws.trust_with_external_ids is no module, filter, role or plugin of the collection"),
    ("## A\n", "- name: Gone\n  swp.aws.workload_extid:\n",
     "plugins/modules/workload_extid_info.py:1: swp.aws.workload_extid is no module"),
    ("## A\n\n```yaml\n- name: [broken\n```\n", None, "README.md:3: the example is not valid YAML"),
    ("## A\n\n```yaml\n# a.yml\n- hosts: all\n```\n\n```yaml\n# a.yml\n- hosts: all\n```\n", None,
     "README.md:8: writes a.yml, which README.md:3 wrote already"),
])
def test_a_broken_example_is_an_error_naming_it(tmp_path, readme, module_examples, error):
    args = (module_examples,) if module_examples else ()
    manifest = docs_examples.extract(_collection(tmp_path / "c", readme, *args), str(tmp_path / "ws"))
    assert any(message.startswith(error) for message in manifest["errors"]), manifest["errors"]
