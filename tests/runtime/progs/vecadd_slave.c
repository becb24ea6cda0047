/* CPE side of the vector-add test: c = a + b, DMA in and out, per-CPE LDM. */
#include <slave.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

static __thread_local float la[VA_TILE];
static __thread_local float lb[VA_TILE];
__thread_local float lc[VA_TILE];

void slave_vecadd_kernel(void *arg) {
  struct vecadd_args p = *(struct vecadd_args *)arg;
  volatile int reply = 0;
  int n = 0;
  int id = _MYID;
  float stack_tile[256]; /* a CPE's stack is LDM too */
  int t, i;
  for (t = 0; t < VA_PER_CPE / VA_TILE; t++) {
    long off = (long)id * VA_PER_CPE + (long)t * VA_TILE;
    athread_get(PE_MODE, p.a + off, &la[0], VA_TILE * 4, (void *)&reply, 0, 0, 0);
    n++;
    athread_get(PE_MODE, p.b + off, &lb[0], VA_TILE * 4, (void *)&reply, 0, 0, 0);
    n++;
    while (reply != n)
      ;
    for (i = 0; i < VA_TILE; i++) lc[i] = la[i] + lb[i];
    /* the last 256 elements go out through a stack buffer */
    for (i = 0; i < 256; i++) stack_tile[i] = lc[VA_TILE - 256 + i];
    athread_put(PE_MODE, &lc[0], p.c + off, (VA_TILE - 256) * 4, (void *)&reply, 0, 0);
    n++;
    athread_put(PE_MODE, &stack_tile[0], p.c + off + VA_TILE - 256, 256 * 4, (void *)&reply, 0, 0);
    n++;
    while (reply != n)
      ;
  }
#ifdef SWEMU
  {
    static __thread_local unsigned long long base_word;
    static __thread_local int ok_word;
    void *base = 0;
    unsigned long bytes = 0;
    size_t sz = 0;
    char *lo;
    swemu_ldm_range(&base, &sz);
    bytes = (unsigned long)sz;
    lo = (char *)base;
    ok_word = (char *)&la[0] >= lo && (char *)&la[VA_TILE] <= lo + bytes &&
              (char *)&lb[0] >= lo && (char *)&lb[VA_TILE] <= lo + bytes &&
              (char *)&lc[0] >= lo && (char *)&lc[VA_TILE] <= lo + bytes &&
              (char *)&ok_word >= lo && (char *)(&ok_word + 1) <= lo + bytes &&
              bytes == swemu_ldm_static_bytes();
    base_word = (unsigned long long)(unsigned long)base;
    athread_put(PE_MODE, &base_word, p.ldm_base + id, 8, (void *)&reply, 0, 0);
    n++;
    athread_put(PE_MODE, &ok_word, p.ldm_ok + id, 4, (void *)&reply, 0, 0);
    n++;
    while (reply != n)
      ;
  }
#endif
}
