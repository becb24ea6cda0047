#!/usr/bin/python3
"""A batch over MPI ranks: predicted Sunway throughput and scaling efficiency
(`swtc profile --ranks N`, one core group per rank, plus the modelled scatter
and gather between nodes; docs/perf-model.md), and the measured wall time of
the host target with `swtc run --ranks N` on this machine.

    /usr/bin/python3 bench/ranks.py --swtc build/tools/swtc/swtc \
        --models-dir build/models [--models resnet50,mobilenet_v2] [--batch 64] \
        [--ranks 1,2,4,8,16] [--host-ranks 1,2] [--repeat 5] [--per-rank] \
        [--no-predict] [--no-host] [--reuse] [--work DIR]

MODEL_b<batch>.onnx is written at run time from MODELS_DIR/MODEL.onnx (the
suite's batch-1 export: the same graph and weights, the batch dimension of the
input and output set to <batch>, the recorded intermediate shapes dropped so
swtc infers them).

Predicted: throughput = batch / (slowest rank's total + scatter + gather),
efficiency = throughput(N) / ((N / N0) x throughput(N0)), N0 the smallest N. By default each N is
`swtc profile MODEL_b<batch>.onnx --target sw26010 --ranks N` (every rank
emulated: the emulator runs the whole batch for every N). With --per-rank the
rank time is `swtc profile` of MODEL_b<batch/N>.onnx with one rank (the code
every rank of the N-rank job runs: batch/N per rank, the same compiler), and
scatter + gather are computed here with swtc's formula (src/driver/profile.cpp:
ranks off rank 0's node x one rank's input (output) bytes / 16e9 B/s, 4 core
groups per node); the emulator then runs batch/N images per N instead of
batch.

Measured (host): `swtc run MODEL_b<batch>.onnx --target host --ranks N
--repeat R --no-check` (the runner is an MPI program started with mpirun; its
median latency over R timed runs is the line "latency: ... median"), with
OMP_NUM_THREADS = cores / N so the ranks share the machine's cores.

--reuse takes a prediction from its `swtc profile` JSON left in the work
folder by an earlier run of the same command (same binary and model assumed),
so a long sweep can be done in parts. Run it
under `chrt -f 50` for stable timings; the predicted part should not be (the
emulator is heavy: nice it instead, or run it separately with --no-host).
"""

import argparse
import json
import os
import re
import subprocess
import sys

import onnx

import swtc_profile

LINK_BYTES_PER_S = 16e9   # src/driver/profile.cpp: TaihuLight injection bandwidth per node
CORE_GROUPS_PER_NODE = 4  # SW26010


def batched(models_dir, name, batch, work):
    """MODEL_b<batch>.onnx in WORK from the suite's batch-1 MODEL.onnx."""
    out = os.path.join(work, f"{name}_b{batch}.onnx")
    if os.path.exists(out):
        return out
    m = onnx.load(os.path.join(models_dir, name + ".onnx"))
    for v in list(m.graph.input) + list(m.graph.output):
        d0 = v.type.tensor_type.shape.dim[0]
        if d0.dim_value != 1:
            sys.exit(f"{name}: batch dimension of {v.name} is not 1")
        d0.dim_value = batch
    del m.graph.value_info[:]
    os.makedirs(work, exist_ok=True)
    onnx.save(m, out)
    return out


def io_bytes(path):
    g = onnx.load(path, load_external_data=False).graph
    def size(vs):
        total = 0
        for v in vs:
            n = 4  # float32 inputs and outputs in these models
            for d in v.type.tensor_type.shape.dim:
                n *= d.dim_value
            total += n
        return total
    return size(g.input), size(g.output)


def profile(args, model, out, extra, what):
    js = os.path.join(out, "profile.json")
    if args.reuse and os.path.exists(js):
        with open(js) as f:
            return json.load(f)
    return swtc_profile.profile(args.swtc, model, out, ["--target", args.target, *extra], what)


def predict(args, name, n):
    """(rank seconds, scatter seconds, gather seconds) for N ranks."""
    work = os.path.join(args.work, name)
    if args.per_rank:
        if args.batch % n:
            sys.exit(f"batch {args.batch} is not divisible by {n} ranks")
        model = batched(args.models_dir, name, args.batch // n, work)
        prof = profile(args, model, os.path.join(work, f"rank_b{args.batch // n}"), [],
                       f"batch {args.batch // n}, 1 rank")
        in_b, out_b = io_bytes(model)
        remote = max(0, n - CORE_GROUPS_PER_NODE)
        return (prof["total_seconds"], remote * in_b / LINK_BYTES_PER_S,
                remote * out_b / LINK_BYTES_PER_S)
    model = batched(args.models_dir, name, args.batch, work)
    prof = profile(args, model, os.path.join(work, f"ranks{n}"), ["--ranks", str(n)],
                   f"{n} ranks")
    return prof["total_seconds"], max(0.0, prof["scatter_seconds"]), max(0.0, prof["gather_seconds"])


def host_run(args, name, n):
    """(median latency of the slowest rank, scatter + gather) in seconds of
    `swtc run --ranks N` on the host: the runner's "latency_ms median=" (per
    timed run the slowest rank's time over its slice; swtc run reprints it as
    "latency_ms (median of R runs):") and "comm_ms" lines."""
    model = batched(args.models_dir, name, args.batch, os.path.join(args.work, name))
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, args.cores // n)))
    cmd = [args.swtc, "run", model, "--target", "host", "--ranks", str(n), "--repeat",
           str(args.repeat), "--no-check", "--work-dir",
           os.path.join(args.work, name, f"host_ranks{n}")]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"swtc run failed for {name}, {n} ranks:\n{p.stdout}")
    lat = re.search(r"^latency_ms (?:median=|\(median of \d+ runs\): )([\d.]+)", p.stdout, re.M)
    comm = re.search(r"^comm_ms scatter=([\d.]+) gather=([\d.]+)", p.stdout, re.M)
    if not lat or not comm:
        sys.exit(f"no latency_ms / comm_ms line in the output of {' '.join(cmd)}:\n{p.stdout}")
    return float(lat.group(1)) / 1e3, (float(comm.group(1)) + float(comm.group(2))) / 1e3, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--swtc", required=True)
    ap.add_argument("--models-dir", required=True)
    ap.add_argument("--models", default="resnet50,mobilenet_v2")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--ranks", default="1,2,4,8,16")
    ap.add_argument("--host-ranks", default="1,2")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument("--target", default="sw26010")
    ap.add_argument("--per-rank", action="store_true")
    ap.add_argument("--no-predict", action="store_true")
    ap.add_argument("--no-host", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--json", help="also write the numbers here")
    ap.add_argument("--work", default="/tmp/swtc-bench-ranks")
    args = ap.parse_args()
    ranks = [int(r) for r in args.ranks.split(",")]
    host_ranks = [int(r) for r in args.host_ranks.split(",")]
    out = {}
    if not args.no_predict:
        how = ("one rank's batch emulated per N (--per-rank)" if args.per_rank
               else "every rank emulated")
        print(f"MODEL PREDICTIONS for {args.target}, batch {args.batch} split over N ranks "
              f"(one core group each, {CORE_GROUPS_PER_NODE} per node; {how}; not measurements)\n")
        print("| model | ranks | batch per rank | rank ms | scatter + gather ms | images/s "
              "| speed-up | efficiency |")
        print("|---|---|---|---|---|---|---|---|")
        for name in args.models.split(","):
            res = {n: predict(args, name, n) for n in ranks}
            thr = {n: args.batch / sum(res[n]) for n in ranks}
            base = min(ranks)
            for n in ranks:
                t, sc, ga = res[n]
                speed = thr[n] / thr[base]
                eff = speed * base / n
                out.setdefault(name, {})[f"predicted_{n}"] = dict(
                    rank_seconds=t, scatter_seconds=sc, gather_seconds=ga, images_per_s=thr[n])
                print(f"| {name} | {n} | {args.batch // n} | {t * 1e3:.1f} | {(sc + ga) * 1e3:.3f} "
                      f"| {thr[n]:.1f} | {speed:.2f}x | {100 * eff:.0f}% |", flush=True)
        print()
    if not args.no_host:
        print(f"MEASURED on this machine ({args.cores} cores): host target, batch {args.batch}, "
              f"`swtc run --ranks N`, OMP_NUM_THREADS = {args.cores}/N; run: median of "
              f"{args.repeat} timed runs of the slowest rank; scatter + gather: rank 0's, "
              "once; wall = run + scatter + gather\n")
        print("| model | ranks | threads per rank | run ms (slowest rank, median) "
              "| scatter + gather ms | wall ms | images/s | speed-up |")
        print("|---|---|---|---|---|---|---|---|")
        for name in args.models.split(","):
            first = None
            for n in host_ranks:
                run, comm, log = host_run(args, name, n)
                t = run + comm
                first = first or t
                out.setdefault(name, {})[f"host_{n}"] = dict(run_seconds=run, comm_seconds=comm,
                                                             log=log)
                print(f"| {name} | {n} | {max(1, args.cores // n)} | {run * 1e3:.0f} "
                      f"| {comm * 1e3:.1f} | {t * 1e3:.0f} | {args.batch / t:.1f} "
                      f"| {first / t:.2f}x |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
