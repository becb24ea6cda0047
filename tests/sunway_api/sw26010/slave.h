/* swtc's own declarations of the SW26010 CPE (compute core) athread calls that
 * generated code and the emulator test programs use. For syntax checks only
 * (gcc -fsyntax-only -D__sw_slave__): no definitions, nothing runs. */
#ifndef SWTC_SUNWAY_API_SLAVE_H
#define SWTC_SUNWAY_API_SLAVE_H

/* Storage in the CPE's local data memory (64 KB of LDM). */
#define __thread_local __attribute__((section(".tdata_local")))
#define __thread_local_fix __attribute__((section(".tdata_local_fix")))

/* DMA modes, in the vendor's order. Generated code uses PE_MODE (this CPE
 * only) and BCAST_MODE (a get issued by one CPE that fills the same LDM
 * address in every CPE of the rows given by the mask, bracketed by
 * athread_syn; a packed weight block shared by a row or by all 64 CPEs). */
typedef enum { PE_MODE, BCAST_MODE, ROW_MODE, BROW_MODE, RANK_MODE } dma_mode;
/* Barrier scopes of athread_syn. */
typedef enum { ROW_SCOPE, COL_SCOPE, ARRAY_SCOPE } scope;

/* Main memory (src) to LDM (dest), len bytes. The reply word (a volatile int,
 * passed as (void *)&word) grows by one when the transfer is done. mask: CPE
 * rows of a broadcast. stride/bsize: bsize bytes taken, stride bytes skipped,
 * repeated (0 and 0: contiguous). */
int athread_get(dma_mode mode, void *src, void *dest, int len, void *reply, char mask,
                int stride, int bsize);
/* LDM (src) to main memory (dest): the same, without a mask. */
int athread_put(dma_mode mode, void *src, void *dest, int len, void *reply, int stride,
                int bsize);
/* The id of a CPE; -1 asks for this CPE's. */
int athread_get_id(int core);
/* Barrier over the CPEs of a row, a column or the whole core group. */
int athread_syn(scope scp, int mask);

/* This CPE: its id 0..63, and its row and column in the 8 x 8 mesh. */
extern __thread_local_fix int _MYID;
extern __thread_local_fix char _ROW, _COL;

#endif /* SWTC_SUNWAY_API_SLAVE_H */
