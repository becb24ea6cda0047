#!/usr/bin/python3
"""check_serial_build.py SWTC MODELS_DIR WORK: the runner links the MPI
library (ldd shows libmpi) and its serial build (`make serial`, `make
emulate-serial`: -DSWTC_NO_MPI, for a machine without MPI) does not; on the
same input both give the same outputs bit for bit, host and sw26010.
"""
import os
import subprocess
import sys

import numpy as np

swtc, models, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
mpirun = ["mpirun", "--oversubscribe", "--bind-to", "none"] + (
    ["--allow-run-as-root"] if os.geteuid() == 0 else [])


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=900)
    print(p.stdout)
    assert p.returncode == 0, (cmd, p.returncode)
    return p.stdout


x = np.random.default_rng(4).uniform(-1, 1, (8, 3, 32, 32)).astype(np.float32)
xp = os.path.join(work, "x.npy")
np.save(xp, x)
for target, rules, exes in (("host", ["all", "serial"], ["cnn_b8", "cnn_b8_serial"]),
                            ("sw26010", ["emulate", "emulate-serial"],
                             ["cnn_b8_emu", "cnn_b8_emu_serial"])):
    d = os.path.join(work, target)
    run([swtc, "compile", os.path.join(models, "cnn_b8.onnx"), "--target", target, "-o", d, "-q"])
    run(["make", "-C", d, "-s"] + rules)
    assert "libmpi" in run(["ldd", os.path.join(d, exes[0])]), "the runner must link MPI"
    assert "libmpi" not in run(["ldd", os.path.join(d, exes[1])]), "the serial build has no MPI"
    outs = []
    for exe, launch in ((exes[0], mpirun + ["-np", "1"]), (exes[1], [])):
        od = os.path.join(d, "out." + exe)
        os.makedirs(od, exist_ok=True)
        run(launch + ["./" + exe, "--input", "x=" + xp, "--output-dir", od], cwd=d)
        outs.append(np.load(os.path.join(od, "y.npy")))
    assert outs[0].shape == (8, 10)
    assert np.array_equal(outs[0], outs[1]), target
    print("%s: MPI runner and serial build agree" % target)
print("serial build OK")
