#!/usr/bin/python3
"""swtc's host code against ONNX Runtime on this machine: per model and batch
size the median latency of both on the same inputs and threads, swtc's GFLOP/s
and % of the machine's FMA peak (measured in the same run), the ratio, the
agreement, and how long swtc takes to compile the model.

    /usr/bin/python3 bench/host_bench.py --swtc build/tools/swtc/swtc \
        --models-dir build/models [--models resnet18,...] [--batch 1,8] \
        [--threads 2] [--repeat 10] [--warmup 2] [--target host] [--work DIR]

Models: the suite's file names (scripts/export_models.py): MODEL.onnx at
batch 1, MODEL_b<B>.onnx at batch B (the CNNs have _b8 variants; a missing
file is reported as such and left out of the geomean, e.g. bert_b8).
Per model: `swtc compile --report` (its wall time is "compile s"; the report
gives the compiler's flop count), `make` (the C compiler: "cc s"), then the
runner with OMP_NUM_THREADS=T, --warmup W and --repeat N, and ONNX Runtime
(scripts/ort_run.js, CPU, intra-op threads T, inter-op 1, the same warm-up
and timed runs) on the same seeded random inputs. GFLOP/s: the compiler's
flops over swtc's median (effective: a Conv computed by Winograd counts as
the direct convolution, the report's "direct flops"); % of peak: of the FMA peak the probe
bench/fma_peak.c (the file `swtc profile` embeds, runtime/peak/fma_peak.c)
measured on T threads in the ISA of the target, built here with `cc -O2
-fopenmp` and the target's vector flags. ORT/swtc above 1: swtc is faster.
rel L2: the largest relative L2 difference between swtc's and ORT's outputs.
Prints the machine and the peak, then a markdown table and the geometric
mean of ORT/swtc over the models at each batch size. Exit 77 if ONNX Runtime
is not installed (scripts/setup.sh).
"""

import argparse
import math
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import swtc_vs_ort  # noqa: E402

SUITE = "resnet18,resnet50,vgg16,vgg19,alexnet,mobilenet_v2,squeezenet1_1,bert"
PROBE = os.path.join(HERE, "fma_peak.c")
# The probe's build per ISA: what swtc's host targets pass (src/target/target.cpp).
ISA_FLAGS = {"avx512": "-DSWTC_PEAK_AVX512 -mavx512f -mavx2 -mfma",
             "avx2": "-DSWTC_PEAK_AVX2 -mavx2 -mfma", "portable": ""}


def cpu_info():
    name, flags = platform.processor(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return name, flags


def target_isa(target, flags):
    """The vectors swtc's target uses: 'host' picks the best this CPU has."""
    if target != "host":
        return target.split("-", 1)[1]
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags and "fma" in flags:
        return "avx2"
    return "portable"


def num(x):
    """3 significant digits, no exponent for ordinary values (1234, 12.3, 0.0123)."""
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}" if x else "0"


def run(cmd, what, env=None, cwd=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                       cwd=cwd)
    if p.returncode != 0:
        sys.stdout.write(p.stdout)
        sys.exit(f"host_bench: error: {what} failed (exit {p.returncode})")
    return p.stdout


def peak(isa, threads, work):
    os.makedirs(work, exist_ok=True)
    exe = os.path.join(work, "fma_peak_" + isa)
    run(["sh", "-c", f"cc -std=c99 -O2 -Wall -Wextra -Werror -fopenmp {ISA_FLAGS[isa]} "
         f"'{PROBE}' -o '{exe}'"], "building the FMA peak probe")
    text = run([exe], "the FMA peak probe", env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    gflops = float(re.search(r"\bgflops=([0-9.]+)", text).group(1))
    together = float(re.search(r"together_gflops=([0-9.]+)", text).group(1))
    got = int(re.search(r"\bthreads=(\d+)", text).group(1))
    return gflops, together, got


def model_inputs(model, work):
    """Seeded random inputs for `model` in `work` (the same on every call):
    the runner's --input arguments and the output names."""
    os.makedirs(work, exist_ok=True)
    inputs, outputs = swtc_vs_ort.make_inputs(model, work, seed=7)
    in_args = []
    for k, p in inputs.items():
        in_args += ["--input", f"{k}={os.path.abspath(p)}"]
    return in_args, outputs


def build_swtc(args, model, out, compile_args=()):
    """`swtc compile --report` into `out` and the runner's serial build.
    Returns (effective flops, compile s, cc s)."""
    name = os.path.splitext(os.path.basename(model))[0]
    t0 = time.monotonic()
    report = run([args.swtc, "compile", model, "--target", args.target, "-o", out, "-q",
                  "--report", "--name", "model", *compile_args], f"swtc compile {name}")
    compile_s = time.monotonic() - t0
    # Effective flops: with Convs by Winograd, the count of the direct
    # convolution they replace ("direct flops" in the report).
    direct = re.search(r"^direct flops: (\d+)", report, re.M)
    flops = int((direct or re.search(r"^flops: (\d+)", report, re.M)).group(1))
    cflags = re.search(r"^CFLAGS = (.*)$", open(os.path.join(out, "Makefile")).read(), re.M)
    built = ("avx512" if "-mavx512f" in cflags.group(1) else
             "avx2" if "-mavx2" in cflags.group(1) else "portable")
    if built != args.isa:
        print(f"host_bench: warning: {name} is built for {built}, the peak probe for {args.isa}",
              file=sys.stderr)
    t0 = time.monotonic()
    # The runner's serial build: one process, no MPI (what is timed is the model).
    run(["make", "-C", out, "-s", "serial"], f"building {name}")
    return flops, compile_s, time.monotonic() - t0


def run_swtc(args, out, in_args, out_dir, env):
    """The runner built by build_swtc: --warmup, then the median of --repeat runs (ms)."""
    os.makedirs(out_dir, exist_ok=True)
    text = run(["./model_serial", *in_args, "--output-dir", out_dir,
                "--repeat", str(args.repeat), "--warmup", str(args.warmup)],
               f"running {out}", env=env, cwd=out)
    return float(re.search(r"latency_ms median=([0-9.]+)", text).group(1))


def run_ort(args, model, in_args, out_dir):
    """ONNX Runtime on the same inputs: the median of --repeat runs (ms)."""
    text = run(["node", swtc_vs_ort.ORT_RUN, model, *in_args, "--output-dir", out_dir,
                "--repeat", str(args.repeat), "--warmup", str(args.warmup),
                "--threads", str(args.threads)], f"ONNX Runtime on {model}")
    return float(re.search(r'"latency_ms_median":\s*([0-9.eE+-]+)', text).group(1))


def max_rel_l2(outputs, dir_a, dir_b):
    """The largest relative L2 difference between the outputs in two folders."""
    rel = 0.0
    for o in outputs:
        a = np.load(os.path.join(dir_a, swtc_vs_ort.sanitize(o) + ".npy"))
        b = np.load(os.path.join(dir_b, swtc_vs_ort.sanitize(o) + ".npy"))
        rel = max(rel, swtc_vs_ort.rel_l2(a, b) if a.shape == b.shape else float("inf"))
    return rel


def bench_one(args, model, work, env):
    """One model file: compile, build, run swtc and ORT. Returns a dict."""
    in_args, outputs = model_inputs(model, work)
    out = os.path.join(work, "swtc")
    flops, compile_s, cc_s = build_swtc(args, model, out)
    swtc_ms = run_swtc(args, out, in_args, os.path.join(work, "swtc_out"), env)
    ort_out = os.path.join(work, "ort_out")
    ort_ms = run_ort(args, model, in_args, ort_out)
    rel = max_rel_l2(outputs, os.path.join(work, "swtc_out"), ort_out)
    return {"swtc_ms": swtc_ms, "ort_ms": ort_ms, "flops": flops, "rel_l2": rel,
            "compile_s": compile_s, "cc_s": cc_s}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default=SUITE)
    ap.add_argument("--batch", default="1,8", help="batch sizes, e.g. 1,8")
    ap.add_argument("--threads", type=int, default=2,
                    help="OpenMP threads of swtc, intra-op threads of ORT, threads of the probe")
    ap.add_argument("--repeat", type=int, default=10, help="timed runs (medians)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs before them")
    ap.add_argument("--target", default="host",
                    choices=["host", "host-avx512", "host-avx2", "host-portable"])
    ap.add_argument("--work", default="/tmp/swtc-host-bench")
    args = ap.parse_args()
    if args.repeat < 1 or args.warmup < 0 or args.threads < 1:
        sys.exit("host_bench: error: --repeat >= 1, --warmup >= 0, --threads >= 1")
    if not os.path.isdir(swtc_vs_ort.ORT_DIR):
        print("host_bench: ONNX Runtime is not installed (scripts/setup.sh)", file=sys.stderr)
        return 77
    batches = [int(b) for b in args.batch.split(",")]
    cpu, flags = cpu_info()
    isa = args.isa = target_isa(args.target, flags)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))

    gflops_peak, together, got = peak(isa, args.threads, args.work)
    print(f"machine: {cpu}, {os.cpu_count()} logical cores; swtc target {args.target} "
          f"({isa} vectors); {args.threads} threads for swtc (OMP_NUM_THREADS) and ONNX Runtime "
          f"(intra-op)")
    print(f"FMA peak (measured, bench/fma_peak.c): {gflops_peak:.1f} GFLOP/s on {got} threads "
          f"({isa}, 12 vector accumulators per thread; the sum of each thread's best trial; "
          f"all threads together at best: {together:.1f} GFLOP/s)")
    print(f"latency: median of {args.repeat} timed runs after {args.warmup} warm-up runs, "
          "both; GFLOP/s from swtc's flop count; ORT/swtc > 1: swtc is faster\n")
    print("| model | batch | swtc ms | ORT ms | swtc GFLOP/s | % of FMA peak | ORT/swtc "
          "| rel L2 swtc vs ORT | swtc compile s | cc s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {b: [] for b in batches}
    for b in batches:
        for m in args.models.split(","):
            stem = m if b == 1 else f"{m}_b{b}"
            path = os.path.join(args.models_dir, stem + ".onnx")
            if not os.path.exists(path):
                print(f"| {m} | {b} | n/a: no {stem}.onnx | | | | | | | |", flush=True)
                continue
            r = bench_one(args, path, os.path.join(args.work, stem), env)
            gf = r["flops"] / (r["swtc_ms"] * 1e-3) / 1e9
            ratio = r["ort_ms"] / r["swtc_ms"]
            ratios[b].append(ratio)
            print(f"| {m} | {b} | {num(r['swtc_ms'])} | {num(r['ort_ms'])} | {num(gf)} | "
                  f"{num(100 * gf / gflops_peak)} | {num(ratio)} | {r['rel_l2']:.1e} | "
                  f"{r['compile_s']:.2f} | {r['cc_s']:.1f} |", flush=True)
    print()
    for b in batches:
        if ratios[b]:
            g = math.exp(sum(math.log(x) for x in ratios[b]) / len(ratios[b]))
            print(f"batch {b}: geometric mean ORT/swtc {g:.2f} over {len(ratios[b])} models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
