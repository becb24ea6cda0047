/* swtc's own declarations of the SW26010-Pro CRTS interface that generated
 * code and the emulator test programs use: the MPE side under __sw_host__,
 * the CPE side under __sw_slave__. For syntax checks only (gcc -fsyntax-only):
 * no definitions, nothing runs. */
#ifndef SWTC_SUNWAY_API_CRTS_H
#define SWTC_SUNWAY_API_CRTS_H

#include <stddef.h>

#if defined(__sw_host__)

int CRTS_init(void);
/* CRTS_athread_spawn(f, arg) starts the CPE function slave_f (declared by the
 * MPE file itself); join waits for it; halt stops the CPEs. */
int __real_athread_spawn(void *fpc, void *arg);
int athread_join(void);
int athread_halt(void);
#define CRTS_athread_spawn(f, arg) __real_athread_spawn((void *)slave_##f, (arg))
#define CRTS_athread_join() athread_join()
#define CRTS_athread_halt() athread_halt()

#elif defined(__sw_slave__)

/* Storage in the CPE's local data memory (256 KB of LDM on the Pro). */
#define __thread_local __attribute__((section(".tdata_local")))
#define __thread_local_fix __attribute__((section(".tdata_local_fix")))

/* The reply word of the asynchronous DMAs. */
typedef volatile int crts_rply_t;

/* This CPE's id, 0..63. */
extern __thread_local_fix int _PEN;
#define CRTS_tid (_PEN)

/* Asynchronous DMA, len bytes (under 256 KB); *reply grows by one when done.
 * iget: main memory (src) to LDM (dest); iput: LDM (src) to main memory
 * (dest). The _stride forms take bsize bytes and skip stride bytes, repeated. */
int CRTS_dma_iget(void *dest, void *src, size_t len, crts_rply_t *reply);
int CRTS_dma_iput(void *dest, void *src, size_t len, crts_rply_t *reply);
int CRTS_dma_iget_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply);
int CRTS_dma_iput_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply);
/* Blocking DMA. */
int CRTS_dma_get(void *dest, void *src, size_t len);
int CRTS_dma_put(void *dest, void *src, size_t len);
/* Returns once *reply >= value. */
int CRTS_dma_wait_value(crts_rply_t *reply, int value);
/* Barrier over the core group's 64 CPEs. */
int CRTS_ssync_array(void);

#else
#error "crts.h: compile MPE files with -D__sw_host__ and CPE files with -D__sw_slave__"
#endif

#endif /* SWTC_SUNWAY_API_CRTS_H */
