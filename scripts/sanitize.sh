#!/usr/bin/env bash
# ASan + UBSan over swtc and the code it generates (issue 13, item 6; see
# docs/robustness.md):
#
#   bash scripts/sanitize.sh [BUILD_DIR] [extra ctest options...]
#
# Builds swtc with clang -fsanitize=address,undefined (-DSWTC_SANITIZE=ON,
# BUILD_DIR, default build-asan), then runs the end-to-end tests of the small
# models, the small op models (N-D pools, ConvTranspose, integer ops, scalars, INT_MIN / -1)
# and ResNet-18 on host, sw26010 and sw26010pro with the generated code built
# by `swtc run` with -fsanitize=address,undefined too (SWTC_CFLAGS: the host C
# file; on Sunway targets the MPE and CPE files and the athread emulator
# runtime). Any ASan or UBSan report (a leak included) makes the swtc process
# or the model's runner exit non-zero, so its test fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
B="${1:-build-asan}"
[ $# -gt 0 ] && shift
JOBS="$(nproc 2>/dev/null || echo 2)"

CC=clang CXX=clang++ cmake -S . -B "$B" -DSWTC_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$JOBS" --target swtc swtc_models

export SWTC_CFLAGS="-g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
# fast_unwind_on_malloc=0: whole allocation stacks, so that the leaks Open MPI
# keeps at exit (every runner links MPI) match scripts/lsan_mpi.supp; a leak
# of our code is still reported.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1:fast_unwind_on_malloc=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/scripts/lsan_mpi.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

small='conv|conv_relu_add|conv_strided|gemm|pool|reshape|flatten'
ops='maxpool1d|maxpool3d_dil|avgpool1d|avgpool3d|gap3d|convtranspose|int_[a-z0-9_]+|reshape_empty|scalar_[a-z0-9_]+'
ctest --test-dir "$B" --output-on-failure -j"$JOBS" \
  -R "^e2e\.(($small|$ops)\.(host|sw26010|sw26010pro)|resnet18\.sanitize\..*)\$" "$@"
