#!/usr/bin/python3
"""check_host_bench.py SWTC MODELS_DIR WORK: bench/host_bench.py runs end to end
on two small models (2 timed runs, 1 thread; not a timing test): it prints the
machine and the measured FMA peak, one table row per model and batch (a
missing batch-8 file reported as such), swtc and ONNX Runtime agreeing, and
the geometric mean. Exit 77 if ONNX Runtime is not installed."""
import os
import re
import subprocess
import sys

swtc, models, work = sys.argv[1:4]
bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                     "host_bench.py")
p = subprocess.run([sys.executable, bench, "--swtc", swtc, "--models-dir", models,
                    "--models", "conv,gemm", "--batch", "1,8", "--threads", "1", "--repeat", "2",
                    "--warmup", "1", "--work", work],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(p.stdout)
if p.returncode == 77:
    sys.exit(77)
assert p.returncode == 0, "host_bench.py failed"
out = p.stdout
assert re.search(r"^machine: .*, \d+ logical cores; swtc target host \((avx512|avx2|portable) "
                 r"vectors\); 1 threads", out, re.M), out
peak = float(re.search(r"^FMA peak \(measured, bench/fma_peak.c\): ([0-9.]+) GFLOP/s on 1 threads",
                       out, re.M).group(1))
assert peak > 0
rows = [l.split("|")[1:-1] for l in out.splitlines() if re.match(r"\| (conv|gemm) \|", l)]
assert len(rows) == 4, rows
for cells in rows:
    cells = [c.strip() for c in cells]
    if cells[1] == "8":
        assert cells[2].startswith("n/a: no ") and cells[2].endswith("_b8.onnx"), cells
        continue
    swtc_ms, ort_ms, gflops, pct, ratio, rel = (float(c) for c in cells[2:8])
    assert swtc_ms > 0 and ort_ms > 0 and gflops > 0 and pct > 0, cells
    assert abs(ratio - ort_ms / swtc_ms) <= 0.02 * ratio + 1e-3, cells  # printed to 3 digits
    assert rel <= 1e-4, cells
    assert float(cells[8]) >= 0 and float(cells[9]) > 0, cells
assert re.search(r"^batch 1: geometric mean ORT/swtc [0-9.]+ over 2 models$", out, re.M), out
assert not re.search(r"^batch 8:", out, re.M), out
print("host_bench OK")
