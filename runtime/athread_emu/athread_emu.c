/* swtc athread emulator: runs SW26010 athread code and SW26010-Pro CRTS code
 * (one core group: the MPE plus 64 CPEs) on host threads, with checks the real
 * hardware does not make.
 *
 *  - 64 CPEs = a persistent pool of 64 pthreads; each thread's TLS is that
 *    CPE's LDM (__thread_local is __thread).
 *  - LDM budget: the executable's PT_TLS size must fit in the LDM size minus
 *    SWEMU_LDM_RESERVE_BYTES for the CPE stack. LDM size: env SWEMU_LDM_BYTES,
 *    else -DSWEMU_LDM_BYTES_DEFAULT=N given when compiling this file, else
 *    by the API that started the CPEs: 65536 (athread_init/athread_spawn,
 *    SW26010) or 262144 (CRTS_init/CRTS_athread_spawn, SW26010-Pro).
 *  - DMA (athread_get/put, PE_MODE): synchronous copy; the LDM side must be in
 *    the calling CPE's TLS block or on its stack; every block of the
 *    main-memory side must lie within one known buffer (heap block seen via
 *    -Wl,--wrap=malloc,..., registered buffer, or the executable's data).
 *  - Counters per launch and per CPE (DMA bytes/transfers, flops: scalar ones
 *    from SWEMU_SCALAR_FLOPS, vector ones counted by simd.h, through the
 *    per-CPE counters at the bottom of each CPE's stack slot, swemu_ops.h);
 *    the LDM a launch used, observed on the registered LDM arena
 *    (SWEMU_LDM_ARENA: painted before the launch, highest changed byte
 *    after); report and JSON output (swemu.h).
 *  - Any violation: one line on stderr, exit status 3.
 *
 * The emulator keeps no __thread variables of its own (its per-thread state
 * is reached with pthread_getspecific), so the PT_TLS size is exactly the
 * program's __thread_local data.
 *
 * Compile: gcc -std=gnu11 -O2 -I<dir>/include -I<dir> -c athread_emu.c
 * (SW26010-Pro build: add -DSWEMU_LDM_BYTES_DEFAULT=262144; see README.md) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "athread.h"
#include "slave.h"
#include "swemu.h"

/* The SW26010-Pro API (include/crts.h). Declared here too, so that an output
 * folder holding only the SW26010 headers still builds this file; when
 * crts.h is present it is included to check that the signatures agree. */
typedef volatile int crts_rply_t;
int CRTS_init(void);
int swemu_crts_spawn(void *fpc, void *arg, const char *name);
int CRTS_dma_iget(void *dest, void *src, size_t len, crts_rply_t *reply);
int CRTS_dma_iput(void *dest, void *src, size_t len, crts_rply_t *reply);
int CRTS_dma_iget_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply);
int CRTS_dma_iput_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply);
int CRTS_dma_get(void *dest, void *src, size_t len);
int CRTS_dma_put(void *dest, void *src, size_t len);
int CRTS_dma_wait_value(crts_rply_t *reply, int value);
int CRTS_ssync_array(void);
#if defined(__has_include)
#if __has_include("crts.h")
#define SWEMU_CRTS_BOTH 1 /* both halves of crts.h */
#include "crts.h"
#endif
#endif

#define NCPE SWEMU_NUM_CPES
#define EXIT_VIOLATION 3

/* ------------------------------------------------------------------------ */
/* Allocation: the program is linked with -Wl,--wrap=malloc,...; then the
 * weak __real_* symbols resolve to libc's functions. Without the flags they
 * are null and heap tracking is off. The emulator's own memory comes from the
 * real allocator so it is never mistaken for a program buffer. */
extern void *__real_malloc(size_t n) __attribute__((weak));
extern void *__real_calloc(size_t k, size_t n) __attribute__((weak));
extern void *__real_realloc(void *p, size_t n) __attribute__((weak));
extern void __real_free(void *p) __attribute__((weak));
extern int __real_posix_memalign(void **pp, size_t a, size_t n) __attribute__((weak));
extern void *__real_aligned_alloc(size_t a, size_t n) __attribute__((weak));
extern void *__real_memalign(size_t a, size_t n) __attribute__((weak));
extern void *__real_valloc(size_t n) __attribute__((weak));

static void *ialloc(size_t n) { return __real_malloc ? __real_malloc(n) : malloc(n); }
static void *irealloc(void *p, size_t n) {
  return __real_realloc ? __real_realloc(p, n) : realloc(p, n);
}
static void ifree(void *p) {
  if (__real_free)
    __real_free(p);
  else
    free(p);
}
static int heap_tracking(void) { return __real_malloc != NULL && __real_free != NULL; }

/* ------------------------------------------------------------------------ */
/* Per-CPE state and errors. */
typedef struct {
  swemu_counters c; /* aligned(64): a whole number of 64-byte cache lines */
} __attribute__((aligned(64))) padded_counters;

/* The histogram bin of a transfer (or block) of `bytes` (swemu_counters). */
static int size_bin(size_t bytes) {
  int b = 0;
  while (b + 1 < SWEMU_DMA_SIZE_BINS && ((size_t)1 << (b + 1)) <= bytes) b++;
  return b;
}

typedef struct cpe {
  int id;
  pthread_t th;
  uintptr_t tls_lo, tls_hi;     /* this thread's instance of the exe's PT_TLS */
  uintptr_t stack_lo, stack_hi; /* usable stack below the worker's entry frame */
} cpe_t;

static cpe_t cpes[NCPE];

/* The CPE stacks: one region of NCPE slots of 2^swemu_cpe_stack_shift bytes
 * (swemu_ops.h). Slot layout: the CPE's swemu_op_counts in the first page,
 * a guard page, then the thread's stack (with glibc's TCB and TLS at its
 * top). Mapped once, at the first pool start. */
uintptr_t swemu_cpe_stacks;
uintptr_t swemu_cpe_stacks_bytes;
unsigned swemu_cpe_stack_shift;
static size_t stack_page;
static swemu_op_counts *slot_ops(int i) {
  return (swemu_op_counts *)(swemu_cpe_stacks + ((uintptr_t)i << swemu_cpe_stack_shift));
}

/* LDM arenas registered by SWEMU_LDM_ARENA (generated code has one). */
#define MAX_ARENAS 8
#define LDM_PAINT 0x7fa5a5a5u /* a signalling NaN no computation produces */
static struct {
  void *(*where)(void);
  size_t bytes;
} arenas[MAX_ARENAS];
static int n_arenas;
void swemu_register_ldm_arena(void *(*where)(void), size_t bytes) {
  if (!where || bytes == 0) return;
  for (int i = 0; i < n_arenas; i++)
    if (arenas[i].where == where) return;
  if (n_arenas == MAX_ARENAS) {
    fprintf(stderr, "swemu: warning: more than %d LDM arenas registered; ignoring one\n",
            MAX_ARENAS);
    return;
  }
  arenas[n_arenas].where = where;
  arenas[n_arenas].bytes = bytes;
  n_arenas++;
}
static pthread_key_t cpe_key;
static pthread_once_t cpe_key_once = PTHREAD_ONCE_INIT;
static int cpe_key_ok;
static void make_cpe_key(void) { cpe_key_ok = pthread_key_create(&cpe_key, NULL) == 0; }
static cpe_t *self(void) {
  pthread_once(&cpe_key_once, make_cpe_key);
  return cpe_key_ok ? (cpe_t *)pthread_getspecific(cpe_key) : NULL;
}

static const char *volatile cur_kernel = "?"; /* name of the running launch */
static volatile int cur_api = 1; /* API of the running launch: 1 athread, 2 CRTS */
static padded_counters cur_ctr[NCPE];         /* counters of the running launch */

static pthread_mutex_t die_mu = PTHREAD_MUTEX_INITIALIZER;
static int core_group = -1; /* swemu_set_core_group; -1: not set */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...) {
  char buf[2048];
  size_t n = 0;
  cpe_t *c = self();
  n += (size_t)snprintf(buf, sizeof buf, "swemu: error: ");
  if (core_group >= 0) n += (size_t)snprintf(buf + n, sizeof buf - n, "core group %d: ", core_group);
  if (c)
    n += (size_t)snprintf(buf + n, sizeof buf - n, "kernel '%s' CPE %d: ", cur_kernel, c->id);
  va_list ap;
  va_start(ap, fmt);
  if (n < sizeof buf) n += (size_t)vsnprintf(buf + n, sizeof buf - n, fmt, ap);
  va_end(ap);
  if (n > sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  pthread_mutex_lock(&die_mu); /* the first error wins; others block until _exit */
  fflush(stdout);
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(2, buf + off, n - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  _exit(EXIT_VIOLATION);
}

static void warn_once(int *flag, const char *msg) {
  if (*flag) return;
  *flag = 1;
  fprintf(stderr, "swemu: warning: %s\n", msg);
}

/* ------------------------------------------------------------------------ */
/* The executable: its PT_TLS size and its data segments. */
typedef struct {
  uintptr_t lo, hi;
  int writable;
} segment;

static size_t prog_tls_bytes;
static segment prog_segs[16];
static int prog_nsegs;
static pthread_once_t prog_once = PTHREAD_ONCE_INIT;

static int scan_main_cb(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  (void)data;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_TLS) prog_tls_bytes = ph->p_memsz;
    if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_X) && ph->p_memsz > 0 &&
        prog_nsegs < (int)(sizeof prog_segs / sizeof prog_segs[0])) {
      segment *s = &prog_segs[prog_nsegs++];
      s->lo = (uintptr_t)(info->dlpi_addr + ph->p_vaddr);
      s->hi = s->lo + ph->p_memsz;
      s->writable = (ph->p_flags & PF_W) != 0;
    }
  }
  return 1; /* the first object is the main program: stop */
}
static void prog_scan(void) { dl_iterate_phdr(scan_main_cb, NULL); }

/* Which API started the CPE pool first: 0 none yet, 1 athread (SW26010),
 * 2 CRTS (SW26010-Pro). Decides the default LDM size. */
static int pool_chip;

#ifdef SWEMU_LDM_BYTES_DEFAULT
#if SWEMU_LDM_BYTES_DEFAULT <= SWEMU_LDM_RESERVE_BYTES
#error "SWEMU_LDM_BYTES_DEFAULT must exceed SWEMU_LDM_RESERVE_BYTES"
#endif
#endif

static size_t ldm_total_bytes(void) {
  const char *e = getenv("SWEMU_LDM_BYTES");
  if (e && *e) {
    char *end;
    long v = strtol(e, &end, 0);
    if (*end != '\0' || v <= SWEMU_LDM_RESERVE_BYTES)
      die("SWEMU_LDM_BYTES='%s' is not a byte count above the %d-byte reserve", e,
          SWEMU_LDM_RESERVE_BYTES);
    return (size_t)v;
  }
#ifdef SWEMU_LDM_BYTES_DEFAULT
  return (size_t)(SWEMU_LDM_BYTES_DEFAULT);
#else
  return pool_chip == 2 ? SWEMU_LDM_PRO_BYTES : SWEMU_LDM_DEFAULT_BYTES;
#endif
}

size_t swemu_ldm_static_bytes(void) {
  pthread_once(&prog_once, prog_scan);
  return prog_tls_bytes;
}
size_t swemu_ldm_budget_bytes(void) { return ldm_total_bytes() - SWEMU_LDM_RESERVE_BYTES; }

/* ------------------------------------------------------------------------ */
/* Known main-memory buffers: heap blocks (sorted, non-overlapping),
 * registered buffers, executable segments. */
typedef struct {
  uintptr_t lo, hi;
} hblock;
typedef struct {
  uintptr_t lo, hi;
  char *name;
} rbuf;

static pthread_rwlock_t buf_lock = PTHREAD_RWLOCK_INITIALIZER;
static hblock *heap_tab;
static size_t heap_n, heap_cap;
static rbuf *reg_tab;
static size_t reg_n, reg_cap;

/* First index with lo >= a. */
static size_t heap_lower(uintptr_t a) {
  size_t l = 0, h = heap_n;
  while (l < h) {
    size_t m = (l + h) / 2;
    if (heap_tab[m].lo < a)
      l = m + 1;
    else
      h = m;
  }
  return l;
}

static void heap_add(void *p, size_t n) {
  if (!p) return;
  uintptr_t lo = (uintptr_t)p, hi = lo + n;
  pthread_rwlock_wrlock(&buf_lock);
  size_t i = heap_lower(lo);
  /* Entries overlapping the new block are stale (their free was not seen). */
  size_t first = i;
  if (first > 0 && heap_tab[first - 1].hi > lo) first--;
  size_t last = i;
  while (last < heap_n && (heap_tab[last].lo < hi || heap_tab[last].lo == lo)) last++;
  if (last > first) {
    memmove(&heap_tab[first], &heap_tab[last], (heap_n - last) * sizeof *heap_tab);
    heap_n -= last - first;
  }
  if (heap_n == heap_cap) {
    size_t nc = heap_cap ? 2 * heap_cap : 1024;
    hblock *t = irealloc(heap_tab, nc * sizeof *t);
    if (!t) {
      pthread_rwlock_unlock(&buf_lock);
      die("out of memory in the heap table");
    }
    heap_tab = t;
    heap_cap = nc;
  }
  memmove(&heap_tab[first + 1], &heap_tab[first], (heap_n - first) * sizeof *heap_tab);
  heap_tab[first].lo = lo;
  heap_tab[first].hi = hi;
  heap_n++;
  pthread_rwlock_unlock(&buf_lock);
}

static void heap_remove(void *p) {
  if (!p) return;
  uintptr_t lo = (uintptr_t)p;
  pthread_rwlock_wrlock(&buf_lock);
  size_t i = heap_lower(lo);
  if (i < heap_n && heap_tab[i].lo == lo) {
    memmove(&heap_tab[i], &heap_tab[i + 1], (heap_n - i - 1) * sizeof *heap_tab);
    heap_n--;
  }
  pthread_rwlock_unlock(&buf_lock);
}

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **pp, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
void *__wrap_memalign(size_t a, size_t n);
void *__wrap_valloc(size_t n);

void *__wrap_malloc(size_t n) {
  void *p = __real_malloc(n);
  heap_add(p, n);
  return p;
}
void *__wrap_calloc(size_t k, size_t n) {
  void *p = __real_calloc(k, n);
  if (p) heap_add(p, k * n);
  return p;
}
void *__wrap_realloc(void *old, size_t n) {
  void *p = __real_realloc(old, n);
  if (p) {
    heap_remove(old);
    heap_add(p, n);
  } else if (n == 0) {
    heap_remove(old);
  }
  return p;
}
void __wrap_free(void *p) {
  heap_remove(p);
  __real_free(p);
}
int __wrap_posix_memalign(void **pp, size_t a, size_t n) {
  int r = __real_posix_memalign(pp, a, n);
  if (r == 0) heap_add(*pp, n);
  return r;
}
void *__wrap_aligned_alloc(size_t a, size_t n) {
  void *p = __real_aligned_alloc(a, n);
  heap_add(p, n);
  return p;
}
void *__wrap_memalign(size_t a, size_t n) {
  void *p = __real_memalign(a, n);
  heap_add(p, n);
  return p;
}
void *__wrap_valloc(size_t n) {
  void *p = __real_valloc(n);
  heap_add(p, n);
  return p;
}

void swemu_register_buffer(const char *name, const void *p, size_t bytes) {
  if (!p) return;
  if (!name) name = "?";
  size_t len = strlen(name);
  char *copy = ialloc(len + 1);
  if (!copy) die("out of memory registering buffer '%s'", name);
  memcpy(copy, name, len + 1);
  swemu_unregister_buffer(p);
  pthread_rwlock_wrlock(&buf_lock);
  if (reg_n == reg_cap) {
    size_t nc = reg_cap ? 2 * reg_cap : 64;
    rbuf *t = irealloc(reg_tab, nc * sizeof *t);
    if (!t) {
      pthread_rwlock_unlock(&buf_lock);
      die("out of memory registering buffer '%s'", name);
    }
    reg_tab = t;
    reg_cap = nc;
  }
  reg_tab[reg_n].lo = (uintptr_t)p;
  reg_tab[reg_n].hi = (uintptr_t)p + bytes;
  reg_tab[reg_n].name = copy;
  reg_n++;
  pthread_rwlock_unlock(&buf_lock);
}

void swemu_unregister_buffer(const void *p) {
  pthread_rwlock_wrlock(&buf_lock);
  for (size_t i = 0; i < reg_n; i++) {
    if (reg_tab[i].lo == (uintptr_t)p) {
      ifree(reg_tab[i].name);
      reg_tab[i] = reg_tab[--reg_n];
      break;
    }
  }
  pthread_rwlock_unlock(&buf_lock);
}

/* A known buffer containing address a (for messages). */
typedef struct {
  uintptr_t lo, hi;
  char what[160];
} found_buf;

/* Is [lo, hi) inside one known buffer? (writable ones only if need_write.)
 * Called with buf_lock read-held. */
static int range_known_locked(uintptr_t lo, uintptr_t hi, int need_write) {
  for (size_t i = 0; i < reg_n; i++)
    if (reg_tab[i].lo <= lo && hi <= reg_tab[i].hi) return 1;
  size_t i = heap_lower(lo + 1); /* first with block.lo > lo */
  if (i > 0 && heap_tab[i - 1].lo <= lo && hi <= heap_tab[i - 1].hi) return 1;
  for (int k = 0; k < prog_nsegs; k++)
    if ((prog_segs[k].writable || !need_write) && prog_segs[k].lo <= lo && hi <= prog_segs[k].hi)
      return 1;
  return 0;
}

/* Describe the known buffer that contains address a, if any. */
static int describe_locked(uintptr_t a, found_buf *out) {
  for (size_t i = 0; i < reg_n; i++)
    if (reg_tab[i].lo <= a && a < reg_tab[i].hi) {
      out->lo = reg_tab[i].lo;
      out->hi = reg_tab[i].hi;
      snprintf(out->what, sizeof out->what, "buffer '%s'", reg_tab[i].name);
      return 1;
    }
  size_t i = heap_lower(a + 1);
  if (i > 0 && heap_tab[i - 1].lo <= a && a < heap_tab[i - 1].hi) {
    out->lo = heap_tab[i - 1].lo;
    out->hi = heap_tab[i - 1].hi;
    snprintf(out->what, sizeof out->what, "heap block");
    return 1;
  }
  for (int k = 0; k < prog_nsegs; k++)
    if (prog_segs[k].lo <= a && a < prog_segs[k].hi) {
      out->lo = prog_segs[k].lo;
      out->hi = prog_segs[k].hi;
      snprintf(out->what, sizeof out->what, "%s",
               prog_segs[k].writable ? "static data segment" : "read-only data segment");
      return 1;
    }
  return 0;
}

/* Check one main-memory block; die with a message if it is not known. */
static void check_mm_block(const char *op, uintptr_t lo, size_t len, int need_write,
                           const char *blockinfo) {
  pthread_rwlock_rdlock(&buf_lock);
  int ok = range_known_locked(lo, lo + len, need_write);
  if (ok) {
    pthread_rwlock_unlock(&buf_lock);
    return;
  }
  found_buf fb;
  int have = describe_locked(lo, &fb);
  pthread_rwlock_unlock(&buf_lock);
  char extra[320] = "";
  if (have && lo + len > fb.hi)
    snprintf(extra, sizeof extra, " (it starts in %s [%p, +%zu) and runs %zu bytes past its end)",
             fb.what, (void *)fb.lo, (size_t)(fb.hi - fb.lo), (size_t)(lo + len - fb.hi));
  else if (have && need_write)
    snprintf(extra, sizeof extra, " (it is in the %s: not writable)", fb.what);
  die("%s: %smain-memory range [%p, +%zu) is outside every known buffer%s", op, blockinfo,
      (void *)lo, len, extra);
}

/* ------------------------------------------------------------------------ */
/* The CPE pool. */
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_start_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done_cv = PTHREAD_COND_INITIALIZER;
static int pool_up;           /* threads exist */
static int pool_quit;         /* halt requested */
static unsigned pool_gen;     /* launch generation */
static int pool_ready;        /* workers that finished their setup */
static int pool_running;      /* CPEs still running the current launch */
static int launch_active;     /* spawned and not yet joined */
static void (*pool_fn)(void *);
static void *pool_arg;
static struct timespec launch_t0;

/* Barriers: group 0 = the array, 1..8 = rows, 9..16 = columns. */
#define NGROUPS 17
static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cv = PTHREAD_COND_INITIALIZER;
static int grp_arrived[NGROUPS];
static unsigned grp_gen[NGROUPS];
static int grp_finished[NGROUPS]; /* CPEs of the group that returned from the kernel */
static int grp_size(int g) { return g == 0 ? NCPE : 8; }
static const char *grp_name(int g, char *buf, size_t n) {
  if (g == 0 && cur_api == 2)
    snprintf(buf, n, "CRTS_ssync_array");
  else if (g == 0)
    snprintf(buf, n, "ARRAY_SCOPE");
  else if (g <= 8)
    snprintf(buf, n, "ROW_SCOPE, row %d", g - 1);
  else
    snprintf(buf, n, "COL_SCOPE, column %d", g - 9);
  return buf;
}

static int tls_cb(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  cpe_t *c = data;
  c->tls_lo = (uintptr_t)info->dlpi_tls_data;
  c->tls_hi = c->tls_lo ? c->tls_lo + prog_tls_bytes : 0;
  return 1; /* main program only */
}

/* Deadlock: every CPE has returned or waits in a barrier that cannot complete
 * (nobody is left running to release it). Called with sync_mu held. */
static void check_deadlock_locked(const char *who) {
  int waiting = 0;
  for (int g = 0; g < NGROUPS; g++) waiting += grp_arrived[g];
  if (waiting == 0 || waiting + grp_finished[0] < NCPE) return;
  char buf[512];
  size_t n = 0;
  for (int g = 0; g < NGROUPS && n < sizeof buf; g++) {
    if (!grp_arrived[g]) continue;
    char nb[64];
    if (g == 0 && cur_api == 2)
      n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d/%d in CRTS_ssync_array()",
                            n ? ", " : "", grp_arrived[g], grp_size(g));
    else
      n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d/%d in athread_syn(%s)", n ? ", " : "",
                            grp_arrived[g], grp_size(g), grp_name(g, nb, sizeof nb));
  }
  die("%s: %s deadlock: %d CPE(s) returned from the kernel and the others wait at "
      "barriers that can never complete: %s",
      who, cur_api == 2 ? "CRTS_ssync_array" : "athread_syn", grp_finished[0], buf);
}

static void cpe_finished(cpe_t *c) {
  int gs[3] = {0, 1 + c->id / 8, 9 + c->id % 8};
  pthread_mutex_lock(&sync_mu);
  for (int k = 0; k < 3; k++) grp_finished[gs[k]]++;
  check_deadlock_locked("returned from the kernel");
  pthread_mutex_unlock(&sync_mu);
}

static void *worker_main(void *p) {
  cpe_t *c = p;
  pthread_setspecific(cpe_key, c);
  c->stack_hi = (uintptr_t)__builtin_frame_address(0);
  pthread_attr_t a;
  void *saddr = NULL;
  size_t ssize = 0;
  if (pthread_getattr_np(pthread_self(), &a) == 0) {
    pthread_attr_getstack(&a, &saddr, &ssize);
    pthread_attr_destroy(&a);
  }
  c->stack_lo = (uintptr_t)saddr;
  if (c->stack_lo == 0 || c->stack_lo >= c->stack_hi) c->stack_lo = c->stack_hi - 65536;
  if (prog_tls_bytes) dl_iterate_phdr(tls_cb, c);

  pthread_mutex_lock(&pool_mu);
  pool_ready++;
  pthread_cond_broadcast(&pool_done_cv);
  unsigned seen = pool_gen;
  for (;;) {
    while (pool_gen == seen && !pool_quit) pthread_cond_wait(&pool_start_cv, &pool_mu);
    if (pool_quit) break;
    seen = pool_gen;
    void (*fn)(void *) = pool_fn;
    void *arg = pool_arg;
    pthread_mutex_unlock(&pool_mu);

    int narenas = n_arenas;
    for (int k = 0; k < narenas; k++) {
      uint32_t *w = arenas[k].where();
      size_t n = arenas[k].bytes / 4;
      for (size_t i = 0; i < n; i++) w[i] = LDM_PAINT;
    }
    fn(arg);
    long long used = 0;
    for (int k = 0; k < narenas; k++) {
      const uint32_t *w = arenas[k].where();
      size_t n = arenas[k].bytes / 4;
      while (n > 0 && w[n - 1] == LDM_PAINT) n--;
      if ((long long)n * 4 > used) used = (long long)n * 4;
    }
    cur_ctr[c->id].c.ldm_bytes = used;
    cpe_finished(c);

    pthread_mutex_lock(&pool_mu);
    if (--pool_running == 0) pthread_cond_broadcast(&pool_done_cv);
  }
  pthread_mutex_unlock(&pool_mu);
  return NULL;
}

static void at_exit_report(void);

static int pool_init(int chip) {
  pthread_mutex_lock(&init_mu);
  if (pool_up) {
    pthread_mutex_unlock(&init_mu);
    return 0;
  }
  static int once_done;
  if (!once_done) {
    once_done = 1;
    if (!pool_chip) pool_chip = chip; /* the first API used decides the LDM size */
    pthread_once(&prog_once, prog_scan);
    size_t total = ldm_total_bytes();
    size_t budget = total - SWEMU_LDM_RESERVE_BYTES;
    if (prog_tls_bytes > budget)
      die("LDM overflow: __thread_local data is %zu bytes, budget %zu (%zu LDM - %d reserve)",
          prog_tls_bytes, budget, total, SWEMU_LDM_RESERVE_BYTES);
    static int warned;
    if (!heap_tracking())
      warn_once(&warned, "heap tracking is off (link with " SWEMU_LDFLAGS
                         "); main-memory DMA bounds are not checked");
    atexit(at_exit_report);
  }
  if (self()) die("athread_init called on a CPE");
  pthread_once(&cpe_key_once, make_cpe_key);
  if (!cpe_key_ok) die("pthread_key_create failed");

  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t stack = (size_t)1 << 20;
  stack += (prog_tls_bytes + page - 1) / page * page;
  if (!swemu_cpe_stacks) {
    unsigned shift = 12;
    while (((size_t)1 << shift) < stack + 2 * page) shift++;
    size_t bytes = (size_t)NCPE << shift;
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) die("cannot map the CPE stacks (%zu bytes): %s", bytes, strerror(errno));
    for (int i = 0; i < NCPE; i++)
      mprotect((char *)m + ((size_t)i << shift) + page, page, PROT_NONE); /* guard */
    stack_page = page;
    swemu_cpe_stack_shift = shift;
    swemu_cpe_stacks_bytes = bytes;
    swemu_cpe_stacks = (uintptr_t)m;
  }
  const size_t slot = (size_t)1 << swemu_cpe_stack_shift;
  pool_quit = 0;
  pool_ready = 0;
  for (int i = 0; i < NCPE; i++) {
    cpes[i].id = i;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, (void *)(swemu_cpe_stacks + i * slot + 2 * stack_page),
                          slot - 2 * stack_page);
    int r = pthread_create(&cpes[i].th, &attr, worker_main, &cpes[i]);
    pthread_attr_destroy(&attr);
    if (r != 0) die("cannot create CPE thread %d: %s", i, strerror(r));
  }
  pthread_mutex_lock(&pool_mu);
  while (pool_ready < NCPE) pthread_cond_wait(&pool_done_cv, &pool_mu);
  pthread_mutex_unlock(&pool_mu);
  pool_up = 1;
  pthread_mutex_unlock(&init_mu);
  return 0;
}

int athread_init(void) {
  if (self()) die("athread_init called on a CPE");
  return pool_init(1);
}

int CRTS_init(void) {
  if (self()) die("CRTS_init called on a CPE");
  return pool_init(2);
}

/* Broadcast DMA bookkeeping (defined with the DMA functions below). */
static void bcast_clear(void);
static void bcast_check_delivered(const char *kernel);

/* Kernel names are interned (never freed). */
static const char *intern(const char *s);

static int spawn_chip(void *fpc, void *arg, const char *name, int chip) {
  const char *api = chip == 2 ? "CRTS_athread_spawn" : "athread_spawn";
  if (self()) die("%s called on a CPE", api);
  if (!fpc) die("%s: null kernel function", api);
  char nbuf[64];
  if (!name) {
    Dl_info di;
    if (dladdr(fpc, &di) && di.dli_sname) {
      name = di.dli_sname;
      if (strncmp(name, "slave_", 6) == 0) name += 6;
    } else {
      snprintf(nbuf, sizeof nbuf, "kernel@%p", fpc);
      name = nbuf;
    }
  }
  name = intern(name);
  pool_init(chip);
  pthread_mutex_lock(&pool_mu);
  if (launch_active) {
    const char *prev = cur_kernel;
    pthread_mutex_unlock(&pool_mu);
    die("%s(%s) while kernel '%s' is still running (missing %s?)", api, name, prev,
        chip == 2 ? "CRTS_athread_join" : "athread_join");
  }
  cur_kernel = name;
  cur_api = chip;
  memset(cur_ctr, 0, sizeof cur_ctr);
  for (int i = 0; i < NCPE; i++) memset(slot_ops(i), 0, sizeof(swemu_op_counts));
  pthread_mutex_lock(&sync_mu);
  memset(grp_arrived, 0, sizeof grp_arrived);
  memset(grp_finished, 0, sizeof grp_finished);
  pthread_mutex_unlock(&sync_mu);
  bcast_clear();
  pool_fn = (void (*)(void *))fpc;
  pool_arg = arg;
  pool_running = NCPE;
  launch_active = 1;
  clock_gettime(CLOCK_MONOTONIC, &launch_t0);
  pool_gen++;
  pthread_cond_broadcast(&pool_start_cv);
  pthread_mutex_unlock(&pool_mu);
  return 0;
}

int swemu_spawn(void *fpc, void *arg, const char *name) { return spawn_chip(fpc, arg, name, 1); }
int swemu_crts_spawn(void *fpc, void *arg, const char *name) {
  return spawn_chip(fpc, arg, name, 2);
}

int __real_athread_spawn(void *fpc, void *arg) { return swemu_spawn(fpc, arg, NULL); }

static void record_launch(const char *kernel, double seconds);

int athread_join(void) {
  if (self()) die("athread_join called on a CPE");
  pthread_mutex_lock(&pool_mu);
  if (!launch_active) {
    pthread_mutex_unlock(&pool_mu);
    return 0;
  }
  double timeout = 0;
  const char *e = getenv("SWEMU_TIMEOUT");
  if (e && *e) timeout = strtod(e, NULL);
  struct timespec dl = launch_t0;
  if (timeout > 0) {
    dl.tv_sec += (time_t)timeout;
    dl.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
    if (dl.tv_nsec >= 1000000000L) {
      dl.tv_sec++;
      dl.tv_nsec -= 1000000000L;
    }
  }
  while (pool_running > 0) {
    if (timeout > 0) {
      /* pool_done_cv uses CLOCK_REALTIME; convert the monotonic deadline. */
      struct timespec mono, real;
      clock_gettime(CLOCK_MONOTONIC, &mono);
      clock_gettime(CLOCK_REALTIME, &real);
      double left = (double)(dl.tv_sec - mono.tv_sec) + 1e-9 * (double)(dl.tv_nsec - mono.tv_nsec);
      if (left <= 0)
        die("kernel '%s' did not finish within SWEMU_TIMEOUT=%g s (%d CPE(s) still running: "
            "a DMA reply wait for too many transfers, or a CPE stuck in a loop?)",
            cur_kernel, timeout, pool_running);
      if (left > 1) left = 1;
      real.tv_nsec += (long)(left * 1e9);
      while (real.tv_nsec >= 1000000000L) {
        real.tv_sec++;
        real.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&pool_done_cv, &pool_mu, &real);
    } else {
      pthread_cond_wait(&pool_done_cv, &pool_mu);
    }
  }
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - launch_t0.tv_sec) +
                1e-9 * (double)(t1.tv_nsec - launch_t0.tv_nsec);
  launch_active = 0;
  const char *k = cur_kernel;
  bcast_check_delivered(k);
  for (int i = 0; i < NCPE; i++) {
    const swemu_op_counts *o = slot_ops(i);
    cur_ctr[i].c.flops += o->scalar_flops + o->vector_flops;
    cur_ctr[i].c.vector_flops += o->vector_flops;
    cur_ctr[i].c.vector_mem += o->vector_mem;
  }
  pthread_mutex_unlock(&pool_mu);
  record_launch(k, secs);
  return 0;
}

int athread_halt(void) {
  if (self()) die("athread_halt called on a CPE");
  pthread_mutex_lock(&init_mu);
  if (!pool_up) {
    pthread_mutex_unlock(&init_mu);
    return 0;
  }
  athread_join();
  pthread_mutex_lock(&pool_mu);
  pool_quit = 1;
  pthread_cond_broadcast(&pool_start_cv);
  pthread_mutex_unlock(&pool_mu);
  for (int i = 0; i < NCPE; i++) pthread_join(cpes[i].th, NULL);
  pool_up = 0;
  pool_quit = 0;
  pthread_mutex_unlock(&init_mu);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* CPE-side API. */
int swemu_myid(void) {
  cpe_t *c = self();
  return c ? c->id : -1;
}

int athread_get_id(int core) {
  if (core == -1) return swemu_myid();
  return core >= 0 && core < NCPE ? core : -1;
}

int swemu_ldm_range(void **base, size_t *bytes) {
  cpe_t *c = self();
  if (!c) return -1;
  if (base) *base = (void *)c->tls_lo;
  if (bytes) *bytes = (size_t)(c->tls_hi - c->tls_lo);
  return 0;
}

void swemu_count_flops(long n) {
  cpe_t *c = self();
  if (c) cur_ctr[c->id].c.flops += n;
}

static void barrier(int g, const char *who);

int athread_syn(scope scp, int mask) {
  cpe_t *c = self();
  if (!c) die("athread_syn called outside a CPE kernel");
  int g;
  switch (scp) {
  case ARRAY_SCOPE:
    if ((mask & 0xffff) != 0xffff)
      die("athread_syn(ARRAY_SCOPE, 0x%x): only the full mask 0xffff is emulated", mask);
    g = 0;
    break;
  case ROW_SCOPE:
    if ((mask & 0xff) != 0xff)
      die("athread_syn(ROW_SCOPE, 0x%x): only a full mask (0xff) is emulated", mask);
    g = 1 + c->id / 8;
    break;
  case COL_SCOPE:
    if ((mask & 0xff) != 0xff)
      die("athread_syn(COL_SCOPE, 0x%x): only a full mask (0xff) is emulated", mask);
    g = 9 + c->id % 8;
    break;
  default:
    die("athread_syn: unknown scope %d", (int)scp);
  }
  char nb[64], who[96];
  snprintf(who, sizeof who, "athread_syn(%s)", grp_name(g, nb, sizeof nb));
  barrier(g, who);
  return 0;
}

int CRTS_ssync_array(void) {
  if (!self()) die("CRTS_ssync_array called outside a CPE kernel");
  barrier(0, "CRTS_ssync_array()");
  return 0;
}

static void bcast_deliver_locked(int g);

static void barrier(int g, const char *who) {
  cpe_t *me = self();
  if (me) cur_ctr[me->id].c.syn_count++;
  pthread_mutex_lock(&sync_mu);
  unsigned gen = grp_gen[g];
  if (++grp_arrived[g] == grp_size(g)) {
    /* Every CPE of the group waits here: broadcasts issued by one of them
     * reach the group's receivers now (never earlier: a receiver that reads
     * before this barrier sees stale data). */
    bcast_deliver_locked(g);
    grp_arrived[g] = 0;
    grp_gen[g]++;
    pthread_cond_broadcast(&sync_cv);
  } else {
    check_deadlock_locked(who);
    while (grp_gen[g] == gen) pthread_cond_wait(&sync_cv, &sync_mu);
  }
  pthread_mutex_unlock(&sync_mu);
}

static const char *mode_name(dma_mode m) {
  switch (m) {
  case PE_MODE: return "PE_MODE";
  case BCAST_MODE: return "BCAST_MODE";
  case ROW_MODE: return "ROW_MODE";
  case BROW_MODE: return "BROW_MODE";
  case RANK_MODE: return "RANK_MODE";
  }
  return "unknown";
}

static int in_ldm(const cpe_t *c, uintptr_t lo, size_t len) {
  uintptr_t hi = lo + len;
  if (hi < lo) return 0;
  if (c->tls_lo && c->tls_lo <= lo && hi <= c->tls_hi) return 1;
  if (c->stack_lo <= lo && hi <= c->stack_hi) return 1;
  return 0;
}

/* One transfer, after the API-specific argument checks. ldm/mm: the LDM and
 * main-memory sides. bsize > 0 && stride > 0: strided on the main-memory
 * side. reply (may be NULL for the blocking CRTS forms) gets +1 at the end. */
static void dma_core(const char *op, cpe_t *c, int is_get, uintptr_t ldm, uintptr_t mm, size_t len,
                     volatile int *reply, size_t stride, size_t bsize) {
  if (!in_ldm(c, ldm, len))
    die("%s: LDM side of DMA is not in LDM: [%p, +%zu) is neither in this CPE's __thread_local "
        "block [%p, +%zu) nor on its stack",
        op, (void *)ldm, len, (void *)c->tls_lo, (size_t)(c->tls_hi - c->tls_lo));

  int strided = bsize > 0 && stride > 0;
  size_t nblk = strided ? len / bsize : 1;
  size_t step = strided ? bsize + stride : 0;
  if (heap_tracking()) {
    if (!strided) {
      check_mm_block(op, mm, len, !is_get, "");
    } else {
      size_t span = (nblk - 1) * step + bsize;
      pthread_rwlock_rdlock(&buf_lock);
      int whole = mm + span >= mm && range_known_locked(mm, mm + span, !is_get);
      pthread_rwlock_unlock(&buf_lock);
      if (!whole) {
        for (size_t k = 0; k < nblk; k++) {
          char info[128];
          snprintf(info, sizeof info, "block %zu of %zu (bsize %zu, stride %zu): ", k, nblk, bsize,
                   stride);
          check_mm_block(op, mm + k * step, bsize, !is_get, info);
        }
      }
    }
  }

  void *dest = (void *)(is_get ? ldm : mm);
  const void *src = (const void *)(is_get ? mm : ldm);
  if (!strided) {
    memmove(dest, src, len);
  } else if (is_get) {
    for (size_t k = 0; k < nblk; k++)
      memmove((char *)dest + k * bsize, (const char *)src + k * step, bsize);
  } else {
    for (size_t k = 0; k < nblk; k++)
      memmove((char *)dest + k * step, (const char *)src + k * bsize, bsize);
  }

  swemu_counters *ct = &cur_ctr[c->id].c;
  if (is_get) {
    ct->get_bytes += (long long)len;
    ct->get_count++;
  } else {
    ct->put_bytes += (long long)len;
    ct->put_count++;
  }
  if (strided) {
    ct->stride_count++;
    ct->stride_blocks += (long long)nblk;
    ct->stride_bytes += (long long)len;
    ct->block_count[size_bin(bsize)] += (long long)nblk;
    ct->block_bytes[size_bin(bsize)] += (long long)len;
  } else {
    ct->size_count[size_bin(len)]++;
    ct->size_bytes[size_bin(len)] += (long long)len;
  }
  if (reply) __atomic_fetch_add((int *)reply, 1, __ATOMIC_SEQ_CST);
}

static void check_reply(const char *op, cpe_t *c, const volatile void *reply) {
  if (!reply) die("%s: reply pointer is NULL", op);
  if (!in_ldm(c, (uintptr_t)reply, sizeof(int)))
    die("%s: reply word %p is not in LDM (use a local or __thread_local volatile int)", op,
        (const void *)reply);
  if ((uintptr_t)reply % sizeof(int) != 0)
    die("%s: reply word %p is not 4-byte aligned (use a volatile int)", op, (const void *)reply);
}

/* Broadcast DMA (athread_get(BCAST_MODE, src, dest, len, &reply, mask, 0, 0)):
 * one CPE issues it; main memory is read once, at the call; the issuer's own
 * copy (if its row is selected) lands at once, and the reply word (the
 * issuer's) counts 1. Every other CPE of the rows in `mask` receives the
 * bytes at the same LDM address (the same offset in its __thread_local block)
 * only when it next passes a barrier together with the issuer (athread_syn of
 * a group holding both), and until then the range holds a poison NaN pattern
 * (0x7fbcbcbc): a receiver that reads without the barrier after the broadcast
 * sees stale data, one that is still reading when the issuer (without a
 * barrier before it) starts the next one sees the poison. Pending broadcasts
 * live in a list under sync_mu (barriers deliver under the same lock). */
#define BCAST_POISON 0x7fbcbcbcu
typedef struct bcast {
  int issuer;
  unsigned rows;     /* row mask, bit r = row r */
  size_t off, len;   /* LDM offset (from the TLS block) and bytes */
  uint64_t pending;  /* receivers not yet delivered, bit = CPE id */
  unsigned char *data;
  struct bcast *next;
} bcast_t;
static bcast_t *bcast_list;

static int grp_has(int g, int id) {
  if (g == 0) return 1;
  if (g <= 8) return id / 8 == g - 1;
  return id % 8 == g - 9;
}

static void bcast_deliver_locked(int g) {
  bcast_t **pp = &bcast_list;
  while (*pp) {
    bcast_t *b = *pp;
    if (grp_has(g, b->issuer)) {
      for (int r = 0; r < NCPE; r++)
        if ((b->pending >> r & 1) && grp_has(g, r)) {
          memcpy((void *)(cpes[r].tls_lo + b->off), b->data, b->len);
          b->pending &= ~((uint64_t)1 << r);
        }
    }
    if (b->pending == 0) {
      *pp = b->next;
      ifree(b->data);
      ifree(b);
    } else {
      pp = &b->next;
    }
  }
}

/* At join: a broadcast some receiver never got (no barrier after it). */
static void bcast_check_delivered(const char *kernel) {
  pthread_mutex_lock(&sync_mu);
  bcast_t *b = bcast_list;
  if (b) {
    int r = 0;
    while (!(b->pending >> r & 1)) r++;
    die("kernel '%s': the broadcast of CPE %d (athread_get(BCAST_MODE), %zu bytes at LDM "
        "offset %zu, row mask 0x%02x) never reached CPE %d: no athread_syn after it before the "
        "kernel returned (receivers may use a broadcast only after a barrier)",
        kernel, b->issuer, b->len, b->off, b->rows, r);
  }
  pthread_mutex_unlock(&sync_mu);
}

static void bcast_clear(void) {
  pthread_mutex_lock(&sync_mu);
  while (bcast_list) {
    bcast_t *b = bcast_list;
    bcast_list = b->next;
    ifree(b->data);
    ifree(b);
  }
  pthread_mutex_unlock(&sync_mu);
}

static int bcast_get(cpe_t *c, void *src, void *dest, int len, void *reply, char mask, int stride,
                     int bsize) {
  const char *op = "athread_get(BCAST_MODE)";
  const unsigned rows = (unsigned char)mask;
  if (len <= 0) die("%s: len %d must be > 0", op, len);
  if (stride != 0 || bsize != 0)
    die("%s: strided broadcast (stride %d, bsize %d) is not documented; broadcast contiguous "
        "blocks (stride 0, bsize 0)",
        op, stride, bsize);
  if (rows == 0) die("%s: row mask 0 selects no CPE", op);
  const uintptr_t ldm = (uintptr_t)dest;
  if (!(c->tls_lo && c->tls_lo <= ldm && ldm + (size_t)len <= c->tls_hi && ldm + (size_t)len > ldm))
    die("%s: LDM side [%p, +%d) is not in this CPE's __thread_local block [%p, +%zu): a "
        "broadcast writes the same LDM address in every receiver, so it must be __thread_local "
        "data (not the stack)",
        op, dest, len, (void *)c->tls_lo, (size_t)(c->tls_hi - c->tls_lo));
  check_reply(op, c, reply);
  if (heap_tracking()) check_mm_block(op, (uintptr_t)src, (size_t)len, 0, "");
  const size_t off = ldm - c->tls_lo;
  uint64_t recv = 0;
  for (int r = 0; r < NCPE; r++)
    if (rows >> (r / 8) & 1) recv |= (uint64_t)1 << r;

  bcast_t *b = ialloc(sizeof *b);
  unsigned char *data = ialloc((size_t)len);
  if (!b || !data) die("out of memory");
  memcpy(data, src, (size_t)len); /* main memory is read once, now */
  pthread_mutex_lock(&sync_mu);
  for (bcast_t *o = bcast_list; o; o = o->next)
    if (o->issuer != c->id && (o->pending & recv) && off < o->off + o->len && o->off < off + (size_t)len) {
      const unsigned orows = o->rows;
      const int oid = o->issuer;
      pthread_mutex_unlock(&sync_mu);
      die("%s: the broadcast of CPE %d into the same LDM (offset %zu, %zu bytes, row mask "
          "0x%02x) has not reached every receiver yet (no barrier since): a receiver issuing "
          "(exactly one CPE calls athread_get(BCAST_MODE); the receivers wait at athread_syn) "
          "or a missing athread_syn between two broadcasts",
          op, oid, o->off, o->len, orows);
    }
  b->issuer = c->id;
  b->rows = rows;
  b->off = off;
  b->len = (size_t)len;
  b->data = data;
  b->pending = recv & ~((uint64_t)1 << c->id);
  b->next = NULL;
  if (recv >> c->id & 1) memcpy(dest, data, (size_t)len); /* the issuer's own copy */
  for (int r = 0; r < NCPE; r++) /* receivers: poison until the next barrier */
    if (b->pending >> r & 1) {
      volatile uint32_t *w = (volatile uint32_t *)(cpes[r].tls_lo + off);
      for (size_t k = 0; k + 4 <= (size_t)len; k += 4) w[k / 4] = BCAST_POISON;
    }
  bcast_t **tail = &bcast_list;
  while (*tail) tail = &(*tail)->next;
  if (b->pending) {
    *tail = b;
  } else {
    ifree(data);
    ifree(b);
  }
  pthread_mutex_unlock(&sync_mu);

  swemu_counters *ct = &cur_ctr[c->id].c;
  ct->bcast_count++;
  ct->bcast_bytes += len;
  __atomic_fetch_add((int *)reply, 1, __ATOMIC_SEQ_CST);
  return 0;
}

static int dma(int is_get, dma_mode mode, void *src, void *dest, int len, void *reply, int stride,
               int bsize, char mask) {
  const char *op = is_get ? "athread_get" : "athread_put";
  cpe_t *c = self();
  if (!c) die("%s called outside a CPE kernel (from the MPE?)", op);
  if (mode == BCAST_MODE && !is_get)
    die("athread_put: BCAST_MODE: there is no broadcast put (a broadcast is a get, main "
        "memory to the LDM of several CPEs)");
  if (mode == BCAST_MODE) return bcast_get(c, src, dest, len, reply, mask, stride, bsize);
  if (mode != PE_MODE)
    die("%s: DMA mode %s is not supported by the emulator (only PE_MODE and BCAST_MODE)", op,
        mode_name(mode));
  if (len <= 0) die("%s: len %d must be > 0", op, len);
  if (stride < 0 || bsize < 0) die("%s: negative stride %d or bsize %d", op, stride, bsize);
  if (bsize == 0 && stride != 0) die("%s: stride %d given with bsize 0", op, stride);
  if (bsize > 0 && len % bsize != 0)
    die("%s: len %d is not a multiple of bsize %d", op, len, bsize);
  uintptr_t ldm = (uintptr_t)(is_get ? dest : src);
  uintptr_t mm = (uintptr_t)(is_get ? src : dest);
  if (!in_ldm(c, ldm, (size_t)len))
    die("%s: LDM side of DMA is not in LDM: [%p, +%d) is neither in this CPE's __thread_local "
        "block [%p, +%zu) nor on its stack",
        op, (void *)ldm, len, (void *)c->tls_lo, (size_t)(c->tls_hi - c->tls_lo));
  check_reply(op, c, reply);
  dma_core(op, c, is_get, ldm, mm, (size_t)len, (volatile int *)reply, (size_t)stride,
           (size_t)bsize);
  return 0;
}

int athread_get(dma_mode mode, void *src, void *dest, int len, void *reply, char mask, int stride,
                int bsize) {
  return dma(1, mode, src, dest, len, reply, stride, bsize, mask);
}

int athread_put(dma_mode mode, void *src, void *dest, int len, void *reply, int stride,
                int bsize) {
  return dma(0, mode, src, dest, len, reply, stride, bsize, 0);
}

/* SW26010-Pro CRTS DMA. Argument order (dest, src) for both directions: get
 * = main memory src -> LDM dest, put = LDM src -> main memory dest. */
#define CRTS_DMA_MAX_LEN ((size_t)1 << 18) /* the length field is 18 bits */

static int crts_dma(const char *op, int is_get, void *dest, void *src, size_t len, size_t bsize,
                    size_t stride, int is_stride, crts_rply_t *reply, int blocking) {
  cpe_t *c = self();
  if (!c) die("%s called outside a CPE kernel (from the MPE?)", op);
  if (len == 0) die("%s: len 0 must be > 0", op);
  if (len >= CRTS_DMA_MAX_LEN)
    die("%s: len %zu does not fit the 18-bit DMA length field (must be < %zu)", op, len,
        CRTS_DMA_MAX_LEN);
  if (is_stride) {
    if (bsize == 0) die("%s: bsize 0 must be > 0", op);
    if (len % bsize != 0) die("%s: len %zu is not a multiple of bsize %zu", op, len, bsize);
  }
  uintptr_t ldm = (uintptr_t)(is_get ? dest : src);
  uintptr_t mm = (uintptr_t)(is_get ? src : dest);
  if (!in_ldm(c, ldm, len))
    die("%s: LDM side of DMA (%s) is not in LDM: [%p, +%zu) is neither in this CPE's "
        "__thread_local block [%p, +%zu) nor on its stack",
        op, is_get ? "dest" : "src", (void *)ldm, len, (void *)c->tls_lo,
        (size_t)(c->tls_hi - c->tls_lo));
  if (!blocking) check_reply(op, c, reply);
  dma_core(op, c, is_get, ldm, mm, len, blocking ? NULL : reply, is_stride ? stride : 0,
           is_stride ? bsize : 0);
  return 0;
}

int CRTS_dma_iget(void *dest, void *src, size_t len, crts_rply_t *reply) {
  return crts_dma("CRTS_dma_iget", 1, dest, src, len, 0, 0, 0, reply, 0);
}
int CRTS_dma_iput(void *dest, void *src, size_t len, crts_rply_t *reply) {
  return crts_dma("CRTS_dma_iput", 0, dest, src, len, 0, 0, 0, reply, 0);
}
int CRTS_dma_iget_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply) {
  return crts_dma("CRTS_dma_iget_stride", 1, dest, src, len, bsize, stride, 1, reply, 0);
}
int CRTS_dma_iput_stride(void *dest, void *src, size_t len, size_t bsize, size_t stride,
                         crts_rply_t *reply) {
  return crts_dma("CRTS_dma_iput_stride", 0, dest, src, len, bsize, stride, 1, reply, 0);
}
int CRTS_dma_get(void *dest, void *src, size_t len) {
  return crts_dma("CRTS_dma_get", 1, dest, src, len, 0, 0, 0, NULL, 1);
}
int CRTS_dma_put(void *dest, void *src, size_t len) {
  return crts_dma("CRTS_dma_put", 0, dest, src, len, 0, 0, 0, NULL, 1);
}

int CRTS_dma_wait_value(crts_rply_t *reply, int value) {
  const char *op = "CRTS_dma_wait_value";
  cpe_t *c = self();
  if (!c) die("%s called outside a CPE kernel (from the MPE?)", op);
  check_reply(op, c, reply);
  int now = __atomic_load_n((const int *)reply, __ATOMIC_SEQ_CST);
  /* Every DMA completed before its call returned and nothing else writes a
   * CPE's reply word, so an unsatisfied wait would never end. */
  if (now < value)
    die("%s: waits for reply >= %d but the reply word is %d and no transfer is pending: "
        "this wait would never end (fewer transfers issued than waited for, or the reply "
        "word was reset?)",
        op, value, now);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Launch records and reports (MPE side; written at join, read any time the
 * CPEs are idle). */
typedef struct {
  const char *kernel;
  double seconds;
  swemu_counters cpe[NCPE];
} launch_rec;

/* LDM a launch used: the largest over its CPEs; -1 if no arena is registered. */
static long long launch_ldm_bytes(const swemu_counters *cpe) {
  if (n_arenas == 0) return -1;
  long long m = 0;
  for (int i = 0; i < NCPE; i++)
    if (cpe[i].ldm_bytes > m) m = cpe[i].ldm_bytes;
  return m;
}

typedef struct {
  const char *kernel;
  long long launches;
  double seconds;
  swemu_counters tot;
  long long max_cpe_bytes_sum; /* sum over launches of max over CPEs of get+put bytes */
  long long ldm_bytes;         /* max over launches and CPEs of the LDM used */
} kernel_agg;

static pthread_mutex_t rec_mu = PTHREAD_MUTEX_INITIALIZER;
static launch_rec *launches;
static int n_launches, cap_launches;
static long long launches_dropped;
static kernel_agg *aggs;
static int n_aggs, cap_aggs;
static char **names;
static int n_names, cap_names;

static const char *intern(const char *s) {
  pthread_mutex_lock(&rec_mu);
  for (int i = 0; i < n_names; i++)
    if (strcmp(names[i], s) == 0) {
      pthread_mutex_unlock(&rec_mu);
      return names[i];
    }
  if (n_names == cap_names) {
    int nc = cap_names ? 2 * cap_names : 32;
    char **t = irealloc(names, (size_t)nc * sizeof *t);
    if (!t) die("out of memory");
    names = t;
    cap_names = nc;
  }
  size_t len = strlen(s);
  char *copy = ialloc(len + 1);
  if (!copy) die("out of memory");
  memcpy(copy, s, len + 1);
  names[n_names++] = copy;
  pthread_mutex_unlock(&rec_mu);
  return copy;
}

static long max_launch_records(void) {
  const char *e = getenv("SWEMU_MAX_LAUNCHES");
  if (e && *e) return strtol(e, NULL, 0);
  return 100000;
}

static void record_launch(const char *kernel, double seconds) {
  pthread_mutex_lock(&rec_mu);
  kernel_agg *a = NULL;
  for (int i = 0; i < n_aggs; i++)
    if (aggs[i].kernel == kernel) a = &aggs[i];
  if (!a) {
    if (n_aggs == cap_aggs) {
      int nc = cap_aggs ? 2 * cap_aggs : 32;
      kernel_agg *t = irealloc(aggs, (size_t)nc * sizeof *t);
      if (!t) die("out of memory");
      aggs = t;
      cap_aggs = nc;
    }
    a = &aggs[n_aggs++];
    memset(a, 0, sizeof *a);
    a->kernel = kernel;
  }
  a->launches++;
  a->seconds += seconds;
  long long mx = 0;
  for (int i = 0; i < NCPE; i++) {
    const swemu_counters *c = &cur_ctr[i].c;
    a->tot.get_bytes += c->get_bytes;
    a->tot.get_count += c->get_count;
    a->tot.put_bytes += c->put_bytes;
    a->tot.put_count += c->put_count;
    a->tot.flops += c->flops;
    a->tot.vector_flops += c->vector_flops;
    a->tot.vector_mem += c->vector_mem;
    if (c->ldm_bytes > a->ldm_bytes) a->ldm_bytes = c->ldm_bytes;
    a->tot.stride_count += c->stride_count;
    a->tot.stride_blocks += c->stride_blocks;
    a->tot.stride_bytes += c->stride_bytes;
    a->tot.bcast_count += c->bcast_count;
    a->tot.bcast_bytes += c->bcast_bytes;
    a->tot.syn_count += c->syn_count;
    if (c->get_bytes + c->put_bytes > mx) mx = c->get_bytes + c->put_bytes;
  }
  a->max_cpe_bytes_sum += mx;

  if (n_launches >= max_launch_records()) {
    launches_dropped++;
  } else {
    if (n_launches == cap_launches) {
      int nc = cap_launches ? 2 * cap_launches : 64;
      launch_rec *t = irealloc(launches, (size_t)nc * sizeof *t);
      if (!t) die("out of memory");
      launches = t;
      cap_launches = nc;
    }
    launch_rec *r = &launches[n_launches++];
    r->kernel = kernel;
    r->seconds = seconds;
    for (int i = 0; i < NCPE; i++) r->cpe[i] = cur_ctr[i].c;
  }
  pthread_mutex_unlock(&rec_mu);
}

int swemu_launch_count(void) {
  pthread_mutex_lock(&rec_mu);
  int n = n_launches;
  pthread_mutex_unlock(&rec_mu);
  return n;
}

const char *swemu_launch_kernel(int launch, double *seconds) {
  const char *k = NULL;
  pthread_mutex_lock(&rec_mu);
  if (launch >= 0 && launch < n_launches) {
    k = launches[launch].kernel;
    if (seconds) *seconds = launches[launch].seconds;
  }
  pthread_mutex_unlock(&rec_mu);
  return k;
}

int swemu_launch_counters(int launch, int cpe, swemu_counters *out) {
  int r = -1;
  pthread_mutex_lock(&rec_mu);
  if (launch >= 0 && launch < n_launches && cpe >= 0 && cpe < NCPE) {
    if (out) *out = launches[launch].cpe[cpe];
    r = 0;
  }
  pthread_mutex_unlock(&rec_mu);
  return r;
}

void swemu_reset_counters(void) {
  pthread_mutex_lock(&rec_mu);
  n_launches = 0;
  n_aggs = 0;
  launches_dropped = 0;
  pthread_mutex_unlock(&rec_mu);
}

void swemu_report(FILE *f) {
  if (!f) return;
  pthread_mutex_lock(&rec_mu);
  size_t total = ldm_total_bytes();
  if (core_group >= 0) fprintf(f, "swemu report of core group %d (this process)\n", core_group);
  fprintf(f, "swemu report: LDM static data %zu bytes, budget %zu (%zu LDM - %d reserve)\n",
          swemu_ldm_static_bytes(), total - SWEMU_LDM_RESERVE_BYTES, total,
          SWEMU_LDM_RESERVE_BYTES);
  fprintf(f, "%-32s %8s %11s %14s %9s %14s %9s %14s %14s %14s %9s\n", "kernel", "launches",
          "seconds", "get_bytes", "get_cnt", "put_bytes", "put_cnt", "max_cpe_bytes", "flops",
          "vector_flops", "ldm_used");
  for (int i = 0; i < n_aggs; i++) {
    const kernel_agg *a = &aggs[i];
    fprintf(f, "%-32s %8lld %11.6f %14lld %9lld %14lld %9lld %14lld %14lld %14lld %9lld\n",
            a->kernel, a->launches, a->seconds, a->tot.get_bytes, a->tot.get_count,
            a->tot.put_bytes, a->tot.put_count, a->max_cpe_bytes_sum, a->tot.flops,
            a->tot.vector_flops, n_arenas ? a->ldm_bytes : -1LL);
  }
  if (launches_dropped)
    fprintf(f, "(%lld launches beyond SWEMU_MAX_LAUNCHES are in the totals only)\n",
            launches_dropped);
  pthread_mutex_unlock(&rec_mu);
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(f, "\\u%04x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

void swemu_set_core_group(int cg) {
  if (cg < 0) die("swemu_set_core_group(%d): a core group is >= 0", cg);
  core_group = cg;
}

int swemu_core_group(void) { return core_group; }

char *swemu_core_group_path(const char *path, int cg, char *out, size_t size) {
  size_t n = strlen(path);
  if (cg < 0) {
    if (n + 1 > size) return NULL;
    memcpy(out, path, n + 1);
    return out;
  }
  const size_t stem = n >= 5 && strcmp(path + n - 5, ".json") == 0 ? n - 5 : n;
  int w = snprintf(out, size, "%.*s.cg%d%s", (int)stem, path, cg, path + stem);
  return w >= 0 && (size_t)w < size ? out : NULL;
}

/* ,"name":[[bin,count,bytes],...] for the nonzero bins; nothing if none. */
static void write_hist(FILE *f, const char *name, const long long *count,
                       const long long *bytes) {
  int n = 0;
  for (int b = 0; b < SWEMU_DMA_SIZE_BINS; b++) {
    if (!count[b]) continue;
    if (n++ == 0) fprintf(f, ",\"%s\":[", name);
    else fprintf(f, ",");
    fprintf(f, "[%d,%lld,%lld]", b, count[b], bytes[b]);
  }
  if (n) fprintf(f, "]");
}

int swemu_write_json(const char *path) {
  if (!path) return -1;
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  pthread_mutex_lock(&rec_mu);
  fprintf(f, "{\"ldm_static_bytes\":%zu,\"ldm_budget_bytes\":%zu,\"launches_dropped\":%lld,",
          swemu_ldm_static_bytes(), swemu_ldm_budget_bytes(), launches_dropped);
  if (core_group >= 0) fprintf(f, "\"core_group\":%d,", core_group);
  fprintf(f, "\"launches\":[");
  for (int i = 0; i < n_launches; i++) {
    const launch_rec *r = &launches[i];
    fprintf(f, "%s\n{\"kernel\":", i ? "," : "");
    json_str(f, r->kernel);
    fprintf(f, ",\"seconds\":%.9g,", r->seconds);
    const long long ldm = launch_ldm_bytes(r->cpe);
    if (ldm >= 0) fprintf(f, "\"ldm_used_bytes\":%lld,", ldm);
    fprintf(f, "\"cpes\":[");
    for (int k = 0; k < NCPE; k++) {
      const swemu_counters *c = &r->cpe[k];
      fprintf(f,
              "%s{\"get_bytes\":%lld,\"get_count\":%lld,\"put_bytes\":%lld,\"put_count\":%lld,"
              "\"flops\":%lld",
              k ? "," : "", c->get_bytes, c->get_count, c->put_bytes, c->put_count, c->flops);
      if (c->vector_flops) fprintf(f, ",\"vector_flops\":%lld", c->vector_flops);
      if (c->vector_mem) fprintf(f, ",\"vector_mem\":%lld", c->vector_mem);
      if (c->stride_count)
        fprintf(f, ",\"stride_count\":%lld,\"stride_blocks\":%lld,\"stride_bytes\":%lld",
                c->stride_count, c->stride_blocks, c->stride_bytes);
      if (c->bcast_count)
        fprintf(f, ",\"bcast_count\":%lld,\"bcast_bytes\":%lld", c->bcast_count, c->bcast_bytes);
      if (c->syn_count) fprintf(f, ",\"syn_count\":%lld", c->syn_count);
      write_hist(f, "size_hist", c->size_count, c->size_bytes);
      write_hist(f, "block_hist", c->block_count, c->block_bytes);
      fprintf(f, "}");
    }
    fprintf(f, "]}");
  }
  fprintf(f, "]}\n");
  pthread_mutex_unlock(&rec_mu);
  int bad = ferror(f);
  if (fclose(f) != 0) bad = 1;
  return bad ? -1 : 0;
}

static void at_exit_report(void) {
  const char *p = getenv("SWEMU_REPORT_JSON");
  char path[4096];
  if (p && *p &&
      (!swemu_core_group_path(p, core_group, path, sizeof path) || swemu_write_json(path) != 0))
    fprintf(stderr, "swemu: warning: cannot write SWEMU_REPORT_JSON=%s (core group %d)\n", p,
            core_group);
  const char *r = getenv("SWEMU_REPORT");
  if (r && *r && strcmp(r, "0") != 0) swemu_report(stderr);
}
