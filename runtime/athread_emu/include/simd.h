/* swtc athread emulator: SW26010 CPE vector types (same content as the vendor subset
 * in tests/sunway_api/sw26010/simd.h, with real behaviour via GCC vector extensions).
 * Clean C99 for gcc.
 * floatv4: 4 x float, 16 bytes in memory (16-byte aligned), one 256-bit register.
 * doublev4: 4 x double, 32 bytes (32-byte aligned). Peak is the same for both.
 * Emulator only: every arithmetic operation adds its flops to the calling
 * CPE's vector counter (swemu_ops.h): vmas/vmss/vmad 2 per lane,
 * vadds/vsubs/vmuls/vaddd/vmuld 1 per lane (4 lanes); and its LDM accesses
 * (vector_mem): simd_load/simd_store 1, simd_set 1 if a broadcast, else 4. */
#ifndef SWEMU_SIMD_H
#define SWEMU_SIMD_H

#include "swemu_ops.h"

/* 32-byte vectors by value: silence GCC's x86 ABI note; harmless on the host. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float floatv4 __attribute__((vector_size(16)));
typedef double doublev4 __attribute__((vector_size(32)));

#define simd_load(v, addr) (swemu_count_vmem(1), (v) = *(const __typeof__(v) *)(addr))
#define simd_store(v, addr) (swemu_count_vmem(1), *(__typeof__(v) *)(addr) = (v))

static inline floatv4 simd_set_floatv4(float a, float b, float c, float d) {
  floatv4 v = {a, b, c, d};
  swemu_count_vmem(a == b && a == c && a == d ? 1 : 4);
  return v;
}
static inline floatv4 simd_vadds(floatv4 a, floatv4 b) {
  swemu_count_vector(4);
  return a + b;
}
static inline floatv4 simd_vsubs(floatv4 a, floatv4 b) {
  swemu_count_vector(4);
  return a - b;
}
static inline floatv4 simd_vmuls(floatv4 a, floatv4 b) {
  swemu_count_vector(4);
  return a * b;
}
static inline floatv4 simd_vmas(floatv4 a, floatv4 b, floatv4 c) {
  swemu_count_vector(8);
  return a * b + c;
}
static inline floatv4 simd_vmss(floatv4 a, floatv4 b, floatv4 c) {
  swemu_count_vector(8);
  return a * b - c;
}

static inline doublev4 simd_set_doublev4(double a, double b, double c, double d) {
  doublev4 v = {a, b, c, d};
  swemu_count_vmem(a == b && a == c && a == d ? 1 : 4);
  return v;
}
static inline doublev4 simd_vaddd(doublev4 a, doublev4 b) {
  swemu_count_vector(4);
  return a + b;
}
static inline doublev4 simd_vmuld(doublev4 a, doublev4 b) {
  swemu_count_vector(4);
  return a * b;
}
static inline doublev4 simd_vmad(doublev4 a, doublev4 b, doublev4 c) {
  swemu_count_vector(8);
  return a * b + c;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
