#!/usr/bin/python3
"""check_dma_estimate.py SWTC MODEL WORK: the DMA transfers the emulator counts
follow the compiler's estimate when the tiling changes.

For each schedule (default, swtvm-v1) the model is compiled for sw26010, the
compiler's per-kernel estimate of the busiest CPE's DMA transfers is read from
`swtc compile --report`, the emulated binary is run with the emulator's
counters on, and the counted transfers of the busiest CPE are compared: never
above the estimate (boxes clamped at tensor edges move less), at least half of
it, and changing the schedule moves both in the same direction."""
import json
import re
import subprocess
import sys

swtc, model, work = sys.argv[1:4]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        print(p.stdout)
        sys.exit(f"failed: {' '.join(cmd)}")
    return p.stdout


def measure(schedule):
    out = f"{work}/{schedule}"
    report = run([swtc, "compile", model, "--target", "sw26010", "-o", out, "-q", "--report",
                  "--schedule", schedule])
    est = {m.group(1): int(m.group(2))
           for m in re.finditer(r"^  (\w+): LDM \d+ bytes, DMA (\d+) transfers", report, re.M)}
    # The runner's serial build: one process, no MPI (counts do not depend on it).
    run(["make", "-C", out, "-s", "emulate-serial"])
    name = [l for l in run(["ls", out]).split() if l.endswith("_emu_serial")][0]
    run([f"./{name}", "--repeat", "1"], cwd=out, env={"SWEMU_REPORT_JSON": "counts.json"})
    counts = json.load(open(f"{out}/counts.json"))
    counted = {}
    for launch in counts["launches"]:
        # +1: the generated kernel also fetches its argument struct by DMA.
        # A broadcast (counted apart, on its issuer) is one of its transfers.
        busiest = max(c["get_count"] + c["put_count"] + c.get("bcast_count", 0)
                      for c in launch["cpes"])
        counted[launch["kernel"]] = busiest - 1
    return est, counted


est_d, cnt_d = measure("default")
est_v, cnt_v = measure("swtvm-v1")
ok = True
for est, cnt, sched in [(est_d, cnt_d, "default"), (est_v, cnt_v, "swtvm-v1")]:
    assert set(est) == set(cnt), (est, cnt)
    for k in est:
        good = 0.5 * est[k] <= cnt[k] <= est[k]
        ok = ok and good
        print(f"{sched:9} {k:28} estimated {est[k]:8} counted {cnt[k]:8} {'ok' if good else 'BAD'}")
for k in est_d:
    same_direction = (est_d[k] - est_v[k]) * (cnt_d[k] - cnt_v[k]) > 0 or (
        est_d[k] == est_v[k] and cnt_d[k] == cnt_v[k])
    ok = ok and same_direction
    print(f"{k}: estimate {est_v[k]} -> {est_d[k]}, counted {cnt_v[k]} -> {cnt_d[k]}"
          f" {'ok' if same_direction else 'BAD'}")
assert any(est_d[k] != est_v[k] for k in est_d), "the schedules did not differ"
sys.exit(0 if ok else 1)
