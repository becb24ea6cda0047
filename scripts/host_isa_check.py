#!/usr/bin/python3
"""Each host ISA's output against ONNX Runtime on the same seeded inputs (no
reference interpreter: fast enough for the whole suite).

    /usr/bin/python3 scripts/host_isa_check.py --swtc build/tools/swtc/swtc \
        --models-dir build/models --models resnet18,bert --targets host-avx2,host-portable

Prints one line per model and target: the relative L2 error against ONNX
Runtime and OK (<= --tol) or MISMATCH; exits 1 on a mismatch, 77 without ONNX
Runtime (scripts/setup.sh installs it)."""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swtc_vs_ort as S  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default="resnet18")
    ap.add_argument("--targets", default="host-avx2,host-portable")
    ap.add_argument("--work", default="/tmp/swtc-isa-check")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    if not os.path.isdir(S.ORT_DIR):
        print("ONNX Runtime is not installed (scripts/setup.sh)", file=sys.stderr)
        return 77
    bad = 0
    for name in args.models.split(","):
        model = os.path.join(args.models_dir, name + ".onnx")
        work = os.path.join(args.work, name)
        os.makedirs(work, exist_ok=True)
        inputs, outputs = S.make_inputs(model, work, 7)
        in_args = []
        for k, p in inputs.items():
            in_args += ["--input", f"{k}={p}"]
        ort_out = os.path.join(work, "ort")
        S.run(["node", S.ORT_RUN, model, *in_args, "--output-dir", ort_out, "--repeat", "1"],
              "ONNX Runtime")
        for t in args.targets.split(","):
            out = os.path.join(work, t)
            S.run([args.swtc, "run", model, "--target", t, *in_args, "--output-dir", out,
                   "--no-check", "--work-dir", os.path.join(work, "build-" + t), "--repeat", "1"],
                  f"swtc run --target {t}")
            worst = 0.0
            for o in outputs:
                a = np.load(os.path.join(out, S.sanitize(o) + ".npy"))
                b = np.load(os.path.join(ort_out, S.sanitize(o) + ".npy"))
                worst = max(worst, S.rel_l2(a, b))
            ok = worst <= args.tol
            bad += not ok
            print(f"| {name} | {t} | {worst:.2e} | {'OK' if ok else 'MISMATCH'} |", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
