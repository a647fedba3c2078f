# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Constants shared by the test tooling: the simulator's keys, moto's fake credentials, the principals and roles."""

from __future__ import annotations

# The API keys the simulator accepts by default (tests/simulator/README.md).
FULL_KEY = "sim-full-key"
READONLY_KEY = "sim-readonly-key"

# The simulator's control API lives under this prefix of its base URL (no key).
CONTROL_PREFIX = "/_sim"

# Fake credentials for moto: never a real account's.
AWS_ACCESS_KEY = "testing"
AWS_SECRET_KEY = "testing"
REGION = "us-east-1"

# The manager's AWS principal (Server & Workload Protection), and Deep Security Manager's as another vendor's.
SWP_ACCOUNT = "147995105371"
SWP_PRINCIPAL = "arn:aws:iam::%s:root" % SWP_ACCOUNT
DSM_PRINCIPAL = "arn:aws:iam::210987654321:root"

# The cross-account role the manager assumes, and the admin role each account is reached through (hub and spoke).
ROLE_NAME = "TrendMicroWorkloadSecurityRole"
ADMIN_ROLE = "OrganizationAccountAccessRole"
