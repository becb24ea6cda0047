#!/usr/bin/python3
"""check_core_groups.py SWTC MODELS_DIR WORK: `swtc profile --core-groups N` on
the batch-4 CNN of make_cg_models.py (sw26010), against 1 core group and
against the batch-1 CNN (what each core group runs):

- N core groups run N copies of the batch-1 program: the emulator's DMA bytes
  and transfers and flops summed over the core groups are exactly N times the
  batch-1 program's, and the predicted total equals its total (the core groups
  run side by side; every one does the same work);
- the compiler's flop count (the work the network needs) is the same with 1,
  2 and 4 core groups; the emulator's counted flops may differ a little (SIMD
  padding lanes depend on the tile shapes) and the DMA bytes grow with N: each
  core group fetches the weights and its kernels' arguments itself, and
  smaller per-core-group tiles reuse weights less. Both are printed;
- the predicted total falls with N (not to 1/N on a model this small: each
  launch has a fixed overhead in the model, see docs/performance.md);
- one emulator report per core group, each with its "core_group";
- the runner's --cg K writes core group K's slice of the outputs, equal to
  that slice of the whole run's outputs (and its emulator report is core
  group K's).
"""
import json
import os
import subprocess
import sys

import numpy as np

swtc, models, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)


def profile(model, n):
    d = os.path.join(work, "%s.cg%d" % (model, n))
    cmd = [swtc, "profile", os.path.join(models, model + ".onnx"), "--target", "sw26010",
           "--core-groups", str(n), "--work-dir", d, "--json", d + ".json"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout)
    assert p.returncode == 0, "swtc profile failed: %s" % " ".join(cmd)
    assert "MODEL PREDICTION" in p.stdout and "(model prediction)" in p.stdout
    if n > 1:
        assert ("on %d sw26010 core groups" % n) in p.stdout
    j = json.load(open(d + ".json"))
    assert j["core_groups"] == n, j["core_groups"]
    assert len(j["core_group_seconds"]) == n
    assert j["total_seconds"] == max(j["core_group_seconds"])
    return d, j


def total(j, key):
    return sum(layer[key] for layer in j["layers"])


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-30)


d1, p1 = profile("cnn_b4", 1)
_, p2 = profile("cnn_b4", 2)
d4, p4 = profile("cnn_b4", 4)
_, b1 = profile("cnn_b1", 1)

# Four core groups = four copies of the batch-1 program, side by side.
assert [l["name"] for l in p4["layers"]] == [l["name"] for l in b1["layers"]]
for l4, lb in zip(p4["layers"], b1["layers"]):
    for key in ("dma_bytes", "dma_transfers", "flops", "vector_flops", "compiler_flops"):
        assert l4[key] == 4 * lb[key], (l4["name"], key, l4[key], lb[key])
    assert close(l4["seconds"], lb["seconds"]), (l4["name"], l4["seconds"], lb["seconds"])
assert close(p4["total_seconds"], b1["total_seconds"])
for k in range(4):
    report = os.path.join(d4, "swemu_report.cg%d.json" % k)
    assert json.load(open(report))["core_group"] == k, report

# The work the network needs does not depend on the split.
for p in (p2, p4):
    assert total(p, "compiler_flops") == total(p1, "compiler_flops")
print("core groups  predicted ms  vs 1 CG  DMA bytes (sum)  vs 1 CG  counted flops  vs 1 CG")
for n, p in ((1, p1), (2, p2), (4, p4)):
    print("%11d  %12.3f  %7.3f  %15d  %7.3f  %13d  %7.3f" % (
        n, p["total_seconds"] * 1e3, p["total_seconds"] / p1["total_seconds"],
        total(p, "dma_bytes"), total(p, "dma_bytes") / total(p1, "dma_bytes"),
        total(p, "flops"), total(p, "flops") / total(p1, "flops")))
    assert abs(total(p, "flops") / total(p1, "flops") - 1) < 0.05
    assert total(p, "dma_bytes") >= total(p1, "dma_bytes")
assert p4["total_seconds"] < p2["total_seconds"] < p1["total_seconds"]

# --cg K: one core group's slice, as a launcher on the machine would run it.
x = np.random.default_rng(3).uniform(-1, 1, (4, 3, 32, 32)).astype(np.float32)
np.save(os.path.join(work, "x.npy"), x)
exe = "./cnn_b4_emu"
for sub in ("all", "cg"):
    os.makedirs(os.path.join(work, sub), exist_ok=True)
base = ["--input", "x=" + os.path.join(work, "x.npy"), "--output-dir"]
subprocess.run([exe] + base + [os.path.join(work, "all")], cwd=d4, check=True)
report = os.path.join(work, "cg", "r.json")
subprocess.run([exe, "--cg", "3"] + base + [os.path.join(work, "cg")], cwd=d4, check=True,
               env=dict(os.environ, SWEMU_REPORT_JSON=report))
assert json.load(open(os.path.join(work, "cg", "r.cg3.json")))["core_group"] == 3
whole = np.load(os.path.join(work, "all", "y.npy"))
part = np.load(os.path.join(work, "cg", "y.cg3.npy"))
assert whole.shape == (4, 10) and part.shape == (1, 10), (whole.shape, part.shape)
assert np.array_equal(whole[3:4], part)
bad = subprocess.run([exe, "--cg", "4"], cwd=d4, stderr=subprocess.PIPE, text=True)
assert bad.returncode == 1 and "--cg wants a core group in 0..3" in bad.stderr, bad.stderr
print("core groups OK")
