#!/usr/bin/python3
"""check_tune.py SWTC MODEL WORK TARGET: `swtc tune` and `--tuning-log` end to end.

- tune writes one JSON line per (distinct kernel, candidate), the default among
  them, with the target, the source (measured on the host, model on Sunway) and
  the machine; it prints progress (kernel i of n, best so far, time left);
- host: a choice whose best is not the default was confirmed (the default
  and the winner timed again, alternately, and both logged again);
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
Host Convs that Winograd applies to (3x3, stride 1: conv_relu_add's first)
also get an algorithm choice (direct, winograd/2, winograd/4) per node,
tuned first: its entries come first in the log; interrupted within them
the tune resumes too; a log forcing each algorithm reproduces its code byte
for byte and computes the right outputs.
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

def best(k, log_entries):
    """--tuning-log's choice for kernel k (driver/tuning_log.h): the latest
    entry per candidate, the least seconds, the default unless beaten by 3%
    (measured)."""
    es = {e["candidate"]: e["seconds"] for e in log_entries if e["kernel"] == k}
    b = min(es, key=lambda c: (es[c], c != "default", c))
    margin = 0.03 if host else 0.0
    return "default" if es[b] > es["default"] * (1 - margin) else b


for k in kernels:
    cands = list(dict.fromkeys(e["candidate"] for e in full if e["kernel"] == k))
    assert cands[0] == "default", cands
    assert 2 <= len(cands) <= int(trials), cands
    # Host: a non-default best was confirmed (the default and it timed
    # again, alternately); nothing else is measured twice.
    twice = {c for c in cands if sum(1 for e in full if key(e) == (k, c)) > 1}
    b = best(k, full)
    if host and b != "default":
        assert "default" in twice, (k, b, [e for e in full if e["kernel"] == k])
    assert len(twice) in (0, 2) and (not twice or "default" in twice), (k, twice)
    assert host or not twice, (k, twice)
ALGORITHMS = ["direct", "winograd/2", "winograd/4"]
algos = sorted({e["kernel"] for e in full if e["candidate"] in ALGORITHMS})
if host and os.path.basename(model).startswith("conv"):
    assert algos, "no Conv algorithm choice tuned"
n_algo = sum(1 for e in full if e["kernel"] in algos)
assert all(e["kernel"] in algos for e in full[:n_algo]), "the algorithms are tuned first"

# 2. Again: complete, nothing measured, the log untouched.
before = open(log).read()
p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", log] + extra)
assert "complete in the log" in p.stdout and "0 rounds run now" in p.stdout, p.stdout
assert open(log).read() == before

# 3. Interrupted after the first round of the tiles (the algorithms, if
# any, complete; and half a line of the next): resumes.
lines = before.splitlines(keepends=True)


def cut_and_resume(name, first_round):
    cut = os.path.join(work, name)
    with open(cut, "w") as f:
        f.write("".join(lines[:first_round]) + lines[first_round][: len(lines[first_round]) // 2])
    p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", cut] + extra)
    assert "incomplete (an interrupted write): dropped" in p.stdout, p.stdout
    resumed = entries(cut)
    assert [key(e) for e in resumed[:first_round]] == [key(e) for e in full[:first_round]]
    p = sh([swtc, "tune", model, "--target", target, "--trials", trials, "--log", cut] + extra)
    assert "0 rounds run now" in p.stdout, p.stdout
    return resumed


# round 1 of the tiles measures every kernel's default
first_round = n_algo
while first_round < len(full) and full[first_round]["candidate"] == "default":
    first_round += 1
if first_round < len(lines):
    resumed = cut_and_resume("cut.jsonl", first_round)
    assert {key(e) for e in resumed} == {key(e) for e in full}, (resumed, full)
# Interrupted within the algorithms: those resume the same (the tiles then
# follow the algorithms chosen, which timing noise may change).
if algos:
    resumed = cut_and_resume("cut_algorithms.jsonl", len(algos))
    assert ({key(e) for e in resumed if e["kernel"] in algos} ==
            {key(e) for e in full if e["kernel"] in algos})

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
choice = {}
for k in kernels:
    es = {e["candidate"]: e["seconds"] for e in full if e["kernel"] == k}
    prefix = "tuning log: conv algorithm" if k in algos else "tuning log: kernel"
    chosen = [l for l in p.stdout.splitlines() if k in l and l.startswith(prefix)]
    assert chosen, (k, p.stdout)
    choice[k] = chosen[0].rsplit("): ", 1)[1]
    assert es[choice[k]] <= es["default"], (k, choice[k], es)

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

# 5. Every non-default candidate computes the right outputs (the kernels'
# tiles under the algorithms the log chose).
for round_ in range(1, int(trials)):
    forced = os.path.join(work, "forced%d.jsonl" % round_)
    n = 0
    with open(forced, "w") as f:
        for k in algos:
            e = dict([e for e in full if e["kernel"] == k][0])
            e["candidate"] = choice[k]
            e["seconds"] = 1e-12
            f.write(json.dumps(e) + "\n")
        for k in kernels:
            if k in algos:
                continue
            cands = list({e["candidate"]: e for e in full if e["kernel"] == k}.values())
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

# Each algorithm forced (the tiles default): its code, byte for byte from
# the log, and right outputs.
for algo in ALGORITHMS:
    if not algos:
        break
    forced = os.path.join(work, "algorithm_%s.jsonl" % algo.replace("/", ""))
    with open(forced, "w") as f:
        for k in algos:
            e = dict([e for e in full if e["kernel"] == k][0])
            e["candidate"] = algo
            e["seconds"] = 1e-12
            f.write(json.dumps(e) + "\n")
    outs = []
    for i in range(2):
        d = os.path.join(work, "algorithm_%s_%d" % (algo.replace("/", ""), i))
        p = sh([swtc, "compile", model, "--target", target, "-o", d, "--tuning-log", forced])
        assert p.stdout.count("tuning log: conv algorithm (") == len(algos), p.stdout
        outs.append(d)
    cmp = filecmp.dircmp(outs[0], outs[1])
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only, cmp.report()
    code = "".join(open(os.path.join(outs[0], f)).read() for f in os.listdir(outs[0])
                   if f.endswith(".c"))
    assert ("_wt_mm" in code) == (algo != "direct"), algo
    p = sh([swtc, "run", model, "--target", target, "--repeat", "1", "--tuning-log", forced,
            "--work-dir", os.path.join(work, "run_%s" % algo.replace("/", ""))])
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
    # The algorithm entries too: the kernel entries are of the kernels of the
    # algorithms the tune chose (measured: Winograd's may win), which a
    # compile without those entries would not have.
    for a in full[:n_algo]:
        f.write(json.dumps(a) + "\n")
    e = dict(full[n_algo])  # a kernel's entry
    e["candidate"] = "conv/ch/1,3,1/r1"
    f.write(json.dumps(e) + "\n")
p = sh([swtc, "compile", model, "--target", target, "-o", os.path.join(work, "bad"),
        "--tuning-log", bad], ok=False)
assert p.returncode == 1 and "tile candidate 'conv/ch/1,3,1/r1'" in p.stdout, p.stdout
if algos:
    with open(bad, "w") as f:
        e = dict([e for e in full if e["kernel"] == algos[0]][0])
        e["candidate"] = "winograd/3"
        f.write(json.dumps(e) + "\n")
    p = sh([swtc, "compile", model, "--target", target, "-o", os.path.join(work, "bad"),
            "--tuning-log", bad], ok=False)
    assert (p.returncode == 1 and "(Conv): conv algorithm candidate 'winograd/3'" in p.stdout
            ), p.stdout
print("OK")
