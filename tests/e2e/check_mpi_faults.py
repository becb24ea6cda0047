#!/usr/bin/python3
"""check_mpi_faults.py SWTC MODELS_DIR WORK: a rank that fails ends the whole
MPI job within seconds, with an error naming the rank and the reason; never a
hang (issue 14, item 4). On the batch-8 CNN of make_cg_models.py:

1. a bad input (a truncated .npy) given to the host runner on 4 ranks: rank
   0, which reads the inputs, says "error (rank 0 of 4): truncated .npy data"
   and MPI_Abort ends the ranks waiting for their slice;
2. an emulator error on one rank: sw26010 on 4 ranks, rank 2 started with an
   LDM too small for the kernels (SWEMU_LDM_BYTES, mpirun's MPMD form): the
   emulator's "swemu: error: core group 2: LDM overflow ..." and mpirun ends
   the job; through `swtc run` (every rank's LDM too small) the error says
   "the compiled model failed: rank K: swemu: error: core group K: ...";
3. a killed process: `swtc run --ranks 4` (host) with many runs, rank 2's
   process (found by its OMPI_COMM_WORLD_RANK and its folder) killed with
   SIGKILL: swtc run fails with "rank 2 was killed by signal 9";
4. a run that does not end is stopped by `swtc run --timeout`: every rank
   ended, "did not finish within --timeout";
5. the same with one rank, which swtc run starts without mpirun (MPI
   singleton initialisation): an emulator error names rank 0, a killed runner
   "rank 0 was killed by signal 9", --timeout stops it.
Each ends within LIMIT seconds of the fault.
"""
import os
import signal
import subprocess
import sys
import time

import numpy as np

swtc, models, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
LIMIT = 30  # seconds from the fault to the end of the job (a busy 2-core machine)
model = os.path.join(models, "cnn_b8.onnx")
mpirun = ["mpirun", "--oversubscribe", "--bind-to", "none"] + (
    ["--allow-run-as-root"] if os.geteuid() == 0 else [])


def run(cmd, cwd=None, env=None, timeout=600):
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, time.time() - t0


def compile_build(target, ranks, rule):
    d = os.path.join(work, "%s.r%d" % (target, ranks))
    st, out, _ = run([swtc, "compile", model, "--target", target, "--ranks", str(ranks), "-o", d,
                      "-q"])
    assert st == 0, out
    st, out, _ = run(["make", "-C", d, "-s", rule])
    assert st == 0, out
    return d


def run_small_ldm(ranks, folder):
    """`swtc run` on sw26010 with every rank's LDM too small: it must fail."""
    st, out, _ = run([swtc, "run", model, "--target", "sw26010", "--ranks", str(ranks),
                      "--timeout", "300", "--repeat", "1", "--work-dir", folder],
                     env=dict(os.environ, SWEMU_LDM_BYTES="8192"))
    print(out)
    assert st == 1, st
    return out


def run_past_timeout(ranks, folder):
    """`swtc run` on sw26010 with far too many runs for --timeout 20: it must
    fail. Returns its output and the seconds it took."""
    st, out, secs = run([swtc, "run", model, "--target", "sw26010", "--ranks", str(ranks),
                         "--repeat", "1000000", "--timeout", "20", "--work-dir", folder])
    print(out[-3000:])
    assert st == 1, st
    assert "did not finish within --timeout 20 s" in out, out
    return out, secs


x = np.random.default_rng(5).uniform(-1, 1, (8, 3, 32, 32)).astype(np.float32)
good = os.path.join(work, "x.npy")
np.save(good, x)

# 1. A truncated input on 4 host ranks.
host = compile_build("host", 4, "all")
bad = os.path.join(work, "x_truncated.npy")
with open(good, "rb") as f:
    data = f.read()
with open(bad, "wb") as f:
    f.write(data[:-1000])
st, out, secs = run(mpirun + ["-np", "4", "./cnn_b8", "--input", "x=" + bad], cwd=host)
print(out)
assert st != 0, "a truncated input must fail"
assert "cnn_b8: error (rank 0 of 4): truncated .npy data: " + bad in out, out
assert secs < LIMIT, secs
print("1. bad input: rank 0 named, job ended in %.1f s" % secs)

# 2. An emulator error on rank 2 only (its LDM too small for the kernels).
emu = compile_build("sw26010", 4, "emulate")
app = ["./cnn_b8_emu", "--input", "x=" + good]
st, out, secs = run(mpirun + ["-np", "2"] + app + [":", "-np", "1", "env",
                                                   "SWEMU_LDM_BYTES=8192"] + app +
                    [":", "-np", "1"] + app, cwd=emu)
print(out)
assert st != 0, "an emulator error must fail the job"
assert "swemu: error: core group 2: " in out, out
for k in (0, 1, 3):
    assert "swemu: error: core group %d:" % k not in out, out
assert secs < LIMIT, secs
print("2a. emulator error on rank 2: named, job ended in %.1f s" % secs)
out = run_small_ldm(4, os.path.join(work, "swtc_run_ldm"))
assert "swtc: error: the compiled model failed: rank " in out, out
assert ": swemu: error: core group " in out, out
print("2b. swtc run names the failing rank")


def find_process(folder, accept):
    """A process running in `folder` for which accept(pid) holds, or None."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.path.realpath("/proc/%s/cwd" % pid) == folder and accept(pid):
                return int(pid)
        except OSError:  # it ended meanwhile
            continue
    return None


def rank_pid(folder, rank):
    """The process of MPI rank `rank` (OMPI_COMM_WORLD_RANK) of the runner in `folder`."""
    def accept(pid):
        with open("/proc/%s/environ" % pid, "rb") as f:
            env = f.read().split(b"\0")
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return ("OMPI_COMM_WORLD_RANK=%d" % rank).encode() in env and b"cnn_b8" in f.read()
    return find_process(folder, accept)


def runner_pid(folder):
    """The runner process started in `folder` (argv[0] ./cnn_b8; not the shell)."""
    def accept(pid):
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")[0] == b"./cnn_b8"
    return find_process(folder, accept)


def wait_ended(running, what):
    """Waits up to LIMIT seconds (the processes may still be ending) for
    running() to turn false."""
    deadline = time.time() + LIMIT
    while running() and time.time() < deadline:
        time.sleep(0.5)
    assert not running(), what + " left running"


def kill_during_run(ranks, folder, find, what):
    """`swtc run` (host, `ranks` ranks, many runs) in `folder`; the process
    find() names, once it runs, is killed with SIGKILL. swtc run must fail:
    returns its output and the seconds it took to end after the kill."""
    os.makedirs(folder, exist_ok=True)
    proc = subprocess.Popen([swtc, "run", model, "--target", "host", "--ranks", str(ranks),
                             "--repeat", "100000", "--work-dir", folder], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    pid, deadline = None, time.time() + 300
    while pid is None and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
        pid = find()
    assert pid is not None, what + " never started"
    time.sleep(2)  # inside its runs
    os.kill(pid, signal.SIGKILL)
    t0 = time.time()
    try:
        out, _ = proc.communicate(timeout=LIMIT + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("swtc run did not end after %s was killed" % what)
    secs = time.time() - t0
    print(out)
    assert proc.returncode == 1, proc.returncode
    assert secs < LIMIT, secs
    return out, secs


# 3. Rank 2 of a host run killed.
wd = os.path.realpath(os.path.join(work, "swtc_run_kill"))
out, secs = kill_during_run(4, wd, lambda: rank_pid(wd, 2), "rank 2")
assert "swtc: error: the compiled model failed: rank 2 was killed by signal 9" in out, out
wait_ended(lambda: any(rank_pid(wd, k) for k in (0, 1, 3)), "ranks")
print("3. rank 2 killed: named, job ended in %.1f s" % secs)

# 4. --timeout stops a run that goes on too long, on every rank.
wd4 = os.path.realpath(os.path.join(work, "swtc_run_timeout"))
out, secs = run_past_timeout(2, wd4)
assert "did not finish within --timeout 20 s: the job was stopped on all ranks" in out, out
wait_ended(lambda: rank_pid(wd4, 0) or rank_pid(wd4, 1), "ranks")
print("4. --timeout 20: stopped after %.1f s (build included)" % secs)

# 5. One rank: swtc run starts the runner without mpirun (MPI singleton
# initialisation); an emulator error, a killed process and --timeout still end
# the job with the rank named.
out = run_small_ldm(1, os.path.join(work, "swtc_run_ldm1"))
assert "(MPI singleton: no mpirun)" in out, out
assert "swtc: error: the compiled model failed: rank 0: swemu: error: LDM overflow" in out, out
print("5a. one rank, emulator error: rank 0 named")

wd5 = os.path.realpath(os.path.join(work, "swtc_run_kill1"))
out, secs = kill_during_run(1, wd5, lambda: runner_pid(wd5), "the one-rank runner")
assert "swtc: error: the compiled model failed: rank 0 was killed by signal 9" in out, out
print("5b. one rank killed: named, ended in %.1f s" % secs)

wd6 = os.path.realpath(os.path.join(work, "swtc_run_timeout1"))
out, secs = run_past_timeout(1, wd6)
wait_ended(lambda: runner_pid(wd6), "the one-rank runner")
print("5c. one rank, --timeout 20: stopped after %.1f s (build included)" % secs)
print("MPI faults OK")
