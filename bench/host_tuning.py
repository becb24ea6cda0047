#!/usr/bin/python3
"""Untuned against tuned swtc host code (`swtc tune`), side by side with ONNX
Runtime in one run: per model the median latency of the three on the same
inputs and threads, how long the tune took, what it chose, and whether the
tuned code is slower than the untuned one.

    /usr/bin/python3 bench/host_tuning.py --swtc build/tools/swtc/swtc \\
        --models-dir build/models [--models resnet18,...] [--threads 2] \\
        [--repeat 10] [--warmup 2] [--rounds 3] [--trials 8] [--tune-repeat 10] \\
        [--tune-warmup 2] [--target host] [--work DIR] [--resume]

Per model (MODEL.onnx, batch 1):
1. `swtc tune MODEL --target T --log WORK/MODEL/tuning.jsonl --trials N
   --repeat R --warmup W --threads T` (--tune-repeat, --tune-warmup); its
   wall time is "tune s". The log is started afresh unless --resume (then
   the tune continues the log a previous run left).
2. `swtc compile` without and with `--tuning-log` that log, each built
   (`make serial`); "same code" when both give identical C files (nothing
   chose other than the default, so any difference is noise).
3. --rounds rounds, each running the untuned runner, the tuned runner and
   ONNX Runtime (scripts/ort_run.js, CPU, intra-op threads T) once: --warmup
   untimed runs then the median of --repeat timed ones. Each latency is the
   median over the rounds; interleaving spreads a shared machine's load
   changes over all three.
Columns: the three latencies (ms), untuned/tuned (above 1: tuning helped),
ORT/tuned (above 1: swtc tuned is faster), the tune's wall time, its choices
(distinct kernels with a non-default tiling, of the tunable; Conv algorithms
likewise), the relative L2 difference between the tuned outputs and ORT's,
and "slower" when the tuned median is above the untuned one by more than
--noise (default 3%, the margin a measured candidate needs to beat the
default in the log, driver/tuning_log.h). Ends with geometric means and
the count of models where tuned was slower. Exit 77 if ONNX Runtime is not
installed (scripts/setup.sh). Timings on a loaded machine are noisy: say
the load (uptime) beside any figure quoted.
"""

import argparse
import filecmp
import math
import os
import re
import shutil
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import host_bench  # noqa: E402
from host_bench import swtc_vs_ort  # noqa: E402


def same_code(a, b):
    """Whether two compile folders hold identical .c and .h files."""
    names = sorted(f for f in os.listdir(a) if f.endswith((".c", ".h")))
    if names != sorted(f for f in os.listdir(b) if f.endswith((".c", ".h"))):
        return False
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def tune(args, model, log, env):
    """Runs swtc tune; returns (wall seconds, its summary line's counts)."""
    if not args.resume and os.path.exists(log):
        os.remove(log)
    t0 = time.monotonic()
    text = host_bench.run(
        [args.swtc, "tune", model, "--target", args.target, "--log", log, "--trials",
         str(args.trials), "--repeat", str(args.tune_repeat), "--warmup", str(args.tune_warmup),
         "--threads", str(args.threads)], f"swtc tune {model}", env=env)
    secs = time.monotonic() - t0
    m = re.search(r"^tuned: (\d+) of (\d+) distinct kernels choose a candidate other than the "
                  r"default(?:, (\d+) of (\d+) distinct Conv algorithms)?", text, re.M)
    if not m:
        sys.stdout.write(text)
        sys.exit("host_tuning: error: no summary line in swtc tune's output")
    kernels = f"{m.group(1)}/{m.group(2)}"
    algos = f"{m.group(3)}/{m.group(4)}" if m.group(3) else "0/0"
    return secs, kernels, algos


def bench_model(args, model, work, env):
    os.makedirs(work, exist_ok=True)
    in_args, outputs = host_bench.model_inputs(model, work)
    log = os.path.join(work, "tuning.jsonl")
    tune_s, kernels, algos = tune(args, model, log, env)
    untuned, tuned = os.path.join(work, "untuned"), os.path.join(work, "tuned")
    for d in (untuned, tuned):
        shutil.rmtree(d, ignore_errors=True)
    host_bench.build_swtc(args, model, untuned)
    host_bench.build_swtc(args, model, tuned, ["--tuning-log", log])
    times = {"untuned": [], "tuned": [], "ort": []}
    for _ in range(args.rounds):
        times["untuned"].append(host_bench.run_swtc(args, untuned, in_args,
                                                    os.path.join(work, "untuned_out"), env))
        times["tuned"].append(host_bench.run_swtc(args, tuned, in_args,
                                                  os.path.join(work, "tuned_out"), env))
        times["ort"].append(host_bench.run_ort(args, model, in_args, os.path.join(work, "ort_out")))
    med = {k: statistics.median(v) for k, v in times.items()}
    rel = max(host_bench.max_rel_l2(outputs, os.path.join(work, "tuned_out"),
                                    os.path.join(work, "ort_out")),
              host_bench.max_rel_l2(outputs, os.path.join(work, "untuned_out"),
                                    os.path.join(work, "ort_out")))
    return dict(med, tune_s=tune_s, kernels=kernels, algos=algos, rel=rel,
                same=same_code(untuned, tuned))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring (the file's head) for the method.")
    ap.add_argument("--swtc", required=True, help="the swtc binary")
    ap.add_argument("--models-dir", required=True, help="where MODEL.onnx files are")
    ap.add_argument("--models", default=host_bench.SUITE, help="comma-separated model stems")
    ap.add_argument("--threads", type=int, default=2,
                    help="OpenMP threads of swtc (tune and runs), intra-op threads of ORT")
    ap.add_argument("--repeat", type=int, default=10, help="timed runs per latency (median)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs before them")
    ap.add_argument("--rounds", type=int, default=3,
                    help="interleaved rounds of untuned, tuned and ORT (median over rounds)")
    ap.add_argument("--trials", type=int, default=8,
                    help="swtc tune --trials: candidates per kernel, the default included")
    ap.add_argument("--tune-repeat", type=int, default=10, help="swtc tune --repeat")
    ap.add_argument("--tune-warmup", type=int, default=2, help="swtc tune --warmup")
    ap.add_argument("--noise", type=float, default=0.03,
                    help="tuned counts as slower when above untuned by more than this fraction")
    ap.add_argument("--target", default="host",
                    choices=["host", "host-avx512", "host-avx2", "host-portable"])
    ap.add_argument("--work", default="/tmp/swtc-host-tuning")
    ap.add_argument("--resume", action="store_true",
                    help="continue the tuning logs left in --work instead of starting afresh")
    args = ap.parse_args()
    if min(args.repeat, args.rounds, args.trials, args.tune_repeat, args.threads) < 1 or \
            min(args.warmup, args.tune_warmup) < 0 or args.noise < 0:
        sys.exit("host_tuning: error: --repeat, --rounds, --trials, --tune-repeat, --threads >= 1; "
                 "--warmup, --tune-warmup, --noise >= 0")
    if not os.path.isdir(swtc_vs_ort.ORT_DIR):
        print("host_tuning: ONNX Runtime is not installed (scripts/setup.sh)", file=sys.stderr)
        return 77
    cpu, flags = host_bench.cpu_info()
    args.isa = host_bench.target_isa(args.target, flags)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"machine: {cpu}, {os.cpu_count()} logical cores, load average {load} at the start; "
          f"swtc target {args.target} ({args.isa} vectors); {args.threads} threads for swtc and "
          f"ONNX Runtime")
    print(f"tune: --trials {args.trials} --repeat {args.tune_repeat} --warmup {args.tune_warmup}; "
          f"latency: median over {args.rounds} interleaved rounds of the median of {args.repeat} "
          f"timed runs after {args.warmup} warm-up runs; 'slower': tuned above untuned by more "
          f"than {100 * args.noise:g}%\n")
    print("| model | untuned ms | tuned ms | ORT ms | untuned/tuned | ORT/tuned | tune s "
          "| kernels tuned | Conv algorithms tuned | rel L2 vs ORT | tuned vs untuned |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    gains, vs_ort, slower, done = [], [], [], 0
    num = host_bench.num
    for m in args.models.split(","):
        path = os.path.join(args.models_dir, m + ".onnx")
        if not os.path.exists(path):
            print(f"| {m} | n/a: no {m}.onnx | | | | | | | | | |", flush=True)
            continue
        r = bench_model(args, path, os.path.join(args.work, m), env)
        done += 1
        gain, ort = r["untuned"] / r["tuned"], r["ort"] / r["tuned"]
        gains.append(gain)
        vs_ort.append(ort)
        verdict = "same code" if r["same"] else "ok"
        if r["tuned"] > r["untuned"] * (1 + args.noise):
            verdict = ("slower (same code: noise)" if r["same"] else "slower")
            slower.append(m)
        print(f"| {m} | {num(r['untuned'])} | {num(r['tuned'])} | {num(r['ort'])} | {gain:.2f} | "
              f"{ort:.2f} | {r['tune_s']:.0f} | {r['kernels']} | {r['algos']} | {r['rel']:.1e} | "
              f"{verdict} |", flush=True)
    print()
    if gains:
        g = math.exp(sum(math.log(x) for x in gains) / len(gains))
        o = math.exp(sum(math.log(x) for x in vs_ort) / len(vs_ort))
        print(f"geometric mean over {len(gains)} models: untuned/tuned {g:.2f}, ORT/tuned {o:.2f}")
    print(f"tuned slower than untuned by more than {100 * args.noise:g}%: {len(slower)} of {done}"
          + (f" ({', '.join(slower)})" if slower else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
