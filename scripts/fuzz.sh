#!/usr/bin/env bash
# Runs the libFuzzer target over ONNX import, graph passes, lowering,
# scheduling and C printing (no C compiler); see docs/robustness.md.
#
#   scripts/fuzz.sh FUZZER WORK [libFuzzer options...]
#
# FUZZER is build-fuzz/fuzz/swtc_fuzz (cmake -DSWTC_FUZZ=ON with clang). WORK
# gets seeds/ (each model.onnx of the ONNX node tests, Debian's
# libonnx-testdata, once), corpus/ (what the fuzzer adds) and crashes/.
# Default options: -max_total_time=60 -timeout=20 -rss_limit_mb=4096.
set -euo pipefail
fuzzer="$1"; work="$2"; shift 2
seeds_from="${SWTC_FUZZ_SEEDS:-/usr/share/libonnx-testdata/data/node}"
mkdir -p "$work/seeds" "$work/corpus" "$work/crashes"
if [ -z "$(ls -A "$work/seeds")" ]; then
  for f in "$seeds_from"/*/model.onnx; do cp "$f" "$work/seeds/$(basename "$(dirname "$f")").onnx"; done
fi
[ $# -gt 0 ] || set -- -max_total_time=60
exec "$fuzzer" -timeout=20 -rss_limit_mb=4096 -artifact_prefix="$work/crashes/" \
  -print_final_stats=1 "$@" "$work/corpus" "$work/seeds"
