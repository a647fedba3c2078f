# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test tooling's shared layer (as amazon.aws keeps tests/unit/utils/): used by the unit tests, the simulators,
tests/fleet.py, tests/chaos.py, tests/sandbox.py, tests/aws_fault_proxy.py, the integration targets' Python helpers and the benchmarks.

``constants``     the simulator's keys, the fake AWS credentials and region, the SWP principal, role names
``sim_control``   the one client of the simulator's ``/_sim`` control API
``moto_accounts`` a session in any account of a moto server (moto keeps accounts apart by credentials)
``iam_eval``      the independent IAM trust-policy evaluator, the tests' judge (it imports nothing of plugins/)
``serving``       the command-line end of the simulators and the fault proxy: ready file, wait for SIGTERM/SIGINT, stop

Standard library only at import time (boto3 is imported when a moto session is asked for), so that importing
the layer costs nothing to a test that does not use AWS.
"""
