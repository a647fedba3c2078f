# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one client of the SWP simulator's control API (``/_sim/...``, tests/simulator/server.py), over HTTP.

    sim = SimControl(sim_base)          # the simulator's base URL, as SWP_SIM_BASE / swp_sim_base give it
    sim.reset({"config": {...}})        # POST /_sim/reset
    sim.state()["manager_external_id"]  # GET /_sim/state
    sim.add_connectors([...])           # POST /_sim/connectors

Standard library only: the simulator may run in another process (scripts/services.py) or in this one.
"""

from __future__ import annotations

import json
import urllib.request

from .constants import CONTROL_PREFIX

# The local simulator can be slow under load (a loaded CI runner, a large fleet): a generous default.
DEFAULT_TIMEOUT = 180


class SimControl:
    """The simulator's ``/_sim`` control API."""

    def __init__(self, base, timeout=DEFAULT_TIMEOUT):
        self.base = base.rstrip("/")
        self.timeout = timeout

    def call(self, method, path, body=None, timeout=None):
        """One control call; ``path`` is relative to /_sim (``/state``, ``/requests?since=3``). Returns the JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + CONTROL_PREFIX + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # nosec - the local simulator
            raw = response.read()
        return json.loads(raw) if raw else None

    def reset(self, seed=None):
        """Back to the startup state, or to ``seed`` (a seed document: config, connectors, keys, ...)."""
        return self.call("POST", "/reset", seed if seed is not None else {})

    def configure(self, **options):
        return self.call("POST", "/config", options)

    def state(self):
        return self.call("GET", "/state")

    def manager_external_id(self):
        return self.state()["manager_external_id"]

    def health(self):
        return self.call("GET", "/health")

    def requests(self, since=None):
        """The request log (every request, or those after sequence number ``since``)."""
        return self.requests_page(since)["requests"]

    def requests_page(self, since=None):
        """The request log's answer as it is: ``requests`` and ``last_seq``."""
        return self.call("GET", "/requests" if since is None else "/requests?since=%d" % since)

    def clear_requests(self):
        return self.call("DELETE", "/requests")

    def add_connectors(self, connectors, batch=2500):
        """Seed connectors (in batches, so a large seed is not one huge request)."""
        for start in range(0, len(connectors), batch):
            self.call("POST", "/connectors", {"connectors": connectors[start:start + batch]})

    def faults(self, sequence):
        """Faults for the next calls, in order."""
        return self.call("POST", "/faults", {"sequence": sequence})

    def random_faults(self, rules, seed=None):
        """Faults drawn at random for every call (``{"probability": p, "status": 500}``, ...)."""
        body = {"random": rules}
        if seed is not None:
            body["seed"] = seed
        return self.call("POST", "/faults", body)

    def clear_faults(self):
        return self.call("DELETE", "/faults")

    def observe_roles(self, role_arns):
        """The manager reads these roles now: a later change to them is subject to the IAM propagation delay."""
        return self.call("POST", "/iam/observe", {"role_arns": list(role_arns)})
