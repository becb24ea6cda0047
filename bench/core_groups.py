#!/usr/bin/python3
"""Predicted Sunway latency of a batched model with its batch split over 1 and
N core groups (`swtc profile --core-groups N`: one process per core group, each
running batch/N; the performance model applied to what the athread emulator
counted in each; docs/perf-model.md).

    /usr/bin/python3 bench/core_groups.py --swtc build/tools/swtc/swtc \
        --models-dir build/models [--models resnet18_b8,...] [--target sw26010] \
        [--core-groups 1,4] [--work DIR]

Prints a markdown table: per model the predicted total for each core-group
count, the speed-up of the largest count over the first, and the DMA bytes
moved by all core groups together relative to the first. Every number is a
model prediction, not a measurement.
"""

import argparse
import os

import swtc_profile

SUITE = "resnet18_b8,resnet50_b8,alexnet_b8,mobilenet_v2_b8,squeezenet1_1_b8"


def profile(swtc, model, target, n, work):
    return swtc_profile.profile(swtc, model, os.path.join(work, "cg%d" % n),
                                ["--target", target, "--core-groups", str(n)],
                                f"{n} core groups")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default=SUITE)
    ap.add_argument("--target", default="sw26010")
    ap.add_argument("--core-groups", default="1,4")
    ap.add_argument("--work", default="/tmp/swtc-bench-core-groups")
    args = ap.parse_args()
    counts = [int(c) for c in args.core_groups.split(",")]
    first, last = counts[0], counts[-1]
    print(f"MODEL PREDICTIONS for {args.target}, batch split over core groups "
          "(not measurements)\n")
    print("| model | " + " | ".join(f"{n} CG ms" for n in counts) +
          f" | speed-up {last} vs {first} | DMA bytes {last} vs {first} |")
    print("|---|" + "---|" * len(counts) + "---|---|")
    for name in args.models.split(","):
        model = os.path.join(args.models_dir, name + ".onnx")
        profs = {n: profile(args.swtc, model, args.target, n, os.path.join(args.work, name))
                 for n in counts}
        dma = {n: sum(l["dma_bytes"] for l in p["layers"]) for n, p in profs.items()}
        ms = " | ".join(f"{profs[n]['total_seconds'] * 1e3:.2f}" for n in counts)
        speedup = profs[first]["total_seconds"] / profs[last]["total_seconds"]
        print(f"| {name} | {ms} | {speedup:.2f}x | {dma[last] / dma[first]:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
