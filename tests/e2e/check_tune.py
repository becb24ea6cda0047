#!/usr/bin/python3
"""check_tune.py SWTC MODEL WORK TARGET: `swtc tune` and `--tuning-log` end to end.

- tune writes one JSON line per (distinct kernel, candidate), the default among
  them, with the target, the source (measured on the host, model on Sunway) and
  the machine; it prints progress (kernel i of n, best so far, time left);
- run again on a complete log it measures nothing and leaves the log as it was;
- interrupted (the log cut to its first entries plus half a line) it drops the
  cut line, measures only what is missing and ends with the same set of entries;
- `compile --tuning-log` twice gives byte-identical files; a log whose best
  entries are the defaults gives the files of a plain compile; the chosen
  candidate's logged time is never above the default's;
- a log that forces every kernel's non-default candidates (one after the
  other) still computes the right outputs (`swtc run` against the reference
  interpreter) and reports the kernels that used it;
- a bad line gets an error naming the file, the line and the key.
Timings are never asserted (the machine is shared)."""
import filecmp
import json
import os
import shutil
import subprocess
import sys

swtc, model, work, target = sys.argv[1:5]
trials = sys.argv[5] if len(sys.argv) > 5 else "2"
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
log = os.path.join(work, "tune.jsonl")
host = target.startswith("host")
extra = ["--repeat", "3", "--warmup", "1", "--threads", "2"] if host else []


def sh(args, ok=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print("$", " ".join(args))
    print(p.stdout)
    if ok:
        assert p.returncode == 0, "failed: %s" % " ".join(args)
    return p


def entries(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def key(e):
    return (e["kernel"], e["candidate"])


# 1. A whole tune.
p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", log] + extra)
full = entries(log)
assert full, "the tune wrote nothing"
assert "kernel 1 of " in p.stdout and "best so far" in p.stdout and "s left" in p.stdout, p.stdout
kernels = sorted({e["kernel"] for e in full})
for e in full:
    for k in ["kernel", "target", "candidate", "seconds", "source", "machine"]:
        assert k in e, (k, e)
    assert e["seconds"] > 0, e
    assert e["target"].startswith("host-") if host else e["target"] == target, e
    if host:
        assert e["source"] == "measured" and e["measured_on"] == "host", e
    else:
        assert e["source"] == "model" and "measured_on" not in e, e
assert len({key(e) for e in full}) == len(full), "a candidate measured twice"
for k in kernels:
    cands = [e["candidate"] for e in full if e["kernel"] == k]
    assert cands[0] == "default", cands
    assert 2 <= len(cands) <= int(trials), cands

# 2. Again: complete, nothing measured, the log untouched.
before = open(log).read()
p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", log] + extra)
assert "complete in the log" in p.stdout and "0 rounds run now" in p.stdout, p.stdout
assert open(log).read() == before

# 3. Interrupted after the first round (and half a line of the next): resumes.
lines = before.splitlines(keepends=True)
cut = os.path.join(work, "cut.jsonl")
first_round = len(kernels)  # round 1 measures every kernel's default
with open(cut, "w") as f:
    f.write("".join(lines[:first_round]) + lines[first_round][: len(lines[first_round]) // 2])
p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", cut] + extra)
assert "incomplete (an interrupted write): dropped" in p.stdout, p.stdout
resumed = entries(cut)
assert {key(e) for e in resumed} == {key(e) for e in full}, (resumed, full)
assert [key(e) for e in resumed[:first_round]] == [key(e) for e in full[:first_round]]

# 4. The log reproduces the code byte for byte; the choice is never slower
# than the default by the log's own figures.
outs = []
for i in range(2):
    d = os.path.join(work, "tuned%d" % i)
    p = sh([swtc, "compile", model, "--target", target, "-o", d, "--tuning-log", log])
    assert "kernels scheduled by the log" in p.stdout, p.stdout
    outs.append(d)
cmp = filecmp.dircmp(outs[0], outs[1])
assert not cmp.diff_files and not cmp.left_only and not cmp.right_only, cmp.report()
for k in kernels:
    es = {e["candidate"]: e["seconds"] for e in full if e["kernel"] == k}
    chosen = [l for l in p.stdout.splitlines() if k in l and l.startswith("tuning log: kernel")]
    assert chosen, (k, p.stdout)
    cand = chosen[0].rsplit("): ", 1)[1]
    assert es[cand] <= es["default"], (k, cand, es)

defaults = os.path.join(work, "defaults.jsonl")
with open(defaults, "w") as f:
    for e in full:
        if e["candidate"] == "default":
            f.write(json.dumps(e) + "\n")
plain = os.path.join(work, "plain")
sh([swtc, "compile", model, "--target", target, "-o", plain])
via = os.path.join(work, "via_defaults")
sh([swtc, "compile", model, "--target", target, "-o", via, "--tuning-log", defaults])
cmp = filecmp.dircmp(plain, via)
assert not cmp.diff_files and not cmp.left_only and not cmp.right_only, cmp.report()

# 5. Every non-default candidate computes the right outputs.
for round_ in range(1, int(trials)):
    forced = os.path.join(work, "forced%d.jsonl" % round_)
    n = 0
    with open(forced, "w") as f:
        for k in kernels:
            cands = [e for e in full if e["kernel"] == k]
            if round_ < len(cands):
                e = dict(cands[round_])
                e["seconds"] = 1e-12
                f.write(json.dumps(e) + "\n")
                n += 1
    if not n:
        continue
    p = sh([swtc, "run", model, "--target", target, "--repeat", "1", "--tuning-log", forced,
            "--work-dir", os.path.join(work, "run%d" % round_)])
    assert p.stdout.count("tuning log: kernel ") >= n, p.stdout
    assert "OK" in p.stdout and "MISMATCH" not in p.stdout, p.stdout

# 6. Bad lines: named errors.
bad = os.path.join(work, "bad.jsonl")
with open(bad, "w") as f:
    f.write(lines[0])
    f.write(json.dumps({k: v for k, v in full[0].items() if k != "candidate"}) + "\n")
p = sh([swtc, "compile", model, "--target", target, "-o", os.path.join(work, "bad"),
        "--tuning-log", bad], ok=False)
assert p.returncode == 1, p.returncode
assert "tuning log '%s' line 2: no \"candidate\" key" % bad in p.stdout, p.stdout
with open(bad, "w") as f:
    e = dict(full[0])
    e["candidate"] = "conv/ch/1,3,1/r1"
    f.write(json.dumps(e) + "\n")
p = sh([swtc, "compile", model, "--target", target, "-o", os.path.join(work, "bad"),
        "--tuning-log", bad], ok=False)
assert p.returncode == 1 and "tile candidate 'conv/ch/1,3,1/r1'" in p.stdout, p.stdout
print("OK")
