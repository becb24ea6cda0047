#!/usr/bin/python3
"""check_host_tuning.py SWTC MODELS_DIR WORK: bench/host_tuning.py runs end to
end on a tiny model with a Winograd-able Conv (conv_relu_add; 2 trials, 2 timed
runs, 1 thread: not a timing test): it prints the machine with its load, one
table row with positive latencies, ratios that match them, the tune's time
and choices, tuned outputs agreeing with ONNX Runtime, a verdict, and the
summary lines; a missing model gets a row saying so. --help works. Exit 77 if
ONNX Runtime is not installed."""
import os
import re
import subprocess
import sys

swtc, models, work = sys.argv[1:4]
bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                     "host_tuning.py")
h = subprocess.run([sys.executable, bench, "--help"], stdout=subprocess.PIPE, text=True)
assert h.returncode == 0 and "--trials" in h.stdout and "--rounds" in h.stdout, h.stdout
p = subprocess.run([sys.executable, bench, "--swtc", swtc, "--models-dir", models,
                    "--models", "conv_relu_add,no_such_model", "--threads", "1", "--repeat", "2",
                    "--warmup", "1", "--rounds", "2", "--trials", "2", "--tune-repeat", "2",
                    "--tune-warmup", "0", "--work", work],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(p.stdout)
if p.returncode == 77:
    sys.exit(77)
assert p.returncode == 0, "host_tuning.py failed"
out = p.stdout
assert re.search(r"^machine: .*, \d+ logical cores, load average [0-9.]+ [0-9.]+ [0-9.]+ at the "
                 r"start; swtc target host \((avx512|avx2|portable) vectors\); 1 threads", out,
                 re.M), out
assert "| no_such_model | n/a: no no_such_model.onnx |" in out, out
rows = [l.split("|")[1:-1] for l in out.splitlines() if l.startswith("| conv_relu_add |")]
assert len(rows) == 1, rows
c = [x.strip() for x in rows[0]]
untuned, tuned, ort, gain, vs_ort, tune_s = (float(x) for x in c[1:7])
assert untuned > 0 and tuned > 0 and ort > 0 and tune_s > 0, c
assert abs(gain - untuned / tuned) <= 0.02 * gain + 0.01, c
assert abs(vs_ort - ort / tuned) <= 0.02 * vs_ort + 0.01, c
k_chosen, k_all = (int(x) for x in c[7].split("/"))
a_chosen, a_all = (int(x) for x in c[8].split("/"))
assert 0 <= k_chosen <= k_all and k_all >= 1, c
assert a_all == 1 and 0 <= a_chosen <= 1, c  # its 3x3 stride-1 Conv
assert float(c[9]) <= 1e-4, c
assert c[10] in ("ok", "same code", "slower", "slower (same code: noise)"), c
assert re.search(r"^geometric mean over 1 models: untuned/tuned [0-9.]+, ORT/tuned [0-9.]+$", out,
                 re.M), out
assert re.search(r"^tuned slower than untuned by more than 3%: [01] of 1", out, re.M), out
assert os.path.getsize(os.path.join(work, "conv_relu_add", "tuning.jsonl")) > 0
print("host_tuning OK")
