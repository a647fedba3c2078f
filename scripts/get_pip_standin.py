"""Offline stand-in for the get-pip script that ansible-test downloads to bootstrap pip in its virtualenvs.

ensurepip runs as a subprocess: inside its own process it sets PIP_CONFIG_FILE=/dev/null,
which would hide the machine's pip configuration (index, certificates) from the install below.
"""

import subprocess
import sys

DROP = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [arg for arg in sys.argv[1:] if arg not in DROP]
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
