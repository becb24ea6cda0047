/* CPE side of the broadcast DMA test. Per round: barrier; CPE 0 broadcasts
 * one block to all 64 CPEs (mask 0xff) and waits on its reply word; barrier;
 * every CPE reads its copy. Then per round the first CPE of each row
 * broadcasts a block to its own row (mask 1 << row). */
#include <slave.h>
#include "args.h"

static __thread_local float w[BC_N];
static __thread_local float out[2];
static __thread_local char odd[8];

void slave_bcast_kernel(void *arg) {
  const struct bcast_args p = *(const struct bcast_args *)arg;
  volatile int reply = 0;
  int n = 0, r, i;
  const int id = _MYID, row = _ROW;
  float all = 0, mine = 0;
  float local[4];
  for (i = 0; i < BC_N; i++) w[i] = -1.0f;
  if (p.mode == BC_RECEIVER_ISSUES) {
    /* every CPE issues the same broadcast: the second is a receiver issuing */
    athread_get(BCAST_MODE, p.src, &w[0], BC_N * 4, (void *)&reply, (char)0xff, 0, 0);
    n++;
  }
  if (id == 0 && p.mode == BC_PUT)
    athread_put(BCAST_MODE, &w[0], p.src, BC_N * 4, (void *)&reply, 0, 0);
  if (id == 0 && p.mode == BC_UNALIGNED_REPLY)
    athread_get(BCAST_MODE, p.src, &w[0], BC_N * 4, (void *)(odd + 1), (char)0xff, 0, 0);
  if (id == 0 && p.mode == BC_STACK)
    athread_get(BCAST_MODE, p.src, &local[0], 16, (void *)&reply, (char)0xff, 0, 0);
  if (id == 0 && p.mode == BC_STRIDED)
    athread_get(BCAST_MODE, p.src, &w[0], 64, (void *)&reply, (char)0xff, 4, 4);
  if (id == 0 && p.mode == BC_UNDELIVERED) {
    athread_get(BCAST_MODE, p.src, &w[0], BC_N * 4, (void *)&reply, (char)0xff, 0, 0);
    n++;
    while (reply != n)
      ;
    return; /* no barrier after it: the other CPEs never get it */
  }
  if (p.mode == BC_UNDELIVERED) return;

  for (r = 0; r < BC_ROUNDS; r++) {
    athread_syn(ARRAY_SCOPE, 0xffff);
    if (id == 0) {
      athread_get(BCAST_MODE, p.src + r * BC_N, &w[0], BC_N * 4, (void *)&reply, (char)0xff, 0, 0);
      n++;
      while (reply != n)
        ;
    }
    if (p.mode != BC_NO_SYN_AFTER) athread_syn(ARRAY_SCOPE, 0xffff);
    for (i = 0; i < BC_N; i++) all += w[i] * (float)(i % 3 + 1);
  }
  athread_syn(ARRAY_SCOPE, 0xffff);
  for (r = 0; r < BC_ROUNDS; r++) {
    athread_syn(ROW_SCOPE, 0xff);
    if (id % 8 == 0) {
      athread_get(BCAST_MODE, p.src + (r + row) * BC_N, &w[0], BC_N * 4, (void *)&reply,
                  (char)(1 << row), 0, 0);
      n++;
      while (reply != n)
        ;
    }
    if (p.mode != BC_NO_SYN_AFTER) athread_syn(ROW_SCOPE, 0xff);
    for (i = 0; i < BC_N; i++) mine += w[i];
  }
  athread_syn(ARRAY_SCOPE, 0xffff);
  out[0] = all;
  out[1] = mine;
  athread_put(PE_MODE, &out[0], p.sum_all + id, 4, (void *)&reply, 0, 0);
  n++;
  athread_put(PE_MODE, &out[1], p.sum_row + id, 4, (void *)&reply, 0, 0);
  n++;
  while (reply != n)
    ;
}
