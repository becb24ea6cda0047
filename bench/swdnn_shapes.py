#!/usr/bin/python3
"""swtc's predicted GFLOPS beside swDNN's measured GFLOPS on the chip, for a
representative set of swDNN's 3x3 convolution shapes (four core groups).

    git clone https://github.com/feifeibear/swDNN /tmp/swDNN   # the logs
    /usr/bin/python3 bench/swdnn_shapes.py --swtc build/tools/swtc/swtc \
        --swdnn /tmp/swDNN [--shapes B:Ni:No:Ro,...] [--full-ranks] [--work DIR]

swDNN's figures are the "Finish conv_p_simd_rc on accelerator ... GFLOPS"
lines of `swCNNv12-4cg-opt-batch-size-aware/log/perf.1`, each after the line
"B=.., Ni=.., No=.., Ri=.., Ci=.., Ro=.., Co=.., K=.." of its run (test.c in
that folder: double precision, a valid (unpadded) KxK convolution of a
[B, Ni, Ro+K-1, Co+K-1] input, four core groups each taking a quarter of the
output rows with the whole batch, 2*B*No*Ro*Co*K*K*Ni flops per run, the
convolution run 100 times per timing; hand-written assembly with register
communication).

swtc's side: the same shape as a single-Conv ONNX model written at run time
(float32, seeded random weights, no bias, no padding), batch B split over 4
MPI ranks (one core group each, the only multi-core-group split swtc has:
`--ranks 4`), profiled for sw26010 (the performance model applied to the
athread emulator's counts: a PREDICTION). GFLOPS = the convolution's flops /
the slowest rank's predicted time. By default the emulator runs one rank's
code (the model at batch B/4 with one rank: what each of the 4 identical ranks
runs); --full-ranks runs `swtc profile --ranks 4` on the batch-B model instead
(4x the emulator time, the same prediction: no scatter or gather is charged
for ranks on one node).
"""

import argparse
import os
import re
import sys

import conv_models
import swtc_profile

PERF = "swCNNv12-4cg-opt-batch-size-aware/log/perf.1"
# B:Ni:No:Ro (K = 3, Co = Ro): swDNN's best and worst shapes, each image size,
# both batch sizes, narrow and wide channels.
SHAPES = ("128:128:128:16,128:256:128:16,128:128:352:16,128:224:128:32,"
          "128:224:224:32,128:384:128:40,256:128:128:24,256:256:128:40")
RANKS = 4


def swdnn_runs(path):
    """{(B, Ni, No, Ro, Co, K): [measured GFLOPS]} from perf.1."""
    runs, shape = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"B=(\d+), Ni=(\d+), No=(\d+), Ri=(\d+), Ci=(\d+), Ro=(\d+), Co=(\d+), "
                         r"K=(\d+)", line)
            if m:
                b, ni, no, _, _, ro, co, k = map(int, m.groups())
                shape = (b, ni, no, ro, co, k)
            m = re.search(r"on accelerator\. Time: [\d.]+s FLOPS:([\d.]+) GFLOPS", line)
            if m and shape:
                runs.setdefault(shape, []).append(float(m.group(1)))
                shape = None
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--swdnn", required=True, help="a clone of github.com/feifeibear/swDNN")
    ap.add_argument("--shapes", default=SHAPES)
    ap.add_argument("--full-ranks", action="store_true")
    ap.add_argument("--work", default="/tmp/swtc-bench-swdnn")
    args = ap.parse_args()
    runs = swdnn_runs(os.path.join(args.swdnn, PERF))
    print(f"swDNN: measured on the chip ({PERF}), double precision, 4 core groups; "
          f"swtc: MODEL PREDICTION for {RANKS} sw26010 core groups (--ranks {RANKS}), float32\n")
    print("| B | Ni | No | input -> output | GFLOP | swDNN GFLOPS (measured) "
          "| swtc GFLOPS (predicted) | swtc % of 4-CG peak | swtc / swDNN "
          "| swtc rank: DMA GB/s, % vector flops |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for spec in args.shapes.split(","):
        b, ni, no, ro = map(int, spec.split(":"))
        k = 3
        shape = (b, ni, no, ro, ro, k)
        if shape not in runs:
            sys.exit(f"no swDNN run of shape B={b} Ni={ni} No={no} Ro=Co={ro} K={k} in {PERF}")
        measured = max(runs[shape])
        name = f"swdnn_b{b}_{ni}_{no}_{ro}"
        work = os.path.join(args.work, name)
        os.makedirs(work, exist_ok=True)
        hw = ro + k - 1
        if args.full_ranks:
            model = os.path.join(work, name + ".onnx")
            conv_models.write_conv(model, b, ni, no, hw, k, bias=False)
            prof = swtc_profile.profile(args.swtc, model, os.path.join(work, "ranks4"),
                                        ["--target", "sw26010", "--ranks", str(RANKS)], spec)
            ranks = 1
        else:
            model = os.path.join(work, f"{name}_rank.onnx")
            conv_models.write_conv(model, b // RANKS, ni, no, hw, k, bias=False)
            prof = swtc_profile.profile(args.swtc, model, os.path.join(work, "rank"),
                                        ["--target", "sw26010"], spec)
            ranks = RANKS   # the model is one rank's: the job's flops are RANKS times its
        flops = 2.0 * b * no * ro * ro * k * k * ni
        t = prof["total_seconds"]
        conv = [l for l in prof["layers"] if l["op"].startswith("Conv")]
        peak = max(l["gflops"] * 1e9 / l["peak_fraction"] for l in conv) * ranks
        # One rank's DMA bytes over its time (the full run sums the 4 ranks').
        dma = sum(l["dma_bytes"] for l in prof["layers"]) / (RANKS / ranks) / t / 1e9
        vec = 100 * sum(l["vector_flops"] for l in prof["layers"]) / sum(l["flops"] for l in prof["layers"])
        ours = flops / t / 1e9
        print(f"| {b} | {ni} | {no} | {hw}x{hw} -> {ro}x{ro} | {flops / 1e9:.1f} | {measured:.0f} "
              f"| {ours:.0f} | {100 * flops / t / peak:.1f} | {ours / measured:.2f} "
              f"| {dma:.1f}, {vec:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
