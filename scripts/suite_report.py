#!/usr/bin/python3
"""Run the benchmark suite through swtc on every target and through ONNX
Runtime, and write the agreement table (generated, with the command).

    /usr/bin/python3 scripts/suite_report.py --swtc build/tools/swtc/swtc \
        --models-dir build/models --models resnet18,resnet50,... \
        --work build/suite --markdown docs/suite.md [--targets host,sw26010] [--repeat 1]

A target may name a schedule: sw26010:swtvm-v1 runs `swtc run --target
sw26010 --schedule swtvm-v1`.

--extra runs the opt-in models of scripts/export_models.py (EXTRA_MODELS:
ViT-B/16, Swin-T, Inception-V3, FCN-ResNet50, DeepLabV3-MobileNetV3-Large;
`export_models.py --suite extra`) instead of the benchmark suite. Each
(model, target) is run on its own: a model swtc cannot compile or run gets the
row "stops at" with swtc's error line (e.g. an op it does not support), and
the other targets and models still run. --json FILE writes the rows
(`export_models.py --verdicts FILE` puts them into docs/models.md).

Exit 1 if any model on any target differs from ONNX Runtime or the reference
interpreter by more than --tol (relative L2), or stops at an error.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swtc_vs_ort  # noqa: E402

CNNS = ["resnet18", "resnet50", "vgg16", "vgg19", "alexnet", "mobilenet_v2", "squeezenet1_1"]
# The eight models at batch 1, then the CNNs at batch 8 (issue 3).
SUITE = CNNS + ["bert"] + [m + "_b8" for m in CNNS]
# The opt-in models (export_models.EXTRA_MODELS; issue 15, item 5).
EXTRA = ["vit_b_16", "swin_t", "inception_v3", "fcn_resnet50", "deeplabv3_mobilenet_v3_large"]
# Models compared with ONNX Runtime run without its graph optimizations:
# onnxruntime-node 1.20.1's optimized Inception-V3 differs from PyTorch (rel L2
# 0.12 at Mixed_5c's output, 0.29 at the logits, on the exported model), while
# swtc, its interpreter and ORT without optimizations agree with PyTorch
# (docs/models.md).
ORT_UNOPTIMIZED = {"inception_v3"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default=None, help="default: the benchmark suite, or with "
                    "--extra the opt-in models")
    ap.add_argument("--extra", action="store_true",
                    help="the opt-in models: " + ",".join(EXTRA))
    ap.add_argument("--json", default=None, metavar="FILE", help="also write the rows as JSON")
    ap.add_argument("--targets", default="host,sw26010")
    ap.add_argument("--work", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()

    targets = args.targets.split(",")
    models = args.models.split(",") if args.models else (EXTRA if args.extra else SUITE)
    lines = []
    records = []
    all_ok = True
    for name in models:
        path = os.path.join(args.models_dir, name + ".onnx")
        t0 = time.time()
        print(f"suite: {name} ...", file=sys.stderr, flush=True)
        model_ok = True
        for target in targets:  # one at a time: an error on one leaves the others' rows
            try:
                r = swtc_vs_ort.compare(args.swtc, path, [target],
                                        os.path.join(args.work, name), args.repeat, args.tol,
                                        raise_errors=True,
                                        ort_optimization="disabled" if name in ORT_UNOPTIMIZED
                                        else None)
            except swtc_vs_ort.RunError as e:
                msg = e.error_line()
                print(f"suite: {name} {target}: {e}: {msg}", file=sys.stderr, flush=True)
                lines.append(f"| {name} | {target} | - | - | stops at: `{msg.replace('|', '/')}` | "
                             "- | - |")
                records.append({"model": name, "target": target, "ok": False, "error": msg})
                model_ok = False
                continue
            if r is None:
                print("suite_report: ONNX Runtime is not installed (run scripts/setup.sh)",
                      file=sys.stderr)
                return 77
            model_ok = model_ok and r["ok"]
            for tgt, lat, interp, vs_ort in r["rows"]:
                shown_name = name + (" (ORT unoptimized)" if name in ORT_UNOPTIMIZED else "")
                lines.append(f"| {shown_name} | {tgt} | {interp:.2e} | {vs_ort:.2e} | "
                             f"{'OK' if r['ok'] else 'MISMATCH'} | {lat:.1f} | {r['ort_ms']:.1f} |")
                records.append({"model": name, "target": tgt, "ok": r["ok"], "error": None,
                                "ort_optimization": "disabled" if name in ORT_UNOPTIMIZED else "all",
                                "rel_l2_interp": interp, "rel_l2_ort": vs_ort,
                                "swtc_ms": lat, "ort_ms": r["ort_ms"]})
        all_ok = all_ok and model_ok
        print(f"suite: {name} done in {time.time() - t0:.0f} s: {'OK' if model_ok else 'NOT OK'}",
              file=sys.stderr, flush=True)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def shown(a):  # paths inside the checkout relative to it, others as given
        return os.path.relpath(a, root) if a.startswith(root + os.sep) else a
    cmd = " ".join(["/usr/bin/python3", "scripts/suite_report.py"] + [shown(a) for a in sys.argv[1:]])
    with open(args.markdown, "w") as f:
        f.write("<!-- Generated by scripts/suite_report.py; do not edit. -->\n")
        f.write("# Opt-in models: swtc against ONNX Runtime\n\n" if models == EXTRA
                else "# Benchmark suite: swtc against ONNX Runtime\n\n")
        try:
            commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                    stdout=subprocess.PIPE, text=True).stdout.strip()
        except OSError:
            commit = "unknown"
        f.write(f"Generated {datetime.date.today().isoformat()} at commit {commit} by\n\n    {cmd}\n\n")
        f.write("Each model gets one seeded random input (uniform in [-1, 1)); swtc's output on "
                "each target is compared with its reference interpreter (double precision) and "
                "with ONNX Runtime (CPU, npm onnxruntime-node) by relative L2 error "
                f"(tolerance {args.tol}). Latencies are medians of {args.repeat} run(s) on the "
                "machine that produced the table, taken while checking, not benchmarks: "
                "`sw26010` is the athread emulator running on the host, not a Sunway time; "
                "see docs/performance.md for measurements.\n\n")
        if not all_ok:
            f.write("A row \"stops at\" gives swtc's error for that model and target "
                    "(compile or run).\n\n")
        f.write("| model | target | rel L2 vs interpreter | rel L2 vs ONNX Runtime | agrees | "
                "swtc ms | ORT ms |\n|---|---|---|---|---|---|---|\n")
        f.write("\n".join(lines) + "\n")
    print(f"suite_report: wrote {args.markdown}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": cmd, "commit": commit, "tolerance": args.tol, "rows": records},
                      f, indent=1)
        print(f"suite_report: wrote {args.json}", file=sys.stderr)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
