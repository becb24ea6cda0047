#!/usr/bin/python3
"""check_counted.py SWTC MODEL WORK TARGET [--flops]: runs `swtc profile` (the model on the
athread emulator) and checks, for every kernel launch, that the LDM bytes the compiler computes
(ldm_bytes, tir::ldm_bytes) equal the LDM bytes the emulator observed the launch use
(ldm_used_bytes: the highest byte of the kernel's LDM arena written by DMA or stores, max over
the 64 CPEs). With --flops, also that the flops the emulator counted (scalar + vector) equal the
compiler's flop count of each kernel; in kernels with SIMD code the counted flops may exceed it
by the lanes a padding guard zeroes (a vector multiply-add does all its lanes), at most
MAX_SIMD_SURPLUS of it, and never fall below it."""
import json
import subprocess
import sys

swtc, model, work, target = sys.argv[1:5]
check_flops = "--flops" in sys.argv[5:]
MAX_SIMD_SURPLUS = 0.25
p = subprocess.run([swtc, "profile", model, "--target", target, "--work-dir", work,
                    "--json", work + "/profile.json", "--svg", work + "/profile.svg"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(p.stdout)
assert p.returncode == 0, "swtc profile failed"
layers = json.load(open(work + "/profile.json"))["layers"]
assert layers, "no kernel launches"
bad = []
for l in layers:
    if l["ldm_used_bytes"] != l["ldm_bytes"]:
        bad.append("%s: compiler %d LDM bytes, emulator observed %d" %
                   (l["name"], l["ldm_bytes"], l["ldm_used_bytes"]))
    surplus = l["flops"] - l["compiler_flops"]
    allowed = MAX_SIMD_SURPLUS * l["compiler_flops"] if l["vector_flops"] > 0 else 0
    if check_flops and not 0 <= surplus <= allowed:
        bad.append("%s: compiler %d flops, emulator counted %d (%d of them vector)" %
                   (l["name"], l["compiler_flops"], l["flops"], l["vector_flops"]))
if check_flops:
    assert sum(l["flops"] for l in layers) > 0, "no flops counted"
for b in bad:
    print("MISMATCH", b)
assert not bad, "%d of %d launches differ" % (len(bad), len(layers))
print("OK: %d launches, compiler LDM figure == observed%s" %
      (len(layers), ", compiler flops == counted" if check_flops else ""))
