#!/usr/bin/python3
"""check_broadcast.py SWTC MODEL WORK [--buffer NAME]: the default sw26010
schedule stages an input box (a packed weight block or, with --buffer, the kernel
parameter NAME, e.g. `x`: a whole-image activation panel that the CPEs
computing different output channels share) by broadcast DMA where the model
predicts it faster
(athread_get in BCAST_MODE bracketed by athread_syn), the emulator counts the
broadcasts on their issuers, and neither sw26010pro (no broadcast in its CRTS
subset) nor the swtvm-v1 baseline broadcasts. With --kernel SUFFIX, a CPE
kernel whose name ends in SUFFIX is in the default sw26010 code and in
neither of the others (e.g. `_a_t`: a MatMul row operand transposed,
lower/transpose_rows.h). (Correctness of the same output is
e2e.<model>.sw26010.)"""
import json
import os
import re
import subprocess
import sys

swtc, model, work = sys.argv[1:4]
opts = dict(zip(sys.argv[4::2], sys.argv[5::2]))
buffer = opts.get("--buffer")
kernel = opts.get("--kernel")


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        print(p.stdout)
        sys.exit(f"failed: {' '.join(cmd)}")
    return p.stdout


def compile_for(target, schedule="default"):
    out = f"{work}/{target}.{schedule}"
    run([swtc, "compile", model, "--target", target, "-o", out, "-q", "--schedule", schedule,
         "--name", "net"])
    return out, open(f"{out}/net_slave.c").read()


out, cpe = compile_for("sw26010")
assert "athread_get(BCAST_MODE, " in cpe, "no broadcast in the default sw26010 code"
assert "athread_syn(" in cpe
if buffer:
    n = cpe.count(f"athread_get(BCAST_MODE, (void *)(p.{buffer} + ")
    assert n > 0, f"no broadcast of {buffer} in the default sw26010 code"
    print(f"{n} broadcasts of {buffer} in the code")
if kernel:
    n = len(re.findall(r"void slave_k\w*" + re.escape(kernel) + r"\(void \*arg\) \{", cpe))
    assert n > 0, f"no kernel *{kernel} in the default sw26010 code"
    print(f"{n} kernels *{kernel}")
run(["make", "-C", out, "-s", "emulate"])
run(["./net_emu", "--repeat", "1"], cwd=out, env=dict(os.environ, SWEMU_REPORT_JSON="counts.json"))
counts = json.load(open(f"{out}/counts.json"))
casts = sum(c.get("bcast_count", 0) for l in counts["launches"] for c in l["cpes"])
syns = sum(c.get("syn_count", 0) for l in counts["launches"] for c in l["cpes"])
assert casts > 0 and syns > 0, (casts, syns)
print(f"sw26010 default: {casts} broadcasts, {syns} barriers passed (all CPEs)")
for target, schedule in [("sw26010pro", "default"), ("sw26010", "swtvm-v1")]:
    _, cpe = compile_for(target, schedule)
    assert "BCAST_MODE" not in cpe, (target, schedule)
    if kernel:
        assert not re.search(r"void slave_k\w*" + re.escape(kernel) + r"\(", cpe), (target, schedule)
print("broadcast OK")
