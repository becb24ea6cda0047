/* swtc athread emulator: CPE (compute core) side of the athread API.
 * Same names and signatures as the vendor's slave.h (see
 * tests/sunway_api/sw26010/slave.h). Clean C99 (uses GCC's __thread).
 *
 * LDM is emulated by thread-local storage: every CPE is a host thread, and
 * __thread_local data is that thread's TLS. Write `static __thread_local T x;`
 * (storage class first: GCC requires __thread to follow static/extern). */
#ifndef SWEMU_SLAVE_H
#define SWEMU_SLAVE_H

#include "swemu_ops.h" /* emulator-only counters and LDM arena registration */

#ifdef __cplusplus
extern "C" {
#endif

/* Variables placed in the (emulated) 64 KB local data memory of each CPE. */
#define __thread_local __thread
#define __thread_local_fix __thread

typedef enum { PE_MODE, BCAST_MODE, ROW_MODE, BROW_MODE, RANK_MODE } dma_mode;
typedef enum { ROW_SCOPE, COL_SCOPE, ARRAY_SCOPE } scope;

/* Main memory -> LDM. `reply` (a volatile int in LDM, passed as (void *)) is
 * incremented when the transfer completes. stride/bsize: 0/0 for a contiguous
 * transfer, else take bsize bytes, skip stride bytes, repeat until len bytes
 * have been taken (len must be a multiple of bsize). The emulator copies
 * synchronously, so the reply word is already incremented on return. */
extern int athread_get(dma_mode mode, void *src, void *dest, int len, void *reply,
                       char mask, int stride, int bsize);
/* LDM -> main memory (scatter on the main-memory side with stride/bsize). */
extern int athread_put(dma_mode mode, void *src, void *dest, int len, void *reply,
                       int stride, int bsize);
extern int athread_get_id(int core); /* -1: this CPE */
extern int athread_syn(scope scp, int mask);

/* Vendor: `extern __thread_local_fix int _MYID; extern ... char _ROW, _COL;`.
 * Emulator: functions of the calling host thread. 8x8 mesh: row = id / 8. */
extern int swemu_myid(void);
#define _MYID (swemu_myid())
#define _ROW ((char)(swemu_myid() >> 3))
#define _COL ((char)(swemu_myid() & 7))

/* Emulator only (the vendor header lacks it): add n floating-point operations
 * to this CPE's counter. Generated code calls it inside #ifdef SWEMU. */
extern void swemu_count_flops(long n);

#ifdef __cplusplus
}
#endif

#endif
