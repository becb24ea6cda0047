#!/usr/bin/python3
"""check_profile.py SWTC MODEL WORK [TARGET LDM_BUDGET]: `swtc profile` prints a labelled model
prediction per layer, writes the JSON the issue specifies and an SVG chart."""
import json
import subprocess
import sys

swtc, model, work = sys.argv[1:4]
target = sys.argv[4] if len(sys.argv) > 4 else "sw26010"
budget = int(sys.argv[5]) if len(sys.argv) > 5 else 61440
p = subprocess.run([swtc, "profile", model, "--target", target, "--work-dir", work,
                    "--json", work + "/profile.json", "--svg", work + "/profile.svg"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(p.stdout)
assert p.returncode == 0, "swtc profile failed"
assert "MODEL PREDICTION" in p.stdout and "(model prediction)" in p.stdout
j = json.load(open(work + "/profile.json"))
for key in ["model", "target", "schedule", "core_groups", "total_seconds", "layers"]:
    assert key in j, key
assert j["target"] == target and j["layers"], j
for layer in j["layers"]:
    for key in ["name", "op", "seconds", "gflops", "peak_fraction", "dma_bytes", "ldm_bytes"]:
        assert key in layer, key
    assert layer["seconds"] > 0 and layer["dma_bytes"] > 0 and 0 < layer["ldm_bytes"] <= budget
    # The roofline bounds every schedule: the predicted rate cannot exceed it
    # (the model charges at least each tensor once at the best DMA bandwidth).
    if layer["bound_fraction"] > 0:
        assert 0 < layer["bound_fraction"] <= 1, layer
        assert layer["peak_fraction"] <= layer["bound_fraction"] * (1 + 1e-9), layer
assert abs(sum(l["seconds"] for l in j["layers"]) - j["total_seconds"]) < 1e-9
# The model's lower bound (one core group): the compiler's flops at the peak or
# the weights once at the best DMA bandwidth; no prediction beats it.
lb = j["lower_bound"]
assert lb["flops"] * j["core_groups"] == sum(l["compiler_flops"] for l in j["layers"]), lb
assert abs(lb["compute_seconds"] - lb["flops"] / lb["peak_flops"]) <= 1e-12 * lb["compute_seconds"]
assert abs(lb["weights_seconds"] - lb["weight_bytes"] / lb["dma_bytes_per_second"]) <= 1e-9
assert lb["seconds"] == max(lb["compute_seconds"], lb["weights_seconds"]) > 0, lb
assert j["total_seconds"] >= lb["seconds"], (j["total_seconds"], lb)
assert "lower bound: " in p.stdout and "predicted / bound" in p.stdout
svg = open(work + "/profile.svg").read()
assert svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml"), svg[:80]
assert "model prediction" in svg
for layer in j["layers"]:
    assert layer["name"] in svg, layer["name"]
print("profile OK:", len(j["layers"]), "layers")
