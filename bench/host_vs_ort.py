#!/usr/bin/python3
"""Host latency of swtc-compiled models against ONNX Runtime, side by side in
one run, as medians over repeated runs, with the agreement checked.

    /usr/bin/python3 bench/host_vs_ort.py --swtc build/tools/swtc/swtc \
        --models-dir build/models --models resnet18,mobilenet_v2 [--repeat 10]

Prints a markdown table: model, swtc median ms, ONNX Runtime median ms, the
ratio swtc/ORT (above 1: swtc is slower), and the relative L2 error between them.
bench/host_bench.py is the fuller benchmark (batch sizes, threads, GFLOP/s and
% of the measured FMA peak, compile times; its ratio is ORT/swtc).
"""

import argparse
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import swtc_vs_ort  # noqa: E402


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default="resnet18")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--work", default="/tmp/swtc-bench")
    args = ap.parse_args()
    nproc = os.cpu_count()
    print(f"machine: {cpu_name()}, {nproc} cores; medians of {args.repeat} runs "
          "(ORT: first run is a warm-up)\n")
    print("| model | swtc host ms | ONNX Runtime ms | swtc / ORT | rel L2 swtc vs ORT |")
    print("|---|---|---|---|---|")
    for name in args.models.split(","):
        r = swtc_vs_ort.compare(args.swtc, os.path.join(args.models_dir, name + ".onnx"), ["host"],
                                os.path.join(args.work, name), args.repeat)
        if r is None:
            print("ONNX Runtime is not installed (scripts/setup.sh)", file=sys.stderr)
            return 77
        _, lat, _, vs_ort = r["rows"][0]
        print(f"| {name} | {lat:.1f} | {r['ort_ms']:.1f} | {lat / r['ort_ms']:.1f} | {vs_ort:.1e} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
