"""A stateful simulator of the Server & Workload Protection (Workload Security / DSM) API.

It serves the operations the swp.aws collection uses under ``/api``, checks cross-account roles'
trust policies against an IAM endpoint (moto), injects faults and records every request.
See README.md beside this file.
"""

from __future__ import annotations

from .config import DEFAULT_CONFIG, ConfigError
from .faults import FaultError
from .iam import role_assumable
from .server import Simulator
from .state import EXTERNAL_ID_SETTING, SeedError

__all__ = ['DEFAULT_CONFIG', 'EXTERNAL_ID_SETTING', 'ConfigError', 'FaultError', 'SeedError', 'Simulator', 'role_assumable']
