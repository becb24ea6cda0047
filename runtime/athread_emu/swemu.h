/* swtc athread emulator: emulator-only extension API (not in the vendor
 * headers). Use it from a runner or test under `#ifdef SWEMU`. Clean C99/C++. */
#ifndef SWEMU_H
#define SWEMU_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linker flags that let the emulator see the program's heap blocks (for the
 * main-memory bounds check of every DMA). Without them heap tracking is off
 * and main-memory bounds are not checked (a warning says so). Libraries:
 * -lpthread -ldl. */
#define SWEMU_LDFLAGS                                                              \
  "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,"                    \
  "--wrap=posix_memalign,--wrap=aligned_alloc,--wrap=memalign,--wrap=valloc"
#define SWEMU_LIBS "-lpthread -ldl"

/* LDM model: the LDM size per CPE is, first found: env SWEMU_LDM_BYTES;
 * -DSWEMU_LDM_BYTES_DEFAULT=N given when compiling athread_emu.c; else
 * SWEMU_LDM_DEFAULT_BYTES (SW26010) if the CPEs were started through
 * athread.h (athread_init/athread_spawn) and SWEMU_LDM_PRO_BYTES
 * (SW26010-Pro) if through crts.h (CRTS_init/CRTS_athread_spawn).
 * SWEMU_LDM_RESERVE_BYTES of it are kept for the CPE stack and arguments; the
 * rest is the budget for __thread_local data. */
#define SWEMU_LDM_DEFAULT_BYTES 65536
#define SWEMU_LDM_PRO_BYTES 262144
#define SWEMU_LDM_RESERVE_BYTES 4096
#define SWEMU_NUM_CPES 64
/* Bins of the transfer-size histograms (swemu_counters): 1 B .. 512 KB and up. */
#define SWEMU_DMA_SIZE_BINS 20

/* Name a main-memory buffer (also makes it a valid DMA target even if the
 * emulator could not see it otherwise, e.g. a stack array or a C++ `new`). */
void swemu_register_buffer(const char *name, const void *p, size_t bytes);
void swemu_unregister_buffer(const void *p);

/* Static LDM use (the executable's PT_TLS size) and the budget it is held to. */
size_t swemu_ldm_static_bytes(void);
size_t swemu_ldm_budget_bytes(void);

/* CPE side: this CPE's LDM block (its TLS block) — for tests. Returns 0 on a
 * CPE, -1 elsewhere. */
int swemu_ldm_range(void **base, size_t *bytes);
int swemu_myid(void);
void swemu_count_flops(long n);

/* Counters, per kernel launch and per CPE. */
/* flops: all floating-point operations (swemu_count_flops, SWEMU_SCALAR_FLOPS
 * and the simd.h operations); vector_flops: the part done by simd.h
 * operations; ldm_bytes: the LDM this CPE used in the launch, observed on the
 * arena registered by SWEMU_LDM_ARENA (0 if none is registered). */
typedef struct swemu_counters {
  long long get_bytes, get_count, put_bytes, put_count, flops, vector_flops, ldm_bytes;
  /* LDM accesses of vector code (simd_load/store/set, see simd.h). */
  long long vector_mem;
  /* The strided part of the DMA above (get + put): descriptors, their blocks, their bytes. */
  long long stride_count, stride_blocks, stride_bytes;
  /* Broadcasts this CPE issued (athread_get(BCAST_MODE, ...)) and their bytes
   * (read once from main memory; not part of get_bytes/get_count), and the
   * barriers (athread_syn, CRTS_ssync_array) this CPE passed. */
  long long bcast_count, bcast_bytes, syn_count;
  /* Transfer sizes: bin b holds the sizes in [2^b, 2^(b+1)) bytes (the last
   * bin everything from 2^(SWEMU_DMA_SIZE_BINS-1) up). size_*: the
   * contiguous gets and puts (transfers and bytes per bin of their length);
   * block_*: the strided ones (blocks and bytes per bin of their bsize). The
   * sums over the bins are the contiguous and the strided parts of the
   * totals above. */
  long long size_count[SWEMU_DMA_SIZE_BINS], size_bytes[SWEMU_DMA_SIZE_BINS];
  long long block_count[SWEMU_DMA_SIZE_BINS], block_bytes[SWEMU_DMA_SIZE_BINS];
} swemu_counters;

/* Number of launches recorded since start or the last reset. */
int swemu_launch_count(void);
/* Kernel name and wall time of launch i (0-based); NULL if out of range. */
const char *swemu_launch_kernel(int launch, double *seconds);
/* Counters of CPE `cpe` in launch `launch`; 0 on success, -1 if out of range. */
int swemu_launch_counters(int launch, int cpe, swemu_counters *out);

/* Table per kernel name to f: launches, seconds, total get/put bytes and
 * transfers, max_cpe_bytes (sum over launches of the largest per-CPE
 * get+put bytes: the DMA critical path), flops, vector flops, the largest LDM
 * used (-1 without a registered arena). */
void swemu_report(FILE *f);
/* All counters as JSON:
 * {"ldm_static_bytes":N, "ldm_budget_bytes":N, "launches_dropped":N,
 *  ["core_group":K,] (only if swemu_set_core_group was called)
 *  "launches":[{"kernel":"...","seconds":s,"ldm_used_bytes":N,"cpes":[{"get_bytes":..,
 *  "get_count":..,"put_bytes":..,"put_count":..,"flops":..,"vector_flops":..,
 *  "size_hist":[[bin,transfers,bytes],..],"block_hist":[[bin,blocks,bytes],..]}, x64]},
 *  ...]}
 * size_hist / block_hist: the nonzero bins of the contiguous / strided
 * transfer-size histograms (swemu_counters), absent when all are zero.
 * ldm_used_bytes (the largest ldm_bytes of the launch's CPEs) only if an LDM
 * arena is registered (SWEMU_LDM_ARENA, swemu_ops.h); vector_flops only where
 * nonzero.
 * Returns 0, or -1 if the file cannot be written. If env SWEMU_REPORT_JSON
 * is set, this is written there at exit. */
int swemu_write_json(const char *path);
void swemu_reset_counters(void);

/* Core groups: the emulator runs ONE core group per process (as one athread
 * process drives one core group on the machine); a program split over N core
 * groups runs N processes. swemu_set_core_group(k) (k >= 0, before the first
 * athread/CRTS call) marks this process as core group k: its JSON report
 * gets "core_group":k, the text report says so, and the SWEMU_REPORT_JSON file
 * written at exit is the path with ".cg<k>" inserted before a final ".json"
 * (else appended): "r.json" -> "r.cg2.json", "r" -> "r.cg2". */
void swemu_set_core_group(int cg);
/* This process's core group; -1 if never set. */
int swemu_core_group(void);
/* The report path of core group cg for `path` (as above) into out (size
 * bytes); returns out, or NULL if it does not fit. cg < 0: path unchanged. */
char *swemu_core_group_path(const char *path, int cg, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif
