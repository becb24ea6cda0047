/* swtc athread emulator: SW26010-Pro CPE vector types (same content as the
 * vendor subset in tests/sunway_api/sw26010pro/simd.h, with real behaviour
 * via GCC vector extensions). Clean C99 for gcc.
 * floatv8: 8 x float in one 512-bit register, 32 bytes in memory (32-byte
 * aligned). It is a separate file from include/simd.h (the SW26010 one,
 * floatv4) because both define simd_vadds etc. for their own vector type:
 * put include_pro/ BEFORE include/ on the include path of a Pro build. */
#ifndef SWEMU_SIMD_H
#define SWEMU_SIMD_H
#define SWEMU_SIMD_PRO 1

#include "swemu_ops.h"

/* 32-byte vectors by value: silence GCC's x86 ABI note; harmless on the host. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float floatv8 __attribute__((vector_size(32)));

#define simd_load(v, addr) (swemu_count_vmem(1), (v) = *(const __typeof__(v) *)(addr))
#define simd_store(v, addr) (swemu_count_vmem(1), *(__typeof__(v) *)(addr) = (v))

/* The vendor has inline functions; here they are macros with the same call
 * syntax so that no 32-byte vector crosses a call: GCC on an x86 host without
 * -mavx would otherwise warn (-Wpsabi, an error under -Werror) at every call
 * site in the CPE file.
 * Emulator only: every arithmetic operation adds its flops to the calling
 * CPE's vector counter (swemu_ops.h): vmas 2 per lane, vadds/vmuls 1 per lane
 * (8 lanes); and its LDM accesses (vector_mem): simd_load/simd_store 1,
 * simd_set_floatv8 1 if a broadcast, else 8 (to tell, it compares its
 * arguments, which may so be evaluated twice: pass side-effect-free ones). */
#define simd_set_floatv8(a, b, c, d, e, f, g, h)                                       \
  (swemu_count_vmem((a) == (b) && (a) == (c) && (a) == (d) && (a) == (e) && (a) == (f) &&  \
                            (a) == (g) && (a) == (h)                                        \
                        ? 1                                                                 \
                        : 8),                                                               \
   (floatv8){(float)(a), (float)(b), (float)(c), (float)(d), (float)(e), (float)(f),  \
             (float)(g), (float)(h)})
#define simd_vadds(a, b) (swemu_count_vector(8), (floatv8)(a) + (floatv8)(b))
#define simd_vmuls(a, b) (swemu_count_vector(8), (floatv8)(a) * (floatv8)(b))
#define simd_vmas(a, b, c) (swemu_count_vector(16), (floatv8)(a) * (floatv8)(b) + (floatv8)(c))

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
