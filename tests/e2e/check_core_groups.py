#!/usr/bin/python3
"""check_core_groups.py SWTC MODELS_DIR WORK: `swtc profile --ranks N` on
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
- one emulator report per core group (rank), each with its "core_group";
- the predicted scatter/gather: none within a node, and over TaihuLight's
  node link for 8 ranks (2 nodes);
- the runner compiled for 4 ranks gives the same outputs started on 4, 2 or 1
  MPI ranks (the batch's chunks spread over them).
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
           "--ranks", str(n), "--work-dir", d, "--json", d + ".json"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout)
    assert p.returncode == 0, "swtc profile failed: %s" % " ".join(cmd)
    assert "MODEL PREDICTION" in p.stdout and "(model prediction)" in p.stdout
    if n > 1:
        assert ("on %d sw26010 core groups" % n) in p.stdout
    j = json.load(open(d + ".json"))
    assert j["core_groups"] == n and j["ranks"] == n, (j["core_groups"], j["ranks"])
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

# The work the network needs does not depend on the split, up to what producer
# inlining recomputes: it inlines Softmax's Sub+Exp into its reductions unless a
# reduction ends in one element, so at one image per rank (4 core groups) the
# Exp is computed once and at two or four images per rank twice (80 flops of
# 6.35 million here).
for p in (p2, p4):
    assert close(total(p, "compiler_flops"), total(p1, "compiler_flops"), 1e-4), \
        (total(p, "compiler_flops"), total(p1, "compiler_flops"))
print("core groups  predicted ms  vs 1 CG  DMA bytes (sum)  vs 1 CG  counted flops  vs 1 CG")
for n, p in ((1, p1), (2, p2), (4, p4)):
    print("%11d  %12.3f  %7.3f  %15d  %7.3f  %13d  %7.3f" % (
        n, p["total_seconds"] * 1e3, p["total_seconds"] / p1["total_seconds"],
        total(p, "dma_bytes"), total(p, "dma_bytes") / total(p1, "dma_bytes"),
        total(p, "flops"), total(p, "flops") / total(p1, "flops")))
    assert abs(total(p, "flops") / total(p1, "flops") - 1) < 0.05
    assert total(p, "dma_bytes") >= total(p1, "dma_bytes")
assert p4["total_seconds"] < p2["total_seconds"] < p1["total_seconds"]

# Scatter and gather over the network: 8 ranks fill 2 nodes of 4 core groups;
# the 4 ranks off rank 0's node get their input slice (1 x 3 x 32 x 32
# floats) and send their output slice (1 x 10 floats) through rank 0's node
# link at TaihuLight's 16 GB/s (no latency); 4 ranks fit one node: no network.
assert p4["nodes"] == 1 and p4["scatter_seconds"] == 0 and p4["gather_seconds"] == 0
_, p8 = profile("cnn_b8", 8)
assert p8["nodes"] == 2 and len(p8["rank_seconds"]) == 8, (p8["nodes"], p8["rank_seconds"])
assert close(p8["scatter_seconds"], 4 * 3 * 32 * 32 * 4 / 16e9), p8["scatter_seconds"]
assert close(p8["gather_seconds"], 4 * 10 * 4 / 16e9), p8["gather_seconds"]
assert "128 Gb/s" in p8["network"]

# The runner compiled for 4 ranks, started on 4, 2 and 1 ranks (mpirun): the
# batch's 4 chunks spread over the ranks (1, 2 or 4 chunks each), the same
# outputs bit for bit; on 4 ranks one emulator report per rank.
x = np.random.default_rng(3).uniform(-1, 1, (4, 3, 32, 32)).astype(np.float32)
np.save(os.path.join(work, "x.npy"), x)
mpirun = ["mpirun", "--oversubscribe", "--bind-to", "none"] + (
    ["--allow-run-as-root"] if os.geteuid() == 0 else [])
outs = {}
for np_ in (4, 2, 1):
    od = os.path.join(work, "np%d" % np_)
    os.makedirs(od, exist_ok=True)
    report = os.path.join(od, "r.json")
    p = subprocess.run(mpirun + ["-np", str(np_), "./cnn_b4_emu", "--input",
                                 "x=" + os.path.join(work, "x.npy"), "--output-dir", od],
                       cwd=d4, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, SWEMU_REPORT_JSON=report), timeout=300)
    print(p.stdout)
    assert p.returncode == 0, p.returncode
    for k in range(np_):
        assert ("rank_latency_ms rank=%d " % k) in p.stdout
        assert ("chunks=%d samples=%d" % (4 // np_, 4 // np_)) in p.stdout
        if np_ > 1:
            assert json.load(open(os.path.join(od, "r.cg%d.json" % k)))["core_group"] == k
    outs[np_] = np.load(os.path.join(od, "y.npy"))
    assert outs[np_].shape == (4, 10), outs[np_].shape
assert np.array_equal(outs[4], outs[2]) and np.array_equal(outs[4], outs[1])
print("core groups OK")
