#!/usr/bin/python3
"""Hostile names end to end: a model whose graph, node and tensor names try to
inject C into the generated code (the line-splice attack that ends the
`/* node '...' */` comment and defines a constructor printing a marker),
break it (trigraphs, comment openers and closers, quotes, backslashes,
control characters, NUL, bidirectional overrides, very long names), and
collide (outputs whose names sanitise to the same file name).

    hostile_names.py SWTC WORK TARGET [API_DIRS]

Writes WORK/main.onnx (a file stem that must not collide with the runner's
main.c), runs `swtc run` on TARGET with --output-dir, and checks: exit 0
(every output agrees with the reference interpreter), the marker never
printed, one distinct .npy per output holding the right values, and the
generated C built with -Wall -Wextra -Werror (the Makefile's flags); for a
Sunway target with API_DIRS (':'-separated), also `make check-api` against
each vendor-interface folder.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MARKER = "SWTC_INJECTED_" + "MARKER"
# Ends the comment by line splicing (`*` `\` newline `/`), then defines a
# constructor that prints the marker, then reopens a comment for the rest.
SPLICE = ("n*\\\n/ __attribute__((constructor)) static void swtc_pwn(void) { "
          "__builtin_printf(\"" + MARKER + "\\n\"); __builtin_exit(0); } /*")
TRIGRAPH = "t??/\n/ __attribute__((constructor)) static void swtc_pwn2(void) { } /*"
HOSTILE = {
    "input": "in\"put\\\n??/ */ /* \x01\t\r\u202eevil",
    "relu_node": SPLICE,
    "relu_out": "*/ int swtc_bad = 1; /*",
    "w": "??=w\\\\\"'",
    "add_node": TRIGRAPH,
    "long": "L" * 3000,
    "nul": "a\x00b",
}
OUTPUTS = ["y:0", "y/0", "y_0", "c.d", "c_d", "\u00e9/\u202e" + "x" * 300]


def build(path):
    shape = [1, 4, 3]
    w = np.arange(12, dtype=np.float32).reshape(shape) / 7.0 - 0.5
    x = HOSTILE["input"]
    nodes = [
        helper.make_node("Relu", [x], [HOSTILE["relu_out"]], name=HOSTILE["relu_node"]),
        helper.make_node("Add", [HOSTILE["relu_out"], HOSTILE["w"]], [OUTPUTS[0]],
                         name=HOSTILE["add_node"]),
        helper.make_node("Neg", [x], [OUTPUTS[1]], name=HOSTILE["long"]),
        helper.make_node("Sigmoid", [HOSTILE["relu_out"]], [OUTPUTS[2]], name=HOSTILE["nul"]),
        # Views: copy kernels named after outputs that give the same identifier.
        helper.make_node("Identity", [HOSTILE["relu_out"]], [OUTPUTS[3]], name="*/"),
        helper.make_node("Identity", [x], [OUTPUTS[4]], name="/*"),
        helper.make_node("Tanh", [x], [OUTPUTS[5]], name="\\"),
    ]
    g = helper.make_graph(nodes, SPLICE, [helper.make_tensor_value_info(x, TensorProto.FLOAT, shape)],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, shape) for o in OUTPUTS],
                          initializer=[numpy_helper.from_array(w, HOSTILE["w"])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    m.ir_version = 8
    onnx.save(m, path)
    return w


def main():
    swtc, work, target = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "main.onnx")
    w = build(model)
    out_dir = os.path.join(work, "out")
    build_dir = os.path.join(work, "build")
    for d in (out_dir,):
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
    x = (np.arange(12, dtype=np.float32).reshape(1, 4, 3) - 5.5) / 4.0
    np.save(os.path.join(work, "x.npy"), x)
    p = subprocess.run([swtc, "run", model, "--target", target, "--repeat", "1",
                        "--input", HOSTILE["input"] + "=" + os.path.join(work, "x.npy"),
                        "--output-dir", out_dir, "--work-dir", build_dir],
                       capture_output=True, text=True, errors="replace")
    print(p.stdout)
    print(p.stderr)
    ok = True
    if MARKER in p.stdout or MARKER in p.stderr:
        print("FAIL: the injected constructor ran")
        ok = False
    if p.returncode != 0:
        print(f"FAIL: swtc run exited {p.returncode}")
        ok = False
    # What swtc prints has the names escaped: no control characters other than
    # line breaks, no bidirectional override (the output "\u00e9/\u202ex...").
    for what, text in (("stdout", p.stdout), ("stderr", p.stderr)):
        bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or c == "\x7f" or
               0x80 <= ord(c) <= 0x9f or c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
               "\u2066\u2067\u2068\u2069"]
        if bad:
            print(f"FAIL: swtc run printed raw characters {sorted(set(map(ord, bad)))} on {what}")
            ok = False
    if "output \u00e9/\\xe2\\x80\\xaexxx" not in p.stdout:
        print("FAIL: the output name with U+202E is not printed escaped")
        ok = False
    # The runner is named after the sanitised file stem, not main (main.c is the runner).
    for f in ("main_model.h", "main.c", "Makefile"):
        if not os.path.isfile(os.path.join(build_dir, f)):
            print(f"FAIL: {f} missing in the build folder")
            ok = False
    files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    print("output files:", files)
    if len(files) != len(OUTPUTS) or len(set(files)) != len(OUTPUTS):
        print(f"FAIL: {len(OUTPUTS)} outputs but {len(files)} files")
        ok = False
    # Values, by the documented file names: y:0 and y/0 sanitise to y_0, which
    # the output named y_0 keeps; they get y_0_2 and y_0_3 in order.
    relu = np.maximum(x, 0)
    expect = {"y_0_2.npy": relu + w, "y_0_3.npy": -x, "y_0.npy": 1 / (1 + np.exp(-relu)),
              "c.d.npy": relu, "c_d.npy": x}
    for f, e in expect.items():
        path = os.path.join(out_dir, f)
        if not os.path.isfile(path):
            print(f"FAIL: {f} missing")
            ok = False
            continue
        got = np.load(path)
        if got.shape != e.shape or not np.allclose(got, e, rtol=1e-5, atol=1e-6):
            print(f"FAIL: {f} holds the wrong values")
            ok = False
    # No generated C file holds a trigraph, a line splice, a control
    # character or a non-ASCII byte.
    for f in os.listdir(build_dir):
        if f.endswith((".c", ".h")):
            text = open(os.path.join(build_dir, f), "rb").read()
            if b"??/" in text:
                print(f"FAIL: a trigraph in {f}")
                ok = False
            if b"\\\n" in text:
                print(f"FAIL: a line splice in {f}")
                ok = False
            if any(b > 0x7e or (b < 0x20 and b not in (0x09, 0x0a)) for b in text):
                print(f"FAIL: a non-printable or non-ASCII byte in {f}")
                ok = False
    for api in (sys.argv[4].split(":") if len(sys.argv) > 4 and sys.argv[4] else []):
        c = subprocess.run(["make", "-C", build_dir, "-s", "check-api", "SUNWAY_API=" + os.path.abspath(api)],
                           capture_output=True, text=True)
        print(c.stdout, c.stderr)
        if c.returncode != 0:
            print(f"FAIL: check-api against {api}")
            ok = False
    print("hostile names: OK" if ok else "hostile names: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
