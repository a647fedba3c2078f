# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a run's output on stdin; print, as JSON, how the key in LEAK_KEY shows in it (labels only, never the key)."""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.parse import quote


def spellings(key):
    """Label -> a way the key (or a long run of it) could be written in a log."""
    forms = {}
    for name, value in (("key", key), ("stripped key", key.strip())):
        forms[name] = value
        forms[name + ", repr"] = repr(value)[1:-1]
        forms[name + ", JSON"] = json.dumps(value)[1:-1]
        forms[name + ", JSON without ASCII escapes"] = json.dumps(value, ensure_ascii=False)[1:-1]
        forms[name + ", backslash-escaped"] = value.encode("unicode_escape").decode("ascii")
        forms[name + ", URL-quoted"] = quote(value, safe="")
        forms[name + ", doubly escaped"] = json.dumps(json.dumps(value)[1:-1])[1:-1]
    for index, run in enumerate(re.findall(r"[\x21-\x7e]{10,}", key)):
        forms["printable part %d" % index] = run
    return forms


def main():
    key = os.environ["LEAK_KEY"]
    output = sys.stdin.read()
    found = sorted(set(label for label, form in spellings(key).items() if form and form in output))
    print(json.dumps({"found": found, "checked": len(output)}))


if __name__ == "__main__":
    main()
