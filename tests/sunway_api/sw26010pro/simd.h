/* swtc's own declarations of the SW26010-Pro CPE vector subset that generated
 * code uses. For syntax checks only: the bodies exist so that gcc can
 * type-check calls. floatv8: eight floats, 32 bytes in memory. The Pro subset
 * has no simd_vsubs (generated code does not use it there). */
#ifndef SWTC_SUNWAY_API_PRO_SIMD_H
#define SWTC_SUNWAY_API_PRO_SIMD_H

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi" /* vector arguments by value */
#endif

typedef float floatv8 __attribute__((vector_size(32)));

#define simd_load(v, p) ((v) = *(const __typeof__(v) *)(p))
#define simd_store(v, p) (*(__typeof__(v) *)(p) = (v))

static inline floatv8 simd_set_floatv8(float x0, float x1, float x2, float x3, float x4,
                                       float x5, float x6, float x7) {
  const floatv8 r = {x0, x1, x2, x3, x4, x5, x6, x7};
  return r;
}
static inline floatv8 simd_vadds(floatv8 x, floatv8 y) { return x + y; }
static inline floatv8 simd_vmuls(floatv8 x, floatv8 y) { return x * y; }
/* x * y + z */
static inline floatv8 simd_vmas(floatv8 x, floatv8 y, floatv8 z) { return x * y + z; }

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif /* SWTC_SUNWAY_API_PRO_SIMD_H */
