"""Start the SWP simulator, the CAM simulator and a moto server on free 127.0.0.1 ports, run a command, stop them.

    python scripts/services.py [--config-out FILE] [--seed FILE] [--sim-config NAME=VALUE ...] [--cam-config NAME=VALUE ...]
        -- COMMAND [ARG...]

The command gets SWP_SIM_URL (the API base, ending in /api), SWP_SIM_BASE (for the /_sim/ control
API), SWP_SIM_PROFILE and MOTO_URL in its environment; --config-out also writes them as Ansible variables
(swp_sim_url, swp_sim_base, swp_sim_profile, moto_url, and swp_fleet_script, the fleet builder), which is how
ansible-test integration targets read them. --sim-config sets a simulator option (as the simulator's
--config: VALUE is JSON when it parses), e.g. --sim-config profile=strict; options given here survive the
targets' resets. The Vision One Cloud Accounts (CAM) simulator comes as CAM_SIM_URL (the API host, also its control
API's base) and CAM_SIM_PROFILE (variables cam_sim_url, cam_sim_profile); it takes the SWP profile's name when it has a
profile of that name, else its documented one, and --cam-config options on top. The exit status is the command's.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

# Fake credentials for moto: never a real account's.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-out", help="write the service URLs as Ansible variables (YAML) to this file")
    parser.add_argument("--seed", help="seed document for the simulator (JSON)")
    parser.add_argument("--sim-config", action="append", default=[], metavar="NAME=VALUE",
                        help="a simulator config option, e.g. profile=strict (repeatable)")
    parser.add_argument("--cam-config", action="append", default=[], metavar="NAME=VALUE",
                        help="a CAM simulator config option, e.g. path_prefix=beta (repeatable)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command to run is required")

    from tests.sandbox import start_moto
    from tests.simulator.__main__ import config_options
    from tests.simulator.config import ConfigError, validate_config
    from tests.simulator.cam import CAM_PROFILES, CamSimulator, validate_cam_config
    from tests.simulator.server import Simulator

    try:
        sim_options = validate_config(config_options(args.sim_config))
        cam_options = validate_cam_config(config_options(args.cam_config))
    except ConfigError as exc:
        parser.error(str(exc))
    moto, moto_url = start_moto()
    seed = None
    if args.seed:
        with open(args.seed, encoding="utf-8") as handle:
            seed = json.load(handle)
    sim = Simulator(seed=seed, iam_endpoint_url=moto_url, **sim_options)
    sim.start()
    profile = sim.config["profile"]
    cam = CamSimulator(**dict({"profile": profile if profile in CAM_PROFILES else "documented"}, **cam_options))
    cam.start()
    cam_profile = cam.config["profile"]
    urls = {"swp_sim_url": sim.url, "swp_sim_base": sim.base, "swp_sim_profile": profile, "moto_url": moto_url,
            "swp_fleet_script": os.path.join(ROOT, "tests", "fleet.py"), "cam_sim_url": cam.url, "cam_sim_profile": cam_profile}
    if args.config_out:
        with open(args.config_out, "w", encoding="utf-8") as handle:
            for key, value in urls.items():
                handle.write("%s: %s\n" % (key, json.dumps(value)))
    env = dict(os.environ, SWP_SIM_URL=sim.url, SWP_SIM_BASE=sim.base, SWP_SIM_PROFILE=profile, MOTO_URL=moto_url,
               CAM_SIM_URL=cam.url, CAM_SIM_PROFILE=cam_profile)
    print("services: simulator %s (profile %s), CAM simulator %s (profile %s), moto %s"
          % (sim.base, profile, cam.url, cam_profile, moto_url), flush=True)
    try:
        return subprocess.call(command, env=env)
    finally:
        sim.stop()
        cam.stop()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
