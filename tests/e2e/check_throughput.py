#!/usr/bin/python3
"""check_throughput.py SWTC MODELS_DIR WORK: throughput mode (issue 14, item
2). The batch-8 CNN compiled for 4 ranks (2 samples per run) is given an input
of 21 samples and started on 3 ranks: the 11 chunks of 2 samples (the last
padded) spread 3 / 4 / 4 over the ranks, the output holds the 21 samples'
results, equal to the batch-21 model's (`swtc run`, checked against the
reference interpreter, and ONNX Runtime when installed); the runner prints
images/s. The same on sw26010 (emulated) compiled for 2 ranks on 2 ranks.
`swtc run` with the 21-sample input on 2 ranks (its check: the reference
interpreter a batch at a time). A model that mixes samples refuses an input
of another batch, naming the input, the shape it wants and the node that
mixes samples (the runner and `swtc run`).
"""
import os
import re
import subprocess
import sys

import numpy as np

swtc, models, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
mpirun = ["mpirun", "--oversubscribe", "--bind-to", "none"] + (
    ["--allow-run-as-root"] if os.geteuid() == 0 else [])


def run(cmd, cwd=None, ok=True):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=900)
    print(p.stdout)
    if ok:
        assert p.returncode == 0, (cmd, p.returncode)
    return p.returncode, p.stdout


def rel_l2(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


x = np.random.default_rng(11).uniform(-1, 1, (21, 3, 32, 32)).astype(np.float32)
xp = os.path.join(work, "x21.npy")
np.save(xp, x)

# The reference: the same network at batch 21, checked by swtc run.
ref_dir = os.path.join(work, "ref")
run([swtc, "run", os.path.join(models, "cnn_b21.onnx"), "--target", "host", "--input",
     "x=" + xp, "--output-dir", ref_dir, "--repeat", "1"])
ref = np.load(os.path.join(ref_dir, "y.npy"))
assert ref.shape == (21, 10)

for target, ranks, np_, rule, exe, per_rank in (
        ("host", 4, 3, "all", "./cnn_b8", [(3, 6), (4, 8), (4, 7)]),
        ("sw26010", 2, 2, "emulate", "./cnn_b8_emu", [(3, 12), (3, 9)])):
    d = os.path.join(work, "%s.r%d" % (target, ranks))
    run([swtc, "compile", os.path.join(models, "cnn_b8.onnx"), "--target", target, "--ranks",
         str(ranks), "-o", d, "-q"])
    run(["make", "-C", d, "-s", rule])
    od = os.path.join(d, "out")
    os.makedirs(od, exist_ok=True)
    _, out = run(mpirun + ["-np", str(np_), exe, "--input", "x=" + xp, "--output-dir", od,
                           "--repeat", "2"], cwd=d)
    for k, (chunks, samples) in enumerate(per_rank):
        assert re.search(r"rank_latency_ms rank=%d median=\S+ min=\S+ chunks=%d samples=%d\n"
                         % (k, chunks, samples), out), (k, chunks, samples)
    assert re.search(r"throughput samples=21 ranks=%d images_per_s=[0-9.]+" % np_, out)
    y = np.load(os.path.join(od, "y.npy"))
    assert y.shape == (21, 10), y.shape
    err = rel_l2(y, ref)
    print("%s compiled for %d ranks, run on %d: rel L2 vs batch-21 reference %.2e"
          % (target, ranks, np_, err))
    assert err < 1e-5, err

# swtc run in throughput mode: the check runs the reference interpreter a
# batch at a time; the outputs hold the 21 samples.
od = os.path.join(work, "swtc_run")
_, out = run([swtc, "run", os.path.join(models, "cnn_b8.onnx"), "--target", "host", "--ranks",
              "2", "--input", "x=" + xp, "--output-dir", od, "--repeat", "1", "--timeout", "300"])
assert "throughput samples=21 ranks=2" in out and "(vs reference interpreter) OK" in out
y = np.load(os.path.join(od, "y.npy"))
assert y.shape == (21, 10) and rel_l2(y, ref) < 1e-5, (y.shape, rel_l2(y, ref))

# A model that mixes samples takes exactly its batch.
d = os.path.join(work, "mix")
run([swtc, "compile", os.path.join(models, "mix_b4.onnx"), "--target", "host", "-o", d, "-q"])
run(["make", "-C", d, "-s"])
m8 = os.path.join(work, "m8.npy")
np.save(m8, np.random.default_rng(2).uniform(-1, 1, (8, 3, 4, 4)).astype(np.float32))
st, out = run(mpirun + ["-np", "2", "./mix_b4", "--input", "x=" + m8], cwd=d, ok=False)
assert st != 0
assert "mix_b4: error (rank 0 of 2): input %s has shape (8, 3, 4, 4), expected (4,3,4,4)" % m8 \
    in out, out
st, out = run([swtc, "run", os.path.join(models, "mix_b4.onnx"), "--target", "host", "--input",
               "x=" + m8], ok=False)
assert st == 1
assert "swtc: error: input 'x' from %s: shape [8,3,4,4] but the model wants [4,3,4,4] (another " \
    "number of samples needs a model that keeps samples independent, and node 'merge_batch' " \
    "(Reshape): its target shape mixes the batch with other dims" % m8 in out, out
print("throughput OK")
