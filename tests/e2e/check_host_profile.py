#!/usr/bin/python3
"""check_host_profile.py SWTC MODEL WORK [TARGET]: `swtc profile --target host*` measures
every kernel on this machine: it says so (never "model prediction"), prints the FMA
peak its probe measured, writes the Sunway profile's JSON keys with one row per
kernel (measured seconds > 0, GFLOP/s = compiler flops / seconds, % of peak in
(0, 150]) and an SVG chart labelled "measured"; and the per-kernel timers are
only in the profile build: `swtc compile` writes the same C file without them."""
import json
import os
import re
import subprocess
import sys

swtc, model, work = sys.argv[1:4]
target = sys.argv[4] if len(sys.argv) > 4 else "host"
name = os.path.splitext(os.path.basename(model))[0]
prof_dir = os.path.join(work, "profile")
p = subprocess.run([swtc, "profile", model, "--target", target, "--work-dir", prof_dir,
                    "--json", work + "/profile.json", "--svg", work + "/profile.svg",
                    "--repeat", "5", "--threads", "2"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(p.stdout)
assert p.returncode == 0, "swtc profile failed"
assert "MEASURED on this machine" in p.stdout, p.stdout
assert "FMA peak (measured):" in p.stdout and "on 2 threads" in p.stdout, p.stdout
assert "MODEL PREDICTION" not in p.stdout and "(model prediction)" not in p.stdout

src = open(os.path.join(prof_dir, name + ".c")).read()
# The kernels (swtc_* functions are the file's helpers, e.g. swtc_copy_transposed).
kernels = [k for k in re.findall(r"^static void (\w+)\(", src, re.M) if not k.startswith("swtc_")]
assert kernels, "no kernel in the generated C file"

j = json.load(open(work + "/profile.json"))
for key in ["model", "target", "schedule", "core_groups", "total_seconds", "layers", "note",
            "measured", "run_seconds", "peak_flops", "threads", "isa"]:
    assert key in j, key
assert j["measured"] is True and "not a model prediction" in j["note"], j["note"]
assert j["threads"] == 2 and j["peak_flops"] > 0 and j["run_seconds"] > 0, j
assert [l["name"] for l in j["layers"]] == kernels, ([l["name"] for l in j["layers"]], kernels)
for layer in j["layers"]:
    for key in ["name", "op", "seconds", "gflops", "peak_fraction", "dma_bytes", "ldm_bytes",
                "flops", "compiler_flops", "bound_fraction", "min_seconds"]:
        assert key in layer, key
    assert layer["seconds"] > 0 and 0 < layer["min_seconds"] <= layer["seconds"], layer
    assert layer["flops"] == layer["compiler_flops"], layer
    want = layer["flops"] / layer["seconds"] / 1e9
    assert abs(layer["gflops"] - want) <= 1e-9 * max(1.0, want), (layer, want)
    frac = layer["flops"] / layer["seconds"] / j["peak_flops"]
    assert abs(layer["peak_fraction"] - frac) <= 1e-9 * max(1.0, frac), layer
    if layer["flops"] > 0:
        assert 0 < 100 * layer["peak_fraction"] <= 150, layer
assert abs(sum(l["seconds"] for l in j["layers"]) - j["total_seconds"]) < 1e-12

svg = open(work + "/profile.svg").read()
assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg"), svg[:80]
assert "(measured)" in svg and "prediction" not in svg
for layer in j["layers"]:
    assert layer["name"] in svg, layer["name"]

# The timers are added only for the profile: without them the file is what
# `swtc compile` writes (byte for byte).
plain_dir = os.path.join(work, "compile")
subprocess.run([swtc, "compile", model, "--target", target, "-o", plain_dir], check=True,
               stdout=subprocess.DEVNULL)
plain = open(os.path.join(plain_dir, name + ".c")).read()
assert "omp_get_wtime" not in plain and "_kernel_seconds" not in plain
stripped = re.sub(r"\n/\* swtc profile hooks:.*?_kernel_names\[\] = \{[^\n]*\};\n", "", src,
                  flags=re.S)
stripped = "".join(l for l in stripped.splitlines(True)
                   if "swtc_t0" not in l)
assert stripped == plain, "the profile build differs from `swtc compile` beyond the timers"
print("host profile OK:", len(j["layers"]), "kernels")
