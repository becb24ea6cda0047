#!/usr/bin/python3
"""Check exported models: onnx.checker passes, the op types are the expected
ones, one input `input` and one output `output` with static shapes.

    check_models.py DIR NAME[,NAME...] [--fresh WORK_DIR | --skip-missing]
                    [--lists SUITE=NAME,... ...]

With --fresh, the models are also exported again (--force) into WORK_DIR and
must be byte-identical to the ones in DIR (the export is deterministic).
With --skip-missing, exits 77 (ctest skip) if a model file is missing (the
benchmark suite, target swtc_models_suite, is not built by default).
With --lists, each SUITE=NAMES (the model lists of tests/scripts/CMakeLists.txt)
must hold the same models as export_models.SUITES[SUITE].

Besides the op-type sets (export_models.EXPECTED_OPS), a few per-model
properties are checked: every constant is an initializer (no Constant node),
depthwise's Conv has group 8, avgpool's attributes, shape_reshape's Reshape
shape comes from the Shape subgraph, the BERT encoders map [1,S,H] to [1,S,H].
"""

import filecmp
import os
import subprocess
import sys

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.dont_write_bytecode = True

from export_models import EXPECTED_OPS, MODELS, SUITES, op_histogram  # noqa: E402


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
    if name == "unsupported" and not any(n.name == "unsupported_det" for n in model.graph.node):
        errors.append("no node named unsupported_det")
    if name == "reshape":
        for n in model.graph.node:
            if n.op_type == "Reshape" and n.input[1] not in inits:
                errors.append("Reshape shape is not an initializer")
    errors += model_specific(name, model, inits, got_shape)
    print(f"{name}: " + " ".join(f"{k}:{v}" for k, v in sorted(hist.items())))
    return errors


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def model_specific(name, model, inits, in_shape):
    errors = []
    nodes = list(model.graph.node)
    out_shape = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    if any(n.op_type in ("Constant", "Identity", "Dropout") for n in nodes):
        errors.append("a Constant, Identity or Dropout node is left")
    if name.startswith("bert"):
        if out_shape != in_shape:
            errors.append(f"output shape {out_shape} != input shape {in_shape}")
        if any(n.op_type == "Reshape" and n.input[1] not in inits for n in nodes):
            errors.append("a Reshape shape is not an initializer")
    if name == "depthwise":
        convs = [n for n in nodes if n.op_type == "Conv"]
        if [attrs(c).get("group") for c in convs] != [8]:
            errors.append("Conv group is not 8")
    if name == "avgpool":
        a = attrs(next(n for n in nodes if n.op_type == "AveragePool"))
        want = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
        if any(a.get(k) != v for k, v in want.items()) or a.get("count_include_pad", 0) != 0:
            errors.append(f"AveragePool attributes {a}")
        if out_shape != [1, 4, 6, 6]:
            errors.append(f"output shape {out_shape} != [1, 4, 6, 6]")
    if name == "shape_reshape":
        producers = {o: n.op_type for n in nodes for o in n.output}
        r = next(n for n in nodes if n.op_type == "Reshape")
        if producers.get(r.input[1]) != "Concat":
            errors.append("the Reshape shape does not come from the Shape subgraph")
    if name.endswith("_b8") and (not in_shape or in_shape[0] != 8 or out_shape[:1] != [8]):
        errors.append(f"batch is not 8: input {in_shape}, output {out_shape}")
    return errors


def check_lists(specs):
    errors = []
    for spec in specs:
        suite, _, csv = spec.partition("=")
        got = [n for n in csv.split(",") if n]
        want = SUITES.get(suite)
        if want is None:
            errors.append(f"unknown suite {suite}")
        elif sorted(got) != sorted(want):
            errors.append(f"CMake list {suite} {sorted(got)} != export_models.SUITES[{suite!r}] "
                          f"{sorted(want)} (missing {sorted(set(want) - set(got))}, "
                          f"extra {sorted(set(got) - set(want))})")
    return errors


def main():
    args = sys.argv[1:]
    fresh = None
    lists = []
    if "--lists" in args:
        i = args.index("--lists")
        lists = args[i + 1:]
        args = args[:i]
    skip_missing = "--skip-missing" in args
    if skip_missing:
        args.remove("--skip-missing")
    if len(args) == 4 and args[2] == "--fresh":
        fresh = args[3]
        args = args[:2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d, names = args[0], [n for n in args[1].split(",") if n]
    failed = 0
    for e in check_lists(lists):
        print(f"FAIL lists: {e}")
        failed += 1
    if failed:
        return 1
    missing = [n for n in names if not os.path.exists(os.path.join(d, n + ".onnx"))]
    if skip_missing and missing:
        print(f"SKIP: missing {','.join(missing)} (build target swtc_models_suite)")
        return 77
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
