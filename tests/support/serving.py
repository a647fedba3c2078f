# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command-line end of a test server (the SWP and CAM simulators, the AWS fault proxy): once it serves,
announce it (a JSON line on stdout and, atomically, a ready file), wait for SIGTERM or SIGINT, stop it.

    server.start()
    return serve_until_signal(server, {"url": server.url, "pid": os.getpid()}, args.ready_file)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading


def write_ready_file(path, text, prefix=".ready-"):
    """Write the file through a temporary file and a rename, so readers never see it half-written."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def serve_until_signal(server, ready, ready_file=None, prefix=".ready-"):
    """Announce the serving ``server`` with ``ready`` (a dict, written as one JSON line to stdout and to
    ``ready_file`` when given), wait for SIGTERM or SIGINT, then ``server.stop()`` and remove the ready file.
    Returns the exit status, 0. ``prefix`` names the ready file's temporary file."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    text = json.dumps(ready)
    try:
        if ready_file:
            write_ready_file(ready_file, text, prefix)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        if ready_file and os.path.exists(ready_file):
            os.unlink(ready_file)
    return 0
