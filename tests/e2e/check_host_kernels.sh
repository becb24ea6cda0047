#!/usr/bin/env bash
# The host kernels of the small models take the paths meant for them (a
# fallback to the plain nest would still be correct, so the e2e runs would
# not notice): compiled for host-avx2 (compile only; any x86-64 machine),
# each C file must show the schedule primitive or the printed form.
#   check_host_kernels.sh SWTC MODELS_DIR WORK_DIR
set -euo pipefail
swtc=$1 models=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fail=0
expect() {  # model, what, pattern, at least
  local n
  n=$(grep -c -- "$3" "$work/$1/$1.c" || true)
  if (( n < $4 )); then
    echo "FAIL: $1: $2: '$3' found $n times, want at least $4"
    fail=1
  else
    echo "ok: $1: $2 ($n)"
  fi
}
for m in gemm depthwise mobilenet_v2 conv pool avgpool; do
  "$swtc" compile "$models/$m.onnx" --target host-avx2 -o "$work/$m" > "$work/$m.log" 2>&1 || { cat "$work/$m.log"; exit 1; }
done
expect gemm "packed weight read in place" "_in_place = " 1
expect gemm "register-blocked micro-kernel" "micro-kernel: " 1
expect depthwise "depthwise row micro-kernel" "micro-kernel: " 1
expect depthwise "tiles padded to whole vectors" "pad_tiles()" 1
# Staged rows (with their zero halo) are copied by whole and masked vectors,
# not element by element.
expect depthwise "staged rows copied by vectors" "swtc_row_in(x_l" 1
expect depthwise "the rest of a row by a masked vector" "_mm256_maskstore_ps" 1
# MobileNet-V2's 1x1 layers on 112- to 28-pixel rows take pixel vectors.
expect mobilenet_v2 "pixel vectors (tensorize the channel loop)" "tensorize(c_i, 8)" 5
expect mobilenet_v2 "pixel vectors printed" "_mm256_loadu_ps(&x_l" 5
# Its 1x1 layers hold the whole reduction in the micro-kernel: the sums are
# stored (For::overwrite), not added to the zeroed tile.
expect mobilenet_v2 "micro-kernel stores its sums" "_mm256_storeu_ps(&y_l\[.*\], swtc_acc" 5
# Its stride-2 depthwise layers take the row micro-kernel too, their input
# rows read at 2 w + kx by two loads and a permute.
expect mobilenet_v2 "stride-2 rows loaded by permutes" "_mm256_permute4x64_pd" 4
# Its classifier at batch 1 is a matrix-vector product: the packed weight
# streams from memory and is fetched ahead of the loads (one per line).
expect mobilenet_v2 "streamed weight fetched ahead" "__builtin_prefetch((const void \*)((__UINTPTR_TYPE__)(&bm_l" 2
# A Conv with channel vectors keeps its tile channels-innermost: written back
# by 8 x 8 register transposes, not element by element.
expect conv "channel-vector tile written back transposed" "swtc_copy_transposed(y_l" 1
expect conv "8 x 8 AVX transpose" "_mm256_permute2f128_ps" 8
# Pooling windows take the row micro-kernel: a max of the staged rows
# (boxes filled with -FLT_MAX) from its initial value, and a sum (the
# average's epilogue divides by the window's count, a float division).
expect pool "max-pool row micro-kernel" "micro-kernel: " 1
expect pool "vector max" "_mm256_max_ps(swtc_acc" 1
expect pool "stride-2 window rows loaded by permutes" "_mm256_permute4x64_pd" 1
expect avgpool "average-pool row micro-kernel" "micro-kernel: " 1
expect avgpool "vector sum" "_mm256_add_ps(swtc_acc" 1
exit $fail
