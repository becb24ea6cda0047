/* swtc athread emulator: per-CPE operation counters reached from CPE code
 * without a function call (emulator only; the vendor headers have no such
 * thing). Included by the emulator's slave.h, crts.h and both simd.h.
 * Clean C99 for gcc.
 *
 * Every CPE thread runs on a stack slot of one region the emulator maps at
 * start: slot i is [swemu_cpe_stacks + i * 2^shift, + 2^shift), and its
 * first bytes (below a guard page and the usable stack) hold that CPE's
 * counters. So the counters of the running CPE are found from the address of
 * the current stack frame by a subtraction, a compare and a mask: cheap enough
 * to count every vector operation and every scalar floating-point store.
 * Outside a CPE (the MPE, another thread) nothing is counted. The emulator
 * zeroes them when a kernel is spawned and adds them to the launch's
 * counters at join. */
#ifndef SWEMU_OPS_H
#define SWEMU_OPS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct swemu_op_counts {
  long long scalar_flops; /* floating-point operations of scalar code */
  long long vector_flops; /* floating-point operations done by SIMD instructions */
  long long vector_mem;   /* LDM accesses of vector code: simd_load/simd_store, and
                             simd_set (1 for a broadcast, else one per lane) */
} swemu_op_counts;

extern uintptr_t swemu_cpe_stacks;       /* base of the region (0: no CPE pool yet) */
extern uintptr_t swemu_cpe_stacks_bytes; /* 64 slots */
extern unsigned swemu_cpe_stack_shift;   /* slot size = 2^shift bytes */

static inline swemu_op_counts *swemu_ops_here(void) {
  const uintptr_t off = (uintptr_t)__builtin_frame_address(0) - swemu_cpe_stacks;
  if (off >= swemu_cpe_stacks_bytes) return (swemu_op_counts *)0;
  return (swemu_op_counts *)(swemu_cpe_stacks +
                             ((off >> swemu_cpe_stack_shift) << swemu_cpe_stack_shift));
}
/* n floating-point operations of scalar code / of SIMD instructions. */
static inline void swemu_count_scalar(long n) {
  swemu_op_counts *c = swemu_ops_here();
  if (c) c->scalar_flops += n;
}
static inline void swemu_count_vector(long n) {
  swemu_op_counts *c = swemu_ops_here();
  if (c) c->vector_flops += n;
}
static inline void swemu_count_vmem(long n) {
  swemu_op_counts *c = swemu_ops_here();
  if (c) c->vector_mem += n;
}

/* What generated CPE code uses (inside #ifdef, so that the vendor headers
 * and sw5cc see nothing):
 * SWEMU_SCALAR_FLOPS(n): after each scalar floating-point store, the number
 * of floating-point operations in the stored expression.
 * SWEMU_LDM_ARENA(arena): at file scope after the definition of the
 * __thread_local array `arena` that holds the kernels' LDM buffers; registers
 * it (a constructor) so that the emulator fills it with a pattern before every
 * launch and reports the highest byte a launch wrote (DMA or stores) as the
 * LDM it used. */
#define SWEMU_SCALAR_FLOPS(n) swemu_count_scalar(n)
extern void swemu_register_ldm_arena(void *(*where)(void), size_t bytes);
#define SWEMU_LDM_ARENA(arena)                                                     \
  static void *swemu_ldm_arena_where(void) { return (void *)(arena); }            \
  static void swemu_ldm_arena_register(void) __attribute__((constructor));         \
  static void swemu_ldm_arena_register(void) {                                     \
    swemu_register_ldm_arena(swemu_ldm_arena_where, sizeof(arena));                \
  }

#ifdef __cplusplus
}
#endif

#endif
