#!/usr/bin/python3
"""Run small exported models with scripts/ort_run.js and compare ONNX Runtime's
outputs with numpy references computed from the models' initializers, using
scripts/compare_npy.py. Also checks ort_run.js's error handling and its seeded
random inputs.

    ort_vs_numpy.py NODE MODELS_DIR WORK_DIR

Exits 77 (ctest skip) if node or third_party/ort/node_modules is missing.
"""

import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ORT_RUN = os.path.join(ROOT, "scripts", "ort_run.js")
COMPARE = os.path.join(ROOT, "scripts", "compare_npy.py")
PY = sys.executable


def load(path):
    model = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return model, inits


def conv2d(x, w, b, stride, pad, dil=1, group=1):
    """Plain numpy NCHW conv (float64), symmetric pads."""
    assert group == 1
    n, c, h, wd = x.shape
    oc, ic, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - dil * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * pad - dil * (kw - 1) - 1) // stride + 1
    y = np.zeros((n, oc, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i * dil:i * dil + stride * oh:stride, j * dil:j * dil + stride * ow:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j].astype(np.float64))
    if b is not None:
        y += b.astype(np.float64)[None, :, None, None]
    return y.astype(np.float32)


def conv_node_ref(model, inits, x):
    (node,) = [n for n in model.graph.node if n.op_type == "Conv"]
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    pads = attrs.get("pads", [0, 0, 0, 0])
    assert len(set(pads)) == 1
    strides = attrs.get("strides", [1, 1])
    dil = attrs.get("dilations", [1, 1])
    w = inits[node.input[1]]
    b = inits[node.input[2]] if len(node.input) > 2 and node.input[2] else None
    return conv2d(x, w, b, strides[0], pads[0], dil[0], attrs.get("group", 1))


def run(cmd, expect_rc=0):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != expect_rc:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode} (expected {expect_rc})\n"
                           f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def compare(a, b, tol="1e-5"):
    p = run([PY, COMPARE, a, b, "--tol", tol])
    return p.stdout.strip()


def main():
    node, models, work = sys.argv[1:4]
    if not node or not os.path.exists(node):
        print("SKIP: node not found")
        return 77
    if not os.path.isdir(os.path.join(ROOT, "third_party", "ort", "node_modules", "onnxruntime-node")):
        print("SKIP: third_party/ort/node_modules absent (run scripts/setup.sh)")
        return 77
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(1234)
    failures = 0
    total = 0

    def check(label, fn):
        nonlocal failures, total
        total += 1
        try:
            msg = fn()
            print(f"ok   {label}: {msg}")
        except Exception as e:  # noqa: BLE001
            failures += 1
            print(f"FAIL {label}: {e}")

    # (1) conv: input made by numpy, reference conv in numpy.
    def conv_case(name):
        def fn():
            model, inits = load(os.path.join(models, name + ".onnx"))
            shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
            x = rng.standard_normal(shape).astype(np.float32)
            xin = os.path.join(work, f"{name}_input.npy")
            np.save(xin, x)
            out = os.path.join(work, name)
            p = run([node, ORT_RUN, os.path.join(models, name + ".onnx"),
                     "--input", f"input={xin}", "--output-dir", out, "--repeat", "3",
                     "--threads", "1"])
            info = json.loads(p.stdout)
            ref = conv_node_ref(model, inits, x)
            assert info["runs"] == 3 and info["latency_ms_median"] > 0, info
            assert info["outputs"] == {"output": list(ref.shape)}, info
            refp = os.path.join(work, f"{name}_ref.npy")
            np.save(refp, ref)
            got = np.load(os.path.join(out, "output.npy"))
            assert got.dtype == np.float32, got.dtype
            return compare(os.path.join(out, "output.npy"), refp)
        return fn

    check("conv vs numpy", conv_case("conv"))
    check("conv_strided vs numpy", conv_case("conv_strided"))

    # (2) gemm [2,64]: x @ W^T + b
    def gemm_case():
        model, inits = load(os.path.join(models, "gemm.onnx"))
        (gemm,) = model.graph.node
        w, b = inits[gemm.input[1]], inits[gemm.input[2]]
        x = rng.standard_normal((2, 64)).astype(np.float32)
        xin = os.path.join(work, "gemm_input.npy")
        np.save(xin, x)
        out = os.path.join(work, "gemm")
        run([node, ORT_RUN, os.path.join(models, "gemm.onnx"), f"--input=input={xin}",
             "--output-dir", out])
        ref = (x.astype(np.float64) @ w.T.astype(np.float64) + b).astype(np.float32)
        np.save(os.path.join(work, "gemm_ref.npy"), ref)
        return compare(os.path.join(out, "output.npy"), os.path.join(work, "gemm_ref.npy"))

    check("gemm vs numpy", gemm_case)

    # (3) seeded random input: deterministic, not zeros, normal-ish; output matches.
    def random_input_case():
        mpath = os.path.join(models, "conv.onnx")
        a, b, c = (os.path.join(work, f"rand_{k}") for k in "abc")
        run([node, ORT_RUN, mpath, "--save-inputs", a, "--output-dir", a])
        run([node, ORT_RUN, mpath, "--save-inputs", b, "--output-dir", b])
        run([node, ORT_RUN, mpath, "--save-inputs", c, "--seed", "7"])
        xa, xb, xc = (np.load(os.path.join(d, "input.npy")) for d in (a, b, c))
        assert xa.shape == (1, 3, 16, 16) and xa.dtype == np.float32
        assert np.array_equal(xa, xb), "random input not deterministic"
        assert not np.array_equal(xa, xc), "--seed has no effect"
        assert abs(xa.mean()) < 0.2 and 0.8 < xa.std() < 1.2, (xa.mean(), xa.std())
        model, inits = load(mpath)
        np.save(os.path.join(work, "rand_ref.npy"), conv_node_ref(model, inits, xa))
        return compare(os.path.join(a, "output.npy"), os.path.join(work, "rand_ref.npy"))

    check("random input", random_input_case)

    # (4) error handling: exit 1 and a message on stderr.
    def errors_case():
        mpath = os.path.join(models, "conv.onnx")
        bad = os.path.join(work, "bad.npy")
        with open(bad, "wb") as f:
            f.write(b"not an npy file")
        good = os.path.join(work, "conv_input.npy")
        cases = [
            [os.path.join(work, "missing.onnx")],
            [mpath, "--input", f"input={os.path.join(work, 'missing.npy')}"],
            [mpath, "--input", f"input={bad}"],
            [mpath, "--input", f"nosuchinput={good}"],
        ]
        for args in cases:
            p = run([node, ORT_RUN] + args, expect_rc=1)
            assert p.stderr.strip() and not p.stdout.strip(), (args, p.stdout, p.stderr)
        return f"{len(cases)} error cases exit 1"

    check("ort_run errors", errors_case)

    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
