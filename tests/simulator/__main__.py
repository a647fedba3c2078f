"""Command line entry point.

``python -m tests.simulator --host 127.0.0.1 --port 0 [--seed FILE] [--ready-file PATH]
[--iam-endpoint-url URL] [--config NAME=VALUE ...] [--verbose]``

When serving, writes ``{"url": ..., "base": ..., "pid": ...}`` to the ready file (atomically) and
prints the same line on stdout; stops cleanly on SIGTERM or SIGINT (and removes the ready file).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading

from .config import ConfigError
from .faults import FaultError
from .server import Simulator
from .state import SeedError


def parse_args(argv=None):
    """Command-line options."""
    parser = argparse.ArgumentParser(prog='python -m tests.simulator', description='Server & Workload Protection API simulator')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to bind; 0 picks a free one (default)')
    parser.add_argument('--seed', help='JSON seed document to start from')
    parser.add_argument('--ready-file', help='write {"url", "base", "pid"} here once serving')
    parser.add_argument('--iam-endpoint-url', help='IAM/STS endpoint (moto server) for trust-policy checks')
    parser.add_argument('--config', action='append', default=[], metavar='NAME=VALUE',
                        help='a config option; VALUE is parsed as JSON when it can be (repeatable)')
    parser.add_argument('--verbose', action='store_true', help='log every HTTP request on stderr')
    return parser.parse_args(argv)


def config_options(pairs):
    """Turn NAME=VALUE strings into a config dict (values parsed as JSON when possible)."""
    options = {}
    for pair in pairs:
        name, sep, value = pair.partition('=')
        if not sep or not name:
            raise ConfigError('--config expects NAME=VALUE, got %r' % pair)
        try:
            options[name.strip()] = json.loads(value)
        except ValueError:
            options[name.strip()] = value
    return options


def write_ready_file(path, text):
    """Write the file through a temporary file and a rename, so readers never see it half-written."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix='.simulator-ready-', dir=directory)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(text + '\n')
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    """Run the simulator until SIGTERM/SIGINT; returns the exit status."""
    args = parse_args(argv)
    try:
        seed = None
        if args.seed:
            with open(args.seed, encoding='utf-8') as stream:
                seed = json.load(stream)
        options = config_options(args.config)
        if args.iam_endpoint_url:
            options['iam_endpoint_url'] = args.iam_endpoint_url
        simulator = Simulator(seed=seed, host=args.host, port=args.port, verbose=args.verbose, **options)
        simulator.start()
    except (ConfigError, FaultError, SeedError, OSError, ValueError) as exc:
        sys.stderr.write('swp-simulator: cannot start: %s\n' % exc)
        return 2

    stop = threading.Event()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ready = json.dumps({'url': simulator.url, 'base': simulator.base, 'pid': os.getpid()})
    try:
        if args.ready_file:
            write_ready_file(args.ready_file, ready)
        sys.stdout.write(ready + '\n')
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        simulator.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0


if __name__ == '__main__':
    sys.exit(main())
