/* CPE side of the SW26010-Pro vector-add test: asynchronous CRTS_dma_iget /
 * CRTS_dma_iput with one reply word and CRTS_dma_wait_value, floatv8 adds,
 * blocking CRTS_dma_get/put, CRTS_ssync_array. The emulator's simd.h counts
 * the floatv8 adds (8 flops each) as vector flops. */
#include <crts.h>
#include <simd.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

static __thread_local float la[CV_TILE] __attribute__((aligned(32)));
static __thread_local float lb[CV_TILE] __attribute__((aligned(32)));
__thread_local float lc[CV_TILE] __attribute__((aligned(32)));
static __thread_local int all_flags[NCPE];

void slave_crts_vecadd_kernel(void *arg) {
  struct crts_vecadd_args p = *(struct crts_vecadd_args *)arg;
  crts_rply_t get_reply = 0, put_reply = 0;
  int gets = 0, puts = 0;
  int id = CRTS_tid;
  int t, i, ok = 1;
  int pair[2];
  for (t = 0; t < CV_PER_CPE / CV_TILE; t++) {
    long off = (long)id * CV_PER_CPE + (long)t * CV_TILE;
    CRTS_dma_iget(&la[0], p.a + off, CV_TILE * sizeof(float), &get_reply);
    CRTS_dma_iget(&lb[0], p.b + off, CV_TILE * sizeof(float), &get_reply);
    gets += 2;
    CRTS_dma_wait_value(&get_reply, gets);
    CRTS_dma_wait_value(&put_reply, puts); /* lc is free again */
    for (i = 0; i < CV_TILE; i += 8) {
      floatv8 va, vb, vc;
      simd_load(va, &la[i]);
      simd_load(vb, &lb[i]);
      vc = simd_vadds(va, vb);
      simd_store(vc, &lc[i]);
    }
    CRTS_dma_iput(p.c + off, &lc[0], CV_TILE * sizeof(float), &put_reply);
    puts++;
  }
  CRTS_dma_wait_value(&put_reply, puts);

  /* barrier: every CPE's flag is visible to every CPE after it */
  pair[0] = p.round;
  CRTS_dma_put(p.flags + id, &pair[0], sizeof(int));
  CRTS_ssync_array();
  CRTS_dma_get(&all_flags[0], p.flags, NCPE * sizeof(int));
  for (i = 0; i < NCPE; i++)
    if (all_flags[i] != p.round) ok = 0;
  CRTS_ssync_array(); /* nobody rewrites the flags before all have read them */
  pair[1] = ok;
  CRTS_dma_put(p.ok + id, &pair[1], sizeof(int));
}
