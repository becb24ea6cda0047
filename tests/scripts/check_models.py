#!/usr/bin/python3
"""Check exported models: onnx.checker passes, the op types are the expected
ones, one input `input` and one output `output` with static shapes.

    check_models.py DIR NAME[,NAME...] [--fresh WORK_DIR]

With --fresh, the models are also exported again (--force) into WORK_DIR and
must be byte-identical to the ones in DIR (the export is deterministic).
"""

import filecmp
import os
import subprocess
import sys

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.dont_write_bytecode = True

from export_models import EXPECTED_OPS, MODELS, op_histogram  # noqa: E402


def check(path, name):
    errors = []
    onnx.checker.check_model(path, full_check=True)
    model = onnx.load(path)
    hist = op_histogram(model)
    if set(hist) != EXPECTED_OPS[name]:
        errors.append(f"op types {sorted(hist)} != expected {sorted(EXPECTED_OPS[name])}")
    if any(o.version != 13 for o in model.opset_import if o.domain in ("", "ai.onnx")):
        errors.append(f"opset {[o.version for o in model.opset_import]} != 13")
    inits = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    if [i.name for i in inputs] != ["input"]:
        errors.append(f"inputs {[i.name for i in inputs]} != ['input']")
    if [o.name for o in model.graph.output] != ["output"]:
        errors.append(f"outputs {[o.name for o in model.graph.output]} != ['output']")
    for v in list(inputs) + list(model.graph.output):
        dims = v.type.tensor_type.shape.dim
        if not dims or any(not d.HasField("dim_value") or d.dim_value <= 0 for d in dims):
            errors.append(f"{v.name}: shape is not static")
    want_shape = MODELS[name][1]
    got_shape = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim] if inputs else []
    if got_shape != want_shape:
        errors.append(f"input shape {got_shape} != {want_shape}")
    if name == "unsupported" and not any(n.name == "unsupported_sin" for n in model.graph.node):
        errors.append("no node named unsupported_sin")
    if name == "reshape":
        for n in model.graph.node:
            if n.op_type == "Reshape" and n.input[1] not in inits:
                errors.append("Reshape shape is not an initializer")
    print(f"{name}: " + " ".join(f"{k}:{v}" for k, v in sorted(hist.items())))
    return errors


def main():
    args = sys.argv[1:]
    fresh = None
    if len(args) == 4 and args[2] == "--fresh":
        fresh = args[3]
        args = args[:2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d, names = args[0], [n for n in args[1].split(",") if n]
    failed = 0
    if fresh:
        subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "scripts", "export_models.py"),
                        "--out", fresh, "--models", ",".join(names), "--force"], check=True)
        for name in names:
            a, b = os.path.join(d, name + ".onnx"), os.path.join(fresh, name + ".onnx")
            if not filecmp.cmp(a, b, shallow=False):
                print(f"FAIL {name}: a fresh export differs from {a}")
                failed += 1
        if failed:
            print(f"{len(names) - failed} passed, {failed} failed")
            return 1
    for name in names:
        path = os.path.join(d, name + ".onnx")
        try:
            errors = check(path, name)
        except Exception as e:  # noqa: BLE001
            errors = [f"{type(e).__name__}: {e}"]
        for e in errors:
            print(f"FAIL {name}: {e}")
        failed += bool(errors)
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
