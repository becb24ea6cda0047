#!/usr/bin/python3
"""check_kernels.py SWTC MODEL WORK TARGET N [NODE...]: `swtc compile --report`
for TARGET gives N kernels, and each NODE (an op name, e.g. Sub) appears
among the fused nodes of some kernel (lower/inline_producers.h: the
decomposed LayerNorm's x - mean and Softmax's exp(x - max) are computed by
their readers, not by kernels of their own). Correctness of the same
kernels is e2e.<model>.<target>."""
import re
import subprocess
import sys

swtc, model, work, target, n = sys.argv[1:6]
nodes = sys.argv[6:]
p = subprocess.run([swtc, "compile", model, "--target", target, "-o", work, "-q", "--report"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
if p.returncode != 0:
    print(p.stdout)
    sys.exit("swtc compile failed")
m = re.search(r"^kernels: (\d+) ", p.stdout, re.M)
assert m, p.stdout
print(p.stdout)
assert int(m.group(1)) == int(n), f"{m.group(1)} kernels, expected {n}"
fused = [l for l in p.stdout.splitlines() if l.startswith("  k") and " + node " in l]
for op in nodes:
    assert any(f"({op})" in l.split(" + ", 1)[1] for l in fused), f"no kernel computes a {op} inside"
print("OK")
