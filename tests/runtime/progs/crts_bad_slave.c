/* CPE side of the SW26010-Pro DMA error tests: every CPE does a valid
 * transfer, CPE BAD_CPE does the bad one selected by the mode. */
#include <crts.h>
#include "args.h"

static __thread_local float t[BAD_N + 1];
crts_rply_t global_reply; /* main memory: not a valid reply word */

void slave_crts_bad_kernel(void *arg) {
  struct crts_bad_args p = *(struct crts_bad_args *)arg;
  crts_rply_t reply = 0;
  int id = CRTS_tid;
  if (id != BAD_CPE || p.mode == CB_NONE) {
    CRTS_dma_iget(&t[0], p.buf, BAD_N * 4, &reply);
    CRTS_dma_wait_value(&reply, 1);
    t[0] += (float)id;
    CRTS_dma_iput(p.out + id, &t[0], 4, &reply);
    CRTS_dma_wait_value(&reply, 2);
    if (p.mode == CB_DEADLOCK) CRTS_ssync_array(); /* BAD_CPE never arrives */
    return;
  }
  switch (p.mode) {
  case CB_GET_OOB: /* one float past the end */
    CRTS_dma_iget(&t[0], p.buf, (BAD_N + 1) * 4, &reply);
    break;
  case CB_PUT_OOB:
    CRTS_dma_iput(p.buf + 1, &t[0], BAD_N * 4, &reply);
    break;
  case CB_STRIDE_OOB: /* 64 blocks of 16 floats every 16+1 floats: the last runs past */
    CRTS_dma_iget_stride(&t[0], p.buf + 6, 64 * 16 * 4, 64, 4, &reply);
    break;
  case CB_LDM_SIDE: /* destination is main memory (the arguments swapped) */
    CRTS_dma_iget(p.out, &t[0], 4, &reply);
    break;
  case CB_REPLY:
    CRTS_dma_iget(&t[0], p.buf, 4, &global_reply);
    break;
  case CB_LEN0:
    CRTS_dma_iget(&t[0], p.buf, 0, &reply);
    break;
  case CB_LEN_BIG:
    CRTS_dma_iget(&t[0], p.buf, 262144, &reply);
    break;
  case CB_WAIT_HANG: /* waits for a second transfer that never comes */
    CRTS_dma_iget(&t[0], p.buf, 4, &reply);
    CRTS_dma_wait_value(&reply, 2);
    break;
  case CB_BLOCKING_OOB:
    CRTS_dma_get(&t[0], p.buf + 2, BAD_N * 4);
    break;
  case CB_DEADLOCK: /* skips the barrier the others wait at */
    return;
  default:
    break;
  }
  CRTS_dma_wait_value(&reply, 1);
}
