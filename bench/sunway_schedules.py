#!/usr/bin/python3
"""Predicted Sunway latency of swtc's default schedule against the swtvm-v1
baseline (the published swTVM's tiling: one output row per step, greedy tiles,
blocking DMA), model by model, from `swtc profile` (performance model applied
to the DMA the athread emulator counted; docs/perf-model.md).

    /usr/bin/python3 bench/sunway_schedules.py --swtc build/tools/swtc/swtc \
        --models-dir build/models [--models resnet18,...] [--work DIR] [--no-baseline]

Prints a markdown table (model, predicted ms for each schedule, speed-up, the
model's lower bound on one core group as the compiler computes it from the
graph (`swtc profile`'s "lower bound": the compulsory flops at the core
group's vector peak or the weights read once at the model's best DMA
bandwidth, whichever is larger) and the default schedule's predicted / bound, the
best % of core-group peak among the convolution layers, and over the heavy
ones: the largest Conv layers by flops that together do half of the model's
Conv flops, their flop-weighted % of peak, the lowest of them, and their
roofline: the % of peak no schedule could exceed moving each of their tensors
once at the model's best DMA bandwidth) and the geometric mean speed-up.
Every number is a model prediction, not a measurement.
"""

import argparse
import math
import os
import sys

import swtc_profile

SUITE = "resnet18,resnet50,vgg16,vgg19,alexnet,mobilenet_v2,squeezenet1_1,bert"


def profile(swtc, model, schedule, work):
    return swtc_profile.profile(swtc, model, os.path.join(work, schedule),
                                ["--target", "sw26010", "--schedule", schedule], schedule)


def new_peak(prof, layers, flops):
    """The core group's peak flop rate, recovered from a layer's GFLOPS and % of peak."""
    l = max(layers, key=lambda l: l["peak_fraction"])
    return l["gflops"] * 1e9 / l["peak_fraction"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default=SUITE)
    ap.add_argument("--work", default="/tmp/swtc-bench-sunway")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the swtvm-v1 runs (slow on the emulator): no speed-up column")
    args = ap.parse_args()
    print("MODEL PREDICTIONS for one SW26010 core group (not measurements)\n")
    print("| model | swtvm-v1 ms | default ms | speed-up | lower bound ms | predicted / bound "
          "| best conv layer, % of peak "
          "| heavy conv layers: n, % of peak (all, lowest), roofline |")
    print("|---|---|---|---|---|---|---|---|")
    logs, ratios = [], []
    for name in args.models.split(","):
        model = os.path.join(args.models_dir, name + ".onnx")
        base = None if args.no_baseline else profile(args.swtc, model, "swtvm-v1",
                                                     os.path.join(args.work, name))
        new = profile(args.swtc, model, "default", os.path.join(args.work, name))
        if base:
            speedup = base["total_seconds"] / new["total_seconds"]
            logs.append(math.log(speedup))
        lower = new["lower_bound"]["seconds"]
        ratio = new["total_seconds"] / lower
        ratios.append(ratio)
        convs = [l for l in new["layers"] if l["op"].startswith("Conv")]
        best = max(convs, key=lambda l: l["peak_fraction"]) if convs else None
        best_txt = f"{best['name']}: {100 * best['peak_fraction']:.1f}%" if best else "n/a"
        flops = {l["name"]: l["gflops"] * 1e9 * l["seconds"] for l in convs}
        total = sum(flops.values())
        heavy, acc = [], 0.0
        for l in sorted(convs, key=lambda l: -flops[l["name"]]):
            if acc >= 0.5 * total:
                break
            heavy.append(l)
            acc += flops[l["name"]]
        heavy_txt = "n/a"
        if heavy:
            hf = sum(flops[l["name"]] for l in heavy)
            ht = sum(l["seconds"] for l in heavy)
            frac = hf / ht / (new_peak(new, heavy, flops))
            low = min(heavy, key=lambda l: l["peak_fraction"])
            # Their roofline: the least time each could take moving its tensors once.
            bound = hf / sum(flops[l["name"]] / l["bound_fraction"] for l in heavy)
            heavy_txt = (f"{len(heavy)}, {100 * frac:.1f}% ({low['name']}: "
                         f"{100 * low['peak_fraction']:.1f}%), roofline {100 * bound:.0f}%")
        base_txt = f"{base['total_seconds'] * 1e3:.1f}" if base else "n/a"
        speed_txt = f"{speedup:.2f}x" if base else "n/a"
        lb = new["lower_bound"]
        which = "flops" if lb["compute_seconds"] >= lb["weights_seconds"] else "weights"
        print(f"| {name} | {base_txt} | {new['total_seconds'] * 1e3:.1f} | {speed_txt} | "
              f"{lower * 1e3:.2f} ({which}) | {ratio:.2f} | {best_txt} | {heavy_txt} |", flush=True)
    if logs:
        print(f"\ngeometric mean speed-up over swtvm-v1: {math.exp(sum(logs) / len(logs)):.2f}x "
              f"({len(logs)} models)")
    print(f"predicted / lower bound: geometric mean {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}, "
          f"worst {max(ratios):.2f}, {sum(r <= 2.0 for r in ratios)} of {len(ratios)} models within 2x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
