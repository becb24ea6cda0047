#!/usr/bin/python3
"""Run the ONNX backend node tests (Debian's libonnx-testdata) through swtc.

    /usr/bin/python3 scripts/conformance.py --swtc PATH [--targets host,sw26010]
        [--all | --ops Conv,Relu,... | --ops-from-readme [README] | --ops-from-models DIR]
        [--filter REGEX] [--jobs N] [--work DIR] [--timeout S] [--all-data-sets]
        [--markdown docs/conformance.md] [--json FILE]
        [--allow-failures] [--expect-pass-rate R] [--expect-model-ops-pass-rate R]
        [--model-ops-from DIR] [--data-dir DIR] [--other-sets] [--extra-data-dir DIR]...
    /usr/bin/python3 scripts/conformance.py --swtc PATH --markdown-from-json FILE --markdown OUT
        (the Markdown of an earlier run's --json, nothing run)

Each case is a folder `<data-dir>/<case>/` with `model.onnx` and
`test_data_set_*/{input,output}_*.pb`. For every selected case and target the
script converts the inputs to .npy, runs

    swtc run <case>/model.onnx --target T --input NAME=FILE ... --output-dir OUT
             --repeat 1 --no-check --work-dir W

(int64 inputs — shapes, axes, indices —, scalar inputs and the parameter
inputs of PARAM_INPUTS — Resize's roi and scales — are given with
--bind NAME=FILE instead of --input: swtc compiles for static shapes and
specializes the model to them; in a case made only of INT_DATA_OPS the int64
inputs are data and given with --input)

and compares every output with the expected one the way ONNX's backend test
runner does (shape must match; np.testing.assert_allclose with rtol=1e-3,
atol=1e-5; the dtype must match too). Each (case, target) gets one result:

    pass         every output matches
    fail         wrong values, shape or dtype (the detail has the max abs error)
    unsupported  swtc exited 1 with a user error that says "not supported"
                 (e.g. `node 'n' (Sin, opset 7): not supported`), or the case
                 has an input/output of a dtype outside RUN_DTYPES
                 (`unsupported: dtype bool`), which swtc is not asked to run
    error        any other nonzero exit, a crash (signal / exit >= 128),
                 a timeout, or a missing output

--other-sets also runs Debian libonnx-testdata's other folders of the same
layout (OTHER_SETS: pytorch-converted, pytorch-operator, simple), and
--extra-data-dir DIR any other folder, with the same selection, commands and
verdicts; they get their own section in the Markdown (per set and overall
totals, the unsupported cases grouped by reason, a per-case table) and the
JSON keys `other_sets_totals` and `other_sets_results`. The Totals, the
eight-model metric and the pass-rate gates are over --data-dir's cases only;
a fail or error in any set makes the exit status 1.

Op selection: a case's op types are the op types of its graph's nodes; it is
selected if any of them is in the op list, and it is reported under its first
node's op type. The "supported" pass rate counts the selected cases whose op
types are ALL in the op list (with --all: the ops of README.md's "Supported
ONNX" table).

The eight-model metric: the cases whose first node's op type is one of the
op types of the eight benchmark models (MODEL_OPS below, or recomputed from the
exported models with --model-ops-from DIR), their pass count and rate per
target, in the Totals and the JSON (`model_op_cases`, `model_op_pass`,
`model_op_pass_rate`).

Exit status: 0 if every (case, target) is pass or unsupported; 1 if any is fail
or error (0 with --allow-failures); 1 if --expect-pass-rate R is given and the
supported pass rate of any target is below R (also with --allow-failures), or
--expect-model-ops-pass-rate R and the eight-model pass rate is below R;
77 if the test data folder is missing; 2 on a usage error.
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"
# Debian's libonnx-testdata's other sets of the same layout (--other-sets):
# models converted from PyTorch modules and operators, and small hand-made
# graphs.
OTHER_SETS = tuple("/usr/share/libonnx-testdata/data/" + s
                   for s in ("pytorch-converted", "pytorch-operator", "simple"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_README = os.path.join(ROOT, "README.md")
RTOL = 1e-3
ATOL = 1e-5
STATUSES = ("pass", "fail", "unsupported", "error")
SKIP_EXIT = 77

# The op types of the eight benchmark models (ResNet-18/50, VGG-16/19, AlexNet,
# MobileNet-V2, SqueezeNet-1.1, BERT-base encoder) as exported by
# scripts/export_models.py (opset 13): the union of the node op types of
# resnet18, resnet50, vgg16, vgg19, alexnet, mobilenet_v2, squeezenet1_1 and bert
# (docs/models.md's histograms). Recompute and check with
# `--model-ops-from DIR` on a folder of those .onnx files
# (`/usr/bin/python3 scripts/export_models.py --out DIR --suite all`).
# The "eight-model" metric counts the cases whose first node's op type is one of
# these (issue 3: >= 90% must pass on both targets).
MODEL_OPS = ("Add", "AveragePool", "Clip", "Concat", "Conv", "Div", "Erf", "Flatten", "Gemm",
             "GlobalAveragePool", "MatMul", "MaxPool", "Mul", "Pow", "ReduceMean", "Relu",
             "Reshape", "Softmax", "Sqrt", "Sub", "Transpose")
EIGHT_MODELS = ("resnet18", "resnet50", "vgg16", "vgg19", "alexnet", "mobilenet_v2",
                "squeezenet1_1", "bert")

# Element types swtc runs: float32 and these integer types (inputs and outputs).
RUN_DTYPES = ("float32", "int8", "uint8", "int32", "uint32", "int64", "uint64", "bool")
# Ops whose int64 inputs are data, not shapes or axes: a case made only of
# these runs them as inputs; any other case's int64 inputs are bound (--bind).
INT_DATA_OPS = ("Add", "Sub", "Mul", "Div", "Pow", "Clip", "MaxPool")
# Float inputs that are parameters, not data (they fix the output shape):
# op type -> input positions. A graph input feeding one is bound (--bind).
PARAM_INPUTS = {"Resize": (1, 2, 3), "Upsample": (1,)}

NAMED_UNSUPPORTED = re.compile(r"node '[^']*' \(([^,()]+), opset (\d+)\): not supported")


# ---------------------------------------------------------------- selection

def parse_readme_ops(text):
    """Op types listed in the first column of the table under the
    "Supported ONNX" heading (backticks and commas allowed, header row and
    separator skipped)."""
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if re.match(r"^#+\s+Supported ONNX", line.strip(), re.IGNORECASE):
            start = i + 1
            break
    if start is None:
        raise ValueError("no 'Supported ONNX' heading in the README")
    ops = []
    in_table = False
    header_done = False
    for line in lines[start:]:
        s = line.strip()
        if s.startswith("#"):
            break
        if not s.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        cells = [c.strip() for c in s.strip("|").split("|")]
        first = cells[0] if cells else ""
        if re.fullmatch(r":?-{2,}:?", first.replace(" ", "")):
            header_done = True  # separator row
            continue
        if not header_done:
            continue  # header row
        for tok in re.split(r"[,/;]|\band\b", first.replace("`", "")):
            tok = tok.strip()
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", tok):
                if tok not in ops:
                    ops.append(tok)
    if not ops:
        raise ValueError("the 'Supported ONNX' table lists no ops")
    return ops


def model_op_types(path):
    """Op types of the top-level graph's nodes, in order of first use."""
    import onnx
    m = onnx.load(path, load_external_data=False)
    ops = []
    for n in m.graph.node:
        if n.op_type not in ops:
            ops.append(n.op_type)
    return ops


def ops_from_models(folder):
    ops = []
    files = sorted(glob.glob(os.path.join(folder, "**", "*.onnx"), recursive=True))
    if not files:
        raise ValueError(f"no .onnx files in {folder}")
    for f in files:
        for op in model_op_types(f):
            if op not in ops:
                ops.append(op)
    return ops


def model_ops_from(folder):
    """The op types of the eight benchmark models' .onnx files in `folder`
    (`<name>.onnx` for each name of EIGHT_MODELS; all must be there)."""
    missing = [m for m in EIGHT_MODELS if not os.path.isfile(os.path.join(folder, m + ".onnx"))]
    if missing:
        raise ValueError(f"{folder} lacks {', '.join(m + '.onnx' for m in missing)} "
                         f"(export them with scripts/export_models.py --suite all)")
    ops = set()
    for m in EIGHT_MODELS:
        ops.update(model_op_types(os.path.join(folder, m + ".onnx")))
    return sorted(ops)


def select(cases, ops, select_all, filter_re):
    """cases: list of dicts with 'name' and 'op_types'. Returns the selected ones."""
    out = []
    opset = set(ops or [])
    for c in cases:
        if filter_re and not re.search(filter_re, c["name"]):
            continue
        if select_all or (opset & set(c["op_types"])):
            out.append(c)
    return out


def all_supported(op_types, supported):
    return bool(op_types) and all(op in supported for op in op_types)


# ---------------------------------------------------------------- case info

def _type_problem(value_info):
    """None for a tensor of a type in RUN_DTYPES, else a short description."""
    from onnx import TensorProto
    t = value_info.type
    kind = t.WhichOneof("value")
    if kind != "tensor_type":
        return f"non-tensor type ({kind})"
    et = t.tensor_type.elem_type
    try:
        name = TensorProto.DataType.Name(et).lower()
    except ValueError:
        name = str(et)
    if name == "float":
        return None
    if name in RUN_DTYPES:
        return None
    return f"dtype {name}"


def load_case(case_dir):
    """Reads model.onnx: op types, graph inputs (non-initializer) and outputs,
    and the first type problem (an input or output of a dtype outside
    RUN_DTYPES), if any."""
    import onnx
    name = os.path.basename(case_dir.rstrip("/"))
    info = {"name": name, "dir": case_dir, "op_types": [], "inputs": [], "outputs": [],
            "params": [], "type_problem": None, "load_error": None}
    try:
        m = onnx.load(os.path.join(case_dir, "model.onnx"), load_external_data=False)
    except Exception as e:  # noqa: BLE001
        info["load_error"] = f"cannot read model.onnx: {e}"
        return info
    for n in m.graph.node:
        if n.op_type not in info["op_types"]:
            info["op_types"].append(n.op_type)
        for k in PARAM_INPUTS.get(n.op_type, ()):
            if k < len(n.input) and n.input[k]:
                info["params"].append(n.input[k])
    inits = {t.name for t in m.graph.initializer}
    for vi in m.graph.input:
        if vi.name in inits:
            continue
        info["inputs"].append(vi.name)
        p = _type_problem(vi)
        if p and not info["type_problem"]:
            info["type_problem"] = f"{p} (input '{vi.name}')"
    for vi in m.graph.output:
        info["outputs"].append(vi.name)
        p = _type_problem(vi)
        if p and not info["type_problem"]:
            info["type_problem"] = f"{p} (output '{vi.name}')"
    return info


def discover(data_dir, set_name=None):
    cases = []
    for d in sorted(os.listdir(data_dir)):
        full = os.path.join(data_dir, d)
        if os.path.isfile(os.path.join(full, "model.onnx")):
            c = load_case(full)
            c["set"] = set_name or os.path.basename(os.path.normpath(data_dir))
            cases.append(c)
    return cases


def data_sets(case_dir):
    def key(p):
        m = re.search(r"(\d+)$", p)
        return int(m.group(1)) if m else -1
    return sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")), key=key)


def numbered(folder, prefix):
    def key(p):
        return int(re.search(rf"{prefix}_(\d+)\.pb$", p).group(1))
    return sorted(glob.glob(os.path.join(folder, f"{prefix}_*.pb")), key=key)


def read_tensor(path):
    from onnx import TensorProto, numpy_helper
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


# ---------------------------------------------------------------- comparison

def compare(actual, expected, rtol=RTOL, atol=ATOL):
    """(ok, detail, max_abs_err) with the ONNX backend runner's semantics:
    same shape, np.testing.assert_allclose(actual, expected, rtol, atol)."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return False, f"shape {tuple(actual.shape)} != expected {tuple(expected.shape)}", None
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    if a.size:
        same = (a == e) | (np.isnan(a) & np.isnan(e))
        with np.errstate(invalid="ignore"):
            diff = np.where(same, 0.0, np.abs(a - e))
        diff = np.where(np.isnan(diff), np.inf, diff)
        max_err = float(np.max(diff))
    else:
        max_err = 0.0
    try:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
    except AssertionError:
        with np.errstate(invalid="ignore"):
            bad = ~(np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True))
        return False, (f"max abs err {max_err:.3g} ({int(np.count_nonzero(bad))}/{a.size} "
                       f"elements outside rtol={rtol:g} atol={atol:g})"), max_err
    return True, f"max abs err {max_err:.3g}", max_err


# ---------------------------------------------------------------- running

def _tail(text, lines=4, chars=400):
    t = "\n".join([l for l in text.strip().splitlines() if l.strip()][-lines:])
    return t[-chars:]


def classify_exit(rc, stderr, timed_out=False, timeout=None):
    """(status, detail) for a nonzero swtc exit (or a timeout)."""
    if timed_out:
        return "error", f"timeout after {timeout:g} s"
    if rc < 0:
        try:
            sig = signal.Signals(-rc).name
        except ValueError:
            sig = str(-rc)
        return "error", f"crash: killed by {sig}" + (f": {_tail(stderr)}" if stderr.strip() else "")
    if rc >= 128:
        return "error", f"crash: exit {rc}" + (f": {_tail(stderr)}" if stderr.strip() else "")
    if rc == 1:
        # swtc exits 1 for internal errors too ("swtc: error: internal error: ..."):
        # those stay errors even when their text says "not supported".
        lines = [l.strip() for l in stderr.splitlines()
                 if "not supported" in l and "internal error" not in l]
        if lines:
            named = [l for l in lines if NAMED_UNSUPPORTED.search(l)]
            msg = (named or lines)[0]
            msg = re.sub(r"^swtc:\s*error:\s*", "", msg)
            return "unsupported", msg
    return "error", f"exit {rc}: {_tail(stderr) or '(no message)'}"


def _run(cmd, timeout):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         errors="replace", start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return p.returncode, out, err, True


def run_one(task):
    """One (case, target): returns a result dict. Runs in a pool worker."""
    case, target = task["case"], task["target"]
    t0 = time.monotonic()
    res = {"case": case["name"], "set": case.get("set", ""),
           "op": (case["op_types"] or ["?"])[0], "op_types": case["op_types"],
           "target": target, "status": None, "detail": "", "max_abs_err": None, "seconds": None,
           "not_run": False}

    def done(status, detail, err=None):
        res.update(status=status, detail=detail, max_abs_err=err,
                   seconds=round(time.monotonic() - t0, 3))
        if status == "pass" and not task["keep_work"]:
            shutil.rmtree(task["work"], ignore_errors=True)
        return res

    if case["load_error"]:
        return done("error", case["load_error"])
    if case["type_problem"]:
        res["not_run"] = True
        return done("unsupported", f"unsupported: {case['type_problem']}")
    sets = data_sets(case["dir"])
    if not sets:
        return done("error", "no test_data_set_* folder")
    if not task["all_data_sets"]:
        sets = sets[:1]
    shutil.rmtree(task["work"], ignore_errors=True)
    worst = None
    order = {"pass": 0, "fail": 1, "unsupported": 2, "error": 3}
    for ds in sets:
        r = _run_data_set(case, target, ds, task)
        if worst is None or order[r[0]] > order[worst[0]]:
            worst = r
        if r[0] in ("unsupported", "error"):
            break
    if task.get("not_run"):
        res["not_run"] = True
    return done(*worst)


def _run_data_set(case, target, ds, task):
    dsname = os.path.basename(ds)
    w = os.path.join(task["work"], dsname)
    os.makedirs(w, exist_ok=True)
    ins = numbered(ds, "input")
    outs = numbered(ds, "output")
    if len(ins) > len(case["inputs"]):
        return "error", f"{len(ins)} input files but the graph has {len(case['inputs'])} inputs", None
    cmd = [task["swtc"], "run", os.path.join(case["dir"], "model.onnx"), "--target", target]
    for i, path in enumerate(ins):
        try:
            arr = read_tensor(path)
        except Exception as e:  # noqa: BLE001
            return "error", f"cannot read {os.path.basename(path)}: {e}", None
        # swtc compiles for static shapes: int64 inputs (shapes, axes, indices;
        # not in a case made only of INT_DATA_OPS, where they are data) and
        # scalar inputs (e.g. Clip's min/max) are bound at compile time.
        int_data = all(op in INT_DATA_OPS for op in case["op_types"])
        bind = ((arr.dtype == np.int64 and not int_data) or arr.ndim == 0
                or case["inputs"][i] in case.get("params", ()))
        if arr.dtype.name not in RUN_DTYPES:
            task["not_run"] = True
            return "unsupported", f"unsupported: dtype {arr.dtype} (input '{case['inputs'][i]}')", None
        f = os.path.join(w, f"input_{i}.npy")
        np.save(f, arr)
        cmd += ["--bind" if bind else "--input", f"{case['inputs'][i]}={f}"]
    expected = []
    for i, path in enumerate(outs):
        if i >= len(case["outputs"]):
            break
        try:
            arr = read_tensor(path)
        except Exception as e:  # noqa: BLE001
            return "error", f"cannot read {os.path.basename(path)}: {e}", None
        if arr.dtype.name not in RUN_DTYPES:
            task["not_run"] = True
            return "unsupported", f"unsupported: dtype {arr.dtype} (output '{case['outputs'][i]}')", None
        expected.append((case["outputs"][i], arr))
    outdir = os.path.join(w, "out")
    cmd += ["--output-dir", outdir, "--repeat", "1", "--no-check", "--work-dir", os.path.join(w, "build")]
    with open(os.path.join(w, "command.txt"), "w") as f:
        f.write(shlex.join(cmd) + "\n")
    try:
        rc, out, err, timed_out = _run(cmd, task["timeout"])
    except OSError as e:
        return "error", f"cannot run swtc: {e}", None
    with open(os.path.join(w, "swtc.log"), "w") as f:
        f.write(out + err)
    if timed_out or rc != 0:
        return (*classify_exit(rc, err, timed_out, task["timeout"]), None)
    details, worst_err, failed = [], None, False
    for name, exp in expected:
        p = os.path.join(outdir, sanitize(name) + ".npy")
        if not os.path.isfile(p):
            return "error", f"missing output '{name}' ({os.path.relpath(p, w)})", None
        try:
            act = np.load(p, allow_pickle=False)
        except Exception as e:  # noqa: BLE001
            return "error", f"cannot read output '{name}': {e}", None
        if act.dtype != exp.dtype:
            failed = True
            details.append(f"{name}: dtype {act.dtype} != expected {exp.dtype}")
            continue
        ok, d, e = compare(act, exp)
        if e is not None:
            worst_err = e if worst_err is None else max(worst_err, e)
        if not ok:
            failed = True
            details.append(f"{name}: {d}")
    prefix = f"{dsname}: " if task["all_data_sets"] else ""
    if failed:
        return "fail", prefix + "; ".join(details), worst_err
    return "pass", (f"max abs err {worst_err:.3g}" if worst_err is not None else ""), worst_err


# ---------------------------------------------------------------- reporting

def rate(n, d):
    return (n / d) if d else None


def fmt_rate(n, d):
    return f"{n}/{d} ({100.0 * n / d:.1f}%)" if d else "n/a (0 cases)"


def summarize(results, targets, supported, model_ops=MODEL_OPS):
    tot = {}
    mops = set(model_ops)
    for t in targets:
        rs = [r for r in results if r["target"] == t]
        mo = [r for r in rs if r["op"] in mops]
        mo_pass = sum(1 for r in mo if r["status"] == "pass")
        counts = {s: sum(1 for r in rs if r["status"] == s) for s in STATUSES}
        sup = [r for r in rs if all_supported(r["op_types"], supported)]
        sup_pass = sum(1 for r in sup if r["status"] == "pass")
        tot[t] = {"cases": len(rs), **counts,
                  "pass_rate": rate(counts["pass"], len(rs)),
                  "supported_cases": len(sup), "supported_pass": sup_pass,
                  "supported_pass_rate": rate(sup_pass, len(sup)),
                  "supported_counts": {s: sum(1 for r in sup if r["status"] == s) for s in STATUSES},
                  "supported_not_run": sum(1 for r in sup if r.get("not_run")),
                  "supported_float32_pass_rate": rate(sup_pass, len(sup) - sum(1 for r in sup if r.get("not_run"))),
                  "model_op_cases": len(mo), "model_op_pass": mo_pass,
                  "model_op_pass_rate": rate(mo_pass, len(mo)),
                  "model_op_counts": {s: sum(1 for r in mo if r["status"] == s) for s in STATUSES}}
    return tot


def summarize_sets(results, targets, set_names):
    """Per target: per set and over all of them, the count of each status."""
    tot = {}
    for t in targets:
        rs = [r for r in results if r["target"] == t]
        per = {}
        for name in set_names + ["all"]:
            sub = [r for r in rs if name == "all" or r["set"] == name]
            counts = {st: sum(1 for r in sub if r["status"] == st) for st in STATUSES}
            per[name] = {"cases": len(sub), **counts, "pass_rate": rate(counts["pass"], len(sub))}
        tot[t] = per
    return tot


def print_sets_summary(totals, targets, results, out=sys.stderr):
    print("", file=out)
    for t in targets:
        for name, x in totals[t].items():
            print(f"{t} {name}: {x['cases']} cases: {x['pass']} pass, {x['fail']} fail, "
                  f"{x['unsupported']} unsupported, {x['error']} error; pass rate "
                  f"{fmt_rate(x['pass'], x['cases'])}", file=out)
    bad = [r for r in results if r["status"] in ("fail", "error")]
    if bad:
        print(f"\n{len(bad)} fail/error results in the other sets:", file=out)
        for r in sorted(bad, key=lambda r: (r["set"], r["case"], r["target"])):
            print(f"  {r['set']}/{r['case']} {r['target']}: {r['status']}: {r['detail']}", file=out)


def unsupported_reason(detail):
    """The reason of an `unsupported` detail without the names of nodes,
    models, inputs and outputs: `node 'n' (Sin, opset 7): not supported` ->
    `Sin (opset 7)`; `node 'c' (Conv, opset 6): not supported: only 2-D ...`
    -> `Conv (opset 6): only 2-D ...`."""
    d = re.sub(r"\b(node|model|input|output|indices) '[^']*'", r"\1", detail)
    m = re.match(r"node \(([^,()]+), opset (\d+)\): not supported(?::\s*(.*))?$", d)
    if m:
        return f"{m.group(1)} (opset {m.group(2)})" + (f": {m.group(3)}" if m.group(3) else "")
    return d


def _md_per_case(L, results, targets):
    by_case = {}
    for r in results:
        by_case.setdefault((r.get("set", ""), r["case"]), {})[r["target"]] = r
    L.append("| case | op | " + " | ".join(targets) + " | detail |")
    L.append("|---|---|" + "---|" * len(targets) + "---|")
    for key in sorted(by_case):
        rs = by_case[key]
        any_r = next(iter(rs.values()))
        cells = [rs[t]["status"] if t in rs else "" for t in targets]
        details = []
        dset = {rs[t]["detail"] for t in targets if t in rs and rs[t]["status"] != "pass"}
        if len(dset) == 1 and len([t for t in targets if t in rs and rs[t]["status"] != "pass"]) > 1:
            details.append(dset.pop())
        else:
            for t in targets:
                if t in rs and rs[t]["status"] != "pass" and rs[t]["detail"]:
                    details.append((f"{t}: " if len(targets) > 1 else "") + rs[t]["detail"])
        op = any_r["op"]
        if len(any_r["op_types"]) > 1:
            op += " (+" + ", ".join(any_r["op_types"][1:]) + ")"
        L.append(f"| {key[1]} | {_md_escape(op)} | " + " | ".join(cells) + " | "
                 + _md_escape("; ".join(details)) + " |")


def write_other_sets(L, meta, results, targets, totals):
    sets = meta["other_sets"]
    L.append("")
    L.append("## Other libonnx-testdata sets")
    L.append("")
    L.append("The same run, verdicts and comparison over the other folders: "
             + "; ".join(f"`{o['dir']}` ({o['available_cases']} cases, {o['selected_cases']} selected)"
                         for o in sets) + ". First data set of each case"
             + (" (all data sets)" if meta["all_data_sets"] else "") + ".")
    L.append("")
    L.append("| target | set | cases | pass | fail | unsupported | error | pass rate |")
    L.append("|---|---|---|---|---|---|---|---|")
    for t in targets:
        for name, x in totals[t].items():
            label = "**all three**" if name == "all" and len(sets) == 3 else (
                "**all**" if name == "all" else name)
            L.append(f"| {t} | {label} | {x['cases']} | {x['pass']} | {x['fail']} | {x['unsupported']} | "
                     f"{x['error']} | {fmt_rate(x['pass'], x['cases'])} |")
    L.append("")
    reasons = {}
    for r in results:
        if r["status"] == "unsupported":
            reasons.setdefault(unsupported_reason(r["detail"]), set()).add((r["set"], r["case"]))
    if reasons:
        L.append("Unsupported cases by reason (cases; either target):")
        L.append("")
        L.append("| reason | cases |")
        L.append("|---|---|")
        for reason, cs in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            L.append(f"| {_md_escape(reason)} | {len(cs)} |")
        L.append("")
    for o in sets:
        rs = [r for r in results if r["set"] == o["name"]]
        L.append(f"### {o['name']}")
        L.append("")
        _md_per_case(L, rs, targets)
        L.append("")


def _md_escape(s):
    return s.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def write_markdown(path, meta, results, targets, supported, totals, other_results=(),
                   other_totals=None):
    L = []
    L.append(f"> GENERATED FILE, do not edit: written by `scripts/conformance.py` on {meta['date']} "
             f"with `{meta['command']}`")
    L.append("")
    L.append("# ONNX backend node-test conformance")
    L.append("")
    L.append("Regenerate with (or `cmake --build <build> --target conformance_report`):")
    L.append("")
    L.append("```sh")
    L.append(meta["command"])
    L.append("```")
    L.append("")
    L.append(f"- test data: `{meta['data_dir']}` (libonnx-testdata {meta['testdata_version']}), "
             f"{meta['available_cases']} cases; selected: {meta['selected_cases']} "
             f"({meta['selection']}), first data set of each case"
             + (" (all data sets)" if meta["all_data_sets"] else "") + ".")
    L.append(f"- swtc: `{meta['swtc']}`" + (f", source commit {meta['commit']}" if meta.get("commit") else "")
             + f"; targets: {', '.join(targets)}; timeout {meta['timeout']:g} s per run.")
    L.append(f"- comparison: same dtype and shape and `np.testing.assert_allclose(actual, expected, rtol={RTOL:g}, "
             f"atol={ATOL:g})` (the ONNX backend test runner's default).")
    L.append(f"- wall time: {meta['elapsed_s']:.0f} s with {meta['jobs']} jobs.")
    L.append(f"- \"supported\" = every op type of the case's graph is in: {', '.join(sorted(supported)) or '(none)'}.")
    if meta.get("note"):
        L.append(f"- note: {meta['note']}")
    L.append("")
    L.append("Results: `pass`; `fail` = wrong values, shape or dtype; `unsupported` = swtc's clean "
             "\"not supported\" error, or an input/output of a dtype swtc does not run (not run); `error` = any "
             "other nonzero exit, crash, timeout or missing output.")
    L.append("")
    L.append("## Totals")
    L.append("")
    L.append("| target | cases | pass | fail | unsupported | error | pass rate (selected) | "
             "pass rate (supported ops) |")
    L.append("|---|---|---|---|---|---|---|---|")
    for t in targets:
        x = totals[t]
        L.append(f"| {t} | {x['cases']} | {x['pass']} | {x['fail']} | {x['unsupported']} | {x['error']} | "
                 f"{fmt_rate(x['pass'], x['cases'])} | {fmt_rate(x['supported_pass'], x['supported_cases'])} |")
    L.append("")
    L.append(f"Cases of the eight benchmark models' op types (first node's op type in: "
             f"{', '.join(sorted(meta['model_ops']))}; {meta['model_ops_source']}):")
    L.append("")
    L.append("| target | eight-model-op cases | pass | fail | unsupported | error | pass rate |")
    L.append("|---|---|---|---|---|---|---|")
    for t in targets:
        x = totals[t]
        c = x["model_op_counts"]
        L.append(f"| {t} | {x['model_op_cases']} | {c['pass']} | {c['fail']} | {c['unsupported']} | "
                 f"{c['error']} | {fmt_rate(x['model_op_pass'], x['model_op_cases'])} |")
    L.append("")
    L.append("Cases with only supported op types, by result:")
    L.append("")
    L.append("| target | supported-op cases | pass | fail | unsupported | (of which of other dtypes, not run) | error | "
             "pass rate without the other-dtype cases |")
    L.append("|---|---|---|---|---|---|---|---|")
    for t in targets:
        x = totals[t]
        c = x["supported_counts"]
        L.append(f"| {t} | {x['supported_cases']} | {c['pass']} | {c['fail']} | {c['unsupported']} | "
                 f"{x['supported_not_run']} | {c['error']} | "
                 f"{fmt_rate(x['supported_pass'], x['supported_cases'] - x['supported_not_run'])} |")
    L.append("")
    L.append("## Per op type")
    L.append("")
    L.append("Cases are counted under their first node's op type. Cells: pass / fail / unsupported / error.")
    L.append("")
    L.append("| op | supported | cases | " + " | ".join(targets) + " |")
    L.append("|---|---|---|" + "---|" * len(targets))
    ops = sorted({r["op"] for r in results}, key=lambda s: (s not in supported, s.lower()))
    for op in ops:
        names = sorted({r["case"] for r in results if r["op"] == op})
        cells = []
        for t in targets:
            rs = [r for r in results if r["op"] == op and r["target"] == t]
            cells.append(" / ".join(str(sum(1 for r in rs if r["status"] == s)) for s in STATUSES))
        L.append(f"| {op} | {'yes' if op in supported else ''} | {len(names)} | " + " | ".join(cells) + " |")
    L.append("")
    L.append("## Per case")
    L.append("")
    _md_per_case(L, results, targets)
    if meta.get("other_sets"):
        write_other_sets(L, meta, other_results, targets, other_totals)
    L.append("")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(L))


def print_summary(totals, targets, results, out=sys.stderr):
    print("", file=out)
    for t in targets:
        x = totals[t]
        print(f"{t}: {x['cases']} cases: {x['pass']} pass, {x['fail']} fail, {x['unsupported']} unsupported, "
              f"{x['error']} error; pass rate {fmt_rate(x['pass'], x['cases'])}; "
              f"supported-op cases {fmt_rate(x['supported_pass'], x['supported_cases'])} "
              f"({x['supported_not_run']} of them of other dtypes, not run); "
              f"eight-model-op cases {fmt_rate(x['model_op_pass'], x['model_op_cases'])}", file=out)
    bad = [r for r in results if r["status"] in ("fail", "error")]
    if bad:
        print(f"\n{len(bad)} fail/error results:", file=out)
        for r in sorted(bad, key=lambda r: (r["case"], r["target"])):
            print(f"  {r['case']} {r['target']}: {r['status']}: {r['detail']}", file=out)


# ---------------------------------------------------------------- main

def _versions(swtc):
    ver = ""
    try:
        ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libonnx-testdata"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    commit = ""
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return ver or "unknown", commit


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description="Run the ONNX backend node tests through swtc.")
    ap.add_argument("--swtc", required=True, help="the swtc binary")
    ap.add_argument("--targets", default="host,sw26010", help="comma-separated (default host,sw26010)")
    sel = ap.add_argument_group("selection (the op lists are combined)")
    sel.add_argument("--all", action="store_true", help="every case")
    sel.add_argument("--ops", default=None, help="comma-separated op types")
    sel.add_argument("--ops-from-readme", nargs="?", const=DEFAULT_README, default=None, metavar="README",
                     help=f"the ops of the 'Supported ONNX' table (default {DEFAULT_README})")
    sel.add_argument("--ops-from-models", default=None, metavar="DIR",
                     help="the op types used by the .onnx files in DIR")
    sel.add_argument("--filter", default=None, metavar="REGEX", help="only cases whose name matches")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=f"(default {DEFAULT_DATA_DIR})")
    ap.add_argument("--other-sets", action="store_true",
                    help="also run libonnx-testdata's other sets: " + ", ".join(OTHER_SETS)
                    + " (same selection and verdicts; reported in their own section)")
    ap.add_argument("--extra-data-dir", action="append", default=[], metavar="DIR",
                    help="another folder of cases to run beside --data-dir (repeatable)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--work", default=None, help="work folder (default: a temporary folder, removed)")
    ap.add_argument("--keep-work", action="store_true", help="keep the work folders of passing runs")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per swtc run (default 60)")
    ap.add_argument("--all-data-sets", action="store_true", help="run every test_data_set_*, not only the first")
    ap.add_argument("--markdown", default=None, metavar="FILE")
    ap.add_argument("--json", default=None, metavar="FILE")
    ap.add_argument("--note", default=None, help="a note for the markdown header")
    ap.add_argument("--markdown-from-json", default=None, metavar="FILE",
                    help="write --markdown from a --json FILE of an earlier run (runs nothing)")
    ap.add_argument("--allow-failures", action="store_true", help="exit 0 even with fail/error results")
    ap.add_argument("--expect-pass-rate", type=float, default=None, metavar="R",
                    help="exit 1 if a target's pass rate over the supported-op cases is below R")
    ap.add_argument("--expect-model-ops-pass-rate", type=float, default=None, metavar="R",
                    help="exit 1 if a target's pass rate over the cases whose first op type is one "
                         "of the eight benchmark models' ops is below R")
    ap.add_argument("--model-ops-from", default=None, metavar="DIR",
                    help="recompute the eight models' op types from DIR/<model>.onnx (resnet18, "
                         "resnet50, vgg16, vgg19, alexnet, mobilenet_v2, squeezenet1_1, bert) "
                         "instead of the MODEL_OPS constant; reports any difference")
    args = ap.parse_args(argv)

    if args.markdown_from_json:
        if not args.markdown:
            ap.error("--markdown-from-json needs --markdown")
        with open(args.markdown_from_json) as f:
            j = json.load(f)
        write_markdown(args.markdown, j["meta"], j["results"], j["targets"], set(j["supported_ops"]),
                       j["totals"], j.get("other_sets_results", []), j.get("other_sets_totals"))
        print(f"wrote {args.markdown}", file=sys.stderr)
        return 0
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if not targets:
        ap.error("--targets is empty")
    if not (args.all or args.ops or args.ops_from_readme or args.ops_from_models):
        ap.error("give --all, --ops, --ops-from-readme or --ops-from-models")
    if not os.path.isdir(args.data_dir):
        print(f"conformance: {args.data_dir} is missing (install libonnx-testdata); skipping", file=sys.stderr)
        return SKIP_EXIT
    swtc = os.path.abspath(args.swtc) if os.path.sep in args.swtc else (shutil.which(args.swtc) or args.swtc)
    if not (os.path.isfile(swtc) and os.access(swtc, os.X_OK)):
        print(f"conformance: error: {args.swtc} is not an executable", file=sys.stderr)
        return 2

    ops, how = [], []
    try:
        if args.ops:
            ops += [o.strip() for o in args.ops.split(",") if o.strip()]
            how.append("--ops")
        if args.ops_from_readme:
            with open(args.ops_from_readme) as f:
                ops += parse_readme_ops(f.read())
            how.append("README ops")
        if args.ops_from_models:
            ops += ops_from_models(args.ops_from_models)
            how.append(f"ops of {args.ops_from_models}")
    except (OSError, ValueError) as e:
        print(f"conformance: error: {e}", file=sys.stderr)
        return 2
    model_ops, model_ops_source = sorted(MODEL_OPS), "the MODEL_OPS constant of scripts/conformance.py"
    if args.model_ops_from:
        try:
            model_ops = model_ops_from(args.model_ops_from)
        except (OSError, ValueError) as e:
            print(f"conformance: error: {e}", file=sys.stderr)
            return 2
        model_ops_source = f"computed from the .onnx files in {args.model_ops_from}"
        if set(model_ops) != set(MODEL_OPS):
            print("conformance: note: the models' op types differ from MODEL_OPS: only in the models: "
                  f"{sorted(set(model_ops) - set(MODEL_OPS))}, only in MODEL_OPS: "
                  f"{sorted(set(MODEL_OPS) - set(model_ops))}", file=sys.stderr)
        else:
            print(f"conformance: the models' op types equal MODEL_OPS ({len(model_ops)} ops)",
                  file=sys.stderr)
    ops = list(dict.fromkeys(ops))
    supported = set(ops)
    if not supported and os.path.isfile(DEFAULT_README):
        try:
            with open(DEFAULT_README) as f:
                supported = set(parse_readme_ops(f.read()))
        except (OSError, ValueError):
            pass
    selection = "all cases" if args.all else "cases using any of: " + ", ".join(ops)
    if args.filter:
        selection += f", name matching /{args.filter}/"

    t_start = time.monotonic()
    primary = os.path.basename(os.path.normpath(args.data_dir))
    cases = discover(args.data_dir, primary)
    extra_dirs = list(args.extra_data_dir) + (list(OTHER_SETS) if args.other_sets else [])
    set_names, other_sets = [primary], []
    for d in extra_dirs:
        name = os.path.basename(os.path.normpath(d))
        if name in set_names:
            print(f"conformance: error: two data folders named '{name}'", file=sys.stderr)
            return 2
        if not os.path.isdir(d):
            print(f"conformance: {d} is missing; not run", file=sys.stderr)
            continue
        set_names.append(name)
        found = discover(d, name)
        other_sets.append({"name": name, "dir": d, "available_cases": len(found),
                           "selected_cases": len(select(found, ops, args.all, args.filter))})
        cases += found
    chosen = select(cases, ops, args.all, args.filter)
    primary_cases = sum(1 for c in cases if c["set"] == primary)
    print(f"conformance: {len(chosen)} of {len(cases)} cases selected ({selection}); "
          f"targets {','.join(targets)}; {args.jobs} jobs", file=sys.stderr)

    tmp = None
    work = args.work
    if not work:
        tmp = tempfile.mkdtemp(prefix="swtc-conformance-")
        work = tmp
    work = os.path.abspath(work)
    os.makedirs(work, exist_ok=True)

    tasks = []
    for c in chosen:
        for t in targets:
            tasks.append({"case": c, "target": t, "swtc": swtc, "timeout": args.timeout,
                          "work": os.path.join(work, t, *([] if c["set"] == primary else [c["set"]]),
                                               c["name"]), "keep_work": args.keep_work,
                          "all_data_sets": args.all_data_sets})
    results = []
    n = len(tasks)
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = {pool.submit(run_one, t): t for t in tasks}
            for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
                t = futs[fut]
                try:
                    r = fut.result()
                except Exception as e:  # noqa: BLE001  (a bug in this script, not in swtc)
                    r = {"case": t["case"]["name"], "set": t["case"]["set"],
                         "op": (t["case"]["op_types"] or ["?"])[0],
                         "op_types": t["case"]["op_types"], "target": t["target"], "status": "error",
                         "detail": f"runner exception: {e!r}", "max_abs_err": None, "seconds": None}
                results.append(r)
                msg = f"[{i}/{n}] {r['case']} {r['target']}: {r['status']}"
                if r["status"] != "pass" and r["detail"]:
                    msg += f" ({r['detail'].splitlines()[0][:160]})"
                print(msg, file=sys.stderr, flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - t_start
    set_order = {s: i for i, s in enumerate(set_names)}
    results.sort(key=lambda r: (set_order[r["set"]], r["case"], targets.index(r["target"])))
    other_results = [r for r in results if r["set"] != primary]
    results = [r for r in results if r["set"] == primary]

    totals = summarize(results, targets, supported, model_ops)
    tdver, commit = _versions(swtc)
    meta = {"command": shlex.join([sys.executable or "/usr/bin/python3"] + [sys.argv[0]] + list(argv)),
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "data_dir": args.data_dir, "testdata_version": tdver, "available_cases": primary_cases,
            "selected_cases": sum(1 for c in chosen if c["set"] == primary), "selection": selection, "all_data_sets": args.all_data_sets,
            "swtc": args.swtc, "commit": commit, "timeout": args.timeout, "jobs": args.jobs,
            "elapsed_s": elapsed, "note": args.note, "model_ops": model_ops,
            "model_ops_source": model_ops_source, "other_sets": other_sets}
    other_totals = summarize_sets(other_results, targets, [o["name"] for o in other_sets])
    print_summary(totals, targets, results)
    if other_sets:
        print_sets_summary(other_totals, targets, other_results)
    print(f"\nwall time {elapsed:.0f} s", file=sys.stderr)
    if args.markdown:
        write_markdown(args.markdown, meta, results, targets, supported, totals,
                       other_results, other_totals)
        print(f"wrote {args.markdown}", file=sys.stderr)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "ops": ops, "supported_ops": sorted(supported), "model_ops": model_ops,
                       "targets": targets,
                       "totals": totals, "results": results,
                       "other_sets_totals": other_totals, "other_sets_results": other_results},
                      f, indent=1)
        print(f"wrote {args.json}", file=sys.stderr)

    status = 0
    if any(r["status"] in ("fail", "error") for r in results + other_results):
        if args.allow_failures:
            print("conformance: fail/error results allowed (--allow-failures)", file=sys.stderr)
        else:
            status = 1
    if args.expect_pass_rate is not None:
        for t in targets:
            x = totals[t]
            r = x["supported_pass_rate"]
            if r is None or r < args.expect_pass_rate:
                print(f"conformance: {t}: pass rate over supported-op cases "
                      f"{fmt_rate(x['supported_pass'], x['supported_cases'])} is below "
                      f"{args.expect_pass_rate:g}", file=sys.stderr)
                status = 1
    if args.expect_model_ops_pass_rate is not None:
        for t in targets:
            x = totals[t]
            r = x["model_op_pass_rate"]
            if r is None or r < args.expect_model_ops_pass_rate:
                print(f"conformance: {t}: pass rate over the eight-model-op cases "
                      f"{fmt_rate(x['model_op_pass'], x['model_op_cases'])} is below "
                      f"{args.expect_model_ops_pass_rate:g}", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
