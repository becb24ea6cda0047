#!/usr/bin/python3
"""`swtc run`'s work folder and comparison, through the CLI:

    check_run_cli.py SWTC MODELS_DIR WORK

- without --work-dir, the temporary swtc-run-* folder is gone after the run
  (TMPDIR is pointed at an empty folder to see it); with --keep-work-dir it
  stays and the run says where;
- a model whose outputs hold NaN (Sqrt of negative inputs) and infinities
  (Reciprocal of zero) agrees with the reference interpreter like
  numpy.testing.assert_allclose(equal_nan=True): exit 0;
- --output-dir naming a file is refused before compiling, exit 1, one line.
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def run(args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    print("$", " ".join(args), "->", p.returncode)
    print(p.stdout + p.stderr)
    return p


def main():
    swtc, models, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ok = True

    def fail(msg):
        nonlocal ok
        print("FAIL:", msg)
        ok = False

    # 1. The temporary work folder is removed, or kept when asked.
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    p = run([swtc, "run", os.path.join(models, "conv.onnx"), "--repeat", "1"], env)
    if p.returncode != 0:
        fail("run without --work-dir")
    if os.listdir(tmp):
        fail(f"the temporary folder is left behind: {os.listdir(tmp)}")
    p = run([swtc, "run", os.path.join(models, "conv.onnx"), "--repeat", "1", "--keep-work-dir"],
            env)
    kept = os.listdir(tmp)
    if p.returncode != 0 or len(kept) != 1 or not kept[0].startswith("swtc-run-"):
        fail(f"--keep-work-dir: {kept}")
    elif "build folder: " + os.path.join(tmp, kept[0]) not in p.stdout:
        fail("--keep-work-dir does not say where the folder is")

    # 2. NaN and infinities compare like assert_allclose(equal_nan=True).
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])
    nodes = [helper.make_node("Sqrt", ["x"], ["s"], name="sqrt"),
             helper.make_node("Div", ["one", "z"], ["r"], name="div")]
    g = helper.make_graph(
        nodes, "nan", [x, helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 8])],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, [2, 8]),
         helper.make_tensor_value_info("r", TensorProto.FLOAT, [2, 8])],
        initializer=[helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    m.ir_version = 8
    nan_model = os.path.join(work, "nan.onnx")
    onnx.save(m, nan_model)
    z = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    z[0, 3] = 0.0
    z[1, 5] = -0.0
    np.save(os.path.join(work, "z.npy"), z)
    for target in ("host", "sw26010"):
        p = run([swtc, "run", nan_model, "--target", target, "--repeat", "1", "--input",
                 "z=" + os.path.join(work, "z.npy"), "--output-dir",
                 os.path.join(work, "nan_out." + target)])
        if p.returncode != 0 or "MISMATCH" in p.stdout:
            fail(f"NaN and infinities on {target}: exit {p.returncode}")
        s = np.load(os.path.join(work, "nan_out." + target, "s.npy"))
        r = np.load(os.path.join(work, "nan_out." + target, "r.npy"))
        if not np.isnan(s).any() or not np.isinf(r).any():
            fail(f"the test model gives no NaN or no infinity on {target}")

    # 3. --output-dir naming a file: refused up front (nothing compiled).
    afile = os.path.join(work, "a_file")
    open(afile, "w").close()
    p = run([swtc, "run", os.path.join(models, "conv.onnx"), "--output-dir", afile,
             "--work-dir", os.path.join(work, "never")])
    if p.returncode != 1 or "swtc: error: --output-dir" not in p.stderr:
        fail("--output-dir FILE")
    if os.path.exists(os.path.join(work, "never", "Makefile")):
        fail("--output-dir FILE: compiled before refusing")
    print("run cli: OK" if ok else "run cli: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
