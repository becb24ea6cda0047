/* swtc's own declarations of the SW26010 CPE vector subset (sw5cc -msimd)
 * that generated code uses. For syntax checks only: the bodies below exist so
 * that gcc can type-check calls; nothing here is the vendor's code.
 * floatv4: four floats, 16 bytes in memory. */
#ifndef SWTC_SUNWAY_API_SIMD_H
#define SWTC_SUNWAY_API_SIMD_H

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi" /* vector arguments by value */
#endif

typedef float floatv4 __attribute__((vector_size(16)));

/* simd_load(v, p): v = the vector at p; simd_store(v, p): the vector at p = v. */
#define simd_load(v, p) ((v) = *(const __typeof__(v) *)(p))
#define simd_store(v, p) (*(__typeof__(v) *)(p) = (v))

static inline floatv4 simd_set_floatv4(float x0, float x1, float x2, float x3) {
  const floatv4 r = {x0, x1, x2, x3};
  return r;
}
static inline floatv4 simd_vadds(floatv4 x, floatv4 y) { return x + y; }
static inline floatv4 simd_vsubs(floatv4 x, floatv4 y) { return x - y; }
static inline floatv4 simd_vmuls(floatv4 x, floatv4 y) { return x * y; }
/* x * y + z */
static inline floatv4 simd_vmas(floatv4 x, floatv4 y, floatv4 z) { return x * y + z; }

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif /* SWTC_SUNWAY_API_SIMD_H */
