#!/usr/bin/python3
"""VGG-16's thirteen and AlexNet-BN's five convolution layers compiled one by
one for sw26010 (one core group): swtc's predicted time per image beside
swCaffe's measured forward time per image, per layer.

    git clone https://github.com/feifeibear/SWCaffe /tmp/SWCaffe   # the logs
    /usr/bin/python3 bench/swcaffe_layers.py --swtc build/tools/swtc/swtc \
        --swcaffe /tmp/SWCaffe [--batch 8] [--nets vgg16,alexnet] [--work DIR]

Each layer is a single-Conv ONNX model written at run time (float32, seeded
random weights and bias, the layer's shape from swCaffe's prototxt: VGG-16
`models/vgg/train_val_debug.prototxt`, 224x224; AlexNet-BN
`models/alexnet/train_val_debug.prototxt`, 227x227, groups of 2 in conv2,
conv4 and conv5), profiled with `swtc profile --target sw26010` (the
performance model applied to the athread emulator's counts, docs/perf-model.md:
a PREDICTION). swCaffe's figures are the "Forward cost time" lines of its
on-chip logs `swprofile/result171022/sw_vgg_debug_17-10-22-11-23-50.log`
(batch 128) and `sw_alex_debug_17-10-22-11-13-59.log` (batch 256): the
median over the log's training iterations, divided by the batch. The ratio is
swCaffe measured / swtc predicted per image (above 1: the prediction is
faster); the geometric mean is over the layers of each net.
"""

import argparse
import math
import os
import re
import statistics
import sys

import conv_models
import swtc_profile

LOGS = {"vgg16": "swprofile/result171022/sw_vgg_debug_17-10-22-11-23-50.log",
        "alexnet": "swprofile/result171022/sw_alex_debug_17-10-22-11-13-59.log"}
SWCAFFE_BATCH = {"vgg16": 128, "alexnet": 256}   # TRAIN-phase batch_size of the prototxts

# (swCaffe layer name, cin, cout, input size, kernel, stride, pad, group)
VGG16 = [("conv1_1", 3, 64, 224), ("conv1_2", 64, 64, 224),
         ("conv2_1", 64, 128, 112), ("conv2_2", 128, 128, 112),
         ("conv3_1", 128, 256, 56), ("conv3_2", 256, 256, 56), ("conv3_3", 256, 256, 56),
         ("conv4_1", 256, 512, 28), ("conv4_2", 512, 512, 28), ("conv4_3", 512, 512, 28),
         ("conv5_1", 512, 512, 14), ("conv5_2", 512, 512, 14), ("conv5_3", 512, 512, 14)]
LAYERS = {
    "vgg16": [(n, ci, co, hw, 3, 1, 1, 1) for n, ci, co, hw in VGG16],
    "alexnet": [("conv1", 3, 96, 227, 11, 4, 0, 1),
                ("conv2", 96, 256, 27, 5, 1, 2, 2),
                ("conv3", 256, 384, 13, 3, 1, 1, 1),
                ("conv4", 384, 384, 13, 3, 1, 1, 2),
                ("conv5", 384, 256, 13, 3, 1, 1, 2)],
}


def swcaffe_forward(path):
    """{layer: [seconds per iteration]} from the "Forward cost time" lines."""
    times = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"Rank \d+ : layer\d+\s+(\S+) Forward cost time: ([\d.e+-]+)s", line)
            if m:
                times.setdefault(m.group(1), []).append(float(m.group(2)))
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--swcaffe", required=True, help="a clone of github.com/feifeibear/SWCaffe")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--nets", default="vgg16,alexnet")
    ap.add_argument("--work", default="/tmp/swtc-bench-swcaffe")
    args = ap.parse_args()
    print(f"swtc: MODEL PREDICTIONS for one sw26010 core group, batch {args.batch}, float32; "
          "swCaffe: measured on the chip (its logs)\n")
    for net in args.nets.split(","):
        measured = swcaffe_forward(os.path.join(args.swcaffe, LOGS[net]))
        sb = SWCAFFE_BATCH[net]
        print(f"{net}: swCaffe batch {sb} ({LOGS[net]}, median of "
              f"{len(next(iter(measured.values())))} iterations)\n")
        print("| layer | shape (Cin->Cout, input, kernel/stride/pad, group) | GFLOP per image "
              "| swCaffe ms per image (measured) | swCaffe GFLOPS | swtc ms per image (predicted) "
              "| swtc GFLOPS | % of CG peak | measured / predicted |")
        print("|---|---|---|---|---|---|---|---|---|")
        logs = []
        for name, ci, co, hw, k, s, p, g in LAYERS[net]:
            model = os.path.join(args.work, net, name + ".onnx")
            os.makedirs(os.path.dirname(model), exist_ok=True)
            conv_models.write_conv(model, args.batch, ci, co, hw, k, s, p, g, seed=len(logs) + 1)
            prof = swtc_profile.profile(args.swtc, model, os.path.join(args.work, net, name),
                                        ["--target", "sw26010"], f"{net} {name}")
            flops = sum(l["compiler_flops"] for l in prof["layers"]) / args.batch
            ours = prof["total_seconds"] / args.batch
            peak = max(l["gflops"] * 1e9 / l["peak_fraction"] for l in prof["layers"]
                       if l["peak_fraction"] > 0)
            theirs = statistics.median(measured[name]) / sb
            ratio = theirs / ours
            logs.append(math.log(ratio))
            o = conv_models.conv_out(hw, k, s, p)
            print(f"| {name} | {ci}->{co}, {hw}x{hw}->{o}x{o}, {k}/{s}/{p}, {g} | {flops / 1e9:.3f} "
                  f"| {theirs * 1e3:.2f} | {flops / theirs / 1e9:.1f} | {ours * 1e3:.3f} "
                  f"| {flops / ours / 1e9:.1f} | {100 * flops / ours / peak:.1f} | {ratio:.1f} |",
                  flush=True)
        print(f"\n{net}: geometric mean swCaffe measured / swtc predicted per image: "
              f"{math.exp(sum(logs) / len(logs)):.2f}x over {len(logs)} conv layers\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
