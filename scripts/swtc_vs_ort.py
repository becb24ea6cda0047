#!/usr/bin/python3
"""Run one model with swtc on each given target and with ONNX Runtime, on the
same seeded random inputs (float32: uniform [-1, 1); bool: 0 or 1; integers:
1..9), and check that they agree (same dtype and shape, relative L2 error).

    /usr/bin/python3 scripts/swtc_vs_ort.py --swtc build/tools/swtc/swtc \
        --model build/models/resnet18.onnx --targets host,sw26010 --work DIR \
        [--repeat N] [--tol 1e-4] [--seed S] [--shape NAME=D0,D1,...]...

A target may be TARGET:SCHEDULE (a Sunway schedule) and end in @N: run on N MPI
ranks (swtc run --ranks N), e.g. --targets host@2,sw26010@4.

For each target it prints the median latency, the relative L2 error against
swtc's reference interpreter (reported by `swtc run`) and against ONNX Runtime,
and exits 1 if any relative L2 error exceeds --tol (ONNX Runtime is skipped,
with a note, only if it is not installed: exit 77 then unless --allow-no-ort).
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_RUN = os.path.join(ROOT, "scripts", "ort_run.js")
ORT_DIR = os.path.join(ROOT, "third_party", "ort", "node_modules", "onnxruntime-node")


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def rel_l2(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


class RunError(Exception):
    """A command failed: `what`, its exit status and its output."""

    def __init__(self, what, returncode, output):
        super().__init__(f"{what} failed (exit {returncode})")
        self.what, self.returncode, self.output = what, returncode, output

    def error_line(self):
        """swtc's `swtc: error: ...` line, else the output's last line."""
        lines = [l.strip() for l in self.output.splitlines() if l.strip()]
        errs = [l for l in lines if l.startswith("swtc: error:")]
        return (errs or lines or [str(self)])[-1]


def run(cmd, what, raise_errors=False):
    """The command's output; if it fails: RunError with raise_errors, else its
    output and an error line are printed and the script exits 1."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        if raise_errors:
            raise RunError(what, p.returncode, p.stdout)
        sys.stdout.write(p.stdout)
        print(f"swtc_vs_ort: error: {what} failed (exit {p.returncode})", file=sys.stderr)
        sys.exit(1)
    return p.stdout


def make_inputs(model_path, work, seed, shapes=None):
    model = onnx.load(model_path)
    init = {t.name for t in model.graph.initializer}
    rng = np.random.default_rng(seed)
    paths = {}
    os.makedirs(os.path.join(work, "inputs"), exist_ok=True)
    for inp in model.graph.input:
        if inp.name in init:
            continue
        shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
        if shapes and inp.name in shapes:  # --shape: an input with symbolic dims
            shape = shapes[inp.name]
        et = inp.type.tensor_type.elem_type
        if et == onnx.TensorProto.BOOL:  # both values
            x = rng.integers(0, 2, size=shape).astype(np.bool_)
        elif et == onnx.TensorProto.FLOAT:
            x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        else:  # integers: non-zero, small enough for every type (as swtc run's)
            x = rng.integers(1, 10, size=shape).astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[et])
        path = os.path.join(work, "inputs", sanitize(inp.name) + ".npy")
        np.save(path, x)
        paths[inp.name] = path
    outputs = [o.name for o in model.graph.output]
    return paths, outputs


def compare(swtc, model, targets, work, repeat=3, tol=1e-4, seed=7, allow_no_ort=False,
            shapes=None, raise_errors=False, ort_optimization=None, extra_args=()):
    """Runs `model` with swtc on each target and with ONNX Runtime on the same
    inputs. Returns a dict: rows [(target, latency_ms, rel_l2_interp, rel_l2_ort)],
    ort_ms, ok, inputs (count), or None if ONNX Runtime is missing and not allowed."""
    os.makedirs(work, exist_ok=True)
    inputs, outputs = make_inputs(model, work, seed, shapes)
    in_args = []
    shape_args = []
    for k, dims in (shapes or {}).items():
        shape_args += ["--shape", k + "=" + ",".join(str(d) for d in dims)]
    for k, p in inputs.items():
        in_args += ["--input", f"{k}={p}"]

    have_ort = os.path.isdir(ORT_DIR)
    ort_out = os.path.join(work, "ort")
    ort_ms = None
    if have_ort:
        text = run(["node", ORT_RUN, model, *in_args, "--output-dir", ort_out,
                    "--repeat", str(max(repeat, 2)),
                    *(["--optimization", ort_optimization] if ort_optimization else [])],
                   "ONNX Runtime", raise_errors)
        m = re.search(r'"latency_ms_median":\s*([0-9.eE+-]+)', text)
        ort_ms = float(m.group(1)) if m else None
    elif not allow_no_ort:
        return None

    ok = True
    rows = []
    for target in targets:
        # "TARGET:SCHEDULE" runs a Sunway target with a schedule other than the default;
        # "TARGET@N" (after it) on N MPI ranks (swtc run --ranks N).
        target, _, ranks = target.partition("@")
        tname, _, sched = target.partition(":")
        sched_args = ["--schedule", sched] if sched else []
        if ranks:
            sched_args += ["--ranks", ranks, "--timeout", "600"]
            target += "@" + ranks
        tag = target.replace(":", "-").replace("@", "-r")
        out_dir = os.path.join(work, tag)
        text = run([swtc, "run", model, "--target", tname, *sched_args, *in_args, *shape_args,
                    "--output-dir", out_dir,
                    "--work-dir", os.path.join(work, "build-" + tag),
                    "--repeat", str(repeat), "--tolerance", str(tol), *extra_args],
                   f"swtc run --target {target}", raise_errors)
        lat = float(re.search(r"latency_ms \(median of \d+ runs\): ([0-9.]+)", text).group(1))
        interp = max(float(x) for x in re.findall(r"rel_l2_err=([0-9.eE+-]+)", text))
        vs_ort = None
        if have_ort:
            vs_ort = 0.0
            for o in outputs:
                a = np.load(os.path.join(out_dir, sanitize(o) + ".npy"))
                b = np.load(os.path.join(ort_out, sanitize(o) + ".npy"))
                if a.shape != b.shape or a.dtype != b.dtype:
                    print(f"swtc_vs_ort: output {o}: {a.dtype}{list(a.shape)} vs ONNX Runtime "
                          f"{b.dtype}{list(b.shape)}")
                    ok = False
                    continue
                vs_ort = max(vs_ort, rel_l2(a, b))
            ok = ok and vs_ort <= tol
        ok = ok and interp <= tol
        rows.append((target, lat, interp, vs_ort))
    return {"rows": rows, "ort_ms": ort_ms, "ok": ok, "inputs": len(inputs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True, help="path of the swtc executable")
    ap.add_argument("--model", required=True)
    ap.add_argument("--targets", default="host,sw26010")
    ap.add_argument("--work", required=True, help="working folder (created)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--allow-no-ort", action="store_true")
    ap.add_argument("--swtc-arg", action="append", default=[], metavar="ARG",
                    help="an extra argument of every swtc run (e.g. --swtc-arg=--winograd=4)")
    ap.add_argument("--shape", action="append", default=[], metavar="NAME=D0,D1,...",
                    help="static shape of an input with symbolic dims (passed to swtc run)")
    args = ap.parse_args()
    shapes = {}
    for spec in args.shape:
        name, _, dims = spec.partition("=")
        shapes[name] = [int(d) for d in dims.split(",") if d != ""]

    name = os.path.splitext(os.path.basename(args.model))[0]
    r = compare(args.swtc, args.model, args.targets.split(","), args.work, args.repeat, args.tol,
                args.seed, args.allow_no_ort, shapes, extra_args=args.swtc_arg)
    if r is None:
        print("swtc_vs_ort: ONNX Runtime is not installed (run scripts/setup.sh)", file=sys.stderr)
        return 77
    print(f"\nmodel {name}: {r['inputs']} input(s), seeded random uniform [-1, 1), seed {args.seed}")
    print(f"{'target':<10} {'latency ms':>11} {'rel L2 vs interpreter':>22} {'rel L2 vs ONNX Runtime':>23}")
    for target, lat, interp, vs_ort in r["rows"]:
        ort_txt = f"{vs_ort:.2e}" if vs_ort is not None else "n/a"
        print(f"{target:<10} {lat:>11.2f} {interp:>22.2e} {ort_txt:>23}")
    if r["ort_ms"] is not None:
        print(f"{'ORT (CPU)':<10} {r['ort_ms']:>11.2f}")
    print("latency: median of the runs; sw26010 is the athread emulator on this machine, "
          "not a Sunway time.")
    print("agreement:", "OK" if r["ok"] else f"FAILED (tolerance {args.tol})")
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
