/* swtc athread emulator: SW26010-Pro CRTS API (crts.h), MPE side
 * (-D__sw_host__) and CPE side (-D__sw_slave__). Same names, signatures and
 * argument orders as the vendor subset in tests/sunway_api/sw26010pro/crts.h;
 * the behaviour is in athread_emu.c (64 CPEs of one core group on host
 * threads). Clean C99 (uses GCC's __thread).
 *
 * A program that starts its CPEs through this header (CRTS_init or
 * CRTS_athread_spawn) runs with the Pro LDM size, 256 KB per CPE (unless
 * athread_emu.c was compiled with -DSWEMU_LDM_BYTES_DEFAULT=N or the
 * environment sets SWEMU_LDM_BYTES). athread_emu.c itself defines
 * SWEMU_CRTS_BOTH to see both halves. */
#ifndef SWEMU_CRTS_H
#define SWEMU_CRTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(__sw_host__) && !defined(__sw_slave__) && !defined(SWEMU_CRTS_BOTH)
#error "define __sw_host__ (MPE file) or __sw_slave__ (CPE file)"
#endif

#if defined(__sw_host__) || defined(SWEMU_CRTS_BOTH)
/* Starts the 64 CPE threads with the Pro LDM size; idempotent. */
extern int CRTS_init(void);
extern int __real_athread_spawn(void *fpc, void *arg);
extern int athread_join(void);
extern int athread_halt(void);

/* Emulator entry: spawn `fpc` (slave_<name>) on the 64 CPEs, Pro chip. */
extern int swemu_crts_spawn(void *fpc, void *arg, const char *name);

/* The CPE function `f` is the symbol `slave_f`; the MPE file declares it
 * itself, e.g. `extern void slave_f(void *);`. */
#define CRTS_athread_spawn(f, arg) swemu_crts_spawn((void *)slave_##f, (arg), #f)
#define CRTS_athread_join() athread_join()
#define CRTS_athread_halt() athread_halt()
#endif

#if defined(__sw_slave__) || defined(SWEMU_CRTS_BOTH)
#include "swemu_ops.h" /* emulator-only counters and LDM arena registration */
/* LDM (256 KB per CPE on the Pro) = this CPE thread's TLS. Write
 * `static __thread_local T x;` (GCC requires __thread after static/extern). */
#define __thread_local __thread
#define __thread_local_fix __thread
typedef volatile int crts_rply_t;

/* Vendor: `extern __thread_local_fix int _PEN;` (0..63). Emulator: the
 * calling host thread's CPE number. */
extern int swemu_myid(void);
#define _PEN (swemu_myid())
#define CRTS_tid (_PEN)

/* DMA. The emulator copies synchronously, then adds 1 to *reply, so a
 * transfer is complete when its call returns. get: dest in LDM, src in main
 * memory. put: dest in main memory, src in LDM. 0 < len < 256 KB (an 18-bit
 * field). _stride forms: bsize bytes of main memory taken, stride bytes
 * skipped, repeated until len bytes (len a multiple of bsize); the LDM side is
 * contiguous. */
extern int CRTS_dma_iget(void *dest, void *src, size_t len, crts_rply_t *reply);
extern int CRTS_dma_iput(void *dest, void *src, size_t len, crts_rply_t *reply);
extern int CRTS_dma_iget_stride(void *dest, void *src, size_t len, size_t bsize,
                                size_t stride, crts_rply_t *reply);
extern int CRTS_dma_iput_stride(void *dest, void *src, size_t len, size_t bsize,
                                size_t stride, crts_rply_t *reply);
/* Blocking forms (one transfer each in the counters; no reply word). */
extern int CRTS_dma_get(void *dest, void *src, size_t len);
extern int CRTS_dma_put(void *dest, void *src, size_t len);
/* Wait until *reply >= value. Since every transfer has completed on return,
 * a wait that is not already satisfied can never end: the emulator reports
 * it (exit 3) instead of hanging. */
extern int CRTS_dma_wait_value(crts_rply_t *reply, int value);
/* Barrier over the 64 CPEs of this core group. */
extern int CRTS_ssync_array(void);

/* Emulator only (not in the vendor header): add n floating-point operations
 * to this CPE's counter. Generated code calls it inside #ifdef SWEMU. */
extern void swemu_count_flops(long n);
#endif

#ifdef __cplusplus
}
#endif

#endif
