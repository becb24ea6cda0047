"""Shared by the Sunway benchmarks: one `swtc profile` run and its JSON."""

import json
import os
import subprocess
import sys


def profile(swtc, model, out, args, what):
    """Runs `swtc profile MODEL ARGS --work-dir OUT --json OUT/profile.json`
    and returns the JSON; exits naming `what` if it fails."""
    os.makedirs(out, exist_ok=True)
    js = os.path.join(out, "profile.json")
    p = subprocess.run([swtc, "profile", model, *args, "--work-dir", out, "--json", js],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"swtc profile failed for {model} ({what}):\n{p.stdout}")
    with open(js) as f:
        return json.load(f)
