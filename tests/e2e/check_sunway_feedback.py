#!/usr/bin/python3
"""check_sunway_feedback.py SWTC MODEL WORK TARGET: measured Sunway kernel times fed back.

- `swtc compile --kernel-timers` for a Sunway target times each kernel launch on
  the MPE; the emulated runner's `--profile FILE` writes one tuning-log line per
  kernel: its signature, the target, the candidate it was built with, seconds > 0,
  source measured, measured_on "emulator" (the emulator's times are not Sunway
  times) -- lines `--tuning-log` reads;
- without --kernel-timers the files are the plain compile's and the runner
  refuses --profile;
- `swtc tune --measurements FILE` merges the lines into the log; a real
  (measured_on "sunway") entry beats the model's entries of the same kernel,
  an emulator one does not;
- `swtc profile --measurements FILE` prints the measured time beside the
  predicted one for every kernel (same signature, candidate, target).
Timings are never asserted."""
import filecmp
import json
import os
import shutil
import subprocess
import sys

swtc, model, work, target = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
name = os.path.splitext(os.path.basename(model))[0]


def sh(args, ok=True, cwd=None):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    print("$", " ".join(args))
    print(p.stdout)
    if ok:
        assert p.returncode == 0, "failed: %s" % " ".join(args)
    return p


def entries(path):
    return [json.loads(l) for l in open(path) if l.strip()]


timed = os.path.join(work, "timed")
sh([swtc, "compile", model, "--target", target, "-o", timed, "--kernel-timers"])
sh(["make", "-C", timed, "-s", "emulate-serial"])
prof = os.path.join(work, "measured.jsonl")
sh(["./%s_emu_serial" % name, "--repeat", "3", "--profile", prof], cwd=timed)
meas = entries(prof)
src = open(os.path.join(timed, name + "_host.c")).read()
assert "clock_gettime(CLOCK_MONOTONIC" in src, "no kernel timers in the MPE file"
nkernels = src.count("athread_spawn(")
assert nkernels > 0 and len(meas) == nkernels, (len(meas), nkernels)
for e in meas:
    assert e["target"] == target and e["source"] == "measured", e
    assert e["measured_on"] == "emulator" and "not Sunway times" in e["machine"], e
    assert e["seconds"] > 0 and e["candidate"] == "default", e
    assert e["kernel"].startswith("k") and len(e["kernel"]) == 17, e

# Without the flag: the plain files, and the runner refuses --profile.
plain = os.path.join(work, "plain")
sh([swtc, "compile", model, "--target", target, "-o", plain])
assert "clock_gettime" not in open(os.path.join(plain, name + "_host.c")).read()
sh(["make", "-C", plain, "-s", "emulate-serial"])
p = sh(["./%s_emu_serial" % name, "--profile", "x.jsonl"], ok=False, cwd=plain)
assert p.returncode != 0 and "--kernel-timers" in p.stdout, p.stdout
again = os.path.join(work, "again")
sh([swtc, "compile", model, "--target", target, "-o", again])
cmp = filecmp.dircmp(plain, again)
assert not cmp.diff_files, cmp.diff_files

# Merged into a tune's log: the model's choice stands against emulator times,
# a real measurement wins against the model.
log = os.path.join(work, "tune.jsonl")
sh([swtc, "tune", model, "--target", target, "--trials", "2", "--log", log,
    "--measurements", prof])
merged = entries(log)
assert merged[: len(meas)] == meas, "the measurements were not merged first, unchanged"
model_entries = [e for e in merged if e["source"] == "model"]
# conv_relu_add's 8-channel Convs have micro-kernel tilings on sw26010 only
# (on the Pro a block of two floatv8 would be mostly padding): no candidates there.
assert model_entries or target != "sw26010", merged
real = os.path.join(work, "real.jsonl")
with open(real, "w") as f:
    for e in meas:
        e = dict(e, measured_on="sunway", machine="a Sunway core group (test)", seconds=1.0)
        f.write(json.dumps(e) + "\n")
sh([swtc, "tune", model, "--target", target, "--trials", "2", "--log", log,
    "--measurements", real])
p = sh([swtc, "compile", model, "--target", target, "-o", os.path.join(work, "fed"),
        "--tuning-log", log])
lines = [l for l in p.stdout.splitlines() if l.startswith("tuning log: kernel ")]
assert lines and all(l.endswith("): default") for l in lines), lines  # the measured candidate

# Measured beside predicted.
p = sh([swtc, "profile", model, "--target", target, "--measurements", prof])
assert "measured beside predicted" in p.stdout, p.stdout
assert "measured: %d of %d layers" % (nkernels, nkernels) in p.stdout, p.stdout
assert p.stdout.count(" emulator ") >= nkernels, p.stdout
print("OK")
