/* CPE side of the DMA error tests: every CPE does a valid transfer, CPE
 * BAD_CPE does the bad one selected by the mode. */
#include <slave.h>
#include "args.h"

static __thread_local float t[BAD_N + 1];
volatile int global_reply; /* main memory: not a valid reply word */

void slave_bad_kernel(void *arg) {
  struct bad_args p = *(struct bad_args *)arg;
  volatile int reply = 0;
  int id = _MYID;
  float *src = p.mode == BAD_STATIC_OK ? p.stat : p.buf;
  if (id != BAD_CPE || p.mode == BAD_NONE || p.mode == BAD_STATIC_OK) {
    athread_get(PE_MODE, src, &t[0], BAD_N * 4, (void *)&reply, 0, 0, 0);
    while (reply != 1)
      ;
    t[0] += (float)id;
    athread_put(PE_MODE, &t[0], (p.mode == BAD_STATIC_OK ? p.stat : p.out) + id, 4,
                (void *)&reply, 0, 0);
    while (reply != 2)
      ;
    return;
  }
  switch (p.mode) {
  case BAD_GET_OOB: /* one float past the end */
  case BAD_REGISTERED:
  case BAD_FREED:
    athread_get(PE_MODE, p.buf, &t[0], (BAD_N + 1) * 4, (void *)&reply, 0, 0, 0);
    break;
  case BAD_PUT_OOB:
    athread_put(PE_MODE, &t[0], p.buf + 1, BAD_N * 4, (void *)&reply, 0, 0);
    break;
  case BAD_STRIDE_OOB: /* 64 blocks of 16 floats every 16+1 floats: the last runs past */
    athread_get(PE_MODE, p.buf + 6, &t[0], 64 * 16 * 4, (void *)&reply, 0, 4, 64);
    break;
  case BAD_LDM_SIDE: /* destination is main memory */
    athread_get(PE_MODE, p.buf, p.out, 4, (void *)&reply, 0, 0, 0);
    break;
  case BAD_MODE:
    athread_get(ROW_MODE, p.buf, &t[0], 4, (void *)&reply, 0, 0, 0);
    break;
  case BAD_LEN:
    athread_get(PE_MODE, p.buf, &t[0], 0, (void *)&reply, 0, 0, 0);
    break;
  case BAD_RODATA_PUT:
    athread_put(PE_MODE, &t[0], (void *)p.rodata, 4, (void *)&reply, 0, 0);
    break;
  case BAD_REPLY:
    athread_get(PE_MODE, p.buf, &t[0], 4, (void *)&global_reply, 0, 0, 0);
    break;
  case BAD_HANG: /* waits for a second transfer that never comes */
    athread_get(PE_MODE, p.buf, &t[0], 4, (void *)&reply, 0, 0, 0);
    while (reply != 2)
      ;
    break;
  default:
    break;
  }
  while (reply != 1)
    ;
}
