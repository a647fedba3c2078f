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
import sys

from ..support.serving import serve_until_signal
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

    return serve_until_signal(simulator, {'url': simulator.url, 'base': simulator.base, 'pid': os.getpid()},
                              args.ready_file, prefix='.simulator-ready-')


if __name__ == '__main__':
    sys.exit(main())
