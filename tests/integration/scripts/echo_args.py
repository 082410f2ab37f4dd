"""Writes exactly what it received (argv and the HYPERSWEEP_/AZUREML_SWEEP_ variables)
to outputs/received.json, for the hostile-strings tests; logs acc = 1."""

import json
import os
import sys

from hypersweep import Run

os.makedirs("outputs", exist_ok=True)
received = {"argv": sys.argv[1:],
            "env": {k: v for k, v in os.environ.items()
                    if k.startswith(("HYPERSWEEP_v", "AZUREML_SWEEP_v"))}}
with open("outputs/received.json", "w", encoding="utf-8", errors="surrogateescape") as fh:
    json.dump(received, fh)
Run.get_context().log("acc", 1.0)
